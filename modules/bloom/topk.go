package bloom

import (
	"context"
	"errors"
	"fmt"

	"github.com/respkit/redis"
	"github.com/respkit/redis/resp"
)

// TopKReserveOptions are the optional arguments of TOPK.RESERVE: they go
// together, so set all three or none (the zero value sends none and the
// server uses width 8, depth 7, decay 0.9).
type TopKReserveOptions struct {
	Width int64   // counters per row
	Depth int64   // rows
	Decay float64 // probability of decaying a counter held by another item, between 0 and 1
}

// TopKReserve returns TOPK.RESERVE key k [width depth decay]: create a
// top-k sketch that keeps the k most frequent items. Options with some but
// not all of Width, Depth and Decay set are rejected before sending.
func TopKReserve(key string, k int64, opts ...TopKReserveOptions) redis.Command[struct{}] {
	if len(opts) > 1 {
		return redis.CommandError("TOPK.RESERVE", errTooManyOptions("TOPK.RESERVE", len(opts)), decodeStatus)
	}
	args := []any{"TOPK.RESERVE", key, k}
	if len(opts) == 1 && opts[0] != (TopKReserveOptions{}) {
		o := opts[0]
		if o.Width == 0 || o.Depth == 0 || o.Decay == 0 {
			return redis.CommandError("TOPK.RESERVE", errors.New("bloom: TOPK.RESERVE sends Width, Depth and Decay together: set all three or none"), decodeStatus)
		}
		args = append(args, o.Width, o.Depth, o.Decay)
	}
	return redis.NewCommand(decodeStatus, args...)
}

// TopKReserve creates a top-k sketch; see the function TopKReserve.
func (c *Client) TopKReserve(ctx context.Context, key string, k int64, opts ...TopKReserveOptions) error {
	_, err := run(ctx, c, TopKReserve(key, k, opts...))
	return err
}

// TopKAdd returns TOPK.ADD key item...: count one more of each item. The
// result has one entry per item: the item it pushed out of the top k, or
// an entry with Valid false when none was. At least one item is required.
func TopKAdd(key string, items ...string) redis.Command[[]redis.Null[string]] {
	if err := rejectEmpty("TOPK.ADD", len(items), "item"); err != nil {
		return redis.CommandError("TOPK.ADD", err, decodeNullStrings)
	}
	return redis.NewCommand(decodeNullStrings, itemArgs("TOPK.ADD", key, items)...)
}

// TopKAdd counts items; see the function TopKAdd.
func (c *Client) TopKAdd(ctx context.Context, key string, items ...string) ([]redis.Null[string], error) {
	return run(ctx, c, TopKAdd(key, items...))
}

// TopKIncrBy returns TOPK.INCRBY key item by [item by ...]: add to the
// counts of items; the result is read as TopKAdd's. At least one increment
// is required.
func TopKIncrBy(key string, incs ...Increment) redis.Command[[]redis.Null[string]] {
	if err := rejectEmpty("TOPK.INCRBY", len(incs), "increment"); err != nil {
		return redis.CommandError("TOPK.INCRBY", err, decodeNullStrings)
	}
	return redis.NewCommand(decodeNullStrings, incrementArgs("TOPK.INCRBY", key, incs)...)
}

// TopKIncrBy adds to counts; see the function TopKIncrBy.
func (c *Client) TopKIncrBy(ctx context.Context, key string, incs ...Increment) ([]redis.Null[string], error) {
	return run(ctx, c, TopKIncrBy(key, incs...))
}

// TopKQuery returns TOPK.QUERY key item...: whether each item is in the
// top k. At least one item is required.
func TopKQuery(key string, items ...string) redis.Command[[]bool] {
	if err := rejectEmpty("TOPK.QUERY", len(items), "item"); err != nil {
		return redis.CommandError("TOPK.QUERY", err, decodeBools)
	}
	return redis.NewCommand(decodeBools, itemArgs("TOPK.QUERY", key, items)...)
}

// TopKQuery checks membership in the top k; see the function TopKQuery.
func (c *Client) TopKQuery(ctx context.Context, key string, items ...string) ([]bool, error) {
	return run(ctx, c, TopKQuery(key, items...))
}

