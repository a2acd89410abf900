package estimate

import (
	"math"

	"github.com/metabeta-go/metabeta/lmm"
)

// Estimator computes closed-form and iterative estimates from the
// sufficient statistics of a design (lmm.Stats), never touching the rows
// again. It holds a workspace and is not safe for concurrent use; the
// statistics it reads may be shared.
type Estimator struct {
	stats    *lmm.Stats
	marginal *lmm.Marginal
	ws       glsWork
}

// glsWork is the scratch space of an Estimator.
type glsWork struct {
	group  []float64 // (Q+P+1)² per-group augmented matrix
	global []float64 // (P+1)² global cross-product matrix
	theta  []float64 // P+Q+1
	grad   []float64 // P+Q+1
	sb     []float64 // Q
	t      []float64 // T_g = (σ²I + SZ_gᵀZ_gS)⁻¹ S Z_gᵀXc_g, M blocks of Q×P
	cinv   []float64 // (XᵀV⁻¹X)⁻¹, P×P
}

// NewEstimator returns an estimator on the statistics s. The
// likelihood-based fits (GLS, ML, REML) are those of the model with
// uncorrelated random effects, also for a correlated design (NCor > 0),
// whose correlations start at zero in MAP; MAP is of the model of s.
func NewEstimator(s *lmm.Stats) *Estimator {
	p, q := s.P, s.Q
	w := q + p + 1
	plain := s
	if s.NCor > 0 {
		u := *s
		u.NCor = 0
		plain = &u
	}
	return &Estimator{
		stats:    s,
		marginal: lmm.NewMarginal(plain),
		ws: glsWork{
			group:  make([]float64, w*w),
			global: make([]float64, (p+1)*(p+1)),
			theta:  make([]float64, p+q+1),
			grad:   make([]float64, p+q+1),
			sb:     make([]float64, q),
			t:      make([]float64, s.M*q*p),
			cinv:   make([]float64, p*p),
		},
	}
}

// Stats returns the statistics e estimates from.
func (e *Estimator) Stats() *lmm.Stats { return e.stats }

// GLSResult describes a generalized least-squares fit at given variances.
type GLSResult struct {
	// RSS is the generalized residual sum of squares r̂ᵀV⁻¹r̂ at the GLS
	// coefficients.
	RSS float64
	// LogDetV is log det V, V = blockdiag(σ²I + Z_g S² Z_gᵀ).
	LogDetV float64
	// LogDetXVX is log det XcᵀV⁻¹Xc over the pivots kept.
	LogDetXVX float64
	// Rank is the number of coefficients estimated; aliased columns of X
	// (pivots below the tolerance) get coefficient 0.
	Rank int
}

// GLS writes into beta (length P) the centred coefficients βc that
// maximize the marginal likelihood at σ_b = exp(logSigmaB), σ =
// exp(logSigma),
//
//	β̂ = (XᵀV⁻¹X)⁻¹XᵀV⁻¹y,
//
// and returns the generalized residual sum of squares and log
// determinants (the profile and restricted likelihoods follow from them).
// With Woodbury, per group,
//
//	σ² WᵀV_g⁻¹W = WᵀW − (S ZᵀW)ᵀ(σ²I + S ZᵀZ S)⁻¹(S ZᵀW),   W = [Xc, ỹ],
//
// which one sweep of the (Q+P+1)² matrix [[σ²I + SZᵀZS, SZᵀW], [·, 0]]
// on its first Q pivots gives; a sweep of the summed (P+1)² matrix on its
// first P pivots then yields β̂, RSS and det XᵀV⁻¹X. It does not allocate.
// It panics on a length mismatch.
func (e *Estimator) GLS(beta, logSigmaB []float64, logSigma float64) GLSResult {
	s, ws := e.stats, &e.ws
	p, q := s.P, s.Q
	if len(beta) != p || len(logSigmaB) != q {
		panic("estimate: GLS: length mismatch")
	}
	s2 := math.Exp(2 * logSigma)
	for k, v := range logSigmaB {
		ws.sb[k] = math.Exp(v)
	}
	g := ws.global
	e.loadGlobal()
	w := q + p + 1
	logDet := 0.0
	for grp := 0; grp < s.M; grp++ {
		a := ws.group
		clear(a)
		ztz := s.ZtZ[grp*q*q : (grp+1)*q*q]
		ztx := s.ZtX[grp*q*p : (grp+1)*q*p]
		zty := s.ZtY[grp*q : (grp+1)*q]
		for i := 0; i < q; i++ {
			si := ws.sb[i]
			for j := 0; j < q; j++ {
				a[i*w+j] = si * ztz[i*q+j] * ws.sb[j]
			}
			a[i*w+i] += s2
			for j := 0; j < p; j++ {
				v := si * ztx[i*p+j]
				a[i*w+q+j], a[(q+j)*w+i] = v, v
			}
			v := si * zty[i]
			a[i*w+q+p], a[(q+p)*w+i] = v, v
		}
		for k := 0; k < q; k++ {
			logDet += math.Log(a[k*w+k]) // pivots of the Cholesky-like elimination
			sweep(a, w, k, 0)
		}
		tg := ws.t[grp*q*p : (grp+1)*q*p]
		for i := 0; i < q; i++ {
			copy(tg[i*p:(i+1)*p], a[i*w+q:i*w+q+p])
		}
		for i := 0; i <= p; i++ {
			for j := 0; j <= p; j++ {
				g[i*(p+1)+j] += a[(q+i)*w+q+j]
			}
		}
	}
	logDet += float64(s.N-s.M*q) * math.Log(s2)
	res := GLSResult{LogDetV: logDet}
	logDetXVX := 0.0
	for k := 0; k < p; k++ {
		d := g[k*(p+1)+k]
		if sweep(g, p+1, k, pivotTol*s.XtX[k*p+k]) {
			logDetXVX += math.Log(d / s2)
			res.Rank++
		}
	}
	for k := 0; k < p; k++ {
		beta[k] = g[k*(p+1)+p]
		for j := 0; j < p; j++ {
			ws.cinv[k*p+j] = s2 * g[k*(p+1)+j]
		}
	}
	if s.Centred.Intercept {
		beta[0] += s.YShift
	}
	res.RSS = g[p*(p+1)+p] / s2
	res.LogDetXVX = logDetXVX
	return res
}

