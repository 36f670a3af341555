package redis

import (
	"time"

	"github.com/respkit/redis/resp"
)

// SetOptions are SET's optional arguments. The zero value sets the value
// with no expiry and no condition.
type SetOptions struct {
	// TTL makes the key expire after this long: EX when it is a whole
	// number of seconds, PX otherwise. Zero means no expiry; it must not
	// be negative or below a millisecond.
	TTL time.Duration
	// ExpireAt makes the key expire at this time (EXAT, or PXAT when not a
	// whole second). Zero means none. Conflicts with TTL and KeepTTL.
	ExpireAt time.Time
	// KeepTTL keeps the key's current expiry (KEEPTTL, Redis 6.0).
	KeepTTL bool
	// NX sets the key only if it does not exist; XX only if it does.
	NX, XX bool
}

func appendSet(b *builder, key string, value any, opts []SetOptions) {
	b.begin(cmdSET)
	b.key(key)
	b.arg(value)
	if len(opts) > 1 {
		b.fail("at most one SetOptions, got %d", len(opts))
		return
	}
	if len(opts) == 0 {
		return
	}
	o := opts[0]
	switch {
	case o.TTL < 0:
		b.fail("negative TTL %v", o.TTL)
	case o.TTL > 0 && o.TTL < time.Millisecond:
		b.fail("TTL %v is below the server's resolution of 1ms", o.TTL)
	case o.TTL != 0 && !o.ExpireAt.IsZero():
		b.fail("TTL and ExpireAt both set")
	case o.KeepTTL && (o.TTL != 0 || !o.ExpireAt.IsZero()):
		b.fail("KeepTTL conflicts with TTL and ExpireAt")
	case o.NX && o.XX:
		b.fail("NX and XX both set")
	}
	switch {
	case o.TTL > 0 && o.TTL%time.Second == 0:
		b.str("EX")
		b.int(int64(o.TTL / time.Second))
	case o.TTL > 0:
		b.str("PX")
		b.int(o.TTL.Milliseconds())
	case !o.ExpireAt.IsZero() && o.ExpireAt.UnixMilli()%1000 == 0:
		b.str("EXAT")
		b.int(o.ExpireAt.Unix())
	case !o.ExpireAt.IsZero():
		b.str("PXAT")
		b.int(o.ExpireAt.UnixMilli())
	case o.KeepTTL:
		b.str("KEEPTTL")
	}
	if o.NX {
		b.str("NX")
	}
	if o.XX {
		b.str("XX")
	}
}

// asSet reads SET's reply: OK, or a null when NX or XX prevented the set.
func asSet(v resp.Value, err error) (struct{}, error) {
	return struct{}{}, asOK(v, err)
}
