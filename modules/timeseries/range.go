package timeseries

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/respkit/redis"
)

// Aggregator is how the samples of a bucket (or, as a GROUPBY reducer,
// the samples of a group at one timestamp) are combined. The package
// sends it as given, so an aggregator newer than this package can be
// written as Aggregator("name"); the server refuses unknown ones.
type Aggregator string

// The aggregators of RedisTimeSeries 8.8.
const (
	AggAvg      Aggregator = "avg"      // arithmetic mean
	AggSum      Aggregator = "sum"      // sum
	AggMin      Aggregator = "min"      // minimum
	AggMax      Aggregator = "max"      // maximum
	AggRange    Aggregator = "range"    // maximum minus minimum
	AggCount    Aggregator = "count"    // number of values (NaN excluded)
	AggFirst    Aggregator = "first"    // value with the lowest timestamp
	AggLast     Aggregator = "last"     // value with the highest timestamp
	AggStdP     Aggregator = "std.p"    // population standard deviation
	AggStdS     Aggregator = "std.s"    // sample standard deviation
	AggVarP     Aggregator = "var.p"    // population variance
	AggVarS     Aggregator = "var.s"    // sample variance
	AggTWA      Aggregator = "twa"      // time-weighted average
	AggCountNaN Aggregator = "countnan" // number of NaN values
	AggCountAll Aggregator = "countall" // number of values, NaN included
)

// Aggregators returns every aggregator constant, in the order above, in a
// new slice.
func Aggregators() []Aggregator {
	return []Aggregator{AggAvg, AggSum, AggMin, AggMax, AggRange, AggCount, AggFirst, AggLast, AggStdP, AggStdS, AggVarP, AggVarS, AggTWA, AggCountNaN, AggCountAll}
}

// BucketTimestamp says which time of its bucket an aggregated sample
// carries (BUCKETTIMESTAMP).
type BucketTimestamp string

const (
	// BucketStart: the bucket's start (the server's default; also "-").
	BucketStart BucketTimestamp = "start"
	// BucketEnd: the bucket's end (also "+").
	BucketEnd BucketTimestamp = "end"
	// BucketMid: the bucket's middle (also "~").
	BucketMid BucketTimestamp = "mid"
)

func (b BucketTimestamp) check() error {
	switch b {
	case BucketStart, BucketEnd, BucketMid, "-", "+", "~":
		return nil
	}
	return fmt.Errorf("timeseries: unknown bucket timestamp %q (use BucketStart, BucketEnd or BucketMid)", string(b))
}

// Align is where aggregation buckets are aligned (ALIGN): the start or
// end of the queried range, or a timestamp. The zero Align sends nothing:
// buckets align with the epoch.
type Align struct {
	token string
}

var (
	// AlignStart aligns buckets with the range's start ("start"; the
	// server also reads "-").
	AlignStart = Align{token: "start"}
	// AlignEnd aligns buckets with the range's end ("end"; also "+").
	AlignEnd = Align{token: "end"}
)

// AlignAt aligns buckets so that one starts at t (whole milliseconds).
func AlignAt(t time.Time) Align { return Align{token: strconv.FormatInt(t.UnixMilli(), 10)} }

// ParseAlign reads an alignment in the server's spelling: "start", "-",
// "end", "+" or milliseconds since the epoch. The spelling is kept.
func ParseAlign(s string) (Align, error) {
	switch s {
	case "start", "-", "end", "+":
		return Align{token: s}, nil
	}
	if _, err := strconv.ParseInt(s, 10, 64); err != nil {
		return Align{}, fmt.Errorf("timeseries: alignment %q is neither start, -, end, + nor a timestamp", s)
	}
	return Align{token: s}, nil
}

// String returns the alignment as sent ("" for the zero Align).
func (a Align) String() string { return a.token }

// Aggregation groups a range's samples into buckets of a fixed duration
// and returns one sample per bucket (AGGREGATION).
type Aggregation struct {
	// Aggregator combines the samples of a bucket. Required.
	Aggregator Aggregator
	// Bucket is the duration of a bucket, whole milliseconds > 0.
	Bucket time.Duration
	// Align, when not zero, sends ALIGN before AGGREGATION.
	Align Align
	// BucketTimestamp, when not "", sends BUCKETTIMESTAMP.
	BucketTimestamp BucketTimestamp
	// Empty sends EMPTY: buckets without samples are reported too (with
	// NaN, or 0 for sum and count; the last value for last and twa).
	Empty bool
}

func (g *Aggregation) appendTo(a *args) {
	if g.Aggregator == "" {
		a.fail(errors.New("timeseries: an aggregation needs an Aggregator"))
	}
	ms, err := millis("bucket duration", g.Bucket)
	a.fail(err)
	if g.Bucket <= 0 {
		a.fail(fmt.Errorf("timeseries: bucket duration %v is not positive", g.Bucket))
	}
	if g.Align.token != "" {
		a.add("ALIGN", g.Align.token)
	}
	a.add("AGGREGATION", string(g.Aggregator))
	a.addInt(ms)
	if g.BucketTimestamp != "" {
		a.fail(g.BucketTimestamp.check())
		a.add("BUCKETTIMESTAMP", string(g.BucketTimestamp))
	}
	if g.Empty {
		a.add("EMPTY")
	}
}

