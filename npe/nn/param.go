package nn

import "runtime"

// Param is one trainable tensor: a flat row-major Value with its Shape and a
// Grad buffer of the same length into which Backward passes accumulate.
// Replicas of a layer share Value and own Grad, so workers can accumulate
// gradients concurrently and a caller can sum them in a fixed order.
type Param struct {
	Name  string
	Shape []int
	Value []float64
	Grad  []float64
	// NoDecay excludes the parameter from AdamW's weight decay (biases,
	// normalization gains).
	NoDecay bool
	// LRScale multiplies AdamW's learning rate for the parameter, as an
	// optimizer's parameter groups do; zero means 1.
	LRScale float64
}

// NewParam returns a zero-valued parameter of the given shape.
func NewParam(name string, shape ...int) *Param {
	n := 1
	for _, s := range shape {
		if s < 0 {
			panic("nn: negative dimension")
		}
		n *= s
	}
	return &Param{Name: name, Shape: append([]int(nil), shape...), Value: make([]float64, n), Grad: make([]float64, n)}
}

// Share returns a parameter with the same name, shape and Value slice but a
// fresh zero Grad buffer.
func (p *Param) Share() *Param {
	return &Param{Name: p.Name, Shape: p.Shape, Value: p.Value, Grad: make([]float64, len(p.Value)), NoDecay: p.NoDecay, LRScale: p.LRScale}
}

// ZeroGrads sets every gradient to zero.
func ZeroGrads(ps []*Param) {
	for _, p := range ps {
		clear(p.Grad)
	}
}

// Prefix returns ps with prefix prepended to every name, in place.
func Prefix(prefix string, ps []*Param) []*Param {
	for _, p := range ps {
		p.Name = prefix + p.Name
	}
	return ps
}

// NumParams returns the total number of scalars in ps.
func NumParams(ps []*Param) int {
	n := 0
	for _, p := range ps {
		n += len(p.Value)
	}
	return n
}

func maxProcs() int { return runtime.GOMAXPROCS(0) }
