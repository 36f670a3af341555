package lock_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/lock"
	"github.com/respkit/redis/redistest"
)

// fiveServers starts five independent servers.
func fiveServers(t *testing.T) []*redistest.Server {
	t.Helper()
	srvs := make([]*redistest.Server, 5)
	for i := range srvs {
		srvs[i] = redistest.Start(t, redistest.Config{})
	}
	return srvs
}

// clientsFor returns one client per server, as one process would hold them.
func clientsFor(t *testing.T, srvs []*redistest.Server, proto int) []*redis.Client {
	t.Helper()
	cs := make([]*redis.Client, len(srvs))
	for i, s := range srvs {
		cs[i] = newClient(t, s, proto)
	}
	return cs
}

// contendRedlock runs two holders, each with its own clients, that take
// the lock in turn around a critical section, and returns the number of
// acquisitions and overlaps.
func contendRedlock(t *testing.T, srvs []*redistest.Server, rounds int) (int64, int64) {
	t.Helper()
	ctx := context.Background()
	var s section
	var wg sync.WaitGroup
	for h := range 2 {
		r := lock.NewRedlock(clientsFor(t, srvs, 2+h), "{redlock}", lock.RedlockOptions{
			Options: lock.Options{TTL: 5 * time.Second, WaitTimeout: 10 * time.Second},
		})
		wg.Go(func() {
			for range rounds {
				if err := r.Acquire(ctx); err != nil {
					t.Errorf("holder %d: Acquire: %v", h, err)
					return
				}
				if time.Now().After(r.ValidUntil()) {
					t.Errorf("holder %d: acquired with no validity left", h)
				}
				s.run(0, time.Millisecond)
				if err := r.Release(ctx); err != nil {
					t.Errorf("holder %d: Release: %v", h, err)
				}
			}
		})
	}
	wg.Wait()
	return s.entries.Load(), s.overlaps.Load()
}

// keysLeft counts the servers, among the running ones, that still have
// the key.
func keysLeft(t *testing.T, cs []*redis.Client, srvs []*redistest.Server, key string) int {
	t.Helper()
	n := 0
	for i, c := range cs {
		if !srvs[i].Running() {
			continue
		}
		k, err := c.Exists(context.Background(), key)
		if err != nil {
			t.Fatalf("EXISTS on server %d: %v", i, err)
		}
		n += int(k)
	}
	return n
}

func TestRedlock(t *testing.T) {
	srvs := fiveServers(t)
	cs := clientsFor(t, srvs, 3)
	ctx := context.Background()
	opts := lock.RedlockOptions{Options: lock.Options{TTL: 2 * time.Second}, NodeTimeout: 200 * time.Millisecond}

	acq, overlaps := contendRedlock(t, srvs, 25)
	t.Logf("redlock, 5 of 5 nodes up: 2 holders, %d acquisitions, %d overlaps", acq, overlaps)
	if overlaps != 0 || acq != 50 {
		t.Errorf("%d acquisitions, %d overlaps; want 50, 0", acq, overlaps)
	}

	// The quorum holds the lock against another Redlock.
	r := lock.NewRedlock(cs, "{redlock}", opts)
	if r.Quorum() != 3 {
		t.Fatalf("Quorum() = %d, want 3", r.Quorum())
	}
	start := time.Now()
	if err := r.Acquire(ctx); err != nil {
		t.Fatal(err)
	}
	if until := r.ValidUntil(); !until.Before(start.Add(2*time.Second - 20*time.Millisecond)) {
		t.Errorf("validity ends %v after the start; want TTL minus time taken minus drift", until.Sub(start))
	}
	other := lock.NewRedlock(clientsFor(t, srvs, 2), "{redlock}", opts)
	if ok, err := other.TryAcquire(ctx); ok || err != nil {
		t.Errorf("second Redlock TryAcquire = %v, %v; want false, nil", ok, err)
	}
	if err := r.Extend(ctx, 3*time.Second); err != nil {
		t.Errorf("Extend: %v", err)
	}
	if left := time.Until(r.ValidUntil()); left < 2*time.Second || left > 3*time.Second {
		t.Errorf("validity after Extend to 3s: %v left", left)
	}
	if err := r.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if n := keysLeft(t, cs, srvs, "{redlock}"); n != 0 {
		t.Errorf("key left on %d nodes after Release", n)
	}

	// Two nodes down: still a majority.
	srvs[0].Kill()
	srvs[3].Kill()
	if err := r.Acquire(ctx); err != nil {
		t.Fatalf("Acquire with 2 of 5 nodes down: %v", err)
	}
	t.Logf("redlock, 3 of 5 nodes up: acquired; token on %d running nodes", keysLeft(t, cs, srvs, "{redlock}"))
	if err := r.Release(ctx); err != nil {
		t.Errorf("Release with 2 nodes down: %v", err)
	}
	acq, overlaps = contendRedlock(t, srvs, 10)
	t.Logf("redlock, 3 of 5 nodes up: 2 holders, %d acquisitions, %d overlaps", acq, overlaps)
	if overlaps != 0 || acq != 20 {
		t.Errorf("%d acquisitions, %d overlaps; want 20, 0", acq, overlaps)
	}

	// Three nodes down: no majority; fail cleanly, leaving no key behind.
	srvs[4].Kill()
	ok, err := r.TryAcquire(ctx)
	if ok || !errors.Is(err, lock.ErrNotAcquired) {
		t.Errorf("TryAcquire with 3 of 5 nodes down = %v, %v; want false, ErrNotAcquired", ok, err)
	}
	w := lock.NewRedlock(cs, "{redlock}", lock.RedlockOptions{Options: lock.Options{TTL: 2 * time.Second, WaitTimeout: 300 * time.Millisecond}, NodeTimeout: 200 * time.Millisecond})
	start = time.Now()
	err = w.Acquire(ctx)
	if !errors.Is(err, lock.ErrNotAcquired) {
		t.Errorf("Acquire with 3 of 5 nodes down: %v, want ErrNotAcquired", err)
	}
	t.Logf("redlock, 2 of 5 nodes up: Acquire failed after %v: %v", time.Since(start).Round(time.Millisecond), err)
	if n := keysLeft(t, cs, srvs, "{redlock}"); n != 0 {
		t.Errorf("failed rounds left the key on %d running nodes", n)
	}
	if cause := context.Cause(w.Context()); !errors.Is(cause, lock.ErrNotOwned) {
		t.Errorf("Context of a Redlock never acquired: cause %v", cause)
	}
	if err := w.Release(ctx); !errors.Is(err, lock.ErrNotOwned) {
		t.Errorf("Release of a Redlock never acquired: %v", err)
	}

	// Bring one back: a majority again.
	if err := srvs[4].Start(); err != nil {
		t.Fatal(err)
	}
	if err := r.Acquire(ctx); err != nil {
		t.Fatalf("Acquire after a node came back: %v", err)
	}
	if err := r.Release(ctx); err != nil {
		t.Error(err)
	}
}

