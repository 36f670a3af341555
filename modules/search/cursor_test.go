package search

import (
	"errors"
	"reflect"
	"testing"

	"github.com/respkit/redis"
)

// recordedFirstPage decodes the recorded FT.AGGREGATE ... WITHCURSOR reply
// under proto: two rows and a live cursor.
func recordedFirstPage(t *testing.T, proto int) CursorPage {
	t.Helper()
	c := queryCase(t, queryCases(t), "ft_aggregate_withcursor")
	v, err := c.Reply(proto)
	if err != nil {
		t.Fatal(err)
	}
	p, err := decodeCursorPage(v, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.Cursor == 0 || len(p.Rows) != 2 {
		t.Fatalf("recorded page: %#v", p)
	}
	return p
}

// cursorLog records what the iteration logic asked of the network.
type cursorLog struct {
	reads, dels []int64
}

func (l *cursorLog) funcs(first CursorPage, firstErr error, pages map[int64]CursorPage, readErr error) (func() (CursorPage, error), func(int64) (CursorPage, error), func(int64)) {
	return func() (CursorPage, error) { return first, firstErr },
		func(id int64) (CursorPage, error) {
			l.reads = append(l.reads, id)
			if readErr != nil {
				return CursorPage{}, readErr
			}
			return pages[id], nil
		},
		func(id int64) { l.dels = append(l.dels, id) }
}

func TestCursorRowsBreakDeletes(t *testing.T) {
	for _, proto := range []int{2, 3} {
		first := recordedFirstPage(t, proto)
		var log cursorLog
		n := 0
		for r, err := range cursorRows(log.funcs(first, nil, nil, nil)) {
			if err != nil {
				t.Fatal(err)
			}
			if v, _ := r.Get("title"); v != "The Matrix" {
				t.Errorf("RESP%d: first row %v", proto, r)
			}
			n++
			break
		}
		if n != 1 || len(log.reads) != 0 || !reflect.DeepEqual(log.dels, []int64{first.Cursor}) {
			t.Errorf("RESP%d: rows %d, reads %v, dels %v; want 1 row, no read, DEL of %d", proto, n, log.reads, log.dels, first.Cursor)
		}
		// The DEL the loop sends is the recorded command's shape.
		del := CursorDel("idx:movie", first.Cursor)
		want := []byte("*4\r\n$9\r\nFT.CURSOR\r\n$3\r\nDEL\r\n$9\r\nidx:movie\r\n")
		if got := del.Bytes(); len(got) < len(want) || string(got[:len(want)]) != string(want) {
			t.Errorf("CursorDel encodes %q", got)
		}
	}
}

func TestCursorRowsReadsToTheEnd(t *testing.T) {
	first := recordedFirstPage(t, 3)
	last := CursorPage{AggregateResult: AggregateResult{Rows: []FieldValues{row("title", "Heat"), row("title", "Pride and Prejudice")}}}
	var log cursorLog
	var titles []string
	for r, err := range cursorRows(log.funcs(first, nil, map[int64]CursorPage{first.Cursor: last}, nil)) {
		if err != nil {
			t.Fatal(err)
		}
		v, _ := r.Get("title")
		titles = append(titles, v)
	}
	want := []string{"The Matrix", "The Matrix Reloaded", "Heat", "Pride and Prejudice"}
	if !reflect.DeepEqual(titles, want) || !reflect.DeepEqual(log.reads, []int64{first.Cursor}) || log.dels != nil {
		t.Errorf("titles %v reads %v dels %v", titles, log.reads, log.dels)
	}

	// Breaking on the last row of the last page deletes nothing: the
	// server already dropped the exhausted cursor.
	log = cursorLog{}
	for r := range cursorRows(log.funcs(first, nil, map[int64]CursorPage{first.Cursor: last}, nil)) {
		if v, _ := r.Get("title"); v == "Pride and Prejudice" {
			break
		}
	}
	if log.dels != nil {
		t.Errorf("DEL after the last page: %v", log.dels)
	}
}

func TestCursorRowsErrors(t *testing.T) {
	first := recordedFirstPage(t, 2)

	// The first command fails: one error, nothing else.
	var log cursorLog
	var errs []error
	for _, err := range cursorRows(log.funcs(CursorPage{}, errors.New("boom"), nil, nil)) {
		errs = append(errs, err)
	}
	if len(errs) != 1 || log.reads != nil || log.dels != nil {
		t.Errorf("first failed: errs %v reads %v dels %v", errs, log.reads, log.dels)
	}

	// A read fails without a server answer (timeout, connection): the
	// cursor may live on and is deleted.
	log = cursorLog{}
	errs = nil
	for _, err := range cursorRows(log.funcs(first, nil, nil, errors.New("i/o timeout"))) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) != 1 || !reflect.DeepEqual(log.dels, []int64{first.Cursor}) {
		t.Errorf("read failed: errs %v dels %v", errs, log.dels)
	}

	// The server answers the read with an error (cursor not found): it
	// is gone, nothing to delete.
	log = cursorLog{}
	errs = nil
	for _, err := range cursorRows(log.funcs(first, nil, nil, &redis.Error{Msg: "Cursor not found, id: 1"})) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) != 1 || log.dels != nil {
		t.Errorf("server error: errs %v dels %v", errs, log.dels)
	}
}

func TestCursorReadEncodes(t *testing.T) {
	got := CursorRead("idx", 42, 10).Bytes()
	want := "*6\r\n$9\r\nFT.CURSOR\r\n$4\r\nREAD\r\n$3\r\nidx\r\n$2\r\n42\r\n$5\r\nCOUNT\r\n$2\r\n10\r\n"
	if string(got) != want {
		t.Errorf("got %q", got)
	}
	if got := CursorRead("idx", 42, 0).Bytes(); string(got) != "*4\r\n$9\r\nFT.CURSOR\r\n$4\r\nREAD\r\n$3\r\nidx\r\n$2\r\n42\r\n" {
		t.Errorf("got %q", got)
	}
}
