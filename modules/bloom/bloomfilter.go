package bloom

import (
	"context"
	"fmt"

	"github.com/respkit/redis"
	"github.com/respkit/redis/resp"
)

// BFReserveOptions are the optional arguments of BF.RESERVE. The zero
// value sends none: the filter scales, each new sub-filter twice the size
// of the last.
type BFReserveOptions struct {
	// Expansion is the growth factor of each new sub-filter (EXPANSION);
	// 0 sends none (the server's default is 2).
	Expansion int64
	// NonScaling makes a filter that never grows (NONSCALING): adding to
	// it when full is an error. The server refuses it with Expansion.
	NonScaling bool
}

// BFReserve returns BF.RESERVE key errorRate capacity [EXPANSION n]
// [NONSCALING]: create an empty Bloom filter for capacity items with the
// given false-positive rate (between 0 and 1, exclusive). The server
// replies with an error when key exists.
func BFReserve(key string, errorRate float64, capacity int64, opts ...BFReserveOptions) redis.Command[struct{}] {
	if len(opts) > 1 {
		return redis.CommandError("BF.RESERVE", errTooManyOptions("BF.RESERVE", len(opts)), decodeStatus)
	}
	args := []any{"BF.RESERVE", key, errorRate, capacity}
	if len(opts) == 1 {
		if opts[0].Expansion != 0 {
			args = append(args, "EXPANSION", opts[0].Expansion)
		}
		if opts[0].NonScaling {
			args = append(args, "NONSCALING")
		}
	}
	return redis.NewCommand(decodeStatus, args...)
}

// BFReserve creates an empty Bloom filter; see the function BFReserve.
func (c *Client) BFReserve(ctx context.Context, key string, errorRate float64, capacity int64, opts ...BFReserveOptions) error {
	_, err := run(ctx, c, BFReserve(key, errorRate, capacity, opts...))
	return err
}

// BFAdd returns BF.ADD key item: add item to the Bloom filter at key,
// creating the filter with the server's defaults when key does not exist.
// The result is true when the item was added, false when it may already
// have been present.
func BFAdd(key, item string) redis.Command[bool] {
	return redis.NewCommand(decodeBool, "BF.ADD", key, item)
}

// BFAdd adds an item to a Bloom filter; see the function BFAdd.
func (c *Client) BFAdd(ctx context.Context, key, item string) (bool, error) {
	return run(ctx, c, BFAdd(key, item))
}

// BFMAdd returns BF.MADD key item...: add several items, creating the
// filter when key does not exist. The result has one entry per item: true
// when it was added, false when it may already have been present.
//
// When a non-scaling filter fills up, the server answers the item that did
// not fit with an error and stops: the result then ends with that item,
// which reads false (so it is shorter than items when more followed), and
// the error (a *redis.Error) comes back with it. At least one item is
// required.
func BFMAdd(key string, items ...string) redis.Command[[]bool] {
	if err := rejectEmpty("BF.MADD", len(items), "item"); err != nil {
		return redis.CommandError("BF.MADD", err, decodeItemResults)
	}
	return redis.NewCommand(decodeItemResults, itemArgs("BF.MADD", key, items)...)
}

// BFMAdd adds several items to a Bloom filter; see the function BFMAdd.
func (c *Client) BFMAdd(ctx context.Context, key string, items ...string) ([]bool, error) {
	return run(ctx, c, BFMAdd(key, items...))
}

// BFExists returns BF.EXISTS key item: whether item may be in the filter
// (false means certainly not). A missing key reads false.
func BFExists(key, item string) redis.Command[bool] {
	return redis.NewCommand(decodeBool, "BF.EXISTS", key, item)
}

// BFExists checks one item; see the function BFExists.
func (c *Client) BFExists(ctx context.Context, key, item string) (bool, error) {
	return run(ctx, c, BFExists(key, item))
}

// BFMExists returns BF.MEXISTS key item...: BFExists for several items,
// one entry per item. At least one item is required.
func BFMExists(key string, items ...string) redis.Command[[]bool] {
	if err := rejectEmpty("BF.MEXISTS", len(items), "item"); err != nil {
		return redis.CommandError("BF.MEXISTS", err, decodeBools)
	}
	return redis.NewCommand(decodeBools, itemArgs("BF.MEXISTS", key, items)...)
}

// BFMExists checks several items; see the function BFMExists.
func (c *Client) BFMExists(ctx context.Context, key string, items ...string) ([]bool, error) {
	return run(ctx, c, BFMExists(key, items...))
}

// BFInsertOptions are the optional arguments of BF.INSERT. Capacity,
// ErrorRate, Expansion and NonScaling apply only when the command creates
// the filter. The zero value sends none.
type BFInsertOptions struct {
	// Capacity is the new filter's capacity (CAPACITY); 0 sends none (the
	// server's configured default, 100 out of the box).
	Capacity int64
	// ErrorRate is the new filter's false-positive rate (ERROR); 0 sends
	// none (the server's configured default, 0.01 out of the box).
	ErrorRate float64
	// Expansion is the new filter's growth factor (EXPANSION); 0 sends
	// none (the server's default is 2).
	Expansion int64
	// NoCreate makes a missing key an error instead of creating a filter
	// (NOCREATE).
	NoCreate bool
	// NonScaling makes the new filter never grow (NONSCALING).
	NonScaling bool
}

