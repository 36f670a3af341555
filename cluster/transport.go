package cluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/internal/cmdinfo"
	"github.com/respkit/redis/internal/slot"
	"github.com/respkit/redis/resp"
)

// NewClient returns a client for the Redis Cluster that the nodes in
// o.Addrs belong to. It is the same *redis.Client as for one server: every
// command, pipeline, transaction, script, lock and Do works, routed to the
// node serving its keys. It connects lazily: the first command reads the
// slot map. A nil o, or one without Addrs, connects to localhost:6379.
func NewClient(o *Options) *redis.Client {
	t := newTransport(o)
	return redis.NewClientWithTransport(t, &t.o.Options)
}

// transport is the redis.Transport of a cluster: it routes each command by
// the slot of its keys, follows MOVED and ASK, fans commands out as their
// routing policy says, and keeps the slot map up to date.
type transport struct {
	o     Options
	cache *redis.Cache // the client-side cache its node clients share; nil when off

	topo atomic.Pointer[topology] // nil until the first read of the slot map

	mu      sync.Mutex // guards servers and closed
	servers map[string]*server
	closed  bool

	refreshMu   sync.Mutex    // guards the fields below it
	refreshing  chan struct{} // closed when the read under way ends; nil when none is
	lastRefresh time.Time     // when the last read started
	again       bool          // another read was asked for while one ran or waited
	timer       *time.Timer   // a read due once the rate limit allows
	refreshErr  error         // the last read's failure; nil after a success
	pause       time.Duration // the spacing of reads now (see maxPauseFactor)
	sig         string        // signature of the last map read
	stopped     bool          // Close has begun: no read starts any more
	refreshes   atomic.Int64  // reads of the slot map made

	infoMu sync.Mutex               // guards infos
	infos  map[string]*cmdinfo.Info // COMMAND INFO of commands the table lacks; nil entry: the server does not know it either

	moved, asked, refusedN atomic.Int64 // redirections and refusals seen

	changeMu sync.Mutex    // guards changed
	changed  chan struct{} // closed when a read finds the slot map changed (topowatch.go)

	stop chan struct{} // closed by Close: ends the background reads
	wg   sync.WaitGroup
	rr   atomic.Uint32 // spreads keyless commands over primaries
}

var (
	_ redis.Transport     = (*transport)(nil)
	_ redis.SlotRouter    = (*transport)(nil)
	_ redis.ShardLister   = (*transport)(nil)
	_ redis.PoolStatser   = (*transport)(nil)
	_ redis.DedicatedConn = (*dedicated)(nil)
)

func newTransport(o *Options) *transport {
	t := &transport{
		o:       o.withDefaults(),
		servers: map[string]*server{},
		infos:   map[string]*cmdinfo.Info{},
		stop:    make(chan struct{}),
	}
	if len(t.o.Addrs) == 0 {
		t.o.Addrs = []string{"localhost:6379"}
	}
	t.cache = redis.AttachCache(&t.o.Options)
	if t.o.RefreshInterval > 0 {
		t.wg.Add(1)
		go t.refreshLoop()
	}
	return t
}

// Stats are counters of a cluster client's routing since it was made.
type Stats struct {
	Moved     int64 // MOVED replies followed
	Asked     int64 // ASK replies followed
	Refused   int64 // TRYAGAIN, CLUSTERDOWN, LOADING and MASTERDOWN replies waited out
	Refreshes int64 // reads of the slot map
}

// StatsOf returns the routing counters of c; ok is false when c is not a
// client from NewClient.
func StatsOf(c *redis.Client) (s Stats, ok bool) {
	t, ok := c.Transport().(*transport)
	if !ok {
		return Stats{}, false
	}
	return Stats{Moved: t.moved.Load(), Asked: t.asked.Load(), Refused: t.refusedN.Load(), Refreshes: t.refreshes.Load()}, true
}

// RoutesBySlot reports true: keys of one command or transaction must share
// a slot.
func (t *transport) RoutesBySlot() bool { return true }

// String describes the transport by its seeds.
func (t *transport) String() string { return "cluster " + strings.Join(t.o.Addrs, ",") }

// serverFor returns the client of the node at addr, creating it.
func (t *transport) serverFor(addr string) (*server, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return nil, redis.ErrClosed
	}
	if s := t.servers[addr]; s != nil {
		s.gone.Store(0)
		return s, nil
	}
	no := t.o.Options
	no.Addr, no.Network = addr, "tcp"
	no.ReadOnly = t.o.ReadFrom != ReadPrimary
	c := redis.NewClient(&no)
	s := &server{addr: addr, c: c, t: c.Transport()}
	t.servers[addr] = s
	return s, nil
}

