package resp

import (
	"encoding"
	"fmt"
	"math"
	"strconv"
)

// Encoder writes commands (arrays of bulk strings) into a reusable buffer.
// Arguments of every basic Go type are appended in place, with no
// allocation per argument; the array header is filled in by End once the
// argument count is known.
//
//	var e resp.Encoder
//	e.Begin()
//	e.String("SET"); e.String("key"); e.Int(42)
//	e.End()
//	conn.Write(e.Bytes())
//
// The zero Encoder is ready to use. An Encoder is not safe for concurrent
// use.
type Encoder struct {
	buf   []byte
	first int // offset of the first encoded byte in buf
	start int // offset of the current command's reserved header, -1 when none is open
	argc  int
	open  bool
}

// headerRoom is the room reserved for "*<argc>\r\n": '*', up to 10 digits
// and CRLF.
const headerRoom = 13

// Begin starts a command. Begin while a command is open panics: it is a
// programming error.
func (e *Encoder) Begin() {
	if e.open {
		panic("resp: Encoder.Begin with a command still open")
	}
	e.open = true
	e.start = len(e.buf)
	e.argc = 0
	e.buf = append(e.buf, make([]byte, headerRoom)...)
}

// End finishes the open command by writing its array header.
func (e *Encoder) End() {
	if !e.open {
		panic("resp: Encoder.End without Begin")
	}
	e.open = false
	var hdr [headerRoom]byte
	h := append(hdr[:0], '*')
	h = strconv.AppendInt(h, int64(e.argc), 10)
	h = append(h, '\r', '\n')
	if e.start == 0 {
		// The first command: right-align the header in its room, so the
		// arguments need not move.
		e.first = headerRoom - len(h)
		copy(e.buf[e.first:], h)
		return
	}
	// A later command: close the gap so the commands stay contiguous.
	copy(e.buf[e.start:], h)
	n := copy(e.buf[e.start+len(h):], e.buf[e.start+headerRoom:])
	e.buf = e.buf[:e.start+len(h)+n]
}

// Abort discards the open command, if any.
func (e *Encoder) Abort() {
	if e.open {
		e.buf = e.buf[:e.start]
		e.open = false
	}
}

// Bytes returns the encoded commands. It aliases the Encoder's buffer and
// is valid until the next change to the Encoder.
func (e *Encoder) Bytes() []byte {
	if len(e.buf) == 0 {
		return nil
	}
	return e.buf[e.first:]
}

// Len returns the number of encoded bytes.
func (e *Encoder) Len() int { return len(e.buf) - e.first }

// Argc returns the number of arguments of the open command so far.
func (e *Encoder) Argc() int { return e.argc }

// Reset empties the Encoder, keeping its buffer.
func (e *Encoder) Reset() {
	e.buf, e.first, e.start, e.argc, e.open = e.buf[:0], 0, 0, 0, false
}

// Cap returns the capacity of the Encoder's buffer in bytes.
func (e *Encoder) Cap() int { return cap(e.buf) }

// Release drops the buffer when it has grown beyond max bytes, so that a
// pooled Encoder does not keep a huge buffer alive. A buffer grown for a
// large argument goes back to a pool of large buffers for the next
// Encoder that needs one: nothing may still use the Encoder's bytes.
func (e *Encoder) Release(max int) {
	if cap(e.buf) > max {
		putBig(e.buf)
		e.buf = nil
	}
	e.Reset()
}

func (e *Encoder) arg() {
	if !e.open {
		panic("resp: Encoder argument without Begin")
	}
	e.argc++
}

// String appends s as a bulk string argument.
func (e *Encoder) String(s string) {
	e.arg()
	if len(s) >= bigArg {
		e.reserve(len(s) + 32)
	}
	e.buf = AppendBulkString(e.buf, s)
}

// Blob appends b as a bulk string argument.
func (e *Encoder) Blob(b []byte) {
	e.arg()
	if len(b) >= bigArg {
		e.reserve(len(b) + 32)
	}
	e.buf = AppendBulk(e.buf, b)
}

