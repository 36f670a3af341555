package redis_test

// Regression tests for the faults found in the core review (issue 10):
// each failed on the code before its fix.

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/redistest"
	"github.com/respkit/redis/resp"
)

// TestCancelledBlockingCommandReturns cancels blocking commands a few
// microseconds after they begin: each must return at once with the
// context's error, never run its full block time (fault 2: the deadlines
// set after registering the cancellation could overwrite it).
func TestCancelledBlockingCommandReturns(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{})
	c := redis.NewClient(&redis.Options{Addr: srv.Addr(), PoolSize: 8})
	defer c.Close()
	q := "{cancel}:q"
	const calls = 300
	slow := 0
	for i := range calls {
		block := 300 * time.Millisecond
		if i%50 == 0 {
			block = 0 // until a value arrives
		}
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(time.Duration(rand.N(80))*time.Microsecond, cancel)
		start := time.Now()
		_, err := c.BLPop(ctx, []string{q}, block)
		took := time.Since(start)
		cancel()
		if err == nil {
			t.Fatalf("call %d: BLPOP returned a value from an empty list", i)
		}
		if !errors.Is(err, context.Canceled) && !errors.Is(err, redis.ErrNil) {
			t.Fatalf("call %d: err = %v, want context.Canceled", i, err)
		}
		if took > 150*time.Millisecond {
			slow++
			t.Errorf("call %d (block %v): returned after %v, err %v: the cancellation was lost", i, block, took, err)
		}
	}
	t.Logf("%d cancelled BLPOPs, %d ran past their cancellation", calls, slow)
}

// TestConnStateClassifiedWhateverTheArgumentTypes sends state-changing
// subcommands with their names as []byte: the shared connection must
// refuse them as it refuses strings (fault 3), and a reserved connection
// put in debug mode must not go back to the pool.
func TestConnStateClassifiedWhateverTheArgumentTypes(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{})
	forProtocols(t, srv, redis.Options{PoolSize: 1}, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		for _, args := range [][]any{
			{"CLIENT", []byte("REPLY"), "SKIP"},
			{"client", []byte("reply"), []byte("OFF")},
			{"SCRIPT", "DEBUG", "YES"},
			{"SCRIPT", []byte("DEBUG"), []byte("sync")},
		} {
			if err := c.Do(ctx, args...).Err(); err == nil || !strings.Contains(err.Error(), "changes the state") {
				t.Errorf("Do(%q): err = %v, want a refusal", args, err)
			}
			cmd, err := redis.NewCmd(args...)
			if err != nil || cmd.Flags()&redis.FlagConnState == 0 {
				t.Errorf("NewCmd(%q): flags %v, err %v: want FlagConnState", args, cmd.Flags(), err)
			}
		}
		if err := c.Set(ctx, "{cs}:k", "mine"); err != nil {
			t.Fatal(err)
		}
		if v, err := c.Get(ctx, "{cs}:k"); err != nil || v != "mine" {
			t.Fatalf("GET after the refused commands = %q, %v", v, err)
		}

		cn, err := c.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := cn.Do(ctx, "SCRIPT", []byte("DEBUG"), "YES").Err(); err != nil {
			t.Fatal(err)
		}
		cn.Close()
		cn, err = c.Conn(ctx) // the pool holds one connection: this must be a new one
		if err != nil {
			t.Fatal(err)
		}
		defer cn.Close()
		if v, err := cn.Do(ctx, "EVAL", "return 1", 0).Int64(); err != nil || v != 1 {
			t.Fatalf("EVAL on the next reserved connection = %v, %v: it inherited debug mode", v, err)
		}
	})
}

type blockMarshaler string

func (b blockMarshaler) MarshalBinary() ([]byte, error) { return []byte(b), nil }

