package search

import (
	"reflect"
	"testing"

	"github.com/respkit/redis/internal/moduletest"
)

// searchCommands are the 30 commands of the RediSearch command
// specification (redisearch-commands.json of RediSearch v8.8.0, the
// spec this package was written against), and the two containers of its
// subcommands (FT.CONFIG, FT.CURSOR), copied here so that the test needs
// nothing outside the repository.
var searchCommands = []string{
	"FT.CREATE", "FT.INFO", "FT.EXPLAIN", "FT.EXPLAINCLI", "FT.ALTER", "FT.DROPINDEX",
	"FT.ALIASADD", "FT.ALIASUPDATE", "FT.ALIASDEL", "FT.TAGVALS",
	"FT.SUGADD", "FT.SUGGET", "FT.SUGDEL", "FT.SUGLEN",
	"FT.SYNUPDATE", "FT.SYNDUMP", "FT.SPELLCHECK",
	"FT.DICTADD", "FT.DICTDEL", "FT.DICTDUMP", "FT._LIST",
	"FT.CONFIG", "FT.CONFIG SET", "FT.CONFIG GET", "FT.CONFIG HELP",
	"FT.SEARCH", "FT.AGGREGATE", "FT.PROFILE", "FT.CURSOR", "FT.CURSOR READ", "FT.CURSOR DEL", "FT.HYBRID",
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
	// A container is covered by its subcommands.
	"FT.CONFIG":      {"ConfigSet", "ConfigGet", "ConfigHelp"},
	"FT.CONFIG SET":  {"ConfigSet"},
	"FT.CONFIG GET":  {"ConfigGet"},
	"FT.CONFIG HELP": {"ConfigHelp"},
	"FT.SEARCH":      {"Search"},
	"FT.AGGREGATE":   {"Aggregate", "AggregateWithCursor", "AggregateCursor"},
	"FT.PROFILE":     {"ProfileSearch", "ProfileAggregate"},
	"FT.CURSOR":      {"CursorRead", "CursorDel"},
	"FT.CURSOR READ": {"CursorRead"},
	"FT.CURSOR DEL":  {"CursorDel"},
	"FT.HYBRID":      {"Hybrid"},
}

// commandExclusions are the commands without a method, and why (none
// today).
var commandExclusions = map[string]string{}

// TestCommandCoverage checks the list above against the command table's
// entries of the search module, and that every command is sent by methods
// of *Client and every method sends a command (Redis aside).
func TestCommandCoverage(t *testing.T) {
	moduletest.Coverage{
		Module:      "search",
		Commands:    searchCommands,
		Client:      reflect.TypeFor[*Client](),
		Methods:     commandMethods,
		Excluded:    commandExclusions,
		NotCommands: []string{"Redis"},
	}.Check(t)
}
