package bloom_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/modules/bloom"
	"github.com/respkit/redis/redistest"
)

// bloomServer returns a Client, speaking proto, of the server in
// $REDIS_MODULES_URL, or skips the test when that server has no RedisBloom
// (MODULE LIST name "bf"; CI's plain Redis has none), and a function that
// makes key names unique to the test, deleted when it ends.
func bloomServer(t *testing.T, proto int) (*bloom.Client, func(name string) string) {
	t.Helper()
	raw := redistest.ModuleServer(t, "bf")
	opts, err := redis.ParseURL(raw)
	if err != nil {
		t.Fatalf("%s: %v", redistest.ModulesURLEnv, err)
	}
	opts.Protocol = proto
	rdb := redis.NewClient(opts)
	prefix := fmt.Sprintf("bloomtest:%d:", time.Now().UnixNano())
	var keys []any
	t.Cleanup(func() {
		if len(keys) > 0 {
			_ = rdb.Do(context.Background(), append([]any{"DEL"}, keys...)...).Err()
		}
		rdb.Close()
	})
	return bloom.New(rdb), func(name string) string {
		k := prefix + name
		keys = append(keys, k)
		return k
	}
}

// bothProtocols runs body under RESP2 and RESP3.
func bothProtocols(t *testing.T, body func(t *testing.T, ctx context.Context, b *bloom.Client, key func(string) string)) {
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			b, key := bloomServer(t, proto)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			body(t, ctx, b, key)
		})
	}
}

