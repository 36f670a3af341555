package redistest_test

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/respkit/redis/redistest"
)

// client is a minimal RESP client for the tests.
type client struct {
	t    testing.TB
	conn net.Conn
	r    *bufio.Reader
}

func newClient(t testing.TB, conn net.Conn) *client {
	t.Helper()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	t.Cleanup(func() { conn.Close() })
	return &client{t: t, conn: conn, r: bufio.NewReader(conn)}
}

func dialTCP(t testing.TB, addr string) *client {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	return newClient(t, conn)
}

func dialTLS(t testing.TB, addr string, cfg *tls.Config) *client {
	t.Helper()
	d := &tls.Dialer{NetDialer: &net.Dialer{Timeout: 2 * time.Second}, Config: cfg}
	conn, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("tls dial %s: %v", addr, err)
	}
	return newClient(t, conn)
}

// do sends a command and returns the reply: simple strings, errors and
// integers as their raw line ("+OK", "-ERR ...", ":1"), bulk strings as
// their payload, a null bulk as "(nil)". Arrays are not supported.
func (c *client) do(args ...string) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := io.WriteString(c.conn, b.String()); err != nil {
		return "", err
	}
	line, err := c.r.ReadString('\n')
	if err != nil {
		return "", err
	}
	line = strings.TrimSuffix(line, "\r\n")
	if !strings.HasPrefix(line, "$") {
		return line, nil
	}
	n, err := strconv.Atoi(line[1:])
	if err != nil {
		return "", err
	}
	if n < 0 {
		return "(nil)", nil
	}
	buf := make([]byte, n+2)
	if _, err := io.ReadFull(c.r, buf); err != nil {
		return "", err
	}
	return string(buf[:n]), nil
}

// must is do that fails the test on I/O errors.
func (c *client) must(args ...string) string {
	c.t.Helper()
	reply, err := c.do(args...)
	if err != nil {
		c.t.Fatalf("%v: %v", args, err)
	}
	return reply
}

func expect(t testing.TB, got, want string) {
	t.Helper()
	if got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func expectPrefix(t testing.TB, got, prefix string) {
	t.Helper()
	if !strings.HasPrefix(got, prefix) {
		t.Fatalf("got %q, want prefix %q", got, prefix)
	}
}

// processGone reports whether no process has the given PID (signal 0 fails).
func processGone(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return true
	}
	return p.Signal(syscall.Signal(0)) != nil
}

func TestPlain(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t, redistest.Config{})
	expect(t, dialTCP(t, srv.Addr()).must("PING"), "+PONG")
	expect(t, srv.Addr(), "127.0.0.1:"+strconv.Itoa(srv.Port()))
	expect(t, srv.URL(), "redis://"+srv.Addr())
	expect(t, srv.SocketPath(), "")
	if srv.TLSConfig() != nil || srv.ClientTLSConfig() != nil || srv.CACertPool() != nil {
		t.Error("TLS accessors are not nil for a plain server")
	}
	if !srv.Running() || srv.PID() <= 0 {
		t.Errorf("Running() = %v, PID() = %d", srv.Running(), srv.PID())
	}
	if fi, err := os.Stat(srv.Dir()); err != nil || !fi.IsDir() {
		t.Errorf("Dir %q: %v", srv.Dir(), err)
	}
	if !strings.Contains(srv.Log(), "Ready to accept connections") {
		t.Errorf("log lacks the ready line:\n%s", srv.Log())
	}
	// Settings every server must have.
	c := dialTCP(t, srv.Addr())
	for _, kv := range [][2]string{
		{"save", ""}, {"appendonly", "no"}, {"protected-mode", "no"},
		{"bind", "127.0.0.1"}, {"repl-diskless-sync-delay", "0"}, {"dir", srv.Dir()},
	} {
		if got := configGet(t, c, kv[0]); got != kv[1] {
			t.Errorf("CONFIG GET %s = %q, want %q", kv[0], got, kv[1])
		}
	}
}

