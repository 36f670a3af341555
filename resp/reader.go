package resp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unsafe"
)

// ErrProtocol is wrapped by every error that reports bytes which are not
// valid RESP. After such an error the stream's position is unknown, so the
// connection must be closed.
var ErrProtocol = errors.New("resp: protocol error")

// ErrLimit is wrapped by every error that reports a reply over one of the
// reader's Limits. The reply is not consumed, so the connection must be
// closed.
var ErrLimit = errors.New("resp: reply over limit")

// Limits bound what a Reader accepts from a broken or hostile server. A zero
// field takes its default. Values too large to do arithmetic on are
// lowered to the largest safe ones, so no length within the limits can
// overflow.
type Limits struct {
	// MaxBulkLen is the largest bulk string, bulk error or verbatim string
	// in bytes, and the largest total of a streamed string's chunks.
	// Default 512 MiB, the server's own proto-max-bulk-len default.
	MaxBulkLen int64
	// MaxAggregateLen is the largest number of elements of one array, set or
	// push, or of pairs of one map or attribute. Default 1<<28.
	MaxAggregateLen int64
	// MaxDepth is the deepest nesting of aggregates. Default 128, at most
	// 1<<16.
	MaxDepth int
	// MaxLineLen is the longest simple string, simple error, number or
	// header line in bytes. Default 1 MiB.
	MaxLineLen int
}

// Default limits.
const (
	DefaultMaxBulkLen      = 512 << 20
	DefaultMaxAggregateLen = 1 << 28
	DefaultMaxDepth        = 128
	DefaultMaxLineLen      = 1 << 20
	// DefaultReadBufferSize is the size of a Reader's buffer. A Reader
	// grows it only for a line longer than this and shrinks it back before
	// the next reply.
	DefaultReadBufferSize = 16 << 10
)

// The largest limits: a bulk length plus its CRLF, twice a map's length
// and a line plus its CRLF all fit in an int, and the deepest nesting
// stays far from the goroutine stack limit.
const (
	maxMaxBulkLen      = math.MaxInt - 2
	maxMaxAggregateLen = math.MaxInt / 2
	maxMaxDepth        = 1 << 16
	maxMaxLineLen      = math.MaxInt / 4
)

