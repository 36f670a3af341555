package redis_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/redistest"
)

// cacheModes runs body under RESP2 (invalidations through a redirect
// connection) and RESP3 (push frames), in OPTIN and in Broadcast mode,
// with a cached client and a plain one (the writer) on srv.
func cacheModes(t *testing.T, srv *redistest.Server, co redis.CacheOptions, body func(t *testing.T, c, writer *redis.Client)) {
	t.Helper()
	writer := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	t.Cleanup(func() { writer.Close() })
	for _, bcast := range []bool{false, true} {
		for _, proto := range []int{2, 3} {
			mode := "OPTIN"
			if bcast {
				mode = "BCAST"
			}
			t.Run(fmt.Sprintf("RESP%d/%s", proto, mode), func(t *testing.T) {
				o := co
				o.Broadcast = bcast
				c := redis.NewClient(&redis.Options{Addr: srv.Addr(), Protocol: proto, Cache: &o})
				t.Cleanup(func() { c.Close() })
				body(t, c, writer)
			})
		}
	}
}

// eventually polls cond every millisecond until it holds or d passes.
func eventually(d time.Duration, cond func() bool) bool {
	for end := time.Now().Add(d); ; time.Sleep(time.Millisecond) {
		if cond() {
			return true
		}
		if time.Now().After(end) {
			return false
		}
	}
}

func TestClientCacheHitMissInvalidate(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{})
	ctx := context.Background()
	cacheModes(t, srv, redis.CacheOptions{}, func(t *testing.T, c, writer *redis.Client) {
		key := t.Name()
		if err := writer.Set(ctx, key, "v1"); err != nil {
			t.Fatal(err)
		}
		cached := c.Cached(0)
		for i := range 3 {
			if v, err := cached.Get(ctx, key); err != nil || v != "v1" {
				t.Fatalf("read %d: GET = %q, %v", i, v, err)
			}
		}
		st := c.Cache().Stats()
		if st.Misses != 1 || st.Hits != 2 || st.Entries != 1 {
			t.Fatalf("after 3 reads: %+v, want 1 miss, 2 hits, 1 entry", st)
		}
		// A write by another client: the server says so, and the next read
		// goes to the server.
		if err := writer.Set(ctx, key, "v2"); err != nil {
			t.Fatal(err)
		}
		if !eventually(2*time.Second, func() bool { return c.Cache().Stats().Invalidations >= 1 }) {
			t.Fatalf("no invalidation within 2 s: %+v", c.Cache().Stats())
		}
		if v, err := cached.Get(ctx, key); err != nil || v != "v2" {
			t.Fatalf("GET after the write = %q, %v", v, err)
		}
		// A missing key is cached as missing, and its creation invalidates.
		missing := key + ":missing"
		for range 2 {
			if _, err := cached.Get(ctx, missing); !errors.Is(err, redis.ErrNil) {
				t.Fatalf("GET missing = %v, want ErrNil", err)
			}
		}
		if err := writer.Set(ctx, missing, "now"); err != nil {
			t.Fatal(err)
		}
		if !eventually(2*time.Second, func() bool { v, err := cached.Get(ctx, missing); return err == nil && v == "now" }) {
			t.Fatal("the cached miss was not invalidated by SET")
		}
		// Several reads of one key are cached apart and all dropped.
		hk := key + ":h"
		writer.HSet(ctx, hk, redis.HashField{Field: "a", Value: "1"}, redis.HashField{Field: "b", Value: "2"})
		if m, err := cached.HGetAll(ctx, hk); err != nil || m["a"] != "1" || len(m) != 2 {
			t.Fatalf("HGETALL = %v, %v", m, err)
		}
		if v, err := cached.HGet(ctx, hk, "b"); err != nil || v != "2" {
			t.Fatalf("HGET = %q, %v", v, err)
		}
		writer.HSet(ctx, hk, redis.HashField{Field: "b", Value: "3"})
		if !eventually(2*time.Second, func() bool { v, _ := cached.HGet(ctx, hk, "b"); return v == "3" }) {
			t.Fatal("HGET still cached after HSET")
		}
		if m, err := cached.HGetAll(ctx, hk); err != nil || m["b"] != "3" {
			t.Fatalf("HGETALL after HSET = %v, %v", m, err)
		}
		// MGET depends on every key.
		k2 := key + ":2"
		writer.Set(ctx, k2, "x")
		if vs, err := cached.MGet(ctx, key, k2); err != nil || len(vs) != 2 {
			t.Fatalf("MGET = %v, %v", vs, err)
		}
		writer.Set(ctx, k2, "y")
		if !eventually(2*time.Second, func() bool {
			vs, err := cached.MGet(ctx, key, k2)
			return err == nil && len(vs) == 2 && vs[1].V == "y"
		}) {
			t.Fatal("MGET still cached after a write to its second key")
		}
		// Writes through the cached client itself run uncached, and
		// invalidate too.
		if err := cached.Set(ctx, key, "v3"); err != nil {
			t.Fatal(err)
		}
		if !eventually(2*time.Second, func() bool { v, _ := cached.Get(ctx, key); return v == "v3" }) {
			t.Fatal("own write not seen")
		}
		// FLUSHALL clears the whole cache.
		before := c.Cache().Stats()
		if before.Entries == 0 {
			t.Fatal("nothing cached before FLUSHALL")
		}
		if err := writer.Do(ctx, "FLUSHALL").Err(); err != nil {
			t.Fatal(err)
		}
		if !eventually(2*time.Second, func() bool { return c.Cache().Stats().Entries == 0 }) {
			t.Fatalf("FLUSHALL left %+v", c.Cache().Stats())
		}
	})
}

