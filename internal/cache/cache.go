// Package cache is the store behind client-side caching (issue 17): one
// per client, shared by all its connections, bounded by bytes, evicting
// the least recently used entry, with an optional time to live.
//
// Entries are grouped by Redis key: a server invalidation names keys, and
// drops every cached read of each (GET k, HGETALL k, ...). A read that
// races with an invalidation of its key must never be stored: Begin
// records the generation of each key before the command is sent, and Put
// stores the reply only if no invalidation of those keys, and no Flush,
// happened since.
package cache

import (
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"
)

// Stats are a cache's counters.
type Stats struct {
	Hits          uint64 // Get found a live entry
	Misses        uint64 // Get found none (or an expired one)
	Evictions     uint64 // entries dropped to stay within the byte bound
	Invalidations uint64 // entries dropped because the server said their key changed
	Discarded     uint64 // replies not stored: their key was invalidated while they were read
	Entries       int
	Bytes         int64
}

// Cache is safe for concurrent use. A large one is split into shards by
// the hash of the key, each with its own lock, recency list and share of
// the byte bound, so that concurrent hits on different keys do not wait
// for one another.
type Cache struct {
	shards []*shard
	seed   maphash.Seed
	// flushes numbers the flushes, of everything (Flush) or of one
	// source's entries (FlushSource); a Token records the number at Begin,
	// and cannot store when a flush that concerns it came since.
	flushes    atomic.Uint64
	allFlushed atomic.Uint64                    // the number of the last Flush
	sources    atomic.Pointer[[]*atomic.Uint64] // per source (index = id-1): the number of its last flush
	sourcesMu  sync.Mutex                       // serializes NewSource
	// foreign counts the groups kept outside their key's own shard (for
	// the second and later keys of a multi-key read): while there are
	// some, an invalidation visits every shard.
	foreign atomic.Int64
	now     func() time.Time
}

// shard is one part of a Cache.
type shard struct {
	c      *Cache
	mu     sync.Mutex
	max    int64
	ttl    time.Duration
	size   int64
	groups map[string]*group
	lru    entry // sentinel of the recency list: lru.next is the most recent
	stats  Stats
}

// shardedFrom is the byte bound from which a cache is split, and shardCount
// the number of shards then.
const (
	shardedFrom = 16 << 20
	shardCount  = 16
)

// group is what the cache knows of one Redis key: the reads cached under
// it, every entry that depends on it, and how many times it was
// invalidated.
type group struct {
	gen     uint64
	foreign bool              // not in the key's own shard (counted in Cache.foreign)
	pending int               // Tokens that named this key and are not finished
	reads   map[string]*entry // entries whose first key this is, by read
	deps    map[*entry]struct{}
}

// entry is one cached read; it depends on every key of its Token (an MGET
// of several keys is dropped when any of them changes).
type entry struct {
	keys       []string
	read       string
	val        any
	size       int64
	expires    int64  // unix nanoseconds; 0: never
	src        uint32 // the source it was read from (FlushSource); 0: none
	prev, next *entry
}

// New returns a cache holding at most maxBytes (as the sizes given to Put
// count them), whose entries live at most ttl (0: until invalidated or
// evicted).
func New(maxBytes int64, ttl time.Duration) *Cache {
	c := &Cache{seed: maphash.MakeSeed(), now: time.Now}
	n := 1
	if maxBytes >= shardedFrom {
		n = shardCount
	}
	for range n {
		s := &shard{c: c, max: maxBytes / int64(n), ttl: ttl, groups: map[string]*group{}}
		s.lru.next, s.lru.prev = &s.lru, &s.lru
		c.shards = append(c.shards, s)
	}
	return c
}

// shardOf returns the shard of key.
func (c *Cache) shardOf(key string) *shard {
	if len(c.shards) == 1 {
		return c.shards[0]
	}
	return c.shards[maphash.String(c.seed, key)%uint64(len(c.shards))]
}

// Get returns the value cached for read (the command, as the caller names
// it) of key.
func (c *Cache) Get(key string, read []byte) (any, bool) {
	return c.shardOf(key).get(key, read)
}

