package redistest_test

import (
	"context"
	"errors"
	"net"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/respkit/redis/redistest"
)

// startGroup starts a sentinel group and logs how long it took to be
// stable.
func startGroup(t *testing.T, cfg redistest.SentinelGroupConfig) *redistest.SentinelGroup {
	t.Helper()
	start := time.Now()
	g := redistest.StartSentinelGroup(t, cfg)
	t.Logf("sentinel group of %d data nodes and %d sentinels ready after %v",
		len(g.Nodes()), len(g.Sentinels()), time.Since(start).Round(time.Millisecond))
	return g
}

// groupDo is SentinelGroup.Do that fails the test on any error.
func groupDo(t testing.TB, g *redistest.SentinelGroup, n *redistest.Server, args ...string) any {
	t.Helper()
	v, err := g.Do(n, args...)
	if err != nil {
		t.Fatalf("%v on %s: %v", args, n.Addr(), err)
	}
	return v
}

// role returns ROLE of n as "master" or "slave of ADDR".
func role(t testing.TB, g *redistest.SentinelGroup, n *redistest.Server) string {
	t.Helper()
	a, ok := groupDo(t, g, n, "ROLE").([]any)
	if !ok || len(a) < 3 {
		t.Fatalf("ROLE on %s: unexpected reply %#v", n.Addr(), a)
	}
	if a[0] == "slave" {
		host, _ := a[1].(string)
		port, _ := a[2].(int64)
		return "slave of " + net.JoinHostPort(host, strconv.FormatInt(port, 10))
	}
	return a[0].(string)
}

func servers(ss []*redistest.Server) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.Addr()
	}
	return out
}

func expectPrimary(t testing.TB, g *redistest.SentinelGroup, want *redistest.Server) {
	t.Helper()
	got, err := g.Primary()
	check(t, err)
	if got != want {
		t.Fatalf("Primary() = %s, want %s", got.Addr(), want.Addr())
	}
}

// waitEvent returns the next +switch-master event, failing the test after
// 10 s.
func waitEvent(t testing.TB, ch <-chan redistest.SwitchMaster) redistest.SwitchMaster {
	t.Helper()
	select {
	case ev, ok := <-ch:
		if !ok {
			t.Fatal("switch-master channel closed")
		}
		return ev
	case <-time.After(10 * time.Second):
		t.Fatal("no +switch-master event within 10s")
	}
	return redistest.SwitchMaster{}
}

// watchPrimaries polls ROLE on every data node until the returned
// function is called, which returns how long two nodes reported role
// master at once (from the first poll that saw two to the last).
func watchPrimaries(g *redistest.SentinelGroup) (stop func() time.Duration) {
	done := make(chan struct{})
	result := make(chan time.Duration)
	go func() {
		var first, last time.Time
		for {
			select {
			case <-done:
				if first.IsZero() {
					result <- 0
				} else {
					result <- last.Sub(first)
				}
				return
			case <-time.After(5 * time.Millisecond):
			}
			masters := 0
			for _, n := range g.Nodes() {
				// Errors are expected: a sentinel that reconfigures a
				// node also kills its client connections.
				if r, err := g.Do(n, "ROLE"); err == nil && r.([]any)[0] == "master" {
					masters++
				}
			}
			if masters > 1 {
				if first.IsZero() {
					first = time.Now()
				}
				last = time.Now()
			}
		}
	}()
	return func() time.Duration {
		close(done)
		return <-result
	}
}

func TestSentinelGroupConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		cfg  redistest.SentinelGroupConfig
		want string
	}{
		{redistest.SentinelGroupConfig{Quorum: 4}, "Quorum must be in [1, 3]"},
		{redistest.SentinelGroupConfig{Sentinels: 1, Quorum: 2}, "Quorum must be in [1, 1]"},
		{redistest.SentinelGroupConfig{Sentinels: -1}, "Sentinels must not be negative"},
		{redistest.SentinelGroupConfig{MasterName: "my master"}, "contains blanks"},
		{redistest.SentinelGroupConfig{DownAfter: time.Microsecond}, "at least 1ms"},
		{redistest.SentinelGroupConfig{SentinelBinary: "/nonexistent/redis-sentinel"}, "redis-sentinel not found"},
	} {
		g, err := redistest.StartSentinelGroupServer(tc.cfg)
		if err == nil {
			g.Close()
			t.Errorf("%+v: no error", tc.cfg)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %q does not contain %q", tc.cfg, err, tc.want)
		}
	}
}