func TestClientCacheSharedBytesAreCopied(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{})
	ctx := context.Background()
	cacheModes(t, srv, redis.CacheOptions{}, func(t *testing.T, c, writer *redis.Client) {
		key := t.Name()
		writer.Set(ctx, key, "abc")
		cached := c.Cached(0)
		for range 3 {
			b, err := cached.GetBytes(ctx, key)
			if err != nil || string(b) != "abc" {
				t.Fatalf("GetBytes = %q, %v", b, err)
			}
			b[0] = 'X' // the caller's own copy
		}
		if c.Cache().Stats().Hits != 2 {
			t.Fatalf("stats %+v, want 2 hits", c.Cache().Stats())
		}
	})
}

func TestClientCacheMemoryBound(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{})
	ctx := context.Background()
	const bound = 64 << 10
	cacheModes(t, srv, redis.CacheOptions{MaxBytes: bound}, func(t *testing.T, c, writer *redis.Client) {
		val := strings.Repeat("v", 1000)
		cached := c.Cached(0)
		// Written before the cached client connects: in Broadcast mode a
		// write just before a read invalidates it.
		for i := range 500 {
			writer.Set(ctx, fmt.Sprintf("%s:%d", t.Name(), i), val)
		}
		for i := range 500 {
			k := fmt.Sprintf("%s:%d", t.Name(), i)
			if v, err := cached.Get(ctx, k); err != nil || v != val {
				t.Fatalf("GET %s = %d bytes, %v", k, len(v), err)
			}
			if st := c.Cache().Stats(); st.Bytes > bound {
				t.Fatalf("after %d keys the cache holds %d bytes, over its bound of %d", i+1, st.Bytes, bound)
			}
		}
		st := c.Cache().Stats()
		if st.Evictions == 0 || st.Entries < 20 || st.Bytes < bound/2 {
			t.Fatalf("500 reads of 1 KB into 64 KiB: %+v", st)
		}
		// The most recent keys are still served from the cache.
		hits := st.Hits
		cached.Get(ctx, fmt.Sprintf("%s:%d", t.Name(), 499))
		if c.Cache().Stats().Hits != hits+1 {
			t.Fatal("the most recent key was evicted")
		}
	})
}

func TestClientCacheTTL(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{})
	ctx := context.Background()
	c := redis.NewClient(&redis.Options{Addr: srv.Addr(), Cache: &redis.CacheOptions{}})
	defer c.Close()
	c.Set(ctx, "ttl", "v")
	cached := c.Cached(50 * time.Millisecond)
	cached.Get(ctx, "ttl")
	cached.Get(ctx, "ttl")
	if st := c.Cache().Stats(); st.Hits != 1 {
		t.Fatalf("%+v, want 1 hit", st)
	}
	time.Sleep(60 * time.Millisecond)
	cached.Get(ctx, "ttl")
	if st := c.Cache().Stats(); st.Hits != 1 || st.Misses != 2 {
		t.Fatalf("after the TTL: %+v, want 1 hit, 2 misses", st)
	}
}

