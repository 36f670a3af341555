package search

import (
	"bytes"
	"errors"
	"math"
	"reflect"
	"testing"

	"github.com/respkit/redis"
	"github.com/respkit/redis/internal/captures"
	"github.com/respkit/redis/resp"
)

// queryCases returns the recorded search cases by name.
func queryCases(t *testing.T) map[string]*captures.Case {
	t.Helper()
	cases, err := captures.Load("search")
	if err != nil {
		t.Fatal(err)
	}
	return captures.ByName(cases)
}

// queryCase returns one recorded case, failing the test if it is missing.
func queryCase(t *testing.T, all map[string]*captures.Case, name string) *captures.Case {
	t.Helper()
	c, ok := all[name]
	if !ok {
		t.Fatalf("no capture %q", name)
	}
	return c
}

// movieVec1 and movieVec2 are the vec fields of movie:1 and movie:2 as the
// setup wrote them.
var (
	movieVec1 = string(EncodeFloat32([]float32{0.1, 0.2, 0.3}))
	movieVec2 = string(EncodeFloat32([]float32{0.1, 0.25, 0.3}))
)

func movieFields(title, genre, year, rating, loc, vec string) FieldValues {
	return FieldValues{
		{Name: "title", Value: title}, {Name: "genre", Value: genre}, {Name: "year", Value: year},
		{Name: "rating", Value: rating}, {Name: "loc", Value: loc}, {Name: "vec", Value: vec},
	}
}

func titleOnly(title string) FieldValues { return FieldValues{{Name: "title", Value: title}} }

var matrixBoth = SearchResult{Total: 2, Docs: []Document{
	{ID: "movie:1", Fields: movieFields("The Matrix", "action,scifi", "1999", "8.7", "-122.41,37.77", movieVec1)},
	{ID: "movie:2", Fields: movieFields("The Matrix Reloaded", "action,scifi", "2003", "7.2", "-122.42,37.78", movieVec2)},
}}

// searchCases are the FT.SEARCH captures: the query built with the
// package's API and the value both protocols must decode to.
func searchCases() []struct {
	name, index string
	q           *Query
	want        SearchResult
} {
	return []struct {
		name, index string
		q           *Query
		want        SearchResult
	}{
		{"ft_search_simple", "idx:movie", NewQuery(Terms("matrix")), matrixBoth},
		{"ft_search_nocontent", "idx:movie", NewQuery(Terms("matrix")).NoContent(),
			SearchResult{Total: 2, Docs: []Document{{ID: "movie:1"}, {ID: "movie:2"}}}},
		{"ft_search_withscores_return", "idx:movie", NewQuery(Terms("matrix")).WithScores().Return("title", "year"),
			SearchResult{Total: 2, Docs: []Document{
				{ID: "movie:1", Score: 1.292308322915596, Fields: FieldValues{{Name: "title", Value: "The Matrix"}, {Name: "year", Value: "1999"}}},
				{ID: "movie:2", Score: 1.1730183202309574, Fields: FieldValues{{Name: "title", Value: "The Matrix Reloaded"}, {Name: "year", Value: "2003"}}},
			}}},
		{"ft_search_tag_numeric_sortby_limit", "idx:movie",
			NewQuery(And(Tag("genre", "action"), Range("year", Inclusive(1990), Inclusive(2000)))).
				SortBy("year", Desc).Limit(0, 10).Return("title"),
			SearchResult{Total: 2, Docs: []Document{
				{ID: "movie:1", Fields: titleOnly("The Matrix")},
				{ID: "movie:4", Fields: titleOnly("Heat")},
			}}},
		{"ft_search_geo", "idx:movie", NewQuery(GeoRadius("loc", -122.41, 37.77, 10, Kilometers)).Return("title"),
			SearchResult{Total: 2, Docs: []Document{
				{ID: "movie:1", Fields: titleOnly("The Matrix")},
				{ID: "movie:2", Fields: titleOnly("The Matrix Reloaded")},
			}}},
		{"ft_search_count_only", "idx:movie", NewQuery(All).Limit(0, 0), SearchResult{Total: 4}},
		{"ft_search_no_results", "idx:movie", NewQuery(Terms("nosuchword")), SearchResult{Total: 0}},
		{"ft_search_highlight", "idx:movie",
			NewQuery(Terms("matrix")).Return("title").Highlight(HighlightOptions{Fields: []string{"title"}, OpenTag: "<b>", CloseTag: "</b>"}),
			SearchResult{Total: 2, Docs: []Document{
				{ID: "movie:1", Fields: titleOnly("The <b>Matrix</b>")},
				{ID: "movie:2", Fields: titleOnly("The <b>Matrix</b> Reloaded")},
			}}},
		{"ft_search_withsortkeys", "idx:movie", NewQuery(All).SortBy("rating", Asc).WithSortKeys().Return("rating"),
			SearchResult{Total: 4, Docs: []Document{
				{ID: "movie:2", SortKey: "#7.2000000000000002", Fields: FieldValues{{Name: "rating", Value: "7.2"}}},
				{ID: "movie:3", SortKey: "#7.7999999999999998", Fields: FieldValues{{Name: "rating", Value: "7.8"}}},
				{ID: "movie:4", SortKey: "#8.3000000000000007", Fields: FieldValues{{Name: "rating", Value: "8.3"}}},
				{ID: "movie:1", SortKey: "#8.6999999999999993", Fields: FieldValues{{Name: "rating", Value: "8.7"}}},
			}}},
		{"ft_search_knn_dialect2", "idx:movie",
			NewQuery(KNN{K: 2, Field: "vec", Param: "B", ScoreAs: "score"}.Expr()).
				Param("B", EncodeFloat32([]float32{0.1, 0.2, 0.3})).
				SortBy("score", "").Return("title", "score").Dialect(2),
			SearchResult{Total: 2, Docs: []Document{
				{ID: "movie:1", Fields: FieldValues{{Name: "score", Value: "0"}, {Name: "title", Value: "The Matrix"}}},
				{ID: "movie:2", Fields: FieldValues{{Name: "score", Value: "0.00550961494446"}, {Name: "title", Value: "The Matrix Reloaded"}}},
			}}},
		{"ft_search_params_dialect2", "idx:movie",
			NewQuery(Range("year", ParamBound("lo"), ParamBound("hi"))).
				Param("lo", "2000").Param("hi", 2010).Return("title").Dialect(2),
			SearchResult{Total: 2, Docs: []Document{
				{ID: "movie:2", Fields: titleOnly("The Matrix Reloaded")},
				{ID: "movie:3", Fields: titleOnly("Pride and Prejudice")},
			}}},
		{"ft_search_via_alias", "alias:movie", NewQuery(Terms("heat")).Return("title"),
			SearchResult{Total: 1, Docs: []Document{{ID: "movie:4", Fields: titleOnly("Heat")}}}},
	}
}

