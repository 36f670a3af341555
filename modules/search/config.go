package search

import (
	"context"
	"errors"
	"fmt"

	"github.com/respkit/redis"
	"github.com/respkit/redis/resp"
)

// The FT.CONFIG commands read and change the module's settings. RediSearch
// 8 deprecates them in favour of the server's own CONFIG GET/SET with
// "search-" names (FT.CONFIG's TIMEOUT is CONFIG's search-timeout): on
// Redis 8 and later prefer rdb.ConfigGet(ctx, "search-*") from the redis
// package. These methods send FT.CONFIG, which RediSearch 8.0 still
// answers (the captures this package is tested with were made with it),
// so they work on both older and newer servers while FT.CONFIG lasts.

// ConfigGet returns the FT.CONFIG GET command.
func ConfigGet(option string) redis.Command[map[string]string] {
	return buildCommand(decodeConfigGet, []any{"FT.CONFIG", "GET", option}, requireNames("option (or \"*\")", option))
}

// ConfigGet returns the value of the module setting option, or of all
// settings for "*" (FT.CONFIG GET), keyed by setting name. A setting
// without a value reads as "". An unknown option gives an empty map.
func (c *Client) ConfigGet(ctx context.Context, option string) (map[string]string, error) {
	return run(ctx, c, ConfigGet(option))
}

// decodeConfigGet reads FT.CONFIG GET: in RESP2 an array of [name, value]
// pairs, in RESP3 a map of name to value.
func decodeConfigGet(v resp.Value, err error) (map[string]string, error) {
	if err := redis.ResultOf(v, err).Err(); err != nil {
		return nil, err
	}
	entries, err := configEntries(v)
	if err != nil {
		return nil, fmt.Errorf("search: FT.CONFIG GET: %w", err)
	}
	out := make(map[string]string, len(entries))
	for _, e := range entries {
		if len(e.values) != 1 {
			return nil, fmt.Errorf("search: FT.CONFIG GET: %q has %d values, want 1", e.name, len(e.values))
		}
		s, err := configText(e.values[0])
		if err != nil {
			return nil, fmt.Errorf("search: FT.CONFIG GET: %q: %w", e.name, err)
		}
		out[e.name] = s
	}
	return out, nil
}

// configEntry is one setting of an FT.CONFIG reply: its name and what
// follows it.
type configEntry struct {
	name   string
	values []resp.Value
}

// configEntries splits an FT.CONFIG GET or HELP reply into settings: a
// RESP3 map of name to value, or a RESP2 array of [name, value...] arrays.
func configEntries(v resp.Value) ([]configEntry, error) {
	if v.Type() == resp.Map {
		kvs, err := keyValues(v)
		if err != nil {
			return nil, err
		}
		out := make([]configEntry, len(kvs))
		for i, kv := range kvs {
			out[i] = configEntry{name: kv.Key, values: []resp.Value{kv.Value}}
		}
		return out, nil
	}
	elems, err := arrayOf(v)
	if err != nil {
		return nil, err
	}
	out := make([]configEntry, len(elems))
	for i, e := range elems {
		parts, err := arrayOf(e)
		if err != nil || len(parts) == 0 {
			return nil, fmt.Errorf("entry %d is not [name, value...]", i)
		}
		if out[i].name, err = textOf(parts[0]); err != nil {
			return nil, fmt.Errorf("entry %d: %w", i, err)
		}
		out[i].values = parts[1:]
	}
	return out, nil
}

// configText reads a setting's value; a null (a setting without a value)
// is "".
func configText(v resp.Value) (string, error) {
	if v.IsNull() {
		return "", nil
	}
	return textOf(v)
}

// ConfigSet returns the FT.CONFIG SET command.
func ConfigSet(option, value string) redis.Command[struct{}] {
	return buildCommand(decodeOK, []any{"FT.CONFIG", "SET", option, value}, requireNames("option", option))
}

// ConfigSet changes the module setting option to value (FT.CONFIG SET),
// until the server restarts. Settings that can only be set at load time
// give a server error. On Redis 8 prefer rdb.ConfigSet with the
// "search-" name.
func (c *Client) ConfigSet(ctx context.Context, option, value string) error {
	_, err := run(ctx, c, ConfigSet(option, value))
	return err
}

// ConfigOptionHelp is the description of one module setting (FT.CONFIG
// HELP).
type ConfigOptionHelp struct {
	Name        string
	Description string
	// Value is the current value; "" when the setting has none.
	Value string
}

// ConfigHelp returns the FT.CONFIG HELP command.
func ConfigHelp(option string) redis.Command[[]ConfigOptionHelp] {
	return buildCommand(decodeConfigHelp, []any{"FT.CONFIG", "HELP", option}, requireNames("option (or \"*\")", option))
}

// ConfigHelp describes the module setting option, or all settings for
// "*" (FT.CONFIG HELP).
func (c *Client) ConfigHelp(ctx context.Context, option string) ([]ConfigOptionHelp, error) {
	return run(ctx, c, ConfigHelp(option))
}

// decodeConfigHelp reads FT.CONFIG HELP: in RESP2 an array of [name,
// "Description", text, "Value", value], in RESP3 a map of name to
// {Description: text, Value: value}.
func decodeConfigHelp(v resp.Value, err error) ([]ConfigOptionHelp, error) {
	if err := redis.ResultOf(v, err).Err(); err != nil {
		return nil, err
	}
	entries, err := configEntries(v)
	if err != nil {
		return nil, fmt.Errorf("search: FT.CONFIG HELP: %w", err)
	}
	out := make([]ConfigOptionHelp, 0, len(entries))
	for _, e := range entries {
		h := ConfigOptionHelp{Name: e.name}
		var fields []resp.Value
		if len(e.values) == 1 && e.values[0].Type() == resp.Map {
			fields = e.values[0].Elems()
		} else {
			fields = e.values
		}
		if len(fields)%2 != 0 {
			return nil, fmt.Errorf("search: FT.CONFIG HELP: %q: %w", e.name, errors.New("odd number of key/value elements"))
		}
		for i := 0; i < len(fields); i += 2 {
			k, err := textOf(fields[i])
			if err != nil {
				return nil, fmt.Errorf("search: FT.CONFIG HELP: %q: %w", e.name, err)
			}
			switch k {
			case "Description":
				h.Description, err = configText(fields[i+1])
			case "Value":
				h.Value, err = configText(fields[i+1])
			}
			if err != nil {
				return nil, fmt.Errorf("search: FT.CONFIG HELP: %q: %s: %w", e.name, k, err)
			}
		}
		out = append(out, h)
	}
	return out, nil
}
