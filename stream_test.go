package redis_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/respkit/redis"
)

func streamInt(n int64) *int64 { return &n }

func TestStreamEncoding(t *testing.T) {
	vals := []redis.XValue{{Name: "f", Value: "v"}, {Name: "n", Value: 7}}
	wantArgs(t, redis.XAdd("s", "*", vals), "XADD", "s", "*", "f", "v", "n", "7")
	wantArgs(t, redis.XAdd("s", "5-*", vals[:1], redis.XAddOptions{NoMkStream: true,
		Trim: &redis.XTrimRule{MaxLen: 100, Approx: true, Limit: streamInt(10)}}),
		"XADD", "s", "NOMKSTREAM", "MAXLEN", "~", "100", "LIMIT", "10", "5-*", "f", "v")
	wantArgs(t, redis.XAdd("s", "1-1", vals[:1], redis.XAddOptions{
		Trim: &redis.XTrimRule{MinID: "0-5", Exact: true, Ref: redis.XDelRef}, Producer: "p1", IdempotentID: "i1"}),
		"XADD", "s", "DELREF", "IDMP", "p1", "i1", "MINID", "=", "0-5", "1-1", "f", "v")
	wantArgs(t, redis.XAdd("s", "*", vals[:1], redis.XAddOptions{Producer: "p1", Trim: &redis.XTrimRule{}}),
		"XADD", "s", "IDMPAUTO", "p1", "MAXLEN", "0", "*", "f", "v")
	wantBuildError(t, redis.XAdd("s", "*", nil), "at least one field")
	wantBuildError(t, redis.XAdd("s", "", vals), "empty ID")
	wantBuildError(t, redis.XAdd("s", "*", vals, redis.XAddOptions{IdempotentID: "i"}), "Producer")
	wantBuildError(t, redis.XAdd("s", "*", vals, redis.XAddOptions{Trim: &redis.XTrimRule{MaxLen: 1, MinID: "1"}}), "MaxLen and MinID")
	wantBuildError(t, redis.XAdd("s", "*", vals, redis.XAddOptions{Trim: &redis.XTrimRule{Approx: true, Exact: true}}), "Approx and Exact")
	wantBuildError(t, redis.XAdd("s", "*", vals, redis.XAddOptions{Trim: &redis.XTrimRule{Limit: streamInt(5)}}), "Limit needs Approx")
	wantBuildError(t, redis.XAdd("s", "*", vals, redis.XAddOptions{Trim: &redis.XTrimRule{Ref: "NOPE"}}), "KEEPREF, DELREF or ACKED")

	wantArgs(t, redis.XTrim("s", redis.XTrimRule{MaxLen: 3}), "XTRIM", "s", "MAXLEN", "3")
	wantArgs(t, redis.XTrim("s", redis.XTrimRule{MinID: "9-0", Approx: true, Limit: streamInt(0), Ref: redis.XAcked}),
		"XTRIM", "s", "MINID", "~", "9-0", "LIMIT", "0", "ACKED")

	wantArgs(t, redis.XAckDel("s", "g", []string{"1-0", "2-0"}), "XACKDEL", "s", "g", "IDS", "2", "1-0", "2-0")
	wantArgs(t, redis.XAckDel("s", "g", []string{"1-0"}, redis.XRefOptions{Ref: redis.XKeepRef}), "XACKDEL", "s", "g", "KEEPREF", "IDS", "1", "1-0")
	wantBuildError(t, redis.XAckDel("s", "g", nil), "at least one ID")
	wantArgs(t, redis.XDelEx("s", []string{"1-0"}, redis.XRefOptions{Ref: "delref"}), "XDELEX", "s", "DELREF", "IDS", "1", "1-0")
	wantArgs(t, redis.XNack("s", "g", "fail", []string{"1-0", "2-0"}, redis.XNackOptions{RetryCount: streamInt(0), Force: true}),
		"XNACK", "s", "g", "FAIL", "IDS", "2", "1-0", "2-0", "RETRYCOUNT", "0", "FORCE")
	wantBuildError(t, redis.XNack("s", "g", "LOUD", []string{"1-0"}), "SILENT, FAIL or FATAL")
	wantArgs(t, redis.XCfgSet("s", redis.XCfgSetOptions{IDMPDuration: 300 * time.Second, IDMPMaxSize: 50}),
		"XCFGSET", "s", "IDMP-DURATION", "300", "IDMP-MAXSIZE", "50")
	wantBuildError(t, redis.XCfgSet("s", redis.XCfgSetOptions{IDMPDuration: 1500 * time.Millisecond}), "whole number of seconds")
	wantArgs(t, redis.XIdmpRecord("s", "p", "i", "1-0"), "XIDMPRECORD", "s", "p", "i", "1-0")

	wantArgs(t, redis.XRange("s", "-", "+", redis.XRangeOptions{Count: 2}), "XRANGE", "s", "-", "+", "COUNT", "2")
	wantArgs(t, redis.XRevRange("s", "+", "-"), "XREVRANGE", "s", "+", "-")
	wantArgs(t, redis.XSetID("s", "5-0", redis.XSetIDOptions{EntriesAdded: streamInt(0), MaxDeletedID: "3-0"}),
		"XSETID", "s", "5-0", "ENTRIESADDED", "0", "MAXDELETEDID", "3-0")
	wantArgs(t, redis.XGroupCreate("s", "g", "$", redis.XGroupCreateOptions{MkStream: true, EntriesRead: streamInt(0)}),
		"XGROUP", "CREATE", "s", "g", "$", "MKSTREAM", "ENTRIESREAD", "0")
	wantArgs(t, redis.XGroupSetID("s", "g", "0", redis.XGroupSetIDOptions{EntriesRead: streamInt(4)}),
		"XGROUP", "SETID", "s", "g", "0", "ENTRIESREAD", "4")
	wantArgs(t, redis.XClaim("s", "g", "c", 1500*time.Millisecond, []string{"1-0"}, redis.XClaimOptions{
		Idle: 2 * time.Second, Time: time.UnixMilli(1700000000123), RetryCount: 3, Force: true, LastID: "1-0"}),
		"XCLAIM", "s", "g", "c", "1500", "1-0", "IDLE", "2000", "TIME", "1700000000123", "RETRYCOUNT", "3", "FORCE", "LASTID", "1-0")
	wantArgs(t, redis.XClaimJustID("s", "g", "c", 0, []string{"1-0", "2-0"}), "XCLAIM", "s", "g", "c", "0", "1-0", "2-0", "JUSTID")
	wantArgs(t, redis.XAutoClaim("s", "g", "c", time.Minute, "0-0", redis.XAutoClaimOptions{Count: 5}),
		"XAUTOCLAIM", "s", "g", "c", "60000", "0-0", "COUNT", "5")
	wantArgs(t, redis.XAutoClaimJustID("s", "g", "c", 0, "0"), "XAUTOCLAIM", "s", "g", "c", "0", "0", "JUSTID")
	wantArgs(t, redis.XPending("s", "g"), "XPENDING", "s", "g")
	wantArgs(t, redis.XPendingExt("s", "g", "-", "+", 10, redis.XPendingExtOptions{MinIdle: time.Second, Consumer: "c"}),
		"XPENDING", "s", "g", "IDLE", "1000", "-", "+", "10", "c")
	wantArgs(t, redis.XInfoStream("s"), "XINFO", "STREAM", "s")
	wantArgs(t, redis.XInfoStreamFull("s"), "XINFO", "STREAM", "s", "FULL")
	wantArgs(t, redis.XInfoStreamFull("s", redis.XInfoStreamFullOptions{Count: streamInt(0)}), "XINFO", "STREAM", "s", "FULL", "COUNT", "0")

	// XREAD and XREADGROUP block only with BLOCK.
	rd := redis.XRead([]string{"a", "b"}, []string{"0", "$"}, redis.XReadOptions{Count: 5})
	wantArgs(t, rd, "XREAD", "COUNT", "5", "STREAMS", "a", "b", "0", "$")
	if _, blocking := rd.Blocking(); blocking {
		t.Error("XREAD without BLOCK is marked blocking")
	}
	if k, _ := rd.Key(); k != "a" {
		t.Errorf("XREAD key = %q, want a", k)
	}
	rd = redis.XRead([]string{"a"}, []string{"$"}, redis.XReadOptions{Block: 1500 * time.Millisecond})
	wantArgs(t, rd, "XREAD", "BLOCK", "1500", "STREAMS", "a", "$")
	if d, blocking := rd.Blocking(); !blocking || d != 1500*time.Millisecond {
		t.Errorf("XREAD BLOCK 1500: Blocking() = %v, %v", d, blocking)
	}
	rd = redis.XRead([]string{"a"}, []string{"$"}, redis.XReadOptions{BlockForever: true})
	wantArgs(t, rd, "XREAD", "BLOCK", "0", "STREAMS", "a", "$")
	if d, blocking := rd.Blocking(); !blocking || d >= 0 {
		t.Errorf("XREAD BLOCK 0: Blocking() = %v, %v, want a negative duration", d, blocking)
	}
	wantBuildError(t, redis.XRead([]string{"a", "b"}, []string{"0"}), "2 keys but 1 IDs")
	wantBuildError(t, redis.XRead(nil, nil), "at least one stream")
	wantBuildError(t, redis.XRead([]string{"a"}, []string{"0"}, redis.XReadOptions{Block: time.Second, BlockForever: true}), "Block and BlockForever")
	wantBuildError(t, redis.XRead([]string{"a"}, []string{"0"}, redis.XReadOptions{Block: 1500 * time.Microsecond}), "milliseconds")

	rg := redis.XReadGroup("g", "c", []string{"a"}, []string{">"}, redis.XReadGroupOptions{Count: 1, Claim: time.Minute, NoAck: true})
	wantArgs(t, rg, "XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "CLAIM", "60000", "NOACK", "STREAMS", "a", ">")
	if _, blocking := rg.Blocking(); blocking {
		t.Error("XREADGROUP without BLOCK is marked blocking")
	}
	rg = redis.XReadGroup("g", "c", []string{"a"}, []string{">"}, redis.XReadGroupOptions{Block: 2 * time.Second})
	wantArgs(t, rg, "XREADGROUP", "GROUP", "g", "c", "BLOCK", "2000", "STREAMS", "a", ">")
	if d, blocking := rg.Blocking(); !blocking || d != 2*time.Second {
		t.Errorf("XREADGROUP BLOCK 2000: Blocking() = %v, %v", d, blocking)
	}
}

// xadd adds an entry with an explicit ID and fails the test on error.
func streamAdd(t *testing.T, c *redis.Client, k, id string, kv ...string) {
	t.Helper()
	var vals []redis.XValue
	for i := 0; i+1 < len(kv); i += 2 {
		vals = append(vals, redis.XValue{Name: kv[i], Value: kv[i+1]})
	}
	got, err := c.XAdd(context.Background(), k, id, vals)
	if err != nil || got != id {
		t.Fatalf("XADD %s %s = %q, %v", k, id, got, err)
	}
}

func streamMsg(id string, kv ...string) redis.XMessage {
	m := redis.XMessage{ID: id, Fields: []redis.XField{}}
	for i := 0; i+1 < len(kv); i += 2 {
		m.Fields = append(m.Fields, redis.XField{Name: kv[i], Value: kv[i+1]})
	}
	return m
}

func streamWant[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s = %+v, want %+v", what, got, want)
	}
}

