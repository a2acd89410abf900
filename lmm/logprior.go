package lmm

import (
	"fmt"
	"math"
)

// thetaPrior is the prior density of the global parameters expressed on the
// unconstrained collapsed θ = [βc, log σ_b, log σ], Jacobian included:
//
//	log p(θ) = Σ_k log N(βc_k | BetaMean_k, BetaSD_k²)
//	         + Σ_k [log HalfNormal(σ_b,k | SDScale_k) + log σ_b,k]
//	         + log HalfNormal(σ | SigmaScale) + log σ,
//
// with log HalfNormal(x | c) = log 2 − ½ log 2π − log c − x²/(2c²), and for
// correlated effects the LKJ(η) density of the Cholesky factor L(y) with the
// log-Jacobian of CorCholesky (corLogDensity). All
// normalizing constants are kept (in constant), so exp(log p(θ)) integrates
// to one over θ.
type thetaPrior struct {
	mean, sd   []float64 // normal priors of βc
	sdScale    []float64 // half-normal scales of σ_b
	sigmaScale float64   // half-normal scale of σ
	constant   float64   // sum of the log normalizing constants

	ncor     int       // number of correlations (0: uncorrelated)
	lkjDiag  []float64 // coefficients of log L_ii in the LKJ density (lkjDiagCoef)
	lkjConst float64   // −log c_Q(η)
}

// newThetaPrior copies pr for a model of p fixed and q random effects with
// ncor correlations. It panics on a length mismatch, a scale that is not
// positive and finite, or (when ncor > 0) an LKJ shape that is not.
func newThetaPrior(pr Prior, p, q, ncor int) thetaPrior {
	if len(pr.BetaMean) != p || len(pr.BetaSD) != p || len(pr.SDScale) != q {
		panic(fmt.Sprintf("lmm: prior has %d/%d/%d entries, want P=%d, P=%d, Q=%d",
			len(pr.BetaMean), len(pr.BetaSD), len(pr.SDScale), p, p, q))
	}
	tp := thetaPrior{
		mean:       append([]float64(nil), pr.BetaMean...),
		sd:         append([]float64(nil), pr.BetaSD...),
		sdScale:    append([]float64(nil), pr.SDScale...),
		sigmaScale: pr.SigmaScale,
	}
	scales := append(append([]float64{pr.SigmaScale}, pr.BetaSD...), pr.SDScale...)
	for _, s := range scales {
		if !(s > 0) || math.IsInf(s, 0) {
			panic(fmt.Sprintf("lmm: prior scale %g is not positive and finite", s))
		}
	}
	for k := range tp.sd {
		tp.constant += -0.5*log2Pi - math.Log(tp.sd[k])
	}
	if ncor > 0 {
		if !(pr.LKJ > 0) || math.IsInf(pr.LKJ, 0) {
			panic(fmt.Sprintf("lmm: LKJ shape %g is not positive and finite", pr.LKJ))
		}
		tp.ncor = ncor
		tp.lkjDiag = lkjDiagCoef(make([]float64, q), q, pr.LKJ)
		tp.lkjConst = lkjLogConstant(q, pr.LKJ)
	}
	for _, c := range append(append([]float64(nil), tp.sdScale...), tp.sigmaScale) {
		tp.constant += math.Ln2 - 0.5*log2Pi - math.Log(c)
	}
	return tp
}

// logDensity returns log p(θ) for the first P+Q+1 entries of theta and, when
// grad is not nil, adds its gradient to the first P+Q+1 entries of grad.
func (tp *thetaPrior) logDensity(theta, grad []float64) float64 {
	p, q := len(tp.mean), len(tp.sdScale)
	lp := tp.constant
	for k := 0; k < p; k++ {
		d := (theta[k] - tp.mean[k]) / tp.sd[k]
		lp -= 0.5 * d * d
		if grad != nil {
			grad[k] -= d / tp.sd[k]
		}
	}
	for k := 0; k <= q; k++ {
		c := tp.sigmaScale
		if k < q {
			c = tp.sdScale[k]
		}
		t := theta[p+k]
		x := math.Exp(t) / c
		lp += t - 0.5*x*x
		if grad != nil {
			grad[p+k] += 1 - x*x
		}
	}
	return lp
}

// corLogDensity returns the log prior density of the correlation
// coordinates y = θ[P+Q+1:] given l = CorCholesky(y): the LKJ(η) density of
// L plus the log-Jacobian of CorCholesky. When grad is not nil it adds the
// gradient to grad's correlation entries. It returns 0 for uncorrelated
// models.
func (tp *thetaPrior) corLogDensity(theta, l, grad []float64) float64 {
	if tp.ncor == 0 {
		return 0
	}
	p, q := len(tp.mean), len(tp.sdScale)
	y := theta[p+q+1 : p+q+1+tp.ncor]
	lp := tp.lkjConst
	for i := 1; i < q; i++ {
		lp += tp.lkjDiag[i] * math.Log(l[i*q+i])
	}
	// The log-Jacobian of CorCholesky, which the densities' corCholesky
	// leaves out.
	lp += corLogJacobian(y, q)
	if grad != nil {
		corCholeskyBackward(grad[p+q+1:p+q+1+tp.ncor], nil, y, l, tp.lkjDiag, true, q)
	}
	return lp
}
