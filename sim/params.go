package sim

import (
	"math"
	"math/rand/v2"

	"github.com/metabeta-go/metabeta/lmm"
)

// drawParams decides whether the random effects are correlated, then draws
// the prior from the hyperprior, the parameters from the prior, the random
// effects and the response of smp.Design, in that order.
//
// Correlation: with q = 2 effects, with probability CorrelatedQ2, and with
// q ≥ 3, CorrelatedQ3, the design is Correlated (its Formula then uses
// "|"). Hyperprior (standardized units): ν_k ~ U(Nu), τ_β,k ~
// logU(TauBeta), τ_b,k ~ logU(TauRandom), τ_ε ~ logU(TauSigma), and for a
// correlated design η ~ U(CorEta) (Prior.LKJ; 1 otherwise). Prior and
// parameters: βc_k ~ N(ν_k, τ_β,k²) in the centred parametrization
// (lmm.Centred), σ_b,k ~ HalfNormal(τ_b,k), σ ~ HalfNormal(τ_ε),
// b_g ~ N(0, diag σ_b²), or for a correlated design Ω = LLᵀ ~ LKJ(η) and
// b_g = diag(σ_b) L z_g with z_g ~ N(0, I), and y = Xβ + Zb + ε with
// ε ~ N(0, σ²I). These are exact draws from the prior,
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
	if c.drawCorrelated(rng, q) {
		des.Correlated = true
		des.Formula = formula(des)
	}

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
	pr.LKJ = 1 // brms's lkj(1); unused without correlations
	if des.Correlated {
		pr.LKJ = uniform(rng, c.CorEta.Min, c.CorEta.Max)
	}
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
	if des.Correlated {
		truth.Cor = drawCorrelatedEffects(rng, c.Misspec, pr.LKJ, truth.SigmaB, b)
	} else {
		for g := range m {
			for k := range q {
				b[g*q+k] = c.Misspec.drawEffect(rng, truth.SigmaB[k])
			}
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

// drawCorrelated decides whether a dataset with q random effects has
// correlated ones: with probability CorrelatedQ2 when q = 2 and
// CorrelatedQ3 when q ≥ 3. A zero probability draws nothing from rng.
func (c *Config) drawCorrelated(rng *rand.Rand, q int) bool {
	p := 0.0
	switch {
	case q == 2:
		p = c.CorrelatedQ2
	case q >= 3:
		p = c.CorrelatedQ3
	}
	return p > 0 && rng.Float64() < p
}

// drawCorrelatedEffects draws the Cholesky factor L of Ω ~ LKJ(eta) and
// the random effects b_g = diag(σ_b) L u_g of len(b)/q groups into b
// (group-major), with u_g's entries independent, of unit variance and of
// the shape mis.Effects (standard normal under the model), so that
// Cov(b_g) = diag(σ_b) Ω diag(σ_b) under every shape. It returns the
// correlations Ω_ij in the order of lmm.Design.Names.
func drawCorrelatedEffects(rng *rand.Rand, mis Misspec, eta float64, sigmaB, b []float64) []float64 {
	q := len(sigmaB)
	buf := make([]float64, q*q+q)
	l, u := LKJCholesky(rng, q, eta, buf[:q*q]), buf[q*q:]
	for g := 0; g < len(b); g += q {
		for k := range u {
			u[k] = mis.drawEffect(rng, 1)
		}
		for i := range q {
			s := 0.0
			for j, v := range l[i*q : i*q+i+1] {
				s += v * u[j]
			}
			b[g+i] = sigmaB[i] * s
		}
	}
	return lmm.CorFromCholesky(make([]float64, lmm.NumCor(q)), l, q)
}
