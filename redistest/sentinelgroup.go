package redistest

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Default settings of StartSentinelGroup.
const (
	defaultGroupReplicas   = 2
	defaultGroupSentinels  = 3
	defaultDownAfter       = time.Second
	defaultFailoverTimeout = 2 * time.Second
	defaultMasterName      = "mymaster"

	groupPoll    = 25 * time.Millisecond  // state poll period
	caughtUpWait = 200 * time.Millisecond // the timeout of replicasCaughtUp's WAIT
)

// sentinelDebug speeds up a sentinel: INFO, hello messages and the
// is-master-down questions every 200 ms instead of every 10, 2 and 1 s, so
// a killed primary is replaced in about 1.5-2.5 s and sentinels discover
// each other in well under a second, and the TILT trigger raised from 2 s
// to 5 s of timer delay, so that a loaded test machine rarely sends
// sentinels into TILT (for 5 s instead of 30 s). It is a runtime setting: a
// restarted sentinel needs it again.
//
// ping-period stays at 500 ms, not 200: a sentinel picks for promotion
// only replicas whose last INFO is at most 5 ping periods old while the
// primary is down, but it asks those replicas for INFO only every 1000 ms
// then (hard-coded), so with 200 (1000 ms of validity) it sometimes finds
// no good replica, aborts and retries 2 failover-timeouts later (a kill
// then took 4.5 s instead of 2).
var sentinelDebug = []string{"SENTINEL", "DEBUG",
	"info-period", "200", "ping-period", "500", "ask-period", "200", "publish-period", "200",
	"tilt-trigger", "5000", "tilt-period", "5000"}

// SentinelGroupConfig describes a sentinel-managed group to start. The zero
// value is a primary with 2 replicas monitored as "mymaster" by 3 sentinels
// with quorum 2, down-after-milliseconds 1000 and failover-timeout 2000,
// plain TCP without passwords.
type SentinelGroupConfig struct {
	// MasterName is the name the sentinels monitor the primary under.
	// Empty means "mymaster".
	MasterName string

	// Replicas is the number of replicas. Zero means 2; NoReplicas (any
	// negative value) means none, leaving the sentinels nothing to
	// promote.
	Replicas int

	// Sentinels is the number of sentinels. Zero means 3.
	Sentinels int

	// Quorum is the number of sentinels that must agree that the primary
	// is down before a failover starts (the failover itself also needs
	// the votes of a majority of the sentinels). Zero means a majority
	// of Sentinels (2 of 3).
	Quorum int

	// DownAfter is down-after-milliseconds: how long the primary may not
	// answer before a sentinel flags it as down. Zero means 1 s. It is
	// rounded down to whole milliseconds.
	DownAfter time.Duration

	// FailoverTimeout is failover-timeout. Zero means 2 s. A sentinel
	// does not start another failover of the same primary within twice
	// this time of its last attempt, and it aborts a failover whose
	// promoted replica has not reported role master within this time.
	// While it fails over, a sentinel asks the replicas for INFO only
	// once a second (hard-coded), so at 1 s a failover under load was
	// sometimes aborted although the replica had been promoted.
	FailoverTimeout time.Duration

	// WaitTimeout bounds every wait of the group: readiness at start,
	// WaitStable, WaitFailover, Failover, Restart and StartSentinel. Zero
	// means 30 s.
	WaitTimeout time.Duration

	// Config is the configuration of every data node (the primary and
	// the replicas). With a Password, replicas authenticate to their
	// primary (masterauth, set on every node, since any may become a
	// replica) and the sentinels to the data nodes (auth-pass). With TLS
	// the sentinels use TLS as well, for the connections they accept
	// and for those they make (tls-port only, tls-replication yes, the
	// same certificates and TLSAuthClients); sentinels can only speak
	// TLS to one another if they speak it to the data nodes. Its Args
	// come after the group's own settings, so they override them.
	Config Config

	// SentinelPassword is the requirepass of the sentinels, which they
	// also use to authenticate to one another. A client sends it to the
	// sentinels and Config.Password to the data nodes. Empty means no
	// password.
	SentinelPassword string

	// SentinelArgs are extra arguments of every sentinel, appended after
	// the generated config file (see Config.Args).
	SentinelArgs []string

	// SentinelBinary is the path of redis-sentinel. Empty means
	// $REDIS_SENTINEL_BIN if set, else "redis-sentinel" looked up on
	// $PATH.
	SentinelBinary string
}

// SentinelGroup is a primary with replicas and the sentinels that monitor
// it, on 127.0.0.1, started by StartSentinelGroup. Node 0 of Nodes is the
// primary at start; roles change with the faults, so the methods that
// report roles ask the running servers: the sentinels for the primary
// (what a sentinel client is told), the data nodes for their ROLE.
//
// A node is live when it is running and not paused (see Server.Pause);
// the waits and the role queries look at live nodes only, since a paused
// one cannot answer.
//
// The methods are safe for concurrent use, but the fault helpers
// (KillPrimary, PausePrimary, Pause, Resume, Restart, StopSentinel,
// StartSentinel and Failover) are meant to be called one at a time. Call
// WaitStable between faults: a fault injected while the sentinels still
// finish the previous failover can leave them disagreeing for a long time
// (see the pitfalls in StartSentinelGroupServer).
type SentinelGroup struct {
	name            string
	nodes           []*Server
	sentinels       []*Server
	byAddr          map[string]*Server
	waitTimeout     time.Duration
	failoverTimeout time.Duration

	conns *connPool // for the helpers' commands

	mu     sync.Mutex         // guards the fields below
	subs   map[*respConn]bool // open switch-master subscriptions
	closed bool
	done   chan struct{} // closed by Close

	subWG sync.WaitGroup // subscription readers
}

// SwitchMaster is a +switch-master event of a sentinel, received by
// SentinelGroup.SubscribeSwitchMaster.
type SwitchMaster struct {
	// Time is when the message was read from the sentinel connection.
	Time time.Time
	// MasterName is the monitored name, as configured.
	MasterName string
	// OldAddr and NewAddr are the former and the new primary,
	// "127.0.0.1:PORT".
	OldAddr, NewAddr string
}