// Close closes every connection to every node.
func (t *transport) Close() error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil
	}
	t.closed = true
	servers := t.servers
	t.servers = nil
	t.mu.Unlock()
	close(t.stop)
	t.refreshMu.Lock()
	t.stopped = true
	var waiting chan struct{} // a read that waited for the rate limit and will not run
	if t.timer != nil && t.timer.Stop() {
		waiting = t.refreshing
	}
	t.refreshMu.Unlock()
	if waiting != nil {
		t.finishRefresh(waiting, redis.ErrClosed)
	}
	t.wg.Wait()
	var errs []error
	for _, s := range servers {
		errs = append(errs, s.c.Close())
	}
	return errors.Join(errs...)
}

func (t *transport) isClosed() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.closed
}

// PoolStats sums the exclusive pools of every node.
// NodeStats returns the counters of every node the client has connected
// to, in address order.
func (t *transport) NodeStats() []redis.NodeStats {
	t.mu.Lock()
	servers := make([]*server, 0, len(t.servers))
	for _, s := range t.servers {
		servers = append(servers, s)
	}
	t.mu.Unlock()
	var out []redis.NodeStats
	for _, s := range servers {
		out = append(out, s.c.NodeStats()...)
	}
	slices.SortFunc(out, func(a, b redis.NodeStats) int { return strings.Compare(a.Addr, b.Addr) })
	return out
}

func (t *transport) PoolStats() redis.PoolStats {
	t.mu.Lock()
	defer t.mu.Unlock()
	var sum redis.PoolStats
	for _, s := range t.servers {
		p := s.c.PoolStats()
		sum.Hits += p.Hits
		sum.Misses += p.Misses
		sum.Timeouts += p.Timeouts
		sum.TotalConns += p.TotalConns
		sum.IdleConns += p.IdleConns
		sum.StaleConns += p.StaleConns
	}
	return sum
}

// Shards returns every shard of the current slot map.
func (t *transport) Shards(ctx context.Context) ([]redis.Shard, error) {
	tp, err := t.topology(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]redis.Shard, 0, len(tp.shards))
	for _, sh := range tp.shards {
		s := redis.Shard{Primary: sh.primary.c}
		for _, r := range sh.replicas {
			s.Replicas = append(s.Replicas, r.c)
		}
		out = append(out, s)
	}
	return out, nil
}

// errNoSlotOwner is returned for a slot no node serves.
type noOwnerError struct{ slot int }

func (e noOwnerError) Error() string {
	return fmt.Sprintf("cluster: no node serves slot %d (CLUSTERDOWN)", e.slot)
}

// primaryFor returns the primary serving slot s (any primary for
// redis.NoSlot).
func (t *transport) primaryFor(ctx context.Context, s int) (*server, error) {
	tp, err := t.topology(ctx)
	if err != nil {
		return nil, err
	}
	if s < 0 {
		return tp.shards[int(t.rr.Add(1))%len(tp.shards)].primary, nil
	}
	sh := tp.shardFor(s)
	if sh == nil {
		t.refresh()
		return nil, noOwnerError{s}
	}
	return sh.primary, nil
}

// readerFor returns the server that serves a read-only command on slot s,
// as ReadFrom says.
func (t *transport) readerFor(ctx context.Context, s int) (*server, error) {
	if t.o.ReadFrom == ReadPrimary || s < 0 {
		return t.primaryFor(ctx, s)
	}
	tp, err := t.topology(ctx)
	if err != nil {
		return nil, err
	}
	sh := tp.shardFor(s)
	if sh == nil {
		t.refresh()
		return nil, noOwnerError{s}
	}
	if len(sh.replicas) == 0 {
		return sh.primary, nil
	}
	switch t.o.ReadFrom {
	case ReadReplicaRoundRobin:
		return sh.replicas[int(sh.next.Add(1))%len(sh.replicas)], nil
	case ReadLowestLatency:
		return fastest(sh), nil
	}
	return sh.replicas[rand.IntN(len(sh.replicas))], nil
}

// fastest picks among the shard's servers one whose round trip is within
// 20 % of the fastest (at random among those, so that a small edge does
// not send every read to one server); servers not yet measured count as
// fast, so that they get measured.
func fastest(sh *shard) *server {
	var stack [8]*server
	all := append(append(stack[:0], sh.primary), sh.replicas...)
	best := int64(0)
	for _, s := range all {
		if r := s.rtt.Load(); r > 0 && (best == 0 || r < best) {
			best = r
		}
	}
	var fast [8]*server
	n := 0
	for _, s := range all {
		if r := s.rtt.Load(); (r == 0 || best == 0 || r <= best+best/5) && n < len(fast) {
			fast[n] = s
			n++
		}
	}
	if n == 0 {
		return sh.primary
	}
	return fast[rand.IntN(n)]
}

// redirection is a MOVED or ASK reply, parsed.
type redirection struct {
	ask  bool
	slot int
	addr string
}

