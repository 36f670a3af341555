package timeseries

import (
	"context"
	"errors"

	"github.com/respkit/redis"
)

// Client runs RedisTimeSeries commands (TS.*) on a *redis.Client. It holds
// nothing but the client it wraps, so it is as safe for concurrent use as
// that client, costs nothing to create, and may be created per call or
// kept for the life of the program.
//
// Each method sends one command and decodes its reply. The package-level
// function of the same name (Create, Add, Range, MRange, ...) returns the
// same command as a redis.Command value, for pipelines and transactions:
//
//	p := rdb.Pipeline()
//	added := redis.Queue(p, timeseries.Add("temp:1", timeseries.Now, 21.5))
//
// A Client made by New(nil), a nil *Client and the zero Client return an
// error from every method instead of panicking.
type Client struct {
	rdb *redis.Client
}

// New returns a Client that runs RedisTimeSeries commands on rdb (a
// standalone, cluster or sentinel client alike). A nil rdb gives a Client
// whose methods all return an error.
func New(rdb *redis.Client) *Client { return &Client{rdb: rdb} }

// Redis returns the *redis.Client that c runs its commands on (nil for a
// nil or zero Client).
func (c *Client) Redis() *redis.Client {
	if c == nil {
		return nil
	}
	return c.rdb
}

// errNoClient is returned by the methods of a Client without a
// *redis.Client.
var errNoClient = errors.New("timeseries: Client has no *redis.Client (use timeseries.New(rdb))")

// run runs cmd on c's client and decodes its reply; every method goes
// through it.
func run[T any](ctx context.Context, c *Client, cmd redis.Command[T]) (T, error) {
	if c == nil || c.rdb == nil {
		var zero T
		return zero, errNoClient
	}
	return redis.RunCommand(ctx, c.rdb, cmd)
}

// runStatus runs a command whose reply is a status (OK) and returns only
// its error.
func runStatus(ctx context.Context, c *Client, cmd redis.Command[struct{}]) error {
	_, err := run(ctx, c, cmd)
	return err
}
