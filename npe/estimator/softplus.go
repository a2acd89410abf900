package estimator

import (
	"math"

	"github.com/metabeta-go/metabeta/lmm/estimate"
)

// The softplus flow coordinate of a random-effect SD (Config.SigmaSoftplus).
//
// The collapsed θ' holds x = log σ_b' (standardized units). When σ_b's
// posterior has density at zero, the posterior of x has a long left tail
// (its density falls as e^x) and a short right one: on the real suite's
// longitudinal designs the exact posterior's 1% quantile lies 5.5 to 8.9
// Laplace SDs below the Laplace mode and its 99% quantile 1.6 to 2.2 above,
// where the flow's splines act on [−5, 5]. The coordinate
//
//	w = g(x) = log(e^{σ_b'/c} − 1),   c = e^a,   σ_b' = e^x,
//
// is log(σ_b'/c) for σ_b' ≪ c and σ_b'/c for σ_b' ≫ c: a log scale near
// zero and a linear one above c. With c = σ̂_b'·ŝ/2 (σ̂_b' = e^x̂ at the
// Laplace mode, ŝ the Laplace SD of x, so c is about half the Laplace SD
// of σ_b'), the same posteriors have their 1% quantile 1.5 to 3.4 Laplace
// SDs (of w) below the mode and their 99% quantile 2.9 to 4.7 above, inside
// the splines' range (measured on rstan-agreeing NUTS draws of loblolly,
// co2, pixel and dialyzer). Its inverse is
//
//	x = h(w) = a + log softplus(w),   softplus(w) = log(1 + e^w),
//
// with log h'(w) = log sigmoid(w) − log softplus(w) = −log g'(x). The
// Laplace approximation N(x̂, Σ̂) is carried to w by the delta method:
// mean g(x̂), covariance JΣ̂J with J = diag g'(x̂) (1 off the σ_b
// coordinates), and the flow whitens w by it.

// softplusOffset returns a = log c of a σ_b coordinate from its Laplace
// mode xHat and SD sd: c = e^{xHat}·sd/2.
func softplusOffset(xHat, sd float64) float64 { return xHat + math.Log(sd/2) }

// softplusForward returns w = g(x) for offset a and log g'(x) = t + y − w
// (t = x − a, y = e^t), stably for all x.
func softplusForward(x, a float64) (w, logDeriv float64) {
	t := x - a
	switch {
	case t < -30: // y < 1e-13: g(x) = t + y/2 + O(y²), g' = 1 + y/2
		return t, 0
	case t > math.Log(30): // y > 30: log(e^y − 1) = y + log1p(−e^{−y})
		y := math.Exp(t)
		w = y + math.Log1p(-math.Exp(-y))
		return w, t + y - w
	default:
		y := math.Exp(t)
		w = math.Log(math.Expm1(y))
		return w, t + y - w
	}
}

// softplusInverse returns x = h(w) for offset a and log h'(w) =
// log sigmoid(w) − log softplus(w), stably for all w.
func softplusInverse(w, a float64) (x, logDeriv float64) {
	switch {
	case w < -30: // softplus(w) = e^w(1 − e^w/2 + …), sigmoid(w) = e^w(1 − e^w + …)
		return a + w, 0
	case w > 30: // softplus(w) = w + e^{−w}, sigmoid(w) = 1 − e^{−w}
		ls := math.Log(w)
		return a + ls, -ls
	default:
		ls := math.Log(math.Log1p(math.Exp(w)))
		return a + ls, -math.Log1p(math.Exp(-w)) - ls
	}
}

// softplusLaplace carries the Laplace approximation lap of the standardized
// θ' to the softplus coordinates of its σ_b entries (indices p to p+q−1):
// it returns the offsets a_i (NaN off those entries) and the Laplace
// approximation of the mapped θ' by the delta method.
func softplusLaplace(lap *estimate.Laplace, p, q int) (offsets []float64, mapped *estimate.Laplace, err error) {
	dim := len(lap.Mean)
	offsets = make([]float64, dim)
	mean := append([]float64(nil), lap.Mean...)
	jac := make([]float64, dim)
	for i := range offsets {
		offsets[i], jac[i] = math.NaN(), 1
	}
	for i := p; i < p+q; i++ {
		sd := clampLaplaceSD(math.Sqrt(lap.Cov[i*dim+i]))
		offsets[i] = softplusOffset(lap.Mean[i], sd)
		w, ld := softplusForward(lap.Mean[i], offsets[i])
		mean[i], jac[i] = w, math.Exp(ld)
	}
	cov := make([]float64, dim*dim)
	for i := range dim {
		for j := range dim {
			cov[i*dim+j] = jac[i] * lap.Cov[i*dim+j] * jac[j]
		}
	}
	if mapped, err = estimate.NewLaplace(mean, cov); err != nil {
		return nil, nil, err
	}
	mapped.Diagonal = lap.Diagonal
	return offsets, mapped, nil
}

// softplusToFlow maps the σ_b entries of the standardized θ' in place to
// their softplus coordinates and returns Σ log h'(w_i), the log-Jacobian
// of the inverse map at the result; offsets nil is the identity.
func softplusToFlow(theta, offsets []float64) float64 {
	if offsets == nil {
		return 0
	}
	ld := 0.0
	for i, a := range offsets {
		if !math.IsNaN(a) {
			w, lg := softplusForward(theta[i], a)
			theta[i] = w
			ld -= lg
		}
	}
	return ld
}

// softplusFromFlow maps softplus coordinates in place back to the σ_b
// entries of θ' and returns Σ log h'(w_i) at the coordinates given;
// offsets nil is the identity.
func softplusFromFlow(theta, offsets []float64) float64 {
	if offsets == nil {
		return 0
	}
	ld := 0.0
	for i, a := range offsets {
		if !math.IsNaN(a) {
			x, lh := softplusInverse(theta[i], a)
			theta[i] = x
			ld += lh
		}
	}
	return ld
}
