package slot

import (
	"strings"
	"testing"
)

// TestCRC16 checks the check value of CRC16/XMODEM, the test vector of the
// Redis Cluster specification, and the table against a bitwise reference.
func TestCRC16(t *testing.T) {
	if got := crc16("123456789"); got != 0x31C3 {
		t.Errorf("crc16(\"123456789\") = %#04x, want 0x31c3", got)
	}
	if got := crc16([]byte("123456789")); got != 0x31C3 {
		t.Errorf("crc16([]byte(\"123456789\")) = %#04x, want 0x31c3", got)
	}
	if got := crc16(""); got != 0 {
		t.Errorf("crc16(\"\") = %#04x, want 0", got)
	}
	bitwise := func(s string) uint16 {
		var crc uint16
		for i := 0; i < len(s); i++ {
			crc ^= uint16(s[i]) << 8
			for range 8 {
				if crc&0x8000 != 0 {
					crc = crc<<1 ^ 0x1021
				} else {
					crc <<= 1
				}
			}
		}
		return crc
	}
	for _, s := range []string{"a", "foo", "bar", "\x00\xff\x80", strings.Repeat("xyz", 100)} {
		if got, want := crc16(s), bitwise(s); got != want {
			t.Errorf("crc16(%q) = %#04x, bitwise %#04x", s, got, want)
		}
	}
}

// TestOf checks slots of known keys (as CLUSTER KEYSLOT of a Redis 7.0 server
// reports them) and the
// hash tag rules.
func TestOf(t *testing.T) {
	tests := []struct {
		key  string
		slot int
	}{
		{"", 0},
		{"foo", 12182},
		{"bar", 5061},
		{"hello", 866},
		{"123456789", 0x31C3},
		{"{user1000}.following", 3443},
		{"{user1000}.followers", 3443},
		{"user1000", 3443},
		{"{}", 15257}, // empty tag: the whole key "{}"
		{"{", 4092},   // no closing brace
		{"}{", 12793}, // '}' before '{' does not close anything
		{"foo{}{bar}", 8363},
		{"foo{{bar}}zap", 4015},
	}
	for _, tt := range tests {
		if got := Of(tt.key); got != tt.slot {
			t.Errorf("Of(%q) = %d, want %d", tt.key, got, tt.slot)
		}
		if got := OfBytes([]byte(tt.key)); got != tt.slot {
			t.Errorf("OfBytes(%q) = %d, want %d", tt.key, got, tt.slot)
		}
	}
	// The hash tag rules of the cluster specification.
	same := [][2]string{
		{"{user1000}.following", "user1000"},
		{"foo{bar}", "bar"},
		{"foo{bar}{zap}", "bar"},     // only the first tag counts
		{"foo{{bar}}zap", "{bar"},    // the tag runs from the first '{' to the first '}'
		{"foo{bar}}zap", "bar"},      // a second '}' changes nothing
		{"{a}{b}", "a"},              //
		{"x{y}", "y"},                //
		{"foo{}{bar}", "foo{}{bar}"}, // empty first tag: the whole key
		{"foo{", "foo{"},             // unclosed: the whole key
		{"foo}bar{", "foo}bar{"},     // no '}' after the '{'
		{"{}bar", "{}bar"},           //
	}
	for _, p := range same {
		if got, want := Of(p[0]), int(crc16(p[1])%Count); got != want {
			t.Errorf("Of(%q) = %d, want the slot of %q (%d)", p[0], got, p[1], want)
		}
		if got, want := hashPart(p[0]), p[1]; got != want {
			t.Errorf("hashPart(%q) = %q, want %q", p[0], got, want)
		}
	}
	if Of("foo{}{bar}") == Of("bar") {
		t.Error(`"foo{}{bar}" hashes like "bar"`)
	}
}

// TestOfZeroAllocs checks that neither function allocates.
func TestOfZeroAllocs(t *testing.T) {
	key := []byte("{user1000}.following")
	var sink int
	if n := testing.AllocsPerRun(100, func() { sink += Of("{user1000}.following") + OfBytes(key) }); n != 0 {
		t.Errorf("%v allocations per run", n)
	}
	_ = sink
}

func BenchmarkOf(b *testing.B) {
	for _, key := range []string{"foo", "{user1000}.following", strings.Repeat("k", 64)} {
		b.Run(key[:min(len(key), 16)], func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(key)))
			for b.Loop() {
				Of(key)
			}
		})
	}
}

func BenchmarkOfBytes(b *testing.B) {
	key := []byte("{user1000}.following")
	b.ReportAllocs()
	b.SetBytes(int64(len(key)))
	for b.Loop() {
		OfBytes(key)
	}
}

// FuzzOf checks that Of and OfBytes agree, stay in range, and hash the tag
// alone when there is one.
func FuzzOf(f *testing.F) {
	for _, s := range []string{"", "foo", "{user1000}.following", "foo{}{bar}", "foo{{bar}}zap", "{", "}{", "{a}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, key string) {
		s := Of(key)
		if s < 0 || s >= Count {
			t.Fatalf("Of(%q) = %d out of range", key, s)
		}
		if b := OfBytes([]byte(key)); b != s {
			t.Fatalf("Of(%q) = %d, OfBytes = %d", key, s, b)
		}
		if i := strings.IndexByte(key, '{'); i >= 0 {
			if j := strings.IndexByte(key[i+1:], '}'); j > 0 {
				if tag := key[i+1 : i+1+j]; int(crc16(tag)%Count) != s {
					t.Fatalf("Of(%q) = %d, the tag %q hashes to %d", key, s, tag, crc16(tag)%Count)
				}
			}
		}
	})
}
