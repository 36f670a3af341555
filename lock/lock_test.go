package lock_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/lock"
	"github.com/respkit/redis/redistest"
)

var protocols = []int{2, 3}

// newClient returns a client for srv, closed when the test ends.
func newClient(t testing.TB, srv *redistest.Server, proto int) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: srv.Addr(), Protocol: proto})
	t.Cleanup(func() { c.Close() })
	return c
}

// server starts one redis-server and returns a client for it.
func server(t *testing.T, proto int) (*redistest.Server, *redis.Client) {
	t.Helper()
	srv := redistest.Start(t, redistest.Config{})
	return srv, newClient(t, srv, proto)
}

// section is a critical section that detects overlap: it counts who is
// inside, and checks that fencing tokens seen inside grow strictly.
type section struct {
	inside    atomic.Int32
	overlaps  atomic.Int64
	entries   atomic.Int64
	lastFence atomic.Int64
	badFences atomic.Int64
}

func (s *section) run(fence int64, work time.Duration) {
	if s.inside.Add(1) != 1 {
		s.overlaps.Add(1)
	}
	s.entries.Add(1)
	if fence != 0 {
		if prev := s.lastFence.Swap(fence); fence <= prev {
			s.badFences.Add(1)
		}
	}
	time.Sleep(work)
	s.inside.Add(-1)
}

