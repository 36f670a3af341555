// Package redistest starts real redis-server processes for tests.
//
// Each server listens on a free 127.0.0.1 port, keeps all of its files (a
// generated redis.conf, the log, the pid file, the unix socket and TLS
// certificates) in a fresh temporary directory, never saves to disk, and is
// stopped by PID: the package never signals a process it did not start.
//
// It depends on the standard library only. The binary is found through
// Config.Binary, then $REDIS_SERVER_BIN, then "redis-server" on $PATH; on
// Debian/Ubuntu install it with
//
//	sudo apt-get install -y redis-server redis-sentinel redis-tools
//
// Typical use in a test:
//
//	srv := redistest.Start(t, redistest.Config{Password: "secret"})
//	conn, err := net.Dial("tcp", srv.Addr())
//
// StartCluster starts a ready Redis Cluster (3 primaries with a replica each
// by default) and offers faults on it: Failover, Kill, Restart and slot
// migrations, whole or step by step. StartSentinel starts a sentinel, and
// StartSentinelGroup a primary with replicas monitored by sentinels, with
// faults on it: KillPrimary, PausePrimary (SIGSTOP), Restart, StopSentinel,
// StartSentinel and Failover. StartProxy puts a fault-injecting proxy in
// front of any address.
//
// On Linux every server gets the parent-death signal SIGKILL, so servers do
// not outlive a test binary that crashes. (The kernel ties it to the OS
// thread that started the server; the Go runtime keeps its threads alive
// unless a goroutine exits while locked to one with runtime.LockOSThread.)
package redistest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
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
)

// ErrServerNotFound is returned by StartServer (and reported by Start) when
// the redis-server binary cannot be found. Use errors.Is to detect it, for
// example to skip tests on machines without Redis.
var ErrServerNotFound = errors.New("redis-server not found; install it with `sudo apt-get install -y redis-server redis-sentinel redis-tools` (Debian/Ubuntu) or set REDIS_SERVER_BIN")

// Timing of the lifecycle operations.
const (
	readyTimeout = 10 * time.Second       // launch until the server answers PING
	pollInterval = 5 * time.Millisecond   // readiness poll period
	stopTimeout  = 5 * time.Second        // SIGTERM grace period before SIGKILL
	probeTimeout = 500 * time.Millisecond // one readiness probe (dial + PING)
	portAttempts = 5                      // fresh ports tried when a port is taken
)

// Names of the files kept in Server.Dir.
const (
	confFile   = "redis.conf"
	logFile    = "log"
	pidFile    = "redis.pid"
	socketFile = "redis.sock"
)

// Config describes a server to start. The zero value is a plain TCP server on
// a free 127.0.0.1 port, without password, persistence or TLS.
//
// Every server runs with bind 127.0.0.1, protected-mode no, save "",
// appendonly no, daemonize no, repl-diskless-sync-delay 0 and its dir,
// logfile and pidfile inside Server.Dir.
type Config struct {
	// TLS makes the server accept TLS connections only (port 0, tls-port P).
	// Certificates are generated in-process (ECDSA P-256): a CA and a
	// server certificate with IP SANs 127.0.0.1 and ::1, DNS SAN localhost
	// and extended key usages serverAuth and clientAuth, plus a client
	// certificate. tls-replication is enabled so replicas of a TLS server
	// can connect.
	TLS bool

	// TLSAuthClients is the tls-auth-clients setting: "no" (the default
	// when empty), "yes" (clients must present a certificate signed by the
	// CA, see Server.ClientTLSConfig) or "optional". Ignored unless TLS.
	TLSAuthClients string

	// UnixSocket makes the server also listen on a unix socket inside
	// Server.Dir (unixsocket, unixsocketperm 700); see Server.SocketPath.
	// The socket always speaks plain RESP, even when TLS is set.
	UnixSocket bool

	// Password is the requirepass setting (the default user's password).
	// Empty means no password.
	Password string

	// Users are extra ACL users defined in the generated redis.conf, so
	// they exist from the start and survive Restart.
	Users []User

	// EnableDebug sets enable-debug-command yes, allowing DEBUG commands.
	EnableDebug bool

	// Args are extra redis-server arguments appended after the generated
	// config file, so they override it, e.g. "--maxmemory", "10mb". They
	// must not change port, tls-port, pidfile, logfile or dir, which the
	// readiness check relies on.
	Args []string

	// Binary is the path of redis-server. Empty means $REDIS_SERVER_BIN if
	// set, else "redis-server" looked up on $PATH.
	Binary string
}

