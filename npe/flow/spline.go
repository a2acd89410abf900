package flow

import (
	"math"
	"math/rand/v2"

	"github.com/metabeta-go/metabeta/npe/nn"
)

// Minimum bin width, height and knot derivative of the spline, as in
// Durkan et al. (2019)'s reference implementation; they keep the map and its
// inverse well conditioned.
const (
	splineMinWidth  = 1e-3
	splineMinHeight = 1e-3
	splineMinDeriv  = 1e-3
)

// splineKnots holds one element's spline: K bins on [−B, B] in x and y with
// knot positions xk, yk and knot derivatives d (d₀ = d_K = 1 so the linear
// tails outside [−B, B] join with continuous slope).
type splineKnots struct {
	sw, sh    []float64 // softmax of the raw widths and heights
	xk, yk, d []float64
	gw, gh    []float64
}

func newSplineKnots(K int) *splineKnots {
	return &splineKnots{sw: make([]float64, K), sh: make([]float64, K), xk: make([]float64, K+1), yk: make([]float64, K+1), d: make([]float64, K+1),
		gw: make([]float64, K), gh: make([]float64, K)}
}

func softmaxInto(dst, u []float64) {
	mx := math.Inf(-1)
	for _, v := range u {
		mx = max(mx, v)
	}
	s := 0.0
	for i, v := range u {
		dst[i] = math.Exp(v - mx)
		s += dst[i]
	}
	for i := range dst {
		dst[i] /= s
	}
}

func softplus(v float64) float64 {
	if v > 30 {
		return v
	}
	return math.Log1p(math.Exp(v))
}

// set computes knots from raw parameters u = [widths(K), heights(K),
// derivatives(K−1)].
func (s *splineKnots) set(u []float64, K int, B float64) {
	softmaxInto(s.sw, u[:K])
	softmaxInto(s.sh, u[K:2*K])
	s.xk[0], s.yk[0] = -B, -B
	for i := 0; i < K; i++ {
		s.xk[i+1] = s.xk[i] + 2*B*(splineMinWidth+(1-splineMinWidth*float64(K))*s.sw[i])
		s.yk[i+1] = s.yk[i] + 2*B*(splineMinHeight+(1-splineMinHeight*float64(K))*s.sh[i])
	}
	// Pin the last knots at B exactly (the sums equal B up to rounding; as
	// the normalized widths sum to 1 identically, the gradients below are
	// unchanged).
	s.xk[K], s.yk[K] = B, B
	s.d[0], s.d[K] = 1, 1
	for i := 1; i < K; i++ {
		s.d[i] = splineMinDeriv + softplus(u[2*K+i-1])
	}
}

func searchBin(knots []float64, v float64) int {
	K := len(knots) - 1
	for k := 0; k < K-1; k++ {
		if v < knots[k+1] {
			return k
		}
	}
	return K - 1
}

// forward evaluates the rational-quadratic spline (Durkan et al. 2019, eq. 4
// and 5) at x ∈ [−B, B], returning y, log dy/dx and the bin.
func (s *splineKnots) forward(x float64) (y, logJ float64, k int) {
	k = searchBin(s.xk, x)
	W, H := s.xk[k+1]-s.xk[k], s.yk[k+1]-s.yk[k]
	sl := H / W
	xi := (x - s.xk[k]) / W
	q := xi * (1 - xi)
	d0, d1 := s.d[k], s.d[k+1]
	den := sl + (d1+d0-2*sl)*q
	y = s.yk[k] + H*(sl*xi*xi+d0*q)/den
	A := d1*xi*xi + 2*sl*q + d0*(1-xi)*(1-xi)
	logJ = 2*math.Log(sl) + math.Log(A) - 2*math.Log(den)
	return y, logJ, k
}

// inverse solves the spline's quadratic for x given y ∈ [−B, B] (Durkan et
// al. 2019, eq. 6–8) and returns x and log dy/dx at x.
func (s *splineKnots) inverse(y float64) (x, logJ float64) {
	k := searchBin(s.yk, y)
	W, H := s.xk[k+1]-s.xk[k], s.yk[k+1]-s.yk[k]
	sl := H / W
	d0, d1 := s.d[k], s.d[k+1]
	dy := y - s.yk[k]
	a := H*(sl-d0) + dy*(d1+d0-2*sl)
	b := H*d0 - dy*(d1+d0-2*sl)
	c := -sl * dy
	// The discriminant is ≥ 0 in exact arithmetic for a monotone spline;
	// clamp its rounding error.
	xi := 2 * c / (-b - math.Sqrt(math.Max(0, b*b-4*a*c)))
	x = s.xk[k] + xi*W
	q := xi * (1 - xi)
	den := sl + (d1+d0-2*sl)*q
	A := d1*xi*xi + 2*sl*q + d0*(1-xi)*(1-xi)
	return x, 2*math.Log(sl) + math.Log(A) - 2*math.Log(den)
}

