// Package moduletest is the test support shared by the module packages
// (modules/json, search, timeseries, bloom, vectorset): it replays the
// recorded replies of internal/captures through a package's decoders under
// RESP2 and RESP3 (Decode), compares the bytes the package's constructors
// build with the recorded commands (Encode), and checks that every command
// of the module in the command table is sent by a method of the package's
// Client (Coverage).
//
// Each module package keeps its own table of expectations, one Case per
// recorded case: what its API builds for the case and what the reply must
// decode to. The package imports the standard library, resp,
// internal/captures and internal/cmdinfo only, so that it never depends on
// the root package; a redis.Command[T] satisfies Command[T].
package moduletest

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/respkit/redis/internal/captures"
	"github.com/respkit/redis/resp"
)

// Command is what a module package's constructors return:
// redis.Command[T] satisfies it.
type Command[T any] interface {
	Bytes() []byte
	Err() error
	Decode(resp.Value, error) (T, error)
}

// Built is a command as a package's API builds it, its decoder made
// untyped so that one table holds every result type.
type Built struct {
	// Bytes is the command's encoding; Err the error building it.
	Bytes []byte
	Err   error
	// Decode is the command's decoder.
	Decode func(resp.Value, error) (any, error)
}

// Build returns the Built form of cmd.
func Build[T any](cmd Command[T]) Built {
	return Built{Bytes: cmd.Bytes(), Err: cmd.Err(), Decode: func(v resp.Value, err error) (any, error) {
		return cmd.Decode(v, err)
	}}
}

// Failure is the wanted outcome of a case whose reply decodes to an error.
// Make one with Fails or FailsWith.
type Failure struct {
	// Is, when set, must match the error (errors.Is).
	Is error
	// Msg, when set, is the whole message of the server error (a
	// *resp.Error, which *redis.Error is) that the error must hold.
	Msg string
}

// Fails returns the Failure matched by errors.Is(err, target): for
// example Fails(redis.ErrNil), or Fails(&redis.Error{Msg: "WRONGTYPE"})
// for any server error with the code WRONGTYPE (a *redis.Error without a
// code matches the same message only).
func Fails(target error) Failure { return Failure{Is: target} }

// FailsWith returns the Failure of a server error whose whole message is
// msg.
func FailsWith(msg string) Failure { return Failure{Msg: msg} }

// server reports whether f is a server error reply: the recorded reply
// of its case must then be an error, and otherwise must not.
func (f Failure) server() bool {
	var re *resp.Error
	return f.Msg != "" || errors.As(f.Is, &re)
}

func (f Failure) String() string {
	switch {
	case f.Is != nil && f.Msg != "":
		return fmt.Sprintf("an error matching %v with the message %q", f.Is, f.Msg)
	case f.Msg != "":
		return fmt.Sprintf("the server error %q", f.Msg)
	default:
		return fmt.Sprintf("an error matching %v", f.Is)
	}
}

// match reports why err does not meet f, or "".
func (f Failure) match(got any, err error) string {
	if err == nil {
		return fmt.Sprintf("got %#v, want %s", got, f)
	}
	if f.Is != nil && !errors.Is(err, f.Is) {
		return fmt.Sprintf("got the error %v (%T), want %s", err, err, f)
	}
	if f.Msg != "" {
		var re *resp.Error
		if !errors.As(err, &re) || re.Msg != f.Msg {
			return fmt.Sprintf("got the error %v (%T), want %s", err, err, f)
		}
	}
	return ""
}

// Case says how a package's API builds one recorded case and what its
// reply decodes to.
type Case struct {
	// Cmd is the command the API builds for the case. When NotEncoded is
	// set, only its decoder is used.
	Cmd Built

	// Want is the value the reply decodes to under both protocols, or a
	// Failure for a reply that decodes to an error.
	Want any
	// Want3, when set, is the value wanted under RESP3, Want being
	// RESP2's: for values that really differ between the two recordings.
	// Agree must then say what the two share.
	Want3 any
	// Check replaces Want for a value that varies from run to run: it
	// checks, under each protocol, what does not vary. Agree must then say
	// what the two protocols share.
	Check func(got any) error
	// Equal, when set, compares a decoded value with Want (or Want3)
	// instead of DeepEqual.
	Equal func(got, want any) bool
	// Agree, when set, returns the part of a decoded value that RESP2 and
	// RESP3 must share (compared with DeepEqual); by default, the whole
	// value.
	Agree func(any) any

	// ClientErrOnly, when set, says why the decoder reads an error reply
	// only as the Client hands it (no reply, the error): the raw reply
	// with no error must then still fail, with any error.
	ClientErrOnly string

	// NotEncoded says why the API cannot produce the case's arguments.
	// Only deliberate misuse (a case whose name ends in "_err") may be
	// excluded so.
	NotEncoded string
}