// Int appends n in decimal.
func (e *Encoder) Int(n int64) {
	e.arg()
	e.buf = AppendBulkInt(e.buf, n)
}

// Uint appends n in decimal.
func (e *Encoder) Uint(n uint64) {
	e.arg()
	e.buf = AppendBulkUint(e.buf, n)
}

// Float appends f in the shortest form that reads back exactly, and
// infinities as "+inf" and "-inf", as the server expects.
func (e *Encoder) Float(f float64) {
	e.arg()
	e.buf = AppendBulkFloat(e.buf, f)
}

// Bool appends "1" for true and "0" for false.
func (e *Encoder) Bool(b bool) {
	e.arg()
	if b {
		e.buf = append(e.buf, "$1\r\n1\r\n"...)
	} else {
		e.buf = append(e.buf, "$1\r\n0\r\n"...)
	}
}

// Arg appends v, which must be a string, []byte, an integer, a float, a
// bool or an encoding.BinaryMarshaler (or encoding.TextMarshaler). Any other
// type leaves the command unchanged and returns an error naming the type:
// guessing an encoding would silently store something the caller did not
// mean.
func (e *Encoder) Arg(v any) error {
	switch v := v.(type) {
	case string:
		e.String(v)
	case []byte:
		e.Blob(v)
	case int:
		e.Int(int64(v))
	case int64:
		e.Int(v)
	case int32:
		e.Int(int64(v))
	case int16:
		e.Int(int64(v))
	case int8:
		e.Int(int64(v))
	case uint:
		e.Uint(uint64(v))
	case uint64:
		e.Uint(v)
	case uint32:
		e.Uint(uint64(v))
	case uint16:
		e.Uint(uint64(v))
	case uint8:
		e.Uint(uint64(v))
	case float64:
		e.Float(v)
	case float32:
		e.Float(float64(v))
	case bool:
		e.Bool(v)
	case encoding.BinaryMarshaler:
		b, err := v.MarshalBinary()
		if err != nil {
			return fmt.Errorf("resp: marshal argument %d (%T): %w", e.argc, v, err)
		}
		e.Blob(b)
	case encoding.TextMarshaler:
		b, err := v.MarshalText()
		if err != nil {
			return fmt.Errorf("resp: marshal argument %d (%T): %w", e.argc, v, err)
		}
		e.Blob(b)
	case nil:
		return fmt.Errorf("resp: argument %d is nil", e.argc)
	default:
		return fmt.Errorf("resp: argument %d has type %T; use a string, []byte, number, bool or encoding.BinaryMarshaler", e.argc, v)
	}
	return nil
}

// AppendCommand appends one command made of args to dst, each encoded as by
// Encoder.Arg.
func AppendCommand(dst []byte, args ...any) ([]byte, error) {
	e := Encoder{buf: dst}
	base := len(dst)
	e.Begin()
	for _, a := range args {
		if err := e.Arg(a); err != nil {
			return dst, err
		}
	}
	e.End()
	if base == 0 {
		// Move the right-aligned header to the front.
		n := copy(e.buf, e.buf[e.first:])
		return e.buf[:n], nil
	}
	return e.buf, nil
}

// AppendArrayLen appends an array header for n elements.
func AppendArrayLen(dst []byte, n int) []byte {
	dst = append(dst, '*')
	dst = strconv.AppendInt(dst, int64(n), 10)
	return append(dst, '\r', '\n')
}

// AppendBulkString appends s as a bulk string.
func AppendBulkString(dst []byte, s string) []byte {
	dst = append(dst, '$')
	dst = strconv.AppendInt(dst, int64(len(s)), 10)
	dst = append(dst, '\r', '\n')
	dst = append(dst, s...)
	return append(dst, '\r', '\n')
}

// AppendBulk appends b as a bulk string.
func AppendBulk(dst, b []byte) []byte {
	dst = append(dst, '$')
	dst = strconv.AppendInt(dst, int64(len(b)), 10)
	dst = append(dst, '\r', '\n')
	dst = append(dst, b...)
	return append(dst, '\r', '\n')
}

