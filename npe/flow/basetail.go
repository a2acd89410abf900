package flow

import (
	"math"
	"math/rand/v2"

	"github.com/metabeta-go/metabeta/npe/nn"
)

// BaseTail is the last transform before the base: each dimension is the
// identity on [−c, c] and linear beyond, with its own slopes on either side
// from a linear map of the context,
//
//	z = x                          |x| ≤ c
//	z = ±c + (x ∓ c)·e^(−α±)       ±x > c,   α± = A·tanh(a±/A),  (a₋, a₊) = W·ctx + b,
//
// so that log|det ∂z/∂x| gains −α± per dimension in a tail. Sampling runs
// it backwards, x = ±c + (z ∓ c)·e^(α±): with α± < 0 a base draw far in
// one coordinate's tail reaches only a fraction of that distance into the
// rest of the flow. Affine couplings are linear in each coordinate, and
// the marginal spline maps [−B, B] onto itself with the identity beyond,
// so neither can make a coordinate's tail lighter than the base's at a
// fixed bulk scale; posteriors of log σ_b pressed against zero need it
// lighter. W and b start at zero, the identity, so that it can be added to
// a trained flow and fine-tuned, at 10 times the learning rate. The slopes
// are bounded by e^(±A) (A = 2). Padded dimensions are the identity.
type BaseTail struct {
	// Cond maps the context to the raw slopes (a₋, a₊) of every dimension.
	Cond   *nn.Dense
	dim    int
	ctxDim int
	bound  float64
	out    []float64
	dout   []float64
	x      []float64
	sides  []int8 // Forward's side of each entry: −1 identity, 0 left, 1 right
	n      int
}

// baseTailClamp is A, the bound on the log-slopes |α±|.
const baseTailClamp = 2

// baseTailLRScale multiplies the learning rate of the context map
// (nn.Param.LRScale). Added at the identity to a trained flow and
// fine-tuned at 3e-4, its biases moved by at most 0.04 in 2,000 steps, a
// slope of 0.96 at most: the draws that it reshapes are a small part of
// each batch, and Adam's steps are bounded by the learning rate.
const baseTailLRScale = 10

// NewBaseTail returns a base tail with tails beyond ±bound, its context
// map at zero (the identity).
func NewBaseTail(name string, dim, ctxDim int, bound float64, rng *rand.Rand) *BaseTail {
	if ctxDim <= 0 || !(bound >= 0) {
		panic("flow: base tail needs a context and a bound ≥ 0")
	}
	cond := nn.NewDense(name+".cond", ctxDim, 2*dim, rng)
	clear(cond.W.Value)
	cond.W.LRScale, cond.B.LRScale = baseTailLRScale, baseTailLRScale
	return &BaseTail{Cond: cond, dim: dim, ctxDim: ctxDim, bound: bound}
}

// Params returns the context map's parameters.
func (t *BaseTail) Params() []*nn.Param { return t.Cond.Params() }

// Replica returns a base tail sharing the context map's parameters.
func (t *BaseTail) Replica() Transform {
	return &BaseTail{Cond: t.Cond.Replica().(*nn.Dense), dim: t.dim, ctxDim: t.ctxDim, bound: t.bound}
}

// logSlope returns α of the raw slope a, and dα/da.
func logSlope(a float64) (alpha, dAlpha float64) {
	th := math.Tanh(a / baseTailClamp)
	return baseTailClamp * th, 1 - th*th
}

// side returns the index (0 left, 1 right) of the slope that applies to v,
// and the signed bound ±c, or −1 inside [−c, c].
func (t *BaseTail) side(v float64) (int, float64) {
	switch {
	case v > t.bound:
		return 1, t.bound
	case v < -t.bound:
		return 0, -t.bound
	}
	return -1, 0
}

// Forward computes z from x.
func (t *BaseTail) Forward(z, x, ctx []float64, mask []bool, logDet []float64, n int) {
	D := t.dim
	t.x, t.n = x, n
	t.out = t.Cond.Forward(ctx[:n*t.ctxDim], n)
	if cap(t.sides) < n*D {
		t.sides = make([]int8, n*D)
	}
	t.sides = t.sides[:n*D]
	for r := 0; r < n; r++ {
		for j := 0; j < D; j++ {
			i := r*D + j
			s, c := t.side(x[i])
			if !active(mask, i) {
				s = -1
			}
			t.sides[i] = int8(s)
			if s < 0 {
				z[i] = x[i]
				continue
			}
			alpha, _ := logSlope(t.out[2*i+s])
			z[i] = c + (x[i]-c)*math.Exp(-alpha)
			logDet[r] -= alpha
		}
	}
}

// Inverse computes x from z.
func (t *BaseTail) Inverse(x, z, ctx []float64, mask []bool, logDet []float64, n int) {
	t.invert(x, z, t.Cond.Forward(ctx[:n*t.ctxDim], n), 1, mask, logDet, n)
}

// inverseShared is Inverse with row r conditioned on context row r/per: the
// context map runs once per context row.
func (t *BaseTail) inverseShared(x, z, ctx []float64, per int, mask []bool, logDet []float64, n int, _ *condInput) {
	groups := n / per
	t.invert(x, z, t.Cond.Forward(ctx[:groups*t.ctxDim], groups), per, mask, logDet, n)
}

// invert applies the inverse map, row r with the context map's output row
// r/per. Since the map keeps [−c, c] in place, z and x lie in the same
// tail.
func (t *BaseTail) invert(x, z, out []float64, per int, mask []bool, logDet []float64, n int) {
	D := t.dim
	for r := 0; r < n; r++ {
		o := out[(r/per)*2*D : (r/per+1)*2*D]
		for j := 0; j < D; j++ {
			i := r*D + j
			s, c := t.side(z[i])
			if !active(mask, i) || s < 0 {
				x[i] = z[i]
				continue
			}
			alpha, _ := logSlope(o[2*j+s])
			x[i] = c + (z[i]-c)*math.Exp(alpha)
			logDet[r] += alpha
		}
	}
}

// Backward back-propagates through the tails and the context map: in a
// tail, ∂z/∂x = e^(−α), ∂z/∂α = −(x ∓ c)·e^(−α) and ∂logDet/∂α = −1.
func (t *BaseTail) Backward(dx, dctx, dz, dLogDet []float64) {
	D, C, n := t.dim, t.ctxDim, t.n
	t.dout = grow(t.dout, n*2*D)
	clear(t.dout)
	for r := 0; r < n; r++ {
		for j := 0; j < D; j++ {
			i := r*D + j
			s := int(t.sides[i])
			if s < 0 {
				dx[i] = dz[i]
				continue
			}
			c := t.bound // Forward's side s gives the bound: −c on the left
			if s == 0 {
				c = -c
			}
			alpha, dAlpha := logSlope(t.out[2*i+s])
			e := math.Exp(-alpha)
			dx[i] = dz[i] * e
			t.dout[2*i+s] = (-dz[i]*(t.x[i]-c)*e - dLogDet[r]) * dAlpha
		}
	}
	din := t.Cond.Backward(t.dout)
	if dctx != nil {
		for v := range din[:n*C] {
			dctx[v] += din[v]
		}
	}
}
