// Package linalg holds the one dense Cholesky factorization of the module
// and the triangular solves that use it, on row-major n×n []float64
// matrices held by the caller.
//
// For a symmetric positive definite A, Cholesky writes the lower triangular
// L with A = LLᵀ (Golub & Van Loan 2013, Matrix Computations, 4th ed.,
// Algorithm 4.2.1, the column-oriented "gaxpy" form):
//
//	L_jj = √(A_jj − Σ_{k<j} L_jk²),   L_ij = (A_ij − Σ_{k<j} L_ik L_jk) / L_jj  (i > j),
//
// and keeps the reciprocals 1/L_jj in a separate slice, so that the solves
// multiply instead of dividing. A pivot that is not positive and finite
// means A is not numerically positive definite; Cholesky then reports
// false.
//
// The matrices of this module are small: q×q per group in the collapsed
// LMM density (q, the random effects per group, is typically 1 to 4; q = 1
// and 2 are unrolled), the d×d Hessians of the Laplace approximation, and
// the inverse metric of the dense NUTS metric. Plain loops beat a blocked
// library routine at these sizes, and nothing here allocates.
package linalg
