package timeseries_test

import (
	"bytes"
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/internal/moduletest"
	ts "github.com/respkit/redis/modules/timeseries"
	"github.com/respkit/redis/resp"
)

// wire is the encoding of args as a client sends them.
func wire(t *testing.T, args ...any) []byte {
	t.Helper()
	b, err := resp.AppendCommand(nil, args...)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestEncode checks options the recorded cases do not use.
func TestEncode(t *testing.T) {
	ign := &ts.Ignore{MaxTimeDiff: 5 * time.Millisecond, MaxValDiff: 0.5}
	align, err := ts.ParseAlign("+")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		cmd  moduletest.Built
		args []any
	}{
		{"add now", moduletest.Build(ts.Add("k", ts.Now, 1.5)), []any{"TS.ADD", "k", "*", "1.5"}},
		{"add unset is now", moduletest.Build(ts.Add("k", ts.Timestamp{}, -2)), []any{"TS.ADD", "k", "*", "-2"}},
		{"add all options", moduletest.Build(ts.Add("k", ts.At(time.UnixMilli(1700000000123)), 3, ts.AddOptions{
			SeriesOptions: ts.SeriesOptions{
				Retention: time.Hour, Encoding: ts.Uncompressed, ChunkSize: 128, DuplicatePolicy: ts.DuplicateMax,
				Ignore: ign, Labels: []ts.Label{{Name: "a", Value: "1"}},
			},
			OnDuplicate: ts.DuplicateFirst,
		})), []any{"TS.ADD", "k", "1700000000123", "3", "RETENTION", "3600000", "ENCODING", "UNCOMPRESSED", "CHUNK_SIZE", "128",
			"DUPLICATE_POLICY", "MAX", "ON_DUPLICATE", "FIRST", "IGNORE", "5", "0.5", "LABELS", "a", "1"}},
		{"alter labels cleared", moduletest.Build(ts.Alter("k", ts.SeriesOptions{Labels: []ts.Label{}, DuplicatePolicy: ts.DuplicateBlock})),
			[]any{"TS.ALTER", "k", "DUPLICATE_POLICY", "BLOCK", "LABELS"}},
		{"alter ignore off", moduletest.Build(ts.Alter("k", ts.SeriesOptions{Ignore: &ts.Ignore{}})), []any{"TS.ALTER", "k", "IGNORE", "0", "0"}},
		{"incrby all options", moduletest.Build(ts.IncrBy("k", 0.25, ts.IncrByOptions{At: ts.Now, SeriesOptions: ts.SeriesOptions{
			Retention: ts.KeepForever, Encoding: ts.Compressed, ChunkSize: 48, DuplicatePolicy: ts.DuplicateSum, Ignore: ign,
			Labels: []ts.Label{{Name: "x", Value: "y"}},
		}})), []any{"TS.INCRBY", "k", "0.25", "TIMESTAMP", "*", "RETENTION", "0", "ENCODING", "COMPRESSED", "CHUNK_SIZE", "48",
			"DUPLICATE_POLICY", "SUM", "IGNORE", "5", "0.5", "LABELS", "x", "y"}},
		{"decrby no options", moduletest.Build(ts.DecrBy("k", 1)), []any{"TS.DECRBY", "k", "1"}},
		{"madd server time", moduletest.Build(ts.MAdd(ts.MAddSample{Key: "a", Value: 1}, ts.MAddSample{Key: "b", At: ts.Millis(7), Value: 2})),
			[]any{"TS.MADD", "a", "*", "1", "b", "7", "2"}},
		{"del open range", moduletest.Build(ts.Del("k", ts.Timestamp{}, ts.Timestamp{})), []any{"TS.DEL", "k", "-", "+"}},
		{"get latest", moduletest.Build(ts.Get("k", ts.GetOptions{Latest: true})), []any{"TS.GET", "k", "LATEST"}},
		{"range every option", moduletest.Build(ts.Range("k", ts.Millis(10), ts.At(time.UnixMilli(20)), ts.RangeOptions{
			Latest: true, FilterByTimestamps: []time.Time{time.UnixMilli(11), time.UnixMilli(12)},
			FilterByValue: &ts.ValueRange{Min: -1.5, Max: math.Inf(1)}, Count: 10,
			Aggregation: &ts.Aggregation{Aggregator: ts.AggStdP, Bucket: time.Minute, Align: ts.AlignAt(time.UnixMilli(5)), BucketTimestamp: ts.BucketEnd, Empty: true},
		})), []any{"TS.RANGE", "k", "10", "20", "LATEST", "FILTER_BY_TS", "11", "12", "FILTER_BY_VALUE", "-1.5", "+inf", "COUNT", "10",
			"ALIGN", "5", "AGGREGATION", "std.p", "60000", "BUCKETTIMESTAMP", "end", "EMPTY"}},
		{"revrange align +", moduletest.Build(ts.RevRange("k", ts.Timestamp{}, ts.Timestamp{}, ts.RangeOptions{
			Aggregation: &ts.Aggregation{Aggregator: ts.AggCountNaN, Bucket: time.Second, Align: align, BucketTimestamp: "~"},
		})), []any{"TS.REVRANGE", "k", "-", "+", "ALIGN", "+", "AGGREGATION", "countnan", "1000", "BUCKETTIMESTAMP", "~"}},
		{"mrange every option", moduletest.Build(ts.MRange(ts.MinTimestamp, ts.MaxTimestamp,
			[]ts.Filter{ts.Equal("a", "1"), ts.NotEqual("b", "2"), ts.HasLabel("c"), ts.LacksLabel("d"), ts.In("e", "x", "y"), ts.NotIn("f", "z")},
			ts.MRangeOptions{
				RangeOptions:   ts.RangeOptions{Latest: true, Count: 2, Aggregation: &ts.Aggregation{Aggregator: ts.AggTWA, Bucket: time.Second, Align: ts.AlignEnd}},
				SelectedLabels: []string{"a", "b"},
				GroupBy:        &ts.GroupBy{Label: "a", Reducer: ts.AggAvg},
			})), []any{"TS.MRANGE", "-", "+", "LATEST", "COUNT", "2", "ALIGN", "end", "AGGREGATION", "twa", "1000",
			"SELECTED_LABELS", "a", "b", "FILTER", "a=1", "b!=2", "c!=", "d=", "e=(x,y)", "f!=(z)", "GROUPBY", "a", "REDUCE", "avg"}},
		{"mget latest selected", moduletest.Build(ts.MGet([]ts.Filter{ts.Equal("a", "1")}, ts.MGetOptions{Latest: true, SelectedLabels: []string{"b"}})),
			[]any{"TS.MGET", "LATEST", "SELECTED_LABELS", "b", "FILTER", "a=1"}},
		{"queryindex", moduletest.Build(ts.QueryIndex(ts.In("a", "1", "2"), ts.LacksLabel("b"))), []any{"TS.QUERYINDEX", "a=(1,2)", "b="}},
		{"createrule aligned", moduletest.Build(ts.CreateRule("s", "d", ts.Rule{Aggregator: ts.AggCountAll, Bucket: time.Minute, Align: 5 * time.Second})),
			[]any{"TS.CREATERULE", "s", "d", "AGGREGATION", "countall", "60000", "5000"}},
		{"info debug", moduletest.Build(ts.InfoDebug("k")), []any{"TS.INFO", "k", "DEBUG"}},
	}
	for _, tc := range tests {
		if tc.cmd.Err != nil {
			t.Errorf("%s: %v", tc.name, tc.cmd.Err)
			continue
		}
		if want := wire(t, tc.args...); !bytes.Equal(tc.cmd.Bytes, want) {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, tc.cmd.Bytes, want)
		}
	}
}

