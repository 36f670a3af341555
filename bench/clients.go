package main

// The three clients under comparison, each behind the same small adapter
// interface, each built with its library's DEFAULT options (only the
// server address, or the cluster's seed addresses, is set). The adapters
// add nothing per call beyond an interface method call, which costs all
// three the same.

import (
	"context"
	"fmt"
	"os/exec"
	"runtime/debug"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/redis/rueidis"
	redis "github.com/respkit/redis"
	"github.com/respkit/redis/cluster"
)

// client is one Redis client library as the workloads use it.
type client interface {
	// Get returns the value of key.
	Get(ctx context.Context, key string) (string, error)
	// Set stores val under key. val is passed on as a plain string variable,
	// as an application would: a library taking `any` boxes it, and whether
	// that allocates depends on the library (escape analysis), so it is
	// counted against the library.
	Set(ctx context.Context, key, val string) error
	// NewPipeline prepares a pipeline of one GET per key, to be run any
	// number of times by one goroutine.
	NewPipeline(keys []string) (pipeline, error)
	Close() error
}

// cachingClient is a client built with client-side caching on (see
// clientSpec.NewCached), for the workloads that read through the cache.
type cachingClient interface {
	client
	// CachedGet returns the value of key through the client-side cache:
	// from the cache when it holds key, else from the server, with the
	// read tracked so that the server reports when key changes.
	CachedGet(ctx context.Context, key string) (string, error)
	// CachedGetHit is CachedGet that also says whether the cache served
	// the read, for the checks before timing (a library's hit counter or
	// flag; the timed calls do not pay for it).
	CachedGetHit(ctx context.Context, key string) (val string, hit bool, err error)
}

var (
	_ cachingClient = respkitCachingClient{}
	_ cachingClient = goRedisCachingClient{}
	_ cachingClient = rueidisClient{}
)

// pipeline is a prepared batch of GETs.
type pipeline interface {
	// Exec sends the batch and waits for every reply. It fails when any
	// reply is an error.
	Exec(ctx context.Context) error
	// Value returns reply i of the last Exec, for verification.
	Value(i int) (string, error)
}

// clientSpec describes one client library.
type clientSpec struct {
	Name    string // short name used in flags, tables and JSON
	Module  string // Go module path, for the version in the build info
	Options string // the options the client is built with
	Notes   string // how the workloads call it
	New     func(addr string) (client, error)

	// ClusterOptions and NewCluster are the same for a Redis Cluster,
	// given the addresses of its nodes (seeds).
	ClusterOptions string
	NewCluster     func(addrs []string) (client, error)

	// CacheOptions and NewCached build the client of the workloads that
	// read through a client-side cache (workload.Caching), the library's
	// documented way; ClusterCacheOptions and NewClusterCached the same on
	// a cluster. A nil constructor means the library has no client-side
	// caching there: those workloads list the client as not applicable,
	// with NoCache (ClusterNoCache) as the reason.
	CacheOptions        string
	CacheNotes          string
	NewCached           func(addr string) (cachingClient, error)
	ClusterCacheOptions string
	NewClusterCached    func(addrs []string) (cachingClient, error)
	NoCache             string
	ClusterNoCache      string
}

// clusterSuffix marks a client on a cluster in tables, JSON and charts:
// "respkit@cluster" is respkit's cluster client.
const clusterSuffix = "@cluster"

// Topologies: one server, or a Redis Cluster.
const (
	topoSingle  = "single"
	topoCluster = "cluster"
)

// entry is one client library on one topology: one row per workload in
// the report.
type entry struct {
	spec    clientSpec
	cluster bool
}

// name is the entry's name in the report: the library's, with
// clusterSuffix on a cluster.
func (e entry) name() string {
	if e.cluster {
		return e.spec.Name + clusterSuffix
	}
	return e.spec.Name
}

func (e entry) topology() string {
	if e.cluster {
		return topoCluster
	}
	return topoSingle
}

func (e entry) options() string {
	if e.cluster {
		return e.spec.ClusterOptions
	}
	return e.spec.Options
}

