package cache

import (
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func put(c *Cache, read string, val any, size int64, keys ...string) bool {
	return c.Put(c.Begin(keys...), []byte(read), val, size, 0, 0)
}

func TestHitMissAndCounters(t *testing.T) {
	c := New(1<<20, 0)
	if _, ok := c.Get("k", []byte("GET")); ok {
		t.Fatal("hit in an empty cache")
	}
	if !put(c, "GET", "v1", 10, "k") {
		t.Fatal("Put refused a fresh read")
	}
	if v, ok := c.Get("k", []byte("GET")); !ok || v != "v1" {
		t.Fatalf("Get = %v, %v", v, ok)
	}
	if _, ok := c.Get("k", []byte("HGETALL")); ok {
		t.Fatal("another read of the same key hit")
	}
	s := c.Stats()
	if s.Hits != 1 || s.Misses != 2 || s.Entries != 1 || s.Bytes != 10 {
		t.Fatalf("stats %+v", s)
	}
	c.Invalidate("k")
	if _, ok := c.Get("k", []byte("GET")); ok {
		t.Fatal("hit after invalidation")
	}
	if s := c.Stats(); s.Invalidations != 1 || s.Entries != 0 || s.Bytes != 0 || c.groupCount() != 0 {
		t.Fatalf("after invalidation: %+v, %d groups", s, c.groupCount())
	}
}

// The byte bound holds, and the least recently used entry goes first.
func TestByteBoundLRU(t *testing.T) {
	c := New(100, 0)
	for i := range 5 {
		put(c, "GET", i, 20, "k"+strconv.Itoa(i))
	}
	c.Get("k0", []byte("GET")) // k0 is now the most recent: k1 goes first
	put(c, "GET", 5, 30, "k5")
	if s := c.Stats(); s.Bytes > 100 || s.Evictions != 2 {
		t.Fatalf("stats %+v", s)
	}
	for _, k := range []string{"k1", "k2"} {
		if _, ok := c.Get(k, []byte("GET")); ok {
			t.Errorf("%s survived eviction", k)
		}
	}
	for _, k := range []string{"k0", "k3", "k4", "k5"} {
		if _, ok := c.Get(k, []byte("GET")); !ok {
			t.Errorf("%s was evicted", k)
		}
	}
	if put(c, "GET", "huge", 101, "big") {
		t.Error("an entry larger than the cache was stored")
	}
}

func TestTTL(t *testing.T) {
	now := time.Unix(1000, 0)
	c := New(1<<20, time.Second)
	c.now = func() time.Time { return now }
	put(c, "GET", "v", 1, "k")
	now = now.Add(999 * time.Millisecond)
	if _, ok := c.Get("k", []byte("GET")); !ok {
		t.Fatal("expired early")
	}
	now = now.Add(time.Millisecond)
	if _, ok := c.Get("k", []byte("GET")); ok {
		t.Fatal("served after its TTL")
	}
	// A read's own TTL applies when shorter than the cache's, and the
	// cache's when the read's is longer or none.
	for _, tc := range []struct{ read, cache, want time.Duration }{
		{100 * time.Millisecond, time.Second, 100 * time.Millisecond},
		{5 * time.Second, time.Second, time.Second},
		{0, time.Second, time.Second},
		{300 * time.Millisecond, 0, 300 * time.Millisecond},
	} {
		c := New(1<<20, tc.cache)
		c.now = func() time.Time { return now }
		c.Put(c.Begin("k"), []byte("GET"), "v", 1, tc.read, 0)
		now = now.Add(tc.want - time.Millisecond)
		if _, ok := c.Get("k", []byte("GET")); !ok {
			t.Fatalf("%+v: expired early", tc)
		}
		now = now.Add(time.Millisecond)
		if _, ok := c.Get("k", []byte("GET")); ok {
			t.Fatalf("%+v: served after its TTL", tc)
		}
	}
	if s := c.Stats(); s.Entries != 0 || s.Bytes != 0 {
		t.Fatalf("expired entry kept: %+v", s)
	}
}

// A read racing with an invalidation of its key, or with a Flush, is not
// stored; one of a key invalidated before it began is.
func TestInFlightReads(t *testing.T) {
	c := New(1<<20, 0)
	c.Invalidate("k") // before: no effect on the read below
	tok := c.Begin("k")
	if !c.Put(tok, []byte("GET"), "new", 1, 0, 0) {
		t.Fatal("a read begun after the invalidation was discarded")
	}

	tok = c.Begin("k")
	c.Invalidate("k")
	if c.Put(tok, []byte("GET"), "stale", 1, 0, 0) {
		t.Fatal("a read raced by an invalidation was stored")
	}
	if _, ok := c.Get("k", []byte("GET")); ok {
		t.Fatal("hit after the racing invalidation")
	}

	tok = c.Begin("k")
	c.Flush()
	if c.Put(tok, []byte("GET"), "stale", 1, 0, 0) {
		t.Fatal("a read raced by a Flush was stored")
	}

	tok = c.Begin("k")
	c.Abort(tok)
	if s := c.Stats(); s.Discarded != 2 || c.groupCount() != 0 {
		t.Fatalf("stats %+v, %d groups left", s, c.groupCount())
	}
}

// A read of several keys (MGET) depends on all of them.
func TestMultiKeyEntries(t *testing.T) {
	c := New(1<<20, 0)
	put(c, "MGET a b", []string{"1", "2"}, 2, "a", "b")
	if _, ok := c.Get("a", []byte("MGET a b")); !ok {
		t.Fatal("miss")
	}
	c.Invalidate("b")
	if _, ok := c.Get("a", []byte("MGET a b")); ok {
		t.Fatal("an MGET survived the invalidation of its second key")
	}
	tok := c.Begin("a", "b")
	c.Invalidate("b")
	if c.Put(tok, []byte("MGET a b"), nil, 2, 0, 0) {
		t.Fatal("an MGET raced on its second key was stored")
	}
	put(c, "MGET x x", nil, 1, "x", "x") // a key named twice
	c.Invalidate("x")
	if s := c.Stats(); s.Entries != 0 || c.groupCount() != 0 {
		t.Fatalf("stats %+v, %d groups", s, c.groupCount())
	}
}

// Zero stale reads under concurrency: a writer bumps a key's version and
// then invalidates it (as the server does after a write); once Invalidate
// returns, no reader may be served an older version, by a GET of the key
// or by an MGET of it and the key before it (stored under that one, in
// another shard when the cache is sharded).
func TestNoStaleReadsUnderRace(t *testing.T) {
	for _, size := range []int64{1 << 16, shardedFrom} {
		t.Run(strconv.FormatInt(size, 10), func(t *testing.T) { noStaleReads(t, New(size, 0)) })
	}
}

func noStaleReads(t *testing.T, c *Cache) {
	const keys = 4
	var version [keys]atomic.Int64
	var stop atomic.Bool
	var stale atomic.Int64
	var wg sync.WaitGroup
	key := func(i int) string { return strconv.Itoa(i % keys) }
	mget := func(i int) []byte { return []byte("MGET " + key(i+1)) } // of key(i) and key(i+1)
	for r := range 8 {
		wg.Go(func() {
			for i := r; !stop.Load(); i++ {
				if i%2 == 0 {
					if _, ok := c.Get(key(i), []byte("GET")); ok {
						continue
					}
					tok := c.Begin(key(i))
					runtime.Gosched()           // the command on its way
					v := version[i%keys].Load() // the "server" read
					c.Put(tok, []byte("GET"), v, 8, 0, 0)
					continue
				}
				if _, ok := c.Get(key(i), mget(i)); ok {
					continue
				}
				tok := c.Begin(key(i), key(i+1))
				runtime.Gosched()
				v := [2]int64{version[i%keys].Load(), version[(i+1)%keys].Load()}
				c.Put(tok, mget(i), v, 16, 0, 0)
			}
		})
	}
	deadline := time.Now().Add(300 * time.Millisecond)
	writes := 0
	for time.Now().Before(deadline) {
		i := writes % keys
		k := key(i)
		v := version[i].Add(1)
		c.Invalidate(k)
		writes++
		if got, ok := c.Get(k, []byte("GET")); ok && got.(int64) < v {
			stale.Add(1)
		}
		prev := i + keys - 1 // the MGET of key(prev) and k
		if got, ok := c.Get(key(prev), mget(prev)); ok && got.([2]int64)[1] < v {
			stale.Add(1)
		}
	}
	stop.Store(true)
	wg.Wait()
	s := c.Stats()
	t.Logf("%d writes; %+v", writes, s)
	if n := stale.Load(); n != 0 {
		t.Fatalf("%d stale reads", n)
	}
	if s.Hits == 0 || s.Discarded == 0 {
		t.Errorf("the test did not exercise hits and discarded races: %+v", s)
	}
}

// BenchmarkGetHit is the store's share of a cached read's hit path.
func BenchmarkGetHit(b *testing.B) {
	c := New(64<<20, 0) // a client's default size
	put(c, "GET", "v", 1, "bench:k")
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := c.Get("bench:k", []byte("GET")); !ok {
			b.Fatal("miss")
		}
	}
}

