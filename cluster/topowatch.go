package cluster

import (
	"context"

	"github.com/respkit/redis"
)

// Following the topology from outside the package.
//
// Packages built on *redis.Client that keep something on every primary
// (the keyspace package subscribes to keyspace notifications on each,
// since they are node-local in Redis Cluster) list the primaries with
// Client.ForEachShard and learn of changes through the two methods below,
// found with a type assertion on Client.Transport():
//
//	t, ok := c.Transport().(interface {
//		TopologyChanged() <-chan struct{}
//		RefreshTopology(ctx context.Context) error
//	})

// TopologyChanged returns a channel that is closed the next time a read of
// the slot map finds it changed (a replica promoted, a node added or gone,
// slots moved); call it again to wait for the change after that. The
// first read of the map counts as a change. The channel is never closed
// by Close: wait on it together with something that ends.
func (t *transport) TopologyChanged() <-chan struct{} {
	t.changeMu.Lock()
	defer t.changeMu.Unlock()
	if t.changed == nil {
		t.changed = make(chan struct{})
	}
	return t.changed
}

// noteChanged wakes those waiting on TopologyChanged.
func (t *transport) noteChanged() {
	t.changeMu.Lock()
	defer t.changeMu.Unlock()
	if t.changed != nil {
		close(t.changed)
		t.changed = nil
	}
}

// RefreshTopology reads the slot map again and waits until the read ends,
// or ctx does. Reads are shared and spaced as every read is
// (Options.MinRefreshInterval): a read under way, or one waiting for the
// spacing, serves the call. It returns the read's error, ErrClosed once
// the client is closed, or ctx's error; the slot map then in use is what
// Client.ForEachShard lists.
func (t *transport) RefreshTopology(ctx context.Context) error {
	if t.isClosed() {
		return redis.ErrClosed
	}
	select {
	case <-t.refresh():
	case <-ctx.Done():
		return ctx.Err()
	}
	if t.isClosed() {
		return redis.ErrClosed
	}
	t.refreshMu.Lock()
	defer t.refreshMu.Unlock()
	return t.refreshErr
}
