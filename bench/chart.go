package main

// The PNG chart: one panel per context mode, one group of bars per
// workload, one bar per client, each normalised to the best client of its
// workload (= 1.0), with the min–max spread of the rounds as a whisker.
// Drawn with image/png and the 7×13 bitmap font of
// golang.org/x/image/font/basicfont, scaled up by whole pixels.

import (
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"os"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// chartMain is the `chart` subcommand: render a JSON report as a PNG.
func chartMain(args []string) int {
	fs := flag.NewFlagSet("chart", flag.ExitOnError)
	in := fs.String("in", "bench-results.json", "JSON report written by a run (-json)")
	out := fs.String("out", "chart.png", "PNG file to write")
	fs.Parse(args)
	b, err := os.ReadFile(*in)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench chart:", err)
		return 1
	}
	var rep Report
	if err := json.Unmarshal(b, &rep); err != nil {
		fmt.Fprintf(os.Stderr, "bench chart: %s: %v\n", *in, err)
		return 1
	}
	if err := writeChart(&rep, *out); err != nil {
		fmt.Fprintln(os.Stderr, "bench chart:", err)
		return 1
	}
	fmt.Printf("chart written to %s\n", *out)
	return 0
}

// Palette: one colour per client, in table order; ours first.
var (
	barColors = []color.RGBA{
		{0xd6, 0x27, 0x28, 0xff}, // red
		{0x1f, 0x77, 0xb4, 0xff}, // blue
		{0x2c, 0xa0, 0x2c, 0xff}, // green
		{0xff, 0x7f, 0x0e, 0xff}, // orange
		{0x94, 0x67, 0xbd, 0xff}, // purple
		{0x8c, 0x56, 0x4b, 0xff}, // brown
	}
	colBackground = color.RGBA{0xff, 0xff, 0xff, 0xff}
	colText       = color.RGBA{0x20, 0x20, 0x20, 0xff}
	colMuted      = color.RGBA{0x60, 0x60, 0x60, 0xff}
	colGrid       = color.RGBA{0xdd, 0xdd, 0xdd, 0xff}
	colAxis       = color.RGBA{0x40, 0x40, 0x40, 0xff}
)

// Chart geometry, in pixels.
const (
	chartWidth  = 1800
	marginLeft  = 120
	marginRight = 40
	panelPlotH  = 380 // height of one panel's plot area
	panelGapTop = 60  // room for the panel title above the plot
	panelBottom = 80  // room for workload names under the plot
	yMax        = 1.15
)

