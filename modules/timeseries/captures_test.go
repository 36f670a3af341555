package timeseries_test

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/internal/captures"
	ts "github.com/respkit/redis/modules/timeseries"
	"github.com/respkit/redis/resp"
)

// commandUnderTest is a command built with the package's API, with its
// decoder made untyped so that one table holds every result type.
type commandUnderTest struct {
	bytes  []byte
	err    error
	keys   []string
	decode func(resp.Value, error) (any, error)
}

func built[T any](c redis.Command[T]) commandUnderTest {
	return commandUnderTest{bytes: c.Bytes(), err: c.Err(), keys: c.Keys(), decode: func(v resp.Value, err error) (any, error) {
		return c.Decode(v, err)
	}}
}

// wantErr is the expected outcome of a case whose reply is an error: the
// server's whole message (a *redis.Error), or "nil" for redis.ErrNil.
type wantErr string

// ms is the time of a timestamp in milliseconds, as the decoders give it.
func ms(n int64) time.Time { return time.UnixMilli(n) }

// samples builds []Sample from (ms, value) pairs.
func samples(pairs ...float64) []ts.Sample {
	out := make([]ts.Sample, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, ts.Sample{Time: ms(int64(pairs[i])), Value: pairs[i+1]})
	}
	return out
}

func latest(t int64, v float64) redis.Null[ts.Sample] {
	return redis.Null[ts.Sample]{V: ts.Sample{Time: ms(t), Value: v}, Valid: true}
}

type labels = map[string]string

// The recorded series: temp:1 (sensor=t, room=a) with its rollup
// temp:1:avg (10 s average, kind=agg), temp:2 (room=b), temp:3 (room=c),
// hum:1 (sensor=h, room=a).
var (
	temp1Samples = samples(1000, 20.5, 2000, 22.25, 3000, 22, 11000, 23, 12000, 24)
	avgSamples   = samples(0, 21.583333333333332)
	temp2Samples = samples(1000, 15, 5000, 16)
	temp3Samples = samples(1000, 5)
	temp1Labels  = labels{"sensor": "t", "room": "a"}
	avgLabels    = labels{"sensor": "t", "room": "a", "kind": "agg"}
	temp1Info    = ts.SeriesInfo{
		TotalSamples: 5, MemoryUsage: 4664, FirstTimestamp: ms(1000), LastTimestamp: ms(12000),
		ChunkCount: 1, ChunkSize: 4096, Encoding: ts.Compressed, DuplicatePolicy: ts.DuplicateLast,
		Labels: temp1Labels,
		Rules:  []ts.Rule{{DestKey: "temp:1:avg", Aggregator: ts.AggAvg, Bucket: 10 * time.Second}},
	}
)

func temp1InfoDebug() ts.SeriesInfo {
	info := temp1Info
	info.KeySelfName = "temp:1"
	info.Chunks = []ts.Chunk{{Start: ms(1000), End: ms(12000), Samples: 5, Size: 4096, BytesPerSample: 819.2000122070313}}
	return info
}

// captureCase says how the API builds one recorded case and what its reply
// decodes to.
type captureCase struct {
	cmd  commandUnderTest
	want any // the decoded value, or a wantErr
	// notEncoded says why the API cannot produce the case's arguments (its
	// cmd is then only the decoder the API uses for that command).
	notEncoded string
}

