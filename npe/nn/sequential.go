package nn

import (
	"fmt"
	"math/rand/v2"
)

// Sequential composes layers: y = L_k(…L_1(x)).
type Sequential struct {
	// Layers are applied first to last.
	Layers []Layer
}

// NewSequential returns the composition of layers, panicking if adjacent
// widths disagree.
func NewSequential(layers ...Layer) *Sequential {
	for i := 1; i < len(layers); i++ {
		if layers[i-1].OutDim() != layers[i].InDim() {
			panic(fmt.Sprintf("nn: sequential width mismatch at layer %d: %d→%d", i, layers[i-1].OutDim(), layers[i].InDim()))
		}
	}
	return &Sequential{Layers: layers}
}

// NewMLP returns Dense → act → … → Dense with the given widths (at least
// two) and activation "gelu" or "relu" between dense layers.
func NewMLP(name string, widths []int, act string, rng *rand.Rand) *Sequential {
	if len(widths) < 2 {
		panic("nn: mlp needs at least two widths")
	}
	var ls []Layer
	for i := 0; i+1 < len(widths); i++ {
		ls = append(ls, NewDense(fmt.Sprintf("%s.%d", name, i), widths[i], widths[i+1], rng))
		if i+2 < len(widths) {
			ls = append(ls, NewActivation(act, widths[i+1]))
		}
	}
	return NewSequential(ls...)
}

// NewActivation returns a "gelu" or "relu" layer of the given width.
func NewActivation(act string, width int) Layer {
	switch act {
	case "gelu":
		return NewGELU(width)
	case "relu":
		return NewReLU(width)
	}
	panic("nn: unknown activation " + act)
}

// InDim returns the first layer's input width.
func (s *Sequential) InDim() int { return s.Layers[0].InDim() }

// OutDim returns the last layer's output width.
func (s *Sequential) OutDim() int { return s.Layers[len(s.Layers)-1].OutDim() }

// Params returns all layers' parameters in order.
func (s *Sequential) Params() []*Param {
	var ps []*Param
	for _, l := range s.Layers {
		ps = append(ps, l.Params()...)
	}
	return ps
}

// Replica replicates every layer.
func (s *Sequential) Replica() Layer { return s.replica() }

func (s *Sequential) replica() *Sequential {
	ls := make([]Layer, len(s.Layers))
	for i, l := range s.Layers {
		ls[i] = l.Replica()
	}
	return &Sequential{Layers: ls}
}

// Forward runs the layers in order.
func (s *Sequential) Forward(x []float64, rows int) []float64 {
	for _, l := range s.Layers {
		x = l.Forward(x, rows)
	}
	return x
}

// Backward runs the layers' backward passes in reverse order.
func (s *Sequential) Backward(dy []float64) []float64 {
	for i := len(s.Layers) - 1; i >= 0; i-- {
		dy = s.Layers[i].Backward(dy)
	}
	return dy
}

// ResidualMLP is the block y = x + Dense₂(act(Dense₁(x))), width → hidden →
// width.
type ResidualMLP struct {
	// Inner is the residual branch Dense → act → Dense.
	Inner *Sequential
	width int
	y, dx []float64
}

// NewResidualMLP returns a residual MLP block.
func NewResidualMLP(name string, width, hidden int, act string, rng *rand.Rand) *ResidualMLP {
	return &ResidualMLP{Inner: NewMLP(name, []int{width, hidden, width}, act, rng), width: width}
}

// InDim returns the width.
func (r *ResidualMLP) InDim() int { return r.width }

// OutDim returns the width.
func (r *ResidualMLP) OutDim() int { return r.width }

// Params returns the inner MLP's parameters.
func (r *ResidualMLP) Params() []*Param { return r.Inner.Params() }

// Replica returns a replica sharing parameters.
func (r *ResidualMLP) Replica() Layer {
	return &ResidualMLP{Inner: r.Inner.replica(), width: r.width}
}

// Forward computes x + MLP(x).
func (r *ResidualMLP) Forward(x []float64, rows int) []float64 {
	h := r.Inner.Forward(x, rows)
	r.y = grow(r.y, len(x))
	for i := range x {
		r.y[i] = x[i] + h[i]
	}
	return r.y
}

// Backward returns dy + MLP'ᵀ·dy.
func (r *ResidualMLP) Backward(dy []float64) []float64 {
	g := r.Inner.Backward(dy)
	r.dx = grow(r.dx, len(dy))
	for i := range dy {
		r.dx[i] = dy[i] + g[i]
	}
	return r.dx
}
