package redis_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/respkit/redis"
)

func TestHashEncoding(t *testing.T) {
	wantArgs(t, redis.HSet("k", redis.HashField{Field: "f", Value: 1}, redis.HashField{Field: "g", Value: []byte("v")}), "HSET", "k", "f", "1", "g", "v")
	wantBuildError(t, redis.HSet("k"), "data")
	wantArgs(t, redis.HMSet("k", redis.HashField{Field: "f", Value: 2.5}), "HMSET", "k", "f", "2.5")
	wantArgs(t, redis.HSetNX("k", "f", true), "HSETNX", "k", "f", "1")
	wantArgs(t, redis.HMGet("k", "a", "b"), "HMGET", "k", "a", "b")
	wantArgs(t, redis.HIncrByFloat("k", "f", -1.25), "HINCRBYFLOAT", "k", "f", "-1.25")
	wantArgs(t, redis.HRandField("k"), "HRANDFIELD", "k")
	wantArgs(t, redis.HRandFieldCount("k", -3), "HRANDFIELD", "k", "-3")
	wantArgs(t, redis.HRandFieldWithValues("k", 2), "HRANDFIELD", "k", "2", "WITHVALUES")
	wantArgs(t, redis.HScanPage("k", 0), "HSCAN", "k", "0")
	wantArgs(t, redis.HScanPage("k", 9, redis.HScanOptions{Match: "f*", Count: 5}), "HSCAN", "k", "9", "MATCH", "f*", "COUNT", "5")
	wantArgs(t, redis.HScanFieldsPage("k", 0, redis.HScanOptions{Count: 5}), "HSCAN", "k", "0", "COUNT", "5", "NOVALUES")

	// The field-expiry family (Redis 7.4).
	wantArgs(t, redis.HExpire("k", time.Minute, []string{"a", "b"}), "HEXPIRE", "k", "60", "FIELDS", "2", "a", "b")
	wantArgs(t, redis.HExpire("k", 10*time.Second, []string{"a"}, redis.ExpireOptions{GT: true}), "HEXPIRE", "k", "10", "GT", "FIELDS", "1", "a")
	wantBuildError(t, redis.HExpire("k", 1500*time.Millisecond, []string{"a"}), "whole number of seconds")
	wantBuildError(t, redis.HExpire("k", time.Second, []string{"a"}, redis.ExpireOptions{NX: true, LT: true}), "NX", "LT")
	wantBuildError(t, redis.HExpire("k", time.Second, nil), "field")
	wantArgs(t, redis.HPExpire("k", 1500*time.Millisecond, []string{"a"}, redis.ExpireOptions{XX: true}), "HPEXPIRE", "k", "1500", "XX", "FIELDS", "1", "a")
	wantBuildError(t, redis.HPExpire("k", time.Microsecond, []string{"a"}), "milliseconds")
	at := time.Unix(1700000000, 123e6)
	wantArgs(t, redis.HExpireAt("k", at, []string{"a"}, redis.ExpireOptions{NX: true}), "HEXPIREAT", "k", "1700000000", "NX", "FIELDS", "1", "a")
	wantArgs(t, redis.HPExpireAt("k", at, []string{"a", "b"}), "HPEXPIREAT", "k", "1700000000123", "FIELDS", "2", "a", "b")
	wantArgs(t, redis.HTTL("k", "a"), "HTTL", "k", "FIELDS", "1", "a")
	wantArgs(t, redis.HPTTL("k", "a", "b"), "HPTTL", "k", "FIELDS", "2", "a", "b")
	wantArgs(t, redis.HExpireTime("k", "a"), "HEXPIRETIME", "k", "FIELDS", "1", "a")
	wantArgs(t, redis.HPExpireTime("k", "a"), "HPEXPIRETIME", "k", "FIELDS", "1", "a")
	wantArgs(t, redis.HPersist("k", "a", "b"), "HPERSIST", "k", "FIELDS", "2", "a", "b")
	wantBuildError(t, redis.HPersist("k"), "field")

	// Redis 8.0.
	wantArgs(t, redis.HGetDel("k", "a", "b"), "HGETDEL", "k", "FIELDS", "2", "a", "b")
	wantArgs(t, redis.HGetEx("k", []string{"a"}), "HGETEX", "k", "FIELDS", "1", "a")
	wantArgs(t, redis.HGetEx("k", []string{"a"}, redis.HGetExOptions{TTL: 2 * time.Second}), "HGETEX", "k", "EX", "2", "FIELDS", "1", "a")
	wantArgs(t, redis.HGetEx("k", []string{"a"}, redis.HGetExOptions{TTL: 2500 * time.Millisecond}), "HGETEX", "k", "PX", "2500", "FIELDS", "1", "a")
	wantArgs(t, redis.HGetEx("k", []string{"a"}, redis.HGetExOptions{ExpireAt: time.Unix(1700000000, 0)}), "HGETEX", "k", "EXAT", "1700000000", "FIELDS", "1", "a")
	wantArgs(t, redis.HGetEx("k", []string{"a"}, redis.HGetExOptions{ExpireAt: at}), "HGETEX", "k", "PXAT", "1700000000123", "FIELDS", "1", "a")
	wantArgs(t, redis.HGetEx("k", []string{"a", "b"}, redis.HGetExOptions{Persist: true}), "HGETEX", "k", "PERSIST", "FIELDS", "2", "a", "b")
	wantBuildError(t, redis.HGetEx("k", []string{"a"}, redis.HGetExOptions{TTL: time.Second, Persist: true}), "TTL", "Persist")
	wantBuildError(t, redis.HGetEx("k", []string{"a"}, redis.HGetExOptions{TTL: -time.Second}), "negative")
	wantArgs(t, redis.HSetEx("k", []redis.HashField{{Field: "a", Value: 1}}), "HSETEX", "k", "FIELDS", "1", "a", "1")
	wantArgs(t, redis.HSetEx("k", []redis.HashField{{Field: "a", Value: 1}, {Field: "b", Value: "x"}}, redis.HSetExOptions{FNX: true, TTL: time.Minute}),
		"HSETEX", "k", "FNX", "EX", "60", "FIELDS", "2", "a", "1", "b", "x")
	wantArgs(t, redis.HSetEx("k", []redis.HashField{{Field: "a", Value: 1}}, redis.HSetExOptions{FXX: true, KeepTTL: true}), "HSETEX", "k", "FXX", "KEEPTTL", "FIELDS", "1", "a", "1")
	wantBuildError(t, redis.HSetEx("k", []redis.HashField{{Field: "a", Value: 1}}, redis.HSetExOptions{FNX: true, FXX: true}), "FNX", "FXX")
	wantBuildError(t, redis.HSetEx("k", []redis.HashField{{Field: "a", Value: 1}}, redis.HSetExOptions{TTL: time.Second, KeepTTL: true}), "KeepTTL")
	wantBuildError(t, redis.HSetEx("k", nil), "field")
	wantBuildError(t, redis.HSetEx("k", []redis.HashField{{Field: "a", Value: struct{}{}}}), "HSETEX")

	if s := redis.HFieldDeleted.String(); s != "deleted" {
		t.Fatalf("HFieldDeleted.String() = %q", s)
	}
}

