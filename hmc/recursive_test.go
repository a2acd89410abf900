package hmc

import (
	"math"
	"math/rand/v2"
	"testing"
)

// refNUTS is a plain recursive NUTS in the style of Hoffman & Gelman (2014)
// Algorithm 6, written as a value-returning recursion that allocates fresh
// slices for every subtree, but with Stan's multinomial sampling and
// generalized no-U-turn criterion (with the PR #2800 junction checks). It
// consumes the random stream in the same order as Stan's base_nuts, so the
// production kernel must reproduce it draw for draw. It exists only to
// validate NUTS (BlackJAX keeps a recursive implementation for the same
// reason).
type refNUTS struct {
	target    Target
	metric    Metric
	eps       float64
	maxDepth  int
	h0        float64
	nLeapfrog int
	sumMetro  float64
	divergent bool
}

// refTree is a built subtree: its last state in build order, its
// multinomial proposal, log weight, summed momentum, and the momenta at its
// first and last states in build order.
type refTree struct {
	end, prop  *State
	logW       float64
	rho        []float64
	pBeg, pEnd []float64
	valid      bool
}

func cloneState(s *State) *State {
	c := NewState(len(s.X))
	c.CopyFrom(s)
	return c
}

func cloneVec(x []float64) []float64 { return append([]float64(nil), x...) }

func addVec(a, b []float64) []float64 {
	c := make([]float64, len(a))
	for i := range a {
		c[i] = a[i] + b[i]
	}
	return c
}

func (r *refNUTS) sharp(p []float64) []float64 {
	v := make([]float64, len(p))
	r.metric.Velocity(v, p)
	return v
}

// criterion is C(a, b, ρ) = (a·ρ > 0) ∧ (b·ρ > 0) on the velocities of a
// and b.
func (r *refNUTS) criterion(pa, pb, rho []float64) bool {
	a, b := r.sharp(pa), r.sharp(pb)
	var da, db float64
	for i := range rho {
		da += a[i] * rho[i]
		db += b[i] * rho[i]
	}
	return da > 0 && db > 0
}

// junctionChecks applies checks (a), (b), (c) to pieces left and right
// (adjacent, left first in build order of the merged whole).
func (r *refNUTS) junctionChecks(lBeg, lEnd, lRho, rBeg, rEnd, rRho []float64) bool {
	a := r.criterion(lBeg, rEnd, addVec(lRho, rRho))
	b := r.criterion(lBeg, rBeg, addVec(lRho, rBeg))
	c := r.criterion(lEnd, rEnd, addVec(rRho, lEnd))
	return a && b && c
}

func (r *refNUTS) build(rng *rand.Rand, from *State, depth int, eps float64) refTree {
	if depth == 0 {
		z := cloneState(from)
		vel := make([]float64, len(z.X))
		Leapfrog(r.target, r.metric, z, eps, vel)
		r.nLeapfrog++
		h := Hamiltonian(r.metric, z)
		if h-r.h0 > DefaultMaxDeltaH {
			r.divergent = true
		}
		r.sumMetro += math.Min(1, math.Exp(r.h0-h))
		return refTree{end: z, prop: z, logW: r.h0 - h, rho: cloneVec(z.P),
			pBeg: cloneVec(z.P), pEnd: cloneVec(z.P), valid: !r.divergent}
	}
	left := r.build(rng, from, depth-1, eps)
	if !left.valid {
		return refTree{}
	}
	right := r.build(rng, left.end, depth-1, eps)
	if !right.valid {
		return refTree{}
	}
	logW := logSumExp(left.logW, right.logW)
	prop := left.prop
	if acceptUniform(rng, right.logW, logW) {
		prop = right.prop
	}
	return refTree{
		end: right.end, prop: prop, logW: logW, rho: addVec(left.rho, right.rho),
		pBeg: left.pBeg, pEnd: right.pEnd,
		valid: r.junctionChecks(left.pBeg, left.pEnd, left.rho, right.pBeg, right.pEnd, right.rho),
	}
}

