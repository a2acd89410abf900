package flow

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/metabeta-go/metabeta/npe/nn"
)

// AffineCoupling is the conditional affine coupling layer of RealNVP (Dinh
// et al. 2017). With x = [x_a, x_b] split at a = ⌊D/2⌋ and context c,
//
//	(s̃, t) = NN([x_a, c]),  s = C·tanh(s̃/C),
//	z_a = x_a,  z_b = x_b ⊙ exp(s) + t,  log|det| = Σ s,
//
// where the tanh clamp C bounds the log-scale. Padded dimensions of x_b get
// s = t = 0 (identity) and padded entries of x_a enter NN as zeros, so the
// layer's output and log-determinant do not depend on padded values.
type AffineCoupling struct {
	// Cond is the conditioner [x_a, c] ↦ (s̃, t).
	Cond   *nn.Sequential
	dim, a int
	ctxDim int
	clamp  float64
	cin    condInput
	out    []float64
	dout   []float64
	x      []float64
	mask   []bool
	n      int
}

// NewAffineCoupling returns a coupling layer whose conditioner is an MLP
// with depth hidden layers of the given width and activation; its last layer
// starts at U(±1e-3) so the layer starts near the identity.
func NewAffineCoupling(name string, dim, ctxDim, hidden, depth int, act string, clamp float64, rng *rand.Rand) *AffineCoupling {
	a := dim / 2
	widths := []int{a + ctxDim}
	for i := 0; i < depth; i++ {
		widths = append(widths, hidden)
	}
	widths = append(widths, 2*(dim-a))
	cond := nn.NewMLP(name+".cond", widths, act, rng)
	last := cond.Layers[len(cond.Layers)-1].(*nn.Dense)
	nn.Uniform(rng, last.W, 1e-3)
	if clamp <= 0 {
		panic(fmt.Sprintf("flow: coupling clamp %g must be positive", clamp))
	}
	return &AffineCoupling{Cond: cond, dim: dim, a: a, ctxDim: ctxDim, clamp: clamp}
}

// Params returns the conditioner's parameters.
func (c *AffineCoupling) Params() []*nn.Param { return c.Cond.Params() }

// Replica returns a coupling sharing the conditioner's parameters.
func (c *AffineCoupling) Replica() Transform {
	return &AffineCoupling{Cond: c.Cond.Replica().(*nn.Sequential), dim: c.dim, a: c.a, ctxDim: c.ctxDim, clamp: c.clamp}
}

// condition evaluates the conditioner on [masked x_a, ctx].
func (c *AffineCoupling) condition(xa, ctx []float64, mask []bool, n int) []float64 {
	return c.cin.forward(c.Cond, xa, ctx, mask, c.dim, c.a, c.ctxDim, n)
}

// Forward computes z from x.
func (c *AffineCoupling) Forward(z, x, ctx []float64, mask []bool, logDet []float64, n int) {
	D, a := c.dim, c.a
	nb := D - a
	c.x, c.mask, c.n = x, mask, n
	c.out = c.condition(x, ctx, mask, n)
	for r := 0; r < n; r++ {
		copy(z[r*D:r*D+a], x[r*D:r*D+a])
		o := c.out[r*2*nb : (r+1)*2*nb]
		for j := 0; j < nb; j++ {
			i := r*D + a + j
			if !active(mask, i) {
				z[i] = x[i]
				continue
			}
			s := c.clamp * math.Tanh(o[j]/c.clamp)
			z[i] = x[i]*math.Exp(s) + o[nb+j]
			logDet[r] += s
		}
	}
}

// Inverse computes x from z: x_b = (z_b − t)·exp(−s).
func (c *AffineCoupling) Inverse(x, z, ctx []float64, mask []bool, logDet []float64, n int) {
	c.invert(x, z, c.condition(z, ctx, mask, n), mask, logDet, n)
}

// inverseShared is Inverse with row r conditioned on context row r/per.
// Output j of the conditioner is the log-scale of dimension j of x_b and
// output D−a+j its shift.
func (c *AffineCoupling) inverseShared(x, z, ctx []float64, per int, mask []bool, logDet []float64, n int, sc *condInput) {
	sc.dimStep, sc.partStep, sc.parts = 1, c.dim-c.a, 2
	c.invert(x, z, sc.forwardShared(c.Cond, z, ctx, per, mask, c.dim, c.a, c.ctxDim, n), mask, logDet, n)
}

// invert applies the inverse coupling given the conditioner's output.
func (c *AffineCoupling) invert(x, z, out []float64, mask []bool, logDet []float64, n int) {
	D, a := c.dim, c.a
	nb := D - a
	for r := 0; r < n; r++ {
		copy(x[r*D:r*D+a], z[r*D:r*D+a])
		o := out[r*2*nb : (r+1)*2*nb]
		for j := 0; j < nb; j++ {
			i := r*D + a + j
			if !active(mask, i) {
				x[i] = z[i]
				continue
			}
			s := c.clamp * math.Tanh(o[j]/c.clamp)
			x[i] = (z[i] - o[nb+j]) * math.Exp(-s)
			logDet[r] -= s
		}
	}
}

// Backward back-propagates through the coupling and its conditioner.
func (c *AffineCoupling) Backward(dx, dctx, dz, dLogDet []float64) {
	D, a, C := c.dim, c.a, c.ctxDim
	nb := D - a
	n := c.n
	c.dout = grow(c.dout, n*2*nb)
	for r := 0; r < n; r++ {
		o := c.out[r*2*nb : (r+1)*2*nb]
		do := c.dout[r*2*nb : (r+1)*2*nb]
		for j := 0; j < nb; j++ {
			i := r*D + a + j
			if !active(c.mask, i) {
				dx[i] = dz[i]
				do[j], do[nb+j] = 0, 0
				continue
			}
			th := math.Tanh(o[j] / c.clamp)
			e := math.Exp(c.clamp * th)
			dx[i] = dz[i] * e
			ds := dz[i]*c.x[i]*e + dLogDet[r]
			do[j] = ds * (1 - th*th)
			do[nb+j] = dz[i]
		}
	}
	din := c.Cond.Backward(c.dout)
	w := a + C
	for r := 0; r < n; r++ {
		g := din[r*w : (r+1)*w]
		for j := 0; j < a; j++ {
			i := r*D + j
			dx[i] = dz[i]
			if active(c.mask, i) {
				dx[i] += g[j]
			}
		}
		if dctx != nil {
			for k := 0; k < C; k++ {
				dctx[r*C+k] += g[a+k]
			}
		}
	}
}
