package redis_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/redistest"
)

// next returns the next event, failing the test after a few seconds.
func next(t *testing.T, ps *redis.PubSub) redis.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	m, err := ps.Receive(ctx)
	if err != nil {
		t.Fatalf("Receive: %v", err)
	}
	return m
}

// expect reads events until one of kind k for name arrives; every other
// event read meanwhile must be of an allowed kind.
func expect(t *testing.T, ps *redis.PubSub, k redis.MessageKind, name string, allowed ...redis.MessageKind) redis.Message {
	t.Helper()
	for {
		m := next(t, ps)
		if m.Kind == k && m.Channel == name {
			return m
		}
		ok := false
		for _, a := range allowed {
			ok = ok || m.Kind == a
		}
		if !ok {
			t.Fatalf("got %+v while waiting for %v %q", m, k, name)
		}
	}
}

func publish(t *testing.T, c *redis.Client, cmd, channel, msg string) int64 {
	t.Helper()
	n, err := c.Do(context.Background(), cmd, channel, msg).Int64()
	if err != nil {
		t.Fatalf("%s: %v", cmd, err)
	}
	return n
}

func TestPubSubKinds(t *testing.T) {
	ctx := context.Background()
	withClients(t, func(t *testing.T, c *redis.Client) {
		ch, pat, shard := key(t, "ch"), key(t, "p*"), key(t, "shard")
		ps, err := c.Subscribe(ctx, ch)
		if err != nil {
			t.Fatal(err)
		}
		defer ps.Close()
		if m := next(t, ps); m.Kind != redis.KindSubscribed || m.Channel != ch || m.Count != 1 {
			t.Fatalf("first event %+v, want the subscribe confirmation with count 1", m)
		}
		if err := ps.PSubscribe(ctx, pat); err != nil {
			t.Fatal(err)
		}
		if m := next(t, ps); m.Kind != redis.KindPatternSubscribed || m.Channel != pat || m.Count != 2 {
			t.Fatalf("got %+v, want the psubscribe confirmation with count 2", m)
		}
		if err := ps.SSubscribe(ctx, shard); err != nil {
			t.Fatal(err)
		}
		if m := next(t, ps); m.Kind != redis.KindShardSubscribed || m.Channel != shard || m.Count != 1 {
			t.Fatalf("got %+v, want the ssubscribe confirmation (shard count 1)", m)
		}

		if n := publish(t, c, "PUBLISH", ch, "hello"); n != 1 {
			t.Fatalf("PUBLISH reached %d subscribers, want 1", n)
		}
		if m := next(t, ps); m != (redis.Message{Kind: redis.KindMessage, Channel: ch, Payload: "hello"}) {
			t.Fatalf("got %+v", m)
		}
		pch := key(t, "pxyz")
		publish(t, c, "PUBLISH", pch, "by pattern")
		if m := next(t, ps); m != (redis.Message{Kind: redis.KindPatternMessage, Pattern: pat, Channel: pch, Payload: "by pattern"}) {
			t.Fatalf("got %+v", m)
		}
		publish(t, c, "SPUBLISH", shard, "sharded")
		if m := next(t, ps); m != (redis.Message{Kind: redis.KindShardMessage, Channel: shard, Payload: "sharded"}) {
			t.Fatalf("got %+v", m)
		}

		chans, pats, shards := ps.Subscriptions()
		if len(chans) != 1 || len(pats) != 1 || len(shards) != 1 {
			t.Fatalf("Subscriptions = %q %q %q", chans, pats, shards)
		}
		if err := ps.Unsubscribe(ctx); err != nil {
			t.Fatal(err)
		}
		if m := next(t, ps); m.Kind != redis.KindUnsubscribed || m.Channel != ch {
			t.Fatalf("got %+v, want the unsubscribe confirmation", m)
		}
		if err := ps.PUnsubscribe(ctx, pat); err != nil {
			t.Fatal(err)
		}
		expect(t, ps, redis.KindPatternUnsubscribed, pat)
		if err := ps.SUnsubscribe(ctx, shard); err != nil {
			t.Fatal(err)
		}
		expect(t, ps, redis.KindShardUnsubscribed, shard)
		if n := publish(t, c, "PUBLISH", ch, "after"); n != 0 {
			t.Fatalf("PUBLISH after unsubscribing reached %d subscribers", n)
		}
		if err := ps.Subscribe(ctx); err == nil {
			t.Fatal("Subscribe with no channel was accepted")
		}
		ps.Close()
		if _, err := ps.Receive(ctx); !errors.Is(err, redis.ErrPubSubClosed) {
			t.Fatalf("Receive after Close: %v", err)
		}
		if err := ps.Subscribe(ctx, ch); !errors.Is(err, redis.ErrPubSubClosed) {
			t.Fatalf("Subscribe after Close: %v", err)
		}
	})
}

