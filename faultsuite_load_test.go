package redis_test

// The load scenarios of the fault suite: random cancellations and
// deadlines over many calls (TestFaultLoadCancellations), an INCR ledger
// under reply stalls longer than the read timeout (TestFaultLedger), and a
// soak of mixed load with a fault every 10 seconds (TestFaultSoak). Every
// caller writes and reads values unique to it, so that a reply meant for
// another caller, or for another call, is caught.
//
// CHAOS=1 runs the long forms: 10⁷ calls, a 30-minute soak (make chaos).

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/redistest"
)

// flChaos reports whether the long forms run.
func flChaos() bool { return os.Getenv("CHAOS") != "" }

// ---------------------------------------------------------------------------
// Shared helpers: the error contract, failure collection, leak checks.

// flOutcome classifies a call's error under the error contract and
// returns a description of any breach of it, or "":
//
//   - an error is a context error, an error wrapping ErrOutcomeUnknown, or
//     a connection error (*redis.ConnError);
//   - a command that is not read-only and may have been sent
//     (ConnError.Sent) wraps ErrOutcomeUnknown;
//   - MayHaveRun reports true exactly for errors wrapping
//     ErrOutcomeUnknown or carrying Sent.
//
// kind is "ok", "cancelled", "deadline", "timeout" (the read timeout),
// "unknown" (another failure after sending) or "not-sent".
func flOutcome(err error, readOnly bool) (kind, breach string) {
	if err == nil || errors.Is(err, redis.ErrNil) {
		return "ok", ""
	}
	var ce *redis.ConnError
	isConn := errors.As(err, &ce)
	sent := isConn && ce.Sent
	unknown := errors.Is(err, redis.ErrOutcomeUnknown)
	isCtx := errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
	switch {
	case errors.Is(err, context.Canceled):
		kind = "cancelled"
	case errors.Is(err, context.DeadlineExceeded):
		kind = "deadline"
	case isConn && ce.Timeout():
		kind = "timeout"
	case sent || unknown:
		kind = "unknown"
	default:
		kind = "not-sent"
	}
	switch {
	case !isConn && !unknown && !isCtx:
		breach = fmt.Sprintf("unexpected error %v (%T)", err, err)
	case unknown && !sent:
		breach = fmt.Sprintf("%v wraps ErrOutcomeUnknown but its connection error says not sent", err)
	case sent && !readOnly && !unknown:
		breach = fmt.Sprintf("%v: a write that may have been sent does not wrap ErrOutcomeUnknown", err)
	case redis.MayHaveRun(err) != (unknown || sent):
		breach = fmt.Sprintf("MayHaveRun(%v) = %v, but sent=%v, outcome unknown=%v", err, redis.MayHaveRun(err), sent, unknown)
	}
	return kind, breach
}

// flFailures collects failure messages from many goroutines; the test
// reports the first few.
type flFailures struct {
	mu   sync.Mutex
	n    int
	msgs []string
}

func (f *flFailures) add(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n++
	if len(f.msgs) < 20 {
		f.msgs = append(f.msgs, fmt.Sprintf(format, args...))
	}
}

func (f *flFailures) report(t *testing.T) {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, m := range f.msgs {
		t.Error(m)
	}
	if f.n > len(f.msgs) {
		t.Errorf("... and %d more failures", f.n-len(f.msgs))
	}
}

// Contexts the load scenarios draw from.
const (
	flCtxBackground   = iota // context.Background: a lone caller reads its own reply
	flCtxPreCancelled        // cancelled before the call
	flCtxCancelSoon          // cancelled 0–300 µs into the call
	flCtxDeadline            // a deadline 0–2 ms away
	flCtxCancellable         // cancellable, not cancelled during the call
)

func flContext(rng *rand.Rand) (context.Context, context.CancelFunc, int) {
	switch n := rng.IntN(20); {
	case n < 4:
		return context.Background(), func() {}, flCtxBackground
	case n < 6:
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		return ctx, cancel, flCtxPreCancelled
	case n < 11:
		ctx, cancel := context.WithCancel(context.Background())
		tm := time.AfterFunc(time.Duration(rng.IntN(300))*time.Microsecond, cancel)
		return ctx, func() { tm.Stop(); cancel() }, flCtxCancelSoon
	case n < 17:
		ctx, cancel := context.WithTimeout(context.Background(), time.Duration(rng.IntN(2000))*time.Microsecond)
		return ctx, cancel, flCtxDeadline
	}
	ctx, cancel := context.WithCancel(context.Background())
	return ctx, cancel, flCtxCancellable
}

// ---------------------------------------------------------------------------
// Scenario 1: random cancellations and deadlines.

type flLoadStats struct {
	calls, ok, cancelled, deadline, timeout, unknown, notSent atomic.Int64
	pipelines, reserved                                       atomic.Int64
	preCancelled, preCancelledOK, preCancelledMayHaveRun      atomic.Int64
	wrong, breaches, orderAnomalies                           atomic.Int64

	mu      sync.Mutex          // guards samples
	samples map[string][]string // a few errors of each kind but "ok", for the log
}

func (s *flLoadStats) sample(kind string, err error) {
	if kind == "ok" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.samples == nil {
		s.samples = map[string][]string{}
	}
	if len(s.samples[kind]) < 2 {
		s.samples[kind] = append(s.samples[kind], err.Error())
	}
}

func (s *flLoadStats) count(kind string) {
	switch kind {
	case "ok":
		s.ok.Add(1)
	case "cancelled":
		s.cancelled.Add(1)
	case "deadline":
		s.deadline.Add(1)
	case "timeout":
		s.timeout.Add(1)
	case "unknown":
		s.unknown.Add(1)
	default:
		s.notSent.Add(1)
	}
}

// flChan is the connection a command goes through, for what can be said
// of the order in which commands run.
type flChan uint8

const (
	flShared   flChan = iota // the main client's shared connection(s)
	flTight                  // the client with the small read timeout (one shared connection)
	flReserved               // a reserved Conn
)

// flPending is a SET whose outcome is unknown: its value may be the key's.
type flPending struct {
	val string
	ch  flChan
}

// flLoadWorker is one goroutine of TestFaultLoadCancellations, with what it
// knows of its own key and counter.
type flLoadWorker struct {
	g        int
	rng      *rand.Rand
	c, ct    *redis.Client
	ordered  bool // c has one shared connection: its commands run in the order sent
	key, ctr string
	base     int64 // the counter's value before the load

	known   string          // the value of the last SET that succeeded ("" = missing)
	pending []flPending     // SETs of unknown outcome not known to be overwritten since
	pruned  map[string]bool // unknown SETs overwritten by a later SET on the same connection
	stale   map[string]bool // values known to be overwritten
	notRun  map[string]bool // SETs reported as certainly not run

	incrOK, incrMaybe int64 // INCRs that returned, INCRs that may have run
	incrSeen          map[int64]bool

	seq       int
	hist      []string
	st        *flLoadStats
	fails     *flFailures
	anomalies *flFailures // order anomalies: failures only when no connection failed
}

