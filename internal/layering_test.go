package internal

// The import arrows of ../shared/DESIGN.md, checked on what `go list`
// reports: resp → internal/conn → internal/pool, internal/mux →
// internal/node → the root → public leaf packages (lock, cluster, ...).

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"path"
	"strings"
	"testing"
)

const module = "github.com/respkit/redis"

// layers says, for each library package of the core module, which
// packages of the module it may import (paths relative to the module;
// "" is the root; "x/..." is x and everything under it). The first row
// whose package matches applies; "*" matches any public package not named
// above it, which makes it a leaf: leaves import the root, resp and
// internal packages, never each other. Imports outside the module must be
// the standard library, whatever the row. Programs (package main:
// examples, generators, tools) are at the top and may import any package
// of the module.
var layers = []struct {
	pkg string
	may []string
}{
	{"resp", nil},             // bytes in, bytes out: the standard library only
	{"redistest", nil},        // starts servers; knows nothing of the client
	{"internal/cmdinfo", nil}, // the generated command table
	{"internal/slot", nil},
	{"internal/conn", []string{"resp"}},
	{"internal/pool", []string{"resp", "internal/conn"}},
	{"internal/mux", []string{"resp", "internal/conn"}},
	{"internal/node", []string{"resp", "internal/conn", "internal/pool", "internal/mux"}},
	{"internal/moduletest", []string{"resp", "internal/captures", "internal/cmdinfo"}}, // test support of the module packages
	{"internal/...", []string{"resp"}},                                                 // internal packages to come: never the root
	{"", []string{"resp", "internal/..."}},
	{"*", []string{"", "resp", "internal/..."}},
}

// listed is what the test reads of `go list -json`.
type listed struct {
	ImportPath string
	Name       string
	Standard   bool
	GoFiles    []string
	Imports    []string
	Module     *struct{ Path string }
	Error      *struct{ Err string }
}

func TestLayering(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command on PATH")
	}
	// -e: report broken packages instead of failing, so that the arrows
	// are checked even while another package does not build.
	cmd := exec.Command("go", "list", "-e", "-deps", "-json", "./...")
	cmd.Dir = ".." // the module root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.Bytes())
	}
	pkgs := map[string]*listed{}
	var order []*listed
	for dec := json.NewDecoder(bytes.NewReader(out)); ; {
		p := new(listed)
		if err := dec.Decode(p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		pkgs[p.ImportPath] = p
		order = append(order, p)
	}
	checked := 0
	for _, p := range order {
		rel, ok := relative(p.ImportPath)
		if !ok || p.Module == nil || p.Module.Path != module || len(p.GoFiles) == 0 {
			continue
		}
		if p.Error != nil {
			t.Logf("%s: %s (its imports are still checked)", p.ImportPath, p.Error.Err)
		}
		checked++
		for _, imp := range p.Imports {
			if msg := check(rel, p.Name == "main", imp, pkgs[imp]); msg != "" {
				t.Errorf("%s imports %s: %s", p.ImportPath, imp, msg)
			}
		}
	}
	if checked < 5 {
		t.Fatalf("only %d packages of %s checked: is go list run at the module root?", checked, module)
	}
}

// check returns why the package rel (relative to the module) may not
// import imp, or "" when it may.
func check(rel string, program bool, imp string, dep *listed) string {
	irel, inModule := relative(imp)
	if !inModule {
		if dep != nil && dep.Standard {
			return ""
		}
		return "the core module imports nothing outside the standard library (third-party code belongs in a module of its own, like extra/ or bench/)"
	}
	if program {
		return ""
	}
	for _, row := range layers {
		if !matches(row.pkg, rel) {
			continue
		}
		for _, m := range row.may {
			if matches(m, irel) {
				return ""
			}
		}
		if len(row.may) == 0 {
			return "it may import nothing of the library (DESIGN.md, Shape)"
		}
		return "it may import only " + describe(row.may) + " of the library (DESIGN.md, Shape)"
	}
	return "no row of the layer table covers " + rel
}

// relative returns imp relative to the module, and whether it is in it.
func relative(imp string) (string, bool) {
	if imp == module {
		return "", true
	}
	rel, ok := strings.CutPrefix(imp, module+"/")
	return rel, ok
}

// matches reports whether the package rel matches pattern: itself, a
// "x/..." subtree, or "*" for any public package (not internal/, not the
// root).
func matches(pattern, rel string) bool {
	switch {
	case pattern == "*":
		return rel != "" && rel != "internal" && !strings.HasPrefix(rel, "internal/")
	case strings.HasSuffix(pattern, "/..."):
		dir := strings.TrimSuffix(pattern, "/...")
		return rel == dir || strings.HasPrefix(rel, dir+"/")
	}
	return pattern == rel
}

func describe(may []string) string {
	names := make([]string, len(may))
	for i, m := range may {
		if m == "" {
			names[i] = "the root"
		} else {
			names[i] = path.Clean(m)
		}
	}
	return strings.Join(names, ", ")
}

// TestLayeringRules checks the table itself on made-up imports.
func TestLayeringRules(t *testing.T) {
	std := &listed{Standard: true}
	for _, tc := range []struct {
		pkg, imp string
		program  bool
		ok       bool
	}{
		{"resp", "bytes", false, true},
		{"resp", module + "/internal/conn", false, false},
		{"internal/conn", module + "/resp", false, true},
		{"internal/conn", module + "/internal/pool", false, false},
		{"internal/node", module + "/internal/mux", false, true},
		{"internal/mux", module, false, false},
		{"internal/future", module, false, false},
		{"", module + "/internal/node", false, true},
		{"", module + "/lock", false, false},
		{"lock", module, false, true},
		{"lock", module + "/cluster", false, false},
		{"cluster", module + "/internal/slot", false, true},
		{"modules/redisjson", module + "/modules/search", false, false},
		{"lock", module + "/redistest", false, false},
		{"redistest", module + "/resp", false, false},
		{"examples/tour", module + "/redistest", true, true},
		{"internal/cmd/coverage", module, true, true},
		{"internal/cmd/coverage", "example.com/dep", true, false},
	} {
		dep := std
		if _, in := relative(tc.imp); in || strings.Contains(tc.imp, ".") {
			dep = &listed{}
		}
		if got := check(tc.pkg, tc.program, tc.imp, dep) == ""; got != tc.ok {
			t.Errorf("%q importing %q: allowed %v, want %v (%s)", tc.pkg, tc.imp, got, tc.ok, check(tc.pkg, tc.program, tc.imp, dep))
		}
	}
}
