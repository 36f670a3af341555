package moduletest

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/respkit/redis/internal/captures"
	"github.com/respkit/redis/resp"
)

// recorder is a testing.TB that records what the harness reports instead
// of failing the test that runs it.
type recorder struct {
	testing.TB // nil: calling a method not overridden here panics
	errs, logs []string
	fatal      bool
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func (r *recorder) Logf(format string, args ...any) {
	r.logs = append(r.logs, fmt.Sprintf(format, args...))
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	r.fatal = true
	runtime.Goexit()
}

// record runs fn with a recorder, in a goroutine so that Fatalf can stop
// it.
func record(fn func(testing.TB)) *recorder {
	r := &recorder{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(r)
	}()
	<-done
	return r
}

// reported reports whether some error of r contains each of parts.
func (r *recorder) reported(parts ...string) bool {
	for _, e := range r.errs {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(e, p)
		}
		if all {
			return true
		}
	}
	return false
}

func (r *recorder) logged(s string) bool {
	for _, l := range r.logs {
		if strings.Contains(l, s) {
			return true
		}
	}
	return false
}

// recorded returns the named recorded cases of module.
func recorded(t *testing.T, module string, names ...string) []*captures.Case {
	t.Helper()
	byName := captures.ByName(Load(t, module))
	var out []*captures.Case
	for _, n := range names {
		c := byName[n]
		if c == nil {
			t.Fatalf("no recorded case %s/%s", module, n)
		}
		out = append(out, c)
	}
	return out
}

var errNil = errors.New("nil reply")

// decodeInt is a decoder as a module package writes one: an integer
// reply, a null as errNil, an error reply as its error.
func decodeInt(v resp.Value, err error) (any, error) {
	switch {
	case err != nil:
		return nil, err
	case v.IsError():
		return nil, v.Err()
	case v.IsNull():
		return nil, errNil
	}
	return v.Int(), nil
}

// decodeType decodes any reply to the name of its RESP type.
func decodeType(v resp.Value, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return v.Type().String(), nil
}

func command(t *testing.T, decode func(resp.Value, error) (any, error), args ...any) Built {
	t.Helper()
	b, err := resp.AppendCommand(nil, args...)
	if err != nil {
		t.Fatal(err)
	}
	return Built{Bytes: b, Decode: decode}
}

// intCommand is a Command[int64] as the root's Command[T] would be.
type intCommand struct{ b []byte }

func (c intCommand) Bytes() []byte { return c.b }
func (c intCommand) Err() error    { return nil }
func (c intCommand) Decode(v resp.Value, err error) (int64, error) {
	x, err := decodeInt(v, err)
	if err != nil {
		return 0, err
	}
	return x.(int64), nil
}

func TestBuild(t *testing.T) {
	b := Build[int64](intCommand{b: []byte("x")})
	if string(b.Bytes) != "x" || b.Err != nil {
		t.Errorf("Build: %q %v", b.Bytes, b.Err)
	}
	if v, err := b.Decode(resp.IntValue(7), nil); v != int64(7) || err != nil {
		t.Errorf("Decode: %#v %v", v, err)
	}
}

func TestDecodeAcceptsTheRightExpectations(t *testing.T) {
	cases := recorded(t, "json", "json_del_root", "json_get_wrongtype_err", "json_get_missing_key")
	del := command(t, decodeInt, "JSON.DEL", "doc")
	for name, table := range map[string]map[string]Case{
		"code": {
			"json_del_root":          {Cmd: del, Want: int64(1)},
			"json_get_wrongtype_err": {Cmd: del, Want: Fails(&resp.Error{Msg: "WRONGTYPE"})},
			"json_get_missing_key":   {Cmd: del, Want: Fails(errNil)},
		},
		"whole message": {
			"json_del_root":          {Cmd: del, Want: int64(1), Equal: func(got, want any) bool { return got == want }},
			"json_get_wrongtype_err": {Cmd: del, Want: FailsWith("WRONGTYPE Not a JSON document key")},
			"json_get_missing_key":   {Cmd: del, Want: Fails(errNil)},
		},
	} {
		r := record(func(tb testing.TB) { DecodeCases(tb, cases, table) })
		if len(r.errs) != 0 || !r.logged("decoded 3/3 cases under RESP2 and RESP3") {
			t.Errorf("%s: errors %q, logs %q", name, r.errs, r.logs)
		}
	}
}

