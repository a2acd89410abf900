package sim

import (
	"math"
	"math/rand/v2"

	"github.com/metabeta-go/metabeta/lmm"
)

// drawParams draws the prior from the hyperprior, the parameters from the
// prior, the random effects and the response of smp.Design, in that order.
//
// Hyperprior (standardized units): ν_k ~ U(Nu), τ_β,k ~ logU(TauBeta),
// τ_b,k ~ logU(TauRandom), τ_ε ~ logU(TauSigma). Prior and parameters:
// βc_k ~ N(ν_k, τ_β,k²) in the centred parametrization (lmm.Centred),
// σ_b,k ~ HalfNormal(τ_b,k), σ ~ HalfNormal(τ_ε), b_g ~ N(0, diag σ_b²),
// y = Xβ + Zb + ε with ε ~ N(0, σ²I). These are exact draws from the prior,
// with no rescaling of the realized effects, so that simulation-based
// calibration holds (Talts et al. 2018).
//
// With scale non-nil (predictors in their own units, not standardized),
// the hyperprior stays in standardized units and the prior is written in
// the design's units: for column k with sample SD s_k, the slope prior is
// N(ν_k/s_k, (τ_β,k/s_k)²) and a random slope's scale τ_b,k/s_k; the
// centred intercept, the random intercept and σ are unit-free in x and
// unchanged. This is the prior of the standardized model mapped exactly to
// the design's units, so the parameters stay exact draws from the prior the
// dataset carries.
func (s *Simulator) drawParams(rng *rand.Rand, smp *Sample, scale []float64) {
	c := &s.cfg
	des := smp.Design
	p, q, m, n := des.P(), des.Q(), des.M(), des.N()

	pr := lmm.Prior{
		BetaMean: make([]float64, p),
		BetaSD:   make([]float64, p),
		SDScale:  make([]float64, q),
	}
	for k := range p {
		pr.BetaMean[k] = uniform(rng, c.Nu.Min, c.Nu.Max)
		pr.BetaSD[k] = logUniform(rng, c.TauBeta.Min, c.TauBeta.Max)
	}
	for k := range q {
		pr.SDScale[k] = logUniform(rng, c.TauRandom.Min, c.TauRandom.Max)
	}
	pr.SigmaScale = logUniform(rng, c.TauSigma.Min, c.TauSigma.Max)
	if scale != nil {
		for k := range p {
			pr.BetaMean[k] /= scale[k]
			pr.BetaSD[k] /= scale[k]
		}
		for k, col := range des.RandomCol {
			pr.SDScale[k] /= scale[col]
		}
	}

	truth := lmm.Params{Beta: make([]float64, p), SigmaB: make([]float64, q)}
	for k := range p {
		truth.Beta[k] = pr.BetaMean[k] + pr.BetaSD[k]*rng.NormFloat64()
	}
	lmm.NewCentred(des).ToOriginal(truth.Beta, truth.Beta)
	for k := range q {
		truth.SigmaB[k] = halfNormal(rng, pr.SDScale[k])
	}
	truth.Sigma = halfNormal(rng, pr.SigmaScale)

	b := make([]float64, m*q)
	for g := range m {
		for k := range q {
			b[g*q+k] = c.Misspec.drawEffect(rng, truth.SigmaB[k])
		}
	}

	hetero := c.Misspec.Heteroscedastic
	norm := 1.0
	if hetero != 0 {
		if p < 2 {
			smp.Warnings = append(smp.Warnings, "heteroscedastic noise needs a predictor column; this dataset has none, so its noise is homoscedastic")
			hetero = 0
		} else {
			// Normalize so the mean residual variance over rows is σ².
			ss := 0.0
			for i := range n {
				w := math.Exp(hetero * des.X[i*p+1])
				ss += w * w
			}
			norm = math.Sqrt(ss / float64(n))
		}
	}

	for i := range n {
		row := des.X[i*p : (i+1)*p]
		eta := 0.0
		for k, v := range row {
			eta += v * truth.Beta[k]
		}
		bg := b[des.G[i]*q : des.G[i]*q+q]
		for k, col := range des.RandomCol {
			eta += row[col] * bg[k]
		}
		sd := truth.Sigma
		if hetero != 0 {
			sd *= math.Exp(hetero*row[1]) / norm
		}
		des.Y[i] = eta + c.Misspec.drawNoise(rng, sd)
	}

	smp.Prior = pr
	smp.Truth = truth
	smp.RandomEffects = b
}
