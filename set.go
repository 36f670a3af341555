package redis

import (
	"context"
	"iter"

	"github.com/respkit/redis/resp"
)

// SInterCardOptions are the optional arguments of SINTERCARD. The zero
// value counts the whole intersection.
type SInterCardOptions struct {
	// Limit stops counting at this many members (LIMIT). Zero sends
	// nothing: no limit. It must not be negative.
	Limit int64
}

func appendSInterCard(b *builder, keys []string, opts []SInterCardOptions) {
	b.begin(cmdSINTERCARD)
	if len(keys) == 0 {
		b.fail("needs at least one key")
	}
	b.int(int64(len(keys)))
	for _, k := range keys {
		b.key(k)
	}
	switch len(opts) {
	case 0:
	case 1:
		if n := opts[0].Limit; n < 0 {
			b.fail("negative Limit %d", n)
		} else if n > 0 {
			b.str("LIMIT")
			b.int(n)
		}
	default:
		b.fail("at most one SInterCardOptions, got %d", len(opts))
	}
}

// SScanOptions are the optional arguments of SSCAN. The zero value visits
// every member with the server's default page size.
type SScanOptions struct {
	// Match visits only members matching this glob-style pattern (MATCH).
	// The filter is applied after a page is read, so pages may be empty.
	Match string
	// Count hints how many members the server looks at per page (COUNT;
	// the server's default is 10). Zero sends nothing.
	Count int64
}

var cmdSSCAN = cmdInfo("SSCAN")

// SScanCommand returns the SSCAN command (SSCAN key cursor [MATCH pattern]
// [COUNT count]) for one page, to run with RunCommand or in a pipeline.
// Its result is the page's members and the next cursor (0 when the
// iteration is over). Since Redis 2.8.0.
func SScanCommand(key string, cursor uint64, opts ...SScanOptions) Command[ScanPageOf[string]] {
	b := new(builder)
	appendSScan(b, key, cursor, opts)
	return newCommand(b, asSScanPage)
}

func appendSScan(b *builder, key string, cursor uint64, opts []SScanOptions) {
	b.begin(cmdSSCAN)
	b.key(key)
	b.uint(cursor)
	switch len(opts) {
	case 0:
		return
	case 1:
	default:
		b.fail("at most one SScanOptions, got %d", len(opts))
		return
	}
	o := opts[0]
	if o.Match != "" {
		b.str("MATCH")
		b.str(o.Match)
	}
	if o.Count < 0 {
		b.fail("negative Count %d", o.Count)
	} else if o.Count > 0 {
		b.str("COUNT")
		b.int(o.Count)
	}
}

// ScanPageOf is one page of a cursor-based scan of a set or hash (SSCAN,
// HSCAN): the items read and the cursor to continue from.
type ScanPageOf[T any] struct {
	Items []T
	// Next is the cursor for the next page; 0 means the scan is over.
	Next uint64
}

func asSScanPage(v resp.Value, err error) (ScanPageOf[string], error) {
	next, page, err := scanReply(v, err)
	if err != nil {
		return ScanPageOf[string]{}, err
	}
	members := make([]string, len(page))
	for i, e := range page {
		if members[i], err = asString(e, nil); err != nil {
			return ScanPageOf[string]{}, err
		}
	}
	return ScanPageOf[string]{Items: members, Next: next}, nil
}

// SScanPage sends SSCAN key cursor [MATCH pattern] [COUNT count] and
// returns one page of the set's members and the cursor of the next page
// (0 when the scan is over). Start with cursor 0. A member may be returned
// more than once over a whole scan.
//
// Since Redis 2.8.0.
func (c *Client) SScanPage(ctx context.Context, key string, cursor uint64, opts ...SScanOptions) (members []string, next uint64, err error) {
	b := getBuilder()
	appendSScan(b, key, cursor, opts)
	p, err := asSScanPage(c.exec(ctx, b))
	return p.Items, p.Next, err
}

// SScan iterates over the members of the set at key with SSCAN (SSCAN key
// cursor [MATCH pattern] [COUNT count]), fetching pages as the loop asks
// for them. An error is yielded once, with an empty member, and ends the
// iteration; breaking out of the loop stops fetching. The set may change
// during the scan: members present throughout are seen at least once, and
// may be seen more than once.
//
//	for m, err := range rdb.SScan(ctx, "tags") { ... }
//
// Since Redis 2.8.0.
func (c *Client) SScan(ctx context.Context, key string, opts ...SScanOptions) iter.Seq2[string, error] {
	return scanAll(ctx, func(ctx context.Context, cursor uint64) ([]string, uint64, error) {
		return c.SScanPage(ctx, key, cursor, opts...)
	})
}
