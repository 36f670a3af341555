package redis

import (
	"errors"
	"fmt"
	"io"
	"net"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/respkit/redis/resp"
)

// Hand-written encoders, result types and decoders of the server group
// (ACL, COMMAND, CONFIG, INFO, LATENCY, MEMORY, MODULE, SLOWLOG, ROLE,
// replication and persistence commands).

// --- Encoders ---

func appendACLDryRun(b *builder, username, command string, args []any) {
	b.begin(cmdACL_DRYRUN)
	b.str(username)
	b.str(command)
	for _, a := range args {
		b.arg(a)
	}
}

func appendACLSetUser(b *builder, username string, rules []string) {
	b.begin(cmdACL_SETUSER)
	b.str(username)
	for _, r := range rules {
		b.str(r)
	}
}

func appendCommandDocs(b *builder, commandNames []string) {
	b.begin(cmdCOMMAND_DOCS)
	for _, n := range commandNames {
		b.str(n)
	}
}

func appendCommandInfo(b *builder, commandNames []string) {
	b.begin(cmdCOMMAND_INFO)
	for _, n := range commandNames {
		b.str(n)
	}
}

func appendCommandGetKeys(b *builder, command string, args []any) {
	b.begin(cmdCOMMAND_GETKEYS)
	b.str(command)
	for _, a := range args {
		b.arg(a)
	}
}

func appendCommandGetKeysAndFlags(b *builder, command string, args []any) {
	b.begin(cmdCOMMAND_GETKEYSANDFLAGS)
	b.str(command)
	for _, a := range args {
		b.arg(a)
	}
}

// CommandListOptions filter COMMAND LIST. The zero value lists every
// command; at most one filter may be set.
type CommandListOptions struct {
	// Module lists only the commands of this module (FILTERBY MODULE).
	Module string
	// ACLCat lists only the commands in this ACL category (FILTERBY ACLCAT).
	ACLCat string
	// Pattern lists only the commands whose names match this glob-style
	// pattern (FILTERBY PATTERN).
	Pattern string
}

func appendCommandList(b *builder, opts []CommandListOptions) {
	b.begin(cmdCOMMAND_LIST)
	if len(opts) > 1 {
		b.fail("at most one CommandListOptions, got %d", len(opts))
		return
	}
	if len(opts) == 0 {
		return
	}
	o := opts[0]
	if count(o.Module != "", o.ACLCat != "", o.Pattern != "") > 1 {
		b.fail("at most one of Module, ACLCat, Pattern may be set")
		return
	}
	switch {
	case o.Module != "":
		b.str("FILTERBY")
		b.str("MODULE")
		b.str(o.Module)
	case o.ACLCat != "":
		b.str("FILTERBY")
		b.str("ACLCAT")
		b.str(o.ACLCat)
	case o.Pattern != "":
		b.str("FILTERBY")
		b.str("PATTERN")
		b.str(o.Pattern)
	}
}

func appendConfigSet(b *builder, parameter string, value any) {
	b.begin(cmdCONFIG_SET)
	b.str(parameter)
	b.arg(value)
}

func appendConfigSetMany(b *builder, params map[string]string) {
	b.begin(cmdCONFIG_SET)
	if len(params) == 0 {
		b.fail("needs at least one parameter")
		return
	}
	names := make([]string, 0, len(params))
	for n := range params {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		b.str(n)
		b.str(params[n])
	}
}

func appendDebug(b *builder, subcommand string, args []any) {
	b.begin(cmdDEBUG)
	if subcommand == "" {
		b.fail("needs a subcommand")
	}
	b.str(subcommand)
	for _, a := range args {
		b.arg(a)
	}
}

func appendReplicaOf(b *builder, host string, port int) {
	b.begin(cmdREPLICAOF)
	replicaOfArgs(b, host, port)
}

func appendReplicaOfNoOne(b *builder) {
	b.begin(cmdREPLICAOF)
	b.str("NO")
	b.str("ONE")
}

func appendSlaveOf(b *builder, host string, port int) {
	b.begin(cmdSLAVEOF)
	replicaOfArgs(b, host, port)
}

func appendSlaveOfNoOne(b *builder) {
	b.begin(cmdSLAVEOF)
	b.str("NO")
	b.str("ONE")
}

func replicaOfArgs(b *builder, host string, port int) {
	if host == "" {
		b.fail("needs a host")
	}
	if port <= 0 || port > 65535 {
		b.fail("port %d out of range", port)
	}
	b.str(host)
	b.int(int64(port))
}

func appendMonitor(b *builder) { b.begin(cmdMONITOR) }

func appendInfo(b *builder, sections []string) {
	b.begin(cmdINFO)
	for _, s := range sections {
		b.str(s)
	}
}

func appendLatencyHistogram(b *builder, commands []string) {
	b.begin(cmdLATENCY_HISTOGRAM)
	for _, c := range commands {
		b.str(c)
	}
}

func appendLatencyReset(b *builder, events []string) {
	b.begin(cmdLATENCY_RESET)
	for _, e := range events {
		b.str(e)
	}
}

