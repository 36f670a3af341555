package search

import (
	"fmt"

	"github.com/respkit/redis"
	"github.com/respkit/redis/resp"
)

// SearchResult is the reply of FT.SEARCH, the same Go value under RESP2
// and RESP3.
type SearchResult struct {
	// Total is the number of matching documents, which may be more than
	// len(Docs) (LIMIT, 10 by default).
	Total int64
	// Docs are the returned documents in reply order; nil when none.
	Docs []Document
	// Warnings are the server's warnings about the query (a timeout with
	// partial results, a prefix expansion limit reached, ...). Only RESP3
	// replies carry them; under RESP2 Warnings is always nil.
	Warnings []string
}

// Document is one document of an FT.SEARCH reply.
type Document struct {
	// ID is the document's key.
	ID string
	// Score is the document's score, with Query.WithScores (0 otherwise).
	Score float64
	// Explain is how Score was computed, with Query.ExplainScore (nil
	// otherwise).
	Explain *ScoreExplanation
	// Payload is the document's payload, with Query.WithPayloads.
	Payload string
	// SortKey is the value the results were sorted by, with
	// Query.WithSortKeys, in the server's notation: "#" and the number for
	// numbers, "$" and the text for text; empty when the document has
	// none.
	SortKey string
	// Fields are the document's fields in reply order: all of them, or
	// those of Query.Return; nil with Query.NoContent or Return(). A JSON
	// document without RETURN has one field, "$", holding the document as
	// JSON text.
	Fields FieldValues
}

// JSON returns the document as JSON text, as an index ON JSON returns it
// without RETURN (the field "$"), and whether there is one.
func (d Document) JSON() (string, bool) { return d.Fields.Get("$") }

// ScoreExplanation is one step of the server's explanation of a score:
// a line of text and the steps it was computed from.
type ScoreExplanation struct {
	Text    string
	Details []ScoreExplanation
}

// FieldValue is one name and value of a document or an aggregation row.
type FieldValue struct {
	Name string
	// Value is the value as text (numbers in decimal; a null as "").
	Value string
	// List holds the elements of a value that is a list (the result of
	// split() or of the TOLIST reducer, say), each as text, and is nil
	// otherwise; Value is then "". A map value (RESP3 only) is listed as
	// its keys and values alternating; elements that are themselves
	// lists or maps read as "".
	List []string
}

// FieldValues are the fields of a document or a row, in reply order.
type FieldValues []FieldValue

// Get returns the value of the first field called name, and whether there
// is one.
func (fs FieldValues) Get(name string) (string, bool) {
	for _, f := range fs {
		if f.Name == name {
			return f.Value, true
		}
	}
	return "", false
}

// Map returns the fields as a map from name to value (a later field of
// the same name wins; list values are left out).
func (fs FieldValues) Map() map[string]string {
	m := make(map[string]string, len(fs))
	for _, f := range fs {
		if f.List == nil {
			m[f.Name] = f.Value
		}
	}
	return m
}

// decodeNothing is the decoder of commands rejected before sending: it
// passes the error through.
func decodeNothing[T any](_ resp.Value, err error) (T, error) {
	var zero T
	return zero, err
}

// resultShapeError reports a reply that is not shaped as the command's replies
// are.
func resultShapeError(cmd, format string, args ...any) error {
	return fmt.Errorf("search: unexpected %s reply: %s", cmd, fmt.Sprintf(format, args...))
}

// resultText returns the text of a scalar reply: strings as they are,
// numbers in decimal, a null as "".
func resultText(v resp.Value) (string, bool) {
	switch v.Type() {
	case resp.SimpleString, resp.BulkString, resp.Verbatim, resp.Integer, resp.Double, resp.BigNumber, resp.Boolean:
		return v.String(), true
	case resp.Null:
		return "", true
	}
	return "", false
}

// resultFields reads a document's or a row's fields: a RESP3 map or a
// RESP2 array of alternating names and values (keyValues, replyshape.go).
// An empty one gives nil.
func resultFields(cmd string, v resp.Value) (FieldValues, error) {
	kvs, err := keyValues(v)
	if err != nil {
		return nil, resultShapeError(cmd, "fields: %v", err)
	}
	if len(kvs) == 0 {
		return nil, nil
	}
	fs := make(FieldValues, 0, len(kvs))
	for _, kv := range kvs {
		f := FieldValue{Name: kv.Key}
		switch val := kv.Value; val.Type() {
		case resp.Array, resp.Set, resp.Map:
			f.List = make([]string, 0, len(val.Elems()))
			for _, e := range val.Elems() {
				s, _ := resultText(e) // a nested list reads as ""
				f.List = append(f.List, s)
			}
		default:
			s, ok := resultText(val)
			if !ok {
				return nil, resultShapeError(cmd, "the value of field %q is a %s", kv.Key, val.Type())
			}
			f.Value = s
		}
		fs = append(fs, f)
	}
	return fs, nil
}

