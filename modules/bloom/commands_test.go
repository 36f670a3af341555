package bloom_test

import (
	"bytes"
	"context"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/respkit/redis"
	"github.com/respkit/redis/modules/bloom"
	"github.com/respkit/redis/resp"
)

type encoded interface {
	Bytes() []byte
	Err() error
}

func wantArgs(t *testing.T, cmd encoded, args ...any) {
	t.Helper()
	if err := cmd.Err(); err != nil {
		t.Errorf("%q: %v", args, err)
		return
	}
	want, err := resp.AppendCommand(nil, args...)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(cmd.Bytes(), want) {
		t.Errorf("got  %q\nwant %q", cmd.Bytes(), want)
	}
}

// TestEncodesEveryOption covers the options and forms the recorded cases
// do not use.
func TestEncodesEveryOption(t *testing.T) {
	wantArgs(t, bloom.BFReserve("b", 0.01, 1000, bloom.BFReserveOptions{Expansion: 4}),
		"BF.RESERVE", "b", "0.01", "1000", "EXPANSION", "4")
	wantArgs(t, bloom.BFReserve("b", 0.01, 1000, bloom.BFReserveOptions{}),
		"BF.RESERVE", "b", "0.01", "1000")
	wantArgs(t, bloom.BFInsert("b", []string{"x"}, bloom.BFInsertOptions{Capacity: 10, ErrorRate: 0.05, Expansion: 3, NoCreate: true, NonScaling: true}),
		"BF.INSERT", "b", "CAPACITY", "10", "ERROR", "0.05", "EXPANSION", "3", "NOCREATE", "NONSCALING", "ITEMS", "x")
	wantArgs(t, bloom.BFInsert("b", []string{"x", "y"}), "BF.INSERT", "b", "ITEMS", "x", "y")
	wantArgs(t, bloom.BFInfoValue("b", bloom.BFInfoExpansion), "BF.INFO", "b", "EXPANSION")
	wantArgs(t, bloom.BFInfoValue("b", bloom.BFInfoFilters), "BF.INFO", "b", "FILTERS")
	wantArgs(t, bloom.BFLoadChunk("b", bloom.Chunk{Iterator: 9, Data: []byte{0, 1, 255}}), "BF.LOADCHUNK", "b", "9", []byte{0, 1, 255})
	wantArgs(t, bloom.CFReserve("c", 64), "CF.RESERVE", "c", "64")
	wantArgs(t, bloom.CFReserve("c", 64, bloom.CFReserveOptions{Expansion: 2}), "CF.RESERVE", "c", "64", "EXPANSION", "2")
	wantArgs(t, bloom.CFInsert("c", []string{"x"}, bloom.CFInsertOptions{Capacity: 100, NoCreate: true}),
		"CF.INSERT", "c", "CAPACITY", "100", "NOCREATE", "ITEMS", "x")
	wantArgs(t, bloom.CFInsertNX("c", []string{"x"}, bloom.CFInsertOptions{NoCreate: true}),
		"CF.INSERTNX", "c", "NOCREATE", "ITEMS", "x")
	wantArgs(t, bloom.CFLoadChunk("c", bloom.Chunk{Iterator: 1, Data: []byte("h")}), "CF.LOADCHUNK", "c", "1", "h")
	wantArgs(t, bloom.CMSMerge("d", []string{"a", "b"}), "CMS.MERGE", "d", "2", "a", "b")
	wantArgs(t, bloom.TopKReserve("t", 5), "TOPK.RESERVE", "t", "5")
	wantArgs(t, bloom.TopKReserve("t", 5, bloom.TopKReserveOptions{}), "TOPK.RESERVE", "t", "5")
	wantArgs(t, bloom.TDigestMerge("d", []string{"a"}), "TDIGEST.MERGE", "d", "1", "a")
	wantArgs(t, bloom.TDigestMerge("d", []string{"a"}, bloom.TDigestMergeOptions{Override: true}), "TDIGEST.MERGE", "d", "1", "a", "OVERRIDE")
	wantArgs(t, bloom.TDigestCreate("d", bloom.TDigestCreateOptions{}), "TDIGEST.CREATE", "d")
	wantArgs(t, bloom.TDigestAdd("d", -1.5, 1e300, 0.1), "TDIGEST.ADD", "d", "-1.5", "1e+300", "0.1")
	wantArgs(t, bloom.TDigestCDF("d", math.Inf(1), math.Inf(-1)), "TDIGEST.CDF", "d", "+inf", "-inf")
}

