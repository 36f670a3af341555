package main

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// moduleRoot returns the root of the module the test runs in.
func moduleRoot(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root, err := findModuleRoot(wd)
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// sharedSpec returns the path of a file of the shared specification folder,
// which lives next to the repository (../shared/spec from the module root), or
// skips the test when it is missing.
func sharedSpec(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join(moduleRoot(t), "..", "shared", "spec", name)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("shared specification %s not available: %v", p, err)
	}
	return p
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// firstDiff describes where two outputs start to differ.
func firstDiff(got, want []byte) string {
	n := min(len(got), len(want))
	i := 0
	for i < n && got[i] == want[i] {
		i++
	}
	line := bytes.Count(want[:i], []byte("\n")) + 1
	return "sizes " + strconv.Itoa(len(got)) + " and " + strconv.Itoa(len(want)) + ", first difference on line " + strconv.Itoa(line)
}

// TestGenerateReproducible is the "go generate is reproducible" check: running
// the generator (default mode, default input) into a temporary file gives the
// committed table_gen.go byte for byte.
func TestGenerateReproducible(t *testing.T) {
	root := moduleRoot(t)
	out := filepath.Join(t.TempDir(), "table_gen.go")
	if err := run([]string{"-out", out}, io.Discard); err != nil {
		t.Fatal(err)
	}
	got := readFile(t, out)
	want := readFile(t, filepath.Join(root, "internal", "cmdinfo", "table_gen.go"))
	if !bytes.Equal(got, want) {
		t.Fatalf("internal/cmdinfo/table_gen.go is stale (%s): run go generate ./internal/cmdinfo", firstDiff(got, want))
	}
}

// TestTrimReproducible checks that -trim rebuilds the committed commands.json
// byte for byte from the shared specification.
func TestTrimReproducible(t *testing.T) {
	spec := sharedSpec(t, "redis-commands.json")
	root := moduleRoot(t)
	out := filepath.Join(t.TempDir(), "commands.json")
	if err := run([]string{"-trim", spec, "-out", out}, io.Discard); err != nil {
		t.Fatal(err)
	}
	got := readFile(t, out)
	want := readFile(t, filepath.Join(root, "internal", "gen", "commands.json"))
	if !bytes.Equal(got, want) {
		t.Fatalf("internal/gen/commands.json differs from the trimmed specification (%s): run go run ./internal/gen -trim %s", firstDiff(got, want), spec)
	}
	// Twice gives the same bytes.
	again, err := trim(readFile(t, spec))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, got) {
		t.Fatal("two trims of the same specification differ")
	}
}

// TestTrimIdempotent needs no shared specification: trimming the committed
// commands.json changes nothing, so it is sorted, indented and facts-only.
func TestTrimIdempotent(t *testing.T) {
	src := readFile(t, filepath.Join(moduleRoot(t), "internal", "gen", "commands.json"))
	got, err := trim(src)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, src) {
		t.Fatalf("trim(commands.json) != commands.json (%s)", firstDiff(got, src))
	}
	if !bytes.HasSuffix(src, []byte("}\n")) {
		t.Fatal("commands.json does not end in a newline")
	}
}

// proseKeys must not appear in commands.json, except as names of reply fields
// inside "properties" of a reply schema (COMMAND DOCS replies have a "summary"
// and a "complexity" field, FUNCTION LIST replies a "description" field): those
// are facts about the reply's shape, and their values are schemas, not text.
var proseKeys = []string{
	"summary", "description", "complexity", "history", "doc_flags", "notes",
	"display", "display_text", "function", "get_keys_function", "_source_file",
}

