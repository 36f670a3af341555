package search

import (
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/respkit/redis/resp"
)

// specArg is one argument of a command's specification (COMMAND DOCS
// shape), as internal/gen/modules.json keeps it.
type specArg struct {
	Name      string    `json:"name"`
	Type      string    `json:"type"`
	Token     string    `json:"token"`
	Optional  bool      `json:"optional"`
	Multiple  bool      `json:"multiple"`
	Expr      bool      `json:"expression"`
	Arguments []specArg `json:"arguments"`
}

// loadSpec returns the specification of a module command from the
// repository's trimmed copy of the module specs.
func loadSpec(t *testing.T, name string) []specArg {
	t.Helper()
	raw, err := os.ReadFile("../../internal/gen/modules.json")
	if err != nil {
		t.Fatal(err)
	}
	var all map[string]struct {
		Arguments []specArg `json:"arguments"`
	}
	if err := json.Unmarshal(raw, &all); err != nil {
		t.Fatal(err)
	}
	cmd, ok := all[name]
	if !ok {
		t.Fatalf("no %s in the spec", name)
	}
	return cmd.Arguments
}

// specMatch returns every position at which args[i:] can stop after
// matching the spec arguments in sequence (a small backtracking parser of
// the COMMAND DOCS grammar).
func specMatch(args []string, i int, seq []specArg) []int {
	ends := []int{i}
	for _, a := range seq {
		var next []int
		for _, p := range ends {
			next = append(next, matchArg(args, p, a)...)
		}
		ends = dedupe(next)
		if len(ends) == 0 {
			return nil
		}
	}
	return ends
}

func matchArg(args []string, i int, a specArg) []int {
	once := func(p int) []int { return matchOnce(args, p, a) }
	var ends []int
	if a.Optional {
		ends = append(ends, i)
	}
	cur := once(i)
	ends = append(ends, cur...)
	for a.Multiple && len(cur) > 0 {
		var more []int
		for _, p := range cur {
			for _, q := range once(p) {
				if q > p {
					more = append(more, q)
				}
			}
		}
		cur = dedupe(more)
		ends = append(ends, cur...)
	}
	return dedupe(ends)
}

func matchOnce(args []string, i int, a specArg) []int {
	// The token comes first, for every type but pure-token (which is
	// only its token); "LOAD *" is two words.
	if a.Token != "" && (a.Type != "function" || a.Expr) {
		for _, w := range strings.Fields(a.Token) {
			if i >= len(args) || !strings.EqualFold(args[i], w) {
				return nil
			}
			i++
		}
		if a.Type == "pure-token" {
			return []int{i}
		}
	}
	if a.Expr { // an expression: one argument, whatever its grammar
		if i >= len(args) {
			return nil
		}
		return []int{i + 1}
	}
	switch a.Type {
	case "block":
		return specMatch(args, i, a.Arguments)
	case "oneof":
		var ends []int
		for _, c := range a.Arguments {
			ends = append(ends, matchArg(args, i, specArg{Name: c.Name, Type: c.Type, Token: c.Token, Arguments: c.Arguments, Expr: c.Expr, Multiple: c.Multiple})...)
		}
		return dedupe(ends)
	case "integer":
		if i < len(args) {
			if _, err := strconv.ParseInt(args[i], 10, 64); err == nil {
				return []int{i + 1}
			}
		}
		return nil
	case "double":
		if i < len(args) {
			if _, err := strconv.ParseFloat(args[i], 64); err == nil {
				return []int{i + 1}
			}
		}
		return nil
	default: // string, key, pattern...
		if i < len(args) {
			return []int{i + 1}
		}
		return nil
	}
}

