package vectorset_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"testing"

	"github.com/respkit/redis"
	"github.com/respkit/redis/modules/vectorset"
	"github.com/respkit/redis/resp"
)

func TestAppendFP32ExactBytes(t *testing.T) {
	nan := math.Float32frombits(0x7fc00001) // a quiet NaN with a payload
	for _, tc := range []struct {
		name string
		v    []float32
		want []byte
	}{
		{"empty", nil, nil},
		{"one", []float32{1}, []byte{0x00, 0x00, 0x80, 0x3f}},
		{"0.1 (rounded to float32)", []float32{0.1}, []byte{0xcd, 0xcc, 0xcc, 0x3d}},
		{"negative", []float32{-2.5}, []byte{0x00, 0x00, 0x20, 0xc0}},
		{"zero and negative zero", []float32{0, float32(math.Copysign(0, -1))}, []byte{0, 0, 0, 0, 0, 0, 0, 0x80}},
		{"smallest subnormal", []float32{math.SmallestNonzeroFloat32}, []byte{1, 0, 0, 0}},
		{"largest", []float32{math.MaxFloat32}, []byte{0xff, 0xff, 0x7f, 0x7f}},
		{"infinities", []float32{float32(math.Inf(1)), float32(math.Inf(-1))}, []byte{0, 0, 0x80, 0x7f, 0, 0, 0x80, 0xff}},
		{"NaN keeps its payload", []float32{nan}, []byte{0x01, 0x00, 0xc0, 0x7f}},
		{"recorded 0.2 0.25 0.3", []float32{0.2, 0.25, 0.3}, []byte{0xcd, 0xcc, 0x4c, 0x3e, 0x00, 0x00, 0x80, 0x3e, 0x9a, 0x99, 0x99, 0x3e}},
	} {
		got := vectorset.AppendFP32(nil, tc.v)
		if !bytes.Equal(got, tc.want) {
			t.Errorf("%s: AppendFP32 = % x, want % x", tc.name, got, tc.want)
		}
		back, err := vectorset.ParseFP32(got)
		if err != nil || len(back) != len(tc.v) {
			t.Errorf("%s: ParseFP32 = %v, %v", tc.name, back, err)
			continue
		}
		for i := range back {
			if math.Float32bits(back[i]) != math.Float32bits(tc.v[i]) {
				t.Errorf("%s: component %d read back as %#x, want %#x", tc.name, i, math.Float32bits(back[i]), math.Float32bits(tc.v[i]))
			}
		}
	}
	if got := vectorset.AppendFP32([]byte("x"), []float32{1}); !bytes.Equal(got, []byte{'x', 0, 0, 0x80, 0x3f}) {
		t.Errorf("AppendFP32 does not append: % x", got)
	}
	if _, err := vectorset.ParseFP32([]byte{1, 2, 3}); err == nil {
		t.Error("ParseFP32 of 3 bytes: no error")
	}
}

func TestValuesFormatting(t *testing.T) {
	for _, tc := range []struct {
		v    []float32
		want []string
	}{
		{[]float32{0.1, 0.2, 0.3}, []string{"0.1", "0.2", "0.3"}},
		{[]float32{0.9, 0.1, 0}, []string{"0.9", "0.1", "0.0"}},
		{[]float32{1, -1, 0}, []string{"1", "-1", "0"}},
		{[]float32{1.5, 2}, []string{"1.5", "2.0"}},
		{[]float32{1e20, 0.5}, []string{"1e+20", "0.5"}},
		{[]float32{float32(math.Copysign(0, -1)), 0.5}, []string{"-0.0", "0.5"}},
		{[]float32{16777217}, []string{"1.6777216e+07"}}, // float32 has no 16777217
		{[]float32{math.SmallestNonzeroFloat32}, []string{"1e-45"}},
	} {
		cmd := vectorset.Add("k", "e", tc.v, vectorset.AddOptions{Values: true})
		args := []any{"VADD", "k", "VALUES", strconv.Itoa(len(tc.v))}
		for _, s := range tc.want {
			args = append(args, s)
		}
		args = append(args, "e")
		want, _ := resp.AppendCommand(nil, args...)
		if !bytes.Equal(cmd.Bytes(), want) {
			t.Errorf("%v: got %q, want %q", tc.v, cmd.Bytes(), want)
		}
	}
}

