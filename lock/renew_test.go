package lock_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/respkit/redis/lock"
)

func TestAutoRenewKeepsLock(t *testing.T) {
	_, c := server(t, 3)
	ctx := context.Background()
	const ttl = 200 * time.Millisecond
	l := lock.New(c, "renewed", lock.Options{TTL: ttl, AutoRenew: true})
	if err := l.Acquire(ctx); err != nil {
		t.Fatal(err)
	}
	rival := lock.New(c, "renewed", lock.Options{})
	work := time.After(10 * ttl)
	tries := 0
	for done := false; !done; {
		select {
		case <-work:
			done = true
		case <-l.Context().Done():
			t.Fatalf("lock lost during the work: %v", context.Cause(l.Context()))
		case <-time.After(ttl / 4):
			tries++
			if ok, err := rival.TryAcquire(ctx); ok || err != nil {
				t.Fatalf("a rival acquired the renewed lock: %v, %v", ok, err)
			}
		}
	}
	if owned, err := l.Owned(ctx); !owned || err != nil {
		t.Fatalf("after work lasting 10×TTL: Owned = %v, %v", owned, err)
	}
	t.Logf("held through %v of work (TTL %v); %d rival tries refused", 10*ttl, ttl, tries)
	if err := l.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if cause := context.Cause(l.Context()); !errors.Is(cause, lock.ErrNotOwned) {
		t.Errorf("Context after Release: %v", cause)
	}
}

// TestAutoRenewDetectsLoss deletes a renewed lock's key from outside and
// measures how long the holder takes to see its Context cancelled.
func TestAutoRenewDetectsLoss(t *testing.T) {
	_, c := server(t, 3)
	ctx := context.Background()
	const ttl = 300 * time.Millisecond
	const period = ttl / 3
	var times []time.Duration
	for i := range 5 {
		l := lock.New(c, "lost", lock.Options{TTL: ttl, AutoRenew: true})
		if err := l.Acquire(ctx); err != nil {
			t.Fatal(err)
		}
		held := l.Context()
		// Delete at different points between two renewals.
		time.Sleep(time.Duration(i+1) * period / 6)
		if n, err := c.Del(ctx, "lost"); n != 1 || err != nil {
			t.Fatalf("DEL = %d, %v", n, err)
		}
		deleted := time.Now()
		select {
		case <-held.Done():
		case <-time.After(ttl * 3):
			t.Fatal("holder not told of the loss")
		}
		took := time.Since(deleted)
		times = append(times, took)
		if cause := context.Cause(held); !errors.Is(cause, lock.ErrLost) {
			t.Errorf("cause %v, want ErrLost", cause)
		}
		// Told within one renewal period (plus a little scheduling
		// slack on a busy machine).
		if took > period+period/2 {
			t.Errorf("loss detected after %v, want within one renewal period (%v)", took, period)
		}
		if err := l.Release(ctx); !errors.Is(err, lock.ErrNotOwned) {
			t.Errorf("Release after loss: %v, want ErrNotOwned", err)
		}
	}
	slices.Sort(times)
	t.Logf("lost lock detected in %v (min), %v (median), %v (max); renewal period %v, TTL %v",
		times[0].Round(time.Millisecond), times[len(times)/2].Round(time.Millisecond), times[len(times)-1].Round(time.Millisecond), period, ttl)
}

// Without renewal, Context ends when the validity time runs out, and
// Extend moves that end.
func TestContextEndsWithValidity(t *testing.T) {
	_, c := server(t, 3)
	ctx := context.Background()
	const ttl = 200 * time.Millisecond
	l := lock.New(c, "valid", lock.Options{TTL: ttl})
	start := time.Now()
	if err := l.Acquire(ctx); err != nil {
		t.Fatal(err)
	}
	if until := l.ValidUntil(); until.After(start.Add(ttl)) {
		t.Errorf("validity ends %v after the start, beyond the TTL", until.Sub(start))
	}
	if err := l.Extend(ctx, 400*time.Millisecond, true); err != nil {
		t.Fatal(err)
	}
	extended := time.Now()
	<-l.Context().Done()
	if ended := time.Since(extended); ended < 300*time.Millisecond {
		t.Errorf("Context ended %v after Extend to 400ms", ended)
	}
	if cause := context.Cause(l.Context()); !errors.Is(cause, lock.ErrLost) {
		t.Errorf("cause %v, want ErrLost", cause)
	}
}
