package redisjson_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/respkit/redis"
	"github.com/respkit/redis/internal/cmdinfo"
	redisjson "github.com/respkit/redis/modules/json"
	"github.com/respkit/redis/resp"
)

// TestKeysAndFlags checks that the command table gives each command its
// keys (for cluster routing) and its read/write flag (for retries).
func TestKeysAndFlags(t *testing.T) {
	if cmdinfo.Lookup("JSON.GET") == nil {
		t.Skip("the command table has no JSON.* entries yet")
	}
	for _, tc := range []struct {
		cmd      commandUnderTestInfo
		keys     []string
		readonly bool
	}{
		{info(redisjson.GetAs[json.RawMessage]("doc", "$")), []string{"doc"}, true},
		{info(redisjson.GetWith("doc", redisjson.GetOptions{Indent: "\t"}, "$.a", "$.b")), []string{"doc"}, true},
		{info(redisjson.Set("doc", "$", 1)), []string{"doc"}, false},
		{info(redisjson.MGet("$", "a", "b", "c")), []string{"a", "b", "c"}, true},
		{info(redisjson.MGetAs[int]("$", "only")), []string{"only"}, true},
		{info(redisjson.MSet(
			redisjson.MSetEntry{Key: "m1", Path: "$", Value: 1},
			redisjson.MSetEntry{Key: "m2", Path: "$.a", Value: 2},
			redisjson.MSetEntry{Key: "m3", Path: "$", Value: 3},
		)), []string{"m1", "m2", "m3"}, false},
		{info(redisjson.Merge("doc", "$", 1)), []string{"doc"}, false},
		{info(redisjson.Del("doc", "")), []string{"doc"}, false},
		{info(redisjson.Forget("doc", "$")), []string{"doc"}, false},
		{info(redisjson.Clear("doc", "$")), []string{"doc"}, false},
		{info(redisjson.Type("doc", "$")), []string{"doc"}, true},
		{info(redisjson.Resp("doc", "")), []string{"doc"}, true},
		{info(redisjson.DebugMemory("doc", "$")), []string{"doc"}, true},
		{info(redisjson.DebugHelp()), nil, true},
		{info(redisjson.ArrAppend("doc", "$.a", 1, 2)), []string{"doc"}, false},
		{info(redisjson.ArrIndex("doc", "$.a", 1)), []string{"doc"}, true},
		{info(redisjson.ArrIndexRange("doc", "$.a", 1, 0, -1)), []string{"doc"}, true},
		{info(redisjson.ArrInsert("doc", "$.a", 0, 1)), []string{"doc"}, false},
		{info(redisjson.ArrLen("doc", "$.a")), []string{"doc"}, true},
		{info(redisjson.ArrPop("doc", "$.a")), []string{"doc"}, false},
		{info(redisjson.ArrPopAt("doc", "$.a", -1)), []string{"doc"}, false},
		{info(redisjson.ArrTrim("doc", "$.a", 0, 1)), []string{"doc"}, false},
		{info(redisjson.StrAppend("doc", "", "x")), []string{"doc"}, false},
		{info(redisjson.StrLen("doc", "$.s")), []string{"doc"}, true},
		{info(redisjson.NumIncrBy("doc", "$.n", 1)), []string{"doc"}, false},
		{info(redisjson.NumMultBy("doc", "$.n", 2)), []string{"doc"}, false},
		{info(redisjson.Toggle("doc", "$.t")), []string{"doc"}, false},
		{info(redisjson.ObjKeys("doc", "$")), []string{"doc"}, true},
		{info(redisjson.ObjLen("doc", "$")), []string{"doc"}, true},
	} {
		if tc.cmd.err != nil {
			t.Errorf("%s: %v", tc.cmd.name, tc.cmd.err)
			continue
		}
		if !tc.cmd.known {
			t.Errorf("%s: not in the command table", tc.cmd.name)
		}
		if !reflect.DeepEqual(tc.cmd.keys, tc.keys) {
			t.Errorf("%s: keys %q, want %q", tc.cmd.name, tc.cmd.keys, tc.keys)
		}
		if ro := tc.cmd.flags&redis.FlagReadonly != 0; ro != tc.readonly {
			t.Errorf("%s: readonly %v, want %v (flags %v)", tc.cmd.name, ro, tc.readonly, tc.cmd.flags)
		}
		if w := tc.cmd.flags&redis.FlagWrite != 0; w == tc.readonly {
			t.Errorf("%s: write flag %v with readonly %v (flags %v)", tc.cmd.name, w, tc.readonly, tc.cmd.flags)
		}
	}
}

