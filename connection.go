package redis

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/respkit/redis/internal/cmdinfo"
	"github.com/respkit/redis/resp"
)

func appendPing(b *builder) { b.begin(cmdPING) }

func asPong(v resp.Value, err error) (struct{}, error) {
	if err := check(v, err); err != nil {
		return struct{}{}, err
	}
	if v.String() != "PONG" {
		return struct{}{}, fmt.Errorf("redis: PING got %#v, want PONG", v)
	}
	return struct{}{}, nil
}

// HelloInfo is what the server says of itself and the connection in reply
// to HELLO.
type HelloInfo struct {
	Server  string // "redis" (or "valkey", ...)
	Version string // such as "7.0.15"
	Proto   int    // the connection's protocol: 2 or 3
	ID      int64  // the connection's client ID
	Mode    string // "standalone", "cluster" or "sentinel"
	Role    string // "master" or "replica"
	Modules []ModuleInfo
}

// ModuleInfo names a loaded module.
type ModuleInfo struct {
	Name    string
	Version int64
}

func asHello(v resp.Value, err error) (HelloInfo, error) {
	m, err := asMap(v, err)
	if err != nil {
		return HelloInfo{}, err
	}
	h := HelloInfo{
		Server: m["server"].String(), Version: m["version"].String(),
		Mode: m["mode"].String(), Role: m["role"].String(),
	}
	proto, _ := asInt64(m["proto"], nil)
	h.Proto = int(proto)
	h.ID, _ = asInt64(m["id"], nil)
	for _, mod := range m["modules"].Elems() {
		mm, err := asMap(mod, nil)
		if err != nil {
			return h, fmt.Errorf("redis: HELLO modules: %w", err)
		}
		ver, _ := asInt64(mm["ver"], nil)
		h.Modules = append(h.Modules, ModuleInfo{Name: mm["name"].String(), Version: ver})
	}
	return h, nil
}

func appendHello(b *builder) {
	b.begin(cmdHELLO)
	// HELLO without a protocol version only reports; it changes nothing on
	// the connection, so it may run on a shared one.
	b.c.flags &^= FlagConnState
}

func appendAuth(b *builder, username, password string) {
	b.begin(cmdAUTH)
	if username != "" {
		b.str(username)
	}
	b.str(password)
}

// appendOnOff sends one of two tokens for a boolean argument.
func appendOnOff(b *builder, info *cmdinfo.Info, on bool, yes, no string) {
	b.begin(info)
	if on {
		b.str(yes)
	} else {
		b.str(no)
	}
}

func appendClientCaching(b *builder, yes bool) { appendOnOff(b, cmdCLIENT_CACHING, yes, "YES", "NO") }
func appendClientNoEvict(b *builder, on bool)  { appendOnOff(b, cmdCLIENT_NO_EVICT, on, "ON", "OFF") }
func appendClientNoTouch(b *builder, on bool)  { appendOnOff(b, cmdCLIENT_NO_TOUCH, on, "ON", "OFF") }

func appendClientReplyOn(b *builder) {
	b.begin(cmdCLIENT_REPLY)
	b.str("ON")
}

func appendClientSetLibName(b *builder, name string) {
	b.begin(cmdCLIENT_SETINFO)
	b.str("LIB-NAME")
	b.str(name)
}

func appendClientSetLibVersion(b *builder, version string) {
	b.begin(cmdCLIENT_SETINFO)
	b.str("LIB-VER")
	b.str(version)
}

// ClientTrackingOptions are the optional arguments of CLIENT TRACKING. The
// zero value sends none of them.
type ClientTrackingOptions struct {
	// Redirect sends REDIRECT id: invalidation messages go to the client
	// with this ID (needed under RESP2). Zero sends nothing.
	Redirect int64
	// Prefixes sends PREFIX p for each element: in broadcasting mode, only
	// keys starting with one of them are reported. Needs BCast.
	Prefixes []string
	// BCast sends BCAST: report every modified key (matching Prefixes),
	// not only the keys this connection read.
	BCast bool
	// OptIn sends OPTIN: track the keys read by a command only after
	// CLIENT CACHING YES.
	OptIn bool
	// OptOut sends OPTOUT: track keys unless CLIENT CACHING NO preceded
	// the command.
	OptOut bool
	// NoLoop sends NOLOOP: do not report keys this connection modified.
	NoLoop bool
}

