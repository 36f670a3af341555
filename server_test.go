package redis_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/redistest"
)

// serverOwn runs body under RESP2 and RESP3 with clients of srv, a server
// started by the test (for commands that change the server's state).
func serverOwn(t *testing.T, srv *redistest.Server, body func(t *testing.T, c *redis.Client)) {
	t.Helper()
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			c := redis.NewClient(&redis.Options{Addr: srv.Addr(), Protocol: proto})
			t.Cleanup(func() { c.Close() })
			body(t, c)
		})
	}
}

func serverCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// serverWait polls cond every 20ms until it holds or 10 s pass.
func serverWait(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestServerEncoding(t *testing.T) {
	wantArgs(t, redis.ACLCat(), "ACL", "CAT")
	wantArgs(t, redis.ACLCatCommands("read"), "ACL", "CAT", "read")
	wantArgs(t, redis.ACLDelUser("a", "b"), "ACL", "DELUSER", "a", "b")
	wantArgs(t, redis.ACLDryRun("u", "set", "k", 1), "ACL", "DRYRUN", "u", "set", "k", "1")
	wantArgs(t, redis.ACLGenPass(redis.ACLGenPassOptions{Bits: 128}), "ACL", "GENPASS", "128")
	wantArgs(t, redis.ACLLog(redis.ACLLogOptions{Count: 3}), "ACL", "LOG", "3")
	wantArgs(t, redis.ACLLogReset(), "ACL", "LOG", "RESET")
	wantArgs(t, redis.ACLSetUser("u"), "ACL", "SETUSER", "u")
	wantArgs(t, redis.ACLSetUser("u", "on", ">pw", "+@all"), "ACL", "SETUSER", "u", "on", ">pw", "+@all")
	wantArgs(t, redis.BgSave(redis.BgSaveOptions{Schedule: true}), "BGSAVE", "SCHEDULE")
	wantArgs(t, redis.CommandDocs(), "COMMAND", "DOCS")
	wantArgs(t, redis.CommandDocs("get", "set"), "COMMAND", "DOCS", "get", "set")
	wantArgs(t, redis.CommandInfo("get"), "COMMAND", "INFO", "get")
	wantArgs(t, redis.CommandGetKeys("mset", "a", 1), "COMMAND", "GETKEYS", "mset", "a", "1")
	wantArgs(t, redis.CommandGetKeysAndFlags("set", "a", "b"), "COMMAND", "GETKEYSANDFLAGS", "set", "a", "b")
	wantArgs(t, redis.CommandList(), "COMMAND", "LIST")
	wantArgs(t, redis.CommandList(redis.CommandListOptions{Module: "m"}), "COMMAND", "LIST", "FILTERBY", "MODULE", "m")
	wantArgs(t, redis.CommandList(redis.CommandListOptions{ACLCat: "read"}), "COMMAND", "LIST", "FILTERBY", "ACLCAT", "read")
	wantArgs(t, redis.CommandList(redis.CommandListOptions{Pattern: "x*"}), "COMMAND", "LIST", "FILTERBY", "PATTERN", "x*")
	wantBuildError(t, redis.CommandList(redis.CommandListOptions{ACLCat: "read", Pattern: "x*"}), "at most one")
	wantArgs(t, redis.ConfigGet("maxmemory", "hz"), "CONFIG", "GET", "maxmemory", "hz")
	wantArgs(t, redis.ConfigSet("hz", 20), "CONFIG", "SET", "hz", "20")
	wantArgs(t, redis.ConfigSetMany(map[string]string{"maxmemory": "1mb", "hz": "20"}), "CONFIG", "SET", "hz", "20", "maxmemory", "1mb")
	wantBuildError(t, redis.ConfigSetMany(nil), "at least one")
	wantArgs(t, redis.FlushAll(), "FLUSHALL")
	wantArgs(t, redis.FlushAll(redis.FlushAllOptions{Async: true}), "FLUSHALL", "ASYNC")
	wantArgs(t, redis.FlushDB(redis.FlushDBOptions{Sync: true}), "FLUSHDB", "SYNC")
	wantBuildError(t, redis.FlushDB(redis.FlushDBOptions{Sync: true, Async: true}), "at most one")
	wantArgs(t, redis.SwapDB(0, 1), "SWAPDB", "0", "1")
	wantArgs(t, redis.Failover(), "FAILOVER")
	wantArgs(t, redis.Failover(redis.FailoverOptions{Target: &redis.FailoverTarget{Host: "h", Port: 7000, Force: true}, Timeout: 1500 * time.Millisecond}),
		"FAILOVER", "TO", "h", "7000", "FORCE", "TIMEOUT", "1500")
	wantArgs(t, redis.Failover(redis.FailoverOptions{Abort: true}), "FAILOVER", "ABORT")
	wantArgs(t, redis.ReplicaOf("10.0.0.1", 6380), "REPLICAOF", "10.0.0.1", "6380")
	wantArgs(t, redis.ReplicaOfNoOne(), "REPLICAOF", "NO", "ONE")
	wantBuildError(t, redis.ReplicaOf("h", 0), "port")
	wantArgs(t, redis.SlaveOf("h", 1), "SLAVEOF", "h", "1")
	wantArgs(t, redis.SlaveOfNoOne(), "SLAVEOF", "NO", "ONE")
	wantArgs(t, redis.Info(), "INFO")
	wantArgs(t, redis.Info("server", "clients"), "INFO", "server", "clients")
	wantArgs(t, redis.Lolwut(redis.LolwutOptions{Version: 5}), "LOLWUT", "VERSION", "5")
	wantArgs(t, redis.LatencyHistogram("get", "set"), "LATENCY", "HISTOGRAM", "get", "set")
	wantArgs(t, redis.LatencyReset(), "LATENCY", "RESET")
	wantArgs(t, redis.LatencyReset("command"), "LATENCY", "RESET", "command")
	wantArgs(t, redis.LatencyHistory("command"), "LATENCY", "HISTORY", "command")
	wantArgs(t, redis.MemoryUsage("k"), "MEMORY", "USAGE", "k")
	zero := int64(0)
	wantArgs(t, redis.MemoryUsage("k", redis.MemoryUsageOptions{Samples: &zero}), "MEMORY", "USAGE", "k", "SAMPLES", "0")
	wantArgs(t, redis.ModuleLoad("/m.so", "a", "b"), "MODULE", "LOAD", "/m.so", "a", "b")
	wantArgs(t, redis.ModuleLoadEx("/m.so", redis.ModuleLoadExOptions{
		Configs: []redis.ModuleConfig{{Name: "c1", Value: "v1"}, {Name: "c2", Value: "v2"}}, Args: []string{"x"}}),
		"MODULE", "LOADEX", "/m.so", "CONFIG", "c1", "v1", "CONFIG", "c2", "v2", "ARGS", "x")
	wantArgs(t, redis.ModuleUnload("m"), "MODULE", "UNLOAD", "m")
	wantArgs(t, redis.SlowLogGet(redis.SlowLogGetOptions{Count: -1}), "SLOWLOG", "GET", "-1")
	wantArgs(t, redis.Shutdown(redis.ShutdownOptions{NoSave: true, Now: true, Force: true}), "SHUTDOWN", "NOSAVE", "NOW", "FORCE")
	wantArgs(t, redis.Shutdown(redis.ShutdownOptions{Abort: true}), "SHUTDOWN", "ABORT")
	wantBuildError(t, redis.Shutdown(redis.ShutdownOptions{NoSave: true, Save: true}), "at most one")
	wantArgs(t, redis.RestoreAsking("k", 2*time.Second, []byte("payload"), redis.RestoreAskingOptions{Replace: true, AbsTTL: true, IdleTime: 10 * time.Second, Freq: 3}),
		"RESTORE-ASKING", "k", "2000", "payload", "REPLACE", "ABSTTL", "IDLETIME", "10", "FREQ", "3")
	wantArgs(t, redis.SFlush([]redis.SlotSpan{{Start: 0, End: 100}, {Start: 200, End: 300}}, redis.SFlushOptions{Async: true}),
		"SFLUSH", "0", "100", "200", "300", "ASYNC")
	wantBuildError(t, redis.SFlush(nil), "at least one")
	wantArgs(t, redis.TrimSlots(redis.SlotSpan{Start: 0, End: 10}, redis.SlotSpan{Start: 20, End: 30}),
		"TRIMSLOTS", "RANGES", "2", "0", "10", "20", "30")
	wantBuildError(t, redis.TrimSlots(), "at least one")
	wantArgs(t, redis.HotkeysStart(redis.HotkeysStartOptions{CPU: true}), "HOTKEYS", "START", "METRICS", "1", "CPU")
	wantArgs(t, redis.HotkeysStart(redis.HotkeysStartOptions{CPU: true, Net: true, Count: 10, Duration: 5 * time.Second, Sample: 2, Slots: []int64{1, 2}}),
		"HOTKEYS", "START", "METRICS", "2", "CPU", "NET", "COUNT", "10", "DURATION", "5", "SAMPLE", "2", "SLOTS", "2", "1", "2")
	wantBuildError(t, redis.HotkeysStart(), "CPU and Net")
	wantBuildError(t, redis.HotkeysStart(redis.HotkeysStartOptions{Net: true, Duration: 1500 * time.Millisecond}), "seconds")
	wantArgs(t, redis.HotkeysGet(), "HOTKEYS", "GET")
	// DEBUG's subcommands are not in the spec's grammar: check the bytes only.
	if got := argsOf(t, redis.Debug("SLEEP", 0)); !slices.Equal(got, []string{"DEBUG", "SLEEP", "0"}) {
		t.Fatalf("Debug encodes %q", got)
	}
	wantBuildError(t, redis.Debug(""), "subcommand")
}

func TestServerParseInfo(t *testing.T) {
	info := redis.ParseInfo("# Server\r\nredis_version:7.0.15\r\nos:Linux 6.1\r\n\r\n# Keyspace\r\ndb0:keys=1,expires=0\r\n")
	if got := info.Sections["server"]["redis_version"]; got != "7.0.15" {
		t.Fatalf("redis_version = %q", got)
	}
	if got := info.Sections["server"]["os"]; got != "Linux 6.1" {
		t.Fatalf("os = %q", got)
	}
	if v, ok := info.Get("db0"); !ok || v != "keys=1,expires=0" {
		t.Fatalf("Get(db0) = %q, %v", v, ok)
	}
	if _, ok := info.Get("nope"); ok {
		t.Fatal("Get found a missing field")
	}
}

// TestServerIntrospection covers the read-only commands on the shared
// server: INFO, TIME, LASTSAVE, ROLE, LOLWUT, DEBUG, MEMORY, MODULE LIST
// and the help texts.
func TestServerIntrospection(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := serverCtx(t)
		info, err := c.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if info.Sections["server"]["redis_version"] == "" || !strings.Contains(info.Raw, "# Server") {
			t.Fatalf("INFO: no redis_version in %d sections", len(info.Sections))
		}
		info, err = c.Info(ctx, "clients")
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := info.Sections["server"]; ok || len(info.Sections) != 1 {
			t.Fatalf("INFO clients gave sections %v", info.Sections)
		}
		if n, ok := info.Get("connected_clients"); !ok || n == "0" {
			t.Fatalf("connected_clients = %q, %v", n, ok)
		}

		now, err := c.Time(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if d := time.Since(now); d > time.Minute || d < -time.Minute {
			t.Fatalf("TIME = %v, %v from the local clock", now, d)
		}
		last, err := c.LastSave(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if last.After(now.Add(time.Second)) || last.Year() < 2020 {
			t.Fatalf("LASTSAVE = %v", last)
		}

		role, err := c.Role(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if role.Role != "master" || role.ReplicationOffset < 0 {
			t.Fatalf("ROLE = %+v", role)
		}

		art, err := c.Lolwut(ctx, redis.LolwutOptions{Version: 5})
		if err != nil || !strings.Contains(art, " ver. ") { // "Redis ver. 7.0.15", "Valkey ver. ..."
			t.Fatalf("LOLWUT = %q, %v", art, err)
		}

		k := key(t, "debug")
		if err := c.Set(ctx, k, "12345"); err != nil {
			t.Fatal(err)
		}
		t.Run("DEBUG", func(t *testing.T) {
			// A server started without enable-debug-command refuses DEBUG.
			requireSupport(t, c, "DEBUG (enable-debug-command)", "DEBUG", "SLEEP", 0)
			obj, err := c.Debug(ctx, "OBJECT", k)
			if err != nil || !strings.Contains(obj, "encoding:int") {
				t.Fatalf("DEBUG OBJECT = %q, %v", obj, err)
			}
			if s, err := c.Debug(ctx, "SLEEP", 0); err != nil || s != "OK" {
				t.Fatalf("DEBUG SLEEP 0 = %q, %v", s, err)
			}
		})

		usage, err := c.MemoryUsage(ctx, k)
		if err != nil || usage <= 0 {
			t.Fatalf("MEMORY USAGE = %d, %v", usage, err)
		}
		zero := int64(0)
		if n, err := c.MemoryUsage(ctx, k, redis.MemoryUsageOptions{Samples: &zero}); err != nil || n != usage {
			t.Fatalf("MEMORY USAGE SAMPLES 0 = %d, %v; want %d", n, err, usage)
		}
		if _, err := c.MemoryUsage(ctx, key(t, "missing")); !errors.Is(err, redis.ErrNil) {
			t.Fatalf("MEMORY USAGE of a missing key: %v, want ErrNil", err)
		}
		stats, err := c.MemoryStats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if stats.TotalAllocated <= 0 || stats.PeakAllocated < stats.TotalAllocated/2 || stats.KeysCount < 1 ||
			stats.Fields["total.allocated"] != float64(stats.TotalAllocated) || stats.Fragmentation <= 0 {
			t.Fatalf("MEMORY STATS = %+v", stats)
		}
		if _, ok := stats.DBs[0]; !ok {
			t.Fatalf("MEMORY STATS has no db.0: %+v", stats.DBs)
		}
		for name, call := range map[string]func(context.Context) (string, error){
			"MEMORY DOCTOR": c.MemoryDoctor, "MEMORY MALLOC-STATS": c.MemoryMallocStats,
		} {
			if s, err := call(ctx); err != nil || s == "" {
				t.Fatalf("%s = %q, %v", name, s, err)
			}
		}
		if err := c.MemoryPurge(ctx); err != nil {
			t.Fatal(err)
		}

		// The test server loads no module, but Redis 8 lists its built-in
		// ones (vectorset): each entry must be decoded with its name.
		mods, err := c.ModuleList(ctx)
		if err != nil || mods == nil || slices.ContainsFunc(mods, func(m redis.Module) bool { return m.Name == "" }) {
			t.Fatalf("MODULE LIST = %#v, %v", mods, err)
		}

		for name, call := range map[string]func(context.Context) ([]string, error){
			"ACL HELP": c.ACLHelp, "COMMAND HELP": c.CommandHelp, "CONFIG HELP": c.ConfigHelp,
			"LATENCY HELP": c.LatencyHelp, "MEMORY HELP": c.MemoryHelp, "MODULE HELP": c.ModuleHelp,
			"SLOWLOG HELP": c.SlowLogHelp,
		} {
			lines, err := call(ctx)
			if err != nil || len(lines) < 2 || !strings.Contains(strings.ToUpper(lines[0]), strings.Fields(name)[0]) {
				t.Fatalf("%s = %q, %v", name, lines, err)
			}
		}
		who, err := c.ACLWhoAmI(ctx)
		if err != nil || who != aclUser(c) {
			t.Fatalf("ACL WHOAMI = %q, %v", who, err)
		}
	})
}

func TestServerCommand(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := serverCtx(t)
		n, err := c.CommandCount(ctx)
		if err != nil || n < 100 {
			t.Fatalf("COMMAND COUNT = %d, %v", n, err)
		}
		all, err := c.CommandList(ctx)
		if err != nil || int64(len(all)) < n || !slices.Contains(all, "get") || !slices.Contains(all, "config|get") {
			t.Fatalf("COMMAND LIST: %d names, %v; COMMAND COUNT %d", len(all), err, n)
		}
		conf, err := c.CommandList(ctx, redis.CommandListOptions{Pattern: "conf*"})
		if err != nil || !slices.Contains(conf, "config") || slices.Contains(conf, "get") {
			t.Fatalf("COMMAND LIST FILTERBY PATTERN = %q, %v", conf, err)
		}
		read, err := c.CommandList(ctx, redis.CommandListOptions{ACLCat: "read"})
		if err != nil || !slices.Contains(read, "get") || slices.Contains(read, "set") {
			t.Fatalf("COMMAND LIST FILTERBY ACLCAT read = %q, %v", read, err)
		}
		mods, err := c.CommandList(ctx, redis.CommandListOptions{Module: "nosuchmodule"})
		if err != nil || len(mods) != 0 {
			t.Fatalf("COMMAND LIST FILTERBY MODULE = %q, %v", mods, err)
		}

		docs, err := c.CommandDocs(ctx, "set", "config", "nosuchcommand")
		if err != nil {
			t.Fatal(err)
		}
		set, ok := docs["set"]
		if !ok || len(docs) != 2 || set.Group != "string" || set.Since != "1.0.0" || set.Summary == "" || set.Complexity == "" || len(set.History) == 0 {
			t.Fatalf("COMMAND DOCS set = %+v (of %d docs)", set, len(docs))
		}
		if a := set.Arguments[0]; a.Name != "key" || a.Type != "key" || a.KeySpecIndex != 0 || a.Optional {
			t.Fatalf("SET's first argument = %+v", a)
		}
		var cond *redis.CommandArg
		for i := range set.Arguments {
			if set.Arguments[i].Name == "condition" {
				cond = &set.Arguments[i]
			}
		}
		if cond == nil || cond.Type != "oneof" || !cond.Optional || cond.KeySpecIndex != -1 || len(cond.Arguments) < 2 ||
			cond.Arguments[0].Token != "NX" || cond.Arguments[0].Type != "pure-token" {
			t.Fatalf("SET's condition argument = %+v", cond)
		}
		if sub := docs["config"].Subcommands["config|get"]; sub.Summary == "" || len(sub.Arguments) != 1 || !sub.Arguments[0].Multiple {
			t.Fatalf("COMMAND DOCS config|get = %+v", sub)
		}

		infos, err := c.CommandInfo(ctx, "get", "config", "nosuchcommand")
		if err != nil || len(infos) != 2 {
			t.Fatalf("COMMAND INFO: %d entries, %v", len(infos), err)
		}
		get := infos[0]
		if get.Name != "get" || get.Arity != 2 || !slices.Contains(get.Flags, "readonly") || get.FirstKey != 1 || get.LastKey != 1 ||
			get.Step != 1 || !slices.Contains(get.ACLCategories, "@read") || len(get.KeySpecs) != 1 {
			t.Fatalf("COMMAND INFO get = %+v", get)
		}
		ks := get.KeySpecs[0]
		if !slices.Contains(ks.Flags, "RO") || ks.BeginSearch.Type != "index" || ks.BeginSearch.Index != 1 ||
			ks.FindKeys.Type != "range" || ks.FindKeys.LastKey != 0 || ks.FindKeys.KeyStep != 1 {
			t.Fatalf("GET key spec = %+v", ks)
		}
		cfg := infos[1]
		if cfg.Name != "config" || len(cfg.Subcommands) < 4 || !slices.ContainsFunc(cfg.Subcommands, func(s redis.CommandSpec) bool {
			return s.Name == "config|get" && s.Arity == -3 && slices.Contains(s.Flags, "admin")
		}) {
			t.Fatalf("COMMAND INFO config = %+v", cfg)
		}
		// Tips: KEYS has a nondeterministic output order.
		keys, err := c.CommandInfo(ctx, "keys")
		if err != nil || len(keys) != 1 || !slices.Contains(keys[0].Tips, "nondeterministic_output_order") {
			t.Fatalf("COMMAND INFO keys = %+v, %v", keys, err)
		}

		gk, err := c.CommandGetKeys(ctx, "mset", "a", 1, "b", 2)
		if err != nil || !slices.Equal(gk, []string{"a", "b"}) {
			t.Fatalf("COMMAND GETKEYS = %q, %v", gk, err)
		}
		kf, err := c.CommandGetKeysAndFlags(ctx, "lmove", "src", "dst", "LEFT", "RIGHT")
		if err != nil || len(kf) != 2 || kf[0].Key != "src" || kf[1].Key != "dst" ||
			!slices.Contains(kf[0].Flags, "RW") || !slices.Contains(kf[1].Flags, "insert") {
			t.Fatalf("COMMAND GETKEYSANDFLAGS = %+v, %v", kf, err)
		}
	})
}