func TestStreamAddRangeTrim(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		k := key(t, "s")
		// Values of any type, fields in order, a repeated field kept.
		id, err := c.XAdd(ctx, k, "1-1", []redis.XValue{{Name: "n", Value: 42}, {Name: "f", Value: 1.5}, {Name: "b", Value: []byte("raw")}, {Name: "n", Value: true}})
		if err != nil || id != "1-1" {
			t.Fatalf("XADD = %q, %v", id, err)
		}
		auto, err := c.XAdd(ctx, k, "*", []redis.XValue{{Name: "a", Value: "x"}})
		if err != nil || !strings.Contains(auto, "-") || auto == "1-1" {
			t.Fatalf("XADD * = %q, %v", auto, err)
		}
		streamAdd(t, c, key(t, "t"), "1-0", "a", "1")
		streamAdd(t, c, key(t, "t"), "2-0", "a", "2")
		streamAdd(t, c, key(t, "t"), "3-0", "a", "3", "b", "4")

		msgs, err := c.XRange(ctx, k, "-", "1-1")
		if err != nil {
			t.Fatal(err)
		}
		streamWant(t, "XRANGE", msgs, []redis.XMessage{streamMsg("1-1", "n", "42", "f", "1.5", "b", "raw", "n", "1")})
		if v, ok := msgs[0].Value("n"); !ok || v != "42" {
			t.Errorf("Value(n) = %q, %v", v, ok)
		}
		streamWant(t, "Map", msgs[0].Map(), map[string]string{"n": "1", "f": "1.5", "b": "raw"})

		tk := key(t, "t")
		msgs, err = c.XRange(ctx, tk, "(1-0", "+", redis.XRangeOptions{Count: 1})
		if err != nil {
			t.Fatal(err)
		}
		streamWant(t, "XRANGE (1-0 + COUNT 1", msgs, []redis.XMessage{streamMsg("2-0", "a", "2")})
		msgs, err = c.XRevRange(ctx, tk, "+", "-")
		if err != nil {
			t.Fatal(err)
		}
		streamWant(t, "XREVRANGE", msgs, []redis.XMessage{streamMsg("3-0", "a", "3", "b", "4"), streamMsg("2-0", "a", "2"), streamMsg("1-0", "a", "1")})
		msgs, err = c.XRange(ctx, key(t, "none"), "-", "+")
		if err != nil || len(msgs) != 0 {
			t.Fatalf("XRANGE on a missing key = %v, %v", msgs, err)
		}

		if n, err := c.XLen(ctx, tk); err != nil || n != 3 {
			t.Fatalf("XLEN = %d, %v", n, err)
		}
		if n, err := c.XDel(ctx, tk, "2-0", "9-0"); err != nil || n != 1 {
			t.Fatalf("XDEL = %d, %v", n, err)
		}
		if n, err := c.XTrim(ctx, tk, redis.XTrimRule{MaxLen: 1}); err != nil || n != 1 {
			t.Fatalf("XTRIM MAXLEN 1 = %d, %v", n, err)
		}
		streamAdd(t, c, tk, "4-0", "a", "5")
		if n, err := c.XTrim(ctx, tk, redis.XTrimRule{MinID: "4-0", Exact: true}); err != nil || n != 1 {
			t.Fatalf("XTRIM MINID = 4-0 = %d, %v", n, err)
		}
		// XADD with trimming keeps only the newest entry.
		id, err = c.XAdd(ctx, tk, "5-0", []redis.XValue{{Name: "a", Value: 6}}, redis.XAddOptions{Trim: &redis.XTrimRule{MaxLen: 1}})
		if err != nil || id != "5-0" {
			t.Fatalf("XADD MAXLEN 1 = %q, %v", id, err)
		}
		msgs, err = c.XRange(ctx, tk, "-", "+")
		if err != nil {
			t.Fatal(err)
		}
		streamWant(t, "after trimming", msgs, []redis.XMessage{streamMsg("5-0", "a", "6")})

		// NOMKSTREAM on a missing stream: a null reply.
		_, err = c.XAdd(ctx, key(t, "missing"), "*", []redis.XValue{{Name: "a", Value: 1}}, redis.XAddOptions{NoMkStream: true})
		if !errors.Is(err, redis.ErrNil) {
			t.Fatalf("XADD NOMKSTREAM on a missing key: err = %v, want ErrNil", err)
		}
		// An ID not above the last one is refused by the server.
		if _, err := c.XAdd(ctx, tk, "1-0", []redis.XValue{{Name: "a", Value: 1}}); err == nil {
			t.Fatal("XADD with a smaller ID succeeded")
		}

		// XSETID, then XINFO STREAM reports it.
		if err := c.XSetID(ctx, tk, "10-0", redis.XSetIDOptions{EntriesAdded: streamInt(7), MaxDeletedID: "4-0"}); err != nil {
			t.Fatal(err)
		}
		info, err := c.XInfoStream(ctx, tk)
		if err != nil {
			t.Fatal(err)
		}
		if info.Length != 1 || info.LastGeneratedID != "10-0" || info.Groups != 0 || info.RadixTreeKeys < 1 {
			t.Fatalf("XINFO STREAM = %+v", info)
		}
		want := streamMsg("5-0", "a", "6")
		if info.FirstEntry == nil || info.LastEntry == nil || !reflect.DeepEqual(*info.FirstEntry, want) || !reflect.DeepEqual(*info.LastEntry, want) {
			t.Fatalf("XINFO STREAM first/last = %+v / %+v", info.FirstEntry, info.LastEntry)
		}
		if info.EntriesAdded != 7 || info.MaxDeletedEntryID != "4-0" || info.RecordedFirstEntryID != "5-0" {
			t.Fatalf("XINFO STREAM counters (Redis 7.0) = %+v", info.XStreamState)
		}
		if _, err := c.XInfoStream(ctx, key(t, "missing")); err == nil {
			t.Fatal("XINFO STREAM on a missing key succeeded")
		}
		// An emptied stream has no first and last entry.
		if n, err := c.XTrim(ctx, tk, redis.XTrimRule{}); err != nil || n != 1 {
			t.Fatalf("XTRIM MAXLEN 0 = %d, %v", n, err)
		}
		info, err = c.XInfoStream(ctx, tk)
		if err != nil || info.Length != 0 || info.FirstEntry != nil || info.LastEntry != nil {
			t.Fatalf("XINFO STREAM of an empty stream = %+v, %v", info, err)
		}

		help, err := c.XInfoHelp(ctx)
		if err != nil || len(help) < 3 || !strings.HasPrefix(help[0], "XINFO") {
			t.Fatalf("XINFO HELP = %q, %v", help, err)
		}
	})
}