// backward back-propagates gy = ∂L/∂y and gl = ∂L/∂logJ at x (in bin k)
// to x and to the raw parameters, writing gu (length 3K−1) and returning
// ∂L/∂x.
func (s *splineKnots) backward(u []float64, x float64, k int, gy, gl float64, gu []float64, B float64) float64 {
	K := len(s.sw)
	W, H := s.xk[k+1]-s.xk[k], s.yk[k+1]-s.yk[k]
	sl := H / W
	xi := (x - s.xk[k]) / W
	q := xi * (1 - xi)
	dq := 1 - 2*xi
	d0, d1 := s.d[k], s.d[k+1]
	den := sl + (d1+d0-2*sl)*q
	num := H * (sl*xi*xi + d0*q)
	A := d1*xi*xi + 2*sl*q + d0*(1-xi)*(1-xi)

	gnum := gy / den
	gden := -gy*num/(den*den) - 2*gl/den
	gA := gl / A
	gxi := gnum*H*(2*sl*xi+d0*dq) + gden*(d1+d0-2*sl)*dq + gA*(2*d1*xi+2*sl*dq-2*d0*(1-xi))
	gs := gnum*H*xi*xi + gden*(1-2*q) + gA*2*q + 2*gl/sl
	gd0 := gnum*H*q + gden*q + gA*(1-xi)*(1-xi)
	gd1 := gden*q + gA*xi*xi
	gH := gnum*(sl*xi*xi+d0*q) + gs/W
	gW := -gxi*(x-s.xk[k])/(W*W) - gs*H/(W*W)
	gX0 := -gxi / W
	gY0 := gy
	// Knot positions: xk_k = −B + 2B Σ_{i<k} w̃_i, W = 2B w̃_k, with
	// w̃ = m + (1 − mK)·softmax(u_w); likewise for heights.
	for i := 0; i < K; i++ {
		s.gw[i], s.gh[i] = 0, 0
		if i < k {
			s.gw[i] = 2 * B * gX0
			s.gh[i] = 2 * B * gY0
		}
	}
	s.gw[k] += 2 * B * gW
	s.gh[k] += 2 * B * gH
	softmaxBackward(gu[:K], s.sw, s.gw, 1-splineMinWidth*float64(K))
	softmaxBackward(gu[K:2*K], s.sh, s.gh, 1-splineMinHeight*float64(K))
	clear(gu[2*K:])
	if k > 0 {
		gu[2*K+k-1] += gd0 * sigmoid(u[2*K+k-1])
	}
	if k+1 < K {
		gu[2*K+k] += gd1 * sigmoid(u[2*K+k])
	}
	return gxi / W
}

func sigmoid(v float64) float64 { return 1 / (1 + math.Exp(-v)) }

// softmaxBackward writes gu = scale·p ⊙ (g − Σ p g).
func softmaxBackward(gu, p, g []float64, scale float64) {
	dot := 0.0
	for i := range p {
		dot += p[i] * g[i]
	}
	for i := range p {
		gu[i] = scale * p[i] * (g[i] - dot)
	}
}

// SplineCoupling is the conditional rational-quadratic spline coupling of
// Durkan et al. (2019): with x = [x_a, x_b], each x_b,j is mapped by a
// monotone rational-quadratic spline with K bins on [−B, B], whose widths,
// heights and interior knot derivatives are produced by NN([x_a, c]);
// outside [−B, B] the map is the identity (linear tails, log|det| 0).
// Padded dimensions are the identity, as for AffineCoupling.
type SplineCoupling struct {
	// Cond is the conditioner [x_a, c] ↦ raw spline parameters, 3K−1 per
	// transformed dimension: K widths, K heights, K−1 knot derivatives.
	Cond   *nn.Sequential
	dim, a int
	ctxDim int
	bins   int
	bound  float64
	knots  *splineKnots
	cin    condInput
	out    []float64
	dout   []float64
	bin    []int
	x      []float64
	mask   []bool
	n      int
}

// NewSplineCoupling returns a spline coupling with bins bins on [−bound,
// bound]; the conditioner's last layer starts at U(±1e-3), near the
// identity spline.
func NewSplineCoupling(name string, dim, ctxDim, hidden, depth int, act string, bins int, bound float64, rng *rand.Rand) *SplineCoupling {
	if bins < 2 || !(bound > 0) {
		panic("flow: spline needs at least 2 bins and a positive bound")
	}
	a := dim / 2
	widths := []int{a + ctxDim}
	for i := 0; i < depth; i++ {
		widths = append(widths, hidden)
	}
	widths = append(widths, (dim-a)*(3*bins-1))
	cond := nn.NewMLP(name+".cond", widths, act, rng)
	last := cond.Layers[len(cond.Layers)-1].(*nn.Dense)
	nn.Uniform(rng, last.W, 1e-3)
	return &SplineCoupling{Cond: cond, dim: dim, a: a, ctxDim: ctxDim, bins: bins, bound: bound, knots: newSplineKnots(bins)}
}

