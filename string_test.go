package redis_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/respkit/redis"
)

// stringPTTL reads a key's remaining time to live with a raw PTTL (the TTL
// methods belong to the generic group).
func stringPTTL(t *testing.T, c *redis.Client, k string) time.Duration {
	t.Helper()
	ms, err := c.Do(context.Background(), "PTTL", k).Int64()
	if err != nil {
		t.Fatalf("PTTL %s: %v", k, err)
	}
	if ms < 0 {
		return time.Duration(ms)
	}
	return time.Duration(ms) * time.Millisecond
}

func TestStringReadWrite(t *testing.T) {
	ctx := context.Background()
	withClients(t, func(t *testing.T, c *redis.Client) {
		k := key(t, "s")
		if _, err := c.GetBytes(ctx, k); !errors.Is(err, redis.ErrNil) {
			t.Fatalf("GetBytes missing: %v, want ErrNil", err)
		}
		if err := c.Set(ctx, k, []byte("Hello")); err != nil {
			t.Fatal(err)
		}
		if n, err := c.Append(ctx, k, " World"); err != nil || n != 11 {
			t.Fatalf("Append = %d, %v; want 11", n, err)
		}
		if b, err := c.GetBytes(ctx, k); err != nil || string(b) != "Hello World" {
			t.Fatalf("GetBytes = %q, %v", b, err)
		}
		if n, err := c.StrLen(ctx, k); err != nil || n != 11 {
			t.Fatalf("StrLen = %d, %v", n, err)
		}
		if n, err := c.StrLen(ctx, key(t, "none")); err != nil || n != 0 {
			t.Fatalf("StrLen missing = %d, %v", n, err)
		}
		if s, err := c.GetRange(ctx, k, 0, 4); err != nil || s != "Hello" {
			t.Fatalf("GetRange = %q, %v", s, err)
		}
		if s, err := c.GetRange(ctx, k, -5, -1); err != nil || s != "World" {
			t.Fatalf("GetRange negative = %q, %v", s, err)
		}
		if s, err := c.GetRange(ctx, key(t, "none"), 0, 4); err != nil || s != "" {
			t.Fatalf("GetRange missing = %q, %v", s, err)
		}
		if s, err := c.Substr(ctx, k, 6, 100); err != nil || s != "World" {
			t.Fatalf("Substr = %q, %v", s, err)
		}
		if n, err := c.SetRange(ctx, k, 6, "Redis"); err != nil || n != 11 {
			t.Fatalf("SetRange = %d, %v", n, err)
		}
		if s, err := c.GetSet(ctx, k, 42); err != nil || s != "Hello Redis" {
			t.Fatalf("GetSet = %q, %v", s, err)
		}
		if _, err := c.GetSet(ctx, key(t, "fresh"), "x"); !errors.Is(err, redis.ErrNil) {
			t.Fatalf("GetSet on a new key: %v, want ErrNil", err)
		}
		if s, err := c.GetDel(ctx, k); err != nil || s != "42" {
			t.Fatalf("GetDel = %q, %v", s, err)
		}
		if _, err := c.GetDel(ctx, k); !errors.Is(err, redis.ErrNil) {
			t.Fatalf("GetDel after delete: %v, want ErrNil", err)
		}
	})
}

func TestStringCounters(t *testing.T) {
	ctx := context.Background()
	withClients(t, func(t *testing.T, c *redis.Client) {
		k := key(t, "n")
		steps := []struct {
			name string
			f    func() (int64, error)
			want int64
		}{
			{"Incr", func() (int64, error) { return c.Incr(ctx, k) }, 1},
			{"IncrBy", func() (int64, error) { return c.IncrBy(ctx, k, 10) }, 11},
			{"Decr", func() (int64, error) { return c.Decr(ctx, k) }, 10},
			{"DecrBy", func() (int64, error) { return c.DecrBy(ctx, k, 15) }, -5},
		}
		for _, s := range steps {
			if n, err := s.f(); err != nil || n != s.want {
				t.Fatalf("%s = %d, %v; want %d", s.name, n, err, s.want)
			}
		}
		if f, err := c.IncrByFloat(ctx, k, 5.75); err != nil || f != 0.75 {
			t.Fatalf("IncrByFloat = %v, %v; want 0.75", f, err)
		}
		if f, err := c.IncrByFloat(ctx, k, -1e3); err != nil || f != -999.25 {
			t.Fatalf("IncrByFloat = %v, %v; want -999.25", f, err)
		}
		if err := c.Set(ctx, k, "text"); err != nil {
			t.Fatal(err)
		}
		var rerr *redis.Error
		if _, err := c.Incr(ctx, k); !errors.As(err, &rerr) {
			t.Fatalf("Incr on text: %v, want a server error", err)
		}
	})
}

