package redis

// Fuzzing of the hand-written reply decoders: the functions that turn a
// resp.Value into typed results. Whatever a server sends, they return an
// error, never panic. FuzzDecoders reads the input's first byte as the
// decoder to call (an index into decoderTable, modulo its length) and the
// rest as one RESP reply.
//
// TestDecoderTableIsComplete keeps the table whole: every function of the
// package (outside tests) that takes a resp.Value must be in it, so a new
// decoder gets fuzzed from the day it is written.
//
// The seed corpus (testdata/fuzz/FuzzDecoders/seed-*) holds replies of a
// real server, RESP2 and RESP3, for the decoders a standalone Redis 7.0
// and a cluster node can answer; TestDecoderSeeds rewrites it when
// REDIS_DECODER_SEEDS=1 (after the table changes, since seeds name their
// decoder by index).

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/respkit/redis/resp"
)

// decoder calls one decoder on v. mustFail says whether an error reply
// must come back as an error (true for every as* decoder).
type decoder struct {
	name     string
	call     func(v resp.Value) (any, error)
	mustFail bool
}

func dec[T any](name string, f func(resp.Value, error) (T, error)) decoder {
	return decoder{name, func(v resp.Value) (any, error) { return f(v, nil) }, strings.HasPrefix(name, "as")}
}

func dec1[T any](name string, f func(resp.Value) (T, error)) decoder {
	return decoder{name, func(v resp.Value) (any, error) { return f(v) }, false}
}

func loose[T any](name string, f func(resp.Value) T) decoder {
	return decoder{name, func(v resp.Value) (any, error) { return f(v), nil }, false}
}