func appendModuleLoad(b *builder, path string, args []string) {
	b.begin(cmdMODULE_LOAD)
	b.str(path)
	for _, a := range args {
		b.str(a)
	}
}

func appendTrimSlots(b *builder, ranges []SlotSpan) {
	b.begin(cmdTRIMSLOTS)
	if len(ranges) == 0 {
		b.fail("needs at least one slot range")
	}
	b.str("RANGES")
	b.int(int64(len(ranges)))
	for _, r := range ranges {
		b.int(r.Start)
		b.int(r.End)
	}
}

// HotkeysStartOptions are the arguments of HOTKEYS START. At least one of
// CPU and Net must be set; the other fields' zero values send nothing.
type HotkeysStartOptions struct {
	// CPU tracks the keys that cost the most CPU time (METRICS ... CPU).
	CPU bool
	// Net tracks the keys that move the most network bytes (METRICS ... NET).
	Net bool
	// Count is how many top keys to keep per metric (COUNT).
	Count int64
	// Duration stops tracking after this long, a whole number of seconds
	// (DURATION).
	Duration time.Duration
	// Sample tracks one command in Sample (SAMPLE ratio).
	Sample int64
	// Slots restricts tracking to these hash slots (SLOTS count slot ...).
	Slots []int64
}

func appendHotkeysStart(b *builder, opts []HotkeysStartOptions) {
	b.begin(cmdHOTKEYS_START)
	var o HotkeysStartOptions
	switch len(opts) {
	case 0:
	case 1:
		o = opts[0]
	default:
		b.fail("at most one HotkeysStartOptions, got %d", len(opts))
	}
	n := count(o.CPU, o.Net)
	if n == 0 {
		b.fail("at least one of CPU and Net must be set")
	}
	b.str("METRICS")
	b.int(int64(n))
	if o.CPU {
		b.str("CPU")
	}
	if o.Net {
		b.str("NET")
	}
	if o.Count != 0 {
		b.str("COUNT")
		b.int(o.Count)
	}
	if o.Duration != 0 {
		b.str("DURATION")
		b.seconds(o.Duration)
	}
	if o.Sample != 0 {
		b.str("SAMPLE")
		b.int(o.Sample)
	}
	if len(o.Slots) > 0 {
		b.str("SLOTS")
		b.int(int64(len(o.Slots)))
		for _, s := range o.Slots {
			b.int(s)
		}
	}
}

// --- Small decoders ---

// asACLDryRun reads ACL DRYRUN's reply: OK when the command is allowed
// (returned as ""), else a bulk string saying why not.
func asACLDryRun(v resp.Value, err error) (string, error) {
	if err := check(v, err); err != nil {
		return "", err
	}
	if v.Type() == resp.SimpleString && v.String() == "OK" {
		return "", nil
	}
	return asString(v, nil)
}

// asDebug reads any scalar reply of DEBUG as text.
func asDebug(v resp.Value, err error) (string, error) { return asString(v, err) }

// asMonitor accepts MONITOR's OK.
func asMonitor(v resp.Value, err error) (struct{}, error) { return struct{}{}, asOK(v, err) }

// asShutdown reads SHUTDOWN's outcome: the server closes the connection
// instead of replying when it shuts down, so a closed connection is
// success; OK is the reply to SHUTDOWN ABORT.
func asShutdown(v resp.Value, err error) (struct{}, error) {
	if err != nil && (errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed)) {
		return struct{}{}, nil
	}
	return asStatus(v, err)
}

// asLastSave reads LASTSAVE's reply, a Unix time in seconds.
func asLastSave(v resp.Value, err error) (time.Time, error) {
	n, err := asInt64(v, err)
	if err != nil {
		return time.Time{}, err
	}
	return time.Unix(n, 0), nil
}

// asServerTime reads TIME's reply: seconds and microseconds, as strings.
func asServerTime(v resp.Value, err error) (time.Time, error) {
	elems, err := asSlice(v, err)
	if err != nil {
		return time.Time{}, err
	}
	if len(elems) != 2 {
		return time.Time{}, fmt.Errorf("redis: TIME reply has %d elements, want 2", len(elems))
	}
	sec, err := asInt64(elems[0], nil)
	if err != nil {
		return time.Time{}, err
	}
	usec, err := asInt64(elems[1], nil)
	if err != nil {
		return time.Time{}, err
	}
	return time.Unix(sec, usec*1000), nil
}

// num reads a number that the server sends as an integer, a double or (in
// RESP2) a string; anything else reads as 0.
func looseFloat(v resp.Value) float64 {
	f, err := asFloat64(v, nil)
	if err != nil {
		return 0
	}
	return f
}

// integer reads an integer field leniently: 0 when absent or not a
// number.
func looseInt(v resp.Value) int64 {
	n, err := asInt64(v, nil)
	if err != nil {
		return int64(looseFloat(v))
	}
	return n
}

// strs reads an array (or set) of strings leniently: nil when absent.
func looseStrings(v resp.Value) []string {
	s, _ := asStrings(v, nil)
	return s
}

// --- ACL ---

