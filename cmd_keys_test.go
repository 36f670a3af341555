package redis_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/respkit/redis"
)

// TestCmdKeys checks that a command carries every key, whether built by a
// typed constructor or from untyped arguments, and the slot they share.
func TestCmdKeys(t *testing.T) {
	for _, tc := range []struct {
		name string
		cmd  *redis.Cmd
		keys []string
	}{
		{"GET", redis.Get("a").Cmd, []string{"a"}},
		{"MSET", redis.MSet(redis.KeyValue{Key: "{t}a", Value: 1}, redis.KeyValue{Key: "{t}b", Value: 2}).Cmd, []string{"{t}a", "{t}b"}},
		{"raw MSET", mustCmd(t, "MSET", "{t}a", 1, []byte("{t}b"), 2), []string{"{t}a", "{t}b"}},
		{"raw EVAL", mustCmd(t, "EVAL", "return 1", 2, "{u}x", "{u}y", "arg"), []string{"{u}x", "{u}y"}},
		{"raw XREAD", mustCmd(t, "XREAD", "COUNT", 1, "STREAMS", "{s}1", "{s}2", "0", "0"), []string{"{s}1", "{s}2"}},
		{"raw OBJECT ENCODING", mustCmd(t, "object", []byte("encoding"), "k"), []string{"k"}},
		{"PING", mustCmd(t, "PING"), nil},
		// Module commands are in the table too (internal/gen/modules.json).
		{"raw JSON.GET", mustCmd(t, "JSON.GET", "doc", "$.a"), []string{"doc"}},
		{"raw JSON.MGET", mustCmd(t, "json.mget", "{d}1", "{d}2", "$"), []string{"{d}1", "{d}2"}},
		{"raw JSON.MSET", mustCmd(t, "JSON.MSET", "{d}1", "$", "1", "{d}2", "$.a", "2"), []string{"{d}1", "{d}2"}},
		{"raw JSON.DEBUG MEMORY", mustCmd(t, "JSON.DEBUG", "MEMORY", "doc"), []string{"doc"}},
		{"raw TS.MADD", mustCmd(t, "TS.MADD", "{t}a", 1, 2.5, "{t}b", 1, 3), []string{"{t}a", "{t}b"}},
		{"raw TS.CREATERULE", mustCmd(t, "TS.CREATERULE", "{t}src", "{t}dst", "AGGREGATION", "avg", 60000), []string{"{t}src", "{t}dst"}},
		{"raw BF.ADD", mustCmd(t, "BF.ADD", "bf", "x"), []string{"bf"}},
		{"raw VADD", mustCmd(t, "VADD", "vs", "VALUES", 2, 0.1, 0.2, "m"), []string{"vs"}},
		{"raw FT.SEARCH (an index, not a key)", mustCmd(t, "FT.SEARCH", "idx", "*"), nil},
		{"unknown", mustCmd(t, "NOSUCH.CMD", "k"), nil},
	} {
		if got := tc.cmd.Keys(); !slices.Equal(got, tc.keys) {
			t.Errorf("%s: Keys() = %q, want %q", tc.name, got, tc.keys)
		}
		s, err := tc.cmd.Slot()
		switch {
		case len(tc.keys) == 0 && (s != redis.NoSlot || err != nil):
			t.Errorf("%s: Slot() = %d, %v; want NoSlot", tc.name, s, err)
		case len(tc.keys) > 0 && (s != redis.KeySlot(tc.keys[0]) || err != nil):
			t.Errorf("%s: Slot() = %d, %v; want %d", tc.name, s, err, redis.KeySlot(tc.keys[0]))
		}
	}
	if k := mustCmd(t, "NOSUCH.CMD", "k"); k.Known() {
		t.Errorf("an unknown command is Known")
	}
	for _, args := range [][]any{{"JSON.SET", "d", "$", "{}"}, {"FT.SEARCH", "idx", "*"}} {
		c := mustCmd(t, args...)
		if !c.Known() {
			t.Errorf("%s is not Known", c.Name())
		}
	}
	if f := mustCmd(t, "JSON.GET", "d").Flags(); f&redis.FlagReadonly == 0 {
		t.Errorf("JSON.GET flags %v, want Readonly", f)
	}
	if f := mustCmd(t, "JSON.SET", "d", "$", "1").Flags(); f&redis.FlagWrite == 0 {
		t.Errorf("JSON.SET flags %v, want Write", f)
	}
	_, err := mustCmd(t, "MGET", "a", "b").Slot()
	var cse *redis.CrossSlotError
	if !errors.As(err, &cse) || cse.Key != "a" || cse.Other != "b" || cse.Slot != redis.KeySlot("a") || cse.OtherSlot != redis.KeySlot("b") {
		t.Errorf("MGET a b: Slot() error = %v, want a CrossSlotError naming a and b", err)
	}
	// Known slots (CLUSTER KEYSLOT on a real server).
	for key, want := range map[string]int{"foo": 12182, "bar": 5061, "{user1000}.following": 3443, "foo{}{bar}": 8363} {
		if got := redis.KeySlot(key); got != want {
			t.Errorf("KeySlot(%q) = %d, want %d", key, got, want)
		}
	}
}

func mustCmd(t *testing.T, args ...any) *redis.Cmd {
	t.Helper()
	c, err := redis.NewCmd(args...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
