package sim

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/metabeta-go/metabeta/lmm"
)

// checkRealDesign checks that d can serve as a source of real predictors.
func checkRealDesign(d *lmm.Design) error {
	if d == nil {
		return errors.New("nil design")
	}
	if err := d.Validate(); err != nil {
		return err
	}
	if !d.Intercept {
		return errors.New("design has no intercept")
	}
	if d.N() < 2 {
		return fmt.Errorf("design has %d rows, want at least 2", d.N())
	}
	return nil
}

// realSubset is the part of a real source design that one dataset uses.
type realSubset struct {
	d     int   // fixed effects including the intercept, ≤ the drawn d
	m     int   // groups, ≤ the drawn m
	rows  []int // source rows, grouped: the rows of output group 0 first
	sizes []int // rows per output group
	cols  []int // source columns of X used for output columns 1..d−1
}

// drawRealSubset picks from src: d−1 of its non-intercept columns in random
// order (fewer if it has fewer), m of its groups (all if it has fewer)
// kept in source order, and within each picked group a random subset of its
// rows, kept in source order, of a size drawn as in drawGroupSizes but
// bounded by the rows the group has. Empty source groups are never picked.
func drawRealSubset(rng *rand.Rand, c *Config, src *lmm.Design, d, m int) realSubset {
	return drawRealSubsetSized(rng, src, d, m, func(avail []int) []int {
		return drawGroupSizes(rng, c, len(avail), avail)
	})
}

// drawRealSubsetSized is drawRealSubset with the group sizes drawn by
// sizes, given the rows each picked group has; sizes must return, for each
// group, a size between 1 and its available rows.
func drawRealSubsetSized(rng *rand.Rand, src *lmm.Design, d, m int, sizes func(avail []int) []int) realSubset {
	p := src.P()
	cand := make([]int, 0, p)
	for j := range p {
		if j == 0 && src.Intercept {
			continue
		}
		cand = append(cand, j)
	}
	shuffle(rng, cand)
	cols := cand[:min(d-1, len(cand))]

	byGroup := make([][]int, src.M())
	for i, g := range src.G {
		byGroup[g] = append(byGroup[g], i)
	}
	groups := make([]int, 0, len(byGroup))
	for g, rows := range byGroup {
		if len(rows) > 0 {
			groups = append(groups, g)
		}
	}
	shuffle(rng, groups)
	groups = groups[:min(m, len(groups))]
	slices.Sort(groups)

	avail := make([]int, len(groups))
	for k, g := range groups {
		avail[k] = len(byGroup[g])
	}
	size := sizes(avail)
	rows := make([]int, 0, sum(size))
	for k, g := range groups {
		pick := slices.Clone(byGroup[g])
		shuffle(rng, pick)
		pick = pick[:size[k]]
		slices.Sort(pick)
		rows = append(rows, pick...)
	}
	return realSubset{d: 1 + len(cols), m: len(groups), rows: rows, sizes: size, cols: cols}
}

// fill writes the subset's predictors into the n×d row-major x with the
// intercept column set to one; the caller standardizes the rest.
func (s realSubset) fill(src *lmm.Design, x []float64) {
	p, d := src.P(), s.d
	for r, i := range s.rows {
		x[r*d] = 1
		for k, j := range s.cols {
			x[r*d+1+k] = src.X[i*p+j]
		}
	}
}

// shuffle permutes x uniformly (Fisher–Yates) with rng.
func shuffle[T any](rng *rand.Rand, x []T) {
	rng.Shuffle(len(x), func(i, j int) { x[i], x[j] = x[j], x[i] })
}
