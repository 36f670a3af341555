package redis

import (
	"context"
	"strings"

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

// NewCommand builds a typed command from its arguments, as NewCmd does
// (its flags and keys come from the command table, which includes the
// module commands), with decode turning its reply into a T. It is how
// packages outside this one, such as the module packages, define typed
// commands that run on a Client, in pipelines (Queue) and transactions,
// and route correctly on a cluster.
//
// A bad argument does not panic: the command carries the error (Cmd.Err)
// and running it returns that error without sending anything.
func NewCommand[T any](decode func(resp.Value, error) (T, error), args ...any) Command[T] {
	b := new(builder)
	if err := b.raw(args); err != nil {
		name := ""
		if len(args) > 0 {
			name, _ = args[0].(string)
		}
		return CommandError(strings.ToUpper(name), err, decode)
	}
	return Command[T]{Cmd: b.finish(), decode: decode}
}

// CommandError returns a command that is never sent: running it returns
// err. Builders use it for input they reject before anything is sent
// (conflicting options, a value out of range), so that the error surfaces
// where the command runs, in a pipeline as well as alone.
func CommandError[T any](name string, err error, decode func(resp.Value, error) (T, error)) Command[T] {
	return Command[T]{Cmd: &Cmd{name: name, err: err}, decode: decode}
}

// ResultOf wraps a reply (or error) in a Result, for decoders written
// outside this package that want Result's typed accessors:
//
//	func decodeLen(v resp.Value, err error) (int64, error) {
//		return redis.ResultOf(v, err).Int64()
//	}
func ResultOf(v resp.Value, err error) Result { return Result{val: v, err: err} }
