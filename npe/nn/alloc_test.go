package nn

import (
	"math/rand/v2"
	"runtime"
	"testing"
)

// TestStepAllocations checks that after warm-up a serial training step of a
// small set transformer (sizes below the split-K threshold, GOMAXPROCS=1 so
// ParallelFor stays on the calling goroutine) allocates nothing.
func TestStepAllocations(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	rng := rand.New(rand.NewPCG(1, 1))
	st := NewSetTransformer("st", SetTransformerConfig{In: 3, Width: 8, Heads: 2, Hidden: 8, Blocks: 2, Out: 4, Inducing: 0}, rng)
	ps := st.Params()
	opt := NewAdamW(ps, 1e-4)
	const b, s = 4, 6
	x := randSlice(rng, b*s*3)
	dy := randSlice(rng, b*4)
	mask := make([]bool, b*s)
	for i := range mask {
		mask[i] = i%3 != 2
	}
	allocs := testing.AllocsPerRun(5, func() {
		ZeroGrads(ps)
		st.Forward(x, b, s, mask)
		st.Backward(dy)
		ClipGradNorm(ps, 1)
		opt.Step(1e-3)
	})
	if allocs != 0 {
		t.Errorf("training step allocates %v times after warm-up", allocs)
	}
}
