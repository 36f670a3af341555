package redis

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/respkit/redis/resp"
)

// MessageKind says what a pub/sub Message is.
type MessageKind uint8

// Kinds of Message.
const (
	// KindMessage is a message published to a channel (SUBSCRIBE).
	KindMessage MessageKind = iota + 1
	// KindPatternMessage is a message matched by a pattern (PSUBSCRIBE);
	// Pattern says which.
	KindPatternMessage
	// KindShardMessage is a message published to a shard channel
	// (SSUBSCRIBE, SPUBLISH).
	KindShardMessage
	// KindSubscribed, KindPatternSubscribed and KindShardSubscribed
	// confirm a subscription; Count is the connection's number of
	// subscriptions after it.
	KindSubscribed
	KindPatternSubscribed
	KindShardSubscribed
	// KindUnsubscribed, KindPatternUnsubscribed and KindShardUnsubscribed
	// confirm the end of a subscription.
	KindUnsubscribed
	KindPatternUnsubscribed
	KindShardUnsubscribed
	// KindResubscribed marks a gap: the connection was lost and replaced,
	// and every subscription is being renewed on the new one. Messages
	// published while no connection was subscribed are lost. The
	// confirmations of the renewed subscriptions follow it.
	//
	// On a cluster, shard channels have gaps of their own: when the node
	// serving a shard channel is lost, or the server drops the
	// subscription because the channel's slot moved to another node, the
	// PubSub renews it on the slot's new owner. Each such renewal is
	// marked by a KindResubscribed event whose Channel names the shard
	// channel; the server's unsubscription is not reported.
	KindResubscribed
	// KindPong answers a health-check PING (Payload is its argument).
	KindPong
	// KindSubscribeRefused, KindPatternSubscribeRefused and
	// KindShardSubscribeRefused say that the server refused a
	// subscription (NOPERM after an ACL change, for example) and that the
	// PubSub no longer holds it: Channel is the channel or pattern,
	// Payload the server's error. A refused renewal after a reconnect is
	// reported this way; so is a refused Subscribe, whose caller also gets
	// the error.
	KindSubscribeRefused
	KindPatternSubscribeRefused
	KindShardSubscribeRefused
)

var kindNames = [...]string{
	KindMessage: "message", KindPatternMessage: "pmessage", KindShardMessage: "smessage",
	KindSubscribed: "subscribe", KindPatternSubscribed: "psubscribe", KindShardSubscribed: "ssubscribe",
	KindUnsubscribed: "unsubscribe", KindPatternUnsubscribed: "punsubscribe", KindShardUnsubscribed: "sunsubscribe",
	KindResubscribed: "resubscribed", KindPong: "pong",
	KindSubscribeRefused: "subscribe-refused", KindPatternSubscribeRefused: "psubscribe-refused",
	KindShardSubscribeRefused: "ssubscribe-refused",
}

// String returns the kind's name as Redis spells it ("message",
// "psubscribe", ...), "resubscribed" for the gap marker, or
// "subscribe-refused" (and "psubscribe-refused", "ssubscribe-refused").
func (k MessageKind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return fmt.Sprintf("MessageKind(%d)", k)
}

// Message is one event of a subscription: a published message, a
// confirmation, a refusal, or the gap marker after a reconnect.
type Message struct {
	Kind MessageKind
	// Channel is the channel (or shard channel) the message was published
	// to, or the channel or pattern a confirmation or refusal is about.
	Channel string
	// Pattern is the pattern that matched, for KindPatternMessage.
	Pattern string
	// Payload is the message, or the server's error for a refusal.
	Payload string
	// Count is the number of subscriptions the connection has after a
	// (un)subscription.
	Count int64
}

// Overflow is what a PubSub does with a message when its buffer is full.
// Whatever the policy, confirmations, refusals and gap markers are never
// dropped and never wait: they do not count against BufferSize.
type Overflow uint8

// Overflow policies.
const (
	// OverflowBlock (the default) waits until the reader takes a message.
	// The subscriber's connection stops being read meanwhile: the server
	// buffers messages, and disconnects the subscriber when its output
	// buffer limit is reached (then the PubSub reconnects and reports a
	// gap). Other subscribers are not affected.
	OverflowBlock Overflow = iota
	// OverflowDropOldest discards the oldest buffered message to make
	// room for the arriving one.
	OverflowDropOldest
	// OverflowDropNewest discards the arriving message.
	OverflowDropNewest
	// OverflowFail ends the PubSub with ErrPubSubOverflow when a message
	// finds the buffer full. The events buffered before it can still be
	// read.
	OverflowFail
)

// ErrPubSubOverflow ends a PubSub whose buffer filled under OverflowFail.
var ErrPubSubOverflow = errors.New("redis: pub/sub buffer full: the reader fell behind")

// ErrPubSubClosed is returned by calls on a closed PubSub.
var ErrPubSubClosed = errors.New("redis: PubSub is closed")

// errPubSubClientClosed ends the PubSubs of a closed Client: it matches
// both ErrPubSubClosed and ErrClosed.
var errPubSubClientClosed = fmt.Errorf("%w: %w", ErrPubSubClosed, ErrClosed)

// PubSubOptions configure a PubSub. The zero value works.
type PubSubOptions struct {
	// BufferSize is how many published messages may wait for the reader;
	// 0 means 1024. Confirmations, refusals and gap markers come on top:
	// they are never dropped and never count against it (there are a few
	// per Subscribe call or reconnect).
	BufferSize int
	// Overflow says what happens to a message when the buffer is full;
	// the default is OverflowBlock.
	Overflow Overflow
	// HealthCheck is how long the connection may stay silent before the
	// PubSub sends a PING; a connection that stays silent for as long again
	// is replaced. 0 means 15 seconds; negative disables the check.
	HealthCheck time.Duration
	// MaxReconnectDelay caps the delay between reconnection attempts,
	// which starts at 10ms and doubles, with jitter. 0 means 1 second.
	MaxReconnectDelay time.Duration
}

// Subscription kinds, indexing PubSub.subs.
const (
	subChannel = iota
	subPattern
	subShard
)

var (
	subscribeNames   = [3]string{"SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE"}
	unsubscribeNames = [3]string{"UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE"}
	confirmKinds     = [3]MessageKind{KindSubscribed, KindPatternSubscribed, KindShardSubscribed}
	unconfirmKinds   = [3]MessageKind{KindUnsubscribed, KindPatternUnsubscribed, KindShardUnsubscribed}
	refusedKinds     = [3]MessageKind{KindSubscribeRefused, KindPatternSubscribeRefused, KindShardSubscribeRefused}
)

