package keyspace

import "sync"

// queue holds a watcher's events between the goroutines that read the
// subscriptions and the one that hands them to the reader. Events count
// against a bound; gap markers do not, and consecutive markers merge, so
// that a full queue always has room to say that something was lost.
type queue struct {
	max int // most events (gap markers aside) held

	mu     sync.Mutex // guards the fields below
	items  []Event    // items[head:] are held, oldest first
	head   int
	events int  // non-gap events among them
	ended  bool // no item will be added any more

	ready chan struct{} // 1-buffered: an item was added, or the queue ended
}

func newQueue(max int) *queue {
	return &queue{max: max, ready: make(chan struct{}, 1)}
}

func (q *queue) signal() {
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

// push adds ev; it returns false, adding nothing, for an event (not a gap
// marker) that finds the queue full, or once the queue has ended.
func (q *queue) push(ev Event) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.ended {
		return false
	}
	if ev.Gap {
		if n := len(q.items); n > q.head && q.items[n-1].Gap {
			// One marker says it for both; it names a node only when
			// both are about that node.
			if last := &q.items[n-1]; last.Node != ev.Node {
				last.Node = ""
			}
			return true
		}
	} else {
		if q.events >= q.max {
			return false
		}
		q.events++
	}
	q.items = append(q.items, ev)
	q.signal()
	return true
}

// take removes and returns the oldest item. ok is false when there is
// none; ended then says that none will come.
func (q *queue) take() (ev Event, ok, ended bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.head == len(q.items) {
		return Event{}, false, q.ended
	}
	ev = q.items[q.head]
	q.items[q.head] = Event{}
	q.head++
	if !ev.Gap {
		q.events--
	}
	switch {
	case q.head == len(q.items):
		q.items, q.head = q.items[:0], 0
		if cap(q.items) > 4096 {
			q.items = nil // let a burst's memory go
		}
	case q.head >= 1024 && q.head*2 >= len(q.items):
		n := copy(q.items, q.items[q.head:])
		clear(q.items[n:])
		q.items, q.head = q.items[:n], 0
	}
	return ev, true, false
}

// end says that no item will be added any more.
func (q *queue) end() {
	q.mu.Lock()
	q.ended = true
	q.mu.Unlock()
	q.signal()
}
