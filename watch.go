package redis

import (
	"context"
	"errors"
	"fmt"
)

// Tx is an optimistic transaction in progress, handed to the function
// given to Client.Watch. Its connection has the keys watched.
type Tx struct {
	cn *Conn
}

// Conn returns the transaction's reserved connection, with the keys
// watched, for reads that must happen on it. Reads through the Client are
// as good: WATCH notices a change of the keys whoever makes it.
func (tx *Tx) Conn() *Conn { return tx.cn }

// Pipelined queues the transaction's writes with fn and sends them as
// MULTI ... EXEC on the watched connection. When a watched key changed
// since WATCH, EXEC does not run them and Pipelined returns ErrTxFailed.
func (tx *Tx) Pipelined(ctx context.Context, fn func(p *Pipeline) error) error {
	p := tx.cn.TxPipeline()
	if err := fn(p); err != nil {
		return err
	}
	return p.Exec(ctx)
}

// movedSlot reports whether err is a cluster redirection or a refusal
// while a slot moves (MOVED, ASK, TRYAGAIN, CLUSTERDOWN) on a reserved
// connection: the transaction did not run, and is tried again once the
// client has learnt where its slot went.
func movedSlot(err error) bool {
	var se *Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code() {
	case "MOVED", "ASK", "TRYAGAIN", "CLUSTERDOWN":
		return true
	}
	return false
}

// Watch runs an optimistic transaction: it reserves a connection, sends
// WATCH keys, and calls fn, which reads what it needs and then writes with
// tx.Pipelined (MULTI ... EXEC). When another client changed a watched key
// in between, EXEC runs nothing: Watch then runs fn again, up to
// Options.WatchAttempts times with the retry policy's backoff, and returns
// ErrTxFailed when every attempt lost the race. Any other error from fn
// ends Watch at once and is returned.
//
//	err := rdb.Watch(ctx, func(tx *redis.Tx) error {
//		n, err := rdb.Get(ctx, "counter")
//		...
//		return tx.Pipelined(ctx, func(p *redis.Pipeline) error {
//			p.Set("counter", next)
//			return nil
//		})
//	}, "counter")
func (c *Client) Watch(ctx context.Context, fn func(tx *Tx) error, keys ...string) error {
	if len(keys) == 0 {
		return errors.New("redis: Watch needs at least one key")
	}
	for attempt := 1; ; attempt++ {
		err := c.watchOnce(ctx, fn, keys)
		if !errors.Is(err, ErrTxFailed) && !movedSlot(err) {
			return err
		}
		if attempt >= c.o.WatchAttempts {
			return fmt.Errorf("redis: Watch gave up after %d attempts: %w", attempt, err)
		}
		if err := c.o.Retry.sleep(ctx, attempt); err != nil {
			return err
		}
	}
}

func (c *Client) watchOnce(ctx context.Context, fn func(tx *Tx) error, keys []string) error {
	slot, err := keysSlot("WATCH", keys)
	if err != nil {
		if !routesBySlot(c.t) {
			slot, err = AnySlot, nil // one server holds every slot
		} else {
			return err
		}
	}
	cn, err := c.conn(ctx, slot)
	if err != nil {
		return err
	}
	defer cn.Close()
	if err := cn.Watch(ctx, keys...); err != nil {
		return err
	}
	if err := fn(&Tx{cn: cn}); err != nil {
		cn.Unwatch(ctx)
		return err
	}
	return nil
}
