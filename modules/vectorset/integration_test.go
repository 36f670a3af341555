package vectorset_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/internal/moduletest"
	"github.com/respkit/redis/modules/vectorset"
	"github.com/respkit/redis/redistest"
)

// The tests in this file run against a server with vector sets (Redis 8)
// named by $REDIS_MODULES_URL, once per protocol; without one they skip,
// saying why (the CI server is Redis 7.0: they skip there).

// vsClient returns a Client of the vector set server speaking proto, and a
// key prefix (with a hash tag, so that a cluster keeps the test's keys
// together); the keys in keys (under the prefix) are deleted when the test
// ends.
func vsClient(t *testing.T, proto int, keys ...string) (*vectorset.Client, string) {
	t.Helper()
	raw := redistest.CommandServer(t, "VADD")
	opts, err := redis.ParseURL(raw)
	if err != nil {
		t.Fatalf("%s: %v", redistest.ModulesURLEnv, err)
	}
	opts.Protocol = proto
	rdb := redis.NewClient(opts)
	prefix := "vectorset-test:{" + moduletest.RunID() + "}:"
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		for _, k := range keys {
			rdb.Do(ctx, "DEL", prefix+k)
		}
		rdb.Close()
	})
	return vectorset.New(rdb), prefix
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func names(ms []vectorset.Match) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Element
	}
	return out
}

// film is the attributes of the integration tests' elements.
type film struct {
	Year  int    `json:"year"`
	Genre string `json:"genre"`
}

// filmEntry is one element the integration tests add.
type filmEntry struct {
	name  string
	vec   []float32
	attrs any
}

var films = []filmEntry{
	{"alien", []float32{0.9, 0.1, 0.0}, film{1979, "sci-fi"}},
	{"aliens", []float32{0.85, 0.15, 0.05}, film{1986, "sci-fi"}},
	{"heat", []float32{0.1, 0.9, 0.2}, film{1995, "crime"}},
	{"up", []float32{0.0, 0.2, 0.95}, film{2009, "animation <family>"}},
	{"untagged", []float32{0.88, 0.12, 0.01}, nil},
}

func addFilms(t *testing.T, ctx context.Context, vs *vectorset.Client, key string) {
	t.Helper()
	for i, f := range films {
		// Alternate the two vector encodings.
		added, err := vs.Add(ctx, key, f.name, f.vec, vectorset.AddOptions{Values: i%2 == 1, Attributes: f.attrs})
		if err != nil || !added {
			t.Fatalf("Add %s: %v, %v", f.name, added, err)
		}
	}
}

func TestIntegrationAddSimFilter(t *testing.T) {
	moduletest.EachProtocol(t, func(t *testing.T, proto int) {
		vs, p := vsClient(t, proto, "films")
		ctx := testContext(t)
		key := p + "films"
		addFilms(t, ctx, vs, key)

		if n, err := vs.Card(ctx, key); n != int64(len(films)) || err != nil {
			t.Errorf("Card = %d, %v", n, err)
		}
		if d, err := vs.Dim(ctx, key); d != 3 || err != nil {
			t.Errorf("Dim = %d, %v", d, err)
		}
		// Updating an element reports false.
		if added, err := vs.Add(ctx, key, "alien", films[0].vec); added || err != nil {
			t.Errorf("Add of an existing element = %v, %v", added, err)
		}

		// By vector, with a filter: only sci-fi, the closest first.
		got, err := vs.Sim(ctx, key, vectorset.Vector([]float32{1, 0, 0}), vectorset.SimOptions{
			Filter: `.genre == "sci-fi"`, WithScores: true, WithAttribs: true,
		})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(names(got), []string{"alien", "aliens"}) {
			t.Fatalf("Sim with FILTER = %+v", got)
		}
		for _, m := range got {
			var f film
			if err := m.DecodeAttributes(&f); err != nil || f.Genre != "sci-fi" {
				t.Errorf("%s: attributes %s, %v", m.Element, m.Attributes, err)
			}
			if m.Score <= 0.9 || m.Score > 1+1e-6 {
				t.Errorf("%s: score %v", m.Element, m.Score)
			}
		}
		if got[0].Score < got[1].Score {
			t.Errorf("not best first: %+v", got)
		}

		// A numeric filter, by element, as VALUES.
		got, err = vs.Sim(ctx, key, vectorset.Vector([]float32{0, 0.2, 0.95}), vectorset.SimOptions{Values: true, Filter: ".year > 1990", Count: 1})
		if err != nil || !slices.Equal(names(got), []string{"up"}) {
			t.Errorf("Sim VALUES .year > 1990 COUNT 1 = %+v, %v", got, err)
		}
		// Text with < and > reaches the server unescaped.
		got, err = vs.Sim(ctx, key, vectorset.Element("heat"), vectorset.SimOptions{Filter: `.genre == "animation <family>"`})
		if err != nil || !slices.Equal(names(got), []string{"up"}) {
			t.Errorf("Sim with a <family> filter = %+v, %v", got, err)
		}
		// By element, no options: every element, itself first.
		got, err = vs.Sim(ctx, key, vectorset.Element("alien"), vectorset.SimOptions{Truth: true})
		if err != nil || len(got) != len(films) || got[0].Element != "alien" || got[0].Score != 0 || got[0].Attributes != nil {
			t.Errorf("Sim ELE = %+v, %v", got, err)
		}
		// Attributes only: the untagged element has none.
		got, err = vs.Sim(ctx, key, vectorset.Element("untagged"), vectorset.SimOptions{WithAttribs: true, Count: 1})
		if err != nil || len(got) != 1 || got[0].Element != "untagged" || got[0].Attributes != nil {
			t.Errorf("Sim WITHATTRIBS of untagged = %+v, %v", got, err)
		}

		// A missing key: an empty result; a missing element: ERR.
		if got, err := vs.Sim(ctx, p+"none", vectorset.Element("x")); err == nil && len(got) != 0 {
			t.Errorf("Sim of a missing key = %+v", got)
		}
		var se *redis.Error
		if _, err := vs.Sim(ctx, key, vectorset.Element("nobody")); !errors.As(err, &se) {
			t.Errorf("Sim of a missing element: %v", err)
		}
		if _, err := vs.Sim(ctx, key, vectorset.Element("alien"), vectorset.SimOptions{Filter: ".year >"}); !errors.As(err, &se) {
			t.Errorf("Sim with a bad filter: %v", err)
		}
		if _, err := vs.Add(ctx, key, "short", []float32{1, 2}); !errors.As(err, &se) {
			t.Errorf("Add of a 2-dimensional vector to a 3-dimensional set: %v", err)
		}
		if _, err := vs.Dim(ctx, p+"none"); !errors.As(err, &se) {
			t.Errorf("Dim of a missing key: %v", err)
		}
	})
}