// TestRefused checks that bad input fails before anything is sent.
func TestRefused(t *testing.T) {
	ok := []ts.Filter{ts.Equal("a", "1")}
	agg := func(a ts.Aggregation) ts.RangeOptions { return ts.RangeOptions{Aggregation: &a} }
	tests := []struct {
		name string
		cmd  moduletest.Built
	}{
		{"add at a range bound", moduletest.Build(ts.Add("k", ts.MinTimestamp, 1))},
		{"madd at a range bound", moduletest.Build(ts.MAdd(ts.MAddSample{Key: "k", At: ts.MaxTimestamp}))},
		{"madd nothing", moduletest.Build(ts.MAdd())},
		{"incrby at a range bound", moduletest.Build(ts.IncrBy("k", 1, ts.IncrByOptions{At: ts.MinTimestamp}))},
		{"range from now", moduletest.Build(ts.Range("k", ts.Now, ts.MaxTimestamp))},
		{"del to now", moduletest.Build(ts.Del("k", ts.Millis(0), ts.Now))},
		{"two options", moduletest.Build(ts.Create("k", ts.SeriesOptions{}, ts.SeriesOptions{}))},
		{"alter encoding", moduletest.Build(ts.Alter("k", ts.SeriesOptions{Encoding: ts.Compressed}))},
		{"retention below a millisecond", moduletest.Build(ts.Create("k", ts.SeriesOptions{Retention: 1500 * time.Microsecond}))},
		{"negative retention", moduletest.Build(ts.Create("k", ts.SeriesOptions{Retention: -2 * time.Millisecond}))},
		{"unknown encoding", moduletest.Build(ts.Create("k", ts.SeriesOptions{Encoding: "zip"}))},
		{"negative chunk size", moduletest.Build(ts.Create("k", ts.SeriesOptions{ChunkSize: -8}))},
		{"unknown duplicate policy", moduletest.Build(ts.Create("k", ts.SeriesOptions{DuplicatePolicy: "NEWEST"}))},
		{"unknown on duplicate", moduletest.Build(ts.Add("k", ts.Now, 1, ts.AddOptions{OnDuplicate: "last"}))},
		{"negative ignore time", moduletest.Build(ts.Create("k", ts.SeriesOptions{Ignore: &ts.Ignore{MaxTimeDiff: -time.Millisecond}}))},
		{"NaN ignore value", moduletest.Build(ts.Create("k", ts.SeriesOptions{Ignore: &ts.Ignore{MaxValDiff: math.NaN()}}))},
		{"empty label name", moduletest.Build(ts.Create("k", ts.SeriesOptions{Labels: []ts.Label{{Name: "", Value: "v"}}}))},
		{"empty label value", moduletest.Build(ts.Create("k", ts.SeriesOptions{Labels: []ts.Label{{Name: "n", Value: ""}}}))},
		{"no aggregator", moduletest.Build(ts.Range("k", ts.MinTimestamp, ts.MaxTimestamp, agg(ts.Aggregation{Bucket: time.Second})))},
		{"zero bucket", moduletest.Build(ts.Range("k", ts.MinTimestamp, ts.MaxTimestamp, agg(ts.Aggregation{Aggregator: ts.AggAvg})))},
		{"bucket below a millisecond", moduletest.Build(ts.Range("k", ts.MinTimestamp, ts.MaxTimestamp, agg(ts.Aggregation{Aggregator: ts.AggAvg, Bucket: time.Microsecond})))},
		{"unknown bucket timestamp", moduletest.Build(ts.Range("k", ts.MinTimestamp, ts.MaxTimestamp, agg(ts.Aggregation{Aggregator: ts.AggAvg, Bucket: time.Second, BucketTimestamp: "middle"})))},
		{"NaN value filter", moduletest.Build(ts.Range("k", ts.MinTimestamp, ts.MaxTimestamp, ts.RangeOptions{FilterByValue: &ts.ValueRange{Min: math.NaN(), Max: 1}}))},
		{"negative count", moduletest.Build(ts.Range("k", ts.MinTimestamp, ts.MaxTimestamp, ts.RangeOptions{Count: -1}))},
		{"mrange no filter", moduletest.Build(ts.MRange(ts.MinTimestamp, ts.MaxTimestamp, nil))},
		{"mrange both label choices", moduletest.Build(ts.MRange(ts.MinTimestamp, ts.MaxTimestamp, ok, ts.MRangeOptions{WithLabels: true, SelectedLabels: []string{"a"}}))},
		{"mrange empty selected label", moduletest.Build(ts.MRange(ts.MinTimestamp, ts.MaxTimestamp, ok, ts.MRangeOptions{SelectedLabels: []string{""}}))},
		{"groupby without label", moduletest.Build(ts.MRange(ts.MinTimestamp, ts.MaxTimestamp, ok, ts.MRangeOptions{GroupBy: &ts.GroupBy{Reducer: ts.AggMax}}))},
		{"groupby without reducer", moduletest.Build(ts.MRange(ts.MinTimestamp, ts.MaxTimestamp, ok, ts.MRangeOptions{GroupBy: &ts.GroupBy{Label: "a"}}))},
		{"mget no filter", moduletest.Build(ts.MGet(nil))},
		{"queryindex no filter", moduletest.Build(ts.QueryIndex())},
		{"zero filter", moduletest.Build(ts.QueryIndex(ts.Filter{}))},
		{"createrule zero bucket", moduletest.Build(ts.CreateRule("s", "d", ts.Rule{Aggregator: ts.AggAvg}))},
		{"createrule negative align", moduletest.Build(ts.CreateRule("s", "d", ts.Rule{Aggregator: ts.AggAvg, Bucket: time.Second, Align: -time.Second}))},
	}
	for _, tc := range tests {
		if tc.cmd.Err == nil {
			t.Errorf("%s: accepted, sending %q", tc.name, tc.cmd.Bytes)
		} else if len(tc.cmd.Bytes) != 0 {
			t.Errorf("%s: refused (%v) but has bytes to send", tc.name, tc.cmd.Err)
		}
	}
}