// decoderTable lists the decoders in a fixed order: seeds name theirs by
// index, so append new ones at the end (or rewrite the seeds).
var decoderTable = []decoder{
	dec("asArrayMatchCount", asArrayMatchCount),
	dec("asArrayEntries", asArrayEntries),
	dec("asArrayInfo", asArrayInfo),
	dec("asBitField", asBitField),
	dec("asClusterState", asClusterState),
	dec("asClusterNodeLines", asClusterNodeLines),
	dec("asClusterNodeList", asClusterNodeList),
	dec("asSlotRanges", asSlotRanges),
	dec1("asSlotSpans", asSlotSpans),
	dec("asClusterShards", asClusterShards),
	dec("asClusterLinks", asClusterLinks),
	dec("asClusterMigrations", asClusterMigrations),
	dec("asSlotStats", asSlotStats),
	dec("asPong", asPong),
	dec("asHello", asHello),
	dec("asTrackingInfo", asTrackingInfo),
	dec("asClientInfo", asClientInfo),
	dec("asClientList", asClientList),
	dec("asTTL", asTTL),
	dec("asPTTL", asPTTL),
	dec("asTTLs", asTTLs),
	dec("asPTTLs", asPTTLs),
	dec("asUnixTime", asUnixTime),
	dec("asUnixMilliTime", asUnixMilliTime),
	dec("asIdleTime", asIdleTime),
	dec("asMigrate", asMigrate),
	dec("asWaitAOF", asWaitAOF),
	dec("asGeoPosition", asGeoPosition),
	dec("asGeoPositions", asGeoPositions),
	dec("asGeoResult", asGeoResult),
	dec("asGeoResults", asGeoResults),
	dec("asHFieldStatuses", asHFieldStatuses),
	dec("asHExpireTimes", asHExpireTimes),
	dec("asHPExpireTimes", asHPExpireTimes),
	dec("asHashEntries", asHashEntries),
	{"hashEntriesOf", func(v resp.Value) (any, error) { return hashEntriesOf(v.Elems()) }, false},
	dec("asHashEntryPage", asHashEntryPage),
	dec("asKeyElement", asKeyElement),
	dec("asKeyElements", asKeyElements),
	dec("asStringsOrEmpty", asStringsOrEmpty),
	{"parseEvent", func(v resp.Value) (any, error) { m, _ := parseEvent(v); return m, nil }, false},
	dec("asPubSubCounts", asPubSubCounts),
	{"check", func(v resp.Value) (any, error) { return nil, check(v, nil) }, true},
	dec("asString", asString),
	dec("asBytes", asBytes),
	dec("asInt64", asInt64),
	dec("asFloat64", asFloat64),
	dec("asBool", asBool),
	dec("asSlice", asSlice),
	dec("asStrings", asStrings),
	dec("pairs", pairs),
	dec("asMap", asMap),
	dec("asStringMap", asStringMap),
	{"asOK", func(v resp.Value) (any, error) { return nil, asOK(v, nil) }, true},
	dec("asStatus", asStatus),
	dec("asInt64s", asInt64s),
	dec("asFloat64s", asFloat64s),
	dec("asBools", asBools),
	dec("asListOf", func(v resp.Value, err error) ([]time.Duration, error) { return asListOf(v, err, asPTTL) }),
	dec("asNullListOf", func(v resp.Value, err error) ([]Null[float64], error) { return asNullListOf(v, err, asFloat64) }),
	dec("asNullStrings", asNullStrings),
	dec("asCursorPage", func(v resp.Value, err error) (CursorPage[HashEntry], error) {
		return asCursorPage(v, err, hashEntriesOf)
	}),
	dec("asStringPage", asStringPage),
	{"scanReply", func(v resp.Value) (any, error) { c, e, err := scanReply(v, nil); return []any{c, e}, err }, false},
	dec("asScriptResult", asScriptResult),
	dec("asLibraries", asLibraries),
	dec("asLibrary", asLibrary),
	dec("asFunction", asFunction),
	dec("asFunctionStats", asFunctionStats),
	dec("asSentinelAddr", asSentinelAddr),
	dec("asSentinelInstance", asSentinelInstance),
	dec("asSentinelInstances", asSentinelInstances),
	dec("asSentinelPrimary", asSentinelPrimary),
	dec("asSentinelPrimaries", asSentinelPrimaries),
	dec("asSentinelInfoCache", asSentinelInfoCache),
	dec("asSentinelDownReply", asSentinelDownReply),
	dec("asSentinelScripts", asSentinelScripts),
	dec("asACLDryRun", asACLDryRun),
	dec("asDebug", asDebug),
	dec("asMonitor", asMonitor),
	dec("asShutdown", asShutdown),
	dec("asLastSave", asLastSave),
	dec("asServerTime", asServerTime),
	loose("looseFloat", looseFloat),
	loose("looseInt", looseInt),
	loose("looseStrings", looseStrings),
	loose("aclPatterns", aclPatterns),
	dec("asACLUser", asACLUser),
	dec("asACLLog", asACLLog),
	dec("asCommandDocs", asCommandDocs),
	dec1("commandDoc", commandDoc),
	dec1("commandArgs", commandArgs),
	dec("asCommandInfos", asCommandInfos),
	dec1("commandInfo", commandInfo),
	dec1("keySpec", keySpec),
	dec("asKeyFlagsList", asKeyFlagsList),
	dec("asInfo", asInfo),
	dec("asRole", asRole),
	dec("asLatencyHistograms", asLatencyHistograms),
	dec("asLatencySamples", asLatencySamples),
	dec("asLatencyEvents", asLatencyEvents),
	dec("asMemoryStats", asMemoryStats),
	dec("asModules", asModules),
	dec("asSlowLog", asSlowLog),
	dec("asSlotSpanList", asSlotSpanList),
	dec("asHotkeysReports", asHotkeysReports),
	loose("xmillis", xmillis),
	loose("xunixMilli", xunixMilli),
	loose("xint", xint),
	loose("xnullInt", xnullInt),
	dec("asXMessage", asXMessage),
	dec("asXMessageChecked", asXMessageChecked),
	dec("asXMessages", asXMessages),
	dec("asXClaim", asXClaim),
	dec("asXStreams", asXStreams),
	dec("xautoclaimParts", xautoclaimParts),
	dec("asXAutoClaim", asXAutoClaim),
	dec("asXAutoClaimIDs", asXAutoClaimIDs),
	dec("asXPendingSummary", asXPendingSummary),
	dec("asXPendingEntry", asXPendingEntry),
	dec("asXPendingEntries", asXPendingEntries),
	dec("asXGroupInfo", asXGroupInfo),
	dec("asXGroupInfos", asXGroupInfos),
	dec("asXConsumerInfo", asXConsumerInfo),
	dec("asXConsumerInfos", asXConsumerInfos),
	{"xstreamState", func(v resp.Value) (any, error) {
		m, err := asMap(v, nil)
		if err != nil {
			return nil, err
		}
		return xstreamState(m), nil
	}, false},
	dec("asXStreamInfo", asXStreamInfo),
	dec("asXStreamInfoFull", asXStreamInfoFull),
	dec("asXGroupInfoFull", asXGroupInfoFull),
	dec("asSet", asSet),
	dec("asIncrExInt", asIncrExInt),
	dec("asIncrExFloat", asIncrExFloat),
	dec("asIncrExOf", func(v resp.Value, err error) (IncrExResult[int64], error) { return asIncrExOf(v, err, asInt64) }),
	dec("asLCSIndex", asLCSIndex),
	dec1("asLCSRange", asLCSRange),
	dec("asExec", asExec),
	{"zpair", func(v resp.Value) (any, error) {
		e := v.Elems()
		if len(e) != 2 {
			return nil, nil
		}
		return zpair(e[0], e[1])
	}, false},
	dec("asZs", asZs),
	dec("asZWithKey", asZWithKey),
	dec("asZMPop", asZMPop),
	dec("asZRankScore", asZRankScore),
	dec("asZMScore", asZMScore),
	dec("asZPage", asZPage),
	dec("asTTLIn", func(v resp.Value, err error) (time.Duration, error) { return asTTLIn(v, err, time.Hour) }),
	dec("asTTLsIn", func(v resp.Value, err error) ([]time.Duration, error) { return asTTLsIn(v, err, time.Microsecond) }),
	dec("asExpiryIn", func(v resp.Value, err error) (time.Time, error) { return asExpiryIn(v, err, time.Hour) }),
}