func TestIntegrationInspect(t *testing.T) {
	moduletest.EachProtocol(t, func(t *testing.T, proto int) {
		vs, p := vsClient(t, proto, "films", "exact", "bin")
		ctx := testContext(t)
		key := p + "films"
		addFilms(t, ctx, vs, key)

		emb, err := vs.Emb(ctx, key, "heat")
		if err != nil || len(emb) != 3 {
			t.Fatalf("Emb = %v, %v", emb, err)
		}
		for i, want := range films[2].vec {
			if math.Abs(float64(emb[i]-want)) > 0.01 {
				t.Errorf("Emb component %d = %v, want about %v", i, emb[i], want)
			}
		}
		raw, err := vs.EmbRaw(ctx, key, "heat")
		if err != nil || raw.Quantization != vectorset.Q8 || len(raw.Data) != 3 || raw.Range == 0 {
			t.Fatalf("EmbRaw = %+v, %v", raw, err)
		}
		rebuilt, err := raw.Vector()
		if err != nil {
			t.Fatal(err)
		}
		for i := range emb {
			if math.Abs(float64(rebuilt[i]-emb[i])) > 1e-5 {
				t.Errorf("RawEmbedding.Vector()[%d] = %v, Emb %v", i, rebuilt[i], emb[i])
			}
		}
		if _, err := vs.Emb(ctx, key, "nobody"); !errors.Is(err, redis.ErrNil) {
			t.Errorf("Emb of a missing element: %v", err)
		}

		// NOQUANT keeps the exact floats; BIN the signs.
		exact := []float32{0.6, -0.8}
		if _, err := vs.Add(ctx, p+"exact", "x", exact, vectorset.AddOptions{Quantization: vectorset.NoQuant, CAS: true}); err != nil {
			t.Fatal(err)
		}
		if raw, err := vs.EmbRaw(ctx, p+"exact", "x"); err != nil || raw.Quantization != vectorset.NoQuant {
			t.Errorf("EmbRaw NOQUANT = %+v, %v", raw, err)
		} else if v, err := raw.Vector(); err != nil || math.Abs(float64(v[0]-0.6)) > 1e-6 || math.Abs(float64(v[1]+0.8)) > 1e-6 {
			t.Errorf("NOQUANT rebuilt = %v, %v", v, err)
		}
		if _, err := vs.Add(ctx, p+"bin", "x", []float32{1, -1, 1, -1}, vectorset.AddOptions{Quantization: vectorset.Bin}); err != nil {
			t.Fatal(err)
		}
		if raw, err := vs.EmbRaw(ctx, p+"bin", "x"); err != nil || raw.Quantization != vectorset.Bin || len(raw.Data) == 0 || raw.Data[0]&0x0f != 0x05 {
			t.Errorf("EmbRaw BIN = %+v, %v", raw, err)
		}

		info, err := vs.Info(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		if info.Quantization != vectorset.Q8 || info.Dim != 3 || info.Size != int64(len(films)) || info.AttributesCount != int64(len(films)-1) || info.M <= 0 {
			t.Errorf("Info = %+v", info)
		}
		if _, err := vs.Info(ctx, p+"none"); !errors.Is(err, redis.ErrNil) {
			t.Errorf("Info of a missing key: %v", err)
		}

		links, err := vs.Links(ctx, key, "alien")
		if err != nil || len(links) == 0 || int64(len(links)) > info.MaxLevel+1 {
			t.Fatalf("Links = %q, %v (max-level %d)", links, err, info.MaxLevel)
		}
		// Layer 0 links alien to some of the others (the neighbour
		// selection may prune), never to itself.
		if len(links[0]) == 0 || slices.Contains(links[0], "alien") {
			t.Errorf("layer 0 of alien = %q", links[0])
		}
		for _, l := range links {
			for _, e := range l {
				if !slices.ContainsFunc(films, func(f filmEntry) bool { return f.name == e }) {
					t.Errorf("link to %q, not an element", e)
				}
			}
		}
		scored, err := vs.LinksWithScores(ctx, key, "alien")
		if err != nil || len(scored) != len(links) {
			t.Fatalf("LinksWithScores = %+v, %v", scored, err)
		}
		for _, m := range scored[0] {
			if m.Score <= 0 || m.Score > 1+1e-6 {
				t.Errorf("link to %s: score %v", m.Element, m.Score)
			}
		}
		if _, err := vs.Links(ctx, key, "nobody"); !errors.Is(err, redis.ErrNil) {
			t.Errorf("Links of a missing element: %v", err)
		}

		one, err := vs.RandMember(ctx, key)
		if err != nil || !slices.ContainsFunc(films, func(f filmEntry) bool { return f.name == one }) {
			t.Errorf("RandMember = %q, %v", one, err)
		}
		some, err := vs.RandMemberCount(ctx, key, -7)
		if err != nil || len(some) != 7 {
			t.Errorf("RandMemberCount -7 = %q, %v", some, err)
		}
		if _, err := vs.RandMember(ctx, p+"none"); !errors.Is(err, redis.ErrNil) {
			t.Errorf("RandMember of a missing key: %v", err)
		}

		if ok, err := vs.Rem(ctx, key, "untagged"); !ok || err != nil {
			t.Errorf("Rem = %v, %v", ok, err)
		}
		if ok, err := vs.Rem(ctx, key, "untagged"); ok || err != nil {
			t.Errorf("Rem again = %v, %v", ok, err)
		}
	})
}

func TestIntegrationMemberAndRange(t *testing.T) {
	redistest.CommandServer(t, "VRANGE") // Redis 8.4 (VISMEMBER: 8.2)
	moduletest.EachProtocol(t, func(t *testing.T, proto int) {
		vs, p := vsClient(t, proto, "films")
		ctx := testContext(t)
		key := p + "films"
		addFilms(t, ctx, vs, key)
		if ok, err := vs.IsMember(ctx, key, "heat"); !ok || err != nil {
			t.Errorf("IsMember heat = %v, %v", ok, err)
		}
		if ok, err := vs.IsMember(ctx, key, "nobody"); ok || err != nil {
			t.Errorf("IsMember nobody = %v, %v", ok, err)
		}
		all, err := vs.Range(ctx, key, "-", "+", vectorset.RangeOptions{Count: -1})
		if err != nil || !slices.Equal(all, []string{"alien", "aliens", "heat", "untagged", "up"}) {
			t.Errorf("Range - + = %q, %v", all, err)
		}
		// A stateless iteration, two at a time.
		var seen []string
		for start := "-"; ; {
			page, err := vs.Range(ctx, key, start, "+", vectorset.RangeOptions{Count: 2})
			if err != nil {
				t.Fatal(err)
			}
			seen = append(seen, page...)
			if len(page) < 2 {
				break
			}
			start = "(" + page[len(page)-1]
		}
		if !slices.Equal(seen, all) {
			t.Errorf("iterated %q, want %q", seen, all)
		}
	})
}

func TestIntegrationAttributes(t *testing.T) {
	moduletest.EachProtocol(t, func(t *testing.T, proto int) {
		vs, p := vsClient(t, proto, "films")
		ctx := testContext(t)
		key := p + "films"
		addFilms(t, ctx, vs, key)

		f, err := vectorset.GetAttr[film](ctx, vs, key, "up")
		if err != nil || f != (film{2009, "animation <family>"}) {
			t.Errorf("GetAttr[film] = %+v, %v", f, err)
		}
		if ok, err := vs.SetAttr(ctx, key, "up", film{2010, "animation"}); !ok || err != nil {
			t.Errorf("SetAttr = %v, %v", ok, err)
		}
		raw, err := vs.GetAttr(ctx, key, "up")
		if err != nil || string(raw) != `{"year":2010,"genre":"animation"}` {
			t.Errorf("GetAttr = %s, %v", raw, err)
		}
		m, err := vectorset.GetAttr[map[string]any](ctx, vs, key, "up")
		if err != nil || m["year"] != 2010.0 {
			t.Errorf("GetAttr[map] = %v, %v", m, err)
		}
		// nil removes the attributes.
		if ok, err := vs.SetAttr(ctx, key, "up", nil); !ok || err != nil {
			t.Errorf("SetAttr nil = %v, %v", ok, err)
		}
		if _, err := vs.GetAttr(ctx, key, "up"); !errors.Is(err, redis.ErrNil) {
			t.Errorf("GetAttr after removal: %v", err)
		}
		if _, err := vectorset.GetAttr[film](ctx, vs, key, "untagged"); !errors.Is(err, redis.ErrNil) {
			t.Errorf("GetAttr of an element without attributes: %v", err)
		}
		if ok, err := vs.SetAttr(ctx, key, "nobody", film{}); ok || err != nil {
			t.Errorf("SetAttr of a missing element = %v, %v", ok, err)
		}
		if _, err := vs.GetAttr(ctx, p+"none", "x"); !errors.Is(err, redis.ErrNil) {
			t.Errorf("GetAttr of a missing key: %v", err)
		}
		// Raw JSON text goes as it is.
		if _, err := vs.SetAttr(ctx, key, "heat", json.RawMessage(`{"year": 1995, "tags": ["la"]}`)); err != nil {
			t.Fatal(err)
		}
		if raw, err := vs.GetAttr(ctx, key, "heat"); err != nil || string(raw) != `{"year":1995,"tags":["la"]}` {
			t.Errorf("GetAttr of raw text = %s, %v", raw, err)
		}
	})
}

func TestIntegrationPipeline(t *testing.T) {
	moduletest.EachProtocol(t, func(t *testing.T, proto int) {
		vs, p := vsClient(t, proto, "films", "tx")
		ctx := testContext(t)
		rdb := vs.Redis()
		key := p + "films"

		pipe := rdb.Pipeline()
		var adds []*redis.Reply[bool]
		for _, f := range films {
			adds = append(adds, redis.Queue(pipe, vectorset.Add(key, f.name, f.vec, vectorset.AddOptions{Attributes: f.attrs})))
		}
		bad := redis.Queue(pipe, vectorset.Add(key, "bad", []float32{float32(math.NaN()), 0, 0}))
		card := redis.Queue(pipe, vectorset.Card(key))
		sim := redis.Queue(pipe, vectorset.Sim(key, vectorset.Element("alien"), vectorset.SimOptions{WithScores: true, Filter: ".year < 1990"}))
		attr := redis.Queue(pipe, vectorset.GetAttrAs[film](key, "heat"))
		_ = pipe.Exec(ctx)
		for i, a := range adds {
			if ok, err := a.Result(); !ok || err != nil {
				t.Errorf("queued Add %d = %v, %v", i, ok, err)
			}
		}
		if _, err := bad.Result(); !errors.Is(err, vectorset.ErrInvalidVector) {
			t.Errorf("queued Add of NaN: %v", err)
		}
		if n, err := card.Result(); n != int64(len(films)) || err != nil {
			t.Errorf("queued Card = %d, %v", n, err)
		}
		if ms, err := sim.Result(); err != nil || !slices.Equal(names(ms), []string{"alien", "aliens"}) || ms[0].Score < ms[1].Score {
			t.Errorf("queued Sim = %+v, %v", ms, err)
		}
		if f, err := attr.Result(); err != nil || f.Year != 1995 {
			t.Errorf("queued GetAttrAs = %+v, %v", f, err)
		}

		tx := rdb.TxPipeline()
		txKey := p + "tx"
		redis.Queue(tx, vectorset.Add(txKey, "a", []float32{1, 0}, vectorset.AddOptions{Quantization: vectorset.NoQuant}))
		redis.Queue(tx, vectorset.Add(txKey, "b", []float32{0, 1}, vectorset.AddOptions{Values: true}))
		emb := redis.Queue(tx, vectorset.Emb(txKey, "b"))
		info := redis.Queue(tx, vectorset.Info(txKey))
		if err := tx.Exec(ctx); err != nil {
			t.Fatal(err)
		}
		if v, err := emb.Result(); err != nil || !slices.Equal(v, []float32{0, 1}) {
			t.Errorf("Emb in a transaction = %v, %v", v, err)
		}
		if in, err := info.Result(); err != nil || in.Size != 2 || in.Quantization != vectorset.NoQuant {
			t.Errorf("Info in a transaction = %+v, %v", in, err)
		}
	})
}