// TestCommandsJSONNoProse walks commands.json and fails on any prose field.
func TestCommandsJSONNoProse(t *testing.T) {
	src := readFile(t, filepath.Join(moduleRoot(t), "internal", "gen", "commands.json"))
	var all map[string]map[string]any
	if err := json.Unmarshal(src, &all); err != nil {
		t.Fatal(err)
	}
	if len(all) != 442 {
		t.Errorf("commands.json has %d commands, want 442", len(all))
	}
	var allowed []string
	var walk func(v any, path string, names bool)
	walk = func(v any, path string, names bool) {
		switch v := v.(type) {
		case map[string]any:
			for k, sub := range v {
				p := path + "/" + k
				if slices.Contains(proseKeys, k) {
					_, isSchema := sub.(map[string]any)
					if !names || !isSchema || !strings.Contains(path, "/reply_schema") {
						t.Errorf("prose field %s", p)
					} else {
						allowed = append(allowed, p)
					}
				}
				walk(sub, p, !names && (k == "properties" || k == "patternProperties"))
			}
		case []any:
			for i, sub := range v {
				walk(sub, path+"/"+strconv.Itoa(i), false)
			}
		}
	}
	for name, cmd := range all {
		walk(cmd, name, false)
	}
	// The reply-field exceptions are known ones; a new one deserves a look.
	slices.Sort(allowed)
	want := []string{
		"COMMAND DOCS/reply_schema/patternProperties/^.*$/properties/arguments/items/properties/display_text",
		"COMMAND DOCS/reply_schema/patternProperties/^.*$/properties/arguments/items/properties/summary",
		"COMMAND DOCS/reply_schema/patternProperties/^.*$/properties/complexity",
		"COMMAND DOCS/reply_schema/patternProperties/^.*$/properties/doc_flags",
		"COMMAND DOCS/reply_schema/patternProperties/^.*$/properties/history",
		"COMMAND DOCS/reply_schema/patternProperties/^.*$/properties/summary",
		"COMMAND INFO/reply_schema/items/oneOf/1/items/8/items/properties/notes",
		"FUNCTION LIST/reply_schema/items/properties/functions/items/properties/description",
	}
	if !slices.Equal(allowed, want) {
		t.Errorf("reply fields named like prose:\n got %q\nwant %q", allowed, want)
	}
	if bytes.Contains(src, []byte(`"description": "`)) || bytes.Contains(src, []byte(`"summary": "`)) {
		t.Error("commands.json contains a description or summary text")
	}
}

// TestTrimFields checks the field selection on a small specification.
func TestTrimFields(t *testing.T) {
	spec := `{
	 "FOO": {"summary": "s", "complexity": "O(1)", "group": "string", "since": "1.0.0", "arity": -2,
	  "function": "fooCommand", "history": [["2.0.0", "h"]], "doc_flags": ["DEPRECATED"],
	  "deprecated_since": "2.0.0", "replaced_by": "BAR", "command_flags": ["WRITE"], "acl_categories": ["STRING"],
	  "command_tips": ["NONDETERMINISTIC_OUTPUT"], "_source_file": "foo.json",
	  "key_specs": [{"notes": "n", "flags": ["RW"], "begin_search": {"index": {"pos": 1}},
	   "find_keys": {"range": {"lastkey": 0, "step": 1, "limit": 0}}}],
	  "arguments": [{"name": "key", "type": "key", "key_spec_index": 0, "display": "k", "summary": "s"},
	   {"name": "opt", "type": "oneof", "optional": true, "arguments": [
	    {"name": "a", "type": "pure-token", "token": "A", "display_text": "d", "since": "1.5.0"}]}],
	  "reply_schema": {"description": "d", "type": "object", "properties": {
	   "description": {"description": "x", "type": "string"}, "n": {"const": {"description": "kept"}}}}},
	 "FOO SUB": {"container": "FOO", "group": "string", "since": "1.0.0", "arity": 2}
	}`
	out, err := trim([]byte(spec))
	if err != nil {
		t.Fatal(err)
	}
	want := `{
 "FOO": {
  "acl_categories": [
   "STRING"
  ],
  "arguments": [
   {
    "key_spec_index": 0,
    "name": "key",
    "type": "key"
   },
   {
    "arguments": [
     {
      "name": "a",
      "since": "1.5.0",
      "token": "A",
      "type": "pure-token"
     }
    ],
    "name": "opt",
    "optional": true,
    "type": "oneof"
   }
  ],
  "arity": -2,
  "command_flags": [
   "WRITE"
  ],
  "command_tips": [
   "NONDETERMINISTIC_OUTPUT"
  ],
  "deprecated_since": "2.0.0",
  "group": "string",
  "key_specs": [
   {
    "begin_search": {
     "index": {
      "pos": 1
     }
    },
    "find_keys": {
     "range": {
      "lastkey": 0,
      "limit": 0,
      "step": 1
     }
    },
    "flags": [
     "RW"
    ]
   }
  ],
  "name": "FOO",
  "replaced_by": "BAR",
  "reply_schema": {
   "properties": {
    "description": {
     "type": "string"
    },
    "n": {
     "const": {
      "description": "kept"
     }
    }
   },
   "type": "object"
  },
  "since": "1.0.0"
 },
 "FOO SUB": {
  "arity": 2,
  "container": "FOO",
  "group": "string",
  "name": "FOO SUB",
  "since": "1.0.0"
 }
}
`
	if string(out) != want {
		t.Errorf("trim output:\n%s\nwant:\n%s", out, want)
	}
}

