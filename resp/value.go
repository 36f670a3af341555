package resp

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unsafe"
)

// Type is the kind of a RESP value. Its numeric value is the RESP type byte
// that introduces the value on the wire ('+' for a simple string, '*' for an
// array and so on), so Type(b) of a wire prefix byte b is meaningful.
type Type byte

// The RESP2 and RESP3 types. RESP2's null bulk string ($-1) and null array
// (*-1) are read as Null, so a caller sees one kind of null under both
// protocols.
const (
	SimpleString Type = '+'
	SimpleError  Type = '-'
	Integer      Type = ':'
	BulkString   Type = '$'
	Array        Type = '*'
	Null         Type = '_'
	Boolean      Type = '#'
	Double       Type = ','
	BigNumber    Type = '('
	BulkError    Type = '!'
	Verbatim     Type = '='
	Map          Type = '%'
	Set          Type = '~'
	Attribute    Type = '|'
	Push         Type = '>'
)

// String returns the type's name, such as "bulk string".
func (t Type) String() string {
	switch t {
	case SimpleString:
		return "simple string"
	case SimpleError:
		return "simple error"
	case Integer:
		return "integer"
	case BulkString:
		return "bulk string"
	case Array:
		return "array"
	case Null:
		return "null"
	case Boolean:
		return "boolean"
	case Double:
		return "double"
	case BigNumber:
		return "big number"
	case BulkError:
		return "bulk error"
	case Verbatim:
		return "verbatim string"
	case Map:
		return "map"
	case Set:
		return "set"
	case Attribute:
		return "attribute"
	case Push:
		return "push"
	case 0:
		return "none"
	}
	return fmt.Sprintf("type(%q)", byte(t))
}

// Value is one RESP reply. The zero Value has Type 0 and means "no value".
//
// A Value is immutable once read and safe to share between goroutines. Its
// string payload is its own allocation: Bytes returns it without copying, so
// a caller must not modify the returned slice.
type Value struct {
	typ Type
	// frozen marks a value shared by many readers (a client-side cache
	// entry): Bytes returns copies of its payloads. See Freeze.
	frozen bool
	// num is the value of an Integer, Boolean (0/1) or Double (float64
	// bits), and otherwise the length of the payload at ptr.
	num uint64
	// ptr is the first byte of the payload of a SimpleString, SimpleError,
	// BulkString, BulkError, Verbatim (with its "fmt:" prefix) or
	// BigNumber, or the first element of an Array, Set, Push or Map (key,
	// value, key, value...). It is never nil for those types, and nil for
	// the others. One pointer and a length instead of a []byte and a
	// []Value keep a Value at 32 bytes (it was 88): replies are slices of
	// Values, so this is most of what a large reply costs.
	ptr unsafe.Pointer
	// attrs holds the RESP3 attributes sent before this value, as key,
	// value pairs; nil when there were none (nearly always).
	attrs *[]Value
}

// noPayload is where ptr points for an empty payload or aggregate, so that
// ptr is never nil for the types that have one and never points past the
// end of an allocation.
var noPayload [1]uint64

// stringOf returns a string-like Value of type t whose payload is b (not
// copied).
func stringOf(t Type, b []byte) Value {
	if len(b) == 0 {
		return Value{typ: t, ptr: unsafe.Pointer(&noPayload)}
	}
	return Value{typ: t, num: uint64(len(b)), ptr: unsafe.Pointer(unsafe.SliceData(b))}
}

// aggregateOf returns an aggregate Value of type t holding elems (not
// copied).
func aggregateOf(t Type, elems []Value) Value {
	if len(elems) == 0 {
		return Value{typ: t, ptr: unsafe.Pointer(&noPayload)}
	}
	return Value{typ: t, num: uint64(len(elems)), ptr: unsafe.Pointer(unsafe.SliceData(elems))}
}

// str returns the payload of a string-like value (nil for other types). Its
// capacity is its length, so appending to it never writes over a
// neighbour.
func (v Value) str() []byte {
	if v.ptr == nil || v.isAggregate() {
		return nil
	}
	return unsafe.Slice((*byte)(v.ptr), int(v.num))
}

