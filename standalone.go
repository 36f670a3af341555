package redis

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/respkit/redis/internal/conn"
	"github.com/respkit/redis/internal/node"
	"github.com/respkit/redis/internal/pool"
	"github.com/respkit/redis/resp"
)

// standalone is the Transport for a single server.
type standalone struct {
	addr                      string // for hooks (TraceServer)
	node                      *node.Node
	readTimeout, writeTimeout time.Duration
}

var _ Transport = (*standalone)(nil)

func newStandalone(o *Options) *standalone {
	co := conn.Options{
		Network:        o.Network,
		Addr:           o.Addr,
		Dialer:         o.Dialer,
		TLSConfig:      o.TLSConfig,
		Protocol:       o.Protocol,
		Credentials:    o.credentials(),
		DB:             o.DB,
		ClientName:     o.ClientName,
		DialTimeout:    o.DialTimeout,
		Limits:         o.Limits,
		ReadBufferSize: 0,
		ReadOnly:       o.ReadOnly,
	}
	if !o.DisableIdentity {
		co.LibName, co.LibVer = "respkit-go", Version
	}
	var tracking *node.Tracking
	if o.cache != nil && o.cache.err == nil {
		tracking = o.cache.tracking()
	}
	return &standalone{
		addr:         o.Addr,
		readTimeout:  o.ReadTimeout,
		writeTimeout: o.WriteTimeout,
		node: node.New(node.Options{
			Conn:         co,
			DialHook:     dialHook(o.Hooks, o.Network),
			AcquireHook:  acquireHook(o.Hooks),
			MuxConns:     o.MuxConns,
			ReadTimeout:  o.ReadTimeout,
			StallTimeout: o.StallTimeout,
			WriteTimeout: o.WriteTimeout,
			Logger:       o.Logger,
			Tracking:     tracking,
			Pool: pool.Options{
				Size:             o.PoolSize,
				MinIdle:          o.MinIdleConns,
				WaitTimeout:      o.PoolTimeout,
				MaxIdleTime:      o.ConnMaxIdleTime,
				MaxLifetime:      o.ConnMaxLifetime,
				HealthCheckAfter: o.HealthCheckAfter,
			},
		}),
	}
}

// blockReadTimeout is the read timeout for a blocking command: the normal
// read timeout on top of the time the server may hold the reply, or none
// when it may hold it indefinitely.
func blockReadTimeout(readTimeout, block time.Duration) time.Duration {
	if block < 0 || readTimeout < 0 {
		return 0
	}
	return readTimeout + block
}

func (s *standalone) Do(ctx context.Context, cmd *Cmd) (resp.Value, error) {
	TraceServer(ctx, s.addr)
	if cmd.flags&FlagBlocking != 0 {
		var out [1]resp.Value
		err := s.node.Exclusive(ctx, cmd.enc, out[:], blockReadTimeout(s.readTimeout, cmd.block))
		return out[0], err
	}
	return s.node.Do(ctx, cmd.enc)
}

func (s *standalone) DoMulti(ctx context.Context, cmds []*Cmd, out []resp.Value) error {
	if len(cmds) != len(out) {
		return errors.New("redis: DoMulti needs one reply slot per command")
	}
	TraceServer(ctx, s.addr)
	if _, tracks := s.node.Tracks(); tracks {
		if tb, _ := ctx.Value(trackedBatchKey{}).(*trackedBatch); tb != nil {
			if done, err := s.doMultiTracked(ctx, cmds, out, tb); done {
				return err
			}
		}
	}
	exclusive, block := false, time.Duration(0)
	for _, c := range cmds {
		if c.flags&FlagBlocking != 0 {
			exclusive = true
			if c.block < 0 || block < 0 {
				block = -1
			} else {
				block += c.block
			}
		}
	}
	bp := pipelineBuffers.Get().(*[]byte)
	buf := (*bp)[:0]
	for _, c := range cmds {
		buf = append(buf, c.enc...)
	}
	var err error
	if exclusive {
		err = s.node.Exclusive(ctx, buf, out, blockReadTimeout(s.readTimeout, block))
	} else {
		err = s.node.DoMulti(ctx, buf, out)
	}
	// Both paths are done with buf: the multiplexer copies it when the
	// commands are queued, the exclusive path writes it before reading.
	if cap(buf) <= 1<<20 {
		*bp = buf
		pipelineBuffers.Put(bp)
	}
	return err
}

