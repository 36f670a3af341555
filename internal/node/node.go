// Package node is everything the client keeps for one server: multiplexed
// connections for ordinary commands and a pool of exclusive connections
// for blocking commands, transactions and pub/sub. The standalone, cluster
// and sentinel transports are made of nodes.
package node

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/respkit/redis/internal/conn"
	"github.com/respkit/redis/internal/mux"
	"github.com/respkit/redis/internal/pool"
	"github.com/respkit/redis/resp"
)

// Options configure a Node.
type Options struct {
	Conn conn.Options
	// MuxConns is the number of multiplexed connections; 0 means 1.
	MuxConns     int
	ReadTimeout  time.Duration // per reply; negative disables
	StallTimeout time.Duration // a shared connection receiving nothing while owed replies; negative disables
	WriteTimeout time.Duration // per write; negative disables
	// Pool configures the exclusive connections; its Dial is set by New.
	Pool   pool.Options
	OnPush func(resp.Value)
	// Logger, when set, records dials, failures and closes of the node's
	// connections with the attributes component=conn, addr and kind
	// (multiplexed or pooled); nil is silent.
	Logger *slog.Logger
	// DialHook, when set, wraps every dial (connection and handshake):
	// it must call dial once and return its error or one of its own.
	DialHook func(ctx context.Context, addr string, dial func(context.Context) error) error
	// AcquireHook, when set, wraps every checkout of an exclusive
	// connection from the pool, as DialHook wraps dials.
	AcquireHook func(ctx context.Context, addr string, get func(context.Context) error) error
	// Tracking, when set, turns on client-side caching's tracking on the
	// multiplexed connections (see Tracking).
	Tracking *Tracking
}

// Node is one server's connections. It is safe for concurrent use.
type Node struct {
	o     Options
	muxes []*mux.Mux
	next  atomic.Uint32
	pool  *pool.Pool
	redir *redirector // the RESP2 invalidation connection; nil unless tracking under RESP2
	beat  heartbeat   // RESP3 tracking: keeps idle connections checked

	mu       sync.Mutex // guards the dial throttle below
	dialErr  error      // the last dial's failure; nil after a success
	failedAt time.Time  // when it failed
	pause    time.Duration
	probing  bool      // a dial after a failure is under way: the others fail fast
	failures int       // dials failed in a row
	loggedAt time.Time // when a failed dial was last logged
}

var errHookSkippedDial = errors.New("a Dial hook returned without dialing")

// New returns a Node; it dials on first use.
func New(o Options) *Node {
	n := &Node{o: o}
	var muxLog, poolLog *slog.Logger
	if o.Logger != nil {
		lg := o.Logger.With(slog.String("component", "conn"), slog.String("addr", o.Conn.Addr))
		muxLog = lg.With(slog.String("kind", "multiplexed"))
		poolLog = lg.With(slog.String("kind", "pooled"))
	}
	muxConn := &n.o.Conn
	onPush := o.OnPush
	var onFail func()
	switch {
	case n.resp2Tracking():
		var lg *slog.Logger
		if o.Logger != nil {
			lg = o.Logger.With(slog.String("component", "conn"), slog.String("addr", o.Conn.Addr), slog.String("kind", "invalidations"))
		}
		n.redir = &redirector{n: n, lg: lg, quit: make(chan struct{}), done: make(chan struct{})}
		// A connection gone takes its tracking with it: the keys it read
		// would never be invalidated. Its multiplexer keeps reading, as
		// it does for pushes under RESP3, so that a close is seen at once
		// even while every cached read is a hit and nothing is sent.
		onFail = o.Tracking.Flush
		if onPush == nil {
			onPush = func(resp.Value) {}
		}
	case o.Tracking != nil:
		co := o.Conn
		co.Tracking = trackingArgs(o.Tracking)
		muxConn = &co
		onPush, onFail = n.onPush, o.Tracking.Flush
	}
	count := max(o.MuxConns, 1)
	for range count {
		n.muxes = append(n.muxes, mux.New(mux.Options{
			Dial:         func(ctx context.Context) (*conn.Conn, error) { return n.dialWith(ctx, muxConn, muxLog) },
			Logger:       muxLog,
			ReadTimeout:  o.ReadTimeout,
			StallTimeout: o.StallTimeout,
			WriteTimeout: o.WriteTimeout,
			OnPush:       onPush,
			OnFail:       onFail,
		}))
	}
	po := o.Pool
	po.Dial = func(ctx context.Context) (*conn.Conn, error) { return n.dial(ctx, poolLog) }
	po.Logger = poolLog
	n.pool = pool.New(po)
	return n
}

