package search

import (
	"fmt"
	"maps"
	"reflect"
	"testing"

	"github.com/respkit/redis"
	"github.com/respkit/redis/internal/moduletest"
)

// captureCases are every recorded case of the module: the index side's
// and the query side's.
func captureCases() map[string]moduletest.Case {
	all := indexCaptures()
	maps.Copy(all, queryCaptures())
	return all
}

// queryCaptures are the recorded cases of the query side: FT.SEARCH,
// FT.AGGREGATE (with and without a cursor) and FT.PROFILE.
func queryCaptures() map[string]moduletest.Case {
	out := map[string]moduletest.Case{
		// RediSearch's own messages start with a capitalized word, which
		// is not an error code: Code() is "".
		"ft_search_syntax_err":        captureErr(Search("idx:movie", NewQuery(Raw("@year:[1990"))), "Syntax error at offset 7 near 1990"),
		"ft_search_unknown_index_err": captureErr(Search("idx:none", NewQuery(All)), "No such index idx:none"),
		// FT.SEARCH with no query: the builder refuses it; the server's
		// reply to it is an ERR, read with FT.SEARCH's decoder.
		"ft_search_arity_err": {
			Cmd:        moduletest.Build(Search("idx:movie", NewQuery(All))),
			Want:       moduletest.Fails(&redis.Error{Msg: "ERR"}),
			NotEncoded: "FT.SEARCH without a query: Search refuses an empty one before sending",
		},
		"ft_aggregate_withcursor": withCursorCapture(),
		"ft_profile_search":       profileCapture(),
	}
	for _, tc := range searchCases() {
		out[tc.name] = capture(Search(tc.index, tc.q), tc.want)
	}
	for _, tc := range aggregateCases() {
		out[tc.name] = capture(Aggregate("idx:movie", tc.a), tc.want)
	}
	return out
}

// withCursorCapture is FT.AGGREGATE ... WITHCURSOR. The cursor id is
// random from run to run (this recording has the same one under both
// protocols, which is not asserted). Total differs between the
// protocols: the server counts the page's rows under RESP2 and the rows
// read so far under RESP3.
func withCursorCapture() moduletest.Case {
	rows := []FieldValues{row("title", "The Matrix"), row("title", "The Matrix Reloaded")}
	c := capture(AggregateWithCursor("idx:movie", NewAggregation(All).Load("title").WithCursor(CursorOptions{Count: 2})),
		CursorPage{AggregateResult: AggregateResult{Total: 1, Rows: rows}})
	c.Want3 = CursorPage{AggregateResult: AggregateResult{Total: 2, Rows: rows}}
	// Any cursor id but 0 (no more rows).
	c.Equal = func(got, want any) bool {
		p, ok := got.(CursorPage)
		if !ok || p.Cursor == 0 {
			return false
		}
		p.Cursor = 0
		return moduletest.DeepEqual(p, want)
	}
	c.Agree = func(v any) any {
		p, ok := v.(CursorPage)
		if ok {
			p.Cursor, p.Total = 0, 0
		}
		return p
	}
	return c
}

// profileCapture is FT.PROFILE ... SEARCH LIMITED: the result as
// FT.SEARCH's, and the profile's tree with its timings (which change
// from run to run) aside.
func profileCapture() moduletest.Case {
	processor := func(typ string) any {
		return map[string]any{"Type": typ, "Time": "T", "Counter": int64(2)}
	}
	wantProfile := map[string]any{
		"Shards": []any{map[string]any{
			"Total profile time":     "T",
			"Parsing time":           "T",
			"Pipeline creation time": "T",
			"Total GIL time":         "T",
			"Warning":                "None",
			"Iterators profile": map[string]any{
				"Type": "TEXT", "Term": "matrix", "Time": "T", "Counter": int64(2), "Size": int64(2),
			},
			"Result processors profile": []any{processor("Index"), processor("Scorer"), processor("Sorter"), processor("Loader")},
		}},
		"Coordinator": nil,
	}
	return moduletest.Case{
		Cmd: moduletest.Build(ProfileSearch("idx:movie", NewQuery(Terms("matrix")), ProfileOptions{Limited: true})),
		Check: func(got any) error {
			p, ok := got.(SearchProfile)
			switch {
			case !ok:
				return fmt.Errorf("got %T, want a SearchProfile", got)
			case !reflect.DeepEqual(p.Result, matrixBoth):
				return fmt.Errorf("result: %#v", p.Result)
			case !reflect.DeepEqual(withoutTimes(p.Profile), wantProfile):
				return fmt.Errorf("profile:\n got %#v\nwant %#v", withoutTimes(p.Profile), wantProfile)
			}
			// The times are numbers in decimal text under both protocols.
			shard := p.Profile["Shards"].([]any)[0].(map[string]any)
			if s, isText := shard["Total GIL time"].(string); !isText || s == "" {
				return fmt.Errorf("Total GIL time %#v", shard["Total GIL time"])
			}
			return nil
		},
		Agree: func(v any) any {
			p, ok := v.(SearchProfile)
			if !ok {
				return v
			}
			return []any{p.Result, withoutTimes(p.Profile)}
		},
	}
}

// TestCapturesDecode decodes every recorded reply, under RESP2 and RESP3,
// with the decoder the API uses for its command.
func TestCapturesDecode(t *testing.T) {
	moduletest.Decode(t, "search", captureCases())
}

// TestCapturesEncode compares the bytes the API builds for each recorded
// case with the bytes that were sent.
func TestCapturesEncode(t *testing.T) {
	moduletest.Encode(t, "search", captureCases(), 1)
}