func TestSearchRejectsBadInput(t *testing.T) {
	bad := map[string]*Query{
		"nil query":      nil,
		"empty expr":     NewQuery(Expr{}),
		"NaN bound":      NewQuery(Range("x", Inclusive(nan()), PosInf)),
		"no tag values":  NewQuery(Tag("genre")),
		"negative limit": NewQuery(All).Limit(-1, 10),
		"bad order":      NewQuery(All).SortBy("x", Order("UP")),
		"bad param":      NewQuery(All).Param("a b", 1),
		"bad unit":       NewQuery(GeoRadius("loc", 1, 2, 3, GeoUnit("parsec"))),
		"half tags":      NewQuery(All).Highlight(HighlightOptions{OpenTag: "<b>"}),
		"zero KNN":       NewQuery(KNN{Field: "v", Param: "B"}.Expr()),
	}
	if Search("", NewQuery(All)).Err() == nil || Aggregate("", NewAggregation(All)).Err() == nil ||
		CursorRead("", 1, 0).Err() == nil || CursorDel("", 1).Err() == nil ||
		ProfileSearch("", NewQuery(All), ProfileOptions{}).Err() == nil ||
		Hybrid("", NewHybridQuery(HybridText{Query: All}, HybridVector{Field: "v", Param: "q"})).Err() == nil ||
		AggregateWithCursor("", NewAggregation(All).WithCursor(CursorOptions{})).Err() == nil {
		t.Error("a command without an index name was built")
	}
	for name, q := range bad {
		cmd := Search("idx", q)
		if cmd.Err() == nil {
			t.Errorf("%s: built %q", name, cmd.Bytes())
			continue
		}
		if _, err := cmd.Decode(resp.Value{}, cmd.Err()); err == nil {
			t.Errorf("%s: decoding the unsent command gave no error", name)
		}
	}
}