func TestHashReadWrite(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		k := key(t, "hash")
		coll(c.HSet(ctx, k, redis.HashField{Field: "a", Value: "1"}, redis.HashField{Field: "b", Value: 2}, redis.HashField{Field: "c", Value: []byte("three")})).is(t, "HSET", 3)
		coll(c.HSet(ctx, k, redis.HashField{Field: "a", Value: "one"}, redis.HashField{Field: "d", Value: 4.5})).is(t, "HSET overwrite", 1)
		if err := c.HMSet(ctx, k, redis.HashField{Field: "e", Value: true}); err != nil {
			t.Fatal(err)
		}
		coll(c.HGet(ctx, k, "a")).is(t, "HGET", "one")
		_, err := c.HGet(ctx, k, "zz")
		collNil(t, "HGET of a missing field", err)
		_, err = c.HGet(ctx, key(t, "none"), "a")
		collNil(t, "HGET of a missing key", err)
		coll(c.HGetAll(ctx, k)).is(t, "HGETALL", map[string]string{"a": "one", "b": "2", "c": "three", "d": "4.5", "e": "1"})
		coll(c.HGetAll(ctx, key(t, "none"))).is(t, "HGETALL of a missing key", map[string]string{})
		coll(c.HMGet(ctx, k, "a", "zz", "c")).is(t, "HMGET", []redis.Null[string]{{V: "one", Valid: true}, {}, {V: "three", Valid: true}})
		coll(c.HLen(ctx, k)).is(t, "HLEN", 5)
		collEq(t, "HKEYS", collSorted(coll(c.HKeys(ctx, k)).ok(t)), []string{"a", "b", "c", "d", "e"})
		collEq(t, "HVALS", collSorted(coll(c.HVals(ctx, k)).ok(t)), []string{"1", "2", "4.5", "one", "three"})
		coll(c.HExists(ctx, k, "b")).is(t, "HEXISTS b", true)
		coll(c.HExists(ctx, k, "zz")).is(t, "HEXISTS zz", false)
		coll(c.HStrLen(ctx, k, "c")).is(t, "HSTRLEN", 5)
		coll(c.HStrLen(ctx, k, "zz")).is(t, "HSTRLEN missing", 0)
		coll(c.HSetNX(ctx, k, "a", "x")).is(t, "HSETNX existing", false)
		coll(c.HSetNX(ctx, k, "f", 6)).is(t, "HSETNX new", true)
		coll(c.HIncrBy(ctx, k, "b", 40)).is(t, "HINCRBY", 42)
		coll(c.HIncrByFloat(ctx, k, "d", 0.25)).is(t, "HINCRBYFLOAT", 4.75)
		coll(c.HIncrByFloat(ctx, k, "new", -1.5)).is(t, "HINCRBYFLOAT new field", -1.5)
		var se *redis.Error
		if _, err := c.HIncrBy(ctx, k, "c", 1); !errors.As(err, &se) {
			t.Fatalf("HINCRBY of a non-integer: %v, want a server error", err)
		}
		coll(c.HDel(ctx, k, "a", "zz", "b")).is(t, "HDEL", 2)
		coll(c.HKeys(ctx, key(t, "none"))).is(t, "HKEYS of a missing key", []string{})
	})
}