func (w *flLoadWorker) orderedChan(ch flChan) bool {
	return ch == flTight || ch == flShared && w.ordered
}

func (w *flLoadWorker) log(format string, args ...any) {
	if len(w.hist) == 16 {
		copy(w.hist, w.hist[1:])
		w.hist = w.hist[:15]
	}
	w.hist = append(w.hist, fmt.Sprintf(format, args...))
}

func (w *flLoadWorker) wrongReply(format string, args ...any) {
	w.st.wrong.Add(1)
	w.fails.add("goroutine %d: %s; its last calls: %q", w.g, fmt.Sprintf(format, args...), w.hist)
}

// note counts one command's outcome and checks its error against the
// contract.
func (w *flLoadWorker) note(name string, err error, readOnly bool, ck int) {
	w.st.calls.Add(1)
	kind, breach := flOutcome(err, readOnly)
	w.st.count(kind)
	w.st.sample(kind, err)
	if breach != "" {
		w.st.breaches.Add(1)
		w.fails.add("goroutine %d: %s: %s", w.g, name, breach)
	}
	if ck == flCtxPreCancelled {
		w.st.preCancelled.Add(1)
		if err == nil || errors.Is(err, redis.ErrNil) {
			w.st.preCancelledOK.Add(1)
		} else if redis.MayHaveRun(err) {
			w.st.preCancelledMayHaveRun.Add(1)
		}
	}
}

func (w *flLoadWorker) nextVal() string {
	w.seq++
	return fmt.Sprintf("%s=g%d-s%d-%x", w.key, w.g, w.seq, w.rng.Uint32())
}

func (w *flLoadWorker) setDone(ch flChan, val string, err error) {
	w.log("SET %s via %d -> %v", val, ch, err)
	if err == nil {
		w.stale[w.known] = true
		w.known = val
		delete(w.stale, val)
		if w.orderedChan(ch) {
			// Unknown SETs sent before on the same connection ran before
			// this one, if they ran at all.
			kept := w.pending[:0]
			for _, p := range w.pending {
				if p.ch == ch {
					w.pruned[p.val] = true
				} else {
					kept = append(kept, p)
				}
			}
			w.pending = kept
		}
		return
	}
	if redis.MayHaveRun(err) {
		w.pending = append(w.pending, flPending{val, ch})
	} else {
		w.notRun[val] = true
	}
}

func (w *flLoadWorker) getDone(ch flChan, v string, err error) {
	if errors.Is(err, redis.ErrNil) {
		v, err = "", nil
	}
	w.log("GET via %d -> %q %v", ch, v, err)
	if err != nil || v == w.known {
		return
	}
	for _, p := range w.pending {
		if p.val == v {
			return
		}
	}
	switch {
	case w.pruned[v]:
		// Possible only if a connection was replaced between that SET
		// and the one that overwrote it; judged at the end of the run.
		w.st.orderAnomalies.Add(1)
		w.anomalies.add("goroutine %d: GET returned %q, overwritten since by a later SET on the same connection (an order anomaly unless a connection was replaced); last calls: %q", w.g, v, w.hist)
	case w.notRun[v]:
		w.wrongReply("GET %s returned %q, written by a SET reported as certainly not run (MayHaveRun false)", w.key, v)
	case w.stale[v]:
		w.wrongReply("GET %s returned %q, a value overwritten before the GET was sent (known %q)", w.key, v, w.known)
	default:
		w.wrongReply("GET %s returned %q, which this goroutine never wrote (known %q, %d pending)", w.key, v, w.known, len(w.pending))
	}
}

func (w *flLoadWorker) echoDone(tok, v string, err error) {
	w.log("ECHO %s -> %q %v", tok, v, err)
	if err == nil && v != tok {
		w.wrongReply("ECHO %q returned %q", tok, v)
	}
}

func (w *flLoadWorker) incrDone(v int64, err error) {
	w.log("INCR -> %d %v", v, err)
	if err != nil {
		if redis.MayHaveRun(err) {
			w.incrMaybe++
		}
		return
	}
	w.incrOK++
	lo, hi := w.base+w.incrOK, w.base+w.incrOK+w.incrMaybe
	if v < lo || v > hi || w.incrSeen[v] {
		w.wrongReply("INCR %s returned %d, want a value in [%d, %d] not returned before", w.ctr, v, lo, hi)
	}
	w.incrSeen[v] = true
}

// call runs one random call: a single command, a pipeline, or a few
// commands on a reserved connection.
func (w *flLoadWorker) call() {
	ctx, cancel, ck := flContext(w.rng)
	defer cancel()
	c, ch := w.c, flShared
	if w.rng.IntN(10) == 0 {
		c, ch = w.ct, flTight
	}
	switch op := w.rng.IntN(100); {
	case ch == flTight && op < 5:
		// A reply slower than the tight client's read timeout: its
		// caller times out, the callers behind it wait their turn.
		tok := w.nextVal()
		v, err := flSlowEcho.Run(ctx, c, nil, tok)
		w.note("slow script", err, false, ck)
		var got string
		if err == nil {
			got, err = v.Text()
		}
		w.echoDone(tok, got, err)
	case op < 25:
		val := w.nextVal()
		err := c.Set(ctx, w.key, val)
		w.note("SET", err, false, ck)
		w.setDone(ch, val, err)
	case op < 50:
		v, err := c.Get(ctx, w.key)
		w.note("GET", err, true, ck)
		w.getDone(ch, v, err)
	case op < 65:
		tok := w.nextVal()
		v, err := c.Echo(ctx, tok)
		w.note("ECHO", err, false, ck)
		w.echoDone(tok, v, err)
	case op < 75:
		v, err := c.Incr(ctx, w.ctr)
		w.note("INCR", err, false, ck)
		w.incrDone(v, err)
	case op < 94:
		w.pipeline(ctx, c, ch, ck)
	default:
		w.reserved(ctx)
	}
}

// pipeline runs 1 to 5 commands of the goroutine's own in one Exec.
func (w *flLoadWorker) pipeline(ctx context.Context, c *redis.Client, ch flChan, ck int) {
	w.st.pipelines.Add(1)
	p := c.Pipeline()
	n := 1 + w.rng.IntN(5)
	type queued struct {
		op   int
		arg  string
		str  *redis.Reply[string]
		set  *redis.Reply[struct{}]
		incr *redis.Reply[int64]
	}
	qs := make([]queued, n)
	for i := range qs {
		q := &qs[i]
		q.op = w.rng.IntN(4)
		switch q.op {
		case 0:
			q.arg = w.nextVal()
			q.str = p.Echo(q.arg)
		case 1:
			q.str = p.Get(w.key)
		case 2:
			q.arg = w.nextVal()
			q.set = p.Set(w.key, q.arg)
		default:
			q.incr = p.Incr(w.ctr)
		}
	}
	execErr := p.Exec(ctx)
	w.log("pipeline of %d -> %v", n, execErr)
	for _, q := range qs {
		switch q.op {
		case 0:
			v, err := q.str.Result()
			w.note("pipelined ECHO", err, false, ck)
			w.echoDone(q.arg, v, err)
		case 1:
			v, err := q.str.Result()
			w.note("pipelined GET", err, true, ck)
			w.getDone(ch, v, err)
		case 2:
			err := q.set.Err()
			w.note("pipelined SET", err, false, ck)
			w.setDone(ch, q.arg, err)
		default:
			v, err := q.incr.Result()
			w.note("pipelined INCR", err, false, ck)
			w.incrDone(v, err)
		}
	}
}

