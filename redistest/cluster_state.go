package redistest

import (
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// maxIdleConns is the number of idle connections a connPool keeps per server.
const maxIdleConns = 4

var errClusterClosed = errors.New("redistest: cluster is closed")

// clusterView is what the running nodes of a cluster report at one moment.
type clusterView struct {
	c      *Cluster
	states []*nodeState // one per running node, in the order of Cluster.nodes
}

// nodeState is what one node reports about itself and the cluster.
type nodeState struct {
	node     *ClusterNode
	err      error      // the node did not answer; the fields below are unset
	state    string     // cluster_state of CLUSTER INFO
	self     nodeLine   // its own line of CLUSTER NODES
	lines    []nodeLine // all of CLUSTER NODES
	slots    []slotRange
	slotsKey string // slots, rendered for comparison
	linkUp   bool   // master_link_status:up (replicas)
}

// nodeLine is one line of CLUSTER NODES.
type nodeLine struct {
	id        string
	addr      string // ip:port@cport, without the ",hostname"
	flags     []string
	primaryID string // "" for a primary
	slots     int    // slot entries, not counting migrating/importing ones
}

func (l nodeLine) primary() bool { return l.has("master") }

func (l nodeLine) has(flag string) bool { return slices.Contains(l.flags, flag) }

func (l nodeLine) failing() bool {
	return l.has("fail") || l.has("fail?")
}

// slotRange is one entry of CLUSTER SLOTS, by node ID.
type slotRange struct {
	start, end int
	primary    string
	replicas   []string // sorted
}

// view queries every running node concurrently.
func (c *Cluster) view(deadline time.Time) *clusterView {
	var running []*ClusterNode
	for _, n := range c.nodes {
		if n.Running() {
			running = append(running, n)
		}
	}
	v := &clusterView{c: c, states: make([]*nodeState, len(running))}
	c.each(running, func(i int, n *ClusterNode) { v.states[i] = c.nodeState(n, deadline) })
	return v
}

// nodeState queries one node.
func (c *Cluster) nodeState(n *ClusterNode, deadline time.Time) *nodeState {
	s := &nodeState{node: n}
	replies, err := c.exec(n, deadline,
		[]string{"CLUSTER", "INFO"},
		[]string{"CLUSTER", "NODES"},
		[]string{"CLUSTER", "SLOTS"},
		[]string{"INFO", "replication"},
	)
	if err == nil {
		err = firstReplyError(replies)
	}
	if err == nil {
		err = s.parse(replies, c.ids[n])
	}
	if err != nil {
		s.err = fmt.Errorf("%s: %w", n.Addr(), err)
	}
	return s
}

func (s *nodeState) parse(replies []any, myID string) error {
	info, ok1 := replies[0].(string)
	nodes, ok2 := replies[1].(string)
	repl, ok3 := replies[3].(string)
	if !ok1 || !ok2 || !ok3 {
		return fmt.Errorf("unexpected replies %#v", replies)
	}
	s.state = infoField(info, "cluster_state")
	s.linkUp = infoField(repl, "master_link_status") == "up"
	var err error
	if s.lines, err = parseNodes(nodes); err != nil {
		return fmt.Errorf("CLUSTER NODES: %w", err)
	}
	found := false
	for _, l := range s.lines {
		if l.id == myID {
			s.self, found = l, true
		}
	}
	if !found {
		return fmt.Errorf("CLUSTER NODES lacks the node itself (%s)", myID)
	}
	if s.slots, err = parseSlots(replies[2]); err != nil {
		return fmt.Errorf("CLUSTER SLOTS: %w", err)
	}
	var b strings.Builder
	for _, r := range s.slots {
		fmt.Fprintf(&b, "%d-%d:%s:%s;", r.start, r.end, r.primary, strings.Join(r.replicas, ","))
	}
	s.slotsKey = b.String()
	return nil
}

// ownerOf returns the ID of the primary serving slot in s's map, or "".
func (s *nodeState) ownerOf(slot int) string {
	for _, r := range s.slots {
		if r.start <= slot && slot <= r.end {
			return r.primary
		}
	}
	return ""
}

// of returns the state of node n, or nil if n is not running.
func (v *clusterView) of(n *ClusterNode) *nodeState {
	for _, s := range v.states {
		if s.node == n {
			return s
		}
	}
	return nil
}

// healthy returns nil if the cluster is OK as WaitOK defines it, else the
// first unmet condition.
func (v *clusterView) healthy() error {
	c := v.c
	if len(v.states) == 0 {
		return errors.New("no node is running")
	}
	for _, s := range v.states {
		if s.err != nil {
			return s.err
		}
	}
	for _, s := range v.states {
		if s.state != "ok" {
			return fmt.Errorf("%s reports cluster_state:%s", s.node.Addr(), s.state)
		}
	}
	ref := v.states[0]
	for _, s := range v.states[1:] {
		if s.slotsKey != ref.slotsKey {
			return fmt.Errorf("%s and %s disagree on the slot map", ref.node.Addr(), s.node.Addr())
		}
	}
	// listed maps each node in the slot map to its primary's ID ("" for a
	// primary).
	listed := make(map[string]string)
	for _, r := range ref.slots {
		listed[r.primary] = ""
		for _, id := range r.replicas {
			listed[id] = r.primary
		}
	}
	for id := range listed {
		n := c.byID[id]
		if n == nil {
			return fmt.Errorf("the slot map lists unknown node %s", id)
		}
		if !n.Running() {
			return fmt.Errorf("the slot map still lists stopped node %s", n.Addr())
		}
	}
	for _, s := range v.states {
		id := c.ids[s.node]
		if s.self.primary() {
			if _, ok := listed[id]; !ok && s.self.slots > 0 {
				return fmt.Errorf("primary %s is not in the slot map yet", s.node.Addr())
			}
			continue
		}
		pid := s.self.primaryID
		if p, ok := listed[pid]; ok && p == "" {
			if got, ok := listed[id]; !ok || got != pid {
				return fmt.Errorf("replica %s is not listed under its primary %s yet", s.node.Addr(), c.addrOfID(pid))
			}
		} else if ps := v.of(c.byID[pid]); ps == nil || !ps.self.primary() || ps.self.slots > 0 {
			// Not a running primary that owns no slots (whose replicas
			// CLUSTER SLOTS cannot list).
			return fmt.Errorf("replica %s follows %s, which serves no slots", s.node.Addr(), c.addrOfID(pid))
		}
		if !s.linkUp {
			return fmt.Errorf("replica %s: master_link_status is not up", s.node.Addr())
		}
	}
	for _, s := range v.states {
		for _, l := range s.lines {
			if n := c.byID[l.id]; n != nil && n.Running() && l.failing() {
				return fmt.Errorf("%s flags %s as %s", s.node.Addr(), n.Addr(), strings.Join(l.flags, ","))
			}
		}
	}
	return nil
}

// waitUntil polls the running nodes until cond returns nil, or gives up at
// deadline with the last unmet condition.
func (c *Cluster) waitUntil(deadline time.Time, what string, cond func(*clusterView) error) error {
	start := time.Now()
	var prev error // the unmet condition of the previous round
	for {
		if c.isClosed() {
			return errClusterClosed
		}
		probeDeadline := time.Now().Add(probeCmdLimit)
		capped := deadline.Before(probeDeadline)
		if capped {
			probeDeadline = deadline
		}
		err := cond(c.view(probeDeadline))
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			// A round cut short by the deadline reports a timeout
			// rather than what was still wrong.
			var ne net.Error
			if capped && prev != nil && errors.As(err, &ne) && ne.Timeout() {
				err = prev
			}
			return fmt.Errorf("redistest: cluster not %s after %v: %w", what, time.Since(start).Round(time.Millisecond), err)
		}
		prev = err
		time.Sleep(clusterPoll)
	}
}

