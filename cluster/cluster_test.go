package cluster_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/cluster"
	"github.com/respkit/redis/lock"
	"github.com/respkit/redis/redistest"
)

// shared is the cluster the routing tests share: 3 primaries, 3 replicas.
// Its nodes rename STRLEN to RESPKIT.STRLEN, so that the client's command
// table does not know that name and must ask the server where its keys
// are (COMMAND INFO).
var shared struct {
	once sync.Once
	c    *redistest.Cluster
	err  error
}

func TestMain(m *testing.M) {
	before := runtime.NumGoroutine()
	code := m.Run()
	if shared.c != nil {
		shared.c.Close()
	}
	// Every client is closed by now: their goroutines (readers, flushers,
	// background reads of the slot map, pub/sub lanes) must be gone. (The
	// fuzzing engine keeps goroutines of its own.)
	fuzzing := flag.Lookup("test.fuzz") != nil && flag.Lookup("test.fuzz").Value.String() != ""
	if code == 0 && !testing.Short() && !fuzzing {
		deadline := time.Now().Add(5 * time.Second)
		for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > before {
			buf := make([]byte, 1<<20)
			fmt.Fprintf(os.Stderr, "%d goroutines left running after the tests (%d before):\n%s\n", n, before, buf[:runtime.Stack(buf, true)])
			code = 1
		}
	}
	os.Exit(code)
}

func sharedCluster(t *testing.T) *redistest.Cluster {
	t.Helper()
	shared.once.Do(func() {
		shared.c, shared.err = redistest.StartClusterServer(redistest.ClusterConfig{
			Config: redistest.Config{Args: []string{"--rename-command", "STRLEN", "RESPKIT.STRLEN"}},
		})
	})
	if shared.err != nil {
		t.Fatalf("starting the shared cluster: %v", shared.err)
	}
	return shared.c
}

// newClient returns a cluster client of rc with the given protocol; mod
// may change the options.
func newClient(t *testing.T, rc *redistest.Cluster, proto int, mod func(*cluster.Options)) *redis.Client {
	t.Helper()
	o := &cluster.Options{Addrs: rc.Addrs()[:1]}
	o.Protocol = proto
	if mod != nil {
		mod(o)
	}
	c := cluster.NewClient(o)
	t.Cleanup(func() { c.Close() })
	return c
}

// protocols runs fn as a subtest under RESP2 and RESP3.
func protocols(t *testing.T, fn func(t *testing.T, proto int)) {
	for _, proto := range []int{2, 3} {
		t.Run("RESP"+strconv.Itoa(proto), func(t *testing.T) { fn(t, proto) })
	}
}

// ownerHas reports whether the node that owns key's slot holds key,
// asking it directly.
func ownerHas(t *testing.T, rc *redistest.Cluster, key string) bool {
	t.Helper()
	n, err := rc.PrimaryOf(redis.KeySlot(key))
	if err != nil {
		t.Fatal(err)
	}
	v, err := rc.Do(n, "EXISTS", key)
	if err != nil {
		t.Fatalf("EXISTS %s on %s: %v", key, n.Addr(), err)
	}
	return v == int64(1)
}

