package estimator

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/metabeta-go/metabeta/lmm"
	"github.com/metabeta-go/metabeta/psis"
)

// Importance is the result of Pareto-smoothed importance sampling of a
// proposal Posterior (NPE or Laplace) against the exact posterior p(θ | y).
type Importance struct {
	// KHat is the Pareto shape estimate of the weights' tail, and
	// Threshold the sample-size dependent bound min(1 − 1/log10 S, 0.7)
	// above which the weights are unreliable (Vehtari et al. 2024, §3.2.3).
	KHat, Threshold float64
	// ESS is the effective sample size 1/Σ w̃² of the smoothed
	// normalized weights w̃.
	ESS float64
	// LogWeights are the raw log weights log p(θ, y) − log q(θ), and
	// Weights the smoothed normalized weights (summing to one).
	LogWeights, Weights []float64
	// Resampled is the posterior resampled with replacement in proportion
	// to Weights, n draws (global draws, θ, random effects and LogQ move
	// together).
	Resampled *Posterior
	// Warnings note non-finite weights and carry the warnings of package
	// psis, among them a k̂ above Threshold.
	Warnings []string
}

// ImportanceSample reweights the draws of post (from Sample, SampleBatch or
// SampleLaplace on d and pr: any proposal with its exact log q) by
// w = p(θ, y)/q(θ), with log p(θ, y) the exact collapsed log density of
// lmm (random effects integrated out) on the original design at the
// unconstrained θ and log q the proposal's density in the same coordinates,
// smooths the weights by PSIS (package psis) and resamples n draws from rng
// (n may differ from post.N: more proposal draws than the caller keeps give
// a more reliable k̂). The random effects need no weight: they are exact
// draws from p(b | θ, y).
func ImportanceSample(d *lmm.Design, pr lmm.Prior, post *Posterior, n int, rng *rand.Rand) (*Importance, error) {
	if err := pr.Check(d); err != nil {
		return nil, fmt.Errorf("estimator: importance sampling: %w", err)
	}
	if post.Dim != d.Dim() {
		panic("estimator: ImportanceSample: posterior does not match the design")
	}
	if n <= 0 {
		panic("estimator: ImportanceSample needs n > 0")
	}
	coll := lmm.NewCollapsed(d, pr)
	s, dim := post.N, post.Dim
	res := &Importance{LogWeights: make([]float64, s), Weights: make([]float64, s)}
	finite := 0
	for r := 0; r < s; r++ {
		lw := coll.LogDensity(post.Theta[r*dim:(r+1)*dim]) - post.LogQ[r]
		if math.IsNaN(lw) {
			lw = math.Inf(-1)
		}
		if !math.IsInf(lw, 0) {
			finite++
		}
		res.LogWeights[r] = lw
	}
	if finite == 0 {
		return nil, fmt.Errorf("estimator: importance sampling: no draw has a finite weight")
	}
	if finite < s {
		res.Warnings = append(res.Warnings, fmt.Sprintf("%d of %d draws have zero or non-finite weight", s-finite, s))
	}
	smoothed, ps := psis.Smooth(res.LogWeights)
	psis.Normalize(res.Weights, smoothed)
	res.KHat, res.Threshold, res.ESS = ps.K, ps.Threshold, ps.ESS
	res.Warnings = append(res.Warnings, ps.Warnings...) // among them a k̂ above Threshold, said once
	res.Resampled = resample(post, res.Weights, n, rng)
	return res, nil
}

// resample draws n rows of post with replacement, row r with probability
// w_r, by systematic resampling (one uniform, then n evenly spaced points
// on the cumulative weights).
func resample(post *Posterior, w []float64, n int, rng *rand.Rand) *Posterior {
	s, dim, e := post.N, post.Dim, post.Effects
	out := *post
	out.N = n
	out.Draws = make([]float64, n*dim)
	out.Theta = make([]float64, n*dim)
	out.LogQ = make([]float64, n)
	out.RandomEffects = make([]float64, n*e)
	u := rng.Float64() / float64(n)
	cum, src := w[0], 0
	for r := 0; r < n; r++ {
		pt := u + float64(r)/float64(n)
		for pt > cum && src < s-1 {
			src++
			cum += w[src]
		}
		copy(out.Draws[r*dim:(r+1)*dim], post.Draws[src*dim:(src+1)*dim])
		copy(out.Theta[r*dim:(r+1)*dim], post.Theta[src*dim:(src+1)*dim])
		copy(out.RandomEffects[r*e:(r+1)*e], post.RandomEffects[src*e:(src+1)*e])
		out.LogQ[r] = post.LogQ[src]
	}
	return &out
}
