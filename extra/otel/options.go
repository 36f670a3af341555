package redisotel

import (
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

// An Option changes what Instrument and InstrumentMetrics record and
// where they send it.
type Option func(*config)

type config struct {
	tp        trace.TracerProvider
	mp        metric.MeterProvider
	queryText bool
	dialSpans bool
	attrs     []attribute.KeyValue
	poolName  string
}

func newConfig(opts []Option) config {
	c := config{dialSpans: true}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	if c.tp == nil {
		c.tp = otel.GetTracerProvider()
	}
	if c.mp == nil {
		c.mp = otel.GetMeterProvider()
	}
	return c
}

// WithTracerProvider sets where spans go. Default (or nil): the global
// provider, otel.GetTracerProvider(), as it is when Instrument runs. A
// noop provider (go.opentelemetry.io/otel/trace/noop) turns tracing off.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(c *config) { c.tp = tp }
}

// WithMeterProvider sets where measurements go. Default (or nil): the
// global provider, otel.GetMeterProvider(), as it is when Instrument or
// InstrumentMetrics runs. A noop provider
// (go.opentelemetry.io/otel/metric/noop) turns metrics off.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return func(c *config) { c.mp = mp }
}

// WithQueryText records each command with its argument values in the
// db.query.text attribute of its span, and sets Options.HookArgs so that
// the hooks receive them. Off by default: arguments may hold secrets and
// personal data. Even when on, the arguments of commands that carry
// credentials (AUTH, HELLO, ACL SETUSER, CONFIG SET, MIGRATE) are
// replaced by "?", an argument is cut after 64 bytes, and the text after
// 1,024 bytes. Pipelines get no db.query.text.
func WithQueryText(on bool) Option {
	return func(c *config) { c.queryText = on }
}

// WithDialSpans says whether opening a connection gets a span
// ("redis.dial"). Default true. The db.client.connection.create_time
// histogram is recorded either way.
func WithDialSpans(on bool) Option {
	return func(c *config) { c.dialSpans = on }
}

// WithAttributes adds attrs to every span and measurement, for instance
// to tell apart two clients of the same server.
func WithAttributes(attrs ...attribute.KeyValue) Option {
	return func(c *config) { c.attrs = append(c.attrs, attrs...) }
}

// WithPoolName sets the db.client.connection.pool.name attribute of the
// connection metrics. Default: "host:port/db" of the server a
// connection goes to (Options.Addr for InstrumentMetrics of a
// standalone client), or the transport's description ("cluster
// host:port,...") for InstrumentMetrics of another client.
func WithPoolName(name string) Option {
	return func(c *config) { c.poolName = name }
}
