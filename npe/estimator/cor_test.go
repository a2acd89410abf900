package estimator

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/metabeta-go/metabeta/lmm"
	"github.com/metabeta-go/metabeta/sim"
)

// corConfig is tinyConfig with correlation slots and flow variable fv.
func corConfig(fv string) Config {
	cfg := tinyConfig()
	cfg.Correlations = true
	cfg.FlowVariable = fv
	return cfg
}

// correlate returns a copy of smp whose random effects are correlated
// (lmm.Design.Correlated) under an LKJ(1.5) prior, with true correlations
// drawn from it (sim.LKJCholesky). The response is left as simulated: the
// tests need a valid dataset and θ, not one simulated from that model.
func correlate(smp *sim.Sample, seed uint64) *sim.Sample {
	out := *smp
	d := *smp.Design
	d.Correlated = true
	out.Design = &d
	out.Prior.LKJ = 1.5
	q := d.Q()
	l := sim.LKJCholesky(newRand(seed), q, out.Prior.LKJ, nil)
	out.Truth.Cor = lmm.CorFromCholesky(make([]float64, lmm.NumCor(q)), l, q)
	return &out
}

// corSample is correlate of the first simulated dataset of seed 7 with
// the given P and Q.
func corSample(t testing.TB, p, q int) *sim.Sample {
	return correlate(simSampleWith(t, p, q), uint64(10*p+q))
}

