package hmc

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// Momenta drawn by DenseMetric have covariance M = (M⁻¹)⁻¹. For M⁻¹ =
// [[4, 1.2], [1.2, 1]], det = 2.56 and M = [[1, −1.2], [−1.2, 4]]/2.56
// (closed form). Each entry of the sample covariance of n iid draws is
// checked within 4 MCSE = 4·sd(pᵢpⱼ)/√n.
func TestDenseMomentumCovariance(t *testing.T) {
	m := NewDenseMetric(2)
	if err := m.SetInvMass([]float64{4, 1.2, 1.2, 1}); err != nil {
		t.Fatal(err)
	}
	want := []float64{1 / 2.56, -1.2 / 2.56, -1.2 / 2.56, 4 / 2.56}
	rng := rand.New(rand.NewPCG(4, 4))
	const n = 20000
	prods := make([][]float64, 4)
	for k := range prods {
		prods[k] = make([]float64, n)
	}
	p := make([]float64, 2)
	for i := range n {
		m.SampleMomentum(rng, p)
		for a := range 2 {
			for b := range 2 {
				prods[2*a+b][i] = p[a] * p[b]
			}
		}
	}
	for k, w := range want {
		checkWithinMCSE(t, "cov", sampleMean(prods[k]), w, sampleSD(prods[k])/math.Sqrt(n))
	}
}

// Kinetic energy and velocity closed forms, and agreement between a dense
// metric holding a diagonal matrix and the diagonal metric.
func TestMetricKineticVelocity(t *testing.T) {
	diag := NewDiagMetric(3)
	if err := diag.SetInvMass([]float64{2, 0.5, 4}); err != nil {
		t.Fatal(err)
	}
	dense := NewDenseMetric(3)
	if err := dense.SetInvMass([]float64{2, 0, 0, 0, 0.5, 0, 0, 0, 4}); err != nil {
		t.Fatal(err)
	}
	p := []float64{1, -2, 0.5}
	// T = ½(2·1 + 0.5·4 + 4·0.25) = 2.5; p♯ = (2, −1, 2).
	for _, m := range []Metric{diag, dense} {
		if k := m.Kinetic(p); math.Abs(k-2.5) > 1e-15 {
			t.Errorf("%T: T = %v, want 2.5", m, k)
		}
		v := make([]float64, 3)
		m.Velocity(v, p)
		if v[0] != 2 || v[1] != -1 || v[2] != 2 {
			t.Errorf("%T: p♯ = %v, want (2, −1, 2)", m, v)
		}
	}
}

func TestMetricNotPosDef(t *testing.T) {
	if err := NewDiagMetric(2).SetInvMass([]float64{1, 0}); !errors.Is(err, ErrNotPosDef) {
		t.Errorf("diag with zero: %v", err)
	}
	if err := NewDiagMetric(1).SetInvMass([]float64{math.Inf(1)}); !errors.Is(err, ErrNotPosDef) {
		t.Errorf("diag with +Inf: %v", err)
	}
	m := NewDenseMetric(2)
	if err := m.SetInvMass([]float64{1, 2, 2, 1}); !errors.Is(err, ErrNotPosDef) {
		t.Errorf("indefinite dense: %v", err)
	}
	if got := m.InvMass(); got[1] != 0 || got[0] != 1 {
		t.Errorf("failed SetInvMass changed the metric to %v", got)
	}
}