func TestHashRandField(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		k := key(t, "hash")
		want := map[string]string{"a": "1", "b": "2", "c": "3"}
		for f, v := range want {
			coll(c.HSet(ctx, k, redis.HashField{Field: f, Value: v})).ok(t)
		}
		f := coll(c.HRandField(ctx, k)).ok(t)
		if _, ok := want[f]; !ok {
			t.Fatalf("HRANDFIELD = %q, not a field", f)
		}
		fs := coll(c.HRandFieldCount(ctx, k, 5)).ok(t)
		collEq(t, "HRANDFIELD 5 (all, distinct)", collSorted(fs), []string{"a", "b", "c"})
		if n := len(coll(c.HRandFieldCount(ctx, k, -7)).ok(t)); n != 7 {
			t.Fatalf("HRANDFIELD -7 gave %d fields, want 7", n)
		}
		es := coll(c.HRandFieldWithValues(ctx, k, 3)).ok(t)
		got := map[string]string{}
		for _, e := range es {
			got[e.Field] = e.Value
		}
		collEq(t, "HRANDFIELD 3 WITHVALUES", got, want)
		rep := coll(c.HRandFieldWithValues(ctx, k, -5)).ok(t)
		if len(rep) != 5 {
			t.Fatalf("HRANDFIELD -5 WITHVALUES gave %d entries, want 5", len(rep))
		}
		for _, e := range rep {
			if want[e.Field] != e.Value {
				t.Fatalf("HRANDFIELD WITHVALUES entry %+v does not match the hash", e)
			}
		}

		none := key(t, "none")
		_, err := c.HRandField(ctx, none)
		collNil(t, "HRANDFIELD of a missing key", err)
		coll(c.HRandFieldCount(ctx, none, 2)).is(t, "HRANDFIELD count of a missing key", []string{})
		coll(c.HRandFieldWithValues(ctx, none, 2)).is(t, "HRANDFIELD WITHVALUES of a missing key", []redis.HashEntry{})
	})
}

