package redistest

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
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

// ClusterNode is a cluster-enabled redis-server started by StartClusterNode.
// It starts empty and alone: it owns no slots and knows no other node until
// the test wires it (CLUSTER ADDSLOTSRANGE, CLUSTER MEET, CLUSTER
// REPLICATE, ...). The embedded Server controls the process.
type ClusterNode struct {
	*Server
	// BusPort is the node's cluster bus port (cluster-port), to pass to
	// CLUSTER MEET ip port bus-port.
	BusPort int

	release sync.Once // frees BusPort for other nodes
}

// Close closes the node as Server.Close does and frees its cluster bus
// port for the nodes started after it.
func (n *ClusterNode) Close() error {
	err := n.Server.Close()
	n.release.Do(func() { releaseBusPort(n.BusPort) })
	return err
}

// Bus port range: below 32768, where the kernel picks outgoing ports, so a
// bus port is never taken by an outgoing connection between the moment it
// is found free and the moment the node binds it.
const (
	busPortMin = 20000
	busPortMax = 22700
)

// busPorts holds the bus ports of this process's nodes that are not
// closed, and of those being started: two nodes started at the same time
// never pick the same port, and a killed node keeps its port for Restart.
var busPorts = struct {
	sync.Mutex
	taken map[int]bool
}{taken: make(map[int]bool)}

// StartClusterNode starts a cluster-enabled node like Start (cfg may set
// the usual fields) and registers its cleanup with t. The node runs with
// cluster-enabled yes, its own cluster-config-file nodes.conf in
// Server.Dir, cluster-node-timeout 1000, repl-ping-replica-period 1,
// cluster-replica-validity-factor 0 and a cluster bus port (cluster-port)
// picked free below 32768 rather than the default port+10000, which could
// exceed 65535 for ports the kernel hands out. No two nodes of this
// process that are not closed share a bus port; one taken by another
// process meanwhile is replaced by another.
func StartClusterNode(t testing.TB, cfg Config) *ClusterNode {
	t.Helper()
	n, err := StartClusterNodeServer(cfg)
	if err != nil {
		t.Fatalf("%v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			if tail := n.logTail(30); tail != "" {
				t.Logf("redistest: tail of the log of cluster node %s:\n%s", n.Addr(), tail)
			}
		}
		if err := n.Close(); err != nil {
			t.Errorf("%v", err)
		}
	})
	return n
}

// StartClusterNodeServer is StartClusterNode without a testing.TB: the
// caller must Close the node.
func StartClusterNodeServer(cfg Config) (*ClusterNode, error) {
	var lastErr error
	for attempt := 0; attempt < portAttempts; attempt++ {
		bus, err := reserveBusPort()
		if err != nil {
			return nil, err
		}
		c := cfg
		c.Args = append([]string{
			"--cluster-enabled", "yes",
			"--cluster-config-file", "nodes.conf",
			"--cluster-node-timeout", "1000",
			"--repl-ping-replica-period", "1",
			"--cluster-replica-validity-factor", "0",
			"--cluster-port", strconv.Itoa(bus),
		}, cfg.Args...)
		s, err := StartServer(c)
		if err == nil {
			return &ClusterNode{Server: s, BusPort: bus}, nil
		}
		releaseBusPort(bus)
		// Another process took the bus port (errAddrInUse if the server
		// does not say which port it could not bind).
		if !errors.Is(err, errBusPortInUse) && !errors.Is(err, errAddrInUse) {
			return nil, err
		}
		lastErr = err
	}
	return nil, lastErr
}

// reserveBusPort returns a port in [busPortMin, busPortMax) that no node
// of this process holds and that was free a moment ago, and marks it taken
// until releaseBusPort.
func reserveBusPort() (int, error) {
	busPorts.Lock()
	defer busPorts.Unlock()
	for i := 0; i < 100; i++ {
		p := busPortMin + rand.IntN(busPortMax-busPortMin)
		if busPorts.taken[p] {
			continue
		}
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err != nil {
			continue
		}
		l.Close()
		busPorts.taken[p] = true
		return p, nil
	}
	return 0, fmt.Errorf("redistest: no free cluster bus port in [%d, %d)", busPortMin, busPortMax)
}

func releaseBusPort(p int) {
	busPorts.Lock()
	delete(busPorts.taken, p)
	busPorts.Unlock()
}

// ClusterSlots is the number of hash slots of a Redis Cluster.
const ClusterSlots = 16384

// NoReplicas, as ClusterConfig.Replicas, starts a cluster of primaries only.
const NoReplicas = -1

// Default settings of StartCluster.
const (
	defaultPrimaries   = 3
	defaultReplicas    = 1
	defaultNodeTimeout = time.Second
	defaultWaitTimeout = 30 * time.Second

	clusterPoll   = 25 * time.Millisecond // state poll period
	probeCmdLimit = 2 * time.Second       // one round of state queries
	opCmdLimit    = 10 * time.Second      // one command of an operation
	migrateBatch  = 100                   // keys per MIGRATE
	migrateLimit  = 5 * time.Second       // MIGRATE timeout argument

	// rdbFile is where a node writes the RDB of a replication full sync
	// (the default dbfilename, in its dir).
	rdbFile = "dump.rdb"
)

