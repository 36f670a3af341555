package cmdinfo

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

func mustLookup(t *testing.T, name string) *Info {
	t.Helper()
	info := Lookup(name)
	if info == nil {
		t.Fatalf("Lookup(%q) = nil", name)
	}
	return info
}

// TestSpotChecks checks flags and key positions of well-known commands.
func TestSpotChecks(t *testing.T) {
	tests := []struct {
		name                       string
		has, hasNot                Flags
		firstKey, keyStep, lastKey int8
		arity                      int16
	}{
		{name: "GET", has: Readonly | Fast, hasNot: Write | ConnState, firstKey: 1, arity: 2},
		{name: "SET", has: Write | DenyOOM, hasNot: Readonly | Fast, firstKey: 1, arity: -3},
		{name: "MSET", has: Write | DenyOOM, firstKey: 1, keyStep: 2, lastKey: -1, arity: -3},
		{name: "MGET", has: Readonly | Fast, firstKey: 1, keyStep: 1, lastKey: -1, arity: -2},
		{name: "BLPOP", has: Write | Blocking, firstKey: 1, keyStep: 1, lastKey: -2, arity: -3},
		{name: "XREAD", has: Readonly | Blocking, firstKey: -1, arity: -4},
		{name: "XREADGROUP", has: Write | Blocking, firstKey: -1, arity: -7},
		{name: "EVAL", has: NoScript, firstKey: -1, arity: -3},
		{name: "SUBSCRIBE", has: PubSub | ConnState, hasNot: Write, arity: -2},
		{name: "PUBLISH", has: PubSub | Fast, hasNot: ConnState, arity: 3},
		{name: "RENAME", has: Write, firstKey: 1, keyStep: 1, lastKey: 1, arity: 3},
		{name: "PING", has: Fast, hasNot: ConnState, arity: -1},
		{name: "MULTI", has: ConnState | NoScript, arity: 1},
		{name: "AUTH", has: ConnState | NoAuth, arity: -2},
		{name: "SCAN", has: Readonly | TouchesArbitraryKeys, arity: -2},
		{name: "CLIENT", has: Container, arity: -2},
		{name: "CONFIG", has: Container, arity: -2},
		{name: "SENTINEL", has: SentinelOnly | Admin | Container, arity: -2},
	}
	for _, tt := range tests {
		info := mustLookup(t, tt.name)
		if info.Name != tt.name {
			t.Errorf("%s: Name %q", tt.name, info.Name)
		}
		if info.Flags&tt.has != tt.has {
			t.Errorf("%s: flags %v, want %v set", tt.name, info.Flags, tt.has)
		}
		if info.Flags&tt.hasNot != 0 {
			t.Errorf("%s: flags %v, want %v unset", tt.name, info.Flags, tt.hasNot)
		}
		if info.FirstKey != tt.firstKey || info.KeyStep != tt.keyStep || info.LastKey != tt.lastKey {
			t.Errorf("%s: keys %d/%d/%d, want %d/%d/%d", tt.name,
				info.FirstKey, info.KeyStep, info.LastKey, tt.firstKey, tt.keyStep, tt.lastKey)
		}
		if info.Arity != tt.arity {
			t.Errorf("%s: arity %d, want %d", tt.name, info.Arity, tt.arity)
		}
	}
	if get := mustLookup(t, "GET"); get.Group != "string" || get.Since != "1.0.0" {
		t.Errorf("GET: group %q since %q", get.Group, get.Since)
	}
}

// TestLookupCaseInsensitive checks that case does not matter.
func TestLookupCaseInsensitive(t *testing.T) {
	want := mustLookup(t, "GET")
	for _, name := range []string{"get", "Get", "gEt"} {
		if got := Lookup(name); got != want {
			t.Errorf("Lookup(%q) = %v, want the GET entry", name, got)
		}
	}
	kill := mustLookup(t, "CLIENT KILL")
	for _, pair := range [][2]string{{"CLIENT", "KILL"}, {"client", "kill"}, {"Client", "Kill"}} {
		if got := LookupSub(pair[0], pair[1]); got != kill {
			t.Errorf("LookupSub(%q, %q) = %v, want CLIENT KILL", pair[0], pair[1], got)
		}
	}
	if got := Lookup("client kill"); got != kill {
		t.Errorf(`Lookup("client kill") = %v`, got)
	}
	if got := LookupSub("object", "encoding"); got == nil || got.Name != "OBJECT ENCODING" {
		t.Errorf(`LookupSub("object", "encoding") = %v`, got)
	}
	if got := LookupSub("client", "no-evict"); got == nil || got.Flags&ConnState == 0 {
		t.Errorf(`LookupSub("client", "no-evict") = %v, want ConnState`, got)
	}
}

