package search

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// IndexType is the kind of key an index reads documents from (FT.CREATE
// ... ON HASH | JSON).
type IndexType string

// The key types an index can read.
const (
	// OnHash indexes hashes; field names are hash field names. It is the
	// server's default.
	OnHash IndexType = "HASH"
	// OnJSON indexes JSON documents (needs the JSON module); field names
	// are JSONPath expressions such as "$.title", usually given a
	// short name with As.
	OnJSON IndexType = "JSON"
)

// CreateOptions are the index-wide options of FT.CREATE, sent in the order
// the command specification lists them. The zero value (and a nil
// *CreateOptions) sends none of them: the server then indexes every hash
// in the keyspace with the default stop words and scores.
type CreateOptions struct {
	// On is the key type indexed: OnHash or OnJSON. Empty sends no ON, and
	// the server indexes hashes.
	On IndexType

	// IndexAll (INDEXALL ENABLE, RediSearch 8.0+) keeps an inverted index
	// of every document id, which speeds up wildcard queries on indexes
	// with heavy updates. False sends nothing (the server's default,
	// disabled).
	IndexAll bool

	// Prefixes limits the index to keys starting with one of these
	// (PREFIX n p...). Nil indexes every key of the right type.
	Prefixes []string

	// Filter is an expression (in the aggregation expression language,
	// e.g. `@age > 16`) a document must satisfy to be indexed (FILTER).
	// Empty sends nothing.
	Filter string

	// Language is the default language for stemming (LANGUAGE), e.g.
	// "english", "german". Empty sends nothing (the server's default is
	// English).
	Language string
	// LanguageField names the document attribute holding each document's
	// language (LANGUAGE_FIELD). Empty sends nothing.
	LanguageField string

	// Score is the default document score, between 0 and 1 (SCORE). Zero
	// sends nothing: the server's default is 1.0. (A default score of
	// exactly 0 cannot be asked for this way; set ScoreField instead.)
	Score float64
	// ScoreField names the document attribute holding each document's
	// score (SCORE_FIELD). Empty sends nothing.
	ScoreField string
	// PayloadField names the document attribute used as the document's
	// payload (PAYLOAD_FIELD, deprecated by the server since 2.0). Empty
	// sends nothing.
	PayloadField string

	// MaxTextFields lets the index hold more than 32 TEXT fields, at the
	// cost of memory (MAXTEXTFIELDS).
	MaxTextFields bool

	// Temporary makes the index expire after this long without use
	// (TEMPORARY seconds); it must be a whole number of seconds. Zero
	// makes a permanent index.
	Temporary time.Duration

	// NoOffsets stores no term offsets (NOOFFSETS): less memory, but no
	// exact phrase search or highlighting (it implies NoHL).
	NoOffsets bool
	// NoHL stores no data for highlighting (NOHL).
	NoHL bool
	// NoFields stores no field bits per term (NOFIELDS): queries cannot
	// be limited to given fields.
	NoFields bool
	// NoFreqs stores no term frequencies (NOFREQS): scores ignore how
	// often a term occurs.
	NoFreqs bool

	// Stopwords replaces the default stop-word list with these words
	// (STOPWORDS n w...). Nil keeps the server's default list; to index
	// every word, with no stop words at all, set NoStopwords instead.
	Stopwords []string
	// NoStopwords disables stop words entirely (STOPWORDS 0). It cannot
	// be combined with Stopwords.
	NoStopwords bool

	// SkipInitialScan leaves the keys that exist before the index unindexed
	// (SKIPINITIALSCAN): only keys written afterwards are indexed.
	SkipInitialScan bool
}

// Field is one attribute of an index schema, made by NewTextField,
// NewTagField, NewNumericField, NewGeoField, NewGeoShapeField or
// NewVectorField and refined with their methods:
//
//	search.NewTextField("title").Weight(5).Sortable()
//	search.NewTagField("$.genre").As("genre").Separator(';')
//	search.NewVectorField("vec", search.VectorHNSW, search.VectorFloat32, 768, search.DistanceCosine).M(16)
//
// Field values are immutable: each method returns a changed copy, so a
// Field may be shared and reused. Errors in a field (an empty name, an
// option that does not apply) are reported by the command that uses it,
// before anything is sent.
type Field interface {
	// appendField appends the field's schema arguments (name, AS alias,
	// type, options) to args.
	appendField(args []any) ([]any, error)
}

