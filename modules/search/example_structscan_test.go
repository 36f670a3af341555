package search_test

import (
	"fmt"

	"github.com/respkit/redis/modules/search"
)

// A document of FT.SEARCH, as Search returns it, read into a struct.
func ExampleDocument_Scan() {
	type Movie struct {
		Title  string  `redis:"title"`
		Year   int     `redis:"year"`
		Rating float64 `redis:"rating"`
	}
	d := search.Document{ID: "movie:1", Fields: search.FieldValues{
		{Name: "title", Value: "The Matrix"},
		{Name: "year", Value: "1999"},
		{Name: "rating", Value: "8.7"},
	}}
	var m Movie
	if err := d.Scan(&m); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s: %+v\n", d.ID, m)
	// Output: movie:1: {Title:The Matrix Year:1999 Rating:8.7}
}
