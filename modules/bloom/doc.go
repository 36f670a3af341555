// Package bloom runs the commands of RedisBloom — Bloom filters (BF.*),
// cuckoo filters (CF.*), count-min sketches (CMS.*), top-k sketches
// (TOPK.*) and t-digest sketches (TDIGEST.*) — on a *redis.Client. It needs
// a server with the module loaded: Redis 8 (where it is built in) or Redis
// Stack. It is built only on the public API of package redis.
//
// # A client
//
// New wraps a *redis.Client (standalone, cluster or sentinel):
//
//	rdb := redis.NewClient(&redis.Options{Addr: "localhost:6379"})
//	b := bloom.New(rdb)
//
// The Client holds nothing else: it is safe for concurrent use and free to
// create. Its methods are named after the commands with the family as a
// prefix — BFAdd for BF.ADD, CFInsertNX for CF.INSERTNX, CMSIncrBy,
// TopKListWithCount, TDigestByRevRank — and take a context first.
//
// # Which structure
//
//   - A Bloom filter answers "have I seen this?" with no false negatives and
//     a chosen rate of false positives, in little memory; items cannot be
//     removed (see the example below).
//   - A cuckoo filter answers the same question and also counts and
//     deletes items (CFAdd, CFAddNX, CFCount, CFDel).
//   - A count-min sketch estimates how often each item occurred (CMSIncrBy,
//     CMSQuery); estimates can be too high, never too low.
//   - A top-k sketch keeps the k most frequent items (TopKAdd reports the
//     items it pushes out; TopKListWithCount lists the top k).
//   - A t-digest estimates quantiles, ranks and trimmed means of a stream of
//     numbers (TDigestAdd, TDigestQuantile, TDigestCDF, TDigestRank...).
//
// A Bloom filter is reserved with its false-positive rate and the number
// of items expected; BF.ADD then says whether an item is new:
//
//	err := b.BFReserve(ctx, "seen", 0.001, 1_000_000)
//	isNew, err := b.BFAdd(ctx, "seen", "order-42") // false: seen before (probably)
//	maybe, err := b.BFExists(ctx, "seen", "order-7")
//
// # Results
//
// Results have the same Go type under RESP2 and RESP3. Yes/no answers are
// bool, whether the server sends 1/0 or true/false (and CF.INSERTNX, which
// sends integers even under RESP3). The INFO commands return structs
// (BloomFilterInfo, CuckooFilterInfo, CountMinSketchInfo, TopKSketchInfo,
// TDigestSketchInfo). T-digest estimates are float64 with math.Inf and NaN
// where the server answers "inf", "-inf" or "nan" (an empty sketch); RANK
// and REVRANK give int64. TOPK.ADD's "nothing was dropped" is a
// redis.Null[string] with Valid false.
//
// Errors follow package redis: a server error is a *redis.Error (its Code
// is the first word, such as ERR or WRONGTYPE; RedisBloom's "CMS: ..."
// messages have no code), a null where a value was expected is
// redis.ErrNil. Input a command cannot be sent with — no items where at
// least one is needed, options that go together set apart — is refused
// before anything is sent: the error comes back from running the command.
// The multi-item adds report per-item failures next to the results: a
// full cuckoo filter's items read false with ErrFilterFull, and a full
// non-scaling Bloom filter's first refused item ends the results with its
// *redis.Error.
//
// # Pipelines and transactions
//
// Each method has a package-level function of the same name that builds
// the command as a redis.Command, to queue in a pipeline or a transaction:
//
//	p := rdb.Pipeline()
//	added := redis.Queue(p, bloom.BFMAdd("seen", "a", "b"))
//	median := redis.Queue(p, bloom.TDigestQuantile("latency", 0.5))
//	err := p.Exec(ctx)
//	firstAdded := added.Val()[0]
//
// # Dumping and restoring filters
//
// BF.SCANDUMP and CF.SCANDUMP read a filter in chunks that BF.LOADCHUNK and
// CF.LOADCHUNK load back, to copy a filter to another key or server or to
// keep it elsewhere. BFScanDumpAll runs the dump as an iterator, and
// BFLoadChunks loads an iterator's chunks (Chunks turns a saved slice into
// one); BFCopy does both within one server. The CF methods are the same:
//
//	// Copy a filter to another server, chunk by chunk.
//	err := bloom.New(dst).BFLoadChunks(ctx, "seen", bloom.New(src).BFScanDumpAll(ctx, "seen"))
//
// The filter must not change while it is dumped, and the key it is loaded
// into must not exist.
package bloom