// resumeAll subscribes to a channel, a pattern and a shard channel, breaks
// the connection with breakIt, and checks that the PubSub reports the gap,
// renews all three, and then loses none of 200 messages. It returns the
// time from the break to the last renewal confirmation.
func resumeAll(t *testing.T, c *redis.Client, ps *redis.PubSub, breakIt func()) time.Duration {
	t.Helper()
	ctx := context.Background()
	ch, pat, shard := key(t, "ch"), key(t, "p*"), key(t, "shard")
	if err := ps.Subscribe(ctx, ch); err != nil {
		t.Fatal(err)
	}
	if err := ps.PSubscribe(ctx, pat); err != nil {
		t.Fatal(err)
	}
	if err := ps.SSubscribe(ctx, shard); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		next(t, ps) // the three confirmations
	}
	start := time.Now()
	breakIt()
	if m := next(t, ps); m.Kind != redis.KindResubscribed {
		t.Fatalf("first event after the break: %+v, want the gap marker", m)
	}
	got := map[redis.MessageKind]string{}
	for len(got) < 3 {
		m := next(t, ps)
		switch m.Kind {
		case redis.KindSubscribed, redis.KindPatternSubscribed, redis.KindShardSubscribed:
			got[m.Kind] = m.Channel
		default:
			t.Fatalf("unexpected %+v while waiting for the renewals", m)
		}
	}
	resumed := time.Since(start)
	if got[redis.KindSubscribed] != ch || got[redis.KindPatternSubscribed] != pat || got[redis.KindShardSubscribed] != shard {
		t.Fatalf("renewed %v", got)
	}
	const n = 200
	for i := range n {
		publish(t, c, "PUBLISH", ch, strconv.Itoa(i))
		publish(t, c, "PUBLISH", key(t, "p-"+strconv.Itoa(i)), strconv.Itoa(i))
		publish(t, c, "SPUBLISH", shard, strconv.Itoa(i))
	}
	counts := map[redis.MessageKind]int{}
	for range 3 * n {
		m, err := ps.ReceiveMessage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if want := strconv.Itoa(counts[m.Kind]); m.Payload != want {
			t.Fatalf("%v message %q, want %q (lost or reordered)", m.Kind, m.Payload, want)
		}
		counts[m.Kind]++
	}
	if counts[redis.KindMessage] != n || counts[redis.KindPatternMessage] != n || counts[redis.KindShardMessage] != n {
		t.Fatalf("received %v, want %d of each kind", counts, n)
	}
	return resumed
}

func TestPubSubSurvivesClientKill(t *testing.T) {
	requireOwnServer(t, "CLIENT KILL TYPE pubsub")
	withClients(t, func(t *testing.T, c *redis.Client) {
		ps := c.NewPubSub(nil)
		defer ps.Close()
		d := resumeAll(t, c, ps, func() {
			if n, err := c.Do(context.Background(), "CLIENT", "KILL", "TYPE", "pubsub").Int64(); err != nil || n < 1 {
				t.Fatalf("CLIENT KILL TYPE pubsub: %d, %v", n, err)
			}
		})
		t.Logf("resubscribed to a channel, a pattern and a shard channel %v after CLIENT KILL TYPE pubsub; 600 messages after, 0 lost", d)
	})
}

