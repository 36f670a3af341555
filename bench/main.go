// Command bench compares github.com/respkit/redis with go-redis and
// rueidis, each with its default options, against one real redis-server
// or a Redis Cluster.
//
//	go run .                                   # start a server, run everything, write bench-results.json and .png
//	go run . -rounds 2 -duration 300ms         # quick look
//	go run . -server 127.0.0.1:6379 -ctx both  # an existing server; both context modes
//	go run . -workloads seq-get,pipe-100 -clients respkit,rueidis
//	go run . -cluster                          # the clients' cluster clients on a 3-primary cluster
//	go run . -vs-single -clients respkit       # respkit on a cluster and on one server, same rounds
//	go run . chart -in bench-results.json -out chart.png
//
// Clients are interleaved round by round (A B C, B C A, C A B, ...) so that
// machine noise hits all of them alike; each workload reports the median
// ops/s of the rounds, the min–max spread, p50/p99 per-call latency,
// allocs/op, B/op, client CPU µs/op, the ratio to the best client, and the
// per-round paired ratios of our client against each other one.
// redis-benchmark on the same server gives the ceiling. See README.md.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"regexp"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/respkit/redis/redistest"
)

// ourClient is the client the paired ratios are about.
const ourClient = "respkit"

// Report is everything a run measured; it is what -json writes and what
// the chart is drawn from.
type Report struct {
	Meta      Meta              `json:"meta"`
	Ceiling   []Ceiling         `json:"ceiling"`
	Results   []Result          `json:"results"`
	Paired    []Paired          `json:"paired"`
	Workloads []WorkloadSummary `json:"workloads"`
	// NotApplicable lists the clients a workload could not run, and why
	// (a library without client-side caching on cached-get).
	NotApplicable []NotApplicable `json:"not_applicable,omitempty"`
}

// NotApplicable is a client that a workload does not apply to.
type NotApplicable struct {
	Mode     string `json:"ctx_mode"`
	Workload string `json:"workload"`
	Client   string `json:"client"`
	Reason   string `json:"reason"`
}

// Meta describes the run.
type Meta struct {
	Date             string                 `json:"date"`
	CommandLine      string                 `json:"command_line"`
	GoVersion        string                 `json:"go_version"`
	GOOS             string                 `json:"goos"`
	GOARCH           string                 `json:"goarch"`
	NumCPU           int                    `json:"num_cpu"`
	GOMAXPROCS       int                    `json:"gomaxprocs"`
	CPUModel         string                 `json:"cpu_model"`
	LoadAvgStart     string                 `json:"loadavg_start"`
	LoadAvgEnd       string                 `json:"loadavg_end"`
	Topology         string                 `json:"topology"` // "single", "cluster" or "cluster+single"
	Server           string                 `json:"server,omitempty"`
	Cluster          string                 `json:"cluster,omitempty"`
	ClusterPrimaries int                    `json:"cluster_primaries,omitempty"`
	RedisVersion     string                 `json:"redis_version"`
	Rounds           int                    `json:"rounds"`
	DurationPerRound string                 `json:"duration_per_round"`
	Warmup           string                 `json:"warmup"`
	Modes            []string               `json:"ctx_modes"`
	Spread           string                 `json:"spread"`
	Latency          string                 `json:"latency"`
	Ours             string                 `json:"ours"`
	Clients          []ClientInfo           `json:"clients"`
	Workloads        []WorkloadInfo         `json:"workload_descriptions"`
	CtxOverhead      map[string]CtxOverhead `json:"ctx_overhead"`
	ElapsedSeconds   float64                `json:"elapsed_seconds"`
}

// ClientInfo names a client library and how it was used.
type ClientInfo struct {
	Name     string `json:"name"`
	Topology string `json:"topology"` // "single" or "cluster"
	Module   string `json:"module"`
	Version  string `json:"version"`
	Options  string `json:"options"`
	Notes    string `json:"notes"`
	// CacheOptions and CacheNotes are how the client is built and called
	// for the client-side caching workloads (empty: it has no caching).
	CacheOptions string `json:"cache_options,omitempty"`
	CacheNotes   string `json:"cache_notes,omitempty"`
}

// WorkloadInfo describes a workload.
type WorkloadInfo struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Goroutines  int    `json:"goroutines"`
	OpsPerCall  int    `json:"ops_per_call"`
}

// CtxOverhead is what the harness's own per-call context costs.
type CtxOverhead struct {
	AllocsPerCall float64 `json:"allocs_per_call"`
	BytesPerCall  float64 `json:"bytes_per_call"`
	NsPerCall     float64 `json:"ns_per_call"`
}

