package hmc

import "math/rand/v2"

// treeFrame is the workspace of one level of the recursive tree builder:
// the edge momenta between the initial and final half-subtrees, their summed
// momenta, and the final half's proposal. Levels never nest within
// themselves, so one frame per depth suffices and building allocates
// nothing.
type treeFrame struct {
	pInitEnd, pSharpInitEnd, rhoInit    []float64
	pFinalBeg, pSharpFinalBeg, rhoFinal []float64
	zProposeFinal                       *State
}

// treeBuilder extends a trajectory by 2^depth leapfrog steps in one
// direction, as Stan's base_nuts::build_tree. It owns the moving integrator
// state z and per-depth frames; the counters accumulate over a transition.
type treeBuilder struct {
	target    Target
	metric    Metric
	z         *State // current end of the trajectory being extended
	vel       []float64
	scratch   []float64
	frames    []treeFrame
	maxDeltaH float64

	// Per-transition quantities.
	h0        float64
	eps       float64 // signed step size
	nLeapfrog int
	sumMetro  float64
	divergent bool
}

func newTreeBuilder(t Target, m Metric, maxDepth int, maxDeltaH float64) *treeBuilder {
	d := t.Dim()
	b := &treeBuilder{
		target: t, metric: m, z: NewState(d),
		vel: make([]float64, d), scratch: make([]float64, d),
		frames: make([]treeFrame, maxDepth+1), maxDeltaH: maxDeltaH,
	}
	for i := 1; i <= maxDepth; i++ {
		buf := make([]float64, 6*d)
		b.frames[i] = treeFrame{
			pInitEnd: buf[0:d:d], pSharpInitEnd: buf[d : 2*d : 2*d], rhoInit: buf[2*d : 3*d : 3*d],
			pFinalBeg: buf[3*d : 4*d : 4*d], pSharpFinalBeg: buf[4*d : 5*d : 5*d], rhoFinal: buf[5*d:],
			zProposeFinal: NewState(d),
		}
	}
	return b
}

// build extends b.z by 2^depth leapfrog steps of b.eps. It adds the subtree's
// summed momentum into rho and its log weight (relative to H0) into *logW,
// writes its multinomial proposal into zPropose and the momenta and
// velocities at its first and last states (in build order) into pBeg,
// pSharpBeg, pEnd, pSharpEnd. It returns false when the subtree diverged or
// contains a U-turn; the caller must then discard it.
func (b *treeBuilder) build(rng *rand.Rand, depth int, zPropose *State,
	pSharpBeg, pSharpEnd, rho, pBeg, pEnd []float64, logW *float64) bool {
	if depth == 0 {
		Leapfrog(b.target, b.metric, b.z, b.eps, b.vel)
		b.nLeapfrog++
		// H from the velocity p♯ needed below anyway: T = ½·p·p♯ equals
		// Metric.Kinetic bit for bit and saves a matrix product.
		b.metric.Velocity(pSharpBeg, b.z.P)
		var pp float64
		for i, p := range b.z.P {
			pp += p * pSharpBeg[i]
		}
		h := -b.z.LogDensity + 0.5*pp
		if h != h {
			h = inf
		}
		if h-b.h0 > b.maxDeltaH {
			b.divergent = true
		}
		*logW = logSumExp(*logW, b.h0-h)
		if b.h0-h > 0 {
			b.sumMetro++
		} else {
			b.sumMetro += exp(b.h0 - h)
		}
		zPropose.CopyFrom(b.z)
		copy(pSharpEnd, pSharpBeg)
		for i, p := range b.z.P {
			rho[i] += p
		}
		copy(pBeg, b.z.P)
		copy(pEnd, b.z.P)
		return !b.divergent
	}
	f := &b.frames[depth]

	logWInit := negInf
	clear(f.rhoInit)
	if !b.build(rng, depth-1, zPropose, pSharpBeg, f.pSharpInitEnd, f.rhoInit, pBeg, f.pInitEnd, &logWInit) {
		return false
	}

	logWFinal := negInf
	clear(f.rhoFinal)
	if !b.build(rng, depth-1, f.zProposeFinal, f.pSharpFinalBeg, pSharpEnd, f.rhoFinal, f.pFinalBeg, pEnd, &logWFinal) {
		return false
	}

	logWSubtree := logSumExp(logWInit, logWFinal)
	*logW = logSumExp(*logW, logWSubtree)
	if acceptUniform(rng, logWFinal, logWSubtree) {
		zPropose.CopyFrom(f.zProposeFinal)
	}
	for i := range rho {
		rho[i] += f.rhoInit[i] + f.rhoFinal[i]
	}
	return mergedNoUTurn(pSharpBeg, f.pSharpInitEnd, f.pInitEnd, f.rhoInit,
		f.pSharpFinalBeg, pSharpEnd, f.pFinalBeg, f.rhoFinal, b.scratch)
}
