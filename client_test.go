package redis_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/redistest"
)

// forProtocols runs body once under RESP2 and once under RESP3.
func forProtocols(t *testing.T, srv *redistest.Server, base redis.Options, body func(t *testing.T, c *redis.Client)) {
	t.Helper()
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			o := base
			o.Addr = srv.Addr()
			o.Protocol = proto
			c := redis.NewClient(&o)
			t.Cleanup(func() { c.Close() })
			body(t, c)
		})
	}
}

func TestBasicCommands(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{})
	ctx := context.Background()
	forProtocols(t, srv, redis.Options{}, func(t *testing.T, c *redis.Client) {
		if err := c.Ping(ctx); err != nil {
			t.Fatal(err)
		}
		key := t.Name()
		if _, err := c.Get(ctx, key); !errors.Is(err, redis.ErrNil) {
			t.Fatalf("GET missing key: err = %v, want ErrNil", err)
		}
		if err := c.Set(ctx, key, "hello"); err != nil {
			t.Fatal(err)
		}
		if v, err := c.Get(ctx, key); err != nil || v != "hello" {
			t.Fatalf("GET = %q, %v", v, err)
		}
		if err := c.Set(ctx, key, "again", redis.SetOptions{NX: true}); !errors.Is(err, redis.ErrNil) {
			t.Fatalf("SET NX on existing key: %v, want ErrNil", err)
		}
		if err := c.Set(ctx, key, "x", redis.SetOptions{NX: true, XX: true}); err == nil {
			t.Fatal("SET with NX and XX was sent")
		}
		if err := c.Set(ctx, key+":ttl", 42, redis.SetOptions{TTL: 1500 * time.Millisecond}); err != nil {
			t.Fatal(err)
		}
		if ttl, err := c.Do(ctx, "PTTL", key+":ttl").Int64(); err != nil || ttl <= 1000 || ttl > 1500 {
			t.Fatalf("PTTL = %d, %v", ttl, err)
		}
		if n, err := c.Incr(ctx, key+":n"); err != nil || n != 1 {
			t.Fatalf("INCR = %d, %v", n, err)
		}
		if n, err := c.Del(ctx, key, key+":n", key+":missing"); err != nil || n != 2 {
			t.Fatalf("DEL = %d, %v", n, err)
		}
		if _, err := c.Incr(ctx, key+":ttl"); err != nil {
			t.Fatal(err)
		}
		c.Do(ctx, "LPUSH", key+":list", "a")
		if _, err := c.Incr(ctx, key+":list"); !errors.Is(err, redis.ErrWrongType) {
			t.Fatalf("INCR on a list: %v, want WRONGTYPE", err)
		}
		// Server is "redis", or "valkey" when REDIS_SERVER_BIN names a
		// Valkey server.
		h, err := c.Hello(ctx)
		if err != nil || h.Server == "" || h.Version == "" || h.Mode != "standalone" || h.Role != "master" || h.ID == 0 {
			t.Fatalf("HELLO = %+v, %v", h, err)
		}
	})
}