func TestRouting(t *testing.T) {
	rc := sharedCluster(t)
	protocols(t, func(t *testing.T, proto int) {
		ctx := context.Background()
		c := newClient(t, rc, proto, nil)
		p := fmt.Sprintf("route%d:", proto)
		// Keys spread over every primary; each write must land on its
		// slot's owner and each read must find it.
		for i := range 60 {
			k := p + strconv.Itoa(i)
			if err := c.Set(ctx, k, "v"+strconv.Itoa(i)); err != nil {
				t.Fatalf("SET %s: %v", k, err)
			}
			if !ownerHas(t, rc, k) {
				t.Fatalf("%s (slot %d) is not on its slot's owner", k, redis.KeySlot(k))
			}
			got, err := c.Get(ctx, k)
			if err != nil || got != "v"+strconv.Itoa(i) {
				t.Fatalf("GET %s = %q, %v", k, got, err)
			}
		}
		// One command of each group, on keys of different shards.
		if _, err := c.HSet(ctx, p+"h", redis.HashField{Field: "f", Value: "1"}); err != nil {
			t.Fatal(err)
		}
		if v, err := c.HGet(ctx, p+"h", "f"); err != nil || v != "1" {
			t.Fatalf("HGET = %q, %v", v, err)
		}
		if _, err := c.RPush(ctx, p+"l", "a", "b"); err != nil {
			t.Fatal(err)
		}
		if v, err := c.LRange(ctx, p+"l", 0, -1); err != nil || !slices.Equal(v, []string{"a", "b"}) {
			t.Fatalf("LRANGE = %q, %v", v, err)
		}
		if _, err := c.SAdd(ctx, p+"s", "x"); err != nil {
			t.Fatal(err)
		}
		if ok, err := c.SIsMember(ctx, p+"s", "x"); err != nil || !ok {
			t.Fatalf("SISMEMBER = %v, %v", ok, err)
		}
		if _, err := c.ZAdd(ctx, p+"z", []redis.Z{{Member: "m", Score: 2}}); err != nil {
			t.Fatal(err)
		}
		if sc, err := c.ZScore(ctx, p+"z", "m"); err != nil || sc != 2 {
			t.Fatalf("ZSCORE = %v, %v", sc, err)
		}
		if _, err := c.PFAdd(ctx, p+"hll", "a", "b"); err != nil {
			t.Fatal(err)
		}
		if _, err := c.XAdd(ctx, p+"x", "*", []redis.XValue{{Name: "f", Value: "v"}}); err != nil {
			t.Fatal(err)
		}
		if n, err := c.XLen(ctx, p+"x"); err != nil || n != 1 {
			t.Fatalf("XLEN = %d, %v", n, err)
		}
		for _, k := range []string{p + "h", p + "l", p + "s", p + "z", p + "hll", p + "x"} {
			if !ownerHas(t, rc, k) {
				t.Errorf("%s is not on its slot's owner", k)
			}
		}

		// Hash tags keep keys together; multi-key commands work on them.
		tag := "{" + p + "user}"
		if err := c.MSet(ctx, redis.KeyValue{Key: tag + "a", Value: "1"}, redis.KeyValue{Key: tag + "b", Value: "2"}); err != nil {
			t.Fatalf("MSET with a hash tag: %v", err)
		}
		vals, err := c.MGet(ctx, tag+"a", tag+"b")
		if err != nil || len(vals) != 2 || vals[0].V != "1" || vals[1].V != "2" {
			t.Fatalf("MGET = %v, %v", vals, err)
		}

		// Keys in different slots: an error before anything is sent.
		a, b := p+"a", p+"b"
		if redis.KeySlot(a) == redis.KeySlot(b) {
			t.Fatal("test keys share a slot")
		}
		_, err = c.MGet(ctx, a, b)
		var cse *redis.CrossSlotError
		if !errors.As(err, &cse) || cse.Slot == cse.OtherSlot {
			t.Fatalf("MGET across slots: err = %v, want a *redis.CrossSlotError", err)
		}

		// A raw Do routes by the table's key positions...
		if err := c.Do(ctx, "SET", p+"raw", "x").Err(); err != nil {
			t.Fatal(err)
		}
		if !ownerHas(t, rc, p+"raw") {
			t.Errorf("raw SET did not land on the owner")
		}
		// ... and a command the table does not know by the server's
		// COMMAND INFO (STRLEN renamed on the nodes).
		for i := range 20 {
			k := p + "len" + strconv.Itoa(i)
			if err := c.Set(ctx, k, "abcde"); err != nil {
				t.Fatal(err)
			}
			n, err := c.Do(ctx, "RESPKIT.STRLEN", k).Int64()
			if err != nil || n != 5 {
				t.Fatalf("RESPKIT.STRLEN %s = %d, %v", k, n, err)
			}
		}
	})
}