// ACLUser is a user's ACL definition, as ACL GETUSER reports it.
type ACLUser struct {
	// Flags are the user's flags: "on" or "off", "nopass", "sanitize-payload", ...
	Flags []string
	// Passwords are the SHA-256 hashes (hex) of the user's passwords.
	Passwords []string
	// Commands are the command rules, such as "+@all -debug".
	Commands string
	// Keys are the key patterns, such as "~* %R~read:*" (space-separated).
	Keys string
	// Channels are the pub/sub channel patterns, such as "&*".
	Channels string
	// Selectors are the user's additional permission sets (Redis 7.0).
	Selectors []ACLSelector
}

// ACLSelector is one selector of an ACL user: a further set of
// permissions the user also has.
type ACLSelector struct {
	Commands string // command rules
	Keys     string // key patterns
	Channels string // channel patterns
}

// aclPatterns reads a pattern field: a string since Redis 7.0, an array
// before.
func aclPatterns(v resp.Value) string {
	switch v.Type() {
	case resp.Array, resp.Set:
		return strings.Join(looseStrings(v), " ")
	}
	s, _ := asString(v, nil)
	return s
}

func asACLUser(v resp.Value, err error) (ACLUser, error) {
	m, err := asMap(v, err)
	if err != nil {
		return ACLUser{}, err
	}
	u := ACLUser{
		Flags:     looseStrings(m["flags"]),
		Passwords: looseStrings(m["passwords"]),
		Commands:  aclPatterns(m["commands"]),
		Keys:      aclPatterns(m["keys"]),
		Channels:  aclPatterns(m["channels"]),
	}
	for i, sel := range m["selectors"].Elems() {
		sm, err := asMap(sel, nil)
		if err != nil {
			return u, fmt.Errorf("redis: ACL GETUSER selector %d: %w", i, err)
		}
		u.Selectors = append(u.Selectors, ACLSelector{
			Commands: aclPatterns(sm["commands"]),
			Keys:     aclPatterns(sm["keys"]),
			Channels: aclPatterns(sm["channels"]),
		})
	}
	return u, nil
}

// ACLLogEntry is one security event in the ACL log: a command or key
// access denied, or a failed authentication.
type ACLLogEntry struct {
	// Count is how many times this event repeated within 60 seconds.
	Count int64
	// Reason is "command", "key", "channel" or "auth".
	Reason string
	// Context is where it happened: "toplevel", "multi", "lua" or "module".
	Context string
	// Object is the command, key or channel denied ("AUTH" for auth).
	Object string
	// Username is the user involved.
	Username string
	// Age is how long ago the event was last seen.
	Age time.Duration
	// ClientInfo describes the client, as in CLIENT LIST.
	ClientInfo string
	// EntryID identifies the event (Redis 7.2; 0 before).
	EntryID int64
	// Created and LastUpdated are when the event was first and last seen
	// (Redis 7.2; zero before).
	Created, LastUpdated time.Time
}

func asACLLog(v resp.Value, err error) ([]ACLLogEntry, error) {
	return asListOf(v, err, func(v resp.Value, err error) (ACLLogEntry, error) {
		m, err := asMap(v, err)
		if err != nil {
			return ACLLogEntry{}, err
		}
		e := ACLLogEntry{
			Count:      looseInt(m["count"]),
			Reason:     m["reason"].String(),
			Context:    m["context"].String(),
			Object:     m["object"].String(),
			Username:   m["username"].String(),
			Age:        time.Duration(looseFloat(m["age-seconds"]) * float64(time.Second)),
			ClientInfo: m["client-info"].String(),
			EntryID:    looseInt(m["entry-id"]),
		}
		if ms := looseInt(m["timestamp-created"]); ms > 0 {
			e.Created = time.UnixMilli(ms)
		}
		if ms := looseInt(m["timestamp-last-updated"]); ms > 0 {
			e.LastUpdated = time.UnixMilli(ms)
		}
		return e, nil
	})
}

// --- COMMAND ---

// CommandDoc is a command's documentation, as COMMAND DOCS reports it.
type CommandDoc struct {
	Summary    string // one-line description
	Since      string // the Redis version that introduced it
	Group      string // its group: "string", "server", ...
	Complexity string // its time complexity
	// DocFlags are documentation flags: "deprecated", "syscmd".
	DocFlags []string
	// DeprecatedSince is the version that deprecated it, ReplacedBy what
	// replaces it; both empty unless it is deprecated.
	DeprecatedSince, ReplacedBy string
	// History lists the changes to its behaviour, oldest first.
	History []CommandHistory
	// Arguments is its argument tree.
	Arguments []CommandArg
	// Subcommands of a container command, by full name ("config|get").
	Subcommands map[string]CommandDoc
}

// CommandHistory is one change to a command: the version and what changed.
type CommandHistory struct {
	Version, Change string
}

