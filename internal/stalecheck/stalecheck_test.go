package stalecheck

import (
	"context"
	"errors"
	"fmt"
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

var errMissing = errors.New("missing")

func (s *store) read(_ context.Context, key string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.history[key]
	for i := len(h) - 1; i >= 0; i-- {
		if time.Since(h[i].at) >= s.lag {
			return h[i].v, nil
		}
	}
	return "", errMissing
}

func run(t *testing.T, lag time.Duration) (*recorder, *Checker) {
	s := &store{lag: lag, history: map[string][]struct {
		at time.Time
		v  string
	}{}}
	k := Start(Config{
		Keys:    []string{"a", "b"},
		Write:   s.write,
		Get:     s.read,
		Missing: errMissing,
		Server:  s.read,
		Stats:   func() string { return "n/a" },
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
	if k.log.Stale() == 0 || len(r.errors) == 0 {
		t.Fatalf("a cache 300 ms behind: %d stale reads, errors %q", k.log.Stale(), r.errors)
	}
	r, k = run(t, Grace/4)
	if k.log.Stale() != 0 || len(r.errors) != 0 {
		t.Fatalf("a cache 25 ms behind: %d stale reads, errors %q", k.log.Stale(), r.errors)
	}
	if k.Hits() == 0 || k.log.MaxLag() == 0 {
		t.Fatalf("hits %d, largest lag %v: the reads were not checked", k.Hits(), k.log.MaxLag())
	}
}

// A read is stale only against a change acknowledged more than the grace
// before it began; a missing key is right before its first write and after
// a reset, until the next write is acknowledged.
func TestLog(t *testing.T) {
	t0 := time.Unix(1000, 0)
	ms := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond) }
	l := NewLog(Grace, "k")
	l.Ack("k", l.Issue("k", 1, ms(0)), ms(1))
	l.Ack("k", l.Issue("k", 2, ms(2)), ms(3))
	l.Issue("k", 3, ms(4)) // never acknowledged
	for _, tc := range []struct {
		ver     int64
		missing bool
		at      time.Time
		stale   bool
	}{
		{1, false, ms(50), false}, // replaced 47 ms before: within the grace
		{1, false, ms(200), true}, // replaced 197 ms before
		{2, false, ms(900), false},
		{0, true, ms(900), true}, // missing, though written long before
	} {
		if stale, _ := l.Check("k", tc.ver, tc.missing, tc.at, tc.at); stale != tc.stale {
			t.Errorf("%+v: stale %v", tc, stale)
		}
	}
	l.IssueReset(4, ms(1000))
	l.AckReset(4, ms(1001))
	if stale, _ := l.Check("k", 0, true, ms(1500), ms(1500)); stale {
		t.Error("missing after a reset counted stale")
	}
	if stale, _ := l.Check("k", 2, false, ms(1500), ms(1500)); !stale {
		t.Error("a value from before a reset 500 ms old was not stale")
	}
	if l.Stale() != 3 || l.Reads() != 6 || !l.Acked("k") {
		t.Errorf("%v", l)
	}
}
