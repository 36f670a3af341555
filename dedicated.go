package redis

import (
	"context"
	"errors"
	"fmt"

	"github.com/respkit/redis/resp"
)

// Conn is a connection reserved for one caller, taken from the client's
// pool: for WATCH/MULTI/EXEC, SELECT, CLIENT REPLY, SUBSCRIBE and other
// commands that change the state of the connection they run on, which
// Client.Do refuses on its shared connections.
//
//	cn, err := rdb.Conn(ctx)
//	if err != nil { ... }
//	defer cn.Close()
//	cn.Do(ctx, "WATCH", "k")
//
// A Conn is not safe for concurrent use. Commands on it are never
// retried. Close gives it back to the pool, unless a command changed its
// state or an exchange failed: then it is closed, so no other caller ever
// inherits a selected database, an open transaction or a subscription.
type Conn struct {
	d        DedicatedConn
	hooks    *hookChain // the client's
	dirty    bool       // a state-changing command ran, or an exchange failed
	closed   bool
	watching bool // WATCH ran and no EXEC, DISCARD or UNWATCH since
	inMulti  bool // MULTI ran and no EXEC or DISCARD since
	out      [1]resp.Value
	cmds     [1]*Cmd
}

// Conn reserves a connection from the pool. It waits while all are in
// use, up to Options.PoolTimeout or ctx's end. Close it when done.
//
// On a cluster the connection goes to any primary; Watch and
// transactions reserve theirs on the node serving their keys.
func (c *Client) Conn(ctx context.Context) (*Conn, error) {
	return c.conn(ctx, AnySlot)
}

// conn reserves a connection to the node serving slot (AnySlot: any).
func (c *Client) conn(ctx context.Context, slot int) (*Conn, error) {
	if c.closed.Load() {
		return nil, ErrClosed
	}
	d, err := c.t.Dedicated(ctx, slot)
	if err != nil {
		return nil, err
	}
	return &Conn{d: d, hooks: c.hooks}, nil
}

// errConnClosed is returned by calls on a closed Conn.
var errConnClosed = errors.New("redis: Conn is closed")

// Do runs one command, given as its arguments as for Client.Do, on the
// reserved connection. Any command is allowed here, state-changing ones
// included.
func (cn *Conn) Do(ctx context.Context, args ...any) Result {
	if cn.closed {
		return Result{err: errConnClosed}
	}
	b := getBuilder()
	defer putBuilder(b)
	if err := b.raw(args); err != nil {
		return Result{err: err}
	}
	return cn.run(ctx, b.finish())
}

// Run runs a prepared command on the reserved connection.
func (cn *Conn) Run(ctx context.Context, cmd *Cmd) Result {
	if cn.closed {
		return Result{err: errConnClosed}
	}
	if cmd.err != nil {
		return Result{err: cmd.err}
	}
	return cn.run(ctx, cmd)
}

// exec runs a command built by a typed method and recycles its builder.
func (cn *Conn) exec(ctx context.Context, b *builder) (resp.Value, error) {
	r := cn.Run(ctx, b.finish())
	putBuilder(b)
	return r.val, r.err
}

func (cn *Conn) run(ctx context.Context, cmd *Cmd) Result {
	if cn.hooks == nil || len(cn.hooks.command) == 0 {
		return cn.runOnce(ctx, cmd)
	}
	var r Result
	err := cn.hooks.runCommand(ctx, cmd, func(ctx context.Context) error {
		traceAttempt(ctx, 1) // never retried
		r = cn.runOnce(ctx, cmd)
		return r.err
	})
	if err != nil {
		return Result{err: err}
	}
	return r
}

// runOnce is run without the hooks.
func (cn *Conn) runOnce(ctx context.Context, cmd *Cmd) Result {
	cn.cmds[0] = cmd
	err := cn.doMulti(ctx, cn.cmds[:], cn.out[:])
	cn.cmds[0] = nil
	v := cn.out[0]
	cn.out[0] = resp.Value{}
	if err != nil {
		return Result{err: failedOnConn(cmd, err)}
	}
	if v.IsError() {
		return Result{err: replyErr(cmd, v)}
	}
	return Result{val: v}
}

// failedOnConn is the error of a command on a reserved connection whose
// exchange failed: an unknown outcome once the command may have been
// sent, since nothing on a reserved connection is retried.
func failedOnConn(cmd *Cmd, err error) error {
	var ce *ConnError
	if errors.As(err, &ce) && ce.Sent {
		return &OutcomeUnknownError{Command: cmd.name, Err: err}
	}
	return err
}

// doMulti runs cmds on the connection and keeps track of its state. The
// transaction commands are balanced (WATCH by EXEC, DISCARD or UNWATCH,
// MULTI by EXEC or DISCARD), so a connection whose transaction finished
// can go back to the pool; any other state-changing command, or a failed
// exchange, makes Close discard the connection.
func (cn *Conn) doMulti(ctx context.Context, cmds []*Cmd, out []resp.Value) error {
	if err := cn.d.Do(ctx, cmds, out); err != nil {
		cn.dirty = true
		return err
	}
	for i, cmd := range cmds {
		if cmd.flags&FlagConnState == 0 {
			continue
		}
		failed := out[i].IsError()
		switch cmd.name {
		case "WATCH":
			cn.watching = cn.watching || !failed
		case "UNWATCH":
			cn.watching = cn.watching && failed
		case "MULTI":
			cn.inMulti = cn.inMulti || !failed
		case "EXEC", "DISCARD":
			// Both end the transaction and clear the watched keys, even
			// when they fail (EXECABORT, or without MULTI).
			cn.inMulti, cn.watching = false, false
		default:
			cn.dirty = true
		}
	}
	return nil
}

// ReceivePush returns the next RESP3 push frame the server sends on this
// connection, such as a client-side caching invalidation after
// ClientTracking (["invalidate", [keys...]]): first those that arrived
// while replies to commands were read (up to 1,024 are kept; older ones
// are dropped), then it waits for one until ctx ends. An end of ctx while
// nothing has arrived leaves the connection usable. Under RESP2 the server
// sends no push frames; invalidations go to the client named by REDIRECT.
// Any reply that is not a push, with no command waiting for it, is a
// protocol error and the connection is closed on Close.
func (cn *Conn) ReceivePush(ctx context.Context) (resp.Value, error) {
	if cn.closed {
		return resp.Value{}, errConnClosed
	}
	v, err := cn.d.Receive(ctx, 0)
	if err != nil {
		if ctx.Err() == nil {
			cn.dirty = true
		} // else nothing was consumed, or the pool finds the connection broken
		return resp.Value{}, err
	}
	if v.Type() != resp.Push {
		cn.dirty = true
		return resp.Value{}, fmt.Errorf("%w: a %s reply arrived with no command waiting for it", resp.ErrProtocol, v.Type())
	}
	return v, nil
}

// Close gives the connection back to the pool, or closes it if its state
// may have changed. It is safe to call more than once.
func (cn *Conn) Close() error {
	if cn.closed {
		return nil
	}
	cn.closed = true
	cn.d.Release(!cn.dirty && !cn.watching && !cn.inMulti)
	return nil
}

// Pipeline returns an empty pipeline that runs on this connection. Unlike
// the client's pipelines it accepts commands that change the connection's
// state; it is never retried.
func (cn *Conn) Pipeline() *Pipeline { return &Pipeline{cn: cn} }

// TxPipeline returns an empty transaction (MULTI ... EXEC) that runs on
// this connection, inside any WATCH sent on it before.
func (cn *Conn) TxPipeline() *Pipeline { return &Pipeline{cn: cn, tx: true} }
