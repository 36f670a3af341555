package redis

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/respkit/redis/internal/cache"
	"github.com/respkit/redis/internal/node"
	"github.com/respkit/redis/resp"
)

// CacheOptions turn on server-assisted client-side caching (see
// Client.Cached). The zero value caches up to 64 MiB of replies, tracked
// per key read (the server's OPTIN mode).
type CacheOptions struct {
	// MaxBytes bounds the memory the cache holds: replies, their commands
	// and a fixed overhead per entry. The least recently used entries are
	// evicted to stay within it. 0 means 64 MiB.
	MaxBytes int64
	// TTL, when positive, bounds how long any entry is served without
	// asking the server again, whatever Cached was given.
	TTL time.Duration
	// Broadcast has the server report changes to every key under Prefixes
	// (every key when there are none), whoever read it, instead of the
	// keys this client read (BCAST instead of OPTIN). Only keys under a
	// prefix are cached. It suits a client that reads most of a small
	// keyspace; every write under the prefixes then costs an invalidation
	// message to every such client.
	Broadcast bool
	// Prefixes restrict Broadcast; they must not overlap (one a prefix of
	// another), as the server requires. They need Broadcast.
	Prefixes []string
}

// Cache is a client's client-side cache, shared by all its connections
// (on a cluster or under Sentinel, by the connections to every node). It
// is safe for concurrent use.
type Cache struct {
	store *cache.Cache
	o     CacheOptions
	err   error // why the options cannot work; reported by every cached read
}

// CacheStats are a cache's counters.
type CacheStats = cache.Stats

// defaultCacheBytes is the bound of a cache whose MaxBytes is 0.
const defaultCacheBytes = 64 << 20

// entryOverhead is what an entry costs beside its reply and command: the
// entry, its map slots and its key's group.
const entryOverhead = 160

func newCache(o *CacheOptions) *Cache {
	c := &Cache{o: *o}
	c.o.Prefixes = append([]string(nil), o.Prefixes...)
	max := o.MaxBytes
	if max == 0 {
		max = defaultCacheBytes
	}
	switch {
	case max < 0:
		c.err = fmt.Errorf("redis: CacheOptions.MaxBytes is %d; it must not be negative", o.MaxBytes)
	case o.TTL < 0:
		c.err = fmt.Errorf("redis: CacheOptions.TTL is %v; it must not be negative", o.TTL)
	case len(o.Prefixes) > 0 && !o.Broadcast:
		c.err = errors.New("redis: CacheOptions.Prefixes need Broadcast: without it the server tracks the keys read, not prefixes")
	}
	if c.err == nil && o.Broadcast {
		for i, p := range o.Prefixes {
			for _, q := range o.Prefixes[i+1:] {
				if strings.HasPrefix(p, q) || strings.HasPrefix(q, p) {
					c.err = fmt.Errorf("redis: CacheOptions.Prefixes %q and %q overlap; the server refuses overlapping prefixes", p, q)
				}
			}
		}
	}
	c.store = cache.New(max, o.TTL)
	return c
}

// Stats returns the cache's counters.
func (c *Cache) Stats() CacheStats { return c.store.Stats() }

// Flush drops every entry, and keeps every read in flight from being
// stored.
func (c *Cache) Flush() { c.store.Flush() }

// FlushKeys drops the entries of every key match accepts, and keeps reads
// of those keys in flight from being stored: for keys whose server
// changed (a cluster transport calls it for the keys of slots that moved).
// match is called for every key the cache knows, under a lock: it must be
// quick and must not call the cache.
func (c *Cache) FlushKeys(match func(key string) bool) { c.store.InvalidateWhere(match) }

// tracking is how the cache asks a node to track its reads: the node is
// a source of entries of its own, so that losing its invalidations drops
// only what was read from it.
func (c *Cache) tracking() *node.Tracking {
	src := c.store.NewSource()
	return &node.Tracking{
		Broadcast: c.o.Broadcast,
		Prefixes:  c.o.Prefixes,
		Invalidate: func(keys []string) {
			if keys == nil { // FLUSHALL, FLUSHDB
				c.store.FlushSource(src)
				return
			}
			c.store.Invalidate(keys...)
		},
		Flush:  func() { c.store.FlushSource(src) },
		Source: src,
	}
}

// wrote drops what the cache holds of the keys of cmd, a write this client
// made, once its reply is in (or its outcome unknown): the server's
// invalidation follows, but the client's next read must not wait for it.
// Reads in flight are kept from storing what they read before the write.
func (c *Cache) wrote(cmd *Cmd) {
	if cmd.flags&FlagWrite != 0 && len(cmd.keys) > 0 {
		c.store.Invalidate(cmd.keys...)
	}
}