// Ceiling is one redis-benchmark run.
type Ceiling struct {
	Name      string  `json:"name"`
	Command   string  `json:"command"`
	OpsPerSec float64 `json:"ops_per_sec"`
	Output    string  `json:"output"`
}

// Result is one client on one workload in one context mode.
type Result struct {
	Mode           string    `json:"ctx_mode"`
	Workload       string    `json:"workload"`
	Client         string    `json:"client"`   // "respkit", or "respkit@cluster" on a cluster
	Topology       string    `json:"topology"` // "single" or "cluster"
	Goroutines     int       `json:"goroutines"`
	OpsPerCall     int       `json:"ops_per_call"`
	OpsPerSec      float64   `json:"ops_per_sec_median"`
	OpsPerSecMin   float64   `json:"ops_per_sec_min"`
	OpsPerSecMax   float64   `json:"ops_per_sec_max"`
	RoundOpsPerSec []float64 `json:"round_ops_per_sec"`
	P50Ns          float64   `json:"p50_ns"`
	P99Ns          float64   `json:"p99_ns"`
	P999Ns         float64   `json:"p999_ns"`
	LatencyCalls   uint64    `json:"latency_calls"`
	TotalOps       int64     `json:"total_ops"`
	AllocsPerOp    float64   `json:"allocs_per_op"`
	BytesPerOp     float64   `json:"bytes_per_op"`
	CPUMicrosPerOp float64   `json:"cpu_us_per_op"`
	RatioToBest    float64   `json:"ratio_to_best"`
}

// Paired is ours ÷ other's ops/s, round by round.
type Paired struct {
	Mode        string    `json:"ctx_mode"`
	Workload    string    `json:"workload"`
	Ours        string    `json:"ours"`
	Other       string    `json:"other"`
	MedianRatio float64   `json:"median_ratio"`
	RoundRatios []float64 `json:"round_ratios"`
}

// WorkloadSummary is a workload's best client and its share of the ceiling.
type WorkloadSummary struct {
	Mode            string             `json:"ctx_mode"`
	Workload        string             `json:"workload"`
	Best            string             `json:"best_client"`
	BestOpsPerSec   float64            `json:"best_ops_per_sec"`
	CeilingFraction map[string]float64 `json:"ceiling_fraction"`
}

// Modes returns the context modes present, in run order.
func (r *Report) Modes() []string {
	var out []string
	for _, x := range r.Results {
		if !slices.Contains(out, x.Mode) {
			out = append(out, x.Mode)
		}
	}
	return out
}

// WorkloadNames returns the workloads present in mode, in run order (one
// that no client could run last).
func (r *Report) WorkloadNames(mode string) []string {
	var out []string
	for _, x := range r.Results {
		if x.Mode == mode && !slices.Contains(out, x.Workload) {
			out = append(out, x.Workload)
		}
	}
	for _, x := range r.NotApplicable {
		if x.Mode == mode && !slices.Contains(out, x.Workload) {
			out = append(out, x.Workload)
		}
	}
	return out
}

// ClientNames returns the clients present, in table order (that of
// meta.clients), those only ever not applicable included.
func (r *Report) ClientNames() []string {
	var out []string
	for _, x := range r.Results {
		if !slices.Contains(out, x.Client) {
			out = append(out, x.Client)
		}
	}
	for _, x := range r.NotApplicable {
		if !slices.Contains(out, x.Client) {
			out = append(out, x.Client)
		}
	}
	rank := func(name string) int {
		if i := slices.IndexFunc(r.Meta.Clients, func(c ClientInfo) bool { return c.Name == name }); i >= 0 {
			return i
		}
		return len(r.Meta.Clients)
	}
	slices.SortStableFunc(out, func(a, b string) int { return rank(a) - rank(b) })
	return out
}

// FindNotApplicable returns why (mode, workload, client) did not run, or
// nil when it is not listed as not applicable.
func (r *Report) FindNotApplicable(mode, wl, cl string) *NotApplicable {
	for i := range r.NotApplicable {
		x := &r.NotApplicable[i]
		if x.Mode == mode && x.Workload == wl && x.Client == cl {
			return x
		}
	}
	return nil
}

// FindResult returns the row for (mode, workload, client), or nil.
func (r *Report) FindResult(mode, wl, cl string) *Result {
	for i := range r.Results {
		x := &r.Results[i]
		if x.Mode == mode && x.Workload == wl && x.Client == cl {
			return x
		}
	}
	return nil
}