// elems returns the elements of an aggregate (nil for other types).
func (v Value) elems() []Value {
	if v.ptr == nil || !v.isAggregate() {
		return nil
	}
	return unsafe.Slice((*Value)(v.ptr), int(v.num))
}

func (v Value) isAggregate() bool {
	switch v.typ {
	case Array, Set, Push, Map:
		return true
	}
	return false
}

// attrList returns the attributes (nil when there are none).
func (v Value) attrList() []Value {
	if v.attrs == nil {
		return nil
	}
	return *v.attrs
}

// Type returns the value's RESP type.
func (v Value) Type() Type { return v.typ }

// IsNull reports whether v is a null (RESP3 _ or RESP2 $-1 / *-1).
func (v Value) IsNull() bool { return v.typ == Null }

// IsError reports whether v is a simple or bulk error reply.
func (v Value) IsError() bool { return v.typ == SimpleError || v.typ == BulkError }

// Err returns the server error v carries as an *Error, or nil when v is not
// an error reply.
func (v Value) Err() error {
	if !v.IsError() {
		return nil
	}
	return &Error{Msg: v.String()}
}

// String returns the payload of a string-like value: simple string, bulk
// string, error, verbatim string (without its "txt:" format prefix) or big
// number. For an Integer, Double or Boolean it returns the decimal form; for
// any other type it returns "".
//
// The string shares memory with Bytes: do not modify Bytes' result.
func (v Value) String() string {
	switch v.typ {
	case SimpleString, SimpleError, BulkString, BulkError, BigNumber:
		return unsafe.String((*byte)(v.ptr), int(v.num))
	case Verbatim:
		s := v.str()
		if len(s) >= 4 && s[3] == ':' {
			s = s[4:]
		}
		return unsafe.String(unsafe.SliceData(s), len(s))
	case Integer:
		return strconv.FormatInt(int64(v.num), 10)
	case Double:
		return formatDouble(v.Float())
	case Boolean:
		if v.num != 0 {
			return "true"
		}
		return "false"
	}
	return ""
}

// Bytes returns the payload of a string-like value (see String) without
// copying. The caller must not modify the returned slice. It is nil for
// other types.
func (v Value) Bytes() []byte {
	if v.frozen {
		if b := v.bytes(); b != nil {
			return append(make([]byte, 0, len(b)), b...)
		}
		return nil
	}
	return v.bytes()
}

// bytes is Bytes without the copy of a frozen value.
func (v Value) bytes() []byte {
	switch v.typ {
	case SimpleString, SimpleError, BulkString, BulkError, BigNumber:
		return v.str()
	case Verbatim:
		s := v.str()
		if len(s) >= 4 && s[3] == ':' {
			return s[4:]
		}
		return s
	}
	return nil
}

// VerbatimFormat returns the three-letter format of a verbatim string
// ("txt" or "mkd"), or "" for any other value.
func (v Value) VerbatimFormat() string {
	if s := v.str(); v.typ == Verbatim && len(s) >= 4 && s[3] == ':' {
		return string(s[:3])
	}
	return ""
}

// Int returns the value of an Integer. For any other type it returns 0.
func (v Value) Int() int64 {
	if v.typ == Integer {
		return int64(v.num)
	}
	return 0
}

// Float returns the value of a Double. For any other type it returns 0.
func (v Value) Float() float64 {
	if v.typ == Double {
		return math.Float64frombits(v.num)
	}
	return 0
}

// Bool returns the value of a Boolean. For any other type it returns false.
func (v Value) Bool() bool { return v.typ == Boolean && v.num != 0 }

// Len returns the number of elements of an Array, Set or Push, the number of
// pairs of a Map, the payload length of a string-like value, and 0 otherwise.
func (v Value) Len() int {
	switch v.typ {
	case Array, Set, Push:
		return int(v.num)
	case Map:
		return int(v.num) / 2
	}
	return len(v.bytes())
}

