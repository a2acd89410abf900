package nn

import (
	"math/rand/v2"
	"testing"
)

// TestReplica checks that a replica shares parameter values (an update to
// the original is seen by the replica) and owns its gradients (identical
// to the original's on the same input, without touching them).
func TestReplica(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(9, 1))
	cfg := SetTransformerConfig{In: 3, Width: 8, Heads: 2, Hidden: 6, Blocks: 2, Out: 4, Inducing: 2}
	st := NewSetTransformer("st", cfg, rng)
	rep := st.Replica()
	ps, rs := st.Params(), rep.Params()
	ps[0].Value[0] += 0.5
	if rs[0].Value[0] != ps[0].Value[0] {
		t.Fatal("replica does not share parameter values")
	}
	const b, s = 2, 4
	x, dy := randSlice(rng, b*s*cfg.In), randSlice(rng, b*cfg.Out)
	ZeroGrads(ps)
	ZeroGrads(rs)
	st.Forward(x, b, s, nil)
	st.Backward(dy)
	saved := make([][]float64, len(ps))
	for i, p := range ps {
		saved[i] = append([]float64(nil), p.Grad...)
	}
	rep.Forward(x, b, s, nil)
	rep.Backward(dy)
	for i, p := range ps {
		for j := range p.Grad {
			if p.Grad[j] != saved[i][j] {
				t.Fatalf("%s: replica backward changed the original's gradient", p.Name)
			}
			if rs[i].Grad[j] != saved[i][j] {
				t.Fatalf("%s[%d]: replica gradient %v, original %v", p.Name, j, rs[i].Grad[j], saved[i][j])
			}
		}
	}
}
