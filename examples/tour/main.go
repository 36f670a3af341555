// Command tour walks through the client's API against a real server. It
// uses REDIS_URL when set; otherwise it starts a throwaway redis-server
// through redistest and stops it at the end.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"sync"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/redistest"
)

func main() {
	log.SetFlags(0)
	ctx := context.Background()

	url := os.Getenv("REDIS_URL")
	if url == "" {
		srv, err := redistest.StartServer(redistest.Config{})
		if err != nil {
			log.Fatalf("tour: %v", err)
		}
		defer srv.Close()
		url = srv.URL()
		fmt.Printf("started a throwaway redis-server (pid %d) at %s\n", srv.PID(), url)
	} else {
		fmt.Printf("using REDIS_URL=%s\n", url)
	}

	opts, err := redis.ParseURL(url)
	if err != nil {
		log.Fatalf("tour: %v", err)
	}
	rdb := redis.NewClient(opts)
	defer rdb.Close()

	step("PING", rdb.Ping(ctx))

	hello, err := rdb.Hello(ctx)
	step("HELLO", err)
	fmt.Printf("    server %s %s, protocol RESP%d, mode %s, role %s\n", hello.Server, hello.Version, hello.Proto, hello.Mode, hello.Role)

	key := "tour:greeting"
	step("SET "+key+" hello EX 60", rdb.Set(ctx, key, "hello", redis.SetOptions{TTL: time.Minute}))
	v, err := rdb.Get(ctx, key)
	step("GET "+key, err)
	fmt.Printf("    -> %q\n", v)

	err = rdb.Set(ctx, key, "ignored", redis.SetOptions{NX: true})
	fmt.Printf("SET %s NX on an existing key -> ErrNil: %v\n", key, errors.Is(err, redis.ErrNil))

	_, err = rdb.Get(ctx, "tour:missing")
	fmt.Printf("GET tour:missing -> ErrNil: %v\n", errors.Is(err, redis.ErrNil))

	// Concurrent callers share one connection; their commands are
	// pipelined together automatically.
	rdb.Del(ctx, "tour:counter")
	var wg sync.WaitGroup
	start := time.Now()
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				if _, err := rdb.Incr(ctx, "tour:counter"); err != nil {
					log.Fatalf("tour: INCR: %v", err)
				}
			}
		}()
	}
	wg.Wait()
	n, err := rdb.Do(ctx, "GET", "tour:counter").Int64()
	step("100 goroutines x 100 INCR", err)
	fmt.Printf("    counter = %d in %v\n", n, time.Since(start).Round(time.Millisecond))

	// Any command through Do, with typed accessors on the result.
	rdb.Do(ctx, "RPUSH", "tour:list", "a", "b", "c")
	items, err := rdb.Do(ctx, "LRANGE", "tour:list", 0, -1).Strings()
	step("LRANGE tour:list 0 -1", err)
	fmt.Printf("    -> %q\n", items)

	// Server errors carry their code.
	_, err = rdb.Incr(ctx, "tour:list")
	fmt.Printf("INCR on a list -> %v (WRONGTYPE: %v)\n", err, errors.Is(err, redis.ErrWrongType))

	// Blocking commands run on a pooled connection of their own.
	res := rdb.Do(ctx, "BLPOP", "tour:empty", 0.1)
	fmt.Printf("BLPOP tour:empty 0.1 -> ErrNil after the timeout: %v\n", errors.Is(res.Err(), redis.ErrNil))

	// Commands that would change a shared connection are refused...
	fmt.Printf("SELECT 1 via Do -> refused: %v\n", rdb.Do(ctx, "SELECT", 1).Err() != nil)

	// ...and run on a reserved connection instead.
	cn, err := rdb.Conn(ctx)
	step("reserve a connection", err)
	cn.Do(ctx, "WATCH", "tour:counter")
	cn.Do(ctx, "MULTI")
	cn.Do(ctx, "INCRBY", "tour:counter", 5)
	res = cn.Do(ctx, "EXEC")
	cn.Close()
	vals, err := res.Slice()
	step("WATCH/MULTI/INCRBY/EXEC on it", err)
	fmt.Printf("    -> counter = %d\n", vals[0].Int())

	// Typed commands: every command of the Redis command table has one.
	rdb.ZAdd(ctx, "tour:board", []redis.Z{{Score: 30, Member: "cy"}, {Score: 10, Member: "ann"}, {Score: 20, Member: "bo"}})
	top, err := rdb.ZRangeWithScores(ctx, "tour:board", 0, -1, redis.ZRangeOptions{Rev: true})
	step("ZADD + ZRANGE WITHSCORES REV", err)
	fmt.Printf("    -> %v\n", top)
	ttl, err := rdb.TTL(ctx, key)
	step("TTL "+key, err)
	fmt.Printf("    -> %v\n", ttl)

	// Pipelines: one round trip, one typed reply per command.
	p := rdb.Pipeline()
	p.Set("tour:a", 1)
	incr := p.Incr("tour:a")
	missing := p.Get("tour:nope")
	step("pipeline SET, INCR, GET", p.Exec(ctx))
	fmt.Printf("    -> INCR %d, GET of a missing key -> ErrNil: %v\n", incr.Val(), errors.Is(missing.Err(), redis.ErrNil))

	// Optimistic transactions: WATCH, read, MULTI/EXEC, rerun on conflict.
	err = rdb.Watch(ctx, func(tx *redis.Tx) error {
		n, err := rdb.Do(ctx, "GET", "tour:a").Int64()
		if err != nil {
			return err
		}
		return tx.Pipelined(ctx, func(p *redis.Pipeline) error {
			p.Set("tour:a", n*10)
			return nil
		})
	}, "tour:a")
	step("Watch tour:a, then SET it to 10x", err)

	// Scripts run by digest, loaded on first use.
	script := redis.NewScript(`return redis.call("INCRBY", KEYS[1], ARGV[1])`)
	sres, err := script.Run(ctx, rdb, []string{"tour:a"}, 5)
	step("script INCRBY tour:a 5", err)
	sn, _ := sres.Int64()
	fmt.Printf("    -> %d\n", sn)

	// Pub/Sub on a connection of its own, renewed after reconnects.
	ps, err := rdb.Subscribe(ctx, "tour:news")
	step("SUBSCRIBE tour:news", err)
	rdb.Do(ctx, "PUBLISH", "tour:news", "hello subscribers")
	msg, err := ps.ReceiveMessage(ctx)
	step("receive", err)
	fmt.Printf("    -> %s: %q\n", msg.Channel, msg.Payload)
	ps.Close()

	// Client-side caching: a second client with a cache; its reads are
	// memory lookups until the server says the key changed.
	copts := *opts
	copts.Cache = &redis.CacheOptions{MaxBytes: 8 << 20}
	crdb := redis.NewClient(&copts)
	cached := crdb.Cached(0)
	step("SET tour:cached v1", rdb.Set(ctx, "tour:cached", "v1"))
	for range 3 {
		_, err := cached.Get(ctx, "tour:cached")
		step("cached GET tour:cached", err)
	}
	step("SET tour:cached v2 (another client)", rdb.Set(ctx, "tour:cached", "v2"))
	for deadline := time.Now().Add(time.Second); ; time.Sleep(time.Millisecond) {
		if cv, _ := cached.Get(ctx, "tour:cached"); cv == "v2" || time.Now().After(deadline) {
			fmt.Printf("    -> %q after the server's invalidation\n", cv)
			break
		}
	}
	cs := crdb.Cache().Stats()
	fmt.Printf("cache: %d hits, %d misses, %d invalidations\n", cs.Hits, cs.Misses, cs.Invalidations)
	crdb.Close()

	// A cancelled context returns at once; the reply is drained later.
	cctx, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	err = rdb.Do(cctx, "BLPOP", "tour:empty", 5).Err()
	cancel()
	fmt.Printf("BLPOP with a 10ms context -> %v\n", err)

	rdb.Del(ctx, key, "tour:counter", "tour:list", "tour:board", "tour:a", "tour:cached")
	st := rdb.PoolStats()
	fmt.Printf("pool: %d hits, %d misses, %d timeouts, %d open, %d idle\n", st.Hits, st.Misses, st.Timeouts, st.TotalConns, st.IdleConns)
	fmt.Println("tour done")
}

func step(what string, err error) {
	if err != nil {
		log.Fatalf("%s: %v", what, err)
	}
	fmt.Printf("%s: ok\n", what)
}
