package keyspace

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/respkit/redis"
)

// Channels says which notification channels a watcher subscribes to.
type Channels uint8

// Channel families. Both may be set: each change is then reported twice,
// once per family, with the same Key, Event and DB.
const (
	// Keyspace channels (__keyspace@<db>__:<key>) carry the event's name;
	// Options.Keys selects keys by pattern on the server.
	Keyspace Channels = 1 << iota
	// Keyevent channels (__keyevent@<db>__:<event>) carry the key;
	// Options.Events selects events on the server.
	Keyevent
)

// Options configure a watcher. The zero value works: every event of every
// key of the client's database, on the keyspace channels, with the
// servers' notify-keyspace-events left as they are.
type Options struct {
	// Channels says which channels to subscribe to. Zero means Keyspace.
	Channels Channels

	// Keys is the pattern of the keys to watch, in PSUBSCRIBE's glob
	// syntax (*, ?, [...], \ to escape); empty means every key. It needs
	// Keyspace channels alone: keyevent channels are named after events,
	// so Watch refuses Keys together with Keyevent.
	Keys string

	// Events are the names of the events to deliver ("set", "del",
	// "expired", "evicted", "hset", ...); empty means all. On keyevent
	// channels Watch subscribes to these events only; on keyspace
	// channels the others are discarded as they arrive (they are not
	// counted as dropped).
	Events []string

	// DBs are the databases to watch; empty means the client's own
	// (Options().DB of the client). Redis Cluster has database 0 only.
	DBs []int

	// AllDBs watches every database: the patterns name no database, and
	// each Event says which one it comes from. It excludes DBs.
	AllDBs bool

	// Notify, when not empty, are notify-keyspace-events flags ("g$x",
	// "A", "Ex", ...) that the servers must have: Watch adds them, and K
	// or E for the channels it subscribes to, to the flags each server
	// has. Empty (the default) leaves the setting alone: enable
	// notifications in the servers' configuration instead, which is what
	// a managed service without CONFIG SET requires. See the package
	// documentation for when the flags are set.
	Notify string

	// BufferSize is how many events may wait for the reader; 0 means
	// 1024 (one more is held while it is handed over). An event that
	// finds the buffer full is dropped and counted
	// (Stats.Dropped), and a gap marker follows the events before it.
	// Gap markers never count against the buffer and are never dropped.
	BufferSize int

	// TopologyInterval is how often, on a cluster, the watcher reads the
	// slot map again to find new primaries (a replica promoted after its
	// primary died, a node added); it also follows the reads the client
	// makes for its own traffic. 0 means 1 second; negative means only
	// the client's own reads.
	TopologyInterval time.Duration

	// HealthCheck is how long a subscription's connection may stay silent
	// before it is checked with a PING (redis.PubSubOptions.HealthCheck);
	// a connection found dead is replaced, with a gap marker. 0 means 15
	// seconds; negative disables the check.
	HealthCheck time.Duration
}

// Event is one keyspace notification, or a gap marker.
type Event struct {
	// Key is the key that changed; empty in a gap marker.
	Key string
	// Event is the event's name as Redis reports it: "set", "del",
	// "expired", "evicted", "expire", "rename_from", "hset", "lpush", ...
	// Empty in a gap marker.
	Event string
	// DB is the key's database.
	DB int
	// Node is the address of the server that published the event, on a
	// cluster (the primary serving the key's slot); empty otherwise. In a
	// gap marker it names the server whose events may be missing, and is
	// empty when events of several servers may be.
	Node string
	// Gap marks a gap: events may have been lost between the event
	// before it and the one after it (see the package documentation). A
	// gap marker carries no Key or Event.
	Gap bool
}

// String describes the event: "set mykey (db 0)", or "gap" for a marker.
func (e Event) String() string {
	node := ""
	if e.Node != "" {
		node = " on " + e.Node
	}
	if e.Gap {
		return "gap" + node
	}
	return fmt.Sprintf("%s %s (db %d)%s", e.Event, e.Key, e.DB, node)
}

// Stats are a watcher's counters since Watch.
type Stats struct {
	Delivered uint64 // events handed to the reader, gap markers excluded
	Dropped   uint64 // events dropped because the buffer was full
	Gaps      uint64 // gap markers handed to the reader
	Nodes     int    // subscriptions held now: one per primary on a cluster, one otherwise (counted while being renewed)
}

// ErrClosed ends a watcher closed by Close.
var ErrClosed = errors.New("keyspace: watcher closed")

// Watcher delivers the keyspace notifications of a client's servers. Its
// methods are safe for concurrent use. Close it when done: it holds a
// connection per subscribed server and a few goroutines.
type Watcher struct {
	c        *redis.Client
	o        Options
	patterns []string        // the PSUBSCRIBE patterns, the same on every server
	only     map[string]bool // Options.Events as a set; nil for all
	flags    string          // flags to add to notify-keyspace-events; "" for none
	cluster  bool            // the client's transport lists shards: one subscription per primary

	ctx    context.Context // ends when the watcher ends
	cancel context.CancelFunc

	mu   sync.Mutex          // guards subs and err
	subs map[string]*nodeSub // subscriptions by server address ("" off a cluster)
	err  error               // why the watcher ended

	q       *queue
	out     chan Event
	nudge   chan struct{} // 1-buffered: a cluster subscription ended by itself
	closing chan struct{} // closed by Close: the pump stops at once
	once    sync.Once
	wg      sync.WaitGroup // subscription goroutines and the topology follower
	stopped chan struct{}  // closed when they have ended and the queue with them
	pumped  chan struct{}  // closed when the pump has closed out

	delivered, dropped, gaps atomic.Uint64
}