// captureCases maps every recorded case to the API call that produces it.
func captureCases() map[string]captureCase {
	ok := struct{}{}
	all := []ts.Filter{ts.Equal("sensor", "t")}
	lbl := func(pairs ...string) []ts.Label {
		var out []ts.Label
		for i := 0; i+1 < len(pairs); i += 2 {
			out = append(out, ts.Label{Name: pairs[i], Value: pairs[i+1]})
		}
		return out
	}
	return map[string]captureCase{
		"ts_create": {cmd: built(ts.Create("temp:1", ts.SeriesOptions{
			Retention: ts.KeepForever, Encoding: ts.Compressed, ChunkSize: 4096, DuplicatePolicy: ts.DuplicateLast,
			Labels: lbl("sensor", "t", "room", "a"),
		})), want: ok},
		"ts_create_2":          {cmd: built(ts.Create("temp:2", ts.SeriesOptions{Labels: lbl("sensor", "t", "room", "b")})), want: ok},
		"ts_create_3":          {cmd: built(ts.Create("hum:1", ts.SeriesOptions{Labels: lbl("sensor", "h", "room", "a")})), want: ok},
		"ts_create_agg_dest":   {cmd: built(ts.Create("temp:1:avg", ts.SeriesOptions{Labels: lbl("sensor", "t", "room", "a", "kind", "agg")})), want: ok},
		"ts_create_exists_err": {cmd: built(ts.Create("temp:1")), want: wantErr("ERR TSDB: key already exists")},
		"ts_createrule":        {cmd: built(ts.CreateRule("temp:1", "temp:1:avg", ts.Rule{Aggregator: ts.AggAvg, Bucket: 10 * time.Second})), want: ok},
		"ts_add":               {cmd: built(ts.Add("temp:1", ts.Millis(1000), 20.5)), want: ms(1000)},
		"ts_add_float":         {cmd: built(ts.Add("temp:1", ts.At(ms(2000)), 21.25)), want: ms(2000)},
		"ts_add_on_dup_sum":    {cmd: built(ts.Add("temp:1", ts.Millis(2000), 1, ts.AddOptions{OnDuplicate: ts.DuplicateSum})), want: ms(2000)},
		"ts_add_autocreate_labels": {cmd: built(ts.Add("temp:3", ts.Millis(1000), 5, ts.AddOptions{SeriesOptions: ts.SeriesOptions{
			Retention: ts.KeepForever, Labels: lbl("sensor", "t", "room", "c"),
		}})), want: ms(1000)},
		"ts_madd": {cmd: built(ts.MAdd(
			ts.MAddSample{Key: "temp:1", At: ts.Millis(3000), Value: 22},
			ts.MAddSample{Key: "temp:1", At: ts.Millis(11000), Value: 23},
			ts.MAddSample{Key: "temp:2", At: ts.Millis(1000), Value: 15},
			ts.MAddSample{Key: "temp:2", At: ts.Millis(5000), Value: 16},
			ts.MAddSample{Key: "hum:1", At: ts.Millis(1000), Value: 40},
		)), want: []ts.MAddResult{{Time: ms(3000)}, {Time: ms(11000)}, {Time: ms(1000)}, {Time: ms(5000)}, {Time: ms(1000)}}},
		"ts_madd_partial_err": {cmd: built(ts.MAdd(
			ts.MAddSample{Key: "temp:1", At: ts.Millis(12000), Value: 24},
			ts.MAddSample{Key: "nokey", At: ts.Millis(1000), Value: 1},
		)), want: []ts.MAddResult{{Time: ms(12000)}, {Err: &redis.Error{Msg: "ERR TSDB: the key is not a TSDB key"}}}},
		"ts_incrby":              {cmd: built(ts.IncrBy("counter", 5, ts.IncrByOptions{At: ts.Millis(1000)})), want: ms(1000)},
		"ts_decrby":              {cmd: built(ts.DecrBy("counter", 2, ts.IncrByOptions{At: ts.Millis(2000)})), want: ms(2000)},
		"ts_get":                 {cmd: built(ts.Get("temp:1")), want: ts.Sample{Time: ms(12000), Value: 24}},
		"ts_get_compaction_dest": {cmd: built(ts.Get("temp:1:avg")), want: ts.Sample{Time: ms(0), Value: 21.583333333333332}},
		"ts_create_empty":        {cmd: built(ts.Create("empty:1")), want: ok},
		"ts_get_empty":           {cmd: built(ts.Get("empty:1")), want: wantErr("nil")},
		"ts_range_empty":         {cmd: built(ts.Range("empty:1", ts.MinTimestamp, ts.MaxTimestamp)), want: []ts.Sample{}},
		"ts_range_all":           {cmd: built(ts.Range("temp:1", ts.Timestamp{}, ts.Timestamp{})), want: temp1Samples},
		"ts_range_count":         {cmd: built(ts.Range("temp:1", ts.Millis(0), ts.MaxTimestamp, ts.RangeOptions{Count: 2})), want: temp1Samples[:2]},
		"ts_range_agg_avg": {cmd: built(ts.Range("temp:1", ts.MinTimestamp, ts.MaxTimestamp, ts.RangeOptions{
			Aggregation: &ts.Aggregation{Aggregator: ts.AggAvg, Bucket: 5 * time.Second},
		})), want: samples(0, 21.583333333333332, 10000, 23.5)},
		"ts_range_agg_max_empty_bucketts": {cmd: built(ts.Range("temp:1", ts.Millis(0), ts.Millis(20000), ts.RangeOptions{
			Aggregation: &ts.Aggregation{Aggregator: ts.AggMax, Bucket: 5 * time.Second, Align: ts.AlignStart, BucketTimestamp: ts.BucketMid, Empty: true},
		})), want: samples(2500, 22.25, 7500, math.NaN(), 12500, 24)},
		"ts_range_filter_by_value": {cmd: built(ts.Range("temp:1", ts.MinTimestamp, ts.MaxTimestamp, ts.RangeOptions{
			FilterByValue: &ts.ValueRange{Min: 21, Max: 30},
		})), want: temp1Samples[1:]},
		"ts_range_filter_by_ts": {cmd: built(ts.Range("temp:1", ts.MinTimestamp, ts.MaxTimestamp, ts.RangeOptions{
			FilterByTimestamps: []time.Time{ms(1000), ms(3000)},
		})), want: samples(1000, 20.5, 3000, 22)},
		"ts_revrange":          {cmd: built(ts.RevRange("temp:1", ts.MinTimestamp, ts.MaxTimestamp, ts.RangeOptions{Count: 3})), want: samples(12000, 24, 11000, 23, 3000, 22)},
		"ts_range_missing_err": {cmd: built(ts.Range("nokey", ts.MinTimestamp, ts.MaxTimestamp)), want: wantErr("ERR TSDB: the key does not exist")},
		"ts_range_bad_agg_err": {cmd: built(ts.Range("temp:1", ts.MinTimestamp, ts.MaxTimestamp, ts.RangeOptions{
			Aggregation: &ts.Aggregation{Aggregator: "bogus", Bucket: time.Second},
		})), want: wantErr("ERR TSDB: Unknown aggregation type")},
		"ts_mrange_withlabels": {cmd: built(ts.MRange(ts.MinTimestamp, ts.MaxTimestamp, all, ts.MRangeOptions{WithLabels: true})), want: []ts.Series{
			{Key: "temp:1", Labels: temp1Labels, Samples: temp1Samples},
			{Key: "temp:1:avg", Labels: avgLabels, Samples: avgSamples},
			{Key: "temp:2", Labels: labels{"sensor": "t", "room": "b"}, Samples: temp2Samples},
			{Key: "temp:3", Labels: labels{"sensor": "t", "room": "c"}, Samples: temp3Samples},
		}},
		"ts_mrange_selected_labels": {cmd: built(ts.MRange(ts.MinTimestamp, ts.MaxTimestamp,
			[]ts.Filter{ts.Equal("sensor", "t"), ts.NotEqual("room", "c")},
			ts.MRangeOptions{SelectedLabels: []string{"room"}})), want: []ts.Series{
			{Key: "temp:1", Labels: labels{"room": "a"}, Samples: temp1Samples},
			{Key: "temp:1:avg", Labels: labels{"room": "a"}, Samples: avgSamples},
			{Key: "temp:2", Labels: labels{"room": "b"}, Samples: temp2Samples},
		}},
		"ts_mrange_agg": {cmd: built(ts.MRange(ts.MinTimestamp, ts.MaxTimestamp, all, ts.MRangeOptions{RangeOptions: ts.RangeOptions{
			Aggregation: &ts.Aggregation{Aggregator: ts.AggSum, Bucket: 10 * time.Second},
		}})), want: []ts.Series{
			{Key: "temp:1", Samples: samples(0, 64.75, 10000, 47)},
			{Key: "temp:1:avg", Samples: avgSamples},
			{Key: "temp:2", Samples: samples(0, 31)},
			{Key: "temp:3", Samples: samples(0, 5)},
		}},
		"ts_mrange_groupby": {cmd: built(ts.MRange(ts.MinTimestamp, ts.MaxTimestamp, []ts.Filter{ts.In("sensor", "t", "h")}, ts.MRangeOptions{
			WithLabels: true, GroupBy: &ts.GroupBy{Label: "room", Reducer: ts.AggMax},
		})), want: []ts.Series{
			{Key: "room=a", Labels: labels{"room": "a"}, Samples: samples(0, 21.583333333333332, 1000, 40, 2000, 22.25, 3000, 22, 11000, 23, 12000, 24), Sources: []string{"hum:1", "temp:1", "temp:1:avg"}},
			{Key: "room=b", Labels: labels{"room": "b"}, Samples: temp2Samples, Sources: []string{"temp:2"}},
			{Key: "room=c", Labels: labels{"room": "c"}, Samples: temp3Samples, Sources: []string{"temp:3"}},
		}},
		"ts_mrange_groupby_nolabels": {cmd: built(ts.MRange(ts.MinTimestamp, ts.MaxTimestamp, all, ts.MRangeOptions{
			GroupBy: &ts.GroupBy{Label: "room", Reducer: ts.AggSum},
		})), want: []ts.Series{
			{Key: "room=a", Samples: samples(0, 21.583333333333332, 1000, 20.5, 2000, 22.25, 3000, 22, 11000, 23, 12000, 24)},
			{Key: "room=b", Samples: temp2Samples},
			{Key: "room=c", Samples: temp3Samples},
		}},
		"ts_mrevrange_withlabels_count": {cmd: built(ts.MRevRange(ts.MinTimestamp, ts.MaxTimestamp, []ts.Filter{ts.Equal("room", "a")}, ts.MRangeOptions{
			RangeOptions: ts.RangeOptions{Count: 1}, WithLabels: true,
		})), want: []ts.Series{
			{Key: "hum:1", Labels: labels{"sensor": "h", "room": "a"}, Samples: samples(1000, 40)},
			{Key: "temp:1", Labels: temp1Labels, Samples: samples(12000, 24)},
			{Key: "temp:1:avg", Labels: avgLabels, Samples: avgSamples},
		}},
		"ts_mrange_no_filter_err": {cmd: built(ts.MRange(ts.MinTimestamp, ts.MaxTimestamp, nil)), want: wantErr("ERR wrong number of arguments for 'ts.mrange' command"),
			notEncoded: "MRange without a filter: the API refuses it before sending"},
		"ts_mget": {cmd: built(ts.MGet(all)), want: []ts.LatestSample{
			{Key: "temp:1", Sample: latest(12000, 24)},
			{Key: "temp:1:avg", Sample: latest(0, 21.583333333333332)},
			{Key: "temp:2", Sample: latest(5000, 16)},
			{Key: "temp:3", Sample: latest(1000, 5)},
		}},
		"ts_mget_withlabels": {cmd: built(ts.MGet([]ts.Filter{ts.Equal("room", "a")}, ts.MGetOptions{WithLabels: true})), want: []ts.LatestSample{
			{Key: "hum:1", Labels: labels{"sensor": "h", "room": "a"}, Sample: latest(1000, 40)},
			{Key: "temp:1", Labels: temp1Labels, Sample: latest(12000, 24)},
			{Key: "temp:1:avg", Labels: avgLabels, Sample: latest(0, 21.583333333333332)},
		}},
		"ts_queryindex":        {cmd: built(ts.QueryIndex(ts.Equal("sensor", "t"))), want: []string{"temp:1", "temp:1:avg", "temp:2", "temp:3"}},
		"ts_info":              {cmd: built(ts.Info("temp:1")), want: temp1Info},
		"ts_info_debug":        {cmd: built(ts.InfoDebug("temp:1")), want: temp1InfoDebug()},
		"ts_alter":             {cmd: built(ts.Alter("temp:2", ts.SeriesOptions{Retention: 100 * time.Second, Labels: lbl("sensor", "t", "room", "b2")})), want: ok},
		"ts_del":               {cmd: built(ts.Del("temp:2", ts.Millis(0), ts.Millis(1000))), want: int64(1)},
		"ts_deleterule":        {cmd: built(ts.DeleteRule("temp:1", "temp:1:avg")), want: ok},
		"ts_add_wrongtype_err": {cmd: built(ts.Add("strkey", ts.Millis(1000), 1)), want: wantErr("ERR TSDB: the key is not a TSDB key")},
		"ts_add_bad_value_err": {cmd: built(ts.Add("temp:1", ts.Millis(1000), 0)), want: wantErr("ERR TSDB: invalid value"),
			notEncoded: `the case sends the value "abc"; Add takes a float64`},
		"ts_add_bad_ts_err":  {cmd: built(ts.Add("temp:1", ts.Millis(-5), 1)), want: wantErr("ERR TSDB: invalid timestamp, must be a nonnegative integer")},
		"ts_get_missing_err": {cmd: built(ts.Get("nokey")), want: wantErr("ERR TSDB: the key does not exist")},
		"type_ts":            {cmd: built(redis.Type("temp:1")), want: "TSDB-TYPE"},
	}
}

