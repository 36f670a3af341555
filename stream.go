package redis

import (
	"fmt"
	"strings"
	"time"

	"github.com/respkit/redis/resp"
)

// Stream entries are read as XMessage values: the ID and the fields in the
// order they were added. A field may appear more than once in an entry,
// so the fields are an ordered list rather than a map; XMessage.Map gives
// the map view when the fields are known to be distinct.

// XField is one field of a stream entry with its value, as read back.
type XField struct {
	Name  string
	Value string
}

// XValue is one field of a stream entry with its value, as written by
// XAdd. Value is a string, []byte, integer, float, bool or
// encoding.BinaryMarshaler.
type XValue struct {
	Name  string
	Value any
}

// XMessage is one stream entry.
type XMessage struct {
	// ID is the entry's ID, such as "1700000000000-0".
	ID string
	// Fields are the entry's fields in the order they were added. It is
	// nil only for an entry that was deleted after it was delivered, as
	// XReadGroup reports consumer's pending entries (an entry always has
	// at least one field).
	Fields []XField
	// Idle and Deliveries are set only for entries that XReadGroup with
	// the Claim option (Redis 8.4) returns: how long the entry had been
	// pending, and how many times it had been delivered. Zero otherwise.
	Idle       time.Duration
	Deliveries int64
}

// Map returns the entry's fields as a map; when a field repeats, its last
// value wins. It returns nil for a deleted entry.
func (m XMessage) Map() map[string]string {
	if m.Fields == nil {
		return nil
	}
	out := make(map[string]string, len(m.Fields))
	for _, f := range m.Fields {
		out[f.Name] = f.Value
	}
	return out
}

// Value returns the value of the entry's first field with this name, and
// whether there is one.
func (m XMessage) Value(name string) (string, bool) {
	for _, f := range m.Fields {
		if f.Name == name {
			return f.Value, true
		}
	}
	return "", false
}

// XStream is the entries read from one stream by XRead or XReadGroup.
type XStream struct {
	Stream   string // the stream's key
	Messages []XMessage
}

// XRefPolicy says what deleting or trimming a stream entry does about
// consumer groups that still reference it (Redis 8.2). The empty policy
// sends nothing: the server's default, XKeepRef.
type XRefPolicy string

// The reference policies of XAddOptions (through XTrimRule), XTrim,
// XDelEx and XAckDel.
const (
	// XKeepRef deletes the entry and keeps it in the groups' pending
	// lists (KEEPREF).
	XKeepRef XRefPolicy = "KEEPREF"
	// XDelRef deletes the entry and removes it from every group's pending
	// list (DELREF).
	XDelRef XRefPolicy = "DELREF"
	// XAcked deletes only entries that every group has read and
	// acknowledged (ACKED).
	XAcked XRefPolicy = "ACKED"
)

func (b *builder) xref(p XRefPolicy) {
	switch strings.ToUpper(string(p)) {
	case "":
	case "KEEPREF", "DELREF", "ACKED":
		b.str(strings.ToUpper(string(p)))
	default:
		b.fail("reference policy must be KEEPREF, DELREF or ACKED, not %q", string(p))
	}
}

// XRefOptions are the optional arguments of XAckDel and XDelEx. The zero
// value sends none.
type XRefOptions struct {
	// Ref is KEEPREF, DELREF or ACKED; empty sends nothing.
	Ref XRefPolicy
}

// XTrimRule says how to trim a stream: by length (MAXLEN) or by lowest ID
// (MINID), exactly or approximately. It is XTrim's argument and
// XAddOptions.Trim.
type XTrimRule struct {
	// MaxLen keeps the newest MaxLen entries (MAXLEN). It is used when
	// MinID is empty; zero empties the stream.
	MaxLen int64
	// MinID evicts the entries with IDs lower than this one (MINID, Redis
	// 6.2). When set, MaxLen must be zero.
	MinID string
	// Approx trims only whole radix-tree nodes, which is cheaper and may
	// leave a few more entries (~). Exact sends = (the server's default).
	// At most one of them may be set.
	Approx, Exact bool
	// Limit caps how many entries one call evicts (LIMIT, Redis 6.2; only
	// with Approx). Nil sends nothing (the server's default cap); 0 means
	// no cap.
	Limit *int64
	// Ref says what trimming does about consumer group references
	// (KEEPREF, DELREF or ACKED, Redis 8.2); empty sends nothing.
	Ref XRefPolicy
}

