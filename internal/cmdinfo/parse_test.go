package cmdinfo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/respkit/redis/resp"
)

// fromJSON turns the JSON form of a reply (as redis-cli --json prints it)
// into a resp.Value: objects become maps (proto 3) or arrays of alternating
// names and values (proto 2), in their order in the text.
func fromJSON(t testing.TB, data []byte, proto int) resp.Value {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := jsonValue(dec, proto)
	if err != nil {
		t.Fatalf("JSON: %v", err)
	}
	return v
}

func jsonValue(dec *json.Decoder, proto int) (resp.Value, error) {
	tok, err := dec.Token()
	if err != nil {
		return resp.Value{}, err
	}
	switch tok := tok.(type) {
	case json.Delim:
		var elems []resp.Value
		for dec.More() {
			if tok == '{' {
				k, err := dec.Token()
				if err != nil {
					return resp.Value{}, err
				}
				elems = append(elems, resp.StringValue(k.(string)))
			}
			e, err := jsonValue(dec, proto)
			if err != nil {
				return resp.Value{}, err
			}
			elems = append(elems, e)
		}
		if _, err := dec.Token(); err != nil {
			return resp.Value{}, err
		}
		if elems == nil {
			elems = []resp.Value{}
		}
		if tok == '{' && proto >= 3 {
			return resp.MapValue(elems...), nil
		}
		return resp.ArrayValue(elems...), nil
	case json.Number:
		n, err := tok.Int64()
		return resp.IntValue(n), err
	case string:
		return resp.StringValue(tok), nil
	case nil:
		return resp.NullValue(), nil
	}
	return resp.Value{}, fmt.Errorf("unexpected %v", tok)
}

// specPath returns the path of a file of the shared specification folder
// (../shared/spec from the module root), or skips the test.
func specPath(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join("..", "..", "..", "shared", "spec", name)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("shared specification %s not available: %v", p, err)
	}
	return p
}

// compareWithTable reports how a parsed Info differs from the table's entry
// of the same name, field by field (key specs by value).
func compareWithTable(parsed *Info) []string {
	want := Lookup(parsed.Name)
	var diffs []string
	add := func(field string, got, want any) {
		if !reflect.DeepEqual(got, want) {
			diffs = append(diffs, fmt.Sprintf("%s %v, table %v", field, got, want))
		}
	}
	add("Name", parsed.Name, want.Name)
	add("Arity", parsed.Arity, want.Arity)
	// COMMAND INFO hides may_replicate on purpose and does not list
	// touches_arbitrary_keys; ConnState is kept by hand in the table.
	add("Flags", parsed.Flags, want.Flags&^(ConnState|MayReplicate|TouchesArbitraryKeys))
	add("FirstKey/KeyStep/LastKey", [3]int8{parsed.FirstKey, parsed.KeyStep, parsed.LastKey}, [3]int8{want.FirstKey, want.KeyStep, want.LastKey})
	add("Keys", fmt.Sprintf("%+v", parsed.Keys), fmt.Sprintf("%+v", want.Keys))
	add("Request", parsed.Request, want.Request)
	add("Response", parsed.Response, want.Response)
	add("Nondeterministic", parsed.Nondeterministic, want.Nondeterministic)
	if parsed.Group != "" || parsed.Since != "" {
		diffs = append(diffs, "Group or Since set")
	}
	return diffs
}

