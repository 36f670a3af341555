package cmdinfo

import (
	"bytes"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
)

// args splits a command line on spaces into an argv; "”" is an empty
// argument.
func args(line string) [][]byte {
	var argv [][]byte
	for _, f := range strings.Fields(line) {
		if f == "''" {
			f = ""
		}
		argv = append(argv, []byte(f))
	}
	return argv
}

// lookupArgv returns the entry of the command argv sends: the subcommand's
// for a container.
func lookupArgv(argv [][]byte) *Info {
	info := Lookup(string(argv[0]))
	if info != nil && info.Flags&Container != 0 && len(argv) > 1 {
		info = LookupSub(string(argv[0]), string(argv[1]))
	}
	return info
}

// keyIndexCases are argvs with the argv indexes of their keys; nil want
// with fail means an error wrapping ErrKeyArgs.
var keyIndexCases = []struct {
	line string
	want []int
	fail bool
}{
	{line: "PING"},
	{line: "GET k", want: []int{1}},
	{line: "get k", want: []int{1}},
	{line: "GET", fail: true},
	{line: "SET k v EX 10 GET", want: []int{1}},
	{line: "MGET a b c", want: []int{1, 2, 3}},
	{line: "MGET"}, // an empty range to the end: no key
	{line: "MSET a 1 b 2", want: []int{1, 3}},
	{line: "MSET a 1 b", want: []int{1, 3}}, // as the server counts: the command itself refuses the odd one
	{line: "DEL a", want: []int{1}},
	{line: "BLPOP a b 0", want: []int{1, 2}},
	{line: "BLPOP a"},
	{line: "PFMERGE dst", want: []int{1}},
	{line: "PFMERGE dst a b", want: []int{1, 2, 3}},
	{line: "SUNSUBSCRIBE"},
	{line: "RENAME a b", want: []int{1, 2}},
	{line: "BITOP AND dst a b", want: []int{2, 3, 4}},
	{line: "BITOP AND dst", want: []int{2}},
	{line: "BITOP", fail: true},
	{line: "OBJECT ENCODING k", want: []int{2}},
	{line: "object encoding k", want: []int{2}},
	{line: "OBJECT ENCODING", fail: true},
	{line: "XGROUP CREATE s g $ MKSTREAM", want: []int{2}},
	{line: "MEMORY USAGE k SAMPLES 5", want: []int{2}},
	{line: "SPUBLISH ch msg", want: []int{1}}, // NOT_KEY, hashed like a key
	{line: "SSUBSCRIBE a b", want: []int{1, 2}},

	// Keyword searches.
	{line: "XREAD STREAMS a b 0 0", want: []int{2, 3}},
	{line: "XREAD COUNT 2 BLOCK 0 STREAMS a b c 0 0 0", want: []int{6, 7, 8}},
	{line: "xread count 2 streams a 0", want: []int{4}},
	{line: "XREAD STREAMS a b 0", want: []int{2}}, // unbalanced: the server counts (argc-start)/2
	{line: "XREAD STREAMS a"},                     // no id: an empty range
	{line: "XREAD COUNT 1 STREAMS"},               // keyword last: not found, no key
	{line: "XREAD COUNT 1"},                       // no keyword: no key
	{line: "XREAD STREAMS STREAMS a 0", want: []int{2}},
	{line: "XREADGROUP GROUP g c STREAMS s >", want: []int{5}},
	{line: "XREADGROUP GROUP STREAMS c STREAMS s >", want: []int{5}}, // the search starts at argv[4], after GROUP group consumer
	{line: "GEORADIUS src 0 0 1 km", want: []int{1}},
	{line: "GEORADIUS src 0 0 1 km STORE dst", want: []int{1, 7}},
	{line: "GEORADIUS src 0 0 1 km STOREDIST dd", want: []int{1, 7}},
	{line: "GEORADIUS src 0 0 1 km STORE dst STOREDIST dd", want: []int{1, 7, 9}},
	{line: "GEORADIUSBYMEMBER src m 1 km STORE dst", want: []int{1, 6}},

	// Keynum.
	{line: "EVAL s 2 a b x y", want: []int{3, 4}},
	{line: "EVAL s 0 x y"},
	{line: "EVAL s 0"},
	{line: "EVAL s 3 a b", fail: true},
	{line: "EVAL s -1 a", fail: true},
	{line: "EVAL s x a", fail: true},
	{line: "EVAL s 01 a", fail: true},
	{line: "EVAL s +1 a", fail: true},
	{line: "EVAL s ' 1' a", fail: true},
	{line: "EVAL s 99999999999999999999999 a", fail: true},
	{line: "EVAL s", fail: true},
	{line: "FCALL f 1 k a", want: []int{3}},
	{line: "ZUNIONSTORE dst 2 a b WEIGHTS 1 2", want: []int{1, 3, 4}},
	{line: "ZUNIONSTORE dst 3 a b", fail: true},
	{line: "ZUNION 2 a b WITHSCORES", want: []int{2, 3}},
	{line: "LMPOP 2 a b LEFT COUNT 2", want: []int{2, 3}},
	{line: "BLMPOP 0 2 a b LEFT", want: []int{3, 4}},
	{line: "SINTERCARD 1 a LIMIT 5", want: []int{2}},
	{line: "MSETEX 2 a 1 b 2 EX 10", want: []int{2, 4}},
	{line: "MSETEX 2 a 1 b", want: []int{2, 4}}, // as the server counts
	{line: "MSETEX 3 a 1 b 2", fail: true},

	// Hand-written fall-backs.
	{line: "SORT k", want: []int{1}},
	{line: "SORT k LIMIT 0 10 BY w_* GET o_* ALPHA DESC", want: []int{1}},
	{line: "SORT k STORE dst", want: []int{1, 3}},
	{line: "sort k by store get # store d2", want: []int{1, 7}},
	{line: "SORT k LIMIT STORE x STORE d", want: []int{1, 6}}, // LIMIT skips its two arguments
	{line: "SORT k STORE", want: []int{1}},
	{line: "SORT", fail: true},
	{line: "SORT_RO k BY x STORE d", want: []int{1}},
	{line: "MIGRATE h 6379 k 0 5000", want: []int{3}},
	{line: "MIGRATE h 6379 k 0 5000 COPY REPLACE", want: []int{3}},
	{line: "MIGRATE h 6379 '' 0 5000 KEYS a b c", want: []int{7, 8, 9}},
	{line: "MIGRATE h 6379 '' 0 5000 COPY AUTH keys KEYS a", want: []int{10}},
	{line: "MIGRATE h 6379 '' 0 5000 AUTH2 keys keys KEYS a b", want: []int{10, 11}},
	{line: "MIGRATE h 6379 '' 0 5000 KEYS", want: []int{3}}, // KEYS last: the spec does not see it, as in the server
	{line: "MIGRATE h 6379 k 0 5000 KEYS a", fail: true},
	{line: "MIGRATE h 6379 k 0 5000 KEYS", want: []int{3}},         // KEYS last: the spec does not see it
	{line: "MIGRATE h 6379 '' 0 5000 AUTH KEYS", want: []int{3}},   // nor here: the key is the empty argv[3]
	{line: "MIGRATE h 6379 '' 0 5000 AUTH KEYS x", want: []int{3}}, // KEYS is AUTH's password
}

