package redis_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/internal/stalecheck"
	"github.com/respkit/redis/redistest"
)

// cacheMode is one way of tracking: the protocol (RESP2: a redirect
// connection; RESP3: push frames) and OPTIN or BCAST.
type cacheMode struct {
	proto int
	bcast bool
}

func (m cacheMode) String() string {
	if m.bcast {
		return fmt.Sprintf("RESP%d/BCAST", m.proto)
	}
	return fmt.Sprintf("RESP%d/OPTIN", m.proto)
}

var allCacheModes = []cacheMode{{2, false}, {3, false}, {2, true}, {3, true}}

// cachedName names the connections of the cached clients (CLIENT SETNAME),
// for the faults to find them in CLIENT LIST.
const cachedName = "cached"

func newCachedClient(t *testing.T, srv *redistest.Server, m cacheMode) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: srv.Addr(), Protocol: m.proto, ClientName: cachedName,
		Cache: &redis.CacheOptions{Broadcast: m.bcast}})
	t.Cleanup(func() { c.Close() })
	return c
}

func newPlainClient(t *testing.T, srv *redistest.Server) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	t.Cleanup(func() { c.Close() })
	return c
}

// durationQuantile returns the q quantile of sorted ds.
func durationQuantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	return ds[min(len(ds)-1, int(q*float64(len(ds))))]
}

// TestClientCacheInvalidationLatency measures how long after a writer's
// SET returns a cached reader sees the new value: the invalidation's trip
// plus one read. Only the 2 s correctness bound is asserted; the numbers
// are logged.
func TestClientCacheInvalidationLatency(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{})
	ctx := context.Background()
	writer := newPlainClient(t, srv)
	const updates, hitsPerUpdate = 300, 5
	for _, m := range allCacheModes {
		t.Run(m.String(), func(t *testing.T) {
			c := newCachedClient(t, srv, m)
			cached := c.Cached(0)
			key := "latency:" + m.String()
			if err := writer.Set(ctx, key, 0); err != nil {
				t.Fatal(err)
			}
			if v, err := cached.Get(ctx, key); err != nil || v != "0" {
				t.Fatalf("first GET = %q, %v", v, err)
			}
			lat := make([]time.Duration, 0, updates)
			for i := 1; i <= updates; i++ {
				want := strconv.Itoa(i)
				if err := writer.Set(ctx, key, i); err != nil {
					t.Fatal(err)
				}
				acked := time.Now()
				for {
					v, err := cached.Get(ctx, key)
					if err != nil {
						t.Fatalf("update %d: GET: %v", i, err)
					}
					if v == want {
						break
					}
					if n, err := strconv.Atoi(v); err != nil || n > i {
						t.Fatalf("update %d: GET = %q, neither this version nor an older one", i, v)
					}
					if time.Since(acked) > 2*time.Second {
						t.Fatalf("update %d: still reading %q 2 s after the SET returned (stats %+v)", i, v, c.Cache().Stats())
					}
				}
				lat = append(lat, time.Since(acked))
				// Nothing changes now: the next reads must all come from the
				// cache (the test is not vacuous).
				before := c.Cache().Stats().Hits
				for range hitsPerUpdate {
					if v, err := cached.Get(ctx, key); err != nil || v != want {
						t.Fatalf("update %d: reread = %q, %v", i, v, err)
					}
				}
				if got := c.Cache().Stats().Hits - before; got != hitsPerUpdate {
					t.Fatalf("update %d: %d of %d rereads were hits", i, got, hitsPerUpdate)
				}
			}
			slices.Sort(lat)
			st := c.Cache().Stats()
			t.Logf("%s: %d updates, SET acknowledged -> new value read: p50 %v, p99 %v, max %v (cache: %d hits, %d misses, %d invalidations)",
				m, updates, durationQuantile(lat, 0.5), durationQuantile(lat, 0.99), lat[len(lat)-1], st.Hits, st.Misses, st.Invalidations)
		})
	}
}

