package lmm

import (
	"math"

	"github.com/metabeta-go/metabeta/internal/linalg"
)

// log2Pi is log(2π), the normalizing constant of the normal density.
var log2Pi = math.Log(2 * math.Pi)

// Marginal evaluates the log marginal likelihood log p(y | β, σ_b, σ) of the
// model, the random effects integrated out, and its gradient, from the
// sufficient statistics. Parameters come as the collapsed unconstrained
// vector θ = [βc, log σ_b, log σ] (see Stats.Params); the gradient is with
// respect to θ. No Jacobian or prior is included: this is the likelihood.
//
// Per group, with S = diag(σ_b), r_g = y_g − X_g β and u_g = S Z_gᵀ r_g,
//
//	A_g = I + S Z_gᵀZ_g S / σ²,   w_g = A_g⁻¹ u_g,
//	log p(y) = −N/2 log 2π − N log σ − ½ Σ_g log det A_g
//	           − (rᵀr − Σ_g u_gᵀ w_g / σ²) / (2σ²),
//
// by the Woodbury identity and the matrix determinant lemma applied to
// V_g = σ² I + Z_g S² Z_gᵀ. A_g ⪰ I, so the Q×Q Cholesky factorizations
// fail only when σ_b/σ overflows (the value is then −Inf) and σ_b,k → 0 is
// regular. See the package documentation for
// the gradient.
//
// A Marginal holds a workspace: it is not safe for concurrent use. Clone
// gives an independent evaluator sharing the read-only statistics.
type Marginal struct {
	stats *Stats
	ws    marginalWork
}

// marginalWork is the scratch space of a Marginal.
type marginalWork struct {
	beta []float64 // shifted centred coefficients, length P
	xtr  []float64 // Xcᵀr, length P
	gb   []float64 // Σ_g Z_gXc_gᵀ S w_g, length P
	sb   []float64 // σ_b, length Q
	ztr  []float64 // Z_gᵀr_g, length Q
	u    []float64 // S Z_gᵀr_g, length Q
	w    []float64 // A_g⁻¹ u_g, length Q
	sbs  []float64 // σ_b / σ, length Q
	chol []float64 // Cholesky factor L_g of A_g, Q×Q
	dinv []float64 // 1 / diag(L_g), length Q
	linv []float64 // L_g⁻¹, Q×Q
	ainv []float64 // diag(A_g⁻¹), length Q
	cor  corWork   // correlated models only
}

// NewMarginal returns a log marginal likelihood evaluator on s.
func NewMarginal(s *Stats) *Marginal {
	p, q := s.P, s.Q
	var cw corWork
	if s.NCor > 0 {
		cw = newCorWork(q)
	}
	return &Marginal{stats: s, ws: marginalWork{
		cor:  cw,
		beta: make([]float64, p),
		xtr:  make([]float64, p),
		gb:   make([]float64, p),
		sb:   make([]float64, q),
		ztr:  make([]float64, q),
		u:    make([]float64, q),
		w:    make([]float64, q),
		sbs:  make([]float64, q),
		chol: make([]float64, q*q),
		dinv: make([]float64, q),
		linv: make([]float64, q*q),
		ainv: make([]float64, q),
	}}
}

// Clone returns an evaluator that shares the statistics of m and has its
// own workspace, for use in another goroutine.
func (m *Marginal) Clone() *Marginal { return NewMarginal(m.stats) }

// Stats returns the sufficient statistics m evaluates on.
func (m *Marginal) Stats() *Stats { return m.stats }

// Dim returns the length of θ, P + Q + 1 + NCor.
func (m *Marginal) Dim() int { return m.stats.Dim() }

// LogLik returns log p(y | β, σ_b, σ) at the collapsed θ, or −Inf when θ or
// the result is not finite. It panics if len(theta) != Dim().
func (m *Marginal) LogLik(theta []float64) float64 {
	if len(theta) != m.Dim() {
		panic("lmm: Marginal.LogLik: theta length mismatch")
	}
	return m.eval(theta, nil)
}

// LogLikGrad returns log p(y | β, σ_b, σ) at the collapsed θ and overwrites
// grad with its gradient with respect to θ = [βc, log σ_b, log σ]. When θ or
// the result is not finite it returns −Inf and zeroes grad. It panics on a
// length mismatch.
func (m *Marginal) LogLikGrad(theta, grad []float64) float64 {
	if len(theta) != m.Dim() || len(grad) != m.Dim() {
		panic("lmm: Marginal.LogLikGrad: length mismatch")
	}
	return m.eval(theta, grad)
}