func TestRedlockRenewalAndLoss(t *testing.T) {
	srvs := fiveServers(t)
	cs := clientsFor(t, srvs, 3)
	ctx := context.Background()
	const ttl = 300 * time.Millisecond
	r := lock.NewRedlock(cs, "renewed", lock.RedlockOptions{Options: lock.Options{TTL: ttl, AutoRenew: true}})
	if err := r.Acquire(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case <-r.Context().Done():
		t.Fatalf("lost while renewed: %v", context.Cause(r.Context()))
	case <-time.After(5 * ttl):
	}
	// Deleting the key on three nodes loses the majority.
	for _, c := range cs[:3] {
		if _, err := c.Del(ctx, "renewed"); err != nil {
			t.Fatal(err)
		}
	}
	deleted := time.Now()
	select {
	case <-r.Context().Done():
	case <-time.After(3 * ttl):
		t.Fatal("holder not told that the majority is gone")
	}
	took := time.Since(deleted)
	t.Logf("redlock lost majority detected after %v (renewal period %v)", took.Round(time.Millisecond), ttl/3)
	if period := ttl / 3; took > period+period/2 {
		t.Errorf("loss detected after %v, want within one renewal period (%v)", took, period)
	}
	if cause := context.Cause(r.Context()); !errors.Is(cause, lock.ErrLost) {
		t.Errorf("cause %v, want ErrLost", cause)
	}
	if err := r.Release(ctx); !errors.Is(err, lock.ErrNotOwned) {
		t.Errorf("Release after loss: %v, want ErrNotOwned", err)
	}
	if n := keysLeft(t, cs, srvs, "renewed"); n != 0 {
		t.Errorf("key left on %d nodes", n)
	}
}

func TestRedlockCancelWhileWaiting(t *testing.T) {
	srvs := fiveServers(t)
	ctx := context.Background()
	holder := lock.NewRedlock(clientsFor(t, srvs, 3), "busy", lock.RedlockOptions{Options: lock.Options{TTL: 10 * time.Second}})
	if err := holder.Acquire(ctx); err != nil {
		t.Fatal(err)
	}
	cs := clientsFor(t, srvs, 3)
	waiter := lock.NewRedlock(cs, "busy", lock.RedlockOptions{})
	wctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := waiter.Acquire(wctx)
	took := time.Since(start)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Acquire: %v, want DeadlineExceeded", err)
	}
	if took > 250*time.Millisecond {
		t.Errorf("Acquire returned %v after the start, deadline 100ms", took)
	}
	if err := holder.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if n := keysLeft(t, cs, srvs, "busy"); n != 0 {
		t.Errorf("key left on %d nodes", n)
	}
}
