package main

// The workloads, the data they use, the pre-timing check of every client,
// and the timed runs.

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// keyPrefix starts every key the benchmark writes, so it can share a
// server (-server) without touching anything else.
const keyPrefix = "respkit-bench:"

// Sizes of the data set.
const (
	smallKeys = 1000      // 16-byte values for the GET workloads
	setKeys   = 1000      // 16-byte values overwritten by seq-set
	mixedKeys = 1000      // 1 KiB values for mixed-8
	bigSize   = 256 << 10 // the big-get value
	bigSetLen = 1 << 20   // the big-set value
	pipeLen   = 100       // GETs per pipeline in pipe-100
	bigPipe   = 10000     // GETs per pipeline in pipe-10000 (the small keys, cycled)
)

// dataset is every key and value the workloads use. Values are distinct
// per key (and the 1 KiB and 256 KiB ones random binary, with CR, LF and
// NUL bytes), so a reply for the wrong key or a corrupted reply fails
// verification.
type dataset struct {
	small, smallVals  []string // GET keys and their 16-byte values
	setK              []string // seq-set keys
	setVals           []string // 16-byte values
	mixed             []string // mixed-8 keys
	mixedVals         []string // 1 KiB values
	big, bigVal       string
	bigSet, bigSetVal string      // big-set's key and 1 MiB value
	dec               *decodeData // the decode-heavy workloads' data
}

func newDataset() *dataset {
	rng := rand.New(rand.NewPCG(1, 2))
	randBytes := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.UintN(256))
		}
		return string(b)
	}
	d := &dataset{}
	for i := range smallKeys {
		d.small = append(d.small, fmt.Sprintf("%sk:%04d", keyPrefix, i))
		d.smallVals = append(d.smallVals, fmt.Sprintf("v16:%012d", i*7919)) // 16 bytes
	}
	for i := range setKeys {
		d.setK = append(d.setK, fmt.Sprintf("%sset:%04d", keyPrefix, i))
		d.setVals = append(d.setVals, fmt.Sprintf("s16:%012d", i*104729))
	}
	for i := range mixedKeys {
		d.mixed = append(d.mixed, fmt.Sprintf("%sm:%04d", keyPrefix, i))
		d.mixedVals = append(d.mixedVals, randBytes(1<<10))
	}
	d.big = keyPrefix + "big"
	d.bigVal = randBytes(bigSize)
	d.bigSet = keyPrefix + "bigset"
	d.bigSetVal = randBytes(bigSetLen)
	d.dec = newDecodeData()
	return d
}

// pipeBatch returns the keys and values of a pipeline of n GETs: the small
// keys, cycled.
func (d *dataset) pipeBatch(n int) (keys, vals []string) {
	for i := range n {
		keys = append(keys, d.small[i%smallKeys])
		vals = append(vals, d.smallVals[i%smallKeys])
	}
	return keys, vals
}

// verifyPipe runs a pipeline of n GETs twice and checks every reply.
func verifyPipe(ctx context.Context, c client, d *dataset, n int) error {
	keys, vals := d.pipeBatch(n)
	p, err := c.NewPipeline(keys)
	if err != nil {
		return err
	}
	for range 2 { // twice: the second run reuses the prepared commands
		if err := p.Exec(ctx); err != nil {
			return fmt.Errorf("pipeline: %w", err)
		}
		for i, want := range vals {
			v, err := p.Value(i)
			if err != nil {
				return fmt.Errorf("pipeline reply %d: %w", i, err)
			}
			if v != want {
				return fmt.Errorf("pipeline reply %d (GET %s): %s", i, keys[i], mismatch(v, want))
			}
		}
	}
	return nil
}

// pairs returns every key and value to store before the run.
func (d *dataset) pairs() (keys, vals []string) {
	keys = append(keys, d.small...)
	vals = append(vals, d.smallVals...)
	keys, vals = append(keys, d.setK...), append(vals, d.setVals...)
	keys, vals = append(keys, d.mixed...), append(vals, d.mixedVals...)
	keys, vals = append(keys, d.big), append(vals, d.bigVal)
	return keys, vals
}

// workload is one benchmark scenario.
type workload struct {
	Name       string
	Desc       string
	Goroutines int
	OpsPerCall int // commands per call: 100 for pipe-100, else 1
	// Caching: the clients are built with client-side caching on
	// (clientSpec.NewCached) and are cachingClients; a library without
	// it is listed as not applicable.
	Caching bool
	// op makes one call; w.i counts the worker's calls so far.
	op func(ctx context.Context, c client, w *worker, d *dataset) error
	// verify checks c returns exactly the stored bytes.
	verify func(ctx context.Context, c client, d *dataset) error
}

