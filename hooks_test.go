package redis_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

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
