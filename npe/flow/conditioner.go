package flow

import "github.com/metabeta-go/metabeta/npe/nn"

// condInput holds the buffers of a coupling's conditioner NN([x_a, c]).
//
// The conditioner's first layer is affine, so its pre-activation splits as
//
//	[x_a, c]·W + b = x_a·W_a + (c·W_c + b),
//
// and rows that share a context row (the draws of one dataset) pay for
// c·W_c + b once (forwardShared). With a = 5 inputs from x and a context
// of 64, that removes most of the first layer's cost from sampling.
type condInput struct {
	in, xa, hc, h, wt, y []float64
}

// forward evaluates net on the rows [masked x_a, ctx_r], n rows, keeping
// the layers' caches for Backward. x has rows of D values whose first a are
// x_a; ctx has n rows of C values.
func (b *condInput) forward(net *nn.Sequential, x, ctx []float64, mask []bool, D, a, C, n int) []float64 {
	w := a + C
	b.in = grow(b.in, n*w)
	for r := 0; r < n; r++ {
		row := b.in[r*w : (r+1)*w]
		maskedHead(row[:a], x, mask, r*D)
		copy(row[a:], ctx[r*C:(r+1)*C])
	}
	return net.Forward(b.in, n)
}

// forwardShared is forward for rows whose contexts repeat in runs of per:
// row r uses context row r/per of ctx (n/per rows of C values). It is for
// inference only: the first layer's Backward caches are not set.
func (b *condInput) forwardShared(net *nn.Sequential, x, ctx []float64, per int, mask []bool, D, a, C, n int) []float64 {
	first := net.Layers[0].(*nn.Dense)
	H := first.OutDim()
	groups := n / per
	b.hc = grow(b.hc, groups*H)
	for g := 0; g < groups; g++ {
		copy(b.hc[g*H:(g+1)*H], first.B.Value)
	}
	nn.MatMul(false, false, groups, H, C, 1, ctx, first.W.Value[a*H:], 1, b.hc)
	b.xa = grow(b.xa, n*a)
	b.h = grow(b.h, n*H)
	for r := 0; r < n; r++ {
		maskedHead(b.xa[r*a:(r+1)*a], x, mask, r*D)
		copy(b.h[r*H:(r+1)*H], b.hc[(r/per)*H:(r/per+1)*H])
	}
	nn.MatMul(false, false, n, H, a, 1, b.xa, first.W.Value[:a*H], 1, b.h)
	out := b.h
	rest := net.Layers[1:]
	for i, l := range rest {
		if d, ok := l.(*nn.Dense); ok && i == len(rest)-1 && d.OutDim() <= narrowOut {
			out = b.narrow(d, out, n)
			continue
		}
		if _, ok := l.(*nn.ReLU); ok {
			// In place: out is a buffer of this pass, and no
			// backward pass follows.
			for j, v := range out {
				if v <= 0 {
					out[j] = 0
				}
			}
			continue
		}
		out = l.Forward(out, n)
	}
	return out
}

// narrowOut is the widest output for which narrow replaces Dense.Forward.
const narrowOut = 32

// narrow is d.Forward for a layer with few outputs (the conditioner's
// last): gonum's plain kernel would run one axpy of length Out per input
// and row, while with Wᵀ stored it runs one dot of length In per output
// and row, several times faster for Out = 10.
func (b *condInput) narrow(d *nn.Dense, x []float64, n int) []float64 {
	in, out := d.InDim(), d.OutDim()
	b.wt = grow(b.wt, out*in)
	for i := 0; i < in; i++ {
		for j := 0; j < out; j++ {
			b.wt[j*in+i] = d.W.Value[i*out+j]
		}
	}
	b.y = grow(b.y, n*out)
	for r := 0; r < n; r++ {
		copy(b.y[r*out:(r+1)*out], d.B.Value)
	}
	nn.MatMul(false, true, n, out, in, 1, x, b.wt, 1, b.y)
	return b.y
}

// maskedHead copies the len(dst) values of x from offset off into dst,
// with padded entries (mask false) as zeros.
func maskedHead(dst, x []float64, mask []bool, off int) {
	for j := range dst {
		if active(mask, off+j) {
			dst[j] = x[off+j]
		} else {
			dst[j] = 0
		}
	}
}