func TestDecodeRejectsWrongExpectations(t *testing.T) {
	cases := recorded(t, "json", "json_del_root", "json_get_wrongtype_err", "json_get_missing_key")
	del := command(t, decodeInt, "JSON.DEL", "doc")
	good := map[string]Case{
		"json_del_root":          {Cmd: del, Want: int64(1)},
		"json_get_wrongtype_err": {Cmd: del, Want: Fails(&resp.Error{Msg: "WRONGTYPE"})},
		"json_get_missing_key":   {Cmd: del, Want: Fails(errNil)},
	}
	for _, tc := range []struct {
		name, key string
		c         Case
		want      []string // parts of one reported error
	}{
		{"wrong value", "json_del_root", Case{Cmd: del, Want: int64(2)}, []string{"json_del_root RESP2", "want 2"}},
		{"wrong type", "json_del_root", Case{Cmd: del, Want: 1}, []string{"json_del_root RESP3", "want 1"}},
		{"value for an error", "json_get_wrongtype_err", Case{Cmd: del, Want: int64(0)}, []string{"recorded reply is an error: true"}},
		{"wrong code", "json_get_wrongtype_err", Case{Cmd: del, Want: Fails(&resp.Error{Msg: "ERR"})}, []string{"want an error matching ERR"}},
		{"wrong message", "json_get_wrongtype_err", Case{Cmd: del, Want: FailsWith("WRONGTYPE other")}, []string{`want the server error "WRONGTYPE other"`}},
		{"server error for a null", "json_get_missing_key", Case{Cmd: del, Want: FailsWith("ERR x")}, []string{"recorded reply is an error: false"}},
		{"error for a value", "json_del_root", Case{Cmd: del, Want: Fails(errNil)}, []string{"got 1, want an error matching nil reply"}},
		{"failing check", "json_del_root", Case{Cmd: del, Check: func(any) error { return errors.New("bad shape") }, Agree: func(v any) any { return v }}, []string{"bad shape"}},
		{"want and check", "json_del_root", Case{Cmd: del, Want: int64(1), Check: func(any) error { return nil }}, []string{"exactly one of Want and Check"}},
		{"check without agree", "json_del_root", Case{Cmd: del, Check: func(any) error { return nil }}, []string{"Agree must say"}},
		{"no decoder", "json_del_root", Case{Want: int64(1)}, []string{"no decoder"}},
		{"empty failure", "json_get_wrongtype_err", Case{Cmd: del, Want: Failure{}}, []string{"an empty Failure"}},
		{"failure with agree", "json_get_wrongtype_err", Case{Cmd: del, Want: Fails(&resp.Error{Msg: "WRONGTYPE"}), Agree: func(v any) any { return v }}, []string{"cannot be combined"}},
		{"client errors only, for a value", "json_del_root", Case{Cmd: del, Want: int64(1), ClientErrOnly: "x"}, []string{"ClientErrOnly without a Failure"}},
		{"custom equality", "json_del_root", Case{Cmd: del, Want: int64(1), Equal: func(got, want any) bool { return false }}, []string{"want 1"}},
	} {
		table := map[string]Case{}
		for k, v := range good {
			table[k] = v
		}
		table[tc.key] = tc.c
		r := record(func(tb testing.TB) { DecodeCases(tb, cases, table) })
		if !r.reported(tc.want...) || !r.reported("decoded 2 of 3 cases") || !r.logged("decoded 2/3") {
			t.Errorf("%s: errors %q, logs %q; want one with %q", tc.name, r.errs, r.logs, tc.want)
		}
	}
}

