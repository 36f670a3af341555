package redistest_test

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/respkit/redis/redistest"
)

// startCluster starts a cluster and logs how long it took to be ready.
func startCluster(t *testing.T, cfg redistest.ClusterConfig) *redistest.Cluster {
	t.Helper()
	start := time.Now()
	c := redistest.StartCluster(t, cfg)
	t.Logf("cluster of %d nodes ready after %v", len(c.Nodes()), time.Since(start).Round(time.Millisecond))
	return c
}

func check(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// timed runs fn, fails the test on error and logs the duration.
func timed(t testing.TB, what string, fn func() error) {
	t.Helper()
	start := time.Now()
	if err := fn(); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	t.Logf("%s took %v", what, time.Since(start).Round(time.Millisecond))
}

func expectNodes(t testing.TB, c *redistest.Cluster, what string, got []*redistest.ClusterNode, err error, want ...*redistest.ClusterNode) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("%s = %v, want %v", what, addrs(got), addrs(want))
	}
}

func addrs(nodes []*redistest.ClusterNode) []string {
	out := make([]string, len(nodes))
	for i, n := range nodes {
		out[i] = n.Addr()
	}
	return out
}

func expectOwner(t testing.TB, c *redistest.Cluster, slot int, want *redistest.ClusterNode) {
	t.Helper()
	got, err := c.PrimaryOf(slot)
	check(t, err)
	if got != want {
		t.Fatalf("PrimaryOf(%d) = %s, want %s", slot, got.Addr(), want.Addr())
	}
}

// doString is Cluster.Do for commands with a string or integer reply,
// error replies included ("-ERR ..."), as the raw test client renders them.
func doString(t testing.TB, c *redistest.Cluster, n *redistest.ClusterNode, args ...string) string {
	t.Helper()
	v, err := c.Do(n, args...)
	var re redistest.ReplyError
	switch {
	case errors.As(err, &re):
		return "-" + string(re)
	case err != nil:
		t.Fatalf("%v on %s: %v", args, n.Addr(), err)
	}
	switch v := v.(type) {
	case string:
		return v
	case int64:
		return ":" + strconv.FormatInt(v, 10)
	case nil:
		return "(nil)"
	}
	t.Fatalf("%v on %s: unexpected reply %#v", args, n.Addr(), v)
	return ""
}

func TestKeySlot(t *testing.T) {
	t.Parallel()
	for key, want := range map[string]int{
		"123456789":            12739, // CRC16/XMODEM check value 0x31C3
		"foo":                  12182,
		"{user1000}.following": redistest.KeySlot("user1000"),
		"foo{}{bar}":           redistest.KeySlot("foo{}{bar}"),
		"foo{{bar}}zap":        redistest.KeySlot("{bar"),
		"{}":                   redistest.KeySlot("{}"),
		"":                     0,
	} {
		if got := redistest.KeySlot(key); got != want {
			t.Errorf("KeySlot(%q) = %d, want %d", key, got, want)
		}
	}
	if redistest.KeySlot("foo{}{bar}") == redistest.KeySlot("bar") {
		t.Error("an empty first tag must not make the second one count")
	}
	for _, slot := range []int{0, 1, 5460, 5461, 16383} {
		tag := redistest.SlotTag(slot)
		if got := redistest.KeySlot(tag + ":x"); got != slot {
			t.Errorf("KeySlot(SlotTag(%d)+\":x\") = %d", slot, got)
		}
	}
}

func TestClusterConfigErrors(t *testing.T) {
	t.Parallel()
	for _, cfg := range []redistest.ClusterConfig{
		{Primaries: -1},
		{Primaries: redistest.ClusterSlots + 1},
		{NodeTimeout: time.Microsecond},
	} {
		if c, err := redistest.StartClusterServer(cfg); err == nil {
			c.Close()
			t.Errorf("StartClusterServer(%+v) succeeded", cfg)
		}
	}
}

