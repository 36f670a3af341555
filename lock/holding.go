package lock

import (
	"context"
	"sync"
	"time"
)

// holding is one acquisition of a lock, from Acquire to Release or loss:
// its token and fencing token, the context cancelled when it ends, and
// the timer that ends it when the validity time runs out.
type holding struct {
	token  string
	fence  int64
	ctx    context.Context
	cancel context.CancelCauseFunc
	stop   chan struct{} // closed when the holding ends
	once   sync.Once     // ends the holding once

	mu    sync.Mutex // guards until and timer
	until time.Time  // end of validity on the local clock
	timer *time.Timer
}

// newHolding starts a holding valid until until. Its context keeps
// parent's values but not its cancellation.
func newHolding(parent context.Context, token string, fence int64, until time.Time) *holding {
	ctx, cancel := context.WithCancelCause(context.WithoutCancel(parent))
	h := &holding{token: token, fence: fence, ctx: ctx, cancel: cancel, stop: make(chan struct{}), until: until}
	h.mu.Lock()
	h.timer = time.AfterFunc(time.Until(until), h.expire)
	h.mu.Unlock()
	return h
}

// expire runs when the validity timer fires: it ends the holding unless
// the validity was moved meanwhile.
func (h *holding) expire() {
	h.mu.Lock()
	left := time.Until(h.until)
	if left > 0 {
		h.timer.Reset(left)
	}
	h.mu.Unlock()
	if left <= 0 {
		h.end(ErrLost)
	}
}

func (h *holding) validUntil() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.until
}

// setValidUntil moves the end of validity (forward after a renewal, or
// backward after an Extend to a shorter TTL).
func (h *holding) setValidUntil(t time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.until = t
	h.timer.Reset(time.Until(t))
}

// ended reports whether the holding has ended (released or lost).
func (h *holding) ended() bool {
	select {
	case <-h.stop:
		return true
	default:
		return false
	}
}

// end finishes the holding with the given cause; later calls do nothing.
// The holding counts as ended (Token "", ValidUntil zero) before its
// context is cancelled, so that whoever sees the cancellation sees the
// lock no longer held.
func (h *holding) end(cause error) {
	h.once.Do(func() {
		h.mu.Lock()
		h.timer.Stop()
		h.mu.Unlock()
		close(h.stop)
		h.cancel(cause)
	})
}

// renewFunc extends the lock once. It returns the new end of validity,
// whether the lock was found lost, and an error.
type renewFunc func(ctx context.Context) (until time.Time, lost bool, err error)

// renew extends the lock every interval until the holding ends. A renewal
// that finds the lock lost ends the holding with ErrLost at once; one
// that fails otherwise is tried again at the next tick, and the validity
// timer ends the holding if none succeeds in time. Each call is bounded by
// the validity left, since a later success could not save the holding.
func (h *holding) renew(interval time.Duration, fn renewFunc) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-h.stop:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithDeadline(h.ctx, h.validUntil())
		until, lost, err := fn(ctx)
		cancel()
		switch {
		case lost:
			h.end(ErrLost)
			return
		case err == nil:
			h.setValidUntil(until)
		}
	}
}
