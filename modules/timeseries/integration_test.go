package timeseries_test

import (
	"context"
	"errors"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/internal/moduletest"
	ts "github.com/respkit/redis/modules/timeseries"
	"github.com/respkit/redis/redistest"
)

// The tests named TestIntegration* run against a server with the
// RedisTimeSeries module named by $REDIS_MODULES_URL, once per protocol;
// without one they skip, saying why. The CI server (plain Redis) has no
// modules, so there they skip; TestUnknownCommand runs on such a plain
// server instead.

// testSeries is a module server's client for one test: its prefix (with
// a hash tag, so that a cluster keeps the test's keys in one slot) and a
// label value unique to the test, so that filters see only its series.
type testSeries struct {
	rdb    *redis.Client
	ts     *ts.Client
	prefix string
	run    string
	keys   []string
}

// key returns the test's key for name, deleted when the test ends.
func (s *testSeries) key(name string) string {
	k := s.prefix + name
	s.keys = append(s.keys, k)
	return k
}

func moduleClient(t *testing.T, proto int) *testSeries {
	t.Helper()
	raw := redistest.ModuleServer(t, "timeseries")
	opts, err := redis.ParseURL(raw)
	if err != nil {
		t.Fatalf("%s: %v", redistest.ModulesURLEnv, err)
	}
	opts.Protocol = proto
	rdb := redis.NewClient(opts)
	run := moduletest.RunID()
	s := &testSeries{rdb: rdb, ts: ts.New(rdb), prefix: "timeseries-test:{" + run + "}:", run: run}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		for _, k := range s.keys {
			rdb.Do(ctx, "DEL", k)
		}
		rdb.Close()
	})
	return s
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// base is a whole minute, so that minute buckets start at it.
var base = time.UnixMilli(1_699_999_980_000)

func at(d time.Duration) time.Time { return base.Add(d) }

