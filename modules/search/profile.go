package search

import (
	"cmp"
	"context"
	"errors"

	"github.com/respkit/redis"
	"github.com/respkit/redis/resp"
)

// ProfileOptions shape FT.PROFILE.
type ProfileOptions struct {
	// Limited leaves out the details of reader iterators that the
	// profile would list one by one (LIMITED).
	Limited bool
}

// Profile is the server's report of how a query ran, as FT.PROFILE gives
// it. Its content changes between RediSearch versions and its timings
// from run to run, so it is kept as a generic tree rather than a fixed
// type: a map from the report's keys ("Shards", "Coordinator", and within
// a shard "Total profile time", "Iterators profile", "Result processors
// profile", ...) to values that are
//
//   - string: text, and every time or other non-integer number in its
//     decimal form ("0", "0.043745"), whichever protocol sent it;
//   - int64: counters and sizes;
//   - []any: lists (the shards, the result processors);
//   - map[string]any: nested reports (an iterator, a processor);
//   - nil: an empty list or map.
//
// RESP3 sends the nested reports as maps; RESP2 sends them as arrays of
// alternating keys and values, which are read as maps when their keys are
// simple strings, so both protocols give the same tree.
type Profile map[string]any

// SearchProfile is the reply of FT.PROFILE ... SEARCH: the search's result
// and the profile of its run.
type SearchProfile struct {
	Result  SearchResult
	Profile Profile
}

// AggregateProfile is the reply of FT.PROFILE ... AGGREGATE.
type AggregateProfile struct {
	Result  AggregateResult
	Profile Profile
}

func profileArgs(index, kind string, o ProfileOptions) []any {
	args := []any{"FT.PROFILE", index, kind}
	if o.Limited {
		args = append(args, "LIMITED")
	}
	return append(args, "QUERY")
}

// ProfileSearch returns the FT.PROFILE command that runs q on index as
// FT.SEARCH does and reports how it ran.
func ProfileSearch(index string, q *Query, o ProfileOptions) redis.Command[SearchProfile] {
	if err := cmp.Or(checkIndexName(index), q.check()); err != nil {
		return redis.CommandError("FT.PROFILE", err, decodeNothing[SearchProfile])
	}
	shape := q.shape()
	decode := func(v resp.Value, err error) (SearchProfile, error) {
		var p SearchProfile
		res, prof, err := splitProfile(v, err)
		if err != nil {
			return p, err
		}
		if p.Result, err = decodeSearch(res, nil, shape); err != nil {
			return SearchProfile{}, err
		}
		p.Profile = prof
		return p, nil
	}
	return redis.NewCommand(decode, q.appendArgs(profileArgs(index, "SEARCH", o))...)
}

// ProfileSearch runs q on index under FT.PROFILE: the search's result
// and how it ran.
func (c *Client) ProfileSearch(ctx context.Context, index string, q *Query, o ProfileOptions) (SearchProfile, error) {
	return run(ctx, c, ProfileSearch(index, q, o))
}

// ProfileAggregate returns the FT.PROFILE command that runs a on index as
// FT.AGGREGATE does and reports how it ran. a must not have WithCursor.
func ProfileAggregate(index string, a *Aggregation, o ProfileOptions) redis.Command[AggregateProfile] {
	err := cmp.Or(checkIndexName(index), a.check())
	if err == nil && a.cursor {
		err = errors.New("search: ProfileAggregate of an Aggregation WithCursor")
	}
	if err != nil {
		return redis.CommandError("FT.PROFILE", err, decodeNothing[AggregateProfile])
	}
	decode := func(v resp.Value, err error) (AggregateProfile, error) {
		var p AggregateProfile
		res, prof, err := splitProfile(v, err)
		if err != nil {
			return p, err
		}
		if err := redis.ResultOf(res, nil).Err(); err != nil {
			return p, err
		}
		if p.Result, err = decodeAggregateValue("FT.PROFILE", res); err != nil {
			return AggregateProfile{}, err
		}
		p.Profile = prof
		return p, nil
	}
	return redis.NewCommand(decode, a.appendArgs(profileArgs(index, "AGGREGATE", o))...)
}

// ProfileAggregate runs a on index under FT.PROFILE: the rows and how
// the aggregation ran.
func (c *Client) ProfileAggregate(ctx context.Context, index string, a *Aggregation, o ProfileOptions) (AggregateProfile, error) {
	return run(ctx, c, ProfileAggregate(index, a, o))
}

// splitProfile separates the result from the profile: RESP2 sends
// [result, profile], RESP3 {Results: result, Profile: profile} (read as
// well in its RESP2 form of alternating keys and values).
func splitProfile(v resp.Value, err error) (resp.Value, Profile, error) {
	if err := redis.ResultOf(v, err).Err(); err != nil {
		return resp.Value{}, nil, err
	}
	var res, prof resp.Value
	if es := v.Elems(); v.Type() == resp.Array && len(es) == 2 {
		res, prof = es[0], es[1]
	} else {
		// RESP3's map, or the same as alternating keys and values.
		kvs, err := keyValues(v)
		if err != nil {
			return resp.Value{}, nil, resultShapeError("FT.PROFILE", "neither [result, profile] nor a map: %v", err)
		}
		for _, kv := range kvs {
			switch kv.Key {
			case "Results", "results":
				res = kv.Value
			case "Profile", "profile":
				prof = kv.Value
			}
		}
		if res.Type() == 0 || prof.Type() == 0 {
			return resp.Value{}, nil, resultShapeError("FT.PROFILE", "a map without Results and Profile")
		}
	}
	switch tree := profileTree(prof, 0).(type) {
	case map[string]any:
		return res, Profile(tree), nil
	case nil:
		return res, nil, nil
	}
	return resp.Value{}, nil, resultShapeError("FT.PROFILE", "the profile is a %s, not a map", prof.Type())
}

// maxProfileDepth bounds the nesting of a profile that is read; deeper
// parts are left out (nil).
const maxProfileDepth = 64

// profileTree converts a part of a profile into the generic tree
// described at Profile.
func profileTree(v resp.Value, depth int) any {
	if depth > maxProfileDepth {
		return nil
	}
	switch v.Type() {
	case resp.Integer:
		return v.Int()
	case resp.Map:
		kv := v.Elems()
		if len(kv) == 0 {
			return nil
		}
		m := make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].String()] = profileTree(kv[i+1], depth+1)
		}
		return m
	case resp.Array, resp.Set:
		es := v.Elems()
		if len(es) == 0 {
			return nil
		}
		if looksLikePairs(es) {
			m := make(map[string]any, len(es)/2)
			for i := 0; i+1 < len(es); i += 2 {
				m[es[i].String()] = profileTree(es[i+1], depth+1)
			}
			return m
		}
		l := make([]any, len(es))
		for i, e := range es {
			l[i] = profileTree(e, depth+1)
		}
		return l
	case resp.Null:
		return nil
	}
	s, _ := resultText(v)
	return s
}

// looksLikePairs reports whether the elements of a RESP2 array are keys
// and values: an even number, with a simple string at every even place
// (the profile's keys are simple strings; its text values are simple or
// bulk strings, its nested reports arrays).
func looksLikePairs(es []resp.Value) bool {
	if len(es)%2 != 0 {
		return false
	}
	for i := 0; i < len(es); i += 2 {
		if es[i].Type() != resp.SimpleString {
			return false
		}
	}
	return true
}
