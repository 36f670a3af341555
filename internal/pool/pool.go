// Package pool keeps connections that one caller at a time uses
// exclusively: blocking commands, transactions, pub/sub.
package pool

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/respkit/redis/internal/conn"
)

// ErrTimeout is wrapped by the error Get returns when no connection frees
// up within Options.WaitTimeout.
var ErrTimeout = errors.New("redis: connection pool timeout")

// ErrClosed is returned by Get after Close.
var ErrClosed = conn.ErrClosed

// TimeoutError says how long a caller waited and how the pool stood.
type TimeoutError struct {
	Waited time.Duration
	Size   int // the pool's maximum number of connections
	InUse  int // connections checked out when the wait ended
	Idle   int
}

// Error describes the wait.
func (e *TimeoutError) Error() string {
	return fmt.Sprintf("redis: connection pool timeout: waited %v for a connection; %d of %d connections in use, %d idle (raise PoolSize or PoolTimeout, or look for connections not given back)",
		e.Waited.Round(time.Millisecond), e.InUse, e.Size, e.Idle)
}

// Unwrap returns ErrTimeout.
func (e *TimeoutError) Unwrap() error { return ErrTimeout }

// Options configure a Pool. Dial is required.
type Options struct {
	// Dial opens a connection. The pool calls it with a context that is
	// not tied to any caller, so one cancelled caller cannot abort a dial
	// others may end up using.
	Dial func(ctx context.Context) (*conn.Conn, error)
	// Size is the most connections open at once, in use or idle; 0 means 10.
	Size int
	// MinIdle connections are kept open and idle when possible.
	MinIdle int
	// WaitTimeout bounds how long Get waits when all Size connections are
	// in use; 0 means 4 s.
	WaitTimeout time.Duration
	// MaxIdleTime closes connections idle this long; 0 means 30 minutes,
	// negative means never.
	MaxIdleTime time.Duration
	// MaxLifetime closes connections this old; 0 means no limit.
	MaxLifetime time.Duration
	// HealthCheckAfter makes Get PING a connection idle at least this long
	// before handing it out, and drop it if the PING fails; 0 means 1 s,
	// negative means never.
	HealthCheckAfter time.Duration
	// PingTimeout bounds that PING; 0 means 1 s.
	PingTimeout time.Duration
	// Logger, when set, records connections found dead and closed; nil is
	// silent. The caller adds the attributes naming the connections.
	Logger *slog.Logger
}

// Stats are counters and gauges of a Pool.
type Stats struct {
	Hits       uint64 // Get found an idle connection
	Misses     uint64 // Get had to dial
	Timeouts   uint64 // Get gave up waiting
	TotalConns int    // open connections, in use or idle
	IdleConns  int
	StaleConns uint64 // connections closed for age, idleness or a failed health check
}

// Pool is a bounded set of exclusive connections. It is safe for
// concurrent use.
type Pool struct {
	o   Options
	sem chan struct{} // a token per connection checked out or being dialed

	mu     sync.Mutex // guards idle, inUse, total and closed
	idle   []*conn.Conn
	inUse  map[*conn.Conn]struct{} // checked out, so that Close can close them
	total  int
	closed bool

	hits, misses, timeouts, stale atomic.Uint64

	stop chan struct{}
	done sync.WaitGroup
}

// New returns a pool. It dials nothing until asked, except to keep MinIdle
// connections.
func New(o Options) *Pool {
	if o.Size <= 0 {
		o.Size = 10
	}
	if o.WaitTimeout <= 0 {
		o.WaitTimeout = 4 * time.Second
	}
	if o.MaxIdleTime == 0 {
		o.MaxIdleTime = 30 * time.Minute
	}
	if o.HealthCheckAfter == 0 {
		o.HealthCheckAfter = time.Second
	}
	if o.PingTimeout <= 0 {
		o.PingTimeout = time.Second
	}
	o.MinIdle = min(o.MinIdle, o.Size)
	p := &Pool{o: o, sem: make(chan struct{}, o.Size), stop: make(chan struct{}), inUse: make(map[*conn.Conn]struct{})}
	p.done.Add(1)
	go p.maintain()
	return p
}

