package search

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/resp"
)

// FT.HYBRID (Redis 8.4 and later) runs a full-text search and a vector
// similarity search on one index and fuses their rankings. No server with
// the command has been recorded; the encoding follows the command's
// specification in Redis 8.8 (internal/gen/modules.json), and where the
// specification and the server's parser (RediSearch's parse_hybrid.c and
// hybrid_optional_args.c, and their tests) disagree, the parser:
//
//   - the vector clause's YIELD_SCORE_AS comes after the KNN or RANGE
//     block and its FILTER, outside the block's count (the specification
//     lists it inside the block; the server rejects it there);
//   - SORTBY takes a count and @properties, as in FT.AGGREGATE (SORTBY 2
//     @score DESC), where the specification shows SORTBY field [ASC|DESC];
//   - the final FILTER takes one expression, where the specification shows
//     a counted block with POLICY and BATCH_SIZE.
//
// hybrid_test.go checks every encoding against the specification's grammar
// after undoing exactly these three differences.

// HybridText is the full-text half of FT.HYBRID (SEARCH query [SCORER
// name] [YIELD_SCORE_AS name]).
type HybridText struct {
	// Query is the full-text query, as for FT.SEARCH.
	Query Expr
	// Scorer, when set, is the text scoring function (SCORER), such as
	// "BM25STD" (the default) or "TFIDF".
	Scorer string
	// ScoreAs, when set, names the text score for LOAD, APPLY and SORTBY
	// (YIELD_SCORE_AS).
	ScoreAs string
}

// HybridVector is the vector half of FT.HYBRID (VSIM @field $param [KNN
// ...|RANGE ...] [FILTER expr]).
type HybridVector struct {
	// Field is the VECTOR field, without "@".
	Field string
	// Param names the PARAMS entry holding the query vector (without
	// "$"); add it with HybridQuery.Param(name, EncodeFloat32(v)).
	Param string
	// KNN or Range (at most one) choose how neighbours are found; neither
	// leaves the server's default (KNN with K 10).
	KNN   *VectorKNN
	Range *VectorRange
	// Filter, when set, restricts the documents the vector search
	// considers (FILTER expr); it does not change scores.
	Filter Expr
	// ScoreAs, when set, names the vector distance for LOAD, APPLY and
	// SORTBY (YIELD_SCORE_AS, after the filter).
	ScoreAs string
}

// VectorKNN is the K-nearest-neighbours method of HybridVector: KNN count
// K k [EF_RUNTIME n] [SHARD_K_RATIO r], count being computed.
type VectorKNN struct {
	// K is the number of neighbours (at least 1).
	K int
	// EFRuntime, when above 0, sets EF_RUNTIME (HNSW fields).
	EFRuntime int
	// ShardKRatio, when above 0, sets SHARD_K_RATIO (Redis 8.6.1+: the
	// share of K each shard of a cluster returns).
	ShardKRatio float64
}

// VectorRange is the range method of HybridVector: RANGE count RADIUS r
// [EPSILON e], count being computed.
type VectorRange struct {
	// Radius is the largest distance matched.
	Radius float64
	// Epsilon, when above 0, sets EPSILON (HNSW search boundary).
	Epsilon float64
}

// HybridCombine is a fusion method for HybridQuery.Combine: RRF or
// Linear.
type HybridCombine interface {
	appendCombine(args []any) ([]any, error)
}

// RRF fuses the two rankings by reciprocal rank (COMBINE RRF count
// [CONSTANT c] [WINDOW n] [YIELD_SCORE_AS name]); the server's default
// method.
type RRF struct {
	// Constant, when above 0, is the rank constant (CONSTANT; default
	// 60).
	Constant float64
	// Window, when above 0, is how many results of each half are fused
	// (WINDOW; default 20).
	Window int
	// ScoreAs, when set, names the fused score (YIELD_SCORE_AS).
	ScoreAs string
}

// Linear fuses the two scores as Alpha × text + Beta × vector (COMBINE
// LINEAR count [ALPHA a BETA b] [WINDOW n] [YIELD_SCORE_AS name]).
type Linear struct {
	// Alpha and Beta weigh the text and vector scores; both zero leaves
	// the server's weights.
	Alpha, Beta float64
	// Window, when above 0, is how many results of each half are fused.
	Window int
	// ScoreAs, when set, names the fused score (YIELD_SCORE_AS).
	ScoreAs string
}