func TestServerMonitor(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := serverCtx(t)
		cn, err := c.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer cn.Close()
		if err := cn.Monitor(ctx); err != nil {
			t.Fatal(err)
		}
		list, err := c.Do(ctx, "CLIENT", "LIST").Text()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(list, "flags=O ") {
			t.Fatalf("no monitoring client (flags=O) in CLIENT LIST:\n%s", list)
		}
	})
}

func TestServerRestoreAsking(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := serverCtx(t)
		src, dst := key(t, "src"), key(t, "dst")
		if err := c.Set(ctx, src, "hello"); err != nil {
			t.Fatal(err)
		}
		dump, err := c.Do(ctx, "DUMP", src).Bytes()
		if err != nil {
			t.Fatal(err)
		}
		dump = slices.Clone(dump)
		if err := c.RestoreAsking(ctx, dst, 0, dump); err != nil {
			t.Fatal(err)
		}
		if err := c.RestoreAsking(ctx, dst, 0, dump); err == nil || !strings.Contains(err.Error(), "BUSYKEY") {
			t.Fatalf("RESTORE-ASKING onto an existing key: %v, want BUSYKEY", err)
		}
		if err := c.RestoreAsking(ctx, dst, time.Minute, dump, redis.RestoreAskingOptions{Replace: true}); err != nil {
			t.Fatal(err)
		}
		if v, err := c.Get(ctx, dst); err != nil || v != "hello" {
			t.Fatalf("GET after RESTORE-ASKING = %q, %v", v, err)
		}
		if ttl, err := c.Do(ctx, "PTTL", dst).Int64(); err != nil || ttl <= 0 || ttl > 60000 {
			t.Fatalf("PTTL after RESTORE-ASKING with a TTL = %d, %v", ttl, err)
		}
	})
}