// Dial throttling: after a failed dial, dials within the pause that
// follows fail at once with the same error instead of reaching the server,
// and once it is over only one of them (the probe) dials while the others
// keep failing fast. The pause doubles from minDialPause to maxDialPause
// while dials keep failing (about 1/maxDialPause dials a second to a server
// that is down, whatever the number of connections wanted, and a server
// that comes back is found within maxDialPause); a refusal in the
// handshake (wrong password, ...) pauses authPause, since it will not pass
// on its own any sooner.
const (
	minDialPause = 10 * time.Millisecond
	maxDialPause = 60 * time.Millisecond
	authPause    = time.Second
)

// dial opens a connection for the multiplexer or the pool, unless a dial
// failed within the current pause. lg, when set, records the dial: each
// success, and failures at most once a second while they go on.
func (n *Node) dial(ctx context.Context, lg *slog.Logger) (*conn.Conn, error) {
	return n.dialWith(ctx, &n.o.Conn, lg)
}

// dialWith is dial with connection options of its own (the multiplexed
// connections' may turn tracking on).
func (n *Node) dialWith(ctx context.Context, co *conn.Options, lg *slog.Logger) (*conn.Conn, error) {
	n.mu.Lock()
	if n.dialErr != nil {
		if n.probing || time.Since(n.failedAt) < n.pause {
			err := n.dialErr
			n.mu.Unlock()
			return nil, err
		}
		n.probing = true // the one dial of this pause
	}
	n.mu.Unlock()
	var cn *conn.Conn
	var err error
	if n.o.DialHook != nil {
		err = n.o.DialHook(ctx, co.Addr, func(ctx context.Context) error {
			var derr error
			cn, derr = conn.Dial(ctx, co)
			return derr
		})
		switch {
		case err != nil && cn != nil:
			cn.Close() // the hook failed the dial after it succeeded
			cn = nil
		case err == nil && cn == nil:
			err = errHookSkippedDial
		}
	} else {
		cn, err = conn.Dial(ctx, co)
	}
	n.mu.Lock()
	n.probing = false
	if err == nil {
		failures := n.failures
		n.dialErr, n.pause, n.failures = nil, 0, 0
		n.mu.Unlock()
		if lg != nil {
			logConnected(lg, cn, failures)
		}
		return cn, nil
	}
	var he *conn.HandshakeError
	switch {
	case errors.As(err, &he):
		n.pause = authPause
	case n.pause == 0:
		n.pause = minDialPause
	default:
		n.pause = min(2*n.pause, maxDialPause)
	}
	n.dialErr, n.failedAt = err, time.Now()
	n.failures++
	failures, logIt := n.failures, lg != nil && ctx.Err() == nil && (n.failures == 1 || n.failedAt.Sub(n.loggedAt) >= time.Second)
	if logIt {
		n.loggedAt = n.failedAt
	}
	n.mu.Unlock()
	if logIt {
		lg.LogAttrs(context.Background(), slog.LevelWarn, "redis: dial failed",
			slog.Int("failures", failures), slog.String("error", err.Error()))
	}
	return nil, err
}

// logConnected records a successful dial: at Debug, or at Info when it
// ends a run of failed dials.
func logConnected(lg *slog.Logger, cn *conn.Conn, failures int) {
	if failures == 0 {
		lg.LogAttrs(context.Background(), slog.LevelDebug, "redis: connected", slog.Int("protocol", cn.Proto()))
		return
	}
	lg.LogAttrs(context.Background(), slog.LevelInfo, "redis: connected", slog.Int("protocol", cn.Proto()),
		slog.Int("failures", failures))
}

func (n *Node) pick() *mux.Mux {
	if len(n.muxes) == 1 {
		return n.muxes[0]
	}
	return n.muxes[int(n.next.Add(1))%len(n.muxes)]
}

