package redis_test

import (
	"context"
	"errors"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/respkit/redis"
)

// Helpers of the list, set and hash tests (prefixed to stay clear of
// other groups' test helpers).

// collResult holds a call's result, to check it in one line:
// coll(c.LLen(ctx, k)).is(t, "LLEN", 3).
type collResult[T any] struct {
	v   T
	err error
}

func coll[T any](v T, err error) collResult[T] { return collResult[T]{v, err} }

// ok fails the test on an error and returns the value.
func (r collResult[T]) ok(t *testing.T) T {
	t.Helper()
	if r.err != nil {
		t.Fatalf("unexpected error: %v", r.err)
	}
	return r.v
}

// is fails the test on an error or unless the value deeply equals want.
func (r collResult[T]) is(t *testing.T, what string, want T) {
	t.Helper()
	if r.err != nil {
		t.Fatalf("%s: unexpected error: %v", what, r.err)
	}
	if !reflect.DeepEqual(r.v, want) {
		t.Fatalf("%s = %#v, want %#v", what, r.v, want)
	}
}

// collEq fails the test unless got and want are deeply equal.
func collEq(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s = %#v, want %#v", what, got, want)
	}
}

// collNil fails the test unless err is ErrNil.
func collNil(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, redis.ErrNil) {
		t.Fatalf("%s: error %v, want ErrNil", what, err)
	}
}