// staleChecker judges GET replies with a stalecheck.Log (the writer's
// changes, resets included): it decodes a reply into a version, or
// missing.
type staleChecker struct{ *stalecheck.Log }

func newStaleChecker(grace time.Duration, keys ...string) *staleChecker {
	return &staleChecker{stalecheck.NewLog(grace, keys...)}
}

// check records one read of key that began at start and ended at end,
// returning val (err is nil) or missing (err is ErrNil), and reports
// whether it was stale.
func (c *staleChecker) check(key, val string, err error, start, end time.Time) (stale bool, e error) {
	var ver int64
	missing := errors.Is(err, redis.ErrNil)
	switch {
	case err != nil && !missing:
		return false, err
	case !missing:
		if ver, err = strconv.ParseInt(val, 10, 64); err != nil {
			return false, fmt.Errorf("GET %s = %q: not a version", key, val)
		}
	}
	stale, _ = c.Check(key, ver, missing, start, end)
	return stale, nil
}

// staleGrace is how long after a write's acknowledgement a reader may
// still return the value it replaced: the invalidation's trip.
const staleGrace = 100 * time.Millisecond

func TestClientCacheStaleChecker(t *testing.T) {
	t.Run("unit", func(t *testing.T) {
		t0 := time.Unix(1000, 0)
		ms := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond) }
		c := newStaleChecker(staleGrace, "a", "b")
		c.Ack("a", c.Issue("a", 1, ms(0)), ms(1))
		c.Ack("a", c.Issue("a", 2, ms(2)), ms(3))
		steps := []struct {
			key, val string
			missing  bool
			at       time.Time
			stale    bool
		}{
			{"a", "1", false, ms(50), false},   // replaced 47 ms ago: within grace
			{"a", "1", false, ms(200), true},   // replaced 197 ms ago
			{"a", "2", false, ms(1000), false}, // the latest
			{"a", "", true, ms(1000), true},    // missing, though written long ago
			{"b", "", true, ms(1000), false},   // never written
		}
		c.IssueReset(3, ms(1000))
		c.AckReset(3, ms(1100))
		steps = append(steps, []struct {
			key, val string
			missing  bool
			at       time.Time
			stale    bool
		}{
			{"a", "2", false, ms(1150), false}, // emptied 50 ms ago
			{"a", "2", false, ms(1300), true},  // emptied 200 ms ago: the value was lost
			{"a", "", true, ms(1300), false},
		}...)
		for _, s := range steps {
			var err error
			if s.missing {
				err = redis.ErrNil
			}
			got, e := c.check(s.key, s.val, err, s.at, s.at)
			if e != nil || got != s.stale {
				t.Errorf("%s=%q missing=%v at +%v: stale %v, %v; want %v", s.key, s.val, s.missing, s.at.Sub(t0), got, e, s.stale)
			}
		}
		c.Ack("a", c.Issue("a", 4, ms(1400)), ms(1401))
		c.Issue("a", 5, ms(1402)) // failed: never acknowledged
		for _, s := range []struct {
			val     string
			missing bool
			at      time.Time
			stale   bool
		}{
			{"", true, ms(1450), false}, // written 49 ms ago
			{"", true, ms(1600), true},
			{"2", false, ms(1600), true},
			{"4", false, ms(9999), false},
			{"5", false, ms(9999), false}, // a failed SET may have been applied
		} {
			var err error
			if s.missing {
				err = redis.ErrNil
			}
			if got, e := c.check("a", s.val, err, s.at, s.at); e != nil || got != s.stale {
				t.Errorf("a=%q missing=%v at +%v: stale %v, %v; want %v", s.val, s.missing, s.at.Sub(t0), got, e, s.stale)
			}
		}
		if _, err := c.check("a", "x", nil, ms(0), ms(0)); err == nil {
			t.Error("a value that is no version was accepted")
		}
		if got := c.MaxLag(); got != 999*time.Millisecond {
			t.Errorf("largest lag %v, want 999ms (missing read at +1000 ms, version 1 acknowledged at +1 ms)", got)
		}
		if n := c.Stale(); n != 5 {
			t.Errorf("%d stale reads counted, want 5", n)
		}
	})

	// The live harness catches a reader that serves old values: a naive
	// cache that keeps what it read for 300 ms, without invalidation.
	srv := redistest.Start(t, redistest.Config{})
	writer := newPlainClient(t, srv)
	plain := newPlainClient(t, srv)
	t.Run("naive cache is caught", func(t *testing.T) {
		type held struct {
			v   string
			err error
			at  time.Time
		}
		var mu sync.Mutex
		naive := map[string]held{}
		read := func(ctx context.Context, key string) (string, error) {
			mu.Lock()
			h, ok := naive[key]
			mu.Unlock()
			if ok && time.Since(h.at) < 300*time.Millisecond {
				return h.v, h.err
			}
			v, err := plain.Get(ctx, key)
			mu.Lock()
			naive[key] = held{v, err, time.Now()}
			mu.Unlock()
			return v, err
		}
		r := runCheckedLoad(t, loadConfig{prefix: "naive", writer: writer, read: read, dur: 700 * time.Millisecond})
		t.Logf("naive cache: %v", r)
		if r.chk.Stale() == 0 {
			t.Fatal("the checker found no stale read in a cache without invalidations")
		}
	})
	t.Run("plain reads pass", func(t *testing.T) {
		r := runCheckedLoad(t, loadConfig{prefix: "plain", writer: writer, read: plain.Get, dur: 500 * time.Millisecond})
		t.Logf("plain reads: %v", r)
		if n := r.chk.Stale(); n != 0 {
			t.Fatalf("uncached reads counted stale: %v", r)
		}
	})
}

