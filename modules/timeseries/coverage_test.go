package timeseries_test

import (
	"reflect"
	"slices"
	"testing"

	"github.com/respkit/redis/internal/cmdinfo"
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

// notCommands are the methods of *timeseries.Client that send no command
// of their own.
var notCommands = []string{"Redis"}

func TestCoverage(t *testing.T) {
	client := reflect.TypeOf(&ts.Client{})
	used := map[string]bool{}
	covered := 0
	for _, name := range timeseriesCommands {
		if reason, ok := excluded[name]; ok {
			t.Logf("%s: excluded: %s", name, reason)
			continue
		}
		c, ok := coverage[name]
		if !ok || len(c.methods) == 0 {
			t.Errorf("%s: no method sends it", name)
			continue
		}
		ok = true
		for _, m := range c.methods {
			if _, found := client.MethodByName(m); !found {
				t.Errorf("%s: (*Client).%s does not exist", name, m)
				ok = false
			}
			used[m] = true
		}
		for _, f := range c.constructors {
			if reflect.ValueOf(f).Kind() != reflect.Func {
				t.Errorf("%s: constructor %T is not a function", name, f)
				ok = false
			}
		}
		if ok {
			covered++
		}
	}
	for name := range coverage {
		if !slices.Contains(timeseriesCommands, name) {
			t.Errorf("%s: mapped but not a command of the spec", name)
		}
	}
	for i := range client.NumMethod() {
		m := client.Method(i).Name
		if !used[m] && !slices.Contains(notCommands, m) {
			t.Errorf("(*Client).%s is mapped to no command", m)
		}
	}
	t.Logf("%d/%d TimeSeries commands covered by Client methods (%d excluded)", covered, len(timeseriesCommands), len(excluded))
	if covered+len(excluded) != len(timeseriesCommands) {
		t.Errorf("covered %d + excluded %d != %d commands", covered, len(excluded), len(timeseriesCommands))
	}
}

// TestCoverageMatchesTable checks the list above against the command
// table's entries of the timeseries module.
func TestCoverageMatchesTable(t *testing.T) {
	var table []string
	for _, info := range cmdinfo.All() {
		if info.Module == "timeseries" {
			table = append(table, info.Name)
		}
	}
	slices.Sort(table)
	want := slices.Sorted(slices.Values(timeseriesCommands))
	if !slices.Equal(table, want) {
		t.Errorf("the command table's timeseries commands differ from the test's list:\n table %q\n  test %q", table, want)
	}
}