// reserved runs 1 to 3 commands on a reserved connection, each with a
// context of its own, and stops at the first failure.
func (w *flLoadWorker) reserved(ctx context.Context) {
	w.st.reserved.Add(1)
	cn, err := w.c.Conn(ctx)
	if err != nil {
		// Waiting for a pool connection: nothing was sent.
		w.st.calls.Add(1)
		kind, breach := flOutcome(err, true)
		w.st.count(kind)
		if breach != "" || redis.MayHaveRun(err) {
			w.st.breaches.Add(1)
			w.fails.add("goroutine %d: Conn: %v (MayHaveRun %v) %s", w.g, err, redis.MayHaveRun(err), breach)
		}
		return
	}
	defer cn.Close()
	for range 1 + w.rng.IntN(3) {
		ctx, cancel, ck := flContext(w.rng)
		var err error
		switch w.rng.IntN(3) {
		case 0:
			tok := w.nextVal()
			var v string
			v, err = cn.Do(ctx, "ECHO", tok).Text()
			w.note("reserved ECHO", err, false, ck)
			w.echoDone(tok, v, err)
		case 1:
			val := w.nextVal()
			err = cn.Do(ctx, "SET", w.key, val).Err()
			w.note("reserved SET", err, false, ck)
			w.setDone(flReserved, val, err)
		default:
			var v string
			v, err = cn.Do(ctx, "GET", w.key).Text()
			// Nothing on a reserved connection is retried: a GET that
			// may have been sent is an unknown outcome too.
			w.note("reserved GET", err, false, ck)
			w.getDone(flReserved, v, err)
		}
		cancel()
		if err != nil && !errors.Is(err, redis.ErrNil) {
			return
		}
	}
}

// flSlowEcho returns its argument after keeping the server busy for 3 ms.
var flSlowEcho = redis.NewScript(`local t = redis.call('TIME')
while true do
  local n = redis.call('TIME')
  if (n[1] - t[1]) * 1000000 + (n[2] - t[2]) > 3000 then return ARGV[1] end
end`)

// TestFaultLoadCancellations: random cancellations and deadlines over 10⁵
// calls (10⁷ with CHAOS=1), single commands, pipelines and reserved
// connections, 64 goroutines on one client: 0 wrong replies, and every
// error a context error, an unknown outcome or a connection error that
// MayHaveRun classifies consistently.
func TestFaultLoadCancellations(t *testing.T) {
	total := 100_000
	if flChaos() {
		total = 10_000_000
	}
	const goroutines = 64
	srv := redistest.Start(t, redistest.Config{})
	type variant struct{ proto, mux int }
	variants := []variant{{2, 1}, {3, 1}, {2, 3}, {3, 3}}
	perGoroutine := total / len(variants) / goroutines
	start := time.Now()
	var calls, commands int64
	for _, v := range variants {
		t.Run(fmt.Sprintf("RESP%d/mux%d", v.proto, v.mux), func(t *testing.T) {
			base := takeLeakBaseline(t)
			commands += runFaultLoad(t, srv, v.proto, v.mux, goroutines, perGoroutine)
			calls += int64(goroutines * perGoroutine)
			checkNoLeaks(t, base)
		})
	}
	t.Logf("%d calls (%d commands) in all in %v", calls, commands, time.Since(start).Round(time.Millisecond))
}

// runFaultLoad runs calls random calls on each of goroutines goroutines
// and returns the number of commands they sent.
func runFaultLoad(t *testing.T, srv *redistest.Server, proto, muxConns, goroutines, calls int) int64 {
	ctx := context.Background()
	c := redis.NewClient(&redis.Options{Addr: srv.Addr(), Protocol: proto, MuxConns: muxConns, PoolSize: 16})
	// A client whose read timeout is shorter than many replies take: its
	// callers give up their slots on a shared connection that stays up.
	ct := redis.NewClient(&redis.Options{Addr: srv.Addr(), Protocol: proto, ReadTimeout: 2 * time.Millisecond, WriteTimeout: time.Second})
	defer c.Close()
	defer ct.Close()
	prefix := fmt.Sprintf("faultload:%d:%d:", proto, muxConns)
	var st flLoadStats
	var fails, anomalies flFailures
	workers := make([]*flLoadWorker, goroutines)
	for g := range workers {
		w := &flLoadWorker{
			g: g, rng: rand.New(rand.NewPCG(uint64(g), uint64(proto*10+muxConns))),
			c: c, ct: ct, ordered: muxConns == 1,
			key: prefix + "k:" + strconv.Itoa(g), ctr: prefix + "n:" + strconv.Itoa(g),
			base:   int64(g+1) * 1_000_000_000,
			pruned: map[string]bool{}, stale: map[string]bool{}, notRun: map[string]bool{},
			incrSeen: map[int64]bool{}, st: &st, fails: &fails, anomalies: &anomalies,
		}
		if _, err := c.Del(ctx, w.key); err != nil {
			t.Fatal(err)
		}
		if err := c.Set(ctx, w.ctr, w.base); err != nil {
			t.Fatal(err)
		}
		workers[g] = w
	}
	start := time.Now()
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Go(func() {
			for range calls {
				w.call()
			}
		})
	}
	wg.Wait()
	took := time.Since(start)

	// Commands abandoned by their callers may still be on their way:
	// let them land, then check each key and counter once more.
	time.Sleep(100 * time.Millisecond)
	for _, w := range workers {
		v, err := c.Get(ctx, w.key)
		w.note("final GET", err, true, flCtxBackground)
		w.getDone(flShared, v, err)
		n, err := c.Do(ctx, "GET", w.ctr).Int64()
		if err != nil {
			t.Errorf("goroutine %d: final GET of its counter: %v", w.g, err)
			continue
		}
		if lo, hi := w.base+w.incrOK, w.base+w.incrOK+w.incrMaybe; n < lo || n > hi {
			w.wrongReply("counter %s is %d after %d INCRs that returned and %d that may have run: want [%d, %d]", w.ctr, n, w.incrOK, w.incrMaybe, lo, hi)
		}
	}
	fails.report(t)
	t.Logf("%d goroutines, %d calls (%d pipelines, %d reserved connections) in %v (%.0f calls/s): %d ok, %d cancelled, %d deadline exceeded, %d read timeouts, %d other unknown outcomes, %d not sent; pre-cancelled contexts: %d calls, %d answered, %d may have run; wrong replies %d, contract breaches %d, order anomalies %d",
		goroutines, st.calls.Load(), st.pipelines.Load(), st.reserved.Load(), took.Round(time.Millisecond), float64(st.calls.Load())/took.Seconds(),
		st.ok.Load(), st.cancelled.Load(), st.deadline.Load(), st.timeout.Load(), st.unknown.Load(), st.notSent.Load(),
		st.preCancelled.Load(), st.preCancelledOK.Load(), st.preCancelledMayHaveRun.Load(),
		st.wrong.Load(), st.breaches.Load(), st.orderAnomalies.Load())
	for _, kind := range []string{"cancelled", "deadline", "timeout", "unknown", "not-sent"} {
		if ex := st.samples[kind]; len(ex) > 0 {
			t.Logf("%s, e.g. %q", kind, ex)
		}
	}
	if st.wrong.Load() != 0 || st.breaches.Load() != 0 {
		t.Errorf("%d wrong replies, %d errors breaking the contract: want 0", st.wrong.Load(), st.breaches.Load())
	}
	// No connection is killed here: a pruned value can only come back
	// if a command overtook one sent before it on the same connection.
	if n := st.orderAnomalies.Load(); n != 0 && st.unknown.Load() == 0 {
		anomalies.report(t)
		t.Errorf("%d order anomalies with no connection failure", n)
	}
	if st.ok.Load() == 0 || st.cancelled.Load() == 0 || st.deadline.Load() == 0 || st.timeout.Load() == 0 {
		t.Errorf("the load exercised too little: %d ok, %d cancelled, %d deadline, %d read timeouts", st.ok.Load(), st.cancelled.Load(), st.deadline.Load(), st.timeout.Load())
	}
	return st.calls.Load()
}

