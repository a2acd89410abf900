package lmm

import (
	"math"
)

// Joint is the posterior density of the global parameters and the random
// effects in the non-centred parametrization of lmm.stan, on the
// unconstrained
//
//	θ = [βc (P), log σ_b (Q), log σ (1), z (M·Q, group-major z[g*Q+k])],
//	b_gk = σ_b,k z_gk,   z_gk ~ N(0, 1):
//
//	log p(θ, y) = log p(θ_global) + Σ_gk log N(z_gk | 0, 1)
//	            − N/2 log 2π − N log σ − ‖y − Xβ − Zb‖² / (2σ²),
//
// with the prior and Jacobian of Collapsed. No constant is dropped. The
// squared residual is expanded into the sufficient statistics,
//
//	‖y − Xβ − Zb‖² = rᵀr − Σ_g (2 b_gᵀ Z_gᵀr_g − b_gᵀ Z_gᵀZ_g b_g),
//
// so an evaluation costs O(P² + M(QP + Q²)) whatever N. Its method set Dim
// and LogDensityGrad is the sampler target interface (hmc.Target).
//
// A Joint holds a workspace: it is not safe for concurrent use. Clone gives
// an independent copy sharing the read-only statistics and prior.
type Joint struct {
	stats *Stats
	prior *thetaPrior
	ws    jointWork
}

// jointWork is the scratch space of a Joint.
type jointWork struct {
	beta []float64 // shifted centred coefficients, length P
	xtr  []float64 // Xcᵀr, length P
	gb   []float64 // Σ_g (Z_gᵀXc_g)ᵀ b_g, length P
	sb   []float64 // σ_b, length Q
	ztr  []float64 // Z_gᵀr_g, length Q
	b    []float64 // b_g, length Q
	h    []float64 // (Z_gᵀr_g − Z_gᵀZ_g b_g)/σ², length Q
	l    []float64 // Cholesky factor of Ω, Q×Q (correlated models)
	glam []float64 // ∂/∂Λ = Σ_g h_g z_gᵀ, Q×Q lower (correlated models)
}

// NewJoint returns the joint target for d under prior pr. It panics if d is
// inconsistent or pr does not have the shape of d or a valid scale (see
// NewStats); check priors from user input with Prior.Check first.
func NewJoint(d *Design, pr Prior) *Joint { return NewJointStats(NewStats(d), pr) }

// NewJointStats returns the joint target on precomputed statistics.
func NewJointStats(s *Stats, pr Prior) *Joint {
	tp := newThetaPrior(pr, s.P, s.Q, s.NCor)
	return newJoint(s, &tp)
}

func newJoint(s *Stats, tp *thetaPrior) *Joint {
	p, q := s.P, s.Q
	return &Joint{stats: s, prior: tp, ws: jointWork{
		beta: make([]float64, p),
		xtr:  make([]float64, p),
		gb:   make([]float64, p),
		sb:   make([]float64, q),
		ztr:  make([]float64, q),
		b:    make([]float64, q),
		h:    make([]float64, q),
		l:    make([]float64, q*q),
		glam: make([]float64, q*q),
	}}
}

// Clone returns a target sharing the statistics and prior of j with its own
// workspace, for use in another goroutine.
func (j *Joint) Clone() *Joint { return newJoint(j.stats, j.prior) }

// Dim returns the length of θ, P + Q + 1 + NCor + M·Q.
func (j *Joint) Dim() int { return j.stats.Dim() + j.stats.M*j.stats.Q }

// Stats returns the sufficient statistics of j.
func (j *Joint) Stats() *Stats { return j.stats }

// Params returns the natural-scale global parameters for θ (see
// Stats.Params).
func (j *Joint) Params(theta []float64) Params { return j.stats.Params(theta) }

// RandomEffects writes b_g = diag(σ_b) L z_g for θ into dst (length M·Q,
// group-major) and returns dst; L = I for uncorrelated effects. It panics on
// a length mismatch.
func (j *Joint) RandomEffects(dst, theta []float64) []float64 {
	s := j.stats
	if len(theta) != j.Dim() || len(dst) != s.M*s.Q {
		panic("lmm: Joint.RandomEffects: length mismatch")
	}
	q := s.Q
	z := theta[s.Dim():]
	if s.NCor > 0 {
		corCholesky(j.ws.l, theta[s.P+q+1:s.Dim()], q)
	}
	for k := range q {
		j.ws.sb[k] = math.Exp(theta[s.P+k])
	}
	for g := 0; g < s.M; g++ {
		j.effects(dst[g*q:(g+1)*q], z[g*q:(g+1)*q])
	}
	return dst
}

// effects writes b = diag(σ_b) L z into b, with σ_b in ws.sb and L in ws.l
// for correlated models and L = I otherwise.
func (j *Joint) effects(b, z []float64) {
	q, sb := len(b), j.ws.sb
	if j.stats.NCor == 0 {
		for k, v := range z {
			b[k] = sb[k] * v
		}
		return
	}
	for a := 0; a < q; a++ {
		v := 0.0
		for c := 0; c <= a; c++ {
			v += j.ws.l[a*q+c] * z[c]
		}
		b[a] = sb[a] * v
	}
}

