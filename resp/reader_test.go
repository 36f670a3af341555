package resp

import (
	"bytes"
	"errors"
	"io"
	"math"
	"strings"
	"testing"
	"testing/iotest"
	"unsafe"
)

func read(t *testing.T, in string) Value {
	t.Helper()
	for _, one := range []bool{false, true} {
		var src io.Reader = strings.NewReader(in)
		if one {
			src = iotest.OneByteReader(src)
		}
		r := NewReaderSize(src, 64, Limits{})
		v, err := r.Read()
		if err != nil {
			t.Fatalf("Read(%q) (one byte at a time: %v): %v", in, one, err)
		}
		if r.Buffered() != 0 {
			t.Fatalf("Read(%q) left %d bytes", in, r.Buffered())
		}
		// Skip must consume exactly the same bytes.
		r2 := NewReaderSize(strings.NewReader(in+":7\r\n"), 64, Limits{})
		if err := r2.Skip(); err != nil {
			t.Fatalf("Skip(%q): %v", in, err)
		}
		if n, err := r2.Read(); err != nil || n.Int() != 7 {
			t.Fatalf("after Skip(%q): %#v, %v", in, n, err)
		}
		if one {
			return v
		}
	}
	panic("unreachable")
}

func TestReadScalars(t *testing.T) {
	cases := []struct {
		in   string
		typ  Type
		want string
	}{
		{"+OK\r\n", SimpleString, "OK"},
		{"+\r\n", SimpleString, ""},
		{"-ERR unknown command\r\n", SimpleError, "ERR unknown command"},
		{":0\r\n", Integer, "0"},
		{":-9223372036854775808\r\n", Integer, "-9223372036854775808"},
		{":9223372036854775807\r\n", Integer, "9223372036854775807"},
		{"$5\r\nhello\r\n", BulkString, "hello"},
		{"$0\r\n\r\n", BulkString, ""},
		{"$4\r\na\r\nb\r\n", BulkString, "a\r\nb"},
		{"#t\r\n", Boolean, "true"},
		{"#f\r\n", Boolean, "false"},
		{",3.25\r\n", Double, "3.25"},
		{",inf\r\n", Double, "inf"},
		{",-inf\r\n", Double, "-inf"},
		{",1e+300\r\n", Double, "1e+300"},
		{"(3492890328409238509324850943850943825024385\r\n", BigNumber, "3492890328409238509324850943850943825024385"},
		{"!21\r\nSYNTAX invalid syntax\r\n", BulkError, "SYNTAX invalid syntax"},
		{"=15\r\ntxt:Some string\r\n", Verbatim, "Some string"},
	}
	for _, c := range cases {
		v := read(t, c.in)
		if v.Type() != c.typ || v.String() != c.want {
			t.Errorf("Read(%q) = %v %q, want %v %q", c.in, v.Type(), v.String(), c.typ, c.want)
		}
	}
	if v := read(t, ",nan\r\n"); !math.IsNaN(v.Float()) {
		t.Errorf("nan: %v", v.Float())
	}
	if v := read(t, "=15\r\ntxt:Some string\r\n"); v.VerbatimFormat() != "txt" {
		t.Errorf("verbatim format %q", v.VerbatimFormat())
	}
	if v := read(t, "-WRONGTYPE Operation against a key\r\n"); v.Err() == nil || v.Err().(*Error).Code() != "WRONGTYPE" {
		t.Errorf("error value: %v", v.Err())
	}
}

func TestReadNulls(t *testing.T) {
	for _, in := range []string{"_\r\n", "$-1\r\n", "*-1\r\n"} {
		if v := read(t, in); !v.IsNull() {
			t.Errorf("Read(%q) = %#v, want null", in, v)
		}
	}
}

