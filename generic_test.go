package redis_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/redistest"
)

// TestGenericEncoding checks the arguments the key commands send, and
// that conflicting or impossible options are refused before sending.
func TestGenericEncoding(t *testing.T) {
	at := time.Unix(1700000000, 0)
	atMs := time.UnixMilli(1700000000123)
	wantArgs(t, redis.Copy("a", "b"), "COPY", "a", "b")
	wantArgs(t, redis.Copy("a", "b", redis.CopyOptions{DB: new(int64(0)), Replace: true}), "COPY", "a", "b", "DB", "0", "REPLACE")
	wantArgs(t, redis.Exists("a", "b"), "EXISTS", "a", "b")
	wantArgs(t, redis.Expire("k", 90*time.Second), "EXPIRE", "k", "90")
	wantArgs(t, redis.Expire("k", time.Minute, redis.ExpireOptions{NX: true}), "EXPIRE", "k", "60", "NX")
	wantArgs(t, redis.Expire("k", time.Minute, redis.ExpireOptions{LT: true}), "EXPIRE", "k", "60", "LT")
	wantArgs(t, redis.PExpire("k", 1500*time.Millisecond, redis.ExpireOptions{XX: true}), "PEXPIRE", "k", "1500", "XX")
	wantArgs(t, redis.ExpireAt("k", at, redis.ExpireOptions{GT: true}), "EXPIREAT", "k", "1700000000", "GT")
	wantArgs(t, redis.PExpireAt("k", atMs), "PEXPIREAT", "k", "1700000000123")
	wantArgs(t, redis.ExpireTime("k"), "EXPIRETIME", "k")
	wantArgs(t, redis.PExpireTime("k"), "PEXPIRETIME", "k")
	wantArgs(t, redis.TTL("k"), "TTL", "k")
	wantArgs(t, redis.PTTL("k"), "PTTL", "k")
	wantArgs(t, redis.Persist("k"), "PERSIST", "k")
	wantArgs(t, redis.Keys("user:*"), "KEYS", "user:*")
	wantArgs(t, redis.Move("k", 3), "MOVE", "k", "3")
	wantArgs(t, redis.ObjectEncoding("k"), "OBJECT", "ENCODING", "k")
	wantArgs(t, redis.ObjectFreq("k"), "OBJECT", "FREQ", "k")
	wantArgs(t, redis.ObjectIdleTime("k"), "OBJECT", "IDLETIME", "k")
	wantArgs(t, redis.ObjectRefCount("k"), "OBJECT", "REFCOUNT", "k")
	wantArgs(t, redis.ObjectHelp(), "OBJECT", "HELP")
	wantArgs(t, redis.RandomKey(), "RANDOMKEY")
	wantArgs(t, redis.Rename("a", "b"), "RENAME", "a", "b")
	wantArgs(t, redis.RenameNX("a", "b"), "RENAMENX", "a", "b")
	wantArgs(t, redis.Touch("a", "b"), "TOUCH", "a", "b")
	wantArgs(t, redis.Type("k"), "TYPE", "k")
	wantArgs(t, redis.Unlink("a"), "UNLINK", "a")
	wantArgs(t, redis.Dump("k"), "DUMP", "k")

	// MIGRATE: one key, or several with an empty key; AUTH or AUTH2.
	wantArgs(t, redis.Migrate("10.0.0.1", 6380, "k", 0, 2*time.Second), "MIGRATE", "10.0.0.1", "6380", "k", "0", "2000")
	wantArgs(t, redis.Migrate("h", 1, "", 2, time.Second, redis.MigrateOptions{Copy: true, Replace: true, Password: "pw", Keys: []string{"a", "b"}}),
		"MIGRATE", "h", "1", "", "2", "1000", "COPY", "REPLACE", "AUTH", "pw", "KEYS", "a", "b")
	wantArgs(t, redis.Migrate("h", 1, "k", 0, time.Second, redis.MigrateOptions{Username: "u", Password: "pw"}),
		"MIGRATE", "h", "1", "k", "0", "1000", "AUTH2", "u", "pw")
	wantBuildError(t, redis.Migrate("h", 1, "k", 0, time.Second, redis.MigrateOptions{Keys: []string{"a"}}), "Keys")
	wantBuildError(t, redis.Migrate("h", 1, "", 0, time.Second), "no key")
	wantBuildError(t, redis.Migrate("h", 1, "k", 0, time.Second, redis.MigrateOptions{Username: "u"}), "Password")
	wantBuildError(t, redis.Migrate("h", 1, "k", 0, 1500*time.Microsecond), "milliseconds")

	// RESTORE: relative ttl, or ABSTTL with ExpireAt; IDLETIME, FREQ.
	wantArgs(t, redis.Restore("k", 0, "payload"), "RESTORE", "k", "0", "payload")
	wantArgs(t, redis.Restore("k", 5*time.Second, "p", redis.RestoreOptions{Replace: true, IdleTime: 30 * time.Second}),
		"RESTORE", "k", "5000", "p", "REPLACE", "IDLETIME", "30")
	wantArgs(t, redis.Restore("k", 0, "p", redis.RestoreOptions{ExpireAt: atMs, Freq: new(int64(0))}),
		"RESTORE", "k", "1700000000123", "p", "ABSTTL", "FREQ", "0")
	wantBuildError(t, redis.Restore("k", time.Second, "p", redis.RestoreOptions{ExpireAt: at}), "ExpireAt")
	wantBuildError(t, redis.Restore("k", 0, "p", redis.RestoreOptions{IdleTime: time.Second, Freq: new(int64(1))}), "IdleTime", "Freq")
	wantBuildError(t, redis.Restore("k", -time.Second, "p"), "negative")

	// SCAN.
	wantArgs(t, redis.ScanPage(0), "SCAN", "0")
	wantArgs(t, redis.ScanPage(9223372036854775807, redis.ScanOptions{Match: "u:*", Count: 100, Type: "hash"}),
		"SCAN", "9223372036854775807", "MATCH", "u:*", "COUNT", "100", "TYPE", "hash")

	// A cursor above the int64 range (the spec's grammar checker reads
	// integers as int64, so only the encoding is checked here).
	if got := argsOf(t, redis.ScanPage(18446744073709551615)); !slices.Equal(got, []string{"SCAN", "18446744073709551615"}) {
		t.Errorf("ScanPage(max uint64) encodes %q", got)
	}

	// SORT, SORT ... STORE, SORT_RO.
	wantArgs(t, redis.Sort("l"), "SORT", "l")
	wantArgs(t, redis.Sort("l", redis.SortOptions{By: "w_*", Limit: &redis.Limit{Offset: 0, Count: 5}, Get: []string{"#", "o_*"}, Desc: true, Alpha: true}),
		"SORT", "l", "BY", "w_*", "LIMIT", "0", "5", "GET", "#", "GET", "o_*", "DESC", "ALPHA")
	wantArgs(t, redis.SortStore("l", "dst", redis.SortOptions{Asc: true}), "SORT", "l", "ASC", "STORE", "dst")
	wantArgs(t, redis.SortRO("l", redis.SortOptions{Alpha: true}), "SORT_RO", "l", "ALPHA")
	wantBuildError(t, redis.Sort("l", redis.SortOptions{Asc: true, Desc: true}), "Asc", "Desc")

	// WAIT, WAITAOF: timeouts in milliseconds; they block.
	w := redis.Wait(1, 250*time.Millisecond)
	wantArgs(t, w, "WAIT", "1", "250")
	if d, ok := w.Blocking(); !ok || d != 250*time.Millisecond {
		t.Errorf("Wait(1, 250ms).Blocking() = %v, %v; want 250ms, true", d, ok)
	}
	if d, ok := redis.Wait(1, 0).Blocking(); !ok || d >= 0 {
		t.Errorf("Wait(1, 0).Blocking() = %v, %v; want a negative duration (forever), true", d, ok)
	}
	wantArgs(t, redis.WaitAOF(1, 0, time.Second), "WAITAOF", "1", "0", "1000")

	// Conflicting conditions and durations the unit cannot carry.
	wantBuildError(t, redis.Expire("k", time.Minute, redis.ExpireOptions{NX: true, XX: true}), "at most one")
	wantBuildError(t, redis.PExpireAt("k", at, redis.ExpireOptions{GT: true, LT: true}), "at most one")
	wantBuildError(t, redis.Expire("k", 1500*time.Millisecond), "whole number of seconds")
	wantBuildError(t, redis.PExpire("k", 1500*time.Microsecond), "whole number of milliseconds")
	wantBuildError(t, redis.Wait(1, 1500*time.Microsecond), "milliseconds")
}

