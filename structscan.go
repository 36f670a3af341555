package redis

import (
	"context"
	"encoding"
	"errors"
	"fmt"
	"iter"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Struct decoding: hashes, stream entries and other field/value replies
// read into Go structs, and structs written back as HSET or XADD fields.
// ScanStruct's comment states the mapping; every function here follows it.

// StructFieldError reports a value that could not be converted between a
// Redis field and a struct field: a reply value that does not parse as the
// field's type, or a marshaler that failed when writing. Unwrap returns the
// conversion's own error (a *strconv.NumError, a *time.ParseError, a
// marshaler's error).
type StructFieldError struct {
	// Name is the Redis field.
	Name string
	// Struct is the struct type, and Field the Go field within it, with
	// the embedded structs it is promoted through ("Age", "Base.ID").
	Struct reflect.Type
	Field  string
	// Type is the Go field's type.
	Type reflect.Type
	// Value is the value that did not convert, when reading; "" when
	// writing.
	Value string
	// Write is true for an error writing the struct field (a marshaler
	// failed), false for one reading the Redis value.
	Write bool
	// Err is the conversion's error.
	Err error
}

func (e *StructFieldError) Error() string {
	where := typeName(e.Struct) + "." + e.Field + " (" + typeString(e.Type) + ")"
	if e.Write {
		return fmt.Sprintf("redis: %s to field %q: %v", where, e.Name, e.Err)
	}
	var ne *strconv.NumError
	var pe *time.ParseError
	if errors.As(e.Err, &ne) || errors.As(e.Err, &pe) || strings.Contains(e.Err.Error(), strconv.Quote(e.Value)) {
		// The error already quotes the value.
		return fmt.Sprintf("redis: field %q into %s: %v", e.Name, where, e.Err)
	}
	v := e.Value
	if len(v) > 64 {
		v = v[:64] + "..."
	}
	return fmt.Sprintf("redis: field %q into %s: value %q: %v", e.Name, where, v, e.Err)
}

// Unwrap returns the conversion's error.
func (e *StructFieldError) Unwrap() error { return e.Err }

func typeName(t reflect.Type) string {
	if t == nil {
		return "<nil>"
	}
	if t.Name() != "" {
		return t.Name()
	}
	return t.String()
}

func typeString(t reflect.Type) string {
	if t == nil {
		return "<nil>"
	}
	return t.String()
}

// ScanStruct reads the fields of an HGETALL reply (or any field/value map:
// XMessage.Map, a CONFIG GET) into the struct dst points to. It returns
// ErrNil, leaving dst alone, when fields is empty, as HGETALL returns it
// for a missing key.
//
//	m, err := rdb.HGetAll(ctx, "user:1")
//	...
//	var u User
//	err = redis.ScanStruct(&u, m)
//
// A struct field maps to the Redis field its `redis` tag names:
//
//	type User struct {
//		Name    string        `redis:"name"`
//		Age     int           `redis:"age,omitempty"`
//		Seen    time.Time     `redis:"seen"`
//		Nick    *string       `redis:"nick"` // nil: the field is absent
//		Session string        `redis:"-"`    // never read or written
//		Email   string                       // untagged: the field "Email"
//	}
//
// The rules, which every struct function of the package follows:
//
//   - A field tagged `redis:"name"` maps to the Redis field "name"; an
//     untagged exported field maps to its Go name, as is ("Email"; names
//     are matched exactly, case included). `redis:"-"` leaves a field out;
//     unexported fields are always left out. The only option is
//     omitempty: `redis:"age,omitempty"` writes nothing for a zero value
//     (0, "", false, an empty []byte, the zero time.Time). Any other
//     option is an error, so that a typo is not silently ignored.
//   - The fields of an embedded struct (or pointer to a struct) without a
//     tag name are flattened into the outer struct, as encoding/json does:
//     when two fields map to the same Redis name, the less deeply embedded
//     one wins, then the tagged one; two left tied are an error. Reading
//     allocates a nil embedded pointer when one of its fields arrives;
//     writing skips the fields of a nil one. (An embedded pointer to an
//     unexported struct type is left out: it could not be allocated.)
//   - Supported field types, and how a value is written and read:
//     string and []byte as they are; every int and uint size in decimal;
//     float32 and float64 in the shortest form that reads back exactly
//     ("+inf" and "-inf" for infinities, as the server writes them); bool
//     as "1" or "0" (any form strconv.ParseBool accepts is read);
//     time.Duration as an integer of nanoseconds (a Go duration such as
//     "1m30s" is read too); time.Time as RFC 3339 with nanoseconds
//     (time.RFC3339Nano; an integer is read as Unix seconds; years 0 to
//     9999 only, as RFC 3339 has them); any type whose pointer implements
//     encoding.BinaryUnmarshaler or encoding.TextUnmarshaler for reading,
//     encoding.BinaryMarshaler or encoding.TextMarshaler for writing (the
//     binary form first, as resp.Encoder.Arg chooses it). Named types
//     (type Status string) are read and written as their underlying kind,
//     unless they implement one of those interfaces.
//   - A pointer to one of those types is the field's presence: reading
//     allocates a new value when the field arrives and leaves the pointer
//     as it is otherwise; writing skips a nil pointer.
//   - A field of any other type (a map, a slice other than []byte, a
//     nested struct, an interface, a pointer to a pointer) is an error
//     naming the field, for every scan into (or write from) its struct
//     type: tag it `redis:"-"`.
//
// Reading leaves the struct fields that no Redis field maps to as they
// were, and ignores Redis fields that no struct field maps to. A value that
// does not convert is a *StructFieldError naming both fields and the value;
// the struct may then have been partly filled. When there is no field at
// all (a missing hash, a deleted stream entry, HMGET of fields none of
// which exist) the result is ErrNil and the struct is left alone. No input
// makes these functions panic: a dst that is not a non-nil pointer to a
// struct is an error.
//
// The field plan of each struct type is computed once and cached, so the
// functions are cheap to call repeatedly and safe for concurrent use.
func ScanStruct(dst any, fields map[string]string) error {
	v, p, err := scanTarget(dst)
	if err != nil {
		return err
	}
	if len(fields) == 0 {
		return ErrNil
	}
	// The plan's order, not the map's, so that the first bad field
	// reported is always the same one.
	for i := range p.fields {
		if s, ok := fields[p.fields[i].name]; ok {
			if err := p.set(v, i, s); err != nil {
				return err
			}
		}
	}
	return nil
}

// HashStruct returns a new T filled from the fields of an HGETALL reply, by
// the rules of ScanStruct; T is a struct type or a pointer to one (then
// a new struct is allocated). It takes the reply and its error as they
// come, so that the call chains:
//
//	u, err := redis.HashStruct[User](rdb.HGetAll(ctx, "user:1"))
//
// A non-nil err is returned as it is; an empty map (a missing key) gives
// ErrNil.
func HashStruct[T any](fields map[string]string, err error) (T, error) {
	var out T
	if err != nil {
		return out, err
	}
	if t := reflect.TypeFor[T](); t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct {
		nv := reflect.New(t.Elem())
		if err := ScanStruct(nv.Interface(), fields); err != nil {
			return out, err
		}
		reflect.ValueOf(&out).Elem().Set(nv)
		return out, nil
	}
	if err := ScanStruct(&out, fields); err != nil {
		var zero T
		return zero, err
	}
	return out, nil
}

// ScanStructValues reads an HMGET reply (or HGETDEL's, HGETEX's) into the
// struct dst points to, by the rules of ScanStruct: values[i] is the value
// of the Redis field names[i], and a value that is not Valid (a missing
// field) is skipped. It returns ErrNil, leaving dst alone, when no value is
// Valid, and an error when the lengths differ.
//
//	names, _ := redis.StructFieldNames((*User)(nil))
//	vals, err := rdb.HMGet(ctx, "user:1", names...)
//	...
//	err = redis.ScanStructValues(&u, names, vals)
func ScanStructValues(dst any, names []string, values []Null[string]) error {
	v, p, err := scanTarget(dst)
	if err != nil {
		return err
	}
	if len(names) != len(values) {
		return fmt.Errorf("redis: %d field names for %d values", len(names), len(values))
	}
	found := false
	for i, val := range values {
		if !val.Valid {
			continue
		}
		found = true
		if j, ok := p.byName[names[i]]; ok {
			if err := p.set(v, j, val.V); err != nil {
				return err
			}
		}
	}
	if !found {
		return ErrNil
	}
	return nil
}

// ScanStructSeq reads field/value pairs from any source into the struct
// dst points to, by the rules of ScanStruct; when a field repeats, its last
// value wins. It returns ErrNil, leaving dst alone, when fields yields
// nothing. The search package's Document.Scan is built on it.
func ScanStructSeq(dst any, fields iter.Seq2[string, string]) error {
	v, p, err := scanTarget(dst)
	if err != nil {
		return err
	}
	if fields == nil {
		return ErrNil
	}
	// One state for the yield function to share (its variables would
	// each escape on their own).
	st := &seqScan{v: v, p: p}
	fields(func(name, s string) bool {
		if st.err != nil { // an iterator that goes on after false
			return false
		}
		st.found = true
		if i, ok := st.p.byName[name]; ok {
			st.err = st.p.set(st.v, i, s)
		}
		return st.err == nil
	})
	if st.err == nil && !st.found {
		return ErrNil
	}
	return st.err
}

// seqScan is the state of ScanStructSeq.
type seqScan struct {
	v     reflect.Value
	p     *structPlan
	found bool
	err   error
}

// Scan reads the entry's fields into the struct dst points to, by the
// rules of ScanStruct; when a field repeats, its last value wins, as in
// Map. It returns ErrNil for a deleted entry (nil Fields).
//
//	msgs, err := rdb.XRange(ctx, "events", "-", "+")
//	for _, m := range msgs {
//		var e Event
//		if err := m.Scan(&e); err != nil { ... }
//	}
func (m XMessage) Scan(dst any) error {
	v, p, err := scanTarget(dst)
	if err != nil {
		return err
	}
	if len(m.Fields) == 0 {
		return ErrNil
	}
	for _, f := range m.Fields {
		if i, ok := p.byName[f.Name]; ok {
			if err := p.set(v, i, f.Value); err != nil {
				return err
			}
		}
	}
	return nil
}

// StructFieldNames returns the Redis field names that the struct type of v
// reads, in the struct's order: the fields to ask HMGET for. v is a struct
// or a pointer to one, which may be nil: only its type matters. The slice
// is the caller's.
func StructFieldNames(v any) ([]string, error) {
	t := reflect.TypeOf(v)
	if t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("redis: field names of %T: want a struct or a pointer to one", v)
	}
	p := planFor(t)
	if p.decErr != nil {
		return nil, p.decErr
	}
	return append([]string(nil), p.names...), nil
}

