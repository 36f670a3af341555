package search

import (
	"math"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

var hostile = []string{
	"sci-fi", "rock & roll", "a,b", "a b", "{x}", "x}|@title:{y", "a|b", `say "hi"`, `it's`,
	`back\slash`, `trail\`, "@genre", "-not", "~opt", "(paren)", "[1 2]", "$param", "100%",
	"*", "=>[KNN 1 @v $B]", "tab\there", "new\nline", "naïve café", "東京", "emoji 🎬", ":", ";",
	"<b>", "a.b", "!", "?", "#", "^", "+", "=", "/", "'", "`",
}

// unescape reads an escaped value back, and reports whether every ASCII
// byte that is not a letter, digit or underscore was escaped.
func unescape(s string) (string, bool) {
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' {
			if i+1 == len(s) {
				return "", false // a dangling backslash would escape what follows
			}
			i++
			sb.WriteByte(s[i])
			continue
		}
		if needsEscape(c) {
			return "", false
		}
		sb.WriteByte(c)
	}
	return sb.String(), true
}

func TestEscapeTextAndTag(t *testing.T) {
	for _, v := range hostile {
		for name, esc := range map[string]func(string) string{"EscapeText": EscapeText, "EscapeTag": EscapeTag} {
			e := esc(v)
			back, ok := unescape(e)
			if !ok || back != v {
				t.Errorf("%s(%q) = %q: unescapes to %q (all special escaped: %v)", name, v, e, back, ok)
			}
			if !utf8.ValidString(e) && utf8.ValidString(v) {
				t.Errorf("%s(%q) = %q: broke UTF-8", name, v, e)
			}
		}
	}
	if got := EscapeText("hello"); got != "hello" {
		t.Errorf("plain word changed: %q", got)
	}
	if got := EscapeTag("rock & roll, live"); got != `rock\ \&\ roll\,\ live` {
		t.Errorf("EscapeTag = %q", got)
	}
}

// splitTag splits the braces of "@field:{v1 | v2}" on unescaped " | ".
func splitTag(t *testing.T, q, fieldName string) []string {
	t.Helper()
	prefix := "@" + fieldName + ":{"
	if !strings.HasPrefix(q, prefix) || !strings.HasSuffix(q, "}") {
		t.Fatalf("%q is not a tag query on %s", q, fieldName)
	}
	body := q[len(prefix) : len(q)-1]
	var parts []string
	start := 0
	for i := 0; i < len(body); i++ {
		switch body[i] {
		case '\\':
			i++
		case '}', '{':
			t.Fatalf("%q: unescaped brace inside the tag query", q)
		case ' ':
			if !strings.HasPrefix(body[i:], " | ") {
				t.Fatalf("%q: unescaped space inside a value", q)
			}
			parts = append(parts, body[start:i])
			i += 2
			start = i + 1
		}
	}
	return append(parts, body[start:])
}

func TestTagCannotBeBrokenOut(t *testing.T) {
	q := Tag("genre", hostile...)
	if q.Err() != nil {
		t.Fatal(q.Err())
	}
	parts := splitTag(t, q.String(), "genre")
	if len(parts) != len(hostile) {
		t.Fatalf("%d values became %d: %q", len(hostile), len(parts), q)
	}
	for i, p := range parts {
		if back, ok := unescape(p); !ok || back != hostile[i] {
			t.Errorf("value %q became %q", hostile[i], back)
		}
	}
	if got := Tag("genre", "action").String(); got != "@genre:{action}" {
		t.Errorf("Tag = %q", got)
	}
	if got := Tag("my field", "a b").String(); got != `@my\ field:{a\ b}` {
		t.Errorf("Tag with odd field name = %q", got)
	}
	for _, bad := range []Expr{Tag("genre"), Tag("", "x"), Tag("genre", "")} {
		if bad.Err() == nil {
			t.Errorf("accepted: %q", bad)
		}
	}
}

// isTermRune reports whether r may appear in a term Terms makes.
func isTermRune(r rune) bool {
	return r == '_' || r >= utf8.RuneSelf && !unicode.IsSpace(r) ||
		r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}

func TestTermsAreTokens(t *testing.T) {
	for _, v := range hostile {
		// The terms are the maximal runs of term characters of v, joined
		// by single spaces: nothing else, so no syntax.
		var want []string
		cur := ""
		for _, r := range v {
			if isTermRune(r) {
				cur += string(r)
				continue
			}
			if cur != "" {
				want = append(want, cur)
			}
			cur = ""
		}
		if cur != "" {
			want = append(want, cur)
		}
		q := Terms(v)
		if len(want) == 0 {
			if q.Err() == nil {
				t.Errorf("Terms(%q) = %q, want an error (no words)", v, q)
			}
			continue
		}
		if q.Err() != nil {
			t.Errorf("Terms(%q): %v", v, q.Err())
			continue
		}
		if got := q.String(); got != strings.Join(want, " ") {
			t.Errorf("Terms(%q) = %q, want %q", v, got, strings.Join(want, " "))
		}
		if p := Phrase(v).String(); p != `"`+strings.Join(want, " ")+`"` {
			t.Errorf("Phrase(%q) = %q", v, p)
		}
	}
	for in, want := range map[string]string{
		"the matrix": "the matrix", "x-men|@year": "x men year", "naïve café": "naïve café",
		"  spaced\tout  ": "spaced out", "東京 タワー": "東京 タワー", "snake_case": "snake_case",
	} {
		if got := Terms(in).String(); got != want {
			t.Errorf("Terms(%q) = %q, want %q", in, got, want)
		}
	}
	if Terms("  ").Err() == nil || Phrase("--").Err() == nil {
		t.Error("no words accepted")
	}
	if got := Phrase(`a "b" c`).String(); got != `"a b c"` {
		t.Errorf("Phrase = %q", got)
	}
	if got := In("title", Terms("x-men")).String(); got != `@title:(x men)` {
		t.Errorf("In = %q", got)
	}
	if got := In("my-field", Terms("x")).String(); got != `@my\-field:(x)` {
		t.Errorf("In = %q", got)
	}
	if got := Prefix("mat").String(); got != "mat*" {
		t.Errorf("Prefix = %q", got)
	}
}

