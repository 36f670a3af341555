package vectorset

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/respkit/redis"
	"github.com/respkit/redis/resp"
)

// Emb returns the command VEMB key element, whose value is the element's
// vector as the server holds it: under the default Q8 quantisation an
// approximation of the vector added (0.10007875 for 0.1), under Bin only
// its signs. A missing key or element is redis.ErrNil.
func Emb(key, element string) redis.Command[[]float32] {
	return redis.NewCommand(decodeEmb, "VEMB", key, element)
}

// decodeEmb reads VEMB's components: doubles (RESP3) or their text
// (RESP2).
func decodeEmb(v resp.Value, err error) ([]float32, error) {
	elems, err := redis.ResultOf(v, err).Slice()
	if err != nil {
		return nil, err
	}
	out := make([]float32, len(elems))
	for i, e := range elems {
		f, err := score(e)
		if err != nil {
			return nil, fmt.Errorf("vectorset: VEMB: component %d: %w", i, err)
		}
		out[i] = float32(f)
	}
	return out, nil
}

// RawEmbedding is an element's vector in the form the set stores it
// (VEMB ... RAW): normalised to length 1, then quantised.
type RawEmbedding struct {
	// Quantization is how Data encodes the normalised vector: NoQuant
	// (float32s, see ParseFP32), Q8 (one signed byte per component,
	// scaled so that 127 stands for Range) or Bin (one bit per component,
	// set for a positive one, least significant bit first, padded to
	// whole 64-bit words).
	Quantization Quantization
	// Data is the stored bytes.
	Data []byte
	// Norm is the length (L2 norm) of the vector before normalisation:
	// the vector added is the normalised one times Norm.
	Norm float64
	// Range is the largest absolute component of the normalised vector,
	// which the byte 127 stands for (Q8 only; 0 otherwise).
	Range float64
}

// Vector rebuilds the vector the set holds from r, as VEMB without RAW
// returns it: the normalised components (decoded from Data) times Norm.
// It works for NoQuant and Q8; a Bin embedding keeps only signs and does
// not say its dimension, so it returns an error (use Emb).
func (r RawEmbedding) Vector() ([]float32, error) {
	switch r.Quantization {
	case NoQuant:
		v, err := ParseFP32(r.Data)
		if err != nil {
			return nil, err
		}
		for i := range v {
			v[i] = float32(float64(v[i]) * r.Norm)
		}
		return v, nil
	case Q8:
		v := make([]float32, len(r.Data))
		for i, b := range r.Data {
			v[i] = float32(float64(int8(b)) * r.Range / 127 * r.Norm)
		}
		return v, nil
	}
	return nil, fmt.Errorf("vectorset: cannot rebuild a %s embedding (use Emb)", r.Quantization)
}

// EmbRaw returns the command VEMB key element RAW, whose value is the
// element's vector in its stored form. A missing key or element is
// redis.ErrNil.
func EmbRaw(key, element string) redis.Command[RawEmbedding] {
	return redis.NewCommand(decodeRawEmbedding, "VEMB", key, element, "RAW")
}

// decodeRawEmbedding reads [quantisation, data, norm] or, for Q8,
// [quantisation, data, norm, range].
func decodeRawEmbedding(v resp.Value, err error) (RawEmbedding, error) {
	elems, err := redis.ResultOf(v, err).Slice()
	if err != nil {
		return RawEmbedding{}, err
	}
	if len(elems) < 3 || len(elems) > 4 {
		return RawEmbedding{}, fmt.Errorf("vectorset: VEMB RAW: %d reply elements, want 3 or 4", len(elems))
	}
	var r RawEmbedding
	name, err := elementName(elems[0])
	if err != nil {
		return RawEmbedding{}, fmt.Errorf("vectorset: VEMB RAW: quantization: %w", err)
	}
	r.Quantization = quantizationOf(name)
	switch elems[1].Type() {
	case resp.BulkString, resp.SimpleString:
		r.Data = bytes.Clone(elems[1].Bytes())
	default:
		return RawEmbedding{}, fmt.Errorf("vectorset: VEMB RAW: data: %w", &redis.ReplyTypeError{Want: "[]byte", Got: elems[1].Type()})
	}
	if r.Norm, err = score(elems[2]); err != nil {
		return RawEmbedding{}, fmt.Errorf("vectorset: VEMB RAW: norm: %w", err)
	}
	if len(elems) == 4 {
		if r.Range, err = score(elems[3]); err != nil {
			return RawEmbedding{}, fmt.Errorf("vectorset: VEMB RAW: range: %w", err)
		}
	}
	return r, nil
}

// Card returns the command VCARD key: the number of elements (0 for a
// missing key).
func Card(key string) redis.Command[int64] {
	return redis.NewCommand(decodeInt, "VCARD", key)
}

// Dim returns the command VDIM key: the dimension of the set's vectors
// (after REDUCE). The server answers a missing key with an error (ERR),
// returned as a *redis.Error.
func Dim(key string) redis.Command[int64] {
	return redis.NewCommand(decodeInt, "VDIM", key)
}

