package search

// Shared by both halves of this package (index and query side): the shapes
// RediSearch replies take under RESP2 and RESP3, read into one Go form.
// keyValues turns a RESP3 map or its RESP2 flat array into key/value
// pairs; textOf, floatOf and intOf read scalars whatever their wire type
// (RESP3 doubles arrive in RESP2 as bulk strings, and so on). Use them
// instead of a second copy; they are private and may change freely.

import (
	"fmt"

	"github.com/respkit/redis"
	"github.com/respkit/redis/resp"
)

// keyValue is one entry of a map-shaped reply.
type keyValue struct {
	Key   string
	Value resp.Value
}

// keyValues returns the entries of a map-shaped reply in the order the
// server sent them: a RESP3 map, or the RESP2 flat array k1, v1, k2, v2,
// .... A null reply is redis.ErrNil, an error reply its *redis.Error.
func keyValues(v resp.Value) ([]keyValue, error) {
	if err := redis.ResultOf(v, nil).Err(); err != nil {
		return nil, err
	}
	switch v.Type() {
	case resp.Map:
	case resp.Array:
		if v.Len()%2 != 0 {
			return nil, fmt.Errorf("search: an array of odd length %d is not a list of key/value pairs", v.Len())
		}
	default:
		return nil, fmt.Errorf("search: expected a map (or its RESP2 array), got a %s reply", v.Type())
	}
	elems := v.Elems()
	out := make([]keyValue, 0, len(elems)/2)
	for i := 0; i+1 < len(elems); i += 2 {
		k, err := textOf(elems[i])
		if err != nil {
			return nil, fmt.Errorf("search: map key %d: %w", i/2, err)
		}
		out = append(out, keyValue{Key: k, Value: elems[i+1]})
	}
	return out, nil
}

// arrayOf returns the elements of an array, set or push reply (the RESP3
// set of FT._LIST and FT.TAGVALS is an array in RESP2).
func arrayOf(v resp.Value) ([]resp.Value, error) {
	if err := redis.ResultOf(v, nil).Err(); err != nil {
		return nil, err
	}
	switch v.Type() {
	case resp.Array, resp.Set, resp.Push:
		return v.Elems(), nil
	}
	return nil, fmt.Errorf("search: expected an array, got a %s reply", v.Type())
}

// textOf reads a string reply (simple, bulk, verbatim) or the text of a
// number.
func textOf(v resp.Value) (string, error) { return redis.ResultOf(v, nil).Text() }

// floatOf reads a number: a RESP3 double or integer, or its RESP2 string
// form ("0.5", "nan", "inf").
func floatOf(v resp.Value) (float64, error) { return redis.ResultOf(v, nil).Float64() }

// intOf reads an integer, or a string or double holding a whole number.
func intOf(v resp.Value) (int64, error) { return redis.ResultOf(v, nil).Int64() }

// textsOf reads an array of strings.
func textsOf(v resp.Value) ([]string, error) {
	elems, err := arrayOf(v)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(elems))
	for i, e := range elems {
		if out[i], err = textOf(e); err != nil {
			return nil, fmt.Errorf("search: element %d: %w", i, err)
		}
	}
	return out, nil
}
