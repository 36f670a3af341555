package redis

import (
	"context"
	"fmt"
	"iter"
	"time"

	"github.com/respkit/redis/internal/cmdinfo"
	"github.com/respkit/redis/resp"
)

// HashEntry is a field of a hash with its value, as read back from the
// server (HRANDFIELD ... WITHVALUES, HSCAN). HashField is its counterpart
// for writing.
type HashEntry struct {
	Field string
	Value string
}

// HFieldStatus is what a command of the HEXPIRE family (HEXPIRE,
// HPEXPIRE, HEXPIREAT, HPEXPIREAT, HPERSIST) did to one field.
type HFieldStatus int64

// The per-field results of the HEXPIRE family, as the server sends them.
const (
	// HFieldMissing (-2): the field, or the whole key, does not exist.
	HFieldMissing HFieldStatus = -2
	// HFieldNoExpiry (-1), from HPERSIST: the field exists but has no
	// expiry to remove.
	HFieldNoExpiry HFieldStatus = -1
	// HFieldSkipped (0), from HEXPIRE and its variants: the NX, XX, GT or
	// LT condition was not met, so the expiry was left as it was.
	HFieldSkipped HFieldStatus = 0
	// HFieldUpdated (1): HEXPIRE and its variants set the expiry;
	// HPERSIST removed it.
	HFieldUpdated HFieldStatus = 1
	// HFieldDeleted (2), from HEXPIRE and its variants: the expiry was
	// already due (a zero TTL or a time in the past), so the field was
	// deleted.
	HFieldDeleted HFieldStatus = 2
)

// String names the status.
func (s HFieldStatus) String() string {
	switch s {
	case HFieldMissing:
		return "missing"
	case HFieldNoExpiry:
		return "no expiry"
	case HFieldSkipped:
		return "skipped"
	case HFieldUpdated:
		return "updated"
	case HFieldDeleted:
		return "deleted"
	}
	return fmt.Sprintf("HFieldStatus(%d)", int64(s))
}

// appendHashFields writes FIELDS numfields field [field ...].
func appendHashFields(b *builder, fields []string) {
	if len(fields) == 0 {
		b.fail("needs at least one field")
	}
	b.str("FIELDS")
	b.int(int64(len(fields)))
	for _, f := range fields {
		b.str(f)
	}
}

func appendHExpireCondition(b *builder, opts []ExpireOptions) {
	switch len(opts) {
	case 0:
		return
	case 1:
	default:
		b.fail("at most one ExpireOptions, got %d", len(opts))
		return
	}
	o := opts[0]
	if count(o.NX, o.XX, o.GT, o.LT) > 1 {
		b.fail("at most one of NX, XX, GT, LT may be set")
	}
	switch {
	case o.NX:
		b.str("NX")
	case o.XX:
		b.str("XX")
	case o.GT:
		b.str("GT")
	case o.LT:
		b.str("LT")
	}
}

func appendHExpire(b *builder, key string, ttl time.Duration, fields []string, opts []ExpireOptions) {
	b.begin(cmdHEXPIRE)
	b.key(key)
	b.seconds(ttl)
	appendHExpireCondition(b, opts)
	appendHashFields(b, fields)
}

func appendHPExpire(b *builder, key string, ttl time.Duration, fields []string, opts []ExpireOptions) {
	b.begin(cmdHPEXPIRE)
	b.key(key)
	b.millis(ttl)
	appendHExpireCondition(b, opts)
	appendHashFields(b, fields)
}

func appendHExpireAt(b *builder, key string, at time.Time, fields []string, opts []ExpireOptions) {
	b.begin(cmdHEXPIREAT)
	b.key(key)
	b.int(at.Unix())
	appendHExpireCondition(b, opts)
	appendHashFields(b, fields)
}

func appendHPExpireAt(b *builder, key string, at time.Time, fields []string, opts []ExpireOptions) {
	b.begin(cmdHPEXPIREAT)
	b.key(key)
	b.int(at.UnixMilli())
	appendHExpireCondition(b, opts)
	appendHashFields(b, fields)
}

func appendHashKeyFields(b *builder, info *cmdinfo.Info, key string, fields []string) {
	b.begin(info)
	b.key(key)
	appendHashFields(b, fields)
}

func appendHExpireTime(b *builder, key string, fields []string) {
	appendHashKeyFields(b, cmdHEXPIRETIME, key, fields)
}

func appendHPExpireTime(b *builder, key string, fields []string) {
	appendHashKeyFields(b, cmdHPEXPIRETIME, key, fields)
}

