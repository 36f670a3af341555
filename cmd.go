package redis

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/respkit/redis/internal/cmdinfo"
	"github.com/respkit/redis/internal/slot"
	"github.com/respkit/redis/resp"
)

// CmdFlags say what the client knows about a command from the Redis
// command table: whether it only reads, blocks, and so on. Routing and
// retry decisions are made from them.
type CmdFlags = cmdinfo.Flags

// Command flags, as in the Redis command table.
const (
	FlagReadonly = cmdinfo.Readonly // reads only: safe to repeat
	FlagWrite    = cmdinfo.Write    // may modify data
	FlagBlocking = cmdinfo.Blocking // may block: runs on an exclusive connection
	FlagPubSub   = cmdinfo.PubSub
	// FlagConnState marks commands that change the state of the
	// connection they run on (SELECT, AUTH, MULTI, SUBSCRIBE, ...): the
	// client never sends them on a shared connection.
	FlagConnState = cmdinfo.ConnState
)

// Cmd is one command, encoded and ready to send, with what the client
// needs to route and retry it: its name, flags, keys and block time.
// A Cmd is immutable once built and may be run any number of times, from
// any number of goroutines.
type Cmd struct {
	enc   []byte
	name  string
	info  *cmdinfo.Info // the table's entry; nil for a command the table does not know
	flags CmdFlags
	keys  []string      // every key, in the order sent
	block time.Duration // for blocking commands: how long the server may hold the reply; <0 for "until a value arrives"
	err   error         // why the command could not be built; reported instead of sending
}

// Err returns why the command could not be built (a bad argument or
// conflicting options), or nil. Such a command is never sent: running it
// returns this error.
func (c *Cmd) Err() error { return c.err }

// Name returns the command's name in upper case, such as "GET" or
// "CLIENT KILL".
func (c *Cmd) Name() string { return c.name }

// Bytes returns the command's RESP encoding. Do not modify it.
func (c *Cmd) Bytes() []byte { return c.enc }

// Flags returns the command's flags.
func (c *Cmd) Flags() CmdFlags { return c.flags }

// Key returns the command's first key; ok is false for a command without
// keys.
func (c *Cmd) Key() (key string, ok bool) {
	if len(c.keys) == 0 {
		return "", false
	}
	return c.keys[0], true
}

// Keys returns every key of the command, in the order they are sent (the
// keys of EVAL's numkeys, MSET's keys without their values, ...); nil for a
// command without keys, or one the command table does not know (see
// Known). Do not modify the slice.
func (c *Cmd) Keys() []string { return c.keys }

// Known reports whether the client's command table knows the command, so
// that its flags and keys are known. A command it does not know (a module
// command, one newer than the table) has no flags and no keys here: a
// cluster transport asks the server (COMMAND INFO) where its keys are.
func (c *Cmd) Known() bool { return c.info != nil }

// Slot returns the Redis Cluster hash slot of the command's keys, or
// NoSlot for a command without keys. When the keys hash to different
// slots it returns a *CrossSlotError naming two of them; such a command
// runs on a standalone server but not on a cluster.
func (c *Cmd) Slot() (int, error) { return keysSlot(c.name, c.keys) }

// NoSlot is the slot of a command without keys.
const NoSlot = -1

// CrossSlotError reports keys of one command, transaction or watch that
// hash to different cluster slots, found before anything was sent.
type CrossSlotError struct {
	Command    string // the command, or "MULTI" / "WATCH"
	Key, Other string // two keys in different slots
	Slot       int    // Key's slot
	OtherSlot  int    // Other's slot
}

func (e *CrossSlotError) Error() string {
	return fmt.Sprintf("redis: %s: keys %q (slot %d) and %q (slot %d) hash to different cluster slots; use a hash tag such as {user1}.a and {user1}.b to keep them together", e.Command, e.Key, e.Slot, e.Other, e.OtherSlot)
}

// keysSlot returns the slot shared by keys, NoSlot when there are none, or
// a *CrossSlotError.
func keysSlot(what string, keys []string) (int, error) {
	if len(keys) == 0 {
		return NoSlot, nil
	}
	s := slot.Of(keys[0])
	for _, k := range keys[1:] {
		if o := slot.Of(k); o != s {
			return NoSlot, &CrossSlotError{Command: what, Key: keys[0], Other: k, Slot: s, OtherSlot: o}
		}
	}
	return s, nil
}

// KeySlot returns the Redis Cluster hash slot of key (CRC16 of the key,
// or of its hash tag: the part between the first "{" and the next "}",
// when that part is not empty), from 0 to 16383.
func KeySlot(key string) int { return slot.Of(key) }

// Blocking reports whether the command may block, and for how long the
// server may hold its reply (negative: until a value arrives).
func (c *Cmd) Blocking() (block time.Duration, ok bool) {
	return c.block, c.flags&FlagBlocking != 0
}

// String returns the command's arguments, quoted, for logs.
func (c *Cmd) String() string {
	v, err := resp.NewReader(strings.NewReader(string(c.enc)), resp.Limits{}).Read()
	if err != nil {
		return c.name
	}
	var sb strings.Builder
	for i, a := range v.Elems() {
		if i > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteString(strconv.Quote(a.String()))
	}
	return sb.String()
}

