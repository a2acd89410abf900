package flow

import (
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mathext"

	"github.com/metabeta-go/metabeta/npe/nn"
)

// Base is a factorized base density over Dim dimensions; masked dimensions
// contribute nothing.
type Base interface {
	// LogProb writes log p(z_r) for n rows into dst.
	LogProb(dst, z []float64, mask []bool, n int)
	// Backward writes dz = w_r·∂log p(z_r)/∂z and accumulates w_r·∂log p/∂θ
	// into parameter gradients, for the z, mask and n of the last LogProb.
	Backward(dz, w []float64)
	// Sample fills z with n draws, zero on masked dimensions.
	Sample(rng *rand.Rand, z []float64, mask []bool, n int)
	Params() []*nn.Param
	Replica() Base
}

const halfLog2Pi = 0.9189385332046727 // ½·log(2π)

// Normal is the standard normal base, log p(z) = Σ_d (−z_d²/2 − ½log 2π).
type Normal struct {
	// Dim is the number of dimensions.
	Dim  int
	z    []float64
	mask []bool
	n    int
}

// LogProb writes the per-row log density.
func (b *Normal) LogProb(dst, z []float64, mask []bool, n int) {
	b.z, b.mask, b.n = z, mask, n
	for r := 0; r < n; r++ {
		s := 0.0
		for d := 0; d < b.Dim; d++ {
			if i := r*b.Dim + d; active(mask, i) {
				s -= 0.5*z[i]*z[i] + halfLog2Pi
			}
		}
		dst[r] = s
	}
}

// Backward writes dz = −w_r·z.
func (b *Normal) Backward(dz, w []float64) {
	for r := 0; r < b.n; r++ {
		for d := 0; d < b.Dim; d++ {
			i := r*b.Dim + d
			dz[i] = 0
			if active(b.mask, i) {
				dz[i] = -w[r] * b.z[i]
			}
		}
	}
}

// Sample draws standard normals.
func (b *Normal) Sample(rng *rand.Rand, z []float64, mask []bool, n int) {
	for i := 0; i < n*b.Dim; i++ {
		z[i] = 0
		if active(mask, i) {
			z[i] = rng.NormFloat64()
		}
	}
}

// Params returns nil.
func (b *Normal) Params() []*nn.Param { return nil }

// Replica returns a fresh Normal.
func (b *Normal) Replica() Base { return &Normal{Dim: b.Dim} }

// StudentT is a diagonal Student-t base with trainable degrees of freedom
// ν_d = exp(η_d) per dimension (metabeta initializes ν = 5):
//
//	log p(z) = Σ_d lnΓ((ν+1)/2) − lnΓ(ν/2) − ½log(νπ) − (ν+1)/2·log(1 + z²/ν),
//	∂/∂z = −(ν+1)z/(ν+z²),
//	∂/∂ν = ½ψ((ν+1)/2) − ½ψ(ν/2) − 1/(2ν) − ½log(1+z²/ν) + (ν+1)z²/(2ν(ν+z²)).
type StudentT struct {
	// LogDF is η = log ν per dimension.
	LogDF *nn.Param
	// Dim is the number of dimensions.
	Dim  int
	z    []float64
	mask []bool
	n    int
}

// NewStudentT returns a Student-t base with ν = df in every dimension.
func NewStudentT(name string, dim int, df float64) *StudentT {
	b := &StudentT{LogDF: nn.NewParam(name+".logdf", dim), Dim: dim}
	b.LogDF.NoDecay = true
	for i := range b.LogDF.Value {
		b.LogDF.Value[i] = math.Log(df)
	}
	return b
}

// LogProb writes the per-row log density.
func (b *StudentT) LogProb(dst, z []float64, mask []bool, n int) {
	b.z, b.mask, b.n = z, mask, n
	for r := 0; r < n; r++ {
		s := 0.0
		for d := 0; d < b.Dim; d++ {
			i := r*b.Dim + d
			if !active(mask, i) {
				continue
			}
			nu := math.Exp(b.LogDF.Value[d])
			l1, _ := math.Lgamma((nu + 1) / 2)
			l2, _ := math.Lgamma(nu / 2)
			s += l1 - l2 - 0.5*math.Log(nu*math.Pi) - (nu+1)/2*math.Log1p(z[i]*z[i]/nu)
		}
		dst[r] = s
	}
}

// Backward writes dz and accumulates ∂/∂η = ν·∂/∂ν.
func (b *StudentT) Backward(dz, w []float64) {
	for r := 0; r < b.n; r++ {
		for d := 0; d < b.Dim; d++ {
			i := r*b.Dim + d
			dz[i] = 0
			if !active(b.mask, i) {
				continue
			}
			nu := math.Exp(b.LogDF.Value[d])
			z2 := b.z[i] * b.z[i]
			dz[i] = -w[r] * (nu + 1) * b.z[i] / (nu + z2)
			dnu := 0.5*mathext.Digamma((nu+1)/2) - 0.5*mathext.Digamma(nu/2) - 0.5/nu -
				0.5*math.Log1p(z2/nu) + (nu+1)*z2/(2*nu*(nu+z2))
			b.LogDF.Grad[d] += w[r] * dnu * nu
		}
	}
}

// Sample draws z = ε/√(G/ν), ε ~ N(0,1), G ~ χ²_ν = 2·Gamma(ν/2).
func (b *StudentT) Sample(rng *rand.Rand, z []float64, mask []bool, n int) {
	for r := 0; r < n; r++ {
		for d := 0; d < b.Dim; d++ {
			i := r*b.Dim + d
			z[i] = 0
			if !active(mask, i) {
				continue
			}
			nu := math.Exp(b.LogDF.Value[d])
			g := 2 * gammaRand(rng, nu/2)
			z[i] = rng.NormFloat64() / math.Sqrt(g/nu)
		}
	}
}

// Params returns η = log ν.
func (b *StudentT) Params() []*nn.Param { return []*nn.Param{b.LogDF} }

// Replica returns a StudentT sharing η.
func (b *StudentT) Replica() Base { return &StudentT{LogDF: b.LogDF.Share(), Dim: b.Dim} }

// gammaRand draws Gamma(shape, 1) by Marsaglia & Tsang (2000), with the
// U^{1/shape} boost for shape < 1.
func gammaRand(rng *rand.Rand, shape float64) float64 {
	if shape < 1 {
		return gammaRand(rng, shape+1) * math.Pow(rng.Float64(), 1/shape)
	}
	d := shape - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := rng.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := rng.Float64()
		if math.Log(u) < 0.5*x*x+d-d*v+d*math.Log(v) {
			return d * v
		}
	}
}
