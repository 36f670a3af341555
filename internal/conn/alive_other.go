//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package conn

type peeker struct{}

func (c *Conn) initPeeker() {}

// Alive reports whether the connection is not known to be broken. On this
// platform it cannot peek at the socket.
func (c *Conn) Alive() bool { return !c.Broken() }

// Closed reports whether the connection is known to be broken.
func (c *Conn) Closed() bool { return c.Broken() }
