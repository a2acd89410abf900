package nn

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
)

// setTransformerFLOPs counts the multiply-adds ×2 of one forward pass of
// NewSetTransformer's blocks (embedding and head excluded): per block 4
// projections (2·N·D² each), scores and weighted values (2·2·B·S²·D) and
// the feed-forward (2·2·N·D·H). Backward is counted as twice forward.
func setTransformerFLOPs(b, s, d, h, blocks int) float64 {
	n := float64(b * s)
	per := 4*2*n*float64(d*d) + 4*float64(b*s*s*d) + 4*n*float64(d*h)
	return 3 * per * float64(blocks)
}

// BenchmarkSetTransformer is forward + backward of a 2-block SAB set
// transformer over 32 sets of 64 tokens (assignment benchmark 1).
func BenchmarkSetTransformer(b *testing.B) {
	for _, width := range []int{64, 128} {
		b.Run(fmt.Sprintf("width=%d", width), func(b *testing.B) {
			const B, S, in = 32, 64, 8
			rng := rand.New(rand.NewPCG(1, 1))
			cfg := SetTransformerConfig{In: in, Width: width, Heads: 4, Hidden: width, Blocks: 2, Out: 64}
			st := NewSetTransformer("st", cfg, rng)
			x := randSlice(rng, B*S*in)
			mask := make([]bool, B*S)
			for i := range mask {
				mask[i] = i%S < S-i/S%16 // varying set sizes 49..64
			}
			dy := randSlice(rng, B*cfg.Out)
			st.Forward(x, B, S, mask)
			st.Backward(dy)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				st.Forward(x, B, S, mask)
				st.Backward(dy)
			}
			sec := b.Elapsed().Seconds() / float64(b.N)
			b.ReportMetric(setTransformerFLOPs(B, S, width, width, 2)/sec/1e9, "GFLOP/s")
		})
	}
}

// BenchmarkGemm is the plain product of the same sizes (N = 32·64 = 2048
// rows): the forward Dense product (NN) and the weight gradient (TN, split-K
// path) through Gemm, and the same products as one direct call of gonum's
// Dgemm (its own parallel path): the reference throughput for benchmark 1.
func BenchmarkGemm(b *testing.B) {
	for _, width := range []int{64, 128} {
		for _, c := range []struct{ tA, raw bool }{{false, false}, {true, false}, {false, true}, {true, true}} {
			tA, raw := c.tA, c.raw
			name := fmt.Sprintf("width=%d/NN", width)
			if tA {
				name = fmt.Sprintf("width=%d/TN", width)
			}
			if raw {
				name += "/gonum-direct"
			}
			b.Run(name, func(b *testing.B) {
				const N = 2048
				rng := rand.New(rand.NewPCG(1, 1))
				x := randSlice(rng, N*width)
				w := randSlice(rng, width*width)
				y := randSlice(rng, N*width)
				b.ReportAllocs()
				for b.Loop() {
					if raw {
						ta := blas.NoTrans
						if tA {
							ta = blas.Trans
							Impl.Dgemm(ta, blas.NoTrans, width, width, N, 1, x, width, y, width, 0, w, width)
						} else {
							Impl.Dgemm(ta, blas.NoTrans, N, width, width, 1, x, width, w, width, 0, y, width)
						}
						continue
					}
					if tA {
						MatMul(true, false, width, width, N, 1, x, y, 0, w)
					} else {
						MatMul(false, false, N, width, width, 1, x, w, 0, y)
					}
				}
				sec := b.Elapsed().Seconds() / float64(b.N)
				b.ReportMetric(2*float64(N*width*width)/sec/1e9, "GFLOP/s")
			})
		}
	}
}

// BenchmarkTrainStep is one full step (zero grads, forward, backward, clip,
// AdamW) of the width-64 set transformer, for the allocation target.
func BenchmarkTrainStep(b *testing.B) {
	const B, S, in = 32, 64, 8
	rng := rand.New(rand.NewPCG(1, 1))
	st := NewSetTransformer("st", SetTransformerConfig{In: in, Width: 64, Heads: 4, Hidden: 64, Blocks: 2, Out: 16}, rng)
	ps := st.Params()
	opt := NewAdamW(ps, 1e-4)
	x := randSlice(rng, B*S*in)
	dy := randSlice(rng, B*16)
	step := func() {
		ZeroGrads(ps)
		st.Forward(x, B, S, nil)
		st.Backward(dy)
		ClipGradNorm(ps, 1)
		opt.Step(1e-3)
	}
	step()
	b.ReportAllocs()
	for b.Loop() {
		step()
	}
}
