package sentinel

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/resp"
)

// NewClient returns a client for the primary that the sentinels in
// o.SentinelAddrs monitor under o.MasterName. It is the same *redis.Client
// as for one server: every command, pipeline, transaction, script, lock
// and pub/sub works. It connects lazily: the first command asks the
// sentinels where the primary is.
func NewClient(o *Options) *redis.Client {
	t := newTransport(o)
	return redis.NewClientWithTransport(t, &t.o.Options)
}

// node is one data server: a standalone client of its own.
type node struct {
	addr string
	c    *redis.Client
	t    redis.Transport
}

// transport is the redis.Transport of a sentinel-monitored primary: it
// sends commands to the primary the sentinels name, and follows it.
type transport struct {
	o     Options
	cache *redis.Cache // the client-side cache its node clients share; nil when off

	mu         sync.Mutex // guards the fields below
	sentinels  []string   // addresses, the last one that answered first
	sclients   map[string]*redis.Client
	primary    *node
	replicas   []*node // healthy ones
	nodes      map[string]*node
	closed     bool
	resolving  chan struct{} // closed when the round under way ends; nil when none is
	lastRound  time.Time
	resolveErr error // the last round's failure; nil after a success

	rr       atomic.Uint32
	rounds   atomic.Int64 // rounds of questions to the sentinels
	switches atomic.Int64 // primaries replaced

	ctx  context.Context // ends at Close
	stop context.CancelFunc
	wg   sync.WaitGroup
}

var (
	_ redis.Transport     = (*transport)(nil)
	_ redis.PoolStatser   = (*transport)(nil)
	_ redis.DedicatedConn = (*dedicated)(nil)
)

func newTransport(o *Options) *transport {
	t := &transport{
		o:        o.withDefaults(),
		sclients: map[string]*redis.Client{},
		nodes:    map[string]*node{},
	}
	t.cache = redis.AttachCache(&t.o.Options)
	t.sentinels = append(t.sentinels, t.o.SentinelAddrs...)
	t.ctx, t.stop = context.WithCancel(context.Background())
	t.wg.Add(1)
	go t.watch()
	return t
}

// String describes the transport by its master name and sentinels.
func (t *transport) String() string {
	return "sentinel " + t.o.MasterName + "@" + strings.Join(t.o.SentinelAddrs, ",")
}

// Stats are counters of a sentinel client since it was made.
type Stats struct {
	Rounds   int64 // rounds of questions to the sentinels
	Switches int64 // times the client moved to a new primary
}

// StatsOf returns the counters of c; ok is false when c is not a client
// from NewClient.
func StatsOf(c *redis.Client) (s Stats, ok bool) {
	t, ok := c.Transport().(*transport)
	if !ok {
		return Stats{}, false
	}
	return Stats{Rounds: t.rounds.Load(), Switches: t.switches.Load()}, true
}

// Primary returns the address of the primary the client uses now, or ""
// before it has found one; ok is false when c is not a client from
// NewClient.
func Primary(c *redis.Client) (addr string, ok bool) {
	t, ok := c.Transport().(*transport)
	if !ok {
		return "", false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.primary == nil {
		return "", true
	}
	return t.primary.addr, true
}

// sentinelClient returns the client of the sentinel at addr. t.mu is held.
func (t *transport) sentinelClientLocked(addr string) *redis.Client {
	if c := t.sclients[addr]; c != nil {
		return c
	}
	so := redis.Options{
		Addr:            addr,
		Username:        t.o.SentinelUsername,
		Password:        t.o.SentinelPassword,
		TLSConfig:       t.o.SentinelTLSConfig,
		Dialer:          t.o.Dialer,
		Protocol:        t.o.Protocol,
		DialTimeout:     t.o.SentinelTimeout,
		ReadTimeout:     t.o.SentinelTimeout,
		DisableIdentity: true,
		PoolSize:        2,
	}
	if t.o.Logger != nil {
		so.Logger = t.o.Logger.With(slog.String("server", "sentinel"))
	}
	c := redis.NewClient(&so)
	t.sclients[addr] = c
	return c
}

// nodeLocked returns the client of the data node at addr, creating it.
// t.mu is held.
func (t *transport) nodeLocked(addr string) *node {
	if n := t.nodes[addr]; n != nil {
		return n
	}
	no := t.o.Options
	no.Addr, no.Network = addr, "tcp"
	c := redis.NewClient(&no)
	n := &node{addr: addr, c: c, t: c.Transport()}
	t.nodes[addr] = n
	return n
}

// Close closes every connection, to the data nodes and to the sentinels.
func (t *transport) Close() error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil
	}
	t.closed = true
	nodes, sclients := t.nodes, t.sclients
	t.nodes, t.sclients = map[string]*node{}, map[string]*redis.Client{}
	t.mu.Unlock()
	t.stop()
	var errs []error
	for _, n := range nodes {
		errs = append(errs, n.c.Close())
	}
	for _, c := range sclients {
		errs = append(errs, c.Close())
	}
	t.wg.Wait()
	return errors.Join(errs...)
}

