package vectorset_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/respkit/redis"
	"github.com/respkit/redis/internal/captures"
	"github.com/respkit/redis/modules/vectorset"
	"github.com/respkit/redis/resp"
)

// commandUnderTest is a command built with the package's API, its decoder
// made untyped so that one table holds every result type.
type commandUnderTest struct {
	bytes  []byte
	err    error
	decode func(resp.Value, error) (any, error)
}

func built[T any](c redis.Command[T]) commandUnderTest {
	return commandUnderTest{bytes: c.Bytes(), err: c.Err(), decode: func(v resp.Value, err error) (any, error) {
		return c.Decode(v, err)
	}}
}

// wantErr is the expected outcome of a case whose reply is an error: the
// server's error code (a *redis.Error), or "nil" for redis.ErrNil.
type wantErr string

// movie is the attributes the recorded cases set.
type movie struct {
	Year  int    `json:"year"`
	Genre string `json:"genre"`
}

// captureCase says how the API builds one recorded case and what its
// reply decodes to.
type captureCase struct {
	cmd commandUnderTest
	// want is the decoded value, or a wantErr. When shape is set instead,
	// the value varies between runs (the case's note says which part):
	// shape checks what does not vary, under each protocol, and the two
	// protocols are not compared.
	want  any
	shape func(got any) error
	// notEncoded says why the API cannot produce the case's arguments
	// (its cmd then only supplies the decoder the API uses).
	notEncoded string
}

// Similarities of the neighbours of "a" in vs:1 (VLINKS WITHSCORES):
// deterministic, whatever the layers.
var linkScores = map[string]float64{"c": 0.9866127967834473, "d": 0.6228246092796326, "b": 0.6587998867034912}