// collSorted returns a sorted copy.
func collSorted(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

func TestListEncoding(t *testing.T) {
	wantArgs(t, redis.LPush("k", "a", []byte("b"), 3, 1.5, true), "LPUSH", "k", "a", "b", "3", "1.5", "1")
	wantArgs(t, redis.RPushX("k", "a"), "RPUSHX", "k", "a")
	wantArgs(t, redis.LInsert("k", "before", "p", 7), "LINSERT", "k", "BEFORE", "p", "7")
	wantBuildError(t, redis.LInsert("k", "above", "p", 7), "BEFORE", "AFTER")
	wantArgs(t, redis.LPop("k"), "LPOP", "k")
	wantArgs(t, redis.LPopCount("k", 2), "LPOP", "k", "2")
	wantArgs(t, redis.RPopCount("k", 3), "RPOP", "k", "3")
	wantArgs(t, redis.LPos("k", "x"), "LPOS", "k", "x")
	wantArgs(t, redis.LPos("k", "x", redis.LPosOptions{Rank: -2, MaxLen: 10}), "LPOS", "k", "x", "RANK", "-2", "MAXLEN", "10")
	wantArgs(t, redis.LPosCount("k", "x", 0), "LPOS", "k", "x", "COUNT", "0")
	wantArgs(t, redis.LPosCount("k", "x", 2, redis.LPosOptions{Rank: 1, MaxLen: 5}), "LPOS", "k", "x", "RANK", "1", "COUNT", "2", "MAXLEN", "5")
	wantArgs(t, redis.LMove("a", "b", "left", "RIGHT"), "LMOVE", "a", "b", "LEFT", "RIGHT")
	wantBuildError(t, redis.LMove("a", "b", "up", "RIGHT"), "LEFT", "RIGHT")
	wantArgs(t, redis.LMPop("LEFT", []string{"a", "b"}), "LMPOP", "2", "a", "b", "LEFT")
	wantArgs(t, redis.LMPop("right", []string{"a"}, redis.LMPopOptions{Count: 5}), "LMPOP", "1", "a", "RIGHT", "COUNT", "5")
	wantBuildError(t, redis.LMPop("LEFT", nil), "key")
	wantBuildError(t, redis.LMPop("middle", []string{"a"}), "LEFT or RIGHT")
	wantBuildError(t, redis.LMPop("LEFT", []string{"a"}, redis.LMPopOptions{Count: -1}), "Count")

	// Blocking commands: fractional-second timeouts, and the block time
	// the client must allow for the reply.
	blpop := redis.BLPop([]string{"a", "b"}, 1500*time.Millisecond)
	wantArgs(t, blpop, "BLPOP", "a", "b", "1.5")
	if d, ok := blpop.Blocking(); !ok || d != 1500*time.Millisecond {
		t.Fatalf("BLPOP Blocking() = %v, %v", d, ok)
	}
	forever := redis.BRPop([]string{"a"}, 0)
	wantArgs(t, forever, "BRPOP", "a", "0")
	if d, ok := forever.Blocking(); !ok || d >= 0 {
		t.Fatalf("BRPOP with timeout 0: Blocking() = %v, %v; want a negative duration (until a value arrives)", d, ok)
	}
	wantArgs(t, redis.BRPopLPush("a", "b", 250*time.Millisecond), "BRPOPLPUSH", "a", "b", "0.25")
	wantArgs(t, redis.BLMove("a", "b", "RIGHT", "LEFT", 2*time.Second), "BLMOVE", "a", "b", "RIGHT", "LEFT", "2")
	blmpop := redis.BLMPop(100*time.Millisecond, "LEFT", []string{"a", "b"}, redis.LMPopOptions{Count: 2})
	wantArgs(t, blmpop, "BLMPOP", "0.1", "2", "a", "b", "LEFT", "COUNT", "2")
	if d, ok := blmpop.Blocking(); !ok || d != 100*time.Millisecond {
		t.Fatalf("BLMPOP Blocking() = %v, %v", d, ok)
	}
	wantBuildError(t, redis.BLPop([]string{"a"}, -time.Second), "negative")
	if k, _ := redis.BLMPop(time.Second, "LEFT", []string{"first", "second"}).Key(); k != "first" {
		t.Fatalf("BLMPOP routing key = %q, want the first list key", k)
	}
}

func TestListPushPopRange(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		k := key(t, "list")
		coll(c.RPush(ctx, k, "b", "c", 4)).is(t, "RPUSH", int64(3))
		coll(c.LPush(ctx, k, "a", []byte("z"))).is(t, "LPUSH", int64(5)) // z a b c 4
		coll(c.LRange(ctx, k, 0, -1)).is(t, "LRANGE", []string{"z", "a", "b", "c", "4"})
		coll(c.LLen(ctx, k)).is(t, "LLEN", int64(5))
		coll(c.LIndex(ctx, k, -1)).is(t, "LINDEX -1", "4")
		_, err := c.LIndex(ctx, k, 99)
		collNil(t, "LINDEX out of range", err)

		coll(c.LPop(ctx, k)).is(t, "LPOP", "z")
		coll(c.RPop(ctx, k)).is(t, "RPOP", "4")
		coll(c.LPopCount(ctx, k, 2)).is(t, "LPOP count", []string{"a", "b"})
		coll(c.RPopCount(ctx, k, 5)).is(t, "RPOP count", []string{"c"})
		_, err = c.LPop(ctx, k)
		collNil(t, "LPOP on a missing key", err)
		_, err = c.RPop(ctx, k)
		collNil(t, "RPOP on a missing key", err)
		coll(c.LPopCount(ctx, k, 2)).is(t, "LPOP count on a missing key", []string{})
		coll(c.RPopCount(ctx, k, 2)).is(t, "RPOP count on a missing key", []string{})
		coll(c.LRange(ctx, k, 0, -1)).is(t, "LRANGE of a missing key", []string{})

		// The X variants push only onto an existing list.
		coll(c.LPushX(ctx, k, "x")).is(t, "LPUSHX missing", int64(0))
		coll(c.RPushX(ctx, k, "x")).is(t, "RPUSHX missing", int64(0))
		coll(c.RPush(ctx, k, "m")).ok(t)
		coll(c.LPushX(ctx, k, "l1", "l2")).is(t, "LPUSHX", int64(3))
		coll(c.RPushX(ctx, k, "r")).is(t, "RPUSHX", int64(4))
		coll(c.LRange(ctx, k, 0, -1)).is(t, "after the X pushes", []string{"l2", "l1", "m", "r"})
	})
}

