package redisotel

import (
	"context"
	"errors"
	"net"
	"strconv"
	"time"

	"github.com/respkit/redis"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/semconv/v1.43.0/dbconv"
	"go.opentelemetry.io/otel/trace"
)

// ScopeName is the instrumentation scope of the tracer and meter this
// package uses.
const ScopeName = "github.com/respkit/redis/extra/otel"

// Attributes of this package's own, beside the semantic conventions'.
const (
	// AttemptsKey is the span attribute for the times a command or
	// pipeline was sent, set when it is more than 1.
	AttemptsKey = attribute.Key("redis.client.attempts")
	// RedirectionsKey is the span attribute for the MOVED and ASK
	// redirections a command or pipeline followed, set when there were
	// any.
	RedirectionsKey = attribute.Key("redis.client.redirections")
)

// durationBounds are the bucket boundaries the semantic conventions advise
// for db.client.operation.duration and db.client.connection.create_time.
var durationBounds = []float64{0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10}

// instrumentation holds what the hooks of one Instrument call share.
type instrumentation struct {
	tracer     trace.Tracer
	queryText  bool
	dialSpans  bool
	poolName   string // WithPoolName, or ""
	db         string // Options.DB
	base       []attribute.KeyValue
	extra      []attribute.KeyValue // WithAttributes
	duration   metric.Float64Histogram
	createTime metric.Float64Histogram
	waitTime   metric.Float64Histogram
	retries    metric.Int64Counter
	redirects  metric.Int64Counter
}

// Instrument adds to o.Hooks a hook that traces and measures every
// command, pipeline and connection of the client made from o, as the
// package documentation describes; hooks already in o.Hooks run outside
// it. Call it before redis.NewClient (or cluster.NewClient,
// sentinel.NewClient with &opts.Options): a client's hooks are fixed when
// it is made. With WithQueryText(true) it also sets o.HookArgs.
//
// It fails only when o is nil or the meter provider refuses an
// instrument. The hook is safe for concurrent use, as hooks must be.
func Instrument(o *redis.Options, opts ...Option) error {
	if o == nil {
		return errors.New("redisotel: Instrument needs the client's options, not nil")
	}
	cfg := newConfig(opts)
	db := strconv.Itoa(o.DB)
	in := &instrumentation{
		tracer: cfg.tp.Tracer(ScopeName,
			trace.WithInstrumentationVersion(redis.Version),
			trace.WithSchemaURL(semconv.SchemaURL)),
		queryText: cfg.queryText,
		dialSpans: cfg.dialSpans,
		poolName:  cfg.poolName,
		db:        db,
		base:      append([]attribute.KeyValue{semconv.DBSystemNameRedis, semconv.DBNamespace(db)}, cfg.attrs...),
		extra:     cfg.attrs,
	}
	meter := meterOf(cfg)
	var err error
	if in.duration, err = meter.Float64Histogram(dbconv.ClientOperationDuration{}.Name(),
		metric.WithUnit(dbconv.ClientOperationDuration{}.Unit()),
		metric.WithDescription(dbconv.ClientOperationDuration{}.Description()),
		metric.WithExplicitBucketBoundaries(durationBounds...)); err != nil {
		return err
	}
	if in.createTime, err = meter.Float64Histogram(dbconv.ClientConnectionCreateTime{}.Name(),
		metric.WithUnit(dbconv.ClientConnectionCreateTime{}.Unit()),
		metric.WithDescription(dbconv.ClientConnectionCreateTime{}.Description()),
		metric.WithExplicitBucketBoundaries(durationBounds...)); err != nil {
		return err
	}
	if in.waitTime, err = meter.Float64Histogram(dbconv.ClientConnectionWaitTime{}.Name(),
		metric.WithUnit(dbconv.ClientConnectionWaitTime{}.Unit()),
		metric.WithDescription(dbconv.ClientConnectionWaitTime{}.Description()),
		metric.WithExplicitBucketBoundaries(durationBounds...)); err != nil {
		return err
	}
	if in.retries, err = meter.Int64Counter("redis.client.retries",
		metric.WithUnit("{retry}"),
		metric.WithDescription("The number of times commands and pipelines were sent again after a failure.")); err != nil {
		return err
	}
	if in.redirects, err = meter.Int64Counter("redis.client.redirections",
		metric.WithUnit("{redirection}"),
		metric.WithDescription("The number of MOVED and ASK redirections a cluster client followed.")); err != nil {
		return err
	}
	if cfg.queryText {
		o.HookArgs = true
	}
	o.Hooks = append(o.Hooks, redis.Hook{Dial: in.dial, Command: in.command, Pipeline: in.pipeline, Acquire: in.acquire})
	return nil
}

