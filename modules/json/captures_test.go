package redisjson_test

import (
	"encoding/json"
	"testing"

	"github.com/respkit/redis"
	"github.com/respkit/redis/internal/moduletest"
	redisjson "github.com/respkit/redis/modules/json"
)

// fails is the outcome of a case whose reply is a server error with this
// code.
func fails(code string) moduletest.Failure { return moduletest.Fails(&redis.Error{Msg: code}) }

// Expected per-match results: a nil argument is an entry with Valid false.
func ints(xs ...any) []redis.Null[int64] {
	out := make([]redis.Null[int64], len(xs))
	for i, x := range xs {
		if x != nil {
			out[i] = redis.Null[int64]{V: int64(x.(int)), Valid: true}
		}
	}
	return out
}

func nums(xs ...any) []redis.Null[json.Number] {
	out := make([]redis.Null[json.Number], len(xs))
	for i, x := range xs {
		if x != nil {
			out[i] = redis.Null[json.Number]{V: json.Number(x.(string)), Valid: true}
		}
	}
	return out
}

func raws(xs ...any) []redis.Null[json.RawMessage] {
	out := make([]redis.Null[json.RawMessage], len(xs))
	for i, x := range xs {
		if x != nil {
			out[i] = redis.Null[json.RawMessage]{V: json.RawMessage(x.(string)), Valid: true}
		}
	}
	return out
}

func bools(xs ...any) []redis.Null[bool] {
	out := make([]redis.Null[bool], len(xs))
	for i, x := range xs {
		if x != nil {
			out[i] = redis.Null[bool]{V: x.(bool), Valid: true}
		}
	}
	return out
}

func keyLists(lists ...[]string) []redis.Null[[]string] {
	out := make([]redis.Null[[]string], len(lists))
	for i, l := range lists {
		if l != nil {
			out[i] = redis.Null[[]string]{V: l, Valid: true}
		}
	}
	return out
}

func types(ts ...redisjson.ValueType) []redisjson.ValueType {
	if ts == nil {
		return []redisjson.ValueType{}
	}
	return ts
}

// doc is the document the recorded cases start from.
type doc struct {
	A int `json:"a"`
	B struct {
		A int    `json:"a"`
		C string `json:"c"`
	} `json:"b"`
	Arr []int   `json:"arr"`
	S   string  `json:"s"`
	T   bool    `json:"t"`
	N   *int    `json:"n"`
	F   float64 `json:"f"`
}

func firstDoc() doc {
	d := doc{A: 1, Arr: []int{1, 2, 3}, S: "foo", T: true, F: 1.5}
	d.B.A, d.B.C = 2, "x"
	return d
}

// doc2 is the second document, with its members in the recorded order.
type doc2 struct {
	A string `json:"a"`
	B struct {
		A []int `json:"a"`
	} `json:"b"`
	Arr []string `json:"arr"`
}

// numbers reads the number document keeping every number's text.
type numbers struct {
	I     json.Number `json:"i"`
	Big   json.Number `json:"big"`
	Neg   json.Number `json:"neg"`
	Exp   json.Number `json:"exp"`
	Small json.Number `json:"small"`
	U     string      `json:"u"`
	Esc   string      `json:"esc"`
}

const numbersText = `{"i":1,"big":12345678901234567890,"neg":-0.5,"exp":1e300,"small":1.0E-7,"u":"caf\u00e9 é","esc":"a\"b\n"}`

// docRESP is the first document, as changed by the cases before
// json_resp_root, in JSON.RESP's form.
var docRESP = map[string]any{
	"a":    "4.5", // a float arrives as a bulk string
	"b":    map[string]any{"a": int64(4), "c": "x"},
	"arr":  []any{int64(1), int64(2)},
	"s":    "foobar!",
	"t":    true,
	"n":    nil,
	"f":    int64(9),
	"new":  "v",
	"new2": []any{true, false},
}