// cacheOptions is how the entry's client is built for the caching
// workloads ("" when it has none).
func (e entry) cacheOptions() string {
	switch {
	case e.cluster && e.spec.NewClusterCached != nil:
		return e.spec.ClusterCacheOptions
	case !e.cluster && e.spec.NewCached != nil:
		return e.spec.CacheOptions
	}
	return ""
}

// unsupported says why the entry cannot run wl, or "" when it can.
func (e entry) unsupported(wl *workload) string {
	if !wl.Caching {
		return ""
	}
	why := "no client-side caching"
	switch {
	case e.cluster && e.spec.NewClusterCached == nil:
		if e.spec.ClusterNoCache != "" {
			why = e.spec.ClusterNoCache
		}
		return why
	case !e.cluster && e.spec.NewCached == nil:
		if e.spec.NoCache != "" {
			why = e.spec.NoCache
		}
		return why
	}
	return ""
}

// connect builds the entry's client for the server or cluster of env, as
// wl needs it (with client-side caching on for a caching workload; the
// caller checks unsupported first).
func (e entry) connect(env *env, wl *workload) (client, error) {
	switch {
	case wl.Caching && e.cluster:
		return e.spec.NewClusterCached(env.clusterAddrs)
	case wl.Caching:
		return e.spec.NewCached(env.addr)
	case e.cluster:
		return e.spec.NewCluster(env.clusterAddrs)
	}
	return e.spec.New(env.addr)
}

// clientSpecs lists the clients in their default order.
var clientSpecs = []clientSpec{
	{
		Name:    "respkit",
		Module:  "github.com/respkit/redis",
		Options: "redis.NewClient(&redis.Options{Addr: addr}) (defaults: MuxConns 1, RESP3)",
		Notes:   "Client.Get / Client.Set; pipe-100 as the README shows it: a fresh Client.Pipeline() per batch, 100 × GetBytes, Exec",
		New:     newRespkit,

		ClusterOptions: "cluster.NewClient(&cluster.Options{Addrs: addrs}) (defaults: ReadPrimary, per node MuxConns 1, RESP3)",
		NewCluster:     newRespkitCluster,

		CacheOptions:        "redis.NewClient(&redis.Options{Addr: addr, Cache: &redis.CacheOptions{}}) (defaults: 64 MiB, tracking OPTIN, no TTL)",
		CacheNotes:          "cached-get: cached := rdb.Cached(0) made once, cached.Get(ctx, k) per call",
		NewCached:           newRespkitCached,
		ClusterCacheOptions: "cluster.NewClient(&cluster.Options{Addrs: addrs, Options: redis.Options{Cache: &redis.CacheOptions{}}})",
		NewClusterCached:    newRespkitClusterCached,
	},
	{
		Name:    "go-redis",
		Module:  "github.com/redis/go-redis/v9",
		Options: "goredis.NewClient(&goredis.Options{Addr: addr}) (defaults: pool of 10 per GOMAXPROCS, RESP3)",
		Notes:   "Client.Get(...).Result() / Client.Set(..., 0).Err(); pipe-100 with Client.Pipeline(), 100 × Get, Exec (commands built per call: go-redis has no reusable command)",
		New:     newGoRedis,

		ClusterOptions: "goredis.NewClusterClient(&goredis.ClusterOptions{Addrs: addrs}) (defaults: reads from primaries, per node a pool of 10 per GOMAXPROCS, RESP3)",
		NewCluster:     newGoRedisCluster,

		CacheOptions:   "goredis.NewClient(&goredis.Options{Addr: addr, ClientSideCacheConfig: &goredis.ClientSideCacheConfig{}}) (experimental in v9.23; defaults: 10,000 entries, tracking per pooled connection, invalidations drained every 5 ms)",
		CacheNotes:     "cached-get: Client.Get(ctx, k).Result() per call: go-redis caches a cacheable command transparently once ClientSideCacheConfig is set",
		NewCached:      newGoRedisCached,
		ClusterNoCache: "go-redis v9.23 caches for standalone clients only: ClusterClient has no client-side caching",
	},
	{
		Name:    "rueidis",
		Module:  "github.com/redis/rueidis",
		Options: "rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{addr}}) (defaults: auto-pipelining, client tracking OPTIN)",
		Notes:   "Do(B().Get().Key(k).Build()).ToString() / Do(B().Set()...).Error(); pipe-100 with DoMulti over 100 commands built once and Pin()ned (rueidis' documented way to reuse commands)",
		New:     newRueidis,

		ClusterOptions: "rueidis.NewClient(rueidis.ClientOption{InitAddress: addrs}) (detects the cluster; defaults: reads from primaries, auto-pipelining, client tracking OPTIN)",
		NewCluster:     newRueidisCluster,

		CacheOptions:        "the same client: rueidis caches client-side by default (RESP3 tracking OPTIN, 128 MiB per connection)",
		CacheNotes:          "cached-get: DoCache(ctx, B().Get().Key(k).Cache(), time.Minute).ToString(), the command built per call as in its README (as seq-get's Do)",
		NewCached:           newRueidisCached,
		ClusterCacheOptions: "the same cluster client (client-side caching on by default)",
		NewClusterCached:    newRueidisClusterCached,
	},
}

