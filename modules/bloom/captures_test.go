package bloom_test

import (
	"encoding/hex"
	"math"
	"testing"

	"github.com/respkit/redis"
	"github.com/respkit/redis/internal/moduletest"
	"github.com/respkit/redis/modules/bloom"
)

// errCode is the outcome of a case whose reply is a server error with
// this code.
func errCode(code string) moduletest.Failure { return moduletest.Fails(&redis.Error{Msg: code}) }

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
func captureCases() map[string]moduletest.Case {
	type (
		bfo = bloom.BFReserveOptions
		bfi = bloom.BFInsertOptions
		cfo = bloom.CFReserveOptions
		inc = bloom.Increment
		tki = bloom.TopKItem
		ok  = struct{}
	)
	return map[string]moduletest.Case{
		// Bloom filters.
		"bf_reserve":                      {Cmd: moduletest.Build(bloom.BFReserve("bf:1", 0.01, 1000)), Want: ok{}},
		"bf_reserve_expansion_nonscaling": {Cmd: moduletest.Build(bloom.BFReserve("bf:ns", 0.001, 100, bfo{NonScaling: true})), Want: ok{}},
		"bf_reserve_exists_err":           {Cmd: moduletest.Build(bloom.BFReserve("bf:1", 0.01, 1000)), Want: errCode("ERR")},
		"bf_add_new":                      {Cmd: moduletest.Build(bloom.BFAdd("bf:1", "apple")), Want: true},
		"bf_add_dup":                      {Cmd: moduletest.Build(bloom.BFAdd("bf:1", "apple")), Want: false},
		"bf_madd":                         {Cmd: moduletest.Build(bloom.BFMAdd("bf:1", "apple", "banana", "cherry")), Want: []bool{false, true, true}},
		"bf_exists_yes":                   {Cmd: moduletest.Build(bloom.BFExists("bf:1", "banana")), Want: true},
		"bf_exists_no":                    {Cmd: moduletest.Build(bloom.BFExists("bf:1", "zzz")), Want: false},
		"bf_exists_missing_key":           {Cmd: moduletest.Build(bloom.BFExists("bf:nokey", "zzz")), Want: false},
		"bf_mexists":                      {Cmd: moduletest.Build(bloom.BFMExists("bf:1", "apple", "zzz", "cherry")), Want: []bool{true, false, true}},
		"bf_insert":                       {Cmd: moduletest.Build(bloom.BFInsert("bf:2", []string{"x", "y", "x"}, bfi{Capacity: 500, ErrorRate: 0.001})), Want: []bool{true, true, false}},
		"bf_insert_nocreate_err":          {Cmd: moduletest.Build(bloom.BFInsert("bf:none", []string{"x"}, bfi{NoCreate: true})), Want: errCode("ERR")},
		"bf_card":                         {Cmd: moduletest.Build(bloom.BFCard("bf:1")), Want: int64(3)},
		"bf_info":                         {Cmd: moduletest.Build(bloom.BFInfo("bf:1")), Want: bloom.BloomFilterInfo{Capacity: 1000, Size: 1480, Filters: 1, Items: 3, Expansion: 2}},
		"bf_info_capacity":                {Cmd: moduletest.Build(bloom.BFInfoValue("bf:1", bloom.BFInfoCapacity)), Want: int64(1000)},
		"bf_info_items":                   {Cmd: moduletest.Build(bloom.BFInfoValue("bf:1", bloom.BFInfoItems)), Want: int64(3)},
		"bf_info_missing_err":             {Cmd: moduletest.Build(bloom.BFInfo("bf:nokey")), Want: errCode("ERR")},
		"bf_add_wrongtype_err":            {Cmd: moduletest.Build(bloom.BFAdd("strkey", "x")), Want: errCode("WRONGTYPE")},
		"bf_add_arity_err":                {Cmd: moduletest.Build(bloom.BFAdd("bf:1", "")), Want: errCode("ERR"), NotEncoded: "BF.ADD without an item: BFAdd always sends one"},
		"bf_reserve_bad_rate_err":         {Cmd: moduletest.Build(bloom.BFReserve("bf:bad", 2, 100)), Want: errCode("ERR")},
		"bf_scandump_first":               {Cmd: moduletest.Build(bloom.BFScanDump("bf:ns", 0)), Want: bloom.Chunk{Iterator: 1, Data: bfNSHeader}},

		// Cuckoo filters.
		"cf_reserve":           {Cmd: moduletest.Build(bloom.CFReserve("cf:1", 1000, cfo{BucketSize: 2, MaxIterations: 20, Expansion: 1})), Want: ok{}},
		"cf_add":               {Cmd: moduletest.Build(bloom.CFAdd("cf:1", "apple")), Want: true},
		"cf_add_dup":           {Cmd: moduletest.Build(bloom.CFAdd("cf:1", "apple")), Want: true},
		"cf_addnx_dup":         {Cmd: moduletest.Build(bloom.CFAddNX("cf:1", "apple")), Want: false},
		"cf_insert":            {Cmd: moduletest.Build(bloom.CFInsert("cf:1", []string{"banana", "cherry"})), Want: []bool{true, true}},
		"cf_insertnx":          {Cmd: moduletest.Build(bloom.CFInsertNX("cf:1", []string{"banana", "date"})), Want: []bool{false, true}},
		"cf_exists":            {Cmd: moduletest.Build(bloom.CFExists("cf:1", "apple")), Want: true},
		"cf_mexists":           {Cmd: moduletest.Build(bloom.CFMExists("cf:1", "apple", "zzz")), Want: []bool{true, false}},
		"cf_count":             {Cmd: moduletest.Build(bloom.CFCount("cf:1", "apple")), Want: int64(2)},
		"cf_del":               {Cmd: moduletest.Build(bloom.CFDel("cf:1", "apple")), Want: true},
		"cf_del_missing_item":  {Cmd: moduletest.Build(bloom.CFDel("cf:1", "nothere")), Want: false},
		"cf_info":              {Cmd: moduletest.Build(bloom.CFInfo("cf:1")), Want: bloom.CuckooFilterInfo{Size: 1080, Buckets: 512, Filters: 1, ItemsInserted: 4, ItemsDeleted: 1, BucketSize: 2, Expansion: 1, MaxIterations: 20}},
		"cf_add_wrongtype_err": {Cmd: moduletest.Build(bloom.CFAdd("bf:1", "x")), Want: errCode("WRONGTYPE")},

		// Count-min sketches.
		"cms_initbydim":         {Cmd: moduletest.Build(bloom.CMSInitByDim("cms:1", 2000, 5)), Want: ok{}},
		"cms_initbyprob":        {Cmd: moduletest.Build(bloom.CMSInitByProb("cms:2", 0.001, 0.01)), Want: ok{}},
		"cms_incrby":            {Cmd: moduletest.Build(bloom.CMSIncrBy("cms:1", inc{"a", 5}, inc{"b", 3})), Want: []int64{5, 3}},
		"cms_query":             {Cmd: moduletest.Build(bloom.CMSQuery("cms:1", "a", "b", "c")), Want: []int64{5, 3, 0}},
		"cms_incrby_cms2":       {Cmd: moduletest.Build(bloom.CMSIncrBy("cms:2", inc{"a", 1})), Want: []int64{1}},
		"cms_merge_weights":     {Cmd: moduletest.Build(bloom.CMSMerge("cms:3", []string{"cms:1", "cms:1"}, 1, 2)), Want: moduletest.FailsWith("CMS: key does not exist")},
		"cms_initbydim_dest":    {Cmd: moduletest.Build(bloom.CMSInitByDim("cms:3", 2000, 5)), Want: ok{}},
		"cms_merge":             {Cmd: moduletest.Build(bloom.CMSMerge("cms:3", []string{"cms:1", "cms:1"}, 1, 2)), Want: ok{}},
		"cms_query_merged":      {Cmd: moduletest.Build(bloom.CMSQuery("cms:3", "a")), Want: []int64{15}},
		"cms_info":              {Cmd: moduletest.Build(bloom.CMSInfo("cms:1")), Want: bloom.CountMinSketchInfo{Width: 2000, Depth: 5, Count: 8}},
		"cms_query_missing_err": {Cmd: moduletest.Build(bloom.CMSQuery("cms:none", "a")), Want: moduletest.FailsWith("CMS: key does not exist")},

		// Top-k sketches.
		"topk_reserve":        {Cmd: moduletest.Build(bloom.TopKReserve("topk:1", 3, bloom.TopKReserveOptions{Width: 50, Depth: 4, Decay: 0.9})), Want: ok{}},
		"topk_add":            {Cmd: moduletest.Build(bloom.TopKAdd("topk:1", "a", "b", "c", "a", "d", "a", "b", "e")), Want: dropped("", "", "", "", "c", "", "", "d")},
		"topk_incrby":         {Cmd: moduletest.Build(bloom.TopKIncrBy("topk:1", inc{"x", 10}, inc{"y", 1})), Want: dropped("e", "")},
		"topk_query":          {Cmd: moduletest.Build(bloom.TopKQuery("topk:1", "a", "x", "zzz")), Want: []bool{true, true, false}},
		"topk_count":          {Cmd: moduletest.Build(bloom.TopKCount("topk:1", "a", "x")), Want: []int64{3, 10}},
		"topk_list":           {Cmd: moduletest.Build(bloom.TopKList("topk:1")), Want: []string{"x", "a", "b"}},
		"topk_list_withcount": {Cmd: moduletest.Build(bloom.TopKListWithCount("topk:1")), Want: []tki{{"x", 10}, {"a", 3}, {"b", 2}}},
		"topk_info":           {Cmd: moduletest.Build(bloom.TopKInfo("topk:1")), Want: bloom.TopKSketchInfo{K: 3, Width: 50, Depth: 4, Decay: 0.9}},

		// T-digest sketches.
		"tdigest_create":            {Cmd: moduletest.Build(bloom.TDigestCreate("td:1", bloom.TDigestCreateOptions{Compression: 100})), Want: ok{}},
		"tdigest_create_empty":      {Cmd: moduletest.Build(bloom.TDigestCreate("td:empty")), Want: ok{}},
		"tdigest_add":               {Cmd: moduletest.Build(bloom.TDigestAdd("td:1", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)), Want: ok{}},
		"tdigest_min":               {Cmd: moduletest.Build(bloom.TDigestMin("td:1")), Want: 1.0},
		"tdigest_max":               {Cmd: moduletest.Build(bloom.TDigestMax("td:1")), Want: 10.0},
		"tdigest_min_empty":         {Cmd: moduletest.Build(bloom.TDigestMin("td:empty")), Want: nan},
		"tdigest_quantile":          {Cmd: moduletest.Build(bloom.TDigestQuantile("td:1", 0, 0.5, 0.9, 1)), Want: []float64{1, 6, 10, 10}},
		"tdigest_quantile_empty":    {Cmd: moduletest.Build(bloom.TDigestQuantile("td:empty", 0.5)), Want: []float64{nan}},
		"tdigest_cdf":               {Cmd: moduletest.Build(bloom.TDigestCDF("td:1", 0, 5, 11)), Want: []float64{0, 0.45, 1}},
		"tdigest_trimmed_mean":      {Cmd: moduletest.Build(bloom.TDigestTrimmedMean("td:1", 0.1, 0.9)), Want: 5.5},
		"tdigest_rank":              {Cmd: moduletest.Build(bloom.TDigestRank("td:1", 0, 5, 100)), Want: []int64{-1, 4, 10}},
		"tdigest_revrank":           {Cmd: moduletest.Build(bloom.TDigestRevRank("td:1", 0, 5, 100)), Want: []int64{10, 5, -1}},
		"tdigest_byrank":            {Cmd: moduletest.Build(bloom.TDigestByRank("td:1", 0, 5, 100)), Want: []float64{1, 6, inf}},
		"tdigest_byrevrank":         {Cmd: moduletest.Build(bloom.TDigestByRevRank("td:1", 0, 5, 100)), Want: []float64{10, 5, ninf}},
		"tdigest_merge":             {Cmd: moduletest.Build(bloom.TDigestMerge("td:m", []string{"td:1", "td:empty"}, bloom.TDigestMergeOptions{Compression: 50, Override: true})), Want: ok{}},
		"tdigest_info":              {Cmd: moduletest.Build(bloom.TDigestInfo("td:1")), Want: bloom.TDigestSketchInfo{Compression: 100, Capacity: 610, MergedNodes: 10, MergedWeight: 10, Observations: 10, TotalCompressions: 1, MemoryUsage: 9840}},
		"tdigest_reset":             {Cmd: moduletest.Build(bloom.TDigestReset("td:1")), Want: ok{}},
		"tdigest_add_bad_value_err": {Cmd: moduletest.Build(bloom.TDigestAdd("td:1", 0)), Want: errCode("ERR"), NotEncoded: `the case sends "notanumber"; TDigestAdd takes float64 values`},
		"tdigest_wrongtype_err":     {Cmd: moduletest.Build(bloom.TDigestAdd("strkey", 1)), Want: errCode("WRONGTYPE")},

		// Key types, read with the core TYPE command.
		"type_bf":      {Cmd: moduletest.Build(redis.Type("bf:1")), Want: bloom.TypeBloomFilter},
		"type_cf":      {Cmd: moduletest.Build(redis.Type("cf:1")), Want: bloom.TypeCuckooFilter},
		"type_cms":     {Cmd: moduletest.Build(redis.Type("cms:1")), Want: bloom.TypeCountMinSketch},
		"type_topk":    {Cmd: moduletest.Build(redis.Type("topk:1")), Want: bloom.TypeTopK},
		"type_tdigest": {Cmd: moduletest.Build(redis.Type("td:1")), Want: bloom.TypeTDigest},
	}
}

// TestCapturesDecode decodes every recorded reply, under RESP2 and RESP3,
// with the decoder the API uses for its command, and checks the Go value
// (the same under both protocols; a NaN equals a NaN).
func TestCapturesDecode(t *testing.T) {
	if n := len(moduletest.Load(t, "bloom")); n != 77 {
		t.Fatalf("captures.Load(bloom): %d cases, want 77", n)
	}
	moduletest.Decode(t, "bloom", captureCases())
}

// TestCapturesEncode compares the bytes the API builds for each recorded
// case with the bytes that were sent.
func TestCapturesEncode(t *testing.T) {
	moduletest.Encode(t, "bloom", captureCases(), 2)
}