// ---------------------------------------------------------------------------
// Scenario 2: the INCR ledger.

// flLedgerScript increments a counter and appends the call's id to a
// list, atomically: the list says exactly which calls ran, and how often.
var flLedgerScript = redis.NewScript(`local n = redis.call('INCR', KEYS[1])
redis.call('RPUSH', KEYS[2], ARGV[1])
return n`)

const (
	flLedgerOK        = iota // a value came back
	flLedgerAmbiguous        // MayHaveRun true
	flLedgerNotRun           // MayHaveRun false
)

type flLedgerCall struct {
	id      string
	script  bool
	outcome int
	val     int64
	kind    string // flOutcome's kind
}

// TestFaultLedger: INCRs, plain and through a script that logs each call's
// id, while the replies stall for 150–200 ms against a 100 ms read timeout
// (and, for a quarter of the calls, a 50–250 ms context deadline):
// no call runs twice, every call that returned ran exactly once, every
// call reported as not run did not run, and every error for a call that
// may have run wraps ErrOutcomeUnknown.
func TestFaultLedger(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{})
	for _, v := range []struct {
		name  string
		proto int
		stall time.Duration // StallTimeout; 0: the default (10 s)
		cuts  bool          // also cut every connection and refuse new ones for a moment
	}{
		{"RESP3/stalls", 3, 0, false},
		{"RESP2/stalls+kills", 2, 120 * time.Millisecond, true},
	} {
		t.Run(v.name, func(t *testing.T) {
			proxy := redistest.StartProxy(t, srv.Addr())
			base := takeLeakBaseline(t)
			runFaultLedger(t, srv, proxy, v.proto, v.stall, v.cuts)
			checkNoLeaks(t, base)
		})
	}
}