// covers reports whether the server tracks key in this cache's mode.
func (c *Cache) covers(key string) bool {
	if !c.o.Broadcast || len(c.o.Prefixes) == 0 {
		return true
	}
	for _, p := range c.o.Prefixes {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

// AttachCache creates o's client-side cache when o.Cache is set and o has
// none yet, and returns it (nil when o.Cache is nil). Every client built
// from copies of *o afterwards shares it: a transport made of several
// node clients (cluster, sentinel) calls it on its options before building
// them, and flushes the cache when its topology changes. NewClient calls
// it on its own copy of the options.
func AttachCache(o *Options) *Cache {
	if o.Cache == nil {
		return nil
	}
	if o.cache == nil {
		o.cache = newCache(o.Cache)
	}
	return o.cache
}

// Cache returns the client's cache, or nil when Options.Cache is not set.
func (c *Client) Cache() *Cache { return c.o.cache }

// cachedView is what a client from Cached adds.
type cachedView struct {
	cache *Cache // nil: the client has no cache (reported as an error)
	ttl   time.Duration
}

var errCacheOff = errors.New("redis: Cached needs client-side caching: set Options.Cache")

// err says why the view cannot cache, or nil.
func (v *cachedView) err() error {
	switch {
	case v.cache == nil:
		return errCacheOff
	case v.cache.err != nil:
		return v.cache.err
	case v.ttl < 0:
		return fmt.Errorf("redis: Cached(%v): the time to live must not be negative", v.ttl)
	}
	return nil
}

// cacheable reports whether cmd's reply may be cached (see
// docs/cacheable-commands.md).
func cacheable(cmd *Cmd) bool {
	return cmd.info != nil && len(cmd.keys) > 0 && cmd.info.Cacheable()
}

// Cached returns a client whose cacheable reads (GET, MGET, HGETALL,
// SMEMBERS, ZRANGE, JSON.GET, ... the list is docs/cacheable-commands.md)
// are answered from the client's cache when it holds them, and otherwise
// read from the server with tracking on, so that the server says when the
// keys change and the entry is dropped. An entry lives until then, or at
// most ttl when ttl is positive (and at most CacheOptions.TTL). In a
// pipeline of the returned client the cacheable reads are served the same
// way (the misses sent tracked, in the pipeline's one write); other
// commands and transactions run as on c.
//
// The returned client shares c's connections and cache; it costs nothing
// to keep, and Cached may be called once and the result used everywhere.
// The client needs Options.Cache: without it, cacheable reads fail with an
// error saying so.
//
// A write this client makes to a key it knows (a command of the table with
// the write flag, such as SET or HSET, alone or in a pipeline) drops the
// key's entries as soon as its reply is in, so the client reads its own
// writes; writes by others, and writes the table cannot see keys of
// (scripts, transactions), are seen when the server's invalidation
// arrives, normally well under a millisecond later.
//
// A reply served from the cache is shared: its bytes (GetBytes, Result.Bytes)
// are copied for each caller, so no caller can change what another reads.
// Command hooks see the reads sent to the server, not the hits.
func (c *Client) Cached(ttl time.Duration) *Client {
	v := *c
	v.view = &cachedView{cache: c.o.cache, ttl: ttl}
	return &v
}

// runCached runs cmd through the cache when it is cacheable.
func (c *Client) runCached(ctx context.Context, cmd *Cmd) (resp.Value, error) {
	if cmd.err != nil || !cacheable(cmd) {
		return c.runUncached(ctx, cmd)
	}
	if err := c.view.err(); err != nil {
		return resp.Value{}, err
	}
	cc := c.view.cache
	if !coversAll(cc, cmd.keys) {
		return c.runUncached(ctx, cmd)
	}
	st := cc.store
	if v, ok := st.Get(cmd.keys[0], cmd.enc); ok {
		return v.(resp.Value), nil
	}
	tok := st.Begin(cmd.keys...)
	tr := new(node.TrackedRead)
	v, err := c.runUncached(node.WithTrackedRead(ctx, tr), cmd)
	src, tracked := tr.Tracked()
	if err != nil || !tracked {
		st.Abort(tok)
		return v, err
	}
	return c.view.store(tok, cmd, v, src), nil
}

// store puts v, the tracked reply to cmd, in the cache under tok (unless
// an invalidation or a flush came meanwhile) and returns the frozen copy
// the cache shares.
func (v *cachedView) store(tok *cache.Token, cmd *Cmd, val resp.Value, src uint32) resp.Value {
	fv := val.Freeze()
	v.cache.store.Put(tok, cmd.enc, fv, fv.Size()+int64(len(cmd.enc))+entryOverhead, v.ttl, src)
	return fv
}

// trackedBatch is what a cached pipeline asks of the transports: the
// commands to send so that the server tracks them (found by pointer: a
// cluster splits the batch over its nodes), and whether each was.
type trackedBatch struct {
	index map[*Cmd]int
	// state, per index: 0 not known to be tracked, or the Source of the
	// node that tracks it (node.Tracking), or untracked.
	state []atomic.Uint32
}

// untracked is a trackedBatch state.
const untracked = ^uint32(0)

type trackedBatchKey struct{}

// mark records whether cmd was sent tracked, by the node with Source src.
func (tb *trackedBatch) mark(cmd *Cmd, src uint32, tracked bool) {
	if i, ok := tb.index[cmd]; ok {
		if !tracked {
			src = untracked
		}
		tb.state[i].Store(src)
	}
}

// doMultiTracked runs a batch holding commands of tb on a tracking node:
// each of them preceded by the node's tracking prefix, all in one write.
// done is false when the batch must run the ordinary way instead (it
// blocks, or holds ASKING, which the prefix would separate from its
// command); its commands of tb are then marked untracked.
func (s *standalone) doMultiTracked(ctx context.Context, cmds []*Cmd, out []resp.Value, tb *trackedBatch) (done bool, err error) {
	wanted := 0
	plain := false
	for _, c := range cmds {
		if _, ok := tb.index[c]; ok {
			wanted++
		}
		if c.flags&FlagBlocking != 0 || c.name == "ASKING" {
			plain = true
		}
	}
	if wanted == 0 {
		return false, nil
	}
	src, _ := s.node.Tracks()
	prefix, k, ok := s.node.TrackingPrefix(ctx)
	if plain || !ok {
		for _, c := range cmds {
			tb.mark(c, src, false)
		}
		return false, nil
	}
	var buf []byte
	n := 0
	for _, c := range cmds {
		if _, ok := tb.index[c]; ok {
			buf = append(buf, prefix...)
			n += k
		}
		buf = append(buf, c.enc...)
		n++
	}
	all := make([]resp.Value, n)
	err = s.node.DoMulti(ctx, buf, all)
	j := 0
	for i, c := range cmds {
		_, want := tb.index[c]
		if want {
			pre := all[j : j+k]
			j += k
			if all[j].Type() != 0 { // its reply came: was the prefix accepted?
				tracked := true
				for _, v := range pre {
					tracked = tracked && v.Type() != 0 && !v.IsError()
				}
				tb.mark(c, src, tracked)
			}
		}
		out[i] = all[j]
		j++
	}
	return true, err
}

// runMultiCached runs a pipeline's batch on a client from Cached: the
// cacheable commands the cache holds are answered from it, the others are
// sent tracked (and stored when the server tracks them), the rest as
// usual.
func (c *Client) runMultiCached(ctx context.Context, cmds []*Cmd, out []resp.Value) []error {
	cc := c.view.cache
	viewErr := c.view.err()
	var (
		errs   []error
		send   []*Cmd
		at     []int // index in cmds of each of send
		tokens map[int]*cache.Token
		tb     *trackedBatch
	)
	for i, cmd := range cmds {
		if !cacheable(cmd) {
			send, at = append(send, cmd), append(at, i)
			continue
		}
		if viewErr != nil {
			if errs == nil {
				errs = make([]error, len(cmds))
			}
			errs[i] = viewErr
			continue
		}
		if !coversAll(cc, cmd.keys) {
			send, at = append(send, cmd), append(at, i)
			continue
		}
		if v, ok := cc.store.Get(cmd.keys[0], cmd.enc); ok {
			out[i] = v.(resp.Value)
			continue
		}
		if tb == nil {
			tb, tokens = &trackedBatch{index: map[*Cmd]int{}}, map[int]*cache.Token{}
		}
		tb.index[cmd] = i
		tokens[i] = cc.store.Begin(cmd.keys...)
		send, at = append(send, cmd), append(at, i)
	}
	if len(send) == 0 {
		return errs
	}
	if tb != nil {
		tb.state = make([]atomic.Uint32, len(cmds))
		ctx = context.WithValue(ctx, trackedBatchKey{}, tb)
	}
	got := make([]resp.Value, len(send))
	sendErrs := c.runMultiUncached(ctx, send, got)
	if sendErrs != nil && errs == nil {
		errs = make([]error, len(cmds))
	}
	for j, i := range at {
		out[i] = got[j]
		if sendErrs != nil {
			errs[i] = sendErrs[j]
		}
		tok := tokens[i]
		if tok == nil {
			continue
		}
		v, src := got[j], tb.state[i].Load()
		if (sendErrs != nil && sendErrs[j] != nil) || v.Type() == 0 || v.IsError() || src == 0 || src == untracked {
			cc.store.Abort(tok)
			continue
		}
		out[i] = c.view.store(tok, cmds[i], v, src)
	}
	return errs
}

// coversAll reports whether the server tracks every one of keys in cc's
// mode.
func coversAll(cc *Cache, keys []string) bool {
	for _, k := range keys {
		if !cc.covers(k) {
			return false
		}
	}
	return true
}
