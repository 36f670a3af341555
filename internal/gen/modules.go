package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// The module command specifications (commands.json of each module's
// repository, and of Redis' vector-sets module) describe arguments but,
// unlike Redis' own, carry no flags, arity or key specs. Those facts come
// from COMMAND INFO of a server with the modules loaded
// (command-info-8-modules.json) where it has the command, and otherwise
// from the argument tree (keys, arity) and moduleFlags below (flags).
//
//	go run ./internal/gen -modules path/to/spec-dir
//
// reads them from spec-dir and writes internal/gen/modules.json in the
// format of commands.json; the default mode builds the table from both.
var moduleSpecFiles = []struct{ file, module string }{
	{"redisjson-commands.json", "json"},
	{"redisearch-commands.json", "search"},
	{"redistimeseries-commands.json", "timeseries"},
	{"redisbloom-commands.json", "bloom"},
	{"vectorset-commands.json", "vectorset"},
}

const moduleInfoFile = "command-info-8-modules.json"

// moduleFlags are the command flags of module commands that COMMAND INFO
// of the recorded server does not have: RedisJSON was not loaded there,
// and FT.HYBRID is newer than its RediSearch. Read from the modules' own
// command registrations ("readonly", "write deny-oom").
var moduleFlags = map[string][]string{
	"JSON.ARRAPPEND":    {"WRITE", "DENYOOM"},
	"JSON.ARRINDEX":     {"READONLY"},
	"JSON.ARRINSERT":    {"WRITE", "DENYOOM"},
	"JSON.ARRLEN":       {"READONLY"},
	"JSON.ARRPOP":       {"WRITE"},
	"JSON.ARRTRIM":      {"WRITE"},
	"JSON.CLEAR":        {"WRITE"},
	"JSON.DEBUG":        {"READONLY"},
	"JSON.DEBUG HELP":   {"READONLY"},
	"JSON.DEBUG MEMORY": {"READONLY"},
	"JSON.DEL":          {"WRITE"},
	"JSON.FORGET":       {"WRITE"},
	"JSON.GET":          {"READONLY"},
	"JSON.MERGE":        {"WRITE", "DENYOOM"},
	"JSON.MGET":         {"READONLY"},
	"JSON.MSET":         {"WRITE", "DENYOOM"},
	"JSON.NUMINCRBY":    {"WRITE"},
	"JSON.NUMMULTBY":    {"WRITE"},
	"JSON.OBJKEYS":      {"READONLY"},
	"JSON.OBJLEN":       {"READONLY"},
	"JSON.RESP":         {"READONLY"},
	"JSON.SET":          {"WRITE", "DENYOOM"},
	"JSON.STRAPPEND":    {"WRITE", "DENYOOM"},
	"JSON.STRLEN":       {"READONLY"},
	"JSON.TOGGLE":       {"WRITE"},
	"JSON.TYPE":         {"READONLY"},
	"FT.HYBRID":         {"READONLY"},
}

// infoEntry is one command of COMMAND INFO: [name, arity, flags, first,
// last, step, acl categories, tips, key specs, subcommands].
type infoEntry struct {
	name     string
	arity    int
	flags    []string
	keySpecs []map[string]any
}

func parseInfo(src []byte) (map[string]*infoEntry, error) {
	var raw [][]json.RawMessage
	if err := json.Unmarshal(src, &raw); err != nil {
		return nil, err
	}
	out := make(map[string]*infoEntry, len(raw))
	for i, r := range raw {
		if len(r) < 9 {
			return nil, fmt.Errorf("entry %d has %d fields", i, len(r))
		}
		var e infoEntry
		if err := errors.Join(json.Unmarshal(r[0], &e.name), json.Unmarshal(r[1], &e.arity),
			json.Unmarshal(r[2], &e.flags), json.Unmarshal(r[8], &e.keySpecs)); err != nil {
			return nil, fmt.Errorf("entry %d: %w", i, err)
		}
		out[strings.ToUpper(e.name)] = &e
	}
	return out, nil
}

