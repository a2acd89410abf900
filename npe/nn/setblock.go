package nn

import "math/rand/v2"

// SetLayer maps a batch of B padded sets, each of S tokens of width InDim,
// to a batch of sets (or pooled vectors). mask has B·S entries, true for real
// tokens; nil means all real. Forward returns a layer-owned buffer and the
// number of output tokens per set; Backward returns the input gradient.
// Padded tokens never influence the outputs at real tokens.
type SetLayer interface {
	Forward(x []float64, b, s int, mask []bool) (y []float64, sOut int)
	Backward(dy []float64) []float64
	Params() []*Param
	ReplicaSet() SetLayer
}

// MAB is the multihead attention block of Lee et al. (2019) in the post-norm
// form used by metabeta:
//
//	H = LN₁(Xq + MHA(Xq, Xkv)),  MAB(Xq, Xkv) = LN₂(H + FF(H)),
//
// with FF = Dense → GELU → Dense.
type MAB struct {
	// Attn is the attention, LN1 and LN2 the post-norms, FF the
	// feed-forward branch.
	Attn     *MultiHeadAttention
	LN1, LN2 *LayerNorm
	FF       *Sequential
	width    int

	h, h2, dxq []float64
}

// NewMAB returns a block of the given width, head count and feed-forward
// hidden width.
func NewMAB(name string, width, heads, hidden int, rng *rand.Rand) *MAB {
	return &MAB{
		Attn:  NewMultiHeadAttention(name+".attn", width, heads, rng),
		LN1:   NewLayerNorm(name+".ln1", width),
		LN2:   NewLayerNorm(name+".ln2", width),
		FF:    NewMLP(name+".ff", []int{width, hidden, width}, "gelu", rng),
		width: width,
	}
}

// Params returns attention, norm and feed-forward parameters.
func (m *MAB) Params() []*Param {
	ps := m.Attn.Params()
	ps = append(ps, m.LN1.Params()...)
	ps = append(ps, m.FF.Params()...)
	return append(ps, m.LN2.Params()...)
}

// Replica returns a block sharing parameter values.
func (m *MAB) Replica() *MAB {
	return &MAB{Attn: m.Attn.Replica(), LN1: m.LN1.replica(), LN2: m.LN2.replica(), FF: m.FF.replica(), width: m.width}
}

// Forward computes MAB(xq, xkv) for b sets of sq queries and sk keys.
func (m *MAB) Forward(xq, xkv []float64, b, sq, sk int, keyMask []bool) []float64 {
	a := m.Attn.Forward(xq, xkv, b, sq, sk, keyMask)
	m.h = grow(m.h, len(a))
	for i := range a {
		m.h[i] = xq[i] + a[i]
	}
	h1 := m.LN1.Forward(m.h, b*sq)
	f := m.FF.Forward(h1, b*sq)
	m.h2 = grow(m.h2, len(f))
	for i := range f {
		m.h2[i] = h1[i] + f[i]
	}
	return m.LN2.Forward(m.h2, b*sq)
}

// Backward returns the gradients with respect to xq and xkv.
func (m *MAB) Backward(dy []float64) (dxq, dxkv []float64) {
	dh2 := m.LN2.Backward(dy)
	df := m.FF.Backward(dh2)
	for i := range df {
		df[i] += dh2[i] // df is FF-owned scratch: reuse it as dh1
	}
	dh := m.LN1.Backward(df)
	aq, akv := m.Attn.Backward(dh)
	m.dxq = grow(m.dxq, len(dh))
	for i := range dh {
		m.dxq[i] = dh[i] + aq[i]
	}
	return m.dxq, akv
}

// SAB is the set attention block SAB(X) = MAB(X, X) (Lee et al. 2019).
type SAB struct {
	// Block is the MAB applied as MAB(X, X).
	Block *MAB
	dx    []float64
}

// NewSAB returns a set attention block.
func NewSAB(name string, width, heads, hidden int, rng *rand.Rand) *SAB {
	return &SAB{Block: NewMAB(name, width, heads, hidden, rng)}
}

// Params returns the block's parameters.
func (s *SAB) Params() []*Param { return s.Block.Params() }

// ReplicaSet returns a replica sharing parameter values.
func (s *SAB) ReplicaSet() SetLayer { return &SAB{Block: s.Block.Replica()} }

// Forward computes MAB(x, x) with padded keys masked.
func (s *SAB) Forward(x []float64, b, n int, mask []bool) ([]float64, int) {
	return s.Block.Forward(x, x, b, n, n, mask), n
}

// Backward returns dx = ∂/∂Xq + ∂/∂Xkv.
func (s *SAB) Backward(dy []float64) []float64 {
	dq, dkv := s.Block.Backward(dy)
	s.dx = grow(s.dx, len(dq))
	for i := range dq {
		s.dx[i] = dq[i] + dkv[i]
	}
	return s.dx
}