// TestBlockTimeWhateverTheArgumentTypes finds the block time of raw
// blocking commands whatever the Go types of their arguments (fault 4), so
// that they run on an exclusive connection with their block time added to
// the read timeout.
func TestBlockTimeWhateverTheArgumentTypes(t *testing.T) {
	cases := []struct {
		args []any
		want time.Duration
	}{
		{[]any{"XREAD", "BLOCK", int32(2000), "STREAMS", "s", "$"}, 2 * time.Second},
		{[]any{"XREAD", []byte("block"), uint(1500), "STREAMS", "s", "$"}, 1500 * time.Millisecond},
		{[]any{"XREADGROUP", "GROUP", "g", "c", blockMarshaler("BLOCK"), uint16(250), "STREAMS", "s", ">"}, 250 * time.Millisecond},
		{[]any{"BLPOP", "q", float32(0.5)}, 500 * time.Millisecond},
		{[]any{"BLPOP", "q", uint8(0)}, -1},
		{[]any{"BLMPOP", int8(2), uint32(1), "q", "LEFT"}, 2 * time.Second},
		{[]any{"WAIT", 1, int16(100)}, 100 * time.Millisecond},
		{[]any{"BZPOPMIN", []byte("z"), []byte("1.25")}, 1250 * time.Millisecond},
	}
	for _, tc := range cases {
		cmd, err := redis.NewCmd(tc.args...)
		if err != nil {
			t.Fatal(err)
		}
		block, ok := cmd.Blocking()
		if !ok || block != tc.want {
			t.Errorf("%q: Blocking() = %v, %v; want %v, true", tc.args, block, ok, tc.want)
		}
	}
	if cmd, _ := redis.NewCmd("XREAD", []byte("COUNT"), 1, "STREAMS", "s", "0"); cmd.Flags()&redis.FlagBlocking != 0 {
		t.Errorf("XREAD without BLOCK is flagged blocking")
	}

	// Against a server: a 1 s XREAD BLOCK given as int32 with a 300 ms read
	// timeout waits its full time on its own connection while an
	// unrelated INCR goes through.
	srv := redistest.Start(t, redistest.Config{})
	c := redis.NewClient(&redis.Options{Addr: srv.Addr(), ReadTimeout: 300 * time.Millisecond})
	defer c.Close()
	ctx := context.Background()
	var wg sync.WaitGroup
	wg.Add(1)
	var xerr error
	var took time.Duration
	go func() {
		defer wg.Done()
		start := time.Now()
		xerr = c.Do(ctx, "XREAD", []byte("BLOCK"), int32(1000), "STREAMS", "{b}:s", "$").Err()
		took = time.Since(start)
	}()
	time.Sleep(100 * time.Millisecond)
	for i := range 5 {
		if _, err := c.Incr(ctx, "{b}:n"); err != nil {
			t.Fatalf("INCR %d during the blocking XREAD: %v", i, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	wg.Wait()
	if !errors.Is(xerr, redis.ErrNil) || took < 900*time.Millisecond {
		t.Fatalf("XREAD BLOCK 1000: err %v after %v; want ErrNil after about 1 s", xerr, took)
	}
}

// TestMayHaveRun checks MayHaveRun against what really happened on the
// server (fault 6).
func TestMayHaveRun(t *testing.T) {
	// Scripts running over 100 ms make the server answer BUSY.
	srv := redistest.Start(t, redistest.Config{Args: []string{"--lua-time-limit", "100"}})
	ctx := context.Background()
	forProtocols(t, srv, redis.Options{}, func(t *testing.T, c *redis.Client) {
		k := "{mhr}:" + t.Name()
		c.Del(ctx, k)
		// A script that writes and then raises an error: its write stays.
		for _, body := range []string{
			"redis.call('INCR', KEYS[1]); return redis.error_reply('MYERR after a write')",
			"redis.call('INCR', KEYS[1]); return {err = 'ERR after a write'}",
			"redis.call('INCR', KEYS[1]); return redis.call('LPUSH', KEYS[1], 'x')",
		} {
			before, _ := c.Do(ctx, "GET", k).Int64()
			err := c.Do(ctx, "EVAL", body, 1, k).Err()
			after, _ := c.Do(ctx, "GET", k).Int64()
			if err == nil || after != before+1 {
				t.Fatalf("%s: err %v, counter %d -> %d", body, err, before, after)
			}
			if !redis.MayHaveRun(err) {
				t.Errorf("%s: MayHaveRun(%v) = false, but its write is applied", body, err)
			}
			var re *redis.Error
			if !errors.As(err, &re) {
				t.Errorf("%s: %v is not a *redis.Error", body, err)
			}
		}
		// Errors that stop a script before it runs.
		for _, args := range [][]any{
			{"EVALSHA", strings.Repeat("0", 40), 0},
			{"EVAL", "this is not lua", 0},
			{"EVAL", "return 1", 3, "a"},
			{"FCALL", "no_such_function", 0},
		} {
			err := c.Do(ctx, args...).Err()
			if err == nil || redis.MayHaveRun(err) {
				t.Errorf("%q: MayHaveRun(%v) = true, want false (nothing ran)", args[:2], err)
			}
		}
		// A null reply means the command ran.
		_, err := c.SetGet(ctx, k+":nil", "v")
		if !errors.Is(err, redis.ErrNil) || !redis.MayHaveRun(err) {
			t.Errorf("SET ... GET on a missing key: err %v, MayHaveRun %v; want ErrNil and true", err, redis.MayHaveRun(err))
		}
		if err := c.Do(ctx, "INCR", k+":nil").Err(); err == nil || redis.MayHaveRun(err) {
			t.Errorf("WRONGTYPE: MayHaveRun(%v) = true, want false", err)
		}
	})

	// BUSY: another script holds the server.
	busy := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer busy.Close()
	c := redis.NewClient(&redis.Options{Addr: srv.Addr(), Retry: redis.RetryPolicy{MaxAttempts: 1}})
	defer c.Close()
	done := make(chan error, 1)
	go func() {
		done <- busy.Do(ctx, "EVAL", "local t = redis.call('TIME'); while true do local n = redis.call('TIME'); if (n[1]-t[1])*1000000 + (n[2]-t[2]) > 300000 then return 1 end end", 0).Err()
	}()
	var busyErr error
	for range 400 {
		busyErr = c.Do(ctx, "EVAL", "return 1", 0).Err()
		if errors.Is(busyErr, redis.ErrBusy) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	<-done
	if !errors.Is(busyErr, redis.ErrBusy) || redis.MayHaveRun(busyErr) {
		t.Errorf("EVAL during another script: err %v, MayHaveRun %v; want BUSY and false", busyErr, redis.MayHaveRun(busyErr))
	}

	// Close while a script runs: it ran.
	c2 := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	k := "{mhr}:closed"
	errc := make(chan error, 1)
	go func() {
		errc <- c2.Do(ctx, "EVAL", "redis.call('INCR', KEYS[1]); local t = redis.call('TIME'); while true do local n = redis.call('TIME'); if (n[1]-t[1])*1000000 + (n[2]-t[2]) > 1000000 then return 1 end end", 1, k).Err()
	}()
	// The script has begun once its INCR shows (or the server is busy).
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		v, err := c.Do(ctx, "GET", k).Text()
		if v == "1" || errors.Is(err, redis.ErrBusy) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	c2.Close()
	err := <-errc
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if c.Do(ctx, "PING").Err() == nil {
			break // the script is over
		}
	}
	if !errors.Is(err, redis.ErrClosed) || !redis.MayHaveRun(err) || !errors.Is(err, redis.ErrOutcomeUnknown) {
		t.Errorf("EVAL in flight at Close: err %v, MayHaveRun %v; want ErrClosed, ErrOutcomeUnknown and true", err, redis.MayHaveRun(err))
	}

	// A context that ends while the call waits for a pool connection: it
	// never left the client.
	c3 := redis.NewClient(&redis.Options{Addr: srv.Addr(), PoolSize: 1})
	defer c3.Close()
	cn, err := c3.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	_, err = c3.BLPop(short, []string{"{mhr}:q"}, time.Second)
	cancel()
	cn.Close()
	if !errors.Is(err, context.DeadlineExceeded) || redis.MayHaveRun(err) {
		t.Errorf("deadline while waiting for the pool: err %v, MayHaveRun %v; want DeadlineExceeded, false", err, redis.MayHaveRun(err))
	}
	if redis.MayHaveRun(context.Canceled) {
		t.Errorf("MayHaveRun(context.Canceled) = true for a bare context error")
	}
}

// TestCloseEndsCallsInFlight closes a client while a BLPOP 0 waits on an
// exclusive connection: the call must fail at once with ErrClosed (fault 8).
func TestCloseEndsCallsInFlight(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{})
	c := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	errc := make(chan error, 1)
	go func() {
		_, err := c.BLPop(context.Background(), []string{"{close}:q"}, 0)
		errc <- err
	}()
	time.Sleep(100 * time.Millisecond)
	start := time.Now()
	c.Close()
	select {
	case err := <-errc:
		if !errors.Is(err, redis.ErrClosed) {
			t.Errorf("BLPOP in flight at Close: err %v, want ErrClosed", err)
		}
		t.Logf("BLPOP 0 returned %v after Close", time.Since(start))
	case <-time.After(time.Second):
		t.Fatal("BLPOP 0 still blocked 1 s after Close")
	}
	probe := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer probe.Close()
	list, err := probe.ClientList(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 {
		t.Errorf("after Close the server still has %d connections, want only the probe's", len(list))
	}
}

// TestReservedConnFailureIsOutcomeUnknown cuts the reply to an INCR on a
// reserved connection: the error must say the outcome is unknown (fault 9).
func TestReservedConnFailureIsOutcomeUnknown(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{})
	proxy := redistest.StartProxy(t, srv.Addr())
	ctx := context.Background()
	c := redis.NewClient(&redis.Options{Addr: proxy.Addr()})
	defer c.Close()
	cn, err := c.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer cn.Close()
	if err := cn.Do(ctx, "SET", "{ru}:n", 1).Err(); err != nil {
		t.Fatal(err)
	}
	proxy.CutNextReply()
	_, err = cn.Do(ctx, "INCR", "{ru}:n").Int64()
	var oe *redis.OutcomeUnknownError
	if !errors.Is(err, redis.ErrOutcomeUnknown) || !errors.As(err, &oe) || oe.Command != "INCR" || !redis.MayHaveRun(err) {
		t.Fatalf("INCR on a reserved connection with its reply cut: %v; want an OutcomeUnknownError for INCR", err)
	}

	// The same inside Watch: EXEC's outcome is unknown.
	err = c.Watch(ctx, func(tx *redis.Tx) error {
		proxy.CutNextReply()
		return tx.Pipelined(ctx, func(p *redis.Pipeline) error {
			p.Incr("{ru}:n")
			return nil
		})
	}, "{ru}:n")
	if !errors.Is(err, redis.ErrOutcomeUnknown) {
		t.Fatalf("Watch with EXEC's reply cut: %v; want ErrOutcomeUnknown", err)
	}
}

// TestReservedConnPushFrames gets RESP3 push frames on a reserved
// connection between replies: every command must still get its own reply,
// and the pushes are there for ReceivePush (fault 10).
func TestReservedConnPushFrames(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{EnableDebug: true})
	ctx := context.Background()
	c := redis.NewClient(&redis.Options{Addr: srv.Addr(), Protocol: 3})
	defer c.Close()
	other := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer other.Close()
	cn, err := c.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer cn.Close()
	if err := cn.ClientTracking(ctx, true); err != nil {
		t.Fatal(err)
	}
	other.Set(ctx, "tk", "1")
	other.Set(ctx, "tk2", "two")
	if _, err := cn.Do(ctx, "GET", "tk").Text(); err != nil { // now tracked
		t.Fatal(err)
	}
	other.Set(ctx, "tk", "2") // invalidates tk on cn
	time.Sleep(20 * time.Millisecond)
	if v, err := cn.Do(ctx, "GET", "tk2").Text(); err != nil || v != "two" {
		t.Fatalf("GET tk2 = %q, %v; want \"two\"", v, err)
	}
	if v, err := cn.Do(ctx, "ECHO", "e0").Text(); err != nil || v != "e0" {
		t.Fatalf("ECHO e0 = %q, %v", v, err)
	}
	if err := cn.Do(ctx, "DEBUG", "PROTOCOL", "push").Err(); err != nil {
		t.Fatal(err)
	}
	if v, err := cn.Do(ctx, "INCRBY", "{push}:n", 5).Int64(); err != nil || v != 5 {
		t.Fatalf("INCRBY = %v, %v; want 5", v, err)
	}
	push, err := cn.ReceivePush(ctx)
	if err != nil || push.Type() != resp.Push || push.Elems()[0].String() != "invalidate" {
		t.Fatalf("first push = %v, %v; want the invalidation of tk", push, err)
	}
	push, err = cn.ReceivePush(ctx)
	if err != nil || push.Type() != resp.Push || push.Elems()[0].String() != "server-cpu-usage" {
		t.Fatalf("second push = %v, %v; want DEBUG PROTOCOL push's", push, err)
	}
	// Waiting for a push that does not come ends with ctx and leaves the
	// connection usable.
	short, cancel := context.WithTimeout(ctx, 30*time.Millisecond)
	_, err = cn.ReceivePush(short)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("ReceivePush with nothing to receive: %v, want DeadlineExceeded", err)
	}
	other.Set(ctx, "tk2", "3") // tracked since the GET above
	push, err = cn.ReceivePush(ctx)
	if err != nil || push.Elems()[0].String() != "invalidate" {
		t.Fatalf("push after waiting = %v, %v", push, err)
	}
	if v, err := cn.Do(ctx, "ECHO", "still").Text(); err != nil || v != "still" {
		t.Fatalf("ECHO after ReceivePush = %q, %v", v, err)
	}
}