// configGet reads a single value from CONFIG GET (a 2-element array).
func configGet(t testing.TB, c *client, name string) string {
	t.Helper()
	reply := c.must("CONFIG", "GET", name)
	expect(t, reply, "*2")
	// The array elements are two bulk strings; read them with do's parser
	// by reading raw lines.
	read := func() string {
		line, err := c.r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		n, _ := strconv.Atoi(strings.TrimSpace(line[1:]))
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(c.r, buf); err != nil {
			t.Fatal(err)
		}
		return string(buf[:n])
	}
	expect(t, read(), name)
	return read()
}

func TestPassword(t *testing.T) {
	t.Parallel()
	const pass = `p@ss "word" \ ok`
	srv := redistest.Start(t, redistest.Config{Password: pass})
	c := dialTCP(t, srv.Addr())
	expectPrefix(t, c.must("PING"), "-NOAUTH")
	expectPrefix(t, c.must("AUTH", "wrong"), "-WRONGPASS")
	expect(t, c.must("AUTH", pass), "+OK")
	expect(t, c.must("PING"), "+PONG")

	u, err := url.Parse(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	got, _ := u.User.Password()
	if u.Scheme != "redis" || u.Host != srv.Addr() || u.User.Username() != "" || got != pass {
		t.Errorf("URL %q: scheme %q host %q user %q password %q", srv.URL(), u.Scheme, u.Host, u.User.Username(), got)
	}
	srv2 := redistest.Start(t, redistest.Config{Password: "secret"})
	expect(t, srv2.URL(), "redis://:secret@"+srv2.Addr())
}

func TestACLUsers(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t, redistest.Config{
		Password: "defaultpass",
		Users: []redistest.User{
			{Name: "alice", Password: "alice-pw", Rules: []string{"~*", "&*", "+@all"}},
			{Name: "reader", Password: `sp ace"quote`, Rules: []string{"~*", "+get", "+ping"}},
		},
	})
	check := func() {
		t.Helper()
		c := dialTCP(t, srv.Addr())
		expectPrefix(t, c.must("AUTH", "alice", "nope"), "-WRONGPASS")
		expect(t, c.must("AUTH", "alice", "alice-pw"), "+OK")
		expect(t, c.must("SET", "k", "v"), "+OK")
		expect(t, c.must("GET", "k"), "v")

		r := dialTCP(t, srv.Addr())
		expect(t, r.must("AUTH", "reader", `sp ace"quote`), "+OK")
		expect(t, r.must("GET", "k"), "v")
		expectPrefix(t, r.must("SET", "k", "w"), "-NOPERM")

		d := dialTCP(t, srv.Addr())
		expect(t, d.must("AUTH", "defaultpass"), "+OK")
		expect(t, d.must("AUTH", "default", "defaultpass"), "+OK")
	}
	check()
	// Users are part of the generated config, so they survive a restart.
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	check()
}

func TestTLS(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t, redistest.Config{TLS: true})
	expect(t, srv.URL(), "rediss://"+srv.Addr())
	expect(t, dialTLS(t, srv.Addr(), srv.TLSConfig()).must("PING"), "+PONG")

	// A plain tls.Dial that derives the server name from Addr verifies via
	// the IP SAN.
	cfg := srv.TLSConfig()
	cfg.ServerName = ""
	conn, err := tls.Dial("tcp", srv.Addr(), cfg)
	if err != nil {
		t.Fatalf("tls.Dial without ServerName: %v", err)
	}
	expect(t, newClient(t, conn).must("PING"), "+PONG")

	// So does one built from the exported pool alone.
	conn, err = tls.Dial("tcp", srv.Addr(), &tls.Config{RootCAs: srv.CACertPool()})
	if err != nil {
		t.Fatalf("tls.Dial with CACertPool: %v", err)
	}
	expect(t, newClient(t, conn).must("PING"), "+PONG")

	// Without trusting the CA, verification fails.
	if conn, err := tls.Dial("tcp", srv.Addr(), &tls.Config{}); err == nil {
		conn.Close()
		t.Error("TLS handshake succeeded without the test CA")
	}

	// There is no plain TCP listener: plaintext on the TLS port gets no PONG.
	if reply, err := dialTCP(t, srv.Addr()).do("PING"); err == nil && reply == "+PONG" {
		t.Error("plaintext PING answered on the TLS port")
	}

	// Each call returns a fresh config.
	if a, b := srv.TLSConfig(), srv.TLSConfig(); a == b {
		t.Error("TLSConfig returned the same pointer twice")
	}
	for _, name := range []string{"ca.crt", "server.crt", "server.key", "client.crt", "client.key"} {
		if _, err := os.Stat(filepath.Join(srv.Dir(), name)); err != nil {
			t.Error(err)
		}
	}
}

