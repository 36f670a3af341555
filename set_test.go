package redis_test

import (
	"context"
	"slices"
	"strconv"
	"testing"

	"github.com/respkit/redis"
)

func TestSetEncoding(t *testing.T) {
	wantArgs(t, redis.SAdd("k", "a", "b"), "SADD", "k", "a", "b")
	wantBuildError(t, redis.SAdd("k"), "member")
	wantArgs(t, redis.SInterCard([]string{"a", "b"}), "SINTERCARD", "2", "a", "b")
	wantArgs(t, redis.SInterCard([]string{"a"}, redis.SInterCardOptions{Limit: 3}), "SINTERCARD", "1", "a", "LIMIT", "3")
	wantBuildError(t, redis.SInterCard(nil), "key")
	wantBuildError(t, redis.SInterCard([]string{"a"}, redis.SInterCardOptions{Limit: -1}), "Limit")
	wantArgs(t, redis.SPop("k"), "SPOP", "k")
	wantArgs(t, redis.SPopCount("k", 2), "SPOP", "k", "2")
	wantArgs(t, redis.SRandMember("k"), "SRANDMEMBER", "k")
	wantArgs(t, redis.SRandMemberCount("k", -5), "SRANDMEMBER", "k", "-5")
	wantArgs(t, redis.SMIsMember("k", "a", "b"), "SMISMEMBER", "k", "a", "b")
	wantArgs(t, redis.SDiffStore("d", "a", "b"), "SDIFFSTORE", "d", "a", "b")
	wantArgs(t, redis.SScanPage("k", 0), "SSCAN", "k", "0")
	wantArgs(t, redis.SScanPage("k", 17, redis.SScanOptions{Match: "m*", Count: 100}), "SSCAN", "k", "17", "MATCH", "m*", "COUNT", "100")
	wantBuildError(t, redis.SScanPage("k", 0, redis.SScanOptions{}, redis.SScanOptions{}), "at most one")
}

func TestSetMembers(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		k := key(t, "set")
		coll(c.SAdd(ctx, k, "a", "b", "c", "a")).is(t, "SADD", 3)
		coll(c.SAdd(ctx, k, "c", "d")).is(t, "SADD again", 1)
		coll(c.SCard(ctx, k)).is(t, "SCARD", 4)
		coll(c.SCard(ctx, key(t, "none"))).is(t, "SCARD missing", 0)
		collEq(t, "SMEMBERS", collSorted(coll(c.SMembers(ctx, k)).ok(t)), []string{"a", "b", "c", "d"})
		coll(c.SMembers(ctx, key(t, "none"))).is(t, "SMEMBERS missing", []string{})
		coll(c.SIsMember(ctx, k, "a")).is(t, "SISMEMBER a", true)
		coll(c.SIsMember(ctx, k, "z")).is(t, "SISMEMBER z", false)
		coll(c.SMIsMember(ctx, k, "a", "z", "d")).is(t, "SMISMEMBER", []bool{true, false, true})
		coll(c.SRem(ctx, k, "a", "z")).is(t, "SREM", 1)

		dst := key(t, "dst")
		coll(c.SMove(ctx, k, dst, "b")).is(t, "SMOVE", true)
		coll(c.SMove(ctx, k, dst, "b")).is(t, "SMOVE again", false)
		coll(c.SMembers(ctx, dst)).is(t, "destination", []string{"b"})
	})
}

func TestSetAlgebra(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		a, b, d := key(t, "a"), key(t, "b"), key(t, "d")
		coll(c.SAdd(ctx, a, "1", "2", "3", "4")).ok(t)
		coll(c.SAdd(ctx, b, "3", "4", "5")).ok(t)
		collEq(t, "SINTER", collSorted(coll(c.SInter(ctx, a, b)).ok(t)), []string{"3", "4"})
		collEq(t, "SUNION", collSorted(coll(c.SUnion(ctx, a, b)).ok(t)), []string{"1", "2", "3", "4", "5"})
		collEq(t, "SDIFF", collSorted(coll(c.SDiff(ctx, a, b)).ok(t)), []string{"1", "2"})
		coll(c.SInterStore(ctx, d, a, b)).is(t, "SINTERSTORE", 2)
		collEq(t, "stored intersection", collSorted(coll(c.SMembers(ctx, d)).ok(t)), []string{"3", "4"})
		coll(c.SUnionStore(ctx, d, a, b)).is(t, "SUNIONSTORE", 5)
		coll(c.SDiffStore(ctx, d, b, a)).is(t, "SDIFFSTORE", 1)
		coll(c.SMembers(ctx, d)).is(t, "stored difference", []string{"5"})
	})
}

