package search

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/redistest"
)

// searchServer returns a client of the server in $REDIS_MODULES_URL
// speaking proto, or skips the test when that server has no search
// module (CI's servers have none).
func searchServer(t *testing.T, proto int) *redis.Client {
	t.Helper()
	raw := redistest.ModuleServer(t, "search", "ft")
	opts, err := redis.ParseURL(raw)
	if err != nil {
		t.Fatalf("%s: %v", redistest.ModulesURLEnv, err)
	}
	opts.Protocol = proto
	rdb := redis.NewClient(opts)
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// float32Bytes is a FLOAT32 vector as a hash stores it.
func float32Bytes(v ...float32) []byte {
	b := make([]byte, 4*len(v))
	for i, f := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(f))
	}
	return b
}

// waitIndexed polls FT.INFO until the index has finished its initial scan
// and holds docs documents.
func waitIndexed(t *testing.T, ctx context.Context, ft *Client, index string, docs int64) IndexInfo {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		info, err := ft.Info(ctx, index)
		if err != nil {
			t.Fatalf("Info(%s): %v", index, err)
		}
		if !info.Indexing && info.NumDocs == docs {
			return info
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: still indexing=%v with %d of %d documents", index, info.Indexing, info.NumDocs, docs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestIndexIntegration(t *testing.T) {
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			rdb := searchServer(t, proto)
			ft := New(rdb)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			p := fmt.Sprintf("respkit-test:%d:%d:", proto, time.Now().UnixNano())

			movies := []struct {
				title, genre string
				year         int
				vec          []float32
			}{
				{"The Matrix", "action,scifi", 1999, []float32{0.1, 0.2, 0.3}},
				{"Heat", "action,crime", 1995, []float32{0.2, 0.3, 0.1}},
				{"Pride and Prejudice", "drama,romance", 2005, []float32{0.9, 0.1, 0}},
			}
			var keys []string
			for i, m := range movies {
				key := fmt.Sprintf("%smovie:%d", p, i+1)
				keys = append(keys, key)
				_, err := rdb.HSet(ctx, key,
					redis.HashField{Field: "title", Value: m.title}, redis.HashField{Field: "genre", Value: m.genre},
					redis.HashField{Field: "year", Value: m.year}, redis.HashField{Field: "vec", Value: float32Bytes(m.vec...)},
					redis.HashField{Field: "hvec", Value: float32Bytes(m.vec...)})
				if err != nil {
					t.Fatal(err)
				}
			}
			idx, alias := p+"idx", p+"alias"
			t.Cleanup(func() {
				ctx := context.Background()
				ft.DropIndex(ctx, idx)
				ft.AliasDel(ctx, alias)
				rdb.Del(ctx, append(keys, p+"dict", p+"sug")...)
			})

			// Create a hash index with every basic field type and two
			// vector fields, and read it back with Info.
			err := ft.Create(ctx, idx, &CreateOptions{On: OnHash, Prefixes: []string{p + "movie:"}, Stopwords: []string{"the"}},
				NewTextField("title").Weight(5).Sortable(),
				NewTagField("genre").Sortable(),
				NewNumericField("year").Sortable(),
				NewVectorField("vec", VectorFlat, VectorFloat32, 3, DistanceCosine).InitialCap(10),
				NewVectorField("hvec", VectorHNSW, VectorFloat32, 3, DistanceL2).M(8).EFConstruction(100),
			)
			if err != nil {
				t.Fatalf("Create: %v", err)
			}
			if err := ft.Create(ctx, idx, nil, NewTextField("title")); err == nil {
				t.Fatal("creating the index twice succeeded")
			} else if re := (*redis.Error)(nil); !errors.As(err, &re) {
				t.Fatalf("creating the index twice: %v, want a server error", err)
			}
			info := waitIndexed(t, ctx, ft, idx, int64(len(movies)))
			if info.Name != idx || info.Definition.KeyType != "HASH" || !slices.Equal(info.Definition.Prefixes, []string{p + "movie:"}) {
				t.Errorf("Info: name %q, definition %+v", info.Name, info.Definition)
			}
			if !slices.Equal(info.Stopwords, []string{"the"}) {
				t.Errorf("Info: stopwords %q, want [the]", info.Stopwords)
			}
			types := map[string]AttributeInfo{}
			for _, a := range info.Attributes {
				types[a.Attribute] = a
			}
			if a := types["title"]; a.Type != "TEXT" || a.Weight != 5 || !slices.Contains(a.Flags, "SORTABLE") {
				t.Errorf("Info: title %+v", a)
			}
			if a := types["genre"]; a.Type != "TAG" || a.Separator != "," {
				t.Errorf("Info: genre %+v", a)
			}
			if a := types["vec"]; a.Type != "VECTOR" || a.Algorithm != "FLAT" || a.DataType != "FLOAT32" || a.Dim != 3 || a.DistanceMetric != "COSINE" {
				t.Errorf("Info: vec %+v", a)
			}
			if a := types["hvec"]; a.Type != "VECTOR" || a.Algorithm != "HNSW" || a.Dim != 3 || a.DistanceMetric != "L2" || a.M != 8 || a.EFConstruction != 100 {
				t.Errorf("Info: hvec %+v", a)
			}

			// The same in a pipeline, with List.
			pipe := rdb.Pipeline()
			pinfo := redis.Queue(pipe, Info(idx))
			plist := redis.Queue(pipe, List())
			if err := pipe.Exec(ctx); err != nil {
				t.Fatalf("pipeline: %v", err)
			}
			if got, err := pinfo.Result(); err != nil || got.Name != idx {
				t.Errorf("pipelined Info: %q, %v", got.Name, err)
			}
			if got, err := plist.Result(); err != nil || !slices.Contains(got, idx) {
				t.Errorf("pipelined List: %q, %v", got, err)
			}

			if err := ft.Alter(ctx, idx, nil, NewTextField("director")); err != nil {
				t.Fatalf("Alter: %v", err)
			}
			if info, err := ft.Info(ctx, idx); err != nil || !slices.ContainsFunc(info.Attributes, func(a AttributeInfo) bool { return a.Attribute == "director" }) {
				t.Errorf("after Alter: %+v, %v", info.Attributes, err)
			}
			tags, err := ft.TagVals(ctx, idx, "genre")
			slices.Sort(tags)
			if err != nil || !slices.Equal(tags, []string{"action", "crime", "drama", "romance", "scifi"}) {
				t.Errorf("TagVals: %q, %v", tags, err)
			}
			if plan, err := ft.Explain(ctx, idx, "@genre:{action} matrix"); err != nil || plan == "" {
				t.Errorf("Explain: %q, %v", plan, err)
			}
			if lines, err := ft.ExplainCLI(ctx, idx, "@genre:{action} matrix"); err != nil || len(lines) == 0 {
				t.Errorf("ExplainCLI: %q, %v", lines, err)
			}

			// Aliases.
			if err := ft.AliasAdd(ctx, alias, idx); err != nil {
				t.Fatalf("AliasAdd: %v", err)
			}
			if info, err := ft.Info(ctx, alias); err != nil || info.Name != idx {
				t.Errorf("Info through the alias: %q, %v", info.Name, err)
			}
			if err := ft.AliasUpdate(ctx, alias, idx); err != nil {
				t.Errorf("AliasUpdate: %v", err)
			}
			if err := ft.AliasDel(ctx, alias); err != nil {
				t.Errorf("AliasDel: %v", err)
			}

			// Synonyms and spelling.
			if err := ft.SynUpdate(ctx, idx, "g1", nil, "film", "movie"); err != nil {
				t.Errorf("SynUpdate: %v", err)
			}
			if syn, err := ft.SynDump(ctx, idx); err != nil || !slices.Equal(syn["film"], []string{"g1"}) {
				t.Errorf("SynDump: %v, %v", syn, err)
			}
			dict := p + "dict"
			if n, err := ft.DictAdd(ctx, dict, "foo", "bar"); err != nil || n != 2 {
				t.Errorf("DictAdd: %d, %v", n, err)
			}
			if terms, err := ft.DictDump(ctx, dict); err != nil || !slices.Equal(terms, []string{"bar", "foo"}) {
				t.Errorf("DictDump: %q, %v", terms, err)
			}
			if n, err := ft.DictDel(ctx, dict, "foo"); err != nil || n != 1 {
				t.Errorf("DictDel: %d, %v", n, err)
			}
			sc, err := ft.SpellCheck(ctx, idx, "matrx", SpellCheckOptions{Distance: 1})
			if err != nil || len(sc) != 1 || sc[0].Term != "matrx" || len(sc[0].Suggestions) == 0 || sc[0].Suggestions[0].Suggestion != "matrix" {
				t.Errorf("SpellCheck: %+v, %v", sc, err)
			}

			// Suggestions.
			sug := p + "sug"
			if _, err := ft.SugAdd(ctx, sug, "hello world", 1); err != nil {
				t.Fatalf("SugAdd: %v", err)
			}
			if n, err := ft.SugAdd(ctx, sug, "help", 2, SugAddOptions{Payload: "p1"}); err != nil || n != 2 {
				t.Errorf("SugAdd: %d, %v", n, err)
			}
			got, err := ft.SugGet(ctx, sug, "hel", SugGetOptions{WithScores: true, WithPayloads: true})
			if err != nil || len(got) != 2 || got[0].Text != "help" || got[0].Payload != "p1" || got[0].Score <= 0 {
				t.Errorf("SugGet: %+v, %v", got, err)
			}
			if n, err := ft.SugLen(ctx, sug); err != nil || n != 2 {
				t.Errorf("SugLen: %d, %v", n, err)
			}
			if ok, err := ft.SugDel(ctx, sug, "help"); err != nil || !ok {
				t.Errorf("SugDel: %v, %v", ok, err)
			}
			if ok, err := ft.SugDel(ctx, sug, "help"); err != nil || ok {
				t.Errorf("SugDel again: %v, %v", ok, err)
			}

			if cfg, err := ft.ConfigGet(ctx, "TIMEOUT"); err != nil || cfg["TIMEOUT"] == "" {
				t.Logf("ConfigGet TIMEOUT: %v, %v (FT.CONFIG may be gone from this server)", cfg, err)
			}

			// Drop with the documents; a second drop is a server error.
			if err := ft.DropIndex(ctx, idx, DropIndexOptions{DeleteDocuments: true}); err != nil {
				t.Fatalf("DropIndex: %v", err)
			}
			if n, err := rdb.Exists(ctx, keys...); err != nil || n != 0 {
				t.Errorf("after DropIndex DD: %d documents left, %v", n, err)
			}
			var re *redis.Error
			if err := ft.DropIndex(ctx, idx); !errors.As(err, &re) {
				t.Errorf("dropping a missing index: %v, want a server error", err)
			}
		})
	}
}

