package cmdinfo

import (
	"errors"
	"fmt"
	"strings"
)

// KeyFlags are the flags of a key spec: how the command uses the keys the
// spec finds. Exactly one of KeyRO, KeyRW, KeyOW and KeyRM is set by the
// specification (none for KeyNotKey specs); KeyAccess, KeyUpdate, KeyInsert
// and KeyDelete refine it.
type KeyFlags uint16

const (
	KeyRO            KeyFlags = 1 << iota // RO: read only; the command reads the value
	KeyRW                                 // RW: read and write; the command may modify the value
	KeyOW                                 // OW: overwrite; the value is replaced without being read
	KeyRM                                 // RM: remove; the key is deleted
	KeyAccess                             // ACCESS: user data of the value is returned or copied
	KeyUpdate                             // UPDATE: data is updated or added to the value
	KeyInsert                             // INSERT: data is added to the value, never modified or removed
	KeyDelete                             // DELETE: data is deleted from the value
	KeyNotKey                             // NOT_KEY: the argument is not a key (a shard channel of SPUBLISH/SSUBSCRIBE), but it is hashed to a slot like one
	KeyIncomplete                         // INCOMPLETE: the spec may miss some keys (see Info.KeyIndexes)
	KeyVariableFlags                      // VARIABLE_FLAGS: the flags depend on other arguments (e.g. SET ... GET); positions do not
)

// keyFlagNames are the specification's names of the KeyFlags bits, in bit order.
var keyFlagNames = [...]string{
	"RO", "RW", "OW", "RM", "ACCESS", "UPDATE", "INSERT", "DELETE",
	"NOT_KEY", "INCOMPLETE", "VARIABLE_FLAGS",
}

// String returns the specification's names of the set flags joined by "|",
// e.g. "RW|ACCESS|UPDATE", or "0" when none is set. Unknown bits are shown
// in hexadecimal.
func (f KeyFlags) String() string { return bitNames(uint64(f), keyFlagNames[:]) }

// BeginSearch is how a key spec finds the argument where its keys start.
type BeginSearch uint8

const (
	// BeginUnknown: the start cannot be found from the arguments (SORT's
	// BY/GET patterns and STORE). The spec finds no key.
	BeginUnknown BeginSearch = iota
	// BeginIndex: the keys start at argv index KeySpec.Pos.
	BeginIndex
	// BeginKeyword: the keys start right after the argument equal (ignoring
	// ASCII case) to KeySpec.Keyword, searched from KeySpec.StartFrom.
	BeginKeyword
)

// String returns the specification's name: "unknown", "index" or "keyword".
func (b BeginSearch) String() string {
	switch b {
	case BeginUnknown:
		return "unknown"
	case BeginIndex:
		return "index"
	case BeginKeyword:
		return "keyword"
	}
	return fmt.Sprintf("BeginSearch(%d)", uint8(b))
}

// FindKeys is how a key spec finds its keys from where they start.
type FindKeys uint8

const (
	// FindUnknown: the keys cannot be found from the arguments. The spec
	// finds no key.
	FindUnknown FindKeys = iota
	// FindRange: keys from the start to KeySpec.LastKey, every KeySpec.Step
	// arguments, KeySpec.Limit dividing what is left when LastKey < 0.
	FindRange
	// FindKeyNum: the argument at KeySpec.KeyNumIdx holds the number of keys,
	// which start at KeySpec.FirstKey, every KeySpec.Step arguments.
	FindKeyNum
)

// String returns the specification's name: "unknown", "range" or "keynum".
func (f FindKeys) String() string {
	switch f {
	case FindUnknown:
		return "unknown"
	case FindRange:
		return "range"
	case FindKeyNum:
		return "keynum"
	}
	return fmt.Sprintf("FindKeys(%d)", uint8(f))
}

