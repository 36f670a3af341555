package bloom_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/respkit/redis"
	"github.com/respkit/redis/modules/bloom"
	"github.com/respkit/redis/resp"
)

// replayTransport is a redis.Transport that answers from a script instead
// of a network: for each command (by its exact bytes) the reply to give.
// It records what was sent. It lets the tests run the Client's methods
// through a real *redis.Client without a server.
type replayTransport struct {
	mu      sync.Mutex
	replies map[string][]resp.Value // by command bytes; used in order
	sent    []string                // guarded by mu
}

var _ redis.Transport = (*replayTransport)(nil)

func newReplay() *replayTransport { return &replayTransport{replies: map[string][]resp.Value{}} }

// answer scripts reply for the command args encode to.
func (r *replayTransport) answer(t *testing.T, reply resp.Value, args ...any) {
	t.Helper()
	b, err := resp.AppendCommand(nil, args...)
	if err != nil {
		t.Fatal(err)
	}
	r.replies[string(b)] = append(r.replies[string(b)], reply)
}

func (r *replayTransport) Do(_ context.Context, cmd *redis.Cmd) (resp.Value, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	b := string(cmd.Bytes())
	r.sent = append(r.sent, b)
	queue := r.replies[b]
	if len(queue) == 0 {
		return resp.Value{}, fmt.Errorf("replay: no reply scripted for %q", b)
	}
	r.replies[b] = queue[1:]
	return queue[0], nil
}

func (r *replayTransport) DoMulti(ctx context.Context, cmds []*redis.Cmd, out []resp.Value) error {
	for i, c := range cmds {
		v, err := r.Do(ctx, c)
		if err != nil {
			return err
		}
		out[i] = v
	}
	return nil
}

func (r *replayTransport) Dedicated(context.Context, int) (redis.DedicatedConn, error) {
	return nil, errors.New("replay: no dedicated connections")
}

func (r *replayTransport) Close() error { return nil }

func replayClient(t *testing.T, r *replayTransport) *bloom.Client {
	rdb := redis.NewClientWithTransport(r, &redis.Options{})
	t.Cleanup(func() { rdb.Close() })
	return bloom.New(rdb)
}

func noValue(err error) (any, error) { return struct{}{}, err }

func value[T any](v T, err error) (any, error) { return v, err }

