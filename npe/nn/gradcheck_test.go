package nn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// fdStep is the central finite-difference step; with float64 its truncation
// error O(h²) and rounding error O(ε/h) are both ≈1e-10, well under the
// 1e-6 tolerance below (assignment: relative error < 1e-6).
const (
	fdStep = 1e-5
	fdTol  = 1e-6
)

// checkGrads compares analytic gradients grads[i] of loss with respect to
// vars[i] against central finite differences, at up to 40 indices per
// variable. The error is |a − f| / max(1, |a|, |f|).
func checkGrads(t *testing.T, rng *rand.Rand, names []string, vars, grads [][]float64, loss func() float64) {
	t.Helper()
	for v, x := range vars {
		idx := rng.Perm(len(x))
		if len(idx) > 40 {
			idx = idx[:40]
		}
		for _, i := range idx {
			old := x[i]
			x[i] = old + fdStep
			lp := loss()
			x[i] = old - fdStep
			lm := loss()
			x[i] = old
			fd := (lp - lm) / (2 * fdStep)
			a := grads[v][i]
			if e := math.Abs(a-fd) / math.Max(1, math.Max(math.Abs(a), math.Abs(fd))); e > fdTol || math.IsNaN(e) {
				t.Errorf("%s[%d]: analytic %.12g, finite difference %.12g (rel err %.2g)", names[v], i, a, fd, e)
			}
		}
	}
}

func randSlice(rng *rand.Rand, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	return x
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// paramVars lists parameter values and gradients for checkGrads.
func paramVars(ps []*Param) (names []string, vars, grads [][]float64) {
	for _, p := range ps {
		names = append(names, p.Name)
		vars = append(vars, p.Value)
		grads = append(grads, p.Grad)
	}
	return
}

// randomizeParams gives every parameter (including zero-initialized biases
// and unit gains) a random value so that no gradient path is trivially zero.
func randomizeParams(rng *rand.Rand, ps []*Param) {
	for _, p := range ps {
		for i := range p.Value {
			p.Value[i] = 0.5 * rng.NormFloat64()
		}
	}
}

func TestLayerGradients(t *testing.T) {
	t.Parallel()
	const rows = 5
	mk := map[string]func(rng *rand.Rand) Layer{
		"dense":     func(rng *rand.Rand) Layer { return NewDense("d", 4, 3, rng) },
		"gelu":      func(rng *rand.Rand) Layer { return NewGELU(4) },
		"relu":      func(rng *rand.Rand) Layer { return NewReLU(4) },
		"layernorm": func(rng *rand.Rand) Layer { return NewLayerNorm("ln", 4) },
		"mlp":       func(rng *rand.Rand) Layer { return NewMLP("mlp", []int{4, 6, 3}, "gelu", rng) },
		"resmlp":    func(rng *rand.Rand) Layer { return NewResidualMLP("res", 4, 7, "gelu", rng) },
	}
	for name, f := range mk {
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 1))
			l := f(rng)
			randomizeParams(rng, l.Params())
			x := randSlice(rng, rows*l.InDim())
			w := randSlice(rng, rows*l.OutDim())
			loss := func() float64 { return dot(w, l.Forward(x, rows)) }
			loss()
			ZeroGrads(l.Params())
			dx := append([]float64(nil), l.Backward(w)...)
			names, vars, grads := paramVars(l.Params())
			names = append(names, "x")
			vars = append(vars, x)
			grads = append(grads, dx)
			checkGrads(t, rng, names, vars, grads, loss)
		})
	}
}

func TestAttentionGradients(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(2, 1))
	const b, sq, sk, width, heads = 2, 3, 5, 8, 2
	m := NewMultiHeadAttention("mha", width, heads, rng)
	randomizeParams(rng, m.Params())
	xq := randSlice(rng, b*sq*width)
	xkv := randSlice(rng, b*sk*width)
	// Set 0 has keys 1 and 3 padded; set 1 has its last key padded.
	mask := []bool{true, false, true, false, true, true, true, true, true, false}
	w := randSlice(rng, b*sq*width)
	loss := func() float64 { return dot(w, m.Forward(xq, xkv, b, sq, sk, mask)) }
	loss()
	ZeroGrads(m.Params())
	gq, gkv := m.Backward(w)
	gq, gkv = append([]float64(nil), gq...), append([]float64(nil), gkv...)
	names, vars, grads := paramVars(m.Params())
	names = append(names, "xq", "xkv")
	vars = append(vars, xq, xkv)
	grads = append(grads, gq, gkv)
	checkGrads(t, rng, names, vars, grads, loss)
	// Padded keys get exactly zero gradient: they have zero attention weight.
	for i, real := range mask {
		for j := 0; j < width; j++ {
			if !real && gkv[i*width+j] != 0 {
				t.Fatalf("padded key %d has gradient %g", i, gkv[i*width+j])
			}
		}
	}
}

