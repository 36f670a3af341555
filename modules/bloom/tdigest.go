package bloom

import (
	"context"

	"github.com/respkit/redis"
	"github.com/respkit/redis/resp"
)

// TDigestCreateOptions are the optional arguments of TDIGEST.CREATE. The
// zero value sends none.
type TDigestCreateOptions struct {
	// Compression trades accuracy for memory (COMPRESSION); 0 sends none
	// (the server's default is 100).
	Compression int64
}

// TDigestCreate returns TDIGEST.CREATE key [COMPRESSION n]: create an
// empty t-digest sketch. The server replies with an error when key exists.
func TDigestCreate(key string, opts ...TDigestCreateOptions) redis.Command[struct{}] {
	if len(opts) > 1 {
		return redis.CommandError("TDIGEST.CREATE", errTooManyOptions("TDIGEST.CREATE", len(opts)), decodeStatus)
	}
	args := []any{"TDIGEST.CREATE", key}
	if len(opts) == 1 && opts[0].Compression != 0 {
		args = append(args, "COMPRESSION", opts[0].Compression)
	}
	return redis.NewCommand(decodeStatus, args...)
}

// TDigestCreate creates a t-digest sketch; see the function TDigestCreate.
func (c *Client) TDigestCreate(ctx context.Context, key string, opts ...TDigestCreateOptions) error {
	_, err := run(ctx, c, TDigestCreate(key, opts...))
	return err
}

// TDigestReset returns TDIGEST.RESET key: empty the sketch, keeping its
// compression.
func TDigestReset(key string) redis.Command[struct{}] {
	return redis.NewCommand(decodeStatus, "TDIGEST.RESET", key)
}

// TDigestReset empties a sketch; see the function TDigestReset.
func (c *Client) TDigestReset(ctx context.Context, key string) error {
	_, err := run(ctx, c, TDigestReset(key))
	return err
}

// floatArgs builds command key x....
func floatArgs(command, key string, xs []float64) []any {
	args := make([]any, 0, 2+len(xs))
	args = append(args, command, key)
	for _, x := range xs {
		args = append(args, x)
	}
	return args
}

// TDigestAdd returns TDIGEST.ADD key value...: add observations to the
// sketch, which must exist. At least one value is required.
func TDigestAdd(key string, values ...float64) redis.Command[struct{}] {
	if err := rejectEmpty("TDIGEST.ADD", len(values), "value"); err != nil {
		return redis.CommandError("TDIGEST.ADD", err, decodeStatus)
	}
	return redis.NewCommand(decodeStatus, floatArgs("TDIGEST.ADD", key, values)...)
}

// TDigestAdd adds observations; see the function TDigestAdd.
func (c *Client) TDigestAdd(ctx context.Context, key string, values ...float64) error {
	_, err := run(ctx, c, TDigestAdd(key, values...))
	return err
}

// TDigestMergeOptions are the optional arguments of TDIGEST.MERGE. The
// zero value sends none.
type TDigestMergeOptions struct {
	// Compression is the compression of the merged sketch (COMPRESSION);
	// 0 sends none: the server keeps dest's when dest exists and Override
	// is not set, and otherwise takes the largest of the sources'.
	Compression int64
	// Override replaces dest's contents instead of merging them with the
	// sources (OVERRIDE).
	Override bool
}

// TDigestMerge returns TDIGEST.MERGE dest n source... [COMPRESSION n]
// [OVERRIDE]: merge the source sketches into dest, creating it when it
// does not exist. At least one source is required.
func TDigestMerge(dest string, sources []string, opts ...TDigestMergeOptions) redis.Command[struct{}] {
	if err := rejectEmpty("TDIGEST.MERGE", len(sources), "source"); err != nil {
		return redis.CommandError("TDIGEST.MERGE", err, decodeStatus)
	}
	if len(opts) > 1 {
		return redis.CommandError("TDIGEST.MERGE", errTooManyOptions("TDIGEST.MERGE", len(opts)), decodeStatus)
	}
	args := make([]any, 0, 6+len(sources))
	args = append(args, "TDIGEST.MERGE", dest, len(sources))
	for _, s := range sources {
		args = append(args, s)
	}
	if len(opts) == 1 {
		if opts[0].Compression != 0 {
			args = append(args, "COMPRESSION", opts[0].Compression)
		}
		if opts[0].Override {
			args = append(args, "OVERRIDE")
		}
	}
	return redis.NewCommand(decodeStatus, args...)
}

// TDigestMerge merges sketches into dest; see the function TDigestMerge.
func (c *Client) TDigestMerge(ctx context.Context, dest string, sources []string, opts ...TDigestMergeOptions) error {
	_, err := run(ctx, c, TDigestMerge(dest, sources, opts...))
	return err
}

