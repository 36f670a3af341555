package redis

import (
	"fmt"
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
	// IfEq sets the key only if its current value equals this one (IFEQ,
	// Redis 8.4); nil means no such condition. A value is a string,
	// []byte, number, bool or encoding.BinaryMarshaler.
	IfEq any
	// IfNe sets the key only if its current value differs from this one,
	// or it does not exist (IFNE, Redis 8.4); nil means no such condition.
	IfNe any
	// IfDigestEq sets the key only if the digest of its current value (as
	// DIGEST returns it) is this one (IFDEQ, Redis 8.4); "" means none.
	IfDigestEq string
	// IfDigestNe sets the key only if the digest of its current value is
	// not this one (IFDNE, Redis 8.4); "" means none.
	IfDigestNe string
}

func appendSet(b *builder, key string, value any, opts []SetOptions) {
	appendSetCmd(b, key, value, opts, false)
}

func appendSetGet(b *builder, key string, value any, opts []SetOptions) {
	appendSetCmd(b, key, value, opts, true)
}

// appendSetCmd encodes SET in the spec's order: condition, GET, expiry.
func appendSetCmd(b *builder, key string, value any, opts []SetOptions, get bool) {
	b.begin(cmdSET)
	b.key(key)
	b.arg(value)
	if len(opts) > 1 {
		b.fail("at most one SetOptions, got %d", len(opts))
		return
	}
	var o SetOptions
	if len(opts) == 1 {
		o = opts[0]
	}
	if n := count(o.NX, o.XX, o.IfEq != nil, o.IfNe != nil, o.IfDigestEq != "", o.IfDigestNe != ""); n > 1 {
		if o.NX && o.XX && n == 2 {
			b.fail("NX and XX both set")
		} else {
			b.fail("at most one of NX, XX, IfEq, IfNe, IfDigestEq, IfDigestNe may be set")
		}
	}
	switch {
	case o.NX:
		b.str("NX")
	case o.XX:
		b.str("XX")
	case o.IfEq != nil:
		b.str("IFEQ")
		b.arg(o.IfEq)
	case o.IfNe != nil:
		b.str("IFNE")
		b.arg(o.IfNe)
	case o.IfDigestEq != "":
		b.str("IFDEQ")
		b.str(o.IfDigestEq)
	case o.IfDigestNe != "":
		b.str("IFDNE")
		b.str(o.IfDigestNe)
	}
	if get {
		b.str("GET")
	}
	appendKeyExpiry(b, o.TTL, o.ExpireAt, o.KeepTTL, "KEEPTTL", "KeepTTL")
}

// appendKeyExpiry encodes the expiry choice shared by SET, GETEX, MSETEX
// and INCREX: EX or PX for ttl (EX when it is a whole number of seconds),
// EXAT or PXAT for at (EXAT when it is a whole second), or the token flag
// (KEEPTTL, PERSIST) when keep is set, named field in errors. At most one
// may be given; ttl must not be negative or below a millisecond.
func appendKeyExpiry(b *builder, ttl time.Duration, at time.Time, keep bool, flag, field string) {
	switch {
	case ttl < 0:
		b.fail("negative TTL %v", ttl)
	case ttl > 0 && ttl < time.Millisecond:
		b.fail("TTL %v is below the server's resolution of 1ms", ttl)
	case ttl != 0 && !at.IsZero():
		b.fail("TTL and ExpireAt both set")
	case keep && (ttl != 0 || !at.IsZero()):
		b.fail("%s conflicts with TTL and ExpireAt", field)
	}
	switch {
	case ttl > 0 && ttl%time.Second == 0:
		b.str("EX")
		b.int(int64(ttl / time.Second))
	case ttl > 0:
		b.str("PX")
		b.int(ttl.Milliseconds())
	case !at.IsZero() && at.UnixMilli()%1000 == 0:
		b.str("EXAT")
		b.int(at.Unix())
	case !at.IsZero():
		b.str("PXAT")
		b.int(at.UnixMilli())
	case keep:
		b.str(flag)
	}
}

// asSet reads SET's reply: OK, or a null when a condition prevented the
// set.
func asSet(v resp.Value, err error) (struct{}, error) {
	return struct{}{}, asOK(v, err)
}

// GetExOptions are GETEX's optional arguments. The zero value sends none:
// GETEX then reads the value like GET.
type GetExOptions struct {
	// TTL sets the key's expiry to this long from now: EX when it is a
	// whole number of seconds, PX otherwise. It must not be negative or
	// below a millisecond.
	TTL time.Duration
	// ExpireAt makes the key expire at this time (EXAT, or PXAT when not a
	// whole second).
	ExpireAt time.Time
	// Persist removes the key's expiry (PERSIST).
	Persist bool
}

