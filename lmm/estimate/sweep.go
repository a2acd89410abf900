package estimate

// This file holds the sweep operator, the one matrix kernel behind every
// estimate of the package: least squares, generalized least squares and the
// within-group projections all reduce to sweeping a small cross-product
// matrix on some of its pivots.

// sweep sweeps the n×n row-major matrix a on pivot k (Goodnight 1979,
// "A tutorial on the SWEEP operator", The American Statistician 33(3)):
//
//	a_kk ← 1/d,  a_kj ← a_kj/d,  a_ik ← −a_ik/d,  a_ij ← a_ij − a_ik a_kj/d,
//
// with d = a_kk. Sweeping a symmetric [[A, B], [Bᵀ, C]] on every pivot of A
// leaves A⁻¹ top left, A⁻¹B top right and the Schur complement C − BᵀA⁻¹B
// bottom right. When d ≤ tol the pivot is taken as collinear with those
// already swept: row and column k are zeroed and sweep reports false. The
// result is then that of the generalized inverse that drops column k, which
// leaves projections (and so residual cross-products) exact.
func sweep(a []float64, n, k int, tol float64) bool {
	d := a[k*n+k]
	if !(d > tol) {
		for j := 0; j < n; j++ {
			a[k*n+j] = 0
			a[j*n+k] = 0
		}
		return false
	}
	inv := 1 / d
	rowK := a[k*n : (k+1)*n]
	for j := range rowK {
		if j != k {
			rowK[j] *= inv
		}
	}
	for i := 0; i < n; i++ {
		if i == k {
			continue
		}
		rowI := a[i*n : (i+1)*n]
		b := rowI[k]
		if b == 0 {
			continue
		}
		for j, v := range rowK {
			if j != k {
				rowI[j] -= b * v
			}
		}
		rowI[k] = -b * inv
	}
	rowK[k] = inv
	return true
}

// pivotTol is the relative tolerance below which a pivot counts as
// collinear: a column whose residual sum of squares after projection on the
// columns already swept is below pivotTol times its own sum of squares.
const pivotTol = 1e-10
