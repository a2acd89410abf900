package estimator

import (
	"bytes"
	"math"
	"os"
	"testing"

	"github.com/metabeta-go/metabeta/lmm"
)

// TestFlowVariableRoundTrip checks that toTheta inverts target for both
// flow variables, with and without softplus coordinates (the maps u ↔ θ'
// ↔ θ are exact inverses, so they agree to rounding, 1e-12 relative), that
// both report the same log-Jacobian of the softplus coordinates (0
// without them), and that target leaves padded slots at zero.
func TestFlowVariableRoundTrip(t *testing.T) {
	smp := simSampleWith(t, 3, 2)
	rng := newRand(5)
	for _, lay := range []layout{{}, {whitened: true}, {softplus: true}, {whitened: true, softplus: true}} {
		prep, err := prepare(smp.Design, smp.Prior, lay)
		if err != nil {
			t.Fatal(err)
		}
		dim := smp.Design.Dim()
		theta := make([]float64, dim)
		back := make([]float64, dim)
		u := make([]float64, FlowDim)
		mode := prep.scaling.UnTheta(make([]float64, dim), prep.mode)
		for rep := 0; rep < 10; rep++ {
			for i := range theta {
				theta[i] = mode[i] + 0.3*rng.NormFloat64()
			}
			ldTarget := prep.target(theta, u)
			for s, v := range u {
				if !prep.mask[s] && v != 0 {
					t.Errorf("%+v: padded slot %d = %v", lay, s, v)
				}
			}
			ldBack := prep.toTheta(u, back)
			if math.Abs(ldTarget-ldBack) > 1e-9 || (!lay.softplus && ldTarget != 0) {
				t.Errorf("%+v: log-Jacobian %.12g at the target, %.12g back", lay, ldTarget, ldBack)
			}
			for i := range theta {
				if math.Abs(back[i]-theta[i]) > 1e-12*(1+math.Abs(theta[i])) {
					t.Errorf("%+v: θ[%d] = %.15g back as %.15g", lay, i, theta[i], back[i])
				}
			}
		}
	}
}

// TestWhitenedLaplaceIsIdentity checks that a posterior equal to the
// Laplace Gaussian is the standard normal for the whitened flow variable:
// draws θ' ~ N(θ̂', Σ̂) from estimate.Laplace.Sample (a code path
// independent of target), mapped to the original θ, give u with mean 0 and
// identity covariance. With n = 4000 draws, the sample mean and covariance
// entries have standard errors ≤ √2/√n ≈ 0.022; the bounds 0.1 are 4.5 of
// them. The marginal variable, for contrast, keeps the correlations.
func TestWhitenedLaplaceIsIdentity(t *testing.T) {
	smp := simSampleWith(t, 4, 2)
	prep, err := prepare(smp.Design, smp.Prior, layout{whitened: true})
	if err != nil {
		t.Fatal(err)
	}
	if prep.lap.Diagonal {
		t.Fatal("Laplace approximation is diagonal")
	}
	const n = 4000
	dim := smp.Design.Dim()
	rng := newRand(6)
	th := make([]float64, dim)
	u := make([]float64, FlowDim)
	mean := make([]float64, FlowDim)
	cov := make([]float64, FlowDim*FlowDim)
	for r := 0; r < n; r++ {
		prep.lap.Sample(rng, th)
		prep.scaling.UnTheta(th, th)
		prep.target(th, u)
		for a := range u {
			mean[a] += u[a] / n
			for b := range u {
				cov[a*FlowDim+b] += u[a] * u[b] / n
			}
		}
	}
	for a := 0; a < FlowDim; a++ {
		if !prep.mask[a] {
			continue
		}
		if math.Abs(mean[a]) > 0.1 {
			t.Errorf("mean u[%d] = %.3f, want 0", a, mean[a])
		}
		for b := 0; b < FlowDim; b++ {
			if !prep.mask[b] {
				continue
			}
			want := 0.0
			if a == b {
				want = 1
			}
			if got := cov[a*FlowDim+b] - mean[a]*mean[b]; math.Abs(got-want) > 0.1 {
				t.Errorf("cov u[%d,%d] = %.3f, want %v", a, b, got, want)
			}
		}
	}
}

