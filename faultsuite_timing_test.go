package redis_test

// Fault suite, timing scenarios: deadlines honoured while the server
// sleeps or is paused (scenario 3), 1,000 callers through a 2 s CLIENT
// PAUSE with a bounded pool (scenario 4), the dial rate while a server is
// down, the recovery once it is back and the pace of a refused handshake
// (scenario 6), and after each test no goroutine or descriptor left behind
// (scenario 5, checkNoLeaks). Every test logs its figures with t.Log.
//
// Run them alone: go test -race -count=1 -run 'TestFault' .

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/redistest"
	"github.com/respkit/redis/resp"
)

// ---------------------------------------------------------------------------
// Leak check (scenario 5), for any test to reuse.

// leakBaseline is what the process holds before a test's clients exist:
// its goroutines and its open file descriptors (-1 where /proc/self/fd
// cannot be read).
type leakBaseline struct {
	Goroutines int
	FDs        int
}

// takeLeakBaseline records the goroutines and open descriptors now. Take
// it after starting servers and proxies (they keep goroutines and
// descriptors until the test's cleanup) and before creating clients; call
// checkNoLeaks once the clients are closed.
func takeLeakBaseline(t testing.TB) leakBaseline {
	t.Helper()
	// The runtime's network poller opens its descriptors (epoll, eventfd)
	// on first use and keeps them: make sure they are in the baseline.
	if ln, err := net.Listen("tcp", "127.0.0.1:0"); err == nil {
		ln.Close()
	}
	return leakBaseline{Goroutines: runtime.NumGoroutine(), FDs: countFDs()}
}

// checkNoLeaks waits up to 5 s for the goroutine count and the number of
// open descriptors to come back to before, and fails the test with every
// goroutine's stack and the open descriptors when they do not.
func checkNoLeaks(t testing.TB, before leakBaseline) {
	t.Helper()
	start := time.Now()
	var g, fds int
	for {
		g, fds = runtime.NumGoroutine(), countFDs()
		if g <= before.Goroutines && fds <= before.FDs {
			t.Logf("leaks: none (goroutines %d, baseline %d; descriptors %d, baseline %d; back after %v)",
				g, before.Goroutines, fds, before.FDs, time.Since(start).Round(time.Millisecond))
			return
		}
		if time.Since(start) > 5*time.Second {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	t.Errorf("leak: %d goroutines (baseline %d) and %d open descriptors (baseline %d) 5 s after the clients were closed\n--- descriptors ---\n%s\n--- goroutines ---\n%s",
		g, before.Goroutines, fds, before.FDs, listFDs(), buf)
}

// countFDs returns the number of open descriptors of this process, or -1
// when /proc/self/fd cannot be read (then the check ignores descriptors).
func countFDs() int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(ents)
}

func listFDs() string {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return err.Error()
	}
	var b strings.Builder
	for _, e := range ents {
		target, _ := os.Readlink(filepath.Join("/proc/self/fd", e.Name()))
		fmt.Fprintf(&b, "%s -> %s\n", e.Name(), target)
	}
	return b.String()
}

// ---------------------------------------------------------------------------
// Shared helpers (prefixed ft: fault timing).

// ftDist is a set of measured durations.
type ftDist []time.Duration

// pct returns the p-th percentile (0 < p <= 1) by nearest rank.
func (d ftDist) pct(p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := int(math.Ceil(p*float64(len(s)))) - 1
	return s[max(i, 0)]
}

func (d ftDist) max() time.Duration {
	if len(d) == 0 {
		return 0
	}
	return slices.Max(d)
}

func (d ftDist) String() string {
	return fmt.Sprintf("n=%d p50=%v p99=%v max=%v", len(d), ftMs(d.pct(0.5)), ftMs(d.pct(0.99)), ftMs(d.max()))
}

// ftMs formats a duration in milliseconds with two decimals.
func ftMs(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 2, 64) + "ms"
}

// ftRaw is a plain RESP connection for driving the server (DEBUG SLEEP,
// CLIENT PAUSE, CLIENT LIST) independently of the client under test.
type ftRaw struct {
	nc net.Conn
	rd *resp.Reader
}

func ftDialRaw(t testing.TB, addr, password string) *ftRaw {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatalf("control connection: %v", err)
	}
	r := &ftRaw{nc: nc, rd: resp.NewReader(nc, resp.Limits{})}
	if password != "" {
		if _, err := r.do("AUTH", password); err != nil {
			nc.Close()
			t.Fatalf("control connection: AUTH: %v", err)
		}
	}
	return r
}

func (r *ftRaw) send(args ...string) error {
	cmd := make([]any, len(args))
	for i, a := range args {
		cmd[i] = a
	}
	buf, err := resp.AppendCommand(nil, cmd...)
	if err != nil {
		return err
	}
	_, err = r.nc.Write(buf)
	return err
}

// reply reads one reply as a string, or its error.
func (r *ftRaw) reply() (string, error) {
	v, err := r.rd.Read()
	if err != nil {
		return "", err
	}
	if err := v.Err(); err != nil {
		return "", err
	}
	return v.String(), nil
}

func (r *ftRaw) do(args ...string) (string, error) {
	if err := r.send(args...); err != nil {
		return "", err
	}
	return r.reply()
}

func (r *ftRaw) close() { r.nc.Close() }

