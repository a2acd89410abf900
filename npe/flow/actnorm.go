package flow

import (
	"math"

	"github.com/metabeta-go/metabeta/npe/nn"
)

// ActNorm is the per-dimension affine layer of Glow (Kingma & Dhariwal
// 2018): z = x·exp(ℓ) + b, log|det| = Σ_d ℓ_d over real dimensions. InitData
// sets ℓ and b so that a batch has zero mean and unit variance per dimension.
type ActNorm struct {
	// LogScale ℓ and Shift b, one per dimension.
	LogScale, Shift *nn.Param
	dim             int

	x    []float64
	mask []bool
	n    int
	inv  []float64 // exp(−ℓ), for Inverse
}

// NewActNorm returns the identity ActNorm.
func NewActNorm(name string, dim int) *ActNorm {
	a := &ActNorm{LogScale: nn.NewParam(name+".logscale", dim), Shift: nn.NewParam(name+".shift", dim), dim: dim}
	a.LogScale.NoDecay, a.Shift.NoDecay = true, true
	return a
}

// Params returns ℓ and b.
func (a *ActNorm) Params() []*nn.Param { return []*nn.Param{a.LogScale, a.Shift} }

// Replica returns an ActNorm sharing ℓ and b.
func (a *ActNorm) Replica() Transform {
	return &ActNorm{LogScale: a.LogScale.Share(), Shift: a.Shift.Share(), dim: a.dim}
}

// InitData sets ℓ_d = −log sd_d and b_d = −mean_d/sd_d from the real entries
// of x; dimensions with fewer than two real entries or zero spread keep the
// identity.
func (a *ActNorm) InitData(x []float64, mask []bool, n int) {
	D := a.dim
	for d := 0; d < D; d++ {
		s, ss, c := 0.0, 0.0, 0
		for r := 0; r < n; r++ {
			if active(mask, r*D+d) {
				v := x[r*D+d]
				s += v
				ss += v * v
				c++
			}
		}
		if c < 2 {
			continue
		}
		mean := s / float64(c)
		sd := math.Sqrt(ss/float64(c) - mean*mean)
		if !(sd > 0) {
			continue
		}
		a.LogScale.Value[d] = -math.Log(sd)
		a.Shift.Value[d] = -mean / sd
	}
}

// Forward computes z = x·exp(ℓ) + b on real dimensions.
func (a *ActNorm) Forward(z, x, _ []float64, mask []bool, logDet []float64, n int) {
	D := a.dim
	a.x, a.mask, a.n = x, mask, n
	for r := 0; r < n; r++ {
		for d := 0; d < D; d++ {
			i := r*D + d
			if !active(mask, i) {
				z[i] = x[i]
				continue
			}
			z[i] = x[i]*math.Exp(a.LogScale.Value[d]) + a.Shift.Value[d]
			logDet[r] += a.LogScale.Value[d]
		}
	}
}

// Inverse computes x = (z − b)·exp(−ℓ) on real dimensions.
func (a *ActNorm) Inverse(x, z, _ []float64, mask []bool, logDet []float64, n int) {
	D := a.dim
	a.inv = grow(a.inv, D)
	for d := range a.inv {
		a.inv[d] = math.Exp(-a.LogScale.Value[d])
	}
	for r := 0; r < n; r++ {
		for d := 0; d < D; d++ {
			i := r*D + d
			if !active(mask, i) {
				x[i] = z[i]
				continue
			}
			x[i] = (z[i] - a.Shift.Value[d]) * a.inv[d]
			logDet[r] -= a.LogScale.Value[d]
		}
	}
}

// Backward writes dx = dz·exp(ℓ) and accumulates ∂ℓ, ∂b.
func (a *ActNorm) Backward(dx, _ []float64, dz, dLogDet []float64) {
	D := a.dim
	for r := 0; r < a.n; r++ {
		for d := 0; d < D; d++ {
			i := r*D + d
			if !active(a.mask, i) {
				dx[i] = dz[i]
				continue
			}
			e := math.Exp(a.LogScale.Value[d])
			dx[i] = dz[i] * e
			a.LogScale.Grad[d] += dz[i]*a.x[i]*e + dLogDet[r]
			a.Shift.Grad[d] += dz[i]
		}
	}
}

func (a *ActNorm) inverseShared(x, z, _ []float64, _ int, mask []bool, logDet []float64, n int, _ *condInput) {
	a.Inverse(x, z, nil, mask, logDet, n)
}
