package redistest

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"
)

// ReplyError is an error reply of a server, without the leading '-', for
// example "MOVED 3999 127.0.0.1:6381" or "ERR unknown command". Cluster.Do
// returns it as its error; inside an array reply it appears as an element.
type ReplyError string

// Error returns the error reply text.
func (e ReplyError) Error() string { return string(e) }

// maxReplyDepth bounds the nesting of array replies the internal client
// accepts.
const maxReplyDepth = 16

// respConn is the package's own minimal RESP2 client, used to wire and
// inspect clusters. Replies decode to string (simple and bulk strings),
// int64, nil (null bulk or array), []any, or ReplyError. It is not safe for
// concurrent use.
type respConn struct {
	conn net.Conn
	r    *bufio.Reader
	buf  []byte
}

// dialServer connects to s, over TLS (with the client certificate, so
// tls-auth-clients yes works) when s uses TLS, and authenticates with the
// default user's password when s has one.
func dialServer(s *Server, deadline time.Time) (*respConn, error) {
	d := net.Dialer{Deadline: deadline}
	var conn net.Conn
	var err error
	if s.pki != nil {
		td := tls.Dialer{NetDialer: &d, Config: s.pki.clientConfig(true)}
		conn, err = td.Dial("tcp", s.Addr())
	} else {
		conn, err = d.Dial("tcp", s.Addr())
	}
	if err != nil {
		return nil, err
	}
	c := &respConn{conn: conn, r: bufio.NewReader(conn)}
	if s.cfg.Password != "" {
		if _, err := c.do(deadline, "AUTH", s.cfg.Password); err != nil {
			conn.Close()
			return nil, fmt.Errorf("AUTH: %w", err)
		}
	}
	return c, nil
}

func (c *respConn) close() { c.conn.Close() }

// do sends one command and returns its reply; an error reply is returned as
// a ReplyError error.
func (c *respConn) do(deadline time.Time, args ...string) (any, error) {
	replies, err := c.pipeline(deadline, args)
	if err != nil {
		return nil, err
	}
	if e, ok := replies[0].(ReplyError); ok {
		return nil, e
	}
	return replies[0], nil
}

// pipeline sends the commands in one write and reads one reply per command.
// Error replies are returned as ReplyError values in their place; the error
// result is only for I/O and protocol errors, after which the connection is
// unusable.
func (c *respConn) pipeline(deadline time.Time, cmds ...[]string) ([]any, error) {
	if err := c.conn.SetDeadline(deadline); err != nil {
		return nil, err
	}
	c.buf = c.buf[:0]
	for _, args := range cmds {
		c.buf = append(c.buf, '*')
		c.buf = strconv.AppendInt(c.buf, int64(len(args)), 10)
		c.buf = append(c.buf, '\r', '\n')
		for _, a := range args {
			c.buf = append(c.buf, '$')
			c.buf = strconv.AppendInt(c.buf, int64(len(a)), 10)
			c.buf = append(c.buf, '\r', '\n')
			c.buf = append(c.buf, a...)
			c.buf = append(c.buf, '\r', '\n')
		}
	}
	if _, err := c.conn.Write(c.buf); err != nil {
		return nil, err
	}
	replies := make([]any, len(cmds))
	for i := range replies {
		v, err := c.readReply(0)
		if err != nil {
			return nil, err
		}
		replies[i] = v
	}
	return replies, nil
}

var errProtocol = errors.New("redistest: RESP protocol error")

// readReply reads one RESP2 reply.
func (c *respConn) readReply(depth int) (any, error) {
	line, err := c.r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	if len(line) < 3 || !strings.HasSuffix(line, "\r\n") {
		return nil, fmt.Errorf("%w: line %q", errProtocol, line)
	}
	kind, body := line[0], line[1:len(line)-2]
	switch kind {
	case '+':
		return body, nil
	case '-':
		return ReplyError(body), nil
	case ':':
		n, err := strconv.ParseInt(body, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%w: integer %q", errProtocol, body)
		}
		return n, nil
	case '$':
		n, err := strconv.Atoi(body)
		if err != nil || n < -1 {
			return nil, fmt.Errorf("%w: bulk length %q", errProtocol, body)
		}
		if n == -1 {
			return nil, nil
		}
		b := make([]byte, n+2)
		if _, err := io.ReadFull(c.r, b); err != nil {
			return nil, err
		}
		if b[n] != '\r' || b[n+1] != '\n' {
			return nil, fmt.Errorf("%w: bulk string not terminated by CRLF", errProtocol)
		}
		return string(b[:n]), nil
	case '*':
		n, err := strconv.Atoi(body)
		if err != nil || n < -1 {
			return nil, fmt.Errorf("%w: array length %q", errProtocol, body)
		}
		if n == -1 {
			return nil, nil
		}
		if depth >= maxReplyDepth {
			return nil, fmt.Errorf("%w: arrays nested deeper than %d", errProtocol, maxReplyDepth)
		}
		arr := make([]any, n)
		for i := range arr {
			if arr[i], err = c.readReply(depth + 1); err != nil {
				return nil, err
			}
		}
		return arr, nil
	}
	return nil, fmt.Errorf("%w: unexpected type byte %q", errProtocol, kind)
}