// methodCalls maps each recorded case the API can produce to the Client
// method call that sends it.
func methodCalls() map[string]func(context.Context, *bloom.Client) (any, error) {
	type (
		C   = context.Context
		B   = *bloom.Client
		inc = bloom.Increment
	)
	return map[string]func(C, B) (any, error){
		"bf_reserve": func(ctx C, b B) (any, error) { return noValue(b.BFReserve(ctx, "bf:1", 0.01, 1000)) },
		"bf_reserve_expansion_nonscaling": func(ctx C, b B) (any, error) {
			return noValue(b.BFReserve(ctx, "bf:ns", 0.001, 100, bloom.BFReserveOptions{NonScaling: true}))
		},
		"bf_reserve_exists_err": func(ctx C, b B) (any, error) { return noValue(b.BFReserve(ctx, "bf:1", 0.01, 1000)) },
		"bf_add_new":            func(ctx C, b B) (any, error) { return value(b.BFAdd(ctx, "bf:1", "apple")) },
		"bf_add_dup":            func(ctx C, b B) (any, error) { return value(b.BFAdd(ctx, "bf:1", "apple")) },
		"bf_madd":               func(ctx C, b B) (any, error) { return value(b.BFMAdd(ctx, "bf:1", "apple", "banana", "cherry")) },
		"bf_exists_yes":         func(ctx C, b B) (any, error) { return value(b.BFExists(ctx, "bf:1", "banana")) },
		"bf_exists_no":          func(ctx C, b B) (any, error) { return value(b.BFExists(ctx, "bf:1", "zzz")) },
		"bf_exists_missing_key": func(ctx C, b B) (any, error) { return value(b.BFExists(ctx, "bf:nokey", "zzz")) },
		"bf_mexists":            func(ctx C, b B) (any, error) { return value(b.BFMExists(ctx, "bf:1", "apple", "zzz", "cherry")) },
		"bf_insert": func(ctx C, b B) (any, error) {
			return value(b.BFInsert(ctx, "bf:2", []string{"x", "y", "x"}, bloom.BFInsertOptions{Capacity: 500, ErrorRate: 0.001}))
		},
		"bf_insert_nocreate_err": func(ctx C, b B) (any, error) {
			return value(b.BFInsert(ctx, "bf:none", []string{"x"}, bloom.BFInsertOptions{NoCreate: true}))
		},
		"bf_card":                 func(ctx C, b B) (any, error) { return value(b.BFCard(ctx, "bf:1")) },
		"bf_info":                 func(ctx C, b B) (any, error) { return value(b.BFInfo(ctx, "bf:1")) },
		"bf_info_capacity":        func(ctx C, b B) (any, error) { return value(b.BFInfoValue(ctx, "bf:1", bloom.BFInfoCapacity)) },
		"bf_info_items":           func(ctx C, b B) (any, error) { return value(b.BFInfoValue(ctx, "bf:1", bloom.BFInfoItems)) },
		"bf_info_missing_err":     func(ctx C, b B) (any, error) { return value(b.BFInfo(ctx, "bf:nokey")) },
		"bf_add_wrongtype_err":    func(ctx C, b B) (any, error) { return value(b.BFAdd(ctx, "strkey", "x")) },
		"bf_reserve_bad_rate_err": func(ctx C, b B) (any, error) { return noValue(b.BFReserve(ctx, "bf:bad", 2, 100)) },
		"bf_scandump_first":       func(ctx C, b B) (any, error) { return value(b.BFScanDump(ctx, "bf:ns", 0)) },

		"cf_reserve": func(ctx C, b B) (any, error) {
			return noValue(b.CFReserve(ctx, "cf:1", 1000, bloom.CFReserveOptions{BucketSize: 2, MaxIterations: 20, Expansion: 1}))
		},
		"cf_add":               func(ctx C, b B) (any, error) { return value(b.CFAdd(ctx, "cf:1", "apple")) },
		"cf_add_dup":           func(ctx C, b B) (any, error) { return value(b.CFAdd(ctx, "cf:1", "apple")) },
		"cf_addnx_dup":         func(ctx C, b B) (any, error) { return value(b.CFAddNX(ctx, "cf:1", "apple")) },
		"cf_insert":            func(ctx C, b B) (any, error) { return value(b.CFInsert(ctx, "cf:1", []string{"banana", "cherry"})) },
		"cf_insertnx":          func(ctx C, b B) (any, error) { return value(b.CFInsertNX(ctx, "cf:1", []string{"banana", "date"})) },
		"cf_exists":            func(ctx C, b B) (any, error) { return value(b.CFExists(ctx, "cf:1", "apple")) },
		"cf_mexists":           func(ctx C, b B) (any, error) { return value(b.CFMExists(ctx, "cf:1", "apple", "zzz")) },
		"cf_count":             func(ctx C, b B) (any, error) { return value(b.CFCount(ctx, "cf:1", "apple")) },
		"cf_del":               func(ctx C, b B) (any, error) { return value(b.CFDel(ctx, "cf:1", "apple")) },
		"cf_del_missing_item":  func(ctx C, b B) (any, error) { return value(b.CFDel(ctx, "cf:1", "nothere")) },
		"cf_info":              func(ctx C, b B) (any, error) { return value(b.CFInfo(ctx, "cf:1")) },
		"cf_add_wrongtype_err": func(ctx C, b B) (any, error) { return value(b.CFAdd(ctx, "bf:1", "x")) },

		"cms_initbydim":  func(ctx C, b B) (any, error) { return noValue(b.CMSInitByDim(ctx, "cms:1", 2000, 5)) },
		"cms_initbyprob": func(ctx C, b B) (any, error) { return noValue(b.CMSInitByProb(ctx, "cms:2", 0.001, 0.01)) },
		"cms_incrby": func(ctx C, b B) (any, error) {
			return value(b.CMSIncrBy(ctx, "cms:1", inc{Item: "a", By: 5}, inc{Item: "b", By: 3}))
		},
		"cms_query":       func(ctx C, b B) (any, error) { return value(b.CMSQuery(ctx, "cms:1", "a", "b", "c")) },
		"cms_incrby_cms2": func(ctx C, b B) (any, error) { return value(b.CMSIncrBy(ctx, "cms:2", inc{Item: "a", By: 1})) },
		"cms_merge_weights": func(ctx C, b B) (any, error) {
			return noValue(b.CMSMerge(ctx, "cms:3", []string{"cms:1", "cms:1"}, 1, 2))
		},
		"cms_initbydim_dest": func(ctx C, b B) (any, error) { return noValue(b.CMSInitByDim(ctx, "cms:3", 2000, 5)) },
		"cms_merge": func(ctx C, b B) (any, error) {
			return noValue(b.CMSMerge(ctx, "cms:3", []string{"cms:1", "cms:1"}, 1, 2))
		},
		"cms_query_merged":      func(ctx C, b B) (any, error) { return value(b.CMSQuery(ctx, "cms:3", "a")) },
		"cms_info":              func(ctx C, b B) (any, error) { return value(b.CMSInfo(ctx, "cms:1")) },
		"cms_query_missing_err": func(ctx C, b B) (any, error) { return value(b.CMSQuery(ctx, "cms:none", "a")) },

		"topk_reserve": func(ctx C, b B) (any, error) {
			return noValue(b.TopKReserve(ctx, "topk:1", 3, bloom.TopKReserveOptions{Width: 50, Depth: 4, Decay: 0.9}))
		},
		"topk_add": func(ctx C, b B) (any, error) {
			return value(b.TopKAdd(ctx, "topk:1", "a", "b", "c", "a", "d", "a", "b", "e"))
		},
		"topk_incrby": func(ctx C, b B) (any, error) {
			return value(b.TopKIncrBy(ctx, "topk:1", inc{Item: "x", By: 10}, inc{Item: "y", By: 1}))
		},
		"topk_query":          func(ctx C, b B) (any, error) { return value(b.TopKQuery(ctx, "topk:1", "a", "x", "zzz")) },
		"topk_count":          func(ctx C, b B) (any, error) { return value(b.TopKCount(ctx, "topk:1", "a", "x")) },
		"topk_list":           func(ctx C, b B) (any, error) { return value(b.TopKList(ctx, "topk:1")) },
		"topk_list_withcount": func(ctx C, b B) (any, error) { return value(b.TopKListWithCount(ctx, "topk:1")) },
		"topk_info":           func(ctx C, b B) (any, error) { return value(b.TopKInfo(ctx, "topk:1")) },

		"tdigest_create": func(ctx C, b B) (any, error) {
			return noValue(b.TDigestCreate(ctx, "td:1", bloom.TDigestCreateOptions{Compression: 100}))
		},
		"tdigest_create_empty": func(ctx C, b B) (any, error) { return noValue(b.TDigestCreate(ctx, "td:empty")) },
		"tdigest_add": func(ctx C, b B) (any, error) {
			return noValue(b.TDigestAdd(ctx, "td:1", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10))
		},
		"tdigest_min":            func(ctx C, b B) (any, error) { return value(b.TDigestMin(ctx, "td:1")) },
		"tdigest_max":            func(ctx C, b B) (any, error) { return value(b.TDigestMax(ctx, "td:1")) },
		"tdigest_min_empty":      func(ctx C, b B) (any, error) { return value(b.TDigestMin(ctx, "td:empty")) },
		"tdigest_quantile":       func(ctx C, b B) (any, error) { return value(b.TDigestQuantile(ctx, "td:1", 0, 0.5, 0.9, 1)) },
		"tdigest_quantile_empty": func(ctx C, b B) (any, error) { return value(b.TDigestQuantile(ctx, "td:empty", 0.5)) },
		"tdigest_cdf":            func(ctx C, b B) (any, error) { return value(b.TDigestCDF(ctx, "td:1", 0, 5, 11)) },
		"tdigest_trimmed_mean":   func(ctx C, b B) (any, error) { return value(b.TDigestTrimmedMean(ctx, "td:1", 0.1, 0.9)) },
		"tdigest_rank":           func(ctx C, b B) (any, error) { return value(b.TDigestRank(ctx, "td:1", 0, 5, 100)) },
		"tdigest_revrank":        func(ctx C, b B) (any, error) { return value(b.TDigestRevRank(ctx, "td:1", 0, 5, 100)) },
		"tdigest_byrank":         func(ctx C, b B) (any, error) { return value(b.TDigestByRank(ctx, "td:1", 0, 5, 100)) },
		"tdigest_byrevrank":      func(ctx C, b B) (any, error) { return value(b.TDigestByRevRank(ctx, "td:1", 0, 5, 100)) },
		"tdigest_merge": func(ctx C, b B) (any, error) {
			return noValue(b.TDigestMerge(ctx, "td:m", []string{"td:1", "td:empty"}, bloom.TDigestMergeOptions{Compression: 50, Override: true}))
		},
		"tdigest_info":          func(ctx C, b B) (any, error) { return value(b.TDigestInfo(ctx, "td:1")) },
		"tdigest_reset":         func(ctx C, b B) (any, error) { return noValue(b.TDigestReset(ctx, "td:1")) },
		"tdigest_wrongtype_err": func(ctx C, b B) (any, error) { return noValue(b.TDigestAdd(ctx, "strkey", 1)) },

		"type_bf":      func(ctx C, b B) (any, error) { return value(b.Redis().Type(ctx, "bf:1")) },
		"type_cf":      func(ctx C, b B) (any, error) { return value(b.Redis().Type(ctx, "cf:1")) },
		"type_cms":     func(ctx C, b B) (any, error) { return value(b.Redis().Type(ctx, "cms:1")) },
		"type_topk":    func(ctx C, b B) (any, error) { return value(b.Redis().Type(ctx, "topk:1")) },
		"type_tdigest": func(ctx C, b B) (any, error) { return value(b.Redis().Type(ctx, "td:1")) },
	}
}

