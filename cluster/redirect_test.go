package cluster_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/cluster"
	"github.com/respkit/redis/redistest"
)

// TestRedirections covers the redirection paths the load tests do not
// reach on purpose: a replica as the only seed, a blocking command whose
// slot moved, a pipeline of commands split by slot, and a redirection loop
// between two nodes that disagree about a slot.
func TestRedirections(t *testing.T) {
	rc := redistest.StartCluster(t, redistest.ClusterConfig{})
	ctx := context.Background()
	replicas, err := rc.Replicas()
	if err != nil {
		t.Fatal(err)
	}
	primaries := mustPrimaries(t, rc)
	protocols(t, func(t *testing.T, proto int) {
		// Any node is a good seed, a replica included.
		c := cluster.NewClient(&cluster.Options{Addrs: []string{replicas[0].Addr()}, Options: redis.Options{Protocol: proto}})
		t.Cleanup(func() { c.Close() })
		key := "{blk" + strconv.Itoa(proto) + "}list"
		if err := c.Set(ctx, key+"-warm", "x"); err != nil { // reads the slot map
			t.Fatalf("through a replica seed: %v", err)
		}
		s := redis.KeySlot(key)
		from, _ := rc.PrimaryOf(s)
		to := primaries[0]
		if to == from {
			to = primaries[1]
		}
		// The client's map is now stale for s: the blocking pop meets
		// MOVED and follows it.
		if err := rc.MigrateSlot(s, to); err != nil {
			t.Fatal(err)
		}
		go func() {
			time.Sleep(100 * time.Millisecond)
			if _, err := rc.Do(to, "RPUSH", key, "v"); err != nil {
				t.Errorf("RPUSH on the new owner: %v", err)
			}
		}()
		kv, err := c.BLPop(ctx, []string{key}, 5*time.Second)
		if err != nil || kv.Key != key || kv.Element != "v" {
			t.Fatalf("BLPOP after its slot moved = %+v, %v", kv, err)
		}
		if st, _ := cluster.StatsOf(c); st.Moved == 0 {
			t.Errorf("BLPOP did not follow a MOVED (stats %+v)", st)
		}

		// A pipeline mixing split commands and single-slot ones.
		sc := newClient(t, rc, proto, func(o *cluster.Options) { o.SplitMultiKey = true })
		p := sc.Pipeline()
		set := p.MSet(redis.KeyValue{Key: "pa", Value: "1"}, redis.KeyValue{Key: "pb", Value: "2"}, redis.KeyValue{Key: "pc", Value: "3"})
		get := p.MGet("pa", "pb", "pc", "pmissing")
		size := p.DBSize() // fanned out to every primary, after the MSET
		del := p.Del("pa", "pb")
		if err := p.Exec(ctx); err != nil && !errors.Is(err, redis.ErrNil) {
			t.Fatal(err)
		}
		if err := set.Err(); err != nil {
			t.Fatalf("pipelined split MSET: %v", err)
		}
		if vals, err := get.Result(); err != nil || len(vals) != 4 || vals[0].V != "1" || vals[1].V != "2" || vals[2].V != "3" || vals[3].Valid {
			t.Fatalf("pipelined split MGET = %+v, %v", vals, err)
		}
		if n, err := size.Result(); err != nil || n < 3 {
			t.Fatalf("pipelined DBSIZE after the MSET = %d, %v", n, err)
		}
		if n, err := del.Result(); err != nil || n != 2 {
			t.Fatalf("pipelined split DEL = %d, %v", n, err)
		}
	})

	// A multi-key command over keys of a half-moved slot gets TRYAGAIN
	// until the migration ends; the client waits it out.
	{
		c := newClient(t, rc, 2, nil)
		a, b := "{try}a", "{try}b"
		if err := c.MSet(ctx, redis.KeyValue{Key: a, Value: "1"}, redis.KeyValue{Key: b, Value: "2"}); err != nil {
			t.Fatal(err)
		}
		s := redis.KeySlot(a)
		from, _ := rc.PrimaryOf(s)
		to := primaries[0]
		if to == from {
			to = primaries[1]
		}
		m, err := rc.BeginMigration(s, to)
		if err != nil {
			t.Fatal(err)
		}
		if n, err := m.MoveKeys(1); err != nil || n != 1 {
			t.Fatalf("moving one key: %d, %v", n, err)
		}
		go func() {
			time.Sleep(150 * time.Millisecond)
			if err := m.Finish(); err != nil {
				t.Errorf("finishing the migration: %v", err)
			}
		}()
		vals, err := c.MGet(ctx, a, b)
		if err != nil || len(vals) != 2 || vals[0].V != "1" || vals[1].V != "2" {
			t.Fatalf("MGET over a half-moved slot = %+v, %v", vals, err)
		}
		if st, _ := cluster.StatsOf(c); st.Refused == 0 {
			t.Errorf("MGET did not meet TRYAGAIN (stats %+v)", st)
		} else {
			t.Logf("MGET waited out %d TRYAGAIN replies", st.Refused)
		}
	}

	// A slot MIGRATING on its owner but not IMPORTING on the target: the
	// owner sends ASK to the target, the target MOVED back. The client
	// gives up after MaxRedirects with a RedirectError.
	c := newClient(t, rc, 3, func(o *cluster.Options) { o.MaxRedirects = 4 })
	key := "{loop}k"
	s := redis.KeySlot(key)
	owner, _ := rc.PrimaryOf(s)
	other := primaries[0]
	if other == owner {
		other = primaries[1]
	}
	if _, err := c.Get(ctx, key); !errors.Is(err, redis.ErrNil) {
		t.Fatalf("GET before: %v", err)
	}
	if _, err := rc.Do(owner, "CLUSTER", "SETSLOT", strconv.Itoa(s), "MIGRATING", rc.NodeID(other)); err != nil {
		t.Fatal(err)
	}
	defer rc.Do(owner, "CLUSTER", "SETSLOT", strconv.Itoa(s), "STABLE")
	_, err = c.Get(ctx, key)
	var re *cluster.RedirectError
	if !errors.As(err, &re) || re.Redirects != 4 {
		t.Fatalf("GET in a redirection loop: err = %v, want a RedirectError after 4 redirections", err)
	}
	t.Logf("redirection loop: %v", err)
}
