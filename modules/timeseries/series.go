package timeseries

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/resp"
)

// Encoding is how a series stores its samples (ENCODING; TS.INFO's
// chunkType).
type Encoding string

const (
	// Compressed stores samples with Gorilla-style compression (the
	// server's default).
	Compressed Encoding = "COMPRESSED"
	// Uncompressed stores raw samples: faster to write, larger.
	Uncompressed Encoding = "UNCOMPRESSED"
)

// DuplicatePolicy says what a write to a timestamp that already has a
// sample does (DUPLICATE_POLICY for the series, ON_DUPLICATE for one
// TS.ADD).
type DuplicatePolicy string

const (
	// DuplicateBlock refuses the new sample with an error.
	DuplicateBlock DuplicatePolicy = "BLOCK"
	// DuplicateFirst keeps the sample already there.
	DuplicateFirst DuplicatePolicy = "FIRST"
	// DuplicateLast replaces it with the new one.
	DuplicateLast DuplicatePolicy = "LAST"
	// DuplicateMin keeps the smaller value.
	DuplicateMin DuplicatePolicy = "MIN"
	// DuplicateMax keeps the larger value.
	DuplicateMax DuplicatePolicy = "MAX"
	// DuplicateSum stores the sum of both values.
	DuplicateSum DuplicatePolicy = "SUM"
)

// Label is one name=value label of a series. Labels are sent in the order
// given.
type Label struct {
	Name, Value string // both non-empty
}

// KeepForever, as SeriesOptions.Retention, sends RETENTION 0: samples
// never expire, whatever the server's default retention is.
const KeepForever time.Duration = -1

// Ignore is the IGNORE filter of a series (RedisTimeSeries 1.12 and
// later): a new sample is dropped when it is no more than MaxTimeDiff
// later than the last sample and its value differs from the last by no
// more than MaxValDiff (only with the LAST duplicate policy). Both zero
// turns the filter off.
type Ignore struct {
	MaxTimeDiff time.Duration // whole milliseconds, >= 0
	MaxValDiff  float64       // >= 0
}

// SeriesOptions are the settings of a series, for TS.CREATE, TS.ALTER and
// the series that TS.ADD, TS.INCRBY and TS.DECRBY create when the key does
// not exist. Every zero field is left out, so that the server's default
// (its module configuration) applies.
type SeriesOptions struct {
	// Retention is how long samples are kept, relative to the newest
	// sample (RETENTION, whole milliseconds). 0 sends nothing; KeepForever
	// sends RETENTION 0 (no expiry).
	Retention time.Duration
	// Encoding is the chunk encoding (ENCODING). "" sends nothing
	// (Compressed by default). TS.ALTER cannot change it and refuses it.
	Encoding Encoding
	// ChunkSize is the size of a chunk's data in bytes (CHUNK_SIZE; the
	// server wants a multiple of 8 from 48 to 1048576). 0 sends nothing.
	ChunkSize int
	// DuplicatePolicy is the series' policy for a second sample at one
	// timestamp (DUPLICATE_POLICY). "" sends nothing (BLOCK by default).
	DuplicatePolicy DuplicatePolicy
	// Ignore, when not nil, sends IGNORE maxTimeDiff maxValDiff.
	Ignore *Ignore
	// Labels are the series' labels (LABELS name value ...). Nil sends
	// nothing; a non-nil empty slice sends LABELS alone, which TS.ALTER
	// reads as "remove every label".
	Labels []Label
}

// appendSettings adds the options in the order RETENTION, ENCODING,
// CHUNK_SIZE, DUPLICATE_POLICY, then onDuplicate (ON_DUPLICATE, TS.ADD
// only), IGNORE, LABELS.
func (o *SeriesOptions) appendSettings(a *args, onDuplicate DuplicatePolicy) {
	switch {
	case o.Retention == KeepForever:
		a.add("RETENTION", "0")
	case o.Retention != 0:
		ms, err := millis("retention", o.Retention)
		a.fail(err)
		a.add("RETENTION")
		a.addInt(ms)
	}
	if o.Encoding != "" {
		switch o.Encoding {
		case Compressed, Uncompressed:
		default:
			a.fail(fmt.Errorf("timeseries: unknown encoding %q (use Compressed or Uncompressed)", o.Encoding))
		}
		a.add("ENCODING", string(o.Encoding))
	}
	if o.ChunkSize < 0 {
		a.fail(fmt.Errorf("timeseries: chunk size %d is negative", o.ChunkSize))
	}
	if o.ChunkSize != 0 {
		a.add("CHUNK_SIZE")
		a.addInt(int64(o.ChunkSize))
	}
	if o.DuplicatePolicy != "" {
		a.fail(o.DuplicatePolicy.check())
		a.add("DUPLICATE_POLICY", string(o.DuplicatePolicy))
	}
	if onDuplicate != "" {
		a.fail(onDuplicate.check())
		a.add("ON_DUPLICATE", string(onDuplicate))
	}
	if o.Ignore != nil {
		ms, err := millis("ignore max time difference", o.Ignore.MaxTimeDiff)
		a.fail(err)
		if !(o.Ignore.MaxValDiff >= 0) {
			a.fail(fmt.Errorf("timeseries: ignore max value difference %v is not a number >= 0", o.Ignore.MaxValDiff))
		}
		a.add("IGNORE")
		a.addInt(ms)
		a.add(o.Ignore.MaxValDiff)
	}
	if o.Labels != nil {
		a.add("LABELS")
		for _, l := range o.Labels {
			if l.Name == "" || l.Value == "" {
				a.fail(fmt.Errorf("timeseries: label %q=%q: names and values must not be empty", l.Name, l.Value))
			}
			a.add(l.Name, l.Value)
		}
	}
}