func TestDecodeComparesTheProtocols(t *testing.T) {
	// ts_info is an array under RESP2 and a map under RESP3.
	cases := recorded(t, "timeseries", "ts_info")
	typ := command(t, decodeType, "TS.INFO", "temp:1")
	same := func(any) any { return "" }
	for _, tc := range []struct {
		name string
		c    Case
		want string // a reported error; "" for none
	}{
		{"one value for both", Case{Cmd: typ, Want: "array"}, "RESP3: \n got \"map\""},
		{"per protocol", Case{Cmd: typ, Want: "array", Want3: "map", Agree: same}, ""},
		{"per protocol, swapped", Case{Cmd: typ, Want: "map", Want3: "array", Agree: same}, `RESP2: `},
		{"per protocol without agree", Case{Cmd: typ, Want: "array", Want3: "map"}, "Agree must say"},
		{"protocols disagree", Case{Cmd: typ, Check: func(any) error { return nil }, Agree: func(v any) any { return v }}, `RESP2 gives "array", RESP3 "map"`},
		{"protocols agree on a part", Case{Cmd: typ, Check: func(any) error { return nil }, Agree: same}, ""},
	} {
		r := record(func(tb testing.TB) { DecodeCases(tb, cases, map[string]Case{"ts_info": tc.c}) })
		switch {
		case tc.want == "" && len(r.errs) != 0:
			t.Errorf("%s: %q", tc.name, r.errs)
		case tc.want != "" && !r.reported(tc.want):
			t.Errorf("%s: errors %q, want one with %q", tc.name, r.errs, tc.want)
		}
	}
}

func TestDecodeDecodesAnErrorBothWays(t *testing.T) {
	cases := recorded(t, "json", "json_get_wrongtype_err")
	wrongType := Fails(&resp.Error{Msg: "WRONGTYPE"})
	// A decoder that reads an error reply but not the error the Client
	// hands it.
	rawOnly := command(t, func(v resp.Value, err error) (any, error) {
		if v.IsError() {
			return nil, v.Err()
		}
		return int64(0), nil
	}, "JSON.GET", "strkey", "$")
	// A decoder that reads the error the Client hands it, and fails on the
	// raw reply with an error of its own.
	clientOnly := command(t, func(v resp.Value, err error) (any, error) {
		if err != nil {
			return nil, err
		}
		if v.IsError() {
			return nil, errors.New("not an integer")
		}
		return int64(0), nil
	}, "JSON.GET", "strkey", "$")
	// A decoder that takes an error reply for a value.
	lenient := command(t, func(v resp.Value, err error) (any, error) { return int64(0), err }, "JSON.GET", "strkey", "$")
	for _, tc := range []struct {
		name string
		c    Case
		want string // a reported error; "" for none
	}{
		{"raw reply only", Case{Cmd: rawOnly, Want: wrongType}, "RESP2: got 0, want an error matching WRONGTYPE"},
		{"client's error only", Case{Cmd: clientOnly, Want: wrongType}, "the raw error reply: got the error not an integer"},
		{"client's error only, said so", Case{Cmd: clientOnly, Want: wrongType, ClientErrOnly: "reason"}, ""},
		{"error reply for a value", Case{Cmd: lenient, Want: wrongType, ClientErrOnly: "reason"}, "the raw error reply decodes to 0"},
	} {
		r := record(func(tb testing.TB) { DecodeCases(tb, cases, map[string]Case{"json_get_wrongtype_err": tc.c}) })
		switch {
		case tc.want == "" && len(r.errs) != 0:
			t.Errorf("%s: %q", tc.name, r.errs)
		case tc.want != "" && !r.reported(tc.want):
			t.Errorf("%s: errors %q, want one with %q", tc.name, r.errs, tc.want)
		}
	}
}

func TestDecodeTableMatchesRecordings(t *testing.T) {
	cases := recorded(t, "json", "json_del_root")
	del := command(t, decodeInt, "JSON.DEL", "doc")
	r := record(func(tb testing.TB) {
		DecodeCases(tb, cases, map[string]Case{"json_nope": {Cmd: del, Want: int64(1)}})
	})
	if !r.reported("json_del_root: recorded but not in the test table") || !r.reported("json_nope: in the test table but not recorded") {
		t.Errorf("errors %q", r.errs)
	}
	// The whole module: a table of one case misses every other one.
	r = record(func(tb testing.TB) { Decode(tb, "json", map[string]Case{"json_del_root": {Cmd: del, Want: int64(1)}}) })
	if !r.reported("json_set_root: recorded but not in the test table") || !r.logged("decoded 1/") {
		t.Errorf("errors %q, logs %q", r.errs, r.logs)
	}
	r = record(func(tb testing.TB) { Decode(tb, "nosuchmodule", nil) })
	if !r.fatal {
		t.Error("an unknown module did not stop the test")
	}
}

