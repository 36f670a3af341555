package keyspace_test

import (
	"context"
	"fmt"
	"log"

	"github.com/respkit/redis"
	"github.com/respkit/redis/keyspace"
	"github.com/respkit/redis/redistest"
)

func Example() {
	// A throwaway server for the example; use your own instead.
	srv, err := redistest.StartServer(redistest.Config{})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer rdb.Close()

	w, err := keyspace.Watch(ctx, rdb, &keyspace.Options{
		Keys:   "user:*",
		Notify: "g$", // generic and string events; off unless asked for
	})
	if err != nil {
		log.Fatal(err)
	}
	defer w.Close()

	// Every change made after Watch returns is reported.
	rdb.Set(ctx, "user:1", "Ada")
	rdb.Set(ctx, "other", "not watched")
	rdb.Del(ctx, "user:1")
	for seen := 0; seen < 2; {
		ev, err := w.Receive(ctx)
		if err != nil {
			log.Fatal(err)
		}
		if ev.Gap {
			continue // events may have been missed: resync here
		}
		fmt.Println(ev.Event, ev.Key)
		seen++
	}
	// Output:
	// set user:1
	// del user:1
}