// errEmptyFieldName reports a field without a name.
var errEmptyFieldName = errors.New("a field needs a name (a hash field or a JSONPath)")

// fieldBase holds what every field type has: its name, its alias and
// INDEXMISSING.
type fieldBase struct {
	name, alias  string
	indexMissing bool
}

// appendHead appends name [AS alias] type.
func (f fieldBase) appendHead(args []any, typ string) ([]any, error) {
	if f.name == "" {
		return args, errEmptyFieldName
	}
	args = append(args, f.name)
	if f.alias != "" {
		args = append(args, "AS", f.alias)
	}
	return append(args, typ), nil
}

// fieldError names the field an error belongs to.
func fieldError(name, typ string, err error) error {
	if name == "" {
		return fmt.Errorf("%s field: %w", typ, err)
	}
	return fmt.Errorf("field %q (%s): %w", name, typ, err)
}

// sortability holds SORTABLE [UNF] and NOINDEX.
type sortability struct {
	sortable, unf, noIndex bool
}

// appendTail appends [SORTABLE [UNF]] [NOINDEX]. indexMissing is the
// field's INDEXMISSING, which the server refuses with NOINDEX.
func (s sortability) appendTail(args []any, indexMissing bool) ([]any, error) {
	if s.noIndex && indexMissing {
		return args, errors.New("NOINDEX and INDEXMISSING cannot be combined (a field left out of the index cannot find missing values)")
	}
	if s.unf && !s.sortable {
		return args, errors.New("UNF applies only to a SORTABLE field")
	}
	if s.sortable {
		args = append(args, "SORTABLE")
		if s.unf {
			args = append(args, "UNF")
		}
	}
	if s.noIndex {
		args = append(args, "NOINDEX")
	}
	return args, nil
}

// TextField is a full-text attribute (TEXT). Make one with NewTextField.
type TextField struct {
	fieldBase
	sortability
	weight         float64
	noStem         bool
	phonetic       string
	withSuffixTrie bool
	indexEmpty     bool
}

// NewTextField returns a TEXT field on name: a hash field, or for a JSON index a
// JSONPath such as "$.title". Its defaults are the server's: weight 1.0,
// stemming on, not sortable.
func NewTextField(name string) TextField { return TextField{fieldBase: fieldBase{name: name}} }

// As gives the field the name queries use (AS alias); typical for JSON
// paths. Empty removes it.
func (f TextField) As(alias string) TextField { f.alias = alias; return f }

// Weight sets the field's importance in scoring (WEIGHT); it must be
// positive. Zero sends nothing (the server's default is 1.0).
func (f TextField) Weight(w float64) TextField { f.weight = w; return f }

// NoStem turns stemming off for the field (NOSTEM): only exact words
// match.
func (f TextField) NoStem() TextField { f.noStem = true; return f }

// Phonetic enables phonetic matching with the given matcher (PHONETIC),
// e.g. "dm:en" (Double Metaphone for English; also dm:fr, dm:pt, dm:es).
func (f TextField) Phonetic(matcher string) TextField { f.phonetic = matcher; return f }

// WithSuffixTrie keeps a suffix trie (WITHSUFFIXTRIE) to speed up contains
// and suffix queries (*foo*, *foo), at the cost of memory.
func (f TextField) WithSuffixTrie() TextField { f.withSuffixTrie = true; return f }

// IndexEmpty indexes empty strings, so that queries can find them
// (INDEXEMPTY, RediSearch 2.10+).
func (f TextField) IndexEmpty() TextField { f.indexEmpty = true; return f }

// IndexMissing indexes documents that lack the field, for ismissing()
// queries (INDEXMISSING, RediSearch 2.10+).
func (f TextField) IndexMissing() TextField { f.indexMissing = true; return f }

// Sortable keeps the field's value for fast SORTBY (SORTABLE).
func (f TextField) Sortable() TextField { f.sortable = true; return f }

