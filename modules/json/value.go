package redisjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// encodeValue returns the JSON text sent for a value argument: a
// json.RawMessage or []byte as it is (it must already be JSON text),
// anything else (nil, strings, numbers, structs, maps, slices...) as
// encoding/json marshals it, without escaping <, > and &.
func encodeValue(v any) ([]byte, error) {
	switch v := v.(type) {
	case json.RawMessage:
		if len(v) == 0 {
			return nil, errors.New("empty json.RawMessage: a JSON value is needed (null is written \"null\")")
		}
		return v, nil
	case []byte:
		if len(v) == 0 {
			return nil, errors.New("empty []byte: a JSON value is needed (null is written \"null\")")
		}
		return v, nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// encodeValues encodes each value of a variadic value argument.
func encodeValues(values []any) ([][]byte, error) {
	out := make([][]byte, len(values))
	for i, v := range values {
		b, err := encodeValue(v)
		if err != nil {
			return nil, fmt.Errorf("value %d: %w", i, err)
		}
		out[i] = b
	}
	return out, nil
}

// formatNumber writes f as the JSON number NUMINCRBY and NUMMULTBY take:
// the shortest text that reads back as f, with the exponent written
// without "+" (1e308, not 1e+308). NaN and infinities have no JSON form.
func formatNumber(f float64) (string, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "", fmt.Errorf("%v is not a JSON number", f)
	}
	return strings.Replace(strconv.FormatFloat(f, 'g', -1, 64), "e+", "e", 1), nil
}

// isJSONPath reports whether path is a JSONPath (it starts with "$"), as
// opposed to a legacy path ("." or ".a" or "a").
func isJSONPath(path string) bool { return strings.HasPrefix(path, "$") }
