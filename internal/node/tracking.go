package node

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/respkit/redis/internal/conn"
	"github.com/respkit/redis/resp"
)

// Tracking turns on server-assisted client-side caching on a node: the
// server remembers what the node's connections read (or, with Broadcast,
// every key under Prefixes) and says when those keys change.
//
// Under RESP3 every multiplexed connection tracks for itself and the
// server's invalidations arrive on it as push frames. Under RESP2 (the
// connection options ask for protocol 2) a dedicated connection subscribes
// to __redis__:invalidate and the reads name it with CLIENT TRACKING ...
// REDIRECT.
type Tracking struct {
	// Broadcast tracks every key under Prefixes (all keys when there are
	// none) instead of the keys the connections read (OPTIN).
	Broadcast bool
	Prefixes  []string
	// Invalidate receives the keys of each invalidation; nil keys mean
	// every key (FLUSHALL, FLUSHDB). It runs on a reader goroutine: it
	// must not block.
	Invalidate func(keys []string)
	// Flush is called when an invalidation stream is lost (a connection
	// failed or closed): what it would have said is unknown. It need only
	// drop what was read from this node (Source).
	Flush func()
	// Source names the node to the cache: TrackedRead reports it, so that
	// Flush can drop only what was read here.
	Source uint32
}

// TrackedRead is what a caller asking for a tracked read learns of it.
// Put one in the context with WithTrackedRead: every Node.Do on that
// context then sends its command so that the server tracks it, and
// records whether it could.
type TrackedRead struct {
	tracked, untracked atomic.Bool
	src                atomic.Uint32
}

// Tracked reports whether the server tracks everything the read returned
// (some part of it ran tracked, none untracked, all on one node), and the
// Source of that node.
func (t *TrackedRead) Tracked() (src uint32, ok bool) {
	return t.src.Load(), t.tracked.Load() && !t.untracked.Load()
}

// ran records that part of the read ran on the node with Source src,
// tracked or not. Parts on several nodes are not tracked as one: no one
// Source could drop them all.
func (t *TrackedRead) ran(src uint32, tracked bool) {
	if !t.src.CompareAndSwap(0, src) && t.src.Load() != src {
		tracked = false
	}
	if tracked {
		t.tracked.Store(true)
	} else {
		t.untracked.Store(true)
	}
}

type trackedReadKey struct{}

// WithTrackedRead returns ctx asking the nodes that run commands on it
// to track them, reporting to t.
func WithTrackedRead(ctx context.Context, t *TrackedRead) context.Context {
	return context.WithValue(ctx, trackedReadKey{}, t)
}

// trackedRead returns the TrackedRead of ctx, if the node tracks at all.
func (n *Node) trackedRead(ctx context.Context) *TrackedRead {
	if n.o.Tracking == nil {
		return nil
	}
	t, _ := ctx.Value(trackedReadKey{}).(*TrackedRead)
	return t
}

// trackingArgs are the arguments after CLIENT TRACKING on for this node's
// mode, without REDIRECT.
func trackingArgs(t *Tracking) []string {
	if !t.Broadcast {
		return []string{"OPTIN"}
	}
	args := []string{"BCAST"}
	for _, p := range t.Prefixes {
		args = append(args, "PREFIX", p)
	}
	return args
}

// resp2Tracking reports whether the node tracks through a redirect
// connection (its connections speak RESP2).
func (n *Node) resp2Tracking() bool { return n.o.Tracking != nil && n.o.Conn.Protocol == 2 }

var cachingYes = func() []byte {
	var e resp.Encoder
	e.Begin()
	e.String("CLIENT")
	e.String("CACHING")
	e.String("yes")
	e.End()
	return e.Bytes()
}()

