// Package vectorset runs the vector set commands of Redis 8 (VADD, VSIM,
// VEMB, ...) on a *redis.Client. A vector set is a key holding named
// elements, each with a vector of float32s and optional JSON attributes,
// indexed by an HNSW graph for similarity search: "which elements point
// the same way as this vector (or as this element)?", optionally limited
// by a filter over the attributes.
//
// Vector sets are built into Redis 8.0 (VISMEMBER needs 8.2, VRANGE 8.4);
// older servers answer every command with an unknown-command error.
//
// # Getting started
//
// Wrap a client with New; the methods are named after the commands
// without their V, and take a context first:
//
//	vs := vectorset.New(rdb)
//	_, err := vs.Add(ctx, "films", "alien", []float32{0.9, 0.1, 0.0},
//		vectorset.AddOptions{Attributes: Film{Year: 1979, Genre: "sci-fi"}})
//	matches, err := vs.Sim(ctx, "films", vectorset.Vector(query),
//		vectorset.SimOptions{Filter: `.genre == "sci-fi" and .year < 1990`, WithScores: true, Count: 5})
//	for _, m := range matches {
//		fmt.Println(m.Element, m.Score)
//	}
//
// A Client holds nothing but the *redis.Client, so it is safe for
// concurrent use and works on every transport (standalone, cluster,
// sentinel): the command table gives each V* command its key and its
// read/write flags, for routing, replica reads and retries. A Client
// without a *redis.Client returns ErrNoClient instead of panicking.
//
// # Commands as values: pipelines and transactions
//
// Every method has a package-level constructor of the same name (Add, Sim,
// Emb, EmbRaw, Card, Dim, Info, Links, LinksWithScores, SetAttr,
// RandMember, RandMemberCount, Rem, IsMember, Range) that returns the
// command as a redis.Command[T] with the same encoding and result type:
//
//	p := rdb.Pipeline()
//	for _, f := range films {
//		redis.Queue(p, vectorset.Add("films", f.Name, f.Vector))
//	}
//	card := redis.Queue(p, vectorset.Card("films"))
//	err := p.Exec(ctx)
//
// VGETATTR is the one exception to the naming, since its result is
// generic: the function GetAttr[T](ctx, vs, key, element) decodes the
// attributes into a T, its constructor is GetAttrAs[T](key, element), and
// the method Client.GetAttr returns the JSON text (json.RawMessage).
//
// # Vectors
//
// Vectors are []float32 and are sent as an FP32 blob by default: each
// component's IEEE 754 bits, little-endian (AppendFP32; ParseFP32 reads
// them back). AddOptions.Values and SimOptions.Values send them as text
// instead, VALUES n v1 ... vn, each component in the shortest form that
// reads back as the same float32; in a vector that is not all whole
// numbers, whole components get a ".0" (0.9 0.1 0.0), and a vector of
// whole numbers is written as integers (1 -1 1 -1). The server reads both
// forms to the same floats; the blob is smaller and faster to parse.
//
// A vector that is empty or has a NaN or infinite component is refused
// before anything is sent: running the command returns an error wrapping
// ErrInvalidVector (also in a pipeline, where the other commands still
// run). NaN and infinities have no meaning in the cosine similarity that
// vector sets compute (the server normalises every vector), so they are
// refused whichever encoding would carry them. Other input refused before
// sending: negative counts and
// factors, an unknown Quantization, attributes encoding/json cannot
// encode, a zero Query, SimOptions.Values with an Element query.
//
// The server stores vectors normalised and, by default, quantised to 8
// bits (Q8): Emb returns an approximation of what was added. NoQuant keeps
// float32s, Bin only signs; the quantisation is chosen when the set is
// created. EmbRaw returns the stored form (RawEmbedding), whose Vector
// method rebuilds what Emb returns.
//
// # Results
//
// Results are the same Go values under RESP2 and RESP3, whatever the
// reply's shape:
//
//   - Sim returns []Match, best first: Element always, Score (similarity
//     from 0 to 1) only with WithScores, Attributes (JSON text, nil for an
//     element without) only with WithAttribs. RESP2 sends flat arrays with
//     scores as strings, RESP3 maps; both give the same slice.
//   - Links returns the neighbours of an element per HNSW layer, indexed
//     by layer (links[0] is layer 0); LinksWithScores the same as
//     []Match with scores.
//   - Info returns SetInfo; fields it does not know are kept in Extra.
//   - Add, Rem, SetAttr and IsMember return a bool: whether the element
//     was added, removed, found.
//
// Missing things: Emb, EmbRaw, Links, Info, GetAttr and RandMember return
// redis.ErrNil for a missing key or element (and GetAttr for an element
// without attributes); Card returns 0, Sim, RandMemberCount and Range an
// empty slice; Dim returns the server's error (a *redis.Error, code ERR).
// Server errors are *redis.Error values whose code is the first word
// (ERR, WRONGTYPE).
//
// # Attributes and filters
//
// Attributes are any Go value encoding/json encodes (structs, maps); JSON
// text in a json.RawMessage or []byte is sent as it is (checked and
// compacted), while a Go string becomes a JSON string. They are encoded without
// HTML escaping, so text such as "<b>" is stored as written and a filter
// comparing it matches. SetAttr with nil removes them. SimOptions.Filter
// is an expression over the attributes, such as `.year >= 1990 and
// .genre == "drama"`; elements without attributes never match a filter.
package vectorset