func TestReadAggregates(t *testing.T) {
	v := read(t, "*3\r\n:1\r\n$3\r\nfoo\r\n*2\r\n+a\r\n_\r\n")
	if v.Type() != Array || v.Len() != 3 || v.Elems()[0].Int() != 1 || v.Elems()[1].String() != "foo" ||
		v.Elems()[2].Elems()[0].String() != "a" || !v.Elems()[2].Elems()[1].IsNull() {
		t.Fatalf("array: %#v", v)
	}
	m := read(t, "%2\r\n+first\r\n:1\r\n$6\r\nsecond\r\n#t\r\n")
	if m.Type() != Map || m.Len() != 2 || m.Elems()[0].String() != "first" || !m.Elems()[3].Bool() {
		t.Fatalf("map: %#v", m)
	}
	s := read(t, "~2\r\n+a\r\n+b\r\n")
	if s.Type() != Set || s.Len() != 2 {
		t.Fatalf("set: %#v", s)
	}
	p := read(t, ">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n")
	if p.Type() != Push || p.Elems()[2].String() != "hi" {
		t.Fatalf("push: %#v", p)
	}
	if e := read(t, "*0\r\n"); e.Type() != Array || e.Len() != 0 {
		t.Fatalf("empty array: %#v", e)
	}
}

func TestReadAttributes(t *testing.T) {
	in := "|1\r\n+key-popularity\r\n*2\r\n$1\r\na\r\n,0.1923\r\n*2\r\n:2039123\r\n:9543892\r\n"
	v := read(t, in)
	if v.Type() != Array || v.Len() != 2 || v.Elems()[0].Int() != 2039123 {
		t.Fatalf("value: %#v", v)
	}
	a := v.Attrs()
	if len(a) != 2 || a[0].String() != "key-popularity" || a[1].Elems()[1].Float() != 0.1923 {
		t.Fatalf("attrs: %#v", a)
	}
	// An attribute on a nested element stays on that element.
	v = read(t, "*2\r\n|1\r\n+ttl\r\n:3600\r\n:1\r\n:2\r\n")
	if len(v.Attrs()) != 0 || len(v.Elems()[0].Attrs()) != 2 || v.Elems()[0].Int() != 1 {
		t.Fatalf("nested attrs: %#v", v)
	}
}

func TestReadStreamed(t *testing.T) {
	v := read(t, "$?\r\n;4\r\nHell\r\n;6\r\no worl\r\n;1\r\nd\r\n;0\r\n")
	if v.String() != "Hello world" {
		t.Fatalf("streamed string %q", v.String())
	}
	v = read(t, "*?\r\n:1\r\n:2\r\n.\r\n")
	if v.Len() != 2 || v.Elems()[1].Int() != 2 {
		t.Fatalf("streamed array %#v", v)
	}
	v = read(t, "%?\r\n+a\r\n:1\r\n.\r\n")
	if v.Type() != Map || v.Len() != 1 {
		t.Fatalf("streamed map %#v", v)
	}
}

func TestReadErrors(t *testing.T) {
	bad := []string{
		"?\r\n", "+OK\n", ":12a\r\n", ":\r\n", ":99999999999999999999\r\n", "$3\r\nabcd\r\n", "$-2\r\n",
		"#x\r\n", ",abc\r\n", "(12x\r\n", "_x\r\n", "=3\r\ntxt\r\n", "%-1\r\n", "\r\n",
	}
	for _, in := range bad {
		r := NewReader(strings.NewReader(in), Limits{})
		if _, err := r.Read(); !errors.Is(err, ErrProtocol) {
			t.Errorf("Read(%q) error = %v, want ErrProtocol", in, err)
		}
		r = NewReader(strings.NewReader(in), Limits{})
		if err := r.Skip(); err == nil {
			t.Errorf("Skip(%q) succeeded", in)
		}
	}
	for _, in := range []string{"", "$5\r\nab", "*2\r\n:1\r\n", "+OK"} {
		r := NewReader(strings.NewReader(in), Limits{})
		_, err := r.Read()
		if in == "" && err != io.EOF {
			t.Errorf("Read(%q) = %v, want EOF", in, err)
		}
		if in != "" && err != io.ErrUnexpectedEOF {
			t.Errorf("Read(%q) = %v, want ErrUnexpectedEOF", in, err)
		}
	}
}

