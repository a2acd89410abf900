package estimate

import (
	"math"

	"github.com/metabeta-go/metabeta/lmm"
)

// Scaling is the affine change of units that Standardize applies to a
// design, with the exact maps of priors, parameters and unconstrained θ
// vectors between the original units and the standardized ones (marked ′):
//
//	y′ = (y − c)/s_y,   x′_k = x_k/s_k (non-intercept columns),
//	β′₀ = (β₀ − c)/s_y, β′_k = β_k s_k/s_y,   α′ = (α − c)/s_y (centred intercept),
//	σ′_b,k = σ_b,k s_col(k)/s_y,   σ′ = σ/s_y,
//
// with c = ȳ when the model has an intercept and 0 otherwise (without an
// intercept a shift of y could not be absorbed by any coefficient), s_y the
// sample SD of y, s_k the sample SD of column k and s = 1 for the intercept
// column. Columns with zero SD are left unscaled (s_k = 1). Correlations
// are scale-free: their coordinates of θ and the LKJ prior map to
// themselves.
type Scaling struct {
	Intercept bool      // whether column 0 is the intercept (not scaled)
	YShift    float64   // c: ȳ with an intercept, else 0
	YScale    float64   // s_y
	XScale    []float64 // s_k for each column of X, 1 for the intercept
	RandomCol []int     // the columns of X the random terms use
	NCor      int       // the number of random-effect correlations (lmm.Design.NCor)
}

// Standardize returns a standardized copy of d and the Scaling that maps
// between the two. The copy has its own Y, X and G and shares the name,
// level and RandomCol slices with d.
// Random-effect columns are scaled but never centred, so that σ_b maps
// exactly; the centring of the intercept is left to lmm.Centred. Without an
// intercept y is only scaled.
func Standardize(d *lmm.Design) (*lmm.Design, Scaling) {
	n, p := d.N(), d.P()
	sc := Scaling{
		Intercept: d.Intercept,
		YScale:    1,
		XScale:    make([]float64, p),
		RandomCol: append([]int(nil), d.RandomCol...),
		NCor:      d.NCor(),
	}
	ym, ysd := meanSD(d.Y, 0, 1)
	if d.Intercept {
		sc.YShift = ym
	}
	if ysd > 0 {
		sc.YScale = ysd
	}
	for k := range sc.XScale {
		sc.XScale[k] = 1
		if d.Intercept && k == 0 {
			continue
		}
		if _, sd := meanSD(d.X, k, p); sd > 0 {
			sc.XScale[k] = sd
		}
	}
	out := *d
	out.Y = make([]float64, n)
	out.X = make([]float64, n*p)
	out.G = append([]int(nil), d.G...)
	for i, v := range d.Y {
		out.Y[i] = (v - sc.YShift) / sc.YScale
	}
	for i, v := range d.X {
		out.X[i] = v / sc.XScale[i%p]
	}
	return &out, sc
}

// meanSD returns the mean and the sample standard deviation (divisor n − 1)
// of x[off], x[off+stride], …; the SD is 0 for fewer than two values.
func meanSD(x []float64, off, stride int) (mean, sd float64) {
	n := 0
	for i := off; i < len(x); i += stride {
		mean += x[i]
		n++
	}
	if n == 0 {
		return 0, 0
	}
	mean /= float64(n)
	if n < 2 {
		return mean, 0
	}
	ss := 0.0
	for i := off; i < len(x); i += stride {
		e := x[i] - mean
		ss += e * e
	}
	return mean, math.Sqrt(ss / float64(n-1))
}

// betaScale returns the factor a_k with β′_k = a_k β_k (intercept: 1/s_y).
func (sc Scaling) betaScale(k int) float64 { return sc.XScale[k] / sc.YScale }

// sdScale returns the factor with σ′_b,k = factor · σ_b,k.
func (sc Scaling) sdScale(k int) float64 { return sc.XScale[sc.RandomCol[k]] / sc.YScale }

// dim returns the length of the collapsed θ, P + Q + 1 + NCor.
func (sc Scaling) dim() int { return len(sc.XScale) + len(sc.RandomCol) + 1 + sc.NCor }

// checkP panics unless p and q match the scaling.
func (sc Scaling) check(p, q int) {
	if p != len(sc.XScale) || q != len(sc.RandomCol) {
		panic("estimate: Scaling: dimension mismatch")
	}
}

// Prior returns the prior in standardized units for the prior pr in
// original units. Normal priors on βc and half-normal priors on the scales
// map exactly: means as the coefficients, SDs and scales by the same
// factors.
func (sc Scaling) Prior(pr lmm.Prior) lmm.Prior {
	p, q := len(pr.BetaMean), len(pr.SDScale)
	sc.check(p, q)
	out := lmm.Prior{
		BetaMean:   make([]float64, p),
		BetaSD:     make([]float64, p),
		SDScale:    make([]float64, q),
		SigmaScale: pr.SigmaScale / sc.YScale,
		LKJ:        pr.LKJ,
	}
	for k := range p {
		a := sc.betaScale(k)
		out.BetaMean[k] = pr.BetaMean[k] * a
		out.BetaSD[k] = pr.BetaSD[k] * a
	}
	if sc.Intercept {
		out.BetaMean[0] = (pr.BetaMean[0] - sc.YShift) / sc.YScale
	}
	for k := range q {
		out.SDScale[k] = pr.SDScale[k] * sc.sdScale(k)
	}
	return out
}