// StartSentinelGroup starts a group like StartSentinelGroupServer and
// registers t.Cleanup to Close it. If the test failed, the cleanup first
// logs the tail of every server's log. Any start failure ends the test with
// t.Fatalf.
func StartSentinelGroup(t testing.TB, cfg SentinelGroupConfig) *SentinelGroup {
	t.Helper()
	g, err := StartSentinelGroupServer(cfg)
	if err != nil {
		t.Fatalf("%v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			g.logTails(t)
		}
		if err := g.Close(); err != nil {
			t.Errorf("%v", err)
		}
	})
	return g
}

func (g *SentinelGroup) logTails(t testing.TB) {
	for i, n := range g.nodes {
		if tail := n.logTail(30); tail != "" {
			t.Logf("redistest: tail of the log of data node %d %s:\n%s", i, n.Addr(), tail)
		}
	}
	for i, s := range g.sentinels {
		if tail := s.logTail(30); tail != "" {
			t.Logf("redistest: tail of the log of sentinel %d %s:\n%s", i, s.Addr(), tail)
		}
	}
}

// StartSentinelGroupServer starts a sentinel-managed group and returns once
// it is stable as WaitStable defines it (about 0.5-1 s after the start).
// The caller must Close it.
//
// The data nodes start concurrently, each like StartServer, with
// masterauth when Config.Password is set; the replicas are told REPLICAOF
// the primary, and the sentinels start only once every replica reports
// master_link_status:up (sentinels started together with the replicas
// occasionally take ~10 s to discover them). Each sentinel runs in its own
// directory with its own writable config file, which it rewrites (so a
// restarted sentinel keeps its ID, its primary and what it discovered),
// and is set up at runtime with
//
//	SENTINEL DEBUG info-period 200 ping-period 500 ask-period 200
//	    publish-period 200 tilt-trigger 5000 tilt-period 5000
//	SENTINEL MONITOR <name> 127.0.0.1 <port> <quorum>
//	SENTINEL SET <name> down-after-milliseconds D failover-timeout F
//	    parallel-syncs 1 [auth-pass <Config.Password>]
//
// Ready means WaitStable's conditions, which include every replica having
// acknowledged the primary's writes (WAIT): right after a diskless initial
// sync a linked replica receives nothing for up to a second, and a write
// made then and acknowledged by WAIT 1 was lost when the sentinels
// promoted that replica.
//
// Measured on 2 cores with Redis 7.0 (under -race): ready in 0.7-1.2 s;
// after a SIGKILL of the primary the sentinels agree on a new one in
// 1.2-2.4 s and the group is stable in 2.7-3.5 s; after a SIGSTOP in
// 2.2-2.5 s; Failover takes 2.1-3.0 s.
//
// Pitfalls: a machine stall of over 5 s (2 s without the DEBUG settings)
// sends sentinels into TILT, where they act on nothing for 5 s (30 s). A
// former primary that comes back as a primary (Server.Start rather than
// SentinelGroup.Restart, or Resume after a failover) is a second writable
// primary until the sentinels demote it, about 1 s later; after SENTINEL
// FAILOVER the old primary, although running, stays one for 1.6-1.9 s
// too, and what is written to it then is lost. A sentinel that
// reconfigures a node (REPLICAOF) also kills its client connections
// (CLIENT KILL TYPE normal). The leader of a failover answers SENTINEL
// GET-MASTER-ADDR-BY-NAME with the new primary as soon as it reconfigures
// the other replicas, and publishes +switch-master only at the end of the
// failover, up to about a second later. Killing the new primary while the
// previous failover is still being finished can leave a sentinel reporting
// a dead address for over a minute. Hence WaitStable between faults.
func StartSentinelGroupServer(cfg SentinelGroupConfig) (*SentinelGroup, error) {
	name := cfg.MasterName
	if name == "" {
		name = defaultMasterName
	}
	if strings.ContainsAny(name, " \t\r\n\"'") {
		return nil, fmt.Errorf("redistest: SentinelGroupConfig.MasterName %q contains blanks or quotes", name)
	}
	replicas := cfg.Replicas
	switch {
	case replicas == 0:
		replicas = defaultGroupReplicas
	case replicas < 0:
		replicas = 0
	}
	sentinels := cfg.Sentinels
	switch {
	case sentinels == 0:
		sentinels = defaultGroupSentinels
	case sentinels < 0:
		return nil, fmt.Errorf("redistest: SentinelGroupConfig.Sentinels must not be negative, not %d", sentinels)
	}
	quorum := cfg.Quorum
	switch {
	case quorum == 0:
		quorum = sentinels/2 + 1
	case quorum < 0 || quorum > sentinels:
		return nil, fmt.Errorf("redistest: SentinelGroupConfig.Quorum must be in [1, %d] (the number of sentinels), not %d", sentinels, quorum)
	}
	downAfter, failoverTimeout := cfg.DownAfter, cfg.FailoverTimeout
	if downAfter == 0 {
		downAfter = defaultDownAfter
	}
	if failoverTimeout == 0 {
		failoverTimeout = defaultFailoverTimeout
	}
	if downAfter < time.Millisecond || failoverTimeout < time.Millisecond {
		return nil, fmt.Errorf("redistest: SentinelGroupConfig.DownAfter (%v) and FailoverTimeout (%v) must be at least 1ms", downAfter, failoverTimeout)
	}
	sentinelBin, err := findSentinelBinary(cfg.SentinelBinary)
	if err != nil {
		return nil, err
	}

	g := &SentinelGroup{
		name:            name,
		nodes:           make([]*Server, 1+replicas),
		byAddr:          make(map[string]*Server),
		waitTimeout:     cfg.WaitTimeout,
		failoverTimeout: failoverTimeout,
		conns:           newConnPool(errGroupClosed),
		subs:            make(map[*respConn]bool),
		done:            make(chan struct{}),
	}
	if g.waitTimeout <= 0 {
		g.waitTimeout = defaultWaitTimeout
	}
	deadline := time.Now().Add(g.waitTimeout)

	nodeCfg := cfg.Config
	nodeCfg.Args = nil
	if nodeCfg.Password != "" {
		nodeCfg.Args = append(nodeCfg.Args, "--masterauth", nodeCfg.Password)
	}
	nodeCfg.Args = append(nodeCfg.Args, cfg.Config.Args...)
	errs := make([]error, len(g.nodes))
	eachServer(g.nodes, func(i int, _ *Server) {
		g.nodes[i], errs[i] = StartServer(nodeCfg)
	})
	if err := errors.Join(errs...); err != nil {
		g.Close()
		return nil, err
	}
	for _, n := range g.nodes {
		g.byAddr[n.Addr()] = n
	}
	primary := g.nodes[0]
	eachServer(g.nodes[1:], func(i int, n *Server) {
		if _, err := g.do(n, deadline, "REPLICAOF", "127.0.0.1", strconv.Itoa(primary.Port())); err != nil {
			errs[i] = fmt.Errorf("redistest: REPLICAOF %s on %s: %w", primary.Addr(), n.Addr(), err)
		}
	})
	if err := errors.Join(errs...); err != nil {
		g.Close()
		return nil, err
	}
	err = g.waitUntil(deadline, "replicating", func(v *groupView) error {
		for _, n := range g.nodes[1:] {
			if err := v.replicaOf(n, primary); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		g.Close()
		return nil, err
	}

	sentinelCfg := Config{
		Binary:         sentinelBin,
		TLS:            cfg.Config.TLS,
		TLSAuthClients: cfg.Config.TLSAuthClients,
		Password:       cfg.SentinelPassword,
		Args:           cfg.SentinelArgs,
	}
	setup := []string{"SENTINEL", "SET", name,
		"down-after-milliseconds", strconv.FormatInt(downAfter.Milliseconds(), 10),
		"failover-timeout", strconv.FormatInt(failoverTimeout.Milliseconds(), 10),
		"parallel-syncs", "1"}
	if cfg.Config.Password != "" {
		setup = append(setup, "auth-pass", cfg.Config.Password)
	}
	g.sentinels = make([]*Server, sentinels)
	errs = make([]error, sentinels)
	eachServer(g.sentinels, func(i int, _ *Server) {
		s, err := StartServer(sentinelCfg)
		if err != nil {
			errs[i] = err
			return
		}
		g.sentinels[i] = s
		// One pipeline, which the sentinel executes before its timer
		// first connects to the primary, so that it never tries
		// without auth-pass.
		replies, err := g.exec(s, deadline, sentinelDebug,
			[]string{"SENTINEL", "MONITOR", name, "127.0.0.1", strconv.Itoa(primary.Port()), strconv.Itoa(quorum)},
			setup)
		if err == nil {
			err = firstReplyError(replies)
		}
		if err != nil {
			errs[i] = fmt.Errorf("redistest: set up sentinel %s: %w", s.Addr(), err)
		}
	})
	if err := errors.Join(errs...); err != nil {
		g.Close()
		return nil, err
	}
	if err := g.waitStable(deadline, "ready", nil); err != nil {
		g.Close()
		return nil, err
	}
	return g, nil
}

// eachServer calls fn concurrently for every server and waits for all calls.
func eachServer(servers []*Server, fn func(i int, s *Server)) {
	var wg sync.WaitGroup
	for i, s := range servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(i, s)
		}()
	}
	wg.Wait()
}