// BenchmarkGetHitParallel is the hit path under contention: every
// goroutine reading one of 64 cached keys.
func BenchmarkGetHitParallel(b *testing.B) {
	c := New(64<<20, 0)
	keys, reads := make([]string, 64), make([][]byte, 64)
	for i := range reads {
		keys[i] = "bench:" + strconv.Itoa(i)
		put(c, "GET "+keys[i], "v", 1, keys[i])
		reads[i] = []byte("GET " + keys[i])
	}
	var next atomic.Int64
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := int(next.Add(1))
		for pb.Next() {
			i = (i + 1) % len(reads)
			if _, ok := c.Get(keys[i], reads[i]); !ok {
				b.Fatal("miss")
			}
		}
	})
}

// groupCount is the number of keys the cache keeps anything of, over its
// shards.
func (c *Cache) groupCount() int {
	n := 0
	for _, s := range c.shards {
		s.mu.Lock()
		n += len(s.groups)
		s.mu.Unlock()
	}
	return n
}

// The tests above, on a sharded cache: multi-key reads whose keys live in
// other shards are invalidated by any of them, Flush reaches every shard,
// and nothing is left behind.
func TestSharded(t *testing.T) {
	c := New(shardedFrom, 0)
	if len(c.shards) != shardCount {
		t.Fatalf("%d shards", len(c.shards))
	}
	keys := make([]string, 40)
	for i := range keys {
		keys[i] = "k" + strconv.Itoa(i)
		put(c, "GET", i, 10, keys[i])
	}
	// An MGET of every key: its first key's shard holds it, and every
	// other key's invalidation drops it.
	for _, k := range keys[1:] {
		put(c, "MGET", "all", 10, append([]string{keys[0]}, keys...)...)
		if _, ok := c.Get(keys[0], []byte("MGET")); !ok {
			t.Fatal("MGET not stored")
		}
		if c.foreign.Load() == 0 {
			t.Fatal("no foreign groups for an MGET over 16 shards")
		}
		c.Invalidate(k)
		if _, ok := c.Get(keys[0], []byte("MGET")); ok {
			t.Fatalf("the MGET survived the invalidation of %s", k)
		}
		if _, ok := c.Get(k, []byte("GET")); ok {
			t.Fatalf("GET %s survived its invalidation", k)
		}
		put(c, "GET", "again", 10, k)
	}
	if c.foreign.Load() != 0 {
		t.Fatalf("%d foreign groups left with no multi-key entry", c.foreign.Load())
	}
	// A multi-key read in flight is discarded when a key of another shard
	// changes.
	tok := c.Begin(keys[0], keys[7])
	c.Invalidate(keys[7])
	if c.Put(tok, []byte("MGET"), "stale", 1, 0, 0) {
		t.Fatal("a multi-key read raced by an invalidation was stored")
	}
	tok = c.Begin(keys[3])
	c.Flush()
	if c.Put(tok, []byte("GET"), "stale", 1, 0, 0) {
		t.Fatal("a read raced by a Flush was stored")
	}
	if s := c.Stats(); s.Entries != 0 || s.Bytes != 0 || c.groupCount() != 0 || c.foreign.Load() != 0 {
		t.Fatalf("after Flush: %+v, %d groups, %d foreign", s, c.groupCount(), c.foreign.Load())
	}
}

