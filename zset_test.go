package redis_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/respkit/redis"
)

func zsetEqual[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s = %#v, want %#v", what, got, want)
	}
}

func zsetNoErr[T any](t *testing.T, what string) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
}

func zsetWantNil(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, redis.ErrNil) {
		t.Fatalf("%s: err = %v, want ErrNil", what, err)
	}
}

// zsetSeed fills key with the given members.
func zsetSeed(t *testing.T, c *redis.Client, key string, zs ...redis.Z) {
	t.Helper()
	if _, err := c.ZAdd(context.Background(), key, zs); err != nil {
		t.Fatalf("ZADD %s: %v", key, err)
	}
}

func TestSortedSetEncoding(t *testing.T) {
	z := func(s float64, m string) redis.Z { return redis.Z{Score: s, Member: m} }
	wantArgs(t, redis.ZAdd("k", []redis.Z{z(1, "a"), z(2.5, "b")}), "ZADD", "k", "1", "a", "2.5", "b")
	wantArgs(t, redis.ZAdd("k", []redis.Z{z(math.Inf(-1), "a")}, redis.ZAddOptions{XX: true, GT: true, CH: true}),
		"ZADD", "k", "XX", "GT", "CH", "-inf", "a")
	wantArgs(t, redis.ZAdd("k", []redis.Z{z(1, "a")}, redis.ZAddOptions{NX: true}), "ZADD", "k", "NX", "1", "a")
	wantArgs(t, redis.ZAddIncr("k", 1.5, "m", redis.ZAddIncrOptions{XX: true, LT: true}), "ZADD", "k", "XX", "LT", "INCR", "1.5", "m")
	wantArgs(t, redis.ZAddIncr("k", -2, "m"), "ZADD", "k", "INCR", "-2", "m")
	wantArgs(t, redis.ZCard("k"), "ZCARD", "k")
	wantArgs(t, redis.ZCount("k", "(1", "+inf"), "ZCOUNT", "k", "(1", "+inf")
	wantArgs(t, redis.ZDiff("a", "b"), "ZDIFF", "2", "a", "b")
	wantArgs(t, redis.ZDiffWithScores("a", "b", "c"), "ZDIFF", "3", "a", "b", "c", "WITHSCORES")
	wantArgs(t, redis.ZDiffStore("d", "a", "b"), "ZDIFFSTORE", "d", "2", "a", "b")
	wantArgs(t, redis.ZIncrBy("k", 2, "m"), "ZINCRBY", "k", "2", "m")
	wantArgs(t, redis.ZInter([]string{"a", "b"}), "ZINTER", "2", "a", "b")
	wantArgs(t, redis.ZInter([]string{"a", "b"}, redis.ZCombineOptions{Weights: []float64{2, 3}, Aggregate: "max"}),
		"ZINTER", "2", "a", "b", "WEIGHTS", "2", "3", "AGGREGATE", "MAX")
	wantArgs(t, redis.ZInterWithScores([]string{"a"}, redis.ZCombineOptions{Aggregate: "MIN"}),
		"ZINTER", "1", "a", "AGGREGATE", "MIN", "WITHSCORES")
	wantArgs(t, redis.ZInterCard([]string{"a", "b"}), "ZINTERCARD", "2", "a", "b")
	wantArgs(t, redis.ZInterCard([]string{"a", "b"}, redis.ZInterCardOptions{Limit: 5}), "ZINTERCARD", "2", "a", "b", "LIMIT", "5")
	wantArgs(t, redis.ZInterStore("d", []string{"a", "b"}, redis.ZCombineOptions{Weights: []float64{1, 2}}),
		"ZINTERSTORE", "d", "2", "a", "b", "WEIGHTS", "1", "2")
	wantArgs(t, redis.ZLexCount("k", "[a", "+"), "ZLEXCOUNT", "k", "[a", "+")
	wantArgs(t, redis.ZMPop([]string{"a", "b"}, "max", redis.ZMPopOptions{Count: 2}), "ZMPOP", "2", "a", "b", "MAX", "COUNT", "2")
	wantArgs(t, redis.ZMPop([]string{"a"}, "MIN"), "ZMPOP", "1", "a", "MIN")
	wantArgs(t, redis.ZMScore("k", "a", "b"), "ZMSCORE", "k", "a", "b")
	wantArgs(t, redis.ZPopMax("k"), "ZPOPMAX", "k")
	wantArgs(t, redis.ZPopMin("k", redis.ZPopMinOptions{Count: 3}), "ZPOPMIN", "k", "3")
	wantArgs(t, redis.ZRandMember("k"), "ZRANDMEMBER", "k")
	wantArgs(t, redis.ZRandMembers("k", -3), "ZRANDMEMBER", "k", "-3")
	wantArgs(t, redis.ZRandMembersWithScores("k", 3), "ZRANDMEMBER", "k", "3", "WITHSCORES")
	wantArgs(t, redis.ZRange("k", 0, -1), "ZRANGE", "k", "0", "-1")
	wantArgs(t, redis.ZRange("k", 0, -1, redis.ZRangeOptions{Rev: true}), "ZRANGE", "k", "0", "-1", "REV")
	wantArgs(t, redis.ZRangeWithScores("k", 1, 2, redis.ZRangeOptions{Rev: true}), "ZRANGE", "k", "1", "2", "REV", "WITHSCORES")
	wantArgs(t, redis.ZRangeScore("k", "(1", "+inf", redis.ZRangeScoreOptions{Limit: &redis.Limit{Offset: 0, Count: 10}}),
		"ZRANGE", "k", "(1", "+inf", "BYSCORE", "LIMIT", "0", "10")
	wantArgs(t, redis.ZRangeScoreWithScores("k", "5", "(1", redis.ZRangeScoreOptions{Rev: true}),
		"ZRANGE", "k", "5", "(1", "BYSCORE", "REV", "WITHSCORES")
	wantArgs(t, redis.ZRangeLex("k", "[a", "(c", redis.ZRangeLexOptions{Rev: false, Limit: &redis.Limit{Offset: 1, Count: 1}}),
		"ZRANGE", "k", "[a", "(c", "BYLEX", "LIMIT", "1", "1")
	wantArgs(t, redis.ZRangeByLex("k", "-", "+"), "ZRANGEBYLEX", "k", "-", "+")
	wantArgs(t, redis.ZRangeByScore("k", "-inf", "(2", redis.ZRangeByScoreOptions{Limit: &redis.Limit{Offset: 1, Count: 2}}),
		"ZRANGEBYSCORE", "k", "-inf", "(2", "LIMIT", "1", "2")
	wantArgs(t, redis.ZRangeByScoreWithScores("k", "1", "2", redis.ZRangeByScoreOptions{Limit: &redis.Limit{Count: 1}}),
		"ZRANGEBYSCORE", "k", "1", "2", "WITHSCORES", "LIMIT", "0", "1")
	wantArgs(t, redis.ZRangeStore("d", "s", "0", "-1"), "ZRANGESTORE", "d", "s", "0", "-1")
	wantArgs(t, redis.ZRangeStore("d", "s", "+inf", "1", redis.ZRangeStoreOptions{ByScore: true, Rev: true, Limit: &redis.Limit{Count: 2}}),
		"ZRANGESTORE", "d", "s", "+inf", "1", "BYSCORE", "REV", "LIMIT", "0", "2")
	wantArgs(t, redis.ZRank("k", "m"), "ZRANK", "k", "m")
	wantArgs(t, redis.ZRankWithScore("k", "m"), "ZRANK", "k", "m", "WITHSCORE")
	wantArgs(t, redis.ZRem("k", "a", "b"), "ZREM", "k", "a", "b")
	wantArgs(t, redis.ZRemRangeByLex("k", "[a", "(b"), "ZREMRANGEBYLEX", "k", "[a", "(b")
	wantArgs(t, redis.ZRemRangeByRank("k", 0, -2), "ZREMRANGEBYRANK", "k", "0", "-2")
	wantArgs(t, redis.ZRemRangeByScore("k", "-inf", "(5"), "ZREMRANGEBYSCORE", "k", "-inf", "(5")
	wantArgs(t, redis.ZRevRange("k", 0, 1), "ZREVRANGE", "k", "0", "1")
	wantArgs(t, redis.ZRevRangeWithScores("k", 0, 1), "ZREVRANGE", "k", "0", "1", "WITHSCORES")
	wantArgs(t, redis.ZRevRangeByLex("k", "+", "-", redis.ZRevRangeByLexOptions{Limit: &redis.Limit{Count: 3}}),
		"ZREVRANGEBYLEX", "k", "+", "-", "LIMIT", "0", "3")
	wantArgs(t, redis.ZRevRangeByScore("k", "+inf", "-inf"), "ZREVRANGEBYSCORE", "k", "+inf", "-inf")
	wantArgs(t, redis.ZRevRangeByScoreWithScores("k", "10", "(1"), "ZREVRANGEBYSCORE", "k", "10", "(1", "WITHSCORES")
	wantArgs(t, redis.ZRevRank("k", "m"), "ZREVRANK", "k", "m")
	wantArgs(t, redis.ZRevRankWithScore("k", "m"), "ZREVRANK", "k", "m", "WITHSCORE")
	wantArgs(t, redis.ZScanPage("k", 0), "ZSCAN", "k", "0")
	wantArgs(t, redis.ZScanPage("k", 17, redis.ZScanOptions{Match: "a*", Count: 100}), "ZSCAN", "k", "17", "MATCH", "a*", "COUNT", "100")
	wantArgs(t, redis.ZScore("k", "m"), "ZSCORE", "k", "m")
	wantArgs(t, redis.ZUnion([]string{"a", "b"}, redis.ZCombineOptions{Aggregate: "count"}), "ZUNION", "2", "a", "b", "AGGREGATE", "COUNT")
	wantArgs(t, redis.ZUnionWithScores([]string{"a", "b"}), "ZUNION", "2", "a", "b", "WITHSCORES")
	wantArgs(t, redis.ZUnionStore("d", []string{"a", "b"}, redis.ZCombineOptions{Weights: []float64{2, 1}, Aggregate: "sum"}),
		"ZUNIONSTORE", "d", "2", "a", "b", "WEIGHTS", "2", "1", "AGGREGATE", "SUM")

	// Blocking commands: the timeout is sent as fractional seconds and
	// recorded as the command's block time.
	for _, tc := range []struct {
		cmd   interface{ Blocking() (time.Duration, bool) }
		block time.Duration
	}{
		{redis.BZPopMin([]string{"a", "b"}, 0), -1},
		{redis.BZPopMax([]string{"a"}, 250*time.Millisecond), 250 * time.Millisecond},
		{redis.BZMPop(1500*time.Millisecond, []string{"a"}, "min"), 1500 * time.Millisecond},
	} {
		block, ok := tc.cmd.Blocking()
		if !ok || block != tc.block {
			t.Errorf("%v: Blocking() = %v, %v; want %v, true", tc.cmd, block, ok, tc.block)
		}
	}
	wantArgs(t, redis.BZPopMin([]string{"a", "b"}, 0), "BZPOPMIN", "a", "b", "0")
	wantArgs(t, redis.BZPopMax([]string{"a"}, 250*time.Millisecond), "BZPOPMAX", "a", "0.25")
	wantArgs(t, redis.BZMPop(1500*time.Millisecond, []string{"a", "b"}, "min"), "BZMPOP", "1.5", "2", "a", "b", "MIN")
	wantArgs(t, redis.BZMPop(time.Second, []string{"a"}, "MAX", redis.ZMPopOptions{Count: 4}), "BZMPOP", "1", "1", "a", "MAX", "COUNT", "4")
}