// isLive reports whether s is running and not paused.
func isLive(s *Server) bool { return s.Running() && !s.Paused() }

// MasterName returns the name the sentinels monitor the primary under.
func (g *SentinelGroup) MasterName() string { return g.name }

// Nodes returns the data nodes, running or not, in start order: the
// primary at start, then the replicas. The slice is a copy.
func (g *SentinelGroup) Nodes() []*Server { return slices.Clone(g.nodes) }

// Sentinels returns the sentinels, running or not, in start order (the
// index StopSentinel and StartSentinel take). The slice is a copy.
func (g *SentinelGroup) Sentinels() []*Server { return slices.Clone(g.sentinels) }

// SentinelAddrs returns the addresses of all sentinels, running or not,
// in the order of Sentinels: what a sentinel client is configured with.
func (g *SentinelGroup) SentinelAddrs() []string {
	addrs := make([]string, len(g.sentinels))
	for i, s := range g.sentinels {
		addrs[i] = s.Addr()
	}
	return addrs
}

// NodeByAddr returns the data node listening on addr ("127.0.0.1:PORT", as
// sentinels report it), or nil.
func (g *SentinelGroup) NodeByAddr(addr string) *Server { return g.byAddr[addr] }

// Primary returns the data node the live sentinels report as the primary
// (SENTINEL GET-MASTER-ADDR-BY-NAME), which is what a sentinel client is
// told. It fails if they disagree or one does not answer. During a
// failover that may be a node that is down or not yet promoted; call
// WaitStable first for a settled answer.
func (g *SentinelGroup) Primary() (*Server, error) {
	deadline := time.Now().Add(probeCmdLimit)
	var ss []*Server
	for _, s := range g.sentinels {
		if isLive(s) {
			ss = append(ss, s)
		}
	}
	if len(ss) == 0 {
		return nil, errors.New("redistest: Primary: no sentinel is live")
	}
	addrs := make([]string, len(ss))
	errs := make([]error, len(ss))
	eachServer(ss, func(i int, s *Server) { addrs[i], errs[i] = g.masterAddr(s, deadline) })
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("redistest: Primary: %w", err)
	}
	for i := range addrs[1:] {
		if addrs[i+1] != addrs[0] {
			return nil, fmt.Errorf("redistest: Primary: sentinel %s reports %s, sentinel %s reports %s",
				ss[0].Addr(), addrs[0], ss[i+1].Addr(), addrs[i+1])
		}
	}
	p := g.byAddr[addrs[0]]
	if p == nil {
		return nil, fmt.Errorf("redistest: Primary: the sentinels report %s, not a data node of the group", addrs[0])
	}
	return p, nil
}

