package cmdinfo

import (
	"bufio"
	"fmt"
	"net"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/respkit/redis/redistest"
	"github.com/respkit/redis/resp"
)

// conn is a bare RESP connection to a test server.
type conn struct {
	t  *testing.T
	c  net.Conn
	w  *bufio.Writer
	rd *resp.Reader
}

func dial(t *testing.T, addr string) *conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &conn{t: t, c: c, w: bufio.NewWriter(c), rd: resp.NewReader(c, resp.Limits{})}
}

// pipeline sends the commands and returns their replies, in order.
func (c *conn) pipeline(cmds [][]any) []resp.Value {
	c.t.Helper()
	if err := c.c.SetDeadline(time.Now().Add(30 * time.Second)); err != nil {
		c.t.Fatal(err)
	}
	out := make([]resp.Value, 0, len(cmds))
	const batch = 256
	for len(cmds) > 0 {
		n := min(batch, len(cmds))
		for _, args := range cmds[:n] {
			b, err := resp.AppendCommand(nil, args...)
			if err != nil {
				c.t.Fatal(err)
			}
			c.w.Write(b)
		}
		if err := c.w.Flush(); err != nil {
			c.t.Fatal(err)
		}
		for range n {
			v, err := c.rd.Read()
			if err != nil {
				c.t.Fatal(err)
			}
			out = append(out, v)
		}
		cmds = cmds[n:]
	}
	return out
}

func (c *conn) do(args ...any) resp.Value {
	c.t.Helper()
	return c.pipeline([][]any{args})[0]
}

// startServer starts a redis-server and returns connections speaking RESP2
// and RESP3 (after HELLO 3).
func startServer(t *testing.T) (srv *redistest.Server, byProto map[int]*conn) {
	srv = redistest.Start(t, redistest.Config{})
	byProto = map[int]*conn{2: dial(t, srv.Addr()), 3: dial(t, srv.Addr())}
	if v := byProto[3].do("HELLO", "3"); v.Type() != resp.Map {
		t.Fatalf("HELLO 3: %#v", v)
	}
	return srv, byProto
}

// serverCommands parses the server's COMMAND reply into Infos by name.
func serverCommands(t *testing.T, c *conn) map[string]*Info {
	t.Helper()
	reply := c.do("COMMAND")
	if reply.Type() != resp.Array || reply.Len() < 200 {
		t.Fatalf("COMMAND: %#v", reply)
	}
	out := map[string]*Info{}
	for _, e := range reply.Elems() {
		infos, err := AppendCommandInfo(nil, e)
		if err != nil {
			t.Fatalf("COMMAND: %v in %#v", err, e)
		}
		for _, info := range infos {
			out[info.Name] = info
		}
	}
	return out
}

// Differences between the table (Redis 8.8) and Redis 7.0, each a change
// made upstream between the two releases. With another server version the
// server may agree with the table instead; either is accepted.
var (
	// The request and response policies of Redis 7.0.
	policies70 = map[string][2]any{
		"SCAN":             {RequestSpecial, ResponseDefault},       // 7.2 added RESPONSE_POLICY:SPECIAL
		"RANDOMKEY":        {RequestAllShards, ResponseDefault},     // 7.2 added RESPONSE_POLICY:SPECIAL
		"MSETNX":           {RequestMultiShard, ResponseAggMin},     // 7.2 dropped the tips: MSETNX is not splittable
		"LATENCY RESET":    {RequestAllNodes, ResponseAllSucceeded}, // 7.2: AGG_SUM (it returns a count)
		"ACL DELUSER":      {RequestDefault, ResponseDefault},       // 8.x: ALL_NODES, ALL_SUCCEEDED
		"ACL SETUSER":      {RequestDefault, ResponseDefault},       // 8.x: ALL_NODES, ALL_SUCCEEDED
		"ACL SAVE":         {RequestDefault, ResponseDefault},       // 8.x: ALL_NODES, ALL_SUCCEEDED
		"CONFIG REWRITE":   {RequestDefault, ResponseDefault},       // 8.x: ALL_NODES, ALL_SUCCEEDED
		"CONFIG RESETSTAT": {RequestDefault, ResponseDefault},       // 8.x: ALL_NODES, ALL_SUCCEEDED
		"CLIENT SETNAME":   {RequestDefault, ResponseDefault},       // 8.x: ALL_NODES, ALL_SUCCEEDED
	}
	// Commands whose key spec flags (not positions) changed: SINTERSTORE's
	// destination is RW|UPDATE in 7.0, OW|UPDATE since.
	keyFlags70 = []string{"SINTERSTORE"}
	// The arities of Redis 7.0.
	arity70 = map[string]int16{
		"ZRANK":                   3,  // 7.2 added WITHSCORE
		"ZREVRANK":                3,  // 7.2 added WITHSCORE
		"COMMAND GETKEYS":         -4, // 7.2 accepts a command without arguments
		"COMMAND GETKEYSANDFLAGS": -4, // likewise
	}
)

