package redis

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/respkit/redis/internal/conn"
	"github.com/respkit/redis/resp"
)

// RetryPolicy says when and how a failed command is tried again. The zero
// value makes up to 3 attempts with ExponentialBackoff(8ms, 512ms).
//
// A command is retried when it certainly did not run (the connection
// could not be made, or failed before the command was written), when the
// server refused it for a passing reason (LOADING, TRYAGAIN, BUSY,
// MASTERDOWN, CLUSTERDOWN), or when it is safe to repeat: read-only per
// the command table, or marked with Idempotent. A command that may or may
// not have run is otherwise never repeated: the caller gets an error
// wrapping ErrOutcomeUnknown.
type RetryPolicy struct {
	// MaxAttempts is the most times a command is sent, counting the first.
	// 0 means 3; 1 turns retries off.
	MaxAttempts int
	// Backoff returns the pause before attempt n+1, given the n attempts
	// made so far (n >= 1). nil means ExponentialBackoff(8ms, 512ms).
	Backoff func(attempts int) time.Duration
	// RetryTimeouts makes commands safe to repeat (read-only or under
	// Idempotent) be retried after a read timeout too. By default they are
	// not: a timeout says the server is slow or stuck, and repeating the
	// command would only add to its load and multiply the caller's wait.
	RetryTimeouts bool
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = 3
	}
	if p.Backoff == nil {
		p.Backoff = ExponentialBackoff(8*time.Millisecond, 512*time.Millisecond)
	}
	return p
}

// ExponentialBackoff returns a backoff that doubles from base up to limit,
// with full jitter: each pause is drawn uniformly from [0, base·2^(n-1)],
// capped at limit, so that many clients retrying at once spread out.
func ExponentialBackoff(base, limit time.Duration) func(int) time.Duration {
	return func(n int) time.Duration {
		d := base
		for i := 1; i < n && d < limit; i++ {
			d *= 2
		}
		d = min(d, limit)
		if d <= 0 {
			return 0
		}
		return rand.N(d + 1)
	}
}

// ConstantBackoff returns a backoff that always pauses d.
func ConstantBackoff(d time.Duration) func(int) time.Duration {
	return func(int) time.Duration { return d }
}

// NoBackoff retries at once.
func NoBackoff(int) time.Duration { return 0 }

type retryKey struct{}

type retryOverride int

const (
	retryIdempotent retryOverride = iota + 1
	retryNever
)

// Idempotent returns a context under which commands count as safe to
// repeat even when a connection failure leaves their outcome unknown (for
// example SET of a fixed value). It overrides the command table.
func Idempotent(ctx context.Context) context.Context {
	return context.WithValue(ctx, retryKey{}, retryIdempotent)
}

// NoRetry returns a context under which commands are sent once, never
// retried.
func NoRetry(ctx context.Context) context.Context {
	return context.WithValue(ctx, retryKey{}, retryNever)
}

func override(ctx context.Context) retryOverride {
	o, _ := ctx.Value(retryKey{}).(retryOverride)
	return o
}

// decide classifies a failure after the given number of attempts. It
// returns whether to try again and the error to report otherwise (an
// unknown outcome becomes an *OutcomeUnknownError).
func (p RetryPolicy) decide(ctx context.Context, cmd *Cmd, err error, attempts int) (bool, error) {
	var ce *conn.Error
	isConnErr := errors.As(err, &ce)
	// Read-only commands and those the caller marked may be repeated
	// whatever happened; others only when they were never sent. Any other
	// failure after sending is an unknown outcome, whatever ends the call
	// (a cut connection, Close, a timeout, the context).
	repeatable := cmd.flags&FlagReadonly != 0 || override(ctx) == retryIdempotent
	if isConnErr && ce.Sent && !repeatable {
		err = &OutcomeUnknownError{Command: cmd.name, Err: err}
	}
	if ctx.Err() != nil || errors.Is(err, ErrClosed) || errors.Is(err, ErrPoolTimeout) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false, err
	}
	// A reply over the limits, or one that is not RESP, would come back
	// the same way: report it.
	limitOrProtocol := errors.Is(err, resp.ErrLimit) || errors.Is(err, resp.ErrProtocol)
	var se *Error
	safe := false
	switch {
	case isConnErr:
		safe = !ce.Sent || repeatable && (p.RetryTimeouts || !ce.Timeout())
	case errors.As(err, &se):
		switch se.Code() {
		case "LOADING", "TRYAGAIN", "BUSY", "MASTERDOWN", "CLUSTERDOWN":
			safe = true // refused without running
		}
	}
	if !safe || limitOrProtocol || attempts >= p.MaxAttempts || override(ctx) == retryNever {
		return false, err
	}
	return true, err
}

// sleep waits out the backoff after the given attempts, or until ctx ends.
func (p RetryPolicy) sleep(ctx context.Context, attempts int) error {
	d := p.Backoff(attempts)
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