func TestStreamRead(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		a, b, empty := key(t, "a"), key(t, "b"), key(t, "empty")
		streamAdd(t, c, a, "1-0", "x", "1")
		streamAdd(t, c, a, "2-0", "x", "2")
		streamAdd(t, c, b, "1-0", "y", "1")

		got, err := c.XRead(ctx, []string{a, empty, b}, []string{"0", "0", "0"})
		if err != nil {
			t.Fatal(err)
		}
		streamWant(t, "XREAD", got, []redis.XStream{
			{Stream: a, Messages: []redis.XMessage{streamMsg("1-0", "x", "1"), streamMsg("2-0", "x", "2")}},
			{Stream: b, Messages: []redis.XMessage{streamMsg("1-0", "y", "1")}},
		})
		got, err = c.XRead(ctx, []string{b, a}, []string{"0", "1-0"}, redis.XReadOptions{Count: 1})
		if err != nil {
			t.Fatal(err)
		}
		streamWant(t, "XREAD COUNT 1", got, []redis.XStream{
			{Stream: b, Messages: []redis.XMessage{streamMsg("1-0", "y", "1")}},
			{Stream: a, Messages: []redis.XMessage{streamMsg("2-0", "x", "2")}},
		})
		// Nothing new: a null reply, without and with a block time.
		if got, err := c.XRead(ctx, []string{a}, []string{"2-0"}); !errors.Is(err, redis.ErrNil) {
			t.Fatalf("XREAD with nothing new = %v, %v, want ErrNil", got, err)
		}
		if got, err := c.XRead(ctx, []string{a}, []string{"$"}, redis.XReadOptions{Block: 50 * time.Millisecond}); !errors.Is(err, redis.ErrNil) {
			t.Fatalf("XREAD BLOCK 50 timing out = %v, %v, want ErrNil", got, err)
		}
	})
}

