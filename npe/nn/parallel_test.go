package nn

import (
	"math/rand/v2"
	"runtime"
	"testing"
)

// TestGemmDeterministic checks that tiled and split-K products are bitwise
// identical under GOMAXPROCS 1 and 2: tiles and k-parts depend only on the
// sizes.
func TestGemmDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 1))
	const m, n = 130, 70
	k := SplitKMin + 100
	a, b := randSlice(rng, k*m), randSlice(rng, k*n)
	prod := func(procs int) []float64 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		c := make([]float64, m*n)
		MatMul(true, false, m, n, k, 1, a, b, 0, c)
		return c
	}
	c1, c2 := prod(1), prod(2)
	for i := range c1 {
		if c1[i] != c2[i] {
			t.Fatalf("c[%d]: %v with GOMAXPROCS=1, %v with 2", i, c1[i], c2[i])
		}
	}
}

// TestNestedParallel runs parallel products inside every index of a
// parallel loop with more indices than workers; it must finish (the pool
// lets callers run their own chunks, so nesting cannot deadlock) and agree
// with the serial result.
func TestNestedParallel(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	rng := rand.New(rand.NewPCG(8, 1))
	const m, n, k, jobs = 200, 100, 50, 16
	a, b := randSlice(rng, m*k), randSlice(rng, k*n)
	want := naiveMatMul(false, false, m, n, k, a, b)
	out := make([][]float64, jobs)
	for i := range out {
		out[i] = make([]float64, m*n)
	}
	ParallelFor(jobs, func(i int) { MatMul(false, false, m, n, k, 1, a, b, 0, out[i]) })
	for i := range out {
		for j := range want {
			if d := out[i][j] - want[j]; d > 1e-12 || d < -1e-12 {
				t.Fatalf("job %d entry %d: %v, want %v", i, j, out[i][j], want[j])
			}
		}
	}
}
