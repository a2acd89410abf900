package flow

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"

	"github.com/metabeta-go/metabeta/npe/nn"
)

// Finite-difference settings: central differences with h = 1e-5 have error
// ≈1e-10 in float64, far below the required relative error 1e-6.
const (
	fdStep = 1e-5
	fdTol  = 1e-6
)

func randSlice(rng *rand.Rand, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	return x
}

// testFlow builds a flow with all parameters randomized so that every
// gradient path is exercised.
func testFlow(cfg Config, seed uint64) *Flow {
	rng := rand.New(rand.NewPCG(seed, 1))
	f := New(cfg, rng)
	for _, p := range f.Params() {
		for i := range p.Value {
			p.Value[i] = 0.3 * rng.NormFloat64()
		}
	}
	if b, ok := f.Base.(*StudentT); ok {
		for i := range b.LogDF.Value {
			b.LogDF.Value[i] = math.Log(2 + 8*rng.Float64())
		}
	}
	return f
}

var testConfigs = map[string]Config{
	"affine-normal":   {Dim: 5, Context: 3, Steps: 3, Hidden: 8, Depth: 2},
	"affine-studentt": {Dim: 4, Context: 2, Steps: 2, Hidden: 6, Depth: 1, Base: "studentt"},
	"affine-dim1":     {Dim: 1, Context: 2, Steps: 2, Hidden: 6, Depth: 1},
	"spline-normal":   {Dim: 5, Context: 3, Steps: 3, Hidden: 8, Depth: 2, Coupling: "spline", Bins: 5, Bound: 3},
	"spline-studentt": {Dim: 4, Context: 2, Steps: 2, Hidden: 6, Depth: 1, Coupling: "spline", Bins: 4, Bound: 2.5, Base: "studentt"},
	"affine-marginal": {Dim: 5, Context: 3, Steps: 2, Hidden: 8, Depth: 2, Marginal: true, Bins: 5, MarginalBound: 1.5},
	"affine-tail":     {Dim: 5, Context: 3, Steps: 2, Hidden: 8, Depth: 2, Tail: true, TailBound: 0.4},
	"affine-wide":     {Dim: 5, Context: 3, Steps: 2, Hidden: 8, Depth: 2, Marginal: true, Bins: 5, MarginalBound: 1.5, Wide: true, WideBins: 4, WideBound: 3},
}

// testMask pads dimension 3 of row 0 and dimensions 0 and 3 of row 2.
func testMask(n, D int) []bool {
	m := make([]bool, n*D)
	for i := range m {
		m[i] = true
	}
	if D >= 4 && n >= 3 {
		m[3] = false
		m[2*D] = false
		m[2*D+3] = false
	}
	return m
}

func TestLogProbGradients(t *testing.T) {
	t.Parallel()
	for name, cfg := range testConfigs {
		t.Run(name, func(t *testing.T) {
			f := testFlow(cfg, 1)
			rng := rand.New(rand.NewPCG(2, 1))
			const n = 4
			x := randSlice(rng, n*cfg.Dim)
			ctx := randSlice(rng, n*cfg.Context)
			mask := testMask(n, cfg.Dim)
			w := randSlice(rng, n)
			lp := make([]float64, n)
			loss := func() float64 {
				f.LogProb(lp, x, ctx, mask, n)
				s := 0.0
				for r := range lp {
					s += w[r] * lp[r]
				}
				return s
			}
			loss()
			nn.ZeroGrads(f.Params())
			dx := make([]float64, len(x))
			dctx := make([]float64, len(ctx))
			f.Backward(dx, dctx, w)
			vars := [][]float64{x, ctx}
			grads := [][]float64{dx, dctx}
			names := []string{"x", "ctx"}
			for _, p := range f.Params() {
				vars, grads, names = append(vars, p.Value), append(grads, p.Grad), append(names, p.Name)
			}
			for v, xs := range vars {
				idx := rng.Perm(len(xs))
				if len(idx) > 25 {
					idx = idx[:25]
				}
				for _, i := range idx {
					old := xs[i]
					xs[i] = old + fdStep
					lp1 := loss()
					xs[i] = old - fdStep
					lm := loss()
					xs[i] = old
					fd := (lp1 - lm) / (2 * fdStep)
					a := grads[v][i]
					if e := math.Abs(a-fd) / math.Max(1, math.Max(math.Abs(a), math.Abs(fd))); !(e < fdTol) {
						t.Errorf("%s[%d]: analytic %.12g, FD %.12g", names[v], i, a, fd)
					}
				}
			}
		})
	}
}