// PubSub is a subscriber: one connection of its own that carries its
// subscriptions, and a goroutine that reads it. Events (messages,
// confirmations, gap markers) arrive in order through Receive or Channel.
//
// On a cluster (a transport that routes by slot) the connection carries
// channels and patterns, and shard channels travel on connections of
// their own, one per node serving slots of subscribed shard channels,
// each read by its own goroutine. SSubscribe sends one SSUBSCRIBE per
// slot. Events of one connection arrive in order; events of different
// nodes may interleave.
//
// When the connection is lost (a network failure, CLIENT KILL, a server
// restart) the PubSub dials again, renews every subscription, and puts a
// KindResubscribed event in the stream at the point of the gap. A
// health-check PING finds connections that died silently.
//
// A PubSub ends when it is closed, when its Client is closed (its calls
// then fail with an error matching both ErrClosed and ErrPubSubClosed),
// or under OverflowFail.
//
// Its methods are safe for concurrent use. Close it when done.
type PubSub struct {
	c *Client
	o PubSubOptions

	ctx    context.Context // ends when the PubSub ends
	cancel context.CancelFunc

	// sending serialises writes to the connection. It is taken before mu
	// and held while a command's record joins the connection's queue and
	// its bytes are written, so the queue is in the order of the bytes.
	sending sync.Mutex

	mu      sync.Mutex         // guards the fields below
	subs    [3]map[string]bool // held subscriptions, renewed after a reconnect
	cur     *psConn            // the current connection; nil while reconnecting
	orphans []*subWaiter       // subscribers waiting for a renewal's confirmation
	err     error              // why the PubSub ended

	q       eventQueue
	dropped atomic.Uint64
	// log is the client's Logger with component=pubsub; nil: silent.
	log *slog.Logger
	// dropLoggedAt is when a drop was last logged (unix nanoseconds), so
	// that a flood of drops makes one record a second.
	dropLoggedAt atomic.Int64
	done         chan struct{} // closed when the reader goroutine has ended
	wake         chan struct{} // a subscription was added while disconnected

	// On a slot-routing transport, shard channels travel on lanes: one
	// connection per node serving subscribed slots.
	sharded bool
	lanes   map[string]*psConn // lanes by node address; guarded by mu
	home    map[int]*psConn    // the lane carrying each slot's shard channels; guarded by mu
	homing  map[int]bool       // slots whose lane is being found (true: a gap marker is owed); guarded by mu
	wg      sync.WaitGroup     // lane readers and homing goroutines; run waits for them

	closing   chan struct{} // closed by Close and by Client.Close
	closeOnce sync.Once
	outOnce   sync.Once
	out       chan Message // Channel's stream, fed by pump
}

// psConn is one connection of a PubSub and the commands it carries.
type psConn struct {
	dc DedicatedConn
	// A lane (shard channels on a cluster) is keyed by its node's address.
	lane bool
	addr string
	// Guarded by PubSub.mu:
	slots map[int]bool // a lane's slots (those PubSub.home maps to it)
	dead  bool         // a lane whose reader has ended
	// Guarded by PubSub.mu:
	inflight []*psCmd           // commands whose replies are due, oldest first
	active   [3]map[string]bool // subscriptions confirmed on this connection
}

// psCmd is a command sent on a psConn. The server answers each command in
// order: (un)subscriptions with one confirmation per name, or with one
// error for the whole command; PING with a pong.
type psCmd struct {
	op      psOp
	kind    int        // subChannel, subPattern or subShard
	names   []string   // names whose confirmations are still due
	renewal bool       // sent by a (re)connection, not by a caller
	w       *subWaiter // the caller waiting, or nil
}

type psOp uint8

const (
	opSubscribe psOp = iota
	opUnsubscribe
	opPing
)

// subWaiter is a caller of Subscribe or Unsubscribe waiting for its
// command's replies, or, once the connection carrying the command is lost,
// for the confirmations of the renewal (pending, under PubSub.mu).
type subWaiter struct {
	kind    int
	pending map[string]bool // as an orphan: the names still to be renewed
	done    chan error      // buffered: answer never blocks
}

// answer gives the waiter its result; only the first answer counts.
func (w *subWaiter) answer(err error) {
	if w == nil {
		return
	}
	select {
	case w.done <- err:
	default:
	}
}

// NewPubSub returns a subscriber with no subscriptions yet; add them with
// Subscribe, PSubscribe and SSubscribe. A nil o means the defaults.
func (c *Client) NewPubSub(o *PubSubOptions) *PubSub {
	var opts PubSubOptions
	if o != nil {
		opts = *o
	}
	if opts.BufferSize <= 0 {
		opts.BufferSize = 1024
	}
	if opts.HealthCheck == 0 {
		opts.HealthCheck = 15 * time.Second
	}
	if opts.MaxReconnectDelay <= 0 {
		opts.MaxReconnectDelay = time.Second
	}
	ps := &PubSub{
		c: c, o: opts,
		done:    make(chan struct{}),
		wake:    make(chan struct{}, 1),
		closing: make(chan struct{}),
	}
	if c.o.Logger != nil {
		ps.log = c.o.Logger.With(slog.String("component", "pubsub"))
	}
	ps.q.init()
	for i := range ps.subs {
		ps.subs[i] = map[string]bool{}
	}
	if routesBySlot(c.t) {
		ps.sharded = true
		ps.lanes = map[string]*psConn{}
		ps.home = map[int]*psConn{}
		ps.homing = map[int]bool{}
	}
	ps.ctx, ps.cancel = context.WithCancel(context.Background())
	if !c.trackPubSub(ps) {
		ps.shut(errPubSubClientClosed)
	}
	go ps.run()
	return ps
}

// trackPubSub records an open PubSub, to be ended by Client.Close; it
// returns false when the client is closed already.
func (c *Client) trackPubSub(ps *PubSub) bool {
	c.pubsubMu.Lock()
	defer c.pubsubMu.Unlock()
	if c.closed.Load() {
		return false
	}
	if c.pubsubs == nil {
		c.pubsubs = map[*PubSub]struct{}{}
	}
	c.pubsubs[ps] = struct{}{}
	return true
}

func (c *Client) untrackPubSub(ps *PubSub) {
	c.pubsubMu.Lock()
	delete(c.pubsubs, ps)
	c.pubsubMu.Unlock()
}

// closePubSubs ends every open PubSub of a client being closed and waits
// until their connections are released.
func (c *Client) closePubSubs() {
	c.pubsubMu.Lock()
	open := c.pubsubs
	c.pubsubs = nil
	c.pubsubMu.Unlock()
	for ps := range open {
		ps.shut(errPubSubClientClosed)
	}
	for ps := range open {
		<-ps.done
	}
}

// Subscribe sends SUBSCRIBE channel [channel ...] on a new subscriber and
// returns it once the server has confirmed every channel. Since Redis
// 2.0.0.
func (c *Client) Subscribe(ctx context.Context, channels ...string) (*PubSub, error) {
	return c.newSubscribed(ctx, subChannel, channels)
}

// PSubscribe sends PSUBSCRIBE pattern [pattern ...] on a new subscriber
// and returns it once the server has confirmed every pattern. Since Redis
// 2.0.0.
func (c *Client) PSubscribe(ctx context.Context, patterns ...string) (*PubSub, error) {
	return c.newSubscribed(ctx, subPattern, patterns)
}

