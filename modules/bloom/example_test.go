package bloom_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/respkit/redis"
	"github.com/respkit/redis/modules/bloom"
)

// Deduplicating a stream of order ids with a Bloom filter: reserve it for
// the expected number of ids at a 0.1% false-positive rate, add each id as
// it arrives (BF.ADD says whether it is new), and check ids later.
//
// It needs a server with RedisBloom (Redis 8, or Redis Stack), which the
// test servers of this repository do not have, so it is compiled but not
// run; point REDIS_MODULES_URL at one to try it. TestIntegrationDedup runs
// the same steps there.
func Example() {
	url := os.Getenv("REDIS_MODULES_URL")
	if url == "" {
		url = "redis://localhost:6379"
	}
	opts, err := redis.ParseURL(url)
	if err != nil {
		log.Fatal(err)
	}
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	b := bloom.New(rdb)
	ctx := context.Background()

	if err := b.BFReserve(ctx, "orders:seen", 0.001, 100_000); err != nil {
		fmt.Println("reserve:", err)
		return
	}
	for _, id := range []string{"order-1", "order-2", "order-1", "order-3"} {
		isNew, err := b.BFAdd(ctx, "orders:seen", id)
		if err != nil {
			fmt.Println("add:", err)
			return
		}
		if !isNew {
			fmt.Println("duplicate:", id)
			continue
		}
		fmt.Println("processing:", id)
	}

	seen, err := b.BFMExists(ctx, "orders:seen", "order-2", "order-9")
	if err != nil {
		fmt.Println("exists:", err)
		return
	}
	fmt.Println("order-2 seen:", seen[0], "order-9 seen:", seen[1])
	// On a server with RedisBloom this prints:
	// processing: order-1
	// processing: order-2
	// duplicate: order-1
	// processing: order-3
	// order-2 seen: true order-9 seen: false
}
