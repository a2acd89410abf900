package estimator

import (
	"math"

	"github.com/metabeta-go/metabeta/lmm"
)

// Standardization maps a design, its prior and the collapsed θ exactly
// between the original units and the units the network works in:
//
//	y' = (y − c)/s_y,  x'_j = x_j/s_j (non-intercept columns),
//
// with c = ȳ when the model has an intercept (0 otherwise), s_y the sample
// SD of y and s_j that of column j. Predictors are scaled but not shifted,
// so a random slope on x_j stays a random slope on x'_j and σ_b maps
// exactly: b'_k = b_k·s_k/s_y. The centred coordinates θ of lmm (Centred)
// then map by the affine θ'_i = A_i θ_i + C_i:
//
//	α' = (α − c)/s_y,  β'_j = β_j s_j/s_y,
//	log σ'_b,k = log σ_b,k + log(s_k/s_y),  log σ' = log σ − log s_y,
//
// (s_k = 1 for the intercept column), and the prior maps in the same way
// (normal means by the affine map, normal and half-normal scales by the
// factor), so the standardized model is the original one in other units.
// The log-Jacobian of θ ↦ θ' is Σ_{i<P} log A_i.
type Standardization struct {
	P, Q        int
	YShift      float64   // c
	YScale      float64   // s_y
	ColScale    []float64 // s_j per column of X, 1 for the intercept
	A, C        []float64 // θ'_i = A_i θ_i + C_i, length P+Q+1
	LogJacobian float64   // Σ log A_i, the log |det ∂θ'/∂θ|
}

// NewStandardization computes the standardization of d. Constant columns
// and a constant response get scale 1.
func NewStandardization(d *lmm.Design) *Standardization {
	n, p, q := d.N(), d.P(), d.Q()
	st := &Standardization{P: p, Q: q, ColScale: make([]float64, p)}
	mean, sd := meanSD(d.Y, 0, 1)
	if d.Intercept {
		st.YShift = mean
	}
	st.YScale = positiveScale(sd)
	for j := 0; j < p; j++ {
		if d.Intercept && j == 0 {
			st.ColScale[j] = 1
			continue
		}
		_, sdj := meanSD(d.X, j, p)
		st.ColScale[j] = positiveScale(sdj)
	}
	_ = n
	dim := p + q + 1
	st.A, st.C = make([]float64, dim), make([]float64, dim)
	for j := 0; j < p; j++ {
		st.A[j] = st.ColScale[j] / st.YScale
		st.LogJacobian += math.Log(st.A[j])
	}
	if d.Intercept {
		st.C[0] = -st.YShift / st.YScale
	}
	for k := 0; k < q; k++ {
		st.A[p+k] = 1
		st.C[p+k] = math.Log(st.ColScale[d.RandomCol[k]] / st.YScale)
	}
	st.A[p+q] = 1
	st.C[p+q] = -math.Log(st.YScale)
	return st
}

// positiveScale returns sd, or 1 when sd is zero or not finite.
func positiveScale(sd float64) float64 {
	if !(sd > 0) || math.IsInf(sd, 0) {
		return 1
	}
	return sd
}

// meanSD returns the mean and the sample SD (n−1) of column j of the
// row-major matrix x with the given stride.
func meanSD(x []float64, j, stride int) (mean, sd float64) {
	n := len(x) / stride
	for i := 0; i < n; i++ {
		mean += x[i*stride+j]
	}
	mean /= float64(n)
	ss := 0.0
	for i := 0; i < n; i++ {
		r := x[i*stride+j] - mean
		ss += r * r
	}
	if n > 1 {
		sd = math.Sqrt(ss / float64(n-1))
	}
	return mean, sd
}

// Design returns the standardized copy of d.
func (st *Standardization) Design(d *lmm.Design) *lmm.Design {
	out := *d
	out.Y = make([]float64, len(d.Y))
	for i, v := range d.Y {
		out.Y[i] = (v - st.YShift) / st.YScale
	}
	out.X = make([]float64, len(d.X))
	p := st.P
	for i := range d.X {
		out.X[i] = d.X[i] / st.ColScale[i%p]
	}
	return &out
}

// Prior returns pr in standardized units.
func (st *Standardization) Prior(pr lmm.Prior, d *lmm.Design) lmm.Prior {
	out := lmm.Prior{
		BetaMean:   make([]float64, st.P),
		BetaSD:     make([]float64, st.P),
		SDScale:    make([]float64, st.Q),
		SigmaScale: pr.SigmaScale / st.YScale,
	}
	for j := 0; j < st.P; j++ {
		out.BetaMean[j] = st.A[j]*pr.BetaMean[j] + st.C[j]
		out.BetaSD[j] = st.A[j] * pr.BetaSD[j]
	}
	for k := 0; k < st.Q; k++ {
		out.SDScale[k] = pr.SDScale[k] * st.ColScale[d.RandomCol[k]] / st.YScale
	}
	return out
}

// ToStandard writes θ' for the original collapsed θ into dst (which may be
// theta) and returns dst.
func (st *Standardization) ToStandard(dst, theta []float64) []float64 {
	if len(dst) != len(st.A) || len(theta) != len(st.A) {
		panic("estimator: theta length mismatch")
	}
	for i, v := range theta {
		dst[i] = st.A[i]*v + st.C[i]
	}
	return dst
}

// ToOriginal writes θ for the standardized θ' into dst (which may be
// thetaStd) and returns dst.
func (st *Standardization) ToOriginal(dst, thetaStd []float64) []float64 {
	if len(dst) != len(st.A) || len(thetaStd) != len(st.A) {
		panic("estimator: theta length mismatch")
	}
	for i, v := range thetaStd {
		dst[i] = (v - st.C[i]) / st.A[i]
	}
	return dst
}
