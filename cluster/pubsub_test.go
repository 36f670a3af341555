package cluster_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/redistest"
)

// slotPerPrimary returns one slot served by each primary of rc (the first
// of each range), and the primaries in the same order.
func slotPerPrimary(t *testing.T, rc *redistest.Cluster) ([]int, []*redistest.ClusterNode) {
	t.Helper()
	ranges, err := rc.Slots()
	if err != nil {
		t.Fatal(err)
	}
	var (
		slots []int
		nodes []*redistest.ClusterNode
	)
	for _, r := range ranges {
		if !slices.Contains(nodes, r.Primary) {
			slots = append(slots, r.Start)
			nodes = append(nodes, r.Primary)
		}
	}
	if len(slots) < 2 {
		t.Fatalf("slot ranges %v: want at least 2 primaries", ranges)
	}
	return slots, nodes
}

// TestShardedPubSub subscribes with one SSubscribe call to shard channels
// of every primary (two of them in one slot) and publishes through the
// cluster client: every message arrives, in order per channel.
func TestShardedPubSub(t *testing.T) {
	rc := sharedCluster(t)
	protocols(t, func(t *testing.T, proto int) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c := newClient(t, rc, proto, nil)
		slots, _ := slotPerPrimary(t, rc)
		var chans []string
		for i, s := range slots {
			chans = append(chans, fmt.Sprintf("%sshard%d.%d", redistest.SlotTag(s), proto, i))
		}
		chans = append(chans, redistest.SlotTag(slots[0])+"twin"+strconv.Itoa(proto))
		ps, err := c.SSubscribe(ctx, chans...)
		if err != nil {
			t.Fatal(err)
		}
		defer ps.Close()
		// A classic subscription on the same PubSub goes through any node.
		classic := "classic" + strconv.Itoa(proto)
		if err := ps.Subscribe(ctx, classic); err != nil {
			t.Fatal(err)
		}
		const n = 5
		for i := range n {
			for _, ch := range chans {
				if got, err := c.SPublish(ctx, ch, "m"+strconv.Itoa(i)); err != nil || got != 1 {
					t.Fatalf("SPUBLISH %s: %d, %v; want 1 receiver", ch, got, err)
				}
			}
		}
		if _, err := c.Publish(ctx, classic, "c"); err != nil {
			t.Fatal(err)
		}
		got := map[string][]string{}
		for range n*len(chans) + 1 {
			m, err := ps.ReceiveMessage(ctx)
			if err != nil {
				t.Fatalf("after %v: %v", got, err)
			}
			if m.Channel != classic && m.Kind != redis.KindShardMessage {
				t.Fatalf("got %+v, want a shard message", m)
			}
			got[m.Channel] = append(got[m.Channel], m.Payload)
		}
		want := []string{"m0", "m1", "m2", "m3", "m4"}
		for _, ch := range chans {
			if !slices.Equal(got[ch], want) {
				t.Errorf("messages on %s: %q, want %q", ch, got[ch], want)
			}
		}
		if !slices.Equal(got[classic], []string{"c"}) {
			t.Errorf("messages on %s: %q", classic, got[classic])
		}

		if err := ps.SUnsubscribe(ctx, chans[0]); err != nil {
			t.Fatal(err)
		}
		if got, err := c.SPublish(ctx, chans[0], "gone"); err != nil || got != 0 {
			t.Fatalf("SPUBLISH after SUNSUBSCRIBE: %d, %v; want 0 receivers", got, err)
		}
		if err := ps.SUnsubscribe(ctx); err != nil {
			t.Fatal(err)
		}
		if _, _, shard := ps.Subscriptions(); len(shard) != 0 {
			t.Fatalf("shard subscriptions after SUNSUBSCRIBE: %q", shard)
		}
	})
}