// loadGlobal copies [[XcᵀXc, Xcᵀỹ], [ỹᵀXc, ỹᵀỹ]] into the workspace.
func (e *Estimator) loadGlobal() {
	s, g := e.stats, e.ws.global
	p := s.P
	for i := 0; i < p; i++ {
		copy(g[i*(p+1):i*(p+1)+p], s.XtX[i*p:(i+1)*p])
		g[i*(p+1)+p] = s.XtY[i]
		g[p*(p+1)+i] = s.XtY[i]
	}
	g[p*(p+1)+p] = s.YtY
}

// ProfileLogLik returns the log marginal likelihood with β profiled out by
// GLS, ℓ_p(σ_b, σ) = −½(N log 2π + log det V + r̂ᵀV⁻¹r̂), for
// φ = [log σ_b, log σ], and the restricted (REML) log-likelihood
//
//	ℓ_R = −½((N − p) log 2π + log det V + log det XᵀV⁻¹X + r̂ᵀV⁻¹r̂)
//
// (Bates et al. 2015, eq. 41, with p the rank of X). It does not allocate.
func (e *Estimator) ProfileLogLik(phi []float64) (ml, reml float64) {
	s := e.stats
	p, q := s.P, s.Q
	if len(phi) != q+1 {
		panic("estimate: ProfileLogLik: length mismatch")
	}
	r := e.GLS(e.ws.theta[:p], phi[:q], phi[q])
	n := float64(s.N)
	ml = -0.5 * (n*log2Pi + r.LogDetV + r.RSS)
	reml = -0.5 * ((n-float64(r.Rank))*log2Pi + r.LogDetV + r.LogDetXVX + r.RSS)
	return ml, reml
}

// log2Pi is log 2π.
var log2Pi = math.Log(2 * math.Pi)

// profileGrad returns the ML profile log-likelihood at φ = [log σ_b,
// log σ] and writes its gradient into grad (length Q+1). By the envelope
// theorem the gradient of the profile equals the partial gradient of the
// marginal likelihood at β̂(φ), which lmm.Marginal evaluates exactly.
func (e *Estimator) profileGrad(phi, grad []float64) float64 {
	s, ws := e.stats, &e.ws
	p, q := s.P, s.Q
	e.GLS(ws.theta[:p], phi[:q], phi[q])
	copy(ws.theta[p:], phi)
	ll := e.marginal.LogLikGrad(ws.theta, ws.grad)
	copy(grad, ws.grad[p:])
	return ll
}

// remlGrad returns the restricted log-likelihood ℓ_R at φ = [log σ_b,
// log σ] and writes its gradient into grad (length Q+1). With
// C = XᵀV⁻¹X, T_g = (σ²I + SZ_gᵀZ_gS)⁻¹SZ_gᵀX_g (so that X_gᵀV_g⁻¹Z_gS =
// T_gᵀ) and q_gk = t_gkᵀC⁻¹t_gk for row t_gk of T_g, differentiating
// log det C = log det Σ_g X_gᵀV_g⁻¹X_g gives
//
//	∂ log det C/∂ log σ_b,k = −2 Σ_g q_gk,
//	∂ log det C/∂ log σ     = −2 (rank(X) − Σ_g Σ_k q_gk),
//
// the latter from XᵀV⁻²X = (C − Σ_g T_gᵀT_g)/σ². ℓ_R = ℓ(β̂) − ½ log det C
// + const, and the gradient of ℓ(β̂) is that of the ML profile.
func (e *Estimator) remlGrad(phi, grad []float64) float64 {
	s, ws := e.stats, &e.ws
	p, q := s.P, s.Q
	r := e.GLS(ws.theta[:p], phi[:q], phi[q])
	copy(ws.theta[p:], phi)
	ll := e.marginal.LogLikGrad(ws.theta, ws.grad)
	if math.IsInf(ll, -1) {
		clear(grad)
		return ll
	}
	copy(grad, ws.grad[p:])
	total := 0.0
	for g := 0; g < s.M; g++ {
		tg := ws.t[g*q*p : (g+1)*q*p]
		for k := 0; k < q; k++ {
			row := tg[k*p : (k+1)*p]
			v := 0.0
			for a, ta := range row {
				ci := ws.cinv[a*p : (a+1)*p]
				for b, tb := range row {
					v += ta * ci[b] * tb
				}
			}
			grad[k] += v
			total += v
		}
	}
	grad[q] += float64(r.Rank) - total
	n := float64(s.N)
	return -0.5 * ((n-float64(r.Rank))*log2Pi + r.LogDetV + r.LogDetXVX + r.RSS)
}