// TestMethodsReplayCaptures runs each recorded case through the Client
// method that produces it, over a *redis.Client whose transport answers
// with the recorded reply: the method must send exactly the recorded
// bytes and return the value the decoder tests expect.
func TestMethodsReplayCaptures(t *testing.T) {
	cases := loadCaptures(t)
	table := captureCases()
	calls := methodCalls()
	ctx := context.Background()
	ran := 0
	for _, c := range cases {
		cc := table[c.Name]
		call, ok := calls[c.Name]
		if !ok {
			if cc.notEncoded == "" {
				t.Errorf("%s: no method call in the table", c.Name)
			}
			continue
		}
		ok = true
		for _, proto := range []int{2, 3} {
			v, err := c.Reply(proto)
			if err != nil {
				t.Fatal(err)
			}
			r := newReplay()
			r.replies[string(c.Command())] = []resp.Value{v}
			got, err := call(ctx, replayClient(t, r))
			if len(r.sent) != 1 || r.sent[0] != string(c.Command()) {
				t.Errorf("%s RESP%d: sent %q, want %q", c.Name, proto, r.sent, c.Command())
				ok = false
				continue
			}
			if !checkDecoded(t, c.Name, proto, got, err, cc.want) {
				ok = false
			}
		}
		if ok {
			ran++
		}
	}
	for name := range calls {
		if _, known := table[name]; !known {
			t.Errorf("%s: method call for a case that was not recorded", name)
		}
	}
	t.Logf("%d/%d recorded cases replayed through Client methods under RESP2 and RESP3", ran, len(cases))
}