func TestEncode(t *testing.T) {
	cases := recorded(t, "json", "json_del_root", "json_get_arity_err")
	del := command(t, decodeInt, "JSON.DEL", "doc")
	arity := command(t, decodeInt, "JSON.GET", "doc")
	good := map[string]Case{
		"json_del_root":      {Cmd: del, Want: int64(1)},
		"json_get_arity_err": {Cmd: arity, Want: Fails(&resp.Error{Msg: "ERR"}), NotEncoded: "the API always sends a key"},
	}
	r := record(func(tb testing.TB) { EncodeCases(tb, cases, good, 1) })
	if len(r.errs) != 0 || !r.logged("encoded 1/2 byte for byte; 1 excluded") {
		t.Errorf("errors %q, logs %q", r.errs, r.logs)
	}
	for _, tc := range []struct {
		name, key string
		c         Case
		max       int
		want      string
	}{
		{"wrong bytes", "json_del_root", Case{Cmd: command(t, decodeInt, "JSON.DEL", "doc2")}, 1, "json_del_root:\n got"},
		{"build error", "json_del_root", Case{Cmd: Built{Err: errors.New("refused"), Decode: decodeInt}}, 1, "building: refused"},
		{"excluded but produced", "json_get_arity_err", Case{Cmd: command(t, decodeInt, "JSON.GET"), NotEncoded: "x"}, 1, "excluded (x) but the API produces it"},
		{"excluded, not misuse", "json_del_root", Case{Cmd: arity, NotEncoded: "x"}, 2, "only deliberate misuse"},
		{"too many exclusions", "json_get_arity_err", good["json_get_arity_err"], 0, "more than 0"},
	} {
		table := map[string]Case{}
		for k, v := range good {
			table[k] = v
		}
		table[tc.key] = tc.c
		r := record(func(tb testing.TB) { EncodeCases(tb, cases, table, tc.max) })
		if !r.reported(tc.want) {
			t.Errorf("%s: errors %q, want one with %q", tc.name, r.errs, tc.want)
		}
	}
}

func TestDeepEqual(t *testing.T) {
	nan := math.NaN()
	type s struct {
		F float64
		p *int
	}
	one, one2 := 1, 1
	for _, tc := range []struct {
		a, b any
		want bool
	}{
		{nil, nil, true},
		{nil, 0, false},
		{nan, nan, true},
		{[]float64{1, nan}, []float64{1, nan}, true},
		{[]float64{1, nan}, []float64{1, 2}, false},
		{float32(nan), float32(nan), true},
		{complex(nan, 1), complex(nan, 1), true},
		{s{F: nan, p: &one}, s{F: nan, p: &one2}, true},
		{s{F: 1}, s{F: 1, p: &one}, false},
		{[]int{}, []int(nil), false},
		{map[string]any{"a": nan}, map[string]any{"a": nan}, true},
		{map[string]any{"a": 1}, map[string]any{"b": 1}, false},
		{map[string]any{}, map[string]any(nil), false},
		{[]any{int64(1)}, []any{1}, false},
		{[2]string{"a", "b"}, [2]string{"a", "b"}, true},
		{"x", "y", false},
		{true, true, true},
		{uint8(1), uint8(2), false},
		{errors.New("x"), errors.New("x"), true},
		{func() {}, func() {}, false},
	} {
		if got := DeepEqual(tc.a, tc.b); got != tc.want {
			t.Errorf("DeepEqual(%#v, %#v) = %v", tc.a, tc.b, got)
		}
		// Without a NaN, it says what reflect.DeepEqual says.
		if !strings.Contains(fmt.Sprint(tc.a), "NaN") && DeepEqual(tc.a, tc.b) != reflect.DeepEqual(tc.a, tc.b) {
			t.Errorf("DeepEqual(%#v, %#v) differs from reflect.DeepEqual", tc.a, tc.b)
		}
	}
}

func TestEachProtocol(t *testing.T) {
	var ran []string
	EachProtocol(t, func(t *testing.T, proto int) { ran = append(ran, fmt.Sprint(t.Name(), " ", proto)) })
	if want := []string{"TestEachProtocol/RESP2 2", "TestEachProtocol/RESP3 3"}; !reflect.DeepEqual(ran, want) {
		t.Errorf("ran %q, want %q", ran, want)
	}
}

func TestRunID(t *testing.T) {
	a, b := RunID(), RunID()
	if len(a) != 12 || strings.Trim(a, "0123456789abcdef") != "" || a == b {
		t.Errorf("RunID() = %q, then %q", a, b)
	}
}
