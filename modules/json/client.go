package redisjson

import (
	"context"

	"github.com/respkit/redis"
)

// Client runs RedisJSON commands on a *redis.Client. It holds nothing but
// that client, so it is as safe for concurrent use as the client itself and
// costs nothing to create; any number of Clients may share one
// *redis.Client.
//
// Each method is a thin wrapper that builds the command with the
// package-level constructor of the same name and runs it with
// redis.RunCommand: the method and the constructor send the same bytes and
// return the same Go values.
//
// Create Clients with New: the zero Client has no *redis.Client to send
// through and its methods panic.
type Client struct {
	rdb *redis.Client
}

// New returns a Client that sends RedisJSON commands through rdb
// (standalone, cluster or sentinel alike). rdb must not be nil.
func New(rdb *redis.Client) *Client { return &Client{rdb: rdb} }

// Redis returns the *redis.Client the Client sends its commands through,
// for running other commands or the package-level command values.
func (j *Client) Redis() *redis.Client { return j.rdb }

// Run runs a command value built by one of the package's constructors (or
// any other redis.Command) on j's client and decodes its reply. It is how
// to run the generic constructors, such as MGetAs, without naming the
// *redis.Client:
//
//	users, err := redisjson.Run(ctx, j, redisjson.MGetAs[User]("$", "user:1", "user:2"))
func Run[T any](ctx context.Context, j *Client, cmd redis.Command[T]) (T, error) {
	return redis.RunCommand(ctx, j.rdb, cmd)
}

// Get sends JSON.GET key path and decodes the JSON text of the reply into a
// T with encoding/json: GetAs[T](key, path) run on j.
//
// The shape of the text follows the path: a JSONPath ("$", "$.a", "$..b")
// gives a JSON array holding every match, so T is a slice ([]User for "$");
// a legacy path (".", ".a") gives the one value it names, so T is that
// value's type (User for "."). An empty path sends none and the server uses
// its default (see the package documentation). A missing key returns the
// zero T and redis.ErrNil.
func Get[T any](ctx context.Context, j *Client, key, path string) (T, error) {
	if path == "" {
		return redis.RunCommand(ctx, j.rdb, GetAs[T](key))
	}
	return redis.RunCommand(ctx, j.rdb, GetAs[T](key, path))
}
