package search

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/respkit/redis"
	"github.com/respkit/redis/internal/captures"
)

// vec3 reads a vector field (FLOAT32, DIM 3) from its binary form.
type vec3 [3]float32

func (v *vec3) UnmarshalBinary(b []byte) error {
	f, err := DecodeFloat32(b)
	if err != nil {
		return err
	}
	if len(f) != 3 {
		return fmt.Errorf("vec3: %d dimensions", len(f))
	}
	copy(v[:], f)
	return nil
}

func (v vec3) MarshalBinary() ([]byte, error) { return EncodeFloat32(v[:]), nil }

// movie is a document of the recorded index idx:movie.
type movie struct {
	Title  string   `redis:"title"`
	Genre  string   `redis:"genre"`
	Year   int      `redis:"year"`
	Rating float64  `redis:"rating"`
	Loc    string   `redis:"loc"`
	Vec    vec3     `redis:"vec"`
	Score  *float64 `redis:"score"` // KNN's distance, when returned
}

// recordedReply decodes the recorded reply of case name under proto with
// the command's own decoder, as the client decodes it off the network.
func recordedReply[T any](t *testing.T, name string, proto int, cmd redis.Command[T]) T {
	t.Helper()
	cases, err := captures.Load("search")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		if c.Name != name {
			continue
		}
		v, err := c.Reply(proto)
		if err != nil {
			t.Fatal(err)
		}
		out, err := cmd.Decode(v, nil)
		if err != nil {
			t.Fatalf("%s (RESP%d): %v", name, proto, err)
		}
		return out
	}
	t.Fatalf("no recorded case %s", name)
	panic("unreachable")
}

func searchCase(t *testing.T, name string) redis.Command[SearchResult] {
	t.Helper()
	for _, tc := range searchCases() {
		if tc.name == name {
			return Search(tc.index, tc.q)
		}
	}
	t.Fatalf("no search case %s", name)
	panic("unreachable")
}

func aggregateCase(t *testing.T, name string) redis.Command[AggregateResult] {
	t.Helper()
	for _, tc := range aggregateCases() {
		if tc.name == name {
			return Aggregate("idx:movie", tc.a)
		}
	}
	t.Fatalf("no aggregate case %s", name)
	panic("unreachable")
}

// TestDocumentScanRecorded scans the documents and rows of recorded
// FT.SEARCH and FT.AGGREGATE replies into structs: the same structs under
// RESP2 and RESP3.
func TestDocumentScanRecorded(t *testing.T) {
	two := 0.00550961494446
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			// Every field, the vector in binary.
			res := recordedReply(t, "ft_search_simple", proto, searchCase(t, "ft_search_simple"))
			want := []movie{
				{Title: "The Matrix", Genre: "action,scifi", Year: 1999, Rating: 8.7, Loc: "-122.41,37.77", Vec: vec3{0.1, 0.2, 0.3}},
				{Title: "The Matrix Reloaded", Genre: "action,scifi", Year: 2003, Rating: 7.2, Loc: "-122.42,37.78", Vec: vec3{0.1, 0.25, 0.3}},
			}
			scanDocs(t, res, want)

			// RETURN of some fields, one of them KNN's score.
			res = recordedReply(t, "ft_search_knn_dialect2", proto, searchCase(t, "ft_search_knn_dialect2"))
			scanDocs(t, res, []movie{{Title: "The Matrix", Score: new(float64)}, {Title: "The Matrix Reloaded", Score: &two}})

			// NOCONTENT: no fields.
			res = recordedReply(t, "ft_search_nocontent", proto, searchCase(t, "ft_search_nocontent"))
			var m movie
			if err := res.Docs[0].Scan(&m); !errors.Is(err, redis.ErrNil) {
				t.Fatalf("Scan of a NOCONTENT document: %v, want ErrNil", err)
			}

			// Aggregation rows.
			agg := recordedReply(t, "ft_aggregate_groupby", proto, aggregateCase(t, "ft_aggregate_groupby"))
			type genreCount struct {
				Genre string `redis:"g"`
				N     int    `redis:"n"`
			}
			var got []genreCount
			for _, row := range agg.Rows {
				var g genreCount
				if err := row.Scan(&g); err != nil {
					t.Fatal(err)
				}
				got = append(got, g)
			}
			if want := []genreCount{{"action", 3}, {"scifi", 2}, {"crime", 1}, {"romance", 1}, {"drama", 1}}; !reflect.DeepEqual(got, want) {
				t.Fatalf("rows %+v, want %+v", got, want)
			}
			agg = recordedReply(t, "ft_aggregate_apply_filter", proto, aggregateCase(t, "ft_aggregate_apply_filter"))
			type yearRating struct {
				Year   uint16  `redis:"year"`
				Rating float32 `redis:"rating"`
				R10    int64   `redis:"r10"`
			}
			var yr yearRating
			if err := agg.Rows[1].Scan(&yr); err != nil || yr != (yearRating{2005, 7.8, 78}) {
				t.Fatalf("row = %+v, %v", yr, err)
			}
			// A value that does not convert names both fields.
			var bad struct {
				Title int `redis:"title"`
			}
			err := recordedReply(t, "ft_search_simple", proto, searchCase(t, "ft_search_simple")).Docs[0].Scan(&bad)
			var fe *redis.StructFieldError
			if !errors.As(err, &fe) || fe.Name != "title" || fe.Field != "Title" || !strings.Contains(err.Error(), `parsing "The Matrix"`) {
				t.Fatalf("Scan of a title into an int: %v", err)
			}
		})
	}
}

func scanDocs(t *testing.T, res SearchResult, want []movie) {
	t.Helper()
	if len(res.Docs) != len(want) {
		t.Fatalf("%d documents, want %d", len(res.Docs), len(want))
	}
	for i, d := range res.Docs {
		var m movie
		if err := d.Scan(&m); err != nil {
			t.Fatalf("%s: %v", d.ID, err)
		}
		if !reflect.DeepEqual(m, want[i]) {
			t.Fatalf("%s scans to %+v, want %+v", d.ID, m, want[i])
		}
	}
}

func TestFieldValuesScan(t *testing.T) {
	type row struct {
		Name  string   `redis:"name"`
		N     int      `redis:"n"`
		Items []string `redis:"-"`
	}
	// Lists are left out; the last of a repeated name wins.
	fs := FieldValues{{Name: "name", Value: "a"}, {Name: "n", List: []string{"1", "2"}}, {Name: "name", Value: "b"}, {Name: "n", Value: "3"}}
	var r row
	if err := fs.Scan(&r); err != nil || r.Name != "b" || r.N != 3 {
		t.Fatalf("Scan = %v, %+v", err, r)
	}
	if err := (FieldValues{{Name: "n", List: []string{}}}).Scan(&r); !errors.Is(err, redis.ErrNil) {
		t.Fatalf("Scan of lists only: %v", err)
	}
	if err := FieldValues(nil).Scan(&r); !errors.Is(err, redis.ErrNil) {
		t.Fatalf("Scan of nothing: %v", err)
	}
	if err := fs.Scan(r); err == nil {
		t.Fatal("Scan into a non-pointer succeeded")
	}
	if err := fs.Scan(nil); err == nil {
		t.Fatal("Scan into nil succeeded")
	}
}
