package redistest_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/respkit/redis/redistest"
)

// rawConn is a client connection through the proxy, spoken to in raw RESP.
type rawConn struct {
	t    testing.TB
	conn net.Conn
	r    *bufio.Reader
}

func dialRaw(t testing.TB, addr string) *rawConn {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { conn.Close() })
	return &rawConn{t: t, conn: conn, r: bufio.NewReader(conn)}
}

func encode(args ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	return b.String()
}

// send writes one command.
func (c *rawConn) send(args ...string) {
	c.t.Helper()
	c.conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c.conn, encode(args...)); err != nil {
		c.t.Fatalf("send %v: %v", args, err)
	}
}

// line reads one reply line within timeout, without its CRLF.
func (c *rawConn) line(timeout time.Duration) (string, error) {
	c.conn.SetReadDeadline(time.Now().Add(timeout))
	s, err := c.r.ReadString('\n')
	return strings.TrimSuffix(s, "\r\n"), err
}

// expectLine reads one reply line and compares it.
func (c *rawConn) expectLine(want string) {
	c.t.Helper()
	got, err := c.line(5 * time.Second)
	if err != nil || got != want {
		c.t.Fatalf("reply %q, %v; want %q", got, err, want)
	}
}

// silent asserts that nothing arrives within d and the connection stays
// open (the read times out rather than failing).
func (c *rawConn) silent(d time.Duration) {
	c.t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(d))
	b, err := c.r.ReadByte()
	var ne net.Error
	if err == nil {
		c.t.Fatalf("got byte %q, want silence for %v", b, d)
	}
	if !errors.As(err, &ne) || !ne.Timeout() {
		c.t.Fatalf("read: %v, want a timeout (silence on an open connection)", err)
	}
}

// readToEOF reads until the connection ends and returns what came and how
// it ended.
func (c *rawConn) readToEOF(timeout time.Duration) ([]byte, error) {
	c.conn.SetReadDeadline(time.Now().Add(timeout))
	b, err := io.ReadAll(c.r)
	return b, err
}

// expectClosed asserts that the connection ends within timeout (EOF or a
// reset), with nothing more to read than want.
func (c *rawConn) expectClosed(want string) {
	c.t.Helper()
	got, err := c.readToEOF(5 * time.Second)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		c.t.Fatalf("connection still open after 5s (read %d bytes)", len(got))
	}
	if string(got) != want {
		c.t.Fatalf("read %d bytes %.40q before the close, want %d bytes %.40q", len(got), got, len(want), want)
	}
}