// KeySpec is one key specification of a command, as in the key_specs of the
// Redis command specification and of COMMAND INFO: a begin search, which
// finds where the keys start, and a find-keys step, which finds the keys from
// there. All positions are argv indexes of the command as sent, argv[0] being
// the command name (and argv[1] the subcommand of a container: the keys of
// OBJECT ENCODING key start at Pos 2).
//
// Only the fields of the selected Begin and Find kinds are meaningful; the
// others are zero.
type KeySpec struct {
	Flags KeyFlags

	Begin BeginSearch
	// Pos is the argv index of the first key (BeginIndex), at least 1.
	Pos int
	// Keyword is the argument after which the keys start (BeginKeyword), in
	// upper case in the table; it is matched ignoring ASCII case.
	Keyword string
	// StartFrom is where the keyword search starts (BeginKeyword): an argv
	// index searched forwards when positive; when negative, counted from the
	// end (-1 is the last argument) and searched backwards.
	StartFrom int

	Find FindKeys
	// LastKey is the last key (FindRange), relative to the start: 0 is the
	// start itself, n > 0 the n-th argument after it; n < 0 counts from the
	// end of argv (-1 is the last argument), or, with a Limit, from the end
	// of the share of the arguments that Limit allows.
	LastKey int
	// Limit (FindRange, only with LastKey < 0) keeps 1/Limit of the
	// arguments from the start on: XREAD STREAMS k1 k2 id1 id2 has Limit 2.
	// 0 means no limit.
	Limit int
	// KeyNumIdx is the argument holding the number of keys (FindKeyNum),
	// relative to the start: EVAL's numkeys is at the start, KeyNumIdx 0.
	KeyNumIdx int
	// FirstKey is the first key (FindKeyNum), relative to the start (not to
	// KeyNumIdx): EVAL's first key follows numkeys, FirstKey 1.
	FirstKey int
	// Step is the distance between two keys, at least 1 (FindRange and
	// FindKeyNum): 2 for MSET's key value pairs.
	Step int
}

// ErrKeyArgs is the error that KeyIndexes and KeySpec.AppendIndexes wrap
// when the arguments cannot hold the keys the command's key specs describe:
// too few arguments, a number of keys that is not a non-negative integer or
// is larger than the arguments. The server would refuse such a command (with
// an arity or syntax error), so a client can refuse it without sending it.
var ErrKeyArgs = errors.New("arguments do not match the command's key specs")

// ErrKeySpec is the error that KeyIndexes and KeySpec.AppendIndexes wrap
// when a key spec itself is malformed (a position below 1, a step below 1,
// a negative limit, ...). The generated table has none; an Info built by
// hand or from a server's reply might.
var ErrKeySpec = errors.New("malformed key spec")

