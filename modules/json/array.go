package redisjson

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/respkit/redis"
)

// Every command in this file acts at each match of a path and returns one
// entry per match for a JSONPath (Valid false where the match is not an
// array) or exactly one entry for a legacy path (the server answers a
// legacy path that names no array with an error). A missing key is
// redis.ErrNil.

// errNoValues is the error of a command given no value to add.
var errNoValues = errors.New("no values")

// ArrAppend returns JSON.ARRAPPEND key path value [value ...], which
// appends the values to the arrays path matches; the result holds each
// array's new length. Values are encoded as Set encodes its value. An empty
// path, no values or a value that cannot be marshalled is rejected before
// sending.
func ArrAppend(key, path string, values ...any) redis.Command[[]redis.Null[int64]] {
	const name = "JSON.ARRAPPEND"
	if path == "" {
		return invalid(name, decodeInts, errNoPath)
	}
	if len(values) == 0 {
		return invalid(name, decodeInts, errNoValues)
	}
	texts, err := encodeValues(values)
	if err != nil {
		return invalid(name, decodeInts, err)
	}
	args := make([]any, 0, 3+len(texts))
	args = append(args, name, key, path)
	for _, t := range texts {
		args = append(args, t)
	}
	return redis.NewCommand(decodeInts, args...)
}

// ArrAppend sends JSON.ARRAPPEND: see the ArrAppend constructor.
func (j *Client) ArrAppend(ctx context.Context, key, path string, values ...any) ([]redis.Null[int64], error) {
	return redis.RunCommand(ctx, j.rdb, ArrAppend(key, path, values...))
}

// ArrIndex returns JSON.ARRINDEX key path value, whose result holds, per
// array path matches, the index of the first element equal to value, or
// -1. value is encoded as Set encodes its value; an empty path or a value
// that cannot be marshalled is rejected before sending.
func ArrIndex(key, path string, value any) redis.Command[[]redis.Null[int64]] {
	return arrIndexCommand(key, path, value)
}

// ArrIndexRange returns JSON.ARRINDEX key path value start stop: as
// ArrIndex, searching only the elements from start up to stop, exclusive.
// Negative indexes count from the end; a stop of 0 searches to the end.
func ArrIndexRange(key, path string, value any, start, stop int64) redis.Command[[]redis.Null[int64]] {
	return arrIndexCommand(key, path, value, start, stop)
}

func arrIndexCommand(key, path string, value any, bounds ...any) redis.Command[[]redis.Null[int64]] {
	const name = "JSON.ARRINDEX"
	if path == "" {
		return invalid(name, decodeInts, errNoPath)
	}
	text, err := encodeValue(value)
	if err != nil {
		return invalid(name, decodeInts, err)
	}
	return redis.NewCommand(decodeInts, append([]any{name, key, path, text}, bounds...)...)
}

// ArrIndex sends JSON.ARRINDEX: see the ArrIndex constructor.
func (j *Client) ArrIndex(ctx context.Context, key, path string, value any) ([]redis.Null[int64], error) {
	return redis.RunCommand(ctx, j.rdb, ArrIndex(key, path, value))
}

// ArrIndexRange sends JSON.ARRINDEX with a range: see the ArrIndexRange
// constructor.
func (j *Client) ArrIndexRange(ctx context.Context, key, path string, value any, start, stop int64) ([]redis.Null[int64], error) {
	return redis.RunCommand(ctx, j.rdb, ArrIndexRange(key, path, value, start, stop))
}

// ArrInsert returns JSON.ARRINSERT key path index value [value ...], which
// inserts the values before index (negative counts from the end) in the
// arrays path matches; the result holds each array's new length. Values
// are encoded as Set encodes its value. An empty path, no values or a
// value that cannot be marshalled is rejected before sending.
func ArrInsert(key, path string, index int64, values ...any) redis.Command[[]redis.Null[int64]] {
	const name = "JSON.ARRINSERT"
	if path == "" {
		return invalid(name, decodeInts, errNoPath)
	}
	if len(values) == 0 {
		return invalid(name, decodeInts, errNoValues)
	}
	texts, err := encodeValues(values)
	if err != nil {
		return invalid(name, decodeInts, err)
	}
	args := make([]any, 0, 4+len(texts))
	args = append(args, name, key, path, index)
	for _, t := range texts {
		args = append(args, t)
	}
	return redis.NewCommand(decodeInts, args...)
}

// ArrInsert sends JSON.ARRINSERT: see the ArrInsert constructor.
func (j *Client) ArrInsert(ctx context.Context, key, path string, index int64, values ...any) ([]redis.Null[int64], error) {
	return redis.RunCommand(ctx, j.rdb, ArrInsert(key, path, index, values...))
}

// ArrLen returns JSON.ARRLEN key [path], whose result holds the length of
// each array path matches ("" sends no path: the root).
func ArrLen(key, path string) redis.Command[[]redis.Null[int64]] {
	return keyPathCommand("JSON.ARRLEN", key, path, decodeInts)
}

// ArrLen sends JSON.ARRLEN: see the ArrLen constructor.
func (j *Client) ArrLen(ctx context.Context, key, path string) ([]redis.Null[int64], error) {
	return redis.RunCommand(ctx, j.rdb, ArrLen(key, path))
}

// ArrPop returns JSON.ARRPOP key [path], which removes the last element of
// each array path matches ("" sends no path: the root); the result holds
// each removed element as JSON text, Valid false where the match is not an
// array or is empty. For a legacy path an empty array gives redis.ErrNil,
// as a missing key does.
func ArrPop(key, path string) redis.Command[[]redis.Null[json.RawMessage]] {
	return keyPathCommand("JSON.ARRPOP", key, path, decodeRaws)
}

// ArrPopAt returns JSON.ARRPOP key path index: as ArrPop, removing the
// element at index (negative counts from the end; out of range indexes
// are clamped to the array). An empty path is rejected before sending.
func ArrPopAt(key, path string, index int64) redis.Command[[]redis.Null[json.RawMessage]] {
	if path == "" {
		return invalid("JSON.ARRPOP", decodeRaws, errNoPath)
	}
	return redis.NewCommand(decodeRaws, "JSON.ARRPOP", key, path, index)
}

// ArrPop sends JSON.ARRPOP: see the ArrPop constructor.
func (j *Client) ArrPop(ctx context.Context, key, path string) ([]redis.Null[json.RawMessage], error) {
	return redis.RunCommand(ctx, j.rdb, ArrPop(key, path))
}

// ArrPopAt sends JSON.ARRPOP with an index: see the ArrPopAt constructor.
func (j *Client) ArrPopAt(ctx context.Context, key, path string, index int64) ([]redis.Null[json.RawMessage], error) {
	return redis.RunCommand(ctx, j.rdb, ArrPopAt(key, path, index))
}

// ArrTrim returns JSON.ARRTRIM key path start stop, which keeps only the
// elements from start to stop, both inclusive (negative counts from the
// end), of each array path matches; the result holds each array's new
// length. An empty path is rejected before sending.
func ArrTrim(key, path string, start, stop int64) redis.Command[[]redis.Null[int64]] {
	if path == "" {
		return invalid("JSON.ARRTRIM", decodeInts, errNoPath)
	}
	return redis.NewCommand(decodeInts, "JSON.ARRTRIM", key, path, start, stop)
}

// ArrTrim sends JSON.ARRTRIM: see the ArrTrim constructor.
func (j *Client) ArrTrim(ctx context.Context, key, path string, start, stop int64) ([]redis.Null[int64], error) {
	return redis.RunCommand(ctx, j.rdb, ArrTrim(key, path, start, stop))
}