// ValueRange keeps samples whose value is from Min to Max, both included
// (FILTER_BY_VALUE).
type ValueRange struct {
	Min, Max float64 // the bounds, included; not NaN
}

// RangeOptions are the options of TS.RANGE and TS.REVRANGE, and the
// common ones of TS.MRANGE and TS.MREVRANGE. The zero value sends none.
type RangeOptions struct {
	// Latest sends LATEST: for a compaction's destination, also report
	// the latest, still open bucket.
	Latest bool
	// FilterByTimestamps, when not empty, keeps only samples at these
	// times (FILTER_BY_TS; whole milliseconds).
	FilterByTimestamps []time.Time
	// FilterByValue, when not nil, keeps samples within the range.
	FilterByValue *ValueRange
	// Count, when > 0, returns at most Count samples (per series for the
	// M* commands; with aggregation, buckets).
	Count int
	// Aggregation, when not nil, returns one sample per bucket.
	Aggregation *Aggregation
}

// appendTo adds the options in the order LATEST, FILTER_BY_TS,
// FILTER_BY_VALUE, COUNT, [ALIGN] AGGREGATION ... (the server reads them
// in any order).
func (o *RangeOptions) appendTo(a *args) {
	if o.Latest {
		a.add("LATEST")
	}
	if len(o.FilterByTimestamps) > 0 {
		a.add("FILTER_BY_TS")
		for _, t := range o.FilterByTimestamps {
			a.addInt(t.UnixMilli())
		}
	}
	if r := o.FilterByValue; r != nil {
		if math.IsNaN(r.Min) || math.IsNaN(r.Max) {
			a.fail(errors.New("timeseries: FILTER_BY_VALUE bounds must be numbers, not NaN"))
		}
		a.add("FILTER_BY_VALUE", r.Min, r.Max)
	}
	if o.Count < 0 {
		a.fail(fmt.Errorf("timeseries: count %d is negative", o.Count))
	}
	if o.Count > 0 {
		a.add("COUNT")
		a.addInt(int64(o.Count))
	}
	if o.Aggregation != nil {
		o.Aggregation.appendTo(a)
	}
}

// appendRange adds the bounds of a range: an unset from is "-", an unset
// to "+".
func appendRange(a *args, from, to Timestamp) {
	f, err := from.rangeArg("-")
	a.fail(err)
	t, err := to.rangeArg("+")
	a.fail(err)
	a.add(f, t)
}

// Range returns TS.RANGE key from to [options]: the samples of one series
// from from to to (both included), oldest first. An unset from or to is
// the open end (MinTimestamp, MaxTimestamp). A missing key is an error
// ("ERR TSDB: the key does not exist"); no samples give an empty slice.
// At most one RangeOptions may be given.
func Range(key string, from, to Timestamp, opts ...RangeOptions) redis.Command[[]Sample] {
	return rangeCommand("TS.RANGE", key, from, to, opts)
}

// RevRange returns TS.REVRANGE key from to [options]: as Range, newest
// first.
func RevRange(key string, from, to Timestamp, opts ...RangeOptions) redis.Command[[]Sample] {
	return rangeCommand("TS.REVRANGE", key, from, to, opts)
}

func rangeCommand(name, key string, from, to Timestamp, opts []RangeOptions) redis.Command[[]Sample] {
	a := newArgs(name, 16)
	a.add(key)
	appendRange(a, from, to)
	o, err := oneOf(opts)
	a.fail(err)
	o.appendTo(a)
	return command(a, decodeSamples)
}

// GetOptions are the options of TS.GET.
type GetOptions struct {
	// Latest sends LATEST: for a compaction's destination, report the
	// latest, still open bucket.
	Latest bool
}

// Get returns TS.GET key [LATEST]: the series' newest sample. A series
// without samples gives redis.ErrNil; a missing key the server's error.
func Get(key string, opts ...GetOptions) redis.Command[Sample] {
	a := newArgs("TS.GET", 3)
	a.add(key)
	o, err := oneOf(opts)
	a.fail(err)
	if o.Latest {
		a.add("LATEST")
	}
	return command(a, decodeLatest)
}

// Range sends TS.RANGE (see the package-level Range).
func (c *Client) Range(ctx context.Context, key string, from, to Timestamp, opts ...RangeOptions) ([]Sample, error) {
	return run(ctx, c, Range(key, from, to, opts...))
}

// RevRange sends TS.REVRANGE (see the package-level RevRange).
func (c *Client) RevRange(ctx context.Context, key string, from, to Timestamp, opts ...RangeOptions) ([]Sample, error) {
	return run(ctx, c, RevRange(key, from, to, opts...))
}

// Get sends TS.GET (see the package-level Get).
func (c *Client) Get(ctx context.Context, key string, opts ...GetOptions) (Sample, error) {
	return run(ctx, c, Get(key, opts...))
}
