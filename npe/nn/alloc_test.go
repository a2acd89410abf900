package nn

import (
	"math/rand/v2"
	"runtime"
	"testing"
)

// TestStepAllocations checks that after warm-up a training step of a small
// set transformer allocates nothing, with GOMAXPROCS=2 and sizes that use
// the worker pool for tiled products (b·s = 160 rows > one 64-row tile).
func TestStepAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under -race")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	rng := rand.New(rand.NewPCG(1, 1))
	st := NewSetTransformer("st", SetTransformerConfig{In: 3, Width: 8, Heads: 2, Hidden: 8, Blocks: 2, Out: 4, Inducing: 0}, rng)
	ps := st.Params()
	opt := NewAdamW(ps, 1e-4)
	const b, s = 4, 40
	x := randSlice(rng, b*s*3)
	dy := randSlice(rng, b*4)
	mask := make([]bool, b*s)
	for i := range mask {
		mask[i] = i%3 != 2
	}
	allocs := testing.AllocsPerRun(20, func() {
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