// ftPingUntilReady dials addr and sends PING every millisecond until a
// PONG comes back (or stop closes), and returns when that was.
func ftPingUntilReady(addr string, stop <-chan struct{}) time.Time {
	ping := []byte("*1\r\n$4\r\nPING\r\n")
	buf := make([]byte, 64)
	for {
		select {
		case <-stop:
			return time.Time{}
		default:
		}
		nc, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err == nil {
			nc.SetDeadline(time.Now().Add(100 * time.Millisecond))
			_, err = nc.Write(ping)
			var n int
			if err == nil {
				n, err = nc.Read(buf)
			}
			nc.Close()
			if err == nil && strings.HasPrefix(string(buf[:n]), "+PONG") {
				return time.Now()
			}
		}
		time.Sleep(time.Millisecond)
	}
}

// ftStartLag measures the machine's scheduling lag: a goroutine sleeping
// a millisecond at a time records how late it wakes. stop returns the
// worst lag seen.
func ftStartLag() (stop func() time.Duration) {
	done := make(chan struct{})
	worst := make(chan time.Duration, 1)
	go func() {
		var w time.Duration
		for {
			select {
			case <-done:
				worst <- w
				return
			default:
			}
			at := time.Now()
			time.Sleep(time.Millisecond)
			w = max(w, time.Since(at)-time.Millisecond)
		}
	}()
	return func() time.Duration {
		close(done)
		return <-worst
	}
}

// ftDialLog wraps net.Dialer for Options.Dialer: it records every dial
// (when it was asked for, when it failed or when its connection was
// closed) and counts the connections it opened that are still open.
type ftDialLog struct {
	mu      sync.Mutex
	dials   []*ftDial // guarded by mu
	live    atomic.Int64
	maxLive atomic.Int64
}

// ftDial is one dial. A connection refused by the server in the handshake
// (a wrong password) shows as a successful dial closed at once.
type ftDial struct {
	at       time.Time
	failedAt atomic.Int64 // unix nanoseconds when the dial failed; 0: it did not
	closedAt atomic.Int64 // unix nanoseconds when its connection was closed; 0: open
}

func (l *ftDialLog) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	d := &ftDial{at: time.Now()}
	l.mu.Lock()
	l.dials = append(l.dials, d)
	l.mu.Unlock()
	var nd net.Dialer
	nc, err := nd.DialContext(ctx, network, addr)
	if err != nil {
		d.failedAt.Store(time.Now().UnixNano())
		return nil, err
	}
	n := l.live.Add(1)
	for {
		m := l.maxLive.Load()
		if n <= m || l.maxLive.CompareAndSwap(m, n) {
			break
		}
	}
	return &ftCountedConn{Conn: nc, live: &l.live, d: d}, nil
}

// since returns when each dial asked for at or after from was made, and
// how many of them were made before the client could know that dials were
// failing: before the first of them failed or had its connection closed.
// Those are the burst of dials that were under way at once when the
// server went away (one per connection the client wanted); every dial
// after them is a retry the throttle had to allow.
func (l *ftDialLog) since(from time.Time) (times []time.Time, burst int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	known := int64(math.MaxInt64)
	for _, d := range l.dials {
		if d.at.Before(from) {
			continue
		}
		times = append(times, d.at)
		for _, ns := range []int64{d.failedAt.Load(), d.closedAt.Load()} {
			if ns != 0 {
				known = min(known, ns)
			}
		}
	}
	for _, at := range times {
		if at.UnixNano() < known {
			burst++
		}
	}
	return times, burst
}

// ftMaxPerWindow returns the most dials in any window of length w.
func ftMaxPerWindow(times []time.Time, w time.Duration) int {
	best := 0
	j := 0
	for i := range times {
		for times[i].Sub(times[j]) >= w {
			j++
		}
		best = max(best, i-j+1)
	}
	return best
}

// ftCountedConn decrements its dial log's live count and records its
// close, once.
type ftCountedConn struct {
	net.Conn
	live *atomic.Int64
	d    *ftDial
	once sync.Once
}

func (c *ftCountedConn) Close() error {
	c.once.Do(func() {
		c.live.Add(-1)
		c.d.closedAt.Store(time.Now().UnixNano())
	})
	return c.Conn.Close()
}

// ftKeys are the keys a test's calls use.
type ftKeys struct{ str, ctr, list, full string }

func ftKeysFor(prefix string) ftKeys {
	return ftKeys{str: "{" + prefix + "}:str", ctr: "{" + prefix + "}:ctr", list: "{" + prefix + "}:empty", full: "{" + prefix + "}:full"}
}

// ftRun runs one call of the given kind.
func ftRun(ctx context.Context, c *redis.Client, kind string, k ftKeys, block time.Duration) error {
	switch kind {
	case "GET":
		_, err := c.Get(ctx, k.str)
		return err
	case "SET":
		return c.Set(ctx, k.str, "v")
	case "INCR":
		_, err := c.Incr(ctx, k.ctr)
		return err
	case "PIPE": // a small pipeline: read, write, write
		p := c.Pipeline()
		p.Get(k.str)
		p.Set(k.str, "v")
		p.Incr(k.ctr)
		return p.Exec(ctx)
	case "PIPE-W": // writes only
		p := c.Pipeline()
		p.Set(k.str, "v")
		p.Incr(k.ctr)
		p.Set(k.str, "w")
		return p.Exec(ctx)
	case "BLPOP": // exclusive connection; on an empty list it blocks
		_, err := c.BLPop(ctx, []string{k.list}, block)
		return err
	case "BLPOP-FULL": // exclusive connection; the list has elements
		_, err := c.BLPop(ctx, []string{k.full}, block)
		return err
	case "CONN": // a reserved connection
		cn, err := c.Conn(ctx)
		if err != nil {
			return err
		}
		defer cn.Close()
		return cn.Do(ctx, "GET", k.str).Err()
	}
	panic("unknown call kind " + kind)
}

func ftIsTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// ---------------------------------------------------------------------------
// Scenario 3: deadlines during DEBUG SLEEP and CLIENT PAUSE.

// ftStall is a way of making the server stop answering for 500 ms.
type ftStall struct {
	name       string
	args       []string
	replyAtEnd bool // the reply comes when the stall ends (DEBUG SLEEP)
	writesOnly bool // only writes are held (CLIENT PAUSE WRITE)
}

const ftStallLen = 500 * time.Millisecond

// ftCall is one measured call.
type ftCall struct {
	kind  string
	head  bool      // first in line on its connection (ReadTimeout rounds)
	bound time.Time // when the call must have returned: its deadline
	end   time.Time
	err   error
	ctrl  time.Duration // lateness of a bare wait for the same deadline
}

// ftControl starts a goroutine that does nothing but wait on a context
// with the given deadline, as the library's callers do, and returns a
// function that reports how late that goroutine woke up. Its lateness is
// the machine's share of an overshoot (timers, scheduling on a loaded
// 2-core box, the race detector): the floor no client can beat.
func ftControl(deadline time.Time) func() time.Duration {
	ch := make(chan time.Duration, 1)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	go func() {
		<-ctx.Done()
		ch <- time.Since(deadline)
		cancel()
	}()
	return func() time.Duration { return <-ch }
}

// ftControlOn is ftControl on the caller's own context, so that the
// control and the caller are woken by the same event.
func ftControlOn(ctx context.Context) func() time.Duration {
	deadline, _ := ctx.Deadline()
	ch := make(chan time.Duration, 1)
	go func() {
		<-ctx.Done()
		ch <- time.Since(deadline)
	}()
	return func() time.Duration { return <-ch }
}

// ftStallRound puts the server into st and, while it lasts, issues n
// calls, the i-th at 20 ms + i·spacing into the stall; it waits for the
// stall to end and for every call to return.
func ftStallRound(t *testing.T, ctl *ftRaw, st ftStall, n int, spacing time.Duration, call func(i int) ftCall) []ftCall {
	t.Helper()
	t0 := time.Now()
	if err := ctl.send(st.args...); err != nil {
		t.Fatalf("%s: %v", st.name, err)
	}
	ended := make(chan error, 1)
	if st.replyAtEnd {
		go func() { _, err := ctl.reply(); ended <- err }()
	} else if _, err := ctl.reply(); err != nil {
		t.Fatalf("%s: %v", st.name, err)
	}
	out := make([]ftCall, n)
	var wg sync.WaitGroup
	for i := range n {
		time.Sleep(time.Until(t0.Add(20*time.Millisecond + time.Duration(i)*spacing)))
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = call(i)
		}()
	}
	wg.Wait()
	if st.replyAtEnd {
		if err := <-ended; err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
	} else {
		// The control connection's own PING waits out a pause ALL.
		time.Sleep(time.Until(t0.Add(ftStallLen)))
		if _, err := ctl.do("PING"); err != nil {
			t.Fatalf("PING after %s: %v", st.name, err)
		}
	}
	return out
}

// ftOvershoot splits calls' overshoots (end - bound) and their controls'
// lateness.
func ftOvershoot(calls []ftCall, keep func(ftCall) bool) (over, ctrl ftDist) {
	for _, cl := range calls {
		if keep(cl) {
			over = append(over, cl.end.Sub(cl.bound))
			ctrl = append(ctrl, cl.ctrl)
		}
	}
	return over, ctrl
}

// ftStalls are the three ways the server stops answering for 500 ms.
var ftStalls = []ftStall{
	{name: "DEBUG SLEEP 0.5", args: []string{"DEBUG", "SLEEP", "0.5"}, replyAtEnd: true},
	{name: "CLIENT PAUSE 500 ALL", args: []string{"CLIENT", "PAUSE", "500", "ALL"}},
	{name: "CLIENT PAUSE 500 WRITE", args: []string{"CLIENT", "PAUSE", "500", "WRITE"}, writesOnly: true},
}

// ftStallKinds are the calls made during a stall: shared connection first,
// then BLPOP on an exclusive one (BLPOP is a write: CLIENT PAUSE WRITE
// holds it too).
func ftStallKinds(st ftStall) []string {
	if st.writesOnly {
		return []string{"SET", "INCR", "SET", "PIPE-W", "BLPOP"}
	}
	return []string{"GET", "SET", "INCR", "PIPE", "BLPOP"}
}

// ftMaxOvershoot is the most a call may return after its deadline at the
// 99th percentile, beyond the control's own 99th percentile.
const ftMaxOvershoot = 5 * time.Millisecond

