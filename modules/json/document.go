package redisjson

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/respkit/redis"
	"github.com/respkit/redis/resp"
)

// invalid returns a command that is never sent: running it returns err,
// prefixed with the package and command names.
func invalid[T any](name string, decode func(resp.Value, error) (T, error), err error) redis.Command[T] {
	return redis.CommandError(name, fmt.Errorf("redisjson: %s: %w", name, err), decode)
}

// errNoPath is the error of a command whose path may not be omitted.
var errNoPath = errors.New(`a path is needed ("$" or "." for the root)`)

// appendPath appends path unless it is empty (the server's default).
func appendPath(args []any, path string) []any {
	if path == "" {
		return args
	}
	return append(args, path)
}

// keyPathCommand builds NAME key [path], the shape of most read commands.
func keyPathCommand[T any](name, key, path string, decode func(resp.Value, error) (T, error)) redis.Command[T] {
	return redis.NewCommand(decode, appendPath([]any{name, key}, path)...)
}

// GetAs returns JSON.GET key [path ...], which decodes the reply's JSON
// text into a T with encoding/json (a json.RawMessage T receives the text
// itself); to run with Run, redis.RunCommand or in a pipeline
// (redis.Queue). A missing key is redis.ErrNil.
//
// With no path the server uses its default path (see the package
// documentation). With one path the text is the matches of a JSONPath as a
// JSON array, or the value at a legacy path. With several paths it is a
// JSON object keyed by path, each value the array of that path's matches
// (the value itself when every path is legacy). An empty path is rejected
// before sending.
func GetAs[T any](key string, paths ...string) redis.Command[T] {
	return getCommand(key, GetOptions{}, paths, unmarshalInto[T])
}

// GetOptions format the JSON text JSON.GET returns; the zero value asks
// for the compact form.
type GetOptions struct {
	Indent  string // INDENT: the text indenting each nesting level; "" sends none
	Newline string // NEWLINE: the text ending each line; "" sends none
	Space   string // SPACE: the text between a member's name and its value; "" sends none
}

// GetWith returns JSON.GET key [INDENT indent] [NEWLINE newline] [SPACE
// space] [path ...], whose reply is the JSON text formatted as opts say,
// unchanged. A missing key is redis.ErrNil; an empty path is rejected
// before sending.
func GetWith(key string, opts GetOptions, paths ...string) redis.Command[json.RawMessage] {
	return getCommand(key, opts, paths, decodeRaw)
}

func getCommand[T any](key string, opts GetOptions, paths []string, decode func(resp.Value, error) (T, error)) redis.Command[T] {
	args := make([]any, 0, 8+len(paths))
	args = append(args, "JSON.GET", key)
	if opts.Indent != "" {
		args = append(args, "INDENT", opts.Indent)
	}
	if opts.Newline != "" {
		args = append(args, "NEWLINE", opts.Newline)
	}
	if opts.Space != "" {
		args = append(args, "SPACE", opts.Space)
	}
	for i, p := range paths {
		if p == "" {
			return invalid("JSON.GET", decode, fmt.Errorf("path %d is empty", i))
		}
		args = append(args, p)
	}
	return redis.NewCommand(decode, args...)
}

// Get sends JSON.GET key [path ...] and returns the reply's JSON text as
// it is: see GetAs for its shape. A missing key returns nil and
// redis.ErrNil. To decode into a Go type, use the package-level Get[T].
func (j *Client) Get(ctx context.Context, key string, paths ...string) (json.RawMessage, error) {
	return redis.RunCommand(ctx, j.rdb, GetAs[json.RawMessage](key, paths...))
}

// GetWith sends JSON.GET with formatting options: see the GetWith
// constructor.
func (j *Client) GetWith(ctx context.Context, key string, opts GetOptions, paths ...string) (json.RawMessage, error) {
	return redis.RunCommand(ctx, j.rdb, GetWith(key, opts, paths...))
}

// MGetAs returns JSON.MGET key [key ...] path, which decodes each key's
// JSON text into a T with encoding/json (see GetAs for the text's shape
// at path). The result has one entry per key, in the order given;
// Valid is false for a key that does not exist. No keys, or an empty
// path, is rejected before sending.
func MGetAs[T any](path string, keys ...string) redis.Command[[]redis.Null[T]] {
	return mgetCommand(path, keys, decodeMGetInto[T])
}

// MGet returns JSON.MGET key [key ...] path, whose result holds each key's
// JSON text unchanged, one entry per key in the order given; Valid is
// false for a key that does not exist. No keys, or an empty path, is
// rejected before sending.
func MGet(path string, keys ...string) redis.Command[[]redis.Null[json.RawMessage]] {
	return mgetCommand(path, keys, decodeMGet)
}

func mgetCommand[T any](path string, keys []string, decode func(resp.Value, error) (T, error)) redis.Command[T] {
	if len(keys) == 0 {
		return invalid("JSON.MGET", decode, errors.New("no keys"))
	}
	if path == "" {
		return invalid("JSON.MGET", decode, errNoPath)
	}
	args := make([]any, 0, len(keys)+2)
	args = append(args, "JSON.MGET")
	for _, k := range keys {
		args = append(args, k)
	}
	return redis.NewCommand(decode, append(args, path)...)
}

