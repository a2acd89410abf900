package estimate

// Settings tunes the iterative estimates. The zero value selects the
// documented defaults.
type Settings struct {
	// MaxIter caps the Newton iterations of each optimization; 0 means 50.
	MaxIter int
	// Tol is the Newton decrement ∇fᵀ(−H)⁻¹∇f below which an optimization
	// has converged. It is twice the log-density gap to the maximum and
	// the squared distance to it in standard errors, so it is free of
	// units; 0 means 1e-10 (1e-5 standard errors). When no step improves
	// the objective within rounding, a decrement below 1e4·Tol still
	// counts as converged.
	Tol float64
	// LowerLogRatio bounds the ML estimate of each log σ_b,k below by
	// log(σ̂/rms(z_k)) − LowerLogRatio, σ̂ the within-group SD and rms(z_k)
	// the root mean square of random-effect column k, so the bound is
	// invariant to units; 0 means 10.
	LowerLogRatio float64
}

func (st Settings) maxIter() int {
	if st.MaxIter > 0 {
		return st.MaxIter
	}
	return 50
}

func (st Settings) tol() float64 {
	if st.Tol > 0 {
		return st.Tol
	}
	return 1e-10
}

func (st Settings) lowerLogRatio() float64 {
	if st.LowerLogRatio > 0 {
		return st.LowerLogRatio
	}
	return 10
}

// maxLogStep caps each coordinate of a Newton step (a factor e² on a scale).
const maxLogStep = 2