// TestIntegrationRollup keeps a per-minute average of a raw series with a
// compaction rule.
func TestIntegrationRollup(t *testing.T) {
	moduletest.EachProtocol(t, func(t *testing.T, proto int) {
		s := moduleClient(t, proto)
		ctx := testContext(t)
		raw, avg := s.key("raw"), s.key("avg")
		if err := s.ts.Create(ctx, raw, ts.SeriesOptions{
			DuplicatePolicy: ts.DuplicateLast, Retention: 24 * time.Hour,
			Labels: []ts.Label{{Name: "run", Value: s.run}, {Name: "kind", Value: "raw"}},
		}); err != nil {
			t.Fatal(err)
		}
		if err := s.ts.Create(ctx, avg, ts.SeriesOptions{Labels: []ts.Label{{Name: "run", Value: s.run}, {Name: "kind", Value: "avg"}}}); err != nil {
			t.Fatal(err)
		}
		if err := s.ts.CreateRule(ctx, raw, avg, ts.Rule{Aggregator: ts.AggAvg, Bucket: time.Minute}); err != nil {
			t.Fatal(err)
		}
		for _, smp := range []ts.Sample{{Time: at(0), Value: 10}, {Time: at(30 * time.Second), Value: 20}, {Time: at(time.Minute), Value: 30},
			{Time: at(90 * time.Second), Value: 50}, {Time: at(2 * time.Minute), Value: 5}} {
			got, err := s.ts.Add(ctx, raw, ts.At(smp.Time), smp.Value)
			if err != nil || !got.Equal(smp.Time) {
				t.Fatalf("Add %v: %v, %v", smp, got, err)
			}
		}
		closed := []ts.Sample{{Time: at(0), Value: 15}, {Time: at(time.Minute), Value: 40}}
		got, err := s.ts.Range(ctx, avg, ts.MinTimestamp, ts.MaxTimestamp)
		if err != nil || !sameSamples(got, closed) {
			t.Errorf("Range of the rollup: %v, %v; want %v", got, err, closed)
		}
		// LATEST adds the open bucket.
		got, err = s.ts.Range(ctx, avg, ts.MinTimestamp, ts.MaxTimestamp, ts.RangeOptions{Latest: true})
		if want := append(slices.Clone(closed), ts.Sample{Time: at(2 * time.Minute), Value: 5}); err != nil || !sameSamples(got, want) {
			t.Errorf("Range LATEST: %v, %v; want %v", got, err, want)
		}
		latest, err := s.ts.Get(ctx, avg, ts.GetOptions{Latest: true})
		if err != nil || !latest.Time.Equal(at(2*time.Minute)) || latest.Value != 5 {
			t.Errorf("Get LATEST: %v, %v", latest, err)
		}
		// The same rollup computed by the query.
		got, err = s.ts.Range(ctx, raw, ts.At(base), ts.Timestamp{}, ts.RangeOptions{Aggregation: &ts.Aggregation{Aggregator: ts.AggAvg, Bucket: time.Minute}})
		if want := append(slices.Clone(closed), ts.Sample{Time: at(2 * time.Minute), Value: 5}); err != nil || !sameSamples(got, want) {
			t.Errorf("Range AGGREGATION avg: %v, %v; want %v", got, err, want)
		}
		rev, err := s.ts.RevRange(ctx, raw, ts.MinTimestamp, ts.MaxTimestamp, ts.RangeOptions{Count: 2})
		if err != nil || len(rev) != 2 || rev[0].Value != 5 || rev[1].Value != 50 {
			t.Errorf("RevRange COUNT 2: %v, %v", rev, err)
		}

		info, err := s.ts.Info(ctx, raw)
		if err != nil {
			t.Fatal(err)
		}
		wantRules := []ts.Rule{{DestKey: avg, Aggregator: ts.AggAvg, Bucket: time.Minute}}
		if info.TotalSamples != 5 || info.Retention != 24*time.Hour || info.DuplicatePolicy != ts.DuplicateLast ||
			!info.FirstTimestamp.Equal(base) || !info.LastTimestamp.Equal(at(2*time.Minute)) ||
			!reflect.DeepEqual(info.Rules, wantRules) || info.Labels["kind"] != "raw" || info.Encoding != ts.Compressed {
			t.Errorf("Info(raw) = %+v", info)
		}
		if info, err := s.ts.InfoDebug(ctx, avg); err != nil || info.SourceKey != raw || info.KeySelfName != avg || len(info.Chunks) == 0 {
			t.Errorf("InfoDebug(avg) = %+v, %v", info, err)
		}

		if err := s.ts.DeleteRule(ctx, raw, avg); err != nil {
			t.Fatal(err)
		}
		if info, err := s.ts.Info(ctx, raw); err != nil || len(info.Rules) != 0 {
			t.Errorf("Info after DeleteRule: rules %v, %v", info.Rules, err)
		}
		n, err := s.ts.Del(ctx, raw, ts.At(base), ts.At(at(time.Minute)))
		if err != nil || n != 3 {
			t.Errorf("Del of the first minute: %d, %v", n, err)
		}
		if err := s.ts.Alter(ctx, raw, ts.SeriesOptions{Retention: ts.KeepForever, Labels: []ts.Label{{Name: "run", Value: s.run}}}); err != nil {
			t.Fatal(err)
		}
		if info, err := s.ts.Info(ctx, raw); err != nil || info.Retention != 0 || len(info.Labels) != 1 {
			t.Errorf("Info after Alter: %+v, %v", info, err)
		}
	})
}

func sameSamples(a, b []ts.Sample) bool {
	return slices.EqualFunc(a, b, func(x, y ts.Sample) bool {
		return x.Time.Equal(y.Time) && (x.Value == y.Value || math.IsNaN(x.Value) && math.IsNaN(y.Value))
	})
}

