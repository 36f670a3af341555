package search

import (
	"context"
	"fmt"
	"strconv"

	"github.com/respkit/redis"
	"github.com/respkit/redis/resp"
)

// ExplainOptions are the options of FT.EXPLAIN and FT.EXPLAINCLI. The
// zero value sends none.
type ExplainOptions struct {
	// Dialect is the query dialect the query is parsed with (DIALECT).
	// Zero sends nothing (the server's default dialect).
	Dialect int
}

// explainArgs returns name index query [DIALECT n].
func explainArgs(name, index, query string, opts []ExplainOptions) ([]any, error) {
	args := []any{name, index, query}
	if err := requireNames("index name", index, "query", query); err != nil {
		return args, err
	}
	switch {
	case len(opts) > 1:
		return args, fmt.Errorf("at most one ExplainOptions, got %d", len(opts))
	case len(opts) == 1 && opts[0].Dialect < 0:
		return args, fmt.Errorf("the Dialect option must not be negative, got %d", opts[0].Dialect)
	case len(opts) == 1 && opts[0].Dialect > 0:
		args = append(args, "DIALECT", strconv.Itoa(opts[0].Dialect))
	}
	return args, nil
}

// Explain returns the FT.EXPLAIN command. At most one ExplainOptions may
// be given.
func Explain(index, query string, opts ...ExplainOptions) redis.Command[string] {
	args, err := explainArgs("FT.EXPLAIN", index, query, opts)
	return buildCommand(decodeExplain, args, err)
}

func decodeExplain(v resp.Value, err error) (string, error) { return redis.ResultOf(v, err).Text() }

// Explain returns the execution plan of query on index (FT.EXPLAIN) as
// the server prints it: an indented tree, one node per line, e.g.
//
//	INTERSECT {
//	  TAG:@genre {
//	    action
//	  }
//	  ...
//	}
func (c *Client) Explain(ctx context.Context, index, query string, opts ...ExplainOptions) (string, error) {
	return run(ctx, c, Explain(index, query, opts...))
}

// ExplainCLI returns the FT.EXPLAINCLI command. At most one ExplainOptions
// may be given.
func ExplainCLI(index, query string, opts ...ExplainOptions) redis.Command[[]string] {
	args, err := explainArgs("FT.EXPLAINCLI", index, query, opts)
	return buildCommand(decodeTextList, args, err)
}

// ExplainCLI returns the execution plan of query on index as separate
// lines (FT.EXPLAINCLI), the form meant for redis-cli; Explain returns
// the same plan as one string.
func (c *Client) ExplainCLI(ctx context.Context, index, query string, opts ...ExplainOptions) ([]string, error) {
	return run(ctx, c, ExplainCLI(index, query, opts...))
}