// TestRefusedBeforeSending checks that bad input gives a command that
// carries its error and is never sent.
func TestRefusedBeforeSending(t *testing.T) {
	nan := float32(math.NaN())
	inf := float32(math.Inf(1))
	for _, tc := range []struct {
		name     string
		cmd      *redis.Cmd
		isVector bool
	}{
		{"Add empty vector", vectorset.Add("k", "e", nil).Cmd, true},
		{"Add NaN", vectorset.Add("k", "e", []float32{1, nan}).Cmd, true},
		{"Add +Inf as VALUES", vectorset.Add("k", "e", []float32{inf}, vectorset.AddOptions{Values: true}).Cmd, true},
		{"Add -Inf", vectorset.Add("k", "e", []float32{-inf}).Cmd, true},
		{"Add negative Reduce", vectorset.Add("k", "e", []float32{1}, vectorset.AddOptions{Reduce: -1}).Cmd, false},
		{"Add negative EF", vectorset.Add("k", "e", []float32{1}, vectorset.AddOptions{EF: -1}).Cmd, false},
		{"Add negative M", vectorset.Add("k", "e", []float32{1}, vectorset.AddOptions{M: -1}).Cmd, false},
		{"Add unknown quantization", vectorset.Add("k", "e", []float32{1}, vectorset.AddOptions{Quantization: "int4"}).Cmd, false},
		{"Add unencodable attributes", vectorset.Add("k", "e", []float32{1}, vectorset.AddOptions{Attributes: make(chan int)}).Cmd, false},
		{"Add invalid JSON text", vectorset.Add("k", "e", []float32{1}, vectorset.AddOptions{Attributes: json.RawMessage(`{x`)}).Cmd, false},
		{"SetAttr invalid JSON text", vectorset.SetAttr("k", "e", json.RawMessage(`{not json`)).Cmd, false},
		{"SetAttr invalid JSON bytes", vectorset.SetAttr("k", "e", []byte(`{not json`)).Cmd, false},
		{"SetAttr NaN", vectorset.SetAttr("k", "e", math.NaN()).Cmd, false},
		{"Sim zero query", vectorset.Sim("k", vectorset.Query{}).Cmd, false},
		{"Sim empty vector", vectorset.Sim("k", vectorset.Vector(nil)).Cmd, true},
		{"Sim NaN", vectorset.Sim("k", vectorset.Vector([]float32{nan})).Cmd, true},
		{"Sim Values with Element", vectorset.Sim("k", vectorset.Element("a"), vectorset.SimOptions{Values: true}).Cmd, false},
		{"Sim negative Count", vectorset.Sim("k", vectorset.Element("a"), vectorset.SimOptions{Count: -1}).Cmd, false},
		{"Sim negative Epsilon", vectorset.Sim("k", vectorset.Element("a"), vectorset.SimOptions{Epsilon: -0.1}).Cmd, false},
		{"Sim NaN Epsilon", vectorset.Sim("k", vectorset.Element("a"), vectorset.SimOptions{Epsilon: math.NaN()}).Cmd, false},
		{"Sim negative EF", vectorset.Sim("k", vectorset.Element("a"), vectorset.SimOptions{EF: -1}).Cmd, false},
		{"Sim negative FilterEF", vectorset.Sim("k", vectorset.Element("a"), vectorset.SimOptions{FilterEF: -1}).Cmd, false},
		{"Range empty start", vectorset.Range("k", "", "+").Cmd, false},
		{"Range empty end", vectorset.Range("k", "-", "").Cmd, false},
	} {
		err := tc.cmd.Err()
		if err == nil {
			t.Errorf("%s: built without an error: %q", tc.name, tc.cmd.Bytes())
			continue
		}
		if len(tc.cmd.Bytes()) != 0 {
			t.Errorf("%s: refused but encoded %q", tc.name, tc.cmd.Bytes())
		}
		if errors.Is(err, vectorset.ErrInvalidVector) != tc.isVector {
			t.Errorf("%s: %v; errors.Is(ErrInvalidVector) = %v", tc.name, err, !tc.isVector)
		}
	}

	// Run on a client: the error comes back without anything being sent
	// (the address accepts no connection).
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	defer rdb.Close()
	vs := vectorset.New(rdb)
	if _, err := vs.Add(context.Background(), "k", "e", []float32{nan}); !errors.Is(err, vectorset.ErrInvalidVector) {
		t.Errorf("Client.Add with NaN: %v", err)
	}
	p := rdb.Pipeline()
	r := redis.Queue(p, vectorset.Sim("k", vectorset.Vector(nil)))
	_ = p.Exec(context.Background())
	if _, err := r.Result(); !errors.Is(err, vectorset.ErrInvalidVector) {
		t.Errorf("queued Sim with an empty vector: %v", err)
	}
}

