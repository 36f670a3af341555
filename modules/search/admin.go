package search

import (
	"context"
	"errors"
	"fmt"

	"github.com/respkit/redis"
	"github.com/respkit/redis/resp"
)

// requireNames returns an error naming the first empty argument among
// names (given as what, value pairs).
func requireNames(pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] == "" {
			return fmt.Errorf("no %s", pairs[i])
		}
	}
	return nil
}

// decodeTextList reads an array (RESP3: a set) of strings.
func decodeTextList(v resp.Value, err error) ([]string, error) {
	if err := redis.ResultOf(v, err).Err(); err != nil {
		return nil, err
	}
	return textsOf(v)
}

// decodeCount reads an integer reply.
func decodeCount(v resp.Value, err error) (int64, error) { return redis.ResultOf(v, err).Int64() }

// DropIndexOptions are the options of FT.DROPINDEX. The zero value keeps
// the documents.
type DropIndexOptions struct {
	// DeleteDocuments deletes the indexed keys too (DD).
	DeleteDocuments bool
}

// DropIndex returns the FT.DROPINDEX command for index. At most one
// DropIndexOptions may be given.
func DropIndex(index string, opts ...DropIndexOptions) redis.Command[struct{}] {
	args := []any{"FT.DROPINDEX", index}
	err := requireNames("index name", index)
	switch {
	case err != nil:
	case len(opts) > 1:
		err = fmt.Errorf("at most one DropIndexOptions, got %d", len(opts))
	case len(opts) == 1 && opts[0].DeleteDocuments:
		args = append(args, "DD")
	}
	return buildCommand(decodeOK, args, err)
}

// DropIndex deletes index (FT.DROPINDEX). The indexed keys stay unless
// opts asks for DeleteDocuments. Dropping an unknown index is a server
// error ("<index>: no such index" in RediSearch 8, "Unknown Index name"
// before).
func (c *Client) DropIndex(ctx context.Context, index string, opts ...DropIndexOptions) error {
	_, err := run(ctx, c, DropIndex(index, opts...))
	return err
}

// List returns the FT._LIST command.
func List() redis.Command[[]string] { return redis.NewCommand(decodeTextList, "FT._LIST") }

// List returns the names of all indexes (FT._LIST), in no particular
// order; an empty slice when there are none.
func (c *Client) List(ctx context.Context) ([]string, error) { return run(ctx, c, List()) }

// AliasAdd returns the FT.ALIASADD command.
func AliasAdd(alias, index string) redis.Command[struct{}] {
	return buildCommand(decodeOK, []any{"FT.ALIASADD", alias, index}, requireNames("alias", alias, "index name", index))
}

// AliasAdd makes alias another name of index (FT.ALIASADD): queries and
// most commands accept it in place of the index name. It fails if the
// alias exists (see AliasUpdate).
func (c *Client) AliasAdd(ctx context.Context, alias, index string) error {
	_, err := run(ctx, c, AliasAdd(alias, index))
	return err
}

// AliasUpdate returns the FT.ALIASUPDATE command.
func AliasUpdate(alias, index string) redis.Command[struct{}] {
	return buildCommand(decodeOK, []any{"FT.ALIASUPDATE", alias, index}, requireNames("alias", alias, "index name", index))
}

// AliasUpdate points alias at index, creating the alias or moving it from
// the index it named (FT.ALIASUPDATE).
func (c *Client) AliasUpdate(ctx context.Context, alias, index string) error {
	_, err := run(ctx, c, AliasUpdate(alias, index))
	return err
}

// AliasDel returns the FT.ALIASDEL command.
func AliasDel(alias string) redis.Command[struct{}] {
	return buildCommand(decodeOK, []any{"FT.ALIASDEL", alias}, requireNames("alias", alias))
}

// AliasDel removes alias (FT.ALIASDEL); the index stays.
func (c *Client) AliasDel(ctx context.Context, alias string) error {
	_, err := run(ctx, c, AliasDel(alias))
	return err
}

// TagVals returns the FT.TAGVALS command.
func TagVals(index, field string) redis.Command[[]string] {
	return buildCommand(decodeTextList, []any{"FT.TAGVALS", index, field}, requireNames("index name", index, "field name", field))
}

// TagVals returns the distinct values of the TAG field of index
// (FT.TAGVALS), lower-cased unless the field is CASESENSITIVE, in no
// guaranteed order.
func (c *Client) TagVals(ctx context.Context, index, field string) ([]string, error) {
	return run(ctx, c, TagVals(index, field))
}

// errNoTerms is the error of dictionary and synonym commands without terms.
var errNoTerms = errors.New("no terms")
