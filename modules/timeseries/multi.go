package timeseries

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/respkit/redis"
	"github.com/respkit/redis/resp"
)

// Series is one series of a TS.MRANGE or TS.MREVRANGE reply, or one group
// of a GROUPBY query.
type Series struct {
	// Key is the series' key; for a group, "label=value" (e.g.
	// "room=a").
	Key string
	// Labels are the labels asked for: all of them with WithLabels, the
	// selected ones that the series has with SelectedLabels, and nil
	// otherwise (or when there are none). For a group with labels, the
	// grouping label alone.
	Labels map[string]string
	// Samples are the samples in range, in the command's order (oldest
	// first for MRange, newest first for MRevRange); empty, not nil, when
	// there are none.
	Samples []Sample
	// Sources are, for a group of a GROUPBY query with WithLabels, the
	// keys of the series reduced into it, in the server's order; nil
	// otherwise. (RESP3 sends them without WithLabels too, but RESP2 does
	// not; they are left out then so that the result is the same under
	// both protocols. Under RESP2 they arrive as one comma-separated
	// label, so a key holding a comma is split.)
	Sources []string
}

// GroupBy groups the series of an MRange by the value of one label and
// reduces each group into one series (GROUPBY label REDUCE reducer).
type GroupBy struct {
	// Label is the label whose value makes the groups. Series without it
	// are left out.
	Label string
	// Reducer combines the samples of a group that share a timestamp
	// (any aggregator).
	Reducer Aggregator
}

// MRangeOptions are the options of TS.MRANGE and TS.MREVRANGE. The zero
// value sends none.
type MRangeOptions struct {
	RangeOptions
	// WithLabels reports every label of each series (WITHLABELS).
	WithLabels bool
	// SelectedLabels, when not empty, reports these labels only
	// (SELECTED_LABELS); it cannot be combined with WithLabels.
	SelectedLabels []string
	// GroupBy, when not nil, groups and reduces the series.
	GroupBy *GroupBy
}

// appendLabelChoice adds WITHLABELS or SELECTED_LABELS.
func appendLabelChoice(a *args, with bool, selected []string) {
	switch {
	case with && len(selected) > 0:
		a.fail(errors.New("timeseries: WithLabels and SelectedLabels exclude each other"))
	case with:
		a.add("WITHLABELS")
	case len(selected) > 0:
		a.add("SELECTED_LABELS")
		for _, l := range selected {
			if l == "" {
				a.fail(errors.New("timeseries: SelectedLabels holds an empty name"))
			}
			a.add(l)
		}
	}
}

// MRange returns TS.MRANGE from to [options] FILTER filter...: the
// samples from from to to (both included; an unset bound is the open
// end) of every series that matches all filters. The options are sent in the order LATEST, FILTER_BY_TS, FILTER_BY_VALUE,
// COUNT, ALIGN, AGGREGATION, WITHLABELS or SELECTED_LABELS, then FILTER
// and GROUPBY. At least one filter is required (refused before sending
// otherwise).
//
// The result is sorted by Key. The server's order is not part of its
// contract, and RESP3 returns a map: sorting gives the same slice under
// both protocols.
func MRange(from, to Timestamp, filters []Filter, opts ...MRangeOptions) redis.Command[[]Series] {
	return mrangeCommand("TS.MRANGE", from, to, filters, opts)
}

// MRevRange returns TS.MREVRANGE: as MRange, each series' samples newest
// first.
func MRevRange(from, to Timestamp, filters []Filter, opts ...MRangeOptions) redis.Command[[]Series] {
	return mrangeCommand("TS.MREVRANGE", from, to, filters, opts)
}

