package cluster_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/cluster"
	"github.com/respkit/redis/internal/logtest"
	"github.com/respkit/redis/redistest"
)

// TestLoggingTopology: the Logger reaches every node's client, and a slot
// migration makes one record of the slot map's change; keys appear in no
// record.
func TestLoggingTopology(t *testing.T) {
	rc := sharedCluster(t)
	ctx := context.Background()
	rec, lg := logtest.New()
	c := newClient(t, rc, 3, func(o *cluster.Options) { o.Logger = lg })
	const key = "canary-cluster-key-4d1e"
	if err := c.Set(ctx, key, "v"); err != nil {
		t.Fatal(err)
	}
	slot := redis.KeySlot(key)
	src, err := rc.PrimaryOf(slot)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Find("redis: cluster slot map read", map[string]string{"component": "cluster"})) != 1 {
		t.Fatalf("no record of the first slot map read: %v", rec.Records())
	}
	var dst *redistest.ClusterNode
	for _, p := range mustPrimaries(t, rc) {
		if p != src {
			dst = p
			break
		}
	}
	if err := rc.MigrateSlot(slot, dst); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := rc.MigrateSlot(slot, src); err != nil {
			t.Errorf("moving slot %d back: %v", slot, err)
		}
	}()
	if v, err := c.Get(ctx, key); err != nil || v != "v" {
		t.Fatalf("GET after the migration = %q, %v", v, err)
	}
	changed := rec.Wait(5*time.Second, "redis: cluster slot map changed", map[string]string{"component": "cluster"})
	if len(changed) == 0 || changed[0].Level != slog.LevelInfo || changed[0].Attrs["slots_moved"] == "0" {
		t.Fatalf("after migrating slot %d: %v", slot, changed)
	}
	t.Logf("migration: %s", strings.TrimSpace(changed[0].Text))
	dialed := map[string]bool{}
	for _, r := range rec.Find("redis: connected", map[string]string{"component": "conn"}) {
		dialed[r.Attrs["addr"]] = true
	}
	if !dialed[src.Addr()] || !dialed[dst.Addr()] {
		t.Fatalf("dials logged to %v; want both %s and %s", dialed, src.Addr(), dst.Addr())
	}
	for _, r := range rec.Records() {
		if strings.Contains(r.Text, key) {
			t.Errorf("a record holds the key: %s", r.Text)
		}
	}
}