// CommandArg is one node of a command's argument tree in COMMAND DOCS.
type CommandArg struct {
	Name string
	// Type is "string", "integer", "double", "key", "pattern",
	// "unix-time", "pure-token", "oneof" or "block".
	Type string
	// DisplayText is the name shown in the syntax, when it differs.
	DisplayText string
	// KeySpecIndex is the index of the key spec of a "key" argument, -1
	// for other arguments.
	KeySpecIndex int
	// Token is the literal word that precedes the argument, if any.
	Token string
	// Summary, Since and DeprecatedSince describe the argument.
	Summary, Since, DeprecatedSince string
	// Optional, Multiple and MultipleToken are the argument's flags.
	Optional, Multiple, MultipleToken bool
	// Value is the value name of a scalar argument (modules' docs).
	Value string
	// Arguments are the children of a "oneof" or "block" argument.
	Arguments []CommandArg
}

func asCommandDocs(v resp.Value, err error) (map[string]CommandDoc, error) {
	kv, err := pairs(v, err)
	if err != nil {
		return nil, err
	}
	out := make(map[string]CommandDoc, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		d, err := commandDoc(kv[i+1])
		if err != nil {
			return nil, fmt.Errorf("redis: COMMAND DOCS %s: %w", kv[i].String(), err)
		}
		out[kv[i].String()] = d
	}
	return out, nil
}

func commandDoc(v resp.Value) (CommandDoc, error) {
	m, err := asMap(v, nil)
	if err != nil {
		return CommandDoc{}, err
	}
	d := CommandDoc{
		Summary: m["summary"].String(), Since: m["since"].String(),
		Group: m["group"].String(), Complexity: m["complexity"].String(),
		DocFlags:        looseStrings(m["doc_flags"]),
		DeprecatedSince: m["deprecated_since"].String(), ReplacedBy: m["replaced_by"].String(),
	}
	for _, h := range m["history"].Elems() {
		e := h.Elems()
		if len(e) == 2 {
			d.History = append(d.History, CommandHistory{Version: e[0].String(), Change: e[1].String()})
		}
	}
	if d.Arguments, err = commandArgs(m["arguments"]); err != nil {
		return d, err
	}
	if sub, ok := m["subcommands"]; ok && !sub.IsNull() {
		if d.Subcommands, err = asCommandDocs(sub, nil); err != nil {
			return d, err
		}
	}
	return d, nil
}

