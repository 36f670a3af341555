package vectorset

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/respkit/redis"
)

// Client runs the vector set commands (VADD, VSIM, ...) on a
// *redis.Client. It holds nothing but that client, so it is as safe for
// concurrent use as the client itself, costs nothing to create, and any
// number of Clients may share one *redis.Client.
//
// Each method builds its command with the package-level constructor of the
// same name (Add, Sim, Emb, ...) and runs it: the method and the
// constructor send the same bytes and return the same Go values. The
// constructors are there for pipelines and transactions:
//
//	p := rdb.Pipeline()
//	added := redis.Queue(p, vectorset.Add("items", "a", vec))
//	card := redis.Queue(p, vectorset.Card("items"))
//
// A Client made by New(nil), and the zero Client, return an error from
// every method instead of panicking.
type Client struct {
	rdb *redis.Client
}

// New returns a Client that runs vector set commands on rdb (standalone,
// cluster or sentinel alike). A nil rdb gives a Client whose methods
// return an error.
func New(rdb *redis.Client) *Client { return &Client{rdb: rdb} }

// Redis returns the *redis.Client the Client sends its commands through
// (nil for a zero or nil Client).
func (c *Client) Redis() *redis.Client {
	if c == nil {
		return nil
	}
	return c.rdb
}

// ErrNoClient is returned by every method of a Client that has no
// *redis.Client (the zero Client, New(nil), a nil *Client).
var ErrNoClient = errors.New("vectorset: Client has no *redis.Client (use vectorset.New(rdb))")

// Run runs a command value built by one of the package's constructors (or
// any redis.Command) on c's client and decodes its reply. It is how to run
// the generic constructor GetAttrAs without naming the *redis.Client.
func Run[T any](ctx context.Context, c *Client, cmd redis.Command[T]) (T, error) {
	if c == nil || c.rdb == nil {
		var zero T
		return zero, ErrNoClient
	}
	return redis.RunCommand(ctx, c.rdb, cmd)
}

// Add sends VADD: it adds element with vector to the vector set at key
// (creating the set), or updates the vector and options of an element
// already there. It reports whether the element is new. See Add (the
// constructor) for the options and what is refused before sending.
func (c *Client) Add(ctx context.Context, key, element string, vector []float32, opts ...AddOptions) (bool, error) {
	return Run(ctx, c, Add(key, element, vector, opts...))
}

// Rem sends VREM: it removes element from the set at key and reports
// whether it was there. Removing the last element deletes the key.
func (c *Client) Rem(ctx context.Context, key, element string) (bool, error) {
	return Run(ctx, c, Rem(key, element))
}

// Sim sends VSIM: the elements of the set at key most similar to query
// (Vector or Element), best first. Score is set with
// SimOptions.WithScores, Attributes with SimOptions.WithAttribs. A missing
// key gives an empty slice.
func (c *Client) Sim(ctx context.Context, key string, query Query, opts ...SimOptions) ([]Match, error) {
	return Run(ctx, c, Sim(key, query, opts...))
}

// Emb sends VEMB: the vector of element, as the server holds it (an
// approximation under the default Q8 quantisation). A missing key or
// element is redis.ErrNil.
func (c *Client) Emb(ctx context.Context, key, element string) ([]float32, error) {
	return Run(ctx, c, Emb(key, element))
}

// EmbRaw sends VEMB ... RAW: the vector of element in its stored form
// (quantised bytes, norm, range). A missing key or element is
// redis.ErrNil.
func (c *Client) EmbRaw(ctx context.Context, key, element string) (RawEmbedding, error) {
	return Run(ctx, c, EmbRaw(key, element))
}

// Card sends VCARD: the number of elements in the set (0 for a missing
// key).
func (c *Client) Card(ctx context.Context, key string) (int64, error) {
	return Run(ctx, c, Card(key))
}

// Dim sends VDIM: the dimension of the set's vectors (after REDUCE). A
// missing key is a *redis.Error (ERR), not redis.ErrNil: that is what the
// server answers.
func (c *Client) Dim(ctx context.Context, key string) (int64, error) {
	return Run(ctx, c, Dim(key))
}

// Info sends VINFO: facts about the set at key. A missing key is
// redis.ErrNil.
func (c *Client) Info(ctx context.Context, key string) (SetInfo, error) {
	return Run(ctx, c, Info(key))
}

// Links sends VLINKS: the neighbours of element in the HNSW graph, one
// slice per layer, indexed by layer (links[0] is layer 0, the one with
// every element). A missing key or element is redis.ErrNil.
func (c *Client) Links(ctx context.Context, key, element string) ([][]string, error) {
	return Run(ctx, c, Links(key, element))
}

// LinksWithScores sends VLINKS ... WITHSCORES: as Links, with each
// neighbour's similarity to element in Match.Score.
func (c *Client) LinksWithScores(ctx context.Context, key, element string) ([][]Match, error) {
	return Run(ctx, c, LinksWithScores(key, element))
}

// GetAttr sends VGETATTR: the JSON attributes of element, as the text the
// server holds. An element without attributes, a missing element and a
// missing key are redis.ErrNil. To decode the attributes into a Go value,
// use the function GetAttr.
func (c *Client) GetAttr(ctx context.Context, key, element string) (json.RawMessage, error) {
	return Run(ctx, c, GetAttrAs[json.RawMessage](key, element))
}

// GetAttr sends VGETATTR through c and decodes the element's JSON
// attributes into a T with encoding/json (a json.RawMessage T gets the
// text itself). An element without attributes, a missing element and a
// missing key return the zero T and redis.ErrNil.
//
//	type Movie struct{ Year int; Genre string }
//	m, err := vectorset.GetAttr[Movie](ctx, vs, "movies", "alien")
func GetAttr[T any](ctx context.Context, c *Client, key, element string) (T, error) {
	return Run(ctx, c, GetAttrAs[T](key, element))
}

// SetAttr sends VSETATTR: it replaces the JSON attributes of element with
// attrs encoded by encoding/json (JSON text in a json.RawMessage or
// []byte goes as it is); a nil attrs, or empty text, removes them. It reports whether the element exists
// (false: nothing was set).
func (c *Client) SetAttr(ctx context.Context, key, element string, attrs any) (bool, error) {
	return Run(ctx, c, SetAttr(key, element, attrs))
}

// RandMember sends VRANDMEMBER key: one random element. A missing key is
// redis.ErrNil.
func (c *Client) RandMember(ctx context.Context, key string) (string, error) {
	return Run(ctx, c, RandMember(key))
}

// RandMemberCount sends VRANDMEMBER key count: up to count distinct
// random elements for a positive count, exactly -count elements with
// repeats allowed for a negative one. A missing key gives an empty slice.
func (c *Client) RandMemberCount(ctx context.Context, key string, count int64) ([]string, error) {
	return Run(ctx, c, RandMemberCount(key, count))
}

// IsMember sends VISMEMBER: whether element is in the set at key.
func (c *Client) IsMember(ctx context.Context, key, element string) (bool, error) {
	return Run(ctx, c, IsMember(key, element))
}

// Range sends VRANGE: the elements between start and end in
// lexicographic (byte) order. See Range (the constructor) for the bounds
// and the count.
func (c *Client) Range(ctx context.Context, key, start, end string, opts ...RangeOptions) ([]string, error) {
	return Run(ctx, c, Range(key, start, end, opts...))
}
