package nn

import (
	"math"
	"math/rand/v2"
)

// The initializers below leave p unchanged when rng is nil: a model whose
// values are read from a file next (estimator.Load) skips drawing ~160,000
// values it would overwrite (about a third of decoding the default model).

// LeCunNormal fills p with N(0, 1/fanIn) draws (LeCun et al. 1998). It is the
// default for Dense weights here: it keeps unit activation variance for
// roughly linear/GELU units and matches the metabeta conditioners, and the
// residual + LayerNorm structure of the blocks does not need He's extra
// factor 2.
func LeCunNormal(rng *rand.Rand, p *Param, fanIn int) {
	if rng == nil {
		return
	}
	s := 1 / math.Sqrt(float64(fanIn))
	for i := range p.Value {
		p.Value[i] = s * rng.NormFloat64()
	}
}

// HeNormal fills p with N(0, 2/fanIn) draws (He et al. 2015), for deep plain
// ReLU stacks.
func HeNormal(rng *rand.Rand, p *Param, fanIn int) {
	if rng == nil {
		return
	}
	s := math.Sqrt(2 / float64(fanIn))
	for i := range p.Value {
		p.Value[i] = s * rng.NormFloat64()
	}
}

// XavierUniform fills p with U(−a, a), a = √(6/(fanIn+fanOut)) (Glorot &
// Bengio 2010), used for attention projections and learned query seeds.
func XavierUniform(rng *rand.Rand, p *Param, fanIn, fanOut int) {
	Uniform(rng, p, math.Sqrt(6/float64(fanIn+fanOut)))
}

// Uniform fills p with U(−a, a) draws; with a small a it makes the last
// layer of a flow conditioner start the flow near the identity.
func Uniform(rng *rand.Rand, p *Param, a float64) {
	if rng == nil {
		return
	}
	for i := range p.Value {
		p.Value[i] = a * (2*rng.Float64() - 1)
	}
}