// TestLookupUnknown checks the nil results.
func TestLookupUnknown(t *testing.T) {
	long := strings.Repeat("A", maxName+1)
	for _, name := range []string{"", "NOPE", "GET ", " GET", "GETX", "CLIENT  KILL", long, "gét"} {
		if got := Lookup(name); got != nil {
			t.Errorf("Lookup(%q) = %v", name, got)
		}
	}
	for _, pair := range [][2]string{
		{"CLIENT", ""}, {"CLIENT", "NOPE"}, {"GET", "X"}, {"", "KILL"}, {"CLIENT", "KILL X"},
		{"CLIENT", long}, {long, "KILL"}, {strings.Repeat("A", maxName), "B"}, {"CLIENT", strings.Repeat("K", maxName-len("CLIENT "))},
	} {
		if got := LookupSub(pair[0], pair[1]); got != nil {
			t.Errorf("LookupSub(%q, %q) = %v", pair[0], pair[1], got)
		}
	}
}

// TestLookupZeroAllocs checks that Lookup and LookupSub do not allocate.
func TestLookupZeroAllocs(t *testing.T) {
	var sink *Info
	for name, f := range map[string]func(){
		"Lookup upper":   func() { sink = Lookup("GET") },
		"Lookup lower":   func() { sink = Lookup("xreadgroup") },
		"Lookup unknown": func() { sink = Lookup("nope") },
		"Lookup long":    func() { sink = Lookup("this-is-a-very-long-name-that-does-not-fit-into-the-lookup-buffer-at-all") },
		"LookupSub":      func() { sink = LookupSub("client", "setname") },
		"LookupSub miss": func() { sink = LookupSub("client", "nope") },
	} {
		if n := testing.AllocsPerRun(1000, f); n != 0 {
			t.Errorf("%s: %v allocations per run", name, n)
		}
	}
	_ = sink
}

// TestCount checks the number of entries: the Redis 8.8 specification's
// 442, and the modules' (JSON 26, Search 30 and the FT.CONFIG and
// FT.CURSOR containers, TimeSeries 17, Bloom family 49, Vector Sets 13).
func TestCount(t *testing.T) {
	if n := Count(); n != 442+26+32+17+49+13 {
		t.Errorf("Count() = %d, want %d", n, 442+26+32+17+49+13)
	}
	if n := len(All()); n != Count() {
		t.Errorf("len(All()) = %d, Count() = %d", n, Count())
	}
}

// TestAll checks that All is sorted, complete and a copy.
func TestAll(t *testing.T) {
	all := All()
	if !slices.IsSortedFunc(all, func(a, b Info) int { return strings.Compare(a.Name, b.Name) }) {
		t.Error("All() is not sorted by name")
	}
	for i := range all {
		if got := Lookup(all[i].Name); got == nil || !equalInfo(got, &all[i]) {
			t.Errorf("Lookup(%q) = %v, want %v", all[i].Name, got, all[i])
		}
	}
	all[0].Name = "CHANGED"
	all[0].Flags = 0
	if All()[0].Name == "CHANGED" || Lookup(all[1].Name) == nil {
		t.Error("All() shares memory with the table")
	}
	i := slices.IndexFunc(all, func(info Info) bool { return info.Name == "GET" })
	all[i].Keys[0].Pos = 99
	if Lookup("GET").Keys[0].Pos != 1 {
		t.Error("All() shares key specs with the table")
	}
}

// equalInfo reports whether two entries are equal, key specs included.
func equalInfo(a, b *Info) bool { return reflect.DeepEqual(*a, *b) }