func mrangeCommand(name string, from, to Timestamp, filters []Filter, opts []MRangeOptions) redis.Command[[]Series] {
	a := newArgs(name, 16+len(filters))
	appendRange(a, from, to)
	o, err := oneOf(opts)
	a.fail(err)
	o.RangeOptions.appendTo(a)
	appendLabelChoice(a, o.WithLabels, o.SelectedLabels)
	appendFilters(a, "FILTER", filters)
	grouped := o.GroupBy != nil
	if grouped {
		if err := checkName(o.GroupBy.Label); err != nil {
			a.fail(fmt.Errorf("timeseries: GROUPBY: %w", err))
		}
		if o.GroupBy.Reducer == "" {
			a.fail(errors.New("timeseries: GROUPBY needs a Reducer"))
		}
		a.add("GROUPBY", o.GroupBy.Label, "REDUCE", string(o.GroupBy.Reducer))
	}
	withSources := grouped && o.WithLabels
	return command(a, func(v resp.Value, err error) ([]Series, error) {
		return decodeSeries(v, err, grouped, withSources)
	})
}

// entry is one series of an M* reply, in either protocol's layout.
type entry struct {
	key     string
	labels  resp.Value
	meta    []resp.Value // RESP3 only: maps such as aggregators, reducers, sources
	payload resp.Value   // samples (MRANGE) or one sample (MGET)
}

// entries splits an M* reply into its series: under RESP2 an array of
// [key, labels, payload]; under RESP3 a map of key → [labels, meta...,
// payload].
func entries(v resp.Value, err error) ([]entry, error) {
	if err := failure(v, err); err != nil {
		return nil, err
	}
	switch v.Type() {
	case resp.Array:
		out := make([]entry, v.Len())
		for i, e := range v.Elems() {
			if e.Type() != resp.Array || e.Len() != 3 {
				return nil, fmt.Errorf("timeseries: series %d is not a [key, labels, samples] array", i)
			}
			parts := e.Elems()
			key, err := redis.ResultOf(parts[0], nil).Text()
			if err != nil {
				return nil, fmt.Errorf("timeseries: series %d key: %w", i, err)
			}
			out[i] = entry{key: key, labels: parts[1], payload: parts[2]}
		}
		return out, nil
	case resp.Map:
		kv := v.Elems()
		out := make([]entry, 0, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			key, err := redis.ResultOf(kv[i], nil).Text()
			if err != nil {
				return nil, fmt.Errorf("timeseries: series %d key: %w", i/2, err)
			}
			val := kv[i+1]
			if val.Type() != resp.Array || val.Len() < 2 {
				return nil, fmt.Errorf("timeseries: series %q is not a [labels, ..., samples] array", key)
			}
			parts := val.Elems()
			out = append(out, entry{key: key, labels: parts[0], meta: parts[1 : len(parts)-1], payload: parts[len(parts)-1]})
		}
		return out, nil
	}
	return nil, &redis.ReplyTypeError{Want: "series", Got: v.Type()}
}

// The pseudo-labels of a RESP2 GROUPBY reply with labels.
const (
	reducerLabel = "__reducer__"
	sourceLabel  = "__source__"
)

// decodeSeries reads a TS.MRANGE / TS.MREVRANGE reply. grouped says the
// query had GROUPBY (RESP2 then mixes the reducer and sources into the
// labels); withSources says Sources are reported.
func decodeSeries(v resp.Value, err error, grouped, withSources bool) ([]Series, error) {
	es, err := entries(v, err)
	if err != nil {
		return nil, err
	}
	out := make([]Series, len(es))
	for i, e := range es {
		s := &out[i]
		s.Key = e.key
		if s.Labels, err = decodeLabels(e.labels); err != nil {
			return nil, fmt.Errorf("timeseries: series %q: %w", e.key, err)
		}
		if s.Samples, err = decodeSamples(e.payload, nil); err != nil {
			return nil, fmt.Errorf("timeseries: series %q: %w", e.key, err)
		}
		if !grouped {
			continue
		}
		var sources []string
		if src, ok := s.Labels[sourceLabel]; ok {
			sources = strings.Split(src, ",")
		}
		delete(s.Labels, sourceLabel)
		delete(s.Labels, reducerLabel)
		if len(s.Labels) == 0 {
			s.Labels = nil
		}
		for _, m := range e.meta {
			if m.Type() != resp.Map {
				continue
			}
			kv := m.Elems()
			for j := 0; j+1 < len(kv); j += 2 {
				if kv[j].String() != "sources" {
					continue
				}
				if sources, err = redis.ResultOf(kv[j+1], nil).Strings(); err != nil {
					return nil, fmt.Errorf("timeseries: group %q sources: %w", e.key, err)
				}
			}
		}
		if withSources {
			s.Sources = sources
		}
	}
	slices.SortStableFunc(out, func(a, b Series) int { return cmp.Compare(a.Key, b.Key) })
	return out, nil
}

