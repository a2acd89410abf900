package lmm

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// This file tests the densities of correlated random effects
// (Design.Correlated) against dense references, finite differences and
// Bayes' rule, as the uncorrelated ones are tested.

// corDesignCases lists correlated shapes: Q = 2, 3 with P = Q..4, with and
// without an intercept.
func corDesignCases() []designCase {
	var cs []designCase
	for _, c := range designCases() {
		if c.q >= 2 {
			cs = append(cs, c)
		}
	}
	return cs
}

// randomCorDesign draws a correlated design and a prior with a random LKJ
// shape in [0.5, 3].
func randomCorDesign(rng *rand.Rand, c designCase, n, m int) (*Design, Prior) {
	d := randomDesign(rng, c, n, m)
	d.Correlated = true
	pr := randomPrior(rng, d)
	pr.LKJ = 0.5 + 2.5*rng.Float64()
	return d, pr
}

// TestCorrelatedMarginalMatchesDenseMVN checks the marginal likelihood with
// Σ_b = diag(σ_b) Ω diag(σ_b) against log N(y | Xβ, σ²I + Z D Zᵀ) with a
// dense N×N Cholesky, to 1e-8 relative.
func TestCorrelatedMarginalMatchesDenseMVN(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 1))
	for _, c := range corDesignCases() {
		t.Run(c.String(), func(t *testing.T) {
			d, _ := randomCorDesign(rng, c, 40, 6)
			m := NewMarginal(NewStats(d))
			if m.Dim() != d.P()+d.Q()+1+NumCor(d.Q()) {
				t.Fatalf("Dim = %d", m.Dim())
			}
			for range 3 {
				theta := randomTheta(rng, m.Dim())
				got := m.LogLik(theta)
				want := denseLogMarginal(t, d, m.Stats().Params(theta))
				if !closeRel(want, got, 1e-8) {
					t.Errorf("LogLik = %.15g, dense MVN %.15g", got, want)
				}
			}
		})
	}
}

// TestCorrelatedGradients checks the analytic gradients of Marginal,
// Collapsed and Joint on correlated designs against central differences.
func TestCorrelatedGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 2))
	for _, c := range corDesignCases() {
		t.Run(c.String(), func(t *testing.T) {
			d, pr := randomCorDesign(rng, c, 30, 5)
			col, joint := NewCollapsed(d, pr), NewJoint(d, pr)
			theta := randomTheta(rng, col.Dim())
			grad := make([]float64, col.Dim())
			col.Marginal().LogLikGrad(theta, grad)
			checkGradient(t, col.Marginal().LogLik, theta, grad)
			v := col.LogDensityGrad(theta, grad)
			if w := col.LogDensity(theta); v != w {
				t.Errorf("Collapsed: LogDensityGrad value %.17g != LogDensity %.17g", v, w)
			}
			checkGradient(t, col.LogDensity, theta, grad)

			th := randomTheta(rng, joint.Dim())
			gj := make([]float64, joint.Dim())
			v = joint.LogDensityGrad(th, gj)
			if w := joint.LogDensity(th); v != w {
				t.Errorf("Joint: LogDensityGrad value %.17g != LogDensity %.17g", v, w)
			}
			checkGradient(t, joint.LogDensity, th, gj)
			if a := testing.AllocsPerRun(10, func() { col.LogDensityGrad(theta, grad); joint.LogDensityGrad(th, gj) }); a != 0 {
				t.Errorf("LogDensityGrad allocates %g times per call", a)
			}
		})
	}
}

// TestCorrelatedPriorDensity checks the prior part of Collapsed on the
// correlation coordinates against an independent computation: the LKJ(η)
// density det(Ω)^{η−1}/c_Q(η) of Ω itself times |det ∂Ω/∂y|, the latter by
// central differences of the strict lower triangle of Ω(y). This checks
// the Cholesky-factor form of the LKJ density (and its Jacobian from Ω to L)
// and the log-Jacobian of CorCholesky together.
func TestCorrelatedPriorDensity(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 3))
	for _, q := range []int{2, 3} {
		d, pr := randomCorDesign(rng, designCase{p: q, q: q, intercept: true}, 30, 5)
		col := NewCollapsed(d, pr)
		theta := randomTheta(rng, col.Dim())
		// The correlation part is Collapsed − Marginal − (the β, σ part, which
		// does not depend on y): compare differences between two y.
		other := append([]float64(nil), theta...)
		c := NumCor(q)
		for k := range c {
			other[d.P()+q+1+k] = rng.NormFloat64()
		}
		lhs := func(th []float64) float64 {
			return col.LogDensity(th) - col.Marginal().LogLik(th)
		}
		got := lhs(theta) - lhs(other)
		want := lkjViaOmega(t, theta[d.P()+q+1:], q, pr.LKJ) - lkjViaOmega(t, other[d.P()+q+1:], q, pr.LKJ)
		if !closeRel(want, got, 1e-6) {
			t.Errorf("q=%d: prior difference %.12g, via Ω %.12g", q, got, want)
		}
	}
}