// TestCluster runs the non-destructive checks on one cluster; the subtests
// run in order and each leaves the cluster OK.
func TestCluster(t *testing.T) {
	t.Parallel()
	c := startCluster(t, redistest.ClusterConfig{})
	nodes := c.Nodes()
	if len(nodes) != 6 {
		t.Fatalf("%d nodes, want 6", len(nodes))
	}

	t.Run("Layout", func(t *testing.T) {
		if got := c.Addrs(); !slices.Equal(got, addrs(nodes)) {
			t.Fatalf("Addrs() = %v, want %v", got, addrs(nodes))
		}
		ps, err := c.Primaries()
		expectNodes(t, c, "Primaries()", ps, err, nodes[:3]...)
		rs, err := c.Replicas()
		expectNodes(t, c, "Replicas()", rs, err, nodes[3:]...)
		for i := range 3 {
			rs, err := c.ReplicasOf(nodes[i])
			expectNodes(t, c, fmt.Sprintf("ReplicasOf(node %d)", i), rs, err, nodes[3+i])
		}
		ranges, err := c.Slots()
		check(t, err)
		want := [][2]int{{0, 5460}, {5461, 10922}, {10923, 16383}}
		if len(ranges) != 3 {
			t.Fatalf("Slots() = %+v", ranges)
		}
		for i, r := range ranges {
			if r.Start != want[i][0] || r.End != want[i][1] || r.Primary != nodes[i] || !slices.Equal(r.Replicas, nodes[3+i:4+i]) {
				t.Errorf("Slots()[%d] = %d-%d %s %v", i, r.Start, r.End, r.Primary.Addr(), addrs(r.Replicas))
			}
		}
		expectOwner(t, c, 0, nodes[0])
		expectOwner(t, c, 10922, nodes[1])
		expectOwner(t, c, 16383, nodes[2])
		if _, err := c.PrimaryOf(redistest.ClusterSlots); err == nil {
			t.Error("PrimaryOf(16384) succeeded")
		}
		for _, n := range nodes {
			id := c.NodeID(n)
			expect(t, doString(t, c, n, "CLUSTER", "MYID"), id)
			if c.NodeByID(id) != n || c.NodeByAddr(n.Addr()) != n {
				t.Errorf("NodeByID/NodeByAddr do not find %s", n.Addr())
			}
		}
		if c.NodeByID("nope") != nil || c.NodeByAddr("127.0.0.1:1") != nil {
			t.Error("NodeByID/NodeByAddr found a stranger")
		}
		// The settings StartCluster promises.
		v, err := c.Do(nodes[0], "CONFIG", "GET", "cluster-node-timeout")
		check(t, err)
		if fmt.Sprint(v) != "[cluster-node-timeout 1000]" {
			t.Errorf("CONFIG GET cluster-node-timeout = %v", v)
		}

		// Writes go to the owner; others redirect, replicas too.
		key := redistest.SlotTag(100) + ":k"
		expect(t, dialTCP(t, nodes[0].Addr()).must("SET", key, "v"), "+OK")
		expect(t, dialTCP(t, nodes[1].Addr()).must("GET", key), "-MOVED 100 "+nodes[0].Addr())
		expect(t, dialTCP(t, nodes[3].Addr()).must("GET", key), "-MOVED 100 "+nodes[0].Addr())

		var re redistest.ReplyError
		if _, err := c.Do(nodes[1], "GET", key); !errors.As(err, &re) || !strings.HasPrefix(string(re), "MOVED 100 ") {
			t.Errorf("Do(GET) on the wrong node: %v", err)
		}
		other := redistest.StartClusterNode(t, redistest.Config{})
		if _, err := c.Do(other, "PING"); err == nil {
			t.Error("Do accepted a node of another cluster")
		}
		check(t, c.WaitOK())
	})

	t.Run("MigrateSlot", func(t *testing.T) {
		const slot, keys = 42, 250 // more than one MIGRATE batch
		tag := redistest.SlotTag(slot)
		for i := range keys {
			expect(t, doString(t, c, nodes[0], "SET", tag+strconv.Itoa(i), strconv.Itoa(i)), "OK")
		}
		timed(t, "MigrateSlot of 250 keys", func() error { return c.MigrateSlot(slot, nodes[1]) })
		expectOwner(t, c, slot, nodes[1])
		expect(t, doString(t, c, nodes[1], "CLUSTER", "COUNTKEYSINSLOT", strconv.Itoa(slot)), ":250")
		expect(t, doString(t, c, nodes[0], "CLUSTER", "COUNTKEYSINSLOT", strconv.Itoa(slot)), ":0")
		expect(t, doString(t, c, nodes[1], "GET", tag+"7"), "7")
		expect(t, doString(t, c, nodes[0], "GET", tag+"7"), "-MOVED 42 "+nodes[1].Addr())
		// Every node agrees, replicas included.
		for _, n := range nodes {
			expect(t, doString(t, c, n, "GET", tag+"7")[:1], map[bool]string{true: "7", false: "-"}[n == nodes[1]])
		}
		if err := c.MigrateSlot(slot, nodes[1]); err == nil {
			t.Error("MigrateSlot to the owner succeeded")
		}
		if _, err := c.BeginMigration(slot, nodes[1]); err == nil {
			t.Error("BeginMigration to the owner succeeded")
		}
		timed(t, "MigrateSlots of 3 empty slots back", func() error { return c.MigrateSlots([]int{slot, 43, 44}, nodes[2]) })
		for _, s := range []int{slot, 43, 44} {
			expectOwner(t, c, s, nodes[2])
		}
		if err := c.MigrateSlots([]int{slot, 43, 44}, nodes[0]); err != nil {
			t.Fatal(err)
		}
		expectOwner(t, c, slot, nodes[0])
		expect(t, doString(t, c, nodes[0], "GET", tag+"249"), "249")
	})

	t.Run("StepwiseMigration", func(t *testing.T) {
		const slot = 6000
		src, dst := nodes[1], nodes[2]
		a, b := redistest.SlotTag(slot)+"a", redistest.SlotTag(slot)+"b"
		expect(t, doString(t, c, src, "SET", a, "va"), "OK")
		expect(t, doString(t, c, src, "SET", b, "vb"), "OK")

		start := time.Now()
		m, err := c.BeginMigration(slot, dst)
		check(t, err)
		if m.Slot() != slot || m.Source() != src || m.Target() != dst {
			t.Fatalf("Migration of %d from %s to %s", m.Slot(), m.Source().Addr(), m.Target().Addr())
		}
		// Nothing moved yet: the source serves both keys, the target
		// redirects even with ASKING since it has none.
		conn := dialTCP(t, src.Addr())
		expect(t, conn.must("GET", a), "va")
		moved, err := m.MoveKeys(1)
		check(t, err)
		if moved != 1 {
			t.Fatalf("MoveKeys(1) = %d", moved)
		}
		gone, kept, keptVal := a, b, "vb"
		if conn.must("GET", a) == "va" {
			gone, kept, keptVal = b, a, "va"
		}
		ask := fmt.Sprintf("-ASK %d %s", slot, dst.Addr())
		expect(t, conn.must("GET", gone), ask)
		expect(t, conn.must("GET", kept), keptVal)
		expectPrefix(t, conn.must("MGET", a, b), "-TRYAGAIN")
		// Writes of new keys also go to the target.
		expect(t, conn.must("SET", redistest.SlotTag(slot)+"new", "x"), ask)

		tc := dialTCP(t, dst.Addr())
		expect(t, tc.must("GET", gone), fmt.Sprintf("-MOVED %d %s", slot, src.Addr()))
		expect(t, tc.must("ASKING"), "+OK")
		expect(t, tc.must("GET", gone), map[string]string{a: "va", b: "vb"}[gone])
		expectOwner(t, c, slot, src)

		check(t, m.Finish())
		t.Logf("step-wise migration of 2 keys took %v", time.Since(start).Round(time.Millisecond))
		expect(t, conn.must("GET", kept), fmt.Sprintf("-MOVED %d %s", slot, dst.Addr()))
		expect(t, tc.must("GET", kept), keptVal)
		expect(t, tc.must("GET", gone), map[string]string{a: "va", b: "vb"}[gone])
		expectOwner(t, c, slot, dst)
		if _, err := m.MoveKeys(0); err == nil {
			t.Error("MoveKeys after Finish succeeded")
		}
		if err := m.Finish(); err == nil {
			t.Error("second Finish succeeded")
		}
	})

	t.Run("Failover", func(t *testing.T) {
		old := nodes[0]
		rs, err := c.ReplicasOf(old)
		expectNodes(t, c, "ReplicasOf(node 0)", rs, err, nodes[3])
		replica := rs[0]
		key := redistest.SlotTag(1) + ":fo"
		expect(t, doString(t, c, old, "SET", key, "1"), "OK")

		timed(t, "Failover", func() error { return c.Failover(replica) })
		ps, err := c.Primaries()
		expectNodes(t, c, "Primaries()", ps, err, nodes[1], nodes[2], nodes[3])
		rs, err = c.Replicas()
		expectNodes(t, c, "Replicas()", rs, err, nodes[0], nodes[4], nodes[5])
		rs, err = c.ReplicasOf(replica)
		expectNodes(t, c, "ReplicasOf(new primary)", rs, err, old)
		expectOwner(t, c, 1, replica)
		expect(t, doString(t, c, replica, "GET", key), "1")
		expect(t, doString(t, c, old, "GET", key), "-MOVED 1 "+replica.Addr())
		if err := c.Failover(replica); err == nil {
			t.Error("Failover of a primary succeeded")
		}

		// And straight back (a fresh election is where a second failover
		// could flip back).
		timed(t, "Failover back", func() error { return c.Failover(old) })
		ps, err = c.Primaries()
		expectNodes(t, c, "Primaries()", ps, err, nodes[:3]...)
		expectOwner(t, c, 1, old)
		expect(t, doString(t, c, old, "GET", key), "1")
	})
}

