package redis

import (
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

// ScriptError is an error that a script or function raised while it ran
// (EVAL, EVALSHA, FCALL and their read-only variants): a failed redis.call,
// redis.error_reply or a returned {err = ...}. Writes the script made before
// the error stay applied, so MayHaveRun reports true for it. Errors that
// refuse a script before it runs (NOSCRIPT, BUSY, a compile error, a wrong
// number of keys, ...) are plain *Error values. ScriptError unwraps to the
// server's *Error, so errors.Is and errors.As match its code as usual.
type ScriptError struct {
	Command string // "EVALSHA", "FCALL", ...
	Err     *Error
}

// Error returns the server's message.
func (e *ScriptError) Error() string { return e.Err.Error() }

// Unwrap returns the server's *Error.
func (e *ScriptError) Unwrap() error { return e.Err }

// scriptCommands run a script or function.
var scriptCommands = map[string]bool{
	"EVAL": true, "EVALSHA": true, "EVAL_RO": true, "EVALSHA_RO": true, "FCALL": true, "FCALL_RO": true,
}

// refusedScriptCodes and refusedScriptMessages are the errors that can
// only stop a script before it runs. Codes that a redis.call inside a
// running script can also raise (NOPERM, OOM, READONLY, ...) are not
// listed: for those MayHaveRun errs on the side of "it may have run".
var (
	refusedScriptCodes = map[string]bool{
		"NOSCRIPT": true, "BUSY": true, "LOADING": true, "MASTERDOWN": true, "CLUSTERDOWN": true,
		"TRYAGAIN": true, "MOVED": true, "ASK": true, "NOAUTH": true, "EXECABORT": true,
	}
	refusedScriptMessages = []string{
		"ERR Error compiling script", "ERR Number of keys", "ERR wrong number of arguments",
		"ERR unknown command", "ERR Function not found",
	}
)

// replyErr returns the error reply v to cmd as a Go error: a *ScriptError
// when a script or function raised it while running, else the *Error.
func replyErr(cmd *Cmd, v resp.Value) error {
	err := v.Err()
	if !scriptCommands[cmd.name] {
		return err
	}
	var re *Error
	if !errors.As(err, &re) || refusedScriptCodes[re.Code()] {
		return err
	}
	for _, m := range refusedScriptMessages {
		if strings.HasPrefix(re.Msg, m) {
			return err
		}
	}
	return &ScriptError{Command: cmd.name, Err: re}
}

// MayHaveRun reports whether a failed call may have been carried out by the
// server anyway, given the error it returned:
//
//   - true for an unknown outcome (ErrOutcomeUnknown: the connection
//     failed, was closed, timed out or the context ended after the command
//     was written), for a *ScriptError (the script's earlier writes stay),
//     for ErrNil (the command ran and returned a null) and for nil;
//   - false when the command certainly did not run: it was never sent (a
//     dial failure, a pool timeout, a context that ended while it waited
//     for a connection, a refused build) or the server refused it outright
//     (WRONGTYPE, a syntax error, NOSCRIPT, BUSY, MOVED, LOADING, ...).
func MayHaveRun(err error) bool {
	if err == nil || errors.Is(err, ErrNil) || errors.Is(err, ErrOutcomeUnknown) {
		return true
	}
	var ce *conn.Error
	if errors.As(err, &ce) {
		return ce.Sent
	}
	var se *ScriptError
	return errors.As(err, &se)
}