func dedupe(xs []int) []int {
	seen := map[int]bool{}
	var out []int
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// matchesSpec reports whether args (after the command name) are a
// complete, valid use of the specified arguments.
func matchesSpec(spec []specArg, args []string) bool {
	for _, end := range specMatch(args, 0, spec) {
		if end == len(args) {
			return true
		}
	}
	return false
}

// commandArgs splits an encoded command back into its arguments.
func commandArgs(t *testing.T, enc []byte) []string {
	t.Helper()
	v, err := resp.NewReader(strings.NewReader(string(enc)), resp.Limits{}).Read()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range v.Elems() {
		out = append(out, e.String())
	}
	return out
}

func hybridCases() []struct {
	name string
	h    *HybridQuery
	want []string
} {
	vec := EncodeFloat32([]float32{0.1, 0.2, 0.3})
	return []struct {
		name string
		h    *HybridQuery
		want []string
	}{
		{"minimal",
			NewHybridQuery(HybridText{Query: Terms("matrix")}, HybridVector{Field: "vec", Param: "v"}).Param("v", vec),
			[]string{"FT.HYBRID", "idx", "SEARCH", "matrix", "VSIM", "@vec", "$v", "PARAMS", "2", "v", string(vec)}},
		{"knn and rrf",
			NewHybridQuery(
				HybridText{Query: In("title", Terms("the matrix")), Scorer: "BM25STD", ScoreAs: "text_score"},
				HybridVector{Field: "vec", Param: "v", KNN: &VectorKNN{K: 10, EFRuntime: 100, ShardKRatio: 0.5},
					Filter: Tag("genre", "sci fi"), ScoreAs: "vec_score"},
			).Combine(RRF{Constant: 60, Window: 40, ScoreAs: "fused"}).
				SortBy(By("fused", Desc)).Limit(0, 5).Param("v", vec).Timeout(2*time.Second).
				Load("title", "year").Apply("@fused * 2", "f2").Filter("@year > 1990"),
			[]string{"FT.HYBRID", "idx", "SEARCH", "@title:(the matrix)", "SCORER", "BM25STD", "YIELD_SCORE_AS", "text_score",
				"VSIM", "@vec", "$v", "KNN", "6", "K", "10", "EF_RUNTIME", "100", "SHARD_K_RATIO", "0.5",
				"FILTER", `@genre:{sci\ fi}`, "YIELD_SCORE_AS", "vec_score",
				"COMBINE", "RRF", "6", "CONSTANT", "60", "WINDOW", "40", "YIELD_SCORE_AS", "fused",
				"LIMIT", "0", "5", "SORTBY", "2", "@fused", "DESC", "PARAMS", "2", "v", string(vec), "TIMEOUT", "2000",
				"LOAD", "2", "@title", "@year", "APPLY", "@fused * 2", "AS", "f2", "FILTER", "@year > 1990"}},
		{"range and linear",
			NewHybridQuery(HybridText{Query: All}, HybridVector{Field: "vec", Param: "v", Range: &VectorRange{Radius: 0.8, Epsilon: 0.1}, ScoreAs: "d"}).
				Combine(Linear{Alpha: 0.7, Beta: 0.3, Window: 10}).NoSort().Param("v", vec).Format("STRING").
				Load("*").GroupBy([]string{"genre"}, Count().As("n")),
			[]string{"FT.HYBRID", "idx", "SEARCH", "*", "VSIM", "@vec", "$v", "RANGE", "4", "RADIUS", "0.8", "EPSILON", "0.1", "YIELD_SCORE_AS", "d",
				"COMBINE", "LINEAR", "6", "ALPHA", "0.7", "BETA", "0.3", "WINDOW", "10", "NOSORT",
				"PARAMS", "2", "v", string(vec), "FORMAT", "STRING", "LOAD", "*",
				"GROUPBY", "1", "@genre", "REDUCE", "COUNT", "0", "AS", "n"}},
		{"two sort keys",
			NewHybridQuery(HybridText{Query: Terms("x")}, HybridVector{Field: "v", Param: "q"}).SortBy(By("a", Asc), By("b", "")).Param("q", "blob"),
			[]string{"FT.HYBRID", "idx", "SEARCH", "x", "VSIM", "@v", "$q", "SORTBY", "3", "@a", "ASC", "@b", "PARAMS", "2", "q", "blob"}},
		{"empty combine",
			NewHybridQuery(HybridText{Query: Terms("x")}, HybridVector{Field: "v", Param: "q", KNN: &VectorKNN{K: 3}}).Combine(RRF{}).Param("q", "blob"),
			[]string{"FT.HYBRID", "idx", "SEARCH", "x", "VSIM", "@v", "$q", "KNN", "2", "K", "3", "COMBINE", "RRF", "0", "PARAMS", "2", "q", "blob"}},
	}
}

// asSpecified rewrites an FT.HYBRID argument list (after the command name)
// into the spelling of the Redis 8.8 specification, undoing the three
// places where the package follows the server's parser instead (see
// hybrid.go): the vector YIELD_SCORE_AS moves back into the KNN/RANGE
// block before FILTER, SORTBY n @a [ORDER] becomes SORTBY a [ORDER] (one
// key only), and the final FILTER expr gets its count (FILTER 1 expr).
func asSpecified(t *testing.T, args []string) []string {
	t.Helper()
	out := append([]string(nil), args...)
	vsim := slices.Index(out, "VSIM")
	// The vector clause ends at the first keyword after it that starts
	// the rest of the command.
	end := len(out)
	for i := vsim + 3; i < len(out); i++ {
		if slices.Contains([]string{"COMBINE", "LIMIT", "SORTBY", "NOSORT", "PARAMS", "TIMEOUT", "FORMAT", "LOAD", "GROUPBY", "APPLY"}, out[i]) {
			end = i
			break
		}
	}
	if y := slices.Index(out[vsim:end], "YIELD_SCORE_AS"); y >= 0 {
		y += vsim
		if f := slices.Index(out[vsim:end], "FILTER"); f >= 0 && f+vsim < y {
			f += vsim
			yield := []string{out[y], out[y+1]}
			out = slices.Delete(out, y, y+2)
			out = slices.Insert(out, f, yield...)
		}
	}
	if s := slices.Index(out, "SORTBY"); s >= 0 {
		n, err := strconv.Atoi(out[s+1])
		if err != nil || n > 2 || !strings.HasPrefix(out[s+2], "@") {
			return nil // more than one key: the specification cannot say it
		}
		field := strings.TrimPrefix(out[s+2], "@")
		out = slices.Replace(out, s+1, s+3, field)
	}
	if f := slices.Index(out[end:], "FILTER"); end < len(out) && f >= 0 {
		f += end
		out = slices.Insert(out, f+1, "1")
	}
	return out
}

// TestHybridEncodesPerSpec checks each built FT.HYBRID against the
// expected arguments and, through asSpecified, against the Redis 8.8
// specification of the command (internal/gen/modules.json): the argument
// list must parse with the specification's grammar, and the counts after
// KNN, RANGE, RRF and LINEAR must equal the number of arguments they
// introduce.
func TestHybridEncodesPerSpec(t *testing.T) {
	spec := loadSpec(t, "FT.HYBRID")
	checked := 0
	for _, tc := range hybridCases() {
		cmd := Hybrid("idx", tc.h)
		if cmd.Err() != nil {
			t.Errorf("%s: %v", tc.name, cmd.Err())
			continue
		}
		got := commandArgs(t, cmd.Bytes())
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
		checkHybridCounts(t, tc.name, got)
		specified := asSpecified(t, got[1:])
		if specified == nil {
			continue
		}
		if !matchesSpec(spec, specified) {
			t.Errorf("%s: %q does not parse with the FT.HYBRID specification", tc.name, specified)
		}
		checked++
	}
	t.Logf("%d/%d FT.HYBRID encodings parse with the specification's grammar (the rest sort by several keys, which it cannot spell)", checked, len(hybridCases()))
	// The grammar check has teeth: these do not parse.
	for _, bad := range [][]string{
		{"idx", "VSIM", "@v", "$q", "SEARCH", "x"},
		{"idx", "SEARCH", "x", "VSIM", "@v", "$q", "KNN", "2", "EF_RUNTIME", "3"},
		{"idx", "SEARCH", "x", "VSIM", "@v", "$q", "COMBINE", "RRF", "WINDOW", "3"},
		{"idx", "SEARCH", "x", "VSIM", "@v", "$q", "NOSORT", "LIMIT", "0", "1"},
	} {
		if matchesSpec(spec, bad) {
			t.Errorf("%q parsed with the FT.HYBRID specification", bad)
		}
	}
}

// checkHybridCounts checks the counted clauses: KNN n, RANGE n, RRF n,
// LINEAR n and SORTBY n each introduce n arguments, which end where the
// next keyword of the command begins.
func checkHybridCounts(t *testing.T, name string, args []string) {
	t.Helper()
	next := map[string]bool{"FILTER": true, "YIELD_SCORE_AS": true, "COMBINE": true, "LIMIT": true, "SORTBY": true, "NOSORT": true,
		"PARAMS": true, "TIMEOUT": true, "FORMAT": true, "LOAD": true, "GROUPBY": true, "APPLY": true}
	for i, a := range args {
		switch a {
		case "KNN", "RANGE", "RRF", "LINEAR", "SORTBY":
		default:
			continue
		}
		n, err := strconv.Atoi(args[i+1])
		if err != nil {
			t.Errorf("%s: %s is not followed by a count", name, a)
			continue
		}
		end := i + 2 + n
		if end > len(args) || (end < len(args) && !next[args[end]]) {
			t.Errorf("%s: %s %d does not end at a keyword (%q)", name, a, n, args[i+2:])
		}
	}
}

func TestHybridRejectsBadInput(t *testing.T) {
	text, vec := HybridText{Query: Terms("x")}, HybridVector{Field: "v", Param: "q"}
	bad := map[string]*HybridQuery{
		"nil":            nil,
		"no query":       NewHybridQuery(HybridText{}, vec),
		"no field":       NewHybridQuery(text, HybridVector{Param: "q"}),
		"bad param":      NewHybridQuery(text, HybridVector{Field: "v", Param: "$q"}),
		"knn and range":  NewHybridQuery(text, HybridVector{Field: "v", Param: "q", KNN: &VectorKNN{K: 1}, Range: &VectorRange{Radius: 1}}),
		"zero K":         NewHybridQuery(text, HybridVector{Field: "v", Param: "q", KNN: &VectorKNN{}}),
		"bad filter":     NewHybridQuery(text, HybridVector{Field: "v", Param: "q", Filter: Tag("t")}),
		"negative limit": NewHybridQuery(text, vec).Limit(-1, 1),
		"empty filter":   NewHybridQuery(text, vec).Filter(""),
		"no sort keys":   NewHybridQuery(text, vec).SortBy(),
		"bad rrf":        NewHybridQuery(text, vec).Combine(RRF{Window: -1}),
	}
	for name, h := range bad {
		if cmd := Hybrid("idx", h); cmd.Err() == nil {
			t.Errorf("%s: built %q", name, cmd.Bytes())
		}
	}
}

// TestHybridDecodes decodes the documented reply shapes: a RESP3 map and
// its RESP2 form (alternating keys and values), to the same value.
func TestHybridDecodes(t *testing.T) {
	s, ss := resp.StringValue, resp.SimpleStringValue
	r3 := resp.MapValue(
		ss("total_results"), resp.IntValue(2),
		ss("results"), resp.ArrayValue(
			resp.MapValue(s("__key"), s("movie:1"), s("__score"), s("0.0327"), s("title"), s("The Matrix")),
			resp.MapValue(s("__key"), s("movie:2"), s("__score"), s("0.0161"), s("title"), s("The Matrix Reloaded"))),
		ss("warnings"), resp.ArrayValue(),
		ss("execution_time"), resp.FloatValue(0.25))
	r2 := resp.ArrayValue(
		s("total_results"), resp.IntValue(2),
		s("results"), resp.ArrayValue(
			resp.ArrayValue(s("__key"), s("movie:1"), s("__score"), s("0.0327"), s("title"), s("The Matrix")),
			resp.ArrayValue(s("__key"), s("movie:2"), s("__score"), s("0.0161"), s("title"), s("The Matrix Reloaded"))),
		s("warnings"), resp.ArrayValue(),
		s("execution_time"), s("0.25"))
	want := HybridResult{Total: 2, ExecutionTime: 0.25, Rows: []FieldValues{
		row("__key", "movie:1", "__score", "0.0327", "title", "The Matrix"),
		row("__key", "movie:2", "__score", "0.0161", "title", "The Matrix Reloaded"),
	}}
	for i, v := range []resp.Value{r2, r3} {
		got, err := decodeHybrid(v, nil)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("RESP%d: got %#v, %v", i+2, got, err)
		}
	}
	if _, err := decodeHybrid(resp.ErrorValue("ERR unknown command 'FT.HYBRID'"), nil); err == nil || !strings.Contains(err.Error(), "unknown command") {
		t.Errorf("error reply: %v", err)
	}
	if _, err := decodeHybrid(resp.ArrayValue(s("results")), nil); err == nil {
		t.Error("odd array decoded")
	}
}
