package redis

import (
	"strconv"
	"strings"

	"github.com/respkit/redis/resp"
)

// BitFieldOp is one sub-operation of BITFIELD or BITFIELD_RO. Build it
// with BitFieldGet, BitFieldSet, BitFieldIncrBy or BitFieldOverflow; the
// zero value is not a valid operation.
//
// An encoding is "i" (signed) or "u" (unsigned) followed by the width in
// bits: i1 to i64, u1 to u63. An offset counts bits from the value's
// start, or with Scaled, widths of the encoding (sent as #offset).
type BitFieldOp struct {
	op     string // GET, SET, INCRBY or OVERFLOW
	enc    string // the encoding, or OVERFLOW's mode
	offset int64
	scaled bool
	value  int64
}

// BitFieldGet reads the integer of the given encoding at offset (GET).
func BitFieldGet(encoding string, offset int64) BitFieldOp {
	return BitFieldOp{op: "GET", enc: encoding, offset: offset}
}

// BitFieldSet writes value at offset and yields the old value (SET).
func BitFieldSet(encoding string, offset, value int64) BitFieldOp {
	return BitFieldOp{op: "SET", enc: encoding, offset: offset, value: value}
}

// BitFieldIncrBy adds increment to the integer at offset and yields the
// new value (INCRBY).
func BitFieldIncrBy(encoding string, offset, increment int64) BitFieldOp {
	return BitFieldOp{op: "INCRBY", enc: encoding, offset: offset, value: increment}
}

// BitFieldOverflow chooses how the SET and INCRBY operations after it
// handle overflow (OVERFLOW): "WRAP" (the default), "SAT" (saturate) or
// "FAIL" (do nothing and yield a null).
func BitFieldOverflow(mode string) BitFieldOp {
	return BitFieldOp{op: "OVERFLOW", enc: mode}
}

// Scaled returns the operation with its offset counted in widths of the
// encoding: Scaled on BitFieldGet("u8", 2) reads the third byte (#2).
func (op BitFieldOp) Scaled() BitFieldOp {
	op.scaled = true
	return op
}

// validBitFieldEncoding reports whether enc is i1..i64 or u1..u63.
func validBitFieldEncoding(enc string) bool {
	if len(enc) < 2 {
		return false
	}
	n, err := strconv.Atoi(enc[1:])
	if err != nil || enc[1] == '+' || enc[1] == '-' {
		return false
	}
	switch enc[0] {
	case 'i', 'I':
		return n >= 1 && n <= 64
	case 'u', 'U':
		return n >= 1 && n <= 63
	}
	return false
}

func (op *BitFieldOp) encode(b *builder) {
	if op.op == "OVERFLOW" {
		mode := strings.ToUpper(op.enc)
		if mode != "WRAP" && mode != "SAT" && mode != "FAIL" {
			b.fail("overflow mode must be WRAP, SAT or FAIL, not %q", op.enc)
		}
		b.str("OVERFLOW")
		b.str(mode)
		return
	}
	if op.op == "" {
		b.fail("zero BitFieldOp: build operations with BitFieldGet, BitFieldSet, BitFieldIncrBy or BitFieldOverflow")
		return
	}
	if !validBitFieldEncoding(op.enc) {
		b.fail("bad encoding %q: want i1 to i64 or u1 to u63", op.enc)
	}
	if op.offset < 0 {
		b.fail("negative offset %d", op.offset)
	}
	b.str(op.op)
	b.str(op.enc)
	if op.scaled {
		b.str("#" + strconv.FormatInt(op.offset, 10))
	} else {
		b.int(op.offset)
	}
	if op.op != "GET" {
		b.int(op.value)
	}
}

func appendBitField(b *builder, key string, ops []BitFieldOp) {
	b.begin(cmdBITFIELD)
	b.key(key)
	for i := range ops {
		ops[i].encode(b)
	}
}

func appendBitFieldRO(b *builder, key string, ops []BitFieldOp) {
	b.begin(cmdBITFIELD_RO)
	b.key(key)
	for i := range ops {
		if ops[i].op != "GET" {
			b.fail("only GET operations are allowed, got %s", ops[i].op)
		}
		ops[i].encode(b)
	}
}

func asBitField(v resp.Value, err error) ([]Null[int64], error) {
	return asNullListOf(v, err, asInt64)
}

// BitPosOptions are BITPOS's optional arguments: the range to look in.
// The zero value looks in the whole value.
type BitPosOptions struct {
	// Start is where the range starts (in bytes, or bits with Bit);
	// negative counts from the end. It is sent when non-zero or when End
	// is set.
	Start int64
	// End is where the range ends, included; nil means the value's end.
	End *int64
	// Byte and Bit choose the unit of Start and End (BYTE, BIT; Redis
	// 7.0); they need End. The default is bytes.
	Byte, Bit bool
}

func appendBitPos(b *builder, key string, bit int64, opts []BitPosOptions) {
	b.begin(cmdBITPOS)
	b.key(key)
	if bit != 0 && bit != 1 {
		b.fail("bit must be 0 or 1, not %d", bit)
	}
	b.int(bit)
	if len(opts) > 1 {
		b.fail("at most one BitPosOptions, got %d", len(opts))
		return
	}
	if len(opts) == 0 {
		return
	}
	o := opts[0]
	switch {
	case o.Byte && o.Bit:
		b.fail("Byte and Bit both set")
	case (o.Byte || o.Bit) && o.End == nil:
		b.fail("Byte and Bit need End")
	}
	if o.Start != 0 || o.End != nil {
		b.int(o.Start)
	}
	if o.End != nil {
		b.int(*o.End)
		if o.Byte {
			b.str("BYTE")
		}
		if o.Bit {
			b.str("BIT")
		}
	}
}