func (r RRF) appendCombine(args []any) ([]any, error) {
	var opts []any
	if r.Constant < 0 || math.IsNaN(r.Constant) || math.IsInf(r.Constant, 0) {
		return nil, fmt.Errorf("search: RRF Constant %v", r.Constant)
	}
	if r.Window < 0 {
		return nil, fmt.Errorf("search: RRF Window %d", r.Window)
	}
	if r.Constant > 0 {
		opts = append(opts, "CONSTANT", formatNumber(r.Constant))
	}
	if r.Window > 0 {
		opts = append(opts, "WINDOW", r.Window)
	}
	if r.ScoreAs != "" {
		opts = append(opts, "YIELD_SCORE_AS", r.ScoreAs)
	}
	args = append(args, "COMBINE", "RRF", len(opts))
	return append(args, opts...), nil
}

func (l Linear) appendCombine(args []any) ([]any, error) {
	if err := checkFinite("Linear weights", l.Alpha, l.Beta); err != nil {
		return nil, err
	}
	if l.Window < 0 {
		return nil, fmt.Errorf("search: Linear Window %d", l.Window)
	}
	var opts []any
	if l.Alpha != 0 || l.Beta != 0 {
		opts = append(opts, "ALPHA", formatNumber(l.Alpha), "BETA", formatNumber(l.Beta))
	}
	if l.Window > 0 {
		opts = append(opts, "WINDOW", l.Window)
	}
	if l.ScoreAs != "" {
		opts = append(opts, "YIELD_SCORE_AS", l.ScoreAs)
	}
	args = append(args, "COMBINE", "LINEAR", len(opts))
	return append(args, opts...), nil
}

// HybridQuery is an FT.HYBRID request. Build it with NewHybridQuery and the
// chained setters, which change h and return it:
//
//	h := search.NewHybridQuery(
//		search.HybridText{Query: search.Terms("space opera")},
//		search.HybridVector{Field: "vec", Param: "v", KNN: &search.VectorKNN{K: 10}},
//	).Param("v", search.EncodeFloat32(embedding)).
//		Combine(search.RRF{Window: 40, ScoreAs: "score"}).
//		SortBy(search.By("score", search.Desc)).
//		Load("title").
//		Limit(0, 5)
//
// Options are sent in the order of the command's specification whatever
// the order of the calls. A HybridQuery may be reused but must not be
// changed while another goroutine builds a command from it.
type HybridQuery struct {
	text   HybridText
	vector HybridVector

	combine     HybridCombine
	limitSet    bool
	offset, num int
	sortBy      []any
	noSort      bool
	params      []any
	timeout     time.Duration
	timeoutSet  bool
	format      string
	load        []any
	loadAll     bool
	groupBy     []any
	applies     [][]any
	filter      string
	err         error
}

// NewHybridQuery returns the FT.HYBRID request fusing text and vector.
func NewHybridQuery(text HybridText, vector HybridVector) *HybridQuery {
	return &HybridQuery{text: text, vector: vector}
}

func (h *HybridQuery) fail(err error) *HybridQuery {
	if h.err == nil {
		h.err = err
	}
	return h
}

// Combine sets the fusion method (COMBINE): RRF{...} or Linear{...}.
func (h *HybridQuery) Combine(m HybridCombine) *HybridQuery { h.combine = m; return h }

// Limit returns num results from offset (LIMIT; the server's default is
// 0 10).
func (h *HybridQuery) Limit(offset, num int) *HybridQuery {
	if offset < 0 || num < 0 {
		return h.fail(fmt.Errorf("search: Limit(%d, %d): negative", offset, num))
	}
	h.limitSet, h.offset, h.num = true, offset, num
	return h
}

// SortBy sorts the fused results by the keys, the first one first
// (SORTBY n @prop [ASC|DESC] ...); by default they come by fused score.
func (h *HybridQuery) SortBy(keys ...SortKey) *HybridQuery {
	if len(keys) == 0 {
		return h.fail(errors.New("search: SortBy needs at least one key"))
	}
	var by []any
	for _, k := range keys {
		if err := checkFieldName(k.Property); err != nil {
			return h.fail(err)
		}
		if err := checkOrder(k.Order); err != nil {
			return h.fail(err)
		}
		by = append(by, property(k.Property))
		if k.Order != "" {
			by = append(by, string(k.Order))
		}
	}
	h.sortBy, h.noSort = append([]any{"SORTBY", len(by)}, by...), false
	return h
}

// NoSort leaves the fused results unsorted (NOSORT).
func (h *HybridQuery) NoSort() *HybridQuery { h.noSort, h.sortBy = true, nil; return h }

// Param adds a query parameter (PARAMS): the query vector named by
// HybridVector.Param (a []float32 or []float64, or its encoding; see
// Query.Param), and any $name of the expressions.
func (h *HybridQuery) Param(name string, value any) *HybridQuery {
	if err := checkParamName(name); err != nil {
		return h.fail(err)
	}
	h.params = append(h.params, name, paramValue(value))
	return h
}

