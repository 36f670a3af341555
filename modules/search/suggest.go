package search

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/respkit/redis"
	"github.com/respkit/redis/resp"
)

// SugAddOptions are the options of FT.SUGADD. The zero value sends none.
type SugAddOptions struct {
	// Incr adds the score to the suggestion's existing score instead of
	// replacing it (INCR).
	Incr bool
	// Payload is stored with the suggestion and returned by SugGet with
	// WithPayloads (PAYLOAD; deprecated by the server since 2.0 but still
	// honoured). Empty sends nothing.
	Payload string
}

// SugAdd returns the FT.SUGADD command. At most one SugAddOptions may be
// given.
func SugAdd(key, suggestion string, score float64, opts ...SugAddOptions) redis.Command[int64] {
	args := []any{"FT.SUGADD", key, suggestion, formatFloat(score)}
	err := requireNames("key", key, "suggestion", suggestion)
	switch {
	case err != nil:
	case math.IsNaN(score) || math.IsInf(score, 0):
		err = fmt.Errorf("score must be a finite number, got %v", score)
	case len(opts) > 1:
		err = fmt.Errorf("at most one SugAddOptions, got %d", len(opts))
	case len(opts) == 1:
		if opts[0].Incr {
			args = append(args, "INCR")
		}
		args = appendNonEmpty(args, "PAYLOAD", opts[0].Payload)
	}
	return buildCommand(decodeCount, args, err)
}

// SugAdd adds suggestion with score to the auto-complete dictionary at key
// (FT.SUGADD), creating the key, and returns the dictionary's size.
// Suggestion dictionaries are plain keys, independent of any index.
func (c *Client) SugAdd(ctx context.Context, key, suggestion string, score float64, opts ...SugAddOptions) (int64, error) {
	return run(ctx, c, SugAdd(key, suggestion, score, opts...))
}

// SugGetOptions are the options of FT.SUGGET. The zero value asks for at
// most 5 exact-prefix suggestions without scores or payloads.
type SugGetOptions struct {
	// Fuzzy also matches prefixes one edit (Levenshtein distance 1) away
	// (FUZZY).
	Fuzzy bool
	// WithScores fills Suggestion.Score (WITHSCORES).
	WithScores bool
	// WithPayloads fills Suggestion.Payload (WITHPAYLOADS).
	WithPayloads bool
	// Max is the most suggestions returned (MAX). Zero sends nothing: the
	// server's default is 5.
	Max int
}

// Suggestion is one entry of FT.SUGGET's reply.
type Suggestion struct {
	// Text is the suggested string.
	Text string
	// Score is set with SugGetOptions.WithScores: the stored score
	// weighted by how well the prefix matched (not the score given to
	// SugAdd).
	Score float64
	// Payload is set with SugGetOptions.WithPayloads; "" when the
	// suggestion has none.
	Payload string
}

// SugGet returns the FT.SUGGET command. At most one SugGetOptions may be
// given.
func SugGet(key, prefix string, opts ...SugGetOptions) redis.Command[[]Suggestion] {
	var o SugGetOptions
	args := []any{"FT.SUGGET", key, prefix}
	err := requireNames("key", key, "prefix", prefix)
	switch {
	case err != nil:
	case len(opts) > 1:
		err = fmt.Errorf("at most one SugGetOptions, got %d", len(opts))
	case len(opts) == 1:
		o = opts[0]
		if o.Fuzzy {
			args = append(args, "FUZZY")
		}
		if o.WithScores {
			args = append(args, "WITHSCORES")
		}
		if o.WithPayloads {
			args = append(args, "WITHPAYLOADS")
		}
		if o.Max < 0 {
			err = fmt.Errorf("the Max option must not be negative, got %d", o.Max)
		} else if o.Max > 0 {
			args = append(args, "MAX", strconv.Itoa(o.Max))
		}
	}
	decode := func(v resp.Value, err error) ([]Suggestion, error) {
		return decodeSuggestions(v, err, o.WithScores, o.WithPayloads)
	}
	return buildCommand(decode, args, err)
}

// SugGet returns the suggestions of the dictionary at key that complete
// prefix (FT.SUGGET), best first; an empty slice when none match or the
// key does not exist.
func (c *Client) SugGet(ctx context.Context, key, prefix string, opts ...SugGetOptions) ([]Suggestion, error) {
	return run(ctx, c, SugGet(key, prefix, opts...))
}

// decodeSuggestions reads FT.SUGGET's flat array: each suggestion followed
// by its score and payload when asked for. A null reply (older servers,
// no match) is no suggestions.
func decodeSuggestions(v resp.Value, err error, withScores, withPayloads bool) ([]Suggestion, error) {
	if err := redis.ResultOf(v, err).Err(); err != nil {
		if errors.Is(err, redis.ErrNil) {
			return []Suggestion{}, nil
		}
		return nil, err
	}
	elems, err := arrayOf(v)
	if err != nil {
		return nil, fmt.Errorf("search: FT.SUGGET: %w", err)
	}
	stride := 1
	if withScores {
		stride++
	}
	if withPayloads {
		stride++
	}
	if len(elems)%stride != 0 {
		return nil, fmt.Errorf("search: FT.SUGGET: %d elements do not divide into entries of %d", len(elems), stride)
	}
	out := make([]Suggestion, 0, len(elems)/stride)
	for i := 0; i < len(elems); i += stride {
		var s Suggestion
		var err error
		if s.Text, err = textOf(elems[i]); err != nil {
			return nil, fmt.Errorf("search: FT.SUGGET: suggestion %d: %w", i/stride, err)
		}
		j := i + 1
		if withScores {
			if s.Score, err = floatOf(elems[j]); err != nil {
				return nil, fmt.Errorf("search: FT.SUGGET: score of %q: %w", s.Text, err)
			}
			j++
		}
		if withPayloads && !elems[j].IsNull() {
			if s.Payload, err = textOf(elems[j]); err != nil {
				return nil, fmt.Errorf("search: FT.SUGGET: payload of %q: %w", s.Text, err)
			}
		}
		out = append(out, s)
	}
	return out, nil
}

// SugDel returns the FT.SUGDEL command.
func SugDel(key, suggestion string) redis.Command[bool] {
	return buildCommand(decodeDeleted, []any{"FT.SUGDEL", key, suggestion}, requireNames("key", key, "suggestion", suggestion))
}

// decodeDeleted reads the 1 or 0 of FT.SUGDEL.
func decodeDeleted(v resp.Value, err error) (bool, error) {
	n, err := redis.ResultOf(v, err).Int64()
	return n != 0, err
}

// SugDel removes suggestion from the dictionary at key (FT.SUGDEL) and
// reports whether it was there.
func (c *Client) SugDel(ctx context.Context, key, suggestion string) (bool, error) {
	return run(ctx, c, SugDel(key, suggestion))
}

// SugLen returns the FT.SUGLEN command.
func SugLen(key string) redis.Command[int64] {
	return buildCommand(decodeCount, []any{"FT.SUGLEN", key}, requireNames("key", key))
}

// SugLen returns the number of suggestions in the dictionary at key
// (FT.SUGLEN); 0 when the key does not exist.
func (c *Client) SugLen(ctx context.Context, key string) (int64, error) {
	return run(ctx, c, SugLen(key))
}