// TestFilters checks what the filter constructors accept and refuse.
func TestFilters(t *testing.T) {
	good := map[string]ts.Filter{
		"a=1":                 ts.Equal("a", "1"),
		"a=x=y":               ts.Equal("a", "x=y"),
		"a!=1":                ts.NotEqual("a", "1"),
		"a!=":                 ts.HasLabel("a"),
		"a=":                  ts.LacksLabel("a"),
		"a=(1)":               ts.In("a", "1"),
		"a=(1,2)":             ts.In("a", "1", "2"),
		"a!=(1,2)":            ts.NotIn("a", "1", "2"),
		"sensor=t,":           ts.Equal("sensor", "t,"),
		"my room=living room": ts.Equal("my room", "living room"),
	}
	for want, f := range good {
		if f.Err() != nil || f.String() != want {
			t.Errorf("%q: got %q, %v", want, f.String(), f.Err())
		}
	}
	bad := map[string]ts.Filter{
		"empty name":           ts.Equal("", "1"),
		"name with =":          ts.Equal("a=b", "1"),
		"name with !":          ts.NotEqual("a!", "1"),
		"name with (":          ts.HasLabel("a("),
		"name with ,":          ts.LacksLabel("a,b"),
		"name with )":          ts.In("a)", "1"),
		"empty value":          ts.Equal("a", ""),
		"value opening a list": ts.NotEqual("a", "(1,2)"),
		"no values":            ts.In("a"),
		"empty list value":     ts.NotIn("a", "1", ""),
		"list value with ,":    ts.In("a", "1,2"),
		"list value with )":    ts.In("a", "1)"),
		"zero":                 {},
	}
	for name, f := range bad {
		if f.Err() == nil {
			t.Errorf("%s: accepted as %q", name, f.String())
		}
	}
}