// eval computes the log marginal likelihood and, when grad is not nil,
// overwrites grad with its gradient.
func (m *Marginal) eval(theta, grad []float64) float64 {
	s, ws := m.stats, &m.ws
	p, q := s.P, s.Q
	if !allFinite(theta) {
		clear(grad)
		return math.Inf(-1)
	}
	if s.NCor > 0 {
		return m.evalCor(theta, grad)
	}
	logSigma := theta[p+q]
	s2 := math.Exp(2 * logSigma)
	rtr := m.setup(theta)

	invS2 := 1 / s2
	m.scaleSigmaB(s2)
	logDet, quadW, traceInv, wtw := 0.0, 0.0, 0.0, 0.0
	detProd := 1.0 // running product of diag(L_g), folded into logDet before it can overflow
	var gSB []float64
	if grad != nil {
		clear(grad)
		clear(ws.gb)
		gSB = grad[p : p+q]
	}
	for g := 0; g < s.M; g++ {
		if !m.factorGroup(g) {
			clear(grad)
			return math.Inf(-1)
		}
		for a := 0; a < q; a++ {
			detProd *= ws.chol[a*q+a]
			if detProd > 1e150 { // each L_kk < 1e154, so the product stays finite
				logDet += 2 * math.Log(detProd)
				detProd = 1
			}
		}
		quadW += dot(ws.u, ws.w)
		if grad == nil {
			continue
		}
		m.diagInverse()
		for k := 0; k < q; k++ {
			aInvKK := ws.ainv[k]
			traceInv += aInvKK
			wk := ws.w[k] * invS2
			gSB[k] += aInvKK - 1 + wk*wk
			wtw += ws.w[k] * ws.w[k]
			// gb += (Z_gᵀXc_g)ᵀ S w_g
			sw := ws.sb[k] * ws.w[k]
			ztx := s.ZtX[(g*q+k)*p : (g*q+k+1)*p]
			for a, v := range ztx {
				ws.gb[a] += v * sw
			}
		}
	}
	logDet += 2 * math.Log(detProd)
	return m.assemble(grad, marginalSums{logSigma, rtr, logDet, quadW, traceInv, wtw})
}

// marginalSums are the sums over groups that the log marginal likelihood
// and its gradient in βc and log σ are assembled from.
type marginalSums struct {
	logSigma, rtr float64 // log σ and rᵀr
	logDet, quadW float64 // Σ_g log det A_g and Σ_g u_gᵀw_g
	traceInv, wtw float64 // Σ_g tr A_g⁻¹ and Σ_g w_gᵀw_g (gradient only)
}

// assemble returns the log marginal likelihood from the sums and, when grad
// is not nil, writes its gradient in βc (from ws.xtr and ws.gb) and log σ;
// the log σ_b entries are the caller's. A non-finite value gives −Inf and
// a zero gradient.
func (m *Marginal) assemble(grad []float64, t marginalSums) float64 {
	s, ws := m.stats, &m.ws
	p, q := s.P, s.Q
	s2 := math.Exp(2 * t.logSigma)
	n := float64(s.N)
	ll := -0.5*n*log2Pi - n*t.logSigma - 0.5*t.logDet - 0.5*(t.rtr-t.quadW/s2)/s2
	if math.IsNaN(ll) || math.IsInf(ll, 0) {
		clear(grad)
		return math.Inf(-1)
	}
	if grad != nil {
		for a := 0; a < p; a++ {
			grad[a] = (ws.xtr[a] - ws.gb[a]/s2) / s2
		}
		grad[p+q] = -(n - float64(s.M*q) + t.traceInv) + (t.rtr-(t.quadW+t.wtw)/s2)/s2
	}
	return ll
}

// setup loads the coefficients of θ into the workspace, shifting the
// intercept by YShift, sets σ_b, computes Xcᵀr and returns rᵀr.
func (m *Marginal) setup(theta []float64) float64 {
	return residualSetup(m.stats, theta, m.ws.beta, m.ws.sb, m.ws.xtr)
}

// residualSetup writes the shifted centred coefficients of θ into beta,
// σ_b = exp(log σ_b) into sb and Xcᵀr into xtr, for r = y − YShift − Xc β,
// and returns rᵀr = yᵀy − βᵀXcᵀy − βᵀXcᵀr.
func residualSetup(s *Stats, theta, beta, sb, xtr []float64) float64 {
	p, q := s.P, s.Q
	copy(beta, theta[:p])
	if s.Centred.Intercept {
		beta[0] -= s.YShift
	}
	for k := 0; k < q; k++ {
		sb[k] = math.Exp(theta[p+k])
	}
	rtr := s.YtY
	for a := 0; a < p; a++ {
		v := s.XtY[a]
		xtx := s.XtX[a*p : (a+1)*p]
		for b, x := range xtx {
			v -= x * beta[b]
		}
		xtr[a] = v
		rtr -= beta[a] * (s.XtY[a] + v)
	}
	return rtr
}

// scaleSigmaB sets ws.sbs = σ_b / σ from ws.sb and σ².
func (m *Marginal) scaleSigmaB(s2 float64) {
	r := 1 / math.Sqrt(s2)
	for k, v := range m.ws.sb {
		m.ws.sbs[k] = v * r
	}
}

