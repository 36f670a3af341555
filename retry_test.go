package redis

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/respkit/redis/internal/conn"
	"github.com/respkit/redis/resp"
)

func TestExponentialBackoff(t *testing.T) {
	b := ExponentialBackoff(10*time.Millisecond, 80*time.Millisecond)
	caps := []time.Duration{10, 20, 40, 80, 80, 80}
	for n, limit := range caps {
		limit *= time.Millisecond
		var maxSeen time.Duration
		for range 500 {
			d := b(n + 1)
			if d < 0 || d > limit {
				t.Fatalf("attempt %d: backoff %v outside [0, %v]", n+1, d, limit)
			}
			maxSeen = max(maxSeen, d)
		}
		if maxSeen < limit/2 {
			t.Errorf("attempt %d: no jitter reached past %v (max %v)", n+1, limit/2, maxSeen)
		}
	}
	if ConstantBackoff(7*time.Millisecond)(5) != 7*time.Millisecond || NoBackoff(3) != 0 {
		t.Error("constant or no backoff wrong")
	}
}

func TestRetryDecisions(t *testing.T) {
	p := RetryPolicy{}.withDefaults()
	ctx := context.Background()
	read := &Cmd{name: "GET", flags: FlagReadonly}
	write := &Cmd{name: "INCR", flags: FlagWrite}
	notSent := &conn.Error{Op: "dial", Err: errors.New("refused")}
	sent := &conn.Error{Op: "read", Err: errors.New("reset"), Sent: true}
	cases := []struct {
		name    string
		ctx     context.Context
		cmd     *Cmd
		err     error
		retry   bool
		unknown bool
	}{
		{"write not sent", ctx, write, notSent, true, false},
		{"write sent", ctx, write, sent, false, true},
		{"read sent", ctx, read, sent, true, false},
		{"idempotent write sent", Idempotent(ctx), write, sent, true, false},
		{"no retry read", NoRetry(ctx), read, notSent, false, false},
		{"LOADING", ctx, write, &Error{Msg: "LOADING Redis is loading"}, true, false},
		{"BUSY", ctx, write, &Error{Msg: "BUSY Redis is busy"}, true, false},
		{"WRONGTYPE", ctx, write, &Error{Msg: "WRONGTYPE Operation"}, false, false},
		{"pool timeout", ctx, read, &PoolTimeoutError{}, false, false},
		{"closed", ctx, read, ErrClosed, false, false},
		{"reply over limit", ctx, read, &conn.Error{Op: "read", Err: resp.ErrLimit, Sent: true}, false, false},
	}
	for _, c := range cases {
		retry, err := p.decide(c.ctx, c.cmd, c.err, 1)
		if retry != c.retry || errors.Is(err, ErrOutcomeUnknown) != c.unknown {
			t.Errorf("%s: retry=%v unknown=%v (%v), want retry=%v unknown=%v", c.name, retry, errors.Is(err, ErrOutcomeUnknown), err, c.retry, c.unknown)
		}
	}
	if retry, _ := p.decide(ctx, read, notSent, p.MaxAttempts); retry {
		t.Error("retried past MaxAttempts")
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if retry, _ := p.decide(cctx, read, notSent, 1); retry {
		t.Error("retried after the context ended")
	}
}
