package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestGeneratedFilesUpToDate fails when the committed generated files are
// not what the generator writes from commands.json and the API tables.
func TestGeneratedFilesUpToDate(t *testing.T) {
	root, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	files, err := generate(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 3 {
		t.Fatalf("only %d files generated", len(files))
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			t.Errorf("%s: %v (run go generate .)", name, err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is out of date: run go generate . at the module root", name)
		}
	}
}

func TestCamel(t *testing.T) {
	for in, want := range map[string]string{"by-pattern": "ByPattern", "nx": "NX", "client-id": "ClientID", "unix-time-seconds": "UnixTimeSeconds"} {
		if got := camel(in, true); got != want {
			t.Errorf("camel(%q) = %q, want %q", in, got, want)
		}
	}
	if got := camel("by-pattern", false); got != "byPattern" {
		t.Errorf("camel lower = %q", got)
	}
}

func TestSyntaxLine(t *testing.T) {
	c := &specCmd{Name: "ZRANGE", Args: []specArg{
		{Name: "key", Type: "key"},
		{Name: "sortby", Type: "oneof", Optional: true, Args: []specArg{{Name: "byscore", Type: "pure-token", Token: "BYSCORE"}, {Name: "bylex", Type: "pure-token", Token: "BYLEX"}}},
		{Name: "limit", Type: "block", Token: "LIMIT", Optional: true, Args: []specArg{{Name: "offset", Type: "integer"}, {Name: "count", Type: "integer"}}},
		{Name: "member", Type: "string", Multiple: true},
	}}
	want := "ZRANGE key [BYSCORE | BYLEX] [LIMIT offset count] member [member ...]"
	if got := syntaxLine(c); got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}