func (p DuplicatePolicy) check() error {
	switch p {
	case DuplicateBlock, DuplicateFirst, DuplicateLast, DuplicateMin, DuplicateMax, DuplicateSum:
		return nil
	}
	return fmt.Errorf("timeseries: unknown duplicate policy %q", string(p))
}

// errManyOptions is returned for a call given more than one options value.
var errManyOptions = errors.New("timeseries: more than one options value given")

// oneOf returns the only element of opts, the zero value for none, and an
// error for more than one.
func oneOf[O any](opts []O) (O, error) {
	var o O
	switch len(opts) {
	case 0:
		return o, nil
	case 1:
		return opts[0], nil
	}
	return o, errManyOptions
}

// Create returns TS.CREATE key [options]: a new, empty series. It fails
// with "ERR TSDB: key already exists" when key exists. At most one
// SeriesOptions may be given.
func Create(key string, opts ...SeriesOptions) redis.Command[struct{}] {
	a := newArgs("TS.CREATE", 16)
	a.add(key)
	o, err := oneOf(opts)
	a.fail(err)
	o.appendSettings(a, "")
	return command(a, decodeStatus)
}

// Alter returns TS.ALTER key [options]: changes the settings of an
// existing series. Only the options given change; Labels, when given,
// replace all the series' labels. Encoding cannot be altered: setting it
// gives an error before anything is sent.
func Alter(key string, opts ...SeriesOptions) redis.Command[struct{}] {
	a := newArgs("TS.ALTER", 16)
	a.add(key)
	o, err := oneOf(opts)
	a.fail(err)
	if o.Encoding != "" {
		a.fail(errors.New("timeseries: TS.ALTER cannot change a series' encoding"))
	}
	o.appendSettings(a, "")
	return command(a, decodeStatus)
}

// AddOptions are the options of TS.ADD: the settings of the series it
// creates when key does not exist (ignored by the server when it does,
// except ON_DUPLICATE), and OnDuplicate.
type AddOptions struct {
	SeriesOptions
	// OnDuplicate overrides the series' duplicate policy for this sample
	// (ON_DUPLICATE). "" sends nothing.
	OnDuplicate DuplicatePolicy
}

// Add returns TS.ADD key timestamp value [options]: appends (or, by the
// duplicate policy, merges) one sample, creating the series when key
// does not exist. Its result is the sample's timestamp. An unset at means
// the server's clock (Now). At most one AddOptions may be given.
func Add(key string, at Timestamp, value float64, opts ...AddOptions) redis.Command[time.Time] {
	a := newArgs("TS.ADD", 20)
	ts, err := at.writeArg()
	a.fail(err)
	a.add(key, ts, value)
	o, err := oneOf(opts)
	a.fail(err)
	o.appendSettings(a, o.OnDuplicate)
	return command(a, decodeTime)
}

// MAddSample is one sample for TS.MADD: its series, time and value.
type MAddSample struct {
	Key   string    // an existing series
	At    Timestamp // unset: the server's clock
	Value float64   // the sample's value
}

// MAddResult is the outcome of one sample of TS.MADD: the timestamp
// stored, or the error the server reported for that sample alone (a
// *redis.Error; for example a key that is not a series), with Time zero.
type MAddResult struct {
	Time time.Time // the stored sample's timestamp; zero when Err is set
	Err  error     // the server's error for this sample, or nil
}