func TestStreamReadBlocking(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		k := key(t, "s")
		o := c.Options()
		writer := redis.NewClient(&o)
		defer writer.Close()
		for _, opts := range []redis.XReadOptions{{BlockForever: true}, {Block: 5 * time.Second}} {
			type result struct {
				s   []redis.XStream
				err error
			}
			done := make(chan result, 1)
			go func() {
				s, err := c.XRead(ctx, []string{k}, []string{"$"}, opts)
				done <- result{s, err}
			}()
			// Add entries until the reader has one: an entry added before
			// the reader blocks is not new to it.
			var r result
			tick := time.NewTicker(20 * time.Millisecond)
		wait:
			for {
				select {
				case r = <-done:
					break wait
				case <-tick.C:
					if _, err := writer.XAdd(ctx, k, "*", []redis.XValue{{Name: "wake", Value: "up"}}); err != nil {
						t.Fatal(err)
					}
				case <-ctx.Done():
					t.Fatal("XREAD BLOCK was not woken by XADD")
				}
			}
			tick.Stop()
			if r.err != nil {
				t.Fatalf("%+v: %v", opts, r.err)
			}
			if len(r.s) != 1 || r.s[0].Stream != k || len(r.s[0].Messages) != 1 || r.s[0].Messages[0].Map()["wake"] != "up" {
				t.Fatalf("%+v: XREAD = %+v", opts, r.s)
			}
		}
	})
}

