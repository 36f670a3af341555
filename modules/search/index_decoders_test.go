package search

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/respkit/redis"
	"github.com/respkit/redis/internal/captures"
	"github.com/respkit/redis/internal/moduletest"
	"github.com/respkit/redis/resp"
)

var (
	bulk   = resp.StringValue
	simple = resp.SimpleStringValue
	num    = resp.IntValue
	dbl    = resp.FloatValue
	null   = resp.NullValue
	arr    = resp.ArrayValue
	kvmap  = resp.MapValue
)

// TestAttributeShapes decodes schema fields in both protocols' shapes: a
// RESP2 array mixing pairs with bare flags, a RESP3 map with "flags".
func TestAttributeShapes(t *testing.T) {
	for _, tc := range []struct {
		name  string
		resp2 resp.Value
		resp3 resp.Value
		want  AttributeInfo
	}{
		{
			"tag with flags",
			arr(simple("identifier"), simple("$.tags[*]"), simple("attribute"), simple("tags"), simple("type"), simple("TAG"),
				simple("SEPARATOR"), simple(";"), simple("CASESENSITIVE"), simple("SORTABLE"), simple("INDEXMISSING")),
			kvmap(simple("identifier"), simple("$.tags[*]"), simple("attribute"), simple("tags"), simple("type"), simple("TAG"),
				simple("SEPARATOR"), simple(";"), simple("flags"), arr(simple("CASESENSITIVE"), simple("SORTABLE"), simple("INDEXMISSING"))),
			AttributeInfo{Identifier: "$.tags[*]", Attribute: "tags", Type: "TAG", Separator: ";", Flags: []string{"CASESENSITIVE", "SORTABLE", "INDEXMISSING"}},
		},
		{
			"hnsw vector",
			arr(simple("identifier"), simple("v"), simple("attribute"), simple("v"), simple("type"), simple("VECTOR"),
				simple("algorithm"), simple("HNSW"), simple("data_type"), simple("FLOAT64"), simple("dim"), num(128),
				simple("distance_metric"), simple("L2"), simple("M"), num(16), simple("ef_construction"), num(200), simple("graph_max_degree"), num(32)),
			kvmap(simple("identifier"), simple("v"), simple("attribute"), simple("v"), simple("type"), simple("VECTOR"),
				simple("algorithm"), simple("HNSW"), simple("data_type"), simple("FLOAT64"), simple("dim"), num(128),
				simple("distance_metric"), simple("L2"), simple("M"), num(16), simple("ef_construction"), num(200), simple("graph_max_degree"), num(32), simple("flags"), arr()),
			AttributeInfo{Identifier: "v", Attribute: "v", Type: "VECTOR", Algorithm: "HNSW", DataType: "FLOAT64", Dim: 128, DistanceMetric: "L2",
				M: 16, EFConstruction: 200, Other: map[string]string{"graph_max_degree": "32"}},
		},
		{
			"text weight and geoshape coords",
			arr(simple("identifier"), simple("t"), simple("attribute"), simple("t"), simple("type"), simple("TEXT"), simple("WEIGHT"), bulk("0.5"),
				simple("coord_system"), simple("FLAT"), simple("NOSTEM"), simple("NOINDEX"), simple("WITHSUFFIXTRIE"), simple("INDEXEMPTY"), simple("UNF")),
			kvmap(simple("identifier"), simple("t"), simple("attribute"), simple("t"), simple("type"), simple("TEXT"), simple("WEIGHT"), dbl(0.5),
				simple("coord_system"), simple("FLAT"), simple("flags"), arr(simple("NOSTEM"), simple("NOINDEX"), simple("WITHSUFFIXTRIE"), simple("INDEXEMPTY"), simple("UNF"))),
			AttributeInfo{Identifier: "t", Attribute: "t", Type: "TEXT", Weight: 0.5, CoordSystem: "FLAT", Flags: []string{"NOSTEM", "NOINDEX", "WITHSUFFIXTRIE", "INDEXEMPTY", "UNF"}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for proto, v := range map[int]resp.Value{2: tc.resp2, 3: tc.resp3} {
				got, err := decodeAttribute(v)
				if err != nil {
					t.Fatalf("RESP%d: %v", proto, err)
				}
				if !moduletest.DeepEqual(got, tc.want) {
					t.Errorf("RESP%d: %#v, want %#v", proto, got, tc.want)
				}
			}
		})
	}
	if _, err := decodeAttribute(arr(simple("identifier"))); err == nil {
		t.Error("a key without a value decoded")
	}
	if _, err := decodeAttribute(num(1)); err == nil {
		t.Error("an integer decoded as an attribute")
	}
}

