package redis

import (
	"fmt"
	"math"
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
// sentinels. A TTL too long for a time.Duration (about 292 years; Redis
// allows longer) is an error rather than a wrapped-around value.
func ttlIn(n int64, unit time.Duration) (time.Duration, error) {
	switch {
	case n == -1:
		return NoExpiry, nil
	case n == -2:
		return NoSuchKey, nil
	case n < 0:
		return 0, fmt.Errorf("redis: TTL reply %d is negative", n)
	case n > math.MaxInt64/int64(unit):
		return 0, fmt.Errorf("redis: TTL of %d × %v does not fit a time.Duration", n, unit)
	}
	return time.Duration(n) * unit, nil
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
	return ttlIn(n, unit)
}

// asTTLs reads per-field TTLs (HTTL), NoExpiry and NoSuchKey included.
func asTTLs(v resp.Value, err error) ([]time.Duration, error) { return asTTLsIn(v, err, time.Second) }

// asPTTLs reads per-field TTLs in milliseconds (HPTTL).
func asPTTLs(v resp.Value, err error) ([]time.Duration, error) {
	return asTTLsIn(v, err, time.Millisecond)
}

func asTTLsIn(v resp.Value, err error, unit time.Duration) ([]time.Duration, error) {
	return asListOf(v, err, func(v resp.Value, err error) (time.Duration, error) {
		n, err := asInt64(v, err)
		if err != nil {
			return 0, err
		}
		return ttlIn(n, unit)
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
