package search

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/respkit/redis"
	"github.com/respkit/redis/resp"
)

// IndexInfo is the reply of FT.INFO: an index's definition, schema and
// statistics, the same Go value under RESP2 and RESP3. Sizes are in
// megabytes as the server reports them; a statistic the server did not
// send is zero. Entries this version does not know are kept in Other.
type IndexInfo struct {
	// Name is the index name (index_name).
	Name string
	// Options are the index-wide options that differ from the defaults
	// (index_options), e.g. "NOOFFSETS", "NOHL", "MAXTEXTFIELDS".
	Options []string
	// Definition says which keys the index reads (index_definition).
	Definition IndexDefinition
	// Attributes is the schema, one entry per field (attributes).
	Attributes []AttributeInfo
	// Stopwords is the index's own stop-word list (stopwords_list): nil
	// when the index uses the server's default list, empty (not nil) for
	// an index created with no stop words (CreateOptions.NoStopwords).
	Stopwords []string

	NumDocs                  int64   // documents indexed (num_docs)
	MaxDocID                 int64   // highest internal document id (max_doc_id)
	NumTerms                 int64   // distinct terms (num_terms)
	NumRecords               int64   // inverted-index records (num_records)
	InvertedSizeMB           float64 // inverted_sz_mb
	VectorIndexSizeMB        float64 // vector_index_sz_mb
	TotalInvertedIndexBlocks int64   // total_inverted_index_blocks
	OffsetVectorsSizeMB      float64 // offset_vectors_sz_mb
	DocTableSizeMB           float64 // doc_table_size_mb
	SortableValuesSizeMB     float64 // sortable_values_size_mb
	KeyTableSizeMB           float64 // key_table_size_mb
	TagOverheadSizeMB        float64 // tag_overhead_sz_mb
	TextOverheadSizeMB       float64 // text_overhead_sz_mb
	TotalIndexMemorySizeMB   float64 // total_index_memory_sz_mb
	GeoshapesSizeMB          float64 // geoshapes_sz_mb
	RecordsPerDocAvg         float64 // records_per_doc_avg (NaN for an empty index)
	BytesPerRecordAvg        float64 // bytes_per_record_avg
	OffsetsPerTermAvg        float64 // offsets_per_term_avg
	OffsetBitsPerRecordAvg   float64 // offset_bits_per_record_avg
	HashIndexingFailures     int64   // documents that failed to index (hash_indexing_failures)
	TotalIndexingTimeMS      float64 // total_indexing_time, in milliseconds

	// Indexing says whether a background scan of existing keys is still
	// running (indexing); PercentIndexed is its progress, 0 to 1.
	Indexing       bool
	PercentIndexed float64
	// NumberOfUses counts the queries and commands that used the index
	// (number_of_uses).
	NumberOfUses int64
	// Cleaning says whether the garbage collector has work in progress
	// or pending (cleaning).
	Cleaning bool

	// GC holds the garbage collector's statistics (gc_stats); Cursors the
	// cursor statistics (cursor_stats).
	GC      GCStats
	Cursors CursorStats
	// DialectStats counts the queries run per query dialect, keyed by its
	// name ("dialect_1": 3, ...) (dialect_stats).
	DialectStats map[string]int64
	// Errors are the index's indexing errors (Index Errors).
	Errors IndexErrors
	// FieldStats are the indexing errors per field (field statistics).
	FieldStats []FieldStats

	// Other holds the entries of the reply this version does not know,
	// by name, as the server sent them (their wire types differ between
	// RESP2 and RESP3). Nil when there are none.
	Other map[string]resp.Value
}

// IndexDefinition is the part of FT.INFO that says which keys an index
// reads (index_definition).
type IndexDefinition struct {
	KeyType       string   // "HASH" or "JSON" (key_type)
	Prefixes      []string // key prefixes; nil when there are none (prefixes)
	Filter        string   // filter expression (filter)
	Language      string   // default language (default_language)
	LanguageField string   // language_field
	DefaultScore  float64  // default_score
	ScoreField    string   // score_field
	PayloadField  string   // payload_field
	// IndexesAll reports INDEXALL ENABLE (indexes_all).
	IndexesAll bool
	// Other holds entries this version does not know, as text.
	Other map[string]string
}

