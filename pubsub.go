package redis

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
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
	KindResubscribed
	// KindPong answers a health-check PING (Payload is its argument).
	KindPong
)

var kindNames = [...]string{
	KindMessage: "message", KindPatternMessage: "pmessage", KindShardMessage: "smessage",
	KindSubscribed: "subscribe", KindPatternSubscribed: "psubscribe", KindShardSubscribed: "ssubscribe",
	KindUnsubscribed: "unsubscribe", KindPatternUnsubscribed: "punsubscribe", KindShardUnsubscribed: "sunsubscribe",
	KindResubscribed: "resubscribed", KindPong: "pong",
}

// String returns the kind's name as Redis spells it ("message",
// "psubscribe", ...), or "resubscribed" for the gap marker.
func (k MessageKind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return fmt.Sprintf("MessageKind(%d)", k)
}

// Message is one event of a subscription: a published message, a
// confirmation, or the gap marker after a reconnect.
type Message struct {
	Kind MessageKind
	// Channel is the channel (or shard channel) the message was published
	// to, or the channel or pattern a confirmation is about.
	Channel string
	// Pattern is the pattern that matched, for KindPatternMessage.
	Pattern string
	// Payload is the message.
	Payload string
	// Count is the number of subscriptions the connection has after a
	// (un)subscription.
	Count int64
}

// Overflow is what a PubSub does with an event when its buffer is full.
type Overflow uint8

// Overflow policies.
const (
	// OverflowBlock (the default) waits until the reader takes an event.
	// The subscriber's connection stops being read meanwhile: the server
	// buffers messages, and disconnects the subscriber when its output
	// buffer limit is reached (then the PubSub reconnects and reports a
	// gap). Other subscribers are not affected.
	OverflowBlock Overflow = iota
	// OverflowDropOldest discards the oldest buffered event.
	OverflowDropOldest
	// OverflowDropNewest discards the arriving message.
	OverflowDropNewest
	// OverflowFail closes the PubSub with ErrPubSubOverflow.
	OverflowFail
)

// ErrPubSubOverflow ends a PubSub whose buffer filled under OverflowFail.
var ErrPubSubOverflow = errors.New("redis: pub/sub buffer full: the reader fell behind")

// ErrPubSubClosed is returned by calls on a closed PubSub.
var ErrPubSubClosed = errors.New("redis: PubSub is closed")

// PubSubOptions configure a PubSub. The zero value works.
type PubSubOptions struct {
	// BufferSize is how many events wait for the reader; 0 means 1024.
	BufferSize int
	// Overflow says what happens when the buffer is full; the default is
	// OverflowBlock. Confirmations and gap markers are never dropped: under
	// the drop policies they push out the oldest event instead.
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
)

// PubSub is a subscriber: one connection of its own that carries its
// subscriptions, and a goroutine that reads it. Events (messages,
// confirmations, gap markers) arrive in order through Receive or Channel.
//
// When the connection is lost (a network failure, CLIENT KILL, a server
// restart) the PubSub dials again, renews every subscription, and puts a
// KindResubscribed event in the stream at the point of the gap. A
// health-check PING finds connections that died silently.
//
// Its methods are safe for concurrent use. Close it when done.
type PubSub struct {
	c *Client
	o PubSubOptions

	ctx    context.Context // ends at Close
	cancel context.CancelFunc

	mu      sync.Mutex // guards the fields below
	subs    [3]map[string]bool
	waiters []*subWaiter
	dc      DedicatedConn // current connection; nil while reconnecting
	err     error         // why the PubSub ended
	sending sync.Mutex    // serialises writes to dc

	events  chan Message
	dropped atomic.Uint64
	done    chan struct{} // closed when the reader goroutine has ended
	wake    chan struct{} // a subscription was added while disconnected
}