// Params returns the conditioner's parameters.
func (c *SplineCoupling) Params() []*nn.Param { return c.Cond.Params() }

// Replica returns a coupling sharing the conditioner's parameters.
func (c *SplineCoupling) Replica() Transform {
	return &SplineCoupling{Cond: c.Cond.Replica().(*nn.Sequential), dim: c.dim, a: c.a, ctxDim: c.ctxDim, bins: c.bins, bound: c.bound, knots: newSplineKnots(c.bins)}
}

func (c *SplineCoupling) condition(xa, ctx []float64, mask []bool, n int) []float64 {
	return c.cin.forward(c.Cond, xa, ctx, mask, c.dim, c.a, c.ctxDim, n)
}

// Forward computes z from x.
func (c *SplineCoupling) Forward(z, x, ctx []float64, mask []bool, logDet []float64, n int) {
	D, a, P := c.dim, c.a, 3*c.bins-1
	nb := D - a
	c.x, c.mask, c.n = x, mask, n
	c.out = c.condition(x, ctx, mask, n)
	if cap(c.bin) < n*nb {
		c.bin = make([]int, n*nb)
	}
	c.bin = c.bin[:n*nb]
	for r := 0; r < n; r++ {
		copy(z[r*D:r*D+a], x[r*D:r*D+a])
		for j := 0; j < nb; j++ {
			i := r*D + a + j
			c.bin[r*nb+j] = -1
			if !active(mask, i) || x[i] <= -c.bound || x[i] >= c.bound {
				z[i] = x[i]
				continue
			}
			c.knots.set(c.out[(r*nb+j)*P:(r*nb+j+1)*P], c.bins, c.bound)
			y, lj, k := c.knots.forward(x[i])
			z[i] = y
			logDet[r] += lj
			c.bin[r*nb+j] = k
		}
	}
}

// Inverse computes x from z.
func (c *SplineCoupling) Inverse(x, z, ctx []float64, mask []bool, logDet []float64, n int) {
	c.invert(x, z, c.condition(z, ctx, mask, n), mask, logDet, n)
}

// inverseShared is Inverse with row r conditioned on context row r/per.
func (c *SplineCoupling) inverseShared(x, z, ctx []float64, per int, mask []bool, logDet []float64, n int, sc *condInput) {
	sc.parts = 0 // all outputs (narrow is for fewer than a spline has)
	c.invert(x, z, sc.forwardShared(c.Cond, z, ctx, per, mask, c.dim, c.a, c.ctxDim, n), mask, logDet, n)
}

// invert applies the inverse splines given the conditioner's output.
func (c *SplineCoupling) invert(x, z, out []float64, mask []bool, logDet []float64, n int) {
	D, a, P := c.dim, c.a, 3*c.bins-1
	nb := D - a
	for r := 0; r < n; r++ {
		copy(x[r*D:r*D+a], z[r*D:r*D+a])
		for j := 0; j < nb; j++ {
			i := r*D + a + j
			if !active(mask, i) || z[i] <= -c.bound || z[i] >= c.bound {
				x[i] = z[i]
				continue
			}
			c.knots.set(out[(r*nb+j)*P:(r*nb+j+1)*P], c.bins, c.bound)
			xv, lj := c.knots.inverse(z[i])
			x[i] = xv
			logDet[r] -= lj
		}
	}
}

// Backward back-propagates through the splines and the conditioner.
func (c *SplineCoupling) Backward(dx, dctx, dz, dLogDet []float64) {
	D, a, C, P := c.dim, c.a, c.ctxDim, 3*c.bins-1
	nb := D - a
	n := c.n
	c.dout = grow(c.dout, n*nb*P)
	for r := 0; r < n; r++ {
		for j := 0; j < nb; j++ {
			i := r*D + a + j
			gu := c.dout[(r*nb+j)*P : (r*nb+j+1)*P]
			k := c.bin[r*nb+j]
			if k < 0 {
				dx[i] = dz[i]
				clear(gu)
				continue
			}
			u := c.out[(r*nb+j)*P : (r*nb+j+1)*P]
			c.knots.set(u, c.bins, c.bound)
			dx[i] = c.knots.backward(u, c.x[i], k, dz[i], dLogDet[r], gu, c.bound)
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
