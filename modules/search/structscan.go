package search

import "github.com/respkit/redis"

// Scan reads the fields into the struct dst points to, by the rules of
// redis.ScanStruct (`redis:"name"` tags; strings, numbers, bools, times,
// durations, marshalers and pointers to them): a row of Aggregate, or a
// document's fields. Numbers arrive in decimal, as the server writes
// them. When a name repeats, its last value wins; values that are lists
// (List non-nil: split(), the TOLIST reducer) are left out, as Map leaves
// them out. It returns redis.ErrNil, leaving dst alone, when there is no
// field to read (nil FieldValues, or lists only), and a
// *redis.StructFieldError naming the field when a value does not convert.
//
//	res, err := ft.Aggregate(ctx, "idx:movie", agg)
//	for _, row := range res.Rows {
//		var g struct {
//			Genre string `redis:"g"`
//			Count int    `redis:"n"`
//		}
//		if err := row.Scan(&g); err != nil { ... }
//	}
func (fs FieldValues) Scan(dst any) error {
	return redis.ScanStructSeq(dst, func(yield func(string, string) bool) {
		for _, f := range fs {
			if f.List == nil && !yield(f.Name, f.Value) {
				return
			}
		}
	})
}

// Scan reads the document's fields into the struct dst points to, as
// FieldValues.Scan does. The document's ID, score and payload are not
// fields: they stay in the Document. A document without fields
// (Query.NoContent) gives redis.ErrNil. For a JSON document without
// RETURN, whose one field "$" is the document as JSON text, decode JSON()
// with encoding/json instead.
//
//	res, err := ft.Search(ctx, "idx:movie", search.NewQuery(search.Terms("matrix")))
//	for _, d := range res.Docs {
//		var m Movie // Title string `redis:"title"`; Year int `redis:"year"`; ...
//		if err := d.Scan(&m); err != nil { ... }
//	}
func (d Document) Scan(dst any) error { return d.Fields.Scan(dst) }
