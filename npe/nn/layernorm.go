package nn

import "math"

// LayerNormEps is the variance floor ε of LayerNorm.
const LayerNormEps = 1e-5

// LayerNorm normalizes each row to zero mean and unit variance, then scales
// and shifts (Ba et al. 2016): y = γ ⊙ x̂ + β, x̂ = (x − μ)/√(σ² + ε), with the
// biased row variance σ². Its input gradient is
// dx = (dx̂ − mean(dx̂) − x̂·mean(dx̂ ⊙ x̂)) / √(σ² + ε), dx̂ = γ ⊙ dy.
type LayerNorm struct {
	// Gain γ and Bias β, one per column.
	Gain, Bias *Param
	width      int
	rows       int
	xhat       []float64
	invStd     []float64
	y, dx      []float64
}

// NewLayerNorm returns a LayerNorm with γ = 1 and β = 0.
func NewLayerNorm(name string, width int) *LayerNorm {
	l := &LayerNorm{Gain: NewParam(name+".gain", width), Bias: NewParam(name+".bias", width), width: width}
	l.Gain.NoDecay, l.Bias.NoDecay = true, true
	for i := range l.Gain.Value {
		l.Gain.Value[i] = 1
	}
	return l
}

// InDim returns the width.
func (l *LayerNorm) InDim() int { return l.width }

// OutDim returns the width.
func (l *LayerNorm) OutDim() int { return l.width }

// Params returns γ and β.
func (l *LayerNorm) Params() []*Param { return []*Param{l.Gain, l.Bias} }

// Replica returns a LayerNorm sharing γ and β.
func (l *LayerNorm) Replica() Layer { return l.replica() }

func (l *LayerNorm) replica() *LayerNorm {
	return &LayerNorm{Gain: l.Gain.Share(), Bias: l.Bias.Share(), width: l.width}
}

// Forward normalizes each row.
func (l *LayerNorm) Forward(x []float64, rows int) []float64 {
	w := l.width
	if len(x) != rows*w {
		panic("nn: layernorm input size mismatch")
	}
	l.rows = rows
	l.xhat = grow(l.xhat, rows*w)
	l.invStd = grow(l.invStd, rows)
	l.y = grow(l.y, rows*w)
	for r := 0; r < rows; r++ {
		xr := x[r*w : (r+1)*w]
		mean := 0.0
		for _, v := range xr {
			mean += v
		}
		mean /= float64(w)
		vr := 0.0
		for _, v := range xr {
			vr += (v - mean) * (v - mean)
		}
		inv := 1 / math.Sqrt(vr/float64(w)+LayerNormEps)
		l.invStd[r] = inv
		xh := l.xhat[r*w : (r+1)*w]
		yr := l.y[r*w : (r+1)*w]
		for j, v := range xr {
			xh[j] = (v - mean) * inv
			yr[j] = l.Gain.Value[j]*xh[j] + l.Bias.Value[j]
		}
	}
	return l.y
}

// Backward accumulates dγ, dβ and returns dx.
func (l *LayerNorm) Backward(dy []float64) []float64 {
	w := l.width
	l.dx = grow(l.dx, l.rows*w)
	for r := 0; r < l.rows; r++ {
		xh := l.xhat[r*w : (r+1)*w]
		dyr := dy[r*w : (r+1)*w]
		dxr := l.dx[r*w : (r+1)*w]
		m1, m2 := 0.0, 0.0
		for j := range dyr {
			l.Gain.Grad[j] += dyr[j] * xh[j]
			l.Bias.Grad[j] += dyr[j]
			g := dyr[j] * l.Gain.Value[j]
			dxr[j] = g
			m1 += g
			m2 += g * xh[j]
		}
		m1 /= float64(w)
		m2 /= float64(w)
		inv := l.invStd[r]
		for j := range dxr {
			dxr[j] = (dxr[j] - m1 - xh[j]*m2) * inv
		}
	}
	return l.dx
}
