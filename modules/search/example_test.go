package search_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/modules/search"
)

// A hybrid search: full text and vector similarity together. Films are
// indexed with a text title, a tag genre and an embedding; the query finds
// the films nearest to an embedding among those whose title matches the
// words typed by a user (escaped, so "sci-fi & more" stays text), then
// fuses a text ranking and a vector ranking with FT.HYBRID.
//
// It needs a server with the search module (Redis 8, or Redis Stack),
// which the test servers of this repository do not have, so it is
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
	ft := search.New(rdb)
	ctx := context.Background()

	// The index: FT.CREATE films ON HASH PREFIX 1 film: SCHEMA ...
	err = ft.Create(ctx, "films", &search.CreateOptions{On: search.OnHash, Prefixes: []string{"film:"}},
		search.NewTextField("title").Weight(2),
		search.NewTagField("genre"),
		search.NewNumericField("year").Sortable(),
		search.NewVectorField("embedding", search.VectorHNSW, search.VectorFloat32, 3, search.DistanceCosine),
	)
	if err != nil {
		log.Fatal(err)
	}
	defer ft.DropIndex(ctx, "films", search.DropIndexOptions{DeleteDocuments: true})

	films := []struct {
		id, title, genre string
		year             int
		embedding        []float32
	}{
		{"film:1", "The Matrix", "action,sci-fi", 1999, []float32{0.1, 0.2, 0.3}},
		{"film:2", "The Matrix Reloaded", "action,sci-fi", 2003, []float32{0.1, 0.25, 0.3}},
		{"film:3", "Pride and Prejudice", "drama,romance", 2005, []float32{0.9, 0.1, 0}},
		{"film:4", "Heat", "action,crime", 1995, []float32{0.2, 0.3, 0.1}},
	}
	for _, f := range films {
		err := rdb.Do(ctx, "HSET", f.id, "title", f.title, "genre", f.genre, "year", f.year,
			"embedding", search.EncodeFloat32(f.embedding)).Err()
		if err != nil {
			log.Fatal(err)
		}
	}
	time.Sleep(100 * time.Millisecond) // let the index take the new hashes in

	// The two nearest films to the query embedding among the action films
	// whose title has "matrix": (@title:(matrix) @genre:{action})=>[KNN 2
	// @embedding $vec AS distance].
	userWords := "matrix"
	query := search.KNN{
		Filter:  search.And(search.In("title", search.Terms(userWords)), search.Tag("genre", "action")),
		K:       2,
		Field:   "embedding",
		Param:   "vec",
		ScoreAs: "distance",
	}
	embedding := []float32{0.1, 0.2, 0.3} // sent as FLOAT32, like the field
	res, err := ft.Search(ctx, "films", search.NewQuery(query.Expr()).
		Param("vec", embedding).
		SortBy("distance", search.Asc).
		Return("title", "year", "distance").
		Dialect(2))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("matches:", res.Total)
	for _, d := range res.Docs {
		title, _ := d.Fields.Get("title")
		distance, _ := d.Fields.Get("distance")
		fmt.Printf("%s %q distance %s\n", d.ID, title, distance)
	}

	// The same wish as one fused ranking (FT.HYBRID, Redis 8.4+): a text
	// ranking of "matrix" and the 3 nearest vectors, combined by
	// reciprocal rank.
	h := search.NewHybridQuery(
		search.HybridText{Query: search.Terms(userWords)},
		search.HybridVector{Field: "embedding", Param: "vec", KNN: &search.VectorKNN{K: 3}},
	).Param("vec", embedding).
		Combine(search.RRF{Window: 20}).
		Load("title").
		Limit(0, 3)
	fused, err := ft.Hybrid(ctx, "films", h)
	if err != nil {
		log.Fatal(err)
	}
	for _, row := range fused.Rows {
		key, _ := row.Get("__key")
		title, _ := row.Get("title")
		fmt.Printf("%s %q\n", key, title)
	}
}