// LogDensity returns log p(θ, y), or −Inf when θ or the result is not
// finite. It panics if len(theta) != Dim().
func (j *Joint) LogDensity(theta []float64) float64 {
	if len(theta) != j.Dim() {
		panic("lmm: Joint.LogDensity: theta length mismatch")
	}
	return j.eval(theta, nil)
}

// LogDensityGrad returns log p(θ, y) and overwrites grad with its gradient
// with respect to θ. When θ or the result is not finite it returns −Inf and
// zeroes grad. It panics on a length mismatch. It does not allocate.
func (j *Joint) LogDensityGrad(theta, grad []float64) float64 {
	if len(theta) != j.Dim() || len(grad) != j.Dim() {
		panic("lmm: Joint.LogDensityGrad: length mismatch")
	}
	return j.eval(theta, grad)
}

// eval computes log p(θ, y) and, when grad is not nil, its gradient.
func (j *Joint) eval(theta, grad []float64) float64 {
	s, ws := j.stats, &j.ws
	p, q, d := s.P, s.Q, s.Dim()
	if !allFinite(theta) {
		clear(grad)
		return math.Inf(-1)
	}
	logSigma := theta[p+q]
	s2 := math.Exp(2 * logSigma)
	rtr := residualSetup(s, theta, ws.beta, ws.sb, ws.xtr)
	z := theta[d:]
	cor := s.NCor > 0
	if cor {
		corCholesky(ws.l, theta[p+q+1:d], q)
	}
	if grad != nil {
		clear(grad)
		clear(ws.gb)
		clear(ws.glam)
	}
	e, zz := rtr, 0.0
	for g := 0; g < s.M; g++ {
		groupResidual(s, g, ws.beta, ws.ztr)
		zg := z[g*q : (g+1)*q]
		j.effects(ws.b, zg)
		for _, v := range zg {
			zz += v * v
		}
		ztz := s.ZtZ[g*q*q : (g+1)*q*q]
		for a := 0; a < q; a++ {
			zb := 0.0
			for c := 0; c < q; c++ {
				zb += ztz[a*q+c] * ws.b[c]
			}
			e -= ws.b[a] * (2*ws.ztr[a] - zb)
			ws.h[a] = (ws.ztr[a] - zb) / s2
		}
		if grad == nil {
			continue
		}
		gz := grad[d+g*q : d+(g+1)*q]
		if cor {
			j.groupGradCor(gz, zg, ws.gb, g)
			continue
		}
		for a := 0; a < q; a++ {
			grad[p+a] += ws.h[a] * ws.b[a]
			gz[a] = ws.sb[a]*ws.h[a] - zg[a]
			ztx := s.ZtX[(g*q+a)*p : (g*q+a+1)*p]
			for c, x := range ztx {
				ws.gb[c] += x * ws.b[a]
			}
		}
	}
	n, mq := float64(s.N), float64(s.M*q)
	lp := -0.5*(n+mq)*log2Pi - n*logSigma - 0.5*e/s2 - 0.5*zz
	if grad != nil {
		for a := 0; a < p; a++ {
			grad[a] = (ws.xtr[a] - ws.gb[a]) / s2
		}
		grad[p+q] = -n + e/s2
		if cor {
			relFactorBackward(grad[p:p+q], grad[p+q+1:d], ws.glam, ws.sb, ws.l, theta[p+q+1:d], q)
		}
	}
	lp += j.prior.logDensity(theta, grad) + j.prior.corLogDensity(theta, ws.l, grad)
	return finiteOrNegInf(lp, grad)
}

// groupGradCor adds group g's terms of a correlated model, with b_g = Λz_g
// and h_g in the workspace: ∂/∂Λ += h_g z_gᵀ (lower triangle), ∂/∂z_g =
// Λᵀh_g − z_g into gz, and (Z_gᵀXc_g)ᵀb_g into gb.
func (j *Joint) groupGradCor(gz, zg, gb []float64, g int) {
	s, ws := j.stats, &j.ws
	p, q := s.P, s.Q
	for a := 0; a < q; a++ {
		for c := 0; c <= a; c++ {
			ws.glam[a*q+c] += ws.h[a] * zg[c]
		}
		// (Λᵀh)_a = Σ_{c≥a} Λ_ca h_c, Λ_ca = σ_b,c L_ca.
		v := 0.0
		for c := a; c < q; c++ {
			v += ws.sb[c] * ws.l[c*q+a] * ws.h[c]
		}
		gz[a] = v - zg[a]
		ztx := s.ZtX[(g*q+a)*p : (g*q+a+1)*p]
		for c, x := range ztx {
			gb[c] += x * ws.b[a]
		}
	}
}