// NewCmd builds a command from its arguments, each a string, []byte,
// integer, float, bool or encoding.BinaryMarshaler. Its flags and first key
// come from the Redis command table; a command the table does not know
// gets no flags (it is treated as a write: never repeated after a
// connection failure).
func NewCmd(args ...any) (*Cmd, error) {
	b := new(builder)
	if err := b.raw(args); err != nil {
		return nil, err
	}
	return b.finish(), nil
}

// builder encodes one command. Generated and hand-written command methods
// write their arguments through it; pooled builders make a call allocate
// nothing.
type builder struct {
	e resp.Encoder
	c Cmd
}

var builders = sync.Pool{New: func() any { return new(builder) }}

func getBuilder() *builder { return builders.Get().(*builder) }

func putBuilder(b *builder) {
	b.e.Release(64 << 10)
	keys := b.c.keys
	clear(keys)
	b.c = Cmd{}
	if cap(keys) <= 1024 { // 16 KiB at most, beside the encoder's 64 KiB
		b.c.keys = keys[:0] // reused: the next command's keys cost no allocation
	}
	builders.Put(b)
}

// begin starts a command known to the table.
func (b *builder) begin(info *cmdinfo.Info) {
	b.e.Begin()
	b.c.name, b.c.flags, b.c.info = info.Name, info.Flags, info
	if i := strings.IndexByte(info.Name, ' '); i >= 0 {
		b.e.String(info.Name[:i])
		b.e.String(info.Name[i+1:])
	} else {
		b.e.String(info.Name)
	}
}

// key appends a key argument, remembered for routing.
func (b *builder) key(k string) {
	b.c.keys = append(b.c.keys, k)
	b.e.String(k)
}

func (b *builder) str(s string)    { b.e.String(s) }
func (b *builder) int(n int64)     { b.e.Int(n) }
func (b *builder) uint(n uint64)   { b.e.Uint(n) }
func (b *builder) float(f float64) { b.e.Float(f) }

// seconds appends d as whole seconds; a fraction of a second is an error
// rather than a silent truncation.
func (b *builder) seconds(d time.Duration) {
	if d%time.Second != 0 {
		b.fail("%v is not a whole number of seconds", d)
	}
	b.e.Int(int64(d / time.Second))
}

// millis appends d as whole milliseconds; a fraction of a millisecond is
// an error.
func (b *builder) millis(d time.Duration) {
	if d%time.Millisecond != 0 {
		b.fail("%v is not a whole number of milliseconds", d)
	}
	b.e.Int(int64(d / time.Millisecond))
}

// fseconds appends d as seconds with a fraction, as blocking commands take
// their timeouts (millisecond resolution).
func (b *builder) fseconds(d time.Duration) {
	if d < 0 {
		b.fail("negative timeout %v", d)
	}
	b.e.Float(float64(d.Milliseconds()) / 1000)
}

// blockFor records how long a blocking command may hold its reply; zero
// or less means until a value arrives.
func (b *builder) blockFor(d time.Duration) {
	if d <= 0 {
		d = -1
	}
	b.c.block = d
}

// choice appends the token among tokens that v names, ignoring case, or
// fails naming the argument and the tokens it may be.
func (b *builder) choice(v, what string, tokens ...string) {
	for _, t := range tokens {
		if strings.EqualFold(v, t) {
			b.e.String(t)
			return
		}
	}
	b.fail("%s must be one of %s, not %q", what, strings.Join(tokens, ", "), v)
}

// count returns how many of the conditions hold, to check options that
// exclude each other.
func count(conds ...bool) int {
	n := 0
	for _, c := range conds {
		if c {
			n++
		}
	}
	return n
}

// arg appends a value of any supported type; a bad one makes the whole
// command fail with an error naming it.
func (b *builder) arg(v any) {
	if err := b.e.Arg(v); err != nil && b.c.err == nil {
		b.c.err = fmt.Errorf("redis: %s: %w", b.c.name, err)
	}
}

// fail records why the command cannot be sent; the first reason wins.
func (b *builder) fail(format string, args ...any) {
	if b.c.err == nil {
		b.c.err = fmt.Errorf("redis: "+b.c.name+": "+format, args...)
	}
}

// finish closes the command and returns it, kept in the builder (so a
// pooled builder costs no allocation); its encoding aliases the builder's
// buffer.
func (b *builder) finish() *Cmd {
	if b.c.enc == nil { // raw has already closed its command
		b.e.End()
		b.c.enc = b.e.Bytes()
	}
	return &b.c
}

