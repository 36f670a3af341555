package redis_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/redistest"
)

// TestUnknownOutcomeIsNotRetried cuts the connection after INCR reached the
// server and before its reply came back: the client must report an
// unknown outcome, not repeat the INCR.
func TestUnknownOutcomeIsNotRetried(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{})
	proxy := redistest.StartProxy(t, srv.Addr())
	ctx := context.Background()
	forProtocols(t, srv, redis.Options{}, func(t *testing.T, direct *redis.Client) {
		c := redis.NewClient(&redis.Options{Addr: proxy.Addr(), Protocol: direct.Options().Protocol})
		defer c.Close()
		key := t.Name()
		if err := c.Set(ctx, key, 10); err != nil {
			t.Fatal(err)
		}
		proxy.CutNextReply()
		_, err := c.Incr(ctx, key)
		if !errors.Is(err, redis.ErrOutcomeUnknown) {
			t.Fatalf("INCR with its reply cut: err = %v, want ErrOutcomeUnknown", err)
		}
		var oe *redis.OutcomeUnknownError
		if !errors.As(err, &oe) || oe.Command != "INCR" || !redis.MayHaveRun(err) {
			t.Fatalf("error %v: want *OutcomeUnknownError for INCR with MayHaveRun", err)
		}
		if v, err := direct.Get(ctx, key); err != nil || v != "11" {
			t.Fatalf("after the cut, the key is %q (%v): INCR must have run exactly once (want 11)", v, err)
		}

		// A read-only command is retried on a new connection.
		if err := c.Ping(ctx); err != nil { // reconnect after the cut
			t.Fatal(err)
		}
		before := proxy.Accepted()
		proxy.CutNextReply()
		if v, err := c.Get(ctx, key); err != nil || v != "11" {
			t.Fatalf("GET with its reply cut: %q, %v; want a transparent retry", v, err)
		}
		if proxy.Accepted() != before+1 {
			t.Fatalf("proxy accepted %d new connections, want 1 (the redial)", proxy.Accepted()-before)
		}

		// The caller may declare a write idempotent.
		proxy.CutNextReply()
		if err := c.Set(redis.Idempotent(ctx), key, "fixed"); err != nil {
			t.Fatalf("idempotent SET with its reply cut: %v, want a retry", err)
		}
		// And may forbid retries even for reads.
		proxy.CutNextReply()
		if _, err := c.Get(redis.NoRetry(ctx), key); err == nil {
			t.Fatal("GET under NoRetry survived a cut connection")
		}
		if v, err := c.Get(ctx, key); err != nil || v != "fixed" {
			t.Fatalf("after recovery GET = %q, %v", v, err)
		}
	})
}

// TestReadTimeoutKillsSilentConnection stalls the network: calls on the
// shared connection fail with a timeout once ReadTimeout passes without a
// reply, and later calls work on a new connection.
func TestReadTimeoutKillsSilentConnection(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{})
	proxy := redistest.StartProxy(t, srv.Addr())
	ctx := context.Background()
	c := redis.NewClient(&redis.Options{Addr: proxy.Addr(), ReadTimeout: 200 * time.Millisecond, Retry: redis.RetryPolicy{MaxAttempts: 1}})
	defer c.Close()
	if err := c.Set(ctx, "rt", "v"); err != nil {
		t.Fatal(err)
	}
	proxy.Stall(true)
	_, err := c.Get(ctx, "rt")
	proxy.Stall(false)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("GET on a stalled connection: %v, want a timeout", err)
	}
	if v, err := c.Get(ctx, "rt"); err != nil || v != "v" {
		t.Fatalf("after the timeout: %q, %v", v, err)
	}
}

// TestCancelledCallDrainsItsReply cancels a call whose reply is delayed; the
// caller returns at once, and the next caller on the same connection gets
// its own reply, not the stale one.
func TestCancelledCallDrainsItsReply(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{})
	forProtocols(t, srv, redis.Options{}, func(t *testing.T, direct *redis.Client) {
		ctx := context.Background()
		proxy := redistest.StartProxy(t, srv.Addr())
		c := redis.NewClient(&redis.Options{Addr: proxy.Addr(), Protocol: direct.Options().Protocol})
		defer c.Close()
		c.Set(ctx, "drain:a", "A")
		c.Set(ctx, "drain:b", "B")
		proxy.SetDelay(100 * time.Millisecond)
		cctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
		_, err := c.Get(cctx, "drain:a")
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("delayed GET: %v, want DeadlineExceeded", err)
		}
		// An explicit cancellation, not a deadline, while the reply is late.
		cctx, cancel = context.WithCancel(ctx)
		time.AfterFunc(30*time.Millisecond, cancel)
		if _, err := c.Get(cctx, "drain:a"); !errors.Is(err, context.Canceled) {
			t.Fatalf("delayed GET cancelled after 30ms: %v, want Canceled", err)
		}
		proxy.SetDelay(0)
		for range 20 {
			if v, err := c.Get(ctx, "drain:b"); err != nil || v != "B" {
				t.Fatalf("GET drain:b after a cancelled GET drain:a = %q, %v", v, err)
			}
		}
		if proxy.Accepted() != int64(1) {
			t.Fatalf("the shared connection was replaced (%d connections); a cancelled call must not cost it", proxy.Accepted())
		}
	})
}