// TestParseCommandInfoCaptured parses the COMMAND INFO reply of a Redis 8.8
// server (the version of the table's specification), captured in the shared
// specification folder, in RESP2 and RESP3 form: every command of the table
// must come out exactly as in the table (but for ConnState, which the table
// keeps by hand, and Group and Since, which COMMAND INFO lacks).
func TestParseCommandInfoCaptured(t *testing.T) {
	data, err := os.ReadFile(specPath(t, "command-info-8.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, proto := range []int{2, 3} {
		reply := fromJSON(t, data, proto)
		var infos []*Info
		modules := 0
		for _, e := range reply.Elems() {
			if slices.ContainsFunc(e.Elems()[2].Elems(), func(f resp.Value) bool { return f.String() == "module" }) {
				modules++ // vector sets: a module bundled with the server
			}
			if infos, err = AppendCommandInfo(infos, e); err != nil {
				t.Fatalf("RESP%d: %v", proto, err)
			}
		}
		for _, info := range infos {
			if Lookup(info.Name) == nil {
				t.Errorf("RESP%d: %s is not in the table", proto, info.Name)
				continue
			}
			if d := compareWithTable(info); d != nil {
				t.Errorf("RESP%d: %s: %s", proto, info.Name, strings.Join(d, "; "))
			}
		}
		// Every table entry is in the capture but the sentinel-only ones,
		// SFLUSH (an EXPERIMENTAL command the server does not register) and
		// the commands of modules that server had not loaded.
		want := 0
		for _, info := range All() {
			if info.Flags&SentinelOnly == 0 && info.Name != "SFLUSH" && !unloadedModuleGroups[info.Group] {
				want++
			}
		}
		if len(infos) != want || modules == 0 {
			t.Errorf("RESP%d: %d commands parsed, %d in the table outside sentinel mode; %d module commands", proto, len(infos), want, modules)
		}
	}
}

// unloadedModuleGroups are the groups of the module commands in the table
// that command-info-8.json's server did not have (it had vector sets only).
var unloadedModuleGroups = map[string]bool{
	"json": true, "search": true, "suggestion": true, "timeseries": true,
	"bf": true, "cf": true, "cms": true, "tdigest": true, "topk": true,
}

// TestParseCommandInfoModules parses the COMMAND INFO reply of a Redis 8.8
// server with modules loaded (RedisBloom, RedisTimeSeries, RediSearch): no
// error, and module commands get their keys.
func TestParseCommandInfoModules(t *testing.T) {
	data, err := os.ReadFile(specPath(t, "command-info-8-modules.json"))
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*Info{}
	for _, proto := range []int{2, 3} {
		for _, e := range fromJSON(t, data, proto).Elems() {
			infos, err := AppendCommandInfo(nil, e)
			if err != nil {
				t.Fatalf("RESP%d: %v", proto, err)
			}
			for _, info := range infos {
				byName[info.Name] = info
			}
		}
	}
	if len(byName) < 400 {
		t.Errorf("%d commands", len(byName))
	}
	for _, tc := range []struct {
		line string
		want []int
	}{
		{"BF.ADD bf item", []int{1}},
		{"BF.MADD bf a b", []int{1}},
		{"TS.ADD ts * 1", []int{1}},
		{"TS.MADD a 1 1 b 1 2", []int{1, 4}},
		{"FT.SEARCH idx *", nil}, // RediSearch: the index is not a key
		{"TS.MRANGE - + FILTER a=b", nil},
	} {
		argv := args(tc.line)
		info := byName[string(argv[0])]
		if info == nil {
			t.Errorf("%s: not parsed", argv[0])
			continue
		}
		got, err := info.KeyIndexes(nil, argv)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, %v; want %v (key specs %+v)", tc.line, got, err, tc.want, info.Keys)
		}
	}
}