func commandArgs(v resp.Value) ([]CommandArg, error) {
	var out []CommandArg
	for i, e := range v.Elems() {
		m, err := asMap(e, nil)
		if err != nil {
			return nil, fmt.Errorf("argument %d: %w", i, err)
		}
		a := CommandArg{
			Name: m["name"].String(), Type: m["type"].String(), DisplayText: m["display_text"].String(),
			KeySpecIndex: -1, Token: m["token"].String(), Summary: m["summary"].String(),
			Since: m["since"].String(), DeprecatedSince: m["deprecated_since"].String(),
			Value: m["value"].String(),
		}
		if ks, ok := m["key_spec_index"]; ok {
			a.KeySpecIndex = int(looseInt(ks))
		}
		for _, f := range looseStrings(m["flags"]) {
			switch f {
			case "optional":
				a.Optional = true
			case "multiple":
				a.Multiple = true
			case "multiple_token":
				a.MultipleToken = true
			}
		}
		// Older servers put the children of oneof and block under "value".
		children := m["arguments"]
		if children.Len() == 0 && (m["value"].Type() == resp.Array) {
			children, a.Value = m["value"], ""
		}
		if a.Arguments, err = commandArgs(children); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// CommandSpec is what COMMAND INFO reports about a command.
type CommandSpec struct {
	// Name is the command's name in lower case; a subcommand's is
	// "container|sub".
	Name string
	// Arity is the number of arguments, name included; negative means at
	// least -Arity.
	Arity int64
	// Flags are the command's flags: "write", "readonly", "fast", ...
	Flags []string
	// FirstKey, LastKey and Step locate the keys (legacy form: LastKey -1
	// means the last argument; 0 everywhere for commands without keys).
	FirstKey, LastKey, Step int64
	// ACLCategories are the command's ACL categories: "@read", "@slow", ...
	ACLCategories []string
	// Tips are hints for clients and proxies: "nondeterministic_output",
	// "request_policy:all_shards", ...
	Tips []string
	// KeySpecs locate the keys (Redis 7.0).
	KeySpecs []KeySpec
	// Subcommands of a container command.
	Subcommands []CommandSpec
}

// KeySpec says where a command's keys are and how it uses them.
type KeySpec struct {
	// Notes explain unusual cases.
	Notes string
	// Flags say how the keys are used: "RW", "RO", "OW", "RM", "access",
	// "update", "insert", "delete", ...
	Flags []string
	// BeginSearch says where the search for the keys starts.
	BeginSearch KeySpecBegin
	// FindKeys says how the keys are found from there.
	FindKeys KeySpecFind
}

// KeySpecBegin is where the search for keys starts: at argument Index
// ("index"), or after the word Keyword searched from argument StartFrom
// ("keyword"; a negative StartFrom searches from the end).
type KeySpecBegin struct {
	Type      string // "index", "keyword" or "unknown"
	Index     int64
	Keyword   string
	StartFrom int64
}

// KeySpecFind is how keys are found from the starting point: as a range
// ("range": up to LastKey, every KeyStep-th argument, Limit dividing the
// rest), or from a count ("keynum": the count at KeyNumIdx, the first key
// at FirstKey, every KeyStep-th).
type KeySpecFind struct {
	Type                    string // "range", "keynum" or "unknown"
	LastKey, KeyStep, Limit int64
	KeyNumIdx, FirstKey     int64
}

func asCommandInfos(v resp.Value, err error) ([]CommandSpec, error) {
	elems, err := asSlice(v, err)
	if err != nil {
		return nil, err
	}
	out := make([]CommandSpec, 0, len(elems))
	for i, e := range elems {
		if e.IsNull() {
			continue
		}
		ci, err := commandInfo(e)
		if err != nil {
			return nil, fmt.Errorf("redis: COMMAND INFO element %d: %w", i, err)
		}
		out = append(out, ci)
	}
	return out, nil
}

func commandInfo(v resp.Value) (CommandSpec, error) {
	e, err := asSlice(v, nil)
	if err != nil {
		return CommandSpec{}, err
	}
	if len(e) < 6 {
		return CommandSpec{}, fmt.Errorf("%d fields, want at least 6", len(e))
	}
	ci := CommandSpec{
		Name: e[0].String(), Arity: looseInt(e[1]), Flags: looseStrings(e[2]),
		FirstKey: looseInt(e[3]), LastKey: looseInt(e[4]), Step: looseInt(e[5]),
	}
	if len(e) > 6 {
		ci.ACLCategories = looseStrings(e[6])
	}
	if len(e) > 7 {
		ci.Tips = looseStrings(e[7])
	}
	if len(e) > 8 {
		for _, ks := range e[8].Elems() {
			spec, err := keySpec(ks)
			if err != nil {
				return ci, err
			}
			ci.KeySpecs = append(ci.KeySpecs, spec)
		}
	}
	if len(e) > 9 {
		for _, sub := range e[9].Elems() {
			s, err := commandInfo(sub)
			if err != nil {
				return ci, fmt.Errorf("subcommand: %w", err)
			}
			ci.Subcommands = append(ci.Subcommands, s)
		}
	}
	return ci, nil
}

func keySpec(v resp.Value) (KeySpec, error) {
	m, err := asMap(v, nil)
	if err != nil {
		return KeySpec{}, fmt.Errorf("key spec: %w", err)
	}
	ks := KeySpec{Notes: m["notes"].String(), Flags: looseStrings(m["flags"])}
	if bs, err := asMap(m["begin_search"], nil); err == nil {
		ks.BeginSearch.Type = bs["type"].String()
		if spec, err := asMap(bs["spec"], nil); err == nil {
			ks.BeginSearch.Index = looseInt(spec["index"])
			ks.BeginSearch.Keyword = spec["keyword"].String()
			ks.BeginSearch.StartFrom = looseInt(spec["startfrom"])
		}
	}
	if fk, err := asMap(m["find_keys"], nil); err == nil {
		ks.FindKeys.Type = fk["type"].String()
		if spec, err := asMap(fk["spec"], nil); err == nil {
			ks.FindKeys.LastKey = looseInt(spec["lastkey"])
			ks.FindKeys.KeyStep = looseInt(spec["keystep"])
			ks.FindKeys.Limit = looseInt(spec["limit"])
			ks.FindKeys.KeyNumIdx = looseInt(spec["keynumidx"])
			ks.FindKeys.FirstKey = looseInt(spec["firstkey"])
		}
	}
	return ks, nil
}

// KeyFlags is a key a command would access, with the key-spec flags that
// say how (COMMAND GETKEYSANDFLAGS).
type KeyFlags struct {
	Key   string
	Flags []string
}

func asKeyFlagsList(v resp.Value, err error) ([]KeyFlags, error) {
	return asListOf(v, err, func(v resp.Value, err error) (KeyFlags, error) {
		e, err := asSlice(v, err)
		if err != nil {
			return KeyFlags{}, err
		}
		if len(e) != 2 {
			return KeyFlags{}, fmt.Errorf("%d fields, want 2", len(e))
		}
		return KeyFlags{Key: e[0].String(), Flags: looseStrings(e[1])}, nil
	})
}

// --- INFO ---

// ServerInfo is the server's INFO report.
type ServerInfo struct {
	// Raw is the report as the server sent it.
	Raw string
	// Sections maps each section's name, in lower case ("server",
	// "clients", "keyspace", ...), to its fields.
	Sections map[string]map[string]string
}

// Get returns the value of the named field from whichever section holds
// it, and whether one does.
func (i ServerInfo) Get(field string) (string, bool) {
	for _, sec := range i.Sections {
		if v, ok := sec[field]; ok {
			return v, true
		}
	}
	return "", false
}

func asInfo(v resp.Value, err error) (ServerInfo, error) {
	s, err := asString(v, err)
	if err != nil {
		return ServerInfo{}, err
	}
	return ParseInfo(s), nil
}

// ParseInfo parses an INFO report: "# Section" lines start sections,
// "field:value" lines are fields; other lines are ignored.
func ParseInfo(text string) ServerInfo {
	info := ServerInfo{Raw: text, Sections: map[string]map[string]string{}}
	var cur map[string]string
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, "\r")
		switch {
		case line == "":
		case strings.HasPrefix(line, "#"):
			name := strings.ToLower(strings.TrimSpace(line[1:]))
			cur = info.Sections[name]
			if cur == nil {
				cur = map[string]string{}
				info.Sections[name] = cur
			}
		default:
			k, val, ok := strings.Cut(line, ":")
			if !ok {
				continue
			}
			if cur == nil {
				cur = map[string]string{}
				info.Sections[""] = cur
			}
			cur[k] = val
		}
	}
	return info
}