// TestCopyOverReplay runs BFCopy and CFCopy through a *redis.Client whose
// transport answers a whole dump: the commands go out in the order of the
// conversation, and each chunk is loaded as it arrives.
func TestCopyOverReplay(t *testing.T) {
	ctx := context.Background()
	header := readValue(t, "*2\r\n:1\r\n$6\r\nheader\r\n")
	ok := readValue(t, "+OK\r\n")

	for _, family := range []string{"BF", "CF"} {
		r := newReplay()
		r.answer(t, header, family+".SCANDUMP", "src", "0")
		r.answer(t, readValue(t, "*2\r\n:7\r\n$4\r\ndata\r\n"), family+".SCANDUMP", "src", "1")
		r.answer(t, readValue(t, "*2\r\n:0\r\n_\r\n"), family+".SCANDUMP", "src", "7")
		r.answer(t, ok, family+".LOADCHUNK", "dst", "1", "header")
		r.answer(t, ok, family+".LOADCHUNK", "dst", "7", "data")
		b := replayClient(t, r)
		var err error
		if family == "BF" {
			err = b.BFCopy(ctx, "src", "dst")
		} else {
			err = b.CFCopy(ctx, "src", "dst")
		}
		if err != nil {
			t.Fatalf("%sCopy: %v", family, err)
		}
		want := []string{
			cmdString(t, family+".SCANDUMP", "src", "0"),
			cmdString(t, family+".LOADCHUNK", "dst", "1", "header"),
			cmdString(t, family+".SCANDUMP", "src", "1"),
			cmdString(t, family+".LOADCHUNK", "dst", "7", "data"),
			cmdString(t, family+".SCANDUMP", "src", "7"),
		}
		if !slices.Equal(r.sent, want) {
			t.Errorf("%sCopy sent\n%q\nwant\n%q", family, r.sent, want)
		}
	}

	// A refused chunk stops the copy with the server's error.
	r := newReplay()
	r.answer(t, header, "BF.SCANDUMP", "src", "0")
	r.answer(t, readValue(t, "-ERR invalid header\r\n"), "BF.LOADCHUNK", "dst", "1", "header")
	err := replayClient(t, r).BFCopy(ctx, "src", "dst")
	var se *redis.Error
	if !errors.As(err, &se) || se.Msg != "ERR invalid header" || len(r.sent) != 2 {
		t.Errorf("BFCopy with a refused chunk: %v after %q", err, r.sent)
	}

	// Saved chunks load in order.
	r = newReplay()
	r.answer(t, ok, "CF.LOADCHUNK", "dst", "1", "header")
	r.answer(t, ok, "CF.LOADCHUNK", "dst", "7", "data")
	saved := []bloom.Chunk{{Iterator: 1, Data: []byte("header")}, {Iterator: 7, Data: []byte("data")}}
	if err := replayClient(t, r).CFLoadChunks(ctx, "dst", bloom.Chunks(saved)); err != nil || len(r.sent) != 2 {
		t.Errorf("CFLoadChunks: %v after %q", err, r.sent)
	}
}

