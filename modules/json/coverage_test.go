package redisjson_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/respkit/redis/internal/moduletest"
	redisjson "github.com/respkit/redis/modules/json"
)

// jsonCommands are the commands of RedisJSON's spec (commands.json of
// RedisJSON v8.8.0, 26 entries), copied here so that the test needs nothing
// outside the repository.
var jsonCommands = []string{
	"JSON.ARRAPPEND", "JSON.ARRINDEX", "JSON.ARRINSERT", "JSON.ARRLEN", "JSON.ARRPOP", "JSON.ARRTRIM",
	"JSON.CLEAR", "JSON.DEBUG", "JSON.DEBUG HELP", "JSON.DEBUG MEMORY", "JSON.DEL", "JSON.FORGET",
	"JSON.GET", "JSON.MERGE", "JSON.MGET", "JSON.MSET", "JSON.NUMINCRBY", "JSON.NUMMULTBY",
	"JSON.OBJKEYS", "JSON.OBJLEN", "JSON.RESP", "JSON.SET", "JSON.STRAPPEND", "JSON.STRLEN",
	"JSON.TOGGLE", "JSON.TYPE",
}

// coverage maps each command to the methods of *redisjson.Client that send
// it, and lists the package-level constructors that build it (a compile
// time check that they exist).
var coverage = map[string]struct {
	methods      []string
	constructors []any
}{
	"JSON.ARRAPPEND": {[]string{"ArrAppend"}, []any{redisjson.ArrAppend}},
	"JSON.ARRINDEX":  {[]string{"ArrIndex", "ArrIndexRange"}, []any{redisjson.ArrIndex, redisjson.ArrIndexRange}},
	"JSON.ARRINSERT": {[]string{"ArrInsert"}, []any{redisjson.ArrInsert}},
	"JSON.ARRLEN":    {[]string{"ArrLen"}, []any{redisjson.ArrLen}},
	"JSON.ARRPOP":    {[]string{"ArrPop", "ArrPopAt"}, []any{redisjson.ArrPop, redisjson.ArrPopAt}},
	"JSON.ARRTRIM":   {[]string{"ArrTrim"}, []any{redisjson.ArrTrim}},
	"JSON.CLEAR":     {[]string{"Clear"}, []any{redisjson.Clear}},
	// The container is covered by its subcommands.
	"JSON.DEBUG":        {[]string{"DebugHelp", "DebugMemory"}, []any{redisjson.DebugHelp, redisjson.DebugMemory}},
	"JSON.DEBUG HELP":   {[]string{"DebugHelp"}, []any{redisjson.DebugHelp}},
	"JSON.DEBUG MEMORY": {[]string{"DebugMemory"}, []any{redisjson.DebugMemory}},
	"JSON.DEL":          {[]string{"Del"}, []any{redisjson.Del}},
	"JSON.FORGET":       {[]string{"Forget"}, []any{redisjson.Forget}},
	// The package-level Get is the generic Get[T]; GetAs is its constructor.
	"JSON.GET":       {[]string{"Get", "GetWith"}, []any{redisjson.GetAs[json.RawMessage], redisjson.GetWith}},
	"JSON.MERGE":     {[]string{"Merge"}, []any{redisjson.Merge}},
	"JSON.MGET":      {[]string{"MGet"}, []any{redisjson.MGet, redisjson.MGetAs[json.RawMessage]}},
	"JSON.MSET":      {[]string{"MSet"}, []any{redisjson.MSet}},
	"JSON.NUMINCRBY": {[]string{"NumIncrBy"}, []any{redisjson.NumIncrBy}},
	"JSON.NUMMULTBY": {[]string{"NumMultBy"}, []any{redisjson.NumMultBy}},
	"JSON.OBJKEYS":   {[]string{"ObjKeys"}, []any{redisjson.ObjKeys}},
	"JSON.OBJLEN":    {[]string{"ObjLen"}, []any{redisjson.ObjLen}},
	"JSON.RESP":      {[]string{"Resp"}, []any{redisjson.Resp}},
	"JSON.SET":       {[]string{"Set"}, []any{redisjson.Set}},
	"JSON.STRAPPEND": {[]string{"StrAppend"}, []any{redisjson.StrAppend}},
	"JSON.STRLEN":    {[]string{"StrLen"}, []any{redisjson.StrLen}},
	"JSON.TOGGLE":    {[]string{"Toggle"}, []any{redisjson.Toggle}},
	"JSON.TYPE":      {[]string{"Type"}, []any{redisjson.Type}},
}

// TestCoverage checks the list above against the command table's entries
// of the json module, and that every command is sent by methods of
// *redisjson.Client and every method sends a command (Redis aside).
func TestCoverage(t *testing.T) {
	c := moduletest.Coverage{
		Module:       "json",
		Commands:     jsonCommands,
		Client:       reflect.TypeFor[*redisjson.Client](),
		Methods:      map[string][]string{},
		Constructors: map[string][]any{},
		NotCommands:  []string{"Redis"},
	}
	for name, m := range coverage {
		c.Methods[name], c.Constructors[name] = m.methods, m.constructors
	}
	c.Check(t)
}