// KeyIndexes appends to dst the argv indexes of every key of the command as
// sent, argv[0] being the command name (and argv[1] the subcommand when info
// is a subcommand's entry: call it on LookupSub's result, not on the
// container's), and returns the extended slice. It does not allocate when
// dst has room. Indexes come in key spec order, each spec's keys in argument
// order, so an index may repeat only if two specs overlap (none of the table
// do).
//
// It follows the server's own algorithm (what COMMAND GETKEYS answers and
// what Redis Cluster hashes):
//
//   - begin search by index: the keys start at Pos; by keyword: the first
//     argument equal to Keyword (ASCII case ignored) searching forwards from
//     StartFrom up to the next-to-last argument, or, for a negative
//     StartFrom, backwards from len(argv)+StartFrom down to index 2; the keys
//     start after it. A keyword that is absent is not an error: that spec
//     has no key (GEORADIUS without STORE).
//   - range: the last key is start+LastKey for LastKey >= 0, and then it
//     must be within argv; for LastKey < 0, len(argv)+LastKey without Limit,
//     start + (len(argv)-start)/Limit + LastKey with one (XREAD STREAMS keys
//     and ids). A range to the end (LastKey < 0) may be empty: PFMERGE dest
//     without sources, SUNSUBSCRIBE without channels, XREAD STREAMS with a
//     lone argument give no key from that spec and no error.
//   - keynum: the argument at start+KeyNumIdx must be a decimal integer n
//     (no sign, no leading zero, as the server parses it); n keys follow at
//     start+FirstKey, Step apart. n = 0 gives no key and no error (EVAL
//     script 0).
//
// An argv too short for a fixed key (GET without a key), a missing,
// negative or non-numeric numkeys, or a numkeys larger than the arguments
// give an error wrapping ErrKeyArgs and dst unchanged; KeyIndexes never
// panics, whatever argv holds. It does not check the arity: the server
// does. Where this differs from the server, it is on argvs the server
// refuses to run: the server's own key finder gives up on a whole command
// for an empty range ("PFMERGE dest" finds no key in Redis 7.0, although
// the command writes dest), KeyIndexes keeps the keys it can find.
//
// Arguments flagged KeyNotKey (the shard channels of SPUBLISH, SSUBSCRIBE and
// SUNSUBSCRIBE) are included: they are not keys of the keyspace (COMMAND
// GETKEYS does not list them, ACL key patterns do not apply), but Redis
// Cluster hashes them to a slot exactly like keys and refuses channels of
// different slots, so a router needs them. A caller that wants keyspace keys
// only walks info.Keys with KeySpec.AppendIndexes and skips KeyNotKey specs.
//
// Where the key specs are incomplete, the server falls back to hand-written
// code, and so does KeyIndexes: for SORT and SORT_RO (whose BY/GET/STORE
// specs are "unknown") the keys are the sorted key and, for SORT, the
// destination of the last STORE, skipping the arguments of LIMIT, BY and
// GET; for MIGRATE (whose KEYS spec is INCOMPLETE) the key is argv[3]
// unless the spec's backward search finds a KEYS; then, when argv[3] is
// empty and a KEYS option follows the five fixed arguments (skipping the
// arguments of AUTH and AUTH2), every argument after KEYS; both a key and
// KEYS is an error. For any other command (a module command parsed by
// ParseCommandInfo), an unknown spec finds nothing and an INCOMPLETE one is
// applied as it is: the keys found may then be only some of the command's.
func (info *Info) KeyIndexes(dst []int, argv [][]byte) ([]int, error) {
	n0 := len(dst)
	if fn := info.getKeys(); fn != nil {
		var err error
		if dst, err = fn(dst, argv); err != nil {
			return dst[:n0], fmt.Errorf("cmdinfo: %s: %w", info.Name, err)
		}
		return dst, nil
	}
	for i := range info.Keys {
		var err error
		if dst, err = info.Keys[i].AppendIndexes(dst, argv); err != nil {
			return dst[:n0], fmt.Errorf("cmdinfo: %s: key spec %d: %w", info.Name, i, err)
		}
	}
	return dst, nil
}

// getKeys returns the hand-written key finder of a command whose key specs
// the server itself does not trust (unknown or INCOMPLETE specs), or nil.
func (info *Info) getKeys() func([]int, [][]byte) ([]int, error) {
	incomplete := false
	for i := range info.Keys {
		ks := &info.Keys[i]
		if ks.Begin == BeginUnknown || ks.Find == FindUnknown || ks.Flags&KeyIncomplete != 0 {
			incomplete = true
			break
		}
	}
	if !incomplete {
		return nil
	}
	switch info.Name {
	case "SORT":
		return sortKeys
	case "SORT_RO":
		return sortROKeys
	case "MIGRATE":
		return migrateKeys
	}
	return nil
}

// sortKeys finds the keys of SORT key [BY pattern] [LIMIT offset count]
// [GET pattern ...] [ASC|DESC] [ALPHA] [STORE destination]: the key, and the
// destination of the last STORE. Unknown options are skipped one argument at
// a time, as the server's key finder does.
func sortKeys(dst []int, argv [][]byte) ([]int, error) {
	if len(argv) < 2 {
		return dst, fmt.Errorf("%w: no key", ErrKeyArgs)
	}
	dst = append(dst, 1)
	store := 0
	for i := 2; i < len(argv); i++ {
		switch a := argv[i]; {
		case equalFold(a, "LIMIT"):
			i += 2
		case equalFold(a, "GET"), equalFold(a, "BY"):
			i++
		case equalFold(a, "STORE") && i+1 < len(argv):
			store = i + 1 // the server's key finder looks at the destination as an option too
		}
	}
	if store > 0 {
		dst = append(dst, store)
	}
	return dst, nil
}

