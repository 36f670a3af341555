package redis_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/redistest"
)

// TestPoolExhaustion fills the exclusive pool with blocked BLPOPs: the
// next blocking call times out with an error that says how long it waited
// and how the pool stood, while ordinary commands keep flowing on the
// shared connection.
func TestPoolExhaustion(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{})
	ctx := context.Background()
	c := redis.NewClient(&redis.Options{Addr: srv.Addr(), PoolSize: 2, PoolTimeout: 150 * time.Millisecond})
	defer c.Close()

	var wg sync.WaitGroup
	results := make(chan []string, 2)
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := c.Do(ctx, "BLPOP", "exhaust:list", 5).Strings()
			if err != nil {
				t.Errorf("blocked BLPOP: %v", err)
			}
			results <- v
		}()
	}
	waitFor(t, "two blocked clients", func() bool {
		info, _ := c.Do(ctx, "INFO", "clients").Text()
		return strings.Contains(info, "blocked_clients:2")
	})

	err := c.Do(ctx, "BLPOP", "exhaust:other", 1).Err()
	var pe *redis.PoolTimeoutError
	if !errors.Is(err, redis.ErrPoolTimeout) || !errors.As(err, &pe) {
		t.Fatalf("third BLPOP: %v, want a pool timeout", err)
	}
	if pe.Size != 2 || pe.InUse != 2 || pe.Waited < 150*time.Millisecond {
		t.Fatalf("pool timeout error %+v: want size 2, 2 in use, waited >= 150ms", *pe)
	}
	for _, want := range []string{"waited", "2 of 2 connections in use", "PoolSize"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("pool timeout message %q lacks %q", err.Error(), want)
		}
	}
	if redis.MayHaveRun(err) {
		t.Error("MayHaveRun(pool timeout) = true")
	}
	// The shared connection is unaffected.
	if err := c.Set(ctx, "exhaust:k", "v"); err != nil {
		t.Fatalf("SET while the pool is exhausted: %v", err)
	}
	st := c.PoolStats()
	if st.Timeouts != 1 || st.TotalConns != 2 {
		t.Errorf("stats %+v: want 1 timeout, 2 connections", st)
	}
	if err := c.Do(ctx, "RPUSH", "exhaust:list", "a", "b").Err(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	close(results)
	got := map[string]bool{}
	for v := range results {
		if len(v) == 2 {
			got[v[1]] = true
		}
	}
	if !got["a"] || !got["b"] {
		t.Fatalf("blocked BLPOPs got %v, want a and b", got)
	}
	st = c.PoolStats()
	if st.IdleConns != 2 || st.Misses != 2 {
		t.Errorf("after release: %+v, want 2 idle connections from 2 misses", st)
	}
	t.Logf("pool stats after exhaustion: %+v", st)
}

// TestPoolClosesUnfinishedConnections cancels blocking calls mid-flight:
// their connections are closed, never returned to the pool, and the pool
// keeps working.
func TestPoolClosesUnfinishedConnections(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{})
	ctx := context.Background()
	c := redis.NewClient(&redis.Options{Addr: srv.Addr(), PoolSize: 3})
	defer c.Close()
	for range 5 {
		cctx, cancel := context.WithTimeout(ctx, 30*time.Millisecond)
		err := c.Do(cctx, "BLPOP", "unfinished:list", 5).Err()
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("BLPOP with a 30ms context: %v", err)
		}
		if st := c.PoolStats(); st.TotalConns != 0 || st.IdleConns != 0 {
			t.Fatalf("a connection with an unread reply stayed in the pool: %+v", st)
		}
	}
	// The server must not have a reply for us on a reused connection: a
	// fresh BLPOP gets exactly its own element.
	c.Do(ctx, "RPUSH", "unfinished:list", "mine")
	if v, err := c.Do(ctx, "BLPOP", "unfinished:list", 1).Strings(); err != nil || len(v) != 2 || v[1] != "mine" {
		t.Fatalf("BLPOP after cancellations = %q, %v", v, err)
	}
	if st := c.PoolStats(); st.Misses != 6 || st.TotalConns != 1 {
		t.Fatalf("stats %+v: want 6 dials, 1 connection left", st)
	}
}

// TestPoolHealthAndLifetime kills idle pooled connections and ages them
// out: the pool notices before handing them out.
func TestPoolHealthAndLifetime(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{})
	ctx := context.Background()
	c := redis.NewClient(&redis.Options{Addr: srv.Addr(), PoolSize: 4, MinIdleConns: 3, ConnMaxLifetime: 300 * time.Millisecond})
	defer c.Close()
	waitFor(t, "3 idle connections (MinIdleConns)", func() bool { return c.PoolStats().IdleConns == 3 })

	admin := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer admin.Close()
	if err := admin.Do(ctx, "CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes").Err(); err != nil {
		t.Fatal(err)
	}
	// Every idle connection is dead now; the next blocking call must not
	// fail because of them.
	if err := c.Do(ctx, "BLPOP", "health:list", 0.01).Err(); !errors.Is(err, redis.ErrNil) {
		t.Fatalf("BLPOP after the idle connections were killed: %v", err)
	}
	if st := c.PoolStats(); st.StaleConns == 0 {
		t.Fatalf("stats %+v: want the killed connections counted as stale", st)
	}
	// Connections older than ConnMaxLifetime are replaced.
	before := c.PoolStats().StaleConns
	waitFor(t, "connections past their lifetime to be closed", func() bool { return c.PoolStats().StaleConns >= before+2 })
	if err := c.Do(ctx, "BLPOP", "health:list", 0.01).Err(); !errors.Is(err, redis.ErrNil) {
		t.Fatalf("BLPOP after lifetime expiry: %v", err)
	}
	t.Logf("pool stats: %+v", c.PoolStats())
}

// waitFor polls cond for up to 5 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