func TestPubSubSurvivesRestart(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{})
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			c := redis.NewClient(&redis.Options{Addr: srv.Addr(), Protocol: proto})
			defer c.Close()
			ps := c.NewPubSub(nil)
			defer ps.Close()
			d := resumeAll(t, c, ps, func() {
				if err := srv.Restart(); err != nil {
					t.Fatal(err)
				}
			})
			t.Logf("resubscribed %v after the server was restarted (restart included); 600 messages after, 0 lost", d)
		})
	}
}

func TestPubSubHealthCheck(t *testing.T) {
	o := commandOptions(t)
	proxy := redistest.StartProxy(t, o.Addr)
	o.Addr = proxy.Addr()
	c := redis.NewClient(&o)
	defer c.Close()
	ps := c.NewPubSub(&redis.PubSubOptions{HealthCheck: 100 * time.Millisecond})
	defer ps.Close()
	ch := key(t, "ch")
	if err := ps.Subscribe(context.Background(), ch); err != nil {
		t.Fatal(err)
	}
	next(t, ps)
	// A healthy but idle connection is only pinged: no reconnect, no event.
	time.Sleep(350 * time.Millisecond)
	if n := proxy.Accepted(); n != 1 {
		t.Fatalf("%d connections while idle and healthy, want 1", n)
	}
	proxy.Stall(true) // the network goes silent, the connection stays open
	start := time.Now()
	deadline := time.Now().Add(5 * time.Second)
	for proxy.Accepted() < 2 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	detected := time.Since(start)
	if proxy.Accepted() < 2 {
		t.Fatal("a silent connection was not replaced within 5s")
	}
	proxy.Stall(false)
	if m := next(t, ps); m.Kind != redis.KindResubscribed {
		t.Fatalf("got %+v, want the gap marker", m)
	}
	expect(t, ps, redis.KindSubscribed, ch)
	publish(t, c, "PUBLISH", ch, "after")
	if m, err := ps.ReceiveMessage(context.Background()); err != nil || m.Payload != "after" {
		t.Fatalf("ReceiveMessage = %+v, %v", m, err)
	}
	t.Logf("silent connection detected and replaced after %v (health check 100ms)", detected)
}

// fill publishes n messages to a PubSub nobody reads, and waits until its
// reader has handled them all (delivered or dropped); buffered counts the
// subscription's confirmation too.
func fill(t *testing.T, c *redis.Client, ps *redis.PubSub, ch string, n int, buffered int) {
	t.Helper()
	for i := range n {
		publish(t, c, "PUBLISH", ch, strconv.Itoa(i))
	}
	deadline := time.Now().Add(5 * time.Second)
	for int(ps.Dropped())+buffered < n+1 && time.Now().Before(deadline) { // +1: the confirmation
		time.Sleep(2 * time.Millisecond)
	}
}

