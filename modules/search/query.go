package search

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Expr is a piece of RediSearch query syntax: the query string of
// FT.SEARCH, FT.AGGREGATE and FT.EXPLAIN, or a part of one. The
// constructors in this file (Terms, Tag, Range, GeoRadius, KNN, And, Or,
// Not, ...) escape what they are given, so user text placed in a query
// cannot change its structure; Raw takes query syntax as it is.
//
// The zero Expr is the empty query. An Expr built from bad input (an empty
// tag list, a NaN bound, ...) carries an error instead of text: the
// command it ends up in is not sent, and running it returns that error.
type Expr struct {
	text string
	err  error
}

// All is the query that matches every document of the index: "*".
var All = Expr{text: "*"}

// Raw returns query syntax written by hand, unchanged. Never build a Raw
// query by pasting user input into it; use Terms, Tag and the other
// constructors, or PARAMS (Query.Param) with a DIALECT of 2 or more.
func Raw(query string) Expr { return Expr{text: query} }

// String returns the query text (empty when e carries an error).
func (e Expr) String() string { return e.text }

// Err returns the error that a constructor found in its input, or nil.
func (e Expr) Err() error { return e.err }

func exprError(format string, args ...any) Expr {
	return Expr{err: fmt.Errorf("search: "+format, args...)}
}

// firstErr returns the first error among parts.
func firstErr(parts []Expr) error {
	for _, p := range parts {
		if p.err != nil {
			return p.err
		}
	}
	return nil
}

// escape puts a backslash before every ASCII byte that is not a letter, a
// digit or an underscore: spaces, punctuation and control characters are
// the separators and operators of the query syntax (in TEXT and in TAG
// values alike), and an escaped one is an ordinary character. Bytes of
// multi-byte UTF-8 characters are left alone: the tokenizer splits only on
// ASCII.
func escape(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if needsEscape(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	var sb strings.Builder
	sb.Grow(len(s) + n)
	for i := 0; i < len(s); i++ {
		if needsEscape(s[i]) {
			sb.WriteByte('\\')
		}
		sb.WriteByte(s[i])
	}
	return sb.String()
}

func needsEscape(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_':
		return false
	case c >= 0x80:
		return false
	}
	return true
}

// EscapeText escapes s for use as one literal term of a query: every space
// and ASCII punctuation character gets a backslash, so "@", "|", "-",
// quotes and brackets are read as text, not operators, and "hello-world"
// stays one term. Letters, digits, "_" and non-ASCII characters are
// unchanged. Note that the server splits TEXT fields at punctuation when
// it indexes them, so an escaped term with punctuation matches TAG values
// and suffix-trie fields rather than TEXT words; Terms makes the terms the
// tokenizer makes.
func EscapeText(s string) string { return escape(s) }

// EscapeTag escapes s for use as one value inside a TAG query's braces:
// spaces, commas, "|", braces and every other ASCII punctuation character
// get a backslash, so the value is matched whole and cannot close the
// braces or start another value.
func EscapeTag(s string) string { return escape(s) }

// fieldRef returns "@name" with name escaped.
func fieldRef(name string) string { return "@" + escape(name) }

func checkFieldName(name string) error {
	if name == "" {
		return errors.New("search: empty field name")
	}
	return nil
}

// words splits text into the terms the server's tokenizer makes of it
// when it indexes a TEXT field: runs of letters, digits, "_" and non-ASCII
// characters, split at every space and ASCII punctuation character (and
// at Unicode spaces). The terms hold no query syntax at all.
func words(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool {
		if r < utf8.RuneSelf {
			return needsEscape(byte(r))
		}
		return unicode.IsSpace(r)
	})
}

// Terms returns a full-text query for text, as a user typed it: the terms
// the server's tokenizer makes of it (split at spaces and punctuation,
// which is how the documents' text was indexed), all of which must appear.
// No operator, field name or quote in text survives, so text cannot change
// the query's structure.
//
//	search.Terms("the matrix")  // the matrix
//	search.Terms("x-men|@year") // x men year
func Terms(text string) Expr {
	ws := words(text)
	if len(ws) == 0 {
		return exprError("Terms: no words in %q", text)
	}
	return Expr{text: strings.Join(ws, " ")}
}

// Phrase returns a query for the exact phrase text: its terms (as Terms
// makes them) adjacent and in order, "term term ...".
func Phrase(text string) Expr {
	ws := words(text)
	if len(ws) == 0 {
		return exprError("Phrase: no words in %q", text)
	}
	return Expr{text: `"` + strings.Join(ws, " ") + `"`}
}

