package reports

import (
	"fmt"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

// LossCurve is the input of LossPlot: the training and validation loss
// (negative log-likelihood) against the optimizer step.
type LossCurve struct {
	// Step holds the steps at which both losses were recorded.
	Step []float64
	// Train and Validation are the losses at those steps.
	Train, Validation []float64
}

// LossPlot draws the training and validation loss against the step.
func LossPlot(title string, c LossCurve) (*plot.Plot, error) {
	mustSameLen("loss curve", len(c.Step), c.Train, c.Validation)
	if len(c.Step) == 0 {
		return nil, fmt.Errorf("reports: loss plot %q: no points", title)
	}
	p := newPlot(title, "optimizer step", "negative log-likelihood (nats)")
	for k, s := range []struct {
		name string
		y    []float64
	}{{"training", c.Train}, {"validation", c.Validation}} {
		l, err := line(c.Step, s.y, palette[k%len(palette)], vg.Points(1.5))
		if err != nil {
			return nil, fmt.Errorf("reports: loss plot %q: %w", title, err)
		}
		p.Add(l)
		p.Legend.Add(s.name, l)
	}
	return p, nil
}