// TestSlowReplyDelaysOthers holds the server in a 500 ms script five times
// while 16 goroutines queue GET/SET behind it on the same shared connection
// with a 300 ms read timeout: only the script's caller times out; the
// others are delayed, not failed (their timeout runs from when their reply
// is first in line), the connection is kept, and the script is not run
// again.
func TestSlowReplyDelaysOthers(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{})
	proxy := redistest.StartProxy(t, srv.Addr())
	ctx := context.Background()
	c := redis.NewClient(&redis.Options{Addr: proxy.Addr(), ReadTimeout: 300 * time.Millisecond})
	defer c.Close()
	if err := c.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	const slowScript = "redis.call('INCR', KEYS[1]); local t = redis.call('TIME'); while true do local n = redis.call('TIME'); if (n[1]-t[1])*1000000 + (n[2]-t[2]) > 500000 then return 1 end end"
	var calls, failed int
	var slowest time.Duration
	for range 5 {
		scriptErr := make(chan error, 1)
		start := time.Now()
		go func() { scriptErr <- c.Do(ctx, "EVAL", slowScript, 1, "{slow}:runs").Err() }()
		time.Sleep(30 * time.Millisecond) // the script holds the server
		var wg sync.WaitGroup
		var mu sync.Mutex
		for g := range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				k := "{slow}:" + string(rune('a'+g))
				for i := range 4 {
					begin := time.Now()
					var err error
					if i%2 == 0 {
						err = c.Set(ctx, k, i)
					} else {
						_, err = c.Get(ctx, k)
					}
					took := time.Since(begin)
					mu.Lock()
					calls++
					slowest = max(slowest, took)
					if err != nil {
						failed++
						t.Errorf("goroutine %d call %d behind the script: %v after %v", g, i, err, took)
					}
					mu.Unlock()
				}
			}()
		}
		err := <-scriptErr
		took := time.Since(start)
		if !errors.Is(err, redis.ErrOutcomeUnknown) || !isTimeout(err) {
			t.Errorf("the slow script: %v after %v; want a timeout with an unknown outcome", err, took)
		}
		if took > 450*time.Millisecond {
			t.Errorf("the slow script's caller waited %v, want about the 300 ms read timeout", took)
		}
		wg.Wait()
	}
	if n, err := c.Do(ctx, "GET", "{slow}:runs").Int64(); err != nil || n != 5 {
		t.Errorf("the slow script ran %d times (%v), want 5: a timed-out call must not be repeated", n, err)
	}
	if got := proxy.Accepted(); got != 1 {
		t.Errorf("the client opened %d connections, want 1: a slow reply must not kill the shared connection", got)
	}
	t.Logf("%d calls queued behind 5 slow scripts: %d failed, slowest %v", calls, failed, slowest.Round(time.Millisecond))
}