func meterOf(cfg config) metric.Meter {
	return cfg.mp.Meter(ScopeName,
		metric.WithInstrumentationVersion(redis.Version),
		metric.WithSchemaURL(semconv.SchemaURL))
}

// command is the Command hook.
func (in *instrumentation) command(ctx context.Context, c *redis.CommandCall, next func(context.Context) error) error {
	start := time.Now()
	attrs := make([]attribute.KeyValue, 0, len(in.base)+8)
	attrs = append(attrs, in.base...)
	attrs = append(attrs, semconv.DBOperationName(c.Name), semconv.DBQuerySummary(c.Name))
	startAttrs := attrs
	if in.queryText && c.Args != nil {
		startAttrs = append(attrs[:len(attrs):len(attrs)], semconv.DBQueryText(queryText(c.Name, c.Args)))
	}
	ctx, span := in.tracer.Start(ctx, c.Name, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(startAttrs...))
	err := next(ctx)
	in.finish(ctx, span, start, attrs, c.Addr, c.Attempts, c.Redirects, err)
	return err
}

// pipeline is the Pipeline hook.
func (in *instrumentation) pipeline(ctx context.Context, p *redis.PipelineCall, next func(context.Context) error) error {
	start := time.Now()
	name := batchName(p)
	attrs := make([]attribute.KeyValue, 0, len(in.base)+8)
	attrs = append(attrs, in.base...)
	attrs = append(attrs, semconv.DBOperationName(name), semconv.DBQuerySummary(name))
	startAttrs := attrs
	if len(p.Names) > 1 {
		startAttrs = append(attrs[:len(attrs):len(attrs)], semconv.DBOperationBatchSize(len(p.Names)))
	}
	ctx, span := in.tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(startAttrs...))
	err := next(ctx)
	in.finish(ctx, span, start, attrs, p.Addr, p.Attempts, p.Redirects, err)
	return err
}

// finish ends the span of a command or pipeline and records its
// measurements; attrs are its attributes so far, for the metrics too.
func (in *instrumentation) finish(ctx context.Context, span trace.Span, start time.Time, attrs []attribute.KeyValue, addr string, attempts, redirects int, err error) {
	elapsed := time.Since(start).Seconds()
	attrs = appendServer(attrs, addr)
	typ, code := classify(err)
	if typ != "" {
		attrs = append(attrs, semconv.ErrorTypeKey.String(typ))
		if code != "" {
			attrs = append(attrs, semconv.DBResponseStatusCode(code))
		}
	}
	set := attribute.NewSet(attrs...)
	in.duration.Record(ctx, elapsed, metric.WithAttributeSet(set))
	if attempts > 1 || redirects > 0 {
		// Fewer attributes: the outcome does not split these counts.
		n := len(attrs)
		if typ != "" {
			n--
			if code != "" {
				n--
			}
		}
		small := attribute.NewSet(attrs[:n]...)
		if attempts > 1 {
			in.retries.Add(ctx, int64(attempts-1), metric.WithAttributeSet(small))
		}
		if redirects > 0 {
			in.redirects.Add(ctx, int64(redirects), metric.WithAttributeSet(small))
		}
	}
	if span.IsRecording() {
		span.SetAttributes(appendServer(nil, addr)...)
		if attempts > 1 {
			span.SetAttributes(AttemptsKey.Int(attempts))
		}
		if redirects > 0 {
			span.SetAttributes(RedirectionsKey.Int(redirects))
		}
		if typ != "" {
			span.SetAttributes(semconv.ErrorTypeKey.String(typ))
			if code != "" {
				span.SetAttributes(semconv.DBResponseStatusCode(code))
			}
			span.SetStatus(codes.Error, in.describe(err, code))
		}
	}
	span.End()
}

// describe is the status description of a failed call: a server error's
// code alone unless argument values may be recorded, since some server
// errors quote the command's arguments; other errors come from the client
// and describe connections and timeouts.
func (in *instrumentation) describe(err error, code string) string {
	if code != "" && !in.queryText {
		return code
	}
	return err.Error()
}