// PoolStats returns the counters of the current primary's pool.
// NodeStats returns the current primary's counters.
func (t *transport) NodeStats() []redis.NodeStats {
	t.mu.Lock()
	p := t.primary
	t.mu.Unlock()
	if p == nil {
		return nil
	}
	return p.c.NodeStats()
}

func (t *transport) PoolStats() redis.PoolStats {
	t.mu.Lock()
	p := t.primary
	t.mu.Unlock()
	if p == nil {
		return redis.PoolStats{}
	}
	return p.c.PoolStats()
}

// ask starts a round of questions to the sentinels unless one is under
// way, and returns a channel closed when that round ends. Rounds are
// single-flight and start at most once per MinResolveInterval.
func (t *transport) ask() <-chan struct{} {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.resolving != nil {
		return t.resolving
	}
	done := make(chan struct{})
	if t.closed {
		close(done)
		return done
	}
	t.resolving = done
	wait := t.o.MinResolveInterval - time.Since(t.lastRound)
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		if wait > 0 {
			select {
			case <-time.After(wait):
			case <-t.ctx.Done():
			}
		}
		err := t.round()
		t.mu.Lock()
		t.resolveErr, t.resolving, t.lastRound = err, nil, time.Now()
		t.mu.Unlock()
		close(done)
	}()
	return done
}

// round asks the sentinels in turn for the primary's address, confirms it
// with ROLE, moves the sentinel that answered to the front, learns the
// other sentinels from it, and, for replica reads, the healthy replicas.
func (t *transport) round() error {
	t.rounds.Add(1)
	if t.ctx.Err() != nil {
		return redis.ErrClosed
	}
	t.mu.Lock()
	sentinels := append([]string(nil), t.sentinels...)
	t.mu.Unlock()
	var errs []error
	for _, addr := range sentinels {
		err := t.askOne(addr)
		if err == nil {
			return nil
		}
		errs = append(errs, fmt.Errorf("%s: %w", addr, err))
		if t.ctx.Err() != nil {
			return redis.ErrClosed
		}
	}
	if len(errs) == 0 {
		return errors.New("sentinel: no sentinel address given")
	}
	return fmt.Errorf("sentinel: no sentinel named a primary for %q: %w", t.o.MasterName, errors.Join(errs...))
}