// xtrimRule writes rule; ref says whether the reference policy goes
// inside the rule (XTRIM) rather than before it (XADD writes it itself).
func (b *builder) xtrimRule(r *XTrimRule, ref bool) {
	switch {
	case r.MinID != "" && r.MaxLen != 0:
		b.fail("XTrimRule: MaxLen and MinID both set")
	case r.MaxLen < 0:
		b.fail("XTrimRule: negative MaxLen %d", r.MaxLen)
	case r.Approx && r.Exact:
		b.fail("XTrimRule: Approx and Exact both set")
	case r.Limit != nil && !r.Approx:
		b.fail("XTrimRule: Limit needs Approx")
	case r.Limit != nil && *r.Limit < 0:
		b.fail("XTrimRule: negative Limit %d", *r.Limit)
	}
	if r.MinID != "" {
		b.str("MINID")
	} else {
		b.str("MAXLEN")
	}
	switch {
	case r.Approx:
		b.str("~")
	case r.Exact:
		b.str("=")
	}
	if r.MinID != "" {
		b.str(r.MinID)
	} else {
		b.int(r.MaxLen)
	}
	if r.Limit != nil {
		b.str("LIMIT")
		b.int(*r.Limit)
	}
	if ref {
		b.xref(r.Ref)
	}
}

func appendXTrim(b *builder, key string, rule XTrimRule) {
	b.begin(cmdXTRIM)
	b.key(key)
	b.xtrimRule(&rule, true)
}

// XAddOptions are XAdd's optional arguments. The zero value adds the entry,
// creating the stream if needed, without trimming.
type XAddOptions struct {
	// NoMkStream adds nothing when the stream does not exist (NOMKSTREAM,
	// Redis 6.2): XAdd then returns ErrNil.
	NoMkStream bool
	// Trim trims the stream after adding the entry; nil does not trim.
	Trim *XTrimRule
	// Producer makes the add idempotent (Redis 8.6): with IdempotentID,
	// XADD sends IDMP Producer IdempotentID and adds nothing if this
	// producer already added an entry under that ID; alone, it sends
	// IDMPAUTO Producer and the server derives the idempotent ID from the
	// entry's content. Empty sends neither.
	Producer string
	// IdempotentID is the entry's idempotent ID for Producer (IDMP).
	IdempotentID string
}

func appendXAdd(b *builder, key string, id string, values []XValue, opts []XAddOptions) {
	b.begin(cmdXADD)
	b.key(key)
	var o XAddOptions
	switch len(opts) {
	case 0:
	case 1:
		o = opts[0]
	default:
		b.fail("at most one XAddOptions, got %d", len(opts))
	}
	if o.NoMkStream {
		b.str("NOMKSTREAM")
	}
	if o.Trim != nil {
		b.xref(o.Trim.Ref)
	}
	switch {
	case o.IdempotentID != "" && o.Producer == "":
		b.fail("IdempotentID needs Producer")
	case o.IdempotentID != "":
		b.str("IDMP")
		b.str(o.Producer)
		b.str(o.IdempotentID)
	case o.Producer != "":
		b.str("IDMPAUTO")
		b.str(o.Producer)
	}
	if o.Trim != nil {
		b.xtrimRule(o.Trim, false)
	}
	if id == "" {
		b.fail("empty ID (use \"*\" for an ID chosen by the server)")
	}
	b.str(id)
	if len(values) == 0 {
		b.fail("needs at least one field")
	}
	for _, v := range values {
		b.str(v.Name)
		b.arg(v.Value)
	}
}

// xids writes IDS numids id... as XACKDEL, XDELEX and XNACK take them.
func (b *builder) xids(ids []string) {
	if len(ids) == 0 {
		b.fail("needs at least one ID")
	}
	b.str("IDS")
	b.int(int64(len(ids)))
	for _, id := range ids {
		b.str(id)
	}
}

func oneXRefOptions(b *builder, opts []XRefOptions) XRefOptions {
	switch len(opts) {
	case 0:
		return XRefOptions{}
	case 1:
		return opts[0]
	}
	b.fail("at most one XRefOptions, got %d", len(opts))
	return XRefOptions{}
}

func appendXAckDel(b *builder, key string, group string, ids []string, opts []XRefOptions) {
	b.begin(cmdXACKDEL)
	b.key(key)
	b.str(group)
	b.xref(oneXRefOptions(b, opts).Ref)
	b.xids(ids)
}

func appendXDelEx(b *builder, key string, ids []string, opts []XRefOptions) {
	b.begin(cmdXDELEX)
	b.key(key)
	b.xref(oneXRefOptions(b, opts).Ref)
	b.xids(ids)
}

