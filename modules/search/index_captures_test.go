package search

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/respkit/redis"
	"github.com/respkit/redis/internal/captures"
	"github.com/respkit/redis/resp"
)

// indexCapture is one recorded case of the index side: the command the
// package builds for it and what its replies decode to.
type indexCapture struct {
	encoding []byte
	buildErr error
	decode   func(resp.Value, error) (any, error)
	// want is the decoded value under both protocols; want3, when set,
	// replaces it under RESP3 (for values that changed between the two
	// recording runs).
	want, want3 any
	// wantErr is the message of the server error a *_err case decodes to.
	wantErr string
	// sameUpTo, when set, clears the values that legitimately differ
	// between the two runs before the RESP2 and RESP3 results are
	// compared.
	sameUpTo func(any) any
}

// capture makes the indexCapture of cmd.
func capture[T any](cmd redis.Command[T], want T) indexCapture {
	return indexCapture{
		encoding: cmd.Bytes(),
		buildErr: cmd.Err(),
		decode:   func(v resp.Value, err error) (any, error) { return cmd.Decode(v, err) },
		want:     want,
	}
}

// captureErr makes the indexCapture of a case whose reply is the server
// error msg.
func captureErr[T any](cmd redis.Command[T], msg string) indexCapture {
	c := capture(cmd, *new(T))
	c.want, c.wantErr = nil, msg
	return c
}

// sameValue compares decoded values by their Go syntax, so that NaN
// (FT.INFO's averages before any GC cycle) equals NaN.
func sameValue(a, b any) bool { return fmt.Sprintf("%#v", a) == fmt.Sprintf("%#v", b) }

// movieInfo is FT.INFO idx:movie as recorded (total indexing time aside).
func movieInfo(indexingTime float64) IndexInfo {
	noErrors := IndexErrors{LastIndexingError: "N/A", LastIndexingErrorKey: "N/A"}
	field := func(name string) FieldStats {
		return FieldStats{Identifier: name, Attribute: name, Errors: noErrors}
	}
	vec := field("vec")
	vec.Memory = 29472
	return IndexInfo{
		Name:    "idx:movie",
		Options: []string{},
		Definition: IndexDefinition{
			KeyType: "HASH", Prefixes: []string{"movie:"}, DefaultScore: 1,
		},
		Attributes: []AttributeInfo{
			{Identifier: "title", Attribute: "title", Type: "TEXT", Weight: 5, Flags: []string{"SORTABLE"}},
			{Identifier: "genre", Attribute: "genre", Type: "TAG", Separator: ",", Flags: []string{"SORTABLE"}},
			{Identifier: "year", Attribute: "year", Type: "NUMERIC", Flags: []string{"SORTABLE", "UNF"}},
			{Identifier: "rating", Attribute: "rating", Type: "NUMERIC"},
			{Identifier: "loc", Attribute: "loc", Type: "GEO"},
			{Identifier: "vec", Attribute: "vec", Type: "VECTOR", Algorithm: "FLAT", DataType: "FLOAT32", Dim: 3, DistanceMetric: "COSINE"},
		},
		NumDocs: 4, MaxDocID: 4, NumTerms: 7, NumRecords: 28,
		InvertedSizeMB:           0.0014448165893554688,
		VectorIndexSizeMB:        0.028106689453125,
		TotalInvertedIndexBlocks: 15,
		OffsetVectorsSizeMB:      7.62939453125e-6,
		DocTableSizeMB:           0.015605926513671875,
		SortableValuesSizeMB:     3.7097930908203125e-4,
		KeyTableSizeMB:           1.3828277587890625e-4,
		TagOverheadSizeMB:        1.3828277587890625e-4,
		TextOverheadSizeMB:       2.3365020751953125e-4,
		TotalIndexMemorySizeMB:   0.01816844940185547,
		RecordsPerDocAvg:         7,
		BytesPerRecordAvg:        54.10714340209961,
		OffsetsPerTermAvg:        0.2857142984867096,
		OffsetBitsPerRecordAvg:   8,
		TotalIndexingTimeMS:      indexingTime,
		PercentIndexed:           1,
		NumberOfUses:             16,
		GC:                       GCStats{AverageCycleTimeMs: math.NaN()},
		Cursors:                  CursorStats{GlobalIdle: 1, GlobalTotal: 1, IndexCapacity: 128, IndexTotal: 1},
		DialectStats:             map[string]int64{"dialect_1": 1, "dialect_2": 1, "dialect_3": 0, "dialect_4": 0},
		Errors:                   IndexErrors{LastIndexingError: "N/A", LastIndexingErrorKey: "N/A", BackgroundIndexingStatus: "OK"},
		FieldStats:               []FieldStats{field("title"), field("genre"), field("year"), field("rating"), field("loc"), vec},
	}
}

