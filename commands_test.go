package redis_test

// Shared harness of the command tests (one <group>_test.go per command
// group): a server shared by the whole test binary, clients under both
// protocols, per-test keys, skipping commands the server lacks, and
// checking a command's encoding against the spec's grammar.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/internal/cmdinfo"
	"github.com/respkit/redis/redistest"
	"github.com/respkit/redis/resp"
)

var shared struct {
	once sync.Once
	srv  *redistest.Server // nil when the tests use $REDIS_URL
	opts redis.Options
	err  error
}

// runPrefix begins every key that key returns: unique to this run of the
// test binary, so that runs against the same $REDIS_URL server never see
// each other's keys, and removed at the end of the run.
var runPrefix = func() string {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return "respkit-test:" + hex.EncodeToString(b[:]) + ":"
}()

func TestMain(m *testing.M) {
	goroutines, fds := runtime.NumGoroutine(), openFDs()
	code := m.Run()
	if shared.srv != nil {
		shared.srv.Close()
	} else if shared.err == nil && shared.opts.Addr != "" {
		if err := removeRunKeys(shared.opts); err != nil {
			fmt.Fprintf(os.Stderr, "removing this run's keys (%s*) from $REDIS_URL: %v\n", "{"+runPrefix, err)
			if code == 0 {
				code = 1
			}
		}
	}
	// The fuzzing engine keeps goroutines of its own (os/signal).
	fuzzing := flag.Lookup("test.fuzz") != nil && flag.Lookup("test.fuzz").Value.String() != ""
	if err := checkBaseline(goroutines, fds); err != nil && code == 0 && !fuzzing {
		fmt.Fprintln(os.Stderr, err)
		code = 1
	}
	os.Exit(code)
}

// checkBaseline waits up to 5 s for the goroutines and open file
// descriptors of the test binary to come back to what they were before the
// tests ran: every test closes its clients and servers, and a closed
// client leaves nothing running or open.
func checkBaseline(goroutines, fds int) error {
	var g, f int
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		g, f = runtime.NumGoroutine(), openFDs()
		if g <= goroutines && (fds < 0 || f <= fds) {
			return nil
		}
		if time.Now().After(deadline) {
			break
		}
	}
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	return fmt.Errorf("after the tests: %d goroutines (%d before), %d open file descriptors (%d before)\n%s", g, goroutines, f, fds, buf)
}

// openFDs counts the process's open file descriptors, or returns -1 where
// /proc/self/fd cannot be read.
func openFDs() int {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(entries)
}

// removeRunKeys unlinks, in every database of the server o reaches, the
// keys this run made (those key returned). The suite never flushes a
// server it did not start.
func removeRunKeys(o redis.Options) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for db := 0; db < 16; db++ {
		o.DB = db
		c := redis.NewClient(&o)
		err := unlinkMatching(ctx, c, "{"+runPrefix+"*")
		c.Close()
		if err != nil {
			var re *redis.Error
			if db > 0 && errors.As(err, &re) {
				return nil // no such database (SELECT refused): done
			}
			return fmt.Errorf("db %d: %w", db, err)
		}
	}
	return nil
}

func unlinkMatching(ctx context.Context, c *redis.Client, pattern string) error {
	cursor := "0"
	for {
		v, err := c.Do(ctx, "SCAN", cursor, "MATCH", pattern, "COUNT", 1000).Slice()
		if err != nil {
			return err
		}
		if len(v) != 2 {
			return fmt.Errorf("SCAN reply of %d elements", len(v))
		}
		if keys := v[1].Elems(); len(keys) > 0 {
			args := []any{"UNLINK"}
			for _, k := range keys {
				args = append(args, k.String())
			}
			if err := c.Do(ctx, args...).Err(); err != nil {
				return err
			}
		}
		if cursor = v[0].String(); cursor == "0" {
			return nil
		}
	}
}