// ClusterConfig describes a cluster to start. The zero value is 3 primaries
// with 1 replica each, a node timeout of 1 s and plain TCP without password.
type ClusterConfig struct {
	// Primaries is the number of primaries. Zero means 3. The 16384 slots
	// are split evenly into contiguous ranges, primary i owning range i,
	// as redis-cli --cluster create splits them (0-5460, 5461-10922 and
	// 10923-16383 for 3 primaries).
	Primaries int

	// Replicas is the number of replicas per primary. Zero means 1;
	// NoReplicas (any negative value) means none.
	Replicas int

	// NodeTimeout is cluster-node-timeout: how long a node may be
	// unreachable before it is flagged as failing, which drives the
	// failover after Kill. Zero means 1 s (a killed primary is replaced
	// after about 2.5 s). It is rounded down to whole milliseconds.
	NodeTimeout time.Duration

	// WaitTimeout bounds every wait of the cluster: readiness at start,
	// WaitOK, Failover, Restart and the end of a migration. Zero means
	// 30 s.
	WaitTimeout time.Duration

	// Config is the configuration of every node (see StartClusterNode).
	// With TLS, the cluster bus and replication use TLS as well
	// (tls-cluster yes, tls-replication yes) and the nodes announce their
	// TLS port. With a Password, replicas authenticate to their primary
	// (masterauth) and the helpers pass it to MIGRATE. Its Args come after
	// the cluster settings, so they override them.
	Config Config
}

// Cluster is a Redis Cluster of ClusterNodes started by StartCluster and
// wired by hand for a predictable layout: node i < Primaries is primary i
// and owns slot range i; the replicas follow, replica j of primary i being
// node Primaries + i*Replicas + j. That is the layout at start: roles
// change with Failover, Kill and Restart, and slots move with the
// migration helpers, so the methods that report roles and slots ask the
// running nodes.
//
// The methods are safe for concurrent use, but the fault helpers (Failover,
// Kill, Restart and the migrations) are meant to be called one at a time.
// Waiting methods give up after ClusterConfig.WaitTimeout.
type Cluster struct {
	nodes       []*ClusterNode
	ids         map[*ClusterNode]string
	byID        map[string]*ClusterNode
	byAddr      map[string]*ClusterNode
	password    string
	waitTimeout time.Duration

	conns *connPool // for the helpers' commands

	mu     sync.Mutex // guards closed
	closed bool

	// afterMeet, if set, runs after the first CLUSTER MEETs (for tests).
	afterMeet func(*Cluster)
	// remeets counts the CLUSTER MEETs wire sent again.
	remeets int
}

// SlotRange is a range of slots and the nodes serving it, as CLUSTER SLOTS
// reports them.
type SlotRange struct {
	Start, End int // inclusive
	Primary    *ClusterNode
	Replicas   []*ClusterNode // in the order of Cluster.Nodes
}

// StartCluster starts a cluster like StartClusterServer and registers
// t.Cleanup to Close it. If the test failed, the cleanup first logs the tail
// of every node's log. Any start failure ends the test with t.Fatalf.
func StartCluster(t testing.TB, cfg ClusterConfig) *Cluster {
	t.Helper()
	c, err := StartClusterServer(cfg)
	if err != nil {
		t.Fatalf("%v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			for _, n := range c.nodes {
				if tail := n.logTail(30); tail != "" {
					t.Logf("redistest: tail of the log of cluster node %s (%s):\n%s", n.Addr(), c.ids[n], tail)
				}
			}
		}
		if err := c.Close(); err != nil {
			t.Errorf("%v", err)
		}
	})
	return c
}

// StartClusterServer starts the nodes concurrently (see StartClusterNode),
// wires them (CLUSTER SET-CONFIG-EPOCH, ADDSLOTSRANGE, MEET between every
// pair, repeated until every node knows every other, then CLUSTER
// REPLICATE) and returns once the cluster is ready as WaitOK defines it,
// about 2.2 s after the start (a new primary reports cluster_state:ok no
// sooner than 2 s after it started). The caller must Close the cluster.
func StartClusterServer(cfg ClusterConfig) (*Cluster, error) {
	return startClusterServer(cfg, nil)
}