func appendGetEx(b *builder, key string, opts []GetExOptions) {
	b.begin(cmdGETEX)
	b.key(key)
	if len(opts) > 1 {
		b.fail("at most one GetExOptions, got %d", len(opts))
		return
	}
	if len(opts) == 1 {
		o := opts[0]
		appendKeyExpiry(b, o.TTL, o.ExpireAt, o.Persist, "PERSIST", "Persist")
	}
}

// MSetExOptions are MSETEX's optional arguments. The zero value sets the
// keys with no expiry and no condition.
type MSetExOptions struct {
	// NX sets the keys only if none of them exists; XX only if all of
	// them exist.
	NX, XX bool
	// TTL makes the keys expire after this long (EX, or PX when not a
	// whole number of seconds). It must not be negative or below a
	// millisecond.
	TTL time.Duration
	// ExpireAt makes the keys expire at this time (EXAT, or PXAT when not
	// a whole second).
	ExpireAt time.Time
	// KeepTTL keeps the keys' current expiries (KEEPTTL).
	KeepTTL bool
}

func appendMSetEx(b *builder, pairs []KeyValue, opts []MSetExOptions) {
	b.begin(cmdMSETEX)
	if len(pairs) == 0 {
		b.fail("needs at least one key and value")
	}
	b.int(int64(len(pairs)))
	for _, p := range pairs {
		b.key(p.Key)
		b.arg(p.Value)
	}
	if len(opts) > 1 {
		b.fail("at most one MSetExOptions, got %d", len(opts))
		return
	}
	if len(opts) == 1 {
		o := opts[0]
		switch {
		case o.NX && o.XX:
			b.fail("NX and XX both set")
		case o.NX:
			b.str("NX")
		case o.XX:
			b.str("XX")
		}
		appendKeyExpiry(b, o.TTL, o.ExpireAt, o.KeepTTL, "KEEPTTL", "KeepTTL")
	}
}

// IncrExResult is INCREX's reply: the value after the increment and the
// increment the server actually applied (smaller than asked when SATURATE
// clamped it to a bound, 0 when a bound rejected it). T is int64 for
// IncrEx and float64 for IncrExFloat.
type IncrExResult[T int64 | float64] struct {
	Value     T
	Increment T
}

// IncrExOptions are the optional arguments of INCREX ... BYINT. The zero
// value sends none of them.
type IncrExOptions struct {
	// Saturate clamps the result to the bounds instead of rejecting an
	// increment that would cross one (SATURATE).
	Saturate bool
	// Lower and Upper bound the result (LBOUND, UBOUND); nil means the
	// limits of a 64-bit integer.
	Lower, Upper *int64
	// TTL sets the key's expiry to this long from now (EX, or PX when not
	// a whole number of seconds).
	TTL time.Duration
	// ExpireAt makes the key expire at this time (EXAT or PXAT).
	ExpireAt time.Time
	// Persist removes the key's expiry (PERSIST).
	Persist bool
	// ENX sets the expiry only when the key has none (ENX); it needs TTL
	// or ExpireAt.
	ENX bool
}

// IncrExFloatOptions are the optional arguments of INCREX ... BYFLOAT.
// The zero value sends none of them.
type IncrExFloatOptions struct {
	// Saturate clamps the result to the bounds instead of rejecting an
	// increment that would cross one (SATURATE).
	Saturate bool
	// Lower and Upper bound the result (LBOUND, UBOUND); nil means none.
	Lower, Upper *float64
	// TTL sets the key's expiry to this long from now (EX, or PX when not
	// a whole number of seconds).
	TTL time.Duration
	// ExpireAt makes the key expire at this time (EXAT or PXAT).
	ExpireAt time.Time
	// Persist removes the key's expiry (PERSIST).
	Persist bool
	// ENX sets the expiry only when the key has none (ENX); it needs TTL
	// or ExpireAt.
	ENX bool
}

func appendIncrEx(b *builder, key string, increment int64, opts []IncrExOptions) {
	b.begin(cmdINCREX)
	b.key(key)
	b.str("BYINT")
	b.int(increment)
	if len(opts) > 1 {
		b.fail("at most one IncrExOptions, got %d", len(opts))
		return
	}
	if len(opts) == 1 {
		o := opts[0]
		if o.Saturate {
			b.str("SATURATE")
		}
		if o.Lower != nil {
			b.str("LBOUND")
			b.int(*o.Lower)
		}
		if o.Upper != nil {
			b.str("UBOUND")
			b.int(*o.Upper)
		}
		appendIncrExExpiry(b, o.TTL, o.ExpireAt, o.Persist, o.ENX)
	}
}

