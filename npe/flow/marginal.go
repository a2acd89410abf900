package flow

import (
	"math"
	"math/rand/v2"

	"github.com/metabeta-go/metabeta/npe/nn"
)

// MarginalSpline maps every dimension by its own monotone rational-quadratic
// spline (Durkan et al. 2019) with K bins on [−B, B], whose widths, heights
// and interior knot derivatives are produced by NN(c) from the context
// alone; outside [−B, B] the map is the identity. It reshapes each
// coordinate's marginal (skew, tail weight) directly, which affine couplings
// can do only through the other coordinates. Its parameters depend on the
// context only, so in SampleShared they are computed once per context, not
// once per draw. Padded dimensions are the identity.
type MarginalSpline struct {
	// Cond is the conditioner c ↦ raw spline parameters, 3K−1 per
	// dimension: K widths, K heights, K−1 knot derivatives.
	Cond   *nn.Sequential
	dim    int
	ctxDim int
	bins   int
	bound  float64
	knots  *splineKnots
	cache  []*splineKnots // invert's knots, one per dimension
	out    []float64
	dout   []float64
	bin    []int
	x      []float64
	n      int
}

// identityDerivRaw is the raw knot derivative whose transformed value
// splineMinDeriv + softplus(v) is 1: with it and equal widths and heights,
// the spline is the identity.
var identityDerivRaw = math.Log(math.Expm1(1 - splineMinDeriv))

// NewMarginalSpline returns a marginal spline with bins bins on [−bound,
// bound] and a conditioner of depth hidden layers of the given width. Its
// last layer starts at U(±1e-3) with biases that make the spline the
// identity (equal bins, unit knot derivatives), so that a flow starts as it
// would without it.
func NewMarginalSpline(name string, dim, ctxDim, hidden, depth int, act string, bins int, bound float64, rng *rand.Rand) *MarginalSpline {
	if bins < 2 || !(bound > 0) || ctxDim <= 0 {
		panic("flow: marginal spline needs at least 2 bins, a positive bound and a context")
	}
	widths := []int{ctxDim}
	for i := 0; i < depth; i++ {
		widths = append(widths, hidden)
	}
	P := 3*bins - 1
	widths = append(widths, dim*P)
	cond := nn.NewMLP(name+".cond", widths, act, rng)
	last := cond.Layers[len(cond.Layers)-1].(*nn.Dense)
	nn.Uniform(rng, last.W, 1e-3)
	clear(last.B.Value)
	for j := 0; j < dim; j++ {
		for k := 2 * bins; k < P; k++ {
			last.B.Value[j*P+k] = identityDerivRaw
		}
	}
	return &MarginalSpline{Cond: cond, dim: dim, ctxDim: ctxDim, bins: bins, bound: bound, knots: newSplineKnots(bins)}
}

// startAtIdentity zeroes the conditioner's last weights, so that the
// spline is exactly the identity whatever the context (the biases already
// make it so) while the gradients of those weights are not zero.
func (m *MarginalSpline) startAtIdentity() {
	clear(m.Cond.Layers[len(m.Cond.Layers)-1].(*nn.Dense).W.Value)
}

// Params returns the conditioner's parameters.
func (m *MarginalSpline) Params() []*nn.Param { return m.Cond.Params() }

// Replica returns a marginal spline sharing the conditioner's parameters.
func (m *MarginalSpline) Replica() Transform {
	return &MarginalSpline{Cond: m.Cond.Replica().(*nn.Sequential), dim: m.dim, ctxDim: m.ctxDim, bins: m.bins,
		bound: m.bound, knots: newSplineKnots(m.bins)}
}

// params returns the raw spline parameters of dimension j for the
// conditioner output row o.
func (m *MarginalSpline) params(o []float64, j int) []float64 {
	P := 3*m.bins - 1
	return o[j*P : (j+1)*P]
}

// Forward computes z from x.
func (m *MarginalSpline) Forward(z, x, ctx []float64, mask []bool, logDet []float64, n int) {
	D, P := m.dim, 3*m.bins-1
	m.x, m.n = x, n
	m.out = m.Cond.Forward(ctx[:n*m.ctxDim], n)
	if cap(m.bin) < n*D {
		m.bin = make([]int, n*D)
	}
	m.bin = m.bin[:n*D]
	for r := 0; r < n; r++ {
		o := m.out[r*D*P : (r+1)*D*P]
		for j := 0; j < D; j++ {
			i := r*D + j
			m.bin[i] = -1
			if !active(mask, i) || x[i] <= -m.bound || x[i] >= m.bound {
				z[i] = x[i]
				continue
			}
			m.knots.set(m.params(o, j), m.bins, m.bound)
			y, lj, k := m.knots.forward(x[i])
			z[i] = y
			logDet[r] += lj
			m.bin[i] = k
		}
	}
}

// Inverse computes x from z.
func (m *MarginalSpline) Inverse(x, z, ctx []float64, mask []bool, logDet []float64, n int) {
	m.invert(x, z, m.Cond.Forward(ctx[:n*m.ctxDim], n), 1, mask, logDet, n)
}

// inverseShared is Inverse with row r conditioned on context row r/per: the
// conditioner runs once per context row.
func (m *MarginalSpline) inverseShared(x, z, ctx []float64, per int, mask []bool, logDet []float64, n int, _ *condInput) {
	groups := n / per
	m.invert(x, z, m.Cond.Forward(ctx[:groups*m.ctxDim], groups), per, mask, logDet, n)
}

// invert applies the inverse splines, row r with the conditioner output row
// r/per. The knots of a (context row, dimension) pair are computed once and
// serve its per rows.
func (m *MarginalSpline) invert(x, z, out []float64, per int, mask []bool, logDet []float64, n int) {
	D, P := m.dim, 3*m.bins-1
	for len(m.cache) < D {
		m.cache = append(m.cache, newSplineKnots(m.bins))
	}
	for g := 0; g*per < n; g++ {
		o := out[g*D*P : (g+1)*D*P]
		for j := 0; j < D; j++ {
			m.cache[j].set(m.params(o, j), m.bins, m.bound)
		}
		for r := g * per; r < min(n, (g+1)*per); r++ {
			for j := 0; j < D; j++ {
				i := r*D + j
				if !active(mask, i) || z[i] <= -m.bound || z[i] >= m.bound {
					x[i] = z[i]
					continue
				}
				xv, lj := m.cache[j].inverse(z[i])
				x[i] = xv
				logDet[r] -= lj
			}
		}
	}
}

// Backward back-propagates through the splines and the conditioner.
func (m *MarginalSpline) Backward(dx, dctx, dz, dLogDet []float64) {
	D, C, P, n := m.dim, m.ctxDim, 3*m.bins-1, m.n
	m.dout = grow(m.dout, n*D*P)
	for r := 0; r < n; r++ {
		for j := 0; j < D; j++ {
			i := r*D + j
			gu := m.dout[i*P : (i+1)*P]
			k := m.bin[i]
			if k < 0 {
				dx[i] = dz[i]
				clear(gu)
				continue
			}
			u := m.out[i*P : (i+1)*P]
			m.knots.set(u, m.bins, m.bound)
			dx[i] = m.knots.backward(u, m.x[i], k, dz[i], dLogDet[r], gu, m.bound)
		}
	}
	din := m.Cond.Backward(m.dout)
	if dctx != nil {
		for v := range din[:n*C] {
			dctx[v] += din[v]
		}
	}
}