// UNF keeps the sortable value unnormalized (UNF: no lower-casing); it
// needs Sortable.
func (f TextField) UNF() TextField { f.unf = true; return f }

// NoIndex keeps the field out of the index (NOINDEX): it cannot be
// queried, and is usually made Sortable to sort by. It cannot be combined
// with IndexMissing.
func (f TextField) NoIndex() TextField { f.noIndex = true; return f }

func (f TextField) appendField(args []any) ([]any, error) {
	args, err := f.appendHead(args, "TEXT")
	if err != nil {
		return args, fieldError(f.name, "TEXT", err)
	}
	if f.noStem {
		args = append(args, "NOSTEM")
	}
	if f.weight != 0 {
		if !(f.weight > 0) || math.IsInf(f.weight, 0) {
			return args, fieldError(f.name, "TEXT", fmt.Errorf("WEIGHT must be a positive number, got %v", f.weight))
		}
		args = append(args, "WEIGHT", formatSchemaFloat(f.weight))
	}
	if f.phonetic != "" {
		args = append(args, "PHONETIC", f.phonetic)
	}
	if f.withSuffixTrie {
		args = append(args, "WITHSUFFIXTRIE")
	}
	if f.indexEmpty {
		args = append(args, "INDEXEMPTY")
	}
	if f.indexMissing {
		args = append(args, "INDEXMISSING")
	}
	if args, err = f.appendTail(args, f.indexMissing); err != nil {
		return args, fieldError(f.name, "TEXT", err)
	}
	return args, nil
}

// TagField is an exact-match attribute holding a list of tags (TAG). Make
// one with NewTagField.
type TagField struct {
	fieldBase
	sortability
	separator      byte
	caseSensitive  bool
	withSuffixTrie bool
	indexEmpty     bool
}

// NewTagField returns a TAG field on name (a hash field or a JSONPath). By the
// server's defaults, tags are separated by commas in hashes and matched
// case-insensitively.
func NewTagField(name string) TagField { return TagField{fieldBase: fieldBase{name: name}} }

// As gives the field the name queries use (AS alias). Empty removes it.
func (f TagField) As(alias string) TagField { f.alias = alias; return f }

// Separator sets the character between tags in a hash field (SEPARATOR);
// it must be a printable ASCII character. Zero sends nothing (the
// server's default is ','). JSON arrays of tags need no separator.
func (f TagField) Separator(sep byte) TagField { f.separator = sep; return f }

// CaseSensitive keeps the case of tags (CASESENSITIVE).
func (f TagField) CaseSensitive() TagField { f.caseSensitive = true; return f }

// WithSuffixTrie keeps a suffix trie for contains and suffix queries
// (WITHSUFFIXTRIE).
func (f TagField) WithSuffixTrie() TagField { f.withSuffixTrie = true; return f }

// IndexEmpty indexes empty tags (INDEXEMPTY, RediSearch 2.10+).
func (f TagField) IndexEmpty() TagField { f.indexEmpty = true; return f }

// IndexMissing indexes documents that lack the field (INDEXMISSING,
// RediSearch 2.10+).
func (f TagField) IndexMissing() TagField { f.indexMissing = true; return f }

// Sortable keeps the field's value for fast SORTBY (SORTABLE).
func (f TagField) Sortable() TagField { f.sortable = true; return f }

// UNF keeps the sortable value unnormalized (UNF); it needs Sortable.
func (f TagField) UNF() TagField { f.unf = true; return f }

// NoIndex keeps the field out of the index (NOINDEX): it cannot be
// queried, and is usually made Sortable to sort by. It cannot be combined
// with IndexMissing.
func (f TagField) NoIndex() TagField { f.noIndex = true; return f }

func (f TagField) appendField(args []any) ([]any, error) {
	args, err := f.appendHead(args, "TAG")
	if err != nil {
		return args, fieldError(f.name, "TAG", err)
	}
	if f.separator != 0 {
		if f.separator <= ' ' || f.separator > '~' {
			return args, fieldError(f.name, "TAG", fmt.Errorf("SEPARATOR must be a printable ASCII character, got %q", f.separator))
		}
		args = append(args, "SEPARATOR", string(rune(f.separator)))
	}
	if f.caseSensitive {
		args = append(args, "CASESENSITIVE")
	}
	if f.withSuffixTrie {
		args = append(args, "WITHSUFFIXTRIE")
	}
	if f.indexEmpty {
		args = append(args, "INDEXEMPTY")
	}
	if f.indexMissing {
		args = append(args, "INDEXMISSING")
	}
	if args, err = f.appendTail(args, f.indexMissing); err != nil {
		return args, fieldError(f.name, "TAG", err)
	}
	return args, nil
}