func getSmall(ctx context.Context, c client, w *worker, d *dataset) error {
	i := w.i % smallKeys
	v, err := c.Get(ctx, d.small[i])
	if err == nil && len(v) != len(d.smallVals[i]) {
		err = fmt.Errorf("GET %s: got %d bytes, want %d", d.small[i], len(v), len(d.smallVals[i]))
	}
	return err
}

func verifySmall(ctx context.Context, c client, d *dataset) error {
	return verifyGets(ctx, c, d.small, d.smallVals)
}

func verifyGets(ctx context.Context, c client, keys, vals []string) error {
	for i, k := range keys {
		v, err := c.Get(ctx, k)
		if err != nil {
			return fmt.Errorf("GET %s: %w", k, err)
		}
		if v != vals[i] {
			return fmt.Errorf("GET %s: %s", k, mismatch(v, vals[i]))
		}
	}
	return nil
}

// mismatch describes how got differs from want, for an error message.
func mismatch(got, want string) string {
	if len(got) <= 32 && len(want) <= 32 {
		return fmt.Sprintf("got %q, want %q", got, want)
	}
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	lo := max(i-8, 0)
	return fmt.Sprintf("got %d bytes, want %d; first difference at byte %d: got %q..., want %q...",
		len(got), len(want), i, got[lo:min(i+8, len(got))], want[lo:min(i+8, len(want))])
}

// allWorkloads lists the workloads in their default order.
var allWorkloads = append(baseWorkloads, decodeWorkloads()...)

var baseWorkloads = []*workload{
	{
		Name: "seq-get", Desc: "GET, 1 goroutine, 16-byte values", Goroutines: 1, OpsPerCall: 1,
		op:     getSmall,
		verify: verifySmall,
	},
	{
		Name: "seq-set", Desc: "SET, 1 goroutine, 16-byte values", Goroutines: 1, OpsPerCall: 1,
		op: func(ctx context.Context, c client, w *worker, d *dataset) error {
			i := w.i % setKeys
			return c.Set(ctx, d.setK[i], d.setVals[i])
		},
		verify: func(ctx context.Context, c client, d *dataset) error {
			for i, k := range d.setK {
				if err := c.Set(ctx, k, d.setVals[i]); err != nil {
					return fmt.Errorf("SET %s: %w", k, err)
				}
			}
			return verifyGets(ctx, c, d.setK, d.setVals)
		},
	},
	{
		Name: "par-get-64", Desc: "GET from 64 goroutines, 16-byte values", Goroutines: 64, OpsPerCall: 1,
		op:     getSmall,
		verify: verifySmall,
	},
	{
		Name: "par-get-1024", Desc: "GET from 1,024 goroutines, 16-byte values", Goroutines: 1024, OpsPerCall: 1,
		op:     getSmall,
		verify: verifySmall,
	},
	{
		Name: "pipe-100", Desc: "pipelines of 100 GETs, 1 goroutine, 16-byte values; ops = commands", Goroutines: 1, OpsPerCall: pipeLen,
		op: func(ctx context.Context, c client, w *worker, d *dataset) error {
			return w.pipe.Exec(ctx)
		},
		verify: func(ctx context.Context, c client, d *dataset) error {
			return verifyPipe(ctx, c, d, pipeLen)
		},
	},
	{
		Name: "pipe-10000", Desc: "pipelines of 10,000 GETs, 1 goroutine, 16-byte values; ops = commands", Goroutines: 1, OpsPerCall: bigPipe,
		op: func(ctx context.Context, c client, w *worker, d *dataset) error {
			return w.pipe.Exec(ctx)
		},
		verify: func(ctx context.Context, c client, d *dataset) error {
			return verifyPipe(ctx, c, d, bigPipe)
		},
	},
	{
		Name: "big-get", Desc: "GET of one 256 KiB value, 1 goroutine", Goroutines: 1, OpsPerCall: 1,
		op: func(ctx context.Context, c client, w *worker, d *dataset) error {
			v, err := c.Get(ctx, d.big)
			if err == nil && len(v) != bigSize {
				err = fmt.Errorf("GET %s: got %d bytes, want %d", d.big, len(v), bigSize)
			}
			return err
		},
		verify: func(ctx context.Context, c client, d *dataset) error {
			for range 3 {
				if err := verifyGets(ctx, c, []string{d.big}, []string{d.bigVal}); err != nil {
					return err
				}
			}
			return nil
		},
	},
	{
		Name: "big-set", Desc: "SET of one 1 MiB value, 1 goroutine", Goroutines: 1, OpsPerCall: 1,
		op: func(ctx context.Context, c client, w *worker, d *dataset) error {
			return c.Set(ctx, d.bigSet, d.bigSetVal)
		},
		verify: func(ctx context.Context, c client, d *dataset) error {
			for range 3 {
				if err := c.Set(ctx, d.bigSet, d.bigSetVal); err != nil {
					return fmt.Errorf("SET %s: %w", d.bigSet, err)
				}
				if err := verifyGets(ctx, c, []string{d.bigSet}, []string{d.bigSetVal}); err != nil {
					return err
				}
			}
			return nil
		},
	},
	{
		Name: "mixed-8", Desc: "8 goroutines, 80% GET / 20% SET, 1 KiB values", Goroutines: 8, OpsPerCall: 1,
		op: func(ctx context.Context, c client, w *worker, d *dataset) error {
			i := w.i % mixedKeys
			if w.i%5 == 4 { // every fifth call writes: 20% SET
				return c.Set(ctx, d.mixed[i], d.mixedVals[i]) // the value it already holds
			}
			v, err := c.Get(ctx, d.mixed[i])
			if err == nil && len(v) != len(d.mixedVals[i]) {
				err = fmt.Errorf("GET %s: got %d bytes, want %d", d.mixed[i], len(v), len(d.mixedVals[i]))
			}
			return err
		},
		verify: func(ctx context.Context, c client, d *dataset) error {
			for i, k := range d.mixed {
				if i%5 == 4 {
					if err := c.Set(ctx, k, d.mixedVals[i]); err != nil {
						return fmt.Errorf("SET %s: %w", k, err)
					}
				}
			}
			return verifyGets(ctx, c, d.mixed, d.mixedVals)
		},
	},
	{
		Name: "cached-get", Desc: "GET of one 16-byte value held in the client-side cache (hits only), 1 goroutine; seq-get is the same GET without the cache", Goroutines: 1, OpsPerCall: 1,
		Caching: true,
		op: func(ctx context.Context, c client, w *worker, d *dataset) error {
			key, want := d.cachedKey()
			v, err := c.(cachingClient).CachedGet(ctx, key)
			if err == nil && len(v) != len(want) {
				err = fmt.Errorf("cached GET %s: got %d bytes, want %d", key, len(v), len(want))
			}
			return err
		},
		verify: verifyCachedGet,
	},
}