// sameValue compares decoded values; NaN equals NaN (reflect.DeepEqual
// says it does not), so values that differ only there compare equal by
// their Go syntax.
func sameValue(a, b any) bool {
	return reflect.DeepEqual(a, b) || fmt.Sprintf("%#v", a) == fmt.Sprintf("%#v", b)
}

// checkDecoded compares a decoded result with the expected one and
// reports whether they match.
func checkDecoded(t *testing.T, name string, proto int, got any, err error, want any) bool {
	t.Helper()
	if msg, ok := want.(wantErr); ok {
		if msg == "nil" {
			if !errors.Is(err, redis.ErrNil) {
				t.Errorf("%s RESP%d: got (%#v, %v), want redis.ErrNil", name, proto, got, err)
				return false
			}
			return true
		}
		var se *redis.Error
		if !errors.As(err, &se) || se.Msg != string(msg) || !errors.Is(err, &redis.Error{Msg: "ERR"}) {
			t.Errorf("%s RESP%d: got (%#v, %v), want the *redis.Error %q", name, proto, got, err, msg)
			return false
		}
		return true
	}
	if err != nil {
		t.Errorf("%s RESP%d: %v", name, proto, err)
		return false
	}
	if !sameValue(got, want) {
		t.Errorf("%s RESP%d:\n got %#v\nwant %#v", name, proto, got, want)
		return false
	}
	return true
}

