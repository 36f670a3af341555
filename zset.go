package redis

import (
	"context"
	"fmt"
	"iter"
	"strings"
	"time"

	"github.com/respkit/redis/resp"
)

// Sorted sets: the result types, decoders and hand-written encoders of the
// sorted_set group (the generated part is in cmds_sorted_set.go).

// Z is a member of a sorted set with its score: what ZAdd takes, and what
// every WithScores method, the pops and ZScan return. The same value comes
// back under RESP2 (where the server sends scores as strings) and RESP3
// (where it sends doubles); "inf" and "-inf" scores read as ±Inf.
type Z struct {
	// Score is the member's score.
	Score float64
	// Member is the member itself.
	Member string
}

// ZWithKey is a member popped by BZPopMin or BZPopMax, with the key it was
// popped from.
type ZWithKey struct {
	// Key is the key the member was popped from.
	Key string
	// Z is the popped member and its score.
	Z
}

// ZMPopResult is what ZMPop and BZMPop return: the key popped from and the
// members popped from it, in pop order.
type ZMPopResult struct {
	// Key is the key the members were popped from.
	Key string
	// Members are the popped members with their scores.
	Members []Z
}

// ZRankScore is a member's rank and score, as ZRankWithScore and
// ZRevRankWithScore return them.
type ZRankScore struct {
	// Rank is the member's zero-based rank.
	Rank int64
	// Score is the member's score.
	Score float64
}

// ZAddOptions are ZAdd's optional arguments. The zero value adds new
// members and updates the scores of existing ones, unconditionally.
type ZAddOptions struct {
	// NX only adds new members, never updating existing ones (NX). It
	// conflicts with XX, GT and LT.
	NX bool
	// XX only updates existing members, never adding new ones (XX).
	XX bool
	// GT only updates a member when the new score is greater than its
	// current one; new members are still added (GT, Redis 6.2). It
	// conflicts with LT and NX.
	GT bool
	// LT only updates a member when the new score is less than its
	// current one; new members are still added (LT, Redis 6.2).
	LT bool
	// CH makes the result count the members whose score changed as well as
	// those added (CH).
	CH bool
}

// ZAddIncrOptions are ZAddIncr's optional conditions. The zero value
// increments unconditionally, adding the member when it is missing.
type ZAddIncrOptions struct {
	// NX only increments a member that does not exist yet (NX): in effect
	// it adds the member with the increment as its score. It conflicts with
	// XX, GT and LT.
	NX bool
	// XX only increments a member that already exists (XX).
	XX bool
	// GT only applies the increment when it makes the score greater (GT,
	// Redis 6.2). It conflicts with LT and NX.
	GT bool
	// LT only applies the increment when it makes the score smaller (LT,
	// Redis 6.2).
	LT bool
}

// ZCombineOptions are the optional arguments of ZInter, ZUnion,
// ZInterStore and ZUnionStore (and their WithScores forms). The zero value
// weighs every input 1 and sums the scores.
type ZCombineOptions struct {
	// Weights multiply each input's scores before they combine (WEIGHTS),
	// one per key in the same order. Nil sends none (every weight 1); a
	// length other than the number of keys is an error.
	Weights []float64
	// Aggregate is how a member's weighted scores combine (AGGREGATE):
	// "SUM" (the server's default), "MIN", "MAX" or, since Redis 8.8,
	// "COUNT". Empty sends none. Case does not matter.
	Aggregate string
}

// ZInterCardOptions are ZInterCard's optional arguments. The zero value
// counts every member of the intersection.
type ZInterCardOptions struct {
	// Limit stops counting at this many members (LIMIT), which can save
	// the server work; 0 means no limit. It must not be negative.
	Limit int64
}

// ZMPopOptions are the optional arguments of ZMPop and BZMPop. The zero
// value pops one member.
type ZMPopOptions struct {
	// Count is the most members to pop from the key (COUNT); 0 sends none
	// (one member). It must not be negative.
	Count int64
}

// Encoders of the Manual entries.