// loadConfig describes a checked run: a writer SETting versions over a few
// keys, readers reading them, faults meanwhile.
type loadConfig struct {
	prefix  string // of the keys
	keys    int    // 6 when 0
	readers int    // 3 when 0
	dur     time.Duration
	writer  *redis.Client
	read    func(ctx context.Context, key string) (string, error)
	// reset, when set, is run by the writer (between two SETs) every
	// resetEvery: it empties the server (FLUSHALL, a restart).
	reset      func(ctx context.Context) error
	resetEvery time.Duration
	resetUntil time.Duration // no reset starts later into the run
}

type loadResult struct {
	chk                     *staleChecker
	sets, setErrs, readErrs int64
	resets                  int
	maxRead                 time.Duration
	firstReadErr            string
}

func (r loadResult) String() string {
	s := fmt.Sprintf("%v; %d SETs acknowledged, %d failed; %d read errors; slowest read %v", r.chk, r.sets, r.setErrs, r.readErrs, r.maxRead)
	if r.firstReadErr != "" {
		s += " (first read error: " + r.firstReadErr + ")"
	}
	return s
}

// readTimeout bounds each checked read: a read that hangs fails the run
// instead of the whole test binary.
const readTimeout = 3 * time.Second

// runCheckedLoad runs the writer and readers of lc for lc.dur, checking
// every read.
func runCheckedLoad(t *testing.T, lc loadConfig) loadResult {
	t.Helper()
	ctx := context.Background()
	nkeys, readers := lc.keys, lc.readers
	if nkeys == 0 {
		nkeys = 6
	}
	if readers == 0 {
		readers = 3
	}
	keys := make([]string, nkeys)
	for i := range keys {
		keys[i] = fmt.Sprintf("%s:k%d", lc.prefix, i)
	}
	chk := newStaleChecker(staleGrace, keys...)
	var res loadResult
	res.chk = chk
	var ver int64
	// Every key exists before the readers start.
	for _, k := range keys {
		ver++
		i := chk.Issue(k, ver, time.Now())
		if err := lc.writer.Set(ctx, k, ver); err != nil {
			t.Fatal(err)
		}
		chk.Ack(k, i, time.Now())
	}
	begin := time.Now()
	end := begin.Add(lc.dur)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		nextReset := begin.Add(lc.resetEvery)
		for i := 0; time.Now().Before(end); i++ {
			if lc.reset != nil && time.Now().After(nextReset) && time.Since(begin) < lc.resetUntil {
				ver++
				chk.IssueReset(ver, time.Now())
				if err := lc.reset(ctx); err != nil {
					t.Errorf("reset: %v", err)
					return
				}
				chk.AckReset(ver, time.Now())
				res.resets++
				nextReset = time.Now().Add(lc.resetEvery)
			}
			k := keys[i%len(keys)]
			ver++
			idx := chk.Issue(k, ver, time.Now())
			if err := lc.writer.Set(ctx, k, ver); err != nil {
				res.setErrs++
				time.Sleep(time.Millisecond)
				continue
			}
			chk.Ack(k, idx, time.Now())
			res.sets++
		}
	}()
	var mu sync.Mutex
	for r := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var errs int64
			var slowest time.Duration
			var firstErr string
			for i := r; time.Now().Before(end); i++ {
				k := keys[i%len(keys)]
				start := time.Now()
				rctx, cancel := context.WithTimeout(ctx, readTimeout)
				v, err := lc.read(rctx, k)
				cancel()
				done := time.Now()
				slowest = max(slowest, done.Sub(start))
				if _, err := chk.check(k, v, err, start, done); err != nil {
					if errs == 0 {
						firstErr = err.Error()
					}
					errs++
					time.Sleep(time.Millisecond)
				}
			}
			mu.Lock()
			res.readErrs += errs
			res.maxRead = max(res.maxRead, slowest)
			if res.firstReadErr == "" {
				res.firstReadErr = firstErr
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	if res.sets == 0 {
		t.Fatalf("the writer wrote nothing: %v", res)
	}
	if res.maxRead > 2*time.Second {
		t.Errorf("a read took %v (reads time out after %v): %v", res.maxRead, readTimeout, res)
	}
	return res
}

