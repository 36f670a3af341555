// Package stalecheck is test support for client-side caching: it looks
// for stale reads while a topology's faults run. Writers SET increasing
// versions of a few keys, readers read them through a cache, and a read is
// stale when it returns a version older than one whose write was
// acknowledged more than Grace before the read began.
//
// It knows nothing of the client: the tests give it functions that write,
// read through the cache and read the server.
package stalecheck

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Grace is how long after a write is acknowledged a cached read may still
// return the value before it (the invalidation on its way).
const Grace = 100 * time.Millisecond

// Config is what a Checker runs.
type Config struct {
	Keys []string
	// Write sets key to val; acked says whether the write counts as
	// acknowledged (began is when the writer started it).
	Write func(ctx context.Context, key, val string, began time.Time) (acked bool, err error)
	// Get reads key through the cache. A read that reaches a server says
	// so with MarkSent on its context (a Command hook of the client); one
	// that does not was answered from the cache.
	Get func(ctx context.Context, key string) (string, error)
	// Missing is what Get returns for a key that does not exist (matched
	// with errors.Is).
	Missing error
	// Server reads key on the server, without the cache, for the report
	// of a stale read.
	Server func(ctx context.Context, key string) (string, error)
	// Stats describes the cache, for the report.
	Stats func() string
	// Readers is the number of reading goroutines; 0 means 4.
	Readers int
}

// Checker runs one writer per key and the readers until End.
type Checker struct {
	cfg   Config
	quiet atomic.Pointer[map[string]bool]

	log *Log // the writes, and the judge of the reads

	mu       sync.Mutex // guards the fields below
	writes   int
	unacked  int
	hits     int
	errs     int
	samples  []string
	mark     time.Time // first hits, reads and acknowledged writes after mark are recorded
	firstHit map[string]time.Time
	firstOK  map[string]time.Time
	firstAck map[string]time.Time
	staleAt  [2]time.Time // the first and the last stale read

	stop chan struct{}
	wg   sync.WaitGroup
}

// Start starts the writers and readers.
func Start(cfg Config) *Checker {
	k := &Checker{cfg: cfg, log: NewLog(Grace, cfg.Keys...), stop: make(chan struct{})}
	for _, key := range cfg.Keys {
		k.wg.Go(func() { k.writeLoop(key) })
	}
	readers := cfg.Readers
	if readers == 0 {
		readers = 4
	}
	for i := range readers {
		k.wg.Go(func() { k.readLoop(i) })
	}
	return k
}

// Quiet holds the writes of the keys in keys (nil: none) until called
// again.
func (k *Checker) Quiet(keys map[string]bool) {
	if keys == nil {
		k.quiet.Store(nil)
		return
	}
	k.quiet.Store(&keys)
}

