package estimator

import (
	"math"

	"github.com/metabeta-go/metabeta/npe/nn"
)

// adamW is AdamW (Loshchilov & Hutter 2019) with its moments held as
// parameters, so that a checkpoint can save and restore them through the
// weights format. Its update is that of nn.AdamW:
//
//	m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g²,
//	θ ← θ − lr·( m̂/(√v̂ + ε) + λθ ),  m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ),
//
// with β₁ = 0.9, β₂ = 0.999, ε = 1e-8 (Kingma & Ba 2015) and λ skipped for
// NoDecay parameters.
type adamW struct {
	params      []*nn.Param
	m, v        []*nn.Param
	steps       int
	weightDecay float64
}

func newAdamW(params []*nn.Param, weightDecay float64) *adamW {
	o := &adamW{params: params, weightDecay: weightDecay}
	for _, p := range params {
		o.m = append(o.m, nn.NewParam("adam.m."+p.Name, p.Shape...))
		o.v = append(o.v, nn.NewParam("adam.v."+p.Name, p.Shape...))
	}
	return o
}

// step applies one update with learning rate lr.
func (o *adamW) step(lr float64) {
	const b1, b2, eps = 0.9, 0.999, 1e-8
	o.steps++
	c1 := 1 - math.Pow(b1, float64(o.steps))
	c2 := 1 - math.Pow(b2, float64(o.steps))
	for i, p := range o.params {
		m, v := o.m[i].Value, o.v[i].Value
		wd := o.weightDecay
		if p.NoDecay {
			wd = 0
		}
		for j, g := range p.Grad {
			m[j] = b1*m[j] + (1-b1)*g
			v[j] = b2*v[j] + (1-b2)*g*g
			p.Value[j] -= lr * ((m[j]/c1)/(math.Sqrt(v[j]/c2)+eps) + wd*p.Value[j])
		}
	}
}

// state returns the moment parameters, m then v.
func (o *adamW) state() []*nn.Param {
	return append(append([]*nn.Param{}, o.m...), o.v...)
}
