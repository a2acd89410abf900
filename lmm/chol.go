package lmm

import "math"

// This file holds the small dense kernels behind the per-group Q×Q algebra:
// an in-place Cholesky factorization and triangular solves on row-major
// q×q matrices. Q is the number of random effects per group (typically 1 to
// 4), so plain loops beat any blocked library routine and never allocate.
// The reciprocals of the diagonal of L are kept in a separate slice so that
// the solves multiply instead of dividing.

// choleskyInPlace overwrites the lower triangle of the symmetric positive
// definite q×q row-major matrix a with its Cholesky factor L (a = L Lᵀ),
// zeroes the strict upper triangle and writes 1/L_jj into inv[j]. It
// reports false when a pivot is not positive and finite, i.e. when a is not
// numerically positive definite.
func choleskyInPlace(a, inv []float64, q int) bool {
	switch q {
	case 1:
		return cholesky1(a, inv)
	case 2:
		return cholesky2(a, inv)
	}
	for j := 0; j < q; j++ {
		rowJ := a[j*q : j*q+j]
		d := a[j*q+j]
		for _, v := range rowJ {
			d -= v * v
		}
		if !isPivot(d) {
			return false
		}
		ljj := math.Sqrt(d)
		a[j*q+j] = ljj
		r := 1 / ljj
		inv[j] = r
		for i := j + 1; i < q; i++ {
			s := a[i*q+j]
			rowI := a[i*q : i*q+j]
			for k, v := range rowI {
				s -= v * rowJ[k]
			}
			a[i*q+j] = s * r
			a[j*q+i] = 0
		}
	}
	return true
}

// isPivot reports whether d is a usable Cholesky pivot: positive and finite.
func isPivot(d float64) bool { return d > 0 && d <= math.MaxFloat64 }

// cholesky1 is choleskyInPlace for q = 1.
func cholesky1(a, inv []float64) bool {
	a, inv = a[:1], inv[:1]
	if !isPivot(a[0]) {
		return false
	}
	a[0] = math.Sqrt(a[0])
	inv[0] = 1 / a[0]
	return true
}

// cholesky2 is choleskyInPlace for q = 2, unrolled.
func cholesky2(a, inv []float64) bool {
	a, inv = a[:4], inv[:2]
	if !isPivot(a[0]) {
		return false
	}
	l00 := math.Sqrt(a[0])
	r0 := 1 / l00
	l10 := a[2] * r0
	d := a[3] - l10*l10
	if !isPivot(d) {
		return false
	}
	l11 := math.Sqrt(d)
	a[0], a[1], a[2], a[3] = l00, 0, l10, l11
	inv[0], inv[1] = r0, 1/l11
	return true
}

// solveLower overwrites x with L⁻¹x for the lower-triangular q×q factor l
// with reciprocal diagonal inv.
func solveLower(l, inv []float64, q int, x []float64) {
	for i := 0; i < q; i++ {
		s := x[i]
		for k := 0; k < i; k++ {
			s -= l[i*q+k] * x[k]
		}
		x[i] = s * inv[i]
	}
}

// solveLowerT overwrites x with L⁻ᵀx for the lower-triangular q×q factor l
// with reciprocal diagonal inv.
func solveLowerT(l, inv []float64, q int, x []float64) {
	for i := q - 1; i >= 0; i-- {
		s := x[i]
		for k := i + 1; k < q; k++ {
			s -= l[k*q+i] * x[k]
		}
		x[i] = s * inv[i]
	}
}

// invertLower writes L⁻¹ (lower triangular, strict upper triangle zero) into
// dst for the lower-triangular q×q factor l with reciprocal diagonal inv.
// dst and l must not overlap.
func invertLower(dst, l, inv []float64, q int) {
	for j := 0; j < q; j++ {
		for i := 0; i < j; i++ {
			dst[i*q+j] = 0
		}
		dst[j*q+j] = inv[j]
		for i := j + 1; i < q; i++ {
			s := 0.0
			for k := j; k < i; k++ {
				s -= l[i*q+k] * dst[k*q+j]
			}
			dst[i*q+j] = s * inv[i]
		}
	}
}