func appendClientTracking(b *builder, on bool, opts []ClientTrackingOptions) {
	appendOnOff(b, cmdCLIENT_TRACKING, on, "ON", "OFF")
	var o ClientTrackingOptions
	switch len(opts) {
	case 0:
	case 1:
		o = opts[0]
	default:
		b.fail("at most one ClientTrackingOptions, got %d", len(opts))
	}
	switch {
	case o.OptIn && o.OptOut:
		b.fail("OptIn and OptOut both set")
	case o.BCast && (o.OptIn || o.OptOut):
		b.fail("BCast conflicts with OptIn and OptOut")
	case len(o.Prefixes) > 0 && !o.BCast:
		b.fail("Prefixes needs BCast")
	case o.Redirect < 0:
		b.fail("negative Redirect %d", o.Redirect)
	}
	if o.Redirect != 0 {
		b.str("REDIRECT")
		b.int(o.Redirect)
	}
	for _, p := range o.Prefixes {
		b.str("PREFIX")
		b.str(p)
	}
	if o.BCast {
		b.str("BCAST")
	}
	if o.OptIn {
		b.str("OPTIN")
	}
	if o.OptOut {
		b.str("OPTOUT")
	}
	if o.NoLoop {
		b.str("NOLOOP")
	}
}

// TrackingInfo is the client-side caching state of a connection, as CLIENT
// TRACKINGINFO reports it.
type TrackingInfo struct {
	// Flags are the tracking flags: "off" or "on", then any of "bcast",
	// "optin", "optout", "caching-yes", "caching-no", "noloop",
	// "broken_redirect".
	Flags []string
	// Redirect is the ID of the client invalidations are redirected to:
	// -1 when tracking is off, 0 when on without redirection.
	Redirect int64
	// Prefixes are the key prefixes reported in broadcasting mode.
	Prefixes []string
}

func asTrackingInfo(v resp.Value, err error) (TrackingInfo, error) {
	m, err := asMap(v, err)
	if err != nil {
		return TrackingInfo{}, err
	}
	var ti TrackingInfo
	if ti.Flags, err = asStrings(m["flags"], nil); err != nil {
		return ti, fmt.Errorf("redis: CLIENT TRACKINGINFO flags: %w", err)
	}
	if ti.Redirect, err = asInt64(m["redirect"], nil); err != nil {
		return ti, fmt.Errorf("redis: CLIENT TRACKINGINFO redirect: %w", err)
	}
	if ti.Prefixes, err = asStrings(m["prefixes"], nil); err != nil {
		return ti, fmt.Errorf("redis: CLIENT TRACKINGINFO prefixes: %w", err)
	}
	return ti, nil
}

// ClientKillFilter selects the connections CLIENT KILL closes. A
// connection must match every filter that is set; at least one of ID,
// Type, User, Addr, LAddr and MaxAge must be set.
type ClientKillFilter struct {
	// ID sends ID id: the connection with this client ID. Zero sends
	// nothing (client IDs start at 1).
	ID int64
	// Type sends TYPE type: "normal", "master", "replica" (or its old name
	// "slave") or "pubsub".
	Type string
	// User sends USER username: connections authenticated as this user.
	User string
	// Addr sends ADDR ip:port: the connection from this address.
	Addr string
	// LAddr sends LADDR ip:port: connections to this local address of the
	// server (Redis 6.2).
	LAddr string
	// KillSelf sends SKIPME no, so that the connection running the command
	// may be closed too. By default the server spares it.
	KillSelf bool
	// MaxAge sends MAXAGE seconds: connections older than this (Redis
	// 7.4). It must be a whole number of seconds; zero sends nothing.
	MaxAge time.Duration
}

func appendClientKill(b *builder, f ClientKillFilter) {
	b.begin(cmdCLIENT_KILL)
	if f.ID == 0 && f.Type == "" && f.User == "" && f.Addr == "" && f.LAddr == "" && f.MaxAge == 0 {
		b.fail("ClientKillFilter needs at least one of ID, Type, User, Addr, LAddr, MaxAge")
	}
	if f.ID < 0 {
		b.fail("negative ID %d", f.ID)
	}
	if f.ID != 0 {
		b.str("ID")
		b.int(f.ID)
	}
	if f.Type != "" {
		switch t := strings.ToLower(f.Type); t {
		case "normal", "master", "replica", "slave", "pubsub":
			b.str("TYPE")
			b.str(t)
		default:
			b.fail("Type must be normal, master, replica, slave or pubsub, not %q", f.Type)
		}
	}
	if f.User != "" {
		b.str("USER")
		b.str(f.User)
	}
	if f.Addr != "" {
		b.str("ADDR")
		b.str(f.Addr)
	}
	if f.LAddr != "" {
		b.str("LADDR")
		b.str(f.LAddr)
	}
	if f.KillSelf {
		b.str("SKIPME")
		b.str("NO")
	}
	if f.MaxAge < 0 {
		b.fail("negative MaxAge %v", f.MaxAge)
	}
	if f.MaxAge != 0 {
		b.str("MAXAGE")
		b.seconds(f.MaxAge)
	}
}

func appendClientKillAddr(b *builder, addr string) {
	b.begin(cmdCLIENT_KILL)
	if addr == "" {
		b.fail("empty address")
	}
	b.str(addr)
}

