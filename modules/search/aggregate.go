package search

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/resp"
)

// Aggregation is an FT.AGGREGATE request: a query, the fields to load, and
// a pipeline of steps (Apply, GroupBy, Filter, SortBy, Limit) run in the
// order they were added. Build it with NewAggregation and the chained
// setters, which change a and return it:
//
//	a := search.NewAggregation(search.All).
//		Load("genre").
//		Apply("split(@genre)", "g").
//		GroupBy([]string{"g"}, search.Count().As("n")).
//		SortBy(search.By("n", search.Desc))
//
// Property names are given without "@" (one is added; a name that already
// has it, or a JSONPath starting with "$", is kept as it is). The options that are not steps are sent in a
// fixed place whatever the order of the calls. An Aggregation may be
// reused for any number of commands but must not be changed while another
// goroutine builds a command from it.
type Aggregation struct {
	expr Expr

	verbatim  bool
	addScores bool
	scorer    string
	load      []any
	loadAll   bool
	timeout   time.Duration
	timeoutOn bool

	steps [][]any

	cursor   bool
	cursorBy CursorOptions
	params   []any
	dialect  int
	err      error
}

// NewAggregation returns an Aggregation over the documents matching expr.
func NewAggregation(expr Expr) *Aggregation { return &Aggregation{expr: expr} }

func (a *Aggregation) fail(err error) *Aggregation {
	if a.err == nil {
		a.err = err
	}
	return a
}

// property returns name as a property reference: "@name", unless it
// already starts with "@", or with "$" (a JSONPath, which LOAD takes as
// it is).
func property(name string) string {
	if strings.HasPrefix(name, "@") || strings.HasPrefix(name, "$") {
		return name
	}
	return "@" + name
}

// Verbatim turns off stemming of the query terms (VERBATIM).
func (a *Aggregation) Verbatim() *Aggregation { a.verbatim = true; return a }

// AddScores adds each document's score as the property @__score
// (ADDSCORES).
func (a *Aggregation) AddScores() *Aggregation { a.addScores = true; return a }

// Scorer sets the scoring function (SCORER), used with AddScores.
func (a *Aggregation) Scorer(name string) *Aggregation { a.scorer = name; return a }

// Load loads document fields into the rows (LOAD n @field ...); Load("*")
// loads every field (LOAD *). Only SORTABLE fields are in the rows without
// it. Each call adds fields.
func (a *Aggregation) Load(fields ...string) *Aggregation {
	for _, f := range fields {
		if f == "*" {
			a.loadAll = true
			continue
		}
		if err := checkFieldName(f); err != nil {
			return a.fail(err)
		}
		a.load = append(a.load, property(f))
	}
	return a
}

// LoadAs loads one field under another name (LOAD ... @field AS name).
func (a *Aggregation) LoadAs(fieldName, name string) *Aggregation {
	if err := checkFieldName(fieldName); err != nil {
		return a.fail(err)
	}
	a.load = append(a.load, property(fieldName), "AS", name)
	return a
}

// Timeout bounds the query's run time on the server (TIMEOUT ms); 0 means
// no limit.
func (a *Aggregation) Timeout(d time.Duration) *Aggregation {
	if d < 0 {
		return a.fail(fmt.Errorf("search: Timeout(%v): negative", d))
	}
	a.timeout, a.timeoutOn = d, true
	return a
}

// Reducer is one REDUCE of a GroupBy: a function over the rows of each
// group, built by Count, Sum, Avg, ... and named with As.
type Reducer struct {
	fn   string
	args []any
	as   string
	err  error
}

// As names the reducer's result property (AS name); without it the server
// makes up a name such as "__generated_aliascount".
func (r Reducer) As(name string) Reducer { r.as = name; return r }

func reducer(fn string, args ...any) Reducer { return Reducer{fn: fn, args: args} }

func propReducer(fn, prop string, more ...any) Reducer {
	if err := checkFieldName(prop); err != nil {
		return Reducer{fn: fn, err: fmt.Errorf("search: REDUCE %s: %w", fn, err)}
	}
	return reducer(fn, append([]any{property(prop)}, more...)...)
}

// Count counts the rows of each group (REDUCE COUNT 0).
func Count() Reducer { return reducer("COUNT") }

// CountDistinct counts the distinct values of prop (COUNT_DISTINCT).
func CountDistinct(prop string) Reducer { return propReducer("COUNT_DISTINCT", prop) }

// CountDistinctish estimates the distinct values of prop with a
// HyperLogLog (COUNT_DISTINCTISH).
func CountDistinctish(prop string) Reducer { return propReducer("COUNT_DISTINCTISH", prop) }