// askOne asks the sentinel at addr; on success the client uses the
// primary it names.
func (t *transport) askOne(addr string) error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return redis.ErrClosed
	}
	sc := t.sentinelClientLocked(addr)
	t.mu.Unlock()
	ctx, cancel := context.WithTimeout(redis.NoRetry(t.ctx), t.o.SentinelTimeout)
	defer cancel()
	a, err := sc.SentinelGetMasterAddrByName(ctx, t.o.MasterName)
	if err != nil {
		return err
	}
	paddr := net.JoinHostPort(a.Host, strconv.FormatInt(a.Port, 10))
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return redis.ErrClosed
	}
	pn := t.nodeLocked(paddr)
	t.mu.Unlock()
	role, err := pn.c.Role(ctx)
	if err != nil {
		return fmt.Errorf("the primary it names, %s, does not answer ROLE: %w", paddr, err)
	}
	if role.Role != "master" {
		return fmt.Errorf("the primary it names, %s, says it is a %s", paddr, role.Role)
	}
	// A sentinel that has not heard of the last failover names the old
	// primary, which may still say "master" for a moment before it is
	// demoted: the client leaves a primary it uses only once that one
	// stops saying so. (The +promoted-slave and +switch-master events move
	// it without this check.)
	t.mu.Lock()
	cur := t.primary
	t.mu.Unlock()
	if cur != nil && cur != pn {
		if r, err := cur.c.Role(ctx); err == nil && r.Role == "master" {
			return fmt.Errorf("it names %s, but %s, the primary in use, still says it is the master", paddr, cur.addr)
		}
	}
	// Learn the other sentinels, and the replicas for replica reads.
	var learnt []string
	if others, err := sc.SentinelSentinels(ctx, t.o.MasterName); err == nil {
		for _, s := range others {
			if s.IP != "" && s.Port > 0 {
				learnt = append(learnt, net.JoinHostPort(s.IP, strconv.FormatInt(s.Port, 10)))
			}
		}
	}
	var replicas []string
	replicasKnown := false
	if t.o.ReadFrom != ReadPrimary {
		if reps, err := sc.SentinelReplicas(ctx, t.o.MasterName); err == nil {
			replicasKnown = true
			for _, r := range reps {
				if healthy(r) {
					replicas = append(replicas, net.JoinHostPort(r.IP, strconv.FormatInt(r.Port, 10)))
				}
			}
		}
	}
	t.mu.Lock()
	t.frontLocked(addr, learnt)
	if replicasKnown {
		t.replicas = t.replicas[:0]
		for _, r := range replicas {
			if r != paddr {
				t.replicas = append(t.replicas, t.nodeLocked(r))
			}
		}
	}
	old := t.switchLocked(pn, "sentinel round")
	gone := t.dropUnusedLocked()
	t.mu.Unlock()
	closeNodes(old, gone)
	return nil
}

// healthy reports whether the sentinels think replica r can serve reads.
func healthy(r redis.SentinelInstance) bool {
	if r.HasFlag("s_down") || r.HasFlag("o_down") || r.HasFlag("disconnected") {
		return false
	}
	if s, ok := r.Fields["master-link-status"]; ok && s != "ok" {
		return false
	}
	return r.IP != "" && r.Port > 0
}

// frontLocked moves the sentinel at addr to the front of the list and
// appends the learnt ones the client did not know. t.mu is held.
func (t *transport) frontLocked(addr string, learnt []string) {
	list := []string{addr}
	for _, s := range t.sentinels {
		if s != addr {
			list = append(list, s)
		}
	}
	for _, s := range learnt {
		known := false
		for _, k := range list {
			known = known || k == s
		}
		if !known {
			list = append(list, s)
		}
	}
	t.sentinels = list
}

// switchLocked makes n the primary and returns the one it replaces (nil
// when it is the same); via says what told the client, for the log. t.mu
// is held.
func (t *transport) switchLocked(n *node, via string) *node {
	old := t.primary
	if old == n {
		return nil
	}
	t.primary = n
	if old == nil {
		if t.o.Logger != nil {
			t.o.Logger.LogAttrs(context.Background(), slog.LevelDebug, "redis: sentinel primary found",
				slog.String("component", "sentinel"), slog.String("master", t.o.MasterName), slog.String("addr", n.addr))
		}
		return nil
	}
	t.switches.Add(1)
	if t.cache != nil {
		// The new primary never tracked what was read from the old one.
		t.cache.Flush()
	}
	if t.o.Logger != nil {
		t.o.Logger.LogAttrs(context.Background(), slog.LevelInfo, "redis: sentinel failover followed",
			slog.String("component", "sentinel"), slog.String("master", t.o.MasterName),
			slog.String("old_primary", old.addr), slog.String("new_primary", n.addr), slog.String("via", via))
	}
	delete(t.nodes, old.addr) // a later client of that address is a new one
	for i, r := range t.replicas {
		if r == n { // the promoted replica no longer serves as one
			t.replicas = append(t.replicas[:i:i], t.replicas[i+1:]...)
			break
		}
	}
	return old
}