// TestCorLayout checks the widths and slots of the layout with
// correlation slots: CorFlowDim = 6 + 3 + 1 + 3 = 13 flow slots; the
// dataset inputs 16 prior + 2 sizes + 2 LKJ + 3·13 = 59 (CorExtraWidth) and
// 59 + 13 + 13·12/2 = 150 whitened; correlation (j, k) in slot 10 +
// k(k−1)/2 + j whatever Q; the mask covering exactly the design's slots;
// the LKJ inputs (flag, log η) zero without correlations. The field is
// left out of the JSON header when false, so older files are unchanged.
func TestCorLayout(t *testing.T) {
	if CorFlowDim != 13 || CorExtraWidth != 59 || CorWhitenedExtraWidth != 150 {
		t.Fatalf("widths %d, %d, %d", CorFlowDim, CorExtraWidth, CorWhitenedExtraWidth)
	}
	lkj := 2*MaxP + MaxQ + 1 + 2 // offset of the LKJ flag
	for _, c := range []struct {
		p, q  int
		cor   bool
		slots []int
	}{
		{4, 3, true, []int{0, 1, 2, 3, 6, 7, 8, 9, 10, 11, 12}},
		{3, 2, true, []int{0, 1, 2, 6, 7, 9, 10}},
		{3, 2, false, []int{0, 1, 2, 6, 7, 9}},
		{2, 1, true, []int{0, 1, 6, 9}}, // one random effect: no correlation
	} {
		smp := simSampleWith(t, c.p, c.q)
		if c.cor {
			smp = correlate(smp, 1)
		}
		for _, fv := range []string{FlowMarginal, FlowWhitened} {
			lay := corConfig(fv).layout()
			prep, err := prepare(smp.Design, smp.Prior, lay)
			if err != nil {
				t.Fatal(err)
			}
			if prep.fd != CorFlowDim || len(prep.extras) != lay.extraWidth() {
				t.Errorf("P=%d Q=%d %s: %d slots, %d inputs", c.p, c.q, fv, prep.fd, len(prep.extras))
			}
			var want [CorFlowDim]bool
			for i, s := range c.slots {
				want[s] = true
				if prep.slot[i] != s {
					t.Errorf("P=%d Q=%d: θ[%d] in slot %d, want %d", c.p, c.q, i, prep.slot[i], s)
				}
			}
			if prep.mask != want {
				t.Errorf("P=%d Q=%d: mask %v, want %v", c.p, c.q, prep.mask, want)
			}
			flag, logEta := prep.extras[lkj], prep.extras[lkj+1]
			if hasCor := smp.Design.NCor() > 0; hasCor && (flag != 1 || logEta != math.Log(1.5)) || !hasCor && (flag != 0 || logEta != 0) {
				t.Errorf("P=%d Q=%d correlated %v: LKJ inputs %v, %v", c.p, c.q, hasCor, flag, logEta)
			}
		}
	}
	for _, cor := range []bool{false, true} {
		cfg := DefaultConfig()
		cfg.Correlations = cor
		raw, err := json.Marshal(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if got := bytes.Contains(raw, []byte(`"correlations"`)); got != cor {
			t.Errorf("Correlations %v: JSON %s", cor, raw)
		}
	}
}

// TestCheckRangeCorrelated checks that a model without correlation slots
// refuses correlated random effects as a Design reason (so that fit falls
// back to NUTS) and Sample refuses them too, that one correlated random
// effect (no correlation, the same model as an uncorrelated one) is
// inside, and that a model with the slots takes them, with an LKJ shape
// outside the simulator's [1, 2] an extrapolation.
func TestCheckRangeCorrelated(t *testing.T) {
	old := New(tinyConfig(), newRand(1))
	cor := New(corConfig(FlowWhitened), newRand(1))
	d, pr := makeDesign(3, 2, 20, 10)
	d.Correlated, pr.LKJ = true, 1
	rc := old.CheckRange(d, pr)
	if len(rc.Design) != 1 || !strings.Contains(rc.Design[0], "not trained on correlated random effects") || len(rc.Extrapolation) != 0 {
		t.Errorf("old model: %+v, want one design reason", rc)
	}
	if _, err := old.Sample(d, pr, 10, newRand(2)); !errors.Is(err, errNoCorrelations) {
		t.Errorf("old model: Sample error %v, want errNoCorrelations", err)
	}
	if rc := cor.CheckRange(d, pr); !rc.Inside() {
		t.Errorf("model with correlations: %q, want inside", rc.Reasons())
	}
	pr.LKJ = 5
	if got := cor.CheckRange(d, pr).Extrapolation; len(got) != 1 || !strings.Contains(got[0], "LKJ prior shape") {
		t.Errorf("η = 5: %q, want one extrapolation naming the LKJ shape", got)
	}
	d1, pr1 := makeDesign(3, 1, 20, 10)
	d1.Correlated, pr1.LKJ = true, 1
	if rc := old.CheckRange(d1, pr1); !rc.Inside() {
		t.Errorf("one correlated random effect, old model: %q, want inside", rc.Reasons())
	}
}

// TestCorrelatedRoundTrip checks that toTheta inverts target on a
// correlated design with Q = 3 for both flow variables (affine maps, to
// rounding, 1e-12 relative), the correlations included.
func TestCorrelatedRoundTrip(t *testing.T) {
	smp := corSample(t, 4, 3)
	rng := newRand(5)
	for _, fv := range []string{FlowMarginal, FlowWhitened} {
		prep, err := prepare(smp.Design, smp.Prior, corConfig(fv).layout())
		if err != nil {
			t.Fatal(err)
		}
		dim := smp.Design.Dim()
		if dim != 4+3+1+3 {
			t.Fatalf("Dim %d", dim)
		}
		theta, back, u := make([]float64, dim), make([]float64, dim), make([]float64, CorFlowDim)
		mode := prep.scaling.UnTheta(make([]float64, dim), prep.centre)
		for rep := 0; rep < 10; rep++ {
			for i := range theta {
				theta[i] = mode[i] + 0.3*rng.NormFloat64()
			}
			prep.target(theta, u)
			prep.toTheta(u, back)
			for i := range theta {
				if math.Abs(back[i]-theta[i]) > 1e-12*(1+math.Abs(theta[i])) {
					t.Errorf("%s: θ[%d] = %.15g back as %.15g", fv, i, theta[i], back[i])
				}
			}
		}
	}
}

// TestCorrelatedLogDetNumerical checks the log-Jacobian that turns log q_u
// into the density of the original θ on a correlated design: the
// determinant of ∂u/∂θ computed by central differences of target (exact
// for an affine map up to rounding; step 1e-3) matches logDetToTheta to
// 1e-6, for both flow variables.
func TestCorrelatedLogDetNumerical(t *testing.T) {
	smp := corSample(t, 3, 2)
	for _, fv := range []string{FlowMarginal, FlowWhitened} {
		prep, err := prepare(smp.Design, smp.Prior, corConfig(fv).layout())
		if err != nil {
			t.Fatal(err)
		}
		dim := len(prep.slot)
		theta := prep.scaling.UnTheta(make([]float64, dim), prep.centre)
		jac := make([]float64, dim*dim)
		up, dn := make([]float64, CorFlowDim), make([]float64, CorFlowDim)
		const h = 1e-3
		for j := 0; j < dim; j++ {
			th := append([]float64(nil), theta...)
			th[j] += h
			prep.target(th, up)
			th[j] -= 2 * h
			prep.target(th, dn)
			for i, s := range prep.slot {
				jac[i*dim+j] = (up[s] - dn[s]) / (2 * h)
			}
		}
		got := logAbsDet(jac, dim)
		if math.Abs(got-prep.logDetToTheta) > 1e-6*(1+math.Abs(got)) {
			t.Errorf("%s: numerical log|det ∂u/∂θ| %.10g, logDetToTheta %.10g", fv, got, prep.logDetToTheta)
		}
	}
}

// logAbsDet returns log|det a| of the n×n row-major a by Gaussian
// elimination with partial pivoting (a is overwritten).
func logAbsDet(a []float64, n int) float64 {
	s := 0.0
	for c := 0; c < n; c++ {
		piv := c
		for r := c + 1; r < n; r++ {
			if math.Abs(a[r*n+c]) > math.Abs(a[piv*n+c]) {
				piv = r
			}
		}
		for k := 0; k < n; k++ {
			a[c*n+k], a[piv*n+k] = a[piv*n+k], a[c*n+k]
		}
		s += math.Log(math.Abs(a[c*n+c]))
		for r := c + 1; r < n; r++ {
			f := a[r*n+c] / a[c*n+c]
			for k := c; k < n; k++ {
				a[r*n+k] -= f * a[c*n+k]
			}
		}
	}
	return s
}

// TestCorrelatedLogQ checks a model with correlation slots on a correlated
// Q = 3 design, for both flow variables: the log q returned with each draw
// equals the density recomputed by the forward pass (1e-9, as
// TestLogQMatchesLogProb), the natural-scale correlations are lmm's Params
// of the unconstrained draws and lie in (−1, 1), and importance sampling
// against the exact collapsed posterior gives finite weights.
func TestCorrelatedLogQ(t *testing.T) {
	smp := corSample(t, 4, 3)
	d, pr := smp.Design, smp.Prior
	for _, fv := range []string{FlowMarginal, FlowWhitened} {
		cfg := corConfig(fv)
		m := New(cfg, newRand(1))
		perturbWeights(m, 0.3)
		const n = 50
		post, err := m.Sample(d, pr, n, newRand(2))
		if err != nil {
			t.Fatal(err)
		}
		prep, err := prepare(d, pr, cfg.layout())
		if err != nil {
			t.Fatal(err)
		}
		batch := make([]*prepared, n)
		u := make([]float64, n*CorFlowDim)
		for r := range batch {
			batch[r] = prep
			prep.target(post.Theta[r*post.Dim:(r+1)*post.Dim], u[r*CorFlowDim:(r+1)*CorFlowDim])
		}
		lq := make([]float64, n)
		m.logProb(lq, batch, u)
		s := lmm.NewStats(d)
		for r := range lq {
			got := lq[r] + prep.logDetToTheta
			if math.Abs(got-post.LogQ[r]) > 1e-9*(1+math.Abs(got)) {
				t.Errorf("%s draw %d: recomputed log q %.12g, sampled %.12g", fv, r, got, post.LogQ[r])
			}
			want := s.Params(post.Theta[r*post.Dim : (r+1)*post.Dim]).Cor
			for k, w := range want {
				got := post.Draws[r*post.Dim+d.P()+d.Q()+1+k]
				if math.Abs(got-w) > 1e-12 || !(math.Abs(got) < 1) {
					t.Errorf("%s draw %d: correlation %d is %v, want %v", fv, r, k, got, w)
				}
			}
		}
		is, err := ImportanceSample(d, pr, post, post.N, newRand(3))
		if err != nil {
			t.Fatal(err)
		}
		for r, lw := range is.LogWeights {
			if !isFinite(lw) {
				t.Errorf("%s draw %d: log weight %v", fv, r, lw)
			}
		}
	}
}

// TestCorrelatedIdentityFlowIsLaplace is TestIdentityFlowIsLaplace on a
// correlated Q = 3 design: with the couplings at the identity the model
// draws the Laplace approximation, whose Gaussian density of the original
// θ (estimate.Laplace.LogDensity plus the scaling's log-Jacobian; the
// correlations are scale-free) is log q to 1e-9. The Laplace correlations
// of the correlation slots sit in the context.
func TestCorrelatedIdentityFlowIsLaplace(t *testing.T) {
	smp := corSample(t, 4, 3)
	post, prep := identityFlowDraws(t, corConfig(FlowWhitened), smp, 200)
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
	// The last correlation (slot 12) against log σ (slot 9).
	o := CorExtraWidth + CorFlowDim
	c := prep.lap.Cov
	i, j := dim-1, d.P()+d.Q()
	want := c[i*dim+j] / math.Sqrt(c[i*dim+i]*c[j*dim+j])
	if got := prep.extras[o+12*11/2+9]; got != want {
		t.Errorf("Laplace correlation (slot 12, slot 9) = %v, want %v", got, want)
	}
	if ld := prep.extras[CorExtraWidth+12]; ld != math.Max(-5, math.Min(5, math.Log(prep.jac[dim-1])/3)) {
		t.Errorf("log-diagonal of slot 12 = %v", ld)
	}
}

// TestCorrelatedSampleBatch checks SampleBatch on a model with correlation
// slots over a mix of correlated and uncorrelated designs: each posterior
// has its design's dimension and finite log q.
func TestCorrelatedSampleBatch(t *testing.T) {
	m := New(corConfig(FlowWhitened), newRand(1))
	perturbWeights(m, 0.3)
	var ds []*lmm.Design
	var prs []lmm.Prior
	for i, pq := range [][2]int{{4, 3}, {3, 2}, {2, 1}, {3, 2}} {
		smp := simSampleWith(t, pq[0], pq[1])
		if i%2 == 0 {
			smp = correlate(smp, uint64(i))
		}
		ds, prs = append(ds, smp.Design), append(prs, smp.Prior)
	}
	posts, errs := m.SampleBatch(ds, prs, 30, newRand(4))
	if errs != nil {
		t.Fatal(errs)
	}
	for i, p := range posts {
		if p.Dim != ds[i].Dim() || len(p.Draws) != 30*p.Dim {
			t.Errorf("dataset %d: Dim %d, want %d", i, p.Dim, ds[i].Dim())
		}
		for r, lq := range p.LogQ {
			if !isFinite(lq) {
				t.Errorf("dataset %d draw %d: log q %v", i, r, lq)
			}
		}
	}
}

// TestSampleProposal checks the widened proposal of importance sampling:
// τ = 1 is SampleWith bit for bit, and with the couplings at the identity
// (a whitened model then draws the Laplace approximation) and τ = 1.3 the
// log q of each draw is the density of N(θ̂', τ²Σ̂) in the original θ,
// log N(θ̂' + (θ' − θ̂')/τ | θ̂', Σ̂) − D log τ + the scaling's
// log-Jacobian (estimate.Laplace.LogDensity), to 1e-9, on a correlated
// Q = 3 design.
func TestSampleProposal(t *testing.T) {
	m := New(corConfig(FlowWhitened), newRand(1))
	smp := corSample(t, 4, 3)
	d, pr := smp.Design, smp.Prior
	rc := m.CheckRange(d, pr)
	a, err := m.SampleWith(d, pr, 50, newRand(2), rc)
	if err != nil {
		t.Fatal(err)
	}
	b, err := m.SampleProposal(d, pr, 50, newRand(2), rc, 1)
	if err != nil {
		t.Fatal(err)
	}
	equalPosteriors(t, a, b)

	for _, p := range m.flow.Params() {
		if strings.Contains(p.Name, ".affine.") {
			clear(p.Value)
		}
	}
	const tau = 1.3
	post, err := m.SampleProposal(d, pr, 200, newRand(3), rc, tau)
	if err != nil {
		t.Fatal(err)
	}
	prep, err := prepare(d, pr, m.Config.layout())
	if err != nil {
		t.Fatal(err)
	}
	dim := d.Dim()
	th := make([]float64, dim)
	for r := 0; r < post.N; r++ {
		prep.scaling.Theta(th, post.Theta[r*dim:(r+1)*dim])
		for i := range th {
			th[i] = prep.centre[i] + (th[i]-prep.centre[i])/tau
		}
		want := prep.lap.LogDensity(th) - float64(dim)*math.Log(tau) + prep.scaling.LogJacobian()
		if got := post.LogQ[r]; math.Abs(got-want) > 1e-9*(1+math.Abs(want)) {
			t.Errorf("draw %d: log q %.12g, widened Laplace density %.12g", r, got, want)
		}
	}
}