func TestSortedSetBuildErrors(t *testing.T) {
	one := []redis.Z{{Score: 1, Member: "a"}}
	wantBuildError(t, redis.ZAdd("k", one, redis.ZAddOptions{NX: true, XX: true}), "NX and XX")
	wantBuildError(t, redis.ZAdd("k", one, redis.ZAddOptions{GT: true, LT: true}), "GT and LT")
	wantBuildError(t, redis.ZAdd("k", one, redis.ZAddOptions{NX: true, GT: true}), "NX conflicts")
	wantBuildError(t, redis.ZAdd("k", nil), "at least one member")
	wantBuildError(t, redis.ZAdd("k", one, redis.ZAddOptions{}, redis.ZAddOptions{}), "at most one ZAddOptions")
	wantBuildError(t, redis.ZAddIncr("k", 1, "a", redis.ZAddIncrOptions{NX: true, LT: true}), "NX conflicts")
	wantBuildError(t, redis.ZInter([]string{"a", "b"}, redis.ZCombineOptions{Weights: []float64{1}}), "1 weights for 2 keys")
	wantBuildError(t, redis.ZUnionStore("d", []string{"a"}, redis.ZCombineOptions{Aggregate: "avg"}), "Aggregate", "avg")
	wantBuildError(t, redis.ZDiff(), "at least one key")
	wantBuildError(t, redis.ZInterCard([]string{"a"}, redis.ZInterCardOptions{Limit: -1}), "negative Limit")
	wantBuildError(t, redis.ZMPop([]string{"a"}, "middle"), "MIN or MAX")
	wantBuildError(t, redis.ZMPop([]string{"a"}, "min", redis.ZMPopOptions{Count: -1}), "negative Count")
	wantBuildError(t, redis.BZMPop(-time.Second, []string{"a"}, "min"), "negative timeout")
	wantBuildError(t, redis.BZPopMin(nil, time.Second), "at least one key")
	wantBuildError(t, redis.ZRangeStore("d", "s", "a", "b", redis.ZRangeStoreOptions{ByScore: true, ByLex: true}), "ByScore, ByLex")
}