// startClusterServer is StartClusterServer with Cluster.afterMeet.
func startClusterServer(cfg ClusterConfig, afterMeet func(*Cluster)) (*Cluster, error) {
	primaries, replicas := cfg.Primaries, cfg.Replicas
	switch {
	case primaries == 0:
		primaries = defaultPrimaries
	case primaries < 0 || primaries > ClusterSlots:
		return nil, fmt.Errorf("redistest: ClusterConfig.Primaries must be in [0, %d], not %d", ClusterSlots, primaries)
	}
	switch {
	case replicas == 0:
		replicas = defaultReplicas
	case replicas < 0:
		replicas = 0
	}
	nodeTimeout := cfg.NodeTimeout
	if nodeTimeout == 0 {
		nodeTimeout = defaultNodeTimeout
	}
	if nodeTimeout < time.Millisecond {
		return nil, fmt.Errorf("redistest: ClusterConfig.NodeTimeout %v is below 1ms", nodeTimeout)
	}
	c := &Cluster{
		nodes:       make([]*ClusterNode, primaries*(1+replicas)),
		ids:         make(map[*ClusterNode]string),
		byID:        make(map[string]*ClusterNode),
		byAddr:      make(map[string]*ClusterNode),
		password:    cfg.Config.Password,
		waitTimeout: cfg.WaitTimeout,
		conns:       newConnPool(errClusterClosed),
		afterMeet:   afterMeet,
	}
	if c.waitTimeout <= 0 {
		c.waitTimeout = defaultWaitTimeout
	}
	deadline := time.Now().Add(c.waitTimeout)

	nodeCfg := cfg.Config
	nodeCfg.Args = []string{"--cluster-node-timeout", strconv.FormatInt(nodeTimeout.Milliseconds(), 10)}
	if nodeCfg.TLS {
		nodeCfg.Args = append(nodeCfg.Args, "--tls-cluster", "yes", "--tls-replication", "yes")
	}
	if nodeCfg.Password != "" {
		nodeCfg.Args = append(nodeCfg.Args, "--masterauth", nodeCfg.Password)
	}
	nodeCfg.Args = append(nodeCfg.Args, cfg.Config.Args...)

	errs := make([]error, len(c.nodes))
	var wg sync.WaitGroup
	for i := range c.nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.nodes[i], errs[i] = StartClusterNodeServer(nodeCfg)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		c.Close()
		return nil, err
	}
	for _, n := range c.nodes {
		c.byAddr[n.Addr()] = n
	}
	if err := c.wire(primaries, replicas, deadline); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// wire joins the fresh nodes into the initial layout and waits until the
// cluster is ready.
func (c *Cluster) wire(primaries, replicas int, deadline time.Time) error {
	// Each node alone: read its ID, give it a distinct config epoch (which
	// a node accepts only while it knows no other node) and its slots.
	errs := make([]error, len(c.nodes))
	ids := make([]string, len(c.nodes))
	c.each(c.nodes, func(i int, n *ClusterNode) {
		cmds := [][]string{
			{"CLUSTER", "MYID"},
			{"CLUSTER", "SET-CONFIG-EPOCH", strconv.Itoa(i + 1)},
		}
		if i < primaries {
			lo, hi := slotRangeOf(i, primaries)
			cmds = append(cmds, []string{"CLUSTER", "ADDSLOTSRANGE", strconv.Itoa(lo), strconv.Itoa(hi)})
		}
		replies, err := c.exec(n, deadline, cmds...)
		if err == nil {
			err = firstReplyError(replies)
		}
		if err == nil {
			id, ok := replies[0].(string)
			if !ok || id == "" {
				err = fmt.Errorf("unexpected CLUSTER MYID reply %#v", replies[0])
			}
			ids[i] = id
		}
		if err != nil {
			errs[i] = fmt.Errorf("redistest: set up cluster node %s: %w", n.Addr(), err)
		}
	})
	if err := errors.Join(errs...); err != nil {
		return err
	}
	for i, n := range c.nodes {
		c.ids[n] = ids[i]
		c.byID[ids[i]] = n
	}

	if err := c.meet(deadline); err != nil {
		return err
	}
	if err := c.replicate(primaries, replicas, deadline); err != nil {
		return err
	}
	return c.waitUntil(deadline, "ready", func(v *clusterView) error { return v.healthy() })
}

// meet introduces every node to every other with CLUSTER MEET and waits
// until each knows all the others by ID.
//
// A MEET is not reliable. The node told to MEET adds the other as a
// handshake node, which it drops if the handshake (its MEET, the other's
// PONG) has not completed after max(cluster-node-timeout, 1 s), and it
// never tries again. Apart from a MEET, a node learns of another only from
// the gossip of a node it knows already, and a PING from a node it does
// not know teaches it nothing. So a node stalled for a second right after
// the MEETs (on a loaded machine) ends up knowing no other node, or being
// known by none, for good, and CLUSTER REPLICATE on its replica answers
// "Unknown node" until the deadline. Hence meet checks CLUSTER NODES and
// sends CLUSTER MEET again for every pair still apart once its handshake
// is gone.
func (c *Cluster) meet(deadline time.Time) error {
	meetCmd := func(m *ClusterNode) []string {
		return []string{"CLUSTER", "MEET", "127.0.0.1", strconv.Itoa(m.Port()), strconv.Itoa(m.BusPort)}
	}
	// A full mesh of MEETs, so no node waits for gossip to learn another.
	errs := make([]error, len(c.nodes))
	c.each(c.nodes, func(i int, n *ClusterNode) {
		var cmds [][]string
		for _, m := range c.nodes[:i] {
			cmds = append(cmds, meetCmd(m))
		}
		if len(cmds) == 0 {
			return
		}
		replies, err := c.exec(n, deadline, cmds...)
		if err == nil {
			err = firstReplyError(replies)
		}
		if err != nil {
			errs[i] = fmt.Errorf("redistest: CLUSTER MEET from %s: %w", n.Addr(), err)
		}
	})
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if c.afterMeet != nil {
		c.afterMeet(c)
	}

	// remeets[i][j] counts the MEETs sent again from node i to node j.
	remeets := make([][]int, len(c.nodes))
	for i := range remeets {
		remeets[i] = make([]int, len(c.nodes))
	}
	defer func() {
		for _, row := range remeets {
			for _, k := range row {
				c.remeets += k
			}
		}
	}()
	start := time.Now()
	for {
		// Not capped at deadline, so that the last round reports what
		// the nodes know rather than timeouts.
		probeDeadline := time.Now().Add(probeCmdLimit)
		states := make([]*meetState, len(c.nodes))
		c.each(c.nodes, func(i int, n *ClusterNode) { states[i] = c.meetState(n, probeDeadline) })
		met := true
		for _, s := range states {
			if !s.met() {
				met = false
			}
		}
		if met {
			return nil
		}
		if time.Now().After(deadline) {
			return c.meetError(states, remeets, time.Since(start))
		}
		// MEET again the pairs with no handshake under way on either
		// side (the node told to MEET holds a handshake node from the
		// command until the handshake is done, the other one from the
		// MEET it reads until its PING is answered), from one side.
		c.each(c.nodes, func(i int, n *ClusterNode) {
			var cmds [][]string
			for _, m := range states[i].missing {
				j := c.index(m)
				if o := states[j]; states[i].shaking[m] ||
					o.err == nil && (o.shaking[n] || j > i && slices.Contains(o.missing, n)) {
					continue
				}
				cmds = append(cmds, meetCmd(m))
				remeets[i][j]++
			}
			if len(cmds) > 0 {
				// A failure shows in the next round.
				_, _ = c.exec(n, probeDeadline, cmds...)
			}
		})
		time.Sleep(clusterPoll)
	}
}