// commandOptions returns options that reach the server the command tests
// share: $REDIS_URL when set (to run them against another server), else a
// redis-server started once for this test binary, with DEBUG enabled.
// Tests that stop the server, change its configuration or flush it must
// start their own with redistest.Start instead; see also requireOwnServer.
func commandOptions(t *testing.T) redis.Options {
	t.Helper()
	shared.once.Do(func() {
		if u := os.Getenv("REDIS_URL"); u != "" {
			o, err := redis.ParseURL(u)
			if err != nil {
				shared.err = fmt.Errorf("REDIS_URL: %w", err)
				return
			}
			shared.opts = *o
			return
		}
		shared.srv, shared.err = redistest.StartServer(redistest.Config{EnableDebug: true})
		if shared.err == nil {
			shared.opts = redis.Options{Addr: shared.srv.Addr()}
		}
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.opts
}

// requireOwnServer skips the test when the shared server is not one the
// suite started ($REDIS_URL is set): for tests that act on the whole
// server, such as killing every connection of a kind.
func requireOwnServer(t *testing.T, what string) {
	t.Helper()
	commandOptions(t)
	if shared.srv == nil {
		t.Skipf("%s acts on the whole server: not on $REDIS_URL, which the suite did not start", what)
	}
}

// aclUser is the ACL user c authenticates as: Options.Username (which
// $REDIS_URL may set), else "default".
func aclUser(c *redis.Client) string {
	if u := c.Options().Username; u != "" {
		return u
	}
	return "default"
}

// withClients runs body twice, with a client speaking RESP2 and one
// speaking RESP3, on the shared command server.
func withClients(t *testing.T, body func(t *testing.T, c *redis.Client)) {
	t.Helper()
	base := commandOptions(t)
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			o := base
			o.Protocol = proto
			c := redis.NewClient(&o)
			t.Cleanup(func() { c.Close() })
			body(t, c)
		})
	}
}

// key returns a key unique to the running (sub)test and to this run of
// the tests (see runPrefix). All keys of one test share a hash tag, so
// multi-key commands also work on a cluster.
func key(t *testing.T, suffix string) string {
	return "{" + runPrefix + t.Name() + "}:" + suffix
}

// requireCommand skips the test unless the server has the command (as
// COMMAND INFO reports it), saying which Redis version introduced it.
func requireCommand(t *testing.T, c *redis.Client, name string) {
	t.Helper()
	info := cmdinfo.Lookup(name)
	if info == nil {
		t.Fatalf("requireCommand: %s is not in the command table", name)
	}
	wire := strings.ToLower(strings.Replace(info.Name, " ", "|", 1))
	v, err := c.Do(context.Background(), "COMMAND", "INFO", wire).Slice()
	if err != nil {
		t.Fatalf("COMMAND INFO %s: %v", wire, err)
	}
	if len(v) == 1 && !v[0].IsNull() {
		return
	}
	t.Skipf("%s needs Redis %s: COMMAND INFO on this server does not list it (set REDIS_URL to a newer server to run this test)", info.Name, info.Since)
}

// requireSupport skips the test unless the server accepts args: a
// harmless probe of an option or mode that some servers lack (a whole
// command is requireCommand's). A server error to the probe means the
// server lacks it; what names it in the skip message. The probe must not
// fail for another reason: run it on a key of its own, after any setup it
// needs. Version numbers are not compared: servers that are not Redis
// (Valkey) report versions that do not say what they have.
func requireSupport(t *testing.T, c *redis.Client, what string, args ...any) {
	t.Helper()
	_, err := c.Do(context.Background(), args...).Value()
	probe := strings.TrimSpace(fmt.Sprintln(args...))
	var re *redis.Error
	switch {
	case err == nil:
	case errors.As(err, &re):
		t.Skipf("%s: this server answers %s with %q (set REDIS_URL to a server that has it to run this test)", what, probe, err)
	default:
		t.Fatalf("probing %s with %s: %v", what, probe, err)
	}
}