// LatestSample is one series of a TS.MGET reply.
type LatestSample struct {
	// Key is the series' key.
	Key string
	// Labels are the labels asked for (as for Series.Labels).
	Labels map[string]string
	// Sample is the series' newest sample; Valid is false when the series
	// has none.
	Sample redis.Null[Sample]
}

// MGetOptions are the options of TS.MGET. The zero value sends none.
type MGetOptions struct {
	// Latest sends LATEST: for a compaction's destination, report the
	// latest, still open bucket.
	Latest bool
	// WithLabels reports every label of each series (WITHLABELS).
	WithLabels bool
	// SelectedLabels, when not empty, reports these labels only; it
	// cannot be combined with WithLabels.
	SelectedLabels []string
}

// MGet returns TS.MGET [options] FILTER filter...: the newest sample of
// every series that matches all filters, sorted by key (as MRange). At
// least one filter is required.
func MGet(filters []Filter, opts ...MGetOptions) redis.Command[[]LatestSample] {
	a := newArgs("TS.MGET", 8+len(filters))
	o, err := oneOf(opts)
	a.fail(err)
	if o.Latest {
		a.add("LATEST")
	}
	appendLabelChoice(a, o.WithLabels, o.SelectedLabels)
	appendFilters(a, "FILTER", filters)
	return command(a, decodeMGet)
}

func decodeMGet(v resp.Value, err error) ([]LatestSample, error) {
	es, err := entries(v, err)
	if err != nil {
		return nil, err
	}
	out := make([]LatestSample, len(es))
	for i, e := range es {
		out[i].Key = e.key
		if out[i].Labels, err = decodeLabels(e.labels); err != nil {
			return nil, fmt.Errorf("timeseries: series %q: %w", e.key, err)
		}
		if out[i].Sample, err = decodeOptionalSample(e.payload); err != nil {
			return nil, fmt.Errorf("timeseries: series %q: %w", e.key, err)
		}
	}
	slices.SortStableFunc(out, func(a, b LatestSample) int { return cmp.Compare(a.Key, b.Key) })
	return out, nil
}

// QueryIndex returns TS.QUERYINDEX filter...: the keys of the series that
// match all filters, sorted (RESP3 sends a set). At least one filter is
// required.
func QueryIndex(filters ...Filter) redis.Command[[]string] {
	a := newArgs("TS.QUERYINDEX", 1+len(filters))
	appendFilters(a, "", filters)
	return command(a, decodeKeys)
}

func decodeKeys(v resp.Value, err error) ([]string, error) {
	keys, err := redis.ResultOf(v, err).Strings()
	if err != nil {
		return nil, err
	}
	slices.Sort(keys)
	return keys, nil
}

// MRange sends TS.MRANGE (see the package-level MRange).
func (c *Client) MRange(ctx context.Context, from, to Timestamp, filters []Filter, opts ...MRangeOptions) ([]Series, error) {
	return run(ctx, c, MRange(from, to, filters, opts...))
}

// MRevRange sends TS.MREVRANGE (see the package-level MRevRange).
func (c *Client) MRevRange(ctx context.Context, from, to Timestamp, filters []Filter, opts ...MRangeOptions) ([]Series, error) {
	return run(ctx, c, MRevRange(from, to, filters, opts...))
}

// MGet sends TS.MGET (see the package-level MGet).
func (c *Client) MGet(ctx context.Context, filters []Filter, opts ...MGetOptions) ([]LatestSample, error) {
	return run(ctx, c, MGet(filters, opts...))
}

// QueryIndex sends TS.QUERYINDEX (see the package-level QueryIndex).
func (c *Client) QueryIndex(ctx context.Context, filters ...Filter) ([]string, error) {
	return run(ctx, c, QueryIndex(filters...))
}
