package redisotel_test

import (
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/cluster"
	redisotel "github.com/respkit/redis/extra/otel"
	"github.com/respkit/redis/redistest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

const (
	canaryPass  = "canary-pass-7f3e9a"
	canaryValue = "canary-value-51c2d8"
)

// telemetry is an in-memory destination for spans and metrics.
type telemetry struct {
	spans  *tracetest.SpanRecorder
	reader *sdkmetric.ManualReader
	opts   []redisotel.Option
}

func newTelemetry(t *testing.T) *telemetry {
	sr := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(sr))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	t.Cleanup(func() {
		tp.Shutdown(context.Background())
		mp.Shutdown(context.Background())
	})
	return &telemetry{spans: sr, reader: reader, opts: []redisotel.Option{redisotel.WithTracerProvider(tp), redisotel.WithMeterProvider(mp)}}
}

func (tel *telemetry) metrics(t *testing.T) metricdata.ResourceMetrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := tel.reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	return rm
}

// span returns the ended spans named name.
func (tel *telemetry) span(name string) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range tel.spans.Ended() {
		if s.Name() == name {
			out = append(out, s)
		}
	}
	return out
}

func attrsOf(kvs []attribute.KeyValue) map[string]string {
	m := map[string]string{}
	for _, kv := range kvs {
		m[string(kv.Key)] = kv.Value.String()
	}
	return m
}

// wantAttrs checks that got has each of want (a value "" means absent).
func wantAttrs(t *testing.T, what string, got map[string]string, want map[string]string) {
	t.Helper()
	for k, v := range want {
		g, ok := got[k]
		if v == "" && ok {
			t.Errorf("%s: %s = %q, want none", what, k, g)
		} else if v != "" && g != v {
			t.Errorf("%s: %s = %q, want %q (all: %v)", what, k, g, v, got)
		}
	}
}

// points returns the data points of the metric named name, each as its
// attributes and its value (a histogram's count, a sum's value).
func points(rm metricdata.ResourceMetrics, name string) (out []point) {
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != name {
				continue
			}
			switch d := m.Data.(type) {
			case metricdata.Histogram[float64]:
				for _, dp := range d.DataPoints {
					out = append(out, point{attrsOf(dp.Attributes.ToSlice()), int64(dp.Count)})
				}
			case metricdata.Sum[int64]:
				for _, dp := range d.DataPoints {
					out = append(out, point{attrsOf(dp.Attributes.ToSlice()), dp.Value})
				}
			}
		}
	}
	return out
}

type point struct {
	attrs map[string]string
	value int64
}

// find returns the value of the point with every attribute of want, and
// whether there is one.
func find(ps []point, want map[string]string) (int64, bool) {
	for _, p := range ps {
		ok := true
		for k, v := range want {
			if p.attrs[k] != v {
				ok = false
				break
			}
		}
		if ok {
			return p.value, true
		}
	}
	return 0, false
}

// everything returns every string the telemetry holds: span names,
// attributes, events, links and statuses, metric names and data point
// attributes.
func (tel *telemetry) everything(t *testing.T) []string {
	var out []string
	kvs := func(kv []attribute.KeyValue) {
		for _, a := range kv {
			out = append(out, string(a.Key)+"="+a.Value.String())
		}
	}
	for _, s := range tel.spans.Ended() {
		out = append(out, s.Name(), s.Status().Description)
		kvs(s.Attributes())
		kvs(s.Resource().Attributes())
		for _, e := range s.Events() {
			out = append(out, e.Name)
			kvs(e.Attributes)
		}
		for _, l := range s.Links() {
			kvs(l.Attributes)
		}
	}
	rm := tel.metrics(t)
	kvs(rm.Resource.Attributes())
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			out = append(out, m.Name, m.Description)
			switch d := m.Data.(type) {
			case metricdata.Histogram[float64]:
				for _, dp := range d.DataPoints {
					kvs(dp.Attributes.ToSlice())
				}
			case metricdata.Sum[int64]:
				for _, dp := range d.DataPoints {
					kvs(dp.Attributes.ToSlice())
				}
			case metricdata.Gauge[int64]:
				for _, dp := range d.DataPoints {
					kvs(dp.Attributes.ToSlice())
				}
			}
		}
	}
	return out
}

