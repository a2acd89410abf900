package sim

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// This file draws the design sources of Config.Designs other than the
// legacy path: predictors in their own units, located away from zero, on
// shared grids, constant within groups, with rare levels, and groups of a
// single row. See the package documentation, "Design sources".

// trainingWeights are TrainingMix's source weights, indexed by Source.
var trainingWeights = [NumSources]float64{
	SourceSynthetic:    0.40,
	SourceReal:         0.25,
	SourceShifted:      0.10,
	SourceLongitudinal: 0.15,
	SourceBetween:      0.10,
}

// mixed reports whether c draws from the Designs mixture.
func (c *Config) mixed() bool {
	return c.Designs != [NumSources]float64{}
}

// validateDesigns checks Designs against the other fields.
func (c *Config) validateDesigns() error {
	total := 0.0
	for s, w := range c.Designs {
		if !(w >= 0) || math.IsInf(w, 0) {
			return fmt.Errorf("sim: config: Designs[%v] = %g, want finite ≥ 0", Source(s), w)
		}
		total += w
	}
	switch {
	case total == 0:
		return nil
	case c.RealFraction != 0:
		return fmt.Errorf("sim: config: RealFraction = %g and Designs are both set; use Designs[SourceReal] alone", c.RealFraction)
	case c.Designs[SourceReal] > 0 && len(c.RealDesigns) == 0:
		return errors.New("sim: config: Designs[SourceReal] > 0 but RealDesigns is empty (load them with LoadRealDesigns)")
	}
	return nil
}

// pickSource draws a source with probabilities proportional to w.
func pickSource(rng *rand.Rand, w *[NumSources]float64) Source {
	return Source(pickWeighted(rng, w[:]))
}

// drawMixed makes one attempt at a dataset of the Designs mixture, given
// the drawn shape (d, q, m). The synthetic source is the legacy synthetic
// path; the others keep their predictors in their own units, cap q so that
// random slopes fall only on predictors that vary within groups, and write
// the prior in the design's units (drawParams with the column SDs).
func (s *Simulator) drawMixed(rng *rand.Rand, d, q, m int) (*Sample, error) {
	c := &s.cfg
	smp := &Sample{RealDesign: -1, Source: pickSource(rng, &c.Designs)}
	var (
		sizes  []int
		x      []float64
		within int // leading non-intercept columns that vary within groups
		err    error
	)
	inter := c.drawInteraction(rng, d)
	if inter {
		d-- // the predictors the product is made of
	}
	switch smp.Source {
	case SourceSynthetic:
		sizes = drawGroupSizes(rng, c, m, nil)
		x = interceptOnly(sum(sizes), d)
		if smp.Families, err = synthetic(rng, c, sum(sizes), d, x); err != nil {
			return nil, err
		}
		s.finishSample(rng, smp, x, d, q, sizes, inter)
		return smp, nil
	case SourceShifted:
		sizes = drawGroupSizes(rng, c, m, nil)
		singletons(rng, sizes)
		x = interceptOnly(sum(sizes), d)
		if smp.Families, err = shifted(rng, c, sum(sizes), d, x); err != nil {
			return nil, err
		}
		within = d - 1
	case SourceLongitudinal:
		// Growth curves nearly always have a random slope on time.
		if d >= 2 && q < 2 && c.Random.Max >= 2 && rng.Float64() < 0.5 {
			q = 2
		}
		sizes, x, within, err = longitudinal(rng, c, m, d)
	case SourceBetween:
		sizes = drawGroupSizes(rng, c, m, nil)
		singletons(rng, sizes)
		x, within, err = between(rng, sizes, d)
	case SourceReal:
		smp.RealDesign = rng.IntN(len(c.RealDesigns))
		src := c.RealDesigns[smp.RealDesign]
		sub := drawRealSubsetSized(rng, src, d, m, func(avail []int) []int {
			return realSizes(rng, c, avail)
		})
		d, sizes = sub.d, sub.sizes
		x = make([]float64, len(sub.rows)*d)
		sub.fill(src, x)
		within = withinFirst(x, d, sizes, sub.cols)
		smp.SourceRows, smp.SourceCols = sub.rows, sub.cols
	default:
		panic("sim: unknown design source")
	}
	if err != nil {
		return nil, err
	}
	varies := make([]bool, d-1, d)
	for j := range within {
		varies[j] = true
	}
	if inter {
		prefer := 0
		if smp.Source == SourceLongitudinal && rng.Float64() < 0.75 {
			prefer = 1 // time × treatment or covariate
		}
		if x, smp.Interaction = addInteraction(rng, x, d, prefer); smp.Interaction != nil {
			d++
			varies = append(varies, variesWithin(x, d, d-1, sizes))
		}
	}
	scale := make([]float64, d)
	scale[0] = 1
	for j := 1; j < d; j++ {
		_, sd := columnMoments(x[j:], d)
		if !(sd > 0) || math.IsInf(sd, 0) {
			return nil, errDegenerate
		}
		scale[j] = sd
	}
	random := c.randomColumns(rng, min(q, d), varies, smp.Interaction != nil)
	smp.Design = newDesign(d, random, smp.Interaction, sizes, x)
	smp.GroupLevel = make([]bool, d-1)
	for j, v := range varies {
		smp.GroupLevel[j] = !v
	}
	s.drawParams(rng, smp, scale)
	return smp, nil
}

