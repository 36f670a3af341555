// Package captures holds raw RESP2 and RESP3 replies recorded from real
// module servers (JSON, Search, TimeSeries, Bloom family, Vector Sets) and
// reads them back for decoder and encoder tests. The data is a copy of
// ../shared/captures (see data/README.md for the servers that made it),
// embedded so that the tests need nothing outside the repository.
//
// Each module's index lists its cases in the order they ran, on one
// connection per protocol, so a case sees the state earlier ones left.
package captures

import (
	"bytes"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path"

	"github.com/respkit/redis/resp"
)

//go:embed data
var data embed.FS

// Modules are the directories of recorded modules.
var Modules = []string{"bloom", "json", "search", "timeseries", "vectorset"}

// Case is one recorded command and its two replies.
type Case struct {
	// Name names the case; a name ending in "_err" is deliberate misuse.
	Name string
	// Args are the exact arguments sent: each a string, or a []byte for a
	// binary argument (vectors of float32).
	Args []any
	// Note says what the case shows, and which reply values change from
	// run to run (cursor ids, timings), when any do.
	Note string
	// RESP2 and RESP3 are the exact bytes of the reply after HELLO 2 and
	// HELLO 3.
	RESP2, RESP3 []byte
	// RESP2IsError and RESP3IsError say whether the reply is an error.
	RESP2IsError, RESP3IsError bool
	// Same says whether the two replies are byte for byte equal.
	Same bool
}

// Raw returns the recorded bytes of the reply under protocol proto (2 or
// 3).
func (c *Case) Raw(proto int) []byte {
	if proto == 2 {
		return c.RESP2
	}
	return c.RESP3
}

// IsError reports whether the reply under proto is an error.
func (c *Case) IsError(proto int) bool {
	if proto == 2 {
		return c.RESP2IsError
	}
	return c.RESP3IsError
}

// Reply reads the reply under proto (2 or 3) with resp's Reader, as the
// client reads a reply from the network, and checks that the bytes hold
// exactly one value.
func (c *Case) Reply(proto int) (resp.Value, error) {
	raw := c.Raw(proto)
	rd := resp.NewReader(bytes.NewReader(raw), resp.Limits{})
	v, err := rd.Read()
	if err != nil {
		return resp.Value{}, fmt.Errorf("captures: %s (RESP%d): %w", c.Name, proto, err)
	}
	if _, err := rd.Read(); err == nil {
		return resp.Value{}, fmt.Errorf("captures: %s (RESP%d): more than one reply in the file", c.Name, proto)
	}
	return v, nil
}

// Command returns the RESP encoding of Args, as a client sends them (an
// array of bulk strings), to compare with what a builder encodes.
func (c *Case) Command() []byte {
	b, err := resp.AppendCommand(nil, c.Args...)
	if err != nil { // Args hold only strings and []byte
		panic("captures: " + c.Name + ": " + err.Error())
	}
	return b
}

// Strings returns Args as strings (a binary argument as its raw bytes).
func (c *Case) Strings() []string {
	out := make([]string, len(c.Args))
	for i, a := range c.Args {
		switch a := a.(type) {
		case string:
			out[i] = a
		case []byte:
			out[i] = string(a)
		}
	}
	return out
}

// Setup returns the commands run before the first case of module, each
// as its arguments (strings, or []byte for binary ones). ["__SLEEP__",
// seconds] stands for a pause.
func Setup(module string) ([][]any, error) {
	idx, err := readIndex(module)
	if err != nil {
		return nil, err
	}
	out := make([][]any, len(idx.Setup))
	for i, cmd := range idx.Setup {
		for j, a := range cmd {
			v, err := parseArg(a)
			if err != nil {
				return nil, fmt.Errorf("captures: %s: setup %d: argument %d: %w", module, i, j, err)
			}
			out[i] = append(out[i], v)
		}
	}
	return out, nil
}

type index struct {
	Setup [][]json.RawMessage `json:"setup"`
	Cases []struct {
		Name         string            `json:"name"`
		Args         []json.RawMessage `json:"args"`
		Note         string            `json:"note"`
		RESP2        string            `json:"resp2"`
		RESP3        string            `json:"resp3"`
		RESP2IsError bool              `json:"resp2_is_error"`
		RESP3IsError bool              `json:"resp3_is_error"`
		Same         bool              `json:"resp2_equals_resp3"`
	} `json:"cases"`
}

func readIndex(module string) (*index, error) {
	raw, err := data.ReadFile(path.Join("data", module, "index.json"))
	if err != nil {
		return nil, fmt.Errorf("captures: no module %q: %w", module, err)
	}
	var idx index
	if err := json.Unmarshal(raw, &idx); err != nil {
		return nil, fmt.Errorf("captures: %s/index.json: %w", module, err)
	}
	return &idx, nil
}

// Load returns every case of module ("json", "search", ...), in the order
// they ran.
func Load(module string) ([]*Case, error) {
	idx, err := readIndex(module)
	if err != nil {
		return nil, err
	}
	out := make([]*Case, 0, len(idx.Cases))
	seen := map[string]bool{}
	for _, ic := range idx.Cases {
		if seen[ic.Name] {
			return nil, fmt.Errorf("captures: %s: case %s listed twice", module, ic.Name)
		}
		seen[ic.Name] = true
		c := &Case{Name: ic.Name, Note: ic.Note, RESP2IsError: ic.RESP2IsError, RESP3IsError: ic.RESP3IsError, Same: ic.Same}
		for i, a := range ic.Args {
			v, err := parseArg(a)
			if err != nil {
				return nil, fmt.Errorf("captures: %s: %s: argument %d: %w", module, ic.Name, i, err)
			}
			c.Args = append(c.Args, v)
		}
		if c.RESP2, err = data.ReadFile(path.Join("data", module, ic.RESP2)); err != nil {
			return nil, fmt.Errorf("captures: %s: %s: %w", module, ic.Name, err)
		}
		if c.RESP3, err = data.ReadFile(path.Join("data", module, ic.RESP3)); err != nil {
			return nil, fmt.Errorf("captures: %s: %s: %w", module, ic.Name, err)
		}
		out = append(out, c)
	}
	return out, nil
}

// parseArg decodes one recorded argument: a JSON string, or an object
// whose "hex" holds the exact bytes sent (with "f32", the float32 values
// they encode).
func parseArg(raw json.RawMessage) (any, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var bin struct {
		Hex string `json:"hex"`
	}
	if err := json.Unmarshal(raw, &bin); err != nil || bin.Hex == "" {
		return nil, fmt.Errorf("neither a string nor a binary argument: %s", raw)
	}
	return hex.DecodeString(bin.Hex)
}

// ByName indexes cases by name.
func ByName(cases []*Case) map[string]*Case {
	m := make(map[string]*Case, len(cases))
	for _, c := range cases {
		m[c.Name] = c
	}
	return m
}
