package estimate

import (
	"fmt"
	"math"
)

// WithinResult is the least-squares dummy-variable (LSDV) fit: y regressed
// on [X, Z_g per group], every group with its own fixed Z coefficients.
type WithinResult struct {
	Sigma float64 // √(RSS / DF), the within-group residual SD
	RSS   float64 // residual sum of squares
	DF    int     // N − rank([X, blockdiag Z_g])
	Rank  int     // rank of [X, blockdiag Z_g], as found by the pivot tolerance
}

// Within returns the LSDV residual variance estimate of σ. With M_g the
// projection off the columns of Z_g,
//
//	RSS = Σ_g ỹ_gᵀM_g ỹ_g − (XᵀMỹ)ᵀ(XᵀMX)⁻(XᵀMỹ),
//	Σ_g W_gᵀM_g W_g = WᵀW − Σ_g (Z_gᵀW_g)ᵀ(Z_gᵀZ_g)⁻(Z_gᵀW_g),  W = [Xc, ỹ],
//
// both from the statistics by the sweep operator. Singular Z_gᵀZ_g (groups
// with n_g ≤ Q, or a column constant or zero within the group) are handled
// by the generalized inverse that drops collinear pivots (see sweep): the
// projection is still exact and the group contributes rank(Z_g) to the
// rank. Columns of X in the span of the Z_g (every random term) drop out the
// same way. It returns an error when N ≤ rank or the residual sum of
// squares is zero, where σ cannot be estimated.
func (e *Estimator) Within() (WithinResult, error) {
	s, ws := e.stats, &e.ws
	p, q := s.P, s.Q
	w := q + p + 1
	g := ws.global
	e.loadGlobal()
	rank := 0
	for grp := 0; grp < s.M; grp++ {
		a := ws.group
		clear(a)
		ztz := s.ZtZ[grp*q*q : (grp+1)*q*q]
		ztx := s.ZtX[grp*q*p : (grp+1)*q*p]
		zty := s.ZtY[grp*q : (grp+1)*q]
		for i := 0; i < q; i++ {
			copy(a[i*w:i*w+q], ztz[i*q:(i+1)*q])
			for j := 0; j < p; j++ {
				a[i*w+q+j], a[(q+j)*w+i] = ztx[i*p+j], ztx[i*p+j]
			}
			a[i*w+q+p], a[(q+p)*w+i] = zty[i], zty[i]
		}
		for k := 0; k < q; k++ {
			if sweep(a, w, k, pivotTol*ztz[k*q+k]) {
				rank++
			}
		}
		for i := 0; i <= p; i++ {
			for j := 0; j <= p; j++ {
				g[i*(p+1)+j] += a[(q+i)*w+q+j]
			}
		}
	}
	for k := 0; k < p; k++ {
		if sweep(g, p+1, k, pivotTol*s.XtX[k*p+k]) {
			rank++
		}
	}
	res := WithinResult{RSS: math.Max(g[p*(p+1)+p], 0), Rank: rank, DF: s.N - rank}
	if res.DF <= 0 {
		return res, fmt.Errorf("estimate: within-group fit: %d observations for rank %d", s.N, rank)
	}
	if !(res.RSS > 0) {
		return res, fmt.Errorf("estimate: within-group fit: zero residual sum of squares")
	}
	res.Sigma = math.Sqrt(res.RSS / float64(res.DF))
	return res, nil
}

// OLS writes into beta (length P) the pooled least-squares centred
// coefficients βc of y on X (random effects ignored) and returns the
// residual sum of squares and the rank of X. Aliased columns get 0.
func (e *Estimator) OLS(beta []float64) (rss float64, rank int) {
	s, g := e.stats, e.ws.global
	p := s.P
	if len(beta) != p {
		panic("estimate: OLS: length mismatch")
	}
	e.loadGlobal()
	for k := 0; k < p; k++ {
		if sweep(g, p+1, k, pivotTol*s.XtX[k*p+k]) {
			rank++
		}
	}
	for k := 0; k < p; k++ {
		beta[k] = g[k*(p+1)+p]
	}
	if s.Centred.Intercept {
		beta[0] += s.YShift
	}
	return math.Max(g[p*(p+1)+p], 0), rank
}

// MomentsResult is the method-of-moments estimate of σ_b.
type MomentsResult struct {
	SigmaB []float64 // floored at 0
	Groups []int     // number of groups used for each σ_b,k
}

// Moments returns a method-of-moments estimate of σ_b: per group the OLS
// coefficients b̂_g = (Z_gᵀZ_g)⁻¹Z_gᵀr_g of the pooled OLS residual
// r = y − Xβ̂_OLS on Z_g, with sampling variance σ̂²(Z_gᵀZ_g)⁻¹_kk
// (σ̂ = sigma, usually Within's), and
//
//	σ̂²_b,k = max(0, Var_g(b̂_gk) − mean_g σ̂²(Z_gᵀZ_g)⁻¹_kk)
//
// over the groups whose Z_gᵀZ_g is non-singular and n_g > Q (others carry
// no estimate of b_g). With fewer than two usable groups σ̂_b,k is 0 and
// Groups[k] says so. It allocates its result.
func (e *Estimator) Moments(sigma float64) MomentsResult {
	s, ws := e.stats, &e.ws
	p, q := s.P, s.Q
	res := MomentsResult{SigmaB: make([]float64, q), Groups: make([]int, q)}
	if q == 0 {
		return res
	}
	beta := ws.theta[:p]
	e.OLS(beta)
	if s.Centred.Intercept {
		beta[0] -= s.YShift
	}
	sum := make([]float64, 3*q) // Σ b̂, Σ b̂², Σ sampling variance
	w := q + 1
	a := ws.group[:w*w]
	for grp := 0; grp < s.M; grp++ {
		if s.GroupN[grp] <= q {
			continue
		}
		ztz := s.ZtZ[grp*q*q : (grp+1)*q*q]
		clear(a)
		for i := 0; i < q; i++ {
			copy(a[i*w:i*w+q], ztz[i*q:(i+1)*q])
			v := s.ZtY[grp*q+i]
			for j, x := range s.ZtX[(grp*q+i)*p : (grp*q+i+1)*p] {
				v -= x * beta[j]
			}
			a[i*w+q], a[q*w+i] = v, v
		}
		ok := true
		for k := 0; k < q; k++ {
			ok = sweep(a, w, k, pivotTol*ztz[k*q+k]) && ok
		}
		if !ok {
			continue
		}
		for k := 0; k < q; k++ {
			b := a[k*w+q]
			sum[k] += b
			sum[q+k] += b * b
			sum[2*q+k] += sigma * sigma * a[k*w+k]
			res.Groups[k]++
		}
	}
	for k := 0; k < q; k++ {
		m := float64(res.Groups[k])
		if m < 2 {
			continue
		}
		mean := sum[k] / m
		v := (sum[q+k] - m*mean*mean) / (m - 1)
		res.SigmaB[k] = math.Sqrt(math.Max(0, v-sum[2*q+k]/m))
	}
	return res
}
