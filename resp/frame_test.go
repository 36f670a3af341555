package resp

import (
	"strings"
	"testing"
)

func TestBufferedValue(t *testing.T) {
	whole := []string{
		"+OK\r\n", "-ERR x\r\n", ":12\r\n", "$3\r\nabc\r\n", "$-1\r\n", "*-1\r\n", "$0\r\n\r\n",
		"*2\r\n$1\r\na\r\n:1\r\n", "%1\r\n+k\r\n*1\r\n_\r\n", "|1\r\n+a\r\n+b\r\n:5\r\n",
		">2\r\n+invalidate\r\n*1\r\n$2\r\ntk\r\n", ",-nan\r\n", "#t\r\n", "=7\r\ntxt:abc\r\n",
		"*0\r\n", "~1\r\n+x\r\n", "(123\r\n",
	}
	for _, w := range whole {
		for cut := 0; cut <= len(w); cut++ {
			r := NewReader(strings.NewReader(""), Limits{})
			r.w = copy(r.buf, w[:cut])
			got := r.BufferedValue()
			if want := cut == len(w); got != want {
				t.Errorf("%q cut at %d: BufferedValue = %v, want %v", w, cut, got, want)
			}
		}
		// A following value does not change the answer.
		r := NewReader(strings.NewReader(""), Limits{})
		r.w = copy(r.buf, w+"+next\r\n")
		if !r.BufferedValue() {
			t.Errorf("%q followed by another value: not buffered", w)
		}
	}
	for _, bad := range []string{
		"$?\r\n;1\r\na\r\n;0\r\n", "*?\r\n:1\r\n.\r\n", "$9223372036854775807\r\nab\r\n",
		"*9223372036854775807\r\n", "%4611686018427387904\r\n", "$-5\r\n", "x\r\n", "+OK\n",
		strings.Repeat("*1\r\n", 40) + ":1\r\n",
	} {
		r := NewReader(strings.NewReader(""), Limits{})
		r.w = copy(r.buf, bad)
		if r.BufferedValue() {
			t.Errorf("%q: BufferedValue = true, want false", bad)
		}
	}
}
