package redis

import (
	"context"
	"errors"
	"iter"
	"sync"
)

// Shard is one primary of a topology with its replicas, each as a Client
// of its own that runs commands on that server alone.
type Shard struct {
	Primary  *Client
	Replicas []*Client
}

// ShardLister is implemented by transports over several servers (the
// cluster transport). Client.ForEachShard, ForEachPrimary and Scan go
// through it; a transport without it is one shard: its own Client.
type ShardLister interface {
	// Shards returns the current shards. The Clients belong to the
	// transport: do not close them.
	Shards(ctx context.Context) ([]Shard, error)
}

// shards returns the client's shards: the transport's, or the client
// itself as the one primary.
func (c *Client) shards(ctx context.Context) ([]Shard, error) {
	if c.closed.Load() {
		return nil, ErrClosed
	}
	if sl, ok := c.t.(ShardLister); ok {
		return sl.Shards(ctx)
	}
	return []Shard{{Primary: c}}, nil
}

// ForEachShard calls fn for every shard of the topology, concurrently,
// and returns the errors it returned, joined. On a standalone or sentinel
// client there is one shard, whose Primary is c itself. The Clients given
// to fn run commands on their own server only.
func (c *Client) ForEachShard(ctx context.Context, fn func(ctx context.Context, s Shard) error) error {
	shards, err := c.shards(ctx)
	if err != nil {
		return err
	}
	errs := make([]error, len(shards))
	var wg sync.WaitGroup
	for i, s := range shards {
		wg.Go(func() { errs[i] = fn(ctx, s) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// ForEachPrimary calls fn with a Client for every primary, concurrently,
// and returns the errors it returned, joined. On a standalone or sentinel
// client fn is called once, with c.
func (c *Client) ForEachPrimary(ctx context.Context, fn func(ctx context.Context, primary *Client) error) error {
	return c.ForEachShard(ctx, func(ctx context.Context, s Shard) error { return fn(ctx, s.Primary) })
}

// scanShards iterates a keyspace scan over every primary in turn, each
// from cursor 0 until it is complete.
func scanShards[T any](c *Client, ctx context.Context, scan func(*Client) iter.Seq2[T, error]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		shards, err := c.shards(ctx)
		if err != nil {
			var zero T
			yield(zero, err)
			return
		}
		for _, s := range shards {
			for v, err := range scan(s.Primary) {
				if !yield(v, err) || err != nil {
					return
				}
			}
		}
	}
}
