package redis

// TestDecoderSeeds writes the seed corpus of FuzzDecoders from real
// replies: it starts a standalone server, a cluster node and a sentinel,
// runs the commands each decoder decodes under RESP2 and RESP3, and stores
// each reply (or the part of it a nested decoder sees) as
// testdata/fuzz/FuzzDecoders/seed-<decoder>-<n>-resp<2|3>, prefixed with
// the decoder's index in decoderTable. It runs only with
// REDIS_DECODER_SEEDS=1.

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/respkit/redis/redistest"
	"github.com/respkit/redis/resp"
)

type seedSpec struct {
	decoder string
	where   string  // "" (standalone), "cluster" or "sentinel"
	cmds    [][]any // on one connection; the last reply is the seed ("@B" runs on a second one, "@RECV" only reads)
	pick    func(resp.Value) resp.Value
}

func cmds(c ...[]any) [][]any { return c }
func cmd(args ...any) [][]any { return [][]any{args} }

// elem picks element i of an aggregate; field the value of a map key (a
// RESP3 map or a RESP2 flat array of pairs).
func elem(i int) func(resp.Value) resp.Value {
	return func(v resp.Value) resp.Value {
		if e := v.Elems(); i < len(e) {
			return e[i]
		}
		return resp.NullValue()
	}
}

func field(name string) func(resp.Value) resp.Value {
	return func(v resp.Value) resp.Value {
		e := v.Elems()
		for i := 0; i+1 < len(e); i += 2 {
			if e[i].String() == name {
				return e[i+1]
			}
		}
		return resp.NullValue()
	}
}

func then(fs ...func(resp.Value) resp.Value) func(resp.Value) resp.Value {
	return func(v resp.Value) resp.Value {
		for _, f := range fs {
			v = f(v)
		}
		return v
	}
}

var seedSetup = [][]any{
	{"FLUSHALL"},
	{"SET", "s", "ohmytext"}, {"SET", "s2", "mynewtext"}, {"EXPIRE", "s", 1000},
	{"RPUSH", "l", "a", "b", "c", "a"},
	{"HSET", "h", "f1", "v1", "f2", "v2"},
	{"ZADD", "z", 1, "a", 2.5, "b", 3, "c"},
	{"SADD", "st", "a", "b"},
	{"GEOADD", "g", 13.361389, 38.115556, "Palermo", 15.087269, 37.502669, "Catania"},
	{"XADD", "x", "1-1", "f", "v"}, {"XADD", "x", "2-1", "f2", "v2", "f3", "v3"},
	{"XGROUP", "CREATE", "x", "g1", "0"},
	{"XREADGROUP", "GROUP", "g1", "c1", "COUNT", 1, "STREAMS", "x", ">"},
}

