package redis_test

import (
	"context"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/respkit/redis"
	"github.com/respkit/redis/redistest"
)

// Round-trip benchmarks against a real server started for the benchmark.
// They measure the client's hot path: allocations per call and time per
// call from one goroutine and from many.

func benchClient(b *testing.B) (*redis.Client, func()) {
	srv, err := redistest.StartServer(redistest.Config{})
	if err != nil {
		b.Fatal(err)
	}
	c := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	return c, func() { c.Close(); srv.Close() }
}

func BenchmarkGet(b *testing.B) {
	c, done := benchClient(b)
	defer done()
	ctx := context.Background()
	c.Set(ctx, "bench:k", strings.Repeat("v", 16))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Get(ctx, "bench:k"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSet(b *testing.B) {
	c, done := benchClient(b)
	defer done()
	ctx := context.Background()
	val := []byte(strings.Repeat("v", 16))
	b.ReportAllocs()
	for b.Loop() {
		if err := c.Set(ctx, "bench:k", val); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetParallel(b *testing.B) {
	c, done := benchClient(b)
	defer done()
	ctx := context.Background()
	for i := range 64 {
		c.Set(ctx, "bench:"+strconv.Itoa(i), strings.Repeat("v", 16))
	}
	var n atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(32) // 64 goroutines on 2 cores
	b.RunParallel(func(pb *testing.PB) {
		key := "bench:" + strconv.Itoa(int(n.Add(1)%64))
		for pb.Next() {
			if _, err := c.Get(ctx, key); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkDo(b *testing.B) {
	c, done := benchClient(b)
	defer done()
	ctx := context.Background()
	c.Set(ctx, "bench:k", strings.Repeat("v", 16))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Do(ctx, "GET", "bench:k").Text(); err != nil {
			b.Fatal(err)
		}
	}
}
