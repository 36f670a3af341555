package main

// The three clients' adapters for the decode-heavy workloads (decode.go):
// each calls the library's documented typed method and reads its result.

import (
	"context"
	"fmt"

	goredis "github.com/redis/go-redis/v9"
)

var (
	_ decoder = respkitClient{}
	_ decoder = goRedisClient{}
	_ decoder = goRedisClusterClient{}
	_ decoder = rueidisClient{}
)

// ---- respkit ----

func (r respkitClient) MGet(ctx context.Context, keys []string, vals []string) (int, error) {
	vs, err := r.c.MGet(ctx, keys...)
	n := 0
	for i, v := range vs {
		if v.Valid {
			n++
			if vals != nil {
				vals[i] = v.V
			}
		}
	}
	return n, err
}

func (r respkitClient) HGetAll(ctx context.Context, key string) (map[string]string, error) {
	return r.c.HGetAll(ctx, key)
}

func (r respkitClient) ZRangeWithScores(ctx context.Context, key string, members []string, scores []float64) (int, error) {
	zs, err := r.c.ZRangeWithScores(ctx, key, 0, -1)
	if members != nil {
		for i, z := range zs {
			members[i], scores[i] = z.Member, z.Score
		}
	}
	return len(zs), err
}

func (r respkitClient) XRange(ctx context.Context, key string, ids []string) (int, int, error) {
	ms, err := r.c.XRange(ctx, key, "-", "+")
	fields := 0
	for i, m := range ms {
		fields += len(m.Fields)
		if ids != nil {
			ids[i] = m.ID
		}
	}
	return len(ms), fields, err
}

// ---- go-redis (the same calls for its standalone and cluster clients) ----

func goRedisMGet(ctx context.Context, c goredis.Cmdable, keys []string, vals []string) (int, error) {
	vs, err := c.MGet(ctx, keys...).Result()
	n := 0
	for i, v := range vs {
		if s, ok := v.(string); ok {
			n++
			if vals != nil {
				vals[i] = s
			}
		}
	}
	return n, err
}

func goRedisZRange(ctx context.Context, c goredis.Cmdable, key string, members []string, scores []float64) (int, error) {
	zs, err := c.ZRangeWithScores(ctx, key, 0, -1).Result()
	if members != nil {
		for i, z := range zs {
			members[i], scores[i] = fmt.Sprint(z.Member), z.Score
		}
	}
	return len(zs), err
}

func goRedisXRange(ctx context.Context, c goredis.Cmdable, key string, ids []string) (int, int, error) {
	ms, err := c.XRange(ctx, key, "-", "+").Result()
	fields := 0
	for i, m := range ms {
		fields += len(m.Values)
		if ids != nil {
			ids[i] = m.ID
		}
	}
	return len(ms), fields, err
}

func (g goRedisClient) MGet(ctx context.Context, keys []string, vals []string) (int, error) {
	return goRedisMGet(ctx, g.c, keys, vals)
}

func (g goRedisClient) HGetAll(ctx context.Context, key string) (map[string]string, error) {
	return g.c.HGetAll(ctx, key).Result()
}

func (g goRedisClient) ZRangeWithScores(ctx context.Context, key string, members []string, scores []float64) (int, error) {
	return goRedisZRange(ctx, g.c, key, members, scores)
}

func (g goRedisClient) XRange(ctx context.Context, key string, ids []string) (int, int, error) {
	return goRedisXRange(ctx, g.c, key, ids)
}

func (g goRedisClusterClient) MGet(ctx context.Context, keys []string, vals []string) (int, error) {
	return goRedisMGet(ctx, g.c, keys, vals)
}

func (g goRedisClusterClient) HGetAll(ctx context.Context, key string) (map[string]string, error) {
	return g.c.HGetAll(ctx, key).Result()
}

func (g goRedisClusterClient) ZRangeWithScores(ctx context.Context, key string, members []string, scores []float64) (int, error) {
	return goRedisZRange(ctx, g.c, key, members, scores)
}

func (g goRedisClusterClient) XRange(ctx context.Context, key string, ids []string) (int, int, error) {
	return goRedisXRange(ctx, g.c, key, ids)
}

// ---- rueidis ----

func (r rueidisClient) MGet(ctx context.Context, keys []string, vals []string) (int, error) {
	vs, err := r.c.Do(ctx, r.c.B().Mget().Key(keys...).Build()).AsStrSlice()
	if vals != nil {
		copy(vals, vs)
	}
	return len(vs), err
}

func (r rueidisClient) HGetAll(ctx context.Context, key string) (map[string]string, error) {
	return r.c.Do(ctx, r.c.B().Hgetall().Key(key).Build()).AsStrMap()
}

func (r rueidisClient) ZRangeWithScores(ctx context.Context, key string, members []string, scores []float64) (int, error) {
	zs, err := r.c.Do(ctx, r.c.B().Zrange().Key(key).Min("0").Max("-1").Withscores().Build()).AsZScores()
	if members != nil {
		for i, z := range zs {
			members[i], scores[i] = z.Member, z.Score
		}
	}
	return len(zs), err
}

func (r rueidisClient) XRange(ctx context.Context, key string, ids []string) (int, int, error) {
	es, err := r.c.Do(ctx, r.c.B().Xrange().Key(key).Start("-").End("+").Build()).AsXRange()
	fields := 0
	for i, e := range es {
		fields += len(e.FieldValues)
		if ids != nil {
			ids[i] = e.ID
		}
	}
	return len(es), fields, err
}