func appendHTTL(b *builder, key string, fields []string) {
	appendHashKeyFields(b, cmdHTTL, key, fields)
}

func appendHPTTL(b *builder, key string, fields []string) {
	appendHashKeyFields(b, cmdHPTTL, key, fields)
}

func appendHPersist(b *builder, key string, fields []string) {
	appendHashKeyFields(b, cmdHPERSIST, key, fields)
}

func appendHGetDel(b *builder, key string, fields []string) {
	appendHashKeyFields(b, cmdHGETDEL, key, fields)
}

// HGetExOptions are the optional arguments of HGETEX. The zero value reads
// the fields and leaves their expiry alone. At most one of TTL, ExpireAt
// and Persist may be set.
type HGetExOptions struct {
	// TTL makes the fields expire after this long: EX when it is a whole
	// number of seconds, PX otherwise (it must then be whole
	// milliseconds). Zero sends nothing; it must not be negative.
	TTL time.Duration
	// ExpireAt makes the fields expire at this time: EXAT when it is a
	// whole second, PXAT otherwise. The zero Time sends nothing.
	ExpireAt time.Time
	// Persist removes the fields' expiry (PERSIST).
	Persist bool
}

func appendHGetEx(b *builder, key string, fields []string, opts []HGetExOptions) {
	b.begin(cmdHGETEX)
	b.key(key)
	switch len(opts) {
	case 0:
	case 1:
		o := opts[0]
		if count(o.TTL != 0, !o.ExpireAt.IsZero(), o.Persist) > 1 {
			b.fail("at most one of TTL, ExpireAt, Persist may be set")
		}
		appendHashExpiry(b, o.TTL, o.ExpireAt)
		if o.Persist {
			b.str("PERSIST")
		}
	default:
		b.fail("at most one HGetExOptions, got %d", len(opts))
	}
	appendHashFields(b, fields)
}

// appendHashExpiry writes EX/PX for a TTL or EXAT/PXAT for a time, at the
// coarsest unit that loses nothing.
func appendHashExpiry(b *builder, ttl time.Duration, at time.Time) {
	switch {
	case ttl < 0:
		b.fail("negative TTL %v", ttl)
	case ttl > 0 && ttl%time.Second == 0:
		b.str("EX")
		b.seconds(ttl)
	case ttl > 0:
		b.str("PX")
		b.millis(ttl)
	case !at.IsZero() && at.UnixMilli()%1000 == 0:
		b.str("EXAT")
		b.int(at.Unix())
	case !at.IsZero():
		b.str("PXAT")
		b.int(at.UnixMilli())
	}
}

// HSetExOptions are the optional arguments of HSETEX. The zero value sets
// the fields unconditionally and removes any expiry they had. At most one
// of FNX and FXX, and at most one of TTL, ExpireAt and KeepTTL, may be set.
type HSetExOptions struct {
	// FNX sets the fields only if none of them exists; FXX only if all of
	// them exist.
	FNX, FXX bool
	// TTL makes the fields expire after this long: EX when it is a whole
	// number of seconds, PX otherwise (it must then be whole
	// milliseconds). Zero sends nothing; it must not be negative.
	TTL time.Duration
	// ExpireAt makes the fields expire at this time: EXAT when it is a
	// whole second, PXAT otherwise. The zero Time sends nothing.
	ExpireAt time.Time
	// KeepTTL keeps the expiry the fields already have (KEEPTTL).
	KeepTTL bool
}

func appendHSetEx(b *builder, key string, fields []HashField, opts []HSetExOptions) {
	b.begin(cmdHSETEX)
	b.key(key)
	switch len(opts) {
	case 0:
	case 1:
		o := opts[0]
		if o.FNX && o.FXX {
			b.fail("at most one of FNX, FXX may be set")
		}
		if count(o.TTL != 0, !o.ExpireAt.IsZero(), o.KeepTTL) > 1 {
			b.fail("at most one of TTL, ExpireAt, KeepTTL may be set")
		}
		switch {
		case o.FNX:
			b.str("FNX")
		case o.FXX:
			b.str("FXX")
		}
		appendHashExpiry(b, o.TTL, o.ExpireAt)
		if o.KeepTTL {
			b.str("KEEPTTL")
		}
	default:
		b.fail("at most one HSetExOptions, got %d", len(opts))
	}
	if len(fields) == 0 {
		b.fail("needs at least one field")
	}
	b.str("FIELDS")
	b.int(int64(len(fields)))
	for i := range fields {
		b.str(fields[i].Field)
		b.arg(fields[i].Value)
	}
}

