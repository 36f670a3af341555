package redis_test

import (
	"context"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/respkit/redis"
)

// Client-side caching: GETs served from the client's cache (the hit path)
// after one tracked read per key. BenchmarkGet and BenchmarkGetParallel
// are the same reads without the cache. Each benchmark checks, from the
// cache's counters, that every timed read was a hit, so a cache that
// stopped serving would fail rather than be measured as a faster miss.

// benchCachedClient starts a server and returns a client with
// client-side caching on, its Cached(0) view and its stop function, after
// storing a 16-byte value under each key and reading it once through the
// view so that the cache holds it.
func benchCachedClient(b *testing.B, keys ...string) (c, cached *redis.Client, done func()) {
	c, done = benchClientWith(b, redis.Options{Cache: &redis.CacheOptions{}})
	ctx := context.Background()
	cached = c.Cached(0)
	for _, k := range keys {
		if err := c.Set(ctx, k, strings.Repeat("v", 16)); err != nil {
			done()
			b.Fatal(err)
		}
		if _, err := cached.Get(ctx, k); err != nil { // the tracked read that fills the cache
			done()
			b.Fatal(err)
		}
	}
	if st := c.Cache().Stats(); st.Entries != len(keys) {
		done()
		b.Fatalf("after one read of each of %d keys the cache holds %d entries: %+v", len(keys), st.Entries, st)
	}
	return c, cached, done
}

// checkAllHits fails b unless the cache counted exactly n more hits and
// no more misses since before.
func checkAllHits(b *testing.B, c *redis.Client, before redis.CacheStats, n int64) {
	b.Helper()
	after := c.Cache().Stats()
	if hits, misses := int64(after.Hits-before.Hits), after.Misses-before.Misses; hits != n || misses != 0 {
		b.Fatalf("%d reads: %d cache hits, %d misses (want every read a hit); stats %+v", n, hits, misses, after)
	}
}

func BenchmarkCachedGet(b *testing.B) {
	const key = "bench:k"
	c, cached, done := benchCachedClient(b, key)
	defer done()
	ctx := context.Background()
	want := strings.Repeat("v", 16)
	before := c.Cache().Stats()
	var n int64
	b.ReportAllocs()
	for b.Loop() {
		v, err := cached.Get(ctx, key)
		if err != nil || v != want {
			b.Fatalf("GET %s: %q, %v", key, v, err)
		}
		n++
	}
	checkAllHits(b, c, before, n)
}

func BenchmarkCachedGetParallel(b *testing.B) {
	keys := make([]string, 64)
	for i := range keys {
		keys[i] = "bench:" + strconv.Itoa(i)
	}
	c, cached, done := benchCachedClient(b, keys...)
	defer done()
	ctx := context.Background()
	before := c.Cache().Stats()
	var next, total atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(32) // as BenchmarkGetParallel: 64 goroutines on 2 cores
	b.RunParallel(func(pb *testing.PB) {
		key := keys[next.Add(1)%int64(len(keys))]
		var n int64
		for pb.Next() {
			if v, err := cached.Get(ctx, key); err != nil || len(v) != 16 {
				b.Errorf("GET %s: %q, %v", key, v, err)
				return
			}
			n++
		}
		total.Add(n)
	})
	checkAllHits(b, c, before, total.Load())
}
