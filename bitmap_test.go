package redis_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/respkit/redis"
)

func TestBitmapBits(t *testing.T) {
	ctx := context.Background()
	withClients(t, func(t *testing.T, c *redis.Client) {
		k := key(t, "b")
		if old, err := c.SetBit(ctx, k, 7, 1); err != nil || old != 0 {
			t.Fatalf("SetBit = %d, %v; want 0", old, err)
		}
		if old, err := c.SetBit(ctx, k, 7, 1); err != nil || old != 1 {
			t.Fatalf("SetBit again = %d, %v; want 1", old, err)
		}
		if b, err := c.GetBit(ctx, k, 7); err != nil || b != 1 {
			t.Fatalf("GetBit 7 = %d, %v", b, err)
		}
		if b, err := c.GetBit(ctx, k, 1000); err != nil || b != 0 {
			t.Fatalf("GetBit beyond the end = %d, %v", b, err)
		}
		// "\xff\xf0\x00" = 11111111 11110000 00000000
		f := key(t, "f")
		if err := c.Set(ctx, f, "\xff\xf0\x00"); err != nil {
			t.Fatal(err)
		}
		if n, err := c.BitCount(ctx, f); err != nil || n != 12 {
			t.Fatalf("BitCount = %d, %v; want 12", n, err)
		}
		if n, err := c.BitCount(ctx, f, redis.BitCountOptions{Range: &redis.BitCountRange{Start: 1, End: -1}}); err != nil || n != 4 {
			t.Fatalf("BitCount 1 -1 = %d, %v; want 4", n, err)
		}
		if n, err := c.BitCount(ctx, f, redis.BitCountOptions{Range: &redis.BitCountRange{Start: 5, End: 9, Bit: true}}); err != nil || n != 5 {
			t.Fatalf("BitCount 5 9 BIT = %d, %v; want 5", n, err)
		}
		if p, err := c.BitPos(ctx, f, 0); err != nil || p != 12 {
			t.Fatalf("BitPos 0 = %d, %v; want 12", p, err)
		}
		if p, err := c.BitPos(ctx, f, 1, redis.BitPosOptions{Start: 1}); err != nil || p != 8 {
			t.Fatalf("BitPos 1 1 = %d, %v; want 8", p, err)
		}
		end := int64(-1)
		if p, err := c.BitPos(ctx, f, 1, redis.BitPosOptions{Start: 2, End: &end}); err != nil || p != -1 {
			t.Fatalf("BitPos 1 2 -1 = %d, %v; want -1", p, err)
		}
		end = 20
		if p, err := c.BitPos(ctx, f, 0, redis.BitPosOptions{Start: 3, End: &end, Bit: true}); err != nil || p != 12 {
			t.Fatalf("BitPos 0 3 20 BIT = %d, %v; want 12", p, err)
		}

		a, b, dst := key(t, "x"), key(t, "y"), key(t, "dst")
		if err := c.MSet(ctx, redis.KeyValue{Key: a, Value: "\x0f\x0f"}, redis.KeyValue{Key: b, Value: "\xff"}); err != nil {
			t.Fatal(err)
		}
		if n, err := c.BitOp(ctx, "and", dst, a, b); err != nil || n != 2 {
			t.Fatalf("BitOp AND = %d, %v; want 2", n, err)
		}
		if v, _ := c.Get(ctx, dst); v != "\x0f\x00" {
			t.Fatalf("BITOP AND stored %q", v)
		}
		if n, err := c.BitOp(ctx, "NOT", dst, b); err != nil || n != 1 {
			t.Fatalf("BitOp NOT = %d, %v; want 1", n, err)
		}
		if v, _ := c.Get(ctx, dst); v != "\x00" {
			t.Fatalf("BITOP NOT stored %q", v)
		}

		wantArgs(t, redis.BitCount("k", redis.BitCountOptions{Range: &redis.BitCountRange{Start: 0, End: 5, Byte: true}}), "BITCOUNT", "k", "0", "5", "BYTE")
		wantBuildError(t, redis.BitCount("k", redis.BitCountOptions{Range: &redis.BitCountRange{Byte: true, Bit: true}}), "Byte, Bit")
		wantArgs(t, redis.BitOp("xor", "d", "a", "b"), "BITOP", "XOR", "d", "a", "b")
		wantArgs(t, redis.BitOp("ANDOR", "d", "a", "b"), "BITOP", "ANDOR", "d", "a", "b")
		wantBuildError(t, redis.BitOp("NAND", "d", "a"), "operation must be one of")
		wantArgs(t, redis.BitPos("k", 1), "BITPOS", "k", "1")
		wantArgs(t, redis.BitPos("k", 0, redis.BitPosOptions{Start: 2}), "BITPOS", "k", "0", "2")
		end = 9
		wantArgs(t, redis.BitPos("k", 0, redis.BitPosOptions{End: &end, Byte: true}), "BITPOS", "k", "0", "0", "9", "BYTE")
		wantBuildError(t, redis.BitPos("k", 2), "bit must be 0 or 1")
		wantBuildError(t, redis.BitPos("k", 1, redis.BitPosOptions{Start: 1, Bit: true}), "need End")
		wantArgs(t, redis.SetBit("k", 3, 1), "SETBIT", "k", "3", "1")
	})
}