func TestLimits(t *testing.T) {
	lim := Limits{MaxBulkLen: 10, MaxAggregateLen: 3, MaxDepth: 2, MaxLineLen: 100}
	for _, in := range []string{
		"$11\r\n", "*4\r\n", "%4\r\n", "*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n",
		"+" + strings.Repeat("x", 200) + "\r\n",
		"$2000000000000\r\n",
	} {
		r := NewReaderSize(strings.NewReader(in), 64, lim)
		if _, err := r.Read(); !errors.Is(err, ErrLimit) {
			t.Errorf("Read(%.20q) = %v, want ErrLimit", in, err)
		}
		r = NewReaderSize(strings.NewReader(in), 64, lim)
		if err := r.Skip(); !errors.Is(err, ErrLimit) {
			t.Errorf("Skip(%.20q) = %v, want ErrLimit", in, err)
		}
	}
	// A hostile length within the limits costs only what arrives.
	r := NewReader(strings.NewReader("*100000000\r\n:1\r\n"), Limits{})
	if _, err := r.Read(); err != io.ErrUnexpectedEOF {
		t.Errorf("truncated huge array: %v", err)
	}
	r = NewReader(strings.NewReader("$400000000\r\nabc"), Limits{})
	if _, err := r.Read(); err != io.ErrUnexpectedEOF {
		t.Errorf("truncated huge bulk: %v", err)
	}
}

func TestBufferShrinksAfterLongLine(t *testing.T) {
	long := "+" + strings.Repeat("y", 100_000) + "\r\n"
	big := "$300000\r\n" + strings.Repeat("z", 300_000) + "\r\n"
	r := NewReaderSize(strings.NewReader(long+big+"+OK\r\n"), 1024, Limits{})
	v, err := r.Read()
	if err != nil || v.Len() != 100_000 {
		t.Fatalf("long line: %v %d", err, v.Len())
	}
	if r.BufferCap() <= 1024 {
		t.Fatalf("buffer did not grow for a long line: %d", r.BufferCap())
	}
	v, err = r.Read()
	if err != nil || v.Len() != 300_000 {
		t.Fatalf("big bulk: %v %d", err, v.Len())
	}
	if r.BufferCap() != 1024 {
		t.Fatalf("buffer is %d bytes after the long line, want 1024", r.BufferCap())
	}
	if v, err := r.Read(); err != nil || v.String() != "OK" {
		t.Fatalf("after: %v %v", v, err)
	}
}

func TestRoundTrip(t *testing.T) {
	vals := []Value{
		SimpleStringValue("OK"), ErrorValue("ERR x"), IntValue(-5), StringValue("a\r\nb"), NullValue(),
		BoolValue(true), FloatValue(1.5), FloatValue(math.Inf(-1)),
		ArrayValue(IntValue(1), StringValue("x"), ArrayValue()),
		MapValue(StringValue("k"), IntValue(1)),
		aggregateOf(Set, []Value{StringValue("m")}),
		aggregateOf(Push, []Value{StringValue("message")}),
		stringOf(BigNumber, []byte("-123456789012345678901234567890")),
		stringOf(Verbatim, []byte("txt:hello")),
		stringOf(BulkError, []byte("ERR bulk")),
		IntValue(7).WithAttrs(StringValue("a"), IntValue(1)),
	}
	var buf []byte
	for _, v := range vals {
		buf = AppendValue(buf, v, 3)
	}
	r := NewReaderSize(bytes.NewReader(buf), 64, Limits{})
	for _, want := range vals {
		got, err := r.Read()
		if err != nil {
			t.Fatal(err)
		}
		if got.GoString() != want.GoString() {
			t.Errorf("round trip: got %#v, want %#v", got, want)
		}
	}
	// RESP2 form reads back as the RESP2 equivalents.
	buf = AppendValue(nil, MapValue(StringValue("k"), BoolValue(true)), 2)
	if string(buf) != "*2\r\n$1\r\nk\r\n:1\r\n" {
		t.Errorf("RESP2 map: %q", buf)
	}
}