func TestGenericExistsDelUnlinkTouch(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		a, b, missing := key(t, "a"), key(t, "b"), key(t, "missing")
		genericDo(t, c, "MSET", a, "1", b, "2")
		if n, err := c.Exists(ctx, a, b, missing, a); err != nil || n != 3 {
			t.Fatalf("Exists = %d, %v; want 3 (a counted twice)", n, err)
		}
		if n, err := c.Touch(ctx, a, missing); err != nil || n != 1 {
			t.Fatalf("Touch = %d, %v; want 1", n, err)
		}
		if n, err := c.Unlink(ctx, a, missing); err != nil || n != 1 {
			t.Fatalf("Unlink = %d, %v; want 1", n, err)
		}
		if n, err := c.Del(ctx, a, b); err != nil || n != 1 {
			t.Fatalf("Del = %d, %v; want 1", n, err)
		}
		if n, err := c.Exists(ctx, a, b); err != nil || n != 0 {
			t.Fatalf("Exists after Del = %d, %v; want 0", n, err)
		}
	})
}

func TestGenericCopyMoveRename(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		src, dst, other := key(t, "src"), key(t, "dst"), key(t, "other")
		genericDo(t, c, "SET", src, "v1")
		if ok, err := c.Copy(ctx, src, dst); err != nil || !ok {
			t.Fatalf("Copy = %v, %v; want true", ok, err)
		}
		genericDo(t, c, "SET", src, "v2")
		if ok, err := c.Copy(ctx, src, dst); err != nil || ok {
			t.Fatalf("Copy onto an existing key = %v, %v; want false", ok, err)
		}
		if ok, err := c.Copy(ctx, src, dst, redis.CopyOptions{Replace: true}); err != nil || !ok {
			t.Fatalf("Copy Replace = %v, %v; want true", ok, err)
		}
		genericWantString(t, c, dst, "v2")

		// To another database: COPY DB 1, then MOVE back from there.
		db1 := genericDBClient(t, c, 1)
		t.Cleanup(func() { db1.Del(ctx, other) })
		if ok, err := c.Copy(ctx, src, other, redis.CopyOptions{DB: new(int64(1))}); err != nil || !ok {
			t.Fatalf("Copy DB 1 = %v, %v; want true", ok, err)
		}
		genericWantString(t, db1, other, "v2")
		if ok, err := db1.Move(ctx, other, 0); err != nil || !ok {
			t.Fatalf("Move = %v, %v; want true", ok, err)
		}
		genericWantString(t, c, other, "v2")
		if ok, err := db1.Move(ctx, other, 0); err != nil || ok {
			t.Fatalf("Move of a missing key = %v, %v; want false", ok, err)
		}

		// RENAMENX refuses an existing target; RENAME overwrites it.
		if ok, err := c.RenameNX(ctx, src, dst); err != nil || ok {
			t.Fatalf("RenameNX onto an existing key = %v, %v; want false", ok, err)
		}
		if err := c.Rename(ctx, src, dst); err != nil {
			t.Fatalf("Rename: %v", err)
		}
		if ok, err := c.RenameNX(ctx, dst, src); err != nil || !ok {
			t.Fatalf("RenameNX = %v, %v; want true", ok, err)
		}
		genericWantString(t, c, src, "v2")
		if err := c.Rename(ctx, key(t, "missing"), dst); err == nil || !strings.Contains(err.Error(), "no such key") {
			t.Fatalf("Rename of a missing key: %v, want the server's no such key error", err)
		}
	})
}