// MAdd returns TS.MADD key timestamp value [key timestamp value ...]:
// appends samples to existing series (it creates none). Its result has
// one entry per sample, in order; a sample the server refused carries its
// own error while the others are stored. Errors of the call as a whole
// (no samples, a connection failure) are the command's error.
func MAdd(samples ...MAddSample) redis.Command[[]MAddResult] {
	a := newArgs("TS.MADD", 1+3*len(samples))
	if len(samples) == 0 {
		a.fail(errors.New("timeseries: TS.MADD needs at least one sample"))
	}
	for _, s := range samples {
		ts, err := s.At.writeArg()
		a.fail(err)
		a.add(s.Key, ts, s.Value)
	}
	return command(a, decodeMAdd)
}

func decodeMAdd(v resp.Value, err error) ([]MAddResult, error) {
	elems, err := redis.ResultOf(v, err).Slice()
	if err != nil {
		return nil, err
	}
	out := make([]MAddResult, len(elems))
	for i, e := range elems {
		if e.IsError() {
			out[i].Err = e.Err()
			continue
		}
		if out[i].Time, err = decodeTime(e, nil); err != nil {
			return nil, fmt.Errorf("timeseries: TS.MADD sample %d: %w", i, err)
		}
	}
	return out, nil
}

// IncrByOptions are the options of TS.INCRBY and TS.DECRBY: the time of
// the sample and the settings of the series created when key does not
// exist.
type IncrByOptions struct {
	// At is the time of the sample (TIMESTAMP). Unset sends nothing: the
	// server's clock. It must not be earlier than the series' last sample.
	At Timestamp
	SeriesOptions
}

// IncrBy returns TS.INCRBY key addend [options]: adds addend to the value
// of the latest sample and stores the result as a sample at the given
// time (the latest sample's own time updates it in place). Its result is
// the sample's timestamp.
func IncrBy(key string, addend float64, opts ...IncrByOptions) redis.Command[time.Time] {
	return incrBy("TS.INCRBY", key, addend, opts)
}

// DecrBy returns TS.DECRBY key subtrahend [options]: as IncrBy, with the
// value subtracted.
func DecrBy(key string, subtrahend float64, opts ...IncrByOptions) redis.Command[time.Time] {
	return incrBy("TS.DECRBY", key, subtrahend, opts)
}

func incrBy(name, key string, value float64, opts []IncrByOptions) redis.Command[time.Time] {
	a := newArgs(name, 20)
	a.add(key, value)
	o, err := oneOf(opts)
	a.fail(err)
	if !o.At.IsZero() {
		ts, err := o.At.writeArg()
		a.fail(err)
		a.add("TIMESTAMP", ts)
	}
	o.SeriesOptions.appendSettings(a, "")
	return command(a, decodeTime)
}

// Del returns TS.DEL key from to: deletes the samples from from to to,
// both included. Its result is the number of samples deleted. Unset
// bounds are the open ends, as for Range.
func Del(key string, from, to Timestamp) redis.Command[int64] {
	a := newArgs("TS.DEL", 4)
	f, err := from.rangeArg("-")
	a.fail(err)
	t, err := to.rangeArg("+")
	a.fail(err)
	a.add(key, f, t)
	return command(a, decodeCount)
}

// Create sends TS.CREATE (see the package-level Create).
func (c *Client) Create(ctx context.Context, key string, opts ...SeriesOptions) error {
	return runStatus(ctx, c, Create(key, opts...))
}

// Alter sends TS.ALTER (see the package-level Alter).
func (c *Client) Alter(ctx context.Context, key string, opts ...SeriesOptions) error {
	return runStatus(ctx, c, Alter(key, opts...))
}

// Add sends TS.ADD and returns the sample's timestamp (see the
// package-level Add).
func (c *Client) Add(ctx context.Context, key string, at Timestamp, value float64, opts ...AddOptions) (time.Time, error) {
	return run(ctx, c, Add(key, at, value, opts...))
}

// MAdd sends TS.MADD and returns one result per sample, each with its
// timestamp or its own error (see the package-level MAdd).
func (c *Client) MAdd(ctx context.Context, samples ...MAddSample) ([]MAddResult, error) {
	return run(ctx, c, MAdd(samples...))
}

// IncrBy sends TS.INCRBY and returns the sample's timestamp (see the
// package-level IncrBy).
func (c *Client) IncrBy(ctx context.Context, key string, addend float64, opts ...IncrByOptions) (time.Time, error) {
	return run(ctx, c, IncrBy(key, addend, opts...))
}

// DecrBy sends TS.DECRBY and returns the sample's timestamp (see the
// package-level DecrBy).
func (c *Client) DecrBy(ctx context.Context, key string, subtrahend float64, opts ...IncrByOptions) (time.Time, error) {
	return run(ctx, c, DecrBy(key, subtrahend, opts...))
}

// Del sends TS.DEL and returns the number of samples deleted (see the
// package-level Del).
func (c *Client) Del(ctx context.Context, key string, from, to Timestamp) (int64, error) {
	return run(ctx, c, Del(key, from, to))
}
