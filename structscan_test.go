package redis_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/big"
	"net/netip"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/respkit/redis"
)

// point is written in a binary form of its own (value receiver), read
// through a pointer receiver.
type point struct{ X, Y int32 }

func (p point) MarshalBinary() ([]byte, error) {
	b := make([]byte, 8)
	binary.BigEndian.PutUint32(b, uint32(p.X))
	binary.BigEndian.PutUint32(b[4:], uint32(p.Y))
	return b, nil
}

func (p *point) UnmarshalBinary(b []byte) error {
	if len(b) != 8 {
		return fmt.Errorf("point: %d bytes, want 8", len(b))
	}
	p.X, p.Y = int32(binary.BigEndian.Uint32(b)), int32(binary.BigEndian.Uint32(b[4:]))
	return nil
}

// tagList is text with marshalers on the pointer only.
type tagList []string

func (l *tagList) MarshalText() ([]byte, error) { return []byte(strings.Join(*l, "|")), nil }
func (l *tagList) UnmarshalText(b []byte) error {
	*l = strings.Split(string(b), "|")
	return nil
}

// level is a named integer: read and written as its kind.
type level int16

// status is a named string.
type status string

type ssBase struct {
	ID string `redis:"id"`
}

type Audit struct {
	Created time.Time `redis:"created"`
	By      *string   `redis:"by"`
}

// kitchen has a field of every supported kind.
type kitchen struct {
	ssBase // unexported, embedded: flattened
	*Audit // embedded pointer: flattened

	Name  string  `redis:"name"`
	Blob  []byte  `redis:"blob"`
	I     int     `redis:"i"`
	I8    int8    `redis:"i8"`
	I16   int16   `redis:"i16"`
	I32   int32   `redis:"i32"`
	I64   int64   `redis:"i64"`
	U     uint    `redis:"u"`
	U8    uint8   `redis:"u8"`
	U16   uint16  `redis:"u16"`
	U32   uint32  `redis:"u32"`
	U64   uint64  `redis:"u64"`
	F32   float32 `redis:"f32"`
	F64   float64 `redis:"f64"`
	Inf   float64 `redis:"inf"`
	OK    bool    `redis:"ok"`
	Level level   `redis:"level"`
	State status  `redis:"state"`

	TTL   time.Duration `redis:"ttl"`
	At    time.Time     `redis:"at"`
	Where point         `redis:"where"`
	IP    netip.Addr    `redis:"ip"`
	Tags  tagList       `redis:"tags"`
	Big   *big.Int      `redis:"big"`

	Nick  *string  `redis:"nick"`
	Score *float64 `redis:"score"`
	Gone  *int     `redis:"gone"` // nil: never written
	Note  string   `redis:"note,omitempty"`
	Email string   // untagged: "Email"

	Skip   string `redis:"-"`
	hidden string
}

func ptr[T any](v T) *T { return &v }

func fullKitchen() kitchen {
	b, _ := new(big.Int).SetString("123456789012345678901234567890", 10)
	return kitchen{
		ssBase: ssBase{ID: "k1"},
		Audit:  &Audit{Created: time.Date(2024, 2, 29, 12, 0, 0, 0, time.UTC), By: ptr("ann")},
		Name:   "Ann \x00 Lee",
		Blob:   []byte{0, 1, 2, 0xff},
		I:      -1 << 40, I8: math.MinInt8, I16: math.MaxInt16, I32: math.MinInt32, I64: math.MaxInt64,
		U: 1 << 63, U8: math.MaxUint8, U16: 7, U32: math.MaxUint32, U64: math.MaxUint64,
		F32: 0.1, F64: -1.0 / 3, Inf: math.Inf(-1),
		OK: true, Level: -3, State: "active",
		TTL:   1500 * time.Millisecond,
		At:    time.Date(2025, 1, 2, 3, 4, 5, 123456789, time.UTC),
		Where: point{-1, 2},
		IP:    netip.MustParseAddr("2001:db8::1"),
		Tags:  tagList{"a", "b"},
		Big:   b,
		Nick:  ptr(""), Score: ptr(2.5),
		Email: "ann@example.com",
	}
}

// wantKitchen is what reading fullKitchen back gives: the fields that are
// never written are zero.
func wantKitchen() kitchen {
	k := fullKitchen()
	k.Skip, k.hidden = "", ""
	return k
}

