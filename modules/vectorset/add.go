package vectorset

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/respkit/redis"
	"github.com/respkit/redis/resp"
)

// Quantization says how a vector set stores its vectors. The constants
// are VADD's option tokens; the names the server uses in its replies
// (VEMB RAW, VINFO) are read back as the same constants.
type Quantization string

// The quantisations of VADD.
const (
	// NoQuant keeps every component as a float32 (VADD ... NOQUANT;
	// reported as "f32").
	NoQuant Quantization = "NOQUANT"
	// Q8 keeps every component as a signed byte scaled by the vector's
	// largest component: the server's default (VADD ... Q8; reported as
	// "int8").
	Q8 Quantization = "Q8"
	// Bin keeps only the sign of every component, one bit each (VADD ...
	// BIN; reported as "bin").
	Bin Quantization = "BIN"
)

// quantizationOf maps the name a reply gives a quantisation to its
// constant; an unknown name is kept as it is.
func quantizationOf(name string) Quantization {
	switch name {
	case "f32", "fp32", "float32", "noquant", "NOQUANT":
		return NoQuant
	case "int8", "q8", "Q8":
		return Q8
	case "bin", "binary", "BIN":
		return Bin
	}
	return Quantization(name)
}

// AddOptions are VADD's options. The zero value sends none of them: the
// vector goes as an FP32 blob, with the server's defaults (Q8, EF 200,
// M 16).
type AddOptions struct {
	// Values sends the vector as VALUES n v1 v2 ... (decimal text)
	// instead of an FP32 blob (see Vectors in the package
	// documentation); the server reads both to the same floats.
	Values bool
	// Reduce, when positive, sends REDUCE: the set projects its vectors
	// to this many dimensions with a random projection (only when the
	// set is created). Negative is refused before sending.
	Reduce int
	// CAS sends CAS: the neighbour search of the insertion runs in a
	// background thread, and the element is added only if the set did
	// not change meanwhile in a way that matters.
	CAS bool
	// Quantization, when set, sends NOQUANT, Q8 or BIN (only when the set
	// is created; the server refuses a different one later). Any other
	// value is refused before sending.
	Quantization Quantization
	// EF, when positive, sends EF: the exploration factor of the
	// insertion. Negative is refused before sending.
	EF int
	// Attributes, when not nil, sends SETATTR with Attributes encoded by
	// encoding/json (JSON text in a json.RawMessage or []byte is sent as
	// it is, compacted): the element's JSON attributes, which VSIM's
	// FILTER reads. Empty text sends no SETATTR.
	Attributes any
	// M, when positive, sends M: the maximum number of links per node
	// (only when the set is created). Negative is refused before sending.
	M int
}

// Add returns the command VADD key [REDUCE dim] (FP32 blob | VALUES n
// v...) element [CAS] [NOQUANT|Q8|BIN] [EF n] [SETATTR json] [M n]. Its
// value reports whether the element is new (false: an existing element
// was updated).
//
// Refused before sending, with the error the command returns when run:
// an empty vector or one with a NaN or infinite component
// (ErrInvalidVector), negative Reduce, EF or M, an unknown Quantization,
// and Attributes that encoding/json cannot encode.
func Add(key, element string, vector []float32, opts ...AddOptions) redis.Command[bool] {
	var o AddOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	fail := func(err error) redis.Command[bool] { return redis.CommandError("VADD", err, decodeBool) }
	if err := checkVector(vector); err != nil {
		return fail(err)
	}
	if o.Reduce < 0 || o.EF < 0 || o.M < 0 {
		return fail(fmt.Errorf("vectorset: VADD: Reduce, EF and M must not be negative (got %d, %d, %d)", o.Reduce, o.EF, o.M))
	}
	args := make([]any, 0, 16)
	args = append(args, "VADD", key)
	if o.Reduce > 0 {
		args = append(args, "REDUCE", strconv.Itoa(o.Reduce))
	}
	args = appendVectorArgs(args, vector, o.Values)
	args = append(args, element)
	if o.CAS {
		args = append(args, "CAS")
	}
	switch o.Quantization {
	case "":
	case NoQuant, Q8, Bin:
		args = append(args, string(o.Quantization))
	default:
		return fail(fmt.Errorf("vectorset: VADD: unknown quantization %q (use NoQuant, Q8 or Bin)", o.Quantization))
	}
	if o.EF > 0 {
		args = append(args, "EF", strconv.Itoa(o.EF))
	}
	if o.Attributes != nil {
		text, err := encodeAttributes(o.Attributes)
		if err != nil {
			return fail(err)
		}
		if text != "" {
			args = append(args, "SETATTR", text)
		}
	}
	if o.M > 0 {
		args = append(args, "M", strconv.Itoa(o.M))
	}
	return redis.NewCommand(decodeBool, args...)
}

// Rem returns the command VREM key element, whose value reports whether
// the element was there.
func Rem(key, element string) redis.Command[bool] {
	return redis.NewCommand(decodeBool, "VREM", key, element)
}

// SetAttr returns the command VSETATTR key element json, with json the
// encoding/json encoding of attrs (JSON text in a json.RawMessage or
// []byte is sent as it is, compacted). A nil attrs, or empty text, sends
// an empty string, which removes the element's attributes. Its value
// reports whether the element exists.
//
// Attributes encoding/json cannot encode (invalid json.RawMessage text
// included) are refused before sending; the server itself stores any
// text it is given.
func SetAttr(key, element string, attrs any) redis.Command[bool] {
	text, err := encodeAttributes(attrs)
	if err != nil {
		return redis.CommandError("VSETATTR", err, decodeBool)
	}
	return redis.NewCommand(decodeBool, "VSETATTR", key, element, text)
}

// encodeAttributes encodes attributes as JSON text without escaping
// <, > and & (the server's filter compares the text it holds). A []byte
// is JSON text, as a json.RawMessage is (checked and compacted, not
// base64-encoded); nil and empty text give "".
func encodeAttributes(attrs any) (string, error) {
	switch a := attrs.(type) {
	case nil:
		return "", nil
	case []byte:
		attrs = json.RawMessage(a)
	}
	if a, ok := attrs.(json.RawMessage); ok && len(a) == 0 {
		return "", nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(attrs); err != nil {
		return "", fmt.Errorf("vectorset: encoding the attributes: %w", err)
	}
	return string(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))), nil
}

// decodeBool reads the 1/0 (RESP2) or true/false (RESP3) of VADD, VREM,
// VSETATTR and VISMEMBER.
func decodeBool(v resp.Value, err error) (bool, error) {
	return redis.ResultOf(v, err).Bool()
}
