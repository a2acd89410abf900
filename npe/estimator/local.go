package estimator

// LocalWidth is the width of one observation token of the local set
// transformer (Config.Tokens "local" and "both"): the standardized y', the
// MaxP columns of x' and the MaxQ columns of z', padded with zeros
// (metabeta's observation-level input [y, X, Z]).
const LocalWidth = 1 + MaxP + MaxQ

// localBudget bounds the padded observation tokens (groups × largest group)
// of one sub-batch when the local set transformer runs, as tokenBudget does
// for group tokens.
const localBudget = 32768

// groupTokenWidth is the width of the summary network's group tokens.
func (c Config) groupTokenWidth() int {
	switch c.Tokens {
	case "local":
		return c.Width + 2
	case "both":
		return TokenWidth + c.Width
	}
	return TokenWidth
}

// fillGroupTokens writes the summary network's input for a batch, b sets
// of s group tokens (s the most groups in the batch), and its mask. With
// local tokens it first runs the local set transformer over every group of
// the batch.
func (m *Model) fillGroupTokens(batch []*prepared, s int) {
	b, gw := len(batch), m.Config.groupTokenWidth()
	m.tokens = grow(m.tokens, b*s*gw)
	clear(m.tokens)
	m.tokMask = growBool(m.tokMask, b*s)
	clear(m.tokMask)
	var pooled []float64
	if m.local != nil {
		pooled = m.localForward(batch)
	}
	W, k := m.Config.Width, 0
	for i, pr := range batch {
		for g := 0; g < pr.m; g++ {
			m.tokMask[i*s+g] = true
			t := m.tokens[(i*s+g)*gw : (i*s+g+1)*gw]
			stats := pr.tokens[g*TokenWidth : (g+1)*TokenWidth]
			switch m.Config.Tokens {
			case "local":
				copy(t, pooled[k*W:(k+1)*W])
				t[W], t[W+1] = stats[0], stats[1] // √n_g/10, log n_g/4
			case "both":
				copy(t, stats)
				copy(t[TokenWidth:], pooled[k*W:(k+1)*W])
			default:
				copy(t, stats)
			}
			k++
		}
	}
	m.tokS = s
}

// localForward runs the local set transformer over the groups of every
// dataset of the batch, in order, each a set of its observations padded to
// the largest group, and returns one pooled row of Width per group.
func (m *Model) localForward(batch []*prepared) []float64 {
	sets, nmax := 0, 1
	for _, pr := range batch {
		sets += pr.m
		nmax = max(nmax, pr.maxGroup)
	}
	m.obs = grow(m.obs, sets*nmax*LocalWidth)
	clear(m.obs)
	m.obsMask = growBool(m.obsMask, sets*nmax)
	clear(m.obsMask)
	base := 0
	for _, pr := range batch {
		ds := pr.std
		p := ds.P()
		if cap(m.cursor) < pr.m {
			m.cursor = make([]int, pr.m)
		}
		m.cursor = m.cursor[:pr.m]
		clear(m.cursor)
		for i, g := range ds.G {
			slot := (base+g)*nmax + m.cursor[g]
			m.cursor[g]++
			m.obsMask[slot] = true
			t := m.obs[slot*LocalWidth : (slot+1)*LocalWidth]
			x := ds.X[i*p : (i+1)*p]
			t[0] = ds.Y[i]
			copy(t[1:], x)
			for k, c := range ds.RandomCol {
				t[1+MaxP+k] = x[c]
			}
		}
		base += pr.m
	}
	return m.local.Forward(m.obs, sets, nmax, m.obsMask)
}

// localBackward back-propagates the gradient of the summary network's
// input tokens dtok (as written by fillGroupTokens for the last batch)
// into the local set transformer.
func (m *Model) localBackward(batch []*prepared, dtok []float64) {
	gw, W, s := m.Config.groupTokenWidth(), m.Config.Width, m.tokS
	off := 0
	if m.Config.Tokens == "both" {
		off = TokenWidth
	}
	sets := 0
	for _, pr := range batch {
		sets += pr.m
	}
	m.dpooled = grow(m.dpooled, sets*W)
	k := 0
	for i, pr := range batch {
		for g := 0; g < pr.m; g++ {
			copy(m.dpooled[k*W:(k+1)*W], dtok[(i*s+g)*gw+off:])
			k++
		}
	}
	m.local.Backward(m.dpooled)
}