// SSubscribe sends SSUBSCRIBE shardchannel [shardchannel ...] on a new
// subscriber and returns it once the server has confirmed every shard
// channel. Since Redis 7.0.0.
func (c *Client) SSubscribe(ctx context.Context, shardChannels ...string) (*PubSub, error) {
	return c.newSubscribed(ctx, subShard, shardChannels)
}

func (c *Client) newSubscribed(ctx context.Context, kind int, names []string) (*PubSub, error) {
	ps := c.NewPubSub(nil)
	if err := ps.subscribe(ctx, kind, names); err != nil {
		ps.Close()
		return nil, err
	}
	return ps, nil
}

// Subscribe sends SUBSCRIBE channel [channel ...] and returns once the
// server has confirmed every channel: from then on, every message
// published to them is delivered. If the server refuses the command
// (NOPERM, for example), Subscribe returns its error and the PubSub holds
// none of the channels it did not hold before. If the connection is lost
// first, Subscribe returns once the renewal has confirmed them. Since
// Redis 2.0.0.
func (ps *PubSub) Subscribe(ctx context.Context, channels ...string) error {
	return ps.subscribe(ctx, subChannel, channels)
}

// PSubscribe sends PSUBSCRIBE pattern [pattern ...] and returns once the
// server has confirmed every pattern, as Subscribe does. Since Redis
// 2.0.0.
func (ps *PubSub) PSubscribe(ctx context.Context, patterns ...string) error {
	return ps.subscribe(ctx, subPattern, patterns)
}

// SSubscribe sends SSUBSCRIBE shardchannel [shardchannel ...] and returns
// once the server has confirmed every shard channel, as Subscribe does.
// On a cluster the shard channels may be in different slots: one
// SSUBSCRIBE per slot goes to the node serving it, and each is renewed on
// the slot's new owner when the slot moves or the node is lost. Since
// Redis 7.0.0.
func (ps *PubSub) SSubscribe(ctx context.Context, shardChannels ...string) error {
	return ps.subscribe(ctx, subShard, shardChannels)
}

// Unsubscribe sends UNSUBSCRIBE for the channels (all of the PubSub's
// channels when none are given) and returns once the server has confirmed
// each. The PubSub stops holding them at once, so they are not renewed
// after a reconnect. If the connection is lost before the confirmations
// arrive (or there is no connection), Unsubscribe returns nil without
// them: the new connection is not subscribed to the channels, and no
// unsubscribe confirmation for them appears in the stream. Since Redis
// 2.0.0.
func (ps *PubSub) Unsubscribe(ctx context.Context, channels ...string) error {
	return ps.unsubscribe(ctx, subChannel, channels)
}

// PUnsubscribe sends PUNSUBSCRIBE for the patterns (all when none are
// given) and returns once the server has confirmed each, as Unsubscribe
// does. Since Redis 2.0.0.
func (ps *PubSub) PUnsubscribe(ctx context.Context, patterns ...string) error {
	return ps.unsubscribe(ctx, subPattern, patterns)
}

// SUnsubscribe sends SUNSUBSCRIBE for the shard channels (all when none
// are given) and returns once the server has confirmed each, as
// Unsubscribe does. Since Redis 7.0.0.
func (ps *PubSub) SUnsubscribe(ctx context.Context, shardChannels ...string) error {
	return ps.unsubscribe(ctx, subShard, shardChannels)
}

// Subscriptions returns the channels, patterns and shard channels the
// PubSub is subscribed to (or will be again after a reconnect).
func (ps *PubSub) Subscriptions() (channels, patterns, shardChannels []string) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	list := func(m map[string]bool) []string {
		out := make([]string, 0, len(m))
		for k := range m {
			out = append(out, k)
		}
		return out
	}
	return list(ps.subs[subChannel]), list(ps.subs[subPattern]), list(ps.subs[subShard])
}

func psCommand(name string, names []string) (*Cmd, error) {
	args := make([]any, 0, len(names)+1)
	args = append(args, name)
	for _, n := range names {
		args = append(args, n)
	}
	return NewCmd(args...)
}

func (ps *PubSub) subscribe(ctx context.Context, kind int, names []string) error {
	if len(names) == 0 {
		return fmt.Errorf("redis: %s needs at least one name", subscribeNames[kind])
	}
	cmd, err := psCommand(subscribeNames[kind], names)
	if err != nil {
		return err
	}
	if ps.onLanes(kind) {
		return ps.subscribeShards(ctx, names)
	}
	names = slices.Clone(names) // its record is consumed as confirmations arrive
	w := &subWaiter{kind: kind, done: make(chan error, 1)}
	ps.sending.Lock()
	ps.mu.Lock()
	if ps.err != nil {
		err := ps.err
		ps.mu.Unlock()
		ps.sending.Unlock()
		return err
	}
	for _, n := range names {
		ps.subs[kind][n] = true
	}
	l := ps.cur
	if l == nil {
		// Reconnecting: the renewal includes these names and answers w.
		w.pending = map[string]bool{}
		for _, n := range names {
			w.pending[n] = true
		}
		ps.orphans = append(ps.orphans, w)
		ps.mu.Unlock()
		ps.sending.Unlock()
		select {
		case ps.wake <- struct{}{}:
		default:
		}
	} else {
		l.inflight = append(l.inflight, &psCmd{op: opSubscribe, kind: kind, names: names, w: w})
		ps.mu.Unlock()
		// A failed write breaks the connection: the reader reconnects and
		// the renewal answers w.
		ps.send(l.dc, []*Cmd{cmd})
		ps.sending.Unlock()
	}
	return ps.await(ctx, w)
}