// parseRedirect reads "MOVED 3999 127.0.0.1:6381" or "ASK ...". An
// endpoint left empty (":6381", a node that does not know its address)
// stands for the host of the node that replied.
func parseRedirect(msg, from string) (redirection, bool) {
	f := strings.Fields(msg)
	if len(f) != 3 || f[0] != "MOVED" && f[0] != "ASK" {
		return redirection{}, false
	}
	s, err := strconv.Atoi(f[1])
	if err != nil || s < 0 || s >= 16384 {
		return redirection{}, false
	}
	host, port, err := net.SplitHostPort(f[2])
	if err != nil || port == "" {
		return redirection{}, false
	}
	if host == "" {
		host, _, _ = net.SplitHostPort(from)
	}
	return redirection{ask: f[0] == "ASK", slot: s, addr: net.JoinHostPort(host, port)}, true
}

// replyCode returns the code of an error reply ("MOVED", "TRYAGAIN", ...),
// or "" for any other reply.
func replyCode(v resp.Value) string {
	if !v.IsError() {
		return ""
	}
	msg := v.String()
	if i := strings.IndexByte(msg, ' '); i >= 0 {
		return msg[:i]
	}
	return msg
}

// refused reports whether code says the command was refused for a passing
// reason and did not run: it may be sent again after a pause.
func refused(code string) bool {
	switch code {
	case "TRYAGAIN", "CLUSTERDOWN", "LOADING", "MASTERDOWN":
		return true
	}
	return false
}

// noteMoved records that slot s is served by the primary at addr, until the
// next read of the slot map, and asks for that read.
func (t *transport) noteMoved(r redirection) {
	t.moved.Add(1)
	defer t.refreshNow()
	t.flushSlots(func(s int) bool { return s == r.slot }) // its keys were tracked by a node that no longer serves it
	tp := t.topo.Load()
	if tp == nil {
		return
	}
	if sh := tp.shardFor(r.slot); sh != nil && sh.primary.addr == r.addr {
		return
	}
	for _, sh := range tp.shards {
		if sh.primary.addr == r.addr {
			tp.slots[r.slot].Store(sh)
			return
		}
	}
	s, err := t.serverFor(r.addr)
	if err != nil {
		return
	}
	tp.slots[r.slot].Store(&shard{primary: s})
}

