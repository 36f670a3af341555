package search

import (
	"bytes"
	"reflect"
	"testing"
	"time"

	"github.com/respkit/redis/resp"
)

func row(kv ...string) FieldValues {
	var fs FieldValues
	for i := 0; i+1 < len(kv); i += 2 {
		fs = append(fs, FieldValue{Name: kv[i], Value: kv[i+1]})
	}
	return fs
}

func aggregateCases() []struct {
	name string
	a    *Aggregation
	want AggregateResult
} {
	return []struct {
		name string
		a    *Aggregation
		want AggregateResult
	}{
		{"ft_aggregate_groupby",
			NewAggregation(All).Load("genre").Apply("split(@genre)", "g").
				GroupBy([]string{"g"}, Count().As("n")).SortBy(By("n", Desc)),
			AggregateResult{Total: 5, Rows: []FieldValues{
				row("g", "action", "n", "3"), row("g", "scifi", "n", "2"), row("g", "crime", "n", "1"),
				row("g", "romance", "n", "1"), row("g", "drama", "n", "1"),
			}}},
		{"ft_aggregate_apply_filter",
			NewAggregation(All).Load("year", "rating").Apply("@rating * 10", "r10").
				Filter("@year > 2000").SortBy(By("year", Asc)),
			// Total counts the rows before FILTER (4), under both protocols.
			AggregateResult{Total: 4, Rows: []FieldValues{
				row("year", "2003", "rating", "7.2", "r10", "72"),
				row("year", "2005", "rating", "7.8", "r10", "78"),
			}}},
	}
}

func TestAggregateWithCursorChecksTheAggregation(t *testing.T) {
	if Aggregate("idx", NewAggregation(All).WithCursor(CursorOptions{})).Err() == nil {
		t.Error("Aggregate accepted an Aggregation WithCursor")
	}
	if AggregateWithCursor("idx", NewAggregation(All)).Err() == nil {
		t.Error("AggregateWithCursor accepted an Aggregation without WithCursor")
	}
}

func TestAggregateEncodesEveryOption(t *testing.T) {
	a := NewAggregation(Terms("hello")).Verbatim().AddScores().Scorer("BM25").
		Load("*").Load("title", "@year", "$.tags").LoadAs("rating", "r").Timeout(250*time.Millisecond).
		GroupBy([]string{"genre", "year"},
			Count().As("n"), CountDistinct("title"), CountDistinctish("title").As("cd"),
			Sum("rating"), Min("rating"), Max("rating"), Avg("rating"), StdDev("rating"),
			Quantile("rating", 0.5).As("median"), ToList("title"),
			FirstValue("title"), FirstValueBy("title", "rating", Desc).As("best"),
			RandomSample("title", 3)).
		GroupBy(nil, Count()).
		Apply("@n * 2", "n2").Filter("@n > 1").
		SortByMax(10, By("n", Desc), By("genre", "")).
		Limit(0, 5).
		WithCursor(CursorOptions{Count: 100, MaxIdle: 2 * time.Second}).
		Param("x", 1).Dialect(2)
	want := []any{"FT.AGGREGATE", "idx", "hello", "VERBATIM", "ADDSCORES", "SCORER", "BM25",
		"LOAD", "*", "LOAD", "6", "@title", "@year", "$.tags", "@rating", "AS", "r", "TIMEOUT", "250",
		"GROUPBY", "2", "@genre", "@year",
		"REDUCE", "COUNT", "0", "AS", "n",
		"REDUCE", "COUNT_DISTINCT", "1", "@title",
		"REDUCE", "COUNT_DISTINCTISH", "1", "@title", "AS", "cd",
		"REDUCE", "SUM", "1", "@rating", "REDUCE", "MIN", "1", "@rating", "REDUCE", "MAX", "1", "@rating",
		"REDUCE", "AVG", "1", "@rating", "REDUCE", "STDDEV", "1", "@rating",
		"REDUCE", "QUANTILE", "2", "@rating", "0.5", "AS", "median",
		"REDUCE", "TOLIST", "1", "@title",
		"REDUCE", "FIRST_VALUE", "1", "@title",
		"REDUCE", "FIRST_VALUE", "4", "@title", "BY", "@rating", "DESC", "AS", "best",
		"REDUCE", "RANDOM_SAMPLE", "2", "@title", "3",
		"GROUPBY", "0", "REDUCE", "COUNT", "0",
		"APPLY", "@n * 2", "AS", "n2", "FILTER", "@n > 1",
		"SORTBY", "3", "@n", "DESC", "@genre", "MAX", "10",
		"LIMIT", "0", "5",
		"WITHCURSOR", "COUNT", "100", "MAXIDLE", "2000",
		"PARAMS", "2", "x", "1", "DIALECT", "2"}
	wantBytes, err := resp.AppendCommand(nil, want...)
	if err != nil {
		t.Fatal(err)
	}
	got := AggregateWithCursor("idx", a)
	if got.Err() != nil {
		t.Fatal(got.Err())
	}
	if !bytes.Equal(got.Bytes(), wantBytes) {
		t.Errorf("got\n%q\nwant\n%q", got.Bytes(), wantBytes)
	}
}

func TestAggregateRejectsBadInput(t *testing.T) {
	bad := map[string]*Aggregation{
		"nil":             nil,
		"empty expr":      NewAggregation(Expr{}),
		"quantile 2":      NewAggregation(All).GroupBy([]string{"g"}, Quantile("x", 2)),
		"zero reducer":    NewAggregation(All).GroupBy([]string{"g"}, Reducer{}),
		"sample 0":        NewAggregation(All).GroupBy([]string{"g"}, RandomSample("x", 0)),
		"empty prop":      NewAggregation(All).GroupBy([]string{""}),
		"sort nothing":    NewAggregation(All).SortBy(),
		"bad order":       NewAggregation(All).SortBy(By("x", "SIDEWAYS")),
		"apply no name":   NewAggregation(All).Apply("@x", ""),
		"negative limit":  NewAggregation(All).Limit(0, -1),
		"negative cursor": NewAggregation(All).WithCursor(CursorOptions{Count: -1}),
	}
	for name, a := range bad {
		if cmd := Aggregate("idx", a); cmd.Err() == nil {
			t.Errorf("%s: built %q", name, cmd.Bytes())
		}
	}
}

// TestAggregateDecodesLists covers list values (TOLIST, split) and nulls
// under both protocols.
func TestAggregateDecodesLists(t *testing.T) {
	s := resp.StringValue
	r2 := resp.ArrayValue(resp.IntValue(1),
		resp.ArrayValue(s("g"), s("action"), s("titles"), resp.ArrayValue(s("Heat"), s("The Matrix")), s("missing"), resp.NullValue()))
	r3 := resp.MapValue(
		resp.SimpleStringValue("total_results"), resp.IntValue(1),
		resp.SimpleStringValue("results"), resp.ArrayValue(resp.MapValue(
			resp.SimpleStringValue("extra_attributes"), resp.MapValue(s("g"), s("action"), s("titles"), resp.ArrayValue(s("Heat"), s("The Matrix")), s("missing"), resp.NullValue()),
			resp.SimpleStringValue("values"), resp.ArrayValue())),
		resp.SimpleStringValue("warning"), resp.ArrayValue())
	want := AggregateResult{Total: 1, Rows: []FieldValues{{
		{Name: "g", Value: "action"}, {Name: "titles", List: []string{"Heat", "The Matrix"}}, {Name: "missing"},
	}}}
	for _, v := range []resp.Value{r2, r3} {
		got, err := decodeAggregate(v, nil)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("got %#v, %v", got, err)
		}
	}
}