// subWaiter waits for the confirmations of a (un)subscription.
type subWaiter struct {
	kind    MessageKind
	pending map[string]bool
	done    chan error // receives once
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
		events: make(chan Message, opts.BufferSize),
		done:   make(chan struct{}),
		wake:   make(chan struct{}, 1),
	}
	for i := range ps.subs {
		ps.subs[i] = map[string]bool{}
	}
	ps.ctx, ps.cancel = context.WithCancel(context.Background())
	go ps.run()
	return ps
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
// published to them is delivered. Since Redis 2.0.0.
func (ps *PubSub) Subscribe(ctx context.Context, channels ...string) error {
	return ps.subscribe(ctx, subChannel, channels)
}

// PSubscribe sends PSUBSCRIBE pattern [pattern ...] and returns once the
// server has confirmed every pattern. Since Redis 2.0.0.
func (ps *PubSub) PSubscribe(ctx context.Context, patterns ...string) error {
	return ps.subscribe(ctx, subPattern, patterns)
}

// SSubscribe sends SSUBSCRIBE shardchannel [shardchannel ...] and returns
// once the server has confirmed every shard channel. Since Redis 7.0.0.
func (ps *PubSub) SSubscribe(ctx context.Context, shardChannels ...string) error {
	return ps.subscribe(ctx, subShard, shardChannels)
}

// Unsubscribe sends UNSUBSCRIBE for the channels (all of the PubSub's
// channels when none are given) and returns once the server has confirmed
// each. Since Redis 2.0.0.
func (ps *PubSub) Unsubscribe(ctx context.Context, channels ...string) error {
	return ps.unsubscribe(ctx, subChannel, channels)
}

// PUnsubscribe sends PUNSUBSCRIBE for the patterns (all when none are
// given) and returns once the server has confirmed each. Since Redis
// 2.0.0.
func (ps *PubSub) PUnsubscribe(ctx context.Context, patterns ...string) error {
	return ps.unsubscribe(ctx, subPattern, patterns)
}

// SUnsubscribe sends SUNSUBSCRIBE for the shard channels (all when none
// are given) and returns once the server has confirmed each. Since Redis
// 7.0.0.
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

var confirmKinds = [3]MessageKind{KindSubscribed, KindPatternSubscribed, KindShardSubscribed}
var unconfirmKinds = [3]MessageKind{KindUnsubscribed, KindPatternUnsubscribed, KindShardUnsubscribed}

func (ps *PubSub) subscribe(ctx context.Context, kind int, names []string) error {
	if len(names) == 0 {
		return fmt.Errorf("redis: %s needs at least one name", subscribeNames[kind])
	}
	w := &subWaiter{kind: confirmKinds[kind], pending: map[string]bool{}, done: make(chan error, 1)}
	ps.mu.Lock()
	if ps.err != nil {
		ps.mu.Unlock()
		return ps.err
	}
	for _, n := range names {
		ps.subs[kind][n] = true
		w.pending[n] = true
	}
	ps.waiters = append(ps.waiters, w)
	dc := ps.dc
	ps.mu.Unlock()
	if dc == nil {
		// Reconnecting: the renewal will include these names.
		select {
		case ps.wake <- struct{}{}:
		default:
		}
	} else {
		ps.send(dc, subscribeNames[kind], names)
	}
	return ps.await(ctx, w)
}

func (ps *PubSub) unsubscribe(ctx context.Context, kind int, names []string) error {
	w := &subWaiter{kind: unconfirmKinds[kind], pending: map[string]bool{}, done: make(chan error, 1)}
	ps.mu.Lock()
	if ps.err != nil {
		ps.mu.Unlock()
		return ps.err
	}
	if len(names) == 0 {
		for n := range ps.subs[kind] {
			names = append(names, n)
		}
		if len(names) == 0 {
			ps.mu.Unlock()
			return nil
		}
	}
	for _, n := range names {
		delete(ps.subs[kind], n)
		w.pending[n] = true
	}
	dc := ps.dc
	if dc == nil {
		// Not connected: the renewal will leave them out.
		ps.mu.Unlock()
		return nil
	}
	ps.waiters = append(ps.waiters, w)
	ps.mu.Unlock()
	ps.send(dc, unsubscribeNames[kind], names)
	return ps.await(ctx, w)
}

