package nn

import (
	"math"
	"math/rand/v2"
)

// MultiHeadAttention is masked multi-head scaled dot-product attention
// (Vaswani et al. 2017) from a query set of size Sq to a key/value set of size
// Sk, batched over B sets:
//
//	Q = Xq·W_Q + b_Q,  K = Xkv·W_K + b_K,  V = Xkv·W_V + b_V
//	head_h = softmax(Q_h K_hᵀ/√d_h + M) V_h,  out = [head_1 … head_H]·W_O + b_O
//
// where Q_h is the h-th block of d_h = D/H columns and M is 0 for real keys
// and −∞ for padded keys, so padded keys get attention weight exactly zero
// and cannot influence any output. A set with no real key gives zero heads.
type MultiHeadAttention struct {
	// Q, K, V are the input projections, O the output projection.
	Q, K, V, O *Dense
	heads      int
	width      int

	b, sq, sk    int
	keyMask      []bool
	q, k, v      []float64
	p, dp        []float64
	kT, vT       []float64 // per (set, head) transposed keys and values, d_h×Sk
	cat, dcat    []float64
	dq, dk, dv   []float64
	dxq, dxkv    []float64
	headDone     func(int)
	headBackDone func(int)
}

// NewMultiHeadAttention returns attention of the given model width and head
// count (width must be divisible by heads), with Xavier-uniform projections.
func NewMultiHeadAttention(name string, width, heads int, rng *rand.Rand) *MultiHeadAttention {
	if heads <= 0 || width%heads != 0 {
		panic("nn: attention width not divisible by heads")
	}
	m := &MultiHeadAttention{heads: heads, width: width}
	m.Q = NewDense(name+".q", width, width, rng)
	m.K = NewDense(name+".k", width, width, rng)
	m.V = NewDense(name+".v", width, width, rng)
	m.O = NewDense(name+".o", width, width, rng)
	for _, d := range []*Dense{m.Q, m.K, m.V, m.O} {
		XavierUniform(rng, d.W, width, width)
	}
	m.init()
	return m
}

func (m *MultiHeadAttention) init() {
	m.headDone = m.forwardHead
	m.headBackDone = m.backwardHead
}

// Params returns the projections' parameters (Q, K, V, O).
func (m *MultiHeadAttention) Params() []*Param {
	var ps []*Param
	for _, d := range []*Dense{m.Q, m.K, m.V, m.O} {
		ps = append(ps, d.Params()...)
	}
	return ps
}

// Replica returns attention sharing parameter values.
func (m *MultiHeadAttention) Replica() *MultiHeadAttention {
	r := &MultiHeadAttention{Q: m.Q.replica(), K: m.K.replica(), V: m.V.replica(), O: m.O.replica(), heads: m.heads, width: m.width}
	r.init()
	return r
}

// Forward attends from xq (b·sq rows of width D) to xkv (b·sk rows).
// keyMask has b·sk entries, true for real keys; nil means all real. The
// returned buffer (b·sq×D) is owned by the layer; inputs must stay unchanged
// until Backward.
func (m *MultiHeadAttention) Forward(xq, xkv []float64, b, sq, sk int, keyMask []bool) []float64 {
	D := m.width
	if len(xq) != b*sq*D || len(xkv) != b*sk*D || (keyMask != nil && len(keyMask) != b*sk) {
		panic("nn: attention input size mismatch")
	}
	m.b, m.sq, m.sk, m.keyMask = b, sq, sk, keyMask
	m.q = m.Q.Forward(xq, b*sq)
	m.k = m.K.Forward(xkv, b*sk)
	m.v = m.V.Forward(xkv, b*sk)
	m.p = grow(m.p, b*m.heads*sq*sk)
	m.kT = grow(m.kT, b*sk*D)
	m.cat = grow(m.cat, b*sq*D)
	ParallelFor(b*m.heads, m.headDone)
	return m.O.Forward(m.cat, b*sq)
}

