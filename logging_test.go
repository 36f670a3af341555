package redis_test

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/internal/logtest"
	"github.com/respkit/redis/redistest"
)

// Distinctive strings that must appear in no log record.
const (
	logCanaryUser  = "canary-user-5c1d"
	logCanaryPass  = "canary-pass-9e4b71"
	logCanaryAdmin = "canary-admin-pw-61f0"
	logCanaryWrong = "canary-wrong-pw-0b83"
	logCanaryKey   = "canary-key-3a8f"
	logCanaryVal   = "canary-val-d27c"
	logCanaryChan  = "canary-chan-7e25"
	logCanaryMsg   = "canary-msg-c4a9"
)

// checkNoCanary fails when a record, formatted as text with its
// attributes, holds a secret, a key, a value or a channel.
func checkNoCanary(t *testing.T, rec *logtest.Recorder) {
	t.Helper()
	recs := rec.Records()
	for _, r := range recs {
		if testing.Verbose() {
			t.Log(strings.TrimSpace(r.Text))
		}
		for _, s := range []string{logCanaryUser, logCanaryPass, logCanaryAdmin, logCanaryWrong,
			logCanaryKey, logCanaryVal, logCanaryChan, logCanaryMsg} {
			if strings.Contains(r.Text, s) {
				t.Errorf("a record holds %q: %s", s, r.Text)
			}
		}
	}
	t.Logf("%d records checked for secrets, keys and values", len(recs))
}