func TestSetInterCard(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		requireCommand(t, c, "SINTERCARD")
		ctx := context.Background()
		a, b := key(t, "a"), key(t, "b")
		coll(c.SAdd(ctx, a, "1", "2", "3", "4")).ok(t)
		coll(c.SAdd(ctx, b, "2", "3", "4", "5")).ok(t)
		coll(c.SInterCard(ctx, []string{a, b})).is(t, "SINTERCARD", 3)
		coll(c.SInterCard(ctx, []string{a, b}, redis.SInterCardOptions{Limit: 2})).is(t, "SINTERCARD LIMIT 2", 2)
		coll(c.SInterCard(ctx, []string{a, key(t, "none")})).is(t, "SINTERCARD with a missing set", 0)
	})
}

func TestSetRandom(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		k := key(t, "set")
		all := []string{"a", "b", "c", "d", "e"}
		coll(c.SAdd(ctx, k, all...)).ok(t)

		m := coll(c.SRandMember(ctx, k)).ok(t)
		if !slices.Contains(all, m) {
			t.Fatalf("SRANDMEMBER = %q, not a member", m)
		}
		three := coll(c.SRandMemberCount(ctx, k, 3)).ok(t)
		if len(three) != 3 || len(slices.Compact(collSorted(three))) != 3 {
			t.Fatalf("SRANDMEMBER 3 = %q, want 3 distinct members", three)
		}
		if got := coll(c.SRandMemberCount(ctx, k, -8)).ok(t); len(got) != 8 {
			t.Fatalf("SRANDMEMBER -8 = %q, want 8 members (repeats allowed)", got)
		}
		coll(c.SCard(ctx, k)).is(t, "SCARD after SRANDMEMBER", 5)

		p := coll(c.SPop(ctx, k)).ok(t)
		if !slices.Contains(all, p) {
			t.Fatalf("SPOP = %q, not a member", p)
		}
		rest := coll(c.SPopCount(ctx, k, 10)).ok(t)
		collEq(t, "SPOP then SPOP 10", collSorted(append(rest, p)), all)

		_, err := c.SPop(ctx, k)
		collNil(t, "SPOP on a missing key", err)
		_, err = c.SRandMember(ctx, k)
		collNil(t, "SRANDMEMBER on a missing key", err)
		coll(c.SPopCount(ctx, k, 2)).is(t, "SPOP count on a missing key", []string{})
		coll(c.SRandMemberCount(ctx, k, 2)).is(t, "SRANDMEMBER count on a missing key", []string{})
	})
}

func TestSetScan(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		k := key(t, "set")
		var want []string
		for i := range 300 {
			want = append(want, "m"+strconv.Itoa(i))
		}
		coll(c.SAdd(ctx, k, want...)).ok(t) // large enough to be a hashtable, scanned over several pages

		seen := map[string]bool{}
		for m, err := range c.SScan(ctx, k, redis.SScanOptions{Count: 50}) {
			if err != nil {
				t.Fatal(err)
			}
			seen[m] = true
		}
		if len(seen) != len(want) {
			t.Fatalf("SScan saw %d distinct members, want %d", len(seen), len(want))
		}

		// MATCH filters; the pages, followed by hand, end at cursor 0.
		var matched []string
		var cursor uint64
		pages := 0
		for {
			p, err := c.SScanPage(ctx, k, cursor, redis.SScanOptions{Match: "m1?", Count: 100})
			if err != nil {
				t.Fatal(err)
			}
			pages++
			matched = append(matched, p.Items...)
			if cursor = p.Cursor; cursor == 0 {
				break
			}
		}
		if pages < 2 {
			t.Fatalf("the scan took %d page(s); want several with COUNT 100 over 300 members", pages)
		}
		collEq(t, "SSCAN MATCH m1?", len(slices.Compact(collSorted(matched))), 10)

		// Breaking out of the loop stops the iteration.
		n := 0
		for range c.SScan(ctx, k) {
			n++
			break
		}
		collEq(t, "members seen before break", n, 1)

		// The same page as a command value.
		p := coll(redis.RunCommand(ctx, c, redis.SScanPage(k, 0, redis.SScanOptions{Count: 1000}))).ok(t)
		collEq(t, "SSCAN COUNT 1000 in one page", []any{len(p.Items), p.Cursor}, []any{300, uint64(0)})

		// A scan of the wrong type yields the error once.
		str := key(t, "str")
		if _, err := c.Do(ctx, "SET", str, "x").Text(); err != nil {
			t.Fatal(err)
		}
		var errs int
		for _, err := range c.SScan(ctx, str) {
			if err == nil {
				t.Fatal("SScan of a string yielded a member")
			}
			errs++
		}
		collEq(t, "errors from SScan of a string", errs, 1)
	})
}