func seedSpecs() []seedSpec {
	lib := "#!lua name=seedlib\nredis.register_function('f1', function() return 1 end)\nredis.register_function{function_name='f2', callback=function() return 2 end, flags={'no-writes'}}"
	return []seedSpec{
		{decoder: "asBitField", cmds: cmd("BITFIELD", "bf", "SET", "u8", 0, 255, "GET", "u8", 0, "OVERFLOW", "FAIL", "INCRBY", "u8", 0, 300)},
		{decoder: "asClusterState", where: "cluster", cmds: cmd("CLUSTER", "INFO")},
		{decoder: "asClusterNodeLines", where: "cluster", cmds: cmd("CLUSTER", "NODES")},
		{decoder: "asClusterNodeList", where: "cluster", cmds: cmd("CLUSTER", "NODES")},
		{decoder: "asSlotRanges", where: "cluster", cmds: cmd("CLUSTER", "SLOTS")},
		{decoder: "asClusterShards", where: "cluster", cmds: cmd("CLUSTER", "SHARDS")},
		{decoder: "asSlotSpans", where: "cluster", cmds: cmd("CLUSTER", "SHARDS"), pick: then(elem(0), field("slots"))},
		{decoder: "asClusterLinks", where: "cluster", cmds: cmd("CLUSTER", "LINKS")},
		{decoder: "asPong", cmds: cmd("PING")},
		{decoder: "asHello", cmds: cmd("HELLO")},
		{decoder: "asTrackingInfo", cmds: cmds([]any{"CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a"}, []any{"CLIENT", "TRACKINGINFO"})},
		{decoder: "asClientInfo", cmds: cmd("CLIENT", "INFO")},
		{decoder: "asClientList", cmds: cmd("CLIENT", "LIST")},
		{decoder: "asTTL", cmds: cmd("TTL", "s")},
		{decoder: "asPTTL", cmds: cmd("PTTL", "s")},
		{decoder: "asTTLIn", cmds: cmd("TTL", "nokey")},
		{decoder: "asTTLs", cmds: cmd("EVAL", "return {100, -1, -2}", 0)},
		{decoder: "asPTTLs", cmds: cmd("EVAL", "return {100000, -1, -2}", 0)},
		{decoder: "asTTLsIn", cmds: cmd("EVAL", "return {100000, -1, -2}", 0)},
		{decoder: "asUnixTime", cmds: cmd("EXPIRETIME", "s")},
		{decoder: "asUnixMilliTime", cmds: cmd("PEXPIRETIME", "s")},
		{decoder: "asExpiryIn", cmds: cmd("EXPIRETIME", "l")},
		{decoder: "asIdleTime", cmds: cmd("OBJECT", "IDLETIME", "s")},
		{decoder: "asMigrate", cmds: cmd("MIGRATE", "127.0.0.1", 1, "nokey", 0, 100)},
		{decoder: "asGeoPositions", cmds: cmd("GEOPOS", "g", "Palermo", "nowhere")},
		{decoder: "asGeoPosition", cmds: cmd("GEOPOS", "g", "Palermo"), pick: elem(0)},
		{decoder: "asGeoResults", cmds: cmd("GEOSEARCH", "g", "FROMLONLAT", 15, 37, "BYRADIUS", 200, "km", "ASC", "WITHCOORD", "WITHDIST", "WITHHASH")},
		{decoder: "asGeoResults", cmds: cmd("GEOSEARCH", "g", "FROMLONLAT", 15, 37, "BYRADIUS", 200, "km", "ASC", "WITHDIST")},
		{decoder: "asGeoResult", cmds: cmd("GEOSEARCH", "g", "FROMLONLAT", 15, 37, "BYRADIUS", 200, "km", "WITHCOORD", "WITHDIST", "WITHHASH"), pick: elem(0)},
		{decoder: "asHFieldStatuses", cmds: cmd("EVAL", "return {1, 2, -2, 0}", 0)},
		{decoder: "asHExpireTimes", cmds: cmd("EVAL", "return {1900000000, -1, -2}", 0)},
		{decoder: "asHPExpireTimes", cmds: cmd("EVAL", "return {1900000000000, -1, -2}", 0)},
		{decoder: "asHashEntries", cmds: cmd("HRANDFIELD", "h", 2, "WITHVALUES")},
		{decoder: "asHashEntries", cmds: cmd("HGETALL", "h")},
		{decoder: "hashEntriesOf", cmds: cmd("HGETALL", "h")},
		{decoder: "asHashEntryPage", cmds: cmd("HSCAN", "h", 0)},
		{decoder: "asCursorPage", cmds: cmd("HSCAN", "h", 0)},
		{decoder: "asKeyElement", cmds: cmd("BLPOP", "l", 1)},
		{decoder: "asKeyElements", cmds: cmd("BLMPOP", 1, 1, "l", "LEFT", "COUNT", 2)},
		{decoder: "asStringsOrEmpty", cmds: cmd("LPOP", "l", 2)},
		{decoder: "asStringsOrEmpty", cmds: cmd("LPOP", "nokey", 2)},
		{decoder: "parseEvent", cmds: cmd("SUBSCRIBE", "ch")},
		{decoder: "parseEvent", cmds: cmds([]any{"SUBSCRIBE", "ch"}, []any{"@B", "PUBLISH", "ch", "hi"}, []any{"@RECV"})},
		{decoder: "parseEvent", cmds: cmds([]any{"PSUBSCRIBE", "c*"}, []any{"@B", "PUBLISH", "ch", "hi"}, []any{"@RECV"})},
		{decoder: "parseEvent", cmds: cmds([]any{"SSUBSCRIBE", "ch"}, []any{"@B", "SPUBLISH", "ch", "hi"}, []any{"@RECV"})},
		{decoder: "asPubSubCounts", cmds: cmd("PUBSUB", "NUMSUB", "ch", "other")},
		{decoder: "check", cmds: cmd("GET", "s")},
		{decoder: "asString", cmds: cmd("GET", "s")},
		{decoder: "asBytes", cmds: cmd("DUMP", "s")},
		{decoder: "asInt64", cmds: cmd("INCR", "n")},
		{decoder: "asFloat64", cmds: cmd("INCRBYFLOAT", "f", 1.5)},
		{decoder: "asFloat64", cmds: cmd("ZSCORE", "z", "b")},
		{decoder: "asBool", cmds: cmd("SISMEMBER", "st", "a")},
		{decoder: "asSlice", cmds: cmd("LRANGE", "l", 0, -1)},
		{decoder: "asStrings", cmds: cmd("LRANGE", "l", 0, -1)},
		{decoder: "pairs", cmds: cmd("CONFIG", "GET", "maxmemory*")},
		{decoder: "asMap", cmds: cmd("CONFIG", "GET", "maxmemory*")},
		{decoder: "asStringMap", cmds: cmd("HGETALL", "h")},
		{decoder: "asOK", cmds: cmd("SET", "k", "v")},
		{decoder: "asStatus", cmds: cmd("SET", "k", "v")},
		{decoder: "asInt64s", cmds: cmd("LPOS", "l", "a", "COUNT", 0)},
		{decoder: "asFloat64s", cmds: cmd("EVAL", "return {'1.5', '-inf', '3'}", 0)},
		{decoder: "asBools", cmds: cmd("SMISMEMBER", "st", "a", "x")},
		{decoder: "asListOf", cmds: cmd("EVAL", "return {1, 2, 3}", 0)},
		{decoder: "asNullListOf", cmds: cmd("ZMSCORE", "z", "a", "nope")},
		{decoder: "asNullStrings", cmds: cmd("MGET", "s", "nokey")},
		{decoder: "asStringPage", cmds: cmd("SCAN", 0)},
		{decoder: "asStringPage", cmds: cmd("SSCAN", "st", 0)},
		{decoder: "scanReply", cmds: cmd("SCAN", 0, "COUNT", 100)},
		{decoder: "asScriptResult", cmds: cmd("EVAL", "return {1, 'a', {2, false}, redis.status_reply('OK'), {double=1.5}}", 0)},
		{decoder: "asScriptResult", cmds: cmd("EVAL", "return redis.error_reply('MY err')", 0)},
		{decoder: "asLibraries", cmds: cmds([]any{"FUNCTION", "LOAD", "REPLACE", lib}, []any{"FUNCTION", "LIST", "WITHCODE"})},
		{decoder: "asLibrary", cmds: cmds([]any{"FUNCTION", "LOAD", "REPLACE", lib}, []any{"FUNCTION", "LIST"}), pick: elem(0)},
		{decoder: "asFunction", cmds: cmds([]any{"FUNCTION", "LOAD", "REPLACE", lib}, []any{"FUNCTION", "LIST"}), pick: then(elem(0), field("functions"), elem(1))},
		{decoder: "asFunctionStats", cmds: cmd("FUNCTION", "STATS")},
		{decoder: "asSentinelAddr", where: "sentinel", cmds: cmd("SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster")},
		{decoder: "asSentinelInstance", where: "sentinel", cmds: cmd("SENTINEL", "MASTERS"), pick: elem(0)},
		{decoder: "asSentinelInstances", where: "sentinel", cmds: cmd("SENTINEL", "REPLICAS", "mymaster")},
		{decoder: "asSentinelInstances", where: "sentinel", cmds: cmd("SENTINEL", "SENTINELS", "mymaster")},
		{decoder: "asSentinelPrimary", where: "sentinel", cmds: cmd("SENTINEL", "MASTER", "mymaster")},
		{decoder: "asSentinelPrimaries", where: "sentinel", cmds: cmd("SENTINEL", "MASTERS")},
		{decoder: "asSentinelInfoCache", where: "sentinel", cmds: cmd("SENTINEL", "INFO-CACHE", "mymaster")},
		{decoder: "asSentinelDownReply", where: "sentinel", cmds: cmd("SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", "@PORT", 0, "*")},
		{decoder: "asSentinelScripts", where: "sentinel", cmds: cmd("SENTINEL", "PENDING-SCRIPTS")},
		{decoder: "asStringMap", where: "sentinel", cmds: cmd("SENTINEL", "CONFIG", "GET", "*")},
		{decoder: "asACLDryRun", cmds: cmd("ACL", "DRYRUN", "alice", "SET", "k", "v")},
		{decoder: "asACLDryRun", cmds: cmd("ACL", "DRYRUN", "alice", "GET", "k")},
		{decoder: "asDebug", cmds: cmd("DEBUG", "OBJECT", "s")},
		{decoder: "asMonitor", cmds: cmd("MONITOR")},
		{decoder: "asShutdown", cmds: cmd("SHUTDOWN", "ABORT")},
		{decoder: "asLastSave", cmds: cmd("LASTSAVE")},
		{decoder: "asServerTime", cmds: cmd("TIME")},
		{decoder: "looseFloat", cmds: cmd("ZSCORE", "z", "b")},
		{decoder: "looseInt", cmds: cmd("TTL", "s")},
		{decoder: "looseStrings", cmds: cmd("ACL", "GETUSER", "alice"), pick: field("flags")},
		{decoder: "aclPatterns", cmds: cmd("ACL", "GETUSER", "alice"), pick: field("keys")},
		{decoder: "asACLUser", cmds: cmd("ACL", "GETUSER", "alice")},
		{decoder: "asACLUser", cmds: cmd("ACL", "GETUSER", "default")},
		{decoder: "asACLLog", cmds: cmd("ACL", "LOG")},
		{decoder: "asCommandDocs", cmds: cmd("COMMAND", "DOCS", "get", "set", "client|kill")},
		{decoder: "commandDoc", cmds: cmd("COMMAND", "DOCS", "set"), pick: field("set")},
		{decoder: "commandArgs", cmds: cmd("COMMAND", "DOCS", "set"), pick: then(field("set"), field("arguments"))},
		{decoder: "asCommandInfos", cmds: cmd("COMMAND", "INFO", "get", "set", "client", "nosuch")},
		{decoder: "commandInfo", cmds: cmd("COMMAND", "INFO", "xreadgroup"), pick: elem(0)},
		{decoder: "keySpec", cmds: cmd("COMMAND", "INFO", "set"), pick: then(elem(0), elem(8), elem(0))},
		{decoder: "asKeyFlagsList", cmds: cmd("COMMAND", "GETKEYSANDFLAGS", "lmove", "a", "b", "left", "right")},
		{decoder: "asInfo", cmds: cmd("INFO")},
		{decoder: "asInfo", cmds: cmd("INFO", "keyspace")},
		{decoder: "asRole", cmds: cmd("ROLE")},
		{decoder: "asRole", where: "sentinel", cmds: cmd("ROLE")},
		{decoder: "asLatencyHistograms", cmds: cmd("LATENCY", "HISTOGRAM", "set", "get")},
		{decoder: "asLatencySamples", cmds: cmd("LATENCY", "HISTORY", "command")},
		{decoder: "asLatencyEvents", cmds: cmd("LATENCY", "LATEST")},
		{decoder: "asMemoryStats", cmds: cmd("MEMORY", "STATS")},
		{decoder: "asModules", cmds: cmd("MODULE", "LIST")},
		{decoder: "asSlowLog", cmds: cmd("SLOWLOG", "GET", 3)},
		{decoder: "xmillis", cmds: cmd("PTTL", "s")},
		{decoder: "xunixMilli", cmds: cmd("PEXPIRETIME", "s")},
		{decoder: "xint", cmds: cmd("XLEN", "x")},
		{decoder: "xnullInt", cmds: cmd("XINFO", "STREAM", "x"), pick: field("entries-read")},
		{decoder: "asXMessage", cmds: cmd("XRANGE", "x", "-", "+"), pick: elem(1)},
		{decoder: "asXMessages", cmds: cmd("XRANGE", "x", "-", "+")},
		{decoder: "asXClaim", cmds: cmd("XCLAIM", "x", "g1", "c2", 0, "1-1")},
		{decoder: "asXStreams", cmds: cmd("XREAD", "STREAMS", "x", "0")},
		{decoder: "asXStreams", cmds: cmd("XREADGROUP", "GROUP", "g1", "c1", "STREAMS", "x", "0")},
		{decoder: "xautoclaimParts", cmds: cmd("XAUTOCLAIM", "x", "g1", "c2", 0, "0")},
		{decoder: "asXAutoClaim", cmds: cmd("XAUTOCLAIM", "x", "g1", "c2", 0, "0")},
		{decoder: "asXAutoClaimIDs", cmds: cmd("XAUTOCLAIM", "x", "g1", "c2", 0, "0", "JUSTID")},
		{decoder: "asXPendingSummary", cmds: cmd("XPENDING", "x", "g1")},
		{decoder: "asXPendingEntries", cmds: cmd("XPENDING", "x", "g1", "-", "+", 10)},
		{decoder: "asXPendingEntry", cmds: cmd("XPENDING", "x", "g1", "-", "+", 10), pick: elem(0)},
		{decoder: "asXGroupInfos", cmds: cmd("XINFO", "GROUPS", "x")},
		{decoder: "asXGroupInfo", cmds: cmd("XINFO", "GROUPS", "x"), pick: elem(0)},
		{decoder: "asXConsumerInfos", cmds: cmd("XINFO", "CONSUMERS", "x", "g1")},
		{decoder: "asXConsumerInfo", cmds: cmd("XINFO", "CONSUMERS", "x", "g1"), pick: elem(0)},
		{decoder: "xstreamState", cmds: cmd("XINFO", "STREAM", "x")},
		{decoder: "asXStreamInfo", cmds: cmd("XINFO", "STREAM", "x")},
		{decoder: "asXStreamInfoFull", cmds: cmd("XINFO", "STREAM", "x", "FULL")},
		{decoder: "asXGroupInfoFull", cmds: cmd("XINFO", "STREAM", "x", "FULL"), pick: then(field("groups"), elem(0))},
		{decoder: "asSet", cmds: cmd("SET", "s", "v", "GET")},
		{decoder: "asSet", cmds: cmd("SET", "s", "v", "NX")},
		{decoder: "asLCSIndex", cmds: cmd("LCS", "s", "s2", "IDX", "WITHMATCHLEN")},
		{decoder: "asLCSRange", cmds: cmd("LCS", "s", "s2", "IDX", "WITHMATCHLEN"), pick: then(field("matches"), elem(0))},
		{decoder: "asExec", cmds: cmds([]any{"MULTI"}, []any{"SET", "k", "v"}, []any{"INCR", "s"}, []any{"LRANGE", "l", 0, 1}, []any{"EXEC"})},
		{decoder: "zpair", cmds: cmd("ZRANGE", "z", 0, 0, "WITHSCORES")},
		{decoder: "zpair", cmds: cmd("ZRANGE", "z", 0, 0, "WITHSCORES"), pick: elem(0)},
		{decoder: "asZs", cmds: cmd("ZRANGE", "z", 0, -1, "WITHSCORES")},
		{decoder: "asZWithKey", cmds: cmd("BZPOPMAX", "z", 1)},
		{decoder: "asZMPop", cmds: cmd("ZMPOP", 1, "z", "MIN", "COUNT", 2)},
		{decoder: "asZRankScore", cmds: cmd("EVAL", "return {1, '2.5'}", 0)},
		{decoder: "asZMScore", cmds: cmd("ZMSCORE", "z", "a", "nope")},
		{decoder: "asZPage", cmds: cmd("ZSCAN", "z", 0)},
	}
}