func captureCases() map[string]captureCase {
	values := vectorset.AddOptions{Values: true}
	drama := movie{Year: 1999, Genre: "drama"}
	action := movie{Year: 2010, Genre: "action"}
	dramaText := json.RawMessage(`{"year":1999,"genre":"drama"}`)
	actionText := json.RawMessage(`{"year":2010,"genre":"action"}`)
	nilErr := wantErr("nil")
	return map[string]captureCase{
		"vadd_values":           {cmd: built(vectorset.Add("vs:1", "a", []float32{0.1, 0.2, 0.3}, values)), want: true},
		"vadd_values_b_setattr": {cmd: built(vectorset.Add("vs:1", "b", []float32{0.9, 0.1, 0}, vectorset.AddOptions{Values: true, Attributes: drama})), want: true},
		"vadd_fp32_blob":        {cmd: built(vectorset.Add("vs:1", "c", []float32{0.2, 0.25, 0.3}, vectorset.AddOptions{Attributes: action})), want: true},
		"vadd_more_d":           {cmd: built(vectorset.Add("vs:1", "d", []float32{-0.5, 0.4, 0.1}, vectorset.AddOptions{Values: true, EF: 200, M: 16})), want: true},
		"vadd_update_existing":  {cmd: built(vectorset.Add("vs:1", "a", []float32{0.1, 0.2, 0.31}, values)), want: false},
		"vadd_cas_noquant":      {cmd: built(vectorset.Add("vs:nq", "x", []float32{1, 0}, vectorset.AddOptions{Values: true, CAS: true, Quantization: vectorset.NoQuant})), want: true},
		"vadd_bin":              {cmd: built(vectorset.Add("vs:bin", "p", []float32{1, -1, 1, -1}, vectorset.AddOptions{Values: true, Quantization: vectorset.Bin})), want: true},
		"vadd_reduce":           {cmd: built(vectorset.Add("vs:red", "r1", []float32{1, 2, 3, 4}, vectorset.AddOptions{Values: true, Reduce: 2})), want: true},
		"vadd_dim_mismatch_err": {cmd: built(vectorset.Add("vs:1", "e", []float32{0.1, 0.2}, values)), want: wantErr("ERR")},
		"vadd_wrongtype_err":    {cmd: built(vectorset.Add("strkey", "e", []float32{0.1}, values)), want: wantErr("WRONGTYPE")},
		"vadd_bad_values_err":   {cmd: built(vectorset.Add("vs:1", "e", []float32{0.1, 0, 0.3}, values)), want: wantErr("ERR"), notEncoded: `the case sends the component "x"; Add takes []float32`},

		"vcard":            {cmd: built(vectorset.Card("vs:1")), want: int64(4)},
		"vcard_missing":    {cmd: built(vectorset.Card("vs:none")), want: int64(0)},
		"vdim":             {cmd: built(vectorset.Dim("vs:1")), want: int64(3)},
		"vdim_reduced":     {cmd: built(vectorset.Dim("vs:red")), want: int64(2)},
		"vdim_missing_err": {cmd: built(vectorset.Dim("vs:none")), want: wantErr("ERR")},

		"vsim_values": {cmd: built(vectorset.Sim("vs:1", vectorset.Vector([]float32{0.1, 0.2, 0.3}), vectorset.SimOptions{Values: true})),
			want: []vectorset.Match{{Element: "a"}, {Element: "c"}, {Element: "b"}, {Element: "d"}}},
		"vsim_withscores": {cmd: built(vectorset.Sim("vs:1", vectorset.Vector([]float32{0.1, 0.2, 0.3}), vectorset.SimOptions{Values: true, WithScores: true})),
			want: []vectorset.Match{{Element: "a", Score: 1}, {Element: "c", Score: 0.987914502620697}, {Element: "b", Score: 0.6611644625663757}, {Element: "d", Score: 0.6248569786548615}}},
		"vsim_ele_withscores_count": {cmd: built(vectorset.Sim("vs:1", vectorset.Element("a"), vectorset.SimOptions{WithScores: true, Count: 2})),
			want: []vectorset.Match{{Element: "a", Score: 1}, {Element: "c", Score: 0.9864816665649414}}},
		"vsim_withscores_withattribs": {cmd: built(vectorset.Sim("vs:1", vectorset.Element("a"), vectorset.SimOptions{WithScores: true, WithAttribs: true})),
			want: []vectorset.Match{
				{Element: "a", Score: 1},
				{Element: "c", Score: 0.9864816665649414, Attributes: actionText},
				{Element: "b", Score: 0.6587571203708649, Attributes: dramaText},
				{Element: "d", Score: 0.6227914988994598},
			}},
		"vsim_withattribs": {cmd: built(vectorset.Sim("vs:1", vectorset.Element("a"), vectorset.SimOptions{WithAttribs: true})),
			want: []vectorset.Match{{Element: "a"}, {Element: "c", Attributes: actionText}, {Element: "b", Attributes: dramaText}, {Element: "d"}}},
		"vsim_fp32": {cmd: built(vectorset.Sim("vs:1", vectorset.Vector([]float32{0.9, 0.1, 0}), vectorset.SimOptions{Count: 1})),
			want: []vectorset.Match{{Element: "b"}}},
		"vsim_filter": {cmd: built(vectorset.Sim("vs:1", vectorset.Element("a"), vectorset.SimOptions{Filter: ".year > 2000", WithScores: true})),
			want: []vectorset.Match{{Element: "c", Score: 0.9864816665649414}}},
		"vsim_epsilon_ef_truth": {cmd: built(vectorset.Sim("vs:1", vectorset.Element("a"), vectorset.SimOptions{Epsilon: 0.5, EF: 100, Truth: true, NoThread: true})),
			want: []vectorset.Match{{Element: "a"}, {Element: "c"}, {Element: "b"}, {Element: "d"}}},
		"vsim_missing_key":     {cmd: built(vectorset.Sim("vs:none", vectorset.Vector([]float32{0.1, 0.2, 0.3}), vectorset.SimOptions{Values: true})), want: []vectorset.Match{}},
		"vsim_missing_ele_err": {cmd: built(vectorset.Sim("vs:1", vectorset.Element("zzz"))), want: wantErr("ERR")},
		"vsim_bad_filter_err":  {cmd: built(vectorset.Sim("vs:1", vectorset.Element("a"), vectorset.SimOptions{Filter: ".year >"})), want: wantErr("ERR")},

		"vemb": {cmd: built(vectorset.Emb("vs:1", "a")), want: []float32{0.10007874667644501, 0.20015749335289001, 0.3100000023841858}},
		"vemb_raw": {cmd: built(vectorset.EmbRaw("vs:1", "a")), want: vectorset.RawEmbedding{
			Quantization: vectorset.Q8, Data: []byte{41, 82, 127}, Norm: 0.38223031163215637, Range: 0.8110293745994568}},
		"vemb_raw_noquant": {cmd: built(vectorset.EmbRaw("vs:nq", "x")), want: vectorset.RawEmbedding{
			Quantization: vectorset.NoQuant, Data: []byte{0, 0, 0x80, 0x3f, 0, 0, 0, 0}, Norm: 1}},
		"vemb_raw_bin": {cmd: built(vectorset.EmbRaw("vs:bin", "p")), want: vectorset.RawEmbedding{
			Quantization: vectorset.Bin, Data: []byte{5, 0, 0, 0, 0, 0, 0, 0}, Norm: 2}},
		"vemb_missing_ele": {cmd: built(vectorset.Emb("vs:1", "zzz")), want: nilErr},
		"vemb_missing_key": {cmd: built(vectorset.Emb("vs:none", "a")), want: nilErr},

		"vlinks":            {cmd: built(vectorset.Links("vs:1", "a")), shape: linksShape},
		"vlinks_withscores": {cmd: built(vectorset.LinksWithScores("vs:1", "a")), shape: linksWithScoresShape},
		"vlinks_missing":    {cmd: built(vectorset.Links("vs:1", "zzz")), want: nilErr},
		"vinfo":             {cmd: built(vectorset.Info("vs:1")), shape: infoShape},
		"vinfo_missing":     {cmd: built(vectorset.Info("vs:none")), want: nilErr},

		"vgetattr":              {cmd: built(vectorset.GetAttrAs[movie]("vs:1", "b")), want: drama},
		"vgetattr_none":         {cmd: built(vectorset.GetAttrAs[json.RawMessage]("vs:1", "a")), want: nilErr},
		"vgetattr_missing_key":  {cmd: built(vectorset.GetAttrAs[json.RawMessage]("vs:none", "a")), want: nilErr},
		"vsetattr":              {cmd: built(vectorset.SetAttr("vs:1", "a", map[string]int{"year": 2020})), want: true},
		"vsetattr_clear":        {cmd: built(vectorset.SetAttr("vs:1", "d", nil)), want: true},
		"vsetattr_missing_ele":  {cmd: built(vectorset.SetAttr("vs:1", "zzz", struct{}{})), want: false},
		"vsetattr_bad_json_err": {cmd: built(vectorset.SetAttr("vs:1", "a", json.RawMessage(`{not json`))), want: true, notEncoded: "the case sends invalid JSON; SetAttr encodes with encoding/json and refuses it before sending (the server would store it)"},

		"vismember_yes": {cmd: built(vectorset.IsMember("vs:1", "a")), want: true},
		"vismember_no":  {cmd: built(vectorset.IsMember("vs:1", "zzz")), want: false},

		"vrandmember_single":            {cmd: built(vectorset.RandMember("vs:nq")), want: "x"},
		"vrandmember_count_pos":         {cmd: built(vectorset.RandMemberCount("vs:1", 10)), shape: permutationOf("a", "b", "c", "d")},
		"vrandmember_count_neg":         {cmd: built(vectorset.RandMemberCount("vs:nq", -3)), want: []string{"x", "x", "x"}},
		"vrandmember_missing_key":       {cmd: built(vectorset.RandMember("vs:none")), want: nilErr},
		"vrandmember_missing_key_count": {cmd: built(vectorset.RandMemberCount("vs:none", 3)), want: []string{}},

		"vrange_all":   {cmd: built(vectorset.Range("vs:1", "-", "+")), want: []string{"a", "b", "c", "d"}},
		"vrange_count": {cmd: built(vectorset.Range("vs:1", "[b", "+", vectorset.RangeOptions{Count: 2})), want: []string{"b", "c"}},

		"vrem":             {cmd: built(vectorset.Rem("vs:1", "d")), want: true},
		"vrem_missing":     {cmd: built(vectorset.Rem("vs:1", "d")), want: false},
		"vcard_after_vrem": {cmd: built(vectorset.Card("vs:1")), want: int64(3)},
		"type_vectorset":   {cmd: built(redis.Type("vs:1")), want: "vectorset"},
		"vadd_arity_err":   {cmd: built(vectorset.Add("vs:1", "", nil)), want: wantErr("ERR"), notEncoded: "VADD with a key alone: Add always sends a vector and an element"},
	}
}