// send writes cmds on dc through the client's Command hooks, one call per
// command: for pub/sub a hook wraps the write, and the confirmation
// arrives later on the subscription. Without hooks it is dc.Send.
func (ps *PubSub) send(dc DedicatedConn, cmds []*Cmd) error {
	h := ps.c.hooks
	if h == nil || len(h.command) == 0 {
		return dc.Send(ps.ctx, cmds)
	}
	for _, cmd := range cmds {
		err := h.runCommand(ps.ctx, cmd, func(ctx context.Context) error {
			traceAttempt(ctx, 1)
			return dc.Send(ctx, []*Cmd{cmd})
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func (ps *PubSub) unsubscribe(ctx context.Context, kind int, names []string) error {
	if ps.onLanes(kind) {
		return ps.unsubscribeShards(ctx, names)
	}
	w := &subWaiter{kind: kind, done: make(chan error, 1)}
	ps.sending.Lock()
	ps.mu.Lock()
	if ps.err != nil {
		err := ps.err
		ps.mu.Unlock()
		ps.sending.Unlock()
		return err
	}
	if len(names) == 0 {
		for n := range ps.subs[kind] {
			names = append(names, n)
		}
		if len(names) == 0 {
			ps.mu.Unlock()
			ps.sending.Unlock()
			return nil
		}
	} else {
		names = slices.Clone(names) // its record is consumed as confirmations arrive
	}
	cmd, err := psCommand(unsubscribeNames[kind], names)
	if err != nil {
		ps.mu.Unlock()
		ps.sending.Unlock()
		return err
	}
	for _, n := range names {
		delete(ps.subs[kind], n)
		// A Subscribe of n waiting for a renewal is superseded: the
		// renewal will not include n.
		ps.settleOrphans(kind, n, nil)
	}
	l := ps.cur
	if l == nil {
		// Not connected: the renewal leaves them out.
		ps.mu.Unlock()
		ps.sending.Unlock()
		return nil
	}
	l.inflight = append(l.inflight, &psCmd{op: opUnsubscribe, kind: kind, names: names, w: w})
	ps.mu.Unlock()
	// A failed write breaks the connection, which answers w (the new one
	// is not subscribed to names).
	ps.send(l.dc, []*Cmd{cmd})
	ps.sending.Unlock()
	return ps.await(ctx, w)
}

// settleOrphans removes name from the orphans waiting for its renewal:
// with err nil an orphan is answered once nothing is left to renew for it
// (the renewal confirmed it, or the caller no longer wants it); with an
// error (a refusal) it is answered with err at once. ps.mu is held.
func (ps *PubSub) settleOrphans(kind int, name string, err error) {
	kept := ps.orphans[:0]
	for _, w := range ps.orphans {
		if w.kind == kind && w.pending[name] {
			delete(w.pending, name)
			if err != nil || len(w.pending) == 0 {
				w.answer(err)
				continue
			}
		}
		kept = append(kept, w)
	}
	clear(ps.orphans[len(kept):])
	ps.orphans = kept
}

func (ps *PubSub) await(ctx context.Context, w *subWaiter) error {
	select {
	case err := <-w.done:
		return err
	case <-ctx.Done():
		ps.mu.Lock()
		if i := slices.Index(ps.orphans, w); i >= 0 {
			ps.orphans = slices.Delete(ps.orphans, i, i+1)
		}
		ps.mu.Unlock()
		return ctx.Err()
	case <-ps.done:
		select {
		case err := <-w.done:
			return err
		default:
		}
		return ps.closedErr()
	}
}

// confirmed records a confirmation on l: it answers the command it
// completes and the orphans the renewal has now subscribed. It returns
// true when the event is not to be delivered: on a lane, an
// unsubscription of a shard channel the PubSub still holds, which the
// server sends when the channel's slot has moved; the channel is then
// renewed on the slot's new owner.
func (ps *PubSub) confirmed(l *psConn, m Message) bool {
	op, kind := opSubscribe, slices.Index(confirmKinds[:], m.Kind)
	if kind < 0 {
		op, kind = opUnsubscribe, slices.Index(unconfirmKinds[:], m.Kind)
	}
	ps.mu.Lock()
	defer ps.mu.Unlock()
	// The server answers in order, so the confirmation is the first one
	// due; a confirmation out of place is matched to the first command
	// expecting it.
	i := slices.IndexFunc(l.inflight, func(c *psCmd) bool {
		return c.op == op && c.kind == kind && len(c.names) > 0 && c.names[0] == m.Channel
	})
	if i < 0 {
		i = slices.IndexFunc(l.inflight, func(c *psCmd) bool {
			return c.op == op && c.kind == kind && slices.Contains(c.names, m.Channel)
		})
	}
	if i >= 0 {
		c := l.inflight[i]
		j := slices.Index(c.names, m.Channel)
		c.names = slices.Delete(c.names, j, j+1)
		if len(c.names) == 0 {
			l.inflight = slices.Delete(l.inflight, i, i+1)
			c.w.answer(nil)
		}
	}
	if op == opSubscribe {
		l.active[kind][m.Channel] = true
		ps.settleOrphans(kind, m.Channel, nil)
		return false
	}
	delete(l.active[kind], m.Channel)
	if i >= 0 || !l.lane || kind != subShard || !ps.subs[kind][m.Channel] {
		return false
	}
	// The slot moved: unless its channels are on (or on their way to)
	// another lane already, find its new owner.
	s := KeySlot(m.Channel)
	if h := ps.home[s]; h == l || h == nil {
		ps.unhomeLocked(s, l)
		ps.homeLocked(s, true, false)
	}
	return true
}

// ponged removes the health check a pong answers.
func (ps *PubSub) ponged(l *psConn) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if i := slices.IndexFunc(l.inflight, func(c *psCmd) bool { return c.op == opPing }); i >= 0 {
		l.inflight = slices.Delete(l.inflight, i, i+1)
	}
}

// refused handles an error reply on l, which answers its oldest command.
// A refused SUBSCRIBE fails its caller, and the PubSub stops holding the
// names it did not hold otherwise (confirmed on l, or asked for again by a
// later command), reporting each in the stream. A refused renewal of
// several names is sent again one name at a time, so that one refused
// name does not cost the others. It returns false when the PubSub ends.
func (ps *PubSub) refused(l *psConn, err error) bool {
	var (
		events []Message
		resend []*Cmd
	)
	ps.sending.Lock()
	ps.mu.Lock()
	if len(l.inflight) == 0 {
		ps.mu.Unlock()
		ps.sending.Unlock()
		return true
	}
	c := l.inflight[0]
	l.inflight = slices.Delete(l.inflight, 0, 1)
	switch {
	case l.lane && clusterRedirect(err):
		// The node does not serve the slot (any more), or the cluster
		// is changing: find the slot's owner again after a pause.
		if c.op == opSubscribe && len(c.names) > 0 {
			s := KeySlot(c.names[0])
			ps.unhomeLocked(s, l)
			ps.homeLocked(s, false, true)
		} else {
			c.w.answer(nil) // a SUNSUBSCRIBE: the node holds nothing of the slot
		}
	case c.op == opSubscribe && c.renewal && len(c.names) > 1:
		for _, n := range c.names {
			if !ps.subs[c.kind][n] {
				continue // unsubscribed since
			}
			cmd, cerr := psCommand(subscribeNames[c.kind], []string{n})
			if cerr != nil {
				continue
			}
			l.inflight = append(l.inflight, &psCmd{op: opSubscribe, kind: c.kind, names: []string{n}, renewal: true})
			resend = append(resend, cmd)
		}
	case c.op == opSubscribe:
		c.w.answer(err)
		for _, n := range c.names {
			if !ps.subs[c.kind][n] || l.active[c.kind][n] || l.wanted(c.kind, n) {
				continue
			}
			delete(ps.subs[c.kind], n)
			ps.settleOrphans(c.kind, n, err)
			events = append(events, Message{Kind: refusedKinds[c.kind], Channel: n, Payload: err.Error()})
		}
	default:
		// A refused UNSUBSCRIBE (the names stay dropped) or PING.
		c.w.answer(err)
	}
	ps.mu.Unlock()
	if len(resend) > 0 {
		ps.send(l.dc, resend) // a failure breaks the connection: the reader reconnects
	}
	ps.sending.Unlock()
	for _, m := range events {
		if !ps.deliver(m) {
			return false
		}
	}
	return true
}

// wanted reports whether a SUBSCRIBE of name waits for its reply on l.
// PubSub.mu is held.
func (l *psConn) wanted(kind int, name string) bool {
	for _, c := range l.inflight {
		if c.op == opSubscribe && c.kind == kind && slices.Contains(c.names, name) {
			return true
		}
	}
	return false
}

// Receive returns the next event, waiting until one arrives, ctx ends or
// the PubSub has ended and its buffered events have been read (then the
// error says why: ErrPubSubClosed, ErrPubSubOverflow, or an error
// matching ErrClosed when the Client was closed).
func (ps *PubSub) Receive(ctx context.Context) (Message, error) {
	m, ok, err := ps.next(ctx.Done())
	if !ok && err == nil {
		err = ctx.Err()
	}
	return m, err
}

// next returns the next event; ok is false when stop is closed first
// (err nil) or when the PubSub has ended and nothing is left (err says
// why).
func (ps *PubSub) next(stop <-chan struct{}) (m Message, ok bool, err error) {
	for {
		if m, ok := ps.q.take(); ok {
			return m, true, nil
		}
		select {
		case <-ps.q.ready:
		case <-ps.q.ended:
			if m, ok := ps.q.take(); ok {
				return m, true, nil
			}
			return Message{}, false, ps.closedErr()
		case <-stop:
			return Message{}, false, nil
		}
	}
}

// ReceiveMessage returns the next published message (of any of the three
// message kinds), skipping confirmations, refusals, pongs and gap markers.
func (ps *PubSub) ReceiveMessage(ctx context.Context) (Message, error) {
	for {
		m, err := ps.Receive(ctx)
		if err != nil || m.Kind <= KindShardMessage {
			return m, err
		}
	}
}

func (ps *PubSub) closedErr() error {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if ps.err != nil {
		return ps.err
	}
	return ErrPubSubClosed
}

// Channel returns the stream of events. Receive and Channel read the same
// stream: use one or the other. The first call starts a goroutine that
// hands the events over; it holds one event beyond the buffer while the
// reader is busy. The channel is closed when the PubSub ends: at once
// after Close or Client.Close, after the buffered events under
// OverflowFail.
func (ps *PubSub) Channel() <-chan Message {
	ps.outOnce.Do(func() {
		ps.out = make(chan Message)
		go ps.pump()
	})
	return ps.out
}

func (ps *PubSub) pump() {
	defer close(ps.out)
	for {
		m, ok, _ := ps.next(ps.closing)
		if !ok {
			return
		}
		select {
		case <-ps.closing:
			return
		default:
		}
		select {
		case ps.out <- m:
		case <-ps.closing:
			return
		}
	}
}

// Dropped returns how many messages the overflow policy has discarded.
func (ps *PubSub) Dropped() uint64 { return ps.dropped.Load() }

// Close ends the subscriptions and closes the connection. Events buffered
// before Close can still be read with Receive, which then returns
// ErrPubSubClosed; Channel is closed. Close is safe to call more than
// once.
func (ps *PubSub) Close() error {
	ps.shut(ErrPubSubClosed)
	<-ps.done
	return nil
}

// shut ends the PubSub for err and stops Channel's goroutine.
func (ps *PubSub) shut(err error) {
	ps.end(err)
	ps.closeOnce.Do(func() { close(ps.closing) })
}

// end records why the PubSub ends (the first reason wins) and stops it.
func (ps *PubSub) end(err error) {
	ps.mu.Lock()
	if ps.err == nil {
		ps.err = err
	}
	ps.mu.Unlock()
	ps.cancel() // the reader's Receive returns, and it releases the connection
}

// run is the reader goroutine: it connects, renews the subscriptions,
// reads events and reconnects after failures, until the PubSub ends.
func (ps *PubSub) run() {
	defer func() {
		ps.c.untrackPubSub(ps)
		ps.wg.Wait() // lanes: the PubSub has ended, so no more start
		ps.failAll(ps.closedErr())
		ps.q.end()
		close(ps.done)
	}()
	for attempt, connected := 0, false; ps.ctx.Err() == nil; {
		if ps.c.closed.Load() {
			ps.end(errPubSubClientClosed)
			return
		}
		l, err := ps.connect(connected)
		if err != nil {
			if ps.ctx.Err() != nil {
				return
			}
			if errors.Is(err, ErrClosed) {
				ps.end(errPubSubClientClosed)
				return
			}
			attempt++
			if !ps.sleep(ps.reconnectDelay(attempt)) {
				return
			}
			continue
		}
		attempt, connected = 0, true
		ps.read(l)
		ps.disconnect(l)
	}
}

// disconnect retires a failed connection. Callers waiting on its commands
// are answered as the renewal will leave things: a pending unsubscription
// is complete (the new connection does not hold the names), a pending
// subscription waits for the renewal's confirmation.
func (ps *PubSub) disconnect(l *psConn) {
	ps.mu.Lock()
	if ps.cur == l {
		ps.cur = nil
	}
	for _, c := range l.inflight {
		if c.w == nil {
			continue
		}
		if c.op != opSubscribe {
			c.w.answer(nil)
			continue
		}
		c.w.pending = map[string]bool{}
		for _, n := range c.names {
			if ps.subs[c.kind][n] {
				c.w.pending[n] = true
			}
		}
		if len(c.w.pending) == 0 {
			c.w.answer(nil) // unsubscribed since
			continue
		}
		ps.orphans = append(ps.orphans, c.w)
	}
	l.inflight = nil
	ps.mu.Unlock()
	l.dc.Release(false)
}

// failAll answers every waiting caller with err, at the end.
func (ps *PubSub) failAll(err error) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if ps.cur != nil {
		for _, c := range ps.cur.inflight {
			c.w.answer(err)
		}
	}
	for _, l := range ps.lanes {
		for _, c := range l.inflight {
			c.w.answer(err)
		}
	}
	for _, w := range ps.orphans {
		w.answer(err)
	}
	ps.orphans = nil
}

func (ps *PubSub) reconnectDelay(attempt int) time.Duration {
	d := 10 * time.Millisecond << min(attempt-1, 10)
	d = min(d, ps.o.MaxReconnectDelay)
	return d/2 + rand.N(d/2+1)
}

// sleep waits d, or less when a subscription arrives or the PubSub ends;
// it returns false when the PubSub ends.
func (ps *PubSub) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ps.wake:
	case <-ps.ctx.Done():
		return false
	}
	return true
}

