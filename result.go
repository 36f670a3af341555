package redis

import (
	"fmt"
	"math"
	"strconv"

	"github.com/respkit/redis/resp"
)

// Result is the outcome of Do: the reply or the error, with accessors that
// convert the reply to a Go type. A null reply reads as ErrNil, a server
// error reply as *Error. Conversions are the same under RESP2 and RESP3:
// a RESP3 map reads like RESP2's flat array of pairs, a RESP3 double like
// RESP2's bulk string holding the number, and so on.
type Result struct {
	val resp.Value
	err error
}

// Err returns the call's error, the server's error for an error reply
// (a *redis.Error), ErrNil for a null reply, or nil.
func (r Result) Err() error {
	switch {
	case r.err != nil:
		return r.err
	case r.val.IsError(): // an element of an array reply, wrapped by ResultOf
		return r.val.Err()
	case r.val.IsNull():
		return ErrNil
	}
	return nil
}

// Value returns the raw reply; a null reply is a null Value with a nil
// error.
func (r Result) Value() (resp.Value, error) { return r.val, r.err }

// Text returns a string reply (simple, bulk or verbatim), or the decimal
// form of a number.
func (r Result) Text() (string, error) { return asString(r.val, r.err) }

// Bytes returns a string reply's bytes without copying them; do not modify
// them.
func (r Result) Bytes() ([]byte, error) { return asBytes(r.val, r.err) }

// Int64 returns an integer reply, or a string reply that holds an integer.
func (r Result) Int64() (int64, error) { return asInt64(r.val, r.err) }

// Float64 returns a double reply, or an integer or string reply holding a
// number ("inf" and "-inf" included).
func (r Result) Float64() (float64, error) { return asFloat64(r.val, r.err) }

// Bool returns a boolean reply, an integer reply as 1 = true and 0 =
// false, or "OK" as true.
func (r Result) Bool() (bool, error) { return asBool(r.val, r.err) }

// Slice returns an array, set or push reply's elements, or a map reply's
// keys and values interleaved.
func (r Result) Slice() ([]resp.Value, error) { return asSlice(r.val, r.err) }

// Strings returns an array reply whose elements are strings. A null
// element becomes "".
func (r Result) Strings() ([]string, error) { return asStrings(r.val, r.err) }

// Map returns a map reply, or an array of alternating keys and values (its
// RESP2 form), keyed by the keys' string form.
func (r Result) Map() (map[string]resp.Value, error) { return asMap(r.val, r.err) }

// StringMap returns a map reply (or its RESP2 flat form) whose values are
// strings.
func (r Result) StringMap() (map[string]string, error) { return asStringMap(r.val, r.err) }

// ReplyTypeError says that a reply's type does not fit the Go type asked
// for: a sign of calling the wrong method, never silently papered over.
type ReplyTypeError struct {
	Want string    // the Go type asked for
	Got  resp.Type // the reply's type
}

// Error describes the mismatch.
func (e *ReplyTypeError) Error() string {
	return fmt.Sprintf("redis: cannot read a %s reply as %s", e.Got, e.Want)
}

// check turns a null into ErrNil and passes errors through.
func check(v resp.Value, err error) error {
	if err != nil {
		return err
	}
	if v.IsNull() {
		return ErrNil
	}
	if v.IsError() {
		return v.Err()
	}
	return nil
}

func asString(v resp.Value, err error) (string, error) {
	if err := check(v, err); err != nil {
		return "", err
	}
	switch v.Type() {
	case resp.SimpleString, resp.BulkString, resp.Verbatim, resp.Integer, resp.Double, resp.BigNumber:
		return v.String(), nil
	}
	return "", &ReplyTypeError{Want: "string", Got: v.Type()}
}

func asBytes(v resp.Value, err error) ([]byte, error) {
	if err := check(v, err); err != nil {
		return nil, err
	}
	switch v.Type() {
	case resp.SimpleString, resp.BulkString, resp.Verbatim, resp.BigNumber:
		return v.Bytes(), nil
	case resp.Integer, resp.Double:
		return []byte(v.String()), nil
	}
	return nil, &ReplyTypeError{Want: "[]byte", Got: v.Type()}
}

func asInt64(v resp.Value, err error) (int64, error) {
	if err := check(v, err); err != nil {
		return 0, err
	}
	switch v.Type() {
	case resp.Integer:
		return v.Int(), nil
	case resp.Boolean:
		if v.Bool() {
			return 1, nil
		}
		return 0, nil
	case resp.SimpleString, resp.BulkString:
		n, err := strconv.ParseInt(v.String(), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("redis: reply %q is not an integer", v.String())
		}
		return n, nil
	case resp.Double:
		f := v.Float()
		if f == math.Trunc(f) && math.Abs(f) < 1<<63 {
			return int64(f), nil
		}
		return 0, fmt.Errorf("redis: reply %v is not an integer", f)
	}
	return 0, &ReplyTypeError{Want: "int64", Got: v.Type()}
}

func asFloat64(v resp.Value, err error) (float64, error) {
	if err := check(v, err); err != nil {
		return 0, err
	}
	switch v.Type() {
	case resp.Double:
		return v.Float(), nil
	case resp.Integer:
		return float64(v.Int()), nil
	case resp.SimpleString, resp.BulkString:
		f, ok := resp.ParseFloat(v.String())
		if !ok {
			return 0, fmt.Errorf("redis: reply %q is not a number", v.String())
		}
		return f, nil
	}
	return 0, &ReplyTypeError{Want: "float64", Got: v.Type()}
}

