package main

import "testing"

// TestKeySlot checks the slot computation the cluster pre-population
// relies on against what CLUSTER KEYSLOT answers (redis 7.0).
func TestKeySlot(t *testing.T) {
	if got := crc16("123456789"); got != 0x31C3 {
		t.Errorf("crc16(123456789) = %#x, want 0x31c3", got)
	}
	for key, want := range map[string]int{
		"foo":                  12182,
		"bar":                  5061,
		"hello":                866,
		"{user1000}.following": 3443,
		"foo{}{bar}":           8363, // empty tag: the whole key
		"foo{{bar}}zap":        4015, // tag "{bar"
		"foo{bar}{zap}":        5061, // first tag only
		"respkit-bench:k:0000": 7308,
		"respkit-bench:big":    7360,
	} {
		if got := keySlot(key); got != want {
			t.Errorf("keySlot(%q) = %d, want %d", key, got, want)
		}
	}
}