// Watch subscribes to the keyspace notifications of c's servers and
// returns once every subscription is confirmed: every change made after
// it returns is reported. On a cluster it subscribes on every primary.
// ctx bounds the setup only; the watcher runs until Close, or until c is
// closed (then Err matches redis.ErrClosed). A nil o means the defaults.
//
// It fails on options that contradict each other, on a database other
// than 0 on a cluster, with a *ConfigError when Options.Notify cannot be
// applied, and with the server's error when a subscription is refused
// (an ACL without the channels, for example).
func Watch(ctx context.Context, c *redis.Client, o *Options) (*Watcher, error) {
	if c == nil {
		return nil, errors.New("keyspace: Watch needs a client")
	}
	var opts Options
	if o != nil {
		opts = *o
		opts.DBs = slices.Clone(o.DBs)
		opts.Events = slices.Clone(o.Events)
	}
	_, cluster := c.Transport().(redis.ShardLister)
	w := &Watcher{c: c, cluster: cluster}
	if err := w.setOptions(opts); err != nil {
		return nil, err
	}
	w.ctx, w.cancel = context.WithCancel(context.Background())
	w.subs = map[string]*nodeSub{}
	w.q = newQueue(w.o.BufferSize)
	w.out = make(chan Event)
	w.nudge = make(chan struct{}, 1)
	w.closing = make(chan struct{})
	w.stopped = make(chan struct{})
	w.pumped = make(chan struct{})

	var err error
	if cluster {
		err = w.startCluster(ctx)
	} else {
		err = w.startSingle(ctx)
	}
	if err != nil {
		w.cancel() // nothing was started: the failed start closed its PubSubs
		return nil, err
	}
	go w.finish()
	go w.pump()
	return w, nil
}

// setOptions checks o, fills in the defaults and derives the patterns.
func (w *Watcher) setOptions(o Options) error {
	if o.Channels == 0 {
		o.Channels = Keyspace
	}
	if o.Channels&^(Keyspace|Keyevent) != 0 {
		return fmt.Errorf("keyspace: unknown Channels %#x", uint8(o.Channels))
	}
	if o.Keys != "" && o.Channels&Keyevent != 0 {
		return errors.New("keyspace: Keys selects keyspace channels; keyevent channels are named after events (use Channels: Keyspace, or Events)")
	}
	if o.AllDBs && len(o.DBs) > 0 {
		return errors.New("keyspace: AllDBs and DBs exclude each other")
	}
	for _, db := range o.DBs {
		if db < 0 {
			return fmt.Errorf("keyspace: database %d: must not be negative", db)
		}
		if w.cluster && db != 0 {
			return fmt.Errorf("keyspace: database %d: Redis Cluster has database 0 only", db)
		}
	}
	if len(o.DBs) == 0 && !o.AllDBs {
		o.DBs = []int{w.c.Options().DB}
		if w.cluster {
			o.DBs = []int{0}
		}
	}
	for _, e := range o.Events {
		if e == "" {
			return errors.New("keyspace: an empty name in Events")
		}
	}
	if strings.ContainsAny(o.Notify, " \t\r\n") {
		return fmt.Errorf("keyspace: Notify %q: flags are single characters, without spaces", o.Notify)
	}
	if o.BufferSize < 0 {
		return fmt.Errorf("keyspace: BufferSize %d: must not be negative", o.BufferSize)
	}
	if o.BufferSize == 0 {
		o.BufferSize = 1024
	}
	if o.TopologyInterval == 0 {
		o.TopologyInterval = time.Second
	}
	w.o = o

	dbs := make([]string, 0, len(o.DBs))
	for _, db := range o.DBs {
		dbs = append(dbs, strconv.Itoa(db))
	}
	if o.AllDBs {
		dbs = []string{"*"}
	}
	keys := o.Keys
	if keys == "" {
		keys = "*"
	}
	for _, db := range dbs {
		if o.Channels&Keyspace != 0 {
			w.patterns = append(w.patterns, "__keyspace@"+db+"__:"+keys)
		}
		if o.Channels&Keyevent != 0 {
			if len(o.Events) == 0 {
				w.patterns = append(w.patterns, "__keyevent@"+db+"__:*")
			}
			for _, e := range o.Events {
				w.patterns = append(w.patterns, "__keyevent@"+db+"__:"+escapeGlob(e))
			}
		}
	}
	slices.Sort(w.patterns)
	w.patterns = slices.Compact(w.patterns)
	if len(o.Events) > 0 {
		w.only = map[string]bool{}
		for _, e := range o.Events {
			w.only[e] = true
		}
	}
	if o.Notify != "" {
		w.flags = o.Notify
		if o.Channels&Keyspace != 0 && !strings.ContainsRune(w.flags, 'K') {
			w.flags = "K" + w.flags
		}
		if o.Channels&Keyevent != 0 && !strings.ContainsRune(w.flags, 'E') {
			w.flags = "E" + w.flags
		}
	}
	return nil
}

