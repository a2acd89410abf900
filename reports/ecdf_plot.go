package reports

import (
	"fmt"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

// ECDFDiff is the data of one SBC ECDF-difference plot (Säilynoja, Bürkner
// & Vehtari 2022, Stat. Comput. 32:32): the difference between the
// empirical CDF of the normalised ranks and the uniform CDF, F̂(zᵢ) − zᵢ,
// with a simultaneous band [lowerᵢ − zᵢ, upperᵢ − zᵢ]. The calibration code
// computes the numbers; reports only draws them.
type ECDFDiff struct {
	// Param names the parameter, e.g. "β₀".
	Param string
	// Z is the evaluation grid zᵢ in [0, 1], increasing.
	Z []float64
	// Diff is F̂(zᵢ) − zᵢ.
	Diff []float64
	// Lower and Upper are the band limits minus zᵢ.
	Lower, Upper []float64
	// Level is the simultaneous coverage of the band, e.g. 0.95 (used in
	// the legend; 0 omits the level).
	Level float64
}

// ECDFDiffPlot draws d: the shaded band, the ECDF difference as a line and
// a dashed zero line. It panics if the slices differ in length.
func ECDFDiffPlot(d ECDFDiff) (*plot.Plot, error) {
	n := len(d.Z)
	mustSameLen("ECDF difference", n, d.Diff, d.Lower, d.Upper)
	if n == 0 {
		return nil, fmt.Errorf("reports: ECDF difference %q: no points", d.Param)
	}
	// "ECDF" rather than F̂: the plot fonts do not place combining hats.
	p := newPlot("ECDF difference: "+d.Param, "normalised rank z", "ECDF(z) − z")
	b, err := band(d.Z, d.Lower, d.Upper)
	if err != nil {
		return nil, fmt.Errorf("reports: ECDF difference %q: %w", d.Param, err)
	}
	l, err := line(d.Z, d.Diff, dataColor, vg.Points(1.5))
	if err != nil {
		return nil, fmt.Errorf("reports: ECDF difference %q: %w", d.Param, err)
	}
	p.Add(b, referenceLine(d.Z[0], 0, d.Z[n-1], 0), l)
	p.Legend.Add(percentLabel(d.Level, "simultaneous band"), b)
	p.Legend.Add("ECDF − z", l)
	roomForLegend(p, d.Diff, d.Lower, d.Upper)
	return p, nil
}
