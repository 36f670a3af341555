package redis_test

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/redistest"
	"github.com/respkit/redis/resp"
)

func TestScriptingEncoding(t *testing.T) {
	wantArgs(t, redis.Eval("return 1", nil), "EVAL", "return 1", "0")
	wantArgs(t, redis.Eval("return 1", []string{"k1", "k2"}, "a", 7, 1.5, []byte("b")), "EVAL", "return 1", "2", "k1", "k2", "a", "7", "1.5", "b")
	wantArgs(t, redis.EvalRO("s", []string{"k"}, "a"), "EVAL_RO", "s", "1", "k", "a")
	wantArgs(t, redis.EvalSHA("abc", []string{"k"}), "EVALSHA", "abc", "1", "k")
	wantArgs(t, redis.EvalSHARO("abc", nil, "x"), "EVALSHA_RO", "abc", "0", "x")
	wantArgs(t, redis.FCall("f", []string{"k"}, "x"), "FCALL", "f", "1", "k", "x")
	wantArgs(t, redis.FCallRO("f", nil), "FCALL_RO", "f", "0")
	if k, ok := redis.Eval("s", []string{"first", "second"}).Key(); !ok || k != "first" {
		t.Fatalf("EVAL routes by %q, %v; want the first key", k, ok)
	}
	if _, ok := redis.Eval("s", nil, "a").Key(); ok {
		t.Fatal("EVAL without keys has a routing key")
	}
	wantBuildError(t, redis.Eval("s", nil, struct{}{}), "EVAL")

	wantArgs(t, redis.FunctionDelete("lib"), "FUNCTION", "DELETE", "lib")
	wantArgs(t, redis.FunctionDump(), "FUNCTION", "DUMP")
	wantArgs(t, redis.FunctionFlush(), "FUNCTION", "FLUSH")
	wantArgs(t, redis.FunctionFlush(redis.FunctionFlushOptions{Async: true}), "FUNCTION", "FLUSH", "ASYNC")
	wantArgs(t, redis.FunctionFlush(redis.FunctionFlushOptions{Sync: true}), "FUNCTION", "FLUSH", "SYNC")
	wantBuildError(t, redis.FunctionFlush(redis.FunctionFlushOptions{Async: true, Sync: true}), "Async", "Sync")
	wantArgs(t, redis.FunctionHelp(), "FUNCTION", "HELP")
	wantArgs(t, redis.FunctionKill(), "FUNCTION", "KILL")
	wantArgs(t, redis.FunctionList(), "FUNCTION", "LIST")
	wantArgs(t, redis.FunctionList(redis.FunctionListOptions{LibraryName: "my*", WithCode: true}), "FUNCTION", "LIST", "LIBRARYNAME", "my*", "WITHCODE")
	wantArgs(t, redis.FunctionLoad("#!lua name=x"), "FUNCTION", "LOAD", "#!lua name=x")
	wantArgs(t, redis.FunctionLoad("#!lua name=x", redis.FunctionLoadOptions{Replace: true}), "FUNCTION", "LOAD", "REPLACE", "#!lua name=x")
	wantArgs(t, redis.FunctionRestore([]byte("\x00p")), "FUNCTION", "RESTORE", "\x00p")
	wantArgs(t, redis.FunctionRestore("p", redis.FunctionRestoreOptions{Flush: true}), "FUNCTION", "RESTORE", "p", "FLUSH")
	wantArgs(t, redis.FunctionRestore("p", redis.FunctionRestoreOptions{Append: true}), "FUNCTION", "RESTORE", "p", "APPEND")
	wantArgs(t, redis.FunctionRestore("p", redis.FunctionRestoreOptions{Replace: true}), "FUNCTION", "RESTORE", "p", "REPLACE")
	wantBuildError(t, redis.FunctionRestore("p", redis.FunctionRestoreOptions{Flush: true, Replace: true}), "Flush", "Replace")
	wantArgs(t, redis.FunctionStats(), "FUNCTION", "STATS")

	wantArgs(t, redis.ScriptDebug("no"), "SCRIPT", "DEBUG", "NO")
	wantArgs(t, redis.ScriptDebug("YES"), "SCRIPT", "DEBUG", "YES")
	wantArgs(t, redis.ScriptDebug("sync"), "SCRIPT", "DEBUG", "SYNC")
	wantBuildError(t, redis.ScriptDebug("maybe"), "YES, SYNC, NO")
	if redis.ScriptDebug("NO").Flags()&redis.FlagConnState != 0 || redis.ScriptDebug("SYNC").Flags()&redis.FlagConnState == 0 {
		t.Fatal("SCRIPT DEBUG YES/SYNC must be marked as changing the connection's state, NO not")
	}
	wantArgs(t, redis.ScriptExists("a", "b"), "SCRIPT", "EXISTS", "a", "b")
	wantBuildError(t, redis.ScriptExists(), "sha1")
	wantArgs(t, redis.ScriptFlush(), "SCRIPT", "FLUSH")
	wantArgs(t, redis.ScriptFlush(redis.ScriptFlushOptions{Async: true}), "SCRIPT", "FLUSH", "ASYNC")
	wantBuildError(t, redis.ScriptFlush(redis.ScriptFlushOptions{Async: true, Sync: true}), "Async", "Sync")
	wantArgs(t, redis.ScriptHelp(), "SCRIPT", "HELP")
	wantArgs(t, redis.ScriptKill(), "SCRIPT", "KILL")
	wantArgs(t, redis.ScriptLoad("return 1"), "SCRIPT", "LOAD", "return 1")
}