func TestServerACL(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{})
	serverOwn(t, srv, func(t *testing.T, c *redis.Client) {
		ctx := serverCtx(t)
		alice := "alice" + strings.TrimPrefix(t.Name(), "TestServerACL/")
		if err := c.ACLSetUser(ctx, alice, "on", ">secret", "~k:*", "&chan", "+get"); err != nil {
			t.Fatal(err)
		}
		if err := c.ACLSetUser(ctx, alice, "(~s:* +set)"); err != nil {
			t.Fatal(err)
		}
		u, err := c.ACLGetUser(ctx, alice)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte("secret"))
		if !slices.Contains(u.Flags, "on") || !slices.Equal(u.Passwords, []string{hex.EncodeToString(sum[:])}) ||
			!strings.Contains(u.Commands, "+get") || u.Keys != "~k:*" || u.Channels != "&chan" {
			t.Fatalf("ACL GETUSER = %+v", u)
		}
		if len(u.Selectors) != 1 || u.Selectors[0].Keys != "~s:*" || !strings.Contains(u.Selectors[0].Commands, "+set") {
			t.Fatalf("ACL GETUSER selectors = %+v", u.Selectors)
		}
		if _, err := c.ACLGetUser(ctx, "nosuchuser"); !errors.Is(err, redis.ErrNil) {
			t.Fatalf("ACL GETUSER of a missing user: %v, want ErrNil", err)
		}
		users, err := c.ACLUsers(ctx)
		if err != nil || !slices.Contains(users, alice) || !slices.Contains(users, "default") {
			t.Fatalf("ACL USERS = %q, %v", users, err)
		}
		lines, err := c.ACLList(ctx)
		if err != nil || !slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, "user "+alice+" on") }) {
			t.Fatalf("ACL LIST = %q, %v", lines, err)
		}
		cats, err := c.ACLCat(ctx)
		if err != nil || !slices.Contains(cats, "read") || !slices.Contains(cats, "dangerous") {
			t.Fatalf("ACL CAT = %q, %v", cats, err)
		}
		readCmds, err := c.ACLCatCommands(ctx, "read")
		if err != nil || !slices.Contains(readCmds, "get") || slices.Contains(readCmds, "set") {
			t.Fatalf("ACL CAT read = %q, %v", readCmds, err)
		}
		pw, err := c.ACLGenPass(ctx)
		if _, herr := hex.DecodeString(pw); err != nil || len(pw) != 64 || herr != nil {
			t.Fatalf("ACL GENPASS = %q, %v", pw, err)
		}
		if pw, err := c.ACLGenPass(ctx, redis.ACLGenPassOptions{Bits: 32}); err != nil || len(pw) != 8 {
			t.Fatalf("ACL GENPASS 32 = %q, %v", pw, err)
		}
		if why, err := c.ACLDryRun(ctx, alice, "get", "k:1"); err != nil || why != "" {
			t.Fatalf("ACL DRYRUN allowed = %q, %v", why, err)
		}
		if why, err := c.ACLDryRun(ctx, alice, "get", "other"); err != nil || !strings.Contains(why, "permission") {
			t.Fatalf("ACL DRYRUN denied = %q, %v", why, err)
		}

		// A failed AUTH lands in the ACL log.
		if err := c.ACLLogReset(ctx); err != nil {
			t.Fatal(err)
		}
		cn, err := c.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if err := cn.Do(ctx, "AUTH", alice, "wrong").Err(); err == nil {
				t.Fatal("AUTH with a wrong password succeeded")
			}
		}
		cn.Close()
		log, err := c.ACLLog(ctx)
		if err != nil || len(log) != 1 {
			t.Fatalf("ACL LOG = %+v, %v", log, err)
		}
		e := log[0]
		if e.Reason != "auth" || e.Username != alice || e.Context != "toplevel" || e.Object != "AUTH" || e.Count != 2 ||
			e.Age < 0 || e.Age > time.Minute || !strings.Contains(e.ClientInfo, "addr=") {
			t.Fatalf("ACL LOG entry = %+v", e)
		}
		if log, err := c.ACLLog(ctx, redis.ACLLogOptions{Count: 1}); err != nil || len(log) != 1 {
			t.Fatalf("ACL LOG 1 = %+v, %v", log, err)
		}
		if err := c.ACLLogReset(ctx); err != nil {
			t.Fatal(err)
		}
		if log, err := c.ACLLog(ctx); err != nil || len(log) != 0 {
			t.Fatalf("ACL LOG after RESET = %+v, %v", log, err)
		}
		if n, err := c.ACLDelUser(ctx, alice, "nosuchuser"); err != nil || n != 1 {
			t.Fatalf("ACL DELUSER = %d, %v", n, err)
		}
	})
}

func TestServerACLFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "users.acl")
	if err := os.WriteFile(file, []byte("user default on nopass ~* &* +@all\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := redistest.Start(t, redistest.Config{Args: []string{"--aclfile", file}})
	serverOwn(t, srv, func(t *testing.T, c *redis.Client) {
		ctx := serverCtx(t)
		carol := "carol" + strings.TrimPrefix(t.Name(), "TestServerACLFile/")
		if err := c.ACLSetUser(ctx, carol, "on", "nopass", "+ping"); err != nil {
			t.Fatal(err)
		}
		if err := c.ACLSave(ctx); err != nil {
			t.Fatal(err)
		}
		saved, err := os.ReadFile(file)
		if err != nil || !strings.Contains(string(saved), "user "+carol+" on") {
			t.Fatalf("ACL SAVE wrote %q, %v", saved, err)
		}
		dave := "dave" + strings.TrimPrefix(t.Name(), "TestServerACLFile/")
		if err := os.WriteFile(file, append(saved, []byte("user "+dave+" on nopass +@all\n")...), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := c.ACLLoad(ctx); err != nil {
			t.Fatal(err)
		}
		if users, err := c.ACLUsers(ctx); err != nil || !slices.Contains(users, dave) {
			t.Fatalf("ACL USERS after ACL LOAD = %q, %v", users, err)
		}
	})
}

func TestServerConfig(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{})
	serverOwn(t, srv, func(t *testing.T, c *redis.Client) {
		ctx := serverCtx(t)
		if err := c.ConfigSet(ctx, "maxmemory-policy", "noeviction"); err != nil {
			t.Fatal(err)
		}
		if err := c.ConfigSet(ctx, "maxmemory", "10mb"); err != nil {
			t.Fatal(err)
		}
		got, err := c.ConfigGet(ctx, "maxmemory", "maxmemory-pol*")
		if err != nil || got["maxmemory"] != "10485760" || got["maxmemory-policy"] != "noeviction" || len(got) != 2 {
			t.Fatalf("CONFIG GET = %v, %v", got, err)
		}
		if err := c.ConfigSetMany(ctx, map[string]string{"maxmemory-policy": "allkeys-lru", "hz": "17"}); err != nil {
			t.Fatal(err)
		}
		if got, err := c.ConfigGet(ctx, "hz", "maxmemory-policy"); err != nil || got["hz"] != "17" || got["maxmemory-policy"] != "allkeys-lru" {
			t.Fatalf("CONFIG GET after CONFIG SET = %v, %v", got, err)
		}
		if err := c.ConfigSet(ctx, "nosuchparameter", 1); err == nil {
			t.Fatal("CONFIG SET of an unknown parameter succeeded")
		}
		if err := c.ConfigRewrite(ctx); err != nil {
			t.Fatal(err)
		}
		conf, err := os.ReadFile(filepath.Join(srv.Dir(), "redis.conf"))
		if err != nil || !strings.Contains(string(conf), "maxmemory 10mb") || !strings.Contains(string(conf), "hz 17") {
			t.Fatalf("CONFIG REWRITE left %q, %v", conf, err)
		}
		for range 3 {
			if err := c.Ping(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if err := c.ConfigResetStat(ctx); err != nil {
			t.Fatal(err)
		}
		info, err := c.Info(ctx, "commandstats")
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := info.Get("cmdstat_ping"); ok {
			t.Fatalf("cmdstat_ping survived CONFIG RESETSTAT: %v", info.Sections)
		}
	})
}

func TestServerDatabases(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{})
	serverOwn(t, srv, func(t *testing.T, c *redis.Client) {
		ctx := serverCtx(t)
		db1 := redis.NewClient(&redis.Options{Addr: srv.Addr(), DB: 1, Protocol: c.Options().Protocol})
		defer db1.Close()
		if err := c.FlushAll(ctx); err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			if err := c.Set(ctx, "k"+strconv.Itoa(i), i); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := c.DBSize(ctx); err != nil || n != 3 {
			t.Fatalf("DBSIZE = %d, %v", n, err)
		}
		if err := c.SwapDB(ctx, 0, 1); err != nil {
			t.Fatal(err)
		}
		if n, err := c.DBSize(ctx); err != nil || n != 0 {
			t.Fatalf("DBSIZE of db 0 after SWAPDB = %d, %v", n, err)
		}
		if n, err := db1.DBSize(ctx); err != nil || n != 3 {
			t.Fatalf("DBSIZE of db 1 after SWAPDB = %d, %v", n, err)
		}
		if err := c.Set(ctx, "x", 1); err != nil {
			t.Fatal(err)
		}
		if err := db1.FlushDB(ctx, redis.FlushDBOptions{Async: true}); err != nil {
			t.Fatal(err)
		}
		if n, err := db1.DBSize(ctx); err != nil || n != 0 {
			t.Fatalf("DBSIZE of db 1 after FLUSHDB = %d, %v", n, err)
		}
		if n, err := c.DBSize(ctx); err != nil || n != 1 {
			t.Fatalf("FLUSHDB on db 1 touched db 0: DBSIZE %d, %v", n, err)
		}
		if err := db1.Set(ctx, "y", 1); err != nil {
			t.Fatal(err)
		}
		if err := c.FlushAll(ctx, redis.FlushAllOptions{Sync: true}); err != nil {
			t.Fatal(err)
		}
		n0, err0 := c.DBSize(ctx)
		n1, err1 := db1.DBSize(ctx)
		if n0 != 0 || n1 != 0 || err0 != nil || err1 != nil {
			t.Fatalf("DBSIZE after FLUSHALL = %d (%v), %d (%v)", n0, err0, n1, err1)
		}
	})
}

func TestServerPersistence(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{})
	serverOwn(t, srv, func(t *testing.T, c *redis.Client) {
		ctx := serverCtx(t)
		idle := func(field string) func() bool {
			return func() bool {
				info, err := c.Info(ctx, "persistence")
				v, _ := info.Get(field)
				return err == nil && v == "0"
			}
		}
		before := time.Now().Add(-time.Second).Truncate(time.Second)
		if err := c.Save(ctx); err != nil {
			t.Fatal(err)
		}
		last, err := c.LastSave(ctx)
		if err != nil || last.Before(before) || last.After(time.Now().Add(time.Second)) {
			t.Fatalf("LASTSAVE after SAVE = %v, %v (now %v)", last, err, time.Now())
		}
		if _, err := os.Stat(filepath.Join(srv.Dir(), "dump.rdb")); err != nil {
			t.Fatalf("SAVE wrote no dump.rdb: %v", err)
		}
		msg, err := c.BgSave(ctx)
		if err != nil || msg != "Background saving started" {
			t.Fatalf("BGSAVE = %q, %v", msg, err)
		}
		serverWait(t, "BGSAVE to finish", idle("rdb_bgsave_in_progress"))
		msg, err = c.BgRewriteAOF(ctx)
		if err != nil || !strings.HasPrefix(msg, "Background append only file rewriting") {
			t.Fatalf("BGREWRITEAOF = %q, %v", msg, err)
		}
		// With an AOF rewrite possibly running, BGSAVE SCHEDULE either starts
		// or schedules the save rather than failing.
		msg, err = c.BgSave(ctx, redis.BgSaveOptions{Schedule: true})
		if err != nil || !strings.HasPrefix(msg, "Background saving") {
			t.Fatalf("BGSAVE SCHEDULE = %q, %v", msg, err)
		}
		serverWait(t, "the AOF rewrite to finish", idle("aof_rewrite_in_progress"))
		serverWait(t, "the scheduled BGSAVE to finish", func() bool {
			info, err := c.Info(ctx, "persistence")
			a, _ := info.Get("rdb_bgsave_in_progress")
			b, _ := info.Get("aof_rewrite_scheduled")
			return err == nil && a == "0" && b == "0"
		})
	})
}

func TestServerSlowLog(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{Args: []string{"--slowlog-log-slower-than", "0"}})
	serverOwn(t, srv, func(t *testing.T, c *redis.Client) {
		ctx := serverCtx(t)
		named := redis.NewClient(&redis.Options{Addr: srv.Addr(), ClientName: "slowpoke", Protocol: c.Options().Protocol})
		defer named.Close()
		if err := named.Ping(ctx); err != nil { // connect before the reset
			t.Fatal(err)
		}
		if err := c.SlowLogReset(ctx); err != nil {
			t.Fatal(err)
		}
		start := time.Now().Add(-time.Second).Truncate(time.Second)
		if err := named.Set(ctx, "slow", "value"); err != nil {
			t.Fatal(err)
		}
		entries, err := c.SlowLogGet(ctx, redis.SlowLogGetOptions{Count: -1})
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(entries, func(e redis.SlowLogEntry) bool { return slices.Equal(e.Args, []string{"SET", "slow", "value"}) })
		if i < 0 {
			t.Fatalf("SLOWLOG GET has no SET entry: %+v", entries)
		}
		e := entries[i]
		if e.Time.Before(start) || e.Time.After(time.Now().Add(time.Second)) || e.Duration < 0 || e.Duration > 10*time.Second ||
			e.ClientName != "slowpoke" || !strings.HasPrefix(e.ClientAddr, "127.0.0.1:") {
			t.Fatalf("SLOWLOG entry = %+v", e)
		}
		n, err := c.SlowLogLen(ctx)
		if err != nil || n < int64(len(entries)) {
			t.Fatalf("SLOWLOG LEN = %d, %v; GET gave %d", n, err, len(entries))
		}
		one, err := c.SlowLogGet(ctx, redis.SlowLogGetOptions{Count: 1})
		if err != nil || len(one) != 1 || one[0].ID <= e.ID {
			t.Fatalf("SLOWLOG GET 1 = %+v, %v (the newest entry should come after %d)", one, err, e.ID)
		}
	})
}