// meetState is what a node knows of the others while meet waits.
type meetState struct {
	node    *ClusterNode
	err     error                 // CLUSTER NODES failed
	nodes   string                // CLUSTER NODES
	missing []*ClusterNode        // the nodes it does not know
	shaking map[*ClusterNode]bool // missing nodes it is in handshake with
	foreign []nodeLine            // nodes it knows that are not of c
}

func (s *meetState) met() bool {
	return s.err == nil && len(s.missing) == 0 && len(s.foreign) == 0
}

// meetState asks n which nodes it knows.
func (c *Cluster) meetState(n *ClusterNode, deadline time.Time) *meetState {
	s := &meetState{node: n, shaking: make(map[*ClusterNode]bool)}
	reply, err := c.do(n, deadline, "CLUSTER", "NODES")
	var lines []nodeLine
	if err == nil {
		var ok bool
		if s.nodes, ok = reply.(string); !ok {
			err = fmt.Errorf("unexpected CLUSTER NODES reply %#v", reply)
		}
	}
	if err == nil {
		lines, err = parseNodes(s.nodes)
	}
	if err != nil {
		s.err = err
		return s
	}
	known := make(map[*ClusterNode]bool)
	for _, l := range lines {
		m := c.byID[l.id]
		switch {
		case l.has("handshake"):
			// A handshake node has a random ID and the address it
			// was told to MEET.
			for _, p := range c.nodes {
				if l.addr == fmt.Sprintf("127.0.0.1:%d@%d", p.Port(), p.BusPort) {
					s.shaking[p] = true
				}
			}
		case m == nil:
			s.foreign = append(s.foreign, l)
		case !l.has("noaddr"):
			known[m] = true
		}
	}
	for _, m := range c.nodes {
		if m != n && !known[m] {
			s.missing = append(s.missing, m)
		}
	}
	return s
}

