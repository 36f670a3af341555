package redis_test

// Scenario 7 of the fault suite (issue 10): a scripted hostile server. It
// completes the client's handshake, answers PING, and answers GET with one
// frame of a table of hostile ones (negative and overflowing lengths, huge
// declared lengths then silence, deep nesting, streamed types,
// truncation). For every frame the process survives, the call returns an
// error (never a value) within ReadTimeout + 100 ms, and a declared length
// followed by silence costs at most 64 KiB of allocation.

import (
	"context"
	"net"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/resp"
)

// hostileFrame is one reply the hostile server sends to GET.
type hostileFrame struct {
	name  string
	reply string
	// after the reply: close the connection (truncation), or stay silent.
	close bool
	// silent frames declare more than they send: what the client allocates
	// while waiting must stay within hostileAllocBudget.
	silent bool
}

const hostileAllocBudget = 64 << 10

const i64max = "9223372036854775807"

func hostileFrames() []hostileFrame {
	return []hostileFrame{
		{name: "negative bulk length", reply: "$-2\r\n"},
		{name: "most negative bulk length", reply: "$-9223372036854775808\r\n"},
		{name: "bulk length MaxInt64", reply: "$" + i64max + "\r\n"},
		{name: "bulk length past int64", reply: "$99999999999999999999\r\n"},
		{name: "negative array length", reply: "*-5\r\n"},
		{name: "array length MaxInt64", reply: "*" + i64max + "\r\n"},
		{name: "map pairs overflowing 2n", reply: "%4611686018427387904\r\n:1\r\n"},
		{name: "attribute length MaxInt64", reply: "|" + i64max + "\r\n:1\r\n"},
		{name: "streamed chunk overflowing the total", reply: "$?\r\n;1\r\na\r\n;" + i64max + "\r\n"},
		{name: "negative streamed chunk", reply: "$?\r\n;-1\r\n"},
		{name: "streamed verbatim", reply: "=?\r\n;1\r\na\r\n;0\r\n"},
		{name: "huge bulk then silence", reply: "$500000000\r\n", silent: true},
		{name: "huge bulk, a few bytes, then silence", reply: "$500000000\r\nabc", silent: true},
		{name: "huge verbatim then silence", reply: "=500000000\r\ntxt:", silent: true},
		{name: "huge array then silence", reply: "*268435456\r\n", silent: true},
		{name: "huge map then silence", reply: "%268435456\r\n", silent: true},
		{name: "huge array of huge bulks then silence", reply: "*268435456\r\n$500000000\r\n", silent: true},
		{name: "nested huge arrays then silence", reply: strings.Repeat("*268435456\r\n", 100), silent: true},
		{name: "streamed string then silence", reply: "$?\r\n;3\r\nabc\r\n", silent: true},
		{name: "streamed huge chunk then silence", reply: "$?\r\n;500000000\r\n", silent: true},
		{name: "streamed array then silence", reply: "*?\r\n:1\r\n", silent: true},
		{name: "nesting past MaxDepth", reply: strings.Repeat("*1\r\n", 200) + ":1\r\n"},
		{name: "nested streamed past MaxDepth", reply: strings.Repeat("*?\r\n", 200) + ":1\r\n"},
		{name: "nesting then silence", reply: strings.Repeat("*1\r\n", 100), silent: true},
		{name: "attribute then silence", reply: "|1\r\n+a\r\n:1\r\n", silent: true},
		{name: "line without CRLF then silence", reply: "+OK", silent: true},
		{name: "line over MaxLineLen", reply: "+" + strings.Repeat("x", 2<<20) + "\r\n"},
		{name: "bulk not followed by CRLF", reply: "$3\r\nabcXY"},
		{name: "unknown type byte", reply: "?x\r\n"},
		{name: "empty line", reply: "\r\n"},
		{name: "bad integer", reply: ":12a\r\n"},
		{name: "bad double", reply: ",nan2\r\n"},
		{name: "truncated bulk", reply: "$5\r\nab", close: true},
		{name: "truncated array", reply: "*2\r\n$1\r\na\r\n", close: true},
		{name: "truncated line", reply: "+OK", close: true},
		{name: "closed without a reply", reply: "", close: true},
	}
}

// hostileServer answers what a client needs to connect and GET with the
// current frame.
type hostileServer struct {
	ln     net.Listener
	resp3  bool
	frame  atomic.Pointer[hostileFrame]
	served atomic.Int64
	wg     sync.WaitGroup
	mu     sync.Mutex
	conns  []net.Conn
}

func startHostileServer(t *testing.T, resp3 bool) *hostileServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &hostileServer{ln: ln, resp3: resp3}
	s.wg.Add(1)
	go s.accept()
	t.Cleanup(func() {
		ln.Close()
		s.mu.Lock()
		for _, c := range s.conns {
			c.Close()
		}
		s.mu.Unlock()
		s.wg.Wait()
	})
	return s
}