// XNackOptions are XNack's optional arguments. The zero value sends none.
type XNackOptions struct {
	// RetryCount sets the entries' delivery count (RETRYCOUNT); nil sends
	// nothing.
	RetryCount *int64
	// Force releases IDs that are not pending for the group too (FORCE).
	Force bool
}

func appendXNack(b *builder, key string, group string, mode string, ids []string, opts []XNackOptions) {
	b.begin(cmdXNACK)
	b.key(key)
	b.str(group)
	switch m := strings.ToUpper(mode); m {
	case "SILENT", "FAIL", "FATAL":
		b.str(m)
	default:
		b.fail("mode must be SILENT, FAIL or FATAL, not %q", mode)
	}
	b.xids(ids)
	var o XNackOptions
	switch len(opts) {
	case 0:
	case 1:
		o = opts[0]
	default:
		b.fail("at most one XNackOptions, got %d", len(opts))
	}
	if o.RetryCount != nil {
		b.str("RETRYCOUNT")
		b.int(*o.RetryCount)
	}
	if o.Force {
		b.str("FORCE")
	}
}

// XGroupCreateOptions are XGroupCreate's optional arguments. The zero
// value sends none.
type XGroupCreateOptions struct {
	// MkStream creates an empty stream if the key does not exist
	// (MKSTREAM).
	MkStream bool
	// EntriesRead sets the group's entries-read counter, from which the
	// server computes its lag (ENTRIESREAD, Redis 7.0); nil sends nothing.
	EntriesRead *int64
}

func appendXGroupCreate(b *builder, key string, group string, id string, opts []XGroupCreateOptions) {
	b.begin(cmdXGROUP_CREATE)
	b.key(key)
	b.str(group)
	if id == "" {
		b.fail("empty ID (use \"$\" for the stream's end, \"0\" for its start)")
	}
	b.str(id)
	var o XGroupCreateOptions
	switch len(opts) {
	case 0:
	case 1:
		o = opts[0]
	default:
		b.fail("at most one XGroupCreateOptions, got %d", len(opts))
	}
	if o.MkStream {
		b.str("MKSTREAM")
	}
	if o.EntriesRead != nil {
		b.str("ENTRIESREAD")
		b.int(*o.EntriesRead)
	}
}

// XGroupSetIDOptions are XGroupSetID's optional arguments. The zero value
// sends none.
type XGroupSetIDOptions struct {
	// EntriesRead sets the group's entries-read counter (ENTRIESREAD,
	// Redis 7.0); nil sends nothing.
	EntriesRead *int64
}

func appendXGroupSetID(b *builder, key string, group string, id string, opts []XGroupSetIDOptions) {
	b.begin(cmdXGROUP_SETID)
	b.key(key)
	b.str(group)
	if id == "" {
		b.fail("empty ID (use \"$\" for the stream's end, \"0\" for its start)")
	}
	b.str(id)
	switch len(opts) {
	case 0:
	case 1:
		if opts[0].EntriesRead != nil {
			b.str("ENTRIESREAD")
			b.int(*opts[0].EntriesRead)
		}
	default:
		b.fail("at most one XGroupSetIDOptions, got %d", len(opts))
	}
}

// XReadOptions are XRead's optional arguments. The zero value reads every
// new entry without blocking.
type XReadOptions struct {
	// Count is the most entries returned per stream (COUNT); 0 sends
	// nothing.
	Count int64
	// Block waits up to this long (whole milliseconds) for entries when
	// there are none (BLOCK); 0 does not block.
	Block time.Duration
	// BlockForever waits until entries arrive (BLOCK 0). It conflicts
	// with Block.
	BlockForever bool
}

// xread writes the COUNT and BLOCK options and STREAMS key... id... of
// XREAD and XREADGROUP, and marks the command blocking only when it may
// block.
func (b *builder) xread(count int64, block time.Duration, forever bool, rest func(), keys, ids []string) {
	if count < 0 {
		b.fail("negative Count %d", count)
	}
	if count > 0 {
		b.str("COUNT")
		b.int(count)
	}
	switch {
	case block < 0:
		b.fail("negative Block %v", block)
	case block > 0 && forever:
		b.fail("Block and BlockForever both set")
	case block > 0:
		b.str("BLOCK")
		b.millis(block)
		if block < time.Millisecond {
			b.fail("Block %v is below the server's resolution of 1ms", block)
		}
		b.blockFor(block)
	case forever:
		b.str("BLOCK")
		b.int(0)
		b.blockFor(0)
	default:
		// Without BLOCK the command answers at once: it may share a
		// connection with other callers.
		b.c.flags &^= FlagBlocking
	}
	if rest != nil {
		rest()
	}
	if len(keys) == 0 {
		b.fail("needs at least one stream")
	}
	if len(keys) != len(ids) {
		b.fail("%d keys but %d IDs", len(keys), len(ids))
	}
	b.str("STREAMS")
	for _, k := range keys {
		b.key(k)
	}
	for _, id := range ids {
		b.str(id)
	}
}

