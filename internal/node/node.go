// Package node is everything the client keeps for one server: multiplexed
// connections for ordinary commands and a pool of exclusive connections
// for blocking commands, transactions and pub/sub. The standalone, cluster
// and sentinel transports are made of nodes.
package node

import (
	"context"
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
	WriteTimeout time.Duration // per write; negative disables
	// Pool configures the exclusive connections; its Dial is set by New.
	Pool   pool.Options
	OnPush func(resp.Value)
}

// Node is one server's connections. It is safe for concurrent use.
type Node struct {
	o     Options
	muxes []*mux.Mux
	next  atomic.Uint32
	pool  *pool.Pool
}

// New returns a Node; it dials on first use.
func New(o Options) *Node {
	n := &Node{o: o}
	dial := func(ctx context.Context) (*conn.Conn, error) { return conn.Dial(ctx, &n.o.Conn) }
	count := max(o.MuxConns, 1)
	for range count {
		n.muxes = append(n.muxes, mux.New(mux.Options{
			Dial:         dial,
			ReadTimeout:  o.ReadTimeout,
			WriteTimeout: o.WriteTimeout,
			OnPush:       o.OnPush,
		}))
	}
	po := o.Pool
	po.Dial = dial
	n.pool = pool.New(po)
	return n
}

func (n *Node) pick() *mux.Mux {
	if len(n.muxes) == 1 {
		return n.muxes[0]
	}
	return n.muxes[int(n.next.Add(1))%len(n.muxes)]
}

// Do runs one encoded command on a multiplexed connection.
func (n *Node) Do(ctx context.Context, cmd []byte) (resp.Value, error) {
	return n.pick().Do(ctx, cmd)
}

// DoMulti runs len(out) encoded commands on a multiplexed connection.
func (n *Node) DoMulti(ctx context.Context, cmds []byte, out []resp.Value) error {
	return n.pick().DoMulti(ctx, cmds, out)
}

// Exclusive runs encoded commands on a pooled connection of their own, for
// blocking commands: the connection is closed rather than reused when the
// exchange does not complete.
func (n *Node) Exclusive(ctx context.Context, cmds []byte, out []resp.Value, readTimeout time.Duration) error {
	cn, err := n.pool.Get(ctx)
	if err != nil {
		return err
	}
	err = cn.RoundTrip(ctx, cmds, out, n.o.WriteTimeout, readTimeout)
	n.pool.Put(cn)
	return err
}

// Get checks out an exclusive connection; give it back with Put.
func (n *Node) Get(ctx context.Context) (*conn.Conn, error) { return n.pool.Get(ctx) }

// Put gives back a connection from Get.
func (n *Node) Put(cn *conn.Conn) { n.pool.Put(cn) }

// PoolStats returns the exclusive pool's counters.
func (n *Node) PoolStats() pool.Stats { return n.pool.Stats() }

// Close closes every connection; calls in flight fail with ErrClosed.
func (n *Node) Close() error {
	for _, m := range n.muxes {
		m.Close()
	}
	return n.pool.Close()
}