// killer kills, every period until its context ends, the connections of
// the cached client that target picks (found with CLIENT LIST from the
// admin client), one CLIENT KILL ID each.
type killer struct {
	admin  *redis.Client
	target func(redis.ConnInfo) bool
	cache  *redis.Cache

	killed      []int64 // IDs killed (CLIENT KILL said 1)
	misses      int     // rounds where CLIENT LIST showed no target
	hitsAtLast  uint64  // the cache's hits just after the last kill
	lastKill    time.Time
	unconfirmed int // kills answered 0: the ID was gone already
}

func (k *killer) run(ctx context.Context, period time.Duration) error {
	tick := time.NewTicker(period)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		list, err := k.admin.ClientList(context.Background())
		if err != nil {
			return err
		}
		found := false
		for _, ci := range list {
			if !k.target(ci) {
				continue
			}
			found = true
			n, err := k.admin.ClientKill(context.Background(), redis.ClientKillFilter{ID: ci.ID})
			if err != nil {
				return err
			}
			if n != 1 {
				k.unconfirmed++
				continue
			}
			k.killed = append(k.killed, ci.ID)
			k.lastKill = time.Now()
			k.hitsAtLast = k.cache.Stats().Hits
		}
		if !found {
			k.misses++
		}
	}
}

// faultDur is how long each checked fault run lasts.
const faultDur = 2 * time.Second

