package search

import (
	"reflect"
	"slices"
	"sort"
	"testing"

	"github.com/respkit/redis/internal/cmdinfo"
)

// searchCommands are the 30 commands of the RediSearch command
// specification (redisearch-commands.json of RediSearch v8.8.0, the
// spec this package was written against), copied here so that the test
// needs nothing outside the repository.
var searchCommands = []string{
	"FT.CREATE", "FT.INFO", "FT.EXPLAIN", "FT.EXPLAINCLI", "FT.ALTER", "FT.DROPINDEX",
	"FT.ALIASADD", "FT.ALIASUPDATE", "FT.ALIASDEL", "FT.TAGVALS",
	"FT.SUGADD", "FT.SUGGET", "FT.SUGDEL", "FT.SUGLEN",
	"FT.SYNUPDATE", "FT.SYNDUMP", "FT.SPELLCHECK",
	"FT.DICTADD", "FT.DICTDEL", "FT.DICTDUMP", "FT._LIST",
	"FT.CONFIG SET", "FT.CONFIG GET", "FT.CONFIG HELP",
	"FT.SEARCH", "FT.AGGREGATE", "FT.PROFILE", "FT.CURSOR READ", "FT.CURSOR DEL", "FT.HYBRID",
}

// commandMethods maps each command to the methods of *Client that send
// it.
var commandMethods = map[string][]string{
	"FT.CREATE":      {"Create"},
	"FT.INFO":        {"Info"},
	"FT.EXPLAIN":     {"Explain"},
	"FT.EXPLAINCLI":  {"ExplainCLI"},
	"FT.ALTER":       {"Alter"},
	"FT.DROPINDEX":   {"DropIndex"},
	"FT.ALIASADD":    {"AliasAdd"},
	"FT.ALIASUPDATE": {"AliasUpdate"},
	"FT.ALIASDEL":    {"AliasDel"},
	"FT.TAGVALS":     {"TagVals"},
	"FT.SUGADD":      {"SugAdd"},
	"FT.SUGGET":      {"SugGet"},
	"FT.SUGDEL":      {"SugDel"},
	"FT.SUGLEN":      {"SugLen"},
	"FT.SYNUPDATE":   {"SynUpdate"},
	"FT.SYNDUMP":     {"SynDump"},
	"FT.SPELLCHECK":  {"SpellCheck"},
	"FT.DICTADD":     {"DictAdd"},
	"FT.DICTDEL":     {"DictDel"},
	"FT.DICTDUMP":    {"DictDump"},
	"FT._LIST":       {"List"},
	"FT.CONFIG SET":  {"ConfigSet"},
	"FT.CONFIG GET":  {"ConfigGet"},
	"FT.CONFIG HELP": {"ConfigHelp"},
	"FT.SEARCH":      {"Search"},
	"FT.AGGREGATE":   {"Aggregate", "AggregateWithCursor", "AggregateCursor"},
	"FT.PROFILE":     {"ProfileSearch", "ProfileAggregate"},
	"FT.CURSOR READ": {"CursorRead"},
	"FT.CURSOR DEL":  {"CursorDel"},
	"FT.HYBRID":      {"Hybrid"},
}

// commandExclusions are the commands without a method, and why (none
// today).
var commandExclusions = map[string]string{}

func TestCommandCoverage(t *testing.T) {
	client := reflect.TypeOf((*Client)(nil))
	covered := 0
	for _, name := range searchCommands {
		methods, mapped := commandMethods[name]
		reason, excluded := commandExclusions[name]
		switch {
		case mapped && excluded:
			t.Errorf("%s is both mapped to %v and excluded (%s)", name, methods, reason)
		case excluded:
			t.Logf("%s: excluded: %s", name, reason)
		case !mapped:
			t.Errorf("%s: no method of *Client covers it, and no exclusion says why", name)
		default:
			ok := true
			for _, m := range methods {
				if _, found := client.MethodByName(m); !found {
					t.Errorf("%s: *Client has no method %s", name, m)
					ok = false
				}
			}
			if ok {
				covered++
			}
		}
	}
	for name := range commandMethods {
		if !slices.Contains(searchCommands, name) {
			t.Errorf("commandMethods lists %s, which is not a RediSearch command", name)
		}
	}
	for name := range commandExclusions {
		if !slices.Contains(searchCommands, name) {
			t.Errorf("commandExclusions lists %s, which is not a RediSearch command", name)
		}
	}
	t.Logf("%d of %d RediSearch commands covered by methods of *Client, %d excluded", covered, len(searchCommands), len(commandExclusions))
}

// TestCommandListMatchesTable checks the list above against the command
// table's search module entries (subcommands, not their containers).
func TestCommandListMatchesTable(t *testing.T) {
	var table []string
	for _, info := range cmdinfo.All() {
		if info.Module == "search" && info.Flags&cmdinfo.Container == 0 {
			table = append(table, info.Name)
		}
	}
	if len(table) == 0 {
		t.Skip("the command table has no search module entries yet")
	}
	want := slices.Clone(searchCommands)
	sort.Strings(want)
	sort.Strings(table)
	if !slices.Equal(table, want) {
		t.Errorf("the command table's search commands\n%v\ndiffer from this test's list\n%v", table, want)
	}
}
