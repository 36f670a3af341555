package cluster_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/cluster"
	"github.com/respkit/redis/internal/stalecheck"
	"github.com/respkit/redis/redistest"
)

// cacheSentHook tells stalecheck which reads reached a server: a read
// that returns without it was answered from the cache.
var cacheSentHook = redis.Hook{Command: func(ctx context.Context, _ *redis.CommandCall, next func(context.Context) error) error {
	stalecheck.MarkSent(ctx)
	return next(ctx)
}}

// startCacheChecker runs the stale-read checker on keys: GETs through c's
// cache (c has cacheSentHook), SETs with write, and the server's value
// read with server() when a read is stale.
func startCacheChecker(c *redis.Client, server func() *redis.Client, keys []string, write func(ctx context.Context, key, val string, began time.Time) (bool, error)) *stalecheck.Checker {
	return stalecheck.Start(stalecheck.Config{Keys: keys, Write: write, Get: c.Cached(0).Get, Missing: redis.ErrNil,
		Server: func(ctx context.Context, key string) (string, error) { return server().Get(ctx, key) },
		Stats:  func() string { return fmt.Sprintf("%+v", c.Cache().Stats()) }})
}

// cachedClient returns a cluster client of rc with client-side caching
// and cacheSentHook.
func cachedClient(t *testing.T, rc *redistest.Cluster, proto int) *redis.Client {
	return newClient(t, rc, proto, func(o *cluster.Options) {
		o.Cache = &redis.CacheOptions{}
		o.Hooks = []redis.Hook{cacheSentHook}
	})
}

// clusterSetWait SETs key on a connection reserved on its node, then WAITs
// for its replica: a write the failover of its primary cannot lose.
func clusterSetWait(ctx context.Context, c *redis.Client, key, val string) (bool, error) {
	var n int64
	err := c.Watch(ctx, func(tx *redis.Tx) error {
		cn := tx.Conn()
		defer cn.Unwatch(ctx)
		if err := cn.Do(ctx, "SET", key, val).Err(); err != nil {
			return err
		}
		var err error
		n, err = cn.Do(ctx, "WAIT", 1, 100).Int64()
		return err
	}, key)
	return err == nil && n >= 1, err
}

// cmdCalls returns how many times node n ran cmd (INFO commandstats).
func cmdCalls(t *testing.T, rc *redistest.Cluster, n *redistest.ClusterNode, cmd string) int {
	t.Helper()
	v, err := rc.Do(n, "INFO", "commandstats")
	if err != nil {
		t.Fatal(err)
	}
	s, _ := v.(string)
	for _, line := range strings.Split(s, "\n") {
		if rest, ok := strings.CutPrefix(line, "cmdstat_"+cmd+":calls="); ok {
			calls, _ := strconv.Atoi(rest[:strings.IndexByte(rest, ',')])
			return calls
		}
	}
	return 0
}