func TestClientCacheNoStaleReadsUnderKill(t *testing.T) {
	type tc struct {
		mode   cacheMode
		what   string
		target func(redis.ConnInfo) bool
	}
	subscribed := func(ci redis.ConnInfo) bool { return ci.Name == cachedName && ci.Sub > 0 }
	tracking := func(ci redis.ConnInfo) bool { return ci.Name == cachedName && strings.Contains(ci.Flags, "t") }
	cases := []tc{
		{cacheMode{2, false}, "redirect connection", subscribed},
		{cacheMode{3, false}, "tracking connection", tracking},
		{cacheMode{2, true}, "redirect connection", subscribed},
		{cacheMode{3, true}, "tracking connection", tracking},
		// RESP2 OPTIN: the data connection's tracking (whose
		// invalidations go to the redirect connection) dies with it.
		{cacheMode{2, false}, "tracked data connection", func(ci redis.ConnInfo) bool { return tracking(ci) && ci.Sub == 0 }},
	}
	for _, c := range cases {
		t.Run(c.mode.String()+"/"+strings.ReplaceAll(c.what, " ", "_"), func(t *testing.T) {
			srv := redistest.Start(t, redistest.Config{})
			cl := newCachedClient(t, srv, c.mode)
			cached := cl.Cached(0)
			k := &killer{admin: newPlainClient(t, srv), target: c.target, cache: cl.Cache()}
			ctx, cancel := context.WithCancel(context.Background())
			killErr := make(chan error, 1)
			go func() {
				// Kills stop well before the end: the cache must recover.
				time.Sleep(100 * time.Millisecond)
				kctx, kcancel := context.WithTimeout(ctx, faultDur-700*time.Millisecond)
				defer kcancel()
				killErr <- k.run(kctx, 200*time.Millisecond)
			}()
			before := cl.Cache().Stats()
			r := runCheckedLoad(t, loadConfig{prefix: "kill", writer: newPlainClient(t, srv), read: cached.Get, dur: faultDur})
			cancel()
			if err := <-killErr; err != nil {
				t.Fatalf("killer: %v", err)
			}
			st := cl.Cache().Stats()
			hits := st.Hits - before.Hits
			t.Logf("%s, killing the %s: %v; %d hits, %d misses, %d discarded; %d kills (%v), %d rounds with no target, %d hits after the last kill",
				c.mode, c.what, r, hits, st.Misses-before.Misses, st.Discarded-before.Discarded, len(k.killed), k.killed, k.misses, st.Hits-k.hitsAtLast)
			if n := r.chk.Stale(); n != 0 {
				t.Errorf("%d stale reads: %v", n, r)
			}
			if len(k.killed) < 3 {
				t.Errorf("only %d kills of the %s (%d rounds found none)", len(k.killed), c.what, k.misses)
			}
			for i := 1; i < len(k.killed); i++ {
				if k.killed[i] == k.killed[i-1] {
					t.Errorf("connection %d killed twice", k.killed[i])
				}
			}
			if hits == 0 {
				t.Error("the cache served no read")
			}
			if st.Hits <= k.hitsAtLast {
				t.Errorf("no hit after the last kill (%v)", st)
			}
		})
	}
}

func TestClientCacheNoStaleReadsUnderReset(t *testing.T) {
	type reset struct {
		name       string
		dur, every time.Duration
		do         func(srv *redistest.Server, writer *redis.Client) func(ctx context.Context) error
	}
	resets := []reset{
		{"restart", faultDur + 500*time.Millisecond, 400 * time.Millisecond, func(srv *redistest.Server, _ *redis.Client) func(context.Context) error {
			return func(context.Context) error { return srv.Restart() }
		}},
		{"FLUSHALL", faultDur - 500*time.Millisecond, 200 * time.Millisecond, func(_ *redistest.Server, writer *redis.Client) func(context.Context) error {
			return func(ctx context.Context) error { return writer.Do(ctx, "FLUSHALL").Err() }
		}},
	}
	for _, rs := range resets {
		for _, m := range allCacheModes {
			t.Run(m.String()+"/"+rs.name, func(t *testing.T) {
				srv := redistest.Start(t, redistest.Config{})
				cl := newCachedClient(t, srv, m)
				cached := cl.Cached(0)
				writer := newPlainClient(t, srv)
				before := cl.Cache().Stats()
				var hitsAtLast atomic.Uint64
				do := rs.do(srv, writer)
				r := runCheckedLoad(t, loadConfig{
					prefix: "reset", writer: writer, read: cached.Get, dur: rs.dur,
					reset: func(ctx context.Context) error {
						err := do(ctx)
						hitsAtLast.Store(cl.Cache().Stats().Hits)
						return err
					},
					resetEvery: rs.every, resetUntil: rs.dur - 700*time.Millisecond,
				})
				st := cl.Cache().Stats()
				hits := st.Hits - before.Hits
				t.Logf("%s, %s: %v; %d hits, %d misses, %d discarded; %d resets, %d hits after the last",
					m, rs.name, r, hits, st.Misses-before.Misses, st.Discarded-before.Discarded, r.resets, st.Hits-hitsAtLast.Load())
				if n := r.chk.Stale(); n != 0 {
					t.Errorf("%d stale reads: %v", n, r)
				}
				if r.resets < 2 {
					t.Errorf("only %d resets", r.resets)
				}
				if hits == 0 {
					t.Error("the cache served no read")
				}
				if st.Hits <= hitsAtLast.Load() {
					t.Errorf("no hit after the last %s (%+v)", rs.name, st)
				}
			})
		}
	}
}

