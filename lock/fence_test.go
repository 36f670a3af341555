package lock_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/respkit/redis/lock"
	"github.com/respkit/redis/redistest"
)

func TestFencingTokensGrow(t *testing.T) {
	_, c := server(t, 2)
	ctx := context.Background()
	const n = 1000
	// Alternate between two holders of the same name: the counter belongs
	// to the name, not to a Lock.
	ls := []*lock.Lock{
		lock.New(c, "fenced", lock.Options{TTL: 10 * time.Second, Fencing: true}),
		lock.New(c, "fenced", lock.Options{TTL: 10 * time.Second, Fencing: true}),
	}
	var last int64
	for i := range n {
		l := ls[i%2]
		if err := l.Acquire(ctx); err != nil {
			t.Fatal(err)
		}
		f := l.Fence()
		if f <= last {
			t.Fatalf("acquisition %d: fencing token %d after %d", i, f, last)
		}
		last = f
		if err := l.Release(ctx); err != nil {
			t.Fatal(err)
		}
		if l.Fence() != 0 {
			t.Fatalf("Fence after Release = %d", l.Fence())
		}
	}
	if last != n {
		t.Errorf("last fencing token %d, want %d", last, n)
	}
	if v, err := c.Get(ctx, "{fenced}:fence"); err != nil || v != fmt.Sprint(n) {
		t.Errorf("counter {fenced}:fence = %q, %v", v, err)
	}
	t.Logf("fencing tokens grew strictly over %d acquisitions, 1..%d", n, last)
}

func TestFenceKey(t *testing.T) {
	for name, want := range map[string]string{
		"orders":            "{orders}:fence",
		"{tenant42}:orders": "{tenant42}:orders:fence",
		"a{b":               "{a{b}:fence",
		"x{}y":              "x{}y:fence",
	} {
		if got := lock.FenceKey(name); got != want {
			t.Errorf("FenceKey(%q) = %q, want %q", name, got, want)
		}
	}
}

// TestFenceKeySameSlot asks a cluster-mode server for the slots of lock
// names and of their counters.
func TestFenceKeySameSlot(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{Args: []string{"--cluster-enabled", "yes"}})
	c := newClient(t, srv, 3)
	ctx := context.Background()
	for _, name := range []string{"orders", "lock:orders:42", "{tenant42}:orders", "a{b", "a{b}c", "{user:1}"} {
		want, err := c.ClusterKeySlot(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.ClusterKeySlot(ctx, lock.FenceKey(name))
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("lock %q in slot %d, its counter %q in slot %d", name, want, lock.FenceKey(name), got)
		}
	}
}
