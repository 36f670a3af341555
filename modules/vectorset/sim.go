package vectorset

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

// Query is what VSIM compares the set's elements with: a vector (Vector)
// or an element of the set (Element). The zero Query is refused before
// sending.
type Query struct {
	vector  []float32
	element string
	kind    byte // 'v' vector, 'e' element, 0 unset
}

// Vector returns a query by vector: VSIM sends it as an FP32 blob, or as
// VALUES with SimOptions.Values. The slice is read when the command is
// built, not kept.
func Vector(v []float32) Query { return Query{vector: v, kind: 'v'} }

// Element returns a query by the vector of an element already in the set
// (VSIM ... ELE element).
func Element(name string) Query { return Query{element: name, kind: 'e'} }

// SimOptions are VSIM's options. The zero value sends none: the server
// returns up to 10 elements, names only.
type SimOptions struct {
	// Values sends a Vector query as VALUES n v1 v2 ... instead of an FP32
	// blob. It is refused with an Element query.
	Values bool
	// WithScores sends WITHSCORES: Match.Score is set, the similarity
	// from 0 (opposite) to 1 (same direction).
	WithScores bool
	// WithAttribs sends WITHATTRIBS: Match.Attributes is set (nil for an
	// element without attributes).
	WithAttribs bool
	// Count, when positive, sends COUNT: at most this many elements.
	Count int
	// Epsilon, when positive, sends EPSILON: only elements whose distance
	// to the query (1 - similarity, from 0 to 1) is at most Epsilon, so
	// 0.2 keeps similarities of 0.8 and better.
	Epsilon float64
	// EF, when positive, sends EF: the exploration factor of the search.
	EF int
	// Filter, when not empty, sends FILTER: an expression over the
	// elements' JSON attributes, such as `.year > 2000 and .genre ==
	// "action"`; elements without attributes never match.
	Filter string
	// FilterEF, when positive, sends FILTER-EF: how many candidates the
	// filtered search may visit.
	FilterEF int
	// Truth sends TRUTH: an exact linear scan instead of the graph
	// search (slow; for checking recall).
	Truth bool
	// NoThread sends NOTHREAD: the search runs in the server's main
	// thread.
	NoThread bool
}

// Match is one element of a VSIM result, or one neighbour in
// LinksWithScores.
type Match struct {
	// Element is the element's name.
	Element string
	// Score is its similarity to the query, from 0 to 1 (set only when
	// asked: SimOptions.WithScores, LinksWithScores).
	Score float64
	// Attributes is its JSON attributes (set only with
	// SimOptions.WithAttribs; nil when the element has none).
	Attributes json.RawMessage
}

// DecodeAttributes decodes m.Attributes into dst with encoding/json. It
// returns redis.ErrNil when m has no attributes.
func (m Match) DecodeAttributes(dst any) error {
	if len(m.Attributes) == 0 {
		return redis.ErrNil
	}
	if err := json.Unmarshal(m.Attributes, dst); err != nil {
		return fmt.Errorf("vectorset: attributes of %q: %w", m.Element, err)
	}
	return nil
}

// Sim returns the command VSIM key (ELE element | FP32 blob | VALUES n
// v...) [FILTER expr] [FILTER-EF n] [WITHSCORES] [WITHATTRIBS] [COUNT n]
// [EPSILON d] [EF n] [TRUTH] [NOTHREAD]. Its value is the matching
// elements, best first, the same under RESP2 (a flat array, scores as
// strings) and RESP3 (a map).
//
// Refused before sending: a zero Query, a vector query that is empty or
// has a NaN or infinite component (ErrInvalidVector), Values with an
// Element query, and negative or NaN numeric options.
func Sim(key string, query Query, opts ...SimOptions) redis.Command[[]Match] {
	var o SimOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	decode := decodeMatches(o.WithScores, o.WithAttribs)
	fail := func(err error) redis.Command[[]Match] { return redis.CommandError("VSIM", err, decode) }
	if o.Count < 0 || o.EF < 0 || o.FilterEF < 0 || o.Epsilon < 0 || math.IsNaN(o.Epsilon) || math.IsInf(o.Epsilon, 0) {
		return fail(fmt.Errorf("vectorset: VSIM: Count, Epsilon, EF and FilterEF must be finite and not negative"))
	}
	args := make([]any, 0, 20)
	args = append(args, "VSIM", key)
	switch query.kind {
	case 'v':
		if err := checkVector(query.vector); err != nil {
			return fail(err)
		}
		args = appendVectorArgs(args, query.vector, o.Values)
	case 'e':
		if o.Values {
			return fail(errors.New("vectorset: VSIM: Values applies to a Vector query, not an Element one"))
		}
		args = append(args, "ELE", query.element)
	default:
		return fail(errors.New("vectorset: VSIM: no query (use vectorset.Vector or vectorset.Element)"))
	}
	if o.Filter != "" {
		args = append(args, "FILTER", o.Filter)
	}
	if o.FilterEF > 0 {
		args = append(args, "FILTER-EF", strconv.Itoa(o.FilterEF))
	}
	if o.WithScores {
		args = append(args, "WITHSCORES")
	}
	if o.WithAttribs {
		args = append(args, "WITHATTRIBS")
	}
	if o.Count > 0 {
		args = append(args, "COUNT", strconv.Itoa(o.Count))
	}
	if o.Epsilon > 0 {
		args = append(args, "EPSILON", strconv.FormatFloat(o.Epsilon, 'g', -1, 64))
	}
	if o.EF > 0 {
		args = append(args, "EF", strconv.Itoa(o.EF))
	}
	if o.Truth {
		args = append(args, "TRUTH")
	}
	if o.NoThread {
		args = append(args, "NOTHREAD")
	}
	return redis.NewCommand(decode, args...)
}