// TestTrimRejects checks that unknown fields and malformed entries stop the trim.
func TestTrimRejects(t *testing.T) {
	for _, spec := range []string{
		`{"FOO": {"group": "g", "since": "1", "arity": 1, "new_prose": "x"}}`,
		`{"FOO": {"group": "g", "since": "1", "arity": 1, "arguments": [{"name": "a", "type": "string", "tooltip": "x"}]}}`,
		`{"FOO": {"group": "g", "since": "1", "arity": 1, "key_specs": [{"flags": [], "comment": "x"}]}}`,
		`{"FOO BAR": {"group": "g", "since": "1", "arity": 1}}`,
		`{"FOO BAR": {"container": "BAZ", "group": "g", "since": "1", "arity": 1}}`,
		`{"foo": {"group": "g", "since": "1", "arity": 1}}`,
		`{"FOO": {"group": "g", "since": "1", "arity": 1}} {}`,
		`{}`,
	} {
		if _, err := trim([]byte(spec)); err == nil {
			t.Errorf("trim(%s) succeeded", spec)
		}
	}
}

func spec(bs, fk string, flags ...string) keySpec {
	var ks keySpec
	if err := json.Unmarshal([]byte(`{"begin_search": `+bs+`, "find_keys": `+fk+`}`), &ks); err != nil {
		panic(err)
	}
	ks.Flags = flags
	return ks
}

