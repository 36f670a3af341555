package bloom

import (
	"context"

	"github.com/respkit/redis"
	"github.com/respkit/redis/resp"
)

// CFReserveOptions are the optional arguments of CF.RESERVE. The zero
// value sends none.
type CFReserveOptions struct {
	// BucketSize is the number of items per bucket (BUCKETSIZE); 0 sends
	// none (the server's default is 2). Larger buckets fill better and err
	// more often.
	BucketSize int64
	// MaxIterations is how many times an insert may move items between
	// buckets before the filter counts as full (MAXITERATIONS); 0 sends
	// none (the server's default is 20).
	MaxIterations int64
	// Expansion is the growth factor of each new sub-filter (EXPANSION);
	// 0 sends none (the server's default is 1).
	Expansion int64
}

// CFReserve returns CF.RESERVE key capacity [BUCKETSIZE n]
// [MAXITERATIONS n] [EXPANSION n]: create an empty cuckoo filter for about
// capacity items. The server replies with an error when key exists.
func CFReserve(key string, capacity int64, opts ...CFReserveOptions) redis.Command[struct{}] {
	if len(opts) > 1 {
		return redis.CommandError("CF.RESERVE", errTooManyOptions("CF.RESERVE", len(opts)), decodeStatus)
	}
	args := []any{"CF.RESERVE", key, capacity}
	if len(opts) == 1 {
		o := opts[0]
		if o.BucketSize != 0 {
			args = append(args, "BUCKETSIZE", o.BucketSize)
		}
		if o.MaxIterations != 0 {
			args = append(args, "MAXITERATIONS", o.MaxIterations)
		}
		if o.Expansion != 0 {
			args = append(args, "EXPANSION", o.Expansion)
		}
	}
	return redis.NewCommand(decodeStatus, args...)
}

// CFReserve creates an empty cuckoo filter; see the function CFReserve.
func (c *Client) CFReserve(ctx context.Context, key string, capacity int64, opts ...CFReserveOptions) error {
	_, err := run(ctx, c, CFReserve(key, capacity, opts...))
	return err
}

// CFAdd returns CF.ADD key item: add item to the cuckoo filter at key
// (creating it with the server's defaults when key does not exist). A
// cuckoo filter counts duplicates: adding an item twice stores it twice.
// The result is true once the item is stored; a full filter that cannot
// grow is a server error.
func CFAdd(key, item string) redis.Command[bool] {
	return redis.NewCommand(decodeBool, "CF.ADD", key, item)
}

// CFAdd adds an item to a cuckoo filter; see the function CFAdd.
func (c *Client) CFAdd(ctx context.Context, key, item string) (bool, error) {
	return run(ctx, c, CFAdd(key, item))
}

// CFAddNX returns CF.ADDNX key item: add item only when it is not already
// (possibly) present. The result is true when it was added, false when it
// may have been there.
func CFAddNX(key, item string) redis.Command[bool] {
	return redis.NewCommand(decodeBool, "CF.ADDNX", key, item)
}

// CFAddNX adds an item unless present; see the function CFAddNX.
func (c *Client) CFAddNX(ctx context.Context, key, item string) (bool, error) {
	return run(ctx, c, CFAddNX(key, item))
}

// CFInsertOptions are the optional arguments of CF.INSERT and
// CF.INSERTNX. The zero value sends none.
type CFInsertOptions struct {
	// Capacity is the capacity of a filter the command creates
	// (CAPACITY); 0 sends none (the server uses its configured default).
	Capacity int64
	// NoCreate makes a missing key an error instead of creating a filter
	// (NOCREATE).
	NoCreate bool
}

func cfInsert(command, key string, items []string, opts []CFInsertOptions) redis.Command[[]bool] {
	if err := rejectEmpty(command, len(items), "item"); err != nil {
		return redis.CommandError(command, err, decodeItemResults)
	}
	if len(opts) > 1 {
		return redis.CommandError(command, errTooManyOptions(command, len(opts)), decodeItemResults)
	}
	args := make([]any, 0, 6+len(items))
	args = append(args, command, key)
	if len(opts) == 1 {
		if opts[0].Capacity != 0 {
			args = append(args, "CAPACITY", opts[0].Capacity)
		}
		if opts[0].NoCreate {
			args = append(args, "NOCREATE")
		}
	}
	args = append(args, "ITEMS")
	for _, it := range items {
		args = append(args, it)
	}
	return redis.NewCommand(decodeItemResults, args...)
}

// CFInsert returns CF.INSERT key [CAPACITY n] [NOCREATE] ITEMS item...:
// add several items (duplicates included), creating the filter when key
// does not exist unless NoCreate. The result has one entry per item, true
// when it was stored. Items that found no room read false and come back
// with ErrFilterFull. At least one item is required.
func CFInsert(key string, items []string, opts ...CFInsertOptions) redis.Command[[]bool] {
	return cfInsert("CF.INSERT", key, items, opts)
}

