package main

// Statistics and the printed tables: the latency histogram, medians and
// spreads of per-round results, and the text report.

import (
	"fmt"
	"io"
	"math"
	"math/bits"
	"slices"
	"strings"
	"unicode/utf8"
)

// Latency histogram: log-linear buckets over nanoseconds. Values below
// histLinear get a bucket each; above, every power of two is split into
// histSub buckets, so a bucket is at most 1/32 (~3%) of its value wide.
// Recording is a few shifts and an increment: no allocation, no lock (each
// worker goroutine has its own histogram; they are merged after a run).
const (
	histLinear  = 64
	histSub     = 32
	histBuckets = histLinear + 58*histSub
)

type hist struct {
	counts [histBuckets]uint64
	n      uint64
}

func bucketOf(v uint64) int {
	if v < histLinear {
		return int(v)
	}
	shift := bits.Len64(v) - 6 // keep the top 6 bits: 1 + 5 for the sub-bucket
	top := v >> uint(shift)    // in [32, 63]
	return histLinear + (shift-1)*histSub + int(top-32)
}

// bucketMid returns the middle of bucket i, in nanoseconds.
func bucketMid(i int) float64 {
	if i < histLinear {
		return float64(i)
	}
	k := i - histLinear
	shift := k/histSub + 1
	top := float64(k%histSub + 32)
	return (top + 0.5) * math.Ldexp(1, shift)
}

func (h *hist) record(ns int64) {
	if ns < 0 {
		ns = 0
	}
	h.counts[bucketOf(uint64(ns))]++
	h.n++
}

func (h *hist) merge(o *hist) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
}

func (h *hist) reset() { *h = hist{} }

// quantile returns the q-quantile (0 < q <= 1) in nanoseconds, or 0 for an
// empty histogram.
func (h *hist) quantile(q float64) float64 {
	if h.n == 0 {
		return 0
	}
	target := uint64(math.Ceil(q * float64(h.n)))
	target = max(target, 1)
	var cum uint64
	for i, c := range h.counts {
		cum += c
		if cum >= target {
			return bucketMid(i)
		}
	}
	return bucketMid(histBuckets - 1)
}

// median returns the median of xs (the mean of the middle two for an even
// count), or 0 when xs is empty.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// humanOps formats an ops/s figure: 987, 45.1k, 1.23M.
func humanOps(x float64) string {
	switch {
	case x >= 1e6:
		return fmt.Sprintf("%.2fM", x/1e6)
	case x >= 1e4:
		return fmt.Sprintf("%.1fk", x/1e3)
	case x >= 1e3:
		return fmt.Sprintf("%.2fk", x/1e3)
	}
	return fmt.Sprintf("%.0f", x)
}

// humanNs formats a latency in nanoseconds.
func humanNs(ns float64) string {
	switch {
	case ns >= 1e9:
		return fmt.Sprintf("%.2fs", ns/1e9)
	case ns >= 1e6:
		return fmt.Sprintf("%.2fms", ns/1e6)
	case ns >= 1e3:
		return fmt.Sprintf("%.1fµs", ns/1e3)
	}
	return fmt.Sprintf("%.0fns", ns)
}

