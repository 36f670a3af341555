package search

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/respkit/redis/internal/captures"
	"github.com/respkit/redis/resp"
)

// movieSchema is the index of the captures' setup, as a user would write
// it with the builder.
func movieSchema() (*CreateOptions, []Field) {
	return &CreateOptions{On: OnHash, Prefixes: []string{"movie:"}}, []Field{
		NewTextField("title").Weight(5).Sortable(),
		NewTagField("genre").Sortable(),
		NewNumericField("year").Sortable(),
		NewNumericField("rating"),
		NewGeoField("loc"),
		NewVectorField("vec", VectorFlat, VectorFloat32, 3, DistanceCosine),
	}
}

// encoded returns the RESP encoding of args, as captures.Case.Command
// does, for comparing with a built command.
func wantEncoding(t *testing.T, args []any) []byte {
	t.Helper()
	b, err := resp.AppendCommand(nil, args...)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCreateEncodesSetup(t *testing.T) {
	setup, err := captures.Setup("search")
	if err != nil {
		t.Fatal(err)
	}
	var want []any
	for _, cmd := range setup {
		if s, _ := cmd[0].(string); s == "FT.CREATE" {
			want = cmd
		}
	}
	if want == nil {
		t.Fatal("no FT.CREATE in the setup")
	}
	opts, fields := movieSchema()
	cmd := Create("idx:movie", opts, fields...)
	if err := cmd.Err(); err != nil {
		t.Fatal(err)
	}
	if w := wantEncoding(t, want); !bytes.Equal(cmd.Bytes(), w) {
		t.Fatalf("FT.CREATE encodes\n%q\nwant\n%q", cmd.Bytes(), w)
	}
}

func TestCreateEncodings(t *testing.T) {
	for _, tc := range []struct {
		name   string
		index  string
		opts   *CreateOptions
		fields []Field
		want   string
	}{
		{"minimal", "i", nil, []Field{NewTextField("t")}, "FT.CREATE i SCHEMA t TEXT"},
		{"nofields", "i", &CreateOptions{NoFields: true}, []Field{NewTextField("t")}, "FT.CREATE i NOFIELDS SCHEMA t TEXT"},
		{"json aliases", "j", &CreateOptions{On: OnJSON, Prefixes: []string{"a:", "b:"}}, []Field{
			NewTextField("$.title").As("title").NoStem().Phonetic("dm:en").WithSuffixTrie().IndexEmpty().IndexMissing().Sortable().UNF(),
			NewTagField("$.tags[*]").As("tags").Separator(';').CaseSensitive().WithSuffixTrie().IndexEmpty().Sortable().UNF().NoIndex(),
			NewNumericField("$.n").As("n").IndexMissing().Sortable(),
			NewNumericField("$.m").As("m").NoIndex(),
			NewGeoField("$.loc").As("loc").IndexMissing(),
			NewGeoShapeField("$.shape").As("shape").Coords(CoordsFlat).IndexMissing(),
		}, "FT.CREATE j ON JSON PREFIX 2 a: b: SCHEMA $.title AS title TEXT NOSTEM PHONETIC dm:en WITHSUFFIXTRIE INDEXEMPTY INDEXMISSING SORTABLE UNF " +
			"$.tags[*] AS tags TAG SEPARATOR ; CASESENSITIVE WITHSUFFIXTRIE INDEXEMPTY SORTABLE UNF NOINDEX " +
			"$.n AS n NUMERIC INDEXMISSING SORTABLE $.m AS m NUMERIC NOINDEX $.loc AS loc GEO INDEXMISSING $.shape AS shape GEOSHAPE FLAT INDEXMISSING"},
		{"every index option", "k", &CreateOptions{
			On: OnHash, IndexAll: true, Prefixes: []string{"p:"}, Filter: "@n > 1", Language: "german", LanguageField: "lang",
			Score: 0.5, ScoreField: "sc", PayloadField: "pl", MaxTextFields: true, Temporary: time.Minute,
			NoOffsets: true, NoHL: true, NoFreqs: true, Stopwords: []string{"a", "the"}, SkipInitialScan: true,
		}, []Field{NewNumericField("n")}, "FT.CREATE k ON HASH INDEXALL ENABLE PREFIX 1 p: FILTER @n_>_1 LANGUAGE german LANGUAGE_FIELD lang " +
			"SCORE 0.5 SCORE_FIELD sc PAYLOAD_FIELD pl MAXTEXTFIELDS TEMPORARY 60 NOOFFSETS NOHL NOFREQS STOPWORDS 2 a the SKIPINITIALSCAN SCHEMA n NUMERIC"},
		{"hnsw", "v", nil, []Field{NewVectorField("v", VectorHNSW, VectorFloat64, 128, DistanceL2).InitialCap(1000).M(32).EFConstruction(400).EFRuntime(20).Epsilon(0.02).IndexMissing()},
			"FT.CREATE v SCHEMA v VECTOR HNSW 16 TYPE FLOAT64 DIM 128 DISTANCE_METRIC L2 INITIAL_CAP 1000 M 32 EF_CONSTRUCTION 400 EF_RUNTIME 20 EPSILON 0.02 INDEXMISSING"},
		{"flat", "v", nil, []Field{NewVectorField("v", VectorFlat, VectorFloat32, 4, DistanceIP).InitialCap(10).BlockSize(512).As("vv")},
			"FT.CREATE v SCHEMA v AS vv VECTOR FLAT 10 TYPE FLOAT32 DIM 4 DISTANCE_METRIC IP INITIAL_CAP 10 BLOCK_SIZE 512"},
		{"svs", "v", nil, []Field{NewVectorField("v", VectorSVSVamana, VectorFloat16, 8, DistanceCosine).Compression("LeanVec4x8").ConstructionWindowSize(200).
			GraphMaxDegree(64).SearchWindowSize(20).Epsilon(0.01).TrainingThreshold(1024).ReduceDim(4)},
			"FT.CREATE v SCHEMA v VECTOR SVS-VAMANA 20 TYPE FLOAT16 DIM 8 DISTANCE_METRIC COSINE EPSILON 0.01 COMPRESSION LeanVec4x8 " +
				"CONSTRUCTION_WINDOW_SIZE 200 GRAPH_MAX_DEGREE 64 SEARCH_WINDOW_SIZE 20 TRAINING_THRESHOLD 1024 REDUCE 4"},
		{"weight decimals", "w", nil, []Field{NewTextField("t").Weight(0.25), NewTextField("u").Weight(2)}, "FT.CREATE w SCHEMA t TEXT WEIGHT 0.25 u TEXT WEIGHT 2.0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := Create(tc.index, tc.opts, tc.fields...)
			if err := cmd.Err(); err != nil {
				t.Fatal(err)
			}
			var want []any
			for _, w := range strings.Fields(tc.want) {
				want = append(want, strings.ReplaceAll(w, "_>_", " > "))
			}
			if w := wantEncoding(t, want); !bytes.Equal(cmd.Bytes(), w) {
				t.Fatalf("encodes\n%q\nwant\n%q", cmd.Bytes(), w)
			}
		})
	}
}

