package redis

import (
	"context"
	"iter"
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
		p, err := c.SScanPage(ctx, key, cursor, opts...)
		return p.Items, p.Cursor, err
	})
}