func TestSetLayerGradients(t *testing.T) {
	t.Parallel()
	const b, s, width, heads, hidden = 2, 4, 6, 2, 5
	mask := []bool{true, true, false, true, true, false, false, false}
	mk := map[string]func(rng *rand.Rand) SetLayer{
		"sab":  func(rng *rand.Rand) SetLayer { return NewSAB("sab", width, heads, hidden, rng) },
		"isab": func(rng *rand.Rand) SetLayer { return NewISAB("isab", width, heads, hidden, 3, rng) },
		"pma":  func(rng *rand.Rand) SetLayer { return NewPMA("pma", width, heads, hidden, 2, rng) },
		"mean": func(rng *rand.Rand) SetLayer { return NewMeanPool(width) },
	}
	for name, f := range mk {
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(3, 1))
			l := f(rng)
			randomizeParams(rng, l.Params())
			x := randSlice(rng, b*s*width)
			y, sOut := l.Forward(x, b, s, mask)
			w := randSlice(rng, len(y))
			// Only real output tokens enter the loss for token-wise layers,
			// as a pooling layer downstream would ensure.
			if sOut == s {
				for i, real := range mask {
					if !real {
						clear(w[i*width : (i+1)*width])
					}
				}
			}
			loss := func() float64 { y, _ := l.Forward(x, b, s, mask); return dot(w, y) }
			loss()
			ZeroGrads(l.Params())
			dx := append([]float64(nil), l.Backward(w)...)
			names, vars, grads := paramVars(l.Params())
			names = append(names, "x")
			vars = append(vars, x)
			grads = append(grads, dx)
			checkGrads(t, rng, names, vars, grads, loss)
		})
	}
}

func TestSetTransformerGradients(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(4, 1))
	cfg := SetTransformerConfig{In: 3, Width: 8, Heads: 2, Hidden: 6, Blocks: 2, Out: 4}
	st := NewSetTransformer("st", cfg, rng)
	randomizeParams(rng, st.Params())
	const b, s = 2, 5
	mask := []bool{true, true, true, false, false, true, false, true, true, true}
	x := randSlice(rng, b*s*cfg.In)
	w := randSlice(rng, b*cfg.Out)
	loss := func() float64 { return dot(w, st.Forward(x, b, s, mask)) }
	loss()
	ZeroGrads(st.Params())
	dx := append([]float64(nil), st.Backward(w)...)
	names, vars, grads := paramVars(st.Params())
	checkGrads(t, rng, append(names, "x"), append(vars, x), append(grads, dx), loss)
}

// TestPaddingIgnored changes every padded token and checks that no real
// output changes, bitwise: padded keys have attention weight exactly 0.
func TestPaddingIgnored(t *testing.T) {
	t.Parallel()
	for _, inducing := range []int{0, 3} {
		rng := rand.New(rand.NewPCG(5, 1))
		cfg := SetTransformerConfig{In: 3, Width: 8, Heads: 2, Hidden: 6, Blocks: 2, Out: 4, Inducing: inducing}
		st := NewSetTransformer("st", cfg, rng)
		const b, s = 3, 6
		mask := []bool{
			true, true, true, false, false, false,
			true, false, true, false, true, false,
			true, true, true, true, true, true,
		}
		x := randSlice(rng, b*s*cfg.In)
		sab := NewSAB("sab", cfg.In*2, 2, 5, rng)
		xs := randSlice(rng, b*s*cfg.In*2)
		y1 := append([]float64(nil), st.Forward(x, b, s, mask)...)
		t1, _ := sab.Forward(xs, b, s, mask)
		t1 = append([]float64(nil), t1...)
		for i, real := range mask {
			if !real {
				for j := 0; j < cfg.In; j++ {
					x[i*cfg.In+j] = 1e3 * rng.NormFloat64()
				}
				for j := 0; j < 2*cfg.In; j++ {
					xs[i*2*cfg.In+j] = 1e3 * rng.NormFloat64()
				}
			}
		}
		y2 := st.Forward(x, b, s, mask)
		for i := range y1 {
			if y1[i] != y2[i] {
				t.Errorf("inducing=%d: pooled output %d changed: %v → %v", inducing, i, y1[i], y2[i])
			}
		}
		t2, _ := sab.Forward(xs, b, s, mask)
		w := 2 * cfg.In
		for i, real := range mask {
			for j := 0; real && j < w; j++ {
				if t1[i*w+j] != t2[i*w+j] {
					t.Errorf("real token %d output changed: %v → %v", i, t1[i*w+j], t2[i*w+j])
				}
			}
		}
	}
}
