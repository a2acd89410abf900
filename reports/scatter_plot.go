package reports

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Recovery is the data of a parameter-recovery scatter: for each simulated
// dataset, the true parameter against its estimate (e.g. the posterior
// mean), optionally with an interval (e.g. the central 95% credible
// interval).
type Recovery struct {
	// Param names the parameter.
	Param string
	// Truth and Estimate hold one value per dataset.
	Truth, Estimate []float64
	// Lo and Hi, when non-nil, are interval limits per dataset, drawn as
	// error bars.
	Lo, Hi []float64
}

// RecoveryPlot draws r: estimates against truths, the dashed identity line
// and, if given, the intervals as error bars. The title carries the
// Pearson correlation r. It panics if the slices differ in length.
func RecoveryPlot(r Recovery) (*plot.Plot, error) {
	n := len(r.Truth)
	mustSameLen("recovery", n, r.Estimate)
	if r.Lo != nil || r.Hi != nil {
		mustSameLen("recovery interval", n, r.Lo, r.Hi)
	}
	p, err := identityScatter(
		fmt.Sprintf("Recovery: %s (r = %.3f)", r.Param, correlation(r.Truth, r.Estimate)),
		"true value", "estimate", r.Truth, r.Estimate, r.Lo, r.Hi)
	if err != nil {
		return nil, fmt.Errorf("reports: recovery %q: %w", r.Param, err)
	}
	return p, nil
}

// Agreement is the data of an approximation-versus-reference scatter, e.g.
// NPE posterior means against NUTS posterior means on the same datasets.
type Agreement struct {
	// Param names the parameter; Statistic the compared summary, e.g.
	// "posterior mean".
	Param, Statistic string
	// ReferenceName and ApproxName label the axes, e.g. "NUTS", "NPE".
	ReferenceName, ApproxName string
	// Reference and Approx hold one value per dataset.
	Reference, Approx []float64
}

// AgreementPlot draws a: the approximation against the reference with the
// dashed identity line; the title carries the Pearson correlation r. It
// panics if the slices differ in length.
func AgreementPlot(a Agreement) (*plot.Plot, error) {
	mustSameLen("agreement", len(a.Reference), a.Approx)
	statistic := a.Statistic
	if statistic == "" {
		statistic = "estimate"
	}
	title := fmt.Sprintf("%s vs %s: %s %s (r = %.3f)", a.ApproxName, a.ReferenceName, a.Param, statistic, correlation(a.Reference, a.Approx))
	p, err := identityScatter(title, a.ReferenceName+" "+statistic, a.ApproxName+" "+statistic, a.Reference, a.Approx, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("reports: agreement %q: %w", a.Param, err)
	}
	return p, nil
}

// identityScatter draws y against x with the identity line over their
// joint range and optional error bars [lo, hi].
func identityScatter(title, xLabel, yLabel string, x, y, lo, hi []float64) (*plot.Plot, error) {
	if len(x) == 0 {
		return nil, errors.New("no points")
	}
	p := newPlot(title, xLabel, yLabel)
	minV, maxV := math.Inf(1), math.Inf(-1)
	for _, s := range [][]float64{x, y, lo, hi} {
		for _, v := range s {
			minV, maxV = math.Min(minV, v), math.Max(maxV, v)
		}
	}
	// Equal axis ranges, so the identity line is the diagonal.
	pad := 0.04 * (maxV - minV)
	p.X.Min, p.X.Max = minV-pad, maxV+pad
	p.Y.Min, p.Y.Max = minV-pad, maxV+pad
	id := referenceLine(minV, minV, maxV, maxV)
	p.Add(id)
	if lo != nil {
		errs := make(plotter.YErrors, len(x))
		for i := range errs {
			errs[i].Low, errs[i].High = y[i]-lo[i], hi[i]-y[i]
		}
		bars, err := plotter.NewYErrorBars(struct {
			plotter.XYs
			plotter.YErrors
		}{xys(x, y), errs})
		if err != nil {
			return nil, err
		}
		bars.Color = bandColor
		bars.Width = vg.Points(1.5)
		bars.CapWidth = 0
		p.Add(bars)
		// Error bars have no legend thumbnail; a line in their style stands in.
		p.Legend.Add("interval", &plotter.Line{LineStyle: bars.LineStyle})
	}
	s, err := scatter(x, y, dataColor)
	if err != nil {
		return nil, err
	}
	p.Add(s)
	p.Legend.Add("datasets", s)
	p.Legend.Add("identity", id)
	return p, nil
}

// correlation is the Pearson correlation of x and y, NaN with fewer than
// two points.
func correlation(x, y []float64) float64 {
	if len(x) < 2 {
		return math.NaN()
	}
	return stat.Correlation(x, y, nil)
}
