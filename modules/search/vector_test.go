package search

import (
	"bytes"
	"math"
	"reflect"
	"testing"

	"github.com/respkit/redis/internal/captures"
)

func TestEncodeFloat32MatchesRecordedVectors(t *testing.T) {
	// The setup's HSETs and the KNN case sent float32 vectors; their
	// recorded bytes are what EncodeFloat32 must produce.
	setup, err := captures.Setup("search")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]float32{
		"movie:1": {0.1, 0.2, 0.3}, "movie:2": {0.1, 0.25, 0.3}, "movie:3": {0.9, 0.1, 0.0}, "movie:4": {0.2, 0.3, 0.1},
	}
	n := 0
	for _, cmd := range setup {
		if cmd[0] != "HSET" {
			continue
		}
		key := cmd[1].(string)
		blob := cmd[len(cmd)-1].([]byte)
		if got := EncodeFloat32(want[key]); !bytes.Equal(got, blob) {
			t.Errorf("%s: EncodeFloat32 = %x, recorded %x", key, got, blob)
		}
		back, err := DecodeFloat32(blob)
		if err != nil || !reflect.DeepEqual(back, want[key]) {
			t.Errorf("%s: DecodeFloat32 = %v, %v", key, back, err)
		}
		n++
	}
	if n != 4 {
		t.Errorf("%d vectors in the setup, want 4", n)
	}
}

func TestFloat64RoundTrip(t *testing.T) {
	v := []float64{0, -1.5, math.Pi, math.Inf(1), math.SmallestNonzeroFloat64}
	b := EncodeFloat64(v)
	if len(b) != 40 || b[8+7] != 0xbf { // -1.5 = 0xbff8000000000000, little-endian
		t.Errorf("EncodeFloat64 = %x", b)
	}
	back, err := DecodeFloat64(b)
	if err != nil || !reflect.DeepEqual(back, v) {
		t.Errorf("DecodeFloat64 = %v, %v", back, err)
	}
	if _, err := DecodeFloat64(b[:7]); err == nil {
		t.Error("7 bytes decoded as float64s")
	}
	if _, err := DecodeFloat32(b[:6]); err == nil {
		t.Error("6 bytes decoded as float32s")
	}
	if got := EncodeFloat32(nil); len(got) != 0 {
		t.Errorf("EncodeFloat32(nil) = %x", got)
	}
}
