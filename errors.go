package redis

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/respkit/redis/internal/conn"
	"github.com/respkit/redis/internal/pool"
	"github.com/respkit/redis/resp"
)

// ErrNil is returned when the server replies with a null: a missing key, a
// missing field, an empty list pop. Test with errors.Is(err, redis.ErrNil).
var ErrNil = errors.New("redis: nil")

// Error is an error reply from the server. Its Code method returns the
// first word (WRONGTYPE, MOVED, ASK, READONLY, LOADING, NOSCRIPT, BUSY,
// TRYAGAIN, CLUSTERDOWN, NOAUTH, NOPERM, ...), and errors.Is matches two
// server errors by code:
//
//	if errors.Is(err, &redis.Error{Msg: "WRONGTYPE"}) { ... }
//
// or, with the predefined values, errors.Is(err, redis.ErrWrongType).
type Error = resp.Error

// Server error codes to match with errors.Is.
var (
	ErrWrongType   = &Error{Msg: "WRONGTYPE"}
	ErrNoScript    = &Error{Msg: "NOSCRIPT"}
	ErrMoved       = &Error{Msg: "MOVED"}
	ErrAsk         = &Error{Msg: "ASK"}
	ErrReadOnly    = &Error{Msg: "READONLY"}
	ErrLoading     = &Error{Msg: "LOADING"}
	ErrBusy        = &Error{Msg: "BUSY"}
	ErrTryAgain    = &Error{Msg: "TRYAGAIN"}
	ErrClusterDown = &Error{Msg: "CLUSTERDOWN"}
	ErrNoAuth      = &Error{Msg: "NOAUTH"}
	ErrNoPerm      = &Error{Msg: "NOPERM"}
	ErrWrongPass   = &Error{Msg: "WRONGPASS"}
	ErrExecAbort   = &Error{Msg: "EXECABORT"}
	ErrMasterDown  = &Error{Msg: "MASTERDOWN"}
)

// ErrClosed is returned by calls on a closed Client.
var ErrClosed = pool.ErrClosed

// ErrPoolTimeout is wrapped by the error returned when no exclusive
// connection became free in time. The error itself is a *PoolTimeoutError
// giving the time waited and the pool's state.
var ErrPoolTimeout = pool.ErrTimeout

// PoolTimeoutError says how long a caller waited for an exclusive
// connection, the pool's size and how many connections were in use.
type PoolTimeoutError = pool.TimeoutError

// ConnError is a failure of the network connection rather than a reply
// from the server. Its Sent field says whether the command may have reached
// the server.
type ConnError = conn.Error

// HandshakeError is the server's refusal while a connection was set up,
// such as a wrong password (it wraps the *Error).
type HandshakeError = conn.HandshakeError

// ErrOutcomeUnknown is wrapped by every error for a command that may or may
// not have run: its connection failed after the command was written and
// before the reply arrived. Such a command is never repeated silently
// unless it is read-only or the caller marked it idempotent (see
// Idempotent).
var ErrOutcomeUnknown = errors.New("redis: command outcome unknown")

// OutcomeUnknownError reports a command that may or may not have run.
type OutcomeUnknownError struct {
	Command string // the command's name, such as "INCR"
	Err     error  // the connection failure
}

// Error describes the failure.
func (e *OutcomeUnknownError) Error() string {
	return fmt.Sprintf("redis: %s may or may not have run: %v", e.Command, e.Err)
}

// Unwrap returns the connection failure and ErrOutcomeUnknown.
func (e *OutcomeUnknownError) Unwrap() []error { return []error{e.Err, ErrOutcomeUnknown} }

// MayHaveRun reports whether a failed call may have been carried out by the
// server anyway. It is true for an unknown outcome (the connection failed
// after the command was written) and for a script or function error, whose
// earlier writes stay applied, and for a context that ended while the
// command was in flight. It is false when the command certainly did
// not run: dial failures, pool timeouts, and server errors that reject a command outright
// (WRONGTYPE, syntax errors, MOVED, LOADING, ...). For nil it is true.
func MayHaveRun(err error) bool {
	if err == nil || errors.Is(err, ErrOutcomeUnknown) {
		return true
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		// The caller stopped waiting; the command may have been sent.
		return true
	}
	var ce *conn.Error
	if errors.As(err, &ce) {
		return ce.Sent
	}
	var re *Error
	if errors.As(err, &re) {
		return strings.Contains(re.Msg, "script") || strings.Contains(re.Msg, "function")
	}
	return false
}