// TestSentinelGroup runs the faults that leave every server running on one
// group: SENTINEL FAILOVER, then a sentinel stopped and started again.
func TestSentinelGroup(t *testing.T) {
	t.Parallel()
	g := startGroup(t, redistest.SentinelGroupConfig{})
	nodes, sentinels := g.Nodes(), g.Sentinels()
	if len(nodes) != 3 || len(sentinels) != 3 {
		t.Fatalf("%d data nodes and %d sentinels, want 3 and 3", len(nodes), len(sentinels))
	}
	expect(t, g.MasterName(), "mymaster")
	if got := g.SentinelAddrs(); !slices.Equal(got, servers(sentinels)) {
		t.Fatalf("SentinelAddrs() = %v, want %v", got, servers(sentinels))
	}
	expectPrimary(t, g, nodes[0])
	rs, err := g.Replicas()
	check(t, err)
	if !slices.Equal(rs, nodes[1:]) {
		t.Fatalf("Replicas() = %v, want %v", servers(rs), servers(nodes[1:]))
	}
	if g.NodeByAddr(nodes[2].Addr()) != nodes[2] || g.NodeByAddr(sentinels[0].Addr()) != nil {
		t.Fatal("NodeByAddr does not map data node addresses only")
	}
	for _, s := range sentinels {
		expect(t, dialTCP(t, s.Addr()).must("PING"), "+PONG")
		expect(t, groupDo(t, g, s, "SENTINEL", "CKQUORUM", "mymaster").(string), "OK 3 usable Sentinels. Quorum and failover authorization can be reached")
		addr := groupDo(t, g, s, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster").([]any)
		expect(t, addr[0].(string)+":"+addr[1].(string), nodes[0].Addr())
	}
	expect(t, groupDo(t, g, nodes[0], "SET", "k", "v").(string), "OK")
	if n := groupDo(t, g, nodes[0], "WAIT", "2", "2000").(int64); n != 2 {
		t.Fatalf("WAIT 2 = %d", n)
	}
	expect(t, groupDo(t, g, nodes[1], "GET", "k").(string), "v")
	if _, err := g.Do(sentinels[0]); err == nil {
		t.Error("Do without a command succeeded")
	}
	if _, err := g.Do(redistest.Start(t, redistest.Config{}), "PING"); err == nil {
		t.Error("Do on a server of no group succeeded")
	}

	t.Run("Failover", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		events, err := g.SubscribeSwitchMaster(ctx, 2)
		check(t, err)
		old, err := g.Primary()
		check(t, err)
		stopWatch := watchPrimaries(g)
		start := time.Now()
		primary, err := g.Failover()
		check(t, err)
		t.Logf("SENTINEL FAILOVER until stable on the new primary took %v", time.Since(start).Round(time.Millisecond))
		t.Logf("two data nodes reported role master for %v", stopWatch().Round(time.Millisecond))
		if primary == old {
			t.Fatalf("Failover kept primary %s", old.Addr())
		}
		expectPrimary(t, g, primary)
		expect(t, role(t, g, primary), "master")
		expect(t, role(t, g, old), "slave of "+primary.Addr())
		// Under load the sentinels may finish a failover the helper saw
		// as aborted, and the helper asks again (SentinelGroup.Failover):
		// then two +switch-master events come, the first from the old
		// primary, the last to the one Failover returned.
		ev := waitEvent(t, events)
		t.Logf("sentinel 2 published +switch-master %v after the request", ev.Time.Sub(start).Round(time.Millisecond))
		expect(t, ev.MasterName, "mymaster")
		expect(t, ev.OldAddr, old.Addr())
		for ev.NewAddr != primary.Addr() {
			t.Logf("+switch-master to %s, not (yet) to %s: a second failover was asked for", ev.NewAddr, primary.Addr())
			ev = waitEvent(t, events)
			expect(t, ev.MasterName, "mymaster")
		}
		expect(t, groupDo(t, g, primary, "GET", "k").(string), "v")
		cancel()
		for range events { // closed once the context is done
		}
	})

	t.Run("StopStartSentinel", func(t *testing.T) {
		primary, err := g.Primary()
		check(t, err)
		check(t, g.StopSentinel(1))
		if sentinels[1].Running() {
			t.Fatal("sentinel 1 still running after StopSentinel")
		}
		// The survivors still answer and, once they flag the stopped
		// one as down (after DownAfter), still reach the quorum.
		expectPrimary(t, g, primary)
		for {
			q := groupDo(t, g, sentinels[0], "SENTINEL", "CKQUORUM", "mymaster").(string)
			if q == "OK 2 usable Sentinels. Quorum and failover authorization can be reached" {
				break
			}
			if !strings.HasPrefix(q, "OK 3 usable") {
				t.Fatalf("SENTINEL CKQUORUM = %q", q)
			}
			time.Sleep(50 * time.Millisecond)
		}
		start := time.Now()
		check(t, g.StartSentinel(1))
		t.Logf("StartSentinel until stable took %v", time.Since(start).Round(time.Millisecond))
		expectPrimary(t, g, primary)
		expect(t, groupDo(t, g, sentinels[1], "SENTINEL", "CKQUORUM", "mymaster").(string), "OK 3 usable Sentinels. Quorum and failover authorization can be reached")
		if err := g.StartSentinel(1); err == nil {
			t.Error("StartSentinel of a running sentinel succeeded")
		}
		if err := g.StopSentinel(3); err == nil {
			t.Error("StopSentinel(3) succeeded")
		}
		if err := g.Restart(sentinels[0]); err == nil || !strings.Contains(err.Error(), "is a sentinel") {
			t.Errorf("Restart of a sentinel: %v", err)
		}
	})
}

