// Package conn is one connection to a Redis server: dialing over TCP, TLS
// or a Unix socket, the handshake (HELLO, AUTH, SELECT, CLIENT SETNAME,
// CLIENT SETINFO), and request/reply exchanges on a connection owned by one
// caller at a time. The multiplexer and the pool build on it.
package conn

import (
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
	c.rd = resp.NewReaderSize(nc, size, o.Limits)
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
	auth := user != "" || pass != ""
	if user == "" {
		user = "default"
	}
	if deadline, ok := ctx.Deadline(); ok {
		c.nc.SetDeadline(deadline)
		defer c.nc.SetDeadline(time.Time{})
	}
	stop := context.AfterFunc(ctx, func() { c.nc.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	// The rest of the handshake, sent with HELLO in one write.
	var tail resp.Encoder
	var steps []string
	if o.DB != 0 {
		tail.Begin()
		tail.String("SELECT")
		tail.Int(int64(o.DB))
		tail.End()
		steps = append(steps, "SELECT")
	}
	if o.LibName != "" || o.LibVer != "" {
		for _, kv := range [][2]string{{"LIB-NAME", o.LibName}, {"LIB-VER", o.LibVer}} {
			if kv[1] == "" {
				continue
			}
			tail.Begin()
			tail.String("CLIENT")
			tail.String("SETINFO")
			tail.String(kv[0])
			tail.String(kv[1])
			tail.End()
			steps = append(steps, "SETINFO")
		}
	}

	if o.Protocol != 2 {
		var e resp.Encoder
		e.Begin()
		e.String("HELLO")
		e.String("3")
		if auth {
			e.String("AUTH")
			e.String(user)
			e.String(pass)
		}
		if o.ClientName != "" {
			e.String("SETNAME")
			e.String(o.ClientName)
		}
		e.End()
		buf := append(e.Bytes(), tail.Bytes()...)
		replies, err := c.exchange(ctx, buf, 1+len(steps))
		if err != nil {
			return err
		}
		hello := replies[0]
		if err := hello.Err(); err != nil {
			if !helloUnsupported(err) {
				return &HandshakeError{Step: "HELLO", Err: err}
			}
			if o.Protocol == 3 {
				return &HandshakeError{Step: "HELLO", Err: fmt.Errorf("server does not support RESP3: %w", err)}
			}
			// Fall through to RESP2 below; the tail's replies are moot.
		} else {
			c.proto = 3
			return checkSteps(steps, replies[1:])
		}
	}

	// RESP2: AUTH, CLIENT SETNAME, then the tail.
	var e resp.Encoder
	var pre []string
	if auth {
		e.Begin()
		e.String("AUTH")
		if user != "default" {
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
	buf := append(e.Bytes(), tail.Bytes()...)
	replies, err := c.exchange(ctx, buf, len(all))
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

// RoundTrip writes buf, which holds len(out) encoded commands, and reads
// one reply for each into out. A read deadline of readTimeout (when > 0)
// applies to each reply, capped by ctx's deadline; cancelling ctx aborts
// the exchange. Any failure marks the connection broken.
func (c *Conn) RoundTrip(ctx context.Context, buf []byte, out []resp.Value, writeTimeout, readTimeout time.Duration) error {
	if c.Broken() {
		return &Error{Op: "write", Err: net.ErrClosed}
	}
	ctxDeadline, hasDeadline := ctx.Deadline()
	if done := ctx.Done(); done != nil {
		stop := context.AfterFunc(ctx, func() { c.nc.SetDeadline(time.Unix(1, 0)) })
		defer func() {
			if !stop() {
				// The cancellation ran, or is running, and may leave a
				// deadline in the past at any moment: retire the connection.
				c.Close()
			}
		}()
	}
	deadline := func(d time.Duration) time.Time {
		var t time.Time
		if d > 0 {
			t = time.Now().Add(d)
		}
		if hasDeadline && (t.IsZero() || ctxDeadline.Before(t)) {
			t = ctxDeadline
		}
		return t
	}
	c.nc.SetWriteDeadline(deadline(writeTimeout))
	if _, err := c.nc.Write(buf); err != nil {
		c.Close()
		return &Error{Op: "write", Err: ctxErr(ctx, err), Sent: true}
	}
	for i := range out {
		c.nc.SetReadDeadline(deadline(readTimeout))
		v, err := c.rd.Read()
		if err != nil {
			c.Close()
			return &Error{Op: "read", Err: ctxErr(ctx, err), Sent: true}
		}
		out[i] = v
	}
	c.Touch()
	return nil
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
	c.nc.SetWriteDeadline(deadlineFor(ctx, timeout))
	if _, err := c.nc.Write(buf); err != nil {
		c.Close()
		return &Error{Op: "write", Err: ctxErr(ctx, err), Sent: true}
	}
	return nil
}

// Receive reads the next frame the server sends, reply or push, waiting at
// most timeout (0: no limit) or until ctx ends. A timeout leaves the
// connection usable (no byte of a frame was consumed: Fill waits for the
// first one); any other failure closes it.
func (c *Conn) Receive(ctx context.Context, timeout time.Duration) (resp.Value, error) {
	if done := ctx.Done(); done != nil {
		stop := context.AfterFunc(ctx, func() { c.nc.SetReadDeadline(time.Unix(1, 0)) })
		defer stop()
	}
	if c.rd.Buffered() == 0 {
		c.nc.SetReadDeadline(deadlineFor(ctx, timeout))
		if err := c.rd.Fill(); err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() && ctx.Err() == nil {
				return resp.Value{}, &Error{Op: "read", Err: err}
			}
			c.Close()
			return resp.Value{}, &Error{Op: "read", Err: ctxErr(ctx, err)}
		}
	}
	// A frame has begun: read all of it, however long that takes.
	c.nc.SetReadDeadline(time.Time{})
	v, err := c.rd.Read()
	if err != nil {
		c.Close()
		return resp.Value{}, &Error{Op: "read", Err: ctxErr(ctx, err)}
	}
	c.Touch()
	return v, nil
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
