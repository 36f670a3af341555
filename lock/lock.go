package lock

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/respkit/redis"
)

// Errors returned by the package, to test with errors.Is.
var (
	// ErrNotOwned means the lock's key no longer holds this holder's
	// token: it expired, was deleted, or another holder took it.
	ErrNotOwned = errors.New("lock: not owned")
	// ErrNotAcquired means Acquire gave up: the lock stayed held by
	// someone else for Options.WaitTimeout, or for the one try made when
	// Options.NonBlocking is set.
	ErrNotAcquired = errors.New("lock: not acquired")
	// ErrHeld is returned by Acquire and TryAcquire on a Lock (or Redlock)
	// that already holds its lock: release it first.
	ErrHeld = errors.New("lock: already held by this holder")
	// ErrLost is the cause (context.Cause) of a holding's Context when the
	// lock was lost: renewal found the key gone or taken, or the validity
	// time ran out before the lock was extended.
	ErrLost = errors.New("lock: lost")
	// ErrReleased is the cause of a holding's Context after Release.
	ErrReleased = errors.New("lock: released")
)

// Options configure a Lock or a Redlock. The zero value works: a 30-second
// TTL, a blocking Acquire that waits as long as its context allows, a
// fresh random token for each acquisition, no renewal and no fencing.
type Options struct {
	// TTL is how long the lock lives unless extended: a holder that
	// crashes frees the lock after TTL. Millisecond resolution. Zero or
	// negative means 30 s.
	TTL time.Duration

	// NonBlocking makes Acquire try once and return ErrNotAcquired if the
	// lock is held, as TryAcquire does.
	NonBlocking bool
	// WaitTimeout bounds how long Acquire waits for a held lock before it
	// returns ErrNotAcquired. Zero means no bound other than the context.
	WaitTimeout time.Duration
	// Backoff returns the pause after the n-th failed try (n >= 1). nil
	// means redis.ExponentialBackoff(4ms, 128ms): full jitter, so
	// contending holders spread out. A Lock never sleeps past the moment
	// the lock's key is due to expire.
	Backoff func(n int) time.Duration

	// Token is the value stored in the key while the lock is held, which
	// proves ownership to Release, Extend and Reacquire. It must be unique
	// to one holder: two holders with the same token would both own the
	// lock. Empty (the default) means a fresh random 128-bit token, in
	// hex, for every acquisition.
	Token string

	// AutoRenew makes the holder extend the lock back to TTL every
	// RenewInterval, from a goroutine started by a successful Acquire and
	// stopped by Release, until the lock is lost. A renewal that finds the
	// lock gone cancels the holding's Context (cause ErrLost) at once; one
	// that fails for another reason (network, server down) is tried again
	// at the next interval, and the Context is cancelled when the validity
	// time runs out first.
	AutoRenew bool
	// RenewInterval is the time between renewals. Zero means TTL/3; it is
	// capped at TTL/2.
	RenewInterval time.Duration

	// Fencing makes each acquisition increment a counter in the same
	// script that sets the lock's key, and Fence return the new value: a
	// number that grows with every successful acquisition of the lock
	// name, which a storage system can use to reject writes from an older
	// holder. The counter lives at FenceKey and never expires. Not
	// supported by Redlock (see the package documentation).
	Fencing bool
	// FenceKey is the counter's key. Empty means one derived from the
	// lock's name so that both keys hash to the same cluster slot: name +
	// ":fence" when the name has a hash tag, "{" + name + "}:fence" when
	// it has none. See the package documentation.
	FenceKey string

	// DriftFactor is the allowance for clock drift between this process
	// and the servers, as a fraction of TTL: the validity time of an
	// acquisition is TTL minus the time spent acquiring minus
	// TTL·DriftFactor + 2 ms. Zero means 0.01.
	DriftFactor float64
}