// TestLoggingConnections: dials (multiplexed and pooled), a connection
// killed by CLIENT KILL, a server stop with rate-limited dial failures and
// the reconnection after it, a refused password, and Close, with an ACL
// user whose name and password appear in no record.
func TestLoggingConnections(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{Password: logCanaryAdmin, Users: []redistest.User{
		{Name: logCanaryUser, Password: logCanaryPass, Rules: []string{"~*", "&*", "+@all"}},
	}})
	ctx := context.Background()
	rec, lg := logtest.New()
	c := redis.NewClient(&redis.Options{Addr: srv.Addr(), Username: logCanaryUser, Password: logCanaryPass, Logger: lg})
	defer c.Close()
	admin := redis.NewClient(&redis.Options{Addr: srv.Addr(), Password: logCanaryAdmin})
	defer admin.Close()
	addr := srv.Addr()

	if err := c.Set(ctx, logCanaryKey, logCanaryVal); err != nil {
		t.Fatal(err)
	}
	if _, err := c.BLPop(ctx, []string{logCanaryKey + "-list"}, 10*time.Millisecond); err != redis.ErrNil {
		t.Fatalf("BLPOP = %v, want ErrNil", err)
	}
	mux := map[string]string{"component": "conn", "addr": addr, "kind": "multiplexed", "protocol": "3"}
	pooled := map[string]string{"component": "conn", "addr": addr, "kind": "pooled", "protocol": "3"}
	if n := len(rec.Find("redis: connected", mux)); n != 1 {
		t.Fatalf("%d multiplexed dials logged, want 1: %v", n, rec.Records())
	}
	if n := len(rec.Find("redis: connected", pooled)); n != 1 {
		t.Fatalf("%d pooled dials logged, want 1: %v", n, rec.Records())
	}

	// CLIENT KILL of the multiplexed connection: the next command finds
	// it dead and dials again.
	id, err := c.ClientID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Do(ctx, "CLIENT", "KILL", "ID", strconv.FormatInt(id, 10)).Int64(); err != nil {
		t.Fatal(err)
	}
	if v, err := c.Get(ctx, logCanaryKey); err != nil || v != logCanaryVal {
		t.Fatalf("GET after CLIENT KILL = %q, %v", v, err)
	}
	dead := append(rec.Find("redis: connection found dead", map[string]string{"addr": addr, "kind": "multiplexed"}),
		rec.Find("redis: connection failed", map[string]string{"addr": addr, "kind": "multiplexed"})...)
	if len(dead) != 1 || dead[0].Level != slog.LevelWarn {
		t.Fatalf("after CLIENT KILL: %d failure records, want 1 at Warn: %v", len(dead), rec.Records())
	}
	if n := len(rec.Find("redis: connected", mux)); n != 2 {
		t.Fatalf("%d multiplexed dials logged after CLIENT KILL, want 2", n)
	}

	// The server stops: dials keep failing for 1.3 s, logged at most
	// once a second; then it is back and the dial that reaches it says
	// how many failed.
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	for stop := time.Now().Add(1300 * time.Millisecond); time.Now().Before(stop); {
		cctx, cancel := context.WithTimeout(redis.NoRetry(ctx), 100*time.Millisecond)
		c.Get(cctx, logCanaryKey)
		cancel()
		time.Sleep(5 * time.Millisecond)
	}
	failed := rec.Find("redis: dial failed", map[string]string{"addr": addr})
	if len(failed) < 1 || len(failed) > 2 {
		t.Fatalf("%d dial failures logged in 1.3 s, want 1 or 2 (one a second): %v", len(failed), failed)
	}
	last, _ := strconv.Atoi(failed[len(failed)-1].Attrs["failures"])
	t.Logf("server down 1.3 s: %d dial failure records, the last one at failure %d", len(failed), last)
	if len(failed) == 2 && last < 3 {
		t.Errorf("the second record counts %d failures: the dials were not rate limited but slowed", last)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	// The first GET may still meet the last refusal, kept for the dial
	// pause (at most 60 ms): try for a while.
	for deadline := time.Now().Add(2 * time.Second); ; {
		_, err := c.Get(ctx, logCanaryKey)
		if err == redis.ErrNil { // nothing is persisted
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET after the restart: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	back := rec.Find("redis: connected", mux)
	if len(back) != 3 || back[2].Level != slog.LevelInfo || back[2].Attrs["failures"] == "" {
		t.Fatalf("the dial after the restart: %v", back)
	}

	// A refused password: logged, without the password.
	bad := redis.NewClient(&redis.Options{Addr: srv.Addr(), Username: logCanaryUser, Password: logCanaryWrong, Logger: lg})
	if err := bad.Ping(ctx); err == nil {
		t.Fatal("PING with a wrong password worked")
	}
	bad.Close()
	refused := rec.Find("redis: dial failed", map[string]string{"addr": addr, "failures": "1"})
	if len(refused) == 0 || !strings.Contains(refused[len(refused)-1].Attrs["error"], "WRONGPASS") {
		t.Fatalf("refused handshake: %v", refused)
	}

	c.Close()
	if len(rec.Find("redis: connection closed", map[string]string{"kind": "multiplexed", "reason": "client closed"})) == 0 ||
		len(rec.Find("redis: connection closed", map[string]string{"kind": "pooled", "reason": "client closed"})) == 0 {
		t.Fatalf("Close logged no close of both kinds: %v", rec.Records())
	}
	for _, r := range rec.Records() {
		if r.Message == "redis: connection closed" && r.Level != slog.LevelDebug {
			t.Errorf("a close at %v: %s", r.Level, r.Text)
		}
	}
	checkNoCanary(t, rec)
}

// TestLoggingPubSub: a PubSub whose connection is killed logs its
// resubscription; dropped messages are logged at most once a second.
func TestLoggingPubSub(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{})
	ctx := context.Background()
	rec, lg := logtest.New()
	c := redis.NewClient(&redis.Options{Addr: srv.Addr(), Logger: lg})
	defer c.Close()
	pub := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer pub.Close()

	ps, err := c.Subscribe(ctx, logCanaryChan, logCanaryChan+"2")
	if err != nil {
		t.Fatal(err)
	}
	defer ps.Close()
	if _, err := pub.Do(ctx, "CLIENT", "KILL", "TYPE", "pubsub").Int64(); err != nil {
		t.Fatal(err)
	}
	re := rec.Wait(5*time.Second, "redis: pubsub resubscribed", map[string]string{"component": "pubsub", "channels": "2"})
	if len(re) != 1 || re[0].Level != slog.LevelWarn {
		t.Fatalf("after CLIENT KILL TYPE pubsub: %v", rec.Records())
	}
	ps.Close()

	// One buffered message, the others dropped: 300 drops in a burst make
	// one record, a drop more than a second later one more.
	drops := c.NewPubSub(&redis.PubSubOptions{BufferSize: 1, Overflow: redis.OverflowDropNewest})
	defer drops.Close()
	if err := drops.Subscribe(ctx, logCanaryChan); err != nil {
		t.Fatal(err)
	}
	if m, err := drops.Receive(ctx); err != nil || m.Kind != redis.KindSubscribed {
		t.Fatalf("confirmation: %+v, %v", m, err)
	}
	burst := func(n int, wantDropped uint64) {
		t.Helper()
		p := pub.Pipeline()
		for i := range n {
			p.Publish(logCanaryChan, logCanaryMsg+strconv.Itoa(i))
		}
		if err := p.Exec(ctx); err != nil {
			t.Fatal(err)
		}
		if !psPoll(5*time.Second, func() bool { return drops.Dropped() == wantDropped }) {
			t.Fatalf("dropped %d, want %d", drops.Dropped(), wantDropped)
		}
	}
	start := time.Now()
	burst(300, 299)
	first := rec.Find("redis: pubsub messages dropped", nil)
	if elapsed := time.Since(start); len(first) == 0 || len(first) > 1 && elapsed < time.Second {
		t.Fatalf("%d drop records for a burst of 299 drops in %v, want 1", len(first), elapsed)
	}
	if first[0].Level != slog.LevelWarn || first[0].Attrs["dropped"] != "1" || first[0].Attrs["component"] != "pubsub" {
		t.Fatalf("first drop record: %s", first[0].Text)
	}
	time.Sleep(time.Until(first[len(first)-1].Time.Add(1100 * time.Millisecond)))
	burst(10, 309)
	all := rec.Find("redis: pubsub messages dropped", nil)
	if len(all) != len(first)+1 || all[len(all)-1].Attrs["dropped"] != "300" {
		t.Fatalf("after a second burst: %d records (%d before), last %v", len(all), len(first), all[len(all)-1].Attrs)
	}
	t.Logf("309 drops: %d records", len(all))
	checkNoCanary(t, rec)
}

// BenchmarkGetLogger is BenchmarkGet with a Logger at Info: nothing is
// logged per command, so it allocates as little (1 alloc/op).
func BenchmarkGetLogger(b *testing.B) {
	lg := slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
	benchGet(b, redis.Options{Logger: lg})
}
