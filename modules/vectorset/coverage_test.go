package vectorset_test

import (
	"reflect"
	"slices"
	"testing"

	"github.com/respkit/redis/internal/cmdinfo"
	"github.com/respkit/redis/internal/moduletest"
	"github.com/respkit/redis/modules/vectorset"
)

// vectorSetCommands are the 13 commands of Redis 8's vector sets, named
// here so that a command dropped from the table fails the test too.
var vectorSetCommands = []string{
	"VADD", "VCARD", "VDIM", "VEMB", "VGETATTR", "VINFO", "VISMEMBER",
	"VLINKS", "VRANDMEMBER", "VRANGE", "VREM", "VSETATTR", "VSIM",
}

// commandMethods maps each vector set command to the methods of
// *vectorset.Client that send it (every one also has its package-level
// constructor of the same name; VGETATTR's is GetAttrAs, beside the
// generic function GetAttr).
var commandMethods = map[string][]string{
	"VADD":        {"Add"},
	"VCARD":       {"Card"},
	"VDIM":        {"Dim"},
	"VEMB":        {"Emb", "EmbRaw"},
	"VGETATTR":    {"GetAttr"},
	"VINFO":       {"Info"},
	"VISMEMBER":   {"IsMember"},
	"VLINKS":      {"Links", "LinksWithScores"},
	"VRANDMEMBER": {"RandMember", "RandMemberCount"},
	"VRANGE":      {"Range"},
	"VREM":        {"Rem"},
	"VSETATTR":    {"SetAttr"},
	"VSIM":        {"Sim"},
}

// notCovered lists table commands of the module the package leaves out on
// purpose, with the reason. Empty: every command is covered.
var notCovered = map[string]string{}

// TestCoverage checks the list above against the command table's entries
// of the vectorset module, and that every command is sent by methods of
// *vectorset.Client and every method sends a command (Redis aside).
func TestCoverage(t *testing.T) {
	moduletest.Coverage{
		Module:      "vectorset",
		Commands:    vectorSetCommands,
		Client:      reflect.TypeFor[*vectorset.Client](),
		Methods:     commandMethods,
		Excluded:    notCovered,
		NotCommands: []string{"Redis"},
	}.Check(t)
}

// TestCommandFlags checks that the constructors' commands carry the
// table's facts: the key, and read-only for the reading commands (so a
// replica may serve them).
func TestCommandFlags(t *testing.T) {
	for _, tc := range []struct {
		name     string
		readonly bool
	}{
		{vectorset.Add("k", "e", []float32{1}).Name(), false},
		{vectorset.Rem("k", "e").Name(), false},
		{vectorset.SetAttr("k", "e", nil).Name(), false},
		{vectorset.Sim("k", vectorset.Element("e")).Name(), true},
		{vectorset.Card("k").Name(), true},
		{vectorset.Emb("k", "e").Name(), true},
		{vectorset.GetAttrAs[int]("k", "e").Name(), true},
	} {
		info := cmdinfo.Lookup(tc.name)
		if info == nil || info.Module != "vectorset" {
			t.Errorf("%s: not a vectorset command in the table", tc.name)
			continue
		}
		if got := info.Flags&cmdinfo.Readonly != 0; got != tc.readonly {
			t.Errorf("%s: readonly = %v, want %v", tc.name, got, tc.readonly)
		}
	}
	for _, c := range []interface {
		Keys() []string
		Known() bool
	}{
		vectorset.Add("k1", "e", []float32{1}), vectorset.Sim("k1", vectorset.Vector([]float32{1})),
		vectorset.Emb("k1", "e"), vectorset.Info("k1"), vectorset.Range("k1", "-", "+"),
		vectorset.SetAttr("k1", "e", nil), vectorset.GetAttrAs[int]("k1", "e"), vectorset.RandMemberCount("k1", 2),
	} {
		if !c.Known() || !slices.Equal(c.Keys(), []string{"k1"}) {
			t.Errorf("%T: known %v, keys %q", c, c.Known(), c.Keys())
		}
	}
}
