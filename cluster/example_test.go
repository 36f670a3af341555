package cluster_test

import (
	"context"
	"fmt"
	"log"

	"github.com/respkit/redis/cluster"
	"github.com/respkit/redis/redistest"
)

func Example() {
	// A throwaway 3-primary cluster for the example; use your own nodes'
	// addresses instead.
	rc, err := redistest.StartClusterServer(redistest.ClusterConfig{Replicas: redistest.NoReplicas})
	if err != nil {
		log.Fatal(err)
	}
	defer rc.Close()

	ctx := context.Background()
	rdb := cluster.NewClient(&cluster.Options{Addrs: rc.Addrs()[:1]})
	defer rdb.Close()

	// Commands go to the node serving their key's slot.
	if err := rdb.Set(ctx, "greeting", "hello"); err != nil {
		log.Fatal(err)
	}
	s, err := rdb.Get(ctx, "greeting")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s)

	// Keys that share a hash tag share a slot, so a transaction may use
	// them together.
	tx := rdb.TxPipeline()
	tx.Set("{user42}.name", "Ada")
	visits := tx.Incr("{user42}.visits")
	if err := tx.Exec(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Println(visits.Val())
	// Output:
	// hello
	// 1
}
