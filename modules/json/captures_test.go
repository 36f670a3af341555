package redisjson_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/respkit/redis"
	"github.com/respkit/redis/internal/captures"
	redisjson "github.com/respkit/redis/modules/json"
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

// wantErr is the expected outcome of a case whose reply is an error: the
// server's error code (a *redis.Error), or redis.ErrNil for "nil".
type wantErr string

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

// captureCase says how the API builds one recorded case and what its reply
// decodes to.
type captureCase struct {
	cmd  commandUnderTest
	want any // the decoded value, or a wantErr
	// notEncoded says why the API cannot produce the case's arguments (its
	// cmd is then only the decoder the API uses for that command).
	notEncoded string
}

func raw(s string) json.RawMessage { return json.RawMessage(s) }

// captureCases maps every recorded case to the API call that produces it.
func captureCases() map[string]captureCase {
	R := raw
	type M = map[string]any
	return map[string]captureCase{
		"json_set_root":                    {cmd: built(redisjson.Set("doc", "$", firstDoc())), want: struct{}{}},
		"json_get_dollar_root":             {cmd: built(redisjson.GetAs[[]doc]("doc", "$")), want: []doc{firstDoc()}},
		"json_get_no_path":                 {cmd: built(redisjson.GetAs[doc]("doc")), want: firstDoc()},
		"json_get_legacy_root":             {cmd: built(redisjson.GetAs[M]("doc", ".")), want: M{"a": 1.0, "b": M{"a": 2.0, "c": "x"}, "arr": []any{1.0, 2.0, 3.0}, "s": "foo", "t": true, "n": nil, "f": 1.5}},
		"json_get_dollar_recursive_a":      {cmd: built(redisjson.GetAs[[]int]("doc", "$..a")), want: []int{1, 2}},
		"json_get_legacy_a":                {cmd: built(redisjson.GetAs[int]("doc", ".a")), want: 1},
		"json_get_legacy_nested":           {cmd: built(redisjson.GetAs[int]("doc", "b.a")), want: 2},
		"json_get_legacy_recursive_a":      {cmd: built(redisjson.GetAs[int]("doc", "..a")), want: 1},
		"json_get_two_dollar_paths":        {cmd: built(redisjson.GetAs[map[string][]any]("doc", "$.a", "$..c")), want: map[string][]any{"$.a": {1.0}, "$..c": {"x"}}},
		"json_get_two_legacy_paths":        {cmd: built(redisjson.GetAs[json.RawMessage]("doc", ".a", ".s")), want: R(`{".a":1,".s":"foo"}`)},
		"json_get_mixed_paths":             {cmd: built(redisjson.GetAs[map[string]json.RawMessage]("doc", ".a", "$.s")), want: map[string]json.RawMessage{".a": R(`[1]`), "$.s": R(`["foo"]`)}},
		"json_get_format":                  {cmd: built(redisjson.GetWith("doc", redisjson.GetOptions{Indent: "  ", Newline: "\n", Space: " "}, "$.b")), want: R("[\n  {\n    \"a\": 2,\n    \"c\": \"x\"\n  }\n]")},
		"json_get_dollar_missing_path":     {cmd: built(redisjson.GetAs[[]int]("doc", "$.nope")), want: []int{}},
		"json_get_legacy_missing_path_err": {cmd: built(redisjson.GetAs[int]("doc", ".nope")), want: wantErr("NONEXISTENT")},
		"json_get_missing_key":             {cmd: built(redisjson.GetAs[json.RawMessage]("nokey", "$")), want: wantErr("nil")},
		"json_get_filter":                  {cmd: built(redisjson.GetAs[[]int]("doc", "$.arr[?(@>1)]")), want: []int{2, 3}},
		"json_get_array_slice":             {cmd: built(redisjson.GetAs[[]int]("doc", "$.arr[0:2]")), want: []int{1, 2}},
		"json_get_wildcard":                {cmd: built(redisjson.GetAs[[]any]("doc", "$.b.*")), want: []any{2.0, "x"}},
		"json_get_bad_path_err":            {cmd: built(redisjson.GetAs[json.RawMessage]("doc", "$[")), want: wantErr("SYNTAXERR")},
		"json_get_wrongtype_err":           {cmd: built(redisjson.GetAs[json.RawMessage]("strkey", "$")), want: wantErr("WRONGTYPE")},
		"json_get_arity_err":               {cmd: built(redisjson.GetAs[json.RawMessage]("doc")), want: wantErr("ERR"), notEncoded: "JSON.GET without a key: the API always sends one"},
		"json_set_nx_exists":               {cmd: built(redisjson.Set("doc", "$", R(`{}`), redisjson.SetOptions{NX: true})), want: wantErr("nil")},
		"json_set_xx_missing":              {cmd: built(redisjson.Set("newkey", "$", 1, redisjson.SetOptions{XX: true})), want: wantErr("nil")},
		"json_set_subpath":                 {cmd: built(redisjson.Set("doc", "$.new", "v")), want: struct{}{}},
		"json_set_legacy_subpath":          {cmd: built(redisjson.Set("doc", ".new2", []bool{true, false})), want: struct{}{}},
		"json_set_doc2": {cmd: built(redisjson.Set("doc2", "$", func() doc2 {
			d := doc2{A: "two", Arr: []string{"x"}}
			d.B.A = []int{1}
			return d
		}())), want: struct{}{}},
		"json_set_bad_json_err":       {cmd: built(redisjson.Set("doc", "$", R(`{bad`))), want: wantErr("SYNTAXERR")},
		"json_set_newkey_nonroot_err": {cmd: built(redisjson.Set("nokey2", "$.x", 1)), want: wantErr("SYNTAXERR")},
		"json_set_wrongtype_err":      {cmd: built(redisjson.Set("strkey", "$", 1)), want: wantErr("WRONGTYPE")},
		"json_set_fpha":               {cmd: built(redisjson.Set("vec", "$", []float64{1.5, 2.5}, redisjson.SetOptions{FPHA: "fp32"})), want: wantErr("ERR")},
		"json_set_numbers":            {cmd: built(redisjson.Set("num", "$", R(numbersText))), want: struct{}{}},
		"json_get_numbers": {cmd: built(redisjson.GetAs[[]numbers]("num", "$")), want: []numbers{{
			I: "1", Big: "12345678901234567890", Neg: "-0.5", Exp: "1e300", Small: "1.0E-7", U: "café é", Esc: "a\"b\n",
		}}},
		"json_resp_numbers": {cmd: built(redisjson.Resp("num", "")), want: []any{M{
			"i": int64(1), "big": "12345678901234567000.0", "neg": "-0.5", "exp": "1e300", "small": "1e-7", "u": "café é", "esc": "a\"b\n",
		}}},
		"json_type_root":                      {cmd: built(redisjson.Type("doc", "")), want: types(redisjson.TypeObject)},
		"json_type_dollar_multi":              {cmd: built(redisjson.Type("doc", "$..a")), want: types(redisjson.TypeInteger, redisjson.TypeInteger)},
		"json_type_dollar_all":                {cmd: built(redisjson.Type("doc", "$.*")), want: types(redisjson.TypeInteger, redisjson.TypeObject, redisjson.TypeArray, redisjson.TypeString, redisjson.TypeBoolean, redisjson.TypeNull, redisjson.TypeNumber, redisjson.TypeString, redisjson.TypeArray)},
		"json_type_legacy":                    {cmd: built(redisjson.Type("doc", ".arr")), want: types(redisjson.TypeArray)},
		"json_type_missing_key":               {cmd: built(redisjson.Type("nokey", "")), want: wantErr("nil")},
		"json_type_dollar_missing_path":       {cmd: built(redisjson.Type("doc", "$.nope")), want: types()},
		"json_strlen_dollar":                  {cmd: built(redisjson.StrLen("doc", "$..c")), want: ints(1)},
		"json_strlen_dollar_nonstring":        {cmd: built(redisjson.StrLen("doc", "$.*")), want: ints(nil, nil, nil, 3, nil, nil, nil, 1, nil)},
		"json_strlen_legacy":                  {cmd: built(redisjson.StrLen("doc", ".s")), want: ints(3)},
		"json_strappend_dollar":               {cmd: built(redisjson.StrAppend("doc", "$.s", "bar")), want: ints(6)},
		"json_strappend_legacy":               {cmd: built(redisjson.StrAppend("doc", ".s", "!")), want: ints(7)},
		"json_strappend_nonstring":            {cmd: built(redisjson.StrAppend("doc", "$.a", "x")), want: ints(nil)},
		"json_strappend_legacy_nonstring_err": {cmd: built(redisjson.StrAppend("doc", ".a", "x")), want: wantErr("WRONGTYPE")},
		"json_strappend_notjson_err":          {cmd: built(redisjson.StrAppend("doc", "$.s", "bar")), want: wantErr("SYNTAXERR"), notEncoded: "the case sends bare text; StrAppend always sends its string as a JSON string"},
		"json_numincrby_dollar_multi":         {cmd: built(redisjson.NumIncrBy("doc", "$..a", 2)), want: nums("3", "4")},
		"json_numincrby_legacy":               {cmd: built(redisjson.NumIncrBy("doc", ".a", 1.5)), want: nums("4.5")},
		"json_numincrby_dollar_nonnumber":     {cmd: built(redisjson.NumIncrBy("doc", "$.s", 1)), want: nums(nil)},
		"json_numincrby_legacy_nonnumber_err": {cmd: built(redisjson.NumIncrBy("doc", ".s", 1)), want: wantErr("WRONGTYPE")},
		"json_numincrby_badnum_err":           {cmd: built(redisjson.NumIncrBy("doc", "$.a", 1)), want: wantErr("WRONGTYPE"), notEncoded: `the case sends "abc"; NumIncrBy takes a float64`},
		"json_numincrby_int":                  {cmd: built(redisjson.NumIncrBy("num", "$.i", 41)), want: nums("42")},
		"json_numincrby_float_result":         {cmd: built(redisjson.NumIncrBy("num", "$.i", 0.25)), want: nums("42.25")},
		"json_nummultby_dollar":               {cmd: built(redisjson.NumMultBy("doc", "$.f", 2)), want: nums("3")},
		"json_nummultby_legacy":               {cmd: built(redisjson.NumMultBy("doc", ".f", 3)), want: nums("9")},
		"json_numincrby_big":                  {cmd: built(redisjson.NumIncrBy("num", "$.exp", 1e308)), want: nums("1.00000001e+308")},
		"json_nummultby_overflow_err":         {cmd: built(redisjson.NumMultBy("num", "$.exp", 1e10)), want: wantErr("OVERFLOW")},
		"json_toggle_dollar":                  {cmd: built(redisjson.Toggle("doc", "$.t")), want: bools(false)},
		"json_toggle_legacy":                  {cmd: built(redisjson.Toggle("doc", ".t")), want: bools(true)},
		"json_toggle_nonbool":                 {cmd: built(redisjson.Toggle("doc", "$.a")), want: bools(nil)},
		"json_arrappend_dollar":               {cmd: built(redisjson.ArrAppend("doc", "$.arr", 4, "five")), want: ints(5)},
		"json_arrappend_legacy":               {cmd: built(redisjson.ArrAppend("doc", ".arr", 6)), want: ints(6)},
		"json_arrappend_dollar_multi":         {cmd: built(redisjson.ArrAppend("doc2", "$..a", "y")), want: ints(nil, 2)},
		"json_arrappend_legacy_nonarray_err":  {cmd: built(redisjson.ArrAppend("doc", ".s", 1)), want: wantErr("WRONGTYPE")},
		"json_arrappend_wrongtype_err":        {cmd: built(redisjson.ArrAppend("strkey", "$", 1)), want: wantErr("WRONGTYPE")},
		"json_arrindex_dollar":                {cmd: built(redisjson.ArrIndex("doc", "$.arr", 2)), want: ints(1)},
		"json_arrindex_range":                 {cmd: built(redisjson.ArrIndexRange("doc", "$.arr", 1, 1, 3)), want: ints(-1)},
		"json_arrindex_legacy":                {cmd: built(redisjson.ArrIndex("doc", ".arr", "five")), want: ints(4)},
		"json_arrindex_nonarray":              {cmd: built(redisjson.ArrIndex("doc", "$.s", 1)), want: ints(nil)},
		"json_arrinsert_dollar":               {cmd: built(redisjson.ArrInsert("doc", "$.arr", 0, 0, "zero")), want: ints(8)},
		"json_arrinsert_legacy_negative":      {cmd: built(redisjson.ArrInsert("doc", ".arr", -1, 99)), want: ints(9)},
		"json_arrinsert_out_of_range_err":     {cmd: built(redisjson.ArrInsert("doc", "$.arr", 100, 1)), want: wantErr("OUTOFBOUNDARIES")},
		"json_arrlen_dollar":                  {cmd: built(redisjson.ArrLen("doc", "$.arr")), want: ints(9)},
		"json_arrlen_dollar_all":              {cmd: built(redisjson.ArrLen("doc", "$.*")), want: ints(nil, nil, 9, nil, nil, nil, nil, nil, 2)},
		"json_arrlen_legacy":                  {cmd: built(redisjson.ArrLen("doc", ".arr")), want: ints(9)},
		"json_arrlen_missing_key":             {cmd: built(redisjson.ArrLen("nokey", "$.arr")), want: wantErr("nil")},
		"json_arrpop_dollar_default":          {cmd: built(redisjson.ArrPop("doc", "$.arr")), want: raws("6")},
		"json_arrpop_dollar_index":            {cmd: built(redisjson.ArrPopAt("doc", "$.arr", 0)), want: raws("0")},
		"json_arrpop_legacy":                  {cmd: built(redisjson.ArrPop("doc", ".arr")), want: raws("99")},
		"json_arrpop_nonarray":                {cmd: built(redisjson.ArrPop("doc", "$.s")), want: raws(nil)},
		"json_arrtrim_dollar":                 {cmd: built(redisjson.ArrTrim("doc", "$.arr", 1, 3)), want: ints(3)},
		"json_arrtrim_legacy":                 {cmd: built(redisjson.ArrTrim("doc", ".arr", 0, 1)), want: ints(2)},
		"json_get_arr_after":                  {cmd: built(redisjson.GetAs[[][]int]("doc", "$.arr")), want: [][]int{{1, 2}}},
		"json_arrpop_empty":                   {cmd: built(redisjson.ArrPop("doc", "$.new2[0:0]")), want: raws()},
		"json_objkeys_dollar_root":            {cmd: built(redisjson.ObjKeys("doc", "$")), want: keyLists([]string{"a", "b", "arr", "s", "t", "n", "f", "new", "new2"})},
		"json_objkeys_dollar_multi":           {cmd: built(redisjson.ObjKeys("doc", "$..b")), want: keyLists([]string{"a", "c"})},
		"json_objkeys_legacy":                 {cmd: built(redisjson.ObjKeys("doc", ".b")), want: keyLists([]string{"a", "c"})},
		"json_objkeys_nonobject":              {cmd: built(redisjson.ObjKeys("doc", "$.a")), want: keyLists([]string{})}, // valkey-json: an empty list; RedisJSON: null
		"json_objkeys_missing_key":            {cmd: built(redisjson.ObjKeys("nokey", "")), want: wantErr("nil")},
		"json_objlen_dollar":                  {cmd: built(redisjson.ObjLen("doc", "$")), want: ints(9)},
		"json_objlen_legacy":                  {cmd: built(redisjson.ObjLen("doc", ".b")), want: ints(2)},
		"json_objlen_nonobject":               {cmd: built(redisjson.ObjLen("doc", "$.arr")), want: ints(nil)},
		"json_resp_root":                      {cmd: built(redisjson.Resp("doc", "")), want: []any{docRESP}},
		"json_resp_dollar":                    {cmd: built(redisjson.Resp("doc", "$")), want: []any{docRESP}},
		"json_resp_legacy_path":               {cmd: built(redisjson.Resp("doc", ".b")), want: []any{M{"a": int64(4), "c": "x"}}},
		"json_resp_dollar_multi":              {cmd: built(redisjson.Resp("doc", "$..a")), want: []any{"4.5", int64(4)}},
		"json_mget_dollar": {cmd: built(redisjson.MGetAs[[]any]("$..a", "doc", "doc2", "nokey")), want: []redis.Null[[]any]{
			{V: []any{4.5, 4.0}, Valid: true}, {V: []any{"two", []any{1.0, "y"}}, Valid: true}, {},
		}},
		"json_mget_legacy":    {cmd: built(redisjson.MGet(".a", "doc", "doc2", "nokey")), want: raws("4.5", `"two"`, nil)},
		"json_mget_wrongtype": {cmd: built(redisjson.MGet("$.a", "doc", "strkey")), want: wantErr("WRONGTYPE")},
		"json_mget_arity_err": {cmd: built(redisjson.MGet("$", "doc")), want: wantErr("ERR"), notEncoded: "JSON.MGET with a key and no path: MGet rejects no keys before sending"},
		"json_mset": {cmd: built(redisjson.MSet(
			redisjson.MSetEntry{Key: "m1", Path: "$", Value: map[string]int{"x": 1}},
			redisjson.MSetEntry{Key: "m2", Path: "$", Value: []int{1, 2}},
		)), want: struct{}{}},
		"json_mset_existing_subpaths": {cmd: built(redisjson.MSet(
			redisjson.MSetEntry{Key: "m1", Path: "$.y", Value: "z"},
			redisjson.MSetEntry{Key: "m2", Path: "$[0]", Value: 10},
		)), want: struct{}{}},
		"json_mget_after_mset": {cmd: built(redisjson.MGetAs[json.RawMessage]("$", "m1", "m2")), want: raws(`[{"x":1,"y":"z"}]`, `[[10,2]]`)},
		"json_mset_same_key_twice_err": {cmd: built(redisjson.MSet(
			redisjson.MSetEntry{Key: "m4", Path: "$", Value: map[string]int{"x": 1}},
			redisjson.MSetEntry{Key: "m4", Path: "$.y", Value: "z"},
		)), want: wantErr("SYNTAXERR")},
		"json_mset_arity_err":           {cmd: built(redisjson.MSet(redisjson.MSetEntry{Key: "m1", Path: "$", Value: 1})), want: wantErr("ERR"), notEncoded: "a key and a path without a value: MSet always sends triplets"},
		"json_mset_bad_json_err":        {cmd: built(redisjson.MSet(redisjson.MSetEntry{Key: "m3", Path: "$", Value: R(`{bad`)})), want: wantErr("SYNTAXERR")},
		"json_merge":                    {cmd: built(redisjson.Merge("doc2", "$", M{"a": nil, "z": M{"y": 1}})), want: wantErr("ERR")}, // valkey-json has no JSON.MERGE
		"json_get_after_merge":          {cmd: built(redisjson.GetAs[json.RawMessage]("doc2")), want: R(`{"a":"two","b":{"a":[1,"y"]},"arr":["x"]}`)},
		"json_debug_memory_root":        {cmd: built(redisjson.DebugMemory("doc", "")), want: ints(616)},
		"json_debug_memory_dollar":      {cmd: built(redisjson.DebugMemory("doc", "$..a")), want: ints(16, 16)},
		"json_debug_memory_missing_key": {cmd: built(redisjson.DebugMemory("nokey", "")), want: wantErr("nil")},
		"json_debug_help":               {cmd: built(redisjson.DebugHelp()), want: debugHelp},
		"json_clear_dollar":             {cmd: built(redisjson.Clear("doc", "$.b")), want: int64(1)},
		"json_clear_legacy_number":      {cmd: built(redisjson.Clear("doc", ".f")), want: int64(1)},
		"json_get_after_clear": {cmd: built(redisjson.GetAs[[]M]("doc", "$")), want: []M{{
			"a": 4.5, "b": M{}, "arr": []any{1.0, 2.0}, "s": "foobar!", "t": true, "n": nil, "f": 0.0, "new": "v", "new2": []any{true, false},
		}}},
		"json_del_dollar_multi":   {cmd: built(redisjson.Del("doc2", "$..a")), want: int64(2)},
		"json_forget_dollar":      {cmd: built(redisjson.Forget("doc", "$.s")), want: int64(1)},
		"json_del_legacy":         {cmd: built(redisjson.Del("doc", ".t")), want: int64(1)},
		"json_del_missing_path":   {cmd: built(redisjson.Del("doc", "$.nope")), want: int64(0)},
		"json_del_root":           {cmd: built(redisjson.Del("doc", "")), want: int64(1)},
		"json_del_missing_key":    {cmd: built(redisjson.Del("doc", "")), want: int64(0)},
		"type_of_json_key":        {cmd: built(redis.Type("num")), want: "ReJSON-RL"},
		"get_on_json_key_err":     {cmd: built(redis.Get("num")), want: wantErr("WRONGTYPE")},
		"json_unknown_subcmd_err": {cmd: built(redisjson.DebugHelp()), want: wantErr("ERR"), notEncoded: "JSON.DEBUG NOPE: the API sends only the HELP and MEMORY subcommands"},
	}
}