func TestHashScan(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		small, big := key(t, "small"), key(t, "big")
		coll(c.HSet(ctx, small, redis.HashField{Field: "a", Value: "1"}, redis.HashField{Field: "b", Value: "2"})).ok(t)
		var fields []redis.HashField
		want := map[string]string{}
		for i := range 300 {
			f, v := "f"+strconv.Itoa(i), "v"+strconv.Itoa(i)
			if i == 0 {
				// A value over hash-max-listpack-value (64 bytes) makes
				// the hash a hashtable, which HSCAN reads in several pages.
				v = strings.Repeat("v", 100)
			}
			fields = append(fields, redis.HashField{Field: f, Value: v})
			want[f] = v
		}
		coll(c.HSet(ctx, big, fields...)).is(t, "HSET 300", 300)

		got := map[string]string{}
		for e, err := range c.HScan(ctx, big, redis.HScanOptions{Count: 40}) {
			if err != nil {
				t.Fatal(err)
			}
			got[e.Field] = e.Value
		}
		collEq(t, "HScan of 300 fields", got, want)

		sp, err := c.HScanPage(ctx, small, 0)
		if err != nil {
			t.Fatal(err)
		}
		collEq(t, "HSCAN of a small hash", sp, redis.CursorPage[redis.HashEntry]{Items: []redis.HashEntry{{Field: "a", Value: "1"}, {Field: "b", Value: "2"}}})

		pages, matched := 0, 0
		var cursor uint64
		for {
			p, err := c.HScanPage(ctx, big, cursor, redis.HScanOptions{Match: "f2??", Count: 50})
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, e := range p.Items {
				if want[e.Field] != e.Value || len(e.Field) != 4 || e.Field[1] != '2' {
					t.Fatalf("HSCAN MATCH f2?? yielded %+v", e)
				}
			}
			matched += len(p.Items)
			if cursor = p.Cursor; cursor == 0 {
				break
			}
		}
		if pages < 2 || matched < 100 {
			t.Fatalf("HSCAN MATCH f2??: %d pages, %d entries; want several pages and at least the 100 fields f200..f299", pages, matched)
		}

		p := coll(redis.RunCommand(ctx, c, redis.HScanPage(small, 0))).ok(t)
		collEq(t, "HSCAN as a command value", p, redis.CursorPage[redis.HashEntry]{Items: []redis.HashEntry{{Field: "a", Value: "1"}, {Field: "b", Value: "2"}}})

		var errs int
		for _, err := range c.HScan(ctx, key(t, "none"), redis.HScanOptions{Match: "x"}) {
			if err != nil {
				t.Fatal(err)
			}
			errs++
		}
		collEq(t, "entries of a missing hash", errs, 0)
	})
}