// indexCaptures are the recorded cases of the index side, by name.
func indexCaptures() map[string]indexCapture {
	tmpOpts := &CreateOptions{On: OnHash, Prefixes: []string{"tmp:"}, NoStopwords: true}
	info := capture(Info("idx:movie"), movieInfo(0.1889999955892563))
	info.want3 = movieInfo(0.1420000046491623)
	info.sameUpTo = func(v any) any {
		i := v.(IndexInfo)
		i.TotalIndexingTimeMS = 0
		return i
	}
	return map[string]indexCapture{
		"ft_list":                  capture(List(), []string{"idx:movie"}),
		"ft_create_exists_err":     captureErr(Create("idx:movie", nil, NewTextField("title")), "Index already exists"),
		"ft_create_json_on_hash":   capture(Create("idx:tmp", tmpOpts, NewTextField("t").NoStem(), NewNumericField("n")), struct{}{}),
		"ft_info":                  info,
		"ft_explain":               capture(Explain("idx:movie", "@genre:{action} matrix"), "INTERSECT {\n  TAG:@genre {\n    action\n  }\n  UNION {\n    matrix\n    +matrix(expanded)\n  }\n}\n"),
		"ft_tagvals":               capture(TagVals("idx:movie", "genre"), []string{"action", "crime", "drama", "romance", "scifi"}),
		"ft_spellcheck":            capture(SpellCheck("idx:movie", "matrx"), []SpellCheckResult{{Term: "matrx", Suggestions: []SpellCheckSuggestion{{Suggestion: "matrix", Score: 0.5}}}}),
		"ft_dictadd":               capture(DictAdd("dict:1", "foo", "bar"), int64(2)),
		"ft_dictdump":              capture(DictDump("dict:1"), []string{"bar", "foo"}),
		"ft_dictdel":               capture(DictDel("dict:1", "foo"), int64(1)),
		"ft_sugadd":                capture(SugAdd("sug:1", "hello world", 1), int64(1)),
		"ft_sugadd_2":              capture(SugAdd("sug:1", "help", 2, SugAddOptions{Payload: "p1"}), int64(2)),
		"ft_sugget":                capture(SugGet("sug:1", "hel", SugGetOptions{Fuzzy: true, WithScores: true, WithPayloads: true, Max: 5}), []Suggestion{{Text: "help", Score: 1.4142135381698608, Payload: "p1"}, {Text: "hello world", Score: 0.3333333432674408}}),
		"ft_suglen":                capture(SugLen("sug:1"), int64(2)),
		"ft_sugdel":                capture(SugDel("sug:1", "help"), true),
		"ft_synupdate":             capture(SynUpdate("idx:movie", "grp1", nil, "film", "movie"), struct{}{}),
		"ft_syndump":               capture(SynDump("idx:movie"), map[string][]string{"movie": {"grp1"}, "film": {"grp1"}}),
		"ft_aliasadd":              capture(AliasAdd("alias:movie", "idx:movie"), struct{}{}),
		"ft_aliasdel":              capture(AliasDel("alias:movie"), struct{}{}),
		"ft_alter":                 capture(Alter("idx:movie", nil, NewTextField("director")), struct{}{}),
		"ft_config_get":            capture(ConfigGet("TIMEOUT"), map[string]string{"TIMEOUT": "500"}),
		"ft_dropindex":             capture(DropIndex("idx:tmp"), struct{}{}),
		"ft_dropindex_missing_err": captureErr(DropIndex("idx:tmp"), "idx:tmp: no such index"),
	}
}

// replyOf reads a recorded reply as the client hands it to a decoder: an
// error reply becomes the error.
func replyOf(t *testing.T, c *captures.Case, proto int) (resp.Value, error) {
	t.Helper()
	v, err := c.Reply(proto)
	if err != nil {
		t.Fatal(err)
	}
	if v.IsError() {
		return v, v.Err()
	}
	return v, nil
}

func TestIndexCaptures(t *testing.T) {
	cases, err := captures.Load("search")
	if err != nil {
		t.Fatal(err)
	}
	byName := captures.ByName(cases)
	decoded := 0
	for name, ic := range indexCaptures() {
		t.Run(name, func(t *testing.T) {
			c := byName[name]
			if c == nil {
				t.Fatalf("no recorded case %s", name)
			}
			if ic.buildErr != nil {
				t.Fatalf("building the command: %v", ic.buildErr)
			}
			if !bytes.Equal(ic.encoding, c.Command()) {
				t.Errorf("encodes\n%q\nwant\n%q", ic.encoding, c.Command())
			}
			var got [2]any
			for i, proto := range []int{2, 3} {
				v, err := replyOf(t, c, proto)
				value, err := ic.decode(v, err)
				if ic.wantErr != "" {
					var re *redis.Error
					if !errors.As(err, &re) || re.Msg != ic.wantErr || re.Code() != "" {
						t.Fatalf("RESP%d: error %#v, want the server error %q (no code)", proto, err, ic.wantErr)
					}
					continue
				}
				if err != nil {
					t.Fatalf("RESP%d: %v", proto, err)
				}
				want := ic.want
				if proto == 3 && ic.want3 != nil {
					want = ic.want3
				}
				if !sameValue(value, want) {
					t.Errorf("RESP%d decodes to\n%#v\nwant\n%#v", proto, value, want)
				}
				got[i] = value
				decoded++
			}
			if ic.wantErr != "" {
				return
			}
			a, b := got[0], got[1]
			if ic.sameUpTo != nil {
				a, b = ic.sameUpTo(a), ic.sameUpTo(b)
			}
			if !sameValue(a, b) {
				t.Errorf("RESP2 and RESP3 decode differently:\n%#v\n%#v", a, b)
			}
		})
	}
	t.Logf("%d index-side cases, %d replies decoded to their values (RESP2 and RESP3)", len(indexCaptures()), decoded)
}
