package lock_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/respkit/redis/lock"
)

// waitLost waits for ctx to end with cause ErrLost.
func waitLost(t *testing.T, ctx context.Context, within time.Duration) {
	t.Helper()
	select {
	case <-ctx.Done():
	case <-time.After(within):
		t.Fatal("the holder was not told of the loss")
	}
	if cause := context.Cause(ctx); !errors.Is(cause, lock.ErrLost) {
		t.Fatalf("cause %v, want ErrLost", cause)
	}
}

// TestLockReacquireAfterLoss: once a renewal finds the key gone, the Lock
// no longer holds the lock: Token and Fence are empty, and Acquire takes
// it again with a new token and a higher fencing token.
func TestLockReacquireAfterLoss(t *testing.T) {
	_, c := server(t, 3)
	ctx := context.Background()
	const ttl = 300 * time.Millisecond
	l := lock.New(c, "reacquire", lock.Options{TTL: ttl, AutoRenew: true, Fencing: true})
	if err := l.Acquire(ctx); err != nil {
		t.Fatal(err)
	}
	token, fence := l.Token(), l.Fence()
	held := l.Context()
	if n, err := c.Del(ctx, "reacquire"); n != 1 || err != nil {
		t.Fatalf("DEL = %d, %v", n, err)
	}
	waitLost(t, held, 3*ttl)

	if got := l.Token(); got != "" {
		t.Errorf("Token after loss = %q, want \"\" (stale: %q)", got, token)
	}
	if got := l.Fence(); got != 0 {
		t.Errorf("Fence after loss = %d, want 0", got)
	}
	if !l.ValidUntil().IsZero() {
		t.Errorf("ValidUntil after loss = %v, want zero", l.ValidUntil())
	}
	if cause := context.Cause(l.Context()); !errors.Is(cause, lock.ErrLost) {
		t.Errorf("Context after loss: cause %v, want ErrLost until the next Acquire or Release", cause)
	}
	if ok, err := l.Owned(ctx); ok || err != nil {
		t.Errorf("Owned after loss = %v, %v; want false", ok, err)
	}
	if err := l.Extend(ctx, ttl, true); !errors.Is(err, lock.ErrNotOwned) {
		t.Errorf("Extend after loss: %v, want ErrNotOwned", err)
	}

	if err := l.Acquire(ctx); err != nil {
		t.Fatalf("Acquire after loss: %v", err)
	}
	if got := l.Token(); got == "" || got == token {
		t.Errorf("Token after reacquiring = %q, want a new one (was %q)", got, token)
	}
	if got := l.Fence(); got <= fence {
		t.Errorf("Fence after reacquiring = %d, want > %d", got, fence)
	}
	if v, err := c.Get(ctx, "reacquire"); err != nil || v != l.Token() {
		t.Errorf("key holds %q, %v; want the new token %q", v, err, l.Token())
	}
	if err := l.Context().Err(); err != nil {
		t.Errorf("Context of the new holding: %v", err)
	}
	// The new holding is renewed like the first.
	select {
	case <-l.Context().Done():
		t.Fatalf("the new holding was lost: %v", context.Cause(l.Context()))
	case <-time.After(2 * ttl):
	}
	if err := l.Release(ctx); err != nil {
		t.Fatalf("Release: %v", err)
	}
}

// TestLockTryAcquireAfterLoss is the same through TryAcquire, with the
// loss found by Extend.
func TestLockTryAcquireAfterLoss(t *testing.T) {
	_, c := server(t, 2)
	ctx := context.Background()
	l := lock.New(c, "retry", lock.Options{TTL: 10 * time.Second, Fencing: true})
	if ok, err := l.TryAcquire(ctx); !ok || err != nil {
		t.Fatalf("TryAcquire = %v, %v", ok, err)
	}
	fence := l.Fence()
	c.Del(ctx, "retry")
	if err := l.Extend(ctx, time.Second, true); !errors.Is(err, lock.ErrNotOwned) {
		t.Fatalf("Extend of a deleted lock: %v, want ErrNotOwned", err)
	}
	waitLost(t, l.Context(), time.Second)
	if ok, err := l.TryAcquire(ctx); !ok || err != nil {
		t.Fatalf("TryAcquire after loss = %v, %v; want true", ok, err)
	}
	if l.Fence() <= fence {
		t.Errorf("Fence %d after reacquiring, want > %d", l.Fence(), fence)
	}
	if err := l.Release(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestLockFixedTokenAfterValidityLoss: a holding whose validity ran out
// (no renewal) may still be on the server under the same fixed token.
// Acquiring again must be a new acquisition with a higher fencing token,
// not a repeat of the old one.
func TestLockFixedTokenAfterValidityLoss(t *testing.T) {
	_, c := server(t, 3)
	ctx := context.Background()
	const ttl = 2 * time.Second
	// A drift allowance of half the TTL ends the validity a second before
	// the key expires.
	l := lock.New(c, "fixed", lock.Options{TTL: ttl, Token: "holder-1", Fencing: true, DriftFactor: 0.5})
	if err := l.Acquire(ctx); err != nil {
		t.Fatal(err)
	}
	fence := l.Fence()
	waitLost(t, l.Context(), ttl)
	if v, err := c.Get(ctx, "fixed"); err != nil || v != "holder-1" {
		t.Skipf("the key no longer holds the token (%q, %v): too slow to test the window", v, err)
	}
	if err := l.Acquire(ctx); err != nil {
		t.Fatalf("Acquire after loss: %v", err)
	}
	if l.Fence() <= fence {
		t.Fatalf("Fence %d after reacquiring with the same token, want > %d", l.Fence(), fence)
	}
	if l.Token() != "holder-1" {
		t.Errorf("Token %q, want holder-1", l.Token())
	}
	if err := l.Release(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestRedlockReacquireAfterLoss: the same for a Redlock.
func TestRedlockReacquireAfterLoss(t *testing.T) {
	srvs := fiveServers(t)
	cs := clientsFor(t, srvs, 3)
	ctx := context.Background()
	const ttl = 300 * time.Millisecond
	r := lock.NewRedlock(cs, "relost", lock.RedlockOptions{Options: lock.Options{TTL: ttl, AutoRenew: true}})
	if err := r.Acquire(ctx); err != nil {
		t.Fatal(err)
	}
	token := r.Token()
	held := r.Context()
	for _, c := range cs[:3] {
		if _, err := c.Del(ctx, "relost"); err != nil {
			t.Fatal(err)
		}
	}
	waitLost(t, held, 3*ttl)
	if got := r.Token(); got != "" {
		t.Errorf("Token after loss = %q, want \"\"", got)
	}
	if !r.ValidUntil().IsZero() {
		t.Errorf("ValidUntil after loss = %v, want zero", r.ValidUntil())
	}
	if err := r.Extend(ctx, ttl); !errors.Is(err, lock.ErrNotOwned) {
		t.Errorf("Extend after loss: %v, want ErrNotOwned", err)
	}
	if err := r.Acquire(ctx); err != nil {
		t.Fatalf("Acquire after loss: %v", err)
	}
	if got := r.Token(); got == "" || got == token {
		t.Errorf("Token after reacquiring = %q, want a new one (was %q)", got, token)
	}
	// The lost holding's token is gone from the two nodes that kept it.
	for i, c := range cs {
		if v, err := c.Get(ctx, "relost"); err == nil && v == token {
			t.Errorf("node %d still holds the lost token", i)
		}
	}
	if err := r.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if n := keysLeft(t, cs, srvs, "relost"); n != 0 {
		t.Errorf("key left on %d nodes", n)
	}
}