// TestSentinelGroupKillPrimary kills the primary, waits for the failover
// and restarts the former primary, which must come back as a replica.
func TestSentinelGroupKillPrimary(t *testing.T) {
	t.Parallel()
	g := startGroup(t, redistest.SentinelGroupConfig{})
	old := g.Nodes()[0]
	expect(t, groupDo(t, g, old, "SET", "k", "v").(string), "OK")
	if n := groupDo(t, g, old, "WAIT", "2", "2000").(int64); n != 2 {
		t.Fatalf("WAIT 2 = %d", n)
	}
	events, err := g.SubscribeSwitchMaster(context.Background(), 0)
	check(t, err)

	start := time.Now()
	killed, err := g.KillPrimary()
	check(t, err)
	if killed != old || old.Running() {
		t.Fatalf("KillPrimary killed %s (running: %v), want %s", killed.Addr(), killed.Running(), old.Addr())
	}
	primary, err := g.WaitFailover(old)
	check(t, err)
	t.Logf("SIGKILL of the primary until the sentinels agree on a new primary: %v", time.Since(start).Round(time.Millisecond))
	ev := waitEvent(t, events)
	t.Logf("sentinel 0 published +switch-master %v after the kill", ev.Time.Sub(start).Round(time.Millisecond))
	expect(t, ev.OldAddr, old.Addr())
	expect(t, ev.NewAddr, primary.Addr())
	check(t, g.WaitStable())
	t.Logf("stable %v after the kill", time.Since(start).Round(time.Millisecond))
	expect(t, groupDo(t, g, primary, "GET", "k").(string), "v")
	rs, err := g.Replicas()
	check(t, err)
	if len(rs) != 1 || rs[0] == primary || rs[0] == old {
		t.Fatalf("Replicas() = %v after the failover to %s", servers(rs), primary.Addr())
	}

	start = time.Now()
	check(t, g.Restart(old))
	t.Logf("Restart of the former primary until stable: %v", time.Since(start).Round(time.Millisecond))
	expectPrimary(t, g, primary)
	expect(t, role(t, g, old), "slave of "+primary.Addr())
	expect(t, groupDo(t, g, old, "GET", "k").(string), "v") // resynced
	rs, err = g.Replicas()
	check(t, err)
	if !slices.Contains(rs, old) || len(rs) != 2 {
		t.Fatalf("Replicas() = %v, want the two nodes other than %s", servers(rs), primary.Addr())
	}
}