func TestGenericExpiry(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		k, missing := key(t, "k"), key(t, "missing")
		genericDo(t, c, "SET", k, "v")

		// No expiry yet.
		if d, err := c.TTL(ctx, k); err != nil || d != redis.NoExpiry {
			t.Fatalf("TTL without expiry = %v, %v; want NoExpiry", d, err)
		}
		if d, err := c.PTTL(ctx, k); err != nil || d != redis.NoExpiry {
			t.Fatalf("PTTL without expiry = %v, %v; want NoExpiry", d, err)
		}
		if tm, err := c.ExpireTime(ctx, k); err != nil || !tm.IsZero() {
			t.Fatalf("ExpireTime without expiry = %v, %v; want the zero time", tm, err)
		}
		if tm, err := c.PExpireTime(ctx, k); err != nil || !tm.IsZero() {
			t.Fatalf("PExpireTime without expiry = %v, %v; want the zero time", tm, err)
		}
		// GT never applies to a key without expiry (it counts as infinite); NX does.
		if ok, err := c.Expire(ctx, k, 100*time.Second, redis.ExpireOptions{GT: true}); err != nil || ok {
			t.Fatalf("Expire GT without expiry = %v, %v; want false", ok, err)
		}
		if ok, err := c.Expire(ctx, k, 100*time.Second, redis.ExpireOptions{NX: true}); err != nil || !ok {
			t.Fatalf("Expire NX = %v, %v; want true", ok, err)
		}
		if d, err := c.TTL(ctx, k); err != nil || d <= 98*time.Second || d > 100*time.Second {
			t.Fatalf("TTL = %v, %v; want about 100s", d, err)
		}
		if ok, err := c.Expire(ctx, k, 200*time.Second, redis.ExpireOptions{LT: true}); err != nil || ok {
			t.Fatalf("Expire LT with a longer ttl = %v, %v; want false", ok, err)
		}
		if ok, err := c.PExpire(ctx, k, 50500*time.Millisecond, redis.ExpireOptions{XX: true}); err != nil || !ok {
			t.Fatalf("PExpire XX = %v, %v; want true", ok, err)
		}
		if d, err := c.PTTL(ctx, k); err != nil || d <= 49*time.Second || d > 50500*time.Millisecond {
			t.Fatalf("PTTL = %v, %v; want about 50.5s", d, err)
		}
		if d, err := c.TTL(ctx, k); err != nil || d%time.Second != 0 || d < 49*time.Second || d > 51*time.Second {
			t.Fatalf("TTL = %v, %v; want about 50s in whole seconds", d, err)
		}

		// Absolute times.
		at := time.Now().Add(time.Hour).Truncate(time.Second)
		if ok, err := c.ExpireAt(ctx, k, at); err != nil || !ok {
			t.Fatalf("ExpireAt = %v, %v; want true", ok, err)
		}
		if tm, err := c.ExpireTime(ctx, k); err != nil || !tm.Equal(at) {
			t.Fatalf("ExpireTime = %v, %v; want %v", tm, err, at)
		}
		atMs := time.Now().Add(2 * time.Hour).Truncate(time.Millisecond)
		if ok, err := c.PExpireAt(ctx, k, atMs, redis.ExpireOptions{GT: true}); err != nil || !ok {
			t.Fatalf("PExpireAt GT = %v, %v; want true", ok, err)
		}
		if tm, err := c.PExpireTime(ctx, k); err != nil || !tm.Equal(atMs) {
			t.Fatalf("PExpireTime = %v, %v; want %v", tm, err, atMs)
		}
		// The server rounds a millisecond expiry to the nearest second.
		if tm, err := c.ExpireTime(ctx, k); err != nil || !tm.Equal(atMs.Round(time.Second)) {
			t.Fatalf("ExpireTime = %v, %v; want %v", tm, err, atMs.Round(time.Second))
		}

		// PERSIST removes it, once.
		if ok, err := c.Persist(ctx, k); err != nil || !ok {
			t.Fatalf("Persist = %v, %v; want true", ok, err)
		}
		if ok, err := c.Persist(ctx, k); err != nil || ok {
			t.Fatalf("Persist again = %v, %v; want false", ok, err)
		}

		// A time in the past deletes the key.
		if ok, err := c.PExpireAt(ctx, k, time.Now().Add(-time.Minute)); err != nil || !ok {
			t.Fatalf("PExpireAt in the past = %v, %v; want true", ok, err)
		}
		// Missing keys: false for the setters, ErrNil for the readers.
		if ok, err := c.Expire(ctx, missing, time.Minute); err != nil || ok {
			t.Fatalf("Expire of a missing key = %v, %v; want false", ok, err)
		}
		for name, f := range map[string]func() error{
			"TTL":         func() error { _, err := c.TTL(ctx, k); return err },
			"PTTL":        func() error { _, err := c.PTTL(ctx, k); return err },
			"ExpireTime":  func() error { _, err := c.ExpireTime(ctx, k); return err },
			"PExpireTime": func() error { _, err := c.PExpireTime(ctx, k); return err },
		} {
			if err := f(); !errors.Is(err, redis.ErrNil) {
				t.Errorf("%s of a missing key: %v, want ErrNil", name, err)
			}
		}
	})
}

