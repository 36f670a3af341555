package resp

import (
	"errors"
	"io"
	"math"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// readBoth reads in from a fresh reader with Read and again with Skip, and
// returns both errors. A panic fails the test with the input named.
func readBoth(t *testing.T, in string, lim Limits) (rerr, serr error) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("%.60q panicked: %v", in, p)
		}
	}()
	_, rerr = NewReaderSize(strings.NewReader(in), 64, lim).Read()
	serr = NewReaderSize(strings.NewReader(in), 64, lim).Skip()
	return rerr, serr
}

// Fault 1 of issue 10: a second streamed chunk of MaxInt64 bytes made
// len(out)+n wrap negative, and bulk's n+2 wrap too, so an index panicked.
func TestStreamedChunkOverflow(t *testing.T) {
	in := "$?\r\n;1\r\na\r\n;9223372036854775807\r\n"
	rerr, serr := readBoth(t, in, Limits{})
	if !errors.Is(rerr, ErrLimit) || !errors.Is(serr, ErrLimit) {
		t.Fatalf("Read: %v, Skip: %v; want ErrLimit", rerr, serr)
	}
}

// Every length a hostile server can send, under the default limits and
// under limits raised to the largest values a caller can set: an error,
// never a panic and never a value.
func TestHostileLengths(t *testing.T) {
	const max = "9223372036854775807"
	frames := []string{
		"$?\r\n;1\r\na\r\n;" + max + "\r\n",
		"$?\r\n;" + max + "\r\n",
		"$?\r\n;" + max + "\r\na",
		"$?\r\n;-1\r\n",
		"$?\r\n;9223372036854775808\r\n",
		"$?\r\n;?\r\n",
		"$" + max + "\r\nabc",
		"$9223372036854775806\r\n",
		"$-9223372036854775808\r\n",
		"=" + max + "\r\ntxt:",
		"=3\r\ntxt\r\n",
		"!" + max + "\r\n",
		"*" + max + "\r\n:1\r\n",
		"%" + max + "\r\n:1\r\n",
		"%4611686018427387904\r\n:1\r\n",
		"%4611686018427387905\r\n:1\r\n",
		"|" + max + "\r\n:1\r\n",
		"|4611686018427387904\r\n:1\r\n:2\r\n",
		"~" + max + "\r\n",
		">" + max + "\r\n",
		"%?\r\n:1\r\n.\r\n",
		"*?\r\n:1\r\n",
		"*-2\r\n",
		"=?\r\n;1\r\na\r\n;0\r\n",
		"(\r\n", "(-\r\n", ",\r\n", ",-\r\n", ",nan2\r\n", ",infinityx\r\n",
		// Deeper than MaxDepth can be raised.
		strings.Repeat("*1\r\n", maxMaxDepth+2) + ":1\r\n",
		strings.Repeat("*?\r\n", maxMaxDepth+2) + ":1\r\n",
		strings.Repeat("|1\r\n:1\r\n:1\r\n", maxMaxDepth+2) + ":1\r\n",
	}
	limits := []Limits{
		{},
		{MaxBulkLen: math.MaxInt64, MaxAggregateLen: math.MaxInt64, MaxDepth: math.MaxInt, MaxLineLen: math.MaxInt},
		{MaxBulkLen: math.MaxInt64 - 1, MaxAggregateLen: math.MaxInt64/2 + 1},
	}
	for _, lim := range limits {
		for _, in := range frames {
			rerr, serr := readBoth(t, in, lim)
			if rerr == nil || serr == nil {
				t.Errorf("%.60q under %+v: Read %v, Skip %v; want errors", in, lim, rerr, serr)
			}
		}
	}
}

func TestDoubleSpellings(t *testing.T) {
	nan := []string{"nan", "NaN", "NAN", "-nan", "+nan", "-NaN", "+NAN", "nAn"}
	for _, s := range nan {
		if v := read(t, ","+s+"\r\n"); v.Type() != Double || !math.IsNaN(v.Float()) {
			t.Errorf("%q read as %#v, want NaN", s, v)
		}
	}
	inf := map[string]float64{
		"inf": 1, "+inf": 1, "-inf": -1, "INF": 1, "-Inf": -1, "infinity": 1, "-Infinity": -1, "+INFINITY": 1,
	}
	for s, sign := range inf {
		if v := read(t, ","+s+"\r\n"); v.Type() != Double || !math.IsInf(v.Float(), int(sign)) {
			t.Errorf("%q read as %#v, want %vInf", s, v, sign)
		}
	}
	for _, s := range []string{"na", "nann", "-", "+", "in", "infinit", "--inf", "+-nan", "nan ", " nan", "1e", "0x"} {
		r := NewReader(strings.NewReader(","+s+"\r\n"), Limits{})
		if v, err := r.Read(); !errors.Is(err, ErrProtocol) {
			t.Errorf("%q read as %#v, %v; want ErrProtocol", s, v, err)
		}
	}
}

// stalled serves data, then reports a timeout forever, like a server that
// declared a length and went silent.
type stalled struct{ data *strings.Reader }

func (s *stalled) Read(p []byte) (int, error) {
	if s.data.Len() > 0 {
		return s.data.Read(p)
	}
	return 0, timeoutErr{}
}

// allocatedBy returns the bytes f allocated, the lowest of three runs (the
// runtime and the testing package allocate now and then on their own).
func allocatedBy(f func()) uint64 {
	best := uint64(math.MaxUint64)
	for range 3 {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		f()
		runtime.ReadMemStats(&after)
		best = min(best, after.TotalAlloc-before.TotalAlloc)
	}
	return best
}