func check(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func TestIntegrationDedup(t *testing.T) {
	bothProtocols(t, func(t *testing.T, ctx context.Context, b *bloom.Client, key func(string) string) {
		seen := key("seen")
		check(t, "BFReserve", b.BFReserve(ctx, seen, 0.001, 1000))
		err := b.BFReserve(ctx, seen, 0.001, 1000)
		var se *redis.Error
		if !errors.As(err, &se) {
			t.Errorf("BFReserve of an existing key: %v, want a *redis.Error", err)
		}
		added, err := b.BFAdd(ctx, seen, "order-1")
		check(t, "BFAdd", err)
		again, err := b.BFAdd(ctx, seen, "order-1")
		check(t, "BFAdd", err)
		if !added || again {
			t.Errorf("BFAdd: first %v, second %v; want true, false", added, again)
		}
		madd, err := b.BFMAdd(ctx, seen, "order-1", "order-2", "order-3")
		check(t, "BFMAdd", err)
		if !slices.Equal(madd, []bool{false, true, true}) {
			t.Errorf("BFMAdd: %v", madd)
		}
		exists, err := b.BFMExists(ctx, seen, "order-2", "order-9")
		check(t, "BFMExists", err)
		if !slices.Equal(exists, []bool{true, false}) {
			t.Errorf("BFMExists: %v", exists)
		}
		card, err := b.BFCard(ctx, seen)
		check(t, "BFCard", err)
		info, err := b.BFInfo(ctx, seen)
		check(t, "BFInfo", err)
		if card != 3 || info.Items != 3 || info.Capacity != 1000 || info.Filters != 1 || info.Expansion != 2 || info.Size <= 0 {
			t.Errorf("BFCard %d, BFInfo %+v", card, info)
		}
		items, err := b.BFInfoValue(ctx, seen, bloom.BFInfoItems)
		check(t, "BFInfoValue", err)
		if items != 3 {
			t.Errorf("BFInfoValue ITEMS: %d", items)
		}

		// A full non-scaling filter answers the item that did not fit
		// with an error and stops.
		small := key("small")
		check(t, "BFReserve NONSCALING", b.BFReserve(ctx, small, 0.01, 10, bloom.BFReserveOptions{NonScaling: true}))
		many := make([]string, 100)
		for i := range many {
			many[i] = fmt.Sprint("item-", i)
		}
		res, err := b.BFMAdd(ctx, small, many...)
		if !errors.As(err, &se) || len(res) == 0 || len(res) >= len(many) {
			t.Errorf("BFMAdd to a full non-scaling filter: %d results, %v", len(res), err)
		}
		if _, err := b.BFInfoValue(ctx, small, bloom.BFInfoExpansion); !errors.Is(err, redis.ErrNil) {
			t.Errorf("BFInfoValue EXPANSION of a non-scaling filter: %v, want redis.ErrNil", err)
		}
	})
}

func TestIntegrationScanDumpRoundTrip(t *testing.T) {
	bothProtocols(t, func(t *testing.T, ctx context.Context, b *bloom.Client, key func(string) string) {
		// A scaling filter of small capacity grows several sub-filters,
		// so its dump has several chunks.
		src := key("bf-src")
		check(t, "BFReserve", b.BFReserve(ctx, src, 0.01, 10))
		items := make([]string, 200)
		for i := range items {
			items[i] = fmt.Sprint("member-", i)
		}
		_, err := b.BFInsert(ctx, src, items)
		check(t, "BFInsert", err)

		var chunks []bloom.Chunk
		for ch, err := range b.BFScanDumpAll(ctx, src) {
			check(t, "BFScanDumpAll", err)
			chunks = append(chunks, ch)
		}
		if len(chunks) < 3 || chunks[0].Iterator != 1 {
			t.Fatalf("BFScanDumpAll: %d chunks, first at %d", len(chunks), chunks[0].Iterator)
		}
		restored := key("bf-restored")
		check(t, "BFLoadChunks", b.BFLoadChunks(ctx, restored, bloom.Chunks(chunks)))
		copied := key("bf-copied")
		check(t, "BFCopy", b.BFCopy(ctx, src, copied))
		want, err := b.BFInfo(ctx, src)
		check(t, "BFInfo", err)
		for _, k := range []string{restored, copied} {
			got, err := b.BFInfo(ctx, k)
			check(t, "BFInfo", err)
			if got != want {
				t.Errorf("%s: BFInfo %+v, source %+v", k, got, want)
			}
			found, err := b.BFMExists(ctx, k, items...)
			check(t, "BFMExists", err)
			if slices.Contains(found, false) {
				t.Errorf("%s: an item of the source is missing", k)
			}
		}

		// Cuckoo filters.
		csrc := key("cf-src")
		check(t, "CFReserve", b.CFReserve(ctx, csrc, 64, bloom.CFReserveOptions{BucketSize: 2}))
		_, err = b.CFInsert(ctx, csrc, items[:50])
		check(t, "CFInsert", err)
		_, err = b.CFAdd(ctx, csrc, items[0])
		check(t, "CFAdd", err)
		ccopy := key("cf-copied")
		check(t, "CFCopy", b.CFCopy(ctx, csrc, ccopy))
		for _, it := range items[:50] {
			wantN, err := b.CFCount(ctx, csrc, it)
			check(t, "CFCount", err)
			gotN, err := b.CFCount(ctx, ccopy, it)
			check(t, "CFCount", err)
			if gotN != wantN || gotN == 0 {
				t.Errorf("CFCount %s: copy %d, source %d", it, gotN, wantN)
			}
		}
		cinfo, err := b.CFInfo(ctx, ccopy)
		check(t, "CFInfo", err)
		if cinfo.ItemsInserted != 51 || cinfo.BucketSize != 2 {
			t.Errorf("CFInfo of the copy: %+v", cinfo)
		}
		// An empty cuckoo filter has nothing to dump.
		cempty := key("cf-empty")
		check(t, "CFReserve", b.CFReserve(ctx, cempty, 64))
		n := 0
		for _, err := range b.CFScanDumpAll(ctx, cempty) {
			check(t, "CFScanDumpAll", err)
			n++
		}
		if n != 0 {
			t.Errorf("CFScanDumpAll of an empty filter: %d chunks", n)
		}
	})
}

func TestIntegrationTDigest(t *testing.T) {
	bothProtocols(t, func(t *testing.T, ctx context.Context, b *bloom.Client, key func(string) string) {
		td, empty := key("td"), key("td-empty")
		check(t, "TDigestCreate", b.TDigestCreate(ctx, td, bloom.TDigestCreateOptions{Compression: 100}))
		check(t, "TDigestCreate", b.TDigestCreate(ctx, empty))
		check(t, "TDigestAdd", b.TDigestAdd(ctx, td, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10))

		lo, err := b.TDigestMin(ctx, td)
		check(t, "TDigestMin", err)
		hi, err := b.TDigestMax(ctx, td)
		check(t, "TDigestMax", err)
		if lo != 1 || hi != 10 {
			t.Errorf("min %v, max %v", lo, hi)
		}
		q, err := b.TDigestQuantile(ctx, td, 0, 0.5, 1)
		check(t, "TDigestQuantile", err)
		if !slices.Equal(q, []float64{1, 6, 10}) {
			t.Errorf("TDigestQuantile: %v", q)
		}
		cdf, err := b.TDigestCDF(ctx, td, 0, 11)
		check(t, "TDigestCDF", err)
		if !slices.Equal(cdf, []float64{0, 1}) {
			t.Errorf("TDigestCDF: %v", cdf)
		}
		ranks, err := b.TDigestRank(ctx, td, 0, 100)
		check(t, "TDigestRank", err)
		rev, err := b.TDigestRevRank(ctx, td, 0, 100)
		check(t, "TDigestRevRank", err)
		if !slices.Equal(ranks, []int64{-1, 10}) || !slices.Equal(rev, []int64{10, -1}) {
			t.Errorf("TDigestRank %v, TDigestRevRank %v", ranks, rev)
		}
		byRank, err := b.TDigestByRank(ctx, td, 0, 100)
		check(t, "TDigestByRank", err)
		byRev, err := b.TDigestByRevRank(ctx, td, 0, 100)
		check(t, "TDigestByRevRank", err)
		if len(byRank) != 2 || byRank[0] != 1 || !math.IsInf(byRank[1], 1) ||
			len(byRev) != 2 || byRev[0] != 10 || !math.IsInf(byRev[1], -1) {
			t.Errorf("TDigestByRank %v, TDigestByRevRank %v", byRank, byRev)
		}
		mean, err := b.TDigestTrimmedMean(ctx, td, 0.1, 0.9)
		check(t, "TDigestTrimmedMean", err)
		if mean != 5.5 {
			t.Errorf("TDigestTrimmedMean: %v", mean)
		}
		// An empty sketch answers NaN.
		emin, err := b.TDigestMin(ctx, empty)
		check(t, "TDigestMin", err)
		eq, err := b.TDigestQuantile(ctx, empty, 0.5)
		check(t, "TDigestQuantile", err)
		if !math.IsNaN(emin) || len(eq) != 1 || !math.IsNaN(eq[0]) {
			t.Errorf("empty sketch: min %v, quantile %v", emin, eq)
		}
		merged := key("td-merged")
		check(t, "TDigestMerge", b.TDigestMerge(ctx, merged, []string{td, empty}, bloom.TDigestMergeOptions{Compression: 50, Override: true}))
		info, err := b.TDigestInfo(ctx, merged)
		check(t, "TDigestInfo", err)
		if info.Compression != 50 || info.Observations != 10 {
			t.Errorf("TDigestInfo of the merge: %+v", info)
		}
		check(t, "TDigestReset", b.TDigestReset(ctx, td))
		info, err = b.TDigestInfo(ctx, td)
		check(t, "TDigestInfo", err)
		if info.Observations != 0 || info.Compression != 100 {
			t.Errorf("TDigestInfo after reset: %+v", info)
		}
	})
}

func TestIntegrationSketches(t *testing.T) {
	bothProtocols(t, func(t *testing.T, ctx context.Context, b *bloom.Client, key func(string) string) {
		cms := key("cms")
		check(t, "CMSInitByDim", b.CMSInitByDim(ctx, cms, 2000, 5))
		counts, err := b.CMSIncrBy(ctx, cms, bloom.Increment{Item: "a", By: 5}, bloom.Increment{Item: "b", By: 3})
		check(t, "CMSIncrBy", err)
		sum := key("cms-sum")
		check(t, "CMSInitByDim", b.CMSInitByDim(ctx, sum, 2000, 5))
		check(t, "CMSMerge", b.CMSMerge(ctx, sum, []string{cms, cms}, 1, 2))
		q, err := b.CMSQuery(ctx, sum, "a", "b", "c")
		check(t, "CMSQuery", err)
		info, err := b.CMSInfo(ctx, sum)
		check(t, "CMSInfo", err)
		if !slices.Equal(counts, []int64{5, 3}) || !slices.Equal(q, []int64{15, 9, 0}) || info != (bloom.CountMinSketchInfo{Width: 2000, Depth: 5, Count: 24}) {
			t.Errorf("CMS: incrby %v, merged %v, info %+v", counts, q, info)
		}

		tk := key("topk")
		check(t, "TopKReserve", b.TopKReserve(ctx, tk, 2, bloom.TopKReserveOptions{Width: 50, Depth: 4, Decay: 0.9}))
		_, err = b.TopKIncrBy(ctx, tk, bloom.Increment{Item: "x", By: 10}, bloom.Increment{Item: "y", By: 5})
		check(t, "TopKIncrBy", err)
		dropped, err := b.TopKAdd(ctx, tk, "z")
		check(t, "TopKAdd", err)
		list, err := b.TopKListWithCount(ctx, tk)
		check(t, "TopKListWithCount", err)
		in, err := b.TopKQuery(ctx, tk, "x", "z")
		check(t, "TopKQuery", err)
		tinfo, err := b.TopKInfo(ctx, tk)
		check(t, "TopKInfo", err)
		if len(dropped) != 1 || dropped[0].Valid ||
			!slices.Equal(list, []bloom.TopKItem{{Item: "x", Count: 10}, {Item: "y", Count: 5}}) ||
			!slices.Equal(in, []bool{true, false}) || tinfo != (bloom.TopKSketchInfo{K: 2, Width: 50, Depth: 4, Decay: 0.9}) {
			t.Errorf("TOPK: add %v, list %v, query %v, info %+v", dropped, list, in, tinfo)
		}
	})
}

// TestIntegrationPipeline queues commands of every family in a pipeline
// and in transactions.
func TestIntegrationPipeline(t *testing.T) {
	bothProtocols(t, func(t *testing.T, ctx context.Context, b *bloom.Client, key func(string) string) {
		bf, cf, td := key("p-bf"), key("p-cf"), key("p-td")
		p := b.Redis().Pipeline()
		reserve := redis.Queue(p, bloom.BFReserve(bf, 0.01, 100))
		added := redis.Queue(p, bloom.BFMAdd(bf, "a", "b"))
		cfAdded := redis.Queue(p, bloom.CFInsertNX(cf, []string{"a", "a"}))
		created := redis.Queue(p, bloom.TDigestCreate(td))
		addedTD := redis.Queue(p, bloom.TDigestAdd(td, 1, 2, 3))
		quantile := redis.Queue(p, bloom.TDigestQuantile(td, 0.5))
		rejected := redis.Queue(p, bloom.TopKAdd(key("p-topk")))
		if err := p.Exec(ctx); err == nil || err != rejected.Err() {
			t.Errorf("Exec: %v; want the rejected command's error %v", err, rejected.Err())
		}
		check(t, "BF.RESERVE", reserve.Err())
		check(t, "TDIGEST.CREATE", created.Err())
		check(t, "TDIGEST.ADD", addedTD.Err())
		a, err := added.Result()
		check(t, "BF.MADD", err)
		c, err := cfAdded.Result()
		check(t, "CF.INSERTNX", err)
		qs, err := quantile.Result()
		check(t, "TDIGEST.QUANTILE", err)
		if !slices.Equal(a, []bool{true, true}) || !slices.Equal(c, []bool{true, false}) || !slices.Equal(qs, []float64{2}) {
			t.Errorf("pipeline: BF.MADD %v, CF.INSERTNX %v, TDIGEST.QUANTILE %v", a, c, qs)
		}

		tx := b.Redis().TxPipeline()
		exists := redis.Queue(tx, bloom.BFExists(bf, "a"))
		lo := redis.Queue(tx, bloom.TDigestMin(td))
		count := redis.Queue(tx, bloom.CFCount(cf, "a"))
		check(t, "transaction", tx.Exec(ctx))
		if e, m, n := exists.Val(), lo.Val(), count.Val(); !e || m != 1 || n != 1 {
			t.Errorf("transaction: BF.EXISTS %v, TDIGEST.MIN %v, CF.COUNT %v", e, m, n)
		}

		// A command rejected before sending aborts its transaction.
		tx = b.Redis().TxPipeline()
		before := redis.Queue(tx, bloom.BFAdd(bf, "c"))
		redis.Queue(tx, bloom.CMSQuery(key("p-cms")))
		if err := tx.Exec(ctx); err == nil || !errors.Is(before.Err(), redis.ErrExecAbort) {
			t.Errorf("transaction with a rejected command: Exec %v, BF.ADD %v", err, before.Err())
		}
	})
}