// TestInverseAndLogDet checks inverse(forward(x)) = x to 1e-9, that the
// log-determinant equals log|det| of a finite-difference Jacobian (to 1e-6)
// and that the inverse's log-determinant is its negative.
func TestInverseAndLogDet(t *testing.T) {
	t.Parallel()
	for name, cfg := range testConfigs {
		t.Run(name, func(t *testing.T) {
			f := testFlow(cfg, 3)
			rng := rand.New(rand.NewPCG(4, 1))
			const n = 3
			D := cfg.Dim
			x := randSlice(rng, n*D)
			ctx := randSlice(rng, n*cfg.Context)
			z := make([]float64, n*D)
			ld := make([]float64, n)
			f.Forward(z, x, ctx, nil, ld, n)
			back := make([]float64, n*D)
			ldInv := make([]float64, n)
			f.Inverse(back, z, ctx, nil, ldInv, n)
			for i := range x {
				if math.Abs(back[i]-x[i]) > 1e-9 {
					t.Errorf("inverse(forward(x))[%d] = %v, want %v", i, back[i], x[i])
				}
			}
			for r := 0; r < n; r++ {
				if math.Abs(ld[r]+ldInv[r]) > 1e-9 {
					t.Errorf("row %d: forward log-det %v, inverse %v", r, ld[r], ldInv[r])
				}
				jac := mat.NewDense(D, D, nil)
				zp, zm := make([]float64, D), make([]float64, D)
				tmp := make([]float64, 1)
				for j := 0; j < D; j++ {
					xr := append([]float64(nil), x[r*D:(r+1)*D]...)
					c := ctx[r*cfg.Context : (r+1)*cfg.Context]
					xr[j] += fdStep
					f.Forward(zp, xr, c, nil, tmp, 1)
					xr[j] -= 2 * fdStep
					f.Forward(zm, xr, c, nil, tmp, 1)
					for i := 0; i < D; i++ {
						jac.Set(i, j, (zp[i]-zm[i])/(2*fdStep))
					}
				}
				var lu mat.LU
				lu.Factorize(jac)
				fdLD, _ := lu.LogDet()
				if math.Abs(fdLD-ld[r]) > 1e-6 {
					t.Errorf("row %d: log-det %v, finite-difference Jacobian %v", r, ld[r], fdLD)
				}
			}
		})
	}
}

// TestPaddingPassesThrough checks that padded dimensions reach z unchanged
// and that log q does not depend on their values, bitwise.
func TestPaddingPassesThrough(t *testing.T) {
	t.Parallel()
	for name, cfg := range testConfigs {
		t.Run(name, func(t *testing.T) {
			f := testFlow(cfg, 5)
			rng := rand.New(rand.NewPCG(6, 1))
			const n = 3
			D := cfg.Dim
			mask := testMask(n, D)
			x := randSlice(rng, n*D)
			ctx := randSlice(rng, n*cfg.Context)
			lp1, lp2 := make([]float64, n), make([]float64, n)
			f.LogProb(lp1, x, ctx, mask, n)
			for i, real := range mask {
				if !real {
					x[i] = 100 * rng.NormFloat64()
				}
			}
			f.LogProb(lp2, x, ctx, mask, n)
			for r := range lp1 {
				if lp1[r] != lp2[r] {
					t.Errorf("row %d: log q changed with padded values: %v → %v", r, lp1[r], lp2[r])
				}
			}
			// Each padded value appears unchanged somewhere in z's row:
			// permutations move it, nothing else touches it.
			z := make([]float64, n*D)
			f.Forward(z, x, ctx, mask, make([]float64, n), n)
			for i, real := range mask {
				if real {
					continue
				}
				r, found := i/D, false
				for j := 0; j < D; j++ {
					found = found || z[r*D+j] == x[i]
				}
				if !found {
					t.Errorf("padded x[%d] = %v not found in z row %d", i, x[i], r)
				}
			}
			// Samples are zero on padded dimensions.
			f.Sample(rng, x, ctx, mask, nil, n)
			for i, real := range mask {
				if !real && x[i] != 0 {
					t.Errorf("sample x[%d] = %v on a padded dimension", i, x[i])
				}
			}
		})
	}
}