// TestCacheAcrossNodes reads a key on every primary through one cache:
// each read after the first is a hit that no server sees, and a write on
// each node invalidates its key; an MGET of two keys of one slot is
// dropped when either changes.
func TestCacheAcrossNodes(t *testing.T) {
	rc := sharedCluster(t)
	slots, nodes := slotPerPrimary(t, rc)
	protocols(t, func(t *testing.T, proto int) {
		ctx := context.Background()
		c := cachedClient(t, rc, proto)
		w := newClient(t, rc, proto, nil)
		cached := c.Cached(0)
		run := strconv.FormatInt(time.Now().UnixNano(), 36)
		stats := func() redis.CacheStats { return c.Cache().Stats() }
		// The client's first read of the slot map flushes the cache (the
		// map "changed"), and with it the read that asked for the map:
		// read the map first.
		if err := c.Ping(ctx); err != nil {
			t.Fatal(err)
		}
		var keys []string
		for i, s := range slots {
			k := fmt.Sprintf("%s:across:%s:%d", redistest.SlotTag(s), run, i)
			keys = append(keys, k)
			if err := w.Set(ctx, k, "v1"); err != nil {
				t.Fatal(err)
			}
		}
		for i, k := range keys {
			before := stats()
			if v, err := cached.Get(ctx, k); err != nil || v != "v1" {
				t.Fatalf("GET %s = %q, %v", k, v, err)
			}
			calls := cmdCalls(t, rc, nodes[i], "get")
			for range 3 {
				if v, err := cached.Get(ctx, k); err != nil || v != "v1" {
					t.Fatalf("cached GET %s = %q, %v", k, v, err)
				}
			}
			after := stats()
			if after.Hits-before.Hits != 3 || after.Misses-before.Misses != 1 {
				t.Errorf("4 reads of %s (on %s): %d hits, %d misses; want 3 and 1", k, nodes[i].Addr(), after.Hits-before.Hits, after.Misses-before.Misses)
			}
			if n := cmdCalls(t, rc, nodes[i], "get"); n != calls {
				t.Errorf("%s ran %d GETs for 3 cached reads of %s", nodes[i].Addr(), n-calls, k)
			}
		}
		if st := stats(); st.Entries != len(keys) {
			t.Errorf("%d entries cached, want %d (one per primary)", st.Entries, len(keys))
		}
		// A write on each node: its server invalidates the key.
		for i, k := range keys {
			inv := stats().Invalidations
			if err := w.Set(ctx, k, "v2"); err != nil {
				t.Fatal(err)
			}
			if !waitUntil(2*time.Second, func() bool { return stats().Invalidations > inv }) {
				t.Fatalf("no invalidation of %s from %s within 2 s: %+v", k, nodes[i].Addr(), stats())
			}
			for j := range 2 {
				if v, err := cached.Get(ctx, k); err != nil || v != "v2" {
					t.Fatalf("read %d of %s after the write = %q, %v", j, k, v, err)
				}
			}
		}
		// MGET of a hash-tagged pair: one entry, dropped by a write to
		// either key.
		tag := "{" + run + "}"
		a, b := tag+":a", tag+":b"
		w.Set(ctx, a, "a1")
		w.Set(ctx, b, "b1")
		owner, err := rc.PrimaryOf(redis.KeySlot(a))
		if err != nil {
			t.Fatal(err)
		}
		mget := func() string {
			vs, err := cached.MGet(ctx, a, b)
			if err != nil || len(vs) != 2 {
				t.Fatalf("MGET = %v, %v", vs, err)
			}
			return vs[0].V + "," + vs[1].V
		}
		before := stats()
		calls := cmdCalls(t, rc, owner, "mget")
		if got := mget() + " " + mget(); got != "a1,b1 a1,b1" {
			t.Fatalf("MGET twice = %s", got)
		}
		if st := stats(); st.Hits-before.Hits != 1 || cmdCalls(t, rc, owner, "mget") != calls+1 {
			t.Errorf("two MGETs: %d hits and %d MGETs on %s, want 1 and 1", st.Hits-before.Hits, cmdCalls(t, rc, owner, "mget")-calls, owner.Addr())
		}
		for i, k := range []string{b, a} {
			w.Set(ctx, k, "x"+strconv.Itoa(i))
			want := map[int]string{0: "a1,x0", 1: "x1,x0"}[i]
			if !waitUntil(2*time.Second, func() bool { return mget() == want }) {
				t.Fatalf("MGET after SET %s = %s, want %s", k, mget(), want)
			}
			h := stats().Hits
			if got := mget(); got != want || stats().Hits != h+1 {
				t.Errorf("MGET again = %s with %d hits, want %s from the cache", got, stats().Hits-h, want)
			}
		}
		// A pipeline of reads of every primary's key: split over the nodes,
		// sent tracked, then answered from the cache; a write on each node
		// invalidates what the pipeline stored.
		pipe := func() []string {
			p := cached.Pipeline()
			var rs []*redis.Reply[string]
			for _, k := range keys {
				rs = append(rs, p.Get(k))
			}
			if err := p.Exec(ctx); err != nil {
				t.Fatal(err)
			}
			var vs []string
			for _, r := range rs {
				vs = append(vs, r.Val())
			}
			return vs
		}
		for i, k := range keys {
			w.Set(ctx, k, "p1")
			if !waitUntil(2*time.Second, func() bool { v, _ := cached.Get(ctx, k); return v == "p1" }) {
				t.Fatalf("GET %s (on %s) never saw p1", k, nodes[i].Addr())
			}
		}
		c.Cache().Flush()
		before = stats()
		pipe()
		if got := pipe(); strings.Join(got, ",") != strings.Repeat("p1,", len(keys)-1)+"p1" {
			t.Fatalf("pipeline = %v", got)
		}
		if st := stats(); st.Misses-before.Misses != uint64(len(keys)) || st.Hits-before.Hits != uint64(len(keys)) {
			t.Errorf("two pipelines of %d GETs: %d misses, %d hits; want %d of each", len(keys), st.Misses-before.Misses, st.Hits-before.Hits, len(keys))
		}
		for _, k := range keys {
			w.Set(ctx, k, "p2")
		}
		if !waitUntil(2*time.Second, func() bool {
			return strings.Join(pipe(), ",") == strings.Repeat("p2,", len(keys)-1)+"p2"
		}) {
			t.Fatalf("pipeline after writes on every node = %v", pipe())
		}
		// Losing one node's connections drops what was read from that node
		// only: the others' entries keep serving.
		pipe()
		if _, err := rc.Do(nodes[0], "CLIENT", "KILL", "TYPE", "normal"); err != nil {
			t.Fatal(err)
		}
		if !waitUntil(2*time.Second, func() bool { return stats().Entries == len(keys)-1 }) {
			t.Fatalf("after its connections to %s were killed the cache holds %+v, want %d entries", nodes[0].Addr(), stats(), len(keys)-1)
		}
		before = stats()
		pipe()
		if st := stats(); st.Misses-before.Misses != 1 || st.Hits-before.Hits != uint64(len(keys)-1) {
			t.Errorf("reads after one node's connections were killed: %d misses, %d hits; want 1 and %d", st.Misses-before.Misses, st.Hits-before.Hits, len(keys)-1)
		}
		t.Logf("RESP%d: %+v", proto, stats())
	})
}