// seeded holds m learned query vectors broadcast over a batch.
type seeded struct {
	Seeds *Param
	m     int
	buf   []float64
}

func (sd *seeded) broadcast(b, width int) []float64 {
	sd.buf = grow(sd.buf, b*sd.m*width)
	for i := 0; i < b; i++ {
		copy(sd.buf[i*sd.m*width:], sd.Seeds.Value)
	}
	return sd.buf
}

func (sd *seeded) accumulate(dq []float64, b, width int) {
	n := sd.m * width
	for i := 0; i < b; i++ {
		for j, g := range dq[i*n : (i+1)*n] {
			sd.Seeds.Grad[j] += g
		}
	}
}

// ISAB is the induced set attention block (Lee et al. 2019):
// H = MAB₁(I, X), ISAB(X) = MAB₂(X, H), with m learned inducing points I.
// Its cost is O(S·m) instead of O(S²).
type ISAB struct {
	induce seeded
	// In is MAB₁ (inducing points attend to X), Out is MAB₂.
	In, Out  *MAB
	width    int
	dxBuf    []float64
	batch, n int
}

// NewISAB returns an ISAB with m inducing points.
func NewISAB(name string, width, heads, hidden, m int, rng *rand.Rand) *ISAB {
	is := &ISAB{
		induce: seeded{Seeds: NewParam(name+".inducing", m, width), m: m},
		In:     NewMAB(name+".mab1", width, heads, hidden, rng),
		Out:    NewMAB(name+".mab2", width, heads, hidden, rng),
		width:  width,
	}
	XavierUniform(rng, is.induce.Seeds, m, width)
	return is
}

// Params returns inducing points and both blocks' parameters.
func (s *ISAB) Params() []*Param {
	ps := []*Param{s.induce.Seeds}
	ps = append(ps, s.In.Params()...)
	return append(ps, s.Out.Params()...)
}

// ReplicaSet returns a replica sharing parameter values.
func (s *ISAB) ReplicaSet() SetLayer {
	return &ISAB{induce: seeded{Seeds: s.induce.Seeds.Share(), m: s.induce.m}, In: s.In.Replica(), Out: s.Out.Replica(), width: s.width}
}

// Forward computes MAB₂(X, MAB₁(I, X)); padded tokens are masked as keys of
// MAB₁, so they do not reach H or any real output.
func (s *ISAB) Forward(x []float64, b, n int, mask []bool) ([]float64, int) {
	s.batch, s.n = b, n
	q := s.induce.broadcast(b, s.width)
	h := s.In.Forward(q, x, b, s.induce.m, n, mask)
	return s.Out.Forward(x, h, b, n, s.induce.m, nil), n
}

// Backward returns dx.
func (s *ISAB) Backward(dy []float64) []float64 {
	dxq, dh := s.Out.Backward(dy)
	dI, dx := s.In.Backward(dh)
	s.induce.accumulate(dI, s.batch, s.width)
	s.dxBuf = grow(s.dxBuf, len(dx))
	for i := range dx {
		s.dxBuf[i] = dx[i] + dxq[i]
	}
	return s.dxBuf
}

// PMA is pooling by multihead attention (Lee et al. 2019):
// PMA(X) = MAB(S, X) with k learned seed vectors S, giving k outputs per set.
// (Lee et al. apply a row-wise feed-forward to X first; compose a Dense
// before PMA for that.)
type PMA struct {
	seed seeded
	// Block is the MAB applied as MAB(S, X).
	Block *MAB
	width int
	batch int
}

// NewPMA returns a PMA with k seeds.
func NewPMA(name string, width, heads, hidden, k int, rng *rand.Rand) *PMA {
	p := &PMA{seed: seeded{Seeds: NewParam(name+".seeds", k, width), m: k}, Block: NewMAB(name+".mab", width, heads, hidden, rng), width: width}
	XavierUniform(rng, p.seed.Seeds, k, width)
	return p
}

// Params returns the seeds and the block's parameters.
func (p *PMA) Params() []*Param { return append([]*Param{p.seed.Seeds}, p.Block.Params()...) }

// ReplicaSet returns a replica sharing parameter values.
func (p *PMA) ReplicaSet() SetLayer {
	return &PMA{seed: seeded{Seeds: p.seed.Seeds.Share(), m: p.seed.m}, Block: p.Block.Replica(), width: p.width}
}

// Forward returns b sets of k pooled tokens.
func (p *PMA) Forward(x []float64, b, n int, mask []bool) ([]float64, int) {
	p.batch = b
	q := p.seed.broadcast(b, p.width)
	return p.Block.Forward(q, x, b, p.seed.m, n, mask), p.seed.m
}

// Backward returns dx.
func (p *PMA) Backward(dy []float64) []float64 {
	dS, dx := p.Block.Backward(dy)
	p.seed.accumulate(dS, p.batch, p.width)
	return dx
}