// NumericField is a numeric attribute for range queries (NUMERIC). Make
// one with NewNumericField.
type NumericField struct {
	fieldBase
	sortability
}

// NewNumericField returns a NUMERIC field on name (a hash field or a JSONPath).
func NewNumericField(name string) NumericField { return NumericField{fieldBase: fieldBase{name: name}} }

// As gives the field the name queries use (AS alias). Empty removes it.
func (f NumericField) As(alias string) NumericField { f.alias = alias; return f }

// IndexMissing indexes documents that lack the field (INDEXMISSING,
// RediSearch 2.10+).
func (f NumericField) IndexMissing() NumericField { f.indexMissing = true; return f }

// Sortable keeps the field's value for fast SORTBY (SORTABLE; numbers are
// never normalized, so the server reports them as UNF too).
func (f NumericField) Sortable() NumericField { f.sortable = true; return f }

// NoIndex keeps the field out of the index (NOINDEX): it cannot be
// queried, and is usually made Sortable to sort by. It cannot be combined
// with IndexMissing.
func (f NumericField) NoIndex() NumericField { f.noIndex = true; return f }

func (f NumericField) appendField(args []any) ([]any, error) {
	return appendPlainField(args, f.fieldBase, f.sortability, "NUMERIC")
}

// GeoField is a longitude,latitude attribute for radius queries (GEO).
// Make one with NewGeoField.
type GeoField struct {
	fieldBase
	sortability
}

// NewGeoField returns a GEO field on name; its values are "longitude,latitude"
// strings.
func NewGeoField(name string) GeoField { return GeoField{fieldBase: fieldBase{name: name}} }

// As gives the field the name queries use (AS alias). Empty removes it.
func (f GeoField) As(alias string) GeoField { f.alias = alias; return f }

// IndexMissing indexes documents that lack the field (INDEXMISSING,
// RediSearch 2.10+).
func (f GeoField) IndexMissing() GeoField { f.indexMissing = true; return f }

// Sortable keeps the field's value for fast SORTBY (SORTABLE).
func (f GeoField) Sortable() GeoField { f.sortable = true; return f }

// NoIndex keeps the field out of the index (NOINDEX): it cannot be
// queried, and is usually made Sortable to sort by. It cannot be combined
// with IndexMissing.
func (f GeoField) NoIndex() GeoField { f.noIndex = true; return f }

func (f GeoField) appendField(args []any) ([]any, error) {
	return appendPlainField(args, f.fieldBase, f.sortability, "GEO")
}

// appendPlainField appends a NUMERIC or GEO field: name [AS alias] type
// [INDEXMISSING] [SORTABLE] [NOINDEX].
func appendPlainField(args []any, b fieldBase, s sortability, typ string) ([]any, error) {
	args, err := b.appendHead(args, typ)
	if err != nil {
		return args, fieldError(b.name, typ, err)
	}
	if b.indexMissing {
		args = append(args, "INDEXMISSING")
	}
	if args, err = s.appendTail(args, b.indexMissing); err != nil {
		return args, fieldError(b.name, typ, err)
	}
	return args, nil
}

// CoordSystem is the coordinate system of a GEOSHAPE field.
type CoordSystem string

// The coordinate systems of GEOSHAPE.
const (
	// CoordsSpherical reads shapes as longitude/latitude on a sphere (the
	// server's default).
	CoordsSpherical CoordSystem = "SPHERICAL"
	// CoordsFlat reads shapes as X/Y on a plane.
	CoordsFlat CoordSystem = "FLAT"
)

// GeoShapeField is a polygon and point attribute (GEOSHAPE, RediSearch
// 2.8+) whose values are WKT strings. Make one with NewGeoShapeField.
type GeoShapeField struct {
	fieldBase
	coords CoordSystem
}