func TestListEdit(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		k := key(t, "list")
		coll(c.RPush(ctx, k, "a", "b", "a", "c", "a")).ok(t)
		coll(c.LInsert(ctx, k, "BEFORE", "b", 1)).is(t, "LINSERT before", int64(6))
		coll(c.LInsert(ctx, k, "after", "c", "d")).is(t, "LINSERT after", int64(7))
		coll(c.LInsert(ctx, k, "AFTER", "nope", "x")).is(t, "LINSERT missing pivot", int64(-1))
		coll(c.LInsert(ctx, key(t, "none"), "AFTER", "a", "x")).is(t, "LINSERT missing key", int64(0))
		coll(c.LRange(ctx, k, 0, -1)).is(t, "list", []string{"a", "1", "b", "a", "c", "d", "a"})

		coll(c.LRem(ctx, k, -1, "a")).is(t, "LREM from the tail", int64(1))
		coll(c.LRem(ctx, k, 0, "a")).is(t, "LREM all", int64(2))
		coll(c.LRange(ctx, k, 0, -1)).is(t, "list", []string{"1", "b", "c", "d"})

		if err := c.LSet(ctx, k, 1, 2.5); err != nil {
			t.Fatal(err)
		}
		coll(c.LIndex(ctx, k, 1)).is(t, "after LSET", "2.5")
		var se *redis.Error
		if err := c.LSet(ctx, k, 10, "x"); !errors.As(err, &se) {
			t.Fatalf("LSET out of range: %v, want a server error", err)
		}

		if err := c.LTrim(ctx, k, 1, -2); err != nil {
			t.Fatal(err)
		}
		coll(c.LRange(ctx, k, 0, -1)).is(t, "after LTRIM", []string{"2.5", "c"})
	})
}

func TestListPos(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		k := key(t, "list")
		coll(c.RPush(ctx, k, "a", "b", "c", "1", "2", "3", "c", "c")).ok(t)
		coll(c.LPos(ctx, k, "c")).is(t, "LPOS", int64(2))
		coll(c.LPos(ctx, k, "c", redis.LPosOptions{Rank: 2})).is(t, "LPOS RANK 2", int64(6))
		coll(c.LPos(ctx, k, "c", redis.LPosOptions{Rank: -1})).is(t, "LPOS RANK -1", int64(7))
		coll(c.LPos(ctx, k, 2)).is(t, "LPOS integer element", int64(4))
		_, err := c.LPos(ctx, k, "c", redis.LPosOptions{MaxLen: 2})
		collNil(t, "LPOS beyond MAXLEN", err)
		_, err = c.LPos(ctx, k, "zz")
		collNil(t, "LPOS no match", err)
		coll(c.LPosCount(ctx, k, "c", 0)).is(t, "LPOS COUNT 0", []int64{2, 6, 7})
		coll(c.LPosCount(ctx, k, "c", 2, redis.LPosOptions{Rank: -1})).is(t, "LPOS COUNT 2 RANK -1", []int64{7, 6})
		coll(c.LPosCount(ctx, k, "c", 0, redis.LPosOptions{MaxLen: 7})).is(t, "LPOS COUNT MAXLEN", []int64{2, 6})
		coll(c.LPosCount(ctx, k, "zz", 0)).is(t, "LPOS COUNT no match", []int64{})
	})
}

