package nn

import (
	"sync"

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
// SplitKChunk, at most SplitKMaxParts of them, run on separate goroutines and
// summed in chunk order. The number of chunks depends only on the sizes, so
// results do not depend on GOMAXPROCS. This is the measured fix for the slow
// weight-gradient product dW = Xᵀ·dY in gonum's parallel Dgemm
// (research/mlstack.md: 2.0 → 13.2 GFLOP/s for K=4096, 128×128).
var (
	SplitKMin      = 2048
	SplitKChunk    = 1024
	SplitKMaxParts = 4
	SplitKMaxOut   = 256 * 256
)

var scratchPool = sync.Pool{New: func() any { return new([]float64) }}

// Gemm computes the row-major product C = alpha·op(A)·op(B) + beta·C, where
// op(A) is m×k, op(B) is k×n and C is m×n. A is stored m×k (k×m when tA) with
// leading dimension lda; B is stored k×n (n×k when tB) with leading dimension
// ldb; C has leading dimension ldc. Leading dimensions larger than the row
// length select column blocks, which is how attention addresses one head.
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
		parts = min(SplitKMaxParts, (k+SplitKChunk-1)/SplitKChunk)
	}
	if parts <= 1 {
		Impl.Dgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	gemmSplit(ta, tb, parts, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, tA, tB)
}

// gemmSplit computes partial products over k-chunks: chunk 0 goes straight
// into C, the others into pooled scratch, then all are added in chunk
// order. It is separate from Gemm so that the goroutine closures do not move
// Gemm's arguments to the heap on the serial path.
func gemmSplit(ta, tb blas.Transpose, parts, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int, tA, tB bool) {
	bufs := make([]*[]float64, parts) // small; escapes only with parts > 1
	var wg sync.WaitGroup
	chunk := (k + parts - 1) / parts
	for p := 0; p < parts; p++ {
		k0 := p * chunk
		k1 := min(k, k0+chunk)
		aOff := k0 // column offset in A (NoTrans) or row offset (Trans)
		if tA {
			aOff = k0 * lda
		}
		bOff := k0 * ldb // row offset in B (NoTrans) or column offset (Trans)
		if tB {
			bOff = k0
		}
		if p == 0 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				Impl.Dgemm(ta, tb, m, n, k1-k0, alpha, a[aOff:], lda, b[bOff:], ldb, beta, c, ldc)
			}()
			continue
		}
		bp := scratchPool.Get().(*[]float64)
		*bp = grow(*bp, m*n)
		bufs[p] = bp
		wg.Add(1)
		go func() {
			defer wg.Done()
			Impl.Dgemm(ta, tb, m, n, k1-k0, alpha, a[aOff:], lda, b[bOff:], ldb, 0, *bp, n)
		}()
	}
	wg.Wait()
	for p := 1; p < parts; p++ {
		s := *bufs[p]
		for i := 0; i < m; i++ {
			ci := c[i*ldc : i*ldc+n]
			si := s[i*n : i*n+n]
			for j := range ci {
				ci[j] += si[j]
			}
		}
		scratchPool.Put(bufs[p])
	}
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

// ParallelFor calls f(i) for i in [0, n) on up to GOMAXPROCS goroutines. Each
// index is handled exactly once, so results written to disjoint places are
// independent of scheduling.
func ParallelFor(n int, f func(i int)) {
	workers := min(n, maxProcs())
	if workers <= 1 {
		for i := 0; i < n; i++ {
			f(i)
		}
		return
	}
	var wg sync.WaitGroup
	per := (n + workers - 1) / workers
	for w := 0; w < workers; w++ {
		lo, hi := w*per, min(n, (w+1)*per)
		if lo >= hi {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := lo; i < hi; i++ {
				f(i)
			}
		}()
	}
	wg.Wait()
}

// grow returns buf resliced to length n, reallocating only when its
// capacity is too small. Contents are not preserved on reallocation.
func grow(buf []float64, n int) []float64 {
	if cap(buf) < n {
		return make([]float64, n)
	}
	return buf[:n]
}