// resultStrings reads an array of strings (warnings); an empty one gives
// nil.
func resultStrings(cmd string, v resp.Value) ([]string, error) {
	if v.IsNull() {
		return nil, nil
	}
	if v.Type() != resp.Array && v.Type() != resp.Set {
		return nil, resultShapeError(cmd, "a list of strings is a %s", v.Type())
	}
	var out []string
	for _, e := range v.Elems() {
		s, ok := resultText(e)
		if !ok {
			return nil, resultShapeError(cmd, "a list of strings holds a %s", e.Type())
		}
		out = append(out, s)
	}
	return out, nil
}

// resultInt reads an integer (intOf, replyshape.go), naming what it is
// in the error.
func resultInt(cmd, what string, v resp.Value) (int64, error) {
	n, err := intOf(v)
	if err != nil {
		return 0, resultShapeError(cmd, "%s: %v", what, err)
	}
	return n, nil
}

// resultFloat reads a number, a RESP3 double or its RESP2 text (floatOf,
// replyshape.go), naming what it is in the error.
func resultFloat(cmd, what string, v resp.Value) (float64, error) {
	f, err := floatOf(v)
	if err != nil {
		return 0, resultShapeError(cmd, "%s: %v", what, err)
	}
	return f, nil
}

// decodeScore reads a score, or with EXPLAINSCORE a score and its
// explanation: [score, [explanation]].
func decodeScore(v resp.Value, d *Document) error {
	if v.Type() == resp.Array {
		es := v.Elems()
		if len(es) == 0 {
			return resultShapeError("FT.SEARCH", "an empty score")
		}
		s, err := resultFloat("FT.SEARCH", "a score", es[0])
		if err != nil {
			return err
		}
		d.Score = s
		if len(es) > 1 {
			x, err := decodeExplanation(es[1], 0)
			if err != nil {
				return err
			}
			d.Explain = &x
		}
		return nil
	}
	s, err := resultFloat("FT.SEARCH", "a score", v)
	d.Score = s
	return err
}

// maxExplainDepth bounds the nesting of a score explanation that is read.
const maxExplainDepth = 64

// decodeExplanation reads one step of a score explanation: its text, or
// [text, [step, step, ...]].
func decodeExplanation(v resp.Value, depth int) (ScoreExplanation, error) {
	if depth > maxExplainDepth {
		return ScoreExplanation{}, resultShapeError("FT.SEARCH", "a score explanation nested deeper than %d", maxExplainDepth)
	}
	if s, ok := resultText(v); ok {
		return ScoreExplanation{Text: s}, nil
	}
	es := v.Elems()
	if v.Type() != resp.Array || len(es) == 0 {
		return ScoreExplanation{}, resultShapeError("FT.SEARCH", "a score explanation is a %s", v.Type())
	}
	text, ok := resultText(es[0])
	if !ok {
		return ScoreExplanation{}, resultShapeError("FT.SEARCH", "a score explanation's text is a %s", es[0].Type())
	}
	x := ScoreExplanation{Text: text}
	for _, e := range es[1:] {
		if e.Type() == resp.Array {
			for _, c := range e.Elems() {
				d, err := decodeExplanation(c, depth+1)
				if err != nil {
					return ScoreExplanation{}, err
				}
				x.Details = append(x.Details, d)
			}
			continue
		}
		d, err := decodeExplanation(e, depth+1)
		if err != nil {
			return ScoreExplanation{}, err
		}
		x.Details = append(x.Details, d)
	}
	return x, nil
}

// decodeSearch reads an FT.SEARCH reply: under RESP2 an array (total, then
// per document its id, [score], [payload], [sortkey], [fields] as shape
// says), under RESP3 a map (total_results, results, warning, ...).
func decodeSearch(v resp.Value, err error, shape docShape) (SearchResult, error) {
	if err := redis.ResultOf(v, err).Err(); err != nil {
		return SearchResult{}, err
	}
	switch v.Type() {
	case resp.Map:
		return decodeSearchMap(v)
	case resp.Array:
		return decodeSearchArray(v, shape)
	}
	return SearchResult{}, resultShapeError("FT.SEARCH", "a %s", v.Type())
}

