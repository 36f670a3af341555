package redis_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/redistest"
)

// TestCrossTalk must never fail: hundreds of goroutines share the client's
// connections, each writing and reading its own key and echoing its own
// tokens, with random context cancellations and deadlines and, in the
// "kills" variant, connections killed under them. Every reply a goroutine
// gets must be its own: an ECHO must return its token, and a GET must
// return a value that goroutine may have written.
func TestCrossTalk(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{})
	// Many goroutines keep the shared connection busy (batched writes,
	// the reader goroutine); a few leave it idle often, so lone callers
	// read their own replies and hand the read role back and forth.
	shapes := []struct{ goroutines, rounds int }{{300, 150}, {4, 2000}}
	if testing.Short() {
		shapes = []struct{ goroutines, rounds int }{{100, 50}, {4, 500}}
	}
	for _, kills := range []bool{false, true} {
		for _, proto := range []int{2, 3} {
			for _, muxConns := range []int{1, 3} {
				for _, shape := range shapes {
					goroutines, rounds := shape.goroutines, shape.rounds
					name := fmt.Sprintf("RESP%d/mux%d/kills=%v/g%d", proto, muxConns, kills, goroutines)
					t.Run(name, func(t *testing.T) {
						c := redis.NewClient(&redis.Options{Addr: srv.Addr(), Protocol: proto, MuxConns: muxConns, PoolSize: 20})
						defer c.Close()
						runCrossTalk(t, c, srv, goroutines, rounds, kills)
					})
				}
			}
		}
	}
}

type crossTalkStats struct {
	ops, ok, cancelled, deadline, connErrs, unknown, blocking atomic.Int64
}

func runCrossTalk(t *testing.T, c *redis.Client, srv *redistest.Server, goroutines, rounds int, kills bool) {
	ctx := context.Background()
	var st crossTalkStats
	stop := make(chan struct{})
	var killer sync.WaitGroup
	killCount := 0
	if kills {
		admin := redis.NewClient(&redis.Options{Addr: srv.Addr()})
		defer admin.Close()
		killer.Add(1)
		go func() {
			defer killer.Done()
			for {
				select {
				case <-stop:
					return
				case <-time.After(30 * time.Millisecond):
				}
				// Kill every connection except the admin's own.
				if err := admin.Do(ctx, "CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes").Err(); err == nil {
					killCount++
				}
			}
		}()
	}

	var wg sync.WaitGroup
	failures := make(chan string, goroutines)
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// With one connection and no kills, commands run in the order
			// sent, so a cancelled SET is overtaken by no later one. With
			// several connections, or connections killed under it, a SET
			// whose outcome is unknown may land after a later SET.
			ordered := c.Options().MuxConns == 1 && !kills
			if msg := crossTalkWorker(c, t.Name()+":", g, rounds, ordered, &st); msg != "" {
				failures <- msg
			}
		}()
	}
	wg.Wait()
	close(stop)
	killer.Wait()
	close(failures)
	for msg := range failures {
		t.Error(msg)
	}
	t.Logf("%d goroutines, %d ops: %d ok, %d cancelled, %d deadline exceeded, %d connection errors (%d with unknown outcome), %d blocking calls, %d kill rounds",
		goroutines, st.ops.Load(), st.ok.Load(), st.cancelled.Load(), st.deadline.Load(), st.connErrs.Load(), st.unknown.Load(), st.blocking.Load(), killCount)
	if st.ok.Load() == 0 || st.cancelled.Load()+st.deadline.Load() == 0 {
		t.Errorf("the test exercised nothing: %d ok, %d cancelled, %d deadline", st.ok.Load(), st.cancelled.Load(), st.deadline.Load())
	}
}

