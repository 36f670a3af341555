package moduletest

import (
	"reflect"
	"slices"
	"testing"

	"github.com/respkit/redis/internal/cmdinfo"
)

// Coverage says how a module package covers the module's commands.
type Coverage struct {
	// Module is the module's name in the command table (Info.Module).
	Module string
	// Commands are the module's commands, listed by hand (containers
	// included), so that a command dropped from the table fails too.
	Commands []string
	// Client is the type of the package's client, e.g.
	// reflect.TypeFor[*redisjson.Client]().
	Client reflect.Type
	// Methods maps each command to the methods of Client that send it.
	Methods map[string][]string
	// Excluded maps each command left without a method on purpose to the
	// reason.
	Excluded map[string]string
	// NotCommands are the methods of Client that send no command of their
	// own (such as Redis).
	NotCommands []string
	// Constructors, when set, maps commands to the package-level
	// constructors that build them: a function (its existence is the
	// check), or a command built by one, which must be the command, known
	// to the table, built without error, and carry keys when the table
	// gives the command keys.
	Constructors map[string][]any
}

// builtCommand is a command value built by a constructor (*redis.Cmd,
// redis.Command[T]).
type builtCommand interface {
	Name() string
	Err() error
	Known() bool
	Keys() []string
}

// Check checks that the command table's entries of the module are
// exactly Commands; that every command is sent by existing methods of
// Client or excluded with a reason, not both; that Methods, Excluded and
// Constructors name only commands of the module; that every method of
// Client is mapped to a command or listed in NotCommands; and the
// constructors. It logs "covered N/M commands of module; K excluded".
func (c Coverage) Check(t testing.TB) {
	t.Helper()
	var table []string
	infos := map[string]cmdinfo.Info{}
	for _, info := range cmdinfo.All() {
		if info.Module == c.Module {
			table = append(table, info.Name)
			infos[info.Name] = info
		}
	}
	slices.Sort(table)
	want := slices.Sorted(slices.Values(c.Commands))
	if len(table) == 0 || !slices.Equal(table, want) {
		t.Errorf("the command table's %s commands differ from the test's list:\ntable %q\n test %q", c.Module, table, want)
	}
	if c.Client == nil {
		t.Fatalf("Coverage of %s: no Client type", c.Module)
	}
	mapped := map[string]bool{}
	for _, m := range c.NotCommands {
		mapped[m] = true
		if _, found := c.Client.MethodByName(m); !found {
			t.Errorf("NotCommands: %v has no method %s", c.Client, m)
		}
	}
	covered := 0
	for _, name := range c.Commands {
		methods, isMapped := c.Methods[name]
		reason, isExcluded := c.Excluded[name]
		switch {
		case isMapped && isExcluded:
			t.Errorf("%s: both mapped to %q and excluded (%s)", name, methods, reason)
			continue
		case isExcluded:
			t.Logf("%s: excluded: %s", name, reason)
			continue
		case len(methods) == 0:
			t.Errorf("%s: no method sends it, and no exclusion says why", name)
			continue
		}
		ok := true
		for _, m := range methods {
			mapped[m] = true
			if _, found := c.Client.MethodByName(m); !found {
				t.Errorf("%s: %v has no method %s", name, c.Client, m)
				ok = false
			}
		}
		if !c.constructorsBuild(t, name, infos[name]) {
			ok = false
		}
		if ok {
			covered++
		}
	}
	for name := range c.Methods {
		if !slices.Contains(c.Commands, name) {
			t.Errorf("%s: mapped to methods but not a %s command", name, c.Module)
		}
	}
	for name := range c.Excluded {
		if !slices.Contains(c.Commands, name) {
			t.Errorf("%s: excluded but not a %s command", name, c.Module)
		}
	}
	for name := range c.Constructors {
		if !slices.Contains(c.Commands, name) {
			t.Errorf("%s: has constructors but is not a %s command", name, c.Module)
		}
	}
	for i := range c.Client.NumMethod() {
		if m := c.Client.Method(i).Name; !mapped[m] {
			t.Errorf("%v: method %s is mapped to no command", c.Client, m)
		}
	}
	t.Logf("covered %d/%d commands of %s by methods of %v; %d excluded", covered, len(c.Commands), c.Module, c.Client, len(c.Excluded))
	if covered+len(c.Excluded) != len(c.Commands) {
		t.Errorf("covered %d and excluded %d of %d commands", covered, len(c.Excluded), len(c.Commands))
	}
}

// constructorsBuild checks the constructors listed for the command name.
func (c Coverage) constructorsBuild(t testing.TB, name string, info cmdinfo.Info) bool {
	t.Helper()
	ok := true
	for _, f := range c.Constructors[name] {
		switch f := f.(type) {
		case builtCommand:
			if f.Err() != nil || f.Name() != name || !f.Known() || len(info.Keys) > 0 && len(f.Keys()) == 0 {
				t.Errorf("%s: a constructor builds %s (err %v, known %v, keys %q)", name, f.Name(), f.Err(), f.Known(), f.Keys())
				ok = false
			}
		default:
			if v := reflect.ValueOf(f); v.Kind() != reflect.Func || v.IsNil() {
				t.Errorf("%s: constructor %T is not a function", name, f)
				ok = false
			}
		}
	}
	return ok
}
