package redis_test

import (
	"context"
	"testing"

	"github.com/respkit/redis"
)

func TestHyperLogLog(t *testing.T) {
	ctx := context.Background()
	withClients(t, func(t *testing.T, c *redis.Client) {
		a, b, dst := key(t, "a"), key(t, "b"), key(t, "dst")
		if ok, err := c.PFAdd(ctx, a, "x", "y", 3, []byte("z")); err != nil || !ok {
			t.Fatalf("PFAdd = %v, %v; want true", ok, err)
		}
		if ok, err := c.PFAdd(ctx, a, "x"); err != nil || ok {
			t.Fatalf("PFAdd of a known element = %v, %v; want false", ok, err)
		}
		if ok, err := c.PFAdd(ctx, b); err != nil || !ok {
			t.Fatalf("PFAdd creating an empty key = %v, %v; want true", ok, err)
		}
		if _, err := c.PFAdd(ctx, b, "z", "w"); err != nil {
			t.Fatal(err)
		}
		if n, err := c.PFCount(ctx, a); err != nil || n != 4 {
			t.Fatalf("PFCount = %d, %v; want 4", n, err)
		}
		if n, err := c.PFCount(ctx, a, b); err != nil || n != 5 {
			t.Fatalf("PFCount of the union = %d, %v; want 5", n, err)
		}
		if err := c.PFMerge(ctx, dst, a, b); err != nil {
			t.Fatal(err)
		}
		if n, err := c.PFCount(ctx, dst); err != nil || n != 5 {
			t.Fatalf("PFCount after PFMerge = %d, %v; want 5", n, err)
		}
		empty := key(t, "empty")
		if err := c.PFMerge(ctx, empty); err != nil {
			t.Fatalf("PFMerge with no sources: %v", err)
		}
		if n, err := c.PFCount(ctx, empty); err != nil || n != 0 {
			t.Fatalf("PFCount of an empty merge = %d, %v", n, err)
		}
		wantArgs(t, redis.PFMerge("d", "s1", "s2"), "PFMERGE", "d", "s1", "s2")
		wantArgs(t, redis.PFAdd("k", "e", 1), "PFADD", "k", "e", "1")
	})
}

// TestHyperLogLogDebug runs the internal PFDEBUG subcommands and
// PFSELFTEST. Unlike DEBUG they need no enable-debug-command.
func TestHyperLogLogDebug(t *testing.T) {
	ctx := context.Background()
	withClients(t, func(t *testing.T, c *redis.Client) {
		k := key(t, "h")
		if _, err := c.PFAdd(ctx, k, "a", "b", "c"); err != nil {
			t.Fatal(err)
		}
		if enc, err := c.PFDebugEncoding(ctx, k); err != nil || enc != "sparse" {
			t.Fatalf("PFDebugEncoding = %q, %v; want sparse", enc, err)
		}
		if s, err := c.PFDebugDecode(ctx, k); err != nil || s == "" {
			t.Fatalf("PFDebugDecode = %q, %v", s, err)
		}
		if ok, err := c.PFDebugToDense(ctx, k); err != nil || !ok {
			t.Fatalf("PFDebugToDense = %v, %v; want true", ok, err)
		}
		if ok, err := c.PFDebugToDense(ctx, k); err != nil || ok {
			t.Fatalf("PFDebugToDense again = %v, %v; want false", ok, err)
		}
		if enc, err := c.PFDebugEncoding(ctx, k); err != nil || enc != "dense" {
			t.Fatalf("PFDebugEncoding = %q, %v; want dense", enc, err)
		}
		regs, err := c.PFDebugGetReg(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		nonzero := 0
		for _, r := range regs {
			if r != 0 {
				nonzero++
			}
		}
		if len(regs) != 16384 || nonzero == 0 || nonzero > 3 {
			t.Fatalf("PFDebugGetReg: %d registers, %d set; want 16384 with 1 to 3 set", len(regs), nonzero)
		}
		wantArgs(t, redis.PFDebugGetReg("k"), "PFDEBUG", "GETREG", "k")
		if rk, ok := redis.PFDebugEncoding("k").Key(); !ok || rk != "k" {
			t.Fatalf("PFDEBUG routes by %q (%v), want the key", rk, ok)
		}
		if err := c.PFSelfTest(ctx); err != nil {
			t.Fatalf("PFSelfTest: %v", err)
		}
	})
}
