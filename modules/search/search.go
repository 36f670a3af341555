package search

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/resp"
)

// Order is the direction of a sort: Asc or Desc. The zero Order leaves the
// direction to the server (ascending).
type Order string

// The sort directions.
const (
	Asc  Order = "ASC"
	Desc Order = "DESC"
)

func checkOrder(o Order) error {
	switch o {
	case "", Asc, Desc:
		return nil
	}
	return fmt.Errorf("search: sort order %q: want search.Asc or search.Desc", string(o))
}

// Query is an FT.SEARCH request: the query expression and the options that
// shape the reply. Build it with NewQuery and the chained setters, which
// change q and return it:
//
//	q := search.NewQuery(search.Terms("matrix")).
//		WithScores().
//		Return("title", "year").
//		Limit(0, 10)
//
// The options are sent in a fixed order whatever the order of the calls;
// calling a setter again replaces what the previous call set (Filter,
// GeoFilter, Param and ReturnAs add; Return replaces the RETURN list). A
// setter given a bad argument records the problem, and building a command
// from q then fails with it. A Query may be reused for any number of
// commands but must not be changed while another goroutine builds a
// command from it. The zero Query (or a nil *Query) is rejected when a
// command is built from it.
type Query struct {
	expr Expr

	noContent, verbatim, noStopWords   bool
	withScores, withPayloads, sortKeys bool
	explainScore, inOrder              bool

	filters    [][]any
	geoFilters [][]any
	inKeys     []string
	inFields   []string
	params     []any // name, value, name, value...

	sortBy    string
	sortOrder Order

	limitSet      bool
	offset, count int

	returnSet bool
	returns   []any

	summarize *SummarizeOptions
	highlight *HighlightOptions

	slop                       int
	slopSet                    bool
	timeout                    time.Duration
	language, expander, scorer string
	payload                    string
	payloadSet, timeoutSet     bool
	dialect                    int
	err                        error // the first bad argument given to a setter
}

// NewQuery returns a Query for expr with no options: the server's defaults
// (the first 10 documents with all their fields, by score).
func NewQuery(expr Expr) *Query { return &Query{expr: expr} }

func (q *Query) fail(err error) *Query {
	if q.err == nil {
		q.err = err
	}
	return q
}

// NoContent asks for the document ids only (NOCONTENT).
func (q *Query) NoContent() *Query { q.noContent = true; return q }

// Verbatim turns off stemming of the query terms (VERBATIM).
func (q *Query) Verbatim() *Query { q.verbatim = true; return q }

// NoStopWords keeps stop words in the query (NOSTOPWORDS).
func (q *Query) NoStopWords() *Query { q.noStopWords = true; return q }

// WithScores asks for each document's score (WITHSCORES): Document.Score.
func (q *Query) WithScores() *Query { q.withScores = true; return q }

// WithPayloads asks for each document's payload (WITHPAYLOADS, deprecated
// since RediSearch 2.0): Document.Payload.
func (q *Query) WithPayloads() *Query { q.withPayloads = true; return q }

// WithSortKeys asks for each document's sort key (WITHSORTKEYS), with
// SortBy: Document.SortKey.
func (q *Query) WithSortKeys() *Query { q.sortKeys = true; return q }

// ExplainScore asks for how each score was computed (EXPLAINSCORE, with
// WithScores): Document.Explain.
func (q *Query) ExplainScore() *Query { q.explainScore = true; return q }

// InOrder requires the terms in the order of the query (INORDER), usually
// with Slop.
func (q *Query) InOrder() *Query { q.inOrder = true; return q }

// Filter keeps the documents whose NUMERIC field lies between min and max
// (FILTER field min max). Each call adds a filter. Range in the query
// expression does the same and is preferred by the server's docs.
func (q *Query) Filter(fieldName string, min, max Bound) *Query {
	if err := checkFieldName(fieldName); err != nil {
		return q.fail(err)
	}
	for _, b := range []Bound{min, max} {
		if b.err != nil {
			return q.fail(b.err)
		}
		if b.text == "" {
			return q.fail(errors.New("search: Filter: zero Bound"))
		}
	}
	q.filters = append(q.filters, []any{"FILTER", fieldName, min.text, max.text})
	return q
}