// TestIdentityFlowIsLaplace checks the whitened model end to end: with its
// couplings set to the identity (conditioners zeroed; ActNorm starts at the
// identity), Sample must draw from the Laplace approximation, so the
// returned log q(θ) equals the Laplace Gaussian density of the original θ,
// computed here as log N(θ' | θ̂', Σ̂) + log|det ∂θ'/∂θ| by
// estimate.Laplace.LogDensity (to 1e-9, rounding of different paths). It
// also checks the context layout: the log-diagonal of L̂ and the
// correlations sit in their slots and padded entries are zero.
func TestIdentityFlowIsLaplace(t *testing.T) {
	cfg := tinyConfig()
	cfg.FlowVariable = FlowWhitened
	smp := simSampleWith(t, 3, 1)
	post, prep := identityFlowDraws(t, cfg, smp, 200)
	d := smp.Design
	dim := d.Dim()
	th := make([]float64, dim)
	for r := 0; r < post.N; r++ {
		prep.scaling.Theta(th, post.Theta[r*dim:(r+1)*dim])
		want := prep.lap.LogDensity(th) + prep.scaling.LogJacobian()
		if got := post.LogQ[r]; math.Abs(got-want) > 1e-9*(1+math.Abs(want)) {
			t.Errorf("draw %d: log q %.12g, Laplace density %.12g", r, got, want)
		}
	}
	e := prep.extras
	if len(e) != WhitenedExtraWidth {
		t.Fatalf("extras width %d, want %d", len(e), WhitenedExtraWidth)
	}
	o := ExtraWidth
	corr := o + FlowDim
	for s := 0; s < FlowDim; s++ {
		for t2 := 0; t2 < s; t2++ {
			v := e[corr+s*(s-1)/2+t2]
			if (!prep.mask[s] || !prep.mask[t2]) && v != 0 {
				t.Errorf("correlation of padded slots (%d, %d) = %v", s, t2, v)
			}
			if math.Abs(v) >= 1 {
				t.Errorf("correlation (%d, %d) = %v", s, t2, v)
			}
		}
		if !prep.mask[s] && e[o+s] != 0 {
			t.Errorf("log-diagonal of padded slot %d = %v", s, e[o+s])
		}
	}
	// Slot of log σ (FlowDim−1) against β_0 (slot 0): the Laplace
	// correlation Σ_{0,D−1}/√(Σ_00 Σ_{D−1,D−1}).
	c := prep.lap.Cov
	want := c[dim-1] / math.Sqrt(c[0]*c[dim*dim-1])
	if got := e[corr+(FlowDim-1)*(FlowDim-2)/2]; got != want {
		t.Errorf("correlation (log σ, β0) = %v, want %v", got, want)
	}
}

// TestSampleLaplace checks the Laplace baseline: its LogQ is the exact
// Gaussian density of the collapsed θ (as in TestIdentityFlowIsLaplace),
// its draws have the Laplace mean (within 5 standard errors, SD/√n), no
// range warnings, and random effects for every draw.
func TestSampleLaplace(t *testing.T) {
	d, pr := sleepstudy(t)
	const n = 2000
	post, err := SampleLaplace(d, pr, n, newRand(3))
	if err != nil {
		t.Fatal(err)
	}
	prep, _, err := prepareMaps(d, pr, layout{whitened: true})
	if err != nil {
		t.Fatal(err)
	}
	dim := d.Dim()
	th := make([]float64, dim)
	mean := make([]float64, dim)
	for r := 0; r < n; r++ {
		x := post.Theta[r*dim : (r+1)*dim]
		prep.scaling.Theta(th, x)
		want := prep.lap.LogDensity(th) + prep.scaling.LogJacobian()
		if math.Abs(post.LogQ[r]-want) > 1e-9*(1+math.Abs(want)) {
			t.Errorf("draw %d: log q %.12g, want %.12g", r, post.LogQ[r], want)
		}
		for i := range mean {
			mean[i] += x[i] / n
		}
	}
	mode := prep.scaling.UnTheta(make([]float64, dim), prep.centre)
	// The Laplace SD in original units: the scaling multiplies β_k by
	// s_y/s_k and shifts log σ's, so map mode ± SD' and halve the span.
	for i := range mean {
		hi := append([]float64(nil), prep.centre...)
		hi[i] += prep.scale[i]
		hiTheta := prep.scaling.UnTheta(make([]float64, dim), hi)
		sd := math.Abs(hiTheta[i] - mode[i])
		if math.Abs(mean[i]-mode[i]) > 5*sd/math.Sqrt(n) {
			t.Errorf("mean θ[%d] = %.6g, Laplace mode %.6g (SD %.3g)", i, mean[i], mode[i], sd)
		}
	}
	if len(post.Warnings) != 0 || len(post.RandomEffects) != n*d.M()*d.Q() {
		t.Errorf("warnings %v, %d random effects", post.Warnings, len(post.RandomEffects))
	}
}