func isTimeout(err error) bool {
	var ne interface{ Timeout() bool }
	return errors.As(err, &ne) && ne.Timeout()
}

// TestSilentServerNotRetried sends a GET to a server that answers with the
// start of a reply and then nothing: with the default options the call
// returns after the 3 s read timeout, not after a retry on a new
// connection too.
func TestSilentServerNotRetried(t *testing.T) {
	srv := startHostileServer(t, true)
	srv.frame.Store(&hostileFrame{name: "header then silence", reply: "$5\r\nab", silent: true})
	c := redis.NewClient(&redis.Options{Addr: srv.ln.Addr().String()})
	defer c.Close()
	start := time.Now()
	_, err := c.Get(context.Background(), "k")
	took := time.Since(start)
	if !isTimeout(err) || redis.MayHaveRun(err) == false {
		t.Errorf("GET from a silent server: %v; want a timeout", err)
	}
	if took < 3*time.Second || took > 3*time.Second+600*time.Millisecond {
		t.Errorf("GET from a silent server returned after %v, want the 3 s read timeout plus at most one backoff", took)
	}
	if n := srv.served.Load(); n != 1 {
		t.Errorf("the server got %d GETs, want 1: a read timeout is not retried by default", n)
	}
	t.Logf("GET from a silent server: %v after %v, %d GET sent", err, took.Round(time.Millisecond), srv.served.Load())
}

