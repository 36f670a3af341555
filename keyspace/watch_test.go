package keyspace_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/keyspace"
	"github.com/respkit/redis/redistest"
)

// protocols runs fn as a subtest under RESP2 and RESP3.
func protocols(t *testing.T, fn func(t *testing.T, proto int)) {
	for _, proto := range []int{2, 3} {
		t.Run("RESP"+strconv.Itoa(proto), func(t *testing.T) { fn(t, proto) })
	}
}

func newClient(t *testing.T, srv *redistest.Server, proto int, db int) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: srv.Addr(), Protocol: proto, DB: db})
	t.Cleanup(func() { c.Close() })
	return c
}

func watch(t *testing.T, ctx context.Context, c *redis.Client, o *keyspace.Options) *keyspace.Watcher {
	t.Helper()
	w, err := keyspace.Watch(ctx, c, o)
	if err != nil {
		t.Fatalf("Watch: %v", err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// expect reads events until it has seen want in order (other events in
// between are skipped, gap markers are not allowed), and returns them all.
func expect(t *testing.T, w *keyspace.Watcher, want ...string) []keyspace.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var got []keyspace.Event
	for i := 0; i < len(want); {
		ev, err := w.Receive(ctx)
		if err != nil {
			t.Fatalf("waiting for %q after %v: %v", want[i], got, err)
		}
		got = append(got, ev)
		if ev.Gap {
			t.Fatalf("unexpected gap marker after %v", got)
		}
		if ev.Event+" "+ev.Key == want[i] {
			i++
		}
	}
	return got
}

// TestEvents checks that set, del, expire and expired events arrive, in
// order, on keyspace and keyevent channels, in a database other than 0.
// pastGap is what readPastGap saw on one watcher.
type pastGap struct {
	gap, event time.Time // when the first gap marker came, and the first event after it
	key        string    // that event's key
	before     int       // events before the gap marker
	err        error
}

// readPastGap reads each watcher until the first event after a gap marker
// whose key starts with prefix, and sends what it saw. strict refuses
// events before the marker and a second marker (a restart makes exactly
// one); otherwise they are counted or skipped (a failover may give the old
// primary up more than once).
func readPastGap(ctx context.Context, ws []*keyspace.Watcher, prefix string, strict bool) <-chan pastGap {
	results := make(chan pastGap, len(ws))
	for _, w := range ws {
		go func() {
			var s pastGap
			for {
				ev, err := w.Receive(ctx)
				switch {
				case err != nil:
					s.err = err
				case ev.Gap && s.gap.IsZero():
					s.gap = time.Now()
					continue
				case ev.Gap && !strict:
					continue
				case ev.Gap:
					s.err = fmt.Errorf("a second gap marker")
				case s.gap.IsZero() && !strict:
					s.before++
					continue
				case s.gap.IsZero():
					s.err = fmt.Errorf("event %v before the gap marker", ev)
				case !strings.HasPrefix(ev.Key, prefix):
					s.err = fmt.Errorf("event %v", ev)
				default:
					s.event, s.key = time.Now(), ev.Key
				}
				results <- s
				return
			}
		}()
	}
	return results
}

func TestEvents(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{})
	protocols(t, func(t *testing.T, proto int) {
		ctx := context.Background()
		c := newClient(t, srv, proto, 3)
		p := fmt.Sprintf("ev%d:", proto)
		w := watch(t, ctx, c, &keyspace.Options{Keys: p + "*", Notify: "g$x"})
		other := watch(t, ctx, c, &keyspace.Options{
			Channels: keyspace.Keyevent,
			Events:   []string{"del", "expired"},
			Notify:   "gx",
		})
		both := watch(t, ctx, c, &keyspace.Options{Channels: keyspace.Keyspace | keyspace.Keyevent, Events: []string{"del"}})

		start := time.Now()
		if err := c.Set(ctx, p+"a", "1"); err != nil {
			t.Fatal(err)
		}
		c.Set(ctx, "elsewhere", "1") // outside Keys
		if _, err := c.Del(ctx, p+"a"); err != nil {
			t.Fatal(err)
		}
		if err := c.Do(ctx, "SET", p+"b", "1", "PX", "20").Err(); err != nil {
			t.Fatal(err)
		}
		got := expect(t, w, "set "+p+"a", "del "+p+"a", "set "+p+"b", "expire "+p+"b", "expired "+p+"b")
		t.Logf("%d events, the expiry %v after the first SET", len(got), time.Since(start).Round(time.Millisecond))
		for _, ev := range got {
			if !strings.HasPrefix(ev.Key, p) {
				t.Errorf("event of a key outside Keys: %v", ev)
			}
			if ev.DB != 3 || ev.Node != "" {
				t.Errorf("event %+v: want DB 3 and no Node", ev)
			}
		}
		got = expect(t, other, "del "+p+"a", "expired "+p+"b")
		for _, ev := range got {
			if ev.Event != "del" && ev.Event != "expired" {
				t.Errorf("keyevent watcher: event %v outside Events", ev)
			}
		}
		// Both families: each del twice.
		expect(t, both, "del "+p+"a", "del "+p+"a")
		if st := w.Stats(); st.Delivered < 5 || st.Dropped != 0 || st.Gaps != 0 || st.Nodes != 1 {
			t.Errorf("stats %+v", st)
		}
	})
}

// TestNotify checks that the configuration is left alone by default and
// that Notify adds flags to the server's.
func TestNotify(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{Args: []string{"--notify-keyspace-events", "Ex"}})
	ctx := context.Background()
	c := newClient(t, srv, 3, 0)
	flags := func() string {
		t.Helper()
		m, err := c.ConfigGet(ctx, "notify-keyspace-events")
		if err != nil {
			t.Fatal(err)
		}
		return m["notify-keyspace-events"]
	}
	before := flags()
	w := watch(t, ctx, c, nil)
	if got := flags(); got != before {
		t.Fatalf("notify-keyspace-events %q → %q without Notify", before, got)
	}
	// The server publishes no keyspace channel events yet: the first
	// event is of the key set after the flags are enabled.
	c.Set(ctx, "quiet", "1")
	if err := c.ConfigSet(ctx, "notify-keyspace-events", "KEA"); err != nil {
		t.Fatal(err)
	}
	c.Set(ctx, "loud", "1")
	if got := expect(t, w, "set loud"); len(got) != 1 {
		t.Fatalf("events before the flags were set: %v", got[:len(got)-1])
	}

	if err := c.ConfigSet(ctx, "notify-keyspace-events", "Ex"); err != nil {
		t.Fatal(err)
	}
	watch(t, ctx, c, &keyspace.Options{Notify: "g"})
	got := flags()
	for _, f := range "KEgx" {
		if !strings.ContainsRune(got, f) {
			t.Errorf("notify-keyspace-events %q after Notify g over Ex: no %c", got, f)
		}
	}
}