func TestSortedSetAddAndScores(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		k := key(t, "z")
		n := zsetNoErr[int64](t, "ZADD")(c.ZAdd(ctx, k, []redis.Z{{Score: 1, Member: "a"}, {Score: 2, Member: "b"}, {Score: math.Inf(1), Member: "top"}}))
		zsetEqual(t, "ZADD added", n, int64(3))
		// CH counts the changed score; XX keeps "new" out.
		n = zsetNoErr[int64](t, "ZADD XX CH")(c.ZAdd(ctx, k, []redis.Z{{Score: 5, Member: "a"}, {Score: 9, Member: "new"}}, redis.ZAddOptions{XX: true, CH: true}))
		zsetEqual(t, "ZADD XX CH", n, int64(1))
		// GT: 3 < 5 leaves a alone.
		n = zsetNoErr[int64](t, "ZADD GT CH")(c.ZAdd(ctx, k, []redis.Z{{Score: 3, Member: "a"}}, redis.ZAddOptions{GT: true, CH: true}))
		zsetEqual(t, "ZADD GT CH", n, int64(0))
		zsetEqual(t, "ZCARD", zsetNoErr[int64](t, "ZCARD")(c.ZCard(ctx, k)), int64(3))
		zsetEqual(t, "ZCARD missing", zsetNoErr[int64](t, "ZCARD")(c.ZCard(ctx, key(t, "none"))), int64(0))

		zsetEqual(t, "ZSCORE a", zsetNoErr[float64](t, "ZSCORE")(c.ZScore(ctx, k, "a")), 5.0)
		zsetEqual(t, "ZSCORE top", zsetNoErr[float64](t, "ZSCORE")(c.ZScore(ctx, k, "top")), math.Inf(1))
		_, err := c.ZScore(ctx, k, "nobody")
		zsetWantNil(t, "ZSCORE of a missing member", err)

		ms := zsetNoErr[[]redis.Null[float64]](t, "ZMSCORE")(c.ZMScore(ctx, k, "b", "nobody", "a"))
		zsetEqual(t, "ZMSCORE", ms, []redis.Null[float64]{{V: 2, Valid: true}, {}, {V: 5, Valid: true}})

		zsetEqual(t, "ZINCRBY", zsetNoErr[float64](t, "ZINCRBY")(c.ZIncrBy(ctx, k, 0.5, "b")), 2.5)
		zsetEqual(t, "ZINCRBY new", zsetNoErr[float64](t, "ZINCRBY")(c.ZIncrBy(ctx, k, -1, "c")), -1.0)

		zsetEqual(t, "ZADD INCR", zsetNoErr[float64](t, "ZADD INCR")(c.ZAddIncr(ctx, k, 1.5, "b")), 4.0)
		_, err = c.ZAddIncr(ctx, k, 1, "b", redis.ZAddIncrOptions{NX: true})
		zsetWantNil(t, "ZADD NX INCR of an existing member", err)
		_, err = c.ZAddIncr(ctx, k, -1, "b", redis.ZAddIncrOptions{GT: true})
		zsetWantNil(t, "ZADD GT INCR lowering the score", err)

		// Scores now: c=-1, b=4, a=5, top=+inf.
		zsetEqual(t, "ZCOUNT", zsetNoErr[int64](t, "ZCOUNT")(c.ZCount(ctx, k, "(-1", "5")), int64(2))
		zsetEqual(t, "ZCOUNT all", zsetNoErr[int64](t, "ZCOUNT")(c.ZCount(ctx, k, "-inf", "+inf")), int64(4))

		zsetEqual(t, "ZREM", zsetNoErr[int64](t, "ZREM")(c.ZRem(ctx, k, "c", "nobody")), int64(1))

		lk := key(t, "lex")
		zsetSeed(t, c, lk, redis.Z{Member: "a"}, redis.Z{Member: "b"}, redis.Z{Member: "c"}, redis.Z{Member: "d"})
		zsetEqual(t, "ZLEXCOUNT", zsetNoErr[int64](t, "ZLEXCOUNT")(c.ZLexCount(ctx, lk, "[b", "(d")), int64(2))
		zsetEqual(t, "ZLEXCOUNT all", zsetNoErr[int64](t, "ZLEXCOUNT")(c.ZLexCount(ctx, lk, "-", "+")), int64(4))

		// The command value runs through RunCommand with the same decoder.
		got, err := redis.RunCommand(ctx, c, redis.ZMScore(k, "a"))
		zsetEqual(t, "RunCommand(ZMScore)", fmt.Sprint(got, err), fmt.Sprint([]redis.Null[float64]{{V: 5, Valid: true}}, nil))
	})
}