// TestKeyIndexes checks the keys of sample command lines.
func TestKeyIndexes(t *testing.T) {
	for _, tc := range keyIndexCases {
		argv := args(tc.line)
		info := lookupArgv(argv)
		if info == nil {
			t.Fatalf("%s: unknown command", tc.line)
		}
		dst := []int{-7}
		got, err := info.KeyIndexes(dst, argv)
		if tc.fail {
			if !errors.Is(err, ErrKeyArgs) || len(got) != 1 || got[0] != -7 {
				t.Errorf("%s: got %v, %v; want an ErrKeyArgs error and dst unchanged", tc.line, got, err)
			}
			continue
		}
		if err != nil || !slices.Equal(got[1:], tc.want) || got[0] != -7 {
			t.Errorf("%s: got %v, %v; want %v", tc.line, got[1:], err, tc.want)
		}
	}
}

// TestKeyIndexesMinimal checks that a command of minimal arity whose
// arguments are all plain words gets its keys without error, except
// commands whose keys depend on a numkeys argument, which must fail on a
// word and succeed on a number.
func TestKeyIndexesMinimal(t *testing.T) {
	for _, info := range All() {
		if info.Flags&Container != 0 {
			continue
		}
		argv := args(info.Name)
		n := int(info.Arity)
		if n < 0 {
			n = -n
		}
		for i := len(argv); i < n; i++ {
			argv = append(argv, []byte("w"))
		}
		keynum := slices.ContainsFunc(info.Keys, func(ks KeySpec) bool { return ks.Find == FindKeyNum })
		got, err := info.KeyIndexes(nil, argv)
		if keynum {
			if !errors.Is(err, ErrKeyArgs) {
				t.Errorf("%s %q: %v, %v; want a numkeys error", info.Name, argv, got, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s %q: %v", info.Name, argv, err)
		}
		if info.FirstKey > 0 && int(info.FirstKey) < len(argv) && (len(got) == 0 || got[0] != int(info.FirstKey)) {
			t.Errorf("%s %q: keys %v, FirstKey %d", info.Name, argv, got, info.FirstKey)
		}
		if len(info.Keys) == 0 && len(got) != 0 {
			t.Errorf("%s: keys %v without key specs", info.Name, got)
		}
	}
}

// TestKeyIndexesLegacyAgree checks that, for every command whose keys the
// legacy FirstKey/KeyStep/LastKey describe, KeyIndexes finds exactly those,
// on argvs of several lengths.
func TestKeyIndexesLegacyAgree(t *testing.T) {
	checked := 0
	for _, info := range All() {
		if info.FirstKey <= 0 {
			continue
		}
		min := int(info.Arity)
		if min < 0 {
			min = -min
		}
		for n := min; n < min+7; n++ {
			if info.Arity > 0 && n != int(info.Arity) {
				break
			}
			argv := args(info.Name)
			for i := len(argv); i < n; i++ {
				argv = append(argv, []byte("w"))
			}
			var want []int
			last := int(info.FirstKey) + int(info.LastKey)
			if info.LastKey < 0 {
				last = n + int(info.LastKey)
			}
			step := max(int(info.KeyStep), 1)
			for i := int(info.FirstKey); i <= last; i += step {
				want = append(want, i)
			}
			got, err := info.KeyIndexes(nil, argv)
			if err != nil || !slices.Equal(got, want) {
				t.Errorf("%s with %d arguments: %v, %v; legacy positions give %v", info.Name, n, got, err, want)
			}
			checked++
		}
	}
	if checked < 500 {
		t.Errorf("only %d argvs checked", checked)
	}
}

// TestKeySpecsOfTable spot-checks generated key specs, policies and tips.
func TestKeySpecsOfTable(t *testing.T) {
	xread := mustLookup(t, "XREAD")
	want := []KeySpec{{Flags: KeyRO | KeyAccess, Begin: BeginKeyword, Keyword: "STREAMS", StartFrom: 1, Find: FindRange, LastKey: -1, Step: 1, Limit: 2}}
	if !slices.Equal(xread.Keys, want) {
		t.Errorf("XREAD keys %+v", xread.Keys)
	}
	eval := mustLookup(t, "EVAL")
	want = []KeySpec{{Flags: KeyRW | KeyAccess | KeyUpdate, Begin: BeginIndex, Pos: 2, Find: FindKeyNum, KeyNumIdx: 0, FirstKey: 1, Step: 1}}
	if !slices.Equal(eval.Keys, want) {
		t.Errorf("EVAL keys %+v", eval.Keys)
	}
	if k := mustLookup(t, "MIGRATE").Keys; len(k) != 2 || k[1].Flags&KeyIncomplete == 0 || k[1].StartFrom != -2 {
		t.Errorf("MIGRATE keys %+v", k)
	}
	if k := mustLookup(t, "SORT").Keys; len(k) != 3 || k[1].Begin != BeginUnknown || k[2].Find != FindUnknown || k[2].Flags != KeyOW|KeyUpdate {
		t.Errorf("SORT keys %+v", k)
	}
	if k := mustLookup(t, "SPUBLISH").Keys; len(k) != 1 || k[0].Flags != KeyNotKey {
		t.Errorf("SPUBLISH keys %+v", k)
	}
	if k := mustLookup(t, "SET").Keys; len(k) != 1 || k[0].Flags != KeyRW|KeyAccess|KeyUpdate|KeyVariableFlags {
		t.Errorf("SET keys %+v", k)
	}
	if mustLookup(t, "PING").Keys != nil {
		t.Error("PING has key specs")
	}
	for _, tc := range []struct {
		name string
		req  RequestPolicy
		res  ResponsePolicy
		nd   Nondeterminism
	}{
		{"GET", RequestDefault, ResponseDefault, Deterministic},
		{"DEL", RequestMultiShard, ResponseAggSum, Deterministic},
		{"MGET", RequestMultiShard, ResponseDefault, Deterministic},
		{"MSET", RequestMultiShard, ResponseAllSucceeded, Deterministic},
		{"DBSIZE", RequestAllShards, ResponseAggSum, Deterministic},
		{"KEYS", RequestAllShards, ResponseDefault, NondeterministicOrder},
		{"CONFIG SET", RequestAllNodes, ResponseAllSucceeded, Deterministic},
		{"SCRIPT EXISTS", RequestAllShards, ResponseAggLogicalAnd, Deterministic},
		{"SCRIPT KILL", RequestAllShards, ResponseOneSucceeded, Deterministic},
		{"WAIT", RequestAllShards, ResponseAggMin, Deterministic},
		{"SCAN", RequestSpecial, ResponseSpecial, NondeterministicOutput},
		{"RANDOMKEY", RequestAllShards, ResponseSpecial, NondeterministicOutput},
		{"TIME", RequestDefault, ResponseDefault, NondeterministicOutput},
	} {
		info := mustLookup(t, tc.name)
		if info.Request != tc.req || info.Response != tc.res || info.Nondeterministic != tc.nd {
			t.Errorf("%s: %v/%v/%v, want %v/%v/%v", tc.name, info.Request, info.Response, info.Nondeterministic, tc.req, tc.res, tc.nd)
		}
	}
}

// TestKeySpecInvariants checks every generated key spec.
func TestKeySpecInvariants(t *testing.T) {
	n := 0
	for _, info := range All() {
		for _, ks := range info.Keys {
			n++
			switch ks.Begin {
			case BeginIndex:
				if ks.Pos < 1 || ks.Keyword != "" || ks.StartFrom != 0 {
					t.Errorf("%s: %+v", info.Name, ks)
				}
			case BeginKeyword:
				if ks.Pos != 0 || ks.Keyword == "" || ks.Keyword != strings.ToUpper(ks.Keyword) || ks.StartFrom == 0 {
					t.Errorf("%s: %+v", info.Name, ks)
				}
			}
			switch ks.Find {
			case FindRange:
				if ks.Step < 1 || ks.Limit < 0 || ks.KeyNumIdx != 0 || ks.FirstKey != 0 {
					t.Errorf("%s: %+v", info.Name, ks)
				}
			case FindKeyNum:
				if ks.Step < 1 || ks.LastKey != 0 || ks.Limit != 0 || ks.FirstKey <= ks.KeyNumIdx {
					t.Errorf("%s: %+v", info.Name, ks)
				}
			}
			if (ks.Begin == BeginUnknown) != (ks.Find == FindUnknown) {
				t.Errorf("%s: half-unknown spec %+v", info.Name, ks)
			}
			access := ks.Flags & (KeyRO | KeyRW | KeyOW | KeyRM)
			if access&(access-1) != 0 || (access == 0) != (ks.Flags&KeyNotKey != 0) {
				t.Errorf("%s: flags %v", info.Name, ks.Flags)
			}
		}
		if (len(info.Keys) == 0) != (info.FirstKey == 0) {
			t.Errorf("%s: %d key specs, FirstKey %d", info.Name, len(info.Keys), info.FirstKey)
		}
	}
	if n < 250 {
		t.Errorf("only %d key specs", n)
	}
}

// TestAppendIndexesMalformed checks hand-made specs that make no sense:
// errors wrapping ErrKeySpec, no panic.
func TestAppendIndexesMalformed(t *testing.T) {
	argv := args("CMD a b c d")
	for _, ks := range []KeySpec{
		{Begin: BeginIndex, Pos: 0, Find: FindRange, Step: 1},
		{Begin: BeginIndex, Pos: -3, Find: FindRange, Step: 1},
		{Begin: BeginIndex, Pos: 1, Find: FindRange, Step: 0},
		{Begin: BeginIndex, Pos: 1, Find: FindRange, Step: 1, Limit: -1},
		{Begin: BeginIndex, Pos: 1, Find: FindKeyNum, Step: 0},
		{Begin: BeginIndex, Pos: 1, Find: FindKeyNum, KeyNumIdx: -1, Step: 1},
		{Begin: BeginKeyword, Keyword: "b", StartFrom: 0, Find: FindRange, Step: 1},
		{Begin: BeginKeyword, Keyword: "", StartFrom: 1, Find: FindRange, Step: 1},
	} {
		if got, err := ks.AppendIndexes(nil, argv); !errors.Is(err, ErrKeySpec) || got != nil {
			t.Errorf("%+v: %v, %v", ks, got, err)
		}
	}
	// Extreme but valid numbers: no overflow, no panic.
	for _, ks := range []KeySpec{
		{Begin: BeginIndex, Pos: math.MaxInt, Find: FindRange, LastKey: math.MaxInt, Step: math.MaxInt},
		{Begin: BeginIndex, Pos: 1, Find: FindRange, LastKey: math.MinInt, Step: 1},
		{Begin: BeginIndex, Pos: 1, Find: FindRange, LastKey: math.MinInt, Step: 1, Limit: math.MaxInt},
		{Begin: BeginIndex, Pos: 1, Find: FindRange, LastKey: math.MaxInt, Step: 1},
		{Begin: BeginIndex, Pos: 1, Find: FindRange, LastKey: -1, Step: math.MaxInt},
		{Begin: BeginKeyword, Keyword: "A", StartFrom: math.MinInt, Find: FindRange, LastKey: -1, Step: 1},
		{Begin: BeginKeyword, Keyword: "A", StartFrom: math.MaxInt, Find: FindRange, LastKey: -1, Step: 1},
		{Begin: BeginIndex, Pos: 1, Find: FindKeyNum, KeyNumIdx: math.MaxInt, FirstKey: 1, Step: 1},
		{Begin: BeginIndex, Pos: 1, Find: FindKeyNum, KeyNumIdx: 0, FirstKey: math.MaxInt, Step: 1},
		{Begin: BeginIndex, Pos: 1, Find: FindKeyNum, KeyNumIdx: 0, FirstKey: 1, Step: math.MaxInt},
		{Begin: BeginIndex, Pos: 1, Find: FindUnknown},
		{Begin: BeginUnknown, Find: FindRange, Step: 1},
		{Begin: BeginSearch(9), Find: FindRange, Step: 1},
		{Begin: BeginIndex, Pos: 1, Find: FindKeys(9)},
	} {
		for _, argv := range [][][]byte{nil, args("CMD"), args("CMD 1 a"), args("CMD 3 a b c"), args("CMD A a A b")} {
			got, err := ks.AppendIndexes(nil, argv)
			for _, i := range got {
				if i < 1 || i >= len(argv) {
					t.Errorf("%+v on %q: index %d out of range", ks, argv, i)
				}
			}
			if err != nil && !errors.Is(err, ErrKeyArgs) && !errors.Is(err, ErrKeySpec) {
				t.Errorf("%+v on %q: %v", ks, argv, err)
			}
		}
	}
	// A lower-case keyword in a hand-made spec still matches.
	ks := KeySpec{Begin: BeginKeyword, Keyword: "streams", StartFrom: 1, Find: FindRange, LastKey: -1, Step: 1, Limit: 2}
	if got, err := ks.AppendIndexes(nil, args("X STREAMS a 0")); err != nil || !slices.Equal(got, []int{2}) {
		t.Errorf("lower-case keyword: %v, %v", got, err)
	}
	// No Unicode folding: the Kelvin sign is not a K.
	if got, err := mustLookup(t, "MIGRATE").KeyIndexes(nil, args("MIGRATE h 1 '' 0 5 \u212aEYS a")); err != nil || !slices.Equal(got, []int{3}) {
		t.Errorf("MIGRATE with a Kelvin sign: %v, %v", got, err)
	}
}

// TestKeyIndexesZeroAllocs checks that KeyIndexes does not allocate when dst
// has room.
func TestKeyIndexesZeroAllocs(t *testing.T) {
	dst := make([]int, 0, 16)
	for _, line := range []string{"GET k", "MSET a 1 b 2", "XREAD COUNT 1 STREAMS a b 0 0", "EVAL s 2 a b", "SORT k STORE d", "MIGRATE h 1 '' 0 5 KEYS a b", "GEORADIUS s 0 0 1 km STORE d"} {
		argv := args(line)
		info := lookupArgv(argv)
		if n := testing.AllocsPerRun(100, func() {
			if _, err := info.KeyIndexes(dst[:0], argv); err != nil {
				t.Fatal(err)
			}
		}); n != 0 {
			t.Errorf("%s: %v allocations", line, n)
		}
	}
}

// TestStrings checks the String methods of the new types.
func TestStrings(t *testing.T) {
	for got, want := range map[string]string{
		KeyFlags(0).String():                     "0",
		(KeyRW | KeyAccess | KeyUpdate).String(): "RW|ACCESS|UPDATE",
		(KeyNotKey | 1<<15).String():             "NOT_KEY|0x8000",
		KeyVariableFlags.String():                "VARIABLE_FLAGS",
		BeginKeyword.String():                    "keyword",
		BeginSearch(7).String():                  "BeginSearch(7)",
		FindKeyNum.String():                      "keynum",
		FindUnknown.String():                     "unknown",
		FindKeys(7).String():                     "FindKeys(7)",
		RequestDefault.String():                  "default",
		RequestMultiShard.String():               "multi_shard",
		RequestSpecial.String():                  "special",
		RequestPolicy(9).String():                "RequestPolicy(9)",
		ResponseAggLogicalOr.String():            "agg_logical_or",
		ResponseSpecial.String():                 "special",
		ResponsePolicy(9).String():               "ResponsePolicy(9)",
		NondeterministicOrder.String():           "nondeterministic_output_order",
		Deterministic.String():                   "deterministic",
		Nondeterminism(9).String():               "Nondeterminism(9)",
	} {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
	if KeyVariableFlags != 1<<10 || len(keyFlagNames) != 11 {
		t.Errorf("KeyVariableFlags = %#x, %d names", uint16(KeyVariableFlags), len(keyFlagNames))
	}
	if len(requestNames) != int(RequestSpecial)+1 || len(responseNames) != int(ResponseSpecial)+1 {
		t.Error("policy names out of step with the constants")
	}
}

func BenchmarkKeyIndexes(b *testing.B) {
	dst := make([]int, 0, 16)
	for _, line := range []string{"GET k", "MSET a 1 b 2 c 3", "XREAD COUNT 1 STREAMS a b 0 0", "EVAL s 2 a b x"} {
		argv := args(line)
		info := lookupArgv(argv)
		b.Run(strings.Fields(line)[0], func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				info.KeyIndexes(dst[:0], argv)
			}
		})
	}
}

// fuzzCommands are the commands FuzzKeyIndexes picks from: every kind of key
// spec and every hand-written fall-back.
var fuzzCommands = []string{
	"GET", "MSET", "BLPOP", "BITOP", "XREAD", "XREADGROUP", "EVAL", "ZUNIONSTORE", "BLMPOP", "MSETEX",
	"GEORADIUS", "MIGRATE", "SORT", "SORT_RO", "OBJECT ENCODING", "SPUBLISH", "PING",
}

// FuzzKeyIndexes runs KeyIndexes of a chosen command on arbitrary argvs (the
// input split on spaces): no panic, every index within argv and past the
// command name, errors only wrapping ErrKeyArgs, dst kept on error.
func FuzzKeyIndexes(f *testing.F) {
	for _, c := range keyIndexCases {
		argv := args(c.line)
		info := lookupArgv(argv)
		if i := slices.Index(fuzzCommands, info.Name); i >= 0 {
			rest := strings.TrimPrefix(strings.TrimPrefix(strings.ToUpper(c.line), info.Name), " ")
			f.Add(uint8(i), rest)
		}
	}
	f.Add(uint8(3), "STREAMS STREAMS STREAMS")
	f.Add(uint8(6), "s 18446744073709551617 a")
	f.Fuzz(func(t *testing.T, cmd uint8, rest string) {
		name := fuzzCommands[int(cmd)%len(fuzzCommands)]
		info := Lookup(name)
		argv := args(name)
		for _, a := range strings.Split(rest, " ") {
			argv = append(argv, []byte(a))
		}
		dst := []int{-1}
		got, err := info.KeyIndexes(dst, argv)
		if err != nil {
			if !errors.Is(err, ErrKeyArgs) || len(got) != 1 {
				t.Fatalf("%s %q: %v, %v", name, rest, got, err)
			}
			return
		}
		if got[0] != -1 {
			t.Fatalf("dst overwritten: %v", got)
		}
		for _, i := range got[1:] {
			if i < len(args(name)) || i >= len(argv) {
				t.Fatalf("%s %q: index %d out of range in %v", name, rest, i, got)
			}
		}
		// The keys found must not depend on the case of the arguments (ASCII
		// case: the server does not fold other letters).
		lower := make([][]byte, len(argv))
		for i, a := range argv {
			lower[i] = bytes.Map(func(r rune) rune {
				if 'A' <= r && r <= 'Z' {
					return r + ('a' - 'A')
				}
				return r
			}, a)
		}
		if again, err := info.KeyIndexes(nil, lower); err != nil || !slices.Equal(again, got[1:]) {
			t.Fatalf("%s %q: lower case gives %v, %v; want %v", name, rest, again, err, got[1:])
		}
	})
}

// FuzzKeySpec runs arbitrary key specs, of any numbers, on an argv: no panic,
// indexes within argv.
func FuzzKeySpec(f *testing.F) {
	f.Add(uint8(1), int64(1), "", int64(0), uint8(1), int64(-1), int64(0), int64(0), int64(0), int64(1), "a b c")
	f.Add(uint8(2), int64(0), "STREAMS", int64(1), uint8(1), int64(-1), int64(2), int64(0), int64(0), int64(1), "STREAMS a b 0 0")
	f.Add(uint8(1), int64(1), "", int64(0), uint8(2), int64(0), int64(0), int64(0), int64(1), int64(2), "2 a 1 b 2")
	f.Fuzz(func(t *testing.T, begin uint8, pos int64, kw string, from int64, find uint8, last, limit, numIdx, first, step int64, rest string) {
		ks := KeySpec{
			Begin: BeginSearch(begin % 4), Pos: int(pos), Keyword: kw, StartFrom: int(from),
			Find: FindKeys(find % 4), LastKey: int(last), Limit: int(limit), KeyNumIdx: int(numIdx), FirstKey: int(first), Step: int(step),
		}
		argv := append(args("CMD"), bytes.Split([]byte(rest), []byte(" "))...)
		got, err := ks.AppendIndexes(nil, argv)
		if err != nil && (got != nil || !errors.Is(err, ErrKeyArgs) && !errors.Is(err, ErrKeySpec)) {
			t.Fatalf("%+v: %v, %v", ks, got, err)
		}
		for _, i := range got {
			if i < 1 || i >= len(argv) {
				t.Fatalf("%+v on %q: index %d out of range", ks, argv, i)
			}
		}
		info := Info{Name: "SORT", Keys: []KeySpec{ks, {}}} // with the fall-back of SORT
		if got, err := info.KeyIndexes(nil, argv); err == nil {
			for _, i := range got {
				if i < 1 || i >= len(argv) {
					t.Fatalf("SORT fall-back on %q: index %d out of range", argv, i)
				}
			}
		}
	})
}
