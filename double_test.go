package redis_test

import (
	"context"
	"math"
	"testing"

	"github.com/respkit/redis"
)

// Fault 11 of issue 10: a script's {double=0/0} makes Redis 7.0 send
// ",-nan" under RESP3 (the C library's spelling). It must read as NaN, not
// as a protocol error that drops the connection, and the connection must
// go on serving commands. Infinities likewise.
func TestScriptDoublesRESP3(t *testing.T) {
	o := commandOptions(t)
	o.Protocol = 3
	c := redis.NewClient(&o)
	t.Cleanup(func() { c.Close() })
	ctx := context.Background()
	k := key(t, "k")
	id, err := c.Do(ctx, "CLIENT", "ID").Int64()
	if err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		script string
		check  func(float64) bool
	}{
		{"return {double=0/0}", math.IsNaN},
		{"return {double=-(0/0)}", math.IsNaN},
		{"return {double=1/0}", func(f float64) bool { return math.IsInf(f, 1) }},
		{"return {double=-1/0}", func(f float64) bool { return math.IsInf(f, -1) }},
		{"return {double=1.5}", func(f float64) bool { return f == 1.5 }},
	}
	for _, tc := range cases {
		v, err := c.Do(ctx, "EVAL", tc.script, 0).Value()
		if err != nil {
			t.Fatalf("EVAL %q: %v", tc.script, err)
		}
		if !tc.check(v.Float()) {
			t.Errorf("EVAL %q = %#v", tc.script, v)
		}
		f, err := c.Do(ctx, "EVAL", tc.script, 0).Float64()
		if err != nil || !tc.check(f) {
			t.Errorf("EVAL %q as Float64: %v, %v", tc.script, f, err)
		}
		// The same connection still serves commands.
		if err := c.Set(ctx, k, "v"); err != nil {
			t.Fatalf("SET after EVAL %q: %v", tc.script, err)
		}
		if s, err := c.Get(ctx, k); err != nil || s != "v" {
			t.Fatalf("GET after EVAL %q: %q, %v", tc.script, s, err)
		}
		if now, err := c.Do(ctx, "CLIENT", "ID").Int64(); err != nil || now != id {
			t.Fatalf("after EVAL %q the client is connection %d (%v), was %d: the connection was dropped", tc.script, now, err, id)
		}
	}
}