func loadCaptures(t *testing.T) []*captures.Case {
	t.Helper()
	cases, err := captures.Load("timeseries")
	if err != nil {
		t.Fatal(err)
	}
	return cases
}

// TestCapturesDecode decodes every recorded reply, under RESP2 and RESP3,
// with the decoder the API uses for its command, to the same Go value.
func TestCapturesDecode(t *testing.T) {
	cases := loadCaptures(t)
	table := captureCases()
	decoded := 0
	for _, c := range cases {
		cc, ok := table[c.Name]
		if !ok {
			t.Errorf("%s: recorded but not in the test table", c.Name)
			continue
		}
		var results [2]any
		ok = true
		for i, proto := range []int{2, 3} {
			v, err := c.Reply(proto)
			if err != nil {
				t.Fatal(err)
			}
			got, err := cc.cmd.decode(v, nil)
			if !checkDecoded(t, c.Name, proto, got, err, cc.want) {
				ok = false
			}
			results[i] = got
		}
		if !sameValue(results[0], results[1]) {
			t.Errorf("%s: RESP2 gives %#v, RESP3 %#v", c.Name, results[0], results[1])
			ok = false
		}
		if ok {
			decoded++
		}
	}
	byName := captures.ByName(cases)
	for name := range table {
		if byName[name] == nil {
			t.Errorf("%s: in the test table but not recorded", name)
		}
	}
	t.Logf("%d/%d under RESP2 and RESP3", decoded, len(cases))
	if decoded != len(cases) {
		t.Errorf("decoded %d of %d cases", decoded, len(cases))
	}
}

// TestCapturesEncode compares the bytes the API builds for each recorded
// case with the bytes that were sent.
func TestCapturesEncode(t *testing.T) {
	cases := loadCaptures(t)
	table := captureCases()
	encoded, excluded := 0, 0
	for _, c := range cases {
		cc, ok := table[c.Name]
		if !ok {
			t.Errorf("%s: recorded but not in the test table", c.Name)
			continue
		}
		if cc.notEncoded != "" {
			excluded++
			if bytes.Equal(cc.cmd.bytes, c.Command()) {
				t.Errorf("%s: excluded (%s) but the API produces it", c.Name, cc.notEncoded)
			}
			continue
		}
		if cc.cmd.err != nil {
			t.Errorf("%s: building: %v", c.Name, cc.cmd.err)
			continue
		}
		if !bytes.Equal(cc.cmd.bytes, c.Command()) {
			t.Errorf("%s:\n got %q\nwant %q", c.Name, cc.cmd.bytes, c.Command())
			continue
		}
		encoded++
	}
	t.Logf("encoded %d/%d cases byte for byte; %d the API cannot produce by design", encoded, len(cases), excluded)
	if excluded > 2 {
		t.Errorf("%d cases excluded from the encoder test; keep the list small", excluded)
	}
}
