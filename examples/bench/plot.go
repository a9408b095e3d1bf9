package main

import (
	"bytes"
	"fmt"
	"math"
	"time"
)

// plot draws round trips against project count, one line per strategy and
// organization, on a logarithmic x axis and a logarithmic y axis, as SVG.
func plot(rows []row, latency time.Duration) []byte {
	const w, h, left, right, top, bottom = 760.0, 440.0, 70.0, 190.0, 40.0, 60.0
	colors := map[string]string{"reference": "#d62728", "per-project": "#ff7f0e", "process": "#1f77b4", "warm": "#2ca02c"}
	order := []string{"reference", "per-project", "process", "warm"}

	minX, maxX := math.Inf(1), math.Inf(-1)
	minY, maxY := math.Inf(1), math.Inf(-1)
	for _, r := range rows {
		x, y := float64(r.Projects), math.Max(r.RoundTrips, 1e-6)
		minX, maxX = math.Min(minX, x), math.Max(maxX, x)
		minY, maxY = math.Min(minY, y), math.Max(maxY, y)
	}
	minY = math.Pow(10, math.Floor(math.Log10(minY)))
	maxY = math.Pow(10, math.Ceil(math.Log10(maxY)))
	if minX == maxX {
		maxX = minX * 10
	}
	px := func(x float64) float64 {
		return left + (math.Log10(x)-math.Log10(minX))/(math.Log10(maxX)-math.Log10(minX))*(w-left-right)
	}
	py := func(y float64) float64 {
		y = math.Max(y, minY)
		return h - bottom - (math.Log10(y)-math.Log10(minY))/(math.Log10(maxY)-math.Log10(minY))*(h-top-bottom)
	}

	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="sans-serif" font-size="12">`+"\n", w, h, w, h)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(&b, `<text x="%.0f" y="22" font-size="14">Round trips to build the form (latency %v per request; log scales)</text>`+"\n", left, latency)
	for y := minY; y <= maxY*1.0001; y *= 10 {
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#ddd"/>`+"\n", left, py(y), w-right, py(y))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="end">%g</text>`+"\n", left-6, py(y)+4, y)
	}
	seen := map[int]bool{}
	for _, r := range rows {
		if seen[r.Projects] {
			continue
		}
		seen[r.Projects] = true
		x := px(float64(r.Projects))
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#ddd"/>`+"\n", x, top, x, h-bottom)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">%d</text>`+"\n", x, h-bottom+18, r.Projects)
	}
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">projects</text>`+"\n", (left+w-right)/2, h-14)
	fmt.Fprintf(&b, `<text x="18" y="%.1f" text-anchor="middle" transform="rotate(-90 18 %.1f)">round trips (wall / latency)</text>`+"\n", (top+h-bottom)/2, (top+h-bottom)/2)
	// One line per strategy and organization: solid for system processes,
	// dashed for inherited ones.
	i := 0
	for _, org := range []string{"system", "inherited"} {
		for _, name := range order {
			var pts bytes.Buffer
			for _, r := range rows {
				if r.Strategy == name && r.Org == org {
					fmt.Fprintf(&pts, "%.1f,%.1f ", px(float64(r.Projects)), py(r.RoundTrips))
				}
			}
			if pts.Len() == 0 {
				continue
			}
			dash, label := "", name
			if org == "inherited" {
				dash, label = ` stroke-dasharray="6 4"`, name+" (inh.)"
			}
			fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2"%s points="%s"/>`+"\n", colors[name], dash, bytes.TrimSpace(pts.Bytes()))
			ly := top + 20 + float64(i)*20
			i++
			fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="2"%s/>`+"\n", w-right+12, ly, w-right+36, ly, colors[name], dash)
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f">%s</text>`+"\n", w-right+42, ly+4, label)
		}
	}
	b.WriteString("</svg>\n")
	return b.Bytes()
}