// TestKeyPositions covers the reduction of key specs to FirstKey/KeyStep/LastKey.
func TestKeyPositions(t *testing.T) {
	idx := func(pos string) string { return `{"index": {"pos": ` + pos + `}}` }
	rng := func(last, step string) string {
		return `{"range": {"lastkey": ` + last + `, "step": ` + step + `, "limit": 0}}`
	}
	keynum := `{"keynum": {"keynumidx": 0, "firstkey": 1, "step": 1}}`
	keyword := `{"keyword": {"keyword": "STREAMS", "startfrom": 1}}`
	tests := []struct {
		name              string
		specs             []keySpec
		first, step, last int
	}{
		{"PING", nil, 0, 0, 0},
		{"GET", []keySpec{spec(idx("1"), rng("0", "1"))}, 1, 0, 0},
		{"MGET", []keySpec{spec(idx("1"), rng("-1", "1"))}, 1, 1, -1},
		{"MSET", []keySpec{spec(idx("1"), rng("-1", "2"))}, 1, 2, -1},
		{"BLPOP", []keySpec{spec(idx("1"), rng("-2", "1"))}, 1, 1, -2},
		{"RENAME", []keySpec{spec(idx("1"), rng("0", "1")), spec(idx("2"), rng("0", "1"))}, 1, 1, 1},
		{"RENAME reversed", []keySpec{spec(idx("2"), rng("0", "1")), spec(idx("1"), rng("0", "1"))}, 1, 1, 1},
		{"BITOP", []keySpec{spec(idx("2"), rng("0", "1")), spec(idx("3"), rng("-1", "1"))}, 2, 1, -1},
		{"gap", []keySpec{spec(idx("1"), rng("0", "1")), spec(idx("3"), rng("0", "1"))}, -1, 0, 0},
		{"after open range", []keySpec{spec(idx("1"), rng("-2", "1")), spec(idx("2"), rng("0", "1"))}, -1, 0, 0},
		{"step 2 chained", []keySpec{spec(idx("1"), rng("0", "1")), spec(idx("2"), rng("-1", "2"))}, -1, 0, 0},
		{"EVAL", []keySpec{spec(idx("2"), keynum)}, -1, 0, 0},
		{"XREAD", []keySpec{spec(keyword, `{"range": {"lastkey": -1, "step": 1, "limit": 2}}`)}, -1, 0, 0},
		{"SORT", []keySpec{spec(idx("1"), rng("0", "1")), spec(`{"unknown": null}`, `{"unknown": null}`)}, -1, 0, 0},
		{"incomplete", []keySpec{spec(idx("1"), rng("0", "1"), "RW", "INCOMPLETE")}, -1, 0, 0},
		{"limit", []keySpec{spec(idx("1"), `{"range": {"lastkey": -1, "step": 1, "limit": 2}}`)}, -1, 0, 0},
	}
	for _, tt := range tests {
		first, step, last, err := keyPositions(tt.specs)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if first != tt.first || step != tt.step || last != tt.last {
			t.Errorf("%s: got %d/%d/%d, want %d/%d/%d", tt.name, first, step, last, tt.first, tt.step, tt.last)
		}
	}
	for _, bad := range [][]keySpec{
		{spec(idx("0"), rng("0", "1"))},
		{spec(idx("1"), rng("0", "0"))},
		{spec(`{"index": {"pos": 1}, "keyword": {"keyword": "K", "startfrom": 1}}`, rng("0", "1"))},
		{spec(`{"middle": {}}`, rng("0", "1"))},
	} {
		if _, _, _, err := keyPositions(bad); err == nil {
			t.Errorf("keyPositions(%+v) succeeded", bad)
		}
	}
}

// TestKeyPositionsMatchServer compares the generated key positions with what a
// running Redis 8.8 reports in COMMAND INFO (first key, last key, step and the
// movablekeys flag), captured in the shared specification folder.
func TestKeyPositionsMatchServer(t *testing.T) {
	path := sharedSpec(t, "command-info-8.json")
	var info []json.RawMessage
	if err := json.Unmarshal(readFile(t, path), &info); err != nil {
		t.Fatal(err)
	}
	rows := committedRows(t)
	byName := make(map[string]row, len(rows))
	for _, r := range rows {
		byName[r.name] = r
	}
	var check func(raw json.RawMessage)
	checked := 0
	check = func(raw json.RawMessage) {
		var e []json.RawMessage
		if err := json.Unmarshal(raw, &e); err != nil || len(e) < 10 {
			t.Fatalf("bad COMMAND INFO entry %.80s", raw)
		}
		var name string
		var flags []string
		var first, last, step int
		var subs []json.RawMessage
		for i, dst := range []any{&name, nil, &flags, &first, &last, &step, nil, nil, nil, &subs} {
			if dst != nil {
				if err := json.Unmarshal(e[i], dst); err != nil {
					t.Fatalf("%s: field %d: %v", name, i, err)
				}
			}
		}
		name = strings.ToUpper(strings.ReplaceAll(name, "|", " "))
		if slices.Contains(flags, "module") {
			return // vector sets: a module bundled with the server, not in redis-commands.json
		}
		r, ok := byName[name]
		if !ok {
			t.Errorf("%s: reported by the server, not in the table", name)
			return
		}
		checked++
		movable := slices.Contains(flags, "movablekeys")
		switch {
		case r.firstKey < 0:
			if !movable {
				t.Errorf("%s: FirstKey -1 but the server does not report movablekeys", name)
			}
		case r.firstKey == 0:
			if first != 0 || movable {
				t.Errorf("%s: no keys, server says %d/%d/%d movable=%v", name, first, last, step, movable)
			}
		default:
			absLast, wantStep := r.lastKey, r.keyStep
			if absLast >= 0 {
				absLast += r.firstKey
			}
			if wantStep == 0 {
				wantStep = 1
			}
			if movable || first != r.firstKey || last != absLast || step != wantStep {
				t.Errorf("%s: table %d/%d/%d, server first/last/step %d/%d/%d movable=%v",
					name, r.firstKey, r.keyStep, r.lastKey, first, last, step, movable)
			}
		}
		for _, s := range subs {
			check(s)
		}
	}
	for _, raw := range info {
		check(raw)
	}
	if checked < 400 {
		t.Errorf("only %d commands checked", checked)
	}
}