// raw encodes a command from untyped arguments and classifies it from the
// bytes it will send, so that a subcommand, key or block time is found
// whatever the Go type it was given as ([]byte, int32, a marshaler, ...).
func (b *builder) raw(args []any) error {
	if len(args) == 0 {
		return errors.New("redis: empty command")
	}
	name, ok := args[0].(string)
	if !ok {
		return fmt.Errorf("redis: the command name must be a string, not %T", args[0])
	}
	b.e.Begin()
	for _, a := range args {
		if err := b.e.Arg(a); err != nil {
			b.e.Abort()
			return fmt.Errorf("redis: %s: %w", strings.ToUpper(name), err)
		}
	}
	b.e.End()
	b.c.enc = b.e.Bytes()
	var stack [16][]byte
	argv := splitCommand(stack[:0], b.c.enc)
	info := cmdinfo.Lookup(name)
	if info != nil && info.Flags&cmdinfo.Container != 0 && len(argv) > 1 {
		if si := cmdinfo.LookupSub(name, string(argv[1])); si != nil {
			info = si
		}
	}
	if info == nil {
		b.c.name = strings.ToUpper(name)
		return nil
	}
	b.c.name, b.c.flags, b.c.info = info.Name, info.Flags, info
	b.c.keys = rawKeys(b.c.keys, info, args, argv)
	if info.Flags&cmdinfo.Blocking != 0 {
		b.c.block, b.c.flags = blockTime(info.Name, argv, b.c.flags)
	}
	if info.Name == "SCRIPT DEBUG" && len(argv) > 2 {
		b.c.flags |= scriptDebugFlags(string(argv[2]))
	}
	return nil
}

// scriptDebugFlags returns the extra flags of SCRIPT DEBUG in the given
// mode: YES and SYNC make the connection's next EVAL start a debugging
// session, so they change its state.
func scriptDebugFlags(mode string) CmdFlags {
	if strings.EqualFold(mode, "YES") || strings.EqualFold(mode, "SYNC") {
		return FlagConnState
	}
	return 0
}

// splitCommand appends to dst the arguments of enc, one command as the
// Encoder writes it (an array of bulk strings), each aliasing enc.
func splitCommand(dst [][]byte, enc []byte) [][]byte {
	line := func() ([]byte, bool) {
		i := bytes.IndexByte(enc, '\n')
		if i < 2 {
			return nil, false
		}
		ln := enc[1 : i-1]
		enc = enc[i+1:]
		return ln, true
	}
	head, ok := line()
	if !ok {
		return dst
	}
	n, _ := strconv.Atoi(string(head))
	for range n {
		ln, ok := line()
		if !ok {
			return dst
		}
		size, err := strconv.Atoi(string(ln))
		if err != nil || size < 0 || size+2 > len(enc) {
			return dst
		}
		dst = append(dst, enc[:size])
		enc = enc[size+2:]
	}
	return dst
}

// blockTime finds how long a blocking command, given as the arguments it
// sends, may block. XREAD and XREADGROUP block only with BLOCK; without it
// they are ordinary commands and the Blocking flag is cleared.
func blockTime(name string, argv [][]byte, flags CmdFlags) (time.Duration, CmdFlags) {
	argNum := func(i int) (float64, bool) {
		if i < 0 || i >= len(argv) {
			return 0, false
		}
		f, err := strconv.ParseFloat(string(argv[i]), 64)
		return f, err == nil
	}
	dur := func(f float64, unit time.Duration) time.Duration {
		if f <= 0 || math.IsNaN(f) || math.IsInf(f, 0) || f*float64(unit) >= math.MaxInt64 {
			return -1
		}
		return time.Duration(f * float64(unit))
	}
	switch name {
	case "BLPOP", "BRPOP", "BRPOPLPUSH", "BLMOVE", "BZPOPMIN", "BZPOPMAX":
		if f, ok := argNum(len(argv) - 1); ok {
			return dur(f, time.Second), flags
		}
	case "BLMPOP", "BZMPOP":
		if f, ok := argNum(1); ok {
			return dur(f, time.Second), flags
		}
	case "WAIT", "WAITAOF":
		if f, ok := argNum(len(argv) - 1); ok {
			return dur(f, time.Millisecond), flags
		}
	case "XREAD", "XREADGROUP":
		for i := 1; i+1 < len(argv); i++ {
			if bytes.EqualFold(argv[i], []byte("STREAMS")) {
				break
			}
			if bytes.EqualFold(argv[i], []byte("BLOCK")) {
				if f, ok := argNum(i + 1); ok {
					return dur(f, time.Millisecond), flags
				}
			}
		}
		return 0, flags &^ cmdinfo.Blocking
	}
	return -1, flags
}

// cmdInfo returns the table's entry for a command the library itself
// sends; a name missing from the table is a bug caught at start-up.
func cmdInfo(name string) *cmdinfo.Info {
	info := cmdinfo.Lookup(name)
	if info == nil {
		panic("redis: command " + name + " missing from the command table")
	}
	return info
}

// rawKeys appends to dst the keys of a command given as untyped
// arguments, found from the command table's key positions in argv (its
// encoded arguments); an argument given as a string is taken as it is.
func rawKeys(dst []string, info *cmdinfo.Info, args []any, argv [][]byte) []string {
	var stack [8]int
	idx, err := info.KeyIndexes(stack[:0], argv)
	if err != nil {
		return dst
	}
	for _, i := range idx {
		if k, ok := args[i].(string); ok {
			dst = append(dst, k)
		} else {
			dst = append(dst, string(argv[i]))
		}
	}
	return dst
}