// dropUnusedLocked forgets the data nodes that are neither the primary
// nor a healthy replica and returns them, to be closed. t.mu is held.
func (t *transport) dropUnusedLocked() []*node {
	var gone []*node
	for addr, n := range t.nodes {
		if n == t.primary {
			continue
		}
		used := false
		for _, r := range t.replicas {
			used = used || r == n
		}
		if !used {
			delete(t.nodes, addr)
			gone = append(gone, n)
		}
	}
	return gone
}

// closeNodes closes the clients of nodes the client no longer uses: the
// old primary at once, so that a write in flight to it fails (its outcome
// unknown) rather than being acknowledged by a primary that was replaced.
func closeNodes(old *node, gone []*node) {
	if old != nil {
		old.c.Close()
	}
	for _, n := range gone {
		n.c.Close()
	}
}

// switchTo moves to the primary at addr at once, as a +switch-master
// event says, and asks the sentinels to confirm.
func (t *transport) switchTo(addr string) {
	t.mu.Lock()
	if t.closed || t.primary != nil && t.primary.addr == addr {
		t.mu.Unlock()
		return
	}
	old := t.switchLocked(t.nodeLocked(addr), "sentinel event")
	t.mu.Unlock()
	closeNodes(old, nil)
	t.ask()
}

// current returns the primary in use, or nil.
func (t *transport) current() *node {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.primary
}