// checkDecoded compares a decoded result with the expected one.
// It reports whether they match.
func checkDecoded(t *testing.T, name string, proto int, got any, err error, want any) bool {
	t.Helper()
	if code, ok := want.(wantErr); ok {
		if code == "nil" {
			if !errors.Is(err, redis.ErrNil) {
				t.Errorf("%s RESP%d: got (%#v, %v), want redis.ErrNil", name, proto, got, err)
				return false
			}
			return true
		}
		var se *redis.Error
		if !errors.As(err, &se) || !errors.Is(err, &redis.Error{Msg: string(code)}) {
			t.Errorf("%s RESP%d: got (%#v, %v), want a *redis.Error with code %s", name, proto, got, err, code)
			return false
		}
		return true
	}
	if err != nil {
		t.Errorf("%s RESP%d: %v", name, proto, err)
		return false
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s RESP%d:\n got %#v\nwant %#v", name, proto, got, want)
		return false
	}
	return true
}

func loadCaptures(t *testing.T) []*captures.Case {
	t.Helper()
	cases, err := captures.Load("json")
	if err != nil {
		t.Fatal(err)
	}
	return cases
}

// TestCapturesDecode decodes every recorded reply, under RESP2 and RESP3,
// with the decoder the API uses for its command.
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
		if !reflect.DeepEqual(results[0], results[1]) {
			t.Errorf("%s: RESP2 gives %#v, RESP3 %#v", c.Name, results[0], results[1])
			ok = false
		}
		if ok {
			decoded++
		}
	}
	for name := range table {
		if captures.ByName(cases)[name] == nil {
			t.Errorf("%s: in the test table but not recorded", name)
		}
	}
	t.Logf("decoded %d/%d cases under RESP2 and RESP3", decoded, len(cases))
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
	if excluded > 6 {
		t.Errorf("%d cases excluded from the encoder test; keep the list small", excluded)
	}
}