// NewGeoShapeField returns a GEOSHAPE field on name, in the server's default
// coordinate system (CoordsSpherical).
func NewGeoShapeField(name string) GeoShapeField {
	return GeoShapeField{fieldBase: fieldBase{name: name}}
}

// As gives the field the name queries use (AS alias). Empty removes it.
func (f GeoShapeField) As(alias string) GeoShapeField { f.alias = alias; return f }

// Coords sets the coordinate system: CoordsFlat or CoordsSpherical.
// Empty sends nothing (spherical).
func (f GeoShapeField) Coords(c CoordSystem) GeoShapeField { f.coords = c; return f }

// IndexMissing indexes documents that lack the field (INDEXMISSING,
// RediSearch 2.10+).
func (f GeoShapeField) IndexMissing() GeoShapeField { f.indexMissing = true; return f }

func (f GeoShapeField) appendField(args []any) ([]any, error) {
	args, err := f.appendHead(args, "GEOSHAPE")
	if err != nil {
		return args, fieldError(f.name, "GEOSHAPE", err)
	}
	switch f.coords {
	case "":
	case CoordsFlat, CoordsSpherical:
		args = append(args, string(f.coords))
	default:
		return args, fieldError(f.name, "GEOSHAPE", fmt.Errorf("coordinate system must be FLAT or SPHERICAL, got %q", f.coords))
	}
	if f.indexMissing {
		args = append(args, "INDEXMISSING")
	}
	return args, nil
}

// VectorAlgorithm is the index structure of a VECTOR field.
type VectorAlgorithm string

// The vector index algorithms.
const (
	// VectorFlat is brute force: exact results, search time linear in
	// the number of vectors.
	VectorFlat VectorAlgorithm = "FLAT"
	// VectorHNSW is a Hierarchical Navigable Small World graph:
	// approximate, fast on large sets.
	VectorHNSW VectorAlgorithm = "HNSW"
	// VectorSVSVamana is Intel's SVS-VAMANA graph with optional vector
	// compression (RediSearch 8.2+); it takes FLOAT32 and FLOAT16 vectors.
	VectorSVSVamana VectorAlgorithm = "SVS-VAMANA"
)

// VectorType is the element type of the vectors of a VECTOR field (TYPE).
type VectorType string

// The vector element types.
const (
	VectorFloat32  VectorType = "FLOAT32"
	VectorFloat64  VectorType = "FLOAT64"
	VectorFloat16  VectorType = "FLOAT16"  // RediSearch 2.10+
	VectorBFloat16 VectorType = "BFLOAT16" // RediSearch 2.10+
	VectorInt8     VectorType = "INT8"     // RediSearch 8.0+
	VectorUint8    VectorType = "UINT8"    // RediSearch 8.0+
)

// DistanceMetric is how a VECTOR field compares vectors
// (DISTANCE_METRIC).
type DistanceMetric string

// The vector distance metrics.
const (
	DistanceL2     DistanceMetric = "L2"     // Euclidean distance
	DistanceIP     DistanceMetric = "IP"     // inner product
	DistanceCosine DistanceMetric = "COSINE" // cosine distance
)

// VectorField is a vector similarity attribute (VECTOR). Make one with
// NewVectorField and add the options of its algorithm; an option that does not
// belong to the algorithm is an error reported before sending. Unset
// (zero) options send nothing and take the server's defaults.
type VectorField struct {
	fieldBase
	algorithm VectorAlgorithm
	typ       VectorType
	dim       int
	metric    DistanceMetric

	initialCap, blockSize                       int
	m, efConstruction, efRuntime                int
	epsilon                                     float64
	compression                                 string
	constructionWindow, graphMaxDegree          int
	searchWindow, trainingThreshold, reducedDim int
}

// NewVectorField returns a VECTOR field on name indexed with algorithm, holding
// vectors of dim elements of type typ compared by metric. In a hash, a
// vector is the elements' little-endian bytes; in JSON, an array of
// numbers.
func NewVectorField(name string, algorithm VectorAlgorithm, typ VectorType, dim int, metric DistanceMetric) VectorField {
	return VectorField{fieldBase: fieldBase{name: name}, algorithm: algorithm, typ: typ, dim: dim, metric: metric}
}