// UnPrior is the inverse of Prior: original units from standardized ones.
func (sc Scaling) UnPrior(pr lmm.Prior) lmm.Prior {
	p, q := len(pr.BetaMean), len(pr.SDScale)
	sc.check(p, q)
	out := lmm.Prior{
		BetaMean:   make([]float64, p),
		BetaSD:     make([]float64, p),
		SDScale:    make([]float64, q),
		SigmaScale: pr.SigmaScale * sc.YScale,
		LKJ:        pr.LKJ,
	}
	for k := range p {
		a := sc.betaScale(k)
		out.BetaMean[k] = pr.BetaMean[k] / a
		out.BetaSD[k] = pr.BetaSD[k] / a
	}
	if sc.Intercept {
		out.BetaMean[0] = pr.BetaMean[0]*sc.YScale + sc.YShift
	}
	for k := range q {
		out.SDScale[k] = pr.SDScale[k] / sc.sdScale(k)
	}
	return out
}

// Theta writes into dst the standardized collapsed θ′ = [βc′, log σ′_b,
// log σ′, y] for the original-unit θ and returns dst; dst may be theta. It
// panics on a length mismatch.
func (sc Scaling) Theta(dst, theta []float64) []float64 {
	p, q := len(sc.XScale), len(sc.RandomCol)
	if len(dst) != sc.dim() || len(theta) != sc.dim() {
		panic("estimate: Scaling.Theta: length mismatch")
	}
	copy(dst[p+q+1:], theta[p+q+1:])
	t0 := theta[0] // dst may be theta
	for k := range p {
		dst[k] = theta[k] * sc.betaScale(k)
	}
	if sc.Intercept {
		dst[0] = (t0 - sc.YShift) / sc.YScale
	}
	for k := range q {
		dst[p+k] = theta[p+k] + math.Log(sc.sdScale(k))
	}
	dst[p+q] = theta[p+q] - math.Log(sc.YScale)
	return dst
}

// UnTheta is the inverse of Theta: it writes the original-unit θ for the
// standardized θ′ into dst and returns dst; dst may be theta.
func (sc Scaling) UnTheta(dst, theta []float64) []float64 {
	p, q := len(sc.XScale), len(sc.RandomCol)
	if len(dst) != sc.dim() || len(theta) != sc.dim() {
		panic("estimate: Scaling.UnTheta: length mismatch")
	}
	copy(dst[p+q+1:], theta[p+q+1:])
	t0 := theta[0] // dst may be theta
	for k := range p {
		dst[k] = theta[k] / sc.betaScale(k)
	}
	if sc.Intercept {
		dst[0] = t0*sc.YScale + sc.YShift
	}
	for k := range q {
		dst[p+k] = theta[p+k] - math.Log(sc.sdScale(k))
	}
	dst[p+q] = theta[p+q] + math.Log(sc.YScale)
	return dst
}

// LogJacobian returns log |det ∂θ′/∂θ| = Σ_k log(s_k/s_y) over the P
// coefficients (the log-scale entries only shift). Densities in θ and θ′
// are related by p(θ) = p′(θ′) · exp(LogJacobian()), and the collapsed
// joint densities of lmm by
//
//	log p(θ, y) = log p′(θ′, y′) + LogJacobian() − N log s_y.
func (sc Scaling) LogJacobian() float64 {
	s := 0.0
	for k := range sc.XScale {
		s += math.Log(sc.betaScale(k))
	}
	return s
}

// Draws maps a row-major block of collapsed θ draws (each row of length
// P+Q+1) to standardized units in place.
func (sc Scaling) Draws(draws []float64) {
	dim := sc.dim()
	if len(draws)%dim != 0 {
		panic("estimate: Scaling.Draws: length not a multiple of P+Q+1+NCor")
	}
	for i := 0; i < len(draws); i += dim {
		sc.Theta(draws[i:i+dim], draws[i:i+dim])
	}
}

// UnDraws maps a row-major block of standardized θ′ draws back to original
// units in place.
func (sc Scaling) UnDraws(draws []float64) {
	dim := sc.dim()
	if len(draws)%dim != 0 {
		panic("estimate: Scaling.UnDraws: length not a multiple of P+Q+1+NCor")
	}
	for i := 0; i < len(draws); i += dim {
		sc.UnTheta(draws[i:i+dim], draws[i:i+dim])
	}
}

// Params returns the standardized natural-scale parameters for pr in
// original units (original, uncentred β).
func (sc Scaling) Params(pr lmm.Params) lmm.Params {
	p, q := len(pr.Beta), len(pr.SigmaB)
	sc.check(p, q)
	out := lmm.Params{Beta: make([]float64, p), SigmaB: make([]float64, q), Sigma: pr.Sigma / sc.YScale,
		Cor: append([]float64(nil), pr.Cor...)}
	for k := range p {
		out.Beta[k] = pr.Beta[k] * sc.betaScale(k)
	}
	if sc.Intercept {
		out.Beta[0] = (pr.Beta[0] - sc.YShift) / sc.YScale
	}
	for k := range q {
		out.SigmaB[k] = pr.SigmaB[k] * sc.sdScale(k)
	}
	return out
}

// UnParams is the inverse of Params.
func (sc Scaling) UnParams(pr lmm.Params) lmm.Params {
	p, q := len(pr.Beta), len(pr.SigmaB)
	sc.check(p, q)
	out := lmm.Params{Beta: make([]float64, p), SigmaB: make([]float64, q), Sigma: pr.Sigma * sc.YScale,
		Cor: append([]float64(nil), pr.Cor...)}
	for k := range p {
		out.Beta[k] = pr.Beta[k] / sc.betaScale(k)
	}
	if sc.Intercept {
		out.Beta[0] = pr.Beta[0]*sc.YScale + sc.YShift
	}
	for k := range q {
		out.SigmaB[k] = pr.SigmaB[k] / sc.sdScale(k)
	}
	return out
}