// masterAddr asks sentinel s for the primary's address.
func (g *SentinelGroup) masterAddr(s *Server, deadline time.Time) (string, error) {
	reply, err := g.do(s, deadline, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", g.name)
	if err != nil {
		return "", fmt.Errorf("SENTINEL GET-MASTER-ADDR-BY-NAME on %s: %w", s.Addr(), err)
	}
	addr, err := parseHostPort(reply)
	if err != nil {
		return "", fmt.Errorf("SENTINEL GET-MASTER-ADDR-BY-NAME on %s: %w", s.Addr(), err)
	}
	return addr, nil
}

// Replicas returns the live data nodes that report ROLE slave now, each
// according to itself, in the order of Nodes. A replica still syncing or
// following a dead primary is included; see WaitStable.
func (g *SentinelGroup) Replicas() ([]*Server, error) {
	v := g.view(time.Now().Add(probeCmdLimit), false)
	var out []*Server
	for _, d := range v.nodes {
		if d.err != nil {
			return nil, fmt.Errorf("redistest: Replicas: %w", d.err)
		}
		if d.role == "slave" {
			out = append(out, d.srv)
		}
	}
	return out, nil
}

// Do sends one command to n, a data node or a sentinel of the group, and
// returns its reply: a simple or bulk string as string, an integer as
// int64, a null as nil, an array as []any of these. An error reply is
// returned as a ReplyError error. Connections are pooled per server and
// authenticated (Config.Password for data nodes, SentinelPassword for
// sentinels), so the command must leave the connection in its default
// state (no SELECT, MULTI or SUBSCRIBE).
func (g *SentinelGroup) Do(n *Server, args ...string) (any, error) {
	if !g.member(n) {
		return nil, g.errNotMember(n)
	}
	if len(args) == 0 {
		return nil, errors.New("redistest: Do: no command")
	}
	return g.do(n, time.Now().Add(opCmdLimit), args...)
}

func (g *SentinelGroup) member(n *Server) bool {
	return n != nil && (slices.Contains(g.nodes, n) || slices.Contains(g.sentinels, n))
}

func (g *SentinelGroup) errNotMember(n *Server) error {
	if n == nil {
		return errors.New("redistest: nil server")
	}
	return fmt.Errorf("redistest: %s is not a server of this sentinel group", n.Addr())
}

// WaitStable waits until the group has settled: every live sentinel
// reports the same primary, a live data node that reports ROLE master; no
// sentinel is in TILT (sentinel_tilt:0) or flags the primary as anything
// but "master" (no s_down, o_down or failover in progress); every other
// live data node replicates the primary with its link up, is listed by the
// primary, and is known to every live sentinel as a replica of it with
// flags "slave" and master-link-status ok; and every live sentinel knows
// every other live sentinel with flags "sentinel"; and WAIT on the primary
// counts every live replica as having acknowledged all it was sent. Dead
// or paused servers are ignored. It gives up after SentinelGroupConfig.WaitTimeout with an
// error naming the condition still unmet.
func (g *SentinelGroup) WaitStable() error {
	return g.waitStable(time.Now().Add(g.waitTimeout), "stable", nil)
}

// waitStable waits until the group is stable with a primary other than
// not (if not nil).
func (g *SentinelGroup) waitStable(deadline time.Time, what string, not *Server) error {
	return g.waitUntil(deadline, what, func(v *groupView) error {
		p, err := v.agreedPrimary()
		if err != nil {
			return err
		}
		if p == not {
			return fmt.Errorf("the sentinels still report %s as the primary", p.Addr())
		}
		return v.stable(p)
	})
}

// WaitFailover waits until every live sentinel reports the same primary,
// other than old, and that node is live and reports ROLE master, and
// returns it. That is the moment a sentinel client can find the new
// primary; replicas may still be reconfiguring, so call WaitStable before
// the next fault. It gives up after SentinelGroupConfig.WaitTimeout.
func (g *SentinelGroup) WaitFailover(old *Server) (*Server, error) {
	what := "failed over"
	if old != nil {
		what += " from " + old.Addr()
	}
	var primary *Server
	err := g.waitUntil(time.Now().Add(g.waitTimeout), what, func(v *groupView) error {
		p, err := v.agreedPrimary()
		if err != nil {
			return err
		}
		if p == old {
			return fmt.Errorf("the sentinels still report %s as the primary", p.Addr())
		}
		d := v.node(p)
		if d == nil {
			return fmt.Errorf("the sentinels report %s, which is not live", p.Addr())
		}
		if d.err != nil {
			return d.err
		}
		if d.role != "master" {
			return fmt.Errorf("the sentinels report %s, which reports role %s", p.Addr(), d.role)
		}
		primary = p
		return nil
	})
	return primary, err
}

// KillPrimary sends SIGKILL to the primary the sentinels report (see
// Primary) and returns it once it has exited, without waiting for the
// failover: follow with WaitFailover or WaitStable. With the default
// settings the sentinels agree on a new primary about 1.5-2 s later. The
// node keeps its directory, for Restart.
func (g *SentinelGroup) KillPrimary() (*Server, error) {
	p, err := g.Primary()
	if err != nil {
		return nil, err
	}
	g.dropConns(p)
	if err := p.Kill(); err != nil {
		return nil, err
	}
	return p, nil
}

// PausePrimary stops the primary the sentinels report (see Primary) with
// SIGSTOP (see Pause) and returns it. Paused for longer than DownAfter, it
// is replaced as after KillPrimary; after Resume it comes back as a
// primary until the sentinels demote it to a replica of the new primary.
func (g *SentinelGroup) PausePrimary() (*Server, error) {
	p, err := g.Primary()
	if err != nil {
		return nil, err
	}
	if err := g.Pause(p); err != nil {
		return nil, err
	}
	return p, nil
}

// Pause sends SIGSTOP to n, a data node or a sentinel of the group (see
// Server.Pause). It does not wait for anything.
func (g *SentinelGroup) Pause(n *Server) error {
	if !g.member(n) {
		return g.errNotMember(n)
	}
	return n.Pause()
}

// Resume sends SIGCONT to n, paused by Pause or PausePrimary (see
// Server.Resume), and does not wait for anything. A former primary that
// was replaced meanwhile resumes as a primary and accepts writes until
// the sentinels notice and reconfigure it as a replica of the new primary
// (REPLICAOF), about a second later with the group's settings; WaitStable
// waits for that.
func (g *SentinelGroup) Resume(n *Server) error {
	if !g.member(n) {
		return g.errNotMember(n)
	}
	return n.Resume()
}

// Restart kills data node n if it is running (SIGKILL), starts it again on
// the same port and waits until the group is stable (see WaitStable). It
// comes back empty (Restart removes the RDB file a replication sync may
// have left in its directory) and with the role the sentinels give it: a
// replica of the current primary (started with --replicaof, so that a
// former primary never comes back as a second primary), or, if the live
// sentinels still report n itself as the primary (a restart quicker than
// DownAfter, or before the failover), a primary, whose replicas then
// resync and lose their data.
func (g *SentinelGroup) Restart(n *Server) error {
	if !slices.Contains(g.nodes, n) {
		if slices.Contains(g.sentinels, n) {
			return fmt.Errorf("redistest: Restart: %s is a sentinel; use StopSentinel and StartSentinel", n.Addr())
		}
		return g.errNotMember(n)
	}
	deadline := time.Now().Add(g.waitTimeout)
	p, err := g.Primary()
	if err != nil {
		return fmt.Errorf("redistest: Restart: %w", err)
	}
	g.dropConns(n)
	if err := n.Kill(); err != nil {
		return err
	}
	if err := os.Remove(filepath.Join(n.Dir(), rdbFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("redistest: %w", err)
	}
	var extra []string
	if p != n {
		extra = []string{"--replicaof", "127.0.0.1", strconv.Itoa(p.Port())}
	}
	if err := n.start(extra...); err != nil {
		return err
	}
	return g.waitStable(deadline, "stable after the restart of "+n.Addr(), nil)
}

// StopSentinel stops sentinel i (index into Sentinels) with SIGTERM, as
// Server.Stop does. The other sentinels keep listing it, flagged s_down;
// while it is stopped, a failover needs the quorum and a majority of all
// sentinels among those left.
func (g *SentinelGroup) StopSentinel(i int) error {
	if i < 0 || i >= len(g.sentinels) {
		return fmt.Errorf("redistest: StopSentinel: no sentinel %d (the group has %d)", i, len(g.sentinels))
	}
	s := g.sentinels[i]
	g.dropConns(s)
	return s.Stop()
}

// StartSentinel starts sentinel i (index into Sentinels) again after
// StopSentinel, Kill or Stop, on the same port with its rewritten config
// file (its ID, the primary and the replicas and sentinels it knew),
// applies the SENTINEL DEBUG settings again, and waits until the group is
// stable (see WaitStable), which includes the others knowing it again.
func (g *SentinelGroup) StartSentinel(i int) error {
	if i < 0 || i >= len(g.sentinels) {
		return fmt.Errorf("redistest: StartSentinel: no sentinel %d (the group has %d)", i, len(g.sentinels))
	}
	deadline := time.Now().Add(g.waitTimeout)
	s := g.sentinels[i]
	g.dropConns(s)
	if err := s.Start(); err != nil {
		return err
	}
	if _, err := g.do(s, deadline, sentinelDebug...); err != nil {
		return fmt.Errorf("redistest: SENTINEL DEBUG on %s: %w", s.Addr(), err)
	}
	return g.waitStable(deadline, "stable after the start of sentinel "+s.Addr(), nil)
}

// Failover waits until the group is stable, asks a live sentinel for a
// failover with SENTINEL FAILOVER (which promotes a replica without asking
// the other sentinels or waiting for the primary to be down), and waits
// until the group is stable again with another primary, which it returns.
// The former primary, if running, becomes a replica of it. A request the
// sentinel refuses for the moment (INPROG, NOGOODSLAVE) is repeated.
func (g *SentinelGroup) Failover() (*Server, error) {
	deadline := time.Now().Add(g.waitTimeout)
	if err := g.waitStable(deadline, "stable before the failover", nil); err != nil {
		return nil, err
	}
	old, err := g.Primary()
	if err != nil {
		return nil, err
	}
	var sentinel *Server
	for _, s := range g.sentinels {
		if isLive(s) {
			sentinel = s
			break
		}
	}
	if sentinel == nil {
		return nil, errors.New("redistest: Failover: no sentinel is running")
	}
	for {
		if err := g.requestFailover(sentinel, deadline); err != nil {
			return nil, err
		}
		// A sentinel aborts a failover whose promoted replica it has not
		// seen report role master within failover-timeout, and the other
		// sentinels then turn that replica back into a replica of old.
		// Ask again then, until the deadline.
		asked := time.Now()
		aborted := false
		err := g.waitUntil(deadline, "failed over from "+old.Addr(), func(v *groupView) error {
			p, err := v.agreedPrimary()
			if err == nil && p != old {
				return v.stable(p)
			}
			if err == nil && time.Since(asked) > g.failoverTimeout {
				for _, st := range v.sentinels {
					if st.srv == sentinel && st.err == nil && st.primary == old.Addr() && !strings.Contains(st.flags, "failover_in_progress") {
						aborted = true
						return nil
					}
				}
			}
			if err == nil {
				err = fmt.Errorf("the sentinels still report %s as the primary", p.Addr())
			}
			return err
		})
		if err != nil {
			return nil, err
		}
		if !aborted {
			return g.Primary()
		}
	}
}

// requestFailover sends SENTINEL FAILOVER to sentinel, again while it
// answers INPROG (a failover is under way) or NOGOODSLAVE (no replica it
// could promote, as while a replica relinks), until deadline.
func (g *SentinelGroup) requestFailover(sentinel *Server, deadline time.Time) error {
	for {
		_, err := g.do(sentinel, deadline, "SENTINEL", "FAILOVER", g.name)
		if err == nil {
			return nil
		}
		var re ReplyError
		if !errors.As(err, &re) || !(strings.HasPrefix(string(re), "INPROG") || strings.HasPrefix(string(re), "NOGOODSLAVE")) ||
			time.Now().Add(groupPoll).After(deadline) {
			return fmt.Errorf("redistest: SENTINEL FAILOVER on %s: %w", sentinel.Addr(), err)
		}
		time.Sleep(groupPoll)
	}
}

// SubscribeSwitchMaster subscribes to +switch-master on sentinel i (index
// into Sentinels) and returns a channel of the events it publishes: one
// per failover, sent by each sentinel when it learns of the new primary
// (the leader first). The subscription is in place when it returns. The
// channel buffers 16 events, then the reader waits; it is closed when ctx
// is done, the group is closed, or the sentinel connection ends (for
// example by StopSentinel).
func (g *SentinelGroup) SubscribeSwitchMaster(ctx context.Context, i int) (<-chan SwitchMaster, error) {
	if i < 0 || i >= len(g.sentinels) {
		return nil, fmt.Errorf("redistest: SubscribeSwitchMaster: no sentinel %d (the group has %d)", i, len(g.sentinels))
	}
	s := g.sentinels[i]
	deadline := time.Now().Add(opCmdLimit)
	rc, err := dialServer(s, deadline)
	if err != nil {
		return nil, fmt.Errorf("redistest: SubscribeSwitchMaster: %s: %w", s.Addr(), err)
	}
	reply, err := rc.do(deadline, "SUBSCRIBE", "+switch-master")
	if err == nil {
		if a, ok := reply.([]any); !ok || len(a) != 3 || a[0] != "subscribe" {
			err = fmt.Errorf("unexpected SUBSCRIBE reply %#v", reply)
		}
	}
	if err == nil {
		err = rc.conn.SetDeadline(time.Time{})
	}
	if err != nil {
		rc.close()
		return nil, fmt.Errorf("redistest: SubscribeSwitchMaster: SUBSCRIBE on %s: %w", s.Addr(), err)
	}
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		rc.close()
		return nil, errGroupClosed
	}
	g.subs[rc] = true
	g.subWG.Add(1)
	g.mu.Unlock()

	ch := make(chan SwitchMaster, 16)
	stop := context.AfterFunc(ctx, rc.close)
	go func() {
		defer g.subWG.Done()
		defer close(ch)
		defer stop()
		defer func() {
			g.mu.Lock()
			delete(g.subs, rc)
			g.mu.Unlock()
			rc.close()
		}()
		for {
			msg, err := rc.readReply(0)
			if err != nil {
				return
			}
			now := time.Now()
			a, ok := msg.([]any)
			if !ok || len(a) != 3 || a[0] != "message" {
				continue
			}
			payload, _ := a[2].(string)
			f := strings.Fields(payload)
			if len(f) != 5 {
				continue
			}
			ev := SwitchMaster{Time: now, MasterName: f[0],
				OldAddr: net.JoinHostPort(f[1], f[2]), NewAddr: net.JoinHostPort(f[3], f[4])}
			select {
			case ch <- ev:
			case <-ctx.Done():
				return
			case <-g.done:
				return
			}
		}
	}()
	return ch, nil
}

var errGroupClosed = errors.New("redistest: sentinel group is closed")

// Close ends the subscriptions, closes the pooled connections and Closes
// every sentinel and data node (SIGKILL, then the directory is removed).
// It is idempotent.
func (g *SentinelGroup) Close() error {
	g.mu.Lock()
	wasClosed := g.closed
	g.closed = true
	subs := g.subs
	g.subs = make(map[*respConn]bool)
	if !wasClosed {
		close(g.done)
	}
	g.mu.Unlock()
	for rc := range subs {
		rc.close()
	}
	g.conns.close()
	g.subWG.Wait()
	var errs []error
	for _, s := range g.sentinels {
		if s != nil {
			errs = append(errs, s.Close())
		}
	}
	for _, n := range g.nodes {
		if n != nil {
			errs = append(errs, n.Close())
		}
	}
	return errors.Join(errs...)
}

// groupView is what the live servers of a group report at one moment.
type groupView struct {
	g         *SentinelGroup
	sentinels []*sentinelState // live sentinels, in order
	nodes     []*dataState     // live data nodes, in order
}

// sentinelState is what one sentinel reports about the monitored group.
type sentinelState struct {
	srv      *Server
	err      error // the sentinel did not answer; the fields below are unset
	primary  string
	flags    string              // of the primary
	tilt     string              // sentinel_tilt of INFO sentinel
	replicas []map[string]string // SENTINEL REPLICAS
	peers    []map[string]string // SENTINEL SENTINELS
}

// dataState is the ROLE of one data node.
type dataState struct {
	srv      *Server
	err      error
	role     string   // "master" or "slave"
	master   string   // the address a replica follows
	link     string   // a replica's replication state, "connected" when up
	replicas []string // the replicas a primary lists
}

// view queries the live servers concurrently, the sentinels only if
// withSentinels.
func (g *SentinelGroup) view(deadline time.Time, withSentinels bool) *groupView {
	v := &groupView{g: g}
	var ss, ns []*Server
	if withSentinels {
		for _, s := range g.sentinels {
			if s != nil && isLive(s) {
				ss = append(ss, s)
			}
		}
	}
	for _, n := range g.nodes {
		if isLive(n) {
			ns = append(ns, n)
		}
	}
	v.sentinels = make([]*sentinelState, len(ss))
	v.nodes = make([]*dataState, len(ns))
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		eachServer(ss, func(i int, s *Server) { v.sentinels[i] = g.sentinelState(s, deadline) })
	}()
	go func() {
		defer wg.Done()
		eachServer(ns, func(i int, n *Server) { v.nodes[i] = g.dataState(n, deadline) })
	}()
	wg.Wait()
	return v
}