type commandUnderTestInfo struct {
	name  string
	err   error
	known bool
	keys  []string
	flags redis.CmdFlags
}

func info[T any](c redis.Command[T]) commandUnderTestInfo {
	return commandUnderTestInfo{name: c.Name(), err: c.Err(), known: c.Known(), keys: c.Keys(), flags: c.Flags()}
}

// TestRejectedBeforeSending checks that input the server would refuse, or
// that has no JSON form, gives a command that carries an error naming the
// command, is never sent, and panics nowhere.
func TestRejectedBeforeSending(t *testing.T) {
	type unmarshalable struct{ C chan int }
	for _, tc := range []struct {
		cmd  commandUnderTestInfo
		want string // in the error's text
	}{
		{info(redisjson.Set("k", "", 1)), "a path is needed"},
		{info(redisjson.Set("k", "$", unmarshalable{})), "unsupported type"},
		{info(redisjson.Set("k", "$", math.NaN())), "unsupported value"},
		{info(redisjson.Set("k", "$", json.RawMessage(nil))), "empty json.RawMessage"},
		{info(redisjson.Set("k", "$", []byte{})), "empty []byte"},
		{info(redisjson.Set("k", "$", 1, redisjson.SetOptions{NX: true, XX: true})), "NX and XX conflict"},
		{info(redisjson.Set("k", "$", 1, redisjson.SetOptions{FPHA: "FP8"})), `FPHA type "FP8"`},
		{info(redisjson.Set("k", "$", 1, redisjson.SetOptions{}, redisjson.SetOptions{})), "at most one SetOptions"},
		{info(redisjson.GetAs[int]("k", "$", "")), "path 1 is empty"},
		{info(redisjson.GetWith("k", redisjson.GetOptions{}, "")), "path 0 is empty"},
		{info(redisjson.MGet("$")), "no keys"},
		{info(redisjson.MGetAs[int]("", "a")), "a path is needed"},
		{info(redisjson.MSet()), "no entries"},
		{info(redisjson.MSet(redisjson.MSetEntry{Key: "a", Path: "$", Value: 1}, redisjson.MSetEntry{Key: "b", Value: 1})), "entry 1: a path is needed"},
		{info(redisjson.MSet(redisjson.MSetEntry{Key: "a", Path: "$", Value: make(chan int)})), "entry 0"},
		{info(redisjson.Merge("k", "", 1)), "a path is needed"},
		{info(redisjson.Merge("k", "$", func() {})), "unsupported type"},
		{info(redisjson.ArrAppend("k", "", 1)), "a path is needed"},
		{info(redisjson.ArrAppend("k", "$")), "no values"},
		{info(redisjson.ArrAppend("k", "$", 1, math.Inf(1))), "value 1"},
		{info(redisjson.ArrIndex("k", "", 1)), "a path is needed"},
		{info(redisjson.ArrIndexRange("k", "$", make(chan int), 0, 1)), "unsupported type"},
		{info(redisjson.ArrInsert("k", "$", 0)), "no values"},
		{info(redisjson.ArrInsert("k", "", 0, 1)), "a path is needed"},
		{info(redisjson.ArrPopAt("k", "", 0)), "a path is needed"},
		{info(redisjson.ArrTrim("k", "", 0, 1)), "a path is needed"},
		{info(redisjson.NumIncrBy("k", "$", math.NaN())), "not a JSON number"},
		{info(redisjson.NumMultBy("k", "$", math.Inf(-1))), "not a JSON number"},
		{info(redisjson.NumIncrBy("k", "", 1)), "a path is needed"},
		{info(redisjson.Toggle("k", "")), "a path is needed"},
	} {
		if tc.cmd.err == nil {
			t.Errorf("%s: built without error", tc.cmd.name)
			continue
		}
		msg := tc.cmd.err.Error()
		if !strings.HasPrefix(msg, "redisjson: "+tc.cmd.name+": ") || !strings.Contains(msg, tc.want) {
			t.Errorf("%s: error %q, want it to start with the command's name and mention %q", tc.cmd.name, msg, tc.want)
		}
	}

	// Running such a command returns the error without sending anything:
	// the client here has no server at all.
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	defer rdb.Close()
	j := redisjson.New(rdb)
	err := j.Set(context.Background(), "k", "$", 1, redisjson.SetOptions{NX: true, XX: true})
	if err == nil || !strings.Contains(err.Error(), "NX and XX conflict") {
		t.Errorf("Set with NX and XX: %v", err)
	}
	if _, err := j.MGet(context.Background(), "$"); err == nil || !strings.Contains(err.Error(), "no keys") {
		t.Errorf("MGet without keys: %v", err)
	}
}

