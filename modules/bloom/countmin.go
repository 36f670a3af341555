package bloom

import (
	"context"
	"fmt"

	"github.com/respkit/redis"
	"github.com/respkit/redis/resp"
)

// Increment is an item and the amount to add to its count, for
// CMS.INCRBY and TOPK.INCRBY.
type Increment struct {
	Item string
	By   int64
}

// incrementArgs builds command key item by [item by ...].
func incrementArgs(command, key string, incs []Increment) []any {
	args := make([]any, 0, 2+2*len(incs))
	args = append(args, command, key)
	for _, in := range incs {
		args = append(args, in.Item, in.By)
	}
	return args
}

// CMSInitByDim returns CMS.INITBYDIM key width depth: create a count-min
// sketch of depth rows of width counters. The server replies with an error
// when key exists.
func CMSInitByDim(key string, width, depth int64) redis.Command[struct{}] {
	return redis.NewCommand(decodeStatus, "CMS.INITBYDIM", key, width, depth)
}

// CMSInitByDim creates a count-min sketch by size; see the function
// CMSInitByDim.
func (c *Client) CMSInitByDim(ctx context.Context, key string, width, depth int64) error {
	_, err := run(ctx, c, CMSInitByDim(key, width, depth))
	return err
}

// CMSInitByProb returns CMS.INITBYPROB key errorRate probability: create
// a count-min sketch sized so that a count overshoots by more than
// errorRate (a fraction of the total of all counts) with at most the given
// probability (e.g. 0.001 and 0.01).
func CMSInitByProb(key string, errorRate, probability float64) redis.Command[struct{}] {
	return redis.NewCommand(decodeStatus, "CMS.INITBYPROB", key, errorRate, probability)
}

// CMSInitByProb creates a count-min sketch by accuracy; see the function
// CMSInitByProb.
func (c *Client) CMSInitByProb(ctx context.Context, key string, errorRate, probability float64) error {
	_, err := run(ctx, c, CMSInitByProb(key, errorRate, probability))
	return err
}

// CMSIncrBy returns CMS.INCRBY key item by [item by ...]: add to the
// counts of items. The result is each item's count afterwards (an
// estimate), in order. The sketch must exist. At least one increment is
// required.
func CMSIncrBy(key string, incs ...Increment) redis.Command[[]int64] {
	if err := rejectEmpty("CMS.INCRBY", len(incs), "increment"); err != nil {
		return redis.CommandError("CMS.INCRBY", err, decodeInt64s)
	}
	return redis.NewCommand(decodeInt64s, incrementArgs("CMS.INCRBY", key, incs)...)
}

// CMSIncrBy adds to counts; see the function CMSIncrBy.
func (c *Client) CMSIncrBy(ctx context.Context, key string, incs ...Increment) ([]int64, error) {
	return run(ctx, c, CMSIncrBy(key, incs...))
}

// CMSQuery returns CMS.QUERY key item...: each item's count (an estimate,
// never too low), in order. At least one item is required.
func CMSQuery(key string, items ...string) redis.Command[[]int64] {
	if err := rejectEmpty("CMS.QUERY", len(items), "item"); err != nil {
		return redis.CommandError("CMS.QUERY", err, decodeInt64s)
	}
	return redis.NewCommand(decodeInt64s, itemArgs("CMS.QUERY", key, items)...)
}

// CMSQuery reads counts; see the function CMSQuery.
func (c *Client) CMSQuery(ctx context.Context, key string, items ...string) ([]int64, error) {
	return run(ctx, c, CMSQuery(key, items...))
}

// CMSMerge returns CMS.MERGE dest n source... [WEIGHTS weight...]: set
// the sketch dest to the sum of the sources, each multiplied by its weight
// when weights are given (one per source). dest must exist with the same
// width and depth as the sources. At least one source is required.
func CMSMerge(dest string, sources []string, weights ...int64) redis.Command[struct{}] {
	if err := rejectEmpty("CMS.MERGE", len(sources), "source"); err != nil {
		return redis.CommandError("CMS.MERGE", err, decodeStatus)
	}
	if len(weights) != 0 && len(weights) != len(sources) {
		return redis.CommandError("CMS.MERGE", fmt.Errorf("bloom: CMS.MERGE takes one weight per source: %d sources, %d weights", len(sources), len(weights)), decodeStatus)
	}
	args := make([]any, 0, 4+2*len(sources))
	args = append(args, "CMS.MERGE", dest, len(sources))
	for _, s := range sources {
		args = append(args, s)
	}
	if len(weights) > 0 {
		args = append(args, "WEIGHTS")
		for _, w := range weights {
			args = append(args, w)
		}
	}
	return redis.NewCommand(decodeStatus, args...)
}

// CMSMerge merges sketches into dest; see the function CMSMerge.
func (c *Client) CMSMerge(ctx context.Context, dest string, sources []string, weights ...int64) error {
	_, err := run(ctx, c, CMSMerge(dest, sources, weights...))
	return err
}

// CountMinSketchInfo is the reply of CMS.INFO key.
type CountMinSketchInfo struct {
	Width int64 // counters per row ("width")
	Depth int64 // rows ("depth")
	Count int64 // total of all increments ("count")
}

func decodeCountMinSketchInfo(v resp.Value, err error) (CountMinSketchInfo, error) {
	var info CountMinSketchInfo
	err = decodeFields(v, err, "CMS.INFO", map[string]any{
		"width": &info.Width,
		"depth": &info.Depth,
		"count": &info.Count,
	})
	if err != nil {
		return CountMinSketchInfo{}, err
	}
	return info, nil
}

// CMSInfo returns CMS.INFO key: the sketch's size and total count.
func CMSInfo(key string) redis.Command[CountMinSketchInfo] {
	return redis.NewCommand(decodeCountMinSketchInfo, "CMS.INFO", key)
}

// CMSInfo describes a count-min sketch; see the function CMSInfo.
func (c *Client) CMSInfo(ctx context.Context, key string) (CountMinSketchInfo, error) {
	return run(ctx, c, CMSInfo(key))
}
