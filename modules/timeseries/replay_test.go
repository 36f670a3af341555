package timeseries_test

import (
	"bytes"
	"context"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/internal/captures"
	ts "github.com/respkit/redis/modules/timeseries"
	"github.com/respkit/redis/resp"
)

// replayer is a TCP server that answers each recorded command with its
// recorded reply: RESP3 bytes on a connection that sent HELLO 3, RESP2
// bytes otherwise. It lets the Client's methods run end to end
// (handshake, encoding, the connection's reader, decoding) without a
// RedisTimeSeries server. A command that matches no recorded case, byte
// for byte, gets an error reply that names it.
type replayer struct {
	ln    net.Listener
	wg    sync.WaitGroup
	mu    sync.Mutex // guards replayed and open
	cases []*captures.Case
	// replayed marks the cases answered, so that a command recorded twice
	// gets its replies in order.
	replayed []bool
	open     []net.Conn
}

func startReplayer(t *testing.T, cases []*captures.Case) *replayer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &replayer{ln: ln, cases: cases, replayed: make([]bool, len(cases))}
	r.wg.Add(1)
	go r.acceptLoop()
	t.Cleanup(func() {
		ln.Close()
		r.mu.Lock()
		for _, c := range r.open {
			c.Close()
		}
		r.mu.Unlock()
		r.wg.Wait()
	})
	return r
}

func (r *replayer) acceptLoop() {
	defer r.wg.Done()
	for {
		c, err := r.ln.Accept()
		if err != nil {
			return
		}
		r.mu.Lock()
		r.open = append(r.open, c)
		r.mu.Unlock()
		r.wg.Add(1)
		go r.serve(c)
	}
}

func (r *replayer) serve(c net.Conn) {
	defer r.wg.Done()
	defer c.Close()
	rd := resp.NewReader(c, resp.Limits{})
	proto := 2
	for {
		v, err := rd.Read()
		if err != nil || v.Type() != resp.Array || v.Len() == 0 {
			return
		}
		var out []byte
		switch strings.ToUpper(v.Elems()[0].String()) {
		case "HELLO":
			if v.Len() > 1 && v.Elems()[1].String() == "3" {
				proto = 3
				out = []byte("%2\r\n+server\r\n+replay\r\n+proto\r\n:3\r\n")
			} else {
				out = []byte("*4\r\n+server\r\n+replay\r\n+proto\r\n:2\r\n")
			}
		case "CLIENT", "SELECT":
			out = []byte("+OK\r\n")
		case "PING":
			out = []byte("+PONG\r\n")
		default:
			args := make([]any, v.Len())
			for i, e := range v.Elems() {
				args[i] = e.Bytes()
			}
			sent, _ := resp.AppendCommand(nil, args...)
			out = r.reply(sent, proto)
		}
		if _, err := c.Write(out); err != nil {
			return
		}
	}
}

func (r *replayer) reply(sent []byte, proto int) []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, c := range r.cases {
		if !r.replayed[i] && bytes.Equal(c.Command(), sent) {
			r.replayed[i] = true
			return c.Raw(proto)
		}
	}
	return []byte("-REPLAY no recorded case sends " + strconv.Quote(string(sent)) + "\r\n")
}

// methodCall runs one recorded case through a method of Client.
type methodCall func(ctx context.Context, c *ts.Client) (any, error)

func call[T any](f func(ctx context.Context, c *ts.Client) (T, error)) methodCall {
	return func(ctx context.Context, c *ts.Client) (any, error) { return f(ctx, c) }
}

// status runs a method that returns only an error, as struct{}{} like the
// constructors' results.
func status(f func(ctx context.Context, c *ts.Client) error) methodCall {
	return func(ctx context.Context, c *ts.Client) (any, error) { return struct{}{}, f(ctx, c) }
}