// Prefix returns a prefix query: words starting with prefix (escaped),
// "prefix*".
func Prefix(prefix string) Expr {
	if prefix == "" {
		return exprError("Prefix: empty prefix")
	}
	return Expr{text: escape(prefix) + "*"}
}

// In restricts q to one TEXT field: "@field:(q)".
func In(fieldName string, q Expr) Expr {
	if q.err != nil {
		return q
	}
	if err := checkFieldName(fieldName); err != nil {
		return Expr{err: err}
	}
	return Expr{text: fieldRef(fieldName) + ":(" + q.text + ")"}
}

// Tag returns a TAG query matching documents whose field holds any of
// values: "@field:{v1 | v2}", each value escaped with EscapeTag, so a value
// with spaces, commas, braces or pipes is matched whole.
func Tag(fieldName string, values ...string) Expr {
	if err := checkFieldName(fieldName); err != nil {
		return Expr{err: err}
	}
	if len(values) == 0 {
		return exprError("Tag(%q): no values", fieldName)
	}
	esc := make([]string, len(values))
	for i, v := range values {
		if v == "" {
			return exprError("Tag(%q): empty value", fieldName)
		}
		esc[i] = escape(v)
	}
	return Expr{text: fieldRef(fieldName) + ":{" + strings.Join(esc, " | ") + "}"}
}

// Bound is one end of a numeric range: inclusive or exclusive, a number,
// ±infinity or a parameter. The zero Bound is invalid; use the
// constructors.
type Bound struct {
	text string
	err  error
}

// Inclusive is a bound that includes v.
func Inclusive(v float64) Bound { return bound(v, "") }

// Exclusive is a bound that excludes v: "(v".
func Exclusive(v float64) Bound { return bound(v, "(") }

// PosInf and NegInf are the unbounded ends of a range: "+inf" and "-inf".
var (
	PosInf = Bound{text: "+inf"}
	NegInf = Bound{text: "-inf"}
)

// ParamBound is a bound given in PARAMS (DIALECT 2 or more): "$name".
func ParamBound(name string) Bound {
	if err := checkParamName(name); err != nil {
		return Bound{err: err}
	}
	return Bound{text: "$" + name}
}

func bound(v float64, prefix string) Bound {
	switch {
	case math.IsNaN(v):
		return Bound{err: errors.New("search: a range bound is NaN")}
	case math.IsInf(v, 1):
		return Bound{text: prefix + "+inf"}
	case math.IsInf(v, -1):
		return Bound{text: prefix + "-inf"}
	}
	return Bound{text: prefix + formatNumber(v)}
}

// formatNumber writes v in plain decimal, the shortest form that reads
// back exactly: 1990, 7.5, -0.001.
func formatNumber(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func checkParamName(name string) error {
	if name == "" {
		return errors.New("search: empty parameter name")
	}
	for i := 0; i < len(name); i++ {
		if needsEscape(name[i]) {
			return fmt.Errorf("search: parameter name %q: only letters, digits and _", name)
		}
	}
	return nil
}

// Range returns a NUMERIC query: documents whose field lies between min
// and max, "@field:[min max]".
//
//	search.Range("year", search.Inclusive(1990), search.Exclusive(2000)) // @year:[1990 (2000]
//	search.Range("price", search.NegInf, search.Inclusive(10))          // @price:[-inf 10]
func Range(fieldName string, min, max Bound) Expr {
	if err := checkFieldName(fieldName); err != nil {
		return Expr{err: err}
	}
	for _, b := range []Bound{min, max} {
		if b.err != nil {
			return Expr{err: b.err}
		}
		if b.text == "" {
			return exprError("Range(%q): zero Bound (use Inclusive, Exclusive, PosInf, NegInf or ParamBound)", fieldName)
		}
	}
	return Expr{text: fieldRef(fieldName) + ":[" + min.text + " " + max.text + "]"}
}

// Equal is Range(field, Inclusive(v), Inclusive(v)).
func Equal(fieldName string, v float64) Expr {
	return Range(fieldName, Inclusive(v), Inclusive(v))
}

// GeoUnit is the unit of a geo radius: Meters, Kilometers, Miles or Feet.
type GeoUnit string

// The units of a geo radius.
const (
	Meters     GeoUnit = "m"
	Kilometers GeoUnit = "km"
	Miles      GeoUnit = "mi"
	Feet       GeoUnit = "ft"
)

func checkUnit(u GeoUnit) error {
	switch u {
	case Meters, Kilometers, Miles, Feet:
		return nil
	}
	return fmt.Errorf("search: geo unit %q: want m, km, mi or ft", string(u))
}

func checkFinite(what string, vs ...float64) error {
	for _, v := range vs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("search: %s: %v is not a finite number", what, v)
		}
	}
	return nil
}

