package calibration

import (
	"math"
	"math/rand/v2"
	"testing"
)

// conjugateReplicates simulates n datasets of the normal-mean model with
// known variance, θ ~ N(0, 1), yᵢ | θ ~ N(θ, 1), i = 1..obs, whose
// posterior is N(Σy/(obs+1), 1/(obs+1)) in closed form (conjugate normal
// prior; e.g. Gelman et al., BDA3, Sec. 2.5). It returns the truths and s
// draws per dataset from that posterior with its SD multiplied by
// sdFactor (1 = exact).
func conjugateReplicates(rng *rand.Rand, n, obs, s int, sdFactor float64) (truths []float64, draws [][]float64) {
	truths = make([]float64, n)
	draws = make([][]float64, n)
	for i := range truths {
		theta := rng.NormFloat64()
		sum := 0.0
		for range obs {
			sum += theta + rng.NormFloat64()
		}
		mean := sum / float64(obs+1)
		sd := sdFactor / math.Sqrt(float64(obs+1))
		truths[i] = theta
		draws[i] = make([]float64, s)
		for j := range draws[i] {
			draws[i][j] = mean + sd*rng.NormFloat64()
		}
	}
	return truths, draws
}

func TestCoverageOfExactPosterior(t *testing.T) {
	// N = 1000 datasets, S = 1000 exact posterior draws each: coverage at
	// every level within 4·√(q(1−q)/N) of nominal and |ECE| < 4·SE(ECE).
	truths, draws := conjugateReplicates(newRand(8, 1), 1000, 5, 1000, 1)
	c := NewCoverage(draws, truths, DefaultCoverageLevels)
	for j, q := range c.Levels {
		checkMC(t, "coverage", c.Coverage[j], q, c.SE[j])
	}
	checkMC(t, "ECE", c.ECE, 0, c.ECESE)
	if len(c.Warnings) != 0 {
		t.Errorf("unexpected warnings %q", c.Warnings)
	}
	// The MC SE of ĉ(0.95) at N = 1000 is 0.0069 (calibration.md §2).
	checkClose(t, "SE(0.95)", c.SE[len(c.SE)-1], 0.0069, 0.00005)
	// Ranks of the same truths: rank-based coverage is calibrated too.
	rng := newRand(8, 2)
	ranks := make([]int, len(truths))
	for i := range ranks {
		ranks[i] = Rank(rng, draws[i][:99], truths[i])
	}
	rc := NewRankCoverage(ranks, 99, DefaultCoverageLevels)
	for j := range rc.Levels {
		checkMC(t, "rank coverage", rc.Coverage[j], rc.Represented[j], rc.SE[j])
	}
}

func TestCoverageOfOverconfidentPosterior(t *testing.T) {
	// Posterior SD halved: the 95% interval covers 2Φ(1.96/2) − 1 =
	// 0.6714 of truths (closed form), so ECE is far below zero.
	truths, draws := conjugateReplicates(newRand(9, 1), 400, 5, 400, 0.5)
	c := NewCoverage(draws, truths, DefaultCoverageLevels)
	j := len(c.Levels) - 1
	want := math.Erf(1.959963984540054 / 2 / math.Sqrt2)
	checkMC(t, "coverage(0.95), SD halved", c.Coverage[j], want, math.Sqrt(want*(1-want)/400))
	if !(c.ECE < -4*c.ECESE) {
		t.Errorf("ECE = %v ± %v, want clearly negative", c.ECE, c.ECESE)
	}
	checkClose(t, "EACE = −ECE when every level under-covers", c.EACE, -c.ECE, 1e-12)
	if !(c.EACE > 4*c.EACESE && c.EACE > c.EACENull) {
		t.Errorf("EACE = %v ± %v (null %v), want clearly positive", c.EACE, c.EACESE, c.EACENull)
	}
}

func TestRankCoverageIntervals(t *testing.T) {
	// SBC empirical_coverage by hand, L = 99, q = 0.5: n_cov = 50,
	// low = round(24.5) = 24 (half to even, as R), high = 73; the ranks
	// 24 and 73 are covered, 23 and 74 not.
	c := NewRankCoverage([]int{23, 24, 73, 74}, 99, []float64{0.5})
	checkClose(t, "represented", c.Represented[0], 0.5, 0)
	checkClose(t, "coverage", c.Coverage[0], 0.5, 0)
}

func TestCentralInterval(t *testing.T) {
	// Type-7 quantiles of 1, 2, 3, 4, 10 (diagnostics.SortedQuantile, which
	// diagnostics' tests check against R).
	x := []float64{1, 2, 3, 4, 10}
	lo, hi := CentralInterval(x, 0.5)
	// Q(0.25) = 2 and Q(0.75) = 4 (h = 1 and 3, exact order statistics).
	checkClose(t, "CI lo", lo, 2, 0)
	checkClose(t, "CI hi", hi, 4, 0)
}

func TestCoverageBand(t *testing.T) {
	// 180 of N = 200 intervals cover: the 95% band is the 0.025 and 0.975
	// quantiles of Beta(181, 21), from R qbeta (testdata/reference.R).
	c := Coverage{Coverage: []float64{0.9}, N: 200}
	lo, hi := c.Band(0.95)
	checkClose(t, "band lo", lo[0], 0.85051346645359, 1e-9)
	checkClose(t, "band hi", hi[0], 0.934154142148472, 1e-9)
}
