package lmm

import (
	"fmt"
	"math"
)

// This file holds the correlation matrix Ω of correlated random effects:
// its unconstrained parametrization (Stan's cholesky_factor_corr), the LKJ
// prior on its Cholesky factor, and the gradients of both. See the package
// documentation, "Correlated random effects".

// NumCor returns the number of correlations among q random effects,
// q(q−1)/2.
func NumCor(q int) int { return q * (q - 1) / 2 }

// logSech2 returns log(1 − tanh²y) = log sech²y without underflow for large
// |y|.
func logSech2(y float64) float64 {
	a := math.Abs(y)
	return 2 * (math.Ln2 - a - math.Log1p(math.Exp(-2*a)))
}

// CorCholesky writes into l (q×q, row-major, lower triangular) the Cholesky
// factor L of the correlation matrix Ω = LLᵀ given by the unconstrained
// vector y (length NumCor(q)), and returns the log-Jacobian log|∂L/∂y| of
// the map onto the strict lower triangle of L.
//
// It is Stan's cholesky_corr_constrain: the canonical partial correlations
// z_k = tanh(y_k) fill the strict lower triangle row by row, and row i is
//
//	L_ij = z_ij √R_ij (j < i),   L_ii = √R_ii,   R_ij = Π_{k<j} (1 − z_ik²),
//
// so every row has unit norm and L_ii > 0. The log-Jacobian is
// Σ log(1 − z²) (from tanh) + Σ_i Σ_{0<j<i} ½ log R_ij. It panics on a
// length mismatch.
func CorCholesky(l, y []float64, q int) float64 {
	if len(l) != q*q || len(y) != NumCor(q) {
		panic(fmt.Sprintf("lmm: CorCholesky: got %d and %d values, want %d and %d", len(l), len(y), q*q, NumCor(q)))
	}
	corCholesky(l, y, q)
	return corLogJacobian(y, q)
}

// corCholesky is CorCholesky without the log-Jacobian, for the densities,
// which take it from corLogJacobian once per evaluation.
func corCholesky(l, y []float64, q int) {
	clear(l)
	if q == 0 {
		return
	}
	l[0] = 1
	k := 0
	for i := 1; i < q; i++ {
		logR := 0.0 // log R_ij, the log of the squared length left in row i
		for j := 0; j < i; j++ {
			l[i*q+j] = math.Tanh(y[k]) * math.Exp(0.5*logR)
			logR += logSech2(y[k])
			k++
		}
		l[i*q+i] = math.Exp(0.5 * logR)
	}
}

// corLogJacobian returns the log-Jacobian of CorCholesky at y without
// forming L.
func corLogJacobian(y []float64, q int) float64 {
	lj, k := 0.0, 0
	for i := 1; i < q; i++ {
		logR := 0.0
		for j := 0; j < i; j++ {
			ls := logSech2(y[k])
			k++
			lj += ls
			if j > 0 {
				lj += 0.5 * logR
			}
			logR += ls
		}
	}
	return lj
}

// corCholeskyBackward adds to gy (length NumCor(q)) the gradient with
// respect to y of
//
//	f(L(y)) + Σ_i diag_i log L_ii + [log|∂L/∂y| when jacobian],
//
// given gl, the gradient of f with respect to the lower triangle of L (q×q
// row-major; the upper triangle is ignored; nil for f = 0), and the
// log-diagonal coefficients diag (length q; nil for none). l must be
// CorCholesky(y).
//
// With z_k = tanh(y_k) and R as in CorCholesky, for entry k = (i, j):
// ∂L_ij/∂y_k = (1 − z_k²)√R_ij, ∂L_im/∂y_k = −z_k L_im for m > j (m ≤ i,
// through R_im), ∂ log L_ii/∂y_k = −z_k, and the log-Jacobian contributes
// −2z_k (tanh) − z_k·(i − 1 − j) (the ½ log R_im terms with j < m < i).
func corCholeskyBackward(gy, gl, y, l, diag []float64, jacobian bool, q int) {
	k := 0
	for i := 1; i < q; i++ {
		row := l[i*q : i*q+i+1]
		for j := 0; j < i; j++ {
			z := math.Tanh(y[k+j])
			g := 0.0
			if gl != nil {
				grow := gl[i*q : i*q+i+1]
				tail := 0.0
				for m := j + 1; m <= i; m++ {
					tail += grow[m] * row[m]
				}
				g += grow[j]*(1-z*z)*math.Sqrt(rowRemaining(row, j)) - z*tail
			}
			if jacobian {
				g -= z * (2 + float64(i-1-j))
			}
			if diag != nil {
				g -= z * diag[i]
			}
			gy[k+j] += g
		}
		k += i
	}
}

// rowRemaining returns R_ij = 1 − Σ_{m<j} L_im², the squared length left in
// a unit row after its first j entries, floored at 0.
func rowRemaining(row []float64, j int) float64 {
	r := 1.0
	for m := 0; m < j; m++ {
		r -= row[m] * row[m]
	}
	return max(r, 0)
}

