// Package timeseries runs the commands of RedisTimeSeries (TS.*, built
// into Redis 8 and Redis Stack) on a *redis.Client: series of
// (timestamp, value) samples with labels, range queries with aggregation,
// queries across series selected by their labels, and compaction rules
// that keep rollups up to date.
//
// # Getting started
//
// Wrap a client with New; the methods are named after the commands and
// take a context first:
//
//	c := timeseries.New(rdb)
//	err := c.Create(ctx, "temp:kitchen", timeseries.SeriesOptions{
//		Retention: 7 * 24 * time.Hour,
//		Labels:    []timeseries.Label{{Name: "sensor", Value: "temp"}, {Name: "room", Value: "kitchen"}},
//	})
//	at, err := c.Add(ctx, "temp:kitchen", timeseries.Now, 21.5)
//	samples, err := c.Range(ctx, "temp:kitchen", timeseries.At(time.Now().Add(-time.Hour)), timeseries.MaxTimestamp)
//
// A Client holds nothing but the *redis.Client, so it is safe for
// concurrent use and works on every transport (standalone, cluster,
// sentinel): the command table gives each TS command its keys and
// read/write flags, for routing and retries. A nil Client, or one made by
// New(nil), returns an error from every method.
//
// # Commands as values: pipelines and transactions
//
// Every method has a package-level constructor of the same name that
// returns the command as a redis.Command[T], with the same encoding and
// result type. Queue them in a pipeline or a transaction, or run them
// with redis.RunCommand or redis.RunOn:
//
//	p := rdb.Pipeline()
//	added := redis.Queue(p, timeseries.Add("temp:kitchen", timeseries.Now, 21.5))
//	last := redis.Queue(p, timeseries.Get("temp:kitchen"))
//	err := p.Exec(ctx)
//
// Input that cannot be sent (a negative count, a duration finer than a
// millisecond, an empty filter list, a label holding "=") is reported
// when the command runs, alone or in a pipeline, without sending
// anything; nothing panics.
//
// # Time
//
// The server counts time in milliseconds since the Unix epoch. Samples
// come back as Sample{Time, Value} with Time = time.UnixMilli(ms), exact
// to the millisecond; durations (retention, buckets) are time.Duration
// in whole milliseconds. Times sent are Timestamp values: At(t) or
// Millis(ms) for a given time, Now ("*") for the server's clock in
// writes, and MinTimestamp ("-") and MaxTimestamp ("+") for the open
// ends of a range. The zero Timestamp lets the server choose: its clock
// for a write, the open end for a range bound.
//
// Values are float64. NaN is a value like any other: an EMPTY
// aggregation reports empty buckets as NaN, and RedisTimeSeries 8.6 and
// later store NaN samples. It arrives as a RESP3 double or a RESP2 string
// ("NaN") and decodes to math.NaN() under both.
//
// # Series settings
//
// SeriesOptions carries what TS.CREATE, TS.ALTER and the auto-creating
// writes (TS.ADD, TS.INCRBY, TS.DECRBY) accept: RETENTION, ENCODING,
// CHUNK_SIZE, DUPLICATE_POLICY, IGNORE and LABELS. A zero field is not
// sent, so the server's defaults apply; KeepForever sends RETENTION 0.
// AddOptions adds ON_DUPLICATE, IncrByOptions the sample's TIMESTAMP.
// Labels are a []Label, sent in order.
//
// # Writes
//
// Add and IncrBy/DecrBy return the timestamp the sample was stored at.
// MAdd writes many samples in one call and returns one MAddResult per
// sample: the server checks each sample on its own, so one refused
// sample (a missing key, a duplicate under BLOCK) carries its own
// *redis.Error while the others are stored. Del deletes a time range.
//
// # Reading one series
//
// Get returns the newest sample (redis.ErrNil when the series has none).
// Range and RevRange return the samples between two times, filtered by
// RangeOptions: LATEST, FILTER_BY_TS, FILTER_BY_VALUE, COUNT, and an
// Aggregation (an Aggregator such as AggAvg, a Bucket duration, ALIGN,
// BUCKETTIMESTAMP and EMPTY):
//
//	perMinute, err := c.Range(ctx, "temp:kitchen", timeseries.MinTimestamp, timeseries.MaxTimestamp,
//		timeseries.RangeOptions{Aggregation: &timeseries.Aggregation{Aggregator: timeseries.AggMax, Bucket: time.Minute}})
//
// # Querying many series by label
//
// MRange, MRevRange, MGet and QueryIndex select series with Filters, all
// of which must match: Equal ("room=kitchen"), NotEqual, HasLabel,
// LacksLabel, In ("room=(a,b)") and NotIn. The constructors refuse names
// and values that would change the expression's meaning, so filters can
// be built from user input. MRangeOptions adds WITHLABELS or
// SELECTED_LABELS and GROUPBY/REDUCE:
//
//	rooms, err := c.MRange(ctx, timeseries.MinTimestamp, timeseries.MaxTimestamp,
//		[]timeseries.Filter{timeseries.Equal("sensor", "temp")},
//		timeseries.MRangeOptions{WithLabels: true, GroupBy: &timeseries.GroupBy{Label: "room", Reducer: timeseries.AggMax}})
//	for _, s := range rooms {
//		fmt.Println(s.Key, s.Labels, s.Sources, len(s.Samples)) // room=kitchen map[room:kitchen] [temp:kitchen ...] 42
//	}
//
// The two protocols shape these replies very differently (RESP2: arrays
// of [key, labels, samples] with group-by metadata mixed into the
// labels; RESP3: maps keyed by series with separate metadata maps). The
// package decodes both to the same []Series (or []LatestSample for MGet)
// and sorts it by key, since the server's order is no contract and a
// RESP3 map has none.
//
// # Compaction
//
// CreateRule makes a destination series follow a source: each bucket of
// the source is aggregated into one sample of the destination once the
// bucket closes (the next sample falls into a later bucket). Reading the
// destination with LATEST (RangeOptions.Latest, GetOptions.Latest) also
// reports the open bucket. Info and InfoDebug return a SeriesInfo with
// the rules, the source key, labels, memory and (DEBUG) the chunks.
package timeseries
