package cmdinfo

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Reply is the part of a decoded RESP reply that ParseCommandInfo reads.
// resp.Value has these methods, so ParseCommandInfo(v) takes a resp.Value
// as it is (V is inferred). cmdinfo does not import package resp: the
// layering of the module keeps the command table free of library imports.
//
// Elems returns the elements of an array, set or push, or the keys and
// values of a map interleaved; String the payload of a string, or the
// decimal form of an integer; IsNull reports a null; Err returns the error a
// server error reply carries, or nil.
type Reply[V any] interface {
	Elems() []V
	String() string
	IsNull() bool
	Err() error
}

// ErrUnknownCommand is returned by ParseCommandInfo for a null element:
// COMMAND INFO's answer for a command the server does not know.
var ErrUnknownCommand = errors.New("cmdinfo: the server does not know the command")

// errCommandInfo prefixes the errors of a malformed COMMAND INFO reply.
const errCommandInfo = "cmdinfo: malformed COMMAND INFO reply"

// Bounds on what a server's reply may hold: far beyond any real command,
// small enough that no arithmetic on key positions can overflow.
const (
	maxPosition = 1 << 20 // absolute value of a key spec number
	maxDepth    = 4       // nesting of subcommands (Redis has one level)
	maxNameLen  = 256     // bytes of a command name, subcommand included
)

// flagByReplyName maps COMMAND INFO's command flags to Flags. Flags the
// table does not keep (skip_monitor, movablekeys, module, ...) are ignored.
var flagByReplyName = map[string]Flags{
	"readonly":               Readonly,
	"write":                  Write,
	"blocking":               Blocking,
	"pubsub":                 PubSub,
	"noscript":               NoScript,
	"admin":                  Admin,
	"fast":                   Fast,
	"loading":                Loading,
	"stale":                  Stale,
	"no_multi":               NoMulti,
	"may_replicate":          MayReplicate,
	"denyoom":                DenyOOM,
	"no_auth":                NoAuth,
	"only_sentinel":          SentinelOnly,
	"touches_arbitrary_keys": TouchesArbitraryKeys,
}

// ParseCommandInfo turns one element of a server's COMMAND INFO (or
// COMMAND) reply, in its RESP2 or RESP3 form, into an Info. It is the
// fallback for commands the table lacks: module commands, commands of a
// newer server.
//
// The element is an array: name, arity, flags, first key, last key, step,
// ACL categories, tips, key specs, subcommands (servers before 7.0 send only
// the first six or seven; key specs are maps in RESP3 and arrays of
// alternating names and values in RESP2). The Info gets:
//
//   - Name in upper case, "OBJECT ENCODING" for a subcommand's
//     "object|encoding";
//   - Arity, and the Flags of the table that the reply names (Container
//     when the reply lists subcommands; never ConnState, which the table
//     keeps by hand, and in practice never MayReplicate, which servers hide
//     on purpose, nor TouchesArbitraryKeys, which Redis 8.8 does not list);
//   - FirstKey, KeyStep and LastKey from the legacy first key, last key and
//     step, with the table's meaning: -1, 0, 0 when the reply has the
//     movablekeys flag or a position the int8 fields cannot hold;
//   - Keys from the key specs (type "index", "keyword", "range", "keynum";
//     any other type becomes BeginUnknown or FindUnknown, which finds no
//     key), or, from a server without key specs, one index/range spec made
//     of the legacy positions (an unknown one when movablekeys);
//   - Request, Response and Nondeterministic from the tips, a policy name
//     it does not know becoming RequestSpecial or ResponseSpecial.
//
// Group and Since stay empty: COMMAND DOCS has them, COMMAND INFO does not.
// Unknown command flags, key spec flags and tips are ignored, so a newer
// server's additions do not make its commands unusable. Subcommands are not
// parsed (see AppendCommandInfo).
//
// A null element gives ErrUnknownCommand, a server error reply that error,
// and a reply of the wrong shape (missing fields, a string where a number
// belongs, a key position out of range, ...) an error; ParseCommandInfo
// never panics, whatever v holds.
func ParseCommandInfo[V Reply[V]](v V) (*Info, error) {
	info, _, err := parseCommandInfo(v, "")
	return info, err
}