func TestServerLatency(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{EnableDebug: true, Args: []string{"--latency-monitor-threshold", "10"}})
	serverOwn(t, srv, func(t *testing.T, c *redis.Client) {
		ctx := serverCtx(t)
		if _, err := c.LatencyReset(ctx); err != nil {
			t.Fatal(err)
		}
		start := time.Now().Add(-time.Second).Truncate(time.Second)
		if _, err := c.Debug(ctx, "SLEEP", "0.03"); err != nil {
			t.Fatal(err)
		}
		latest, err := c.LatencyLatest(ctx)
		if err != nil || len(latest) != 1 {
			t.Fatalf("LATENCY LATEST = %+v, %v", latest, err)
		}
		ev := latest[0]
		if ev.Name != "command" || ev.Latest < 30*time.Millisecond || ev.Max < ev.Latest || ev.Time.Before(start) {
			t.Fatalf("LATENCY LATEST event = %+v", ev)
		}
		hist, err := c.LatencyHistory(ctx, "command")
		if err != nil || len(hist) != 1 || hist[0].Latency != ev.Latest || !hist[0].Time.Equal(ev.Time) {
			t.Fatalf("LATENCY HISTORY = %+v, %v", hist, err)
		}
		if g, err := c.LatencyGraph(ctx, "command"); err != nil || !strings.Contains(g, "command") {
			t.Fatalf("LATENCY GRAPH = %q, %v", g, err)
		}
		if d, err := c.LatencyDoctor(ctx); err != nil || d == "" {
			t.Fatalf("LATENCY DOCTOR = %q, %v", d, err)
		}
		if n, err := c.LatencyReset(ctx, "command"); err != nil || n != 1 {
			t.Fatalf("LATENCY RESET command = %d, %v", n, err)
		}
		if latest, err := c.LatencyLatest(ctx); err != nil || len(latest) != 0 {
			t.Fatalf("LATENCY LATEST after RESET = %+v, %v", latest, err)
		}

		for range 3 {
			if err := c.Set(ctx, "h", 1); err != nil {
				t.Fatal(err)
			}
		}
		hs, err := c.LatencyHistogram(ctx, "set", "nosuchcommand")
		if err != nil || len(hs) != 1 {
			t.Fatalf("LATENCY HISTOGRAM = %+v, %v", hs, err)
		}
		h := hs["set"]
		if h.Calls < 3 || len(h.Buckets) == 0 || h.Buckets[len(h.Buckets)-1].Count != h.Calls || h.Buckets[0].UpTo <= 0 {
			t.Fatalf("LATENCY HISTOGRAM set = %+v", h)
		}
	})
}