// sampleArgvs returns argvs for the command of info: its name, then 0 to 7
// plain words, with one or two of them replaced by a number or by a keyword
// of the command's key specs.
func sampleArgvs(info *Info, maxExtra int, pairs bool) [][][]byte {
	prefix := args(info.Name)
	specials := []string{"2", "0", "1", "-1", "x"}
	for _, ks := range info.Keys {
		if ks.Begin == BeginKeyword && !slices.Contains(specials, ks.Keyword) {
			specials = append(specials, ks.Keyword, strings.ToLower(ks.Keyword))
		}
	}
	if info.Name == "MIGRATE" || info.Name == "SORT" || info.Name == "SORT_RO" {
		specials = append(specials, "", "KEYS", "STORE", "LIMIT", "GET", "BY", "AUTH", "AUTH2")
	}
	var out [][][]byte
	add := func(words []string) {
		argv := slices.Clone(prefix)
		for _, w := range words {
			argv = append(argv, []byte(w))
		}
		out = append(out, argv)
	}
	for n := 0; n <= maxExtra; n++ {
		words := make([]string, n)
		for i := range words {
			words[i] = fmt.Sprintf("w%d", i+1)
		}
		add(words)
		for p := range n {
			for _, s := range specials {
				w := slices.Clone(words)
				w[p] = s
				add(w)
				if !pairs {
					continue
				}
				for q := p + 1; q < n; q++ {
					for _, s2 := range specials {
						w2 := slices.Clone(w)
						w2[q] = s2
						add(w2)
					}
				}
			}
		}
	}
	return out
}