func TestStringSetOptions(t *testing.T) {
	ctx := context.Background()
	withClients(t, func(t *testing.T, c *redis.Client) {
		k := key(t, "s")
		if _, err := c.SetGet(ctx, k, "v1"); !errors.Is(err, redis.ErrNil) {
			t.Fatalf("SetGet on a new key: %v, want ErrNil", err)
		}
		if old, err := c.SetGet(ctx, k, "v2", redis.SetOptions{TTL: time.Minute}); err != nil || old != "v1" {
			t.Fatalf("SetGet = %q, %v; want v1", old, err)
		}
		if d := stringPTTL(t, c, k); d <= 50*time.Second || d > time.Minute {
			t.Fatalf("TTL after SetGet EX 60 = %v", d)
		}
		if err := c.Set(ctx, k, "v3", redis.SetOptions{KeepTTL: true, XX: true}); err != nil {
			t.Fatal(err)
		}
		if d := stringPTTL(t, c, k); d <= 50*time.Second {
			t.Fatalf("KEEPTTL lost the TTL: %v", d)
		}
		// SET NX GET: allowed since 7.0; the old value comes back and
		// nothing is set.
		if old, err := c.SetGet(ctx, k, "v4", redis.SetOptions{NX: true}); err != nil || old != "v3" {
			t.Fatalf("SetGet NX = %q, %v; want v3", old, err)
		}
		if v, _ := c.Get(ctx, k); v != "v3" {
			t.Fatalf("SetGet NX changed the value to %q", v)
		}
		at := time.Now().Add(time.Hour).Truncate(time.Second)
		if err := c.Set(ctx, k, "v5", redis.SetOptions{ExpireAt: at}); err != nil {
			t.Fatal(err)
		}
		if d := stringPTTL(t, c, k); d < 59*time.Minute || d > time.Hour {
			t.Fatalf("TTL after EXAT = %v", d)
		}

		wantArgs(t, redis.SetGet("k", "v", redis.SetOptions{NX: true, TTL: 1500 * time.Millisecond}), "SET", "k", "v", "NX", "GET", "PX", "1500")
		wantArgs(t, redis.Set("k", 1, redis.SetOptions{XX: true, TTL: 2 * time.Second}), "SET", "k", "1", "XX", "EX", "2")
		wantArgs(t, redis.Set("k", "v", redis.SetOptions{KeepTTL: true}), "SET", "k", "v", "KEEPTTL")
		wantArgs(t, redis.Set("k", "v", redis.SetOptions{ExpireAt: time.UnixMilli(1700000000123)}), "SET", "k", "v", "PXAT", "1700000000123")
		wantArgs(t, redis.Set("k", "v", redis.SetOptions{ExpireAt: time.Unix(1700000000, 0)}), "SET", "k", "v", "EXAT", "1700000000")
		wantArgs(t, redis.Set("k", "v", redis.SetOptions{IfEq: "old"}), "SET", "k", "v", "IFEQ", "old")
		wantArgs(t, redis.Set("k", "v", redis.SetOptions{IfNe: 7}), "SET", "k", "v", "IFNE", "7")
		// The spec types the digests as integers; DIGEST gives them in hex,
		// so the grammar check uses a digest made of decimal digits.
		wantArgs(t, redis.SetGet("k", "v", redis.SetOptions{IfDigestEq: "1234567890123456", TTL: time.Second}), "SET", "k", "v", "IFDEQ", "1234567890123456", "GET", "EX", "1")
		wantArgs(t, redis.Set("k", "v", redis.SetOptions{IfDigestNe: "42"}), "SET", "k", "v", "IFDNE", "42")

		wantBuildError(t, redis.Set("k", "v", redis.SetOptions{NX: true, XX: true}), "NX and XX")
		wantBuildError(t, redis.Set("k", "v", redis.SetOptions{NX: true, IfEq: "x"}), "at most one of NX, XX, IfEq")
		wantBuildError(t, redis.SetGet("k", "v", redis.SetOptions{IfNe: "a", IfDigestEq: "1"}), "at most one")
		wantBuildError(t, redis.Set("k", "v", redis.SetOptions{TTL: time.Second, ExpireAt: at}), "TTL and ExpireAt")
		wantBuildError(t, redis.Set("k", "v", redis.SetOptions{KeepTTL: true, TTL: time.Second}), "KeepTTL")
		wantBuildError(t, redis.Set("k", "v", redis.SetOptions{TTL: -time.Second}), "negative")
		wantBuildError(t, redis.Set("k", "v", redis.SetOptions{TTL: time.Microsecond}), "resolution")
		wantBuildError(t, redis.Set("k", "v", redis.SetOptions{}, redis.SetOptions{}), "at most one SetOptions")
	})
}