// AppendCommandInfo parses one element of a COMMAND INFO or COMMAND reply
// like ParseCommandInfo, and appends to dst the command followed by its
// subcommands (COMMAND INFO OBJECT lists OBJECT ENCODING, OBJECT FREQ, ...),
// each with Name "CONTAINER SUB". On error it returns dst unchanged.
func AppendCommandInfo[V Reply[V]](dst []*Info, v V) ([]*Info, error) {
	out, err := appendCommandInfo(dst, v, "", 0)
	if err != nil {
		return dst, err
	}
	return out, nil
}

func appendCommandInfo[V Reply[V]](dst []*Info, v V, container string, depth int) ([]*Info, error) {
	if depth >= maxDepth {
		return dst, fmt.Errorf("%s: subcommands nested deeper than %d", errCommandInfo, maxDepth)
	}
	info, subs, err := parseCommandInfo(v, container)
	if err != nil {
		return dst, err
	}
	dst = append(dst, info)
	for i, s := range subs {
		if dst, err = appendCommandInfo(dst, s, info.Name, depth+1); err != nil {
			return dst, fmt.Errorf("%w (subcommand %d of %s)", err, i, info.Name)
		}
	}
	return dst, nil
}

// parseCommandInfo parses one command; container is the name of the
// enclosing command for a subcommand. It returns the subcommand elements
// unparsed.
func parseCommandInfo[V Reply[V]](v V, container string) (*Info, []V, error) {
	if err := v.Err(); err != nil {
		return nil, nil, err
	}
	if v.IsNull() {
		return nil, nil, ErrUnknownCommand
	}
	f := v.Elems()
	if len(f) < 6 {
		return nil, nil, fmt.Errorf("%s: %d fields, want at least 6", errCommandInfo, len(f))
	}
	name := f[0].String()
	if name == "" || len(name) > maxNameLen || f[0].Elems() != nil || f[0].Err() != nil || strings.ContainsAny(name, " \r\n") {
		return nil, nil, fmt.Errorf("%s: bad command name %q", errCommandInfo, clip([]byte(name)))
	}
	name = strings.ToUpper(strings.Replace(name, "|", " ", 1))
	if container != "" && !strings.HasPrefix(name, container+" ") {
		return nil, nil, fmt.Errorf("%s: subcommand %q of %s", errCommandInfo, clip([]byte(name)), container)
	}
	info := &Info{Name: name}
	fail := func(field string, err error) (*Info, []V, error) {
		return nil, nil, fmt.Errorf("%s: %s: %s: %w", errCommandInfo, name, field, err)
	}

	arity, err := integer(f[1], -maxPosition, maxPosition)
	if err != nil || arity == 0 || arity < -32768 || arity > 32767 {
		return fail("arity", errors.Join(err, errors.New("not a non-zero 16-bit integer")))
	}
	info.Arity = int16(arity)

	flags, err := list(f[2])
	if err != nil {
		return fail("flags", err)
	}
	movable := false
	for _, fl := range flags {
		s := strings.ToLower(fl.String())
		info.Flags |= flagByReplyName[s]
		movable = movable || s == "movablekeys"
	}

	var legacy [3]int // first key, last key, step
	for i := range legacy {
		if legacy[i], err = integer(f[3+i], -maxPosition, maxPosition); err != nil {
			return fail("legacy key positions", err)
		}
	}
	info.FirstKey, info.KeyStep, info.LastKey = legacyPositions(movable, legacy[0], legacy[1], legacy[2])

	if len(f) > 7 {
		tips, err := list(f[7])
		if err != nil {
			return fail("tips", err)
		}
		for _, t := range tips {
			parseTip(info, t.String())
		}
	}

	if len(f) > 8 {
		specs, err := list(f[8])
		if err != nil {
			return fail("key specs", err)
		}
		if len(specs) > 0 {
			info.Keys = make([]KeySpec, len(specs))
		}
		for i, s := range specs {
			if info.Keys[i], err = parseKeySpec(s); err != nil {
				return fail("key spec "+strconv.Itoa(i), err)
			}
		}
	} else {
		info.Keys = legacyKeySpec(movable, legacy[0], legacy[1], legacy[2])
	}

	var subs []V
	if len(f) > 9 {
		if subs, err = list(f[9]); err != nil {
			return fail("subcommands", err)
		}
		if len(subs) > 0 {
			info.Flags |= Container
		}
	}
	return info, subs, nil
}