func TestServerModule(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{Args: []string{"--enable-module-command", "yes"}})
	serverOwn(t, srv, func(t *testing.T, c *redis.Client) {
		ctx := serverCtx(t)
		// Loading a missing file must reach the server and be refused by
		// it, changing nothing (Redis 8 lists built-in modules, such as
		// vectorset, from the start).
		before, err := c.ModuleList(ctx)
		if err != nil {
			t.Fatal(err)
		}
		missing := filepath.Join(srv.Dir(), "nosuchmodule.so")
		if err := c.ModuleLoad(ctx, missing, "arg"); err == nil || !strings.Contains(err.Error(), "Error loading the extension") {
			t.Fatalf("MODULE LOAD of a missing file: %v", err)
		}
		err = c.ModuleLoadEx(ctx, missing, redis.ModuleLoadExOptions{Configs: []redis.ModuleConfig{{Name: "a", Value: "b"}}, Args: []string{"x"}})
		if err == nil || !strings.Contains(err.Error(), "Error loading the extension") {
			t.Fatalf("MODULE LOADEX of a missing file: %v", err)
		}
		if err := c.ModuleUnload(ctx, "nosuchmodule"); err == nil || !strings.Contains(err.Error(), "no such module") {
			t.Fatalf("MODULE UNLOAD of a missing module: %v", err)
		}
		if mods, err := c.ModuleList(ctx); err != nil || !reflect.DeepEqual(mods, before) {
			t.Fatalf("MODULE LIST = %+v, %v; was %+v", mods, err, before)
		}
	})
}