// User is an ACL user created when the server starts. It is enabled ("on")
// and gets the password ">"+Password (or "nopass" when Password is empty),
// followed by Rules, for example []string{"~*", "&*", "+@all"}. Without
// Rules the user can authenticate but run no commands.
type User struct {
	Name     string
	Password string
	Rules    []string
}

// Server is a redis-server process started by this package. Its methods are
// safe for concurrent use. Addr, Port, SocketPath, URL, Dir and the TLS
// accessors never change over the life of a Server, including across
// Kill, Stop, Start and Restart.
type Server struct {
	cfg    Config
	bin    string
	dir    string
	port   int
	socket string
	pki    *pki // nil unless cfg.TLS

	opMu sync.Mutex // serialises Start, Stop, Kill, Restart and Close

	mu     sync.Mutex // guards the fields below
	proc   *process   // nil when never started or stopped
	paused bool       // proc was sent SIGSTOP by Pause and not resumed
	closed bool
}

// process is one run of redis-server.
type process struct {
	cmd  *exec.Cmd
	done chan struct{} // closed after cmd.Wait returns
	err  error         // result of cmd.Wait, valid after done is closed
}

func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Start starts a server like StartServer and registers t.Cleanup to Close it
// (kill it and remove its directory). If the test failed, the cleanup first logs the
// tail of the server log. Any start failure ends the test with t.Fatalf.
func Start(t testing.TB, cfg Config) *Server {
	t.Helper()
	s, err := StartServer(cfg)
	if err != nil {
		t.Fatalf("%v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			if tail := s.logTail(30); tail != "" {
				t.Logf("redistest: tail of the log of redis-server %s:\n%s", s.Addr(), tail)
			}
		}
		if err := s.Close(); err != nil {
			t.Errorf("%v", err)
		}
	})
	return s
}

// StartServer starts a server and waits until it is ready, meaning it has
// bound its port and answers PING (with +PONG, or with -NOAUTH/-ERR when a
// password is required) within 10 seconds. If the port picked turns out to
// be taken, it retries with other free ports. The caller must call Close
// when done (Stop alone leaves the directory behind). Errors include the tail of the server log.
func StartServer(cfg Config) (*Server, error) {
	cfg.Users = append([]User(nil), cfg.Users...)
	for i := range cfg.Users {
		cfg.Users[i].Rules = append([]string(nil), cfg.Users[i].Rules...)
	}
	cfg.Args = append([]string(nil), cfg.Args...)
	switch cfg.TLSAuthClients {
	case "", "no", "yes", "optional":
	default:
		return nil, fmt.Errorf("redistest: TLSAuthClients must be \"no\", \"yes\" or \"optional\", not %q", cfg.TLSAuthClients)
	}
	bin, err := findBinary(cfg.Binary)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "redistest-")
	if err != nil {
		return nil, fmt.Errorf("redistest: %w", err)
	}
	// A unix socket path must fit in sun_path (108 bytes on Linux, 104 on
	// BSDs); fall back to /tmp when $TMPDIR is deep.
	if cfg.UnixSocket && len(filepath.Join(dir, socketFile)) > 100 {
		os.RemoveAll(dir)
		if dir, err = os.MkdirTemp("/tmp", "redistest-"); err != nil {
			return nil, fmt.Errorf("redistest: %w", err)
		}
	}
	s := &Server{cfg: cfg, bin: bin, dir: dir}
	if cfg.UnixSocket {
		s.socket = filepath.Join(dir, socketFile)
	}
	if cfg.TLS {
		if s.pki, err = getPKI(); err == nil {
			err = s.pki.writeFiles(dir)
		}
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("redistest: TLS certificates: %w", err)
		}
	}

	s.opMu.Lock()
	defer s.opMu.Unlock()
	for attempt := 1; ; attempt++ {
		s.port, err = freePort()
		if err == nil {
			err = s.writeConf()
		}
		if err == nil {
			err = s.launch()
		}
		if err == nil {
			return s, nil
		}
		if !errors.Is(err, errAddrInUse) || attempt == portAttempts {
			os.RemoveAll(dir)
			return nil, err
		}
	}
}