var debugHelp = []string{
	"JSON.DEBUG MEMORY <key> [path] - report memory size (bytes). Without path reports document size without keys. With path reports size including keys",
	"JSON.DEBUG DEPTH <key> - report the maximum path depth of the JSON document.",
	"JSON.DEBUG FIELDS <key> [path] - report number of fields in the JSON element. Path defaults to root if not provided.",
	"JSON.DEBUG HELP - print help message.",
	"------- DANGER, LONG RUNNING COMMANDS, DON'T USE ON PRODUCTION SYSTEM --------",
	"JSON.DEBUG MAX-DEPTH-KEY - Find JSON key with maximum depth",
	"JSON.DEBUG MAX-SIZE-KEY  - Find JSON key with largest memory size",
	"JSON.DEBUG KEYTABLE-CHECK - Extended KeyTable integrity check",
	"JSON.DEBUG KEYTABLE-CORRUPT <name> - Intentionally corrupt KeyTable handle counts",
	"JSON.DEBUG KEYTABLE-CLEAR - Release all handles injected by KEYTABLE-CORRUPT",
	"JSON.DEBUG KEYTABLE-DISTRIBUTION <topN> - Find and count topN longest runs in KeyTable",
	"JSON.DEBUG TEST-SHARED-API <key> <path> - Provide testing for Shared api interface for search",
}

func raw(s string) json.RawMessage { return json.RawMessage(s) }

