package redistest

import (
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Direction selects the stream of a proxied connection that a fault applies
// to: the bytes the client sends to the server, the bytes the server sends
// back, or both.
type Direction uint8

const (
	// ToServer is the client → server stream (commands).
	ToServer Direction = 1 << iota
	// ToClient is the server → client stream (replies and pushes).
	ToClient
	// Both is ToServer and ToClient.
	Both = ToServer | ToClient
)

// String returns "to-server", "to-client", "both" or "none".
func (d Direction) String() string {
	switch d & Both {
	case ToServer:
		return "to-server"
	case ToClient:
		return "to-client"
	case Both:
		return "both"
	}
	return "none"
}

// chunkSize is the size of each pump's buffer: at most this many bytes of a
// stream are held by the proxy at a time, per direction and connection.
const chunkSize = 32 << 10

// flow holds the fault settings of one direction. Its fields are atomics so
// that the pumps read them without a lock, once per chunk.
type flow struct {
	delay atomic.Int64 // nanoseconds each chunk is held after it was read
	rate  atomic.Int64 // bytes per second; 0 = unlimited
	drop  atomic.Bool  // discard chunks
	pause atomic.Bool  // hold chunks until resumed
	cut   atomic.Int64 // 0 = no cut armed; n+1 = cut after n more bytes
}

// link is one proxied connection: the accepted client side and the dialed
// server side (nil for a connection accepted during a black hole).
type link struct {
	client, server net.Conn
	shut           [2]atomic.Bool // write side half-closed, by direction index
	once           sync.Once
	done           chan struct{} // closed by close
}

func (l *link) close() {
	l.once.Do(func() {
		close(l.done)
		l.client.Close()
		if l.server != nil {
			l.server.Close()
		}
	})
}

// Proxy is a loopback TCP proxy in front of a server, for fault tests. Each
// accepted connection is forwarded to its own connection to the target;
// faults are injected per direction (see Direction): delay, pause, drop,
// throttle, cut after n bytes, half-close; and for the whole proxy: black
// hole and refusing new connections. Settings apply to every connection,
// current and future, and take effect from the next chunk the proxy reads
// (a chunk is what one read returns, at most 32 KiB); a chunk already being
// held or throttled is not affected by a later change.
//
// The proxy holds at most one chunk per direction and connection: while a
// chunk is held, the proxy does not read further, so the sender's kernel
// buffers fill and it eventually blocks, as over a slow network.
//
// Its methods are safe for concurrent use. Reset clears every fault.
type Proxy struct {
	ln     net.Listener
	target string
	done   chan struct{} // closed by Close

	flows     [2]flow // indexed by dirIndex
	blackHole atomic.Bool
	refuse    atomic.Bool
	accepted  atomic.Int64
	refused   atomic.Int64

	mu     sync.Mutex // guards links and closed
	links  map[*link]struct{}
	closed bool
	wg     sync.WaitGroup
}

// StartProxy starts a proxy to target ("host:port") on a free loopback
// port and closes it when the test ends.
func StartProxy(t testing.TB, target string) *Proxy {
	t.Helper()
	p, err := NewProxy(target)
	if err != nil {
		t.Fatalf("redistest: %v", err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// NewProxy starts a proxy to target; the caller must Close it.
func NewProxy(target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{ln: ln, target: target, done: make(chan struct{}), links: map[*link]struct{}{}}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Addr returns the proxy's "127.0.0.1:port".
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Accepted returns how many client connections the proxy has accepted,
// including those it refused (see Refuse) or black-holed.
func (p *Proxy) Accepted() int64 { return p.accepted.Load() }

// Refused returns how many client connections were closed at once because
// Refuse was on.
func (p *Proxy) Refused() int64 { return p.refused.Load() }

// Active returns how many proxied connections are open now.
func (p *Proxy) Active() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.links)
}

// CutAll closes every proxied connection now, both sides, as a network
// failure or a server-side kill would. New connections are still accepted.
func (p *Proxy) CutAll() {
	p.mu.Lock()
	for l := range p.links {
		l.close()
	}
	p.mu.Unlock()
}

// CutNextReply makes the proxy swallow the next chunk of reply bytes from
// the server and cut that connection instead of delivering them: the
// command ran on the server, but the client never learns its outcome.
// It is CutAfter(ToClient, 0).
func (p *Proxy) CutNextReply() { p.CutAfter(ToClient, 0) }

// CutAfter arms a cut in the given direction(s): the next bytes that flow
// in that direction, on whichever connection carries them first, are
// forwarded up to n bytes in all, and then that connection is closed on
// both sides. With n = 0 the cut happens when the next bytes arrive, and
// none of them are forwarded. So CutAfter(ToClient, k) delivers exactly the
// first k bytes of the next reply (or of the next replies, if they are
// shorter); CutAfter(ToServer, k) delivers only part of the next command.
//
// The cut is armed once: it fires on one connection, then is disarmed.
// Calling CutAfter again before it fires replaces n. Bytes discarded by
// Drop or BlackHole do not count. With Both, each direction is armed
// separately and the first to fire closes its connection.
func (p *Proxy) CutAfter(dir Direction, n int) {
	if n < 0 {
		n = 0
	}
	p.each(dir, func(f *flow) { f.cut.Store(int64(n) + 1) })
}

// Stall stops (true) or resumes (false) forwarding in both directions
// while keeping connections open, like a network that silently loses
// packets until it heals: nothing is lost, it arrives once resumed.
// It is Pause(Both, on).
func (p *Proxy) Stall(on bool) { p.Pause(Both, on) }

// Pause holds (true) or releases (false) the traffic in the given
// direction(s) while keeping connections open. Bytes are held, not lost:
// on release they are forwarded in order.
func (p *Proxy) Pause(dir Direction, on bool) {
	p.each(dir, func(f *flow) { f.pause.Store(on) })
}

// SetDelay delays every forwarded chunk by d in both directions (0 for
// none). It is Delay(Both, d).
func (p *Proxy) SetDelay(d time.Duration) { p.Delay(Both, d) }

// Delay holds each chunk read in the given direction(s) for d before
// forwarding it (0 for none), so a round trip takes at least d more per
// delayed direction. Chunks are forwarded one at a time: bytes arriving
// while a chunk is held wait for it, so a stream of many chunks is slowed
// down too.
func (p *Proxy) Delay(dir Direction, d time.Duration) {
	if d < 0 {
		d = 0
	}
	p.each(dir, func(f *flow) { f.delay.Store(int64(d)) })
}

// Drop discards (true) or resumes forwarding (false) the bytes in the given
// direction(s), silently, keeping connections open. Unlike Pause, the
// bytes are lost: once resumed, the client and server streams are out of
// step (a dropped command never runs; a dropped reply never arrives and
// the next one answers the earlier command).
func (p *Proxy) Drop(dir Direction, on bool) {
	p.each(dir, func(f *flow) { f.drop.Store(on) })
}

// Throttle limits the given direction(s) to bytesPerSecond per connection
// (0 or less for no limit). Bytes are forwarded in slices of at most a
// fiftieth of a second's worth, paced so that the rate since the stream
// last went idle does not exceed the limit.
func (p *Proxy) Throttle(dir Direction, bytesPerSecond int) {
	if bytesPerSecond < 0 {
		bytesPerSecond = 0
	}
	p.each(dir, func(f *flow) { f.rate.Store(int64(bytesPerSecond)) })
}

// BlackHole turns a black hole on or off. While it is on, the proxy accepts
// connections but never connects them to the server, and every byte on
// every connection, in both directions, is read and discarded; sockets stay
// open, so peers see neither data nor a close, only silence (as with a
// partitioned host). A connection accepted during a black hole stays a dead
// end for its whole life; connections that existed before resume
// forwarding when it is turned off, with whatever was discarded lost.
func (p *Proxy) BlackHole(on bool) { p.blackHole.Store(on) }

// Refuse makes the proxy close each new connection at once (true), with a
// reset rather than an orderly close, or accept it normally again (false).
// Existing connections are not affected: Refuse(true) followed by CutAll
// looks like a server that went down, without stopping it.
func (p *Proxy) Refuse(on bool) { p.refuse.Store(on) }

// HalfClose closes the write side of every current connection in the given
// direction(s) and returns how many connections it half-closed. With
// ToClient the client reads EOF while it can still send: its commands
// still reach the server, but replies are discarded. With ToServer the
// server reads EOF (Redis then closes the connection, and the proxy closes
// the client side after it); bytes from the client are discarded.
// Connections accepted later are not affected.
func (p *Proxy) HalfClose(dir Direction) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for l := range p.links {
		if l.server == nil {
			continue
		}
		for i, d := range [2]Direction{ToServer, ToClient} {
			if dir&d == 0 {
				continue
			}
			dst := l.server
			if d == ToClient {
				dst = l.client
			}
			l.shut[i].Store(true)
			if cw, ok := dst.(interface{ CloseWrite() error }); ok {
				cw.CloseWrite()
			}
		}
		n++
	}
	return n
}

// Reset clears every fault: no delay, pause, drop, throttle, armed cut,
// black hole or refusal. Half-closed connections stay half-closed.
func (p *Proxy) Reset() {
	for i := range p.flows {
		f := &p.flows[i]
		f.delay.Store(0)
		f.rate.Store(0)
		f.drop.Store(false)
		f.pause.Store(false)
		f.cut.Store(0)
	}
	p.blackHole.Store(false)
	p.refuse.Store(false)
}

// Close stops the proxy and cuts every connection.
func (p *Proxy) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	close(p.done)
	p.mu.Unlock()
	err := p.ln.Close()
	p.CutAll()
	p.wg.Wait()
	return err
}

func (p *Proxy) each(dir Direction, fn func(*flow)) {
	if dir&ToServer != 0 {
		fn(&p.flows[0])
	}
	if dir&ToClient != 0 {
		fn(&p.flows[1])
	}
}

func (p *Proxy) track(l *link) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.links[l] = struct{}{}
	return true
}

