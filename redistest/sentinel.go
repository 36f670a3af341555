package redistest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// SentinelConfig describes a redis-sentinel process to start.
type SentinelConfig struct {
	// MasterName is the name the primary is monitored under. Empty means
	// "mymaster".
	MasterName string
	// PrimaryHost and PrimaryPort locate the primary to monitor (for a
	// redistest server: "127.0.0.1" and Server.Port()). Empty PrimaryHost
	// means 127.0.0.1. A zero PrimaryPort starts a sentinel that monitors
	// nothing.
	PrimaryHost string
	PrimaryPort int
	// Quorum is the number of sentinels that must agree the primary is
	// down. Zero means 1.
	Quorum int
	// DownAfter is down-after-milliseconds. Zero means 1 s.
	DownAfter time.Duration
	// FailoverTimeout is failover-timeout. Zero means 2 s.
	FailoverTimeout time.Duration
	// Args are extra arguments, appended after the monitor settings.
	Args []string
	// Binary is the path of redis-sentinel. Empty means
	// $REDIS_SENTINEL_BIN if set, else "redis-sentinel" looked up on
	// $PATH.
	Binary string
}

// StartSentinel starts a sentinel like StartSentinelServer and registers
// t.Cleanup to Close it.
func StartSentinel(t testing.TB, cfg SentinelConfig) *Server {
	t.Helper()
	s, err := StartSentinelServer(cfg)
	if err != nil {
		t.Fatalf("%v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			if tail := s.logTail(30); tail != "" {
				t.Logf("redistest: tail of the log of redis-sentinel %s:\n%s", s.Addr(), tail)
			}
		}
		if err := s.Close(); err != nil {
			t.Errorf("%v", err)
		}
	})
	return s
}

// StartSentinelServer starts redis-sentinel on a free 127.0.0.1 port, with
// the same base settings and lifecycle as StartServer (its own directory,
// a writable config file there, which the sentinel rewrites, stopped by
// PID), monitoring the configured primary with parallel-syncs 1. It
// returns once the sentinel answers PING; it does not wait for the
// sentinel to discover replicas or other sentinels. The caller must Close
// it.
func StartSentinelServer(cfg SentinelConfig) (*Server, error) {
	path, err := findSentinelBinary(cfg.Binary)
	if err != nil {
		return nil, err
	}
	name := cfg.MasterName
	if name == "" {
		name = "mymaster"
	}
	host := cfg.PrimaryHost
	if host == "" {
		host = "127.0.0.1"
	}
	quorum := cfg.Quorum
	if quorum == 0 {
		quorum = 1
	}
	down := cfg.DownAfter
	if down == 0 {
		down = time.Second
	}
	failover := cfg.FailoverTimeout
	if failover == 0 {
		failover = 2 * time.Second
	}
	var args []string
	if cfg.PrimaryPort != 0 {
		args = append(args,
			"--sentinel", "monitor", name, host, strconv.Itoa(cfg.PrimaryPort), strconv.Itoa(quorum),
			"--sentinel", "down-after-milliseconds", name, strconv.FormatInt(down.Milliseconds(), 10),
			"--sentinel", "failover-timeout", name, strconv.FormatInt(failover.Milliseconds(), 10),
			"--sentinel", "parallel-syncs", name, "1",
		)
	}
	args = append(args, cfg.Args...)
	return StartServer(Config{Binary: path, Args: args})
}

// findSentinelBinary resolves the redis-sentinel executable to an absolute
// path: bin, else $REDIS_SENTINEL_BIN, else "redis-sentinel" on $PATH.
func findSentinelBinary(bin string) (string, error) {
	explicit := bin != ""
	if bin == "" {
		bin = os.Getenv("REDIS_SENTINEL_BIN")
	}
	if bin == "" {
		bin = "redis-sentinel"
	}
	path, err := exec.LookPath(bin)
	if err != nil {
		if explicit {
			return "", fmt.Errorf("redistest: redis-sentinel not found (tried %q): %w", bin, err)
		}
		return "", fmt.Errorf("redistest: redis-sentinel not found; install it with `sudo apt-get install -y redis-sentinel` or set REDIS_SENTINEL_BIN: %w", err)
	}
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	return path, nil
}
