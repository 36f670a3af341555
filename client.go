package redis

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/respkit/redis/internal/conn"
	"github.com/respkit/redis/internal/node"
	"github.com/respkit/redis/internal/pool"
	"github.com/respkit/redis/resp"
)

// Version is this library's version, sent to servers with CLIENT SETINFO.
const Version = "0.1.0"

// Transport carries commands to the server or servers behind a Client,
// the way an http.RoundTripper carries requests for an http.Client. The
// standalone transport talks to one server; the cluster and sentinel
// transports route each command to the right node and follow topology
// changes. A Transport must be safe for concurrent use.
//
// Client handles retries above the transport: a transport returns server
// error replies as *Error values and connection failures as *ConnError,
// and must not repeat a command whose bytes may have reached a server.
type Transport interface {
	// Do runs one command and returns its reply. A server error reply is
	// returned as a Value of an error type, not as an error.
	Do(ctx context.Context, cmd *Cmd) (resp.Value, error)
	// DoMulti runs cmds as one pipeline and stores their replies in out,
	// which has len(cmds) elements.
	DoMulti(ctx context.Context, cmds []*Cmd, out []resp.Value) error
	// Dedicated reserves a connection for one caller: for transactions,
	// pub/sub and anything else that changes a connection's state. On a
	// cluster, key says which node (the slot of the key); "" means any.
	Dedicated(ctx context.Context, key string) (DedicatedConn, error)
	// Close releases every connection.
	Close() error
}

// DedicatedConn is a connection reserved for one caller by a Transport.
// It is not safe for concurrent use.
type DedicatedConn interface {
	// Do writes cmds in one go and reads one reply per command into out.
	// A failure leaves the connection unusable: Release it as not
	// reusable.
	Do(ctx context.Context, cmds []*Cmd, out []resp.Value) error
	// Send writes cmds without reading replies, for connections whose
	// replies arrive as a stream (pub/sub). It may be called while another
	// goroutine is in Receive, but not concurrently with itself or Do.
	Send(ctx context.Context, cmds []*Cmd) error
	// Receive reads the next frame the server sends, reply or push,
	// waiting at most timeout (0: no limit) or until ctx ends. A timeout
	// error (net.Error with Timeout() true) leaves the connection usable.
	Receive(ctx context.Context, timeout time.Duration) (resp.Value, error)
	// Release gives the connection back; reusable false closes it (its
	// state was changed, or an exchange did not complete). Release may be
	// called while another goroutine is in Receive, which then fails.
	Release(reusable bool)
}

// Client is a Redis client, safe for concurrent use by any number of
// goroutines. Commands from concurrent callers share a few connections
// and are pipelined together automatically; blocking commands use
// exclusive connections from a pool.
//
// A Client is the same type whatever the topology: NewClient talks to one
// server, and the cluster and sentinel packages return a *Client over
// their own Transport.
type Client struct {
	t      Transport
	o      Options
	std    *standalone // nil for other transports
	closed atomic.Bool

	pubsubMu sync.Mutex           // guards pubsubs
	pubsubs  map[*PubSub]struct{} // open PubSubs, ended by Close (pubsub.go)
}

// NewClient returns a client for one server. It connects lazily: the first
// command dials. A nil o is the same as &Options{}.
func NewClient(o *Options) *Client {
	opts := o.withDefaults()
	s := newStandalone(&opts)
	return &Client{t: s, o: opts, std: s}
}

// NewClientWithTransport returns a client that runs its commands through
// t, with o's retry policy (o may be nil). It is how the cluster and
// sentinel packages build their clients.
func NewClientWithTransport(t Transport, o *Options) *Client {
	return &Client{t: t, o: o.withDefaults()}
}

// Options returns the client's options with every default filled in.
func (c *Client) Options() Options { return c.o }

// Transport returns the transport the client runs its commands through.
func (c *Client) Transport() Transport { return c.t }

// Close closes every connection. Calls in flight fail with ErrClosed.
func (c *Client) Close() error {
	if c.closed.Swap(true) {
		return nil
	}
	c.closePubSubs()
	return c.t.Close()
}

