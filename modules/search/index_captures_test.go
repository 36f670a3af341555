package search

import (
	"math"

	"github.com/respkit/redis"
	"github.com/respkit/redis/internal/moduletest"
)

// capture is the Case of an index-side command and the value both
// protocols decode its reply to.
func capture[T any](cmd redis.Command[T], want T) moduletest.Case {
	return moduletest.Case{Cmd: moduletest.Build(cmd), Want: want}
}

// captureErr is the Case of a command whose reply is the server error msg.
func captureErr[T any](cmd redis.Command[T], msg string) moduletest.Case {
	return moduletest.Case{Cmd: moduletest.Build(cmd), Want: moduletest.FailsWith(msg)}
}

// statusErr is the Case of a command replying OK, whose reply is the
// server error msg. The status decoder reads a server error as the Client
// hands it; a raw error reply is, to it, a reply other than OK.
func statusErr[T any](cmd redis.Command[T], msg string) moduletest.Case {
	c := captureErr(cmd, msg)
	c.ClientErrOnly = "the status decoder reads a server error only as the Client hands it"
	return c
}

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
func indexCaptures() map[string]moduletest.Case {
	tmpOpts := &CreateOptions{On: OnHash, Prefixes: []string{"tmp:"}, NoStopwords: true}
	// The total indexing time differs between the two recording runs.
	info := capture(Info("idx:movie"), movieInfo(0.1889999955892563))
	info.Want3 = movieInfo(0.1420000046491623)
	info.Agree = func(v any) any {
		i, ok := v.(IndexInfo)
		if ok {
			i.TotalIndexingTimeMS = 0
		}
		return i
	}
	return map[string]moduletest.Case{
		"ft_list":                  capture(List(), []string{"idx:movie"}),
		"ft_create_exists_err":     statusErr(Create("idx:movie", nil, NewTextField("title")), "Index already exists"),
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
		"ft_dropindex_missing_err": statusErr(DropIndex("idx:tmp"), "idx:tmp: no such index"),
	}
}
