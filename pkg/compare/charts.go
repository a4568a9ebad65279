package compare

// chartRow is one measure charted for every target side by side, on shared scales. names are the
// figures' captions (a target's name; "" for a chart of all targets at once).
type chartRow struct {
	title  string
	names  []string
	charts []chart
}

// chartRows are the page's charts: throughput, latency and errors over time, the capacity steps
// and sustained rates, and the report timings.
func chartRows(r *Report) []chartRow {
	var rows []chartRow
	xMax := 0.0
	for _, t := range r.Targets {
		for _, p := range t.Series {
			xMax = max(xMax, p.ElapsedS)
		}
		for _, ps := range t.Probes {
			for _, p := range ps.Points {
				xMax = max(xMax, p.ElapsedS)
			}
		}
	}
	perTarget := func(title, unit string, lines func(Target) []series) chartRow {
		row := chartRow{title: title}
		yMax := 0.0
		for _, t := range r.Targets {
			ss := lines(t)
			for _, s := range ss {
				for _, v := range s.ys {
					yMax = max(yMax, v)
				}
			}
			row.names = append(row.names, t.Name)
			row.charts = append(row.charts, chart{title: t.Name + ": " + title, xUnit: "time since the start", yUnit: unit, xMax: xMax, series: ss})
		}
		for i := range row.charts {
			row.charts[i].yMax = yMax
		}
		return row
	}
	rows = append(rows,
		perTarget("Tracked hits per second", "hits/s", func(t Target) []series {
			return []series{pointLine("hits/s", palette[0], t.Series, func(p Point) float64 { return p.HitsPerSec })}
		}),
		perTarget("Tracking latency", "ms", func(t Target) []series {
			return []series{pointLine("p50", palette[2], t.Series, func(p Point) float64 { return p.LatencyP50ms }),
				pointLine("p95", palette[1], t.Series, func(p Point) float64 { return p.LatencyP95ms })}
		}),
		perTarget("Errors (invalid + failed) per interval", "% of hits", func(t Target) []series {
			return []series{pointLine("error share", palette[4], t.Series, func(p Point) float64 { return p.ErrorShare * 100 })}
		}))
	if r.Kind == KindCapacity {
		rows = append(rows, stepRow(r), sustainedRow(r))
	}
	if hasProbes(r) {
		rows = append(rows, perTarget("Report timings", "ms", func(t Target) []series {
			var ss []series
			for i, ps := range t.Probes {
				s := series{name: ps.Label, color: palette[i%len(palette)], dots: true}
				for _, p := range ps.Points {
					if p.OK {
						s.xs, s.ys = append(s.xs, p.ElapsedS), append(s.ys, p.Ms)
					}
				}
				ss = append(ss, s)
			}
			return ss
		}))
	}
	return rows
}

func pointLine(name, color string, pts []Point, f func(Point) float64) series {
	s := series{name: name, color: color}
	for _, p := range pts {
		s.xs, s.ys = append(s.xs, p.ElapsedS), append(s.ys, f(p))
	}
	return s
}

// stepRow charts each target's tracking p95 by the step's intended rate; steps that broke a
// threshold are open circles.
func stepRow(r *Report) chartRow {
	row := chartRow{title: "Capacity steps: tracking p95 by intended rate"}
	xMax, yMax := 0.0, 0.0
	for _, t := range r.Targets {
		for _, s := range t.Steps {
			xMax, yMax = max(xMax, s.VisitsPerDay), max(yMax, s.LatencyP95ms)
		}
	}
	for _, t := range r.Targets {
		s := series{name: "p95", color: palette[1], dots: true}
		for _, st := range sortedSteps(t) {
			s.xs, s.ys, s.hollow = append(s.xs, st.VisitsPerDay), append(s.ys, st.LatencyP95ms), append(s.hollow, !st.Held)
		}
		row.names = append(row.names, t.Name)
		row.charts = append(row.charts, chart{title: t.Name + ": tracking p95 by step (open: broke)", xUnit: "visits/day",
			yUnit: "ms", xMax: niceMax(xMax), yMax: yMax, xIsRate: true, series: []series{s}})
	}
	return row
}

// sustainedRow is one bar chart of every target's sustained rate.
func sustainedRow(r *Report) chartRow {
	c := chart{title: "Sustained visits/day per target", bars: true}
	for i, t := range r.Targets {
		v := 0.0
		if t.Capacity != nil {
			v = t.Capacity.SustainedVisitsPerDay
		}
		c.series = append(c.series, series{name: t.Name, color: palette[i%len(palette)], ys: []float64{v}})
		c.yMax = max(c.yMax, v)
	}
	return chartRow{title: "Sustained rate", names: []string{"visits/day every threshold held at"}, charts: []chart{c}}
}

func sortedSteps(t Target) []stepAtRate {
	out := make([]stepAtRate, 0, len(t.Steps))
	for _, s := range t.Steps {
		out = append(out, stepAtRate{s.VisitsPerDay, s.LatencyP95ms, s.Held})
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].VisitsPerDay < out[j-1].VisitsPerDay; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

type stepAtRate struct {
	VisitsPerDay, LatencyP95ms float64
	Held                       bool
}