func TestMTLS(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t, redistest.Config{TLS: true, TLSAuthClients: "yes"})

	expect(t, dialTLS(t, srv.Addr(), srv.ClientTLSConfig()).must("PING"), "+PONG")

	// Without a client certificate the TLS 1.3 handshake completes on the
	// client side; the failure surfaces on the first command.
	c := dialTLS(t, srv.Addr(), srv.TLSConfig())
	if reply, err := c.do("PING"); err == nil {
		t.Fatalf("PING without a client certificate replied %q", reply)
	}
}

func TestTLSOptional(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t, redistest.Config{TLS: true, TLSAuthClients: "optional"})
	expect(t, dialTLS(t, srv.Addr(), srv.TLSConfig()).must("PING"), "+PONG")
	expect(t, dialTLS(t, srv.Addr(), srv.ClientTLSConfig()).must("PING"), "+PONG")
}

func TestUnixSocket(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t, redistest.Config{UnixSocket: true, TLS: true})
	path := srv.SocketPath()
	expect(t, filepath.Dir(path), srv.Dir())
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&os.ModeSocket == 0 || fi.Mode().Perm() != 0o700 {
		t.Errorf("socket mode %v, want socket with 0700", fi.Mode())
	}
	conn, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	// The unix socket speaks plain RESP even on a TLS server.
	expect(t, newClient(t, conn).must("PING"), "+PONG")
	expect(t, dialTLS(t, srv.Addr(), srv.TLSConfig()).must("PING"), "+PONG")
}

func TestEnableDebugAndArgs(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t, redistest.Config{EnableDebug: true, Args: []string{"--maxmemory", "10mb"}})
	c := dialTCP(t, srv.Addr())
	expect(t, c.must("DEBUG", "SLEEP", "0"), "+OK")
	expect(t, configGet(t, c, "maxmemory"), "10485760")

	plain := redistest.Start(t, redistest.Config{})
	expectPrefix(t, dialTCP(t, plain.Addr()).must("DEBUG", "SLEEP", "0"), "-ERR")
}

func TestKillThenStart(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t, redistest.Config{Password: "pw", UnixSocket: true})
	addr, pid := srv.Addr(), srv.PID()

	if err := srv.Kill(); err != nil {
		t.Fatal(err)
	}
	if srv.Running() || srv.PID() != 0 {
		t.Fatalf("after Kill: Running() = %v, PID() = %d", srv.Running(), srv.PID())
	}
	if !processGone(pid) {
		t.Fatalf("pid %d still exists after Kill", pid)
	}
	if conn, err := net.Dial("tcp", addr); err == nil {
		conn.Close()
		t.Fatal("port still accepts connections after Kill")
	}
	if err := srv.Kill(); err != nil {
		t.Fatalf("second Kill: %v", err)
	}

	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	expect(t, srv.Addr(), addr)
	if srv.PID() == pid || srv.PID() == 0 {
		t.Errorf("PID after Start = %d (before %d)", srv.PID(), pid)
	}
	c := dialTCP(t, addr)
	expect(t, c.must("AUTH", "pw"), "+OK")
	expect(t, c.must("PING"), "+PONG")
	conn, err := net.Dial("unix", srv.SocketPath())
	if err != nil {
		t.Fatal(err)
	}
	expectPrefix(t, newClient(t, conn).must("PING"), "-NOAUTH")

	if err := srv.Start(); err == nil || !strings.Contains(err.Error(), "already running") {
		t.Fatalf("Start while running: %v", err)
	}
}

