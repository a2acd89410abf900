package nn

import (
	"math"
	"testing"
)

// TestAdamWFirstStep checks the closed form of the first AdamW step: with
// bias correction m̂ = g and v̂ = g², so θ₁ = θ₀ − lr·(g/(|g| + ε) + λθ₀), and
// NoDecay parameters get no λ term, and a parameter with LRScale s steps
// at s·lr.
func TestAdamWFirstStep(t *testing.T) {
	t.Parallel()
	p := NewParam("w", 3)
	q := NewParam("b", 1)
	q.NoDecay = true
	r := NewParam("fast", 1)
	r.LRScale, r.Value[0], r.Grad[0] = 10, 1, -0.5
	copy(p.Value, []float64{1, -2, 0.5})
	copy(p.Grad, []float64{0.3, -4, 0})
	q.Value[0], q.Grad[0] = 2, 1e-3
	o := NewAdamW([]*Param{p, q, r}, 0.1)
	const lr = 0.01
	o.Step(lr)
	want := []float64{
		1 - lr*(0.3/(0.3+1e-8)+0.1*1),
		-2 - lr*(-4/(4+1e-8)+0.1*-2),
		0.5 - lr*(0+0.1*0.5),
	}
	for i := range want {
		if math.Abs(p.Value[i]-want[i]) > 1e-15 {
			t.Errorf("w[%d] = %.17g, want %.17g", i, p.Value[i], want[i])
		}
	}
	if w := 2 - lr*(1e-3/(1e-3+1e-8)); math.Abs(q.Value[0]-w) > 1e-15 {
		t.Errorf("b = %.17g, want %.17g (no decay)", q.Value[0], w)
	}
	if w := 1 - 10*lr*(-0.5/(0.5+1e-8)+0.1*1); math.Abs(r.Value[0]-w) > 1e-15 {
		t.Errorf("fast = %.17g, want %.17g (10 lr)", r.Value[0], w)
	}
	if s := r.Share(); s.LRScale != 10 {
		t.Errorf("a shared parameter has LRScale %v, want 10", s.LRScale)
	}
}

// TestAdamWConverges minimizes ½‖θ − c‖² and checks θ reaches c; a second
// moment check of the update rule beyond the first step.
func TestAdamWConverges(t *testing.T) {
	t.Parallel()
	p := NewParam("w", 2)
	c := []float64{3, -1}
	o := NewAdamW([]*Param{p}, 0)
	for s := 0; s < 3000; s++ {
		for i := range p.Value {
			p.Grad[i] = p.Value[i] - c[i]
		}
		o.Step(WarmupCosine{Peak: 0.1, Final: 1e-4, Warmup: 10, Total: 3000}.LR(s))
	}
	for i := range c {
		if math.Abs(p.Value[i]-c[i]) > 1e-3 {
			t.Errorf("θ[%d] = %v, want %v", i, p.Value[i], c[i])
		}
	}
}

// TestClipGradNorm checks the joint norm (3-4-12 gives 13) and the rescaling.
func TestClipGradNorm(t *testing.T) {
	t.Parallel()
	a, b := NewParam("a", 2), NewParam("b", 1)
	copy(a.Grad, []float64{3, 4})
	b.Grad[0] = 12
	if n := ClipGradNorm([]*Param{a, b}, 6.5); n != 13 {
		t.Fatalf("norm %v, want 13", n)
	}
	for i, w := range []float64{1.5, 2, 6} {
		g := append(append([]float64(nil), a.Grad...), b.Grad...)
		if math.Abs(g[i]-w) > 1e-15 {
			t.Errorf("clipped grad %d = %v, want %v", i, g[i], w)
		}
	}
	if n := ClipGradNorm([]*Param{a, b}, 100); math.Abs(n-6.5) > 1e-15 || a.Grad[0] != 1.5 {
		t.Errorf("no clipping expected below the bound: norm %v, grad %v", n, a.Grad[0])
	}
}

// TestWarmupCosine checks the schedule's closed form at its landmarks.
func TestWarmupCosine(t *testing.T) {
	t.Parallel()
	s := WarmupCosine{Peak: 1, Final: 0.1, Warmup: 10, Total: 110}
	cases := []struct {
		step int
		want float64
	}{
		{0, 0.1},                // (0+1)/10 of peak
		{9, 1},                  // end of warmup
		{10, 1},                 // cosine at 0
		{60, 0.1 + 0.45},        // half way: Final + (Peak−Final)/2
		{110, 0.1}, {1000, 0.1}, // after Total
	}
	for _, c := range cases {
		if got := s.LR(c.step); math.Abs(got-c.want) > 1e-15 {
			t.Errorf("LR(%d) = %v, want %v", c.step, got, c.want)
		}
	}
}