// TestSampleLogProb checks that the log density returned by Sample equals
// LogProb at the sampled point (to 1e-9, round-off through the inverse).
func TestSampleLogProb(t *testing.T) {
	t.Parallel()
	for name, cfg := range testConfigs {
		t.Run(name, func(t *testing.T) {
			f := testFlow(cfg, 7)
			rng := rand.New(rand.NewPCG(8, 1))
			const n = 5
			x := make([]float64, n*cfg.Dim)
			ctx := randSlice(rng, n*cfg.Context)
			lq, lp := make([]float64, n), make([]float64, n)
			f.Sample(rng, x, ctx, nil, lq, n)
			f.LogProb(lp, x, ctx, nil, n)
			for r := range lq {
				if math.Abs(lq[r]-lp[r]) > 1e-9 {
					t.Errorf("row %d: Sample log q %v, LogProb %v", r, lq[r], lp[r])
				}
			}
		})
	}
}

// TestSampleShared checks that SampleShared, which evaluates each context's
// share of the conditioners once per run of rows, gives the draws and log
// densities of Sample on the explicitly repeated contexts (same base draws
// from the same seed), with padding, to round-off (1e-12).
func TestSampleShared(t *testing.T) {
	t.Parallel()
	for name, cfg := range testConfigs {
		t.Run(name, func(t *testing.T) {
			f := testFlow(cfg, 9)
			const groups, per = 3, 4
			n := groups * per
			ctx := randSlice(rand.New(rand.NewPCG(10, 1)), groups*cfg.Context)
			rep := make([]float64, n*cfg.Context)
			for r := 0; r < n; r++ {
				copy(rep[r*cfg.Context:(r+1)*cfg.Context], ctx[(r/per)*cfg.Context:])
			}
			mask := testMask(n, cfg.Dim)
			x1, x2 := make([]float64, n*cfg.Dim), make([]float64, n*cfg.Dim)
			lq1, lq2 := make([]float64, n), make([]float64, n)
			f.Sample(rand.New(rand.NewPCG(11, 1)), x1, rep, mask, lq1, n)
			f.SampleShared(rand.New(rand.NewPCG(11, 1)), x2, ctx, per, mask, lq2, n)
			for i := range x1 {
				if math.Abs(x1[i]-x2[i]) > 1e-12 {
					t.Fatalf("x[%d]: Sample %v, SampleShared %v", i, x1[i], x2[i])
				}
			}
			for r := range lq1 {
				if math.Abs(lq1[r]-lq2[r]) > 1e-12 {
					t.Fatalf("row %d: Sample log q %v, SampleShared %v", r, lq1[r], lq2[r])
				}
			}
		})
	}
}