func TestTimestamps(t *testing.T) {
	for stamp, want := range map[ts.Timestamp]string{
		ts.Now: "*", ts.MinTimestamp: "-", ts.MaxTimestamp: "+", {}: "",
		ts.Millis(42): "42", ts.At(time.Date(2024, 1, 2, 3, 4, 5, 678_900_000, time.UTC)): "1704164645678",
	} {
		if got := stamp.String(); got != want {
			t.Errorf("%#v: String() = %q, want %q", stamp, got, want)
		}
	}
	if !(ts.Timestamp{}).IsZero() || ts.Millis(0).IsZero() {
		t.Error("IsZero: only the unset Timestamp is zero")
	}
	for _, s := range []string{"start", "-", "end", "+", "0", "1700000000000"} {
		a, err := ts.ParseAlign(s)
		if err != nil || a.String() != s {
			t.Errorf("ParseAlign(%q) = %q, %v", s, a, err)
		}
	}
	for _, s := range []string{"", "mid", "1.5", "now"} {
		if _, err := ts.ParseAlign(s); err == nil {
			t.Errorf("ParseAlign(%q) accepted", s)
		}
	}
	if aggs := ts.Aggregators(); len(aggs) != 15 || len(slices.Compact(slices.Sorted(slices.Values(aggs)))) != 15 {
		t.Errorf("Aggregators() = %q, want 15 distinct", aggs)
	}
}

