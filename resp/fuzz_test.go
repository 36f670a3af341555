package resp

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzReader feeds arbitrary bytes to the reader. It must never panic;
// whatever it accepts must survive a round trip through AppendValue, and
// Skip must consume exactly what Read consumes.
func FuzzReader(f *testing.F) {
	seeds := []string{
		"+OK\r\n", "-ERR x\r\n", ":-12\r\n", "$3\r\nabc\r\n", "$-1\r\n", "*-1\r\n", "*2\r\n:1\r\n+a\r\n",
		"_\r\n", "#t\r\n", ",1.5\r\n", ",inf\r\n", ",-inf\r\n", ",nan\r\n", "(123456789012345678901234567890\r\n",
		"!5\r\nERR x\r\n", "=7\r\ntxt:abc\r\n", "%1\r\n+k\r\n:1\r\n", "~1\r\n+m\r\n", ">2\r\n+message\r\n+x\r\n",
		"|1\r\n+a\r\n:1\r\n:2\r\n", "$?\r\n;2\r\nab\r\n;0\r\n", "*?\r\n:1\r\n.\r\n", "%?\r\n+a\r\n:1\r\n.\r\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	lim := Limits{MaxBulkLen: 1 << 16, MaxAggregateLen: 1 << 10, MaxDepth: 16, MaxLineLen: 1 << 12}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewReaderSize(bytes.NewReader(data), 64, lim)
		v, err := r.Read()
		s := NewReaderSize(bytes.NewReader(data), 64, lim)
		serr := s.Skip()
		if (err == nil) != (serr == nil) {
			t.Fatalf("Read error %v but Skip error %v", err, serr)
		}
		if err != nil {
			if !errors.Is(err, ErrProtocol) && !errors.Is(err, ErrLimit) && err.Error() != "EOF" && err.Error() != "unexpected EOF" {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		if r.Buffered() != s.Buffered() {
			t.Fatalf("Read left %d bytes, Skip left %d", r.Buffered(), s.Buffered())
		}
		enc := AppendValue(nil, v, 3)
		v2, err := NewReader(bytes.NewReader(enc), lim).Read()
		if err != nil {
			t.Fatalf("re-reading %q: %v", enc, err)
		}
		if v.GoString() != v2.GoString() {
			t.Fatalf("round trip changed %#v into %#v", v, v2)
		}
	})
}
