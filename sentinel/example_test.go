package sentinel_test

import (
	"context"
	"fmt"
	"log"

	"github.com/respkit/redis/redistest"
	"github.com/respkit/redis/sentinel"
)

func Example() {
	// A throwaway primary, 2 replicas and 3 sentinels for the example; use
	// your own sentinels' addresses instead.
	g, err := redistest.StartSentinelGroupServer(redistest.SentinelGroupConfig{})
	if err != nil {
		log.Fatal(err)
	}
	defer g.Close()

	ctx := context.Background()
	rdb := sentinel.NewClient(&sentinel.Options{
		MasterName:    g.MasterName(),
		SentinelAddrs: g.SentinelAddrs(),
	})
	defer rdb.Close()

	// Commands go to the primary the sentinels name, and follow it
	// through failovers.
	if err := rdb.Set(ctx, "greeting", "hello"); err != nil {
		log.Fatal(err)
	}
	s, err := rdb.Get(ctx, "greeting")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s)
	// Output: hello
}
