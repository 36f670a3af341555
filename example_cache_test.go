package redis_test

import (
	"context"
	"fmt"

	"github.com/respkit/redis"
	"github.com/respkit/redis/redistest"
)

func ExampleClient_Cached() {
	srv, err := redistest.StartServer(redistest.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()

	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), Cache: &redis.CacheOptions{MaxBytes: 16 << 20}})
	defer rdb.Close()
	cached := rdb.Cached(0) // cached until the server says the key changed

	rdb.Set(ctx, "user:1:name", "Ada")
	for range 3 {
		name, err := cached.Get(ctx, "user:1:name") // the first read asks the server
		fmt.Println(name, err)
	}
	rdb.Set(ctx, "user:1:name", "Grace") // the client's own write drops the entry at once
	name, err := cached.Get(ctx, "user:1:name")
	fmt.Println(name, err)

	st := rdb.Cache().Stats()
	fmt.Println("hits:", st.Hits, "misses:", st.Misses)
	// Output:
	// Ada <nil>
	// Ada <nil>
	// Ada <nil>
	// Grace <nil>
	// hits: 2 misses: 2
}
