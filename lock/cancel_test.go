package lock_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/lock"
)

// A context cancelled while Acquire waits for a held lock returns
// promptly and leaves the holder's lock alone.
func TestCancelWhileWaiting(t *testing.T) {
	_, c := server(t, 3)
	ctx := context.Background()
	holder := lock.New(c, "busy", lock.Options{TTL: 10 * time.Second})
	if err := holder.Acquire(ctx); err != nil {
		t.Fatal(err)
	}
	waiter := lock.New(c, "busy", lock.Options{})
	wctx, cancel := context.WithCancel(ctx)
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	err := waiter.Acquire(wctx)
	took := time.Since(start)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Acquire: %v, want context.Canceled", err)
	}
	// The backoff is at most 128 ms, but a cancelled wait must not sit
	// it out.
	if took > 100*time.Millisecond+50*time.Millisecond {
		t.Errorf("Acquire returned %v after the start, 100ms cancel", took)
	}
	t.Logf("cancelled Acquire returned after %v (cancelled at 100ms)", took.Round(time.Millisecond))
	if v, err := c.Get(ctx, "busy"); err != nil || v != holder.Token() {
		t.Errorf("key holds %q, %v; want the holder's token", v, err)
	}
	if err := holder.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if locked, err := waiter.Locked(ctx); locked || err != nil {
		t.Errorf("Locked after the holder's Release = %v, %v", locked, err)
	}
}

// A context that ends while the acquiring script is in flight: the
// server is paused for writes, so the script runs only after the caller
// gave up. Acquire returns promptly, and the lock the script took is
// released in the background.
func TestCancelWhileScriptInFlight(t *testing.T) {
	_, c := server(t, 3)
	ctx := context.Background()
	admin := redis.NewClient(&redis.Options{Addr: c.Options().Addr})
	defer admin.Close()
	l := lock.New(c, "inflight", lock.Options{TTL: 30 * time.Second, Fencing: true})
	// Load the script first, so the try is one EVALSHA.
	if err := l.Acquire(ctx); err != nil {
		t.Fatal(err)
	}
	if err := l.Release(ctx); err != nil {
		t.Fatal(err)
	}
	const pause = 500 * time.Millisecond
	if err := admin.ClientPause(ctx, pause, redis.ClientPauseOptions{Write: true}); err != nil {
		t.Fatal(err)
	}
	paused := time.Now()
	actx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := l.Acquire(actx)
	took := time.Since(start)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Acquire under a write pause: %v, want context.DeadlineExceeded", err)
	}
	if took > 300*time.Millisecond || time.Since(paused) >= pause {
		t.Fatalf("Acquire returned after %v, not before the pause (%v) ended", took, pause)
	}
	// After the pause the script runs (the counter shows it) and the
	// background cleanup deletes the key.
	deadline := time.Now().Add(5 * time.Second)
	for {
		fence, err := admin.Get(ctx, "{inflight}:fence")
		locked, err2 := l.Locked(ctx)
		if err != nil || err2 != nil {
			t.Fatal(err, err2)
		}
		if fence == "2" && !locked {
			t.Logf("abandoned acquisition ran after the pause and was released %v after the pause ended", time.Since(paused.Add(pause)).Round(time.Millisecond))
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("5s after the pause: counter %q, locked %v; want the script run and the key gone", fence, locked)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
