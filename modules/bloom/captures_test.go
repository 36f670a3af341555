package bloom_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math"
	"reflect"
	"testing"

	"github.com/respkit/redis"
	"github.com/respkit/redis/internal/captures"
	"github.com/respkit/redis/modules/bloom"
	"github.com/respkit/redis/resp"
)

// commandUnderTest is a command built with the package's API, with its
// decoder made untyped so that one table holds every result type.
type commandUnderTest struct {
	bytes  []byte
	err    error
	decode func(resp.Value, error) (any, error)
}

func built[T any](c redis.Command[T]) commandUnderTest {
	return commandUnderTest{bytes: c.Bytes(), err: c.Err(), decode: func(v resp.Value, err error) (any, error) {
		return c.Decode(v, err)
	}}
}

// wantErr is the expected outcome of a case whose reply is an error: a
// *redis.Error with this code, or, when code is empty (RedisBloom's
// "CMS: ..." messages have none), with this whole message.
type wantErr struct{ code, msg string }

func errCode(code string) wantErr { return wantErr{code: code} }

// captureCase says how the API builds one recorded case and what its reply
// decodes to.
type captureCase struct {
	cmd  commandUnderTest
	want any // the decoded value, or a wantErr
	// notEncoded says why the API cannot produce the case's arguments (cmd
	// is then only the decoder the API uses for that command).
	notEncoded string
}

// dropped builds TOPK.ADD / TOPK.INCRBY results: "" is "nothing dropped".
func dropped(items ...string) []redis.Null[string] {
	out := make([]redis.Null[string], len(items))
	for i, s := range items {
		if s != "" {
			out[i] = redis.Null[string]{V: s, Valid: true}
		}
	}
	return out
}

// bfNSHeader is the first chunk of BF.SCANDUMP of bf:ns (BF.RESERVE bf:ns
// 0.001 100 NONSCALING): the filter's header, in which 0.001 (fca9f1d24d62503f,
// a little-endian float64) and 100 (0x64) can be read.
var bfNSHeader = must(hex.DecodeString("0000000000000000010000000d00000002000000b800000000000000c0050000000000000000000000000000fca9f1d24d62503fcd214f2853c12c400a000000640000000000000000"))

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

var (
	nan  = math.NaN()
	inf  = math.Inf(1)
	ninf = math.Inf(-1)
)

