package search

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/respkit/redis"
)

// queryFixture creates an index of n films under a fresh prefix, with a
// title, a genre tag, a year and a 3-dimension FLOAT32 vector, and drops
// it with its documents when the test ends.
func queryFixture(t *testing.T, ctx context.Context, rdb *redis.Client, n int) (ft *Client, index string) {
	t.Helper()
	ft = New(rdb)
	stamp := fmt.Sprintf("qtest:%d:", time.Now().UnixNano())
	index = stamp + "idx"
	err := ft.Create(ctx, index, &CreateOptions{On: OnHash, Prefixes: []string{stamp + "film:"}},
		NewTextField("title"), NewTagField("genre"), NewNumericField("year").Sortable(),
		NewVectorField("vec", VectorFlat, VectorFloat32, 3, DistanceCosine))
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	t.Cleanup(func() {
		_ = ft.DropIndex(context.Background(), index, DropIndexOptions{DeleteDocuments: true})
	})
	for i := range n {
		title := fmt.Sprintf("film number %d", i)
		genre := "drama, indie"
		if i%2 == 0 {
			title = fmt.Sprintf("space opera %d", i)
			genre = "sci-fi, space & stars"
		}
		vec := EncodeFloat32([]float32{float32(i%2) + 0.01*float32(i), 1 - float32(i%2), 0.5})
		if err := rdb.Do(ctx, "HSET", fmt.Sprintf("%sfilm:%d", stamp, i), "title", title, "genre", genre,
			"year", 1990+i, "vec", vec).Err(); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		info, err := ft.Info(ctx, index)
		if err != nil {
			t.Fatal(err)
		}
		if !info.Indexing && info.NumDocs == int64(n) {
			return ft, index
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d of %d documents indexed", index, info.NumDocs, n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestQueryIntegrationSearchAndKNN(t *testing.T) {
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			rdb := searchServer(t, proto)
			ft, index := queryFixture(t, ctx, rdb, 10)

			// Full text, with a hostile tag value matched whole.
			res, err := ft.Search(ctx, index, NewQuery(And(Terms("space opera"), Tag("genre", "space & stars"))).
				WithScores().SortBy("year", Asc).Return("title", "year").Limit(0, 3))
			if err != nil {
				t.Fatal(err)
			}
			if res.Total != 5 || len(res.Docs) != 3 {
				t.Fatalf("full text: %+v", res)
			}
			for _, d := range res.Docs {
				if title, _ := d.Fields.Get("title"); !strings.HasPrefix(title, "space opera") {
					t.Errorf("full text matched %q", title)
				}
			}

			// KNN over the text matches: the nearest film to (0, 1, 0.5)
			// among the sci-fi ones is film 0.
			knn := KNN{Filter: Tag("genre", "sci-fi"), K: 2, Field: "vec", Param: "B", ScoreAs: "dist"}
			res, err = ft.Search(ctx, index, NewQuery(knn.Expr()).
				Param("B", EncodeFloat32([]float32{0, 1, 0.5})).SortBy("dist", Asc).Return("title", "dist").Dialect(2))
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Docs) != 2 {
				t.Fatalf("KNN: %+v", res)
			}
			if title, _ := res.Docs[0].Fields.Get("title"); title != "space opera 0" {
				t.Errorf("KNN nearest is %q", title)
			}

			// A syntax error is the server's *redis.Error.
			_, err = ft.Search(ctx, index, NewQuery(Raw("@year:[1990")))
			var re *redis.Error
			if !errors.As(err, &re) {
				t.Errorf("syntax error: %v", err)
			}

			// FT.PROFILE of the same search.
			prof, err := ft.ProfileSearch(ctx, index, NewQuery(Terms("opera")).NoContent(), ProfileOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if prof.Result.Total != 5 || len(prof.Profile) == 0 {
				t.Errorf("profile: %+v", prof)
			}

			// FT.HYBRID, where the server has it (Redis 8.4+).
			h := NewHybridQuery(HybridText{Query: Terms("opera")},
				HybridVector{Field: "vec", Param: "B", KNN: &VectorKNN{K: 3}}).
				Param("B", EncodeFloat32([]float32{0, 1, 0.5})).Load("title").Limit(0, 3)
			hres, err := ft.Hybrid(ctx, index, h)
			switch {
			case err != nil && strings.Contains(strings.ToLower(err.Error()), "unknown command"):
				t.Logf("no FT.HYBRID on this server: %v", err)
			case err != nil:
				t.Errorf("Hybrid: %v", err)
			case len(hres.Rows) == 0:
				t.Errorf("Hybrid: no rows: %+v", hres)
			}
		})
	}
}

func TestQueryIntegrationAggregateCursor(t *testing.T) {
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			rdb := searchServer(t, proto)
			ft, index := queryFixture(t, ctx, rdb, 9)

			agg, err := ft.Aggregate(ctx, index, NewAggregation(All).Load("genre").
				GroupBy([]string{"genre"}, Count().As("n"), ToList("year").As("years")).SortBy(By("n", Desc)))
			if err != nil {
				t.Fatal(err)
			}
			if len(agg.Rows) != 2 {
				t.Fatalf("groups: %+v", agg)
			}
			if n, _ := agg.Rows[0].Get("n"); n != "5" {
				t.Errorf("largest group has %s rows", n)
			}

			// Every row, two per page.
			a := NewAggregation(All).Load("title").WithCursor(CursorOptions{Count: 2})
			rows := 0
			for r, err := range ft.AggregateCursor(ctx, index, a) {
				if err != nil {
					t.Fatal(err)
				}
				if _, ok := r.Get("title"); !ok {
					t.Errorf("row without title: %v", r)
				}
				rows++
			}
			if rows != 9 {
				t.Errorf("read %d rows through the cursor, want 9", rows)
			}

			// Stopping early deletes the cursor: the index has none left.
			for _, err := range ft.AggregateCursor(ctx, index, a) {
				if err != nil {
					t.Fatal(err)
				}
				break
			}
			info, err := ft.Info(ctx, index)
			if err != nil {
				t.Fatal(err)
			}
			if info.Cursors.IndexTotal != 0 {
				t.Errorf("%d cursors left on the index after an early break", info.Cursors.IndexTotal)
			}
		})
	}
}
