package sentinel_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/redistest"
	"github.com/respkit/redis/sentinel"
)

func newClient(t *testing.T, g *redistest.SentinelGroup, proto int, mod func(*sentinel.Options)) *redis.Client {
	t.Helper()
	o := &sentinel.Options{MasterName: g.MasterName(), SentinelAddrs: g.SentinelAddrs()}
	o.Protocol = proto
	if mod != nil {
		mod(o)
	}
	c := sentinel.NewClient(o)
	t.Cleanup(func() { c.Close() })
	return c
}

func primaryAddr(t *testing.T, g *redistest.SentinelGroup) string {
	t.Helper()
	p, err := g.Primary()
	if err != nil {
		t.Fatal(err)
	}
	return p.Addr()
}

// TestDiscovery finds the primary while the first sentinel listed is down,
// under RESP2 and RESP3, and runs commands of several kinds on it.
func TestDiscovery(t *testing.T) {
	g := redistest.StartSentinelGroup(t, redistest.SentinelGroupConfig{})
	if err := g.StopSentinel(0); err != nil {
		t.Fatal(err)
	}
	for _, proto := range []int{2, 3} {
		t.Run("RESP"+strconv.Itoa(proto), func(t *testing.T) {
			ctx := context.Background()
			c := newClient(t, g, proto, nil)
			k := fmt.Sprintf("disc%d", proto)
			if err := c.Set(ctx, k, "v"); err != nil {
				t.Fatalf("SET with the first sentinel down: %v", err)
			}
			if got, ok := sentinel.Primary(c); !ok || got != primaryAddr(t, g) {
				t.Fatalf("the client uses %q, the primary is %s", got, primaryAddr(t, g))
			}
			if v, err := c.Get(ctx, k); err != nil || v != "v" {
				t.Fatalf("GET = %q, %v", v, err)
			}
			if ns := c.NodeStats(); len(ns) != 1 || ns[0].Addr != primaryAddr(t, g) || ns[0].Shared.Commands < 2 || ns[0].Shared.Conns != 1 {
				t.Fatalf("NodeStats = %+v, want the primary %s with 2 commands or more", ns, primaryAddr(t, g))
			}
			tx := c.TxPipeline()
			n := tx.Incr(k + "n")
			if err := tx.Exec(ctx); err != nil || n.Val() != 1 {
				t.Fatalf("MULTI/EXEC: %v, %d", err, n.Val())
			}
			ps, err := c.Subscribe(ctx, k+"ch")
			if err != nil {
				t.Fatal(err)
			}
			defer ps.Close()
			if _, err := c.Publish(ctx, k+"ch", "hi"); err != nil {
				t.Fatal(err)
			}
			if m, err := ps.ReceiveMessage(ctx); err != nil || m.Payload != "hi" {
				t.Fatalf("pub/sub: %+v, %v", m, err)
			}
		})
	}
}

// TestAllSentinelsDown: with no sentinel answering, a command fails with
// an error that says so, within its deadline.
func TestAllSentinelsDown(t *testing.T) {
	g := redistest.StartSentinelGroup(t, redistest.SentinelGroupConfig{Replicas: redistest.NoReplicas, Sentinels: 1})
	if err := g.StopSentinel(0); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, g, 3, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	err := c.Set(ctx, "k", "v")
	took := time.Since(start)
	if err == nil || !strings.Contains(err.Error(), "no sentinel named a primary") && !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("SET with every sentinel down: %v", err)
	}
	if took > 2500*time.Millisecond {
		t.Fatalf("SET took %v with a 2 s deadline", took)
	}
	t.Logf("with every sentinel down: %v after %v", err, took.Round(time.Millisecond))
}

// writer writes keys with SET followed by WAIT 1 on the same connection
// (a pipeline with a blocking command runs on one exclusive connection),
// so a write counts as acknowledged only once a replica has it; with
// strict, every SET answered OK counts.
type writer struct {
	c      *redis.Client
	prefix string
	strict bool

	mu      sync.Mutex
	acked   []string         // keys acknowledged by WAIT 1
	waits   map[string]int64 // what WAIT answered after each acknowledged key's SET
	okAt    []time.Time      // when each write succeeded
	failed  []error
	failAt  []time.Time
	stop    chan struct{}
	stopped chan struct{}
}