func TestSortedSetRanges(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		k := key(t, "z")
		zsetSeed(t, c, k, redis.Z{Score: 1, Member: "one"}, redis.Z{Score: 2, Member: "two"}, redis.Z{Score: 3, Member: "three"}, redis.Z{Score: math.Inf(-1), Member: "bottom"})
		ss := zsetNoErr[[]string](t, "range")
		zs := zsetNoErr[[]redis.Z](t, "range with scores")

		zsetEqual(t, "ZRANGE 0 -1", ss(c.ZRange(ctx, k, 0, -1)), []string{"bottom", "one", "two", "three"})
		zsetEqual(t, "ZRANGE 0 1 REV", ss(c.ZRange(ctx, k, 0, 1, redis.ZRangeOptions{Rev: true})), []string{"three", "two"})
		zsetEqual(t, "ZRANGE WITHSCORES", zs(c.ZRangeWithScores(ctx, k, 0, 1)),
			[]redis.Z{{Score: math.Inf(-1), Member: "bottom"}, {Score: 1, Member: "one"}})
		zsetEqual(t, "ZRANGE REV WITHSCORES", zs(c.ZRangeWithScores(ctx, k, 0, 0, redis.ZRangeOptions{Rev: true})),
			[]redis.Z{{Score: 3, Member: "three"}})
		zsetEqual(t, "ZRANGE missing key", ss(c.ZRange(ctx, key(t, "none"), 0, -1)), []string{})

		zsetEqual(t, "ZRANGE BYSCORE", ss(c.ZRangeScore(ctx, k, "(1", "+inf")), []string{"two", "three"})
		zsetEqual(t, "ZRANGE BYSCORE REV LIMIT", ss(c.ZRangeScore(ctx, k, "+inf", "-inf", redis.ZRangeScoreOptions{Rev: true, Limit: &redis.Limit{Offset: 1, Count: 2}})),
			[]string{"two", "one"})
		zsetEqual(t, "ZRANGE BYSCORE WITHSCORES", zs(c.ZRangeScoreWithScores(ctx, k, "-inf", "1")),
			[]redis.Z{{Score: math.Inf(-1), Member: "bottom"}, {Score: 1, Member: "one"}})
		zsetEqual(t, "ZRANGEBYSCORE", ss(c.ZRangeByScore(ctx, k, "1", "(3")), []string{"one", "two"})
		zsetEqual(t, "ZRANGEBYSCORE LIMIT", ss(c.ZRangeByScore(ctx, k, "-inf", "+inf", redis.ZRangeByScoreOptions{Limit: &redis.Limit{Offset: 2, Count: -1}})),
			[]string{"two", "three"})
		zsetEqual(t, "ZRANGEBYSCORE WITHSCORES", zs(c.ZRangeByScoreWithScores(ctx, k, "2", "3")),
			[]redis.Z{{Score: 2, Member: "two"}, {Score: 3, Member: "three"}})
		zsetEqual(t, "ZREVRANGEBYSCORE", ss(c.ZRevRangeByScore(ctx, k, "3", "(1")), []string{"three", "two"})
		zsetEqual(t, "ZREVRANGEBYSCORE WITHSCORES LIMIT", zs(c.ZRevRangeByScoreWithScores(ctx, k, "+inf", "-inf", redis.ZRevRangeByScoreOptions{Limit: &redis.Limit{Offset: 3, Count: 5}})),
			[]redis.Z{{Score: math.Inf(-1), Member: "bottom"}})
		zsetEqual(t, "ZREVRANGE", ss(c.ZRevRange(ctx, k, 0, 1)), []string{"three", "two"})
		zsetEqual(t, "ZREVRANGE WITHSCORES", zs(c.ZRevRangeWithScores(ctx, k, -1, -1)), []redis.Z{{Score: math.Inf(-1), Member: "bottom"}})

		zsetEqual(t, "ZRANK", zsetNoErr[int64](t, "ZRANK")(c.ZRank(ctx, k, "two")), int64(2))
		zsetEqual(t, "ZREVRANK", zsetNoErr[int64](t, "ZREVRANK")(c.ZRevRank(ctx, k, "two")), int64(1))
		_, err := c.ZRank(ctx, k, "nobody")
		zsetWantNil(t, "ZRANK of a missing member", err)
		_, err = c.ZRevRank(ctx, key(t, "none"), "x")
		zsetWantNil(t, "ZREVRANK of a missing key", err)

		lk := key(t, "lex")
		zsetSeed(t, c, lk, redis.Z{Member: "a"}, redis.Z{Member: "b"}, redis.Z{Member: "c"}, redis.Z{Member: "d"})
		zsetEqual(t, "ZRANGE BYLEX", ss(c.ZRangeLex(ctx, lk, "[b", "+")), []string{"b", "c", "d"})
		zsetEqual(t, "ZRANGE BYLEX REV LIMIT", ss(c.ZRangeLex(ctx, lk, "+", "-", redis.ZRangeLexOptions{Rev: true, Limit: &redis.Limit{Offset: 0, Count: 2}})), []string{"d", "c"})
		zsetEqual(t, "ZRANGEBYLEX", ss(c.ZRangeByLex(ctx, lk, "(a", "[c")), []string{"b", "c"})
		zsetEqual(t, "ZRANGEBYLEX LIMIT", ss(c.ZRangeByLex(ctx, lk, "-", "+", redis.ZRangeByLexOptions{Limit: &redis.Limit{Offset: 3, Count: 1}})), []string{"d"})
		zsetEqual(t, "ZREVRANGEBYLEX", ss(c.ZRevRangeByLex(ctx, lk, "(d", "-")), []string{"c", "b", "a"})

		dst := key(t, "dst")
		zsetEqual(t, "ZRANGESTORE", zsetNoErr[int64](t, "ZRANGESTORE")(c.ZRangeStore(ctx, dst, k, "1", "2")), int64(2))
		zsetEqual(t, "stored", zs(c.ZRangeWithScores(ctx, dst, 0, -1)), []redis.Z{{Score: 1, Member: "one"}, {Score: 2, Member: "two"}})
		zsetEqual(t, "ZRANGESTORE BYSCORE REV LIMIT", zsetNoErr[int64](t, "ZRANGESTORE")(c.ZRangeStore(ctx, dst, k, "+inf", "(1", redis.ZRangeStoreOptions{ByScore: true, Rev: true, Limit: &redis.Limit{Count: 1}})), int64(1))
		zsetEqual(t, "stored", zs(c.ZRangeWithScores(ctx, dst, 0, -1)), []redis.Z{{Score: 3, Member: "three"}})
		zsetEqual(t, "ZRANGESTORE BYLEX", zsetNoErr[int64](t, "ZRANGESTORE")(c.ZRangeStore(ctx, dst, lk, "[c", "+", redis.ZRangeStoreOptions{ByLex: true})), int64(2))
		zsetEqual(t, "stored", ss(c.ZRange(ctx, dst, 0, -1)), []string{"c", "d"})
	})
}