// A declared length costs memory only as its data arrives: a header and
// then silence allocates at most 64 KiB (the reader's 16 KiB buffer
// included), however large the declaration and however deep the nesting.
// Bytes that did arrive may cost what their values would: 88 bytes per
// Value, at least 3 bytes on the wire each.
func TestDeclaredLengthThenSilence(t *testing.T) {
	frames := map[string]string{
		"bulk":           "$500000000\r\n",
		"bulk+data":      "$500000000\r\nabcdef",
		"verbatim":       "=536870912\r\ntxt:",
		"bulk error":     "!536870912\r\nERR ",
		"array":          "*268435456\r\n",
		"map":            "%268435456\r\n",
		"attribute":      "|268435456\r\n",
		"nested arrays":  strings.Repeat("*268435456\r\n", 120),
		"nested maps":    strings.Repeat("%268435456\r\n+k\r\n", 120),
		"array of bulks": "*268435456\r\n$536870912\r\n",
		"streamed chunk": "$?\r\n;536870912\r\n",
		"streamed array": "*?\r\n" + strings.Repeat("*100000000\r\n", 100),
	}
	for _, lim := range []Limits{{}, {MaxBulkLen: math.MaxInt64, MaxAggregateLen: math.MaxInt64}} {
		for name, in := range frames {
			budget := uint64(64<<10 + 30*len(in))
			var err error
			n := allocatedBy(func() {
				r := NewReader(&stalled{data: strings.NewReader(in)}, lim)
				_, err = r.Read()
			})
			if !errors.Is(err, timeoutErr{}) {
				t.Errorf("%s: Read error %v, want the timeout", name, err)
			}
			if n > budget {
				t.Errorf("%s (limits %+v): %d bytes allocated before the data arrived, want at most %d", name, lim, n, budget)
			}
			t.Logf("%s (%d bytes received): %d bytes allocated", name, len(in), n)
			n = allocatedBy(func() {
				r := NewReader(&stalled{data: strings.NewReader(in)}, lim)
				err = r.Skip()
			})
			if n > budget {
				t.Errorf("%s: Skip allocated %d bytes, want at most %d", name, n, budget)
			}
		}
	}
}

// A value larger than the reader's buffer still reads back exactly, in
// every size class the growing allocation goes through.
func TestLargeBulkGrows(t *testing.T) {
	for _, n := range []int{1, 64, 16<<10 - 1, 16 << 10, 16<<10 + 1, 100_000, 1 << 20, 3<<20 + 7} {
		payload := strings.Repeat("x", n-1) + "y"
		in := "$" + itoa(n) + "\r\n" + payload + "\r\n"
		for _, src := range []io.Reader{strings.NewReader(in), &chunky{s: in, n: 1000}} {
			v, err := NewReader(src, Limits{}).Read()
			if err != nil || v.String() != payload || cap(v.Bytes()) != n {
				t.Fatalf("bulk of %d bytes: err %v, len %d cap %d", n, err, v.Len(), cap(v.Bytes()))
			}
		}
		in = "$?\r\n;" + itoa(n) + "\r\n" + payload + "\r\n;1\r\nz\r\n;0\r\n"
		v, err := NewReader(&chunky{s: in, n: 777}, Limits{}).Read()
		if err != nil || v.String() != payload+"z" {
			t.Fatalf("streamed bulk of %d bytes: err %v, len %d", n, err, v.Len())
		}
	}
}

// chunky serves s at most n bytes per Read.
type chunky struct {
	s string
	n int
}

func (c *chunky) Read(p []byte) (int, error) {
	if c.s == "" {
		return 0, io.EOF
	}
	k := copy(p[:min(len(p), c.n)], c.s)
	c.s = c.s[k:]
	return k, nil
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestParseFloat(t *testing.T) {
	for _, s := range []string{"-nan", "nan", "NaN", "+nan"} {
		if f, ok := ParseFloat(s); !ok || !math.IsNaN(f) {
			t.Errorf("ParseFloat(%q) = %v, %v", s, f, ok)
		}
	}
	if f, ok := ParseFloat("-inf"); !ok || !math.IsInf(f, -1) {
		t.Errorf("ParseFloat(-inf) = %v, %v", f, ok)
	}
	if f, ok := ParseFloat("1e999"); !ok || !math.IsInf(f, 1) {
		t.Errorf("ParseFloat(1e999) = %v, %v", f, ok)
	}
	if _, ok := ParseFloat("--nan"); ok {
		t.Error("ParseFloat(--nan) succeeded")
	}
}

// A streamed string of small chunks grows geometrically (no quadratic
// copying) and does not keep much more room than it holds.
func TestStreamedBulkCapacity(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("$?\r\n")
	for range 10000 {
		sb.WriteString(";3\r\nabc\r\n")
	}
	sb.WriteString(";0\r\n")
	v, err := NewReader(strings.NewReader(sb.String()), Limits{}).Read()
	if err != nil || v.Len() != 30000 || cap(v.Bytes()) > 2*30000 {
		t.Fatalf("err %v, len %d, cap %d", err, v.Len(), cap(v.Bytes()))
	}
	v = read(t, "$?\r\n;1\r\na\r\n;0\r\n")
	if cap(v.Bytes()) != 1 {
		t.Fatalf("one-byte streamed string has capacity %d", cap(v.Bytes()))
	}
}
