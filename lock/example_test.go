package lock_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/lock"
	"github.com/respkit/redis/redistest"
)

func Example() {
	// A throwaway server for the example; in a program, connect to yours.
	srv, err := redistest.StartServer(redistest.Config{})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer rdb.Close()
	ctx := context.Background()

	// The hash tag keeps the fencing counter in the lock's cluster slot.
	l := lock.New(rdb, "{report:nightly}", lock.Options{
		TTL:         5 * time.Second,
		WaitTimeout: 10 * time.Second, // give up waiting after 10 s
		AutoRenew:   true,             // extend every TTL/3 until Release
		Fencing:     true,             // number each acquisition
	})
	if err := l.Acquire(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Println("fencing token:", l.Fence())

	// Work under l.Context(): it is cancelled if the lock is lost.
	work := l.Context()
	select {
	case <-work.Done():
		fmt.Println("lost:", context.Cause(work))
	case <-time.After(10 * time.Millisecond):
		fmt.Println("work done")
	}

	if err := l.Release(ctx); err != nil {
		log.Fatal(err) // lock.ErrNotOwned: it had expired
	}
	fmt.Println("released:", context.Cause(work))

	// A second acquisition gets a larger fencing token.
	if ok, err := l.TryAcquire(ctx); err != nil || !ok {
		log.Fatal(ok, err)
	}
	fmt.Println("fencing token:", l.Fence())
	l.Release(ctx)
	// Output:
	// fencing token: 1
	// work done
	// released: lock: released
	// fencing token: 2
}

// Redlock over independent primaries: a majority must agree.
func ExampleNewRedlock() {
	var clients []*redis.Client
	for i := range 5 {
		srv, err := redistest.StartServer(redistest.Config{})
		if err != nil {
			log.Fatal(err)
		}
		defer srv.Close()
		c := redis.NewClient(&redis.Options{Addr: srv.Addr()})
		defer c.Close()
		clients = append(clients, c)
		if i < 2 {
			srv.Kill() // two nodes down: 3 of 5 is still a majority
		}
	}
	ctx := context.Background()
	r := lock.NewRedlock(clients, "jobs:rebalance", lock.RedlockOptions{
		Options: lock.Options{TTL: 10 * time.Second},
	})
	if err := r.Acquire(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Println("quorum:", r.Quorum())
	fmt.Println("valid for at most the TTL:", time.Until(r.ValidUntil()) < 10*time.Second)
	if err := r.Release(ctx); err != nil {
		log.Fatal(err)
	}
	// Output:
	// quorum: 3
	// valid for at most the TTL: true
}