// FindPaired returns ours ÷ other for (mode, workload), or nil.
func (r *Report) FindPaired(mode, wl, ours, other string) *Paired {
	for i := range r.Paired {
		p := &r.Paired[i]
		if p.Mode == mode && p.Workload == wl && p.Ours == ours && p.Other == other {
			return p
		}
	}
	return nil
}

// env is the state shared by the whole run.
type env struct {
	addr         string   // the single server
	clusterAddrs []string // the cluster's nodes (seeds)
	data         *dataset
	rounds       int
	duration     time.Duration
	warmup       time.Duration
	runner       runner
	quiet        bool
}

func (e *env) logf(format string, args ...any) {
	if !e.quiet {
		fmt.Fprintf(os.Stderr, format+"\n", args...)
	}
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "chart" {
		os.Exit(chartMain(os.Args[2:]))
	}
	fs := flag.NewFlagSet("bench", flag.ExitOnError)
	rounds := fs.Int("rounds", 5, "rounds per workload; clients are interleaved A B C, B C A, ... round by round")
	duration := fs.Duration("duration", time.Second, "timed duration per client per round")
	warmup := fs.Duration("warmup", 200*time.Millisecond, "untimed warm-up per client per workload (0 for none)")
	server := fs.String("server", "", "address of an existing redis-server (host:port); default: start one with redistest")
	clusterMode := fs.Bool("cluster", false, "run the clients' cluster clients against a Redis Cluster: by default one started with redistest, 3 primaries without replicas")
	clusterAddrs := fs.String("cluster-addrs", "", "comma-separated host:port of nodes of an existing Redis Cluster (implies -cluster)")
	vsSingle := fs.Bool("vs-single", false, "run every client both on the cluster and on a single server (-server, or one started), interleaved in the same rounds, with paired <client>@cluster ÷ <client> ratios (implies -cluster)")
	jsonPath := fs.String("json", "bench-results.json", "where to write the JSON results (\"\" for nowhere)")
	pngPath := fs.String("png", "bench-results.png", "where to write the PNG chart (\"\" for none)")
	ctxMode := fs.String("ctx", ctxBackground, "context per call: background, deadline (context.WithTimeout(ctx, 5s) per call) or both")
	ctxTimeout := fs.Bool("ctx-timeout", false, "shorthand for -ctx=deadline")
	wlFilter := fs.String("workloads", "", "comma-separated workloads to run (default all: "+workloadNames()+")")
	clFilter := fs.String("clients", "", "comma-separated clients to run (default all: "+clientNames()+")")
	ceiling := fs.Bool("ceiling", true, "run redis-benchmark -P 1 and -P 16 as the server's ceiling")
	quiet := fs.Bool("q", false, "no progress lines on stderr")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file (narrow it with -clients and -workloads)")
	memProfile := fs.String("memprofile", "", "write an allocation profile (pprof allocs) at the end of the run to this file")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: go run . [flags]\n       go run . chart -in bench-results.json -out chart.png\n\nflags:\n")
		fs.PrintDefaults()
	}
	fs.Parse(os.Args[1:])
	if fs.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "bench: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		os.Exit(2)
	}

	var modes []string
	if *ctxTimeout {
		*ctxMode = ctxDeadline
	}
	switch *ctxMode {
	case ctxBackground, ctxDeadline:
		modes = []string{*ctxMode}
	case "both":
		modes = []string{ctxBackground, ctxDeadline}
	default:
		fatalf("-ctx must be background, deadline or both, not %q", *ctxMode)
	}
	wls, err := pickWorkloads(*wlFilter)
	if err != nil {
		fatalf("%v", err)
	}
	specs, err := pickClients(*clFilter)
	if err != nil {
		fatalf("%v", err)
	}
	if *rounds < 1 || *duration <= 0 {
		fatalf("-rounds must be at least 1 and -duration positive")
	}
	topo := topology{single: true}
	if *clusterMode || *clusterAddrs != "" || *vsSingle {
		topo = topology{cluster: true, single: *vsSingle, clusterAddrs: splitList(*clusterAddrs)}
	}
	if topo.cluster && !topo.single && *server != "" {
		fatalf("-server names a single server: with -cluster use -cluster-addrs, or add -vs-single to compare with the single server")
	}
	e := &env{rounds: *rounds, duration: *duration, warmup: *warmup, quiet: *quiet, data: newDataset()}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fatalf("%v", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fatalf("%v", err)
		}
	}
	topo.server = *server
	err = run(e, topo, modes, wls, specs, *ceiling, *jsonPath, *pngPath)
	if *cpuProfile != "" {
		pprof.StopCPUProfile()
	}
	if *memProfile != "" {
		if f, ferr := os.Create(*memProfile); ferr == nil {
			pprof.Lookup("allocs").WriteTo(f, 0)
			f.Close()
		}
	}
	if err != nil {
		fatalf("%v", err)
	}
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
	os.Exit(1)
}