// decodeInt reads an integer reply.
func decodeInt(v resp.Value, err error) (int64, error) {
	return redis.ResultOf(v, err).Int64()
}

// SetInfo is what VINFO says about a vector set. The same under RESP2 (a
// flat array) and RESP3 (a map). A field the server does not send stays
// zero.
type SetInfo struct {
	// Quantization is how the set stores its vectors ("quant-type").
	Quantization Quantization
	// M is the maximum number of links per node ("hnsw-m").
	M int64
	// Dim is the dimension of the stored vectors ("vector-dim"), after
	// any projection.
	Dim int64
	// ProjectionInputDim is the dimension of the vectors given to VADD
	// when the set projects them (REDUCE), 0 otherwise
	// ("projection-input-dim").
	ProjectionInputDim int64
	// Size is the number of elements ("size").
	Size int64
	// MaxLevel is the highest layer of the HNSW graph ("max-level"); it
	// depends on random draws at insertion.
	MaxLevel int64
	// AttributesCount is the number of elements with attributes
	// ("attributes-count").
	AttributesCount int64
	// UID is the set's unique id in the server ("vset-uid").
	UID int64
	// MaxNodeUID is the highest node id given so far
	// ("hnsw-max-node-uid").
	MaxNodeUID int64
	// Extra holds the fields this package does not know, as the server
	// sent them: their types may follow the protocol (a double is a bulk
	// string under RESP2); redis.ResultOf(v, nil)'s accessors read both
	// forms. Nil when there are none.
	Extra map[string]resp.Value
}

// Info returns the command VINFO key. A missing key is redis.ErrNil.
func Info(key string) redis.Command[SetInfo] {
	return redis.NewCommand(decodeInfo, "VINFO", key)
}

// decodeInfo reads VINFO's field/value pairs.
func decodeInfo(v resp.Value, err error) (SetInfo, error) {
	if err := redis.ResultOf(v, err).Err(); err != nil {
		return SetInfo{}, err
	}
	var out SetInfo
	elems := v.Elems()
	switch v.Type() {
	case resp.Map:
	case resp.Array:
		if len(elems)%2 != 0 {
			return SetInfo{}, fmt.Errorf("vectorset: VINFO: %d reply elements are not field/value pairs", len(elems))
		}
	default:
		return SetInfo{}, &redis.ReplyTypeError{Want: "VINFO fields", Got: v.Type()}
	}
	ints := map[string]*int64{
		"hnsw-m":               &out.M,
		"vector-dim":           &out.Dim,
		"projection-input-dim": &out.ProjectionInputDim,
		"size":                 &out.Size,
		"max-level":            &out.MaxLevel,
		"attributes-count":     &out.AttributesCount,
		"vset-uid":             &out.UID,
		"hnsw-max-node-uid":    &out.MaxNodeUID,
	}
	for i := 0; i+1 < len(elems); i += 2 {
		field, err := elementName(elems[i])
		if err != nil {
			return SetInfo{}, fmt.Errorf("vectorset: VINFO: field %d: %w", i/2, err)
		}
		val := elems[i+1]
		if field == "quant-type" {
			name, err := elementName(val)
			if err != nil {
				return SetInfo{}, fmt.Errorf("vectorset: VINFO: quant-type: %w", err)
			}
			out.Quantization = quantizationOf(name)
			continue
		}
		if p, ok := ints[field]; ok {
			if *p, err = redis.ResultOf(val, nil).Int64(); err != nil {
				return SetInfo{}, fmt.Errorf("vectorset: VINFO: %s: %w", field, err)
			}
			continue
		}
		if out.Extra == nil {
			out.Extra = map[string]resp.Value{}
		}
		out.Extra[field] = val
	}
	return out, nil
}

// Links returns the command VLINKS key element: the element's neighbours
// in the HNSW graph, one slice per layer, indexed by layer (links[0] is
// layer 0, where every element is). The server sends the top layer first;
// the decoder reverses that order. How many layers an element has is
// drawn at random when it is added. A missing key or element is
// redis.ErrNil.
func Links(key, element string) redis.Command[[][]string] {
	return redis.NewCommand(decodeLinks, "VLINKS", key, element)
}

// decodeLinks reads VLINKS's layers of names, top layer first, into a
// slice indexed by layer.
func decodeLinks(v resp.Value, err error) ([][]string, error) {
	layers, err := redis.ResultOf(v, err).Slice()
	if err != nil {
		return nil, err
	}
	out := make([][]string, len(layers))
	for i, layer := range layers {
		names, err := redis.ResultOf(layer, nil).Strings()
		if err != nil {
			return nil, fmt.Errorf("vectorset: VLINKS: layer %d: %w", len(layers)-1-i, err)
		}
		out[len(layers)-1-i] = names
	}
	return out, nil
}

