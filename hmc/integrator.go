package hmc

// Leapfrog advances s by one explicit leapfrog (velocity Verlet) step of
// size eps (negative eps integrates backwards in time), as Stan's
// expl_leapfrog:
//
//	p ← p + (ε/2)·∇log π(q)
//	q ← q + ε·M⁻¹p
//	recompute log π(q), ∇log π(q)
//	p ← p + (ε/2)·∇log π(q)
//
// vel is caller-owned scratch of length Dim for M⁻¹p. The step is
// symplectic and time-reversible (Leimkuhler & Reich 2004; Neal 2011).
func Leapfrog(t Target, m Metric, s *State, eps float64, vel []float64) {
	half := 0.5 * eps
	for i, g := range s.Grad {
		s.P[i] += half * g
	}
	m.Velocity(vel, s.P)
	for i, v := range vel {
		s.X[i] += eps * v
	}
	s.Evaluate(t)
	for i, g := range s.Grad {
		s.P[i] += half * g
	}
}

// Hamiltonian returns H(q, p) = −log π(q) + ½pᵀM⁻¹p, mapping NaN to +Inf
// as Stan does.
func Hamiltonian(m Metric, s *State) float64 {
	h := -s.LogDensity + m.Kinetic(s.P)
	if h != h {
		return inf
	}
	return h
}