func TestPipelineEveryPrimary(t *testing.T) {
	rc := sharedCluster(t)
	protocols(t, func(t *testing.T, proto int) {
		ctx := context.Background()
		c := newClient(t, rc, proto, nil)
		prefix := fmt.Sprintf("pipe%d:", proto)
		slotsOwner := map[string]bool{}
		p := c.Pipeline()
		var incrs []*redis.Reply[int64]
		var gets []*redis.Reply[string]
		const n = 300
		for i := range n {
			k := prefix + strconv.Itoa(i)
			owner, err := rc.PrimaryOf(redis.KeySlot(k))
			if err != nil {
				t.Fatal(err)
			}
			slotsOwner[owner.Addr()] = true
			p.Set(k, strconv.Itoa(i))
			incrs = append(incrs, p.Incr(k))
			gets = append(gets, p.Get(k))
		}
		if len(slotsOwner) != 3 {
			t.Fatalf("the pipeline touches %d primaries, want 3", len(slotsOwner))
		}
		if err := p.Exec(ctx); err != nil {
			t.Fatal(err)
		}
		for i := range n {
			if v, err := incrs[i].Result(); err != nil || v != int64(i+1) {
				t.Fatalf("INCR %d = %d, %v", i, v, err)
			}
			if v, err := gets[i].Result(); err != nil || v != strconv.Itoa(i+1) {
				t.Fatalf("GET %d = %q, %v", i, v, err)
			}
		}
	})
}

func TestTransactions(t *testing.T) {
	rc := sharedCluster(t)
	protocols(t, func(t *testing.T, proto int) {
		ctx := context.Background()
		c := newClient(t, rc, proto, nil)
		tag := fmt.Sprintf("{tx%d}", proto)
		// A transaction on one slot.
		tx := c.TxPipeline()
		tx.Set(tag+"a", "1")
		inc := tx.IncrBy(tag+"a", 4)
		if err := tx.Exec(ctx); err != nil {
			t.Fatal(err)
		}
		if v, err := inc.Result(); err != nil || v != 5 {
			t.Fatalf("INCRBY in MULTI = %d, %v", v, err)
		}
		// Across slots: refused before anything is sent.
		tx = c.TxPipeline()
		tx.Set(fmt.Sprintf("tx%da", proto), "1")
		tx.Set(fmt.Sprintf("tx%db", proto), "1")
		err := tx.Exec(ctx)
		var cse *redis.CrossSlotError
		if !errors.As(err, &cse) {
			t.Fatalf("MULTI across slots: err = %v, want a *redis.CrossSlotError", err)
		}
		if n, err := c.Exists(ctx, fmt.Sprintf("tx%da", proto)); err != nil || n != 0 {
			t.Fatalf("a refused transaction wrote: EXISTS = %d, %v", n, err)
		}
		// Watch on one slot, with the optimistic retry.
		if err := c.Set(ctx, tag+"n", "10"); err != nil {
			t.Fatal(err)
		}
		err = c.Watch(ctx, func(tx *redis.Tx) error {
			n, err := tx.Conn().Do(ctx, "GET", tag+"n").Text()
			if err != nil {
				return err
			}
			v, _ := strconv.Atoi(n)
			return tx.Pipelined(ctx, func(p *redis.Pipeline) error {
				p.Set(tag+"n", strconv.Itoa(v*2))
				p.Set(tag+"m", "done")
				return nil
			})
		}, tag+"n", tag+"m")
		if err != nil {
			t.Fatalf("Watch: %v", err)
		}
		if v, err := c.Get(ctx, tag+"n"); err != nil || v != "20" {
			t.Fatalf("after Watch: %q, %v", v, err)
		}
		err = c.Watch(ctx, func(tx *redis.Tx) error { return nil }, fmt.Sprintf("w%da", proto), fmt.Sprintf("w%db", proto))
		if !errors.As(err, &cse) {
			t.Fatalf("Watch across slots: err = %v, want a *redis.CrossSlotError", err)
		}
	})
}