// doTracked runs a read the caller wants tracked, recording in t whether
// the server tracks it. Under OPTIN the prefix (CLIENT CACHING yes, and
// under RESP2 the CLIENT TRACKING naming the redirect connection) and the
// read are one multiplexer request, written together on one connection,
// so the server tracks exactly this read.
func (n *Node) doTracked(ctx context.Context, cmd []byte, t *TrackedRead) (resp.Value, error) {
	src := n.o.Tracking.Source
	prefix, k, ok := n.TrackingPrefix(ctx)
	if !ok || k == 0 {
		v, err := n.pick().Do(ctx, cmd)
		if !ok || err == nil { // Broadcast: the connections track the prefixes
			t.ran(src, ok)
		}
		return v, err
	}
	buf := make([]byte, 0, len(prefix)+len(cmd))
	buf = append(append(buf, prefix...), cmd...)
	out := make([]resp.Value, k+1)
	if err := n.pick().DoMulti(ctx, buf, out); err != nil {
		return resp.Value{}, err
	}
	tracked := true
	for _, v := range out[:k] {
		tracked = tracked && !v.IsError() // not when the redirect connection went away meanwhile, say
	}
	t.ran(src, tracked)
	return out[k], nil
}

// TrackingPrefix returns what to send before a read in a pipeline for the
// server to track it, with the number of replies that prefix adds; ok is
// false when the read cannot be tracked now (under RESP2, no redirect
// connection is live). A prefix answered with an error means the read
// was not tracked. Pipelines use it where Do uses a TrackedRead.
func (n *Node) TrackingPrefix(ctx context.Context) (prefix []byte, replies int, ok bool) {
	tr := n.o.Tracking
	if tr == nil {
		return nil, 0, false
	}
	n.beat.start(n)
	if n.redir == nil {
		if tr.Broadcast {
			return nil, 0, true
		}
		return cachingYes, 1, true
	}
	id := n.redir.liveID(ctx)
	switch {
	case id == 0:
		return nil, 0, false
	case tr.Broadcast:
		return nil, 0, true
	}
	var e resp.Encoder
	e.Begin()
	e.String("CLIENT")
	e.String("TRACKING")
	e.String("on")
	e.String("REDIRECT")
	e.Int(id)
	e.String("OPTIN")
	e.End()
	return append(e.Bytes(), cachingYes...), 2, true
}

// Tracks reports whether the node runs client-side caching's tracking,
// and its Source.
func (n *Node) Tracks() (src uint32, ok bool) {
	if n.o.Tracking == nil {
		return 0, false
	}
	return n.o.Tracking.Source, true
}

// onPush handles a RESP3 push frame on a tracking connection, then hands
// it to the node's own OnPush.
func (n *Node) onPush(v resp.Value) {
	if keys, all, ok := invalidation(v); ok {
		if all {
			n.o.Tracking.Invalidate(nil)
		} else {
			n.o.Tracking.Invalidate(keys)
		}
	}
	if n.o.OnPush != nil {
		n.o.OnPush(v)
	}
}

// invalidation decodes a tracking invalidation: a RESP3 push
// ["invalidate", keys], or under RESP2 the payload of a message on
// __redis__:invalidate. A null key list (all) means every key.
func invalidation(v resp.Value) (keys []string, all, ok bool) {
	e := v.Elems()
	if v.Type() != resp.Push || len(e) != 2 || e[0].String() != "invalidate" {
		return nil, false, false
	}
	keys, all = invalidatedKeys(e[1])
	return keys, all, true
}

// invalidatedKeys decodes the key list of an invalidation.
func invalidatedKeys(v resp.Value) (keys []string, all bool) {
	if v.IsNull() {
		return nil, true
	}
	for _, k := range v.Elems() {
		keys = append(keys, k.String())
	}
	if v.Type() != resp.Array && v.Type() != resp.Set {
		// Not a key list: nothing it says can be trusted.
		return nil, true
	}
	return keys, false
}