func (c *shard) get(key string, read []byte) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if g := c.groups[key]; g != nil {
		if e := g.reads[string(read)]; e != nil {
			if e.expires == 0 || c.c.now().UnixNano() < e.expires {
				c.stats.Hits++
				c.unlink(e)
				c.pushFront(e)
				return e.val, true
			}
			c.remove(e)
		}
	}
	c.stats.Misses++
	return nil, false
}

// Token is a read in flight: what Put needs to know whether its reply may
// still be stored.
type Token struct {
	keys  []string
	gens  []uint64
	seq   uint64 // Cache.flushes at Begin
	shard *shard // where the reply is stored: its first key's
}

// Begin marks a read of keys as in flight. Call it before the command is
// sent, and finish the Token with exactly one Put or Abort. keys is
// copied.
func (c *Cache) Begin(keys ...string) *Token {
	t := &Token{keys: append([]string(nil), keys...), gens: make([]uint64, len(keys))}
	if len(keys) == 0 {
		return t
	}
	s := c.shardOf(keys[0])
	t.shard = s
	s.mu.Lock()
	defer s.mu.Unlock()
	t.seq = c.flushes.Load()
	for i, k := range keys {
		g := s.groups[k]
		if g == nil {
			g = &group{reads: map[string]*entry{}, deps: map[*entry]struct{}{}}
			if i > 0 && c.shardOf(k) != s {
				g.foreign = true
				c.foreign.Add(1)
			}
			s.groups[k] = g
		}
		g.pending++
		t.gens[i] = g.gen
	}
	return t
}

// Put stores val, of size bytes, as read of t's first key (Get finds it
// there), depending on all of t's keys and read from source src (0: none
// in particular), unless one of the keys was invalidated, or the cache or
// src flushed, since Begin: then it discards val and reports false. The
// entry lives at most ttl, and at most the cache's own time to live (0:
// no limit of its own). It finishes t.
func (c *Cache) Put(t *Token, read []byte, val any, size int64, ttl time.Duration, src uint32) bool {
	if t.shard == nil {
		return false
	}
	return t.shard.put(t, read, val, size, ttl, src)
}

// flushedSince reports whether a flush that concerns src came after the
// flush numbered seq.
func (c *Cache) flushedSince(seq uint64, src uint32) bool {
	if c.allFlushed.Load() > seq {
		return true
	}
	if src == 0 {
		return false
	}
	return (*c.sources.Load())[src-1].Load() > seq
}

func (c *shard) put(t *Token, read []byte, val any, size int64, ttl time.Duration, src uint32) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	fresh := !c.c.flushedSince(t.seq, src)
	for i, k := range t.keys {
		if g := c.groups[k]; g == nil || g.gen != t.gens[i] {
			fresh = false
		}
	}
	if !fresh || len(t.keys) == 0 || size > c.max {
		if !fresh {
			c.stats.Discarded++
		}
		c.finish(t)
		return false
	}
	if old := c.groups[t.keys[0]].reads[string(read)]; old != nil {
		c.remove(old)
	}
	e := &entry{keys: t.keys, read: string(read), val: val, size: size, src: src}
	if c.ttl > 0 && (ttl <= 0 || c.ttl < ttl) {
		ttl = c.ttl
	}
	if ttl > 0 {
		e.expires = c.c.now().Add(ttl).UnixNano()
	}
	c.groups[t.keys[0]].reads[e.read] = e
	for _, k := range t.keys {
		c.groups[k].deps[e] = struct{}{}
	}
	c.pushFront(e)
	c.size += size
	c.stats.Entries++
	c.finish(t)
	for c.size > c.max {
		c.remove(c.lru.prev)
		c.stats.Evictions++
	}
	return true
}

// Abort finishes t without storing anything (the read failed).
func (c *Cache) Abort(t *Token) {
	if t.shard != nil {
		t.shard.abort(t)
	}
}

func (c *shard) abort(t *Token) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.finish(t)
}

// finish releases t's hold on its keys' groups. c.mu is held.
func (c *shard) finish(t *Token) {
	for _, k := range t.keys {
		if g := c.groups[k]; g != nil {
			g.pending--
			c.dropIfEmpty(k, g)
		}
	}
	t.keys = nil // a second finish is a no-op (an entry keeps its own reference)
}