// TestSortedSetRankWithScore covers ZRANK/ZREVRANK WITHSCORE (Redis 7.2).
func TestSortedSetRankWithScore(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		k := key(t, "z")
		requireSupport(t, c, "ZRANK WITHSCORE (Redis 7.2)", "ZRANK", key(t, "probe"), "m", "WITHSCORE")
		zsetSeed(t, c, k, redis.Z{Score: 1.5, Member: "a"}, redis.Z{Score: 2, Member: "b"}, redis.Z{Score: 3, Member: "c"})
		rs := zsetNoErr[redis.ZRankScore](t, "ZRANK WITHSCORE")
		zsetEqual(t, "ZRANK WITHSCORE", rs(c.ZRankWithScore(ctx, k, "a")), redis.ZRankScore{Rank: 0, Score: 1.5})
		zsetEqual(t, "ZREVRANK WITHSCORE", rs(c.ZRevRankWithScore(ctx, k, "a")), redis.ZRankScore{Rank: 2, Score: 1.5})
		_, err := c.ZRankWithScore(ctx, k, "nobody")
		zsetWantNil(t, "ZRANK WITHSCORE of a missing member", err)
		_, err = c.ZRevRankWithScore(ctx, key(t, "none"), "a")
		zsetWantNil(t, "ZREVRANK WITHSCORE of a missing key", err)
	})
}