// Sum adds up prop (SUM).
func Sum(prop string) Reducer { return propReducer("SUM", prop) }

// Min is the smallest value of prop (MIN).
func Min(prop string) Reducer { return propReducer("MIN", prop) }

// Max is the largest value of prop (MAX).
func Max(prop string) Reducer { return propReducer("MAX", prop) }

// Avg is the mean of prop (AVG).
func Avg(prop string) Reducer { return propReducer("AVG", prop) }

// StdDev is the standard deviation of prop (STDDEV).
func StdDev(prop string) Reducer { return propReducer("STDDEV", prop) }

// Quantile is the q-quantile of prop, q between 0 and 1 (QUANTILE): 0.5 is
// the median.
func Quantile(prop string, q float64) Reducer {
	if math.IsNaN(q) || q < 0 || q > 1 {
		return Reducer{fn: "QUANTILE", err: fmt.Errorf("search: REDUCE QUANTILE: %v is not between 0 and 1", q)}
	}
	return propReducer("QUANTILE", prop, formatNumber(q))
}

// ToList collects the distinct values of prop into a list (TOLIST); each
// row's FieldValue.List holds it.
func ToList(prop string) Reducer { return propReducer("TOLIST", prop) }

// FirstValue is the value of prop in the first row of the group
// (FIRST_VALUE); FirstValueBy orders the rows first.
func FirstValue(prop string) Reducer { return propReducer("FIRST_VALUE", prop) }

// FirstValueBy is the value of prop in the first row of the group when the
// rows are sorted by another property (FIRST_VALUE @prop BY @by
// [ASC|DESC]).
func FirstValueBy(prop, by string, order Order) Reducer {
	if err := checkFieldName(by); err != nil {
		return Reducer{fn: "FIRST_VALUE", err: fmt.Errorf("search: REDUCE FIRST_VALUE: %w", err)}
	}
	if err := checkOrder(order); err != nil {
		return Reducer{fn: "FIRST_VALUE", err: err}
	}
	more := []any{"BY", property(by)}
	if order != "" {
		more = append(more, string(order))
	}
	return propReducer("FIRST_VALUE", prop, more...)
}

// RandomSample picks up to size random values of prop (RANDOM_SAMPLE).
func RandomSample(prop string, size int) Reducer {
	if size < 1 {
		return Reducer{fn: "RANDOM_SAMPLE", err: fmt.Errorf("search: REDUCE RANDOM_SAMPLE: size %d, want at least 1", size)}
	}
	return propReducer("RANDOM_SAMPLE", prop, size)
}

func (r Reducer) appendArgs(args []any) ([]any, error) {
	if r.err != nil {
		return nil, r.err
	}
	if r.fn == "" {
		return nil, errors.New("search: zero Reducer (use Count, Sum, ...)")
	}
	args = append(args, "REDUCE", r.fn, len(r.args))
	args = append(args, r.args...)
	if r.as != "" {
		args = append(args, "AS", r.as)
	}
	return args, nil
}

// GroupBy groups the rows by the given properties and reduces each group
// to one row with the reducers (GROUPBY n @prop ... REDUCE ...). No
// properties makes one group of all rows.
func (a *Aggregation) GroupBy(props []string, reducers ...Reducer) *Aggregation {
	step := []any{"GROUPBY", len(props)}
	for _, p := range props {
		if err := checkFieldName(p); err != nil {
			return a.fail(err)
		}
		step = append(step, property(p))
	}
	for _, r := range reducers {
		var err error
		if step, err = r.appendArgs(step); err != nil {
			return a.fail(err)
		}
	}
	a.steps = append(a.steps, step)
	return a
}

// Apply computes a new property name from an expression over the row
// (APPLY expr AS name), such as "@price * 1.2" or "upper(@title)".
func (a *Aggregation) Apply(expr, name string) *Aggregation {
	if expr == "" || name == "" {
		return a.fail(errors.New("search: Apply needs an expression and a name"))
	}
	a.steps = append(a.steps, []any{"APPLY", expr, "AS", name})
	return a
}

// Filter keeps the rows for which the expression holds (FILTER expr), such
// as "@year > 2000".
func (a *Aggregation) Filter(expr string) *Aggregation {
	if expr == "" {
		return a.fail(errors.New("search: Filter needs an expression"))
	}
	a.steps = append(a.steps, []any{"FILTER", expr})
	return a
}

// SortKey is one key of SortBy: a property and a direction.
type SortKey struct {
	Property string
	Order    Order
}