// tryAgainPause returns the pause before trying a refused command again
// (TRYAGAIN, CLUSTERDOWN, ...), and false when the caller's time is up:
// the context's deadline, or TryAgainTimeout from start without one.
func (t *transport) tryAgainPause(ctx context.Context, start time.Time, tries int) (time.Duration, bool) {
	d := min(5*time.Millisecond<<min(tries, 5), 100*time.Millisecond)
	d = d/2 + rand.N(d/2+1)
	end, ok := ctx.Deadline()
	if !ok {
		end = start.Add(t.o.TryAgainTimeout)
	}
	if time.Until(end) < d {
		return 0, false
	}
	return d, true
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// failed notes a failure of a node's connection: the slot map may have
// changed (a failover), so it is read again. A node closed because it
// left the slot map fails its callers with a connection error, not
// ErrClosed, so that the client tries again on the new owner.
func (t *transport) failed(s *server, err error) error {
	t.refresh()
	if errors.Is(err, redis.ErrClosed) && !t.isClosed() {
		var ce *redis.ConnError
		if errors.As(err, &ce) {
			return &redis.ConnError{Op: ce.Op, Err: errNodeLeft, Sent: ce.Sent}
		}
		return &redis.ConnError{Op: "dial", Err: errNodeLeft}
	}
	return err
}

var errNodeLeft = errors.New("cluster: the node left the cluster")

var askingCmd = func() *redis.Cmd {
	c, err := redis.NewCmd("ASKING")
	if err != nil {
		panic(err)
	}
	return c
}()

// Do runs cmd on the node its keys or its routing policy choose.
func (t *transport) Do(ctx context.Context, cmd *redis.Cmd) (resp.Value, error) {
	s, err := t.slotOf(ctx, cmd)
	if err != nil {
		var cse *redis.CrossSlotError
		if errors.As(err, &cse) && t.o.SplitMultiKey {
			if info := t.info(ctx, cmd); info != nil && info.Request == cmdinfo.RequestMultiShard {
				return t.split(ctx, cmd, info)
			}
		}
		return resp.Value{}, err
	}
	if s == redis.NoSlot {
		if info := t.info(ctx, cmd); info != nil {
			switch info.Request {
			case cmdinfo.RequestAllShards, cmdinfo.RequestAllNodes:
				return t.fanOut(ctx, cmd, info)
			}
		}
		s = spread(cmd)
	}
	return t.doSlot(ctx, cmd, s)
}

// spread picks the slot a command without keys runs on: that of its first
// argument, so that such commands spread over the primaries while the same
// command on the same argument always meets the same node (successive
// PUBLISHes to one channel arrive in order); NoSlot (any primary) for a
// command without arguments.
func spread(cmd *redis.Cmd) int {
	if a := firstArg(cmd.Bytes()); a != nil {
		return slot.OfBytes(a)
	}
	return redis.NoSlot
}

// firstArg returns the argument after the name in an encoded command
// (an array of bulk strings), or nil.
func firstArg(enc []byte) []byte {
	skip := func(b []byte) ([]byte, int, bool) { // one "$n\r\n" or "*n\r\n" header
		i := bytes.IndexByte(b, '\n')
		if i < 2 {
			return nil, 0, false
		}
		n, err := strconv.Atoi(string(b[1 : i-1]))
		return b[i+1:], n, err == nil && n >= 0
	}
	rest, n, ok := skip(enc)
	if !ok || n < 2 {
		return nil
	}
	rest, size, ok := skip(rest)
	if !ok || size+2 > len(rest) {
		return nil
	}
	rest = rest[size+2:]
	rest, size, ok = skip(rest)
	if !ok || size > len(rest) {
		return nil
	}
	return rest[:size]
}

// doSlot runs cmd on the node serving slot s, following redirections and
// waiting out refusals.
func (t *transport) doSlot(ctx context.Context, cmd *redis.Cmd, s int) (resp.Value, error) {
	readonly := cmd.Flags()&redis.FlagReadonly != 0
	var ask *server
	var start time.Time
	redirects, tries := 0, 0
	for {
		var srv *server
		var err error
		switch {
		case ask != nil:
			srv = ask
		case readonly:
			srv, err = t.readerFor(ctx, s)
		default:
			srv, err = t.primaryFor(ctx, s)
		}
		if err != nil {
			if _, ok := err.(noOwnerError); ok {
				if start.IsZero() {
					start = time.Now()
				}
				if d, ok := t.tryAgainPause(ctx, start, tries); ok {
					tries++
					if err := sleepCtx(ctx, d); err != nil {
						return resp.Value{}, err
					}
					continue
				}
			}
			return resp.Value{}, err
		}
		var v resp.Value
		began := time.Now()
		if ask != nil {
			var out [2]resp.Value
			err = srv.t.DoMulti(ctx, []*redis.Cmd{askingCmd, cmd}, out[:])
			v = out[1]
		} else {
			v, err = srv.t.Do(ctx, cmd)
		}
		ask = nil
		if err != nil {
			return v, t.failed(srv, err)
		}
		if t.o.ReadFrom == ReadLowestLatency && cmd.Flags()&redis.FlagBlocking == 0 {
			srv.noteRTT(time.Since(began))
		}
		code := replyCode(v)
		switch {
		case code == "":
			return v, nil
		case code == "MOVED" || code == "ASK":
			r, ok := parseRedirect(v.String(), srv.addr)
			if !ok {
				return v, nil
			}
			if redirects++; redirects > t.o.MaxRedirects {
				return resp.Value{}, &RedirectError{Command: cmd.Name(), Redirects: redirects - 1, Last: v.String()}
			}
			redis.TraceRedirect(ctx)
			if r.ask {
				t.asked.Add(1)
				if ask, err = t.serverFor(r.addr); err != nil {
					return resp.Value{}, err
				}
			} else {
				t.noteMoved(r)
			}
		case refused(code):
			t.refusedN.Add(1)
			if code == "CLUSTERDOWN" {
				t.refresh()
			}
			if start.IsZero() {
				start = time.Now()
			}
			d, ok := t.tryAgainPause(ctx, start, tries)
			if !ok {
				return v, nil
			}
			tries++
			if err := sleepCtx(ctx, d); err != nil {
				return resp.Value{}, err
			}
		default:
			return v, nil
		}
	}
}

// RedirectError is returned for a command that was redirected (MOVED or
// ASK) more times than Options.MaxRedirects allows: the slot map keeps
// changing, or nodes disagree. The command did not run.
type RedirectError struct {
	Command   string // the command's name
	Redirects int    // redirections followed
	Last      string // the last redirection, such as "MOVED 3999 127.0.0.1:7002"
}

func (e *RedirectError) Error() string {
	return fmt.Sprintf("cluster: %s: gave up after %d redirections (last: %s)", e.Command, e.Redirects, e.Last)
}

// slotOf returns the slot of cmd's keys: from the command table, or for a
// command the table lacks, from the server's COMMAND INFO.
func (t *transport) slotOf(ctx context.Context, cmd *redis.Cmd) (int, error) {
	if cmd.Known() {
		return cmd.Slot()
	}
	info := t.info(ctx, cmd)
	if info == nil {
		return redis.NoSlot, nil
	}
	return keysSlot(cmd, info)
}
