package flow

import "github.com/metabeta-go/metabeta/npe/nn"

// Transform is one invertible, context-conditioned layer of a flow acting on
// n rows of Dim values. The forward direction maps data x to base z.
//
// mask (n×Dim, true = real dimension) may be nil (all real); masked
// dimensions pass through unchanged and add nothing to the log-determinant.
// Forward and Inverse add log|det ∂z/∂x| (respectively log|det ∂x/∂z|) per row
// to logDet. Backward uses the caches of the last Forward: given dz = ∂L/∂z
// and dLogDet (per row ∂L/∂logDet) it writes dx, adds ∂L/∂ctx to dctx (if
// non-nil) and accumulates parameter gradients. x and ctx must stay unchanged
// between Forward and Backward, and Inverse overwrites the caches.
type Transform interface {
	Forward(z, x, ctx []float64, mask []bool, logDet []float64, n int)
	Inverse(x, z, ctx []float64, mask []bool, logDet []float64, n int)
	Backward(dx, dctx, dz, dLogDet []float64)
	Params() []*nn.Param
	Replica() Transform
}

// sharedInverter is implemented by every transform of this package: Inverse
// for n rows whose contexts repeat in runs of per (row r uses row r/per of
// ctx), which conditioners evaluate at a fraction of the cost. sc is the
// conditioners' scratch, shared by the transforms of a flow (they run one
// after the other, and nothing of a conditioner's pass is needed after it).
type sharedInverter interface {
	inverseShared(x, z, ctx []float64, per int, mask []bool, logDet []float64, n int, sc *condInput)
}

// maskMapper is implemented by transforms that move dimensions, so that the
// flow can carry the padding mask along.
type maskMapper interface {
	mapMask(dst, src []bool, n int)
}

func active(mask []bool, i int) bool { return mask == nil || mask[i] }

func grow(buf []float64, n int) []float64 {
	if cap(buf) < n {
		return make([]float64, n)
	}
	return buf[:n]
}
