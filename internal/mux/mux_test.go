package mux_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/respkit/redis/internal/conn"
	"github.com/respkit/redis/internal/mux"
	"github.com/respkit/redis/redistest"
	"github.com/respkit/redis/resp"
)

func newMux(t *testing.T, srv *redistest.Server) *mux.Mux {
	t.Helper()
	o := conn.Options{Addr: srv.Addr()}
	m := mux.New(mux.Options{
		Dial:        func(ctx context.Context) (*conn.Conn, error) { return conn.Dial(ctx, &o) },
		ReadTimeout: 5 * time.Second,
	})
	t.Cleanup(func() { m.Close() })
	return m
}

func encode(t *testing.T, args ...any) []byte {
	t.Helper()
	b, err := resp.AppendCommand(nil, args...)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDoMultiInOrder sends several commands in one request and checks
// each reply lands in its slot.
func TestDoMultiInOrder(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{})
	m := newMux(t, srv)
	ctx := context.Background()
	var cmds []byte
	for _, n := range []int{1, 2, 50} { // 1: a lone reply is stored apart
		cmds = cmds[:0]
		for i := range n {
			cmds = append(cmds, encode(t, "ECHO", i)...)
		}
		out := make([]resp.Value, n)
		if err := m.DoMulti(ctx, cmds, out); err != nil {
			t.Fatal(err)
		}
		for i, v := range out {
			if v.String() != strconv.Itoa(i) {
				t.Fatalf("%d commands: reply %d = %q", n, i, v.String())
			}
		}
	}
}

// TestCloseFailsWaitingCallers closes the multiplexer while a caller
// waits for a slow reply: the caller gets ErrClosed, not a hang.
func TestCloseFailsWaitingCallers(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{EnableDebug: true})
	m := newMux(t, srv)
	ctx := context.Background()
	if _, err := m.Do(ctx, encode(t, "PING")); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := m.Do(ctx, encode(t, "DEBUG", "SLEEP", "2"))
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	m.Close()
	select {
	case err := <-done:
		if !errors.Is(err, mux.ErrClosed) {
			t.Fatalf("waiting caller got %v, want ErrClosed", err)
		}
	case <-time.After(time.Second):
		t.Fatal("Close left a waiting caller hanging")
	}
	if _, err := m.Do(ctx, encode(t, "PING")); !errors.Is(err, mux.ErrClosed) {
		t.Fatalf("Do after Close: %v, want ErrClosed", err)
	}
}

// TestDoMultiHandsOverMidway: a lone caller with a cancellable context
// reads the replies that come at once, then, when one is slow to begin,
// hands the rest to the reader goroutine, which must store them after the
// ones already read. The server reads a long pipeline 16 KiB at a time and
// answers each part before reading the next, so the ECHOs' replies arrive
// before the DEBUG SLEEP has even been read.
func TestDoMultiHandsOverMidway(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{EnableDebug: true})
	m := newMux(t, srv)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	const echoes = 1000
	var cmds []byte
	for i := range echoes {
		cmds = append(cmds, encode(t, "ECHO", strconv.Itoa(i))...)
	}
	cmds = append(cmds, encode(t, "DEBUG", "SLEEP", "0.02")...) // longer than the 2ms a caller waits
	cmds = append(cmds, encode(t, "ECHO", "last")...)
	for range 3 {
		out := make([]resp.Value, echoes+2)
		if err := m.DoMulti(ctx, cmds, out); err != nil {
			t.Fatal(err)
		}
		for i := range echoes {
			if out[i].String() != strconv.Itoa(i) {
				t.Fatalf("reply %d = %q", i, out[i].String())
			}
		}
		if out[echoes].String() != "OK" || out[echoes+1].String() != "last" {
			t.Fatalf("last replies %q %q, want OK last", out[echoes].String(), out[echoes+1].String())
		}
	}
}
