package cmdinfo

import (
	"slices"
)

// Flags says what the client must know about a command to route and retry it.
type Flags uint32

const (
	Readonly             Flags = 1 << iota // READONLY in the spec
	Write                                  // WRITE
	Blocking                               // BLOCKING (note: XREAD/XREADGROUP only block with BLOCK; the caller decides)
	PubSub                                 // PUBSUB
	NoScript                               // NOSCRIPT
	Admin                                  // ADMIN
	Fast                                   // FAST
	Loading                                // LOADING (allowed while loading)
	Stale                                  // STALE
	NoMulti                                // NO_MULTI
	MayReplicate                           // MAY_REPLICATE
	DenyOOM                                // DENYOOM
	NoAuth                                 // NO_AUTH
	SentinelOnly                           // ONLY_SENTINEL
	TouchesArbitraryKeys                   // TOUCHES_ARBITRARY_KEYS
	ConnState                              // changes the state of the connection it runs on (hand-kept list in internal/gen): must never run on a shared connection
	Container                              // has subcommands (e.g. CLIENT, CONFIG); the subcommand's entry decides
)

var flagNames = [...]string{
	"Readonly", "Write", "Blocking", "PubSub", "NoScript", "Admin", "Fast",
	"Loading", "Stale", "NoMulti", "MayReplicate", "DenyOOM", "NoAuth",
	"SentinelOnly", "TouchesArbitraryKeys", "ConnState", "Container",
}

// String returns the names of the set flags joined by "|", e.g. "Readonly|Fast",
// or "0" when none is set. Unknown bits are shown in hexadecimal.
func (f Flags) String() string { return bitNames(uint64(f), flagNames[:]) }

// Info describes one command or subcommand.
type Info struct {
	Name  string // upper case, "CLIENT KILL" for subcommands
	Group string // e.g. "string", "server", "connection"
	Since string // Redis version that added the command, e.g. "1.0.0" (for a module command, the module's version)
	// Module names the module a command belongs to: "json", "search",
	// "timeseries", "bloom" (the Bloom family: BF, CF, CMS, TDIGEST, TOPK)
	// or "vectorset"; empty for Redis' own commands.
	Module string
	Arity  int16 // as in the spec: negative means "at least -Arity"; counts the command name (and the subcommand)
	Flags  Flags

	// FirstKey is the argv index of the first key (1 for GET, argv[0] being
	// the command name); 0 when the command has no key; -1 when the keys
	// cannot be found from positions alone (keyword or numkeys searches such
	// as XREAD STREAMS or EVAL numkeys, optional keys such as SORT ... STORE,
	// MIGRATE ... KEYS): the caller must parse the arguments.
	//
	// When FirstKey > 0, FirstKey, KeyStep and LastKey describe every key the
	// command can take.
	FirstKey int8

	// KeyStep is the step between keys (1 for MGET, 2 for MSET); 0 when the
	// command takes a single key or FirstKey <= 0.
	KeyStep int8

	// LastKey is the last key relative to FirstKey, as in the spec's
	// find_keys.range.lastkey: 0 = only the first key, n > 0 = the key at
	// FirstKey+n, -1 = up to the last argument, -2 = up to the one before, etc.
	LastKey int8

	// Keys are the command's key specs, in the specification's order: every
	// key position, including keyword and numkeys searches, with how the
	// keys are used. Nil when the command has no key. KeyIndexes applies
	// them to an argument vector. The slice is shared: callers must not
	// modify it.
	Keys []KeySpec

	// Request says which nodes of a Redis Cluster the command goes to.
	Request RequestPolicy
	// Response says how the replies of several nodes are merged.
	Response ResponsePolicy
	// Nondeterministic says whether the reply may differ between runs on
	// the same data.
	Nondeterministic Nondeterminism
}

// maxName bounds the names Lookup and LookupSub accept (the longest in the
// table is 32 bytes).
const maxName = 64

// byName indexes table by name ("GET", "CLIENT KILL").
var byName = func() map[string]*Info {
	m := make(map[string]*Info, len(table))
	for i := range table {
		m[table[i].Name] = &table[i]
	}
	return m
}()

// Lookup returns the entry of the named command, ignoring ASCII case, or nil
// when it is unknown. For a container such as CLIENT it returns the
// container's entry; use LookupSub for the subcommand (Lookup also accepts the
// "CLIENT KILL" form, with a single space). Lookup does not allocate.
//
// The returned Info is shared: callers must not modify it.
func Lookup(name string) *Info {
	var buf [maxName]byte
	n := appendUpper(&buf, 0, name)
	if n <= 0 {
		return nil
	}
	return byName[string(buf[:n])] // no allocation: the conversion is only a map key
}

// LookupSub returns the entry of subcommand sub of container name (e.g.
// "CLIENT", "kill" gives CLIENT KILL), ignoring ASCII case, or nil when it is
// unknown. LookupSub does not allocate.
//
// The returned Info is shared: callers must not modify it.
func LookupSub(name, sub string) *Info {
	var buf [maxName]byte
	n := appendUpper(&buf, 0, name)
	if n <= 0 || n >= maxName || sub == "" {
		return nil
	}
	buf[n] = ' '
	n = appendUpper(&buf, n+1, sub)
	if n <= 0 {
		return nil
	}
	return byName[string(buf[:n])]
}

// appendUpper copies s upper-cased into buf at n and returns the new length,
// or -1 when s does not fit.
func appendUpper(buf *[maxName]byte, n int, s string) int {
	if len(s) > maxName-n {
		return -1
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		buf[n+i] = c
	}
	return n + len(s)
}

// Count returns the number of entries (commands and subcommands).
func Count() int { return len(table) }

// All returns a copy of every entry, sorted by name. The key specs are
// copied too, so the result may be modified freely.
func All() []Info {
	out := make([]Info, len(table))
	copy(out, table[:])
	for i := range out {
		out[i].Keys = slices.Clone(out[i].Keys)
	}
	return out
}

// Methods returns the typed methods that send the named command, as
// "Type.Method" ("Client.ZRange", "Conn.Select"), from the generated
// command surface; nil when there are none.
func Methods(name string) []string { return methods[name] }