// AttributeInfo describes one field of an index schema as FT.INFO reports
// it. Flags are the field's options without a value ("SORTABLE", "UNF",
// "NOSTEM", "NOINDEX", "CASESENSITIVE", "WITHSUFFIXTRIE", "INDEXEMPTY",
// "INDEXMISSING"); the vector entries are set for VECTOR fields only.
type AttributeInfo struct {
	Identifier  string   // hash field or JSONPath (identifier)
	Attribute   string   // the name queries use (attribute)
	Type        string   // TEXT, TAG, NUMERIC, GEO, GEOSHAPE, VECTOR (type)
	Weight      float64  // TEXT: the field's weight (WEIGHT)
	Separator   string   // TAG: the tag separator (SEPARATOR)
	CoordSystem string   // GEOSHAPE (coord_system)
	Flags       []string // options without a value, see above

	Algorithm      string // VECTOR: FLAT, HNSW, ...
	DataType       string // VECTOR: FLOAT32, ...
	Dim            int64  // VECTOR
	DistanceMetric string // VECTOR
	M              int64  // VECTOR HNSW: edges per node (M)
	EFConstruction int64  // VECTOR HNSW: build-time candidate list size (ef_construction)

	// Other holds the entries this version does not know (e.g. the
	// parameters of newer vector algorithms), as text.
	Other map[string]string
}

// GCStats are the index's garbage collector statistics (gc_stats).
type GCStats struct {
	BytesCollected       float64 // bytes_collected
	TotalMsRun           float64 // total_ms_run
	TotalCycles          float64 // total_cycles
	AverageCycleTimeMs   float64 // average_cycle_time_ms (NaN before the first cycle)
	LastRunTimeMs        float64 // last_run_time_ms
	GCNumericTreesMissed float64 // gc_numeric_trees_missed
	GCBlocksDenied       float64 // gc_blocks_denied
	// Other holds entries this version does not know.
	Other map[string]float64
}

// CursorStats are the cursor statistics of FT.INFO (cursor_stats).
type CursorStats struct {
	GlobalIdle    int64 // idle cursors, all indexes (global_idle)
	GlobalTotal   int64 // cursors, all indexes (global_total)
	IndexCapacity int64 // cursors the index may hold (index_capacity)
	IndexTotal    int64 // cursors of this index (index_total)
	// Other holds entries this version does not know.
	Other map[string]int64
}

// IndexErrors are indexing failures (Index Errors).
type IndexErrors struct {
	IndexingFailures     int64  // indexing failures
	LastIndexingError    string // last indexing error ("N/A" when none)
	LastIndexingErrorKey string // last indexing error key ("N/A" when none)
	// BackgroundIndexingStatus is "OK" unless background indexing
	// stopped (e.g. out of memory); empty when the server does not say.
	BackgroundIndexingStatus string
	// Other holds entries this version does not know, as text.
	Other map[string]string
}

// FieldStats are one field's indexing errors (an entry of field
// statistics).
type FieldStats struct {
	Identifier string      // identifier
	Attribute  string      // attribute
	Errors     IndexErrors // Index Errors
	// Memory is the size in bytes of a VECTOR field's index (memory);
	// MarkedDeleted counts its vectors marked deleted and not yet
	// collected (marked_deleted). Both are zero for other fields.
	Memory        int64
	MarkedDeleted int64
	// Other holds entries this version does not know, as text.
	Other map[string]string
}

// Info returns the FT.INFO command for index.
func Info(index string) redis.Command[IndexInfo] {
	if index == "" {
		return redis.CommandError("FT.INFO", errors.New("search: FT.INFO: no index name"), decodeIndexInfo)
	}
	return redis.NewCommand(decodeIndexInfo, "FT.INFO", index)
}

// Info returns the definition, schema and statistics of index, or of the
// index an alias names (FT.INFO). An unknown index is a server error
// (*redis.Error; "Unknown index name" or "<index>: no such index",
// depending on the version).
func (c *Client) Info(ctx context.Context, index string) (IndexInfo, error) {
	return run(ctx, c, Info(index))
}