// cachedKey is the key cached-get reads: one of the small keys, which no
// workload writes, so it stays cached for the whole run.
func (d *dataset) cachedKey() (key, val string) { return d.small[0], d.smallVals[0] }

// cachedHitChecks is how many reads in a row must be served from the
// client's cache before cached-get is timed; cachedFillReads is how many
// reads the cache may take to fill first (respkit's cluster client drops
// its first read: the first slot map it loads flushes the cache).
const (
	cachedHitChecks = 100
	cachedFillReads = 3
)

// verifyCachedGet reads the cached key until the client's cache serves it
// (at most cachedFillReads reads), then cachedHitChecks times more, each
// of which must return the stored bytes from the cache: the timed loop
// then measures hits, not round trips.
func verifyCachedGet(ctx context.Context, c client, d *dataset) error {
	cc := c.(cachingClient)
	key, want := d.cachedKey()
	filled := 0
	for i := 0; ; i++ {
		v, hit, err := cc.CachedGetHit(ctx, key)
		if err != nil {
			return fmt.Errorf("cached GET %s: %w", key, err)
		}
		if v != want {
			return fmt.Errorf("cached GET %s (read %d): %s", key, i+1, mismatch(v, want))
		}
		switch {
		case hit && filled == 0:
			filled = i + 1
		case !hit && filled > 0:
			return fmt.Errorf("cached GET %s: read %d was not served from the client-side cache, after it had served read %d", key, i+1, filled)
		case !hit && i+1 >= cachedFillReads:
			return fmt.Errorf("cached GET %s: none of the first %d reads was served from the client-side cache", key, i+1)
		}
		if filled > 0 && i+1-filled >= cachedHitChecks {
			return nil
		}
	}
}

// worker is one goroutine of a timed run. Each has its own histogram and
// counters, so the measured loop shares nothing but the stop flag.
type worker struct {
	i     int // calls made in this run, offset by the worker's index
	calls int64
	err   error
	pipe  pipeline
	h     hist
	_     [64]byte // keep neighbours' counters off this cache line
}