// linksShape checks VLINKS vs:1 a: layer 0 links "a" to every other
// element; each upper layer (how many is random) to some of them.
func linksShape(got any) error {
	layers, ok := got.([][]string)
	if !ok || len(layers) == 0 {
		return fmt.Errorf("want at least one layer, got %#v", got)
	}
	l0 := slices.Sorted(slices.Values(layers[0]))
	if !slices.Equal(l0, []string{"b", "c", "d"}) {
		return fmt.Errorf("layer 0 = %q, want b, c, d in any order", layers[0])
	}
	for i, l := range layers[1:] {
		for _, e := range l {
			if !slices.Contains(l0, e) {
				return fmt.Errorf("layer %d links %q, not an element", i+1, e)
			}
		}
	}
	return nil
}

// linksWithScoresShape checks VLINKS vs:1 a WITHSCORES as linksShape, and
// that every neighbour carries its (deterministic) similarity.
func linksWithScoresShape(got any) error {
	layers, ok := got.([][]vectorset.Match)
	if !ok {
		return fmt.Errorf("want [][]Match, got %T", got)
	}
	names := make([][]string, len(layers))
	for i, l := range layers {
		for _, m := range l {
			if m.Score != linkScores[m.Element] || m.Attributes != nil {
				return fmt.Errorf("layer %d: %+v, want score %v and no attributes", i, m, linkScores[m.Element])
			}
			names[i] = append(names[i], m.Element)
		}
	}
	return linksShape(names)
}