func TestServerShutdown(t *testing.T) {
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			ctx := serverCtx(t)
			srv := redistest.Start(t, redistest.Config{})
			c := redis.NewClient(&redis.Options{Addr: srv.Addr(), Protocol: proto})
			defer c.Close()
			if err := c.Shutdown(ctx, redis.ShutdownOptions{Abort: true}); err == nil || !strings.Contains(err.Error(), "No shutdown in progress") {
				t.Fatalf("SHUTDOWN ABORT with no shutdown in progress: %v", err)
			}
			if err := c.Shutdown(ctx, redis.ShutdownOptions{NoSave: true}); err != nil {
				t.Fatalf("SHUTDOWN NOSAVE: %v", err)
			}
			serverWait(t, "the server to exit", func() bool { return !srv.Running() })
		})
	}
}

// TestServerReplication covers REPLICAOF/SLAVEOF, ROLE's primary and
// replica forms and FAILOVER, with two servers of the test's own.
func TestServerReplication(t *testing.T) {
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			ctx := serverCtx(t)
			p := redistest.Start(t, redistest.Config{})
			r := redistest.Start(t, redistest.Config{})
			pc := redis.NewClient(&redis.Options{Addr: p.Addr(), Protocol: proto})
			defer pc.Close()
			rc := redis.NewClient(&redis.Options{Addr: r.Addr(), Protocol: proto})
			defer rc.Close()

			follow, unfollow := rc.ReplicaOf, rc.ReplicaOfNoOne
			if proto == 3 {
				follow, unfollow = rc.SlaveOf, rc.SlaveOfNoOne
			}
			if msg, err := follow(ctx, "127.0.0.1", p.Port()); err != nil || !strings.HasPrefix(msg, "OK") {
				t.Fatalf("REPLICAOF = %q, %v", msg, err)
			}
			serverWait(t, "the replica to connect", func() bool {
				role, err := rc.Role(ctx)
				return err == nil && role.State == "connected"
			})
			role, err := rc.Role(ctx)
			if err != nil || role.Role != "slave" || role.MasterHost != "127.0.0.1" || role.MasterPort != p.Port() || role.ReplicationOffset < 0 {
				t.Fatalf("replica ROLE = %+v, %v", role, err)
			}
			serverWait(t, "the primary to list its replica", func() bool {
				role, err := pc.Role(ctx)
				return err == nil && len(role.Replicas) == 1
			})
			role, err = pc.Role(ctx)
			if err != nil || role.Role != "master" || role.Replicas[0].Port != r.Port() || role.Replicas[0].Host != "127.0.0.1" {
				t.Fatalf("primary ROLE = %+v, %v", role, err)
			}
			if err := pc.Set(ctx, "replicated", "yes"); err != nil {
				t.Fatal(err)
			}
			serverWait(t, "the write to replicate", func() bool {
				v, err := rc.Get(ctx, "replicated")
				return err == nil && v == "yes"
			})

			// FAILOVER ABORT with no failover running is refused; FAILOVER
			// hands the primary role to the replica.
			if err := pc.Failover(ctx, redis.FailoverOptions{Abort: true}); err == nil || !strings.Contains(err.Error(), "No failover in progress") {
				t.Fatalf("FAILOVER ABORT: %v", err)
			}
			if err := pc.Failover(ctx, redis.FailoverOptions{Timeout: 5 * time.Second}); err != nil {
				t.Fatalf("FAILOVER: %v", err)
			}
			serverWait(t, "the roles to swap", func() bool {
				a, err1 := pc.Role(ctx)
				b, err2 := rc.Role(ctx)
				return err1 == nil && err2 == nil && a.Role == "slave" && b.Role == "master"
			})
			// The old primary now follows the old replica; detach it.
			pcFollow := pc.ReplicaOfNoOne
			if proto == 3 {
				pcFollow = pc.SlaveOfNoOne
			}
			if msg, err := pcFollow(ctx); err != nil || !strings.HasPrefix(msg, "OK") {
				t.Fatalf("REPLICAOF NO ONE = %q, %v", msg, err)
			}
			if msg, err := unfollow(ctx); err != nil || !strings.HasPrefix(msg, "OK") {
				t.Fatalf("REPLICAOF NO ONE on a primary = %q, %v", msg, err)
			}
			for _, c := range []*redis.Client{pc, rc} {
				if role, err := c.Role(ctx); err != nil || role.Role != "master" {
					t.Fatalf("ROLE after REPLICAOF NO ONE = %+v, %v", role, err)
				}
			}
		})
	}
}

