package hmc

// Target is a differentiable log density on an unconstrained space R^Dim.
//
// LogDensityGrad returns log π(x) up to an additive constant and writes
// ∇log π(x) into grad. x is read-only; grad has length Dim and is
// overwritten. Outside the support, or when evaluation fails, it returns
// −Inf (the gradient is then ignored). Implementations hold workspaces and
// need not be safe for concurrent use; Run asks a factory for one Target per
// chain.
type Target interface {
	Dim() int
	LogDensityGrad(x, grad []float64) float64
}

// State is a point in phase space together with its cached log density and
// gradient: X is the position, P the momentum, Grad = ∇log π(X) and
// LogDensity = log π(X).
type State struct {
	X, P, Grad []float64
	LogDensity float64
}

// NewState returns a zeroed State of dimension dim.
func NewState(dim int) *State {
	buf := make([]float64, 3*dim)
	return &State{X: buf[:dim:dim], P: buf[dim : 2*dim : 2*dim], Grad: buf[2*dim:]}
}

// CopyFrom copies every field of src into s without allocating.
// It panics if the dimensions differ.
func (s *State) CopyFrom(src *State) {
	if len(s.X) != len(src.X) {
		panic(errDimMismatch)
	}
	copy(s.X, src.X)
	copy(s.P, src.P)
	copy(s.Grad, src.Grad)
	s.LogDensity = src.LogDensity
}

// Evaluate recomputes s.LogDensity and s.Grad at s.X.
func (s *State) Evaluate(t Target) {
	s.LogDensity = t.LogDensityGrad(s.X, s.Grad)
}

const errDimMismatch = "hmc: dimension mismatch"