func (g *SentinelGroup) sentinelState(s *Server, deadline time.Time) *sentinelState {
	st := &sentinelState{srv: s}
	replies, err := g.exec(s, deadline,
		[]string{"SENTINEL", "GET-MASTER-ADDR-BY-NAME", g.name},
		[]string{"SENTINEL", "MASTER", g.name},
		[]string{"SENTINEL", "REPLICAS", g.name},
		[]string{"SENTINEL", "SENTINELS", g.name},
		[]string{"INFO", "sentinel"},
	)
	if err == nil {
		err = firstReplyError(replies)
	}
	if err == nil {
		err = st.parse(replies)
	}
	if err != nil {
		st.err = fmt.Errorf("sentinel %s: %w", s.Addr(), err)
	}
	return st
}

func (st *sentinelState) parse(replies []any) error {
	var err error
	if st.primary, err = parseHostPort(replies[0]); err != nil {
		return fmt.Errorf("SENTINEL GET-MASTER-ADDR-BY-NAME: %w", err)
	}
	master, err := parseFieldMap(replies[1])
	if err != nil {
		return fmt.Errorf("SENTINEL MASTER: %w", err)
	}
	st.flags = master["flags"]
	if st.replicas, err = parseFieldMaps(replies[2]); err != nil {
		return fmt.Errorf("SENTINEL REPLICAS: %w", err)
	}
	if st.peers, err = parseFieldMaps(replies[3]); err != nil {
		return fmt.Errorf("SENTINEL SENTINELS: %w", err)
	}
	info, ok := replies[4].(string)
	if !ok {
		return fmt.Errorf("unexpected INFO sentinel reply %#v", replies[4])
	}
	st.tilt = infoField(info, "sentinel_tilt")
	return nil
}