// encoded is what wantArgs needs of a command value.
type encoded interface {
	Bytes() []byte
	Err() error
	Name() string
}

// wantArgs checks that cmd was built without error and encodes exactly
// the arguments want (the command's name first), and that those
// arguments follow the command's grammar in the spec.
func wantArgs(t *testing.T, cmd encoded, want ...string) {
	t.Helper()
	if err := cmd.Err(); err != nil {
		t.Fatalf("%s: unexpected build error: %v", cmd.Name(), err)
	}
	got := argsOf(t, cmd)
	if strings.Join(got, "\x00") != strings.Join(want, "\x00") {
		t.Fatalf("%s encodes %q, want %q", cmd.Name(), got, want)
	}
	if err := matchSpec(cmd.Name(), got); err != nil {
		t.Fatalf("%s: %q does not follow the spec: %v", cmd.Name(), got, err)
	}
}

// wantBuildError checks that building cmd failed with an error mentioning
// each of the given fragments.
func wantBuildError(t *testing.T, cmd encoded, fragments ...string) {
	t.Helper()
	err := cmd.Err()
	if err == nil {
		t.Fatalf("%s: built without error, encoding %q", cmd.Name(), argsOf(t, cmd))
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Fatalf("%s: error %q does not mention %q", cmd.Name(), err, f)
		}
	}
}

func argsOf(t *testing.T, cmd encoded) []string {
	t.Helper()
	v, err := resp.NewReader(strings.NewReader(string(cmd.Bytes())), resp.Limits{}).Read()
	if err != nil {
		t.Fatalf("%s: encoding unreadable: %v", cmd.Name(), err)
	}
	var out []string
	for _, e := range v.Elems() {
		out = append(out, e.String())
	}
	return out
}

// The spec's argument grammar, read from internal/gen/commands.json.

type grammarArg struct {
	Name          string       `json:"name"`
	Type          string       `json:"type"`
	Token         string       `json:"token"`
	Optional      bool         `json:"optional"`
	Multiple      bool         `json:"multiple"`
	MultipleToken bool         `json:"multiple_token"`
	Args          []grammarArg `json:"arguments"`
}

var grammar struct {
	once sync.Once
	cmds map[string]struct {
		Args []grammarArg `json:"arguments"`
	}
	err error
}

// matchSpec reports whether args (the command's name words first) can be
// parsed by the command's argument tree, in the spec's order.
func matchSpec(name string, args []string) error {
	grammar.once.Do(func() {
		raw, err := os.ReadFile("internal/gen/commands.json")
		if err != nil {
			grammar.err = err
			return
		}
		grammar.err = json.Unmarshal(raw, &grammar.cmds)
	})
	if grammar.err != nil {
		return grammar.err
	}
	spec, ok := grammar.cmds[name]
	if !ok {
		return fmt.Errorf("no command %q in the spec", name)
	}
	words := len(strings.Fields(name))
	if len(args) < words || !strings.EqualFold(strings.Join(args[:words], " "), name) {
		return fmt.Errorf("does not start with %s", name)
	}
	rest := args[words:]
	for _, end := range matchSeq(spec.Args, rest, 0) {
		if end == len(rest) {
			return nil
		}
	}
	return fmt.Errorf("no parse of the arguments after %s consumes all %d of them", name, len(rest))
}

// matchSeq returns every position at which a parse of the sequence nodes
// starting at pos can end.
func matchSeq(nodes []grammarArg, args []string, pos int) []int {
	ends := []int{pos}
	for _, n := range nodes {
		var next []int
		for _, p := range ends {
			next = append(next, matchArg(n, args, p, true)...)
		}
		ends = dedupe(next)
		if len(ends) == 0 {
			return nil
		}
	}
	return ends
}