// TestValueEncoding checks how values become JSON text.
func TestValueEncoding(t *testing.T) {
	for _, tc := range []struct {
		value any
		text  string
	}{
		{"x", `"x"`},
		{"<a&b>", `"<a&b>"`}, // not escaped as \u003c
		{nil, `null`},
		{42, `42`},
		{1.5, `1.5`},
		{true, `true`},
		{[]int{1, 2}, `[1,2]`},
		{map[string]any{"b": 1, "a": []string{}}, `{"a":[],"b":1}`},
		{json.RawMessage(` {"kept": "as is"} `), ` {"kept": "as is"} `},
		{[]byte(`[1, 2]`), `[1, 2]`},
		{struct {
			Name string `json:"name"`
			Skip string `json:"-"`
		}{"n", "s"}, `{"name":"n"}`},
	} {
		cmd := redisjson.Set("k", "$", tc.value)
		if cmd.Err() != nil {
			t.Errorf("%#v: %v", tc.value, cmd.Err())
			continue
		}
		want, _ := resp.AppendCommand(nil, "JSON.SET", "k", "$", tc.text)
		if string(cmd.Bytes()) != string(want) {
			t.Errorf("%#v: sent %q, want %q", tc.value, cmd.Bytes(), want)
		}
	}
	for _, tc := range []struct {
		by   float64
		text string
	}{
		{2, "2"}, {-3, "-3"}, {0.25, "0.25"}, {1e308, "1e308"}, {1e-7, "1e-07"}, {1e21, "1e21"}, {-1.5e300, "-1.5e300"},
	} {
		want, _ := resp.AppendCommand(nil, "JSON.NUMINCRBY", "k", "$", tc.text)
		if got := redisjson.NumIncrBy("k", "$", tc.by).Bytes(); string(got) != string(want) {
			t.Errorf("NumIncrBy %v: sent %q, want %q", tc.by, got, want)
		}
	}
}

