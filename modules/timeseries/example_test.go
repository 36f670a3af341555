package timeseries_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/modules/timeseries"
)

// A rollup kept by the server: raw temperature readings, and a series of
// their per-minute averages maintained by a compaction rule. It needs a
// server with RedisTimeSeries (Redis 8 or Redis Stack), which the test
// servers of this repository do not have, so it is compiled but not run;
// point REDIS_MODULES_URL at one to try it.
func Example() {
	url := os.Getenv("REDIS_MODULES_URL")
	if url == "" {
		url = "redis://localhost:6379"
	}
	opts, err := redis.ParseURL(url)
	if err != nil {
		log.Fatal(err)
	}
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	c := timeseries.New(rdb)
	ctx := context.Background()

	// The source keeps a day of raw samples; the rollup keeps them all.
	// The hash tag keeps both in one cluster slot, as TS.CREATERULE needs.
	raw, avg := "{temp:kitchen}:raw", "{temp:kitchen}:avg-1m"
	labels := []timeseries.Label{{Name: "sensor", Value: "temp"}, {Name: "room", Value: "kitchen"}}
	if err := c.Create(ctx, raw, timeseries.SeriesOptions{Retention: 24 * time.Hour, Labels: labels}); err != nil {
		log.Fatal(err)
	}
	if err := c.Create(ctx, avg, timeseries.SeriesOptions{Labels: append(labels, timeseries.Label{Name: "rollup", Value: "avg-1m"})}); err != nil {
		log.Fatal(err)
	}
	if err := c.CreateRule(ctx, raw, avg, timeseries.Rule{Aggregator: timeseries.AggAvg, Bucket: time.Minute}); err != nil {
		log.Fatal(err)
	}

	// Readings every 20 seconds over three minutes, in one round trip.
	start := time.Now().Truncate(time.Minute).Add(-3 * time.Minute)
	var readings []timeseries.MAddSample
	for i := range 9 {
		readings = append(readings, timeseries.MAddSample{Key: raw, At: timeseries.At(start.Add(time.Duration(i) * 20 * time.Second)), Value: 20 + float64(i)})
	}
	results, err := c.MAdd(ctx, readings...)
	if err != nil {
		log.Fatal(err)
	}
	for i, r := range results {
		if r.Err != nil {
			fmt.Println("reading", i, "refused:", r.Err)
		}
	}
	// A reading in a new minute closes the last full bucket.
	if _, err := c.Add(ctx, raw, timeseries.Now, 30); err != nil {
		log.Fatal(err)
	}

	// The rollup: one average per closed minute.
	minutes, err := c.Range(ctx, avg, timeseries.MinTimestamp, timeseries.MaxTimestamp)
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range minutes {
		fmt.Printf("%s avg %.1f\n", s.Time.Format(time.TimeOnly), s.Value)
	}

	// The same question asked of every kitchen series at once.
	series, err := c.MRange(ctx, timeseries.MinTimestamp, timeseries.MaxTimestamp,
		[]timeseries.Filter{timeseries.Equal("room", "kitchen"), timeseries.HasLabel("rollup")},
		timeseries.MRangeOptions{WithLabels: true})
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range series {
		fmt.Println(s.Key, s.Labels["rollup"], len(s.Samples), "minutes")
	}
}
