package keyspace_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/keyspace"
	"github.com/respkit/redis/redistest"
	"github.com/respkit/redis/sentinel"
)

// TestSentinelFailover kills the primary of a Sentinel group under two
// watchers (RESP2, RESP3): each follows the client to the promoted
// replica, sets the flags there (Notify reached the old primary only),
// marks the gap, and delivers the events of the writes that follow.
func TestSentinelFailover(t *testing.T) {
	g := redistest.StartSentinelGroup(t, redistest.SentinelGroupConfig{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	newClient := func(proto int) *redis.Client {
		o := &sentinel.Options{MasterName: g.MasterName(), SentinelAddrs: g.SentinelAddrs()}
		o.Protocol = proto
		c := sentinel.NewClient(o)
		t.Cleanup(func() { c.Close() })
		return c
	}
	writer := newClient(3)
	var ws []*keyspace.Watcher
	for _, proto := range []int{2, 3} {
		ws = append(ws, watch(t, ctx, newClient(proto), &keyspace.Options{Keys: "s:*", Notify: "$"}))
	}
	writer.Set(ctx, "s:before", "1")
	for _, w := range ws {
		expect(t, w, "set s:before")
	}

	results := readPastGap(ctx, ws, "s:after", false)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
			wctx, wcancel := context.WithTimeout(ctx, 200*time.Millisecond)
			writer.Set(wctx, fmt.Sprintf("s:after%d", i), "1") // fails during the failover
			wcancel()
		}
	}()
	killed := time.Now()
	old, err := g.KillPrimary()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.WaitFailover(old); err != nil {
		t.Fatal(err)
	}
	promoted := time.Now()
	for i := range ws {
		s := <-results
		if s.err != nil {
			t.Fatalf("after the failover: %v", s.err)
		}
		t.Logf("watcher %d: gap marker %v after the kill (%v after the sentinels agreed), then an event %v later; %d events before the marker",
			i, s.gap.Sub(killed).Round(time.Millisecond), s.gap.Sub(promoted).Round(time.Millisecond),
			s.event.Sub(s.gap).Round(time.Millisecond), s.before)
	}
	for i, w := range ws {
		if st := w.Stats(); st.Gaps == 0 || st.Dropped != 0 {
			t.Errorf("watcher %d: stats %+v", i, st)
		}
	}
}
