package nn

import (
	"fmt"
	"math/rand/v2"
)

// SetTransformer embeds each token with a Dense layer, applies set blocks
// (SAB or ISAB), pools with a masked mean and projects with a final Dense:
// the summary network of metabeta (§2) with optional ISAB (Lee et al. 2019).
type SetTransformer struct {
	// Embed maps tokens to the model width, Blocks are applied in order,
	// Pool averages real tokens and Head maps to the output width.
	Embed  *Dense
	Blocks []SetLayer
	Pool   *MeanPool
	Head   *Dense
	b, s   int
}

// SetTransformerConfig sizes a SetTransformer.
type SetTransformerConfig struct {
	// In is the token width, Width the model width, Heads the attention
	// heads, Hidden the feed-forward width, Blocks the number of set
	// blocks and Out the summary width.
	In, Width, Heads, Hidden, Blocks, Out int
	// Inducing > 0 makes the blocks ISABs with that many inducing points.
	Inducing int
}

// NewSetTransformer returns a set transformer.
func NewSetTransformer(name string, c SetTransformerConfig, rng *rand.Rand) *SetTransformer {
	st := &SetTransformer{Embed: NewDense(name+".embed", c.In, c.Width, rng), Pool: NewMeanPool(c.Width), Head: NewDense(name+".head", c.Width, c.Out, rng)}
	for i := 0; i < c.Blocks; i++ {
		bn := fmt.Sprintf("%s.block%d", name, i)
		if c.Inducing > 0 {
			st.Blocks = append(st.Blocks, NewISAB(bn, c.Width, c.Heads, c.Hidden, c.Inducing, rng))
		} else {
			st.Blocks = append(st.Blocks, NewSAB(bn, c.Width, c.Heads, c.Hidden, rng))
		}
	}
	return st
}

// Params returns all parameters in a fixed order.
func (st *SetTransformer) Params() []*Param {
	ps := st.Embed.Params()
	for _, b := range st.Blocks {
		ps = append(ps, b.Params()...)
	}
	return append(ps, st.Head.Params()...)
}

// Replica returns a set transformer sharing parameter values.
func (st *SetTransformer) Replica() *SetTransformer {
	r := &SetTransformer{Embed: st.Embed.replica(), Pool: NewMeanPool(st.Pool.width), Head: st.Head.replica()}
	for _, b := range st.Blocks {
		r.Blocks = append(r.Blocks, b.ReplicaSet())
	}
	return r
}

// Forward maps b sets of s tokens (width In) to b summary rows (width Out).
func (st *SetTransformer) Forward(x []float64, b, s int, mask []bool) []float64 {
	st.b, st.s = b, s
	h := st.Embed.Forward(x, b*s)
	for _, blk := range st.Blocks {
		h, _ = blk.Forward(h, b, s, mask)
	}
	p, _ := st.Pool.Forward(h, b, s, mask)
	return st.Head.Forward(p, b)
}

// Backward returns the gradient with respect to the tokens.
func (st *SetTransformer) Backward(dy []float64) []float64 {
	g := st.Head.Backward(dy)
	g = st.Pool.Backward(g)
	for i := len(st.Blocks) - 1; i >= 0; i-- {
		g = st.Blocks[i].Backward(g)
	}
	return st.Embed.Backward(g)
}