func TestGenericDumpRestore(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		src, dst := key(t, "src"), key(t, "dst")
		genericDo(t, c, "RPUSH", src, "a", "b\x00\xff", "c")
		payload, err := c.Dump(ctx, src)
		if err != nil || len(payload) < 10 {
			t.Fatalf("Dump = %q, %v; want a serialized value", payload, err)
		}
		if _, err := c.Dump(ctx, key(t, "missing")); !errors.Is(err, redis.ErrNil) {
			t.Fatalf("Dump of a missing key: %v, want ErrNil", err)
		}
		if err := c.Restore(ctx, dst, 0, payload); err != nil {
			t.Fatalf("Restore: %v", err)
		}
		got, err := c.Do(ctx, "LRANGE", dst, 0, -1).Strings()
		if err != nil || !slices.Equal(got, []string{"a", "b\x00\xff", "c"}) {
			t.Fatalf("restored list = %q, %v", got, err)
		}
		if d, err := c.TTL(ctx, dst); err != nil || d != redis.NoExpiry {
			t.Fatalf("TTL after Restore ttl 0 = %v, %v; want NoExpiry", d, err)
		}
		// The key exists: BUSYKEY, unless REPLACE.
		if err := c.Restore(ctx, dst, 0, payload); !errors.Is(err, &redis.Error{Msg: "BUSYKEY"}) {
			t.Fatalf("Restore onto an existing key: %v, want BUSYKEY", err)
		}
		if err := c.Restore(ctx, dst, 30*time.Second, payload, redis.RestoreOptions{Replace: true, IdleTime: 1000 * time.Second}); err != nil {
			t.Fatalf("Restore Replace: %v", err)
		}
		if d, err := c.PTTL(ctx, dst); err != nil || d <= 29*time.Second || d > 30*time.Second {
			t.Fatalf("PTTL after Restore 30s = %v, %v", d, err)
		}
		if d, err := c.ObjectIdleTime(ctx, dst); err != nil || d < 1000*time.Second || d > 1010*time.Second {
			t.Fatalf("ObjectIdleTime after Restore IdleTime 1000s = %v, %v", d, err)
		}
		at := time.Now().Add(time.Hour).Truncate(time.Millisecond)
		if err := c.Restore(ctx, dst, 0, payload, redis.RestoreOptions{Replace: true, ExpireAt: at}); err != nil {
			t.Fatalf("Restore ABSTTL: %v", err)
		}
		if tm, err := c.PExpireTime(ctx, dst); err != nil || !tm.Equal(at) {
			t.Fatalf("PExpireTime after Restore ExpireAt = %v, %v; want %v", tm, err, at)
		}
		if err := c.Restore(ctx, key(t, "bad"), 0, "not a payload"); err == nil {
			t.Fatal("Restore of a bad payload succeeded")
		}
	})
}

