package nn

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// Impl is the BLAS implementation every matrix product in this package goes
// through. It defaults to gonum's pure-Go implementation; a build may replace
// it (for example with gonum.org/v1/netlib) before any layer is used.
var Impl blas.Float64 = gonum.Implementation{}

// Split-K parameters of Gemm. A product whose inner dimension k is at least
// SplitKMin and whose output has at most SplitKMaxOut elements is computed
// as a sum of partial products over contiguous k-chunks of about
// SplitKChunk (at most SplitKMaxParts ≤ SplitKMaxPartsCap of them), run in
// parallel and added in chunk order. The number of chunks depends only on
// the sizes, so results do not depend on GOMAXPROCS. This is the measured
// fix for the slow weight-gradient product dW = Xᵀ·dY in gonum's parallel
// Dgemm (2.0 → 13.2 GFLOP/s for K = 4096, 128×128, on 2 cores; BenchmarkGemm
// compares the two paths).
var (
	SplitKMin      = 2048
	SplitKChunk    = 1024
	SplitKMaxParts = 4
	SplitKMaxOut   = 256 * 256
)

// Gemm computes the row-major product C = alpha·op(A)·op(B) + beta·C, where
// op(A) is m×k, op(B) is k×n and C is m×n. A is stored m×k (k×m when tA) with
// leading dimension lda; B is stored k×n (n×k when tB) with leading dimension
// ldb; C has leading dimension ldc. Leading dimensions larger than the row
// length select column blocks, which is how attention addresses one head.
//
// Products larger than one 64×64 tile of C are cut into tiles (and k-parts,
// see SplitKMin) that run serially in gonum on the package's worker pool;
// each entry is computed by the same serial code whatever the GOMAXPROCS,
// and the call allocates nothing after warm-up.
func Gemm(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		scaleRows(c, m, n, ldc, beta)
		return
	}
	ta, tb := blas.NoTrans, blas.NoTrans
	if tA {
		ta = blas.Trans
	}
	if tB {
		tb = blas.Trans
	}
	parts := 1
	if k >= SplitKMin && m*n <= SplitKMaxOut {
		parts = min(SplitKMaxParts, SplitKMaxPartsCap, (k+SplitKChunk-1)/SplitKChunk)
	}
	rowBlocks := (m + tileSize - 1) / tileSize
	colBlocks := (n + tileSize - 1) / tileSize
	if parts == 1 && rowBlocks*colBlocks == 1 {
		Impl.Dgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	g := gemmTaskPool.get()
	*g = gemmTask{ta: ta, tb: tb, m: m, n: n, k: k, alpha: alpha, beta: beta, a: a, b: b, c: c,
		lda: lda, ldb: ldb, ldc: ldc, parts: parts, chunkK: (k + parts - 1) / parts,
		rowBlocks: rowBlocks, colBlk: colBlocks, scratch: g.scratch}
	for p := 1; p < parts; p++ {
		g.scratch[p-1] = grow(g.scratch[p-1], m*n)
	}
	run(parts*rowBlocks*colBlocks, nil, g)
	for p := 1; p < parts; p++ {
		s := g.scratch[p-1]
		for i := 0; i < m; i++ {
			ci := c[i*ldc : i*ldc+n]
			si := s[i*n : i*n+n]
			for j := range ci {
				ci[j] += si[j]
			}
		}
	}
	g.a, g.b, g.c = nil, nil, nil
	gemmTaskPool.put(g)
}

// MatMul is Gemm on densely stored matrices: C = alpha·op(A)·op(B) + beta·C.
func MatMul(tA, tB bool, m, n, k int, alpha float64, a, b []float64, beta float64, c []float64) {
	lda, ldb := k, n
	if tA {
		lda = m
	}
	if tB {
		ldb = k
	}
	if len(a) < m*k || len(b) < k*n || len(c) < m*n {
		panic("nn: matmul size mismatch")
	}
	Gemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, n)
}

func scaleRows(c []float64, m, n, ldc int, beta float64) {
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		for j := range row {
			if beta == 0 {
				row[j] = 0
			} else {
				row[j] *= beta
			}
		}
	}
}

// grow returns buf resliced to length n, reallocating only when its
// capacity is too small. Contents are not preserved on reallocation.
func grow(buf []float64, n int) []float64 {
	if cap(buf) < n {
		return make([]float64, n)
	}
	return buf[:n]
}