func scriptSHA1(s string) string {
	h := sha1.Sum([]byte(s))
	return hex.EncodeToString(h[:])
}

func TestScriptingEval(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		k, h := key(t, "k"), key(t, "h")
		defer c.Do(ctx, "DEL", k, h)

		r, err := c.Eval(ctx, "return {KEYS[1], ARGV[1], ARGV[2], 42}", []string{k}, "a", 7)
		if err != nil {
			t.Fatal(err)
		}
		got, err := r.Strings()
		if err != nil || !slices.Equal(got, []string{k, "a", "7", "42"}) {
			t.Fatalf("EVAL = %q, %v", got, err)
		}
		r, err = c.Eval(ctx, "return redis.call('SET', KEYS[1], ARGV[1])", []string{k}, []byte("v"))
		if s, _ := r.Text(); err != nil || s != "OK" {
			t.Fatalf("EVAL SET = %q, %v", s, err)
		}
		r, err = c.Eval(ctx, "return redis.call('INCRBY', KEYS[1], 0) + 41", []string{key(t, "n")})
		if n, _ := r.Int64(); err != nil || n != 41 {
			t.Fatalf("EVAL number = %d, %v", n, err)
		}
		// A nil from the script is a value, read as ErrNil.
		r, err = c.Eval(ctx, "return nil", nil)
		if err != nil || !errors.Is(r.Err(), redis.ErrNil) {
			t.Fatalf("EVAL nil: err %v, Result.Err %v", err, r.Err())
		}
		// An error raised by the script is the error.
		r, err = c.Eval(ctx, "return redis.error_reply('MYERR bad thing')", nil)
		if !errors.Is(err, &redis.Error{Msg: "MYERR"}) || !errors.Is(r.Err(), &redis.Error{Msg: "MYERR"}) {
			t.Fatalf("EVAL error_reply: %v / %v", err, r.Err())
		}
		// A RESP3 reply from the script reads the same under both protocols.
		if err := c.Do(ctx, "HSET", h, "f1", "v1", "f2", "v2").Err(); err != nil {
			t.Fatal(err)
		}
		r, err = c.Eval(ctx, "redis.setresp(3); return redis.call('HGETALL', KEYS[1])", []string{h})
		if err != nil {
			t.Fatal(err)
		}
		if m, err := r.StringMap(); err != nil || len(m) != 2 || m["f1"] != "v1" || m["f2"] != "v2" {
			t.Fatalf("EVAL HGETALL = %v, %v", m, err)
		}

		// EVAL_RO reads, and refuses to write.
		r, err = c.EvalRO(ctx, "return redis.call('GET', KEYS[1])", []string{k})
		if s, _ := r.Text(); err != nil || s != "v" {
			t.Fatalf("EVAL_RO GET = %q, %v", s, err)
		}
		if _, err := c.EvalRO(ctx, "return redis.call('SET', KEYS[1], 'w')", []string{k}); err == nil {
			t.Fatal("EVAL_RO wrote")
		}

		// SCRIPT LOAD, EXISTS, EVALSHA.
		script := "return {ARGV[1], #KEYS}"
		sha, err := c.ScriptLoad(ctx, script)
		if err != nil || sha != scriptSHA1(script) {
			t.Fatalf("SCRIPT LOAD = %q, %v, want %s", sha, err, scriptSHA1(script))
		}
		unknown := scriptSHA1("never loaded " + t.Name())
		if ex, err := c.ScriptExists(ctx, sha, unknown); err != nil || !slices.Equal(ex, []bool{true, false}) {
			t.Fatalf("SCRIPT EXISTS = %v, %v", ex, err)
		}
		r, err = c.EvalSHA(ctx, sha, []string{k, h}, "z")
		if got, _ := r.Strings(); err != nil || !slices.Equal(got, []string{"z", "2"}) {
			t.Fatalf("EVALSHA = %q, %v", got, err)
		}
		r, err = c.EvalSHARO(ctx, sha, nil, "y")
		if got, _ := r.Strings(); err != nil || !slices.Equal(got, []string{"y", "0"}) {
			t.Fatalf("EVALSHA_RO = %q, %v", got, err)
		}
		if _, err := c.EvalSHA(ctx, unknown, nil); !errors.Is(err, redis.ErrNoScript) {
			t.Fatalf("EVALSHA of an unknown script: %v, want NOSCRIPT", err)
		}
		if _, err := c.EvalSHARO(ctx, unknown, nil); !errors.Is(err, redis.ErrNoScript) {
			t.Fatalf("EVALSHA_RO of an unknown script: %v, want NOSCRIPT", err)
		}

		// Through RunCommand, as a pipeline would.
		r, err = redis.RunCommand(ctx, c, redis.Eval("return ARGV[1]", nil, "cmd"))
		if s, _ := r.Text(); err != nil || s != "cmd" {
			t.Fatalf("RunCommand(Eval) = %q, %v", s, err)
		}
	})
}