func startWriter(c *redis.Client, prefix string, strict bool) *writer {
	w := &writer{c: c, prefix: prefix, strict: strict, stop: make(chan struct{}), stopped: make(chan struct{})}
	go w.run()
	return w
}

func (w *writer) run() {
	defer close(w.stopped)
	for i := 0; ; i++ {
		select {
		case <-w.stop:
			return
		default:
		}
		k := w.prefix + strconv.Itoa(i)
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		p := w.c.Pipeline()
		set := p.Set(k, "v")
		wait := p.Wait(1, 500*time.Millisecond)
		p.Exec(ctx)
		cancel()
		now := time.Now()
		err := set.Err()
		n, werr := wait.Result()
		w.mu.Lock()
		if err != nil {
			w.failed, w.failAt = append(w.failed, err), append(w.failAt, now)
		} else {
			w.okAt = append(w.okAt, now)
			if w.strict || werr == nil && n >= 1 {
				w.acked = append(w.acked, k)
				if w.waits == nil {
					w.waits = map[string]int64{}
				}
				w.waits[k] = n
			}
		}
		w.mu.Unlock()
		time.Sleep(2 * time.Millisecond)
	}
}

func (w *writer) end() {
	close(w.stop)
	<-w.stopped
}

// resumedAfter returns when writes resumed after t: the first success
// after the last failure that followed t (the first success after t when
// none failed); zero if none succeeded.
func (w *writer) resumedAfter(t time.Time) time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	from := t
	for _, at := range w.failAt {
		if at.After(from) {
			from = at
		}
	}
	for _, at := range w.okAt {
		if at.After(from) {
			return at
		}
	}
	return time.Time{}
}

// checkAcked reads every acknowledged key back through c.
func checkAcked(t *testing.T, c *redis.Client, ws ...*writer) {
	t.Helper()
	ctx := context.Background()
	lost, total := 0, 0
	for _, w := range ws {
		w.mu.Lock()
		keys := append([]string(nil), w.acked...)
		w.mu.Unlock()
		for _, k := range keys {
			total++
			if _, err := c.Get(ctx, k); err != nil {
				lost++
				if lost <= 5 {
					w.mu.Lock()
					n := w.waits[k]
					w.mu.Unlock()
					t.Errorf("acknowledged write %s (WAIT 1 answered %d) lost: %v", k, n, err)
				}
			}
		}
	}
	t.Logf("%d acknowledged writes, %d lost", total, lost)
	if total == 0 {
		t.Error("no write was acknowledged: the test measured nothing")
	}
}

// rejectedSets returns how many SETs node n refused (READONLY): writes
// sent to it while it was a replica.
func rejectedSets(t *testing.T, g *redistest.SentinelGroup, n *redistest.Server) int {
	v, err := g.Do(n, "INFO", "commandstats")
	if err != nil {
		t.Fatal(err)
	}
	s, _ := v.(string)
	for _, line := range strings.Split(s, "\n") {
		if strings.HasPrefix(line, "cmdstat_set:") {
			for _, f := range strings.Split(strings.TrimSpace(line[len("cmdstat_set:"):]), ",") {
				if v, ok := strings.CutPrefix(f, "rejected_calls="); ok {
					n, _ := strconv.Atoi(v)
					return n
				}
			}
		}
	}
	return 0
}