// peerEntry returns the entry of list for addr, or nil.
func peerEntry(list []map[string]string, addr string) map[string]string {
	for _, m := range list {
		if net.JoinHostPort(m["ip"], m["port"]) == addr {
			return m
		}
	}
	return nil
}

func (g *SentinelGroup) dataState(n *Server, deadline time.Time) *dataState {
	d := &dataState{srv: n}
	reply, err := g.do(n, deadline, "ROLE")
	if err == nil {
		err = d.parse(reply)
	}
	if err != nil {
		d.err = fmt.Errorf("data node %s: ROLE: %w", n.Addr(), err)
	}
	return d
}

// parse parses ROLE: ["master", offset, [[ip, port, offset], ...]] or
// ["slave", ip, port, state, offset].
func (d *dataState) parse(reply any) error {
	a, ok := reply.([]any)
	if !ok || len(a) == 0 {
		return fmt.Errorf("unexpected reply %#v", reply)
	}
	d.role, _ = a[0].(string)
	switch d.role {
	case "master":
		if len(a) < 3 {
			return fmt.Errorf("unexpected reply %#v", reply)
		}
		list, ok := a[2].([]any)
		if !ok {
			return fmt.Errorf("unexpected reply %#v", reply)
		}
		for _, r := range list {
			addr, err := parseHostPort(r)
			if err != nil {
				return fmt.Errorf("unexpected replica %#v: %w", r, err)
			}
			d.replicas = append(d.replicas, addr)
		}
	case "slave":
		if len(a) < 4 {
			return fmt.Errorf("unexpected reply %#v", reply)
		}
		host, ok1 := a[1].(string)
		port, ok2 := a[2].(int64)
		d.link, _ = a[3].(string)
		if !ok1 || !ok2 {
			return fmt.Errorf("unexpected reply %#v", reply)
		}
		d.master = net.JoinHostPort(host, strconv.FormatInt(port, 10))
	default:
		return fmt.Errorf("unexpected role %#v", a[0])
	}
	return nil
}