// --- ROLE ---

// ReplicationRole is a server's replication role, as ROLE reports it.
// Which fields are set depends on Role.
type ReplicationRole struct {
	// Role is "master", "slave" (a replica) or "sentinel".
	Role string
	// ReplicationOffset is a primary's (or replica's) replication offset.
	ReplicationOffset int64
	// Replicas are a primary's connected replicas.
	Replicas []RoleReplica
	// MasterHost and MasterPort are a replica's primary.
	MasterHost string
	MasterPort int
	// State is a replica's link state: "connect", "connecting", "sync",
	// "connected", "handshake", "none" or "unknown".
	State string
	// MasterNames are the primaries a sentinel monitors.
	MasterNames []string
}

// RoleReplica is a replica as its primary's ROLE reply lists it.
type RoleReplica struct {
	Host   string
	Port   int
	Offset int64 // the replication offset it acknowledged
}

func asRole(v resp.Value, err error) (ReplicationRole, error) {
	e, err := asSlice(v, err)
	if err != nil {
		return ReplicationRole{}, err
	}
	if len(e) == 0 {
		return ReplicationRole{}, errors.New("redis: empty ROLE reply")
	}
	r := ReplicationRole{Role: e[0].String()}
	switch r.Role {
	case "master":
		if len(e) < 3 {
			return r, fmt.Errorf("redis: ROLE master reply has %d elements, want 3", len(e))
		}
		r.ReplicationOffset = looseInt(e[1])
		for _, rep := range e[2].Elems() {
			f := rep.Elems()
			if len(f) < 3 {
				return r, fmt.Errorf("redis: ROLE replica entry has %d fields, want 3", len(f))
			}
			r.Replicas = append(r.Replicas, RoleReplica{Host: f[0].String(), Port: int(looseInt(f[1])), Offset: looseInt(f[2])})
		}
	case "slave":
		if len(e) < 5 {
			return r, fmt.Errorf("redis: ROLE replica reply has %d elements, want 5", len(e))
		}
		r.MasterHost, r.MasterPort = e[1].String(), int(looseInt(e[2]))
		r.State, r.ReplicationOffset = e[3].String(), looseInt(e[4])
	case "sentinel":
		if len(e) >= 2 {
			r.MasterNames = looseStrings(e[1])
		}
	default:
		return r, fmt.Errorf("redis: unknown role %q", r.Role)
	}
	return r, nil
}

// --- LATENCY ---

// CommandLatency is a command's latency distribution (LATENCY
// HISTOGRAM).
type CommandLatency struct {
	// Calls is how many times the command ran.
	Calls int64
	// Buckets are in increasing order of UpTo.
	Buckets []LatencyBucket
}

// LatencyBucket is one bucket of a latency histogram: Count calls took at
// most UpTo (counts are cumulative, as the server reports them).
type LatencyBucket struct {
	UpTo  time.Duration
	Count int64
}

func asLatencyHistograms(v resp.Value, err error) (map[string]CommandLatency, error) {
	kv, err := pairs(v, err)
	if err != nil {
		return nil, err
	}
	out := make(map[string]CommandLatency, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		m, err := asMap(kv[i+1], nil)
		if err != nil {
			return nil, fmt.Errorf("redis: LATENCY HISTOGRAM %s: %w", kv[i].String(), err)
		}
		h := CommandLatency{Calls: looseInt(m["calls"])}
		buckets, err := pairs(m["histogram_usec"], nil)
		if err != nil && err != ErrNil {
			return nil, fmt.Errorf("redis: LATENCY HISTOGRAM %s: %w", kv[i].String(), err)
		}
		for j := 0; j < len(buckets); j += 2 {
			h.Buckets = append(h.Buckets, LatencyBucket{
				UpTo:  time.Duration(looseInt(buckets[j])) * time.Microsecond,
				Count: looseInt(buckets[j+1]),
			})
		}
		sort.Slice(h.Buckets, func(a, b int) bool { return h.Buckets[a].UpTo < h.Buckets[b].UpTo })
		out[kv[i].String()] = h
	}
	return out, nil
}

// LatencySample is one latency spike recorded for an event.
type LatencySample struct {
	Time    time.Time
	Latency time.Duration
}