// TestClusterKillRestart kills a primary and a replica and restarts them.
func TestClusterKillRestart(t *testing.T) {
	t.Parallel()
	c := startCluster(t, redistest.ClusterConfig{})
	nodes := c.Nodes()
	primary, replica := nodes[0], nodes[3]
	key := redistest.SlotTag(2) + ":k"
	expect(t, doString(t, c, primary, "SET", key, "v"), "OK")
	// Let the replica catch up before the primary dies.
	expect(t, doString(t, c, primary, "WAIT", "1", "2000"), ":1")

	check(t, c.Kill(primary))
	if primary.Running() {
		t.Fatal("Running after Kill")
	}
	timed(t, "Kill of a primary until WaitOK", c.WaitOK)
	expectOwner(t, c, 2, replica)
	expect(t, doString(t, c, replica, "GET", key), "v")
	ps, err := c.Primaries()
	expectNodes(t, c, "Primaries()", ps, err, nodes[1], nodes[2], nodes[3])
	rs, err := c.Replicas()
	expectNodes(t, c, "Replicas()", rs, err, nodes[4], nodes[5])
	ranges, err := c.Slots()
	check(t, err)
	for _, r := range ranges {
		if r.Primary == primary || slices.Contains(r.Replicas, primary) {
			t.Fatalf("Slots() still lists the killed node: %+v", r)
		}
	}

	timed(t, "Restart of the former primary", func() error { return c.Restart(primary) })
	rs, err = c.ReplicasOf(replica)
	expectNodes(t, c, "ReplicasOf(new primary)", rs, err, primary)
	expect(t, doString(t, c, primary, "GET", key), "-MOVED 2 "+replica.Addr())
	expect(t, doString(t, c, primary, "READONLY"), "OK")
	expect(t, doString(t, c, primary, "GET", key), "v") // resynced

	victim := nodes[4]
	check(t, c.Kill(victim))
	timed(t, "Kill of a replica until WaitOK", c.WaitOK)
	ranges, err = c.Slots()
	check(t, err)
	for _, r := range ranges {
		if slices.Contains(r.Replicas, victim) {
			t.Fatalf("Slots() still lists the killed replica: %+v", r)
		}
	}
	timed(t, "Restart of the replica", func() error { return c.Restart(victim) })
	rs, err = c.ReplicasOf(nodes[1])
	expectNodes(t, c, "ReplicasOf(node 1)", rs, err, victim)

	// Restart of a running primary: it is back before the others notice,
	// keeps its slots, and comes back empty.
	key = redistest.SlotTag(16000) + ":k"
	expect(t, doString(t, c, nodes[2], "SET", key, "v"), "OK")
	expect(t, doString(t, c, nodes[2], "WAIT", "1", "2000"), ":1")
	timed(t, "Restart of a running primary", func() error { return c.Restart(nodes[2]) })
	ps, err = c.Primaries()
	check(t, err)
	t.Logf("primaries after the restart: %v", addrs(ps))
	owner, err := c.PrimaryOf(16000)
	check(t, err)
	if owner == nodes[2] {
		expect(t, doString(t, c, nodes[2], "GET", key), "(nil)")
	}
	for _, n := range nodes {
		if !n.Running() {
			t.Errorf("%s is not running", n.Addr())
		}
	}
}

