package keyspace

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/respkit/redis"
)

// topologyFollower is what a cluster transport offers to follow its
// primaries (cluster/topowatch.go). This package cannot import the
// cluster package, so it finds the methods with a type assertion.
type topologyFollower interface {
	TopologyChanged() <-chan struct{}
	RefreshTopology(ctx context.Context) error
}

// nodeSub is the subscription on one server.
type nodeSub struct {
	addr   string          // the server's address on a cluster; "" otherwise
	c      *redis.Client   // the server's own client on a cluster; the watcher's client otherwise
	ctx    context.Context // ends when the subscription is no longer wanted
	cancel context.CancelFunc
	pause  bool        // wait before the first attempt (it replaces one that failed)
	live   atomic.Bool // subscribed now
	ended  bool        // its goroutine ended by itself; guarded by Watcher.mu
}

func (w *Watcher) newSub(addr string, c *redis.Client) *nodeSub {
	s := &nodeSub{addr: addr, c: c}
	s.ctx, s.cancel = context.WithCancel(w.ctx)
	return s
}

// where names the server of s in errors.
func (s *nodeSub) where() string {
	if s.addr == "" {
		return "the server"
	}
	return s.addr
}

// subscribe opens a PubSub on s's server and waits for the confirmation of
// every pattern.
func (w *Watcher) subscribe(ctx context.Context, s *nodeSub) (*redis.PubSub, error) {
	ps := s.c.NewPubSub(&redis.PubSubOptions{HealthCheck: w.o.HealthCheck})
	if err := ps.PSubscribe(ctx, w.patterns...); err != nil {
		ps.Close()
		return nil, fmt.Errorf("keyspace: PSUBSCRIBE %s on %s: %w", strings.Join(w.patterns, " "), s.where(), err)
	}
	return ps, nil
}

// startSingle subscribes on the one server of a standalone or Sentinel
// client.
func (w *Watcher) startSingle(ctx context.Context) error {
	s := w.newSub("", w.c)
	w.subs[""] = s
	if err := w.configure(ctx, w.c, ""); err != nil {
		return err
	}
	ps, err := w.subscribe(ctx, s)
	if err != nil {
		return err
	}
	s.live.Store(true)
	w.wg.Add(1)
	go w.runNode(s, ps, false)
	return nil
}

// listShards returns the client's shards.
func (w *Watcher) listShards(ctx context.Context) ([]redis.Shard, error) {
	var (
		mu     sync.Mutex
		shards []redis.Shard
	)
	err := w.c.ForEachShard(ctx, func(_ context.Context, s redis.Shard) error {
		mu.Lock()
		shards = append(shards, s)
		mu.Unlock()
		return nil
	})
	return shards, err
}

// startCluster sets the flags on every node and subscribes on every
// primary, then starts following the topology.
func (w *Watcher) startCluster(ctx context.Context) error {
	shards, err := w.listShards(ctx)
	if err != nil {
		return fmt.Errorf("keyspace: listing the primaries: %w", err)
	}
	if w.flags != "" {
		// Replicas too, so that a promoted one publishes at once; a
		// replica that fails is set when it becomes a primary.
		errs := make([]error, len(shards))
		var wg sync.WaitGroup
		for i, sh := range shards {
			wg.Go(func() {
				errs[i] = w.configure(ctx, sh.Primary, sh.Primary.Options().Addr)
			})
			for _, r := range sh.Replicas {
				wg.Go(func() { w.configure(ctx, r, r.Options().Addr) })
			}
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return err
		}
	}
	subs := make([]*nodeSub, len(shards))
	pss := make([]*redis.PubSub, len(shards))
	errs := make([]error, len(shards))
	var wg sync.WaitGroup
	for i, sh := range shards {
		subs[i] = w.newSub(sh.Primary.Options().Addr, sh.Primary)
		wg.Go(func() { pss[i], errs[i] = w.subscribe(ctx, subs[i]) })
	}
	wg.Wait()
	for i, s := range subs {
		if pss[i] != nil {
			s.live.Store(true)
		}
		w.subs[s.addr] = s
	}
	if err := errors.Join(errs...); err != nil {
		for _, ps := range pss {
			if ps != nil {
				ps.Close()
			}
		}
		return err
	}
	for i, s := range subs {
		w.wg.Add(1)
		go w.runNode(s, pss[i], false)
	}
	w.wg.Add(1)
	go w.follow()
	return nil
}