func TestSortedSetRemoveRanges(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		k := key(t, "z")
		seed := func() {
			c.Do(ctx, "DEL", k)
			zsetSeed(t, c, k, redis.Z{Score: 1, Member: "a"}, redis.Z{Score: 2, Member: "b"}, redis.Z{Score: 3, Member: "c"}, redis.Z{Score: 4, Member: "d"})
		}
		left := func() []string { return zsetNoErr[[]string](t, "ZRANGE")(c.ZRange(ctx, k, 0, -1)) }
		n := zsetNoErr[int64](t, "ZREMRANGEBY*")

		seed()
		zsetEqual(t, "ZREMRANGEBYRANK", n(c.ZRemRangeByRank(ctx, k, 0, -3)), int64(2))
		zsetEqual(t, "left", left(), []string{"c", "d"})
		seed()
		zsetEqual(t, "ZREMRANGEBYSCORE", n(c.ZRemRangeByScore(ctx, k, "(1", "3")), int64(2))
		zsetEqual(t, "left", left(), []string{"a", "d"})
		lk := key(t, "lex")
		zsetSeed(t, c, lk, redis.Z{Member: "a"}, redis.Z{Member: "b"}, redis.Z{Member: "c"})
		zsetEqual(t, "ZREMRANGEBYLEX", n(c.ZRemRangeByLex(ctx, lk, "(a", "[b")), int64(1))
		zsetEqual(t, "left", zsetNoErr[[]string](t, "ZRANGE")(c.ZRange(ctx, lk, 0, -1)), []string{"a", "c"})
	})
}

func TestSortedSetCombine(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		a, b, d := key(t, "a"), key(t, "b"), key(t, "dst")
		zsetSeed(t, c, a, redis.Z{Score: 1, Member: "x"}, redis.Z{Score: 2, Member: "y"}, redis.Z{Score: 3, Member: "z"})
		zsetSeed(t, c, b, redis.Z{Score: 10, Member: "y"}, redis.Z{Score: 20, Member: "z"}, redis.Z{Score: 30, Member: "w"})
		ss := zsetNoErr[[]string](t, "combine")
		zs := zsetNoErr[[]redis.Z](t, "combine with scores")
		n := zsetNoErr[int64](t, "combine store")

		zsetEqual(t, "ZDIFF", ss(c.ZDiff(ctx, a, b)), []string{"x"})
		zsetEqual(t, "ZDIFF WITHSCORES", zs(c.ZDiffWithScores(ctx, b, a)), []redis.Z{{Score: 30, Member: "w"}})
		zsetEqual(t, "ZDIFFSTORE", n(c.ZDiffStore(ctx, d, a, b)), int64(1))
		zsetEqual(t, "stored", zs(c.ZRangeWithScores(ctx, d, 0, -1)), []redis.Z{{Score: 1, Member: "x"}})

		zsetEqual(t, "ZINTER", ss(c.ZInter(ctx, []string{a, b})), []string{"y", "z"})
		zsetEqual(t, "ZINTER WITHSCORES", zs(c.ZInterWithScores(ctx, []string{a, b})),
			[]redis.Z{{Score: 12, Member: "y"}, {Score: 23, Member: "z"}})
		zsetEqual(t, "ZINTER WEIGHTS AGGREGATE MAX", zs(c.ZInterWithScores(ctx, []string{a, b}, redis.ZCombineOptions{Weights: []float64{100, 0.5}, Aggregate: "max"})),
			[]redis.Z{{Score: 200, Member: "y"}, {Score: 300, Member: "z"}})
		zsetEqual(t, "ZINTERCARD", n(c.ZInterCard(ctx, []string{a, b})), int64(2))
		zsetEqual(t, "ZINTERCARD LIMIT", n(c.ZInterCard(ctx, []string{a, b}, redis.ZInterCardOptions{Limit: 1})), int64(1))
		zsetEqual(t, "ZINTERSTORE", n(c.ZInterStore(ctx, d, []string{a, b}, redis.ZCombineOptions{Aggregate: "MIN"})), int64(2))
		zsetEqual(t, "stored", zs(c.ZRangeWithScores(ctx, d, 0, -1)), []redis.Z{{Score: 2, Member: "y"}, {Score: 3, Member: "z"}})

		zsetEqual(t, "ZUNION", ss(c.ZUnion(ctx, []string{a, b})), []string{"x", "y", "z", "w"})
		zsetEqual(t, "ZUNION WITHSCORES WEIGHTS", zs(c.ZUnionWithScores(ctx, []string{a, b}, redis.ZCombineOptions{Weights: []float64{1, -1}})),
			[]redis.Z{{Score: -30, Member: "w"}, {Score: -17, Member: "z"}, {Score: -8, Member: "y"}, {Score: 1, Member: "x"}})
		zsetEqual(t, "ZUNIONSTORE", n(c.ZUnionStore(ctx, d, []string{a, b})), int64(4))
		zsetEqual(t, "stored", zs(c.ZRangeWithScores(ctx, d, 0, -1)),
			[]redis.Z{{Score: 1, Member: "x"}, {Score: 12, Member: "y"}, {Score: 23, Member: "z"}, {Score: 30, Member: "w"}})
	})
}