// interceptOnly returns an n×d row-major matrix with ones in column 0.
func interceptOnly(n, d int) []float64 {
	x := make([]float64, n*d)
	for r := range n {
		x[r*d] = 1
	}
	return x
}

// singletons, with probability ⅓, turns each group into a group of one row
// with probability u ~ U(0, ½), the same u for the whole dataset.
func singletons(rng *rand.Rand, sizes []int) {
	if rng.Float64() >= 1.0/3 {
		return
	}
	u := uniform(rng, 0, 0.5)
	for g := range sizes {
		if rng.Float64() < u {
			sizes[g] = 1
		}
	}
}

// shifted fills columns 1..d−1 of the n×d x with metabeta's correlated
// mixture (synthetic) and moves each column into its own units: a binary
// column back to 0/1; a negative-binomial one to the integer counts
// max(0, round(λ + √λ·z)), λ ~ logU(0.5, 100); any other to s·(μ + z) with
// |μ| ~ U(0.5, 6) (negative with probability 0.2) and s ~ logU(0.1, 100).
// z is the column's z-score, so the LKJ correlation survives up to the
// rounding of counts.
func shifted(rng *rand.Rand, c *Config, n, d int, x []float64) ([]Family, error) {
	fam, err := synthetic(rng, c, n, d, x)
	if err != nil {
		return nil, err
	}
	for j, f := range fam {
		col := x[1+j:]
		switch {
		case f.Binary():
			for i := 0; i < len(col); i += d {
				col[i] = bernoulliValue(col[i] > 0)
			}
		case f == FamilyNegBinomial:
			lambda := logUniform(rng, 0.5, 100)
			for i := 0; i < len(col); i += d {
				col[i] = max(0, math.Round(lambda+math.Sqrt(lambda)*col[i]))
			}
		default:
			loc, sc := location(rng), logUniform(rng, 0.1, 100)
			for i := 0; i < len(col); i += d {
				col[i] = sc * (loc + col[i])
			}
		}
	}
	return fam, nil
}

// location returns a location in SDs away from zero: |μ| ~ U(0.5, 6),
// negative with probability 0.2.
func location(rng *rand.Rand) float64 {
	mu := uniform(rng, 0.5, 6)
	if rng.Float64() < 0.2 {
		mu = -mu
	}
	return mu
}

// bernoulliValue returns 1 for true and 0 for false.
func bernoulliValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// Column kinds of the longitudinal and between sources.
const (
	colShifted      = iota // row-level s·(μ + z), z ~ N(0, 1)
	colCount               // row-level Poisson(λ), λ ~ logU(0.5, 100)
	colRareDummy           // row-level Bernoulli(p), p ~ logU(0.01, 0.1)
	colGroupShifted        // group-level s·(μ + z_g)
	colGroupBinary         // group-level Bernoulli(p), p ~ logU(0.03, 0.5)
	colGroupFactor         // group-level factor with rare levels, L−1 dummies
)

