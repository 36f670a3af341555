// Package conn is one connection to a Redis server: dialing over TCP, TLS
// or a Unix socket, the handshake (HELLO, AUTH, SELECT, CLIENT SETNAME,
// CLIENT SETINFO), and request/reply exchanges on a connection owned by one
// caller at a time. The multiplexer and the pool build on it.
package conn

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/respkit/redis/resp"
)

// Options say how to dial and set up a connection. The zero value dials
// localhost:6379 over TCP with RESP3.
type Options struct {
	Network string // "tcp" (default) or "unix"
	Addr    string // host:port, or a socket path for "unix"

	// Dialer, when set, opens the network connection instead of net.Dialer.
	Dialer func(ctx context.Context, network, addr string) (net.Conn, error)
	// TLSConfig, when set, wraps the connection in TLS. When it has no
	// ServerName, the host part of Addr is used.
	TLSConfig *tls.Config

	// Protocol is 2 or 3. 0 means 3, falling back to 2 when the server
	// does not know HELLO.
	Protocol int
	// Credentials returns the username and password for each new
	// connection; nil means no AUTH. An empty username means "default".
	Credentials func(ctx context.Context) (username, password string, err error)
	DB          int
	ClientName  string
	// LibName and LibVer are sent with CLIENT SETINFO unless both are
	// empty. An error reply (servers before 7.2) is ignored.
	LibName, LibVer string
	// ReadOnly sends READONLY after the greeting, so that a cluster
	// replica serves reads on this connection; its refusal fails the
	// handshake.
	ReadOnly bool
	// Tracking, when set, turns on server-assisted client-side caching in
	// the handshake: CLIENT TRACKING on followed by these arguments (such
	// as OPTIN, or BCAST PREFIX p). A refusal fails the handshake.
	Tracking []string

	DialTimeout time.Duration // bounds dial + handshake; 0 means 5 s
	Limits      resp.Limits
	// ReadBufferSize is the reader's buffer size; 0 means
	// resp.DefaultReadBufferSize.
	ReadBufferSize int
}

// ErrClosed is returned for calls on a closed client.
var ErrClosed = errors.New("redis: client is closed")

// Error is a failure of the connection itself (not a server error reply).
// Sent says whether the command's bytes may have reached the server, so
// whether it may have run.
type Error struct {
	Op   string // "dial", "write", "read"
	Err  error
	Sent bool
}

