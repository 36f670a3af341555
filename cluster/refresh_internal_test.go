package cluster

import (
	"context"
	"testing"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/redistest"
)

// TestTopologyFollowsQuietChanges checks the background reads of the slot
// map: a failover made while the client sends nothing is seen without a
// MOVED, and a node that leaves the cluster (killed and forgotten) has its
// connections closed once leftGrace has passed.
func TestTopologyFollowsQuietChanges(t *testing.T) {
	old := leftGrace
	leftGrace = 200 * time.Millisecond
	defer func() { leftGrace = old }()
	rc := redistest.StartCluster(t, redistest.ClusterConfig{})
	ctx := context.Background()
	c := NewClient(&Options{Addrs: rc.Addrs()[:1], RefreshInterval: 100 * time.Millisecond})
	defer c.Close()
	tr := c.Transport().(*transport)
	key := "quiet"
	if err := c.Set(ctx, key, "1"); err != nil {
		t.Fatal(err)
	}
	owner, err := rc.PrimaryOf(redis.KeySlot(key))
	if err != nil {
		t.Fatal(err)
	}
	reps, err := rc.ReplicasOf(owner)
	if err != nil || len(reps) == 0 {
		t.Fatalf("replicas of %s: %v, %v", owner.Addr(), reps, err)
	}
	if err := rc.Failover(reps[0]); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the background read to see the new primary", func() bool {
		tp := tr.topo.Load()
		return tp.shardFor(redis.KeySlot(key)).primary.addr == reps[0].Addr()
	})
	if err := c.Set(ctx, key, "2"); err != nil {
		t.Fatal(err)
	}
	if st, _ := StatsOf(c); st.Moved != 0 {
		t.Errorf("the client followed %d MOVED: the background read should have moved the slot first", st.Moved)
	}

	// The old primary, now a replica, is killed and forgotten.
	gone := owner
	if err := rc.Kill(gone); err != nil {
		t.Fatal(err)
	}
	id := rc.NodeID(gone)
	for _, n := range rc.Nodes() {
		if n != gone {
			if _, err := rc.Do(n, "CLUSTER", "FORGET", id); err != nil {
				t.Fatalf("CLUSTER FORGET on %s: %v", n.Addr(), err)
			}
		}
	}
	waitFor(t, "the client to close the forgotten node", func() bool {
		tr.mu.Lock()
		defer tr.mu.Unlock()
		_, ok := tr.servers[gone.Addr()]
		return !ok
	})
	if v, err := c.Get(ctx, key); err != nil || v != "2" {
		t.Fatalf("GET after the node left = %q, %v", v, err)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestCloseDuringRefreshes closes clients while reads of the slot map are
// asked for, under way and waiting for the rate limit: Close must return,
// every channel from refresh must be closed, and nothing may race.
func TestCloseDuringRefreshes(t *testing.T) {
	rc := redistest.StartCluster(t, redistest.ClusterConfig{Primaries: 1, Replicas: redistest.NoReplicas})
	for round := range 20 {
		c := NewClient(&Options{Addrs: rc.Addrs(), MinRefreshInterval: time.Duration(round%4) * time.Millisecond})
		tr := c.Transport().(*transport)
		if err := c.Ping(context.Background()); err != nil {
			t.Fatal(err)
		}
		stop := make(chan struct{})
		var chans []<-chan struct{}
		done := make(chan struct{})
		go func() {
			defer close(done)
			for {
				select {
				case <-stop:
					return
				default:
				}
				chans = append(chans, tr.refresh())
			}
		}()
		time.Sleep(time.Duration(round%5) * time.Millisecond)
		closed := make(chan error, 1)
		go func() { closed <- c.Close() }()
		select {
		case <-closed:
		case <-time.After(5 * time.Second):
			t.Fatal("Close did not return")
		}
		close(stop)
		<-done
		for i, ch := range chans {
			select {
			case <-ch:
			case <-time.After(5 * time.Second):
				t.Fatalf("round %d: refresh channel %d of %d never closed", round, i, len(chans))
			}
		}
	}
}