// TestPipelineKeepsRepliesReadBeforeAFailure cuts the connection in the
// middle of a pipeline's replies: those read before the cut keep their
// values; only the others fail (fault: a failed pipeline discarded good
// replies).
func TestPipelineKeepsRepliesReadBeforeAFailure(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{})
	proxy := redistest.StartProxy(t, srv.Addr())
	ctx := context.Background()
	c := redis.NewClient(&redis.Options{Addr: proxy.Addr(), Protocol: 2})
	defer c.Close()
	if err := c.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		c.Set(ctx, "{pk}:"+string(rune('a'+i)), i*10)
	}
	p := c.Pipeline()
	var replies []*redis.Reply[int64]
	for i := range 10 {
		replies = append(replies, p.Incr("{pk}:"+string(rune('a'+i))))
	}
	proxy.CutAfter(redistest.ToClient, len(":1\r\n:11\r\n:21\r\n:31\r\n")+2) // four whole replies, then part of one
	err := p.Exec(ctx)
	if !errors.Is(err, redis.ErrOutcomeUnknown) {
		t.Fatalf("Exec with the connection cut: %v, want ErrOutcomeUnknown", err)
	}
	for i, r := range replies {
		v, err := r.Result()
		switch {
		case i < 4 && (err != nil || v != int64(i*10+1)):
			t.Errorf("reply %d, read before the cut: %d, %v; want %d", i, v, err, i*10+1)
		case i >= 4 && !errors.Is(err, redis.ErrOutcomeUnknown):
			t.Errorf("reply %d, not read: %d, %v; want ErrOutcomeUnknown", i, v, err)
		}
	}
}

