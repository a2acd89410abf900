package reports

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Colours shared by the plots: a blue band behind dark data, a grey
// reference line, and a small qualitative palette (Okabe–Ito) for series.
var (
	bandColor = color.NRGBA{R: 0x56, G: 0xb4, B: 0xe9, A: 0x55}
	dataColor = color.NRGBA{R: 0x00, G: 0x3f, B: 0x7f, A: 0xff}
	refColor  = color.NRGBA{R: 0x80, G: 0x80, B: 0x80, A: 0xff}
	barColor  = color.NRGBA{R: 0x40, G: 0x40, B: 0x40, A: 0x66}
	palette   = []color.Color{
		color.NRGBA{R: 0x00, G: 0x72, B: 0xb2, A: 0xff},
		color.NRGBA{R: 0xd5, G: 0x5e, B: 0x00, A: 0xff},
		color.NRGBA{R: 0x00, G: 0x9e, B: 0x73, A: 0xff},
		color.NRGBA{R: 0xcc, G: 0x79, B: 0xa7, A: 0xff},
		color.NRGBA{R: 0xe6, G: 0x9f, B: 0x00, A: 0xff},
		color.NRGBA{R: 0x56, G: 0xb4, B: 0xe9, A: 0xff},
	}
)

// newPlot returns a plot with a title, axis labels, a light grid and the
// legend in the top left.
func newPlot(title, x, y string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = x
	p.Y.Label.Text = y
	p.Legend.Top = true
	p.Legend.Left = true
	g := plotter.NewGrid()
	g.Vertical.Color = color.Gray{Y: 0xe0}
	g.Horizontal.Color = color.Gray{Y: 0xe0}
	p.Add(g)
	return p
}

// legendRoom is the fraction of the data's vertical range added above it
// so the legend in the top left does not cover bands or data.
const legendRoom = 0.35

// roomForLegend sets the y range to that of the values plus legendRoom of
// it on top.
func roomForLegend(p *plot.Plot, values ...[]float64) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, vs := range values {
		for _, v := range vs {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	if lo > hi {
		return
	}
	pad := 0.05 * (hi - lo)
	p.Y.Min, p.Y.Max = lo-pad, hi+legendRoom*(hi-lo)
}

// band returns a filled polygon between lower(x) and upper(x).
func band(x, lower, upper []float64) (*plotter.Polygon, error) {
	ring := make(plotter.XYs, 0, 2*len(x))
	for i := range x {
		ring = append(ring, plotter.XY{X: x[i], Y: upper[i]})
	}
	for i := len(x) - 1; i >= 0; i-- {
		ring = append(ring, plotter.XY{X: x[i], Y: lower[i]})
	}
	poly, err := plotter.NewPolygon(ring)
	if err != nil {
		return nil, fmt.Errorf("reports: band: %w", err)
	}
	poly.Color = bandColor
	poly.LineStyle.Width = 0
	return poly, nil
}

// line returns a solid line through (x[i], y[i]).
func line(x, y []float64, c color.Color, width vg.Length) (*plotter.Line, error) {
	l, err := plotter.NewLine(xys(x, y))
	if err != nil {
		return nil, fmt.Errorf("reports: line: %w", err)
	}
	l.Color = c
	l.Width = width
	return l, nil
}

// referenceLine returns a dashed grey line from (x0, y0) to (x1, y1), used
// for the identity and zero lines.
func referenceLine(x0, y0, x1, y1 float64) *plotter.Line {
	l := &plotter.Line{XYs: plotter.XYs{{X: x0, Y: y0}, {X: x1, Y: y1}}, LineStyle: plotter.DefaultLineStyle}
	l.Color = refColor
	l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	return l
}

func xys(x, y []float64) plotter.XYs {
	pts := make(plotter.XYs, len(x))
	for i := range x {
		pts[i] = plotter.XY{X: x[i], Y: y[i]}
	}
	return pts
}

// scatter returns round points in colour c.
func scatter(x, y []float64, c color.Color) (*plotter.Scatter, error) {
	s, err := plotter.NewScatter(xys(x, y))
	if err != nil {
		return nil, fmt.Errorf("reports: scatter: %w", err)
	}
	s.GlyphStyle = draw.GlyphStyle{Color: c, Radius: vg.Points(2.5), Shape: draw.CircleGlyph{}}
	return s, nil
}

// mustSameLen panics unless every slice has length n: a mismatch is a
// programmer error.
func mustSameLen(what string, n int, slices ...[]float64) {
	for _, s := range slices {
		if len(s) != n {
			panic(fmt.Sprintf("reports: %s: slice lengths differ (%d and %d)", what, n, len(s)))
		}
	}
}

// percentLabel names a band level such as 0.95 as "95% band".
func percentLabel(level float64, what string) string {
	if level <= 0 || level >= 1 {
		return what
	}
	return fmt.Sprintf("%g%% %s", 100*level, what)
}