// TestHashScanNoValues needs HSCAN ... NOVALUES (Redis 7.4).
func TestHashScanNoValues(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		k := key(t, "hash")
		coll(c.HSet(ctx, k, redis.HashField{Field: "a", Value: "1"}, redis.HashField{Field: "b", Value: "2"})).ok(t)
		// NOVALUES is an option: probed on the hash (a missing key is
		// answered before the options are read).
		requireSupport(t, c, "HSCAN NOVALUES (Redis 7.4)", "HSCAN", k, 0, "NOVALUES")
		var fs []string
		for f, err := range c.HScanFields(ctx, k) {
			if err != nil {
				t.Fatal(err)
			}
			fs = append(fs, f)
		}
		collEq(t, "HSCAN NOVALUES", collSorted(fs), []string{"a", "b"})
		page, err := c.HScanFieldsPage(ctx, k, 0, redis.HScanOptions{Match: "a"})
		if err != nil {
			t.Fatal(err)
		}
		collEq(t, "HSCAN MATCH a NOVALUES", page, redis.CursorPage[string]{Items: []string{"a"}})
		// The same page as a command value.
		cp := coll(redis.RunCommand(ctx, c, redis.HScanFieldsPage(k, 0, redis.HScanOptions{Match: "b"}))).ok(t)
		collEq(t, "HSCAN MATCH b NOVALUES as a command value", cp, redis.CursorPage[string]{Items: []string{"b"}})
	})
}

// TestHashFieldExpiry needs the field-expiry commands (Redis 7.4).
func TestHashFieldExpiry(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		requireCommand(t, c, "HEXPIRE")
		ctx := context.Background()
		k := key(t, "hash")
		coll(c.HSet(ctx, k, redis.HashField{Field: "a", Value: 1}, redis.HashField{Field: "b", Value: 2}, redis.HashField{Field: "c", Value: 3})).ok(t)

		coll(c.HExpire(ctx, k, time.Hour, []string{"a", "zz"})).is(t, "HEXPIRE", []redis.HFieldStatus{redis.HFieldUpdated, redis.HFieldMissing})
		coll(c.HExpire(ctx, k, time.Hour, []string{"a", "b"}, redis.ExpireOptions{NX: true})).is(t, "HEXPIRE NX", []redis.HFieldStatus{redis.HFieldSkipped, redis.HFieldUpdated})
		coll(c.HPExpire(ctx, k, 2*time.Hour, []string{"a"}, redis.ExpireOptions{LT: true})).is(t, "HPEXPIRE LT (later)", []redis.HFieldStatus{redis.HFieldSkipped})
		coll(c.HPExpire(ctx, k, 30*time.Minute, []string{"a"}, redis.ExpireOptions{LT: true})).is(t, "HPEXPIRE LT (earlier)", []redis.HFieldStatus{redis.HFieldUpdated})

		ttls := coll(c.HTTL(ctx, k, "a", "c", "zz")).ok(t)
		if ttls[0] <= 29*time.Minute || ttls[0] > 30*time.Minute || ttls[1] != redis.NoExpiry || ttls[2] != redis.NoSuchKey {
			t.Fatalf("HTTL = %v, want [~30m NoExpiry NoSuchKey]", ttls)
		}
		pttls := coll(c.HPTTL(ctx, k, "b", "c")).ok(t)
		if pttls[0] <= 59*time.Minute || pttls[0] > time.Hour || pttls[0]%time.Millisecond != 0 || pttls[1] != redis.NoExpiry {
			t.Fatalf("HPTTL = %v, want [~1h NoExpiry]", pttls)
		}

		at := time.Now().Add(3 * time.Hour).Truncate(time.Second)
		coll(c.HExpireAt(ctx, k, at, []string{"c"})).is(t, "HEXPIREAT", []redis.HFieldStatus{redis.HFieldUpdated})
		coll(c.HExpireTime(ctx, k, "c", "zz")).is(t, "HEXPIRETIME", []time.Time{time.Unix(at.Unix(), 0), {}})
		atMs := time.Now().Add(4 * time.Hour).Truncate(time.Millisecond)
		coll(c.HPExpireAt(ctx, k, atMs, []string{"c"}, redis.ExpireOptions{GT: true})).is(t, "HPEXPIREAT GT", []redis.HFieldStatus{redis.HFieldUpdated})
		coll(c.HPExpireTime(ctx, k, "c")).is(t, "HPEXPIRETIME", []time.Time{time.UnixMilli(atMs.UnixMilli())})

		coll(c.HPersist(ctx, k, "c", "zz")).is(t, "HPERSIST", []redis.HFieldStatus{redis.HFieldUpdated, redis.HFieldMissing})
		coll(c.HPersist(ctx, k, "c")).is(t, "HPERSIST without expiry", []redis.HFieldStatus{redis.HFieldNoExpiry})

		coll(c.HExpireAt(ctx, k, time.Now().Add(-time.Hour), []string{"c"})).is(t, "HEXPIREAT in the past", []redis.HFieldStatus{redis.HFieldDeleted})
		coll(c.HExists(ctx, k, "c")).is(t, "HEXISTS after an expiry in the past", false)
		coll(c.HPExpire(ctx, k, 0, []string{"b"})).is(t, "HPEXPIRE 0", []redis.HFieldStatus{redis.HFieldDeleted})
		coll(c.HLen(ctx, k)).is(t, "fields left", 1)
	})
}

