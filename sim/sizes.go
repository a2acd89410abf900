package sim

import (
	"math"
	"math/rand/v2"
)

// drawShape draws d (uniform), q (uniform on [min(d, Random.Min), min(d,
// Random.Max)]) and m (log-uniform, rounded down). Group sizes are drawn
// separately by drawGroupSizes because the real-design source bounds them
// by the rows available.
func drawShape(rng *rand.Rand, c *Config) (d, q, m int) {
	d = intBetween(rng, c.Fixed.Min, c.Fixed.Max)
	q = intBetween(rng, min(d, c.Random.Min), min(d, c.Random.Max))
	m = int(logUniform(rng, float64(c.Groups.Min), float64(c.Groups.Max)+1))
	m = max(c.Groups.Min, min(m, c.Groups.Max))
	return d, q, m
}

// drawGroupSizes draws the sizes of m groups: a per-dataset mean μ
// log-uniform on [GroupSize.Min, min(GroupSize.Max, MaxRows/m)], then
// n_g ~ Poisson(λ_g), λ_g ~ Gamma(k, μ/k) with k = GroupSizeShape, clamped
// to [GroupSize.Min, GroupSize.Max]. When avail is non-nil, group g is also
// bounded by avail[g] rows (and its lower bound lowered to avail[g] when
// that is smaller). Finally the sizes are shrunk proportionally if their
// total exceeds MaxRows.
func drawGroupSizes(rng *rand.Rand, c *Config, m int, avail []int) []int {
	return drawSizesFloor(rng, c, m, avail, c.GroupSize.Min)
}

// drawSizesFloor is drawGroupSizes with the clamp's lower bound floor in
// place of GroupSize.Min (the mean μ is drawn as there); a floor of 1 lets
// a subsample keep single rows of a group.
func drawSizesFloor(rng *rand.Rand, c *Config, m int, avail []int, floor int) []int {
	hi := float64(c.GroupSize.Max)
	if c.MaxRows > 0 {
		hi = min(hi, float64(c.MaxRows)/float64(m))
	}
	lo := float64(c.GroupSize.Min)
	hi = max(hi, lo)
	mu := logUniform(rng, lo, hi)
	k := c.GroupSizeShape
	sizes := make([]int, m)
	lower := make([]int, m)
	for g := range sizes {
		lower[g] = floor
		upper := c.GroupSize.Max
		if avail != nil {
			upper = min(upper, avail[g])
			lower[g] = min(lower[g], avail[g])
		}
		n := poisson(rng, gamma(rng, k)*mu/k)
		sizes[g] = max(lower[g], min(n, upper))
	}
	capRows(sizes, lower, c.MaxRows)
	return sizes
}

// capRows shrinks sizes proportionally, not below lower, until their total
// is at most maxRows (0 means no cap). The caller guarantees
// Σ lower ≤ maxRows.
func capRows(sizes, lower []int, maxRows int) {
	total := sum(sizes)
	if maxRows <= 0 || total <= maxRows {
		return
	}
	r := float64(maxRows) / float64(total)
	for g, n := range sizes {
		sizes[g] = max(lower[g], int(math.Floor(float64(n)*r)))
	}
	for total = sum(sizes); total > maxRows; total-- {
		big := -1
		for g, n := range sizes {
			if n > lower[g] && (big < 0 || n > sizes[big]) {
				big = g
			}
		}
		sizes[big]--
	}
}

func sum(x []int) int {
	s := 0
	for _, v := range x {
		s += v
	}
	return s
}