// ClientListOptions are the optional arguments of CLIENT LIST. The zero
// value lists every connection. Type and IDs cannot both be set.
type ClientListOptions struct {
	// Type sends TYPE type: only connections of this type, one of
	// "normal", "master", "replica" and "pubsub" (Redis 5.0).
	Type string
	// IDs sends ID id...: only the connections with these client IDs
	// (Redis 6.2).
	IDs []int64
}

func appendClientList(b *builder, opts []ClientListOptions) {
	b.begin(cmdCLIENT_LIST)
	var o ClientListOptions
	switch len(opts) {
	case 0:
	case 1:
		o = opts[0]
	default:
		b.fail("at most one ClientListOptions, got %d", len(opts))
	}
	if o.Type != "" && len(o.IDs) > 0 {
		b.fail("at most one of Type, IDs may be set")
	}
	if o.Type != "" {
		switch t := strings.ToLower(o.Type); t {
		case "normal", "master", "replica", "pubsub":
			b.str("TYPE")
			b.str(t)
		default:
			b.fail("Type must be normal, master, replica or pubsub, not %q", o.Type)
		}
	}
	if len(o.IDs) > 0 {
		b.str("ID")
		for _, id := range o.IDs {
			b.int(id)
		}
	}
}

// ConnInfo describes one connection, as a line of CLIENT LIST or the
// reply to CLIENT INFO. Fields the server did not send keep their zero
// value; fields this type does not know are kept in Other.
type ConnInfo struct {
	ID    int64         // id: the client ID
	Addr  string        // addr: the client's address, ip:port
	LAddr string        // laddr: the server's address the client connected to (Redis 6.2)
	FD    int64         // fd: the socket's file descriptor, -1 for an internal client
	Name  string        // name: the connection's name, "" when none
	Age   time.Duration // age: how long the connection has existed (whole seconds)
	Idle  time.Duration // idle: how long the connection has been idle (whole seconds)
	// Flags are the connection's flags, one letter each: N (none), M
	// (master), S (replica), P (pub/sub), x (in MULTI), b (blocked), t
	// (tracking), T (no-touch), e (no-evict), r (read-only cluster
	// replica) and so on.
	Flags    string
	DB       int64  // db: the selected database
	Sub      int64  // sub: channel subscriptions
	PSub     int64  // psub: pattern subscriptions
	SSub     int64  // ssub: shard-channel subscriptions (Redis 7.0.3)
	Multi    int64  // multi: commands queued in MULTI, -1 outside a transaction
	QBuf     int64  // qbuf: query buffer length in bytes
	QBufFree int64  // qbuf-free: free bytes in the query buffer
	ArgvMem  int64  // argv-mem: bytes used by the arguments of the next command
	MultiMem int64  // multi-mem: bytes used by queued MULTI commands (Redis 7.0)
	OBL      int64  // obl: output buffer length in bytes
	OLL      int64  // oll: output list length (replies queued beyond the buffer)
	OMem     int64  // omem: output list memory in bytes
	TotMem   int64  // tot-mem: total memory the connection uses, in bytes
	Events   string // events: file events, "r" and/or "w"
	Cmd      string // cmd: the last command run, such as "client|list"
	User     string // user: the ACL user the connection is authenticated as
	Redir    int64  // redir: the client ID tracking invalidations go to, -1 when none
	Resp     int64  // resp: the protocol version, 2 or 3
	LibName  string // lib-name: the client library's name (Redis 7.2)
	LibVer   string // lib-ver: the client library's version (Redis 7.2)
	// Other holds the fields this type does not know (rbs, rbp, io-thread,
	// and those of newer servers), by name. Nil when there are none.
	Other map[string]string
}