// TestClusterTLS wires a cluster over TLS with client certificates required
// and a password: bus, replication and MIGRATE all use TLS and AUTH.
func TestClusterTLS(t *testing.T) {
	t.Parallel()
	const pass = "s3cret pass"
	c := startCluster(t, redistest.ClusterConfig{
		Config: redistest.Config{TLS: true, TLSAuthClients: "yes", Password: pass},
	})
	nodes := c.Nodes()
	for _, n := range nodes {
		expect(t, n.URL()[:8], "rediss:/")
	}
	slot := 7000
	key := redistest.SlotTag(slot) + ":k"
	owner := nodes[1]
	conn := dialTLS(t, owner.Addr(), owner.ClientTLSConfig())
	expectPrefix(t, conn.must("GET", key), "-NOAUTH")
	expect(t, conn.must("AUTH", pass), "+OK")
	expect(t, conn.must("SET", key, "v"), "+OK")
	// CLUSTER SLOTS announces the TLS ports.
	expectOwner(t, c, slot, owner)

	timed(t, "MigrateSlot over TLS", func() error { return c.MigrateSlot(slot, nodes[0]) })
	expect(t, doString(t, c, nodes[0], "GET", key), "v")
	rs, err := c.ReplicasOf(nodes[0])
	expectNodes(t, c, "ReplicasOf(node 0)", rs, err, nodes[3])
	timed(t, "Failover over TLS", func() error { return c.Failover(nodes[3]) })
	expect(t, doString(t, c, nodes[3], "GET", key), "v")
}

