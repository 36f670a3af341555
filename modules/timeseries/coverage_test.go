package timeseries_test

import (
	"reflect"
	"testing"

	"github.com/respkit/redis/internal/moduletest"
	ts "github.com/respkit/redis/modules/timeseries"
)

// timeseriesCommands are the commands of RedisTimeSeries' spec
// (commands.json of RedisTimeSeries v8.8.0, 17 entries), copied here so
// that the list itself is checked against the command table.
var timeseriesCommands = []string{
	"TS.ADD", "TS.ALTER", "TS.CREATE", "TS.CREATERULE", "TS.DECRBY", "TS.DEL", "TS.DELETERULE",
	"TS.GET", "TS.INCRBY", "TS.INFO", "TS.MADD", "TS.MGET", "TS.MRANGE", "TS.MREVRANGE",
	"TS.QUERYINDEX", "TS.RANGE", "TS.REVRANGE",
}

// coverage maps each command to the methods of *timeseries.Client that
// send it and the package-level constructors that build it (a compile
// time check that they exist).
var coverage = map[string]struct {
	methods      []string
	constructors []any
}{
	"TS.ADD":        {[]string{"Add"}, []any{ts.Add}},
	"TS.ALTER":      {[]string{"Alter"}, []any{ts.Alter}},
	"TS.CREATE":     {[]string{"Create"}, []any{ts.Create}},
	"TS.CREATERULE": {[]string{"CreateRule"}, []any{ts.CreateRule}},
	"TS.DECRBY":     {[]string{"DecrBy"}, []any{ts.DecrBy}},
	"TS.DEL":        {[]string{"Del"}, []any{ts.Del}},
	"TS.DELETERULE": {[]string{"DeleteRule"}, []any{ts.DeleteRule}},
	"TS.GET":        {[]string{"Get"}, []any{ts.Get}},
	"TS.INCRBY":     {[]string{"IncrBy"}, []any{ts.IncrBy}},
	"TS.INFO":       {[]string{"Info", "InfoDebug"}, []any{ts.Info, ts.InfoDebug}},
	"TS.MADD":       {[]string{"MAdd"}, []any{ts.MAdd}},
	"TS.MGET":       {[]string{"MGet"}, []any{ts.MGet}},
	"TS.MRANGE":     {[]string{"MRange"}, []any{ts.MRange}},
	"TS.MREVRANGE":  {[]string{"MRevRange"}, []any{ts.MRevRange}},
	"TS.QUERYINDEX": {[]string{"QueryIndex"}, []any{ts.QueryIndex}},
	"TS.RANGE":      {[]string{"Range"}, []any{ts.Range}},
	"TS.REVRANGE":   {[]string{"RevRange"}, []any{ts.RevRange}},
}

// excluded lists commands deliberately left without a method, with the
// reason. RedisTimeSeries 8.8 has none.
var excluded = map[string]string{}

// TestCoverage checks the list above against the command table's entries
// of the timeseries module, and that every command is sent by methods of
// *timeseries.Client and every method sends a command (Redis aside).
func TestCoverage(t *testing.T) {
	c := moduletest.Coverage{
		Module:       "timeseries",
		Commands:     timeseriesCommands,
		Client:       reflect.TypeFor[*ts.Client](),
		Methods:      map[string][]string{},
		Constructors: map[string][]any{},
		Excluded:     excluded,
		NotCommands:  []string{"Redis"},
	}
	for name, m := range coverage {
		c.Methods[name], c.Constructors[name] = m.methods, m.constructors
	}
	c.Check(t)
}