// notFuzzed are the functions taking a resp.Value that are not decoders
// of replies, with the reason.
var notFuzzed = map[string]string{
	"replyErr": "builds the error of an error reply for a *Cmd (errors.go); needs a command",
	"ResultOf": "wraps a reply in a Result without reading it; Result's accessors are the fuzzed decoders (asInt64, asString, ...)",
}

var fuzzLimits = resp.Limits{MaxBulkLen: 1 << 16, MaxAggregateLen: 1 << 10, MaxDepth: 16, MaxLineLen: 1 << 12}

func FuzzDecoders(f *testing.F) {
	for i := range decoderTable {
		// A few generic shapes for each decoder; real replies are in testdata.
		for _, s := range []string{"*2\r\n$1\r\na\r\n:1\r\n", "%1\r\n+k\r\n*1\r\n:1\r\n", "_\r\n", "-ERR x\r\n", ":-1\r\n"} {
			f.Add(append([]byte{byte(i)}, s...))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 2 {
			return
		}
		d := decoderTable[int(data[0])%len(decoderTable)]
		r := resp.NewReader(bytes.NewReader(data[1:]), fuzzLimits)
		v, err := r.Read()
		if err != nil {
			return
		}
		// Bytes after the reply mutate its structure: byte mutations of
		// RESP mostly break the framing, these keep it and change shapes.
		rest := data[len(data)-r.Buffered():]
		for i := 0; i+1 < len(rest) && i < 16; i += 2 {
			n := 0
			v, _ = mutateValue(v, int(rest[i+1]), &n, rest[i])
		}
		defer func() {
			if p := recover(); p != nil {
				t.Fatalf("%s panicked on %#v: %v", d.name, v, p)
			}
		}()
		_, derr := d.call(v)
		if d.mustFail && v.IsError() && derr == nil {
			t.Fatalf("%s returned no error for the error reply %#v", d.name, v)
		}
	})
}

