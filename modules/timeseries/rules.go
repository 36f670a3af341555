package timeseries

import (
	"context"
	"time"

	"github.com/respkit/redis"
)

// Rule is a compaction rule: every sample added to the source series is
// also aggregated into buckets of the destination series.
type Rule struct {
	// DestKey is the destination series (in TS.INFO's rules; CreateRule
	// takes it as an argument and ignores this field).
	DestKey string
	// Aggregator combines the samples of a bucket.
	Aggregator Aggregator
	// Bucket is the duration of a bucket, whole milliseconds > 0.
	Bucket time.Duration
	// Align shifts the buckets so that one starts at Align after the
	// epoch (the server's alignTimestamp, whole milliseconds). 0 sends
	// nothing: buckets align with the epoch.
	Align time.Duration
}

// CreateRule returns TS.CREATERULE source dest AGGREGATION aggregator
// bucketDuration [alignTimestamp]: from now on, samples added to source
// are aggregated into dest, which must already exist, have no rule of
// its own as a source and not be source itself. Only samples added after
// the rule are compacted. rule.DestKey is ignored.
func CreateRule(source, dest string, rule Rule) redis.Command[struct{}] {
	a := newArgs("TS.CREATERULE", 7)
	a.add(source, dest)
	agg := Aggregation{Aggregator: rule.Aggregator, Bucket: rule.Bucket}
	agg.appendTo(a)
	if rule.Align != 0 {
		ms, err := millis("alignment", rule.Align)
		a.fail(err)
		a.addInt(ms)
	}
	return command(a, decodeStatus)
}

// DeleteRule returns TS.DELETERULE source dest: removes the compaction
// rule from source to dest (both series stay).
func DeleteRule(source, dest string) redis.Command[struct{}] {
	a := newArgs("TS.DELETERULE", 3)
	a.add(source, dest)
	return command(a, decodeStatus)
}

// CreateRule sends TS.CREATERULE (see the package-level CreateRule).
func (c *Client) CreateRule(ctx context.Context, source, dest string, rule Rule) error {
	return runStatus(ctx, c, CreateRule(source, dest, rule))
}

// DeleteRule sends TS.DELETERULE (see the package-level DeleteRule).
func (c *Client) DeleteRule(ctx context.Context, source, dest string) error {
	return runStatus(ctx, c, DeleteRule(source, dest))
}
