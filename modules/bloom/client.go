package bloom

import (
	"context"
	"errors"

	"github.com/respkit/redis"
)

// Client runs the RedisBloom commands (BF.*, CF.*, CMS.*, TOPK.*,
// TDIGEST.*) on a *redis.Client. It holds nothing but that client, so it is
// as safe for concurrent use as the client itself and costs nothing to
// create; any number of Clients may share one *redis.Client.
//
// Methods are named after the commands, with the family as a prefix: BF
// (Bloom filter), CF (cuckoo filter), CMS (count-min sketch), TopK and
// TDigest — BFAdd sends BF.ADD, CFInsertNX sends CF.INSERTNX,
// TDigestTrimmedMean sends TDIGEST.TRIMMED_MEAN. Each is a thin wrapper
// that builds its command with the package-level function of the same name
// and runs it, so a method and its constructor send the same bytes and
// return the same Go values. The constructors are for pipelines and
// transactions:
//
//	p := rdb.Pipeline()
//	added := redis.Queue(p, bloom.BFAdd("seen", "a"))
//
// A few methods have no constructor because they run several commands:
// BFScanDumpAll, BFLoadChunks and BFCopy (and their CF twins).
//
// A Client made by New(nil), a nil *Client and the zero Client return an
// error from every method instead of panicking.
type Client struct {
	rdb *redis.Client
}

// New returns a Client that runs RedisBloom commands on rdb (standalone,
// cluster or sentinel alike). A nil rdb gives a Client whose methods
// return an error.
func New(rdb *redis.Client) *Client { return &Client{rdb: rdb} }

// Redis returns the *redis.Client the Client runs its commands on (nil for
// a nil or zero Client), for running other commands or the package-level
// command values.
func (c *Client) Redis() *redis.Client {
	if c == nil {
		return nil
	}
	return c.rdb
}

// errNoClient is what every method of a Client without a *redis.Client
// returns.
var errNoClient = errors.New("bloom: Client has no *redis.Client (use bloom.New(rdb))")

// run runs cmd on c's client and decodes its reply; every method goes
// through it.
func run[T any](ctx context.Context, c *Client, cmd redis.Command[T]) (T, error) {
	if c == nil || c.rdb == nil {
		var zero T
		return zero, errNoClient
	}
	return redis.RunCommand(ctx, c.rdb, cmd)
}

// Key type names, as the TYPE command reports them for keys made by each
// family (and as SCAN's TYPE option takes them).
const (
	TypeBloomFilter    = "MBbloom--"
	TypeCuckooFilter   = "MBbloomCF"
	TypeCountMinSketch = "CMSk-TYPE"
	TypeTopK           = "TopK-TYPE"
	TypeTDigest        = "TDIS-TYPE"
)
