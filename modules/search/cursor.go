package search

import (
	"cmp"
	"context"
	"errors"
	"iter"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/resp"
)

// CursorPage is one page of an aggregation read through a cursor: the
// reply of FT.AGGREGATE ... WITHCURSOR and of FT.CURSOR READ.
type CursorPage struct {
	AggregateResult
	// Cursor is the id to read the next page with; 0 when the rows are
	// exhausted and the server has dropped the cursor. Ids are random.
	Cursor int64
}

// AggregateWithCursor returns the FT.AGGREGATE command for a, which must
// have WithCursor, returning the first page and the cursor id. Read the
// next pages with CursorRead and drop an unfinished cursor with CursorDel,
// or let Client.AggregateCursor do both.
func AggregateWithCursor(index string, a *Aggregation) redis.Command[CursorPage] {
	err := cmp.Or(checkIndexName(index), a.check())
	if err == nil && !a.cursor {
		err = errors.New("search: AggregateWithCursor of an Aggregation without WithCursor")
	}
	if err != nil {
		return redis.CommandError("FT.AGGREGATE", err, decodeNothing[CursorPage])
	}
	return redis.NewCommand(decodeCursorPage, a.appendArgs([]any{"FT.AGGREGATE", index})...)
}

// AggregateWithCursor runs FT.AGGREGATE ... WITHCURSOR and returns the
// first page; see Client.AggregateCursor for an iterator over all rows.
func (c *Client) AggregateWithCursor(ctx context.Context, index string, a *Aggregation) (CursorPage, error) {
	return run(ctx, c, AggregateWithCursor(index, a))
}

// CursorRead returns the FT.CURSOR READ command: the next page of cursor
// on index; count above 0 overrides the page size given to WithCursor.
func CursorRead(index string, cursor int64, count int) redis.Command[CursorPage] {
	if err := checkIndexName(index); err != nil {
		return redis.CommandError("FT.CURSOR", err, decodeNothing[CursorPage])
	}
	args := []any{"FT.CURSOR", "READ", index, cursor}
	if count > 0 {
		args = append(args, "COUNT", count)
	}
	return redis.NewCommand(decodeCursorPage, args...)
}

// CursorRead runs FT.CURSOR READ and returns the next page of cursor.
func (c *Client) CursorRead(ctx context.Context, index string, cursor int64, count int) (CursorPage, error) {
	return run(ctx, c, CursorRead(index, cursor, count))
}

// CursorDel returns the FT.CURSOR DEL command, which drops cursor before
// it is exhausted.
func CursorDel(index string, cursor int64) redis.Command[struct{}] {
	if err := checkIndexName(index); err != nil {
		return redis.CommandError("FT.CURSOR", err, decodeNothing[struct{}])
	}
	return redis.NewCommand(decodeCursorDel, "FT.CURSOR", "DEL", index, cursor)
}

// CursorDel runs FT.CURSOR DEL: the server forgets cursor. A cursor that
// is exhausted (or idle past its MAXIDLE) is already gone, and deleting it
// is an error.
func (c *Client) CursorDel(ctx context.Context, index string, cursor int64) error {
	_, err := run(ctx, c, CursorDel(index, cursor))
	return err
}

func decodeCursorDel(v resp.Value, err error) (struct{}, error) {
	if err := redis.ResultOf(v, err).Err(); err != nil {
		return struct{}{}, err
	}
	return struct{}{}, nil
}

// decodeCursorPage reads [rows, cursor id], where rows is shaped as an
// FT.AGGREGATE reply under the same protocol.
func decodeCursorPage(v resp.Value, err error) (CursorPage, error) {
	if err := redis.ResultOf(v, err).Err(); err != nil {
		return CursorPage{}, err
	}
	es := v.Elems()
	if v.Type() != resp.Array || len(es) != 2 {
		return CursorPage{}, resultShapeError("FT.AGGREGATE WITHCURSOR", "a %s of %d elements, not [rows, cursor]", v.Type(), len(es))
	}
	rows, err := decodeAggregateValue("FT.AGGREGATE WITHCURSOR", es[0])
	if err != nil {
		return CursorPage{}, err
	}
	id, err := resultInt("FT.AGGREGATE WITHCURSOR", "the cursor id", es[1])
	if err != nil {
		return CursorPage{}, err
	}
	return CursorPage{AggregateResult: rows, Cursor: id}, nil
}

// cursorDelTimeout bounds the FT.CURSOR DEL sent when a loop over
// AggregateCursor stops early, which runs even if the loop's context has
// ended.
const cursorDelTimeout = 5 * time.Second

// cursorRows is the logic of Client.AggregateCursor, apart from the
// network: it yields the rows of first and of each page that read
// returns for the last cursor id, until the id is 0. When the loop stops
// before that (break, or an error while reading), it calls del with the
// live id, so the server does not keep the cursor until MAXIDLE. An error
// from first or read is yielded once, with a nil row, and ends the
// iteration.
func cursorRows(first func() (CursorPage, error), read func(cursor int64) (CursorPage, error), del func(cursor int64)) iter.Seq2[FieldValues, error] {
	return func(yield func(FieldValues, error) bool) {
		page, err := first()
		for {
			if err != nil {
				yield(nil, err)
				return
			}
			for _, row := range page.Rows {
				if !yield(row, nil) {
					if page.Cursor != 0 {
						del(page.Cursor)
					}
					return
				}
			}
			if page.Cursor == 0 {
				return
			}
			id := page.Cursor
			page, err = read(id)
			if err != nil && !isServerError(err) {
				// the cursor may live on: a timeout or a lost connection
				del(id)
			}
		}
	}
}

// isServerError reports whether err is the server's answer (the cursor is
// then gone, or never was), not a failure to get one.
func isServerError(err error) bool {
	var re *redis.Error
	return errors.As(err, &re)
}

// AggregateCursor runs a (which must have WithCursor) and iterates over
// all its rows, reading page after page with FT.CURSOR READ until the
// server reports the cursor exhausted:
//
//	a := search.NewAggregation(search.All).Load("title").WithCursor(search.CursorOptions{Count: 500})
//	for row, err := range ft.AggregateCursor(ctx, "idx", a) {
//		if err != nil {
//			return err
//		}
//		title, _ := row.Get("title")
//	}
//
// When the loop stops early (break, return, or an error reading a page)
// the cursor is deleted with FT.CURSOR DEL, under a context detached from
// ctx's cancellation and bounded by 5 s, so that it does not hold server
// memory until MAXIDLE. An error is yielded once and ends the iteration.
func (c *Client) AggregateCursor(ctx context.Context, index string, a *Aggregation) iter.Seq2[FieldValues, error] {
	return cursorRows(
		func() (CursorPage, error) { return c.AggregateWithCursor(ctx, index, a) },
		func(id int64) (CursorPage, error) { return c.CursorRead(ctx, index, id, 0) },
		func(id int64) {
			dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cursorDelTimeout)
			defer cancel()
			_ = c.CursorDel(dctx, index, id) // best effort: the cursor also expires after MAXIDLE
		},
	)
}