func TestGenericKeysTypeRandomKey(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		s, l, h := key(t, "s"), key(t, "l"), key(t, "h")
		genericDo(t, c, "SET", s, "v")
		genericDo(t, c, "RPUSH", l, "x")
		genericDo(t, c, "HSET", h, "f", "v")
		got, err := c.Keys(ctx, genericGlobEscape(key(t, ""))+"*")
		slices.Sort(got)
		want := []string{s, l, h}
		slices.Sort(want)
		if err != nil || !slices.Equal(got, want) {
			t.Fatalf("Keys = %q, %v; want %q", got, err, want)
		}
		for k, typ := range map[string]string{s: "string", l: "list", h: "hash", key(t, "missing"): "none"} {
			if got, err := c.Type(ctx, k); err != nil || got != typ {
				t.Errorf("Type(%s) = %q, %v; want %q", k, got, err, typ)
			}
		}
		k, err := c.RandomKey(ctx)
		if err != nil || k == "" {
			t.Fatalf("RandomKey = %q, %v; want a key", k, err)
		}
	})
}

// TestGenericRandomKeyEmpty needs an empty database, so its own server.
func TestGenericRandomKeyEmpty(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{})
	for _, p := range []int{2, 3} {
		c := redis.NewClient(&redis.Options{Addr: srv.Addr(), Protocol: p})
		defer c.Close()
		if k, err := c.RandomKey(context.Background()); !errors.Is(err, redis.ErrNil) {
			t.Errorf("RESP%d: RandomKey on an empty database = %q, %v; want ErrNil", p, k, err)
		}
	}
}