// Get returns a connection for the caller's exclusive use. The caller must
// give it back with Put. Get waits while all connections are in use, up to
// WaitTimeout or ctx's end.
func (p *Pool) Get(ctx context.Context) (*conn.Conn, error) {
	if err := p.acquire(ctx); err != nil {
		return nil, err
	}
	for {
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			<-p.sem
			return nil, ErrClosed
		}
		n := len(p.idle)
		if n == 0 {
			p.total++ // for the dial below
			p.mu.Unlock()
			break
		}
		cn := p.idle[n-1]
		p.idle[n-1] = nil
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		if p.usable(ctx, cn) && p.checkOut(cn) {
			p.hits.Add(1)
			return cn, nil
		}
		p.discard(cn)
	}
	p.misses.Add(1)
	return p.dial(ctx)
}

// checkOut records cn as in use, so that Close closes it. It reports false
// when the pool was closed meanwhile.
func (p *Pool) checkOut(cn *conn.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.inUse[cn] = struct{}{}
	return true
}

// Closed reports whether Close has been called.
func (p *Pool) Closed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closed
}

func (p *Pool) acquire(ctx context.Context) error {
	select {
	case p.sem <- struct{}{}:
		return nil
	default:
	}
	start := time.Now()
	t := time.NewTimer(p.o.WaitTimeout)
	defer t.Stop()
	select {
	case p.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		if err := ctx.Err(); err != nil {
			return err // both ended while this goroutine waited to run: the context's came first or at once
		}
		p.timeouts.Add(1)
		p.mu.Lock()
		idle, total := len(p.idle), p.total
		p.mu.Unlock()
		return &TimeoutError{Waited: time.Since(start), Size: p.o.Size, InUse: total - idle, Idle: idle}
	}
}

// usable checks an idle connection's age and, after a long idle spell,
// its health.
func (p *Pool) usable(ctx context.Context, cn *conn.Conn) bool {
	if !cn.Alive() {
		p.logDead(nil)
		return false
	}
	if p.expired(cn, time.Now()) {
		p.logClosed("idle too long or too old")
		return false
	}
	if p.o.HealthCheckAfter > 0 && time.Since(cn.UsedAt()) >= p.o.HealthCheckAfter {
		if err := cn.Ping(ctx, p.o.PingTimeout); err != nil {
			p.logDead(err)
			return false
		}
	}
	return true
}

// logDead records an idle connection found closed by the server (err nil)
// or failing its health check.
func (p *Pool) logDead(err error) {
	if p.o.Logger == nil {
		return
	}
	reason := "closed by the server while idle"
	if err != nil {
		reason = "health check failed: " + err.Error()
	}
	p.o.Logger.LogAttrs(context.Background(), slog.LevelWarn, "redis: connection found dead", slog.String("reason", reason))
}

// logClosed records a connection the pool closes for reason.
func (p *Pool) logClosed(reason string) {
	if p.o.Logger != nil {
		p.o.Logger.LogAttrs(context.Background(), slog.LevelDebug, "redis: connection closed", slog.String("reason", reason))
	}
}

func (p *Pool) expired(cn *conn.Conn, now time.Time) bool {
	if p.o.MaxLifetime > 0 && now.Sub(cn.CreatedAt()) >= p.o.MaxLifetime {
		return true
	}
	return p.o.MaxIdleTime > 0 && now.Sub(cn.UsedAt()) >= p.o.MaxIdleTime
}

// discard closes a connection taken from the idle list (its token held).
func (p *Pool) discard(cn *conn.Conn) {
	cn.Close()
	p.stale.Add(1)
	p.mu.Lock()
	p.total--
	p.mu.Unlock()
}

type dialResult struct {
	cn  *conn.Conn
	err error
}

// dial opens a connection on a context of its own. If the caller gives up
// first, the connection still joins the pool for the next caller.
func (p *Pool) dial(ctx context.Context) (*conn.Conn, error) {
	ch := make(chan dialResult, 1)
	go func() {
		cn, err := p.o.Dial(context.Background())
		ch <- dialResult{cn, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			p.mu.Lock()
			p.total--
			p.mu.Unlock()
			<-p.sem
			return nil, r.err
		}
		if !p.checkOut(r.cn) {
			p.Put(r.cn)
			return nil, ErrClosed
		}
		return r.cn, nil
	case <-ctx.Done():
		go func() {
			r := <-ch
			if r.err != nil {
				p.mu.Lock()
				p.total--
				p.mu.Unlock()
				<-p.sem
				return
			}
			p.Put(r.cn)
		}()
		return nil, ctx.Err()
	}
}