func workloadNames() string {
	var n []string
	for _, w := range allWorkloads {
		n = append(n, w.Name)
	}
	return strings.Join(n, ",")
}

func clientNames() string {
	var n []string
	for _, c := range clientSpecs {
		n = append(n, c.Name)
	}
	return strings.Join(n, ",")
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func pickWorkloads(filter string) ([]*workload, error) {
	names := splitList(filter)
	if len(names) == 0 {
		return allWorkloads, nil
	}
	var out []*workload
	for _, w := range allWorkloads { // keep the canonical order
		if slices.Contains(names, w.Name) {
			out = append(out, w)
		}
	}
	for _, n := range names {
		if !slices.ContainsFunc(allWorkloads, func(w *workload) bool { return w.Name == n }) {
			return nil, fmt.Errorf("unknown workload %q (have %s)", n, workloadNames())
		}
	}
	return out, nil
}

func pickClients(filter string) ([]clientSpec, error) {
	names := splitList(filter)
	if len(names) == 0 {
		return clientSpecs, nil
	}
	var out []clientSpec
	for _, c := range clientSpecs {
		if slices.Contains(names, c.Name) {
			out = append(out, c)
		}
	}
	for _, n := range names {
		if !slices.ContainsFunc(clientSpecs, func(c clientSpec) bool { return c.Name == n }) {
			return nil, fmt.Errorf("unknown client %q (have %s)", n, clientNames())
		}
	}
	return out, nil
}

// topology says what the clients run against: one server, a cluster, or
// both in the same rounds.
type topology struct {
	single, cluster bool
	server          string   // -server: an existing single server
	clusterAddrs    []string // -cluster-addrs: nodes of an existing cluster
}

// name is Meta.Topology.
func (t topology) name() string {
	switch {
	case t.cluster && t.single:
		return topoCluster + "+" + topoSingle
	case t.cluster:
		return topoCluster
	}
	return topoSingle
}

// entries lists the report's rows for specs: on a cluster and a single
// server both, each library's cluster client follows its single-server one.
func (t topology) entries(specs []clientSpec) []entry {
	var out []entry
	for _, s := range specs {
		if t.single {
			out = append(out, entry{spec: s})
		}
		if t.cluster {
			out = append(out, entry{spec: s, cluster: true})
		}
	}
	return out
}

// ours is the name of the entry the paired ratios are about: our client,
// on the cluster when there is one.
func (t topology) ours() string {
	if t.cluster {
		return ourClient + clusterSuffix
	}
	return ourClient
}

// run is the whole benchmark: servers, data, ceiling, workloads, output.
func run(e *env, topo topology, modes []string, wls []*workload, specs []clientSpec, ceiling bool, jsonPath, pngPath string) error {
	began := time.Now()
	// On ^C or SIGTERM, stop the servers this run started (by their PIDs,
	// through redistest) before exiting.
	var closers []func() error
	var closeMu sync.Mutex
	defer func() {
		closeMu.Lock()
		defer closeMu.Unlock()
		for _, c := range closers {
			c()
		}
	}()
	addCloser := func(c func() error) {
		closeMu.Lock()
		closers = append(closers, c)
		closeMu.Unlock()
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	go func() {
		s := <-sig
		closeMu.Lock() // held until exit: the deferred close must not run twice
		for _, c := range closers {
			c()
		}
		fmt.Fprintf(os.Stderr, "bench: %v: servers stopped\n", s)
		os.Exit(130)
	}()

	var serverDesc, clusterDesc, version string
	var primaries int
	if topo.single {
		server := topo.server
		serverDesc = server
		if server == "" {
			srv, err := redistest.StartServer(redistest.Config{})
			if err != nil {
				return fmt.Errorf("start redis-server: %w", err)
			}
			addCloser(srv.Close)
			server = srv.Addr()
			serverDesc = fmt.Sprintf("redistest.StartServer (pid %d) on %s", srv.PID(), server)
		}
		e.addr = server
		e.logf("bench: server %s", serverDesc)
		v, err := redisVersion(server)
		if err != nil {
			return fmt.Errorf("server %s: %w", server, err)
		}
		version = v
		keys, vals := e.data.pairs()
		keys, vals = append(keys, "key:__rand_int__"), append(vals, e.data.smallVals[0]) // what redis-benchmark -t get reads
		if err := rawSet(server, keys, vals); err != nil {
			return fmt.Errorf("pre-populate: %w", err)
		}
		if err := rawDo(server, e.data.dec.commands()); err != nil {
			return fmt.Errorf("pre-populate the decode-heavy data: %w", err)
		}
		e.logf("bench: stored %d keys (%s*) on %s", len(keys), keyPrefix, server)
	}
	if topo.cluster {
		addrs := topo.clusterAddrs
		clusterDesc = "existing cluster, seeds " + strings.Join(addrs, ",")
		if len(addrs) == 0 {
			t0 := time.Now()
			c, err := redistest.StartClusterServer(redistest.ClusterConfig{Replicas: redistest.NoReplicas})
			if err != nil {
				return fmt.Errorf("start redis cluster: %w", err)
			}
			addCloser(c.Close)
			addrs = c.Addrs()
			var pids []string
			for _, n := range c.Nodes() {
				pids = append(pids, strconv.Itoa(n.PID()))
			}
			clusterDesc = fmt.Sprintf("redistest.StartClusterServer, no replicas (pids %s) on %s", strings.Join(pids, ","), strings.Join(addrs, ","))
			e.logf("bench: cluster started in %.1fs", time.Since(t0).Seconds())
		}
		e.clusterAddrs = addrs
		v, err := redisVersion(addrs[0])
		if err != nil {
			return fmt.Errorf("cluster node %s: %w", addrs[0], err)
		}
		if version == "" {
			version = v
		} else if v != version {
			version += ", cluster " + v
		}
		keys, vals := e.data.pairs()
		perNode, err := rawSetCluster(addrs[0], keys, vals)
		if err != nil {
			return fmt.Errorf("pre-populate the cluster: %w", err)
		}
		owners, err := clusterSlots(addrs[0])
		if err != nil {
			return err
		}
		if err := rawDo(owners[keySlot(e.data.dec.hash)], e.data.dec.commands()); err != nil { // one hash tag: one node
			return fmt.Errorf("pre-populate the decode-heavy data: %w", err)
		}
		primaries = len(perNode)
		var spread []string
		for _, n := range perNode {
			spread = append(spread, fmt.Sprintf("%d on %s", n.keys, n.addr))
		}
		clusterDesc = fmt.Sprintf("%d primaries: %s; keys stored by slot: %s", primaries, clusterDesc, strings.Join(spread, ", "))
		e.logf("bench: cluster %s", clusterDesc)
	}

	rep := &Report{Meta: Meta{
		Date:             began.Format(time.RFC3339),
		CommandLine:      commandLine(),
		GoVersion:        runtime.Version(),
		GOOS:             runtime.GOOS,
		GOARCH:           runtime.GOARCH,
		NumCPU:           runtime.NumCPU(),
		GOMAXPROCS:       runtime.GOMAXPROCS(0),
		CPUModel:         cpuModel(),
		LoadAvgStart:     loadAvg(),
		Topology:         topo.name(),
		Server:           serverDesc,
		Cluster:          clusterDesc,
		ClusterPrimaries: primaries,
		RedisVersion:     version,
		Rounds:           e.rounds,
		DurationPerRound: e.duration.String(),
		Warmup:           e.warmup.String(),
		Modes:            modes,
		Spread:           "min–max of the per-round ops/s",
		Latency:          "per call (one whole pipeline for pipe-100 and pipe-10000), all rounds pooled, log-bucket histogram (~3% resolution), including the per-call context in deadline mode",
		Ours:             topo.ours(),
		CtxOverhead: map[string]CtxOverhead{
			ctxDeadline:             measureCtxOverhead(false),
			ctxDeadline + "+Done()": measureCtxOverhead(true),
		},
	}}
	entries := topo.entries(specs)
	for _, en := range entries {
		s := en.spec
		ci := ClientInfo{Name: en.name(), Topology: en.topology(), Module: s.Module, Version: moduleVersion(s.Module), Options: en.options(), Notes: s.Notes}
		if ci.CacheOptions = en.cacheOptions(); ci.CacheOptions != "" {
			ci.CacheNotes = s.CacheNotes
		}
		rep.Meta.Clients = append(rep.Meta.Clients, ci)
	}
	for _, w := range wls {
		rep.Meta.Workloads = append(rep.Meta.Workloads, WorkloadInfo{Name: w.Name, Description: w.Desc, Goroutines: w.Goroutines, OpsPerCall: w.OpsPerCall})
	}

	if ceiling {
		type target struct {
			suffix  string
			addr    string
			cluster bool
		}
		var targets []target
		if topo.single {
			targets = append(targets, target{"", e.addr, false})
		}
		if topo.cluster {
			targets = append(targets, target{clusterSuffix, e.clusterAddrs[0], true})
		}
		for _, t := range targets {
			host, port, err := net.SplitHostPort(t.addr)
			if err != nil {
				return err
			}
			for _, c := range []struct {
				name string
				n, p int
			}{{"P1", 200000, 1}, {"P16", 2000000, 16}} {
				args := []string{"-h", host, "-p", port, "-q", "-t", "get", "-n", strconv.Itoa(c.n), "-c", "50", "-P", strconv.Itoa(c.p)}
				if t.cluster {
					args = append(args, "--cluster")
				}
				res, err := redisBenchmark(args)
				if err != nil {
					return err
				}
				res.Name = c.name + t.suffix
				e.logf("bench: ceiling %s: %s ops/s (%s)", res.Name, humanOps(res.OpsPerSec), res.Command)
				rep.Ceiling = append(rep.Ceiling, res)
			}
		}
	}

	for _, mode := range modes {
		for _, wl := range wls {
			e.logf("bench: ctx=%s %s (%s)", mode, wl.Name, wl.Desc)
			var runnable []entry
			for _, en := range entries {
				if why := en.unsupported(wl); why != "" {
					e.logf("  %-12s %s: not applicable: %s", wl.Name, en.name(), why)
					rep.NotApplicable = append(rep.NotApplicable, NotApplicable{Mode: mode, Workload: wl.Name, Client: en.name(), Reason: why})
					continue
				}
				runnable = append(runnable, en)
			}
			if len(runnable) == 0 {
				continue
			}
			runs, err := runWorkload(e, wl, mode, runnable)
			if err != nil {
				return err
			}
			res, paired, sum := summarize(mode, wl, runs, rep.Meta.Ours, rep.Ceiling)
			rep.Results = append(rep.Results, res...)
			rep.Paired = append(rep.Paired, paired...)
			rep.Workloads = append(rep.Workloads, sum)
		}
	}
	rep.Meta.ElapsedSeconds = time.Since(began).Seconds()
	rep.Meta.LoadAvgEnd = loadAvg()

	printReport(os.Stdout, rep)
	if jsonPath != "" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(jsonPath, append(b, '\n'), 0o644); err != nil {
			return err
		}
		fmt.Printf("\nJSON written to %s\n", jsonPath)
	}
	if pngPath != "" {
		if err := writeChart(rep, pngPath); err != nil {
			return fmt.Errorf("chart: %w", err)
		}
		fmt.Printf("chart written to %s\n", pngPath)
	}
	fmt.Printf("total time %.0fs\n", rep.Meta.ElapsedSeconds)
	return nil
}

// commandLine is how this run was invoked, for the report and the chart.
func commandLine() string {
	args := []string{"go run ."}
	for _, a := range os.Args[1:] {
		if strings.ContainsAny(a, " \t'\"") {
			a = strconv.Quote(a)
		}
		args = append(args, a)
	}
	return strings.Join(args, " ")
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

// loadAvg returns the 1, 5 and 15 minute load averages, a hint of how
// busy the machine was (other processes slow the clients and the server).
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// measureCtxOverhead measures what context.WithTimeout + cancel costs by
// itself, the harness's share of every call in deadline mode; withDone
// adds a call of Done, which a client that watches the context makes.
func measureCtxOverhead(withDone bool) CtxOverhead {
	const n = 200000
	bg := context.Background()
	runtime.GC()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	t0 := time.Now()
	for range n {
		ctx, cancel := context.WithTimeout(bg, callTimeout)
		if withDone {
			_ = ctx.Done() // allocates the context's done channel on first use
		}
		cancel()
	}
	el := time.Since(t0)
	runtime.ReadMemStats(&m1)
	return CtxOverhead{
		AllocsPerCall: float64(m1.Mallocs-m0.Mallocs) / n,
		BytesPerCall:  float64(m1.TotalAlloc-m0.TotalAlloc) / n,
		NsPerCall:     float64(el.Nanoseconds()) / n,
	}
}

// ---- Raw RESP, independent of the three clients under test ----

// rawConn is a bare connection speaking RESP2, used to store the data set
// and to read the server version without trusting any client under test.
type rawConn struct {
	c  net.Conn
	rd *bufio.Reader
	wr *bufio.Writer
}

func dialRaw(addr string) (*rawConn, error) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	c.SetDeadline(time.Now().Add(60 * time.Second))
	return &rawConn{c: c, rd: bufio.NewReaderSize(c, 64<<10), wr: bufio.NewWriterSize(c, 64<<10)}, nil
}

func (r *rawConn) write(args ...string) {
	fmt.Fprintf(r.wr, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(r.wr, "$%d\r\n", len(a))
		r.wr.WriteString(a)
		r.wr.WriteString("\r\n")
	}
}

// reply reads one simple reply: +status, -error, :int or $bulk.
func (r *rawConn) reply() (string, error) {
	v, err := r.value()
	if err != nil {
		return "", err
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("unexpected reply %v", v)
	}
	return s, nil
}

// replyError is an -error reply.
type replyError string

func (e replyError) Error() string { return string(e) }

// value reads one RESP2 reply: a string for +status, :int and $bulk, nil
// for a null bulk or array, []any for an array; an -error reply is
// returned as an error (inside an array, as an error element).
func (r *rawConn) value() (any, error) {
	line, err := r.rd.ReadString('\n')
	if err != nil {
		return nil, err
	}
	line = strings.TrimSuffix(line, "\r\n")
	if line == "" {
		return nil, errors.New("empty reply line")
	}
	switch line[0] {
	case '+', ':':
		return line[1:], nil
	case '-':
		return nil, replyError(line[1:])
	case '$', '*':
		n, err := strconv.Atoi(line[1:])
		if err != nil || n < -1 {
			return nil, fmt.Errorf("bad header %q", line)
		}
		if n == -1 {
			return nil, nil
		}
		if line[0] == '$' {
			b := make([]byte, n+2)
			if _, err := io.ReadFull(r.rd, b); err != nil {
				return nil, err
			}
			return string(b[:n]), nil
		}
		arr := make([]any, n)
		for i := range arr {
			v, err := r.value()
			var re replyError
			if errors.As(err, &re) {
				v, err = re, nil // an error element, not a failed read
			}
			if err != nil {
				return nil, err
			}
			arr[i] = v
		}
		return arr, nil
	}
	return nil, fmt.Errorf("unexpected reply %q", line)
}

// rawSet stores keys[i] = vals[i], pipelined, and checks every +OK.
func rawSet(addr string, keys, vals []string) error {
	r, err := dialRaw(addr)
	if err != nil {
		return err
	}
	defer r.c.Close()
	for i := range keys {
		r.write("SET", keys[i], vals[i])
	}
	if err := r.wr.Flush(); err != nil {
		return err
	}
	for i := range keys {
		s, err := r.reply()
		if err != nil {
			return fmt.Errorf("SET %s: %w", keys[i], err)
		}
		if s != "OK" {
			return fmt.Errorf("SET %s: %q", keys[i], s)
		}
	}
	return nil
}

// rawDo runs cmds on addr in one pipeline and fails on any error reply.
func rawDo(addr string, cmds [][]string) error {
	r, err := dialRaw(addr)
	if err != nil {
		return err
	}
	defer r.c.Close()
	for _, c := range cmds {
		r.write(c...)
	}
	if err := r.wr.Flush(); err != nil {
		return err
	}
	for _, c := range cmds {
		if _, err := r.value(); err != nil {
			return fmt.Errorf("%s %s: %w", c[0], c[1], err)
		}
	}
	return nil
}

// ---- Cluster: where each key goes, without any client under test ----

// nodeKeys is how many keys of the data set a primary holds.
type nodeKeys struct {
	addr string
	keys int
}

// rawSetCluster stores keys[i] = vals[i] on the primary serving each key's
// hash slot, as CLUSTER SLOTS on seed reports them, and returns how many
// keys went to each primary (every primary listed, in slot order). A key
// sent to the wrong node would fail with MOVED, so a wrong slot map or
// slot computation cannot go unnoticed.
func rawSetCluster(seed string, keys, vals []string) ([]nodeKeys, error) {
	owners, err := clusterSlots(seed)
	if err != nil {
		return nil, err
	}
	var out []nodeKeys
	index := map[string]int{}
	for _, a := range owners {
		if _, ok := index[a]; !ok {
			index[a] = len(out)
			out = append(out, nodeKeys{addr: a})
		}
	}
	byNode := make([]struct{ keys, vals []string }, len(out))
	for i, k := range keys {
		n := index[owners[keySlot(k)]]
		byNode[n].keys = append(byNode[n].keys, k)
		byNode[n].vals = append(byNode[n].vals, vals[i])
	}
	for n, kv := range byNode {
		if len(kv.keys) == 0 {
			continue
		}
		if err := rawSet(out[n].addr, kv.keys, kv.vals); err != nil {
			return nil, fmt.Errorf("node %s: %w", out[n].addr, err)
		}
		out[n].keys = len(kv.keys)
	}
	return out, nil
}

// clusterSlots returns the address of the primary of every hash slot, from
// CLUSTER SLOTS on seed. An empty or "?" host (a node that does not know
// its own address) stands for seed's host.
func clusterSlots(seed string) ([]string, error) {
	r, err := dialRaw(seed)
	if err != nil {
		return nil, err
	}
	defer r.c.Close()
	r.write("CLUSTER", "SLOTS")
	if err := r.wr.Flush(); err != nil {
		return nil, err
	}
	v, err := r.value()
	if err != nil {
		return nil, fmt.Errorf("CLUSTER SLOTS on %s: %w", seed, err)
	}
	seedHost, _, _ := net.SplitHostPort(seed)
	owners := make([]string, clusterSlotCount)
	ranges, _ := v.([]any)
	for _, x := range ranges {
		rg, _ := x.([]any)
		if len(rg) < 3 {
			return nil, fmt.Errorf("CLUSTER SLOTS: bad range %v", x)
		}
		lo, err1 := strconv.Atoi(fmt.Sprint(rg[0]))
		hi, err2 := strconv.Atoi(fmt.Sprint(rg[1]))
		node, _ := rg[2].([]any)
		if err1 != nil || err2 != nil || lo < 0 || hi >= clusterSlotCount || lo > hi || len(node) < 2 {
			return nil, fmt.Errorf("CLUSTER SLOTS: bad range %v", x)
		}
		host, _ := node[0].(string)
		if host == "" || host == "?" {
			host = seedHost
		}
		addr := net.JoinHostPort(host, fmt.Sprint(node[1]))
		for s := lo; s <= hi; s++ {
			owners[s] = addr
		}
	}
	for s, a := range owners {
		if a == "" {
			return nil, fmt.Errorf("CLUSTER SLOTS on %s: no node serves slot %d", seed, s)
		}
	}
	return owners, nil
}

// clusterSlotCount is the number of hash slots of a Redis Cluster.
const clusterSlotCount = 16384

// keySlot is the hash slot of key: CRC16 (XMODEM) of the key, or of its
// hash tag (the part between the first { and the next }, if not empty),
// modulo 16384.
func keySlot(key string) int {
	if i := strings.IndexByte(key, '{'); i >= 0 {
		if j := strings.IndexByte(key[i+1:], '}'); j > 0 {
			key = key[i+1 : i+1+j]
		}
	}
	return int(crc16(key)) % clusterSlotCount
}

// crc16 is CRC-16/XMODEM (polynomial 0x1021, initial value 0), the one
// Redis Cluster hashes keys with.
func crc16(s string) uint16 {
	var crc uint16
	for i := 0; i < len(s); i++ {
		crc ^= uint16(s[i]) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}

// redisVersion returns the server's redis_version from INFO server.
func redisVersion(addr string) (string, error) {
	r, err := dialRaw(addr)
	if err != nil {
		return "", err
	}
	defer r.c.Close()
	r.write("INFO", "server")
	if err := r.wr.Flush(); err != nil {
		return "", err
	}
	info, err := r.reply()
	if err != nil {
		return "", err
	}
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "redis_version:"); ok {
			return v, nil
		}
	}
	return "unknown", nil
}