// The fields of ConnInfo by their name in CLIENT LIST, by kind: integers,
// whole seconds and strings. A name in none of them goes to Other.
var (
	clientInfoInts = map[string]func(*ConnInfo) *int64{
		"id":        func(c *ConnInfo) *int64 { return &c.ID },
		"fd":        func(c *ConnInfo) *int64 { return &c.FD },
		"db":        func(c *ConnInfo) *int64 { return &c.DB },
		"sub":       func(c *ConnInfo) *int64 { return &c.Sub },
		"psub":      func(c *ConnInfo) *int64 { return &c.PSub },
		"ssub":      func(c *ConnInfo) *int64 { return &c.SSub },
		"multi":     func(c *ConnInfo) *int64 { return &c.Multi },
		"qbuf":      func(c *ConnInfo) *int64 { return &c.QBuf },
		"qbuf-free": func(c *ConnInfo) *int64 { return &c.QBufFree },
		"argv-mem":  func(c *ConnInfo) *int64 { return &c.ArgvMem },
		"multi-mem": func(c *ConnInfo) *int64 { return &c.MultiMem },
		"obl":       func(c *ConnInfo) *int64 { return &c.OBL },
		"oll":       func(c *ConnInfo) *int64 { return &c.OLL },
		"omem":      func(c *ConnInfo) *int64 { return &c.OMem },
		"tot-mem":   func(c *ConnInfo) *int64 { return &c.TotMem },
		"redir":     func(c *ConnInfo) *int64 { return &c.Redir },
		"resp":      func(c *ConnInfo) *int64 { return &c.Resp },
	}
	clientInfoSeconds = map[string]func(*ConnInfo) *time.Duration{
		"age":  func(c *ConnInfo) *time.Duration { return &c.Age },
		"idle": func(c *ConnInfo) *time.Duration { return &c.Idle },
	}
	clientInfoStrings = map[string]func(*ConnInfo) *string{
		"addr":     func(c *ConnInfo) *string { return &c.Addr },
		"laddr":    func(c *ConnInfo) *string { return &c.LAddr },
		"name":     func(c *ConnInfo) *string { return &c.Name },
		"flags":    func(c *ConnInfo) *string { return &c.Flags },
		"events":   func(c *ConnInfo) *string { return &c.Events },
		"cmd":      func(c *ConnInfo) *string { return &c.Cmd },
		"user":     func(c *ConnInfo) *string { return &c.User },
		"lib-name": func(c *ConnInfo) *string { return &c.LibName },
		"lib-ver":  func(c *ConnInfo) *string { return &c.LibVer },
	}
)

// parseClientInfo parses one line of CLIENT LIST: space-separated
// name=value fields.
func parseClientInfo(line string) (ConnInfo, error) {
	var ci ConnInfo
	for _, field := range strings.Fields(line) {
		name, val, ok := strings.Cut(field, "=")
		if !ok {
			return ci, fmt.Errorf("redis: client info field %q has no value", field)
		}
		if s := clientInfoStrings[name]; s != nil {
			*s(&ci) = val
			continue
		}
		n, d := clientInfoInts[name], clientInfoSeconds[name]
		if n == nil && d == nil {
			if ci.Other == nil {
				ci.Other = map[string]string{}
			}
			ci.Other[name] = val
			continue
		}
		x, err := strconv.ParseInt(val, 10, 64)
		if err != nil {
			return ci, fmt.Errorf("redis: client info field %s=%q is not an integer", name, val)
		}
		if n != nil {
			*n(&ci) = x
		} else {
			*d(&ci) = time.Duration(x) * time.Second
		}
	}
	return ci, nil
}

func asClientInfo(v resp.Value, err error) (ConnInfo, error) {
	s, err := asString(v, err)
	if err != nil {
		return ConnInfo{}, err
	}
	return parseClientInfo(strings.TrimSpace(s))
}

func asClientList(v resp.Value, err error) ([]ConnInfo, error) {
	s, err := asString(v, err)
	if err != nil {
		return nil, err
	}
	var out []ConnInfo
	for line := range strings.Lines(s) {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		ci, err := parseClientInfo(line)
		if err != nil {
			return nil, err
		}
		out = append(out, ci)
	}
	return out, nil
}

// RunWithoutReplies runs cmds on the reserved connection with the
// server's replies turned off: it sends CLIENT REPLY OFF, the commands and
// CLIENT REPLY ON in one write and waits only for the OK of the last, so
// it never waits for a reply that will not come. The commands' results,
// errors included, are not seen: use it for writes whose outcome does not
// matter, to save the server the replies.
//
// Commands that change the state of the connection (SELECT, SUBSCRIBE,
// MULTI, ...) and blocking commands are refused, as are commands that
// could not be built; nothing is sent then. The Conn is closed rather
// than reused when released.
//
// CLIENT REPLY: since Redis 3.2.0.
func (cn *Conn) RunWithoutReplies(ctx context.Context, cmds ...*Cmd) error {
	if cn.closed {
		return errConnClosed
	}
	for _, c := range cmds {
		switch {
		case c.err != nil:
			return c.err
		case c.flags&FlagConnState != 0:
			return fmt.Errorf("redis: RunWithoutReplies: %s changes the state of the connection; run it with its reply", c.name)
		case c.flags&FlagBlocking != 0:
			return fmt.Errorf("redis: RunWithoutReplies: %s may block", c.name)
		}
	}
	reply := func(mode string) []byte {
		b := new(builder)
		b.begin(cmdCLIENT_REPLY)
		b.str(mode)
		return b.finish().enc
	}
	enc := reply("OFF")
	for _, c := range cmds {
		enc = append(enc, c.enc...)
	}
	enc = append(enc, reply("ON")...)
	batch := &Cmd{enc: enc, name: "CLIENT REPLY", flags: cmdCLIENT_REPLY.Flags}
	r := cn.run(ctx, batch)
	return asOK(r.val, r.err)
}