// TestInfoShapes covers what the recorded FT.INFO lacks: unknown entries,
// an index's own stop words, the optional definition entries.
func TestInfoShapes(t *testing.T) {
	reply := kvmap(
		simple("index_name"), simple("i"),
		simple("index_options"), arr(simple("NOOFFSETS")),
		simple("index_definition"), kvmap(simple("key_type"), simple("JSON"), simple("filter"), simple("@n>1"),
			simple("default_language"), simple("german"), simple("language_field"), simple("lang"), simple("default_score"), dbl(0.5),
			simple("score_field"), simple("sc"), simple("payload_field"), simple("pl"), simple("indexes_all"), simple("true"), simple("future"), simple("x")),
		simple("stopwords_list"), arr(),
		simple("indexing"), num(1),
		simple("percent_indexed"), dbl(0.25),
		simple("gc_stats"), kvmap(simple("bytes_collected"), dbl(10), simple("new_gc_stat"), dbl(2)),
		simple("cursor_stats"), kvmap(simple("global_idle"), num(0), simple("new_cursor_stat"), num(3)),
		simple("Index Errors"), kvmap(simple("indexing failures"), num(2), simple("last indexing error time"), num(7)),
		simple("brand_new_entry"), num(42),
	)
	info, err := decodeIndexInfo(reply, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := IndexInfo{
		Name: "i", Options: []string{"NOOFFSETS"},
		Definition: IndexDefinition{KeyType: "JSON", Filter: "@n>1", Language: "german", LanguageField: "lang", DefaultScore: 0.5,
			ScoreField: "sc", PayloadField: "pl", IndexesAll: true, Other: map[string]string{"future": "x"}},
		Stopwords: []string{}, Indexing: true, PercentIndexed: 0.25,
		GC:      GCStats{BytesCollected: 10, Other: map[string]float64{"new_gc_stat": 2}},
		Cursors: CursorStats{Other: map[string]int64{"new_cursor_stat": 3}},
		Errors:  IndexErrors{IndexingFailures: 2, Other: map[string]string{"last indexing error time": "7"}},
		Other:   map[string]resp.Value{"brand_new_entry": num(42)},
	}
	if !moduletest.DeepEqual(info, want) {
		t.Errorf("decoded\n%#v\nwant\n%#v", info, want)
	}
	// The same entries in RESP2's flat form decode alike (Other aside,
	// whose values keep their wire types).
	elems := reply.Elems()
	flat, err := decodeIndexInfo(arr(elems...), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !moduletest.DeepEqual(flat, info) {
		t.Errorf("flat form decoded\n%#v\nwant\n%#v", flat, info)
	}
	// stopwords_list [null]: the index has no list of its own.
	if sw, err := decodeStopwords(arr(null())); err != nil || len(sw) != 0 {
		t.Errorf("[null] stop words: %q, %v", sw, err)
	}
	for name, bad := range map[string]resp.Value{
		"not a map":     num(3),
		"odd array":     arr(simple("index_name")),
		"bad number":    kvmap(simple("num_docs"), simple("many")),
		"bad attribute": kvmap(simple("attributes"), arr(num(1))),
		"bad gc":        kvmap(simple("gc_stats"), kvmap(simple("x"), simple("y"))),
	} {
		if _, err := decodeIndexInfo(bad, nil); err == nil || !strings.HasPrefix(err.Error(), "search: FT.INFO") {
			t.Errorf("%s: %v, want a search: FT.INFO error", name, err)
		}
	}
	serverErr := &redis.Error{Msg: "Unknown index name"}
	if _, err := decodeIndexInfo(resp.ErrorValue(serverErr.Msg), serverErr); !errors.Is(err, serverErr) {
		t.Errorf("a server error: %v", err)
	}
}

func TestSuggestionShapes(t *testing.T) {
	got, err := decodeSuggestions(arr(bulk("a"), bulk("b")), nil, false, false)
	if err != nil || !moduletest.DeepEqual(got, []Suggestion{{Text: "a"}, {Text: "b"}}) {
		t.Errorf("plain: %#v, %v", got, err)
	}
	got, err = decodeSuggestions(arr(bulk("a"), bulk("p")), nil, false, true)
	if err != nil || !moduletest.DeepEqual(got, []Suggestion{{Text: "a", Payload: "p"}}) {
		t.Errorf("payloads: %#v, %v", got, err)
	}
	got, err = decodeSuggestions(null(), nil, true, false)
	if err != nil || got == nil || len(got) != 0 {
		t.Errorf("null reply: %#v, %v", got, err)
	}
	if _, err := decodeSuggestions(arr(bulk("a")), nil, true, false); err == nil {
		t.Error("a suggestion without its score decoded")
	}
	if _, err := decodeSuggestions(arr(bulk("a"), bulk("x")), nil, true, false); err == nil {
		t.Error("a score that is not a number decoded")
	}
}

func TestSpellCheckShapes(t *testing.T) {
	noSuggestion := []SpellCheckResult{{Term: "x", Suggestions: []SpellCheckSuggestion{}}}
	for name, tc := range map[string]struct {
		v    resp.Value
		want []SpellCheckResult
	}{
		"RESP2 none":      {arr(arr(simple("TERM"), bulk("x"), arr())), noSuggestion},
		"RESP3 none":      {kvmap(simple("results"), kvmap(bulk("x"), arr())), noSuggestion},
		"RESP2 all known": {arr(), []SpellCheckResult{}},
		"RESP3 all known": {kvmap(simple("results"), kvmap()), []SpellCheckResult{}},
		"RESP3 two": {kvmap(simple("results"), kvmap(bulk("x"), arr(kvmap(bulk("xa"), dbl(0.5)), kvmap(bulk("xb"), dbl(0))))),
			[]SpellCheckResult{{Term: "x", Suggestions: []SpellCheckSuggestion{{"xa", 0.5}, {"xb", 0}}}}},
	} {
		got, err := decodeSpellCheck(tc.v, nil)
		if err != nil || !moduletest.DeepEqual(got, tc.want) {
			t.Errorf("%s: %#v, %v; want %#v", name, got, err, tc.want)
		}
	}
	for name, bad := range map[string]resp.Value{
		"short entry":    arr(arr(simple("TERM"), bulk("x"))),
		"bad suggestion": arr(arr(simple("TERM"), bulk("x"), arr(arr(bulk("0.5"))))),
		"bad score":      arr(arr(simple("TERM"), bulk("x"), arr(arr(bulk("high"), bulk("y"))))),
		"not a list":     num(1),
	} {
		if _, err := decodeSpellCheck(bad, nil); err == nil {
			t.Errorf("%s decoded", name)
		}
	}
}

func TestConfigShapes(t *testing.T) {
	want := map[string]string{"TIMEOUT": "500", "EXTLOAD": ""}
	for name, v := range map[string]resp.Value{
		"RESP2": arr(arr(simple("TIMEOUT"), bulk("500")), arr(simple("EXTLOAD"), null())),
		"RESP3": kvmap(simple("TIMEOUT"), bulk("500"), simple("EXTLOAD"), null()),
	} {
		got, err := decodeConfigGet(v, nil)
		if err != nil || !moduletest.DeepEqual(got, want) {
			t.Errorf("GET %s: %v, %v", name, got, err)
		}
	}
	if got, err := decodeConfigGet(arr(), nil); err != nil || len(got) != 0 {
		t.Errorf("GET of an unknown option: %v, %v", got, err)
	}
	if _, err := decodeConfigGet(arr(arr(simple("A"), bulk("1"), bulk("2"))), nil); err == nil {
		t.Error("GET with two values decoded")
	}
	help := []ConfigOptionHelp{{Name: "TIMEOUT", Description: "Query (search) timeout", Value: "500"}, {Name: "EXTLOAD", Description: "Load extension"}}
	for name, v := range map[string]resp.Value{
		"RESP2": arr(arr(simple("TIMEOUT"), simple("Description"), simple("Query (search) timeout"), simple("Value"), bulk("500")),
			arr(simple("EXTLOAD"), simple("Description"), simple("Load extension"), simple("Value"), null())),
		"RESP3": kvmap(simple("TIMEOUT"), kvmap(simple("Description"), simple("Query (search) timeout"), simple("Value"), bulk("500")),
			simple("EXTLOAD"), kvmap(simple("Description"), simple("Load extension"), simple("Value"), null())),
	} {
		got, err := decodeConfigHelp(v, nil)
		if err != nil || !moduletest.DeepEqual(got, help) {
			t.Errorf("HELP %s: %#v, %v", name, got, err)
		}
	}
}

func TestSynonymShapes(t *testing.T) {
	for name, v := range map[string]resp.Value{"RESP2": arr(), "RESP3": kvmap()} {
		got, err := decodeSynonyms(v, nil)
		if err != nil || got == nil || len(got) != 0 {
			t.Errorf("%s empty: %v, %v", name, got, err)
		}
	}
	if _, err := decodeSynonyms(arr(bulk("t")), nil); err == nil {
		t.Error("an odd array decoded")
	}
}

func TestStatusAndCountShapes(t *testing.T) {
	if _, err := decodeOK(simple("QUEUED"), nil); err == nil {
		t.Error("QUEUED read as OK")
	}
	if _, err := decodeOK(null(), nil); !errors.Is(err, redis.ErrNil) {
		t.Errorf("null read as OK: %v", err)
	}
	if ok, err := decodeDeleted(num(0), nil); err != nil || ok {
		t.Errorf("SUGDEL 0: %v, %v", ok, err)
	}
	if got, err := decodeTextList(arr(bulk("a"), num(1)), nil); err != nil || !moduletest.DeepEqual(got, []string{"a", "1"}) {
		t.Errorf("strings: %v, %v", got, err)
	}
	if _, err := decodeTextList(arr(arr()), nil); err == nil {
		t.Error("a nested array read as a string")
	}
}

// TestIndexCommandEncodings covers the options the captures do not use.
func TestIndexCommandEncodings(t *testing.T) {
	for _, tc := range []struct {
		name string
		cmd  interface {
			Bytes() []byte
			Err() error
		}
		want []any
	}{
		{"DROPINDEX DD", DropIndex("i", DropIndexOptions{DeleteDocuments: true}), []any{"FT.DROPINDEX", "i", "DD"}},
		{"ALIASUPDATE", AliasUpdate("a", "i"), []any{"FT.ALIASUPDATE", "a", "i"}},
		{"SUGADD INCR", SugAdd("k", "s", 0.5, SugAddOptions{Incr: true, Payload: "p"}), []any{"FT.SUGADD", "k", "s", "0.5", "INCR", "PAYLOAD", "p"}},
		{"SUGGET plain", SugGet("k", "pre"), []any{"FT.SUGGET", "k", "pre"}},
		{"SYNUPDATE SKIPINITIALSCAN", SynUpdate("i", "g", &SynUpdateOptions{SkipInitialScan: true}, "a"), []any{"FT.SYNUPDATE", "i", "g", "SKIPINITIALSCAN", "a"}},
		{"SPELLCHECK options", SpellCheck("i", "q", SpellCheckOptions{Distance: 2, Include: []string{"d1"}, Exclude: []string{"d2", "d3"}, Dialect: 2}),
			[]any{"FT.SPELLCHECK", "i", "q", "DISTANCE", "2", "TERMS", "INCLUDE", "d1", "TERMS", "EXCLUDE", "d2", "TERMS", "EXCLUDE", "d3", "DIALECT", "2"}},
		{"EXPLAIN DIALECT", Explain("i", "q", ExplainOptions{Dialect: 3}), []any{"FT.EXPLAIN", "i", "q", "DIALECT", "3"}},
		{"EXPLAINCLI", ExplainCLI("i", "q"), []any{"FT.EXPLAINCLI", "i", "q"}},
		{"CONFIG SET", ConfigSet("TIMEOUT", "100"), []any{"FT.CONFIG", "SET", "TIMEOUT", "100"}},
		{"CONFIG HELP", ConfigHelp("*"), []any{"FT.CONFIG", "HELP", "*"}},
		{"INFO", Info("i"), []any{"FT.INFO", "i"}},
	} {
		if err := tc.cmd.Err(); err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if w := wantEncoding(t, tc.want); !bytes.Equal(tc.cmd.Bytes(), w) {
			t.Errorf("%s encodes %q, want %q", tc.name, tc.cmd.Bytes(), w)
		}
	}
}

// TestIndexCommandRejects checks that bad input is an error before
// sending, naming the command and the problem.
func TestIndexCommandRejects(t *testing.T) {
	for _, tc := range []struct {
		cmd  interface{ Err() error }
		want string
	}{
		{Info(""), "FT.INFO: no index name"},
		{DropIndex(""), "FT.DROPINDEX: no index name"},
		{DropIndex("i", DropIndexOptions{}, DropIndexOptions{}), "at most one DropIndexOptions"},
		{AliasAdd("", "i"), "FT.ALIASADD: no alias"},
		{AliasUpdate("a", ""), "FT.ALIASUPDATE: no index name"},
		{AliasDel(""), "FT.ALIASDEL: no alias"},
		{TagVals("i", ""), "FT.TAGVALS: no field name"},
		{DictAdd("d"), "FT.DICTADD: no terms"},
		{DictDel("", "t"), "FT.DICTDEL: no dictionary name"},
		{DictDump(""), "FT.DICTDUMP: no dictionary name"},
		{SugAdd("k", "s", 1, SugAddOptions{}, SugAddOptions{}), "at most one SugAddOptions"},
		{SugAdd("k", "", 1), "FT.SUGADD: no suggestion"},
		{SugGet("k", "p", SugGetOptions{Max: -1}), "Max option must not be negative"},
		{SugDel("", "s"), "FT.SUGDEL: no key"},
		{SugLen(""), "FT.SUGLEN: no key"},
		{SynUpdate("i", "g", nil), "FT.SYNUPDATE: no terms"},
		{SynDump(""), "FT.SYNDUMP: no index name"},
		{SpellCheck("i", "q", SpellCheckOptions{Distance: 5}), "Distance option must be between 1 and 4"},
		{Explain("i", ""), "FT.EXPLAIN: no query"},
		{ExplainCLI("i", "q", ExplainOptions{Dialect: -1}), "Dialect option must not be negative"},
		{ConfigGet(""), "FT.CONFIG: no option"},
		{ConfigSet("", "v"), "FT.CONFIG: no option"},
		{Alter("", nil, NewTextField("t")), "FT.ALTER: no index name"},
	} {
		err := tc.cmd.Err()
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "search: FT.") {
			t.Errorf("error %v, want one containing %q", err, tc.want)
		}
	}
	var nilClient *Client
	if _, err := nilClient.Info(t.Context(), "i"); err == nil {
		t.Error("a nil Client ran a command")
	}
	if err := New(nil).DropIndex(t.Context(), "i"); err == nil {
		t.Error("a Client without a redis.Client ran a command")
	}
}

// FuzzIndexDecoders feeds arbitrary replies to every index-side decoder:
// none may panic, whatever the bytes.
func FuzzIndexDecoders(f *testing.F) {
	cases, err := captures.Load("search")
	if err != nil {
		f.Fatal(err)
	}
	for _, c := range cases {
		f.Add(c.RESP2)
		f.Add(c.RESP3)
	}
	f.Add([]byte("*3\r\n+identifier\r\n+SORTABLE\r\n+x\r\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		v, err := resp.NewReader(bytes.NewReader(raw), resp.Limits{}).Read()
		if err != nil {
			return
		}
		decodeIndexInfo(v, nil)
		decodeSpellCheck(v, nil)
		decodeSynonyms(v, nil)
		decodeConfigGet(v, nil)
		decodeConfigHelp(v, nil)
		decodeTextList(v, nil)
		decodeCount(v, nil)
		decodeDeleted(v, nil)
		decodeOK(v, nil)
		decodeExplain(v, nil)
		for _, scores := range []bool{false, true} {
			decodeSuggestions(v, nil, scores, true)
			decodeSuggestions(v, nil, scores, false)
		}
		decodeAttribute(v)
	})
}