// send writes a (un)subscription. A failed write is not reported here: it
// breaks the connection, the reader goroutine reconnects, and the renewal
// carries the subscription (the caller's waiter is answered by its
// confirmation).
func (ps *PubSub) send(dc DedicatedConn, name string, names []string) {
	args := make([]any, 0, len(names)+1)
	args = append(args, name)
	for _, n := range names {
		args = append(args, n)
	}
	cmd, err := NewCmd(args...)
	if err != nil {
		return
	}
	ps.sending.Lock()
	dc.Send(ps.ctx, []*Cmd{cmd}) // a failure closes the connection: the reader reconnects
	ps.sending.Unlock()
}

func (ps *PubSub) await(ctx context.Context, w *subWaiter) error {
	select {
	case err := <-w.done:
		return err
	case <-ctx.Done():
		ps.dropWaiter(w)
		return ctx.Err()
	case <-ps.done:
		ps.mu.Lock()
		err := ps.err
		ps.mu.Unlock()
		return err
	}
}

func (ps *PubSub) dropWaiter(w *subWaiter) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	for i, x := range ps.waiters {
		if x == w {
			ps.waiters = append(ps.waiters[:i], ps.waiters[i+1:]...)
			return
		}
	}
}

// confirm records a confirmation and answers the waiters it completes.
func (ps *PubSub) confirm(kind MessageKind, name string) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	kept := ps.waiters[:0]
	for _, w := range ps.waiters {
		if w.kind == kind && w.pending[name] {
			delete(w.pending, name)
		}
		if len(w.pending) == 0 {
			w.done <- nil
			continue
		}
		kept = append(kept, w)
	}
	ps.waiters = kept
}

// failWaiters answers every waiter with err (an error reply to a
// subscription, or the end of the PubSub).
func (ps *PubSub) failWaiters(err error) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	for _, w := range ps.waiters {
		w.done <- err
	}
	ps.waiters = nil
}

// Receive returns the next event, waiting until one arrives, ctx ends or
// the PubSub is closed (then ErrPubSubClosed, or ErrPubSubOverflow).
func (ps *PubSub) Receive(ctx context.Context) (Message, error) {
	select {
	case m, ok := <-ps.events:
		if ok {
			return m, nil
		}
		return Message{}, ps.closedErr()
	case <-ctx.Done():
		return Message{}, ctx.Err()
	}
}

// ReceiveMessage returns the next published message (of any of the three
// message kinds), skipping confirmations, pongs and gap markers.
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
	if ps.err != nil && ps.err != ErrPubSubClosed {
		return ps.err
	}
	return ErrPubSubClosed
}

// Channel returns the stream of events, closed when the PubSub ends.
// Receive and Channel read the same stream: use one or the other.
func (ps *PubSub) Channel() <-chan Message { return ps.events }

// Dropped returns how many events the overflow policy has discarded.
func (ps *PubSub) Dropped() uint64 { return ps.dropped.Load() }