func TestRangesAndGeo(t *testing.T) {
	cases := map[string]Expr{
		"@year:[1990 2000]":          Range("year", Inclusive(1990), Inclusive(2000)),
		"@year:[(1990 (2000]":        Range("year", Exclusive(1990), Exclusive(2000)),
		"@p:[-inf +inf]":             Range("p", NegInf, PosInf),
		"@p:[-inf (+inf]":            Range("p", Inclusive(math.Inf(-1)), Exclusive(math.Inf(1))),
		"@p:[-0.001 123456789]":      Range("p", Inclusive(-0.001), Inclusive(123456789)),
		"@year:[$lo $hi]":            Range("year", ParamBound("lo"), ParamBound("hi")),
		"@year:[7 7]":                Equal("year", 7),
		"@loc:[-122.41 37.77 10 km]": GeoRadius("loc", -122.41, 37.77, 10, Kilometers),
		"@loc:[1 2 3 ft]":            GeoRadius("loc", 1, 2, 3, Feet),
	}
	for want, e := range cases {
		if e.Err() != nil || e.String() != want {
			t.Errorf("got %q (%v), want %q", e, e.Err(), want)
		}
	}
	for _, bad := range []Expr{
		Range("p", Inclusive(math.NaN()), PosInf), Range("p", Bound{}, PosInf), Range("p", ParamBound("a b"), PosInf),
		GeoRadius("loc", math.Inf(1), 0, 1, Meters), GeoRadius("loc", 0, 0, 1, "yards"),
	} {
		if bad.Err() == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

func TestCombinators(t *testing.T) {
	a, b := Terms("x"), Tag("t", "v")
	if got := And(a, b).String(); got != "x @t:{v}" {
		t.Errorf("And = %q", got)
	}
	if got := Or(And(a, Terms("y")), b).String(); got != "((x y) | @t:{v})" {
		t.Errorf("Or = %q", got)
	}
	if got := Or(a).String(); got != "x" {
		t.Errorf("Or of one = %q", got)
	}
	if got := Not(b).String(); got != "-(@t:{v})" {
		t.Errorf("Not = %q", got)
	}
	if got := Optional(a).String(); got != "~(x)" {
		t.Errorf("Optional = %q", got)
	}
	for _, bad := range []Expr{And(), Or(), And(a, Expr{}), Not(Expr{}), Or(a, Tag("t")), Optional(Expr{})} {
		if bad.Err() == nil {
			t.Errorf("accepted %q", bad)
		}
	}
	knn := KNN{Filter: Tag("genre", "sci fi"), K: 5, Field: "vec", Param: "B", EFRuntime: 20, ScoreAs: "dist"}.Expr()
	if got := knn.String(); got != `(@genre:{sci\ fi})=>[KNN 5 @vec $B EF_RUNTIME 20 AS dist]` {
		t.Errorf("KNN = %q", got)
	}
	if got := (KNN{K: 1, Field: "v", Param: "q"}).Expr().String(); got != "*=>[KNN 1 @v $q]" {
		t.Errorf("KNN = %q", got)
	}
	for _, bad := range []KNN{{K: 1, Param: "q"}, {K: 1, Field: "v"}, {K: 1, Field: "v", Param: "$q"}, {K: 1, Field: "v", Param: "q", Filter: Tag("t")}, {K: 1, Field: "v", Param: "q", ScoreAs: "a b"}} {
		if bad.Expr().Err() == nil {
			t.Errorf("accepted %+v", bad)
		}
	}
}

func FuzzEscapeTag(f *testing.F) {
	for _, v := range hostile {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if v == "" {
			return
		}
		back, ok := unescape(EscapeTag(v))
		if !ok || back != v {
			t.Fatalf("EscapeTag(%q) reads back as %q (%v)", v, back, ok)
		}
		parts := splitTag(t, Tag("f", v, v).String(), "f")
		if len(parts) != 2 {
			t.Fatalf("two values %q became %d", v, len(parts))
		}
	})
}

func FuzzTerms(f *testing.F) {
	for _, v := range hostile {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if !utf8.ValidString(v) {
			return
		}
		q := Terms(v)
		if q.Err() != nil {
			return
		}
		for i, w := range strings.Split(q.String(), " ") {
			if w == "" {
				t.Fatalf("Terms(%q) = %q: empty term %d", v, q, i)
			}
			for _, r := range w {
				if !isTermRune(r) {
					t.Fatalf("Terms(%q) = %q: %q in a term", v, q, r)
				}
			}
		}
	})
}
