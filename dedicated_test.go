package redis_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/respkit/redis"
	"github.com/respkit/redis/redistest"
)

// TestConnTransaction runs WATCH/MULTI/EXEC on a reserved connection: a
// write from another client between WATCH and EXEC makes EXEC return a
// null (the transaction was discarded), and an untouched one commits.
func TestConnTransaction(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{})
	forProtocols(t, srv, redis.Options{}, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		key := t.Name()
		c.Set(ctx, key, 1)

		run := func(interfere bool) (redis.Result, error) {
			cn, err := c.Conn(ctx)
			if err != nil {
				return redis.Result{}, err
			}
			defer cn.Close()
			if err := cn.Do(ctx, "WATCH", key).Err(); err != nil {
				return redis.Result{}, err
			}
			if interfere {
				if _, err := c.Incr(ctx, key); err != nil {
					return redis.Result{}, err
				}
			}
			if err := cn.Do(ctx, "MULTI").Err(); err != nil {
				return redis.Result{}, err
			}
			if s, err := cn.Do(ctx, "INCRBY", key, 10).Text(); err != nil || s != "QUEUED" {
				return redis.Result{}, errors.New("INCRBY not queued: " + s)
			}
			return cn.Do(ctx, "EXEC"), nil
		}

		res, err := run(true)
		if err != nil {
			t.Fatal(err)
		}
		if !errors.Is(res.Err(), redis.ErrNil) {
			t.Fatalf("EXEC after a concurrent write: %v, want ErrNil (discarded)", res.Err())
		}
		if v, _ := c.Get(ctx, key); v != "2" {
			t.Fatalf("after the discarded transaction the key is %q, want 2", v)
		}
		res, err = run(false)
		if err != nil {
			t.Fatal(err)
		}
		vals, err := res.Slice()
		if err != nil || len(vals) != 1 || vals[0].Int() != 12 {
			t.Fatalf("EXEC = %v, %v; want [12]", vals, err)
		}
	})
}

// TestConnStateIsNotInherited changes a reserved connection's database:
// the connection is closed on Close, so the next caller gets database 0.
func TestConnStateIsNotInherited(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{})
	ctx := context.Background()
	c := redis.NewClient(&redis.Options{Addr: srv.Addr(), PoolSize: 1})
	defer c.Close()

	cn, err := c.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := cn.Do(ctx, "SELECT", 3).Err(); err != nil {
		t.Fatal(err)
	}
	if err := cn.Do(ctx, "SET", "conn:k", "in-db-3").Err(); err != nil {
		t.Fatal(err)
	}
	cn.Close()
	if err := cn.Do(ctx, "PING").Err(); err == nil {
		t.Fatal("Do on a closed Conn succeeded")
	}
	if st := c.PoolStats(); st.TotalConns != 0 {
		t.Fatalf("a connection with a changed database went back to the pool: %+v", st)
	}

	cn, err = c.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer cn.Close()
	info, err := cn.Do(ctx, "CLIENT", "INFO").Text()
	if err != nil || !strings.Contains(info, " db=0 ") {
		t.Fatalf("next reserved connection: %q, %v; want db=0", info, err)
	}
	if _, err := c.Get(ctx, "conn:k"); !errors.Is(err, redis.ErrNil) {
		t.Fatalf("the key written in db 3 is visible in db 0: %v", err)
	}
	// A connection used only for ordinary commands is reused.
	cn.Close()
	cn, _ = c.Conn(ctx)
	cn.Do(ctx, "PING")
	cn.Close()
	if st := c.PoolStats(); st.TotalConns != 1 || st.IdleConns != 1 {
		t.Fatalf("a clean connection was not kept: %+v", st)
	}
}

func TestRunOnReservedConn(t *testing.T) {
	ctx := context.Background()
	withClients(t, func(t *testing.T, c *redis.Client) {
		cn, err := c.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer cn.Close()
		if err := cn.Select(ctx, 3); err != nil {
			t.Fatal(err)
		}
		k := key(t, "k")
		if _, err := redis.RunOn(ctx, cn, redis.Set(k, "in db 3")); err != nil {
			t.Fatal(err)
		}
		if v, err := redis.RunOn(ctx, cn, redis.Get(k)); err != nil || v != "in db 3" {
			t.Fatalf("RunOn GET = %q, %v", v, err)
		}
		if _, err := c.Get(ctx, k); err != redis.ErrNil {
			t.Fatalf("the key is in db 0 too: %v", err)
		}
		if _, err := redis.RunOn(ctx, cn, redis.Incr(k)); err == nil {
			t.Fatal("INCR on a string returned no error")
		}
		redis.RunOn(ctx, cn, redis.Del(k))
	})
}