// methodCalls maps each recorded case the API can send to the Client
// method that sends it, with the arguments of the capture table.
func methodCalls() map[string]methodCall {
	type C = context.Context
	type T = *ts.Client
	lbl := func(pairs ...string) []ts.Label {
		var out []ts.Label
		for i := 0; i+1 < len(pairs); i += 2 {
			out = append(out, ts.Label{Name: pairs[i], Value: pairs[i+1]})
		}
		return out
	}
	all := []ts.Filter{ts.Equal("sensor", "t")}
	whole := func(f func(C, T, string, ts.Timestamp, ts.Timestamp, ...ts.RangeOptions) ([]ts.Sample, error), key string, from, to ts.Timestamp, o ...ts.RangeOptions) methodCall {
		return call(func(ctx C, c T) ([]ts.Sample, error) { return f(ctx, c, key, from, to, o...) })
	}
	rng := func(ctx C, c T, key string, from, to ts.Timestamp, o ...ts.RangeOptions) ([]ts.Sample, error) {
		return c.Range(ctx, key, from, to, o...)
	}
	rev := func(ctx C, c T, key string, from, to ts.Timestamp, o ...ts.RangeOptions) ([]ts.Sample, error) {
		return c.RevRange(ctx, key, from, to, o...)
	}
	mrange := func(filters []ts.Filter, o ts.MRangeOptions) methodCall {
		return call(func(ctx C, c T) ([]ts.Series, error) {
			return c.MRange(ctx, ts.MinTimestamp, ts.MaxTimestamp, filters, o)
		})
	}
	add := func(key string, at int64, v float64, o ...ts.AddOptions) methodCall {
		return call(func(ctx C, c T) (time.Time, error) { return c.Add(ctx, key, ts.Millis(at), v, o...) })
	}
	create := func(key string, o ...ts.SeriesOptions) methodCall {
		return status(func(ctx C, c T) error { return c.Create(ctx, key, o...) })
	}
	get := func(key string) methodCall {
		return call(func(ctx C, c T) (ts.Sample, error) { return c.Get(ctx, key) })
	}
	lo, hi := ts.MinTimestamp, ts.MaxTimestamp
	return map[string]methodCall{
		"ts_create": create("temp:1", ts.SeriesOptions{
			Retention: ts.KeepForever, Encoding: ts.Compressed, ChunkSize: 4096, DuplicatePolicy: ts.DuplicateLast,
			Labels: lbl("sensor", "t", "room", "a"),
		}),
		"ts_create_2":          create("temp:2", ts.SeriesOptions{Labels: lbl("sensor", "t", "room", "b")}),
		"ts_create_3":          create("hum:1", ts.SeriesOptions{Labels: lbl("sensor", "h", "room", "a")}),
		"ts_create_agg_dest":   create("temp:1:avg", ts.SeriesOptions{Labels: lbl("sensor", "t", "room", "a", "kind", "agg")}),
		"ts_create_exists_err": create("temp:1"),
		"ts_createrule": status(func(ctx C, c T) error {
			return c.CreateRule(ctx, "temp:1", "temp:1:avg", ts.Rule{Aggregator: ts.AggAvg, Bucket: 10 * time.Second})
		}),
		"ts_add":                   add("temp:1", 1000, 20.5),
		"ts_add_float":             add("temp:1", 2000, 21.25),
		"ts_add_on_dup_sum":        add("temp:1", 2000, 1, ts.AddOptions{OnDuplicate: ts.DuplicateSum}),
		"ts_add_autocreate_labels": add("temp:3", 1000, 5, ts.AddOptions{SeriesOptions: ts.SeriesOptions{Retention: ts.KeepForever, Labels: lbl("sensor", "t", "room", "c")}}),
		"ts_madd": call(func(ctx C, c T) ([]ts.MAddResult, error) {
			return c.MAdd(ctx,
				ts.MAddSample{Key: "temp:1", At: ts.Millis(3000), Value: 22}, ts.MAddSample{Key: "temp:1", At: ts.Millis(11000), Value: 23},
				ts.MAddSample{Key: "temp:2", At: ts.Millis(1000), Value: 15}, ts.MAddSample{Key: "temp:2", At: ts.Millis(5000), Value: 16},
				ts.MAddSample{Key: "hum:1", At: ts.Millis(1000), Value: 40})
		}),
		"ts_madd_partial_err": call(func(ctx C, c T) ([]ts.MAddResult, error) {
			return c.MAdd(ctx, ts.MAddSample{Key: "temp:1", At: ts.Millis(12000), Value: 24}, ts.MAddSample{Key: "nokey", At: ts.Millis(1000), Value: 1})
		}),
		"ts_incrby": call(func(ctx C, c T) (time.Time, error) {
			return c.IncrBy(ctx, "counter", 5, ts.IncrByOptions{At: ts.Millis(1000)})
		}),
		"ts_decrby": call(func(ctx C, c T) (time.Time, error) {
			return c.DecrBy(ctx, "counter", 2, ts.IncrByOptions{At: ts.Millis(2000)})
		}),
		"ts_get":                 get("temp:1"),
		"ts_get_compaction_dest": get("temp:1:avg"),
		"ts_create_empty":        create("empty:1"),
		"ts_get_empty":           get("empty:1"),
		"ts_range_empty":         whole(rng, "empty:1", lo, hi),
		"ts_range_all":           whole(rng, "temp:1", lo, hi),
		"ts_range_count":         whole(rng, "temp:1", ts.Millis(0), hi, ts.RangeOptions{Count: 2}),
		"ts_range_agg_avg":       whole(rng, "temp:1", lo, hi, ts.RangeOptions{Aggregation: &ts.Aggregation{Aggregator: ts.AggAvg, Bucket: 5 * time.Second}}),
		"ts_range_agg_max_empty_bucketts": whole(rng, "temp:1", ts.Millis(0), ts.Millis(20000), ts.RangeOptions{
			Aggregation: &ts.Aggregation{Aggregator: ts.AggMax, Bucket: 5 * time.Second, Align: ts.AlignStart, BucketTimestamp: ts.BucketMid, Empty: true},
		}),
		"ts_range_filter_by_value": whole(rng, "temp:1", lo, hi, ts.RangeOptions{FilterByValue: &ts.ValueRange{Min: 21, Max: 30}}),
		"ts_range_filter_by_ts":    whole(rng, "temp:1", lo, hi, ts.RangeOptions{FilterByTimestamps: []time.Time{time.UnixMilli(1000), time.UnixMilli(3000)}}),
		"ts_revrange":              whole(rev, "temp:1", lo, hi, ts.RangeOptions{Count: 3}),
		"ts_range_missing_err":     whole(rng, "nokey", lo, hi),
		"ts_range_bad_agg_err":     whole(rng, "temp:1", lo, hi, ts.RangeOptions{Aggregation: &ts.Aggregation{Aggregator: "bogus", Bucket: time.Second}}),
		"ts_mrange_withlabels":     mrange(all, ts.MRangeOptions{WithLabels: true}),
		"ts_mrange_selected_labels": mrange([]ts.Filter{ts.Equal("sensor", "t"), ts.NotEqual("room", "c")},
			ts.MRangeOptions{SelectedLabels: []string{"room"}}),
		"ts_mrange_agg": mrange(all, ts.MRangeOptions{RangeOptions: ts.RangeOptions{Aggregation: &ts.Aggregation{Aggregator: ts.AggSum, Bucket: 10 * time.Second}}}),
		"ts_mrange_groupby": mrange([]ts.Filter{ts.In("sensor", "t", "h")},
			ts.MRangeOptions{WithLabels: true, GroupBy: &ts.GroupBy{Label: "room", Reducer: ts.AggMax}}),
		"ts_mrange_groupby_nolabels": mrange(all, ts.MRangeOptions{GroupBy: &ts.GroupBy{Label: "room", Reducer: ts.AggSum}}),
		"ts_mrevrange_withlabels_count": call(func(ctx C, c T) ([]ts.Series, error) {
			return c.MRevRange(ctx, lo, hi, []ts.Filter{ts.Equal("room", "a")}, ts.MRangeOptions{RangeOptions: ts.RangeOptions{Count: 1}, WithLabels: true})
		}),
		"ts_mget": call(func(ctx C, c T) ([]ts.LatestSample, error) { return c.MGet(ctx, all) }),
		"ts_mget_withlabels": call(func(ctx C, c T) ([]ts.LatestSample, error) {
			return c.MGet(ctx, []ts.Filter{ts.Equal("room", "a")}, ts.MGetOptions{WithLabels: true})
		}),
		"ts_queryindex": call(func(ctx C, c T) ([]string, error) { return c.QueryIndex(ctx, ts.Equal("sensor", "t")) }),
		"ts_info":       call(func(ctx C, c T) (ts.SeriesInfo, error) { return c.Info(ctx, "temp:1") }),
		"ts_info_debug": call(func(ctx C, c T) (ts.SeriesInfo, error) { return c.InfoDebug(ctx, "temp:1") }),
		"ts_alter": status(func(ctx C, c T) error {
			return c.Alter(ctx, "temp:2", ts.SeriesOptions{Retention: 100 * time.Second, Labels: lbl("sensor", "t", "room", "b2")})
		}),
		"ts_del":               call(func(ctx C, c T) (int64, error) { return c.Del(ctx, "temp:2", ts.Millis(0), ts.Millis(1000)) }),
		"ts_deleterule":        status(func(ctx C, c T) error { return c.DeleteRule(ctx, "temp:1", "temp:1:avg") }),
		"ts_add_wrongtype_err": add("strkey", 1000, 1),
		"ts_add_bad_ts_err":    add("temp:1", -5, 1),
		"ts_get_missing_err":   get("nokey"),
		"type_ts": func(ctx C, c T) (any, error) {
			return c.Redis().Type(ctx, "temp:1")
		},
	}
}

// TestReplay runs every recorded case the API can send through the
// Client's methods against the replayer, under RESP2 and RESP3, and
// checks the result against the capture table.
func TestReplay(t *testing.T) {
	cases := loadCaptures(t)
	table := captureCases()
	calls := methodCalls()
	for _, proto := range []int{2, 3} {
		t.Run("RESP"+strconv.Itoa(proto), func(t *testing.T) {
			srv := startReplayer(t, cases)
			rdb := redis.NewClient(&redis.Options{Addr: srv.ln.Addr().String(), Protocol: proto})
			defer rdb.Close()
			c := ts.New(rdb)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			ran := 0
			for _, cs := range cases {
				run, ok := calls[cs.Name]
				if !ok {
					if table[cs.Name].notEncoded == "" {
						t.Errorf("%s: no method call for a case the API can send", cs.Name)
					}
					continue
				}
				got, err := run(ctx, c)
				if checkDecoded(t, cs.Name, proto, got, err, table[cs.Name].want) {
					ran++
				}
			}
			t.Logf("%d/%d recorded cases end to end through Client methods under RESP%d", ran, len(cases), proto)
			if want := len(cases) - 2; ran != want {
				t.Errorf("%d cases passed, want %d", ran, want)
			}
		})
	}
}