// captureCases maps every recorded case to the API call that produces it
// and the Go value its reply decodes to.
func captureCases() map[string]captureCase {
	type (
		bfo = bloom.BFReserveOptions
		bfi = bloom.BFInsertOptions
		cfo = bloom.CFReserveOptions
		inc = bloom.Increment
		tki = bloom.TopKItem
		ok  = struct{}
	)
	return map[string]captureCase{
		// Bloom filters.
		"bf_reserve":                      {cmd: built(bloom.BFReserve("bf:1", 0.01, 1000)), want: ok{}},
		"bf_reserve_expansion_nonscaling": {cmd: built(bloom.BFReserve("bf:ns", 0.001, 100, bfo{NonScaling: true})), want: ok{}},
		"bf_reserve_exists_err":           {cmd: built(bloom.BFReserve("bf:1", 0.01, 1000)), want: errCode("ERR")},
		"bf_add_new":                      {cmd: built(bloom.BFAdd("bf:1", "apple")), want: true},
		"bf_add_dup":                      {cmd: built(bloom.BFAdd("bf:1", "apple")), want: false},
		"bf_madd":                         {cmd: built(bloom.BFMAdd("bf:1", "apple", "banana", "cherry")), want: []bool{false, true, true}},
		"bf_exists_yes":                   {cmd: built(bloom.BFExists("bf:1", "banana")), want: true},
		"bf_exists_no":                    {cmd: built(bloom.BFExists("bf:1", "zzz")), want: false},
		"bf_exists_missing_key":           {cmd: built(bloom.BFExists("bf:nokey", "zzz")), want: false},
		"bf_mexists":                      {cmd: built(bloom.BFMExists("bf:1", "apple", "zzz", "cherry")), want: []bool{true, false, true}},
		"bf_insert":                       {cmd: built(bloom.BFInsert("bf:2", []string{"x", "y", "x"}, bfi{Capacity: 500, ErrorRate: 0.001})), want: []bool{true, true, false}},
		"bf_insert_nocreate_err":          {cmd: built(bloom.BFInsert("bf:none", []string{"x"}, bfi{NoCreate: true})), want: errCode("ERR")},
		"bf_card":                         {cmd: built(bloom.BFCard("bf:1")), want: int64(3)},
		"bf_info":                         {cmd: built(bloom.BFInfo("bf:1")), want: bloom.BloomFilterInfo{Capacity: 1000, Size: 1480, Filters: 1, Items: 3, Expansion: 2}},
		"bf_info_capacity":                {cmd: built(bloom.BFInfoValue("bf:1", bloom.BFInfoCapacity)), want: int64(1000)},
		"bf_info_items":                   {cmd: built(bloom.BFInfoValue("bf:1", bloom.BFInfoItems)), want: int64(3)},
		"bf_info_missing_err":             {cmd: built(bloom.BFInfo("bf:nokey")), want: errCode("ERR")},
		"bf_add_wrongtype_err":            {cmd: built(bloom.BFAdd("strkey", "x")), want: errCode("WRONGTYPE")},
		"bf_add_arity_err":                {cmd: built(bloom.BFAdd("bf:1", "")), want: errCode("ERR"), notEncoded: "BF.ADD without an item: BFAdd always sends one"},
		"bf_reserve_bad_rate_err":         {cmd: built(bloom.BFReserve("bf:bad", 2, 100)), want: errCode("ERR")},
		"bf_scandump_first":               {cmd: built(bloom.BFScanDump("bf:ns", 0)), want: bloom.Chunk{Iterator: 1, Data: bfNSHeader}},

		// Cuckoo filters.
		"cf_reserve":           {cmd: built(bloom.CFReserve("cf:1", 1000, cfo{BucketSize: 2, MaxIterations: 20, Expansion: 1})), want: ok{}},
		"cf_add":               {cmd: built(bloom.CFAdd("cf:1", "apple")), want: true},
		"cf_add_dup":           {cmd: built(bloom.CFAdd("cf:1", "apple")), want: true},
		"cf_addnx_dup":         {cmd: built(bloom.CFAddNX("cf:1", "apple")), want: false},
		"cf_insert":            {cmd: built(bloom.CFInsert("cf:1", []string{"banana", "cherry"})), want: []bool{true, true}},
		"cf_insertnx":          {cmd: built(bloom.CFInsertNX("cf:1", []string{"banana", "date"})), want: []bool{false, true}},
		"cf_exists":            {cmd: built(bloom.CFExists("cf:1", "apple")), want: true},
		"cf_mexists":           {cmd: built(bloom.CFMExists("cf:1", "apple", "zzz")), want: []bool{true, false}},
		"cf_count":             {cmd: built(bloom.CFCount("cf:1", "apple")), want: int64(2)},
		"cf_del":               {cmd: built(bloom.CFDel("cf:1", "apple")), want: true},
		"cf_del_missing_item":  {cmd: built(bloom.CFDel("cf:1", "nothere")), want: false},
		"cf_info":              {cmd: built(bloom.CFInfo("cf:1")), want: bloom.CuckooFilterInfo{Size: 1080, Buckets: 512, Filters: 1, ItemsInserted: 4, ItemsDeleted: 1, BucketSize: 2, Expansion: 1, MaxIterations: 20}},
		"cf_add_wrongtype_err": {cmd: built(bloom.CFAdd("bf:1", "x")), want: errCode("WRONGTYPE")},

		// Count-min sketches.
		"cms_initbydim":         {cmd: built(bloom.CMSInitByDim("cms:1", 2000, 5)), want: ok{}},
		"cms_initbyprob":        {cmd: built(bloom.CMSInitByProb("cms:2", 0.001, 0.01)), want: ok{}},
		"cms_incrby":            {cmd: built(bloom.CMSIncrBy("cms:1", inc{"a", 5}, inc{"b", 3})), want: []int64{5, 3}},
		"cms_query":             {cmd: built(bloom.CMSQuery("cms:1", "a", "b", "c")), want: []int64{5, 3, 0}},
		"cms_incrby_cms2":       {cmd: built(bloom.CMSIncrBy("cms:2", inc{"a", 1})), want: []int64{1}},
		"cms_merge_weights":     {cmd: built(bloom.CMSMerge("cms:3", []string{"cms:1", "cms:1"}, 1, 2)), want: wantErr{msg: "CMS: key does not exist"}},
		"cms_initbydim_dest":    {cmd: built(bloom.CMSInitByDim("cms:3", 2000, 5)), want: ok{}},
		"cms_merge":             {cmd: built(bloom.CMSMerge("cms:3", []string{"cms:1", "cms:1"}, 1, 2)), want: ok{}},
		"cms_query_merged":      {cmd: built(bloom.CMSQuery("cms:3", "a")), want: []int64{15}},
		"cms_info":              {cmd: built(bloom.CMSInfo("cms:1")), want: bloom.CountMinSketchInfo{Width: 2000, Depth: 5, Count: 8}},
		"cms_query_missing_err": {cmd: built(bloom.CMSQuery("cms:none", "a")), want: wantErr{msg: "CMS: key does not exist"}},

		// Top-k sketches.
		"topk_reserve":        {cmd: built(bloom.TopKReserve("topk:1", 3, bloom.TopKReserveOptions{Width: 50, Depth: 4, Decay: 0.9})), want: ok{}},
		"topk_add":            {cmd: built(bloom.TopKAdd("topk:1", "a", "b", "c", "a", "d", "a", "b", "e")), want: dropped("", "", "", "", "c", "", "", "d")},
		"topk_incrby":         {cmd: built(bloom.TopKIncrBy("topk:1", inc{"x", 10}, inc{"y", 1})), want: dropped("e", "")},
		"topk_query":          {cmd: built(bloom.TopKQuery("topk:1", "a", "x", "zzz")), want: []bool{true, true, false}},
		"topk_count":          {cmd: built(bloom.TopKCount("topk:1", "a", "x")), want: []int64{3, 10}},
		"topk_list":           {cmd: built(bloom.TopKList("topk:1")), want: []string{"x", "a", "b"}},
		"topk_list_withcount": {cmd: built(bloom.TopKListWithCount("topk:1")), want: []tki{{"x", 10}, {"a", 3}, {"b", 2}}},
		"topk_info":           {cmd: built(bloom.TopKInfo("topk:1")), want: bloom.TopKSketchInfo{K: 3, Width: 50, Depth: 4, Decay: 0.9}},

		// T-digest sketches.
		"tdigest_create":            {cmd: built(bloom.TDigestCreate("td:1", bloom.TDigestCreateOptions{Compression: 100})), want: ok{}},
		"tdigest_create_empty":      {cmd: built(bloom.TDigestCreate("td:empty")), want: ok{}},
		"tdigest_add":               {cmd: built(bloom.TDigestAdd("td:1", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)), want: ok{}},
		"tdigest_min":               {cmd: built(bloom.TDigestMin("td:1")), want: 1.0},
		"tdigest_max":               {cmd: built(bloom.TDigestMax("td:1")), want: 10.0},
		"tdigest_min_empty":         {cmd: built(bloom.TDigestMin("td:empty")), want: nan},
		"tdigest_quantile":          {cmd: built(bloom.TDigestQuantile("td:1", 0, 0.5, 0.9, 1)), want: []float64{1, 6, 10, 10}},
		"tdigest_quantile_empty":    {cmd: built(bloom.TDigestQuantile("td:empty", 0.5)), want: []float64{nan}},
		"tdigest_cdf":               {cmd: built(bloom.TDigestCDF("td:1", 0, 5, 11)), want: []float64{0, 0.45, 1}},
		"tdigest_trimmed_mean":      {cmd: built(bloom.TDigestTrimmedMean("td:1", 0.1, 0.9)), want: 5.5},
		"tdigest_rank":              {cmd: built(bloom.TDigestRank("td:1", 0, 5, 100)), want: []int64{-1, 4, 10}},
		"tdigest_revrank":           {cmd: built(bloom.TDigestRevRank("td:1", 0, 5, 100)), want: []int64{10, 5, -1}},
		"tdigest_byrank":            {cmd: built(bloom.TDigestByRank("td:1", 0, 5, 100)), want: []float64{1, 6, inf}},
		"tdigest_byrevrank":         {cmd: built(bloom.TDigestByRevRank("td:1", 0, 5, 100)), want: []float64{10, 5, ninf}},
		"tdigest_merge":             {cmd: built(bloom.TDigestMerge("td:m", []string{"td:1", "td:empty"}, bloom.TDigestMergeOptions{Compression: 50, Override: true})), want: ok{}},
		"tdigest_info":              {cmd: built(bloom.TDigestInfo("td:1")), want: bloom.TDigestSketchInfo{Compression: 100, Capacity: 610, MergedNodes: 10, MergedWeight: 10, Observations: 10, TotalCompressions: 1, MemoryUsage: 9840}},
		"tdigest_reset":             {cmd: built(bloom.TDigestReset("td:1")), want: ok{}},
		"tdigest_add_bad_value_err": {cmd: built(bloom.TDigestAdd("td:1", 0)), want: errCode("ERR"), notEncoded: `the case sends "notanumber"; TDigestAdd takes float64 values`},
		"tdigest_wrongtype_err":     {cmd: built(bloom.TDigestAdd("strkey", 1)), want: errCode("WRONGTYPE")},

		// Key types, read with the core TYPE command.
		"type_bf":      {cmd: built(redis.Type("bf:1")), want: bloom.TypeBloomFilter},
		"type_cf":      {cmd: built(redis.Type("cf:1")), want: bloom.TypeCuckooFilter},
		"type_cms":     {cmd: built(redis.Type("cms:1")), want: bloom.TypeCountMinSketch},
		"type_topk":    {cmd: built(redis.Type("topk:1")), want: bloom.TypeTopK},
		"type_tdigest": {cmd: built(redis.Type("td:1")), want: bloom.TypeTDigest},
	}
}