// problem returns what is wrong with the table entry itself, or "".
func (c Case) problem() string {
	switch {
	case c.Cmd.Decode == nil:
		return "the table gives no decoder (Cmd)"
	case (c.Want == nil) == (c.Check == nil):
		return "the table needs exactly one of Want and Check"
	case c.Want3 != nil && c.Want == nil:
		return "Want3 without Want"
	case (c.Want3 != nil || c.Check != nil) && c.Agree == nil:
		return "with Want3 or Check, Agree must say what RESP2 and RESP3 share"
	}
	if _, ok := c.Want.(Failure); c.ClientErrOnly != "" && !ok {
		return "ClientErrOnly without a Failure"
	}
	if f, ok := c.Want.(Failure); ok && f.Is == nil && f.Msg == "" {
		return "an empty Failure (use Fails or FailsWith)"
	}
	_, f2 := c.Want.(Failure)
	_, f3 := c.Want3.(Failure)
	if (f2 || f3) && (c.Want3 != nil || c.Equal != nil || c.Agree != nil) {
		return "a Failure cannot be combined with Want3, Equal or Agree"
	}
	return ""
}

// Load returns the recorded cases of module, failing t when they cannot
// be read.
func Load(t testing.TB, module string) []*captures.Case {
	t.Helper()
	cases, err := captures.Load(module)
	if err != nil {
		t.Fatalf("%v", err)
	}
	if len(cases) == 0 {
		t.Fatalf("captures: no recorded cases for %s", module)
	}
	return cases
}

// Decode decodes every recorded reply of module, under RESP2 and RESP3,
// with the decoder the table's case gives, and checks the outcome: the
// wanted value or error, the recorded reply being an error exactly when a
// server error is wanted, and the two protocols agreeing. An error reply
// is decoded twice: as the Client, its pipelines and transactions hand it
// to a decoder (no reply, the *resp.Error), and as the raw reply with no
// error (see Case.ClientErrOnly). Every
// recorded case must be in the table and every case of the table
// recorded. It logs "decoded N/M cases under RESP2 and RESP3".
func Decode(t testing.TB, module string, table map[string]Case) {
	t.Helper()
	DecodeCases(t, Load(t, module), table)
}

// DecodeCases is Decode over the given recorded cases.
func DecodeCases(t testing.TB, cases []*captures.Case, table map[string]Case) {
	t.Helper()
	decoded := 0
	for _, rec := range cases {
		c, ok := table[rec.Name]
		if !ok {
			t.Errorf("%s: recorded but not in the test table", rec.Name)
			continue
		}
		if p := c.problem(); p != "" {
			t.Errorf("%s: %s", rec.Name, p)
			continue
		}
		ok = true
		var got [2]any
		var errs [2]error
		for i, proto := range []int{2, 3} {
			v, err := rec.Reply(proto)
			if err != nil {
				t.Fatalf("%v", err)
			}
			for _, p := range c.decode(rec, proto, v, &got[i], &errs[i]) {
				t.Errorf("%s RESP%d: %s", rec.Name, proto, p)
				ok = false
			}
		}
		if ok {
			if p := c.disagreement(got, errs); p != "" {
				t.Errorf("%s: %s", rec.Name, p)
				ok = false
			}
		}
		if ok {
			decoded++
		}
	}
	notRecorded(t, cases, table)
	t.Logf("decoded %d/%d cases under RESP2 and RESP3", decoded, len(cases))
	if decoded != len(cases) {
		t.Errorf("decoded %d of %d cases", decoded, len(cases))
	}
}

// decode decodes the reply v of rec under proto, storing the outcome in
// got and gotErr, and returns what does not meet the case.
func (c Case) decode(rec *captures.Case, proto int, v resp.Value, got *any, gotErr *error) []string {
	var problems []string
	f, failure := c.Want.(Failure)
	if server := failure && f.server(); rec.IsError(proto) != server {
		problems = append(problems, fmt.Sprintf("the recorded reply is an error: %v; the table wants a server error: %v", rec.IsError(proto), server))
	}
	if !v.IsError() {
		*got, *gotErr = c.Cmd.Decode(v, nil)
		if p := c.meets(proto, *got, *gotErr); p != "" {
			problems = append(problems, p)
		}
		return problems
	}
	*got, *gotErr = c.Cmd.Decode(resp.Value{}, v.Err())
	if p := c.meets(proto, *got, *gotErr); p != "" {
		problems = append(problems, p)
	}
	raw, err := c.Cmd.Decode(v, nil)
	switch p := c.meets(proto, raw, err); {
	case c.ClientErrOnly != "" && err == nil:
		problems = append(problems, fmt.Sprintf("the raw error reply decodes to %#v", raw))
	case c.ClientErrOnly == "" && p != "":
		problems = append(problems, "the raw error reply: "+p)
	}
	return problems
}

