package redis_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/redistest"
)

// hookLog records what a client's hooks see, in order.
type hookLog struct {
	mu    sync.Mutex
	lines []string
	cmds  []redis.CommandCall
	pipes []redis.PipelineCall
	dials []redis.DialCall
}

func (l *hookLog) add(s string) {
	l.mu.Lock()
	l.lines = append(l.lines, s)
	l.mu.Unlock()
}

// hooks returns two hooks that log their entry and exit, to check the
// order, and a recorder of what the inner one saw once next returned.
func (l *hookLog) hooks() []redis.Hook {
	outer := redis.Hook{
		Command: func(ctx context.Context, c *redis.CommandCall, next func(context.Context) error) error {
			l.add("outer>" + c.Name)
			err := next(ctx)
			l.add("outer<" + c.Name)
			return err
		},
	}
	inner := redis.Hook{
		Dial: func(ctx context.Context, d redis.DialCall, next func(context.Context) error) error {
			err := next(ctx)
			l.mu.Lock()
			l.dials = append(l.dials, d)
			l.mu.Unlock()
			return err
		},
		Command: func(ctx context.Context, c *redis.CommandCall, next func(context.Context) error) error {
			l.add("inner>" + c.Name)
			err := next(ctx)
			l.mu.Lock()
			l.cmds = append(l.cmds, *c)
			l.lines = append(l.lines, "inner<"+c.Name)
			l.mu.Unlock()
			return err
		},
		Pipeline: func(ctx context.Context, p *redis.PipelineCall, next func(context.Context) error) error {
			err := next(ctx)
			l.mu.Lock()
			l.pipes = append(l.pipes, *p)
			l.mu.Unlock()
			return err
		},
	}
	return []redis.Hook{outer, inner}
}

func TestHooksStandalone(t *testing.T) {
	ctx := context.Background()
	base := commandOptions(t)
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			var l hookLog
			o := base
			o.Protocol = proto
			o.Hooks = l.hooks()
			c := redis.NewClient(&o)
			defer c.Close()
			const canary = "canary-value-7f3a9"
			k := key(t, "k")
			if err := c.Set(ctx, k, canary); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Incr(ctx, k); err == nil {
				t.Fatal("INCR of a non-number succeeded")
			}
			p := c.Pipeline()
			p.Get(k)
			p.Get(key(t, "missing"))
			p.Incr(k)
			if err := p.Exec(ctx); err == nil {
				t.Fatal("a pipeline with a failing INCR returned nil")
			}

			l.mu.Lock()
			defer l.mu.Unlock()
			if got := strings.Join(l.lines, " "); got != "outer>SET inner>SET inner<SET outer<SET outer>INCR inner>INCR inner<INCR outer<INCR" {
				t.Errorf("hook order: %s", got)
			}
			slot := redis.KeySlot(k)
			for i, want := range []string{"SET", "INCR"} {
				cc := l.cmds[i]
				if cc.Name != want || cc.Slot != slot || cc.Addr != o.Addr || cc.Attempts != 1 || cc.Redirects != 0 || cc.Args != nil {
					t.Errorf("command %d: %+v (want %s, slot %d, addr %s, 1 attempt, no args)", i, cc, want, slot, o.Addr)
				}
			}
			if len(l.pipes) != 1 {
				t.Fatalf("pipelines seen: %+v", l.pipes)
			}
			if pc := l.pipes[0]; strings.Join(pc.Names, ",") != "GET,GET,INCR" || pc.Tx || pc.Addr != o.Addr || pc.Attempts != 1 {
				t.Errorf("pipeline: %+v", pc)
			}
			if len(l.dials) == 0 || l.dials[0].Addr != o.Addr || l.dials[0].Network != "tcp" {
				t.Errorf("dials: %+v", l.dials)
			}
			if strings.Contains(fmt.Sprintf("%+v %+v", l.cmds, l.pipes), canary) {
				t.Error("a hook saw an argument value without HookArgs")
			}
		})
	}
}