// crossTalkWorker returns a description of the first foreign or impossible
// reply it sees, or "".
func crossTalkWorker(c *redis.Client, prefix string, g, rounds int, ordered bool, st *crossTalkStats) string {
	rng := rand.New(rand.NewPCG(uint64(g), 42))
	key := prefix + strconv.Itoa(g)
	list := prefix + "list:" + strconv.Itoa(g)
	// possible holds every value the key may hold now: the last value
	// known to be written, plus values whose SET may or may not have run.
	possible := map[string]bool{"": true} // "" = missing
	unknown := map[string]bool{}          // values whose SET may land later
	var history []string
	for i := range rounds {
		if len(history) > 8 {
			history = history[1:]
		}
		ctx, cancel := randomContext(rng)
		st.ops.Add(1)
		var err error
		switch op := rng.IntN(10); {
		case op < 3:
			val := fmt.Sprintf("g%d-i%d-%d", g, i, rng.Uint32())
			err = c.Set(ctx, key, val)
			history = append(history, fmt.Sprintf("SET %s -> %v", val, err))
			if err == nil {
				possible = map[string]bool{val: true}
				if !ordered {
					for u := range unknown {
						possible[u] = true
					}
				}
			} else {
				possible[val] = true
				unknown[val] = true
			}
		case op < 6:
			var v string
			v, err = c.Get(ctx, key)
			history = append(history, fmt.Sprintf("GET -> %q %v", v, err))
			if errors.Is(err, redis.ErrNil) {
				v, err = "", nil
			}
			if err == nil && !possible[v] {
				cancel()
				return fmt.Sprintf("goroutine %d: GET %s returned %q, which it never wrote (possible: %v); history: %q", g, key, v, possible, history)
			}
		case op < 8 && rng.IntN(3) == 0:
			// A pipeline of 1 to 5 ECHOs (a lone caller may read all of
			// their replies itself).
			p := c.Pipeline()
			n := 1 + rng.IntN(5)
			toks := make([]string, n)
			rs := make([]*redis.Result, n)
			for j := range toks {
				toks[j] = fmt.Sprintf("ptok-%d-%d-%d-%d", g, i, j, rng.Uint64())
				rs[j] = p.Do("ECHO", toks[j])
			}
			err = p.Exec(ctx)
			for j, r := range rs {
				if v, e := r.Text(); e == nil && v != toks[j] {
					cancel()
					return fmt.Sprintf("goroutine %d: pipelined ECHO %q (%d of %d) returned %q", g, toks[j], j, n, v)
				}
			}
		case op < 9:
			token := fmt.Sprintf("tok-%d-%d-%d", g, i, rng.Uint64())
			var v string
			v, err = c.Do(ctx, "ECHO", token).Text()
			if err == nil && v != token {
				cancel()
				return fmt.Sprintf("goroutine %d: ECHO %q returned %q", g, token, v)
			}
		default:
			st.blocking.Add(1)
			item := fmt.Sprintf("item-%d-%d", g, i)
			if rng.IntN(2) == 0 {
				if err := c.Do(context.Background(), "RPUSH", list, item).Err(); err != nil {
					break
				}
			}
			var vals []string
			vals, err = c.Do(ctx, "BLPOP", list, 0.01).Strings()
			if errors.Is(err, redis.ErrNil) {
				err = nil
			} else if err == nil && (len(vals) != 2 || vals[0] != list || !strings.HasPrefix(vals[1], "item-"+strconv.Itoa(g)+"-")) {
				cancel()
				return fmt.Sprintf("goroutine %d: BLPOP %s returned %q", g, list, vals)
			}
		}
		cancel()
		switch {
		case err == nil:
			st.ok.Add(1)
		case errors.Is(err, context.Canceled):
			st.cancelled.Add(1)
		case errors.Is(err, context.DeadlineExceeded):
			st.deadline.Add(1)
		case errors.Is(err, redis.ErrOutcomeUnknown):
			st.unknown.Add(1)
			st.connErrs.Add(1)
		default:
			var ce *redis.ConnError
			if errors.As(err, &ce) {
				st.connErrs.Add(1)
				continue
			}
			return fmt.Sprintf("goroutine %d: unexpected error %v (%T)", g, err, err)
		}
	}
	return ""
}

// randomContext returns context.Background (which lets a lone caller read
// its own reply), a context with a short deadline, one cancelled at a
// random moment, or one that is never cancelled.
func randomContext(rng *rand.Rand) (context.Context, context.CancelFunc) {
	switch rng.IntN(5) {
	case 4:
		return context.Background(), func() {}
	case 0:
		return context.WithTimeout(context.Background(), time.Duration(rng.IntN(300))*time.Microsecond)
	case 1:
		ctx, cancel := context.WithCancel(context.Background())
		d := time.Duration(rng.IntN(300)) * time.Microsecond
		t := time.AfterFunc(d, cancel)
		return ctx, func() { t.Stop(); cancel() }
	}
	return context.WithCancel(context.Background())
}