func runFaultLedger(t *testing.T, srv *redistest.Server, proxy *redistest.Proxy, proto int, stall time.Duration, cuts bool) {
	ctx := context.Background()
	const goroutines = 16
	// K calls per goroutine, within a time budget (the CI's), so that a
	// slow or loaded machine makes fewer calls rather than a slow test.
	calls, budget := 500, 5*time.Second
	if flChaos() {
		calls, budget = 5000, 2*time.Minute
	}
	direct := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer direct.Close()
	if err := flLedgerScript.Load(ctx, direct); err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(&redis.Options{Addr: proxy.Addr(), Protocol: proto, ReadTimeout: 100 * time.Millisecond, StallTimeout: stall})
	prefix := fmt.Sprintf("ledger:%d:%v:", proto, cuts)
	keys := func(g int) (plain, ctr, list string) {
		p := prefix + strconv.Itoa(g)
		return p + ":plain", p + ":ctr", p + ":ids"
	}
	for g := range goroutines {
		plain, ctr, list := keys(g)
		if _, err := direct.Del(ctx, plain, ctr, list); err != nil {
			t.Fatal(err)
		}
	}

	// The toggler stalls the replies for 150–200 ms, by delaying them or
	// by holding them, every 100–250 ms; with cuts, one fault in four
	// instead cuts every connection and refuses new ones for 20–60 ms.
	stop := make(chan struct{})
	var toggles sync.WaitGroup
	faults := map[string]int{}
	toggles.Go(func() {
		rng := rand.New(rand.NewPCG(7, uint64(proto)))
		sleep := func(d time.Duration) bool {
			select {
			case <-stop:
				return false
			case <-time.After(d):
				return true
			}
		}
		for i := 0; ; i++ {
			if !sleep(time.Duration(100+rng.IntN(151)) * time.Millisecond) {
				return
			}
			d := time.Duration(150+rng.IntN(51)) * time.Millisecond
			switch {
			case cuts && i%4 == 3:
				faults["cut+refuse"]++
				proxy.Refuse(true)
				proxy.CutAll()
				sleep(time.Duration(20+rng.IntN(41)) * time.Millisecond)
				proxy.Refuse(false)
			case rng.IntN(2) == 0:
				faults["delay"]++
				proxy.Delay(redistest.ToClient, d)
				sleep(d)
				proxy.Delay(redistest.ToClient, 0)
			default:
				faults["pause"]++
				proxy.Pause(redistest.ToClient, true)
				sleep(d)
				proxy.Pause(redistest.ToClient, false)
			}
		}
	})

	var fails flFailures
	var breaches, notWrapped atomic.Int64
	ledgers := make([][]flLedgerCall, goroutines)
	start := time.Now()
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(g), 99))
			plain, ctr, list := keys(g)
			for i := range calls {
				if time.Since(start) > budget {
					break
				}
				call := flLedgerCall{id: fmt.Sprintf("g%d-c%d", g, i), script: i%2 == 1}
				// The read timeout counts from when a reply is first in
				// line; a quarter of the calls also have a deadline of
				// their own, which ends them wherever they wait.
				ctx, cancel := context.Background(), context.CancelFunc(func() {})
				if rng.IntN(4) == 0 {
					ctx, cancel = context.WithTimeout(ctx, time.Duration(50+rng.IntN(201))*time.Millisecond)
				}
				var err error
				if call.script {
					var r redis.Result
					r, err = flLedgerScript.Run(ctx, c, []string{ctr, list}, call.id)
					if err == nil {
						call.val, err = r.Int64()
					}
				} else {
					call.val, err = c.Incr(ctx, plain)
				}
				cancel()
				var breach string
				call.kind, breach = flOutcome(err, false)
				switch {
				case err == nil:
					call.outcome = flLedgerOK
				case redis.MayHaveRun(err):
					call.outcome = flLedgerAmbiguous
					if !errors.Is(err, redis.ErrOutcomeUnknown) {
						notWrapped.Add(1)
						fails.add("%s: %v: MayHaveRun is true but the error does not wrap ErrOutcomeUnknown", call.id, err)
					}
				default:
					call.outcome = flLedgerNotRun
				}
				if breach != "" {
					breaches.Add(1)
					fails.add("%s: %s", call.id, breach)
				}
				ledgers[g] = append(ledgers[g], call)
				time.Sleep(time.Duration(rng.IntN(2000)) * time.Microsecond)
			}
		})
	}
	wg.Wait()
	took := time.Since(start)
	close(stop)
	toggles.Wait()
	proxy.Reset()
	accepted := proxy.Accepted()
	c.Close()
	time.Sleep(300 * time.Millisecond) // commands held by the proxy reach the server or are dropped

	var ok, ambiguous, notRun, dups, missing, ranAnyway, foreign, misplaced, made int
	kinds := map[string]int{}
	for g, ledger := range ledgers {
		made += len(ledger)
		plain, ctr, list := keys(g)
		ids, err := direct.LRange(ctx, list, 0, -1)
		if err != nil {
			t.Fatal(err)
		}
		n, err := direct.Do(ctx, "GET", ctr).Int64()
		if err != nil && !errors.Is(err, redis.ErrNil) {
			t.Fatal(err)
		}
		p, err := direct.Do(ctx, "GET", plain).Int64()
		if err != nil && !errors.Is(err, redis.ErrNil) {
			t.Fatal(err)
		}
		seen := map[string]int{}
		for _, id := range ids {
			seen[id]++
		}
		if int64(len(ids)) != n {
			fails.add("goroutine %d: the script's counter is %d but its list holds %d ids", g, n, len(ids))
		}
		issued := map[string]bool{}
		var plainOK, plainMaybe int64
		plainVals := map[int64]bool{}
		for _, call := range ledger {
			issued[call.id] = true
			kinds[call.kind]++
			switch call.outcome {
			case flLedgerOK:
				ok++
			case flLedgerAmbiguous:
				ambiguous++
			default:
				notRun++
			}
			if !call.script {
				switch call.outcome {
				case flLedgerOK:
					plainOK++
					if plainVals[call.val] {
						dups++
						fails.add("%s: INCR returned %d twice", call.id, call.val)
					}
					plainVals[call.val] = true
				case flLedgerAmbiguous:
					plainMaybe++
				}
				continue
			}
			switch k := seen[call.id]; {
			case k > 1:
				dups += k - 1
				fails.add("%s ran %d times", call.id, k)
			case call.outcome == flLedgerOK && k == 0:
				missing++
				fails.add("%s returned %d but is not in the ledger", call.id, call.val)
			case call.outcome == flLedgerOK && (call.val < 1 || call.val > int64(len(ids)) || ids[call.val-1] != call.id):
				misplaced++
				fails.add("%s returned %d, but the ledger's entry %d is not its id", call.id, call.val, call.val)
			case call.outcome == flLedgerNotRun && k > 0:
				ranAnyway++
				fails.add("%s was reported as certainly not run (%s), yet it ran", call.id, call.kind)
			}
		}
		for id := range seen {
			if !issued[id] {
				foreign++
				fails.add("goroutine %d: the ledger holds %q, which it never sent", g, id)
			}
		}
		if p < plainOK || p > plainOK+plainMaybe {
			dups++
			fails.add("goroutine %d: plain counter %d after %d INCRs that returned and %d that may have run", g, p, plainOK, plainMaybe)
		}
	}
	fails.report(t)
	t.Logf("%d goroutines, %d calls (of %d asked) in %v under %v: %d ok, %d ambiguous (wrapping ErrOutcomeUnknown: %d), %d certainly not run; by kind %v; connections opened %d",
		goroutines, made, goroutines*calls, took.Round(time.Millisecond), faults, ok, ambiguous, ambiguous-int(notWrapped.Load()), notRun, kinds, accepted)
	t.Logf("ledger: %d duplicate executions, %d returned calls missing, %d misplaced, %d reported not run that ran, %d foreign ids, %d contract breaches",
		dups, missing, misplaced, ranAnyway, foreign, breaches.Load())
	if dups != 0 || missing != 0 || misplaced != 0 || ranAnyway != 0 || foreign != 0 {
		t.Errorf("the ledger is wrong: %d duplicates, %d missing, %d misplaced, %d ran anyway, %d foreign", dups, missing, misplaced, ranAnyway, foreign)
	}
	if notWrapped.Load() != 0 || breaches.Load() != 0 {
		t.Errorf("%d errors that may have run without ErrOutcomeUnknown, %d contract breaches", notWrapped.Load(), breaches.Load())
	}
	if ambiguous == 0 || kinds["timeout"] == 0 {
		t.Errorf("the stalls produced no read timeout (%v): the scenario tested nothing", kinds)
	}
	if stall == 0 && accepted != 1 {
		// Read timeouts give up the caller's slot, not the connection.
		t.Errorf("the client opened %d connections: stalls shorter than StallTimeout must not replace the shared connection", accepted)
	}
}

// ---------------------------------------------------------------------------
// Scenario 9: the soak.

// Loads of the soak, for recovery times.
const (
	flLoadShared = iota
	flLoadPipeline
	flLoadWatch
	flLoadPubSub
	flLoadBlocking
	flLoads
)

var flLoadNames = [flLoads]string{"shared", "pipeline", "watch", "pubsub", "blocking"}

// flSoak is the state shared by the soak's goroutines.
type flSoak struct {
	restartGen atomic.Int64 // odd while the server restarts
	phase      atomic.Int64 // index of the last fault injected; -1 before the first

	faultEnd atomic.Int64          // unix ns when the current fault ended; MaxInt64 while it lasts
	first    [flLoads]atomic.Int64 // unix ns of each load's first success begun after faultEnd
	okOps    [flLoads]atomic.Int64

	wrong  atomic.Int64
	panics atomic.Int64
	fails  flFailures

	mu     sync.Mutex                // guards errs
	errs   map[string]map[string]int // fault name → error kind → count
	faults []string                  // the fault of each phase
}