func decodeSearchArray(v resp.Value, shape docShape) (SearchResult, error) {
	es := v.Elems()
	if len(es) == 0 {
		return SearchResult{}, resultShapeError("FT.SEARCH", "an empty array")
	}
	var r SearchResult
	var err error
	if r.Total, err = resultInt("FT.SEARCH", "the total", es[0]); err != nil {
		return SearchResult{}, err
	}
	rest := es[1:]
	// take returns the next element, or an error when the reply ends in
	// the middle of a document.
	take := func(what string) (resp.Value, error) {
		if len(rest) == 0 {
			return resp.Value{}, resultShapeError("FT.SEARCH", "the reply ends before a document's %s", what)
		}
		e := rest[0]
		rest = rest[1:]
		return e, nil
	}
	for len(rest) > 0 {
		e, _ := take("id")
		id, ok := resultText(e)
		if !ok || e.IsNull() {
			return SearchResult{}, resultShapeError("FT.SEARCH", "a document id is a %s", e.Type())
		}
		d := Document{ID: id}
		// Scores, payloads and sort keys are strings like the ids: only
		// the options tell whether they are there.
		if shape.scores {
			if e, err = take("score"); err != nil {
				return SearchResult{}, err
			}
			if err := decodeScore(e, &d); err != nil {
				return SearchResult{}, err
			}
		}
		if shape.payloads {
			if e, err = take("payload"); err != nil {
				return SearchResult{}, err
			}
			if d.Payload, ok = resultText(e); !ok {
				return SearchResult{}, resultShapeError("FT.SEARCH", "a payload is a %s", e.Type())
			}
		}
		if shape.sortKeys {
			if e, err = take("sort key"); err != nil {
				return SearchResult{}, err
			}
			if d.SortKey, ok = resultText(e); !ok {
				return SearchResult{}, resultShapeError("FT.SEARCH", "a sort key is a %s", e.Type())
			}
		}
		// The fields are an array (null for a document gone before it was
		// loaded), never a string like the next id: their presence is read
		// from the reply, so NOCONTENT, RETURN 0 and the rest all fit.
		if len(rest) > 0 && (rest[0].Type() == resp.Array || rest[0].IsNull()) {
			e, _ = take("fields")
			if !e.IsNull() {
				if d.Fields, err = resultFields("FT.SEARCH", e); err != nil {
					return SearchResult{}, err
				}
			}
		}
		r.Docs = append(r.Docs, d)
	}
	return r, nil
}

func decodeSearchMap(v resp.Value) (SearchResult, error) {
	var r SearchResult
	kv := v.Elems()
	sawTotal := false
	for i := 0; i+1 < len(kv); i += 2 {
		val := kv[i+1]
		var err error
		switch kv[i].String() {
		case "total_results":
			r.Total, err = resultInt("FT.SEARCH", "total_results", val)
			sawTotal = true
		case "results":
			if val.Type() != resp.Array {
				return SearchResult{}, resultShapeError("FT.SEARCH", "results is a %s", val.Type())
			}
			for _, e := range val.Elems() {
				d, err := decodeDocumentMap(e)
				if err != nil {
					return SearchResult{}, err
				}
				r.Docs = append(r.Docs, d)
			}
		case "warning", "warnings":
			r.Warnings, err = resultStrings("FT.SEARCH", val)
		}
		if err != nil {
			return SearchResult{}, err
		}
	}
	if !sawTotal {
		return SearchResult{}, resultShapeError("FT.SEARCH", "a map without total_results")
	}
	return r, nil
}

// decodeDocumentMap reads one document of a RESP3 FT.SEARCH reply: a map
// of id, score, payload, sortkey, extra_attributes, values.
func decodeDocumentMap(v resp.Value) (Document, error) {
	if v.Type() != resp.Map {
		return Document{}, resultShapeError("FT.SEARCH", "a document is a %s", v.Type())
	}
	var d Document
	kv := v.Elems()
	sawID := false
	for i := 0; i+1 < len(kv); i += 2 {
		val := kv[i+1]
		var err error
		var ok bool
		switch kv[i].String() {
		case "id":
			d.ID, ok = resultText(val)
			sawID = ok && !val.IsNull()
		case "score":
			err = decodeScore(val, &d)
			ok = true
		case "explain_score", "explainscore":
			var x ScoreExplanation
			if x, err = decodeExplanation(val, 0); err == nil {
				d.Explain = &x
			}
			ok = true
		case "payload":
			d.Payload, ok = resultText(val)
		case "sortkey":
			d.SortKey, ok = resultText(val)
		case "extra_attributes":
			d.Fields, err = resultFields("FT.SEARCH", val)
			ok = true
		default:
			ok = true // values and anything newer
		}
		if err != nil {
			return Document{}, err
		}
		if !ok {
			return Document{}, resultShapeError("FT.SEARCH", "a document's %s is a %s", kv[i].String(), val.Type())
		}
	}
	if !sawID {
		return Document{}, resultShapeError("FT.SEARCH", "a document without an id")
	}
	return d, nil
}
