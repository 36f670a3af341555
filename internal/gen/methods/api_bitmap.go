package main

func init() {
	register("bitmap",
		API{Cmd: "BITCOUNT", Method: "BitCount", Docs: map[string]string{"range.start": "is the first byte (bit with Bit) counted; a negative index counts from the end", "range.end": "is the last byte (bit with Bit) counted, inclusive; a negative index counts from the end", "range.unit.byte": "makes Start and End byte indexes (BYTE, the default; Redis 7.0)"}, Result: "int64", Args: map[string]string{"range": "BitCountRange"},
			Returns: "the number of bits set to 1 (in the range when one is given)"},
		API{Cmd: "BITFIELD", Method: "BitField", Manual: true, Params: "key string, ops []BitFieldOp", Result: "[]Null[int64]", Decode: "asBitField",
			Returns: "one result per GET, SET and INCRBY sub-operation, in order: the value read, the old value, the new value; not Valid where OVERFLOW FAIL stopped an overflowing write",
			Doc:     "Build the sub-operations with BitFieldGet, BitFieldSet, BitFieldIncrBy and BitFieldOverflow. A bad encoding or overflow mode is reported before anything is sent."},
		API{Cmd: "BITFIELD_RO", Method: "BitFieldRO", Manual: true, Params: "key string, ops []BitFieldOp", Result: "[]int64",
			Returns: "the values read, one per sub-operation",
			Doc:     "Only BitFieldGet sub-operations are allowed; any other is reported before anything is sent."},
		API{Cmd: "BITOP", Method: "BitOp", Result: "int64",
			Returns: "the length in bytes of the string stored at destkey",
			Doc:     "operation is one of AND, OR, XOR, NOT (exactly one key), and since Redis 8.2 DIFF, DIFF1, ANDOR, ONE; it is checked before anything is sent."},
		API{Cmd: "BITPOS", Method: "BitPos", Manual: true, Params: "key string, bit int64, opts []BitPosOptions", Result: "int64",
			Returns: "the position of the first bit equal to bit, or -1 when there is none (see the BITPOS documentation for a clear bit beyond the value's end)",
			Doc:     "bit must be 0 or 1. Conflicting options are reported before anything is sent."},
		API{Cmd: "GETBIT", Method: "GetBit", Result: "int64",
			Returns: "the bit at offset: 0 or 1 (0 beyond the value's end or when the key does not exist)"},
		API{Cmd: "SETBIT", Method: "SetBit", Result: "int64",
			Returns: "the bit's previous value: 0 or 1",
			Doc:     "value must be 0 or 1."},
	)
}
