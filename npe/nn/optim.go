package nn

import "math"

// AdamW's moment decay rates and denominator floor, the defaults of Kingma
// & Ba (2015). They are constants so that 1−β is computed exactly at
// compile time: a run's weights depend on them to the last bit.
const (
	AdamBeta1 = 0.9
	AdamBeta2 = 0.999
	AdamEps   = 1e-8
)

// AdamW is Adam with decoupled weight decay (Loshchilov & Hutter 2019). For
// each parameter θ with gradient g at step t (from 1):
//
//	m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g²
//	θ ← θ − lr·( m̂/(√v̂ + ε) + λθ ),  m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ)
//
// with β₁ = AdamBeta1, β₂ = AdamBeta2, ε = AdamEps and λ = WeightDecay
// applied only to parameters without NoDecay, and lr multiplied by a
// parameter's LRScale where it has one. Its state, the moments
// (Moments) and the step count (Steps, SetSteps), can be saved and
// restored through the weights format, so that a resumed run continues
// bit for bit.
type AdamW struct {
	// WeightDecay is the decoupled decay λ.
	WeightDecay float64

	params []*Param
	m, v   []*Param
	t      int
}

// NewAdamW returns AdamW over params with the given weight decay and zero
// moments.
func NewAdamW(params []*Param, weightDecay float64) *AdamW {
	o := &AdamW{WeightDecay: weightDecay, params: params}
	for _, p := range params {
		o.m = append(o.m, NewParam("adam.m."+p.Name, p.Shape...))
		o.v = append(o.v, NewParam("adam.v."+p.Name, p.Shape...))
	}
	return o
}

// Steps returns the number of updates taken.
func (o *AdamW) Steps() int { return o.t }

// SetSteps sets the number of updates taken, for restoring a saved state
// together with Moments.
func (o *AdamW) SetSteps(t int) { o.t = t }

// Moments returns the optimizer's moments as parameters, the first moments
// m (named "adam.m.<name>") of every parameter in order, then the second
// moments v ("adam.v.<name>"). Their Values are the optimizer's state:
// saving them saves it, loading into them restores it.
func (o *AdamW) Moments() []*Param {
	return append(append([]*Param{}, o.m...), o.v...)
}

// Step applies one update with learning rate lr using the current Grad
// buffers. It does not allocate.
func (o *AdamW) Step(lr float64) {
	const b1, b2, eps = AdamBeta1, AdamBeta2, AdamEps
	o.t++
	c1 := 1 - math.Pow(b1, float64(o.t))
	c2 := 1 - math.Pow(b2, float64(o.t))
	for i, p := range o.params {
		m, v := o.m[i].Value, o.v[i].Value
		wd := o.WeightDecay
		if p.NoDecay {
			wd = 0
		}
		rate := lr
		if p.LRScale != 0 {
			rate *= p.LRScale
		}
		for j, g := range p.Grad {
			m[j] = b1*m[j] + (1-b1)*g
			v[j] = b2*v[j] + (1-b2)*g*g
			p.Value[j] -= rate * ((m[j]/c1)/(math.Sqrt(v[j]/c2)+eps) + wd*p.Value[j])
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