// TestParseCommandInfoForms checks hand-made replies: RESP2 and RESP3 key
// specs, old servers without key specs, tips, subcommands.
func TestParseCommandInfoForms(t *testing.T) {
	s, n, arr := resp.StringValue, resp.IntValue, resp.ArrayValue
	strs := func(list ...string) resp.Value {
		v := make([]resp.Value, len(list))
		for i, x := range list {
			v[i] = resp.SimpleStringValue(x)
		}
		return arr(v...)
	}
	keySpec := func(proto int, flags resp.Value, bsType string, bs []resp.Value, fkType string, fk []resp.Value) resp.Value {
		obj := func(kv ...resp.Value) resp.Value {
			if proto == 3 {
				return resp.MapValue(kv...)
			}
			return arr(kv...)
		}
		return obj(s("flags"), flags,
			s("begin_search"), obj(s("type"), s(bsType), s("spec"), obj(bs...)),
			s("find_keys"), obj(s("type"), s(fkType), s("spec"), obj(fk...)))
	}
	for _, proto := range []int{2, 3} {
		// A module command: keyword and keynum specs, tips, a subcommand.
		cmd := arr(s("my.cmd"), n(-3), strs("write", "denyoom", "module", "movablekeys", "shiny_new_flag"), n(0), n(0), n(0),
			strs("@write"),
			strs("request_policy:multi_shard", "response_policy:agg_max", "nondeterministic_output_order", "future_tip"),
			arr(
				keySpec(proto, strs("RW", "access", "update", "new_flag"), "keyword", []resp.Value{s("keyword"), s("keys"), s("startfrom"), n(-2)},
					"range", []resp.Value{s("lastkey"), n(-1), s("keystep"), n(1), s("limit"), n(0)}),
				keySpec(proto, strs("RO"), "index", []resp.Value{s("index"), n(2)},
					"keynum", []resp.Value{s("keynumidx"), n(0), s("firstkey"), n(1), s("keystep"), n(2)}),
				keySpec(proto, strs("OW"), "unknown", nil, "unknown", nil),
				keySpec(proto, strs("OW"), "someday", nil, "range", []resp.Value{s("lastkey"), n(0), s("keystep"), n(1), s("limit"), n(0)}),
			),
			arr(arr(s("my.cmd|sub"), n(3), strs("readonly"), n(2), n(2), n(1), strs(), strs(),
				arr(keySpec(proto, strs("RO", "access"), "index", []resp.Value{s("index"), n(2)}, "range", []resp.Value{s("lastkey"), n(0), s("keystep"), n(1), s("limit"), n(0)})),
				arr())))
		info, err := ParseCommandInfo(cmd)
		if err != nil {
			t.Fatalf("RESP%d: %v", proto, err)
		}
		want := &Info{Name: "MY.CMD", Arity: -3, Flags: Write | DenyOOM | Container, FirstKey: -1,
			Keys: []KeySpec{
				{Flags: KeyRW | KeyAccess | KeyUpdate, Begin: BeginKeyword, Keyword: "KEYS", StartFrom: -2, Find: FindRange, LastKey: -1, Step: 1},
				{Flags: KeyRO, Begin: BeginIndex, Pos: 2, Find: FindKeyNum, KeyNumIdx: 0, FirstKey: 1, Step: 2},
				{Flags: KeyOW},
				{Flags: KeyOW, Find: FindRange, Step: 1},
			},
			Request: RequestMultiShard, Response: ResponseAggMax, Nondeterministic: NondeterministicOrder}
		if !reflect.DeepEqual(info, want) {
			t.Errorf("RESP%d:\n got %+v\nwant %+v", proto, info, want)
		}
		got, err := info.KeyIndexes(nil, args("MY.CMD x 2 a v b v KEYS c d"))
		if err != nil || !slices.Equal(got, []int{8, 9, 3, 5}) {
			t.Errorf("RESP%d: keys %v, %v", proto, got, err)
		}
		all, err := AppendCommandInfo([]*Info{nil}, cmd)
		if err != nil || len(all) != 3 || all[1].Name != "MY.CMD" || all[2].Name != "MY.CMD SUB" || all[2].FirstKey != 2 || all[2].Flags != Readonly {
			t.Errorf("RESP%d: AppendCommandInfo = %v, %v", proto, all, err)
		}
	}

	// Servers before 7.0: six or seven fields, key specs made of the legacy positions.
	for _, tc := range []struct {
		v     resp.Value
		first int8
		keys  []KeySpec
		line  string
		want  []int
	}{
		{arr(s("mget"), n(-2), strs("readonly", "fast"), n(1), n(-1), n(1)), 1,
			[]KeySpec{{Begin: BeginIndex, Pos: 1, Find: FindRange, LastKey: -1, Step: 1}}, "MGET a b", []int{1, 2}},
		{arr(s("mset"), n(-3), strs("write"), n(1), n(-1), n(2), strs("@write")), 1,
			[]KeySpec{{Begin: BeginIndex, Pos: 1, Find: FindRange, LastKey: -1, Step: 2}}, "MSET a 1 b 2", []int{1, 3}},
		{arr(s("rename"), n(3), strs("write"), n(1), n(2), n(1), strs("@write")), 1,
			[]KeySpec{{Begin: BeginIndex, Pos: 1, Find: FindRange, LastKey: 1, Step: 1}}, "RENAME a b", []int{1, 2}},
		{arr(s("eval"), n(-3), strs("noscript", "movablekeys"), n(0), n(0), n(0)), -1,
			[]KeySpec{{Flags: KeyIncomplete}}, "EVAL s 1 k", nil},
		{arr(s("ping"), n(-1), strs("fast"), n(0), n(0), n(0)), 0, nil, "PING", nil},
	} {
		info, err := ParseCommandInfo(tc.v)
		if err != nil {
			t.Errorf("%s: %v", tc.line, err)
			continue
		}
		if info.FirstKey != tc.first || !reflect.DeepEqual(info.Keys, tc.keys) {
			t.Errorf("%s: FirstKey %d keys %+v", tc.line, info.FirstKey, info.Keys)
		}
		if got, err := info.KeyIndexes(nil, args(tc.line)); err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("%s: keys %v, %v", tc.line, got, err)
		}
	}

	// Numbers sent as strings are accepted; an unknown policy becomes special.
	info, err := ParseCommandInfo(arr(s("x"), s("2"), strs(), s("1"), s("1"), s("1"), strs(), strs("request_policy:nearest", "response_policy:vote")))
	if err != nil || info.Arity != 2 || info.FirstKey != 1 || info.Request != RequestSpecial || info.Response != ResponseSpecial {
		t.Errorf("numbers as strings, unknown policies: %+v, %v", info, err)
	}
}