// decodeIndexInfo reads FT.INFO: a RESP3 map, or its RESP2 flat array.
func decodeIndexInfo(v resp.Value, err error) (IndexInfo, error) {
	var info IndexInfo
	if err := redis.ResultOf(v, err).Err(); err != nil {
		return info, err
	}
	kvs, err := keyValues(v)
	if err != nil {
		return info, fmt.Errorf("search: FT.INFO: %w", err)
	}
	ints := map[string]*int64{
		"num_docs": &info.NumDocs, "max_doc_id": &info.MaxDocID, "num_terms": &info.NumTerms,
		"num_records": &info.NumRecords, "total_inverted_index_blocks": &info.TotalInvertedIndexBlocks,
		"hash_indexing_failures": &info.HashIndexingFailures, "number_of_uses": &info.NumberOfUses,
	}
	floats := map[string]*float64{
		"inverted_sz_mb": &info.InvertedSizeMB, "vector_index_sz_mb": &info.VectorIndexSizeMB,
		"offset_vectors_sz_mb": &info.OffsetVectorsSizeMB, "doc_table_size_mb": &info.DocTableSizeMB,
		"sortable_values_size_mb": &info.SortableValuesSizeMB, "key_table_size_mb": &info.KeyTableSizeMB,
		"tag_overhead_sz_mb": &info.TagOverheadSizeMB, "text_overhead_sz_mb": &info.TextOverheadSizeMB,
		"total_index_memory_sz_mb": &info.TotalIndexMemorySizeMB, "geoshapes_sz_mb": &info.GeoshapesSizeMB,
		"records_per_doc_avg": &info.RecordsPerDocAvg, "bytes_per_record_avg": &info.BytesPerRecordAvg,
		"offsets_per_term_avg": &info.OffsetsPerTermAvg, "offset_bits_per_record_avg": &info.OffsetBitsPerRecordAvg,
		"total_indexing_time": &info.TotalIndexingTimeMS, "percent_indexed": &info.PercentIndexed,
	}
	bools := map[string]*bool{"indexing": &info.Indexing, "cleaning": &info.Cleaning}
	for _, kv := range kvs {
		var err error
		switch k := kv.Key; {
		case ints[k] != nil:
			*ints[k], err = intOf(kv.Value)
		case floats[k] != nil:
			*floats[k], err = floatOf(kv.Value)
		case bools[k] != nil:
			var n int64
			n, err = intOf(kv.Value)
			*bools[k] = n != 0
		case k == "index_name":
			info.Name, err = textOf(kv.Value)
		case k == "index_options":
			info.Options, err = textsOf(kv.Value)
		case k == "index_definition":
			info.Definition, err = decodeIndexDefinition(kv.Value)
		case k == "attributes":
			info.Attributes, err = decodeAttributes(kv.Value)
		case k == "stopwords_list":
			info.Stopwords, err = decodeStopwords(kv.Value)
		case k == "gc_stats":
			info.GC, err = decodeGCStats(kv.Value)
		case k == "cursor_stats":
			info.Cursors, err = decodeCursorStats(kv.Value)
		case k == "dialect_stats":
			info.DialectStats, err = decodeIntMap(kv.Value)
		case k == "Index Errors":
			info.Errors, err = decodeIndexErrors(kv.Value)
		case k == "field statistics":
			info.FieldStats, err = decodeFieldStats(kv.Value)
		default:
			if info.Other == nil {
				info.Other = map[string]resp.Value{}
			}
			info.Other[k] = kv.Value
		}
		if err != nil {
			return info, fmt.Errorf("search: FT.INFO: %s: %w", kv.Key, err)
		}
	}
	return info, nil
}

// decodeStopwords reads stopwords_list, leaving out the null the server
// puts in it for an index without a list of its own.
func decodeStopwords(v resp.Value) ([]string, error) {
	elems, err := arrayOf(v)
	if err != nil {
		return nil, err
	}
	out := []string{}
	for i, e := range elems {
		if e.IsNull() {
			continue
		}
		s, err := textOf(e)
		if err != nil {
			return nil, fmt.Errorf("element %d: %w", i, err)
		}
		out = append(out, s)
	}
	return out, nil
}