// Addr returns the address clients connect to, "127.0.0.1:PORT". For a TLS
// server this is the TLS port (the server has no plain TCP port).
func (s *Server) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)) }

// Port returns the port of Addr.
func (s *Server) Port() int { return s.port }

// SocketPath returns the path of the unix socket, or "" unless
// Config.UnixSocket was set.
func (s *Server) SocketPath() string { return s.socket }

// URL returns a redis URL for Addr: "redis://127.0.0.1:PORT", or
// "rediss://127.0.0.1:PORT" for a TLS server. When Config.Password is set
// it is included as the default user's password: "redis://:PASSWORD@...".
func (s *Server) URL() string {
	u := url.URL{Scheme: "redis", Host: s.Addr()}
	if s.cfg.TLS {
		u.Scheme = "rediss"
	}
	if s.cfg.Password != "" {
		u.User = url.UserPassword("", s.cfg.Password)
	}
	return u.String()
}

// TLSConfig returns a new client TLS configuration for a TLS server, or nil
// when the server does not use TLS. It trusts only the test CA, sets
// ServerName "localhost" (so it also works with tls.Client on a connection
// dialled by other means) and has no client certificate. The server
// certificate also carries the IP SAN 127.0.0.1, so clearing ServerName
// and letting tls.Dial derive it from Addr verifies as well. Each call
// returns a fresh value the caller may modify.
func (s *Server) TLSConfig() *tls.Config {
	if s.pki == nil {
		return nil
	}
	return s.pki.clientConfig(false)
}

// ClientTLSConfig is TLSConfig plus a client certificate signed by the test
// CA, as needed when Config.TLSAuthClients is "yes". It returns nil when
// the server does not use TLS.
func (s *Server) ClientTLSConfig() *tls.Config {
	if s.pki == nil {
		return nil
	}
	return s.pki.clientConfig(true)
}

// CACertPool returns a new pool holding the test CA certificate, or nil when
// the server does not use TLS.
func (s *Server) CACertPool() *x509.CertPool {
	if s.pki == nil {
		return nil
	}
	return s.pki.pool.Clone()
}

// PID returns the process ID of the running server, or 0 when it is not
// running.
func (s *Server) PID() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc == nil || s.proc.exited() {
		return 0
	}
	return s.proc.cmd.Process.Pid
}

// Dir returns the server's private temporary directory (from os.MkdirTemp).
// It holds redis.conf, the log file "log", redis.pid, the unix socket
// redis.sock, and for TLS servers the PEM files ca.crt, server.crt,
// server.key, client.crt and client.key. It is removed by Close (and by the
// cleanup registered by Start), not by Stop or Kill.
func (s *Server) Dir() string { return s.dir }

// Log returns the current contents of the server log, including anything
// the process wrote to stdout or stderr, across all restarts. It returns ""
// once the directory has been removed.
func (s *Server) Log() string {
	b, err := os.ReadFile(filepath.Join(s.dir, logFile))
	if err != nil {
		return ""
	}
	return string(b)
}

// Running reports whether the server process is alive (started and not yet
// exited, whether by Stop, Kill, SHUTDOWN or a crash).
func (s *Server) Running() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.proc != nil && !s.proc.exited()
}

// Kill sends SIGKILL to the server process and waits until it has exited.
// It returns nil if the server is not running.
func (s *Server) Kill() error {
	s.opMu.Lock()
	defer s.opMu.Unlock()
	s.halt(false)
	return nil
}