func TestScriptingHelp(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		for name, help := range map[string]func(context.Context) ([]string, error){
			"SCRIPT": c.ScriptHelp, "FUNCTION": c.FunctionHelp,
		} {
			lines, err := help(ctx)
			if err != nil || len(lines) < 5 || !strings.Contains(lines[0], name) {
				t.Fatalf("%s HELP = %q, %v", name, lines, err)
			}
		}
	})
}

func TestScriptingDebug(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		cn := connReserve(t, c)
		if err := cn.ScriptDebug(ctx, "no"); err != nil {
			t.Fatal(err)
		}
		// The connection still runs scripts normally.
		if s, err := cn.Do(ctx, "EVAL", "return 'plain'", 0).Text(); err != nil || s != "plain" {
			t.Fatalf("EVAL after SCRIPT DEBUG NO = %q, %v", s, err)
		}
		// YES would turn the next EVAL into a debugging session: a Client
		// refuses it.
		if _, err := redis.RunCommand(ctx, c, redis.ScriptDebug("YES")); err == nil || !strings.Contains(err.Error(), "state of the connection") {
			t.Fatalf("SCRIPT DEBUG YES on a Client: %v, want a refusal", err)
		}
		// NO may run on a Client's shared connections.
		if _, err := redis.RunCommand(ctx, c, redis.ScriptDebug("NO")); err != nil {
			t.Fatal(err)
		}
	})
}