func appendXRead(b *builder, keys []string, ids []string, opts []XReadOptions) {
	b.begin(cmdXREAD)
	var o XReadOptions
	switch len(opts) {
	case 0:
	case 1:
		o = opts[0]
	default:
		b.fail("at most one XReadOptions, got %d", len(opts))
	}
	b.xread(o.Count, o.Block, o.BlockForever, nil, keys, ids)
}

// XReadGroupOptions are XReadGroup's optional arguments. The zero value
// reads without blocking and records the entries as pending.
type XReadGroupOptions struct {
	// Count is the most entries returned per stream (COUNT); 0 sends
	// nothing.
	Count int64
	// Block waits up to this long (whole milliseconds) for entries when
	// there are none (BLOCK); 0 does not block.
	Block time.Duration
	// BlockForever waits until entries arrive (BLOCK 0). It conflicts
	// with Block.
	BlockForever bool
	// Claim also claims for consumer entries of other consumers pending
	// for at least this long, before new ones (CLAIM, whole milliseconds,
	// Redis 8.4); the returned XMessage values then carry Idle and
	// Deliveries. 0 sends nothing.
	Claim time.Duration
	// NoAck does not record the entries as pending: they count as
	// acknowledged once delivered (NOACK).
	NoAck bool
}

func appendXReadGroup(b *builder, group string, consumer string, keys []string, ids []string, opts []XReadGroupOptions) {
	b.begin(cmdXREADGROUP)
	b.str("GROUP")
	b.str(group)
	b.str(consumer)
	var o XReadGroupOptions
	switch len(opts) {
	case 0:
	case 1:
		o = opts[0]
	default:
		b.fail("at most one XReadGroupOptions, got %d", len(opts))
	}
	b.xread(o.Count, o.Block, o.BlockForever, func() {
		if o.Claim < 0 {
			b.fail("negative Claim %v", o.Claim)
		}
		if o.Claim > 0 {
			b.str("CLAIM")
			b.millis(o.Claim)
		}
		if o.NoAck {
			b.str("NOACK")
		}
	}, keys, ids)
}

// Decoders.

func xmillis(v resp.Value) time.Duration {
	n, _ := asInt64(v, nil)
	return time.Duration(n) * time.Millisecond
}

func xunixMilli(v resp.Value) time.Time {
	n, _ := asInt64(v, nil)
	if n <= 0 {
		return time.Time{}
	}
	return time.UnixMilli(n)
}

func xint(v resp.Value) int64 {
	n, _ := asInt64(v, nil)
	return n
}

// xnullInt reads a number the server may send as null (entries-read, lag).
func xnullInt(v resp.Value) Null[int64] {
	if v.IsNull() || v.Type() == resp.Type(0) {
		return Null[int64]{}
	}
	n, err := asInt64(v, nil)
	return Null[int64]{V: n, Valid: err == nil}
}

// asXMessage reads [id, [field, value, ...]] and, from XREADGROUP with
// CLAIM, [id, fields, idle-ms, delivery-count]. The field list is null for
// a deleted entry.
func asXMessage(v resp.Value, err error) (XMessage, error) {
	m, err := asXMessageChecked(v, err)
	if err != nil {
		return m, err
	}
	if f := v.Elems()[1]; !f.IsNull() {
		kv := f.Elems()
		m.Fields = make([]XField, len(kv)/2)
		for i := range m.Fields {
			m.Fields[i] = XField{Name: kv[2*i].String(), Value: kv[2*i+1].String()}
		}
	}
	return m, nil
}

// asXMessageChecked checks an entry's shape and reads its ID, idle time and
// deliveries; the fields are left to the caller.
func asXMessageChecked(v resp.Value, err error) (XMessage, error) {
	elems, err := asSlice(v, err)
	if err != nil {
		return XMessage{}, err
	}
	if len(elems) < 2 {
		return XMessage{}, fmt.Errorf("redis: stream entry has %d elements, want 2 or more", len(elems))
	}
	m := XMessage{ID: elems[0].String()}
	if !elems[1].IsNull() {
		kv, err := asSlice(elems[1], nil)
		if err != nil {
			return m, fmt.Errorf("redis: stream entry %s: %w", m.ID, err)
		}
		if len(kv)%2 != 0 {
			return m, fmt.Errorf("redis: stream entry %s has an odd number (%d) of fields and values", m.ID, len(kv))
		}
	}
	if len(elems) >= 4 {
		m.Idle = xmillis(elems[2])
		m.Deliveries = xint(elems[3])
	}
	return m, nil
}