// TestClientCacheIdleConnectionKilled kills the cached client's data
// connections while every read is a hit, so that nothing uses them, then
// changes a key: the cache must not go on serving the old value.
func TestClientCacheIdleConnectionKilled(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{})
	ctx := context.Background()
	admin := newPlainClient(t, srv)
	for _, m := range allCacheModes {
		t.Run(m.String(), func(t *testing.T) {
			c := newCachedClient(t, srv, m)
			cached := c.Cached(0)
			key := "idle:" + m.String()
			if err := admin.Set(ctx, key, "v1"); err != nil {
				t.Fatal(err)
			}
			for range 2 {
				if v, err := cached.Get(ctx, key); err != nil || v != "v1" {
					t.Fatalf("GET = %q, %v", v, err)
				}
			}
			if st := c.Cache().Stats(); st.Hits != 1 {
				t.Fatalf("%+v, want 1 hit", st)
			}
			list, err := admin.ClientList(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var killed []int64
			for _, ci := range list {
				if ci.Name != cachedName || ci.Sub > 0 {
					continue
				}
				if n, err := admin.ClientKill(ctx, redis.ClientKillFilter{ID: ci.ID}); err != nil || n != 1 {
					t.Fatalf("CLIENT KILL ID %d: %d, %v", ci.ID, n, err)
				}
				killed = append(killed, ci.ID)
			}
			if len(killed) == 0 {
				t.Fatalf("no data connection of the cached client in %+v", list)
			}
			if err := admin.Set(ctx, key, "v2"); err != nil {
				t.Fatal(err)
			}
			acked := time.Now()
			var v string
			if !eventually(2*time.Second, func() bool { v, err = cached.Get(ctx, key); return err == nil && v == "v2" }) {
				t.Fatalf("killed %v; GET still = %q, %v 2 s after SET v2 (%+v)", killed, v, err, c.Cache().Stats())
			}
			t.Logf("%s: killed %v, new value read %v after the SET", m, killed, time.Since(acked))
		})
	}
}

