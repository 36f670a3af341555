package redis

import (
	"context"
	"fmt"
	"iter"
	"strconv"

	"github.com/respkit/redis/resp"
)

// CursorPage is one page of a cursor-based iteration (SCAN, SSCAN, HSCAN,
// ZSCAN): the page's items and the cursor that fetches the next page. It is
// the result of ScanPage, SScanPage, HScanPage, HScanFieldsPage and
// ZScanPage.
type CursorPage[T any] struct {
	// Items are the page's elements. A page may be empty while the
	// iteration goes on, and an element may appear on more than one page.
	Items []T
	// Cursor is the cursor to send for the next page; 0 means the
	// iteration is complete.
	Cursor uint64
}

// asCursorPage reads a reply of the SCAN family, decoding the page's
// elements with items.
func asCursorPage[T any](v resp.Value, err error, items func([]resp.Value) ([]T, error)) (CursorPage[T], error) {
	next, elems, err := scanReply(v, err)
	if err != nil {
		return CursorPage[T]{}, err
	}
	out, err := items(elems)
	if err != nil {
		return CursorPage[T]{}, fmt.Errorf("redis: scan page: %w", err)
	}
	return CursorPage[T]{Items: out, Cursor: next}, nil
}

// asStringPage reads a page of strings: keys (SCAN), members (SSCAN) or
// field names (HSCAN ... NOVALUES).
func asStringPage(v resp.Value, err error) (CursorPage[string], error) {
	return asCursorPage(v, err, func(elems []resp.Value) ([]string, error) {
		out := make([]string, len(elems))
		for i, e := range elems {
			s, err := asString(e, nil)
			if err != nil {
				return nil, fmt.Errorf("element %d: %w", i, err)
			}
			out[i] = s
		}
		return out, nil
	})
}

// scanReply splits a reply of the SCAN family into the next cursor and the
// page's elements.
func scanReply(v resp.Value, err error) (uint64, []resp.Value, error) {
	elems, err := asSlice(v, err)
	if err != nil {
		return 0, nil, err
	}
	if len(elems) != 2 {
		return 0, nil, fmt.Errorf("redis: scan reply has %d elements, want 2 (cursor and page)", len(elems))
	}
	cursor, err := strconv.ParseUint(elems[0].String(), 10, 64)
	if err != nil {
		return 0, nil, fmt.Errorf("redis: scan cursor %q is not an unsigned integer", elems[0].String())
	}
	page, err := asSlice(elems[1], nil)
	if err != nil {
		return 0, nil, fmt.Errorf("redis: scan page: %w", err)
	}
	return cursor, page, nil
}

// scanAll iterates a cursor-based command from cursor 0 until the server
// returns cursor 0 again, yielding each element of each page. On an error
// it yields the zero T with the error, once, and stops. Breaking out of the
// loop stops fetching pages.
func scanAll[T any](ctx context.Context, page func(ctx context.Context, cursor uint64) ([]T, uint64, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var cursor uint64
		for {
			items, next, err := page(ctx, cursor)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			if next == 0 {
				return
			}
			cursor = next
		}
	}
}