// GeoFilter keeps the documents whose GEO field lies within radius of
// (lon, lat) (GEOFILTER field lon lat radius unit). Each call adds a
// filter.
func (q *Query) GeoFilter(fieldName string, lon, lat, radius float64, unit GeoUnit) *Query {
	if err := checkFieldName(fieldName); err != nil {
		return q.fail(err)
	}
	if err := checkFinite("GeoFilter", lon, lat, radius); err != nil {
		return q.fail(err)
	}
	if err := checkUnit(unit); err != nil {
		return q.fail(err)
	}
	q.geoFilters = append(q.geoFilters, []any{"GEOFILTER", fieldName,
		formatNumber(lon), formatNumber(lat), formatNumber(radius), string(unit)})
	return q
}

// InKeys limits the search to the given document keys (INKEYS).
func (q *Query) InKeys(keys ...string) *Query { q.inKeys = keys; return q }

// InFields limits full-text matching to the given TEXT fields (INFIELDS).
func (q *Query) InFields(fields ...string) *Query { q.inFields = fields; return q }

// Param adds a query parameter (PARAMS), referred to as $name in the
// expression; parameters need Dialect(2) or more. value is a string, a
// []byte, an integer or a float; a query vector is a []float32 or
// []float64 (sent as EncodeFloat32 or EncodeFloat64 makes it, to match
// the field's TYPE) or its encoding. Parameters are sent in the order
// they were added.
func (q *Query) Param(name string, value any) *Query {
	if err := checkParamName(name); err != nil {
		return q.fail(err)
	}
	q.params = append(q.params, name, paramValue(value))
	return q
}

// SortBy sorts the results by a SORTABLE field (or a KNN score name)
// instead of by score (SORTBY field [ASC|DESC]); order "" leaves the
// direction to the server.
func (q *Query) SortBy(fieldName string, order Order) *Query {
	if err := checkFieldName(fieldName); err != nil {
		return q.fail(err)
	}
	if err := checkOrder(order); err != nil {
		return q.fail(err)
	}
	q.sortBy, q.sortOrder = fieldName, order
	return q
}

// Limit returns count results from offset (LIMIT offset count); the
// server's default is 0 10. Limit(0, 0) counts the matches without
// returning any.
func (q *Query) Limit(offset, count int) *Query {
	if offset < 0 || count < 0 {
		return q.fail(fmt.Errorf("search: Limit(%d, %d): negative", offset, count))
	}
	q.limitSet, q.offset, q.count = true, offset, count
	return q
}

// Return loads only the given fields of each document (RETURN n field
// ...); Return() with no fields sends RETURN 0, which returns ids only,
// like NoContent. For JSON documents a field may be a JSONPath.
func (q *Query) Return(fields ...string) *Query {
	q.returnSet = true
	q.returns = q.returns[:0]
	for _, f := range fields {
		q.returns = append(q.returns, f)
	}
	return q
}

// ReturnAs adds one field to RETURN under another name (field AS name).
func (q *Query) ReturnAs(fieldName, name string) *Query {
	if err := checkFieldName(fieldName); err != nil {
		return q.fail(err)
	}
	q.returnSet = true
	q.returns = append(q.returns, fieldName, "AS", name)
	return q
}

// SummarizeOptions shape SUMMARIZE: fragments of the fields around the
// matched terms. Zero values leave the server's defaults (all fields, 3
// fragments of 20 words, separated by "...").
type SummarizeOptions struct {
	// Fields to summarize; none means every returned TEXT field.
	Fields []string
	// Frags is the number of fragments (FRAGS), when above 0.
	Frags int
	// Len is the number of words per fragment (LEN), when above 0.
	Len int
	// Separator between fragments (SEPARATOR), when not empty.
	Separator string
}

