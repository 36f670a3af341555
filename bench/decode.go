package main

// Decode-heavy workloads: one command whose reply has 100 elements, so
// that what is measured is mostly reading and decoding the reply into the
// Go values each library's documentation shows.

import (
	"context"
	"fmt"
	"strconv"
)

// decodeLen is the number of elements of each decode-heavy reply.
const decodeLen = 100

// decodeData is the data of the decode-heavy workloads. Every key has
// the same hash tag, so on a cluster they share a slot (MGET across slots
// would be refused) and live on one node.
type decodeData struct {
	mgetKeys, mgetVals []string          // MGET: 100 keys with 16-byte values
	hash               string            // HGETALL: 100 fields
	hashFields         map[string]string // field → 16-byte value
	zset               string            // ZRANGE WITHSCORES: 100 members
	zsetMembers        []string          // in score order
	zsetScores         []float64
	stream             string // XRANGE: 100 entries of 2 fields
	streamIDs          []string
}

func newDecodeData() *decodeData {
	const tag = "{" + keyPrefix + "dec}"
	d := &decodeData{hash: tag + "hash", zset: tag + "zset", stream: tag + "stream", hashFields: map[string]string{}}
	for i := range decodeLen {
		d.mgetKeys = append(d.mgetKeys, fmt.Sprintf("%smget:%03d", tag, i))
		d.mgetVals = append(d.mgetVals, fmt.Sprintf("m16:%012d", i*31))
		d.hashFields[fmt.Sprintf("field:%03d", i)] = fmt.Sprintf("h16:%012d", i*37)
		d.zsetMembers = append(d.zsetMembers, fmt.Sprintf("member:%03d", i))
		d.zsetScores = append(d.zsetScores, float64(i)*1.5+0.25)
		d.streamIDs = append(d.streamIDs, fmt.Sprintf("%d-0", 1000+i))
	}
	return d
}

// commands returns the commands that store the data (after deleting the
// structures, so a rerun on the same server starts the same).
func (d *decodeData) commands() [][]string {
	cmds := [][]string{{"DEL", d.hash, d.zset, d.stream}}
	for i, k := range d.mgetKeys {
		cmds = append(cmds, []string{"SET", k, d.mgetVals[i]})
	}
	for i := range decodeLen {
		f := fmt.Sprintf("field:%03d", i)
		cmds = append(cmds, []string{"HSET", d.hash, f, d.hashFields[f]})
		cmds = append(cmds, []string{"ZADD", d.zset, strconv.FormatFloat(d.zsetScores[i], 'g', -1, 64), d.zsetMembers[i]})
		cmds = append(cmds, []string{"XADD", d.stream, d.streamIDs[i], "a", strconv.Itoa(i), "b", d.zsetMembers[i]})
	}
	return cmds
}

// decoder is what the decode-heavy workloads need of a client, beside
// client. Each method decodes the reply into the library's own typed
// result; the timed calls pass nil for the optional outputs, which only
// verification fills, so no conversion is charged to a library.
type decoder interface {
	// MGet returns the number of values read (nulls excluded), and fills
	// vals (when not nil) with them.
	MGet(ctx context.Context, keys []string, vals []string) (int, error)
	// HGetAll returns the hash as a map (the type all three return).
	HGetAll(ctx context.Context, key string) (map[string]string, error)
	// ZRangeWithScores returns the number of members of the whole set,
	// and fills members and scores (when not nil).
	ZRangeWithScores(ctx context.Context, key string, members []string, scores []float64) (int, error)
	// XRange returns the number of entries and of fields read, and fills
	// ids (when not nil).
	XRange(ctx context.Context, key string, ids []string) (entries, fields int, err error)
}