// TestServerHotkeys needs Redis 8.6.
func TestServerHotkeys(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		requireCommand(t, c, "HOTKEYS START")
		ctx := serverCtx(t)
		if lines, err := c.HotkeysHelp(ctx); err != nil || len(lines) == 0 {
			t.Fatalf("HOTKEYS HELP = %q, %v", lines, err)
		}
		if err := c.HotkeysStart(ctx, redis.HotkeysStartOptions{CPU: true, Net: true, Count: 5}); err != nil {
			t.Fatal(err)
		}
		defer c.HotkeysReset(context.Background())
		k := key(t, "hot")
		for range 20 {
			if err := c.Set(ctx, k, "v"); err != nil {
				t.Fatal(err)
			}
		}
		reports, err := c.HotkeysGet(ctx)
		if err != nil || len(reports) == 0 {
			t.Fatalf("HOTKEYS GET = %+v, %v", reports, err)
		}
		r := reports[0]
		if !r.TrackingActive || r.CollectionStart.IsZero() || !slices.ContainsFunc(r.ByNetBytes, func(h redis.HotKey) bool { return h.Key == k && h.Value > 0 }) {
			t.Fatalf("HOTKEYS GET report = %+v", r)
		}
		if err := c.HotkeysStop(ctx); err != nil {
			t.Fatal(err)
		}
		if reports, err := c.HotkeysGet(ctx); err != nil || len(reports) == 0 || reports[0].TrackingActive {
			t.Fatalf("HOTKEYS GET after STOP = %+v, %v", reports, err)
		}
		if err := c.HotkeysReset(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

// TestServerSlotCommands covers SFLUSH (Redis 8.0) and TRIMSLOTS (8.4),
// which act on cluster slots: on a standalone server they must be refused.
func TestServerSlotCommands(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := serverCtx(t)
		// On a cluster node they would delete keys: never on $REDIS_URL's.
		info, err := c.Info(ctx, "cluster")
		if err != nil {
			t.Fatal(err)
		}
		if v, _ := info.Get("cluster_enabled"); v != "0" {
			t.Skipf("the server is a cluster node (cluster_enabled:%s), where SFLUSH and TRIMSLOTS delete keys", v)
		}
		t.Run("SFLUSH", func(t *testing.T) {
			requireCommand(t, c, "SFLUSH")
			_, err := c.SFlush(ctx, []redis.SlotSpan{{Start: 0, End: 16383}})
			if err == nil || !strings.Contains(strings.ToLower(err.Error()), "cluster") {
				t.Fatalf("SFLUSH on a standalone server: %v, want a cluster-mode error", err)
			}
		})
		t.Run("TRIMSLOTS", func(t *testing.T) {
			requireCommand(t, c, "TRIMSLOTS")
			err := c.TrimSlots(ctx, redis.SlotSpan{Start: 0, End: 10})
			if err == nil || !strings.Contains(strings.ToLower(err.Error()), "cluster") {
				t.Fatalf("TRIMSLOTS on a standalone server: %v, want a cluster-mode error", err)
			}
		})
	})
}
