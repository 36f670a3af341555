package stalecheck

import (
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// event is one change of a key's value as the writer made it: a SET of
// version ver, or a reset (FLUSHALL, a restart that lost the data) after
// which the key reads as missing. Versions, resets included, increase with
// the writer's order.
type event struct {
	ver    int64
	reset  bool
	issued time.Time // when the writer sent it
	acked  time.Time // when the server acknowledged it; zero until then, or when it failed
}

// Log is the history of the keys' values as a writer made them, and the
// judge of reads: a read that began at start is stale when a change of
// its key that the value does not reflect was acknowledged more than grace
// before start. It is safe for concurrent use.
type Log struct {
	grace time.Duration

	mu     sync.RWMutex
	events map[string][]event // by key, in version order

	reads, stale atomic.Int64
	maxLag       atomic.Int64 // nanoseconds
	firstStale   atomic.Pointer[string]
}

// NewLog returns a Log of keys allowing grace.
func NewLog(grace time.Duration, keys ...string) *Log {
	l := &Log{grace: grace, events: map[string][]event{}}
	for _, k := range keys {
		l.events[k] = nil
	}
	return l
}

// Issue records that the writer is about to SET key to ver, and returns
// its index for Ack.
func (l *Log) Issue(key string, ver int64, at time.Time) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events[key] = append(l.events[key], event{ver: ver, issued: at})
	return len(l.events[key]) - 1
}

// Ack records that the server acknowledged key's change i at at.
func (l *Log) Ack(key string, i int, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events[key][i].acked = at
}

// IssueReset records that every key is about to be emptied, as version ver.
func (l *Log) IssueReset(ver int64, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for k, evs := range l.events {
		l.events[k] = append(evs, event{ver: ver, reset: true, issued: at})
	}
}

// AckReset records that the reset of version ver is done.
func (l *Log) AckReset(ver int64, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, evs := range l.events {
		for i := len(evs) - 1; i >= 0; i-- {
			if evs[i].ver == ver {
				evs[i].acked = at
				break
			}
		}
	}
}

// lag returns how long before start the first acknowledged change of key
// past what the read returned (ver, or missing) was acknowledged, and
// false when there is none before start.
func (l *Log) lag(key string, ver int64, missing bool, start, end time.Time) (time.Duration, bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	evs := l.events[key]
	var from int
	if missing {
		// Missing is right until the first SET after the latest reset the
		// read may have seen (or, with none, after the start).
		for i, e := range evs {
			if e.reset && e.issued.Before(end) {
				from = i + 1
			}
		}
		for ; from < len(evs) && (evs[from].reset || evs[from].acked.IsZero()); from++ {
		}
	} else {
		from = sort.Search(len(evs), func(i int) bool { return evs[i].ver > ver })
		for ; from < len(evs) && evs[from].acked.IsZero(); from++ {
		}
	}
	if from == len(evs) || !evs[from].acked.Before(start) {
		return 0, false
	}
	return start.Sub(evs[from].acked), true
}

// Check records one read of key that began at start and ended at end and
// returned version ver, or missing, and reports whether it was stale, and
// by how long the change it missed preceded it (lag; 0 when it missed
// none).
func (l *Log) Check(key string, ver int64, missing bool, start, end time.Time) (stale bool, lag time.Duration) {
	l.reads.Add(1)
	lag, ok := l.lag(key, ver, missing, start, end)
	if !ok {
		return false, 0
	}
	for {
		old := l.maxLag.Load()
		if int64(lag) <= old || l.maxLag.CompareAndSwap(old, int64(lag)) {
			break
		}
	}
	if lag <= l.grace {
		return false, lag
	}
	l.stale.Add(1)
	what := fmt.Sprintf("version %d", ver)
	if missing {
		what = "missing"
	}
	s := fmt.Sprintf("GET %s read %s at %s, replaced %v before the read began", key, what, start.Format("15:04:05.000000"), lag)
	l.firstStale.CompareAndSwap(nil, &s)
	return true, lag
}

// Reads returns the reads checked.
func (l *Log) Reads() int64 { return l.reads.Load() }

// Stale returns the stale reads found.
func (l *Log) Stale() int64 { return l.stale.Load() }

// MaxLag returns the largest lag of a read behind a change it missed,
// stale or within the grace.
func (l *Log) MaxLag() time.Duration { return time.Duration(l.maxLag.Load()) }

// Acked reports whether some change of key was acknowledged.
func (l *Log) Acked(key string) bool {
	l.mu.RLock()
	defer l.mu.RUnlock()
	for _, e := range l.events[key] {
		if !e.acked.IsZero() {
			return true
		}
	}
	return false
}

func (l *Log) String() string {
	s := fmt.Sprintf("%d reads, %d stale, largest lag %v", l.reads.Load(), l.stale.Load(), time.Duration(l.maxLag.Load()))
	if f := l.firstStale.Load(); f != nil {
		s += " (first: " + *f + ")"
	}
	return s
}
