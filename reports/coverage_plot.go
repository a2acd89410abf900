package reports

import (
	"fmt"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

// Coverage is the data of a coverage curve: at each nominal level of a
// central credible interval, the fraction of datasets whose interval
// covered the truth, with a band (e.g. the Beta(k+1, N−k+1) interval of the
// empirical coverage, as in the SBC package's plot_coverage).
type Coverage struct {
	// Param names the parameter.
	Param string
	// Nominal holds the nominal levels in [0, 1], increasing.
	Nominal []float64
	// Empirical holds the observed coverage at each level.
	Empirical []float64
	// Lo and Hi are the band around Empirical at each level.
	Lo, Hi []float64
	// Level is the band's probability, e.g. 0.95 (0 omits it).
	Level float64
}

// CoveragePlot draws c: empirical against nominal coverage with the shaded
// band, points on the curve and the dashed identity line of perfect
// calibration. It panics if the slices differ in length.
func CoveragePlot(c Coverage) (*plot.Plot, error) {
	n := len(c.Nominal)
	mustSameLen("coverage", n, c.Empirical, c.Lo, c.Hi)
	if n == 0 {
		return nil, fmt.Errorf("reports: coverage %q: no levels", c.Param)
	}
	p := newPlot("Coverage: "+c.Param, "nominal coverage", "empirical coverage")
	b, err := band(c.Nominal, c.Lo, c.Hi)
	if err != nil {
		return nil, fmt.Errorf("reports: coverage %q: %w", c.Param, err)
	}
	l, err := line(c.Nominal, c.Empirical, dataColor, vg.Points(1.5))
	if err != nil {
		return nil, fmt.Errorf("reports: coverage %q: %w", c.Param, err)
	}
	s, err := scatter(c.Nominal, c.Empirical, dataColor)
	if err != nil {
		return nil, fmt.Errorf("reports: coverage %q: %w", c.Param, err)
	}
	id := referenceLine(0, 0, 1, 1)
	p.Add(b, id, l, s)
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
	p.Legend.Add(percentLabel(c.Level, "band"), b)
	p.Legend.Add("empirical", l, s)
	p.Legend.Add("nominal", id)
	return p, nil
}
