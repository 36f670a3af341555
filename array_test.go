package redis_test

import (
	"context"
	"errors"
	"testing"

	"github.com/respkit/redis"
)

// The array type (AR* commands) arrived in Redis 8.8: these encodings are
// checked against the spec's grammar here, and TestArrayCommands runs
// them when the server has them.
func TestArrayEncoding(t *testing.T) {
	wantArgs(t, redis.ArCount("k"), "ARCOUNT", "k")
	wantArgs(t, redis.ArDel("k", 1, 5), "ARDEL", "k", "1", "5")
	wantBuildError(t, redis.ArDel("k"), "at least one")
	wantArgs(t, redis.ArDelRange("k", redis.ArrayRange{Start: 0, End: 9}, redis.ArrayRange{Start: 20, End: 29}),
		"ARDELRANGE", "k", "0", "9", "20", "29")
	wantBuildError(t, redis.ArDelRange("k"), "at least one")
	wantArgs(t, redis.ArGet("k", 3), "ARGET", "k", "3")
	wantArgs(t, redis.ArGetRange("k", 0, 10), "ARGETRANGE", "k", "0", "10")

	wantArgs(t, redis.ArGrep("k", "-", "+", []redis.ArrayPredicate{{Op: "EXACT", Value: "a"}}),
		"ARGREP", "k", "-", "+", "EXACT", "a")
	wantArgs(t, redis.ArGrep("k", "0", "100",
		[]redis.ArrayPredicate{{Op: "match", Value: "ab"}, {Op: "GLOB", Value: "a*"}, {Op: "RE", Value: "^a.$"}},
		redis.ArGrepOptions{Or: true, Limit: 5, NoCase: true}),
		"ARGREP", "k", "0", "100", "MATCH", "ab", "GLOB", "a*", "RE", "^a.$", "OR", "LIMIT", "5", "NOCASE")
	wantArgs(t, redis.ArGrep("k", "0", "1", []redis.ArrayPredicate{{Op: "EXACT", Value: "a"}}, redis.ArGrepOptions{And: true}),
		"ARGREP", "k", "0", "1", "EXACT", "a", "AND")
	wantArgs(t, redis.ArGrepWithValues("k", "-", "+", []redis.ArrayPredicate{{Op: "GLOB", Value: "x*"}}, redis.ArGrepOptions{Limit: 2}),
		"ARGREP", "k", "-", "+", "GLOB", "x*", "LIMIT", "2", "WITHVALUES")
	wantBuildError(t, redis.ArGrep("k", "-", "+", nil), "at least one predicate")
	wantBuildError(t, redis.ArGrep("k", "-", "+", []redis.ArrayPredicate{{Op: "LIKE", Value: "a"}}), "LIKE")
	wantBuildError(t, redis.ArGrep("k", "-", "+", []redis.ArrayPredicate{{Op: "EXACT", Value: "a"}}, redis.ArGrepOptions{And: true, Or: true}), "And", "Or")

	wantArgs(t, redis.ArInfo("k"), "ARINFO", "k")
	wantArgs(t, redis.ArInfo("k", redis.ArInfoOptions{Full: true}), "ARINFO", "k", "FULL")
	wantArgs(t, redis.ArInsert("k", "a", 2, []byte("c")), "ARINSERT", "k", "a", "2", "c")
	wantBuildError(t, redis.ArInsert("k"), "at least one")
	wantArgs(t, redis.ArLastItems("k", 3), "ARLASTITEMS", "k", "3")
	wantArgs(t, redis.ArLastItems("k", 3, redis.ArLastItemsOptions{Rev: true}), "ARLASTITEMS", "k", "3", "REV")
	wantArgs(t, redis.ArLen("k"), "ARLEN", "k")
	wantArgs(t, redis.ArMGet("k", 0, 7, 9), "ARMGET", "k", "0", "7", "9")
	wantArgs(t, redis.ArMSet("k", redis.ArrayItem{Index: 1, Value: "a"}, redis.ArrayItem{Index: 9, Value: 2.5}),
		"ARMSET", "k", "1", "a", "9", "2.5")
	wantBuildError(t, redis.ArMSet("k"), "at least one")
	wantArgs(t, redis.ArNext("k"), "ARNEXT", "k")
	for _, op := range []string{"SUM", "MIN", "MAX", "AND", "OR", "XOR", "USED"} {
		wantArgs(t, redis.ArOp("k", 0, 99, op), "AROP", "k", "0", "99", op)
	}
	wantArgs(t, redis.ArOp("k", 0, 99, "sum"), "AROP", "k", "0", "99", "SUM")
	wantBuildError(t, redis.ArOp("k", 0, 99, "MATCH"), "ArOpMatch")
	wantBuildError(t, redis.ArOp("k", 0, 99, "AVG"), "AVG")
	wantArgs(t, redis.ArOpMatch("k", 0, 99, "x"), "AROP", "k", "0", "99", "MATCH", "x")
	wantArgs(t, redis.ArRing("k", 4, "a", "b"), "ARRING", "k", "4", "a", "b")
	wantArgs(t, redis.ArScan("k", 0, 100), "ARSCAN", "k", "0", "100")
	wantArgs(t, redis.ArScan("k", 0, 100, redis.ArScanOptions{Limit: 10}), "ARSCAN", "k", "0", "100", "LIMIT", "10")
	wantArgs(t, redis.ArSeek("k", 42), "ARSEEK", "k", "42")
	wantArgs(t, redis.ArSet("k", 5, "a", "b"), "ARSET", "k", "5", "a", "b")
}

