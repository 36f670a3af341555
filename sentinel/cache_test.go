package sentinel_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/redistest"
	"github.com/respkit/redis/sentinel"
)

// cacheGrace is how long after a write is acknowledged a cached read may
// still return an older version (the invalidation is on its way).
const cacheGrace = 100 * time.Millisecond

// cacheSentKey marks the context of a checked read; cacheSentHook sets
// the flag it holds when the read went to a server: a read that returns
// without it was answered from the cache.
type cacheSentKey struct{}

var cacheSentHook = redis.Hook{Command: func(ctx context.Context, _ *redis.CommandCall, next func(context.Context) error) error {
	if f, ok := ctx.Value(cacheSentKey{}).(*atomic.Bool); ok {
		f.Store(true)
	}
	return next(ctx)
}}

// cacheAck is a version of a key whose SET was acknowledged, and when.
type cacheAck struct {
	v  int64
	at time.Time
}

// cacheChecker looks for stale reads: one writer per key SETs increasing
// versions with write and records those acknowledged; readers GET the keys
// through a cached view. A read is stale when it returns a version older
// than one acknowledged more than cacheGrace before the read began.
type cacheChecker struct {
	c      *redis.Client // the cached client
	cached *redis.Client // c.Cached(0)
	plain  *redis.Client // reads the server's value when a read is stale
	keys   []string
	write  func(ctx context.Context, key, val string, began time.Time) (acked bool, err error)

	mu       sync.Mutex // guards the fields below
	acks     map[string][]cacheAck
	writes   int
	unacked  int
	reads    int
	hits     int
	errs     int
	stale    int
	maxLag   time.Duration
	samples  []string
	mark     time.Time // first hits, reads and acknowledged writes after mark are recorded
	firstHit map[string]time.Time
	firstOK  map[string]time.Time
	firstAck map[string]time.Time
	staleAt  [2]time.Time // the first and the last stale read

	stop chan struct{}
	wg   sync.WaitGroup
}

// startCacheChecker starts one writer per key and 4 readers.
func startCacheChecker(c, plain *redis.Client, keys []string, write func(ctx context.Context, key, val string, began time.Time) (bool, error)) *cacheChecker {
	k := &cacheChecker{c: c, cached: c.Cached(0), plain: plain, keys: keys, write: write,
		acks: map[string][]cacheAck{}, stop: make(chan struct{})}
	for _, key := range keys {
		k.wg.Add(1)
		go k.writeLoop(key)
	}
	for i := range 4 {
		k.wg.Add(1)
		go k.readLoop(i)
	}
	return k
}