// Stop sends SIGTERM to the server process, waits until it has exited and
// sends SIGKILL if it is still running after 5 seconds (redis-server
// normally exits about 100 ms after SIGTERM). It is idempotent and
// returns nil if the server is not running. The directory is kept, so the
// server can be started again with Start; Close removes it.
func (s *Server) Stop() error {
	s.opMu.Lock()
	defer s.opMu.Unlock()
	s.halt(true)
	return nil
}

// Start starts the server again after Kill, Stop or an exit of its own, on
// the same port, socket, configuration and certificates, and waits until it
// is ready. It returns an error if the server is running, has been closed,
// or does not become ready (for example because another process took the
// port meanwhile).
func (s *Server) Start() error { return s.start() }

// start is Start with extra arguments for this run only, appended after
// Config.Args.
func (s *Server) start(extra ...string) error {
	s.opMu.Lock()
	defer s.opMu.Unlock()
	s.mu.Lock()
	closed, running := s.closed, s.proc != nil && !s.proc.exited()
	var pid int
	if running {
		pid = s.proc.cmd.Process.Pid
	}
	s.mu.Unlock()
	if closed {
		return errors.New("redistest: Start: server is closed")
	}
	if running {
		return fmt.Errorf("redistest: Start: redis-server %s is already running (pid %d)", s.Addr(), pid)
	}
	return s.launch(extra...)
}

// Restart stops the server as Stop does if it is running, then starts it
// again on the same port, socket, configuration and certificates and waits
// until it is ready. Data is not kept (persistence is off).
func (s *Server) Restart() error {
	s.opMu.Lock()
	defer s.opMu.Unlock()
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return errors.New("redistest: Restart: server is closed")
	}
	s.halt(true)
	return s.launch()
}

// Close is the final cleanup: it kills the server as Kill does and removes
// its directory; afterwards Start and Restart fail. Close is idempotent.
//
// Close uses SIGKILL rather than SIGTERM because nothing is persisted and
// redis-server takes about 100 ms (one serverCron tick at hz 10) to act on
// SIGTERM, while SIGKILL takes about 1 ms. Call Stop first to test a
// graceful shutdown.
func (s *Server) Close() error {
	s.opMu.Lock()
	defer s.opMu.Unlock()
	s.halt(false)
	s.mu.Lock()
	wasClosed := s.closed
	s.closed = true
	s.mu.Unlock()
	if wasClosed {
		return nil
	}
	if err := os.RemoveAll(s.dir); err != nil {
		return fmt.Errorf("redistest: remove %s: %w", s.dir, err)
	}
	return nil
}

// halt ends the current process, if any: SIGTERM then SIGKILL after
// stopTimeout when graceful, else SIGKILL at once. Called with opMu held.
func (s *Server) halt(graceful bool) {
	s.mu.Lock()
	p := s.proc
	s.mu.Unlock()
	if p == nil {
		return
	}
	if !p.exited() {
		if graceful {
			_ = p.cmd.Process.Signal(syscall.SIGTERM)
			_ = resumeProcess(p.cmd.Process) // a paused server must run to exit
			select {
			case <-p.done:
			case <-time.After(stopTimeout):
			}
		}
		// Process.Signal is a no-op error once the process has been
		// reaped, so this never hits a recycled PID.
		_ = p.cmd.Process.Kill()
		<-p.done
	}
	s.mu.Lock()
	if s.proc == p {
		s.proc = nil
	}
	s.mu.Unlock()
}

// Pause sends SIGSTOP to the server process, which then answers nothing
// until Resume: its port stays bound and the kernel still completes TCP
// handshakes, so clients connect but time out, as with a hung server or a
// machine stall. Running stays true. Kill, Stop and Close still work (Stop
// resumes it so that it can act on SIGTERM); Start of a new process clears
// the pause. It returns an error if the server is not running, and one
// matching errors.ErrUnsupported on systems other than Linux.
func (s *Server) Pause() error { return s.pauseResume(true) }

// Resume sends SIGCONT to a server stopped by Pause, which then carries on
// where it stopped: it finds its timers late, its replication and client
// links possibly timed out. It returns an error if the server is not
// running, and nil if it is not paused.
func (s *Server) Resume() error { return s.pauseResume(false) }