func committedRows(t *testing.T) []row {
	t.Helper()
	var cmds map[string]command
	if err := json.Unmarshal(readFile(t, filepath.Join(moduleRoot(t), "internal", "gen", "commands.json")), &cmds); err != nil {
		t.Fatal(err)
	}
	rows, err := buildRows(cmds)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestFlagsAndConnState checks the flag mapping of a few commands and that
// every hand-kept connection-state command gets ConnState.
func TestFlagsAndConnState(t *testing.T) {
	rows := committedRows(t)
	if len(rows) != 442 {
		t.Fatalf("%d rows, want 442", len(rows))
	}
	get := func(name string) row {
		i := slices.IndexFunc(rows, func(r row) bool { return r.name == name })
		if i < 0 {
			t.Fatalf("%s missing", name)
		}
		return rows[i]
	}
	for name, want := range map[string][]string{
		"GET":       {"Readonly", "Fast"},
		"SET":       {"Write", "DenyOOM"},
		"CLIENT":    {"Container"},
		"SUBSCRIBE": {"PubSub", "NoScript", "Loading", "Stale", "DenyOOM", "ConnState"},
		"SENTINEL":  {"Admin", "SentinelOnly", "Container"},
	} {
		if got := get(name).flags; !slices.Equal(got, want) {
			t.Errorf("%s flags %v, want %v", name, got, want)
		}
	}
	n := 0
	for _, r := range rows {
		if slices.Contains(r.flags, "ConnState") {
			n++
			if !slices.Contains(connStateCommands, r.name) {
				t.Errorf("%s has ConnState but is not in connStateCommands", r.name)
			}
		}
	}
	if n != len(connStateCommands) || n != 30 {
		t.Errorf("%d ConnState rows, %d listed, want 30", n, len(connStateCommands))
	}
}

// TestGenerateRejects checks that unknown flags, missing connection-state
// commands and broken containers stop the generator.
func TestGenerateRejects(t *testing.T) {
	base := map[string]command{}
	for _, n := range connStateCommands {
		c := command{Name: n, Group: "g", Since: "1.0.0", Arity: 1}
		if i := strings.IndexByte(n, ' '); i > 0 {
			c.Container = n[:i]
			base[n[:i]] = command{Name: n[:i], Group: "g", Since: "1.0.0", Arity: -2}
		}
		base[n] = c
	}
	if _, err := buildRows(base); err != nil {
		t.Fatalf("minimal table: %v", err)
	}
	for name, edit := range map[string]func(m map[string]command){
		"unknown flag": func(m map[string]command) {
			m["FOO"] = command{Name: "FOO", Group: "g", Since: "1", Arity: 1, CommandFlags: []string{"SHINY"}}
		},
		"missing conn-state command": func(m map[string]command) { delete(m, "AUTH") },
		"missing container":          func(m map[string]command) { delete(m, "CLIENT") },
		"name mismatch":              func(m map[string]command) { m["FOO"] = command{Name: "BAR", Group: "g", Since: "1", Arity: 1} },
		"no arity":                   func(m map[string]command) { m["FOO"] = command{Name: "FOO", Group: "g", Since: "1"} },
		"unknown tip": func(m map[string]command) {
			m["FOO"] = command{Name: "FOO", Group: "g", Since: "1", Arity: 1, CommandTips: []string{"REQUEST_POLICY:NEAREST"}}
		},
		"unknown key spec flag": func(m map[string]command) {
			m["FOO"] = command{Name: "FOO", Group: "g", Since: "1", Arity: 2, KeySpecs: []keySpec{
				spec(`{"index": {"pos": 1}}`, `{"range": {"lastkey": 0, "step": 1, "limit": 0}}`, "RW", "SHINY")}}
		},
	} {
		m := maps.Clone(base)
		edit(m)
		if _, err := buildRows(m); err == nil {
			t.Errorf("%s: buildRows succeeded", name)
		}
	}
}

// TestFindModuleRoot checks the go.mod search used for the default paths.
func TestFindModuleRoot(t *testing.T) {
	root := moduleRoot(t)
	for _, dir := range []string{root, filepath.Join(root, "internal", "cmdinfo"), filepath.Join(root, "internal", "gen")} {
		got, err := findModuleRoot(dir)
		if err != nil || got != root {
			t.Errorf("findModuleRoot(%s) = %q, %v; want %q", dir, got, err, root)
		}
	}
	other := t.TempDir()
	if err := os.WriteFile(filepath.Join(other, "go.mod"), []byte("module example.com/other\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := findModuleRoot(other); err == nil {
		t.Error("findModuleRoot accepted another module")
	}
	if got := goModPath([]byte("// c\nmodule \"github.com/respkit/redis\" // x\n\ngo 1.26\n")); got != modulePath {
		t.Errorf("goModPath = %q", got)
	}
}

// TestRunFlags checks the command line.
func TestRunFlags(t *testing.T) {
	for _, args := range [][]string{
		{"extra"},
		{"-trim", "a.json", "-spec", "b.json"},
		{"-nope"},
		{"-spec", filepath.Join(t.TempDir(), "missing.json"), "-out", filepath.Join(t.TempDir(), "x.go")},
	} {
		if err := run(args, io.Discard); err == nil {
			t.Errorf("run(%q) succeeded", args)
		}
	}
}

// TestTips checks the mapping of command tips and its refusals.
func TestTips(t *testing.T) {
	req, res, out, err := tips([]string{"NONDETERMINISTIC_OUTPUT_ORDER", "REQUEST_POLICY:ALL_SHARDS", "RESPONSE_POLICY:AGG_LOGICAL_OR"})
	if err != nil || req != "RequestAllShards" || res != "ResponseAggLogicalOr" || out != "NondeterministicOrder" {
		t.Errorf("tips = %q %q %q %v", req, res, out, err)
	}
	if req, res, out, err := tips(nil); err != nil || req != "" || res != "" || out != "" {
		t.Errorf("no tips = %q %q %q %v", req, res, out, err)
	}
	for _, bad := range [][]string{
		{"REQUEST_POLICY:NEAREST"},
		{"RESPONSE_POLICY:VOTE"},
		{"SOMETHING_NEW"},
		{"NONDETERMINISTIC_OUTPUT:X"},
		{"REQUEST_POLICY"},
		{"request_policy:all_shards"},
		{"REQUEST_POLICY:ALL_SHARDS", "REQUEST_POLICY:ALL_NODES"},
		{"RESPONSE_POLICY:AGG_SUM", "RESPONSE_POLICY:AGG_SUM"},
		{"NONDETERMINISTIC_OUTPUT", "NONDETERMINISTIC_OUTPUT_ORDER"},
	} {
		if _, _, _, err := tips(bad); err == nil {
			t.Errorf("tips(%q) succeeded", bad)
		}
	}
	// Every tip of the committed commands.json is mapped (else buildRows fails),
	// and every mapping is used by some command, so none is a guess.
	used := map[string]bool{}
	for _, r := range committedRows(t) {
		used[r.request], used[r.response], used[r.output] = true, true, true
	}
	for _, m := range []map[string]string{requestPolicies, responsePolicies, outputTips} {
		for tip, ident := range m {
			if !used[ident] && ident != "ResponseAggLogicalOr" && ident != "ResponseAggMax" {
				t.Errorf("%s (%s) is used by no command", tip, ident)
			}
		}
	}
}

// TestKeySpecLiteral checks the generated KeySpec literals and the refusals.
func TestKeySpecLiteral(t *testing.T) {
	idx := `{"index": {"pos": 2}}`
	rng := `{"range": {"lastkey": -1, "step": 1, "limit": 0}}`
	for _, tc := range []struct {
		ks   keySpec
		want string
	}{
		{spec(idx, rng, "RW", "ACCESS"), "{Flags: KeyRW | KeyAccess, Begin: BeginIndex, Pos: 2, Find: FindRange, LastKey: -1, Step: 1, Limit: 0}"},
		{spec(idx, rng, "ACCESS", "RO"), "{Flags: KeyRO | KeyAccess, Begin: BeginIndex, Pos: 2, Find: FindRange, LastKey: -1, Step: 1, Limit: 0}"},
		{spec(`{"keyword": {"keyword": "STREAMS", "startfrom": -2}}`, `{"range": {"lastkey": -1, "step": 1, "limit": 2}}`, "NOT_KEY"),
			`{Flags: KeyNotKey, Begin: BeginKeyword, Keyword: "STREAMS", StartFrom: -2, Find: FindRange, LastKey: -1, Step: 1, Limit: 2}`},
		{spec(idx, `{"keynum": {"keynumidx": 0, "firstkey": 1, "step": 2}}`),
			"{Begin: BeginIndex, Pos: 2, Find: FindKeyNum, KeyNumIdx: 0, FirstKey: 1, Step: 2}"},
		{spec(`{"unknown": null}`, `{"unknown": null}`, "OW", "UPDATE", "INCOMPLETE", "VARIABLE_FLAGS", "INSERT", "DELETE", "RM"),
			"{Flags: KeyOW | KeyRM | KeyUpdate | KeyInsert | KeyDelete | KeyIncomplete | KeyVariableFlags, Begin: BeginUnknown, Find: FindUnknown}"},
	} {
		got, err := keySpecLiteral(tc.ks)
		if err != nil || got != tc.want {
			t.Errorf("keySpecLiteral(%+v) = %s, %v\nwant %s", tc.ks, got, err, tc.want)
		}
	}
	for _, bad := range []keySpec{
		spec(idx, rng, "SHINY"),
		spec(`{"index": {"pos": 0}}`, rng),
		spec(`{"index": {"pos": 2, "extra": 1}}`, rng),
		spec(`{"index": {}}`, rng),
		spec(`{"keyword": {"keyword": "streams", "startfrom": 1}}`, rng),
		spec(`{"keyword": {"keyword": "", "startfrom": 1}}`, rng),
		spec(`{"keyword": {"keyword": "K", "startfrom": 0}}`, rng),
		spec(`{"keyword": {"keyword": "K"}}`, rng),
		spec(`{"unknown": {"pos": 1}}`, rng),
		spec(idx, `{"range": {"lastkey": 0, "step": 0, "limit": 0}}`),
		spec(idx, `{"range": {"lastkey": 0, "step": 1, "limit": -1}}`),
		spec(idx, `{"range": {"lastkey": 0, "step": 1}}`),
		spec(idx, `{"range": {"lastkey": 99999, "step": 1, "limit": 0}}`),
		spec(idx, `{"keynum": {"keynumidx": -1, "firstkey": 1, "step": 1}}`),
		spec(idx, `{"keynum": {"keynumidx": 0, "firstkey": 1}}`),
		spec(idx, `{"unknown": 1}`),
		spec(idx, `{"sideways": {}}`),
	} {
		if got, err := keySpecLiteral(bad); err == nil {
			t.Errorf("keySpecLiteral(%+v) = %s", bad, got)
		}
	}
}
