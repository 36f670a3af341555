package redisjson

import (
	"context"
	"encoding/json"

	"github.com/respkit/redis"
)

// The commands in this file act at each match of a path on strings,
// numbers, booleans and objects. Their results have one entry per match
// for a JSONPath (Valid false where the match has another type) and
// exactly one entry for a legacy path or "" (the server answers a legacy
// path that names a value of another type with an error). A missing key
// is redis.ErrNil.

// StrAppend returns JSON.STRAPPEND key [path] value, which appends s to the
// strings path matches ("" sends no path: the root); the result holds each
// string's new length in bytes. s is sent as a JSON string.
func StrAppend(key, path, s string) redis.Command[[]redis.Null[int64]] {
	text, err := encodeValue(s)
	if err != nil { // a Go string always marshals
		return invalid("JSON.STRAPPEND", decodeInts, err)
	}
	return redis.NewCommand(decodeInts, append(appendPath([]any{"JSON.STRAPPEND", key}, path), text)...)
}

// StrAppend sends JSON.STRAPPEND: see the StrAppend constructor.
func (j *Client) StrAppend(ctx context.Context, key, path, s string) ([]redis.Null[int64], error) {
	return redis.RunCommand(ctx, j.rdb, StrAppend(key, path, s))
}

// StrLen returns JSON.STRLEN key [path], whose result holds the length in
// bytes of each string path matches ("" sends no path: the root).
func StrLen(key, path string) redis.Command[[]redis.Null[int64]] {
	return keyPathCommand("JSON.STRLEN", key, path, decodeInts)
}

// StrLen sends JSON.STRLEN: see the StrLen constructor.
func (j *Client) StrLen(ctx context.Context, key, path string) ([]redis.Null[int64], error) {
	return redis.RunCommand(ctx, j.rdb, StrLen(key, path))
}

// NumIncrBy returns JSON.NUMINCRBY key path by, which adds by to the
// numbers path matches; the result holds each new value as a json.Number,
// which keeps what the server wrote: an integer result reads with Int64,
// a float one only with Float64. by is sent as its shortest JSON number
// (1e308, 0.25, 41), so integers beyond 2^53 lose precision. An empty path
// or a by that is NaN or infinite is rejected before sending.
func NumIncrBy(key, path string, by float64) redis.Command[[]redis.Null[json.Number]] {
	return numCommand("JSON.NUMINCRBY", key, path, by)
}

// NumMultBy returns JSON.NUMMULTBY key path by, which multiplies the
// numbers path matches by by, with the result of NumIncrBy.
func NumMultBy(key, path string, by float64) redis.Command[[]redis.Null[json.Number]] {
	return numCommand("JSON.NUMMULTBY", key, path, by)
}

func numCommand(name, key, path string, by float64) redis.Command[[]redis.Null[json.Number]] {
	if path == "" {
		return invalid(name, decodeNumbers, errNoPath)
	}
	n, err := formatNumber(by)
	if err != nil {
		return invalid(name, decodeNumbers, err)
	}
	return redis.NewCommand(decodeNumbers, name, key, path, n)
}

// NumIncrBy sends JSON.NUMINCRBY: see the NumIncrBy constructor.
func (j *Client) NumIncrBy(ctx context.Context, key, path string, by float64) ([]redis.Null[json.Number], error) {
	return redis.RunCommand(ctx, j.rdb, NumIncrBy(key, path, by))
}

// NumMultBy sends JSON.NUMMULTBY: see the NumMultBy constructor.
func (j *Client) NumMultBy(ctx context.Context, key, path string, by float64) ([]redis.Null[json.Number], error) {
	return redis.RunCommand(ctx, j.rdb, NumMultBy(key, path, by))
}

// Toggle returns JSON.TOGGLE key path, which flips the booleans path
// matches; the result holds each new value. An empty path is rejected
// before sending.
func Toggle(key, path string) redis.Command[[]redis.Null[bool]] {
	if path == "" {
		return invalid("JSON.TOGGLE", decodeBools, errNoPath)
	}
	return redis.NewCommand(decodeBools, "JSON.TOGGLE", key, path)
}

// Toggle sends JSON.TOGGLE: see the Toggle constructor.
func (j *Client) Toggle(ctx context.Context, key, path string) ([]redis.Null[bool], error) {
	return redis.RunCommand(ctx, j.rdb, Toggle(key, path))
}

// ObjKeys returns JSON.OBJKEYS key [path], whose result holds the member
// names of each object path matches ("" sends no path: the root), in the
// document's order. For a JSONPath match that is not an object, RedisJSON
// gives an invalid entry and valkey-json an empty list.
func ObjKeys(key, path string) redis.Command[[]redis.Null[[]string]] {
	return keyPathCommand("JSON.OBJKEYS", key, path, decodeObjKeys(isJSONPath(path)))
}

// ObjKeys sends JSON.OBJKEYS: see the ObjKeys constructor.
func (j *Client) ObjKeys(ctx context.Context, key, path string) ([]redis.Null[[]string], error) {
	return redis.RunCommand(ctx, j.rdb, ObjKeys(key, path))
}

// ObjLen returns JSON.OBJLEN key [path], whose result holds the number of
// members of each object path matches ("" sends no path: the root).
func ObjLen(key, path string) redis.Command[[]redis.Null[int64]] {
	return keyPathCommand("JSON.OBJLEN", key, path, decodeInts)
}

// ObjLen sends JSON.OBJLEN: see the ObjLen constructor.
func (j *Client) ObjLen(ctx context.Context, key, path string) ([]redis.Null[int64], error) {
	return redis.RunCommand(ctx, j.rdb, ObjLen(key, path))
}