func decodeWorkloads() []*workload {
	var out []*workload
	for _, g := range []int{1, 8} {
		out = append(out,
			&workload{
				Name: fmt.Sprintf("mget-100-%d", g), Desc: fmt.Sprintf("MGET of 100 keys (16-byte values), %d goroutine(s)", g), Goroutines: g, OpsPerCall: 1,
				op: func(ctx context.Context, c client, w *worker, d *dataset) error {
					n, err := c.(decoder).MGet(ctx, d.dec.mgetKeys, nil)
					if err == nil && n != decodeLen {
						err = fmt.Errorf("MGET: %d values, want %d", n, decodeLen)
					}
					return err
				},
				verify: func(ctx context.Context, c client, d *dataset) error {
					vals := make([]string, decodeLen)
					if _, err := c.(decoder).MGet(ctx, d.dec.mgetKeys, vals); err != nil {
						return err
					}
					for i, v := range vals {
						if v != d.dec.mgetVals[i] {
							return fmt.Errorf("MGET value %d: %s", i, mismatch(v, d.dec.mgetVals[i]))
						}
					}
					return nil
				},
			},
			&workload{
				Name: fmt.Sprintf("hgetall-100-%d", g), Desc: fmt.Sprintf("HGETALL of a 100-field hash into map[string]string, %d goroutine(s)", g), Goroutines: g, OpsPerCall: 1,
				op: func(ctx context.Context, c client, w *worker, d *dataset) error {
					m, err := c.(decoder).HGetAll(ctx, d.dec.hash)
					if err == nil && len(m) != decodeLen {
						err = fmt.Errorf("HGETALL: %d fields, want %d", len(m), decodeLen)
					}
					return err
				},
				verify: func(ctx context.Context, c client, d *dataset) error {
					m, err := c.(decoder).HGetAll(ctx, d.dec.hash)
					if err != nil {
						return err
					}
					for f, v := range d.dec.hashFields {
						if m[f] != v {
							return fmt.Errorf("HGETALL field %s: %s", f, mismatch(m[f], v))
						}
					}
					return nil
				},
			},
			&workload{
				Name: fmt.Sprintf("zrange-100-%d", g), Desc: fmt.Sprintf("ZRANGE 0 -1 WITHSCORES of 100 members, %d goroutine(s)", g), Goroutines: g, OpsPerCall: 1,
				op: func(ctx context.Context, c client, w *worker, d *dataset) error {
					n, err := c.(decoder).ZRangeWithScores(ctx, d.dec.zset, nil, nil)
					if err == nil && n != decodeLen {
						err = fmt.Errorf("ZRANGE: %d members, want %d", n, decodeLen)
					}
					return err
				},
				verify: func(ctx context.Context, c client, d *dataset) error {
					m, s := make([]string, decodeLen), make([]float64, decodeLen)
					if _, err := c.(decoder).ZRangeWithScores(ctx, d.dec.zset, m, s); err != nil {
						return err
					}
					for i := range d.dec.zsetMembers {
						if m[i] != d.dec.zsetMembers[i] || s[i] != d.dec.zsetScores[i] {
							return fmt.Errorf("ZRANGE WITHSCORES element %d differs", i)
						}
					}
					return nil
				},
			},
			&workload{
				Name: fmt.Sprintf("xrange-100-%d", g), Desc: fmt.Sprintf("XRANGE - + of 100 entries of 2 fields, %d goroutine(s)", g), Goroutines: g, OpsPerCall: 1,
				op: func(ctx context.Context, c client, w *worker, d *dataset) error {
					n, fields, err := c.(decoder).XRange(ctx, d.dec.stream, nil)
					if err == nil && (n != decodeLen || fields != 2*decodeLen) {
						err = fmt.Errorf("XRANGE: %d entries, %d fields", n, fields)
					}
					return err
				},
				verify: func(ctx context.Context, c client, d *dataset) error {
					ids := make([]string, decodeLen)
					if _, _, err := c.(decoder).XRange(ctx, d.dec.stream, ids); err != nil {
						return err
					}
					for i, id := range d.dec.streamIDs {
						if ids[i] != id {
							return fmt.Errorf("XRANGE entry %d differs", i)
						}
					}
					return nil
				},
			},
		)
	}
	return out
}
