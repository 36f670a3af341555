package cluster_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/cluster"
	"github.com/respkit/redis/redistest"
)

// load runs workers that each own a set of keys and check every reply
// against what they wrote: INCR must return one more than the last, GET
// the last value. Half the workers use RESP2, half RESP3.
type load struct {
	clients [2]*redis.Client
	keys    []string // every key, owned by worker i%workers
	workers int
	timeout time.Duration // per operation

	mu      sync.Mutex // guards the fields below
	ops     int
	failed  []opFailure
	wrong   []string
	stop    chan struct{}
	wg      sync.WaitGroup
	succeed func(key string, at time.Time)
}

type opFailure struct {
	key string
	at  time.Time
	err error
}

func startLoad(t *testing.T, rc *redistest.Cluster, keys []string, workers int, timeout time.Duration, mod func(*cluster.Options)) *load {
	l := &load{keys: keys, workers: workers, timeout: timeout, stop: make(chan struct{})}
	l.clients[0] = newClient(t, rc, 2, mod)
	l.clients[1] = newClient(t, rc, 3, mod)
	ctx := context.Background()
	for _, k := range keys {
		if _, err := l.clients[0].Del(ctx, k); err != nil {
			t.Fatalf("DEL %s: %v", k, err)
		}
	}
	for w := range workers {
		l.wg.Add(1)
		go l.run(w)
	}
	return l
}

func (l *load) run(w int) {
	defer l.wg.Done()
	c := l.clients[w%2]
	var mine []string
	for i, k := range l.keys {
		if i%l.workers == w {
			mine = append(mine, k)
		}
	}
	counts := make([]int64, len(mine))
	known := make([]bool, len(mine)) // counts[i] is certain (no unknown outcome)
	for i := 0; ; i++ {
		select {
		case <-l.stop:
			return
		default:
		}
		j := i % len(mine)
		k := mine[j]
		ctx, cancel := context.WithTimeout(context.Background(), l.timeout)
		var err error
		noteKey := k // the key a failure is counted against: its command's
		if i%16 == 15 {
			// Every 16th operation: a pipeline reading all the worker's
			// keys (spread over slots and nodes) and incrementing one.
			p := c.Pipeline()
			gets := make([]*redis.Reply[string], len(mine))
			for x, k := range mine {
				gets[x] = p.Get(k)
			}
			inc := p.Incr(k)
			p.Exec(ctx) // each command's own result is checked below
			err = nil
			for x, g := range gets {
				s, gerr := g.Result()
				switch {
				case errors.Is(gerr, redis.ErrNil) && counts[x] == 0:
				case gerr != nil:
					err, noteKey = gerr, mine[x]
				default:
					n, _ := strconv.ParseInt(s, 10, 64)
					if known[x] && n != counts[x] || !known[x] && n < counts[x] {
						l.noteWrong(fmt.Sprintf("pipelined GET %s = %s, want %d", mine[x], s, counts[x]))
					}
					counts[x], known[x] = n, true
				}
			}
			if n, ierr := inc.Result(); ierr == nil {
				if known[j] && n != counts[j]+1 || !known[j] && n <= counts[j] {
					l.noteWrong(fmt.Sprintf("pipelined INCR %s = %d, want %d", k, n, counts[j]+1))
				}
				counts[j], known[j] = n, true
			} else {
				known[j] = known[j] && !errors.Is(ierr, redis.ErrOutcomeUnknown)
				err, noteKey = ierr, k
			}
		} else if i%2 == 0 {
			var n int64
			n, err = c.Incr(ctx, k)
			if err == nil {
				if known[j] && n != counts[j]+1 || !known[j] && n <= counts[j] {
					l.noteWrong(fmt.Sprintf("INCR %s = %d, want %d", k, n, counts[j]+1))
				}
				counts[j], known[j] = n, true
			} else if errors.Is(err, redis.ErrOutcomeUnknown) {
				known[j] = false
			}
		} else {
			var s string
			s, err = c.Get(ctx, k)
			if errors.Is(err, redis.ErrNil) && counts[j] == 0 {
				err = nil
			} else if err == nil {
				n, _ := strconv.ParseInt(s, 10, 64)
				if known[j] && n != counts[j] || !known[j] && n < counts[j] {
					l.noteWrong(fmt.Sprintf("GET %s = %s, want %d", k, s, counts[j]))
				}
				counts[j], known[j] = n, true
			}
		}
		cancel()
		l.note(noteKey, err)
	}
}

func (l *load) note(key string, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ops++
	if err != nil {
		l.failed = append(l.failed, opFailure{key, time.Now(), err})
	} else if l.succeed != nil {
		l.succeed(key, time.Now())
	}
}

func (l *load) noteWrong(s string) {
	l.mu.Lock()
	l.wrong = append(l.wrong, s)
	l.mu.Unlock()
}

func (l *load) end() {
	close(l.stop)
	l.wg.Wait()
}