// primaryNode returns the primary, asking the sentinels first when the
// client knows none.
func (t *transport) primaryNode(ctx context.Context) (*node, error) {
	t.mu.Lock()
	p := t.primary
	t.mu.Unlock()
	if p != nil {
		return p, nil
	}
	select {
	case <-t.ask():
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	t.mu.Lock()
	p, err, closed := t.primary, t.resolveErr, t.closed
	t.mu.Unlock()
	switch {
	case closed:
		return nil, redis.ErrClosed
	case p != nil:
		return p, nil
	case err == nil:
		err = errors.New("sentinel: no primary known")
	}
	// Nothing was sent: the client may try again.
	return nil, &redis.ConnError{Op: "dial", Err: err}
}

// readerFor returns the node for a read-only command: a healthy replica
// as ReadFrom says, or the primary.
func (t *transport) readerFor(ctx context.Context) (*node, error) {
	if t.o.ReadFrom != ReadPrimary {
		t.mu.Lock()
		reps := t.replicas
		var n *node
		if len(reps) > 0 {
			if t.o.ReadFrom == ReadReplicaRoundRobin {
				n = reps[int(t.rr.Add(1))%len(reps)]
			} else {
				n = reps[rand.IntN(len(reps))]
			}
		}
		t.mu.Unlock()
		if n != nil {
			return n, nil
		}
	}
	return t.primaryNode(ctx)
}

// failed notes a failure of a node's connection: the sentinels are asked
// again. A node closed because the client moved away from it fails its
// callers with a connection error, not ErrClosed, so that the client's
// retry rules apply (a command never sent is tried on the new primary).
func (t *transport) failed(err error) error {
	t.ask()
	t.mu.Lock()
	closed := t.closed
	t.mu.Unlock()
	if errors.Is(err, redis.ErrClosed) && !closed {
		var ce *redis.ConnError
		if errors.As(err, &ce) {
			return &redis.ConnError{Op: ce.Op, Err: errSwitched, Sent: ce.Sent}
		}
		return &redis.ConnError{Op: "dial", Err: errSwitched}
	}
	return err
}

var errSwitched = errors.New("sentinel: the client moved to a new primary")

// readOnlyReply reports whether v is a READONLY error: the node taken for
// the primary is a replica now, and refused the write.
func readOnlyReply(v resp.Value) bool {
	return v.IsError() && strings.HasPrefix(v.String(), "READONLY")
}

// Do runs cmd on the primary, or on a replica for a read-only command
// when ReadFrom says so. A READONLY reply (the primary was demoted) makes
// the client ask the sentinels, and the command, refused without running,
// is sent once more to the primary they name.
func (t *transport) Do(ctx context.Context, cmd *redis.Cmd) (resp.Value, error) {
	var n *node
	var err error
	if cmd.Flags()&redis.FlagReadonly != 0 {
		n, err = t.readerFor(ctx)
	} else {
		n, err = t.primaryNode(ctx)
	}
	if err != nil {
		return resp.Value{}, err
	}
	v, err := n.t.Do(ctx, cmd)
	if err != nil {
		err = t.failed(err)
		if n == t.current() || ctx.Err() != nil {
			return v, err
		}
		// A replica failed a read (which may be repeated): the primary
		// serves it, while the sentinels are asked which replicas are
		// healthy.
		p, perr := t.primaryNode(ctx)
		if perr != nil {
			return v, err
		}
		v, err = p.t.Do(ctx, cmd)
		if err != nil {
			return v, t.failed(err)
		}
		return v, nil
	}
	if !readOnlyReply(v) {
		return v, nil
	}
	select {
	case <-t.ask():
	case <-ctx.Done():
		return v, nil
	}
	p, err := t.primaryNode(ctx)
	if err != nil || p == n {
		return v, nil
	}
	v, err = p.t.Do(ctx, cmd)
	if err != nil {
		return v, t.failed(err)
	}
	return v, nil
}

// DoMulti runs a pipeline on the primary, or on a replica when every
// command reads only and ReadFrom says so.
func (t *transport) DoMulti(ctx context.Context, cmds []*redis.Cmd, out []resp.Value) error {
	readonly := t.o.ReadFrom != ReadPrimary
	for _, c := range cmds {
		readonly = readonly && c.Flags()&redis.FlagReadonly != 0
	}
	var n *node
	var err error
	if readonly {
		n, err = t.readerFor(ctx)
	} else {
		n, err = t.primaryNode(ctx)
	}
	if err != nil {
		return err
	}
	if err := n.t.DoMulti(ctx, cmds, out); err != nil {
		err = t.failed(err)
		if n == t.current() || ctx.Err() != nil {
			return err
		}
		// Read-only commands that a replica failed: the primary serves
		// those without a reply.
		p, perr := t.primaryNode(ctx)
		if perr != nil {
			return err
		}
		var again []*redis.Cmd
		var idx []int
		for i := range cmds {
			if out[i].Type() == 0 {
				again, idx = append(again, cmds[i]), append(idx, i)
			}
		}
		got := make([]resp.Value, len(again))
		err = p.t.DoMulti(ctx, again, got)
		for j, i := range idx {
			out[i] = got[j]
		}
		if err != nil {
			return t.failed(err)
		}
	}
	for _, v := range out {
		if readOnlyReply(v) {
			t.ask()
			break
		}
	}
	return nil
}

// Dedicated reserves a connection on the primary.
func (t *transport) Dedicated(ctx context.Context, slot int) (redis.DedicatedConn, error) {
	n, err := t.primaryNode(ctx)
	if err != nil {
		return nil, err
	}
	dc, err := n.t.Dedicated(ctx, slot)
	if err != nil {
		return nil, t.failed(err)
	}
	return &dedicated{DedicatedConn: dc, t: t}, nil
}

// dedicated is a primary's reserved connection whose failures make the
// client ask the sentinels.
type dedicated struct {
	redis.DedicatedConn
	t *transport
}

func (d *dedicated) Do(ctx context.Context, cmds []*redis.Cmd, out []resp.Value) error {
	if err := d.DedicatedConn.Do(ctx, cmds, out); err != nil {
		return d.t.failed(err)
	}
	return nil
}

func (d *dedicated) Send(ctx context.Context, cmds []*redis.Cmd) error {
	if err := d.DedicatedConn.Send(ctx, cmds); err != nil {
		return d.t.failed(err)
	}
	return nil
}

func (d *dedicated) Receive(ctx context.Context, timeout time.Duration) (resp.Value, error) {
	v, err := d.DedicatedConn.Receive(ctx, timeout)
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() || ctx.Err() != nil {
			return v, err
		}
		return v, d.t.failed(err)
	}
	return v, nil
}