func (l Limits) withDefaults() Limits {
	if l.MaxBulkLen <= 0 {
		l.MaxBulkLen = DefaultMaxBulkLen
	}
	if l.MaxAggregateLen <= 0 {
		l.MaxAggregateLen = DefaultMaxAggregateLen
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	if l.MaxLineLen <= 0 {
		l.MaxLineLen = DefaultMaxLineLen
	}
	l.MaxBulkLen = min(l.MaxBulkLen, maxMaxBulkLen)
	l.MaxAggregateLen = min(l.MaxAggregateLen, maxMaxAggregateLen)
	l.MaxDepth = min(l.MaxDepth, maxMaxDepth)
	l.MaxLineLen = min(l.MaxLineLen, maxMaxLineLen)
	return l
}

// A length announced by the server is only trusted as far as the data that
// actually arrives, so a hostile "*2000000000" or "$2000000000" costs memory
// only as its bytes come in:
//
//   - an aggregate preallocates room only for the elements the bytes
//     already buffered can hold (each takes at least minValueLen bytes),
//     less the room promised to the aggregates around it, and at most
//     maxPreallocElems; beyond that it doubles as elements arrive;
//   - a bulk payload not yet buffered starts with at most firstBulkChunk
//     bytes (or what is buffered) and grows eightfold each time it fills.
const (
	maxPreallocElems = 1 << 12
	minValueLen      = 3 // "_\r\n", "+\r\n"
	firstBulkChunk   = 32 << 10
)

// Reader reads RESP2 and RESP3 values from a byte stream. It keeps its own
// buffer, reads bulk payloads straight into their final allocation, and
// returns to its initial buffer size after a long line. A Reader is not safe
// for concurrent use.
type Reader struct {
	rd   io.Reader
	buf  []byte
	r, w int
	size int // the buffer size to return to
	lim  Limits
	err  error // sticky read error
	// promised counts the elements preallocated by the aggregates being
	// read and not filled yet (see maxPreallocElems).
	promised int
	// slab is where the small bulk payloads of the aggregate being read
	// are carved from (see slabBulk); owed counts the values that
	// aggregate still owes, nested ones included, as far as their headers
	// have been read.
	slab []byte
	owed int
	// vslab is where the element slices of the aggregates nested in the
	// reply being read are carved from (see growElems).
	vslab []Value
	// shared counts the values, this one included, that share the slabs
	// (see ShareSlabs).
	shared int
}

// NewReader returns a Reader with a DefaultReadBufferSize buffer and the
// given limits (zero fields take their defaults).
func NewReader(rd io.Reader, lim Limits) *Reader {
	return NewReaderSize(rd, DefaultReadBufferSize, lim)
}

// NewReaderSize returns a Reader whose buffer is size bytes (at least 64).
func NewReaderSize(rd io.Reader, size int, lim Limits) *Reader {
	if size < 64 {
		size = 64
	}
	return &Reader{rd: rd, buf: make([]byte, size), size: size, lim: lim.withDefaults()}
}

// Reset discards buffered data and any sticky error and reads from rd next.
func (r *Reader) Reset(rd io.Reader) {
	r.rd, r.r, r.w, r.err = rd, 0, 0, nil
	r.slab, r.vslab, r.shared = nil, nil, 0
	if len(r.buf) != r.size {
		r.buf = make([]byte, r.size)
	}
}

// Fill waits until at least one byte of the next value is buffered,
// without consuming anything. Unlike the errors of Read, a timeout here
// is not final: nothing was consumed, so the caller may extend its
// deadline and call Fill or Read again. That makes Fill the place to
// wait, with a deadline, for a reply to begin.
func (r *Reader) Fill() error {
	if r.r < r.w {
		return nil
	}
	if r.err != nil {
		return r.err
	}
	r.r, r.w = 0, 0
	n, err := r.rd.Read(r.buf)
	r.w = n
	if err != nil {
		var te interface{ Timeout() bool }
		if n > 0 || !errors.As(err, &te) || !te.Timeout() {
			r.err = err // after the bytes that came with it, if any
		}
		if n == 0 {
			return err
		}
	}
	if n == 0 {
		return r.fill() // a reader that returned 0, nil: keep trying
	}
	return nil
}

// Buffered returns the number of bytes read from the stream but not yet
// consumed.
func (r *Reader) Buffered() int { return r.w - r.r }

// BufferCap returns the current size of the reader's buffer in bytes.
func (r *Reader) BufferCap() int { return len(r.buf) }

// Read reads one value. RESP3 attributes ahead of it are attached to it (see
// Value.Attrs). Error replies are returned as values, not as errors: the
// error result reports only I/O failures, protocol errors (wrapping
// ErrProtocol) and limit violations (wrapping ErrLimit).
func (r *Reader) Read() (Value, error) {
	r.promised, r.owed = 0, max(r.shared-1, 0)
	v, err := r.readValue(0)
	if r.shared > 0 {
		r.shared--
	}
	if r.shared == 0 {
		r.slab, r.vslab = nil, nil // the next reply gets its own: one reply never pins another
	}
	r.shrink()
	return v, err
}

// ShareSlabs tells the Reader that the next n values belong together (the
// replies to one pipeline): their small string payloads and nested
// elements are carved from shared allocations, as those of one aggregate
// are, instead of one allocation per value. A value kept keeps those
// allocations alive, so only values with one owner should share them.
// n <= 0 ends the sharing. Read counts n down.
func (r *Reader) ShareSlabs(n int) {
	if n <= 0 {
		r.slab, r.vslab = nil, nil
		n = 0
	}
	r.shared = n
}

// Skip reads one value and discards it without allocating for its payload.
func (r *Reader) Skip() error {
	err := r.skipValue(0)
	r.shrink()
	return err
}

func (r *Reader) shrink() {
	if len(r.buf) > r.size && r.w-r.r <= r.size {
		nb := make([]byte, r.size)
		n := copy(nb, r.buf[r.r:r.w])
		r.buf, r.r, r.w = nb, 0, n
	}
}

// fill reads more data into the buffer, compacting or growing it first when
// it is full. It returns the sticky error when the stream has failed.
func (r *Reader) fill() error {
	if r.err != nil {
		return r.err
	}
	if r.r > 0 && (r.w == len(r.buf) || r.r == r.w) {
		r.w = copy(r.buf, r.buf[r.r:r.w])
		r.r = 0
	}
	if r.w == len(r.buf) {
		if len(r.buf) >= r.lim.MaxLineLen+2 {
			return fmt.Errorf("%w: line longer than %d bytes", ErrLimit, r.lim.MaxLineLen)
		}
		nb := make([]byte, min(2*len(r.buf), r.lim.MaxLineLen+2))
		r.w = copy(nb, r.buf[r.r:r.w])
		r.r = 0
		r.buf = nb
	}
	for range 100 {
		n, err := r.rd.Read(r.buf[r.w:])
		r.w += n
		if err != nil {
			if err == io.EOF && n == 0 {
				err = io.ErrUnexpectedEOF
				if r.r == r.w {
					err = io.EOF
				}
			}
			if n == 0 {
				r.err = err
				return err
			}
			r.err = err // reported after the bytes we did get are used
			return nil
		}
		if n > 0 {
			return nil
		}
	}
	r.err = io.ErrNoProgress
	return r.err
}

// line returns the next line without its CRLF and consumes it. The result
// aliases the buffer and is valid until the next read.
func (r *Reader) line() ([]byte, error) {
	for {
		if i := bytes.IndexByte(r.buf[r.r:r.w], '\n'); i >= 0 {
			end := r.r + i
			if i == 0 || r.buf[end-1] != '\r' {
				return nil, fmt.Errorf("%w: line not terminated by CRLF", ErrProtocol)
			}
			ln := r.buf[r.r : end-1]
			r.r = end + 1
			return ln, nil
		}
		if err := r.fill(); err != nil {
			if err == io.EOF && r.r != r.w {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
	}
}

// header reads a type byte and the rest of its line.
func (r *Reader) header(depth int) (Type, []byte, error) {
	ln, err := r.line()
	if err != nil {
		if err == io.EOF && depth > 0 {
			err = io.ErrUnexpectedEOF
		}
		return 0, nil, err
	}
	if len(ln) == 0 {
		return 0, nil, fmt.Errorf("%w: empty line where a type byte was expected", ErrProtocol)
	}
	return Type(ln[0]), ln[1:], nil
}

func parseInt(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	neg := false
	if b[0] == '-' || b[0] == '+' {
		neg = b[0] == '-'
		b = b[1:]
		if len(b) == 0 {
			return 0, false
		}
	}
	var n uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if n > (math.MaxUint64-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	if neg {
		if n > 1<<63 {
			return 0, false
		}
		return -int64(n), true
	}
	if n > math.MaxInt64 {
		return 0, false
	}
	return int64(n), true
}

// length parses an aggregate or bulk length; -1 means RESP2 null and -2 a
// streamed (unknown) length ("?").
func (r *Reader) length(t Type, b []byte, max int64, what string) (int64, error) {
	if len(b) == 1 && b[0] == '?' {
		return -2, nil
	}
	n, ok := parseInt(b)
	if !ok || n < -1 {
		return 0, fmt.Errorf("%w: bad %s length %q", ErrProtocol, t, b)
	}
	if n == -1 && t != BulkString && t != Array {
		return 0, fmt.Errorf("%w: negative %s length", ErrProtocol, t)
	}
	if n > max {
		return 0, fmt.Errorf("%w: %s of %d %s exceeds the limit of %d", ErrLimit, t, n, what, max)
	}
	return n, nil
}

var (
	okBytes     = []byte("OK")
	pongBytes   = []byte("PONG")
	queuedBytes = []byte("QUEUED")
)

// internSimple avoids an allocation for the most common simple strings.
func internSimple(b []byte) []byte {
	switch string(b) {
	case "OK":
		return okBytes
	case "PONG":
		return pongBytes
	case "QUEUED":
		return queuedBytes
	}
	return bytes.Clone(b)
}

func (r *Reader) readValue(depth int) (Value, error) {
	if depth > r.lim.MaxDepth {
		return Value{}, fmt.Errorf("%w: nesting deeper than %d", ErrLimit, r.lim.MaxDepth)
	}
	t, ln, err := r.header(depth)
	if err != nil {
		return Value{}, err
	}
	if depth > 0 {
		r.owed--
	}
	switch t {
	case SimpleString, SimpleError, Integer, Null, Boolean, Double, BigNumber:
		return scalar(t, ln, true)
	case BulkString, BulkError, Verbatim:
		b, err := r.readBulk(t, ln, depth > 0 || r.shared > 0)
		if err != nil || b == nil {
			return Value{typ: Null}, err
		}
		return stringOf(t, b), nil
	case Array, Set, Push, Map, Attribute:
		n, err := r.length(t, ln, r.lim.MaxAggregateLen, "elements")
		if err != nil || n == -1 {
			return Value{typ: Null}, err
		}
		per := 1
		if t == Map || t == Attribute {
			per = 2
		}
		if n >= 0 {
			r.owed += int(n) * per // no overflow: see maxMaxAggregateLen
		}
		var elems []Value
		if n == -2 {
			elems, err = r.streamedElems(depth, per, true)
		} else {
			elems, err = r.elems(int(n)*per, depth) // no overflow: see maxMaxAggregateLen
		}
		if err != nil {
			return Value{}, err
		}
		if t != Attribute {
			return aggregateOf(t, elems), nil
		}
		v, err := r.readValue(depth + 1)
		if err != nil {
			return Value{}, err
		}
		attrs := append(elems, v.attrList()...)
		v.attrs = &attrs
		return v, nil
	}
	return Value{}, fmt.Errorf("%w: unknown type byte %q", ErrProtocol, byte(t))
}

// badBulkLen reports a bulk length its type does not allow: a streamed
// bulk error or verbatim string, or a verbatim string too short for its
// format prefix. Only BulkString takes -2 (streamed) and -1 (RESP2 null);
// length already refuses -1 for the others.
func badBulkLen(t Type, n int64) error {
	if n == -2 {
		return fmt.Errorf("%w: streamed %s", ErrProtocol, t)
	}
	return errVerbatim
}

var errVerbatim = fmt.Errorf("%w: verbatim string without a format prefix", ErrProtocol)

// readBulk reads the payload of a bulk string, bulk error or verbatim
// string: nil for RESP2's null, never nil otherwise.
//
// Inside an aggregate (nested), small payloads share one allocation with
// the other small payloads of the same reply (see slabBulk).
func (r *Reader) readBulk(t Type, ln []byte, nested bool) ([]byte, error) {
	n, err := r.length(t, ln, r.lim.MaxBulkLen, "bytes")
	if err == nil && t != BulkString && (n == -2 || t == Verbatim && n < 4) {
		err = badBulkLen(t, n)
	}
	var b []byte
	switch {
	case err != nil || n == -1:
		return nil, err
	case n == -2:
		b, err = r.streamedBulk(true)
	case nested && n <= maxSlabBulk && int(n) <= r.w-r.r-2:
		b, err = r.slabBulk(int(n))
	default:
		b, err = r.bulk(int(n))
	}
	if err != nil {
		return nil, err
	}
	if t == Verbatim && b[3] != ':' {
		return nil, errVerbatim
	}
	return b, nil
}

// elems reads the n elements of an aggregate. It allocates their slice
// once the first has arrived, and makes room for more, whenever the slice
// is full, for as many as the bytes buffered then can hold (less the room
// promised to the aggregates around it) or twice as many as it holds,
// whichever is more. A reply that is all buffered gets an exact slice,
// and a hostile length costs memory only as elements arrive.
func (r *Reader) elems(n, depth int) ([]Value, error) {
	if n == 0 {
		return []Value{}, nil
	}
	var elems []Value
	own := 0 // slots of elems counted in r.promised
	for len(elems) < n {
		if own > 0 {
			own--
			r.promised--
		}
		v, err := r.readValue(depth + 1)
		if err != nil {
			return nil, err
		}
		if len(elems) == cap(elems) {
			elems, own = r.growElems(elems, n, depth > 0 || r.shared > 0)
		}
		elems = append(elems, v)
	}
	return elems, nil
}

// growElems returns a copy of the full slice elems with room for the next
// element and more, up to n in all, and how many of the slots after the
// next element it promised (see elems).
//
// The first slice of a nested aggregate whose elements are all buffered
// (so its length is not a hostile promise) is carved from r.vslab, with
// room for exactly n: the aggregates nested in one reply share one
// allocation instead of one each. A new vslab is sized for this aggregate
// and the nested aggregates buffered after it (slabNeed).
func (r *Reader) growElems(elems []Value, n int, nested bool) ([]Value, int) {
	if nested && len(elems) == 0 && (n-1)*minValueLen <= r.w-r.r && n <= maxPreallocElems {
		if cap(r.vslab)-len(r.vslab) < n {
			_, more := r.slabNeed(r.r)
			r.vslab = make([]Value, 0, n+min(more, maxPreallocElems))
		}
		i := len(r.vslab)
		r.vslab = r.vslab[:i+n]
		return r.vslab[i : i : i+n], 0
	}
	spare := max(0, min((r.w-r.r)/minValueLen-r.promised, maxPreallocElems))
	c := min(n, len(elems)+1+max(spare, len(elems)))
	own := min(spare, c-len(elems)-1)
	r.promised += own
	ne := make([]Value, len(elems), c)
	copy(ne, elems)
	return ne, own
}

// scalar decodes a value that fits on its header line. With clone false it
// only validates, and string payloads are left out.
func scalar(t Type, ln []byte, clone bool) (Value, error) {
	switch t {
	case SimpleString, SimpleError:
		if !clone {
			return Value{}, nil
		}
		return stringOf(t, internSimple(ln)), nil
	case Integer:
		n, ok := parseInt(ln)
		if !ok {
			return Value{}, fmt.Errorf("%w: bad integer %q", ErrProtocol, ln)
		}
		return Value{typ: t, num: uint64(n)}, nil
	case Null:
		if len(ln) != 0 {
			return Value{}, fmt.Errorf("%w: null with payload %q", ErrProtocol, ln)
		}
		return Value{typ: Null}, nil
	case Boolean:
		if len(ln) == 1 && (ln[0] == 't' || ln[0] == 'f') {
			return BoolValue(ln[0] == 't'), nil
		}
		return Value{}, fmt.Errorf("%w: bad boolean %q", ErrProtocol, ln)
	case Double:
		f, ok := parseDouble(ln)
		if !ok {
			return Value{}, fmt.Errorf("%w: bad double %q", ErrProtocol, ln)
		}
		return FloatValue(f), nil
	case BigNumber:
		if !isBigInt(ln) {
			return Value{}, fmt.Errorf("%w: bad big number %q", ErrProtocol, ln)
		}
		if !clone {
			return Value{}, nil
		}
		return stringOf(t, bytes.Clone(ln)), nil
	}
	return Value{}, fmt.Errorf("%w: unknown type byte %q", ErrProtocol, byte(t))
}

// parseDouble parses a RESP3 double (see ParseFloat).
func parseDouble(ln []byte) (float64, bool) {
	return ParseFloat(unsafe.String(unsafe.SliceData(ln), len(ln)))
}

// ParseFloat parses a double as servers write it, in a RESP3 double or, under
// RESP2, in a bulk string. Besides what strconv.ParseFloat accepts (inf,
// +inf, -inf, infinity, nan, in any case; out-of-range values become
// infinities), it takes a signed NaN: servers format doubles with the C
// library, and glibc prints 0/0 as "-nan" (Redis 7.0 sends ",-nan" for a
// script's {double=0/0}, or the bulk string "-nan" under RESP2).
func ParseFloat(s string) (float64, bool) {
	f, err := strconv.ParseFloat(s, 64)
	if err == nil || errors.Is(err, strconv.ErrRange) {
		return f, true
	}
	if len(s) == 4 && (s[0] == '-' || s[0] == '+') && strings.EqualFold(s[1:], "nan") {
		return math.NaN(), true
	}
	return 0, false
}

func isBigInt(b []byte) bool {
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		b = b[1:]
	}
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// maxSlabBulk is the largest payload slabBulk takes.
const maxSlabBulk = 512

// slabBulk reads a buffered payload of n bytes (at most maxSlabBulk) and
// its CRLF into a slice carved from r.slab, whose capacity is its length.
// When the slab is full it allocates the next one just large enough for
// this payload and for the small payloads of the rest of the reply that
// are already buffered (slabNeed), so an aggregate of many small strings
// costs one allocation for all their bytes instead of one each, and no
// byte more. A caller keeping one string of the reply keeps the slab alive
// with it; a slab never serves two replies.
func (r *Reader) slabBulk(n int) ([]byte, error) {
	if r.buf[r.r+n] != '\r' || r.buf[r.r+n+1] != '\n' {
		return nil, fmt.Errorf("%w: bulk payload not followed by CRLF", ErrProtocol)
	}
	if n == 0 {
		r.r += 2
		return []byte{}, nil
	}
	if cap(r.slab)-len(r.slab) < n {
		need, _ := r.slabNeed(r.r + n + 2)
		r.slab = make([]byte, 0, n+need)
	}
	i := len(r.slab)
	r.slab = r.slab[:i+n]
	b := r.slab[i : i+n : i+n]
	copy(b, r.buf[r.r:])
	r.r += n + 2
	return b, nil
}

// slabNeed returns the bytes of the small bulk payloads (those slabBulk
// takes) among the next r.owed values buffered from buf[p:], and the
// elements of the aggregates among them, stopping at the first value not
// wholly buffered or not plainly framed. It only sizes slabs: a wrong
// answer costs an allocation, never a wrong reply.
func (r *Reader) slabNeed(p int) (need, elems int) {
	owed := r.owed
	for owed > 0 && p < r.w {
		i := bytes.IndexByte(r.buf[p:r.w], '\n')
		if i < 2 || r.buf[p+i-1] != '\r' {
			break
		}
		head := r.buf[p+1 : p+i-1]
		t := Type(r.buf[p])
		p += i + 1
		owed--
		switch t {
		case BulkString, BulkError, Verbatim:
			n, ok := parseInt(head)
			if !ok || n < 0 {
				if ok && n == -1 {
					continue
				}
				return need, elems
			}
			if n > int64(r.w-p-2) {
				return need, elems
			}
			if n <= maxSlabBulk {
				need += int(n)
			}
			p += int(n) + 2
		case Array, Set, Push, Map:
			n, ok := parseInt(head)
			if !ok || n < -1 || n > int64(r.w-p) {
				return need, elems
			}
			if n > 0 {
				if t == Map {
					n *= 2
				}
				owed += int(n)
				elems += int(n)
			}
		case SimpleString, SimpleError, Integer, Null, Boolean, Double, BigNumber:
		default:
			return need, elems
		}
	}
	return need, elems
}

// bulk reads n payload bytes and their CRLF into a new slice of exactly n
// bytes.
func (r *Reader) bulk(n int) ([]byte, error) {
	if n <= r.w-r.r-2 { // n+2 could overflow under a hostile length
		if r.buf[r.r+n] != '\r' || r.buf[r.r+n+1] != '\n' {
			return nil, fmt.Errorf("%w: bulk payload not followed by CRLF", ErrProtocol)
		}
		b := make([]byte, n)
		copy(b, r.buf[r.r:])
		r.r += n + 2
		return b, nil
	}
	b, err := r.payload([]byte{}, n, n)
	if err != nil {
		return nil, err
	}
	return b, r.crlf()
}

// payload appends the next n bytes of the stream to dst, whose capacity
// may grow up to limit bytes (at least len(dst)+n). The bytes go straight
// from the stream into dst when they are more than the buffer holds.
//
// dst grows as data arrives: when it is full it grows by the bytes still
// to come but by at most firstBulkChunk or what is buffered, whichever is
// more, or to eight times its capacity when that is larger. So a declared
// length that never comes costs little, and one that does comes in two or
// three allocations.
func (r *Reader) payload(dst []byte, n, limit int) ([]byte, error) {
	end := len(dst) + n
	for len(dst) < end {
		if len(dst) == cap(dst) {
			c := len(dst) + min(end-len(dst), max(r.w-r.r, firstBulkChunk))
			c = min(max(c, 8*min(cap(dst), limit/8)), limit) // 8*cap cannot overflow
			nd := make([]byte, len(dst), c)
			copy(nd, dst)
			dst = nd
		}
		room := dst[len(dst):min(end, cap(dst))]
		switch {
		case r.r < r.w:
			k := copy(room, r.buf[r.r:r.w])
			r.r += k
			dst = dst[:len(dst)+k]
		case end-len(dst) < len(r.buf): // the rest fits: read it with what follows
			if err := r.fill(); err != nil {
				return nil, r.eofErrOf(err)
			}
		case r.err != nil:
			return nil, r.eofErr()
		default:
			k, err := r.rd.Read(room)
			dst = dst[:len(dst)+k]
			if err != nil {
				r.err = err
				if len(dst) < end {
					return nil, r.eofErr()
				}
			}
		}
	}
	return dst, nil
}

func (r *Reader) eofErrOf(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

func (r *Reader) eofErr() error {
	if r.err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return r.err
}

// crlf consumes the CRLF that ends a bulk payload.
func (r *Reader) crlf() error {
	for r.w-r.r < 2 {
		if err := r.fill(); err != nil {
			return r.eofErrOf(err)
		}
	}
	if r.buf[r.r] != '\r' || r.buf[r.r+1] != '\n' {
		return fmt.Errorf("%w: bulk payload not followed by CRLF", ErrProtocol)
	}
	r.r += 2
	return nil
}

// discard consumes n bytes.
func (r *Reader) discard(n int64) error {
	for n > 0 {
		if r.r == r.w {
			if err := r.fill(); err != nil {
				return r.eofErrOf(err)
			}
		}
		k := min(int64(r.w-r.r), n)
		r.r += int(k)
		n -= k
	}
	return nil
}

// streamedBulk reads the chunks of a streamed string ($?): ";len" lines with
// payloads, ended by ";0". With keep false it discards them and returns nil.
func (r *Reader) streamedBulk(keep bool) ([]byte, error) {
	out := []byte{}
	var total int64
	for {
		t, ln, err := r.header(1)
		if err != nil {
			return nil, err
		}
		if t != ';' {
			return nil, fmt.Errorf("%w: streamed string chunk starts with %q", ErrProtocol, byte(t))
		}
		n, ok := parseInt(ln)
		if !ok || n < 0 {
			return nil, fmt.Errorf("%w: bad chunk length %q", ErrProtocol, ln)
		}
		if n == 0 {
			if cap(out) > 2*len(out) { // the last growth overshot
				out = bytes.Clone(out)
			}
			return out, nil
		}
		if n > r.lim.MaxBulkLen-total { // total+n could overflow
			return nil, fmt.Errorf("%w: streamed string exceeds the limit of %d bytes", ErrLimit, r.lim.MaxBulkLen)
		}
		total += n
		if keep {
			out, err = r.payload(out, int(n), int(r.lim.MaxBulkLen))
		} else {
			err = r.discard(n)
		}
		if err == nil {
			err = r.crlf()
		}
		if err != nil {
			return nil, err
		}
	}
}

// atEnd reports, and consumes, the "." line that ends a streamed aggregate.
func (r *Reader) atEnd() (bool, error) {
	for r.w-r.r < 3 {
		if err := r.fill(); err != nil {
			return false, r.eofErrOf(err)
		}
	}
	if r.buf[r.r] == '.' && r.buf[r.r+1] == '\r' && r.buf[r.r+2] == '\n' {
		r.r += 3
		return true, nil
	}
	return false, nil
}

// streamedElems reads the elements of a streamed aggregate up to its "."
// line, per of them to an entry (2 for a map). With keep false it skips
// them and returns nil.
func (r *Reader) streamedElems(depth, per int, keep bool) ([]Value, error) {
	var elems []Value
	for count := 0; ; count++ {
		end, err := r.atEnd()
		if err != nil {
			return nil, err
		}
		if end {
			if count%per != 0 {
				return nil, fmt.Errorf("%w: streamed map with an odd number of elements", ErrProtocol)
			}
			if keep && elems == nil {
				elems = []Value{}
			}
			return elems, nil
		}
		if int64(count) >= r.lim.MaxAggregateLen*int64(per) {
			return nil, fmt.Errorf("%w: streamed aggregate exceeds the limit of %d elements", ErrLimit, r.lim.MaxAggregateLen)
		}
		if !keep {
			if err := r.skipValue(depth + 1); err != nil {
				return nil, err
			}
			continue
		}
		v, err := r.readValue(depth + 1)
		if err != nil {
			return nil, err
		}
		elems = append(elems, v)
	}
}

func (r *Reader) skipValue(depth int) error {
	if depth > r.lim.MaxDepth {
		return fmt.Errorf("%w: nesting deeper than %d", ErrLimit, r.lim.MaxDepth)
	}
	t, ln, err := r.header(depth)
	if err != nil {
		return err
	}
	switch t {
	case SimpleString, SimpleError, Integer, Null, Boolean, Double, BigNumber:
		_, err := scalar(t, ln, false)
		return err
	case BulkString, BulkError, Verbatim:
		return r.skipBulk(t, ln)
	case Array, Set, Push, Map, Attribute:
		n, err := r.length(t, ln, r.lim.MaxAggregateLen, "elements")
		if err != nil || n == -1 {
			return err
		}
		if n == -2 {
			return r.skipStreamed(t, depth)
		}
		if t == Map || t == Attribute {
			n *= 2 // no overflow: see maxMaxAggregateLen
		}
		for ; n > 0; n-- {
			if err := r.skipValue(depth + 1); err != nil {
				return err
			}
		}
		if t == Attribute {
			return r.skipValue(depth + 1)
		}
		return nil
	}
	return fmt.Errorf("%w: unknown type byte %q", ErrProtocol, byte(t))
}

func (r *Reader) skipBulk(t Type, ln []byte) error {
	n, err := r.length(t, ln, r.lim.MaxBulkLen, "bytes")
	if err == nil && t != BulkString && (n == -2 || t == Verbatim && n < 4) {
		err = badBulkLen(t, n)
	}
	switch {
	case err != nil:
		return err
	case n == -1:
		return nil
	case n == -2:
		_, err := r.streamedBulk(false)
		return err
	case t == BulkString && n <= int64(r.w-r.r-2): // all buffered
		if r.buf[r.r+int(n)] != '\r' || r.buf[r.r+int(n)+1] != '\n' {
			return fmt.Errorf("%w: bulk payload not followed by CRLF", ErrProtocol)
		}
		r.r += int(n) + 2
		return nil
	}
	if t == Verbatim {
		if err := r.discard(3); err != nil {
			return err
		}
		if r.r == r.w {
			if err := r.fill(); err != nil {
				return r.eofErrOf(err)
			}
		}
		if r.buf[r.r] != ':' {
			return errVerbatim
		}
		n -= 3
	}
	if err := r.discard(n); err != nil {
		return err
	}
	return r.crlf()
}

// skipStreamed skips the elements of a streamed aggregate, and for an
// attribute the value after it.
func (r *Reader) skipStreamed(t Type, depth int) error {
	per := 1
	if t == Map || t == Attribute {
		per = 2
	}
	_, err := r.streamedElems(depth, per, false)
	if err == nil && t == Attribute {
		err = r.skipValue(depth + 1)
	}
	return err
}
