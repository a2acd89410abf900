package sim

import (
	"math"
	"math/rand/v2"
)

// This file adds interactions: a product column x_a·x_b of two simulated
// predictors, which takes the last of the d fixed-effect slots, and the
// choice of the random-effect columns, which may include it. See the
// package documentation, "Interactions".

// minResidualShare is the smallest share 1 − R² of a product column's
// centred variance left unexplained by the other columns: below it the
// product is (nearly) a linear combination of them, as the product of two
// dummies that are never both 1 (all zero) or of a dummy with one that is
// 1 whenever it is (equal to it), and X would be singular.
const minResidualShare = 1e-6

// drawInteraction decides whether a dataset of d fixed effects spends its
// last one on an interaction: with probability Interaction when d ≥ 4, so
// that two main effects, the product and one more column fit. A zero
// probability, or d < 4, draws nothing from rng.
func (c *Config) drawInteraction(rng *rand.Rand, d int) bool {
	return d >= 4 && c.Interaction > 0 && rng.Float64() < c.Interaction
}

// addInteraction appends to the n×d x (intercept in column 0) the product
// of two of its columns 1..d−1 and returns the n×(d+1) result and the two
// columns, a < b. The pairs are tried in random order, those with column
// prefer first when prefer > 0 (the time of a longitudinal design); the
// first whose product is not constant and not nearly a linear combination
// of the other columns (minResidualShare) is kept. When none is, it
// returns x and nil.
func addInteraction(rng *rand.Rand, x []float64, d, prefer int) ([]float64, []int) {
	if d < 3 {
		return x, nil
	}
	var first, rest [][2]int
	for a := 1; a < d; a++ {
		for b := a + 1; b < d; b++ {
			if a == prefer || b == prefer {
				first = append(first, [2]int{a, b})
			} else {
				rest = append(rest, [2]int{a, b})
			}
		}
	}
	shuffle(rng, first)
	shuffle(rng, rest)
	n := len(x) / d
	w := d + 1
	out := make([]float64, n*w)
	for r := range n {
		copy(out[r*w:r*w+d], x[r*d:r*d+d])
	}
	for _, ab := range append(first, rest...) {
		for r := range n {
			row := out[r*w : r*w+w]
			row[d] = row[ab[0]] * row[ab[1]]
		}
		if residualShare(out, w) >= minResidualShare {
			return out, []int{ab[0], ab[1]}
		}
	}
	return x, nil
}

// residualShare returns 1 − R² of the last column of the n×w x regressed
// on the others (column 0 is the intercept): the last squared pivot of the
// Cholesky factor of the centred cross-product matrix of columns 1..w−1
// over its diagonal entry. Columns already dependent on earlier ones are
// skipped. A constant last column gives 0.
func residualShare(x []float64, w int) float64 {
	k := w - 1
	n := len(x) / w
	mean := make([]float64, k)
	for r := range n {
		for j := range k {
			mean[j] += x[r*w+1+j]
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	g := make([]float64, k*k)
	c := make([]float64, k)
	for r := range n {
		for j := range k {
			c[j] = x[r*w+1+j] - mean[j]
		}
		for i := range k {
			for j := range i + 1 {
				g[i*k+j] += c[i] * c[j]
			}
		}
	}
	diag := make([]float64, k)
	for i := range k {
		diag[i] = g[i*k+i]
	}
	if !(diag[k-1] > 0) || math.IsInf(diag[k-1], 0) {
		return 0
	}
	// In-place Cholesky of the lower triangle; a column whose pivot is
	// below minResidualShare of its variance depends on the earlier ones
	// and is skipped (its row of the factor zeroed).
	share := 0.0
	for i := range k {
		for j := range i {
			if g[j*k+j] == 0 {
				g[i*k+j] = 0
				continue
			}
			s := g[i*k+j]
			for t := range j {
				s -= g[i*k+t] * g[j*k+t]
			}
			g[i*k+j] = s / g[j*k+j]
		}
		s := g[i*k+i]
		for t := range i {
			s -= g[i*k+t] * g[i*k+t]
		}
		share = s / diag[i]
		g[i*k+i] = 0
		if share > minResidualShare {
			g[i*k+i] = math.Sqrt(s)
		}
	}
	return max(share, 0)
}

// randomColumns returns the columns of X of q random effects: the
// intercept, then the first q−1 of the columns 1..d−1 that vary within
// groups (varies[j−1] for column j), q being capped at one more than their
// number. When the last column is an interaction (inter) that varies
// within groups and is not among them, it replaces the last of them with
// probability InteractionRandom (q ≥ 2); no draw is made otherwise.
func (c *Config) randomColumns(rng *rand.Rand, q int, varies []bool, inter bool) []int {
	cols := make([]int, 0, q)
	if q == 0 {
		return cols
	}
	cols = append(cols, 0)
	for j, v := range varies {
		if len(cols) == q {
			break
		}
		if v {
			cols = append(cols, j+1)
		}
	}
	last := len(varies)
	if inter && len(cols) >= 2 && varies[last-1] && cols[len(cols)-1] != last &&
		c.InteractionRandom > 0 && rng.Float64() < c.InteractionRandom {
		cols[len(cols)-1] = last
	}
	return cols
}

// allTrue returns k values true.
func allTrue(k int) []bool {
	v := make([]bool, k)
	for j := range v {
		v[j] = true
	}
	return v
}

// variesWithin reports whether column j of the n×d x takes two values in
// some group (rows grouped by sizes).
func variesWithin(x []float64, d, j int, sizes []int) bool {
	r := 0
	for _, n := range sizes {
		for i := 1; i < n; i++ {
			if x[(r+i)*d+j] != x[r*d+j] {
				return true
			}
		}
		r += n
	}
	return false
}

// productScale returns the scales of drawParams for standardized columns
// 1..d−2 and a product in column d−1: 1, and the product's sample SD.
func productScale(x []float64, d int) []float64 {
	scale := make([]float64, d)
	for j := range scale {
		scale[j] = 1
	}
	_, scale[d-1] = columnMoments(x[d-1:], d)
	return scale
}
