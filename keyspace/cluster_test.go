package keyspace_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/cluster"
	"github.com/respkit/redis/keyspace"
	"github.com/respkit/redis/redistest"
)

// slotPerPrimary returns one slot served by each primary of rc, and the
// primaries in the same order.
func slotPerPrimary(t *testing.T, rc *redistest.Cluster) ([]int, []*redistest.ClusterNode) {
	t.Helper()
	ranges, err := rc.Slots()
	if err != nil {
		t.Fatal(err)
	}
	var (
		slots []int
		nodes []*redistest.ClusterNode
	)
	for _, r := range ranges {
		if !slices.Contains(nodes, r.Primary) {
			slots = append(slots, r.Start)
			nodes = append(nodes, r.Primary)
		}
	}
	return slots, nodes
}

func newClusterClient(t *testing.T, rc *redistest.Cluster, proto int) *redis.Client {
	t.Helper()
	o := &cluster.Options{Addrs: rc.Addrs()} // any node that answers: one is killed below
	o.Protocol = proto
	c := cluster.NewClient(o)
	t.Cleanup(func() { c.Close() })
	return c
}

// TestCluster runs on one cluster of 3 primaries with a replica each:
// events of keys on every primary arrive, each from its node; then a
// primary is killed, and later another fails over by hand: each time the
// watcher subscribes on the promoted replica, marks the gap, and events
// of its keys keep arriving, while those of the other primaries never
// stop.
func TestCluster(t *testing.T) {
	rc := redistest.StartCluster(t, redistest.ClusterConfig{})
	base := runtime.NumGoroutine() // redistest's, one per server
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()

	// The watcher finds these methods of the cluster transport by a type
	// assertion (it may not import the cluster package): a rename would
	// leave it reading the slot map only as often as the client does.
	probe := cluster.NewClient(&cluster.Options{Addrs: rc.Addrs()})
	_, ok := probe.Transport().(interface {
		TopologyChanged() <-chan struct{}
		RefreshTopology(ctx context.Context) error
	})
	probe.Close()
	if !ok {
		t.Fatal("the cluster transport has no TopologyChanged and RefreshTopology")
	}

	protocols(t, func(t *testing.T, proto int) {
		c := newClusterClient(t, rc, proto)
		slots, primaries := slotPerPrimary(t, rc)
		p := fmt.Sprintf("ev%d:", proto)
		w := watch(t, ctx, c, &keyspace.Options{Keys: "*" + p + "*", Notify: "g$x"})
		if st := w.Stats(); st.Nodes != len(primaries) {
			t.Fatalf("subscribed on %d nodes, want %d", st.Nodes, len(primaries))
		}
		owner := map[string]string{}
		for i, s := range slots {
			k := redistest.SlotTag(s) + p + strconv.Itoa(i)
			owner[k] = primaries[i].Addr()
			if err := c.Set(ctx, k, "1"); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Del(ctx, k); err != nil {
				t.Fatal(err)
			}
			if err := c.Do(ctx, "SET", k, "1", "PX", "20").Err(); err != nil {
				t.Fatal(err)
			}
		}
		// Events of different nodes interleave: check the order per key.
		got := map[string][]string{}
		rctx, rcancel := context.WithTimeout(ctx, 5*time.Second)
		defer rcancel()
		for n := 0; n < len(slots)*5; { // set, del, set, expire, expired
			ev, err := w.Receive(rctx)
			if err != nil {
				t.Fatalf("after %v: %v", got, err)
			}
			if ev.Gap {
				t.Fatalf("gap marker %v", ev)
			}
			if ev.Node != owner[ev.Key] {
				t.Errorf("event %v: want it from %s", ev, owner[ev.Key])
			}
			got[ev.Key] = append(got[ev.Key], ev.Event)
			n++
		}
		for k := range owner {
			if w := []string{"set", "del", "set", "expire", "expired"}; !slices.Equal(got[k], w) {
				t.Errorf("events of %s: %q, want %q", k, got[k], w)
			}
		}
		t.Logf("%d events from %d primaries", len(slots)*5, len(slots))

		if _, err := keyspace.Watch(ctx, c, &keyspace.Options{DBs: []int{1}}); err == nil {
			t.Error("Watch of database 1 on a cluster: no error")
		}
	})

	t.Run("Failover", func(t *testing.T) {
		slots, primaries := slotPerPrimary(t, rc)
		writer := newClusterClient(t, rc, 3)
		var ws []*keyspace.Watcher
		for _, proto := range []int{2, 3} {
			ws = append(ws, watch(t, ctx, newClusterClient(t, rc, proto), &keyspace.Options{Keys: "*fo:*", Notify: "$"}))
		}
		// A writer sets a key of every primary's slot every 10 ms; writes
		// to a shard being failed over fail until its replica takes over.
		var (
			mu      sync.Mutex
			written = map[string]time.Time{}
		)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				case <-time.After(10 * time.Millisecond):
				}
				for j, s := range slots {
					k := fmt.Sprintf("%sfo:%d.%d", redistest.SlotTag(s), j, i)
					wctx, wcancel := context.WithTimeout(ctx, 200*time.Millisecond)
					if writer.Set(wctx, k, "1") == nil {
						mu.Lock()
						written[k] = time.Now()
						mu.Unlock()
					}
					wcancel()
				}
			}
		})
		defer func() { close(stop); wg.Wait() }()

		// failover runs fault, then waits until each watcher has marked a
		// gap for the promoted replica and delivered an event of the
		// shard's slot from it.
		failover := func(what string, shard int, fault func(replica *redistest.ClusterNode) error) {
			t.Helper()
			replicas, err := rc.ReplicasOf(primaries[shard])
			if err != nil || len(replicas) == 0 {
				t.Fatalf("replicas of %s: %v, %v", primaries[shard].Addr(), replicas, err)
			}
			promoted := replicas[0].Addr()
			tag := redistest.SlotTag(slots[shard])
			type seen struct {
				gap, event time.Time
				others     int // events of the other shards meanwhile
				err        error
			}
			results := make(chan seen, len(ws))
			for _, w := range ws {
				go func() {
					var s seen
					for {
						ev, err := w.Receive(ctx)
						switch {
						case err != nil:
							s.err = err
						case ev.Gap && ev.Node == promoted:
							if s.gap.IsZero() {
								s.gap = time.Now()
							}
							continue
						case ev.Gap:
							s.err = fmt.Errorf("gap marker %v, want one for %s", ev, promoted)
						case !strings.HasPrefix(ev.Key, tag):
							s.others++
							continue
						case ev.Node != promoted:
							continue // from the old primary, before the failover
						case s.gap.IsZero():
							s.err = fmt.Errorf("event %v from the promoted replica before the gap marker", ev)
						default:
							s.event = time.Now()
						}
						results <- s
						return
					}
				}()
			}
			began := time.Now()
			if err := fault(replicas[0]); err != nil {
				t.Fatal(err)
			}
			ok := time.Now()
			for i := range ws {
				s := <-results
				if s.err != nil {
					t.Fatalf("%s: %v", what, s.err)
				}
				t.Logf("%s: watcher %d: gap marker for %s %v after the fault began (%v after the cluster was OK again), then an event from it %v later; %d events of the other primaries meanwhile",
					what, i, promoted, s.gap.Sub(began).Round(time.Millisecond), s.gap.Sub(ok).Round(time.Millisecond),
					s.event.Sub(s.gap).Round(time.Millisecond), s.others)
				if s.others == 0 {
					t.Errorf("%s: watcher %d: no event of the other primaries", what, i)
				}
			}
		}

		failover("SIGKILL of a primary", 0, func(*redistest.ClusterNode) error {
			if err := rc.Kill(primaries[0]); err != nil {
				return err
			}
			return rc.WaitOK()
		})
		failover("CLUSTER FAILOVER", 1, func(r *redistest.ClusterNode) error { return rc.Failover(r) })

		deadline := time.Now().Add(5 * time.Second)
		for _, w := range ws {
			for w.Stats().Nodes != len(primaries) {
				if time.Now().After(deadline) {
					t.Fatalf("subscribed on %d nodes, want %d", w.Stats().Nodes, len(primaries))
				}
				time.Sleep(10 * time.Millisecond)
			}
			st := w.Stats()
			t.Logf("stats %+v", st)
			if st.Dropped != 0 || st.Gaps < 2 {
				t.Errorf("stats %+v: want 2 gaps or more, none dropped", st)
			}
			if err := w.Err(); err != nil {
				t.Errorf("Err %v while running", err)
			}
		}
		mu.Lock()
		t.Logf("%d keys written", len(written))
		mu.Unlock()
	})

	t.Run("Migration", func(t *testing.T) {
		// A slot moves between primaries that are both subscribed:
		// the events of its key come from the new owner, without a gap.
		c := newClusterClient(t, rc, 3)
		w := watch(t, ctx, c, &keyspace.Options{Keys: "*mig*", Notify: "g$"})
		slots, primaries := slotPerPrimary(t, rc)
		slot := slots[0] + 7
		key := redistest.SlotTag(slot) + "mig"
		from, err := rc.PrimaryOf(slot)
		if err != nil {
			t.Fatal(err)
		}
		to := primaries[1]
		if to == from {
			to = primaries[2]
		}
		if err := c.Set(ctx, key, "1"); err != nil {
			t.Fatal(err)
		}
		if ev := expect(t, w, "set "+key); ev[0].Node != from.Addr() {
			t.Fatalf("event %v, want it from %s", ev[0], from.Addr())
		}
		if err := rc.MigrateSlot(slot, to); err != nil {
			t.Fatal(err)
		}
		if err := c.Set(ctx, key, "2"); err != nil {
			t.Fatal(err)
		}
		// MIGRATE itself reports the key's move: del on the source,
		// restore on the target (expect fails on a gap marker).
		got := expect(t, w, "set "+key)
		for _, ev := range got {
			t.Logf("during the migration: %v", ev)
		}
		if last := got[len(got)-1]; last.Node != to.Addr() {
			t.Fatalf("event %v after the migration, want it from %s", last, to.Addr())
		}
	})

	t.Run("Close", func(t *testing.T) {
		c := newClusterClient(t, rc, 3)
		w, err := keyspace.Watch(ctx, c, nil)
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
		if _, err := w.Receive(ctx); !errors.Is(err, redis.ErrClosed) {
			t.Fatalf("Receive after the client's Close: %v, want redis.ErrClosed", err)
		}
		w.Close()
	})
	// Every watcher and client of the subtests is closed by now.
	goroutines(t, base)
}