func (o Options) withDefaults() Options {
	if o.TTL <= 0 {
		o.TTL = 30 * time.Second
	}
	if o.TTL < time.Millisecond {
		o.TTL = time.Millisecond
	}
	if o.Backoff == nil {
		o.Backoff = redis.ExponentialBackoff(4*time.Millisecond, 128*time.Millisecond)
	}
	if o.RenewInterval <= 0 {
		o.RenewInterval = o.TTL / 3
	}
	o.RenewInterval = min(o.RenewInterval, o.TTL/2)
	if o.DriftFactor <= 0 {
		o.DriftFactor = 0.01
	}
	return o
}

// drift is the clock-drift allowance subtracted from the validity time.
func (o Options) drift() time.Duration {
	return time.Duration(float64(o.TTL)*o.DriftFactor) + 2*time.Millisecond
}

// ms renders d as whole milliseconds, at least 1, for PX and PEXPIRE.
func ms(d time.Duration) int64 { return max(d.Milliseconds(), 1) }

// FenceKey returns the key of the fencing counter that a lock named name
// uses by default: name + ":fence" when name has a hash tag (a "{" followed
// later by a "}" with at least one byte between them), otherwise "{" + name
// + "}:fence". Either way the counter hashes to the same cluster slot as
// the lock's key. (A name without a valid hash tag that contains "}" cannot
// be wrapped; it gets name + ":fence", which may land in another slot: set
// Options.FenceKey, or give the name a hash tag.)
func FenceKey(name string) string {
	if i := strings.IndexByte(name, '{'); i >= 0 {
		if j := strings.IndexByte(name[i+1:], '}'); j > 0 {
			return name + ":fence"
		}
	}
	if strings.IndexByte(name, '}') >= 0 {
		return name + ":fence"
	}
	return "{" + name + "}:fence"
}

// newToken returns 128 random bits in hex.
func newToken() string {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand)
	return hex.EncodeToString(b[:])
}

// The scripts. KEYS[1] is the lock's key; ARGV[1] the holder's token.

// acquireScript sets the lock if it is free. With a second key it also
// increments the fencing counter there, in the same atomic step. When the
// key already holds the token (a repeat of an acquisition whose reply was
// lost), it resets the TTL and returns the counter as it stands: nobody
// else can have acquired in between, since that would have replaced the
// token. The reply is {1, fence} when acquired, {0, pttl} when not.
var acquireScript = redis.NewScript(`
local v = redis.call("GET", KEYS[1])
if v == false or v == ARGV[1] then
	redis.call("SET", KEYS[1], ARGV[1], "PX", ARGV[2])
	local fence = 0
	if #KEYS > 1 then
		if v == false then
			fence = redis.call("INCR", KEYS[2])
		else
			fence = tonumber(redis.call("GET", KEYS[2]) or "0")
		end
	end
	return {1, fence}
end
return {0, redis.call("PTTL", KEYS[1])}
`)

// releaseScript deletes the key if it holds the token: 1 if deleted, else
// 0.
var releaseScript = redis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then
	return redis.call("DEL", KEYS[1])
end
return 0
`)

// extendScript sets the key's TTL to ARGV[2] ms when ARGV[3] is "1",
// otherwise adds ARGV[2] ms to what is left, if the key holds the token.
// It returns the new TTL in ms, or -1 when the token does not match.
var extendScript = redis.NewScript(`
if redis.call("GET", KEYS[1]) ~= ARGV[1] then
	return -1
end
local ttl = tonumber(ARGV[2])
if ARGV[3] ~= "1" then
	local left = redis.call("PTTL", KEYS[1])
	if left > 0 then
		ttl = ttl + left
	end
