// Package redisotel instruments respkit/redis clients with OpenTelemetry:
// a span and a duration measurement for every command and pipeline, spans
// and timings for connections being opened, and counters for retries and
// cluster redirections, all following OpenTelemetry's semantic conventions
// for database clients (db.system.name "redis").
//
// It is a module of its own, github.com/respkit/redis/extra/otel, so that
// the client itself depends on the standard library only.
//
// Instrument installs the tracing and metrics hooks in the options of a
// client before it is made; InstrumentMetrics adds the gauges read from a
// client's connection pool once it exists:
//
//	o := &redis.Options{Addr: "localhost:6379"}
//	if err := redisotel.Instrument(o); err != nil {
//		return err
//	}
//	rdb := redis.NewClient(o)
//	stop, err := redisotel.InstrumentMetrics(rdb)
//
// A cluster or Sentinel client is instrumented the same way through the
// redis.Options its options embed: redisotel.Instrument(&co.Options).
//
// # Spans
//
// Each command gets a client span named after the command ("GET", "CLIENT
// KILL"), each pipeline a span named "BATCH" (or "BATCH GET" when every
// command is a GET, or the command's name for a pipeline of one), each
// transaction a span named "MULTI". Their attributes:
//
//	db.system.name            "redis"
//	db.operation.name         as the span name
//	db.query.summary          as the span name
//	db.namespace              the database index (Options.DB), "0" by default
//	db.operation.batch.size   a pipeline's or transaction's command count, when 2 or more
//	server.address            the server that answered (host, or the socket path)
//	server.port               its port
//	error.type                on failure: the server error's code (WRONGTYPE, ERR, ...)
//	                          or the Go error ("context.DeadlineExceeded", "redis.ErrClosed",
//	                          "*net.OpError", ...)
//	db.response.status_code   on a server error: its code
//	redis.client.attempts     when a command was sent more than once
//	redis.client.redirections when a cluster client followed MOVED or ASK
//	db.query.text             only with WithQueryText: the command and its arguments
//
// Argument values are never recorded unless WithQueryText is given; then
// the arguments of commands that carry credentials (AUTH, HELLO, ACL
// SETUSER, CONFIG SET, MIGRATE) are replaced by "?" and long ones are
// cut. Without it a server error's status description is its code alone,
// since some server error messages quote arguments.
//
// Opening a connection (handshake included) gets a span named
// "redis.dial", a child of the command that needed it when there is one;
// WithDialSpans(false) leaves them out.
//
// # Metrics
//
// Instrument records:
//
//	db.client.operation.duration        histogram, s: commands and pipelines, with the span's
//	                                    attributes except db.query.text and db.operation.batch.size
//	db.client.connection.create_time    histogram, s: connections opened, handshake included
//	db.client.connection.wait_time      histogram, s: checkouts from a server's pool of exclusive
//	                                    connections (blocking commands, Conn, Watch, pub/sub),
//	                                    error.type on a pool timeout
//	redis.client.retries                counter: the extra sends of commands and pipelines
//	                                    (CommandCall.Attempts-1)
//	redis.client.redirections           counter: MOVED and ASK redirections followed
//
// InstrumentMetrics observes a client's exclusive connection pool (the
// connections of blocking commands, transactions and pub/sub; the
// multiplexed connections that carry other commands are not pooled and
// not counted):
//
//	db.client.connection.count          state "idle" or "used" (the multiplexed connections,
//	                                    shared by every caller, count as used)
//	db.client.connection.timeouts       waits for a connection that gave up (ErrPoolTimeout)
//	redis.client.connection.hits        connections taken idle from the pool
//	redis.client.connection.misses      connections the pool had to open
//	redis.client.connection.stale       connections closed for age, idleness or a failed check
//	redis.cluster.refreshes             a cluster client's reads of the slot map
//	redis.cluster.refused               a cluster client's TRYAGAIN, CLUSTERDOWN, LOADING and
//	                                    MASTERDOWN replies waited out
//
// and, for a client with client-side caching (redis.Options.Cache):
//
//	redis.client.cache.hits             cached reads answered from memory
//	redis.client.cache.misses           cached reads sent to the server
//	redis.client.cache.evictions        entries evicted to stay within the byte bound
//	redis.client.cache.invalidations    entries dropped: their keys changed, or a flush
//	redis.client.cache.discarded        replies not stored: their keys changed meanwhile
//	redis.client.cache.size             bytes held (up-down counter)
//	redis.client.cache.entries          entries held (up-down counter)
package redisotel