func (p *Proxy) untrack(l *link) {
	p.mu.Lock()
	delete(p.links, l)
	p.mu.Unlock()
	l.close()
}

// sleep waits for d or until the link or the proxy closes; it reports
// whether both are still open.
func (p *Proxy) sleep(l *link, d time.Duration) bool {
	if d <= 0 {
		select {
		case <-p.done:
			return false
		case <-l.done:
			return false
		default:
			return true
		}
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-p.done:
		return false
	case <-l.done:
		return false
	}
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.accepted.Add(1)
		if p.refuse.Load() {
			p.refused.Add(1)
			if tc, ok := client.(*net.TCPConn); ok {
				tc.SetLinger(0) // a reset, not an orderly close
			}
			client.Close()
			continue
		}
		l := &link{client: client, done: make(chan struct{})}
		if !p.blackHole.Load() {
			server, err := net.DialTimeout("tcp", p.target, 5*time.Second)
			if err != nil {
				client.Close()
				continue
			}
			l.server = server
		}
		if !p.track(l) {
			l.close()
			return
		}
		if l.server == nil {
			p.wg.Add(1)
			go p.sink(l)
			continue
		}
		p.wg.Add(2)
		go p.pump(l, ToServer)
		go p.pump(l, ToClient)
	}
}

// sink reads and discards what a black-holed client sends until it closes.
func (p *Proxy) sink(l *link) {
	defer p.wg.Done()
	defer p.untrack(l)
	buf := make([]byte, chunkSize)
	for {
		if _, err := l.client.Read(buf); err != nil {
			return
		}
	}
}