// TestParseCommandInfoMalformed checks that malformed replies give errors.
func TestParseCommandInfoMalformed(t *testing.T) {
	s, n, arr := resp.StringValue, resp.IntValue, resp.ArrayValue
	if _, err := ParseCommandInfo(resp.NullValue()); !errors.Is(err, ErrUnknownCommand) {
		t.Errorf("null: %v", err)
	}
	if _, err := ParseCommandInfo(resp.ErrorValue("ERR unknown subcommand")); err == nil || err.Error() != "ERR unknown subcommand" {
		t.Errorf("error reply: %v", err)
	}
	ks := func(bsType string, bs resp.Value, fkType string, fk resp.Value) resp.Value {
		return arr(s("flags"), arr(), s("begin_search"), arr(s("type"), s(bsType), s("spec"), bs),
			s("find_keys"), arr(s("type"), s(fkType), s("spec"), fk))
	}
	goodRange := arr(s("lastkey"), n(0), s("keystep"), n(1), s("limit"), n(0))
	withSpec := func(spec resp.Value) resp.Value {
		return arr(s("get"), n(2), arr(), n(1), n(1), n(1), arr(), arr(), arr(spec), arr())
	}
	for name, v := range map[string]resp.Value{
		"not an array":      s("get"),
		"integer":           n(3),
		"too short":         arr(s("get"), n(2), arr(), n(1), n(1)),
		"empty":             arr(),
		"no name":           arr(s(""), n(2), arr(), n(1), n(1), n(1)),
		"name with a space": arr(s("a b"), n(2), arr(), n(1), n(1), n(1)),
		"long name":         arr(s(strings.Repeat("x", 257)), n(2), arr(), n(1), n(1), n(1)),
		"list as name":      arr(arr(s("get")), n(2), arr(), n(1), n(1), n(1)),
		"error as name":     arr(resp.ErrorValue("get"), n(2), arr(), n(1), n(1), n(1)),
		"error as arity":    arr(s("get"), resp.ErrorValue("2"), arr(), n(1), n(1), n(1)),
		"zero arity":        arr(s("get"), n(0), arr(), n(1), n(1), n(1)),
		"huge arity":        arr(s("get"), n(1<<40), arr(), n(1), n(1), n(1)),
		"arity as list":     arr(s("get"), arr(n(2)), arr(), n(1), n(1), n(1)),
		"flags as string":   arr(s("get"), n(2), s("readonly"), n(1), n(1), n(1)),
		"first key text":    arr(s("get"), n(2), arr(), s("one"), n(1), n(1)),
		"tips as string":    arr(s("get"), n(2), arr(), n(1), n(1), n(1), arr(), s("x")),
		"specs as integer":  arr(s("get"), n(2), arr(), n(1), n(1), n(1), arr(), arr(), n(1)),
		"subs as string":    arr(s("get"), n(2), arr(), n(1), n(1), n(1), arr(), arr(), arr(), s("x")),
		"bad subcommand":    arr(s("object"), n(-2), arr(), n(0), n(0), n(0), arr(), arr(), arr(), arr(s("x"))),
		"foreign subcommand": arr(s("object"), n(-2), arr(), n(0), n(0), n(0), arr(), arr(), arr(),
			arr(arr(s("client|list"), n(2), arr(), n(0), n(0), n(0)))),
		"odd key spec":       withSpec(arr(s("flags"))),
		"key spec string":    withSpec(s("x")),
		"no begin_search":    withSpec(arr(s("flags"), arr(), s("find_keys"), arr(s("type"), s("range"), s("spec"), goodRange))),
		"no type":            withSpec(arr(s("begin_search"), arr(s("spec"), arr()), s("find_keys"), arr(s("type"), s("range"), s("spec"), goodRange))),
		"index 0":            withSpec(ks("index", arr(s("index"), n(0)), "range", goodRange)),
		"index missing":      withSpec(ks("index", arr(), "range", goodRange)),
		"index huge":         withSpec(ks("index", arr(s("index"), n(1<<40)), "range", goodRange)),
		"index text":         withSpec(ks("index", arr(s("index"), s("one")), "range", goodRange)),
		"keyword empty":      withSpec(ks("keyword", arr(s("keyword"), s(""), s("startfrom"), n(1)), "range", goodRange)),
		"startfrom 0":        withSpec(ks("keyword", arr(s("keyword"), s("K"), s("startfrom"), n(0)), "range", goodRange)),
		"step 0":             withSpec(ks("index", arr(s("index"), n(1)), "range", arr(s("lastkey"), n(0), s("keystep"), n(0), s("limit"), n(0)))),
		"limit -1":           withSpec(ks("index", arr(s("index"), n(1)), "range", arr(s("lastkey"), n(0), s("keystep"), n(1), s("limit"), n(-1)))),
		"no lastkey":         withSpec(ks("index", arr(s("index"), n(1)), "range", arr(s("keystep"), n(1), s("limit"), n(0)))),
		"lastkey twice":      withSpec(ks("index", arr(s("index"), n(1)), "range", arr(s("lastkey"), n(0), s("lastkey"), n(0), s("limit"), n(0)))),
		"keynumidx -1":       withSpec(ks("index", arr(s("index"), n(1)), "keynum", arr(s("keynumidx"), n(-1), s("firstkey"), n(1), s("keystep"), n(1)))),
		"keynum no firstkey": withSpec(ks("index", arr(s("index"), n(1)), "keynum", arr(s("keynumidx"), n(0), s("keystep"), n(1)))),
		"spec is string":     withSpec(ks("index", s("1"), "range", goodRange)),
	} {
		if _, err := AppendCommandInfo(nil, v); err == nil {
			t.Errorf("%s: AppendCommandInfo succeeded", name)
		}
		if strings.Contains(name, "subcommand") {
			continue // ParseCommandInfo does not parse subcommands
		}
		if info, err := ParseCommandInfo(v); err == nil {
			t.Errorf("%s: parsed as %+v", name, info)
		}
	}
	// Subcommands nested deeper than any server sends.
	v := arr(s("a|b|c|d|e"), n(1), arr(), n(0), n(0), n(0), arr(), arr(), arr(), arr())
	for range 5 {
		v = arr(s("a"), n(1), arr(), n(0), n(0), n(0), arr(), arr(), arr(), arr(v))
	}
	if got, err := AppendCommandInfo([]*Info{nil}, v); err == nil || len(got) != 1 {
		t.Errorf("deep nesting: %d, %v", len(got), err)
	}
}