// MGet sends JSON.MGET: see the MGet constructor.
func (j *Client) MGet(ctx context.Context, path string, keys ...string) ([]redis.Null[json.RawMessage], error) {
	return redis.RunCommand(ctx, j.rdb, MGet(path, keys...))
}

// SetOptions are JSON.SET's optional arguments; the zero value sets the
// value unconditionally.
type SetOptions struct {
	// NX sets the value only if the path does not exist yet; XX only if
	// it does. At most one may be set.
	NX, XX bool
	// FPHA is the storage type of a homogeneous array of floats (RedisJSON
	// 8.x): "FP16", "BF16", "FP32" or "FP64", any case; "" sends none.
	FPHA string
}

// Set returns JSON.SET key path value [NX | XX] [FPHA type]. value is
// marshalled with encoding/json (without escaping <, > and &), except a
// json.RawMessage or []byte, which must hold JSON text and is sent as it
// is: Set(k, "$", "x") stores the JSON string "x", Set(k, "$",
// json.RawMessage(`{"a":1}`)) stores an object. A new key can only be
// created at the root ("$" or ".").
//
// Running it returns redis.ErrNil when NX or XX kept the value from being
// set. A value that cannot be marshalled, an empty path, both NX and XX,
// an unknown FPHA type or more than one SetOptions is rejected before
// sending.
func Set(key, path string, value any, opts ...SetOptions) redis.Command[struct{}] {
	const name = "JSON.SET"
	if path == "" {
		return invalid(name, decodeOK, errNoPath)
	}
	text, err := encodeValue(value)
	if err != nil {
		return invalid(name, decodeOK, err)
	}
	args := []any{name, key, path, text}
	if len(opts) > 1 {
		return invalid(name, decodeOK, fmt.Errorf("at most one SetOptions, got %d", len(opts)))
	}
	if len(opts) == 1 {
		o := opts[0]
		switch {
		case o.NX && o.XX:
			return invalid(name, decodeOK, errors.New("NX and XX conflict"))
		case o.NX:
			args = append(args, "NX")
		case o.XX:
			args = append(args, "XX")
		}
		if o.FPHA != "" {
			t := strings.ToUpper(o.FPHA)
			switch t {
			case "FP16", "BF16", "FP32", "FP64":
			default:
				return invalid(name, decodeOK, fmt.Errorf("FPHA type %q is none of FP16, BF16, FP32, FP64", o.FPHA))
			}
			args = append(args, "FPHA", t)
		}
	}
	return redis.NewCommand(decodeOK, args...)
}

// Set sends JSON.SET: see the Set constructor. It returns redis.ErrNil when
// NX or XX kept the value from being set.
func (j *Client) Set(ctx context.Context, key, path string, value any, opts ...SetOptions) error {
	_, err := redis.RunCommand(ctx, j.rdb, Set(key, path, value, opts...))
	return err
}

// MSetEntry is one key, path and value of JSON.MSET. Value is encoded as
// Set encodes its value.
type MSetEntry struct {
	Key, Path string
	Value     any
}

// MSet returns JSON.MSET key path value [key path value ...], which sets
// every entry atomically (RedisJSON 2.6). No entries, an empty path or a
// value that cannot be marshalled is rejected before sending.
func MSet(entries ...MSetEntry) redis.Command[struct{}] {
	const name = "JSON.MSET"
	if len(entries) == 0 {
		return invalid(name, decodeOK, errors.New("no entries"))
	}
	args := make([]any, 0, 1+3*len(entries))
	args = append(args, name)
	for i, e := range entries {
		if e.Path == "" {
			return invalid(name, decodeOK, fmt.Errorf("entry %d: %w", i, errNoPath))
		}
		text, err := encodeValue(e.Value)
		if err != nil {
			return invalid(name, decodeOK, fmt.Errorf("entry %d: %w", i, err))
		}
		args = append(args, e.Key, e.Path, text)
	}
	return redis.NewCommand(decodeOK, args...)
}

// MSet sends JSON.MSET: see the MSet constructor.
func (j *Client) MSet(ctx context.Context, entries ...MSetEntry) error {
	_, err := redis.RunCommand(ctx, j.rdb, MSet(entries...))
	return err
}

// Merge returns JSON.MERGE key path value, which merges value into the
// matches of path as RFC 7396 JSON Merge Patch does: members of an object
// value are merged recursively, a null member deletes that member, any
// other value replaces (RedisJSON 2.6). value is encoded as Set encodes
// it; an empty path or a value that cannot be marshalled is rejected
// before sending.
func Merge(key, path string, value any) redis.Command[struct{}] {
	const name = "JSON.MERGE"
	if path == "" {
		return invalid(name, decodeOK, errNoPath)
	}
	text, err := encodeValue(value)
	if err != nil {
		return invalid(name, decodeOK, err)
	}
	return redis.NewCommand(decodeOK, name, key, path, text)
}

