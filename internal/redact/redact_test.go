package redact

import (
	"fmt"
	"testing"
)

type printable struct {
	Name     string
	Password string
}

type opts struct{ p printable }

func (o opts) Format(f fmt.State, verb rune) { Format(f, verb, o.p, "pkg.Options") }

func TestFormat(t *testing.T) {
	o := opts{printable{"a", Secret}}
	for verb, want := range map[string]string{
		"%v":  "{a <redacted>}",
		"%+v": "{Name:a Password:<redacted>}",
		"%s":  "{a <redacted>}",
		"%#v": `pkg.Options{Name:"a", Password:"<redacted>"}`,
	} {
		if got := fmt.Sprintf(verb, o); got != want {
			t.Errorf("%s: %s, want %s", verb, got, want)
		}
	}
}