// seedConn is a raw connection that records replies exactly as read.
type seedConn struct {
	nc net.Conn
	rd *resp.Reader
}

func dialSeed(t *testing.T, addr string, proto int) *seedConn {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	c := &seedConn{nc: nc, rd: resp.NewReader(nc, resp.Limits{})}
	if proto == 3 {
		c.do(t, "HELLO", "3")
	}
	return c
}

func (c *seedConn) do(t *testing.T, args ...any) resp.Value {
	t.Helper()
	b, err := resp.AppendCommand(nil, args...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.nc.Write(b); err != nil {
		t.Fatal(err)
	}
	return c.recv(t)
}

func (c *seedConn) recv(t *testing.T) resp.Value {
	t.Helper()
	c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	v, err := c.rd.Read()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestDecoderSeeds(t *testing.T) {
	if os.Getenv("REDIS_DECODER_SEEDS") != "1" {
		t.Skip("set REDIS_DECODER_SEEDS=1 to rewrite testdata/fuzz/FuzzDecoders/seed-*")
	}
	index := map[string]int{}
	for i, d := range decoderTable {
		index[d.name] = i
	}
	srv := redistest.Start(t, redistest.Config{EnableDebug: true})
	node := redistest.StartClusterNode(t, redistest.Config{})
	sent := redistest.StartSentinel(t, redistest.SentinelConfig{PrimaryPort: srv.Port()})
	addrs := map[string]string{"": srv.Addr(), "cluster": node.Addr(), "sentinel": sent.Addr()}

	admin := dialSeed(t, srv.Addr(), 2)
	for _, c := range [][]any{
		{"CONFIG", "SET", "slowlog-log-slower-than", 0}, {"CONFIG", "SET", "latency-monitor-threshold", 1},
		{"DEBUG", "SLEEP", 0.01}, {"ACL", "SETUSER", "alice", "on", ">pw", "~k*", "&ch", "+get", "+ping"},
	} {
		admin.do(t, c...)
	}
	dialSeed(t, srv.Addr(), 2).do(t, "AUTH", "alice", "wrong") // an ACL LOG entry
	dialSeed(t, node.Addr(), 2).do(t, "CLUSTER", "ADDSLOTSRANGE", 0, 16383)

	dir := filepath.Join("testdata", "fuzz", "FuzzDecoders")
	old, _ := filepath.Glob(filepath.Join(dir, "seed-*"))
	for _, f := range old {
		os.Remove(f)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, s := range seedSpecs() {
		i, ok := index[s.decoder]
		if !ok {
			t.Fatalf("seed for %s, which is not in decoderTable", s.decoder)
		}
		n := count[s.decoder]
		count[s.decoder]++
		for _, proto := range []int{2, 3} {
			v := runSeed(t, s, addrs[s.where], proto, srv.Port())
			if s.pick != nil {
				v = s.pick(v)
			}
			data := append([]byte{byte(i)}, resp.AppendValue(nil, v, proto)...)
			name := filepath.Join(dir, fmt.Sprintf("seed-%s-%d-resp%d", s.decoder, n, proto))
			if err := os.WriteFile(name, fmt.Appendf(nil, "go test fuzz v1\n[]byte(%q)\n", data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	var without []string
	for _, d := range decoderTable {
		if count[d.name] == 0 {
			without = append(without, d.name)
		}
	}
	t.Logf("%d seeds written; decoders without a real reply (not answered by Redis 7.0): %s", 2*len(seedSpecs()), strings.Join(without, ", "))
}

func runSeed(t *testing.T, s seedSpec, addr string, proto, primaryPort int) resp.Value {
	t.Helper()
	if s.where == "" {
		setup := dialSeed(t, addr, 2)
		for _, c := range seedSetup {
			setup.do(t, c...)
		}
		setup.nc.Close()
	}
	a := dialSeed(t, addr, proto)
	defer a.nc.Close()
	var b *seedConn
	var v resp.Value
	for _, c := range s.cmds {
		for j, arg := range c {
			if arg == "@PORT" {
				c = append(append([]any{}, c[:j]...), append([]any{strconv.Itoa(primaryPort)}, c[j+1:]...)...)
			}
		}
		switch c[0] {
		case "@B":
			if b == nil {
				b = dialSeed(t, addr, 2)
				defer b.nc.Close()
			}
			b.do(t, c[1:]...)
		case "@RECV":
			v = a.recv(t)
		default:
			v = a.do(t, c...)
		}
	}
	return v
}