// connect takes a connection and subscribes it to everything the PubSub
// holds. On a reconnect the gap marker goes into the stream before any
// event of the new connection.
func (ps *PubSub) connect(reconnect bool) (*psConn, error) {
	ps.mu.Lock()
	hasSubs := len(ps.subs[subChannel])+len(ps.subs[subPattern]) > 0 ||
		!ps.sharded && len(ps.subs[subShard]) > 0
	ps.mu.Unlock()
	if !hasSubs && !reconnect {
		// Nothing to subscribe yet: wait for the first subscription.
		select {
		case <-ps.wake:
		case <-ps.ctx.Done():
			return nil, ps.ctx.Err()
		}
	}
	dc, err := ps.c.t.Dedicated(ps.ctx, AnySlot)
	if err != nil {
		return nil, err
	}
	l := newPsConn(dc)
	var cmds []*Cmd
	ps.sending.Lock()
	ps.mu.Lock()
	if ps.err != nil {
		err := ps.err
		ps.mu.Unlock()
		ps.sending.Unlock()
		dc.Release(false)
		return nil, err
	}
	var renewed [3]int
	for kind := range ps.subs {
		if len(ps.subs[kind]) == 0 || ps.onLanes(kind) {
			continue
		}
		renewed[kind] = len(ps.subs[kind])
		names := make([]string, 0, len(ps.subs[kind]))
		for n := range ps.subs[kind] {
			names = append(names, n)
		}
		cmd, err := psCommand(subscribeNames[kind], names)
		if err != nil {
			continue // cannot happen with string arguments
		}
		cmds = append(cmds, cmd)
		l.inflight = append(l.inflight, &psCmd{op: opSubscribe, kind: kind, names: names, renewal: true})
	}
	ps.cur = l
	ps.mu.Unlock()
	if len(cmds) > 0 {
		// A failure closes the connection: read finds out at once and
		// the caller reconnects.
		ps.send(dc, cmds)
	}
	ps.sending.Unlock()
	if reconnect {
		// The renewal is on its way already; its confirmations are read
		// after this.
		ps.deliver(Message{Kind: KindResubscribed})
		if ps.log != nil {
			ps.log.LogAttrs(context.Background(), slog.LevelWarn, "redis: pubsub resubscribed",
				slog.String("reason", "connection lost"), slog.Int("channels", renewed[subChannel]),
				slog.Int("patterns", renewed[subPattern]), slog.Int("shard_channels", renewed[subShard]))
		}
	}
	return l, nil
}

