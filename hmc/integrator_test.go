package hmc

import (
	"math"
	"testing"
)

// The harmonic oscillator H = q²/2 + p²/2 (target N(0,1), unit metric) has
// the exact flow q(t) = q0·cos t + p0·sin t, p(t) = p0·cos t − q0·sin t
// (closed form). Leapfrog is second order: the global error after time T is
// O(ε²) and the energy error stays O(ε²) (Leimkuhler & Reich 2004, §4.3).
func TestLeapfrogHarmonicOscillator(t *testing.T) {
	target := stdNormal(1)
	m := NewDiagMetric(1)
	vel := make([]float64, 1)
	const q0, p0, T = 1.0, 0.5, 1.0
	z0 := math.Hypot(q0, p0)
	for _, eps := range []float64{0.1, 0.01} {
		// Leapfrog on this oscillator conserves the modified energy
		// H̃ = p²/2 + (1 − ε²/4)q²/2 exactly, so |H − H0| ≤ ε²|z0|²/8, and
		// it rotates at frequency arccos(1 − ε²/2)/ε = 1 + ε²/24 + O(ε⁴)
		// (closed form; Leimkuhler & Reich 2004, §4.3). The position error at
		// T is thus at most ε²|z0|(T/24 + 1/8) = ε²|z0|/6 to leading order.
		tc := struct{ eps, tolPos, tolEnergy float64 }{eps, eps * eps * z0 / 6, eps * eps * z0 * z0 / 8}
		s := NewState(1)
		s.X[0], s.P[0] = q0, p0
		s.Evaluate(target)
		h0 := Hamiltonian(m, s)
		steps := int(math.Round(T / tc.eps))
		maxEnergyErr := 0.0
		for range steps {
			Leapfrog(target, m, s, tc.eps, vel)
			maxEnergyErr = math.Max(maxEnergyErr, math.Abs(Hamiltonian(m, s)-h0))
		}
		qT := q0*math.Cos(T) + p0*math.Sin(T)
		pT := p0*math.Cos(T) - q0*math.Sin(T)
		if d := math.Hypot(s.X[0]-qT, s.P[0]-pT); d > tc.tolPos {
			t.Errorf("ε=%g: |z(T) − exact| = %.3g, want < %.3g", tc.eps, d, tc.tolPos)
		}
		if maxEnergyErr > tc.tolEnergy {
			t.Errorf("ε=%g: max |H − H0| = %.3g, want < %.3g", tc.eps, maxEnergyErr, tc.tolEnergy)
		}
	}
}

// Leapfrog is time-reversible: n steps of ε followed by n steps of −ε
// return to the start up to rounding (symmetric composition of shears).
func TestLeapfrogReversible(t *testing.T) {
	target, _ := correlated2D(0.5, -1, 1, 3, 0.9)
	m := NewDiagMetric(2)
	if err := m.SetInvMass([]float64{1, 9}); err != nil {
		t.Fatal(err)
	}
	vel := make([]float64, 2)
	s := NewState(2)
	s.X[0], s.X[1], s.P[0], s.P[1] = 0.3, -0.7, 1.1, -0.4
	s.Evaluate(target)
	start := NewState(2)
	start.CopyFrom(s)
	for range 50 {
		Leapfrog(target, m, s, 0.2, vel)
	}
	for range 50 {
		Leapfrog(target, m, s, -0.2, vel)
	}
	for i := range 2 {
		// Rounding tolerance: 100 steps × a few ulps of O(1) values.
		if math.Abs(s.X[i]-start.X[i]) > 1e-12 || math.Abs(s.P[i]-start.P[i]) > 1e-12 {
			t.Errorf("coordinate %d: back at (%g, %g), started at (%g, %g)", i, s.X[i], s.P[i], start.X[i], start.P[i])
		}
	}
}

func TestLeapfrogAllocs(t *testing.T) {
	target := stdNormal(100)
	m := NewDiagMetric(100)
	s := NewState(100)
	s.Evaluate(target)
	vel := make([]float64, 100)
	if a := testing.AllocsPerRun(100, func() { Leapfrog(target, m, s, 0.1, vel) }); a != 0 {
		t.Errorf("Leapfrog allocates %v times per step, want 0", a)
	}
}