// redirector keeps the RESP2 invalidation connection of a node: subscribed
// to __redis__:invalidate, its CLIENT ID named by every tracked read.
type redirector struct {
	n  *Node
	lg *slog.Logger
	id atomic.Int64 // CLIENT ID of the live, subscribed connection; 0 when none
	// setup is closed when the attempt under way to connect succeeds or
	// fails: reads wait for it rather than go untracked.
	setup atomic.Pointer[chan struct{}]
	once  sync.Once // starts the loop on first use
	quit  chan struct{}
	done  chan struct{}

	mu sync.Mutex
	cn *conn.Conn // the current connection, closed by close
}

// The health check of a connection invalidations arrive on: a PING when
// it was quiet for beatEvery, and a connection that stays silent for
// beatDead after that is declared lost (its invalidations may be lost with
// it), which flushes the cache. Failovers take seconds (Sentinel's
// down-after-milliseconds, cluster-node-timeout): the cache must learn of
// a silent server well within that.
const (
	beatEvery = 500 * time.Millisecond
	beatDead  = 2 * time.Second
)

// liveID returns the live connection's ID, or 0 when there is none. A
// connection being set up is waited for, until ctx ends.
func (r *redirector) liveID(ctx context.Context) int64 {
	if id := r.id.Load(); id != 0 {
		return id
	}
	r.once.Do(func() {
		ch := make(chan struct{})
		r.setup.Store(&ch)
		go r.loop(ch)
	})
	if ch := r.setup.Load(); ch != nil {
		select {
		case <-*ch:
		case <-ctx.Done():
		}
	}
	return r.id.Load()
}

func (r *redirector) close() {
	r.once.Do(func() { close(r.done) }) // never started
	select {
	case <-r.quit:
	default:
		close(r.quit)
	}
	r.mu.Lock()
	if r.cn != nil {
		r.cn.Close()
	}
	r.mu.Unlock()
	<-r.done
}

// loop keeps a subscribed connection up until close, flushing the cache
// each time one is lost.
func (r *redirector) loop(setup chan struct{}) {
	defer close(r.done)
	pause := minDialPause
	for {
		select {
		case <-r.quit:
			close(setup)
			return
		default:
		}
		err := r.serve(setup) // closes setup once connected, or failed
		if r.id.Swap(0) != 0 {
			r.n.o.Tracking.Flush()
			pause = minDialPause
		}
		if r.lg != nil && err != nil {
			r.lg.LogAttrs(context.Background(), slog.LevelWarn, "redis: invalidation connection lost", slog.String("error", err.Error()))
		}
		select {
		case <-r.quit:
			return
		case <-time.After(pause):
		}
		pause = min(2*pause, time.Second)
		next := make(chan struct{}) // a variable of its own: readers hold its address
		r.setup.Store(&next)
		setup = next
	}
}

var errRedirQuiet = errors.New("the invalidation connection stopped answering")