// meetError describes why the nodes have not all met, with their IDs and
// the CLUSTER NODES of the first few nodes that miss some.
func (c *Cluster) meetError(states []*meetState, remeets [][]int, waited time.Duration) error {
	const maxDumps = 3
	var problems []string
	var gapped []*meetState
	for i, s := range states {
		switch {
		case s.met():
			continue
		case s.err != nil:
			problems = append(problems, fmt.Sprintf("CLUSTER NODES on %s: %v", s.node.Addr(), s.err))
			continue
		default:
			gapped = append(gapped, s)
		}
		var missing []string
		for _, m := range s.missing {
			state := "no handshake in progress"
			if s.shaking[m] {
				state = "handshake in progress"
			}
			missing = append(missing, fmt.Sprintf("%s (%s, CLUSTER MEET sent again %d times)", m.Addr(), state, remeets[i][c.index(m)]))
		}
		if len(missing) > 0 {
			problems = append(problems, fmt.Sprintf("%s does not know %s", s.node.Addr(), strings.Join(missing, ", ")))
		}
		for _, l := range s.foreign {
			problems = append(problems, fmt.Sprintf("%s knows %s at %s, not a node of this cluster", s.node.Addr(), l.id, l.addr))
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "redistest: cluster nodes have not all met after %v: %s\n--- node IDs ---", waited.Round(time.Millisecond), strings.Join(problems, "; "))
	for _, n := range c.nodes {
		fmt.Fprintf(&b, "\n%s %s", n.Addr(), c.ids[n])
	}
	// The nodes that miss the most first: a node that knows no other
	// tells more than one that misses a stalled node.
	slices.SortStableFunc(gapped, func(a, b *meetState) int { return len(b.missing) - len(a.missing) })
	for _, s := range gapped[:min(len(gapped), maxDumps)] {
		fmt.Fprintf(&b, "\n--- CLUSTER NODES of %s ---\n%s", s.node.Addr(), strings.TrimRight(s.nodes, "\n"))
	}
	return errors.New(b.String())
}

// replicate makes each replica replicate its primary, in the layout at
// start.
func (c *Cluster) replicate(primaries, replicas int, deadline time.Time) error {
	errs := make([]error, len(c.nodes))
	c.each(c.nodes[primaries:], func(j int, n *ClusterNode) {
		primary := c.nodes[j/replicas]
		id := c.ids[primary]
		for {
			// CLUSTER REPLICATE fails with "Unknown node" until the
			// replica has completed a handshake with its primary (or
			// learnt of it by gossip), which meet waited for.
			_, err := c.do(n, deadline, "CLUSTER", "REPLICATE", id)
			if err == nil {
				return
			}
			if !strings.Contains(err.Error(), "Unknown node") || time.Now().Add(clusterPoll).After(deadline) {
				errs[j] = fmt.Errorf("redistest: CLUSTER REPLICATE %s (primary %s) on %s: %w%s",
					id, primary.Addr(), n.Addr(), err, c.clusterNodesOf(n))
				return
			}
			time.Sleep(clusterPoll)
		}
	})
	return errors.Join(errs...)
}

// clusterNodesOf returns CLUSTER NODES of n for an error message, on a
// line of its own.
func (c *Cluster) clusterNodesOf(n *ClusterNode) string {
	reply, err := c.do(n, time.Now().Add(probeCmdLimit), "CLUSTER", "NODES")
	if err != nil {
		return fmt.Sprintf("\n(CLUSTER NODES on %s: %v)", n.Addr(), err)
	}
	return fmt.Sprintf("\n--- CLUSTER NODES of %s ---\n%v", n.Addr(), strings.TrimRight(fmt.Sprint(reply), "\n"))
}

// slotRangeOf returns the slots of primary i of n at start: the boundaries
// are i*16384/n rounded to the nearest integer, as redis-cli --cluster
// create splits them (0-5460, 5461-10922, 10923-16383 for 3).
func slotRangeOf(i, n int) (lo, hi int) {
	bound := func(i int) int { return (2*i*ClusterSlots + n) / (2 * n) }
	return bound(i), bound(i+1) - 1
}

// each calls fn concurrently for every node and waits for all calls.
func (c *Cluster) each(nodes []*ClusterNode, fn func(i int, n *ClusterNode)) {
	var wg sync.WaitGroup
	for i, n := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(i, n)
		}()
	}
	wg.Wait()
}

// Nodes returns all nodes, running or not, in the start layout order (see
// Cluster). The slice is a copy.
func (c *Cluster) Nodes() []*ClusterNode { return slices.Clone(c.nodes) }

// Addrs returns the addresses of all nodes, in the order of Nodes.
func (c *Cluster) Addrs() []string {
	addrs := make([]string, len(c.nodes))
	for i, n := range c.nodes {
		addrs[i] = n.Addr()
	}
	return addrs
}

// NodeID returns the cluster node ID of n (what CLUSTER MYID answers, read
// at start; it survives Kill and Restart), or "" if n is not a node of c.
func (c *Cluster) NodeID(n *ClusterNode) string { return c.ids[n] }

// NodeByID returns the node with the given cluster node ID, or nil.
func (c *Cluster) NodeByID(id string) *ClusterNode { return c.byID[id] }

// NodeByAddr returns the node listening on addr ("127.0.0.1:PORT", as in
// MOVED and ASK redirections), or nil.
func (c *Cluster) NodeByAddr(addr string) *ClusterNode { return c.byAddr[addr] }

// Primaries returns the running nodes that are primaries now, each
// according to itself, in the order of Nodes. A primary may own no slots
// (after migrating all of them away).
func (c *Cluster) Primaries() ([]*ClusterNode, error) {
	return c.liveRoles(func(s *nodeState) bool { return s.self.primary() })
}

// Replicas returns the running nodes that are replicas now, each according
// to itself, in the order of Nodes.
func (c *Cluster) Replicas() ([]*ClusterNode, error) {
	return c.liveRoles(func(s *nodeState) bool { return !s.self.primary() })
}

// ReplicasOf returns the running nodes that replicate primary now, each
// according to itself, in the order of Nodes.
func (c *Cluster) ReplicasOf(primary *ClusterNode) ([]*ClusterNode, error) {
	id := c.ids[primary]
	if id == "" {
		return nil, errNotMember(primary)
	}
	return c.liveRoles(func(s *nodeState) bool { return !s.self.primary() && s.self.primaryID == id })
}

func (c *Cluster) liveRoles(keep func(*nodeState) bool) ([]*ClusterNode, error) {
	v := c.view(time.Now().Add(probeCmdLimit))
	var out []*ClusterNode
	for _, s := range v.states {
		if s.err != nil {
			return nil, s.err
		}
		if keep(s) {
			out = append(out, s.node)
		}
	}
	return out, nil
}