// waitFor polls cond for up to 5s.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// connectedClients reads connected_clients from INFO over c.
func connectedClients(t testing.TB, c *client) int {
	t.Helper()
	info := c.must("INFO", "clients")
	for line := range strings.SplitSeq(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, "connected_clients:"); ok {
			n, err := strconv.Atoi(v)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatalf("no connected_clients in %q", info)
	return 0
}

func TestProxy(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t, redistest.Config{})
	direct := dialTCP(t, srv.Addr())
	direct.conn.SetDeadline(time.Time{})
	get := func(key string) string { return direct.must("GET", key) }

	t.Run("Forwards", func(t *testing.T) {
		p := redistest.StartProxy(t, srv.Addr())
		c := dialRaw(t, p.Addr())
		c.send("PING")
		c.expectLine("+PONG")
		if p.Accepted() != 1 || p.Active() != 1 {
			t.Fatalf("Accepted %d, Active %d; want 1, 1", p.Accepted(), p.Active())
		}
		c.conn.Close()
		waitFor(t, "Active() == 0", func() bool { return p.Active() == 0 })
	})

	t.Run("DelayToServer", func(t *testing.T) {
		p := redistest.StartProxy(t, srv.Addr())
		c := dialRaw(t, p.Addr())
		const d = 400 * time.Millisecond
		p.Delay(redistest.ToServer, d)
		start := time.Now()
		c.send("SET", "delay:up", "v")
		if v := get("delay:up"); v != "(nil)" && time.Since(start) < d {
			t.Fatalf("the command reached the server before its delay: %q", v)
		}
		c.expectLine("+OK")
		if e := time.Since(start); e < d {
			t.Fatalf("round trip %v, want >= %v", e, d)
		}
	})

	t.Run("DelayToClient", func(t *testing.T) {
		p := redistest.StartProxy(t, srv.Addr())
		c := dialRaw(t, p.Addr())
		const d = 400 * time.Millisecond
		p.Delay(redistest.ToClient, d)
		start := time.Now()
		c.send("SET", "delay:down", "v")
		waitFor(t, "the SET to run", func() bool { return get("delay:down") == "v" })
		if time.Since(start) > d {
			t.Skip("machine too slow to tell the directions apart")
		}
		c.expectLine("+OK")
		if e := time.Since(start); e < d {
			t.Fatalf("round trip %v, want >= %v", e, d)
		}
	})

	t.Run("SetDelayBoth", func(t *testing.T) {
		p := redistest.StartProxy(t, srv.Addr())
		c := dialRaw(t, p.Addr())
		const d = 150 * time.Millisecond
		p.SetDelay(d)
		start := time.Now()
		c.send("PING")
		c.expectLine("+PONG")
		if e := time.Since(start); e < 2*d {
			t.Fatalf("round trip %v with %v each way, want >= %v", e, d, 2*d)
		}
		p.SetDelay(0)
		start = time.Now()
		c.send("PING")
		c.expectLine("+PONG")
		if e := time.Since(start); e >= d {
			t.Logf("round trip after SetDelay(0): %v (slow machine?)", e)
		}
	})

	t.Run("PauseToServer", func(t *testing.T) {
		p := redistest.StartProxy(t, srv.Addr())
		c := dialRaw(t, p.Addr())
		p.Pause(redistest.ToServer, true)
		c.send("SET", "pause:up", "v")
		c.silent(200 * time.Millisecond)
		if v := get("pause:up"); v != "(nil)" {
			t.Fatalf("a paused command ran: %q", v)
		}
		p.Pause(redistest.ToServer, false)
		c.expectLine("+OK")
		expect(t, get("pause:up"), "v")
	})

	t.Run("PauseToClient", func(t *testing.T) {
		p := redistest.StartProxy(t, srv.Addr())
		c := dialRaw(t, p.Addr())
		p.Pause(redistest.ToClient, true)
		c.send("SET", "pause:down", "v")
		waitFor(t, "the SET to run", func() bool { return get("pause:down") == "v" })
		c.silent(200 * time.Millisecond)
		p.Pause(redistest.ToClient, false)
		c.expectLine("+OK")
	})

	t.Run("Stall", func(t *testing.T) {
		p := redistest.StartProxy(t, srv.Addr())
		c := dialRaw(t, p.Addr())
		p.Stall(true)
		c.send("SET", "stall", "v")
		c.silent(200 * time.Millisecond)
		if v := get("stall"); v != "(nil)" {
			t.Fatalf("a stalled command ran: %q", v)
		}
		p.Stall(false)
		c.expectLine("+OK")
	})

	t.Run("DropToServer", func(t *testing.T) {
		p := redistest.StartProxy(t, srv.Addr())
		c := dialRaw(t, p.Addr())
		p.Drop(redistest.ToServer, true)
		c.send("SET", "drop:up", "v")
		c.silent(200 * time.Millisecond)
		p.Drop(redistest.ToServer, false)
		c.send("PING")
		c.expectLine("+PONG") // the SET is lost, not held
		if v := get("drop:up"); v != "(nil)" {
			t.Fatalf("a dropped command ran: %q", v)
		}
	})

	t.Run("DropToClient", func(t *testing.T) {
		p := redistest.StartProxy(t, srv.Addr())
		c := dialRaw(t, p.Addr())
		p.Drop(redistest.ToClient, true)
		c.send("SET", "drop:down", "v")
		waitFor(t, "the SET to run", func() bool { return get("drop:down") == "v" })
		c.silent(200 * time.Millisecond)
		p.Drop(redistest.ToClient, false)
		c.send("PING")
		c.expectLine("+PONG") // the +OK is lost, not held
	})

	t.Run("Throttle", func(t *testing.T) {
		const rate = 128 << 10 // bytes per second
		value := strings.Repeat("x", 64<<10)
		direct.must("SET", "throttle", value)
		for _, dir := range []redistest.Direction{redistest.ToClient, redistest.ToServer} {
			t.Run(dir.String(), func(t *testing.T) {
				p := redistest.StartProxy(t, srv.Addr())
				c := dialRaw(t, p.Addr())
				c.send("PING") // connected, so only the payload is timed
				c.expectLine("+PONG")
				p.Throttle(dir, rate)
				var n int
				start := time.Now()
				if dir == redistest.ToClient {
					c.send("GET", "throttle")
					c.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
					reply := make([]byte, len("$65536\r\n")+len(value)+2)
					if _, err := io.ReadFull(c.r, reply); err != nil {
						t.Fatal(err)
					}
					n = len(reply)
				} else {
					c.send("SET", "throttle:up", value)
					n = len(encode("SET", "throttle:up", value))
					if got, err := c.line(10 * time.Second); err != nil || got != "+OK" {
						t.Fatalf("SET: %q, %v", got, err)
					}
				}
				e := time.Since(start)
				got := float64(n) / e.Seconds()
				t.Logf("%d bytes in %v: %.0f B/s (limit %d)", n, e, got, rate)
				if got > rate*1.25 || got < rate/4 {
					t.Fatalf("rate %.0f B/s, want about %d", got, rate)
				}
				p.Throttle(dir, 0)
				start = time.Now()
				c.send("GET", "throttle")
				c.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
				if _, err := io.ReadFull(c.r, make([]byte, len("$65536\r\n")+len(value)+2)); err != nil {
					t.Fatal(err)
				}
				if e := time.Since(start); e > 250*time.Millisecond {
					t.Logf("unthrottled GET took %v (slow machine?)", e)
				}
			})
		}
	})

	t.Run("CutAfterToClient", func(t *testing.T) {
		p := redistest.StartProxy(t, srv.Addr())
		value := strings.Repeat("y", 1000)
		direct.must("SET", "cut:big", value)
		c := dialRaw(t, p.Addr())
		c.send("PING")
		c.expectLine("+PONG")
		p.CutAfter(redistest.ToClient, 10)
		c.send("GET", "cut:big")
		c.expectClosed("$1000\r\nyyy")
		// Disarmed once fired.
		c2 := dialRaw(t, p.Addr())
		c2.send("PING")
		c2.expectLine("+PONG")
	})

	t.Run("CutAfterManyChunks", func(t *testing.T) {
		p := redistest.StartProxy(t, srv.Addr())
		value := strings.Repeat("z", 300<<10)
		direct.must("SET", "cut:huge", value)
		c := dialRaw(t, p.Addr())
		p.CutAfter(redistest.ToClient, 100_000)
		c.send("GET", "cut:huge")
		reply := "$" + strconv.Itoa(len(value)) + "\r\n" + value + "\r\n"
		c.expectClosed(reply[:100_000])
	})

	t.Run("CutNextReply", func(t *testing.T) {
		p := redistest.StartProxy(t, srv.Addr())
		direct.must("DEL", "cut:n")
		c := dialRaw(t, p.Addr())
		c.send("PING")
		c.expectLine("+PONG")
		p.CutNextReply()
		c.send("INCR", "cut:n")
		c.expectClosed("")
		expect(t, get("cut:n"), "1") // it ran; its reply was lost
	})

	t.Run("CutAfterToServer", func(t *testing.T) {
		p := redistest.StartProxy(t, srv.Addr())
		c := dialRaw(t, p.Addr())
		c.send("PING")
		c.expectLine("+PONG")
		before := connectedClients(t, direct)
		p.CutAfter(redistest.ToServer, 5)
		c.send("SET", "cut:up", "v")
		c.expectClosed("")
		waitFor(t, "the server to see the close", func() bool { return connectedClients(t, direct) < before })
		if v := get("cut:up"); v != "(nil)" {
			t.Fatalf("a command cut in half ran: %q", v)
		}
	})

	t.Run("HalfCloseToClient", func(t *testing.T) {
		p := redistest.StartProxy(t, srv.Addr())
		c := dialRaw(t, p.Addr())
		c.send("PING")
		c.expectLine("+PONG")
		if n := p.HalfClose(redistest.ToClient); n != 1 {
			t.Fatalf("HalfClose = %d, want 1", n)
		}
		if got, err := c.readToEOF(5 * time.Second); err != nil || len(got) != 0 {
			t.Fatalf("read after half-close: %q, %v; want a clean EOF", got, err)
		}
		// The client can still send, and the server still runs it.
		c.send("SET", "half:down", "v")
		waitFor(t, "the SET sent after the half-close to run", func() bool { return get("half:down") == "v" })
		if p.Active() != 1 {
			t.Fatalf("Active = %d, want 1 (half open)", p.Active())
		}
	})

	t.Run("HalfCloseToServer", func(t *testing.T) {
		p := redistest.StartProxy(t, srv.Addr())
		c := dialRaw(t, p.Addr())
		c.send("PING")
		c.expectLine("+PONG")
		before := connectedClients(t, direct)
		if n := p.HalfClose(redistest.ToServer); n != 1 {
			t.Fatalf("HalfClose = %d, want 1", n)
		}
		// Redis closes on EOF; the proxy then closes the client side.
		waitFor(t, "the server to close", func() bool { return connectedClients(t, direct) < before })
		c.expectClosed("")
		waitFor(t, "Active() == 0", func() bool { return p.Active() == 0 })
	})

	t.Run("BlackHole", func(t *testing.T) {
		p := redistest.StartProxy(t, srv.Addr())
		c1 := dialRaw(t, p.Addr())
		c1.send("PING")
		c1.expectLine("+PONG")
		before := connectedClients(t, direct)
		p.BlackHole(true)
		c1.send("SET", "bh:1", "v")
		c2 := dialRaw(t, p.Addr())
		c2.send("PING")
		c1.silent(300 * time.Millisecond)
		c2.silent(10 * time.Millisecond)
		if v := get("bh:1"); v != "(nil)" {
			t.Fatalf("a command sent into a black hole ran: %q", v)
		}
		if n := connectedClients(t, direct); n > before {
			t.Fatalf("connected_clients %d -> %d: the black-holed connection reached the server", before, n)
		}
		if p.Accepted() != 2 || p.Active() != 2 {
			t.Fatalf("Accepted %d, Active %d; want 2, 2", p.Accepted(), p.Active())
		}
		p.BlackHole(false)
		c1.send("PING")
		c1.expectLine("+PONG") // the SET was lost
		c2.send("PING")
		c2.silent(200 * time.Millisecond) // a dead end for life
	})

	t.Run("Refuse", func(t *testing.T) {
		p := redistest.StartProxy(t, srv.Addr())
		old := dialRaw(t, p.Addr())
		old.send("PING")
		old.expectLine("+PONG")
		p.Refuse(true)
		// The reset may reach the dialer before connect returns, or the
		// first read.
		if conn, err := net.DialTimeout("tcp", p.Addr(), 2*time.Second); err == nil {
			conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			_, err := conn.Read(make([]byte, 1))
			conn.Close()
			if err == nil || isTimeout(err) {
				t.Fatalf("read on a refused connection: %v, want EOF or reset", err)
			}
		}
		waitFor(t, "Refused() == 1", func() bool { return p.Refused() == 1 })
		if p.Refused() != 1 {
			t.Fatalf("Refused = %d, want 1", p.Refused())
		}
		old.send("PING")
		old.expectLine("+PONG")
		p.Refuse(false)
		c := dialRaw(t, p.Addr())
		c.send("PING")
		c.expectLine("+PONG")
	})

	t.Run("Reset", func(t *testing.T) {
		p := redistest.StartProxy(t, srv.Addr())
		p.Delay(redistest.Both, time.Hour)
		p.Drop(redistest.Both, true)
		p.Throttle(redistest.Both, 1)
		p.CutAfter(redistest.Both, 0)
		p.BlackHole(true)
		p.Refuse(true)
		p.Pause(redistest.Both, true)
		p.Reset()
		c := dialRaw(t, p.Addr())
		c.send("PING")
		c.expectLine("+PONG")
	})

	t.Run("CloseWhileHolding", func(t *testing.T) {
		p, err := redistest.NewProxy(srv.Addr())
		if err != nil {
			t.Fatal(err)
		}
		c1 := dialRaw(t, p.Addr())
		c2 := dialRaw(t, p.Addr())
		p.Delay(redistest.ToServer, time.Hour)
		c1.send("PING")
		p.Pause(redistest.ToClient, true)
		c2.send("PING")
		time.Sleep(50 * time.Millisecond)
		done := make(chan error, 1)
		go func() { done <- p.Close() }()
		select {
		case <-done:
		case <-time.After(2 * time.Second):
			t.Fatal("Close blocked by a held chunk")
		}
		c1.expectClosed("")
		c2.expectClosed("")
	})
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
