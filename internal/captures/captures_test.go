package captures

import (
	"bytes"
	"testing"
)

// TestLoad reads every case of every module and both replies through
// resp's Reader, and checks what the index says about them.
func TestLoad(t *testing.T) {
	want := map[string]int{"bloom": 77, "json": 125, "search": 42, "timeseries": 48, "vectorset": 59}
	for _, m := range Modules {
		cases, err := Load(m)
		if err != nil {
			t.Fatal(err)
		}
		if len(cases) != want[m] {
			t.Errorf("%s: %d cases, want %d", m, len(cases), want[m])
		}
		for _, c := range cases {
			if len(c.Args) == 0 {
				t.Errorf("%s: %s: no arguments", m, c.Name)
			}
			if got := bytes.Equal(c.RESP2, c.RESP3); got != c.Same {
				t.Errorf("%s: %s: replies equal = %v, index says %v", m, c.Name, got, c.Same)
			}
			for _, proto := range []int{2, 3} {
				v, err := c.Reply(proto)
				if err != nil {
					t.Error(err)
					continue
				}
				if v.IsError() != c.IsError(proto) {
					t.Errorf("%s: %s: RESP%d reply is an error = %v, index says %v", m, c.Name, proto, v.IsError(), c.IsError(proto))
				}
			}
			if len(c.Command()) == 0 || len(c.Strings()) != len(c.Args) {
				t.Errorf("%s: %s: cannot encode the command", m, c.Name)
			}
		}
	}
	if _, err := Load("nosuch"); err == nil {
		t.Error("Load of an unknown module succeeded")
	}
	vs, err := Load("vectorset")
	if err != nil {
		t.Fatal(err)
	}
	binary := 0
	for _, c := range vs {
		for _, a := range c.Args {
			if b, ok := a.([]byte); ok && len(b)%4 == 0 {
				binary++
			}
		}
	}
	if binary == 0 {
		t.Error("no binary (float32 vector) argument found in the vectorset captures")
	}
	if s, err := Setup("json"); err != nil || len(s) == 0 {
		t.Errorf("Setup(json) = %v, %v", s, err)
	}
}
