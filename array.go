package redis

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/respkit/redis/resp"
)

// ArrayEntry is an element of an array (Redis 8.8) with its index, as
// ARSCAN and ARGREP WITHVALUES return them.
type ArrayEntry struct {
	Index int64
	Value string
}

// ArrayPredicate is one test of ARGREP (Redis 8.8): Op is EXACT (the
// element equals Value), MATCH (it contains Value), GLOB (it matches the
// glob pattern Value) or RE (it matches the regular expression Value).
type ArrayPredicate struct {
	Op    string
	Value string
}

// ArGrepOptions are the optional arguments of ARGREP. The zero value sends
// none of them.
type ArGrepOptions struct {
	// And sends AND: every predicate must match (the server's default).
	// Or sends OR: any predicate may match. They are mutually exclusive.
	And, Or bool
	// Limit sends LIMIT limit: stop after this many matches.
	Limit int64
	// NoCase sends NOCASE: compare case-insensitively.
	NoCase bool
}

// ArrayInfo is what ARINFO (Redis 8.8) reports of an array. Fields holds
// every attribute by name, including those newer servers add.
type ArrayInfo struct {
	Len             int64 // highest set index plus one
	Count           int64 // elements set
	NextInsertIndex int64 // where ARINSERT writes next
	SliceSize       int64
	Slices          int64
	DenseSlices     int64
	SparseSlices    int64
	DirectorySize   int64
	SuperDirEntries int64
	// Averages, reported with FULL.
	AvgDenseFill, AvgDenseSize, AvgSparseSize float64
	Fields                                    map[string]string
}

func appendArGrepArgs(b *builder, key, start, end string, predicates []ArrayPredicate, opts []ArGrepOptions) {
	b.begin(cmdARGREP)
	b.key(key)
	b.str(start)
	b.str(end)
	if len(predicates) == 0 {
		b.fail("needs at least one predicate")
	}
	for _, p := range predicates {
		op := strings.ToUpper(p.Op)
		switch op {
		case "EXACT", "MATCH", "GLOB", "RE":
		default:
			b.fail("predicate Op must be one of EXACT, MATCH, GLOB, RE, not %q", p.Op)
		}
		b.str(op)
		b.str(p.Value)
	}
	var o ArGrepOptions
	switch len(opts) {
	case 0:
	case 1:
		o = opts[0]
	default:
		b.fail("at most one ArGrepOptions, got %d", len(opts))
	}
	if o.And && o.Or {
		b.fail("at most one of And, Or may be set")
	}
	if o.And {
		b.str("AND")
	}
	if o.Or {
		b.str("OR")
	}
	if o.Limit != 0 {
		b.str("LIMIT")
		b.int(o.Limit)
	}
	if o.NoCase {
		b.str("NOCASE")
	}
}

func appendArGrep(b *builder, key, start, end string, predicates []ArrayPredicate, opts []ArGrepOptions) {
	appendArGrepArgs(b, key, start, end, predicates, opts)
}

func appendArGrepWithValues(b *builder, key, start, end string, predicates []ArrayPredicate, opts []ArGrepOptions) {
	appendArGrepArgs(b, key, start, end, predicates, opts)
	b.str("WITHVALUES")
}

func appendArOp(b *builder, key string, start, end int64, op string) {
	b.begin(cmdAROP)
	b.key(key)
	b.int(start)
	b.int(end)
	switch u := strings.ToUpper(op); u {
	case "SUM", "MIN", "MAX", "AND", "OR", "XOR", "USED":
		b.str(u)
	case "MATCH":
		b.fail("op MATCH needs a value: use ArOpMatch")
	default:
		b.fail("op must be one of SUM, MIN, MAX, AND, OR, XOR, USED, not %q", op)
	}
}

func appendArOpMatch(b *builder, key string, start, end int64, value any) {
	b.begin(cmdAROP)
	b.key(key)
	b.int(start)
	b.int(end)
	b.str("MATCH")
	b.arg(value)
}

// asArrayMatchCount reads AROP MATCH: a count, null read as 0.
func asArrayMatchCount(v resp.Value, err error) (int64, error) {
	if err == nil && v.IsNull() {
		return 0, nil
	}
	return asInt64(v, err)
}

// asArrayEntries reads [index, value] pairs.
func asArrayEntries(v resp.Value, err error) ([]ArrayEntry, error) {
	return asListOf(v, err, func(e resp.Value, _ error) (ArrayEntry, error) {
		f, err := asSlice(e, nil)
		if err != nil {
			return ArrayEntry{}, err
		}
		if len(f) != 2 {
			return ArrayEntry{}, fmt.Errorf("redis: array entry has %d elements, want 2", len(f))
		}
		var x ArrayEntry
		if x.Index, err = asInt64(f[0], nil); err != nil {
			return x, err
		}
		x.Value, err = asString(f[1], nil)
		return x, err
	})
}

// asArrayInfo reads ARINFO: a map (RESP3) or flat array (RESP2).
func asArrayInfo(v resp.Value, err error) (ArrayInfo, error) {
	m, err := asStringMap(v, err)
	if err != nil {
		return ArrayInfo{}, err
	}
	num := func(name string) int64 {
		x, _ := strconv.ParseInt(m[name], 10, 64)
		return x
	}
	flt := func(name string) float64 {
		x, _ := strconv.ParseFloat(m[name], 64)
		return x
	}
	return ArrayInfo{
		Len: num("len"), Count: num("count"), NextInsertIndex: num("next-insert-index"),
		SliceSize: num("slice-size"), Slices: num("slices"), DenseSlices: num("dense-slices"),
		SparseSlices: num("sparse-slices"), DirectorySize: num("directory-size"),
		SuperDirEntries: num("super-dir-entries"), AvgDenseFill: flt("avg-dense-fill"),
		AvgDenseSize: flt("avg-dense-size"), AvgSparseSize: flt("avg-sparse-size"), Fields: m,
	}, nil
}