// AppendBulkInt appends n in decimal as a bulk string.
func AppendBulkInt(dst []byte, n int64) []byte {
	var tmp [20]byte
	return AppendBulk(dst, strconv.AppendInt(tmp[:0], n, 10))
}

// AppendBulkUint appends n in decimal as a bulk string.
func AppendBulkUint(dst []byte, n uint64) []byte {
	var tmp [20]byte
	return AppendBulk(dst, strconv.AppendUint(tmp[:0], n, 10))
}

// AppendBulkFloat appends f as a bulk string (see Encoder.Float).
func AppendBulkFloat(dst []byte, f float64) []byte {
	var tmp [32]byte
	var b []byte
	switch {
	case math.IsInf(f, 1):
		b = append(tmp[:0], "+inf"...)
	case math.IsInf(f, -1):
		b = append(tmp[:0], "-inf"...)
	default:
		b = strconv.AppendFloat(tmp[:0], f, 'g', -1, 64)
	}
	return AppendBulk(dst, b)
}

// AppendValue appends v in RESP3 (proto 3) or RESP2 (proto 2) form. Under
// RESP2, types that RESP2 lacks are written as their RESP2 equivalents:
// null as $-1, booleans and integers as integers, doubles and big numbers
// as bulk strings, maps, sets and pushes as arrays, and attributes are
// dropped. It is the inverse of Reader.Read, for tests and for servers and
// proxies written in Go.
func AppendValue(dst []byte, v Value, proto int) []byte {
	if attrs := v.attrList(); proto >= 3 && len(attrs) > 0 {
		dst = appendLen(dst, Attribute, len(attrs)/2)
		for _, a := range attrs {
			dst = AppendValue(dst, a, proto)
		}
	}
	switch v.typ {
	case SimpleString, SimpleError:
		dst = append(dst, byte(v.typ))
		dst = append(dst, v.str()...)
		return append(dst, '\r', '\n')
	case Integer:
		dst = append(dst, ':')
		dst = strconv.AppendInt(dst, int64(v.num), 10)
		return append(dst, '\r', '\n')
	case Null:
		if proto < 3 {
			return append(dst, "$-1\r\n"...)
		}
		return append(dst, "_\r\n"...)
	case Boolean:
		if proto < 3 {
			return append(dst, ':', '0'+byte(v.num), '\r', '\n')
		}
		if v.num != 0 {
			return append(dst, "#t\r\n"...)
		}
		return append(dst, "#f\r\n"...)
	case Double:
		if proto < 3 {
			return AppendBulkString(dst, formatDouble(v.Float()))
		}
		dst = append(dst, ',')
		dst = append(dst, formatDouble(v.Float())...)
		return append(dst, '\r', '\n')
	case BigNumber:
		if proto < 3 {
			return AppendBulk(dst, v.str())
		}
		dst = append(dst, '(')
		dst = append(dst, v.str()...)
		return append(dst, '\r', '\n')
	case BulkString, BulkError, Verbatim:
		t := v.typ
		if proto < 3 {
			t = BulkString
			if v.typ == BulkError {
				dst = append(dst, '-')
				dst = append(dst, v.str()...)
				return append(dst, '\r', '\n')
			}
		}
		dst = appendLen(dst, t, len(v.str()))
		dst = append(dst, v.str()...)
		return append(dst, '\r', '\n')
	case Array, Set, Push, Map:
		elems := v.elems()
		t, n := v.typ, len(elems)
		if t == Map {
			n /= 2
		}
		if proto < 3 {
			t, n = Array, len(elems)
		}
		dst = appendLen(dst, t, n)
		for _, e := range elems {
			dst = AppendValue(dst, e, proto)
		}
		return dst
	}
	return dst
}

func appendLen(dst []byte, t Type, n int) []byte {
	dst = append(dst, byte(t))
	dst = strconv.AppendInt(dst, int64(n), 10)
	return append(dst, '\r', '\n')
}