// TestOversizedReplyFailsOnlyItsCaller holds two replies back, the first
// over the client's bulk limit: the first caller gets the limit error, the
// second (a read-only command queued behind it on the same connection) is
// retried on a new connection and succeeds.
func TestOversizedReplyFailsOnlyItsCaller(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{})
	proxy := redistest.StartProxy(t, srv.Addr())
	ctx := context.Background()
	c := redis.NewClient(&redis.Options{Addr: proxy.Addr(), Limits: resp.Limits{MaxBulkLen: 100}})
	defer c.Close()
	c.Set(ctx, "{big}:big", strings.Repeat("x", 1000))
	c.Set(ctx, "{big}:small", "small")
	proxy.Pause(redistest.ToClient, true)
	bigErr := make(chan error, 1)
	go func() {
		_, err := c.Get(ctx, "{big}:big")
		bigErr <- err
	}()
	time.Sleep(50 * time.Millisecond) // GET big is queued first
	smallRes := make(chan error, 1)
	go func() {
		v, err := c.Get(ctx, "{big}:small")
		if err == nil && v != "small" {
			err = errors.New("wrong value " + v)
		}
		smallRes <- err
	}()
	time.Sleep(50 * time.Millisecond)
	proxy.Pause(redistest.ToClient, false)
	if err := <-bigErr; !errors.Is(err, resp.ErrLimit) {
		t.Errorf("GET of the oversized value: %v, want resp.ErrLimit", err)
	}
	if err := <-smallRes; err != nil {
		t.Errorf("GET queued behind the oversized reply: %v, want a transparent retry", err)
	}
}