// asXMessages reads a list of entries. The entries' field slices share one
// allocation, each capped at its own length so that appending to one
// cannot write over the next.
func asXMessages(v resp.Value, err error) ([]XMessage, error) {
	out, err := asListOf(v, err, asXMessageChecked)
	if err != nil {
		return nil, err
	}
	total := 0
	for _, e := range v.Elems() {
		if kv := e.Elems(); len(kv) >= 2 {
			total += len(kv[1].Elems()) / 2
		}
	}
	fields := make([]XField, 0, total)
	for i, e := range v.Elems() {
		kv := e.Elems()
		if len(kv) < 2 || kv[1].IsNull() {
			continue
		}
		start := len(fields)
		vals := kv[1].Elems()
		for j := 0; j+1 < len(vals); j += 2 {
			fields = append(fields, XField{Name: vals[j].String(), Value: vals[j+1].String()})
		}
		out[i].Fields = fields[start:len(fields):len(fields)]
	}
	return out, nil
}

// asXClaim reads XCLAIM's entries, leaving out the nulls that servers
// before 7.0 send for entries deleted while pending.
func asXClaim(v resp.Value, err error) ([]XMessage, error) {
	elems, err := asSlice(v, err)
	if err != nil {
		return nil, err
	}
	out := make([]XMessage, 0, len(elems))
	for i, e := range elems {
		if e.IsNull() {
			continue
		}
		m, err := asXMessage(e, nil)
		if err != nil {
			return nil, fmt.Errorf("redis: element %d: %w", i, err)
		}
		out = append(out, m)
	}
	return out, nil
}

// asXStreams reads XREAD's reply: a map of stream to entries under RESP3,
// an array of [stream, entries] pairs under RESP2; null when nothing came.
func asXStreams(v resp.Value, err error) ([]XStream, error) {
	if err := check(v, err); err != nil {
		return nil, err
	}
	var names, lists []resp.Value
	switch v.Type() {
	case resp.Map:
		kv := v.Elems()
		for i := 0; i+1 < len(kv); i += 2 {
			names, lists = append(names, kv[i]), append(lists, kv[i+1])
		}
	case resp.Array:
		for i, e := range v.Elems() {
			pair, err := asSlice(e, nil)
			if err != nil || len(pair) != 2 {
				return nil, fmt.Errorf("redis: stream %d of the reply is not a [name, entries] pair", i)
			}
			names, lists = append(names, pair[0]), append(lists, pair[1])
		}
	default:
		return nil, &ReplyTypeError{Want: "[]XStream", Got: v.Type()}
	}
	out := make([]XStream, len(names))
	for i := range names {
		out[i].Stream = names[i].String()
		msgs, err := asXMessages(lists[i], nil)
		if err != nil {
			return nil, fmt.Errorf("redis: stream %q: %w", out[i].Stream, err)
		}
		out[i].Messages = msgs
	}
	return out, nil
}

// XAutoClaimResult is XAutoClaim's reply.
type XAutoClaimResult struct {
	// Next is the ID to pass as start to continue the scan; "0-0" when
	// the whole pending list has been scanned.
	Next string
	// Messages are the entries now owned by the claiming consumer.
	Messages []XMessage
	// Deleted are the IDs of pending entries that no longer exist in the
	// stream; they were removed from the pending list (Redis 7.0; nil
	// before).
	Deleted []string
}

// XAutoClaimIDs is XAutoClaimJustID's reply.
type XAutoClaimIDs struct {
	// Next is the ID to continue the scan from; "0-0" when done.
	Next string
	// IDs are the entries now owned by the claiming consumer.
	IDs []string
	// Deleted are the IDs of pending entries that no longer exist (Redis
	// 7.0; nil before).
	Deleted []string
}

func xautoclaimParts(v resp.Value, err error) ([]resp.Value, error) {
	elems, err := asSlice(v, err)
	if err != nil {
		return nil, err
	}
	if len(elems) < 2 {
		return nil, fmt.Errorf("redis: XAUTOCLAIM reply has %d elements, want 2 or 3", len(elems))
	}
	return elems, nil
}

