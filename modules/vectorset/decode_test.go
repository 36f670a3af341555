package vectorset_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/respkit/redis"
	"github.com/respkit/redis/internal/captures"
	"github.com/respkit/redis/internal/moduletest"
	"github.com/respkit/redis/modules/vectorset"
	"github.com/respkit/redis/resp"
)

var (
	str = resp.StringValue
	num = resp.FloatValue
	arr = resp.ArrayValue
	obj = resp.MapValue
)

// everyDecoder is one command of each reply shape the package decodes.
func everyDecoder() map[string]moduletest.Built {
	return map[string]moduletest.Built{
		"Add":             moduletest.Build(vectorset.Add("k", "e", []float32{1})),
		"Sim":             moduletest.Build(vectorset.Sim("k", vectorset.Element("e"))),
		"Sim scores":      moduletest.Build(vectorset.Sim("k", vectorset.Element("e"), vectorset.SimOptions{WithScores: true})),
		"Sim attribs":     moduletest.Build(vectorset.Sim("k", vectorset.Element("e"), vectorset.SimOptions{WithAttribs: true})),
		"Sim both":        moduletest.Build(vectorset.Sim("k", vectorset.Element("e"), vectorset.SimOptions{WithScores: true, WithAttribs: true})),
		"Emb":             moduletest.Build(vectorset.Emb("k", "e")),
		"EmbRaw":          moduletest.Build(vectorset.EmbRaw("k", "e")),
		"Card":            moduletest.Build(vectorset.Card("k")),
		"Info":            moduletest.Build(vectorset.Info("k")),
		"Links":           moduletest.Build(vectorset.Links("k", "e")),
		"LinksWithScores": moduletest.Build(vectorset.LinksWithScores("k", "e")),
		"GetAttrAs raw":   moduletest.Build(vectorset.GetAttrAs[json.RawMessage]("k", "e")),
		"GetAttrAs movie": moduletest.Build(vectorset.GetAttrAs[movie]("k", "e")),
		"RandMember":      moduletest.Build(vectorset.RandMember("k")),
		"RandMemberCount": moduletest.Build(vectorset.RandMemberCount("k", 2)),
		"Range":           moduletest.Build(vectorset.Range("k", "-", "+")),
	}
}

// TestMalformedReplies checks that replies of the wrong shape give an
// error, not a panic or a half-filled value.
func TestMalformedReplies(t *testing.T) {
	d := everyDecoder()
	for _, tc := range []struct {
		decoder string
		reply   resp.Value
	}{
		{"Add", str("yes")},
		{"Add", resp.IntValue(2)},
		{"Sim", resp.IntValue(1)},
		{"Sim", arr(resp.IntValue(1))},
		{"Sim", obj(str("a"), num(1))}, // a map without WITHSCORES/WITHATTRIBS
		{"Sim scores", arr(str("a"), str("1"), str("b"))},
		{"Sim scores", arr(str("a"), str("high"))},
		{"Sim scores", arr(arr(), str("1"))},
		{"Sim scores", obj(str("a"), resp.NullValue())},
		{"Sim scores", obj(str("a"), arr())},
		{"Sim attribs", arr(str("a"), resp.IntValue(3))},
		{"Sim both", arr(str("a"), str("1"))},
		{"Sim both", obj(str("a"), arr(num(1)))},
		{"Sim both", obj(str("a"), num(1))},
		{"Sim both", obj(str("a"), arr(num(1), resp.IntValue(2)))},
		{"Emb", str("0.1")},
		{"Emb", arr(str("x"))},
		{"Emb", arr(arr())},
		{"EmbRaw", arr(resp.SimpleStringValue("int8"), str("\x01"))},
		{"EmbRaw", arr(resp.SimpleStringValue("int8"), str("\x01"), num(1), num(1), num(1))},
		{"EmbRaw", arr(resp.IntValue(8), str("\x01"), num(1))},
		{"EmbRaw", arr(resp.SimpleStringValue("int8"), resp.IntValue(1), num(1))},
		{"EmbRaw", arr(resp.SimpleStringValue("int8"), str("\x01"), str("norm"))},
		{"EmbRaw", arr(resp.SimpleStringValue("int8"), str("\x01"), num(1), str("range"))},
		{"Card", str("many")},
		{"Info", str("x")},
		{"Info", arr(resp.SimpleStringValue("size"))},
		{"Info", arr(resp.SimpleStringValue("size"), str("four"))},
		{"Info", arr(resp.SimpleStringValue("quant-type"), resp.IntValue(8))},
		{"Info", arr(resp.IntValue(1), resp.IntValue(8))},
		{"Links", arr(str("a"))},
		{"Links", arr(arr(arr()))},
		{"LinksWithScores", arr(arr(str("a")))},
		{"LinksWithScores", str("a")},
		{"GetAttrAs raw", resp.IntValue(1)},
		{"GetAttrAs movie", str(`{"year":"not a number"}`)},
		{"RandMember", resp.IntValue(1)},
		{"RandMemberCount", str("a")},
		{"RandMemberCount", arr(resp.IntValue(1))},
		{"Range", arr(resp.NullValue())},
	} {
		got, err := d[tc.decoder].Decode(tc.reply, nil)
		if err == nil {
			t.Errorf("%s of %#v: no error, got %#v", tc.decoder, tc.reply, got)
		}
	}
}

