package redis_test

import (
	"context"
	"fmt"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/redistest"
)

// A Command hook that times every command and reports where it ran. The
// hook sees names, slots, servers, attempts and redirections, never the
// arguments (unless Options.HookArgs is set).
func ExampleHook() {
	srv, err := redistest.StartServer(redistest.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()

	timing := redis.Hook{
		Command: func(ctx context.Context, c *redis.CommandCall, next func(context.Context) error) error {
			start := time.Now()
			err := next(ctx)
			elapsed := time.Since(start) // a real hook would record it
			_ = elapsed
			fmt.Printf("%s slot=%d attempts=%d same-server=%v err=%v\n", c.Name, c.Slot, c.Attempts, c.Addr == srv.Addr(), err)
			return err
		},
	}
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), Hooks: []redis.Hook{timing}})
	defer rdb.Close()

	ctx := context.Background()
	rdb.Set(ctx, "greeting", "hello")
	rdb.Get(ctx, "missing") // a null reply is not an error to hooks: ErrNil comes later, from the typed result
	// Output:
	// SET slot=12714 attempts=1 same-server=true err=<nil>
	// GET slot=5513 attempts=1 same-server=true err=<nil>
}