func TestRestart(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t, redistest.Config{TLS: true, TLSAuthClients: "yes"})
	addr, pid := srv.Addr(), srv.PID()
	c := dialTLS(t, addr, srv.ClientTLSConfig())
	expect(t, c.must("SET", "k", "v"), "+OK")

	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	if !processGone(pid) {
		t.Errorf("old pid %d still exists after Restart", pid)
	}
	expect(t, srv.Addr(), addr)
	if srv.PID() == pid || !srv.Running() {
		t.Errorf("after Restart: PID %d (before %d), Running %v", srv.PID(), pid, srv.Running())
	}
	// Same certificates: the old client config still works. No persistence.
	c = dialTLS(t, addr, srv.ClientTLSConfig())
	expect(t, c.must("GET", "k"), "(nil)")

	// Restart of a stopped server just starts it.
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	expect(t, dialTLS(t, addr, srv.ClientTLSConfig()).must("PING"), "+PONG")
}

func TestStopAndClose(t *testing.T) {
	t.Parallel()
	srv, err := redistest.StartServer(redistest.Config{UnixSocket: true})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	pid, dir := srv.PID(), srv.Dir()
	if processGone(pid) {
		t.Fatalf("pid %d not alive while running", pid)
	}
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	if !processGone(pid) {
		t.Fatalf("pid %d still exists after Stop", pid)
	}
	if srv.Running() {
		t.Fatal("Running after Stop")
	}
	if err := srv.Stop(); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
	// Stop keeps the directory (and the log) for a later Start.
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("dir removed by Stop: %v", err)
	}
	if !strings.Contains(srv.Log(), "ready to exit") {
		t.Errorf("log lacks the shutdown line:\n%s", srv.Log())
	}

	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("dir still there after Close: %v", err)
	}
	if err := srv.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := srv.Start(); err == nil {
		t.Fatal("Start after Close succeeded")
	}
	if srv.Log() != "" {
		t.Error("Log not empty after Close")
	}
}

func TestStartCleanupStopsServer(t *testing.T) {
	t.Parallel()
	var pid int
	var dir string
	t.Run("inner", func(t *testing.T) {
		srv := redistest.Start(t, redistest.Config{})
		pid, dir = srv.PID(), srv.Dir()
	})
	if !processGone(pid) {
		t.Errorf("pid %d still exists after the test's cleanup", pid)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("dir %s still there after the test's cleanup: %v", dir, err)
	}
}