// follow keeps one subscription on every primary of a cluster: it
// compares the subscriptions with the primaries the client lists when the
// slot map changes, when a subscription ends by itself, and every
// TopologyInterval (after asking for a fresh read of the map).
func (w *Watcher) follow() {
	defer w.wg.Done()
	tf, _ := w.c.Transport().(topologyFollower)
	var tick <-chan time.Time
	if w.o.TopologyInterval > 0 {
		t := time.NewTicker(w.o.TopologyInterval)
		defer t.Stop()
		tick = t.C
	}
	for {
		var changed <-chan struct{}
		if tf != nil {
			changed = tf.TopologyChanged()
		}
		if !w.reconcile() {
			return
		}
		select {
		case <-w.ctx.Done():
			return
		case <-changed:
		case <-w.nudge:
		case <-tick:
			if tf != nil {
				ctx, cancel := context.WithTimeout(w.ctx, 2*time.Second)
				tf.RefreshTopology(ctx) // a failed read leaves the map as it was
				cancel()
			}
		}
	}
}

// reconcile ends the subscriptions of servers that are no longer
// primaries and subscribes on new primaries; it returns false when the
// watcher has ended.
func (w *Watcher) reconcile() bool {
	ctx, cancel := context.WithTimeout(w.ctx, 5*time.Second)
	shards, err := w.listShards(ctx)
	cancel()
	if err != nil {
		if errors.Is(err, redis.ErrClosed) {
			w.fail(fmt.Errorf("keyspace: the client was closed: %w", err))
			return false
		}
		return w.ctx.Err() == nil // the next round tries again
	}
	primaries := map[string]*redis.Client{}
	for _, sh := range shards {
		primaries[sh.Primary.Options().Addr] = sh.Primary
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.ctx.Err() != nil {
		return false
	}
	for addr, s := range w.subs {
		if p := primaries[addr]; p == s.c && !s.ended {
			continue
		}
		s.cancel() // its goroutine closes its PubSub
		delete(w.subs, addr)
	}
	for addr, p := range primaries {
		if w.subs[addr] != nil {
			continue
		}
		s := w.newSub(addr, p)
		s.pause = true
		w.subs[addr] = s
		w.wg.Add(1) // the follower's own count is held: Wait has not returned
		go w.runNode(s, nil, true)
	}
	return true
}

// runNode reads the subscription of s until it ends. Without ps it first
// subscribes (a primary found after the start); announce says to mark a
// gap once subscribed.
func (w *Watcher) runNode(s *nodeSub, ps *redis.PubSub, announce bool) {
	defer w.wg.Done()
	defer s.live.Store(false)
	if ps == nil {
		ps = w.subscribeRetrying(s)
		if ps == nil {
			w.lost(s, nil)
			return
		}
		s.live.Store(true)
	}
	defer ps.Close()
	if announce {
		w.gap(s.addr)
	}
	var renewing map[string]bool // patterns whose renewal is not confirmed yet
	for {
		m, err := ps.Receive(s.ctx)
		if err != nil {
			w.lost(s, err)
			return
		}
		switch m.Kind {
		case redis.KindPatternMessage:
			if ev, ok := w.parse(m); ok {
				ev.Node = s.addr
				w.deliver(ev)
			}
		case redis.KindResubscribed:
			// The connection was replaced; the renewal's confirmations
			// follow. The gap is marked once they are all in.
			renewing = map[string]bool{}
			for _, p := range w.patterns {
				renewing[p] = true
			}
		case redis.KindPatternSubscribed:
			if renewing == nil {
				continue
			}
			delete(renewing, m.Channel)
			if len(renewing) > 0 {
				continue
			}
			renewing = nil
			// A restarted server, or a new primary behind a Sentinel
			// client, has the flags of its configuration file only.
			if err := w.reconfigure(s); err != nil {
				if errors.Is(err, redis.ErrClosed) {
					w.lost(s, err)
				} else if s.ctx.Err() == nil {
					w.fail(err)
				}
				return
			}
			w.gap(s.addr)
		case redis.KindPatternSubscribeRefused:
			w.fail(fmt.Errorf("keyspace: %s refused the renewed subscription to %s: %s", s.where(), m.Channel, m.Payload))
			return
		}
	}
}

// lost handles the end of s's goroutine (err is why its PubSub ended, or
// nil when it never subscribed). A subscription that is no longer wanted
// needs nothing. Off a cluster the watcher ends with it; on a cluster the
// follower looks again at the primaries.
func (w *Watcher) lost(s *nodeSub, err error) {
	if s.ctx.Err() != nil {
		return
	}
	if !w.cluster {
		if errors.Is(err, redis.ErrClosed) {
			w.fail(fmt.Errorf("keyspace: the client was closed: %w", err))
		} else {
			w.fail(fmt.Errorf("keyspace: the subscription ended: %w", err))
		}
		return
	}
	w.mu.Lock()
	s.ended = true
	w.mu.Unlock()
	select {
	case w.nudge <- struct{}{}:
	default:
	}
}

// permanent reports whether err is a server's answer that trying again
// will not change: an error reply other than those of a server that is
// starting, failing over or busy.
func permanent(err error) bool {
	var re *redis.Error
	if !errors.As(err, &re) {
		return false
	}
	switch re.Code() {
	case "LOADING", "BUSY", "MASTERDOWN", "CLUSTERDOWN", "TRYAGAIN":
		return false
	}
	return true
}

// retryDelay is the pause before attempt n (from 1): 50 ms doubling to
// 1 s, with jitter.
func retryDelay(n int) time.Duration {
	d := min(50*time.Millisecond<<min(n-1, 5), time.Second)
	return d/2 + rand.N(d/2+1)
}

// sleep waits d; it returns false when ctx ends first.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// subscribeRetrying sets the flags on the server of s and subscribes,
// trying again after failures, until it succeeds, s is no longer wanted,
// the server's client is closed, or the server refuses for good (which
// ends the watcher). It returns nil unless subscribed.
func (w *Watcher) subscribeRetrying(s *nodeSub) *redis.PubSub {
	for attempt := 0; ; attempt++ {
		if (attempt > 0 || s.pause) && !sleep(s.ctx, retryDelay(attempt+1)) {
			return nil
		}
		ctx, cancel := context.WithTimeout(s.ctx, 10*time.Second)
		err := w.configure(ctx, s.c, s.addr)
		var ps *redis.PubSub
		if err == nil {
			ps, err = w.subscribe(ctx, s)
		}
		cancel()
		switch {
		case err == nil:
			return ps
		case s.ctx.Err() != nil, errors.Is(err, redis.ErrClosed):
			return nil
		case permanent(err):
			w.fail(err)
			return nil
		}
	}
}

// reconfigure sets the flags again on the server of s after a reconnect,
// trying again after failures other than a refusal, until s is no longer
// wanted.
func (w *Watcher) reconfigure(s *nodeSub) error {
	for attempt := 0; ; attempt++ {
		if attempt > 0 && !sleep(s.ctx, retryDelay(attempt)) {
			return s.ctx.Err()
		}
		ctx, cancel := context.WithTimeout(s.ctx, 5*time.Second)
		err := w.configure(ctx, s.c, s.addr)
		cancel()
		if err == nil || permanent(err) || errors.Is(err, redis.ErrClosed) {
			return err
		}
		if s.ctx.Err() != nil {
			return s.ctx.Err()
		}
	}
}
