package redis_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/respkit/redis"
	"github.com/respkit/redis/redistest"
	"github.com/respkit/redis/resp"
)

// TestReplyLimits makes the server send a reply over the client's limits:
// the call fails with resp.ErrLimit, and the connection (whose stream is
// now unreadable) is replaced, so the next call works.
func TestReplyLimits(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{})
	forProtocols(t, srv, redis.Options{Limits: resp.Limits{MaxBulkLen: 1000, MaxAggregateLen: 10}}, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		key := t.Name()
		if err := c.Set(ctx, key, strings.Repeat("x", 2000)); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Get(ctx, key); !errors.Is(err, resp.ErrLimit) {
			t.Fatalf("GET of a 2000-byte value with MaxBulkLen 1000: %v, want ErrLimit", err)
		}
		c.Do(ctx, "RPUSH", key+":l", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
		if err := c.Do(ctx, "LRANGE", key+":l", 0, -1).Err(); !errors.Is(err, resp.ErrLimit) {
			t.Fatalf("LRANGE of 11 elements with MaxAggregateLen 10: %v, want ErrLimit", err)
		}
		if err := c.Set(ctx, key, "small"); err != nil {
			t.Fatal(err)
		}
		if v, err := c.Get(ctx, key); err != nil || v != "small" {
			t.Fatalf("after the limit errors: %q, %v", v, err)
		}
	})
}
