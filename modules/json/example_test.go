package redisjson_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"os"

	"github.com/respkit/redis"
	redisjson "github.com/respkit/redis/modules/json"
)

// Product is a document of the store.
type Product struct {
	Name  string   `json:"name"`
	Price float64  `json:"price"`
	Stock int      `json:"stock"`
	Tags  []string `json:"tags"`
}

// A JSON document store: structs in and out, changes in place by path,
// several documents at once, and a transaction. It needs a server with the
// JSON module (Redis 8, Redis Stack or valkey-json), which the test
// servers of this repository do not have, so it is compiled but not run;
// point REDIS_MODULES_URL at one to try it.
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
	j := redisjson.New(rdb)
	ctx := context.Background()

	// Store a struct as a document, and read it back.
	lamp := Product{Name: "lamp", Price: 25.5, Stock: 3, Tags: []string{"home"}}
	if err := j.Set(ctx, "product:1", "$", lamp); err != nil {
		log.Fatal(err)
	}
	p, err := redisjson.Get[Product](ctx, j, "product:1", ".") // a legacy path: the value itself
	fmt.Println(p.Name, p.Price, err)

	// Change it in place: each result has one entry per match of the path.
	stock, _ := j.NumIncrBy(ctx, "product:1", "$.stock", -1)
	n, _ := stock[0].V.Int64()
	fmt.Println("stock:", n)
	tags, _ := j.ArrAppend(ctx, "product:1", "$.tags", "light")
	fmt.Println("tags:", tags[0].V)

	// A JSONPath gives every match, as a JSON array.
	prices, _ := redisjson.Get[[]float64](ctx, j, "product:1", "$..price")
	fmt.Println("prices:", prices)

	// Several documents at once; a missing key stays visible.
	if err := j.Set(ctx, "product:2", "$", Product{Name: "desk", Price: 120}); err != nil {
		log.Fatal(err)
	}
	names, err := redisjson.Run(ctx, j, redisjson.MGetAs[[]string]("$.name", "product:1", "product:3", "product:2"))
	if err != nil {
		log.Fatal(err)
	}
	for _, name := range names {
		fmt.Println(name.Valid, name.V)
	}

	// A transaction of JSON commands.
	tx := rdb.TxPipeline()
	redis.Queue(tx, redisjson.NumMultBy("product:2", "$.price", 0.9))
	total := redis.Queue(tx, redisjson.GetAs[[]float64]("product:2", "$.price"))
	if err := tx.Exec(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Println("sale price:", total.Val())

	// Set only if absent: redis.ErrNil when the condition fails.
	err = j.Set(ctx, "product:1", "$", lamp, redisjson.SetOptions{NX: true})
	fmt.Println(errors.Is(err, redis.ErrNil))

	// On a server with the module this prints:
	//
	//	lamp 25.5 <nil>
	//	stock: 2
	//	tags: 2
	//	prices: [25.5]
	//	true [lamp]
	//	false []
	//	true [desk]
	//	sale price: [108]
	//	true
}

// Commands are values: built once, they can be inspected, queued in
// pipelines and run many times. Input that cannot be sent is refused
// before anything reaches the server.
func ExampleSet() {
	cmd := redisjson.Set("user:1", "$", map[string]any{"name": "Ada", "langs": []string{"en"}})
	fmt.Println(cmd.String())
	fmt.Println(cmd.Keys(), cmd.Flags()&redis.FlagWrite != 0)

	raw := redisjson.Set("user:1", "$.name", json.RawMessage(`"Grace"`), redisjson.SetOptions{XX: true})
	fmt.Println(raw.String())

	bad := redisjson.Set("user:1", "$", 1, redisjson.SetOptions{NX: true, XX: true})
	fmt.Println(bad.Err())
	// Output:
	// "JSON.SET" "user:1" "$" "{\"langs\":[\"en\"],\"name\":\"Ada\"}"
	// [user:1] true
	// "JSON.SET" "user:1" "$.name" "\"Grace\"" "XX"
	// redisjson: JSON.SET: NX and XX conflict
}
