package sentinel_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/internal/stalecheck"
	"github.com/respkit/redis/redistest"
	"github.com/respkit/redis/sentinel"
)

// cacheSentHook tells stalecheck which reads reached a server: a read
// that returns without it was answered from the cache.
var cacheSentHook = redis.Hook{Command: func(ctx context.Context, _ *redis.CommandCall, next func(context.Context) error) error {
	stalecheck.MarkSent(ctx)
	return next(ctx)
}}

// startCacheChecker runs the stale-read checker on keys: GETs through c's
// cache (c has cacheSentHook), SETs with write, and the server's value
// read with server() when a read is stale.
func startCacheChecker(c *redis.Client, server func() *redis.Client, keys []string, write func(ctx context.Context, key, val string, began time.Time) (bool, error)) *stalecheck.Checker {
	return stalecheck.Start(stalecheck.Config{Keys: keys, Write: write, Get: c.Cached(0).Get, Missing: redis.ErrNil,
		Server: func(ctx context.Context, key string) (string, error) { return server().Get(ctx, key) },
		Stats:  func() string { return fmt.Sprintf("%+v", c.Cache().Stats()) }})
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
			k := startCacheChecker(c, func() *redis.Client { return w }, keys, write)
			time.Sleep(time.Second)
			hitsBefore := k.Hits()
			faultAt := time.Now()
			var promoted *redistest.Server
			if tc.kill {
				if _, err := g.KillPrimary(); err != nil {
					t.Fatal(err)
				}
				now := time.Now()
				killed.Store(&now)
				k.SetMark()
				promoted, err = g.WaitFailover(old)
			} else {
				k.SetMark()
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
			_, okDuring, _ := k.First(keys)
			hitsAtPromotion := k.Hits()
			k.SetMark()
			time.Sleep(2 * time.Second)
			hitsAfter := k.Hits() - hitsAtPromotion
			firstHit, firstOK, firstAck := k.First(keys)
			k.End(t)
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