// GeoRadius returns a GEO query: documents whose field lies within radius
// of (lon, lat), "@field:[lon lat radius unit]".
func GeoRadius(fieldName string, lon, lat, radius float64, unit GeoUnit) Expr {
	if err := checkFieldName(fieldName); err != nil {
		return Expr{err: err}
	}
	if err := checkFinite("GeoRadius", lon, lat, radius); err != nil {
		return Expr{err: err}
	}
	if err := checkUnit(unit); err != nil {
		return Expr{err: err}
	}
	return Expr{text: fieldRef(fieldName) + ":[" + formatNumber(lon) + " " + formatNumber(lat) + " " +
		formatNumber(radius) + " " + string(unit) + "]"}
}

// And returns the intersection of parts: each must match, "a b c".
func And(parts ...Expr) Expr { return combine("And", " ", parts) }

// Or returns the union of parts: any may match, "(a | b | c)". A part
// with several terms is grouped in parentheses first.
func Or(parts ...Expr) Expr {
	e := combine("Or", " | ", parts)
	if e.err != nil || len(parts) == 1 {
		return e
	}
	return Expr{text: "(" + e.text + ")"}
}

func combine(name, sep string, parts []Expr) Expr {
	if err := firstErr(parts); err != nil {
		return Expr{err: err}
	}
	if len(parts) == 0 {
		return exprError("%s: no parts", name)
	}
	texts := make([]string, len(parts))
	for i, p := range parts {
		if p.text == "" {
			return exprError("%s: part %d is empty", name, i)
		}
		texts[i] = p.text
		if sep != " " && strings.ContainsRune(p.text, ' ') {
			texts[i] = "(" + p.text + ")" // an intersection inside a union
		}
	}
	return Expr{text: strings.Join(texts, sep)}
}

// Not negates q: documents that do not match it, "-(q)".
func Not(q Expr) Expr {
	if q.err != nil {
		return q
	}
	if q.text == "" {
		return exprError("Not: empty query")
	}
	return Expr{text: "-(" + q.text + ")"}
}

// Optional marks q as optional: documents matching it rank higher, but it
// does not filter, "~(q)".
func Optional(q Expr) Expr {
	if q.err != nil {
		return q
	}
	if q.text == "" {
		return exprError("Optional: empty query")
	}
	return Expr{text: "~(" + q.text + ")"}
}

// KNN is a K-nearest-neighbours vector query over a VECTOR field: the K
// documents (of those matching Filter) whose vector is closest to the one
// passed in PARAMS under Param. It needs DIALECT 2 or more; the vector is
// passed with Query.Param(name, EncodeFloat32(v)) (or EncodeFloat64, to
// match the field's TYPE).
type KNN struct {
	// Filter restricts the candidates; the zero Expr means All ("*").
	Filter Expr
	// K is the number of neighbours (at least 1).
	K int
	// Field is the VECTOR field, without "@".
	Field string
	// Param is the name of the PARAMS entry holding the query vector,
	// without "$".
	Param string
	// EFRuntime, when above 0, sets EF_RUNTIME (HNSW fields only).
	EFRuntime int
	// ScoreAs, when set, names the distance in the results ("AS name";
	// letters, digits and _), to RETURN it or SORTBY it; otherwise the
	// server calls it "__<field>_score".
	ScoreAs string
}

// Expr returns the query: "(filter)=>[KNN k @field $param [EF_RUNTIME n] [AS
// name]]", with "*" as the filter when there is none.
func (k KNN) Expr() Expr {
	if k.Filter.err != nil {
		return k.Filter
	}
	if k.K < 1 {
		return exprError("KNN: K is %d, want at least 1", k.K)
	}
	if err := checkFieldName(k.Field); err != nil {
		return Expr{err: err}
	}
	if err := checkParamName(k.Param); err != nil {
		return Expr{err: err}
	}
	if k.ScoreAs != "" {
		if err := checkParamName(k.ScoreAs); err != nil {
			return exprError("KNN ScoreAs %q: only letters, digits and _", k.ScoreAs)
		}
	}
	var sb strings.Builder
	switch k.Filter.text {
	case "", "*":
		sb.WriteString("*")
	default:
		sb.WriteString("(" + k.Filter.text + ")")
	}
	sb.WriteString("=>[KNN " + strconv.Itoa(k.K) + " " + fieldRef(k.Field) + " $" + k.Param)
	if k.EFRuntime > 0 {
		sb.WriteString(" EF_RUNTIME " + strconv.Itoa(k.EFRuntime))
	}
	if k.ScoreAs != "" {
		sb.WriteString(" AS " + k.ScoreAs)
	}
	sb.WriteString("]")
	return Expr{text: sb.String()}
}