// TestTableInvariants checks properties every entry must have.
func TestTableInvariants(t *testing.T) {
	subs := make(map[string]int)
	for _, info := range All() {
		if info.Name == "" || info.Name != strings.ToUpper(info.Name) || len(info.Name) > maxName {
			t.Errorf("bad name %q", info.Name)
		}
		if info.Group == "" || info.Since == "" || info.Arity == 0 {
			t.Errorf("%s: missing group, since or arity", info.Name)
		}
		if info.Flags&Readonly != 0 && info.Flags&Write != 0 {
			t.Errorf("%s: both Readonly and Write", info.Name)
		}
		switch {
		case info.FirstKey <= 0:
			if info.KeyStep != 0 || info.LastKey != 0 {
				t.Errorf("%s: FirstKey %d with KeyStep %d LastKey %d", info.Name, info.FirstKey, info.KeyStep, info.LastKey)
			}
		case info.LastKey == 0:
			if info.KeyStep != 0 {
				t.Errorf("%s: single key with KeyStep %d", info.Name, info.KeyStep)
			}
		default:
			if info.KeyStep <= 0 {
				t.Errorf("%s: several keys with KeyStep %d", info.Name, info.KeyStep)
			}
		}
		if info.FirstKey > 0 && info.Arity > 0 && int(info.FirstKey) >= int(info.Arity) {
			t.Errorf("%s: FirstKey %d beyond arity %d", info.Name, info.FirstKey, info.Arity)
		}
		if c, sub, ok := strings.Cut(info.Name, " "); ok {
			subs[c]++
			cont := Lookup(c)
			if cont == nil || cont.Flags&Container == 0 {
				t.Errorf("%s: container %s missing or without Container flag", info.Name, c)
			}
			if LookupSub(strings.ToLower(c), strings.ToLower(sub)) == nil {
				t.Errorf("LookupSub(%s, %s) = nil", c, sub)
			}
		}
	}
	for _, info := range All() {
		if info.Flags&Container != 0 && subs[info.Name] == 0 {
			t.Errorf("%s: Container without subcommands", info.Name)
		}
	}
}

// TestConnState checks the hand-kept list of connection-state commands.
func TestConnState(t *testing.T) {
	want := []string{
		"ASKING", "AUTH", "CLIENT CACHING", "CLIENT NO-EVICT", "CLIENT NO-TOUCH", "CLIENT REPLY",
		"CLIENT SETINFO", "CLIENT SETNAME", "CLIENT TRACKING", "DISCARD", "EXEC", "HELLO", "MONITOR",
		"MULTI", "PSUBSCRIBE", "PSYNC", "PUNSUBSCRIBE", "QUIT", "READONLY", "READWRITE", "REPLCONF",
		"RESET", "SELECT", "SSUBSCRIBE", "SUBSCRIBE", "SUNSUBSCRIBE", "SYNC", "UNSUBSCRIBE", "UNWATCH", "WATCH",
	}
	var got []string
	for _, info := range All() {
		if info.Flags&ConnState != 0 {
			got = append(got, info.Name)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("ConnState commands:\n got %q\nwant %q", got, want)
	}
}

// TestFlagsString checks the names of the flags.
func TestFlagsString(t *testing.T) {
	for f, want := range map[Flags]string{
		0:                         "0",
		Readonly | Fast:           "Readonly|Fast",
		PubSub | ConnState:        "PubSub|ConnState",
		Container:                 "Container",
		TouchesArbitraryKeys << 3: "0x20000",
		Write | 1<<31:             "Write|0x80000000",
	} {
		if got := f.String(); got != want {
			t.Errorf("Flags(%#x).String() = %q, want %q", uint32(f), got, want)
		}
	}
	if Container != 1<<16 || len(flagNames) != 17 {
		t.Errorf("Container = %#x, %d names", uint32(Container), len(flagNames))
	}
}

func BenchmarkLookup(b *testing.B) {
	names := []string{"GET", "set", "XReadGroup", "nope"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		Lookup(names[i%len(names)])
	}
}

func BenchmarkLookupSub(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		LookupSub("client", "setname")
	}
}
