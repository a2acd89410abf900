package frame

import (
	"errors"
	"fmt"
	"strings"

	"github.com/metabeta-go/metabeta/lmm"
)

// Load reads the CSV file at path, parses formula and builds the design.
// Errors name the file or the formula position at fault.
func Load(path, formula string) (*lmm.Design, error) {
	f, err := ParseFormula(formula)
	if err != nil {
		return nil, err
	}
	fr, err := ReadCSVFile(path)
	if err != nil {
		return nil, err
	}
	d, err := Build(fr, f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return d, nil
}

// predictor is one fixed term of the formula resolved against the frame.
type predictor struct {
	name   string
	col    *column
	factor bool
	levels []string // factor levels over the complete rows
	index  []int    // level of each complete row
	first  int      // first column of X the term fills
	width  int      // number of columns of X the term fills
}

// Build turns a frame and a formula into a design, as lme4's lFormula does:
//
//   - rows with a missing value in the response, a predictor or the grouping
//     factor are dropped and counted in NDropped (na.omit);
//   - text predictors are factors with treatment contrasts: one dummy column
//     per level except the first in sorted order, named column+level
//     ("SexMale"); without an intercept the first factor gets a column for
//     every level; levels absent from the kept rows are dropped;
//   - the grouping factor's levels follow R's factor order;
//   - random slopes use the same columns of X as their fixed term.
//
// Build returns an error, naming the culprit, for an unknown column, a
// non-numeric or non-finite value in the response or a numeric predictor, a
// constant predictor, fewer than two groups, and fewer observations than
// parameters.
func Build(fr *Frame, f *Formula) (*lmm.Design, error) {
	if fr == nil || f == nil {
		panic("frame: Build needs a frame and a formula")
	}
	resp := fr.column(f.Response)
	if resp == nil {
		return nil, unknownColumn(fr, "the response", f.Response)
	}
	if err := resp.numericError(fr, "the response"); err != nil {
		return nil, err
	}
	preds := make([]*predictor, len(f.Fixed))
	for k, name := range f.Fixed {
		c := fr.column(name)
		if c == nil {
			return nil, unknownColumn(fr, "a predictor", name)
		}
		p := &predictor{name: name, col: c, factor: c.isFactor()}
		if !p.factor {
			if err := c.numericError(fr, "a numeric predictor"); err != nil {
				return nil, err
			}
		}
		preds[k] = p
	}
	group := fr.column(f.Group)
	if group == nil {
		return nil, unknownColumn(fr, "the grouping factor", f.Group)
	}

	// Complete cases over every used column.
	used := []*column{resp, group}
	for _, p := range preds {
		used = append(used, p.col)
	}
	rows := make([]int, 0, fr.NumRows())
	for i := range fr.NumRows() {
		if complete(used, i) {
			rows = append(rows, i)
		}
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("no complete rows: each of the %d rows has a missing value in %s", fr.NumRows(), columnList(used))
	}

	// Columns of X.
	fixed := []string{}
	if f.Intercept {
		fixed = append(fixed, "Intercept")
	}
	fullCoding := !f.Intercept // the first factor gets every level
	for _, p := range preds {
		p.first = len(fixed)
		if !p.factor {
			if err := checkNotConstant(p, rows); err != nil {
				return nil, err
			}
			fixed = append(fixed, p.name)
			p.width = 1
			continue
		}
		p.levels, p.index = factorLevels(p.col, rows)
		if len(p.levels) < 2 {
			return nil, fmt.Errorf("predictor %q is constant: every kept row has level %q; a factor needs at least 2 levels", p.name, p.levels[0])
		}
		from := 1
		if fullCoding {
			from, fullCoding = 0, false
		}
		for _, l := range p.levels[from:] {
			fixed = append(fixed, p.name+l)
		}
		p.width = len(p.levels) - from
		p.index = shiftLevels(p.index, from)
	}

	if len(fixed) == 0 {
		return nil, errors.New("the formula has no fixed effects: add the intercept or a predictor")
	}
	if name, dup := firstDuplicate(fixed); dup {
		return nil, fmt.Errorf("two fixed-effect columns are both named %q (a factor dummy name collides with a column name); rename a column", name)
	}

	// Random terms point at the columns of their fixed terms.
	var random []string
	var randomCol []int
	if f.RandomIntercept {
		if !f.Intercept {
			return nil, errors.New("a random intercept needs a fixed intercept")
		}
		random, randomCol = append(random, "Intercept"), append(randomCol, 0)
	}
	for _, r := range f.Random {
		var p *predictor
		for _, q := range preds {
			if q.name == r {
				p = q
			}
		}
		if p == nil {
			return nil, fmt.Errorf("random term %q must also be a fixed term", r)
		}
		for c := p.first; c < p.first+p.width; c++ {
			random, randomCol = append(random, fixed[c]), append(randomCol, c)
		}
	}

	levels, g := factorLevels(group, rows)
	if len(levels) < 2 {
		return nil, fmt.Errorf("grouping factor %q has %d level (%q) in the kept rows; a mixed model needs at least 2 groups", f.Group, len(levels), levels[0])
	}
	n, pdim, q := len(rows), len(fixed), len(random)
	if n < pdim+q+1 {
		return nil, fmt.Errorf("%d observations are fewer than the %d parameters (%d fixed effects, %d random-effect SDs, 1 residual SD)",
			n, pdim+q+1, pdim, q)
	}

	source := f.Source
	if source == "" {
		source = f.String() // a Formula made by hand
	}
	d := &lmm.Design{
		Formula:   source,
		Response:  f.Response,
		Group:     f.Group,
		Fixed:     fixed,
		Random:    random,
		RandomCol: randomCol,
		Intercept: f.Intercept,
		Levels:    levels,
		Y:         make([]float64, n),
		X:         make([]float64, n*pdim),
		G:         g,
		NDropped:  fr.NumRows() - n,
	}
	for j, i := range rows {
		d.Y[j] = resp.num[i]
		x := d.X[j*pdim : (j+1)*pdim]
		if f.Intercept {
			x[0] = 1
		}
		for _, p := range preds {
			switch {
			case !p.factor:
				x[p.first] = p.col.num[i]
			case p.index[j] >= 0:
				x[p.first+p.index[j]] = 1
			}
		}
	}
	if err := d.Validate(); err != nil {
		panic("frame: built an invalid design: " + err.Error())
	}
	return d, nil
}

// complete reports whether row i has a value in every column.
func complete(cols []*column, i int) bool {
	for _, c := range cols {
		if c.class[i] == missingValue {
			return false
		}
	}
	return true
}

// columnList names columns for a message, without repeats.
func columnList(cols []*column) string {
	var names []string
	seen := map[string]bool{}
	for _, c := range cols {
		if !seen[c.name] {
			seen[c.name] = true
			names = append(names, fmt.Sprintf("%q", c.name))
		}
	}
	return strings.Join(names, ", ")
}

// checkNotConstant returns an error when a numeric predictor takes one
// value over the kept rows: its column would duplicate the intercept.
func checkNotConstant(p *predictor, rows []int) error {
	v := p.col.num[rows[0]]
	for _, i := range rows[1:] {
		if p.col.num[i] != v {
			return nil
		}
	}
	return fmt.Errorf("predictor %q is constant: every kept row has the value %s", p.name, p.col.raw[rows[0]])
}

// shiftLevels maps level indices to dummy-column offsets: with treatment
// contrasts (from = 1) the reference level gets -1, no column.
func shiftLevels(index []int, from int) []int {
	for j := range index {
		index[j] -= from
	}
	return index
}

// firstDuplicate returns the first name that occurs twice.
func firstDuplicate(names []string) (string, bool) {
	seen := make(map[string]bool, len(names))
	for _, n := range names {
		if seen[n] {
			return n, true
		}
		seen[n] = true
	}
	return "", false
}