// TestBitmapBitOpNew runs the BITOP operations added in Redis 8.2.
func TestBitmapBitOpNew(t *testing.T) {
	ctx := context.Background()
	withClients(t, func(t *testing.T, c *redis.Client) {
		wantArgs(t, redis.BitOp("DIFF", "d", "a", "b"), "BITOP", "DIFF", "d", "a", "b")
		wantArgs(t, redis.BitOp("one", "d", "a", "b"), "BITOP", "ONE", "d", "a", "b")
		a, b, dst := key(t, "x"), key(t, "y"), key(t, "dst")
		requireSupport(t, c, "BITOP DIFF (Redis 8.2)", "BITOP", "DIFF", dst, a, b)
		if err := c.MSet(ctx, redis.KeyValue{Key: a, Value: "\x0f"}, redis.KeyValue{Key: b, Value: "\x03"}); err != nil {
			t.Fatal(err)
		}
		if n, err := c.BitOp(ctx, "DIFF", dst, a, b); err != nil || n != 1 {
			t.Fatalf("BitOp DIFF = %d, %v", n, err)
		}
		if v, _ := c.Get(ctx, dst); v != "\x0c" {
			t.Fatalf("BITOP DIFF stored %q, want \\x0c", v)
		}
	})
}

func TestBitmapBitField(t *testing.T) {
	ctx := context.Background()
	withClients(t, func(t *testing.T, c *redis.Client) {
		k := key(t, "bf")
		got, err := c.BitField(ctx, k,
			redis.BitFieldSet("u8", 0, 200),
			redis.BitFieldGet("u8", 0),
			redis.BitFieldIncrBy("u8", 0, 100), // wraps: 300 mod 256
			redis.BitFieldOverflow("sat"),
			redis.BitFieldIncrBy("u8", 0, 1000),
			redis.BitFieldOverflow("FAIL"),
			redis.BitFieldIncrBy("u8", 0, 1),
			redis.BitFieldSet("i8", 1, -3).Scaled(),
			redis.BitFieldGet("i8", 8),
		)
		if err != nil {
			t.Fatal(err)
		}
		v := func(n int64) redis.Null[int64] { return redis.Null[int64]{V: n, Valid: true} }
		want := []redis.Null[int64]{v(0), v(200), v(44), v(255), {}, v(0), v(-3)}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("BitField = %+v\nwant %+v", got, want)
		}
		ro, err := c.BitFieldRO(ctx, k, redis.BitFieldGet("u8", 0), redis.BitFieldGet("u4", 1).Scaled())
		if err != nil {
			t.Fatal(err)
		}
		// byte 1 is -3 = 0xfd: its second nibble (bits 12..15) is 0xd.
		if !reflect.DeepEqual(ro, []int64{255, 0xf}) {
			t.Fatalf("BitFieldRO = %v, want [255 15]", ro)
		}

		wantArgs(t, redis.BitField("k", redis.BitFieldGet("i5", 100), redis.BitFieldOverflow("wrap"), redis.BitFieldIncrBy("u2", 3, -1)),
			"BITFIELD", "k", "GET", "i5", "100", "OVERFLOW", "WRAP", "INCRBY", "u2", "3", "-1")
		wantArgs(t, redis.BitFieldRO("k", redis.BitFieldGet("u8", 0), redis.BitFieldGet("i64", 8)), "BITFIELD_RO", "k", "GET", "u8", "0", "GET", "i64", "8")
		// #offset is outside the spec's grammar (which types offsets as
		// integers), so it is checked on the encoding alone.
		cmd := redis.BitField("k", redis.BitFieldSet("u8", 2, 9).Scaled())
		if got := argsOf(t, cmd); !reflect.DeepEqual(got, []string{"BITFIELD", "k", "SET", "u8", "#2", "9"}) {
			t.Fatalf("scaled offset encodes %q", got)
		}
		wantBuildError(t, redis.BitFieldRO("k", redis.BitFieldSet("u8", 0, 1)), "only GET")
		wantBuildError(t, redis.BitField("k", redis.BitFieldGet("u64", 0)), "bad encoding")
		wantBuildError(t, redis.BitField("k", redis.BitFieldGet("i65", 0)), "bad encoding")
		wantBuildError(t, redis.BitField("k", redis.BitFieldGet("x8", 0)), "bad encoding")
		wantBuildError(t, redis.BitField("k", redis.BitFieldOverflow("CLAMP")), "overflow mode")
		wantBuildError(t, redis.BitField("k", redis.BitFieldOp{}), "zero BitFieldOp")
		wantBuildError(t, redis.BitField("k", redis.BitFieldGet("u8", -1)), "negative offset")
	})
}
