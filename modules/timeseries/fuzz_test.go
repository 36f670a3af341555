package timeseries_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/respkit/redis/internal/captures"
	"github.com/respkit/redis/internal/moduletest"
	ts "github.com/respkit/redis/modules/timeseries"
	"github.com/respkit/redis/resp"
)

// fuzzedDecoders are the decoders of every command shape of the package.
func fuzzedDecoders() []func(resp.Value, error) (any, error) {
	f := []ts.Filter{ts.Equal("a", "1")}
	group := &ts.GroupBy{Label: "a", Reducer: ts.AggMax}
	return []func(resp.Value, error) (any, error){
		moduletest.Build(ts.Create("k")).Decode,
		moduletest.Build(ts.Add("k", ts.Now, 1)).Decode,
		moduletest.Build(ts.MAdd(ts.MAddSample{Key: "k"})).Decode,
		moduletest.Build(ts.Del("k", ts.Timestamp{}, ts.Timestamp{})).Decode,
		moduletest.Build(ts.Get("k")).Decode,
		moduletest.Build(ts.Range("k", ts.Timestamp{}, ts.Timestamp{})).Decode,
		moduletest.Build(ts.MRange(ts.Timestamp{}, ts.Timestamp{}, f)).Decode,
		moduletest.Build(ts.MRange(ts.Timestamp{}, ts.Timestamp{}, f, ts.MRangeOptions{GroupBy: group})).Decode,
		moduletest.Build(ts.MRange(ts.Timestamp{}, ts.Timestamp{}, f, ts.MRangeOptions{GroupBy: group, WithLabels: true})).Decode,
		moduletest.Build(ts.MGet(f)).Decode,
		moduletest.Build(ts.QueryIndex(f...)).Decode,
		moduletest.Build(ts.Info("k")).Decode,
		moduletest.Build(ts.CreateRule("s", "d", ts.Rule{Aggregator: ts.AggAvg, Bucket: time.Second})).Decode,
	}
}

// FuzzDecoders feeds arbitrary replies to every decoder of the package:
// none may panic.
func FuzzDecoders(f *testing.F) {
	cases, err := captures.Load("timeseries")
	if err != nil {
		f.Fatal(err)
	}
	for _, c := range cases {
		f.Add(c.RESP2)
		f.Add(c.RESP3)
	}
	f.Add([]byte("%1\r\n$1\r\nk\r\n*4\r\n%0\r\n%1\r\n$7\r\nsources\r\n*1\r\n_\r\n%0\r\n*0\r\n"))
	f.Add([]byte("*2\r\n+rules\r\n%1\r\n$1\r\nd\r\n*1\r\n:1\r\n"))
	f.Add([]byte("*1\r\n*2\r\n:-9223372036854775808\r\n,inf\r\n"))
	decoders := fuzzedDecoders()
	f.Fuzz(func(t *testing.T, data []byte) {
		rd := resp.NewReader(bytes.NewReader(data), resp.Limits{MaxBulkLen: 1 << 16, MaxAggregateLen: 1 << 12, MaxDepth: 16})
		v, err := rd.Read()
		if err != nil {
			return
		}
		for _, d := range decoders {
			d(v, nil) // must not panic
		}
		// A decoded MADD has one result per element, each with a time or
		// an error.
		if rs, err := ts.MAdd(ts.MAddSample{Key: "k"}).Decode(v, nil); err == nil {
			for _, r := range rs {
				if r.Err != nil && !r.Time.IsZero() {
					t.Errorf("MADD result with both a time and an error: %#v", r)
				}
			}
		}
	})
}