// captureCases maps every recorded case to the API call that produces it.
func captureCases() map[string]moduletest.Case {
	R := raw
	type M = map[string]any
	return map[string]moduletest.Case{
		"json_set_root":                    {Cmd: moduletest.Build(redisjson.Set("doc", "$", firstDoc())), Want: struct{}{}},
		"json_get_dollar_root":             {Cmd: moduletest.Build(redisjson.GetAs[[]doc]("doc", "$")), Want: []doc{firstDoc()}},
		"json_get_no_path":                 {Cmd: moduletest.Build(redisjson.GetAs[doc]("doc")), Want: firstDoc()},
		"json_get_legacy_root":             {Cmd: moduletest.Build(redisjson.GetAs[M]("doc", ".")), Want: M{"a": 1.0, "b": M{"a": 2.0, "c": "x"}, "arr": []any{1.0, 2.0, 3.0}, "s": "foo", "t": true, "n": nil, "f": 1.5}},
		"json_get_dollar_recursive_a":      {Cmd: moduletest.Build(redisjson.GetAs[[]int]("doc", "$..a")), Want: []int{1, 2}},
		"json_get_legacy_a":                {Cmd: moduletest.Build(redisjson.GetAs[int]("doc", ".a")), Want: 1},
		"json_get_legacy_nested":           {Cmd: moduletest.Build(redisjson.GetAs[int]("doc", "b.a")), Want: 2},
		"json_get_legacy_recursive_a":      {Cmd: moduletest.Build(redisjson.GetAs[int]("doc", "..a")), Want: 1},
		"json_get_two_dollar_paths":        {Cmd: moduletest.Build(redisjson.GetAs[map[string][]any]("doc", "$.a", "$..c")), Want: map[string][]any{"$.a": {1.0}, "$..c": {"x"}}},
		"json_get_two_legacy_paths":        {Cmd: moduletest.Build(redisjson.GetAs[json.RawMessage]("doc", ".a", ".s")), Want: R(`{".a":1,".s":"foo"}`)},
		"json_get_mixed_paths":             {Cmd: moduletest.Build(redisjson.GetAs[map[string]json.RawMessage]("doc", ".a", "$.s")), Want: map[string]json.RawMessage{".a": R(`[1]`), "$.s": R(`["foo"]`)}},
		"json_get_format":                  {Cmd: moduletest.Build(redisjson.GetWith("doc", redisjson.GetOptions{Indent: "  ", Newline: "\n", Space: " "}, "$.b")), Want: R("[\n  {\n    \"a\": 2,\n    \"c\": \"x\"\n  }\n]")},
		"json_get_dollar_missing_path":     {Cmd: moduletest.Build(redisjson.GetAs[[]int]("doc", "$.nope")), Want: []int{}},
		"json_get_legacy_missing_path_err": {Cmd: moduletest.Build(redisjson.GetAs[int]("doc", ".nope")), Want: fails("NONEXISTENT")},
		"json_get_missing_key":             {Cmd: moduletest.Build(redisjson.GetAs[json.RawMessage]("nokey", "$")), Want: moduletest.Fails(redis.ErrNil)},
		"json_get_filter":                  {Cmd: moduletest.Build(redisjson.GetAs[[]int]("doc", "$.arr[?(@>1)]")), Want: []int{2, 3}},
		"json_get_array_slice":             {Cmd: moduletest.Build(redisjson.GetAs[[]int]("doc", "$.arr[0:2]")), Want: []int{1, 2}},
		"json_get_wildcard":                {Cmd: moduletest.Build(redisjson.GetAs[[]any]("doc", "$.b.*")), Want: []any{2.0, "x"}},
		"json_get_bad_path_err":            {Cmd: moduletest.Build(redisjson.GetAs[json.RawMessage]("doc", "$[")), Want: fails("SYNTAXERR")},
		"json_get_wrongtype_err":           {Cmd: moduletest.Build(redisjson.GetAs[json.RawMessage]("strkey", "$")), Want: fails("WRONGTYPE")},
		"json_get_arity_err":               {Cmd: moduletest.Build(redisjson.GetAs[json.RawMessage]("doc")), Want: fails("ERR"), NotEncoded: "JSON.GET without a key: the API always sends one"},
		"json_set_nx_exists":               {Cmd: moduletest.Build(redisjson.Set("doc", "$", R(`{}`), redisjson.SetOptions{NX: true})), Want: moduletest.Fails(redis.ErrNil)},
		"json_set_xx_missing":              {Cmd: moduletest.Build(redisjson.Set("newkey", "$", 1, redisjson.SetOptions{XX: true})), Want: moduletest.Fails(redis.ErrNil)},
		"json_set_subpath":                 {Cmd: moduletest.Build(redisjson.Set("doc", "$.new", "v")), Want: struct{}{}},
		"json_set_legacy_subpath":          {Cmd: moduletest.Build(redisjson.Set("doc", ".new2", []bool{true, false})), Want: struct{}{}},
		"json_set_doc2": {Cmd: moduletest.Build(redisjson.Set("doc2", "$", func() doc2 {
			d := doc2{A: "two", Arr: []string{"x"}}
			d.B.A = []int{1}
			return d
		}())), Want: struct{}{}},
		"json_set_bad_json_err":       {Cmd: moduletest.Build(redisjson.Set("doc", "$", R(`{bad`))), Want: fails("SYNTAXERR")},
		"json_set_newkey_nonroot_err": {Cmd: moduletest.Build(redisjson.Set("nokey2", "$.x", 1)), Want: fails("SYNTAXERR")},
		"json_set_wrongtype_err":      {Cmd: moduletest.Build(redisjson.Set("strkey", "$", 1)), Want: fails("WRONGTYPE")},
		"json_set_fpha":               {Cmd: moduletest.Build(redisjson.Set("vec", "$", []float64{1.5, 2.5}, redisjson.SetOptions{FPHA: "fp32"})), Want: fails("ERR")},
		"json_set_numbers":            {Cmd: moduletest.Build(redisjson.Set("num", "$", R(numbersText))), Want: struct{}{}},
		"json_get_numbers": {Cmd: moduletest.Build(redisjson.GetAs[[]numbers]("num", "$")), Want: []numbers{{
			I: "1", Big: "12345678901234567890", Neg: "-0.5", Exp: "1e300", Small: "1.0E-7", U: "café é", Esc: "a\"b\n",
		}}},
		"json_resp_numbers": {Cmd: moduletest.Build(redisjson.Resp("num", "")), Want: []any{M{
			"i": int64(1), "big": "12345678901234567000.0", "neg": "-0.5", "exp": "1e300", "small": "1e-7", "u": "café é", "esc": "a\"b\n",
		}}},
		"json_type_root":                      {Cmd: moduletest.Build(redisjson.Type("doc", "")), Want: types(redisjson.TypeObject)},
		"json_type_dollar_multi":              {Cmd: moduletest.Build(redisjson.Type("doc", "$..a")), Want: types(redisjson.TypeInteger, redisjson.TypeInteger)},
		"json_type_dollar_all":                {Cmd: moduletest.Build(redisjson.Type("doc", "$.*")), Want: types(redisjson.TypeInteger, redisjson.TypeObject, redisjson.TypeArray, redisjson.TypeString, redisjson.TypeBoolean, redisjson.TypeNull, redisjson.TypeNumber, redisjson.TypeString, redisjson.TypeArray)},
		"json_type_legacy":                    {Cmd: moduletest.Build(redisjson.Type("doc", ".arr")), Want: types(redisjson.TypeArray)},
		"json_type_missing_key":               {Cmd: moduletest.Build(redisjson.Type("nokey", "")), Want: moduletest.Fails(redis.ErrNil)},
		"json_type_dollar_missing_path":       {Cmd: moduletest.Build(redisjson.Type("doc", "$.nope")), Want: types()},
		"json_strlen_dollar":                  {Cmd: moduletest.Build(redisjson.StrLen("doc", "$..c")), Want: ints(1)},
		"json_strlen_dollar_nonstring":        {Cmd: moduletest.Build(redisjson.StrLen("doc", "$.*")), Want: ints(nil, nil, nil, 3, nil, nil, nil, 1, nil)},
		"json_strlen_legacy":                  {Cmd: moduletest.Build(redisjson.StrLen("doc", ".s")), Want: ints(3)},
		"json_strappend_dollar":               {Cmd: moduletest.Build(redisjson.StrAppend("doc", "$.s", "bar")), Want: ints(6)},
		"json_strappend_legacy":               {Cmd: moduletest.Build(redisjson.StrAppend("doc", ".s", "!")), Want: ints(7)},
		"json_strappend_nonstring":            {Cmd: moduletest.Build(redisjson.StrAppend("doc", "$.a", "x")), Want: ints(nil)},
		"json_strappend_legacy_nonstring_err": {Cmd: moduletest.Build(redisjson.StrAppend("doc", ".a", "x")), Want: fails("WRONGTYPE")},
		"json_strappend_notjson_err":          {Cmd: moduletest.Build(redisjson.StrAppend("doc", "$.s", "bar")), Want: fails("SYNTAXERR"), NotEncoded: "the case sends bare text; StrAppend always sends its string as a JSON string"},
		"json_numincrby_dollar_multi":         {Cmd: moduletest.Build(redisjson.NumIncrBy("doc", "$..a", 2)), Want: nums("3", "4")},
		"json_numincrby_legacy":               {Cmd: moduletest.Build(redisjson.NumIncrBy("doc", ".a", 1.5)), Want: nums("4.5")},
		"json_numincrby_dollar_nonnumber":     {Cmd: moduletest.Build(redisjson.NumIncrBy("doc", "$.s", 1)), Want: nums(nil)},
		"json_numincrby_legacy_nonnumber_err": {Cmd: moduletest.Build(redisjson.NumIncrBy("doc", ".s", 1)), Want: fails("WRONGTYPE")},
		"json_numincrby_badnum_err":           {Cmd: moduletest.Build(redisjson.NumIncrBy("doc", "$.a", 1)), Want: fails("WRONGTYPE"), NotEncoded: `the case sends "abc"; NumIncrBy takes a float64`},
		"json_numincrby_int":                  {Cmd: moduletest.Build(redisjson.NumIncrBy("num", "$.i", 41)), Want: nums("42")},
		"json_numincrby_float_result":         {Cmd: moduletest.Build(redisjson.NumIncrBy("num", "$.i", 0.25)), Want: nums("42.25")},
		"json_nummultby_dollar":               {Cmd: moduletest.Build(redisjson.NumMultBy("doc", "$.f", 2)), Want: nums("3")},
		"json_nummultby_legacy":               {Cmd: moduletest.Build(redisjson.NumMultBy("doc", ".f", 3)), Want: nums("9")},
		"json_numincrby_big":                  {Cmd: moduletest.Build(redisjson.NumIncrBy("num", "$.exp", 1e308)), Want: nums("1.00000001e+308")},
		"json_nummultby_overflow_err":         {Cmd: moduletest.Build(redisjson.NumMultBy("num", "$.exp", 1e10)), Want: fails("OVERFLOW")},
		"json_toggle_dollar":                  {Cmd: moduletest.Build(redisjson.Toggle("doc", "$.t")), Want: bools(false)},
		"json_toggle_legacy":                  {Cmd: moduletest.Build(redisjson.Toggle("doc", ".t")), Want: bools(true)},
		"json_toggle_nonbool":                 {Cmd: moduletest.Build(redisjson.Toggle("doc", "$.a")), Want: bools(nil)},
		"json_arrappend_dollar":               {Cmd: moduletest.Build(redisjson.ArrAppend("doc", "$.arr", 4, "five")), Want: ints(5)},
		"json_arrappend_legacy":               {Cmd: moduletest.Build(redisjson.ArrAppend("doc", ".arr", 6)), Want: ints(6)},
		"json_arrappend_dollar_multi":         {Cmd: moduletest.Build(redisjson.ArrAppend("doc2", "$..a", "y")), Want: ints(nil, 2)},
		"json_arrappend_legacy_nonarray_err":  {Cmd: moduletest.Build(redisjson.ArrAppend("doc", ".s", 1)), Want: fails("WRONGTYPE")},
		"json_arrappend_wrongtype_err":        {Cmd: moduletest.Build(redisjson.ArrAppend("strkey", "$", 1)), Want: fails("WRONGTYPE")},
		"json_arrindex_dollar":                {Cmd: moduletest.Build(redisjson.ArrIndex("doc", "$.arr", 2)), Want: ints(1)},
		"json_arrindex_range":                 {Cmd: moduletest.Build(redisjson.ArrIndexRange("doc", "$.arr", 1, 1, 3)), Want: ints(-1)},
		"json_arrindex_legacy":                {Cmd: moduletest.Build(redisjson.ArrIndex("doc", ".arr", "five")), Want: ints(4)},
		"json_arrindex_nonarray":              {Cmd: moduletest.Build(redisjson.ArrIndex("doc", "$.s", 1)), Want: ints(nil)},
		"json_arrinsert_dollar":               {Cmd: moduletest.Build(redisjson.ArrInsert("doc", "$.arr", 0, 0, "zero")), Want: ints(8)},
		"json_arrinsert_legacy_negative":      {Cmd: moduletest.Build(redisjson.ArrInsert("doc", ".arr", -1, 99)), Want: ints(9)},
		"json_arrinsert_out_of_range_err":     {Cmd: moduletest.Build(redisjson.ArrInsert("doc", "$.arr", 100, 1)), Want: fails("OUTOFBOUNDARIES")},
		"json_arrlen_dollar":                  {Cmd: moduletest.Build(redisjson.ArrLen("doc", "$.arr")), Want: ints(9)},
		"json_arrlen_dollar_all":              {Cmd: moduletest.Build(redisjson.ArrLen("doc", "$.*")), Want: ints(nil, nil, 9, nil, nil, nil, nil, nil, 2)},
		"json_arrlen_legacy":                  {Cmd: moduletest.Build(redisjson.ArrLen("doc", ".arr")), Want: ints(9)},
		"json_arrlen_missing_key":             {Cmd: moduletest.Build(redisjson.ArrLen("nokey", "$.arr")), Want: moduletest.Fails(redis.ErrNil)},
		"json_arrpop_dollar_default":          {Cmd: moduletest.Build(redisjson.ArrPop("doc", "$.arr")), Want: raws("6")},
		"json_arrpop_dollar_index":            {Cmd: moduletest.Build(redisjson.ArrPopAt("doc", "$.arr", 0)), Want: raws("0")},
		"json_arrpop_legacy":                  {Cmd: moduletest.Build(redisjson.ArrPop("doc", ".arr")), Want: raws("99")},
		"json_arrpop_nonarray":                {Cmd: moduletest.Build(redisjson.ArrPop("doc", "$.s")), Want: raws(nil)},
		"json_arrtrim_dollar":                 {Cmd: moduletest.Build(redisjson.ArrTrim("doc", "$.arr", 1, 3)), Want: ints(3)},
		"json_arrtrim_legacy":                 {Cmd: moduletest.Build(redisjson.ArrTrim("doc", ".arr", 0, 1)), Want: ints(2)},
		"json_get_arr_after":                  {Cmd: moduletest.Build(redisjson.GetAs[[][]int]("doc", "$.arr")), Want: [][]int{{1, 2}}},
		"json_arrpop_empty":                   {Cmd: moduletest.Build(redisjson.ArrPop("doc", "$.new2[0:0]")), Want: raws()},
		"json_objkeys_dollar_root":            {Cmd: moduletest.Build(redisjson.ObjKeys("doc", "$")), Want: keyLists([]string{"a", "b", "arr", "s", "t", "n", "f", "new", "new2"})},
		"json_objkeys_dollar_multi":           {Cmd: moduletest.Build(redisjson.ObjKeys("doc", "$..b")), Want: keyLists([]string{"a", "c"})},
		"json_objkeys_legacy":                 {Cmd: moduletest.Build(redisjson.ObjKeys("doc", ".b")), Want: keyLists([]string{"a", "c"})},
		"json_objkeys_nonobject":              {Cmd: moduletest.Build(redisjson.ObjKeys("doc", "$.a")), Want: keyLists([]string{})}, // valkey-json: an empty list; RedisJSON: null
		"json_objkeys_missing_key":            {Cmd: moduletest.Build(redisjson.ObjKeys("nokey", "")), Want: moduletest.Fails(redis.ErrNil)},
		"json_objlen_dollar":                  {Cmd: moduletest.Build(redisjson.ObjLen("doc", "$")), Want: ints(9)},
		"json_objlen_legacy":                  {Cmd: moduletest.Build(redisjson.ObjLen("doc", ".b")), Want: ints(2)},
		"json_objlen_nonobject":               {Cmd: moduletest.Build(redisjson.ObjLen("doc", "$.arr")), Want: ints(nil)},
		"json_resp_root":                      {Cmd: moduletest.Build(redisjson.Resp("doc", "")), Want: []any{docRESP}},
		"json_resp_dollar":                    {Cmd: moduletest.Build(redisjson.Resp("doc", "$")), Want: []any{docRESP}},
		"json_resp_legacy_path":               {Cmd: moduletest.Build(redisjson.Resp("doc", ".b")), Want: []any{M{"a": int64(4), "c": "x"}}},
		"json_resp_dollar_multi":              {Cmd: moduletest.Build(redisjson.Resp("doc", "$..a")), Want: []any{"4.5", int64(4)}},
		"json_mget_dollar": {Cmd: moduletest.Build(redisjson.MGetAs[[]any]("$..a", "doc", "doc2", "nokey")), Want: []redis.Null[[]any]{
			{V: []any{4.5, 4.0}, Valid: true}, {V: []any{"two", []any{1.0, "y"}}, Valid: true}, {},
		}},
		"json_mget_legacy":    {Cmd: moduletest.Build(redisjson.MGet(".a", "doc", "doc2", "nokey")), Want: raws("4.5", `"two"`, nil)},
		"json_mget_wrongtype": {Cmd: moduletest.Build(redisjson.MGet("$.a", "doc", "strkey")), Want: fails("WRONGTYPE")},
		"json_mget_arity_err": {Cmd: moduletest.Build(redisjson.MGet("$", "doc")), Want: fails("ERR"), NotEncoded: "JSON.MGET with a key and no path: MGet rejects no keys before sending"},
		"json_mset": {Cmd: moduletest.Build(redisjson.MSet(
			redisjson.MSetEntry{Key: "m1", Path: "$", Value: map[string]int{"x": 1}},
			redisjson.MSetEntry{Key: "m2", Path: "$", Value: []int{1, 2}},
		)), Want: struct{}{}},
		"json_mset_existing_subpaths": {Cmd: moduletest.Build(redisjson.MSet(
			redisjson.MSetEntry{Key: "m1", Path: "$.y", Value: "z"},
			redisjson.MSetEntry{Key: "m2", Path: "$[0]", Value: 10},
		)), Want: struct{}{}},
		"json_mget_after_mset": {Cmd: moduletest.Build(redisjson.MGetAs[json.RawMessage]("$", "m1", "m2")), Want: raws(`[{"x":1,"y":"z"}]`, `[[10,2]]`)},
		"json_mset_same_key_twice_err": {Cmd: moduletest.Build(redisjson.MSet(
			redisjson.MSetEntry{Key: "m4", Path: "$", Value: map[string]int{"x": 1}},
			redisjson.MSetEntry{Key: "m4", Path: "$.y", Value: "z"},
		)), Want: fails("SYNTAXERR")},
		"json_mset_arity_err":           {Cmd: moduletest.Build(redisjson.MSet(redisjson.MSetEntry{Key: "m1", Path: "$", Value: 1})), Want: fails("ERR"), NotEncoded: "a key and a path without a value: MSet always sends triplets"},
		"json_mset_bad_json_err":        {Cmd: moduletest.Build(redisjson.MSet(redisjson.MSetEntry{Key: "m3", Path: "$", Value: R(`{bad`)})), Want: fails("SYNTAXERR")},
		"json_merge":                    {Cmd: moduletest.Build(redisjson.Merge("doc2", "$", M{"a": nil, "z": M{"y": 1}})), Want: fails("ERR")}, // valkey-json has no JSON.MERGE
		"json_get_after_merge":          {Cmd: moduletest.Build(redisjson.GetAs[json.RawMessage]("doc2")), Want: R(`{"a":"two","b":{"a":[1,"y"]},"arr":["x"]}`)},
		"json_debug_memory_root":        {Cmd: moduletest.Build(redisjson.DebugMemory("doc", "")), Want: ints(616)},
		"json_debug_memory_dollar":      {Cmd: moduletest.Build(redisjson.DebugMemory("doc", "$..a")), Want: ints(16, 16)},
		"json_debug_memory_missing_key": {Cmd: moduletest.Build(redisjson.DebugMemory("nokey", "")), Want: moduletest.Fails(redis.ErrNil)},
		"json_debug_help":               {Cmd: moduletest.Build(redisjson.DebugHelp()), Want: debugHelp},
		"json_clear_dollar":             {Cmd: moduletest.Build(redisjson.Clear("doc", "$.b")), Want: int64(1)},
		"json_clear_legacy_number":      {Cmd: moduletest.Build(redisjson.Clear("doc", ".f")), Want: int64(1)},
		"json_get_after_clear": {Cmd: moduletest.Build(redisjson.GetAs[[]M]("doc", "$")), Want: []M{{
			"a": 4.5, "b": M{}, "arr": []any{1.0, 2.0}, "s": "foobar!", "t": true, "n": nil, "f": 0.0, "new": "v", "new2": []any{true, false},
		}}},
		"json_del_dollar_multi":   {Cmd: moduletest.Build(redisjson.Del("doc2", "$..a")), Want: int64(2)},
		"json_forget_dollar":      {Cmd: moduletest.Build(redisjson.Forget("doc", "$.s")), Want: int64(1)},
		"json_del_legacy":         {Cmd: moduletest.Build(redisjson.Del("doc", ".t")), Want: int64(1)},
		"json_del_missing_path":   {Cmd: moduletest.Build(redisjson.Del("doc", "$.nope")), Want: int64(0)},
		"json_del_root":           {Cmd: moduletest.Build(redisjson.Del("doc", "")), Want: int64(1)},
		"json_del_missing_key":    {Cmd: moduletest.Build(redisjson.Del("doc", "")), Want: int64(0)},
		"type_of_json_key":        {Cmd: moduletest.Build(redis.Type("num")), Want: "ReJSON-RL"},
		"get_on_json_key_err":     {Cmd: moduletest.Build(redis.Get("num")), Want: fails("WRONGTYPE")},
		"json_unknown_subcmd_err": {Cmd: moduletest.Build(redisjson.DebugHelp()), Want: fails("ERR"), NotEncoded: "JSON.DEBUG NOPE: the API sends only the HELP and MEMORY subcommands"},
	}
}

// TestCapturesDecode decodes every recorded reply, under RESP2 and RESP3,
// with the decoder the API uses for its command.
func TestCapturesDecode(t *testing.T) {
	moduletest.Decode(t, "json", captureCases())
}

// TestCapturesEncode compares the bytes the API builds for each recorded
// case with the bytes that were sent.
func TestCapturesEncode(t *testing.T) {
	moduletest.Encode(t, "json", captureCases(), 6)
}