// LinksWithScores returns the command VLINKS key element WITHSCORES: as
// Links, each neighbour with its similarity to element in Match.Score,
// in the server's order. The same under RESP2 (flat name/score arrays)
// and RESP3 (maps).
func LinksWithScores(key, element string) redis.Command[[][]Match] {
	return redis.NewCommand(decodeLinksWithScores, "VLINKS", key, element, "WITHSCORES")
}

// decodeLinksWithScores reads VLINKS WITHSCORES's layers, top layer
// first, into a slice indexed by layer.
func decodeLinksWithScores(v resp.Value, err error) ([][]Match, error) {
	layers, err := redis.ResultOf(v, err).Slice()
	if err != nil {
		return nil, err
	}
	decodeLayer := decodeMatches(true, false)
	out := make([][]Match, len(layers))
	for i, layer := range layers {
		ms, err := decodeLayer(layer, nil)
		if err != nil {
			return nil, fmt.Errorf("vectorset: VLINKS: layer %d: %w", len(layers)-1-i, err)
		}
		out[len(layers)-1-i] = ms
	}
	return out, nil
}

// GetAttrAs returns the command VGETATTR key element, whose value is the
// element's JSON attributes decoded into a T with encoding/json (a
// json.RawMessage T gets the text itself, copied). An element without
// attributes, a missing element and a missing key are redis.ErrNil.
func GetAttrAs[T any](key, element string) redis.Command[T] {
	return redis.NewCommand(decodeAttributesInto[T], "VGETATTR", key, element)
}

// decodeAttributesInto reads JSON attributes into a T.
func decodeAttributesInto[T any](v resp.Value, err error) (T, error) {
	var out T
	if err := redis.ResultOf(v, err).Err(); err != nil {
		return out, err
	}
	raw, err := attributes(v)
	if err != nil {
		return out, fmt.Errorf("vectorset: VGETATTR: %w", err)
	}
	if raw == nil {
		return out, redis.ErrNil
	}
	if p, ok := any(&out).(*json.RawMessage); ok {
		*p = raw
		return out, nil
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return out, fmt.Errorf("vectorset: VGETATTR: decoding the attributes into %T: %w", out, err)
	}
	return out, nil
}

// RandMember returns the command VRANDMEMBER key: one random element. A
// missing key is redis.ErrNil.
func RandMember(key string) redis.Command[string] {
	return redis.NewCommand(decodeName, "VRANDMEMBER", key)
}

// decodeName reads one element name.
func decodeName(v resp.Value, err error) (string, error) {
	if err := redis.ResultOf(v, err).Err(); err != nil {
		return "", err
	}
	return elementName(v)
}

// RandMemberCount returns the command VRANDMEMBER key count: up to count
// distinct random elements for a positive count, exactly -count elements
// with repeats allowed for a negative one, none for 0. A missing key
// gives an empty slice.
func RandMemberCount(key string, count int64) redis.Command[[]string] {
	return redis.NewCommand(decodeNames, "VRANDMEMBER", key, strconv.FormatInt(count, 10))
}

// decodeNames reads an array of element names; a null is redis.ErrNil.
func decodeNames(v resp.Value, err error) ([]string, error) {
	elems, err := redis.ResultOf(v, err).Slice()
	if err != nil {
		return nil, err
	}
	out := make([]string, len(elems))
	for i, e := range elems {
		if out[i], err = elementName(e); err != nil {
			return nil, fmt.Errorf("vectorset: element %d: %w", i, err)
		}
	}
	return out, nil
}

// IsMember returns the command VISMEMBER key element: whether element is
// in the set (false for a missing key). It needs Redis 8.2.
func IsMember(key, element string) redis.Command[bool] {
	return redis.NewCommand(decodeBool, "VISMEMBER", key, element)
}

// RangeOptions are VRANGE's options.
type RangeOptions struct {
	// Count, when not zero, sends the count: at most Count elements; a
	// negative Count returns every element in the range (which can
	// block the server for long on a big set). Zero sends none: the
	// server's default.
	Count int64
}

// Range returns the command VRANGE key start end [count]: the elements
// from start to end in byte-wise lexicographic order. A bound is "[name"
// (inclusive), "(name" (exclusive), "-" (the first element, for start) or
// "+" (the last, for end). A stateless iterator: call again from
// "(" + the last name returned. A missing key gives an empty slice. It
// needs Redis 8.4.
//
// An empty start or end is refused before sending (the server would
// refuse it too).
func Range(key, start, end string, opts ...RangeOptions) redis.Command[[]string] {
	if start == "" || end == "" {
		return redis.CommandError("VRANGE", errors.New(`vectorset: VRANGE: a bound is "-", "+", or a name after "[" or "("`), decodeNames)
	}
	args := []any{"VRANGE", key, start, end}
	if len(opts) > 0 && opts[0].Count != 0 {
		args = append(args, strconv.FormatInt(opts[0].Count, 10))
	}
	return redis.NewCommand(decodeNames, args...)
}
