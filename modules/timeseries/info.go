package timeseries

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/resp"
)

// SeriesInfo is the TS.INFO reply: a series' settings and statistics.
// Fields the server does not send keep their zero values; fields this
// package does not know are ignored.
type SeriesInfo struct {
	// TotalSamples is the number of samples in the series.
	TotalSamples int64
	// MemoryUsage is the memory the series takes, in bytes.
	MemoryUsage int64
	// FirstTimestamp and LastTimestamp are the times of the oldest and
	// newest samples (the epoch, time.UnixMilli(0), when there are none).
	FirstTimestamp, LastTimestamp time.Time
	// Retention is how long samples are kept; 0 means forever.
	Retention time.Duration
	// ChunkCount is the number of chunks.
	ChunkCount int64
	// ChunkSize is the size of a chunk's data, in bytes.
	ChunkSize int64
	// Encoding is the chunks' encoding (chunkType): Compressed or
	// Uncompressed.
	Encoding Encoding
	// DuplicatePolicy is the series' own duplicate policy, upper case as
	// the constants; "" when it has none (the server's default applies).
	DuplicatePolicy DuplicatePolicy
	// Labels are the series' labels (nil when it has none).
	Labels map[string]string
	// SourceKey is the series this one is the compaction destination of;
	// "" when it is none.
	SourceKey string
	// Rules are the compaction rules with this series as their source,
	// with aggregators in lower case as the constants.
	Rules []Rule
	// IgnoreMaxTimeDiff is the time part of the series' IGNORE filter
	// (zero when off).
	IgnoreMaxTimeDiff time.Duration
	// IgnoreMaxValDiff is the value part of the IGNORE filter (zero when
	// off).
	IgnoreMaxValDiff float64
	// KeySelfName is the series' key, sent with DEBUG only.
	KeySelfName string
	// Chunks describes each chunk, with DEBUG only (nil otherwise).
	Chunks []Chunk
}

// Chunk describes one chunk of a series (TS.INFO ... DEBUG).
type Chunk struct {
	// Start and End are the times of the chunk's first and last samples.
	Start, End time.Time
	// Samples is the number of samples in the chunk.
	Samples int64
	// Size is the chunk's data size, in bytes.
	Size int64
	// BytesPerSample is Size / Samples.
	BytesPerSample float64
}

// Info returns TS.INFO key: the series' settings and statistics.
func Info(key string) redis.Command[SeriesInfo] {
	a := newArgs("TS.INFO", 2)
	a.add(key)
	return command(a, decodeInfo)
}

// InfoDebug returns TS.INFO key DEBUG: as Info, with KeySelfName and
// Chunks filled in.
func InfoDebug(key string) redis.Command[SeriesInfo] {
	a := newArgs("TS.INFO", 3)
	a.add(key, "DEBUG")
	return command(a, decodeInfo)
}

func decodeInfo(v resp.Value, err error) (SeriesInfo, error) {
	var info SeriesInfo
	fields, err := redis.ResultOf(v, err).Slice()
	if err != nil {
		return info, err
	}
	if v.Type() == resp.Array && len(fields)%2 != 0 {
		return info, fmt.Errorf("timeseries: TS.INFO reply of odd length %d", len(fields))
	}
	for i := 0; i+1 < len(fields); i += 2 {
		name, val := fields[i].String(), fields[i+1]
		if err := info.set(name, val); err != nil {
			return SeriesInfo{}, fmt.Errorf("timeseries: TS.INFO %s: %w", name, err)
		}
	}
	return info, nil
}

// set reads one field of the TS.INFO reply.
func (info *SeriesInfo) set(name string, v resp.Value) error {
	r := redis.ResultOf(v, nil)
	var err error
	switch name {
	case "totalSamples":
		info.TotalSamples, err = r.Int64()
	case "memoryUsage":
		info.MemoryUsage, err = r.Int64()
	case "firstTimestamp":
		info.FirstTimestamp, err = decodeTime(v, nil)
	case "lastTimestamp":
		info.LastTimestamp, err = decodeTime(v, nil)
	case "retentionTime":
		info.Retention, err = decodeMillis(v)
	case "chunkCount":
		info.ChunkCount, err = r.Int64()
	case "chunkSize":
		info.ChunkSize, err = r.Int64()
	case "chunkType":
		var s string
		s, err = optionalText(v)
		info.Encoding = Encoding(strings.ToUpper(s))
	case "duplicatePolicy":
		var s string
		s, err = optionalText(v)
		info.DuplicatePolicy = DuplicatePolicy(strings.ToUpper(s))
	case "labels":
		info.Labels, err = decodeLabels(v)
	case "sourceKey":
		info.SourceKey, err = optionalText(v)
	case "rules":
		info.Rules, err = decodeRules(v)
	case "ignoreMaxTimeDiff":
		info.IgnoreMaxTimeDiff, err = decodeMillis(v)
	case "ignoreMaxValDiff":
		info.IgnoreMaxValDiff, err = r.Float64()
	case "keySelfName":
		info.KeySelfName, err = optionalText(v)
	case "Chunks":
		info.Chunks, err = decodeChunks(v)
	}
	return err
}

