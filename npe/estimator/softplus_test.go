package estimator

import (
	"math"
	"testing"
)

// TestSoftplusMaps checks the softplus coordinate against closed forms:
// h(g(x)) = x (to 1e-12 relative), log g'(x) against a central finite
// difference of g (step 1e-5·max(1, |x − a|), 1e-6 relative), log h'(g(x))
// = −log g'(x), the limits g(x) → x − a far below a and g(x) → e^{x−a}
// far above, and finite values at the extremes of both maps.
func TestSoftplusMaps(t *testing.T) {
	for _, a := range []float64{-3, 0, 1.7} {
		for _, t0 := range []float64{-40, -29, -5, -1, -0.1, 0, 0.3, 1, 3, 3.5, 8} {
			x := a + t0
			w, lg := softplusForward(x, a)
			back, lh := softplusInverse(w, a)
			if math.Abs(back-x) > 1e-12*(1+math.Abs(x)) {
				t.Errorf("a %g, x %g: h(g(x)) = %.15g", a, x, back)
			}
			if math.Abs(lh+lg) > 1e-9 {
				t.Errorf("a %g, x %g: log h'(g(x)) %.12g, −log g'(x) %.12g", a, x, lh, -lg)
			}
			if t0 > -25 {
				step := 1e-5 * math.Max(1, math.Abs(t0))
				wp, _ := softplusForward(x+step, a)
				wm, _ := softplusForward(x-step, a)
				fd := (wp - wm) / (2 * step)
				if d := math.Exp(lg); math.Abs(d-fd) > 1e-6*d {
					t.Errorf("a %g, x %g: g'(x) %.10g, finite difference %.10g", a, x, d, fd)
				}
			}
		}
		if w, _ := softplusForward(a-50, a); math.Abs(w-(-50)) > 1e-12 {
			t.Errorf("g(a − 50) = %v, want −50", w)
		}
		if w, _ := softplusForward(a+5, a); math.Abs(w-math.Exp(5)) > 1e-9*math.Exp(5) {
			t.Errorf("g(a + 5) = %v, want e^5 = %v", w, math.Exp(5))
		}
		for _, w := range []float64{-1e3, -31, 31, 1e6} {
			x, lh := softplusInverse(w, a)
			if math.IsNaN(x) || math.IsInf(x, 0) || math.IsNaN(lh) || math.IsInf(lh, 0) {
				t.Errorf("h(%g) = %v, log h' %v", w, x, lh)
			}
		}
	}
}

// TestSoftplusLaplaceIsIdentity is TestWhitenedLaplaceIsIdentity in
// softplus coordinates: draws from the Laplace approximation carried to w
// (estimate.Laplace.Sample, independent of target), mapped back to θ by
// h, give u with mean 0 and identity covariance (bounds 0.1 for n = 4000,
// 4.5 standard errors); and the σ_b entries of the result are the
// softplus coordinates: θ' of a draw maps back to its w.
func TestSoftplusLaplaceIsIdentity(t *testing.T) {
	smp := simSampleWith(t, 3, 2)
	prep, err := prepare(smp.Design, smp.Prior, layout{whitened: true, softplus: true})
	if err != nil {
		t.Fatal(err)
	}
	const n = 4000
	dim := smp.Design.Dim()
	rng := newRand(6)
	w := make([]float64, dim)
	th := make([]float64, dim)
	u := make([]float64, FlowDim)
	mean := make([]float64, FlowDim)
	sq := make([]float64, FlowDim)
	for r := 0; r < n; r++ {
		prep.lap.Sample(rng, w)
		copy(th, w)
		softplusFromFlow(th, prep.softplus)
		if r == 0 {
			back := append([]float64(nil), th...)
			softplusToFlow(back, prep.softplus)
			for i := range w {
				if math.Abs(back[i]-w[i]) > 1e-10*(1+math.Abs(w[i])) {
					t.Errorf("θ'[%d]: w %.12g maps back to %.12g", i, w[i], back[i])
				}
			}
		}
		prep.scaling.UnTheta(th, th)
		prep.target(th, u)
		for a := range u {
			mean[a] += u[a] / n
			sq[a] += u[a] * u[a] / n
		}
	}
	for a := range u {
		if !prep.mask[a] {
			continue
		}
		if v := sq[a] - mean[a]*mean[a]; math.Abs(mean[a]) > 0.1 || math.Abs(v-1) > 0.1 {
			t.Errorf("u[%d]: mean %.3f, variance %.3f, want 0 and 1", a, mean[a], v)
		}
	}
}

