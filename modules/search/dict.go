package search

import (
	"context"

	"github.com/respkit/redis"
)

// dictArgs returns name dict terms... and the error of missing arguments.
func dictArgs(name, dict string, terms []string) ([]any, error) {
	args := make([]any, 0, 2+len(terms))
	args = append(args, name, dict)
	for _, t := range terms {
		args = append(args, t)
	}
	if err := requireNames("dictionary name", dict); err != nil {
		return args, err
	}
	if len(terms) == 0 {
		return args, errNoTerms
	}
	return args, nil
}

// DictAdd returns the FT.DICTADD command.
func DictAdd(dict string, terms ...string) redis.Command[int64] {
	args, err := dictArgs("FT.DICTADD", dict, terms)
	return buildCommand(decodeCount, args, err)
}

// DictAdd adds terms to the dictionary dict (FT.DICTADD), creating it,
// and returns how many were new. Dictionaries feed SpellCheck's INCLUDE
// and EXCLUDE lists.
func (c *Client) DictAdd(ctx context.Context, dict string, terms ...string) (int64, error) {
	return run(ctx, c, DictAdd(dict, terms...))
}

// DictDel returns the FT.DICTDEL command.
func DictDel(dict string, terms ...string) redis.Command[int64] {
	args, err := dictArgs("FT.DICTDEL", dict, terms)
	return buildCommand(decodeCount, args, err)
}

// DictDel removes terms from the dictionary dict (FT.DICTDEL) and returns
// how many were there.
func (c *Client) DictDel(ctx context.Context, dict string, terms ...string) (int64, error) {
	return run(ctx, c, DictDel(dict, terms...))
}

// DictDump returns the FT.DICTDUMP command.
func DictDump(dict string) redis.Command[[]string] {
	return buildCommand(decodeTextList, []any{"FT.DICTDUMP", dict}, requireNames("dictionary name", dict))
}

// DictDump returns the terms of the dictionary dict (FT.DICTDUMP), sorted;
// an empty slice for an unknown dictionary.
func (c *Client) DictDump(ctx context.Context, dict string) ([]string, error) {
	return run(ctx, c, DictDump(dict))
}