// Elems returns the elements of an Array, Set or Push, or a Map's keys and
// values interleaved (key, value, key, value, ...). It returns the value's
// own slice: do not modify it. It is nil for other types.
func (v Value) Elems() []Value {
	switch v.typ {
	case Array, Set, Push, Map:
		return v.elems()
	}
	return nil
}

// Attrs returns the RESP3 attributes the server sent ahead of this value, as
// key, value pairs interleaved, or nil when there were none. It returns the
// value's own slice: do not modify it.
func (v Value) Attrs() []Value { return v.attrList() }

// WithAttrs returns a copy of v carrying the given attributes (key, value
// pairs interleaved). It is meant for tests and servers written in Go.
func (v Value) WithAttrs(kv ...Value) Value {
	v.attrs = nil
	if len(kv) > 0 {
		v.attrs = &kv
	}
	return v
}

// BigInt returns the decimal digits of a BigNumber, or "" for other types.
func (v Value) BigInt() string {
	if v.typ == BigNumber {
		return string(v.str())
	}
	return ""
}

// GoString returns a debugging representation of v, as fmt's %#v prints.
func (v Value) GoString() string {
	var sb strings.Builder
	v.format(&sb)
	return sb.String()
}

func (v Value) format(sb *strings.Builder) {
	if attrs := v.attrList(); len(attrs) > 0 {
		sb.WriteString("|")
		aggregateOf(Map, attrs).format(sb)
		sb.WriteString(" ")
	}
	switch v.typ {
	case Array, Set, Push, Map:
		open, closing := "[", "]"
		switch v.typ {
		case Set:
			open, closing = "~{", "}"
		case Push:
			open = ">["
		case Map:
			open, closing = "{", "}"
		}
		sb.WriteString(open)
		for i, e := range v.elems() {
			if i > 0 {
				if v.typ == Map && i%2 == 1 {
					sb.WriteString(": ")
				} else {
					sb.WriteString(", ")
				}
			}
			e.format(sb)
		}
		sb.WriteString(closing)
	case Null:
		sb.WriteString("nil")
	case SimpleError, BulkError:
		sb.WriteString("(error) ")
		sb.WriteString(v.String())
	case BulkString, SimpleString, Verbatim:
		sb.WriteString(strconv.Quote(v.String()))
	case 0:
		sb.WriteString("<none>")
	default:
		sb.WriteString(v.String())
	}
}

// Constructors, for tests and for code that builds replies.

// StringValue returns a BulkString holding s.
func StringValue(s string) Value { return stringOf(BulkString, []byte(s)) }

// BytesValue returns a BulkString holding b (not copied).
func BytesValue(b []byte) Value { return stringOf(BulkString, b) }

// SimpleStringValue returns a SimpleString holding s.
func SimpleStringValue(s string) Value { return stringOf(SimpleString, []byte(s)) }

// ErrorValue returns a SimpleError holding msg, such as "ERR unknown".
func ErrorValue(msg string) Value { return stringOf(SimpleError, []byte(msg)) }

// IntValue returns an Integer.
func IntValue(n int64) Value { return Value{typ: Integer, num: uint64(n)} }

// FloatValue returns a Double.
func FloatValue(f float64) Value { return Value{typ: Double, num: math.Float64bits(f)} }

// BoolValue returns a Boolean.
func BoolValue(b bool) Value {
	if b {
		return Value{typ: Boolean, num: 1}
	}
	return Value{typ: Boolean}
}

// NullValue returns a Null.
func NullValue() Value { return Value{typ: Null} }

// ArrayValue returns an Array of elems (not copied).
func ArrayValue(elems ...Value) Value { return aggregateOf(Array, elems) }

// MapValue returns a Map from interleaved keys and values (not copied).
// It panics if len(kv) is odd, which is a programming error.
func MapValue(kv ...Value) Value {
	if len(kv)%2 != 0 {
		panic("resp: MapValue needs an even number of values")
	}
	return aggregateOf(Map, kv)
}

// Error is an error reply sent by the server, such as
// "WRONGTYPE Operation against a key holding the wrong kind of value".
type Error struct {
	// Msg is the whole error line as the server sent it.
	Msg string
}