func TestCreateRejects(t *testing.T) {
	text := NewTextField("t")
	for _, tc := range []struct {
		name   string
		index  string
		opts   *CreateOptions
		fields []Field
		want   string
	}{
		{"no index", "", nil, []Field{text}, "no index name"},
		{"no fields", "i", nil, nil, "at least one field"},
		{"nil field", "i", nil, []Field{nil}, "field 0 is nil"},
		{"empty field name", "i", nil, []Field{NewTagField("")}, "needs a name"},
		{"stopwords both ways", "i", &CreateOptions{NoStopwords: true, Stopwords: []string{"a"}}, []Field{text}, "NoStopwords and Stopwords"},
		{"score range", "i", &CreateOptions{Score: 2}, []Field{text}, "between 0 and 1"},
		{"temporary fraction", "i", &CreateOptions{Temporary: 1500 * time.Millisecond}, []Field{text}, "whole number of seconds"},
		{"bad on", "i", &CreateOptions{On: "ZSET"}, []Field{text}, "OnHash or OnJSON"},
		{"unf unsortable", "i", nil, []Field{text.UNF()}, "UNF applies only"},
		{"noindex and indexmissing", "i", nil, []Field{NewNumericField("n").NoIndex().IndexMissing()}, "NOINDEX and INDEXMISSING"},
		{"text noindex and indexmissing", "i", nil, []Field{text.Sortable().NoIndex().IndexMissing()}, "NOINDEX and INDEXMISSING"},
		{"maxtextfields and nofields", "i", &CreateOptions{MaxTextFields: true, NoFields: true}, []Field{text}, "MaxTextFields option cannot be combined with NoFields"},
		{"reduce without leanvec", "i", nil, []Field{NewVectorField("v", VectorSVSVamana, VectorFloat32, 3, DistanceL2).Compression("LVQ8").ReduceDim(2)}, "REDUCE needs a LeanVec"},
		{"negative weight", "i", nil, []Field{text.Weight(-1)}, "WEIGHT must be"},
		{"separator", "i", nil, []Field{NewTagField("g").Separator(' ')}, "SEPARATOR"},
		{"coords", "i", nil, []Field{NewGeoShapeField("s").Coords("ROUND")}, "FLAT or SPHERICAL"},
		{"vector algorithm", "i", nil, []Field{NewVectorField("v", "IVF", VectorFloat32, 3, DistanceL2)}, "unknown algorithm"},
		{"vector dim", "i", nil, []Field{NewVectorField("v", VectorFlat, VectorFloat32, 0, DistanceL2)}, "DIM must be positive"},
		{"vector type", "i", nil, []Field{NewVectorField("v", VectorFlat, "", 3, DistanceL2)}, "no element type"},
		{"vector metric", "i", nil, []Field{NewVectorField("v", VectorFlat, VectorFloat32, 3, "HAMMING")}, "unknown distance metric"},
		{"M on flat", "i", nil, []Field{NewVectorField("v", VectorFlat, VectorFloat32, 3, DistanceL2).M(4)}, "M does not apply to FLAT"},
		{"block size on hnsw", "i", nil, []Field{NewVectorField("v", VectorHNSW, VectorFloat32, 3, DistanceL2).BlockSize(4)}, "BLOCK_SIZE does not apply to HNSW"},
		{"epsilon on flat", "i", nil, []Field{NewVectorField("v", VectorFlat, VectorFloat32, 3, DistanceL2).Epsilon(0.1)}, "EPSILON applies"},
		{"compression on hnsw", "i", nil, []Field{NewVectorField("v", VectorHNSW, VectorFloat32, 3, DistanceL2).Compression("LVQ8")}, "COMPRESSION applies"},
		{"svs float64", "i", nil, []Field{NewVectorField("v", VectorSVSVamana, VectorFloat64, 3, DistanceL2)}, "FLOAT32 or FLOAT16"},
		{"reduce without compression", "i", nil, []Field{NewVectorField("v", VectorSVSVamana, VectorFloat32, 3, DistanceL2).ReduceDim(2)}, "need a COMPRESSION"},
		{"negative M", "i", nil, []Field{NewVectorField("v", VectorHNSW, VectorFloat32, 3, DistanceL2).M(-1)}, "M must be positive"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := Create(tc.index, tc.opts, tc.fields...)
			err := cmd.Err()
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "search: FT.CREATE: ") {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestAlterEncodes(t *testing.T) {
	cases, err := captures.Load("search")
	if err != nil {
		t.Fatal(err)
	}
	c := captures.ByName(cases)["ft_alter"]
	cmd := Alter("idx:movie", nil, NewTextField("director"))
	if !bytes.Equal(cmd.Bytes(), c.Command()) {
		t.Fatalf("FT.ALTER encodes %q, want %q", cmd.Bytes(), c.Command())
	}
	cmd = Alter("idx:movie", &AlterOptions{SkipInitialScan: true}, NewTagField("t"), NewNumericField("n"))
	if w := wantEncoding(t, []any{"FT.ALTER", "idx:movie", "SKIPINITIALSCAN", "SCHEMA", "ADD", "t", "TAG", "n", "NUMERIC"}); !bytes.Equal(cmd.Bytes(), w) {
		t.Fatalf("FT.ALTER encodes %q, want %q", cmd.Bytes(), w)
	}
	if err := Alter("idx", nil).Err(); err == nil || !strings.Contains(err.Error(), "no field") {
		t.Fatalf("Alter without fields: %v", err)
	}
}