// TestServerCommandInfo parses COMMAND of a real server in RESP2 and RESP3
// and checks that, for every command the table and the server both know,
// the parsed Info agrees with the table: the same key indexes for a few
// hundred sample argvs each, the same key specs, legacy positions and
// routing policies (but for the changes listed above).
func TestServerCommandInfo(t *testing.T) {
	_, conns := startServer(t)
	var parsed [4]map[string]*Info
	for _, proto := range []int{2, 3} {
		parsed[proto] = serverCommands(t, conns[proto])
	}
	if !reflect.DeepEqual(parsed[2], parsed[3]) {
		t.Error("RESP2 and RESP3 forms of COMMAND parse differently")
	}
	for _, proto := range []int{2, 3} {
		compared, argvs := 0, 0
		for name, p := range parsed[proto] {
			tab := Lookup(name)
			if tab == nil {
				continue // newer in the server than the table: none with a 7.0 server
			}
			compared++
			if pol, ok := policies70[name]; ok {
				if (p.Request != pol[0] || p.Response != pol[1]) && (p.Request != tab.Request || p.Response != tab.Response) {
					t.Errorf("RESP%d: %s: policies %v/%v, want %v/%v or the table's %v/%v", proto, name, p.Request, p.Response, pol[0], pol[1], tab.Request, tab.Response)
				}
			} else if p.Request != tab.Request || p.Response != tab.Response {
				t.Errorf("RESP%d: %s: policies %v/%v, table %v/%v", proto, name, p.Request, p.Response, tab.Request, tab.Response)
			}
			if p.Nondeterministic != tab.Nondeterministic {
				t.Errorf("RESP%d: %s: %v, table %v", proto, name, p.Nondeterministic, tab.Nondeterministic)
			}
			if p.FirstKey != tab.FirstKey || p.KeyStep != tab.KeyStep || p.LastKey != tab.LastKey {
				t.Errorf("RESP%d: %s: legacy keys %d/%d/%d, table %d/%d/%d", proto, name, p.FirstKey, p.KeyStep, p.LastKey, tab.FirstKey, tab.KeyStep, tab.LastKey)
			}
			// Flags are not compared: many changed after 7.0 (7.2 allows
			// blocking commands in scripts, 7.4 loading for CLUSTER ...);
			// TestParseCommandInfoCaptured checks them against Redis 8.8.
			if a, ok := arity70[name]; (p.Arity != tab.Arity && (!ok || p.Arity != a)) || p.Flags&Container != tab.Flags&Container {
				t.Errorf("RESP%d: %s: arity %d flags %v, table %d %v", proto, name, p.Arity, p.Flags, tab.Arity, tab.Flags)
			}
			wantKeys := tab.Keys
			if slices.Contains(keyFlags70, name) {
				wantKeys = slices.Clone(tab.Keys)
				for i := range wantKeys {
					if i < len(p.Keys) {
						wantKeys[i].Flags = p.Keys[i].Flags
					}
				}
			}
			if !slices.Equal(p.Keys, wantKeys) {
				t.Errorf("RESP%d: %s: key specs\n%+v\ntable\n%+v", proto, name, p.Keys, tab.Keys)
			}
			// The same keys, computed from each Info's own specs.
			for _, argv := range sampleArgvs(tab, 7, name != "PING") {
				argvs++
				want, werr := tab.KeyIndexes(nil, argv)
				got, gerr := p.KeyIndexes(nil, argv)
				if (werr == nil) != (gerr == nil) || !slices.Equal(got, want) {
					t.Errorf("RESP%d: %q: parsed %v, %v; table %v, %v", proto, argv, got, gerr, want, werr)
				}
			}
		}
		if compared < 350 || argvs < 100000 {
			t.Errorf("RESP%d: %d commands, %d argvs compared", proto, compared, argvs)
		}
		t.Logf("RESP%d: %d commands of the server's %d compared on %d argvs", proto, compared, len(parsed[proto]), argvs)
	}
	for name, pol := range policies70 {
		if Lookup(name) == nil || parsed[2][name] == nil {
			t.Errorf("%s (policies %v) is not in both", name, pol)
		}
	}

	// COMMAND INFO by name, subcommands included, and an unknown command.
	for _, proto := range []int{2, 3} {
		reply := conns[proto].do("COMMAND", "INFO", "get", "object|encoding", "XGROUP|CREATE", "no-such-command")
		e := reply.Elems()
		if len(e) != 4 {
			t.Fatalf("COMMAND INFO: %#v", reply)
		}
		for i, name := range []string{"GET", "OBJECT ENCODING", "XGROUP CREATE"} {
			info, err := ParseCommandInfo(e[i])
			if err != nil || info.Name != name || !slices.Equal(info.Keys, Lookup(name).Keys) {
				t.Errorf("RESP%d: COMMAND INFO %s: %+v, %v", proto, name, info, err)
			}
		}
		if info, err := ParseCommandInfo(e[3]); err != ErrUnknownCommand || info != nil {
			t.Errorf("RESP%d: unknown command: %+v, %v", proto, info, err)
		}
	}
}

// getKeysCases are command lines whose keys the server is asked for.
var getKeysCases = []string{
	"GET k", "SET k v GET", "MGET a b c", "MSET a 1 b 2", "DEL a b", "BLPOP a b 0", "RENAME a b",
	"BITOP AND dst a b", "OBJECT ENCODING k", "XGROUP CREATE s g $ MKSTREAM", "MEMORY USAGE k",
	"XREAD STREAMS a b 0 0", "XREAD COUNT 2 BLOCK 0 STREAMS a b c 0 0 0", "XREAD STREAMS a b 0",
	"XREADGROUP GROUP g c STREAMS s >", "XREADGROUP GROUP STREAMS c STREAMS s >",
	"EVAL s 2 a b x", "EVAL s 0", "EVALSHA s 1 a", "FCALL f 1 a x", "FCALL_RO f 2 a b",
	"ZUNIONSTORE dst 2 a b WEIGHTS 1 2", "ZINTER 2 a b", "ZDIFFSTORE d 1 a", "LMPOP 2 a b LEFT",
	"BLMPOP 0 2 a b LEFT", "BZMPOP 0 1 a MIN", "SINTERCARD 2 a b LIMIT 1", "ZINTERCARD 1 a",
	"MIGRATE h 6379 k 0 5000", "MIGRATE h 6379 '' 0 5000 KEYS a b c", "MIGRATE h 6379 '' 0 5000 COPY AUTH keys KEYS a",
	"MIGRATE h 6379 '' 0 5000 AUTH2 keys keys KEYS a b", "MIGRATE h 6379 '' 0 5000 KEYS",
	"SORT k", "SORT k STORE dst", "sort k by store get # store d2", "SORT k LIMIT STORE x STORE d", "SORT_RO k BY x",
	"GEORADIUS src 0 0 1 km", "GEORADIUS src 0 0 1 km STORE dst", "GEORADIUS src 0 0 1 km STORE dst STOREDIST dd",
	"GEORADIUSBYMEMBER src m 1 km STOREDIST dst", "GEOSEARCHSTORE dst src FROMMEMBER m BYRADIUS 1 km",
	"LMOVE a b LEFT RIGHT", "SMOVE a b m", "PFMERGE d a b", "WATCH a b", "TOUCH a b", "UNLINK a",
	"SPUBLISH ch m", "SSUBSCRIBE a b", "PING", "CLIENT LIST", "COPY a b", "LCS a b",
}