// TestKillPrimaryUnderWrites kills the primary under a steady write load
// (RESP2 and RESP3 writers) and measures how soon writes resume on the
// promoted replica, from the kill and from +switch-master; every write a
// replica acknowledged before the kill must be readable afterwards, and
// the old primary, back as a replica, must receive no write.
func TestKillPrimaryUnderWrites(t *testing.T) {
	g := redistest.StartSentinelGroup(t, redistest.SentinelGroupConfig{})
	c2, c3 := newClient(t, g, 2, nil), newClient(t, g, 3, nil)
	switches, err := g.SubscribeSwitchMaster(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	w2, w3 := startWriter(c2, "kill2:", false), startWriter(c3, "kill3:", false)
	time.Sleep(300 * time.Millisecond)
	killedAt := time.Now()
	old, err := g.KillPrimary()
	if err != nil {
		t.Fatal(err)
	}
	var sw redistest.SwitchMaster
	select {
	case sw = <-switches:
	case <-time.After(20 * time.Second):
		t.Fatal("no +switch-master within 20 s")
	}
	if _, err := g.WaitFailover(old); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	// The old primary comes back as a replica; the writers go on.
	if err := g.Restart(old); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	w2.end()
	w3.end()
	for _, w := range []*writer{w2, w3} {
		first := w.resumedAfter(killedAt)
		if first.IsZero() {
			t.Fatalf("%s: no write succeeded after the kill", w.prefix)
		}
		t.Logf("%s (down-after-milliseconds 1000): writes resumed %v after the kill, %v after +switch-master; %d writes failed during the failover",
			w.prefix, first.Sub(killedAt).Round(time.Millisecond), first.Sub(sw.Time).Round(time.Millisecond), len(w.failed))
		if d := first.Sub(sw.Time); d > 100*time.Millisecond {
			t.Errorf("%s: writes resumed %v after +switch-master, want within 100ms", w.prefix, d)
		}
	}
	checkAcked(t, c3, w2, w3)
	if n := rejectedSets(t, g, old); n != 0 {
		t.Errorf("%d writes went to the old primary after it came back as a replica", n)
	}
	for _, c := range []*redis.Client{c2, c3} {
		if got, _ := sentinel.Primary(c); got != primaryAddr(t, g) {
			t.Errorf("a client uses %s, the primary is %s", got, primaryAddr(t, g))
		}
	}
}

// TestStalePrimary pauses the primary (SIGSTOP) until the sentinels
// promote a replica, then resumes it: the client must have moved, and no
// acknowledged write may be lost when the old primary is demoted.
func TestStalePrimary(t *testing.T) {
	g := redistest.StartSentinelGroup(t, redistest.SentinelGroupConfig{})
	c2, c3 := newClient(t, g, 2, nil), newClient(t, g, 3, nil)
	// Every SET answered OK must survive: the old primary, resumed after
	// the failover, must not acknowledge writes that its demotion will
	// discard.
	w2, w3 := startWriter(c2, "stale2:", true), startWriter(c3, "stale3:", true)
	time.Sleep(300 * time.Millisecond)
	old, err := g.PausePrimary()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.WaitFailover(old); err != nil {
		g.Resume(old)
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if err := g.Resume(old); err != nil {
		t.Fatal(err)
	}
	if err := g.WaitStable(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	w2.end()
	w3.end()
	checkAcked(t, c3, w2, w3)
	t.Logf("writes: %d and %d succeeded, %d and %d failed during the failover (RESP2, RESP3)", len(w2.okAt), len(w3.okAt), len(w2.failed), len(w3.failed))
	if t.Failed() {
		for _, n := range g.Nodes() {
			v, _ := g.Do(n, "EXISTS", "stale2:0", "stale2:1", "stale3:0", "stale3:1")
			r, _ := g.Do(n, "ROLE")
			info, _ := g.Do(n, "INFO", "replication")
			is, _ := info.(string)
			t.Logf("node %s (old primary %v): EXISTS key0s/key1s = %v; ROLE %v\n%s", n.Addr(), n == old, v, r, is)
		}
	}
}

// TestManualFailoverReads runs reads through a SENTINEL FAILOVER: none may
// fail.
func TestManualFailoverReads(t *testing.T) {
	g := redistest.StartSentinelGroup(t, redistest.SentinelGroupConfig{})
	ctx := context.Background()
	var clients []*redis.Client
	for _, proto := range []int{2, 3} {
		c := newClient(t, g, proto, nil)
		if err := c.Set(ctx, fmt.Sprintf("mf%d", proto), "v"); err != nil {
			t.Fatal(err)
		}
		clients = append(clients, c)
	}
	// The keys must be on both replicas before the failover (the one
	// promoted may be either): g.Failover first waits until the group is
	// stable, which includes WAIT for every replica on the primary.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []error
	reads := 0
	for i, c := range clients {
		wg.Go(func() {
			k := fmt.Sprintf("mf%d", i+2)
			for {
				select {
				case <-stop:
					return
				default:
				}
				rctx, cancel := context.WithTimeout(ctx, 3*time.Second)
				v, err := c.Get(rctx, k)
				cancel()
				mu.Lock()
				reads++
				if err != nil || v != "v" {
					failures = append(failures, fmt.Errorf("GET %s = %q, %v", k, v, err))
				}
				mu.Unlock()
			}
		})
	}
	time.Sleep(200 * time.Millisecond)
	if _, err := g.Failover(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	close(stop)
	wg.Wait()
	t.Logf("%d reads through SENTINEL FAILOVER, %d failed", reads, len(failures))
	for i, f := range failures {
		if i < 5 {
			t.Error(f)
		}
	}
}

// TestReplicaReads spreads reads over the replicas and keeps them working
// while a replica is killed; with sentinel credentials apart from the data
// nodes' ones.
func TestReplicaReads(t *testing.T) {
	g := redistest.StartSentinelGroup(t, redistest.SentinelGroupConfig{
		Config:           redistest.Config{Password: "data-pw"},
		SentinelPassword: "sentinel-pw",
	})
	ctx := context.Background()
	for _, rf := range []sentinel.ReadFrom{sentinel.ReadReplicaRoundRobin, sentinel.ReadReplicaRandom} {
		t.Run(rf.String(), func(t *testing.T) {
			var clients []*redis.Client
			for _, proto := range []int{2, 3} {
				clients = append(clients, newClient(t, g, proto, func(o *sentinel.Options) {
					o.ReadFrom = rf
					o.Password = "data-pw"
					o.SentinelPassword = "sentinel-pw"
				}))
			}
			if err := clients[0].Set(ctx, "rr", "v"); err != nil {
				t.Fatal(err)
			}
			if n, err := clients[0].Do(ctx, "WAIT", 2, 1000).Int64(); err != nil || n < 1 {
				t.Logf("WAIT: %d, %v", n, err)
			}
			replicas, err := g.Replicas()
			if err != nil || len(replicas) != 2 {
				t.Fatalf("replicas: %v, %v", replicas, err)
			}
			before := gets(t, g, replicas...)
			for _, c := range clients {
				for range 20 {
					if v, err := c.Get(ctx, "rr"); err != nil || v != "v" {
						t.Fatalf("GET from a replica = %q, %v", v, err)
					}
				}
			}
			if got := gets(t, g, replicas...) - before; got < 30 {
				t.Fatalf("replicas served %d of 40 reads", got)
			}
		})
	}
	// Kill a replica while reads run: none fails.
	c := newClient(t, g, 3, func(o *sentinel.Options) {
		o.ReadFrom = sentinel.ReadReplicaRoundRobin
		o.Password = "data-pw"
		o.SentinelPassword = "sentinel-pw"
	})
	replicas, _ := g.Replicas()
	stop := make(chan struct{})
	done := make(chan struct{})
	var reads, failed int
	var firstErr error
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
			}
			rctx, cancel := context.WithTimeout(ctx, 3*time.Second)
			v, err := c.Get(rctx, "rr")
			cancel()
			reads++
			if err != nil || v != "v" {
				failed++
				if firstErr == nil {
					firstErr = fmt.Errorf("GET = %q, %v", v, err)
				}
			}
		}
	}()
	time.Sleep(200 * time.Millisecond)
	if err := replicas[0].Kill(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2500 * time.Millisecond) // past down-after-milliseconds: the sentinels flag it
	close(stop)
	<-done
	t.Logf("%d reads while a replica was killed, %d failed", reads, failed)
	if failed > 0 {
		t.Errorf("%d reads failed, first: %v", failed, firstErr)
	}
}

// gets returns the GET calls the nodes have served.
func gets(t *testing.T, g *redistest.SentinelGroup, nodes ...*redistest.Server) int {
	total := 0
	for _, n := range nodes {
		v, err := g.Do(n, "INFO", "commandstats")
		if err != nil {
			t.Fatal(err)
		}
		s, _ := v.(string)
		for _, line := range strings.Split(s, "\n") {
			var calls int
			if _, err := fmt.Sscanf(line, "cmdstat_get:calls=%d", &calls); err == nil {
				total += calls
			}
		}
	}
	return total
}

// TestTLS reaches sentinels and data nodes that accept TLS only, with a
// password on each side, and follows a failover there.
func TestTLS(t *testing.T) {
	g := redistest.StartSentinelGroup(t, redistest.SentinelGroupConfig{
		Config:           redistest.Config{TLS: true, Password: "data-pw"},
		SentinelPassword: "sentinel-pw",
	})
	ctx := context.Background()
	tlsCfg := g.Nodes()[0].TLSConfig()
	for _, proto := range []int{2, 3} {
		c := newClient(t, g, proto, func(o *sentinel.Options) {
			o.TLSConfig = tlsCfg
			o.Password = "data-pw"
			o.SentinelTLSConfig = g.Sentinels()[0].TLSConfig()
			o.SentinelPassword = "sentinel-pw"
			o.ReadFrom = sentinel.ReadReplicaRandom
		})
		k := fmt.Sprintf("tls%d", proto)
		if err := c.Set(ctx, k, "v"); err != nil {
			t.Fatalf("SET over TLS: %v", err)
		}
		if n, err := c.Do(ctx, "WAIT", 2, 1000).Int64(); err != nil {
			t.Fatalf("WAIT: %d, %v", n, err)
		}
		if v, err := c.Get(ctx, k); err != nil || v != "v" {
			t.Fatalf("GET from a replica over TLS = %q, %v", v, err)
		}
	}
	c := newClient(t, g, 3, func(o *sentinel.Options) {
		o.TLSConfig = tlsCfg
		o.Password = "data-pw"
		o.SentinelTLSConfig = g.Sentinels()[0].TLSConfig()
		o.SentinelPassword = "sentinel-pw"
	})
	if err := c.Set(ctx, "before", "1"); err != nil {
		t.Fatal(err)
	}
	newPrimary, err := g.Failover()
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		if got, _ := sentinel.Primary(c); got == newPrimary.Addr() {
			break
		}
		if time.Now().After(deadline) {
			got, _ := sentinel.Primary(c)
			t.Fatalf("the client uses %s, the new primary is %s", got, newPrimary.Addr())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := c.Set(ctx, "after", "1"); err != nil {
		t.Fatalf("SET after the failover over TLS: %v", err)
	}
}

// TestLearnsSentinels gives the client one sentinel's address: it learns
// the others from it, and still follows a failover once that one is down.
func TestLearnsSentinels(t *testing.T) {
	g := redistest.StartSentinelGroup(t, redistest.SentinelGroupConfig{})
	ctx := context.Background()
	c := sentinel.NewClient(&sentinel.Options{MasterName: g.MasterName(), SentinelAddrs: g.SentinelAddrs()[:1]})
	t.Cleanup(func() { c.Close() })
	if err := c.Set(ctx, "learn", "1"); err != nil {
		t.Fatal(err)
	}
	if err := g.StopSentinel(0); err != nil {
		t.Fatal(err)
	}
	old, err := g.KillPrimary()
	if err != nil {
		t.Fatal(err)
	}
	newPrimary, err := g.WaitFailover(old)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		wctx, cancel := context.WithTimeout(ctx, time.Second)
		err := c.Set(wctx, "learn", "2")
		cancel()
		if got, _ := sentinel.Primary(c); err == nil && got == newPrimary.Addr() {
			break
		}
		if time.Now().After(deadline) {
			got, _ := sentinel.Primary(c)
			t.Fatalf("with the only sentinel given down: the client uses %s (last error %v), the new primary is %s", got, err, newPrimary.Addr())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