// CFInsert adds several items; see the function CFInsert.
func (c *Client) CFInsert(ctx context.Context, key string, items []string, opts ...CFInsertOptions) ([]bool, error) {
	return run(ctx, c, CFInsert(key, items, opts...))
}

// CFInsertNX returns CF.INSERTNX key [CAPACITY n] [NOCREATE] ITEMS
// item...: CFInsert, adding each item only when it is not already
// (possibly) present: true when it was added, false when it may have been
// there. (The server sends integers here even under RESP3; the result is
// the same.)
func CFInsertNX(key string, items []string, opts ...CFInsertOptions) redis.Command[[]bool] {
	return cfInsert("CF.INSERTNX", key, items, opts)
}

// CFInsertNX adds several items unless present; see the function
// CFInsertNX.
func (c *Client) CFInsertNX(ctx context.Context, key string, items []string, opts ...CFInsertOptions) ([]bool, error) {
	return run(ctx, c, CFInsertNX(key, items, opts...))
}

// CFExists returns CF.EXISTS key item: whether item may be in the filter
// (false means certainly not). A missing key reads false.
func CFExists(key, item string) redis.Command[bool] {
	return redis.NewCommand(decodeBool, "CF.EXISTS", key, item)
}

// CFExists checks one item; see the function CFExists.
func (c *Client) CFExists(ctx context.Context, key, item string) (bool, error) {
	return run(ctx, c, CFExists(key, item))
}

// CFMExists returns CF.MEXISTS key item...: CFExists for several items,
// one entry per item. At least one item is required.
func CFMExists(key string, items ...string) redis.Command[[]bool] {
	if err := rejectEmpty("CF.MEXISTS", len(items), "item"); err != nil {
		return redis.CommandError("CF.MEXISTS", err, decodeBools)
	}
	return redis.NewCommand(decodeBools, itemArgs("CF.MEXISTS", key, items)...)
}

// CFMExists checks several items; see the function CFMExists.
func (c *Client) CFMExists(ctx context.Context, key string, items ...string) ([]bool, error) {
	return run(ctx, c, CFMExists(key, items...))
}

// CFDel returns CF.DEL key item: remove one copy of item. The result is
// true when a copy was removed, false when none was found. Delete only
// items that were added: removing a false positive removes another item.
// A missing key is a server error.
func CFDel(key, item string) redis.Command[bool] {
	return redis.NewCommand(decodeBool, "CF.DEL", key, item)
}

// CFDel removes one copy of an item; see the function CFDel.
func (c *Client) CFDel(ctx context.Context, key, item string) (bool, error) {
	return run(ctx, c, CFDel(key, item))
}

// CFCount returns CF.COUNT key item: how many times item may have been
// added (an estimate that can be too high, never too low for items still
// stored). A missing key reads 0.
func CFCount(key, item string) redis.Command[int64] {
	return redis.NewCommand(decodeInt64, "CF.COUNT", key, item)
}

// CFCount estimates an item's copies; see the function CFCount.
func (c *Client) CFCount(ctx context.Context, key, item string) (int64, error) {
	return run(ctx, c, CFCount(key, item))
}

// CuckooFilterInfo is the reply of CF.INFO key.
type CuckooFilterInfo struct {
	Size          int64 // memory used, in bytes ("Size")
	Buckets       int64 // number of buckets ("Number of buckets")
	Filters       int64 // number of sub-filters ("Number of filters")
	ItemsInserted int64 // items added ("Number of items inserted")
	ItemsDeleted  int64 // items removed ("Number of items deleted")
	BucketSize    int64 // items per bucket ("Bucket size")
	Expansion     int64 // growth factor of new sub-filters ("Expansion rate")
	MaxIterations int64 // moves an insert may make ("Max iterations")
}

func decodeCuckooFilterInfo(v resp.Value, err error) (CuckooFilterInfo, error) {
	var info CuckooFilterInfo
	err = decodeFields(v, err, "CF.INFO", map[string]any{
		"Size":                     &info.Size,
		"Number of buckets":        &info.Buckets,
		"Number of filters":        &info.Filters,
		"Number of items inserted": &info.ItemsInserted,
		"Number of items deleted":  &info.ItemsDeleted,
		"Bucket size":              &info.BucketSize,
		"Expansion rate":           &info.Expansion,
		"Max iterations":           &info.MaxIterations,
	})
	if err != nil {
		return CuckooFilterInfo{}, err
	}
	return info, nil
}

// CFInfo returns CF.INFO key: the filter's parameters and fill. A missing
// key is a server error.
func CFInfo(key string) redis.Command[CuckooFilterInfo] {
	return redis.NewCommand(decodeCuckooFilterInfo, "CF.INFO", key)
}

// CFInfo describes a cuckoo filter; see the function CFInfo.
func (c *Client) CFInfo(ctx context.Context, key string) (CuckooFilterInfo, error) {
	return run(ctx, c, CFInfo(key))
}