func TestReadAllocations(t *testing.T) {
	in := strings.Repeat("+OK\r\n:12345\r\n", 1000)
	r := NewReader(strings.NewReader(in), Limits{})
	allocs := testing.AllocsPerRun(500, func() {
		if _, err := r.Read(); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("reading +OK / :n allocates %.1f times, want 0", allocs)
	}
	bulk := strings.Repeat("$16\r\n0123456789abcdef\r\n", 1000)
	r = NewReader(strings.NewReader(bulk), Limits{})
	allocs = testing.AllocsPerRun(500, func() {
		if _, err := r.Read(); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 1 {
		t.Errorf("reading a bulk string allocates %.1f times, want 1 (the payload)", allocs)
	}
}

func TestErrorCode(t *testing.T) {
	cases := map[string]string{
		"ERR unknown":                         "ERR",
		"MOVED 3999 127.0.0.1:6381":           "MOVED",
		"NOSCRIPT No matching script":         "NOSCRIPT",
		"WRONGPASS invalid username-password": "WRONGPASS",
		"lowercase message":                   "",
		"":                                    "",
	}
	for msg, want := range cases {
		if got := (&Error{Msg: msg}).Code(); got != want {
			t.Errorf("Code(%q) = %q, want %q", msg, got, want)
		}
	}
	var err error = &Error{Msg: "MOVED 1 x:1"}
	if !errors.Is(err, &Error{Msg: "MOVED"}) || errors.Is(err, &Error{Msg: "ASK"}) {
		t.Error("Is does not match by code")
	}
}

// timeoutOnce fails its first read with a timeout, then serves data.
type timeoutOnce struct {
	data    *strings.Reader
	timeout bool
}

type timeoutErr struct{}

func (timeoutErr) Error() string { return "i/o timeout" }
func (timeoutErr) Timeout() bool { return true }

func (t *timeoutOnce) Read(p []byte) (int, error) {
	if !t.timeout {
		t.timeout = true
		return 0, timeoutErr{}
	}
	return t.data.Read(p)
}

func TestFillTimeoutIsNotFinal(t *testing.T) {
	r := NewReader(&timeoutOnce{data: strings.NewReader("+OK\r\n")}, Limits{})
	if err := r.Fill(); err == nil {
		t.Fatal("first Fill did not time out")
	}
	if err := r.Fill(); err != nil || r.Buffered() != 5 {
		t.Fatalf("Fill after a timeout: %v, %d buffered", err, r.Buffered())
	}
	if v, err := r.Read(); err != nil || v.String() != "OK" {
		t.Fatalf("Read after Fill: %v %v", v, err)
	}
	if err := r.Fill(); err != io.EOF {
		t.Fatalf("Fill at the end: %v, want EOF", err)
	}
}

// A reply is mostly a slice of Values, so their size is what a large reply
// costs; keep it at four words.
func TestValueSize(t *testing.T) {
	if n := unsafe.Sizeof(Value{}); n != 32 {
		t.Errorf("Value is %d bytes, want 32", n)
	}
	if b := StringValue("").Bytes(); b == nil || len(b) != 0 {
		t.Errorf("empty bulk: Bytes() = %#v, want a non-nil empty slice", b)
	}
	if e := ArrayValue().Elems(); e == nil || len(e) != 0 {
		t.Errorf("empty array: Elems() = %#v, want a non-nil empty slice", e)
	}
	if b := IntValue(5).Bytes(); b != nil {
		t.Errorf("integer: Bytes() = %v, want nil", b)
	}
	if e := StringValue("abc").Elems(); e != nil {
		t.Errorf("bulk: Elems() = %v, want nil", e)
	}
	if n := StringValue("abc").Len(); n != 3 {
		t.Errorf("bulk: Len() = %d, want 3", n)
	}
}

// The small strings of one reply share an allocation (slabBulk); each must
// still hold its own bytes, be closed to appends over its neighbour, and
// no reply may share a slab with the next.
func TestSlabBulks(t *testing.T) {
	var want []Value
	for i := range 300 {
		s := strings.Repeat(string(rune('a'+i%26)), i%40)
		switch {
		case i%50 == 7:
			s = strings.Repeat("L", maxSlabBulk+1+i) // large: its own allocation
		case i%50 == 9:
			want = append(want, MapValue(StringValue("k"), ArrayValue(StringValue("n1"), NullValue(), IntValue(3))))
			continue
		}
		want = append(want, StringValue(s))
	}
	reply := ArrayValue(want...)
	wire := AppendValue(nil, reply, 3)
	wire = AppendValue(wire, ArrayValue(StringValue("next"), StringValue("reply")), 3)
	for _, size := range []int{64, 1000, 1 << 16} {
		for _, name := range []string{"whole", "one byte at a time"} {
			var src io.Reader = bytes.NewReader(wire)
			if name != "whole" {
				src = iotest.OneByteReader(src)
			}
			r := NewReaderSize(src, size, Limits{})
			got, err := r.Read()
			if err != nil {
				t.Fatalf("size %d, %s: %v", size, name, err)
			}
			next, err := r.Read()
			if err != nil {
				t.Fatalf("size %d, %s: second reply: %v", size, name, err)
			}
			if got.GoString() != reply.GoString() {
				t.Fatalf("size %d, %s: got %#v", size, name, got)
			}
			es := got.Elems()
			for i, e := range es {
				if b := e.Bytes(); cap(b) != len(b) {
					t.Fatalf("size %d, %s: element %d: cap %d > len %d: an append would overwrite its neighbour", size, name, i, cap(b), len(b))
				}
			}
			// Writing into one element's bytes changes no other.
			first := es[1].Bytes()
			first[0] = 'Z'
			if es[2].String() != "cc" || es[1].String() != "Z" {
				t.Fatalf("size %d, %s: elements share bytes: %q %q", size, name, es[1].String(), es[2].String())
			}
			if next.GoString() != `["next", "reply"]` {
				t.Fatalf("size %d, %s: second reply %#v", size, name, next)
			}
			if r.slab != nil {
				t.Fatalf("size %d, %s: the reader kept the slab after the reply", size, name)
			}
		}
	}
}

// A buffered reply of many small strings costs one allocation for all their
// bytes, sized exactly, and its nested aggregates one for all their
// elements.
func TestSlabBulkAllocations(t *testing.T) {
	// XRANGE-like: 100 × [id, [f1, v1, f2, v2]]: the top-level elements,
	// the nested elements, the payloads.
	var entries []Value
	for i := range 100 {
		v := StringValue(strings.Repeat("x", i%20))
		entries = append(entries, ArrayValue(StringValue("1-"+strings.Repeat("0", i%5)), ArrayValue(StringValue("f1"), v, StringValue("f2"), v)))
	}
	nested := ArrayValue(entries...)
	for _, proto := range []int{2, 3} {
		wire := AppendValue(nil, nested, proto)
		rd := bytes.NewReader(wire)
		r := NewReaderSize(rd, 1<<16, Limits{})
		var got Value
		allocs := testing.AllocsPerRun(100, func() {
			rd.Reset(wire)
			r.Reset(rd)
			var err error
			if got, err = r.Read(); err != nil {
				t.Fatal(err)
			}
		})
		if allocs > 3 {
			t.Errorf("RESP%d: %v allocations per reply of 100 nested entries, want 3", proto, allocs)
		}
		if got.GoString() != nested.GoString() {
			t.Fatalf("RESP%d: got %#v", proto, got)
		}
	}

	var elems []Value
	for i := range 100 {
		elems = append(elems, StringValue(strings.Repeat("v", 10+i%7)))
	}
	wire := AppendValue(nil, ArrayValue(elems...), 2)
	rd := bytes.NewReader(wire)
	r := NewReaderSize(rd, 1<<16, Limits{})
	var got Value
	allocs := testing.AllocsPerRun(100, func() {
		rd.Reset(wire)
		r.Reset(rd)
		var err error
		if got, err = r.Read(); err != nil {
			t.Fatal(err)
		}
	})
	// One for the elements, one for all the payloads.
	if allocs > 2 {
		t.Errorf("%v allocations per reply of 100 small strings, want 2", allocs)
	}
	total := 0
	for _, e := range got.Elems() {
		total += e.Len()
	}
	last := got.Elems()[99].Bytes()
	first := got.Elems()[0].Bytes()
	if span := int(uintptr(unsafe.Pointer(&last[len(last)-1]))-uintptr(unsafe.Pointer(&first[0]))) + 1; span != total {
		t.Errorf("payloads span %d bytes, want %d (one slab, no gaps)", span, total)
	}
}

// Clone copies a value into allocations of its own: equal, sharing no
// byte with the original, in two allocations (payloads, nested values).
func TestClone(t *testing.T) {
	vals := []Value{
		NullValue(), IntValue(-7), FloatValue(2.5), BoolValue(true), StringValue(""), StringValue("abc"),
		stringOf(Verbatim, []byte("txt:hello")), stringOf(BigNumber, []byte("123456789012345678901234567890")),
		ArrayValue(), ArrayValue(StringValue("a"), ArrayValue(StringValue("b"), NullValue(), IntValue(3)), MapValue(StringValue("k"), StringValue("v"))),
		IntValue(7).WithAttrs(StringValue("ttl"), IntValue(3)),
		ArrayValue(StringValue("x").WithAttrs(StringValue("a"), ArrayValue(StringValue("deep")))),
	}
	for _, v := range vals {
		c := v.Clone()
		if c.GoString() != v.GoString() {
			t.Fatalf("Clone(%#v) = %#v", v, c)
		}
		if b := c.Bytes(); len(b) > 0 {
			b[0] ^= 0xff
			if v.Bytes()[0] == b[0] {
				t.Fatalf("the clone of %#v shares its payload", v)
			}
		}
	}
	big := vals[9]
	if allocs := testing.AllocsPerRun(100, func() { _ = big.Clone() }); allocs != 2 {
		t.Errorf("Clone of a nested array: %v allocations, want 2", allocs)
	}
	// [a, [b, nil, 3], {k: v}]: 9 values, 4 payload bytes.
	if n := big.Size(); n != 9*32+4 {
		t.Errorf("Size = %d, want %d", n, 9*32+4)
	}
}

func TestFreeze(t *testing.T) {
	v := ArrayValue(StringValue("abc"), MapValue(StringValue("k"), stringOf(Verbatim, []byte("txt:hi"))), IntValue(3))
	f := v.Freeze()
	if f.GoString() != v.GoString() || !f.Frozen() || v.Frozen() {
		t.Fatalf("Freeze(%#v) = %#v (frozen %v)", v, f, f.Frozen())
	}
	for _, e := range []Value{f.Elems()[0], f.Elems()[1].Elems()[0], f.Elems()[1].Elems()[1]} {
		if !e.Frozen() {
			t.Fatalf("nested %#v is not frozen", e)
		}
		b := e.Bytes()
		b[0] ^= 0xff // a caller scribbling on its copy
		if e.Bytes()[0] == b[0] {
			t.Fatalf("Bytes of frozen %#v returned its own payload", e)
		}
	}
	if f.GoString() != v.GoString() {
		t.Fatalf("a frozen value changed: %#v", f)
	}
	if c := f.Clone(); c.Frozen() || c.Elems()[0].Frozen() || c.GoString() != v.GoString() {
		t.Fatalf("Clone of a frozen value = %#v, frozen %v", c, c.Frozen())
	}
	if n := f.Elems()[0].Len(); n != 3 {
		t.Fatalf("Len of frozen abc = %d", n)
	}
}