// Context modes.
const (
	ctxBackground = "background"
	ctxDeadline   = "deadline"
)

// callTimeout is the per-call deadline in deadline mode.
const callTimeout = 5 * time.Second

func modeDoc(mode string) string {
	if mode == ctxDeadline {
		return fmt.Sprintf("every call gets its own context.WithTimeout(ctx, %v) (cancelled after the call), as a server handler passes", callTimeout)
	}
	return "every call gets context.Background()"
}

// sample is the measurement of one client in one round.
type sample struct {
	ops     int64 // commands
	calls   int64
	elapsed time.Duration
	mallocs uint64
	bytes   uint64
	cpu     time.Duration
}

// runner runs timed loops, reusing its workers (and their histograms)
// across runs so nothing is allocated for them inside a measurement.
type runner struct {
	workers []*worker
}

func (r *runner) ensure(n int) {
	for len(r.workers) < n {
		r.workers = append(r.workers, new(worker))
	}
}

func rusageCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measure runs wl on c for d with the given context mode and merges the
// per-call latencies into into (when not nil). pipes holds one prepared
// pipeline per goroutine for workloads that need one.
func (r *runner) measure(c client, wl *workload, ds *dataset, mode string, d time.Duration, pipes []pipeline, into *hist) (sample, error) {
	n := wl.Goroutines
	r.ensure(n)
	ws := r.workers[:n]
	for i, w := range ws {
		w.i, w.calls, w.err, w.pipe = i*7, 0, nil, nil
		if pipes != nil {
			w.pipe = pipes[i]
		}
		w.h.reset()
	}
	var stop atomic.Bool
	start := make(chan struct{})
	var ready, done sync.WaitGroup
	ready.Add(n)
	done.Add(n)
	deadline := mode == ctxDeadline
	for _, w := range ws {
		go func() {
			defer done.Done()
			bg := context.Background()
			ready.Done()
			<-start
			for !stop.Load() {
				t0 := time.Now()
				var err error
				if deadline {
					ctx, cancel := context.WithTimeout(bg, callTimeout)
					err = wl.op(ctx, c, w, ds)
					cancel()
				} else {
					err = wl.op(bg, c, w, ds)
				}
				w.h.record(int64(time.Since(t0)))
				w.i++
				w.calls++
				if err != nil {
					w.err = err
					stop.Store(true)
				}
			}
		}()
	}
	ready.Wait()
	runtime.GC() // every client starts from a collected heap

	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	cpu0 := rusageCPU()
	t0 := time.Now()
	close(start)
	timer := time.AfterFunc(d, func() { stop.Store(true) })
	done.Wait()
	elapsed := time.Since(t0)
	cpu1 := rusageCPU()
	runtime.ReadMemStats(&m1)
	timer.Stop()

	s := sample{
		elapsed: elapsed,
		mallocs: m1.Mallocs - m0.Mallocs,
		bytes:   m1.TotalAlloc - m0.TotalAlloc,
		cpu:     cpu1 - cpu0,
	}
	for _, w := range ws {
		if w.err != nil {
			return s, fmt.Errorf("%s: %w", wl.Name, w.err)
		}
		s.calls += w.calls
		if into != nil {
			into.merge(&w.h)
		}
	}
	s.ops = s.calls * int64(wl.OpsPerCall)
	return s, nil
}

// opsPerSec is the sample's throughput in commands per second.
func (s sample) opsPerSec() float64 { return float64(s.ops) / s.elapsed.Seconds() }

// workloadRun holds what runWorkload measured for one client.
type workloadRun struct {
	entry   entry
	rounds  []sample
	latency hist
}

