package moduletest

import (
	"reflect"
	"testing"
)

// vsClient stands for a vector set package's Client.
type vsClient struct{}

func (vsClient) Add()   {}
func (vsClient) Card()  {}
func (vsClient) Dim()   {}
func (vsClient) Emb()   {}
func (vsClient) Get()   {}
func (vsClient) Info()  {}
func (vsClient) IsMem() {}
func (vsClient) Links() {}
func (vsClient) Rand()  {}
func (vsClient) Range() {}
func (vsClient) Rem()   {}
func (vsClient) Set()   {}
func (vsClient) Sim()   {}
func (vsClient) Redis() {}

// vsCmd stands for a command built by a constructor.
type vsCmd struct {
	name string
	keys []string
}

func (c vsCmd) Name() string   { return c.name }
func (c vsCmd) Err() error     { return nil }
func (c vsCmd) Known() bool    { return true }
func (c vsCmd) Keys() []string { return c.keys }

func vsCoverage() Coverage {
	return Coverage{
		Module: "vectorset",
		Commands: []string{"VADD", "VCARD", "VDIM", "VEMB", "VGETATTR", "VINFO", "VISMEMBER",
			"VLINKS", "VRANDMEMBER", "VRANGE", "VREM", "VSETATTR", "VSIM"},
		Client: reflect.TypeFor[vsClient](),
		Methods: map[string][]string{
			"VADD": {"Add"}, "VCARD": {"Card"}, "VDIM": {"Dim"}, "VEMB": {"Emb"}, "VGETATTR": {"Get"},
			"VINFO": {"Info"}, "VISMEMBER": {"IsMem"}, "VLINKS": {"Links"}, "VRANDMEMBER": {"Rand"},
			"VRANGE": {"Range"}, "VREM": {"Rem"}, "VSETATTR": {"Set"}, "VSIM": {"Sim"},
		},
		NotCommands:  []string{"Redis"},
		Constructors: map[string][]any{"VADD": {vsCmd{"VADD", []string{"k"}}, TestCoverage}},
	}
}

func TestCoverage(t *testing.T) {
	r := record(func(tb testing.TB) { vsCoverage().Check(tb) })
	if len(r.errs) != 0 || !r.logged("covered 13/13 commands of vectorset") {
		t.Fatalf("errors %q, logs %q", r.errs, r.logs)
	}
	for _, tc := range []struct {
		name   string
		change func(*Coverage)
		want   string
	}{
		{"a command missing from the list", func(c *Coverage) { c.Commands = c.Commands[1:] }, "differ from the test's list"},
		{"a command not in the table", func(c *Coverage) { c.Commands = append(c.Commands, "VNOPE") }, "differ from the test's list"},
		{"an unmapped command", func(c *Coverage) { delete(c.Methods, "VDIM") }, "VDIM: no method sends it"},
		{"a missing method", func(c *Coverage) { c.Methods["VDIM"] = []string{"Dimension"} }, "has no method Dimension"},
		{"an unmapped method", func(c *Coverage) { c.NotCommands = nil }, "method Redis is mapped to no command"},
		{"mapped and excluded", func(c *Coverage) { c.Excluded = map[string]string{"VDIM": "x"} }, "both mapped"},
		{"a mapping of no command", func(c *Coverage) { c.Methods["VNOPE"] = []string{"Add"} }, "VNOPE: mapped to methods but not a vectorset command"},
		{"an exclusion of no command", func(c *Coverage) { c.Excluded = map[string]string{"VNOPE": "x"} }, "VNOPE: excluded but not"},
		{"a constructor of another command", func(c *Coverage) { c.Constructors["VADD"] = []any{vsCmd{"VREM", []string{"k"}}} }, "a constructor builds VREM"},
		{"a constructor without keys", func(c *Coverage) { c.Constructors["VADD"] = []any{vsCmd{"VADD", nil}} }, "a constructor builds VADD"},
		{"a constructor that is not a function", func(c *Coverage) { c.Constructors["VADD"] = []any{1} }, "constructor int is not a function"},
	} {
		c := vsCoverage()
		tc.change(&c)
		r := record(func(tb testing.TB) { c.Check(tb) })
		if !r.reported(tc.want) {
			t.Errorf("%s: errors %q, want one with %q", tc.name, r.errs, tc.want)
		}
	}
	// An exclusion instead of a method is fine.
	c := vsCoverage()
	delete(c.Methods, "VDIM")
	c.Excluded = map[string]string{"VDIM": "a reason"}
	c.NotCommands = append(c.NotCommands, "Dim")
	r = record(func(tb testing.TB) { c.Check(tb) })
	if len(r.errs) != 0 || !r.logged("VDIM: excluded: a reason") {
		t.Errorf("errors %q, logs %q", r.errs, r.logs)
	}
}