// waitUntil polls cond every millisecond until it holds or d passes.
func waitUntil(d time.Duration, cond func() bool) bool {
	for end := time.Now().Add(d); ; time.Sleep(time.Millisecond) {
		if cond() {
			return true
		}
		if time.Now().After(end) {
			return false
		}
	}
}

// cacheKeys returns n keys on slots spread over the slot space (over every
// primary of a 3-shard cluster), and their slots.
func cacheKeys(prefix string, n int) ([]string, []int) {
	var keys []string
	var slots []int
	for i := range n {
		s := 100 + i*redistest.ClusterSlots/n
		keys = append(keys, fmt.Sprintf("%s:%s:%d", redistest.SlotTag(s), prefix, i))
		slots = append(slots, s)
	}
	return keys, slots
}

// TestCacheFailoverNoStaleReads kills (SIGKILL) a primary that holds some
// of the keys while the stale-read checker runs, waits for its replica's
// promotion and goes on for 2 s: no read may be stale, and the cache must
// serve hits before the kill and after the promotion. One cluster serves
// both protocols: the RESP2 run kills another shard's primary, after the
// first victim came back as a replica.
func TestCacheFailoverNoStaleReads(t *testing.T) {
	rc := redistest.StartCluster(t, redistest.ClusterConfig{})
	cacheFailover(t, rc, false)
}