func port(t *testing.T, addr string) string {
	t.Helper()
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Spans and metrics of commands, a failing command and a pipeline follow
// the database-client semantic conventions, and neither the password
// nor an argument value shows anywhere.
func TestCommandsAndPipeline(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t, redistest.Config{Password: canaryPass})
	tel := newTelemetry(t)
	o := &redis.Options{Addr: srv.Addr(), Password: canaryPass, DB: 2}
	if err := redisotel.Instrument(o, tel.opts...); err != nil {
		t.Fatal(err)
	}
	if o.HookArgs || len(o.Hooks) != 1 {
		t.Fatalf("Instrument set HookArgs %v, %d hooks; want false, 1", o.HookArgs, len(o.Hooks))
	}
	c := redis.NewClient(o)
	defer c.Close()
	stop, err := redisotel.InstrumentMetrics(c, tel.opts[1])
	if err != nil {
		t.Fatal(err)
	}
	defer stop()

	if err := c.Set(ctx, "otel:k", canaryValue); err != nil {
		t.Fatal(err)
	}
	if v, err := c.Get(ctx, "otel:k"); err != nil || v != canaryValue {
		t.Fatalf("GET = %q, %v", v, err)
	}
	if _, err := c.RPush(ctx, "otel:list", canaryValue); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Incr(ctx, "otel:list"); !errors.Is(err, redis.ErrWrongType) {
		t.Fatalf("INCR of a list = %v, want WRONGTYPE", err)
	}
	p := c.Pipeline()
	p.Set("otel:p", canaryValue)
	p.Get("otel:p")
	p.Incr("otel:list")
	if err := p.Exec(ctx); !errors.Is(err, redis.ErrWrongType) {
		t.Fatalf("pipeline Exec = %v, want WRONGTYPE", err)
	}
	p.Get("otel:p")
	p.Get("otel:k")
	if err := p.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	// A blocking command takes a pooled connection and gives it back.
	if _, err := c.BLPop(ctx, []string{"otel:empty"}, 10*time.Millisecond); !errors.Is(err, redis.ErrNil) {
		t.Fatalf("BLPOP of an empty list = %v, want ErrNil", err)
	}

	srvPort := port(t, srv.Addr())
	common := map[string]string{
		"db.system.name": "redis",
		"db.namespace":   "2",
		"server.address": "127.0.0.1",
		"server.port":    srvPort,
		"db.query.text":  "",
	}
	with := func(kv ...string) map[string]string {
		m := maps(common)
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	for _, tc := range []struct {
		name  string
		attrs map[string]string
		fail  bool
	}{
		{"SET", with("db.operation.name", "SET", "db.query.summary", "SET", "error.type", ""), false},
		{"GET", with("db.operation.name", "GET", "db.query.summary", "GET", "error.type", ""), false},
		{"INCR", with("db.operation.name", "INCR", "error.type", "WRONGTYPE", "db.response.status_code", "WRONGTYPE"), true},
		{"BATCH", with("db.operation.name", "BATCH", "db.operation.batch.size", "3", "error.type", "WRONGTYPE"), true},
		{"BATCH GET", with("db.operation.name", "BATCH GET", "db.operation.batch.size", "2", "error.type", ""), false},
		{"BLPOP", with("db.operation.name", "BLPOP", "error.type", ""), false},
	} {
		spans := tel.span(tc.name)
		if len(spans) != 1 {
			t.Errorf("%d spans named %q, want 1", len(spans), tc.name)
			continue
		}
		s := spans[0]
		if s.SpanKind() != trace.SpanKindClient {
			t.Errorf("%s: span kind %v, want client", tc.name, s.SpanKind())
		}
		wantAttrs(t, tc.name, attrsOf(s.Attributes()), tc.attrs)
		if st := s.Status(); tc.fail && (st.Code != codes.Error || st.Description != "WRONGTYPE") || !tc.fail && st.Code != codes.Unset {
			t.Errorf("%s: status %+v", tc.name, st)
		}
		if s.InstrumentationScope().Name != redisotel.ScopeName {
			t.Errorf("%s: scope %q", tc.name, s.InstrumentationScope().Name)
		}
	}
	dials := tel.span("redis.dial")
	if len(dials) == 0 {
		t.Fatal("no redis.dial span")
	}
	wantAttrs(t, "redis.dial", attrsOf(dials[0].Attributes()), map[string]string{"server.address": "127.0.0.1", "server.port": srvPort, "network.transport": "tcp"})

	rm := tel.metrics(t)
	dur := points(rm, "db.client.operation.duration")
	for _, want := range []map[string]string{
		{"db.operation.name": "GET", "db.system.name": "redis", "db.namespace": "2", "server.address": "127.0.0.1", "server.port": srvPort},
		{"db.operation.name": "SET", "server.port": srvPort},
		{"db.operation.name": "INCR", "error.type": "WRONGTYPE", "db.response.status_code": "WRONGTYPE"},
		{"db.operation.name": "BATCH", "error.type": "WRONGTYPE"},
		{"db.operation.name": "BATCH GET"},
	} {
		if n, ok := find(dur, want); !ok || n != 1 {
			t.Errorf("db.client.operation.duration %v: count %d, %v; want 1 (points %v)", want, n, ok, dur)
		}
	}
	for _, p := range dur {
		if p.attrs["error.type"] == "" && p.attrs["db.operation.name"] == "INCR" {
			t.Errorf("an INCR point without error.type: %v", p.attrs)
		}
		if _, ok := p.attrs["db.operation.batch.size"]; ok {
			t.Errorf("db.operation.batch.size on a metric point: %v", p.attrs)
		}
	}
	pool := srv.Addr() + "/2"
	if n, ok := find(points(rm, "db.client.connection.create_time"), map[string]string{"db.client.connection.pool.name": pool}); !ok || n < 1 {
		t.Errorf("db.client.connection.create_time for %s: %d, %v", pool, n, ok)
	}
	count := points(rm, "db.client.connection.count")
	if n, ok := find(count, map[string]string{"db.client.connection.pool.name": pool, "db.client.connection.state": "idle"}); !ok || n != 1 {
		t.Errorf("idle connections: %d, %v; want 1 (points %v)", n, ok, count)
	}
	if n, ok := find(count, map[string]string{"db.client.connection.state": "used"}); !ok || n != 1 {
		t.Errorf("used connections: %d, %v; want 1 (the multiplexed one)", n, ok)
	}
	if n, ok := find(points(rm, "redis.client.connection.misses"), map[string]string{"db.client.connection.pool.name": pool}); !ok || n != 1 {
		t.Errorf("pool misses: %d, %v; want 1", n, ok)
	}
	if n, ok := find(points(rm, "db.client.connection.timeouts"), nil); !ok || n != 0 {
		t.Errorf("pool timeouts: %d, %v; want 0", n, ok)
	}
	if ps := points(rm, "redis.client.retries"); len(ps) != 0 {
		t.Errorf("retries without failures: %v", ps)
	}

	all := tel.everything(t)
	for _, s := range all {
		if strings.Contains(s, canaryPass) || strings.Contains(s, canaryValue) {
			t.Errorf("a canary shows in the telemetry: %q", s)
		}
	}
	if len(all) < 50 {
		t.Errorf("only %d strings of telemetry looked at", len(all))
	}
}

func maps(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// WithQueryText records the arguments in db.query.text; the password,
// sent in the handshake, still shows nowhere.
func TestQueryText(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t, redistest.Config{Password: canaryPass})
	tel := newTelemetry(t)
	o := &redis.Options{Addr: srv.Addr(), Password: canaryPass}
	if err := redisotel.Instrument(o, append(tel.opts, redisotel.WithQueryText(true), redisotel.WithDialSpans(false))...); err != nil {
		t.Fatal(err)
	}
	if !o.HookArgs {
		t.Fatal("WithQueryText(true) did not set HookArgs")
	}
	c := redis.NewClient(o)
	defer c.Close()
	if err := c.Set(ctx, "otel:q", canaryValue+" two words"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Do(ctx, "CONFIG", "SET", "maxmemory-clients", "0").Value(); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"SET":        `SET otel:q "` + canaryValue + ` two words"`,
		"CONFIG SET": "CONFIG SET ? ?",
	} {
		s := tel.span(name)
		if len(s) != 1 {
			t.Fatalf("%d %s spans", len(s), name)
		}
		if got := attrsOf(s[0].Attributes())["db.query.text"]; got != want {
			t.Errorf("%s: db.query.text = %q, want %q", name, got, want)
		}
	}
	if len(tel.span("redis.dial")) != 0 {
		t.Error("a redis.dial span with WithDialSpans(false)")
	}
	for _, s := range tel.everything(t) {
		if strings.Contains(s, canaryPass) {
			t.Errorf("the password shows in the telemetry: %q", s)
		}
	}
}

// A reply cut on its way makes the client send GET again: the retry is
// counted and the span says 2 attempts.
func TestRetries(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t, redistest.Config{})
	px := redistest.StartProxy(t, srv.Addr())
	tel := newTelemetry(t)
	o := &redis.Options{Addr: px.Addr()}
	if err := redisotel.Instrument(o, tel.opts...); err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(o)
	defer c.Close()
	if err := c.Set(ctx, "k", "v"); err != nil {
		t.Fatal(err)
	}
	px.CutNextReply()
	if v, err := c.Get(ctx, "k"); err != nil || v != "v" {
		t.Fatalf("GET after a cut reply = %q, %v", v, err)
	}
	get := tel.span("GET")
	if len(get) != 1 {
		t.Fatalf("%d GET spans", len(get))
	}
	wantAttrs(t, "GET", attrsOf(get[0].Attributes()), map[string]string{"redis.client.attempts": "2", "server.port": port(t, px.Addr()), "error.type": ""})
	if n := len(tel.span("redis.dial")); n < 2 {
		t.Errorf("%d redis.dial spans, want the first connection and the one after the cut", n)
	}
	rm := tel.metrics(t)
	retries := points(rm, "redis.client.retries")
	if n, ok := find(retries, map[string]string{"db.operation.name": "GET", "server.port": port(t, px.Addr())}); !ok || n != 1 || len(retries) != 1 {
		t.Errorf("redis.client.retries: %v, want 1 for GET", retries)
	}
}