func (s *flSoak) success(load int, started time.Time) {
	s.okOps[load].Add(1)
	if started.UnixNano() >= s.faultEnd.Load() {
		s.first[load].CompareAndSwap(0, time.Now().UnixNano())
	}
}

func (s *flSoak) phaseName() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i := s.phase.Load(); i >= 0 && int(i) < len(s.faults) {
		return s.faults[i]
	}
	return "warm-up"
}

// note records a call's result: success for its load, or its error under
// the fault of the moment, checked against the error contract.
func (s *flSoak) note(load int, started time.Time, what string, err error, readOnly bool) {
	kind, breach := flOutcome(err, readOnly)
	if breach != "" {
		s.fails.add("%s: %s", what, breach)
	}
	if kind == "ok" {
		s.success(load, started)
		return
	}
	name := s.phaseName()
	s.mu.Lock()
	if s.errs[name] == nil {
		s.errs[name] = map[string]int{}
	}
	s.errs[name][kind]++
	s.mu.Unlock()
}

func (s *flSoak) wrongReply(format string, args ...any) {
	s.wrong.Add(1)
	s.fails.add(format, args...)
}

// guard recovers a panic of a load goroutine and reports it.
func (s *flSoak) guard(name string) {
	if r := recover(); r != nil {
		s.panics.Add(1)
		buf := make([]byte, 64<<10)
		buf = buf[:runtime.Stack(buf, false)]
		s.fails.add("%s panicked: %v\n%s", name, r, buf)
	}
}

// flKeyModel is what one goroutine knows of its own key under the soak's
// faults: the last value written, values whose SET may or may not have
// run, and whether a restart may have emptied the key since. Values of
// unknown outcome are forgotten after flForget, so that the test's own
// bookkeeping does not grow the heap it measures: a command cannot land
// that long after its connection was given up.
type flKeyModel struct {
	key     string
	known   string
	maybe   map[string]time.Time // value → when its SET was sent
	notRun  map[string]time.Time
	seenGen int64
	emptied bool // a restart may have emptied the key since the last successful SET
	calls   int
}

const flForget = 30 * time.Second

func newFlKeyModel(key string) *flKeyModel {
	return &flKeyModel{key: key, maybe: map[string]time.Time{}, notRun: map[string]time.Time{}}
}

// restarted notes restarts seen between gen0 (before a call) and now.
func (m *flKeyModel) restarted(s *flSoak, gen0 int64) bool {
	gen := s.restartGen.Load()
	changed := gen != m.seenGen || gen != gen0 || gen%2 == 1
	if gen%2 == 0 {
		m.seenGen = gen
	}
	if changed {
		m.emptied = true
	}
	return changed
}

func (m *flKeyModel) set(s *flSoak, gen0 int64, started time.Time, val string, err error) {
	if m.calls++; m.calls%1024 == 0 {
		for _, set := range []map[string]time.Time{m.maybe, m.notRun} {
			for v, at := range set {
				if time.Since(at) > flForget {
					delete(set, v)
				}
			}
		}
	}
	during := m.restarted(s, gen0)
	switch {
	case err == nil && !during:
		m.known, m.emptied = val, false
	case err == nil || redis.MayHaveRun(err):
		m.maybe[val] = started
	default:
		m.notRun[val] = started
	}
}

// check reports a value this goroutine cannot read from its key.
func (m *flKeyModel) check(s *flSoak, gen0 int64, what, v string) {
	m.restarted(s, gen0)
	if _, ok := m.maybe[v]; ok || v == m.known || v == "" && m.emptied {
		return
	}
	if _, ok := m.notRun[v]; ok {
		s.wrongReply("%s of %s returned %q, written by a SET reported as certainly not run", what, m.key, v)
		return
	}
	s.wrongReply("%s of %s returned %q, which its goroutine never wrote in the last %v (known %q)", what, m.key, v, flForget, m.known)
}

// flSeqLog follows numbered items (published messages, pushed list
// elements) from the call that sends them to the reader that gets them,
// over a window of the latest flSeqWindow items: how the send ended, when
// it began, and whether the item was received.
type flSeqLog struct {
	mu    sync.Mutex
	next  int // items sent so far
	state [flSeqWindow]int8
	start [flSeqWindow]int64
	got   [flSeqWindow]bool
}

const flSeqWindow = 1 << 14

const flInFlight = -1 // state of an item whose send has not returned

// begin returns the next item's number.
func (l *flSeqLog) begin() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	seq := l.next
	l.next++
	i := seq % flSeqWindow
	l.state[i], l.start[i], l.got[i] = flInFlight, time.Now().UnixNano(), false
	return seq
}

// end records how the send of item seq ended.
func (l *flSeqLog) end(seq int, err error) {
	state := int8(flLedgerOK)
	switch {
	case err == nil:
	case redis.MayHaveRun(err):
		state = flLedgerAmbiguous
	default:
		state = flLedgerNotRun
	}
	l.mu.Lock()
	l.state[seq%flSeqWindow] = int8(state)
	l.mu.Unlock()
}

// receive checks the receipt of item seq and returns "" or what is wrong
// with it, and when its send began.
func (l *flSeqLog) receive(seq int) (string, time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	i := seq % flSeqWindow
	switch {
	case seq < 0 || seq >= l.next:
		return "never sent", time.Time{}
	case seq < l.next-flSeqWindow:
		return fmt.Sprintf("sent more than %d items ago", flSeqWindow), time.Time{}
	case l.got[i]:
		return "received twice: its send ran twice", time.Time{}
	case l.state[i] == flLedgerNotRun:
		return "its send was reported as certainly not run", time.Time{}
	}
	l.got[i] = true
	return "", time.Unix(0, l.start[i])
}

func (l *flSeqLog) sent() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.next
}