// As gives the field the name queries use (AS alias). Empty removes it.
func (f VectorField) As(alias string) VectorField { f.alias = alias; return f }

// IndexMissing indexes documents that lack the field (INDEXMISSING,
// RediSearch 2.10+).
func (f VectorField) IndexMissing() VectorField { f.indexMissing = true; return f }

// InitialCap sizes the index for n vectors up front (INITIAL_CAP; FLAT and
// HNSW).
func (f VectorField) InitialCap(n int) VectorField { f.initialCap = n; return f }

// BlockSize sets how many vectors each memory block holds (BLOCK_SIZE;
// FLAT only; the server's default is 1024).
func (f VectorField) BlockSize(n int) VectorField { f.blockSize = n; return f }

// M sets the number of graph edges per node (M; HNSW only; default 16).
func (f VectorField) M(n int) VectorField { f.m = n; return f }

// EFConstruction sets the candidate list size while building the graph
// (EF_CONSTRUCTION; HNSW only; default 200).
func (f VectorField) EFConstruction(n int) VectorField { f.efConstruction = n; return f }

// EFRuntime sets the default candidate list size of KNN queries
// (EF_RUNTIME; HNSW only; default 10).
func (f VectorField) EFRuntime(n int) VectorField { f.efRuntime = n; return f }

// Epsilon sets the relative boundary factor of range queries (EPSILON;
// HNSW and SVS-VAMANA; default 0.01).
func (f VectorField) Epsilon(e float64) VectorField { f.epsilon = e; return f }

// Compression sets the vector compression (COMPRESSION; SVS-VAMANA only),
// e.g. "LVQ8", "LVQ4x4", "LeanVec4x8".
func (f VectorField) Compression(c string) VectorField { f.compression = c; return f }

// ConstructionWindowSize sets the search window while building the graph
// (CONSTRUCTION_WINDOW_SIZE; SVS-VAMANA only).
func (f VectorField) ConstructionWindowSize(n int) VectorField {
	f.constructionWindow = n
	return f
}

// GraphMaxDegree sets the maximum edges per node (GRAPH_MAX_DEGREE;
// SVS-VAMANA only).
func (f VectorField) GraphMaxDegree(n int) VectorField { f.graphMaxDegree = n; return f }

// SearchWindowSize sets the default search window of KNN queries
// (SEARCH_WINDOW_SIZE; SVS-VAMANA only).
func (f VectorField) SearchWindowSize(n int) VectorField { f.searchWindow = n; return f }

// TrainingThreshold sets how many vectors are collected before the
// compression is trained (TRAINING_THRESHOLD; SVS-VAMANA with
// Compression only).
func (f VectorField) TrainingThreshold(n int) VectorField { f.trainingThreshold = n; return f }

// ReduceDim sets the reduced dimension of LeanVec compression (REDUCE;
// SVS-VAMANA with a LeanVec Compression only).
func (f VectorField) ReduceDim(n int) VectorField { f.reducedDim = n; return f }

func (f VectorField) appendField(args []any) ([]any, error) {
	args, err := f.appendHead(args, "VECTOR")
	if err != nil {
		return args, fieldError(f.name, "VECTOR", err)
	}
	attrs, err := f.attributes()
	if err != nil {
		return args, fieldError(f.name, "VECTOR", err)
	}
	args = append(args, string(f.algorithm), strconv.Itoa(len(attrs)))
	args = append(args, attrs...)
	if f.indexMissing {
		args = append(args, "INDEXMISSING")
	}
	return args, nil
}

