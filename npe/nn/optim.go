package nn

import "math"

// AdamW is Adam with decoupled weight decay (Loshchilov & Hutter 2019). For
// each parameter θ with gradient g at step t (from 1):
//
//	m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g²
//	θ ← θ − lr·( m̂/(√v̂ + ε) + λθ ),  m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ)
//
// with λ = WeightDecay applied only to parameters without NoDecay.
type AdamW struct {
	// Beta1, Beta2 are the moment decay rates, Eps the denominator floor
	// and WeightDecay the decoupled decay λ.
	Beta1, Beta2, Eps, WeightDecay float64

	params []*Param
	m, v   [][]float64
	t      int
}

// NewAdamW returns AdamW over params with β₁ = 0.9, β₂ = 0.999, ε = 1e-8
// (Kingma & Ba 2015 defaults) and the given weight decay.
func NewAdamW(params []*Param, weightDecay float64) *AdamW {
	o := &AdamW{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: weightDecay, params: params}
	for _, p := range params {
		o.m = append(o.m, make([]float64, len(p.Value)))
		o.v = append(o.v, make([]float64, len(p.Value)))
	}
	return o
}

// Steps returns the number of updates taken.
func (o *AdamW) Steps() int { return o.t }

// Step applies one update with learning rate lr using the current Grad
// buffers. It does not allocate.
func (o *AdamW) Step(lr float64) {
	o.t++
	c1 := 1 - math.Pow(o.Beta1, float64(o.t))
	c2 := 1 - math.Pow(o.Beta2, float64(o.t))
	for i, p := range o.params {
		m, v := o.m[i], o.v[i]
		wd := o.WeightDecay
		if p.NoDecay {
			wd = 0
		}
		for j, g := range p.Grad {
			m[j] = o.Beta1*m[j] + (1-o.Beta1)*g
			v[j] = o.Beta2*v[j] + (1-o.Beta2)*g*g
			p.Value[j] -= lr * ((m[j]/c1)/(math.Sqrt(v[j]/c2)+o.Eps) + wd*p.Value[j])
		}
	}
}

// ClipGradNorm rescales all gradients so that their joint Euclidean norm is
// at most maxNorm (if maxNorm > 0) and returns the norm before clipping.
func ClipGradNorm(params []*Param, maxNorm float64) float64 {
	s := 0.0
	for _, p := range params {
		for _, g := range p.Grad {
			s += g * g
		}
	}
	norm := math.Sqrt(s)
	if maxNorm > 0 && norm > maxNorm {
		f := maxNorm / norm
		for _, p := range params {
			for j := range p.Grad {
				p.Grad[j] *= f
			}
		}
	}
	return norm
}

// WarmupCosine is the learning-rate schedule that rises linearly from 0 to
// Peak over Warmup steps and then decays as a half cosine to Final at step
// Total (Loshchilov & Hutter 2017, SGDR without restarts); after Total it
// stays at Final.
type WarmupCosine struct {
	// Peak is the rate after warmup, Final the rate from step Total on.
	Peak, Final float64
	// Warmup and Total are step counts.
	Warmup, Total int
}

// LR returns the learning rate for step t (from 0).
func (s WarmupCosine) LR(t int) float64 {
	if t < s.Warmup {
		return s.Peak * float64(t+1) / float64(s.Warmup)
	}
	if t >= s.Total || s.Total <= s.Warmup {
		return s.Final
	}
	f := float64(t-s.Warmup) / float64(s.Total-s.Warmup)
	return s.Final + 0.5*(s.Peak-s.Final)*(1+math.Cos(math.Pi*f))
}
