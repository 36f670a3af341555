package lock

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/respkit/redis"
)

// RedlockOptions configure a Redlock: the Options of a single lock, plus
// the bound on each call to one node. Options.Fencing must be false.
type RedlockOptions struct {
	Options
	// NodeTimeout bounds each call to one node, so that a node that is
	// down or slow costs little of the validity time. Zero means TTL/20,
	// at least 50 ms and at most 1 s.
	NodeTimeout time.Duration
}

// Redlock is a lock held on a majority of N independent Redis primaries
// (the Redlock algorithm): see the package documentation for what it does
// and does not guarantee. Like Lock, a Redlock is one holder; its methods
// are safe for concurrent use, except that Acquire and TryAcquire must not
// run concurrently on the same Redlock.
type Redlock struct {
	clients []*redis.Client
	name    string
	o       Options
	timeout time.Duration // per-node call bound
	quorum  int

	mu sync.Mutex // guards h
	// h is the current holding, nil when not held; a lost holding stays
	// here, ended, until the next Acquire, TryAcquire or Release (as in
	// Lock).
	h *holding

	err error // why the Redlock cannot be used (bad arguments to NewRedlock)
}

// NewRedlock returns a Redlock named name (the key on every node) over
// clients, one per independent primary; an odd number, usually 5, is best.
// It does no I/O. With no clients, a nil client or an empty name, or with
// o.Fencing set (counters on independent nodes cannot give a fencing token
// that grows across holders), every method that does I/O returns an error
// saying so.
func NewRedlock(clients []*redis.Client, name string, o RedlockOptions) *Redlock {
	r := &Redlock{
		clients: append([]*redis.Client(nil), clients...),
		name:    name,
		o:       o.Options.withDefaults(),
		quorum:  len(clients)/2 + 1,
	}
	switch {
	case len(clients) == 0 || name == "":
		r.err = errors.New("lock: NewRedlock needs clients and a name")
	case slices.Contains(clients, nil):
		r.err = errors.New("lock: NewRedlock: nil client")
	case o.Fencing:
		r.err = errors.New("lock: Redlock does not support fencing tokens")
	}
	r.timeout = o.NodeTimeout
	if r.timeout <= 0 {
		r.timeout = min(max(r.o.TTL/20, 50*time.Millisecond), time.Second)
	}
	return r
}

// Name returns the lock's name, its key on every node.
func (r *Redlock) Name() string { return r.name }

// Quorum returns how many nodes must agree: a majority, len(clients)/2+1.
func (r *Redlock) Quorum() int { return r.quorum }

// current returns the current holding, or nil when not held (never
// acquired, released, or lost).
func (r *Redlock) current() *holding {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.h == nil || r.h.ended() {
		return nil
	}
	return r.h
}

// begin starts an acquisition: ErrHeld when the Redlock holds the lock;
// otherwise it detaches a lost holding and deletes its token on every node
// that still has it (best effort: the token is random, or if fixed, a node
// keeping it is simply acquired again).
func (r *Redlock) begin(ctx context.Context) error {
	r.mu.Lock()
	lost := r.h
	if lost != nil && !lost.ended() {
		r.mu.Unlock()
		return ErrHeld
	}
	r.h = nil
	r.mu.Unlock()
	if lost != nil {
		r.releaseAll(ctx, lost.token)
	}
	return nil
}

// Token returns the token of the current holding, or "" when not held
// (including after a loss).
func (r *Redlock) Token() string {
	if h := r.current(); h != nil {
		return h.token
	}
	return ""
}

// Context returns a context cancelled when the current holding ends, as
// Lock.Context does: by Release (cause ErrReleased), or when the validity
// time runs out without a successful Extend or renewal, or a renewal finds
// that a majority no longer holds the token (cause ErrLost). After a loss
// it returns the lost holding's context until the next Acquire, TryAcquire
// or Release.
func (r *Redlock) Context() context.Context {
	r.mu.Lock()
	h := r.h
	r.mu.Unlock()
	if h != nil {
		return h.ctx
	}
	return notHeldContext
}

// ValidUntil returns the end of the current holding's validity time on
// this process's clock (TTL minus the time the acquisition took, minus
// the drift allowance), or the zero time when not held (including after a
// loss).
func (r *Redlock) ValidUntil() time.Time {
	if h := r.current(); h != nil {
		return h.validUntil()
	}
	return time.Time{}
}

// nodeResult is one node's answer in a round.
type nodeResult struct {
	ok  bool  // acquired, extended or released
	n   int64 // acquire: remaining TTL when held by another; extend: -1 when not owned
	err error
}