// writeChart renders rep as a PNG file at path.
func writeChart(rep *Report, path string) error {
	img := renderChart(rep)
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func renderChart(rep *Report) *image.RGBA {
	modes := rep.Modes()
	clients := rep.ClientNames()
	m := rep.Meta

	// The legend: one item per client, in rows that fit the width.
	var items []string
	for _, c := range clients {
		items = append(items, c+" "+clientVersion(m, c))
	}
	const sw, gap, legendTop, legendRowH = 26, 44, 158, 34
	itemW := func(it string) int { return sw + 10 + textWidth(it, 2) }
	var rows [][]int // indexes into items
	rowW := 0
	for i, it := range items {
		if len(rows) == 0 || rowW+gap+itemW(it) > chartWidth-40 {
			rows = append(rows, nil)
			rowW = -gap
		}
		rows[len(rows)-1] = append(rows[len(rows)-1], i)
		rowW += gap + itemW(it)
	}

	headerH := 190 + legendRowH*max(len(rows)-1, 0)
	height := headerH + len(modes)*(panelGapTop+panelPlotH+panelBottom) + 50
	img := image.NewRGBA(image.Rect(0, 0, chartWidth, height))
	draw.Draw(img, img.Bounds(), image.NewUniform(colBackground), image.Point{}, draw.Src)

	// Header: title, machine, method, command line, legend.
	title := "Redis clients: ops/s relative to the best client per workload (best = 1.0)"
	switch m.Topology {
	case topoCluster:
		title = fmt.Sprintf("REDIS CLUSTER (%d primaries): ops/s relative to the best client per workload", m.ClusterPrimaries)
	case topoCluster + "+" + topoSingle:
		title = fmt.Sprintf("REDIS CLUSTER (%d primaries) and SINGLE SERVER: ops/s relative to the best", m.ClusterPrimaries)
	}
	titleScale := 3
	if textWidth(title, 3) > chartWidth-40 {
		titleScale = 2
	}
	drawText(img, chartWidth/2, 14, title, colText, titleScale, alignCenter)
	machine := fmt.Sprintf("%s/%s, %d CPUs (%s), %s, redis %s, %s",
		m.GOOS, m.GOARCH, m.NumCPU, m.CPUModel, m.GoVersion, m.RedisVersion, dateOnly(m.Date))
	drawText(img, chartWidth/2, 62, machine, colText, 2, alignCenter)
	method := fmt.Sprintf("bar = median ops/s of %d rounds x %s per client (interleaved) / best client's; whisker = min-max of rounds",
		m.Rounds, m.DurationPerRound)
	drawText(img, chartWidth/2, 94, method, colMuted, 2, alignCenter)
	cmdline := "command: " + m.CommandLine
	if maxChars := (chartWidth - 40) / (7 * 2); len(cmdline) > maxChars {
		cmdline = cmdline[:maxChars-3] + "..."
	}
	drawText(img, chartWidth/2, 124, cmdline, colMuted, 2, alignCenter)

	// Legend, each row centred.
	for r, row := range rows {
		total := -gap
		for _, i := range row {
			total += gap + itemW(items[i])
		}
		x, y := (chartWidth-total)/2, legendTop+r*legendRowH
		for _, i := range row {
			fillRect(img, x, y, sw, sw, barColors[i%len(barColors)])
			drawText(img, x+sw+10, y, items[i], colText, 2, alignLeft)
			x += gap + itemW(items[i])
		}
	}

	top := headerH
	for _, mode := range modes {
		drawPanel(img, rep, mode, clients, top)
		top += panelGapTop + panelPlotH + panelBottom
	}
	return img
}

func clientVersion(m Meta, name string) string {
	for _, c := range m.Clients {
		if c.Name == name {
			return c.Version
		}
	}
	return ""
}

func dateOnly(rfc string) string {
	if len(rfc) >= 16 {
		return strings.Replace(rfc[:16], "T", " ", 1)
	}
	return rfc
}

// drawPanel draws one context mode's grouped bars with top as the panel's
// upper edge.
func drawPanel(img *image.RGBA, rep *Report, mode string, clients []string, top int) {
	plotTop := top + panelGapTop
	plotBottom := plotTop + panelPlotH
	plotLeft, plotRight := marginLeft, chartWidth-marginRight
	yOf := func(v float64) int { return plotBottom - int(v/yMax*float64(panelPlotH)+0.5) }

	drawText(img, plotLeft, top+18, "ctx="+mode+": "+modeShort(mode), colText, 2, alignLeft)

	// Grid and Y ticks.
	for i := 0; i <= 5; i++ {
		v := float64(i) * 0.2
		y := yOf(v)
		c := colGrid
		if i == 0 {
			c = colAxis
		}
		fillRect(img, plotLeft, y, plotRight-plotLeft, 1, c)
		drawText(img, plotLeft-10, y-13, fmt.Sprintf("%.1f", v), colText, 2, alignRight)
	}
	fillRect(img, plotLeft, plotTop, 1, plotBottom-plotTop, colAxis)
	drawTextUp(img, 24, (plotTop+plotBottom)/2, "ops/s / best ops/s", colText, 2)

	wls := rep.WorkloadNames(mode)
	if len(wls) == 0 {
		return
	}
	groupW := float64(plotRight-plotLeft) / float64(len(wls))
	barW := int(groupW * 0.8 / float64(len(clients)))
	for gi, wl := range wls {
		gx := plotLeft + int(float64(gi)*groupW+groupW*0.1)
		best := 0.0
		for _, c := range clients {
			if r := rep.FindResult(mode, wl, c); r != nil && r.OpsPerSec > best {
				best = r.OpsPerSec
			}
		}
		for ci, c := range clients {
			x := gx + ci*barW
			r := rep.FindResult(mode, wl, c)
			if r == nil && rep.FindNotApplicable(mode, wl, c) != nil {
				// No bar: say so where it would stand.
				scale := 2
				if textWidth("n/a", 2) > barW+6 {
					scale = 1
				}
				drawText(img, x+barW/2, plotBottom-13*scale-4, "n/a", colMuted, scale, alignCenter)
				continue
			}
			if r == nil || best == 0 {
				continue
			}
			v := r.OpsPerSec / best
			y := yOf(v)
			fillRect(img, x+2, y, barW-4, plotBottom-y, barColors[ci%len(barColors)])
			// Whisker: min–max of the rounds, normalised the same way.
			lo, hi := yOf(r.OpsPerSecMin/best), max(yOf(r.OpsPerSecMax/best), plotTop) // a wild round is cut at the top of the plot
			mid := x + barW/2
			fillRect(img, mid-1, hi, 2, lo-hi+1, colText)
			fillRect(img, mid-6, hi, 12, 2, colText)
			fillRect(img, mid-6, lo, 12, 2, colText)
			label := fmt.Sprintf("%.2f", v)
			scale := 2
			if textWidth(label, 2) > barW+6 {
				scale = 1
			}
			drawText(img, mid, min(y, hi)-13*scale-4, label, colText, scale, alignCenter)
		}
		cx := gx + int(groupW*0.8)/2
		name := wl
		scale := 2
		if textWidth(name, 2) > int(groupW)-4 {
			scale = 1
		}
		drawText(img, cx, plotBottom+10, name, colText, scale, alignCenter)
		rate := "best " + humanOps(best) + "/s"
		if textWidth(rate, 2) > int(groupW)-4 {
			rate = humanOps(best) + "/s" // many workloads: the number alone, smaller
			scale = 2
			if textWidth(rate, 2) > int(groupW)-4 {
				scale = 1
			}
		}
		drawText(img, cx, plotBottom+42, rate, colMuted, scale, alignCenter)
	}
}

func modeShort(mode string) string {
	if mode == ctxDeadline {
		return "context.WithTimeout(ctx, 5s) per call"
	}
	return "context.Background() per call"
}

// ---- Pixels and text ----

func fillRect(img *image.RGBA, x, y, w, h int, c color.RGBA) {
	if w <= 0 || h <= 0 {
		return
	}
	draw.Draw(img, image.Rect(x, y, x+w, y+h), image.NewUniform(c), image.Point{}, draw.Src)
}

const (
	alignLeft = iota
	alignCenter
	alignRight
)

var chartFace = basicfont.Face7x13

// textWidth is the width of s drawn at scale.
func textWidth(s string, scale int) int {
	return font.MeasureString(chartFace, s).Ceil() * scale
}

// textMask renders s at scale 1 into an alpha mask.
func textMask(s string) *image.Alpha {
	w := font.MeasureString(chartFace, s).Ceil()
	mask := image.NewAlpha(image.Rect(0, 0, max(w, 1), chartFace.Height))
	d := font.Drawer{Dst: mask, Src: image.Opaque, Face: chartFace, Dot: fixed.P(0, chartFace.Ascent)}
	d.DrawString(s)
	return mask
}

// drawText draws s with its top edge at y, aligned on x, each font pixel
// scale×scale pixels.
func drawText(img *image.RGBA, x, y int, s string, c color.RGBA, scale int, align int) {
	mask := textMask(s)
	w := mask.Rect.Dx() * scale
	switch align {
	case alignCenter:
		x -= w / 2
	case alignRight:
		x -= w
	}
	for py := 0; py < mask.Rect.Dy(); py++ {
		for px := 0; px < mask.Rect.Dx(); px++ {
			if mask.AlphaAt(px, py).A >= 0x80 {
				fillRect(img, x+px*scale, y+py*scale, scale, scale, c)
			}
		}
	}
}

// drawTextUp draws s rotated a quarter turn anticlockwise (reading bottom
// to top), centred vertically on cy, with its top edge at x.
func drawTextUp(img *image.RGBA, x, cy int, s string, c color.RGBA, scale int) {
	mask := textMask(s)
	w := mask.Rect.Dx() * scale
	y0 := cy + w/2
	for py := 0; py < mask.Rect.Dy(); py++ {
		for px := 0; px < mask.Rect.Dx(); px++ {
			if mask.AlphaAt(px, py).A >= 0x80 {
				fillRect(img, x+py*scale, y0-(px+1)*scale, scale, scale, c)
			}
		}
	}
}
