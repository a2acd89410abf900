package calibration

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestPITCoverageMatchesDrawCoverage: for exact posteriors (draws and truth
// from the same distribution) the PIT route and the draw route agree, and
// both are within 4 Monte Carlo SE of nominal.
func TestPITCoverageMatchesDrawCoverage(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const n, s = 400, 1000
	draws := make([][]float64, n)
	truths := make([]float64, n)
	pits := make([]float64, n)
	for i := range draws {
		draws[i] = make([]float64, s)
		for j := range draws[i] {
			draws[i][j] = rng.NormFloat64()
		}
		truths[i] = rng.NormFloat64()
		below := 0
		for _, v := range draws[i] {
			if v < truths[i] {
				below++
			}
		}
		pits[i] = float64(below) / s
	}
	a := NewCoverage(draws, truths, DefaultCoverageLevels)
	b := NewPITCoverage(pits, DefaultCoverageLevels)
	for j, q := range DefaultCoverageLevels {
		// One draw at each end of the interval is the only difference.
		if math.Abs(a.Coverage[j]-b.Coverage[j]) > 3.0/n {
			t.Errorf("level %.2f: draw coverage %.4f, PIT coverage %.4f", q, a.Coverage[j], b.Coverage[j])
		}
		if math.Abs(b.Coverage[j]-q) > 4*b.SE[j] {
			t.Errorf("level %.2f: coverage %.4f, more than 4 SE (%.4f) from nominal", q, b.Coverage[j], b.SE[j])
		}
	}
}