func TestAttributesEncoding(t *testing.T) {
	for _, tc := range []struct {
		attrs any
		want  string
	}{
		{nil, ""},
		{json.RawMessage(nil), ""},
		{json.RawMessage(` { "a" : 1 } `), `{"a":1}`},
		{map[string]any{"b": "x<y&z", "a": 1}, `{"a":1,"b":"x<y&z"}`}, // no HTML escaping
		{movie{Year: 1, Genre: "g"}, `{"year":1,"genre":"g"}`},
		{"text", `"text"`},
		{[]int{1, 2}, `[1,2]`},
		{[]byte(`{"a": [1, 2]}`), `{"a":[1,2]}`}, // JSON text, not base64
		{[]byte{}, ""},
	} {
		cmd := vectorset.SetAttr("k", "e", tc.attrs)
		want, _ := resp.AppendCommand(nil, "VSETATTR", "k", "e", tc.want)
		if cmd.Err() != nil || !bytes.Equal(cmd.Bytes(), want) {
			t.Errorf("SetAttr(%#v) = %q, %v; want %q", tc.attrs, cmd.Bytes(), cmd.Err(), want)
		}
	}
	// VADD sends no SETATTR for nil or empty attributes.
	for _, attrs := range []any{nil, json.RawMessage{}, []byte(nil)} {
		cmd := vectorset.Add("k", "e", []float32{1}, vectorset.AddOptions{Attributes: attrs})
		if bytes.Contains(cmd.Bytes(), []byte("SETATTR")) {
			t.Errorf("Add with attributes %#v sent SETATTR: %q", attrs, cmd.Bytes())
		}
	}
}

func TestOptionOrder(t *testing.T) {
	cmd := vectorset.Add("k", "e", []float32{1, 2}, vectorset.AddOptions{
		Reduce: 1, CAS: true, Quantization: vectorset.Q8, EF: 10, Attributes: map[string]int{"a": 1}, M: 8,
	})
	want, _ := resp.AppendCommand(nil, "VADD", "k", "REDUCE", "1", "FP32", vectorset.AppendFP32(nil, []float32{1, 2}), "e", "CAS", "Q8", "EF", "10", "SETATTR", `{"a":1}`, "M", "8")
	if !bytes.Equal(cmd.Bytes(), want) {
		t.Errorf("VADD with every option:\n got %q\nwant %q", cmd.Bytes(), want)
	}
	sim := vectorset.Sim("k", vectorset.Vector([]float32{1, 2}), vectorset.SimOptions{
		Values: true, WithScores: true, WithAttribs: true, Count: 3, Epsilon: 0.25, EF: 50, Filter: ".a == 1", FilterEF: 99, Truth: true, NoThread: true,
	})
	want, _ = resp.AppendCommand(nil, "VSIM", "k", "VALUES", "2", "1", "2", "FILTER", ".a == 1", "FILTER-EF", "99", "WITHSCORES", "WITHATTRIBS", "COUNT", "3", "EPSILON", "0.25", "EF", "50", "TRUTH", "NOTHREAD")
	if !bytes.Equal(sim.Bytes(), want) {
		t.Errorf("VSIM with every option:\n got %q\nwant %q", sim.Bytes(), want)
	}
	if k, ok := sim.Key(); !ok || k != "k" {
		t.Errorf("VSIM key = %q, %v", k, ok)
	}
	rng := vectorset.Range("k", "(a", "+", vectorset.RangeOptions{Count: -1})
	want, _ = resp.AppendCommand(nil, "VRANGE", "k", "(a", "+", "-1")
	if !bytes.Equal(rng.Bytes(), want) {
		t.Errorf("VRANGE with a negative count: %q", rng.Bytes())
	}
}