// Timeout bounds the run time on the server (TIMEOUT ms).
func (h *HybridQuery) Timeout(d time.Duration) *HybridQuery {
	if d < 0 {
		return h.fail(fmt.Errorf("search: Timeout(%v): negative", d))
	}
	h.timeout, h.timeoutSet = d, true
	return h
}

// Format sets the reply format (FORMAT), such as "STRING" or "EXPAND".
func (h *HybridQuery) Format(f string) *HybridQuery { h.format = f; return h }

// Load adds fields to each result (LOAD n @field ...); Load("*") loads
// them all (LOAD *). Without it a result holds the key and the score.
func (h *HybridQuery) Load(fields ...string) *HybridQuery {
	for _, f := range fields {
		if f == "*" {
			h.loadAll = true
			continue
		}
		if err := checkFieldName(f); err != nil {
			return h.fail(err)
		}
		h.load = append(h.load, property(f))
	}
	return h
}

// GroupBy groups the fused results (GROUPBY n @prop ... REDUCE ...), as
// Aggregation.GroupBy does; FT.HYBRID takes one GROUPBY.
func (h *HybridQuery) GroupBy(props []string, reducers ...Reducer) *HybridQuery {
	g := []any{"GROUPBY", len(props)}
	for _, p := range props {
		if err := checkFieldName(p); err != nil {
			return h.fail(err)
		}
		g = append(g, property(p))
	}
	for _, r := range reducers {
		var err error
		if g, err = r.appendArgs(g); err != nil {
			return h.fail(err)
		}
	}
	h.groupBy = g
	return h
}

// Apply computes a property from an expression (APPLY expr AS name); each
// call adds one.
func (h *HybridQuery) Apply(expr, name string) *HybridQuery {
	if expr == "" || name == "" {
		return h.fail(errors.New("search: Apply needs an expression and a name"))
	}
	h.applies = append(h.applies, []any{"APPLY", expr, "AS", name})
	return h
}

// Filter keeps the fused results for which the expression holds (FILTER
// expr), such as "@year > 2000".
func (h *HybridQuery) Filter(expr string) *HybridQuery {
	if expr == "" {
		return h.fail(errors.New("search: Filter needs an expression"))
	}
	h.filter = expr
	return h
}

// args returns the arguments of FT.HYBRID, or the first problem found.
func (h *HybridQuery) args(index string) ([]any, error) {
	if h == nil {
		return nil, errors.New("search: nil *HybridQuery")
	}
	if h.err != nil {
		return nil, h.err
	}
	if err := checkIndexName(index); err != nil {
		return nil, err
	}
	t, v := h.text, h.vector
	if t.Query.err != nil {
		return nil, t.Query.err
	}
	if t.Query.text == "" {
		return nil, errors.New("search: HybridText needs a Query")
	}
	args := []any{"FT.HYBRID", index, "SEARCH", t.Query.text}
	if t.Scorer != "" {
		args = append(args, "SCORER", t.Scorer)
	}
	if t.ScoreAs != "" {
		args = append(args, "YIELD_SCORE_AS", t.ScoreAs)
	}

	if err := checkFieldName(v.Field); err != nil {
		return nil, fmt.Errorf("search: HybridVector: %w", err)
	}
	if err := checkParamName(v.Param); err != nil {
		return nil, fmt.Errorf("search: HybridVector: %w", err)
	}
	args = append(args, "VSIM", fieldRef(v.Field), "$"+v.Param)
	switch {
	case v.KNN != nil && v.Range != nil:
		return nil, errors.New("search: HybridVector: KNN and Range together")
	case v.KNN != nil:
		k := v.KNN
		if k.K < 1 || k.EFRuntime < 0 || k.ShardKRatio < 0 || math.IsNaN(k.ShardKRatio) || math.IsInf(k.ShardKRatio, 0) {
			return nil, fmt.Errorf("search: VectorKNN %+v: K must be at least 1, the rest not negative", *k)
		}
		opts := []any{"K", k.K}
		if k.EFRuntime > 0 {
			opts = append(opts, "EF_RUNTIME", k.EFRuntime)
		}
		if k.ShardKRatio > 0 {
			opts = append(opts, "SHARD_K_RATIO", formatNumber(k.ShardKRatio))
		}
		args = append(append(args, "KNN", len(opts)), opts...)
	case v.Range != nil:
		r := v.Range
		if err := checkFinite("VectorRange", r.Radius, r.Epsilon); err != nil {
			return nil, err
		}
		if r.Radius < 0 || r.Epsilon < 0 {
			return nil, fmt.Errorf("search: VectorRange %+v: negative", *r)
		}
		opts := []any{"RADIUS", formatNumber(r.Radius)}
		if r.Epsilon > 0 {
			opts = append(opts, "EPSILON", formatNumber(r.Epsilon))
		}
		args = append(append(args, "RANGE", len(opts)), opts...)
	}
	if v.Filter.err != nil {
		return nil, v.Filter.err
	}
	if v.Filter.text != "" {
		args = append(args, "FILTER", v.Filter.text)
	}
	if v.ScoreAs != "" {
		args = append(args, "YIELD_SCORE_AS", v.ScoreAs)
	}

	if h.combine != nil {
		var err error
		if args, err = h.combine.appendCombine(args); err != nil {
			return nil, err
		}
	}
	if h.limitSet {
		args = append(args, "LIMIT", h.offset, h.num)
	}
	args = append(args, h.sortBy...)
	if h.noSort {
		args = append(args, "NOSORT")
	}
	if len(h.params) > 0 {
		args = append(append(args, "PARAMS", len(h.params)), h.params...)
	}
	if h.timeoutSet {
		args = append(args, "TIMEOUT", h.timeout.Milliseconds())
	}
	if h.format != "" {
		args = append(args, "FORMAT", h.format)
	}
	if len(h.load) > 0 {
		args = append(append(args, "LOAD", len(h.load)), h.load...)
	}
	if h.loadAll {
		args = append(args, "LOAD", "*")
	}
	args = append(args, h.groupBy...)
	for _, a := range h.applies {
		args = append(args, a...)
	}
	if h.filter != "" {
		args = append(args, "FILTER", h.filter)
	}
	return args, nil
}