// TestKeys checks the keys a cluster routes by.
func TestKeys(t *testing.T) {
	madd := ts.MAdd(
		ts.MAddSample{Key: "{s}:a", At: ts.Millis(1), Value: 1},
		ts.MAddSample{Key: "{s}:b", At: ts.Millis(1), Value: 2},
		ts.MAddSample{Key: "{s}:a", At: ts.Millis(2), Value: 3},
	)
	if got := madd.Keys(); !slices.Equal(got, []string{"{s}:a", "{s}:b", "{s}:a"}) {
		t.Errorf("TS.MADD keys = %q", got)
	}
	if _, err := madd.Slot(); err != nil {
		t.Errorf("TS.MADD with one hash tag: %v", err)
	}
	cross := ts.MAdd(ts.MAddSample{Key: "a", Value: 1}, ts.MAddSample{Key: "b", Value: 1})
	var cse *redis.CrossSlotError
	if _, err := cross.Slot(); !errors.As(err, &cse) {
		t.Errorf("TS.MADD a b: Slot() error = %v, want a *redis.CrossSlotError", err)
	}
	rule := ts.CreateRule("{t}:src", "{t}:dst", ts.Rule{Aggregator: ts.AggAvg, Bucket: time.Minute})
	if got := rule.Keys(); !slices.Equal(got, []string{"{t}:src", "{t}:dst"}) {
		t.Errorf("TS.CREATERULE keys = %q", got)
	}
	if got := ts.DeleteRule("src", "dst").Keys(); !slices.Equal(got, []string{"src", "dst"}) {
		t.Errorf("TS.DELETERULE keys = %q", got)
	}
	if _, err := ts.CreateRule("src", "dst", ts.Rule{Aggregator: ts.AggAvg, Bucket: time.Minute}).Slot(); !errors.As(err, &cse) {
		t.Errorf("TS.CREATERULE src dst: Slot() error = %v, want a *redis.CrossSlotError", err)
	}
	for name, c := range map[string]*redis.Cmd{
		"TS.ADD": ts.Add("k", ts.Now, 1).Cmd, "TS.RANGE": ts.Range("k", ts.MinTimestamp, ts.MaxTimestamp).Cmd,
		"TS.INFO": ts.Info("k").Cmd, "TS.GET": ts.Get("k").Cmd, "TS.DEL": ts.Del("k", ts.Millis(0), ts.Millis(1)).Cmd,
	} {
		if got := c.Keys(); !slices.Equal(got, []string{"k"}) {
			t.Errorf("%s keys = %q", name, got)
		}
	}
	if got := ts.MRange(ts.MinTimestamp, ts.MaxTimestamp, []ts.Filter{ts.Equal("a", "b")}).Keys(); len(got) != 0 {
		t.Errorf("TS.MRANGE keys = %q, want none", got)
	}
	if ts.Range("k", ts.MinTimestamp, ts.MaxTimestamp).Flags()&redis.FlagReadonly == 0 {
		t.Error("TS.RANGE is not flagged read-only")
	}
	if ts.Add("k", ts.Now, 1).Flags()&redis.FlagWrite == 0 {
		t.Error("TS.ADD is not flagged as a write")
	}
}

