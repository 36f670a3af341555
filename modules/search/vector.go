package search

import (
	"encoding/binary"
	"fmt"
	"math"
)

// EncodeFloat32 returns v as the server expects a FLOAT32 vector in PARAMS
// or a hash field: each element as 4 little-endian bytes (IEEE 754), so 3
// elements give 12 bytes. A nil or empty v gives an empty slice.
func EncodeFloat32(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, f := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(f))
	}
	return b
}

// EncodeFloat64 returns v as the server expects a FLOAT64 vector: each
// element as 8 little-endian bytes (IEEE 754).
func EncodeFloat64(v []float64) []byte {
	b := make([]byte, 8*len(v))
	for i, f := range v {
		binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(f))
	}
	return b
}

// DecodeFloat32 reads a FLOAT32 vector as stored by the server (the
// reverse of EncodeFloat32). Its length must be a multiple of 4.
func DecodeFloat32(b []byte) ([]float32, error) {
	if len(b)%4 != 0 {
		return nil, fmt.Errorf("search: a FLOAT32 vector needs a multiple of 4 bytes, got %d", len(b))
	}
	v := make([]float32, len(b)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v, nil
}

// DecodeFloat64 reads a FLOAT64 vector as stored by the server (the
// reverse of EncodeFloat64). Its length must be a multiple of 8.
func DecodeFloat64(b []byte) ([]float64, error) {
	if len(b)%8 != 0 {
		return nil, fmt.Errorf("search: a FLOAT64 vector needs a multiple of 8 bytes, got %d", len(b))
	}
	v := make([]float64, len(b)/8)
	for i := range v {
		v[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
	}
	return v, nil
}

// paramValue returns a PARAMS value as it is sent: a []float32 or
// []float64 as its vector encoding (EncodeFloat32, EncodeFloat64), any
// other value unchanged.
func paramValue(v any) any {
	switch v := v.(type) {
	case []float32:
		return EncodeFloat32(v)
	case []float64:
		return EncodeFloat64(v)
	}
	return v
}