// TestShardedPubSubResharding moves the slot of subscribed shard channels
// to another primary (the server unsubscribes them), then fails over its
// new primary, then kills every subscriber connection: the PubSub renews
// the subscriptions on the slot's owner each time, marks the gap, and
// keeps delivering.
func TestShardedPubSubResharding(t *testing.T) {
	rc := redistest.StartCluster(t, redistest.ClusterConfig{})
	protocols(t, func(t *testing.T, proto int) {
		ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
		defer cancel()
		c := newClient(t, rc, proto, nil)
		slots, primaries := slotPerPrimary(t, rc)
		slot := slots[0] + proto // a slot of its own per subtest
		moved := []string{redistest.SlotTag(slot) + "a", redistest.SlotTag(slot) + "b"}
		other := redistest.SlotTag(slots[len(slots)-1]) + "other" + strconv.Itoa(proto)
		ps, err := c.SSubscribe(ctx, append(slices.Clone(moved), other)...)
		if err != nil {
			t.Fatal(err)
		}
		defer ps.Close()

		// waitDelivery publishes to every channel of chans until each has
		// received a message published after the call began; it returns
		// the shard channels for which a gap marker was seen.
		round := 0
		waitDelivery := func(what string, chans []string) map[string]bool {
			t.Helper()
			round++
			prefix := fmt.Sprintf("r%d.", round)
			gaps := map[string]bool{}
			pending := map[string]bool{}
			for _, ch := range chans {
				pending[ch] = true
			}
			deadline := time.Now().Add(15 * time.Second)
			for i := 0; len(pending) > 0; i++ {
				if time.Now().After(deadline) {
					t.Fatalf("%s: no message on %v", what, pending)
				}
				for ch := range pending {
					c.SPublish(ctx, ch, prefix+strconv.Itoa(i)) // may fail during the change
				}
				rctx, rcancel := context.WithTimeout(ctx, 100*time.Millisecond)
				for {
					m, err := ps.Receive(rctx)
					if err != nil {
						break
					}
					switch {
					case m.Kind == redis.KindResubscribed:
						gaps[m.Channel] = true
					case m.Kind == redis.KindShardMessage && strings.HasPrefix(m.Payload, prefix):
						delete(pending, m.Channel)
					case m.Kind == redis.KindShardUnsubscribed:
						t.Errorf("%s: unexpected %+v", what, m)
					}
				}
				rcancel()
			}
			return gaps
		}
		all := append(slices.Clone(moved), other)
		waitDelivery("before", all)

		owner, err := rc.PrimaryOf(slot)
		if err != nil {
			t.Fatal(err)
		}
		target := primaries[1]
		if target == owner {
			target = primaries[0]
		}
		if err := rc.MigrateSlot(slot, target); err != nil {
			t.Fatal(err)
		}
		gaps := waitDelivery("after the migration", all)
		for _, ch := range moved {
			if !gaps[ch] {
				t.Errorf("after the migration: no KindResubscribed for %s (gaps %v)", ch, gaps)
			}
		}
		if gaps[other] {
			t.Errorf("after the migration: KindResubscribed for %s, whose slot did not move", other)
		}

		replicas, err := rc.ReplicasOf(target)
		if err != nil || len(replicas) == 0 {
			t.Fatalf("replicas of %s: %v, %v", target.Addr(), replicas, err)
		}
		if err := rc.Failover(replicas[0]); err != nil {
			t.Fatal(err)
		}
		gaps = waitDelivery("after the failover", all)
		t.Logf("gap markers after the failover: %v", gaps)
		for _, ch := range moved {
			if !gaps[ch] {
				t.Errorf("after the failover: no KindResubscribed for %s (gaps %v)", ch, gaps)
			}
		}
		// Lost connections: every lane is renewed, with a gap marker per
		// shard channel.
		for _, n := range rc.Nodes() {
			if _, err := rc.Do(n, "CLIENT", "KILL", "TYPE", "pubsub"); err != nil {
				t.Fatal(err)
			}
		}
		gaps = waitDelivery("after CLIENT KILL", all)
		for _, ch := range all {
			if !gaps[ch] {
				t.Errorf("after CLIENT KILL: no KindResubscribed for %s (gaps %v)", ch, gaps)
			}
		}
		if _, _, shard := ps.Subscriptions(); len(shard) != 3 {
			t.Fatalf("shard subscriptions: %q", shard)
		}
	})
}