// lkjViaOmega returns (η−1) log det Ω(y) + log|det ∂Ω/∂y| − log c_Q(η).
func lkjViaOmega(t *testing.T, y []float64, q int, eta float64) float64 {
	t.Helper()
	c := NumCor(q)
	omega := func(y []float64) []float64 {
		l := make([]float64, q*q)
		CorCholesky(l, y, q)
		return CorFromCholesky(make([]float64, c), l, q)
	}
	jac := mat.NewDense(c, c, nil)
	yy := append([]float64(nil), y...)
	const h = 1e-6
	for k := range yy {
		y0 := yy[k]
		yy[k] = y0 + h
		op := omega(yy)
		yy[k] = y0 - h
		om := omega(yy)
		yy[k] = y0
		for r := range c {
			jac.Set(r, k, (op[r]-om[r])/(2*h))
		}
	}
	cor := omega(y)
	full := denseSigmaB(Params{SigmaB: ones(q), Cor: cor}, q)
	var ch mat.Cholesky
	if !ch.Factorize(full) {
		t.Fatal("Ω not positive definite")
	}
	return (eta-1)*ch.LogDet() + math.Log(math.Abs(mat.Det(jac))) + lkjLogConstant(q, eta)
}

func ones(n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = 1
	}
	return v
}

// TestCorrelatedBayesIdentity ties the correlated marginal, conditional and
// joint densities by Bayes' rule, as TestMarginalJointConditionalIdentity
// does for uncorrelated effects: log p(y|θ) = log p(y|b,θ) + log p(b|θ) −
// log p(b|y,θ) at the joint's b = Λz, with p(b|θ) = N(0, Σ_b); and
// log p(θ, z, y) − log p(θ, y) = log p(b|y,θ) + M log det Λ.
func TestCorrelatedBayesIdentity(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 4))
	for _, c := range corDesignCases() {
		t.Run(c.String(), func(t *testing.T) {
			d, pr := randomCorDesign(rng, c, 30, 5)
			col, joint := NewCollapsed(d, pr), NewJoint(d, pr)
			q, mq := d.Q(), d.M()*d.Q()
			theta := randomTheta(rng, joint.Dim())
			b := joint.RandomEffects(make([]float64, mq), theta)
			gl := theta[:col.Dim()]
			par := col.Params(gl)
			sb := denseSigmaB(par, q)
			sbFlat := make([]float64, q*q)
			for i := range q {
				for j := range q {
					sbFlat[i*q+j] = sb.At(i, j)
				}
			}
			mean, cov := make([]float64, mq), make([]float64, mq*q)
			if !col.ConditionalMoments(gl, mean, cov) {
				t.Fatal("ConditionalMoments failed")
			}
			logCond, logPriorB := 0.0, 0.0
			zero := make([]float64, q)
			for g := 0; g < d.M(); g++ {
				logCond += mvnLogPDF(t, b[g*q:(g+1)*q], mean[g*q:(g+1)*q], cov[g*q*q:(g+1)*q*q])
				logPriorB += mvnLogPDF(t, b[g*q:(g+1)*q], zero, sbFlat)
			}
			lhs := col.Marginal().LogLik(gl)
			rhs := rowsLogLik(d, par.Beta, b, par.Sigma) + logPriorB - logCond
			if !closeRel(lhs, rhs, 1e-9) {
				t.Errorf("log p(y|θ) = %.15g, Bayes' rule gives %.15g", lhs, rhs)
			}
			var ch mat.Cholesky
			if !ch.Factorize(sb) {
				t.Fatal("Σ_b not positive definite")
			}
			logDetLam := 0.5 * ch.LogDet()
			diff := joint.LogDensity(theta) - col.LogDensity(gl)
			if want := logCond + float64(d.M())*logDetLam; !closeRel(want, diff, 1e-9) {
				t.Errorf("Joint − Collapsed = %.15g, log p(z|y,θ) = %.15g", diff, want)
			}
		})
	}
}

