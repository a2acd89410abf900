package linalg

import "math"

// Cholesky overwrites the lower triangle of the symmetric positive definite
// n×n row-major matrix a with its Cholesky factor L (a = LLᵀ), zeroes the
// strict upper triangle and writes 1/L_jj into inv[j]. Only the lower
// triangle of a is read. It reports false when a pivot is not positive and
// finite, i.e. when a is not numerically positive definite; a and inv are
// then partly overwritten. It panics if a or inv is too short.
func Cholesky(a, inv []float64, n int) bool {
	switch n {
	case 1:
		return cholesky1(a, inv)
	case 2:
		return cholesky2(a, inv)
	}
	for j := 0; j < n; j++ {
		rowJ := a[j*n : j*n+j]
		d := a[j*n+j]
		for _, v := range rowJ {
			d -= v * v
		}
		if !IsPivot(d) {
			return false
		}
		ljj := math.Sqrt(d)
		a[j*n+j] = ljj
		r := 1 / ljj
		inv[j] = r
		for i := j + 1; i < n; i++ {
			s := a[i*n+j]
			rowI := a[i*n : i*n+j]
			for k, v := range rowI {
				s -= v * rowJ[k]
			}
			a[i*n+j] = s * r
			a[j*n+i] = 0
		}
	}
	return true
}

// IsPivot reports whether d is a usable Cholesky pivot: positive and
// finite. Kernels that unroll a factorization into their own arithmetic (the
// q = 2 group factor of the collapsed LMM density) test their pivots with it.
func IsPivot(d float64) bool { return d > 0 && d <= math.MaxFloat64 }

// cholesky1 is Cholesky for n = 1.
func cholesky1(a, inv []float64) bool {
	a, inv = a[:1], inv[:1]
	if !IsPivot(a[0]) {
		return false
	}
	a[0] = math.Sqrt(a[0])
	inv[0] = 1 / a[0]
	return true
}

// cholesky2 is Cholesky for n = 2, unrolled.
func cholesky2(a, inv []float64) bool {
	a, inv = a[:4], inv[:2]
	if !IsPivot(a[0]) {
		return false
	}
	l00 := math.Sqrt(a[0])
	r0 := 1 / l00
	l10 := a[2] * r0
	d := a[3] - l10*l10
	if !IsPivot(d) {
		return false
	}
	l11 := math.Sqrt(d)
	a[0], a[1], a[2], a[3] = l00, 0, l10, l11
	inv[0], inv[1] = r0, 1/l11
	return true
}

// SolveLower overwrites x with L⁻¹x (forward substitution) for the
// lower-triangular n×n factor l with reciprocal diagonal inv.
func SolveLower(l, inv []float64, n int, x []float64) {
	for i := 0; i < n; i++ {
		s := x[i]
		for k := 0; k < i; k++ {
			s -= l[i*n+k] * x[k]
		}
		x[i] = s * inv[i]
	}
}

// SolveLowerT overwrites x with L⁻ᵀx (back substitution) for the
// lower-triangular n×n factor l with reciprocal diagonal inv.
func SolveLowerT(l, inv []float64, n int, x []float64) {
	for i := n - 1; i >= 0; i-- {
		s := x[i]
		for k := i + 1; k < n; k++ {
			s -= l[k*n+i] * x[k]
		}
		x[i] = s * inv[i]
	}
}

// CholSolve overwrites x with A⁻¹x = L⁻ᵀL⁻¹x for the factor l of A with
// reciprocal diagonal inv.
func CholSolve(l, inv []float64, n int, x []float64) {
	SolveLower(l, inv, n, x)
	SolveLowerT(l, inv, n, x)
}

// InvertLower writes L⁻¹ (lower triangular, strict upper triangle zero) into
// dst for the lower-triangular n×n factor l with reciprocal diagonal inv.
// dst and l must not overlap.
func InvertLower(dst, l, inv []float64, n int) {
	for j := 0; j < n; j++ {
		for i := 0; i < j; i++ {
			dst[i*n+j] = 0
		}
		dst[j*n+j] = inv[j]
		for i := j + 1; i < n; i++ {
			s := 0.0
			for k := j; k < i; k++ {
				s -= l[i*n+k] * dst[k*n+j]
			}
			dst[i*n+j] = s * inv[i]
		}
	}
}