// Slots returns the slot map (CLUSTER SLOTS) as the first running node that
// answers sees it, sorted by slot. Nodes may briefly disagree after a
// change; call WaitOK first for the settled map.
func (c *Cluster) Slots() ([]SlotRange, error) {
	deadline := time.Now().Add(opCmdLimit)
	var errs []error
	for _, n := range c.nodes {
		if !n.Running() {
			continue
		}
		reply, err := c.do(n, deadline, "CLUSTER", "SLOTS")
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", n.Addr(), err))
			continue
		}
		ranges, err := parseSlots(reply)
		if err != nil {
			return nil, fmt.Errorf("redistest: CLUSTER SLOTS from %s: %w", n.Addr(), err)
		}
		out := make([]SlotRange, len(ranges))
		for i, r := range ranges {
			out[i] = SlotRange{Start: r.start, End: r.end, Primary: c.byID[r.primary]}
			if out[i].Primary == nil {
				return nil, fmt.Errorf("redistest: CLUSTER SLOTS from %s lists unknown node %s", n.Addr(), r.primary)
			}
			for _, id := range r.replicas {
				if m := c.byID[id]; m != nil {
					out[i].Replicas = append(out[i].Replicas, m)
				}
			}
			slices.SortFunc(out[i].Replicas, func(a, b *ClusterNode) int { return c.index(a) - c.index(b) })
		}
		return out, nil
	}
	if len(errs) == 0 {
		return nil, errors.New("redistest: no cluster node is running")
	}
	return nil, fmt.Errorf("redistest: CLUSTER SLOTS: %w", errors.Join(errs...))
}

// PrimaryOf returns the primary that owns slot now, according to Slots.
// During a migration that is the source until the migration finishes.
func (c *Cluster) PrimaryOf(slot int) (*ClusterNode, error) {
	if slot < 0 || slot >= ClusterSlots {
		return nil, fmt.Errorf("redistest: slot %d out of range", slot)
	}
	ranges, err := c.Slots()
	if err != nil {
		return nil, err
	}
	for _, r := range ranges {
		if r.Start <= slot && slot <= r.End {
			return r.Primary, nil
		}
	}
	return nil, fmt.Errorf("redistest: slot %d is not served", slot)
}

// Do sends one command to node n and returns its reply: a simple or bulk
// string as string, an integer as int64, a null as nil, an array as []any
// of these. An error reply is returned as a ReplyError error (inside an
// array, as a ReplyError element). Connections are pooled per node and
// authenticated with Config.Password, so the command must leave the
// connection in its default state (no SELECT, no MULTI, no ASKING followed
// by a separate Do: use your own connection for those).
func (c *Cluster) Do(n *ClusterNode, args ...string) (any, error) {
	if c.ids[n] == "" {
		return nil, errNotMember(n)
	}
	if len(args) == 0 {
		return nil, errors.New("redistest: Do: no command")
	}
	return c.do(n, time.Now().Add(opCmdLimit), args...)
}

// WaitOK waits until the cluster has settled: every running node reports
// cluster_state:ok, all of them return the same CLUSTER SLOTS (primaries,
// replicas and ranges), that map lists no stopped node and lists every
// running node (except primaries owning no slots and their replicas), every
// listed replica reports master_link_status:up, and no running node sees
// another running node as failing. It gives up after
// ClusterConfig.WaitTimeout with an error naming the condition still
// unmet.
//
// After Kill of a replica this includes the time the others take to flag
// it as failed (about 1.5 node timeouts), and after Kill of a primary the
// time its replica takes to replace it (about 2.5 node timeouts). A
// cluster that lost a primary for good (see Kill) never settles.
func (c *Cluster) WaitOK() error {
	return c.waitUntil(time.Now().Add(c.waitTimeout), "OK", func(v *clusterView) error { return v.healthy() })
}

// Kill sends SIGKILL to node n (see Server.Kill) and returns once it has
// exited, without waiting for the cluster to notice: follow with WaitOK to
// wait for the failover (of a primary) or for the others to flag the node
// as failed. The node keeps its directory and nodes.conf, for Restart.
//
// A replica replaces a killed primary only with the votes of a majority of
// all primaries, so with fewer than 3 primaries (or a killed primary
// without replicas) the cluster stays down until Restart.
func (c *Cluster) Kill(n *ClusterNode) error {
	if c.ids[n] == "" {
		return errNotMember(n)
	}
	c.dropConns(n)
	return n.Kill()
}