// moduleVersion returns the version of module path in this binary's
// build info ("(replaced)" for a replace directive pointing at a directory).
func moduleVersion(path string) string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	for _, m := range bi.Deps {
		if m.Path != path {
			continue
		}
		if m.Replace != nil {
			if m.Replace.Version == "" || m.Replace.Version == "(devel)" {
				return "local " + gitDescribe(m.Replace.Path)
			}
			return m.Replace.Version
		}
		return m.Version
	}
	return "unknown"
}

// gitDescribe names the commit of the work tree at dir (relative to the
// working directory), with "+dirty" when files outside bench/ differ from
// it, or returns dir when git cannot tell.
func gitDescribe(dir string) string {
	out, err := exec.Command("git", "-C", dir, "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return dir
	}
	rev := strings.TrimSpace(string(out))
	st, err := exec.Command("git", "-C", dir, "status", "--porcelain", "--", ".", ":(exclude)bench").Output()
	if err == nil && len(strings.TrimSpace(string(st))) > 0 {
		rev += "+dirty"
	}
	return rev
}

// ---- respkit (this module) ----

type respkitClient struct{ c *redis.Client }

func newRespkit(addr string) (client, error) {
	return respkitClient{c: redis.NewClient(&redis.Options{Addr: addr})}, nil
}

// newRespkitCluster builds respkit's cluster client the way a user would:
// the seeds, every other option left at its default.
func newRespkitCluster(addrs []string) (client, error) {
	return respkitClient{c: cluster.NewClient(&cluster.Options{Addrs: addrs})}, nil
}

func (r respkitClient) Get(ctx context.Context, key string) (string, error) {
	return r.c.Get(ctx, key)
}

func (r respkitClient) Set(ctx context.Context, key, val string) error {
	return r.c.Set(ctx, key, val)
}

func (r respkitClient) NewPipeline(keys []string) (pipeline, error) {
	return respkitPipelineGets(r.c, keys)
}

func (r respkitClient) Close() error { return r.c.Close() }

// respkitCachingClient is a respkit client with client-side caching on
// and its Cached view, made once as the README shows.
type respkitCachingClient struct {
	respkitClient
	cached *redis.Client
}

func newRespkitCached(addr string) (cachingClient, error) {
	rdb := redis.NewClient(&redis.Options{Addr: addr, Cache: &redis.CacheOptions{}})
	return respkitCachingClient{respkitClient: respkitClient{c: rdb}, cached: rdb.Cached(0)}, nil
}

func newRespkitClusterCached(addrs []string) (cachingClient, error) {
	rdb := cluster.NewClient(&cluster.Options{Addrs: addrs, Options: redis.Options{Cache: &redis.CacheOptions{}}})
	return respkitCachingClient{respkitClient: respkitClient{c: rdb}, cached: rdb.Cached(0)}, nil
}

func (r respkitCachingClient) CachedGet(ctx context.Context, key string) (string, error) {
	return r.cached.Get(ctx, key)
}