// TopKCount returns TOPK.COUNT key item...: each item's estimated count.
// The server marks the command deprecated (the counts are not reliable);
// TopKListWithCount gives the counts of the items in the top k. At least
// one item is required.
func TopKCount(key string, items ...string) redis.Command[[]int64] {
	if err := rejectEmpty("TOPK.COUNT", len(items), "item"); err != nil {
		return redis.CommandError("TOPK.COUNT", err, decodeInt64s)
	}
	return redis.NewCommand(decodeInt64s, itemArgs("TOPK.COUNT", key, items)...)
}

// TopKCount estimates counts; see the function TopKCount.
func (c *Client) TopKCount(ctx context.Context, key string, items ...string) ([]int64, error) {
	return run(ctx, c, TopKCount(key, items...))
}

// TopKList returns TOPK.LIST key: the items in the top k, most frequent
// first.
func TopKList(key string) redis.Command[[]string] {
	return redis.NewCommand(decodeStrings, "TOPK.LIST", key)
}

// TopKList lists the top k; see the function TopKList.
func (c *Client) TopKList(ctx context.Context, key string) ([]string, error) {
	return run(ctx, c, TopKList(key))
}

// TopKItem is an item of the top k and its estimated count.
type TopKItem struct {
	Item  string
	Count int64
}

func decodeStrings(v resp.Value, err error) ([]string, error) {
	return decodeList(v, err, func(e resp.Value, err error) (string, error) { return redis.ResultOf(e, err).Text() })
}

func decodeTopKItems(v resp.Value, err error) ([]TopKItem, error) {
	elems, err := redis.ResultOf(v, err).Slice()
	if err != nil {
		return nil, err
	}
	if len(elems)%2 != 0 {
		return nil, fmt.Errorf("bloom: TOPK.LIST WITHCOUNT: reply of %d elements is not a list of items and counts", len(elems))
	}
	out := make([]TopKItem, len(elems)/2)
	for i := range out {
		item, err := redis.ResultOf(elems[2*i], nil).Text()
		if err != nil {
			return nil, fmt.Errorf("bloom: TOPK.LIST WITHCOUNT: item %d: %w", i, err)
		}
		n, err := decodeInt64(elems[2*i+1], nil)
		if err != nil {
			return nil, fmt.Errorf("bloom: TOPK.LIST WITHCOUNT: count of %q: %w", item, err)
		}
		out[i] = TopKItem{Item: item, Count: n}
	}
	return out, nil
}

// TopKListWithCount returns TOPK.LIST key WITHCOUNT: the items in the top
// k with their estimated counts, most frequent first.
func TopKListWithCount(key string) redis.Command[[]TopKItem] {
	return redis.NewCommand(decodeTopKItems, "TOPK.LIST", key, "WITHCOUNT")
}

// TopKListWithCount lists the top k with counts; see the function
// TopKListWithCount.
func (c *Client) TopKListWithCount(ctx context.Context, key string) ([]TopKItem, error) {
	return run(ctx, c, TopKListWithCount(key))
}

// TopKSketchInfo is the reply of TOPK.INFO key.
type TopKSketchInfo struct {
	K     int64   // items kept ("k")
	Width int64   // counters per row ("width")
	Depth int64   // rows ("depth")
	Decay float64 // decay probability ("decay")
}

func decodeTopKSketchInfo(v resp.Value, err error) (TopKSketchInfo, error) {
	var info TopKSketchInfo
	err = decodeFields(v, err, "TOPK.INFO", map[string]any{
		"k":     &info.K,
		"width": &info.Width,
		"depth": &info.Depth,
		"decay": &info.Decay,
	})
	if err != nil {
		return TopKSketchInfo{}, err
	}
	return info, nil
}

// TopKInfo returns TOPK.INFO key: the sketch's parameters.
func TopKInfo(key string) redis.Command[TopKSketchInfo] {
	return redis.NewCommand(decodeTopKSketchInfo, "TOPK.INFO", key)
}

// TopKInfo describes a top-k sketch; see the function TopKInfo.
func (c *Client) TopKInfo(ctx context.Context, key string) (TopKSketchInfo, error) {
	return run(ctx, c, TopKInfo(key))
}
