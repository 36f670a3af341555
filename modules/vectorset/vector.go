package vectorset

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ErrInvalidVector is wrapped by the error of a command refused before
// sending because of its vector: an empty vector, or a component that is
// NaN or an infinity (cosine similarity, which vector sets compute, has no
// meaning for them). Test with errors.Is.
var ErrInvalidVector = errors.New("vectorset: invalid vector")

// AppendFP32 appends v to dst in the FP32 format of VADD and VSIM: each
// component as its IEEE 754 single-precision bits, little-endian, 4 bytes
// per component, nothing else. It writes the bits as they are: a NaN keeps
// its payload and -0 stays -0 (Add and Sim refuse non-finite vectors
// before they get here; AppendFP32 itself judges nothing).
func AppendFP32(dst []byte, v []float32) []byte {
	for _, f := range v {
		dst = binary.LittleEndian.AppendUint32(dst, math.Float32bits(f))
	}
	return dst
}

// ParseFP32 reads an FP32 blob (see AppendFP32), such as the data of a
// RawEmbedding with quantisation NoQuant. Its length must be a multiple of
// 4. Every bit pattern is accepted, NaNs included.
func ParseFP32(b []byte) ([]float32, error) {
	if len(b)%4 != 0 {
		return nil, fmt.Errorf("vectorset: an FP32 blob of %d bytes is not a whole number of float32s", len(b))
	}
	out := make([]float32, len(b)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out, nil
}

// checkVector refuses a vector the server must not see: empty, or with a
// NaN or infinite component.
func checkVector(v []float32) error {
	if len(v) == 0 {
		return fmt.Errorf("%w: no components", ErrInvalidVector)
	}
	for i, f := range v {
		if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
			return fmt.Errorf("%w: component %d is %v", ErrInvalidVector, i, f)
		}
	}
	return nil
}

// appendVectorArgs appends a vector as VADD and VSIM take it: "FP32"
// and the blob, or, with values, "VALUES", the count and one argument per
// component (see formatValues).
func appendVectorArgs(args []any, v []float32, values bool) []any {
	if !values {
		return append(args, "FP32", AppendFP32(make([]byte, 0, 4*len(v)), v))
	}
	args = append(args, "VALUES", strconv.Itoa(len(v)))
	for _, s := range formatValues(v) {
		args = append(args, s)
	}
	return args
}

// formatValues writes each component of v in the shortest decimal form
// that reads back as the same float32 (0.1, not 0.10000000149011612). In
// a vector that is not made of whole numbers only, a whole component gets
// a ".0" (0.9 0.1 0.0), so that the vector reads as decimals; a vector of
// whole numbers is written as integers (1 -1 1 -1). The server parses
// either form to the same float.
func formatValues(v []float32) []string {
	allWhole := true
	for _, f := range v {
		if !isWhole(f) {
			allWhole = false
			break
		}
	}
	out := make([]string, len(v))
	for i, f := range v {
		s := strconv.FormatFloat(float64(f), 'g', -1, 32)
		if !allWhole && isWhole(f) && !strings.ContainsAny(s, ".eEn") {
			s += ".0"
		}
		out[i] = s
	}
	return out
}

// isWhole reports whether f is a finite whole number.
func isWhole(f float32) bool {
	x := float64(f)
	return !math.IsInf(x, 0) && x == math.Trunc(x)
}