// TestArrayCommands runs every AR* command against the server when it has
// the array type (Redis 8.8), under both protocols.
func TestArrayCommands(t *testing.T) {
	ctx := context.Background()
	withClients(t, func(t *testing.T, c *redis.Client) {
		requireCommand(t, c, "ARSET")
		k := key(t, "arr")
		c.Do(ctx, "DEL", k)

		// Missing key.
		if n, err := c.ArLen(ctx, k); err != nil || n != 0 {
			t.Fatalf("ArLen(missing) = %d, %v", n, err)
		}
		if n, err := c.ArCount(ctx, k); err != nil || n != 0 {
			t.Fatalf("ArCount(missing) = %d, %v", n, err)
		}
		if _, err := c.ArGet(ctx, k, 0); !errors.Is(err, redis.ErrNil) {
			t.Fatalf("ArGet(missing): %v, want ErrNil", err)
		}
		if n, err := c.ArNext(ctx, k); err != nil || n != 0 {
			t.Fatalf("ArNext(missing) = %d, %v", n, err)
		}
		if ok, err := c.ArSeek(ctx, k, 5); err != nil || ok {
			t.Fatalf("ArSeek(missing) = %v, %v", ok, err)
		}

		// ARSET writes contiguous values; ARMSET scattered ones.
		if n, err := c.ArSet(ctx, k, 0, "a", "b", "c"); err != nil || n != 3 {
			t.Fatalf("ArSet = %d, %v", n, err)
		}
		if n, err := c.ArSet(ctx, k, 1, "B"); err != nil || n != 0 {
			t.Fatalf("ArSet over a set index = %d, %v", n, err)
		}
		if n, err := c.ArMSet(ctx, k, redis.ArrayItem{Index: 10, Value: 5}, redis.ArrayItem{Index: 2, Value: "C"}); err != nil || n != 1 {
			t.Fatalf("ArMSet = %d, %v", n, err)
		}
		if v, err := c.ArGet(ctx, k, 1); err != nil || v != "B" {
			t.Fatalf("ArGet(1) = %q, %v", v, err)
		}
		if _, err := c.ArGet(ctx, k, 5); !errors.Is(err, redis.ErrNil) {
			t.Fatalf("ArGet(empty index): %v, want ErrNil", err)
		}
		if n, err := c.ArLen(ctx, k); err != nil || n != 11 {
			t.Fatalf("ArLen = %d, %v; want 11", n, err)
		}
		if n, err := c.ArCount(ctx, k); err != nil || n != 4 {
			t.Fatalf("ArCount = %d, %v; want 4", n, err)
		}
		got, err := c.ArGetRange(ctx, k, 1, 3)
		want := []redis.Null[string]{{V: "B", Valid: true}, {V: "C", Valid: true}, {}}
		if err != nil || len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
			t.Fatalf("ArGetRange = %+v, %v; want %+v", got, err, want)
		}
		got, err = c.ArMGet(ctx, k, 10, 4, 0)
		if err != nil || len(got) != 3 || got[0] != (redis.Null[string]{V: "5", Valid: true}) || got[1].Valid || got[2].V != "a" {
			t.Fatalf("ArMGet = %+v, %v", got, err)
		}
		entries, err := c.ArScan(ctx, k, 0, 100)
		if err != nil || len(entries) != 4 || entries[0] != (redis.ArrayEntry{Index: 0, Value: "a"}) || entries[3] != (redis.ArrayEntry{Index: 10, Value: "5"}) {
			t.Fatalf("ArScan = %+v, %v", entries, err)
		}
		if entries, err := c.ArScan(ctx, k, 0, 100, redis.ArScanOptions{Limit: 2}); err != nil || len(entries) != 2 {
			t.Fatalf("ArScan LIMIT 2 = %+v, %v", entries, err)
		}

		// ARGREP.
		idx, err := c.ArGrep(ctx, k, "-", "+", []redis.ArrayPredicate{{Op: "EXACT", Value: "b"}}, redis.ArGrepOptions{NoCase: true})
		if err != nil || len(idx) != 1 || idx[0] != 1 {
			t.Fatalf("ArGrep EXACT b NOCASE = %v, %v", idx, err)
		}
		vals, err := c.ArGrepWithValues(ctx, k, "0", "100", []redis.ArrayPredicate{{Op: "GLOB", Value: "[BC]"}})
		if err != nil || len(vals) != 2 || vals[0] != (redis.ArrayEntry{Index: 1, Value: "B"}) || vals[1] != (redis.ArrayEntry{Index: 2, Value: "C"}) {
			t.Fatalf("ArGrepWithValues = %+v, %v", vals, err)
		}

		// AROP.
		n2 := key(t, "nums")
		c.Do(ctx, "DEL", n2)
		if _, err := c.ArSet(ctx, n2, 0, 1, 2, 3, 6); err != nil {
			t.Fatal(err)
		}
		if s, err := c.ArOp(ctx, n2, 0, 3, "SUM"); err != nil || s != "12" {
			t.Fatalf("ArOp SUM = %q, %v", s, err)
		}
		if s, err := c.ArOp(ctx, n2, 0, 3, "MAX"); err != nil || s != "6" {
			t.Fatalf("ArOp MAX = %q, %v", s, err)
		}
		if s, err := c.ArOp(ctx, n2, 0, 3, "USED"); err != nil || s != "4" {
			t.Fatalf("ArOp USED = %q, %v", s, err)
		}
		if n, err := c.ArOpMatch(ctx, n2, 0, 3, 2); err != nil || n != 1 {
			t.Fatalf("ArOpMatch = %d, %v", n, err)
		}

		// ARINSERT / ARNEXT / ARSEEK / ARLASTITEMS / ARRING.
		ins := key(t, "ins")
		c.Do(ctx, "DEL", ins)
		if i, err := c.ArInsert(ctx, ins, "x", "y"); err != nil || i != 1 {
			t.Fatalf("ArInsert = %d, %v; want last index 1", i, err)
		}
		if n, err := c.ArNext(ctx, ins); err != nil || n != 2 {
			t.Fatalf("ArNext = %d, %v; want 2", n, err)
		}
		if ok, err := c.ArSeek(ctx, ins, 10); err != nil || !ok {
			t.Fatalf("ArSeek = %v, %v", ok, err)
		}
		if i, err := c.ArInsert(ctx, ins, "z"); err != nil || i != 10 {
			t.Fatalf("ArInsert after ArSeek = %d, %v; want 10", i, err)
		}
		last, err := c.ArLastItems(ctx, ins, 2)
		if err != nil || len(last) != 2 {
			t.Fatalf("ArLastItems = %+v, %v", last, err)
		}
		rev, err := c.ArLastItems(ctx, ins, 2, redis.ArLastItemsOptions{Rev: true})
		if err != nil || len(rev) != 2 || rev[0] != last[1] || rev[1] != last[0] {
			t.Fatalf("ArLastItems REV = %+v (plain %+v), %v", rev, last, err)
		}
		ring := key(t, "ring")
		c.Do(ctx, "DEL", ring)
		if _, err := c.ArRing(ctx, ring, 2, "a", "b", "c"); err != nil {
			t.Fatal(err)
		}
		if n, err := c.ArCount(ctx, ring); err != nil || n != 2 {
			t.Fatalf("ArCount of a ring of size 2 = %d, %v", n, err)
		}

		// ARINFO, ARDEL, ARDELRANGE.
		info, err := c.ArInfo(ctx, k)
		if err != nil || info.Len != 11 || info.Count != 4 || info.Fields["count"] != "4" {
			t.Fatalf("ArInfo = %+v, %v", info, err)
		}
		if full, err := c.ArInfo(ctx, k, redis.ArInfoOptions{Full: true}); err != nil || full.Count != 4 || len(full.Fields) < len(info.Fields) {
			t.Fatalf("ArInfo FULL = %+v, %v", full, err)
		}
		if n, err := c.ArDel(ctx, k, 0, 5); err != nil || n != 1 {
			t.Fatalf("ArDel = %d, %v", n, err)
		}
		if n, err := c.ArDelRange(ctx, k, redis.ArrayRange{Start: 1, End: 2}, redis.ArrayRange{Start: 9, End: 20}); err != nil || n != 3 {
			t.Fatalf("ArDelRange = %d, %v", n, err)
		}
		if n, err := c.ArCount(ctx, k); err != nil || n != 0 {
			t.Fatalf("ArCount after deleting all = %d, %v", n, err)
		}
	})
}
