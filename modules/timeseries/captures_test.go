package timeseries_test

import (
	"math"
	"testing"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/internal/moduletest"
	ts "github.com/respkit/redis/modules/timeseries"
)

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

// captureCases maps every recorded case to the API call that produces it.
func captureCases() map[string]moduletest.Case {
	ok := struct{}{}
	all := []ts.Filter{ts.Equal("sensor", "t")}
	lbl := func(pairs ...string) []ts.Label {
		var out []ts.Label
		for i := 0; i+1 < len(pairs); i += 2 {
			out = append(out, ts.Label{Name: pairs[i], Value: pairs[i+1]})
		}
		return out
	}
	return map[string]moduletest.Case{
		"ts_create": {Cmd: moduletest.Build(ts.Create("temp:1", ts.SeriesOptions{
			Retention: ts.KeepForever, Encoding: ts.Compressed, ChunkSize: 4096, DuplicatePolicy: ts.DuplicateLast,
			Labels: lbl("sensor", "t", "room", "a"),
		})), Want: ok},
		"ts_create_2":          {Cmd: moduletest.Build(ts.Create("temp:2", ts.SeriesOptions{Labels: lbl("sensor", "t", "room", "b")})), Want: ok},
		"ts_create_3":          {Cmd: moduletest.Build(ts.Create("hum:1", ts.SeriesOptions{Labels: lbl("sensor", "h", "room", "a")})), Want: ok},
		"ts_create_agg_dest":   {Cmd: moduletest.Build(ts.Create("temp:1:avg", ts.SeriesOptions{Labels: lbl("sensor", "t", "room", "a", "kind", "agg")})), Want: ok},
		"ts_create_exists_err": {Cmd: moduletest.Build(ts.Create("temp:1")), Want: moduletest.FailsWith("ERR TSDB: key already exists")},
		"ts_createrule":        {Cmd: moduletest.Build(ts.CreateRule("temp:1", "temp:1:avg", ts.Rule{Aggregator: ts.AggAvg, Bucket: 10 * time.Second})), Want: ok},
		"ts_add":               {Cmd: moduletest.Build(ts.Add("temp:1", ts.Millis(1000), 20.5)), Want: ms(1000)},
		"ts_add_float":         {Cmd: moduletest.Build(ts.Add("temp:1", ts.At(ms(2000)), 21.25)), Want: ms(2000)},
		"ts_add_on_dup_sum":    {Cmd: moduletest.Build(ts.Add("temp:1", ts.Millis(2000), 1, ts.AddOptions{OnDuplicate: ts.DuplicateSum})), Want: ms(2000)},
		"ts_add_autocreate_labels": {Cmd: moduletest.Build(ts.Add("temp:3", ts.Millis(1000), 5, ts.AddOptions{SeriesOptions: ts.SeriesOptions{
			Retention: ts.KeepForever, Labels: lbl("sensor", "t", "room", "c"),
		}})), Want: ms(1000)},
		"ts_madd": {Cmd: moduletest.Build(ts.MAdd(
			ts.MAddSample{Key: "temp:1", At: ts.Millis(3000), Value: 22},
			ts.MAddSample{Key: "temp:1", At: ts.Millis(11000), Value: 23},
			ts.MAddSample{Key: "temp:2", At: ts.Millis(1000), Value: 15},
			ts.MAddSample{Key: "temp:2", At: ts.Millis(5000), Value: 16},
			ts.MAddSample{Key: "hum:1", At: ts.Millis(1000), Value: 40},
		)), Want: []ts.MAddResult{{Time: ms(3000)}, {Time: ms(11000)}, {Time: ms(1000)}, {Time: ms(5000)}, {Time: ms(1000)}}},
		"ts_madd_partial_err": {Cmd: moduletest.Build(ts.MAdd(
			ts.MAddSample{Key: "temp:1", At: ts.Millis(12000), Value: 24},
			ts.MAddSample{Key: "nokey", At: ts.Millis(1000), Value: 1},
		)), Want: []ts.MAddResult{{Time: ms(12000)}, {Err: &redis.Error{Msg: "ERR TSDB: the key is not a TSDB key"}}}},
		"ts_incrby":              {Cmd: moduletest.Build(ts.IncrBy("counter", 5, ts.IncrByOptions{At: ts.Millis(1000)})), Want: ms(1000)},
		"ts_decrby":              {Cmd: moduletest.Build(ts.DecrBy("counter", 2, ts.IncrByOptions{At: ts.Millis(2000)})), Want: ms(2000)},
		"ts_get":                 {Cmd: moduletest.Build(ts.Get("temp:1")), Want: ts.Sample{Time: ms(12000), Value: 24}},
		"ts_get_compaction_dest": {Cmd: moduletest.Build(ts.Get("temp:1:avg")), Want: ts.Sample{Time: ms(0), Value: 21.583333333333332}},
		"ts_create_empty":        {Cmd: moduletest.Build(ts.Create("empty:1")), Want: ok},
		"ts_get_empty":           {Cmd: moduletest.Build(ts.Get("empty:1")), Want: moduletest.Fails(redis.ErrNil)},
		"ts_range_empty":         {Cmd: moduletest.Build(ts.Range("empty:1", ts.MinTimestamp, ts.MaxTimestamp)), Want: []ts.Sample{}},
		"ts_range_all":           {Cmd: moduletest.Build(ts.Range("temp:1", ts.Timestamp{}, ts.Timestamp{})), Want: temp1Samples},
		"ts_range_count":         {Cmd: moduletest.Build(ts.Range("temp:1", ts.Millis(0), ts.MaxTimestamp, ts.RangeOptions{Count: 2})), Want: temp1Samples[:2]},
		"ts_range_agg_avg": {Cmd: moduletest.Build(ts.Range("temp:1", ts.MinTimestamp, ts.MaxTimestamp, ts.RangeOptions{
			Aggregation: &ts.Aggregation{Aggregator: ts.AggAvg, Bucket: 5 * time.Second},
		})), Want: samples(0, 21.583333333333332, 10000, 23.5)},
		"ts_range_agg_max_empty_bucketts": {Cmd: moduletest.Build(ts.Range("temp:1", ts.Millis(0), ts.Millis(20000), ts.RangeOptions{
			Aggregation: &ts.Aggregation{Aggregator: ts.AggMax, Bucket: 5 * time.Second, Align: ts.AlignStart, BucketTimestamp: ts.BucketMid, Empty: true},
		})), Want: samples(2500, 22.25, 7500, math.NaN(), 12500, 24)},
		"ts_range_filter_by_value": {Cmd: moduletest.Build(ts.Range("temp:1", ts.MinTimestamp, ts.MaxTimestamp, ts.RangeOptions{
			FilterByValue: &ts.ValueRange{Min: 21, Max: 30},
		})), Want: temp1Samples[1:]},
		"ts_range_filter_by_ts": {Cmd: moduletest.Build(ts.Range("temp:1", ts.MinTimestamp, ts.MaxTimestamp, ts.RangeOptions{
			FilterByTimestamps: []time.Time{ms(1000), ms(3000)},
		})), Want: samples(1000, 20.5, 3000, 22)},
		"ts_revrange":          {Cmd: moduletest.Build(ts.RevRange("temp:1", ts.MinTimestamp, ts.MaxTimestamp, ts.RangeOptions{Count: 3})), Want: samples(12000, 24, 11000, 23, 3000, 22)},
		"ts_range_missing_err": {Cmd: moduletest.Build(ts.Range("nokey", ts.MinTimestamp, ts.MaxTimestamp)), Want: moduletest.FailsWith("ERR TSDB: the key does not exist")},
		"ts_range_bad_agg_err": {Cmd: moduletest.Build(ts.Range("temp:1", ts.MinTimestamp, ts.MaxTimestamp, ts.RangeOptions{
			Aggregation: &ts.Aggregation{Aggregator: "bogus", Bucket: time.Second},
		})), Want: moduletest.FailsWith("ERR TSDB: Unknown aggregation type")},
		"ts_mrange_withlabels": {Cmd: moduletest.Build(ts.MRange(ts.MinTimestamp, ts.MaxTimestamp, all, ts.MRangeOptions{WithLabels: true})), Want: []ts.Series{
			{Key: "temp:1", Labels: temp1Labels, Samples: temp1Samples},
			{Key: "temp:1:avg", Labels: avgLabels, Samples: avgSamples},
			{Key: "temp:2", Labels: labels{"sensor": "t", "room": "b"}, Samples: temp2Samples},
			{Key: "temp:3", Labels: labels{"sensor": "t", "room": "c"}, Samples: temp3Samples},
		}},
		"ts_mrange_selected_labels": {Cmd: moduletest.Build(ts.MRange(ts.MinTimestamp, ts.MaxTimestamp,
			[]ts.Filter{ts.Equal("sensor", "t"), ts.NotEqual("room", "c")},
			ts.MRangeOptions{SelectedLabels: []string{"room"}})), Want: []ts.Series{
			{Key: "temp:1", Labels: labels{"room": "a"}, Samples: temp1Samples},
			{Key: "temp:1:avg", Labels: labels{"room": "a"}, Samples: avgSamples},
			{Key: "temp:2", Labels: labels{"room": "b"}, Samples: temp2Samples},
		}},
		"ts_mrange_agg": {Cmd: moduletest.Build(ts.MRange(ts.MinTimestamp, ts.MaxTimestamp, all, ts.MRangeOptions{RangeOptions: ts.RangeOptions{
			Aggregation: &ts.Aggregation{Aggregator: ts.AggSum, Bucket: 10 * time.Second},
		}})), Want: []ts.Series{
			{Key: "temp:1", Samples: samples(0, 64.75, 10000, 47)},
			{Key: "temp:1:avg", Samples: avgSamples},
			{Key: "temp:2", Samples: samples(0, 31)},
			{Key: "temp:3", Samples: samples(0, 5)},
		}},
		"ts_mrange_groupby": {Cmd: moduletest.Build(ts.MRange(ts.MinTimestamp, ts.MaxTimestamp, []ts.Filter{ts.In("sensor", "t", "h")}, ts.MRangeOptions{
			WithLabels: true, GroupBy: &ts.GroupBy{Label: "room", Reducer: ts.AggMax},
		})), Want: []ts.Series{
			{Key: "room=a", Labels: labels{"room": "a"}, Samples: samples(0, 21.583333333333332, 1000, 40, 2000, 22.25, 3000, 22, 11000, 23, 12000, 24), Sources: []string{"hum:1", "temp:1", "temp:1:avg"}},
			{Key: "room=b", Labels: labels{"room": "b"}, Samples: temp2Samples, Sources: []string{"temp:2"}},
			{Key: "room=c", Labels: labels{"room": "c"}, Samples: temp3Samples, Sources: []string{"temp:3"}},
		}},
		"ts_mrange_groupby_nolabels": {Cmd: moduletest.Build(ts.MRange(ts.MinTimestamp, ts.MaxTimestamp, all, ts.MRangeOptions{
			GroupBy: &ts.GroupBy{Label: "room", Reducer: ts.AggSum},
		})), Want: []ts.Series{
			{Key: "room=a", Samples: samples(0, 21.583333333333332, 1000, 20.5, 2000, 22.25, 3000, 22, 11000, 23, 12000, 24)},
			{Key: "room=b", Samples: temp2Samples},
			{Key: "room=c", Samples: temp3Samples},
		}},
		"ts_mrevrange_withlabels_count": {Cmd: moduletest.Build(ts.MRevRange(ts.MinTimestamp, ts.MaxTimestamp, []ts.Filter{ts.Equal("room", "a")}, ts.MRangeOptions{
			RangeOptions: ts.RangeOptions{Count: 1}, WithLabels: true,
		})), Want: []ts.Series{
			{Key: "hum:1", Labels: labels{"sensor": "h", "room": "a"}, Samples: samples(1000, 40)},
			{Key: "temp:1", Labels: temp1Labels, Samples: samples(12000, 24)},
			{Key: "temp:1:avg", Labels: avgLabels, Samples: avgSamples},
		}},
		"ts_mrange_no_filter_err": {Cmd: moduletest.Build(ts.MRange(ts.MinTimestamp, ts.MaxTimestamp, nil)), Want: moduletest.FailsWith("ERR wrong number of arguments for 'ts.mrange' command"),
			NotEncoded: "MRange without a filter: the API refuses it before sending"},
		"ts_mget": {Cmd: moduletest.Build(ts.MGet(all)), Want: []ts.LatestSample{
			{Key: "temp:1", Sample: latest(12000, 24)},
			{Key: "temp:1:avg", Sample: latest(0, 21.583333333333332)},
			{Key: "temp:2", Sample: latest(5000, 16)},
			{Key: "temp:3", Sample: latest(1000, 5)},
		}},
		"ts_mget_withlabels": {Cmd: moduletest.Build(ts.MGet([]ts.Filter{ts.Equal("room", "a")}, ts.MGetOptions{WithLabels: true})), Want: []ts.LatestSample{
			{Key: "hum:1", Labels: labels{"sensor": "h", "room": "a"}, Sample: latest(1000, 40)},
			{Key: "temp:1", Labels: temp1Labels, Sample: latest(12000, 24)},
			{Key: "temp:1:avg", Labels: avgLabels, Sample: latest(0, 21.583333333333332)},
		}},
		"ts_queryindex":        {Cmd: moduletest.Build(ts.QueryIndex(ts.Equal("sensor", "t"))), Want: []string{"temp:1", "temp:1:avg", "temp:2", "temp:3"}},
		"ts_info":              {Cmd: moduletest.Build(ts.Info("temp:1")), Want: temp1Info},
		"ts_info_debug":        {Cmd: moduletest.Build(ts.InfoDebug("temp:1")), Want: temp1InfoDebug()},
		"ts_alter":             {Cmd: moduletest.Build(ts.Alter("temp:2", ts.SeriesOptions{Retention: 100 * time.Second, Labels: lbl("sensor", "t", "room", "b2")})), Want: ok},
		"ts_del":               {Cmd: moduletest.Build(ts.Del("temp:2", ts.Millis(0), ts.Millis(1000))), Want: int64(1)},
		"ts_deleterule":        {Cmd: moduletest.Build(ts.DeleteRule("temp:1", "temp:1:avg")), Want: ok},
		"ts_add_wrongtype_err": {Cmd: moduletest.Build(ts.Add("strkey", ts.Millis(1000), 1)), Want: moduletest.FailsWith("ERR TSDB: the key is not a TSDB key")},
		"ts_add_bad_value_err": {Cmd: moduletest.Build(ts.Add("temp:1", ts.Millis(1000), 0)), Want: moduletest.FailsWith("ERR TSDB: invalid value"),
			NotEncoded: `the case sends the value "abc"; Add takes a float64`},
		"ts_add_bad_ts_err":  {Cmd: moduletest.Build(ts.Add("temp:1", ts.Millis(-5), 1)), Want: moduletest.FailsWith("ERR TSDB: invalid timestamp, must be a nonnegative integer")},
		"ts_get_missing_err": {Cmd: moduletest.Build(ts.Get("nokey")), Want: moduletest.FailsWith("ERR TSDB: the key does not exist")},
		"type_ts":            {Cmd: moduletest.Build(redis.Type("temp:1")), Want: "TSDB-TYPE"},
	}
}

// TestCapturesDecode decodes every recorded reply, under RESP2 and RESP3,
// with the decoder the API uses for its command, to the same Go value (a
// NaN equals a NaN).
func TestCapturesDecode(t *testing.T) {
	moduletest.Decode(t, "timeseries", captureCases())
}

// TestCapturesEncode compares the bytes the API builds for each recorded
// case with the bytes that were sent.
func TestCapturesEncode(t *testing.T) {
	moduletest.Encode(t, "timeseries", captureCases(), 2)
}