// scriptTestLibrary returns the source of a library named name with two
// functions, name_echo and name_get (no-writes, with a description).
func scriptTestLibrary(name string) string {
	return fmt.Sprintf(`#!lua name=%[1]s
redis.register_function('%[1]s_echo', function(keys, args) return {keys[1], args[1]} end)
redis.register_function{function_name='%[1]s_get', callback=function(keys, args) return redis.call('GET', keys[1]) end, flags={'no-writes'}, description='reads a key'}
`, name)
}

func TestScriptingFunctions(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		lib := fmt.Sprintf("cslib%d", c.Options().Protocol)
		code := scriptTestLibrary(lib)
		k := key(t, "k")
		defer c.Do(ctx, "DEL", k)
		c.FunctionDelete(ctx, lib) // left over from an interrupted run
		defer c.FunctionDelete(ctx, lib)

		if name, err := c.FunctionLoad(ctx, code); err != nil || name != lib {
			t.Fatalf("FUNCTION LOAD = %q, %v", name, err)
		}
		if _, err := c.FunctionLoad(ctx, code); err == nil {
			t.Fatal("FUNCTION LOAD of an existing library succeeded without REPLACE")
		}
		if name, err := c.FunctionLoad(ctx, code, redis.FunctionLoadOptions{Replace: true}); err != nil || name != lib {
			t.Fatalf("FUNCTION LOAD REPLACE = %q, %v", name, err)
		}

		r, err := c.FCall(ctx, lib+"_echo", []string{k}, "arg")
		if got, _ := r.Strings(); err != nil || !slices.Equal(got, []string{k, "arg"}) {
			t.Fatalf("FCALL = %q, %v", got, err)
		}
		if err := c.Set(ctx, k, "val"); err != nil {
			t.Fatal(err)
		}
		r, err = c.FCallRO(ctx, lib+"_get", []string{k})
		if s, _ := r.Text(); err != nil || s != "val" {
			t.Fatalf("FCALL_RO = %q, %v", s, err)
		}
		if _, err := c.FCallRO(ctx, lib+"_echo", []string{k}); err == nil {
			t.Fatal("FCALL_RO of a function without no-writes succeeded")
		}

		libs, err := c.FunctionList(ctx, redis.FunctionListOptions{LibraryName: lib})
		if err != nil || len(libs) != 1 {
			t.Fatalf("FUNCTION LIST LIBRARYNAME %s = %+v, %v", lib, libs, err)
		}
		l := libs[0]
		slices.SortFunc(l.Functions, func(a, b redis.Function) int { return strings.Compare(a.Name, b.Name) })
		want := []redis.Function{{Name: lib + "_echo", Flags: []string{}}, {Name: lib + "_get", Description: "reads a key", Flags: []string{"no-writes"}}}
		if l.Name != lib || l.Engine != "LUA" || l.Code != "" || len(l.Functions) != 2 ||
			l.Functions[0].Name != want[0].Name || l.Functions[0].Description != "" || len(l.Functions[0].Flags) != 0 ||
			l.Functions[1].Name != want[1].Name || l.Functions[1].Description != want[1].Description || !slices.Equal(l.Functions[1].Flags, want[1].Flags) {
			t.Fatalf("FUNCTION LIST = %+v, want %s with %+v", l, lib, want)
		}
		libs, err = c.FunctionList(ctx, redis.FunctionListOptions{LibraryName: lib, WithCode: true})
		if err != nil || len(libs) != 1 || libs[0].Code != code {
			t.Fatalf("FUNCTION LIST WITHCODE = %+v, %v", libs, err)
		}
		all, err := c.FunctionList(ctx)
		if err != nil || !slices.ContainsFunc(all, func(l redis.Library) bool { return l.Name == lib }) {
			t.Fatalf("FUNCTION LIST lacks %s: %+v, %v", lib, all, err)
		}

		st, err := c.FunctionStats(ctx)
		if err != nil || st.Running != nil || st.Engines["LUA"].Libraries < 1 || st.Engines["LUA"].Functions < 2 {
			t.Fatalf("FUNCTION STATS = %+v, %v", st, err)
		}

		dump, err := c.FunctionDump(ctx)
		if err != nil || len(dump) == 0 {
			t.Fatalf("FUNCTION DUMP = %q, %v", dump, err)
		}
		if err := c.FunctionDelete(ctx, lib); err != nil {
			t.Fatal(err)
		}
		if libs, err := c.FunctionList(ctx, redis.FunctionListOptions{LibraryName: lib}); err != nil || len(libs) != 0 {
			t.Fatalf("FUNCTION LIST after DELETE = %+v, %v", libs, err)
		}
		if err := c.FunctionDelete(ctx, lib); err == nil {
			t.Fatal("FUNCTION DELETE of a missing library succeeded")
		}
		// REPLACE, since the shared server may hold other libraries.
		if err := c.FunctionRestore(ctx, dump, redis.FunctionRestoreOptions{Replace: true}); err != nil {
			t.Fatal(err)
		}
		r, err = c.FCallRO(ctx, lib+"_get", []string{k})
		if s, _ := r.Text(); err != nil || s != "val" {
			t.Fatalf("FCALL_RO after RESTORE = %q, %v", s, err)
		}
	})
}