func TestServerExitsOnItsOwn(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t, redistest.Config{})
	pid := srv.PID()
	c := dialTCP(t, srv.Addr())
	if _, err := c.do("SHUTDOWN", "NOSAVE"); err == nil {
		t.Fatal("SHUTDOWN got a reply")
	}
	deadline := time.Now().Add(5 * time.Second)
	for srv.Running() {
		if time.Now().After(deadline) {
			t.Fatal("still Running after SHUTDOWN")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if !processGone(pid) {
		t.Fatalf("pid %d still exists", pid)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	expect(t, dialTCP(t, srv.Addr()).must("PING"), "+PONG")
}

func TestPortTakenOnStart(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t, redistest.Config{})
	if err := srv.Kill(); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	err = srv.Start()
	l.Close()
	if err == nil || !strings.Contains(err.Error(), "Address already in use") {
		t.Fatalf("Start on a taken port: %v", err)
	}
	if srv.Running() {
		t.Fatal("Running after a failed Start")
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	expect(t, dialTCP(t, srv.Addr()).must("PING"), "+PONG")
}

func TestBadArgsReportLog(t *testing.T) {
	t.Parallel()
	_, err := redistest.StartServer(redistest.Config{Args: []string{"--no-such-directive", "1"}})
	if err == nil {
		t.Fatal("started with a bad directive")
	}
	if !strings.Contains(err.Error(), "no-such-directive") {
		t.Fatalf("error lacks the log output: %v", err)
	}
}

func TestBadTLSAuthClients(t *testing.T) {
	t.Parallel()
	if _, err := redistest.StartServer(redistest.Config{TLS: true, TLSAuthClients: "maybe"}); err == nil {
		t.Fatal("accepted TLSAuthClients \"maybe\"")
	}
}

func TestMissingBinary(t *testing.T) {
	// Not parallel: uses t.Setenv.
	want := "redis-server not found; install it with `sudo apt-get install -y redis-server redis-sentinel redis-tools` (Debian/Ubuntu) or set REDIS_SERVER_BIN"
	t.Setenv("REDIS_SERVER_BIN", "")
	t.Setenv("PATH", t.TempDir())
	_, err := redistest.StartServer(redistest.Config{})
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %q", err, want)
	}

	_, err = redistest.StartServer(redistest.Config{Binary: "/nonexistent/redis-server"})
	if !errors.Is(err, redistest.ErrServerNotFound) || !strings.Contains(err.Error(), "/nonexistent/redis-server") {
		t.Fatalf("explicit Binary: got %v", err)
	}

	t.Setenv("REDIS_SERVER_BIN", "/nonexistent/env-redis-server")
	_, err = redistest.StartServer(redistest.Config{})
	if !errors.Is(err, redistest.ErrServerNotFound) || !strings.Contains(err.Error(), "env-redis-server") {
		t.Fatalf("REDIS_SERVER_BIN: got %v", err)
	}
}

func TestBinaryFromEnv(t *testing.T) {
	// Not parallel: uses t.Setenv.
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip(err)
	}
	t.Setenv("REDIS_SERVER_BIN", bin)
	t.Setenv("PATH", t.TempDir())
	srv := redistest.Start(t, redistest.Config{})
	expect(t, dialTCP(t, srv.Addr()).must("PING"), "+PONG")
}

// TestConcurrent starts servers in parallel and hammers the accessors while
// the lifecycle methods run (meaningful under -race).
func TestConcurrent(t *testing.T) {
	t.Parallel()
	const n = 6
	servers := make([]*redistest.Server, n)
	startErrs := make([]error, n)
	var wg sync.WaitGroup
	for i := range servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			servers[i], startErrs[i] = redistest.StartServer(redistest.Config{TLS: i%2 == 1})
		}()
	}
	wg.Wait()
	for i, s := range servers {
		if s != nil {
			t.Cleanup(func() { s.Close() })
		}
		if startErrs[i] != nil {
			t.Error(startErrs[i])
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	ports := map[int]bool{}
	for _, s := range servers {
		if ports[s.Port()] {
			t.Fatalf("port %d used twice", s.Port())
		}
		ports[s.Port()] = true
	}

	srv := servers[0]
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for range 4 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				_ = srv.Running()
				_ = srv.PID()
				_ = srv.Addr()
				_ = srv.URL()
				time.Sleep(time.Millisecond)
			}
		}()
	}
	var ops sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 4 {
		ops.Add(1)
		go func() {
			defer ops.Done()
			var err error
			switch i {
			case 0, 2:
				err = srv.Restart()
			case 1:
				err = srv.Stop()
			case 3:
				err = srv.Kill()
			}
			errs <- err
		}()
	}
	ops.Wait()
	close(stop)
	readers.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	expect(t, dialTCP(t, srv.Addr()).must("PING"), "+PONG")
}
