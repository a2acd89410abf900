package flow

import (
	"slices"

	"github.com/metabeta-go/metabeta/npe/nn"
)

// condInput holds the buffers of a coupling's conditioner NN([x_a, c]).
//
// The conditioner's first layer is affine, so its pre-activation splits as
//
//	[x_a, c]·W + b = x_a·W_a + (c·W_c + b),
//
// and rows that share a context row (the draws of one dataset) pay for
// c·W_c + b once (forwardShared). With a = 5 inputs from x and a context
// of 64, that removes most of the first layer's cost from sampling.
//
// In sampling, the outputs of padded dimensions of x_b are never read, and
// for a dataset with fewer parameters than slots most are padded (5 of the
// 10 for sleepstudy): narrow computes only the outputs of active
// dimensions. Output o belongs to dimension j of x_b when
// o = j·dimStep + t·partStep for some t < parts (affine: dimStep 1,
// partStep D−a, parts 2 for the log-scale and shift).
type condInput struct {
	in, xa, hc, h, wt, y []float64
	// wc, yc and cols are narrow's buffers for the active outputs.
	wc, yc []float64
	cols   []int
	// dimStep, partStep and parts lay out the outputs of each dimension of
	// x_b (see above); parts 0 means unknown: all outputs are computed.
	dimStep, partStep, parts int
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
			out = b.narrow(d, out, mask, D, a, n)
			continue
		}
		if _, ok := l.(*nn.ReLU); ok {
			// In place: out is a buffer of this pass, and no
			// backward pass follows. max has no branch to mispredict
			// (see nn.ReLU.Forward).
			for j, v := range out {
				out[j] = max(v, 0)
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
// and row, several times faster for Out = 10. When the output layout is
// known (b.parts > 0) and x has a mask of D values per row (x_b after its
// first a), it computes, over each run of rows with the same mask of x_b,
// only the outputs of its active dimensions, and leaves the others zero:
// each output is one dot product either way, so the values computed are
// the same.
func (b *condInput) narrow(d *nn.Dense, x []float64, mask []bool, D, a, n int) []float64 {
	in, out := d.InDim(), d.OutDim()
	b.wt = grow(b.wt, out*in)
	for i := 0; i < in; i++ {
		for j := 0; j < out; j++ {
			b.wt[j*in+i] = d.W.Value[i*out+j]
		}
	}
	b.y = grow(b.y, n*out)
	if b.parts == 0 || mask == nil {
		for r := 0; r < n; r++ {
			copy(b.y[r*out:(r+1)*out], d.B.Value)
		}
		nn.MatMul(false, true, n, out, in, 1, x, b.wt, 1, b.y)
		return b.y
	}
	clear(b.y)
	for lo := 0; lo < n; {
		tail := mask[lo*D+a : (lo+1)*D]
		hi := lo + 1
		for hi < n && slices.Equal(mask[hi*D+a:(hi+1)*D], tail) {
			hi++
		}
		b.cols = b.cols[:0]
		for j, on := range tail {
			if on {
				for t := 0; t < b.parts; t++ {
					b.cols = append(b.cols, j*b.dimStep+t*b.partStep)
				}
			}
		}
		if k := len(b.cols); k > 0 {
			rows := hi - lo
			b.wc = grow(b.wc, k*in)
			b.yc = grow(b.yc, rows*k)
			for c, o := range b.cols {
				copy(b.wc[c*in:(c+1)*in], b.wt[o*in:(o+1)*in])
			}
			for r := 0; r < rows; r++ {
				for c, o := range b.cols {
					b.yc[r*k+c] = d.B.Value[o]
				}
			}
			nn.MatMul(false, true, rows, k, in, 1, x[lo*in:hi*in], b.wc, 1, b.yc)
			for r := 0; r < rows; r++ {
				y := b.y[(lo+r)*out : (lo+r+1)*out]
				for c, o := range b.cols {
					y[o] = b.yc[r*k+c]
				}
			}
		}
		lo = hi
	}
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