// TestRecoveryAfterClientKill kills the client's connections on the server
// and checks that the next calls succeed on new ones.
func TestRecoveryAfterClientKill(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{})
	forProtocols(t, srv, redis.Options{}, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		admin := redis.NewClient(&redis.Options{Addr: srv.Addr()})
		defer admin.Close()
		if err := c.Set(ctx, "kill:k", "v"); err != nil {
			t.Fatal(err)
		}
		c.Do(ctx, "BLPOP", "kill:empty", 0.01) // put a connection in the pool too
		n, err := admin.Do(ctx, "CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes").Int64()
		if err != nil || n < 2 {
			t.Fatalf("CLIENT KILL killed %d connections (%v), want the shared and the pooled one", n, err)
		}
		for i := range 5 {
			if v, err := c.Get(ctx, "kill:k"); err != nil || v != "v" {
				t.Fatalf("GET %d after CLIENT KILL = %q, %v", i, v, err)
			}
			if err := c.Do(ctx, "BLPOP", "kill:empty", 0.01).Err(); !errors.Is(err, redis.ErrNil) {
				t.Fatalf("BLPOP %d after CLIENT KILL: %v", i, err)
			}
		}
	})
}

// TestRecoveryAfterRestart restarts the server and checks the client comes
// back; while the server is down, calls fail fast with a dial error that
// says the command did not run.
func TestRecoveryAfterRestart(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{})
	ctx := context.Background()
	c := redis.NewClient(&redis.Options{Addr: srv.Addr(), DialTimeout: time.Second})
	defer c.Close()
	if err := c.Set(ctx, "restart:k", "v"); err != nil {
		t.Fatal(err)
	}
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	// The restarted server has no data (no persistence): GET says so.
	if _, err := c.Get(ctx, "restart:k"); !errors.Is(err, redis.ErrNil) {
		t.Fatalf("GET after restart: %v, want ErrNil from the new server", err)
	}

	if err := srv.Kill(); err != nil {
		t.Fatal(err)
	}
	_, err := c.Incr(ctx, "restart:n")
	var ce *redis.ConnError
	if !errors.As(err, &ce) || redis.MayHaveRun(err) {
		t.Fatalf("INCR with the server down: %v; want a ConnError that did not run", err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	if n, err := c.Incr(ctx, "restart:n"); err != nil || n != 1 {
		t.Fatalf("INCR after the server came back = %d, %v", n, err)
	}
}

// TestTransientErrorsAreRetried makes the server answer BUSY (a script
// runs too long) and checks that a command is retried until the script is
// killed.
func TestTransientErrorsAreRetried(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{Args: []string{"--busy-reply-threshold", "50"}})
	ctx := context.Background()
	runner := redis.NewClient(&redis.Options{Addr: srv.Addr(), ReadTimeout: -1})
	defer runner.Close()
	c := redis.NewClient(&redis.Options{Addr: srv.Addr(), Retry: redis.RetryPolicy{MaxAttempts: 100, Backoff: redis.ConstantBackoff(20 * time.Millisecond)}})
	defer c.Close()
	if err := c.Set(ctx, "busy:k", "v"); err != nil {
		t.Fatal(err)
	}
	// Connect the killer first: a new connection's handshake would be
	// refused with BUSY.
	killer := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer killer.Close()
	if err := killer.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	probe := redis.NewClient(&redis.Options{Addr: srv.Addr(), Retry: redis.RetryPolicy{MaxAttempts: 1}})
	defer probe.Close()
	if err := probe.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	scriptDone := make(chan error, 1)
	go func() {
		scriptDone <- runner.Do(ctx, "EVAL", "while true do end", 0).Err()
	}()
	// Wait until the server reports BUSY to a client that does not retry.
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := probe.Do(ctx, "GET", "busy:k").Err()
		if errors.Is(err, redis.ErrBusy) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("server never answered BUSY (last: %v)", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.AfterFunc(150*time.Millisecond, func() { killer.Do(ctx, "SCRIPT", "KILL") })
	if v, err := c.Get(ctx, "busy:k"); err != nil || v != "v" {
		t.Fatalf("GET while BUSY = %q, %v; want retries until the script is killed", v, err)
	}
	if err := <-scriptDone; err == nil {
		t.Fatal("the killed script reported success")
	}
}