// runWorkload checks and then times every client on wl: a warm-up, then
// rounds in rotated order (A B C, B C A, C A B, ...).
func runWorkload(env *env, wl *workload, mode string, entries []entry) ([]*workloadRun, error) {
	ctx := context.Background()
	clients := make([]client, len(entries))
	defer func() {
		for _, c := range clients {
			if c != nil {
				c.Close()
			}
		}
	}()
	runs := make([]*workloadRun, len(entries))
	pipes := make([][]pipeline, len(entries))
	for i, en := range entries {
		c, err := en.connect(env, wl)
		if err != nil {
			return nil, fmt.Errorf("%s: connect: %w", en.name(), err)
		}
		clients[i] = c
		vctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err = wl.verify(vctx, c, env.data)
		cancel()
		if err != nil {
			return nil, fmt.Errorf("%s returned wrong data in %s's check, not timing it: %w", en.name(), wl.Name, err)
		}
		if wl.OpsPerCall > 1 {
			for range wl.Goroutines {
				keys, _ := env.data.pipeBatch(wl.OpsPerCall)
				p, err := c.NewPipeline(keys)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", en.name(), err)
				}
				pipes[i] = append(pipes[i], p)
			}
		}
		runs[i] = &workloadRun{entry: en}
	}
	if env.warmup > 0 {
		for i, c := range clients {
			if _, err := env.runner.measure(c, wl, env.data, mode, env.warmup, pipes[i], nil); err != nil {
				return nil, fmt.Errorf("%s warm-up: %w", entries[i].name(), err)
			}
		}
	}
	for round := range env.rounds {
		var line []string
		for j := range clients {
			i := (round + j) % len(clients)
			s, err := env.runner.measure(clients[i], wl, env.data, mode, env.duration, pipes[i], &runs[i].latency)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", entries[i].name(), err)
			}
			runs[i].rounds = append(runs[i].rounds, s)
			line = append(line, fmt.Sprintf("%s %s", entries[i].name(), humanOps(s.opsPerSec())))
		}
		env.logf("  %-12s round %d/%d: %s", wl.Name, round+1, env.rounds, strings.Join(line, ", "))
	}
	return runs, nil
}

// summarize turns the runs of one workload into result rows and paired
// ratios of ours against each other client.
func summarize(mode string, wl *workload, runs []*workloadRun, ours string, ceiling []Ceiling) ([]Result, []Paired, WorkloadSummary) {
	var results []Result
	best := 0.0
	bestName := ""
	for _, r := range runs {
		var rates []float64
		var ops int64
		var mallocs, bytes uint64
		var cpu time.Duration
		for _, s := range r.rounds {
			rates = append(rates, s.opsPerSec())
			ops += s.ops
			mallocs += s.mallocs
			bytes += s.bytes
			cpu += s.cpu
		}
		res := Result{
			Mode:           mode,
			Workload:       wl.Name,
			Client:         r.entry.name(),
			Topology:       r.entry.topology(),
			Goroutines:     wl.Goroutines,
			OpsPerCall:     wl.OpsPerCall,
			OpsPerSec:      median(rates),
			OpsPerSecMin:   slices.Min(rates),
			OpsPerSecMax:   slices.Max(rates),
			RoundOpsPerSec: rates,
			P50Ns:          r.latency.quantile(0.50),
			P99Ns:          r.latency.quantile(0.99),
			P999Ns:         r.latency.quantile(0.999),
			LatencyCalls:   r.latency.n,
			TotalOps:       ops,
			AllocsPerOp:    float64(mallocs) / float64(ops),
			BytesPerOp:     float64(bytes) / float64(ops),
			CPUMicrosPerOp: cpu.Seconds() * 1e6 / float64(ops),
		}
		if res.OpsPerSec > best {
			best, bestName = res.OpsPerSec, res.Client
		}
		results = append(results, res)
	}
	for i := range results {
		results[i].RatioToBest = results[i].OpsPerSec / best
	}
	sum := WorkloadSummary{Mode: mode, Workload: wl.Name, Best: bestName, BestOpsPerSec: best, CeilingFraction: map[string]float64{}}
	for _, c := range ceiling {
		if c.OpsPerSec > 0 {
			sum.CeilingFraction[c.Name] = best / c.OpsPerSec
		}
	}

	// Paired ratios: ours against every other client on the same topology
	// and, when both topologies ran, every client on the cluster against
	// itself on the single server.
	var paired []Paired
	pair := func(a, b *workloadRun) {
		var ratios []float64
		for k := range a.rounds {
			ratios = append(ratios, a.rounds[k].opsPerSec()/b.rounds[k].opsPerSec())
		}
		paired = append(paired, Paired{Mode: mode, Workload: wl.Name, Ours: a.entry.name(), Other: b.entry.name(), MedianRatio: median(ratios), RoundRatios: ratios})
	}
	byName := map[string]*workloadRun{}
	for _, r := range runs {
		byName[r.entry.name()] = r
	}
	if mine := byName[ours]; mine != nil {
		for _, r := range runs {
			if r != mine && r.entry.cluster == mine.entry.cluster {
				pair(mine, r)
			}
		}
	}
	for _, r := range runs {
		if single := byName[r.entry.spec.Name]; r.entry.cluster && single != nil {
			pair(r, single)
		}
	}
	return results, paired, sum
}