// pubsubPing is the health check; its argument tells its pong apart.
var pubsubPing = mustCmd("PING", "respkit-health")

func mustCmd(args ...any) *Cmd {
	c, err := NewCmd(args...)
	if err != nil {
		panic(err)
	}
	return c
}

// ping sends the health check on l.
func (ps *PubSub) ping(l *psConn) error {
	ps.sending.Lock()
	defer ps.sending.Unlock()
	ps.mu.Lock()
	l.inflight = append(l.inflight, &psCmd{op: opPing})
	ps.mu.Unlock()
	return ps.send(l.dc, []*Cmd{pubsubPing})
}

// read handles the events of one connection until it fails or the PubSub
// ends.
func (ps *PubSub) read(l *psConn) {
	pinged := false
	for {
		timeout := ps.o.HealthCheck
		if timeout < 0 {
			timeout = 0
		}
		v, err := l.dc.Receive(ps.ctx, timeout)
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() && !pinged && ps.ctx.Err() == nil {
				pinged = true
				if ps.ping(l) == nil {
					continue
				}
			}
			return
		}
		pinged = false
		if v.IsError() {
			if !ps.refused(l, v.Err()) {
				return
			}
			continue
		}
		m, ok := parseEvent(v)
		if !ok {
			continue // a reply to something else: nothing to deliver
		}
		switch m.Kind {
		case KindSubscribed, KindPatternSubscribed, KindShardSubscribed,
			KindUnsubscribed, KindPatternUnsubscribed, KindShardUnsubscribed:
			if ps.confirmed(l, m) {
				continue
			}
		case KindPong:
			ps.ponged(l)
			if m.Payload == "respkit-health" {
				continue // our own health check
			}
		}
		if !ps.deliver(m) {
			return
		}
	}
}

// parseEvent reads a pub/sub frame: a RESP3 push, a RESP2 array, or the
// plain PONG that answers PING under RESP3.
func parseEvent(v resp.Value) (Message, bool) {
	switch v.Type() {
	case resp.SimpleString:
		if v.String() == "PONG" {
			return Message{Kind: KindPong}, true
		}
		return Message{}, false
	case resp.BulkString:
		return Message{Kind: KindPong, Payload: v.String()}, true // PING with an argument, RESP3
	case resp.Push, resp.Array:
	default:
		return Message{}, false
	}
	e := v.Elems()
	if len(e) < 2 {
		return Message{}, false
	}
	str := func(i int) string { return e[i].String() }
	switch strings.ToLower(str(0)) {
	case "message":
		if len(e) == 3 {
			return Message{Kind: KindMessage, Channel: str(1), Payload: str(2)}, true
		}
	case "smessage":
		if len(e) == 3 {
			return Message{Kind: KindShardMessage, Channel: str(1), Payload: str(2)}, true
		}
	case "pmessage":
		if len(e) == 4 {
			return Message{Kind: KindPatternMessage, Pattern: str(1), Channel: str(2), Payload: str(3)}, true
		}
	case "pong":
		return Message{Kind: KindPong, Payload: str(1)}, true
	default:
		kind, ok := map[string]MessageKind{
			"subscribe": KindSubscribed, "psubscribe": KindPatternSubscribed, "ssubscribe": KindShardSubscribed,
			"unsubscribe": KindUnsubscribed, "punsubscribe": KindPatternUnsubscribed, "sunsubscribe": KindShardUnsubscribed,
		}[strings.ToLower(str(0))]
		if ok && len(e) == 3 {
			return Message{Kind: kind, Channel: str(1), Count: e[2].Int()}, true
		}
	}
	return Message{}, false
}

// deliver puts an event in the stream under the overflow policy; it
// returns false when the PubSub ends.
func (ps *PubSub) deliver(m Message) bool {
	q := &ps.q
	q.mu.Lock()
	if m.Kind > KindShardMessage || q.msgs < ps.o.BufferSize {
		q.push(m)
		q.mu.Unlock()
		return true
	}
	switch ps.o.Overflow {
	case OverflowDropOldest:
		q.dropOldestMessage()
		q.push(m)
		ps.dropped.Add(1)
		q.mu.Unlock()
		ps.logDrop("oldest")
		return true
	case OverflowDropNewest:
		ps.dropped.Add(1)
		q.mu.Unlock()
		ps.logDrop("newest")
		return true
	case OverflowFail:
		q.mu.Unlock()
		ps.end(ErrPubSubOverflow)
		return false
	default: // OverflowBlock
		for q.msgs >= ps.o.BufferSize {
			q.mu.Unlock()
			select {
			case <-q.room:
			case <-ps.ctx.Done():
				return false
			}
			q.mu.Lock()
		}
		q.push(m)
		if q.msgs < ps.o.BufferSize {
			signal(q.room) // for another reader goroutine waiting (lanes)
		}
	}
	q.mu.Unlock()
	return true
}