func (s *hostileServer) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.conns = append(s.conns, c)
		s.mu.Unlock()
		s.wg.Add(1)
		go s.serve(c)
	}
}

func (s *hostileServer) serve(c net.Conn) {
	defer s.wg.Done()
	defer c.Close()
	rd := resp.NewReader(c, resp.Limits{})
	for {
		v, err := rd.Read()
		if err != nil || v.Len() == 0 {
			return
		}
		var out string
		switch strings.ToUpper(v.Elems()[0].String()) {
		case "HELLO":
			if !s.resp3 {
				out = "-ERR unknown command 'HELLO'\r\n"
				break
			}
			out = "%3\r\n+server\r\n+hostile\r\n+proto\r\n:3\r\n+mode\r\n+standalone\r\n"
		case "PING":
			out = "+PONG\r\n"
		case "GET":
			f := s.frame.Load()
			s.served.Add(1)
			if _, err := c.Write([]byte(f.reply)); err != nil || f.close {
				return
			}
			continue // and stay silent on this connection
		default: // CLIENT SETINFO, SELECT, ...
			out = "+OK\r\n"
		}
		if _, err := c.Write([]byte(out)); err != nil {
			return
		}
	}
}

func TestHostileServer(t *testing.T) {
	const readTimeout = 300 * time.Millisecond
	const slack = 100 * time.Millisecond
	for _, proto := range []int{2, 3} {
		t.Run(map[int]string{2: "RESP2", 3: "RESP3"}[proto], func(t *testing.T) {
			srv := startHostileServer(t, proto == 3)
			var worstLatency time.Duration
			var worstFrame string
			var worstAlloc uint64
			for _, f := range hostileFrames() {
				srv.frame.Store(&f)
				latency, late, alloc, err := hostileCall(t, srv, proto, readTimeout, f.silent)
				if err == nil {
					t.Errorf("%s: GET returned no error", f.name)
				}
				if latency > readTimeout+slack+late {
					t.Errorf("%s: GET took %v, want at most ReadTimeout+%v = %v, plus %v by which a bare timer woke late meanwhile (error: %v)", f.name, latency, slack, readTimeout+slack, late, err)
				}
				if f.silent && alloc > hostileAllocBudget {
					t.Errorf("%s: %d bytes allocated while the server was silent, want at most %d", f.name, alloc, hostileAllocBudget)
				}
				if latency > worstLatency {
					worstLatency, worstFrame = latency, f.name
				}
				if f.silent {
					worstAlloc = max(worstAlloc, alloc)
				}
				t.Logf("%-40s %8v %7d B  %v", f.name, latency.Round(time.Millisecond), alloc, err)
			}
			t.Logf("%d frames, %d GETs served; slowest error %v (%s); most allocated before data: %d B",
				len(hostileFrames()), srv.served.Load(), worstLatency.Round(time.Millisecond), worstFrame, worstAlloc)
		})
	}
}

// hostileCall connects a fresh client, warms its connection up with PING,
// then times one GET and measures what the process allocated meanwhile.
// A silent frame whose allocation exceeds the budget is measured again (up
// to three times, the lowest counts): other goroutines of the test binary
// may allocate during a 300 ms wait.
//
// late is how much later than asked a bare timer of readTimeout, started
// with the GET, fired: what the machine's load alone adds to the wait.
func hostileCall(t *testing.T, srv *hostileServer, proto int, readTimeout time.Duration, silent bool) (latency, late time.Duration, alloc uint64, err error) {
	t.Helper()
	best := uint64(1<<64 - 1)
	for range 3 {
		c := redis.NewClient(&redis.Options{
			Addr:            srv.ln.Addr().String(),
			Protocol:        proto,
			DisableIdentity: proto == 2,
			ReadTimeout:     readTimeout,
			DialTimeout:     time.Second,
		})
		ctx := context.Background()
		if perr := c.Ping(ctx); perr != nil {
			c.Close()
			t.Fatalf("PING through the handshake: %v", perr)
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		start := time.Now()
		control := make(chan time.Duration, 1)
		go func() {
			<-time.After(readTimeout)
			control <- time.Since(start) - readTimeout
		}()
		var v string
		v, err = c.Get(ctx, "k")
		latency = time.Since(start)
		if latency > readTimeout {
			late = <-control // only a wait that long needs the comparison
		}
		runtime.ReadMemStats(&after)
		c.Close()
		if err == nil {
			t.Logf("GET returned the value %.40q", v)
		}
		best = min(best, after.TotalAlloc-before.TotalAlloc)
		if !silent || best <= hostileAllocBudget {
			break
		}
	}
	alloc = best
	return latency, late, alloc, err
}