// TestRestart restarts the server under two watchers (RESP2, RESP3): each
// marks the gap once it is subscribed again with the flags set again (the
// restarted server has forgotten CONFIG SET), and events keep arriving.
func TestRestart(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	var ws []*keyspace.Watcher
	c := newClient(t, srv, 3, 0)
	for _, proto := range []int{2, 3} {
		wc := newClient(t, srv, proto, 0)
		ws = append(ws, watch(t, ctx, wc, &keyspace.Options{Keys: "r:*", Notify: "g$"}))
	}
	c.Set(ctx, "r:before", "1")
	for _, w := range ws {
		expect(t, w, "set r:before")
	}

	results := readPastGap(ctx, ws, "r:after", true)
	began := time.Now()
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	up := time.Now()
	// Until the subscriptions are back, writes are lost: write a key every
	// 5 ms until both readers have seen one after the gap marker.
	done := make(chan struct{})
	go func() {
		for i := 0; ; i++ {
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
			}
			c.Set(ctx, "r:after"+strconv.Itoa(i), "1") // fails while the server is down
		}
	}()
	defer close(done)
	for i := range ws {
		s := <-results
		if s.err != nil {
			t.Fatalf("after the restart: %v", s.err)
		}
		t.Logf("watcher %d: gap marker %v after Restart began (%v after the server was up again), first event %v after it (%s)",
			i, s.gap.Sub(began).Round(time.Millisecond), s.gap.Sub(up).Round(time.Millisecond),
			s.event.Sub(s.gap).Round(time.Millisecond), s.key)
	}
	for i, w := range ws {
		if st := w.Stats(); st.Gaps != 1 || st.Nodes != 1 {
			t.Errorf("watcher %d: stats %+v, want 1 gap", i, st)
		}
	}
}

// TestDropped lets a watcher with a buffer of 4 fall behind: the events
// that did not fit are counted, and a gap marker follows the ones that
// did, at every place where events were dropped.
func TestDropped(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{})
	ctx := context.Background()
	c := newClient(t, srv, 3, 0)
	w := watch(t, ctx, c, &keyspace.Options{Notify: "$", BufferSize: 4})
	const n = 50
	p := c.Pipeline()
	for i := range n {
		p.Set("d"+strconv.Itoa(i), "1")
	}
	if err := p.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	c.Set(ctx, "last", "1")
	// Let every event be either queued or dropped before reading.
	for w.Stats().Dropped == 0 {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	var (
		got  []keyspace.Event
		gaps []int // positions in got of the gap markers
	)
	for {
		// What was kept is queued: the reader stops when nothing comes.
		rctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		ev, err := w.Receive(rctx)
		cancel()
		if errors.Is(err, context.DeadlineExceeded) {
			break
		}
		if err != nil {
			t.Fatalf("after %v: %v", got, err)
		}
		if ev.Gap {
			if len(gaps) > 0 && gaps[len(gaps)-1] == len(got) {
				t.Fatalf("two gap markers in a row after %v", got)
			}
			gaps = append(gaps, len(got))
			continue
		}
		got = append(got, ev)
	}
	st := w.Stats()
	t.Logf("%d events read, gap markers after %v, stats %+v", len(got), gaps, st)
	if len(gaps) == 0 || gaps[0] > 5 {
		t.Fatalf("gap markers at %v, want one after at most 5 events (4 buffered, 1 handed over)", gaps)
	}
	if uint64(len(got))+st.Dropped != n+1 {
		t.Errorf("%d read + %d dropped, want %d", len(got), st.Dropped, n+1)
	}
	if st.Gaps != uint64(len(gaps)) || st.Delivered != uint64(len(got)) {
		t.Errorf("stats %+v: want %d gaps, %d delivered", st, len(gaps), len(got))
	}
	// Events read in order, with every hole behind a gap marker.
	next, g := 0, 0
	for i, ev := range got {
		if ev.Key == "last" {
			continue
		}
		k, _ := strconv.Atoi(strings.TrimPrefix(ev.Key, "d"))
		for g < len(gaps) && gaps[g] <= i {
			g++
		}
		if k != next && (g == 0 || gaps[g-1] != i) {
			t.Fatalf("event %d is %s, want d%d (no gap marker before it): %v", i, ev.Key, next, got)
		}
		next = k + 1
	}
}