func asBool(v resp.Value, err error) (bool, error) {
	if err := check(v, err); err != nil {
		return false, err
	}
	switch v.Type() {
	case resp.Boolean:
		return v.Bool(), nil
	case resp.Integer:
		switch v.Int() {
		case 0:
			return false, nil
		case 1:
			return true, nil
		}
		return false, fmt.Errorf("redis: integer reply %d is not a boolean", v.Int())
	case resp.SimpleString:
		if v.String() == "OK" {
			return true, nil
		}
	}
	return false, &ReplyTypeError{Want: "bool", Got: v.Type()}
}

func asSlice(v resp.Value, err error) ([]resp.Value, error) {
	if err := check(v, err); err != nil {
		return nil, err
	}
	switch v.Type() {
	case resp.Array, resp.Set, resp.Push, resp.Map:
		return v.Elems(), nil
	}
	return nil, &ReplyTypeError{Want: "slice", Got: v.Type()}
}

func asStrings(v resp.Value, err error) ([]string, error) {
	elems, err := asSlice(v, err)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(elems))
	for i, e := range elems {
		if e.IsNull() {
			continue
		}
		s, err := asString(e, nil)
		if err != nil {
			return nil, fmt.Errorf("redis: element %d: %w", i, err)
		}
		out[i] = s
	}
	return out, nil
}

// pairs returns a map reply's keys and values interleaved, accepting the
// RESP2 flat array form.
func pairs(v resp.Value, err error) ([]resp.Value, error) {
	if err := check(v, err); err != nil {
		return nil, err
	}
	switch v.Type() {
	case resp.Map:
		return v.Elems(), nil
	case resp.Array:
		if v.Len()%2 != 0 {
			return nil, fmt.Errorf("redis: array reply of odd length %d cannot be read as a map", v.Len())
		}
		return v.Elems(), nil
	}
	return nil, &ReplyTypeError{Want: "map", Got: v.Type()}
}

func asMap(v resp.Value, err error) (map[string]resp.Value, error) {
	kv, err := pairs(v, err)
	if err != nil {
		return nil, err
	}
	m := make(map[string]resp.Value, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		m[kv[i].String()] = kv[i+1]
	}
	return m, nil
}

func asStringMap(v resp.Value, err error) (map[string]string, error) {
	kv, err := pairs(v, err)
	if err != nil {
		return nil, err
	}
	m := make(map[string]string, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		s, err := asString(kv[i+1], nil)
		if err != nil && err != ErrNil {
			return nil, fmt.Errorf("redis: value of %q: %w", kv[i].String(), err)
		}
		m[kv[i].String()] = s
	}
	return m, nil
}

// asOK accepts the "OK" status reply.
func asOK(v resp.Value, err error) error {
	if err := check(v, err); err != nil {
		return err
	}
	if v.Type() == resp.SimpleString && v.String() == "OK" {
		return nil
	}
	return fmt.Errorf("redis: expected OK, got %#v", v)
}

// asStatus reads a reply that carries no value: OK (or another status).
func asStatus(v resp.Value, err error) (struct{}, error) {
	if err := check(v, err); err != nil {
		return struct{}{}, err
	}
	if v.Type() != resp.SimpleString {
		return struct{}{}, &ReplyTypeError{Want: "status", Got: v.Type()}
	}
	return struct{}{}, nil
}

// asListOf reads an array reply element by element with dec; a null
// element is an error, since dec cannot say it was missing.
func asListOf[T any](v resp.Value, err error, dec func(resp.Value, error) (T, error)) ([]T, error) {
	elems, err := asSlice(v, err)
	if err != nil {
		return nil, err
	}
	out := make([]T, len(elems))
	for i, e := range elems {
		if out[i], err = dec(e, nil); err != nil {
			return nil, fmt.Errorf("redis: element %d: %w", i, err)
		}
	}
	return out, nil
}

func asInt64s(v resp.Value, err error) ([]int64, error)     { return asListOf(v, err, asInt64) }
func asFloat64s(v resp.Value, err error) ([]float64, error) { return asListOf(v, err, asFloat64) }
func asBools(v resp.Value, err error) ([]bool, error)       { return asListOf(v, err, asBool) }

// Null is a reply element that may be missing, such as a value in MGET's
// reply: Valid is false when the server sent a null (then V is the zero
// value). It has the shape of database/sql.Null.
type Null[T any] struct {
	V     T
	Valid bool
}

// asNullListOf reads an array reply whose elements may be null.
func asNullListOf[T any](v resp.Value, err error, dec func(resp.Value, error) (T, error)) ([]Null[T], error) {
	elems, err := asSlice(v, err)
	if err != nil {
		return nil, err
	}
	out := make([]Null[T], len(elems))
	for i, e := range elems {
		if e.IsNull() {
			continue
		}
		if out[i].V, err = dec(e, nil); err != nil {
			return nil, fmt.Errorf("redis: element %d: %w", i, err)
		}
		out[i].Valid = true
	}
	return out, nil
}

func asNullStrings(v resp.Value, err error) ([]Null[string], error) {
	return asNullListOf(v, err, asString)
}