// TestSoftplusIdentityFlowIsLaplace checks log q end to end: with the
// couplings at the identity, Sample draws from the Laplace approximation
// in softplus coordinates, so log q(θ) of every draw is
// log N(w | ŵ, Σ̂_w) + Σ log g'(x_i) + log|det ∂θ'/∂θ|, w the softplus
// coordinates of θ' (to 1e-9).
func TestSoftplusIdentityFlowIsLaplace(t *testing.T) {
	cfg := tinyConfig()
	cfg.FlowVariable, cfg.SigmaSoftplus = FlowWhitened, true
	smp := simSampleWith(t, 3, 2)
	post, prep := identityFlowDraws(t, cfg, smp, 200)
	d := smp.Design
	dim := d.Dim()
	th := make([]float64, dim)
	for r := 0; r < post.N; r++ {
		prep.scaling.Theta(th, post.Theta[r*dim:(r+1)*dim])
		logJac := 0.0
		for i := d.P(); i < d.P()+d.Q(); i++ {
			w, lg := softplusForward(th[i], prep.softplus[i])
			th[i] = w
			logJac += lg
		}
		want := prep.lap.LogDensity(th) + logJac + prep.scaling.LogJacobian()
		if got := post.LogQ[r]; math.Abs(got-want) > 1e-9*(1+math.Abs(want)) {
			t.Errorf("draw %d: log q %.12g, Laplace density in softplus coordinates %.12g", r, got, want)
		}
	}
	if mode := prep.scaling.UnTheta(make([]float64, dim), prep.mode); !slicesClose(post.Mode, mode, 0) {
		t.Errorf("Posterior.Mode %v, the Laplace mode of θ %v", post.Mode, mode)
	}
}

// slicesClose reports whether a and b have equal lengths and entries
// within tol.
func slicesClose(a, b []float64, tol float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(a[i]-b[i]) > tol {
			return false
		}
	}
	return true
}

// TestSoftplusEvidence checks logPosteriorU's log-Jacobian through the
// normalizing constant, which no change of variables may change: Z =
// ∫ p̃(θ') dθ' estimated by importance sampling in u with proposal
// N(0, τ²I), τ = 1.5, as the mean of exp(logPosteriorU(u) + Σ log jac −
// log N(u; 0, τ²I)) over 20,000 draws, for the whitened flow variable with
// and without softplus coordinates. The two estimates of log Z agree
// within 4 combined Monte Carlo standard errors (delta method, SE of the
// mean over the mean); dropping the softplus log-Jacobian moves the
// estimate by far more.
func TestSoftplusEvidence(t *testing.T) {
	smp := simSampleWith(t, 2, 2)
	const n, tau = 20000, 1.5
	logZ := func(lay layout) (float64, float64) {
		prep, err := prepare(smp.Design, smp.Prior, lay)
		if err != nil {
			t.Fatal(err)
		}
		rng := newRand(9)
		fd := prep.fd
		u := make([]float64, n*fd)
		logw := make([]float64, n)
		base := make([]float64, n)
		for r := 0; r < n; r++ {
			for _, s := range prep.slot {
				z := tau * rng.NormFloat64()
				u[r*fd+s] = z
				base[r] += -0.5*z*z/(tau*tau) - math.Log(tau) - 0.5*math.Log(2*math.Pi)
			}
		}
		prep.logPosteriorU(logw, u)
		top := math.Inf(-1)
		for r := range logw {
			for _, j := range prep.jac {
				logw[r] += math.Log(j)
			}
			logw[r] -= base[r]
			top = math.Max(top, logw[r])
		}
		var s, s2 float64
		for _, v := range logw {
			e := math.Exp(v - top)
			s += e
			s2 += e * e
		}
		mean := s / n
		sd := math.Sqrt(s2/n - mean*mean)
		return top + math.Log(mean), sd / math.Sqrt(n) / mean
	}
	z0, se0 := logZ(layout{whitened: true})
	z1, se1 := logZ(layout{whitened: true, softplus: true})
	t.Logf("log Z: %.4f ± %.4f (log σ_b), %.4f ± %.4f (softplus)", z0, se0, z1, se1)
	if d := math.Abs(z0 - z1); d > 4*math.Hypot(se0, se1) {
		t.Errorf("log Z %.4f ± %.4f in log σ_b, %.4f ± %.4f in softplus coordinates", z0, se0, z1, se1)
	}
}

// TestSoftplusInputsDescribeLogSigma checks that the softplus layout
// describes every coordinate to the network as the log layout does: the
// dataset-level inputs up to the centre and scale blocks are the same,
// so σ̂_b' reaches the network (its softplus centre and SD depend on ŝ
// alone), while the whitening block differs (it is that of w).
func TestSoftplusInputsDescribeLogSigma(t *testing.T) {
	smp := simSampleWith(t, 3, 2)
	logPrep, err := prepare(smp.Design, smp.Prior, layout{whitened: true})
	if err != nil {
		t.Fatal(err)
	}
	softPrep, err := prepare(smp.Design, smp.Prior, layout{whitened: true, softplus: true})
	if err != nil {
		t.Fatal(err)
	}
	fd := logPrep.fd
	described := 2*MaxP + MaxQ + 3 + 2*fd // priors, sizes, centre and scale blocks
	for i := 0; i < described; i++ {
		if logPrep.extras[i] != softPrep.extras[i] {
			t.Errorf("input %d: %.6g with softplus coordinates, %.6g without", i, softPrep.extras[i], logPrep.extras[i])
		}
	}
	logDiagL := described + fd // after the mask block: the log-diagonal of L̂
	differs := false
	for i := logDiagL; i < logDiagL+fd; i++ {
		differs = differs || logPrep.extras[i] != softPrep.extras[i]
	}
	if !differs {
		t.Error("the whitening inputs are the same with and without softplus coordinates; want those of w")
	}
}
