package timeseries

import (
	"fmt"
	"strconv"
	"time"
)

// Timestamp is a sample time as sent to the server: a time in
// milliseconds since the Unix epoch (At, Millis), the server's clock (Now)
// or an open end of a range (MinTimestamp, MaxTimestamp).
//
// The zero Timestamp is "unset": it lets the server choose. As the time
// of a write (Add, MAdd, IncrBy, DecrBy) it means the server's clock, as
// Now does; as a range bound it means the open end (MinTimestamp for from,
// MaxTimestamp for to). Timestamp is a small value type; copy it freely.
type Timestamp struct {
	// token is "*", "-" or "+" for the special forms, "" for a time in ms
	// or the unset Timestamp.
	token string
	ms    int64
	set   bool
}

var (
	// Now is the server's clock ("*"), for writes: Add, MAdd, IncrBy,
	// DecrBy. A range rejects it.
	Now = Timestamp{token: "*", set: true}
	// MinTimestamp is the earliest possible time ("-"), for the start of
	// a range.
	MinTimestamp = Timestamp{token: "-", set: true}
	// MaxTimestamp is the latest possible time ("+"), for the end of a
	// range.
	MaxTimestamp = Timestamp{token: "+", set: true}
)

// At returns the Timestamp of t, in whole milliseconds since the Unix
// epoch (t.UnixMilli(): a finer part is dropped).
func At(t time.Time) Timestamp { return Timestamp{ms: t.UnixMilli(), set: true} }

// Millis returns the Timestamp ms milliseconds after the Unix epoch. The
// server refuses negative timestamps; the package passes them on and
// reports the server's error.
func Millis(ms int64) Timestamp { return Timestamp{ms: ms, set: true} }

// IsZero reports whether ts is the unset Timestamp.
func (ts Timestamp) IsZero() bool { return !ts.set }

// String returns ts as it is sent: "*", "-", "+", the milliseconds, or ""
// for the unset Timestamp.
func (ts Timestamp) String() string {
	switch {
	case !ts.set:
		return ""
	case ts.token != "":
		return ts.token
	}
	return strconv.FormatInt(ts.ms, 10)
}

// writeArg is ts as the time of a write: unset means the server's clock;
// the open range ends are refused.
func (ts Timestamp) writeArg() (string, error) {
	switch {
	case !ts.set:
		return "*", nil
	case ts.token == "-" || ts.token == "+":
		return "", fmt.Errorf("timeseries: %q is a range bound, not the time of a sample (use At, Millis or Now)", ts.token)
	}
	return ts.String(), nil
}

// rangeArg is ts as a range bound; open is the token of an unset bound.
func (ts Timestamp) rangeArg(open string) (string, error) {
	switch {
	case !ts.set:
		return open, nil
	case ts.token == "*":
		return "", fmt.Errorf("timeseries: Now (\"*\") is not a range bound (use At, Millis, MinTimestamp or MaxTimestamp)")
	}
	return ts.String(), nil
}

// millis returns d in whole milliseconds, refusing a negative duration or
// one with a finer part, which the server could not represent.
func millis(what string, d time.Duration) (int64, error) {
	if d < 0 {
		return 0, fmt.Errorf("timeseries: %s %v is negative", what, d)
	}
	if d%time.Millisecond != 0 {
		return 0, fmt.Errorf("timeseries: %s %v is not a whole number of milliseconds", what, d)
	}
	return d.Milliseconds(), nil
}
