// Package redact prints the client's option structs with their secrets
// hidden: the Format and GoString methods of redis.Options,
// cluster.Options and sentinel.Options print a copy of the options whose
// passwords are replaced ("printable"), through these two functions.
package redact

import (
	"fmt"
	"io"
	"strings"
)

// Secret is printed in place of a password.
const Secret = "<redacted>"

// Format prints printable as fmt would print it for verb, except %#v,
// which prints GoString(printable, goName).
func Format(f fmt.State, verb rune, printable any, goName string) {
	if verb == 'v' && f.Flag('#') {
		io.WriteString(f, GoString(printable, goName))
		return
	}
	fmt.Fprintf(f, fmt.FormatString(f, verb), printable)
}

// GoString returns printable as %#v prints it, named goName (such as
// "redis.Options") instead of its own type's name.
func GoString(printable any, goName string) string {
	s := fmt.Sprintf("%#v", printable)
	if i := strings.IndexByte(s, '{'); i >= 0 {
		return goName + s[i:]
	}
	return s
}
