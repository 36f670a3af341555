package redisotel_test

import (
	"context"
	"fmt"

	"github.com/respkit/redis"
	redisotel "github.com/respkit/redis/extra/otel"
	"github.com/respkit/redis/redistest"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// Instrument a client's options before making the client; then every
// command gets a span and a db.client.operation.duration measurement.
// Real programs leave out the providers (the global ones are used) or
// pass those their OpenTelemetry set-up made.
func ExampleInstrument() {
	srv, err := redistest.StartServer(redistest.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))

	o := &redis.Options{Addr: srv.Addr()}
	if err := redisotel.Instrument(o, redisotel.WithTracerProvider(tp), redisotel.WithMeterProvider(mp)); err != nil {
		fmt.Println(err)
		return
	}
	rdb := redis.NewClient(o)
	defer rdb.Close()
	stop, err := redisotel.InstrumentMetrics(rdb, redisotel.WithMeterProvider(mp))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer stop()

	ctx := context.Background()
	rdb.Set(ctx, "greeting", "hello")
	rdb.Incr(ctx, "greeting") // fails: not an integer

	for _, s := range spans.Ended() {
		if s.Name() == "redis.dial" {
			continue
		}
		fmt.Printf("span %s (%s):", s.Name(), s.SpanKind())
		for _, kv := range s.Attributes() {
			switch kv.Key {
			case "db.system.name", "db.operation.name", "error.type":
				fmt.Printf(" %s=%s", kv.Key, kv.Value.String())
			}
		}
		fmt.Println()
	}
	var rm metricdata.ResourceMetrics
	reader.Collect(ctx, &rm)
	for _, m := range rm.ScopeMetrics[0].Metrics {
		if h, ok := m.Data.(metricdata.Histogram[float64]); ok && m.Name == "db.client.operation.duration" {
			fmt.Printf("%s: %d series\n", m.Name, len(h.DataPoints))
		}
	}
	// Output:
	// span SET (client): db.system.name=redis db.operation.name=SET
	// span INCR (client): db.system.name=redis db.operation.name=INCR error.type=ERR
	// db.client.operation.duration: 2 series
}