func TestGenericObject(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		n, s, l, missing := key(t, "n"), key(t, "s"), key(t, "l"), key(t, "missing")
		genericDo(t, c, "SET", n, "12345")
		genericDo(t, c, "SET", s, "short")
		genericDo(t, c, "RPUSH", l, "a", "b")
		for k, want := range map[string][]string{n: {"int"}, s: {"embstr"}, l: {"listpack", "quicklist", "ziplist"}} {
			if enc, err := c.ObjectEncoding(ctx, k); err != nil || !slices.Contains(want, enc) {
				t.Errorf("ObjectEncoding(%s) = %q, %v; want one of %q", k, enc, err, want)
			}
		}
		if rc, err := c.ObjectRefCount(ctx, l); err != nil || rc != 1 {
			t.Errorf("ObjectRefCount = %d, %v; want 1", rc, err)
		}
		if d, err := c.ObjectIdleTime(ctx, s); err != nil || d < 0 || d > time.Minute || d%time.Second != 0 {
			t.Errorf("ObjectIdleTime = %v, %v; want a few whole seconds at most", d, err)
		}
		help, err := c.ObjectHelp(ctx)
		if err != nil || len(help) < 4 || !strings.Contains(strings.Join(help, "\n"), "ENCODING") {
			t.Errorf("ObjectHelp = %q, %v", help, err)
		}
		// Under the default (LRU) policy the server refuses FREQ.
		if _, err := c.ObjectFreq(ctx, s); err == nil || !strings.Contains(err.Error(), "LFU") {
			t.Errorf("ObjectFreq without an LFU policy: %v, want the server's LFU error", err)
		}
		for name, f := range map[string]func() error{
			"ObjectEncoding": func() error { _, err := c.ObjectEncoding(ctx, missing); return err },
			"ObjectRefCount": func() error { _, err := c.ObjectRefCount(ctx, missing); return err },
			"ObjectIdleTime": func() error { _, err := c.ObjectIdleTime(ctx, missing); return err },
		} {
			if err := f(); !errors.Is(err, redis.ErrNil) {
				t.Errorf("%s of a missing key: %v, want ErrNil", name, err)
			}
		}
	})
}

// TestGenericObjectFreq needs an LFU maxmemory-policy, so its own server;
// RESTORE FREQ is checked there too.
func TestGenericObjectFreq(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{Args: []string{"--maxmemory-policy", "allkeys-lfu"}})
	for _, p := range []int{2, 3} {
		ctx := context.Background()
		c := redis.NewClient(&redis.Options{Addr: srv.Addr(), Protocol: p})
		defer c.Close()
		k := "k" + strconv.Itoa(p)
		genericDo(t, c, "SET", k, "v")
		payload, err := c.Dump(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Restore(ctx, k, 0, payload, redis.RestoreOptions{Replace: true, Freq: new(int64(100))}); err != nil {
			t.Fatalf("RESP%d: Restore Freq: %v", p, err)
		}
		if f, err := c.ObjectFreq(ctx, k); err != nil || f < 90 || f > 100 {
			t.Errorf("RESP%d: ObjectFreq after Restore Freq 100 = %d, %v", p, f, err)
		}
		if _, err := c.ObjectFreq(ctx, "missing"); !errors.Is(err, redis.ErrNil) {
			t.Errorf("RESP%d: ObjectFreq of a missing key: %v, want ErrNil", p, err)
		}
	}
}

func TestGenericScan(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		prefix := genericGlobEscape(key(t, ""))
		want := map[string]bool{}
		for i := range 30 {
			k := key(t, "s"+strconv.Itoa(i))
			genericDo(t, c, "SET", k, i)
			want[k] = true
		}
		l := key(t, "list")
		genericDo(t, c, "RPUSH", l, "x")

		// The iterator: every matching key, of the type asked for.
		got := map[string]bool{}
		for k, err := range c.Scan(ctx, redis.ScanOptions{Match: prefix + "*", Count: 7, Type: "string"}) {
			if err != nil {
				t.Fatal(err)
			}
			got[k] = true
		}
		if len(got) != len(want) {
			t.Fatalf("Scan TYPE string found %d keys, want %d", len(got), len(want))
		}
		for k := range want {
			if !got[k] {
				t.Fatalf("Scan missed %s", k)
			}
		}
		var lists []string
		for k, err := range c.Scan(ctx, redis.ScanOptions{Match: prefix + "*", Type: "list"}) {
			if err != nil {
				t.Fatal(err)
			}
			lists = append(lists, k)
		}
		if !slices.Equal(lists, []string{l}) {
			t.Fatalf("Scan TYPE list = %q, want [%s]", lists, l)
		}

		// Breaking out stops the iteration.
		n := 0
		for _, err := range c.Scan(ctx, redis.ScanOptions{Match: prefix + "*", Count: 2}) {
			if err != nil {
				t.Fatal(err)
			}
			if n++; n == 3 {
				break
			}
		}
		if n != 3 {
			t.Fatalf("iterated %d keys before break, want 3", n)
		}

		// The cursor level.
		pageKeys := map[string]bool{}
		var cursor uint64
		pages := 0
		for {
			p, err := c.ScanPage(ctx, cursor, redis.ScanOptions{Match: prefix + "*", Count: 5})
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, k := range p.Items {
				pageKeys[k] = true
			}
			if cursor = p.Cursor; cursor == 0 {
				break
			}
		}
		if len(pageKeys) != len(want)+1 || pages < 2 {
			t.Fatalf("ScanPage loop found %d keys in %d pages, want %d keys in several pages", len(pageKeys), pages, len(want)+1)
		}

		// An error ends the iteration after one yield.
		errs := 0
		for k, err := range c.Scan(ctx, redis.ScanOptions{Count: -1}) {
			if err == nil {
				t.Fatalf("Scan COUNT -1 yielded %q without error", k)
			}
			errs++
		}
		if errs != 1 {
			t.Fatalf("Scan with a bad COUNT yielded %d errors, want 1", errs)
		}
	})
}