func TestSearchEncodesEveryOption(t *testing.T) {
	q := NewQuery(Terms("hello world")).
		NoContent().Verbatim().NoStopWords().WithScores().WithPayloads().WithSortKeys().
		Filter("year", Exclusive(1990), PosInf).
		GeoFilter("loc", -0.12, 51.5, 5, Miles).
		InKeys("k1", "k2").InFields("title").
		Param("p", "v").
		SortBy("year", Desc).Limit(5, 20).
		Return("title").ReturnAs("year", "y").
		Summarize(SummarizeOptions{Fields: []string{"title"}, Frags: 2, Len: 10, Separator: "…"}).
		Highlight(HighlightOptions{Fields: []string{"title"}}).
		Slop(1).Timeout(1500e6).InOrder().Language("english").Expander("SYNONYM").
		Scorer("TFIDF").ExplainScore().Payload("pl").Dialect(3)
	want := []any{"FT.SEARCH", "idx", "hello world",
		"NOCONTENT", "VERBATIM", "NOSTOPWORDS", "WITHSCORES", "WITHPAYLOADS",
		"FILTER", "year", "(1990", "+inf",
		"GEOFILTER", "loc", "-0.12", "51.5", "5", "mi",
		"INKEYS", "2", "k1", "k2", "INFIELDS", "1", "title",
		"PARAMS", "2", "p", "v",
		"SORTBY", "year", "DESC", "WITHSORTKEYS", "LIMIT", "5", "20",
		"RETURN", "4", "title", "year", "AS", "y",
		"SUMMARIZE", "FIELDS", "1", "title", "FRAGS", "2", "LEN", "10", "SEPARATOR", "…",
		"HIGHLIGHT", "FIELDS", "1", "title",
		"SLOP", "1", "TIMEOUT", "1500", "INORDER", "LANGUAGE", "english", "EXPANDER", "SYNONYM",
		"SCORER", "TFIDF", "EXPLAINSCORE", "PAYLOAD", "pl", "DIALECT", "3"}
	wantBytes, err := resp.AppendCommand(nil, want...)
	if err != nil {
		t.Fatal(err)
	}
	if got := Search("idx", q).Bytes(); !bytes.Equal(got, wantBytes) {
		t.Errorf("got\n%q\nwant\n%q", got, wantBytes)
	}
	// A []float32 parameter is sent as its FLOAT32 encoding.
	vec := []float32{0.1, 0.2, 0.3}
	if a, b := Search("i", NewQuery(All).Param("v", vec)).Bytes(), Search("i", NewQuery(All).Param("v", EncodeFloat32(vec))).Bytes(); !bytes.Equal(a, b) {
		t.Errorf("[]float32 param: %q, want %q", a, b)
	}
	f64 := []float64{1.5}
	if a, b := Search("i", NewQuery(All).Param("v", f64)).Bytes(), Search("i", NewQuery(All).Param("v", EncodeFloat64(f64))).Bytes(); !bytes.Equal(a, b) {
		t.Errorf("[]float64 param: %q, want %q", a, b)
	}
	// RETURN 0
	ret0, _ := resp.AppendCommand(nil, "FT.SEARCH", "idx", "*", "RETURN", "0")
	if got := Search("idx", NewQuery(All).Return()).Bytes(); !bytes.Equal(got, ret0) {
		t.Errorf("Return(): %q", got)
	}
}