// forwardHead computes one (set, head) pair: scores, masked softmax and the
// weighted values.
func (m *MultiHeadAttention) forwardHead(i int) {
	D, H, sq, sk := m.width, m.heads, m.sq, m.sk
	bi, h := i/H, i%H
	dh := D / H
	scale := 1 / math.Sqrt(float64(dh))
	off := h * dh
	q := m.q[bi*sq*D+off:]
	k := m.k[bi*sk*D+off:]
	v := m.v[bi*sk*D+off:]
	p := m.p[i*sq*sk : (i+1)*sq*sk]
	// Scores Q_h K_hᵀ as a plain product with an explicit K_hᵀ: gonum's NT
	// kernel does one length-d_h dot per score, the NN kernel length-Sk
	// axpys, which is faster for the small d_h of attention heads.
	kT := transposeBlock(m.kT[i*dh*sk:(i+1)*dh*sk], k, sk, dh, D)
	Gemm(false, false, sq, sk, dh, scale, q, D, kT, sk, 0, p, sk)
	var mask []bool
	if m.keyMask != nil {
		mask = m.keyMask[bi*sk : (bi+1)*sk]
	}
	for r := 0; r < sq; r++ {
		row := p[r*sk : (r+1)*sk]
		mx := math.Inf(-1)
		for j, s := range row {
			if (mask == nil || mask[j]) && s > mx {
				mx = s
			}
		}
		if math.IsInf(mx, -1) {
			clear(row)
			continue
		}
		sum := 0.0
		for j, s := range row {
			if mask == nil || mask[j] {
				e := math.Exp(s - mx)
				row[j] = e
				sum += e
			} else {
				row[j] = 0
			}
		}
		inv := 1 / sum
		for j := range row {
			row[j] *= inv
		}
	}
	Gemm(false, false, sq, dh, sk, 1, p, sk, v, D, 0, m.cat[bi*sq*D+off:], D)
}

// Backward takes the gradient with respect to the output and returns the
// gradients with respect to xq and xkv (layer-owned), accumulating parameter
// gradients.
func (m *MultiHeadAttention) Backward(dy []float64) (dxq, dxkv []float64) {
	b, sq, sk, D := m.b, m.sq, m.sk, m.width
	m.dcat = m.O.Backward(dy)
	m.dp = grow(m.dp, len(m.p))
	m.dq = grow(m.dq, b*sq*D)
	m.dk = grow(m.dk, b*sk*D)
	m.dv = grow(m.dv, b*sk*D)
	m.vT = grow(m.vT, b*sk*D)
	ParallelFor(b*m.heads, m.headBackDone)
	gq := m.Q.Backward(m.dq)
	m.dxq = grow(m.dxq, len(gq))
	copy(m.dxq, gq)
	gk := m.K.Backward(m.dk)
	m.dxkv = grow(m.dxkv, len(gk))
	copy(m.dxkv, gk)
	gv := m.V.Backward(m.dv)
	for i, g := range gv {
		m.dxkv[i] += g
	}
	return m.dxq, m.dxkv
}

// backwardHead back-propagates one (set, head) pair through
// O_h = P V_h, P = softmax(S), S = Q_h K_hᵀ/√d_h:
// dV_h = Pᵀ dO_h, dP = dO_h V_hᵀ, dS = P ⊙ (dP − rowsum(dP ⊙ P)),
// dQ_h = dS K_h/√d_h, dK_h = dSᵀ Q_h/√d_h.
func (m *MultiHeadAttention) backwardHead(i int) {
	D, H, sq, sk := m.width, m.heads, m.sq, m.sk
	bi, h := i/H, i%H
	dh := D / H
	scale := 1 / math.Sqrt(float64(dh))
	off := h * dh
	qo, ko := bi*sq*D+off, bi*sk*D+off
	p := m.p[i*sq*sk : (i+1)*sq*sk]
	dp := m.dp[i*sq*sk : (i+1)*sq*sk]
	dO := m.dcat[qo:]
	vT := transposeBlock(m.vT[i*dh*sk:(i+1)*dh*sk], m.v[ko:], sk, dh, D)
	Gemm(false, false, sq, sk, dh, 1, dO, D, vT, sk, 0, dp, sk)
	Gemm(true, false, sk, dh, sq, 1, p, sk, dO, D, 0, m.dv[ko:], D)
	for r := 0; r < sq; r++ {
		pr := p[r*sk : (r+1)*sk]
		dr := dp[r*sk : (r+1)*sk]
		dot := 0.0
		for j := range pr {
			dot += pr[j] * dr[j]
		}
		for j := range pr {
			dr[j] = pr[j] * (dr[j] - dot)
		}
	}
	Gemm(false, false, sq, dh, sk, scale, dp, sk, m.k[ko:], D, 0, m.dq[qo:], D)
	Gemm(true, false, sk, dh, sq, scale, dp, sk, m.q[qo:], D, 0, m.dk[ko:], D)
}

// transposeBlock writes the transpose of the rows×cols block of src (leading
// dimension ld) into dst (cols×rows) and returns dst.
func transposeBlock(dst, src []float64, rows, cols, ld int) []float64 {
	for r := 0; r < rows; r++ {
		row := src[r*ld : r*ld+cols]
		for c, v := range row {
			dst[c*rows+r] = v
		}
	}
	return dst
}
