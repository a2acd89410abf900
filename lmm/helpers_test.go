package lmm

import (
	"encoding/csv"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// This file holds the test fixtures of the density tests: random small
// designs, the sleepstudy design, and slow direct reference implementations
// that loop over rows or build the dense N×N covariance.

// designCase names a random small design shape.
type designCase struct {
	p, q      int
	intercept bool
}

func (c designCase) String() string {
	return fmt.Sprintf("P=%d/Q=%d/intercept=%t", c.p, c.q, c.intercept)
}

// designCases lists P ∈ 1..4 and Q ∈ 0..min(3, P), with and without an
// intercept (an intercept-only model has P = 1).
func designCases() []designCase {
	var cs []designCase
	for _, intercept := range []bool{true, false} {
		for p := 1; p <= 4; p++ {
			for q := 0; q <= min(3, p); q++ {
				cs = append(cs, designCase{p, q, intercept})
			}
		}
	}
	return cs
}

// randomDesign draws a design of n rows in m groups, the last of which is
// left empty to exercise groups without rows. Non-intercept predictors have
// non-zero means so that centring matters. With an intercept the random
// terms are the intercept and then slopes on the following columns;
// without, they are the first q columns.
func randomDesign(rng *rand.Rand, c designCase, n, m int) *Design {
	d := &Design{Response: "y", Group: "g", Intercept: c.intercept}
	for k := 0; k < c.p; k++ {
		name := fmt.Sprintf("x%d", k)
		if c.intercept && k == 0 {
			name = "Intercept"
		}
		d.Fixed = append(d.Fixed, name)
	}
	for k := 0; k < c.q; k++ {
		d.Random = append(d.Random, d.Fixed[k])
		d.RandomCol = append(d.RandomCol, k)
	}
	for g := 0; g < m; g++ {
		d.Levels = append(d.Levels, fmt.Sprintf("L%d", g))
	}
	d.X = make([]float64, n*c.p)
	d.Y = make([]float64, n)
	d.G = make([]int, n)
	for i := 0; i < n; i++ {
		d.G[i] = i % (m - 1)
		if i >= m-1 {
			d.G[i] = rng.IntN(m - 1)
		}
		for k := 0; k < c.p; k++ {
			v := 1.5 + rng.NormFloat64()
			if c.intercept && k == 0 {
				v = 1
			}
			d.X[i*c.p+k] = v
		}
		d.Y[i] = 3 + 2*rng.NormFloat64()
	}
	return d
}

// randomPrior draws a prior of the shape of d.
func randomPrior(rng *rand.Rand, d *Design) Prior {
	pr := Prior{SigmaScale: 0.5 + rng.Float64()}
	for k := 0; k < d.P(); k++ {
		pr.BetaMean = append(pr.BetaMean, rng.NormFloat64())
		pr.BetaSD = append(pr.BetaSD, 0.5+2*rng.Float64())
	}
	for k := 0; k < d.Q(); k++ {
		pr.SDScale = append(pr.SDScale, 0.5+rng.Float64())
	}
	return pr
}

// randomTheta draws an unconstrained vector of length dim with log scales
// near zero.
func randomTheta(rng *rand.Rand, dim int) []float64 {
	th := make([]float64, dim)
	for i := range th {
		th[i] = 0.7 * rng.NormFloat64()
	}
	return th
}

// loadSleepstudy reads testdata/datasets/sleepstudy.csv (Belenky et al.
// 2003, as shipped with lme4) into the design of
// Reaction ~ Days + (Days || Subject), subjects in order of appearance.
func loadSleepstudy(t testing.TB) *Design {
	t.Helper()
	f, err := os.Open("../testdata/datasets/sleepstudy.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	d := &Design{
		Response: "Reaction", Group: "Subject", Intercept: true,
		Fixed: []string{"Intercept", "Days"}, Random: []string{"Intercept", "Days"}, RandomCol: []int{0, 1},
	}
	level := map[string]int{}
	for _, r := range recs[1:] {
		y, err1 := strconv.ParseFloat(r[0], 64)
		x, err2 := strconv.ParseFloat(r[1], 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("sleepstudy row %v: %v %v", r, err1, err2)
		}
		g, ok := level[r[2]]
		if !ok {
			g = len(d.Levels)
			level[r[2]] = g
			d.Levels = append(d.Levels, r[2])
		}
		d.Y = append(d.Y, y)
		d.X = append(d.X, 1, x)
		d.G = append(d.G, g)
	}
	return d
}

// sleepstudyPrior is a fixed proper prior for sleepstudy, on the scale of
// the data (reaction times in ms).
func sleepstudyPrior() Prior {
	return Prior{BetaMean: []float64{300, 0}, BetaSD: []float64{100, 20}, SDScale: []float64{50, 10}, SigmaScale: 50}
}

// denseZ returns the N×(M·Q) random-effect design with column g*Q+k holding
// Z[i, k] on the rows of group g.
func denseZ(d *Design) *mat.Dense {
	n, p, q, m := d.N(), d.P(), d.Q(), d.M()
	z := mat.NewDense(n, max(1, m*q), nil)
	for i := 0; i < n; i++ {
		for k, c := range d.RandomCol {
			z.Set(i, d.G[i]*q+k, d.X[i*p+c])
		}
	}
	return z
}

// denseResidual returns y − Xβ for original-scale β.
func denseResidual(d *Design, beta []float64) *mat.VecDense {
	n, p := d.N(), d.P()
	r := mat.NewVecDense(n, nil)
	for i := 0; i < n; i++ {
		v := d.Y[i]
		for k := 0; k < p; k++ {
			v -= d.X[i*p+k] * beta[k]
		}
		r.SetVec(i, v)
	}
	return r
}

// denseV returns V = σ² I + Z D Zᵀ, D the block-diagonal covariance of b:
// Σ_b = diag(σ_b) Ω diag(σ_b) repeated over groups, Ω built entry by entry
// from pr.Cor (the identity when pr.Cor is empty).
func denseV(d *Design, pr Params) *mat.SymDense {
	n, q, m := d.N(), d.Q(), d.M()
	z := denseZ(d)
	sb := denseSigmaB(pr, q)
	dz := mat.NewDense(n, max(1, m*q), nil)
	for g := 0; g < m; g++ {
		for k := 0; k < q; k++ {
			for i := 0; i < n; i++ {
				v := 0.0
				for l := 0; l < q; l++ {
					v += z.At(i, g*q+l) * sb.At(l, k)
				}
				dz.Set(i, g*q+k, v)
			}
		}
	}
	var zdz mat.Dense
	zdz.Mul(dz, z.T())
	v := mat.NewSymDense(n, nil)
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			x := zdz.At(i, j)
			if i == j {
				x += pr.Sigma * pr.Sigma
			}
			v.SetSym(i, j, x)
		}
	}
	return v
}

