package cluster

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/internal/slot"
)

// leftGrace is how long a node that left the slot map keeps its
// connections, so that commands under way on it finish (or are
// redirected) rather than fail with a closed connection. A variable for
// tests.
var leftGrace = 5 * time.Second

// topology returns the slot map, reading it first if the client has none
// yet.
func (t *transport) topology(ctx context.Context) (*topology, error) {
	if tp := t.topo.Load(); tp != nil {
		return tp, nil
	}
	select {
	case <-t.refresh():
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if tp := t.topo.Load(); tp != nil {
		return tp, nil
	}
	if t.isClosed() {
		return nil, redis.ErrClosed
	}
	t.refreshMu.Lock()
	err := t.refreshErr
	t.refreshMu.Unlock()
	if err == nil {
		err = errors.New("cluster: no slot map")
	}
	// Nothing was sent anywhere: the client may try again.
	return nil, &redis.ConnError{Op: "dial", Err: err}
}

// Reads of the slot map are spaced by at least MinRefreshInterval; each
// read that finds the map unchanged doubles the spacing, up to
// maxPauseFactor × MinRefreshInterval, so that a node that stays down (its
// every failed dial asks for a read) does not cost 20 reads a second for
// the seconds a failover takes. A read that finds a change, or a MOVED
// reply (which proves one), brings the spacing back to the minimum.
const maxPauseFactor = 3

// refreshNow is refresh after a MOVED reply: the map has changed, so the
// spacing of the reads goes back to the minimum.
func (t *transport) refreshNow() <-chan struct{} {
	t.refreshMu.Lock()
	t.pause = 0
	t.refreshMu.Unlock()
	return t.refresh()
}

// refresh asks for a read of the slot map and returns a channel closed
// when a read that started no earlier than now has ended. Reads are
// single-flight: a read under way serves everyone who asks meanwhile (one
// more follows it, since it may have started before what prompted the
// request), and they are spaced as told above.
func (t *transport) refresh() <-chan struct{} {
	t.refreshMu.Lock()
	defer t.refreshMu.Unlock()
	if t.stopped {
		done := make(chan struct{})
		close(done)
		return done
	}
	if t.refreshing != nil {
		t.again = true
		return t.refreshing
	}
	done := make(chan struct{})
	t.refreshing = done
	if wait := max(t.pause, t.o.MinRefreshInterval) - time.Since(t.lastRefresh); wait > 0 && t.topo.Load() != nil {
		t.timer = time.AfterFunc(wait, func() { t.startRefresh(done) })
		return done
	}
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		t.runRefresh(done)
	}()
	return done
}

// startRefresh runs a read that waited for the rate limit. The WaitGroup
// is added to under refreshMu, never after Close has begun waiting.
func (t *transport) startRefresh(done chan struct{}) {
	t.refreshMu.Lock()
	if t.stopped {
		t.refreshMu.Unlock()
		t.finishRefresh(done, redis.ErrClosed)
		return
	}
	t.wg.Add(1)
	t.refreshMu.Unlock()
	defer t.wg.Done()
	t.runRefresh(done)
}

func (t *transport) runRefresh(done chan struct{}) {
	t.refreshMu.Lock()
	t.lastRefresh = time.Now()
	t.again = false
	t.refreshMu.Unlock()
	changed, err := t.readTopology()
	t.refreshMu.Lock()
	switch {
	case err != nil || changed:
		t.pause = t.o.MinRefreshInterval
	default:
		t.pause = min(2*max(t.pause, t.o.MinRefreshInterval), maxPauseFactor*t.o.MinRefreshInterval)
	}
	t.refreshMu.Unlock()
	t.finishRefresh(done, err)
}

func (t *transport) finishRefresh(done chan struct{}, err error) {
	t.refreshMu.Lock()
	t.refreshErr = err
	t.refreshing = nil
	again := t.again
	t.again = false
	t.refreshMu.Unlock()
	close(done)
	if again {
		t.refresh() // does nothing once stopped
	}
}

// refreshLoop reads the slot map every RefreshInterval.
func (t *transport) refreshLoop() {
	defer t.wg.Done()
	tk := time.NewTicker(t.o.RefreshInterval)
	defer tk.Stop()
	for {
		select {
		case <-t.stop:
			return
		case <-tk.C:
			t.refresh()
		}
	}
}