// TestOldModelLoadsMarginal checks that the shipped weights file, written
// before Config.FlowVariable existed, loads as the marginal flow and saves
// back byte for byte (the header gains no field).
func TestOldModelLoadsMarginal(t *testing.T) {
	raw, err := os.ReadFile("../../testdata/models/default.mbw")
	if err != nil {
		t.Skip("no shipped model:", err)
	}
	if bytes.Contains(raw[:min(len(raw), 4096)], []byte("flow_variable")) {
		t.Skip("the shipped model already names its flow variable")
	}
	m, err := Load(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if m.Config.whitened() || m.Config.extraWidth() != ExtraWidth {
		t.Fatalf("flow variable %q", m.Config.FlowVariable)
	}
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), raw) {
		t.Error("saved model differs from the file it was loaded from")
	}
	d, pr := sleepstudy(t)
	if _, err := m.Sample(d, pr, 10, newRand(1)); err != nil {
		t.Fatal(err)
	}
}

// TestWhitenedSaveLoad checks that a whitened model's header keeps its
// flow variable: it loads as whitened and draws the same posterior.
func TestWhitenedSaveLoad(t *testing.T) {
	cfg := tinyConfig()
	cfg.FlowVariable = FlowWhitened
	m := New(cfg, newRand(1))
	perturbWeights(m, 0.3)
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		t.Fatal(err)
	}
	loaded, err := Load(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !loaded.Config.whitened() {
		t.Fatalf("loaded flow variable %q", loaded.Config.FlowVariable)
	}
	sameDraws(t, m, loaded, 50)
}

// TestWhitenedWithoutCurvature checks the whitened variable on a dataset
// whose Hessian at the mode is not negative definite (found among the
// simulator's small designs, where rows barely outnumber parameters):
// whitening falls back to the clamped marginal SDs, so the training target
// of the true θ stays of the marginal variable's size instead of reaching
// 1e4–1e9 through inverse curvatures near zero (measured on such datasets
// before the fallback), and SampleLaplace refuses the dataset.
func TestWhitenedWithoutCurvature(t *testing.T) {
	if testing.Short() {
		t.Skip("searches simulated datasets")
	}
	s := newDefaultSimulator(t)
	for i := 0; i < 6000; i++ {
		smp, err := s.Sample(11, i)
		if err != nil || smp.Design.N() > 2*smp.Design.Dim() {
			continue
		}
		white, _, err := prepareMaps(smp.Design, smp.Prior, layout{whitened: true, cor: true})
		if err != nil || !white.lap.Diagonal {
			continue
		}
		marg, _, err := prepareMaps(smp.Design, smp.Prior, layout{cor: true})
		if err != nil {
			t.Fatal(err)
		}
		theta := make([]float64, smp.Design.Dim())
		lmm.NewStats(smp.Design).Theta(theta, smp.Truth)
		uw, um := make([]float64, CorFlowDim), make([]float64, CorFlowDim)
		white.target(theta, uw)
		marg.target(theta, um)
		for s := range uw {
			if math.Abs(uw[s]-um[s]) > 1e-9*(1+math.Abs(um[s])) {
				t.Errorf("dataset %d slot %d: whitened target %g, marginal %g", i, s, uw[s], um[s])
			}
		}
		if white.logDetToTheta != marg.logDetToTheta {
			t.Errorf("dataset %d: log-Jacobians %v and %v", i, white.logDetToTheta, marg.logDetToTheta)
		}
		if _, err := SampleLaplace(smp.Design, smp.Prior, 10, newRand(1)); err == nil {
			t.Errorf("dataset %d: SampleLaplace without curvature gave no error", i)
		}
		return
	}
	t.Skip("no simulated dataset without curvature in the first 6000")
}
