package redisotel

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/respkit/redis"
	"github.com/respkit/redis/cluster"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/semconv/v1.43.0/dbconv"
)

// InstrumentMetrics registers observable instruments that report c's
// connection pool (Client.PoolStats), its client-side cache when it has one
// (Client.Cache), and, for a cluster client, its routing counters
// (cluster.StatsOf), each time the meter provider
// collects; the package documentation lists them. stop unregisters them;
// until then the provider keeps a reference to c. After c.Close they
// report an empty pool.
//
// It is independent of Instrument: use either or both. Among the options
// only WithMeterProvider, WithAttributes and WithPoolName matter.
func InstrumentMetrics(c *redis.Client, opts ...Option) (stop func() error, err error) {
	if c == nil {
		return nil, errors.New("redisotel: InstrumentMetrics needs a client, not nil")
	}
	cfg := newConfig(opts)
	meter := meterOf(cfg)
	count, err := meter.Int64ObservableUpDownCounter(dbconv.ClientConnectionCount{}.Name(),
		metric.WithUnit(dbconv.ClientConnectionCount{}.Unit()),
		metric.WithDescription(dbconv.ClientConnectionCount{}.Description()))
	if err != nil {
		return nil, err
	}
	timeouts, err := meter.Int64ObservableCounter(dbconv.ClientConnectionTimeouts{}.Name(),
		metric.WithUnit(dbconv.ClientConnectionTimeouts{}.Unit()),
		metric.WithDescription(dbconv.ClientConnectionTimeouts{}.Description()))
	if err != nil {
		return nil, err
	}
	counter := func(name, unit, desc string) (metric.Int64ObservableCounter, error) {
		return meter.Int64ObservableCounter(name, metric.WithUnit(unit), metric.WithDescription(desc))
	}
	hits, err := counter("redis.client.connection.hits", "{connection}", "The number of times the pool handed out an idle connection.")
	if err != nil {
		return nil, err
	}
	misses, err := counter("redis.client.connection.misses", "{connection}", "The number of times the pool had to open a connection.")
	if err != nil {
		return nil, err
	}
	stale, err := counter("redis.client.connection.stale", "{connection}", "The number of pooled connections closed for age, idleness or a failed health check.")
	if err != nil {
		return nil, err
	}
	instruments := []metric.Observable{count, timeouts, hits, misses, stale}
	_, isCluster := cluster.StatsOf(c)
	var refreshes, refused metric.Int64ObservableCounter
	if isCluster {
		if refreshes, err = counter("redis.cluster.refreshes", "{refresh}", "The number of times a cluster client read the slot map."); err != nil {
			return nil, err
		}
		if refused, err = counter("redis.cluster.refused", "{reply}", "The number of TRYAGAIN, CLUSTERDOWN, LOADING and MASTERDOWN replies a cluster client waited out."); err != nil {
			return nil, err
		}
		instruments = append(instruments, refreshes, refused)
	}

	cache := c.Cache()
	var cacheCounts [5]metric.Int64ObservableCounter
	var cacheBytes, cacheEntries metric.Int64ObservableUpDownCounter
	if cache != nil {
		for i, m := range cacheCounters {
			if cacheCounts[i], err = counter(m.name, "{read}", m.desc); err != nil {
				return nil, err
			}
			instruments = append(instruments, cacheCounts[i])
		}
		if cacheBytes, err = meter.Int64ObservableUpDownCounter("redis.client.cache.size", metric.WithUnit("By"),
			metric.WithDescription("The bytes the client-side cache holds.")); err != nil {
			return nil, err
		}
		if cacheEntries, err = meter.Int64ObservableUpDownCounter("redis.client.cache.entries", metric.WithUnit("{entry}"),
			metric.WithDescription("The replies the client-side cache holds.")); err != nil {
			return nil, err
		}
		instruments = append(instruments, cacheBytes, cacheEntries)
	}

	pool := attribute.NewSet(append([]attribute.KeyValue{semconv.DBClientConnectionPoolName(poolName(c, cfg, isCluster))}, cfg.attrs...)...)
	idle := attribute.NewSet(append(pool.ToSlice(), semconv.DBClientConnectionStateIdle)...)
	used := attribute.NewSet(append(pool.ToSlice(), semconv.DBClientConnectionStateUsed)...)
	reg, err := meter.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		s := c.PoolStats()
		shared := 0 // multiplexed connections: always in use, by every caller at once
		for _, n := range c.NodeStats() {
			shared += n.Shared.Conns
		}
		o.ObserveInt64(count, int64(s.IdleConns), metric.WithAttributeSet(idle))
		o.ObserveInt64(count, int64(max(s.TotalConns-s.IdleConns, 0)+shared), metric.WithAttributeSet(used))
		o.ObserveInt64(timeouts, int64(s.Timeouts), metric.WithAttributeSet(pool))
		o.ObserveInt64(hits, int64(s.Hits), metric.WithAttributeSet(pool))
		o.ObserveInt64(misses, int64(s.Misses), metric.WithAttributeSet(pool))
		o.ObserveInt64(stale, int64(s.StaleConns), metric.WithAttributeSet(pool))
		if cache != nil {
			cs := cache.Stats()
			for i, n := range []uint64{cs.Hits, cs.Misses, cs.Evictions, cs.Invalidations, cs.Discarded} {
				o.ObserveInt64(cacheCounts[i], int64(n), metric.WithAttributeSet(pool))
			}
			o.ObserveInt64(cacheBytes, cs.Bytes, metric.WithAttributeSet(pool))
			o.ObserveInt64(cacheEntries, int64(cs.Entries), metric.WithAttributeSet(pool))
		}
		if isCluster {
			if cs, ok := cluster.StatsOf(c); ok {
				o.ObserveInt64(refreshes, cs.Refreshes, metric.WithAttributeSet(pool))
				o.ObserveInt64(refused, cs.Refused, metric.WithAttributeSet(pool))
			}
		}
		return nil
	}, instruments...)
	if err != nil {
		return nil, err
	}
	return reg.Unregister, nil
}

// cacheCounters are the counters of a client-side cache (CacheStats), in
// the order InstrumentMetrics observes them.
var cacheCounters = [5]struct{ name, desc string }{
	{"redis.client.cache.hits", "The cached reads answered from the client-side cache."},
	{"redis.client.cache.misses", "The cached reads sent to the server."},
	{"redis.client.cache.evictions", "The entries evicted to keep the client-side cache within its bound."},
	{"redis.client.cache.invalidations", "The entries dropped because their keys changed, or the cache was flushed."},
	{"redis.client.cache.discarded", "The replies not stored because their keys changed while they were read."},
}

// poolName is the db.client.connection.pool.name of c's pool.
func poolName(c *redis.Client, cfg config, isCluster bool) string {
	if cfg.poolName != "" {
		return cfg.poolName
	}
	o := c.Options()
	if o.Addr != "" && !isCluster {
		return o.Addr + "/" + strconv.Itoa(o.DB)
	}
	if s, ok := c.Transport().(fmt.Stringer); ok {
		return s.String()
	}
	return "redis"
}