func TestNilClient(t *testing.T) {
	ctx := context.Background()
	var nilClient *vectorset.Client
	for name, c := range map[string]*vectorset.Client{"New(nil)": vectorset.New(nil), "zero": {}, "nil": nilClient} {
		if _, err := c.Card(ctx, "k"); !errors.Is(err, vectorset.ErrNoClient) {
			t.Errorf("%s: Card: %v", name, err)
		}
		if _, err := vectorset.GetAttr[movie](ctx, c, "k", "e"); !errors.Is(err, vectorset.ErrNoClient) {
			t.Errorf("%s: GetAttr: %v", name, err)
		}
		if c.Redis() != nil {
			t.Errorf("%s: Redis() is not nil", name)
		}
	}
}

func TestRawEmbeddingVector(t *testing.T) {
	// From the recorded VEMB vs:1 a RAW and VEMB vs:1 a: the rebuilt
	// vector is what VEMB returns.
	q8 := vectorset.RawEmbedding{Quantization: vectorset.Q8, Data: []byte{41, 82, 127}, Norm: 0.38223031163215637, Range: 0.8110293745994568}
	got, err := q8.Vector()
	want := []float32{0.10007874667644501, 0.20015749335289001, 0.3100000023841858}
	if err != nil || len(got) != len(want) {
		t.Fatalf("Q8 Vector() = %v, %v", got, err)
	}
	for i := range want {
		if math.Abs(float64(got[i]-want[i])) > 1e-6 {
			t.Errorf("Q8 component %d = %v, want %v", i, got[i], want[i])
		}
	}
	f32 := vectorset.RawEmbedding{Quantization: vectorset.NoQuant, Data: vectorset.AppendFP32(nil, []float32{0.6, 0.8}), Norm: 5}
	if got, err := f32.Vector(); err != nil || math.Abs(float64(got[0]-3)) > 1e-6 || math.Abs(float64(got[1]-4)) > 1e-6 {
		t.Errorf("NoQuant Vector() = %v, %v", got, err)
	}
	neg := vectorset.RawEmbedding{Quantization: vectorset.Q8, Data: []byte{0x81}, Norm: 1, Range: 1} // -127
	if got, err := neg.Vector(); err != nil || got[0] != -1 {
		t.Errorf("Q8 -127 = %v, %v", got, err)
	}
	if _, err := (vectorset.RawEmbedding{Quantization: vectorset.Bin, Data: []byte{5}}).Vector(); err == nil {
		t.Error("Bin Vector(): no error")
	}
	if _, err := (vectorset.RawEmbedding{Quantization: vectorset.NoQuant, Data: []byte{1}}).Vector(); err == nil {
		t.Error("NoQuant Vector() of 1 byte: no error")
	}
}

func TestMatchDecodeAttributes(t *testing.T) {
	var m movie
	if err := (vectorset.Match{Element: "a"}).DecodeAttributes(&m); !errors.Is(err, redis.ErrNil) {
		t.Errorf("no attributes: %v", err)
	}
	if err := (vectorset.Match{Attributes: json.RawMessage(`{"year":3,"genre":"x"}`)}).DecodeAttributes(&m); err != nil || m != (movie{3, "x"}) {
		t.Errorf("got %+v, %v", m, err)
	}
	if err := (vectorset.Match{Attributes: json.RawMessage(`{bad`)}).DecodeAttributes(&m); err == nil {
		t.Error("bad JSON: no error")
	}
}