// Do runs one encoded command on a multiplexed connection.
// With a TrackedRead in ctx (see WithTrackedRead), the server is asked to
// track it.
func (n *Node) Do(ctx context.Context, cmd []byte) (resp.Value, error) {
	if n.o.Tracking != nil {
		if t := n.trackedRead(ctx); t != nil {
			return n.doTracked(ctx, cmd, t)
		}
	}
	return n.pick().Do(ctx, cmd)
}

// DoMulti runs len(out) encoded commands on a multiplexed connection. It
// never tracks: a TrackedRead in ctx is told so.
func (n *Node) DoMulti(ctx context.Context, cmds []byte, out []resp.Value) error {
	if n.o.Tracking != nil {
		if t := n.trackedRead(ctx); t != nil {
			t.ran(n.o.Tracking.Source, false)
		}
	}
	return n.pick().DoMulti(ctx, cmds, out)
}

// Exclusive runs encoded commands on a pooled connection of their own, for
// blocking commands: the connection is closed rather than reused when the
// exchange does not complete.
func (n *Node) Exclusive(ctx context.Context, cmds []byte, out []resp.Value, readTimeout time.Duration) error {
	if n.o.Tracking != nil {
		if t := n.trackedRead(ctx); t != nil {
			t.ran(n.o.Tracking.Source, false)
		}
	}
	cn, err := n.get(ctx)
	if err != nil {
		return err
	}
	err = cn.RoundTrip(ctx, cmds, out, n.o.WriteTimeout, readTimeout)
	n.pool.Put(cn)
	if err != nil {
		err = n.ClosedErr(err)
	}
	return err
}

// ClosedErr returns err, the failure of an exchange on a connection from
// Get, as ErrClosed (keeping whether the commands were sent) when the
// failure came from Close.
func (n *Node) ClosedErr(err error) error {
	if !n.pool.Closed() {
		return err
	}
	var ce *conn.Error
	if errors.As(err, &ce) {
		return &conn.Error{Op: ce.Op, Err: conn.ErrClosed, Sent: ce.Sent}
	}
	return conn.ErrClosed
}

// Get checks out an exclusive connection; give it back with Put.
func (n *Node) Get(ctx context.Context) (*conn.Conn, error) { return n.get(ctx) }

var errHookSkippedAcquire = errors.New("an Acquire hook returned without checking out a connection")

// get checks out a pooled connection through AcquireHook, if set.
func (n *Node) get(ctx context.Context) (*conn.Conn, error) {
	if n.o.AcquireHook == nil {
		return n.pool.Get(ctx)
	}
	var cn *conn.Conn
	err := n.o.AcquireHook(ctx, n.o.Conn.Addr, func(ctx context.Context) error {
		var gerr error
		cn, gerr = n.pool.Get(ctx)
		return gerr
	})
	switch {
	case err != nil && cn != nil:
		n.pool.Put(cn) // the hook failed a checkout that succeeded
		cn = nil
	case err == nil && cn == nil:
		err = errHookSkippedAcquire
	}
	return cn, err
}

// Put gives back a connection from Get.
func (n *Node) Put(cn *conn.Conn) { n.pool.Put(cn) }

// PoolStats returns the exclusive pool's counters.
func (n *Node) PoolStats() pool.Stats { return n.pool.Stats() }

// MuxStats returns the counters of the multiplexed connections, summed;
// Connected counts the live ones in Conns.
func (n *Node) MuxStats() (s mux.Stats, conns int) {
	for _, m := range n.muxes {
		ms := m.Stats()
		if ms.Connected {
			conns++
		}
		s.InFlight += ms.InFlight
		s.Commands += ms.Commands
		s.Writes += ms.Writes
		s.Dials += ms.Dials
	}
	s.Connected = conns > 0
	return s, conns
}

// Close closes every connection; calls in flight fail with ErrClosed.
func (n *Node) Close() error {
	if n.redir != nil {
		n.redir.close()
	}
	for _, m := range n.muxes {
		m.Close()
	}
	n.beat.stop() // after the muxes: a health check waiting for its reply ends with them
	return n.pool.Close()
}