// Hand-built replies in the shapes RedisJSON documents for RESP3 (its
// "RESP2 to RESP3 replies" guide), which the recorded server (valkey-json)
// does not send: JSON.TYPE wraps its names in one more array, and
// JSON.NUMINCRBY/NUMMULTBY with a JSONPath return an array of integers,
// doubles and nulls instead of JSON text. They must decode to the same Go
// values as the RESP2 forms.
func TestRedisJSONRESP3Shapes(t *testing.T) {
	arr, str, sim, i64, f64, null := resp.ArrayValue, resp.StringValue, resp.SimpleStringValue, resp.IntValue, resp.FloatValue, resp.NullValue

	t.Run("TYPE", func(t *testing.T) {
		for _, tc := range []struct {
			name       string
			resp2, rj3 resp.Value
			want       []redisjson.ValueType
		}{
			{"legacy", sim("object"), arr(str("object")), []redisjson.ValueType{redisjson.TypeObject}},
			{"JSONPath", arr(sim("integer"), sim("number")), arr(arr(str("integer"), str("number"))), []redisjson.ValueType{redisjson.TypeInteger, redisjson.TypeNumber}},
			{"JSONPath one match", arr(sim("array")), arr(arr(str("array"))), []redisjson.ValueType{redisjson.TypeArray}},
			{"JSONPath, an array per match", arr(sim("integer"), sim("string")), arr(arr(str("integer")), arr(str("string"))), []redisjson.ValueType{redisjson.TypeInteger, redisjson.TypeString}},
			{"no match", arr(), arr(arr()), []redisjson.ValueType{}},
		} {
			cmd := redisjson.Type("k", "$")
			for _, v := range []resp.Value{tc.resp2, tc.rj3} {
				got, err := cmd.Decode(v, nil)
				if err != nil || !reflect.DeepEqual(got, tc.want) {
					t.Errorf("%s: %v decodes to %v, %v; want %v", tc.name, v, got, err, tc.want)
				}
			}
		}
	})

	t.Run("NUMINCRBY", func(t *testing.T) {
		for _, tc := range []struct {
			name       string
			resp2, rj3 resp.Value
			want       []redis.Null[json.Number]
		}{
			{"integers", str("[3,4]"), arr(i64(3), i64(4)), nums("3", "4")},
			{"float and null", str("[4.5,null]"), arr(f64(4.5), null()), nums("4.5", nil)},
			{"legacy", str("7"), i64(7), nums("7")},
			{"legacy float", str("2.5"), f64(2.5), nums("2.5")},
			{"a float with no fraction stays a float", str("[9.0]"), arr(f64(9)), nums("9.0")},
		} {
			cmd := redisjson.NumIncrBy("k", "$", 1)
			for _, v := range []resp.Value{tc.resp2, tc.rj3} {
				got, err := cmd.Decode(v, nil)
				if err != nil || !reflect.DeepEqual(got, tc.want) {
					t.Errorf("%s: %v decodes to %v, %v; want %v", tc.name, v, got, err, tc.want)
				}
			}
		}
		got, _ := redisjson.NumMultBy("k", "$", 2).Decode(arr(f64(9)), nil)
		if _, err := got[0].V.Int64(); err == nil {
			t.Errorf("a RESP3 double 9 reads as the integer %v; it should stay a float", got[0].V)
		}
		if f, err := got[0].V.Float64(); err != nil || f != 9 {
			t.Errorf("Float64 of %v: %v, %v", got[0].V, f, err)
		}
	})

	t.Run("omitted path defaults to $", func(t *testing.T) {
		// Under RESP3 RedisJSON's default path is "$", so a command sent
		// without a path gets the per-match shape.
		lens, err := redisjson.ArrLen("k", "").Decode(arr(i64(3)), nil)
		if err != nil || !reflect.DeepEqual(lens, ints(3)) {
			t.Errorf("ARRLEN: %v, %v", lens, err)
		}
		keys, err := redisjson.ObjKeys("k", "").Decode(arr(arr(str("a"), str("b"))), nil)
		if err != nil || !reflect.DeepEqual(keys, keyLists([]string{"a", "b"})) {
			t.Errorf("OBJKEYS: %v, %v", keys, err)
		}
		keys, err = redisjson.ObjKeys("k", "").Decode(arr(null()), nil)
		if err != nil || !reflect.DeepEqual(keys, keyLists(nil)) {
			t.Errorf("OBJKEYS of a non-object: %v, %v", keys, err)
		}
		form, err := redisjson.Resp("k", "").Decode(arr(arr(sim("["), i64(1))), nil)
		if err != nil || !reflect.DeepEqual(form, []any{[]any{int64(1)}}) {
			t.Errorf("RESP: %v, %v", form, err)
		}
		toggled, err := redisjson.Toggle("k", "$.t").Decode(arr(resp.BoolValue(true), null()), nil)
		if err != nil || !reflect.DeepEqual(toggled, bools(true, nil)) {
			t.Errorf("TOGGLE with RESP3 booleans: %v, %v", toggled, err)
		}
	})
}