// PoolStats describe a client's exclusive connection pool.
type PoolStats = pool.Stats

// PoolStats returns the counters of the exclusive connection pool. They
// are zero for transports other than the standalone one.
func (c *Client) PoolStats() PoolStats {
	if c.std == nil {
		return PoolStats{}
	}
	return c.std.node.PoolStats()
}

// Do runs a command given as its arguments: the name, then each argument
// as a string, []byte, integer, float, bool or encoding.BinaryMarshaler.
// The Result holds the reply, with typed accessors:
//
//	n, err := rdb.Do(ctx, "INCRBY", "counter", 5).Int64()
//
// Commands that would change the state of a shared connection (SELECT,
// AUTH, MULTI, SUBSCRIBE, CLIENT REPLY, ...) are refused with an error:
// use Options, transactions and pub/sub instead.
func (c *Client) Do(ctx context.Context, args ...any) Result {
	b := getBuilder()
	defer putBuilder(b)
	if err := b.raw(args); err != nil {
		return Result{err: err}
	}
	v, err := c.run(ctx, b.finish())
	return Result{val: v, err: err}
}

// Run runs a prepared command and returns its reply.
func (c *Client) Run(ctx context.Context, cmd *Cmd) Result {
	v, err := c.run(ctx, cmd)
	return Result{val: v, err: err}
}

// exec finishes a builder's command, runs it and recycles the builder.
func (c *Client) exec(ctx context.Context, b *builder) (resp.Value, error) {
	v, err := c.run(ctx, b.finish())
	putBuilder(b)
	return v, err
}

// run sends cmd, retrying as the policy allows. A server error reply is
// returned as an *Error.
func (c *Client) run(ctx context.Context, cmd *Cmd) (resp.Value, error) {
	if cmd.err != nil {
		return resp.Value{}, cmd.err
	}
	if cmd.flags&FlagConnState != 0 {
		return resp.Value{}, fmt.Errorf("redis: %s changes the state of the connection it runs on, and the client shares connections between callers; use Options (DB, Username/Password, ClientName), Client.Watch/TxPipeline or pub/sub instead", cmd.name)
	}
	if c.closed.Load() {
		return resp.Value{}, ErrClosed
	}
	for attempt := 1; ; attempt++ {
		v, err := c.t.Do(ctx, cmd)
		if err == nil && !v.IsError() {
			return v, nil
		}
		if err == nil {
			err = replyErr(cmd, v)
		}
		retry, err := c.o.Retry.decide(ctx, cmd, err, attempt)
		if !retry {
			return resp.Value{}, err
		}
		if err := c.o.Retry.sleep(ctx, attempt); err != nil {
			return resp.Value{}, err
		}
	}
}

// standalone is the Transport for a single server.
type standalone struct {
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
	}
	if !o.DisableIdentity {
		co.LibName, co.LibVer = "respkit-go", Version
	}
	return &standalone{
		readTimeout:  o.ReadTimeout,
		writeTimeout: o.WriteTimeout,
		node: node.New(node.Options{
			Conn:         co,
			MuxConns:     o.MuxConns,
			ReadTimeout:  o.ReadTimeout,
			StallTimeout: o.StallTimeout,
			WriteTimeout: o.WriteTimeout,
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

func (s *standalone) Dedicated(ctx context.Context, key string) (DedicatedConn, error) {
	cn, err := s.node.Get(ctx)
	if err != nil {
		return nil, err
	}
	return &exclusiveConn{node: s.node, cn: cn, readTimeout: s.readTimeout, writeTimeout: s.writeTimeout}, nil
}

func (s *standalone) Close() error { return s.node.Close() }

// exclusiveConn is a pooled connection reserved for one caller.
type exclusiveConn struct {
	node                      *node.Node
	cn                        *conn.Conn
	readTimeout, writeTimeout time.Duration
	buf                       []byte
	released                  atomic.Bool
}

func (x *exclusiveConn) Do(ctx context.Context, cmds []*Cmd, out []resp.Value) error {
	if len(cmds) != len(out) {
		return errors.New("redis: Do needs one reply slot per command")
	}
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
