package redis

import (
	"time"

	"github.com/respkit/redis/resp"
)

// Sentinel durations in TTL results (TTL, PTTL, HTTL, HPTTL, ...). A real
// remaining time to live is never negative, so they cannot be confused
// with one.
const (
	// NoExpiry: the key (or field) exists but has no expiry.
	NoExpiry time.Duration = -1
	// NoSuchKey: in a per-field result (HTTL, HPERSIST, ...), the field
	// does not exist. Single-key commands return ErrNil instead.
	NoSuchKey time.Duration = -2
)

// ttlIn converts a TTL reply n in the given unit; -1 and -2 become the
// sentinels.
func ttlIn(n int64, unit time.Duration) time.Duration {
	switch {
	case n == -1:
		return NoExpiry
	case n == -2:
		return NoSuchKey
	case n < 0:
		return time.Duration(n)
	}
	return time.Duration(n) * unit
}

// asTTL reads TTL's reply (seconds): ErrNil when the key does not exist,
// NoExpiry when it has no expiry.
func asTTL(v resp.Value, err error) (time.Duration, error) { return asTTLIn(v, err, time.Second) }

// asPTTL reads PTTL's reply (milliseconds), like asTTL.
func asPTTL(v resp.Value, err error) (time.Duration, error) {
	return asTTLIn(v, err, time.Millisecond)
}

func asTTLIn(v resp.Value, err error, unit time.Duration) (time.Duration, error) {
	n, err := asInt64(v, err)
	if err != nil {
		return 0, err
	}
	if n == -2 {
		return 0, ErrNil
	}
	return ttlIn(n, unit), nil
}

// asTTLs reads per-field TTLs (HTTL), NoExpiry and NoSuchKey included.
func asTTLs(v resp.Value, err error) ([]time.Duration, error) {
	return asListOf(v, err, func(v resp.Value, err error) (time.Duration, error) {
		n, err := asInt64(v, err)
		return ttlIn(n, time.Second), err
	})
}

// asPTTLs reads per-field TTLs in milliseconds (HPTTL).
func asPTTLs(v resp.Value, err error) ([]time.Duration, error) {
	return asListOf(v, err, func(v resp.Value, err error) (time.Duration, error) {
		n, err := asInt64(v, err)
		return ttlIn(n, time.Millisecond), err
	})
}

// asUnixTime reads an absolute expiry in seconds (EXPIRETIME): ErrNil when
// the key does not exist, the zero time when it has no expiry.
func asUnixTime(v resp.Value, err error) (time.Time, error) { return asExpiryIn(v, err, time.Second) }

// asUnixMilliTime reads an absolute expiry in milliseconds (PEXPIRETIME),
// like asUnixTime.
func asUnixMilliTime(v resp.Value, err error) (time.Time, error) {
	return asExpiryIn(v, err, time.Millisecond)
}

func asExpiryIn(v resp.Value, err error, unit time.Duration) (time.Time, error) {
	n, err := asInt64(v, err)
	switch {
	case err != nil:
		return time.Time{}, err
	case n == -2:
		return time.Time{}, ErrNil
	case n < 0:
		return time.Time{}, nil
	}
	if unit == time.Millisecond {
		return time.UnixMilli(n), nil
	}
	return time.Unix(n, 0), nil
}