// TestJSONIndexIntegration creates an index over JSON documents with $
// paths and aliases.
func TestJSONIndexIntegration(t *testing.T) {
	raw := redistest.ModuleServer(t, "ReJSON", "json")
	redistest.ModuleServer(t, "search", "ft")
	opts, err := redis.ParseURL(raw)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	ft := New(rdb)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p := fmt.Sprintf("respkit-test:json:%d:", time.Now().UnixNano())
	key, idx := p+"doc:1", p+"idx"
	if err := rdb.Do(ctx, "JSON.SET", key, "$", `{"title":"Heat","tags":["action","crime"],"year":1995,"vec":[0.2,0.3,0.1]}`).Err(); err != nil {
		t.Fatal(err)
	}
	defer rdb.Del(context.Background(), key)
	defer ft.DropIndex(context.Background(), idx)
	err = ft.Create(ctx, idx, &CreateOptions{On: OnJSON, Prefixes: []string{p + "doc:"}},
		NewTextField("$.title").As("title"),
		NewTagField("$.tags[*]").As("tags"),
		NewNumericField("$.year").As("year").Sortable(),
		NewVectorField("$.vec", VectorHNSW, VectorFloat32, 3, DistanceCosine).As("vec"),
	)
	if err != nil {
		t.Fatalf("Create ON JSON: %v", err)
	}
	info := waitIndexed(t, ctx, ft, idx, 1)
	if info.Definition.KeyType != "JSON" {
		t.Errorf("key type %q, want JSON", info.Definition.KeyType)
	}
	for _, a := range info.Attributes {
		if a.Attribute == "title" && a.Identifier != "$.title" {
			t.Errorf("title's identifier %q, want $.title", a.Identifier)
		}
	}
	if len(info.Attributes) != 4 {
		t.Errorf("%d attributes, want 4: %+v", len(info.Attributes), info.Attributes)
	}
}