// TestSampleSharedScaled checks the widened base: τ = 1 is SampleShared
// bit for bit, and with τ = 1.4 the log q of each draw is the density of
// the widened flow recomputed from the forward direction, log p_base(z/τ) −
// d·log τ + log|det ∂z/∂x| with z = f(x) and d the active dimensions of the
// row, to round-off (1e-9), with padding.
func TestSampleSharedScaled(t *testing.T) {
	t.Parallel()
	for name, cfg := range testConfigs {
		t.Run(name, func(t *testing.T) {
			f := testFlow(cfg, 9)
			const n = 6
			ctx := randSlice(rand.New(rand.NewPCG(10, 1)), n*cfg.Context)
			mask := testMask(n, cfg.Dim)
			x1, x2 := make([]float64, n*cfg.Dim), make([]float64, n*cfg.Dim)
			lq1, lq2 := make([]float64, n), make([]float64, n)
			f.SampleShared(rand.New(rand.NewPCG(11, 1)), x1, ctx, 1, mask, lq1, n)
			f.SampleSharedScaled(rand.New(rand.NewPCG(11, 1)), x2, ctx, 1, mask, lq2, n, 1)
			for i := range x1 {
				if x1[i] != x2[i] {
					t.Fatalf("τ = 1: x[%d] %v, SampleShared %v", i, x2[i], x1[i])
				}
			}
			for r := range lq1 {
				if lq1[r] != lq2[r] {
					t.Fatalf("τ = 1: row %d log q %v, SampleShared %v", r, lq2[r], lq1[r])
				}
			}
			const tau = 1.4
			f.SampleSharedScaled(rand.New(rand.NewPCG(12, 1)), x2, ctx, 1, mask, lq2, n, tau)
			z := make([]float64, n*cfg.Dim)
			logDet := make([]float64, n)
			f.Forward(z, x2, ctx, mask, logDet, n)
			for i := range z {
				z[i] /= tau
			}
			base := make([]float64, n)
			f.Base.Replica().LogProb(base, z, f.masks[len(f.Transforms)], n) // the mask permuted to the base's order
			for r := 0; r < n; r++ {
				d := 0
				for i := r * cfg.Dim; i < (r+1)*cfg.Dim; i++ {
					if mask[i] {
						d++
					}
				}
				want := base[r] - float64(d)*math.Log(tau) + logDet[r]
				if math.Abs(lq2[r]-want) > 1e-9*(1+math.Abs(want)) {
					t.Errorf("τ = %v: row %d log q %.12g, recomputed %.12g", tau, r, lq2[r], want)
				}
			}
		})
	}
}