// node returns the state of data node n, or nil if n is not live.
func (v *groupView) node(n *Server) *dataState {
	for _, d := range v.nodes {
		if d.srv == n {
			return d
		}
	}
	return nil
}

// replicaOf returns nil if n is live and replicates primary with its link
// up.
func (v *groupView) replicaOf(n, primary *Server) error {
	d := v.node(n)
	switch {
	case d == nil:
		return fmt.Errorf("data node %s is not live", n.Addr())
	case d.err != nil:
		return d.err
	case d.role != "slave":
		return fmt.Errorf("data node %s reports role %s, not a replica of %s", n.Addr(), d.role, primary.Addr())
	case d.master != primary.Addr():
		return fmt.Errorf("replica %s follows %s, not %s", n.Addr(), d.master, primary.Addr())
	case d.link != "connected":
		return fmt.Errorf("replica %s: link to %s is %s, not connected (master_link_status is not up)", n.Addr(), primary.Addr(), d.link)
	}
	return nil
}

// agreedPrimary returns the data node all live sentinels report as the
// primary, if it is live.
func (v *groupView) agreedPrimary() (*Server, error) {
	if len(v.sentinels) == 0 {
		return nil, errors.New("no sentinel is live")
	}
	for _, s := range v.sentinels {
		if s.err != nil {
			return nil, s.err
		}
	}
	ref := v.sentinels[0]
	for _, s := range v.sentinels[1:] {
		if s.primary != ref.primary {
			return nil, fmt.Errorf("sentinel %s reports primary %s, sentinel %s reports %s",
				ref.srv.Addr(), ref.primary, s.srv.Addr(), s.primary)
		}
	}
	p := v.g.byAddr[ref.primary]
	switch {
	case p == nil:
		return nil, fmt.Errorf("the sentinels report primary %s, not a data node of the group", ref.primary)
	case !p.Running():
		return nil, fmt.Errorf("the sentinels report primary %s, which is not running", p.Addr())
	case v.node(p) == nil:
		return nil, fmt.Errorf("the sentinels report primary %s, which is paused", p.Addr())
	}
	return p, nil
}