// A pool that cannot hand out a connection in time: the span and
// db.client.connection.timeouts say so.
func TestPoolTimeout(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t, redistest.Config{})
	tel := newTelemetry(t)
	o := &redis.Options{Addr: srv.Addr(), PoolSize: 1, PoolTimeout: 20 * time.Millisecond}
	if err := redisotel.Instrument(o, tel.opts...); err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(o)
	defer c.Close()
	stop, err := redisotel.InstrumentMetrics(c, append(tel.opts, redisotel.WithPoolName("mine"))...)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		c.BLPop(ctx, []string{"otel:wait"}, 5*time.Second) // until the RPUSH below
	}()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if s := c.PoolStats(); s.TotalConns-s.IdleConns == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the blocking command never took the pool's connection")
		}
	}
	time.Sleep(20 * time.Millisecond) // for BLPOP to reach the server
	if _, err := c.BLPop(ctx, []string{"otel:wait2"}, 10*time.Millisecond); !errors.Is(err, redis.ErrPoolTimeout) {
		t.Fatalf("BLPOP with the pool's only connection taken = %v, want ErrPoolTimeout", err)
	}
	rm := tel.metrics(t)
	if n, ok := find(points(rm, "db.client.connection.count"), map[string]string{"db.client.connection.pool.name": "mine", "db.client.connection.state": "used"}); !ok || n != 1 {
		t.Errorf("used connections while one is held: %d, %v; want 1", n, ok)
	}
	if _, err := c.RPush(ctx, "otel:wait", "x"); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	rm = tel.metrics(t)
	if n, ok := find(points(rm, "db.client.connection.timeouts"), map[string]string{"db.client.connection.pool.name": "mine"}); !ok || n < 1 {
		t.Errorf("db.client.connection.timeouts = %d, %v; want at least 1", n, ok)
	}
	failed := slices.DeleteFunc(tel.span("BLPOP"), func(s sdktrace.ReadOnlySpan) bool { return s.Status().Code != codes.Error })
	if len(failed) == 0 {
		t.Fatal("no failed BLPOP span")
	}
	wantAttrs(t, "BLPOP", attrsOf(failed[0].Attributes()), map[string]string{"error.type": "redis.ErrPoolTimeout", "db.response.status_code": ""})
	if n, ok := find(points(rm, "db.client.operation.duration"), map[string]string{"db.operation.name": "BLPOP", "error.type": "redis.ErrPoolTimeout"}); !ok || n < 1 {
		t.Errorf("no duration point for the BLPOP that timed out")
	}
	wait := points(rm, "db.client.connection.wait_time")
	if n, ok := find(wait, map[string]string{"error.type": "redis.ErrPoolTimeout"}); !ok || n < 1 {
		t.Errorf("db.client.connection.wait_time of the checkout that timed out: %d, %v (points %v)", n, ok, wait)
	}
	if n, ok := find(wait, map[string]string{"error.type": ""}); !ok || n < 1 {
		t.Errorf("db.client.connection.wait_time of the checkout that succeeded: %d, %v (points %v)", n, ok, wait)
	}
}