// TestSampleSharedProposal checks the one-coordinate tail mixture of
// widened bases: tail = τ is SampleSharedScaled bit for bit; with τ = 1.2
// and τ_t = 2.5 each draw's log density is the mixture's, recomputed from
// the forward direction with z = f(x) as Σ_j log N(z_j; 0, τ²) +
// log((1/d) Σ_i N(z_i; 0, τ_t²)/N(z_i; 0, τ²)) + log|det ∂z/∂x| on the d
// active coordinates, to round-off (1e-9), with padding; and the mixture is
// a normalized density from which the draws come: over 20,000 draws at
// τ = 1, the mean importance weight q/r of the flow against it is 1, and
// the mean of each squared base coordinate is 1 + (τ_t² − 1)/d (each is
// the widened one in 1/d of the draws), within 4 Monte Carlo standard
// errors.
func TestSampleSharedProposal(t *testing.T) {
	t.Parallel()
	for name, cfg := range testConfigs {
		if cfg.Base == "studentt" {
			continue
		}
		t.Run(name, func(t *testing.T) {
			f := testFlow(cfg, 13)
			const n = 6
			ctx := randSlice(rand.New(rand.NewPCG(14, 1)), n*cfg.Context)
			mask := testMask(n, cfg.Dim)
			x1, x2 := make([]float64, n*cfg.Dim), make([]float64, n*cfg.Dim)
			lq1, lq2 := make([]float64, n), make([]float64, n)
			f.SampleSharedScaled(rand.New(rand.NewPCG(15, 1)), x1, ctx, 1, mask, lq1, n, 1.3)
			f.SampleSharedProposal(rand.New(rand.NewPCG(15, 1)), x2, ctx, 1, mask, lq2, n, 1.3, 1.3)
			if !slices.Equal(x1, x2) || !slices.Equal(lq1, lq2) {
				t.Fatal("tail = τ differs from SampleSharedScaled")
			}
			const tau, tail = 1.2, 2.5
			f.SampleSharedProposal(rand.New(rand.NewPCG(16, 1)), x2, ctx, 1, mask, lq2, n, tau, tail)
			z := make([]float64, n*cfg.Dim)
			logDet := make([]float64, n)
			f.Forward(z, x2, ctx, mask, logDet, n)
			baseMask := f.masks[len(f.Transforms)] // the mask permuted to the base's order
			logN := func(v, s float64) float64 { return -0.5*math.Log(2*math.Pi) - math.Log(s) - v*v/(2*s*s) }
			for r := 0; r < n; r++ {
				want, mix, d := 0.0, 0.0, 0
				for i := r * cfg.Dim; i < (r+1)*cfg.Dim; i++ {
					if baseMask[i] {
						want += logN(z[i], tau)
						mix += math.Exp(logN(z[i], tail) - logN(z[i], tau))
						d++
					}
				}
				want += math.Log(mix/float64(d)) + logDet[r]
				if math.Abs(lq2[r]-want) > 1e-9*(1+math.Abs(want)) {
					t.Errorf("row %d log r %.12g, recomputed %.12g", r, lq2[r], want)
				}
			}
			// E_r[q/r] = 1.
			const draws = 20000
			x := make([]float64, draws*cfg.Dim)
			logr, logq := make([]float64, draws), make([]float64, draws)
			f.SampleSharedProposal(rand.New(rand.NewPCG(17, 1)), x, ctx[:cfg.Context], draws, nil, logr, draws, 1, tail)
			rep := make([]float64, draws*cfg.Context)
			for r := range draws {
				copy(rep[r*cfg.Context:], ctx[:cfg.Context])
			}
			f.LogProb(logq, x, rep, nil, draws)
			w := make([]float64, draws)
			for r := range w {
				w[r] = math.Exp(logq[r] - logr[r])
			}
			mean, sd := stat.MeanStdDev(w, nil)
			if mcse := sd / math.Sqrt(draws); math.Abs(mean-1) > 4*mcse {
				t.Errorf("E_r[q/r] = %.4f ± %.4f, want 1", mean, mcse)
			}
			// Each coordinate is the widened one in 1/d of the draws:
			// E_r[z_j²] = 1 + (τ_t² − 1)/d.
			zs := make([]float64, len(x))
			f.Forward(zs, x, rep, nil, make([]float64, draws), draws)
			sq := make([]float64, draws)
			for j := range cfg.Dim {
				for r := range sq {
					sq[r] = zs[r*cfg.Dim+j] * zs[r*cfg.Dim+j]
				}
				m, s := stat.MeanStdDev(sq, nil)
				if want, mcse := 1+(tail*tail-1)/float64(cfg.Dim), s/math.Sqrt(draws); math.Abs(m-want) > 4*mcse {
					t.Errorf("E_r[z_%d²] = %.4f ± %.4f, want %.4f", j, m, mcse, want)
				}
			}
		})
	}
	f := testFlow(testConfigs["affine-studentt"], 18)
	for name, call := range map[string]func(){
		"tail below τ": func() {
			testFlow(testConfigs["affine-normal"], 18).SampleSharedProposal(rand.New(rand.NewPCG(1, 1)), make([]float64, 5), make([]float64, 3), 1, nil, nil, 1, 1.5, 1.2)
		},
		"student-t mixture": func() {
			f.SampleSharedProposal(rand.New(rand.NewPCG(1, 1)), make([]float64, 4), make([]float64, 2), 1, nil, nil, 1, 1, 2)
		},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			call()
		}()
	}
}

// TestStudentTSampleMoments checks draws from the Student-t base against its
// variance ν/(ν−2) with ν = 7 (closed form), within 4 Monte Carlo standard
// errors; the MCSE of the sample second moment is sd(z²)/√N with
// Var(z²) = E z⁴ − (E z²)², E z⁴ = 3ν²/((ν−2)(ν−4)).
func TestStudentTSampleMoments(t *testing.T) {
	t.Parallel()
	const nu, N = 7.0, 200000
	b := NewStudentT("t", 1, nu)
	rng := rand.New(rand.NewPCG(9, 1))
	z := make([]float64, N)
	b.Sample(rng, z, nil, N)
	m2 := 0.0
	for _, v := range z {
		m2 += v * v
	}
	m2 /= N
	want := nu / (nu - 2)
	m4 := 3 * nu * nu / ((nu - 2) * (nu - 4))
	mcse := math.Sqrt((m4 - want*want) / N)
	if math.Abs(m2-want) > 4*mcse {
		t.Errorf("E z² = %v, want %v ± %v", m2, want, 4*mcse)
	}
}