// readTopology reads the slot map from one node (the known nodes in
// random order, healthy ones first, then the seeds) and installs it;
// changed says whether it differs from the one before.
func (t *transport) readTopology() (changed bool, err error) {
	t.refreshes.Add(1)
	var candidates []string
	seen := map[string]bool{}
	add := func(addr string) {
		if !seen[addr] {
			seen[addr] = true
			candidates = append(candidates, addr)
		}
	}
	if tp := t.topo.Load(); tp != nil {
		var later []string
		for _, sh := range shuffled(tp.shards) {
			add(sh.primary.addr)
			for _, r := range sh.replicas {
				later = append(later, r.addr)
			}
		}
		for _, a := range shuffled(later) {
			add(a)
		}
	}
	for _, a := range shuffled(t.o.Addrs) {
		add(a)
	}
	// A node that does not answer soon is passed over for the next one;
	// one that is merely slow is not abandoned: after hedgeAfter the next
	// node is asked too, and the first answer wins. A hung node (stopped,
	// partitioned) then costs hedgeAfter, not the whole timeout.
	timeout := min(t.o.DialTimeout, 2*time.Second)
	if timeout <= 0 {
		timeout = 2 * time.Second
	}
	type answer struct {
		addr  string
		views []shardView
		err   error
	}
	parent, cancelAll := context.WithCancel(redis.NoRetry(context.Background()))
	defer cancelAll()
	answers := make(chan answer, len(candidates))
	asked, pending := 0, 0
	ask := func() error {
		addr := candidates[asked]
		asked++
		s, err := t.serverFor(addr)
		if err != nil {
			return err
		}
		pending++
		go func() {
			ctx, cancel := context.WithTimeout(parent, timeout)
			defer cancel()
			host, _, _ := net.SplitHostPort(addr)
			views, err := readSlotMap(ctx, s.c, host, t.o.TLSConfig != nil)
			answers <- answer{addr, views, err}
		}()
		return nil
	}
	// wait collects the answers still owed once the outcome is known:
	// cancelled, they come at once.
	wait := func() {
		cancelAll()
		for ; pending > 0; pending-- {
			<-answers
		}
	}
	if len(candidates) == 0 {
		return false, errors.New("cluster: no node to read the slot map from")
	}
	if err := ask(); err != nil {
		return false, err
	}
	hedge := time.NewTimer(hedgeAfter)
	defer hedge.Stop()
	var errs []error
	for pending > 0 {
		select {
		case a := <-answers:
			pending--
			if a.err == nil {
				wait()
				return t.install(a.views)
			}
			errs = append(errs, fmt.Errorf("%s: %w", a.addr, a.err))
			if asked < len(candidates) {
				if err := ask(); err != nil {
					wait()
					return false, err
				}
				hedge.Reset(hedgeAfter)
			}
		case <-hedge.C:
			if asked < len(candidates) {
				if err := ask(); err != nil {
					wait()
					return false, err
				}
				hedge.Reset(hedgeAfter)
			}
		}
	}
	return false, fmt.Errorf("cluster: no node gave the slot map: %w", errors.Join(errs...))
}

// hedgeAfter is how long a read of the slot map waits for a node before
// it asks the next one as well.
const hedgeAfter = 250 * time.Millisecond

// signature describes a slot map: each shard's spans, primary and online
// replicas.
func signature(views []shardView) string {
	var sb strings.Builder
	for _, v := range views {
		for _, sp := range v.spans {
			fmt.Fprintf(&sb, "%d-%d,", sp.Start, sp.End)
		}
		for _, n := range v.nodes {
			fmt.Fprintf(&sb, "%s:%t:%t,", n.addr, n.primary, n.healthy)
		}
		sb.WriteByte(';')
	}
	return sb.String()
}

