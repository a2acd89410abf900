package reports

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

// TimingSeries holds the wall-clock times of one method, one per dataset
// (or per run).
type TimingSeries struct {
	// Method names the estimator, e.g. "NPE" or "NUTS".
	Method string
	// Seconds holds the times; each must be positive and finite.
	Seconds []float64
}

// TimingPlot draws the empirical CDF of each series' times on a log₁₀ time
// axis, one coloured step line per method. Times that are not positive and
// finite are a data error.
func TimingPlot(title string, series []TimingSeries) (*plot.Plot, error) {
	if len(series) == 0 {
		return nil, fmt.Errorf("reports: timing plot %q: no series", title)
	}
	p := newPlot(title, "time (s, log scale)", "fraction of datasets ≤ time")
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	p.Y.Min, p.Y.Max = 0, 1
	// ECDFs rise to the right, leaving the bottom right free for the legend.
	p.Legend.Top, p.Legend.Left = false, false
	for k, s := range series {
		if len(s.Seconds) == 0 {
			return nil, fmt.Errorf("reports: timing plot %q: method %q has no times", title, s.Method)
		}
		t := slices.Clone(s.Seconds)
		for _, v := range t {
			if !(v > 0) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("reports: timing plot %q: method %q has time %v, want positive and finite", title, s.Method, v)
			}
		}
		slices.Sort(t)
		// Step function: F jumps from i/n to (i+1)/n at t[i].
		n := float64(len(t))
		x := make([]float64, 0, 2*len(t))
		y := make([]float64, 0, 2*len(t))
		for i, v := range t {
			x = append(x, v, v)
			y = append(y, float64(i)/n, float64(i+1)/n)
		}
		l, err := line(x, y, palette[k%len(palette)], vg.Points(1.5))
		if err != nil {
			return nil, fmt.Errorf("reports: timing plot %q: method %q: %w", title, s.Method, err)
		}
		p.Add(l)
		p.Legend.Add(s.Method, l)
	}
	// gonum pads a zero-width range to a minimum ≤ 0, which a log axis
	// cannot show: give equal times a range of a factor 2 each way.
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range series {
		lo, hi = math.Min(lo, slices.Min(s.Seconds)), math.Max(hi, slices.Max(s.Seconds))
	}
	if lo == hi {
		p.X.Min, p.X.Max = lo/2, hi*2
	}
	return p, nil
}