// TestSortedSetAggregateCount covers AGGREGATE COUNT (Redis 8.8).
func TestSortedSetAggregateCount(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		a, b := key(t, "a"), key(t, "b")
		requireSupport(t, c, "AGGREGATE COUNT (Redis 8.8)", "ZUNION", 1, key(t, "probe"), "AGGREGATE", "COUNT")
		zsetSeed(t, c, a, redis.Z{Score: 1, Member: "x"}, redis.Z{Score: 2, Member: "y"})
		zsetSeed(t, c, b, redis.Z{Score: 10, Member: "y"})
		got := zsetNoErr[[]redis.Z](t, "ZUNION AGGREGATE COUNT")(c.ZUnionWithScores(ctx, []string{a, b}, redis.ZCombineOptions{Aggregate: "COUNT"}))
		zsetEqual(t, "ZUNION AGGREGATE COUNT", got, []redis.Z{{Score: 1, Member: "x"}, {Score: 2, Member: "y"}})
	})
}

func TestSortedSetPop(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		k := key(t, "z")
		seed := func() {
			c.Do(ctx, "DEL", k)
			zsetSeed(t, c, k, redis.Z{Score: 1, Member: "a"}, redis.Z{Score: 2, Member: "b"}, redis.Z{Score: 3, Member: "c"}, redis.Z{Score: 4, Member: "d"})
		}
		zs := zsetNoErr[[]redis.Z](t, "pop")
		seed()
		zsetEqual(t, "ZPOPMIN", zs(c.ZPopMin(ctx, k)), []redis.Z{{Score: 1, Member: "a"}})
		zsetEqual(t, "ZPOPMAX", zs(c.ZPopMax(ctx, k)), []redis.Z{{Score: 4, Member: "d"}})
		zsetEqual(t, "ZPOPMIN COUNT", zs(c.ZPopMin(ctx, k, redis.ZPopMinOptions{Count: 5})), []redis.Z{{Score: 2, Member: "b"}, {Score: 3, Member: "c"}})
		zsetEqual(t, "ZPOPMAX on a missing key", zs(c.ZPopMax(ctx, k)), []redis.Z{})
		zsetEqual(t, "ZPOPMAX COUNT on a missing key", zs(c.ZPopMax(ctx, k, redis.ZPopMaxOptions{Count: 2})), []redis.Z{})

		seed()
		other := key(t, "empty")
		mp := zsetNoErr[redis.ZMPopResult](t, "ZMPOP")
		zsetEqual(t, "ZMPOP MAX COUNT", mp(c.ZMPop(ctx, []string{other, k}, "MAX", redis.ZMPopOptions{Count: 2})),
			redis.ZMPopResult{Key: k, Members: []redis.Z{{Score: 4, Member: "d"}, {Score: 3, Member: "c"}}})
		zsetEqual(t, "ZMPOP MIN", mp(c.ZMPop(ctx, []string{k}, "min")),
			redis.ZMPopResult{Key: k, Members: []redis.Z{{Score: 1, Member: "a"}}})
		_, err := c.ZMPop(ctx, []string{other}, "MIN")
		zsetWantNil(t, "ZMPOP of empty keys", err)

		// Blocking pops: a member present returns at once; none gives
		// ErrNil when the timeout passes.
		zsetEqual(t, "BZPOPMIN", zsetNoErr[redis.ZWithKey](t, "BZPOPMIN")(c.BZPopMin(ctx, []string{other, k}, time.Second)),
			redis.ZWithKey{Key: k, Z: redis.Z{Score: 2, Member: "b"}})
		seed()
		zsetEqual(t, "BZPOPMAX", zsetNoErr[redis.ZWithKey](t, "BZPOPMAX")(c.BZPopMax(ctx, []string{k}, 0)),
			redis.ZWithKey{Key: k, Z: redis.Z{Score: 4, Member: "d"}})
		zsetEqual(t, "BZMPOP", zsetNoErr[redis.ZMPopResult](t, "BZMPOP")(c.BZMPop(ctx, time.Second, []string{other, k}, "MIN", redis.ZMPopOptions{Count: 2})),
			redis.ZMPopResult{Key: k, Members: []redis.Z{{Score: 1, Member: "a"}, {Score: 2, Member: "b"}}})
		_, err = c.BZPopMin(ctx, []string{other}, 50*time.Millisecond)
		zsetWantNil(t, "BZPOPMIN timing out", err)
		_, err = c.BZPopMax(ctx, []string{other}, 50*time.Millisecond)
		zsetWantNil(t, "BZPOPMAX timing out", err)
		_, err = c.BZMPop(ctx, 50*time.Millisecond, []string{other}, "MAX")
		zsetWantNil(t, "BZMPOP timing out", err)

		// A member pushed while BZPOPMIN waits wakes it.
		done := make(chan error, 1)
		var got redis.ZWithKey
		go func() {
			var err error
			got, err = c.BZPopMin(ctx, []string{other}, 5*time.Second)
			done <- err
		}()
		time.Sleep(50 * time.Millisecond)
		zsetSeed(t, c, other, redis.Z{Score: 7, Member: "late"})
		if err := <-done; err != nil {
			t.Fatalf("BZPOPMIN woken by ZADD: %v", err)
		}
		zsetEqual(t, "BZPOPMIN woken by ZADD", got, redis.ZWithKey{Key: other, Z: redis.Z{Score: 7, Member: "late"}})
	})
}