// FuzzParseCommandInfo decodes arbitrary bytes as a RESP reply and parses it
// as a COMMAND INFO element: no panic; what parses gives key indexes within
// any argv.
func FuzzParseCommandInfo(f *testing.F) {
	for _, proto := range []int{2, 3} {
		for _, e := range []string{
			`["get", 2, ["readonly", "fast"], 1, 1, 1, ["@read"], [], [{"flags": ["RO", "access"], "begin_search": {"type": "index", "spec": {"index": 1}}, "find_keys": {"type": "range", "spec": {"lastkey": 0, "keystep": 1, "limit": 0}}}], []]`,
			`["xread", -4, ["readonly", "blocking", "movablekeys"], 0, 0, 0, [], [], [{"flags": ["RO", "access"], "begin_search": {"type": "keyword", "spec": {"keyword": "STREAMS", "startfrom": 1}}, "find_keys": {"type": "range", "spec": {"lastkey": -1, "keystep": 1, "limit": 2}}}], []]`,
			`["eval", -3, ["noscript", "movablekeys"], 0, 0, 0, [], [], [{"flags": ["RW"], "begin_search": {"type": "index", "spec": {"index": 2}}, "find_keys": {"type": "keynum", "spec": {"keynumidx": 0, "firstkey": 1, "keystep": 1}}}], []]`,
			`["migrate", -6, ["write", "movablekeys"], 3, 3, 1, [], ["nondeterministic_output"], [{"flags": ["RW", "incomplete"], "begin_search": {"type": "keyword", "spec": {"keyword": "KEYS", "startfrom": -2}}, "find_keys": {"type": "range", "spec": {"lastkey": -1, "keystep": 1, "limit": 0}}}], []]`,
			`["object", -2, [], 0, 0, 0, [], [], [], [["object|encoding", 3, ["readonly"], 2, 2, 1, [], [], [{"flags": ["RO"], "begin_search": {"type": "index", "spec": {"index": 2}}, "find_keys": {"type": "range", "spec": {"lastkey": 0, "keystep": 1, "limit": 0}}}], []]]]`,
			`["dbsize", 1, ["readonly", "fast"], 0, 0, 0, [], ["request_policy:all_shards", "response_policy:agg_sum"], [], []]`,
			`["mget", -2, ["readonly", "fast"], 1, -1, 1]`,
		} {
			f.Add(resp.AppendValue(nil, fromJSON(f, []byte(e), proto), proto))
		}
	}
	f.Add([]byte("_\r\n"))
	f.Add([]byte("-ERR x\r\n"))
	lim := resp.Limits{MaxBulkLen: 1 << 12, MaxAggregateLen: 1 << 10, MaxDepth: 16, MaxLineLen: 1 << 12}
	argvs := [][][]byte{args("X"), args("X a"), args("X a b c"), args("X 2 a b c d"), args("X STREAMS a b 0 0"), args("X KEYS a b")}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := resp.NewReader(bytes.NewReader(data), lim).Read()
		if err != nil {
			return
		}
		info, err := ParseCommandInfo(v)
		all, err2 := AppendCommandInfo(nil, v)
		if err != nil && err2 == nil { // AppendCommandInfo also parses the subcommands: it may fail alone
			t.Fatalf("ParseCommandInfo error %v, AppendCommandInfo none", err)
		}
		if err != nil && info != nil || err2 != nil && all != nil {
			t.Fatal("a result with an error")
		}
		if err2 != nil {
			return
		}
		if all[0].Name != info.Name || info.Name == "" || info.Arity == 0 {
			t.Fatalf("bad info %+v", info)
		}
		for _, in := range all {
			for _, argv := range argvs {
				got, err := in.KeyIndexes(nil, argv)
				if err != nil && (!errors.Is(err, ErrKeyArgs) && !errors.Is(err, ErrKeySpec) || got != nil) {
					t.Fatalf("%+v on %q: %v, %v", in, argv, got, err)
				}
				for _, i := range got {
					if i < 1 || i >= len(argv) {
						t.Fatalf("%+v on %q: index %d out of range", in, argv, i)
					}
				}
			}
		}
	})
}
