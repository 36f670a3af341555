package vectorset_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"math"
	"os"

	"github.com/respkit/redis"
	"github.com/respkit/redis/modules/vectorset"
)

// Film is the attributes of an element of the example's set.
type Film struct {
	Year  int    `json:"year"`
	Genre string `json:"genre"`
}

// A vector-similarity lookup with a filter: films added with their
// embeddings and JSON attributes, then the films closest to a query
// vector among those the filter keeps. It needs a server with vector sets
// (Redis 8), which the test servers of this repository are not, so it is
// compiled but not run; point REDIS_MODULES_URL at one to try it.
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
	vs := vectorset.New(rdb)
	ctx := context.Background()

	films := []struct {
		name string
		vec  []float32
		film Film
	}{
		{"alien", []float32{0.9, 0.1, 0.0}, Film{1979, "sci-fi"}},
		{"aliens", []float32{0.85, 0.15, 0.05}, Film{1986, "sci-fi"}},
		{"arrival", []float32{0.8, 0.3, 0.1}, Film{2016, "sci-fi"}},
		{"heat", []float32{0.1, 0.9, 0.2}, Film{1995, "crime"}},
	}
	rdb.Do(ctx, "DEL", "example:films")
	for _, f := range films {
		if _, err := vs.Add(ctx, "example:films", f.name, f.vec, vectorset.AddOptions{Attributes: f.film}); err != nil {
			log.Fatal(err)
		}
	}

	// The sci-fi films of the last century closest to the query, with
	// their similarity and attributes.
	matches, err := vs.Sim(ctx, "example:films", vectorset.Vector([]float32{1, 0, 0}), vectorset.SimOptions{
		Filter:      `.genre == "sci-fi" and .year < 2000`,
		WithScores:  true,
		WithAttribs: true,
		Count:       5,
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, m := range matches {
		var f Film
		if err := m.DecodeAttributes(&f); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s %.2f %d\n", m.Element, m.Score, f.Year)
	}

	// The attributes of one element, decoded into a Film.
	heat, err := vectorset.GetAttr[Film](ctx, vs, "example:films", "heat")
	fmt.Println(heat.Genre, err)

	// A missing element is redis.ErrNil.
	_, err = vs.Emb(ctx, "example:films", "nobody")
	fmt.Println(errors.Is(err, redis.ErrNil))

	// On a server with vector sets this prints:
	//
	//	alien 1.00 1979
	//	aliens 0.99 1986
	//	crime <nil>
	//	true
}

// Commands are values: built once, they can be inspected, queued in
// pipelines and run many times. Input that cannot be sent is refused
// before anything reaches the server.
func ExampleSim() {
	cmd := vectorset.Sim("films", vectorset.Vector([]float32{0.9, 0.1, 0}), vectorset.SimOptions{
		Values: true, Filter: ".year > 2000", WithScores: true, Count: 3,
	})
	fmt.Println(cmd.String())
	fmt.Println(cmd.Keys(), cmd.Flags()&redis.FlagReadonly != 0)

	bad := vectorset.Sim("films", vectorset.Vector([]float32{1, 0, float32(math.NaN())}))
	fmt.Println(errors.Is(bad.Err(), vectorset.ErrInvalidVector), bad.Err())
	// Output:
	// "VSIM" "films" "VALUES" "3" "0.9" "0.1" "0.0" "FILTER" ".year > 2000" "WITHSCORES" "COUNT" "3"
	// [films] true
	// true vectorset: invalid vector: component 2 is NaN
}

// An FP32 blob is each component's float32 bits, little-endian.
func ExampleAppendFP32() {
	blob := vectorset.AppendFP32(nil, []float32{1, -2.5})
	fmt.Printf("% x\n", blob)
	v, err := vectorset.ParseFP32(blob)
	fmt.Println(v, err)
	// Output:
	// 00 00 80 3f 00 00 20 c0
	// [1 -2.5] <nil>
}