func TestContention(t *testing.T) {
	const goroutines, perGoroutine = 50, 10
	_, c := server(t, 3)
	ctx := context.Background()
	var s section
	var failures atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range goroutines {
		wg.Go(func() {
			l := lock.New(c, "{contended}", lock.Options{TTL: 10 * time.Second, Fencing: true})
			for range perGoroutine {
				if err := l.Acquire(ctx); err != nil {
					t.Errorf("Acquire: %v", err)
					failures.Add(1)
					return
				}
				s.run(l.Fence(), 200*time.Microsecond)
				if err := l.Release(ctx); err != nil {
					t.Errorf("Release: %v", err)
					failures.Add(1)
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	acq, overlaps := s.entries.Load(), s.overlaps.Load()
	t.Logf("contention: %d goroutines, %d acquisitions, %d overlaps, %d fencing tokens out of order, %v (%.0f acquisitions/s)",
		goroutines, acq, overlaps, s.badFences.Load(), elapsed.Round(time.Millisecond), float64(acq)/elapsed.Seconds())
	if overlaps != 0 || s.badFences.Load() != 0 {
		t.Errorf("%d overlaps and %d fencing tokens out of order, want 0", overlaps, s.badFences.Load())
	}
	if acq != goroutines*perGoroutine {
		t.Errorf("%d acquisitions, want %d", acq, goroutines*perGoroutine)
	}
	if last := s.lastFence.Load(); last != goroutines*perGoroutine {
		t.Errorf("last fencing token %d, want %d", last, goroutines*perGoroutine)
	}
}

func TestExpiredHolderLosesOwnership(t *testing.T) {
	for _, proto := range protocols {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			_, c := server(t, proto)
			ctx := context.Background()
			old := lock.New(c, "job", lock.Options{TTL: 100 * time.Millisecond})
			if err := old.Acquire(ctx); err != nil {
				t.Fatal(err)
			}
			// The new holder waits until the old one's TTL has run out.
			next := lock.New(c, "job", lock.Options{TTL: 10 * time.Second, WaitTimeout: 5 * time.Second})
			if err := next.Acquire(ctx); err != nil {
				t.Fatalf("second holder: %v", err)
			}
			if err := old.Extend(ctx, time.Second, false); !errors.Is(err, lock.ErrNotOwned) {
				t.Errorf("old Extend: %v, want ErrNotOwned", err)
			}
			if err := old.Extend(ctx, time.Second, true); !errors.Is(err, lock.ErrNotOwned) {
				t.Errorf("old Extend(replace): %v, want ErrNotOwned", err)
			}
			if err := old.Reacquire(ctx); !errors.Is(err, lock.ErrNotOwned) {
				t.Errorf("old Reacquire: %v, want ErrNotOwned", err)
			}
			if ok, err := old.Owned(ctx); ok || err != nil {
				t.Errorf("old Owned = %v, %v; want false", ok, err)
			}
			if cause := context.Cause(old.Context()); !errors.Is(cause, lock.ErrLost) {
				t.Errorf("old Context cause %v, want ErrLost", cause)
			}
			if err := old.Release(ctx); !errors.Is(err, lock.ErrNotOwned) {
				t.Errorf("old Release: %v, want ErrNotOwned", err)
			}
			// The new holder is untouched.
			if v, err := c.Get(ctx, "job"); err != nil || v != next.Token() {
				t.Errorf("key holds %q, %v; want the new holder's token %q", v, err, next.Token())
			}
			if ok, err := next.Owned(ctx); !ok || err != nil {
				t.Errorf("new Owned = %v, %v; want true", ok, err)
			}
			if err := next.Release(ctx); err != nil {
				t.Errorf("new Release: %v", err)
			}
		})
	}
}

func TestExtendReacquireInspect(t *testing.T) {
	for _, proto := range protocols {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			_, c := server(t, proto)
			ctx := context.Background()
			l := lock.New(c, "inspect", lock.Options{TTL: time.Second})
			between := func(what string, lo, hi time.Duration) {
				t.Helper()
				d, err := l.TTL(ctx)
				if err != nil || d < lo || d > hi {
					t.Errorf("%s: TTL %v, %v; want %v..%v", what, d, err, lo, hi)
				}
			}
			if locked, err := l.Locked(ctx); locked || err != nil {
				t.Errorf("Locked before Acquire = %v, %v", locked, err)
			}
			between("before Acquire", 0, 0)
			ok, err := l.TryAcquire(ctx)
			if !ok || err != nil {
				t.Fatalf("TryAcquire = %v, %v", ok, err)
			}
			if ok, err := l.TryAcquire(ctx); ok || !errors.Is(err, lock.ErrHeld) {
				t.Errorf("second TryAcquire = %v, %v; want ErrHeld", ok, err)
			}
			if len(l.Token()) != 32 {
				t.Errorf("token %q, want 32 hex digits", l.Token())
			}
			between("after Acquire", 500*time.Millisecond, time.Second)
			if err := l.Extend(ctx, 5*time.Second, false); err != nil {
				t.Fatal(err)
			}
			between("after Extend by 5s", 5*time.Second, 6*time.Second)
			if err := l.Extend(ctx, 3*time.Second, true); err != nil {
				t.Fatal(err)
			}
			between("after Extend to 3s", 2500*time.Millisecond, 3*time.Second)
			if until := time.Until(l.ValidUntil()); until < 2*time.Second || until > 3*time.Second {
				t.Errorf("validity after Extend to 3s: %v left", until)
			}
			if err := l.Reacquire(ctx); err != nil {
				t.Fatal(err)
			}
			between("after Reacquire", 500*time.Millisecond, time.Second)
			if owned, err := l.Owned(ctx); !owned || err != nil {
				t.Errorf("Owned = %v, %v", owned, err)
			}
			other := lock.New(c, "inspect", lock.Options{})
			if ok, err := other.TryAcquire(ctx); ok || err != nil {
				t.Errorf("another holder's TryAcquire = %v, %v; want false", ok, err)
			}
			if owned, err := other.Owned(ctx); owned || err != nil {
				t.Errorf("another holder's Owned = %v, %v", owned, err)
			}
			if err := l.Release(ctx); err != nil {
				t.Fatal(err)
			}
			if cause := context.Cause(l.Context()); !errors.Is(cause, lock.ErrNotOwned) {
				t.Errorf("Context after Release: cause %v", cause)
			}
			if err := l.Release(ctx); !errors.Is(err, lock.ErrNotOwned) {
				t.Errorf("second Release: %v, want ErrNotOwned", err)
			}
			if locked, err := l.Locked(ctx); locked || err != nil {
				t.Errorf("Locked after Release = %v, %v", locked, err)
			}
			// A caller-given token is what the key holds.
			mine := lock.New(c, "inspect", lock.Options{Token: "caller-token", NonBlocking: true})
			if err := mine.Acquire(ctx); err != nil {
				t.Fatal(err)
			}
			if v, _ := c.Get(ctx, "inspect"); v != "caller-token" {
				t.Errorf("key holds %q, want the caller's token", v)
			}
			// While it is held, a non-blocking Acquire and one with a
			// WaitTimeout give up.
			if err := lock.New(c, "inspect", lock.Options{NonBlocking: true}).Acquire(ctx); !errors.Is(err, lock.ErrNotAcquired) {
				t.Errorf("NonBlocking Acquire: %v, want ErrNotAcquired", err)
			}
			start := time.Now()
			if err := lock.New(c, "inspect", lock.Options{WaitTimeout: 100 * time.Millisecond}).Acquire(ctx); !errors.Is(err, lock.ErrNotAcquired) {
				t.Errorf("Acquire with WaitTimeout: %v, want ErrNotAcquired", err)
			}
			if waited := time.Since(start); waited < 100*time.Millisecond {
				t.Errorf("Acquire with WaitTimeout 100ms gave up after %v", waited)
			}
			if err := mine.Release(ctx); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestBadArgumentsAreErrorsNotPanics(t *testing.T) {
	ctx := context.Background()
	l := lock.New(nil, "x", lock.Options{})
	if err := l.Acquire(ctx); err == nil || !strings.Contains(err.Error(), "client and a name") {
		t.Fatalf("Acquire on a Lock without a client: %v", err)
	}
	if _, err := lock.New(nil, "", lock.Options{}).TryAcquire(ctx); err == nil {
		t.Fatal("TryAcquire on a Lock without a name returned no error")
	}
	if err := lock.NewRedlock(nil, "x", lock.RedlockOptions{}).Acquire(ctx); err == nil {
		t.Fatal("Redlock without clients returned no error")
	}
	if _, err := lock.NewRedlock([]*redis.Client{nil}, "x", lock.RedlockOptions{}).TryAcquire(ctx); err == nil || !strings.Contains(err.Error(), "nil client") {
		t.Fatalf("Redlock with a nil client: %v", err)
	}
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	defer c.Close()
	if err := lock.NewRedlock([]*redis.Client{c}, "x", lock.RedlockOptions{Options: lock.Options{Fencing: true}}).Acquire(ctx); err == nil || !strings.Contains(err.Error(), "fencing") {
		t.Fatalf("Redlock with fencing: %v", err)
	}
}