// sortROKeys finds the key of SORT_RO key ...: argv[1].
func sortROKeys(dst []int, argv [][]byte) ([]int, error) {
	if len(argv) < 2 {
		return dst, fmt.Errorf("%w: no key", ErrKeyArgs)
	}
	return append(dst, 1), nil
}

// migrateKeys finds the keys of MIGRATE host port key|"" db timeout [COPY]
// [REPLACE] [AUTH password | AUTH2 username password] [KEYS key ...] as the
// server does: by the key specs while their INCOMPLETE keyword search finds
// no KEYS (the key is argv[3]), else by parsing the options.
func migrateKeys(dst []int, argv [][]byte) ([]int, error) {
	if len(argv) < 4 {
		return dst, fmt.Errorf("%w: no key", ErrKeyArgs)
	}
	if keywordSearch(argv, "KEYS", -2) == 0 {
		return append(dst, 3), nil
	}
	for i := 6; i < len(argv); i++ {
		switch a := argv[i]; {
		case equalFold(a, "KEYS"):
			if len(argv[3]) > 0 {
				return dst, fmt.Errorf("%w: MIGRATE with both a key and KEYS", ErrKeyArgs)
			}
			for k := i + 1; k < len(argv); k++ {
				dst = append(dst, k)
			}
			return dst, nil
		case equalFold(a, "AUTH"):
			i++
		case equalFold(a, "AUTH2"):
			i += 2
		}
	}
	return append(dst, 3), nil
}

// AppendIndexes appends to dst the argv indexes of the keys that this spec
// alone finds in argv, following the algorithm described at Info.KeyIndexes
// (without its fall-backs for incomplete specs: a spec with an unknown begin
// search or find-keys step finds nothing). It does not allocate when dst has
// room. On error, which wraps ErrKeyArgs or ErrKeySpec, dst is returned
// unchanged.
func (ks *KeySpec) AppendIndexes(dst []int, argv [][]byte) ([]int, error) {
	if ks.Find != FindRange && ks.Find != FindKeyNum {
		return dst, nil // unknown: finds nothing
	}
	argc := len(argv)
	var start int
	switch ks.Begin {
	case BeginIndex:
		if ks.Pos < 1 {
			return dst, fmt.Errorf("%w: index %d", ErrKeySpec, ks.Pos)
		}
		if ks.Pos >= argc {
			if ks.Find == FindRange && ks.LastKey < 0 {
				return dst, nil // an empty range to the end: PFMERGE dest with no source
			}
			return dst, fmt.Errorf("%w: no argument %d for a key (%d arguments)", ErrKeyArgs, ks.Pos, argc)
		}
		start = ks.Pos
	case BeginKeyword:
		if ks.StartFrom == 0 || ks.Keyword == "" {
			return dst, fmt.Errorf("%w: keyword %q from %d", ErrKeySpec, ks.Keyword, ks.StartFrom)
		}
		if start = keywordSearch(argv, ks.Keyword, ks.StartFrom); start == 0 {
			return dst, nil // the keyword is absent: no key
		}
	default:
		return dst, nil
	}

	switch ks.Find {
	case FindRange:
		if ks.Step < 1 || ks.Limit < 0 {
			return dst, fmt.Errorf("%w: range step %d limit %d", ErrKeySpec, ks.Step, ks.Limit)
		}
		// start < argc here, so none of the sums below can overflow.
		var last int
		switch {
		case ks.LastKey >= 0:
			if ks.LastKey >= argc-start {
				return dst, fmt.Errorf("%w: no argument %d for the last key (%d arguments)", ErrKeyArgs, start+min(ks.LastKey, argc), argc)
			}
			last = start + ks.LastKey
		case ks.Limit <= 1:
			last = argc + max(ks.LastKey, -argc-1)
		default:
			last = start + (argc-start)/ks.Limit + max(ks.LastKey, -argc-1)
		}
		if last < start {
			return dst, nil // an empty range to the end (LastKey < 0)
		}
		return appendSteps(dst, start, last, ks.Step), nil

	default: // FindKeyNum
		if ks.KeyNumIdx < 0 || ks.FirstKey < 0 || ks.Step < 1 {
			return dst, fmt.Errorf("%w: keynum index %d first key %d step %d", ErrKeySpec, ks.KeyNumIdx, ks.FirstKey, ks.Step)
		}
		if ks.KeyNumIdx >= argc-start {
			return dst, fmt.Errorf("%w: no argument %d for the number of keys (%d arguments)", ErrKeyArgs, start+min(ks.KeyNumIdx, argc), argc)
		}
		at := start + ks.KeyNumIdx
		n, ok := parseCount(argv[at], argc)
		if !ok {
			return dst, fmt.Errorf("%w: the number of keys (argument %d) %q is not an integer from 0 to %d", ErrKeyArgs, at, clip(argv[at]), argc)
		}
		if n == 0 {
			return dst, nil
		}
		if ks.FirstKey >= argc-start {
			return dst, fmt.Errorf("%w: %d keys from argument %d, only %d arguments", ErrKeyArgs, n, start+min(ks.FirstKey, argc), argc)
		}
		first := start + ks.FirstKey
		if (argc-1-first)/ks.Step < n-1 { // the last key, first+(n-1)*Step, is past the end
			return dst, fmt.Errorf("%w: %d keys from argument %d, only %d arguments", ErrKeyArgs, n, first, argc)
		}
		return appendSteps(dst, first, first+(n-1)*ks.Step, ks.Step), nil
	}
}

