package redis_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/respkit/redis"
)

func TestTransactionsEncoding(t *testing.T) {
	wantArgs(t, redis.Multi(), "MULTI")
	wantArgs(t, redis.Exec(), "EXEC")
	wantArgs(t, redis.Discard(), "DISCARD")
	wantArgs(t, redis.Watch("a", "b"), "WATCH", "a", "b")
	wantArgs(t, redis.Unwatch(), "UNWATCH")
	wantBuildError(t, redis.Watch(), "at least one key")
	if redis.Multi().Flags()&redis.FlagConnState == 0 {
		t.Error("MULTI is not flagged as changing the connection's state")
	}
}

// txConn reserves a connection of c for a transaction.
func txConn(t *testing.T, c *redis.Client) *redis.Conn {
	t.Helper()
	cn, err := c.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cn.Close() })
	return cn
}

// txQueue sends a command inside MULTI and checks the server queued it.
func txQueue(t *testing.T, cn *redis.Conn, args ...any) {
	t.Helper()
	if s, err := cn.Do(context.Background(), args...).Text(); err != nil || s != "QUEUED" {
		t.Fatalf("%v inside MULTI = %q, %v; want QUEUED", args, s, err)
	}
}

func TestTransactionsMultiExec(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		k, n, l := key(t, "k"), key(t, "n"), key(t, "l")
		cn := txConn(t, c)
		if err := cn.Multi(ctx); err != nil {
			t.Fatalf("Multi: %v", err)
		}
		txQueue(t, cn, "SET", k, "v")
		txQueue(t, cn, "INCRBY", n, 5)
		txQueue(t, cn, "GET", k)
		txQueue(t, cn, "LPUSH", k, "x") // WRONGTYPE when it runs
		txQueue(t, cn, "GET", key(t, "missing"))
		txQueue(t, cn, "RPUSH", l, "a", "b")
		txQueue(t, cn, "LRANGE", l, 0, -1)
		res, err := cn.Exec(ctx)
		if err != nil {
			t.Fatalf("Exec: %v", err)
		}
		if len(res) != 7 {
			t.Fatalf("Exec returned %d results, want 7", len(res))
		}
		if s, err := res[0].Text(); err != nil || s != "OK" {
			t.Errorf("SET result = %q, %v", s, err)
		}
		if v, err := res[1].Int64(); err != nil || v != 5 {
			t.Errorf("INCRBY result = %d, %v; want 5", v, err)
		}
		if s, err := res[2].Text(); err != nil || s != "v" {
			t.Errorf("GET result = %q, %v; want v", s, err)
		}
		if err := res[3].Err(); !errors.Is(err, redis.ErrWrongType) {
			t.Errorf("LPUSH on a string: %v, want WRONGTYPE", err)
		}
		if err := res[4].Err(); !errors.Is(err, redis.ErrNil) {
			t.Errorf("GET of a missing key: %v, want ErrNil", err)
		}
		if v, err := res[6].Strings(); err != nil || strings.Join(v, ",") != "a,b" {
			t.Errorf("LRANGE result = %q, %v", v, err)
		}
		// The connection is usable again outside the transaction.
		if s, err := cn.Do(ctx, "GET", n).Text(); err != nil || s != "5" {
			t.Fatalf("GET after Exec = %q, %v", s, err)
		}
		// EXEC without MULTI is an error reply.
		if _, err := cn.Exec(ctx); err == nil || !strings.Contains(err.Error(), "without MULTI") {
			t.Fatalf("Exec without Multi: %v", err)
		}
	})
}

// TestTransactionsWatchConflict changes a watched key from a second
// client: the transaction must not run.
func TestTransactionsWatchConflict(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		k, other := key(t, "k"), key(t, "other")
		genericDo(t, c, "SET", k, "1")
		cn := txConn(t, c)
		if err := cn.Watch(ctx, k, other); err != nil {
			t.Fatalf("Watch: %v", err)
		}
		// Another client (c runs on its own connections) changes k.
		genericDo(t, c, "SET", k, "changed")
		if err := cn.Multi(ctx); err != nil {
			t.Fatal(err)
		}
		txQueue(t, cn, "SET", k, "from tx")
		txQueue(t, cn, "SET", other, "from tx")
		res, err := cn.Exec(ctx)
		if !errors.Is(err, redis.ErrTxFailed) || res != nil {
			t.Fatalf("Exec after a watched key changed = %v, %v; want ErrTxFailed", res, err)
		}
		genericWantString(t, c, k, "changed")
		if n, _ := c.Exists(ctx, other); n != 0 {
			t.Fatal("a command of the failed transaction ran")
		}

		// EXEC cleared the watch: the same transaction now runs.
		if err := cn.Watch(ctx, k); err != nil {
			t.Fatal(err)
		}
		if err := cn.Multi(ctx); err != nil {
			t.Fatal(err)
		}
		txQueue(t, cn, "SET", k, "from tx")
		if res, err := cn.Exec(ctx); err != nil || len(res) != 1 {
			t.Fatalf("Exec without conflict = %v, %v", res, err)
		}
		genericWantString(t, c, k, "from tx")

		// UNWATCH forgets the keys: a later change does not abort.
		if err := cn.Watch(ctx, k); err != nil {
			t.Fatal(err)
		}
		if err := cn.Unwatch(ctx); err != nil {
			t.Fatalf("Unwatch: %v", err)
		}
		genericDo(t, c, "SET", k, "changed again")
		if err := cn.Multi(ctx); err != nil {
			t.Fatal(err)
		}
		txQueue(t, cn, "GET", k)
		res, err = cn.Exec(ctx)
		if err != nil || len(res) != 1 {
			t.Fatalf("Exec after Unwatch = %v, %v", res, err)
		}
		if s, err := res[0].Text(); err != nil || s != "changed again" {
			t.Fatalf("GET in the transaction = %q, %v", s, err)
		}
	})
}

// TestTransactionsExecAbort queues a command the server refuses: EXEC then
// discards the whole transaction.
func TestTransactionsExecAbort(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		n := key(t, "n")
		cn := txConn(t, c)
		if err := cn.Multi(ctx); err != nil {
			t.Fatal(err)
		}
		txQueue(t, cn, "INCR", n)
		if err := cn.Do(ctx, "SET", n).Err(); err == nil || !strings.Contains(err.Error(), "wrong number of arguments") {
			t.Fatalf("SET with a missing argument inside MULTI: %v, want an arity error", err)
		}
		res, err := cn.Exec(ctx)
		if !errors.Is(err, redis.ErrExecAbort) || res != nil {
			t.Fatalf("Exec after a queuing error = %v, %v; want EXECABORT", res, err)
		}
		if n, _ := c.Exists(ctx, n); n != 0 {
			t.Fatal("a command of the aborted transaction ran")
		}
	})
}

func TestTransactionsDiscard(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		k := key(t, "k")
		cn := txConn(t, c)
		if err := cn.Multi(ctx); err != nil {
			t.Fatal(err)
		}
		txQueue(t, cn, "SET", k, "v")
		if err := cn.Discard(ctx); err != nil {
			t.Fatalf("Discard: %v", err)
		}
		if n, _ := c.Exists(ctx, k); n != 0 {
			t.Fatal("a discarded command ran")
		}
		// Out of the transaction again: commands run at once.
		if s, err := cn.Do(ctx, "SET", k, "now").Text(); err != nil || s != "OK" {
			t.Fatalf("SET after Discard = %q, %v", s, err)
		}
		if err := cn.Discard(ctx); err == nil || !strings.Contains(err.Error(), "without MULTI") {
			t.Fatalf("Discard without Multi: %v", err)
		}
	})
}