func TestHookArgsOptIn(t *testing.T) {
	ctx := context.Background()
	o := commandOptions(t)
	var args [][]string
	o.HookArgs = true
	o.Hooks = []redis.Hook{{Command: func(ctx context.Context, c *redis.CommandCall, next func(context.Context) error) error {
		var a []string
		for _, b := range c.Args {
			a = append(a, string(b))
		}
		args = append(args, a)
		return next(ctx)
	}}}
	c := redis.NewClient(&o)
	defer c.Close()
	k := key(t, "k")
	if err := c.Set(ctx, k, "v1", redis.SetOptions{KeepTTL: true}); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(args); got != fmt.Sprint([][]string{{k, "v1", "KEEPTTL"}}) {
		t.Errorf("args = %s", got)
	}
}

// A hook sees a retry: the reply to a GET is cut on its way back, and the
// client sends it again.
func TestHooksSeeRetries(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t, redistest.Config{})
	px := redistest.StartProxy(t, srv.Addr())
	var seen []redis.CommandCall
	var errs []error
	c := redis.NewClient(&redis.Options{Addr: px.Addr(), Hooks: []redis.Hook{{Command: func(ctx context.Context, cc *redis.CommandCall, next func(context.Context) error) error {
		err := next(ctx)
		seen, errs = append(seen, *cc), append(errs, err)
		return err
	}}}})
	defer c.Close()
	if err := c.Set(ctx, "k", "v"); err != nil {
		t.Fatal(err)
	}
	px.CutNextReply()
	if v, err := c.Get(ctx, "k"); err != nil || v != "v" {
		t.Fatalf("GET after a cut reply = %q, %v", v, err)
	}
	if len(seen) != 2 || seen[1].Name != "GET" || seen[1].Attempts != 2 || errs[1] != nil || seen[1].Addr != px.Addr() {
		t.Fatalf("hook saw %+v, errors %v; want GET with 2 attempts", seen, errs)
	}
}

// A hook that fails a call replaces its outcome, and a Dial hook that
// refuses a connection fails the command that needed it.
func TestHookFailsCall(t *testing.T) {
	ctx := context.Background()
	o := commandOptions(t)
	stop := errors.New("stopped by a hook")
	o.Hooks = []redis.Hook{{
		Dial: func(ctx context.Context, d redis.DialCall, next func(context.Context) error) error {
			return stop
		},
	}}
	c := redis.NewClient(&o)
	defer c.Close()
	if err := c.Ping(ctx); !errors.Is(err, stop) {
		t.Fatalf("PING with a refusing Dial hook = %v, want %v", err, stop)
	}

	o = commandOptions(t)
	o.Hooks = []redis.Hook{{
		Command: func(ctx context.Context, cc *redis.CommandCall, next func(context.Context) error) error {
			if cc.Name == "DEL" {
				return stop // never sent
			}
			return next(ctx)
		},
	}}
	c2 := redis.NewClient(&o)
	defer c2.Close()
	k := key(t, "k")
	if err := c2.Set(ctx, k, "v"); err != nil {
		t.Fatal(err)
	}
	if _, err := c2.Del(ctx, k); !errors.Is(err, stop) {
		t.Fatalf("DEL failed by its hook = %v", err)
	}
	if v, err := c2.Get(ctx, k); err != nil || v != "v" {
		t.Fatalf("the key after the refused DEL = %q, %v", v, err)
	}
}