// HybridResult is the reply of FT.HYBRID, the same Go value under RESP2
// and RESP3.
type HybridResult struct {
	// Total is the number of fused results.
	Total int64
	// Rows are the results in order: each the document's key ("__key"),
	// its fused score ("__score") and the loaded or computed properties.
	Rows []FieldValues
	// Warnings are the server's warnings (partial results after a
	// timeout, ...).
	Warnings []string
	// ExecutionTime is the server's run time of the query, in
	// milliseconds as the server reports it; it changes from run to run.
	ExecutionTime float64
}

// Hybrid returns the FT.HYBRID command for h on index, for pipelines and
// transactions; Client.Hybrid runs it.
func Hybrid(index string, h *HybridQuery) redis.Command[HybridResult] {
	args, err := h.args(index)
	if err != nil {
		return redis.CommandError("FT.HYBRID", err, decodeNothing[HybridResult])
	}
	return redis.NewCommand(decodeHybrid, args...)
}

// Hybrid runs FT.HYBRID for h on index (Redis 8.4+): a full-text and a
// vector search fused into one ranking.
func (c *Client) Hybrid(ctx context.Context, index string, h *HybridQuery) (HybridResult, error) {
	return run(ctx, c, Hybrid(index, h))
}

// decodeHybrid reads an FT.HYBRID reply: a map (RESP3) or its RESP2 form,
// an array of alternating keys and values, with total_results, results
// (each a map, or an array of alternating names and values), warnings and
// execution_time.
func decodeHybrid(v resp.Value, err error) (HybridResult, error) {
	if err := redis.ResultOf(v, err).Err(); err != nil {
		return HybridResult{}, err
	}
	kvs, err := keyValues(v)
	if err != nil {
		return HybridResult{}, resultShapeError("FT.HYBRID", "%v", err)
	}
	var r HybridResult
	sawTotal := false
	for _, kv := range kvs {
		var err error
		switch kv.Key {
		case "total_results":
			r.Total, err = resultInt("FT.HYBRID", "total_results", kv.Value)
			sawTotal = true
		case "results":
			if kv.Value.Type() != resp.Array {
				return HybridResult{}, resultShapeError("FT.HYBRID", "results is a %s", kv.Value.Type())
			}
			for _, e := range kv.Value.Elems() {
				row, err := resultFields("FT.HYBRID", e)
				if err != nil {
					return HybridResult{}, err
				}
				r.Rows = append(r.Rows, row)
			}
		case "warnings", "warning":
			r.Warnings, err = resultStrings("FT.HYBRID", kv.Value)
		case "execution_time":
			r.ExecutionTime, err = resultFloat("FT.HYBRID", "execution_time", kv.Value)
		}
		if err != nil {
			return HybridResult{}, err
		}
	}
	if !sawTotal {
		return HybridResult{}, resultShapeError("FT.HYBRID", "no total_results")
	}
	return r, nil
}