func asXAutoClaim(v resp.Value, err error) (XAutoClaimResult, error) {
	elems, err := xautoclaimParts(v, err)
	if err != nil {
		return XAutoClaimResult{}, err
	}
	r := XAutoClaimResult{Next: elems[0].String()}
	if r.Messages, err = asXClaim(elems[1], nil); err != nil {
		return r, err
	}
	if len(elems) > 2 {
		if r.Deleted, err = asStrings(elems[2], nil); err != nil {
			return r, err
		}
	}
	return r, nil
}

func asXAutoClaimIDs(v resp.Value, err error) (XAutoClaimIDs, error) {
	elems, err := xautoclaimParts(v, err)
	if err != nil {
		return XAutoClaimIDs{}, err
	}
	r := XAutoClaimIDs{Next: elems[0].String()}
	if r.IDs, err = asStrings(elems[1], nil); err != nil {
		return r, err
	}
	if len(elems) > 2 {
		if r.Deleted, err = asStrings(elems[2], nil); err != nil {
			return r, err
		}
	}
	return r, nil
}

// XPendingSummary is XPending's reply: a summary of a group's pending
// entries.
type XPendingSummary struct {
	// Count is the number of pending entries.
	Count int64
	// Lowest and Highest are the smallest and largest pending IDs; empty
	// when nothing is pending.
	Lowest, Highest string
	// Consumers are the consumers holding pending entries, with how many
	// each holds.
	Consumers []XPendingCount
}

// XPendingCount is how many pending entries a consumer holds.
type XPendingCount struct {
	Consumer string
	Count    int64
}

func asXPendingSummary(v resp.Value, err error) (XPendingSummary, error) {
	elems, err := asSlice(v, err)
	if err != nil {
		return XPendingSummary{}, err
	}
	if len(elems) < 4 {
		return XPendingSummary{}, fmt.Errorf("redis: XPENDING reply has %d elements, want 4", len(elems))
	}
	s := XPendingSummary{Count: xint(elems[0])}
	if !elems[1].IsNull() {
		s.Lowest = elems[1].String()
	}
	if !elems[2].IsNull() {
		s.Highest = elems[2].String()
	}
	if elems[3].IsNull() {
		return s, nil
	}
	cs, err := asSlice(elems[3], nil)
	if err != nil {
		return s, fmt.Errorf("redis: XPENDING consumers: %w", err)
	}
	for _, c := range cs {
		pair, err := asSlice(c, nil)
		if err != nil || len(pair) != 2 {
			return s, fmt.Errorf("redis: XPENDING consumer is not a [name, count] pair")
		}
		n, err := asInt64(pair[1], nil)
		if err != nil {
			return s, fmt.Errorf("redis: XPENDING consumer %q: %w", pair[0].String(), err)
		}
		s.Consumers = append(s.Consumers, XPendingCount{Consumer: pair[0].String(), Count: n})
	}
	return s, nil
}

// XPendingEntry is one pending entry as XPendingExt lists it.
type XPendingEntry struct {
	ID       string
	Consumer string        // the consumer it was delivered to
	Idle     time.Duration // since it was last delivered
	// Deliveries is how many times it has been delivered.
	Deliveries int64
}

func asXPendingEntry(v resp.Value, err error) (XPendingEntry, error) {
	elems, err := asSlice(v, err)
	if err != nil {
		return XPendingEntry{}, err
	}
	if len(elems) < 4 {
		return XPendingEntry{}, fmt.Errorf("redis: pending entry has %d elements, want 4", len(elems))
	}
	return XPendingEntry{ID: elems[0].String(), Consumer: elems[1].String(), Idle: xmillis(elems[2]), Deliveries: xint(elems[3])}, nil
}

func asXPendingEntries(v resp.Value, err error) ([]XPendingEntry, error) {
	return asListOf(v, err, asXPendingEntry)
}

// XGroupInfo describes a consumer group, as XInfoGroups lists it.
type XGroupInfo struct {
	Name string
	// Consumers is the number of consumers in the group.
	Consumers int64
	// Pending is the number of entries delivered but not acknowledged.
	Pending int64
	// LastDeliveredID is the ID of the last entry delivered to the group.
	LastDeliveredID string
	// EntriesRead is the group's logical read counter (Redis 7.0); not
	// Valid when the server cannot tell (or is older).
	EntriesRead Null[int64]
	// Lag is how many entries the group has yet to read (Redis 7.0); not
	// Valid when the server cannot tell (or is older).
	Lag Null[int64]
}

