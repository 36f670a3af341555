package resp

import "bytes"

// maxScanDepth bounds the nesting BufferedValue looks through; deeper
// values are reported as not buffered, and read the ordinary way.
const maxScanDepth = 32

// BufferedValue reports whether the next value is already wholly in the
// buffer, so that Read will return it without reading from the underlying
// reader. It consumes nothing and allocates nothing. A false answer is
// conservative: values with streamed parts, nested deeper than 32, or
// malformed are reported as not buffered, and Read decides about them.
//
// A caller that must not block (one with a deadline of its own on a stream
// others also wait on) reads only when this is true; otherwise it leaves the
// read to a goroutine that may block.
func (r *Reader) BufferedValue() bool {
	n, ok := scanValue(r.buf[r.r:r.w], 0)
	return ok && n > 0
}

// scanValue returns the length of the value at the start of b when all of
// it is in b.
func scanValue(b []byte, depth int) (int, bool) {
	if depth > maxScanDepth {
		return 0, false
	}
	i := bytes.IndexByte(b, '\n')
	if i < 2 || b[i-1] != '\r' {
		return 0, false
	}
	head, n := b[1:i-1], i+1
	switch Type(b[0]) {
	case SimpleString, SimpleError, Integer, Double, Boolean, Null, BigNumber:
		return n, true
	case BulkString, BulkError, Verbatim:
		size, ok := parseInt(head)
		if !ok || size < -1 {
			return 0, false
		}
		if size == -1 {
			return n, true
		}
		if size > int64(len(b)-n-2) {
			return 0, false
		}
		return n + int(size) + 2, true
	case Array, Set, Push, Map, Attribute:
		count, ok := parseInt(head)
		if !ok || count < -1 || count > int64(len(b)) {
			return 0, false // a count larger than the buffer cannot be buffered
		}
		if t := Type(b[0]); t == Map || t == Attribute {
			count *= 2
		}
		for ; count > 0; count-- {
			m, ok := scanValue(b[n:], depth+1)
			if !ok {
				return 0, false
			}
			n += m
		}
		if Type(b[0]) == Attribute {
			m, ok := scanValue(b[n:], depth+1) // the value the attribute is about
			if !ok {
				return 0, false
			}
			n += m
		}
		return n, true
	}
	return 0, false
}