func (k *Checker) writeLoop(key string) {
	for v := int64(1); ; v++ {
		select {
		case <-k.stop:
			return
		default:
		}
		if q := k.quiet.Load(); q != nil && (*q)[key] {
			time.Sleep(time.Millisecond)
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		began := time.Now()
		i := k.log.Issue(key, v, began)
		acked, _ := k.cfg.Write(ctx, key, strconv.FormatInt(v, 10), began)
		cancel()
		at := time.Now()
		if acked {
			k.log.Ack(key, i, at)
		}
		k.mu.Lock()
		k.writes++
		if acked {
			if _, ok := k.firstAck[key]; !ok && !k.mark.IsZero() {
				k.firstAck[key] = at
			}
		} else {
			k.unacked++
		}
		k.mu.Unlock()
		time.Sleep(10 * time.Millisecond)
	}
}

func (k *Checker) readLoop(i int) {
	for n := i; ; n++ {
		select {
		case <-k.stop:
			return
		default:
		}
		key := k.cfg.Keys[n%len(k.cfg.Keys)]
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		ctx, sent := WatchSent(ctx)
		start := time.Now()
		s, err := k.cfg.Get(ctx, key)
		end := time.Now()
		cancel()
		found := err == nil
		if errors.Is(err, k.cfg.Missing) {
			err = nil
		}
		k.note(key, s, found, err, start, end, err == nil && !sent())
		time.Sleep(500 * time.Microsecond)
	}
}

// note checks one read of key that began at start and ended at end.
func (k *Checker) note(key, s string, found bool, err error, start, end time.Time, hit bool) {
	if err != nil {
		k.mu.Lock()
		k.errs++
		k.mu.Unlock()
		return
	}
	var got int64
	if found {
		var perr error
		if got, perr = strconv.ParseInt(s, 10, 64); perr != nil {
			got = -1
		}
	}
	stale, lag := k.log.Check(key, got, !found, start, end)
	k.mu.Lock()
	if !k.mark.IsZero() && start.After(k.mark) {
		if _, ok := k.firstOK[key]; !ok {
			k.firstOK[key] = start
		}
		if _, ok := k.firstHit[key]; hit && !ok {
			k.firstHit[key] = start
		}
	}
	if hit {
		k.hits++
	}
	if !stale {
		k.mu.Unlock()
		return
	}
	if k.staleAt[0].IsZero() {
		k.staleAt[0] = start
	}
	k.staleAt[1] = start
	sample := len(k.samples) < 5
	k.mu.Unlock()
	if !sample {
		return
	}
	// What the server holds now, read without the cache: older than what
	// was acknowledged means the server (or the routing) lost the write,
	// not the cache.
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	server, serr := k.cfg.Server(ctx, key)
	cancel()
	msg := fmt.Sprintf("%s at %s: read %d (found %v, cache hit %v), but a newer version was acknowledged %v before the read began; the server has %q (%v) now",
		key, start.Format("15:04:05.000000"), got, found, hit, lag.Round(time.Microsecond), server, serr)
	k.mu.Lock()
	k.samples = append(k.samples, msg)
	k.mu.Unlock()
}

// SetMark records, from now on, the first hit, the first successful read
// and the first acknowledged write of each key.
func (k *Checker) SetMark() time.Time {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.mark = time.Now()
	k.firstHit, k.firstOK, k.firstAck = map[string]time.Time{}, map[string]time.Time{}, map[string]time.Time{}
	return k.mark
}

// First returns the earliest first hit, successful read and acknowledged
// write of keys after the mark (zero if none).
func (k *Checker) First(keys []string) (hit, ok, ack time.Time) {
	k.mu.Lock()
	defer k.mu.Unlock()
	earliest := func(t time.Time, m map[string]time.Time, key string) time.Time {
		if v, found := m[key]; found && (t.IsZero() || v.Before(t)) {
			return v
		}
		return t
	}
	for _, key := range keys {
		hit, ok, ack = earliest(hit, k.firstHit, key), earliest(ok, k.firstOK, key), earliest(ack, k.firstAck, key)
	}
	return hit, ok, ack
}

// Hits returns the reads the cache answered so far.
func (k *Checker) Hits() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.hits
}

// End stops the writers and readers, logs the counts and fails t on any
// stale read, or on a key no write of which was acknowledged.
func (k *Checker) End(t testing.TB) {
	t.Helper()
	close(k.stop)
	k.wg.Wait()
	k.mu.Lock()
	defer k.mu.Unlock()
	t.Logf("checker: %d reads (%d cache hits; cache %s), %d failed reads, %d stale, largest lag %v; %d writes, %d not acknowledged",
		k.log.Reads(), k.hits, k.cfg.Stats(), k.errs, k.log.Stale(), k.log.MaxLag().Round(time.Microsecond), k.writes, k.unacked)
	if n := k.log.Stale(); n > 0 {
		t.Errorf("%d stale reads (grace %v) from %s to %s, first ones:\n  %s", n, Grace,
			k.staleAt[0].Format("15:04:05.000000"), k.staleAt[1].Format("15:04:05.000000"), strings.Join(k.samples, "\n  "))
	}
	for _, key := range k.cfg.Keys {
		if !k.log.Acked(key) {
			t.Errorf("no write of %s was acknowledged: the checker measured nothing there", key)
		}
	}
}

type sentKey struct{}

// WatchSent returns a context whose reads report, through MarkSent,
// whether they reached a server, and the function that tells.
func WatchSent(ctx context.Context) (context.Context, func() bool) {
	f := new(atomic.Bool)
	return context.WithValue(ctx, sentKey{}, f), f.Load
}

// MarkSent records that a read on ctx (from WatchSent) reached a server:
// a Command hook calls it.
func MarkSent(ctx context.Context) {
	if f, ok := ctx.Value(sentKey{}).(*atomic.Bool); ok {
		f.Store(true)
	}
}
