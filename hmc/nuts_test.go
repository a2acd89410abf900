package hmc

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Mirrors Stan's base_nuts_test build_tree_test: a depth-3 subtree takes
// 2³ = 8 leapfrog steps. On a flat target the gradient vanishes, so every
// step keeps H = H0 and each state has weight exp(H0 − h) = 1: logW = log 8,
// the summed Metropolis probability is 8, ρ = 8p0, and the subtree passes
// every no-U-turn check (p♯·ρ = 8|p0|² > 0).
func TestBuildTreeFlat(t *testing.T) {
	const dim = 3
	target := flat{dim}
	m := NewDiagMetric(dim)
	b := newTreeBuilder(target, m, 10, DefaultMaxDeltaH)
	b.z.X[0], b.z.P[0], b.z.P[1], b.z.P[2] = 0.2, 1, -0.5, 0.25
	b.z.Evaluate(target)
	p0 := append([]float64(nil), b.z.P...)
	b.h0 = Hamiltonian(m, b.z)
	b.eps = 0.1
	zPropose := NewState(dim)
	ps := make([][]float64, 5)
	for i := range ps {
		ps[i] = make([]float64, dim)
	}
	logW := negInf
	rng := rand.New(rand.NewPCG(1, 0))
	valid := b.build(rng, 3, zPropose, ps[0], ps[1], ps[2], ps[3], ps[4], &logW)
	if !valid {
		t.Fatal("flat depth-3 subtree reported invalid")
	}
	if b.nLeapfrog != 8 {
		t.Errorf("n_leapfrog = %d, want 8", b.nLeapfrog)
	}
	if math.Abs(logW-math.Log(8)) > 1e-12 {
		t.Errorf("logW = %v, want log 8 = %v", logW, math.Log(8))
	}
	if b.sumMetro != 8 {
		t.Errorf("sum_metro_prob = %v, want 8", b.sumMetro)
	}
	for i := range dim {
		if math.Abs(ps[2][i]-8*p0[i]) > 1e-12 {
			t.Errorf("ρ[%d] = %v, want 8·p0 = %v", i, ps[2][i], 8*p0[i])
		}
		// Position after 8 free-flight steps: q0 + 8ε·p0.
		if want := []float64{0.2, 0, 0}[i] + 0.8*p0[i]; math.Abs(b.z.X[i]-want) > 1e-12 {
			t.Errorf("q[%d] = %v, want %v", i, b.z.X[i], want)
		}
	}
}

// Mirrors Stan's divergence_test: a step size far beyond the stability
// limit 2σ of a narrow Gaussian makes the energy error exceed 1000 on the
// first leapfrog step, which ends the transition at depth 0 and keeps the
// initial point.
func TestTransitionDivergent(t *testing.T) {
	target := &diagGaussian{mean: []float64{0, 0}, sd: []float64{1e-3, 1}}
	kernel := NewNUTS(target, NewDiagMetric(2), 1, 10)
	s := NewState(2)
	s.X[0], s.X[1] = 1e-3, 0.5
	s.Evaluate(target)
	x0 := append([]float64(nil), s.X...)
	info := kernel.Transition(rand.New(rand.NewPCG(2, 0)), s)
	if !info.Divergent || info.Depth != 0 || info.NLeapfrog != 1 {
		t.Errorf("info = %+v, want divergent at depth 0 after 1 step", info)
	}
	if s.X[0] != x0[0] || s.X[1] != x0[1] {
		t.Errorf("divergent transition moved to %v from %v", s.X, x0)
	}
	if info.AcceptStat > 1e-300 {
		t.Errorf("accept_stat = %v, want ≈ 0", info.AcceptStat)
	}
}

// On a flat target no U-turn ever happens, so every transition runs to
// MaxDepth with 2^MaxDepth − 1 leapfrog steps.
func TestTransitionMaxDepth(t *testing.T) {
	target := flat{2}
	kernel := NewNUTS(target, NewDiagMetric(2), 0.1, 4)
	s := NewState(2)
	s.Evaluate(target)
	info := kernel.Transition(rand.New(rand.NewPCG(2, 1)), s)
	if info.Depth != 4 || info.NLeapfrog != 15 || info.Divergent || info.AcceptStat != 1 {
		t.Errorf("info = %+v, want depth 4, 15 steps, accept 1", info)
	}
}

func TestTransitionAllocs(t *testing.T) {
	for _, m := range []Metric{NewDiagMetric(100), NewDenseMetric(100)} {
		target := stdNormal(100)
		kernel := NewNUTS(target, m, 0.3, 10)
		s := NewState(100)
		s.Evaluate(target)
		rng := rand.New(rand.NewPCG(1, 1))
		if a := testing.AllocsPerRun(50, func() { kernel.Transition(rng, s) }); a != 0 {
			t.Errorf("%T: Transition allocates %v times, want 0", m, a)
		}
	}
}