// Error describes the failure.
func (e *Error) Error() string {
	return "redis: " + e.Op + ": " + e.Err.Error()
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Timeout reports whether the failure was a timeout.
func (e *Error) Timeout() bool {
	var ne net.Error
	return errors.As(e.Err, &ne) && ne.Timeout()
}

// Conn is one established connection. Its methods other than Close, Broken
// and the accessors are for one goroutine at a time.
type Conn struct {
	nc    net.Conn
	rd    *resp.Reader
	proto int

	// bytesRead counts the bytes read from the socket, so that an owner
	// can tell a connection still receiving a long reply from a stalled
	// one.
	bytesRead atomic.Uint64
	// watch, when its ctx is set, makes every read from the socket first
	// set a read deadline (progress after the last byte, capped by the
	// context's deadline) and give up once ctx has ended. Only the
	// goroutine reading the connection touches it.
	watch readWatch
	// pushes holds RESP3 push frames that arrived while replies were read
	// on an exclusive connection, oldest first, for Receive to hand out.
	pushes []resp.Value

	peek      *peeker // nil where the socket cannot be peeked at
	createdAt time.Time
	usedAt    atomic.Int64 // unix nanoseconds of the last use
	broken    atomic.Bool
	closeOnce sync.Once
	closeErr  error
}

// Dial opens a connection and runs the handshake. ctx bounds both, as does
// o.DialTimeout.
func Dial(ctx context.Context, o *Options) (*Conn, error) {
	timeout := o.DialTimeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	network, addr := o.Network, o.Addr
	if network == "" {
		network = "tcp"
	}
	if addr == "" {
		addr = "localhost:6379"
	}
	var nc net.Conn
	var err error
	if o.Dialer != nil {
		nc, err = o.Dialer(ctx, network, addr)
	} else {
		d := net.Dialer{KeepAlive: 30 * time.Second}
		nc, err = d.DialContext(ctx, network, addr)
	}
	if err != nil {
		return nil, &Error{Op: "dial", Err: err}
	}
	if o.TLSConfig != nil {
		cfg := o.TLSConfig
		if cfg.ServerName == "" && network != "unix" {
			cfg = cfg.Clone()
			host, _, _ := net.SplitHostPort(addr)
			cfg.ServerName = host
		}
		tc := tls.Client(nc, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			nc.Close()
			return nil, &Error{Op: "dial", Err: fmt.Errorf("tls handshake: %w", err)}
		}
		nc = tc
	}
	size := o.ReadBufferSize
	if size <= 0 {
		size = resp.DefaultReadBufferSize
	}
	c := &Conn{nc: nc, proto: 2, createdAt: time.Now()}
	c.initPeeker()
	c.rd = resp.NewReaderSize(socketReader{c}, size, o.Limits)
	c.usedAt.Store(c.createdAt.UnixNano())
	if err := c.handshake(ctx, o); err != nil {
		nc.Close()
		// Nothing of the caller's has been sent yet: an I/O failure during
		// setup is a failed dial.
		var ce *Error
		if errors.As(err, &ce) {
			return nil, &Error{Op: "dial", Err: ce.Err}
		}
		return nil, err
	}
	return c, nil
}

// HandshakeError is a server's refusal during the handshake, such as a
// wrong password. It wraps the server's *resp.Error.
type HandshakeError struct {
	Step string // "HELLO", "AUTH", "SELECT", ...
	Err  error
}

// Error describes the refusal.
func (e *HandshakeError) Error() string {
	return "redis: handshake: " + e.Step + ": " + e.Err.Error()
}

// Unwrap returns the server's error.
func (e *HandshakeError) Unwrap() error { return e.Err }

func (c *Conn) handshake(ctx context.Context, o *Options) error {
	var user, pass string
	if o.Credentials != nil {
		var err error
		user, pass, err = o.Credentials(ctx)
		if err != nil {
			return &Error{Op: "dial", Err: fmt.Errorf("credentials: %w", err)}
		}
	}
	if deadline, ok := ctx.Deadline(); ok {
		c.nc.SetDeadline(deadline)
		defer c.nc.SetDeadline(time.Time{})
	}
	stop := context.AfterFunc(ctx, func() { c.nc.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	tail, steps := setupCommands(o)
	if o.Protocol != 2 {
		done, err := c.hello(ctx, o, user, pass, tail, steps)
		if done || err != nil {
			return err
		}
	}
	return c.setupRESP2(ctx, o, user, pass, tail, steps)
}

// setupCommands encodes what follows the greeting (SELECT, CLIENT SETINFO,
// READONLY), sent in the same write, and names each step for error
// messages.
func setupCommands(o *Options) (tail []byte, steps []string) {
	var e resp.Encoder
	if o.DB != 0 {
		e.Begin()
		e.String("SELECT")
		e.Int(int64(o.DB))
		e.End()
		steps = append(steps, "SELECT")
	}
	for _, kv := range [][2]string{{"LIB-NAME", o.LibName}, {"LIB-VER", o.LibVer}} {
		if kv[1] == "" {
			continue
		}
		e.Begin()
		e.String("CLIENT")
		e.String("SETINFO")
		e.String(kv[0])
		e.String(kv[1])
		e.End()
		steps = append(steps, "SETINFO")
	}
	if o.ReadOnly {
		e.Begin()
		e.String("READONLY")
		e.End()
		steps = append(steps, "READONLY")
	}
	if o.Tracking != nil {
		e.Begin()
		e.String("CLIENT")
		e.String("TRACKING")
		e.String("on")
		for _, a := range o.Tracking {
			e.String(a)
		}
		e.End()
		steps = append(steps, "CLIENT TRACKING")
	}
	return e.Bytes(), steps
}

// hello sends HELLO 3 (with AUTH and SETNAME) followed by tail. done is
// false when the server does not know RESP3 and the caller may fall back
// to RESP2.
func (c *Conn) hello(ctx context.Context, o *Options, user, pass string, tail []byte, steps []string) (done bool, err error) {
	var e resp.Encoder
	e.Begin()
	e.String("HELLO")
	e.String("3")
	if user != "" || pass != "" {
		e.String("AUTH")
		e.String(cmp.Or(user, "default"))
		e.String(pass)
	}
	if o.ClientName != "" {
		e.String("SETNAME")
		e.String(o.ClientName)
	}
	e.End()
	replies, err := c.exchange(ctx, append(e.Bytes(), tail...), 1+len(steps))
	if err != nil {
		return true, err
	}
	if err := replies[0].Err(); err != nil {
		if !helloUnsupported(err) {
			return true, &HandshakeError{Step: "HELLO", Err: err}
		}
		if o.Protocol == 3 {
			return true, &HandshakeError{Step: "HELLO", Err: fmt.Errorf("server does not support RESP3: %w", err)}
		}
		return false, nil // the tail's replies are moot: it is sent again
	}
	c.proto = 3
	return true, checkSteps(steps, replies[1:])
}

// setupRESP2 sets a RESP2 connection up: AUTH, CLIENT SETNAME, then tail.
func (c *Conn) setupRESP2(ctx context.Context, o *Options, user, pass string, tail []byte, steps []string) error {
	var e resp.Encoder
	var pre []string
	if user != "" || pass != "" {
		e.Begin()
		e.String("AUTH")
		if user != "" && user != "default" {
			e.String(user)
		}
		e.String(pass)
		e.End()
		pre = append(pre, "AUTH")
	}
	if o.ClientName != "" {
		e.Begin()
		e.String("CLIENT")
		e.String("SETNAME")
		e.String(o.ClientName)
		e.End()
		pre = append(pre, "CLIENT SETNAME")
	}
	all := append(pre, steps...)
	if len(all) == 0 {
		return nil
	}
	replies, err := c.exchange(ctx, append(e.Bytes(), tail...), len(all))
	if err != nil {
		return err
	}
	return checkSteps(all, replies)
}

// checkSteps turns the first error reply into a HandshakeError, except for
// CLIENT SETINFO, which older servers do not know.
func checkSteps(steps []string, replies []resp.Value) error {
	for i, s := range steps {
		if err := replies[i].Err(); err != nil && s != "SETINFO" {
			return &HandshakeError{Step: s, Err: err}
		}
	}
	return nil
}

func helloUnsupported(err error) bool {
	var re *resp.Error
	if !errors.As(err, &re) {
		return false
	}
	switch re.Code() {
	case "NOPROTO":
		return true
	case "ERR":
		// "ERR unknown command 'HELLO'" from servers before 6.0.
		return len(re.Msg) > 15 && re.Msg[:15] == "ERR unknown com"
	}
	return false
}

// exchange writes buf and reads n replies, honouring ctx through the
// deadline set by the caller.
func (c *Conn) exchange(ctx context.Context, buf []byte, n int) ([]resp.Value, error) {
	if _, err := c.nc.Write(buf); err != nil {
		return nil, &Error{Op: "write", Err: ctxErr(ctx, err), Sent: true}
	}
	out := make([]resp.Value, n)
	for i := range out {
		v, err := c.rd.Read()
		if err != nil {
			return nil, &Error{Op: "read", Err: ctxErr(ctx, err), Sent: true}
		}
		out[i] = v
	}
	return out, nil
}

// ctxErr attributes a failure to ctx when ctx has ended, or when it is a
// timeout at or after ctx's deadline (the connection's deadline can fire
// a moment before the context's own timer).
func ctxErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%w (%w)", context.Cause(ctx), err)
	}
	var ne net.Error
	if d, ok := ctx.Deadline(); ok && errors.As(err, &ne) && ne.Timeout() && !time.Now().Before(d) {
		return fmt.Errorf("%w (%w)", context.DeadlineExceeded, err)
	}
	return err
}

// Proto returns the protocol the connection speaks: 2 or 3.
func (c *Conn) Proto() int { return c.proto }

// NetConn returns the underlying network connection.
func (c *Conn) NetConn() net.Conn { return c.nc }

// Reader returns the connection's reply reader.
func (c *Conn) Reader() *resp.Reader { return c.rd }

// CreatedAt returns when the connection was established.
func (c *Conn) CreatedAt() time.Time { return c.createdAt }

// UsedAt returns when the connection was last used.
func (c *Conn) UsedAt() time.Time { return time.Unix(0, c.usedAt.Load()) }

// Touch records a use now.
func (c *Conn) Touch() { c.usedAt.Store(time.Now().UnixNano()) }

// Broken reports whether the connection's stream can no longer be trusted.
func (c *Conn) Broken() bool { return c.broken.Load() }

// MarkBroken records that the stream can no longer be trusted (a reply
// was not fully read); the owner must close it rather than reuse it.
func (c *Conn) MarkBroken() { c.broken.Store(true) }

// Close closes the network connection. It is safe to call more than once
// and from any goroutine.
func (c *Conn) Close() error {
	c.broken.Store(true)
	c.closeOnce.Do(func() { c.closeErr = c.nc.Close() })
	return c.closeErr
}

// readWatch is how reads from the socket are bounded while an exclusive
// exchange is under way.
type readWatch struct {
	ctx   context.Context // nil: reads are not bounded here
	stall time.Duration   // the most time between two reads that return data; 0: none
}

// socketReader is what the connection's resp.Reader reads from: the socket,
// counted, and bounded by the connection's readWatch.
type socketReader struct{ c *Conn }

// Read reads from the socket. Under a watch it first sets the read deadline
// (the stall limit from now, capped by the context's deadline) and then
// checks the context: a cancellation that ran before the deadline was set
// would otherwise be overwritten by it.
func (s socketReader) Read(p []byte) (int, error) {
	c := s.c
	if ctx := c.watch.ctx; ctx != nil {
		c.nc.SetReadDeadline(deadlineFor(ctx, c.watch.stall))
		if ctx.Err() != nil {
			return 0, context.Cause(ctx)
		}
	}
	n, err := c.nc.Read(p)
	c.bytesRead.Add(uint64(n))
	return n, err
}

// BytesRead returns how many bytes have been read from the connection.
func (c *Conn) BytesRead() uint64 { return c.bytesRead.Load() }

// cancelOnDone makes ctx's end abort any blocked read or write on the
// connection by setting a deadline in the past. The returned stop reports
// whether that happened; it returns only once the deadline is set, so the
// caller may then reset it.
func (c *Conn) cancelOnDone(ctx context.Context) (stop func() (cancelled bool)) {
	if ctx.Done() == nil {
		return func() bool { return false }
	}
	fired := make(chan struct{})
	halt := context.AfterFunc(ctx, func() {
		c.nc.SetDeadline(time.Unix(1, 0))
		close(fired)
	})
	return func() bool {
		if halt() {
			return false
		}
		<-fired
		return true
	}
}

// write writes buf under a write deadline of timeout (0: none), capped by
// ctx. The deadline is set before ctx is checked, so a cancellation cannot
// be overwritten by it; a cancelled ctx sends nothing.
func (c *Conn) write(ctx context.Context, buf []byte, timeout time.Duration) error {
	c.nc.SetWriteDeadline(deadlineFor(ctx, timeout))
	if ctx.Err() != nil {
		return &Error{Op: "write", Err: context.Cause(ctx)}
	}
	if _, err := c.nc.Write(buf); err != nil {
		c.Close()
		return &Error{Op: "write", Err: ctxErr(ctx, err), Sent: true}
	}
	return nil
}

// RoundTrip writes buf, which holds len(out) encoded commands, and reads
// one reply for each into out. Each reply must begin within readTimeout
// (when > 0) and then keep arriving with no gap longer than readTimeout,
// all capped by ctx's deadline; cancelling ctx aborts the exchange at any
// point, mid-reply included. RESP3 push frames met on the way are kept for
// Receive. Any failure marks the connection broken.
func (c *Conn) RoundTrip(ctx context.Context, buf []byte, out []resp.Value, writeTimeout, readTimeout time.Duration) (err error) {
	if c.Broken() {
		return &Error{Op: "write", Err: net.ErrClosed}
	}
	stop := c.cancelOnDone(ctx)
	defer func() {
		if !stop() {
			return
		}
		if err != nil {
			c.Close() // cancelled mid-exchange: replies may be left unread
			return
		}
		// Cancelled once every reply was in: the stream is in step; only
		// the past deadline the cancellation set is left to clear.
		c.nc.SetDeadline(time.Time{})
	}()
	if err := c.write(ctx, buf, writeTimeout); err != nil {
		return err
	}
	c.watch = readWatch{ctx: ctx, stall: readTimeout}
	defer func() { c.watch = readWatch{} }()
	for i := 0; i < len(out); {
		v, err := c.rd.Read()
		if err != nil {
			c.Close()
			return &Error{Op: "read", Err: ctxErr(ctx, err), Sent: true}
		}
		if v.Type() == resp.Push && c.proto == 3 {
			c.keepPush(v)
			continue
		}
		out[i] = v
		i++
	}
	c.Touch()
	return nil
}

// maxKeptPushes bounds the push frames kept for Receive; past it the oldest
// are dropped.
const maxKeptPushes = 1024

func (c *Conn) keepPush(v resp.Value) {
	if len(c.pushes) == maxKeptPushes {
		copy(c.pushes, c.pushes[1:])
		c.pushes = c.pushes[:len(c.pushes)-1]
	}
	c.pushes = append(c.pushes, v)
}

// DropPushes discards the push frames kept for Receive, as when the
// connection goes back to a pool.
func (c *Conn) DropPushes() {
	clear(c.pushes)
	c.pushes = c.pushes[:0]
}

// deadlineFor returns the deadline of an operation allowed timeout (0:
// none), capped by ctx's deadline.
func deadlineFor(ctx context.Context, timeout time.Duration) time.Time {
	var t time.Time
	if timeout > 0 {
		t = time.Now().Add(timeout)
	}
	if d, ok := ctx.Deadline(); ok && (t.IsZero() || d.Before(t)) {
		t = d
	}
	return t
}

// Send writes buf without reading any reply, for connections whose replies
// arrive as a stream (pub/sub). It may run while another goroutine is in
// Receive; concurrent Sends must be serialised by the caller. A failure
// closes the connection.
func (c *Conn) Send(ctx context.Context, buf []byte, timeout time.Duration) error {
	if c.Broken() {
		return &Error{Op: "write", Err: net.ErrClosed}
	}
	stop := c.cancelOnDone(ctx)
	err := c.write(ctx, buf, timeout)
	if stop() && err == nil {
		c.Close() // the cancellation may have cut the write short
		return &Error{Op: "write", Err: context.Cause(ctx), Sent: true}
	}
	return err
}

// Receive returns the next frame the server sends, reply or push: first
// any push frames kept by RoundTrip, then what it reads, waiting at most
// timeout (0: no limit) for the frame to begin, or until ctx ends. A
// timeout or an end of ctx before the frame began leaves the connection
// usable (nothing was consumed). Once a frame has begun, it must keep
// arriving with no gap longer than timeout; an end of ctx then aborts the
// read and closes the connection, as does any other failure.
func (c *Conn) Receive(ctx context.Context, timeout time.Duration) (resp.Value, error) {
	if len(c.pushes) > 0 {
		v := c.pushes[0]
		c.pushes[0] = resp.Value{}
		c.pushes = c.pushes[1:]
		return v, nil
	}
	if c.rd.Buffered() == 0 {
		if err := c.awaitFrame(ctx, timeout); err != nil {
			return resp.Value{}, err
		}
	}
	stop := c.cancelOnDone(ctx)
	c.watch = readWatch{ctx: ctx, stall: timeout}
	v, err := c.rd.Read()
	c.watch = readWatch{}
	if stop() && err == nil {
		c.nc.SetReadDeadline(time.Time{}) // the frame is in: the past deadline is moot
	}
	if err != nil {
		c.Close()
		return resp.Value{}, &Error{Op: "read", Err: ctxErr(ctx, err)}
	}
	c.nc.SetReadDeadline(time.Time{})
	c.Touch()
	return v, nil
}

// awaitFrame waits for the first byte of a frame, consuming nothing, at
// most timeout (0: no limit) or until ctx ends. Only a failure other than
// that wait ending closes the connection.
func (c *Conn) awaitFrame(ctx context.Context, timeout time.Duration) error {
	stop := c.cancelOnDone(ctx)
	c.nc.SetReadDeadline(deadlineFor(ctx, timeout))
	err := context.Cause(ctx)
	if err == nil {
		err = c.rd.Fill()
	}
	cancelled := stop()
	switch {
	case err == nil:
		return nil // a frame has begun
	case isTimeout(err), err == context.Cause(ctx):
		// Nothing consumed: the connection stays usable.
		c.nc.SetReadDeadline(time.Time{})
		if cancelled {
			c.nc.SetWriteDeadline(time.Time{})
		}
		if err != context.Cause(ctx) {
			err = ctxErr(ctx, err)
		}
		return &Error{Op: "read", Err: err}
	}
	c.Close()
	return &Error{Op: "read", Err: ctxErr(ctx, err)}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// Ping sends PING and checks the reply, within timeout.
func (c *Conn) Ping(ctx context.Context, timeout time.Duration) error {
	out := make([]resp.Value, 1)
	if err := c.RoundTrip(ctx, pingCmd, out, timeout, timeout); err != nil {
		return err
	}
	if err := out[0].Err(); err != nil {
		return err
	}
	return nil
}

var pingCmd = []byte("*1\r\n$4\r\nPING\r\n")

// String describes the connection for logs.
func (c *Conn) String() string {
	return "conn(" + c.nc.LocalAddr().String() + "->" + c.nc.RemoteAddr().String() + ", resp" + strconv.Itoa(c.proto) + ")"
}