func TestGenericSort(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		l, dst := key(t, "l"), key(t, "dst")
		w, o := key(t, "w_"), key(t, "o_")
		genericDo(t, c, "RPUSH", l, "3", "1", "2", "10")
		// weights invert the order; objects give names (none for 10).
		for _, id := range []string{"1", "2", "3", "10"} {
			n, _ := strconv.Atoi(id)
			genericDo(t, c, "SET", w+id, 100-n)
			if id != "10" {
				genericDo(t, c, "SET", o+id, "name"+id)
			}
		}
		check := func(name string, got []string, err error, want ...string) {
			t.Helper()
			if err != nil || !slices.Equal(got, want) {
				t.Errorf("%s = %q, %v; want %q", name, got, err, want)
			}
		}
		got, err := c.Sort(ctx, l)
		check("Sort", got, err, "1", "2", "3", "10")
		got, err = c.Sort(ctx, l, redis.SortOptions{Alpha: true})
		check("Sort Alpha", got, err, "1", "10", "2", "3")
		got, err = c.Sort(ctx, l, redis.SortOptions{Desc: true, Limit: &redis.Limit{Offset: 1, Count: 2}})
		check("Sort Desc Limit", got, err, "3", "2")
		got, err = c.Sort(ctx, l, redis.SortOptions{By: w + "*", Get: []string{"#", o + "*"}})
		check("Sort By Get", got, err, "10", "", "3", "name3", "2", "name2", "1", "name1")
		got, err = c.SortRO(ctx, l, redis.SortOptions{Desc: true})
		check("SortRO Desc", got, err, "10", "3", "2", "1")
		if n, err := c.SortStore(ctx, l, dst, redis.SortOptions{Limit: &redis.Limit{Offset: 0, Count: 3}}); err != nil || n != 3 {
			t.Fatalf("SortStore = %d, %v; want 3", n, err)
		}
		got, err = c.Do(ctx, "LRANGE", dst, 0, -1).Strings()
		check("stored list", got, err, "1", "2", "3")
		if _, err := c.Sort(ctx, key(t, "strings"), redis.SortOptions{}); err != nil {
			t.Errorf("Sort of a missing key: %v", err)
		}
	})
}

// TestGenericMigrate moves keys between two servers it starts itself
// (the same binary, so they agree on the DUMP format, and reach each
// other on the loopback interface).
func TestGenericMigrate(t *testing.T) {
	source := redistest.Start(t, redistest.Config{})
	target := redistest.Start(t, redistest.Config{})
	host, port := "127.0.0.1", target.Port()
	forProtocols(t, source, redis.Options{}, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		tc := redis.NewClient(&redis.Options{Addr: target.Addr()})
		defer tc.Close()
		a, b, cc := key(t, "a"), key(t, "b"), key(t, "c")
		genericDo(t, c, "MSET", a, "va", b, "vb", cc, "vc")

		if ok, err := c.Migrate(ctx, host, port, a, 0, 5*time.Second); err != nil || !ok {
			t.Fatalf("Migrate = %v, %v; want true", ok, err)
		}
		genericWantString(t, tc, a, "va")
		if n, _ := c.Exists(ctx, a); n != 0 {
			t.Fatal("the migrated key is still here")
		}
		// COPY keeps the keys here; KEYS moves several.
		if ok, err := c.Migrate(ctx, host, port, "", 0, 5*time.Second, redis.MigrateOptions{Copy: true, Keys: []string{b, cc}}); err != nil || !ok {
			t.Fatalf("Migrate Copy Keys = %v, %v; want true", ok, err)
		}
		genericWantString(t, tc, b, "vb")
		genericWantString(t, tc, cc, "vc")
		genericWantString(t, c, b, "vb")
		// The target has b: an error, unless REPLACE.
		genericDo(t, c, "SET", b, "vb2")
		if _, err := c.Migrate(ctx, host, port, b, 0, 5*time.Second, redis.MigrateOptions{Copy: true}); err == nil || !strings.Contains(err.Error(), "BUSYKEY") {
			t.Fatalf("Migrate onto an existing key: %v, want BUSYKEY", err)
		}
		if ok, err := c.Migrate(ctx, host, port, b, 0, 5*time.Second, redis.MigrateOptions{Replace: true}); err != nil || !ok {
			t.Fatalf("Migrate Replace = %v, %v; want true", ok, err)
		}
		genericWantString(t, tc, b, "vb2")
		// Nothing to move: NOKEY.
		if ok, err := c.Migrate(ctx, host, port, key(t, "missing"), 0, 5*time.Second); err != nil || ok {
			t.Fatalf("Migrate of a missing key = %v, %v; want false", ok, err)
		}
	})
}

