package hmc

import (
	"math/rand/v2"
)

// Default constants of Stan's NUTS (services/sample/defaults.hpp,
// base_nuts.hpp).
const (
	// DefaultMaxDepth is the default maximum tree depth (2^10 − 1 leapfrog
	// steps at most per transition).
	DefaultMaxDepth = 10
	// DefaultMaxDeltaH is the energy error beyond which a leapfrog step is
	// declared divergent.
	DefaultMaxDeltaH = 1000.0
)

// Info describes one NUTS transition, matching Stan's sampler diagnostics.
type Info struct {
	// AcceptStat is Stan's accept_stat__: the mean of min(1, exp(H0 − h))
	// over every new leapfrog state, including those of a rejected last
	// subtree and excluding the initial point.
	AcceptStat float64
	// Energy is H at the selected state, with its momentum (energy__).
	Energy float64
	// LogDensity is log π at the selected state (lp__).
	LogDensity float64
	// StepSize is the step size used.
	StepSize float64
	// Depth is the number of accepted doublings (treedepth__).
	Depth int
	// NLeapfrog is the number of leapfrog steps taken, rejected ones
	// included (n_leapfrog__).
	NLeapfrog int
	// Divergent reports an energy error above MaxDeltaH (divergent__).
	Divergent bool
}

// NUTS is the multinomial No-U-Turn sampler of Stan (≥ 2.21): a transition
// doubles the trajectory in random directions, samples multinomially within
// subtrees and with biased progressive sampling between them, and stops on
// the generalized no-U-turn criterion with the extra junction checks, on a
// divergence, or at MaxDepth. Its workspaces make Transition allocation-free;
// a NUTS value is not safe for concurrent use.
type NUTS struct {
	// StepSize is the nominal leapfrog step size ε.
	StepSize float64
	// MaxDepth bounds the number of doublings; at most 2^MaxDepth − 1 steps.
	MaxDepth int

	metric Metric
	tree   *treeBuilder

	zFwd, zBck, zSample, zPropose *State

	pFwdFwd, pSharpFwdFwd, pFwdBck, pSharpFwdBck []float64
	pBckFwd, pSharpBckFwd, pBckBck, pSharpBckBck []float64
	rho, rhoFwd, rhoBck                          []float64
}

// NewNUTS returns a NUTS kernel for t with metric m. It panics if the
// dimensions of t and m differ or maxDepth < 1.
func NewNUTS(t Target, m Metric, stepSize float64, maxDepth int) *NUTS {
	d := t.Dim()
	if m.Dim() != d {
		panic(errDimMismatch)
	}
	if maxDepth < 1 {
		panic("hmc: maxDepth < 1")
	}
	buf := make([]float64, 11*d)
	next := func() []float64 {
		s := buf[:d:d]
		buf = buf[d:]
		return s
	}
	return &NUTS{
		StepSize: stepSize, MaxDepth: maxDepth, metric: m,
		tree: newTreeBuilder(t, m, maxDepth, DefaultMaxDeltaH),
		zFwd: NewState(d), zBck: NewState(d), zSample: NewState(d), zPropose: NewState(d),
		pFwdFwd: next(), pSharpFwdFwd: next(), pFwdBck: next(), pSharpFwdBck: next(),
		pBckFwd: next(), pSharpBckFwd: next(), pBckBck: next(), pSharpBckBck: next(),
		rho: next(), rhoFwd: next(), rhoBck: next(),
	}
}

// Metric returns the kernel's metric.
func (n *NUTS) Metric() Metric { return n.metric }

// Transition performs one NUTS transition from s, which must hold a
// position with its log density and gradient; on return s holds the new
// state (with the momentum it had on the trajectory).
func (n *NUTS) Transition(rng *rand.Rand, s *State) Info {
	if len(s.X) != len(n.rho) {
		panic(errDimMismatch)
	}
	tb := n.tree
	m := n.metric
	m.SampleMomentum(rng, s.P)
	h0 := Hamiltonian(m, s)

	n.zFwd.CopyFrom(s)
	n.zBck.CopyFrom(s)
	n.zSample.CopyFrom(s)
	n.zPropose.CopyFrom(s)

	copy(n.pFwdFwd, s.P)
	m.Velocity(n.pSharpFwdFwd, s.P)
	copy(n.pFwdBck, s.P)
	copy(n.pSharpFwdBck, n.pSharpFwdFwd)
	copy(n.pBckFwd, s.P)
	copy(n.pSharpBckFwd, n.pSharpFwdFwd)
	copy(n.pBckBck, s.P)
	copy(n.pSharpBckBck, n.pSharpFwdFwd)
	copy(n.rho, s.P)

	logW := 0.0 // log(exp(H0 − H0))
	tb.h0 = h0
	tb.nLeapfrog = 0
	tb.sumMetro = 0
	tb.divergent = false
	depth := 0

	for depth < n.MaxDepth {
		clear(n.rhoFwd)
		clear(n.rhoBck)
		logWSubtree := negInf
		var valid bool
		if rng.Float64() > 0.5 {
			// Extend forward; the old trajectory becomes the backward part.
			tb.z.CopyFrom(n.zFwd)
			copy(n.rhoBck, n.rho)
			copy(n.pBckFwd, n.pFwdFwd)
			copy(n.pSharpBckFwd, n.pSharpFwdFwd)
			tb.eps = n.StepSize
			valid = tb.build(rng, depth, n.zPropose, n.pSharpFwdBck, n.pSharpFwdFwd,
				n.rhoFwd, n.pFwdBck, n.pFwdFwd, &logWSubtree)
			n.zFwd.CopyFrom(tb.z)
		} else {
			// Extend backward; the old trajectory becomes the forward part.
			tb.z.CopyFrom(n.zBck)
			copy(n.rhoFwd, n.rho)
			copy(n.pFwdBck, n.pBckBck)
			copy(n.pSharpFwdBck, n.pSharpBckBck)
			tb.eps = -n.StepSize
			valid = tb.build(rng, depth, n.zPropose, n.pSharpBckFwd, n.pSharpBckBck,
				n.rhoBck, n.pBckFwd, n.pBckBck, &logWSubtree)
			n.zBck.CopyFrom(tb.z)
		}
		if !valid {
			break
		}
		depth++
		if acceptBiased(rng, logWSubtree, logW) {
			n.zSample.CopyFrom(n.zPropose)
		}
		logW = logSumExp(logW, logWSubtree)

		for i := range n.rho {
			n.rho[i] = n.rhoBck[i] + n.rhoFwd[i]
		}
		if !mergedNoUTurn(n.pSharpBckBck, n.pSharpBckFwd, n.pBckFwd, n.rhoBck,
			n.pSharpFwdBck, n.pSharpFwdFwd, n.pFwdBck, n.rhoFwd, tb.scratch) {
			break
		}
	}

	s.CopyFrom(n.zSample)
	return Info{
		AcceptStat: tb.sumMetro / float64(tb.nLeapfrog),
		Energy:     Hamiltonian(m, s),
		LogDensity: s.LogDensity,
		StepSize:   n.StepSize,
		Depth:      depth,
		NLeapfrog:  tb.nLeapfrog,
		Divergent:  tb.divergent,
	}
}
