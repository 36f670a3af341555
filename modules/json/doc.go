// Package redisjson runs the commands of the JSON module (RedisJSON, and
// valkey-json, which implements the same commands) on a *redis.Client:
// JSON documents stored under Redis keys, read and changed in place by
// path.
//
// # Getting started
//
// Wrap a client with New; the methods are named after the commands and
// take a context first:
//
//	j := redisjson.New(rdb)
//	err := j.Set(ctx, "user:1", "$", User{Name: "Ada", Age: 36})
//	u, err := redisjson.Get[User](ctx, j, "user:1", ".")     // one value
//	all, err := redisjson.Get[[]User](ctx, j, "user:1", "$") // every match of a JSONPath
//	ages, err := j.NumIncrBy(ctx, "user:1", "$.age", 1)     // []redis.Null[json.Number]
//
// A Client holds nothing but the *redis.Client, so it is safe for
// concurrent use and works on every transport (standalone, cluster,
// sentinel): the command table gives each JSON command its keys and
// read/write flags, for routing and retries.
//
// # Commands as values: pipelines and transactions
//
// Every method has a package-level constructor of the same name that
// returns the command as a redis.Command[T], with the same encoding and
// result type. Queue them in a pipeline or a transaction, run them with
// redis.RunCommand or redis.RunOn, or with Run:
//
//	p := rdb.TxPipeline()
//	set := redis.Queue(p, redisjson.Set("cart:7", "$", cart))
//	n := redis.Queue(p, redisjson.ArrAppend("cart:7", "$.items", item))
//	err := p.Exec(ctx)
//
// The one exception to the naming is JSON.GET: the package-level Get is
// the generic Get[T](ctx, j, key, path), which runs JSON.GET and decodes
// the document into a T; its constructor is GetAs[T](key, paths...).
// Client.Get returns the JSON text as a json.RawMessage, GetWith formats
// it (INDENT, NEWLINE, SPACE). MGet returns the texts of many keys and
// MGetAs[T] decodes each into a T, one entry per key with Valid false for a
// missing key.
//
// # Values
//
// Values (Set, MSet, Merge, ArrAppend, ArrInsert, ArrIndex) are anything
// encoding/json marshals: structs, maps, slices, numbers, strings, nil. A
// Go string becomes a JSON string: Set(k, "$.name", "Ada") stores "Ada".
// JSON text is passed as a json.RawMessage or []byte and sent unchanged:
// Set(k, "$", json.RawMessage(`{"a":1}`)). Input that cannot be sent (a
// value encoding/json rejects, a missing path, conflicting options) is
// reported when the command runs, alone or in a pipeline, without
// sending anything; nothing panics.
//
// # Paths and result shapes
//
// A path starting with "$" is a JSONPath: it may match any number of
// values ("$..price", "$.items[*]", "$.a[?(@>1)]"), and a command returns
// one entry per match. Any other path (".", ".a", "a.b") is a legacy path:
// it names one value, and the server answers with an error where a
// JSONPath gives a null entry. The commands that act at each match return
// a slice of redis.Null[T] for both kinds: one entry per match for a
// JSONPath (Valid false where the match does not fit, e.g. ArrLen of a
// string; no entries when nothing matches), exactly one entry for a legacy
// path. ObjKeys has the same shape with a []string per object, Type a
// []ValueType, Resp a []any.
//
// An empty path sends no path, and the server uses its default: the
// legacy root "." under RESP2 and on valkey-json, but "$" on RedisJSON
// under RESP3, which changes JSON.GET's text ("[doc]" instead of "doc").
// The decoders read the reply's shape, so results stay right either way;
// pass "$" or "." explicitly where the text's shape matters (Get[T]).
// Commands whose path is followed by other arguments (ArrAppend,
// ArrIndex, ArrInsert, ArrTrim, NumIncrBy, Toggle, ...) need a path.
//
// # Numbers
//
// NumIncrBy and NumMultBy return each result as a json.Number, which keeps
// the server's text: an integer result reads with Int64, a float only with
// Float64. Get[T] decodes numbers as encoding/json does (float64 in an
// any); use json.Number or json.RawMessage fields to keep them exact.
// Resp returns integers as int64 and other numbers as the strings the
// server sends for them.
//
// # RESP2 and RESP3
//
// Every result has the same Go value under both protocols, including
// RedisJSON's RESP3 forms: JSON.TYPE's names wrapped in one more array,
// JSON.NUMINCRBY's results as RESP numbers rather than JSON text.
//
// # Errors
//
// A missing key is redis.ErrNil (Get, Type, ArrLen, ...), and so is a Set
// that its NX or XX condition kept from happening. Server errors are
// *redis.Error, matched by code with errors.Is(err, &redis.Error{Msg:
// "WRONGTYPE"}); the codes differ between servers (valkey-json sends
// NONEXISTENT, SYNTAXERR, OUTOFBOUNDARIES, OVERFLOW where RedisJSON mostly
// sends ERR). On a server without the module every command fails with the
// server's "unknown command" error (code ERR).
//
// # Servers
//
// JSON.MSET and JSON.MERGE need RedisJSON 2.6 (valkey-json has JSON.MSET
// but no JSON.MERGE); SetOptions.FPHA needs RedisJSON 8. JSON.RESP and
// JSON.NUMMULTBY are deprecated by RedisJSON but still served.
package redisjson