// Paused reports whether the server process is stopped by Pause.
func (s *Server) Paused() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.paused && s.proc != nil && !s.proc.exited()
}

func (s *Server) pauseResume(pause bool) error {
	s.opMu.Lock()
	defer s.opMu.Unlock()
	what := "Resume"
	if pause {
		what = "Pause"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc == nil || s.proc.exited() {
		return fmt.Errorf("redistest: %s: %s is not running", what, s.Addr())
	}
	if !pause && !s.paused {
		return nil
	}
	var err error
	if pause {
		err = pauseProcess(s.proc.cmd.Process)
	} else {
		err = resumeProcess(s.proc.cmd.Process)
	}
	if err != nil {
		return fmt.Errorf("redistest: %s %s: %w", what, s.Addr(), err)
	}
	s.paused = pause
	return nil
}

var (
	errAddrInUse = errors.New("address already in use")
	// errBusPortInUse means that a cluster node could not bind its
	// cluster bus port: it needs another bus port, not another port.
	errBusPortInUse = errors.New("cluster bus port already in use")
)

// launch starts redis-server with the generated config, Config.Args and
// extra, and waits until it is ready. On failure the process is killed and
// the error carries the log output of this run. Called with opMu held and
// no process running.
func (s *Server) launch(extra ...string) error {
	logPath := filepath.Join(s.dir, logFile)
	_ = os.Remove(filepath.Join(s.dir, pidFile)) // stale after a SIGKILL
	logf, err := os.OpenFile(logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("redistest: %w", err)
	}
	var offset int64
	if fi, err := logf.Stat(); err == nil {
		offset = fi.Size()
	}
	args := append([]string{filepath.Join(s.dir, confFile)}, s.cfg.Args...)
	args = append(args, extra...)
	cmd := exec.Command(s.bin, args...)
	cmd.Dir = s.dir
	cmd.Stdin = nil
	cmd.Stdout = logf // early errors (e.g. a bad config) go to stderr
	cmd.Stderr = logf
	cmd.SysProcAttr = sysProcAttr()
	err = cmd.Start()
	logf.Close()
	if err != nil {
		return fmt.Errorf("redistest: start %s: %w", s.bin, err)
	}
	p := &process{cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	s.mu.Lock()
	s.proc = p
	s.paused = false
	s.mu.Unlock()

	start := time.Now()
	err = s.waitReady(p)
	if err == nil {
		return nil
	}
	s.halt(false)
	out := s.logSince(offset)
	switch {
	case !strings.Contains(out, "Address already in use"):
	case strings.Contains(out, "(cluster), aborting"):
		// Redis 7 logs "Failed listening on port P (cluster), aborting."
		err = fmt.Errorf("%w (%v)", errBusPortInUse, err)
	default:
		err = fmt.Errorf("%w (%v)", errAddrInUse, err)
	}
	logText := tail(out, 30)
	if strings.TrimSpace(logText) == "" {
		logText = "(empty)"
	}
	return fmt.Errorf("redistest: %s on %s failed to start (after %v): %w\n--- server log ---\n%s",
		s.bin, s.Addr(), time.Since(start).Round(time.Millisecond), err, logText)
}

// waitReady polls until the process has written its pid file (which
// redis-server does only after binding its listeners, so the port is its
// own and not another server's) and answers PING.
func (s *Server) waitReady(p *process) error {
	deadline := time.Now().Add(readyTimeout)
	pidPath := filepath.Join(s.dir, pidFile)
	want := strconv.Itoa(p.cmd.Process.Pid)
	lastErr := errors.New("pid file not written")
	for {
		if b, err := os.ReadFile(pidPath); err == nil && strings.TrimSpace(string(b)) == want {
			if lastErr = s.probe(); lastErr == nil {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("timed out: %w", lastErr)
		}
		select {
		case <-p.done:
			return fmt.Errorf("process exited: %v", p.err)
		case <-time.After(pollInterval):
		}
	}
}

// probe sends one PING. +PONG means ready; -NOAUTH or -ERR mean the server
// is up but wants authentication first.
func (s *Server) probe() error {
	ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
	defer cancel()
	var conn net.Conn
	var err error
	if s.pki != nil {
		d := tls.Dialer{Config: s.pki.clientConfig(s.cfg.TLSAuthClients == "yes")}
		conn, err = d.DialContext(ctx, "tcp", s.Addr())
	} else {
		var d net.Dialer
		conn, err = d.DialContext(ctx, "tcp", s.Addr())
	}
	if err != nil {
		return err
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	conn.SetDeadline(deadline)
	if _, err := io.WriteString(conn, "*1\r\n$4\r\nPING\r\n"); err != nil {
		return err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return err
	}
	line = strings.TrimRight(line, "\r\n")
	switch {
	case line == "+PONG", strings.HasPrefix(line, "-NOAUTH"), strings.HasPrefix(line, "-ERR"):
		return nil
	}
	return fmt.Errorf("PING replied %q", line)
}

// writeConf writes the redis.conf holding every setting of the server.
func (s *Server) writeConf() error {
	c := s.cfg
	var b bytes.Buffer
	line := func(words ...string) {
		b.WriteString(strings.Join(words, " "))
		b.WriteByte('\n')
	}
	port := strconv.Itoa(s.port)
	b.WriteString("# generated by github.com/respkit/redis/redistest\n")
	line("bind", "127.0.0.1")
	if c.TLS {
		line("port", "0")
		line("tls-port", port)
	} else {
		line("port", port)
	}
	line("protected-mode", "no")
	line("save", `""`)
	line("appendonly", "no")
	line("daemonize", "no")
	line("dir", quote(s.dir))
	line("logfile", quote(filepath.Join(s.dir, logFile)))
	line("pidfile", quote(filepath.Join(s.dir, pidFile)))
	line("repl-diskless-sync-delay", "0")
	if s.socket != "" {
		line("unixsocket", quote(s.socket))
		line("unixsocketperm", "700")
	}
	if c.EnableDebug {
		line("enable-debug-command", "yes")
	}
	if c.TLS {
		auth := c.TLSAuthClients
		if auth == "" {
			auth = "no"
		}
		line("tls-cert-file", quote(filepath.Join(s.dir, serverCertFile)))
		line("tls-key-file", quote(filepath.Join(s.dir, serverKeyFile)))
		line("tls-ca-cert-file", quote(filepath.Join(s.dir, caCertFile)))
		line("tls-auth-clients", auth)
		line("tls-replication", "yes")
	}
	if c.Password != "" {
		line("requirepass", quote(c.Password))
	}
	for _, u := range c.Users {
		words := []string{"user", quote(u.Name), "on"}
		if u.Password != "" {
			words = append(words, quote(">"+u.Password))
		} else {
			words = append(words, "nopass")
		}
		for _, r := range u.Rules {
			words = append(words, quote(r))
		}
		line(words...)
	}
	return os.WriteFile(filepath.Join(s.dir, confFile), b.Bytes(), 0o600)
}

// quote renders s as one double-quoted redis.conf argument.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case c < 0x20 || c == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// findBinary resolves the redis-server executable to an absolute path.
func findBinary(bin string) (string, error) {
	explicit := true
	if bin == "" {
		bin = os.Getenv("REDIS_SERVER_BIN")
	}
	if bin == "" {
		bin, explicit = "redis-server", false
	}
	path, err := exec.LookPath(bin)
	if err != nil {
		if explicit {
			return "", fmt.Errorf("%w (tried %q)", ErrServerNotFound, bin)
		}
		return "", ErrServerNotFound
	}
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	return path, nil
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("redistest: find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// logSince returns the log written after byte offset off.
func (s *Server) logSince(off int64) string {
	f, err := os.Open(filepath.Join(s.dir, logFile))
	if err != nil {
		return ""
	}
	defer f.Close()
	if _, err := f.Seek(off, io.SeekStart); err != nil {
		return ""
	}
	b, _ := io.ReadAll(f)
	return string(b)
}

func (s *Server) logTail(n int) string { return tail(s.Log(), n) }

// tail returns the last n lines of text.
func tail(text string, n int) string {
	text = strings.TrimRight(text, "\n")
	lines := strings.Split(text, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
