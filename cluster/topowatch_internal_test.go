package cluster

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/respkit/redis"
)

// TestTopologyChanged checks the hooks for packages that follow the
// primaries: the channel closes when a read finds the map changed (the
// first read included), not when it finds the same map; RefreshTopology
// reports a failed read and ErrClosed after Close. No server is needed:
// the maps are installed by hand and the seed refuses connections.
func TestTopologyChanged(t *testing.T) {
	tr := newTransport(&Options{Addrs: []string{"127.0.0.1:1"}, RefreshInterval: -1})
	defer tr.Close()
	closed := func(ch <-chan struct{}) bool {
		select {
		case <-ch:
			return true
		default:
			return false
		}
	}
	view := func(primary string) []shardView {
		return []shardView{{
			spans: []redis.SlotSpan{{Start: 0, End: 16383}},
			nodes: []nodeView{{addr: primary, primary: true, healthy: true}},
		}}
	}
	ch := tr.TopologyChanged()
	if closed(ch) {
		t.Fatal("closed before any read")
	}
	if tr.TopologyChanged() != ch {
		t.Fatal("two waiters of the same change got different channels")
	}
	if _, err := tr.install(view("127.0.0.1:7001")); err != nil {
		t.Fatal(err)
	}
	if !closed(ch) {
		t.Fatal("not closed by the first map")
	}
	ch = tr.TopologyChanged()
	if _, err := tr.install(view("127.0.0.1:7001")); err != nil {
		t.Fatal(err)
	}
	if closed(ch) {
		t.Fatal("closed by the same map read again")
	}
	if _, err := tr.install(view("127.0.0.1:7002")); err != nil {
		t.Fatal(err)
	}
	if !closed(ch) {
		t.Fatal("not closed by a new primary")
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := tr.RefreshTopology(ctx); err == nil {
		t.Fatal("RefreshTopology: no error from nodes that refuse connections")
	}
	tr.Close()
	if err := tr.RefreshTopology(ctx); !errors.Is(err, redis.ErrClosed) {
		t.Fatalf("RefreshTopology after Close: %v, want ErrClosed", err)
	}
}
