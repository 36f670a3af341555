//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package conn

// Alive reports whether the connection is not known to be broken. On this
// platform it cannot peek at the socket.
func (c *Conn) Alive() bool { return !c.Broken() }