func (c *Cluster) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

// infoField returns the value of field in INFO-style "field:value" lines.
func infoField(info, field string) string {
	for line := range strings.Lines(info) {
		if v, ok := strings.CutPrefix(strings.TrimRight(line, "\r\n"), field+":"); ok {
			return v
		}
	}
	return ""
}

// parseNodes parses CLUSTER NODES: "id addr flags primary ping-sent
// pong-recv config-epoch link-state slot...", addr being
// "ip:port@cport[,hostname]".
func parseNodes(text string) ([]nodeLine, error) {
	var lines []nodeLine
	for line := range strings.Lines(text) {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if len(f) < 8 {
			return nil, fmt.Errorf("short line %q", line)
		}
		addr, _, _ := strings.Cut(f[1], ",")
		l := nodeLine{id: f[0], addr: addr, flags: strings.Split(f[2], ",")}
		if f[3] != "-" {
			l.primaryID = f[3]
		}
		for _, slot := range f[8:] {
			if !strings.HasPrefix(slot, "[") {
				l.slots++
			}
		}
		lines = append(lines, l)
	}
	return lines, nil
}

// parseSlots parses CLUSTER SLOTS: [start, end, [ip, port, id, ...],
// replicas...] per range.
func parseSlots(reply any) ([]slotRange, error) {
	entries, ok := reply.([]any)
	if !ok {
		return nil, fmt.Errorf("not an array: %#v", reply)
	}
	ranges := make([]slotRange, 0, len(entries))
	for _, e := range entries {
		f, ok := e.([]any)
		if !ok || len(f) < 3 {
			return nil, fmt.Errorf("bad entry %#v", e)
		}
		start, ok1 := f[0].(int64)
		end, ok2 := f[1].(int64)
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("bad range in %#v", e)
		}
		r := slotRange{start: int(start), end: int(end)}
		for i, node := range f[2:] {
			nf, ok := node.([]any)
			if !ok || len(nf) < 3 {
				return nil, fmt.Errorf("bad node %#v", node)
			}
			id, ok := nf[2].(string)
			if !ok {
				return nil, fmt.Errorf("bad node ID in %#v", node)
			}
			if i == 0 {
				r.primary = id
			} else {
				r.replicas = append(r.replicas, id)
			}
		}
		slices.Sort(r.replicas)
		ranges = append(ranges, r)
	}
	slices.SortFunc(ranges, func(a, b slotRange) int { return a.start - b.start })
	return ranges, nil
}