// optionalText reads a string reply, or "" for a null.
func optionalText(v resp.Value) (string, error) {
	if v.IsNull() {
		return "", nil
	}
	return redis.ResultOf(v, nil).Text()
}

// decodeMillis reads an integer reply of milliseconds as a duration.
func decodeMillis(v resp.Value) (time.Duration, error) {
	ms, err := redis.ResultOf(v, nil).Int64()
	if err != nil {
		return 0, err
	}
	return time.Duration(ms) * time.Millisecond, nil
}

// decodeRules reads TS.INFO's rules: under RESP2 an array of [dest,
// bucket, aggregator, align]; under RESP3 a map of dest → [bucket,
// aggregator, align].
func decodeRules(v resp.Value) ([]Rule, error) {
	var out []Rule
	read := func(dest string, parts []resp.Value) error {
		if len(parts) < 2 {
			return fmt.Errorf("rule to %q has %d fields, want at least 2", dest, len(parts))
		}
		bucket, err := decodeMillis(parts[0])
		if err != nil {
			return fmt.Errorf("rule to %q: bucket: %w", dest, err)
		}
		agg, err := redis.ResultOf(parts[1], nil).Text()
		if err != nil {
			return fmt.Errorf("rule to %q: aggregator: %w", dest, err)
		}
		rule := Rule{DestKey: dest, Aggregator: Aggregator(strings.ToLower(agg)), Bucket: bucket}
		if len(parts) > 2 {
			if rule.Align, err = decodeMillis(parts[2]); err != nil {
				return fmt.Errorf("rule to %q: alignment: %w", dest, err)
			}
		}
		out = append(out, rule)
		return nil
	}
	switch v.Type() {
	case resp.Map:
		kv := v.Elems()
		for i := 0; i+1 < len(kv); i += 2 {
			parts, err := redis.ResultOf(kv[i+1], nil).Slice()
			if err != nil {
				return nil, err
			}
			if err := read(kv[i].String(), parts); err != nil {
				return nil, err
			}
		}
	case resp.Array:
		for i, e := range v.Elems() {
			parts, err := redis.ResultOf(e, nil).Slice()
			if err != nil {
				return nil, err
			}
			if len(parts) < 1 {
				return nil, fmt.Errorf("rule %d is empty", i)
			}
			if err := read(parts[0].String(), parts[1:]); err != nil {
				return nil, err
			}
		}
	default:
		return nil, &redis.ReplyTypeError{Want: "rules", Got: v.Type()}
	}
	return out, nil
}

// decodeChunks reads TS.INFO DEBUG's Chunks: an array of maps (flat
// arrays under RESP2).
func decodeChunks(v resp.Value) ([]Chunk, error) {
	elems, err := redis.ResultOf(v, nil).Slice()
	if err != nil {
		return nil, err
	}
	out := make([]Chunk, len(elems))
	for i, e := range elems {
		m, err := redis.ResultOf(e, nil).Map()
		if err != nil {
			return nil, fmt.Errorf("chunk %d: %w", i, err)
		}
		c := &out[i]
		for name, val := range m {
			r := redis.ResultOf(val, nil)
			switch name {
			case "startTimestamp":
				c.Start, err = decodeTime(val, nil)
			case "endTimestamp":
				c.End, err = decodeTime(val, nil)
			case "samples":
				c.Samples, err = r.Int64()
			case "size":
				c.Size, err = r.Int64()
			case "bytesPerSample":
				c.BytesPerSample, err = r.Float64()
			}
			if err != nil {
				return nil, fmt.Errorf("chunk %d: %s: %w", i, name, err)
			}
		}
	}
	return out, nil
}

// Info sends TS.INFO (see the package-level Info).
func (c *Client) Info(ctx context.Context, key string) (SeriesInfo, error) {
	return run(ctx, c, Info(key))
}

// InfoDebug sends TS.INFO key DEBUG (see the package-level InfoDebug).
func (c *Client) InfoDebug(ctx context.Context, key string) (SeriesInfo, error) {
	return run(ctx, c, InfoDebug(key))
}