// TestIntegrationMRange queries several series by their labels.
func TestIntegrationMRange(t *testing.T) {
	moduletest.EachProtocol(t, func(t *testing.T, proto int) {
		s := moduleClient(t, proto)
		ctx := testContext(t)
		a, b, c := s.key("a"), s.key("b"), s.key("c")
		for key, lbl := range map[string][]string{a: {"temp", "x"}, b: {"temp", "y"}, c: {"hum", "x"}} {
			if err := s.ts.Create(ctx, key, ts.SeriesOptions{Labels: []ts.Label{
				{Name: "run", Value: s.run}, {Name: "kind", Value: lbl[0]}, {Name: "room", Value: lbl[1]},
			}}); err != nil {
				t.Fatal(err)
			}
		}
		res, err := s.ts.MAdd(ctx,
			ts.MAddSample{Key: a, At: ts.At(at(time.Second)), Value: 1},
			ts.MAddSample{Key: a, At: ts.At(at(2 * time.Second)), Value: 2},
			ts.MAddSample{Key: b, At: ts.At(at(time.Second)), Value: 10},
			ts.MAddSample{Key: c, At: ts.At(at(time.Second)), Value: 100},
		)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range res {
			if r.Err != nil {
				t.Errorf("MAdd sample %d: %v", i, r.Err)
			}
		}
		run := ts.Equal("run", s.run)

		temps, err := s.ts.MRange(ctx, ts.MinTimestamp, ts.MaxTimestamp, []ts.Filter{run, ts.Equal("kind", "temp")}, ts.MRangeOptions{WithLabels: true})
		want := []ts.Series{
			{Key: a, Labels: map[string]string{"run": s.run, "kind": "temp", "room": "x"}, Samples: []ts.Sample{{Time: at(time.Second), Value: 1}, {Time: at(2 * time.Second), Value: 2}}},
			{Key: b, Labels: map[string]string{"run": s.run, "kind": "temp", "room": "y"}, Samples: []ts.Sample{{Time: at(time.Second), Value: 10}}},
		}
		if err != nil || !sameSeries(temps, want) {
			t.Errorf("MRange kind=temp WITHLABELS:\n got %+v, %v\nwant %+v", temps, err, want)
		}

		// Every filter form.
		for _, q := range []struct {
			filters []ts.Filter
			keys    []string
		}{
			{[]ts.Filter{run, ts.NotEqual("kind", "temp")}, []string{c}},
			{[]ts.Filter{run, ts.In("room", "x", "z")}, []string{a, c}},
			{[]ts.Filter{run, ts.NotIn("room", "x")}, []string{b}},
			{[]ts.Filter{run, ts.HasLabel("room")}, []string{a, b, c}},
			{[]ts.Filter{run, ts.LacksLabel("room")}, nil},
		} {
			keys, err := s.ts.QueryIndex(ctx, q.filters...)
			if err != nil || !slices.Equal(keys, q.keys) && !(len(keys) == 0 && len(q.keys) == 0) {
				t.Errorf("QueryIndex %v: %q, %v; want %q", q.filters, keys, err, q.keys)
			}
		}

		grouped, err := s.ts.MRange(ctx, ts.MinTimestamp, ts.MaxTimestamp, []ts.Filter{run}, ts.MRangeOptions{
			WithLabels: true, GroupBy: &ts.GroupBy{Label: "room", Reducer: ts.AggSum},
		})
		if err != nil || len(grouped) != 2 {
			t.Fatalf("MRange GROUPBY room REDUCE sum: %+v, %v", grouped, err)
		}
		x, y := grouped[0], grouped[1]
		if x.Key != "room=x" || !reflect.DeepEqual(x.Labels, map[string]string{"room": "x"}) ||
			!sameSamples(x.Samples, []ts.Sample{{Time: at(time.Second), Value: 101}, {Time: at(2 * time.Second), Value: 2}}) ||
			!slices.Equal(slices.Sorted(slices.Values(x.Sources)), slices.Sorted(slices.Values([]string{a, c}))) {
			t.Errorf("group room=x: %+v", x)
		}
		if y.Key != "room=y" || !slices.Equal(y.Sources, []string{b}) || !sameSamples(y.Samples, []ts.Sample{{Time: at(time.Second), Value: 10}}) {
			t.Errorf("group room=y: %+v", y)
		}

		agg, err := s.ts.MRevRange(ctx, ts.MinTimestamp, ts.MaxTimestamp, []ts.Filter{run, ts.Equal("room", "x")}, ts.MRangeOptions{
			RangeOptions:   ts.RangeOptions{Aggregation: &ts.Aggregation{Aggregator: ts.AggCount, Bucket: time.Minute}},
			SelectedLabels: []string{"kind", "missing"},
		})
		if err != nil || len(agg) != 2 || agg[0].Key != a || agg[1].Key != c ||
			!reflect.DeepEqual(agg[0].Labels, map[string]string{"kind": "temp"}) || !sameSamples(agg[0].Samples, []ts.Sample{{Time: base, Value: 2}}) {
			t.Errorf("MRevRange count per minute, SELECTED_LABELS: %+v, %v", agg, err)
		}

		latest, err := s.ts.MGet(ctx, []ts.Filter{run}, ts.MGetOptions{SelectedLabels: []string{"room"}})
		if err != nil || len(latest) != 3 || latest[0].Key != a || !latest[0].Sample.Valid || latest[0].Sample.V.Value != 2 ||
			latest[2].Labels["room"] != "x" {
			t.Errorf("MGet: %+v, %v", latest, err)
		}
	})
}

