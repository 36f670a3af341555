package redisjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/respkit/redis"
	"github.com/respkit/redis/resp"
)

// The decoders in this file turn RedisJSON replies into Go values. They
// read the reply's shape rather than the path that was sent, so that one
// decoder serves a JSONPath (an array with one entry per match), a legacy
// path (one value) and an omitted path, whose default differs between
// servers and protocols. They never panic on a malformed reply: they
// return an error saying what did not fit.

// maxDepth bounds the nesting decodeRESP follows; the resp Reader bounds
// it too, this is for values built by hand.
const maxDepth = 512

// decodeOK reads the "OK" of JSON.SET, JSON.MSET and JSON.MERGE; a null
// (JSON.SET's NX or XX condition not met) is redis.ErrNil.
func decodeOK(v resp.Value, err error) (struct{}, error) {
	if err := redis.ResultOf(v, err).Err(); err != nil {
		return struct{}{}, err
	}
	if v.Type() != resp.SimpleString || v.String() != "OK" {
		return struct{}{}, &redis.ReplyTypeError{Want: "OK", Got: v.Type()}
	}
	return struct{}{}, nil
}

// decodeInt reads an integer reply (JSON.DEL, JSON.CLEAR).
func decodeInt(v resp.Value, err error) (int64, error) {
	return redis.ResultOf(v, err).Int64()
}

// decodeStrings reads an array of strings (JSON.DEBUG HELP).
func decodeStrings(v resp.Value, err error) ([]string, error) {
	return redis.ResultOf(v, err).Strings()
}

// perMatch reads the reply of a command that acts at every match of a
// path: an array, one entry per match, null where the match does not fit
// the command (JSONPath), or a single value (legacy path). one decodes a
// non-null entry or the single value.
func perMatch[T any](v resp.Value, err error, one func(resp.Value) (T, error)) ([]redis.Null[T], error) {
	if err := redis.ResultOf(v, err).Err(); err != nil {
		return nil, err
	}
	if v.Type() != resp.Array {
		x, err := one(v)
		if err != nil {
			return nil, err
		}
		return []redis.Null[T]{{V: x, Valid: true}}, nil
	}
	return matchList(v.Elems(), one)
}

// matchList decodes the entries of a per-match array.
func matchList[T any](elems []resp.Value, one func(resp.Value) (T, error)) ([]redis.Null[T], error) {
	out := make([]redis.Null[T], len(elems))
	for i, e := range elems {
		if e.IsNull() {
			continue
		}
		if e.IsError() {
			return nil, fmt.Errorf("redisjson: match %d: %w", i, e.Err())
		}
		x, err := one(e)
		if err != nil {
			return nil, fmt.Errorf("redisjson: match %d: %w", i, err)
		}
		out[i] = redis.Null[T]{V: x, Valid: true}
	}
	return out, nil
}

// oneInt reads one integer entry.
func oneInt(e resp.Value) (int64, error) { return redis.ResultOf(e, nil).Int64() }

// decodeInts reads a per-match integer reply (JSON.ARRLEN, JSON.STRLEN,
// JSON.OBJLEN, JSON.ARRAPPEND, JSON.ARRINDEX, JSON.ARRINSERT,
// JSON.ARRTRIM, JSON.STRAPPEND, JSON.DEBUG MEMORY).
func decodeInts(v resp.Value, err error) ([]redis.Null[int64], error) {
	return perMatch(v, err, oneInt)
}

