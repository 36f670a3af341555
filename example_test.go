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

// Keyspace notifications arrive as pub/sub messages: here every change to
// keys under "session:" is reported on the pattern's channel, with the
// event (set, expire, del, ...) as the payload.
func ExamplePubSub_keyspaceNotifications() {
	srv, err := redistest.StartServer(redistest.Config{Args: []string{"--notify-keyspace-events", "KA"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer rdb.Close()

	ps, err := rdb.PSubscribe(ctx, "__keyspace@0__:session:*")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer ps.Close()

	rdb.Set(ctx, "session:42", "alice", redis.SetOptions{TTL: time.Minute})
	rdb.Del(ctx, "session:42")
	for range 3 {
		m, err := ps.ReceiveMessage(ctx)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(m.Channel, m.Payload)
	}
	// Output:
	// __keyspace@0__:session:42 set
	// __keyspace@0__:session:42 expire
	// __keyspace@0__:session:42 del
}

func ExampleClient_Pipeline() {
	srv, err := redistest.StartServer(redistest.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer rdb.Close()

	p := rdb.Pipeline()
	p.Set("a", 1)
	incr := p.Incr("a")
	missing := p.Get("nope")
	raw := p.Do("STRLEN", "a")
	if err := p.Exec(ctx); err != nil {
		fmt.Println(err)
	}
	fmt.Println(incr.Val())
	fmt.Println(errors.Is(missing.Err(), redis.ErrNil))
	fmt.Println(raw.Int64())
	// Output:
	// 2
	// true
	// 1 <nil>
}

func ExampleClient_Watch() {
	srv, err := redistest.StartServer(redistest.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer rdb.Close()

	rdb.Set(ctx, "balance", 100)
	// Withdraw 30 only if the balance covers it, atomically with respect
	// to other clients: if "balance" changes before EXEC, Watch runs the
	// function again.
	err = rdb.Watch(ctx, func(tx *redis.Tx) error {
		n, err := rdb.Do(ctx, "GET", "balance").Int64()
		if err != nil {
			return err
		}
		if n < 30 {
			return errors.New("insufficient funds")
		}
		return tx.Pipelined(ctx, func(p *redis.Pipeline) error {
			p.Set("balance", n-30)
			return nil
		})
	}, "balance")
	fmt.Println(err)
	fmt.Println(rdb.Get(ctx, "balance"))
	// Output:
	// <nil>
	// 70 <nil>
}
