package cluster_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/respkit/redis"
	"github.com/respkit/redis/cluster"
	"github.com/respkit/redis/redistest"
)

// Hooks on a cluster client see which node answered each command and the
// redirections followed when the client's slot map was stale; Dial hooks
// see every node's connections.
func TestHooksCluster(t *testing.T) {
	rc := redistest.StartCluster(t, redistest.ClusterConfig{})
	ctx := context.Background()
	primaries := mustPrimaries(t, rc)
	protocols(t, func(t *testing.T, proto int) {
		var mu sync.Mutex
		var cmds []redis.CommandCall
		var pipes []redis.PipelineCall
		dialed := map[string]bool{}
		hook := redis.Hook{
			Dial: func(ctx context.Context, d redis.DialCall, next func(context.Context) error) error {
				mu.Lock()
				dialed[d.Addr] = true
				mu.Unlock()
				return next(ctx)
			},
			Command: func(ctx context.Context, c *redis.CommandCall, next func(context.Context) error) error {
				err := next(ctx)
				mu.Lock()
				cmds = append(cmds, *c)
				mu.Unlock()
				return err
			},
			Pipeline: func(ctx context.Context, p *redis.PipelineCall, next func(context.Context) error) error {
				err := next(ctx)
				mu.Lock()
				pipes = append(pipes, *p)
				mu.Unlock()
				return err
			},
		}
		// Two clients, each with a slot map read before the slots move:
		// one for a command, one for a pipeline (a client refreshes its
		// whole map after a MOVED).
		c := newClient(t, rc, proto, func(o *cluster.Options) { o.Hooks = []redis.Hook{hook} })
		pc := newClient(t, rc, proto, func(o *cluster.Options) { o.Hooks = []redis.Hook{hook} })
		key := "{hook" + strings.Repeat("x", proto) + "}k"
		pkey := "{hookp" + strings.Repeat("x", proto) + "}k"
		s, ps := redis.KeySlot(key), redis.KeySlot(pkey)
		if err := c.Set(ctx, key, "v"); err != nil {
			t.Fatal(err)
		}
		if err := pc.Set(ctx, pkey, "pv"); err != nil {
			t.Fatal(err)
		}
		from, err := rc.PrimaryOf(s)
		if err != nil {
			t.Fatal(err)
		}
		pfrom, err := rc.PrimaryOf(ps)
		if err != nil {
			t.Fatal(err)
		}
		to, pto := primaries[0], primaries[0]
		if to == from {
			to = primaries[1]
		}
		if pto == pfrom {
			pto = primaries[1]
		}
		if err := rc.MigrateSlots([]int{s}, to); err != nil {
			t.Fatal(err)
		}
		if err := rc.MigrateSlots([]int{ps}, pto); err != nil {
			t.Fatal(err)
		}
		// The clients' maps are stale: both meet MOVED and follow it.
		if v, err := c.Get(ctx, key); err != nil || v != "v" {
			t.Fatalf("GET after its slot moved = %q, %v", v, err)
		}
		p := pc.Pipeline()
		get := p.Get(pkey)
		if err := p.Exec(ctx); err != nil || get.Val() != "pv" {
			t.Fatalf("pipelined GET after its slot moved = %q, %v", get.Val(), err)
		}

		mu.Lock()
		defer mu.Unlock()
		// The clients' own topology reads (CLUSTER SHARDS) are commands
		// too: leave them out.
		cmds = slices.DeleteFunc(cmds, func(c redis.CommandCall) bool { return c.Name != "SET" && c.Name != "GET" })
		if len(cmds) != 3 || len(pipes) != 1 {
			t.Fatalf("hooks saw %+v and %+v", cmds, pipes)
		}
		cmds = slices.DeleteFunc(cmds, func(c redis.CommandCall) bool { return c.Slot == ps })
		if set := cmds[0]; set.Name != "SET" || set.Slot != s || set.Addr != from.Addr() || set.Redirects != 0 {
			t.Errorf("SET: %+v, want slot %d on %s, no redirection", set, s, from.Addr())
		}
		if get := cmds[1]; get.Name != "GET" || get.Addr != to.Addr() || get.Redirects != 1 || get.Attempts != 1 {
			t.Errorf("GET: %+v, want 1 redirection to %s", get, to.Addr())
		}
		if pl := pipes[0]; pl.Redirects != 1 || pl.Addr != pto.Addr() || len(pl.Names) != 1 {
			t.Errorf("pipeline: %+v, want 1 redirection to %s", pl, pto.Addr())
		}
		// Per-node counters: the nodes that answered are listed, with
		// what they carried.
		stats := map[string]redis.NodeStats{}
		for _, n := range c.NodeStats() {
			stats[n.Addr] = n
		}
		if stats[from.Addr()].Shared.Commands == 0 || stats[to.Addr()].Shared.Commands == 0 || stats[to.Addr()].Shared.Conns != 1 {
			t.Errorf("NodeStats = %+v; want commands on %s and %s", c.NodeStats(), from.Addr(), to.Addr())
		}
		if !dialed[from.Addr()] || !dialed[to.Addr()] {
			t.Errorf("Dial hooks saw %v; want both %s and %s", dialed, from.Addr(), to.Addr())
		}
	})
}