// zaddConditions checks and sends ZADD's condition tokens.
func zaddConditions(b *builder, nx, xx, gt, lt bool) {
	switch {
	case nx && xx:
		b.fail("NX and XX both set")
	case gt && lt:
		b.fail("GT and LT both set")
	case nx && (gt || lt):
		b.fail("NX conflicts with GT and LT")
	}
	if nx {
		b.str("NX")
	}
	if xx {
		b.str("XX")
	}
	if gt {
		b.str("GT")
	}
	if lt {
		b.str("LT")
	}
}

func appendZAdd(b *builder, key string, members []Z, opts []ZAddOptions) {
	b.begin(cmdZADD)
	b.key(key)
	var o ZAddOptions
	switch len(opts) {
	case 0:
	case 1:
		o = opts[0]
	default:
		b.fail("at most one ZAddOptions, got %d", len(opts))
	}
	zaddConditions(b, o.NX, o.XX, o.GT, o.LT)
	if o.CH {
		b.str("CH")
	}
	if len(members) == 0 {
		b.fail("needs at least one member")
	}
	for _, z := range members {
		b.float(z.Score)
		b.str(z.Member)
	}
}

func appendZAddIncr(b *builder, key string, increment float64, member string, opts []ZAddIncrOptions) {
	b.begin(cmdZADD)
	b.key(key)
	var o ZAddIncrOptions
	switch len(opts) {
	case 0:
	case 1:
		o = opts[0]
	default:
		b.fail("at most one ZAddIncrOptions, got %d", len(opts))
	}
	zaddConditions(b, o.NX, o.XX, o.GT, o.LT)
	b.str("INCR")
	b.float(increment)
	b.str(member)
}

// zkeys sends numkeys and the keys.
func zkeys(b *builder, keys []string) {
	if len(keys) == 0 {
		b.fail("needs at least one key")
	}
	b.int(int64(len(keys)))
	for _, k := range keys {
		b.key(k)
	}
}

// zcombine sends WEIGHTS and AGGREGATE.
func zcombine(b *builder, nkeys int, opts []ZCombineOptions) {
	var o ZCombineOptions
	switch len(opts) {
	case 0:
		return
	case 1:
		o = opts[0]
	default:
		b.fail("at most one ZCombineOptions, got %d", len(opts))
		return
	}
	if len(o.Weights) > 0 {
		if len(o.Weights) != nkeys {
			b.fail("%d weights for %d keys", len(o.Weights), nkeys)
		}
		b.str("WEIGHTS")
		for _, w := range o.Weights {
			b.float(w)
		}
	}
	if o.Aggregate != "" {
		agg := strings.ToUpper(o.Aggregate)
		switch agg {
		case "SUM", "MIN", "MAX", "COUNT":
		default:
			b.fail("Aggregate must be SUM, MIN, MAX or COUNT, not %q", o.Aggregate)
		}
		b.str("AGGREGATE")
		b.str(agg)
	}
}

func appendZDiff(b *builder, keys []string) {
	b.begin(cmdZDIFF)
	zkeys(b, keys)
}

func appendZDiffWithScores(b *builder, keys []string) {
	appendZDiff(b, keys)
	b.str("WITHSCORES")
}

func appendZDiffStore(b *builder, destination string, keys []string) {
	b.begin(cmdZDIFFSTORE)
	b.key(destination)
	zkeys(b, keys)
}

func appendZInter(b *builder, keys []string, opts []ZCombineOptions) {
	b.begin(cmdZINTER)
	zkeys(b, keys)
	zcombine(b, len(keys), opts)
}

func appendZInterWithScores(b *builder, keys []string, opts []ZCombineOptions) {
	appendZInter(b, keys, opts)
	b.str("WITHSCORES")
}

func appendZInterStore(b *builder, destination string, keys []string, opts []ZCombineOptions) {
	b.begin(cmdZINTERSTORE)
	b.key(destination)
	zkeys(b, keys)
	zcombine(b, len(keys), opts)
}