// appendSteps appends first, first+step, ... up to last (0 <= first <= last,
// step >= 1) without overflowing.
func appendSteps(dst []int, first, last, step int) []int {
	for i := first; ; i += step {
		dst = append(dst, i)
		if last-i < step {
			return dst
		}
	}
}

// keywordSearch returns the argv index after the keyword, or 0 when it is
// absent. A positive from searches forwards from argv[from] to the
// next-to-last argument (a keyword in last place has no key after it); a
// negative one backwards from argv[len(argv)+from] down to argv[2], as the
// server does.
func keywordSearch(argv [][]byte, keyword string, from int) int {
	argc := len(argv)
	if from > 0 {
		for i := from; i < argc-1; i++ {
			if equalFold(argv[i], keyword) {
				return i + 1
			}
		}
		return 0
	}
	for i := argc + max(from, -argc-1); i > 1; i-- {
		if equalFold(argv[i], keyword) {
			return i + 1
		}
	}
	return 0
}

// equalFold reports whether b equals s ignoring ASCII case only, as the
// server's strcasecmp does (no Unicode folding: "\u212aEYS" is not "KEYS").
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		if upper(b[i]) != upper(s[i]) {
			return false
		}
	}
	return true
}

// upper returns c in upper case when it is an ASCII letter.
func upper(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - ('a' - 'A')
	}
	return c
}

// parseCount parses a number of keys as the server does (a decimal integer
// without '+', leading zeros or spaces) and reports whether it is one from 0
// to max.
func parseCount(b []byte, max int) (int, bool) {
	if len(b) == 0 || len(b) > 1 && b[0] == '0' {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false // also a '-': a negative count is refused
		}
		n = n*10 + int(c-'0')
		if n > max {
			return 0, false
		}
	}
	return n, true
}

// clip shortens an argument quoted in an error message.
func clip(b []byte) string {
	const n = 32
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}

// bitNames joins the names of the set bits of f with "|", "0" for none and
// unknown bits in hexadecimal.
func bitNames(f uint64, names []string) string {
	if f == 0 {
		return "0"
	}
	var b strings.Builder
	for i, name := range names {
		if f&(1<<i) != 0 {
			if b.Len() > 0 {
				b.WriteByte('|')
			}
			b.WriteString(name)
		}
	}
	if rest := f &^ (1<<len(names) - 1); rest != 0 {
		if b.Len() > 0 {
			b.WriteByte('|')
		}
		fmt.Fprintf(&b, "0x%x", rest)
	}
	return b.String()
}