// serve dials, subscribes and reads invalidations until the connection
// fails.
func (r *redirector) serve(setup chan struct{}) error {
	ready := false
	defer func() {
		if !ready {
			close(setup)
		}
	}()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-r.quit:
			cancel()
		case <-ctx.Done():
		}
	}()
	cn, err := r.n.dial(ctx, r.lg)
	if err != nil {
		return err
	}
	r.mu.Lock()
	select {
	case <-r.quit:
		r.mu.Unlock()
		cn.Close()
		return nil
	default:
	}
	r.cn = cn
	r.mu.Unlock()
	defer cn.Close()

	var out [1]resp.Value
	call := func(args ...any) error {
		var e resp.Encoder
		e.Begin()
		for _, a := range args {
			switch a := a.(type) {
			case string:
				e.String(a)
			case int64:
				e.Int(a)
			}
		}
		e.End()
		if err := cn.RoundTrip(ctx, e.Bytes(), out[:], beatDead, beatDead); err != nil {
			return err
		}
		return out[0].Err()
	}
	if err := call("CLIENT", "ID"); err != nil {
		return err
	}
	id := out[0].Int()
	if id <= 0 {
		return errors.New("CLIENT ID returned no ID")
	}
	if t := r.n.o.Tracking; t.Broadcast {
		args := []any{"CLIENT", "TRACKING", "on", "REDIRECT", id}
		for _, a := range trackingArgs(t) {
			args = append(args, a)
		}
		if err := call(args...); err != nil {
			return err
		}
	}
	var e resp.Encoder
	e.Begin()
	e.String("SUBSCRIBE")
	e.String("__redis__:invalidate")
	e.End()
	if err := cn.Send(ctx, e.Bytes(), beatDead); err != nil {
		return err
	}
	v, err := cn.Receive(ctx, beatDead)
	if err != nil {
		return err
	}
	if el := v.Elems(); len(el) != 3 || el[0].String() != "subscribe" {
		return errors.New("unexpected reply to SUBSCRIBE __redis__:invalidate: " + v.GoString())
	}
	r.id.Store(id)
	ready = true
	close(setup)

	var ping resp.Encoder
	ping.Begin()
	ping.String("PING")
	ping.End()
	quiet := time.Duration(0)
	for {
		v, err := cn.Receive(ctx, beatEvery)
		if err != nil {
			var ne net.Error
			if !errors.As(err, &ne) || !ne.Timeout() {
				return err
			}
			if quiet += beatEvery; quiet >= beatDead {
				return errRedirQuiet
			}
			if err := cn.Send(ctx, ping.Bytes(), beatDead); err != nil {
				return err
			}
			continue
		}
		quiet = 0
		el := v.Elems()
		if len(el) == 3 && el[0].String() == "message" && el[1].String() == "__redis__:invalidate" {
			keys, all := invalidatedKeys(el[2])
			if all {
				keys = nil
			}
			r.n.o.Tracking.Invalidate(keys)
		}
	}
}

// heartbeat sends a PING every beatEvery on each multiplexed connection
// of a tracking node, and drops a connection whose PING is not answered
// within beatDead. The server's tracking of what a connection read dies
// with it; a connection that died unnoticed (killed while idle: under
// RESP2 nobody reads an idle connection; or silent: a partition, a hung
// server) would leave the cache serving hits of keys nobody tracks any
// more. The PING finds it (its reply fails, or never comes), and the
// failure flushes the cache.
type heartbeat struct {
	once sync.Once
	mu   sync.Mutex
	quit chan struct{} // nil until started; closed by stop
	done chan struct{}
}

var pingCmd = func() []byte {
	var e resp.Encoder
	e.Begin()
	e.String("PING")
	e.End()
	return e.Bytes()
}()

func (h *heartbeat) start(n *Node) {
	h.once.Do(func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		if h.quit != nil {
			return // stopped before it started
		}
		h.quit, h.done = make(chan struct{}), make(chan struct{})
		go h.loop(n)
	})
}

func (h *heartbeat) loop(n *Node) {
	defer close(h.done)
	tick := time.NewTicker(beatEvery)
	defer tick.Stop()
	var checking sync.WaitGroup
	defer checking.Wait()
	busy := make([]atomic.Bool, len(n.muxes)) // a check under way
	for {
		select {
		case <-h.quit:
			return
		case <-tick.C:
		}
		for i, m := range n.muxes {
			if busy[i].Swap(true) {
				continue
			}
			// One goroutine per connection: a check that waits for its
			// reply must not hold up the other connections'.
			checking.Go(func() {
				defer busy[i].Store(false)
				m.Check(pingCmd, beatDead)
			})
		}
	}
}

func (h *heartbeat) stop() {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch h.quit {
	case nil:
		h.quit = make(chan struct{}) // start does nothing after this
		close(h.quit)
	default:
		select {
		case <-h.quit:
		default:
			close(h.quit)
			<-h.done
		}
	}
}