// trimModules builds modules.json from the module specifications in dir.
func trimModules(dir string) ([]byte, error) {
	infoSrc, err := os.ReadFile(filepath.Join(dir, moduleInfoFile))
	if err != nil {
		return nil, err
	}
	info, err := parseInfo(infoSrc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", moduleInfoFile, err)
	}
	out := map[string]any{}
	for _, mf := range moduleSpecFiles {
		f := mf.file
		src, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			return nil, err
		}
		var spec map[string]map[string]any
		if err := decodeStrict(src, &spec); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		for name, cmd := range spec {
			if _, dup := out[name]; dup {
				return nil, fmt.Errorf("%s: %s is in two module specifications", f, name)
			}
			e, err := moduleCommand(name, cmd, spec, info)
			if err != nil {
				return nil, fmt.Errorf("%s: %s: %w", f, name, err)
			}
			e["module"] = mf.module
			out[name] = e
		}
		// Containers that only appear through their subcommands
		// (FT.CONFIG, FT.CURSOR).
		for name, cmd := range spec {
			i := strings.IndexByte(name, ' ')
			if i < 0 {
				continue
			}
			cont := name[:i]
			if _, ok := out[cont]; ok {
				continue
			}
			ie := info[cont]
			if ie == nil {
				return nil, fmt.Errorf("%s: container %s of %s is in neither the specification nor COMMAND INFO", f, cont, name)
			}
			out[cont] = map[string]any{
				"name": cont, "module": mf.module, "group": cmd["group"], "since": cmd["since"], "arity": -2, // its name and a subcommand
				"command_flags": upperFlags(ie.flags),
			}
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(out); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// moduleCommand turns one module specification entry into a commands.json
// entry with flags, arity and key specs.
func moduleCommand(name string, cmd map[string]any, spec map[string]map[string]any, info map[string]*infoEntry) (map[string]any, error) {
	// The module specifications carry a few fields Redis' has not.
	cmd = maps.Clone(cmd)
	delete(cmd, "arity") // recomputed below the same way for every module
	delete(cmd, "command_flags")
	if i := strings.IndexByte(name, ' '); i >= 0 {
		cmd["container"] = name[:i]
	}
	e, err := trimCommand(name, cmd)
	if err != nil {
		return nil, err
	}
	var args []any
	if a, ok := e["arguments"].([]any); ok {
		args = a
	}
	sub := 0
	if i := strings.IndexByte(name, ' '); i >= 0 {
		sub = 1
		if _, ok := spec[name[:i]]; !ok && info[name[:i]] == nil {
			return nil, fmt.Errorf("no container %s", name[:i])
		}
	}
	minArgs, variadic := argCount(args)
	arity := 1 + sub + minArgs
	if variadic {
		arity = -arity
	}
	if hasSubcommands(name, spec) {
		arity = -2 // a container: its name and at least a subcommand
	}
	if ie := info[name]; ie != nil {
		// RediSearch registers every command with arity -1 ("any") and
		// checks the arguments itself: the specification says more.
		if ie.arity != -1 {
			arity = ie.arity
		}
		e["arity"] = arity
		e["command_flags"] = upperFlags(ie.flags)
		var specs []any
		for i, ks := range ie.keySpecs {
			s, err := infoKeySpec(ks)
			if err != nil {
				return nil, fmt.Errorf("COMMAND INFO key spec %d: %w", i, err)
			}
			specs = append(specs, s)
		}
		if len(specs) > 0 {
			e["key_specs"] = specs
		}
		return e, nil
	}
	flags, ok := moduleFlags[name]
	if !ok && sub == 1 {
		if ie := info[name[:strings.IndexByte(name, ' ')]]; ie != nil {
			flags, ok = upperFlags(ie.flags), true
		}
	}
	if !ok {
		return nil, errors.New("no flags: not in COMMAND INFO and not in moduleFlags (internal/gen/modules.go)")
	}
	e["command_flags"] = flags
	e["arity"] = arity
	specs, err := argKeySpecs(args, 1+sub, slices.Contains(flags, "READONLY"))
	if err != nil {
		return nil, err
	}
	if len(specs) > 0 {
		e["key_specs"] = specs
	}
	return e, nil
}

// upperFlags turns COMMAND INFO's flags into the spec's names, dropping
// those that only COMMAND INFO reports.
func upperFlags(fs []string) []string {
	var out []string
	for _, f := range fs {
		switch f = strings.ToUpper(f); f {
		case "MODULE", "MOVABLEKEYS": // where the command comes from; implied by the key specs
		default:
			out = append(out, f)
		}
	}
	return out
}

// infoKeySpec converts a key spec of COMMAND INFO ({"begin_search":
// {"type": "index", "spec": {"index": 1}}, ...}) to the specification's
// form ({"begin_search": {"index": {"pos": 1}}, ...}).
func infoKeySpec(ks map[string]any) (map[string]any, error) {
	part := func(field string) (string, map[string]any, error) {
		m, _ := ks[field].(map[string]any)
		t, _ := m["type"].(string)
		s, _ := m["spec"].(map[string]any)
		if t == "" || s == nil {
			return "", nil, fmt.Errorf("%s is not {type, spec}", field)
		}
		return t, s, nil
	}
	bt, bs, err := part("begin_search")
	if err != nil {
		return nil, err
	}
	ft, fs, err := part("find_keys")
	if err != nil {
		return nil, err
	}
	var begin, find map[string]any
	switch bt {
	case "index":
		begin = map[string]any{"index": map[string]any{"pos": bs["index"]}}
	case "keyword":
		begin = map[string]any{"keyword": map[string]any{"keyword": bs["keyword"], "startfrom": bs["startfrom"]}}
	default:
		return nil, fmt.Errorf("begin_search type %q", bt)
	}
	switch ft {
	case "range":
		find = map[string]any{"range": map[string]any{"lastkey": fs["lastkey"], "step": fs["keystep"], "limit": fs["limit"]}}
	case "keynum":
		find = map[string]any{"keynum": map[string]any{"keynumidx": fs["keynumidx"], "firstkey": fs["firstkey"], "step": fs["keystep"]}}
	default:
		return nil, fmt.Errorf("find_keys type %q", ft)
	}
	flags, _ := ks["flags"].([]any)
	var up []any
	for _, f := range flags {
		s, _ := f.(string)
		up = append(up, strings.ToUpper(s))
	}
	return map[string]any{"flags": up, "begin_search": begin, "find_keys": find}, nil
}

// argCount returns the fewest arguments args take, and whether they may
// take more (optional or repeated arguments).
func argCount(args []any) (n int, variadic bool) {
	for _, a := range args {
		m, _ := a.(map[string]any)
		opt, _ := m["optional"].(bool)
		mult, _ := m["multiple"].(bool)
		if opt || mult {
			variadic = true
		}
		if opt {
			continue
		}
		k, v := argMin(m)
		n += k
		variadic = variadic || v
	}
	return n, variadic
}

// argMin returns the fewest words one occurrence of argument m takes.
func argMin(m map[string]any) (int, bool) {
	n := 0
	if t, _ := m["token"].(string); t != "" {
		n++
	}
	sub, _ := m["arguments"].([]any)
	switch m["type"] {
	case "block":
		k, v := argCount(sub)
		return n + k, v
	case "oneof":
		best, variadic := -1, len(sub) > 1
		for _, s := range sub {
			sm, _ := s.(map[string]any)
			k, v := argMin(sm)
			variadic = variadic || v
			if best < 0 || k < best {
				best = k
			}
		}
		return n + max(best, 0), variadic
	case "pure-token":
		return n, false
	}
	return n + 1, false
}

// argKeySpecs derives key specs from the positions of "key" arguments:
// single keys among leading required single arguments, a repeated key
// followed by fixed arguments (JSON.MGET key... path), and a repeated
// block that starts with a key (JSON.MSET key path value ...). Any other
// layout stops the generator so that it gets a decision.
func argKeySpecs(args []any, pos int, readonly bool) ([]any, error) {
	flags := []any{"RW", "UPDATE"}
	if readonly {
		flags = []any{"RO", "ACCESS"}
	}
	spec := func(at, last, step int) map[string]any {
		return map[string]any{
			"flags":        flags,
			"begin_search": map[string]any{"index": map[string]any{"pos": at}},
			"find_keys":    map[string]any{"range": map[string]any{"lastkey": last, "step": step, "limit": 0}},
		}
	}
	var out []any
	for i, a := range args {
		m, _ := a.(map[string]any)
		typ, _ := m["type"].(string)
		opt, _ := m["optional"].(bool)
		mult, _ := m["multiple"].(bool)
		tok, _ := m["token"].(string)
		hasKey := typ == "key" || (typ == "block" && blockHasKey(m))
		switch {
		case !hasKey && !opt && !mult && tok == "" && typ != "block" && typ != "oneof":
			pos++
			continue
		case !hasKey:
			return out, nil // keys only come before the first optional or variable argument
		case typ == "key" && !opt && !mult && tok == "":
			out = append(out, spec(pos, 0, 1))
			pos++
		case typ == "key" && mult && !opt && tok == "":
			tail, variadic := argCount(args[i+1:])
			if variadic {
				return nil, fmt.Errorf("repeated key %v followed by variable arguments", m["name"])
			}
			return append(out, spec(pos, -1-tail, 1)), nil
		case typ == "block" && mult && !opt && tok == "" && i == len(args)-1:
			sub, _ := m["arguments"].([]any)
			k, variadic := argCount(sub)
			first, _ := sub[0].(map[string]any)
			if variadic || first["type"] != "key" || blockHasKey(map[string]any{"arguments": sub[1:]}) {
				return nil, fmt.Errorf("repeated block %v: only a block of fixed arguments that starts with its only key is understood", m["name"])
			}
			return append(out, spec(pos, -1, k)), nil
		default:
			return nil, fmt.Errorf("key argument %v in a layout the generator does not understand", m["name"])
		}
	}
	return out, nil
}

func blockHasKey(m map[string]any) bool {
	sub, _ := m["arguments"].([]any)
	for _, s := range sub {
		sm, _ := s.(map[string]any)
		if sm["type"] == "key" || blockHasKey(sm) {
			return true
		}
	}
	return false
}

func hasSubcommands(name string, spec map[string]map[string]any) bool {
	for n := range spec {
		if strings.HasPrefix(n, name+" ") {
			return true
		}
	}
	return false
}