// CorFromCholesky writes into dst the correlations Ω_ij = Σ_m L_im L_jm of
// Ω = LLᵀ for i = 1..q−1, j = 0..i−1 (the order of Design.Names) and
// returns dst. It panics on a length mismatch.
func CorFromCholesky(dst, l []float64, q int) []float64 {
	if len(l) != q*q || len(dst) != NumCor(q) {
		panic("lmm: CorFromCholesky: length mismatch")
	}
	k := 0
	for i := 1; i < q; i++ {
		for j := 0; j < i; j++ {
			v := 0.0
			for m := 0; m <= j; m++ {
				v += l[i*q+m] * l[j*q+m]
			}
			dst[k] = v
			k++
		}
	}
	return dst
}

// CorUnconstrain writes into dst (length NumCor(q)) the unconstrained vector
// y whose CorCholesky gives the correlations cor (in the order of
// Design.Names) and returns it. It returns an error, naming the pair, when
// a correlation is outside (−1, 1) or the matrix is not positive definite.
func CorUnconstrain(dst, cor []float64, q int) error {
	if len(dst) != NumCor(q) || len(cor) != NumCor(q) {
		panic("lmm: CorUnconstrain: length mismatch")
	}
	l := make([]float64, q*q)
	k := 0
	for i := 0; i < q; i++ {
		for j := 0; j < i; j++ {
			c := cor[k+j]
			if !(c > -1 && c < 1) {
				return fmt.Errorf("correlation %d,%d is %g, outside (−1, 1)", j+1, i+1, c)
			}
		}
		// Row i of L from Ω_i,· = L_i· L_·ᵀ: L_ij = (Ω_ij − Σ_{m<j} L_im L_jm)/L_jj.
		rem := 1.0
		for j := 0; j < i; j++ {
			v := cor[k+j]
			for m := 0; m < j; m++ {
				v -= l[i*q+m] * l[j*q+m]
			}
			v /= l[j*q+j]
			l[i*q+j] = v
			// The canonical partial correlation is L_ij / √R_ij.
			z := v / math.Sqrt(rem)
			if !(z > -1 && z < 1) {
				return fmt.Errorf("the correlation matrix is not positive definite (at the pair %d,%d)", j+1, i+1)
			}
			dst[k+j] = math.Atanh(z)
			rem -= v * v
		}
		if i > 0 && !(rem > 0) {
			return fmt.Errorf("the correlation matrix is not positive definite (row %d)", i+1)
		}
		l[i*q+i] = math.Sqrt(rem)
		k += i
	}
	return nil
}

// lkjLogConstant returns −log c_q(η), the log normalizing constant of the
// LKJ(η) density det(Ω)^{η−1}/c_q(η) on q×q correlation matrices, with
// (Lewandowski, Kurowicka & Joe 2009, Theorem 5 and eq. 16)
//
//	c_q(η) = 2^{Σ_{k=1}^{q−1} (2η − 2 + q − k)(q − k)}
//	         · Π_{k=1}^{q−1} B(η + (q − k − 1)/2, η + (q − k − 1)/2)^{q−k}.
func lkjLogConstant(q int, eta float64) float64 {
	c := 0.0
	for k := 1; k < q; k++ {
		qk := float64(q - k)
		b := eta + (qk-1)/2
		lb := 2*lgamma(b) - lgamma(2*b)
		c += (2*eta-2+qk)*qk*math.Ln2 + qk*lb
	}
	return -c
}

// lgamma returns log Γ(x) for x > 0.
func lgamma(x float64) float64 {
	v, _ := math.Lgamma(x)
	return v
}

// lkjDiagCoef writes into dst (length q) the coefficients c_i of
// log L_ii in the LKJ density of the Cholesky factor,
//
//	log LKJ_chol(L | η) = −log c_q(η) + Σ_{i=1}^{q−1} (q − i − 1 + 2η − 2) log L_ii,
//
// the density of Ω times the Jacobian Π_i L_ii^{q−i−1} of Ω = LLᵀ (Stan
// Functions Reference, "Cholesky LKJ correlation distribution"). dst[0] is 0
// (L_00 = 1).
func lkjDiagCoef(dst []float64, q int, eta float64) []float64 {
	for i := range dst {
		dst[i] = 0
		if i > 0 {
			dst[i] = float64(q-i-1) + 2*eta - 2
		}
	}
	return dst
}

// LKJCholeskyLogDensity returns log LKJ_chol(L | η), the LKJ(η) density of
// the correlation matrix LLᵀ expressed on its Cholesky factor L (q×q
// row-major lower triangular with positive diagonal), normalizing constant
// included. It panics on a length mismatch or η ≤ 0.
func LKJCholeskyLogDensity(l []float64, q int, eta float64) float64 {
	if len(l) != q*q || !(eta > 0) {
		panic("lmm: LKJCholeskyLogDensity: bad arguments")
	}
	lp := lkjLogConstant(q, eta)
	for i := 1; i < q; i++ {
		lp += (float64(q-i-1) + 2*eta - 2) * math.Log(l[i*q+i])
	}
	return lp
}
