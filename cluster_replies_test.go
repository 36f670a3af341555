package redis_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/redistest"
)

var nodeIDPattern = regexp.MustCompile(`^[0-9a-f]{40}$`)

// waitUntil polls cond until it returns nil or the timeout passes, then
// fails the test with cond's last error.
func waitUntil(t *testing.T, timeout time.Duration, what string, cond func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := cond()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not reached after %v: %v", what, timeout, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// clusterClient connects to a cluster node with the given protocol.
func clusterClient(t *testing.T, n *redistest.ClusterNode, proto int) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: n.Addr(), Protocol: proto})
	t.Cleanup(func() { c.Close() })
	return c
}

func TestClusterEncoding(t *testing.T) {
	wantArgs(t, redis.ClusterAddSlots(1, 2, 3), "CLUSTER", "ADDSLOTS", "1", "2", "3")
	wantBuildError(t, redis.ClusterAddSlots(), "at least one")
	wantArgs(t, redis.ClusterAddSlotsRange(redis.SlotSpan{Start: 0, End: 5}, redis.SlotSpan{Start: 10, End: 20}),
		"CLUSTER", "ADDSLOTSRANGE", "0", "5", "10", "20")
	wantArgs(t, redis.ClusterDelSlotsRange(redis.SlotSpan{Start: 7, End: 7}), "CLUSTER", "DELSLOTSRANGE", "7", "7")
	wantArgs(t, redis.ClusterDelSlots(9), "CLUSTER", "DELSLOTS", "9")
	wantArgs(t, redis.ClusterFailover(), "CLUSTER", "FAILOVER")
	wantArgs(t, redis.ClusterFailover(redis.ClusterFailoverOptions{Force: true}), "CLUSTER", "FAILOVER", "FORCE")
	wantArgs(t, redis.ClusterFailover(redis.ClusterFailoverOptions{Takeover: true}), "CLUSTER", "FAILOVER", "TAKEOVER")
	wantBuildError(t, redis.ClusterFailover(redis.ClusterFailoverOptions{Force: true, Takeover: true}), "Force", "Takeover")
	wantArgs(t, redis.ClusterReset(), "CLUSTER", "RESET")
	wantArgs(t, redis.ClusterReset(redis.ClusterResetOptions{Hard: true}), "CLUSTER", "RESET", "HARD")
	wantArgs(t, redis.ClusterReset(redis.ClusterResetOptions{Soft: true}), "CLUSTER", "RESET", "SOFT")
	wantBuildError(t, redis.ClusterReset(redis.ClusterResetOptions{Hard: true, Soft: true}), "Hard", "Soft")
	wantArgs(t, redis.ClusterMeet("127.0.0.1", 7000), "CLUSTER", "MEET", "127.0.0.1", "7000")
	wantArgs(t, redis.ClusterMeet("127.0.0.1", 7000, redis.ClusterMeetOptions{BusPort: 17000}), "CLUSTER", "MEET", "127.0.0.1", "7000", "17000")
	id := strings.Repeat("a", 40)
	wantArgs(t, redis.ClusterSetSlotImporting(5, id), "CLUSTER", "SETSLOT", "5", "IMPORTING", id)
	wantArgs(t, redis.ClusterSetSlotMigrating(5, id), "CLUSTER", "SETSLOT", "5", "MIGRATING", id)
	wantArgs(t, redis.ClusterSetSlotNode(5, id), "CLUSTER", "SETSLOT", "5", "NODE", id)
	wantArgs(t, redis.ClusterSetSlotStable(5), "CLUSTER", "SETSLOT", "5", "STABLE")
	wantBuildError(t, redis.ClusterSetSlotNode(5, ""), "node ID")
	wantArgs(t, redis.ClusterGetKeysInSlot(5, 10), "CLUSTER", "GETKEYSINSLOT", "5", "10")
	wantArgs(t, redis.ClusterKeySlot("foo"), "CLUSTER", "KEYSLOT", "foo")
	wantArgs(t, redis.ClusterSetConfigEpoch(3), "CLUSTER", "SET-CONFIG-EPOCH", "3")
	wantArgs(t, redis.ClusterReplicate(id), "CLUSTER", "REPLICATE", id)
	wantArgs(t, redis.ClusterForget(id), "CLUSTER", "FORGET", id)
	wantArgs(t, redis.ClusterReplicas(id), "CLUSTER", "REPLICAS", id)
	wantArgs(t, redis.ClusterSlaves(id), "CLUSTER", "SLAVES", id)
	wantArgs(t, redis.ClusterCountFailureReports(id), "CLUSTER", "COUNT-FAILURE-REPORTS", id)
	// Redis 8.2 and 8.4.
	wantArgs(t, redis.ClusterSlotStatsRange(0, 100), "CLUSTER", "SLOT-STATS", "SLOTSRANGE", "0", "100")
	wantArgs(t, redis.ClusterSlotStatsOrderBy("key-count"), "CLUSTER", "SLOT-STATS", "ORDERBY", "key-count")
	wantArgs(t, redis.ClusterSlotStatsOrderBy("cpu-usec", redis.ClusterSlotStatsOrderByOptions{Limit: 10, Asc: true}),
		"CLUSTER", "SLOT-STATS", "ORDERBY", "cpu-usec", "LIMIT", "10", "ASC")
	wantArgs(t, redis.ClusterSlotStatsOrderBy("cpu-usec", redis.ClusterSlotStatsOrderByOptions{Desc: true}),
		"CLUSTER", "SLOT-STATS", "ORDERBY", "cpu-usec", "DESC")
	wantBuildError(t, redis.ClusterSlotStatsOrderBy("key-count", redis.ClusterSlotStatsOrderByOptions{Asc: true, Desc: true}), "Asc", "Desc")
	wantArgs(t, redis.ClusterMigrationImport(redis.SlotSpan{Start: 0, End: 99}, redis.SlotSpan{Start: 200, End: 299}),
		"CLUSTER", "MIGRATION", "IMPORT", "0", "99", "200", "299")
	wantBuildError(t, redis.ClusterMigrationImport(), "at least one")
	wantArgs(t, redis.ClusterMigrationCancel("t1"), "CLUSTER", "MIGRATION", "CANCEL", "ID", "t1")
	wantArgs(t, redis.ClusterMigrationCancel(""), "CLUSTER", "MIGRATION", "CANCEL", "ALL")
	wantArgs(t, redis.ClusterMigrationStatus("t1"), "CLUSTER", "MIGRATION", "STATUS", "ID", "t1")
	wantArgs(t, redis.ClusterMigrationStatus(""), "CLUSTER", "MIGRATION", "STATUS", "ALL")
	wantArgs(t, redis.ClusterMyShardID(), "CLUSTER", "MYSHARDID")
}