// install makes views the slot map, and closes the connections of nodes
// that left it more than leftGrace ago. changed says whether the map
// differs from the last one read (a MOVED applied in between does not
// count).
func (t *transport) install(views []shardView) (changed bool, err error) {
	if len(views) == 0 {
		return false, errors.New("cluster: the slot map lists no shard serving slots")
	}
	sig := signature(views)
	t.refreshMu.Lock()
	changed, t.sig = sig != t.sig, sig
	t.refreshMu.Unlock()
	tp := &topology{}
	listed := map[string]bool{}
	for _, v := range views {
		p, err := t.serverFor(v.nodes[0].addr)
		if err != nil {
			return false, err
		}
		listed[p.addr] = true
		sh := &shard{primary: p, spans: v.spans}
		for _, n := range v.nodes[1:] {
			r, err := t.serverFor(n.addr)
			if err != nil {
				return false, err
			}
			listed[r.addr] = true
			if n.healthy {
				sh.replicas = append(sh.replicas, r)
			}
		}
		tp.shards = append(tp.shards, sh)
		for _, sp := range v.spans {
			for s := max(sp.Start, 0); s <= sp.End && s < int64(len(tp.slots)); s++ {
				tp.slots[s].Store(sh)
			}
		}
	}
	old := t.topo.Swap(tp)
	if changed {
		if old != nil { // the first map read changes nothing the cache holds
			t.flushMoved(old, tp)
		}
		t.noteChanged()
		if t.o.Logger != nil {
			logChange(t.o.Logger, old, views)
		}
	}
	now := time.Now().UnixNano()
	var closing []*server
	t.mu.Lock()
	for addr, s := range t.servers {
		if listed[addr] {
			continue
		}
		switch gone := s.gone.Load(); {
		case gone == 0:
			s.gone.Store(now)
		case now-gone > int64(leftGrace):
			delete(t.servers, addr)
			closing = append(closing, s)
		}
	}
	t.mu.Unlock()
	for _, s := range closing {
		s.c.Close()
		if t.o.Logger != nil {
			t.o.Logger.LogAttrs(context.Background(), slog.LevelDebug, "redis: cluster node closed",
				slog.String("component", "cluster"), slog.String("addr", s.addr),
				slog.String("reason", "gone from the slot map"))
		}
	}
	return changed, nil
}

// flushMoved drops from the client-side cache, if there is one, the keys
// of the slots whose primary is not the same in now as in old (moved, or
// failed over): they were tracked by a node that will not say when they
// change. Reads from replicas that left are dropped with their
// connections.
func (t *transport) flushMoved(old, now *topology) {
	if t.cache == nil {
		return
	}
	var moved [slot.Count]bool
	some := false
	for s := range moved {
		a, b := old.slots[s].Load(), now.slots[s].Load()
		if a == nil || b == nil || a.primary != b.primary {
			moved[s], some = true, true
		}
	}
	if some {
		t.flushSlots(func(s int) bool { return moved[s] })
	}
}

// flushSlots drops from the client-side cache, if there is one, the keys
// of the slots moved accepts.
func (t *transport) flushSlots(moved func(slot int) bool) {
	if t.cache != nil {
		t.cache.FlushKeys(func(key string) bool { return moved(slot.Of(key)) })
	}
}

// logChange records a new slot map: at Debug the first one read, at Info a
// change, with the number of slots whose primary changed (a migration or a
// failover) and the nodes (primaries and online replicas) that started or
// stopped serving.
func logChange(lg *slog.Logger, old *topology, views []shardView) {
	ctx := context.Background()
	var after [slot.Count]string // each slot's primary
	now := map[string]bool{}
	for _, v := range views {
		for _, sp := range v.spans {
			for s := max(sp.Start, 0); s <= sp.End && s < slot.Count; s++ {
				after[s] = v.nodes[0].addr
			}
		}
		for i, n := range v.nodes {
			if i == 0 || n.healthy {
				now[n.addr] = true
			}
		}
	}
	if old == nil {
		lg.LogAttrs(ctx, slog.LevelDebug, "redis: cluster slot map read", slog.String("component", "cluster"),
			slog.Int("shards", len(views)), slog.Int("nodes", len(now)))
		return
	}
	var before [slot.Count]string
	was := map[string]bool{}
	for _, sh := range old.shards {
		for _, sp := range sh.spans {
			for s := max(sp.Start, 0); s <= sp.End && s < slot.Count; s++ {
				before[s] = sh.primary.addr
			}
		}
		was[sh.primary.addr] = true
		for _, r := range sh.replicas {
			was[r.addr] = true
		}
	}
	moved := 0
	for s := range after {
		if after[s] != before[s] {
			moved++
		}
	}
	var added, removed []string
	for a := range now {
		if !was[a] {
			added = append(added, a)
		}
	}
	for a := range was {
		if !now[a] {
			removed = append(removed, a)
		}
	}
	slices.Sort(added)
	slices.Sort(removed)
	lg.LogAttrs(ctx, slog.LevelInfo, "redis: cluster slot map changed", slog.String("component", "cluster"),
		slog.Int("slots_moved", moved), slog.String("nodes_added", strings.Join(added, ",")),
		slog.String("nodes_removed", strings.Join(removed, ",")), slog.Int("shards", len(views)))
}