// infoShape checks VINFO vs:1: every field but max-level and vset-uid,
// which vary between runs, and those two for their range.
func infoShape(got any) error {
	info, ok := got.(vectorset.SetInfo)
	if !ok {
		return fmt.Errorf("want SetInfo, got %T", got)
	}
	if info.MaxLevel < 0 || info.MaxLevel > 16 || info.UID <= 0 {
		return fmt.Errorf("max-level %d, vset-uid %d out of range", info.MaxLevel, info.UID)
	}
	info.MaxLevel, info.UID = 0, 0
	want := vectorset.SetInfo{Quantization: vectorset.Q8, M: 16, Dim: 3, Size: 4, AttributesCount: 2, MaxNodeUID: 5}
	if !reflect.DeepEqual(info, want) {
		return fmt.Errorf("got %+v, want %+v (max-level and vset-uid aside)", info, want)
	}
	return nil
}

// permutationOf checks a VRANDMEMBER reply holding each name once, in any
// order.
func permutationOf(names ...string) func(any) error {
	return func(got any) error {
		s, ok := got.([]string)
		if !ok {
			return fmt.Errorf("want []string, got %T", got)
		}
		if !slices.Equal(slices.Sorted(slices.Values(s)), names) {
			return fmt.Errorf("got %q, want %q in any order", s, names)
		}
		return nil
	}
}

// checkDecoded compares a decoded result with the expected one and
// reports whether they match.
func checkDecoded(t *testing.T, name string, proto int, got any, err error, cc captureCase) bool {
	t.Helper()
	if code, ok := cc.want.(wantErr); ok {
		if code == "nil" {
			if !errors.Is(err, redis.ErrNil) {
				t.Errorf("%s RESP%d: got (%#v, %v), want redis.ErrNil", name, proto, got, err)
				return false
			}
			return true
		}
		var se *redis.Error
		if !errors.As(err, &se) || !errors.Is(err, &redis.Error{Msg: string(code)}) {
			t.Errorf("%s RESP%d: got (%#v, %v), want a *redis.Error with code %s", name, proto, got, err, code)
			return false
		}
		return true
	}
	if err != nil {
		t.Errorf("%s RESP%d: %v", name, proto, err)
		return false
	}
	if cc.shape != nil {
		if err := cc.shape(got); err != nil {
			t.Errorf("%s RESP%d: %v", name, proto, err)
			return false
		}
		return true
	}
	if !reflect.DeepEqual(got, cc.want) {
		t.Errorf("%s RESP%d:\n got %#v\nwant %#v", name, proto, got, cc.want)
		return false
	}
	return true
}