// TestHashGetSetEx needs HGETEX, HSETEX and HGETDEL (Redis 8.0).
func TestHashGetSetEx(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		requireCommand(t, c, "HSETEX")
		ctx := context.Background()
		k := key(t, "hash")
		coll(c.HSetEx(ctx, k, []redis.HashField{{Field: "a", Value: 1}, {Field: "b", Value: "two"}}, redis.HSetExOptions{FNX: true, TTL: time.Hour})).is(t, "HSETEX FNX EX", true)
		coll(c.HSetEx(ctx, k, []redis.HashField{{Field: "a", Value: 9}, {Field: "z", Value: 9}}, redis.HSetExOptions{FXX: true})).is(t, "HSETEX FXX with a missing field", false)
		coll(c.HSetEx(ctx, k, []redis.HashField{{Field: "a", Value: 10}}, redis.HSetExOptions{FXX: true, KeepTTL: true})).is(t, "HSETEX FXX KEEPTTL", true)
		ttls := coll(c.HTTL(ctx, k, "a", "b")).ok(t)
		if ttls[0] <= 59*time.Minute || ttls[1] <= 59*time.Minute {
			t.Fatalf("HTTL after HSETEX EX 3600 and KEEPTTL = %v", ttls)
		}

		coll(c.HGetEx(ctx, k, []string{"a", "zz"}, redis.HGetExOptions{Persist: true})).is(t, "HGETEX PERSIST", []redis.Null[string]{{V: "10", Valid: true}, {}})
		coll(c.HTTL(ctx, k, "a")).is(t, "HTTL after PERSIST", []time.Duration{redis.NoExpiry})
		coll(c.HGetEx(ctx, k, []string{"a"}, redis.HGetExOptions{TTL: 1500 * time.Millisecond})).is(t, "HGETEX PX", []redis.Null[string]{{V: "10", Valid: true}})
		if d := coll(c.HPTTL(ctx, k, "a")).ok(t)[0]; d <= 0 || d > 1500*time.Millisecond {
			t.Fatalf("HPTTL after HGETEX PX 1500 = %v", d)
		}

		coll(c.HGetDel(ctx, k, "b", "zz")).is(t, "HGETDEL", []redis.Null[string]{{V: "two", Valid: true}, {}})
		coll(c.HGetDel(ctx, k, "a")).is(t, "HGETDEL of the last field", []redis.Null[string]{{V: "10", Valid: true}})
		if n, err := c.Do(ctx, "EXISTS", k).Int64(); err != nil || n != 0 {
			t.Fatalf("EXISTS after deleting the last field = %d, %v; want 0", n, err)
		}
	})
}