// TestClusterNoReplicas starts primaries only, with a custom node timeout.
func TestClusterNoReplicas(t *testing.T) {
	t.Parallel()
	c := startCluster(t, redistest.ClusterConfig{
		Primaries:   2,
		Replicas:    redistest.NoReplicas,
		NodeTimeout: 700 * time.Millisecond,
		Config:      redistest.Config{Args: []string{"--maxmemory", "10mb"}},
	})
	nodes := c.Nodes()
	if len(nodes) != 2 {
		t.Fatalf("%d nodes", len(nodes))
	}
	rs, err := c.Replicas()
	expectNodes(t, c, "Replicas()", rs, err)
	ranges, err := c.Slots()
	check(t, err)
	if len(ranges) != 2 || ranges[0].End != 8191 || ranges[1].Start != 8192 || len(ranges[0].Replicas) != 0 {
		t.Fatalf("Slots() = %+v", ranges)
	}
	v, err := c.Do(nodes[1], "CONFIG", "GET", "cluster-node-timeout")
	check(t, err)
	if fmt.Sprint(v) != "[cluster-node-timeout 700]" {
		t.Errorf("CONFIG GET cluster-node-timeout = %v", v)
	}
	v, err = c.Do(nodes[1], "CONFIG", "GET", "maxmemory")
	check(t, err)
	if fmt.Sprint(v) != "[maxmemory 10485760]" {
		t.Errorf("CONFIG GET maxmemory = %v", v)
	}
	// A primary without replicas comes back as the owner of its slots.
	check(t, c.Kill(nodes[0]))
	timed(t, "Restart of a primary without replicas", func() error { return c.Restart(nodes[0]) })
	expectOwner(t, c, 0, nodes[0])
}

// StartClusterServer starts a cluster outside of a test; in tests, prefer
// redistest.StartCluster(t, cfg), which closes it when the test ends.
func ExampleStartClusterServer() {
	c, err := redistest.StartClusterServer(redistest.ClusterConfig{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()

	// Where does a key live?
	key := "{user:42}:name"
	owner, err := c.PrimaryOf(redistest.KeySlot(key))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("connect to", owner.Addr())

	// Kill that primary and wait for its replica to take over.
	if err := c.Kill(owner); err != nil {
		fmt.Println(err)
		return
	}
	if err := c.WaitOK(); err != nil {
		fmt.Println(err)
		return
	}
	owner, _ = c.PrimaryOf(redistest.KeySlot(key))
	fmt.Println("now on", owner.Addr())
}