// legacyPositions converts COMMAND INFO's legacy first key, last key
// (absolute, or negative from the end) and step to the table's FirstKey,
// KeyStep and LastKey (LastKey relative to FirstKey, KeyStep 0 for a single
// key, -1/0/0 when the positions alone cannot find the keys).
func legacyPositions(movable bool, first, last, step int) (int8, int8, int8) {
	if movable {
		return -1, 0, 0
	}
	if first <= 0 {
		return 0, 0, 0
	}
	rel := last
	if last >= 0 {
		rel = last - first
	}
	if step < 1 || last >= 0 && last < first || first > 127 || step > 127 || rel < -128 || rel > 127 {
		return -1, 0, 0 // not representable: the caller parses the arguments (Keys)
	}
	if rel == 0 {
		step = 0
	}
	return int8(first), int8(step), int8(rel)
}

// legacyKeySpec builds the key spec of a server that sends no key specs
// (before Redis 7.0) from its legacy positions.
func legacyKeySpec(movable bool, first, last, step int) []KeySpec {
	switch {
	case movable:
		return []KeySpec{{Flags: KeyIncomplete}} // unknown begin search and find keys
	case first <= 0:
		return nil
	}
	rel := last
	if last >= 0 {
		rel = last - first
	}
	if step < 1 || last >= 0 && last < first {
		return []KeySpec{{Flags: KeyIncomplete}}
	}
	return []KeySpec{{Begin: BeginIndex, Pos: first, Find: FindRange, LastKey: rel, Step: step}}
}

// parseTip sets the policy or nondeterminism a tip names; other tips are
// ignored.
func parseTip(info *Info, tip string) {
	kind, val, _ := strings.Cut(strings.ToLower(tip), ":")
	switch kind {
	case "request_policy":
		info.Request = RequestSpecial
		for i, n := range requestNames {
			if n == val && i > 0 {
				info.Request = RequestPolicy(i)
			}
		}
	case "response_policy":
		info.Response = ResponseSpecial
		for i, n := range responseNames {
			if n == val && i > 0 {
				info.Response = ResponsePolicy(i)
			}
		}
	case "nondeterministic_output":
		info.Nondeterministic = NondeterministicOutput
	case "nondeterministic_output_order":
		if info.Nondeterministic == Deterministic {
			info.Nondeterministic = NondeterministicOrder
		}
	}
}

// keyFlagByReplyName maps COMMAND INFO's key spec flags (in upper or lower
// case) to KeyFlags.
var keyFlagByReplyName = func() map[string]KeyFlags {
	m := make(map[string]KeyFlags, len(keyFlagNames))
	for i, n := range keyFlagNames {
		m[n] = 1 << i
	}
	return m
}()

