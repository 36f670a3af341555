//go:build linux || darwin || freebsd || netbsd || openbsd

package conn

import (
	"crypto/tls"
	"errors"
	"syscall"
)

// peeker looks at a socket without blocking or consuming anything. It is
// set up once per connection so that a peek allocates nothing; a peek is
// not safe for concurrent use (callers own the connection or hold a lock).
type peeker struct {
	raw   syscall.RawConn
	isTLS bool
	fn    func(fd uintptr) bool // bound to this peeker
	buf   [1]byte
	n     int
	err   error
}

func (c *Conn) initPeeker() {
	nc := c.nc
	tc, isTLS := nc.(*tls.Conn)
	if isTLS {
		nc = tc.NetConn()
	}
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return
	}
	p := &peeker{raw: raw, isTLS: isTLS}
	p.fn = func(fd uintptr) bool {
		p.n, _, p.err = syscall.Recvfrom(int(fd), p.buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		return true // never wait for readiness
	}
	c.peek = p
}

// Alive reports whether an idle connection still looks usable: the server
// has not closed it and sent nothing unasked. It peeks at the socket
// without blocking or consuming anything. The caller must own the
// connection.
func (c *Conn) Alive() bool { return c.peekAlive(false) }

// Closed reports whether the server has closed the connection (or it has
// failed). Unlike Alive, bytes waiting to be read do not count against it.
// Calls must not run concurrently.
func (c *Conn) Closed() bool { return !c.peekAlive(true) }

func (c *Conn) peekAlive(bytesOK bool) bool {
	if c.Broken() {
		return false
	}
	p := c.peek
	if p == nil {
		return true
	}
	if err := p.raw.Read(p.fn); err != nil {
		return false
	}
	switch {
	case p.n == 0 && p.err == nil: // orderly shutdown by the server
		return false
	case p.n > 0:
		// Unsolicited bytes: an error reply or a stray push on a plain
		// connection; on TLS they may be a post-handshake record.
		return bytesOK || p.isTLS
	case errors.Is(p.err, syscall.EAGAIN) || errors.Is(p.err, syscall.EWOULDBLOCK):
		return true // nothing to read
	}
	return false
}