func (r *refNUTS) transition(rng *rand.Rand, s *State) Info {
	r.metric.SampleMomentum(rng, s.P)
	r.h0 = Hamiltonian(r.metric, s)
	r.nLeapfrog, r.sumMetro, r.divergent = 0, 0, false
	bck, fwd, sample := cloneState(s), cloneState(s), cloneState(s)
	pBck, pFwd, rho := cloneVec(s.P), cloneVec(s.P), cloneVec(s.P)
	logW := 0.0
	depth := 0
	for depth < r.maxDepth {
		var tree refTree
		var ok bool
		if rng.Float64() > 0.5 {
			tree = r.build(rng, fwd, depth, r.eps)
			if !tree.valid {
				break
			}
			fwd = tree.end
			// Old trajectory [pBck … pFwd] is left, new subtree right.
			ok = r.junctionChecks(pBck, pFwd, rho, tree.pBeg, tree.pEnd, tree.rho)
			rho = addVec(rho, tree.rho)
			pFwd = tree.pEnd
		} else {
			tree = r.build(rng, bck, depth, -r.eps)
			if !tree.valid {
				break
			}
			bck = tree.end
			// New subtree, reversed, is left; old trajectory right.
			ok = r.junctionChecks(tree.pEnd, tree.pBeg, tree.rho, pBck, pFwd, rho)
			rho = addVec(tree.rho, rho)
			pBck = tree.pEnd
		}
		depth++
		if acceptBiased(rng, tree.logW, logW) {
			sample = tree.prop
		}
		logW = logSumExp(logW, tree.logW)
		if !ok {
			break
		}
	}
	s.CopyFrom(sample)
	return Info{AcceptStat: r.sumMetro / float64(r.nLeapfrog), Energy: Hamiltonian(r.metric, s),
		LogDensity: s.LogDensity, StepSize: r.eps, Depth: depth, NLeapfrog: r.nLeapfrog, Divergent: r.divergent}
}

// The production kernel and the recursive reference, fed the same random
// stream from the same state, must agree draw for draw: position, depth,
// step count, divergence and accept statistic. The targets include a
// strongly correlated Gaussian under a mismatched diagonal and a dense
// metric, with step sizes that produce U-turns at many depths, and a
// funnel with divergences.
func TestTransitionMatchesRecursiveReference(t *testing.T) {
	corr, _ := correlated2D(1, -2, 1, 10, 0.9)
	for _, tc := range []struct {
		name   string
		target Target
		metric func() Metric
		eps    float64
		depth  int
	}{
		{"corr2d/diag", corr, func() Metric {
			m := NewDiagMetric(2)
			_ = m.SetInvMass([]float64{2, 50})
			return m
		}, 0.3, 10},
		{"corr2d/dense", corr, func() Metric {
			m := NewDenseMetric(2)
			_ = m.SetInvMass([]float64{1, 5, 5, 100})
			return m
		}, 0.9, 10},
		{"corr2d/saturating", corr, func() Metric { return NewDiagMetric(2) }, 0.05, 4},
		{"normal20/unit", stdNormal(20), func() Metric { return NewDiagMetric(20) }, 0.7, 6},
		{"funnel/unit", funnel{5}, func() Metric { return NewDiagMetric(5) }, 0.6, 8},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := tc.target.Dim()
			kernel := NewNUTS(tc.target, tc.metric(), tc.eps, tc.depth)
			ref := &refNUTS{target: tc.target, metric: tc.metric(), eps: tc.eps, maxDepth: tc.depth}
			rngA, rngB := rand.New(rand.NewPCG(9, 1)), rand.New(rand.NewPCG(9, 1))
			a, b := NewState(d), NewState(d)
			a.X[0], b.X[0] = 0.5, 0.5
			a.Evaluate(tc.target)
			b.Evaluate(tc.target)
			depths := map[int]int{}
			divergent := 0
			for i := range 300 {
				ia := kernel.Transition(rngA, a)
				ib := ref.transition(rngB, b)
				if ia != ib {
					t.Fatalf("transition %d: info %+v, reference %+v", i, ia, ib)
				}
				for j := range d {
					if a.X[j] != b.X[j] {
						t.Fatalf("transition %d: x = %v, reference %v", i, a.X, b.X)
					}
				}
				depths[ia.Depth]++
				if ia.Divergent {
					divergent++
				}
			}
			t.Logf("depth histogram %v, %d divergent", depths, divergent)
			if len(depths) < 2 {
				t.Errorf("only depths %v exercised", depths)
			}
		})
	}
}