// asHFieldStatuses reads the per-field codes of the HEXPIRE family.
func asHFieldStatuses(v resp.Value, err error) ([]HFieldStatus, error) {
	return asListOf(v, err, func(v resp.Value, err error) (HFieldStatus, error) {
		n, err := asInt64(v, err)
		return HFieldStatus(n), err
	})
}

// asHExpireTimes reads HEXPIRETIME's per-field Unix times in seconds; -1
// (no expiry) and -2 (no such field) become the zero Time.
func asHExpireTimes(v resp.Value, err error) ([]time.Time, error) {
	return asListOf(v, err, func(v resp.Value, err error) (time.Time, error) {
		n, err := asInt64(v, err)
		if err != nil || n < 0 {
			return time.Time{}, err
		}
		return time.Unix(n, 0), nil
	})
}

// asHPExpireTimes reads HPEXPIRETIME's per-field Unix times in
// milliseconds, like asHExpireTimes.
func asHPExpireTimes(v resp.Value, err error) ([]time.Time, error) {
	return asListOf(v, err, func(v resp.Value, err error) (time.Time, error) {
		n, err := asInt64(v, err)
		if err != nil || n < 0 {
			return time.Time{}, err
		}
		return time.UnixMilli(n), nil
	})
}

// asHashEntries reads fields with their values: a RESP2 flat array
// [field, value, ...], or RESP3's array of [field, value] pairs (as
// HRANDFIELD ... WITHVALUES sends under RESP3), or a map.
func asHashEntries(v resp.Value, err error) ([]HashEntry, error) {
	if err := check(v, err); err != nil {
		return nil, err
	}
	switch v.Type() {
	case resp.Map, resp.Array, resp.Set:
		return hashEntriesOf(v.Elems())
	}
	return nil, &ReplyTypeError{Want: "[]HashEntry", Got: v.Type()}
}

// hashEntriesOf reads a flat [field, value, ...] list or a list of
// [field, value] pairs.
func hashEntriesOf(elems []resp.Value) ([]HashEntry, error) {
	if len(elems) > 0 && elems[0].Type() == resp.Array {
		out := make([]HashEntry, len(elems))
		for i, p := range elems {
			if p.Type() != resp.Array || p.Len() != 2 {
				return nil, fmt.Errorf("redis: element %d is not a [field, value] pair", i)
			}
			out[i] = HashEntry{Field: p.Elems()[0].String(), Value: p.Elems()[1].String()}
		}
		return out, nil
	}
	if len(elems)%2 != 0 {
		return nil, fmt.Errorf("redis: field/value reply of odd length %d", len(elems))
	}
	out := make([]HashEntry, len(elems)/2)
	for i := range out {
		f, val := elems[2*i], elems[2*i+1]
		if f.Type() == resp.Array || val.Type() == resp.Array {
			return nil, fmt.Errorf("redis: field/value pair %d is not two strings", i)
		}
		out[i] = HashEntry{Field: f.String(), Value: val.String()}
	}
	return out, nil
}

// asHashEntryPage reads an HSCAN page of fields with their values.
func asHashEntryPage(v resp.Value, err error) (CursorPage[HashEntry], error) {
	return asCursorPage(v, err, hashEntriesOf)
}

// HScan iterates over the fields of the hash at key, with their values,
// using HSCAN (HSCAN key cursor [MATCH pattern] [COUNT count]), fetching
// pages as the loop asks for them. An error is yielded once, with a zero
// HashEntry, and ends the iteration; breaking out of the loop stops
// fetching. The hash may change during the scan: fields present throughout
// are seen at least once, and may be seen more than once.
//
//	for e, err := range rdb.HScan(ctx, "user:1") { ... e.Field, e.Value ... }
//
// Since Redis 2.8.0.
func (c *Client) HScan(ctx context.Context, key string, opts ...HScanOptions) iter.Seq2[HashEntry, error] {
	return scanAll(ctx, func(ctx context.Context, cursor uint64) ([]HashEntry, uint64, error) {
		p, err := c.HScanPage(ctx, key, cursor, opts...)
		return p.Items, p.Cursor, err
	})
}

// HScanFields iterates over the field names of the hash at key, without
// their values, using HSCAN ... NOVALUES; otherwise like HScan.
//
// Since Redis 7.4.0 (NOVALUES).
func (c *Client) HScanFields(ctx context.Context, key string, opts ...HScanOptions) iter.Seq2[string, error] {
	return scanAll(ctx, func(ctx context.Context, cursor uint64) ([]string, uint64, error) {
		p, err := c.HScanFieldsPage(ctx, key, cursor, opts...)
		return p.Items, p.Cursor, err
	})
}