func appendZUnion(b *builder, keys []string, opts []ZCombineOptions) {
	b.begin(cmdZUNION)
	zkeys(b, keys)
	zcombine(b, len(keys), opts)
}

func appendZUnionWithScores(b *builder, keys []string, opts []ZCombineOptions) {
	appendZUnion(b, keys, opts)
	b.str("WITHSCORES")
}

func appendZUnionStore(b *builder, destination string, keys []string, opts []ZCombineOptions) {
	b.begin(cmdZUNIONSTORE)
	b.key(destination)
	zkeys(b, keys)
	zcombine(b, len(keys), opts)
}

func appendZInterCard(b *builder, keys []string, opts []ZInterCardOptions) {
	b.begin(cmdZINTERCARD)
	zkeys(b, keys)
	var o ZInterCardOptions
	switch len(opts) {
	case 0:
	case 1:
		o = opts[0]
	default:
		b.fail("at most one ZInterCardOptions, got %d", len(opts))
	}
	switch {
	case o.Limit < 0:
		b.fail("negative Limit %d", o.Limit)
	case o.Limit > 0:
		b.str("LIMIT")
		b.int(o.Limit)
	}
}

// zmpopTail sends MIN|MAX and COUNT of ZMPOP and BZMPOP.
func zmpopTail(b *builder, where string, opts []ZMPopOptions) {
	switch {
	case strings.EqualFold(where, "MIN"):
		b.str("MIN")
	case strings.EqualFold(where, "MAX"):
		b.str("MAX")
	default:
		b.fail("where must be MIN or MAX, not %q", where)
	}
	var o ZMPopOptions
	switch len(opts) {
	case 0:
	case 1:
		o = opts[0]
	default:
		b.fail("at most one ZMPopOptions, got %d", len(opts))
	}
	switch {
	case o.Count < 0:
		b.fail("negative Count %d", o.Count)
	case o.Count > 0:
		b.str("COUNT")
		b.int(o.Count)
	}
}

func appendZMPop(b *builder, keys []string, where string, opts []ZMPopOptions) {
	b.begin(cmdZMPOP)
	zkeys(b, keys)
	zmpopTail(b, where, opts)
}

func appendBZMPop(b *builder, timeout time.Duration, keys []string, where string, opts []ZMPopOptions) {
	b.begin(cmdBZMPOP)
	b.fseconds(timeout)
	zkeys(b, keys)
	zmpopTail(b, where, opts)
	b.blockFor(timeout)
}

// ZScan iterates over the members of the sorted set at key, with their
// scores, sending ZSCAN page by page (see ZScanPage) until the cursor comes
// back to 0. On an error it yields a zero Z with the error, once, and
// stops; breaking out of the loop stops fetching pages.
//
//	for z, err := range rdb.ZScan(ctx, "board", redis.ZScanOptions{Match: "user:*"}) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(z.Member, z.Score)
//	}
//
// Since Redis 2.8.0.
func (c *Client) ZScan(ctx context.Context, key string, opts ...ZScanOptions) iter.Seq2[Z, error] {
	return scanAll(ctx, func(ctx context.Context, cursor uint64) ([]Z, uint64, error) {
		p, err := c.ZScanPage(ctx, key, cursor, opts...)
		return p.Items, p.Cursor, err
	})
}

// Decoders.

// zpair reads a member and its score.
func zpair(member, score resp.Value) (Z, error) {
	m, err := asString(member, nil)
	if err != nil {
		return Z{}, fmt.Errorf("member: %w", err)
	}
	s, err := asFloat64(score, nil)
	if err != nil {
		return Z{}, fmt.Errorf("score of %q: %w", m, err)
	}
	return Z{Score: s, Member: m}, nil
}