// each runs fn on every node at once, each call bounded by the node
// timeout and detached from ctx's cancellation (so its outcome is known),
// and returns the answers in client order.
func (r *Redlock) each(ctx context.Context, fn func(ctx context.Context, c *redis.Client) nodeResult) []nodeResult {
	out := make([]nodeResult, len(r.clients))
	var wg sync.WaitGroup
	for i, c := range r.clients {
		wg.Go(func() {
			nctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.timeout)
			defer cancel()
			out[i] = fn(nctx, c)
		})
	}
	wg.Wait()
	return out
}

// releaseAll deletes the key on every node where it holds token and
// returns the number of nodes that deleted it and the errors met.
func (r *Redlock) releaseAll(ctx context.Context, token string) (int, []error) {
	res := r.each(ctx, func(ctx context.Context, c *redis.Client) nodeResult {
		n, err := intReply(releaseScript.Run(redis.Idempotent(ctx), c, []string{r.name}, token))
		return nodeResult{ok: n == 1, err: err}
	})
	deleted := 0
	var errs []error
	for i, x := range res {
		if x.ok {
			deleted++
		}
		if x.err != nil {
			errs = append(errs, fmt.Errorf("node %d: %w", i, x.err))
		}
	}
	return deleted, errs
}

// round is the outcome of one acquisition round.
type round struct {
	ok    bool
	h     *holding
	token string
	wait  time.Duration // shortest remaining TTL among nodes held by others
	err   error         // why a round failed, when nodes failed
}

// round makes one attempt: set the key on every node, count the
// successes, and keep the lock only with a majority and validity time
// left; otherwise release it everywhere.
func (r *Redlock) round(ctx context.Context) round {
	token := r.o.Token
	if token == "" {
		token = newToken()
	}
	start := time.Now()
	res := r.each(ctx, func(ctx context.Context, c *redis.Client) nodeResult {
		v, err := acquireScript.Run(redis.Idempotent(ctx), c, []string{r.name}, token, ms(r.o.TTL))
		ok, n, err := parsePair(v, err)
		return nodeResult{ok: ok, n: n, err: err}
	})
	validity := r.o.TTL - time.Since(start) - r.o.drift()
	got := 0
	var wait time.Duration
	var errs []error
	for i, x := range res {
		switch {
		case x.err != nil:
			errs = append(errs, fmt.Errorf("node %d: %w", i, x.err))
		case x.ok:
			got++
		case x.n > 0:
			d := time.Duration(x.n) * time.Millisecond
			if wait == 0 || d < wait {
				wait = d
			}
		}
	}
	if got >= r.quorum && validity > 0 {
		return round{ok: true, token: token, h: newHolding(ctx, token, 0, start.Add(validity))}
	}
	r.releaseAll(ctx, token)
	var err error
	if len(errs) > 0 {
		err = fmt.Errorf("lock: redlock %q: %d of %d nodes agreed, %d needed: %w", r.name, got, len(r.clients), r.quorum, errors.Join(errs...))
	}
	return round{token: token, wait: wait, err: err}
}

// try runs a round, returning at once if ctx ends meanwhile (a background
// goroutine then releases whatever the round took).
func (r *Redlock) try(ctx context.Context) round {
	if err := ctx.Err(); err != nil {
		return round{err: context.Cause(ctx)}
	}
	var rd round
	if ctx.Done() == nil {
		rd = r.round(ctx)
	} else {
		ch := make(chan round, 1)
		go func() { ch <- r.round(ctx) }()
		select {
		case rd = <-ch:
		case <-ctx.Done():
			go func() {
				if rd := <-ch; rd.ok {
					rd.h.end(ErrReleased)
					r.releaseAll(ctx, rd.token)
				}
			}()
			return round{err: context.Cause(ctx)}
		}
	}
	if rd.ok {
		r.mu.Lock()
		r.h = rd.h
		r.mu.Unlock()
		if r.o.AutoRenew {
			go rd.h.renew(r.o.RenewInterval, func(ctx context.Context) (time.Time, bool, error) {
				return r.extend(ctx, rd.token, r.o.TTL)
			})
		}
	}
	return rd
}