// TestStringSetConditions runs SET's IFEQ/IFNE/IFDEQ/IFDNE conditions,
// DIGEST and DELEX (Redis 8.4).
func TestStringSetConditions(t *testing.T) {
	ctx := context.Background()
	withClients(t, func(t *testing.T, c *redis.Client) {
		wantArgs(t, redis.DelEx("k", redis.DelExOptions{IfEq: "v"}), "DELEX", "k", "IFEQ", "v")
		wantArgs(t, redis.DelEx("k", redis.DelExOptions{IfNe: 3}), "DELEX", "k", "IFNE", "3")
		wantArgs(t, redis.DelEx("k", redis.DelExOptions{IfDigestEq: "123"}), "DELEX", "k", "IFDEQ", "123")
		wantArgs(t, redis.DelEx("k", redis.DelExOptions{IfDigestNe: "456"}), "DELEX", "k", "IFDNE", "456")
		wantArgs(t, redis.DelEx("k"), "DELEX", "k")
		wantBuildError(t, redis.DelEx("k", redis.DelExOptions{IfEq: "a", IfNe: "b"}), "at most one of IfEq, IfNe")
		wantArgs(t, redis.Digest("k"), "DIGEST", "k")

		requireCommand(t, c, "DELEX")
		requireCommand(t, c, "DIGEST")
		k := key(t, "s")
		if _, err := c.Digest(ctx, k); !errors.Is(err, redis.ErrNil) {
			t.Fatalf("Digest missing: %v, want ErrNil", err)
		}
		if err := c.Set(ctx, k, "one"); err != nil {
			t.Fatal(err)
		}
		if err := c.Set(ctx, k, "two", redis.SetOptions{IfEq: "nope"}); !errors.Is(err, redis.ErrNil) {
			t.Fatalf("SET IFEQ mismatch: %v, want ErrNil", err)
		}
		if err := c.Set(ctx, k, "two", redis.SetOptions{IfEq: "one"}); err != nil {
			t.Fatalf("SET IFEQ match: %v", err)
		}
		if err := c.Set(ctx, k, "three", redis.SetOptions{IfNe: "two"}); !errors.Is(err, redis.ErrNil) {
			t.Fatalf("SET IFNE equal: %v, want ErrNil", err)
		}
		d, err := c.Digest(ctx, k)
		if err != nil || d == "" {
			t.Fatalf("Digest = %q, %v", d, err)
		}
		if old, err := c.SetGet(ctx, k, "three", redis.SetOptions{IfDigestEq: d}); err != nil || old != "two" {
			t.Fatalf("SetGet IFDEQ = %q, %v; want two", old, err)
		}
		if err := c.Set(ctx, k, "four", redis.SetOptions{IfDigestNe: d}); err != nil {
			t.Fatalf("SET IFDNE with a stale digest: %v", err)
		}
		if ok, err := c.DelEx(ctx, k, redis.DelExOptions{IfEq: "three"}); err != nil || ok {
			t.Fatalf("DelEx IFEQ mismatch = %v, %v; want false", ok, err)
		}
		if ok, err := c.DelEx(ctx, k, redis.DelExOptions{IfNe: "three"}); err != nil || !ok {
			t.Fatalf("DelEx IFNE = %v, %v; want true", ok, err)
		}
		if ok, err := c.DelEx(ctx, k); err != nil || ok {
			t.Fatalf("DelEx on a missing key = %v, %v; want false", ok, err)
		}
	})
}