// Invalidate drops every cached read of keys, and keeps reads of them in
// flight from being stored.
func (c *Cache) Invalidate(keys ...string) {
	if len(c.shards) == 1 {
		c.shards[0].invalidate(keys)
		return
	}
	for _, k := range keys {
		if c.foreign.Load() == 0 {
			c.shardOf(k).invalidate([]string{k})
			continue
		}
		for _, s := range c.shards {
			s.invalidate([]string{k})
		}
	}
}

func (c *shard) invalidate(keys []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.invalidateLocked(keys)
}

// invalidateLocked is invalidate with c.mu held.
func (c *shard) invalidateLocked(keys []string) {
	for _, k := range keys {
		g := c.groups[k]
		if g == nil {
			continue
		}
		g.gen++
		for e := range g.deps {
			c.remove(e)
			c.stats.Invalidations++
		}
	}
}

// InvalidateWhere is Invalidate of every key match accepts that the cache
// holds or has reads of in flight (a cluster's slot moved: the keys of
// that slot). It visits every key.
func (c *Cache) InvalidateWhere(match func(key string) bool) {
	for _, s := range c.shards {
		s.mu.Lock()
		var keys []string
		for k := range s.groups {
			if match(k) {
				keys = append(keys, k)
			}
		}
		s.invalidateLocked(keys)
		s.mu.Unlock()
	}
}

// Flush drops everything and keeps every read in flight from being
// stored: for a FLUSHALL/FLUSHDB invalidation, a lost invalidation
// connection, a failover or a topology change.
func (c *Cache) Flush() {
	c.allFlushed.Store(c.flushes.Add(1))
	for _, s := range c.shards {
		s.flush(0)
	}
}

// NewSource returns the id of a new source of entries: a server whose
// invalidations may be lost apart from the others' (its connection
// failed), so that FlushSource drops only what was read from it.
func (c *Cache) NewSource() uint32 {
	c.sourcesMu.Lock()
	defer c.sourcesMu.Unlock()
	var list []*atomic.Uint64
	if p := c.sources.Load(); p != nil {
		list = *p
	}
	list = append(list[:len(list):len(list)], new(atomic.Uint64))
	c.sources.Store(&list)
	return uint32(len(list))
}

// FlushSource drops the entries read from src and keeps reads of it in
// flight from being stored. It costs a walk over every entry.
func (c *Cache) FlushSource(src uint32) {
	(*c.sources.Load())[src-1].Store(c.flushes.Add(1))
	for _, s := range c.shards {
		s.flush(src)
	}
}

// flush drops the entries of src, or every entry when src is 0.
func (c *shard) flush(src uint32) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for e := c.lru.next; e != &c.lru; {
		next := e.next
		if src == 0 || e.src == src {
			c.remove(e)
			c.stats.Invalidations++
		}
		e = next
	}
}

// Stats returns the counters.
func (c *Cache) Stats() Stats {
	var sum Stats
	for _, s := range c.shards {
		s.mu.Lock()
		st := s.stats
		st.Bytes = s.size
		s.mu.Unlock()
		sum.Hits += st.Hits
		sum.Misses += st.Misses
		sum.Evictions += st.Evictions
		sum.Invalidations += st.Invalidations
		sum.Discarded += st.Discarded
		sum.Entries += st.Entries
		sum.Bytes += st.Bytes
	}
	return sum
}

// remove unlinks e and forgets it. c.mu is held.
func (c *shard) remove(e *entry) {
	c.unlink(e)
	for i, k := range e.keys {
		g := c.groups[k]
		if g == nil {
			continue // a key named twice, its group already dropped
		}
		delete(g.deps, e)
		if i == 0 {
			delete(g.reads, e.read)
		}
		c.dropIfEmpty(k, g)
	}
	c.size -= e.size
	c.stats.Entries--
}

// dropIfEmpty forgets a key the cache holds nothing of and no read is
// pending on. c.mu is held.
func (c *shard) dropIfEmpty(key string, g *group) {
	if g.pending == 0 && len(g.deps) == 0 && c.groups[key] == g {
		delete(c.groups, key)
		if g.foreign {
			c.c.foreign.Add(-1)
		}
	}
}

func (c *shard) unlink(e *entry) {
	e.prev.next, e.next.prev = e.next, e.prev
	e.prev, e.next = nil, nil
}

func (c *shard) pushFront(e *entry) {
	e.prev, e.next = &c.lru, c.lru.next
	c.lru.next.prev = e
	c.lru.next = e
}
