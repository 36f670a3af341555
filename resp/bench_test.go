package resp

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

// loopReader serves the same bytes forever.
type loopReader struct {
	data []byte
	off  int
}

func (l *loopReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		c := copy(p[n:], l.data[l.off:])
		n += c
		l.off = (l.off + c) % len(l.data)
	}
	return n, nil
}

func benchRead(b *testing.B, reply string) {
	r := NewReader(&loopReader{data: []byte(reply)}, Limits{})
	b.SetBytes(int64(len(reply)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Read(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadSimpleOK(b *testing.B) { benchRead(b, "+OK\r\n") }
func BenchmarkReadInteger(b *testing.B)  { benchRead(b, ":1234567\r\n") }
func BenchmarkReadBulk16(b *testing.B)   { benchRead(b, "$16\r\n0123456789abcdef\r\n") }
func BenchmarkReadBulk256K(b *testing.B) {
	benchRead(b, "$262144\r\n"+strings.Repeat("x", 262144)+"\r\n")
}
func BenchmarkReadArray10(b *testing.B) {
	benchRead(b, "*10\r\n"+strings.Repeat("$5\r\nhello\r\n", 10))
}
func BenchmarkReadMapRESP3(b *testing.B) { benchRead(b, "%2\r\n+a\r\n:1\r\n+b\r\n,1.5\r\n") }
func BenchmarkSkipBulk256K(b *testing.B) {
	reply := "$262144\r\n" + strings.Repeat("x", 262144) + "\r\n"
	r := NewReader(&loopReader{data: []byte(reply)}, Limits{})
	b.SetBytes(int64(len(reply)))
	b.ReportAllocs()
	for b.Loop() {
		if err := r.Skip(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeGet(b *testing.B) {
	var e Encoder
	b.ReportAllocs()
	for b.Loop() {
		e.Reset()
		e.Begin()
		e.String("GET")
		e.String("key:000001")
		e.End()
	}
}

func BenchmarkEncodeSet16(b *testing.B) {
	var e Encoder
	val := bytes.Repeat([]byte("v"), 16)
	b.ReportAllocs()
	for b.Loop() {
		e.Reset()
		e.Begin()
		e.String("SET")
		e.String("key:000001")
		e.Blob(val)
		e.End()
	}
}

func BenchmarkEncodeArgAny(b *testing.B) {
	var e Encoder
	args := []any{"SET", "key:000001", 12345, 1.5, true}
	b.ReportAllocs()
	for b.Loop() {
		e.Reset()
		e.Begin()
		for _, a := range args {
			if err := e.Arg(a); err != nil {
				b.Fatal(err)
			}
		}
		e.End()
	}
}

var _ io.Reader = (*loopReader)(nil)

func benchSkip(b *testing.B, reply string) {
	r := NewReader(&loopReader{data: []byte(reply)}, Limits{})
	b.SetBytes(int64(len(reply)))
	b.ReportAllocs()
	for b.Loop() {
		if err := r.Skip(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadArray1000(b *testing.B) {
	benchRead(b, "*1000\r\n"+strings.Repeat("$5\r\nhello\r\n", 1000))
}
func BenchmarkReadBulk1M(b *testing.B) {
	benchRead(b, "$1048576\r\n"+strings.Repeat("x", 1<<20)+"\r\n")
}
func BenchmarkReadBulk20K(b *testing.B) {
	benchRead(b, "$20000\r\n"+strings.Repeat("x", 20000)+"\r\n")
}
func BenchmarkSkipArray10(b *testing.B) {
	benchSkip(b, "*10\r\n"+strings.Repeat("$5\r\nhello\r\n", 10))
}
func BenchmarkSkipMixed(b *testing.B) {
	benchSkip(b, "%3\r\n+a\r\n:1\r\n+b\r\n*2\r\n,1.5\r\n#t\r\n+c\r\n=9\r\ntxt:hello\r\n")
}
