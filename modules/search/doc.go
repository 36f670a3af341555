// Package search is a client for RediSearch, the search and query engine
// of Redis (the FT.* commands: built into Redis 8, a module before that).
// It adds typed commands to a *redis.Client of the redis package; it
// opens no connection of its own.
//
// # The client
//
// New wraps a standalone, cluster or sentinel *redis.Client. The wrapper
// holds nothing else, so it is as safe for concurrent use as the client
// and costs nothing to make:
//
//	rdb := redis.NewClient(&redis.Options{Addr: "localhost:6379"})
//	ft := search.New(rdb)
//
// Every method is named after its command, takes a context first and
// returns typed results that are the same Go values under RESP2 and
// RESP3. A server error is a *redis.Error, a null reply redis.ErrNil.
// Each method that sends one command has a package-level twin of the same
// name that returns the command as a redis.Command value, to queue in a
// pipeline or a transaction:
//
//	p := rdb.Pipeline()
//	info := redis.Queue(p, search.Info("idx:movie"))
//	list := redis.Queue(p, search.List())
//	err := p.Exec(ctx)
//
// Input the package can tell is wrong (an empty name, options that
// conflict, an option a field type does not take) is never sent: the
// command carries the error, which names the command and the problem, and
// running it returns that error.
//
// # Creating an index
//
// Create (FT.CREATE) takes the index name, its options and its schema.
// CreateOptions says which keys the index reads (hashes or JSON documents,
// key prefixes, a filter) and how (language, scores, stop words, ...); its
// zero value, or nil, takes the server's defaults: every hash, English,
// the default stop words. The schema is a list of fields, each made by a
// constructor and refined with methods that return changed copies:
//
//	err := ft.Create(ctx, "idx:movie",
//		&search.CreateOptions{On: search.OnHash, Prefixes: []string{"movie:"}},
//		search.NewTextField("title").Weight(5).Sortable(),
//		search.NewTagField("genre").Sortable(),
//		search.NewNumericField("year").Sortable(),
//		search.NewGeoField("loc"),
//		search.NewVectorField("vec", search.VectorFlat, search.VectorFloat32, 3, search.DistanceCosine),
//	)
//
// sends
//
//	FT.CREATE idx:movie ON HASH PREFIX 1 movie: SCHEMA title TEXT WEIGHT 5.0 SORTABLE
//	  genre TAG SORTABLE year NUMERIC SORTABLE loc GEO
//	  vec VECTOR FLAT 6 TYPE FLOAT32 DIM 3 DISTANCE_METRIC COSINE
//
// The vector field's attribute count (6 here) is computed, and an option
// that does not belong to the chosen algorithm (M on FLAT, BLOCK_SIZE on
// HNSW, COMPRESSION outside SVS-VAMANA) is an error before sending.
//
// An index over JSON documents names its fields by JSONPath and gives
// them short names with As:
//
//	err := ft.Create(ctx, "idx:film", &search.CreateOptions{On: search.OnJSON, Prefixes: []string{"film:"}},
//		search.NewTextField("$.title").As("title"),
//		search.NewTagField("$.tags[*]").As("tags"),
//		search.NewVectorField("$.embedding", search.VectorHNSW, search.VectorFloat32, 768, search.DistanceCosine).
//			As("embedding").M(16).EFConstruction(200),
//	)
//
// Stop words have three settings: CreateOptions.Stopwords nil keeps the
// server's list, a list replaces it, and NoStopwords sends STOPWORDS 0
// (no stop words at all).
//
// The server indexes the existing keys in the background; Info reports
// the progress (IndexInfo.Indexing, PercentIndexed). Alter adds fields
// later; DropIndex deletes the index, and its documents too with
// DropIndexOptions{DeleteDocuments: true}.
//
// # Inspecting and managing indexes
//
// Info (FT.INFO) returns an IndexInfo: the definition, the schema as the
// server understood it, document and term counts, memory sizes, indexing
// progress and errors, garbage collector and cursor statistics. Entries
// newer servers add are kept in its Other maps rather than dropped. List
// (FT._LIST) names every index; AliasAdd, AliasUpdate and AliasDel manage
// other names for an index; TagVals lists a TAG field's values; Explain and
// ExplainCLI show how a query is parsed.
//
// # Querying
//
// Search (FT.SEARCH) runs a query built from expressions that escape what
// they are given, and Aggregate (FT.AGGREGATE) runs a pipeline of
// grouping, reducing, applying and sorting steps; their builders are
// NewQuery and NewAggregation:
//
//	res, err := ft.Search(ctx, "idx:movie",
//		search.NewQuery(search.And(search.Terms("matrix"), search.Tag("genre", "action"))).
//			SortBy("year", search.Desc).Limit(0, 10))
//	for _, doc := range res.Docs { ... }
//
// Vector queries pass the query vector as a parameter encoded with
// EncodeFloat32 (or EncodeFloat64, matching the field's TYPE). Hybrid
// (FT.HYBRID, RediSearch 8.4 and later) fuses a text ranking and a vector
// ranking into one, from a request built with NewHybridQuery. Long
// aggregations can be read in pages through cursors, and ProfileSearch
// and ProfileAggregate (FT.PROFILE) report where a query spends its time.
// See the documentation of those names for their options.
//
// # Auto-complete, spelling and synonyms
//
// Suggestion dictionaries are keys of their own, independent of indexes:
// SugAdd adds a string with a score (and optionally a payload), SugGet
// completes a prefix (optionally fuzzily, with scores and payloads),
// SugDel and SugLen manage them.
//
// SpellCheck suggests corrections for the terms of a query that an index
// does not hold, from the index's own terms and from dictionaries
// (DictAdd, DictDel, DictDump) included or excluded per call. SynUpdate
// and SynDump manage synonym groups: a query for any term of a group
// matches documents holding any other.
//
// # Module settings
//
// ConfigGet, ConfigSet and ConfigHelp send FT.CONFIG GET/SET/HELP, which
// RediSearch 8 still answers but deprecates: on Redis 8 the settings are
// server settings named "search-..." (FT.CONFIG's TIMEOUT is
// search-timeout), read and changed with the redis package's ConfigGet and
// ConfigSet.
package search
