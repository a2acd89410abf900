package reports

import (
	"fmt"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// RankHistogram is the data of one SBC rank histogram (Talts et al. 2018,
// arXiv 1804.06788): the counts of ranks per bin, with the band [Lo, Hi]
// that a Binomial(N, 1/J) count falls in with probability Level under
// uniform ranks.
type RankHistogram struct {
	// Param names the parameter.
	Param string
	// Counts holds the number of ranks in each of the J bins.
	Counts []int
	// Lo and Hi are the count band, e.g. the 0.005 and 0.995 quantiles of
	// Binomial(N, 1/J).
	Lo, Hi float64
	// Level is the band's probability, e.g. 0.99 (0 omits it).
	Level float64
}

// RankHistogramPlot draws h: grey bars per bin, the shaded binomial band
// and a dashed line at the expected count N/J.
func RankHistogramPlot(h RankHistogram) (*plot.Plot, error) {
	j := len(h.Counts)
	if j == 0 {
		return nil, fmt.Errorf("reports: rank histogram %q: no bins", h.Param)
	}
	total := 0
	bins := make([]plotter.HistogramBin, j)
	for i, c := range h.Counts {
		bins[i] = plotter.HistogramBin{Min: float64(i), Max: float64(i + 1), Weight: float64(c)}
		total += c
	}
	p := newPlot("Rank histogram: "+h.Param, "rank bin", "count")
	b, err := band([]float64{0, float64(j)}, []float64{h.Lo, h.Lo}, []float64{h.Hi, h.Hi})
	if err != nil {
		return nil, fmt.Errorf("reports: rank histogram %q: %w", h.Param, err)
	}
	hist := &plotter.Histogram{Bins: bins, Width: 1, FillColor: barColor, LineStyle: plotter.DefaultLineStyle}
	hist.LineStyle.Width = vg.Points(0.5)
	expected := float64(total) / float64(j)
	ref := referenceLine(0, expected, float64(j), expected)
	// The band goes behind the translucent bars, so both stay visible.
	p.Add(b, hist, ref)
	counts := make([]float64, j)
	for i, c := range h.Counts {
		counts[i] = float64(c)
	}
	roomForLegend(p, counts, []float64{0, h.Lo}, []float64{h.Hi})
	p.Y.Min = 0
	p.Legend.Add("ranks", hist)
	p.Legend.Add(percentLabel(h.Level, "binomial band"), b)
	p.Legend.Add("expected N/J", ref)
	return p, nil
}