func TestStreamGroups(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		k := key(t, "s")
		// A group on a missing stream needs MKSTREAM.
		if err := c.XGroupCreate(ctx, k, "g", "$"); err == nil {
			t.Fatal("XGROUP CREATE on a missing key without MKSTREAM succeeded")
		}
		if err := c.XGroupCreate(ctx, k, "g", "$", redis.XGroupCreateOptions{MkStream: true}); err != nil {
			t.Fatal(err)
		}
		if created, err := c.XGroupCreateConsumer(ctx, k, "g", "alice"); err != nil || !created {
			t.Fatalf("XGROUP CREATECONSUMER = %v, %v", created, err)
		}
		if created, err := c.XGroupCreateConsumer(ctx, k, "g", "alice"); err != nil || created {
			t.Fatalf("XGROUP CREATECONSUMER again = %v, %v", created, err)
		}
		for _, id := range []string{"1-0", "2-0", "3-0", "4-0"} {
			streamAdd(t, c, k, id, "n", id[:1])
		}

		// alice reads two new entries, bob the other two.
		got, err := c.XReadGroup(ctx, "g", "alice", []string{k}, []string{">"}, redis.XReadGroupOptions{Count: 2})
		if err != nil {
			t.Fatal(err)
		}
		streamWant(t, "XREADGROUP alice", got, []redis.XStream{{Stream: k, Messages: []redis.XMessage{streamMsg("1-0", "n", "1"), streamMsg("2-0", "n", "2")}}})
		got, err = c.XReadGroup(ctx, "g", "bob", []string{k}, []string{">"})
		if err != nil {
			t.Fatal(err)
		}
		streamWant(t, "XREADGROUP bob", got, []redis.XStream{{Stream: k, Messages: []redis.XMessage{streamMsg("3-0", "n", "3"), streamMsg("4-0", "n", "4")}}})
		if got, err := c.XReadGroup(ctx, "g", "bob", []string{k}, []string{">"}); !errors.Is(err, redis.ErrNil) {
			t.Fatalf("XREADGROUP with nothing new = %v, %v, want ErrNil", got, err)
		}
		if got, err := c.XReadGroup(ctx, "g", "bob", []string{k}, []string{">"}, redis.XReadGroupOptions{Block: 30 * time.Millisecond}); !errors.Is(err, redis.ErrNil) {
			t.Fatalf("XREADGROUP BLOCK timing out = %v, %v, want ErrNil", got, err)
		}

		sum, err := c.XPending(ctx, k, "g")
		if err != nil {
			t.Fatal(err)
		}
		streamWant(t, "XPENDING", sum, redis.XPendingSummary{Count: 4, Lowest: "1-0", Highest: "4-0",
			Consumers: []redis.XPendingCount{{Consumer: "alice", Count: 2}, {Consumer: "bob", Count: 2}}})
		ents, err := c.XPendingExt(ctx, k, "g", "-", "+", 10, redis.XPendingExtOptions{Consumer: "bob"})
		if err != nil {
			t.Fatal(err)
		}
		if len(ents) != 2 || ents[0].ID != "3-0" || ents[1].ID != "4-0" || ents[0].Consumer != "bob" || ents[0].Deliveries != 1 || ents[0].Idle < 0 || ents[0].Idle > time.Minute {
			t.Fatalf("XPENDING - + 10 bob = %+v", ents)
		}
		if ents, err := c.XPendingExt(ctx, k, "g", "-", "+", 10, redis.XPendingExtOptions{MinIdle: time.Hour}); err != nil || len(ents) != 0 {
			t.Fatalf("XPENDING IDLE 3600000 = %+v, %v", ents, err)
		}

		// XACK, and the summary of an empty pending list.
		if n, err := c.XAck(ctx, k, "g", "1-0", "9-0"); err != nil || n != 1 {
			t.Fatalf("XACK = %d, %v", n, err)
		}

		// Claiming: carol takes 2-0 with its fields, then 3-0 by ID only.
		claimed, err := c.XClaim(ctx, k, "g", "carol", 0, []string{"2-0"}, redis.XClaimOptions{RetryCount: 5})
		if err != nil {
			t.Fatal(err)
		}
		streamWant(t, "XCLAIM", claimed, []redis.XMessage{streamMsg("2-0", "n", "2")})
		ids, err := c.XClaimJustID(ctx, k, "g", "carol", 0, []string{"3-0", "8-0"})
		if err != nil {
			t.Fatal(err)
		}
		streamWant(t, "XCLAIM JUSTID", ids, []string{"3-0"})
		ents, err = c.XPendingExt(ctx, k, "g", "2-0", "2-0", 1)
		if err != nil || len(ents) != 1 || ents[0].Consumer != "carol" || ents[0].Deliveries != 5 {
			t.Fatalf("XPENDING after XCLAIM RETRYCOUNT 5 = %+v, %v", ents, err)
		}
		if claimed, err := c.XClaim(ctx, k, "g", "dave", time.Hour, []string{"2-0"}); err != nil || len(claimed) != 0 {
			t.Fatalf("XCLAIM of a recently delivered entry = %+v, %v", claimed, err)
		}

		// An entry deleted while pending: history reads show it with nil
		// fields, XAUTOCLAIM reports it deleted.
		if n, err := c.XDel(ctx, k, "4-0"); err != nil || n != 1 {
			t.Fatalf("XDEL = %d, %v", n, err)
		}
		got, err = c.XReadGroup(ctx, "g", "bob", []string{k}, []string{"0"})
		if err != nil {
			t.Fatal(err)
		}
		streamWant(t, "XREADGROUP bob history", got, []redis.XStream{{Stream: k, Messages: []redis.XMessage{{ID: "4-0"}}}})

		ac, err := c.XAutoClaim(ctx, k, "g", "dave", 0, "0-0", redis.XAutoClaimOptions{Count: 10})
		if err != nil {
			t.Fatal(err)
		}
		streamWant(t, "XAUTOCLAIM", ac, redis.XAutoClaimResult{Next: "0-0",
			Messages: []redis.XMessage{streamMsg("2-0", "n", "2"), streamMsg("3-0", "n", "3")}, Deleted: []string{"4-0"}})
		acIDs, err := c.XAutoClaimJustID(ctx, k, "g", "erin", 0, "0-0", redis.XAutoClaimOptions{Count: 1})
		if err != nil {
			t.Fatal(err)
		}
		streamWant(t, "XAUTOCLAIM JUSTID", acIDs, redis.XAutoClaimIDs{Next: "3-0", IDs: []string{"2-0"}, Deleted: []string{}})

		// XINFO GROUPS / CONSUMERS / STREAM FULL.
		groups, err := c.XInfoGroups(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		streamWant(t, "XINFO GROUPS", groups, []redis.XGroupInfo{{Name: "g", Consumers: 5, Pending: 2, LastDeliveredID: "4-0",
			EntriesRead: redis.Null[int64]{V: 4, Valid: true}, Lag: redis.Null[int64]{V: 0, Valid: true}}})
		cons, err := c.XInfoConsumers(ctx, k, "g")
		if err != nil {
			t.Fatal(err)
		}
		pending := map[string]int64{}
		for _, ci := range cons {
			if ci.Idle < 0 || ci.Idle > time.Minute {
				t.Errorf("consumer %s idle %v", ci.Name, ci.Idle)
			}
			pending[ci.Name] = ci.Pending
		}
		streamWant(t, "XINFO CONSUMERS pending", pending, map[string]int64{"alice": 0, "bob": 0, "carol": 0, "dave": 1, "erin": 1})

		full, err := c.XInfoStreamFull(ctx, k, redis.XInfoStreamFullOptions{Count: streamInt(0)})
		if err != nil {
			t.Fatal(err)
		}
		streamWant(t, "XINFO STREAM FULL entries", full.Entries, []redis.XMessage{streamMsg("1-0", "n", "1"), streamMsg("2-0", "n", "2"), streamMsg("3-0", "n", "3")})
		if full.Length != 3 || full.LastGeneratedID != "4-0" || len(full.Groups) != 1 {
			t.Fatalf("XINFO STREAM FULL = %+v", full)
		}
		g := full.Groups[0]
		if g.Name != "g" || g.PELCount != 2 || g.LastDeliveredID != "4-0" || !g.EntriesRead.Valid || g.EntriesRead.V != 4 || len(g.Pending) != 2 || len(g.Consumers) != 5 {
			t.Fatalf("XINFO STREAM FULL group = %+v", g)
		}
		if p := g.Pending[0]; p.ID != "2-0" || p.Consumer != "erin" || p.Deliveries < 1 || time.Since(p.Delivered) > time.Hour || time.Since(p.Delivered) < -time.Hour {
			t.Fatalf("XINFO STREAM FULL pending entry = %+v", p)
		}
		for _, ci := range g.Consumers {
			if ci.SeenTime.IsZero() || int64(len(ci.Pending)) != ci.PELCount {
				t.Fatalf("XINFO STREAM FULL consumer = %+v", ci)
			}
			if ci.Name == "dave" && (len(ci.Pending) != 1 || ci.Pending[0].ID != "3-0" || ci.Pending[0].Consumer != "") {
				t.Fatalf("XINFO STREAM FULL dave = %+v", ci)
			}
		}

		// Moving the group back, removing consumers and the group.
		if err := c.XGroupSetID(ctx, k, "g", "0", redis.XGroupSetIDOptions{EntriesRead: streamInt(0)}); err != nil {
			t.Fatal(err)
		}
		groups, err = c.XInfoGroups(ctx, k)
		if err != nil || len(groups) != 1 || groups[0].LastDeliveredID != "0-0" || groups[0].EntriesRead.V != 0 {
			t.Fatalf("XINFO GROUPS after SETID = %+v, %v", groups, err)
		}
		if n, err := c.XGroupDelConsumer(ctx, k, "g", "dave"); err != nil || n != 1 {
			t.Fatalf("XGROUP DELCONSUMER = %d, %v", n, err)
		}
		if ok, err := c.XGroupDestroy(ctx, k, "g"); err != nil || !ok {
			t.Fatalf("XGROUP DESTROY = %v, %v", ok, err)
		}
		if ok, err := c.XGroupDestroy(ctx, k, "g"); err != nil || ok {
			t.Fatalf("XGROUP DESTROY again = %v, %v", ok, err)
		}
		sum, err = c.XPending(ctx, k, "g")
		if err == nil {
			t.Fatalf("XPENDING on a destroyed group = %+v", sum)
		}
		// A new group with nothing pending.
		if err := c.XGroupCreate(ctx, k, "h", "$", redis.XGroupCreateOptions{EntriesRead: streamInt(3)}); err != nil {
			t.Fatal(err)
		}
		sum, err = c.XPending(ctx, k, "h")
		if err != nil {
			t.Fatal(err)
		}
		streamWant(t, "XPENDING with nothing pending", sum, redis.XPendingSummary{})
		help, err := c.XGroupHelp(ctx)
		if err != nil || len(help) < 3 || !strings.HasPrefix(help[0], "XGROUP") {
			t.Fatalf("XGROUP HELP = %q, %v", help, err)
		}
	})
}