// mutateValue applies op to the node of v whose pre-order index is target
// (counted in *n), rebuilding the aggregates above it.
func mutateValue(v resp.Value, target int, n *int, op byte) (resp.Value, bool) {
	if *n == target {
		return mutation(v, op), true
	}
	*n++
	e := v.Elems()
	for i := range e {
		nv, done := mutateValue(e[i], target, n, op)
		if done {
			ne := slices.Clone(e)
			ne[i] = nv
			if v.Type() == resp.Map {
				return resp.MapValue(ne...).WithAttrs(v.Attrs()...), true
			}
			return resp.ArrayValue(ne...).WithAttrs(v.Attrs()...), true
		}
	}
	return v, false
}

func mutation(v resp.Value, op byte) resp.Value {
	e := v.Elems()
	switch op % 12 {
	case 0:
		return resp.NullValue()
	case 1:
		return resp.IntValue(int64(int8(op)))
	case 2:
		return resp.IntValue(-1 << 63)
	case 3:
		return resp.StringValue(v.String() + "x")
	case 4:
		return resp.StringValue("-1")
	case 5:
		return resp.FloatValue(float64(int8(op)) / 3)
	case 6:
		return resp.ArrayValue()
	case 7: // one element fewer
		if len(e) > 0 {
			return resp.ArrayValue(e[:len(e)-1]...)
		}
	case 8: // a map as RESP2 sends it, or a flat array as a map
		if v.Type() == resp.Map {
			return resp.ArrayValue(e...)
		}
		if len(e)%2 == 0 {
			return resp.MapValue(e...)
		}
	case 9: // the first element again
		if len(e) > 0 {
			return resp.ArrayValue(append(slices.Clone(e), e[0])...)
		}
	case 10:
		return resp.ArrayValue(v)
	case 11:
		return resp.ErrorValue("ERR " + v.String())
	}
	return v
}

func TestDecoderTableIsComplete(t *testing.T) {
	if len(decoderTable) > 256 {
		t.Fatalf("%d decoders: FuzzDecoders selects one with a byte; make it two", len(decoderTable))
	}
	listed := map[string]bool{}
	for _, d := range decoderTable {
		if listed[d.name] {
			t.Errorf("%s is listed twice", d.name)
		}
		listed[d.name] = true
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var missing []string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range file.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || !takesValue(fn) {
				continue
			}
			if n := fn.Name.Name; !listed[n] && notFuzzed[n] == "" {
				missing = append(missing, fmt.Sprintf("%s (%s)", n, name))
			}
		}
	}
	slices.Sort(missing)
	for _, m := range missing {
		t.Errorf("%s takes a resp.Value but is not in decoderTable", m)
	}
}

// takesValue reports whether one of fn's parameters mentions resp.Value
// (resp.Value, []resp.Value, map[string]resp.Value, ...), leaving out
// parameters of function type (decoders passed to generic helpers).
func takesValue(fn *ast.FuncDecl) bool {
	for _, p := range fn.Type.Params.List {
		if _, isFunc := p.Type.(*ast.FuncType); isFunc {
			continue
		}
		found := false
		ast.Inspect(p.Type, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok {
				if x, ok := sel.X.(*ast.Ident); ok && x.Name == "resp" && sel.Sel.Name == "Value" {
					found = true
				}
			}
			return !found
		})
		if found {
			return true
		}
	}
	return false
}

// The seed corpus: every file under testdata/fuzz/FuzzDecoders must be a
// valid input that names a decoder of the table (go test runs them all as
// part of FuzzDecoders); this only checks that the directory is not empty.
func TestDecoderSeedsPresent(t *testing.T) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzDecoders", "seed-*"))
	if len(seeds) == 0 && os.Getenv("REDIS_DECODER_SEEDS") == "" {
		t.Fatal("no seed corpus in testdata/fuzz/FuzzDecoders (REDIS_DECODER_SEEDS=1 go test -run TestDecoderSeeds writes it)")
	}
}