// TestClusterSingleNode runs the cluster commands a lone node answers, on
// a fresh cluster-enabled node per protocol.
func TestClusterSingleNode(t *testing.T) {
	ctx := context.Background()
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			t.Parallel() // each waits ~2 s for its node to report ok
			n := redistest.StartClusterNode(t, redistest.Config{})
			c := clusterClient(t, n, proto)

			// SET-CONFIG-EPOCH is only accepted by a node alone with epoch 0.
			if err := c.ClusterSetConfigEpoch(ctx, 7); err != nil {
				t.Fatalf("ClusterSetConfigEpoch: %v", err)
			}
			if err := c.ClusterAddSlotsRange(ctx, redis.SlotSpan{Start: 0, End: 16383}); err != nil {
				t.Fatalf("ClusterAddSlotsRange: %v", err)
			}
			id, err := c.ClusterMyID(ctx)
			if err != nil || !nodeIDPattern.MatchString(id) {
				t.Fatalf("ClusterMyID = %q, %v", id, err)
			}
			info, err := c.ClusterInfo(ctx)
			if err != nil {
				t.Fatal(err)
			}
			// cluster_size comes below, with cluster_state: Redis 8.8 counts
			// the node in it only once its writable delay has passed.
			if info.SlotsAssigned != 16384 || info.KnownNodes != 1 || info.MyEpoch != 7 || info.CurrentEpoch != 7 {
				t.Fatalf("ClusterInfo = %+v", info)
			}
			if info.State != "ok" && info.State != "fail" || info.Fields["cluster_state"] != info.State || info.Fields["cluster_slots_assigned"] != "16384" {
				t.Fatalf("ClusterInfo state/fields = %q %v", info.State, info.Fields)
			}
			// A lone node does not know its own IP until it meets another
			// node, so its address is "" or 127.0.0.1 below.
			// A node reports ok about 2 s after start.
			waitUntil(t, 5*time.Second, "cluster_state:ok and cluster_size:1", func() error {
				info, err := c.ClusterInfo(ctx)
				if err == nil && (info.State != "ok" || info.Size != 1) {
					err = fmt.Errorf("state %q, size %d", info.State, info.Size)
				}
				return err
			})

			slots, err := c.ClusterSlots(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(slots) != 1 || slots[0].Start != 0 || slots[0].End != 16383 || len(slots[0].Nodes) != 1 {
				t.Fatalf("ClusterSlots = %+v", slots)
			}
			if nd := slots[0].Nodes[0]; (nd.Host != "" && nd.Host != "127.0.0.1") || nd.Port != int64(n.Port()) || nd.ID != id {
				t.Fatalf("ClusterSlots node = %+v, want 127.0.0.1:%d %s", nd, n.Port(), id)
			}

			shards, err := c.ClusterShards(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(shards) != 1 || len(shards[0].Slots) != 1 || shards[0].Slots[0] != (redis.SlotSpan{Start: 0, End: 16383}) || len(shards[0].Nodes) != 1 {
				t.Fatalf("ClusterShards = %+v", shards)
			}
			if sn := shards[0].Nodes[0]; sn.ID != id || sn.Port != int64(n.Port()) || (sn.IP != "" && sn.IP != "127.0.0.1") || sn.Role != "master" || sn.Health != "online" || sn.Fields["id"] != id {
				t.Fatalf("ClusterShards node = %+v", sn)
			}

			nodes, err := c.ClusterNodes(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(nodes) != 1 {
				t.Fatalf("ClusterNodes = %+v", nodes)
			}
			me := nodes[0]
			if me.ID != id || !me.Myself() || !me.Primary() || me.Replica() || (me.Host != "" && me.Host != "127.0.0.1") || me.Port != int64(n.Port()) ||
				me.BusPort != int64(n.BusPort) || me.PrimaryID != "" || me.ConfigEpoch != 7 || me.LinkState != "connected" ||
				len(me.Slots) != 1 || me.Slots[0] != (redis.SlotSpan{Start: 0, End: 16383}) {
				t.Fatalf("ClusterNodes entry = %+v", me)
			}

			if s, err := c.ClusterKeySlot(ctx, "foo"); err != nil || s != 12182 {
				t.Fatalf("ClusterKeySlot(foo) = %d, %v; want 12182", s, err)
			}
			slot, _ := c.ClusterKeySlot(ctx, "{tag}a")
			for _, k := range []string{"{tag}a", "{tag}b", "{tag}c"} {
				if err := c.Set(ctx, k, "v"); err != nil {
					t.Fatal(err)
				}
			}
			if n, err := c.ClusterCountKeysInSlot(ctx, slot); err != nil || n != 3 {
				t.Fatalf("ClusterCountKeysInSlot = %d, %v", n, err)
			}
			keys, err := c.ClusterGetKeysInSlot(ctx, slot, 2)
			if err != nil || len(keys) != 2 || !strings.HasPrefix(keys[0], "{tag}") {
				t.Fatalf("ClusterGetKeysInSlot = %q, %v", keys, err)
			}

			if n, err := c.ClusterCountFailureReports(ctx, id); err != nil || n != 0 {
				t.Fatalf("ClusterCountFailureReports = %d, %v", n, err)
			}
			if _, err := c.ClusterCountFailureReports(ctx, strings.Repeat("0", 40)); err == nil {
				t.Fatal("ClusterCountFailureReports of an unknown node: no error")
			}
			links, err := c.ClusterLinks(ctx)
			if err != nil || len(links) != 0 {
				t.Fatalf("ClusterLinks of a lone node = %+v, %v", links, err)
			}
			help, err := c.ClusterHelp(ctx)
			if err != nil || len(help) < 10 || !strings.Contains(strings.Join(help, "\n"), "KEYSLOT") {
				t.Fatalf("ClusterHelp = %q, %v", help, err)
			}
			bumped, err := c.ClusterBumpEpoch(ctx)
			if err != nil || !(strings.HasPrefix(bumped, "BUMPED ") || strings.HasPrefix(bumped, "STILL ")) {
				t.Fatalf("ClusterBumpEpoch = %q, %v", bumped, err)
			}
			if err := c.ClusterSaveConfig(ctx); err != nil {
				t.Fatal(err)
			}

			// Slot assignment round trips, checked through CLUSTER INFO.
			assigned := func(want int64) {
				t.Helper()
				info, err := c.ClusterInfo(ctx)
				if err != nil || info.SlotsAssigned != want {
					t.Fatalf("slots assigned = %d, %v; want %d", info.SlotsAssigned, err, want)
				}
			}
			if err := c.ClusterDelSlots(ctx, 1, 2); err != nil {
				t.Fatal(err)
			}
			assigned(16382)
			if err := c.ClusterAddSlots(ctx, 1, 2); err != nil {
				t.Fatal(err)
			}
			assigned(16384)
			if err := c.ClusterDelSlotsRange(ctx, redis.SlotSpan{Start: 100, End: 199}, redis.SlotSpan{Start: 300, End: 300}); err != nil {
				t.Fatal(err)
			}
			assigned(16283)
			if err := c.ClusterAddSlotsRange(ctx, redis.SlotSpan{Start: 100, End: 199}, redis.SlotSpan{Start: 300, End: 300}); err != nil {
				t.Fatal(err)
			}
			assigned(16384)
			if err := c.ClusterSetSlotNode(ctx, 5, id); err != nil {
				t.Fatal(err)
			}
			if err := c.ClusterSetSlotStable(ctx, 5); err != nil {
				t.Fatal(err)
			}
			if err := c.ClusterAddSlots(ctx, 5); err == nil {
				t.Fatal("ClusterAddSlots of an assigned slot: no error")
			}

			// MYSHARDID (7.2) and SLOT-STATS (8.2) when the server has them.
			t.Run("MyShardID", func(t *testing.T) {
				requireCommand(t, c, "CLUSTER MYSHARDID")
				sid, err := c.ClusterMyShardID(ctx)
				if err != nil || !nodeIDPattern.MatchString(sid) {
					t.Fatalf("ClusterMyShardID = %q, %v", sid, err)
				}
			})
			t.Run("SlotStats", func(t *testing.T) {
				requireCommand(t, c, "CLUSTER SLOT-STATS")
				st, err := c.ClusterSlotStatsRange(ctx, slot, slot)
				if err != nil || len(st) != 1 || st[0].Slot != slot || st[0].Stats["key-count"] != 3 {
					t.Fatalf("ClusterSlotStatsRange = %+v, %v", st, err)
				}
				st, err = c.ClusterSlotStatsOrderBy(ctx, "key-count", redis.ClusterSlotStatsOrderByOptions{Limit: 1})
				if err != nil || len(st) != 1 || st[0].Slot != slot || st[0].Stats["key-count"] != 3 {
					t.Fatalf("ClusterSlotStatsOrderBy = %+v, %v", st, err)
				}
			})
			t.Run("Migration", func(t *testing.T) {
				requireCommand(t, c, "CLUSTER MIGRATION")
				st, err := c.ClusterMigrationStatus(ctx, "")
				if err != nil || len(st) != 0 {
					t.Fatalf("ClusterMigrationStatus on an idle node = %+v, %v", st, err)
				}
				if n, err := c.ClusterMigrationCancel(ctx, ""); err != nil || n != 0 {
					t.Fatalf("ClusterMigrationCancel on an idle node = %d, %v", n, err)
				}
				// Importing slots this node already owns is refused.
				if _, err := c.ClusterMigrationImport(ctx, redis.SlotSpan{Start: 0, End: 10}); err == nil {
					t.Fatal("ClusterMigrationImport of owned slots: no error")
				}
			})

			// FLUSHSLOTS and RESET need an empty database.
			if err := c.ClusterFlushSlots(ctx); err == nil {
				t.Fatal("ClusterFlushSlots with keys: no error")
			}
			if _, err := c.Do(ctx, "FLUSHALL").Value(); err != nil {
				t.Fatal(err)
			}
			if err := c.ClusterFlushSlots(ctx); err != nil {
				t.Fatal(err)
			}
			assigned(0)
			if err := c.ClusterReset(ctx, redis.ClusterResetOptions{Hard: true}); err != nil {
				t.Fatal(err)
			}
			if id2, err := c.ClusterMyID(ctx); err != nil || id2 == id {
				t.Fatalf("after CLUSTER RESET HARD the ID is %q (%v), was %q: want a new one", id2, err, id)
			}
			if err := c.ClusterReset(ctx, redis.ClusterResetOptions{Soft: true}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestClusterConnState checks ASKING, READONLY and READWRITE on a
// dedicated connection of a lone node (each replies OK).
func TestClusterConnState(t *testing.T) {
	ctx := context.Background()
	n := redistest.StartClusterNode(t, redistest.Config{})
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			c := clusterClient(t, n, proto)
			cn, err := c.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer cn.Close()
			for name, f := range map[string]func(context.Context) error{"ASKING": cn.Asking, "READONLY": cn.ReadOnly, "READWRITE": cn.ReadWrite} {
				if err := f(ctx); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
			}
		})
	}
}

// TestClusterTwoNodes wires two nodes: MEET, LINKS, SETSLOT
// MIGRATING/IMPORTING with ASKING, REPLICATE, REPLICAS/SLAVES, READONLY
// on the replica, FAILOVER and FORGET.
func TestClusterTwoNodes(t *testing.T) {
	ctx := context.Background()
	a := redistest.StartClusterNode(t, redistest.Config{})
	b := redistest.StartClusterNode(t, redistest.Config{})
	ca := map[int]*redis.Client{2: clusterClient(t, a, 2), 3: clusterClient(t, a, 3)}
	cb := map[int]*redis.Client{2: clusterClient(t, b, 2), 3: clusterClient(t, b, 3)}
	aID, err := ca[2].ClusterMyID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	bID, err := cb[2].ClusterMyID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := ca[2].ClusterAddSlotsRange(ctx, redis.SlotSpan{Start: 0, End: 16383}); err != nil {
		t.Fatal(err)
	}
	if err := ca[3].ClusterMeet(ctx, "127.0.0.1", int64(b.Port()), redis.ClusterMeetOptions{BusPort: int64(b.BusPort)}); err != nil {
		t.Fatal(err)
	}
	// Both nodes know each other, connected.
	for _, c := range []*redis.Client{ca[2], cb[2]} {
		waitUntil(t, 10*time.Second, "handshake", func() error {
			nodes, err := c.ClusterNodes(ctx)
			if err != nil {
				return err
			}
			if len(nodes) != 2 {
				return fmt.Errorf("%d nodes", len(nodes))
			}
			for _, n := range nodes {
				if n.LinkState != "connected" || strings.Contains(strings.Join(n.Flags, ","), "handshake") {
					return fmt.Errorf("node %+v not connected yet", n)
				}
			}
			return nil
		})
		waitUntil(t, 10*time.Second, "cluster_state:ok", func() error {
			info, err := c.ClusterInfo(ctx)
			if err == nil && info.State != "ok" {
				err = fmt.Errorf("state %q", info.State)
			}
			return err
		})
	}

	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("RESP%d/Meet", proto), func(t *testing.T) {
			nodes, err := ca[proto].ClusterNodes(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var other *redis.ClusterNodeInfo
			for i := range nodes {
				if nodes[i].ID == bID {
					other = &nodes[i]
				}
			}
			if other == nil || other.Myself() || !other.Primary() || other.Port != int64(b.Port()) || other.BusPort != int64(b.BusPort) || len(other.Slots) != 0 {
				t.Fatalf("node b as a sees it: %+v", other)
			}
			links, err := ca[proto].ClusterLinks(ctx)
			if err != nil || len(links) == 0 {
				t.Fatalf("ClusterLinks = %+v, %v", links, err)
			}
			for _, l := range links {
				if l.Node != bID || (l.Direction != "to" && l.Direction != "from") || time.Since(l.CreateTime) > time.Minute || l.CreateTime.After(time.Now().Add(time.Second)) || l.SendBufferAllocated < l.SendBufferUsed {
					t.Fatalf("ClusterLinks entry = %+v", l)
				}
			}
			info, err := cb[proto].ClusterInfo(ctx)
			if err != nil || info.KnownNodes != 2 {
				t.Fatalf("ClusterInfo on b = %+v, %v", info, err)
			}
		})
	}

	// Slot 12182 ("foo") migrating from a to b, shown by CLUSTER NODES;
	// on b, ASKING lets the next command use the importing slot.
	const slot = 12182
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("RESP%d/SetSlot", proto), func(t *testing.T) {
			if err := ca[proto].ClusterSetSlotMigrating(ctx, slot, bID); err != nil {
				t.Fatal(err)
			}
			if err := cb[proto].ClusterSetSlotImporting(ctx, slot, aID); err != nil {
				t.Fatal(err)
			}
			na, _ := ca[proto].ClusterNodes(ctx)
			nb, _ := cb[proto].ClusterNodes(ctx)
			if me := myself(na); me.Migrating[slot] != bID {
				t.Fatalf("a: migrating = %v, want %d->%s", me.Migrating, slot, bID)
			}
			if me := myself(nb); me.Importing[slot] != aID {
				t.Fatalf("b: importing = %v, want %d<-%s", me.Importing, slot, aID)
			}
			cn, err := cb[proto].Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer cn.Close()
			if err := cn.Do(ctx, "GET", "foo").Err(); err == nil || !strings.HasPrefix(err.Error(), "MOVED") {
				t.Fatalf("GET on b without ASKING: %v, want MOVED", err)
			}
			if err := cn.Asking(ctx); err != nil {
				t.Fatal(err)
			}
			if err := cn.Do(ctx, "GET", "foo").Err(); !errors.Is(err, redis.ErrNil) {
				t.Fatalf("GET on b after ASKING: %v, want a null reply", err)
			}
			if err := ca[proto].ClusterSetSlotStable(ctx, slot); err != nil {
				t.Fatal(err)
			}
			if err := cb[proto].ClusterSetSlotStable(ctx, slot); err != nil {
				t.Fatal(err)
			}
			if me := myself(mustNodes(t, ca[proto])); me.Migrating != nil {
				t.Fatalf("a after STABLE: migrating = %v", me.Migrating)
			}
		})
	}

	// b becomes a replica of a.
	if err := ca[2].Set(ctx, "foo", "bar"); err != nil {
		t.Fatal(err)
	}
	if err := cb[3].ClusterReplicate(ctx, aID); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 10*time.Second, "replica linked and listed in CLUSTER SLOTS", func() error {
		slots, err := ca[2].ClusterSlots(ctx)
		if err != nil {
			return err
		}
		if len(slots) != 1 || len(slots[0].Nodes) != 2 {
			return fmt.Errorf("slots %+v", slots)
		}
		return nil
	})
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("RESP%d/Replicas", proto), func(t *testing.T) {
			for name, f := range map[string]func(context.Context, string) ([]redis.ClusterNodeInfo, error){
				"ClusterReplicas": ca[proto].ClusterReplicas, "ClusterSlaves": ca[proto].ClusterSlaves} {
				reps, err := f(ctx, aID)
				if err != nil || len(reps) != 1 {
					t.Fatalf("%s = %+v, %v", name, reps, err)
				}
				if r := reps[0]; r.ID != bID || !r.Replica() || r.PrimaryID != aID || r.Port != int64(b.Port()) {
					t.Fatalf("%s entry = %+v", name, r)
				}
			}
			slots, err := ca[proto].ClusterSlots(ctx)
			if err != nil || len(slots) != 1 || slots[0].Nodes[0].ID != aID || slots[0].Nodes[1].ID != bID || slots[0].Nodes[1].Port != int64(b.Port()) || slots[0].Nodes[1].Host != "127.0.0.1" || slots[0].Nodes[0].Host != "127.0.0.1" {
				t.Fatalf("ClusterSlots = %+v, %v", slots, err)
			}
			shards, err := ca[proto].ClusterShards(ctx)
			if err != nil || len(shards) != 1 || len(shards[0].Nodes) != 2 {
				t.Fatalf("ClusterShards = %+v, %v", shards, err)
			}
			roles := map[string]string{}
			for _, n := range shards[0].Nodes {
				roles[n.ID] = n.Role
			}
			if roles[aID] != "master" || roles[bID] != "replica" {
				t.Fatalf("ClusterShards roles = %v", roles)
			}
			// READONLY lets the replica serve the read; READWRITE redirects again.
			cn, err := cb[proto].Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer cn.Close()
			if err := cn.Do(ctx, "GET", "foo").Err(); err == nil || !strings.HasPrefix(err.Error(), "MOVED") {
				t.Fatalf("GET on the replica: %v, want MOVED", err)
			}
			if err := cn.ReadOnly(ctx); err != nil {
				t.Fatal(err)
			}
			waitUntil(t, 5*time.Second, "read on the replica", func() error {
				v, err := cn.Do(ctx, "GET", "foo").Text()
				if err == nil && v != "bar" {
					err = fmt.Errorf("GET foo = %q", v)
				}
				return err
			})
			if err := cn.ReadWrite(ctx); err != nil {
				t.Fatal(err)
			}
			if err := cn.Do(ctx, "GET", "foo").Err(); err == nil || !strings.HasPrefix(err.Error(), "MOVED") {
				t.Fatalf("GET on the replica after READWRITE: %v, want MOVED", err)
			}
		})
	}

	// A manual failover on the replica makes it the primary; then the new
	// primary forgets its replica.
	if err := cb[2].ClusterFailover(ctx); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 10*time.Second, "failover", func() error {
		if me := myself(mustNodes(t, cb[3])); !me.Primary() {
			return fmt.Errorf("b flags %v", me.Flags)
		}
		if me := myself(mustNodes(t, ca[3])); !me.Replica() || me.PrimaryID != bID {
			return fmt.Errorf("a flags %v primary %s", me.Flags, me.PrimaryID)
		}
		return nil
	})
	if err := cb[3].ClusterForget(ctx, aID); err != nil {
		t.Fatal(err)
	}
	if nodes := mustNodes(t, cb[2]); len(nodes) != 1 || nodes[0].ID != bID {
		t.Fatalf("after FORGET b knows %+v", nodes)
	}
}

func myself(nodes []redis.ClusterNodeInfo) redis.ClusterNodeInfo {
	for _, n := range nodes {
		if n.Myself() {
			return n
		}
	}
	return redis.ClusterNodeInfo{}
}

func mustNodes(t *testing.T, c *redis.Client) []redis.ClusterNodeInfo {
	t.Helper()
	nodes, err := c.ClusterNodes(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return nodes
}