// The fields fullKitchen writes, as text.
var kitchenFields = map[string]string{
	"id": "k1", "created": "2024-02-29T12:00:00Z", "by": "ann",
	"name": "Ann \x00 Lee", "blob": "\x00\x01\x02\xff",
	"i": "-1099511627776", "i8": "-128", "i16": "32767", "i32": "-2147483648", "i64": "9223372036854775807",
	"u": "9223372036854775808", "u8": "255", "u16": "7", "u32": "4294967295", "u64": "18446744073709551615",
	"f32": "0.1", "f64": "-0.3333333333333333", "inf": "-inf",
	"ok": "1", "level": "-3", "state": "active",
	"ttl": "1500000000", "at": "2025-01-02T03:04:05.123456789Z",
	"where": "\xff\xff\xff\xff\x00\x00\x00\x02",
	"ip":    string(must(netip.MustParseAddr("2001:db8::1").MarshalBinary())),
	"tags":  "a|b", "big": "123456789012345678901234567890",
	"nick": "", "score": "2.5", "Email": "ann@example.com",
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestStructFieldsWrite(t *testing.T) {
	k := fullKitchen()
	k.Skip, k.hidden = "not written", "not written"
	for _, v := range []any{k, &k} {
		fields, err := redis.StructFields(v)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		var order []string
		for _, f := range fields {
			s, ok := f.Value.(string)
			if !ok {
				t.Fatalf("field %s: value %T, want a string", f.Field, f.Value)
			}
			got[f.Field] = s
			order = append(order, f.Field)
		}
		collEq(t, "StructFields", got, kitchenFields)
		// The struct's order, embedded fields in place.
		if strings.Join(order[:4], ",") != "id,created,by,name" || order[len(order)-1] != "Email" {
			t.Fatalf("order %q", order)
		}
	}
	// Nil pointers (field or embedded) and omitempty leave fields out.
	var k2 kitchen
	fields, err := redis.StructFields(k2)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fields {
		switch f.Field {
		case "created", "by", "nick", "score", "gone", "note", "big":
			t.Errorf("zero kitchen writes %s = %q", f.Field, f.Value)
		}
	}
	k2.Note = "x"
	if fields, _ := redis.StructFields(k2); fields[len(fields)-2].Field != "note" {
		t.Errorf("a non-empty omitempty field is not written: %v", fields)
	}
	// XADD values: the same.
	xv, err := redis.StructXValues(&k)
	if err != nil || len(xv) != len(kitchenFields) || xv[0] != (redis.XValue{Name: "id", Value: "k1"}) {
		t.Fatalf("StructXValues = %v, %v", xv, err)
	}
}

func TestStructScanRead(t *testing.T) {
	var got kitchen
	if err := redis.ScanStruct(&got, kitchenFields); err != nil {
		t.Fatal(err)
	}
	collEq(t, "ScanStruct", got, wantKitchen())

	// The other forms a value may be read from.
	var alt kitchen
	err := redis.ScanStruct(&alt, map[string]string{
		"ok": "true", "at": "1700000000", "ttl": "1m30s", "inf": "+Inf", "f64": "1e3", "created": "2024-02-29T12:00:00.5+02:00", "extra": "ignored",
	})
	if err != nil {
		t.Fatal(err)
	}
	if !alt.OK || !alt.At.Equal(time.Unix(1700000000, 0)) || alt.TTL != 90*time.Second || !math.IsInf(alt.Inf, 1) || alt.F64 != 1000 ||
		!alt.Created.Equal(time.Date(2024, 2, 29, 10, 0, 0, 5e8, time.UTC)) {
		t.Fatalf("read %+v", alt)
	}
	// Fields that do not arrive are left as they were; a pointer is
	// replaced, not written through.
	nick := "keep"
	pre := kitchen{Name: "before", Nick: &nick}
	if err := redis.ScanStruct(&pre, map[string]string{"nick": "new"}); err != nil {
		t.Fatal(err)
	}
	if pre.Name != "before" || *pre.Nick != "new" || nick != "keep" {
		t.Fatalf("pre = %+v, nick %q", pre, nick)
	}
	// HashStruct: to a value, to a pointer, errors passed through.
	if k, err := redis.HashStruct[kitchen](kitchenFields, nil); err != nil || !reflect.DeepEqual(k, wantKitchen()) {
		t.Fatalf("HashStruct = %+v, %v", k, err)
	}
	if k, err := redis.HashStruct[*kitchen](kitchenFields, nil); err != nil || !reflect.DeepEqual(*k, wantKitchen()) {
		t.Fatalf("HashStruct[*T] = %+v, %v", k, err)
	}
	boom := errors.New("boom")
	if _, err := redis.HashStruct[kitchen](nil, boom); err != boom {
		t.Fatalf("HashStruct with an error: %v", err)
	}
	if k, err := redis.HashStruct[*kitchen](map[string]string{}, nil); !errors.Is(err, redis.ErrNil) || k != nil {
		t.Fatalf("HashStruct of an empty map: %v, %v", k, err)
	}
	if _, err := redis.HashStruct[int](kitchenFields, nil); err == nil {
		t.Fatal("HashStruct[int] succeeded")
	}
}

func TestStructScanNil(t *testing.T) {
	k := kitchen{Name: "unchanged"}
	if err := redis.ScanStruct(&k, nil); !errors.Is(err, redis.ErrNil) {
		t.Fatalf("ScanStruct(empty) = %v, want ErrNil", err)
	}
	if err := redis.ScanStructValues(&k, []string{"name", "i"}, []redis.Null[string]{{}, {}}); !errors.Is(err, redis.ErrNil) {
		t.Fatalf("ScanStructValues(all null) = %v, want ErrNil", err)
	}
	if err := (redis.XMessage{ID: "1-0"}).Scan(&k); !errors.Is(err, redis.ErrNil) {
		t.Fatalf("Scan of a deleted entry = %v, want ErrNil", err)
	}
	if err := redis.ScanStructSeq(&k, nil); !errors.Is(err, redis.ErrNil) {
		t.Fatalf("ScanStructSeq(nil) = %v, want ErrNil", err)
	}
	if k.Name != "unchanged" {
		t.Fatalf("dst changed: %+v", k)
	}
	// Fields present but none mapped: not ErrNil, nothing changes.
	if err := redis.ScanStruct(&k, map[string]string{"other": "1"}); err != nil || k.Name != "unchanged" {
		t.Fatalf("ScanStruct of unmapped fields = %v, %+v", err, k)
	}
	if err := redis.ScanStructValues(&k, []string{"a"}, nil); err == nil {
		t.Fatal("ScanStructValues with mismatched lengths succeeded")
	}
}

// User is the struct of the error tests: the errors name it.
type User struct {
	Name string     `redis:"name"`
	Age  int        `redis:"age"`
	Seen time.Time  `redis:"seen"`
	IP   netip.Addr `redis:"ip"`
	Flag *bool      `redis:"flag"`
}

func TestStructScanErrors(t *testing.T) {
	for _, tc := range []struct {
		fields map[string]string
		want   string
		field  string
	}{
		{map[string]string{"age": "x"}, `redis: field "age" into User.Age (int): strconv.ParseInt: parsing "x": invalid syntax`, "Age"},
		{map[string]string{"age": "99999999999999999999"}, `redis: field "age" into User.Age (int): strconv.ParseInt: parsing "99999999999999999999": value out of range`, "Age"},
		{map[string]string{"seen": "yesterday"}, `redis: field "seen" into User.Seen (time.Time): parsing time "yesterday" as "2006-01-02T15:04:05.999999999Z07:00": cannot parse "yesterday" as "2006"`, "Seen"},
		{map[string]string{"ip": "zz"}, `redis: field "ip" into User.IP (netip.Addr): value "zz": unexpected slice size`, "IP"},
		{map[string]string{"flag": "maybe"}, `redis: field "flag" into User.Flag (*bool): strconv.ParseBool: parsing "maybe": invalid syntax`, "Flag"},
	} {
		var u User
		err := redis.ScanStruct(&u, tc.fields)
		var fe *redis.StructFieldError
		if !errors.As(err, &fe) || fe.Field != tc.field || fe.Struct != reflect.TypeFor[User]() {
			t.Fatalf("%v: err = %v, want a *StructFieldError for %s", tc.fields, err, tc.field)
		}
		if strings.Contains(tc.want, "netip") {
			// netip's message is its own: check ours around it.
			if !strings.HasPrefix(err.Error(), `redis: field "ip" into User.IP (netip.Addr): value "zz": `) {
				t.Fatalf("err = %q", err)
			}
		} else if err.Error() != tc.want {
			t.Fatalf("err = %q\nwant  %q", err, tc.want)
		}
		if u.Flag != nil {
			t.Fatal("a pointer was set for a value that did not convert")
		}
	}
	var ne *strconv.NumError
	if err := redis.ScanStruct(&User{}, map[string]string{"age": ""}); !errors.As(err, &ne) {
		t.Fatalf("Unwrap: %v", err)
	}
	// A long value is cut short in the message.
	var rj struct {
		R rejecter `redis:"r"`
	}
	err := redis.ScanStruct(&rj, map[string]string{"r": strings.Repeat("z", 1000)})
	if err == nil || len(err.Error()) > 200 || !strings.HasSuffix(err.Error(), `zzz...": no`) {
		t.Fatalf("err = %q", err)
	}
	// Writing: a marshaler that fails.
	_, err = redis.StructFields(struct {
		B badMarshaler `redis:"b"`
	}{})
	var fe *redis.StructFieldError
	if !errors.As(err, &fe) || !fe.Write || err.Error() != `redis: struct { B redis_test.badMarshaler "redis:\"b\"" }.B (redis_test.badMarshaler) to field "b": no text` {
		t.Fatalf("write error: %v", err)
	}
	wantBuildError(t, redis.HSetStruct("k", struct {
		B badMarshaler `redis:"b"`
	}{}), "no text")
}

type rejecter struct{}

func (*rejecter) UnmarshalText([]byte) error { return errors.New("no") }

type badMarshaler struct{}

func (badMarshaler) MarshalText() ([]byte, error) { return nil, errors.New("no text") }

func TestStructScanBadTypes(t *testing.T) {
	// Destinations that are not a non-nil pointer to a struct.
	var nilUser *User
	n := 0
	for _, dst := range []any{nil, User{}, &n, nilUser, new(*User), new([]User)} {
		if err := redis.ScanStruct(dst, map[string]string{"name": "x"}); err == nil || !strings.Contains(err.Error(), "non-nil pointer to a struct") {
			t.Errorf("ScanStruct(%T) = %v", dst, err)
		}
		if err := redis.ScanStructValues(dst, []string{"name"}, []redis.Null[string]{{V: "x", Valid: true}}); err == nil {
			t.Errorf("ScanStructValues(%T) succeeded", dst)
		}
		if err := redis.ScanStructSeq(dst, nil); err == nil || errors.Is(err, redis.ErrNil) {
			t.Errorf("ScanStructSeq(%T) = %v", dst, err)
		}
	}
	for _, v := range []any{nil, 3, nilUser, &n, []User{}} {
		if _, err := redis.StructFields(v); err == nil {
			t.Errorf("StructFields(%T) succeeded", v)
		}
		wantBuildError(t, redis.HSetStruct("k", v), "want a struct")
	}
	if _, err := redis.StructFieldNames(3); err == nil {
		t.Error("StructFieldNames(3) succeeded")
	}
	if names, err := redis.StructFieldNames(nilUser); err != nil || strings.Join(names, ",") != "name,age,seen,ip,flag" {
		t.Errorf("StructFieldNames = %q, %v", names, err)
	}
	wantBuildError(t, redis.HSetStruct("k", struct{ A *int }{}), "no field to set")

	// Struct types that cannot be used, named in the error.
	for _, tc := range []struct {
		v    any
		want []string
	}{
		{&struct{ M map[string]string }{}, []string{".M (map[string]string)", `redis:"-"`}},
		{&struct{ S []int }{}, []string{".S ([]int)"}},
		{&struct{ P **int }{}, []string{".P (**int)"}},
		{&struct{ I any }{}, []string{".I (interface {})"}},
		{&struct{ N struct{ A int } }{}, []string{".N (struct { A int })"}},
		{&struct {
			A int `redis:"a,omitempy"`
		}{}, []string{`unknown option "omitempy"`}},
		{&struct {
			ssBase `redis:",omitempty"`
		}{}, []string{"embedded struct"}},
		{&struct {
			A int `redis:"x"`
			B int `redis:"x"`
		}{}, []string{"A and B", `"x"`}},
		{&struct {
			ssBase
			Other struct{ ID string } `redis:"-"`
			ssAlsoID
		}{}, []string{"ssBase.ID and ssAlsoID.ID", `"id"`}},
	} {
		err := redis.ScanStruct(tc.v, map[string]string{"x": "1"})
		_, err2 := redis.StructFields(tc.v)
		for _, e := range []error{err, err2} {
			if e == nil {
				t.Errorf("%T: no error", tc.v)
				continue
			}
			for _, w := range tc.want {
				if !strings.Contains(e.Error(), w) {
					t.Errorf("%T: error %q does not mention %q", tc.v, e, w)
				}
			}
		}
	}
	// Tagged "-", the same fields are fine.
	ok := struct {
		M map[string]string `redis:"-"`
		A int               `redis:"a"`
	}{}
	if err := redis.ScanStruct(&ok, map[string]string{"a": "1", "M": "x"}); err != nil || ok.A != 1 {
		t.Fatalf("ScanStruct = %v, %+v", err, ok)
	}
	// A type that can only be read, or only written.
	ro := struct {
		R readOnly `redis:"r"`
	}{}
	if err := redis.ScanStruct(&ro, map[string]string{"r": "x"}); err != nil || ro.R.s != "x" {
		t.Fatalf("read-only type: %v, %+v", err, ro)
	}
	if _, err := redis.StructFields(ro); err == nil || !strings.Contains(err.Error(), "cannot be written") {
		t.Fatalf("writing a read-only type: %v", err)
	}
}

type readOnly struct{ s string }

func (r *readOnly) UnmarshalText(b []byte) error { r.s = string(b); return nil }

type ssAlsoID struct {
	ID string `redis:"id"`
}

type ssNode struct {
	*ssNode
	V int `redis:"v"`
}

func TestStructScanEmbedding(t *testing.T) {
	// The shallower field wins; at the same depth, the tagged one.
	type inner struct {
		Name string `redis:"name"`
		X    int    `redis:"x"`
		Y    int
	}
	type outer struct {
		inner
		Name string `redis:"name"`
		Y    int    `redis:"Y"`
	}
	var o outer
	if err := redis.ScanStruct(&o, map[string]string{"name": "outer", "x": "1", "Y": "2"}); err != nil {
		t.Fatal(err)
	}
	if o.Name != "outer" || o.inner.Name != "" || o.X != 1 || o.Y != 2 || o.inner.Y != 0 {
		t.Fatalf("o = %+v", o)
	}
	type tagWins struct {
		ssBase
		Other struct {
			ID string `redis:"ident"`
		} `redis:"-"`
		ssAlso
	}
	var tw tagWins
	if err := redis.ScanStruct(&tw, map[string]string{"id": "1"}); err != nil || tw.ssBase.ID != "1" {
		t.Fatalf("tagged field at the same depth: %v, %+v", err, tw)
	}
	// A type embedding a pointer to itself.
	var n ssNode
	if err := redis.ScanStruct(&n, map[string]string{"v": "7"}); err != nil || n.V != 7 || n.ssNode != nil {
		t.Fatalf("self-embedding: %v, %+v", err, n)
	}
	if names, _ := redis.StructFieldNames(n); len(names) != 1 {
		t.Fatalf("self-embedding names %q", names)
	}
	// An embedded nil pointer: allocated when one of its fields arrives,
	// left nil otherwise.
	var k kitchen
	if err := redis.ScanStruct(&k, map[string]string{"name": "n"}); err != nil || k.Audit != nil {
		t.Fatalf("k = %+v, %v", k, err)
	}
	if err := redis.ScanStruct(&k, map[string]string{"by": "me"}); err != nil || k.Audit == nil || *k.By != "me" {
		t.Fatalf("k = %+v, %v", k, err)
	}
}

func TestStructScanTimeRange(t *testing.T) {
	var u User
	if err := redis.ScanStruct(&u, map[string]string{"seen": "-99999999999999999"}); err == nil || !strings.Contains(err.Error(), "[0,9999]") {
		t.Fatalf("Unix time out of range: %v", err)
	}
	u.Seen = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := redis.StructFields(u); err == nil || !strings.Contains(err.Error(), `User.Seen (time.Time) to field "seen": year 10000`) {
		t.Fatalf("writing year 10000: %v", err)
	}
	// An embedded pointer to an unexported struct type is left out.
	type hidden struct {
		*ssBase
		A int `redis:"a"`
	}
	if names, err := redis.StructFieldNames(hidden{}); err != nil || strings.Join(names, ",") != "a" {
		t.Fatalf("names %q, %v", names, err)
	}
}

// ssAlso has an untagged ID: the tagged ssBase.ID wins over it.
type ssAlso struct{ ID string }

func TestStructScanValuesAndSeq(t *testing.T) {
	var u User
	err := redis.ScanStructValues(&u, []string{"name", "unknown", "age", "seen"},
		[]redis.Null[string]{{V: "ann", Valid: true}, {V: "x", Valid: true}, {}, {V: "0", Valid: true}})
	if err != nil || u.Name != "ann" || u.Age != 0 || !u.Seen.Equal(time.Unix(0, 0)) {
		t.Fatalf("ScanStructValues = %v, %+v", err, u)
	}
	// Repeated stream fields: the last wins, as in XMessage.Map.
	m := redis.XMessage{ID: "1-1", Fields: []redis.XField{{Name: "age", Value: "1"}, {Name: "name", Value: "a"}, {Name: "age", Value: "2"}}}
	var v User
	if err := m.Scan(&v); err != nil || v.Age != 2 || v.Name != "a" {
		t.Fatalf("XMessage.Scan = %v, %+v", err, v)
	}
	// A bad value stops the scan.
	m.Fields = append(m.Fields, redis.XField{Name: "flag", Value: "?"}, redis.XField{Name: "name", Value: "later"})
	if err := m.Scan(&v); err == nil || v.Name != "a" {
		t.Fatalf("XMessage.Scan of a bad value = %v, %+v", err, v)
	}
}

func TestStructScanConcurrent(t *testing.T) {
	// Plans are built once and shared; -race checks the cache.
	type fresh struct {
		A int    `redis:"a"`
		B string `redis:"b"`
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 100 {
				var f fresh
				if err := redis.ScanStruct(&f, map[string]string{"a": strconv.Itoa(i * j), "b": "x"}); err != nil || f.A != i*j {
					t.Errorf("ScanStruct = %v, %+v", err, f)
					return
				}
				if _, err := redis.StructFields(f); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestHSetStructEncoding(t *testing.T) {
	type small struct {
		Name  string    `redis:"name"`
		Age   int       `redis:"age,omitempty"`
		Nick  *string   `redis:"nick"`
		Since time.Time `redis:"since"`
	}
	s := small{Name: "ann", Since: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	wantArgs(t, redis.HSetStruct("u", s), "HSET", "u", "name", "ann", "since", "2025-01-01T00:00:00Z")
	s.Age, s.Nick = 40, ptr("a")
	wantArgs(t, redis.HSetStruct("u", &s), "HSET", "u", "name", "ann", "age", "40", "nick", "a", "since", "2025-01-01T00:00:00Z")
}

// TestStructRoundTrip writes structs with HSET and XADD and reads them
// back with HGETALL, HMGET and XRANGE, under RESP2 and RESP3.
func TestStructRoundTrip(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		k := key(t, "kitchen")
		want := wantKitchen()
		in := fullKitchen()
		n, err := c.HSetStruct(ctx, k, in)
		if err != nil || n != int64(len(kitchenFields)) {
			t.Fatalf("HSetStruct = %d, %v", n, err)
		}
		// The server holds exactly the text StructFields gives.
		collEq(t, "HGETALL", coll(c.HGetAll(ctx, k)).ok(t), kitchenFields)

		var got kitchen
		if err := redis.ScanStruct(&got, coll(c.HGetAll(ctx, k)).ok(t)); err != nil {
			t.Fatal(err)
		}
		collEq(t, "HGETALL + ScanStruct", got, want)
		hs, err := redis.HashStruct[kitchen](c.HGetAll(ctx, k))
		if err != nil {
			t.Fatal(err)
		}
		collEq(t, "HashStruct", hs, want)
		var viaGet kitchen
		if err := c.HGetStruct(ctx, k, &viaGet); err != nil {
			t.Fatal(err)
		}
		collEq(t, "HGetStruct", viaGet, want)

		// A pipeline: StructFields into HSet, HMGET of StructFieldNames.
		fields, err := redis.StructFields(&in)
		if err != nil {
			t.Fatal(err)
		}
		names, err := redis.StructFieldNames((*kitchen)(nil))
		if err != nil {
			t.Fatal(err)
		}
		k2 := key(t, "kitchen2")
		k3 := key(t, "kitchen3")
		p := c.Pipeline()
		set := p.HSet(k2, fields...)
		vals := p.HMGet(k2, names...)
		set3 := p.HSetStruct(k3, &in)
		bad := p.HSetStruct(k3, 42) // not a struct: its own error, not sent
		if err := p.Exec(ctx); err == nil {
			t.Fatal("Exec with a bad HSetStruct returned nil")
		}
		if n, err := set.Result(); err != nil || n != int64(len(kitchenFields)) {
			t.Fatalf("pipelined HSET = %d, %v", n, err)
		}
		if n, err := set3.Result(); err != nil || n != int64(len(kitchenFields)) {
			t.Fatalf("pipelined HSetStruct = %d, %v", n, err)
		}
		if err := bad.Err(); err == nil {
			t.Fatal("pipelined HSetStruct of an int: no error")
		}
		if m, err := c.HGetAll(ctx, k3); err != nil || len(m) != len(kitchenFields) {
			t.Fatalf("HGETALL after the pipelined HSetStruct: %d fields, %v", len(m), err)
		}
		var piped kitchen
		if err := redis.ScanStructValues(&piped, names, coll(vals.Result()).ok(t)); err != nil {
			t.Fatal(err)
		}
		collEq(t, "pipelined HMGET + ScanStructValues", piped, want)

		// HMGET of a subset: the other fields are left alone.
		subset := []string{"name", "i64", "missing", "at", "nick"}
		sub := kitchen{Note: "kept"}
		if err := redis.ScanStructValues(&sub, subset, coll(c.HMGet(ctx, k, subset...)).ok(t)); err != nil {
			t.Fatal(err)
		}
		if sub.Name != want.Name || sub.I64 != want.I64 || !sub.At.Equal(want.At) || sub.Nick == nil || *sub.Nick != "" || sub.Note != "kept" || sub.I != 0 || sub.Score != nil {
			t.Fatalf("HMGET subset: %+v", sub)
		}

		// HSetStruct only sets: fields left out are not deleted.
		upd := struct {
			Name string `redis:"name"`
			Age  int    `redis:"age,omitempty"`
		}{Name: "renamed"}
		if n, err := c.HSetStruct(ctx, k, upd); err != nil || n != 0 {
			t.Fatalf("HSetStruct update = %d, %v", n, err)
		}
		if v, err := c.HGet(ctx, k, "i8"); err != nil || v != "-128" {
			t.Fatalf("HGET i8 after the update = %q, %v", v, err)
		}
		if err := c.HGetStruct(ctx, k, &upd); err != nil || upd.Name != "renamed" || upd.Age != 0 {
			t.Fatalf("HGetStruct = %v, %+v", err, upd)
		}

		// Missing keys.
		var none kitchen
		if err := c.HGetStruct(ctx, key(t, "none"), &none); !errors.Is(err, redis.ErrNil) {
			t.Fatalf("HGetStruct of a missing key: %v", err)
		}
		if _, err := redis.HashStruct[kitchen](c.HGetAll(ctx, key(t, "none"))); !errors.Is(err, redis.ErrNil) {
			t.Fatalf("HashStruct of a missing key: %v", err)
		}
		if err := c.HGetStruct(ctx, k, none); err == nil {
			t.Fatal("HGetStruct into a non-pointer succeeded")
		}

		// A value that does not convert: the error names both fields.
		uk := key(t, "user")
		coll(c.HSet(ctx, uk, redis.HashField{Field: "name", Value: "bob"}, redis.HashField{Field: "age", Value: "x"})).ok(t)
		var u User
		err = c.HGetStruct(ctx, uk, &u)
		const wantErr = `redis: field "age" into User.Age (int): strconv.ParseInt: parsing "x": invalid syntax`
		var fe *redis.StructFieldError
		if !errors.As(err, &fe) || err.Error() != wantErr || fe.Name != "age" || fe.Value != "x" {
			t.Fatalf("HGetStruct of a bad value: %v", err)
		}
		if _, err := redis.HashStruct[User](c.HGetAll(ctx, uk)); err == nil || err.Error() != wantErr {
			t.Fatalf("HashStruct of a bad value: %v", err)
		}

		// Streams: XADD from structs, XRANGE, Scan each entry.
		type event struct {
			Kind  string        `redis:"kind"`
			User  int64         `redis:"user"`
			Took  time.Duration `redis:"took"`
			At    time.Time     `redis:"at"`
			Where point         `redis:"where"`
			Extra *string       `redis:"extra"`
		}
		sk := key(t, "events")
		events := []event{
			{Kind: "login", User: 1, Took: 3 * time.Millisecond, At: time.Date(2025, 5, 1, 10, 0, 0, 0, time.UTC), Where: point{1, 2}},
			{Kind: "logout", User: -2, Took: time.Hour, At: time.Date(2025, 5, 1, 11, 0, 0, 1, time.UTC), Extra: ptr("bye")},
		}
		for _, e := range events {
			vals, err := redis.StructXValues(e)
			if err != nil {
				t.Fatal(err)
			}
			coll(c.XAdd(ctx, sk, "*", vals)).ok(t)
		}
		msgs := coll(c.XRange(ctx, sk, "-", "+")).ok(t)
		if len(msgs) != len(events) {
			t.Fatalf("XRANGE: %d entries", len(msgs))
		}
		for i, m := range msgs {
			var e event
			if err := m.Scan(&e); err != nil {
				t.Fatal(err)
			}
			collEq(t, "stream entry "+m.ID, e, events[i])
		}
		// An entry with a bad value.
		coll(c.XAdd(ctx, sk, "*", []redis.XValue{{Name: "kind", Value: "k"}, {Name: "took", Value: "soon"}})).ok(t)
		msgs = coll(c.XRange(ctx, sk, "-", "+")).ok(t)
		var e event
		if err := msgs[len(msgs)-1].Scan(&e); err == nil || !strings.Contains(err.Error(), `field "took" into event.Took (time.Duration)`) || !strings.Contains(err.Error(), `"soon"`) {
			t.Fatalf("Scan of a bad duration: %v", err)
		}
	})
}

// FuzzScanStruct scans arbitrary fields into a struct of every kind: it
// must never panic, and what it reads must write back as text that reads
// back to the same struct.
func FuzzScanStruct(f *testing.F) {
	for name, v := range kitchenFields {
		f.Add(name, v, "i", "1")
	}
	f.Add("at", "-99999999999999999", "ttl", "-1")
	f.Add("ip", "", "where", "12345678")
	f.Add("tags", "|", "f32", "1e39")
	f.Add("big", "-0", "created", "2024-02-29T12:00:00.000000001+14:00")
	f.Fuzz(func(t *testing.T, n1, v1, n2, v2 string) {
		var k kitchen
		m := map[string]string{n1: v1, n2: v2}
		if err := redis.ScanStruct(&k, m); err != nil {
			var fe *redis.StructFieldError
			if !errors.As(err, &fe) || fe.Value != m[fe.Name] {
				t.Fatalf("error %v is not a *StructFieldError naming its value", err)
			}
			return
		}
		// NaN is not equal to itself: compare the written text.
		first, err := redis.StructFields(&k)
		if err != nil {
			return // a time out of RFC 3339's range, say
		}
		back := map[string]string{}
		for _, f := range first {
			back[f.Field] = f.Value.(string)
		}
		var k2 kitchen
		if err := redis.ScanStruct(&k2, back); err != nil {
			t.Fatalf("%v reads %+v, written as %q, which does not read back: %v", m, k, back, err)
		}
		second, err := redis.StructFields(&k2)
		if err != nil || !reflect.DeepEqual(first, second) {
			t.Fatalf("%v: written %q, then %q (%v)", m, first, second, err)
		}
	})
}

// benchUser is a typical record: eight fields of common kinds.
type benchUser struct {
	ID      int64     `redis:"id"`
	Name    string    `redis:"name"`
	Email   string    `redis:"email"`
	Age     int       `redis:"age"`
	Score   float64   `redis:"score"`
	Active  bool      `redis:"active"`
	Created time.Time `redis:"created"`
	Nick    *string   `redis:"nick"`
}

var benchUserFields = map[string]string{
	"id": "1234567", "name": "Ann Lee", "email": "ann@example.com", "age": "42", "score": "98.25",
	"active": "1", "created": "2025-01-02T03:04:05.123456789Z", "nick": "annie", "unmapped": "x",
}

func BenchmarkScanStruct(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		var u benchUser
		if err := redis.ScanStruct(&u, benchUserFields); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkScanStructValues(b *testing.B) {
	names, _ := redis.StructFieldNames((*benchUser)(nil))
	vals := make([]redis.Null[string], len(names))
	for i, n := range names {
		vals[i] = redis.Null[string]{V: benchUserFields[n], Valid: true}
	}
	b.ReportAllocs()
	for b.Loop() {
		var u benchUser
		if err := redis.ScanStructValues(&u, names, vals); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkScanXMessage(b *testing.B) {
	m := redis.XMessage{ID: "1-0"}
	for n, v := range benchUserFields {
		m.Fields = append(m.Fields, redis.XField{Name: n, Value: v})
	}
	b.ReportAllocs()
	for b.Loop() {
		var u benchUser
		if err := m.Scan(&u); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkScanStructSeq(b *testing.B) {
	var pairs [][2]string
	for n, v := range benchUserFields {
		pairs = append(pairs, [2]string{n, v})
	}
	seq := func(yield func(string, string) bool) {
		for _, p := range pairs {
			if !yield(p[0], p[1]) {
				return
			}
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		var u benchUser
		if err := redis.ScanStructSeq(&u, seq); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkStructFields(b *testing.B) {
	var u benchUser
	if err := redis.ScanStruct(&u, benchUserFields); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := redis.StructFields(&u); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHSetStructCommand is the encoding of HSetStruct, as a command
// value (Client.HSetStruct encodes the same into a pooled builder).
func BenchmarkHSetStructCommand(b *testing.B) {
	var u benchUser
	if err := redis.ScanStruct(&u, benchUserFields); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if cmd := redis.HSetStruct("user:1", &u); cmd.Err() != nil {
			b.Fatal(cmd.Err())
		}
	}
}

// BenchmarkHGetStruct is a round trip to a real server: HMGET of the
// struct's fields, scanned.
func BenchmarkHGetStruct(b *testing.B) {
	c, done := benchClient(b)
	defer done()
	ctx := context.Background()
	var u benchUser
	if err := redis.ScanStruct(&u, benchUserFields); err != nil {
		b.Fatal(err)
	}
	if _, err := c.HSetStruct(ctx, "{bench}:hgetstruct", &u); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		var got benchUser
		if err := c.HGetStruct(ctx, "{bench}:hgetstruct", &got); err != nil {
			b.Fatal(err)
		}
	}
}