// A cluster client whose slot map is stale follows MOVED: the
// redirection is counted, on the span and in redis.client.redirections;
// InstrumentMetrics reports the client's slot map reads.
func TestClusterRedirections(t *testing.T) {
	ctx := context.Background()
	rc := redistest.StartCluster(t, redistest.ClusterConfig{})
	primaries, err := rc.Primaries()
	if err != nil {
		t.Fatal(err)
	}
	tel := newTelemetry(t)
	co := &cluster.Options{Addrs: rc.Addrs()[:1]}
	if err := redisotel.Instrument(&co.Options, tel.opts...); err != nil {
		t.Fatal(err)
	}
	c := cluster.NewClient(co)
	defer c.Close()
	stop, err := redisotel.InstrumentMetrics(c, tel.opts...)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	key := "{otel}k"
	slot := redis.KeySlot(key)
	if err := c.Set(ctx, key, "v"); err != nil {
		t.Fatal(err)
	}
	from, err := rc.PrimaryOf(slot)
	if err != nil {
		t.Fatal(err)
	}
	to := primaries[0]
	if to == from {
		to = primaries[1]
	}
	if err := rc.MigrateSlots([]int{slot}, to); err != nil {
		t.Fatal(err)
	}
	if v, err := c.Get(ctx, key); err != nil || v != "v" {
		t.Fatalf("GET after its slot moved = %q, %v", v, err)
	}
	get := tel.span("GET")
	if len(get) != 1 {
		t.Fatalf("%d GET spans", len(get))
	}
	toPort := port(t, to.Addr())
	wantAttrs(t, "GET", attrsOf(get[0].Attributes()), map[string]string{"redis.client.redirections": "1", "server.port": toPort, "error.type": "", "redis.client.attempts": ""})
	set := tel.span("SET")
	if len(set) != 1 {
		t.Fatalf("%d SET spans", len(set))
	}
	wantAttrs(t, "SET", attrsOf(set[0].Attributes()), map[string]string{"redis.client.redirections": "", "server.port": port(t, from.Addr())})

	rm := tel.metrics(t)
	redirects := points(rm, "redis.client.redirections")
	if n, ok := find(redirects, map[string]string{"db.operation.name": "GET", "server.port": toPort}); !ok || n != 1 || len(redirects) != 1 {
		t.Errorf("redis.client.redirections: %v, want 1 for GET to port %s", redirects, toPort)
	}
	if n, ok := find(points(rm, "redis.cluster.refreshes"), nil); !ok || n < 1 {
		t.Errorf("redis.cluster.refreshes = %d, %v; want at least 1", n, ok)
	}
	if n, ok := find(points(rm, "db.client.operation.duration"), map[string]string{"db.operation.name": "CLUSTER SHARDS"}); !ok || n < 1 {
		t.Logf("no CLUSTER SHARDS duration point (the client's topology reads): %d, %v", n, ok)
	}
}