func (r respkitCachingClient) CachedGetHit(ctx context.Context, key string) (string, bool, error) {
	before := r.c.Cache().Stats().Hits
	v, err := r.cached.Get(ctx, key)
	return v, r.c.Cache().Stats().Hits > before, err
}

// respkitPipelineGets runs one GET per key the way the README shows a
// pipeline: a fresh Client.Pipeline() for every batch, one typed GetBytes
// per key, Exec.
func respkitPipelineGets(c *redis.Client, keys []string) (pipeline, error) {
	return &respkitPipeline{c: c, keys: keys, replies: make([]*redis.Reply[[]byte], len(keys))}, nil
}

type respkitPipeline struct {
	c       *redis.Client
	keys    []string
	replies []*redis.Reply[[]byte]
}

func (p *respkitPipeline) Exec(ctx context.Context) error {
	pl := p.c.Pipeline()
	for i, k := range p.keys {
		p.replies[i] = pl.GetBytes(k)
	}
	return pl.Exec(ctx)
}

func (p *respkitPipeline) Value(i int) (string, error) {
	b, err := p.replies[i].Result()
	return string(b), err
}

// ---- go-redis ----

type goRedisClient struct{ c *goredis.Client }

func newGoRedis(addr string) (client, error) {
	return goRedisClient{c: goredis.NewClient(&goredis.Options{Addr: addr})}, nil
}

func (g goRedisClient) Get(ctx context.Context, key string) (string, error) {
	return g.c.Get(ctx, key).Result()
}

func (g goRedisClient) Set(ctx context.Context, key, val string) error {
	return g.c.Set(ctx, key, val, 0).Err()
}

func (g goRedisClient) NewPipeline(keys []string) (pipeline, error) {
	return &goRedisPipeline{c: g.c, keys: keys, cmds: make([]*goredis.StringCmd, len(keys))}, nil
}

func (g goRedisClient) Close() error { return g.c.Close() }

// goRedisCachingClient is a go-redis client with its (experimental)
// client-side cache on: Get is then served from the cache when it can be.
type goRedisCachingClient struct{ goRedisClient }

func newGoRedisCached(addr string) (cachingClient, error) {
	c := goredis.NewClient(&goredis.Options{Addr: addr, ClientSideCacheConfig: &goredis.ClientSideCacheConfig{}})
	return goRedisCachingClient{goRedisClient{c: c}}, nil
}

func (g goRedisCachingClient) CachedGet(ctx context.Context, key string) (string, error) {
	return g.c.Get(ctx, key).Result()
}

func (g goRedisCachingClient) CachedGetHit(ctx context.Context, key string) (string, bool, error) {
	before := g.c.CSCStats().Hits
	v, err := g.c.Get(ctx, key).Result()
	return v, g.c.CSCStats().Hits > before, err
}

type goRedisPipeline struct {
	c    *goredis.Client
	keys []string
	cmds []*goredis.StringCmd
}

func (p *goRedisPipeline) Exec(ctx context.Context) error {
	pipe := p.c.Pipeline()
	for i, k := range p.keys {
		p.cmds[i] = pipe.Get(ctx, k)
	}
	_, err := pipe.Exec(ctx)
	return err
}

func (p *goRedisPipeline) Value(i int) (string, error) { return p.cmds[i].Result() }

// ---- go-redis on a cluster ----

// goRedisClusterClient is goRedisClient over *goredis.ClusterClient, a
// separate type so that the single-server adapter keeps calling a concrete
// *goredis.Client.
type goRedisClusterClient struct{ c *goredis.ClusterClient }

func newGoRedisCluster(addrs []string) (client, error) {
	return goRedisClusterClient{c: goredis.NewClusterClient(&goredis.ClusterOptions{Addrs: addrs})}, nil
}

func (g goRedisClusterClient) Get(ctx context.Context, key string) (string, error) {
	return g.c.Get(ctx, key).Result()
}

func (g goRedisClusterClient) Set(ctx context.Context, key, val string) error {
	return g.c.Set(ctx, key, val, 0).Err()
}