// cacheFailover runs the stale-read checker through the failover of a
// primary, under RESP3 then RESP2 (another shard's primary): killed, or
// with pause, stopped (SIGSTOP) until its replica is promoted. The victim
// is restarted (resumed) afterwards.
func cacheFailover(t *testing.T, rc *redistest.Cluster, pause bool) {
	fault := "killed"
	if pause {
		fault = "paused"
	}
	for _, tc := range []struct {
		proto  int
		victim int // index of a key on the primary to fail
	}{{3, 0}, {2, 3}} {
		t.Run("RESP"+strconv.Itoa(tc.proto), func(t *testing.T) {
			keys, slots := cacheKeys(fault+strconv.Itoa(tc.proto), 8)
			victim, err := rc.PrimaryOf(slots[tc.victim])
			if err != nil {
				t.Fatal(err)
			}
			reps, err := rc.ReplicasOf(victim)
			if err != nil || len(reps) != 1 {
				t.Fatalf("replicas of %s: %v, %v", victim.Addr(), reps, err)
			}
			var victimKeys []string
			for i, s := range slots {
				if o, _ := rc.PrimaryOf(s); o == victim {
					victimKeys = append(victimKeys, keys[i])
				}
			}
			c := cachedClient(t, rc, tc.proto)
			w := newClient(t, rc, tc.proto, nil)
			// Before the fault a write counts once its replica has it (a
			// write the victim acknowledged but never replicated is lost
			// with it, cache or not); after, every SET answered OK does:
			// the victim answers nothing more, and no other node fails.
			// From the promotion on, the writes go through a new client
			// that knows the new primary: the first client may take
			// seconds to notice when its writes to a paused victim hang
			// rather than fail.
			var failed atomic.Pointer[time.Time]
			var after atomic.Pointer[redis.Client]
			write := func(ctx context.Context, key, val string, began time.Time) (bool, error) {
				if f := failed.Load(); f != nil && began.After(*f) {
					wc := w
					if a := after.Load(); a != nil {
						wc = a
					}
					err := wc.Set(ctx, key, val)
					return err == nil, err
				}
				return clusterSetWait(ctx, w, key, val)
			}
			server := func() *redis.Client {
				if a := after.Load(); a != nil {
					return a
				}
				return w
			}
			k := startCacheChecker(c, server, keys, write)
			time.Sleep(time.Second)
			if pause {
				// The victim's keys are read, not written, for a while
				// before the pause, as in a read-mostly workload: the
				// cached client has no reason to send the victim anything
				// (a read sent to it would hang, and the connection be
				// declared dead). They are written again on the promoted
				// replica.
				quiet := map[string]bool{}
				for _, key := range victimKeys {
					quiet[key] = true
				}
				k.Quiet(quiet)
				time.Sleep(500 * time.Millisecond)
			}
			hitsBefore := k.Hits()
			failedAt := time.Now()
			if pause {
				err = victim.Pause()
			} else {
				err = rc.Kill(victim)
			}
			if err != nil {
				t.Fatal(err)
			}
			now := time.Now()
			failed.Store(&now)
			k.SetMark()
			promotedAt := clusterOK(t, rc, victim, reps[0], 20*time.Second)
			_, okDuring, _ := k.First(victimKeys)
			wa := newClient(t, rc, tc.proto, func(o *cluster.Options) { o.Addrs = []string{reps[0].Addr()} })
			after.Store(wa)
			hitsAtPromotion := k.Hits()
			k.SetMark()
			k.Quiet(nil)
			// The checker runs 2 s past the promotion, and on until the
			// cached client serves a hit of the victim's keys (at most
			// 10 s): a client whose reads of a paused primary hang rather
			// than fail learns of the new one only from its next slot map
			// read, which may come seconds after the promotion.
			time.Sleep(2 * time.Second)
			for end := time.Now().Add(8 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
				if hit, _, _ := k.First(victimKeys); !hit.IsZero() {
					break
				}
			}
			hitsAfter := k.Hits() - hitsAtPromotion
			firstHit, firstOK, firstAck := k.First(victimKeys)
			k.End(t)
			t.Logf("RESP%d: %s %s (holding %d of %d keys) at %s; %s promoted and cluster_state:ok %v after; first read of its keys between: %v after the fault; after the promotion: first acknowledged write of them +%v, first read +%v, first cache hit +%v; %d hits before the fault, %d after the promotion",
				tc.proto, fault, victim.Addr(), len(victimKeys), len(keys), failedAt.Format("15:04:05.000"), reps[0].Addr(), promotedAt.Sub(failedAt).Round(time.Millisecond),
				since(okDuring, failedAt), since(firstAck, promotedAt), since(firstOK, promotedAt), since(firstHit, promotedAt), hitsBefore, hitsAfter)
			if hitsBefore == 0 || hitsAfter == 0 {
				t.Errorf("cache hits: %d before the fault, %d after the promotion; want some in both", hitsBefore, hitsAfter)
			}
			if firstHit.IsZero() {
				t.Errorf("no cache hit on the keys of the failed primary after the promotion")
			}
			// The victim comes back as a replica, for the next run.
			if pause {
				err = victim.Resume()
				if err == nil {
					err = rc.WaitOK()
				}
			} else {
				err = rc.Restart(victim)
			}
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestCachePausedPrimaryNoStaleReads stops a primary with SIGSTOP (a hung
// or partitioned server: its connections stay open and silent) until its
// replica is promoted, while the stale-read checker runs.
//
// The nodes run with cluster-require-full-coverage no, so that the other
// shards serve on while the victim's slots have no primary: without it
// every node answers CLUSTERDOWN meanwhile, which sends every client to
// read the slot map, and the promotion then flushes the cache.
func TestCachePausedPrimaryNoStaleReads(t *testing.T) {
	rc := redistest.StartCluster(t, redistest.ClusterConfig{
		Config: redistest.Config{Args: []string{"--cluster-require-full-coverage", "no"}},
	})
	cacheFailover(t, rc, true)
}

// since formats at - from, or "never" for a zero at.
func since(at, from time.Time) string {
	if at.IsZero() {
		return "never"
	}
	return at.Sub(from).Round(time.Millisecond).String()
}

// TestCacheSlotMigrationNoStaleReads moves the slot of two cached keys to
// another primary while the stale-read checker runs: the slot is set
// migrating, its keys are moved one by one (reads and writes meet ASK),
// then it is assigned to the target (MOVED). No read may be stale, and
// the moved keys must be served from the cache again afterwards. The
// second run moves the slot on to the third primary.
func TestCacheSlotMigrationNoStaleReads(t *testing.T) {
	rc := redistest.StartCluster(t, redistest.ClusterConfig{Replicas: redistest.NoReplicas})
	primaries := mustPrimaries(t, rc)
	protocols(t, func(t *testing.T, proto int) {
		keys, slots := cacheKeys("migrate"+strconv.Itoa(proto), 7)
		// Two keys in the migrated slot, so that it is half moved for a
		// while.
		slot := slots[0]
		keys = append(keys, redistest.SlotTag(slot)+":migrate"+strconv.Itoa(proto)+":b")
		from, err := rc.PrimaryOf(slot)
		if err != nil {
			t.Fatal(err)
		}
		to := primaries[(slices.Index(primaries, from)+1)%len(primaries)]
		moving := []string{keys[0], keys[len(keys)-1]}
		c := cachedClient(t, rc, proto)
		w := newClient(t, rc, proto, nil)
		write := func(ctx context.Context, key, val string, _ time.Time) (bool, error) {
			err := w.Set(ctx, key, val)
			return err == nil, err
		}
		k := startCacheChecker(c, func() *redis.Client { return w }, keys, write)
		time.Sleep(time.Second)
		hitsBefore := k.Hits()
		begin := time.Now()
		m, err := rc.BeginMigration(slot, to)
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond)
		for range 2 {
			if _, err := m.MoveKeys(1); err != nil {
				t.Fatal(err)
			}
			time.Sleep(300 * time.Millisecond)
		}
		if err := m.Finish(); err != nil {
			t.Fatal(err)
		}
		done := k.SetMark()
		hitsAtDone := k.Hits()
		time.Sleep(1500 * time.Millisecond)
		hitsAfter := k.Hits() - hitsAtDone
		firstHit, firstOK, _ := k.First(moving)
		k.End(t)
		st, _ := cluster.StatsOf(c)
		t.Logf("RESP%d: slot %d (2 keys) from %s to %s: migrating for %v; first read of its keys %v after the end, first cache hit %v after; %d hits before, %d after; the cached client followed %d MOVED, %d ASK",
			proto, slot, from.Addr(), to.Addr(), done.Sub(begin).Round(time.Millisecond), since(firstOK, done), since(firstHit, done), hitsBefore, hitsAfter, st.Moved, st.Asked)
		if hitsBefore == 0 || hitsAfter == 0 {
			t.Errorf("cache hits: %d before the migration, %d after; want some in both", hitsBefore, hitsAfter)
		}
		if firstHit.IsZero() {
			t.Errorf("no cache hit on the moved keys after the migration")
		}
		if o, _ := rc.PrimaryOf(slot); o != to {
			t.Errorf("slot %d is on %v after the migration, want %s", slot, o, to.Addr())
		}
	})
	// A slot that moves drops its keys' entries only: a key of another
	// slot stays cached.
	t.Run("OtherSlotsKept", func(t *testing.T) {
		ctx := context.Background()
		keys, slots := cacheKeys("kept", 2)
		c := cachedClient(t, rc, 3)
		w := newClient(t, rc, 3, nil)
		c.Ping(ctx) // the first slot map read
		cached := c.Cached(0)
		for _, k := range keys {
			w.Set(ctx, k, "v")
			for range 2 {
				if v, err := cached.Get(ctx, k); err != nil || v != "v" {
					t.Fatalf("GET %s = %q, %v", k, v, err)
				}
			}
		}
		from, err := rc.PrimaryOf(slots[0])
		if err != nil {
			t.Fatal(err)
		}
		to := primaries[(slices.Index(primaries, from)+1)%len(primaries)]
		if err := rc.MigrateSlot(slots[0], to); err != nil {
			t.Fatal(err)
		}
		w.Set(ctx, keys[0], "moved") // the writer follows MOVED; the migration invalidated keys[0] on from
		if !waitUntil(2*time.Second, func() bool { v, _ := cached.Get(ctx, keys[0]); return v == "moved" }) {
			t.Fatalf("%s never read as moved after its slot's migration", keys[0])
		}
		st := c.Cache().Stats()
		if v, err := cached.Get(ctx, keys[1]); err != nil || v != "v" || c.Cache().Stats().Hits != st.Hits+1 {
			t.Errorf("%s (slot %d, not moved) after slot %d moved: %q, %v, %+v; want a hit", keys[1], slots[1], slots[0], v, err, c.Cache().Stats())
		}
	})
}