// summary reports the failures, grouped by error text.
func (l *load) summary() string {
	by := map[string]int{}
	for _, f := range l.failed {
		by[f.err.Error()]++
	}
	var sb strings.Builder
	for e, n := range by {
		fmt.Fprintf(&sb, "\n  %d× %s", n, e)
	}
	return sb.String()
}

// keysOn returns n keys in each of the given slots.
func keysOn(slots []int, n int) []string {
	var keys []string
	for _, s := range slots {
		tag := redistest.SlotTag(s)
		for i := range n {
			keys = append(keys, tag+":"+strconv.Itoa(i))
		}
	}
	return keys
}

// TestLiveResharding migrates slots that hold keys, one key batch at a
// time (so that clients see ASK while a slot is half moved, then MOVED),
// while 16 workers run INCR and GET on keys in those slots.
func TestLiveResharding(t *testing.T) {
	rc := redistest.StartCluster(t, redistest.ClusterConfig{})
	primaries := mustPrimaries(t, rc)
	src, dst := primaries[0], primaries[1]
	// 8 slots of the first primary, 25 keys each.
	var slots []int
	for s := 100; len(slots) < 8; s += 397 {
		if o, _ := rc.PrimaryOf(s); o == src {
			slots = append(slots, s)
		}
	}
	keys := keysOn(slots, 25)
	l := startLoad(t, rc, keys, 16, 5*time.Second, nil)
	time.Sleep(200 * time.Millisecond)
	begin := time.Now()
	for round, to := range []*redistest.ClusterNode{dst, src} {
		for _, s := range slots {
			m, err := rc.BeginMigration(s, to)
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
			for {
				moved, err := m.MoveKeys(5)
				if err != nil {
					t.Fatalf("MIGRATE: %v", err)
				}
				if moved == 0 {
					break
				}
				time.Sleep(5 * time.Millisecond) // let clients hit the half-moved slot
			}
			if err := m.Finish(); err != nil {
				t.Fatal(err)
			}
		}
	}
	took := time.Since(begin)
	time.Sleep(200 * time.Millisecond)
	l.end()
	var st [2]cluster.Stats
	for i, c := range l.clients {
		st[i], _ = cluster.StatsOf(c)
	}
	t.Logf("migrated %d slots holding %d keys there and back in %v: %d operations, %d failed, %d wrong; RESP2 client saw MOVED %d, ASK %d, refusals %d, refreshes %d; RESP3 client MOVED %d, ASK %d, refusals %d, refreshes %d",
		len(slots), len(keys), took.Round(time.Millisecond), l.ops, len(l.failed), len(l.wrong),
		st[0].Moved, st[0].Asked, st[0].Refused, st[0].Refreshes, st[1].Moved, st[1].Asked, st[1].Refused, st[1].Refreshes)
	if len(l.failed) > 0 {
		t.Errorf("%d operations failed during resharding:%s", len(l.failed), l.summary())
	}
	if len(l.wrong) > 0 {
		t.Errorf("%d wrong replies, first: %s", len(l.wrong), l.wrong[0])
	}
	for i, s := range st {
		if s.Moved == 0 || s.Asked == 0 {
			t.Errorf("client %d saw MOVED %d and ASK %d times; the test should make it follow both", i, s.Moved, s.Asked)
		}
	}
}