// TestSentinelGroupPausePrimary stops the primary with SIGSTOP for longer
// than the failover takes: once resumed it must be demoted to a replica of
// the new primary.
func TestSentinelGroupPausePrimary(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("Pause is implemented on Linux only")
	}
	t.Parallel()
	g := startGroup(t, redistest.SentinelGroupConfig{})
	start := time.Now()
	old, err := g.PausePrimary()
	check(t, err)
	if !old.Paused() || !old.Running() {
		t.Fatalf("after PausePrimary: Paused %v, Running %v", old.Paused(), old.Running())
	}
	primary, err := g.WaitFailover(old)
	check(t, err)
	t.Logf("SIGSTOP of the primary until the sentinels agree on a new primary: %v", time.Since(start).Round(time.Millisecond))
	check(t, g.WaitStable())

	start = time.Now()
	check(t, g.Resume(old))
	if old.Paused() {
		t.Fatal("Paused after Resume")
	}
	// The sentinels demote it with REPLICAOF and CLIENT KILL TYPE normal,
	// so a connection may be cut: retry.
	var wasPrimary bool
	for {
		a, err := g.Do(old, "ROLE")
		if err == nil {
			r := a.([]any)
			if r[0] == "slave" {
				break
			}
			wasPrimary = true
		}
		if time.Since(start) > 10*time.Second {
			t.Fatalf("resumed former primary %s not demoted after 10s (ROLE %v, %v)", old.Addr(), a, err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Logf("SIGCONT until the former primary reports role slave: %v (reported master meanwhile: %v)",
		time.Since(start).Round(time.Millisecond), wasPrimary)
	check(t, g.WaitStable())
	t.Logf("stable %v after SIGCONT", time.Since(start).Round(time.Millisecond))
	expectPrimary(t, g, primary)
	expect(t, role(t, g, old), "slave of "+primary.Addr())
}

// TestSentinelGroupAuthTLS runs a group over TLS with client certificates
// required, a data password and another sentinel password, and fails it
// over by a kill, which needs the sentinels to authenticate to the data
// nodes and to one another.
func TestSentinelGroupAuthTLS(t *testing.T) {
	t.Parallel()
	const dataPass, sentinelPass = "data pass", "sentinel pass"
	g := startGroup(t, redistest.SentinelGroupConfig{
		MasterName:       "tls-group",
		Replicas:         1,
		Config:           redistest.Config{TLS: true, TLSAuthClients: "yes", Password: dataPass},
		SentinelPassword: sentinelPass,
	})
	nodes, sentinels := g.Nodes(), g.Sentinels()
	s := sentinels[0]
	if s.TLSConfig() == nil || !strings.HasPrefix(s.URL(), "rediss://:sentinel%20pass@") {
		t.Fatalf("sentinel is not TLS with its password: URL %s", s.URL())
	}
	c := dialTLS(t, s.Addr(), s.ClientTLSConfig())
	expectPrefix(t, c.must("PING"), "-NOAUTH")
	expectPrefix(t, c.must("AUTH", dataPass), "-WRONGPASS")
	expect(t, c.must("AUTH", sentinelPass), "+OK")
	expect(t, c.must("PING"), "+PONG")
	c = dialTLS(t, nodes[0].Addr(), nodes[0].ClientTLSConfig())
	expectPrefix(t, c.must("AUTH", sentinelPass), "-WRONGPASS")
	expect(t, c.must("AUTH", dataPass), "+OK")

	start := time.Now()
	old, err := g.KillPrimary()
	check(t, err)
	primary, err := g.WaitFailover(old)
	check(t, err)
	t.Logf("over TLS, SIGKILL of the primary until the sentinels agree on a new primary: %v", time.Since(start).Round(time.Millisecond))
	if primary != nodes[1] {
		t.Fatalf("new primary %s, want %s", primary.Addr(), nodes[1].Addr())
	}
	check(t, g.Restart(old))
	expect(t, role(t, g, old), "slave of "+primary.Addr())
}

// TestServerPauseResume checks Server.Pause and Resume on a plain server.
func TestServerPauseResume(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t, redistest.Config{})
	if runtime.GOOS != "linux" {
		if err := srv.Pause(); !errors.Is(err, errors.ErrUnsupported) {
			t.Fatalf("Pause: %v, want ErrUnsupported", err)
		}
		return
	}
	c := dialTCP(t, srv.Addr())
	check(t, srv.Pause())
	if !srv.Paused() || !srv.Running() {
		t.Fatalf("Paused %v, Running %v after Pause", srv.Paused(), srv.Running())
	}
	c.conn.SetDeadline(time.Now().Add(200 * time.Millisecond))
	if reply, err := c.do("PING"); err == nil {
		t.Fatalf("paused server replied %q", reply)
	}
	check(t, srv.Resume())
	check(t, srv.Resume()) // not paused: no-op
	expect(t, dialTCP(t, srv.Addr()).must("PING"), "+PONG")

	// Stop of a paused server resumes it so that it acts on SIGTERM.
	check(t, srv.Pause())
	start := time.Now()
	check(t, srv.Stop())
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Stop of a paused server took %v", d)
	}
	if srv.Paused() || srv.Running() {
		t.Errorf("Paused %v, Running %v after Stop", srv.Paused(), srv.Running())
	}
	if err := srv.Pause(); err == nil {
		t.Error("Pause of a stopped server succeeded")
	}
	check(t, srv.Start())
	if srv.Paused() {
		t.Error("Paused after Start")
	}
}