// sameValue is reflect.DeepEqual, except that NaN equals NaN (t-digest
// replies hold NaN for empty sketches).
func sameValue(a, b any) bool {
	switch a := a.(type) {
	case float64:
		b, ok := b.(float64)
		return ok && sameFloat(a, b)
	case []float64:
		b, ok := b.([]float64)
		if !ok || len(a) != len(b) || (a == nil) != (b == nil) {
			return false
		}
		for i := range a {
			if !sameFloat(a[i], b[i]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}

func sameFloat(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }

// checkDecoded compares a decoded result with the expected one and
// reports whether they match.
func checkDecoded(t *testing.T, name string, proto int, got any, err error, want any) bool {
	t.Helper()
	if we, ok := want.(wantErr); ok {
		var se *redis.Error
		switch {
		case !errors.As(err, &se):
			t.Errorf("%s RESP%d: got (%#v, %v), want a *redis.Error", name, proto, got, err)
			return false
		case se.Code() != we.code:
			t.Errorf("%s RESP%d: got code %q (%v), want %q", name, proto, se.Code(), err, we.code)
			return false
		case we.msg != "" && se.Msg != we.msg:
			t.Errorf("%s RESP%d: got %q, want %q", name, proto, se.Msg, we.msg)
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

func loadCaptures(t *testing.T) []*captures.Case { return loadCapturesTB(t) }

func loadCapturesTB(t testing.TB) []*captures.Case {
	t.Helper()
	cases, err := captures.Load("bloom")
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) != 77 {
		t.Fatalf("captures.Load(bloom): %d cases, want 77", len(cases))
	}
	return cases
}

// TestCapturesDecode decodes every recorded reply, under RESP2 and RESP3,
// with the decoder the API uses for its command, and checks the Go value
// (the same under both protocols).
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
			if c.IsError(proto) != isWantErr(cc.want) {
				t.Errorf("%s RESP%d: recorded error %v, table expects error %v", c.Name, proto, c.IsError(proto), isWantErr(cc.want))
				ok = false
			}
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
	t.Logf("decoded %d/%d cases under RESP2 and RESP3", decoded, len(cases))
	if decoded != len(cases) {
		t.Errorf("decoded %d of %d cases", decoded, len(cases))
	}
}

func isWantErr(want any) bool {
	_, ok := want.(wantErr)
	return ok
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
			if !isWantErr(cc.want) {
				t.Errorf("%s: only deliberate misuse may be excluded (%s)", c.Name, cc.notEncoded)
			}
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
	if encoded+excluded != len(cases) {
		t.Errorf("encoded %d and excluded %d of %d cases", encoded, excluded, len(cases))
	}
	if excluded > 2 {
		t.Errorf("%d cases excluded from the encoder test; keep the list small", excluded)
	}
}
