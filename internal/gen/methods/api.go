package main

import (
	"fmt"
	"sort"
)

// API is the hand-made part of one command's Go surface: what the
// generator cannot read from the spec. The argument encoding, the
// parameters, the options struct and the doc comment's syntax line come
// from the spec; the name, the result type and its meaning come from here.
//
// One command may have several API entries (ZRANGE gives ZRange and
// ZRangeWithScores): Fix and Omit shape each variant.
type API struct {
	// Cmd is the command's name in the table: "GET", "CLIENT KILL".
	Cmd string
	// Method is the Go name of the constructor and of the methods.
	Method string
	// Result is the Go type of the decoded reply. Empty means the reply
	// carries no value (OK): methods return only an error.
	Result string
	// Decode is the decoder, func(resp.Value, error) (Result, error).
	// Empty picks the standard one for Result (see decoders).
	Decode string
	// Returns says what the result means, completing "and returns ..." in
	// the doc comment. Empty uses the standard phrase for Result.
	Returns string
	// Doc is an extra paragraph for the doc comment.
	Doc string

	// Args overrides Go types by argument path ("value", "limit.offset",
	// "data.value"). Kinds: "any" (a value: string, []byte, number, bool or
	// encoding.BinaryMarshaler), "int64", "float64", "seconds" and "ms"
	// (time.Duration sent as whole seconds or milliseconds), "fseconds"
	// (time.Duration sent as fractional seconds), "unix" and "unixms"
	// (time.Time), "*int64" (optional number whose zero is meaningful:
	// sent when not nil), or, for a block, the Go struct type name.
	Args map[string]string
	// Names overrides Go names of parameters and fields by argument path.
	Names map[string]string
	// Docs overrides the doc comments of options fields and block struct
	// fields by argument path; the text follows the field's name ("is the
	// maximum number of members to return").
	Docs map[string]string
	// Fix lists optional pure tokens that this method always sends.
	Fix []string
	// Omit lists optional arguments this method does not offer.
	Omit []string
	// Require lists optional top-level arguments this method takes as
	// required parameters (SORT ... STORE destination as SortStore).
	Require []string
	// Block is the path of the argument holding a blocking command's
	// timeout (a time.Duration).
	Block string
	// Opts names the options struct (default Method + "Options").
	Opts string

	// Manual means appendMethod is written by hand, with the parameters
	// Params ("key string, opts []GeoSearchOptions": the variadic one as a
	// slice). The generator then writes only the wrappers.
	Manual bool
	Params string
	// On chooses the receiver: "" for *Client, "conn" for *Conn (commands
	// that change the state of their connection), "none" for commands whose
	// methods are written elsewhere by hand (pub/sub, sentinel). Recv then
	// names the type and method that cover the command ("PubSub.Subscribe").
	On   string
	Recv string
}

// groups maps each command group to its API entries; each api_<group>.go
// registers its own.
var groups = map[string][]API{}

func register(group string, apis ...API) {
	if _, dup := groups[group]; dup {
		panic("methods: group " + group + " registered twice")
	}
	groups[group] = apis
}

// decoders are the standard decoder and "returns" phrase for a result type.
var decoders = map[string]struct{ fn, returns string }{
	"":                  {"asStatus", ""},
	"string":            {"asString", "the reply as a string (ErrNil when it is null)"},
	"[]byte":            {"asBytes", "the reply as bytes (ErrNil when it is null)"},
	"int64":             {"asInt64", "the integer reply"},
	"float64":           {"asFloat64", "the reply as a float64"},
	"bool":              {"asBool", "whether the server replied 1 (true) or 0 (false)"},
	"[]string":          {"asStrings", "the reply's elements as strings"},
	"map[string]string": {"asStringMap", "the reply as a map"},
	"[]int64":           {"asInt64s", "the integers of the reply"},
	"[]bool":            {"asBools", "one bool per element of the reply"},
	"[]float64":         {"asFloat64s", "the numbers of the reply"},
	"[]Null[string]":    {"asNullStrings", "one element per requested item, not Valid where the server sent a null"},
	"time.Duration":     {"", ""},
}

func sortedGroups() []string {
	out := make([]string, 0, len(groups))
	for g := range groups {
		out = append(out, g)
	}
	sort.Strings(out)
	return out
}

func (a *API) decoder() (string, error) {
	if a.Decode != "" {
		return a.Decode, nil
	}
	d, ok := decoders[a.Result]
	if !ok || d.fn == "" {
		return "", fmt.Errorf("%s (%s): no standard decoder for %q; set Decode", a.Method, a.Cmd, a.Result)
	}
	return d.fn, nil
}

func (a *API) returns() string {
	if a.Returns != "" {
		return a.Returns
	}
	return decoders[a.Result].returns
}