// denseLogMarginal returns log N(y | Xβ, V) by a dense Cholesky of the N×N
// covariance V = σ² I + Z D Zᵀ.
func denseLogMarginal(t testing.TB, d *Design, pr Params) float64 {
	t.Helper()
	var ch mat.Cholesky
	if !ch.Factorize(denseV(d, pr)) {
		t.Fatal("dense V not positive definite")
	}
	r := denseResidual(d, pr.Beta)
	var vr mat.VecDense
	if err := ch.SolveVecTo(&vr, r); err != nil {
		t.Fatal(err)
	}
	n := float64(d.N())
	return -0.5 * (n*math.Log(2*math.Pi) + ch.LogDet() + mat.Dot(r, &vr))
}

// rowsLogLik returns Σ_i log N(y_i | x_iᵀβ + z_iᵀb_g, σ²) by a loop over the
// rows, for original-scale β and group-major b.
func rowsLogLik(d *Design, beta, b []float64, sigma float64) float64 {
	n, p, q := d.N(), d.P(), d.Q()
	ll := 0.0
	for i := 0; i < n; i++ {
		mu := 0.0
		for k := 0; k < p; k++ {
			mu += d.X[i*p+k] * beta[k]
		}
		for k, c := range d.RandomCol {
			mu += d.X[i*p+c] * b[d.G[i]*q+k]
		}
		e := (d.Y[i] - mu) / sigma
		ll += -0.5*math.Log(2*math.Pi) - math.Log(sigma) - 0.5*e*e
	}
	return ll
}

// centralDiff returns the central finite-difference gradient of f at x with
// step h·max(1, |x_i|).
func centralDiff(f func([]float64) float64, x []float64, h float64) []float64 {
	g := make([]float64, len(x))
	y := append([]float64(nil), x...)
	for i := range x {
		step := h * math.Max(1, math.Abs(x[i]))
		y[i] = x[i] + step
		fp := f(y)
		y[i] = x[i] - step
		fm := f(y)
		y[i] = x[i]
		g[i] = (fp - fm) / (2 * step)
	}
	return g
}

// checkGradient compares an analytic gradient with central differences: each
// entry must agree to 1e-6 relative to max(1, |analytic|).
func checkGradient(t *testing.T, f func([]float64) float64, x, grad []float64) {
	t.Helper()
	fd := centralDiff(f, x, 1e-5)
	for i := range grad {
		if err := math.Abs(fd[i]-grad[i]) / math.Max(1, math.Abs(grad[i])); !(err < 1e-6) {
			t.Errorf("grad[%d] = %.12g, finite difference %.12g (rel. err %.2g)", i, grad[i], fd[i], err)
		}
	}
}

// closeRel reports whether a and b agree to tol relative to max(1, |a|).
func closeRel(a, b, tol float64) bool {
	return math.Abs(a-b) <= tol*math.Max(1, math.Abs(a))
}

// denseSigmaB returns Σ_b = diag(σ_b) Ω diag(σ_b) with Ω_ij = Ω_ji =
// pr.Cor[k] for the pairs (i > j) in the order of Design.Names.
func denseSigmaB(pr Params, q int) *mat.SymDense {
	sb := mat.NewSymDense(max(1, q), nil)
	for i := 0; i < q; i++ {
		sb.SetSym(i, i, pr.SigmaB[i]*pr.SigmaB[i])
	}
	k := 0
	for i := 1; i < q && len(pr.Cor) > 0; i++ {
		for j := 0; j < i; j++ {
			sb.SetSym(i, j, pr.Cor[k]*pr.SigmaB[i]*pr.SigmaB[j])
			k++
		}
	}
	return sb
}