func TestStringExpiry(t *testing.T) {
	ctx := context.Background()
	withClients(t, func(t *testing.T, c *redis.Client) {
		k := key(t, "s")
		if err := c.SetEx(ctx, k, 100*time.Second, "v"); err != nil {
			t.Fatal(err)
		}
		if d := stringPTTL(t, c, k); d <= 90*time.Second || d > 100*time.Second {
			t.Fatalf("TTL after SETEX 100 = %v", d)
		}
		if err := c.PSetEx(ctx, k, 5500*time.Millisecond, "w"); err != nil {
			t.Fatal(err)
		}
		if d := stringPTTL(t, c, k); d <= 4*time.Second || d > 5500*time.Millisecond {
			t.Fatalf("TTL after PSETEX 5500 = %v", d)
		}
		if v, err := c.GetEx(ctx, k, redis.GetExOptions{Persist: true}); err != nil || v != "w" {
			t.Fatalf("GetEx PERSIST = %q, %v", v, err)
		}
		if d := stringPTTL(t, c, k); d != -1 {
			t.Fatalf("PTTL after PERSIST = %v, want -1", d)
		}
		if v, err := c.GetEx(ctx, k, redis.GetExOptions{TTL: 2500 * time.Millisecond}); err != nil || v != "w" {
			t.Fatalf("GetEx PX = %q, %v", v, err)
		}
		if d := stringPTTL(t, c, k); d <= time.Second || d > 2500*time.Millisecond {
			t.Fatalf("TTL after GETEX PX 2500 = %v", d)
		}
		at := time.Now().Add(time.Hour)
		if _, err := c.GetEx(ctx, k, redis.GetExOptions{ExpireAt: at}); err != nil {
			t.Fatal(err)
		}
		if d := stringPTTL(t, c, k); d < 59*time.Minute || d > time.Hour {
			t.Fatalf("TTL after GETEX PXAT = %v", d)
		}
		if v, err := c.GetEx(ctx, k); err != nil || v != "w" {
			t.Fatalf("GetEx = %q, %v", v, err)
		}
		if _, err := c.GetEx(ctx, key(t, "none"), redis.GetExOptions{TTL: time.Second}); !errors.Is(err, redis.ErrNil) {
			t.Fatalf("GetEx missing: %v, want ErrNil", err)
		}

		wantArgs(t, redis.SetEx("k", 3*time.Second, "v"), "SETEX", "k", "3", "v")
		wantArgs(t, redis.PSetEx("k", 1500*time.Millisecond, "v"), "PSETEX", "k", "1500", "v")
		wantBuildError(t, redis.SetEx("k", 1500*time.Millisecond, "v"), "whole number of seconds")
		wantArgs(t, redis.GetEx("k", redis.GetExOptions{TTL: time.Minute}), "GETEX", "k", "EX", "60")
		wantArgs(t, redis.GetEx("k", redis.GetExOptions{TTL: 10 * time.Millisecond}), "GETEX", "k", "PX", "10")
		wantArgs(t, redis.GetEx("k", redis.GetExOptions{ExpireAt: time.Unix(1700000000, 0)}), "GETEX", "k", "EXAT", "1700000000")
		wantArgs(t, redis.GetEx("k", redis.GetExOptions{ExpireAt: time.UnixMilli(1700000000001)}), "GETEX", "k", "PXAT", "1700000000001")
		wantArgs(t, redis.GetEx("k", redis.GetExOptions{Persist: true}), "GETEX", "k", "PERSIST")
		wantBuildError(t, redis.GetEx("k", redis.GetExOptions{Persist: true, TTL: time.Second}), "Persist")
		wantBuildError(t, redis.GetEx("k", redis.GetExOptions{TTL: time.Second, ExpireAt: at}), "TTL and ExpireAt")
	})
}