func decodeIndexDefinition(v resp.Value) (IndexDefinition, error) {
	var d IndexDefinition
	kvs, err := keyValues(v)
	if err != nil {
		return d, err
	}
	texts := map[string]*string{
		"key_type": &d.KeyType, "filter": &d.Filter, "default_language": &d.Language,
		"language_field": &d.LanguageField, "score_field": &d.ScoreField, "payload_field": &d.PayloadField,
	}
	for _, kv := range kvs {
		var err error
		switch k := kv.Key; {
		case texts[k] != nil:
			*texts[k], err = textOf(kv.Value)
		case k == "prefixes":
			d.Prefixes, err = textsOf(kv.Value)
		case k == "default_score":
			d.DefaultScore, err = floatOf(kv.Value)
		case k == "indexes_all":
			var s string
			s, err = textOf(kv.Value)
			d.IndexesAll = strings.EqualFold(s, "true")
		default:
			err = addText(&d.Other, k, kv.Value)
		}
		if err != nil {
			return d, fmt.Errorf("%s: %w", kv.Key, err)
		}
	}
	return d, nil
}

// attributeFlags are the options FT.INFO lists without a value: in RESP3
// under "flags", in RESP2 as bare words after the key/value pairs.
var attributeFlags = map[string]bool{
	"SORTABLE": true, "UNF": true, "NOSTEM": true, "NOINDEX": true, "CASESENSITIVE": true,
	"WITHSUFFIXTRIE": true, "INDEXEMPTY": true, "INDEXMISSING": true,
}

func decodeAttributes(v resp.Value) ([]AttributeInfo, error) {
	elems, err := arrayOf(v)
	if err != nil {
		return nil, err
	}
	out := make([]AttributeInfo, len(elems))
	for i, e := range elems {
		if out[i], err = decodeAttribute(e); err != nil {
			return nil, fmt.Errorf("attribute %d: %w", i, err)
		}
	}
	return out, nil
}

// decodeAttribute reads one schema field: a RESP3 map with a "flags"
// array, or a RESP2 array of key/value pairs mixed with bare flags.
func decodeAttribute(v resp.Value) (AttributeInfo, error) {
	var a AttributeInfo
	var kvs []keyValue
	switch v.Type() {
	case resp.Map:
		var err error
		if kvs, err = keyValues(v); err != nil {
			return a, err
		}
	case resp.Array:
		elems := v.Elems()
		for i := 0; i < len(elems); i++ {
			word, err := textOf(elems[i])
			if err != nil {
				return a, fmt.Errorf("element %d: %w", i, err)
			}
			if attributeFlags[word] {
				a.Flags = append(a.Flags, word)
				continue
			}
			if i+1 == len(elems) {
				return a, fmt.Errorf("%q has no value", word)
			}
			kvs = append(kvs, keyValue{Key: word, Value: elems[i+1]})
			i++
		}
	default:
		return a, fmt.Errorf("expected a map or an array, got a %s reply", v.Type())
	}
	texts := map[string]*string{
		"identifier": &a.Identifier, "attribute": &a.Attribute, "type": &a.Type, "SEPARATOR": &a.Separator,
		"coord_system": &a.CoordSystem, "algorithm": &a.Algorithm, "data_type": &a.DataType,
		"distance_metric": &a.DistanceMetric,
	}
	for _, kv := range kvs {
		var err error
		switch k := kv.Key; {
		case texts[k] != nil:
			*texts[k], err = textOf(kv.Value)
		case k == "WEIGHT":
			a.Weight, err = floatOf(kv.Value)
		case k == "dim":
			a.Dim, err = intOf(kv.Value)
		case k == "M":
			a.M, err = intOf(kv.Value)
		case k == "ef_construction":
			a.EFConstruction, err = intOf(kv.Value)
		case k == "flags":
			var flags []string
			flags, err = textsOf(kv.Value)
			a.Flags = append(a.Flags, flags...)
		default:
			err = addText(&a.Other, k, kv.Value)
		}
		if err != nil {
			return a, fmt.Errorf("%s: %w", kv.Key, err)
		}
	}
	if len(a.Flags) == 0 {
		a.Flags = nil
	}
	return a, nil
}