// TestCorrelatedSampleRandomEffects checks the conditional draws of b on a
// correlated design against ConditionalMoments: every mean within 4 Monte
// Carlo SEs and every covariance entry within 4 SEs (the SE of a sample
// covariance of Gaussians, √((Σ_aa Σ_bb + Σ_ab²)/n)).
func TestCorrelatedSampleRandomEffects(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 5))
	d, pr := randomCorDesign(rng, designCase{p: 3, q: 3, intercept: true}, 40, 4)
	col := NewCollapsed(d, pr)
	theta := randomTheta(rng, col.Dim())
	q, mq := d.Q(), d.M()*d.Q()
	mean, cov := make([]float64, mq), make([]float64, mq*q)
	col.ConditionalMoments(theta, mean, cov)
	const n = 20000
	sum, cross := make([]float64, mq), make([]float64, mq*q)
	b := make([]float64, mq)
	for range n {
		col.SampleRandomEffects(rng, theta, b)
		for g := 0; g < d.M(); g++ {
			for a := 0; a < q; a++ {
				sum[g*q+a] += b[g*q+a]
				for c := 0; c < q; c++ {
					cross[g*q*q+a*q+c] += (b[g*q+a] - mean[g*q+a]) * (b[g*q+c] - mean[g*q+c])
				}
			}
		}
	}
	for g := 0; g < d.M(); g++ {
		for a := 0; a < q; a++ {
			i := g*q + a
			v := cov[g*q*q+a*q+a]
			if se := math.Sqrt(v / n); math.Abs(sum[i]/n-mean[i]) > 4*se {
				t.Errorf("mean[%d] = %g, want %g ± %g", i, sum[i]/n, mean[i], 4*se)
			}
			for c := 0; c < q; c++ {
				w := cov[g*q*q+a*q+c]
				se := math.Sqrt((v*cov[g*q*q+c*q+c] + w*w) / n)
				if got := cross[g*q*q+a*q+c] / n; math.Abs(got-w) > 4*se {
					t.Errorf("group %d cov[%d,%d] = %g, want %g ± %g", g, a, c, got, w, 4*se)
				}
			}
		}
	}
}

// TestCorrelatedNamesAndTheta checks the cor_ names (brms's order) and that
// Params and Theta invert each other on a correlated design.
func TestCorrelatedNamesAndTheta(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 6))
	d, _ := randomCorDesign(rng, designCase{p: 3, q: 3, intercept: true}, 20, 4)
	names := d.Names()
	want := []string{"b_Intercept", "b_x1", "b_x2", "sd_g__Intercept", "sd_g__x1", "sd_g__x2", "sigma",
		"cor_g__Intercept__x1", "cor_g__Intercept__x2", "cor_g__x1__x2"}
	if len(names) != len(want) {
		t.Fatalf("names %v", names)
	}
	for i := range want {
		if names[i] != want[i] {
			t.Errorf("name %d = %q, want %q", i, names[i], want[i])
		}
	}
	s := NewStats(d)
	theta := randomTheta(rng, s.Dim())
	back := s.Theta(make([]float64, s.Dim()), s.Params(theta))
	for i := range theta {
		if math.Abs(back[i]-theta[i]) > 1e-9*(1+math.Abs(theta[i])) {
			t.Errorf("θ[%d] = %g round-trips to %g", i, theta[i], back[i])
		}
	}
}

// TestCorrelatedSingleEffectIsPlain checks that a correlated design with one
// random effect has no correlation and the same density as the
// uncorrelated one.
func TestCorrelatedSingleEffectIsPlain(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 7))
	d := randomDesign(rng, designCase{p: 2, q: 1, intercept: true}, 30, 5)
	pr := randomPrior(rng, d)
	plain := NewCollapsed(d, pr)
	cd := *d
	cd.Correlated = true
	cor := NewCollapsed(&cd, pr)
	theta := randomTheta(rng, plain.Dim())
	if cor.Dim() != plain.Dim() || cor.LogDensity(theta) != plain.LogDensity(theta) {
		t.Errorf("Q = 1: correlated Dim %d value %g, plain Dim %d value %g", cor.Dim(), cor.LogDensity(theta), plain.Dim(), plain.LogDensity(theta))
	}
}
