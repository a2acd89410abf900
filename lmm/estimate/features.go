package estimate

import (
	"fmt"
	"math"

	"github.com/metabeta-go/metabeta/lmm"
)

// FeatureLayout fixes the width of the group tokens that GroupFeatures
// writes, so that designs with different numbers of terms share one
// network input. It has K = MaxP − 1 predictor slots (the non-intercept
// columns of X, in order) and the response, v = [x_1..x_K, y]:
//
//	[0]                    log n_g
//	[1]                    1/√n_g
//	[2 : 3+K]              within-group means v̄_g (K predictors, then y)
//	[3+K : 3+K+T]          within-group centred second moments
//	                       C_ab = (1/n_g) Σ_i (v_ia − v̄_a)(v_ib − v̄_b),
//	                       a ≤ b, row-major upper triangle, T = (K+1)(K+2)/2
//	[3+K+T : 3+2K+T]       1 where predictor slot j is a random slope
//	[3+2K+T]               1 when the model has a random intercept
//
// Slots of predictors the design lacks hold 0 and are false in the mask.
// Together with n_g these are the group's exact sufficient statistics for
// the LMM likelihood when Z ⊆ X (every entry of Z_gᵀZ_g, Z_gᵀX_g, Z_gᵀy_g
// and the group's contribution to XᵀX, Xᵀy, yᵀy is a function of them).
// Features are meant for a standardized design (Standardize), where every
// entry is O(1).
type FeatureLayout struct {
	MaxP int // most fixed effects, intercept included (K = MaxP − 1 slots)
	MaxQ int // most random effects
}

// Width returns the number of features per group.
func (l FeatureLayout) Width() int {
	k := l.MaxP - 1
	return 3 + 2*k + (k+1)*(k+2)/2 + 1
}

// slots returns K, the number of predictor slots.
func (l FeatureLayout) slots() int { return l.MaxP - 1 }

// Names returns a name for each feature, for documentation and debugging.
func (l FeatureLayout) Names() []string {
	k := l.slots()
	v := func(a int) string {
		if a == k {
			return "y"
		}
		return fmt.Sprintf("x%d", a+1)
	}
	names := []string{"log_n", "inv_sqrt_n"}
	for a := 0; a <= k; a++ {
		names = append(names, "mean_"+v(a))
	}
	for a := 0; a <= k; a++ {
		for b := a; b <= k; b++ {
			names = append(names, "cov_"+v(a)+"_"+v(b))
		}
	}
	for a := 0; a < k; a++ {
		names = append(names, "random_"+v(a))
	}
	return append(names, "random_intercept")
}

// GroupFeatures writes the group tokens of d into dst (M × Width(),
// row-major) and the feature mask (true for features the design has) into
// mask (length Width()); see FeatureLayout for the layout. It makes two
// passes over the rows and does not allocate. Groups without rows get a
// row of zeros. It panics if d has more fixed or random effects than the
// layout allows or a buffer has the wrong length.
func (l FeatureLayout) GroupFeatures(dst []float64, mask []bool, d *lmm.Design) {
	p, m, w, k := d.P(), d.M(), l.Width(), l.slots()
	off := 0
	if d.Intercept {
		off = 1
	}
	np := p - off // non-intercept predictors
	switch {
	case np > k || d.Q() > l.MaxQ:
		panic(fmt.Sprintf("estimate: GroupFeatures: design has %d predictors and %d random effects, layout allows %d and %d", np, d.Q(), k, l.MaxQ))
	case len(dst) != m*w || len(mask) != w:
		panic("estimate: GroupFeatures: buffer length mismatch")
	}
	clear(dst)
	meanAt := 2
	covAt := meanAt + k + 1
	randAt := covAt + (k+1)*(k+2)/2
	// v index a ∈ [0, K] of predictor slot j (j < np) is j, of y is K.
	vAt := func(i, a int) float64 {
		if a == k {
			return d.Y[i]
		}
		return d.X[i*p+off+a]
	}
	// Pass 1: counts (in slot 0) and sums.
	for i, g := range d.G {
		row := dst[g*w : (g+1)*w]
		row[0]++
		for a := 0; a < np; a++ {
			row[meanAt+a] += vAt(i, a)
		}
		row[meanAt+k] += d.Y[i]
	}
	for g := 0; g < m; g++ {
		row := dst[g*w : (g+1)*w]
		if row[0] == 0 {
			continue
		}
		for a := 0; a <= k; a++ {
			row[meanAt+a] /= row[0]
		}
	}
	// Pass 2: centred cross-products, upper triangle.
	for i, g := range d.G {
		row := dst[g*w : (g+1)*w]
		t := covAt
		for a := 0; a <= k; a++ {
			if a >= np && a < k {
				t += k + 1 - a
				continue
			}
			ea := vAt(i, a) - row[meanAt+a]
			for b := a; b <= k; b++ {
				if b < np || b == k {
					row[t] += ea * (vAt(i, b) - row[meanAt+b])
				}
				t++
			}
		}
	}
	for g := 0; g < m; g++ {
		row := dst[g*w : (g+1)*w]
		n := row[0]
		if n == 0 {
			continue
		}
		for t := covAt; t < randAt; t++ {
			row[t] /= n
		}
		row[0] = math.Log(n)
		row[1] = 1 / math.Sqrt(n)
		for _, c := range d.RandomCol {
			if c < off {
				row[w-1] = 1
			} else {
				row[randAt+c-off] = 1
			}
		}
	}
	// Mask.
	mask[0], mask[1] = true, true
	for a := 0; a <= k; a++ {
		mask[meanAt+a] = a < np || a == k
	}
	t := covAt
	for a := 0; a <= k; a++ {
		for b := a; b <= k; b++ {
			mask[t] = (a < np || a == k) && (b < np || b == k)
			t++
		}
	}
	for a := 0; a < k; a++ {
		mask[randAt+a] = a < np
	}
	mask[w-1] = d.Intercept
}