// fillKind fills the k columns first, first+1, … of the n×d x (rows of
// group G(r)) with one draw of kind, retrying up to maxColumnTries times
// while a column comes out constant; k is 1 except for colGroupFactor,
// whose L = k+1 levels have probabilities ∝ (1, w_2, …, w_L), w_l ~
// logU(0.02, 0.5), and which gets one treatment dummy per level but the
// first.
func fillKind(rng *rand.Rand, kind int, x []float64, d, first, k int, sizes []int) error {
	m := len(sizes)
	gv := make([]float64, m*k)
	for try := 0; ; try++ {
		if try == maxColumnTries {
			return errDegenerate
		}
		switch kind {
		case colShifted:
			loc, sc := location(rng), logUniform(rng, 0.1, 100)
			rowwise(x, d, first, func() float64 { return sc * (loc + rng.NormFloat64()) })
		case colCount:
			lambda := logUniform(rng, 0.5, 100)
			rowwise(x, d, first, func() float64 { return float64(poisson(rng, lambda)) })
		case colRareDummy:
			p := logUniform(rng, 0.01, 0.1)
			rowwise(x, d, first, func() float64 { return bernoulli(rng, p) })
		case colGroupShifted:
			loc, sc := location(rng), logUniform(rng, 0.1, 100)
			for g := range m {
				gv[g] = sc * (loc + rng.NormFloat64())
			}
		case colGroupBinary:
			p := logUniform(rng, 0.03, 0.5)
			for g := range m {
				gv[g] = bernoulli(rng, p)
			}
		case colGroupFactor:
			w := make([]float64, k+1)
			w[0] = 1
			total := 1.0
			for l := 1; l <= k; l++ {
				w[l] = logUniform(rng, 0.02, 0.5)
				total += w[l]
			}
			clear(gv)
			for g := range m {
				u, l := rng.Float64()*total, 0
				for l < k && u >= w[l] {
					u -= w[l]
					l++
				}
				if l > 0 {
					gv[g*k+l-1] = 1
				}
			}
		default:
			panic("sim: unknown column kind")
		}
		if kind >= colGroupShifted {
			r := 0
			for g, n := range sizes {
				for range n {
					copy(x[r*d+first:r*d+first+k], gv[g*k:g*k+k])
					r++
				}
			}
		}
		ok := true
		for j := first; j < first+k; j++ {
			if _, sd := columnMoments(x[j:], d); !(sd > 0) || math.IsInf(sd, 0) {
				ok = false
			}
		}
		if ok {
			return nil
		}
	}
}

// rowwise sets column j of the row-major x with row stride d to draws of f.
func rowwise(x []float64, d, j int, f func() float64) {
	for i := j; i < len(x); i += d {
		x[i] = f()
	}
}

// pickKind draws an index with probabilities proportional to w.
func pickKind(rng *rand.Rand, w ...float64) int {
	total := 0.0
	for _, v := range w {
		total += v
	}
	u := rng.Float64() * total
	for i, v := range w {
		if u < v {
			return i
		}
		u -= v
	}
	return len(w) - 1
}

// longitudinal draws a balanced longitudinal design: a grid of T points,
// T ~ U{3, …, min(20, GroupSize.Max, MaxRows/m)}, starting at 0 or at
// h·U{1, …, ⌊1.5T⌋} (even odds) with step h = 1 or h ~ logU(0.05, 20)
// rounded to two digits (even odds), regular or (probability 0.4) with gaps U{1, …, 4}·h, shared by every
// group as x1. Each group keeps the whole grid (probability 0.55), a first
// part of it of U{1, …, T} points (dropout, 0.25), or each point with a
// per-dataset probability U(0.5, 0.95) and at least one (0.2). Columns
// x2, … are time-varying shifted covariates (weight 0.3), group-level
// binaries p ~ U(0.2, 0.8) as a treatment (0.4) or group-level shifted
// values (0.3), the time-varying ones first. It returns the sizes, the
// n×d predictors and the number of leading columns that vary within groups.
func longitudinal(rng *rand.Rand, c *Config, m, d int) ([]int, []float64, int, error) {
	hi := min(20, c.GroupSize.Max)
	if c.MaxRows > 0 {
		hi = min(hi, c.MaxRows/m)
	}
	t := intBetween(rng, 3, max(3, hi))
	h := 1.0
	if rng.Float64() < 0.5 {
		h = roundTwoDigits(logUniform(rng, 0.05, 20))
	}
	start := 0.0
	if rng.Float64() < 0.5 {
		start = h * float64(intBetween(rng, 1, 3*t/2))
	}
	irregular := rng.Float64() < 0.4
	grid := make([]float64, t)
	step := 0
	for k := range grid {
		grid[k] = start + h*float64(step)
		gap := 1
		if irregular {
			gap = intBetween(rng, 1, 4)
		}
		step += gap
	}
	cells := make([][]int, m)
	pattern, keep := rng.Float64(), 0.0
	if pattern >= 0.8 {
		keep = uniform(rng, 0.5, 0.95)
	}
	for g := range cells {
		switch {
		case pattern < 0.55:
			cells[g] = seq(t)
		case pattern < 0.8:
			cells[g] = seq(intBetween(rng, 1, t))
		default:
			for k := range t {
				if rng.Float64() < keep {
					cells[g] = append(cells[g], k)
				}
			}
			if len(cells[g]) == 0 {
				cells[g] = []int{rng.IntN(t)}
			}
		}
	}
	sizes := make([]int, m)
	ones := make([]int, m)
	for g := range cells {
		sizes[g], ones[g] = len(cells[g]), 1
	}
	capRows(sizes, ones, c.MaxRows)

	kinds := make([]int, max(0, d-2)) // columns x2, …
	for j := range kinds {
		kinds[j] = []int{colShifted, colGroupBinary, colGroupShifted}[pickKind(rng, 0.3, 0.4, 0.3)]
	}
	slices.Sort(kinds) // colShifted, the only time-varying kind, first
	n := sum(sizes)
	x := interceptOnly(n, d)
	if d > 1 {
		r := 0
		for g, size := range sizes {
			for _, k := range cells[g][:size] {
				x[r*d+1] = grid[k]
				r++
			}
		}
	}
	within := min(d-1, 1)
	for j, kind := range kinds {
		if err := fillKind(rng, kind, x, d, 2+j, 1, sizes); err != nil {
			return nil, nil, 0, err
		}
		if kind == colShifted {
			within++
		}
	}
	return sizes, x, within, nil
}