// FlushSource drops what was read from one source and keeps its reads in
// flight from storing; the other sources' entries and reads are kept.
func TestFlushSource(t *testing.T) {
	for _, size := range []int64{1 << 20, shardedFrom} {
		c := New(size, 0)
		a, b := c.NewSource(), c.NewSource()
		if a == b || a == 0 || b == 0 {
			t.Fatalf("sources %d and %d", a, b)
		}
		for i := range 20 {
			k := "k" + strconv.Itoa(i)
			src := a
			if i%2 == 1 {
				src = b
			}
			if !c.Put(c.Begin(k), []byte("GET"), i, 10, 0, src) {
				t.Fatalf("%s not stored", k)
			}
		}
		pendingA, pendingB := c.Begin("pa"), c.Begin("pb")
		c.FlushSource(a)
		for i := range 20 {
			_, ok := c.Get("k"+strconv.Itoa(i), []byte("GET"))
			if want := i%2 == 1; ok != want {
				t.Fatalf("size %d: k%d cached %v after flushing source a, want %v", size, i, ok, want)
			}
		}
		if c.Put(pendingA, []byte("GET"), "stale", 1, 0, a) {
			t.Fatal("a read of the flushed source begun before the flush was stored")
		}
		if !c.Put(pendingB, []byte("GET"), "fine", 1, 0, b) {
			t.Fatal("a read of another source was discarded")
		}
		if !c.Put(c.Begin("after"), []byte("GET"), "new", 1, 0, a) {
			t.Fatal("a read of the flushed source begun after the flush was discarded")
		}
		c.Flush()
		if st := c.Stats(); st.Entries != 0 || c.groupCount() != 0 {
			t.Fatalf("after Flush: %+v, %d groups", st, c.groupCount())
		}
	}
}

// InvalidateWhere drops the entries of the keys it matches, multi-key
// ones included, and keeps reads of them in flight from storing.
func TestInvalidateWhere(t *testing.T) {
	for _, size := range []int64{1 << 20, shardedFrom} {
		c := New(size, 0)
		for i := range 20 {
			put(c, "GET", i, 10, "k"+strconv.Itoa(i))
		}
		put(c, "MGET", "x", 10, "k2", "k1") // stored under k2 (kept by the match), dropped through k1
		pending := c.Begin("k3")
		odd := func(k string) bool { n, _ := strconv.Atoi(k[1:]); return n%2 == 1 }
		c.InvalidateWhere(odd)
		for i := range 20 {
			_, ok := c.Get("k"+strconv.Itoa(i), []byte("GET"))
			if want := i%2 == 0; ok != want {
				t.Fatalf("size %d: k%d cached %v, want %v", size, i, ok, want)
			}
		}
		if _, ok := c.Get("k2", []byte("MGET")); ok {
			t.Fatal("an MGET of a matched key survived")
		}
		if c.Put(pending, []byte("GET"), "stale", 1, 0, 0) {
			t.Fatal("a read in flight of a matched key was stored")
		}
	}
}
