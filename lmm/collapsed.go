package lmm

import "math"

// Collapsed is the posterior density of the global parameters with the
// random effects integrated out, on the unconstrained
// θ = [βc (P), log σ_b (Q), log σ (1), y (NCor)]:
//
//	log p(θ, y) = log p(θ) + log p(y | β, σ_b, σ),
//
// where log p(θ) is the prior with the Jacobian of the log transforms
// (+ Σ log σ_b,k + log σ) and log p(y | ·) the marginal likelihood of
// Marginal. No constant is dropped, so the value is the exact log joint
// density of θ and y. Its method set Dim and LogDensityGrad is the sampler
// target interface (hmc.Target).
//
// A Collapsed holds a workspace: it is not safe for concurrent use. Clone
// gives an independent copy sharing the read-only statistics and prior.
type Collapsed struct {
	marginal *Marginal
	prior    *thetaPrior
}

// NewCollapsed returns the collapsed target for d under prior pr. It panics
// if d is inconsistent or pr does not have the shape of d or a valid scale
// (see NewStats); check priors from user input with Prior.Check first.
func NewCollapsed(d *Design, pr Prior) *Collapsed {
	return NewCollapsedStats(NewStats(d), pr)
}

// NewCollapsedStats returns the collapsed target on precomputed statistics,
// so that several targets can share one pass over the data.
func NewCollapsedStats(s *Stats, pr Prior) *Collapsed {
	tp := newThetaPrior(pr, s.P, s.Q, s.NCor)
	return &Collapsed{marginal: NewMarginal(s), prior: &tp}
}

// Clone returns a target sharing the statistics and prior of c with its own
// workspace, for use in another goroutine.
func (c *Collapsed) Clone() *Collapsed {
	return &Collapsed{marginal: c.marginal.Clone(), prior: c.prior}
}

// Dim returns the length of θ, P + Q + 1 + NCor.
func (c *Collapsed) Dim() int { return c.marginal.Dim() }

// Stats returns the sufficient statistics of c.
func (c *Collapsed) Stats() *Stats { return c.marginal.stats }

// Marginal returns the marginal-likelihood evaluator of c; it shares c's
// workspace, so it must not be used concurrently with c.
func (c *Collapsed) Marginal() *Marginal { return c.marginal }

// Params returns the natural-scale parameters for θ (see Stats.Params).
func (c *Collapsed) Params(theta []float64) Params { return c.Stats().Params(theta) }

// LogDensity returns log p(θ, y), or −Inf when θ or the result is not
// finite. It panics if len(theta) != Dim().
func (c *Collapsed) LogDensity(theta []float64) float64 {
	if len(theta) != c.Dim() {
		panic("lmm: Collapsed.LogDensity: theta length mismatch")
	}
	ll := c.marginal.eval(theta, nil)
	if math.IsInf(ll, -1) {
		return ll
	}
	lp := c.prior.logDensity(theta, nil) + c.prior.corLogDensity(theta, c.marginal.ws.cor.l, nil)
	return finiteOrNegInf(ll+lp, nil)
}

// LogDensityGrad returns log p(θ, y) and overwrites grad with its gradient
// with respect to θ. When θ or the result is not finite it returns −Inf and
// zeroes grad. It panics on a length mismatch. It does not allocate.
func (c *Collapsed) LogDensityGrad(theta, grad []float64) float64 {
	if len(theta) != c.Dim() || len(grad) != c.Dim() {
		panic("lmm: Collapsed.LogDensityGrad: length mismatch")
	}
	ll := c.marginal.eval(theta, grad)
	if math.IsInf(ll, -1) {
		return ll
	}
	lp := c.prior.logDensity(theta, grad) + c.prior.corLogDensity(theta, c.marginal.ws.cor.l, grad)
	return finiteOrNegInf(ll+lp, grad)
}

// finiteOrNegInf returns v if it is finite and otherwise −Inf, zeroing grad.
func finiteOrNegInf(v float64, grad []float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		clear(grad)
		return math.Inf(-1)
	}
	return v
}
