package main

import (
	"testing"

	"github.com/respkit/redis/internal/cmdinfo"
)

// TestExclusionsNameRealCommands keeps the exclusion list honest: every
// entry names a command of the table and gives a reason.
func TestExclusionsNameRealCommands(t *testing.T) {
	ex := parseExclusions(exclusionsFile)
	if len(ex) == 0 {
		t.Fatal("no exclusions parsed")
	}
	for name, why := range ex {
		if cmdinfo.Lookup(name) == nil {
			t.Errorf("exclusion %q is not a command of the table", name)
		}
		if len(why) < 10 {
			t.Errorf("exclusion %q has no real reason: %q", name, why)
		}
	}
}

// TestMeasureCountsCommands checks the report's arithmetic and that the
// hand-written commands are found.
func TestMeasureCountsCommands(t *testing.T) {
	r := measure()
	for _, b := range r.broken {
		t.Error(b)
	}
	if r.total != len(r.covered)+len(r.missing)+len(r.excluded)+len(r.broken) {
		t.Fatalf("total %d != covered %d + missing %d + excluded %d", r.total, len(r.covered), len(r.missing), len(r.excluded))
	}
	found := map[string]bool{}
	for _, info := range r.covered {
		found[info.Name] = true
	}
	for _, name := range []string{"GET", "SET", "DEL", "INCR", "PING", "HELLO"} {
		if !found[name] {
			t.Errorf("%s has a method on *redis.Client but is not counted as covered", name)
		}
	}
	t.Logf("typed methods: %d of %d commands (%d excluded)", len(r.covered), r.total, len(r.excluded))
}

// TestEveryCommandHasAMethod is the coverage check: every command of the
// table has a typed method, or is excluded with a reason.
func TestEveryCommandHasAMethod(t *testing.T) {
	r := measure()
	for _, info := range r.missing {
		t.Errorf("%s (%s, since %s) has no typed method and is not excluded", info.Name, info.Group, info.Since)
	}
	if len(r.excluded) > 5 {
		t.Errorf("%d exclusions: the list must stay short", len(r.excluded))
	}
	t.Logf("%d of %d commands covered, %d excluded", len(r.covered), r.total, len(r.excluded))
}
