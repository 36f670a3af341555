package search

import (
	"context"
	"errors"

	"github.com/respkit/redis"
)

// Client runs RediSearch commands (FT.*) on a *redis.Client. It holds
// nothing but the client it wraps, so it is as safe for concurrent use as
// that client, costs nothing to create, and may be created per call or kept
// for the life of the program.
//
// Each method sends one command and decodes its reply. The package-level
// function of the same name (Create, Info, DropIndex, ...) returns the same
// command as a redis.Command value, for pipelines and transactions:
//
//	p := rdb.Pipeline()
//	info := redis.Queue(p, search.Info("idx"))
//
// A Client made by New(nil), or the zero Client, returns an error from
// every method instead of panicking.
type Client struct {
	// rdb is the client every command runs on. The query side of the
	// package (search*.go, aggregate*.go, ...) runs its commands through
	// run as well.
	rdb *redis.Client
}

// New returns a Client that runs RediSearch commands on rdb. rdb may be a
// standalone, cluster or sentinel client; it must have been created with
// one of the redis package's constructors.
func New(rdb *redis.Client) *Client { return &Client{rdb: rdb} }

// Redis returns the *redis.Client that c runs its commands on (nil for a
// zero Client).
func (c *Client) Redis() *redis.Client {
	if c == nil {
		return nil
	}
	return c.rdb
}

// errNoClient is returned by the methods of a Client without a
// *redis.Client.
var errNoClient = errors.New("search: Client has no *redis.Client (use search.New(rdb))")

// run runs cmd on c's client and decodes its reply. Every method of Client,
// on both the index and the query side, goes through it.
func run[T any](ctx context.Context, c *Client, cmd redis.Command[T]) (T, error) {
	if c == nil || c.rdb == nil {
		var zero T
		return zero, errNoClient
	}
	return redis.RunCommand(ctx, c.rdb, cmd)
}