// TestNilClient checks that a Client without a *redis.Client returns an
// error instead of panicking.
func TestNilClient(t *testing.T) {
	ctx := context.Background()
	for name, c := range map[string]*ts.Client{"nil": nil, "New(nil)": ts.New(nil), "zero": {}} {
		if c.Redis() != nil {
			t.Errorf("%s: Redis() is not nil", name)
		}
		if _, err := c.Add(ctx, "k", ts.Now, 1); err == nil || !strings.Contains(err.Error(), "timeseries.New") {
			t.Errorf("%s: Add: %v", name, err)
		}
		if err := c.Create(ctx, "k"); err == nil {
			t.Errorf("%s: Create succeeded", name)
		}
		if _, err := c.MRange(ctx, ts.MinTimestamp, ts.MaxTimestamp, []ts.Filter{ts.Equal("a", "b")}); err == nil {
			t.Errorf("%s: MRange succeeded", name)
		}
	}
}

// parse reads one RESP value.
func parse(t *testing.T, s string) resp.Value {
	t.Helper()
	v, err := resp.NewReader(strings.NewReader(s), resp.Limits{}).Read()
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return v
}

// TestDecodeShapes checks replies the recorded cases lack, and that
// malformed ones give errors.
func TestDecodeShapes(t *testing.T) {
	selected := ts.MRange(ts.MinTimestamp, ts.MaxTimestamp, []ts.Filter{ts.Equal("a", "1")}, ts.MRangeOptions{SelectedLabels: []string{"x", "y"}})
	// A selected label the series lacks arrives as a null: left out.
	for proto, reply := range map[int]string{
		2: "*1\r\n*3\r\n$1\r\nk\r\n*2\r\n*2\r\n$1\r\nx\r\n$1\r\n1\r\n*2\r\n$1\r\ny\r\n$-1\r\n*1\r\n*2\r\n:5\r\n+nan\r\n",
		3: "%1\r\n$1\r\nk\r\n*3\r\n%2\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\ny\r\n_\r\n%1\r\n$11\r\naggregators\r\n*0\r\n*1\r\n*2\r\n:5\r\n,nan\r\n",
	} {
		got, err := selected.Decode(parse(t, reply), nil)
		if err != nil || len(got) != 1 || got[0].Key != "k" || len(got[0].Labels) != 1 || got[0].Labels["x"] != "1" ||
			len(got[0].Samples) != 1 || !math.IsNaN(got[0].Samples[0].Value) || got[0].Samples[0].Time.UnixMilli() != 5 {
			t.Errorf("RESP%d selected labels: %#v, %v", proto, got, err)
		}
	}
	// MGET of a series without samples.
	mget := ts.MGet([]ts.Filter{ts.Equal("a", "1")})
	for proto, reply := range map[int]string{
		2: "*1\r\n*3\r\n$1\r\nk\r\n*0\r\n*0\r\n",
		3: "%1\r\n$1\r\nk\r\n*2\r\n%0\r\n*0\r\n",
	} {
		got, err := mget.Decode(parse(t, reply), nil)
		if err != nil || len(got) != 1 || got[0].Key != "k" || got[0].Sample.Valid || got[0].Labels != nil {
			t.Errorf("RESP%d mget of an empty series: %#v, %v", proto, got, err)
		}
	}
	// RESP3 map order is not trusted: the result is sorted by key.
	got, err := mget.Decode(parse(t, "%2\r\n$1\r\nz\r\n*2\r\n%0\r\n*0\r\n$1\r\na\r\n*2\r\n%0\r\n*0\r\n"), nil)
	if err != nil || len(got) != 2 || got[0].Key != "a" || got[1].Key != "z" {
		t.Errorf("mget order: %#v, %v", got, err)
	}

	malformed := map[string]struct {
		decode func(resp.Value, error) (any, error)
		reply  string
	}{
		"range: sample of 3":          {moduletest.Build(ts.Range("k", ts.MinTimestamp, ts.MaxTimestamp)).Decode, "*1\r\n*3\r\n:1\r\n+2\r\n+3\r\n"},
		"range: text value":           {moduletest.Build(ts.Range("k", ts.MinTimestamp, ts.MaxTimestamp)).Decode, "*1\r\n*2\r\n:1\r\n+abc\r\n"},
		"range: text timestamp":       {moduletest.Build(ts.Range("k", ts.MinTimestamp, ts.MaxTimestamp)).Decode, "*1\r\n*2\r\n+x\r\n+1\r\n"},
		"range: a map":                {moduletest.Build(ts.Range("k", ts.MinTimestamp, ts.MaxTimestamp)).Decode, "%1\r\n:1\r\n:2\r\n"},
		"range: an integer":           {moduletest.Build(ts.Range("k", ts.MinTimestamp, ts.MaxTimestamp)).Decode, ":1\r\n"},
		"get: null":                   {moduletest.Build(ts.Get("k")).Decode, "_\r\n"},
		"mrange: entry of 2":          {moduletest.Build(selected).Decode, "*1\r\n*2\r\n$1\r\nk\r\n*0\r\n"},
		"mrange: labels not pairs":    {moduletest.Build(selected).Decode, "*1\r\n*3\r\n$1\r\nk\r\n*1\r\n$1\r\nx\r\n*0\r\n"},
		"mrange: RESP3 value of 1":    {moduletest.Build(selected).Decode, "%1\r\n$1\r\nk\r\n*1\r\n*0\r\n"},
		"mrange: a set":               {moduletest.Build(selected).Decode, "~1\r\n$1\r\nk\r\n"},
		"madd: not an array":          {moduletest.Build(ts.MAdd(ts.MAddSample{Key: "k"})).Decode, ":1\r\n"},
		"madd: text element":          {moduletest.Build(ts.MAdd(ts.MAddSample{Key: "k"})).Decode, "*1\r\n+x\r\n"},
		"info: odd array":             {moduletest.Build(ts.Info("k")).Decode, "*1\r\n+totalSamples\r\n"},
		"info: text count":            {moduletest.Build(ts.Info("k")).Decode, "*2\r\n+totalSamples\r\n+many\r\n"},
		"info: rules not an array":    {moduletest.Build(ts.Info("k")).Decode, "*2\r\n+rules\r\n:1\r\n"},
		"info: empty rule":            {moduletest.Build(ts.Info("k")).Decode, "*2\r\n+rules\r\n*1\r\n*0\r\n"},
		"info: chunk not a map":       {moduletest.Build(ts.InfoDebug("k")).Decode, "*2\r\n+Chunks\r\n*1\r\n:1\r\n"},
		"queryindex: not an array":    {moduletest.Build(ts.QueryIndex(ts.Equal("a", "b"))).Decode, ":1\r\n"},
		"create: not OK":              {moduletest.Build(ts.Create("k")).Decode, ":1\r\n"},
		"del: text":                   {moduletest.Build(ts.Del("k", ts.Millis(0), ts.Millis(1))).Decode, "+x\r\n"},
		"mget: sample of 1":           {moduletest.Build(mget).Decode, "*1\r\n*3\r\n$1\r\nk\r\n*0\r\n*1\r\n:1\r\n"},
		"mrange grouped: bad sources": {moduletest.Build(ts.MRange(ts.MinTimestamp, ts.MaxTimestamp, []ts.Filter{ts.Equal("a", "1")}, ts.MRangeOptions{GroupBy: &ts.GroupBy{Label: "a", Reducer: ts.AggMax}})).Decode, "%1\r\n$3\r\na=1\r\n*4\r\n%0\r\n%1\r\n$7\r\nsources\r\n:1\r\n%0\r\n*0\r\n"},
	}
	for name, m := range malformed {
		if got, err := m.decode(parse(t, m.reply), nil); err == nil {
			t.Errorf("%s: decoded to %#v", name, got)
		}
	}
	// A connection error passes through every decoder.
	boom := errors.New("boom")
	for name, d := range map[string]func(resp.Value, error) (any, error){
		"range": moduletest.Build(ts.Range("k", ts.Timestamp{}, ts.Timestamp{})).Decode, "mrange": moduletest.Build(selected).Decode,
		"mget": moduletest.Build(mget).Decode, "info": moduletest.Build(ts.Info("k")).Decode, "madd": moduletest.Build(ts.MAdd(ts.MAddSample{Key: "k"})).Decode,
		"add": moduletest.Build(ts.Add("k", ts.Now, 1)).Decode, "create": moduletest.Build(ts.Create("k")).Decode, "get": moduletest.Build(ts.Get("k")).Decode,
	} {
		if _, err := d(resp.Value{}, boom); !errors.Is(err, boom) {
			t.Errorf("%s: error %v, want boom", name, err)
		}
	}
}