// roundTwoDigits rounds x > 0 to two significant digits, as a measurement
// step would be (0.25, 1.5, 12).
func roundTwoDigits(x float64) float64 {
	u := math.Pow(10, math.Floor(math.Log10(x))-1)
	return math.Round(x/u) * u
}

// seq returns 0, 1, …, n−1.
func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

// between fills a design whose last nb ~ U{1, …, d−1} columns are
// group-level and the others row-level. Row-level columns are shifted
// (weight 0.5), counts (0.2) or rare dummies (0.3); group-level ones are
// shifted (0.4), binary with a possibly rare level (0.3) or a factor of
// 3–4 levels with rare ones (0.3, when two or more columns remain; its
// dummies take one column each). It returns the n×d predictors and the
// number of row-level columns.
func between(rng *rand.Rand, sizes []int, d int) ([]float64, int, error) {
	x := interceptOnly(sum(sizes), d)
	if d < 2 {
		return x, 0, nil
	}
	nb := intBetween(rng, 1, d-1)
	within := d - 1 - nb
	for j := 1; j <= within; j++ {
		kind := []int{colShifted, colCount, colRareDummy}[pickKind(rng, 0.5, 0.2, 0.3)]
		if err := fillKind(rng, kind, x, d, j, 1, sizes); err != nil {
			return nil, 0, err
		}
	}
	for j := within + 1; j < d; {
		kind := []int{colGroupShifted, colGroupBinary, colGroupFactor}[pickKind(rng, 0.4, 0.3, 0.3)]
		k := 1
		if kind == colGroupFactor {
			if d-j < 2 {
				kind = colGroupBinary
			} else {
				k = intBetween(rng, 2, min(3, d-j))
			}
		}
		if err := fillKind(rng, kind, x, d, j, k, sizes); err != nil {
			return nil, 0, err
		}
		j += k
	}
	return x, within, nil
}

// realSizes draws the sizes of the picked source groups with avail rows:
// with probability ½ each keeps all its rows (up to GroupSize.Max), else
// sizes are drawn as in drawGroupSizes but may go down to one row; totals
// above MaxRows are shrunk proportionally, not below one row.
func realSizes(rng *rand.Rand, c *Config, avail []int) []int {
	if rng.Float64() < 0.5 {
		return drawSizesFloor(rng, c, len(avail), avail, 1)
	}
	sizes := make([]int, len(avail))
	ones := make([]int, len(avail))
	for g, a := range avail {
		sizes[g], ones[g] = min(a, c.GroupSize.Max), 1
	}
	capRows(sizes, ones, c.MaxRows)
	return sizes
}

// withinFirst reorders the non-intercept columns of the n×d x, and cols
// with them, so that the columns that vary within at least one group come
// first, each part keeping its order, and returns how many vary within.
func withinFirst(x []float64, d int, sizes []int, cols []int) int {
	varies := make([]bool, d-1)
	for j := range varies {
		varies[j] = variesWithin(x, d, 1+j, sizes)
	}
	order := make([]int, 0, d-1)
	for pass := range 2 {
		for j, v := range varies {
			if v == (pass == 0) {
				order = append(order, j)
			}
		}
	}
	within := 0
	for _, v := range varies {
		if v {
			within++
		}
	}
	row := make([]float64, d-1)
	for r := 0; r < len(x); r += d {
		for k, j := range order {
			row[k] = x[r+1+j]
		}
		copy(x[r+1:r+d], row)
	}
	oc := slices.Clone(cols)
	for k, j := range order {
		cols[k] = oc[j]
	}
	return within
}