// TestClientCacheRESP2MatchesRESP3 runs one sequence of cached reads of
// every shape, with writes between, in every mode: the Go results and the
// cache's counters must be the same.
func TestClientCacheRESP2MatchesRESP3(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{})
	ctx := context.Background()
	writer := newPlainClient(t, srv)

	type outcome struct {
		Val any
		Err string
	}
	got := func(v any, err error) outcome {
		o := outcome{Val: v}
		if err != nil {
			o.Err = err.Error()
		}
		return o
	}
	reads := func(c *redis.Client) []outcome {
		return []outcome{
			got(c.Get(ctx, "s")),
			got(c.MGet(ctx, "s", "s2", "missing")),
			got(c.HGetAll(ctx, "h")),
			got(c.SMembers(ctx, "set")),
			got(c.ZRangeWithScores(ctx, "z", 0, -1)),
			got(c.LRange(ctx, "l", 0, -1)),
			got(c.Get(ctx, "missing")),
			got(c.HGetAll(ctx, "missingh")),
			got(c.HGet(ctx, "h", "a")),
		}
	}
	type write struct {
		do func() error
		// drops is how many entries the write invalidates.
		drops uint64
	}
	type run struct {
		results [][]outcome
		stats   redis.CacheStats
	}
	var runs []run
	for _, m := range allCacheModes {
		t.Run(m.String(), func(t *testing.T) {
			// The same history for every mode, written before the cached
			// client connects (under BCAST a write just before a read may
			// otherwise invalidate it, which would change the counters).
			must := func(err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
			}
			must(writer.Do(ctx, "FLUSHALL").Err())
			must(writer.Set(ctx, "s", "hello"))
			must(writer.Set(ctx, "s2", "world"))
			must(writer.Do(ctx, "HSET", "h", "a", "1", "b", "2").Err())
			must(writer.Do(ctx, "SADD", "set", "x", "y", "z", "10").Err())
			must(writer.Do(ctx, "ZADD", "z", "1.5", "a", "2", "b", "-0.25", "c", "1e-3", "d").Err())
			must(writer.Do(ctx, "RPUSH", "l", "a", "b", "c").Err())

			c := newCachedClient(t, srv, m)
			cached := c.Cached(0)
			writes := []write{
				{func() error { return writer.Set(ctx, "s", "hello2") }, 2},                     // GET s, MGET
				{func() error { return writer.Do(ctx, "HSET", "h", "c", "3").Err() }, 2},        // HGETALL h, HGET h a
				{func() error { return writer.Do(ctx, "SADD", "set", "w").Err() }, 1},           // SMEMBERS
				{func() error { return writer.Do(ctx, "ZADD", "z", "3", "e").Err() }, 1},        // ZRANGE
				{func() error { return writer.Do(ctx, "RPUSH", "l", "d").Err() }, 1},            // LRANGE
				{func() error { return writer.Set(ctx, "missing", "now") }, 2},                  // GET missing, MGET
				{func() error { return writer.Do(ctx, "DEL", "s2").Err() }, 1},                  // MGET
				{func() error { return writer.Do(ctx, "HSET", "missingh", "f", "v").Err() }, 1}, // HGETALL missingh
				{func() error { return writer.Do(ctx, "FLUSHALL").Err() }, 9},                   // everything
			}
			var r run
			r.results = append(r.results, reads(cached), reads(cached))
			if !reflect.DeepEqual(r.results[0], r.results[1]) {
				t.Fatalf("hits differ from the reads they cache:\n%#v\n%#v", r.results[0], r.results[1])
			}
			for i, w := range writes {
				before := c.Cache().Stats()
				must(w.do())
				if !eventually(2*time.Second, func() bool { return c.Cache().Stats().Invalidations >= before.Invalidations+w.drops }) {
					t.Fatalf("write %d: %+v, want %d more invalidations than %+v", i, c.Cache().Stats(), w.drops, before)
				}
				r.results = append(r.results, reads(cached))
			}
			r.stats = c.Cache().Stats()
			if r.stats.Discarded != 0 {
				t.Errorf("%d replies discarded: %+v", r.stats.Discarded, r.stats)
			}
			runs = append(runs, r)
			t.Logf("%s: %+v", m, r.stats)
		})
	}
	if t.Failed() || len(runs) != len(allCacheModes) {
		return
	}
	for i := 1; i < len(runs); i++ {
		for j := range runs[0].results {
			if !reflect.DeepEqual(runs[0].results[j], runs[i].results[j]) {
				t.Errorf("step %d: %v read\n%#v\nbut %v read\n%#v", j, allCacheModes[0], runs[0].results[j], allCacheModes[i], runs[i].results[j])
			}
		}
		if a, b := runs[0].stats, runs[i].stats; a.Hits != b.Hits || a.Misses != b.Misses || a.Invalidations != b.Invalidations || a.Entries != b.Entries {
			t.Errorf("counters: %v %+v, %v %+v", allCacheModes[0], a, allCacheModes[i], b)
		}
	}
	// A few sanity checks of what was read, so that agreeing on nothing
	// does not pass.
	first := runs[0].results[0]
	if first[0].Val != "hello" || first[6].Err != redis.ErrNil.Error() || len(first[2].Val.(map[string]string)) != 2 {
		t.Errorf("first reads: %#v", first)
	}
	if st := runs[0].stats; st.Hits == 0 || st.Misses == 0 {
		t.Errorf("counters %+v", st)
	}
}