// oneBool reads one JSON.TOGGLE entry: an integer 0 or 1 (JSONPath), the
// bulk string "true" or "false" (legacy path) or a RESP3 boolean.
func oneBool(e resp.Value) (bool, error) {
	switch e.Type() {
	case resp.BulkString, resp.SimpleString:
		switch e.String() {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return false, fmt.Errorf("redisjson: reply %q is not a boolean", e.String())
	}
	return redis.ResultOf(e, nil).Bool()
}

// decodeBools reads JSON.TOGGLE's reply.
func decodeBools(v resp.Value, err error) ([]redis.Null[bool], error) {
	return perMatch(v, err, oneBool)
}

// rawJSON returns a copy of a string reply's bytes as JSON text.
func rawJSON(e resp.Value) (json.RawMessage, error) {
	switch e.Type() {
	case resp.BulkString, resp.SimpleString, resp.Verbatim:
		return json.RawMessage(bytes.Clone(e.Bytes())), nil
	}
	return nil, &redis.ReplyTypeError{Want: "JSON text", Got: e.Type()}
}

// decodeRaw reads JSON.GET's reply: JSON text, copied.
func decodeRaw(v resp.Value, err error) (json.RawMessage, error) {
	if err := redis.ResultOf(v, err).Err(); err != nil {
		return nil, err
	}
	return rawJSON(v)
}

// decodeRaws reads JSON.ARRPOP's reply: per match, the popped value as JSON
// text (null where the match is not an array, or is empty).
func decodeRaws(v resp.Value, err error) ([]redis.Null[json.RawMessage], error) {
	return perMatch(v, err, rawJSON)
}

// decodeMGet reads JSON.MGET's reply: one entry per key, in the order
// sent, null for a missing key.
func decodeMGet(v resp.Value, err error) ([]redis.Null[json.RawMessage], error) {
	if err := redis.ResultOf(v, err).Err(); err != nil {
		return nil, err
	}
	if v.Type() != resp.Array {
		return nil, &redis.ReplyTypeError{Want: "array of JSON texts", Got: v.Type()}
	}
	return matchList(v.Elems(), rawJSON)
}

// unmarshalInto reads JSON.GET's reply and unmarshals its JSON text into a
// T; a json.RawMessage T gets the text itself.
func unmarshalInto[T any](v resp.Value, err error) (T, error) {
	var out T
	raw, err := decodeRaw(v, err)
	if err != nil {
		return out, err
	}
	if p, ok := any(&out).(*json.RawMessage); ok {
		*p = raw
		return out, nil
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return out, fmt.Errorf("redisjson: decoding the reply into %T: %w", out, err)
	}
	return out, nil
}

// decodeMGetInto reads JSON.MGET's reply and unmarshals each present
// document into a T.
func decodeMGetInto[T any](v resp.Value, err error) ([]redis.Null[T], error) {
	raws, err := decodeMGet(v, err)
	if err != nil {
		return nil, err
	}
	out := make([]redis.Null[T], len(raws))
	for i, r := range raws {
		if !r.Valid {
			continue
		}
		if p, ok := any(&out[i].V).(*json.RawMessage); ok {
			*p = r.V
		} else if err := json.Unmarshal(r.V, &out[i].V); err != nil {
			return nil, fmt.Errorf("redisjson: key %d: decoding into %T: %w", i, out[i].V, err)
		}
		out[i].Valid = true
	}
	return out, nil
}

// parseNumber reads one JSON number literal, keeping its text.
func parseNumber(text []byte) (json.Number, error) {
	text = bytes.TrimSpace(text)
	if len(text) == 0 || !(text[0] == '-' || '0' <= text[0] && text[0] <= '9') {
		return "", fmt.Errorf("redisjson: %q is not a JSON number", text)
	}
	var n json.Number
	if err := json.Unmarshal(text, &n); err != nil {
		return "", fmt.Errorf("redisjson: %q is not a JSON number", text)
	}
	return n, nil
}

// numberOf reads one RESP number (RESP3 replies of RedisJSON): an integer
// keeps its digits; a double always reads as a float (with a fraction or
// exponent), so that json.Number's Int64 refuses it as the server meant.
func numberOf(e resp.Value) (json.Number, error) {
	switch e.Type() {
	case resp.Integer:
		return json.Number(strconv.FormatInt(e.Int(), 10)), nil
	case resp.Double:
		f := e.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return "", fmt.Errorf("redisjson: %v is not a JSON number", f)
		}
		s := strconv.FormatFloat(f, 'g', -1, 64)
		if !bytes.ContainsAny([]byte(s), ".e") {
			s += ".0"
		}
		return json.Number(s), nil
	case resp.BulkString, resp.SimpleString:
		return parseNumber(e.Bytes())
	}
	return "", &redis.ReplyTypeError{Want: "number", Got: e.Type()}
}