end
redis.call("PEXPIRE", KEYS[1], ttl)
return ttl
`)

// Lock is a lock on one Redis key, for one holder: each process, goroutine
// or task that competes for the lock creates its own Lock with New. A
// Lock holds the lock at most once at a time; after Release, or once the
// lock is lost (Context cancelled with cause ErrLost), it can be acquired
// again.
//
// The methods are safe for concurrent use (Release may be called while
// another goroutine waits on Context), but Acquire and TryAcquire must
// not run concurrently on the same Lock.
type Lock struct {
	c     *redis.Client
	name  string
	fence string // fencing counter key; "" without fencing
	o     Options

	mu sync.Mutex // guards h
	// h is the current holding, nil when not held. A holding that was
	// lost stays here, ended, until the next Acquire, TryAcquire or
	// Release, so that Context reports the loss and Release or the next
	// acquisition can clear its key.
	h *holding

	err error // why the Lock cannot be used (bad arguments to New)
}

// New returns a Lock named name on the client c: the lock is the key
// name. Options are described at Options; their zero value works. New
// does no I/O. With a nil c or an empty name, every method that does I/O
// returns an error saying so.
func New(c *redis.Client, name string, o Options) *Lock {
	l := &Lock{c: c, name: name, o: o.withDefaults()}
	if c == nil || name == "" {
		l.err = errors.New("lock: New needs a client and a name")
	}
	if l.o.Fencing {
		l.fence = l.o.FenceKey
		if l.fence == "" {
			l.fence = FenceKey(name)
		}
	}
	return l
}

// Name returns the lock's name, which is its key.
func (l *Lock) Name() string { return l.name }

// current returns the current holding, or nil when the Lock does not hold
// the lock (never acquired, released, or lost).
func (l *Lock) current() *holding {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.h == nil || l.h.ended() {
		return nil
	}
	return l.h
}

// begin starts an acquisition: it returns ErrHeld when the Lock holds the
// lock, and otherwise detaches a lost holding, if any, and returns it.
func (l *Lock) begin() (lost *holding, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.h != nil {
		if !l.h.ended() {
			return nil, ErrHeld
		}
		lost, l.h = l.h, nil
	}
	return lost, nil
}

// clearLost deletes the key if it still holds the token of a lost holding
// (one whose validity ran out may still be on the server), so that the
// next acquisition is a new one: with a fixed Options.Token the acquire
// script would otherwise take it for a repeat and keep the old fencing
// token. With random tokens this only frees the key sooner, and a failure
// is ignored; with a fixed token a failure is returned, and the lost
// holding is kept for the next try.
func (l *Lock) clearLost(ctx context.Context, lost *holding) error {
	err := release(ctx, l.c, l.name, lost.token)
	if err == nil || errors.Is(err, ErrNotOwned) || l.o.Token == "" {
		return nil
	}
	l.mu.Lock()
	if l.h == nil {
		l.h = lost
	}
	l.mu.Unlock()
	return fmt.Errorf("lock: clearing the lost holding of %q: %w", l.name, err)
}

// Token returns the token of the current holding, or "" when the Lock
// does not hold the lock, including after the lock was lost.
func (l *Lock) Token() string {
	if h := l.current(); h != nil {
		return h.token
	}
	return ""
}

// Fence returns the fencing token of the current holding: the value of
// the lock's counter after this acquisition incremented it. It is 0
// without Options.Fencing or when the Lock does not hold the lock,
// including after the lock was lost. After a loss, the next acquisition
// gets a new, higher fencing token.
func (l *Lock) Fence() int64 {
	if h := l.current(); h != nil {
		return h.fence
	}
	return 0
}

// Context returns a context that is cancelled when the current holding
// ends: by Release (context.Cause is ErrReleased), or when the lock is
// lost (cause ErrLost) — found gone by a renewal, or its validity time
// passed without an Extend, Reacquire or renewal. Run the work the lock
// protects under it. It carries the values of the context given to
// Acquire, not its cancellation. After a loss it returns the lost
// holding's context (cause ErrLost) until the next Acquire, TryAcquire or
// Release. When the Lock does not hold the lock otherwise, it returns a
// context already cancelled with cause ErrNotOwned.
func (l *Lock) Context() context.Context {
	l.mu.Lock()
	h := l.h
	l.mu.Unlock()
	if h != nil {
		return h.ctx
	}
	return notHeldContext
}

var notHeldContext = func() context.Context {
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(ErrNotOwned)
	return ctx
}()

// ValidUntil returns when the current holding's validity ends, as this
// process's clock sees it with the drift allowance taken off, or the zero
// time when the Lock does not hold the lock (including after a loss).
func (l *Lock) ValidUntil() time.Time {
	if h := l.current(); h != nil {
		return h.validUntil()
	}
	return time.Time{}
}

// Acquire takes the lock, waiting while someone else holds it: it tries,
// then sleeps per Options.Backoff (never past the key's expiry) and tries
// again, until it succeeds, ctx ends (it returns ctx's error) or
// Options.WaitTimeout passes (ErrNotAcquired). With Options.NonBlocking it
// tries once. On a Lock that already holds the lock it returns ErrHeld.
//
// After the lock was lost (Context cancelled with cause ErrLost), the Lock
// no longer holds it and Acquire takes it anew: a new token (unless
// Options.Token is set) and a new, higher fencing token. It first deletes
// the key if it still holds the lost holding's token.
//
// A try whose connection fails after sending is repeated (acquiring is
// idempotent per token). If the outcome stays unknown, or ctx ends while
// a try is in flight, Acquire returns the error at once and a background
// goroutine finds out what happened and releases the lock if the try took
// it, so no lock is left behind for the TTL.
func (l *Lock) Acquire(ctx context.Context) error {
	if l.err != nil {
		return l.err
	}
	if lost, err := l.begin(); err != nil {
		return err
	} else if lost != nil {
		if err := l.clearLost(ctx, lost); err != nil {
			return err
		}
	}
	var deadline <-chan time.Time
	if l.o.WaitTimeout > 0 && !l.o.NonBlocking {
		t := time.NewTimer(l.o.WaitTimeout)
		defer t.Stop()
		deadline = t.C
	}
	for n := 1; ; n++ {
		ok, pttl, err := l.try(ctx)
		if ok || err != nil {
			return err
		}
		if l.o.NonBlocking {
			return ErrNotAcquired
		}
		pause := l.o.Backoff(n)
		if pttl > 0 {
			pause = min(pause, pttl)
		}
		t := time.NewTimer(pause)
		select {
		case <-t.C:
		case <-deadline:
			t.Stop()
			return ErrNotAcquired
		case <-ctx.Done():
			t.Stop()
			return context.Cause(ctx)
		}
	}
}

// TryAcquire tries to take the lock once, without waiting. It returns
// false and a nil error when someone else holds it, and ErrHeld when this
// Lock already does. Unknown outcomes, and a Lock whose lock was lost,
// are handled as in Acquire.
func (l *Lock) TryAcquire(ctx context.Context) (bool, error) {
	if l.err != nil {
		return false, l.err
	}
	if lost, err := l.begin(); err != nil {
		return false, err
	} else if lost != nil {
		if err := l.clearLost(ctx, lost); err != nil {
			return false, err
		}
	}
	ok, _, err := l.try(ctx)
	return ok, err
}

// try runs the acquire script once. It returns whether the lock was taken
// and, when not, the key's remaining TTL.
func (l *Lock) try(ctx context.Context) (bool, time.Duration, error) {
	if err := ctx.Err(); err != nil {
		return false, 0, context.Cause(ctx)
	}
	token := l.o.Token
	if token == "" {
		token = newToken()
	}
	keys := []string{l.name}
	if l.fence != "" {
		keys = append(keys, l.fence)
	}
	start := time.Now()
	type outcome struct {
		ok  bool
		n   int64
		err error
	}
	run := func(rctx context.Context) outcome {
		// Acquiring is idempotent per token, so the client may repeat a
		// try whose reply was lost.
		res, err := acquireScript.Run(redis.Idempotent(rctx), l.c, keys, token, ms(l.o.TTL))
		ok, n, err := parsePair(res, err)
		return outcome{ok: ok, n: n, err: err}
	}
	var out outcome
	if ctx.Done() == nil {
		out = run(ctx)
	} else {
		// Run the script detached from ctx, so that if ctx ends while it
		// is in flight we still learn whether it took the lock.
		ch := make(chan outcome, 1)
		go func() { ch <- run(context.WithoutCancel(ctx)) }()
		select {
		case out = <-ch:
		case <-ctx.Done():
			go func() {
				if o := <-ch; o.ok || (o.err != nil && redis.MayHaveRun(o.err)) {
					l.cleanup(ctx, token)
				}
			}()
			return false, 0, context.Cause(ctx)
		}
	}
	if out.err != nil {
		if redis.MayHaveRun(out.err) {
			go l.cleanup(ctx, token)
		}
		return false, 0, fmt.Errorf("lock: acquiring %q: %w", l.name, out.err)
	}
	if !out.ok {
		return false, time.Duration(out.n) * time.Millisecond, nil
	}
	h := newHolding(ctx, token, out.n, start.Add(l.o.TTL-l.o.drift()))
	l.mu.Lock()
	l.h = h
	l.mu.Unlock()
	if l.o.AutoRenew {
		go h.renew(l.o.RenewInterval, func(ctx context.Context) (time.Time, bool, error) {
			start := time.Now()
			ttl, err := l.extend(ctx, token, l.o.TTL, true)
			return start.Add(ttl - l.o.drift()), errors.Is(err, ErrNotOwned), err
		})
	}
	return true, 0, nil
}

// cleanup releases a lock that an abandoned or failed try may have taken,
// in the background, bounded by the TTL (after which the key expires by
// itself).
func (l *Lock) cleanup(ctx context.Context, token string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), l.o.TTL)
	defer cancel()
	_, _ = releaseScript.Run(redis.Idempotent(ctx), l.c, []string{l.name}, token)
}

// intReply reads a script's integer reply.
func intReply(res redis.Result, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	return res.Int64()
}

// parsePair reads the acquire script's {flag, number} reply.
func parsePair(res redis.Result, err error) (bool, int64, error) {
	if err != nil {
		return false, 0, err
	}
	vals, err := res.Slice()
	if err != nil {
		return false, 0, err
	}
	if len(vals) != 2 {
		return false, 0, fmt.Errorf("lock: acquire script replied with %d values, want 2", len(vals))
	}
	return vals[0].Int() == 1, vals[1].Int(), nil
}

// Release deletes the lock's key if it still holds this holder's token,
// in one atomic script, stops the renewal and cancels Context with cause
// ErrReleased. It returns ErrNotOwned when the key no longer holds the
// token (the lock expired or was taken: the work it protected may have
// overlapped with another holder's), or when the Lock does not hold the
// lock. The holding ends whatever Release returns. After a loss, Release
// still deletes the key if it holds the lost holding's token (a holding
// whose validity ran out may still be on the server), and returns nil if
// it did, ErrNotOwned otherwise.
//
// If the connection fails after the script was sent, Release sends it
// again; if that finds the key gone, Release cannot tell whether the
// first attempt deleted it, and returns an error wrapping
// redis.ErrOutcomeUnknown rather than ErrNotOwned.
func (l *Lock) Release(ctx context.Context) error {
	if l.err != nil {
		return l.err
	}
	l.mu.Lock()
	h := l.h
	l.h = nil
	l.mu.Unlock()
	if h == nil {
		return ErrNotOwned
	}
	h.end(ErrReleased)
	return release(ctx, l.c, l.name, h.token)
}

// release runs the release script, repeating it once after an unknown
// outcome.
func release(ctx context.Context, c *redis.Client, key, token string) error {
	n, err := releaseScript.Run(ctx, c, []string{key}, token)
	var unknown error
	if err != nil && errors.Is(err, redis.ErrOutcomeUnknown) {
		unknown = err
		n, err = releaseScript.Run(ctx, c, []string{key}, token)
	}
	if err != nil {
		return fmt.Errorf("lock: releasing %q: %w", key, err)
	}
	deleted, err := n.Int64()
	switch {
	case err != nil:
		return fmt.Errorf("lock: releasing %q: %w", key, err)
	case deleted == 1:
		return nil
	case unknown != nil:
		return fmt.Errorf("lock: %q is not held, but whether Release or expiry freed it is unknown: %w", key, unknown)
	}
	return ErrNotOwned
}

// Extend prolongs the current holding if the key still holds its token:
// with replaceTTL the lock's TTL becomes by, otherwise by is added to the
// time it has left. It moves the validity time (and Context's end)
// accordingly. It returns ErrNotOwned when the token no longer matches or
// the Lock does not hold the lock (including after a loss), and cancels
// Context with cause ErrLost in the first case.
//
// With replaceTTL the call is idempotent and repeated after a lost reply;
// without, an unknown outcome is returned as an error wrapping
// redis.ErrOutcomeUnknown (the TTL may or may not have grown).
func (l *Lock) Extend(ctx context.Context, by time.Duration, replaceTTL bool) error {
	if l.err != nil {
		return l.err
	}
	h := l.current()
	if h == nil {
		return ErrNotOwned
	}
	start := time.Now()
	ttl, err := l.extend(ctx, h.token, by, replaceTTL)
	if errors.Is(err, ErrNotOwned) {
		h.end(ErrLost)
		return err
	}
	if err != nil {
		return err
	}
	h.setValidUntil(start.Add(ttl - l.o.drift()))
	return nil
}

// Reacquire resets the lock's TTL to Options.TTL if the key still holds
// the token, as Extend(ctx, TTL, true) does.
func (l *Lock) Reacquire(ctx context.Context) error {
	if l.err != nil {
		return l.err
	}
	return l.Extend(ctx, l.o.TTL, true)
}

// extend runs the extend script and returns the TTL it set.
func (l *Lock) extend(ctx context.Context, token string, by time.Duration, replace bool) (time.Duration, error) {
	flag := "0"
	if replace {
		flag = "1"
		ctx = redis.Idempotent(ctx)
	}
	n, err := intReply(extendScript.Run(ctx, l.c, []string{l.name}, token, ms(by), flag))
	if err == nil && n < 0 {
		return 0, ErrNotOwned
	}
	if err != nil {
		return 0, fmt.Errorf("lock: extending %q: %w", l.name, err)
	}
	return time.Duration(n) * time.Millisecond, nil
}

// Owned reports whether the lock's key holds this holder's token: false
// when the Lock does not hold the lock (including after a loss).
func (l *Lock) Owned(ctx context.Context) (bool, error) {
	if l.err != nil {
		return false, l.err
	}
	h := l.current()
	if h == nil {
		return false, nil
	}
	v, err := l.c.Get(ctx, l.name)
	if errors.Is(err, redis.ErrNil) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return v == h.token, nil
}

// Locked reports whether anyone holds the lock (its key exists).
func (l *Lock) Locked(ctx context.Context) (bool, error) {
	if l.err != nil {
		return false, l.err
	}
	n, err := l.c.Exists(ctx, l.name)
	return n > 0, err
}

// TTL returns the time the lock's key has left, whoever holds it, with
// millisecond resolution: 0 when nobody holds the lock, redis.NoExpiry
// when the key has no expiry (someone removed it outside this package).
func (l *Lock) TTL(ctx context.Context) (time.Duration, error) {
	if l.err != nil {
		return 0, l.err
	}
	d, err := l.c.PTTL(ctx, l.name)
	if errors.Is(err, redis.ErrNil) {
		return 0, nil
	}
	return d, err
}