// TestDecodeShapesEitherProtocol checks the forms a decoder accepts
// beyond the recorded ones: each protocol's shape read by the other's
// rules, unknown VINFO fields, empty attributes.
func TestDecodeShapesEitherProtocol(t *testing.T) {
	d := everyDecoder()
	for _, tc := range []struct {
		decoder string
		reply   resp.Value
		want    any
	}{
		{"Sim scores", obj(str("a"), str("0.5")), []vectorset.Match{{Element: "a", Score: 0.5}}},
		{"Sim attribs", obj(str("a"), str("")), []vectorset.Match{{Element: "a"}}},
		{"Sim both", arr(str("a"), num(0.25), resp.NullValue(), str("b"), resp.IntValue(1), str(`{}`)),
			[]vectorset.Match{{Element: "a", Score: 0.25}, {Element: "b", Score: 1, Attributes: json.RawMessage(`{}`)}}},
		{"Sim", arr(), []vectorset.Match{}},
		{"Info", obj(resp.SimpleStringValue("size"), str("4"), resp.SimpleStringValue("new-field"), num(1.5)),
			vectorset.SetInfo{Size: 4, Extra: map[string]resp.Value{"new-field": num(1.5)}}},
		{"Info", arr(resp.SimpleStringValue("quant-type"), resp.SimpleStringValue("f32")), vectorset.SetInfo{Quantization: vectorset.NoQuant}},
		{"Info", arr(resp.SimpleStringValue("quant-type"), resp.SimpleStringValue("bin")), vectorset.SetInfo{Quantization: vectorset.Bin}},
		{"Info", arr(resp.SimpleStringValue("quant-type"), resp.SimpleStringValue("q4")), vectorset.SetInfo{Quantization: "q4"}},
		{"Links", arr(arr(str("x")), arr(str("x"), str("y")), arr(str("x"), str("y"), str("z"))),
			[][]string{{"x", "y", "z"}, {"x", "y"}, {"x"}}},
		{"Links", arr(), [][]string{}},
		{"Emb", arr(resp.IntValue(1), num(-0.5)), []float32{1, -0.5}},
		{"RandMemberCount", arr(), []string{}},
	} {
		got, err := d[tc.decoder].Decode(tc.reply, nil)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s of %#v:\n got %#v, %v\nwant %#v", tc.decoder, tc.reply, got, err, tc.want)
		}
	}
	// A decoder given a call error returns it as it is.
	for name, c := range d {
		if _, err := c.Decode(resp.Value{}, redis.ErrClosed); err != redis.ErrClosed {
			t.Errorf("%s: call error became %v", name, err)
		}
	}
}

// TestAttributesAreCopied checks that decoded attributes do not alias the
// reply's bytes (the reader reuses its buffers).
func TestAttributesAreCopied(t *testing.T) {
	buf := []byte(`{"year":1}`)
	v := arr(str("a"), resp.BytesValue(buf))
	got, err := everyDecoder()["Sim attribs"].Decode(v, nil)
	if err != nil {
		t.Fatal(err)
	}
	buf[2] = 'X'
	if m := got.([]vectorset.Match); string(m[0].Attributes) != `{"year":1}` {
		t.Errorf("attributes alias the reply: %s", m[0].Attributes)
	}
	raw := []byte("\x01\x02")
	r, err := everyDecoder()["EmbRaw"].Decode(arr(resp.SimpleStringValue("int8"), resp.BytesValue(raw), num(1), num(1)), nil)
	if err != nil {
		t.Fatal(err)
	}
	raw[0] = 9
	if e := r.(vectorset.RawEmbedding); e.Data[0] != 1 {
		t.Errorf("RAW data aliases the reply: % x", e.Data)
	}
}

// FuzzDecoders feeds arbitrary replies to every decoder: none may panic.
func FuzzDecoders(f *testing.F) {
	cases, err := captures.Load("vectorset")
	if err != nil {
		f.Fatal(err)
	}
	for _, c := range cases {
		f.Add(c.RESP2)
		f.Add(c.RESP3)
	}
	decoders := everyDecoder()
	f.Fuzz(func(t *testing.T, raw []byte) {
		v, err := resp.NewReader(bytes.NewReader(raw), resp.Limits{}).Read()
		if err != nil {
			return
		}
		for _, c := range decoders {
			_, _ = c.Decode(v, nil)
		}
	})
}
