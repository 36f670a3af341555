package conn

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/respkit/redis/resp"
)

// scripted accepts one connection and writes out to it once something
// arrives (or at once when out starts with no request), then stays silent.
func scripted(t *testing.T, out string, waitForRequest bool) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { ln.Close(); <-done })
	go func() {
		defer close(done)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		if waitForRequest {
			buf := make([]byte, 512)
			if _, err := c.Read(buf); err != nil {
				return
			}
		}
		c.Write([]byte(out))
		buf := make([]byte, 512)
		for {
			if _, err := c.Read(buf); err != nil {
				return
			}
		}
	}()
	return ln.Addr().String()
}

func dialScripted(t *testing.T, addr string) *Conn {
	t.Helper()
	c, err := Dial(context.Background(), &Options{Addr: addr, Protocol: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// TestReceiveStallMidFrame: a frame that begins and then stalls must not
// hold Receive past its timeout (it used to read the rest with no
// deadline, defeating the pub/sub health check).
func TestReceiveStallMidFrame(t *testing.T) {
	c := dialScripted(t, scripted(t, "*3\r\n$7\r\nmessage\r\n$2\r\nch", false))
	start := time.Now()
	_, err := c.Receive(context.Background(), 100*time.Millisecond)
	took := time.Since(start)
	if err == nil || took > 400*time.Millisecond {
		t.Fatalf("Receive of a stalled frame: %v after %v; want a timeout after about 100 ms", err, took)
	}
	if !c.Broken() {
		t.Fatal("a connection left mid-frame must be closed")
	}
}

// TestReceiveCancelBeforeFrameKeepsConn: a context that ends while
// nothing has arrived leaves the connection usable.
func TestReceiveCancelBeforeFrameKeepsConn(t *testing.T) {
	c := dialScripted(t, scripted(t, "", false))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	_, err := c.Receive(ctx, 0)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Receive with nothing to read: %v, want DeadlineExceeded", err)
	}
	if c.Broken() {
		t.Fatal("nothing was consumed: the connection must stay usable")
	}
}

// TestRoundTripCancelMidReply: cancelling while a reply is half read
// aborts the exchange at once.
func TestRoundTripCancelMidReply(t *testing.T) {
	c := dialScripted(t, scripted(t, "$10\r\nabc", true))
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	out := make([]resp.Value, 1)
	err := c.RoundTrip(ctx, []byte("*1\r\n$3\r\nGET\r\n"), out, 0, 0)
	took := time.Since(start)
	if !errors.Is(err, context.Canceled) || took > 300*time.Millisecond {
		t.Fatalf("RoundTrip cancelled mid-reply: %v after %v", err, took)
	}
}