// decodeNumbers reads the reply of JSON.NUMINCRBY and JSON.NUMMULTBY: JSON
// text holding a number (legacy path) or an array of numbers and nulls
// (JSONPath), or, from RedisJSON under RESP3, an array of integers,
// doubles and nulls, or a single integer or double.
func decodeNumbers(v resp.Value, err error) ([]redis.Null[json.Number], error) {
	if err := redis.ResultOf(v, err).Err(); err != nil {
		return nil, err
	}
	switch v.Type() {
	case resp.Array:
		return matchList(v.Elems(), numberOf)
	case resp.Integer, resp.Double:
		n, err := numberOf(v)
		if err != nil {
			return nil, err
		}
		return []redis.Null[json.Number]{{V: n, Valid: true}}, nil
	case resp.BulkString, resp.SimpleString:
	default:
		return nil, &redis.ReplyTypeError{Want: "number", Got: v.Type()}
	}
	text := bytes.TrimSpace(v.Bytes())
	if len(text) > 0 && text[0] == '[' {
		var items []json.RawMessage
		if err := json.Unmarshal(text, &items); err != nil {
			return nil, fmt.Errorf("redisjson: reply %q is not a JSON array of numbers", text)
		}
		out := make([]redis.Null[json.Number], len(items))
		for i, it := range items {
			if string(it) == "null" {
				continue
			}
			n, err := parseNumber(it)
			if err != nil {
				return nil, fmt.Errorf("redisjson: match %d: %w", i, err)
			}
			out[i] = redis.Null[json.Number]{V: n, Valid: true}
		}
		return out, nil
	}
	n, err := parseNumber(text)
	if err != nil {
		return nil, err
	}
	return []redis.Null[json.Number]{{V: n, Valid: true}}, nil
}

// oneType reads one type name.
func oneType(e resp.Value) (ValueType, error) {
	switch e.Type() {
	case resp.SimpleString, resp.BulkString, resp.Verbatim:
		return ValueType(e.String()), nil
	}
	return "", &redis.ReplyTypeError{Want: "type name", Got: e.Type()}
}

// decodeTypes reads JSON.TYPE's reply: a type name (legacy path), an array
// of names (JSONPath), and RedisJSON's RESP3 forms, which wrap each of
// those in one more array.
func decodeTypes(v resp.Value, err error) ([]ValueType, error) {
	if err := redis.ResultOf(v, err).Err(); err != nil {
		return nil, err
	}
	if v.Type() != resp.Array {
		t, err := oneType(v)
		if err != nil {
			return nil, err
		}
		return []ValueType{t}, nil
	}
	elems := v.Elems()
	if len(elems) > 0 && elems[0].Type() == resp.Array {
		// RedisJSON, RESP3, JSONPath: the names in one more array (or, read
		// the other way, an array per match): all the inner names, in order.
		var flat []resp.Value
		for i, e := range elems {
			if e.Type() != resp.Array {
				return nil, fmt.Errorf("redisjson: JSON.TYPE reply mixes arrays and a %s at %d", e.Type(), i)
			}
			flat = append(flat, e.Elems()...)
		}
		elems = flat
	}
	out := make([]ValueType, len(elems))
	for i, e := range elems {
		t, err := oneType(e)
		if err != nil {
			return nil, fmt.Errorf("redisjson: match %d: %w", i, err)
		}
		out[i] = t
	}
	return out, nil
}

// decodeObjKeys returns the decoder of JSON.OBJKEYS's reply: an array of
// key names (legacy path), or an array holding, per match, an array of
// names or null (JSONPath). An empty array is an object without keys for
// a legacy path and no match at all for a JSONPath, so the decoder is
// told which path was sent; an omitted path is read as legacy for an empty
// reply (a JSONPath default always matches the root, so its reply is never
// empty).
func decodeObjKeys(jsonPath bool) func(resp.Value, error) ([]redis.Null[[]string], error) {
	return func(v resp.Value, err error) ([]redis.Null[[]string], error) {
		if err := redis.ResultOf(v, err).Err(); err != nil {
			return nil, err
		}
		if v.Type() != resp.Array {
			return nil, &redis.ReplyTypeError{Want: "array of object keys", Got: v.Type()}
		}
		elems := v.Elems()
		perMatch := jsonPath
		if len(elems) > 0 {
			t := elems[0].Type()
			perMatch = t == resp.Array || t == resp.Null
		}
		if !perMatch {
			keys, err := redis.ResultOf(v, nil).Strings()
			if err != nil {
				return nil, err
			}
			return []redis.Null[[]string]{{V: keys, Valid: true}}, nil
		}
		return matchList(elems, func(e resp.Value) ([]string, error) {
			return redis.ResultOf(e, nil).Strings()
		})
	}
}