func (k *cacheChecker) writeLoop(key string) {
	defer k.wg.Done()
	for v := int64(1); ; v++ {
		select {
		case <-k.stop:
			return
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		acked, _ := k.write(ctx, key, strconv.FormatInt(v, 10), time.Now())
		cancel()
		at := time.Now()
		k.mu.Lock()
		k.writes++
		if acked {
			k.acks[key] = append(k.acks[key], cacheAck{v, at})
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

func (k *cacheChecker) readLoop(i int) {
	defer k.wg.Done()
	for n := i; ; n++ {
		select {
		case <-k.stop:
			return
		default:
		}
		key := k.keys[n%len(k.keys)]
		var sent atomic.Bool
		ctx, cancel := context.WithTimeout(context.WithValue(context.Background(), cacheSentKey{}, &sent), 500*time.Millisecond)
		start := time.Now()
		s, err := k.cached.Get(ctx, key)
		cancel()
		k.note(key, s, err, start, err == nil && !sent.Load())
		time.Sleep(500 * time.Microsecond)
	}
}

// note checks one read of key that began at start and returned s, err.
func (k *cacheChecker) note(key, s string, err error, start time.Time, hit bool) {
	var got int64
	switch {
	case err == nil:
		if got, err = strconv.ParseInt(s, 10, 64); err != nil {
			got = -1
		}
	case errors.Is(err, redis.ErrNil):
		got = 0
	default:
		k.mu.Lock()
		k.errs++
		k.mu.Unlock()
		return
	}
	k.mu.Lock()
	k.reads++
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
	acks := k.acks[key]
	i := sort.Search(len(acks), func(i int) bool { return acks[i].v > got })
	if i == len(acks) || !acks[i].at.Before(start) {
		k.mu.Unlock()
		return
	}
	lag := start.Sub(acks[i].at)
	if lag <= cacheGrace {
		k.maxLag = max(k.maxLag, lag)
		k.mu.Unlock()
		return
	}
	k.stale++
	if k.staleAt[0].IsZero() {
		k.staleAt[0] = start
	}
	k.staleAt[1] = start
	want := acks[i]
	for _, a := range acks[i:] {
		if a.at.Before(start.Add(-cacheGrace)) {
			want = a
		}
	}
	sample := len(k.samples) < 5
	k.mu.Unlock()
	if !sample {
		return
	}
	// What the server holds now, read without the cache: older than what
	// was acknowledged means the server (or the routing) lost the write,
	// not the cache.
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	server, serr := k.plain.Get(ctx, key)
	cancel()
	msg := fmt.Sprintf("%s at %s: read %d (cache hit %v, error %v), but %d was acknowledged %v before the read began (the first newer one %v before); the server has %q (%v) now",
		key, start.Format("15:04:05.000000"), got, hit, err, want.v, start.Sub(want.at).Round(time.Microsecond), lag.Round(time.Microsecond), server, serr)
	k.mu.Lock()
	k.samples = append(k.samples, msg)
	k.mu.Unlock()
}

// setMark records, from now on, the first hit and the first successful
// read of each key.
func (k *cacheChecker) setMark() time.Time {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.mark = time.Now()
	k.firstHit, k.firstOK, k.firstAck = map[string]time.Time{}, map[string]time.Time{}, map[string]time.Time{}
	return k.mark
}

// first returns the earliest first hit, successful read and acknowledged
// write of keys after the mark (zero if none).
func (k *cacheChecker) first(keys []string) (hit, ok, ack time.Time) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, key := range keys {
		if a, found := k.firstAck[key]; found && (ack.IsZero() || a.Before(ack)) {
			ack = a
		}
		if h, found := k.firstHit[key]; found && (hit.IsZero() || h.Before(hit)) {
			hit = h
		}
		if o, found := k.firstOK[key]; found && (ok.IsZero() || o.Before(ok)) {
			ok = o
		}
	}
	return hit, ok, ack
}

func (k *cacheChecker) hitCount() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.hits
}

// end stops the writers and readers, logs the counts and fails t on any
// stale read.
func (k *cacheChecker) end(t *testing.T) {
	t.Helper()
	close(k.stop)
	k.wg.Wait()
	k.mu.Lock()
	defer k.mu.Unlock()
	st := k.c.Cache().Stats()
	t.Logf("checker: %d reads (%d cache hits; cache stats %d hits, %d misses, %d invalidations, %d discarded), %d failed reads, %d stale, largest lag within grace %v; %d writes, %d not acknowledged",
		k.reads, k.hits, st.Hits, st.Misses, st.Invalidations, st.Discarded, k.errs, k.stale, k.maxLag.Round(time.Microsecond), k.writes, k.unacked)
	if k.stale > 0 {
		t.Errorf("%d stale reads (grace %v) from %s to %s, first ones:\n  %s", k.stale, cacheGrace,
			k.staleAt[0].Format("15:04:05.000000"), k.staleAt[1].Format("15:04:05.000000"), strings.Join(k.samples, "\n  "))
	}
	for _, key := range k.keys {
		if len(k.acks[key]) == 0 {
			t.Errorf("no write of %s was acknowledged: the checker measured nothing there", key)
		}
	}
}

// cachedClient returns a client of g with client-side caching and
// cacheSentHook.
func cachedClient(t *testing.T, g *redistest.SentinelGroup, proto int) *redis.Client {
	return newClient(t, g, proto, func(o *sentinel.Options) {
		o.Cache = &redis.CacheOptions{}
		o.Hooks = []redis.Hook{cacheSentHook}
	})
}

// setWait SETs key and WAITs for every replica on the same connection (a
// pipeline with a blocking command runs on one exclusive connection): a
// write no failover can lose, whichever replica is promoted.
func setWait(ctx context.Context, c *redis.Client, replicas int64, key, val string) (bool, error) {
	p := c.Pipeline()
	set := p.Set(key, val)
	wait := p.Wait(replicas, 100*time.Millisecond)
	p.Exec(ctx)
	if err := set.Err(); err != nil {
		return false, err
	}
	n, err := wait.Result()
	return err == nil && n >= replicas, err
}

// since formats at - from, or "never" for a zero at.
func since(at, from time.Time) string {
	if at.IsZero() {
		return "never"
	}
	return at.Sub(from).Round(time.Millisecond).String()
}

// TestCacheFailoverNoStaleReads runs the stale-read checker while the
// primary is killed (SIGKILL) and a replica promoted, then while a
// SENTINEL FAILOVER hands the primary's role to a replica, under RESP3
// and RESP2, on one group: no read may be stale, and the cache must serve
// hits before the fault and after the new primary took over.
func TestCacheFailoverNoStaleReads(t *testing.T) {
	g := redistest.StartSentinelGroup(t, redistest.SentinelGroupConfig{})
	replicas := int64(len(g.Nodes()) - 1)
	for _, tc := range []struct {
		proto int
		kill  bool
	}{{3, true}, {2, true}, {3, false}, {2, false}} {
		fault := "killed"
		if !tc.kill {
			fault = "failed-over"
		}
		t.Run(fmt.Sprintf("RESP%d/%s", tc.proto, fault), func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var keys []string
			for i := range 8 {
				keys = append(keys, fmt.Sprintf("cache:%s%d:%d", fault, tc.proto, i))
			}
			c := cachedClient(t, g, tc.proto)
			w := newClient(t, g, tc.proto, nil)
			// A write counts once every replica has it. After a kill,
			// every SET answered OK does: the old primary answers nothing
			// more, and nothing else fails. (After SENTINEL FAILOVER the
			// old primary runs on as a primary until the sentinels demote
			// it, and writes it takes meanwhile are lost.)
			var killed atomic.Pointer[time.Time]
			write := func(ctx context.Context, key, val string, began time.Time) (bool, error) {
				if k := killed.Load(); k != nil && began.After(*k) {
					err := w.Set(ctx, key, val)
					return err == nil, err
				}
				return setWait(ctx, w, replicas, key, val)
			}
			switches, err := g.SubscribeSwitchMaster(ctx, 1)
			if err != nil {
				t.Fatal(err)
			}
			old, err := g.Primary()
			if err != nil {
				t.Fatal(err)
			}
			k := startCacheChecker(c, w, keys, write)
			time.Sleep(time.Second)
			hitsBefore := k.hitCount()
			faultAt := time.Now()
			var promoted *redistest.Server
			if tc.kill {
				if _, err := g.KillPrimary(); err != nil {
					t.Fatal(err)
				}
				now := time.Now()
				killed.Store(&now)
				k.setMark()
				promoted, err = g.WaitFailover(old)
			} else {
				k.setMark()
				promoted, err = g.Failover()
			}
			if err != nil {
				t.Fatal(err)
			}
			promotedAt := time.Now()
			var sw redistest.SwitchMaster
			select {
			case sw = <-switches:
			case <-time.After(5 * time.Second):
				t.Error("no +switch-master within 5 s of the promotion")
			}
			_, okDuring, _ := k.first(keys)
			hitsAtPromotion := k.hitCount()
			k.setMark()
			time.Sleep(2 * time.Second)
			hitsAfter := k.hitCount() - hitsAtPromotion
			firstHit, firstOK, firstAck := k.first(keys)
			k.end(t)
			t.Logf("RESP%d: %s %s at %s; after the fault: +switch-master to %s %v, the helper saw the sentinels agree on it %v (Failover: and the replicas follow it); first successful read %v; after that: first acknowledged write +%v, first read +%v, first cache hit +%v; %d hits before the fault, %d in the 2 s after",
				tc.proto, fault, old.Addr(), faultAt.Format("15:04:05.000"), promoted.Addr(), since(sw.Time, faultAt), promotedAt.Sub(faultAt).Round(time.Millisecond),
				since(okDuring, faultAt), since(firstAck, promotedAt), since(firstOK, promotedAt), since(firstHit, promotedAt), hitsBefore, hitsAfter)
			if hitsBefore == 0 || hitsAfter == 0 {
				t.Errorf("cache hits: %d before the fault, %d after the promotion; want some in both", hitsBefore, hitsAfter)
			}
			if got, _ := sentinel.Primary(c); got != promoted.Addr() {
				t.Errorf("the cached client uses %s, the primary is %s", got, promoted.Addr())
			}
			if tc.kill {
				// The old primary comes back as a replica, for the next run.
				if err := g.Restart(old); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}