// TestFaultDeadlinesDuringStall: calls with context deadlines of 10-100 ms
// (GET, SET, INCR, 3-command pipelines on the shared connection, BLPOP on
// exclusive ones; 200 per stall) issued while the server is in DEBUG SLEEP
// 0.5, CLIENT PAUSE 500 ALL or CLIENT PAUSE 500 WRITE must each fail with
// context.DeadlineExceeded, with a p99 overshoot (return time - deadline)
// of at most 5 ms beyond what a bare goroutine waiting for the same
// deadline measures.
func TestFaultDeadlinesDuringStall(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{EnableDebug: true})
	base := takeLeakBaseline(t)
	ctl := ftDialRaw(t, srv.Addr(), "")
	ctx := context.Background()
	k := ftKeysFor("ft3")
	c := redis.NewClient(&redis.Options{Addr: srv.Addr(), PoolSize: 16})
	if err := c.Set(ctx, k.str, "v"); err != nil {
		t.Fatal(err)
	}
	const rounds, perRound = 4, 50
	const spacing = 6 * time.Millisecond
	for _, st := range ftStalls {
		kinds := ftStallKinds(st)
		// The latest deadline is due 20 + 49·6 + 100 = 414 ms into the
		// 500 ms stall.
		var calls []ftCall
		for range rounds {
			calls = append(calls, ftStallRound(t, ctl, st, perRound, spacing, func(i int) ftCall {
				kind := kinds[i%len(kinds)]
				cctx, cancel := context.WithTimeout(ctx, 10*time.Millisecond+rand.N(91*time.Millisecond))
				defer cancel()
				dl, _ := cctx.Deadline()
				ctrl := ftControl(dl)
				err := ftRun(cctx, c, kind, k, time.Second)
				end := time.Now()
				return ftCall{kind: kind, bound: dl, end: end, err: err, ctrl: ctrl()}
			})...)
		}
		succeeded := 0
		for _, cl := range calls {
			switch {
			case cl.err == nil:
				succeeded++
			case !errors.Is(cl.err, context.DeadlineExceeded):
				t.Errorf("%s, %s with a context deadline: err = %v, want context.DeadlineExceeded", st.name, cl.kind, cl.err)
			}
		}
		all, ctrl := ftOvershoot(calls, func(ftCall) bool { return true })
		shared, _ := ftOvershoot(calls, func(cl ftCall) bool { return cl.kind != "BLPOP" })
		excl, _ := ftOvershoot(calls, func(cl ftCall) bool { return cl.kind == "BLPOP" })
		t.Logf("%-22s ctx deadline 10-100ms: overshoot %v (shared %v; exclusive %v); control %v; %d of %d succeeded before their deadline",
			st.name, all, shared, excl, ctrl, succeeded, len(calls))
		if p99, floor := all.pct(0.99), ctrl.pct(0.99); p99 > floor+ftMaxOvershoot {
			t.Errorf("%s: p99 overshoot past the context deadline %v, want <= %v + the control's p99 %v",
				st.name, ftMs(p99), ftMaxOvershoot, ftMs(floor))
		}
	}
	if v, err := c.Get(ctx, k.str); err != nil || v == "" {
		t.Errorf("after the stalls: GET = %q, %v", v, err)
	}
	c.Close()
	ctl.close()
	checkNoLeaks(t, base)
}

