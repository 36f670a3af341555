package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Fields of the specification, by level. "keep" fields are copied to
// commands.json, "drop" fields (prose, documentation, implementation details)
// are removed. A field in neither list stops the trim: a new Redis release may
// add prose that must not leak into the repository, or facts worth keeping.
var (
	commandKeep = []string{
		"name", // added by trim (the spec is keyed by name); accepted so trimming is idempotent
		"container", "group", "since", "arity",
		"command_flags", "acl_categories",
		"deprecated_since", "replaced_by",
		"key_specs", "arguments", "reply_schema",
		"command_tips", // request/response policies and nondeterminism: facts that cluster routing needs
	}
	commandDrop = []string{
		"summary", "complexity", "history", "doc_flags",
		"function", "get_keys_function", "_source_file",
	}

	argumentKeep = []string{
		"name", "type", "token", "optional", "multiple", "multiple_token",
		"key_spec_index", "value", "since", "deprecated_since", "arguments",
		"expression", // RediSearch: the argument is an expression (APPLY, FILTER)
	}
	argumentDrop = []string{"summary", "display", "display_text"}

	keySpecKeep = []string{"flags", "begin_search", "find_keys"}
	keySpecDrop = []string{"notes"}
)

// trim turns the full command specification (an object keyed by command name,
// subcommands keyed "CONTAINER SUB") into the facts-only commands.json: the
// same object with every entry reduced to the kept fields and a "name" field
// added. Output keys are sorted, indented with one space and end in a newline,
// so the result depends on the input only.
func trim(src []byte) ([]byte, error) {
	var spec map[string]map[string]any
	if err := decodeStrict(src, &spec); err != nil {
		return nil, err
	}
	if len(spec) == 0 {
		return nil, errors.New("no commands")
	}
	out := make(map[string]any, len(spec))
	for name, cmd := range spec {
		t, err := trimCommand(name, cmd)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out[name] = t
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(out); err != nil { // sorts map keys, ends in '\n'
		return nil, err
	}
	return buf.Bytes(), nil
}

// decodeStrict decodes exactly one JSON value, keeping numbers as written.
func decodeStrict(src []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(src))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("trailing data after the top-level JSON value")
	}
	return nil
}

func trimCommand(name string, cmd map[string]any) (map[string]any, error) {
	if cmd == nil {
		return nil, errors.New("entry is null")
	}
	if name == "" || name != strings.ToUpper(name) || strings.TrimSpace(name) != name {
		return nil, errors.New("command names must be non-empty and upper case")
	}
	out, err := pick(cmd, commandKeep, commandDrop)
	if err != nil {
		return nil, err
	}
	if n, ok := out["name"]; ok && n != name {
		return nil, fmt.Errorf("name field %v does not match the key", n)
	}
	out["name"] = name
	if c, ok := out["container"]; ok {
		cs, _ := c.(string)
		if cs == "" || !strings.HasPrefix(name, cs+" ") {
			return nil, fmt.Errorf("container %v does not prefix the name", c)
		}
	} else if strings.Contains(name, " ") {
		return nil, errors.New("subcommand without container")
	}
	if ks, ok := out["key_specs"]; ok {
		list, ok := ks.([]any)
		if !ok {
			return nil, errors.New("key_specs is not a list")
		}
		for i, k := range list {
			m, ok := k.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("key_specs[%d] is not an object", i)
			}
			if list[i], err = pick(m, keySpecKeep, keySpecDrop); err != nil {
				return nil, fmt.Errorf("key_specs[%d]: %w", i, err)
			}
		}
	}
	if args, ok := out["arguments"]; ok {
		if out["arguments"], err = trimArguments(args); err != nil {
			return nil, fmt.Errorf("arguments: %w", err)
		}
	}
	if rs, ok := out["reply_schema"]; ok {
		out["reply_schema"] = stripDescriptions(rs, false)
	}
	return out, nil
}

func trimArguments(v any) ([]any, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, errors.New("not a list")
	}
	out := make([]any, len(list))
	for i, a := range list {
		m, ok := a.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("[%d] is not an object", i)
		}
		t, err := pick(m, argumentKeep, argumentDrop)
		if err != nil {
			return nil, fmt.Errorf("%v: %w", m["name"], err)
		}
		if sub, ok := t["arguments"]; ok {
			if t["arguments"], err = trimArguments(sub); err != nil {
				return nil, fmt.Errorf("%v: %w", m["name"], err)
			}
		}
		out[i] = t
	}
	return out, nil
}

// pick copies the keep fields of m, skips the drop fields and rejects others.
func pick(m map[string]any, keep, drop []string) (map[string]any, error) {
	out := make(map[string]any, len(m))
	for k, v := range m {
		switch {
		case slices.Contains(keep, k):
			out[k] = v
		case slices.Contains(drop, k):
		default:
			return nil, fmt.Errorf("unknown field %q: add it to the keep or the drop list of internal/gen/trim.go", k)
		}
	}
	return out, nil
}

// stripDescriptions removes the "description" annotations of a JSON schema.
// Keys of "properties" and "patternProperties" are names of reply fields, not
// schema keywords: they are kept even when a field is called "description"
// (FUNCTION LIST) or "summary" (COMMAND DOCS), and their values are schemas.
// Literal data ("const", "enum", ...) is copied as is.
func stripDescriptions(v any, names bool) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, sub := range v {
			switch {
			case names:
				out[k] = stripDescriptions(sub, false)
			case k == "description":
			case k == "properties", k == "patternProperties", k == "definitions", k == "$defs", k == "dependentSchemas":
				out[k] = stripDescriptions(sub, true)
			case k == "const", k == "enum", k == "default", k == "examples":
				out[k] = sub
			default:
				out[k] = stripDescriptions(sub, false)
			}
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, sub := range v {
			out[i] = stripDescriptions(sub, false)
		}
		return out
	default:
		return v
	}
}
