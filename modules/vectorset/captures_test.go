package vectorset_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/respkit/redis"
	"github.com/respkit/redis/internal/moduletest"
	"github.com/respkit/redis/modules/vectorset"
)

// fails is the outcome of a case whose reply is a server error with this
// code.
func fails(code string) moduletest.Failure { return moduletest.Fails(&redis.Error{Msg: code}) }

// movie is the attributes the recorded cases set.
type movie struct {
	Year  int    `json:"year"`
	Genre string `json:"genre"`
}

// Similarities of the neighbours of "a" in vs:1 (VLINKS WITHSCORES):
// deterministic, whatever the layers.
var linkScores = map[string]float64{"c": 0.9866127967834473, "d": 0.6228246092796326, "b": 0.6587998867034912}

func captureCases() map[string]moduletest.Case {
	values := vectorset.AddOptions{Values: true}
	drama := movie{Year: 1999, Genre: "drama"}
	action := movie{Year: 2010, Genre: "action"}
	dramaText := json.RawMessage(`{"year":1999,"genre":"drama"}`)
	actionText := json.RawMessage(`{"year":2010,"genre":"action"}`)
	nilErr := moduletest.Fails(redis.ErrNil)
	return map[string]moduletest.Case{
		"vadd_values":           {Cmd: moduletest.Build(vectorset.Add("vs:1", "a", []float32{0.1, 0.2, 0.3}, values)), Want: true},
		"vadd_values_b_setattr": {Cmd: moduletest.Build(vectorset.Add("vs:1", "b", []float32{0.9, 0.1, 0}, vectorset.AddOptions{Values: true, Attributes: drama})), Want: true},
		"vadd_fp32_blob":        {Cmd: moduletest.Build(vectorset.Add("vs:1", "c", []float32{0.2, 0.25, 0.3}, vectorset.AddOptions{Attributes: action})), Want: true},
		"vadd_more_d":           {Cmd: moduletest.Build(vectorset.Add("vs:1", "d", []float32{-0.5, 0.4, 0.1}, vectorset.AddOptions{Values: true, EF: 200, M: 16})), Want: true},
		"vadd_update_existing":  {Cmd: moduletest.Build(vectorset.Add("vs:1", "a", []float32{0.1, 0.2, 0.31}, values)), Want: false},
		"vadd_cas_noquant":      {Cmd: moduletest.Build(vectorset.Add("vs:nq", "x", []float32{1, 0}, vectorset.AddOptions{Values: true, CAS: true, Quantization: vectorset.NoQuant})), Want: true},
		"vadd_bin":              {Cmd: moduletest.Build(vectorset.Add("vs:bin", "p", []float32{1, -1, 1, -1}, vectorset.AddOptions{Values: true, Quantization: vectorset.Bin})), Want: true},
		"vadd_reduce":           {Cmd: moduletest.Build(vectorset.Add("vs:red", "r1", []float32{1, 2, 3, 4}, vectorset.AddOptions{Values: true, Reduce: 2})), Want: true},
		"vadd_dim_mismatch_err": {Cmd: moduletest.Build(vectorset.Add("vs:1", "e", []float32{0.1, 0.2}, values)), Want: fails("ERR")},
		"vadd_wrongtype_err":    {Cmd: moduletest.Build(vectorset.Add("strkey", "e", []float32{0.1}, values)), Want: fails("WRONGTYPE")},
		"vadd_bad_values_err":   {Cmd: moduletest.Build(vectorset.Add("vs:1", "e", []float32{0.1, 0, 0.3}, values)), Want: fails("ERR"), NotEncoded: `the case sends the component "x"; Add takes []float32`},

		"vcard":            {Cmd: moduletest.Build(vectorset.Card("vs:1")), Want: int64(4)},
		"vcard_missing":    {Cmd: moduletest.Build(vectorset.Card("vs:none")), Want: int64(0)},
		"vdim":             {Cmd: moduletest.Build(vectorset.Dim("vs:1")), Want: int64(3)},
		"vdim_reduced":     {Cmd: moduletest.Build(vectorset.Dim("vs:red")), Want: int64(2)},
		"vdim_missing_err": {Cmd: moduletest.Build(vectorset.Dim("vs:none")), Want: fails("ERR")},

		"vsim_values": {Cmd: moduletest.Build(vectorset.Sim("vs:1", vectorset.Vector([]float32{0.1, 0.2, 0.3}), vectorset.SimOptions{Values: true})),
			Want: []vectorset.Match{{Element: "a"}, {Element: "c"}, {Element: "b"}, {Element: "d"}}},
		"vsim_withscores": {Cmd: moduletest.Build(vectorset.Sim("vs:1", vectorset.Vector([]float32{0.1, 0.2, 0.3}), vectorset.SimOptions{Values: true, WithScores: true})),
			Want: []vectorset.Match{{Element: "a", Score: 1}, {Element: "c", Score: 0.987914502620697}, {Element: "b", Score: 0.6611644625663757}, {Element: "d", Score: 0.6248569786548615}}},
		"vsim_ele_withscores_count": {Cmd: moduletest.Build(vectorset.Sim("vs:1", vectorset.Element("a"), vectorset.SimOptions{WithScores: true, Count: 2})),
			Want: []vectorset.Match{{Element: "a", Score: 1}, {Element: "c", Score: 0.9864816665649414}}},
		"vsim_withscores_withattribs": {Cmd: moduletest.Build(vectorset.Sim("vs:1", vectorset.Element("a"), vectorset.SimOptions{WithScores: true, WithAttribs: true})),
			Want: []vectorset.Match{
				{Element: "a", Score: 1},
				{Element: "c", Score: 0.9864816665649414, Attributes: actionText},
				{Element: "b", Score: 0.6587571203708649, Attributes: dramaText},
				{Element: "d", Score: 0.6227914988994598},
			}},
		"vsim_withattribs": {Cmd: moduletest.Build(vectorset.Sim("vs:1", vectorset.Element("a"), vectorset.SimOptions{WithAttribs: true})),
			Want: []vectorset.Match{{Element: "a"}, {Element: "c", Attributes: actionText}, {Element: "b", Attributes: dramaText}, {Element: "d"}}},
		"vsim_fp32": {Cmd: moduletest.Build(vectorset.Sim("vs:1", vectorset.Vector([]float32{0.9, 0.1, 0}), vectorset.SimOptions{Count: 1})),
			Want: []vectorset.Match{{Element: "b"}}},
		"vsim_filter": {Cmd: moduletest.Build(vectorset.Sim("vs:1", vectorset.Element("a"), vectorset.SimOptions{Filter: ".year > 2000", WithScores: true})),
			Want: []vectorset.Match{{Element: "c", Score: 0.9864816665649414}}},
		"vsim_epsilon_ef_truth": {Cmd: moduletest.Build(vectorset.Sim("vs:1", vectorset.Element("a"), vectorset.SimOptions{Epsilon: 0.5, EF: 100, Truth: true, NoThread: true})),
			Want: []vectorset.Match{{Element: "a"}, {Element: "c"}, {Element: "b"}, {Element: "d"}}},
		"vsim_missing_key":     {Cmd: moduletest.Build(vectorset.Sim("vs:none", vectorset.Vector([]float32{0.1, 0.2, 0.3}), vectorset.SimOptions{Values: true})), Want: []vectorset.Match{}},
		"vsim_missing_ele_err": {Cmd: moduletest.Build(vectorset.Sim("vs:1", vectorset.Element("zzz"))), Want: fails("ERR")},
		"vsim_bad_filter_err":  {Cmd: moduletest.Build(vectorset.Sim("vs:1", vectorset.Element("a"), vectorset.SimOptions{Filter: ".year >"})), Want: fails("ERR")},

		"vemb": {Cmd: moduletest.Build(vectorset.Emb("vs:1", "a")), Want: []float32{0.10007874667644501, 0.20015749335289001, 0.3100000023841858}},
		"vemb_raw": {Cmd: moduletest.Build(vectorset.EmbRaw("vs:1", "a")), Want: vectorset.RawEmbedding{
			Quantization: vectorset.Q8, Data: []byte{41, 82, 127}, Norm: 0.38223031163215637, Range: 0.8110293745994568}},
		"vemb_raw_noquant": {Cmd: moduletest.Build(vectorset.EmbRaw("vs:nq", "x")), Want: vectorset.RawEmbedding{
			Quantization: vectorset.NoQuant, Data: []byte{0, 0, 0x80, 0x3f, 0, 0, 0, 0}, Norm: 1}},
		"vemb_raw_bin": {Cmd: moduletest.Build(vectorset.EmbRaw("vs:bin", "p")), Want: vectorset.RawEmbedding{
			Quantization: vectorset.Bin, Data: []byte{5, 0, 0, 0, 0, 0, 0, 0}, Norm: 2}},
		"vemb_missing_ele": {Cmd: moduletest.Build(vectorset.Emb("vs:1", "zzz")), Want: nilErr},
		"vemb_missing_key": {Cmd: moduletest.Build(vectorset.Emb("vs:none", "a")), Want: nilErr},

		"vlinks":            {Cmd: moduletest.Build(vectorset.Links("vs:1", "a")), Check: linksShape, Agree: linksLayer0},
		"vlinks_withscores": {Cmd: moduletest.Build(vectorset.LinksWithScores("vs:1", "a")), Check: linksWithScoresShape, Agree: linksLayer0},
		"vlinks_missing":    {Cmd: moduletest.Build(vectorset.Links("vs:1", "zzz")), Want: nilErr},
		"vinfo":             {Cmd: moduletest.Build(vectorset.Info("vs:1")), Check: infoShape, Agree: infoFixed},
		"vinfo_missing":     {Cmd: moduletest.Build(vectorset.Info("vs:none")), Want: nilErr},

		"vgetattr":              {Cmd: moduletest.Build(vectorset.GetAttrAs[movie]("vs:1", "b")), Want: drama},
		"vgetattr_none":         {Cmd: moduletest.Build(vectorset.GetAttrAs[json.RawMessage]("vs:1", "a")), Want: nilErr},
		"vgetattr_missing_key":  {Cmd: moduletest.Build(vectorset.GetAttrAs[json.RawMessage]("vs:none", "a")), Want: nilErr},
		"vsetattr":              {Cmd: moduletest.Build(vectorset.SetAttr("vs:1", "a", map[string]int{"year": 2020})), Want: true},
		"vsetattr_clear":        {Cmd: moduletest.Build(vectorset.SetAttr("vs:1", "d", nil)), Want: true},
		"vsetattr_missing_ele":  {Cmd: moduletest.Build(vectorset.SetAttr("vs:1", "zzz", struct{}{})), Want: false},
		"vsetattr_bad_json_err": {Cmd: moduletest.Build(vectorset.SetAttr("vs:1", "a", json.RawMessage(`{not json`))), Want: true, NotEncoded: "the case sends invalid JSON; SetAttr encodes with encoding/json and refuses it before sending (the server would store it)"},

		"vismember_yes": {Cmd: moduletest.Build(vectorset.IsMember("vs:1", "a")), Want: true},
		"vismember_no":  {Cmd: moduletest.Build(vectorset.IsMember("vs:1", "zzz")), Want: false},

		"vrandmember_single":            {Cmd: moduletest.Build(vectorset.RandMember("vs:nq")), Want: "x"},
		"vrandmember_count_pos":         {Cmd: moduletest.Build(vectorset.RandMemberCount("vs:1", 10)), Check: permutationOf("a", "b", "c", "d"), Agree: sorted},
		"vrandmember_count_neg":         {Cmd: moduletest.Build(vectorset.RandMemberCount("vs:nq", -3)), Want: []string{"x", "x", "x"}},
		"vrandmember_missing_key":       {Cmd: moduletest.Build(vectorset.RandMember("vs:none")), Want: nilErr},
		"vrandmember_missing_key_count": {Cmd: moduletest.Build(vectorset.RandMemberCount("vs:none", 3)), Want: []string{}},

		"vrange_all":   {Cmd: moduletest.Build(vectorset.Range("vs:1", "-", "+")), Want: []string{"a", "b", "c", "d"}},
		"vrange_count": {Cmd: moduletest.Build(vectorset.Range("vs:1", "[b", "+", vectorset.RangeOptions{Count: 2})), Want: []string{"b", "c"}},

		"vrem":             {Cmd: moduletest.Build(vectorset.Rem("vs:1", "d")), Want: true},
		"vrem_missing":     {Cmd: moduletest.Build(vectorset.Rem("vs:1", "d")), Want: false},
		"vcard_after_vrem": {Cmd: moduletest.Build(vectorset.Card("vs:1")), Want: int64(3)},
		"type_vectorset":   {Cmd: moduletest.Build(redis.Type("vs:1")), Want: "vectorset"},
		"vadd_arity_err":   {Cmd: moduletest.Build(vectorset.Add("vs:1", "", nil)), Want: fails("ERR"), NotEncoded: "VADD with a key alone: Add always sends a vector and an element"},
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

// linksLayer0 is what VLINKS gives under both protocols whatever the
// layers: the neighbours in layer 0 (with their similarities), in order.
func linksLayer0(got any) any {
	switch layers := got.(type) {
	case [][]string:
		if len(layers) > 0 {
			return slices.Sorted(slices.Values(layers[0]))
		}
	case [][]vectorset.Match:
		if len(layers) > 0 {
			l0 := slices.Clone(layers[0])
			slices.SortFunc(l0, func(a, b vectorset.Match) int { return strings.Compare(a.Element, b.Element) })
			return l0
		}
	}
	return got
}

// infoFixed is VINFO's reply without max-level and vset-uid, which vary
// between runs.
func infoFixed(got any) any {
	info, ok := got.(vectorset.SetInfo)
	if !ok {
		return got
	}
	info.MaxLevel, info.UID = 0, 0
	return info
}

// sorted is a VRANDMEMBER reply in order.
func sorted(got any) any {
	if s, ok := got.([]string); ok {
		return slices.Sorted(slices.Values(s))
	}
	return got
}

// TestCapturesDecode decodes every recorded reply, under RESP2 and RESP3,
// with the decoder the API uses for its command, to the asserted Go value,
// the same under both protocols.
func TestCapturesDecode(t *testing.T) {
	moduletest.Decode(t, "vectorset", captureCases())
}

// TestCapturesEncode compares the bytes the API builds for each recorded
// case with the bytes that were sent, FP32 blobs included.
func TestCapturesEncode(t *testing.T) {
	moduletest.Encode(t, "vectorset", captureCases(), 3)
}
