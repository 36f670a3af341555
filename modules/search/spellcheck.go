package search

import (
	"context"
	"fmt"
	"strconv"

	"github.com/respkit/redis"
	"github.com/respkit/redis/resp"
)

// SpellCheckOptions are the options of FT.SPELLCHECK. The zero value
// sends none: suggestions come from the index's own terms, one edit away.
type SpellCheckOptions struct {
	// Distance is the largest Levenshtein distance of a suggestion, 1 to
	// 4 (DISTANCE). Zero sends nothing: the server's default is 1.
	Distance int
	// Include names dictionaries (see DictAdd) whose terms are suggested
	// too (TERMS INCLUDE dict, one per dictionary).
	Include []string
	// Exclude names dictionaries whose terms are never suggested
	// (TERMS EXCLUDE dict, one per dictionary).
	Exclude []string
	// Dialect is the query dialect (DIALECT). Zero sends nothing (the
	// server's default dialect).
	Dialect int
}

// SpellCheckResult is the spelling of one query term that is not in the
// index, with the suggested corrections.
type SpellCheckResult struct {
	// Term is the misspelt query term.
	Term string
	// Suggestions are the corrections, in the server's order (best
	// first); empty when none was found.
	Suggestions []SpellCheckSuggestion
}

// SpellCheckSuggestion is one correction of a term.
type SpellCheckSuggestion struct {
	// Suggestion is the corrected term.
	Suggestion string
	// Score is how common the suggestion is in the index: its document
	// count divided by the index's (0 for a term from an INCLUDE
	// dictionary).
	Score float64
}

// SpellCheck returns the FT.SPELLCHECK command. At most one
// SpellCheckOptions may be given.
func SpellCheck(index, query string, opts ...SpellCheckOptions) redis.Command[[]SpellCheckResult] {
	args := []any{"FT.SPELLCHECK", index, query}
	err := requireNames("index name", index, "query", query)
	switch {
	case err != nil:
	case len(opts) > 1:
		err = fmt.Errorf("at most one SpellCheckOptions, got %d", len(opts))
	case len(opts) == 1:
		o := opts[0]
		if o.Distance < 0 || o.Distance > 4 {
			err = fmt.Errorf("the Distance option must be between 1 and 4, got %d", o.Distance)
			break
		}
		if o.Distance > 0 {
			args = append(args, "DISTANCE", strconv.Itoa(o.Distance))
		}
		for _, d := range o.Include {
			args = append(args, "TERMS", "INCLUDE", d)
		}
		for _, d := range o.Exclude {
			args = append(args, "TERMS", "EXCLUDE", d)
		}
		if o.Dialect < 0 {
			err = fmt.Errorf("the Dialect option must not be negative, got %d", o.Dialect)
		} else if o.Dialect > 0 {
			args = append(args, "DIALECT", strconv.Itoa(o.Dialect))
		}
	}
	return buildCommand(decodeSpellCheck, args, err)
}

// SpellCheck suggests corrections for the terms of query that are not in
// index (FT.SPELLCHECK), one result per such term in query order; terms
// the index knows are left out.
func (c *Client) SpellCheck(ctx context.Context, index, query string, opts ...SpellCheckOptions) ([]SpellCheckResult, error) {
	return run(ctx, c, SpellCheck(index, query, opts...))
}

// decodeSpellCheck reads FT.SPELLCHECK. RESP2: an array of
// ["TERM", term, [[score, suggestion], ...]]. RESP3: {"results": {term:
// [{suggestion: score}, ...]}}.
func decodeSpellCheck(v resp.Value, err error) ([]SpellCheckResult, error) {
	if err := redis.ResultOf(v, err).Err(); err != nil {
		return nil, err
	}
	out, err := decodeSpellCheckShape(v)
	if err != nil {
		return nil, fmt.Errorf("search: FT.SPELLCHECK: %w", err)
	}
	return out, nil
}

func decodeSpellCheckShape(v resp.Value) ([]SpellCheckResult, error) {
	if v.Type() == resp.Map {
		kvs, err := keyValues(v)
		if err != nil {
			return nil, err
		}
		out := []SpellCheckResult{}
		for _, kv := range kvs {
			if kv.Key != "results" {
				continue
			}
			terms, err := keyValues(kv.Value)
			if err != nil {
				return nil, fmt.Errorf("results: %w", err)
			}
			for _, t := range terms {
				r := SpellCheckResult{Term: t.Key, Suggestions: []SpellCheckSuggestion{}}
				sugs, err := arrayOf(t.Value)
				if err != nil {
					return nil, fmt.Errorf("term %q: %w", t.Key, err)
				}
				for _, s := range sugs {
					pairs, err := keyValues(s)
					if err != nil {
						return nil, fmt.Errorf("term %q: %w", t.Key, err)
					}
					for _, p := range pairs {
						score, err := floatOf(p.Value)
						if err != nil {
							return nil, fmt.Errorf("term %q: score of %q: %w", t.Key, p.Key, err)
						}
						r.Suggestions = append(r.Suggestions, SpellCheckSuggestion{Suggestion: p.Key, Score: score})
					}
				}
				out = append(out, r)
			}
		}
		return out, nil
	}
	entries, err := arrayOf(v)
	if err != nil {
		return nil, err
	}
	out := make([]SpellCheckResult, 0, len(entries))
	for i, e := range entries {
		parts, err := arrayOf(e)
		if err != nil || len(parts) != 3 {
			return nil, fmt.Errorf("entry %d is not [TERM, term, suggestions]", i)
		}
		r := SpellCheckResult{Suggestions: []SpellCheckSuggestion{}}
		if r.Term, err = textOf(parts[1]); err != nil {
			return nil, fmt.Errorf("entry %d: %w", i, err)
		}
		sugs, err := arrayOf(parts[2])
		if err != nil {
			return nil, fmt.Errorf("term %q: %w", r.Term, err)
		}
		for _, s := range sugs {
			pair, err := arrayOf(s)
			if err != nil || len(pair) != 2 {
				return nil, fmt.Errorf("term %q: a suggestion is not [score, suggestion]", r.Term)
			}
			var sug SpellCheckSuggestion
			if sug.Score, err = floatOf(pair[0]); err != nil {
				return nil, fmt.Errorf("term %q: %w", r.Term, err)
			}
			if sug.Suggestion, err = textOf(pair[1]); err != nil {
				return nil, fmt.Errorf("term %q: %w", r.Term, err)
			}
			r.Suggestions = append(r.Suggestions, sug)
		}
		out = append(out, r)
	}
	return out, nil
}