// BFInsert returns BF.INSERT key [CAPACITY n] [ERROR rate] [EXPANSION n]
// [NOCREATE] [NONSCALING] ITEMS item...: add items, creating the filter
// with the given parameters when key does not exist (unless NoCreate). The
// result is read as BFMAdd's. At least one item is required.
func BFInsert(key string, items []string, opts ...BFInsertOptions) redis.Command[[]bool] {
	if err := rejectEmpty("BF.INSERT", len(items), "item"); err != nil {
		return redis.CommandError("BF.INSERT", err, decodeItemResults)
	}
	if len(opts) > 1 {
		return redis.CommandError("BF.INSERT", errTooManyOptions("BF.INSERT", len(opts)), decodeItemResults)
	}
	args := make([]any, 0, 12+len(items))
	args = append(args, "BF.INSERT", key)
	if len(opts) == 1 {
		o := opts[0]
		if o.Capacity != 0 {
			args = append(args, "CAPACITY", o.Capacity)
		}
		if o.ErrorRate != 0 {
			args = append(args, "ERROR", o.ErrorRate)
		}
		if o.Expansion != 0 {
			args = append(args, "EXPANSION", o.Expansion)
		}
		if o.NoCreate {
			args = append(args, "NOCREATE")
		}
		if o.NonScaling {
			args = append(args, "NONSCALING")
		}
	}
	args = append(args, "ITEMS")
	for _, it := range items {
		args = append(args, it)
	}
	return redis.NewCommand(decodeItemResults, args...)
}

// BFInsert adds items, creating the filter as configured; see the function
// BFInsert.
func (c *Client) BFInsert(ctx context.Context, key string, items []string, opts ...BFInsertOptions) ([]bool, error) {
	return run(ctx, c, BFInsert(key, items, opts...))
}

// BloomFilterInfo is the reply of BF.INFO key.
type BloomFilterInfo struct {
	Capacity  int64 // items the filter holds at its error rate, over all sub-filters ("Capacity")
	Size      int64 // memory used, in bytes ("Size")
	Filters   int64 // number of sub-filters ("Number of filters")
	Items     int64 // items added ("Number of items inserted")
	Expansion int64 // growth factor of new sub-filters ("Expansion rate"); 0 for a non-scaling filter, for which the server sends null
}

func decodeBloomFilterInfo(v resp.Value, err error) (BloomFilterInfo, error) {
	var info BloomFilterInfo
	err = decodeFields(v, err, "BF.INFO", map[string]any{
		"Capacity":                 &info.Capacity,
		"Size":                     &info.Size,
		"Number of filters":        &info.Filters,
		"Number of items inserted": &info.Items,
		"Expansion rate":           &info.Expansion,
	})
	if err != nil {
		return BloomFilterInfo{}, err
	}
	return info, nil
}

// BFInfo returns BF.INFO key: the filter's parameters and fill. A missing
// key is a server error ("ERR not found").
func BFInfo(key string) redis.Command[BloomFilterInfo] {
	return redis.NewCommand(decodeBloomFilterInfo, "BF.INFO", key)
}

// BFInfo describes a Bloom filter; see the function BFInfo.
func (c *Client) BFInfo(ctx context.Context, key string) (BloomFilterInfo, error) {
	return run(ctx, c, BFInfo(key))
}

// BFInfoField names one field of BF.INFO, for BFInfoValue.
type BFInfoField string

// The fields BF.INFO reports one at a time.
const (
	BFInfoCapacity  BFInfoField = "CAPACITY"  // BloomFilterInfo.Capacity
	BFInfoSize      BFInfoField = "SIZE"      // BloomFilterInfo.Size
	BFInfoFilters   BFInfoField = "FILTERS"   // BloomFilterInfo.Filters
	BFInfoItems     BFInfoField = "ITEMS"     // BloomFilterInfo.Items
	BFInfoExpansion BFInfoField = "EXPANSION" // BloomFilterInfo.Expansion (redis.ErrNil for a non-scaling filter)
)

// decodeBloomFilterInfoValue reads the single-field form of BF.INFO: a
// one-element array under RESP2, a one-entry map under RESP3.
func decodeBloomFilterInfoValue(v resp.Value, err error) (int64, error) {
	elems, err := redis.ResultOf(v, err).Slice()
	if err != nil {
		return 0, err
	}
	switch {
	case v.Type() == resp.Map && len(elems) == 2:
		return decodeInt64(elems[1], nil)
	case v.Type() != resp.Map && len(elems) == 1:
		return decodeInt64(elems[0], nil)
	}
	return 0, fmt.Errorf("bloom: BF.INFO: expected one value, got a %s of %d elements", v.Type(), len(elems))
}

// BFInfoValue returns BF.INFO key field: one field of BFInfo. A null (the
// expansion of a non-scaling filter) is redis.ErrNil.
func BFInfoValue(key string, field BFInfoField) redis.Command[int64] {
	return redis.NewCommand(decodeBloomFilterInfoValue, "BF.INFO", key, string(field))
}

// BFInfoValue reads one field of BF.INFO; see the function BFInfoValue.
func (c *Client) BFInfoValue(ctx context.Context, key string, field BFInfoField) (int64, error) {
	return run(ctx, c, BFInfoValue(key, field))
}

// BFCard returns BF.CARD key: the number of items added to the filter (0
// for a missing key).
func BFCard(key string) redis.Command[int64] {
	return redis.NewCommand(decodeInt64, "BF.CARD", key)
}

// BFCard counts the items of a Bloom filter; see the function BFCard.
func (c *Client) BFCard(ctx context.Context, key string) (int64, error) {
	return run(ctx, c, BFCard(key))
}

// itemArgs builds command key item....
func itemArgs(command, key string, items []string) []any {
	args := make([]any, 0, 2+len(items))
	args = append(args, command, key)
	for _, it := range items {
		args = append(args, it)
	}
	return args
}