func TestSortedSetRandMember(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		k := key(t, "z")
		all := map[string]float64{"a": 1, "b": 2, "c": 3}
		for m, s := range all {
			zsetSeed(t, c, k, redis.Z{Score: s, Member: m})
		}
		m := zsetNoErr[string](t, "ZRANDMEMBER")(c.ZRandMember(ctx, k))
		if _, ok := all[m]; !ok {
			t.Fatalf("ZRANDMEMBER = %q, not a member", m)
		}
		_, err := c.ZRandMember(ctx, key(t, "none"))
		zsetWantNil(t, "ZRANDMEMBER of a missing key", err)

		ms := zsetNoErr[[]string](t, "ZRANDMEMBER count")(c.ZRandMembers(ctx, k, 5))
		sort.Strings(ms)
		zsetEqual(t, "ZRANDMEMBER 5 (distinct, capped at the set's size)", ms, []string{"a", "b", "c"})
		ms = zsetNoErr[[]string](t, "ZRANDMEMBER -count")(c.ZRandMembers(ctx, k, -7))
		if len(ms) != 7 {
			t.Fatalf("ZRANDMEMBER -7 gave %d members, want 7", len(ms))
		}
		for _, m := range ms {
			if _, ok := all[m]; !ok {
				t.Fatalf("ZRANDMEMBER -7 gave %q, not a member", m)
			}
		}
		zsetEqual(t, "ZRANDMEMBER count of a missing key", zsetNoErr[[]string](t, "ZRANDMEMBER")(c.ZRandMembers(ctx, key(t, "none"), 2)), []string{})

		zs := zsetNoErr[[]redis.Z](t, "ZRANDMEMBER WITHSCORES")(c.ZRandMembersWithScores(ctx, k, -4))
		if len(zs) != 4 {
			t.Fatalf("ZRANDMEMBER -4 WITHSCORES gave %d pairs, want 4", len(zs))
		}
		for _, z := range zs {
			if s, ok := all[z.Member]; !ok || s != z.Score {
				t.Fatalf("ZRANDMEMBER WITHSCORES gave %+v, not a member with its score", z)
			}
		}
	})
}

func TestSortedSetScan(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		// More members than a listpack holds, so ZSCAN really pages.
		k := key(t, "big")
		want := map[string]float64{}
		var zs []redis.Z
		for i := range 300 {
			m := fmt.Sprintf("m%03d", i)
			want[m] = float64(i) / 4
			zs = append(zs, redis.Z{Score: float64(i) / 4, Member: m})
		}
		zsetSeed(t, c, k, zs...)
		got := map[string]float64{}
		for z, err := range c.ZScan(ctx, k, redis.ZScanOptions{Count: 50}) {
			if err != nil {
				t.Fatalf("ZSCAN: %v", err)
			}
			got[z.Member] = z.Score
		}
		zsetEqual(t, "ZSCAN over everything", got, want)

		// Breaking out of the loop stops it.
		seen := 0
		for _, err := range c.ZScan(ctx, k) {
			if err != nil {
				t.Fatal(err)
			}
			seen++
			if seen == 3 {
				break
			}
		}
		zsetEqual(t, "members seen before break", seen, 3)

		// Cursor level, with MATCH: walk the pages by hand.
		var matched []string
		pages := 0
		for cursor := uint64(0); ; {
			page, err := c.ZScanPage(ctx, k, cursor, redis.ZScanOptions{Match: "m1*", Count: 40})
			if err != nil {
				t.Fatalf("ZSCAN page: %v", err)
			}
			pages++
			for _, z := range page.Items {
				if z.Score != want[z.Member] {
					t.Fatalf("ZSCAN gave %+v, want score %v", z, want[z.Member])
				}
				matched = append(matched, z.Member)
			}
			if page.Cursor == 0 {
				break
			}
			cursor = page.Cursor
		}
		if pages < 2 {
			t.Fatalf("ZSCAN of 300 members took %d page(s); want several", pages)
		}
		slices.Sort(matched)
		matched = slices.Compact(matched)
		if len(matched) != 100 || matched[0] != "m100" || matched[99] != "m199" {
			t.Fatalf("ZSCAN MATCH m1* gave %d members (%v...), want m100..m199", len(matched), matched[:min(3, len(matched))])
		}

		// A small set comes back in one page; a missing key in an empty one.
		small := key(t, "small")
		zsetSeed(t, c, small, redis.Z{Score: -1.5, Member: "x"}, redis.Z{Score: math.Inf(1), Member: "y"})
		sp, err := c.ZScanPage(ctx, small, 0)
		if err != nil {
			t.Fatal(err)
		}
		sort.Slice(sp.Items, func(i, j int) bool { return sp.Items[i].Member < sp.Items[j].Member })
		zsetEqual(t, "ZSCAN small", sp, redis.CursorPage[redis.Z]{Items: []redis.Z{{Score: -1.5, Member: "x"}, {Score: math.Inf(1), Member: "y"}}})
		// The server refuses a COUNT below 1.
		if _, err := c.ZScanPage(ctx, small, 0, redis.ZScanOptions{Count: -1}); err == nil {
			t.Fatal("ZSCAN COUNT -1 succeeded, want an error reply")
		}
		r, err := redis.RunCommand(ctx, c, redis.ZScanPage(key(t, "none"), 0))
		if err != nil {
			t.Fatal(err)
		}
		zsetEqual(t, "ZSCAN missing key", r, redis.CursorPage[redis.Z]{Items: []redis.Z{}})

		// Errors are yielded once: ZSCAN of a string.
		str := key(t, "str")
		c.Do(ctx, "SET", str, "v")
		var errs int
		for _, err := range c.ZScan(ctx, str) {
			if err == nil {
				t.Fatal("ZSCAN of a string yielded a member")
			}
			errs++
		}
		zsetEqual(t, "errors yielded by ZSCAN of a string", errs, 1)
	})
}
