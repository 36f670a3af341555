package search

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/respkit/redis"
	"github.com/respkit/redis/redistest"
)

// TestQueryCommandsRunOnAClient runs the query-side commands through a
// real *redis.Client, alone and in a pipeline, against the machine's
// redis-server, which has no search module: each command is sent and
// comes back as the server's "unknown command" error, and a command the
// builder rejected is never sent.
func TestQueryCommandsRunOnAClient(t *testing.T) {
	srv, err := redistest.StartServer(redistest.Config{})
	if err != nil {
		t.Skipf("no redis-server: %v", err)
	}
	defer srv.Close()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer rdb.Close()
	ft := New(rdb)
	ctx := context.Background()

	unknown := func(what string, err error) {
		t.Helper()
		var re *redis.Error
		if !errors.As(err, &re) || re.Code() != "ERR" || !strings.Contains(re.Error(), "unknown command") {
			t.Errorf("%s: %v, want the server's unknown-command error", what, err)
		}
	}
	_, err = ft.Search(ctx, "idx", NewQuery(Terms("matrix")))
	unknown("Search", err)
	_, err = ft.Aggregate(ctx, "idx", NewAggregation(All).GroupBy(nil, Count()))
	unknown("Aggregate", err)
	_, err = ft.ProfileSearch(ctx, "idx", NewQuery(All), ProfileOptions{})
	unknown("ProfileSearch", err)
	_, err = ft.Hybrid(ctx, "idx", NewHybridQuery(HybridText{Query: All}, HybridVector{Field: "v", Param: "q"}).Param("q", "x"))
	unknown("Hybrid", err)
	unknown("CursorDel", ft.CursorDel(ctx, "idx", 7))

	// The iterator yields the first command's error once and sends no
	// FT.CURSOR command after it.
	n := 0
	for row, err := range ft.AggregateCursor(ctx, "idx", NewAggregation(All).WithCursor(CursorOptions{Count: 1})) {
		n++
		if row != nil {
			t.Errorf("row %v", row)
		}
		unknown("AggregateCursor", err)
	}
	if n != 1 {
		t.Errorf("AggregateCursor yielded %d times, want 1", n)
	}

	// In a pipeline: sent commands get the server's error, the rejected
	// one its own error, and the last command still runs.
	p := rdb.Pipeline()
	s := redis.Queue(p, Search("idx", NewQuery(All)))
	bad := redis.Queue(p, Search("idx", NewQuery(Tag("genre"))))
	c := redis.Queue(p, CursorRead("idx", 1, 10))
	ping := p.Do("PING")
	_ = p.Exec(ctx)
	_, err = s.Result()
	unknown("queued Search", err)
	_, err = c.Result()
	unknown("queued CursorRead", err)
	if _, err := bad.Result(); err == nil || strings.Contains(err.Error(), "unknown command") {
		t.Errorf("rejected Search: %v, want the builder's error", err)
	}
	if v, err := ping.Text(); err != nil || v != "PONG" {
		t.Errorf("PING after them: %q %v", v, err)
	}

	// A Client without a *redis.Client fails instead of panicking.
	var none *Client
	if _, err := none.Search(ctx, "idx", NewQuery(All)); err == nil {
		t.Error("nil Client searched")
	}
}