// Merge sends JSON.MERGE: see the Merge constructor.
func (j *Client) Merge(ctx context.Context, key, path string, value any) error {
	_, err := redis.RunCommand(ctx, j.rdb, Merge(key, path, value))
	return err
}

// Del returns JSON.DEL key [path], which deletes the matches of path (the
// whole key when path is "" or the root) and returns how many values it
// deleted: 0 for a missing key or a path that matches nothing.
func Del(key, path string) redis.Command[int64] {
	return keyPathCommand("JSON.DEL", key, path, decodeInt)
}

// Del sends JSON.DEL: see the Del constructor.
func (j *Client) Del(ctx context.Context, key, path string) (int64, error) {
	return redis.RunCommand(ctx, j.rdb, Del(key, path))
}

// Forget returns JSON.FORGET key [path], an alias of JSON.DEL with the
// same reply.
func Forget(key, path string) redis.Command[int64] {
	return keyPathCommand("JSON.FORGET", key, path, decodeInt)
}

// Forget sends JSON.FORGET: see the Forget constructor.
func (j *Client) Forget(ctx context.Context, key, path string) (int64, error) {
	return redis.RunCommand(ctx, j.rdb, Forget(key, path))
}

// Clear returns JSON.CLEAR key [path], which empties the arrays and
// objects that path matches and sets its numbers to 0 (the root when path
// is ""), and returns how many values it changed.
func Clear(key, path string) redis.Command[int64] {
	return keyPathCommand("JSON.CLEAR", key, path, decodeInt)
}

// Clear sends JSON.CLEAR: see the Clear constructor.
func (j *Client) Clear(ctx context.Context, key, path string) (int64, error) {
	return redis.RunCommand(ctx, j.rdb, Clear(key, path))
}

// ValueType is the type of a JSON value as JSON.TYPE names it.
type ValueType string

// The types JSON.TYPE reports. A number is TypeInteger when it has no
// fraction or exponent in the document, TypeNumber otherwise.
const (
	TypeObject  ValueType = "object"
	TypeArray   ValueType = "array"
	TypeString  ValueType = "string"
	TypeInteger ValueType = "integer"
	TypeNumber  ValueType = "number"
	TypeBoolean ValueType = "boolean"
	TypeNull    ValueType = "null"
)

// Type returns JSON.TYPE key [path], whose result has the type of each
// match of path: one entry per match for a JSONPath (none when nothing
// matches), exactly one for a legacy path, or for "" (the root). A missing
// key is redis.ErrNil. RedisJSON's RESP3 replies, which wrap the names in
// one more array, give the same result.
func Type(key, path string) redis.Command[[]ValueType] {
	return keyPathCommand("JSON.TYPE", key, path, decodeTypes)
}

// Type sends JSON.TYPE: see the Type constructor.
func (j *Client) Type(ctx context.Context, key, path string) ([]ValueType, error) {
	return redis.RunCommand(ctx, j.rdb, Type(key, path))
}

// Resp returns JSON.RESP key [path], whose result holds each match of path
// converted from its RESP form to Go: one entry per match for a JSONPath,
// exactly one for a legacy path or "". Objects become map[string]any,
// arrays []any, null nil, booleans bool and integers int64. Strings and
// non-integer numbers both arrive as bulk strings, so both become string
// (12.5 reads "12.5"), unless the server sends a RESP3 double (float64);
// use Get for exact types. A missing key is redis.ErrNil.
func Resp(key, path string) redis.Command[[]any] {
	return keyPathCommand("JSON.RESP", key, path, decodeRESPReply)
}

// Resp sends JSON.RESP: see the Resp constructor.
func (j *Client) Resp(ctx context.Context, key, path string) ([]any, error) {
	return redis.RunCommand(ctx, j.rdb, Resp(key, path))
}

// DebugMemory returns JSON.DEBUG MEMORY key [path], whose result holds the
// size in bytes of each match of path (of the whole document for ""): one
// entry per match for a JSONPath, exactly one otherwise. The sizes are the
// server's own accounting and differ between implementations. A missing
// key is redis.ErrNil.
func DebugMemory(key, path string) redis.Command[[]redis.Null[int64]] {
	return redis.NewCommand(decodeInts, appendPath([]any{"JSON.DEBUG", "MEMORY", key}, path)...)
}

// DebugMemory sends JSON.DEBUG MEMORY: see the DebugMemory constructor.
func (j *Client) DebugMemory(ctx context.Context, key, path string) ([]redis.Null[int64], error) {
	return redis.RunCommand(ctx, j.rdb, DebugMemory(key, path))
}

// DebugHelp returns JSON.DEBUG HELP, whose result is the server's help
// text, one line per entry.
func DebugHelp() redis.Command[[]string] {
	return redis.NewCommand(decodeStrings, "JSON.DEBUG", "HELP")
}

// DebugHelp sends JSON.DEBUG HELP: see the DebugHelp constructor.
func (j *Client) DebugHelp(ctx context.Context) ([]string, error) {
	return redis.RunCommand(ctx, j.rdb, DebugHelp())
}