func loadCaptures(t *testing.T) []*captures.Case {
	t.Helper()
	cases, err := captures.Load("vectorset")
	if err != nil {
		t.Fatal(err)
	}
	return cases
}

// TestCapturesDecode decodes every recorded reply, under RESP2 and RESP3,
// with the decoder the API uses for its command, to the asserted Go value,
// the same under both protocols.
func TestCapturesDecode(t *testing.T) {
	cases := loadCaptures(t)
	table := captureCases()
	decoded := 0
	for _, c := range cases {
		cc, ok := table[c.Name]
		if !ok {
			t.Errorf("%s: recorded but not in the test table", c.Name)
			continue
		}
		if (cc.want == nil) == (cc.shape == nil) {
			t.Errorf("%s: the table needs exactly one of want and shape", c.Name)
			continue
		}
		var results [2]any
		ok = true
		for i, proto := range []int{2, 3} {
			v, err := c.Reply(proto)
			if err != nil {
				t.Fatal(err)
			}
			if _, isErr := cc.want.(wantErr); isErr != c.IsError(proto) && cc.want != wantErr("nil") {
				t.Errorf("%s RESP%d: recorded error %v, table expects one: %v", c.Name, proto, c.IsError(proto), isErr)
				ok = false
			}
			got, err := cc.cmd.decode(v, nil)
			if !checkDecoded(t, c.Name, proto, got, err, cc) {
				ok = false
			}
			results[i] = got
		}
		if cc.shape == nil && !reflect.DeepEqual(results[0], results[1]) {
			t.Errorf("%s: RESP2 gives %#v, RESP3 %#v", c.Name, results[0], results[1])
			ok = false
		}
		if ok {
			decoded++
		}
	}
	for name := range table {
		if captures.ByName(cases)[name] == nil {
			t.Errorf("%s: in the test table but not recorded", name)
		}
	}
	t.Logf("decoded %d/%d under RESP2 and RESP3", decoded, len(cases))
	if decoded != len(cases) {
		t.Errorf("decoded %d of %d cases", decoded, len(cases))
	}
}

// TestCapturesEncode compares the bytes the API builds for each recorded
// case with the bytes that were sent, FP32 blobs included.
func TestCapturesEncode(t *testing.T) {
	cases := loadCaptures(t)
	table := captureCases()
	encoded, excluded := 0, 0
	for _, c := range cases {
		cc, ok := table[c.Name]
		if !ok {
			t.Errorf("%s: recorded but not in the test table", c.Name)
			continue
		}
		if cc.notEncoded != "" {
			excluded++
			if bytes.Equal(cc.cmd.bytes, c.Command()) {
				t.Errorf("%s: excluded (%s) but the API produces it", c.Name, cc.notEncoded)
			}
			continue
		}
		if cc.cmd.err != nil {
			t.Errorf("%s: building: %v", c.Name, cc.cmd.err)
			continue
		}
		if !bytes.Equal(cc.cmd.bytes, c.Command()) {
			t.Errorf("%s:\n got %q\nwant %q", c.Name, cc.cmd.bytes, c.Command())
			continue
		}
		encoded++
	}
	t.Logf("encoded %d/%d cases byte for byte; %d the API cannot produce by design", encoded, len(cases), excluded)
	if encoded+excluded != len(cases) {
		t.Errorf("encoded %d and excluded %d of %d cases", encoded, excluded, len(cases))
	}
	if excluded > 3 {
		t.Errorf("%d cases excluded from the encoder test; keep the list small", excluded)
	}
}