// Close ends the subscriptions and closes the connection. Buffered events
// can still be read from Channel, which is then closed. Close is safe to
// call more than once.
func (ps *PubSub) Close() error {
	ps.end(ErrPubSubClosed)
	<-ps.done
	return nil
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
// reads events and reconnects after failures, until Close.
func (ps *PubSub) run() {
	defer func() {
		ps.failWaiters(ps.closedErr())
		close(ps.events)
		close(ps.done)
	}()
	for attempt, connected := 0, false; ps.ctx.Err() == nil; {
		if ps.c.closed.Load() {
			ps.end(ErrClosed)
			return
		}
		dc, err := ps.connect(connected)
		if err != nil {
			if ps.ctx.Err() != nil {
				return
			}
			attempt++
			if !ps.sleep(ps.reconnectDelay(attempt)) {
				return
			}
			continue
		}
		attempt, connected = 0, true
		ps.read(dc)
		ps.mu.Lock()
		if ps.dc == dc {
			ps.dc = nil
		}
		ps.mu.Unlock()
		dc.Release(false)
	}
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
// holds. On a reconnect the gap marker goes into the stream first.
func (ps *PubSub) connect(reconnect bool) (DedicatedConn, error) {
	ps.mu.Lock()
	hasSubs := len(ps.subs[0])+len(ps.subs[1])+len(ps.subs[2]) > 0
	ps.mu.Unlock()
	if !hasSubs && !reconnect {
		// Nothing to subscribe yet: wait for the first subscription.
		select {
		case <-ps.wake:
		case <-ps.ctx.Done():
			return nil, ps.ctx.Err()
		}
	}
	dc, err := ps.c.t.Dedicated(ps.ctx, "")
	if err != nil {
		return nil, err
	}
	ps.mu.Lock()
	if ps.err != nil {
		ps.mu.Unlock()
		dc.Release(false)
		return nil, ps.err
	}
	var cmds []*Cmd
	for kind := range ps.subs {
		if len(ps.subs[kind]) == 0 {
			continue
		}
		args := []any{subscribeNames[kind]}
		for n := range ps.subs[kind] {
			args = append(args, n)
		}
		cmd, err := NewCmd(args...)
		if err != nil {
			ps.mu.Unlock()
			dc.Release(false)
			return nil, err
		}
		cmds = append(cmds, cmd)
	}
	ps.dc = dc
	ps.mu.Unlock()
	if reconnect {
		ps.deliver(Message{Kind: KindResubscribed})
	}
	if len(cmds) > 0 {
		ps.sending.Lock()
		err = dc.Send(ps.ctx, cmds)
		ps.sending.Unlock()
		if err != nil {
			// The connection is closed: read finds out at once and the
			// caller reconnects.
			return dc, nil
		}
	}
	return dc, nil
}

// pingCmd is the health check; its argument tells its pong apart.
var pubsubPing = mustCmd("PING", "respkit-health")

func mustCmd(args ...any) *Cmd {
	c, err := NewCmd(args...)
	if err != nil {
		panic(err)
	}
	return c
}

// read handles the events of one connection until it fails.
func (ps *PubSub) read(dc DedicatedConn) {
	pinged := false
	for {
		timeout := ps.o.HealthCheck
		if timeout < 0 {
			timeout = 0
		}
		v, err := dc.Receive(ps.ctx, timeout)
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() && !pinged && ps.ctx.Err() == nil {
				pinged = true
				ps.sending.Lock()
				err = dc.Send(ps.ctx, []*Cmd{pubsubPing})
				ps.sending.Unlock()
				if err == nil {
					continue
				}
			}
			return
		}
		pinged = false
		if v.IsError() {
			// A refused (un)subscription, such as NOPERM: its waiters
			// learn why. The connection stays.
			ps.failWaiters(v.Err())
			continue
		}
		m, ok := parseEvent(v)
		if !ok {
			continue // a reply to something else: nothing to deliver
		}
		switch m.Kind {
		case KindSubscribed, KindPatternSubscribed, KindShardSubscribed,
			KindUnsubscribed, KindPatternUnsubscribed, KindShardUnsubscribed:
			ps.confirm(m.Kind, m.Channel)
		}
		if m.Kind == KindPong && m.Payload == "respkit-health" {
			continue // our own health check
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
	select {
	case ps.events <- m:
		return true
	default:
	}
	control := m.Kind > KindShardMessage
	switch {
	case ps.o.Overflow == OverflowBlock:
		select {
		case ps.events <- m:
			return true
		case <-ps.ctx.Done():
			return false
		}
	case ps.o.Overflow == OverflowDropNewest && !control:
		ps.dropped.Add(1)
		return true
	case ps.o.Overflow == OverflowFail:
		ps.mu.Lock()
		if ps.err == nil {
			ps.err = ErrPubSubOverflow
		}
		ps.mu.Unlock()
		ps.cancel()
		return false
	}
	// Drop the oldest to make room. The reader may take events meanwhile,
	// so a failed attempt just tries again.
	for {
		select {
		case <-ps.events:
			ps.dropped.Add(1)
		default:
		}
		select {
		case ps.events <- m:
			return true
		default:
		}
	}
}