// TestErrors checks the refusals of Watch and the end of a watcher whose
// client is closed.
func TestErrors(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{
		Args:  []string{"--rename-command", "CONFIG", ""},
		Users: []redistest.User{{Name: "nochannels", Password: "pw", Rules: []string{"~*", "+@all", "resetchannels"}}},
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := newClient(t, srv, 3, 0)
	if _, err := keyspace.Watch(ctx, nil, nil); err == nil {
		t.Error("Watch with a nil client: no error")
	}
	for _, o := range []keyspace.Options{
		{Channels: keyspace.Keyevent, Keys: "a*"},
		{AllDBs: true, DBs: []int{1}},
		{DBs: []int{-1}},
		{Events: []string{""}},
		{Channels: 4},
		{BufferSize: -1},
		{Notify: "K E"},
	} {
		if w, err := keyspace.Watch(ctx, c, &o); err == nil {
			w.Close()
			t.Errorf("Watch(%+v): no error", o)
		} else {
			t.Logf("Watch(%+v): %v", o, err)
		}
	}
	// CONFIG is renamed away: Notify cannot be applied.
	_, err := keyspace.Watch(ctx, c, &keyspace.Options{Notify: "g"})
	var ce *keyspace.ConfigError
	var re *redis.Error
	if !errors.As(err, &ce) || !errors.As(err, &re) {
		t.Fatalf("Watch with Notify and no CONFIG: %v, want a *ConfigError wrapping the server's error", err)
	}
	t.Logf("no CONFIG: %v", err)
	// A user without access to the channels.
	nc := redis.NewClient(&redis.Options{Addr: srv.Addr(), Username: "nochannels", Password: "pw"})
	defer nc.Close()
	if _, err := keyspace.Watch(ctx, nc, nil); !errors.As(err, &re) || re.Code() != "NOPERM" {
		t.Fatalf("Watch without channel permissions: %v, want NOPERM", err)
	} else {
		t.Logf("no channels: %v", err)
	}

	// The client is closed under a running watcher.
	cc := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	w, err := keyspace.Watch(ctx, cc, nil)
	if err != nil {
		t.Fatal(err)
	}
	cc.Close()
	if _, err := w.Receive(ctx); !errors.Is(err, redis.ErrClosed) {
		t.Fatalf("Receive after the client's Close: %v, want redis.ErrClosed", err)
	}
	if _, ok := <-w.Events(); ok {
		t.Fatal("Events is open after the end")
	}
	w.Close()
	if !errors.Is(w.Err(), redis.ErrClosed) {
		t.Fatalf("Err after the client's Close then Close: %v, want the first reason", w.Err())
	}
	if _, err := keyspace.Watch(ctx, cc, nil); !errors.Is(err, redis.ErrClosed) {
		t.Fatalf("Watch on a closed client: %v, want redis.ErrClosed", err)
	}

	// Close, twice.
	w = watch(t, ctx, c, nil)
	w.Close()
	w.Close()
	if _, err := w.Receive(ctx); !errors.Is(err, keyspace.ErrClosed) {
		t.Fatalf("Receive after Close: %v, want keyspace.ErrClosed", err)
	}
}

// goroutines waits until the number of goroutines is at most n, and
// fails the test with their stacks if it does not get there.
func goroutines(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > n {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			t.Fatalf("%d goroutines, want at most %d:\n%s", runtime.NumGoroutine(), n, buf)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestNoLeak checks that Close leaves no goroutine behind, after events,
// a reconnect and a drop.
func TestNoLeak(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{})
	ctx := context.Background()
	c := newClient(t, srv, 3, 0)
	// A first watcher warms the client up (its connections and their
	// goroutines stay with the client).
	w := watch(t, ctx, c, &keyspace.Options{Notify: "$"})
	w.Close()
	base := runtime.NumGoroutine()
	for range 3 {
		w := watch(t, ctx, c, &keyspace.Options{Notify: "$", BufferSize: 1})
		w.Events()
		for i := range 10 {
			c.Set(ctx, "leak"+strconv.Itoa(i), "1")
		}
		if err := c.Do(ctx, "CLIENT", "KILL", "TYPE", "pubsub").Err(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
		w.Close()
	}
	goroutines(t, base)
}