func sameSeries(a, b []ts.Series) bool {
	return slices.EqualFunc(a, b, func(x, y ts.Series) bool {
		return x.Key == y.Key && reflect.DeepEqual(x.Labels, y.Labels) && sameSamples(x.Samples, y.Samples) && slices.Equal(x.Sources, y.Sources)
	})
}

// TestIntegrationMAddPartial checks that TS.MADD reports an error per
// sample while storing the others.
func TestIntegrationMAddPartial(t *testing.T) {
	moduletest.EachProtocol(t, func(t *testing.T, proto int) {
		s := moduleClient(t, proto)
		ctx := testContext(t)
		good, str, missing := s.key("good"), s.key("str"), s.key("missing")
		if err := s.ts.Create(ctx, good, ts.SeriesOptions{DuplicatePolicy: ts.DuplicateBlock}); err != nil {
			t.Fatal(err)
		}
		if err := s.rdb.Do(ctx, "SET", str, "text").Err(); err != nil {
			t.Fatal(err)
		}
		res, err := s.ts.MAdd(ctx,
			ts.MAddSample{Key: good, At: ts.Millis(1000), Value: 1},
			ts.MAddSample{Key: missing, At: ts.Millis(1000), Value: 3},
			ts.MAddSample{Key: good, At: ts.Millis(2000), Value: 4},
		)
		if err != nil || len(res) != 3 {
			t.Fatalf("MAdd: %+v, %v", res, err)
		}
		for i, stored := range []bool{true, false, true} {
			var se *redis.Error
			switch {
			case stored && (res[i].Err != nil || res[i].Time.IsZero()):
				t.Errorf("sample %d: %+v, want stored", i, res[i])
			case !stored && !errors.As(res[i].Err, &se):
				t.Errorf("sample %d: %+v, want a *redis.Error", i, res[i])
			}
		}
		if got, err := s.ts.Range(ctx, good, ts.Timestamp{}, ts.Timestamp{}); err != nil || len(got) != 2 {
			t.Errorf("Range after MAdd: %v, %v", got, err)
		}
		// A sample the duplicate policy refuses is an error of its own too.
		res, err = s.ts.MAdd(ctx, ts.MAddSample{Key: good, At: ts.Millis(1000), Value: 9}, ts.MAddSample{Key: good, At: ts.Millis(3000), Value: 5})
		if err != nil || len(res) != 2 || res[0].Err == nil || res[1].Err != nil {
			t.Errorf("MAdd with a duplicate (BLOCK): %+v, %v", res, err)
		}
		// Whole-call errors.
		if _, err := s.ts.Add(ctx, str, ts.Now, 1); !errors.Is(err, &redis.Error{Msg: "ERR"}) && !errors.Is(err, redis.ErrWrongType) {
			t.Errorf("Add to a string: %v", err)
		}
		if _, err := s.ts.Get(ctx, missing); err == nil {
			t.Error("Get of a missing key succeeded")
		}
		if err := s.ts.Create(ctx, s.key("empty")); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ts.Get(ctx, s.prefix+"empty"); !errors.Is(err, redis.ErrNil) {
			t.Errorf("Get of an empty series: %v, want redis.ErrNil", err)
		}
	})
}