// Summarize returns fragments of the text fields around the matches
// instead of the whole text (SUMMARIZE).
func (q *Query) Summarize(o SummarizeOptions) *Query { q.summarize = &o; return q }

// HighlightOptions shape HIGHLIGHT: the matched terms wrapped in tags.
type HighlightOptions struct {
	// Fields to highlight; none means every returned TEXT field.
	Fields []string
	// OpenTag and CloseTag wrap each match (TAGS open close); both empty
	// leaves the server's <b> and </b>.
	OpenTag, CloseTag string
}

// Highlight wraps the matched terms of text fields in tags (HIGHLIGHT).
func (q *Query) Highlight(o HighlightOptions) *Query {
	if (o.OpenTag == "") != (o.CloseTag == "") {
		return q.fail(errors.New("search: Highlight: OpenTag and CloseTag go together"))
	}
	q.highlight = &o
	return q
}

// Slop allows up to n unmatched terms between the query's terms (SLOP).
func (q *Query) Slop(n int) *Query {
	if n < 0 {
		return q.fail(fmt.Errorf("search: Slop(%d): negative", n))
	}
	q.slop, q.slopSet = n, true
	return q
}

// Timeout bounds the query's run time on the server (TIMEOUT ms), rounded
// down to milliseconds; 0 means no limit. It is not the client's timeout.
func (q *Query) Timeout(d time.Duration) *Query {
	if d < 0 {
		return q.fail(fmt.Errorf("search: Timeout(%v): negative", d))
	}
	q.timeout, q.timeoutSet = d, true
	return q
}

// Language sets the language of the query for stemming (LANGUAGE).
func (q *Query) Language(lang string) *Query { q.language = lang; return q }

// Expander sets a custom query expander (EXPANDER).
func (q *Query) Expander(name string) *Query { q.expander = name; return q }

// Scorer sets the scoring function (SCORER), such as "BM25STD", "TFIDF",
// "DISMAX" or "HAMMING".
func (q *Query) Scorer(name string) *Query { q.scorer = name; return q }

// Payload attaches a payload to the query for a custom scorer (PAYLOAD,
// deprecated since RediSearch 2.0).
func (q *Query) Payload(p string) *Query { q.payload, q.payloadSet = p, true; return q }

// Dialect sets the query dialect (DIALECT); 2 or more is needed for
// PARAMS and KNN. 0 leaves the server's default.
func (q *Query) Dialect(n int) *Query {
	if n < 0 {
		return q.fail(fmt.Errorf("search: Dialect(%d): negative", n))
	}
	q.dialect = n
	return q
}

// docShape says which strings follow each document id of a RESP2
// FT.SEARCH reply, as the options asked for them: a score, a payload, a
// sort key (all strings, like the ids, so only the options tell). Whether
// fields follow is read from the reply itself (they are an array).
type docShape struct {
	scores, payloads, sortKeys bool
}

func (q *Query) shape() docShape {
	return docShape{scores: q.withScores, payloads: q.withPayloads, sortKeys: q.sortKeys}
}

// check returns the first problem of q: nil, a bad expression or a bad
// option.
func (q *Query) check() error {
	if q == nil {
		return errors.New("search: nil *Query")
	}
	if q.expr.err != nil {
		return q.expr.err
	}
	if q.expr.text == "" {
		return errors.New("search: empty query expression (search.All matches everything)")
	}
	return q.err
}