// By returns the sort key for prop in the given order.
func By(prop string, order Order) SortKey { return SortKey{Property: prop, Order: order} }

// SortBy sorts the rows by the keys, the first one first (SORTBY n @prop
// ORDER ...).
func (a *Aggregation) SortBy(keys ...SortKey) *Aggregation { return a.SortByMax(0, keys...) }

// SortByMax sorts the rows by the keys and keeps the first max of them
// (SORTBY ... MAX max); max 0 keeps all.
func (a *Aggregation) SortByMax(max int, keys ...SortKey) *Aggregation {
	if len(keys) == 0 {
		return a.fail(errors.New("search: SortBy needs at least one key"))
	}
	if max < 0 {
		return a.fail(fmt.Errorf("search: SortByMax(%d): negative", max))
	}
	var by []any
	for _, k := range keys {
		if err := checkFieldName(k.Property); err != nil {
			return a.fail(err)
		}
		if err := checkOrder(k.Order); err != nil {
			return a.fail(err)
		}
		by = append(by, property(k.Property))
		if k.Order != "" {
			by = append(by, string(k.Order))
		}
	}
	step := append([]any{"SORTBY", len(by)}, by...)
	if max > 0 {
		step = append(step, "MAX", max)
	}
	a.steps = append(a.steps, step)
	return a
}

// Limit keeps count rows from offset (LIMIT offset count).
func (a *Aggregation) Limit(offset, count int) *Aggregation {
	if offset < 0 || count < 0 {
		return a.fail(fmt.Errorf("search: Limit(%d, %d): negative", offset, count))
	}
	a.steps = append(a.steps, []any{"LIMIT", offset, count})
	return a
}

// CursorOptions shape WITHCURSOR: the rows come in pages read with
// FT.CURSOR READ.
type CursorOptions struct {
	// Count is the number of rows per page (COUNT), when above 0; the
	// server's default is 1000.
	Count int
	// MaxIdle is how long the server keeps an unread cursor (MAXIDLE, in
	// ms), when above 0; the server's default is 300 s.
	MaxIdle time.Duration
}

// WithCursor returns the rows in pages through a cursor (WITHCURSOR);
// run it with Client.AggregateCursor, or with AggregateWithCursor and
// CursorRead.
func (a *Aggregation) WithCursor(o CursorOptions) *Aggregation {
	if o.Count < 0 || o.MaxIdle < 0 {
		return a.fail(errors.New("search: WithCursor: negative Count or MaxIdle"))
	}
	a.cursor, a.cursorBy = true, o
	return a
}

// Param adds a query parameter (PARAMS), referred to as $name in the query
// (DIALECT 2 or more). value is a string, a []byte, an integer or a
// float, or a vector as a []float32 or []float64 (see Query.Param).
func (a *Aggregation) Param(name string, value any) *Aggregation {
	if err := checkParamName(name); err != nil {
		return a.fail(err)
	}
	a.params = append(a.params, name, paramValue(value))
	return a
}

// Dialect sets the query dialect (DIALECT); 0 leaves the server's default.
func (a *Aggregation) Dialect(n int) *Aggregation {
	if n < 0 {
		return a.fail(fmt.Errorf("search: Dialect(%d): negative", n))
	}
	a.dialect = n
	return a
}

func (a *Aggregation) check() error {
	if a == nil {
		return errors.New("search: nil *Aggregation")
	}
	if a.expr.err != nil {
		return a.expr.err
	}
	if a.expr.text == "" {
		return errors.New("search: empty query expression (search.All matches everything)")
	}
	return a.err
}

// appendArgs appends the query and everything after it, as FT.AGGREGATE
// and FT.PROFILE ... QUERY take them after the index.
func (a *Aggregation) appendArgs(args []any) []any {
	args = append(args, a.expr.text)
	if a.verbatim {
		args = append(args, "VERBATIM")
	}
	if a.addScores {
		args = append(args, "ADDSCORES")
	}
	if a.scorer != "" {
		args = append(args, "SCORER", a.scorer)
	}
	if a.loadAll {
		args = append(args, "LOAD", "*")
	}
	if len(a.load) > 0 {
		args = append(args, "LOAD", len(a.load))
		args = append(args, a.load...)
	}
	if a.timeoutOn {
		args = append(args, "TIMEOUT", a.timeout.Milliseconds())
	}
	for _, s := range a.steps {
		args = append(args, s...)
	}
	if a.cursor {
		args = append(args, "WITHCURSOR")
		if a.cursorBy.Count > 0 {
			args = append(args, "COUNT", a.cursorBy.Count)
		}
		if a.cursorBy.MaxIdle > 0 {
			args = append(args, "MAXIDLE", a.cursorBy.MaxIdle.Milliseconds())
		}
	}
	if len(a.params) > 0 {
		args = append(args, "PARAMS", len(a.params))
		args = append(args, a.params...)
	}
	if a.dialect > 0 {
		args = append(args, "DIALECT", a.dialect)
	}
	return args
}

