package resp

import (
	"bytes"
	"math"
	"runtime"
	"strings"
	"testing"
)

func TestEncoder(t *testing.T) {
	var e Encoder
	e.Begin()
	e.String("SET")
	e.Blob([]byte("k"))
	e.Int(-42)
	e.End()
	want1 := "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\n-42\r\n"
	if got := string(e.Bytes()); got != want1 {
		t.Fatalf("first command %q, want %q", got, want1)
	}
	e.Begin()
	e.Uint(7)
	e.Float(1.5)
	e.Float(math.Inf(1))
	e.Float(math.Inf(-1))
	e.Bool(true)
	e.Bool(false)
	for range 9 {
		e.String("")
	}
	e.End()
	want2 := "*15\r\n$1\r\n7\r\n$3\r\n1.5\r\n$4\r\n+inf\r\n$4\r\n-inf\r\n$1\r\n1\r\n$1\r\n0\r\n" + strings.Repeat("$0\r\n\r\n", 9)
	if got := string(e.Bytes()); got != want1+want2 {
		t.Fatalf("two commands %q, want %q", got, want1+want2)
	}
	e.Reset()
	if e.Len() != 0 || e.Bytes() != nil {
		t.Fatal("Reset left data")
	}
}

func TestEncoderArg(t *testing.T) {
	var e Encoder
	e.Begin()
	for _, a := range []any{"s", []byte("b"), 1, int8(2), int16(3), int32(4), int64(5), uint(6), uint8(7), uint16(8), uint32(9), uint64(10), float32(0.5), 0.25, true, binaryID(9)} {
		if err := e.Arg(a); err != nil {
			t.Fatalf("Arg(%T): %v", a, err)
		}
	}
	for _, bad := range []any{nil, struct{}{}, []string{"x"}, map[string]int{}} {
		if err := e.Arg(bad); err == nil {
			t.Errorf("Arg(%T) accepted", bad)
		}
	}
	e.End()
	r := NewReader(strings.NewReader(string(e.Bytes())), Limits{})
	v, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"s", "b", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "0.5", "0.25", "1", "id-9"}
	if v.Len() != len(want) {
		t.Fatalf("got %d args, want %d", v.Len(), len(want))
	}
	for i, w := range want {
		if v.Elems()[i].String() != w {
			t.Errorf("arg %d = %q, want %q", i, v.Elems()[i].String(), w)
		}
	}
}

func TestAppendCommand(t *testing.T) {
	b, err := AppendCommand(nil, "GET", "key")
	if err != nil || string(b) != "*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n" {
		t.Fatalf("%q %v", b, err)
	}
	b, err = AppendCommand(b, "PING")
	if err != nil || string(b) != "*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n*1\r\n$4\r\nPING\r\n" {
		t.Fatalf("%q %v", b, err)
	}
	if _, err := AppendCommand(nil, "SET", struct{}{}); err == nil {
		t.Fatal("bad argument accepted")
	}
}

func TestEncoderAllocations(t *testing.T) {
	var e Encoder
	val := []byte("0123456789abcdef")
	allocs := testing.AllocsPerRun(1000, func() {
		e.Reset()
		e.Begin()
		e.String("SET")
		e.String("key:1")
		e.Blob(val)
		e.Int(12345)
		e.Float(1.25)
		e.End()
	})
	if allocs != 0 {
		t.Errorf("encoding allocates %.1f times, want 0", allocs)
	}
}

type binaryID int

func (b binaryID) MarshalBinary() ([]byte, error) { return []byte("id-" + string(rune('0'+b))), nil }

func TestBigClass(t *testing.T) {
	prev := 0
	for n := 1; n <= maxBig; n = n*5/4 + 1 {
		class, size, ok := bigClass(n)
		if !ok || size < n || (n > minBig && size > n*3/2+1) {
			t.Fatalf("bigClass(%d) = %d, %d, %v", n, class, size, ok)
		}
		if c2, s2, _ := bigClass(size); c2 != class || s2 != size {
			t.Fatalf("bigClass(%d) = %d, %d, but bigClass(%d) = %d, %d", n, class, size, size, c2, s2)
		}
		if class < prev || class >= bigClasses {
			t.Fatalf("bigClass(%d) = class %d after %d", n, class, prev)
		}
		prev = class
	}
	if _, _, ok := bigClass(maxBig + 1); ok {
		t.Fatal("a buffer past maxBig is pooled")
	}
}

// Encoding a large argument again and again reuses a pooled buffer rather
// than allocating one per command.
func TestEncoderBigArgReuse(t *testing.T) {
	val := bytes.Repeat([]byte("v"), 1<<20)
	var e Encoder
	encode := func() {
		e.Begin()
		e.String("SET")
		e.String("k")
		e.Blob(val)
		e.End()
		if got := e.Bytes(); len(got) != 1<<20+32 || !bytes.Equal(got[len(got)-2-1<<20:len(got)-2], val) {
			t.Fatalf("encoding of %d bytes", len(got))
		}
		e.Release(64 << 10)
	}
	encode()
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop buffers at random: the reuse cannot be counted (the encoding was checked)")
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	const runs = 20
	for range runs {
		encode()
	}
	runtime.ReadMemStats(&after)
	// A GC may empty the pool once in a while: allow one fresh buffer.
	if per := (after.TotalAlloc - before.TotalAlloc) / runs; per > 2<<20/runs+1024 {
		t.Errorf("%d bytes allocated per 1 MiB SET encoding, want (almost) none", per)
	}
}