func readValue(t *testing.T, raw string) resp.Value {
	t.Helper()
	v, err := resp.NewReader(bytes.NewReader([]byte(raw)), resp.Limits{}).Read()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func cmdString(t *testing.T, args ...any) string {
	t.Helper()
	b, err := resp.AppendCommand(nil, args...)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestClientIsSafeForConcurrentUse runs one Client from many goroutines
// (meaningful under -race).
func TestClientIsSafeForConcurrentUse(t *testing.T) {
	const n = 32
	r := newReplay()
	for range n {
		r.answer(t, readValue(t, "#t\r\n"), "BF.ADD", "seen", "x")
		r.answer(t, readValue(t, "*1\r\n$3\r\n0.5\r\n"), "TDIGEST.QUANTILE", "td", "0.5")
	}
	b := replayClient(t, r)
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	for range n {
		wg.Go(func() {
			if ok, err := b.BFAdd(context.Background(), "seen", "x"); err != nil || !ok {
				errs <- fmt.Errorf("BFAdd: %v, %v", ok, err)
			}
		})
		wg.Go(func() {
			if q, err := b.TDigestQuantile(context.Background(), "td", 0.5); err != nil || !slices.Equal(q, []float64{0.5}) {
				errs <- fmt.Errorf("TDigestQuantile: %v, %v", q, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