func matchArg(n grammarArg, args []string, pos int, outer bool) []int {
	var ends []int
	if n.Optional && outer {
		ends = append(ends, pos)
	}
	once := func(p int, withToken bool) []int {
		if withToken && n.Token != "" && n.Type != "pure-token" {
			if p >= len(args) || !strings.EqualFold(args[p], n.Token) {
				return nil
			}
			p++
		}
		return matchOne(n, args, p)
	}
	if !n.Multiple {
		return dedupe(append(ends, once(pos, true)...))
	}
	// One or more repetitions; the token comes before each one with
	// multiple_token, else once before all.
	frontier := once(pos, true)
	for len(frontier) > 0 {
		ends = append(ends, frontier...)
		var next []int
		for _, p := range frontier {
			if p == pos {
				continue
			}
			next = append(next, once(p, n.MultipleToken)...)
		}
		frontier = dedupe(next)
		if len(ends) > 4*len(args)+8 {
			break
		}
	}
	return dedupe(ends)
}

func matchOne(n grammarArg, args []string, p int) []int {
	switch n.Type {
	case "pure-token":
		if p < len(args) && strings.EqualFold(args[p], n.Token) {
			return []int{p + 1}
		}
		return nil
	case "oneof":
		var ends []int
		for _, alt := range n.Args {
			alt.Optional = false
			ends = append(ends, matchArg(alt, args, p, true)...)
		}
		return dedupe(ends)
	case "block":
		return matchSeq(n.Args, args, p)
	}
	if p >= len(args) {
		return nil
	}
	a := args[p]
	switch n.Type {
	case "integer", "unix-time":
		if _, err := strconv.ParseInt(a, 10, 64); err != nil {
			if _, err := strconv.ParseUint(a, 10, 64); err != nil { // cursors are unsigned
				return nil
			}
		}
	case "double":
		if _, err := strconv.ParseFloat(strings.TrimPrefix(a, "("), 64); err != nil && !strings.EqualFold(strings.TrimLeft(a, "+-("), "inf") {
			return nil
		}
	}
	return []int{p + 1}
}

func dedupe(xs []int) []int {
	seen := map[int]bool{}
	out := xs[:0:0]
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// TestSpecGrammar checks the grammar matcher itself.
func TestSpecGrammar(t *testing.T) {
	for _, tc := range []struct {
		args []string
		ok   bool
	}{
		{[]string{"SET", "k", "v"}, true},
		{[]string{"SET", "k", "v", "NX", "GET", "PX", "100"}, true},
		{[]string{"SET", "k", "v", "PX"}, false},
		{[]string{"SET", "k"}, false},
		{[]string{"ZRANGE", "k", "0", "-1", "BYSCORE", "REV", "LIMIT", "0", "10", "WITHSCORES"}, true},
		{[]string{"ZRANGE", "k", "0", "-1", "LIMIT", "0"}, false},
		{[]string{"SORT", "k", "GET", "a", "GET", "b", "ALPHA"}, true},
		{[]string{"SORT", "k", "GET", "a", "b"}, false},
		{[]string{"MSET", "a", "1", "b", "2"}, true},
		{[]string{"MSET", "a", "1", "b"}, false},
		{[]string{"CLIENT KILL", "ID", "7", "SKIPME", "yes"}, false}, // name words are separate args
		{[]string{"CLIENT", "KILL", "ID", "7", "SKIPME", "yes"}, true},
		{[]string{"ZADD", "k", "NX", "1", "a", "2", "b"}, true},
		{[]string{"ZADD", "k", "1", "a", "x", "b"}, false},
	} {
		name := tc.args[0]
		if len(tc.args) > 1 && cmdinfo.LookupSub(tc.args[0], tc.args[1]) != nil {
			name = tc.args[0] + " " + tc.args[1]
		}
		err := matchSpec(name, tc.args)
		if (err == nil) != tc.ok {
			t.Errorf("%q: match error %v, want ok=%v", tc.args, err, tc.ok)
		}
	}
}