// printReport writes the text tables of rep to w.
func printReport(w io.Writer, rep *Report) {
	m := rep.Meta
	fmt.Fprintf(w, "\nrespkit/redis client comparison%s — %s\n", topologyTitle(m), m.Date)
	fmt.Fprintf(w, "machine: %s/%s, %d CPUs (GOMAXPROCS %d), %s, %s\n", m.GOOS, m.GOARCH, m.NumCPU, m.GOMAXPROCS, m.CPUModel, m.GoVersion)
	fmt.Fprintf(w, "load:    %s at start, %s at end (1/5/15-min load averages; other processes make results noisier)\n", m.LoadAvgStart, m.LoadAvgEnd)
	if m.Server != "" {
		fmt.Fprintf(w, "server:  %s\n", m.Server)
	}
	if m.Cluster != "" {
		fmt.Fprintf(w, "cluster: %s\n", m.Cluster)
		fmt.Fprintf(w, "         clients named <client>%s are the library's cluster client on it\n", clusterSuffix)
	}
	fmt.Fprintf(w, "redis:   %s\n", m.RedisVersion)
	fmt.Fprintf(w, "command: %s\n", m.CommandLine)
	var cl []string
	for _, c := range m.Clients {
		cl = append(cl, c.Name+" "+c.Version)
	}
	fmt.Fprintf(w, "clients: %s (default options)\n", strings.Join(cl, ", "))
	fmt.Fprintf(w, "method:  %d rounds × %s per client per round (+%s warm-up per client and workload), clients interleaved A B C, B C A, C A B, ...\n",
		m.Rounds, m.DurationPerRound, m.Warmup)
	fmt.Fprintf(w, "         ops/s = median of rounds; spread = %s; p50/p99 = %s;\n", m.Spread, m.Latency)
	fmt.Fprintf(w, "         allocs/op, B/op = runtime.MemStats deltas ÷ ops; CPU µs/op = getrusage(RUSAGE_SELF) user+sys ÷ ops (client process only); ×best = ops/s ÷ best client's\n")

	for _, mode := range rep.Modes() {
		fmt.Fprintf(w, "\n== ctx=%s: %s\n", mode, modeDoc(mode))
		if oh, ok := m.CtxOverhead[mode]; ok && mode == ctxDeadline {
			fmt.Fprintf(w, "   (the harness's WithTimeout+cancel alone costs %.1f allocs, %.0f B, %.0f ns per call, included in every client's figures below;",
				oh.AllocsPerCall, oh.BytesPerCall, oh.NsPerCall)
			if d, ok := m.CtxOverhead[mode+"+Done()"]; ok {
				fmt.Fprintf(w, " a client that calls ctx.Done() adds the lazily made channel: %.1f allocs, %.0f B in all", d.AllocsPerCall, d.BytesPerCall)
			}
			fmt.Fprintln(w, ")")
		}
		tw := &table{left: 2}
		tw.row("workload", "client", "ops/s", "spread (min–max)", "p50", "p99", "allocs/op", "B/op", "CPU µs/op", "×best")
		var notes []string
		for _, wl := range rep.WorkloadNames(mode) {
			label := wl // on the workload's first row only
			for _, r := range rep.Results {
				if r.Mode != mode || r.Workload != wl {
					continue
				}
				tw.row(label, r.Client, humanOps(r.OpsPerSec), humanOps(r.OpsPerSecMin)+"–"+humanOps(r.OpsPerSecMax),
					humanNs(r.P50Ns), humanNs(r.P99Ns), fmt.Sprintf("%.2f", r.AllocsPerOp), fmt.Sprintf("%.0f", r.BytesPerOp),
					fmt.Sprintf("%.2f", r.CPUMicrosPerOp), fmt.Sprintf("%.2f", r.RatioToBest))
				label = ""
			}
			for _, n := range rep.NotApplicable {
				if n.Mode != mode || n.Workload != wl {
					continue
				}
				tw.row(label, n.Client, "n/a", "-", "-", "-", "-", "-", "-", "-")
				label = ""
				notes = append(notes, fmt.Sprintf("n/a: %s on %s: %s", n.Client, n.Workload, n.Reason))
			}
		}
		tw.print(w)
		for _, n := range notes {
			fmt.Fprintf(w, "   %s\n", n)
		}

		// Paired per-round ratios: a column per (ours, other) pair.
		type pairKey struct{ ours, other string }
		var cols []pairKey
		for _, p := range rep.Paired {
			if k := (pairKey{p.Ours, p.Other}); p.Mode == mode && !slices.Contains(cols, k) {
				cols = append(cols, k)
			}
		}
		if len(cols) > 0 {
			fmt.Fprintf(w, "\n   paired per-round ratios, A ops/s ÷ B's in the same round: median of rounds [min–max]; \"vs B\" is A = %s\n", rep.Meta.Ours)
			tw = &table{left: 1}
			hdr := []string{"workload"}
			for _, k := range cols {
				sameTopology := strings.HasSuffix(k.ours, clusterSuffix) == strings.HasSuffix(k.other, clusterSuffix)
				if k.ours == rep.Meta.Ours && sameTopology {
					hdr = append(hdr, "vs "+k.other)
				} else {
					hdr = append(hdr, k.ours+" ÷ "+k.other)
				}
			}
			tw.row(hdr...)
			for _, wl := range rep.WorkloadNames(mode) {
				line := []string{wl}
				for _, k := range cols {
					p := rep.FindPaired(mode, wl, k.ours, k.other)
					if p == nil {
						line = append(line, "-")
						continue
					}
					line = append(line, fmt.Sprintf("%.2f [%.2f–%.2f]", p.MedianRatio, slices.Min(p.RoundRatios), slices.Max(p.RoundRatios)))
				}
				tw.row(line...)
			}
			tw.print(w)
		}

		// Best of each workload against the server's ceiling.
		if len(rep.Ceiling) > 0 {
			fmt.Fprintf(w, "\n   best client per workload vs the redis-benchmark ceiling (ops/s ÷ ceiling)\n")
			tw = &table{left: 2}
			hdr := []string{"workload", "best", "ops/s"}
			for _, c := range rep.Ceiling {
				hdr = append(hdr, "÷ "+c.Name)
			}
			tw.row(hdr...)
			for _, s := range rep.Workloads {
				if s.Mode != mode {
					continue
				}
				line := []string{s.Workload, s.Best, humanOps(s.BestOpsPerSec)}
				for _, c := range rep.Ceiling {
					line = append(line, fmt.Sprintf("%.2f", s.CeilingFraction[c.Name]))
				}
				tw.row(line...)
			}
			tw.print(w)
		}
	}
	if len(rep.Ceiling) > 0 {
		fmt.Fprintf(w, "\nceiling (redis-benchmark on the same server and machine):\n")
		width := 4
		for _, c := range rep.Ceiling {
			width = max(width, len(c.Name))
		}
		for _, c := range rep.Ceiling {
			fmt.Fprintf(w, "   %-*s %10s ops/s   %s\n", width, c.Name, humanOps(c.OpsPerSec), c.Command)
		}
		if m.Cluster != "" {
			fmt.Fprintf(w, "   (on the cluster, redis-benchmark --cluster spreads its clients over the primaries and reads keys with its own hash tags, which do not exist: nil replies)\n")
		}
	}
}

// topologyTitle says, for titles, what the clients ran against.
func topologyTitle(m Meta) string {
	switch m.Topology {
	case topoCluster:
		return fmt.Sprintf(" on a REDIS CLUSTER (%d primaries)", m.ClusterPrimaries)
	case topoCluster + "+" + topoSingle:
		return fmt.Sprintf(" on a REDIS CLUSTER (%d primaries) and a single server", m.ClusterPrimaries)
	}
	return ""
}

// table lays out rows in columns: the first left columns aligned left,
// the rest (numbers) aligned right, two spaces apart, indented by three.
type table struct {
	left int
	rows [][]string
}

func (t *table) row(cells ...string) { t.rows = append(t.rows, cells) }

func (t *table) print(w io.Writer) {
	var width []int
	for _, r := range t.rows {
		for i, c := range r {
			if i >= len(width) {
				width = append(width, 0)
			}
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
	}
	for _, r := range t.rows {
		var b strings.Builder
		b.WriteString("   ")
		for i, c := range r {
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(c))
			if i > 0 {
				b.WriteString("  ")
			}
			if i < t.left {
				b.WriteString(c + pad)
			} else {
				b.WriteString(pad + c)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}