func TestStringMulti(t *testing.T) {
	ctx := context.Background()
	withClients(t, func(t *testing.T, c *redis.Client) {
		a, b, missing := key(t, "a"), key(t, "b"), key(t, "missing")
		if err := c.MSet(ctx, redis.KeyValue{Key: a, Value: 1}, redis.KeyValue{Key: b, Value: []byte("two")}); err != nil {
			t.Fatal(err)
		}
		got, err := c.MGet(ctx, a, missing, b)
		if err != nil {
			t.Fatal(err)
		}
		want := []redis.Null[string]{{V: "1", Valid: true}, {}, {V: "two", Valid: true}}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("MGet = %+v, want %+v", got, want)
		}
		if ok, err := c.MSetNX(ctx, redis.KeyValue{Key: missing, Value: "x"}, redis.KeyValue{Key: a, Value: "y"}); err != nil || ok {
			t.Fatalf("MSetNX with an existing key = %v, %v; want false", ok, err)
		}
		if _, err := c.Get(ctx, missing); !errors.Is(err, redis.ErrNil) {
			t.Fatalf("MSetNX set a key although it failed: %v", err)
		}
		c2 := key(t, "c")
		if ok, err := c.MSetNX(ctx, redis.KeyValue{Key: missing, Value: "x"}, redis.KeyValue{Key: c2, Value: 2.5}); err != nil || !ok {
			t.Fatalf("MSetNX with new keys = %v, %v; want true", ok, err)
		}
		if v, _ := c.Get(ctx, c2); v != "2.5" {
			t.Fatalf("MSetNX stored %q", v)
		}
		if ok, err := c.SetNX(ctx, c2, "z"); err != nil || ok {
			t.Fatalf("SetNX existing = %v, %v", ok, err)
		}
		if ok, err := c.SetNX(ctx, key(t, "d"), "z"); err != nil || !ok {
			t.Fatalf("SetNX new = %v, %v", ok, err)
		}

		wantArgs(t, redis.MSet(redis.KeyValue{Key: "a", Value: 1}, redis.KeyValue{Key: "b", Value: true}), "MSET", "a", "1", "b", "1")
		wantBuildError(t, redis.MSet(), "at least one")
		wantArgs(t, redis.MGet("a", "b"), "MGET", "a", "b")
	})
}

// TestStringMSetEx covers MSETEX (Redis 8.4).
func TestStringMSetEx(t *testing.T) {
	ctx := context.Background()
	withClients(t, func(t *testing.T, c *redis.Client) {
		pairs := []redis.KeyValue{{Key: "a", Value: "1"}, {Key: "b", Value: 2}}
		wantArgs(t, redis.MSetEx(pairs), "MSETEX", "2", "a", "1", "b", "2")
		wantArgs(t, redis.MSetEx(pairs, redis.MSetExOptions{NX: true, TTL: 10 * time.Second}), "MSETEX", "2", "a", "1", "b", "2", "NX", "EX", "10")
		wantArgs(t, redis.MSetEx(pairs, redis.MSetExOptions{XX: true, KeepTTL: true}), "MSETEX", "2", "a", "1", "b", "2", "XX", "KEEPTTL")
		wantArgs(t, redis.MSetEx(pairs, redis.MSetExOptions{ExpireAt: time.UnixMilli(1700000000500)}), "MSETEX", "2", "a", "1", "b", "2", "PXAT", "1700000000500")
		wantBuildError(t, redis.MSetEx(pairs, redis.MSetExOptions{NX: true, XX: true}), "NX and XX")
		wantBuildError(t, redis.MSetEx(nil), "at least one")

		requireCommand(t, c, "MSETEX")
		a, b := key(t, "a"), key(t, "b")
		if ok, err := c.MSetEx(ctx, []redis.KeyValue{{Key: a, Value: "1"}, {Key: b, Value: "2"}}, redis.MSetExOptions{NX: true, TTL: time.Minute}); err != nil || !ok {
			t.Fatalf("MSetEx NX = %v, %v; want true", ok, err)
		}
		if d := stringPTTL(t, c, b); d <= 50*time.Second {
			t.Fatalf("TTL after MSETEX EX 60 = %v", d)
		}
		if ok, err := c.MSetEx(ctx, []redis.KeyValue{{Key: a, Value: "3"}}, redis.MSetExOptions{NX: true}); err != nil || ok {
			t.Fatalf("MSetEx NX on an existing key = %v, %v; want false", ok, err)
		}
	})
}

