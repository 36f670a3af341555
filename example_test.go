package redis_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/redistest"
)

func Example() {
	srv, err := redistest.StartServer(redistest.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()

	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer rdb.Close()

	if err := rdb.Set(ctx, "greeting", "hello", redis.SetOptions{TTL: time.Minute}); err != nil {
		fmt.Println(err)
		return
	}
	v, err := rdb.Get(ctx, "greeting")
	fmt.Println(v, err)

	_, err = rdb.Get(ctx, "missing")
	fmt.Println(errors.Is(err, redis.ErrNil))

	n, err := rdb.Do(ctx, "RPUSH", "list", "a", "b", "c").Int64()
	fmt.Println(n, err)

	_, err = rdb.Incr(ctx, "list")
	fmt.Println(errors.Is(err, redis.ErrWrongType))
	// Output:
	// hello <nil>
	// true
	// 3 <nil>
	// true
}

func ExampleParseURL() {
	opts, err := redis.ParseURL("redis://alice:secret@localhost:6380/2?protocol=2&read_timeout=500ms")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(opts.Addr, opts.Username, opts.DB, opts.Protocol, opts.ReadTimeout)

	_, err = redis.ParseURL("redis://localhost?read_timeuot=1s")
	fmt.Println(err)
	// Output:
	// localhost:6380 alice 2 2 500ms
	// redis: unknown URL parameter "read_timeuot"
}

func ExampleRunCommand() {
	srv, err := redistest.StartServer(redistest.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer rdb.Close()

	incr := redis.Incr("visits") // built once, run many times
	for range 3 {
		n, err := redis.RunCommand(ctx, rdb, incr)
		fmt.Println(n, err)
	}
	fmt.Println(incr.Name(), incr.Flags()&redis.FlagWrite != 0)
	// Output:
	// 1 <nil>
	// 2 <nil>
	// 3 <nil>
	// INCR true
}