// Acquire takes the lock on a majority of the nodes, waiting while it is
// held elsewhere: after each failed round it releases the key on every
// node, sleeps per Options.Backoff (jittered by default) and tries again,
// until it succeeds, ctx ends, or Options.WaitTimeout passes. When it
// gives up it returns ErrNotAcquired, wrapping the node errors of the last
// round if there were any; when ctx ends it returns ctx's error promptly
// and releases in the background whatever the round in flight took.
//
// After the lock was lost (Context cancelled with cause ErrLost), the
// Redlock no longer holds it: Acquire first deletes the lost holding's
// token on every node that still has it, then takes the lock anew.
func (r *Redlock) Acquire(ctx context.Context) error {
	if r.err != nil {
		return r.err
	}
	if err := r.begin(ctx); err != nil {
		return err
	}
	var deadline <-chan time.Time
	if r.o.WaitTimeout > 0 && !r.o.NonBlocking {
		t := time.NewTimer(r.o.WaitTimeout)
		defer t.Stop()
		deadline = t.C
	}
	for n := 1; ; n++ {
		rd := r.try(ctx)
		if rd.ok {
			return nil
		}
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		giveUp := func() error {
			if rd.err != nil {
				return fmt.Errorf("%w: %w", ErrNotAcquired, rd.err)
			}
			return ErrNotAcquired
		}
		if r.o.NonBlocking {
			return giveUp()
		}
		pause := r.o.Backoff(n)
		if rd.wait > 0 {
			pause = min(pause, rd.wait)
		}
		t := time.NewTimer(pause)
		select {
		case <-t.C:
		case <-deadline:
			t.Stop()
			return giveUp()
		case <-ctx.Done():
			t.Stop()
			return context.Cause(ctx)
		}
	}
}

// TryAcquire makes one round. It returns false and a nil error when the
// lock is held elsewhere, false and an error wrapping ErrNotAcquired when
// nodes failed so that no majority was reached, and ErrHeld when this
// Redlock already holds the lock. After a loss it behaves as Acquire.
func (r *Redlock) TryAcquire(ctx context.Context) (bool, error) {
	if r.err != nil {
		return false, r.err
	}
	if err := r.begin(ctx); err != nil {
		return false, err
	}
	rd := r.try(ctx)
	if rd.err != nil && ctx.Err() == nil {
		return false, fmt.Errorf("%w: %w", ErrNotAcquired, rd.err)
	}
	return rd.ok, rd.err
}

// Release deletes the key on every node where it still holds the token,
// stops the renewal and cancels Context with cause ErrReleased. It returns
// nil when a majority deleted it, ErrNotOwned when fewer did and every
// node answered (the lock had expired or been taken), and the node errors
// otherwise. The holding ends whatever Release returns.
func (r *Redlock) Release(ctx context.Context) error {
	if r.err != nil {
		return r.err
	}
	r.mu.Lock()
	h := r.h
	r.h = nil
	r.mu.Unlock()
	if h == nil {
		return ErrNotOwned
	}
	h.end(ErrReleased)
	deleted, errs := r.releaseAll(ctx, h.token)
	switch {
	case deleted >= r.quorum:
		return nil
	case len(errs) > 0:
		return fmt.Errorf("lock: redlock %q released on %d of %d nodes: %w", r.name, deleted, len(r.clients), errors.Join(errs...))
	}
	return ErrNotOwned
}

// Extend sets the lock's TTL to ttl on every node that still holds the
// token. It succeeds when a majority did within the new validity time
// (ttl minus the time taken minus the drift allowance), which it then
// applies to Context. It returns ErrNotOwned, and ends the holding with
// cause ErrLost, when too many nodes answered that they no longer hold
// the token for a majority to be possible; otherwise a failure returns
// the node errors and leaves the holding to its current validity time.
func (r *Redlock) Extend(ctx context.Context, ttl time.Duration) error {
	if r.err != nil {
		return r.err
	}
	h := r.current()
	if h == nil {
		return ErrNotOwned
	}
	until, lost, err := r.extend(ctx, h.token, ttl)
	if lost {
		h.end(ErrLost)
		return ErrNotOwned
	}
	if err != nil {
		return err
	}
	h.setValidUntil(until)
	return nil
}

// extend runs the extend script on every node and returns the new end of
// validity, whether the lock is lost for sure, and an error.
func (r *Redlock) extend(ctx context.Context, token string, ttl time.Duration) (time.Time, bool, error) {
	start := time.Now()
	res := r.each(ctx, func(ctx context.Context, c *redis.Client) nodeResult {
		n, err := intReply(extendScript.Run(redis.Idempotent(ctx), c, []string{r.name}, token, ms(ttl), "1"))
		return nodeResult{ok: err == nil && n >= 0, n: n, err: err}
	})
	validity := ttl - time.Since(start) - r.o.drift()
	got, refused := 0, 0
	var errs []error
	for i, x := range res {
		switch {
		case x.err != nil:
			errs = append(errs, fmt.Errorf("node %d: %w", i, x.err))
		case x.ok:
			got++
		default:
			refused++
		}
	}
	switch {
	case got >= r.quorum && validity > 0:
		return start.Add(validity), false, nil
	case len(r.clients)-refused < r.quorum:
		return time.Time{}, true, ErrNotOwned
	case len(errs) == 0:
		return time.Time{}, false, fmt.Errorf("lock: redlock %q: extending took longer than the new TTL %v", r.name, ttl)
	}
	return time.Time{}, false, fmt.Errorf("lock: redlock %q extended on %d of %d nodes, %d needed: %w", r.name, got, len(r.clients), r.quorum, errors.Join(errs...))
}
