package hmc

import (
	"errors"
	"math"
	"math/rand/v2"
)

// Dual-averaging defaults of Stan (stepsize_adaptation.hpp, CmdStan's
// adapt delta).
const (
	DefaultTargetAccept = 0.8  // δ
	DefaultGamma        = 0.05 // γ
	DefaultKappa        = 0.75 // κ
	DefaultT0           = 10.0 // t0
)

// ErrImproper is returned by the step-size heuristic when ε grows beyond
// 1e7, which Stan takes as a sign of an improper posterior.
var ErrImproper = errors.New("hmc: step size above 1e7; posterior may be improper")

// ErrStepSizeZero is returned by the step-size heuristic when ε underflows
// to zero.
var ErrStepSizeZero = errors.New("hmc: no acceptably small step size; posterior may be discontinuous")

// stepSizeProbe holds the scratch state of the step-size heuristic.
type stepSizeProbe struct {
	z   *State
	vel []float64
}

func newStepSizeProbe(dim int) *stepSizeProbe {
	return &stepSizeProbe{z: NewState(dim), vel: make([]float64, dim)}
}

// deltaH takes one leapfrog step of eps from x0 with a fresh momentum and
// returns H0 − h (−Inf for a NaN or infinite h).
func (p *stepSizeProbe) deltaH(rng *rand.Rand, t Target, m Metric, x0 *State, eps float64) float64 {
	p.z.CopyFrom(x0)
	m.SampleMomentum(rng, p.z.P)
	h0 := Hamiltonian(m, p.z)
	Leapfrog(t, m, p.z, eps, p.vel)
	return h0 - Hamiltonian(m, p.z)
}

// InitStepSize is Stan's base_hmc::init_stepsize heuristic. From eps it
// takes single leapfrog steps from x0 with fresh momenta, doubling eps while
// the Metropolis ratio exp(H0 − h) stays above 0.8, or halving it while it
// stays below, and returns the first eps at which the direction flips. It
// returns eps unchanged when the dimension is zero or eps is 0, NaN or
// above 1e7, and ErrImproper or ErrStepSizeZero when the search runs away.
// x0 is not modified.
func InitStepSize(rng *rand.Rand, t Target, m Metric, x0 *State, eps float64) (float64, error) {
	return newStepSizeProbe(t.Dim()).search(rng, t, m, x0, eps)
}

func (p *stepSizeProbe) search(rng *rand.Rand, t Target, m Metric, x0 *State, eps float64) (float64, error) {
	if t.Dim() == 0 || eps == 0 || eps > 1e7 || math.IsNaN(eps) {
		return eps, nil
	}
	logAccept := math.Log(0.8)
	direction := -1
	if p.deltaH(rng, t, m, x0, eps) > logAccept {
		direction = 1
	}
	for {
		dh := p.deltaH(rng, t, m, x0, eps)
		if direction == 1 && !(dh > logAccept) {
			break
		}
		if direction == -1 && !(dh < logAccept) {
			break
		}
		if direction == 1 {
			eps *= 2
		} else {
			eps *= 0.5
		}
		if eps > 1e7 {
			return eps, ErrImproper
		}
		if eps == 0 {
			return eps, ErrStepSizeZero
		}
	}
	return eps, nil
}

// DualAveraging is Nesterov dual averaging of log ε (Hoffman & Gelman 2014,
// §3.2.1; Stan's stepsize_adaptation). After each warmup transition with
// accept statistic a:
//
//	m ← m+1; η = 1/(m+t0); s̄ ← (1−η)s̄ + η(δ − min(1,a))
//	x = μ − s̄·√m/γ;  ε = eˣ
//	w = m^−κ; x̄ ← (1−w)x̄ + w·x
//
// and the final step size is exp(x̄).
type DualAveraging struct {
	Delta, Gamma, Kappa, T0 float64 // δ, γ, κ, t0
	Mu                      float64 // μ, usually log(10·ε₀)

	counter    float64
	sBar, xBar float64
}

// NewDualAveraging returns Stan's dual averaging with target acceptance
// delta, the default γ, κ, t0, and μ = log(10·eps0).
func NewDualAveraging(delta, eps0 float64) *DualAveraging {
	return &DualAveraging{Delta: delta, Gamma: DefaultGamma, Kappa: DefaultKappa, T0: DefaultT0, Mu: math.Log(10 * eps0)}
}

// Restart resets the counter and averages to zero (μ is kept).
func (d *DualAveraging) Restart() { d.counter, d.sBar, d.xBar = 0, 0, 0 }

// Update records one accept statistic and returns the next step size.
func (d *DualAveraging) Update(acceptStat float64) float64 {
	d.counter++
	a := math.Min(1, acceptStat)
	eta := 1 / (d.counter + d.T0)
	d.sBar = (1-eta)*d.sBar + eta*(d.Delta-a)
	x := d.Mu - d.sBar*math.Sqrt(d.counter)/d.Gamma
	w := math.Pow(d.counter, -d.Kappa)
	d.xBar = (1-w)*d.xBar + w*x
	return math.Exp(x)
}

// Final returns the adapted step size exp(x̄).
func (d *DualAveraging) Final() float64 { return math.Exp(d.xBar) }