// TestDecodeEdgeCases covers reply shapes the captures do not show.
func TestDecodeEdgeCases(t *testing.T) {
	arr, str, sim, i64 := resp.ArrayValue, resp.StringValue, resp.SimpleStringValue, resp.IntValue

	// An empty OBJKEYS array: no match for a JSONPath, an object without
	// members for a legacy path.
	if got, err := redisjson.ObjKeys("k", "$.x").Decode(arr(), nil); err != nil || !reflect.DeepEqual(got, keyLists()) {
		t.Errorf("OBJKEYS $ []: %v, %v", got, err)
	}
	if got, err := redisjson.ObjKeys("k", ".x").Decode(arr(), nil); err != nil || !reflect.DeepEqual(got, keyLists([]string{})) {
		t.Errorf("OBJKEYS . []: %v, %v", got, err)
	}
	// RedisJSON gives null for a JSONPath match that is not an object.
	if got, err := redisjson.ObjKeys("k", "$..a").Decode(arr(resp.NullValue(), arr(str("x"))), nil); err != nil || !reflect.DeepEqual(got, keyLists(nil, []string{"x"})) {
		t.Errorf("OBJKEYS [nil [x]]: %v, %v", got, err)
	}
	// JSON.RESP: the flat object form, and maps.
	flat := arr(sim("{"), str("a"), i64(1), str("b"), arr(sim("["), sim("true"), resp.NullValue()))
	if got, err := redisjson.Resp("k", ".").Decode(flat, nil); err != nil || !reflect.DeepEqual(got, []any{map[string]any{"a": int64(1), "b": []any{true, nil}}}) {
		t.Errorf("RESP flat object: %#v, %v", got, err)
	}
	if got, err := redisjson.Resp("k", "$").Decode(arr(), nil); err != nil || len(got) != 0 {
		t.Errorf("RESP no match: %#v, %v", got, err)
	}
	if got, err := redisjson.Resp("k", ".").Decode(sim("false"), nil); err != nil || !reflect.DeepEqual(got, []any{false}) {
		t.Errorf("RESP false: %#v, %v", got, err)
	}
	// A returned RawMessage is the caller's: changing it changes nothing
	// else.
	reply := str(`[1]`)
	got, _ := redisjson.ArrPop("k", ".").Decode(reply, nil)
	got[0].V[0] = 'X'
	if reply.String() != "[1]" {
		t.Errorf("the decoded JSON text shares memory with the reply")
	}

	// Malformed replies give errors, never panics.
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"OBJKEYS of an integer", errOf(redisjson.ObjKeys("k", "$").Decode(i64(1), nil))},
		{"RESP array without marker", errOf(redisjson.Resp("k", ".").Decode(arr(arr(str("{"), i64(1))), nil))},
		{"RESP unknown marker", errOf(redisjson.Resp("k", ".").Decode(arr(arr(sim("<"), i64(1))), nil))},
		{"RESP odd flat object", errOf(redisjson.Resp("k", ".").Decode(arr(sim("{"), str("a")), nil))},
		{"RESP bad pair", errOf(redisjson.Resp("k", ".").Decode(arr(sim("{"), arr(str("a"))), nil))},
		{"RESP member named by an integer", errOf(redisjson.Resp("k", ".").Decode(arr(sim("{"), arr(i64(1), i64(2))), nil))},
		{"NUMINCRBY text", errOf(redisjson.NumIncrBy("k", "$", 1).Decode(str(`"x"`), nil))},
		{"NUMINCRBY bad array", errOf(redisjson.NumIncrBy("k", "$", 1).Decode(str(`[1,"x"]`), nil))},
		{"NUMINCRBY broken array", errOf(redisjson.NumIncrBy("k", "$", 1).Decode(str(`[1,`), nil))},
		{"NUMINCRBY map", errOf(redisjson.NumIncrBy("k", "$", 1).Decode(resp.MapValue(str("a"), i64(1)), nil))},
		{"TOGGLE text", errOf(redisjson.Toggle("k", ".t").Decode(str("yes"), nil))},
		{"TYPE integer", errOf(redisjson.Type("k", ".").Decode(i64(1), nil))},
		{"TYPE array of integers", errOf(redisjson.Type("k", "$").Decode(arr(i64(1)), nil))},
		{"TYPE arrays and a name", errOf(redisjson.Type("k", "$").Decode(arr(arr(str("array")), str("array")), nil))},
		{"ARRLEN text", errOf(redisjson.ArrLen("k", "$").Decode(arr(str("x")), nil))},
		{"ARRLEN error entry", errOf(redisjson.ArrLen("k", "$").Decode(arr(resp.ErrorValue("ERR x")), nil))},
		{"MGET integer", errOf(redisjson.MGet("$", "a").Decode(i64(1), nil))},
		{"GET array", errOf(redisjson.GetAs[int]("k", ".").Decode(arr(), nil))},
		{"GET into a wrong type", errOf(redisjson.GetAs[int]("k", ".").Decode(str(`"x"`), nil))},
		{"MGET into a wrong type", errOf(redisjson.MGetAs[int]("$", "a").Decode(arr(str(`"x"`)), nil))},
		{"SET integer", errOf(redisjson.Set("k", "$", 1).Decode(i64(1), nil))},
	} {
		if tc.err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}

	// Errors of the call pass through every decoder unchanged.
	cause := errors.New("connection reset")
	if _, err := redisjson.ArrLen("k", "$").Decode(resp.Value{}, cause); err != cause {
		t.Errorf("ARRLEN with a call error: %v", err)
	}
	if _, err := redisjson.Resp("k", "$").Decode(resp.Value{}, cause); err != cause {
		t.Errorf("RESP with a call error: %v", err)
	}
}

func errOf[T any](_ T, err error) error { return err }