// TestFaultReadTimeoutDuringStall: the same stalls with ReadTimeout as the
// only bound (Background contexts), on shared connections: 24 clients, 8
// each with ReadTimeout 15, 40 and 90 ms. In each round every client gets
// one call first in line on its connection (GET, SET, INCR or a pipeline),
// which must fail with a timeout, p99 overshoot past its ReadTimeout at
// most 5 ms beyond the control's; then one call queued behind it, which
// must be delayed, not failed: its ReadTimeout runs from when its reply is
// first in line, so it waits for the stalled server (bounded by
// StallTimeout and its context).
func TestFaultReadTimeoutDuringStall(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{EnableDebug: true})
	base := takeLeakBaseline(t)
	ctl := ftDialRaw(t, srv.Addr(), "")
	ctx := context.Background()
	k := ftKeysFor("ft3rt")
	rts := []time.Duration{15 * time.Millisecond, 40 * time.Millisecond, 90 * time.Millisecond}
	const perRT = 8
	n := perRT * len(rts)
	clients := make([]*redis.Client, n)
	rtOf := func(j int) time.Duration { return rts[j%len(rts)] }
	for j := range clients {
		clients[j] = redis.NewClient(&redis.Options{Addr: srv.Addr(), ReadTimeout: rtOf(j)})
		if err := clients[j].Set(ctx, k.str, "v"); err != nil {
			t.Fatal(err)
		}
	}
	const rounds = 4
	const spacing = 6 * time.Millisecond
	for _, st := range ftStalls {
		kinds := ftStallKinds(st)[:4] // shared connection only
		var stCalls []ftCall
		for range rounds {
			// Calls 0..n-1: one first in line on each client; calls
			// n..2n-1: one queued behind it on each. The latest head
			// bound is due 20 + 23·6 + 90 = 248 ms into the stall, the
			// last call starts at 20 + 47·6 = 302 ms.
			stCalls = append(stCalls, ftStallRound(t, ctl, st, 2*n, spacing, func(i int) ftCall {
				kind := kinds[i%len(kinds)]
				j := i % n
				start := time.Now()
				bound := start.Add(rtOf(j))
				ctrl := ftControl(bound)
				err := ftRun(ctx, clients[j], kind, k, 0)
				end := time.Now()
				return ftCall{kind: kind, head: i < n, bound: bound, end: end, err: err, ctrl: ctrl()}
			})...)
		}
		lateStart := 0
		for _, cl := range stCalls {
			switch {
			case cl.err != nil && (!ftIsTimeout(cl.err) || errors.Is(cl.err, context.DeadlineExceeded)):
				t.Errorf("%s, %s with ReadTimeout: err = %v, want a read timeout", st.name, cl.kind, cl.err)
			case cl.head && cl.err == nil:
				// The server answered: the call can only have been sent
				// after the stall, by a goroutine the machine held up
				// for hundreds of milliseconds (its control says so).
				lateStart++
			}
		}
		head, headCtrl := ftOvershoot(stCalls, func(cl ftCall) bool { return cl.head && cl.err != nil })
		behind, _ := ftOvershoot(stCalls, func(cl ftCall) bool { return !cl.head })
		timedOut := 0
		for _, cl := range stCalls {
			if !cl.head && cl.err != nil {
				timedOut++
			}
		}
		t.Logf("%-22s ReadTimeout 15/40/90ms: first in line: overshoot %v, control %v (%d sent after the stall ended); queued behind it: overshoot %v, %d of %d timed out",
			st.name, head, headCtrl, lateStart, behind, timedOut, len(behind))
		if p99, floor := head.pct(0.99), headCtrl.pct(0.99); p99 > floor+ftMaxOvershoot {
			t.Errorf("%s: first-in-line p99 overshoot past ReadTimeout %v, want <= %v + the control's p99 %v",
				st.name, ftMs(p99), ftMaxOvershoot, ftMs(floor))
		}
		if timedOut > 0 {
			t.Errorf("%s: %d calls queued behind a late reply timed out: they must be delayed, not failed (their ReadTimeout runs from when their reply is first in line)", st.name, timedOut)
		}
		if lateStart > n*rounds/10 {
			t.Errorf("%s: %d of %d calls first in line succeeded: the server was not stalled", st.name, lateStart, n*rounds)
		}
	}
	for j, c := range clients {
		if err := c.Ping(ctx); err != nil {
			t.Errorf("after the stalls: client with ReadTimeout %v: %v", rtOf(j), err)
		}
		c.Close()
	}
	ctl.close()
	checkNoLeaks(t, base)
}

// ---------------------------------------------------------------------------
// Scenario 4: 1,000 callers through a 2 s CLIENT PAUSE.