// decodeMatches returns the decoder of a VSIM reply sent with the given
// options. The reply is an array of names (no option), or, with scores
// and/or attributes:
//
//   - RESP2: a flat array, name then score (a string) then attributes
//     (a string or null), for as many of these as were asked;
//   - RESP3: a map from name to the score (a double), to the attributes,
//     or, with both, to the array [score, attributes].
//
// Both forms are accepted under either protocol.
func decodeMatches(withScores, withAttribs bool) func(resp.Value, error) ([]Match, error) {
	return func(v resp.Value, err error) ([]Match, error) {
		if err := redis.ResultOf(v, err).Err(); err != nil {
			return nil, err
		}
		elems := v.Elems()
		switch {
		case v.Type() == resp.Map:
			if !withScores && !withAttribs {
				return nil, errors.New("vectorset: VSIM: a map reply to a query without WITHSCORES or WITHATTRIBS")
			}
			out := make([]Match, len(elems)/2)
			for i := range out {
				m, err := matchFromPair(elems[2*i], elems[2*i+1], withScores, withAttribs)
				if err != nil {
					return nil, fmt.Errorf("vectorset: VSIM: entry %d: %w", i, err)
				}
				out[i] = m
			}
			return out, nil
		case v.Type() == resp.Array || v.Type() == resp.Set:
			stride := 1
			if withScores {
				stride++
			}
			if withAttribs {
				stride++
			}
			if len(elems)%stride != 0 {
				return nil, fmt.Errorf("vectorset: VSIM: %d reply elements are not groups of %d", len(elems), stride)
			}
			out := make([]Match, len(elems)/stride)
			for i := range out {
				group := elems[stride*i : stride*(i+1)]
				name, err := elementName(group[0])
				if err != nil {
					return nil, fmt.Errorf("vectorset: VSIM: entry %d: %w", i, err)
				}
				out[i].Element = name
				rest := group[1:]
				if withScores {
					if out[i].Score, err = score(rest[0]); err != nil {
						return nil, fmt.Errorf("vectorset: VSIM: score of %q: %w", name, err)
					}
					rest = rest[1:]
				}
				if withAttribs {
					if out[i].Attributes, err = attributes(rest[0]); err != nil {
						return nil, fmt.Errorf("vectorset: VSIM: attributes of %q: %w", name, err)
					}
				}
			}
			return out, nil
		}
		return nil, &redis.ReplyTypeError{Want: "VSIM result", Got: v.Type()}
	}
}

// matchFromPair reads one entry of VSIM's RESP3 map.
func matchFromPair(k, val resp.Value, withScores, withAttribs bool) (Match, error) {
	name, err := elementName(k)
	if err != nil {
		return Match{}, err
	}
	m := Match{Element: name}
	switch {
	case withScores && withAttribs:
		if (val.Type() != resp.Array && val.Type() != resp.Set) || val.Len() != 2 {
			return Match{}, fmt.Errorf("%q: want [score, attributes], got a %s of %d", name, val.Type(), val.Len())
		}
		pair := val.Elems()
		if m.Score, err = score(pair[0]); err != nil {
			return Match{}, fmt.Errorf("score of %q: %w", name, err)
		}
		if m.Attributes, err = attributes(pair[1]); err != nil {
			return Match{}, fmt.Errorf("attributes of %q: %w", name, err)
		}
	case withScores:
		if m.Score, err = score(val); err != nil {
			return Match{}, fmt.Errorf("score of %q: %w", name, err)
		}
	default:
		if m.Attributes, err = attributes(val); err != nil {
			return Match{}, fmt.Errorf("attributes of %q: %w", name, err)
		}
	}
	return m, nil
}

// elementName reads an element's name.
func elementName(e resp.Value) (string, error) {
	switch e.Type() {
	case resp.BulkString, resp.SimpleString, resp.Verbatim:
		return e.String(), nil
	}
	return "", &redis.ReplyTypeError{Want: "element name", Got: e.Type()}
}

// score reads a similarity: a double (RESP3) or its text (RESP2).
func score(e resp.Value) (float64, error) {
	switch e.Type() {
	case resp.Double, resp.Integer, resp.BulkString, resp.SimpleString:
		return redis.ResultOf(e, nil).Float64()
	}
	return 0, &redis.ReplyTypeError{Want: "score", Got: e.Type()}
}

// attributes reads JSON attributes (copied): nil for a null.
func attributes(e resp.Value) (json.RawMessage, error) {
	switch e.Type() {
	case resp.Null:
		return nil, nil
	case resp.BulkString, resp.SimpleString, resp.Verbatim:
		if e.Len() == 0 {
			return nil, nil
		}
		return json.RawMessage(bytes.Clone(e.Bytes())), nil
	}
	return nil, &redis.ReplyTypeError{Want: "JSON attributes", Got: e.Type()}
}