// keyspaceKeys returns the keys of argv that are keys of the keyspace: those
// of KeyIndexes but the NOT_KEY arguments, which COMMAND GETKEYS does not
// list.
func keyspaceKeys(info *Info, argv [][]byte) ([]string, error) {
	var idx []int
	var err error
	if slices.ContainsFunc(info.Keys, func(ks KeySpec) bool { return ks.Flags&KeyNotKey != 0 }) {
		for i := range info.Keys {
			if info.Keys[i].Flags&KeyNotKey == 0 {
				if idx, err = info.Keys[i].AppendIndexes(idx, argv); err != nil {
					return nil, err
				}
			}
		}
	} else if idx, err = info.KeyIndexes(nil, argv); err != nil {
		return nil, err
	}
	keys := make([]string, len(idx))
	for i, x := range idx {
		keys[i] = string(argv[x])
	}
	return keys, nil
}

// TestServerGetKeys asks the server's COMMAND GETKEYS for the keys of the
// cases above and of sample argvs of every command both know (of a valid
// arity), and compares with the table's KeyIndexes. Whenever the server
// names keys, KeyIndexes must find the same ones in the same order; when
// the server refuses the argv ("Invalid arguments specified"), KeyIndexes
// may refuse it too or find the keys it can (see KeyIndexes).
func TestServerGetKeys(t *testing.T) {
	srv, conns := startServer(t)
	known := serverCommands(t, conns[2])
	var argvs [][][]byte
	for _, line := range getKeysCases {
		argvs = append(argvs, args(line))
	}
	for _, info := range All() {
		if known[info.Name] == nil || info.Flags&Container != 0 {
			continue // commands of Redis 7.2 and later, sentinel commands, containers
		}
		for _, argv := range sampleArgvs(&info, 6, false) {
			if n := len(argv); info.Arity > 0 && n == int(info.Arity) || info.Arity < 0 && n >= -int(info.Arity) {
				argvs = append(argvs, argv)
			}
		}
	}
	cmds := make([][]any, len(argvs))
	for i, argv := range argvs {
		cmd := []any{"COMMAND", "GETKEYS"}
		for _, a := range argv {
			cmd = append(cmd, a)
		}
		cmds[i] = cmd
	}
	replies := conns[2].pipeline(cmds)
	named, refused := 0, 0
	for i, argv := range argvs {
		info := lookupArgv(argv)
		if info == nil {
			t.Fatalf("%q: not in the table", argv)
		}
		keys, err := keyspaceKeys(info, argv)
		v := replies[i]
		switch {
		case v.Type() == resp.Array && v.Len() > 0:
			named++
			var want []string
			for _, k := range v.Elems() {
				want = append(want, k.String())
			}
			if err != nil || !slices.Equal(keys, want) {
				t.Errorf("%q: KeyIndexes finds %q, %v; the server %q", argv, keys, err, want)
			}
		case v.Type() == resp.Array, strings.Contains(v.String(), "has no key arguments"):
			if len(keys) > 0 {
				t.Errorf("%q: KeyIndexes finds %q; the server none (%s)", argv, keys, v.String())
			}
		case len(argv) == 1 && strings.Contains(v.String(), "wrong number of arguments for 'command|getkeys'"):
			// COMMAND GETKEYS needs an argument after the command name.
		case strings.Contains(v.String(), "Invalid arguments specified"),
			strings.Contains(v.String(), "Invalid number of arguments specified"):
			refused++
		default:
			t.Errorf("%q: the server answers %#v", argv, v)
		}
	}
	if named < 5000 {
		t.Errorf("only %d argvs with keys compared", named)
	}
	t.Logf("%d argvs (server %s): %d with keys compared, %d refused by the server", len(argvs), srv.Addr(), named, refused)
}