// TestSearchDecodesShapes covers the RESP2 layouts the captures do not
// have: payloads, explained scores, RETURN 0, JSON documents, and RESP3
// warnings.
func TestSearchDecodesShapes(t *testing.T) {
	bulk := func(s string) resp.Value { return resp.StringValue(s) }
	simple := func(s string) resp.Value { return resp.SimpleStringValue(s) }
	arr := func(vs ...resp.Value) resp.Value { return resp.ArrayValue(vs...) }
	mp := func(vs ...resp.Value) resp.Value { return resp.MapValue(vs...) }

	explain := arr(bulk("Final TFIDF : words TFIDF 1.00 * document score 1.00 / norm 1 / slop 1"),
		arr(arr(bulk("(Weight 1.00 * total children TFIDF 1.00)"), arr(bulk("(TFIDF 1.00 = Weight 1.00 * TF 1 * IDF 1.00)")))))
	wantExplain := &ScoreExplanation{
		Text: "Final TFIDF : words TFIDF 1.00 * document score 1.00 / norm 1 / slop 1",
		Details: []ScoreExplanation{{
			Text:    "(Weight 1.00 * total children TFIDF 1.00)",
			Details: []ScoreExplanation{{Text: "(TFIDF 1.00 = Weight 1.00 * TF 1 * IDF 1.00)"}},
		}},
	}
	tests := []struct {
		name  string
		q     *Query
		reply resp.Value
		want  SearchResult
	}{
		{"payloads and scores RESP2", NewQuery(All).WithScores().WithPayloads(),
			arr(resp.IntValue(1), bulk("d1"), bulk("2.5"), bulk("pay"), arr(bulk("f"), bulk("v"))),
			SearchResult{Total: 1, Docs: []Document{{ID: "d1", Score: 2.5, Payload: "pay", Fields: FieldValues{{Name: "f", Value: "v"}}}}}},
		{"null payload RESP2", NewQuery(All).WithPayloads().NoContent(),
			arr(resp.IntValue(1), bulk("d1"), resp.NullValue()),
			SearchResult{Total: 1, Docs: []Document{{ID: "d1"}}}},
		{"explain RESP2", NewQuery(All).WithScores().ExplainScore().NoContent(),
			arr(resp.IntValue(1), bulk("d1"), arr(bulk("1"), explain)),
			SearchResult{Total: 1, Docs: []Document{{ID: "d1", Score: 1, Explain: wantExplain}}}},
		{"explain RESP3", NewQuery(All).WithScores().ExplainScore().NoContent(),
			mp(simple("total_results"), resp.IntValue(1),
				simple("results"), arr(mp(simple("id"), bulk("d1"), simple("score"), arr(resp.FloatValue(1), explain)))),
			SearchResult{Total: 1, Docs: []Document{{ID: "d1", Score: 1, Explain: wantExplain}}}},
		{"RETURN 0 RESP2", NewQuery(All).Return(),
			arr(resp.IntValue(2), bulk("d1"), bulk("d2")),
			SearchResult{Total: 2, Docs: []Document{{ID: "d1"}, {ID: "d2"}}}},
		{"document gone before loading RESP2", NewQuery(All),
			arr(resp.IntValue(2), bulk("d1"), resp.NullValue(), bulk("d2"), arr(bulk("f"), bulk("v"))),
			SearchResult{Total: 2, Docs: []Document{{ID: "d1"}, {ID: "d2", Fields: FieldValues{{Name: "f", Value: "v"}}}}}},
		{"JSON RESP2", NewQuery(All),
			arr(resp.IntValue(1), bulk("j1"), arr(bulk("$"), bulk(`{"a":1}`))),
			SearchResult{Total: 1, Docs: []Document{{ID: "j1", Fields: FieldValues{{Name: "$", Value: `{"a":1}`}}}}}},
		{"JSON and warning RESP3", NewQuery(All),
			mp(simple("attributes"), arr(), simple("format"), simple("STRING"),
				simple("results"), arr(mp(simple("id"), bulk("j1"), simple("extra_attributes"), mp(bulk("$"), bulk(`{"a":1}`)), simple("values"), arr())),
				simple("total_results"), resp.IntValue(1),
				simple("warning"), arr(simple("Timeout limit was reached"))),
			SearchResult{Total: 1, Docs: []Document{{ID: "j1", Fields: FieldValues{{Name: "$", Value: `{"a":1}`}}}},
				Warnings: []string{"Timeout limit was reached"}}},
	}
	for _, tc := range tests {
		got, err := Search("idx", tc.q).Decode(tc.reply, nil)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s:\n got %#v\nwant %#v", tc.name, got, tc.want)
		}
	}

	if j, ok := tests[6].want.Docs[0].JSON(); !ok || j != `{"a":1}` {
		t.Errorf("Document.JSON() = %q, %v", j, ok)
	}
	if _, ok := tests[0].want.Docs[0].JSON(); ok {
		t.Error("a hash document has JSON")
	}

	// A reply that does not fit the options is an error, not a wrong value.
	bad := arr(resp.IntValue(2), bulk("d1"), bulk("d2"))
	if _, err := Search("idx", NewQuery(All).WithScores()).Decode(bad, nil); err == nil {
		t.Error("a NOCONTENT-shaped reply decoded as WITHSCORES")
	}
	if _, err := Search("idx", NewQuery(All).WithScores()).Decode(arr(resp.IntValue(1), bulk("d1")), nil); err == nil {
		t.Error("a reply ending before the score decoded")
	}
	if _, err := Search("idx", NewQuery(All)).Decode(resp.NullValue(), nil); !errors.Is(err, redis.ErrNil) {
		t.Errorf("null reply: %v", err)
	}
}

func TestFieldValues(t *testing.T) {
	fs := FieldValues{{Name: "a", Value: "1"}, {Name: "l", List: []string{"x"}}, {Name: "a", Value: "2"}}
	if v, ok := fs.Get("a"); !ok || v != "1" {
		t.Errorf("Get(a) = %q %v", v, ok)
	}
	if _, ok := fs.Get("zz"); ok {
		t.Error("Get(zz) found")
	}
	if m := fs.Map(); !reflect.DeepEqual(m, map[string]string{"a": "2"}) {
		t.Errorf("Map() = %v", m)
	}
}

func nan() float64 { return math.NaN() }