func TestFanOut(t *testing.T) {
	rc := sharedCluster(t)
	protocols(t, func(t *testing.T, proto int) {
		ctx := context.Background()
		c := newClient(t, rc, proto, nil)
		if err := c.FlushAll(ctx); err != nil {
			t.Fatalf("FLUSHALL: %v", err)
		}
		const n = 90
		for i := range n {
			if err := c.Set(ctx, "fan:"+strconv.Itoa(i), "x"); err != nil {
				t.Fatal(err)
			}
		}
		size, err := c.DBSize(ctx)
		if err != nil || size != n {
			t.Fatalf("DBSIZE = %d, %v; want %d summed over the primaries", size, err, n)
		}
		keys, err := c.Keys(ctx, "fan:*")
		if err != nil || len(keys) != n {
			t.Fatalf("KEYS = %d keys, %v; want %d merged", len(keys), err, n)
		}
		var scanned []string
		for k, err := range c.Scan(ctx, redis.ScanOptions{Match: "fan:*"}) {
			if err != nil {
				t.Fatal(err)
			}
			scanned = append(scanned, k)
		}
		slices.Sort(scanned)
		scanned = slices.Compact(scanned)
		if len(scanned) != n {
			t.Fatalf("Scan found %d keys, want %d over every primary", len(scanned), n)
		}
		if err := c.Ping(ctx); err != nil {
			t.Fatalf("PING: %v", err)
		}
		// SCRIPT LOAD goes to every node; EVALSHA then finds it wherever
		// its key lives.
		sha, err := c.ScriptLoad(ctx, "return redis.call('GET', KEYS[1])")
		if err != nil {
			t.Fatal(err)
		}
		for i := range 10 {
			k := "fan:" + strconv.Itoa(i)
			r, err := c.EvalSHA(ctx, sha, []string{k})
			if err != nil {
				t.Fatalf("EVALSHA on %s: %v", k, err)
			}
			if s, _ := r.Text(); s != "x" {
				t.Fatalf("EVALSHA on %s = %q", k, s)
			}
		}
		have, err := c.ScriptExists(ctx, sha, "0000000000000000000000000000000000000000")
		if err != nil || !slices.Equal(have, []bool{true, false}) {
			t.Fatalf("SCRIPT EXISTS = %v, %v", have, err)
		}
		// FUNCTION LOAD goes to every primary; FCALL then runs wherever
		// its key lives.
		lib := fmt.Sprintf("cllib%d", proto)
		code := fmt.Sprintf("#!lua name=%s\nredis.register_function('%s_get', function(keys) return redis.call('GET', keys[1]) end)", lib, lib)
		if _, err := c.FunctionLoad(ctx, code); err != nil {
			t.Fatalf("FUNCTION LOAD: %v", err)
		}
		for i := range 10 {
			k := "fan:" + strconv.Itoa(i)
			r, err := c.FCall(ctx, lib+"_get", []string{k})
			if s, _ := r.Text(); err != nil || s != "x" {
				t.Fatalf("FCALL on %s = %q, %v", k, s, err)
			}
		}
		if err := c.FunctionDelete(ctx, lib); err != nil {
			t.Fatalf("FUNCTION DELETE: %v", err)
		}
		// Script.Run loads the script on the node that runs it.
		s := redis.NewScript(fmt.Sprintf("return %d + tonumber(redis.call('INCR', KEYS[1]))", proto))
		for i := range 12 {
			k := "script:" + strconv.Itoa(i)
			r, err := s.Run(ctx, c, []string{k})
			if err != nil {
				t.Fatalf("Script.Run on %s: %v", k, err)
			}
			if v, _ := r.Int64(); v != int64(proto+1) {
				t.Fatalf("Script.Run on %s = %d", k, v)
			}
		}
		// RANDOMKEY finds the one key there is, whichever shard has it.
		for _, slot := range []int{100, 6000, 12000} {
			if err := c.FlushAll(ctx); err != nil {
				t.Fatal(err)
			}
			k := redistest.SlotTag(slot) + "only"
			if err := c.Set(ctx, k, "x"); err != nil {
				t.Fatal(err)
			}
			for range 3 {
				if got, err := c.RandomKey(ctx); err != nil || got != k {
					t.Fatalf("RANDOMKEY with one key, in slot %d = %q, %v", slot, got, err)
				}
			}
		}
		// The callbacks run concurrently, one per shard.
		var primaries, replicas atomic.Int64
		err = c.ForEachPrimary(ctx, func(ctx context.Context, p *redis.Client) error {
			primaries.Add(1)
			return p.Ping(ctx)
		})
		if err != nil || primaries.Load() != 3 {
			t.Fatalf("ForEachPrimary: %d primaries, %v", primaries.Load(), err)
		}
		err = c.ForEachShard(ctx, func(ctx context.Context, s redis.Shard) error {
			replicas.Add(int64(len(s.Replicas)))
			return nil
		})
		if err != nil || replicas.Load() != 3 {
			t.Fatalf("ForEachShard: %d replicas, %v", replicas.Load(), err)
		}
	})
}

