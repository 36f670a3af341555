package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
)

// TestModulesReproducible checks that -modules rebuilds the committed
// modules.json byte for byte from the shared module specifications.
func TestModulesReproducible(t *testing.T) {
	dir := filepath.Dir(sharedSpec(t, moduleInfoFile))
	got, err := trimModules(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := readFile(t, filepath.Join(moduleRoot(t), "internal", "gen", "modules.json"))
	if !bytes.Equal(got, want) {
		t.Fatalf("internal/gen/modules.json differs from the module specifications (%s): run go run ./internal/gen -modules %s", firstDiff(got, want), dir)
	}
}

// TestModulesJSON checks the committed modules.json without the shared
// specification: facts only, every command with a module, flags, an arity
// and the keys the argument trees give.
func TestModulesJSON(t *testing.T) {
	src := readFile(t, filepath.Join(moduleRoot(t), "internal", "gen", "modules.json"))
	var all map[string]map[string]any
	if err := json.Unmarshal(src, &all); err != nil {
		t.Fatal(err)
	}
	perModule := map[string]int{}
	var walk func(v any, path string)
	walk = func(v any, path string) {
		switch v := v.(type) {
		case map[string]any:
			for k, sub := range v {
				if slices.Contains(proseKeys, k) {
					t.Errorf("prose field %s/%s", path, k)
				}
				walk(sub, path+"/"+k)
			}
		case []any:
			for i, sub := range v {
				walk(sub, path+"/"+strconv.Itoa(i))
			}
		}
	}
	for name, c := range all {
		walk(c, name)
		m, _ := c["module"].(string)
		perModule[m]++
		if c["arity"] == nil || c["group"] == nil || c["since"] == nil {
			t.Errorf("%s: arity, group or since missing", name)
		}
		if _, ok := c["command_flags"]; !ok {
			t.Errorf("%s: no command flags", name)
		}
	}
	want := map[string]int{"json": 26, "search": 32, "timeseries": 17, "bloom": 49, "vectorset": 13}
	for m, n := range want {
		if perModule[m] != n {
			t.Errorf("module %s has %d commands, want %d", m, perModule[m], n)
		}
	}
	if len(perModule) != len(want) {
		t.Errorf("modules %v, want %v", perModule, want)
	}
}

// TestArgKeySpecs checks the key specs derived from argument trees.
func TestArgKeySpecs(t *testing.T) {
	arg := func(name, typ string, extra ...any) map[string]any {
		m := map[string]any{"name": name, "type": typ}
		for i := 0; i+1 < len(extra); i += 2 {
			m[extra[i].(string)] = extra[i+1]
		}
		return m
	}
	pos := func(ks any) (int, int, int) {
		m := ks.(map[string]any)
		p := m["begin_search"].(map[string]any)["index"].(map[string]any)["pos"].(int)
		r := m["find_keys"].(map[string]any)["range"].(map[string]any)
		return p, r["lastkey"].(int), r["step"].(int)
	}
	type span struct{ pos, last, step int }
	for _, tc := range []struct {
		name string
		args []any
		want []span
	}{
		{"one key then optional", []any{arg("key", "key"), arg("path", "string", "optional", true)}, []span{{1, 0, 1}}},
		{"no key", []any{arg("index", "string"), arg("query", "string")}, nil},
		{"second argument", []any{arg("index", "string"), arg("key", "key")}, []span{{2, 0, 1}}},
		{"keys then path (MGET)", []any{arg("key", "key", "multiple", true), arg("path", "string")}, []span{{1, -2, 1}}},
		{"triplets (MSET)", []any{arg("triplet", "block", "multiple", true, "arguments", []any{arg("key", "key"), arg("path", "string"), arg("value", "string")})}, []span{{1, -1, 3}}},
		{"two keys", []any{arg("src", "key"), arg("dst", "key"), arg("n", "integer")}, []span{{1, 0, 1}, {2, 0, 1}}},
	} {
		specs, err := argKeySpecs(tc.args, 1, false)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		var got []span
		for _, s := range specs {
			p, l, st := pos(s)
			got = append(got, span{p, l, st})
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	for name, args := range map[string][]any{
		"optional key":                   {arg("key", "key", "optional", true)},
		"repeated key then variable":     {arg("key", "key", "multiple", true), arg("x", "string", "multiple", true)},
		"block with a key in the middle": {arg("b", "block", "multiple", true, "arguments", []any{arg("path", "string"), arg("key", "key")})},
	} {
		if _, err := argKeySpecs(args, 1, false); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestArgCount checks arity from argument trees.
func TestArgCount(t *testing.T) {
	req := func(typ string) map[string]any { return map[string]any{"type": typ} }
	for _, tc := range []struct {
		args     []any
		n        int
		variadic bool
	}{
		{[]any{req("key"), req("string")}, 2, false},
		{[]any{req("key"), map[string]any{"type": "string", "optional": true}}, 1, true},
		{[]any{map[string]any{"type": "integer", "token": "LIMIT"}}, 2, false},
		{[]any{map[string]any{"type": "block", "arguments": []any{req("string"), req("string")}}}, 2, false},
		{[]any{map[string]any{"type": "oneof", "arguments": []any{map[string]any{"type": "pure-token", "token": "A"}, map[string]any{"type": "pure-token", "token": "B"}}}}, 1, true},
		{[]any{map[string]any{"type": "key", "multiple": true}}, 1, true},
	} {
		n, v := argCount(tc.args)
		if n != tc.n || v != tc.variadic {
			t.Errorf("argCount(%v) = %d, %v; want %d, %v", tc.args, n, v, tc.n, tc.variadic)
		}
	}
}