// TestFaultSoak: mixed load (shared connections, pipelines, WATCH
// transactions, a subscriber, blocking pops) through a fault proxy, with a
// fault every 10 seconds in rotation, for 2 minutes (30 with CHAOS=1):
// 0 panics, 0 wrong replies, no heap or goroutine growth, and every load
// back after every fault.
func TestFaultSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("the soak runs 2 minutes of load; skipped with -short")
	}
	duration := 2 * time.Minute
	if flChaos() {
		duration = 30 * time.Minute
	}
	const faultEvery = 10 * time.Second
	const warmUp = 5 * time.Second

	srv := redistest.Start(t, redistest.Config{})
	proxy := redistest.StartProxy(t, srv.Addr())
	base := takeLeakBaseline(t)
	ctx := context.Background()
	admin := redis.NewClient(&redis.Options{Addr: srv.Addr()}) // straight to the server
	c := redis.NewClient(&redis.Options{Addr: proxy.Addr(), MuxConns: 2, ReadTimeout: time.Second, PoolSize: 32})

	s := &flSoak{errs: map[string]map[string]int{}}
	s.phase.Store(-1)
	s.faultEnd.Store(math.MaxInt64)
	stop := make(chan struct{})
	stopped := func() bool {
		select {
		case <-stop:
			return true
		default:
			return false
		}
	}
	var load sync.WaitGroup

	// Shared connections: SET, GET, ECHO and small pipelines of them.
	for g := range 8 {
		load.Go(func() {
			defer s.guard(fmt.Sprintf("shared worker %d", g))
			rng := rand.New(rand.NewPCG(uint64(g), 1))
			m := newFlKeyModel(fmt.Sprintf("soak:k:%d", g))
			for i := 0; !stopped(); i++ {
				ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
				started, gen0 := time.Now(), s.restartGen.Load()
				val := fmt.Sprintf("soak:g%d:%d:%x", g, i, rng.Uint32())
				switch op := rng.IntN(10); {
				case op < 3:
					err := c.Set(ctx, m.key, val)
					s.note(flLoadShared, started, "SET", err, false)
					m.set(s, gen0, started, val, err)
				case op < 6:
					v, err := c.Get(ctx, m.key)
					s.note(flLoadShared, started, "GET", err, true)
					if errors.Is(err, redis.ErrNil) {
						v, err = "", nil
					}
					if err == nil {
						m.check(s, gen0, "GET", v)
					}
				case op < 8:
					v, err := c.Echo(ctx, val)
					s.note(flLoadShared, started, "ECHO", err, false)
					if err == nil && v != val {
						s.wrongReply("ECHO %q returned %q", val, v)
					}
				default:
					p := c.Pipeline()
					echo := p.Echo(val + ":e")
					set := p.Set(m.key, val)
					get := p.Get(m.key)
					p.Exec(ctx)
					v, err := echo.Result()
					s.note(flLoadPipeline, started, "pipelined ECHO", err, false)
					if err == nil && v != val+":e" {
						s.wrongReply("pipelined ECHO %q returned %q", val+":e", v)
					}
					err = set.Err()
					s.note(flLoadPipeline, started, "pipelined SET", err, false)
					m.set(s, gen0, started, val, err)
					v, err = get.Result()
					s.note(flLoadPipeline, started, "pipelined GET", err, true)
					if errors.Is(err, redis.ErrNil) {
						v, err = "", nil
					}
					if err == nil {
						m.check(s, gen0, "pipelined GET", v)
					}
				}
				cancel()
				time.Sleep(time.Duration(rng.IntN(1000)) * time.Microsecond)
			}
		})
	}

	// WATCH transactions: read the key on the watched connection, write
	// the next value in MULTI/EXEC.
	for g := range 2 {
		load.Go(func() {
			defer s.guard(fmt.Sprintf("watch worker %d", g))
			rng := rand.New(rand.NewPCG(uint64(g), 2))
			m := newFlKeyModel(fmt.Sprintf("soak:w:%d", g))
			for i := 0; !stopped(); i++ {
				ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
				started, gen0 := time.Now(), s.restartGen.Load()
				val := fmt.Sprintf("soak:w%d:%d:%x", g, i, rng.Uint32())
				sentTx := false
				err := c.Watch(ctx, func(tx *redis.Tx) error {
					v, err := tx.Conn().Do(ctx, "GET", m.key).Text()
					if errors.Is(err, redis.ErrNil) {
						v, err = "", nil
					}
					if err != nil {
						return err
					}
					m.check(s, gen0, "GET in WATCH", v)
					sentTx = true
					return tx.Pipelined(ctx, func(p *redis.Pipeline) error {
						p.Set(m.key, val)
						return nil
					})
				}, m.key)
				s.note(flLoadWatch, started, "WATCH transaction", err, false)
				if sentTx {
					m.set(s, gen0, started, val, err)
				}
				cancel()
				time.Sleep(time.Duration(rng.IntN(2000)) * time.Microsecond)
			}
		})
	}

	// Pub/sub: one publisher on the shared connections, one subscriber.
	const channel = "soak:chan"
	ps := c.NewPubSub(&redis.PubSubOptions{HealthCheck: time.Second})
	if err := ps.Subscribe(ctx, channel); err != nil {
		t.Fatal(err)
	}
	var pubs flSeqLog
	var received, gaps atomic.Int64
	load.Go(func() {
		defer s.guard("publisher")
		for !stopped() {
			seq := pubs.begin()
			ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			_, err := c.Publish(ctx, channel, "pub-"+strconv.Itoa(seq))
			cancel()
			pubs.end(seq, err)
			if err != nil {
				s.note(flLoadPubSub, time.Now(), "PUBLISH", err, false)
			}
			time.Sleep(2 * time.Millisecond)
		}
	})
	subCtx, subCancel := context.WithCancel(ctx)
	var subDone sync.WaitGroup
	subDone.Go(func() {
		defer s.guard("subscriber")
		for {
			m, err := ps.Receive(subCtx)
			if err != nil {
				if subCtx.Err() == nil {
					s.fails.add("subscriber: Receive: %v", err)
				}
				return
			}
			switch m.Kind {
			case redis.KindResubscribed:
				gaps.Add(1)
				continue
			case redis.KindMessage:
			default:
				continue
			}
			received.Add(1)
			seq, err := strconv.Atoi(strings.TrimPrefix(m.Payload, "pub-"))
			if m.Channel != channel || err != nil || !strings.HasPrefix(m.Payload, "pub-") {
				s.wrongReply("subscriber got %q on %q, which was never published", m.Payload, m.Channel)
				continue
			}
			if problem, started := pubs.receive(seq); problem != "" {
				s.wrongReply("subscriber got %q: %s", m.Payload, problem)
			} else {
				s.success(flLoadPubSub, started)
			}
		}
	})

	// Blocking pops: a pusher (RPUSH) and a popper (BLPOP) per list.
	var popped, pushedOK atomic.Int64
	pushes := make([]flSeqLog, 2)
	for pair := range pushes {
		list := fmt.Sprintf("soak:list:%d", pair)
		log := &pushes[pair]
		load.Go(func() {
			defer s.guard(fmt.Sprintf("pusher %d", pair))
			for !stopped() {
				seq := log.begin()
				ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
				started := time.Now()
				_, err := c.RPush(ctx, list, fmt.Sprintf("item-%d-%d", pair, seq))
				cancel()
				log.end(seq, err)
				s.note(flLoadBlocking, started, "RPUSH", err, false)
				if err == nil {
					pushedOK.Add(1)
				}
				time.Sleep(3 * time.Millisecond)
			}
		})
		load.Go(func() {
			defer s.guard(fmt.Sprintf("popper %d", pair))
			for !stopped() {
				ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
				started := time.Now()
				ke, err := c.BLPop(ctx, []string{list}, time.Second)
				cancel()
				s.note(flLoadBlocking, started, "BLPOP", err, false)
				if err != nil {
					if !errors.Is(err, redis.ErrNil) {
						time.Sleep(time.Millisecond)
					}
					continue
				}
				popped.Add(1)
				var p, seq int
				if _, perr := fmt.Sscanf(ke.Element, "item-%d-%d", &p, &seq); perr != nil || p != pair || ke.Key != list {
					s.wrongReply("BLPOP %s returned %q from %q, never pushed there", list, ke.Element, ke.Key)
					continue
				}
				if problem, _ := log.receive(seq); problem != "" {
					s.wrongReply("BLPOP %s returned %q: %s", list, ke.Element, problem)
				}
			}
		})
	}

	// The faults, in rotation.
	type fault struct {
		name   string
		inject func() error
	}
	faults := []fault{
		{"CLIENT KILL TYPE normal", func() error {
			return admin.Do(ctx, "CLIENT", "KILL", "TYPE", "normal").Err()
		}},
		{"proxy CutAll", func() error { proxy.CutAll(); return nil }},
		{"300ms pause", func() error {
			proxy.Pause(redistest.Both, true)
			time.Sleep(300 * time.Millisecond)
			proxy.Pause(redistest.Both, false)
			return nil
		}},
		{"server restart", func() error {
			s.restartGen.Add(1)
			defer s.restartGen.Add(1)
			return srv.Restart()
		}},
		// Bytes silently lost from a TCP stream leave client and server
		// out of step for good (the next reply answers an earlier
		// command, which no client can tell); a real network that loses
		// them ends in the connection's death instead. So the burst
		// drops everything for 300 ms, refusing new connections
		// meanwhile, and ends by cutting the connections that carried
		// it.
		{"drop burst", func() error {
			proxy.Refuse(true)
			time.Sleep(20 * time.Millisecond) // connections being accepted are tracked, so cut below
			proxy.Drop(redistest.Both, true)
			time.Sleep(300 * time.Millisecond)
			proxy.CutAll()
			proxy.Drop(redistest.Both, false)
			proxy.Refuse(false)
			return nil
		}},
		{"CLIENT PAUSE 200", func() error {
			return admin.Do(ctx, "CLIENT", "PAUSE", "200").Err()
		}},
	}
	type recovery struct {
		fault string
		took  [flLoads]time.Duration // 0: not recovered before the next fault
	}
	var recoveries []recovery
	snapshot := func() {
		i := s.phase.Load()
		if i < 0 {
			return
		}
		end := s.faultEnd.Load()
		r := recovery{fault: s.faults[i]}
		for l := range flLoads {
			if f := s.first[l].Load(); f != 0 {
				r.took[l] = max(time.Duration(f-end), time.Nanosecond)
			}
		}
		recoveries = append(recoveries, r)
	}

	loadStart := time.Now()
	time.Sleep(warmUp)
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	heap0, goroutines0 := ms.HeapInuse, runtime.NumGoroutine()
	okAtStart := s.totalOK()

	for k := 0; ; k++ {
		next := loadStart.Add(time.Duration(k+1) * faultEvery)
		if next.After(loadStart.Add(duration - time.Second)) {
			break
		}
		time.Sleep(time.Until(next))
		snapshot()
		f := faults[k%len(faults)]
		s.faultEnd.Store(math.MaxInt64)
		for l := range flLoads {
			s.first[l].Store(0)
		}
		s.mu.Lock()
		s.faults = append(s.faults, f.name)
		s.mu.Unlock()
		s.phase.Store(int64(k))
		if err := f.inject(); err != nil {
			t.Errorf("fault %q: %v", f.name, err)
		}
		s.faultEnd.Store(time.Now().UnixNano())
	}
	time.Sleep(time.Until(loadStart.Add(duration)))
	snapshot()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	heap1, goroutines1 := ms.HeapInuse, runtime.NumGoroutine()
	loadTook := time.Since(loadStart)
	close(stop)
	load.Wait()
	subCancel()
	subDone.Wait()
	totalOK := s.totalOK()
	ps.Close()
	c.Close()
	admin.Close()
	proxy.Reset()

	s.fails.report(t)
	t.Logf("soak: %v of load, %d faults, %d ok calls (%.0f/s; %.0f/s after warm-up): %s",
		loadTook.Round(time.Second), len(recoveries), totalOK, float64(totalOK)/loadTook.Seconds(),
		float64(totalOK-okAtStart)/(loadTook-warmUp).Seconds(), s.okSummary())
	t.Logf("pub/sub: %d published, %d received, %d gaps (resubscribed); blocking: %d pushed, %d popped",
		pubs.sent(), received.Load(), gaps.Load(), pushedOK.Load(), popped.Load())
	s.mu.Lock()
	names := make([]string, 0, len(s.errs))
	for name := range s.errs {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		t.Logf("errors during %q: %v", name, s.errs[name])
	}
	s.mu.Unlock()
	byFault := map[string][]recovery{}
	var order []string
	for _, r := range recoveries {
		if byFault[r.fault] == nil {
			order = append(order, r.fault)
		}
		byFault[r.fault] = append(byFault[r.fault], r)
	}
	for _, name := range order {
		var sb strings.Builder
		for _, r := range byFault[name] {
			sb.WriteString(" [")
			var worst time.Duration
			for l := range flLoads {
				if l > 0 {
					sb.WriteString(" ")
				}
				if r.took[l] == 0 {
					sb.WriteString(flLoadNames[l] + "=none")
					t.Errorf("after %q, %s load did not recover before the next fault", name, flLoadNames[l])
					continue
				}
				worst = max(worst, r.took[l])
				fmt.Fprintf(&sb, "%s=%v", flLoadNames[l], r.took[l].Round(10*time.Microsecond))
			}
			fmt.Fprintf(&sb, "; all %v]", worst.Round(10*time.Microsecond))
		}
		t.Logf("recovery after %q:%s", name, sb.String())
	}
	t.Logf("heap in use %.1f MiB -> %.1f MiB, goroutines %d -> %d (after %v warm-up, and at the end of the load)",
		float64(heap0)/(1<<20), float64(heap1)/(1<<20), goroutines0, goroutines1, warmUp)
	t.Logf("wrong replies %d, panics %d", s.wrong.Load(), s.panics.Load())
	if s.wrong.Load() != 0 || s.panics.Load() != 0 {
		t.Errorf("%d wrong replies, %d panics: want 0", s.wrong.Load(), s.panics.Load())
	}
	if goroutines1 > goroutines0+10 {
		t.Errorf("goroutines grew from %d to %d", goroutines0, goroutines1)
	}
	if heap1 > 2*heap0+8<<20 {
		t.Errorf("heap in use grew from %d to %d bytes", heap0, heap1)
	}
	checkNoLeaks(t, base)
}

func (s *flSoak) totalOK() int64 {
	var n int64
	for l := range flLoads {
		n += s.okOps[l].Load()
	}
	return n
}

func (s *flSoak) okSummary() string {
	parts := make([]string, flLoads)
	for l := range flLoads {
		parts[l] = fmt.Sprintf("%s %d", flLoadNames[l], s.okOps[l].Load())
	}
	return strings.Join(parts, ", ")
}