func TestCacheMetrics(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t, redistest.Config{})
	tel := newTelemetry(t)
	c := redis.NewClient(&redis.Options{Addr: srv.Addr(), Cache: &redis.CacheOptions{}})
	defer c.Close()
	stop, err := redisotel.InstrumentMetrics(c, append(tel.opts, redisotel.WithPoolName("cached"))...)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if err := c.Set(ctx, "otel:cached", "v"); err != nil {
		t.Fatal(err)
	}
	cached := c.Cached(0)
	for range 3 {
		if v, err := cached.Get(ctx, "otel:cached"); err != nil || v != "v" {
			t.Fatalf("cached GET = %q, %v", v, err)
		}
	}
	rm := tel.metrics(t)
	pool := map[string]string{"db.client.connection.pool.name": "cached"}
	for name, want := range map[string]int64{"redis.client.cache.hits": 2, "redis.client.cache.misses": 1, "redis.client.cache.entries": 1} {
		if n, ok := find(points(rm, name), pool); !ok || n != want {
			t.Errorf("%s = %d, %v; want %d", name, n, ok, want)
		}
	}
	if n, ok := find(points(rm, "redis.client.cache.size"), pool); !ok || n <= 0 {
		t.Errorf("redis.client.cache.size = %d, %v; want > 0", n, ok)
	}
	// A client without a cache reports none of them.
	plain := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer plain.Close()
	tel2 := newTelemetry(t)
	stop2, err := redisotel.InstrumentMetrics(plain, tel2.opts[1])
	if err != nil {
		t.Fatal(err)
	}
	defer stop2()
	if ps := points(tel2.metrics(t), "redis.client.cache.hits"); len(ps) != 0 {
		t.Errorf("a client without a cache reported %v", ps)
	}
}