// meets returns why a decoded outcome does not meet the case under proto,
// or "".
func (c Case) meets(proto int, got any, err error) string {
	if f, ok := c.Want.(Failure); ok {
		return f.match(got, err)
	}
	if err != nil {
		return fmt.Sprintf("decoding: %v", err)
	}
	if c.Check != nil {
		if err := c.Check(got); err != nil {
			return err.Error()
		}
		return ""
	}
	want := c.Want
	if proto == 3 && c.Want3 != nil {
		want = c.Want3
	}
	equal := c.Equal
	if equal == nil {
		equal = DeepEqual
	}
	if !equal(got, want) {
		return fmt.Sprintf("\n got %#v\nwant %#v", got, want)
	}
	return ""
}

// disagreement returns how the RESP2 and RESP3 outcomes differ beyond
// what the case allows, or "".
func (c Case) disagreement(got [2]any, errs [2]error) string {
	if (errs[0] == nil) != (errs[1] == nil) || errs[0] != nil && errs[0].Error() != errs[1].Error() {
		return fmt.Sprintf("RESP2 fails with %v, RESP3 with %v", errs[0], errs[1])
	}
	a, b := got[0], got[1]
	if c.Agree != nil {
		a, b = c.Agree(a), c.Agree(b)
	}
	if !DeepEqual(a, b) {
		return fmt.Sprintf("RESP2 gives %#v, RESP3 %#v", a, b)
	}
	return ""
}

func notRecorded(t testing.TB, cases []*captures.Case, table map[string]Case) {
	t.Helper()
	byName := captures.ByName(cases)
	for name := range table {
		if byName[name] == nil {
			t.Errorf("%s: in the test table but not recorded", name)
		}
	}
}

// Encode compares the bytes the API builds for each recorded case of
// module with the bytes that were sent. A case the API cannot produce
// (NotEncoded) must be deliberate misuse and must indeed not be produced;
// at most maxExcluded cases may be excluded. Every recorded case must be
// in the table and every case of the table recorded. It logs "encoded
// N/M byte for byte; K excluded".
func Encode(t testing.TB, module string, table map[string]Case, maxExcluded int) {
	t.Helper()
	EncodeCases(t, Load(t, module), table, maxExcluded)
}

// EncodeCases is Encode over the given recorded cases.
func EncodeCases(t testing.TB, cases []*captures.Case, table map[string]Case, maxExcluded int) {
	t.Helper()
	encoded, excluded := 0, 0
	for _, rec := range cases {
		c, ok := table[rec.Name]
		if !ok {
			t.Errorf("%s: recorded but not in the test table", rec.Name)
			continue
		}
		if c.NotEncoded != "" {
			excluded++
			if !strings.HasSuffix(rec.Name, "_err") {
				t.Errorf("%s: only deliberate misuse (a case named *_err) may be excluded (%s)", rec.Name, c.NotEncoded)
			}
			if c.Cmd.Err == nil && bytes.Equal(c.Cmd.Bytes, rec.Command()) {
				t.Errorf("%s: excluded (%s) but the API produces it", rec.Name, c.NotEncoded)
			}
			continue
		}
		if c.Cmd.Err != nil {
			t.Errorf("%s: building: %v", rec.Name, c.Cmd.Err)
			continue
		}
		if want := rec.Command(); !bytes.Equal(c.Cmd.Bytes, want) {
			t.Errorf("%s:\n got %q\nwant %q", rec.Name, c.Cmd.Bytes, want)
			continue
		}
		encoded++
	}
	notRecorded(t, cases, table)
	t.Logf("encoded %d/%d byte for byte; %d excluded", encoded, len(cases), excluded)
	if encoded+excluded != len(cases) {
		t.Errorf("encoded %d and excluded %d of %d cases", encoded, excluded, len(cases))
	}
	if excluded > maxExcluded {
		t.Errorf("%d cases excluded from the encoder test, more than %d; keep the list small", excluded, maxExcluded)
	}
}
