// Package redis is a client for Redis: RESP2 and RESP3, TCP, TLS and Unix
// sockets, automatic pipelining of concurrent callers, a pool of exclusive
// connections for blocking commands, and retries that never repeat a write
// whose outcome is unknown.
//
// # Connecting
//
// A Client is safe for concurrent use and meant to be shared: create one
// per server (or cluster) and keep it for the life of the program.
//
//	rdb := redis.NewClient(&redis.Options{Addr: "localhost:6379"})
//	defer rdb.Close()
//
// Options' zero value works; every field documents its default. ParseURL
// reads the same settings from a URL:
//
//	opts, err := redis.ParseURL("rediss://user:secret@cache.internal:6380/2?read_timeout=1s")
//
// The client connects lazily, on the first command. Each connection says
// HELLO 3 (with AUTH and SETNAME when configured), falling back to RESP2
// with AUTH when the server does not know HELLO; Options.Protocol = 2
// forces RESP2. Results have the same Go types under both protocols.
//
// # Commands
//
// Typed methods send one command each and decode the reply:
//
//	err := rdb.Set(ctx, "k", "v", redis.SetOptions{TTL: time.Minute, NX: true})
//	v, err := rdb.Get(ctx, "k")
//	if errors.Is(err, redis.ErrNil) { /* missing */ }
//
// Do sends any command given as its arguments and returns a Result with
// typed accessors; commands are also values (Cmd, Command[T]) that can be
// built once and run many times.
//
// # Concurrency and cancellation
//
// Concurrent callers share Options.MuxConns connections: commands queued
// while a write is in flight go out together in the next write, and one
// reader hands replies back in order. Blocking commands (BLPOP, XREAD
// BLOCK, WAIT, ...) run on exclusive connections from a pool. Every call
// takes a context: when it ends, the call returns at once with ctx.Err().
// On a shared connection the reply is still read and dropped; an exclusive
// connection is closed. No caller ever receives another caller's reply.
//
// # Errors and retries
//
// A null reply is ErrNil. A server error is an *Error, matched by code
// (errors.Is(err, redis.ErrWrongType)). Connection failures are
// *ConnError. A write whose connection failed after it was sent is
// reported with ErrOutcomeUnknown and never repeated silently; reads
// (per the Redis command table) and calls under Idempotent(ctx) are
// retried per Options.Retry, as are commands the server refused for a
// passing reason (LOADING, BUSY, TRYAGAIN, ...). MayHaveRun tells whether
// a failed call may have taken effect.
package redis