// escapeGlob escapes the characters PSUBSCRIBE patterns give a meaning.
func escapeGlob(s string) string {
	var sb strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]\^`, r) {
			sb.WriteByte('\\')
		}
		sb.WriteRune(r)
	}
	return sb.String()
}

// parse turns a pattern message into an Event; ok is false for a message
// that is not a notification the watcher wants.
func (w *Watcher) parse(m redis.Message) (ev Event, ok bool) {
	var keyspace bool
	rest, found := strings.CutPrefix(m.Channel, "__keyspace@")
	if found {
		keyspace = true
	} else if rest, found = strings.CutPrefix(m.Channel, "__keyevent@"); !found {
		return Event{}, false
	}
	db, name, found := strings.Cut(rest, "__:")
	if !found {
		return Event{}, false
	}
	n, ok := parseDB(db)
	if !ok {
		return Event{}, false
	}
	ev.DB = n
	if keyspace {
		ev.Key, ev.Event = name, m.Payload
	} else {
		ev.Key, ev.Event = m.Payload, name
	}
	if w.only != nil && !w.only[ev.Event] {
		return Event{}, false
	}
	return ev, true
}

// parseDB reads a database number as Redis writes it: decimal digits,
// without sign or leading zeros.
func parseDB(s string) (int, bool) {
	if s == "" || len(s) > 9 || len(s) > 1 && s[0] == '0' {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

// deliver queues an event, or drops it and owes a gap marker.
func (w *Watcher) deliver(ev Event) {
	if w.q.push(ev) {
		return
	}
	if w.ctx.Err() == nil {
		w.dropped.Add(1)
		w.q.push(Event{Gap: true, Node: ev.Node})
	}
}

// gap queues a gap marker for node.
func (w *Watcher) gap(node string) { w.q.push(Event{Gap: true, Node: node}) }

// pump hands the queued events to out until the queue has ended and is
// empty, or Close.
func (w *Watcher) pump() {
	defer close(w.pumped)
	defer close(w.out)
	for {
		ev, ok, ended := w.q.take()
		if !ok {
			if ended {
				return
			}
			select {
			case <-w.q.ready:
				continue
			case <-w.closing:
				return
			}
		}
		select {
		case w.out <- ev:
			if ev.Gap {
				w.gaps.Add(1)
			} else {
				w.delivered.Add(1)
			}
		case <-w.closing:
			return
		}
	}
}

// finish ends the queue once the watcher has ended and its goroutines
// with it; the pump then hands over what is left and closes out.
func (w *Watcher) finish() {
	<-w.ctx.Done()
	w.wg.Wait()
	w.q.end()
	close(w.stopped)
}

// fail ends the watcher for err, unless it has ended already.
func (w *Watcher) fail(err error) {
	w.mu.Lock()
	if w.err == nil {
		w.err = err
	}
	w.mu.Unlock()
	w.cancel()
}

// Events returns the stream of events. It is closed when the watcher
// ends: at once after Close; after the events still buffered when the
// watcher ends for another reason (see Err). Events and Receive read the
// same stream: use one or the other.
func (w *Watcher) Events() <-chan Event { return w.out }

// Receive returns the next event, waiting until one arrives or ctx ends.
// Once the watcher has ended and its buffered events have been read, it
// returns the reason (see Err).
func (w *Watcher) Receive(ctx context.Context) (Event, error) {
	select {
	case ev, ok := <-w.out:
		if !ok {
			return Event{}, w.Err()
		}
		return ev, nil
	case <-ctx.Done():
		return Event{}, ctx.Err()
	}
}

// Err returns why the watcher ended: ErrClosed after Close; an error
// matching redis.ErrClosed when the client was closed; a
// *ConfigError when notify-keyspace-events could not be set again on a
// server; a server's refusal of a renewed subscription. It returns nil
// while the watcher runs.
func (w *Watcher) Err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// Stats returns the watcher's counters.
func (w *Watcher) Stats() Stats {
	w.mu.Lock()
	nodes := 0
	for _, s := range w.subs {
		if s.live.Load() {
			nodes++
		}
	}
	w.mu.Unlock()
	return Stats{
		Delivered: w.delivered.Load(),
		Dropped:   w.dropped.Load(),
		Gaps:      w.gaps.Load(),
		Nodes:     nodes,
	}
}

// Close ends the subscriptions, stops the watcher's goroutines and closes
// the Events channel; events not yet read are discarded. It does not close
// the client. Close is safe to call more than once.
func (w *Watcher) Close() error {
	w.fail(ErrClosed)
	w.once.Do(func() { close(w.closing) })
	<-w.stopped
	<-w.pumped
	return nil
}