var benchLine = regexp.MustCompile(`GET: ([0-9.]+) requests per second`)

// redisBenchmark runs redis-benchmark with args and parses the GET rate.
func redisBenchmark(args []string) (Ceiling, error) {
	bin, err := exec.LookPath("redis-benchmark")
	if err != nil {
		return Ceiling{}, fmt.Errorf("redis-benchmark not found (install redis-tools, or pass -ceiling=false): %w", err)
	}
	cmd := exec.Command(bin, args...)
	out, err := cmd.CombinedOutput()
	c := Ceiling{Command: "redis-benchmark " + strings.Join(args, " ")}
	// -q prints progress lines separated by \r; keep the final one.
	text := string(out)
	if i := strings.LastIndexByte(text, '\r'); i >= 0 {
		text = text[i+1:]
	}
	c.Output = strings.TrimSpace(text)
	if err != nil {
		return c, fmt.Errorf("%s: %w: %s", c.Command, err, c.Output)
	}
	m := benchLine.FindAllStringSubmatch(string(out), -1)
	if len(m) == 0 {
		return c, fmt.Errorf("%s: no GET rate in output %q", c.Command, c.Output)
	}
	c.OpsPerSec, _ = strconv.ParseFloat(m[len(m)-1][1], 64)
	return c, nil
}