// attributes returns the vector attributes that follow the algorithm and
// their count: TYPE, DIM, DISTANCE_METRIC, then the algorithm's options.
func (f VectorField) attributes() ([]any, error) {
	switch f.algorithm {
	case VectorFlat, VectorHNSW, VectorSVSVamana:
	case "":
		return nil, errors.New("no algorithm (VectorFlat, VectorHNSW or VectorSVSVamana)")
	default:
		return nil, fmt.Errorf("unknown algorithm %q (want FLAT, HNSW or SVS-VAMANA)", f.algorithm)
	}
	if f.typ == "" {
		return nil, errors.New("no element type (e.g. VectorFloat32)")
	}
	if f.algorithm == VectorSVSVamana && f.typ != VectorFloat32 && f.typ != VectorFloat16 {
		return nil, fmt.Errorf("SVS-VAMANA takes FLOAT32 or FLOAT16 vectors, not %s", f.typ)
	}
	if f.dim <= 0 {
		return nil, fmt.Errorf("DIM must be positive, got %d", f.dim)
	}
	switch f.metric {
	case DistanceL2, DistanceIP, DistanceCosine:
	case "":
		return nil, errors.New("no distance metric (DistanceL2, DistanceIP or DistanceCosine)")
	default:
		return nil, fmt.Errorf("unknown distance metric %q (want L2, IP or COSINE)", f.metric)
	}
	attrs := []any{"TYPE", string(f.typ), "DIM", strconv.Itoa(f.dim), "DISTANCE_METRIC", string(f.metric)}

	return f.appendOptions(attrs)
}

// appendOptions appends the algorithm's options in a fixed order,
// checking that each belongs to the algorithm.
func (f VectorField) appendOptions(attrs []any) ([]any, error) {
	flat, hnsw, svs := VectorFlat, VectorHNSW, VectorSVSVamana
	var err error
	add := func(name string, value int, algos ...VectorAlgorithm) {
		if err == nil {
			attrs, err = appendVectorInt(attrs, f.algorithm, name, value, algos)
		}
	}
	add("INITIAL_CAP", f.initialCap, flat, hnsw)
	add("BLOCK_SIZE", f.blockSize, flat)
	add("M", f.m, hnsw)
	add("EF_CONSTRUCTION", f.efConstruction, hnsw)
	add("EF_RUNTIME", f.efRuntime, hnsw)
	if err != nil {
		return nil, err
	}
	if f.epsilon != 0 {
		if f.algorithm == flat {
			return nil, errors.New("EPSILON applies to HNSW and SVS-VAMANA, not FLAT")
		}
		if !(f.epsilon > 0) || math.IsInf(f.epsilon, 0) {
			return nil, fmt.Errorf("EPSILON must be a positive number, got %v", f.epsilon)
		}
		attrs = append(attrs, "EPSILON", formatFloat(f.epsilon))
	}
	if f.compression != "" {
		if f.algorithm != svs {
			return nil, fmt.Errorf("COMPRESSION applies to SVS-VAMANA, not %s", f.algorithm)
		}
		attrs = append(attrs, "COMPRESSION", f.compression)
	}
	add("CONSTRUCTION_WINDOW_SIZE", f.constructionWindow, svs)
	add("GRAPH_MAX_DEGREE", f.graphMaxDegree, svs)
	add("SEARCH_WINDOW_SIZE", f.searchWindow, svs)
	add("TRAINING_THRESHOLD", f.trainingThreshold, svs)
	add("REDUCE", f.reducedDim, svs)
	if err != nil {
		return nil, err
	}
	if f.compression == "" && (f.trainingThreshold != 0 || f.reducedDim != 0) {
		return nil, errors.New("TRAINING_THRESHOLD and REDUCE need a COMPRESSION")
	}
	if f.reducedDim != 0 && !strings.HasPrefix(strings.ToLower(f.compression), "leanvec") {
		return nil, fmt.Errorf("REDUCE needs a LeanVec COMPRESSION, not %s", f.compression)
	}
	return attrs, nil
}

// appendVectorInt appends name value when value is set, after checking
// that the option belongs to algo and is positive.
func appendVectorInt(attrs []any, algo VectorAlgorithm, name string, value int, algos []VectorAlgorithm) ([]any, error) {
	if value == 0 {
		return attrs, nil
	}
	ok := false
	for _, a := range algos {
		ok = ok || a == algo
	}
	if !ok {
		return attrs, fmt.Errorf("%s does not apply to %s", name, algo)
	}
	if value < 0 {
		return attrs, fmt.Errorf("%s must be positive, got %d", name, value)
	}
	return append(attrs, name, strconv.Itoa(value)), nil
}

