package redis_test

import (
	"context"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/redistest"
)

// Round-trip benchmarks against a real server started for the benchmark.
// They measure the client's hot path: allocations per call and time per
// call from one goroutine and from many.

func benchClient(b *testing.B) (*redis.Client, func()) {
	return benchClientWith(b, redis.Options{})
}

// benchClientWith is benchClient with o (its Addr is set here).
func benchClientWith(b *testing.B, o redis.Options) (*redis.Client, func()) {
	srv, err := redistest.StartServer(redistest.Config{})
	if err != nil {
		b.Fatal(err)
	}
	o.Addr = srv.Addr()
	c := redis.NewClient(&o)
	return c, func() { c.Close(); srv.Close() }
}

func BenchmarkGet(b *testing.B) { benchGet(b, redis.Options{}) }

// benchGet measures GET of a 16-byte value on a client made with o.
func benchGet(b *testing.B, o redis.Options) {
	c, done := benchClientWith(b, o)
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

// BenchmarkIdleConnMemory reports the memory a shared connection keeps
// while idle (heap plus goroutine stacks), after a burst of traffic with a
// 1 MiB reply and a 1 MiB write. It opens b.N clients of one connection
// each; the figure is the growth divided by b.N.
func BenchmarkIdleConnMemory(b *testing.B) {
	srv, err := redistest.StartServer(redistest.Config{})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	ctx := context.Background()
	big := strings.Repeat("x", 1<<20)
	setup := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	setup.Set(ctx, "mem:big", big)
	setup.Close()
	time.Sleep(100 * time.Millisecond) // let the setup client's goroutines exit

	measure := func() uint64 {
		runtime.GC()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc + ms.StackInuse
	}
	n := max(b.N, 100)
	before := measure()
	clients := make([]*redis.Client, n)
	for i := range clients {
		c := redis.NewClient(&redis.Options{Addr: srv.Addr()})
		if _, err := c.Get(ctx, "mem:big"); err != nil {
			b.Fatal(err)
		}
		if err := c.Set(ctx, "mem:big2", big); err != nil {
			b.Fatal(err)
		}
		clients[i] = c
	}
	time.Sleep(1200 * time.Millisecond) // past the idle check, which shrinks write buffers
	after := measure()
	b.ReportMetric(float64(after-before)/float64(n), "bytes/idle-conn")
	for _, c := range clients {
		c.Close()
	}
}

// BenchmarkPipelineFresh100 is a pipeline as the README shows it: a fresh
// rdb.Pipeline() per batch of 100 GetBytes. The figures per command are
// the reported ones divided by 100.
func BenchmarkPipelineFresh100(b *testing.B) {
	c, done := benchClient(b)
	defer done()
	ctx := context.Background()
	keys := make([]string, 100)
	for i := range keys {
		keys[i] = "bench:p:" + strconv.Itoa(i)
		c.Set(ctx, keys[i], strings.Repeat("v", 16))
	}
	b.ReportAllocs()
	for b.Loop() {
		p := c.Pipeline()
		var last *redis.Reply[[]byte]
		for _, k := range keys {
			last = p.GetBytes(k)
		}
		if err := p.Exec(ctx); err != nil || len(last.Val()) != 16 {
			b.Fatal(err)
		}
	}
}

// Decode-heavy replies of 100 elements (16-byte values), as bench/'s
// mget-100, hgetall-100, zrange-100 and xrange-100 workloads: what a reply
// costs to read and turn into the typed result.
func BenchmarkDecode100(b *testing.B) {
	c, done := benchClient(b)
	defer done()
	ctx := context.Background()
	keys := make([]string, 100)
	var fields []redis.HashField
	for i := range keys {
		keys[i] = "bench:mget:" + strconv.Itoa(i)
		v := strings.Repeat("v", 12) + strconv.Itoa(1000+i)
		if err := c.Set(ctx, keys[i], v); err != nil {
			b.Fatal(err)
		}
		fields = append(fields, redis.HashField{Field: "f" + strconv.Itoa(i), Value: v})
		if _, err := c.ZAdd(ctx, "bench:zset", []redis.Z{{Member: "m" + v, Score: float64(i) / 3}}); err != nil {
			b.Fatal(err)
		}
		if _, err := c.XAdd(ctx, "bench:stream", "*", []redis.XValue{{Name: "f1", Value: v}, {Name: "f2", Value: v}}); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := c.HSet(ctx, "bench:hash", fields...); err != nil {
		b.Fatal(err)
	}
	b.Run("MGet", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if vs, err := c.MGet(ctx, keys...); err != nil || len(vs) != 100 || !vs[99].Valid {
				b.Fatal(len(vs), err)
			}
		}
	})
	b.Run("HGetAll", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if m, err := c.HGetAll(ctx, "bench:hash"); err != nil || len(m) != 100 {
				b.Fatal(len(m), err)
			}
		}
	})
	b.Run("ZRangeWithScores", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if zs, err := c.ZRangeWithScores(ctx, "bench:zset", 0, -1); err != nil || len(zs) != 100 {
				b.Fatal(len(zs), err)
			}
		}
	})
	b.Run("XRange", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if ms, err := c.XRange(ctx, "bench:stream", "-", "+"); err != nil || len(ms) != 100 {
				b.Fatal(len(ms), err)
			}
		}
	})
}

// BenchmarkGetHooked is BenchmarkGet with a no-op Command hook installed:
// the cost of hooks on the hot path (BenchmarkGet is the cost without).
func BenchmarkGetHooked(b *testing.B) {
	noop := redis.Hook{Command: func(ctx context.Context, _ *redis.CommandCall, next func(context.Context) error) error {
		return next(ctx)
	}}
	benchGet(b, redis.Options{Hooks: []redis.Hook{noop}})
}