// asZs reads members with scores: RESP2's flat array member, score, ...
// (RESP3 sends that too for ZSCAN pages and a ZPOPMIN without count), or
// RESP3's array of [member, score] pairs.
func asZs(v resp.Value, err error) ([]Z, error) {
	elems, err := asSlice(v, err)
	if err != nil {
		return nil, err
	}
	if len(elems) > 0 && elems[0].Type() == resp.Array {
		out := make([]Z, len(elems))
		for i, e := range elems {
			if e.Type() != resp.Array || e.Len() != 2 {
				return nil, fmt.Errorf("redis: element %d: want a [member, score] pair, got %#v", i, e)
			}
			p := e.Elems()
			if out[i], err = zpair(p[0], p[1]); err != nil {
				return nil, fmt.Errorf("redis: element %d: %w", i, err)
			}
		}
		return out, nil
	}
	if len(elems)%2 != 0 {
		return nil, fmt.Errorf("redis: member-score reply of odd length %d", len(elems))
	}
	out := make([]Z, len(elems)/2)
	for i := range out {
		if out[i], err = zpair(elems[2*i], elems[2*i+1]); err != nil {
			return nil, fmt.Errorf("redis: pair %d: %w", i, err)
		}
	}
	return out, nil
}

// asZWithKey reads BZPOPMIN's and BZPOPMAX's [key, member, score]; a null
// (the timeout passed) is ErrNil.
func asZWithKey(v resp.Value, err error) (ZWithKey, error) {
	elems, err := asSlice(v, err)
	if err != nil {
		return ZWithKey{}, err
	}
	if len(elems) != 3 {
		return ZWithKey{}, fmt.Errorf("redis: pop reply has %d elements, want 3 (key, member, score)", len(elems))
	}
	k, err := asString(elems[0], nil)
	if err != nil {
		return ZWithKey{}, fmt.Errorf("redis: key: %w", err)
	}
	z, err := zpair(elems[1], elems[2])
	if err != nil {
		return ZWithKey{}, fmt.Errorf("redis: %w", err)
	}
	return ZWithKey{Key: k, Z: z}, nil
}

// asZMPop reads ZMPOP's and BZMPOP's [key, members]; a null (nothing to
// pop, or the timeout passed) is ErrNil.
func asZMPop(v resp.Value, err error) (ZMPopResult, error) {
	elems, err := asSlice(v, err)
	if err != nil {
		return ZMPopResult{}, err
	}
	if len(elems) != 2 {
		return ZMPopResult{}, fmt.Errorf("redis: ZMPOP reply has %d elements, want 2 (key, members)", len(elems))
	}
	k, err := asString(elems[0], nil)
	if err != nil {
		return ZMPopResult{}, fmt.Errorf("redis: key: %w", err)
	}
	zs, err := asZs(elems[1], nil)
	if err != nil {
		return ZMPopResult{}, err
	}
	return ZMPopResult{Key: k, Members: zs}, nil
}

// asZRankScore reads ZRANK's and ZREVRANK's WITHSCORE reply [rank, score];
// a null (no such member) is ErrNil.
func asZRankScore(v resp.Value, err error) (ZRankScore, error) {
	elems, err := asSlice(v, err)
	if err != nil {
		return ZRankScore{}, err
	}
	if len(elems) != 2 {
		return ZRankScore{}, fmt.Errorf("redis: rank reply has %d elements, want 2 (rank, score)", len(elems))
	}
	rank, err := asInt64(elems[0], nil)
	if err != nil {
		return ZRankScore{}, fmt.Errorf("redis: rank: %w", err)
	}
	score, err := asFloat64(elems[1], nil)
	if err != nil {
		return ZRankScore{}, fmt.Errorf("redis: score: %w", err)
	}
	return ZRankScore{Rank: rank, Score: score}, nil
}

// asZMScore reads ZMSCORE's scores, null for missing members.
func asZMScore(v resp.Value, err error) ([]Null[float64], error) {
	return asNullListOf(v, err, asFloat64)
}

// asZPage reads a ZSCAN page: members with their scores.
func asZPage(v resp.Value, err error) (CursorPage[Z], error) {
	return asCursorPage(v, err, func(page []resp.Value) ([]Z, error) {
		return asZs(resp.ArrayValue(page...), nil)
	})
}
