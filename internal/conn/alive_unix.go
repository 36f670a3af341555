//go:build linux || darwin || freebsd || netbsd || openbsd

package conn

import (
	"crypto/tls"
	"errors"
	"net"
	"syscall"
)

// Alive reports whether an idle connection still looks usable: the server
// has not closed it and sent nothing unasked. It peeks at the socket
// without blocking or consuming anything.
func (c *Conn) Alive() bool {
	if c.Broken() {
		return false
	}
	nc := c.nc
	tc, isTLS := nc.(*tls.Conn)
	if isTLS {
		nc = tc.NetConn()
	}
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return true
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	alive := true
	var buf [1]byte
	err = raw.Read(func(fd uintptr) bool {
		n, _, err := syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		switch {
		case n == 0 && err == nil: // orderly shutdown by the server
			alive = false
		case n > 0:
			// Unsolicited bytes: an error reply or a stray push on a plain
			// connection; on TLS they may be a post-handshake record.
			alive = isTLS
		case errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EWOULDBLOCK):
			// nothing to read: alive
		case err != nil:
			alive = false
		}
		return true // never wait for readiness
	})
	if err != nil && !errors.Is(err, net.ErrClosed) {
		return false
	}
	return alive && err == nil
}