// TestRejectsBadInput checks the input refused before sending: the
// command carries the error, names the command, and sends nothing.
func TestRejectsBadInput(t *testing.T) {
	cases := map[string]encoded{
		"BF.RESERVE":        bloom.BFReserve("b", 0.01, 10, bloom.BFReserveOptions{}, bloom.BFReserveOptions{}),
		"BF.MADD":           bloom.BFMAdd("b"),
		"BF.MEXISTS":        bloom.BFMExists("b"),
		"BF.INSERT":         bloom.BFInsert("b", nil),
		"BF.INSERT options": bloom.BFInsert("b", []string{"x"}, bloom.BFInsertOptions{}, bloom.BFInsertOptions{}),
		"CF.RESERVE":        bloom.CFReserve("c", 10, bloom.CFReserveOptions{}, bloom.CFReserveOptions{}),
		"CF.INSERT":         bloom.CFInsert("c", nil),
		"CF.INSERTNX":       bloom.CFInsertNX("c", []string{}),
		"CF.INSERT options": bloom.CFInsert("c", []string{"x"}, bloom.CFInsertOptions{}, bloom.CFInsertOptions{}),
		"CF.MEXISTS":        bloom.CFMExists("c"),
		"CMS.INCRBY":        bloom.CMSIncrBy("m"),
		"CMS.QUERY":         bloom.CMSQuery("m"),
		"CMS.MERGE":         bloom.CMSMerge("d", nil),
		"CMS.MERGE weights": bloom.CMSMerge("d", []string{"a", "b"}, 1),
		"TOPK.RESERVE":      bloom.TopKReserve("t", 3, bloom.TopKReserveOptions{Width: 10}),
		"TOPK.RESERVE many": bloom.TopKReserve("t", 3, bloom.TopKReserveOptions{}, bloom.TopKReserveOptions{}),
		"TOPK.ADD":          bloom.TopKAdd("t"),
		"TOPK.INCRBY":       bloom.TopKIncrBy("t"),
		"TOPK.QUERY":        bloom.TopKQuery("t"),
		"TOPK.COUNT":        bloom.TopKCount("t"),
		"TDIGEST.CREATE":    bloom.TDigestCreate("d", bloom.TDigestCreateOptions{}, bloom.TDigestCreateOptions{}),
		"TDIGEST.ADD":       bloom.TDigestAdd("d"),
		"TDIGEST.MERGE":     bloom.TDigestMerge("d", nil),
		"TDIGEST.MERGE opt": bloom.TDigestMerge("d", []string{"a"}, bloom.TDigestMergeOptions{}, bloom.TDigestMergeOptions{}),
		"TDIGEST.QUANTILE":  bloom.TDigestQuantile("d"),
		"TDIGEST.CDF":       bloom.TDigestCDF("d"),
		"TDIGEST.RANK":      bloom.TDigestRank("d"),
		"TDIGEST.REVRANK":   bloom.TDigestRevRank("d"),
		"TDIGEST.BYRANK":    bloom.TDigestByRank("d"),
		"TDIGEST.BYREVRANK": bloom.TDigestByRevRank("d"),
	}
	for name, cmd := range cases {
		command, _, _ := strings.Cut(name, " ")
		if cmd.Err() == nil || !strings.Contains(cmd.Err().Error(), command) || len(cmd.Bytes()) != 0 {
			t.Errorf("%s: err %v, bytes %q; want an error naming %s and nothing to send", name, cmd.Err(), cmd.Bytes(), command)
		}
	}
}

// TestRejectedCommandRunsToItsError runs a rejected command: its error
// comes back from the run, without a server (nothing is sent).
func TestRejectedCommandRunsToItsError(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"}) // nothing listens there
	defer rdb.Close()
	_, err := bloom.New(rdb).BFMAdd(context.Background(), "b")
	if err == nil || !strings.Contains(err.Error(), "BF.MADD needs at least one item") {
		t.Errorf("got %v, want the rejection", err)
	}
}

func TestNilClient(t *testing.T) {
	ctx := context.Background()
	for name, c := range map[string]*bloom.Client{"New(nil)": bloom.New(nil), "nil": nil, "zero": {}} {
		if _, err := c.BFAdd(ctx, "b", "x"); err == nil {
			t.Errorf("%s: BFAdd: no error", name)
		}
		if err := c.TDigestCreate(ctx, "d"); err == nil {
			t.Errorf("%s: TDigestCreate: no error", name)
		}
		n := 0
		for _, err := range c.BFScanDumpAll(ctx, "b") {
			n++
			if err == nil {
				t.Errorf("%s: BFScanDumpAll yielded a chunk", name)
			}
		}
		if n != 1 {
			t.Errorf("%s: BFScanDumpAll yielded %d times, want one error", name, n)
		}
		if err := c.CFCopy(ctx, "a", "b"); err == nil {
			t.Errorf("%s: CFCopy: no error", name)
		}
		if c.Redis() != nil {
			t.Errorf("%s: Redis() is not nil", name)
		}
	}
}