func asLatencySamples(v resp.Value, err error) ([]LatencySample, error) {
	return asListOf(v, err, func(v resp.Value, err error) (LatencySample, error) {
		e, err := asSlice(v, err)
		if err != nil {
			return LatencySample{}, err
		}
		if len(e) < 2 {
			return LatencySample{}, fmt.Errorf("%d fields, want 2", len(e))
		}
		return LatencySample{Time: time.Unix(looseInt(e[0]), 0), Latency: time.Duration(looseInt(e[1])) * time.Millisecond}, nil
	})
}

// LatencyEvent is an event's latest and largest latency (LATENCY LATEST).
type LatencyEvent struct {
	Name   string        // the event: "command", "fast-command", "fork", ...
	Time   time.Time     // when the latest spike happened
	Latest time.Duration // the latest spike's latency
	Max    time.Duration // the largest latency recorded
}

func asLatencyEvents(v resp.Value, err error) ([]LatencyEvent, error) {
	return asListOf(v, err, func(v resp.Value, err error) (LatencyEvent, error) {
		e, err := asSlice(v, err)
		if err != nil {
			return LatencyEvent{}, err
		}
		if len(e) < 4 {
			return LatencyEvent{}, fmt.Errorf("%d fields, want 4", len(e))
		}
		return LatencyEvent{
			Name: e[0].String(), Time: time.Unix(looseInt(e[1]), 0),
			Latest: time.Duration(looseInt(e[2])) * time.Millisecond,
			Max:    time.Duration(looseInt(e[3])) * time.Millisecond,
		}, nil
	})
}

// --- MEMORY ---

// MemoryReport is the server's memory report (MEMORY STATS). Sizes are in
// bytes.
type MemoryReport struct {
	PeakAllocated      int64 // peak.allocated
	TotalAllocated     int64 // total.allocated
	StartupAllocated   int64 // startup.allocated
	ReplicationBacklog int64 // replication.backlog
	ClientsReplicas    int64 // clients.slaves
	ClientsNormal      int64 // clients.normal
	AOFBuffer          int64 // aof.buffer
	OverheadTotal      int64 // overhead.total
	KeysCount          int64 // keys.count
	DatasetBytes       int64 // dataset.bytes
	// Fragmentation is the ratio of resident to allocated memory.
	Fragmentation float64
	// DBs are the per-database overheads, by database number.
	DBs map[int]MemoryStatsDB
	// Fields holds every numeric top-level field by its name, those
	// above included, so fields added by newer servers are kept.
	Fields map[string]float64
}

// MemoryStatsDB is the memory overhead of one database's hash tables.
type MemoryStatsDB struct {
	OverheadMain    int64 // overhead.hashtable.main
	OverheadExpires int64 // overhead.hashtable.expires
}

func asMemoryStats(v resp.Value, err error) (MemoryReport, error) {
	kv, err := pairs(v, err)
	if err != nil {
		return MemoryReport{}, err
	}
	s := MemoryReport{DBs: map[int]MemoryStatsDB{}, Fields: map[string]float64{}}
	for i := 0; i < len(kv); i += 2 {
		name, val := kv[i].String(), kv[i+1]
		if n, ok := strings.CutPrefix(name, "db."); ok {
			if db, err := strconv.Atoi(n); err == nil {
				m, err := asMap(val, nil)
				if err != nil {
					return s, fmt.Errorf("redis: MEMORY STATS %s: %w", name, err)
				}
				s.DBs[db] = MemoryStatsDB{
					OverheadMain:    looseInt(m["overhead.hashtable.main"]),
					OverheadExpires: looseInt(m["overhead.hashtable.expires"]),
				}
				continue
			}
		}
		f, err := asFloat64(val, nil)
		if err != nil {
			continue // not a number: a field this version does not know
		}
		s.Fields[name] = f
	}
	get := func(n string) int64 { return int64(s.Fields[n]) }
	s.PeakAllocated, s.TotalAllocated, s.StartupAllocated = get("peak.allocated"), get("total.allocated"), get("startup.allocated")
	s.ReplicationBacklog, s.ClientsReplicas, s.ClientsNormal = get("replication.backlog"), get("clients.slaves"), get("clients.normal")
	s.AOFBuffer, s.OverheadTotal, s.KeysCount, s.DatasetBytes = get("aof.buffer"), get("overhead.total"), get("keys.count"), get("dataset.bytes")
	s.Fragmentation = s.Fields["fragmentation"]
	return s, nil
}

// --- MODULE ---

// Module is a loaded module, as MODULE LIST reports it.
type Module struct {
	Name    string
	Version int64
	Path    string   // the file it was loaded from (Redis 7.0)
	Args    []string // the arguments it was loaded with (Redis 7.0)
}

func asModules(v resp.Value, err error) ([]Module, error) {
	return asListOf(v, err, func(v resp.Value, err error) (Module, error) {
		m, err := asMap(v, err)
		if err != nil {
			return Module{}, err
		}
		return Module{Name: m["name"].String(), Version: looseInt(m["ver"]), Path: m["path"].String(), Args: looseStrings(m["args"])}, nil
	})
}

// --- SLOWLOG ---