// Error returns the server's message.
func (e *Error) Error() string { return e.Msg }

// Code returns the error's code: its first word when that word is in upper
// case (ERR, WRONGTYPE, MOVED, NOSCRIPT, ...), otherwise "".
func (e *Error) Code() string { return errorCode(e.Msg) }

// Is reports whether target is an *Error with the same code, so that
// errors.Is(err, &resp.Error{Msg: "NOSCRIPT"}) matches any NOSCRIPT reply.
// A target without a code matches only the same message.
func (e *Error) Is(target error) bool {
	var t *Error
	if !errors.As(target, &t) || t == nil {
		return false
	}
	if c := t.Code(); c != "" {
		return c == e.Code()
	}
	return t.Msg == e.Msg
}

func errorCode(msg string) string {
	end := strings.IndexByte(msg, ' ')
	if end < 0 {
		end = len(msg)
	}
	code := msg[:end]
	if code == "" {
		return ""
	}
	for i := 0; i < len(code); i++ {
		c := code[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return ""
		}
	}
	return code
}

func formatDouble(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// Clone returns a deep copy of v that shares no memory with it: its
// payloads in one new allocation and its nested values in another. A
// value kept for long (a cache entry) should be a clone, so that it does
// not keep alive the allocations it shared with the rest of its reply.
func (v Value) Clone() Value {
	values, bytes := v.footprint()
	c := cloner{vals: make([]Value, 0, values-1), buf: make([]byte, 0, bytes)}
	return c.clone(v)
}

// Freeze returns a deep copy of v, as Clone does, that many readers may
// share with no one able to change what the others see: Bytes of the copy
// and of every value nested in it returns a new copy of the payload each
// time, so String, which shares the payload without copying, is safe to
// keep. A client-side cache hands frozen values out. Clone of a frozen
// value is an ordinary one.
func (v Value) Freeze() Value {
	values, bytes := v.footprint()
	c := cloner{vals: make([]Value, 0, values-1), buf: make([]byte, 0, bytes), frozen: true}
	return c.clone(v)
}

// Frozen reports whether v came from Freeze.
func (v Value) Frozen() bool { return v.frozen }

// Size returns the bytes v holds: its payloads and 32 bytes per value,
// nested ones and attributes included. It is what Clone allocates.
func (v Value) Size() int64 {
	values, bytes := v.footprint()
	return int64(values)*int64(unsafe.Sizeof(Value{})) + int64(bytes)
}

// footprint counts the values (v included) and payload bytes of v.
func (v Value) footprint() (values, bytes int) {
	values = 1
	if !v.isAggregate() {
		bytes = len(v.str())
	}
	for _, e := range v.elems() {
		n, b := e.footprint()
		values, bytes = values+n, bytes+b
	}
	for _, a := range v.attrList() {
		n, b := a.footprint()
		values, bytes = values+n, bytes+b
	}
	return values, bytes
}

type cloner struct {
	vals   []Value
	buf    []byte
	frozen bool // the copies are frozen
}

func (c *cloner) clone(v Value) Value {
	out := Value{typ: v.typ, num: v.num}
	switch {
	case v.isAggregate():
		elems := v.elems()
		start := len(c.vals)
		c.vals = c.vals[:start+len(elems)]
		for i, e := range elems {
			c.vals[start+i] = c.clone(e)
		}
		out = aggregateOf(v.typ, c.vals[start:start+len(elems):start+len(elems)])
	case v.ptr != nil:
		s := v.str()
		start := len(c.buf)
		c.buf = append(c.buf, s...)
		out = stringOf(v.typ, c.buf[start:len(c.buf):len(c.buf)])
	}
	if attrs := v.attrList(); len(attrs) > 0 {
		start := len(c.vals)
		c.vals = c.vals[:start+len(attrs)]
		for i, a := range attrs {
			c.vals[start+i] = c.clone(a)
		}
		kv := c.vals[start : start+len(attrs) : start+len(attrs)]
		out.attrs = &kv
	}
	out.frozen = c.frozen
	return out
}