// appendCreate appends the arguments of FT.CREATE after the command name:
// index, options, SCHEMA and the fields.
func appendCreate(args []any, index string, o *CreateOptions, fields []Field) ([]any, error) {
	if index == "" {
		return args, errors.New("no index name")
	}
	if len(fields) == 0 {
		return args, errors.New("a schema needs at least one field")
	}
	args = append(args, index)
	if o == nil {
		o = &CreateOptions{}
	}
	switch o.On {
	case "":
	case OnHash, OnJSON:
		args = append(args, "ON", string(o.On))
	default:
		return args, fmt.Errorf("the On option must be OnHash or OnJSON, got %q", o.On)
	}
	if o.IndexAll {
		args = append(args, "INDEXALL", "ENABLE")
	}
	if len(o.Prefixes) > 0 {
		args = append(args, "PREFIX", strconv.Itoa(len(o.Prefixes)))
		for _, p := range o.Prefixes {
			args = append(args, p)
		}
	}
	args = appendNonEmpty(args, "FILTER", o.Filter)
	args = appendNonEmpty(args, "LANGUAGE", o.Language)
	args = appendNonEmpty(args, "LANGUAGE_FIELD", o.LanguageField)
	if o.Score != 0 {
		if !(o.Score >= 0 && o.Score <= 1) {
			return args, fmt.Errorf("the Score option must be between 0 and 1, got %v", o.Score)
		}
		args = append(args, "SCORE", formatSchemaFloat(o.Score))
	}
	args = appendNonEmpty(args, "SCORE_FIELD", o.ScoreField)
	args = appendNonEmpty(args, "PAYLOAD_FIELD", o.PayloadField)
	if o.MaxTextFields {
		if o.NoFields {
			return args, errors.New("the MaxTextFields option cannot be combined with NoFields")
		}
		args = append(args, "MAXTEXTFIELDS")
	}
	if o.Temporary != 0 {
		if o.Temporary < time.Second || o.Temporary%time.Second != 0 {
			return args, fmt.Errorf("the Temporary option must be a whole number of seconds, at least 1s, got %v", o.Temporary)
		}
		args = append(args, "TEMPORARY", strconv.FormatInt(int64(o.Temporary/time.Second), 10))
	}
	for _, flag := range []struct {
		on   bool
		name string
	}{{o.NoOffsets, "NOOFFSETS"}, {o.NoHL, "NOHL"}, {o.NoFields, "NOFIELDS"}, {o.NoFreqs, "NOFREQS"}} {
		if flag.on {
			args = append(args, flag.name)
		}
	}
	switch {
	case o.NoStopwords && len(o.Stopwords) > 0:
		return args, errors.New("the NoStopwords and Stopwords options cannot both be set")
	case o.NoStopwords:
		args = append(args, "STOPWORDS", "0")
	case len(o.Stopwords) > 0:
		args = append(args, "STOPWORDS", strconv.Itoa(len(o.Stopwords)))
		for _, w := range o.Stopwords {
			args = append(args, w)
		}
	}
	if o.SkipInitialScan {
		args = append(args, "SKIPINITIALSCAN")
	}
	args = append(args, "SCHEMA")
	return appendFields(args, fields)
}

// appendFields appends each field's schema arguments.
func appendFields(args []any, fields []Field) ([]any, error) {
	for i, f := range fields {
		if f == nil {
			return args, fmt.Errorf("field %d is nil", i)
		}
		var err error
		if args, err = f.appendField(args); err != nil {
			return args, err
		}
	}
	return args, nil
}

// appendNonEmpty appends token value when value is not empty.
func appendNonEmpty(args []any, token, value string) []any {
	if value == "" {
		return args
	}
	return append(args, token, value)
}

// formatFloat formats f in the shortest form that reads back exactly
// ("2", "0.5", "1e-07").
func formatFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// formatSchemaFloat formats the decimals of a schema (WEIGHT, SCORE) with
// at least one digit after the point ("5.0", "0.25"), the form the
// RediSearch documentation writes them in.
func formatSchemaFloat(f float64) string {
	s := strconv.FormatFloat(f, 'f', -1, 64)
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			return s
		}
	}
	return s + ".0"
}