func asXGroupInfo(v resp.Value, err error) (XGroupInfo, error) {
	m, err := asMap(v, err)
	if err != nil {
		return XGroupInfo{}, err
	}
	return XGroupInfo{
		Name: m["name"].String(), Consumers: xint(m["consumers"]), Pending: xint(m["pending"]),
		LastDeliveredID: m["last-delivered-id"].String(),
		EntriesRead:     xnullInt(m["entries-read"]), Lag: xnullInt(m["lag"]),
	}, nil
}

func asXGroupInfos(v resp.Value, err error) ([]XGroupInfo, error) {
	return asListOf(v, err, asXGroupInfo)
}

// XConsumerInfo describes a consumer of a group, as XInfoConsumers lists
// it.
type XConsumerInfo struct {
	Name string
	// Pending is the number of entries delivered to it and not
	// acknowledged.
	Pending int64
	// Idle is the time since it last interacted with the server.
	Idle time.Duration
	// Inactive is the time since it last read or claimed an entry (Redis
	// 7.2); negative when it never did, zero on older servers.
	Inactive time.Duration
}

func asXConsumerInfo(v resp.Value, err error) (XConsumerInfo, error) {
	m, err := asMap(v, err)
	if err != nil {
		return XConsumerInfo{}, err
	}
	c := XConsumerInfo{Name: m["name"].String(), Pending: xint(m["pending"]), Idle: xmillis(m["idle"])}
	if in, ok := m["inactive"]; ok {
		if n := xint(in); n < 0 {
			c.Inactive = -1
		} else {
			c.Inactive = time.Duration(n) * time.Millisecond
		}
	}
	return c, nil
}

func asXConsumerInfos(v resp.Value, err error) ([]XConsumerInfo, error) {
	return asListOf(v, err, asXConsumerInfo)
}

// XStreamState is what XINFO STREAM reports with and without FULL: the
// stream's size, IDs and counters. Fields a server does not report are
// zero.
type XStreamState struct {
	// Length is the number of entries.
	Length int64
	// RadixTreeKeys and RadixTreeNodes describe the stream's storage.
	RadixTreeKeys, RadixTreeNodes int64
	// LastGeneratedID is the largest ID ever added.
	LastGeneratedID string
	// MaxDeletedEntryID is the largest ID deleted (Redis 7.0).
	MaxDeletedEntryID string
	// EntriesAdded counts every entry ever added (Redis 7.0).
	EntriesAdded int64
	// RecordedFirstEntryID is the first entry's ID as recorded (Redis 7.0).
	RecordedFirstEntryID string
	// IDMPDuration and IDMPMaxSize are the stream's idempotency settings
	// (see XCfgSet); PIDsTracked, IIDsTracked, IIDsAdded and
	// IIDsDuplicates its idempotency counters (Redis 8.6).
	IDMPDuration                                        time.Duration
	IDMPMaxSize                                         int64
	PIDsTracked, IIDsTracked, IIDsAdded, IIDsDuplicates int64
}

func xstreamState(m map[string]resp.Value) XStreamState {
	return XStreamState{
		Length: xint(m["length"]), RadixTreeKeys: xint(m["radix-tree-keys"]), RadixTreeNodes: xint(m["radix-tree-nodes"]),
		LastGeneratedID: m["last-generated-id"].String(), MaxDeletedEntryID: m["max-deleted-entry-id"].String(),
		EntriesAdded: xint(m["entries-added"]), RecordedFirstEntryID: m["recorded-first-entry-id"].String(),
		IDMPDuration: time.Duration(xint(m["idmp-duration"])) * time.Second, IDMPMaxSize: xint(m["idmp-maxsize"]),
		PIDsTracked: xint(m["pids-tracked"]), IIDsTracked: xint(m["iids-tracked"]),
		IIDsAdded: xint(m["iids-added"]), IIDsDuplicates: xint(m["iids-duplicates"]),
	}
}

// XStreamInfo is XInfoStream's reply.
type XStreamInfo struct {
	XStreamState
	// Groups is the number of consumer groups.
	Groups int64
	// FirstEntry and LastEntry are the stream's first and last entries;
	// nil when it is empty.
	FirstEntry, LastEntry *XMessage
}

func asXStreamInfo(v resp.Value, err error) (XStreamInfo, error) {
	m, err := asMap(v, err)
	if err != nil {
		return XStreamInfo{}, err
	}
	info := XStreamInfo{XStreamState: xstreamState(m), Groups: xint(m["groups"])}
	for name, dst := range map[string]**XMessage{"first-entry": &info.FirstEntry, "last-entry": &info.LastEntry} {
		e, ok := m[name]
		if !ok || e.IsNull() {
			continue
		}
		msg, err := asXMessage(e, nil)
		if err != nil {
			return info, fmt.Errorf("redis: XINFO STREAM %s: %w", name, err)
		}
		*dst = &msg
	}
	return info, nil
}