// logDrop records a dropped message, at most once a second, with the
// running count of drops.
func (ps *PubSub) logDrop(which string) {
	if ps.log == nil {
		return
	}
	now, last := time.Now().UnixNano(), ps.dropLoggedAt.Load()
	if last != 0 && now-last < int64(time.Second) || !ps.dropLoggedAt.CompareAndSwap(last, now) {
		return
	}
	ps.log.LogAttrs(context.Background(), slog.LevelWarn, "redis: pubsub messages dropped",
		slog.String("dropping", which), slog.Uint64("dropped", ps.dropped.Load()), slog.Int("buffer_size", ps.o.BufferSize))
}

// eventQueue holds a PubSub's events between its reader goroutines (the
// PubSub's connection, and its lanes on a cluster) and Receive (any
// number of consumers). Unlike a channel
// it can drop a message from the middle, so a drop policy never takes a
// confirmation or gap marker with it.
type eventQueue struct {
	mu   sync.Mutex // guards ring, head, n, msgs
	ring []Message  // circular; grows when full
	head int
	n    int // events held
	msgs int // messages (KindMessage..KindShardMessage) among them

	ready chan struct{} // 1-buffered: an event was added (or others remain)
	room  chan struct{} // 1-buffered: a message was taken
	ended chan struct{} // closed when no event will be added any more
}

func (q *eventQueue) init() {
	q.ring = make([]Message, 16)
	q.ready = make(chan struct{}, 1)
	q.room = make(chan struct{}, 1)
	q.ended = make(chan struct{})
}

func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

func (q *eventQueue) at(i int) *Message { return &q.ring[(q.head+i)%len(q.ring)] }

// push appends m; q.mu is held.
func (q *eventQueue) push(m Message) {
	if q.n == len(q.ring) {
		ring := make([]Message, 2*len(q.ring))
		for i := range q.n {
			ring[i] = *q.at(i)
		}
		q.ring, q.head = ring, 0
	}
	*q.at(q.n) = m
	q.n++
	if m.Kind <= KindShardMessage {
		q.msgs++
	}
	signal(q.ready)
}

// dropOldestMessage removes the oldest message, moving the control events
// before it up by one; q.mu is held and q.msgs > 0.
func (q *eventQueue) dropOldestMessage() {
	i := 0
	for q.at(i).Kind > KindShardMessage {
		i++
	}
	for ; i > 0; i-- {
		*q.at(i) = *q.at(i - 1)
	}
	*q.at(0) = Message{}
	q.head = (q.head + 1) % len(q.ring)
	q.n--
	q.msgs--
}

// take removes and returns the oldest event, if any.
func (q *eventQueue) take() (Message, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.n == 0 {
		return Message{}, false
	}
	p := q.at(0)
	m := *p
	*p = Message{}
	q.head = (q.head + 1) % len(q.ring)
	q.n--
	if m.Kind <= KindShardMessage {
		q.msgs--
		signal(q.room)
	}
	if q.n > 0 {
		signal(q.ready) // for the next consumer waiting
	}
	if q.n == 0 && len(q.ring) > 1024 {
		q.ring, q.head = make([]Message, 16), 0 // let a burst's memory go
	}
	return m, true
}

// end says no event will be added any more.
func (q *eventQueue) end() { close(q.ended) }

// newPsConn wraps a reserved connection.
func newPsConn(dc DedicatedConn) *psConn {
	l := &psConn{dc: dc}
	for i := range l.active {
		l.active[i] = map[string]bool{}
	}
	return l
}

// Shard channels on a cluster.
//
// A lane is a connection to one node carrying the shard channels of the
// slots that node serves (PubSub.home maps a slot to its lane). A slot
// without a lane is homed by a goroutine (homeSlot) that reserves a
// connection on the slot's primary, joins that node's lane or starts one,
// and sends SSUBSCRIBE for every shard channel of the slot the PubSub
// holds. A slot loses its lane when the lane's connection fails, when the
// server unsubscribes its channels (the slot moved), or when the node
// answers SSUBSCRIBE with a redirection (MOVED, CLUSTERDOWN, ...): it is
// then homed again, after a pause for a redirection.

// onLanes reports whether subscriptions of kind travel on lanes.
func (ps *PubSub) onLanes(kind int) bool { return ps.sharded && kind == subShard }

// clusterRedirect reports whether err says that the node does not serve
// the slot, or not now: the subscription is to be sent again, to the
// slot's owner, after a pause.
func clusterRedirect(err error) bool {
	var re *Error
	if !errors.As(err, &re) {
		return false
	}
	switch re.Code() {
	case "MOVED", "ASK", "TRYAGAIN", "CLUSTERDOWN", "LOADING", "MASTERDOWN":
		return true
	}
	return false
}

// groupBySlot groups names by hash slot, each group in the given order,
// the slots in the order of their first name.
func groupBySlot(names []string) (slots []int, groups map[int][]string) {
	groups = map[int][]string{}
	for _, n := range names {
		s := KeySlot(n)
		if _, ok := groups[s]; !ok {
			slots = append(slots, s)
		}
		groups[s] = append(groups[s], n)
	}
	return slots, groups
}

// subscribeShards is SSubscribe on a cluster: one SSUBSCRIBE per slot, on
// the lane of the slot's node. The caller waits for every confirmation,
// as an orphan does for a renewal's.
func (ps *PubSub) subscribeShards(ctx context.Context, names []string) error {
	w := &subWaiter{kind: subShard, pending: map[string]bool{}, done: make(chan error, 1)}
	slots, groups := groupBySlot(names)
	type send struct {
		l   *psConn
		cmd *Cmd
	}
	var sends []send
	ps.sending.Lock()
	ps.mu.Lock()
	if ps.err != nil {
		err := ps.err
		ps.mu.Unlock()
		ps.sending.Unlock()
		return err
	}
	for _, n := range names {
		ps.subs[subShard][n] = true
		w.pending[n] = true
	}
	ps.orphans = append(ps.orphans, w)
	for _, s := range slots {
		l := ps.home[s]
		if l == nil {
			ps.homeLocked(s, false, false) // the homing sends the names
			continue
		}
		cmd, err := psCommand(subscribeNames[subShard], groups[s])
		if err != nil {
			continue // cannot happen with string arguments
		}
		l.inflight = append(l.inflight, &psCmd{op: opSubscribe, kind: subShard, names: groups[s]})
		sends = append(sends, send{l, cmd})
	}
	ps.mu.Unlock()
	for _, x := range sends {
		// A failed write breaks the lane: its slots are homed again.
		ps.send(x.l.dc, []*Cmd{x.cmd})
	}
	ps.sending.Unlock()
	return ps.await(ctx, w)
}