// StructFields returns the fields of v, a struct or a non-nil pointer to
// one, as HSET arguments, by the rules of ScanStruct: each Value is the
// string that is sent (so a []byte or a marshaler's bytes as a string). Nil
// pointers and, with omitempty, zero values are left out, so the slice
// may be empty; HSet refuses an empty one.
//
//	fields, err := redis.StructFields(u)
//	...
//	p.HSet("user:1", fields...)
func StructFields(v any) ([]HashField, error) {
	rv, p, err := writeTarget(v)
	if err != nil {
		return nil, err
	}
	out := make([]HashField, 0, len(p.fields))
	err = p.write(rv, func(name string, val []byte) {
		out = append(out, HashField{Field: name, Value: string(val)})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// StructXValues returns the fields of v, a struct or a non-nil pointer to
// one, as XADD values, as StructFields does for HSET.
//
//	vals, err := redis.StructXValues(ev)
//	...
//	id, err := rdb.XAdd(ctx, "events", "*", vals)
func StructXValues(v any) ([]XValue, error) {
	rv, p, err := writeTarget(v)
	if err != nil {
		return nil, err
	}
	out := make([]XValue, 0, len(p.fields))
	err = p.write(rv, func(name string, val []byte) {
		out = append(out, XValue{Name: name, Value: string(val)})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// HSetStruct returns the HSET command (HSET key field value [field value
// ...]) that writes the fields of v, a struct or a non-nil pointer to one,
// as StructFields lists them; to run with RunCommand or in a pipeline
// (Queue). A value that cannot be written, or a struct with nothing to
// write, makes a command that fails without being sent. Since Redis 2.0.0
// (several fields: 4.0.0).
func HSetStruct(key string, v any) Command[int64] {
	b := new(builder)
	appendHSetStruct(b, key, v)
	return newCommand(b, asInt64)
}

// HSetStruct writes the fields of v, a struct or a non-nil pointer to one,
// to the hash at key with one HSET, as StructFields lists them, and returns
// how many fields were added (overwritten ones do not count). The hash's
// other fields are left as they are, and so are the fields of v that are
// not written (nil pointers; zero values with omitempty): HSetStruct does
// not delete them. A value that cannot be written, or nothing to write, is
// an error and nothing is sent.
//
// Since Redis 2.0.0 (several fields: 4.0.0).
func (c *Client) HSetStruct(ctx context.Context, key string, v any) (int64, error) {
	b := getBuilder()
	appendHSetStruct(b, key, v)
	return asInt64(c.exec(ctx, b))
}

// HSetStruct queues HSET of v's fields, as Client.HSetStruct sends it; its
// Reply holds how many fields were added. A value that cannot be written is
// the Reply's error, and the command is not sent.
func (p *Pipeline) HSetStruct(key string, v any) *Reply[int64] {
	b := getBuilder()
	appendHSetStruct(b, key, v)
	return queue(p, b, asInt64)
}

// HGetStruct reads the hash at key into the struct dst points to: it asks
// HMGET for the fields that the struct maps (StructFieldNames) and scans
// the reply as ScanStructValues does, so the hash's other fields are never
// sent. It returns ErrNil, leaving dst alone, when none of those fields
// exists (in particular when the key does not). Fields of dst whose Redis
// field is missing are left as they are: pass a fresh struct to get zero
// values for them.
//
// Since Redis 2.0.0.
func (c *Client) HGetStruct(ctx context.Context, key string, dst any) error {
	v, p, err := scanTarget(dst)
	if err != nil {
		return err
	}
	if len(p.names) == 0 {
		return fmt.Errorf("redis: HGetStruct: %s has no fields to read", v.Type())
	}
	b := getBuilder()
	appendHMGet(b, key, p.names)
	vals, err := asNullStrings(c.exec(ctx, b))
	if err != nil {
		return err
	}
	if len(vals) != len(p.names) {
		return fmt.Errorf("redis: HMGET returned %d values for %d fields", len(vals), len(p.names))
	}
	found := false
	for i, val := range vals {
		if !val.Valid {
			continue
		}
		found = true
		if err := p.set(v, i, val.V); err != nil {
			return err
		}
	}
	if !found {
		return ErrNil
	}
	return nil
}

func appendHSetStruct(b *builder, key string, v any) {
	b.begin(cmdHSET)
	b.key(key)
	rv, p, err := writeTarget(v)
	if err == nil {
		n := 0
		err = p.write(rv, func(name string, val []byte) {
			b.str(name)
			b.e.Blob(val)
			n++
		})
		if err == nil && n == 0 {
			b.fail("%s has no field to set (all are nil or empty)", rv.Type())
		}
	}
	if err != nil && b.c.err == nil {
		b.c.err = err
	}
}

// scanTarget checks that dst is a non-nil pointer to a struct whose type
// can be read, and returns the struct and its plan.
func scanTarget(dst any) (reflect.Value, *structPlan, error) {
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return reflect.Value{}, nil, fmt.Errorf("redis: scan into %T: want a non-nil pointer to a struct", dst)
	}
	v := rv.Elem()
	p := planFor(v.Type())
	if p.decErr != nil {
		return reflect.Value{}, nil, p.decErr
	}
	return v, p, nil
}

// writeTarget checks that v is a struct, or a non-nil pointer to one,
// whose type can be written, and returns the struct and its plan.
func writeTarget(v any) (reflect.Value, *structPlan, error) {
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer && !rv.IsNil() {
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct {
		return reflect.Value{}, nil, fmt.Errorf("redis: fields of %T: want a struct or a non-nil pointer to one", v)
	}
	p := planFor(rv.Type())
	if p.encErr != nil {
		return reflect.Value{}, nil, p.encErr
	}
	return rv, p, nil
}

// conv is how a field's value is converted.
type conv uint8

const (
	convNone conv = iota // unsupported
	convString
	convBytes
	convInt
	convUint
	convFloat
	convBool
	convDuration
	convTime
	convBinary // encoding.Binary(Un)Marshaler
	convText   // encoding.Text(Un)Marshaler
)

var (
	timeType              = reflect.TypeFor[time.Time]()
	durationType          = reflect.TypeFor[time.Duration]()
	binaryMarshalerType   = reflect.TypeFor[encoding.BinaryMarshaler]()
	binaryUnmarshalerType = reflect.TypeFor[encoding.BinaryUnmarshaler]()
	textMarshalerType     = reflect.TypeFor[encoding.TextMarshaler]()
	textUnmarshalerType   = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// structPlan is what the scanners know of one struct type. It is built
// once per type (planFor) and read-only afterwards.
type structPlan struct {
	typ    reflect.Type
	fields []structField  // in the struct's order, embedded fields in place
	byName map[string]int // Redis name → index in fields
	names  []string       // the Redis names, in fields' order
	decErr error          // why the type cannot be read into, or nil
	encErr error          // why the type cannot be written from, or nil
}

// structField is one Redis field of a struct type.
type structField struct {
	name      string       // the Redis field
	path      string       // the Go field, through embedded structs: "Base.ID"
	index     []int        // reflect index path, through embedded structs
	typ       reflect.Type // the Go field's type
	elem      reflect.Type // typ, or what it points to when ptr
	ptr       bool         // typ is a pointer to elem: nil means absent
	dec, enc  conv
	encAddr   bool // the marshaler needs a pointer receiver
	omitEmpty bool
	tagged    bool
}

var structPlans sync.Map // reflect.Type → *structPlan

func planFor(t reflect.Type) *structPlan {
	if p, ok := structPlans.Load(t); ok {
		return p.(*structPlan)
	}
	p, _ := structPlans.LoadOrStore(t, buildPlan(t))
	return p.(*structPlan)
}

func buildPlan(t reflect.Type) *structPlan {
	p := &structPlan{typ: t}
	var all []structField
	if err := collectFields(t, t, nil, "", map[reflect.Type]bool{t: true}, &all); err != nil {
		p.decErr, p.encErr = err, err
		return p
	}
	// Resolve names mapped by more than one field: the shallowest wins,
	// then the tagged one.
	groups := map[string][]int{}
	for i := range all {
		groups[all[i].name] = append(groups[all[i].name], i)
	}
	keep := make([]bool, len(all))
	for name, g := range groups {
		best := g[:0:0]
		for _, i := range g {
			switch {
			case len(best) == 0 || len(all[i].index) < len(all[best[0]].index):
				best = append(best[:0], i)
			case len(all[i].index) == len(all[best[0]].index):
				best = append(best, i)
			}
		}
		if len(best) > 1 {
			var tagged []int
			for _, i := range best {
				if all[i].tagged {
					tagged = append(tagged, i)
				}
			}
			if len(tagged) == 1 {
				best = tagged
			}
		}
		if len(best) > 1 {
			err := fmt.Errorf("redis: %s: fields %s and %s both map to the Redis field %q; tag one of them with another name, or redis:\"-\"", typeName(t), all[best[0]].path, all[best[1]].path, name)
			p.decErr, p.encErr = err, err
			return p
		}
		keep[best[0]] = true
	}
	p.byName = make(map[string]int, len(groups))
	for i := range all {
		if !keep[i] {
			continue
		}
		f := all[i]
		p.byName[f.name] = len(p.fields)
		p.fields = append(p.fields, f)
		p.names = append(p.names, f.name)
		if f.dec == convNone && p.decErr == nil {
			p.decErr = unsupported(t, &f, "read into")
		}
		if f.enc == convNone && p.encErr == nil {
			p.encErr = unsupported(t, &f, "written from")
		}
	}
	return p
}

func unsupported(t reflect.Type, f *structField, what string) error {
	return fmt.Errorf("redis: %s.%s (%s) cannot be %s a Redis field: a field must be a string, []byte, number, bool, time.Time, time.Duration, encoding.(Un)Marshaler, or a pointer to one; tag it redis:\"-\" to leave it out", typeName(t), f.path, f.typ, what)
}

// collectFields appends the fields of t (reached from the plan's type top
// through index) to out, flattening embedded structs; visiting holds the
// struct types being flattened, so that a type embedding a pointer to
// itself ends.
func collectFields(top, t reflect.Type, index []int, prefix string, visiting map[reflect.Type]bool, out *[]structField) error {
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag, tagged := sf.Tag.Lookup("redis")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		path := prefix + sf.Name
		if sf.Anonymous && name == "" {
			st := sf.Type
			if st.Kind() == reflect.Pointer {
				st = st.Elem()
			}
			if st.Kind() == reflect.Struct && !isLeaf(st) {
				if opts != "" {
					return fmt.Errorf("redis: %s.%s: options %q on an embedded struct, whose fields are flattened", typeName(top), path, opts)
				}
				if !sf.IsExported() && sf.Type.Kind() == reflect.Pointer {
					continue // a pointer to an unexported type cannot be allocated
				}
				if visiting[st] {
					continue
				}
				visiting[st] = true
				err := collectFields(top, st, append(index[:len(index):len(index)], i), path+".", visiting, out)
				delete(visiting, st)
				if err != nil {
					return err
				}
				continue
			}
		}
		if !sf.IsExported() {
			continue
		}
		f := structField{name: name, path: path, index: append(index[:len(index):len(index)], i), typ: sf.Type, elem: sf.Type, tagged: tagged && name != ""}
		if f.name == "" {
			f.name = sf.Name
		}
		for opts != "" {
			var o string
			o, opts, _ = strings.Cut(opts, ",")
			switch o {
			case "omitempty":
				f.omitEmpty = true
			case "":
			default:
				return fmt.Errorf("redis: %s.%s: unknown option %q in tag redis:%q (the only option is omitempty)", typeName(top), path, o, tag)
			}
		}
		if f.elem.Kind() == reflect.Pointer {
			f.ptr, f.elem = true, f.elem.Elem()
		}
		f.dec = decodeConv(f.elem)
		f.enc, f.encAddr = encodeConv(f.elem)
		*out = append(*out, f)
	}
	return nil
}

// isLeaf reports whether an embedded struct type is one value rather than
// fields to flatten: time.Time, or a type with its own (un)marshaling.
func isLeaf(t reflect.Type) bool {
	if t == timeType {
		return true
	}
	pt := reflect.PointerTo(t)
	for _, i := range []reflect.Type{binaryMarshalerType, binaryUnmarshalerType, textMarshalerType, textUnmarshalerType} {
		if pt.Implements(i) {
			return true
		}
	}
	return false
}

func decodeConv(t reflect.Type) conv {
	switch t {
	case timeType:
		return convTime
	case durationType:
		return convDuration
	}
	pt := reflect.PointerTo(t)
	switch {
	case pt.Implements(binaryUnmarshalerType):
		return convBinary
	case pt.Implements(textUnmarshalerType):
		return convText
	}
	return basicConv(t)
}

func encodeConv(t reflect.Type) (c conv, addr bool) {
	switch t {
	case timeType:
		return convTime, false
	case durationType:
		return convDuration, false
	}
	pt := reflect.PointerTo(t)
	switch {
	case t.Implements(binaryMarshalerType):
		return convBinary, false
	case pt.Implements(binaryMarshalerType):
		return convBinary, true
	case t.Implements(textMarshalerType):
		return convText, false
	case pt.Implements(textMarshalerType):
		return convText, true
	}
	return basicConv(t), false
}

func basicConv(t reflect.Type) conv {
	switch t.Kind() {
	case reflect.String:
		return convString
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return convBytes
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return convInt
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return convUint
	case reflect.Float32, reflect.Float64:
		return convFloat
	case reflect.Bool:
		return convBool
	}
	return convNone
}

// set converts s into the plan's field i of v (a settable struct).
func (p *structPlan) set(v reflect.Value, i int, s string) error {
	f := &p.fields[i]
	fv := v
	for j, x := range f.index {
		if j > 0 && fv.Kind() == reflect.Pointer { // an embedded *struct
			if fv.IsNil() {
				fv.Set(reflect.New(fv.Type().Elem()))
			}
			fv = fv.Elem()
		}
		fv = fv.Field(x)
	}
	var err error
	if f.ptr {
		nv := reflect.New(f.elem)
		if err = decodeValue(nv.Elem(), f.dec, s); err == nil {
			fv.Set(nv)
		}
	} else {
		err = decodeValue(fv, f.dec, s)
	}
	if err != nil {
		return &StructFieldError{Name: f.name, Struct: p.typ, Field: f.path, Type: f.typ, Value: s, Err: err}
	}
	return nil
}

// decodeValue converts s into fv, which is settable and addressable; fv
// is unchanged when s does not parse.
func decodeValue(fv reflect.Value, c conv, s string) error {
	switch c {
	case convString:
		fv.SetString(s)
	case convBytes:
		fv.SetBytes([]byte(s))
	case convInt:
		n, err := strconv.ParseInt(s, 10, fv.Type().Bits())
		if err != nil {
			return err
		}
		fv.SetInt(n)
	case convUint:
		n, err := strconv.ParseUint(s, 10, fv.Type().Bits())
		if err != nil {
			return err
		}
		fv.SetUint(n)
	case convFloat:
		f, err := strconv.ParseFloat(s, fv.Type().Bits())
		if err != nil {
			return err
		}
		fv.SetFloat(f)
	case convBool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return err
		}
		fv.SetBool(b)
	case convDuration:
		d, err := parseDuration(s)
		if err != nil {
			return err
		}
		fv.SetInt(int64(d))
	case convTime:
		t, err := parseTime(s)
		if err != nil {
			return err
		}
		*fv.Addr().Interface().(*time.Time) = t
	case convBinary:
		return fv.Addr().Interface().(encoding.BinaryUnmarshaler).UnmarshalBinary([]byte(s))
	case convText:
		return fv.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s))
	default:
		return errors.New("unsupported type") // the plan refuses such types first
	}
	return nil
}

// isInteger reports whether s is an optional minus sign and digits.
func isInteger(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseDuration reads an integer of nanoseconds, as durations are written,
// or a Go duration ("1m30s").
func parseDuration(s string) (time.Duration, error) {
	if isInteger(s) {
		n, err := strconv.ParseInt(s, 10, 64)
		return time.Duration(n), err
	}
	return time.ParseDuration(s)
}

// parseTime reads RFC 3339 (with or without a fraction of a second), as
// times are written, or an integer of Unix seconds; either must fall in
// the years 0 to 9999, which RFC 3339 can write.
func parseTime(s string) (time.Time, error) {
	if isInteger(s) {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return time.Time{}, err
		}
		t := time.Unix(n, 0)
		if y := t.Year(); y < 0 || y > 9999 {
			return time.Time{}, fmt.Errorf("%s Unix seconds fall outside RFC 3339's years [0,9999]", s)
		}
		return t, nil
	}
	return time.Parse(time.RFC3339Nano, s)
}

// write passes each field of v (a struct of the plan's type) that is to be
// written to emit, with its value as text; val is valid only during the
// call.
func (p *structPlan) write(v reflect.Value, emit func(name string, val []byte)) error {
	var scratch [64]byte
fields:
	for i := range p.fields {
		f := &p.fields[i]
		fv := v
		for j, x := range f.index {
			if j > 0 && fv.Kind() == reflect.Pointer { // an embedded *struct
				if fv.IsNil() {
					continue fields
				}
				fv = fv.Elem()
			}
			fv = fv.Field(x)
		}
		if f.ptr {
			if fv.IsNil() {
				continue
			}
			fv = fv.Elem()
		} else if f.omitEmpty && isEmpty(fv, f.enc) {
			continue
		}
		val, err := encodeValue(scratch[:0], fv, f)
		if err != nil {
			return &StructFieldError{Name: f.name, Struct: p.typ, Field: f.path, Type: f.typ, Write: true, Err: err}
		}
		emit(f.name, val)
	}
	return nil
}

func isEmpty(fv reflect.Value, c conv) bool {
	switch c {
	case convString, convBytes:
		return fv.Len() == 0
	case convTime:
		return timeOf(fv).IsZero()
	}
	return fv.IsZero()
}

func timeOf(fv reflect.Value) time.Time {
	if fv.CanAddr() {
		return *fv.Addr().Interface().(*time.Time)
	}
	return fv.Interface().(time.Time)
}

// encodeValue appends the text of fv to dst, or returns the bytes of a
// []byte field or a marshaler as they are.
func encodeValue(dst []byte, fv reflect.Value, f *structField) ([]byte, error) {
	switch f.enc {
	case convString:
		return append(dst, fv.String()...), nil
	case convBytes:
		return fv.Bytes(), nil
	case convInt, convDuration:
		return strconv.AppendInt(dst, fv.Int(), 10), nil
	case convUint:
		return strconv.AppendUint(dst, fv.Uint(), 10), nil
	case convFloat:
		switch x := fv.Float(); {
		case math.IsInf(x, 1):
			return append(dst, "+inf"...), nil
		case math.IsInf(x, -1):
			return append(dst, "-inf"...), nil
		default:
			return strconv.AppendFloat(dst, x, 'g', -1, fv.Type().Bits()), nil
		}
	case convBool:
		if fv.Bool() {
			return append(dst, '1'), nil
		}
		return append(dst, '0'), nil
	case convTime:
		t := timeOf(fv)
		if y := t.Year(); y < 0 || y > 9999 {
			return nil, fmt.Errorf("year %d outside RFC 3339's range [0,9999]", y)
		}
		return t.AppendFormat(dst, time.RFC3339Nano), nil
	case convBinary:
		return marshaler(fv, f.encAddr).(encoding.BinaryMarshaler).MarshalBinary()
	case convText:
		return marshaler(fv, f.encAddr).(encoding.TextMarshaler).MarshalText()
	}
	return nil, errors.New("unsupported type") // the plan refuses such types first
}

// marshaler returns fv as an interface value that has its marshaling
// method: through its address when it has one (no allocation), a copy's
// address when the method needs a pointer and fv has none.
func marshaler(fv reflect.Value, addr bool) any {
	switch {
	case fv.CanAddr():
		return fv.Addr().Interface()
	case !addr:
		return fv.Interface()
	}
	p := reflect.New(fv.Type())
	p.Elem().Set(fv)
	return p.Interface()
}