func TestListMove(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		src, dst := key(t, "src"), key(t, "dst")
		coll(c.RPush(ctx, src, "a", "b", "c")).ok(t)
		coll(c.LMove(ctx, src, dst, "LEFT", "RIGHT")).is(t, "LMOVE", "a")
		coll(c.RPopLPush(ctx, src, dst)).is(t, "RPOPLPUSH", "c")
		coll(c.LRange(ctx, dst, 0, -1)).is(t, "dst", []string{"c", "a"})
		coll(c.BLMove(ctx, src, dst, "RIGHT", "RIGHT", time.Second)).is(t, "BLMOVE", "b")
		coll(c.LRange(ctx, dst, 0, -1)).is(t, "dst", []string{"c", "a", "b"})
		coll(c.BRPopLPush(ctx, dst, src, time.Second)).is(t, "BRPOPLPUSH", "b")
		coll(c.LRange(ctx, src, 0, -1)).is(t, "src", []string{"b"})

		empty := key(t, "empty")
		_, err := c.LMove(ctx, empty, dst, "LEFT", "LEFT")
		collNil(t, "LMOVE from an empty list", err)
		_, err = c.RPopLPush(ctx, empty, dst)
		collNil(t, "RPOPLPUSH from an empty list", err)
		_, err = c.BLMove(ctx, empty, dst, "LEFT", "LEFT", 50*time.Millisecond)
		collNil(t, "BLMOVE timeout", err)
		_, err = c.BRPopLPush(ctx, empty, dst, 50*time.Millisecond)
		collNil(t, "BRPOPLPUSH timeout", err)
	})
}

func TestListBlockingPop(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		a, b := key(t, "a"), key(t, "b")
		coll(c.RPush(ctx, b, "b1", "b2", "b3")).ok(t)
		coll(c.BLPop(ctx, []string{a, b}, time.Second)).is(t, "BLPOP", redis.KeyElement{Key: b, Element: "b1"})
		coll(c.BRPop(ctx, []string{a, b}, time.Second)).is(t, "BRPOP", redis.KeyElement{Key: b, Element: "b3"})
		_, err := c.BLPop(ctx, []string{a}, 50*time.Millisecond)
		collNil(t, "BLPOP timeout", err)
		_, err = c.BRPop(ctx, []string{a}, 50*time.Millisecond)
		collNil(t, "BRPOP timeout", err)

		// A pop that blocks until another client pushes.
		done := make(chan error, 1)
		go func() {
			time.Sleep(100 * time.Millisecond)
			_, err := c.RPush(ctx, a, "late")
			done <- err
		}()
		coll(c.BLPop(ctx, []string{a}, 5*time.Second)).is(t, "BLPOP woken by a push", redis.KeyElement{Key: a, Element: "late"})
		if err := <-done; err != nil {
			t.Fatal(err)
		}

		// A context deadline ends a pop that would block forever.
		short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		if _, err := c.BLPop(short, []string{a}, 0); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("BLPOP with timeout 0 under a 100ms context: %v, want context.DeadlineExceeded", err)
		}
	})
}

func TestListMPop(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		requireCommand(t, c, "LMPOP")
		ctx := context.Background()
		a, b := key(t, "a"), key(t, "b")
		coll(c.RPush(ctx, b, "1", "2", "3", "4")).ok(t)
		coll(c.LMPop(ctx, "LEFT", []string{a, b})).is(t, "LMPOP", redis.KeyElements{Key: b, Elements: []string{"1"}})
		coll(c.LMPop(ctx, "RIGHT", []string{a, b}, redis.LMPopOptions{Count: 2})).is(t, "LMPOP RIGHT COUNT", redis.KeyElements{Key: b, Elements: []string{"4", "3"}})
		coll(c.BLMPop(ctx, time.Second, "LEFT", []string{a, b}, redis.LMPopOptions{Count: 10})).is(t, "BLMPOP", redis.KeyElements{Key: b, Elements: []string{"2"}})
		_, err := c.LMPop(ctx, "LEFT", []string{a, b})
		collNil(t, "LMPOP on empty lists", err)
		_, err = c.BLMPop(ctx, 50*time.Millisecond, "LEFT", []string{a, b})
		collNil(t, "BLMPOP timeout", err)
	})
}