func TestPubSubOverflow(t *testing.T) {
	ctx := context.Background()
	o := commandOptions(t)
	c := redis.NewClient(&o)
	defer c.Close()
	payloads := func(ps *redis.PubSub, n int) []string {
		var out []string
		for range n {
			m := next(t, ps)
			out = append(out, m.Kind.String()+":"+m.Payload)
		}
		return out
	}
	t.Run("DropOldest", func(t *testing.T) {
		ps := c.NewPubSub(&redis.PubSubOptions{BufferSize: 4, Overflow: redis.OverflowDropOldest})
		defer ps.Close()
		if err := ps.Subscribe(ctx, key(t, "ch")); err != nil {
			t.Fatal(err)
		}
		fill(t, c, ps, key(t, "ch"), 20, 5)
		if d := ps.Dropped(); d != 16 {
			t.Fatalf("Dropped = %d, want 16 (20 messages, 4 kept)", d)
		}
		if got := fmt.Sprint(payloads(ps, 5)); got != "[subscribe: message:16 message:17 message:18 message:19]" {
			t.Fatalf("kept %s, want the confirmation and the newest four messages", got)
		}
	})
	t.Run("DropNewest", func(t *testing.T) {
		ps := c.NewPubSub(&redis.PubSubOptions{BufferSize: 4, Overflow: redis.OverflowDropNewest})
		defer ps.Close()
		if err := ps.Subscribe(ctx, key(t, "ch")); err != nil {
			t.Fatal(err)
		}
		fill(t, c, ps, key(t, "ch"), 20, 5)
		if d := ps.Dropped(); d != 16 {
			t.Fatalf("Dropped = %d, want 16", d)
		}
		if got := fmt.Sprint(payloads(ps, 5)); got != "[subscribe: message:0 message:1 message:2 message:3]" {
			t.Fatalf("kept %s, want the confirmation and the oldest four messages", got)
		}
	})
	t.Run("Fail", func(t *testing.T) {
		ps := c.NewPubSub(&redis.PubSubOptions{BufferSize: 4, Overflow: redis.OverflowFail})
		defer ps.Close()
		if err := ps.Subscribe(ctx, key(t, "ch")); err != nil {
			t.Fatal(err)
		}
		for i := range 10 {
			publish(t, c, "PUBLISH", key(t, "ch"), strconv.Itoa(i))
		}
		var err error
		for i := 0; i < 10 && err == nil; i++ {
			_, err = ps.Receive(ctx)
		}
		if !errors.Is(err, redis.ErrPubSubOverflow) {
			t.Fatalf("after the buffer filled: %v, want ErrPubSubOverflow", err)
		}
	})
	t.Run("Block", func(t *testing.T) {
		ps := c.NewPubSub(&redis.PubSubOptions{BufferSize: 4})
		defer ps.Close()
		other, err := c.Subscribe(ctx, key(t, "other"))
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		if err := ps.Subscribe(ctx, key(t, "ch")); err != nil {
			t.Fatal(err)
		}
		for i := range 50 {
			publish(t, c, "PUBLISH", key(t, "ch"), strconv.Itoa(i))
		}
		// The blocked subscriber does not hold up another one.
		publish(t, c, "PUBLISH", key(t, "other"), "free")
		if m, err := other.ReceiveMessage(ctx); err != nil || m.Payload != "free" {
			t.Fatalf("other subscriber: %+v, %v", m, err)
		}
		got := payloads(ps, 51)
		if got[0] != "subscribe:" || got[1] != "message:0" || got[50] != "message:49" || ps.Dropped() != 0 {
			t.Fatalf("blocking policy lost or reordered events: %v, dropped %d", got, ps.Dropped())
		}
	})
}

func TestPubSubConcurrentSubscribe(t *testing.T) {
	ctx := context.Background()
	withClients(t, func(t *testing.T, c *redis.Client) {
		ps := c.NewPubSub(nil)
		defer ps.Close()
		errs := make(chan error, 20)
		for i := range 20 {
			go func() { errs <- ps.Subscribe(ctx, key(t, "c"+strconv.Itoa(i))) }()
		}
		for range 20 {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		chans, _, _ := ps.Subscriptions()
		sort.Strings(chans)
		if len(chans) != 20 {
			t.Fatalf("%d channels, want 20", len(chans))
		}
		n, err := c.Do(ctx, "PUBSUB", "NUMSUB", key(t, "c7")).Slice()
		if err != nil || len(n) != 2 || n[1].Int() != 1 {
			t.Fatalf("PUBSUB NUMSUB = %v, %v", n, err)
		}
	})
}