// factorGroup computes, for group g, Z_gᵀr_g, u_g = S Z_gᵀr_g, the Cholesky
// factor of A_g = I + (S/σ) Z_gᵀZ_g (S/σ) (in ws.chol, reciprocal diagonal
// in ws.dinv) and w_g = A_g⁻¹u_g. It needs ws.beta, ws.sb and ws.sbs set.
// It reports false if the factorization fails, which only non-finite or
// overflowing inputs cause.
func (m *Marginal) factorGroup(g int) bool {
	s, ws := m.stats, &m.ws
	q := s.Q
	if q == 2 {
		return m.factorGroup2(g)
	}
	groupResidual(s, g, ws.beta, ws.ztr)
	ztz := s.ZtZ[g*q*q : (g+1)*q*q]
	for a := 0; a < q; a++ {
		ws.u[a] = ws.sb[a] * ws.ztr[a]
		sa := ws.sbs[a]
		for b := 0; b <= a; b++ {
			ws.chol[a*q+b] = sa * ztz[a*q+b] * ws.sbs[b]
		}
		ws.chol[a*q+a]++
	}
	if !linalg.Cholesky(ws.chol, ws.dinv, q) {
		return false
	}
	copy(ws.w, ws.u)
	linalg.CholSolve(ws.chol, ws.dinv, q, ws.w)
	return true
}

// factorGroup2 is factorGroup unrolled for Q = 2, the common random
// intercept and slope, keeping the chain of dependent operations in
// registers.
func (m *Marginal) factorGroup2(g int) bool {
	s, ws := m.stats, &m.ws
	p := s.P
	beta := ws.beta[:p]
	ztx := s.ZtX[g*2*p : (g+1)*2*p]
	zty := s.ZtY[g*2 : g*2+2]
	r0, r1 := zty[0], zty[1]
	for b, x := range ztx[:p] {
		r0 -= x * beta[b]
	}
	for b, x := range ztx[p:] {
		r1 -= x * beta[b]
	}
	ztz := s.ZtZ[g*4 : g*4+4]
	sbs, sb := ws.sbs[:2], ws.sb[:2]
	a00 := 1 + sbs[0]*ztz[0]*sbs[0]
	a10 := sbs[1] * ztz[2] * sbs[0]
	a11 := 1 + sbs[1]*ztz[3]*sbs[1]
	if !linalg.IsPivot(a00) {
		return false
	}
	l00 := math.Sqrt(a00)
	i0 := 1 / l00
	l10 := a10 * i0
	d := a11 - l10*l10
	if !linalg.IsPivot(d) {
		return false
	}
	l11 := math.Sqrt(d)
	i1 := 1 / l11
	u0, u1 := sb[0]*r0, sb[1]*r1
	v0 := u0 * i0 // L v = u
	v1 := (u1 - l10*v0) * i1
	w1 := v1 * i1 // Lᵀ w = v
	w0 := (v0 - l10*w1) * i0
	ws.ztr[0], ws.ztr[1] = r0, r1
	ws.u[0], ws.u[1] = u0, u1
	ws.w[0], ws.w[1] = w0, w1
	ch := ws.chol[:4]
	ch[0], ch[1], ch[2], ch[3] = l00, 0, l10, l11
	ws.dinv[0], ws.dinv[1] = i0, i1
	return true
}

// diagInverse writes diag(A_g⁻¹) into ws.ainv from the factor left by
// factorGroup: (A⁻¹)_kk = Σ_j (L⁻¹)_jk², with L⁻¹ in ws.linv (for Q = 2 in
// closed form, L⁻¹ = [[1/l00, 0], [−l10/(l00 l11), 1/l11]]).
func (m *Marginal) diagInverse() {
	ws := &m.ws
	q := m.stats.Q
	if q == 2 {
		i0, i1 := ws.dinv[0], ws.dinv[1]
		l10 := -ws.chol[2] * i0 * i1
		ws.ainv[0] = i0*i0 + l10*l10
		ws.ainv[1] = i1 * i1
		return
	}
	linalg.InvertLower(ws.linv, ws.chol, ws.dinv, q)
	for k := 0; k < q; k++ {
		v := 0.0
		for j := k; j < q; j++ {
			v += ws.linv[j*q+k] * ws.linv[j*q+k]
		}
		ws.ainv[k] = v
	}
}

// groupResidual writes Z_gᵀr_g = Z_gᵀ(y_g − YShift) − Z_gᵀXc_g β into dst.
func groupResidual(s *Stats, g int, beta, dst []float64) {
	p, q := s.P, s.Q
	zty := s.ZtY[g*q : (g+1)*q]
	for a := 0; a < q; a++ {
		v := zty[a]
		ztx := s.ZtX[(g*q+a)*p : (g*q+a+1)*p]
		for b, x := range ztx {
			v -= x * beta[b]
		}
		dst[a] = v
	}
}

// allFinite reports whether every entry of x is finite.
func allFinite(x []float64) bool {
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

// dot returns xᵀy for equal-length x and y.
func dot(x, y []float64) float64 {
	s := 0.0
	for i, v := range x {
		s += v * y[i]
	}
	return s
}
