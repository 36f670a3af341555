package redis_test

import (
	"context"
	"sync"
	"testing"

	"github.com/respkit/redis"
)

// NodeStats counts what the shared connections carry, across a
// reconnection, and how well concurrent commands were batched.
func TestNodeStats(t *testing.T) {
	ctx := context.Background()
	o := commandOptions(t)
	c := redis.NewClient(&o)
	defer c.Close()
	k := key(t, "k")
	if err := c.Set(ctx, k, "v"); err != nil {
		t.Fatal(err)
	}
	const goroutines, each = 64, 50
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			for range each {
				if _, err := c.Get(ctx, k); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	ns := c.NodeStats()
	if len(ns) != 1 {
		t.Fatalf("NodeStats = %+v, want one server", ns)
	}
	s := ns[0]
	if s.Addr != o.Addr || s.Shared.Conns != 1 || s.Shared.Dials != 1 || s.Shared.InFlight != 0 ||
		s.Shared.Commands < 1+goroutines*each || s.Shared.Writes == 0 || s.Shared.Writes > s.Shared.Commands {
		t.Fatalf("after %d GETs: %+v", goroutines*each, s)
	}
	t.Logf("%d commands in %d writes (%.1f per write)", s.Shared.Commands, s.Shared.Writes, float64(s.Shared.Commands)/float64(s.Shared.Writes))

	// The server drops the connection: the next command dials again, and
	// the counts carry on.
	id, err := c.ClientID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	killer := redis.NewClient(&o)
	defer killer.Close()
	if n, err := killer.ClientKill(ctx, redis.ClientKillFilter{ID: id}); err != nil || n != 1 {
		t.Fatalf("CLIENT KILL ID %d = %d, %v", id, n, err)
	}
	for range 3 {
		c.Get(ctx, k) // the first may fail: the connection was killed
	}
	after := c.NodeStats()[0]
	if after.Shared.Dials != 2 || after.Shared.Commands <= s.Shared.Commands || after.Shared.Conns != 1 {
		t.Fatalf("after a reconnection: %+v (before %+v)", after, s)
	}
}