// TestStringIncrEx covers INCREX (Redis 8.8).
func TestStringIncrEx(t *testing.T) {
	ctx := context.Background()
	withClients(t, func(t *testing.T, c *redis.Client) {
		lo, hi := int64(0), int64(10)
		wantArgs(t, redis.IncrEx("k", 5), "INCREX", "k", "BYINT", "5")
		wantArgs(t, redis.IncrEx("k", 5, redis.IncrExOptions{Saturate: true, Lower: &lo, Upper: &hi, TTL: time.Minute, ENX: true}),
			"INCREX", "k", "BYINT", "5", "SATURATE", "LBOUND", "0", "UBOUND", "10", "EX", "60", "ENX")
		flo := 1.5
		wantArgs(t, redis.IncrExFloat("k", 0.5, redis.IncrExFloatOptions{Upper: &flo, Persist: true}), "INCREX", "k", "BYFLOAT", "0.5", "UBOUND", "1.5", "PERSIST")
		wantBuildError(t, redis.IncrEx("k", 1, redis.IncrExOptions{ENX: true}), "ENX needs")
		wantBuildError(t, redis.IncrEx("k", 1, redis.IncrExOptions{Persist: true, TTL: time.Second}), "Persist")

		requireCommand(t, c, "INCREX")
		k := key(t, "n")
		if r, err := c.IncrEx(ctx, k, 7, redis.IncrExOptions{Upper: &hi, TTL: time.Minute}); err != nil || r != (redis.IncrExResult[int64]{Value: 7, Increment: 7}) {
			t.Fatalf("IncrEx = %+v, %v", r, err)
		}
		if d := stringPTTL(t, c, k); d <= 50*time.Second {
			t.Fatalf("TTL after INCREX EX 60 = %v", d)
		}
		if r, err := c.IncrEx(ctx, k, 7, redis.IncrExOptions{Upper: &hi, Saturate: true}); err != nil || r != (redis.IncrExResult[int64]{Value: 10, Increment: 3}) {
			t.Fatalf("IncrEx SATURATE = %+v, %v", r, err)
		}
		f := key(t, "f")
		if r, err := c.IncrExFloat(ctx, f, 0.25); err != nil || r != (redis.IncrExResult[float64]{Value: 0.25, Increment: 0.25}) {
			t.Fatalf("IncrExFloat = %+v, %v", r, err)
		}
	})
}

func TestStringLCS(t *testing.T) {
	ctx := context.Background()
	withClients(t, func(t *testing.T, c *redis.Client) {
		requireCommand(t, c, "LCS")
		k1, k2 := key(t, "1"), key(t, "2")
		if err := c.MSet(ctx, redis.KeyValue{Key: k1, Value: "ohmytext"}, redis.KeyValue{Key: k2, Value: "mynewtext"}); err != nil {
			t.Fatal(err)
		}
		if s, err := c.LCS(ctx, k1, k2); err != nil || s != "mytext" {
			t.Fatalf("LCS = %q, %v", s, err)
		}
		if n, err := c.LCSLen(ctx, k1, k2); err != nil || n != 6 {
			t.Fatalf("LCSLen = %d, %v", n, err)
		}
		got, err := c.LCSIdx(ctx, k1, k2)
		if err != nil {
			t.Fatal(err)
		}
		want := redis.LCSIndex{Len: 6, Matches: []redis.LCSMatch{
			{A: redis.LCSRange{Start: 4, End: 7}, B: redis.LCSRange{Start: 5, End: 8}, Len: 4},
			{A: redis.LCSRange{Start: 2, End: 3}, B: redis.LCSRange{Start: 0, End: 1}, Len: 2},
		}}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("LCSIdx = %+v\nwant %+v", got, want)
		}
		got, err = c.LCSIdx(ctx, k1, k2, redis.LCSIdxOptions{MinMatchLen: 4, WithMatchLen: true})
		if err != nil {
			t.Fatal(err)
		}
		want.Matches = want.Matches[:1]
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("LCSIdx MINMATCHLEN 4 WITHMATCHLEN = %+v\nwant %+v", got, want)
		}
		wantArgs(t, redis.LCSLen("a", "b"), "LCS", "a", "b", "LEN")
		wantArgs(t, redis.LCSIdx("a", "b", redis.LCSIdxOptions{MinMatchLen: 4, WithMatchLen: true}), "LCS", "a", "b", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN")
	})
}