// specAggregators are the aggregators of TS.CREATERULE and the reducers
// of TS.MRANGE in the RedisTimeSeries 8.8 command docs.
var specAggregators = []string{"avg", "sum", "min", "max", "range", "count", "first", "last",
	"std.p", "std.s", "var.p", "var.s", "twa", "countnan", "countall"}

// TestAggregators checks that every aggregator of the spec has a constant
// and is sent as the spec spells it, in ranges, rules and GROUPBY.
func TestAggregators(t *testing.T) {
	aggs := ts.Aggregators()
	if len(aggs) != len(specAggregators) {
		t.Fatalf("Aggregators() = %q, want %q", aggs, specAggregators)
	}
	for i, name := range specAggregators {
		agg := aggs[i]
		if string(agg) != name {
			t.Errorf("aggregator %d = %q, want %q", i, agg, name)
		}
		rng := ts.Range("k", ts.MinTimestamp, ts.MaxTimestamp, ts.RangeOptions{Aggregation: &ts.Aggregation{Aggregator: agg, Bucket: time.Second}})
		if want := wire(t, "TS.RANGE", "k", "-", "+", "AGGREGATION", name, "1000"); !bytes.Equal(rng.Bytes(), want) {
			t.Errorf("%s: range %q", name, rng.Bytes())
		}
		rule := ts.CreateRule("s", "d", ts.Rule{Aggregator: agg, Bucket: time.Hour})
		if want := wire(t, "TS.CREATERULE", "s", "d", "AGGREGATION", name, "3600000"); !bytes.Equal(rule.Bytes(), want) {
			t.Errorf("%s: rule %q", name, rule.Bytes())
		}
		group := ts.MRange(ts.MinTimestamp, ts.MaxTimestamp, []ts.Filter{ts.Equal("a", "b")}, ts.MRangeOptions{GroupBy: &ts.GroupBy{Label: "a", Reducer: agg}})
		if want := wire(t, "TS.MRANGE", "-", "+", "FILTER", "a=b", "GROUPBY", "a", "REDUCE", name); !bytes.Equal(group.Bytes(), want) {
			t.Errorf("%s: group %q", name, group.Bytes())
		}
	}
}