func TestSplitMultiKey(t *testing.T) {
	rc := sharedCluster(t)
	protocols(t, func(t *testing.T, proto int) {
		ctx := context.Background()
		c := newClient(t, rc, proto, func(o *cluster.Options) { o.SplitMultiKey = true })
		var keys []string
		var pairs []redis.KeyValue
		for i := range 12 {
			k := fmt.Sprintf("split%d:%d", proto, i)
			keys = append(keys, k)
			pairs = append(pairs, redis.KeyValue{Key: k, Value: "v" + strconv.Itoa(i)})
		}
		if err := c.MSet(ctx, pairs...); err != nil {
			t.Fatalf("MSET across slots: %v", err)
		}
		vals, err := c.MGet(ctx, append(keys, "split-missing")...)
		if err != nil || len(vals) != len(keys)+1 {
			t.Fatalf("MGET = %v, %v", vals, err)
		}
		for i := range keys {
			if !vals[i].Valid || vals[i].V != "v"+strconv.Itoa(i) {
				t.Fatalf("MGET[%d] = %+v, want v%d (in the order of the keys)", i, vals[i], i)
			}
		}
		if vals[len(keys)].Valid {
			t.Fatalf("MGET of a missing key = %+v", vals[len(keys)])
		}
		if n, err := c.Exists(ctx, keys...); err != nil || n != int64(len(keys)) {
			t.Fatalf("EXISTS = %d, %v", n, err)
		}
		if n, err := c.Del(ctx, keys...); err != nil || n != int64(len(keys)) {
			t.Fatalf("DEL = %d, %v (summed over the slots)", n, err)
		}
	})
}

func TestLockOnCluster(t *testing.T) {
	rc := sharedCluster(t)
	ctx := context.Background()
	c := newClient(t, rc, 3, nil)
	l := lock.New(c, "{jobs}.nightly", lock.Options{TTL: 2 * time.Second})
	if err := l.Acquire(ctx); err != nil {
		t.Fatalf("Acquire: %v", err)
	}
	other := lock.New(c, "{jobs}.nightly", lock.Options{TTL: 2 * time.Second})
	if ok, err := other.TryAcquire(ctx); err != nil || ok {
		t.Fatalf("a second holder: %v, %v", ok, err)
	}
	if err := l.Release(ctx); err != nil {
		t.Fatalf("Release: %v", err)
	}
	if ok, err := other.TryAcquire(ctx); err != nil || !ok {
		t.Fatalf("after Release: %v, %v", ok, err)
	}
	other.Release(ctx)
}

func TestReadFromReplicas(t *testing.T) {
	rc := sharedCluster(t)
	ctx := context.Background()
	for _, rf := range []cluster.ReadFrom{cluster.ReadReplicaRandom, cluster.ReadReplicaRoundRobin, cluster.ReadLowestLatency} {
		t.Run(rf.String(), func(t *testing.T) {
			replicas, err := rc.Replicas()
			if err != nil {
				t.Fatal(err)
			}
			before := replicaReads(t, rc, replicas)
			c := newClient(t, rc, 3, func(o *cluster.Options) { o.ReadFrom = rf })
			for i := range 60 {
				k := "rr:" + strconv.Itoa(i)
				if err := c.Set(ctx, k, "v"); err != nil {
					t.Fatal(err)
				}
			}
			for _, p := range mustPrimaries(t, rc) {
				rc.Do(p, "WAIT", "1", "1000")
			}
			for i := range 60 {
				k := "rr:" + strconv.Itoa(i)
				if v, err := c.Get(ctx, k); err != nil || v != "v" {
					t.Fatalf("GET %s from a replica = %q, %v", k, v, err)
				}
			}
			after := replicaReads(t, rc, replicas)
			if after <= before {
				t.Fatalf("replicas served %d GETs, want some", after-before)
			}
			t.Logf("replicas served %d of 60 GETs", after-before)
		})
	}
}