// TDigestMin returns TDIGEST.MIN key: the smallest observation, NaN for an
// empty sketch.
func TDigestMin(key string) redis.Command[float64] {
	return redis.NewCommand(decodeFloat64, "TDIGEST.MIN", key)
}

// TDigestMin reads the smallest observation; see the function TDigestMin.
func (c *Client) TDigestMin(ctx context.Context, key string) (float64, error) {
	return run(ctx, c, TDigestMin(key))
}

// TDigestMax returns TDIGEST.MAX key: the largest observation, NaN for an
// empty sketch.
func TDigestMax(key string) redis.Command[float64] {
	return redis.NewCommand(decodeFloat64, "TDIGEST.MAX", key)
}

// TDigestMax reads the largest observation; see the function TDigestMax.
func (c *Client) TDigestMax(ctx context.Context, key string) (float64, error) {
	return run(ctx, c, TDigestMax(key))
}

// TDigestQuantile returns TDIGEST.QUANTILE key quantile...: for each
// quantile (0 to 1), the estimated value below which that fraction of the
// observations lies; NaN for an empty sketch. At least one quantile is
// required.
func TDigestQuantile(key string, quantiles ...float64) redis.Command[[]float64] {
	if err := rejectEmpty("TDIGEST.QUANTILE", len(quantiles), "quantile"); err != nil {
		return redis.CommandError("TDIGEST.QUANTILE", err, decodeFloat64s)
	}
	return redis.NewCommand(decodeFloat64s, floatArgs("TDIGEST.QUANTILE", key, quantiles)...)
}

// TDigestQuantile estimates values at quantiles; see the function
// TDigestQuantile.
func (c *Client) TDigestQuantile(ctx context.Context, key string, quantiles ...float64) ([]float64, error) {
	return run(ctx, c, TDigestQuantile(key, quantiles...))
}

// TDigestCDF returns TDIGEST.CDF key value...: for each value, the
// estimated fraction (0 to 1) of observations at or below it (counting
// half of those equal); NaN for an empty sketch. At least one value is
// required.
func TDigestCDF(key string, values ...float64) redis.Command[[]float64] {
	if err := rejectEmpty("TDIGEST.CDF", len(values), "value"); err != nil {
		return redis.CommandError("TDIGEST.CDF", err, decodeFloat64s)
	}
	return redis.NewCommand(decodeFloat64s, floatArgs("TDIGEST.CDF", key, values)...)
}

// TDigestCDF estimates the distribution function; see the function
// TDigestCDF.
func (c *Client) TDigestCDF(ctx context.Context, key string, values ...float64) ([]float64, error) {
	return run(ctx, c, TDigestCDF(key, values...))
}

// TDigestRank returns TDIGEST.RANK key value...: for each value, the
// estimated number of observations below it (counting half of those
// equal), rounded: -1 for a value below the minimum, the number of
// observations for one above the maximum, -2 for every value when the
// sketch is empty. At least one value is required.
func TDigestRank(key string, values ...float64) redis.Command[[]int64] {
	if err := rejectEmpty("TDIGEST.RANK", len(values), "value"); err != nil {
		return redis.CommandError("TDIGEST.RANK", err, decodeInt64s)
	}
	return redis.NewCommand(decodeInt64s, floatArgs("TDIGEST.RANK", key, values)...)
}

// TDigestRank estimates ranks; see the function TDigestRank.
func (c *Client) TDigestRank(ctx context.Context, key string, values ...float64) ([]int64, error) {
	return run(ctx, c, TDigestRank(key, values...))
}

// TDigestRevRank returns TDIGEST.REVRANK key value...: TDigestRank
// counting from the top: the estimated number of observations above each
// value; -1 for a value above the maximum, the number of observations for
// one below the minimum, -2 when the sketch is empty.
func TDigestRevRank(key string, values ...float64) redis.Command[[]int64] {
	if err := rejectEmpty("TDIGEST.REVRANK", len(values), "value"); err != nil {
		return redis.CommandError("TDIGEST.REVRANK", err, decodeInt64s)
	}
	return redis.NewCommand(decodeInt64s, floatArgs("TDIGEST.REVRANK", key, values)...)
}

// TDigestRevRank estimates reverse ranks; see the function TDigestRevRank.
func (c *Client) TDigestRevRank(ctx context.Context, key string, values ...float64) ([]int64, error) {
	return run(ctx, c, TDigestRevRank(key, values...))
}

// rankArgs builds command key rank....
func rankArgs(command, key string, ranks []int64) []any {
	args := make([]any, 0, 2+len(ranks))
	args = append(args, command, key)
	for _, r := range ranks {
		args = append(args, r)
	}
	return args
}