// clusterOK waits until promoted is a primary and every node but dead
// reports cluster_state:ok, and returns when it first saw that.
func clusterOK(t *testing.T, rc *redistest.Cluster, dead, promoted *redistest.ClusterNode, timeout time.Duration) time.Time {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		ok := true
		if v, err := rc.Do(promoted, "ROLE"); err != nil {
			ok = false
		} else if r, _ := v.([]any); len(r) == 0 || r[0] != "master" {
			ok = false
		}
		for _, n := range rc.Nodes() {
			if n == dead || !ok {
				continue
			}
			v, err := rc.Do(n, "CLUSTER", "INFO")
			s, _ := v.(string)
			if err != nil || !strings.Contains(s, "cluster_state:ok") {
				ok = false
			}
		}
		if ok {
			return time.Now()
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("the cluster did not fail over and report cluster_state:ok within %v", timeout)
	return time.Time{}
}

// TestPrimaryKillUnderLoad kills a primary with SIGKILL while 16 workers
// run on keys of every shard, and measures how soon operations on the
// dead shard's slots succeed again after the cluster reports
// cluster_state:ok, and that operations on the other shards, refused with
// CLUSTERDOWN while the cluster was down, were retried within their
// deadline rather than failed.
func TestPrimaryKillUnderLoad(t *testing.T) {
	rc := redistest.StartCluster(t, redistest.ClusterConfig{})
	primaries := mustPrimaries(t, rc)
	victim := primaries[0]
	reps, err := rc.ReplicasOf(victim)
	if err != nil || len(reps) != 1 {
		t.Fatalf("replicas of %s: %v, %v", victim.Addr(), reps, err)
	}
	var slots []int
	owner := map[int]*redistest.ClusterNode{}
	for s := 7; len(slots) < 12; s += 1361 {
		slots = append(slots, s)
		owner[s], _ = rc.PrimaryOf(s)
	}
	keys := keysOn(slots, 4)
	onVictim := func(key string) bool { return owner[redis.KeySlot(key)] == victim }
	var killedAt time.Time
	var oks []time.Time // successes on the victim's slots after the kill
	var mu sync.Mutex
	l := startLoad(t, rc, keys, 16, 5*time.Second, nil)
	l.mu.Lock()
	l.succeed = func(key string, at time.Time) {
		mu.Lock()
		defer mu.Unlock()
		if !killedAt.IsZero() && onVictim(key) && at.After(killedAt) {
			oks = append(oks, at)
		}
	}
	l.mu.Unlock()
	time.Sleep(300 * time.Millisecond)
	var before [2]cluster.Stats
	for i, c := range l.clients {
		before[i], _ = cluster.StatsOf(c)
	}
	// Every failure up to now is a test failure; from here on, only those
	// on other shards are.
	mu.Lock()
	killedAt = time.Now()
	mu.Unlock()
	if err := rc.Kill(victim); err != nil {
		t.Fatal(err)
	}
	okAt := clusterOK(t, rc, victim, reps[0], 15*time.Second)
	// Give the clients a second to recover, then stop.
	time.Sleep(time.Second)
	l.end()
	var refreshes int64
	for i, c := range l.clients {
		st, _ := cluster.StatsOf(c)
		refreshes += st.Refreshes - before[i].Refreshes
	}
	var onDead, onOthers []opFailure
	var lastDeadFail time.Time
	for _, f := range l.failed {
		if onVictim(f.key) && f.at.After(killedAt) {
			onDead = append(onDead, f)
			if f.at.After(lastDeadFail) {
				lastDeadFail = f.at
			}
		} else {
			onOthers = append(onOthers, f)
		}
	}
	// The shard resumed with the first success after its last failure.
	var resumed time.Time
	mu.Lock()
	for _, at := range oks {
		if at.After(lastDeadFail) {
			resumed = at
			break
		}
	}
	mu.Unlock()
	if resumed.IsZero() {
		t.Fatalf("operations on the dead shard never succeeded again:%s", l.summary())
	}
	recovery := resumed.Sub(okAt)
	t.Logf("killed primary %s (cluster-node-timeout 1s); failed over and cluster_state:ok %v after the kill; operations on its slots resumed %v after cluster_state:ok (negative: before every node said ok); %d operations: %d failed on the dead shard's slots, %d elsewhere; %d slot map reads by the two clients from the kill to the end (%v)",
		victim.Addr(), okAt.Sub(killedAt).Round(time.Millisecond), recovery.Round(100*time.Microsecond),
		l.ops, len(onDead), len(onOthers), refreshes, time.Since(killedAt).Round(100*time.Millisecond))
	if recovery > 300*time.Millisecond {
		t.Errorf("operations on the dead shard resumed %v after cluster_state:ok, want within 300ms", recovery)
	}
	if len(onOthers) > 0 {
		l.failed = onOthers
		t.Errorf("%d operations on other shards failed:%s", len(onOthers), l.summary())
	}
	if len(l.wrong) > 0 {
		t.Errorf("%d wrong replies, first: %s", len(l.wrong), l.wrong[0])
	}
}

// TestManualFailoverUnderLoad fails every shard over with CLUSTER FAILOVER
// while 16 workers run on keys of every shard: no operation may fail.
func TestManualFailoverUnderLoad(t *testing.T) {
	rc := redistest.StartCluster(t, redistest.ClusterConfig{})
	var slots []int
	for s := 11; len(slots) < 12; s += 1361 {
		slots = append(slots, s)
	}
	keys := keysOn(slots, 4)
	l := startLoad(t, rc, keys, 16, 5*time.Second, nil)
	time.Sleep(200 * time.Millisecond)
	var before [2]cluster.Stats
	for i, c := range l.clients {
		before[i], _ = cluster.StatsOf(c)
	}
	begin := time.Now()
	for _, p := range mustPrimaries(t, rc) {
		reps, err := rc.ReplicasOf(p)
		if err != nil || len(reps) == 0 {
			t.Fatalf("replicas of %s: %v, %v", p.Addr(), reps, err)
		}
		if err := rc.Failover(reps[0]); err != nil {
			t.Fatal(err)
		}
	}
	took := time.Since(begin)
	time.Sleep(200 * time.Millisecond)
	l.end()
	var refreshes, moved int64
	for i, c := range l.clients {
		st, _ := cluster.StatsOf(c)
		refreshes += st.Refreshes - before[i].Refreshes
		moved += st.Moved - before[i].Moved
	}
	t.Logf("3 manual failovers in %v: %d operations, %d failed, %d wrong; %d MOVED followed, %d slot map reads",
		took.Round(time.Millisecond), l.ops, len(l.failed), len(l.wrong), moved, refreshes)
	if len(l.failed) > 0 {
		t.Errorf("%d operations failed:%s", len(l.failed), l.summary())
	}
	if len(l.wrong) > 0 {
		t.Errorf("%d wrong replies, first: %s", len(l.wrong), l.wrong[0])
	}
}