func TestClientCacheBroadcastPrefixes(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{})
	ctx := context.Background()
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			c := redis.NewClient(&redis.Options{Addr: srv.Addr(), Protocol: proto,
				Cache: &redis.CacheOptions{Broadcast: true, Prefixes: []string{"user:", "cfg:"}}})
			defer c.Close()
			w := redis.NewClient(&redis.Options{Addr: srv.Addr()})
			defer w.Close()
			w.Set(ctx, "user:1", "a")
			w.Set(ctx, "other", "b")
			cached := c.Cached(0)
			for range 2 {
				cached.Get(ctx, "user:1")
				cached.Get(ctx, "other")
			}
			st := c.Cache().Stats()
			if st.Hits != 1 || st.Entries != 1 {
				t.Fatalf("%+v: want only user:1 cached", st)
			}
			w.Set(ctx, "user:1", "a2")
			if !eventually(2*time.Second, func() bool { v, _ := cached.Get(ctx, "user:1"); return v == "a2" }) {
				t.Fatal("broadcast invalidation not seen")
			}
		})
	}
}

func TestClientCacheMisuse(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{})
	ctx := context.Background()
	plain := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer plain.Close()
	if _, err := plain.Cached(0).Get(ctx, "k"); err == nil || !strings.Contains(err.Error(), "Options.Cache") {
		t.Fatalf("Cached without Options.Cache: %v", err)
	}
	// Commands that cannot be cached run as usual on a cached client.
	if n, err := plain.Cached(0).Incr(ctx, "misuse:n"); err != nil || n != 1 {
		t.Fatalf("INCR = %d, %v", n, err)
	}
	for _, tc := range []struct {
		o    redis.CacheOptions
		want string
	}{
		{redis.CacheOptions{MaxBytes: -1}, "MaxBytes"},
		{redis.CacheOptions{TTL: -time.Second}, "TTL"},
		{redis.CacheOptions{Prefixes: []string{"a"}}, "need Broadcast"},
		{redis.CacheOptions{Broadcast: true, Prefixes: []string{"a", "ab"}}, "overlap"},
	} {
		c := redis.NewClient(&redis.Options{Addr: srv.Addr(), Cache: &tc.o})
		if _, err := c.Cached(0).Get(ctx, "k"); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want an error naming %s", tc.o, err, tc.want)
		}
		c.Close()
	}
	c := redis.NewClient(&redis.Options{Addr: srv.Addr(), Cache: &redis.CacheOptions{}})
	defer c.Close()
	if _, err := c.Cached(-time.Second).Get(ctx, "k"); err == nil {
		t.Error("a negative TTL was accepted")
	}
}

func TestClientCacheReadsOwnWrites(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{})
	ctx := context.Background()
	cacheModes(t, srv, redis.CacheOptions{}, func(t *testing.T, c, _ *redis.Client) {
		key := t.Name()
		cached := c.Cached(0)
		for i := range 200 {
			want := fmt.Sprint(i)
			switch i % 3 {
			case 0: // through the client itself
				if err := c.Set(ctx, key, want); err != nil {
					t.Fatal(err)
				}
			case 1: // through the cached view
				if err := cached.Set(ctx, key, want); err != nil {
					t.Fatal(err)
				}
			case 2: // in a pipeline
				p := c.Pipeline()
				p.Set(key, want)
				if err := p.Exec(ctx); err != nil {
					t.Fatal(err)
				}
			}
			// At once, without waiting for the server's invalidation.
			if v, err := cached.Get(ctx, key); err != nil || v != want {
				t.Fatalf("write %d: cached GET right after = %q, %v", i, v, err)
			}
			if v, err := cached.Get(ctx, key); err != nil || v != want {
				t.Fatalf("write %d: second cached GET = %q, %v", i, v, err)
			}
		}
		// The first read after a write races the server's invalidation of
		// that write (which discards it when it comes later); the second is
		// often a hit.
		if st := c.Cache().Stats(); st.Hits < 20 {
			t.Fatalf("%+v: the cache served hardly any of the second reads", st)
		}
	})
}

// TestClientCacheSilentConnection: a server that stops answering without
// closing its connections (SIGSTOP, as a network partition looks) could
// no longer say when keys change; the idle connections' heartbeat finds
// it within StallTimeout and the cache is flushed.
func TestClientCacheSilentConnection(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{})
	ctx := context.Background()
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			c := redis.NewClient(&redis.Options{Addr: srv.Addr(), Protocol: proto, StallTimeout: 10 * time.Second, // the default: the heartbeat does not wait for it
				Cache: &redis.CacheOptions{}})
			defer c.Close()
			c.Set(ctx, "silent", "v")
			cached := c.Cached(0)
			cached.Get(ctx, "silent")
			if _, err := cached.Get(ctx, "silent"); err != nil || c.Cache().Stats().Hits != 1 {
				t.Fatalf("not cached: %v, %+v", err, c.Cache().Stats())
			}
			if err := srv.Pause(); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			flushed := eventually(6*time.Second, func() bool { return c.Cache().Stats().Entries == 0 })
			took := time.Since(start)
			if err := srv.Resume(); err != nil {
				t.Fatal(err)
			}
			if !flushed {
				t.Fatalf("the cache still holds %+v 6 s after the server went silent", c.Cache().Stats())
			}
			t.Logf("flushed %v after the server went silent", took.Round(time.Millisecond))
			if !eventually(5*time.Second, func() bool {
				before := c.Cache().Stats().Hits
				v, err := cached.Get(ctx, "silent")
				return err == nil && v == "v" && c.Cache().Stats().Hits > before
			}) {
				t.Fatal("no cache hits after the server came back")
			}
		})
	}
}