func mustPrimaries(t *testing.T, rc *redistest.Cluster) []*redistest.ClusterNode {
	p, err := rc.Primaries()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// replicaReads sums the GET calls the replicas have served.
func replicaReads(t *testing.T, rc *redistest.Cluster, replicas []*redistest.ClusterNode) int {
	total := 0
	for _, r := range replicas {
		v, err := rc.Do(r, "INFO", "commandstats")
		if err != nil {
			t.Fatal(err)
		}
		s, _ := v.(string)
		var calls int
		for _, line := range splitLines(s) {
			if _, err := fmt.Sscanf(line, "cmdstat_get:calls=%d", &calls); err == nil {
				total += calls
			}
		}
	}
	return total
}

func splitLines(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// TestPubSubClassic subscribes through the cluster client (any node) and
// publishes through it (any primary): Redis Cluster carries classic
// messages to every node.
func TestPubSubClassic(t *testing.T) {
	rc := sharedCluster(t)
	protocols(t, func(t *testing.T, proto int) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c := newClient(t, rc, proto, nil)
		ch := fmt.Sprintf("news%d", proto)
		ps, err := c.PSubscribe(ctx, ch+".*")
		if err != nil {
			t.Fatal(err)
		}
		defer ps.Close()
		if err := ps.Subscribe(ctx, ch); err != nil {
			t.Fatal(err)
		}
		for i := range 6 {
			if _, err := c.Publish(ctx, ch, "m"+strconv.Itoa(i)); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Publish(ctx, ch+".x", "p"+strconv.Itoa(i)); err != nil {
				t.Fatal(err)
			}
		}
		// Each channel's messages arrive in the order published (the two
		// channels' messages may interleave: they may pass through
		// different nodes).
		got := map[string][]string{}
		for n := 0; n < 12; n++ {
			m, err := ps.ReceiveMessage(ctx)
			if err != nil {
				t.Fatalf("after %d messages: %v", n, err)
			}
			got[m.Channel] = append(got[m.Channel], m.Payload)
		}
		if want := []string{"m0", "m1", "m2", "m3", "m4", "m5"}; !slices.Equal(got[ch], want) {
			t.Fatalf("messages on %s: %q, want %q", ch, got[ch], want)
		}
		if want := []string{"p0", "p1", "p2", "p3", "p4", "p5"}; !slices.Equal(got[ch+".x"], want) {
			t.Fatalf("messages on %s.x: %q, want %q", ch, got[ch+".x"], want)
		}
	})
}

// TestTLSCluster runs a client over TLS with a client certificate and a
// password against nodes that accept TLS only: every node it discovers,
// replicas included, must be dialled with the seed's TLS settings and
// credentials (a plaintext or unauthenticated dial would fail).
func TestTLSCluster(t *testing.T) {
	const pass = "s3cret"
	rc := redistest.StartCluster(t, redistest.ClusterConfig{
		Config: redistest.Config{TLS: true, TLSAuthClients: "yes", Password: pass},
	})
	seed := rc.Nodes()[0]
	protocols(t, func(t *testing.T, proto int) {
		ctx := context.Background()
		c := newClient(t, rc, proto, func(o *cluster.Options) {
			o.TLSConfig = seed.ClientTLSConfig()
			o.Password = pass
			o.ReadFrom = cluster.ReadReplicaRoundRobin
		})
		p := c.Pipeline()
		var gets []*redis.Reply[string]
		for i := range 30 {
			k := fmt.Sprintf("tls%d:%d", proto, i)
			if err := c.Set(ctx, k, k); err != nil {
				t.Fatalf("SET %s over TLS: %v", k, err)
			}
			gets = append(gets, p.Get(k))
		}
		for _, pr := range mustPrimaries(t, rc) {
			rc.Do(pr, "WAIT", "1", "1000")
		}
		if err := p.Exec(ctx); err != nil {
			t.Fatalf("pipeline over TLS (reads from replicas): %v", err)
		}
		for i, g := range gets {
			if v, err := g.Result(); err != nil || v != fmt.Sprintf("tls%d:%d", proto, i) {
				t.Fatalf("GET %d = %q, %v", i, v, err)
			}
		}
		if size, err := c.DBSize(ctx); err != nil || size < 30 {
			t.Fatalf("DBSIZE over TLS = %d, %v", size, err)
		}
	})
	if got := fmt.Sprintf("%v %+v", cluster.Options{Options: redis.Options{Password: pass}}, cluster.Options{Options: redis.Options{Password: pass}}); strings.Contains(got, pass) {
		t.Errorf("cluster.Options print the password: %s", got)
	}
}

// TestModuleCommandRouting checks that module commands, which the command
// table knows (internal/gen/modules.json), go to the node owning their
// keys. The cluster's nodes have no modules, so each command is answered
// "unknown command" — by the node it was sent to, which is what the test
// counts (INFO errorstats): every error on the owner, no MOVED.
func TestModuleCommandRouting(t *testing.T) {
	rc := sharedCluster(t)
	ctx := context.Background()
	primaries := mustPrimaries(t, rc)
	errCount := func(n *redistest.ClusterNode) int {
		v, err := rc.Do(n, "INFO", "errorstats")
		if err != nil {
			t.Fatal(err)
		}
		for _, ln := range splitLines(v.(string)) {
			if rest, ok := strings.CutPrefix(strings.TrimSpace(ln), "errorstat_ERR:count="); ok {
				n, err := strconv.Atoi(rest)
				if err != nil {
					t.Fatalf("INFO errorstats line %q: %v", ln, err)
				}
				return n
			}
		}
		return 0
	}
	protocols(t, func(t *testing.T, proto int) {
		c := newClient(t, rc, proto, nil)
		// Connect to every primary first: a handshake on Redis 7.0 adds
		// an error of its own (CLIENT SETINFO is newer).
		if err := c.ForEachPrimary(ctx, func(ctx context.Context, p *redis.Client) error { return p.Ping(ctx) }); err != nil {
			t.Fatal(err)
		}
		before := map[string]int{}
		for _, n := range primaries {
			before[n.Addr()] = errCount(n)
		}
		want := map[string]int{}
		keys := 0
		for i := range 30 {
			k := fmt.Sprintf("modroute%d:%d", proto, i)
			owner, err := rc.PrimaryOf(redis.KeySlot(k))
			if err != nil {
				t.Fatal(err)
			}
			args := [][]any{{"JSON.GET", k, "$"}, {"JSON.SET", k, "$", "{}"}, {"TS.ADD", k, "*", 1}, {"BF.ADD", k, "x"}}[i%4]
			err = c.Do(ctx, args...).Err()
			var re *redis.Error
			if !errors.As(err, &re) || !strings.Contains(re.Msg, "unknown command") {
				t.Fatalf("%v: err = %v, want the node's unknown-command error", args, err)
			}
			want[owner.Addr()]++
			keys++
		}
		// Several keys of one slot in one command route as one; keys of
		// different slots are refused before anything is sent.
		tag := fmt.Sprintf("{modroute%d}", proto)
		owner, err := rc.PrimaryOf(redis.KeySlot(tag))
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Do(ctx, "JSON.MGET", tag+"a", tag+"b", "$").Err(); err == nil || !strings.Contains(err.Error(), "unknown command") {
			t.Fatalf("JSON.MGET with a hash tag: %v", err)
		}
		want[owner.Addr()]++
		var cse *redis.CrossSlotError
		if err := c.Do(ctx, "JSON.MSET", "a", "$", "1", "b", "$", "2").Err(); !errors.As(err, &cse) {
			t.Fatalf("JSON.MSET across slots: err = %v, want a *redis.CrossSlotError", err)
		}
		for _, n := range primaries {
			if got := errCount(n) - before[n.Addr()]; got != want[n.Addr()] {
				t.Errorf("%s answered %d unknown-command errors, want %d (the commands on keys it owns)", n.Addr(), got, want[n.Addr()])
			}
		}
		if s, _ := cluster.StatsOf(c); s.Moved != 0 || s.Asked != 0 {
			t.Errorf("module commands were redirected: %+v", s)
		}
		t.Logf("%d module commands on %d primaries, each answered by its keys' owner", keys+1, len(primaries))
	})
}