// stable returns nil if the group is stable with primary p as WaitStable
// defines it, else the first unmet condition.
func (v *groupView) stable(p *Server) error {
	for _, s := range v.sentinels {
		if s.tilt != "0" {
			return fmt.Errorf("sentinel %s is in TILT mode (sentinel_tilt:%s)", s.srv.Addr(), s.tilt)
		}
		if s.flags != "master" {
			return fmt.Errorf("sentinel %s flags primary %s as %s", s.srv.Addr(), p.Addr(), s.flags)
		}
	}
	pd := v.node(p)
	if pd.err != nil {
		return pd.err
	}
	if pd.role != "master" {
		return fmt.Errorf("primary %s reports role %s (of %s)", p.Addr(), pd.role, pd.master)
	}
	for _, d := range v.nodes {
		if d.srv == p {
			continue
		}
		if err := v.replicaOf(d.srv, p); err != nil {
			return err
		}
		addr := d.srv.Addr()
		if !slices.Contains(pd.replicas, addr) {
			return fmt.Errorf("primary %s does not list replica %s yet", p.Addr(), addr)
		}
		for _, s := range v.sentinels {
			e := peerEntry(s.replicas, addr)
			switch {
			case e == nil:
				return fmt.Errorf("sentinel %s does not know replica %s yet", s.srv.Addr(), addr)
			case e["flags"] != "slave":
				return fmt.Errorf("sentinel %s flags replica %s as %s", s.srv.Addr(), addr, e["flags"])
			case e["master-link-status"] != "ok":
				return fmt.Errorf("sentinel %s sees the link of replica %s as %s", s.srv.Addr(), addr, e["master-link-status"])
			case net.JoinHostPort(e["master-host"], e["master-port"]) != p.Addr():
				return fmt.Errorf("sentinel %s sees replica %s following %s:%s", s.srv.Addr(), addr, e["master-host"], e["master-port"])
			}
		}
	}
	for _, s := range v.sentinels {
		for _, o := range v.sentinels {
			if o == s {
				continue
			}
			e := peerEntry(s.peers, o.srv.Addr())
			switch {
			case e == nil:
				return fmt.Errorf("sentinel %s does not know sentinel %s yet", s.srv.Addr(), o.srv.Addr())
			case e["flags"] != "sentinel":
				return fmt.Errorf("sentinel %s flags sentinel %s as %s", s.srv.Addr(), o.srv.Addr(), e["flags"])
			}
		}
	}
	return v.replicasCaughtUp(p)
}

// replicasCaughtUp asks primary p, with WAIT, whether every replica has
// acknowledged all it has written. A replica can be linked ("connected",
// listed by the primary and the sentinels) and still receive nothing: after
// a diskless initial sync the primary streams to it only once it has
// acknowledged, which it does once a second. What is written in that gap
// is on the other replicas only, and is lost if the sentinels then promote
// this one; so a group is not stable before WAIT counts every replica.
func (v *groupView) replicasCaughtUp(p *Server) error {
	n := len(v.nodes) - 1
	if n <= 0 {
		return nil
	}
	reply, err := v.g.do(p, time.Now().Add(probeCmdLimit), "WAIT", strconv.Itoa(n), strconv.Itoa(int(caughtUpWait.Milliseconds())))
	if err != nil {
		return fmt.Errorf("WAIT on primary %s: %w", p.Addr(), err)
	}
	if got, ok := reply.(int64); !ok || got < int64(n) {
		return fmt.Errorf("primary %s: WAIT %d answered %v: not every replica has acknowledged its writes", p.Addr(), n, reply)
	}
	return nil
}

// waitUntil polls the live servers until cond returns nil, or gives up at
// deadline with the last unmet condition.
func (g *SentinelGroup) waitUntil(deadline time.Time, what string, cond func(*groupView) error) error {
	start := time.Now()
	var prev error
	for {
		if g.isClosed() {
			return errGroupClosed
		}
		probeDeadline := time.Now().Add(probeCmdLimit)
		capped := deadline.Before(probeDeadline)
		if capped {
			probeDeadline = deadline
		}
		err := cond(g.view(probeDeadline, g.sentinels != nil))
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			var ne net.Error
			if capped && prev != nil && errors.As(err, &ne) && ne.Timeout() {
				err = prev
			}
			return fmt.Errorf("redistest: sentinel group %q not %s after %v: %w", g.name, what, time.Since(start).Round(time.Millisecond), err)
		}
		prev = err
		time.Sleep(groupPoll)
	}
}

func (g *SentinelGroup) isClosed() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.closed
}

// parseHostPort parses a [host, port] array (SENTINEL
// GET-MASTER-ADDR-BY-NAME, or an entry of ROLE of a primary) into
// "host:port".
func parseHostPort(reply any) (string, error) {
	a, ok := reply.([]any)
	if !ok || len(a) < 2 {
		return "", fmt.Errorf("unexpected reply %#v", reply)
	}
	host, ok1 := a[0].(string)
	port, ok2 := a[1].(string)
	if !ok1 || !ok2 {
		return "", fmt.Errorf("unexpected reply %#v", reply)
	}
	return net.JoinHostPort(host, port), nil
}

// parseFieldMap parses a flat [field, value, ...] array.
func parseFieldMap(reply any) (map[string]string, error) {
	a, ok := reply.([]any)
	if !ok || len(a)%2 != 0 {
		return nil, fmt.Errorf("unexpected reply %#v", reply)
	}
	m := make(map[string]string, len(a)/2)
	for i := 0; i < len(a); i += 2 {
		k, ok1 := a[i].(string)
		v, ok2 := a[i+1].(string)
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("unexpected reply %#v", reply)
		}
		m[k] = v
	}
	return m, nil
}

// parseFieldMaps parses an array of flat [field, value, ...] arrays.
func parseFieldMaps(reply any) ([]map[string]string, error) {
	a, ok := reply.([]any)
	if !ok {
		return nil, fmt.Errorf("unexpected reply %#v", reply)
	}
	out := make([]map[string]string, len(a))
	for i, e := range a {
		m, err := parseFieldMap(e)
		if err != nil {
			return nil, err
		}
		out[i] = m
	}
	return out, nil
}

// do, exec and dropConns send through the group's connection pool.
func (g *SentinelGroup) do(s *Server, deadline time.Time, args ...string) (any, error) {
	return g.conns.do(s, deadline, args...)
}

func (g *SentinelGroup) exec(s *Server, deadline time.Time, cmds ...[]string) ([]any, error) {
	return g.conns.exec(s, deadline, cmds...)
}

func (g *SentinelGroup) dropConns(s *Server) { g.conns.drop(s) }