// appendArgs appends the query and its options, as FT.SEARCH and
// FT.PROFILE ... QUERY take them after the index.
func (q *Query) appendArgs(args []any) []any {
	args = append(args, q.expr.text)
	flags := []struct {
		on  bool
		tok string
	}{
		{q.noContent, "NOCONTENT"}, {q.verbatim, "VERBATIM"}, {q.noStopWords, "NOSTOPWORDS"},
		{q.withScores, "WITHSCORES"}, {q.withPayloads, "WITHPAYLOADS"},
	}
	for _, f := range flags {
		if f.on {
			args = append(args, f.tok)
		}
	}
	for _, f := range q.filters {
		args = append(args, f...)
	}
	for _, f := range q.geoFilters {
		args = append(args, f...)
	}
	if len(q.inKeys) > 0 {
		args = appendCounted(append(args, "INKEYS"), q.inKeys)
	}
	if len(q.inFields) > 0 {
		args = appendCounted(append(args, "INFIELDS"), q.inFields)
	}
	if len(q.params) > 0 {
		args = append(args, "PARAMS", len(q.params))
		args = append(args, q.params...)
	}
	if q.sortBy != "" {
		args = append(args, "SORTBY", q.sortBy)
		if q.sortOrder != "" {
			args = append(args, string(q.sortOrder))
		}
	}
	if q.sortKeys {
		args = append(args, "WITHSORTKEYS")
	}
	if q.limitSet {
		args = append(args, "LIMIT", q.offset, q.count)
	}
	if q.returnSet {
		args = append(args, "RETURN", len(q.returns))
		args = append(args, q.returns...)
	}
	if s := q.summarize; s != nil {
		args = append(args, "SUMMARIZE")
		if len(s.Fields) > 0 {
			args = appendCounted(append(args, "FIELDS"), s.Fields)
		}
		if s.Frags > 0 {
			args = append(args, "FRAGS", s.Frags)
		}
		if s.Len > 0 {
			args = append(args, "LEN", s.Len)
		}
		if s.Separator != "" {
			args = append(args, "SEPARATOR", s.Separator)
		}
	}
	if h := q.highlight; h != nil {
		args = append(args, "HIGHLIGHT")
		if len(h.Fields) > 0 {
			args = appendCounted(append(args, "FIELDS"), h.Fields)
		}
		if h.OpenTag != "" {
			args = append(args, "TAGS", h.OpenTag, h.CloseTag)
		}
	}
	if q.slopSet {
		args = append(args, "SLOP", q.slop)
	}
	if q.timeoutSet {
		args = append(args, "TIMEOUT", q.timeout.Milliseconds())
	}
	if q.inOrder {
		args = append(args, "INORDER")
	}
	if q.language != "" {
		args = append(args, "LANGUAGE", q.language)
	}
	if q.expander != "" {
		args = append(args, "EXPANDER", q.expander)
	}
	if q.scorer != "" {
		args = append(args, "SCORER", q.scorer)
	}
	if q.explainScore {
		args = append(args, "EXPLAINSCORE")
	}
	if q.payloadSet {
		args = append(args, "PAYLOAD", q.payload)
	}
	if q.dialect > 0 {
		args = append(args, "DIALECT", q.dialect)
	}
	return args
}

// appendCounted appends len(items) and then items.
func appendCounted(args []any, items []string) []any {
	args = append(args, len(items))
	for _, it := range items {
		args = append(args, it)
	}
	return args
}

// checkIndexName rejects an empty index name before anything is sent.
func checkIndexName(index string) error {
	if index == "" {
		return errors.New("search: no index name")
	}
	return nil
}

// Search returns the FT.SEARCH command for q on index (an index name or
// alias), for pipelines and transactions; Client.Search runs it. A bad
// query or option gives a command that is not sent and returns the error.
func Search(index string, q *Query) redis.Command[SearchResult] {
	if err := cmp.Or(checkIndexName(index), q.check()); err != nil {
		return redis.CommandError("FT.SEARCH", err, decodeNothing[SearchResult])
	}
	shape := q.shape()
	decode := func(v resp.Value, err error) (SearchResult, error) { return decodeSearch(v, err, shape) }
	return redis.NewCommand(decode, q.appendArgs([]any{"FT.SEARCH", index})...)
}

// Search runs FT.SEARCH for q on index (an index name or alias) and
// returns the matching documents. The result is the same under RESP2 and
// RESP3; see SearchResult.
func (c *Client) Search(ctx context.Context, index string, q *Query) (SearchResult, error) {
	return run(ctx, c, Search(index, q))
}
