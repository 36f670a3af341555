package redis

import "testing"

func TestChoiceDoesNotAllocate(t *testing.T) {
	b := new(builder)
	b.begin(cmdInfo("GET"))
	n := testing.AllocsPerRun(100, func() { b.choice("km", "unit", "m", "km", "ft", "mi") })
	if n != 0 {
		t.Fatalf("choice allocates %v times", n)
	}
}