// parseKeySpec parses one key spec of COMMAND INFO: a map (RESP3) or an
// array of alternating names and values (RESP2) with "flags",
// "begin_search" and "find_keys"; the last two hold a "type" and a "spec".
func parseKeySpec[V Reply[V]](v V) (KeySpec, error) {
	var ks KeySpec
	var begin, find V
	var haveBegin, haveFind bool
	err := fields(v, func(name string, val V) error {
		switch name {
		case "flags":
			flags, err := list(val)
			if err != nil {
				return fmt.Errorf("flags: %w", err)
			}
			for _, fl := range flags {
				ks.Flags |= keyFlagByReplyName[strings.ToUpper(fl.String())]
			}
		case "begin_search":
			begin, haveBegin = val, true
		case "find_keys":
			find, haveFind = val, true
		}
		return nil
	})
	if err != nil {
		return ks, err
	}
	if !haveBegin || !haveFind {
		return ks, errors.New("no begin_search or no find_keys")
	}

	typ, spec, err := typedSpec(begin)
	if err != nil {
		return ks, fmt.Errorf("begin_search: %w", err)
	}
	switch typ {
	case "index":
		ks.Begin = BeginIndex
		err = numbers(spec, 1, "index", &ks.Pos)
	case "keyword":
		ks.Begin = BeginKeyword
		err = fields(spec, func(name string, val V) error {
			if name == "keyword" {
				ks.Keyword = strings.ToUpper(val.String())
			}
			return nil
		})
		if err == nil {
			err = numbers(spec, -maxPosition, "startfrom", &ks.StartFrom)
		}
		if err == nil && (ks.Keyword == "" || ks.StartFrom == 0) {
			err = fmt.Errorf("keyword %q from %d", clip([]byte(ks.Keyword)), ks.StartFrom)
		}
	}
	if err != nil {
		return ks, fmt.Errorf("begin_search %s: %w", typ, err)
	}

	if typ, spec, err = typedSpec(find); err != nil {
		return ks, fmt.Errorf("find_keys: %w", err)
	}
	switch typ {
	case "range":
		ks.Find = FindRange
		if err = numbers(spec, -maxPosition, "lastkey", &ks.LastKey); err == nil {
			err = numbers(spec, 1, "keystep", &ks.Step)
		}
		if err == nil {
			err = numbers(spec, 0, "limit", &ks.Limit)
		}
	case "keynum":
		ks.Find = FindKeyNum
		err = numbers(spec, 0, "keynumidx", &ks.KeyNumIdx, "firstkey", &ks.FirstKey)
		if err == nil {
			err = numbers(spec, 1, "keystep", &ks.Step)
		}
	}
	if err != nil {
		return ks, fmt.Errorf("find_keys %s: %w", typ, err)
	}
	return ks, nil
}

// typedSpec reads {"type": ..., "spec": ...} of a begin_search or find_keys.
func typedSpec[V Reply[V]](v V) (typ string, spec V, err error) {
	haveSpec := false
	err = fields(v, func(name string, val V) error {
		switch name {
		case "type":
			typ = strings.ToLower(val.String())
		case "spec":
			spec, haveSpec = val, true
		}
		return nil
	})
	if err == nil && (typ == "" || !haveSpec) {
		err = errors.New("no type or no spec")
	}
	return typ, spec, err
}

// numbers reads the named integer fields of v, each in [lo, maxPosition],
// into the pointers that follow their names: numbers(v, lo, "a", &a, "b",
// &b). Every name must be present.
func numbers[V Reply[V]](v V, lo int, dst ...any) error {
	seen := make([]bool, len(dst)/2)
	err := fields(v, func(name string, val V) error {
		for i := 0; i+1 < len(dst); i += 2 {
			if dst[i] != name {
				continue
			}
			n, err := integer(val, lo, maxPosition)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			*dst[i+1].(*int) = n
			seen[i/2] = true
		}
		return nil
	})
	for i, ok := range seen {
		if err == nil && !ok {
			err = fmt.Errorf("no %s", dst[2*i])
		}
	}
	return err
}

// fields calls fn for each name and value of a map, or of an array of
// alternating names and values. Names are compared in lower case.
func fields[V Reply[V]](v V, fn func(name string, val V) error) error {
	e, err := list(v)
	if err != nil {
		return err
	}
	if len(e)%2 != 0 {
		return fmt.Errorf("%d elements where names and values alternate", len(e))
	}
	for i := 0; i < len(e); i += 2 {
		if err := fn(strings.ToLower(e[i].String()), e[i+1]); err != nil {
			return err
		}
	}
	return nil
}

// list returns the elements of an aggregate. A null or an empty value is an
// empty list; a string or a number is an error.
func list[V Reply[V]](v V) ([]V, error) {
	if e := v.Elems(); e != nil || v.IsNull() {
		return e, nil
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if s := v.String(); s != "" {
		return nil, fmt.Errorf("%q where a list belongs", clip([]byte(s)))
	}
	return nil, nil
}

// integer reads an integer (or a string holding one) in [lo, hi].
func integer[V Reply[V]](v V, lo, hi int) (int, error) {
	if v.Elems() != nil || v.Err() != nil {
		return 0, errors.New("a list or an error where an integer belongs")
	}
	s := v.String()
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%q is not an integer from %d to %d", clip([]byte(s)), lo, hi)
	}
	return n, nil
}
