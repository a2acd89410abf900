package flow

import (
	"math/rand/v2"

	"github.com/metabeta-go/metabeta/npe/nn"
)

// Permutation reorders dimensions, z_i = x_{π(i)}, with log|det| = 0. It
// is fixed at construction (RealNVP alternation, Dinh et al. 2017; fixed
// random shuffles as in metabeta).
type Permutation struct {
	// Perm is π: output i takes input Perm[i].
	Perm []int
	inv  []int
	n    int
}

// NewPermutation returns a uniformly random permutation of dim dimensions.
func NewPermutation(dim int, rng *rand.Rand) *Permutation {
	return newPermutation(rng.Perm(dim))
}

func newPermutation(perm []int) *Permutation {
	p := &Permutation{Perm: perm, inv: make([]int, len(perm))}
	for i, j := range perm {
		p.inv[j] = i
	}
	return p
}

// Params returns nil.
func (p *Permutation) Params() []*nn.Param { return nil }

// Replica returns the permutation itself (it holds no per-call state besides
// the row count, which is copied).
func (p *Permutation) Replica() Transform { return newPermutation(p.Perm) }

func (p *Permutation) mapMask(dst, src []bool, n int) {
	D := len(p.Perm)
	for r := 0; r < n; r++ {
		for i, j := range p.Perm {
			dst[r*D+i] = src[r*D+j]
		}
	}
}

// Forward sets z_i = x_{π(i)}.
func (p *Permutation) Forward(z, x, _ []float64, _ []bool, _ []float64, n int) {
	D := len(p.Perm)
	p.n = n
	for r := 0; r < n; r++ {
		for i, j := range p.Perm {
			z[r*D+i] = x[r*D+j]
		}
	}
}

// Inverse sets x_{π(i)} = z_i.
func (p *Permutation) Inverse(x, z, _ []float64, _ []bool, _ []float64, n int) {
	D := len(p.Perm)
	for r := 0; r < n; r++ {
		for i, j := range p.Perm {
			x[r*D+j] = z[r*D+i]
		}
	}
}

// Backward sets dx_{π(i)} = dz_i.
func (p *Permutation) Backward(dx, _ []float64, dz, _ []float64) {
	D := len(p.Perm)
	for r := 0; r < p.n; r++ {
		for i, j := range p.Perm {
			dx[r*D+j] = dz[r*D+i]
		}
	}
}

func (p *Permutation) inverseShared(x, z, _ []float64, _ int, mask []bool, logDet []float64, n int, _ *condInput) {
	p.Inverse(x, z, nil, mask, logDet, n)
}