// TestFaultThousandCallersThroughPause: 1,000 goroutines with deadlines
// spread over 0.5-3 s run GET, SET, INCR and pipelines on the shared
// connection, BLPOP on exclusive ones and GET on reserved Conns while the
// server is under CLIENT PAUSE 2000 ALL. Each must return by its deadline
// + 25 ms; those whose deadline falls after the pause must succeed; the
// pool (PoolStats, connections opened by the dialer, CLIENT LIST) never
// exceeds PoolSize (+ the one shared connection).
func TestFaultThousandCallersThroughPause(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{})
	base := takeLeakBaseline(t)
	ctx := context.Background()
	k := ftKeysFor("ft4")
	const (
		callers  = 1000
		poolSize = 20
		muxConns = 1
		pause    = 2 * time.Second
		slack    = 25 * time.Millisecond // return by deadline + slack
		// Deadlines this long after the pause must succeed: shared
		// callers get their replies at once; exclusive ones queue, 300
		// for 20 connections, some of which have to be dialed again
		// (cancelled ones are closed) and health-checked.
		sharedAfter    = 25 * time.Millisecond
		exclusiveAfter = 150 * time.Millisecond
		listItems      = 5000
	)
	var dl ftDialLog
	c := redis.NewClient(&redis.Options{Addr: srv.Addr(), Dialer: dl.dial, PoolSize: poolSize, MuxConns: muxConns})
	ctl := ftDialRaw(t, srv.Addr(), "")
	lister := ftDialRaw(t, srv.Addr(), "")
	prober := ftDialRaw(t, srv.Addr(), "")
	if err := c.Set(ctx, k.str, "v"); err != nil {
		t.Fatal(err)
	}
	items := make([]any, listItems)
	for i := range items {
		items[i] = i
	}
	if _, err := c.RPush(ctx, k.full, items...); err != nil {
		t.Fatal(err)
	}

	// Watchers: PoolStats every millisecond; CLIENT LIST in a loop (each
	// call waits out the pause, so it samples before and after it).
	stop := make(chan struct{})
	var watchers sync.WaitGroup
	var maxPoolTotal atomic.Int64
	var maxListed atomic.Int64
	var listErr atomic.Value
	watchers.Add(2)
	go func() {
		defer watchers.Done()
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			if n := int64(c.PoolStats().TotalConns); n > maxPoolTotal.Load() {
				maxPoolTotal.Store(n)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	go func() {
		defer watchers.Done()
		for {
			s, err := lister.do("CLIENT", "LIST", "TYPE", "normal")
			if err != nil {
				listErr.Store(err)
				return
			}
			n := int64(strings.Count(strings.TrimSpace(s), "\n")+1) - 3 // minus ctl, lister and prober
			if n > maxListed.Load() {
				maxListed.Store(n)
			}
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()

	if _, err := ctl.do("CLIENT", "PAUSE", strconv.Itoa(int(pause/time.Millisecond)), "ALL"); err != nil {
		t.Fatal(err)
	}
	nominalEnd := time.Now().Add(pause)
	// The server lifts a pause in its cron (hz 10: up to 100 ms late): a
	// PING sent now is answered when the pause really ends.
	if err := prober.send("PING"); err != nil {
		t.Fatal(err)
	}
	unpaused := make(chan time.Time, 1)
	go func() {
		if _, err := prober.reply(); err != nil {
			t.Errorf("PING through the pause: %v", err)
		}
		unpaused <- time.Now()
	}()

	type result struct {
		kind      string
		start     time.Time
		deadline  time.Time
		end       time.Time
		err       error
		exclusive bool
		ctrl      time.Duration // lateness of a bare wait for the same deadline
	}
	results := make([]result, callers)
	spread := rand.Perm(callers) // deadlines 0.5 s + (0..999)·2.5 ms, in random order
	var wg sync.WaitGroup
	for i := range callers {
		var kind string
		switch {
		case i%10 < 7:
			kind = []string{"GET", "SET", "INCR", "PIPE"}[i%4]
		case i%10 < 9:
			kind = "BLPOP-FULL"
		default:
			kind = "CONN"
		}
		wait := 500*time.Millisecond + time.Duration(spread[i])*2500*time.Microsecond
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			cctx, cancel := context.WithTimeout(ctx, wait)
			d, _ := cctx.Deadline()
			ctrl := ftControlOn(cctx)
			err := ftRun(cctx, c, kind, k, 200*time.Millisecond)
			end := time.Now()
			cancel()
			results[i] = result{kind: kind, start: start, deadline: d, end: end, err: err, exclusive: kind == "BLPOP-FULL" || kind == "CONN", ctrl: max(ctrl(), 0)}
		}()
	}
	wg.Wait()
	close(stop)
	ctl.close()
	lister.close() // ends a CLIENT LIST in flight, if any
	watchers.Wait()
	pauseEnd := <-unpaused
	prober.close()

	var overAll, overFailed, ctrl ftDist
	for _, r := range results {
		ctrl = append(ctrl, r.ctrl)
	}
	// The machine's own lateness (the control's worst) comes on top of
	// the 25 ms.
	allowed := slack + ctrl.max()
	late, rawLate, lost, starved := 0, 0, 0, 0
	lastFailed := map[bool]time.Duration{false: -1, true: -1} // by exclusive: latest failed deadline after the pause
	lastOK := map[bool]time.Duration{false: -1, true: -1}     // by exclusive: latest success after the pause
	noise := ctrl.pct(0.99)
	for _, r := range results {
		over := r.end.Sub(r.deadline)
		overAll = append(overAll, over)
		if r.err != nil {
			overFailed = append(overFailed, over)
		}
		if over > slack {
			rawLate++
		}
		if over > allowed {
			late++
			if late <= 10 {
				t.Errorf("%s (exclusive %v, deadline %v after the pause's end) returned %v after its deadline (err %v), want <= %v + the control's max %v",
					r.kind, r.exclusive, ftMs(r.deadline.Sub(pauseEnd)), ftMs(over), r.err, slack, ftMs(ctrl.max()))
			}
		}
		mustSucceedAfter := sharedAfter
		if r.exclusive {
			mustSucceedAfter = exclusiveAfter
		}
		switch {
		case r.err == nil:
			lastOK[r.exclusive] = max(lastOK[r.exclusive], r.end.Sub(pauseEnd))
		case errors.Is(r.err, redis.ErrPoolTimeout) && r.end.Sub(r.start) >= c.Options().PoolTimeout:
			// The goroutine ran only after the pool's own timer was due
			// as well (a starved machine): either error may win.
			starved++
		case !errors.Is(r.err, context.DeadlineExceeded):
			t.Errorf("%s: err = %v, want success or context.DeadlineExceeded", r.kind, r.err)
		default:
			lastFailed[r.exclusive] = max(lastFailed[r.exclusive], r.deadline.Sub(pauseEnd))
			if r.deadline.After(pauseEnd.Add(mustSucceedAfter + noise)) {
				lost++
				if lost <= 10 {
					t.Errorf("%s with its deadline %v after the pause ended failed (want success past %v + the control's p99 %v): %v",
						r.kind, ftMs(r.deadline.Sub(pauseEnd)), mustSucceedAfter, ftMs(noise), r.err)
				}
			}
		}
	}
	t.Logf("1,000 callers through CLIENT PAUSE 2000 ALL: overshoot past deadline, all calls %v; failed calls %v; control %v; %d over deadline + %v",
		overAll, overFailed, ctrl, rawLate, slack)
	t.Logf("the pause ended %v after its nominal end (server cron); %d pool timeouts for callers that ran only after PoolTimeout (starved machine)",
		ftMs(pauseEnd.Sub(nominalEnd)), starved)
	t.Logf("after the pause: shared calls: latest failed deadline %v, last success %v; exclusive calls: latest failed deadline %v, last success %v (relative to the pause's end; negative: before it)",
		ftMs(lastFailed[false]), ftMs(lastOK[false]), ftMs(lastFailed[true]), ftMs(lastOK[true]))
	t.Logf("pool: max PoolStats.TotalConns %d (PoolSize %d); max connections open %d (PoolSize + %d shared); max CLIENT LIST %d",
		maxPoolTotal.Load(), poolSize, dl.maxLive.Load(), muxConns, maxListed.Load())
	if late > 0 {
		t.Errorf("%d of %d callers returned more than %v after their deadline", late, callers, ftMs(allowed))
	}
	if v := listErr.Load(); v != nil && !errors.Is(v.(error), net.ErrClosed) {
		t.Errorf("CLIENT LIST: %v", v)
	}
	if n := maxPoolTotal.Load(); n > poolSize {
		t.Errorf("PoolStats.TotalConns reached %d, over PoolSize %d", n, poolSize)
	}
	if n := dl.maxLive.Load(); n > poolSize+muxConns {
		t.Errorf("%d connections open at once, over PoolSize %d + %d shared", n, poolSize, muxConns)
	}
	if n := maxListed.Load(); n > poolSize+muxConns {
		t.Errorf("CLIENT LIST counted %d client connections, over PoolSize %d + %d shared", n, poolSize, muxConns)
	}

	if v, err := c.Get(ctx, k.str); err != nil || v != "v" {
		t.Errorf("after the pause: GET = %q, %v", v, err)
	}
	c.Close()
	checkNoLeaks(t, base)
}

// ---------------------------------------------------------------------------
// Scenario 6: dial rate while the server is down, recovery, wrong password.

// ftHammer runs goroutines that call GET (and, for the first exclusive of
// them, BLPOP with a 10 ms block) in a loop until stop closes, counting
// successes and errors; it records when the first success after armed was
// set happened.
type ftHammer struct {
	ok, failed atomic.Int64
	armed      atomic.Bool
	firstOK    atomic.Int64 // unix nanoseconds of the first success once armed
	errMu      sync.Mutex
	errs       map[string]int // guarded by errMu: error text → count (first 20 kinds)
	stop       chan struct{}
	haltOnce   sync.Once
	wg         sync.WaitGroup
}

func ftStartHammer(c *redis.Client, k ftKeys, goroutines, exclusive int) *ftHammer {
	h := &ftHammer{stop: make(chan struct{}), errs: map[string]int{}}
	for g := range goroutines {
		kind := "GET"
		if g < exclusive {
			kind = "BLPOP"
		}
		h.wg.Add(1)
		go func() {
			defer h.wg.Done()
			for {
				select {
				case <-h.stop:
					return
				default:
				}
				cctx, cancel := context.WithTimeout(context.Background(), time.Second)
				err := ftRun(cctx, c, kind, k, 10*time.Millisecond)
				cancel()
				if errors.Is(err, redis.ErrNil) {
					err = nil // BLPOP on an empty list: the server answered
				}
				if err == nil {
					h.ok.Add(1)
					if h.armed.Load() {
						h.firstOK.CompareAndSwap(0, time.Now().UnixNano())
					}
					continue
				}
				h.failed.Add(1)
				time.Sleep(100 * time.Microsecond) // hammer, but leave the machine some CPU
				h.errMu.Lock()
				if msg := err.Error(); len(h.errs) < 20 || h.errs[msg] > 0 {
					h.errs[msg]++
				}
				h.errMu.Unlock()
			}
		}()
	}
	return h
}

// halt stops the goroutines and waits for them; it may be called again.
func (h *ftHammer) halt() {
	h.haltOnce.Do(func() { close(h.stop) })
	h.wg.Wait()
}

func (h *ftHammer) errCounts() map[string]int {
	h.errMu.Lock()
	defer h.errMu.Unlock()
	return maps.Clone(h.errs)
}

// ftDialVariants are the client set-ups of the dial-rate tests: dials
// from one shared connection, and from two plus the pool's (goroutines
// doing BLPOP).
var ftDialVariants = []struct {
	name      string
	muxConns  int
	exclusive int
}{
	{"GET on 1 shared connection", 1, 0},
	{"GET on 2 shared connections + BLPOP", 2, 10},
}

// TestFaultServerKillDialRate kills the server and hammers the client from
// 50 goroutines for 2 s: at most 20 dials a second may reach for the dead
// server; once it is back (Start on the same port), the first call must
// succeed within 100 ms of the server answering PING. Once with GET only
// on one shared connection, once with two shared connections and BLPOP
// callers on exclusive ones, where dials come from several places at once.
func TestFaultServerKillDialRate(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{})
	base := takeLeakBaseline(t)
	k := ftKeysFor("ft6")
	const (
		goroutines = 50
		down       = 2 * time.Second
		maxRate    = 20.0
		maxRecover = 100 * time.Millisecond
	)
	for _, v := range ftDialVariants {
		t.Run(v.name, func(t *testing.T) {
			var dl ftDialLog
			c := redis.NewClient(&redis.Options{Addr: srv.Addr(), Dialer: dl.dial, MuxConns: v.muxConns, PoolSize: 10})
			ctx := context.Background()
			if err := c.Set(ctx, k.str, "v"); err != nil {
				t.Fatal(err)
			}
			if _, err := c.BLPop(ctx, []string{k.list}, 10*time.Millisecond); !errors.Is(err, redis.ErrNil) {
				t.Fatalf("warm-up BLPOP: %v", err)
			}

			if err := srv.Kill(); err != nil {
				t.Fatal(err)
			}
			killed := time.Now()
			h := ftStartHammer(c, k, goroutines, v.exclusive)
			defer h.halt()
			time.Sleep(down)
			dials, burst := dl.since(killed)
			elapsed := time.Since(killed)
			okDown := h.ok.Load()
			// The first dials go out together, before any of them has
			// failed: one per connection wanted at that moment. The rate is
			// that of the dials made after the client could know.
			rate := float64(len(dials)-burst) / elapsed.Seconds()
			steady := 0
			for _, at := range dials {
				if at.Sub(killed) >= 250*time.Millisecond {
					steady++
				}
			}
			steadyRate := float64(steady) / (elapsed - 250*time.Millisecond).Seconds()
			perSec := ftMaxPerWindow(dials[burst:], time.Second)

			// Back up: probe with raw PINGs to see when it is ready.
			h.armed.Store(true)
			lag := ftStartLag()
			probeStop := make(chan struct{})
			readyCh := make(chan time.Time, 1)
			go func() { readyCh <- ftPingUntilReady(srv.Addr(), probeStop) }()
			if err := srv.Start(); err != nil {
				t.Fatal(err)
			}
			started := time.Now()
			var ready time.Time
			select {
			case ready = <-readyCh:
			case <-time.After(5 * time.Second):
				close(probeStop)
				t.Fatal("the restarted server never answered the probe's PING")
			}
			deadline := time.Now().Add(3 * time.Second)
			for h.firstOK.Load() == 0 && time.Now().Before(deadline) {
				time.Sleep(time.Millisecond)
			}
			worstLag := lag()
			h.halt()
			first := h.firstOK.Load()
			c.Close()

			t.Logf("%s: server down %v: %d dials, %d of them at once before the first failed; %.1f dials/s after that (%.1f/s in all; %.1f/s after the first 250 ms; at most %d in any 1 s after the first); %d calls failed, %d succeeded",
				v.name, elapsed.Round(time.Millisecond), len(dials), burst, rate, float64(len(dials))/elapsed.Seconds(), steadyRate, perSec, h.failed.Load(), okDown)
			if okDown != 0 {
				t.Errorf("%s: %d calls succeeded while the server was down", v.name, okDown)
			}
			if first == 0 {
				t.Fatalf("%s: no call succeeded within 3 s of the server being back; errors: %v", v.name, h.errCounts())
			}
			recovery := time.Unix(0, first).Sub(ready)
			t.Logf("%s: first success %v after the server answered PING (%v after Start returned; scheduling lag up to %v meanwhile)",
				v.name, ftMs(recovery), ftMs(time.Unix(0, first).Sub(started)), ftMs(worstLag))
			if recovery > maxRecover+worstLag {
				t.Errorf("%s: first success %v after the server was back, want <= %v + the machine's lag %v", v.name, ftMs(recovery), maxRecover, ftMs(worstLag))
			}
			if rate > maxRate || perSec > maxRate {
				t.Errorf("%s: %.1f dials/s while the server was down, up to %d in one second, want <= %.0f", v.name, rate, perSec, maxRate)
			}
		})
	}
	checkNoLeaks(t, base)
}

// TestFaultWrongPasswordDialRate hammers a client with a wrong password
// from 50 goroutines for 3 s: the refused handshake may be tried at most
// once a second (+1), and every call fails with WRONGPASS.
func TestFaultWrongPasswordDialRate(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{Password: "ft-right-password"})
	base := takeLeakBaseline(t)
	k := ftKeysFor("ft6p")
	const (
		goroutines = 50
		run        = 3 * time.Second
	)
	for _, v := range ftDialVariants {
		t.Run(v.name, func(t *testing.T) {
			var dl ftDialLog
			c := redis.NewClient(&redis.Options{Addr: srv.Addr(), Password: "ft-wrong-password", Dialer: dl.dial, MuxConns: v.muxConns, PoolSize: 10})
			start := time.Now()
			h := ftStartHammer(c, k, goroutines, v.exclusive)
			time.Sleep(run)
			h.halt()
			elapsed := time.Since(start)
			dials, burst := dl.since(start)
			c.Close()

			// The first dials go out together, before the first refusal;
			// every later one is a retry.
			retries := len(dials) - burst
			allowed := int(elapsed/time.Second) + 1
			errs := h.errCounts()
			t.Logf("%s: wrong password for %v: %d dials, %d of them at once before the first refusal, %d retries (allowed %d); at most %d in any 1 s; %d calls failed, %d succeeded",
				v.name, elapsed.Round(time.Millisecond), len(dials), burst, retries, allowed, ftMaxPerWindow(dials, time.Second), h.failed.Load(), h.ok.Load())
			if h.ok.Load() != 0 {
				t.Errorf("%s: %d calls succeeded with a wrong password", v.name, h.ok.Load())
			}
			for msg, n := range errs {
				if !strings.Contains(msg, "WRONGPASS") {
					t.Errorf("%s: %d calls failed with %q, want WRONGPASS", v.name, n, msg)
				}
			}
			if retries > allowed {
				t.Errorf("%s: %d dials retried in %v with a wrong password, want <= %d (one a second + 1)", v.name, retries, elapsed.Round(time.Millisecond), allowed)
			}
		})
	}
	checkNoLeaks(t, base)
}