// AggregateResult is the reply of FT.AGGREGATE (and one page of a
// cursor), the same Go value under RESP2 and RESP3.
type AggregateResult struct {
	// Total is the server's count of results. Its meaning is loose: it
	// counts the rows before a later FILTER or LIMIT, and on a cursor's
	// pages the server reports it differently under RESP2 (the page's
	// rows) and RESP3 (the rows so far); do not rely on it.
	Total int64
	// Rows are the result rows in order; nil when none.
	Rows []FieldValues
	// Warnings are the server's warnings (RESP3 only; nil under RESP2).
	Warnings []string
}

// Aggregate returns the FT.AGGREGATE command for a on index, for
// pipelines and transactions; Client.Aggregate runs it. An Aggregation
// WithCursor is rejected here: use AggregateWithCursor.
func Aggregate(index string, a *Aggregation) redis.Command[AggregateResult] {
	err := cmp.Or(checkIndexName(index), a.check())
	if err == nil && a.cursor {
		err = errors.New("search: Aggregate of an Aggregation WithCursor: use AggregateWithCursor or Client.AggregateCursor")
	}
	if err != nil {
		return redis.CommandError("FT.AGGREGATE", err, decodeNothing[AggregateResult])
	}
	return redis.NewCommand(decodeAggregate, a.appendArgs([]any{"FT.AGGREGATE", index})...)
}

// Aggregate runs FT.AGGREGATE for a on index and returns its rows.
func (c *Client) Aggregate(ctx context.Context, index string, a *Aggregation) (AggregateResult, error) {
	return run(ctx, c, Aggregate(index, a))
}

func decodeAggregate(v resp.Value, err error) (AggregateResult, error) {
	if err := redis.ResultOf(v, err).Err(); err != nil {
		return AggregateResult{}, err
	}
	return decodeAggregateValue("FT.AGGREGATE", v)
}

// decodeAggregateValue reads rows: under RESP2 an array (total, then each
// row as alternating names and values), under RESP3 a map (total_results,
// results: [{extra_attributes, values}], warning).
func decodeAggregateValue(cmd string, v resp.Value) (AggregateResult, error) {
	var r AggregateResult
	switch v.Type() {
	case resp.Array:
		es := v.Elems()
		if len(es) == 0 {
			return r, resultShapeError(cmd, "an empty array")
		}
		var err error
		if r.Total, err = resultInt(cmd, "the total", es[0]); err != nil {
			return AggregateResult{}, err
		}
		for _, e := range es[1:] {
			row, err := resultFields(cmd, e)
			if err != nil {
				return AggregateResult{}, err
			}
			r.Rows = append(r.Rows, row)
		}
		return r, nil
	case resp.Map:
		kv := v.Elems()
		sawTotal := false
		for i := 0; i+1 < len(kv); i += 2 {
			val := kv[i+1]
			var err error
			switch kv[i].String() {
			case "total_results":
				r.Total, err = resultInt(cmd, "total_results", val)
				sawTotal = true
			case "results":
				if val.Type() != resp.Array {
					return AggregateResult{}, resultShapeError(cmd, "results is a %s", val.Type())
				}
				for _, e := range val.Elems() {
					row, err := decodeRowMap(cmd, e)
					if err != nil {
						return AggregateResult{}, err
					}
					r.Rows = append(r.Rows, row)
				}
			case "warning", "warnings":
				r.Warnings, err = resultStrings(cmd, val)
			}
			if err != nil {
				return AggregateResult{}, err
			}
		}
		if !sawTotal {
			return AggregateResult{}, resultShapeError(cmd, "a map without total_results")
		}
		return r, nil
	}
	return AggregateResult{}, resultShapeError(cmd, "a %s", v.Type())
}

// decodeRowMap reads one RESP3 row: {extra_attributes: {...}, values: []}.
func decodeRowMap(cmd string, v resp.Value) (FieldValues, error) {
	if v.Type() != resp.Map {
		return nil, resultShapeError(cmd, "a row is a %s", v.Type())
	}
	kv := v.Elems()
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i].String() == "extra_attributes" {
			return resultFields(cmd, kv[i+1])
		}
	}
	return nil, nil
}