// TDigestByRank returns TDIGEST.BYRANK key rank...: for each rank (0 is
// the smallest observation), the estimated value with that rank; +Inf for
// a rank at or past the number of observations, NaN for an empty sketch.
// At least one rank is required.
func TDigestByRank(key string, ranks ...int64) redis.Command[[]float64] {
	if err := rejectEmpty("TDIGEST.BYRANK", len(ranks), "rank"); err != nil {
		return redis.CommandError("TDIGEST.BYRANK", err, decodeFloat64s)
	}
	return redis.NewCommand(decodeFloat64s, rankArgs("TDIGEST.BYRANK", key, ranks)...)
}

// TDigestByRank estimates values by rank; see the function TDigestByRank.
func (c *Client) TDigestByRank(ctx context.Context, key string, ranks ...int64) ([]float64, error) {
	return run(ctx, c, TDigestByRank(key, ranks...))
}

// TDigestByRevRank returns TDIGEST.BYREVRANK key rank...: TDigestByRank
// counting from the top (0 is the largest observation); -Inf for a rank at
// or past the number of observations, NaN for an empty sketch.
func TDigestByRevRank(key string, ranks ...int64) redis.Command[[]float64] {
	if err := rejectEmpty("TDIGEST.BYREVRANK", len(ranks), "rank"); err != nil {
		return redis.CommandError("TDIGEST.BYREVRANK", err, decodeFloat64s)
	}
	return redis.NewCommand(decodeFloat64s, rankArgs("TDIGEST.BYREVRANK", key, ranks)...)
}

// TDigestByRevRank estimates values by reverse rank; see the function
// TDigestByRevRank.
func (c *Client) TDigestByRevRank(ctx context.Context, key string, ranks ...int64) ([]float64, error) {
	return run(ctx, c, TDigestByRevRank(key, ranks...))
}

// TDigestTrimmedMean returns TDIGEST.TRIMMED_MEAN key low high: the
// estimated mean of the observations between the quantiles low and high
// (0 to 1, low below high); NaN for an empty sketch.
func TDigestTrimmedMean(key string, low, high float64) redis.Command[float64] {
	return redis.NewCommand(decodeFloat64, "TDIGEST.TRIMMED_MEAN", key, low, high)
}

// TDigestTrimmedMean estimates a trimmed mean; see the function
// TDigestTrimmedMean.
func (c *Client) TDigestTrimmedMean(ctx context.Context, key string, low, high float64) (float64, error) {
	return run(ctx, c, TDigestTrimmedMean(key, low, high))
}

// TDigestSketchInfo is the reply of TDIGEST.INFO key.
type TDigestSketchInfo struct {
	Compression       int64 // "Compression"
	Capacity          int64 // centroids the sketch can hold ("Capacity")
	MergedNodes       int64 // merged centroids ("Merged nodes")
	UnmergedNodes     int64 // centroids waiting to be merged ("Unmerged nodes")
	MergedWeight      int64 // observations in merged centroids ("Merged weight")
	UnmergedWeight    int64 // observations in unmerged centroids ("Unmerged weight")
	Observations      int64 // observations added ("Observations")
	TotalCompressions int64 // merges run ("Total compressions")
	MemoryUsage       int64 // bytes ("Memory usage")
}

func decodeTDigestSketchInfo(v resp.Value, err error) (TDigestSketchInfo, error) {
	var info TDigestSketchInfo
	err = decodeFields(v, err, "TDIGEST.INFO", map[string]any{
		"Compression":        &info.Compression,
		"Capacity":           &info.Capacity,
		"Merged nodes":       &info.MergedNodes,
		"Unmerged nodes":     &info.UnmergedNodes,
		"Merged weight":      &info.MergedWeight,
		"Unmerged weight":    &info.UnmergedWeight,
		"Observations":       &info.Observations,
		"Total compressions": &info.TotalCompressions,
		"Memory usage":       &info.MemoryUsage,
	})
	if err != nil {
		return TDigestSketchInfo{}, err
	}
	return info, nil
}

// TDigestInfo returns TDIGEST.INFO key: the sketch's parameters and fill.
func TDigestInfo(key string) redis.Command[TDigestSketchInfo] {
	return redis.NewCommand(decodeTDigestSketchInfo, "TDIGEST.INFO", key)
}

// TDigestInfo describes a t-digest sketch; see the function TDigestInfo.
func (c *Client) TDigestInfo(ctx context.Context, key string) (TDigestSketchInfo, error) {
	return run(ctx, c, TDigestInfo(key))
}