// connPool keeps idle connections per server for the commands the
// helpers send (a Cluster's and a SentinelGroup's). It is safe for
// concurrent use.
type connPool struct {
	closedErr error // returned once the pool is closed

	mu     sync.Mutex // guards idle and closed
	idle   map[*Server][]*respConn
	closed bool
}

func newConnPool(closedErr error) *connPool {
	return &connPool{closedErr: closedErr, idle: map[*Server][]*respConn{}}
}

// do sends one command to s on a pooled connection; an error reply is
// returned as a ReplyError error.
func (p *connPool) do(s *Server, deadline time.Time, args ...string) (any, error) {
	replies, err := p.exec(s, deadline, args)
	if err != nil {
		return nil, err
	}
	if e, ok := replies[0].(ReplyError); ok {
		return nil, e
	}
	return replies[0], nil
}

// exec pipelines commands to s on a pooled connection; error replies are
// ReplyError values in the result.
func (p *connPool) exec(s *Server, deadline time.Time, cmds ...[]string) ([]any, error) {
	rc, err := p.conn(s, deadline)
	if err != nil {
		return nil, err
	}
	replies, err := rc.pipeline(deadline, cmds...)
	if err != nil {
		rc.close()
		return nil, err
	}
	p.mu.Lock()
	if p.closed || len(p.idle[s]) >= maxIdleConns {
		rc.close()
	} else {
		p.idle[s] = append(p.idle[s], rc)
	}
	p.mu.Unlock()
	return replies, nil
}

// conn returns an idle connection to s that the server has not closed, or
// dials a new one.
func (p *connPool) conn(s *Server, deadline time.Time) (*respConn, error) {
	for {
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			return nil, p.closedErr
		}
		idle := p.idle[s]
		if len(idle) == 0 {
			p.mu.Unlock()
			return dialServer(s, deadline)
		}
		rc := idle[len(idle)-1]
		p.idle[s] = idle[:len(idle)-1]
		p.mu.Unlock()
		if rc.idleAlive() {
			return rc, nil
		}
		rc.close()
	}
}

// drop closes the idle connections to s.
func (p *connPool) drop(s *Server) {
	p.mu.Lock()
	idle := p.idle[s]
	delete(p.idle, s)
	p.mu.Unlock()
	for _, rc := range idle {
		rc.close()
	}
}

// close closes every idle connection; later calls fail with closedErr.
func (p *connPool) close() {
	p.mu.Lock()
	p.closed = true
	idle := p.idle
	p.idle = map[*Server][]*respConn{}
	p.mu.Unlock()
	for _, conns := range idle {
		for _, rc := range conns {
			rc.close()
		}
	}
}

// do, exec and dropConns send through the cluster's connection pool.
func (c *Cluster) do(n *ClusterNode, deadline time.Time, args ...string) (any, error) {
	return c.conns.do(n.Server, deadline, args...)
}

func (c *Cluster) exec(n *ClusterNode, deadline time.Time, cmds ...[]string) ([]any, error) {
	return c.conns.exec(n.Server, deadline, cmds...)
}

func (c *Cluster) dropConns(n *ClusterNode) { c.conns.drop(n.Server) }

// idleAlive reports whether an idle connection is still open: a read with
// a deadline in the past must time out, not find data, EOF or a reset.
func (c *respConn) idleAlive() bool {
	if c.r.Buffered() > 0 || c.conn.SetReadDeadline(time.Now()) != nil {
		return false
	}
	_, err := c.r.Peek(1)
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

var (
	slotTagsOnce sync.Once
	slotTags     []string
)

// KeySlot returns the cluster hash slot of key: CRC16 (XMODEM) of the key,
// or of its hash tag (the part between the first '{' and the next '}', if
// not empty), modulo 16384.
func KeySlot(key string) int {
	if i := strings.IndexByte(key, '{'); i >= 0 {
		if j := strings.IndexByte(key[i+1:], '}'); j > 0 {
			key = key[i+1 : i+1+j]
		}
	}
	var crc uint16
	for i := 0; i < len(key); i++ {
		crc ^= uint16(key[i]) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return int(crc) % ClusterSlots
}

// SlotTag returns a hash tag, such as "{a3f}", that hashes to slot: every
// key containing it as its first {...} is in slot, for example
// SlotTag(7) + ":user". It panics if slot is not in [0, 16384). The first
// call computes a table of all slots (a few milliseconds).
func SlotTag(slot int) string {
	if slot < 0 || slot >= ClusterSlots {
		panic("redistest: SlotTag: slot " + strconv.Itoa(slot) + " out of range")
	}
	slotTagsOnce.Do(func() {
		slotTags = make([]string, ClusterSlots)
		for i, left := 0, ClusterSlots; left > 0; i++ {
			tag := strconv.FormatInt(int64(i), 36)
			if s := KeySlot(tag); slotTags[s] == "" {
				slotTags[s] = "{" + tag + "}"
				left--
			}
		}
	})
	return slotTags[slot]
}