// TestClientCachePipeline: cacheable reads in a pipeline of a cached
// client are answered from the cache when it holds them, sent tracked
// otherwise, and invalidated like single reads; other commands in the
// pipeline run as usual.
func TestClientCachePipeline(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{})
	ctx := context.Background()
	cacheModes(t, srv, redis.CacheOptions{}, func(t *testing.T, c, writer *redis.Client) {
		key := t.Name()
		writer.Set(ctx, key+":a", "a1")
		writer.Set(ctx, key+":b", "b1")
		writer.HSet(ctx, key+":h", redis.HashField{Field: "f", Value: "1"})
		cached := c.Cached(0)
		run := func() (a, b string, h map[string]string, n int64) {
			t.Helper()
			p := cached.Pipeline()
			ra, rb, rh := p.Get(key+":a"), p.Get(key+":b"), p.HGetAll(key+":h")
			rn := p.Incr(key + ":n") // not cacheable: runs every time
			if err := p.Exec(ctx); err != nil {
				t.Fatal(err)
			}
			return ra.Val(), rb.Val(), rh.Val(), rn.Val()
		}
		a, b, h, n := run()
		if a != "a1" || b != "b1" || h["f"] != "1" || n != 1 {
			t.Fatalf("first pipeline: %q %q %v %d", a, b, h, n)
		}
		if st := c.Cache().Stats(); st.Misses != 3 || st.Entries != 3 {
			t.Fatalf("after the first pipeline %+v, want 3 misses and 3 entries", st)
		}
		a, b, h, n = run()
		if a != "a1" || b != "b1" || h["f"] != "1" || n != 2 {
			t.Fatalf("second pipeline: %q %q %v %d", a, b, h, n)
		}
		if st := c.Cache().Stats(); st.Hits != 3 {
			t.Fatalf("after the second pipeline %+v, want 3 hits", st)
		}
		// A single read finds what the pipeline stored, and the server
		// invalidates it.
		if v, _ := cached.Get(ctx, key+":b"); v != "b1" || c.Cache().Stats().Hits != 4 {
			t.Fatalf("GET b = %q, %+v", v, c.Cache().Stats())
		}
		writer.Set(ctx, key+":b", "b2")
		writer.HSet(ctx, key+":h", redis.HashField{Field: "f", Value: "2"})
		if !eventually(2*time.Second, func() bool {
			_, b, h, _ := run()
			return b == "b2" && h["f"] == "2"
		}) {
			t.Fatal("the pipeline's cached reads were not invalidated")
		}
	})
}

func TestClientCachePipelineMisuse(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{})
	ctx := context.Background()
	plain := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer plain.Close()
	p := plain.Cached(0).Pipeline()
	g, n := p.Get("k"), p.Incr("misuse:pipeline")
	err := p.Exec(ctx)
	if err == nil || !strings.Contains(err.Error(), "Options.Cache") {
		t.Fatalf("Exec = %v, want the error naming Options.Cache", err)
	}
	if g.Err() == nil || n.Err() != nil || n.Val() != 1 {
		t.Fatalf("GET: %v; INCR: %d, %v", g.Err(), n.Val(), n.Err())
	}
}

// TestClientCacheCloseSilentServer: closing a cached client whose server
// went silent returns at once, health checks in flight or not.
func TestClientCacheCloseSilentServer(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{})
	ctx := context.Background()
	for _, proto := range []int{2, 3} {
		c := redis.NewClient(&redis.Options{Addr: srv.Addr(), Protocol: proto, Cache: &redis.CacheOptions{}})
		c.Cached(0).Get(ctx, "close")
		if err := srv.Pause(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(700 * time.Millisecond) // a health check is waiting for its reply
		start := time.Now()
		c.Close()
		took := time.Since(start)
		if err := srv.Resume(); err != nil {
			t.Fatal(err)
		}
		if took > 1500*time.Millisecond { // a health check gives up after 2 s: Close must not wait for it
			t.Errorf("RESP%d: Close took %v with the server silent", proto, took)
		}
	}
}