// TestStreamRedis8 runs the commands and options newer than the test
// server when REDIS_URL points at a server that has them.
func TestStreamRedis8(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		setup := func(t *testing.T, k string) {
			if err := c.XGroupCreate(ctx, k, "g", "0", redis.XGroupCreateOptions{MkStream: true}); err != nil {
				t.Fatal(err)
			}
			for _, id := range []string{"1-0", "2-0", "3-0"} {
				streamAdd(t, c, k, id, "n", id[:1])
			}
		}
		t.Run("XACKDEL", func(t *testing.T) {
			requireCommand(t, c, "XACKDEL")
			k := key(t, "s")
			setup(t, k)
			if _, err := c.XReadGroup(ctx, "g", "a", []string{k}, []string{">"}, redis.XReadGroupOptions{Count: 2}); err != nil {
				t.Fatal(err)
			}
			codes, err := c.XAckDel(ctx, k, "g", []string{"1-0", "9-0"}, redis.XRefOptions{Ref: redis.XDelRef})
			if err != nil {
				t.Fatal(err)
			}
			// 1-0 was pending: acknowledged and deleted; 9-0 does not exist.
			streamWant(t, "XACKDEL", codes, []int64{1, -1})
			if n, err := c.XLen(ctx, k); err != nil || n != 2 {
				t.Fatalf("XLEN after XACKDEL = %d, %v", n, err)
			}
		})
		t.Run("XDELEX", func(t *testing.T) {
			requireCommand(t, c, "XDELEX")
			k := key(t, "s")
			setup(t, k)
			if _, err := c.XReadGroup(ctx, "g", "a", []string{k}, []string{">"}, redis.XReadGroupOptions{Count: 1}); err != nil {
				t.Fatal(err)
			}
			// ACKED keeps 1-0 (pending, unacknowledged); 0-1 does not exist.
			// A missing ID must be below the group's last-delivered ID (1-0):
			// Redis 8.8 answers 2 (kept, not yet delivered) for one above it.
			codes, err := c.XDelEx(ctx, k, []string{"1-0", "0-1"}, redis.XRefOptions{Ref: redis.XAcked})
			if err != nil {
				t.Fatal(err)
			}
			streamWant(t, "XDELEX ACKED", codes, []int64{2, -1})
			codes, err = c.XDelEx(ctx, k, []string{"1-0"})
			if err != nil {
				t.Fatal(err)
			}
			streamWant(t, "XDELEX", codes, []int64{1})
		})
		t.Run("XCFGSET", func(t *testing.T) {
			requireCommand(t, c, "XCFGSET")
			k := key(t, "s")
			streamAdd(t, c, k, "1-0", "a", "1")
			if err := c.XCfgSet(ctx, k, redis.XCfgSetOptions{IDMPDuration: 300 * time.Second, IDMPMaxSize: 50}); err != nil {
				t.Fatal(err)
			}
			info, err := c.XInfoStream(ctx, k)
			if err != nil {
				t.Fatal(err)
			}
			if info.IDMPDuration != 300*time.Second || info.IDMPMaxSize != 50 {
				t.Fatalf("XINFO STREAM after XCFGSET = %+v", info.XStreamState)
			}
			// Idempotent adds (XADD IDMP, Redis 8.6 like XCFGSET).
			vals := []redis.XValue{{Name: "a", Value: 2}}
			first, err := c.XAdd(ctx, k, "*", vals, redis.XAddOptions{Producer: "p", IdempotentID: "i1"})
			if err != nil {
				t.Fatal(err)
			}
			again, err := c.XAdd(ctx, k, "*", vals, redis.XAddOptions{Producer: "p", IdempotentID: "i1"})
			if err != nil || again != first {
				t.Fatalf("XADD IDMP again = %q, %v, want %q", again, err, first)
			}
			if _, err := c.XAdd(ctx, k, "*", vals, redis.XAddOptions{Producer: "p"}); err != nil {
				t.Fatalf("XADD IDMPAUTO: %v", err)
			}
			if n, err := c.XLen(ctx, k); err != nil || n != 3 {
				t.Fatalf("XLEN after idempotent adds = %d, %v", n, err)
			}
			info, err = c.XInfoStream(ctx, k)
			if err != nil || info.IIDsDuplicates != 1 || info.PIDsTracked != 1 {
				t.Fatalf("XINFO STREAM idempotency counters = %+v, %v", info.XStreamState, err)
			}
		})
		t.Run("XIDMPRECORD", func(t *testing.T) {
			requireCommand(t, c, "XIDMPRECORD")
			k := key(t, "s")
			streamAdd(t, c, k, "1-0", "a", "1")
			if err := c.XIdmpRecord(ctx, k, "p", "i9", "1-0"); err != nil {
				t.Fatal(err)
			}
			// An add under the recorded idempotent ID returns that entry.
			id, err := c.XAdd(ctx, k, "*", []redis.XValue{{Name: "a", Value: 2}}, redis.XAddOptions{Producer: "p", IdempotentID: "i9"})
			if err != nil || id != "1-0" {
				t.Fatalf("XADD IDMP after XIDMPRECORD = %q, %v, want 1-0", id, err)
			}
		})
		t.Run("XNACK", func(t *testing.T) {
			requireCommand(t, c, "XNACK")
			k := key(t, "s")
			setup(t, k)
			if _, err := c.XReadGroup(ctx, "g", "a", []string{k}, []string{">"}, redis.XReadGroupOptions{Count: 2}); err != nil {
				t.Fatal(err)
			}
			n, err := c.XNack(ctx, k, "g", "SILENT", []string{"1-0", "2-0"})
			if err != nil || n != 2 {
				t.Fatalf("XNACK = %d, %v", n, err)
			}
		})
		t.Run("XREADGROUP CLAIM", func(t *testing.T) {
			// CLAIM is an option (Redis 8.4), so a probe on a stream of its
			// own asks whether the server has it.
			probe := key(t, "probe")
			if err := c.XGroupCreate(ctx, probe, "g", "$", redis.XGroupCreateOptions{MkStream: true}); err != nil {
				t.Fatal(err)
			}
			requireSupport(t, c, "XREADGROUP CLAIM (Redis 8.4)", "XREADGROUP", "GROUP", "g", "c", "COUNT", 1, "CLAIM", 1, "STREAMS", probe, ">")
			k := key(t, "s")
			setup(t, k)
			if _, err := c.XReadGroup(ctx, "g", "a", []string{k}, []string{">"}, redis.XReadGroupOptions{Count: 1}); err != nil {
				t.Fatal(err)
			}
			time.Sleep(5 * time.Millisecond)
			got, err := c.XReadGroup(ctx, "g", "b", []string{k}, []string{">"}, redis.XReadGroupOptions{Count: 1, Claim: time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || len(got[0].Messages) == 0 {
				t.Fatalf("XREADGROUP CLAIM = %+v", got)
			}
			m := got[0].Messages[0]
			if m.ID != "1-0" || m.Deliveries < 1 || m.Idle < time.Millisecond {
				t.Fatalf("XREADGROUP CLAIM entry = %+v, want 1-0 claimed with its idle time and delivery count", m)
			}
		})
	})
}