// dial is the Dial hook.
// acquire records db.client.connection.wait_time: how long a checkout from
// a server's pool of exclusive connections took, failed ones (pool
// timeouts) included.
func (in *instrumentation) acquire(ctx context.Context, a redis.AcquireCall, next func(context.Context) error) error {
	start := time.Now()
	err := next(ctx)
	pool := in.poolName
	if pool == "" {
		pool = a.Addr + "/" + in.db
	}
	attrs := append([]attribute.KeyValue{semconv.DBClientConnectionPoolName(pool)}, in.extra...)
	if typ, _ := classify(err); typ != "" {
		attrs = append(attrs, semconv.ErrorTypeKey.String(typ))
	}
	in.waitTime.Record(ctx, time.Since(start).Seconds(), metric.WithAttributes(attrs...))
	return err
}

func (in *instrumentation) dial(ctx context.Context, d redis.DialCall, next func(context.Context) error) error {
	start := time.Now()
	var span trace.Span
	if in.dialSpans {
		attrs := make([]attribute.KeyValue, 0, len(in.base)+3)
		attrs = append(attrs, in.base...)
		attrs = appendServer(attrs, d.Addr)
		switch d.Network {
		case "unix":
			attrs = append(attrs, semconv.NetworkTransportUnix)
		case "tcp", "tcp4", "tcp6", "":
			attrs = append(attrs, semconv.NetworkTransportTCP)
		}
		ctx, span = in.tracer.Start(ctx, "redis.dial", trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
	}
	err := next(ctx)
	if err == nil {
		pool := in.poolName
		if pool == "" {
			pool = d.Addr + "/" + in.db
		}
		attrs := append([]attribute.KeyValue{semconv.DBClientConnectionPoolName(pool)}, in.extra...)
		in.createTime.Record(ctx, time.Since(start).Seconds(), metric.WithAttributes(attrs...))
	}
	if span != nil {
		if typ, code := classify(err); typ != "" {
			span.SetAttributes(semconv.ErrorTypeKey.String(typ))
			span.SetStatus(codes.Error, in.describe(err, code))
		}
		span.End()
	}
	return err
}

// batchName is the operation name of a pipeline or transaction, as the
// semantic conventions name batches.
func batchName(p *redis.PipelineCall) string {
	if p.Tx {
		return "MULTI"
	}
	switch len(p.Names) {
	case 0:
		return "BATCH"
	case 1:
		return p.Names[0]
	}
	for _, n := range p.Names[1:] {
		if n != p.Names[0] {
			return "BATCH"
		}
	}
	return "BATCH " + p.Names[0]
}

// appendServer appends server.address and server.port for addr
// ("host:port", or a unix socket's path).
func appendServer(attrs []attribute.KeyValue, addr string) []attribute.KeyValue {
	if addr == "" {
		return attrs
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return append(attrs, semconv.ServerAddress(addr))
	}
	attrs = append(attrs, semconv.ServerAddress(host))
	if p, err := strconv.Atoi(port); err == nil {
		attrs = append(attrs, semconv.ServerPort(p))
	}
	return attrs
}

// classify returns the error.type of err ("" for success) and, for a
// server error, its code (db.response.status_code).
func classify(err error) (typ, code string) {
	if err == nil || errors.Is(err, redis.ErrNil) {
		return "", ""
	}
	var re *redis.Error
	if errors.As(err, &re) {
		if c := re.Code(); c != "" {
			return c, c
		}
		return semconv.ErrorTypeOther.Value.AsString(), ""
	}
	for _, s := range sentinels {
		if errors.Is(err, s.err) {
			return s.name, ""
		}
	}
	return semconv.ErrorType(err).Value.AsString(), ""
}

// sentinels name the errors a caller branches on, most specific first:
// their Go types alone ("*errors.errorString") would say nothing.
var sentinels = []struct {
	err  error
	name string
}{
	{redis.ErrOutcomeUnknown, "redis.ErrOutcomeUnknown"},
	{redis.ErrPoolTimeout, "redis.ErrPoolTimeout"},
	{redis.ErrClosed, "redis.ErrClosed"},
	{context.DeadlineExceeded, "context.DeadlineExceeded"},
	{context.Canceled, "context.Canceled"},
}
