package search

import (
	"context"
	"errors"
	"fmt"

	"github.com/respkit/redis"
	"github.com/respkit/redis/resp"
)

// buildCommand returns the command of args (name first) decoded by
// decode, or, when building the arguments failed, a command that is never
// sent and returns an error naming the command and the problem.
func buildCommand[T any](decode func(resp.Value, error) (T, error), args []any, err error) redis.Command[T] {
	name, _ := args[0].(string)
	if err != nil {
		return redis.CommandError(name, fmt.Errorf("search: %s: %w", name, err), decode)
	}
	return redis.NewCommand(decode, args...)
}

// decodeOK reads the OK status reply of commands that return nothing else.
func decodeOK(v resp.Value, err error) (struct{}, error) {
	if err := redis.ResultOf(v, err).Err(); err != nil {
		return struct{}{}, err
	}
	if v.Type() != resp.SimpleString || v.String() != "OK" {
		return struct{}{}, fmt.Errorf("search: expected OK, got a %s reply", v.Type())
	}
	return struct{}{}, nil
}

// Create returns the FT.CREATE command: an index named index over the
// keys opts selects (nil opts: every hash), with fields as its schema.
// Errors in opts or fields (an empty name, conflicting options, an option
// a field type does not take) are reported when the command runs, before
// anything is sent.
func Create(index string, opts *CreateOptions, fields ...Field) redis.Command[struct{}] {
	args, err := appendCreate([]any{"FT.CREATE"}, index, opts, fields)
	return buildCommand(decodeOK, args, err)
}

// Create creates an index (FT.CREATE) named index over the keys opts
// selects (nil opts: every hash, server defaults), with fields as its
// schema:
//
//	err := ft.Create(ctx, "idx:movie",
//		&search.CreateOptions{On: search.OnHash, Prefixes: []string{"movie:"}},
//		search.NewTextField("title").Weight(5).Sortable(),
//		search.NewTagField("genre"),
//		search.NewNumericField("year").Sortable(),
//	)
//
// The server then indexes the existing keys in the background (unless
// opts.SkipInitialScan); Info reports the progress. Creating an index that
// exists fails with the server's "Index already exists" error.
func (c *Client) Create(ctx context.Context, index string, opts *CreateOptions, fields ...Field) error {
	_, err := run(ctx, c, Create(index, opts, fields...))
	return err
}

// AlterOptions are the options of FT.ALTER. The zero value sends none.
type AlterOptions struct {
	// SkipInitialScan leaves existing documents unindexed for the new
	// fields (SKIPINITIALSCAN).
	SkipInitialScan bool
}

// Alter returns the FT.ALTER command that adds fields to the schema of
// index (FT.ALTER index [SKIPINITIALSCAN] SCHEMA ADD field...). A nil
// opts sends no option.
func Alter(index string, opts *AlterOptions, fields ...Field) redis.Command[struct{}] {
	args, err := appendAlter([]any{"FT.ALTER"}, index, opts, fields)
	return buildCommand(decodeOK, args, err)
}

func appendAlter(args []any, index string, opts *AlterOptions, fields []Field) ([]any, error) {
	if index == "" {
		return args, errors.New("no index name")
	}
	if len(fields) == 0 {
		return args, errors.New("no field to add")
	}
	args = append(args, index)
	if opts != nil && opts.SkipInitialScan {
		args = append(args, "SKIPINITIALSCAN")
	}
	args = append(args, "SCHEMA", "ADD")
	return appendFields(args, fields)
}

// Alter adds fields to the schema of index (FT.ALTER ... SCHEMA ADD); the
// server indexes existing documents for them unless opts.SkipInitialScan.
// Pass nil opts for the defaults.
func (c *Client) Alter(ctx context.Context, index string, opts *AlterOptions, fields ...Field) error {
	_, err := run(ctx, c, Alter(index, opts, fields...))
	return err
}