func (g goRedisClusterClient) NewPipeline(keys []string) (pipeline, error) {
	return &goRedisClusterPipeline{c: g.c, keys: keys, cmds: make([]*goredis.StringCmd, len(keys))}, nil
}

func (g goRedisClusterClient) Close() error { return g.c.Close() }

// goRedisClusterPipeline is a ClusterClient.Pipeline(): go-redis splits it
// by node and runs the parts concurrently.
type goRedisClusterPipeline struct {
	c    *goredis.ClusterClient
	keys []string
	cmds []*goredis.StringCmd
}

func (p *goRedisClusterPipeline) Exec(ctx context.Context) error {
	pipe := p.c.Pipeline()
	for i, k := range p.keys {
		p.cmds[i] = pipe.Get(ctx, k)
	}
	_, err := pipe.Exec(ctx)
	return err
}

func (p *goRedisClusterPipeline) Value(i int) (string, error) { return p.cmds[i].Result() }

// ---- rueidis ----

type rueidisClient struct{ c rueidis.Client }

func newRueidis(addr string) (client, error) {
	c, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{addr}})
	if err != nil {
		return nil, err
	}
	return rueidisClient{c: c}, nil
}

// newRueidisCluster is newRueidis with every seed: rueidis.NewClient asks
// the first node that answers whether it is a cluster and, as it is,
// returns its cluster client.
func newRueidisCluster(addrs []string) (client, error) {
	c, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: addrs})
	if err != nil {
		return nil, err
	}
	if m := c.Mode(); m != rueidis.ClientModeCluster {
		c.Close()
		return nil, fmt.Errorf("rueidis.NewClient(%v) made a %s client, not a cluster client", addrs, m)
	}
	return rueidisClient{c: c}, nil
}

func (r rueidisClient) Get(ctx context.Context, key string) (string, error) {
	return r.c.Do(ctx, r.c.B().Get().Key(key).Build()).ToString()
}

func (r rueidisClient) Set(ctx context.Context, key, val string) error {
	return r.c.Do(ctx, r.c.B().Set().Key(key).Value(val).Build()).Error()
}

// newRueidisCached is newRueidis: rueidis' default client caches.
func newRueidisCached(addr string) (cachingClient, error) {
	c, err := newRueidis(addr)
	if err != nil {
		return nil, err
	}
	return c.(rueidisClient), nil
}

func newRueidisClusterCached(addrs []string) (cachingClient, error) {
	c, err := newRueidisCluster(addrs)
	if err != nil {
		return nil, err
	}
	return c.(rueidisClient), nil
}

// rueidisCacheTTL is the client-side TTL cached-get passes to DoCache, the
// figure of rueidis' README: the entry is read again at most once a
// minute, which no run of a workload with the default -duration reaches.
const rueidisCacheTTL = time.Minute

func (r rueidisClient) CachedGet(ctx context.Context, key string) (string, error) {
	return r.c.DoCache(ctx, r.c.B().Get().Key(key).Cache(), rueidisCacheTTL).ToString()
}

func (r rueidisClient) CachedGetHit(ctx context.Context, key string) (string, bool, error) {
	res := r.c.DoCache(ctx, r.c.B().Get().Key(key).Cache(), rueidisCacheTTL)
	v, err := res.ToString()
	return v, res.IsCacheHit(), err
}

func (r rueidisClient) NewPipeline(keys []string) (pipeline, error) {
	p := &rueidisPipeline{c: r.c, cmds: make(rueidis.Commands, len(keys))}
	for i, k := range keys {
		p.cmds[i] = r.c.B().Get().Key(k).Build().Pin()
	}
	return p, nil
}

func (r rueidisClient) Close() error {
	r.c.Close()
	return nil
}

type rueidisPipeline struct {
	c    rueidis.Client
	cmds rueidis.Commands
	res  []rueidis.RedisResult
}

func (p *rueidisPipeline) Exec(ctx context.Context) error {
	p.res = p.c.DoMulti(ctx, p.cmds...)
	for i := range p.res {
		if err := p.res[i].Error(); err != nil {
			return err
		}
	}
	return nil
}

func (p *rueidisPipeline) Value(i int) (string, error) { return p.res[i].ToString() }