// pipelineBuffers recycles the buffers DoMulti gathers encodings into.
var pipelineBuffers = sync.Pool{New: func() any { return new([]byte) }}

// Dedicated reserves a pooled connection; slot does not matter on one
// server.
func (s *standalone) Dedicated(ctx context.Context, slot int) (DedicatedConn, error) {
	cn, err := s.node.Get(ctx)
	if err != nil {
		return nil, err
	}
	return &exclusiveConn{node: s.node, addr: s.addr, cn: cn, readTimeout: s.readTimeout, writeTimeout: s.writeTimeout}, nil
}

func (s *standalone) Close() error { return s.node.Close() }

// PoolStats returns the counters of the server's exclusive pool.
func (s *standalone) PoolStats() PoolStats { return s.node.PoolStats() }

var _ PoolStatser = (*standalone)(nil)

// NodeStats returns the server's counters.
func (s *standalone) NodeStats() []NodeStats {
	ms, conns := s.node.MuxStats()
	return []NodeStats{{
		Addr:   s.addr,
		Pool:   s.node.PoolStats(),
		Shared: SharedStats{Conns: conns, InFlight: ms.InFlight, Commands: ms.Commands, Writes: ms.Writes, Dials: ms.Dials},
	}}
}

var _ NodeStatser = (*standalone)(nil)

// exclusiveConn is a pooled connection reserved for one caller.
type exclusiveConn struct {
	node                      *node.Node
	addr                      string // for hooks (TraceServer)
	cn                        *conn.Conn
	readTimeout, writeTimeout time.Duration
	buf                       []byte
	released                  atomic.Bool
}

func (x *exclusiveConn) Do(ctx context.Context, cmds []*Cmd, out []resp.Value) error {
	if len(cmds) != len(out) {
		return errors.New("redis: Do needs one reply slot per command")
	}
	TraceServer(ctx, x.addr)
	x.buf = x.buf[:0]
	readTimeout := x.readTimeout
	for _, c := range cmds {
		x.buf = append(x.buf, c.enc...)
		if c.flags&FlagBlocking != 0 {
			readTimeout = blockReadTimeout(x.readTimeout, c.block)
		}
	}
	if readTimeout < 0 {
		readTimeout = 0
	}
	if err := x.cn.RoundTrip(ctx, x.buf, out, max(x.writeTimeout, 0), readTimeout); err != nil {
		return x.node.ClosedErr(err)
	}
	return nil
}

func (x *exclusiveConn) Send(ctx context.Context, cmds []*Cmd) error {
	TraceServer(ctx, x.addr)
	x.buf = x.buf[:0]
	for _, c := range cmds {
		x.buf = append(x.buf, c.enc...)
	}
	if err := x.cn.Send(ctx, x.buf, max(x.writeTimeout, 0)); err != nil {
		return x.node.ClosedErr(err)
	}
	return nil
}

func (x *exclusiveConn) Receive(ctx context.Context, timeout time.Duration) (resp.Value, error) {
	v, err := x.cn.Receive(ctx, timeout)
	if err != nil {
		err = x.node.ClosedErr(err)
	}
	return v, err
}

func (x *exclusiveConn) Release(reusable bool) {
	if x.released.Swap(true) {
		return
	}
	if !reusable {
		x.cn.MarkBroken()
	}
	x.node.Put(x.cn)
}