// TestActNormInitData checks the data-dependent initialization: after it,
// each dimension of the batch has mean 0 and (biased) variance 1 over its
// real entries (closed form of the affine map), padded entries untouched.
func TestActNormInitData(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(18, 1))
	const n, D = 50, 4
	x := make([]float64, n*D)
	for i := range x {
		x[i] = 3 + 2*float64(i%D) + (1+float64(i%D))*rng.NormFloat64()
	}
	mask := testMask(n, D)
	a := NewActNorm("a", D)
	a.InitData(x, mask, n)
	z, ld := make([]float64, n*D), make([]float64, n)
	a.Forward(z, x, nil, mask, ld, n)
	for d := 0; d < D; d++ {
		s, ss, c := 0.0, 0.0, 0.0
		for r := 0; r < n; r++ {
			if i := r*D + d; mask[i] {
				s += z[i]
				ss += z[i] * z[i]
				c++
			} else if z[i] != x[i] {
				t.Errorf("padded z[%d] = %v, want %v", i, z[i], x[i])
			}
		}
		mean := s / c
		if v := ss/c - mean*mean; math.Abs(mean) > 1e-12 || math.Abs(v-1) > 1e-12 {
			t.Errorf("dim %d: mean %v, variance %v after InitData", d, mean, v)
		}
	}
}

// TestSplineTails checks the linear tails: outside [−B, B] the spline is
// the identity with zero log-determinant, and at the boundary the spline
// meets it continuously (knots pinned at ±B).
func TestSplineTails(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(19, 1))
	const B = 2.0
	s := NewSplineCoupling("s", 2, 1, 8, 1, "gelu", 6, B, rng)
	for _, p := range s.Params() {
		for i := range p.Value {
			p.Value[i] = rng.NormFloat64()
		}
	}
	x := []float64{0.3, -5, 0.3, 2.5, 0.3, B - 1e-12, 0.3, -B + 1e-12}
	ctx := []float64{0.1, 0.1, 0.1, 0.1}
	z, ld := make([]float64, len(x)), make([]float64, 4)
	s.Forward(z, x, ctx, nil, ld, 4)
	for r, want := range []float64{-5, 2.5} {
		if z[2*r+1] != want || ld[r] != 0 {
			t.Errorf("tail row %d: z = %v, log-det %v; want identity", r, z[2*r+1], ld[r])
		}
	}
	if math.Abs(z[5]-B) > 1e-9 || math.Abs(z[7]+B) > 1e-9 {
		t.Errorf("spline at ±B: %v, %v; want ±%v", z[5], z[7], B)
	}
}

// TestMarginalSplineStartsAtIdentity checks that a MarginalSpline with its
// last layer's weights at zero (startAtIdentity; the initialization is that
// up to U(±1e-3) weights) is the identity with zero log-determinant, to
// rounding: its biases give equal bins and unit knot derivatives. A flow's
// wide spline (Config.Wide) starts so.
func TestMarginalSplineStartsAtIdentity(t *testing.T) {
	const n, D, C = 5, 4, 3
	rng := rand.New(rand.NewPCG(12, 1))
	m := NewMarginalSpline("m", D, C, 8, 1, "relu", 6, 2, rng)
	m.startAtIdentity()
	wide := New(Config{Dim: D, Context: C, Steps: 1, Hidden: 8, Depth: 1, Marginal: true, Wide: true}, rng).Transforms[0].(*MarginalSpline)
	for _, s := range []*MarginalSpline{m, wide} {
		x := randSlice(rng, n*D)
		for i := range x {
			x[i] *= 6 // beyond m's bound as well
		}
		ctx := randSlice(rng, n*C)
		z := make([]float64, n*D)
		logDet := make([]float64, n)
		s.Forward(z, x, ctx, nil, logDet, n)
		for i := range x {
			if math.Abs(z[i]-x[i]) > 1e-12 {
				t.Errorf("%s: z[%d] = %.15g, x = %.15g", s.Params()[0].Name, i, z[i], x[i])
			}
		}
		for r, v := range logDet {
			if math.Abs(v) > 1e-12 {
				t.Errorf("%s: row %d: log det %g", s.Params()[0].Name, r, v)
			}
		}
	}
}