// XStreamInfoFull is XInfoStreamFull's reply.
type XStreamInfoFull struct {
	XStreamState
	// Entries are the stream's first entries (up to the Count option).
	Entries []XMessage
	// Groups are the stream's consumer groups.
	Groups []XGroupInfoFull
}

// XGroupInfoFull describes a consumer group in XInfoStreamFull's reply.
type XGroupInfoFull struct {
	Name            string
	LastDeliveredID string
	// EntriesRead and Lag are as in XGroupInfo (Redis 7.0).
	EntriesRead, Lag Null[int64]
	// PELCount is the number of pending entries.
	PELCount int64
	// NackedCount is the number of entries released by XNack (Redis 8.8).
	NackedCount int64
	// Pending are the group's pending entries (up to the Count option).
	Pending []XPendingDelivery
	// Consumers are the group's consumers.
	Consumers []XConsumerInfoFull
}

// XPendingDelivery is a pending entry in XInfoStreamFull's reply.
type XPendingDelivery struct {
	ID string
	// Consumer holds the entry; empty in a consumer's own list.
	Consumer string
	// Delivered is when it was last delivered.
	Delivered time.Time
	// Deliveries is how many times it has been delivered.
	Deliveries int64
}

// XConsumerInfoFull describes a consumer in XInfoStreamFull's reply.
type XConsumerInfoFull struct {
	Name string
	// SeenTime is its last interaction with the server.
	SeenTime time.Time
	// ActiveTime is when it last read or claimed an entry (Redis 7.2);
	// zero when it never did or the server is older.
	ActiveTime time.Time
	// PELCount is the number of entries pending for it.
	PELCount int64
	// Pending are its pending entries (up to the Count option).
	Pending []XPendingDelivery
}

func asXStreamInfoFull(v resp.Value, err error) (XStreamInfoFull, error) {
	m, err := asMap(v, err)
	if err != nil {
		return XStreamInfoFull{}, err
	}
	info := XStreamInfoFull{XStreamState: xstreamState(m)}
	if e, ok := m["entries"]; ok && !e.IsNull() {
		if info.Entries, err = asXMessages(e, nil); err != nil {
			return info, fmt.Errorf("redis: XINFO STREAM FULL entries: %w", err)
		}
	}
	if g, ok := m["groups"]; ok && !g.IsNull() {
		if info.Groups, err = asListOf(g, nil, asXGroupInfoFull); err != nil {
			return info, fmt.Errorf("redis: XINFO STREAM FULL groups: %w", err)
		}
	}
	return info, nil
}

func asXGroupInfoFull(v resp.Value, err error) (XGroupInfoFull, error) {
	m, err := asMap(v, err)
	if err != nil {
		return XGroupInfoFull{}, err
	}
	g := XGroupInfoFull{
		Name: m["name"].String(), LastDeliveredID: m["last-delivered-id"].String(),
		EntriesRead: xnullInt(m["entries-read"]), Lag: xnullInt(m["lag"]),
		PELCount: xint(m["pel-count"]), NackedCount: xint(m["nacked-count"]),
	}
	for i, p := range m["pending"].Elems() {
		e, err := asSlice(p, nil)
		if err != nil || len(e) < 4 {
			return g, fmt.Errorf("redis: group %q pending entry %d is not [id, consumer, time, count]", g.Name, i)
		}
		g.Pending = append(g.Pending, XPendingDelivery{ID: e[0].String(), Consumer: e[1].String(), Delivered: xunixMilli(e[2]), Deliveries: xint(e[3])})
	}
	for _, c := range m["consumers"].Elems() {
		cm, err := asMap(c, nil)
		if err != nil {
			return g, fmt.Errorf("redis: group %q consumer: %w", g.Name, err)
		}
		ci := XConsumerInfoFull{Name: cm["name"].String(), SeenTime: xunixMilli(cm["seen-time"]),
			ActiveTime: xunixMilli(cm["active-time"]), PELCount: xint(cm["pel-count"])}
		for i, p := range cm["pending"].Elems() {
			e, err := asSlice(p, nil)
			if err != nil || len(e) < 3 {
				return g, fmt.Errorf("redis: consumer %q pending entry %d is not [id, time, count]", ci.Name, i)
			}
			ci.Pending = append(ci.Pending, XPendingDelivery{ID: e[0].String(), Delivered: xunixMilli(e[1]), Deliveries: xint(e[2])})
		}
		g.Consumers = append(g.Consumers, ci)
	}
	return g, nil
}
