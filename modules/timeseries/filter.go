package timeseries

import (
	"errors"
	"fmt"
	"strings"
)

// Filter is one label expression of TS.MRANGE, TS.MREVRANGE, TS.MGET and
// TS.QUERYINDEX, built by Equal, NotEqual, HasLabel, LacksLabel, In and
// NotIn. A query's filters must all match; the server wants at least one
// Equal or In among them.
//
// The constructors check what they are given, so that a label or value
// cannot change the expression's meaning: a name must be non-empty and
// hold none of = ! ( ) ,; a value must be non-empty, and
// one inside In or NotIn must hold none of ( ) ,; an Equal or NotEqual
// value must not start with "(". A refused Filter makes the command that
// uses it fail before anything is sent. The zero Filter is refused too.
type Filter struct {
	expr string
	err  error
}

// Equal matches series whose label name has value value: "name=value".
func Equal(name, value string) Filter { return single(name, "=", value) }

// NotEqual matches series whose label name is missing or has another
// value: "name!=value".
func NotEqual(name, value string) Filter { return single(name, "!=", value) }

// HasLabel matches series that have label name, with any value:
// "name!=".
func HasLabel(name string) Filter { return bare(name, "!=") }

// LacksLabel matches series that do not have label name: "name=".
func LacksLabel(name string) Filter { return bare(name, "=") }

// In matches series whose label name has one of values:
// "name=(v1,v2,...)". It needs at least one value.
func In(name string, values ...string) Filter { return list(name, "=", values) }

// NotIn matches series whose label name is missing or has none of values:
// "name!=(v1,v2,...)". It needs at least one value.
func NotIn(name string, values ...string) Filter { return list(name, "!=", values) }

// String returns the expression as sent, or "" for a refused Filter.
func (f Filter) String() string { return f.expr }

// Err returns why the Filter was refused, or nil.
func (f Filter) Err() error {
	if f.err == nil && f.expr == "" {
		return errors.New("timeseries: zero Filter (build filters with Equal, In, ...)")
	}
	return f.err
}

func checkName(name string) error {
	if name == "" {
		return errors.New("timeseries: filter: empty label name")
	}
	if strings.ContainsAny(name, "=!(),") {
		return fmt.Errorf("timeseries: filter: label name %q holds one of = ! ( ) ,", name)
	}
	return nil
}

func single(name, op, value string) Filter {
	if err := checkName(name); err != nil {
		return Filter{err: err}
	}
	switch {
	case value == "":
		return Filter{err: fmt.Errorf("timeseries: filter %s%s: empty value (use HasLabel or LacksLabel)", name, op)}
	case strings.HasPrefix(value, "("):
		return Filter{err: fmt.Errorf("timeseries: filter %s%s%s: a value starting with ( reads as a list (use In or NotIn)", name, op, value)}
	}
	return Filter{expr: name + op + value}
}

func bare(name, op string) Filter {
	if err := checkName(name); err != nil {
		return Filter{err: err}
	}
	return Filter{expr: name + op}
}

func list(name, op string, values []string) Filter {
	if err := checkName(name); err != nil {
		return Filter{err: err}
	}
	if len(values) == 0 {
		return Filter{err: fmt.Errorf("timeseries: filter %s%s(): no values", name, op)}
	}
	for _, v := range values {
		if v == "" || strings.ContainsAny(v, "(),") {
			return Filter{err: fmt.Errorf("timeseries: filter %s%s(...): value %q is empty or holds one of ( ) ,", name, op, v)}
		}
	}
	return Filter{expr: name + op + "(" + strings.Join(values, ",") + ")"}
}

// appendFilters adds the expressions, after FILTER when token is not
// empty, refusing an empty list or a refused Filter.
func appendFilters(a *args, token string, filters []Filter) {
	if len(filters) == 0 {
		a.fail(errors.New("timeseries: a query needs at least one filter"))
	}
	if token != "" {
		a.add(token)
	}
	for _, f := range filters {
		a.fail(f.Err())
		a.add(f.expr)
	}
}