// decodeRESPReply reads JSON.RESP's reply: the RESP form of one value
// (legacy path) or an array of forms, one per match (JSONPath). A form
// that is an array starts with the simple string "[" or "{", which tells
// the two apart.
func decodeRESPReply(v resp.Value, err error) ([]any, error) {
	if err := redis.ResultOf(v, err).Err(); err != nil {
		return nil, err
	}
	if !isMatchList(v) {
		x, err := decodeRESP(v, 0)
		if err != nil {
			return nil, err
		}
		return []any{x}, nil
	}
	elems := v.Elems()
	out := make([]any, len(elems))
	for i, e := range elems {
		x, err := decodeRESP(e, 0)
		if err != nil {
			return nil, fmt.Errorf("redisjson: match %d: %w", i, err)
		}
		out[i] = x
	}
	return out, nil
}

// isMatchList reports whether a JSON.RESP reply is a list of matches
// rather than the form of one array or object.
func isMatchList(v resp.Value) bool {
	if v.Type() != resp.Array {
		return false
	}
	if v.Len() == 0 {
		return true
	}
	first := v.Elems()[0]
	return !(first.Type() == resp.SimpleString && (first.String() == "[" || first.String() == "{"))
}

// errRESPForm is wrapped by the errors of a JSON.RESP reply that does not
// have the documented form.
var errRESPForm = errors.New("redisjson: not a JSON.RESP form")

// decodeRESP converts the RESP form of a JSON value to Go: nil, bool,
// int64, float64 (a RESP3 double), string, []any or map[string]any.
func decodeRESP(v resp.Value, depth int) (any, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("%w: nested deeper than %d", errRESPForm, maxDepth)
	}
	switch v.Type() {
	case resp.Null:
		return nil, nil
	case resp.Integer:
		return v.Int(), nil
	case resp.Double:
		return v.Float(), nil
	case resp.Boolean:
		return v.Bool(), nil
	case resp.BulkString, resp.Verbatim:
		return v.String(), nil
	case resp.SimpleString:
		switch v.String() {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return v.String(), nil
	case resp.SimpleError, resp.BulkError:
		return nil, v.Err()
	case resp.Map:
		return decodeRESPPairs(v.Elems(), true, depth)
	case resp.Array:
	default:
		return nil, fmt.Errorf("%w: unexpected %s", errRESPForm, v.Type())
	}
	elems := v.Elems()
	if len(elems) == 0 || elems[0].Type() != resp.SimpleString {
		return nil, fmt.Errorf("%w: an array without its \"[\" or \"{\" marker", errRESPForm)
	}
	switch elems[0].String() {
	case "[":
		out := make([]any, len(elems)-1)
		for i, e := range elems[1:] {
			x, err := decodeRESP(e, depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = x
		}
		return out, nil
	case "{":
		rest := elems[1:]
		if len(rest) > 0 && rest[0].Type() == resp.Array {
			return decodeRESPPairs(rest, false, depth)
		}
		return decodeRESPPairs(rest, true, depth)
	}
	return nil, fmt.Errorf("%w: array marker %q", errRESPForm, elems[0].String())
}

// decodeRESPPairs reads an object's members: each a [name, value] array,
// or, flat, name, value, name, value.
func decodeRESPPairs(elems []resp.Value, flat bool, depth int) (map[string]any, error) {
	if flat && len(elems)%2 != 0 {
		return nil, fmt.Errorf("%w: an object with a name and no value", errRESPForm)
	}
	out := make(map[string]any, len(elems))
	for i := 0; i < len(elems); {
		var name, val resp.Value
		if flat {
			name, val = elems[i], elems[i+1]
			i += 2
		} else {
			pair := elems[i]
			if pair.Type() != resp.Array || pair.Len() != 2 {
				return nil, fmt.Errorf("%w: an object member that is not a [name, value] pair", errRESPForm)
			}
			name, val = pair.Elems()[0], pair.Elems()[1]
			i++
		}
		switch name.Type() {
		case resp.BulkString, resp.SimpleString, resp.Verbatim:
		default:
			return nil, fmt.Errorf("%w: an object member named by a %s", errRESPForm, name.Type())
		}
		x, err := decodeRESP(val, depth+1)
		if err != nil {
			return nil, err
		}
		out[name.String()] = x
	}
	return out, nil
}