// TestIntegrationPipeline runs the constructors in a pipeline and a
// transaction, with a command refused before sending among them.
func TestIntegrationPipeline(t *testing.T) {
	moduletest.EachProtocol(t, func(t *testing.T, proto int) {
		s := moduleClient(t, proto)
		ctx := testContext(t)
		k := s.key("p")
		p := s.rdb.Pipeline()
		created := redis.Queue(p, ts.Create(k, ts.SeriesOptions{DuplicatePolicy: ts.DuplicateSum}))
		incr := redis.Queue(p, ts.IncrBy(k, 5, ts.IncrByOptions{At: ts.Millis(10)})) // an empty series counts from 0
		added := redis.Queue(p, ts.Add(k, ts.Millis(20), 1))
		refused := redis.Queue(p, ts.Add(k, ts.MaxTimestamp, 1))
		summed := redis.Queue(p, ts.Add(k, ts.Millis(20), 2))
		got := redis.Queue(p, ts.Range(k, ts.Timestamp{}, ts.Timestamp{}))
		if err := p.Exec(ctx); err == nil {
			t.Error("Exec: no error, want the refused command's")
		}
		if _, err := created.Result(); err != nil {
			t.Errorf("Create: %v", err)
		}
		if tm, err := incr.Result(); err != nil || tm.UnixMilli() != 10 {
			t.Errorf("IncrBy: %v, %v", tm, err)
		}
		if tm, err := added.Result(); err != nil || tm.UnixMilli() != 20 {
			t.Errorf("Add: %v, %v", tm, err)
		}
		if _, err := refused.Result(); err == nil || redis.MayHaveRun(err) {
			t.Errorf("refused Add: %v (MayHaveRun %v)", err, redis.MayHaveRun(err))
		}
		if _, err := summed.Result(); err != nil {
			t.Errorf("Add (SUM): %v", err)
		}
		want := []ts.Sample{{Time: time.UnixMilli(10), Value: 5}, {Time: time.UnixMilli(20), Value: 3}}
		if smp, err := got.Result(); err != nil || !sameSamples(smp, want) {
			t.Errorf("Range: %v, %v; want %v", smp, err, want)
		}

		tx := s.rdb.TxPipeline()
		redis.Queue(tx, ts.Add(k, ts.Millis(25), 4))
		dec := redis.Queue(tx, ts.DecrBy(k, 1, ts.IncrByOptions{At: ts.Millis(30)}))
		last := redis.Queue(tx, ts.Get(k))
		if err := tx.Exec(ctx); err != nil {
			t.Fatal(err)
		}
		if tm, err := dec.Result(); err != nil || tm.UnixMilli() != 30 {
			t.Errorf("DecrBy: %v, %v", tm, err)
		}
		if smp, err := last.Result(); err != nil || smp.Time.UnixMilli() != 30 || smp.Value != 3 {
			t.Errorf("Get in the transaction: %v, %v; want 3 at 30", smp, err)
		}
	})
}

// TestIntegrationNaN stores a NaN (RedisTimeSeries 8.6 and later accept
// one) and reads it back; it skips on a server that refuses NaN values.
func TestIntegrationNaN(t *testing.T) {
	moduletest.EachProtocol(t, func(t *testing.T, proto int) {
		s := moduleClient(t, proto)
		ctx := testContext(t)
		k := s.key("nan")
		if _, err := s.ts.Add(ctx, k, ts.Millis(1), math.NaN()); err != nil {
			t.Skipf("the server refuses a NaN sample: %v", err)
		}
		got, err := s.ts.Get(ctx, k)
		if err != nil || !math.IsNaN(got.Value) {
			t.Errorf("Get: %v, %v; want NaN", got, err)
		}
	})
}

// TestUnknownCommand runs the package against a server without the
// module: every command reaches the server and its error is reported as a
// *redis.Error, alone and in a pipeline.
func TestUnknownCommand(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{})
	moduletest.EachProtocol(t, func(t *testing.T, proto int) {
		rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), Protocol: proto})
		defer rdb.Close()
		c := ts.New(rdb)
		ctx := testContext(t)
		check := func(what string, err error) {
			t.Helper()
			var se *redis.Error
			if !errors.As(err, &se) || !errors.Is(err, &redis.Error{Msg: "ERR"}) || !strings.Contains(se.Msg, "unknown command") || !strings.Contains(strings.ToUpper(se.Msg), "TS.") {
				t.Errorf("%s: %v (%T), want the server's unknown command error as a *redis.Error", what, err, err)
			}
		}
		check("Create", c.Create(ctx, "k"))
		_, err := c.Add(ctx, "k", ts.Now, 1)
		check("Add", err)
		_, err = c.MRange(ctx, ts.MinTimestamp, ts.MaxTimestamp, []ts.Filter{ts.Equal("a", "b")}, ts.MRangeOptions{WithLabels: true})
		check("MRange", err)
		_, err = c.MAdd(ctx, ts.MAddSample{Key: "k", Value: 1})
		check("MAdd", err)

		p := rdb.Pipeline()
		r1 := redis.Queue(p, ts.Info("k"))
		r2 := redis.Queue(p, ts.QueryIndex()) // refused: no filter
		r3 := redis.Queue(p, ts.Range("k", ts.Timestamp{}, ts.Timestamp{}))
		if err := p.Exec(ctx); err == nil {
			t.Error("pipeline Exec: no error")
		}
		_, err = r1.Result()
		check("pipeline Info", err)
		if _, err := r2.Result(); err == nil || strings.Contains(err.Error(), "unknown command") {
			t.Errorf("pipeline QueryIndex without filters: %v, want the package's refusal", err)
		}
		_, err = r3.Result()
		check("pipeline Range", err)

		// The connection is still good after the errors.
		if err := rdb.Do(ctx, "PING").Err(); err != nil {
			t.Errorf("PING after the errors: %v", err)
		}
	})
}