// unsubscribeShards is SUnsubscribe on a cluster: one SUNSUBSCRIBE per
// slot, on the slot's lane. Slots without a lane need nothing sent: their
// renewal leaves the names out.
func (ps *PubSub) unsubscribeShards(ctx context.Context, names []string) error {
	type send struct {
		l   *psConn
		cmd *Cmd
		w   *subWaiter
	}
	var sends []send
	ps.sending.Lock()
	ps.mu.Lock()
	if ps.err != nil {
		err := ps.err
		ps.mu.Unlock()
		ps.sending.Unlock()
		return err
	}
	if len(names) == 0 {
		for n := range ps.subs[subShard] {
			names = append(names, n)
		}
	}
	for _, n := range names {
		delete(ps.subs[subShard], n)
		ps.settleOrphans(subShard, n, nil)
	}
	slots, groups := groupBySlot(names)
	for _, s := range slots {
		l := ps.home[s]
		if l == nil {
			continue
		}
		cmd, err := psCommand(unsubscribeNames[subShard], groups[s])
		if err != nil {
			continue // cannot happen with string arguments
		}
		w := &subWaiter{kind: subShard, done: make(chan error, 1)}
		l.inflight = append(l.inflight, &psCmd{op: opUnsubscribe, kind: subShard, names: groups[s], w: w})
		sends = append(sends, send{l, cmd, w})
	}
	ps.mu.Unlock()
	for _, x := range sends {
		ps.send(x.l.dc, []*Cmd{x.cmd})
	}
	ps.sending.Unlock()
	for _, x := range sends {
		if err := ps.await(ctx, x.w); err != nil {
			return err
		}
	}
	return nil
}

// homeLocked starts finding a lane for slot s, unless that is under way
// already; gap says that a gap marker is owed for its channels, pause
// that the first attempt waits. ps.mu is held.
func (ps *PubSub) homeLocked(s int, gap, pause bool) {
	if ps.err != nil {
		return
	}
	if owed, ok := ps.homing[s]; ok {
		ps.homing[s] = owed || gap
		return
	}
	ps.homing[s] = gap
	ps.wg.Add(1)
	go ps.homeSlot(s, pause)
}

// unhomeLocked detaches slot s from lane l, if it is there. ps.mu is held.
func (ps *PubSub) unhomeLocked(s int, l *psConn) {
	if ps.home[s] == l {
		delete(ps.home, s)
	}
	delete(l.slots, s)
}

// shardNamesLocked returns the shard channels of slot s the PubSub holds.
// ps.mu is held.
func (ps *PubSub) shardNamesLocked(s int) []string {
	var names []string
	for n := range ps.subs[subShard] {
		if KeySlot(n) == s {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return names
}

// homeSlot finds the lane of slot s and subscribes it to the slot's
// shard channels, trying again with a growing pause until it succeeds or
// the PubSub ends.
func (ps *PubSub) homeSlot(s int, pause bool) {
	defer ps.wg.Done()
	giveUp := func() {
		ps.mu.Lock()
		delete(ps.homing, s)
		ps.mu.Unlock()
	}
	for attempt := 0; ; attempt++ {
		if attempt > 0 || pause {
			t := time.NewTimer(ps.reconnectDelay(attempt + 1))
			select {
			case <-t.C:
			case <-ps.ctx.Done():
				t.Stop()
				giveUp()
				return
			}
		}
		ps.mu.Lock()
		none := len(ps.shardNamesLocked(s)) == 0
		ps.mu.Unlock()
		if none || ps.ctx.Err() != nil {
			giveUp()
			return
		}
		l, err := ps.laneFor(s)
		if err != nil {
			if errors.Is(err, ErrClosed) || ps.ctx.Err() != nil {
				giveUp()
				return
			}
			continue
		}
		ps.sending.Lock()
		ps.mu.Lock()
		if ps.err != nil {
			delete(ps.homing, s)
			ps.mu.Unlock()
			ps.sending.Unlock()
			return
		}
		if l.dead {
			ps.mu.Unlock()
			ps.sending.Unlock()
			continue
		}
		gap := ps.homing[s]
		delete(ps.homing, s)
		names := ps.shardNamesLocked(s)
		if len(names) == 0 {
			ps.mu.Unlock()
			ps.sending.Unlock()
			return
		}
		ps.home[s] = l
		l.slots[s] = true
		l.inflight = append(l.inflight, &psCmd{op: opSubscribe, kind: subShard, names: slices.Clone(names), renewal: true})
		ps.mu.Unlock()
		if gap {
			// Before the renewal's confirmations, which the lane's
			// reader delivers.
			for _, n := range names {
				ps.deliver(Message{Kind: KindResubscribed, Channel: n})
			}
			if ps.log != nil {
				ps.log.LogAttrs(context.Background(), slog.LevelWarn, "redis: pubsub resubscribed",
					slog.String("reason", "shard connection lost or slot moved"), slog.String("addr", l.addr),
					slog.Int("slot", s), slog.Int("shard_channels", len(names)))
			}
		}
		if cmd, err := psCommand(subscribeNames[subShard], names); err == nil {
			ps.send(l.dc, []*Cmd{cmd}) // a failure breaks the lane: its slots are homed again
		}
		ps.sending.Unlock()
		return
	}
}

// laneFor returns the lane of the node serving slot s, starting one if
// that node has none.
func (ps *PubSub) laneFor(s int) (*psConn, error) {
	dc, err := ps.c.t.Dedicated(ps.ctx, s)
	if err != nil {
		return nil, err
	}
	addr := "slot " + strconv.Itoa(s)
	if a, ok := dc.(interface{ Addr() string }); ok {
		addr = a.Addr()
	}
	ps.mu.Lock()
	if ps.err != nil {
		err := ps.err
		ps.mu.Unlock()
		dc.Release(false)
		return nil, err
	}
	if l := ps.lanes[addr]; l != nil && !l.dead {
		ps.mu.Unlock()
		dc.Release(true) // unused
		return l, nil
	}
	l := newPsConn(dc)
	l.lane, l.addr, l.slots = true, addr, map[int]bool{}
	ps.lanes[addr] = l
	ps.wg.Add(1)
	ps.mu.Unlock()
	go ps.runLane(l)
	return l, nil
}

// runLane reads a lane until it fails or the PubSub ends; then its slots
// are homed again, each with a gap marker.
func (ps *PubSub) runLane(l *psConn) {
	defer ps.wg.Done()
	ps.read(l)
	ps.mu.Lock()
	l.dead = true
	if ps.lanes[l.addr] == l {
		delete(ps.lanes, l.addr)
	}
	var slots []int
	for s := range l.slots {
		if ps.home[s] == l {
			delete(ps.home, s)
			slots = append(slots, s)
		}
	}
	l.slots = nil
	ps.mu.Unlock()
	ps.disconnect(l)
	ps.mu.Lock()
	for _, s := range slots {
		ps.homeLocked(s, true, true)
	}
	ps.mu.Unlock()
}