// Put gives a connection back. A broken connection, or one the pool no
// longer wants, is closed.
func (p *Pool) Put(cn *conn.Conn) {
	cn.DropPushes()
	p.mu.Lock()
	delete(p.inUse, cn)
	if p.closed || cn.Broken() || p.expired(cn, time.Now()) {
		reason := "idle too long or too old"
		switch {
		case p.closed:
			reason = "client closed"
		case cn.Broken():
			reason = "given back broken: an error or a cancelled call"
		}
		p.total--
		p.mu.Unlock()
		cn.Close()
		p.logClosed(reason)
	} else {
		p.idle = append(p.idle, cn)
		p.mu.Unlock()
	}
	<-p.sem
}

// Stats returns the pool's counters.
func (p *Pool) Stats() Stats {
	p.mu.Lock()
	total, idle := p.total, len(p.idle)
	p.mu.Unlock()
	return Stats{
		Hits: p.hits.Load(), Misses: p.misses.Load(), Timeouts: p.timeouts.Load(),
		TotalConns: total, IdleConns: idle, StaleConns: p.stale.Load(),
	}
}

// Close closes every connection, idle or in use, and makes Get fail with
// ErrClosed. An exchange in progress on a connection in use fails; the
// connection is accounted for when it is put back.
func (p *Pool) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	idle := p.idle
	p.idle = nil
	p.total -= len(idle)
	inUse := make([]*conn.Conn, 0, len(p.inUse))
	for cn := range p.inUse {
		inUse = append(inUse, cn)
	}
	p.mu.Unlock()
	close(p.stop)
	p.done.Wait()
	for _, cn := range idle {
		cn.Close()
	}
	for _, cn := range inUse {
		cn.Close()
	}
	if n := len(idle) + len(inUse); n > 0 && p.o.Logger != nil {
		p.o.Logger.LogAttrs(context.Background(), slog.LevelDebug, "redis: connection closed",
			slog.String("reason", "client closed"), slog.Int("count", n))
	}
	return nil
}

// maintain closes stale idle connections and keeps MinIdle connections.
func (p *Pool) maintain() {
	defer p.done.Done()
	period := time.Minute
	if p.o.MaxIdleTime > 0 {
		period = min(period, p.o.MaxIdleTime/2)
	}
	if p.o.MaxLifetime > 0 {
		period = min(period, p.o.MaxLifetime/2)
	}
	period = max(period, 10*time.Millisecond)
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		p.reap()
		p.fill()
		select {
		case <-p.stop:
			return
		case <-t.C:
		}
	}
}

func (p *Pool) reap() {
	now := time.Now()
	p.mu.Lock()
	var dead []*conn.Conn
	kept := p.idle[:0]
	for _, cn := range p.idle {
		if cn.Broken() || p.expired(cn, now) {
			dead = append(dead, cn)
		} else {
			kept = append(kept, cn)
		}
	}
	clear(p.idle[len(kept):])
	p.idle = kept
	p.total -= len(dead)
	p.mu.Unlock()
	for _, cn := range dead {
		cn.Close()
		p.stale.Add(1)
		p.logClosed("idle too long or too old")
	}
}

// fill dials up to MinIdle idle connections, without going over Size: each
// dial holds a token, as a caller's would, so callers and fill together
// never open more than Size connections.
func (p *Pool) fill() {
	for {
		select {
		case p.sem <- struct{}{}:
		default:
			return // every connection is in use or being dialed
		}
		p.mu.Lock()
		if p.closed || len(p.idle) >= p.o.MinIdle || p.total >= p.o.Size {
			p.mu.Unlock()
			<-p.sem
			return
		}
		p.total++
		p.mu.Unlock()
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			select {
			case <-p.stop:
				cancel()
			case <-ctx.Done():
			}
		}()
		cn, err := p.o.Dial(ctx)
		cancel()
		p.mu.Lock()
		if err != nil || p.closed {
			p.total--
			p.mu.Unlock()
			<-p.sem
			if cn != nil {
				cn.Close()
			}
			return
		}
		p.idle = append(p.idle, cn)
		p.mu.Unlock()
		<-p.sem
	}
}