// Restart kills node n if it is running (SIGKILL), starts it again on the
// same port and cluster bus port with the same nodes.conf, so it rejoins
// under its node ID, and waits until the cluster is OK (see WaitOK).
//
// A former primary whose slots a replica took over meanwhile rejoins as a
// replica of it, in well under a second. A node restarted before the
// others noticed it was gone (within the node timeout; Restart of a
// running node normally is) keeps its role, and a restarted primary that
// kept its slots reports cluster_state:ok only 2 s after its start. The
// node comes back empty: Restart removes the RDB file that a replication
// full sync may have left in its directory, so old data never reappears
// (replicas copy their primary again).
func (c *Cluster) Restart(n *ClusterNode) error {
	if c.ids[n] == "" {
		return errNotMember(n)
	}
	c.dropConns(n)
	if err := n.Kill(); err != nil {
		return err
	}
	c.dropConns(n)
	if err := os.Remove(filepath.Join(n.Dir(), rdbFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("redistest: %w", err)
	}
	if err := n.Start(); err != nil {
		return err
	}
	return c.WaitOK()
}

// Failover makes replica the primary of its shard with CLUSTER FAILOVER (a
// coordinated manual failover: the primary stops writes until the replica
// has caught up), or CLUSTER FAILOVER FORCE if the replica's primary is
// down. It returns once replica is a primary, its former primary (if
// running) replicates it, and the cluster is OK as WaitOK defines it. A
// failover that does not happen, or that a newer election reverts, is
// requested again.
func (c *Cluster) Failover(replica *ClusterNode) error {
	id := c.ids[replica]
	if id == "" {
		return errNotMember(replica)
	}
	deadline := time.Now().Add(c.waitTimeout)
	s := c.nodeState(replica, deadline)
	if s.err != nil {
		return fmt.Errorf("redistest: Failover: %w", s.err)
	}
	if s.self.primary() {
		return fmt.Errorf("redistest: Failover: %s is a primary", replica.Addr())
	}
	old := c.byID[s.self.primaryID]

	// request asks for the failover and returns when to ask again if the
	// replica has not been promoted by then. A manual failover times out
	// after 5 s (CLUSTER_MF_TIMEOUT).
	var retryAt time.Time
	request := func() error {
		_, err := c.do(replica, deadline, "CLUSTER", "FAILOVER")
		if err != nil && strings.Contains(err.Error(), "FORCE") {
			_, err = c.do(replica, deadline, "CLUSTER", "FAILOVER", "FORCE")
		}
		retryAt = time.Now().Add(6 * time.Second)
		return err
	}
	if err := request(); err != nil {
		return fmt.Errorf("redistest: CLUSTER FAILOVER on %s: %w", replica.Addr(), err)
	}
	return c.waitUntil(deadline, "failed over to "+replica.Addr(), func(v *clusterView) error {
		s := v.of(replica)
		if s == nil || s.err != nil {
			return fmt.Errorf("%s is not answering", replica.Addr())
		}
		if !s.self.primary() {
			if time.Now().After(retryAt) {
				if err := request(); err != nil {
					return fmt.Errorf("CLUSTER FAILOVER on %s: %w", replica.Addr(), err)
				}
			}
			return fmt.Errorf("%s is not a primary yet", replica.Addr())
		}
		if o := v.of(old); o != nil && o.err == nil && o.self.primaryID != id {
			return fmt.Errorf("former primary %s does not replicate %s yet", old.Addr(), replica.Addr())
		}
		return v.healthy()
	})
}

// Migration is a slot migration in progress, started by BeginMigration.
// Between its steps the slot is MIGRATING on the source and IMPORTING on
// the target: the source answers -ASK for keys of the slot it no longer
// holds, and the target serves commands preceded by ASKING. A Migration is
// not safe for concurrent use.
type Migration struct {
	c            *Cluster
	slot         int
	source, dest *ClusterNode
	finished     bool
}

// Slot returns the slot being migrated.
func (m *Migration) Slot() int { return m.slot }

// Source returns the primary the slot is moving from.
func (m *Migration) Source() *ClusterNode { return m.source }

// Target returns the primary the slot is moving to.
func (m *Migration) Target() *ClusterNode { return m.dest }

// BeginMigration starts moving slot from its current owner (PrimaryOf) to
// the primary to: CLUSTER SETSLOT slot IMPORTING on to, then CLUSTER
// SETSLOT slot MIGRATING on the owner. It moves no keys; see MoveKeys and
// Finish. It fails if to already owns slot.
func (c *Cluster) BeginMigration(slot int, to *ClusterNode) (*Migration, error) {
	toID := c.ids[to]
	if toID == "" {
		return nil, errNotMember(to)
	}
	from, err := c.PrimaryOf(slot)
	if err != nil {
		return nil, err
	}
	if from == to {
		return nil, fmt.Errorf("redistest: slot %d is already on %s", slot, to.Addr())
	}
	deadline := time.Now().Add(opCmdLimit)
	s := strconv.Itoa(slot)
	if _, err := c.do(to, deadline, "CLUSTER", "SETSLOT", s, "IMPORTING", c.ids[from]); err != nil {
		return nil, fmt.Errorf("redistest: CLUSTER SETSLOT %d IMPORTING on %s: %w", slot, to.Addr(), err)
	}
	if _, err := c.do(from, deadline, "CLUSTER", "SETSLOT", s, "MIGRATING", toID); err != nil {
		return nil, fmt.Errorf("redistest: CLUSTER SETSLOT %d MIGRATING on %s: %w", slot, from.Addr(), err)
	}
	return &Migration{c: c, slot: slot, source: from, dest: to}, nil
}

// MoveKeys moves up to n keys of the slot (all of them if n <= 0) from the
// source to the target with CLUSTER GETKEYSINSLOT and MIGRATE, in batches
// of up to 100 keys, and returns how many it moved. MIGRATE fails with
// BUSYKEY if the target already holds one of the keys (for example one
// written there with ASKING meanwhile).
func (m *Migration) MoveKeys(n int) (moved int, err error) {
	if m.finished {
		return 0, errors.New("redistest: MoveKeys: migration finished")
	}
	c := m.c
	for n <= 0 || moved < n {
		batch := migrateBatch
		if n > 0 {
			batch = min(batch, n-moved)
		}
		deadline := time.Now().Add(opCmdLimit)
		reply, err := c.do(m.source, deadline, "CLUSTER", "GETKEYSINSLOT", strconv.Itoa(m.slot), strconv.Itoa(batch))
		if err != nil {
			return moved, fmt.Errorf("redistest: CLUSTER GETKEYSINSLOT on %s: %w", m.source.Addr(), err)
		}
		keys, ok := reply.([]any)
		if !ok {
			return moved, fmt.Errorf("redistest: unexpected CLUSTER GETKEYSINSLOT reply %#v", reply)
		}
		if len(keys) == 0 {
			break
		}
		args := []string{"MIGRATE", "127.0.0.1", strconv.Itoa(m.dest.Port()), "", "0",
			strconv.FormatInt(migrateLimit.Milliseconds(), 10)}
		if c.password != "" {
			args = append(args, "AUTH", c.password)
		}
		args = append(args, "KEYS")
		for _, k := range keys {
			key, ok := k.(string)
			if !ok {
				return moved, fmt.Errorf("redistest: unexpected key %#v in CLUSTER GETKEYSINSLOT reply", k)
			}
			args = append(args, key)
		}
		if _, err := c.do(m.source, deadline, args...); err != nil {
			return moved, fmt.Errorf("redistest: MIGRATE from %s to %s: %w", m.source.Addr(), m.dest.Addr(), err)
		}
		moved += len(keys)
	}
	return moved, nil
}

// Finish moves the keys still on the source, assigns the slot to the
// target with CLUSTER SETSLOT slot NODE on the target, the source and every
// other running primary, and waits until the cluster is OK (see WaitOK)
// with every node agreeing that the target owns the slot.
func (m *Migration) Finish() error {
	if err := m.finish(); err != nil {
		return err
	}
	return m.c.waitOwned(time.Now().Add(m.c.waitTimeout), []int{m.slot}, m.dest)
}

// finish is Finish without the wait.
func (m *Migration) finish() error {
	if m.finished {
		return errors.New("redistest: Finish: migration already finished")
	}
	if _, err := m.MoveKeys(0); err != nil {
		return err
	}
	c := m.c
	primaries, err := c.Primaries()
	if err != nil {
		return err
	}
	order := []*ClusterNode{m.dest, m.source}
	for _, p := range primaries {
		if p != m.dest && p != m.source {
			order = append(order, p)
		}
	}
	deadline := time.Now().Add(opCmdLimit)
	for _, n := range order {
		if _, err := c.do(n, deadline, "CLUSTER", "SETSLOT", strconv.Itoa(m.slot), "NODE", c.ids[m.dest]); err != nil {
			return fmt.Errorf("redistest: CLUSTER SETSLOT %d NODE on %s: %w", m.slot, n.Addr(), err)
		}
	}
	m.finished = true
	return nil
}

// MigrateSlot moves slot and its keys from its current owner to the primary
// to: BeginMigration, then Finish. It fails if to already owns slot.
func (c *Cluster) MigrateSlot(slot int, to *ClusterNode) error {
	return c.MigrateSlots([]int{slot}, to)
}

// MigrateSlots moves each slot and its keys to the primary to, one slot
// after the other as MigrateSlot does, and waits once at the end until the
// cluster is OK with every node agreeing that to owns all of them. Like
// MigrateSlot, it fails on a slot to already owns.
func (c *Cluster) MigrateSlots(slots []int, to *ClusterNode) error {
	deadline := time.Now().Add(c.waitTimeout)
	for _, slot := range slots {
		m, err := c.BeginMigration(slot, to)
		if err != nil {
			return err
		}
		if err := m.finish(); err != nil {
			return err
		}
	}
	return c.waitOwned(deadline, slots, to)
}

// waitOwned waits until the cluster is OK and every node's slot map has
// owner serving slots.
func (c *Cluster) waitOwned(deadline time.Time, slots []int, owner *ClusterNode) error {
	id := c.ids[owner]
	return c.waitUntil(deadline, "OK with the slots on "+owner.Addr(), func(v *clusterView) error {
		if err := v.healthy(); err != nil {
			return err
		}
		for _, slot := range slots {
			if got := v.states[0].ownerOf(slot); got != id {
				return fmt.Errorf("slot %d is on %s", slot, c.addrOfID(got))
			}
		}
		return nil
	})
}

// Close closes the pooled connections and Closes every node (SIGKILL, then
// the directory is removed). It is idempotent.
func (c *Cluster) Close() error {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.conns.close()
	var errs []error
	for _, n := range c.nodes {
		if n != nil {
			errs = append(errs, n.Close())
		}
	}
	return errors.Join(errs...)
}

func (c *Cluster) index(n *ClusterNode) int { return slices.Index(c.nodes, n) }

func (c *Cluster) addrOfID(id string) string {
	if n := c.byID[id]; n != nil {
		return n.Addr()
	}
	if id == "" {
		return "no node"
	}
	return "unknown node " + id
}

func errNotMember(n *ClusterNode) error {
	if n == nil {
		return errors.New("redistest: nil cluster node")
	}
	return fmt.Errorf("redistest: %s is not a node of this cluster", n.Addr())
}

// firstReplyError returns the first error reply among replies, if any.
func firstReplyError(replies []any) error {
	for _, r := range replies {
		if e, ok := r.(ReplyError); ok {
			return e
		}
	}
	return nil
}