// SlowLogEntry is one command recorded in the slow log.
type SlowLogEntry struct {
	ID       int64         // unique, increasing
	Time     time.Time     // when the command ran
	Duration time.Duration // how long it ran (microsecond resolution)
	Args     []string      // the command and its arguments (possibly shortened by the server)
	// ClientAddr and ClientName identify the client (Redis 4.0).
	ClientAddr, ClientName string
}

func asSlowLog(v resp.Value, err error) ([]SlowLogEntry, error) {
	return asListOf(v, err, func(v resp.Value, err error) (SlowLogEntry, error) {
		e, err := asSlice(v, err)
		if err != nil {
			return SlowLogEntry{}, err
		}
		if len(e) < 4 {
			return SlowLogEntry{}, fmt.Errorf("%d fields, want at least 4", len(e))
		}
		s := SlowLogEntry{
			ID: looseInt(e[0]), Time: time.Unix(looseInt(e[1]), 0),
			Duration: time.Duration(looseInt(e[2])) * time.Microsecond, Args: looseStrings(e[3]),
		}
		if len(e) >= 6 {
			s.ClientAddr, s.ClientName = e[4].String(), e[5].String()
		}
		return s, nil
	})
}

// --- Cluster-related: SFLUSH, TRIMSLOTS ---

func asSlotSpanList(v resp.Value, err error) ([]SlotSpan, error) {
	return asListOf(v, err, func(v resp.Value, err error) (SlotSpan, error) {
		e, err := asSlice(v, err)
		if err != nil {
			return SlotSpan{}, err
		}
		if len(e) != 2 {
			return SlotSpan{}, fmt.Errorf("%d fields, want 2", len(e))
		}
		return SlotSpan{Start: looseInt(e[0]), End: looseInt(e[1])}, nil
	})
}

// --- HOTKEYS ---

// HotkeysReport is the result of hot-key tracking (HOTKEYS GET, Redis
// 8.6).
type HotkeysReport struct {
	// TrackingActive says whether tracking is still running.
	TrackingActive bool
	// SampleRatio is the sampling ratio: one command in SampleRatio.
	SampleRatio int64
	// SelectedSlots are the tracked slot ranges (empty: all slots).
	SelectedSlots []SlotSpan
	// CollectionStart is when tracking started, CollectionDuration how
	// long it has run.
	CollectionStart    time.Time
	CollectionDuration time.Duration
	// CPUUser and CPUSys are the CPU time used while tracking.
	CPUUser, CPUSys time.Duration
	// TotalNetBytes is the network traffic while tracking.
	TotalNetBytes int64
	// ByCPUTime are the top keys by CPU time (Value in microseconds).
	ByCPUTime []HotKey
	// ByNetBytes are the top keys by network bytes.
	ByNetBytes []HotKey
	// Fields holds every integer field by its name, those above
	// included, so fields added by newer servers are kept.
	Fields map[string]int64
}

// HotKey is a key with its measure in a hot-keys report.
type HotKey struct {
	Key   string
	Value int64
}

func asHotkeysReports(v resp.Value, err error) ([]HotkeysReport, error) {
	return asListOf(v, err, func(v resp.Value, err error) (HotkeysReport, error) {
		kv, err := pairs(v, err)
		if err != nil {
			return HotkeysReport{}, err
		}
		r := HotkeysReport{Fields: map[string]int64{}}
		top := func(v resp.Value) []HotKey {
			e := v.Elems()
			var out []HotKey
			for i := 0; i+1 < len(e); i += 2 {
				out = append(out, HotKey{Key: e[i].String(), Value: looseInt(e[i+1])})
			}
			return out
		}
		for i := 0; i < len(kv); i += 2 {
			name, val := kv[i].String(), kv[i+1]
			switch name {
			case "by-cpu-time-us":
				r.ByCPUTime = top(val)
			case "by-net-bytes":
				r.ByNetBytes = top(val)
			case "selected-slots":
				for _, s := range val.Elems() {
					e := s.Elems()
					switch len(e) {
					case 1:
						r.SelectedSlots = append(r.SelectedSlots, SlotSpan{Start: looseInt(e[0]), End: looseInt(e[0])})
					case 2:
						r.SelectedSlots = append(r.SelectedSlots, SlotSpan{Start: looseInt(e[0]), End: looseInt(e[1])})
					}
				}
			default:
				if n, err := asInt64(val, nil); err == nil {
					r.Fields[name] = n
				}
			}
		}
		r.TrackingActive = r.Fields["tracking-active"] != 0
		r.SampleRatio = r.Fields["sample-ratio"]
		if ms := r.Fields["collection-start-time-unix-ms"]; ms > 0 {
			r.CollectionStart = time.UnixMilli(ms)
		}
		r.CollectionDuration = time.Duration(r.Fields["collection-duration-ms"]) * time.Millisecond
		r.CPUUser = time.Duration(r.Fields["total-cpu-time-user-ms"]) * time.Millisecond
		r.CPUSys = time.Duration(r.Fields["total-cpu-time-sys-ms"]) * time.Millisecond
		r.TotalNetBytes = r.Fields["total-net-bytes"]
		return r, nil
	})
}
