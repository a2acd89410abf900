package estimator

import (
	"math"
	"testing"

	"github.com/metabeta-go/metabeta/lmm"
	"github.com/metabeta-go/metabeta/lmm/estimate"
)

// TestStandardizationRoundTrip checks that θ ↦ θ' ↦ θ, as the estimator
// uses it (estimate.Scaling), is the identity up to rounding (the map is
// affine with exact inverse).
func TestStandardizationRoundTrip(t *testing.T) {
	d, _ := sleepstudy(t)
	_, sc := estimate.Standardize(d)
	theta := []float64{298.5, 10.5, 3.2, 1.8, 3.2}
	back := sc.UnTheta(make([]float64, 5), sc.Theta(make([]float64, 5), theta))
	for i := range theta {
		if math.Abs(back[i]-theta[i]) > 1e-12*(1+math.Abs(theta[i])) {
			t.Errorf("θ[%d]: round trip %v, want %v", i, back[i], theta[i])
		}
	}
}

// TestStandardizationExact checks that the standardized model is the
// original one in other units: by the change of variables (θ, y) ↦ (θ', y'),
//
//	log p'(θ', y') = log p(θ, y) − log|det ∂θ'/∂θ| + N log s_y,
//
// with both sides from lmm.Collapsed (exact densities, no constant dropped),
// at several θ, for sleepstudy and a simulated dataset with 3 random effects.
func TestStandardizationExact(t *testing.T) {
	ds, pr := sleepstudy(t)
	smp := simSampleWith(t, 5, 3)
	cases := []struct {
		name string
		d    *lmm.Design
		pr   lmm.Prior
	}{{"sleepstudy", ds, pr}, {"simulated P=5 Q=3", smp.Design, smp.Prior}}
	rng := newRand(3)
	for _, c := range cases {
		ds, sc := estimate.Standardize(c.d)
		orig := lmm.NewCollapsed(c.d, c.pr)
		std := lmm.NewCollapsed(ds, sc.Prior(c.pr))
		mode, _, err := estimate.PosteriorLaplace(orig, nil, estimate.Settings{})
		if err != nil {
			t.Fatal(err)
		}
		dim := c.d.Dim()
		sd := mode.SD(make([]float64, dim))
		for rep := 0; rep < 5; rep++ {
			theta := make([]float64, dim)
			for i := range theta {
				theta[i] = mode.Mean[i] + 0.5*sd[i]*rng.NormFloat64()
			}
			want := orig.LogDensity(theta) - sc.LogJacobian() + float64(c.d.N())*math.Log(sc.YScale)
			got := std.LogDensity(sc.Theta(make([]float64, dim), theta))
			if math.Abs(got-want) > 1e-9*(1+math.Abs(want)) {
				t.Errorf("%s: standardized log density %.12g, want %.12g", c.name, got, want)
			}
		}
	}
}