func TestGenericWait(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		if n, err := c.Wait(ctx, 0, 100*time.Millisecond); err != nil || n != 0 {
			t.Fatalf("Wait(0, 100ms) = %d, %v; want 0 replicas", n, err)
		}
		// Asking for a replica the server does not have blocks until the
		// timeout, and the client waits for it.
		start := time.Now()
		n, err := c.Wait(ctx, 1, 150*time.Millisecond)
		if el := time.Since(start); err != nil || n != 0 || el < 100*time.Millisecond {
			t.Fatalf("Wait(1, 150ms) = %d, %v after %v; want 0 after about 150ms", n, err, el)
		}
	})
}

// TestGenericWaitAOF needs appendonly, so its own server.
func TestGenericWaitAOF(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{Args: []string{"--appendonly", "yes"}})
	for _, p := range []int{2, 3} {
		t.Run("RESP"+strconv.Itoa(p), func(t *testing.T) {
			ctx := context.Background()
			c := redis.NewClient(&redis.Options{Addr: srv.Addr(), Protocol: p})
			defer c.Close()
			requireCommand(t, c, "WAITAOF")
			acks, err := c.WaitAOF(ctx, 1, 0, time.Second)
			if err != nil || acks != (redis.WaitAOFAcks{Local: 1, Replicas: 0}) {
				t.Fatalf("WaitAOF(1, 0, 1s) = %+v, %v; want local 1, replicas 0", acks, err)
			}
		})
	}
}

// genericDo runs a setup command and fails the test on an error.
func genericDo(t *testing.T, c *redis.Client, args ...any) {
	t.Helper()
	if err := c.Do(context.Background(), args...).Err(); err != nil && !errors.Is(err, redis.ErrNil) {
		t.Fatalf("%v: %v", args, err)
	}
}

// genericWantString checks a string key's value.
func genericWantString(t *testing.T, c *redis.Client, k, want string) {
	t.Helper()
	if got, err := c.Get(context.Background(), k); err != nil || got != want {
		t.Fatalf("GET %s = %q, %v; want %q", k, got, err, want)
	}
}

// genericDBClient returns a client like c on database db.
func genericDBClient(t *testing.T, c *redis.Client, db int) *redis.Client {
	o := c.Options()
	o.DB = db
	d := redis.NewClient(&o)
	t.Cleanup(func() { d.Close() })
	return d
}

// genericGlobEscape quotes the glob metacharacters of s, for MATCH and KEYS.
func genericGlobEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// TestGenericTTLBeyondDuration: Redis accepts TTLs longer than a
// time.Duration can hold (about 292 years); the decoder reports that
// instead of returning a wrapped-around duration.
func TestGenericTTLBeyondDuration(t *testing.T) {
	ctx := context.Background()
	withClients(t, func(t *testing.T, c *redis.Client) {
		k := key(t, "k")
		if err := c.Set(ctx, k, "v"); err != nil {
			t.Fatal(err)
		}
		if err := c.Do(ctx, "EXPIRE", k, int64(1e12)).Err(); err != nil {
			t.Fatal(err)
		}
		if d, err := c.TTL(ctx, k); err == nil || !strings.Contains(err.Error(), "does not fit") {
			t.Fatalf("TTL of 10^12 s = %v, %v; want an error", d, err)
		}
		if d, err := c.PTTL(ctx, k); err == nil || !strings.Contains(err.Error(), "does not fit") {
			t.Fatalf("PTTL of 10^15 ms = %v, %v; want an error", d, err)
		}
		// 200 years fits.
		const years200 = 200 * 365 * 24 * time.Hour
		if err := c.Do(ctx, "EXPIRE", k, int64(years200/time.Second)).Err(); err != nil {
			t.Fatal(err)
		}
		if d, err := c.TTL(ctx, k); err != nil || d < years200-time.Minute || d > years200 {
			t.Fatalf("TTL of 200 years = %v, %v", d, err)
		}
		c.Del(ctx, k)
	})
}
