package compare

import (
	"fmt"
	"html"
	"math"
	"strconv"
	"strings"
)

// palette colours the series of a chart, in order; the page must read without any asset.
var palette = []string{"#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#ca8a04", "#db2777"}

// series is one line of a chart.
type series struct {
	name   string
	color  string
	dashed bool
	xs, ys []float64
	// hollow marks points drawn as open circles (a capacity step that broke).
	hollow []bool
	dots   bool // draw a dot at every point
}

// chart is one SVG line chart; charts shown side by side share xMax and yMax.
type chart struct {
	title        string
	xUnit, yUnit string
	xMax, yMax   float64
	xIsRate      bool // x is visits/day, not seconds
	bars         bool // a horizontal bar per series (its first y), labelled with its name and value
	series       []series
}

const (
	chartW, chartH             = 420, 220
	padL, padR, padT, padB     = 52, 12, 22, 34
	plotW, plotH           int = chartW - padL - padR, chartH - padT - padB
)

// niceMax rounds v up to 1, 2, 2.5 or 5 times a power of ten, for axis labels.
func niceMax(v float64) float64 {
	if !(v > 0) || math.IsInf(v, 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

// divisions is how many grid steps split 0…max into round numbers: max is 1, 2, 2.5 or 5 times a
// power of ten (niceMax), so quarters of 1 and 2 and fifths of 2.5 and 5 are round.
func divisions(max float64) int {
	m := max / math.Pow(10, math.Floor(math.Log10(max)))
	if math.Abs(m-1) < 1e-9 || math.Abs(m-2) < 1e-9 {
		return 4
	}
	return 5
}

func f1(v float64) string { return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) }

// axisLabel formats a tick: 1.5M, 250k, 12, 0.5.
func axisLabel(v float64) string {
	switch a := math.Abs(v); {
	case a >= 1e6:
		return trim(v/1e6, 1) + "M"
	case a >= 1e3:
		return trim(v/1e3, 1) + "k"
	case a > 0 && a < 1:
		return trim(v, 2)
	}
	return trim(v, 1)
}

// clock formats seconds since the start as m:ss or h:mm:ss.
func clock(sec float64) string {
	s := int64(math.Round(sec))
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s%3600/60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// writeSVG writes c as an inline SVG element: axes, grid, lines and a legend. Every text is escaped.
func writeSVG(b *strings.Builder, c chart) {
	if c.bars {
		writeBars(b, c)
		return
	}
	esc := html.EscapeString
	xMax, yMax := c.xMax, niceMax(c.yMax*1.05)
	if xMax <= 0 {
		xMax = 1
	}
	x := func(v float64) string { return f1(float64(padL) + v/xMax*float64(plotW)) }
	y := func(v float64) string { return f1(float64(padT) + float64(plotH) - v/yMax*float64(plotH)) }
	fmt.Fprintf(b, `<svg class="chart" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s">`, chartW, chartH, chartW, chartH, esc(c.title))
	fmt.Fprintf(b, `<title>%s</title>`, esc(c.title))
	divs := divisions(yMax)
	for i := 0; i <= divs; i++ {
		v := yMax * float64(i) / float64(divs)
		fmt.Fprintf(b, `<line x1="%d" x2="%d" y1="%s" y2="%s" stroke="#d4d4d8" stroke-width="1"/>`, padL, padL+plotW, y(v), y(v))
		fmt.Fprintf(b, `<text x="%d" y="%s" text-anchor="end" dominant-baseline="middle" class="tick">%s</text>`, padL-6, y(v), esc(axisLabel(v)))
	}
	xTick := clock
	if c.xIsRate {
		xTick = axisLabel
	}
	base := padT + plotH + 14
	fmt.Fprintf(b, `<text x="%d" y="%d" class="tick">%s</text>`, padL, base, esc(xTick(0)))
	fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="end" class="tick">%s</text>`, padL+plotW, base, esc(xTick(xMax)))
	fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="middle" class="tick">%s</text>`, padL+plotW/2, base, esc(c.xUnit))
	fmt.Fprintf(b, `<text x="4" y="11" class="tick">%s</text>`, esc(c.yUnit))
	empty := true
	for _, s := range c.series {
		if len(s.xs) == 0 {
			continue
		}
		empty = false
		var pts []string
		for i := range s.xs {
			pts = append(pts, x(s.xs[i])+","+y(s.ys[i]))
		}
		dash := ""
		if s.dashed {
			dash = ` stroke-dasharray="6 4"`
		}
		fmt.Fprintf(b, `<polyline fill="none" stroke="%s" stroke-width="2"%s points="%s"><title>%s</title></polyline>`,
			s.color, dash, strings.Join(pts, " "), esc(s.name))
		for i := range s.xs {
			if !s.dots && len(s.xs) > 1 {
				break
			}
			fill := s.color
			if i < len(s.hollow) && s.hollow[i] {
				fill = "#ffffff"
			}
			fmt.Fprintf(b, `<circle cx="%s" cy="%s" r="3.5" fill="%s" stroke="%s" stroke-width="1.5"/>`, x(s.xs[i]), y(s.ys[i]), fill, s.color)
		}
	}
	if empty {
		fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="middle" class="tick">no data</text>`, padL+plotW/2, padT+plotH/2)
	}
	b.WriteString(`</svg>`)
	writeLegend(b, c.series)
}

// writeLegend names the series under a chart.
func writeLegend(b *strings.Builder, ss []series) {
	if len(ss) < 2 {
		return
	}
	b.WriteString(`<p class="legend">`)
	for _, s := range ss {
		fmt.Fprintf(b, `<span><svg width="18" height="8" aria-hidden="true"><line x1="0" x2="18" y1="4" y2="4" stroke="%s" stroke-width="3"/></svg> %s</span> `,
			s.color, html.EscapeString(s.name))
	}
	b.WriteString(`</p>`)
}

// writeBars writes a horizontal bar per series, longest = yMax, with its name and value.
func writeBars(b *strings.Builder, c chart) {
	esc := html.EscapeString
	const rowH, labelW, valueW = 30, 140, 130
	h := rowH*len(c.series) + 8
	w := chartW + 200
	fmt.Fprintf(b, `<svg class="chart bars" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s">`, w, h, w, h, esc(c.title))
	fmt.Fprintf(b, `<title>%s</title>`, esc(c.title))
	yMax := c.yMax
	if yMax <= 0 {
		yMax = 1
	}
	for i, s := range c.series {
		v := 0.0
		if len(s.ys) > 0 {
			v = s.ys[0]
		}
		top := 4 + i*rowH
		length := v / yMax * float64(w-labelW-valueW)
		fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="end" dominant-baseline="middle">%s</text>`, labelW-8, top+rowH/2, esc(s.name))
		fmt.Fprintf(b, `<rect x="%d" y="%d" width="%s" height="%d" fill="%s"><title>%s</title></rect>`, labelW, top+4, f1(length), rowH-8, s.color, esc(s.name+": "+count(v)+" visits/day"))
		fmt.Fprintf(b, `<text x="%s" y="%d" dominant-baseline="middle" class="tick">%s</text>`, f1(float64(labelW)+length+6), top+rowH/2, esc(count(v)))
	}
	b.WriteString(`</svg>`)
}