// pump copies one direction of a link until either side fails, then closes
// both sides.
func (p *Proxy) pump(l *link, dir Direction) {
	defer p.wg.Done()
	defer p.untrack(l)
	src, dst, i := l.client, l.server, 0
	if dir == ToClient {
		src, dst, i = l.server, l.client, 1
	}
	f := &p.flows[i]
	cut := int64(-1) // bytes left before this link is cut; -1 = none
	var pace pacer
	buf := make([]byte, chunkSize)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			readAt := time.Now()
			for f.pause.Load() {
				if !p.sleep(l, time.Millisecond) {
					return
				}
			}
			if d := time.Duration(f.delay.Load()); d > 0 {
				if !p.sleep(l, time.Until(readAt.Add(d))) {
					return
				}
			}
			if p.blackHole.Load() || f.drop.Load() {
				continue
			}
			chunk := buf[:n]
			if cut < 0 {
				if c := f.cut.Load(); c > 0 && f.cut.CompareAndSwap(c, 0) {
					cut = c - 1
				}
			}
			last := false
			if cut >= 0 {
				if int64(len(chunk)) >= cut {
					chunk, last = chunk[:cut], true
				}
				cut -= int64(len(chunk))
			}
			if l.shut[i].Load() {
				continue // half-closed toward dst: nothing more may go there
			}
			if werr := p.write(l, dst, chunk, f, &pace); werr != nil && !l.shut[i].Load() {
				return
			}
			if last {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// idleReset is how far behind its pace a throttled stream may fall (by
// going idle) before its accounting starts over.
const idleReset = 50 * time.Millisecond

// pacer keeps the throttle's accounting for one direction of one link.
type pacer struct {
	rate  int64     // the rate start and sent were measured under
	start time.Time // when the stream last started after being idle
	sent  int64     // bytes forwarded since start
}

// write forwards b to dst, paced by the flow's rate if it has one.
func (p *Proxy) write(l *link, dst net.Conn, b []byte, f *flow, pc *pacer) error {
	for len(b) > 0 {
		rate := f.rate.Load()
		if rate <= 0 {
			_, err := dst.Write(b)
			return err
		}
		now := time.Now()
		// A stream idle for a while starts a new measure, so that it
		// cannot burst what it did not use.
		if rate != pc.rate || now.After(pc.due().Add(idleReset)) {
			*pc = pacer{rate: rate, start: now}
		}
		step := max(rate/50, 1)
		s := b[:min(int64(len(b)), step)]
		pc.sent += int64(len(s))
		if !p.sleep(l, time.Until(pc.due())) {
			return net.ErrClosed
		}
		if _, err := dst.Write(s); err != nil {
			return err
		}
		b = b[len(s):]
	}
	return nil
}

// due is when the bytes sent so far may all have been forwarded.
func (pc *pacer) due() time.Time {
	if pc.rate <= 0 {
		return pc.start
	}
	return pc.start.Add(time.Duration(float64(pc.sent) / float64(pc.rate) * float64(time.Second)))
}