func appendIncrExFloat(b *builder, key string, increment float64, opts []IncrExFloatOptions) {
	b.begin(cmdINCREX)
	b.key(key)
	b.str("BYFLOAT")
	b.float(increment)
	if len(opts) > 1 {
		b.fail("at most one IncrExFloatOptions, got %d", len(opts))
		return
	}
	if len(opts) == 1 {
		o := opts[0]
		if o.Saturate {
			b.str("SATURATE")
		}
		if o.Lower != nil {
			b.str("LBOUND")
			b.float(*o.Lower)
		}
		if o.Upper != nil {
			b.str("UBOUND")
			b.float(*o.Upper)
		}
		appendIncrExExpiry(b, o.TTL, o.ExpireAt, o.Persist, o.ENX)
	}
}

func appendIncrExExpiry(b *builder, ttl time.Duration, at time.Time, persist, enx bool) {
	appendKeyExpiry(b, ttl, at, persist, "PERSIST", "Persist")
	if enx {
		if ttl == 0 && at.IsZero() {
			b.fail("ENX needs TTL or ExpireAt")
		}
		b.str("ENX")
	}
}

func asIncrExInt(v resp.Value, err error) (IncrExResult[int64], error) {
	return asIncrExOf(v, err, asInt64)
}

func asIncrExFloat(v resp.Value, err error) (IncrExResult[float64], error) {
	return asIncrExOf(v, err, asFloat64)
}

func asIncrExOf[T int64 | float64](v resp.Value, err error, dec func(resp.Value, error) (T, error)) (IncrExResult[T], error) {
	var r IncrExResult[T]
	elems, err := asSlice(v, err)
	if err != nil {
		return r, err
	}
	if len(elems) != 2 {
		return r, fmt.Errorf("redis: INCREX reply has %d elements, want 2", len(elems))
	}
	if r.Value, err = dec(elems[0], nil); err != nil {
		return r, err
	}
	r.Increment, err = dec(elems[1], nil)
	return r, err
}

// LCSIndex is LCS's reply with IDX: the length of the longest common
// subsequence and the ranges where its parts appear in both values.
type LCSIndex struct {
	// Len is the length of the longest common subsequence.
	Len int64
	// Matches are the matching parts, last one first (as the server sends
	// them).
	Matches []LCSMatch
}

// LCSMatch is one part of a longest common subsequence: where it is in
// the first key's value (A) and in the second's (B).
type LCSMatch struct {
	A, B LCSRange
	// Len is the part's length: sent by the server with WithMatchLen, and
	// otherwise computed from A (both ranges have the same length).
	Len int64
}

// LCSRange is a range of byte offsets in a value, both ends included.
type LCSRange struct {
	Start, End int64
}

func asLCSIndex(v resp.Value, err error) (LCSIndex, error) {
	m, err := asMap(v, err)
	if err != nil {
		return LCSIndex{}, err
	}
	var out LCSIndex
	if out.Len, err = asInt64(m["len"], nil); err != nil {
		return out, fmt.Errorf("redis: LCS len: %w", err)
	}
	matches, err := asSlice(m["matches"], nil)
	if err != nil {
		return out, fmt.Errorf("redis: LCS matches: %w", err)
	}
	out.Matches = make([]LCSMatch, len(matches))
	for i, mv := range matches {
		parts := mv.Elems()
		if len(parts) < 2 {
			return out, fmt.Errorf("redis: LCS match %d has %d elements", i, len(parts))
		}
		mt := &out.Matches[i]
		if mt.A, err = asLCSRange(parts[0]); err != nil {
			return out, err
		}
		if mt.B, err = asLCSRange(parts[1]); err != nil {
			return out, err
		}
		mt.Len = mt.A.End - mt.A.Start + 1
		if len(parts) > 2 {
			if mt.Len, err = asInt64(parts[2], nil); err != nil {
				return out, fmt.Errorf("redis: LCS match length: %w", err)
			}
		}
	}
	return out, nil
}

func asLCSRange(v resp.Value) (LCSRange, error) {
	n, err := asInt64s(v, nil)
	if err != nil {
		return LCSRange{}, fmt.Errorf("redis: LCS range: %w", err)
	}
	if len(n) != 2 {
		return LCSRange{}, fmt.Errorf("redis: LCS range has %d elements, want 2", len(n))
	}
	return LCSRange{Start: n[0], End: n[1]}, nil
}
