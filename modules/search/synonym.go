package search

import (
	"context"
	"fmt"

	"github.com/respkit/redis"
	"github.com/respkit/redis/resp"
)

// SynUpdateOptions are the options of FT.SYNUPDATE. The zero value sends
// none.
type SynUpdateOptions struct {
	// SkipInitialScan does not reindex the existing documents
	// (SKIPINITIALSCAN): only documents written afterwards see the
	// synonyms.
	SkipInitialScan bool
}

// SynUpdate returns the FT.SYNUPDATE command. A nil opts sends no option.
func SynUpdate(index, groupID string, opts *SynUpdateOptions, terms ...string) redis.Command[struct{}] {
	args := []any{"FT.SYNUPDATE", index, groupID}
	if opts != nil && opts.SkipInitialScan {
		args = append(args, "SKIPINITIALSCAN")
	}
	for _, t := range terms {
		args = append(args, t)
	}
	err := requireNames("index name", index, "synonym group id", groupID)
	if err == nil && len(terms) == 0 {
		err = errNoTerms
	}
	return buildCommand(decodeOK, args, err)
}

// SynUpdate adds terms to the synonym group groupID of index
// (FT.SYNUPDATE), creating the group: a query for any term of a group
// matches documents holding any other.
func (c *Client) SynUpdate(ctx context.Context, index, groupID string, opts *SynUpdateOptions, terms ...string) error {
	_, err := run(ctx, c, SynUpdate(index, groupID, opts, terms...))
	return err
}

// SynDump returns the FT.SYNDUMP command.
func SynDump(index string) redis.Command[map[string][]string] {
	return buildCommand(decodeSynonyms, []any{"FT.SYNDUMP", index}, requireNames("index name", index))
}

// SynDump returns the synonym groups of index (FT.SYNDUMP), keyed by term:
// each term maps to the ids of the groups that hold it. An index without
// synonyms gives an empty map.
func (c *Client) SynDump(ctx context.Context, index string) (map[string][]string, error) {
	return run(ctx, c, SynDump(index))
}

// decodeSynonyms reads FT.SYNDUMP: a RESP3 map, or its RESP2 flat array,
// of term to group ids.
func decodeSynonyms(v resp.Value, err error) (map[string][]string, error) {
	if err := redis.ResultOf(v, err).Err(); err != nil {
		return nil, err
	}
	kvs, err := keyValues(v)
	if err != nil {
		return nil, fmt.Errorf("search: FT.SYNDUMP: %w", err)
	}
	out := make(map[string][]string, len(kvs))
	for _, kv := range kvs {
		if out[kv.Key], err = textsOf(kv.Value); err != nil {
			return nil, fmt.Errorf("search: FT.SYNDUMP: %q: %w", kv.Key, err)
		}
	}
	return out, nil
}