// TestScriptingFlush flushes scripts and functions: on its own server.
func TestScriptingFlush(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{})
	connOwnServerClients(t, srv, redis.Options{}, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		if err := c.FunctionFlush(ctx); err != nil {
			t.Fatal(err)
		}
		for _, opt := range []redis.ScriptFlushOptions{{}, {Async: true}, {Sync: true}} {
			sha, err := c.ScriptLoad(ctx, "return 'flushme'")
			if err != nil {
				t.Fatal(err)
			}
			if err := c.ScriptFlush(ctx, opt); err != nil {
				t.Fatal(err)
			}
			if ex, err := c.ScriptExists(ctx, sha); err != nil || !slices.Equal(ex, []bool{false}) {
				t.Fatalf("SCRIPT EXISTS after SCRIPT FLUSH %+v = %v, %v", opt, ex, err)
			}
		}
		for _, opt := range []redis.FunctionFlushOptions{{}, {Async: true}, {Sync: true}} {
			if _, err := c.FunctionLoad(ctx, scriptTestLibrary("flushed")); err != nil {
				t.Fatal(err)
			}
			if err := c.FunctionFlush(ctx, opt); err != nil {
				t.Fatal(err)
			}
			if libs, err := c.FunctionList(ctx); err != nil || len(libs) != 0 {
				t.Fatalf("FUNCTION LIST after FUNCTION FLUSH %+v = %+v, %v", opt, libs, err)
			}
		}
		// RESTORE policies.
		if _, err := c.FunctionLoad(ctx, scriptTestLibrary("keep")); err != nil {
			t.Fatal(err)
		}
		dump, err := c.FunctionDump(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.FunctionRestore(ctx, dump); err == nil {
			t.Fatal("FUNCTION RESTORE (APPEND) over an existing library succeeded")
		}
		if err := c.FunctionRestore(ctx, dump, redis.FunctionRestoreOptions{Append: true}); err == nil {
			t.Fatal("FUNCTION RESTORE APPEND over an existing library succeeded")
		}
		if _, err := c.FunctionLoad(ctx, scriptTestLibrary("other")); err != nil {
			t.Fatal(err)
		}
		if err := c.FunctionRestore(ctx, dump, redis.FunctionRestoreOptions{Flush: true}); err != nil {
			t.Fatal(err)
		}
		libs, err := c.FunctionList(ctx)
		if err != nil || len(libs) != 1 || libs[0].Name != "keep" {
			t.Fatalf("FUNCTION LIST after RESTORE FLUSH = %+v, %v", libs, err)
		}
		if err := c.FunctionDelete(ctx, "keep"); err != nil {
			t.Fatal(err)
		}
		if err := c.FunctionRestore(ctx, dump, redis.FunctionRestoreOptions{Append: true}); err != nil {
			t.Fatal(err)
		}
		if err := c.FunctionFlush(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

// TestScriptingKill stops a running script and a running function: on its
// own server, with a short busy-reply-threshold so that the server answers
// while they run.
func TestScriptingKill(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{Args: []string{"--busy-reply-threshold", "50"}})
	connOwnServerClients(t, srv, redis.Options{}, func(t *testing.T, c *redis.Client) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		// The busy script runs from a client of its own.
		o := c.Options()
		runner := redis.NewClient(&o)
		defer runner.Close()

		// killWhenBusy calls kill until it stops something; before the
		// script starts it fails with NOTBUSY.
		killWhenBusy := func(what string, kill func(context.Context) error) {
			for {
				err := kill(ctx)
				if err == nil {
					return
				}
				if !errors.Is(err, &redis.Error{Msg: "NOTBUSY"}) {
					t.Fatalf("%s KILL: %v", what, err)
				}
				if ctx.Err() != nil {
					t.Fatalf("%s never seen running", what)
				}
				time.Sleep(5 * time.Millisecond)
			}
		}
		if err := c.ScriptKill(ctx); !errors.Is(err, &redis.Error{Msg: "NOTBUSY"}) {
			t.Fatalf("SCRIPT KILL with nothing running: %v, want NOTBUSY", err)
		}
		if err := c.FunctionKill(ctx); !errors.Is(err, &redis.Error{Msg: "NOTBUSY"}) {
			t.Fatalf("FUNCTION KILL with nothing running: %v, want NOTBUSY", err)
		}

		var wg sync.WaitGroup
		var evalErr error
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, evalErr = runner.Eval(ctx, "while true do end", nil)
		}()
		killWhenBusy("SCRIPT", c.ScriptKill)
		wg.Wait()
		if evalErr == nil || !strings.Contains(evalErr.Error(), "killed") {
			t.Fatalf("killed EVAL returned %v", evalErr)
		}

		if _, err := c.FunctionLoad(ctx, "#!lua name=busy\nredis.register_function{function_name='spin', callback=function() while true do end end, flags={'no-writes'}}",
			redis.FunctionLoadOptions{Replace: true}); err != nil {
			t.Fatal(err)
		}
		var fcallErr error
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, fcallErr = runner.FCall(ctx, "spin", nil, "arg1")
		}()
		// FUNCTION STATS answers while the function runs: wait for it to
		// report the function, then kill it.
		var running *redis.RunningFunction
		for running == nil {
			st, err := c.FunctionStats(ctx)
			if err != nil {
				t.Fatal(err)
			}
			running = st.Running
			if ctx.Err() != nil {
				t.Fatal("FUNCTION STATS never showed spin running")
			}
		}
		if err := c.FunctionKill(ctx); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		if fcallErr == nil || !strings.Contains(fcallErr.Error(), "killed") {
			t.Fatalf("killed FCALL returned %v", fcallErr)
		}
		if running == nil || running.Name != "spin" || !slices.Equal(running.Command, []string{"FCALL", "spin", "0", "arg1"}) || running.Duration <= 0 {
			t.Fatalf("FUNCTION STATS while spin ran: running %+v", running)
		}
	})
}

// TestScriptingResultRaw checks that the Result of a script call carries
// the reply itself.
func TestScriptingResultRaw(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		r, err := c.Eval(context.Background(), "return {1, 'two', {3}}", nil)
		if err != nil {
			t.Fatal(err)
		}
		v, err := r.Value()
		if err != nil || v.Type() != resp.Array || v.Len() != 3 || v.Elems()[2].Elems()[0].Int() != 3 {
			t.Fatalf("EVAL raw reply = %#v, %v", v, err)
		}
	})
}
