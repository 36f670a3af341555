package stalecheck

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"
)

// recorder is a testing.TB that keeps what the checker reports.
type recorder struct {
	testing.TB
	mu     sync.Mutex
	errors []string
}

func (r *recorder) Helper() {}

func (r *recorder) Logf(format string, args ...any) { r.TB.Logf(format, args...) }

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

// store is a key-value map whose reads may lag its writes by lag: a cache
// that misses its invalidations for that long.
type store struct {
	mu      sync.Mutex
	lag     time.Duration
	history map[string][]struct {
		at time.Time
		v  string
	}
}

func (s *store) write(_ context.Context, key, val string, _ time.Time) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.history[key] = append(s.history[key], struct {
		at time.Time
		v  string
	}{time.Now(), val})
	return true, nil
}

func (s *store) read(_ context.Context, key string) (string, bool, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.history[key]
	for i := len(h) - 1; i >= 0; i-- {
		if time.Since(h[i].at) >= s.lag {
			return h[i].v, true, true, nil
		}
	}
	return "", false, true, nil
}

func run(t *testing.T, lag time.Duration) (*recorder, *Checker) {
	s := &store{lag: lag, history: map[string][]struct {
		at time.Time
		v  string
	}{}}
	k := Start(Config{
		Keys:   []string{"a", "b"},
		Write:  s.write,
		Read:   s.read,
		Server: func(ctx context.Context, key string) (string, error) { v, _, _, err := s.read(ctx, key); return v, err },
		Stats:  func() string { return "n/a" },
	})
	time.Sleep(600 * time.Millisecond)
	r := &recorder{TB: t}
	k.End(r)
	return r, k
}

// The checker finds a cache that serves values 300 ms old (past the
// grace), and passes one that lags less than the grace.
func TestChecker(t *testing.T) {
	r, k := run(t, 3*Grace)
	if k.stale == 0 || len(r.errors) == 0 {
		t.Fatalf("a cache 300 ms behind: %d stale reads, errors %q", k.stale, r.errors)
	}
	r, k = run(t, Grace/4)
	if k.stale != 0 || len(r.errors) != 0 {
		t.Fatalf("a cache 25 ms behind: %d stale reads, errors %q", k.stale, r.errors)
	}
	if k.Hits() == 0 || k.maxLag == 0 {
		t.Fatalf("hits %d, largest lag %v: the reads were not checked", k.Hits(), k.maxLag)
	}
}

// A read of version n is stale only against a newer version acknowledged
// more than Grace before the read began.
func TestNote(t *testing.T) {
	k := &Checker{acks: map[string][]ack{}, cfg: Config{Server: func(context.Context, string) (string, error) { return "2", nil }}}
	now := time.Now()
	k.acks["k"] = []ack{{1, now.Add(-time.Second)}, {2, now.Add(-Grace / 2)}}
	for _, tc := range []struct {
		got   int64
		stale int
	}{{2, 0}, {1, 0}, {0, 1}} {
		k.stale = 0
		k.note("k", strconv.FormatInt(tc.got, 10), tc.got != 0, nil, now, true)
		if k.stale != tc.stale {
			t.Errorf("read of %d: %d stale, want %d", tc.got, k.stale, tc.stale)
		}
	}
}
