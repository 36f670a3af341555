package redis

import (
	"context"

	"github.com/respkit/redis/resp"
)

// Command is a typed command value: a Cmd together with the decoder that
// turns its reply into a T. Command values are built by the package-level
// constructor named after each command (Get, Set, Incr, ...) and run with
// RunCommand, in pipelines and in transactions; the methods on Client are
// thin wrappers around the same encoders and decoders.
//
//	get := redis.Get("greeting")
//	s, err := redis.RunCommand(ctx, rdb, get)
type Command[T any] struct {
	*Cmd
	decode func(resp.Value, error) (T, error)
}

// Decode converts a reply (or error) for this command into its Go value.
func (c Command[T]) Decode(v resp.Value, err error) (T, error) { return c.decode(v, err) }

// RunCommand runs a typed command on c and decodes its reply.
func RunCommand[T any](ctx context.Context, c *Client, cmd Command[T]) (T, error) {
	v, err := c.run(ctx, cmd.Cmd)
	return cmd.decode(v, err)
}

// newCommand finishes a builder into a command value that owns its
// encoding.
func newCommand[T any](b *builder, decode func(resp.Value, error) (T, error)) Command[T] {
	return Command[T]{Cmd: b.finish(), decode: decode}
}

// RunOn runs a typed command on a reserved connection and decodes its
// reply: how to use the typed commands inside a transaction or after
// SELECT.
//
//	cn, _ := rdb.Conn(ctx)
//	defer cn.Close()
//	cn.Select(ctx, 2)
//	v, err := redis.RunOn(ctx, cn, redis.Get("k"))
func RunOn[T any](ctx context.Context, cn *Conn, cmd Command[T]) (T, error) {
	r := cn.Run(ctx, cmd.Cmd)
	return cmd.decode(r.val, r.err)
}