func decodeWith[T any](t *testing.T, cmd redis.Command[T], raw string) (T, error) {
	t.Helper()
	v, err := resp.NewReader(bytes.NewReader([]byte(raw)), resp.Limits{}).Read()
	if err != nil {
		t.Fatal(err)
	}
	return cmd.Decode(v, nil)
}

// TestItemResultsWhenFull covers the per-item failures the recorded cases
// do not show: a full cuckoo filter's -1, a full non-scaling Bloom filter's
// error element (after which the server stops).
func TestItemResultsWhenFull(t *testing.T) {
	got, err := decodeWith(t, bloom.CFInsert("c", []string{"a", "b", "c"}), "*3\r\n#t\r\n:-1\r\n:-1\r\n")
	if !errors.Is(err, bloom.ErrFilterFull) || !reflect.DeepEqual(got, []bool{true, false, false}) {
		t.Errorf("CF.INSERT: got %v, %v", got, err)
	}
	got, err = decodeWith(t, bloom.BFMAdd("b", "a", "b", "c"), "*2\r\n:1\r\n-ERR non scaling filter is full\r\n")
	var se *redis.Error
	if !errors.As(err, &se) || se.Code() != "ERR" || !reflect.DeepEqual(got, []bool{true, false}) {
		t.Errorf("BF.MADD: got %v, %v", got, err)
	}
	if got, err = decodeWith(t, bloom.BFMAdd("b", "a"), "*1\r\n:2\r\n"); err == nil {
		t.Errorf("BF.MADD with a 2: got %v, no error", got)
	}
}

func TestDecodesOtherShapes(t *testing.T) {
	// BF.INFO of a non-scaling filter: the expansion is null.
	info, err := decodeWith(t, bloom.BFInfo("b"), "%5\r\n+Capacity\r\n:100\r\n+Size\r\n:240\r\n+Number of filters\r\n:1\r\n+Number of items inserted\r\n:0\r\n+Expansion rate\r\n_\r\n")
	if err != nil || info != (bloom.BloomFilterInfo{Capacity: 100, Size: 240, Filters: 1}) {
		t.Errorf("BF.INFO non-scaling: %+v, %v", info, err)
	}
	if n, err := decodeWith(t, bloom.BFInfoValue("b", bloom.BFInfoExpansion), "*1\r\n$-1\r\n"); !errors.Is(err, redis.ErrNil) {
		t.Errorf("BF.INFO EXPANSION non-scaling: %d, %v; want redis.ErrNil", n, err)
	}
	if n, err := decodeWith(t, bloom.BFInfoValue("b", bloom.BFInfoSize), "*2\r\n:1\r\n:2\r\n"); err == nil {
		t.Errorf("BF.INFO SIZE with two values: %d, no error", n)
	}
	// Unknown INFO fields are skipped; a malformed list is an error.
	cms, err := decodeWith(t, bloom.CMSInfo("m"), "*8\r\n+width\r\n:10\r\n+depth\r\n:2\r\n+count\r\n:3\r\n+future\r\n:1\r\n")
	if err != nil || cms != (bloom.CountMinSketchInfo{Width: 10, Depth: 2, Count: 3}) {
		t.Errorf("CMS.INFO with an extra field: %+v, %v", cms, err)
	}
	if _, err := decodeWith(t, bloom.CMSInfo("m"), "*3\r\n+width\r\n:10\r\n+depth\r\n"); err == nil {
		t.Error("CMS.INFO of odd length: no error")
	}
	if _, err := decodeWith(t, bloom.CMSInfo("m"), "*2\r\n+width\r\n$3\r\nabc\r\n"); err == nil {
		t.Error("CMS.INFO with a non-number: no error")
	}
	if _, err := decodeWith(t, bloom.TopKListWithCount("t"), "*3\r\n$1\r\nx\r\n:1\r\n$1\r\ny\r\n"); err == nil {
		t.Error("TOPK.LIST WITHCOUNT of odd length: no error")
	}
	// T-digest values as RESP2 bulk strings and RESP3 doubles.
	qs, err := decodeWith(t, bloom.TDigestQuantile("d", 0.5), "*4\r\n$3\r\ninf\r\n$4\r\n-inf\r\n,-inf\r\n$3\r\n2.5\r\n")
	if err != nil || len(qs) != 4 || !math.IsInf(qs[0], 1) || !math.IsInf(qs[1], -1) || !math.IsInf(qs[2], -1) || qs[3] != 2.5 {
		t.Errorf("TDIGEST.QUANTILE: %v, %v", qs, err)
	}
	if _, err := decodeWith(t, bloom.TDigestRank("d", 1), "*1\r\n$3\r\nabc\r\n"); err == nil {
		t.Error("TDIGEST.RANK with a non-number: no error")
	}
	if _, err := decodeWith(t, bloom.TDigestReset("d"), ":1\r\n"); err == nil {
		t.Error("TDIGEST.RESET answered with an integer: no error")
	}
}
