package sentinel_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/respkit/redis/internal/logtest"
	"github.com/respkit/redis/redistest"
	"github.com/respkit/redis/sentinel"
)

// TestLoggingFailover: a SENTINEL FAILOVER makes one record of the
// failover followed, with the old and new primaries; the Logger reaches
// the sentinels' clients; neither password nor the key appears in a
// record.
func TestLoggingFailover(t *testing.T) {
	const (
		dataPass     = "canary-data-pw-83b0"
		sentinelPass = "canary-sentinel-pw-2f6a"
		key          = "canary-sentinel-key-e917"
	)
	g := redistest.StartSentinelGroup(t, redistest.SentinelGroupConfig{
		Config:           redistest.Config{Password: dataPass},
		SentinelPassword: sentinelPass,
	})
	ctx := context.Background()
	rec, lg := logtest.New()
	c := newClient(t, g, 3, func(o *sentinel.Options) {
		o.Logger = lg
		o.Password = dataPass
		o.SentinelPassword = sentinelPass
	})
	if err := c.Set(ctx, key, "v"); err != nil {
		t.Fatal(err)
	}
	old := primaryAddr(t, g)
	if len(rec.Find("redis: sentinel primary found", map[string]string{"component": "sentinel", "addr": old})) != 1 {
		t.Fatalf("no record of the primary found: %v", rec.Records())
	}
	if len(rec.Find("redis: connected", map[string]string{"server": "sentinel"})) == 0 {
		t.Fatalf("no dial to a sentinel logged: %v", rec.Records())
	}
	promoted, err := g.Failover()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"component": "sentinel", "old_primary": old, "new_primary": promoted.Addr()}
	followed := rec.Wait(5*time.Second, "redis: sentinel failover followed", want)
	if len(followed) != 1 || followed[0].Level != slog.LevelInfo {
		t.Fatalf("after SENTINEL FAILOVER from %s to %s: %v", old, promoted.Addr(), rec.Records())
	}
	t.Logf("%s", strings.TrimSpace(followed[0].Text))
	if err := c.Set(ctx, key, "w"); err != nil {
		t.Fatal(err)
	}
	for _, r := range rec.Records() {
		for _, s := range []string{dataPass, sentinelPass, key} {
			if strings.Contains(r.Text, s) {
				t.Errorf("a record holds %q: %s", s, r.Text)
			}
		}
	}
}
