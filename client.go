package redis

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

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
	// cluster, slot says which node: the primary serving that hash slot
	// (see Cmd.Slot); AnySlot means any node.
	Dedicated(ctx context.Context, slot int) (DedicatedConn, error)
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
	t     Transport
	o     Options
	hooks *hookChain  // nil without Command or Pipeline hooks
	view  *cachedView // set on a client from Cached
	*clientState
}

// clientState is what a client and the views of it made by Cached share.
type clientState struct {
	closed atomic.Bool

	pubsubMu sync.Mutex           // guards pubsubs
	pubsubs  map[*PubSub]struct{} // open PubSubs, ended by Close (pubsub.go)
}

// NewClient returns a client for one server. It connects lazily: the first
// command dials. A nil o is the same as &Options{}.
func NewClient(o *Options) *Client {
	opts := o.withDefaults()
	AttachCache(&opts)
	return &Client{t: newStandalone(&opts), o: opts, hooks: newHookChain(&opts), clientState: new(clientState)}
}

// NewClientWithTransport returns a client that runs its commands through
// t, with o's retry policy (o may be nil). It is how the cluster and
// sentinel packages build their clients.
func NewClientWithTransport(t Transport, o *Options) *Client {
	opts := o.withDefaults()
	AttachCache(&opts)
	return &Client{t: t, o: opts, hooks: newHookChain(&opts), clientState: new(clientState)}
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

// PoolStatser is implemented by transports that keep exclusive
// connection pools; Client.PoolStats reports through it.
type PoolStatser interface {
	// PoolStats returns the counters of the transport's pools, summed
	// over its servers.
	PoolStats() PoolStats
}

// PoolStats returns the counters of the exclusive connection pools,
// summed over every server of the topology; zero when the transport
// keeps no pool (it does not implement PoolStatser).
func (c *Client) PoolStats() PoolStats {
	if ps, ok := c.t.(PoolStatser); ok {
		return ps.PoolStats()
	}
	return PoolStats{}
}

// NodeStats are the counters of one server's connections.
type NodeStats struct {
	// Addr is the server's address.
	Addr string
	// Shared describes the multiplexed connections ordinary commands
	// share.
	Shared SharedStats
	// Pool describes the exclusive connections (blocking commands,
	// transactions, pub/sub).
	Pool PoolStats
}

// SharedStats describe a server's multiplexed connections.
type SharedStats struct {
	Conns    int    // live connections
	InFlight int    // commands queued or written and not answered yet
	Commands uint64 // commands sent since the client was made
	Writes   uint64 // socket writes they took: Commands/Writes is how well they were batched
	Dials    uint64 // connections opened
}

// NodeStatser is implemented by transports that can report per server;
// Client.NodeStats reports through it.
type NodeStatser interface {
	// NodeStats returns one entry per server the transport has
	// connections to.
	NodeStats() []NodeStats
}

// NodeStats returns the counters of every server's connections: one
// entry on a standalone client, one per node a cluster client has
// connected to, the current primary's on a Sentinel client. nil when the
// transport cannot tell (it does not implement NodeStatser).
func (c *Client) NodeStats() []NodeStats {
	if ns, ok := c.t.(NodeStatser); ok {
		return ns.NodeStats()
	}
	return nil
}

// AnySlot asks Transport.Dedicated for a connection to any node.
const AnySlot = -1

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

// run sends cmd, retrying as the policy allows, through the client's
// Command hooks if it has any. A server error reply is returned as an
// *Error.
func (c *Client) run(ctx context.Context, cmd *Cmd) (resp.Value, error) {
	if c.view != nil {
		return c.runCached(ctx, cmd)
	}
	return c.runUncached(ctx, cmd)
}

// runUncached is run without the cache.
func (c *Client) runUncached(ctx context.Context, cmd *Cmd) (resp.Value, error) {
	if c.o.cache != nil && cmd.flags&FlagWrite != 0 && len(cmd.keys) > 0 {
		defer c.o.cache.wrote(cmd)
	}
	if c.hooks != nil && len(c.hooks.command) > 0 {
		return c.runHooked(ctx, cmd)
	}
	return c.runAttempts(ctx, cmd)
}

// runAttempts is run without the hooks.
func (c *Client) runAttempts(ctx context.Context, cmd *Cmd) (resp.Value, error) {
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
		if c.hooks != nil {
			traceAttempt(ctx, attempt)
		}
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

// SlotRouter is implemented by transports that spread hash slots over
// several servers (the cluster transport). On them the keys of one
// command, transaction or Watch must share a slot: the client reports a
// *CrossSlotError before sending anything otherwise.
type SlotRouter interface {
	// RoutesBySlot reports whether commands are routed by hash slot.
	RoutesBySlot() bool
}

// routesBySlot reports whether t routes commands by hash slot.
func routesBySlot(t Transport) bool {
	sr, ok := t.(SlotRouter)
	return ok && sr.RoutesBySlot()
}