func decodeGCStats(v resp.Value) (GCStats, error) {
	var g GCStats
	kvs, err := keyValues(v)
	if err != nil {
		return g, err
	}
	floats := map[string]*float64{
		"bytes_collected": &g.BytesCollected, "total_ms_run": &g.TotalMsRun, "total_cycles": &g.TotalCycles,
		"average_cycle_time_ms": &g.AverageCycleTimeMs, "last_run_time_ms": &g.LastRunTimeMs,
		"gc_numeric_trees_missed": &g.GCNumericTreesMissed, "gc_blocks_denied": &g.GCBlocksDenied,
	}
	for _, kv := range kvs {
		f, err := floatOf(kv.Value)
		if err != nil {
			return g, fmt.Errorf("%s: %w", kv.Key, err)
		}
		if p := floats[kv.Key]; p != nil {
			*p = f
			continue
		}
		if g.Other == nil {
			g.Other = map[string]float64{}
		}
		g.Other[kv.Key] = f
	}
	return g, nil
}

func decodeCursorStats(v resp.Value) (CursorStats, error) {
	var c CursorStats
	m, err := decodeIntMap(v)
	if err != nil {
		return c, err
	}
	for k, n := range m {
		switch k {
		case "global_idle":
			c.GlobalIdle = n
		case "global_total":
			c.GlobalTotal = n
		case "index_capacity":
			c.IndexCapacity = n
		case "index_total":
			c.IndexTotal = n
		default:
			if c.Other == nil {
				c.Other = map[string]int64{}
			}
			c.Other[k] = n
		}
	}
	return c, nil
}

// decodeIntMap reads a map of integers.
func decodeIntMap(v resp.Value) (map[string]int64, error) {
	kvs, err := keyValues(v)
	if err != nil {
		return nil, err
	}
	m := make(map[string]int64, len(kvs))
	for _, kv := range kvs {
		if m[kv.Key], err = intOf(kv.Value); err != nil {
			return nil, fmt.Errorf("%s: %w", kv.Key, err)
		}
	}
	return m, nil
}

func decodeIndexErrors(v resp.Value) (IndexErrors, error) {
	var e IndexErrors
	kvs, err := keyValues(v)
	if err != nil {
		return e, err
	}
	for _, kv := range kvs {
		var err error
		switch kv.Key {
		case "indexing failures":
			e.IndexingFailures, err = intOf(kv.Value)
		case "last indexing error":
			e.LastIndexingError, err = textOf(kv.Value)
		case "last indexing error key":
			e.LastIndexingErrorKey, err = textOf(kv.Value)
		case "background indexing status":
			e.BackgroundIndexingStatus, err = textOf(kv.Value)
		default:
			err = addText(&e.Other, kv.Key, kv.Value)
		}
		if err != nil {
			return e, fmt.Errorf("%s: %w", kv.Key, err)
		}
	}
	return e, nil
}

func decodeFieldStats(v resp.Value) ([]FieldStats, error) {
	elems, err := arrayOf(v)
	if err != nil {
		return nil, err
	}
	out := make([]FieldStats, len(elems))
	for i, e := range elems {
		kvs, err := keyValues(e)
		if err != nil {
			return nil, fmt.Errorf("field %d: %w", i, err)
		}
		for _, kv := range kvs {
			switch kv.Key {
			case "identifier":
				out[i].Identifier, err = textOf(kv.Value)
			case "attribute":
				out[i].Attribute, err = textOf(kv.Value)
			case "Index Errors":
				out[i].Errors, err = decodeIndexErrors(kv.Value)
			case "memory":
				out[i].Memory, err = intOf(kv.Value)
			case "marked_deleted":
				out[i].MarkedDeleted, err = intOf(kv.Value)
			default:
				err = addText(&out[i].Other, kv.Key, kv.Value)
			}
			if err != nil {
				return nil, fmt.Errorf("field %d: %s: %w", i, kv.Key, err)
			}
		}
	}
	return out, nil
}

// addText records an unknown entry as text in *m (created on first use).
// A value that is not a scalar is recorded in its RESP form's Go syntax.
func addText(m *map[string]string, k string, v resp.Value) error {
	if *m == nil {
		*m = map[string]string{}
	}
	s, err := textOf(v)
	if err != nil {
		if vs, err := textsOf(v); err == nil {
			s = strings.Join(vs, ",")
		} else {
			s = v.GoString()
		}
	}
	(*m)[k] = s
	return nil
}