// Commands on a reserved connection, Watch's transaction and a blocking
// command (pooled connection) go through the hooks too.
func TestHooksDedicated(t *testing.T) {
	ctx := context.Background()
	var l hookLog
	o := commandOptions(t)
	o.Hooks = l.hooks()
	c := redis.NewClient(&o)
	defer c.Close()
	k := key(t, "k")
	cn, err := c.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := cn.Do(ctx, "SET", k, "1").Err(); err != nil {
		t.Fatal(err)
	}
	cn.Close()
	err = c.Watch(ctx, func(tx *redis.Tx) error {
		n, err := tx.Conn().Do(ctx, "GET", k).Text()
		if err != nil {
			return err
		}
		return tx.Pipelined(ctx, func(p *redis.Pipeline) error {
			p.Set(k, n+"1")
			return nil
		})
	}, k)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.BLPop(ctx, []string{key(t, "empty")}, 10*time.Millisecond); err != redis.ErrNil {
		t.Fatalf("BLPOP of an empty list = %v", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	var names []string
	for _, cc := range l.cmds {
		names = append(names, cc.Name)
		if cc.Addr != o.Addr || cc.Attempts != 1 {
			t.Errorf("%s: %+v", cc.Name, cc)
		}
	}
	if got := strings.Join(names, " "); got != "SET WATCH GET UNWATCH BLPOP" && got != "SET WATCH GET BLPOP" {
		t.Errorf("commands seen: %s", got)
	}
	if len(l.pipes) != 1 || !l.pipes[0].Tx || strings.Join(l.pipes[0].Names, ",") != "SET" || l.pipes[0].Addr != o.Addr {
		t.Errorf("transactions seen: %+v", l.pipes)
	}
}

// Acquire hooks time checkouts from the pool: a Conn reservation that
// waits for the only connection shows the wait, and one that gives up
// shows the pool timeout.
func TestHooksAcquire(t *testing.T) {
	ctx := context.Background()
	type acquire struct {
		addr string
		wait time.Duration
		err  error
	}
	var mu sync.Mutex
	var seen []acquire
	o := commandOptions(t)
	o.PoolSize = 1
	o.PoolTimeout = 300 * time.Millisecond
	o.Hooks = []redis.Hook{{Acquire: func(ctx context.Context, a redis.AcquireCall, next func(context.Context) error) error {
		start := time.Now()
		err := next(ctx)
		mu.Lock()
		seen = append(seen, acquire{a.Addr, time.Since(start), err})
		mu.Unlock()
		return err
	}}}
	c := redis.NewClient(&o)
	defer c.Close()
	first, err := c.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(100*time.Millisecond, func() { first.Close() })
	second, err := c.Conn(ctx) // waits for first
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Conn(ctx); !errors.Is(err, redis.ErrPoolTimeout) { // second is held
		t.Fatalf("a third Conn with the pool exhausted = %v, want ErrPoolTimeout", err)
	}
	second.Close()
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 3 || seen[0].addr != o.Addr || seen[0].err != nil || seen[1].wait < 80*time.Millisecond || seen[1].err != nil ||
		!errors.Is(seen[2].err, redis.ErrPoolTimeout) || seen[2].wait < 250*time.Millisecond {
		t.Fatalf("acquires seen: %+v", seen)
	}
	t.Logf("waits: %v, %v, %v (timeout)", seen[0].wait, seen[1].wait, seen[2].wait)
}

// Pub/sub commands pass through Command hooks too: the hook wraps their
// write, on the subscription's connection.
func TestHooksPubSub(t *testing.T) {
	ctx := context.Background()
	var l hookLog
	o := commandOptions(t)
	o.Hooks = l.hooks()
	c := redis.NewClient(&o)
	defer c.Close()
	ch := key(t, "ch")
	ps, err := c.Subscribe(ctx, ch)
	if err != nil {
		t.Fatal(err)
	}
	defer ps.Close()
	if err := ps.PSubscribe(ctx, ch+"*"); err != nil {
		t.Fatal(err)
	}
	if err := ps.Unsubscribe(ctx, ch); err != nil {
		t.Fatal(err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	var names []string
	for _, cc := range l.cmds {
		names = append(names, cc.Name)
		if cc.Addr != o.Addr || cc.Attempts != 1 {
			t.Errorf("%s: %+v", cc.Name, cc)
		}
	}
	if got := strings.Join(names, " "); got != "SUBSCRIBE PSUBSCRIBE UNSUBSCRIBE" {
		t.Errorf("pub/sub commands seen: %s", got)
	}
}
