package nn

// MeanPool is the masked mean over each set, y_b = Σ_{s real} x_{b,s} / n_b,
// giving one token per set; a set with no real token pools to zero.
type MeanPool struct {
	width int
	b, s  int
	mask  []bool
	inv   []float64
	y, dx []float64
}

// NewMeanPool returns a masked mean pool over rows of the given width.
func NewMeanPool(width int) *MeanPool { return &MeanPool{width: width} }

// Params returns nil.
func (p *MeanPool) Params() []*Param { return nil }

// ReplicaSet returns a fresh pool.
func (p *MeanPool) ReplicaSet() SetLayer { return NewMeanPool(p.width) }

// Forward pools b sets of n tokens into b rows.
func (p *MeanPool) Forward(x []float64, b, n int, mask []bool) ([]float64, int) {
	w := p.width
	if len(x) != b*n*w || (mask != nil && len(mask) != b*n) {
		panic("nn: meanpool input size mismatch")
	}
	p.b, p.s, p.mask = b, n, mask
	p.y = grow(p.y, b*w)
	p.inv = grow(p.inv, b)
	clear(p.y)
	for i := 0; i < b; i++ {
		yr := p.y[i*w : (i+1)*w]
		cnt := 0
		for t := 0; t < n; t++ {
			if mask != nil && !mask[i*n+t] {
				continue
			}
			cnt++
			for j, v := range x[(i*n+t)*w : (i*n+t+1)*w] {
				yr[j] += v
			}
		}
		p.inv[i] = 0
		if cnt > 0 {
			p.inv[i] = 1 / float64(cnt)
		}
		for j := range yr {
			yr[j] *= p.inv[i]
		}
	}
	return p.y, 1
}

// Backward spreads dy_b/n_b to each real token and zero to padded ones.
func (p *MeanPool) Backward(dy []float64) []float64 {
	w := p.width
	p.dx = grow(p.dx, p.b*p.s*w)
	for i := 0; i < p.b; i++ {
		for t := 0; t < p.s; t++ {
			dr := p.dx[(i*p.s+t)*w : (i*p.s+t+1)*w]
			if p.mask != nil && !p.mask[i*p.s+t] {
				clear(dr)
				continue
			}
			for j := range dr {
				dr[j] = dy[i*w+j] * p.inv[i]
			}
		}
	}
	return p.dx
}
