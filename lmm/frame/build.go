package frame

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/metabeta-go/metabeta/lmm"
	"gonum.org/v1/gonum/stat"
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

// variable is one column of the frame used by the fixed terms.
type variable struct {
	name   string
	col    *column
	factor bool
	levels []string // factor levels over the complete rows
	index  []int    // level of each complete row
}

// fixedTerm is one fixed term of the formula resolved against the frame.
type fixedTerm struct {
	term  Term
	vars  []*variable // the term's columns, in R's variable order
	full  []bool      // per variable: a factor coded by all its levels (R's dummy coding) rather than by contrasts
	first int         // first column of X the term fills
	width int         // number of columns of X the term fills
}

// Build turns a frame and a formula into a design, as lme4's lFormula does:
//
//   - rows with a missing value in the response, a predictor or the grouping
//     factor are dropped and counted in NDropped (na.omit);
//   - text predictors are factors with treatment contrasts: one dummy column
//     per level except the first in sorted order, named column+level
//     ("SexMale"); a factor gets a column for every level where R's
//     model.matrix gives it one (see the package documentation); levels
//     absent from the kept rows are dropped;
//   - the terms are ordered as R orders them, by degree, and an interaction
//     has the products of its columns' columns, named as R names them
//     ("age:SexMale");
//   - the grouping factor's levels follow R's factor order;
//   - random slopes use the same columns of X as their fixed term.
//
// Build returns an error, naming the culprit, for an unknown column, a
// non-numeric or non-finite value in the response or a numeric predictor, a
// numeric column too large or too finely spread for float64 sums of squares,
// a constant predictor or interaction column, fewer than two groups, and
// fewer observations than parameters.
func Build(fr *Frame, f *Formula) (*lmm.Design, error) {
	if fr == nil || f == nil {
		panic("frame: Build needs a frame and a formula")
	}
	resp, group, vars, err := resolveColumns(fr, f)
	if err != nil {
		return nil, err
	}
	rows, err := completeRows(fr, resp, group, vars)
	if err != nil {
		return nil, err
	}
	if err := checkMagnitudes(fr, rows, resp, vars); err != nil {
		return nil, err
	}
	if err := codeVariables(vars, rows); err != nil {
		return nil, err
	}
	terms := orderTerms(f.Fixed, vars)
	fixed, err := fixedColumns(f.Intercept, terms)
	if err != nil {
		return nil, err
	}
	random, randomCol, err := randomColumns(f, terms, fixed)
	if err != nil {
		return nil, err
	}
	levels, g := factorLevels(group, rows)
	if len(levels) < 2 {
		return nil, fmt.Errorf("grouping factor %s has %d level (%s) in the kept rows; a mixed model needs at least 2 groups",
			lmm.QuoteShort(f.Group), len(levels), lmm.QuoteShort(levels[0]))
	}
	correlated := f.Correlated && len(random) > 1
	n, pdim, q, ncor := len(rows), len(fixed), len(random), 0
	if correlated {
		ncor = lmm.NumCor(q)
	}
	if n < pdim+q+1+ncor {
		cors := ""
		if ncor > 0 {
			cors = fmt.Sprintf(", %d random-effect correlations", ncor)
		}
		return nil, fmt.Errorf("%d observations are fewer than the %d parameters (%d fixed effects, %d random-effect SDs, 1 residual SD%s)",
			n, pdim+q+1+ncor, pdim, q, cors)
	}

	source := f.Source
	if source == "" {
		source = f.String() // a Formula made by hand
	}
	d := &lmm.Design{
		Formula:    source,
		Response:   f.Response,
		Group:      f.Group,
		Fixed:      fixed,
		Random:     random,
		RandomCol:  randomCol,
		Intercept:  f.Intercept,
		Correlated: correlated,
		Levels:     levels,
		G:          g,
		NDropped:   fr.NumRows() - n,
	}
	d.Y, d.X = fillDesign(resp, terms, rows, f.Intercept, pdim)
	if err := checkInteractions(d, terms); err != nil {
		return nil, err
	}
	if err := d.Validate(); err != nil {
		panic("frame: built an invalid design: " + err.Error())
	}
	return d, nil
}

// resolveColumns finds the response, the grouping factor and the columns of
// the fixed terms of f among the columns of fr, and checks that the
// response and the numeric predictors hold only finite numbers. The
// variables come in R's variable order.
func resolveColumns(fr *Frame, f *Formula) (resp, group *column, vars []*variable, err error) {
	resp = fr.column(f.Response)
	if resp == nil {
		return nil, nil, nil, unknownColumn(fr, "the response", f.Response)
	}
	if err := resp.numericError(fr, "the response"); err != nil {
		return nil, nil, nil, err
	}
	seen := map[string]bool{}
	for _, t := range f.Fixed {
		for _, name := range t {
			if seen[name] {
				continue
			}
			seen[name] = true
			c := fr.column(name)
			if c == nil {
				role := "a predictor"
				if len(t) > 1 {
					role = "in the interaction " + lmm.QuoteShort(t.String())
				}
				return nil, nil, nil, unknownColumn(fr, role, name)
			}
			v := &variable{name: name, col: c, factor: c.isFactor()}
			if !v.factor {
				if err := c.numericError(fr, "a numeric predictor"); err != nil {
					return nil, nil, nil, err
				}
			}
			vars = append(vars, v)
		}
	}
	group = fr.column(f.Group)
	if group == nil {
		return nil, nil, nil, unknownColumn(fr, "the grouping factor", f.Group)
	}
	return resp, group, vars, nil
}

// completeRows returns the rows with a value in every used column (R's
// na.omit), or an error when there is none.
func completeRows(fr *Frame, resp, group *column, vars []*variable) ([]int, error) {
	used := []*column{resp, group}
	for _, v := range vars {
		used = append(used, v.col)
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
	return rows, nil
}

// codeVariables checks that no variable is constant over the kept rows and
// finds the levels of the factors.
func codeVariables(vars []*variable, rows []int) error {
	for _, v := range vars {
		if !v.factor {
			if err := checkNotConstant(v, rows); err != nil {
				return err
			}
			continue
		}
		v.levels, v.index = factorLevels(v.col, rows)
		if len(v.levels) < 2 {
			return fmt.Errorf("predictor %s is constant: every kept row has level %s; a factor needs at least 2 levels",
				lmm.QuoteShort(v.name), lmm.QuoteShort(v.levels[0]))
		}
	}
	return nil
}

// orderTerms resolves the fixed terms against the variables and orders them
// as R's terms.formula does: by degree, then in formula order.
func orderTerms(fixed []Term, vars []*variable) []*fixedTerm {
	byName := make(map[string]*variable, len(vars))
	for _, v := range vars {
		byName[v.name] = v
	}
	terms := make([]*fixedTerm, len(fixed))
	for k, t := range fixed {
		ft := &fixedTerm{term: t, full: make([]bool, len(t))}
		for _, name := range t {
			ft.vars = append(ft.vars, byName[name])
		}
		terms[k] = ft
	}
	slices.SortStableFunc(terms, func(a, b *fixedTerm) int { return len(a.term) - len(b.term) })
	return terms
}

// codeFactors decides, as R's model.matrix does (TermCode in R's
// src/library/stats/src/model.c), how each factor of each term is coded. A
// factor f of a term T is coded by contrasts when T without f is empty or
// is contained in an earlier term, and by every level otherwise, as f in
// x:f when x is not a term. Without an intercept, the first factor of the
// first term that has one is coded by every level.
func codeFactors(intercept bool, terms []*fixedTerm) {
	for k, t := range terms {
		for i, v := range t.vars {
			if !v.factor {
				continue
			}
			rest := slices.Delete(slices.Clone(t.term), i, i+1)
			t.full[i] = len(rest) > 0 && !slices.ContainsFunc(terms[:k], func(u *fixedTerm) bool { return subset(rest, u.term) })
		}
	}
	if intercept {
		return
	}
	for _, t := range terms {
		for i, v := range t.vars {
			if v.factor {
				t.full[i] = true
				return
			}
		}
	}
}

// subset reports whether every column of a is in b.
func subset(a, b Term) bool {
	for _, v := range a {
		if !slices.Contains(b, v) {
			return false
		}
	}
	return true
}

// columnNames returns the names of a variable's columns: its own name for a
// numeric column; column+level for each level of a factor, but the first
// unless full.
func (v *variable) columnNames(full bool) []string {
	if !v.factor {
		return []string{v.name}
	}
	from := 1
	if full {
		from = 0
	}
	names := make([]string, 0, len(v.levels)-from)
	for _, l := range v.levels[from:] {
		names = append(names, v.name+l)
	}
	return names
}

// fixedColumns names the columns of X: the intercept, then the columns of
// each term. An interaction has a column for every combination of its
// variables' columns, the first variable varying fastest, named by joining
// theirs with ":", as R's model.matrix does (x:fB, fB:hY). It fills in each
// term's coding, first column and width. It returns an error for an empty X
// and a repeated column name.
func fixedColumns(intercept bool, terms []*fixedTerm) ([]string, error) {
	codeFactors(intercept, terms)
	fixed := []string{}
	if intercept {
		fixed = append(fixed, "Intercept")
	}
	for _, t := range terms {
		t.first = len(fixed)
		names := []string{""}
		for i, v := range t.vars {
			var next []string
			for _, c := range v.columnNames(t.full[i]) {
				for _, s := range names {
					if i > 0 {
						s += ":"
					}
					next = append(next, s+c)
				}
			}
			names = next
		}
		fixed = append(fixed, names...)
		t.width = len(names)
	}
	if len(fixed) == 0 {
		return nil, errors.New("the formula has no fixed effects: add the intercept or a predictor")
	}
	if name, dup := firstDuplicate(fixed); dup {
		return nil, fmt.Errorf("two fixed-effect columns are both named %s (a factor dummy name collides with a column name); rename a column", lmm.QuoteShort(name))
	}
	return fixed, nil
}

// randomColumns names the random effects and the column of X each one
// shares with its fixed term: the intercept first, then the slopes ordered
// by degree, as lme4 orders the columns of a random term.
func randomColumns(f *Formula, terms []*fixedTerm, fixed []string) (random []string, randomCol []int, err error) {
	if f.RandomIntercept {
		if !f.Intercept {
			return nil, nil, errors.New("a random intercept needs a fixed intercept")
		}
		random, randomCol = append(random, "Intercept"), append(randomCol, 0)
	}
	slopes := slices.Clone(f.Random)
	slices.SortStableFunc(slopes, func(a, b Term) int { return len(a) - len(b) })
	for _, r := range slopes {
		k := slices.IndexFunc(terms, func(t *fixedTerm) bool { return t.term.key() == r.key() })
		if k < 0 {
			return nil, nil, fmt.Errorf("random term %s must also be a fixed term", lmm.QuoteShort(r.String()))
		}
		t := terms[k]
		if t.width > 1 && slices.ContainsFunc(f.pipeSlopes, func(s Term) bool { return s.key() == r.key() }) {
			correlated, independent := *f, *f
			correlated.Correlated, independent.Correlated = true, false
			return nil, nil, fmt.Errorf("random term (0 + %s | %s) correlates the %d columns of %s (%s) among themselves, which cannot be combined with other random terms for %s; write all effects of %s in one term: %s for correlated effects, or %s for independent ones",
				r, quoteName(f.Group), t.width, lmm.QuoteShort(r.String()), strings.Join(fixed[t.first:t.first+t.width], ", "),
				lmm.QuoteShort(f.Group), quoteName(f.Group), correlated.randomString(), independent.randomString())
		}
		for c := t.first; c < t.first+t.width; c++ {
			random, randomCol = append(random, fixed[c]), append(randomCol, c)
		}
	}
	return random, randomCol, nil
}

// fillDesign returns the response and the row-major n×pdim matrix X over
// the kept rows.
func fillDesign(resp *column, terms []*fixedTerm, rows []int, intercept bool, pdim int) (y, x []float64) {
	n := len(rows)
	y, x = make([]float64, n), make([]float64, n*pdim)
	for j, i := range rows {
		y[j] = resp.num[i]
		xj := x[j*pdim : (j+1)*pdim]
		if intercept {
			xj[0] = 1
		}
	terms:
		for _, t := range terms {
			// The row's column within the term, the first variable varying
			// fastest, and its value, the product of the numeric variables.
			offset, stride, value := 0, 1, 1.0
			for k, v := range t.vars {
				if !v.factor {
					value *= v.col.num[i]
					continue
				}
				level, width := v.index[j], len(v.levels)
				if !t.full[k] {
					level, width = level-1, width-1
				}
				if level < 0 {
					continue terms // the reference level of a contrast: all zero
				}
				offset += level * stride
				stride *= width
			}
			xj[t.first+offset] = value
		}
	}
	return y, x
}

// checkInteractions returns an error for a column of an interaction that
// is constant over the kept rows, such as one for a combination of factor
// levels that no row has, and for one too large or too finely spread for
// float64 (see checkMagnitude), which a product of two columns can be.
func checkInteractions(d *lmm.Design, terms []*fixedTerm) error {
	n, p := d.N(), d.P()
	for _, t := range terms {
		if len(t.term) < 2 {
			continue
		}
		for c := t.first; c < t.first+t.width; c++ {
			name := lmm.QuoteShort(d.Fixed[c])
			v0, constant, maxAbs := d.X[c], true, 0.0
			for i := range n {
				v := d.X[i*p+c]
				constant = constant && v == v0
				maxAbs = max(maxAbs, math.Abs(v))
			}
			switch {
			case constant && v0 == 0:
				return fmt.Errorf("interaction column %s is 0 in every kept row (no row has that combination of levels), so its coefficient is not identified; drop the interaction %s or merge levels",
					name, lmm.QuoteShort(t.term.String()))
			case constant:
				return fmt.Errorf("interaction column %s is constant: every kept row has the value %g", name, v0)
			}
			if limit := math.Sqrt(math.MaxFloat64 / float64(n)); maxAbs > limit {
				return fmt.Errorf("interaction column %s: its values reach %.3g, too large: sums of squares over the %d rows overflow float64 (|values| must stay below %.3g); rescale its columns",
					name, maxAbs, n, limit)
			}
			col := make([]float64, n)
			for i := range n {
				col[i] = d.X[i*p+c] / maxAbs
			}
			if scaled := stat.StdDev(col, nil); scaled*maxAbs < 0x1p-511 {
				return fmt.Errorf("interaction column %s: its spread is too small: SD %.3g over the kept rows, whose square underflows float64; rescale its columns",
					name, scaled*maxAbs)
			}
		}
	}
	return nil
}

// checkMagnitudes checks that the response and every numeric predictor can
// be summed and squared in float64 over the kept rows (see checkMagnitude).
func checkMagnitudes(fr *Frame, rows []int, resp *column, vars []*variable) error {
	if err := checkMagnitude(fr, resp, rows, "the response"); err != nil {
		return err
	}
	for _, v := range vars {
		if v.factor {
			continue
		}
		if err := checkMagnitude(fr, v.col, rows, "a predictor"); err != nil {
			return err
		}
	}
	return nil
}

// checkMagnitude returns an error, naming the column, the size at fault and
// a factor to rescale by, when the values of c over rows are too large or
// too finely spread for the model's float64 arithmetic:
//
//   - n·max|v|² must be finite, so that sums of squares and cross-products
//     over the n rows (XᵀX, Xᵀy, the sample SDs of the default prior) do not
//     overflow; a value of 1e300 would otherwise give an infinite SD and a
//     default prior scale of 0;
//   - a column that is not constant must have an SD whose square is a normal
//     float64 (SD ≥ 2⁻⁵¹¹ ≈ 1.5e-154), or its variance underflows to 0.
//
// The SD is computed on v/max|v| so that neither test over- or underflows.
func checkMagnitude(fr *Frame, c *column, rows []int, role string) error {
	n := len(rows)
	maxAbs, at := 0.0, rows[0]
	for _, i := range rows {
		if a := math.Abs(c.num[i]); a > maxAbs {
			maxAbs, at = a, i
		}
	}
	if limit := math.Sqrt(math.MaxFloat64 / float64(n)); maxAbs > limit {
		return fmt.Errorf("column %s (%s): value %s at %s is too large: sums of squares over the %d rows overflow float64 (|values| must stay below %.3g); rescale the column, e.g. divide it by %.0e",
			lmm.QuoteShort(c.name), role, lmm.QuoteShort(c.raw[at]), fr.where(at), n, limit, math.Pow(10, math.Floor(math.Log10(maxAbs))))
	}
	if n < 2 || maxAbs == 0 {
		return nil
	}
	mean := 0.0
	for _, i := range rows {
		mean += c.num[i] / maxAbs
	}
	mean /= float64(n)
	ss := 0.0
	for _, i := range rows {
		r := c.num[i]/maxAbs - mean
		ss += r * r
	}
	scaled := math.Sqrt(ss / float64(n-1)) // SD of v/max|v|
	if sd := scaled * maxAbs; scaled > 0 && sd < 0x1p-511 {
		return fmt.Errorf("column %s (%s): its spread is too small: SD %.3g over the kept rows, whose square underflows float64; rescale the column, e.g. multiply it by %.0e",
			lmm.QuoteShort(c.name), role, sd, math.Pow(10, -math.Floor(math.Log10(sd))))
	}
	return nil
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
			names = append(names, lmm.QuoteShort(c.name))
		}
	}
	return strings.Join(names, ", ")
}

// checkNotConstant returns an error when a numeric predictor takes one
// value over the kept rows: its column would duplicate the intercept.
func checkNotConstant(v *variable, rows []int) error {
	x := v.col.num[rows[0]]
	for _, i := range rows[1:] {
		if v.col.num[i] != x {
			return nil
		}
	}
	return fmt.Errorf("predictor %s is constant: every kept row has the value %s", lmm.QuoteShort(v.name), lmm.QuoteShort(v.col.raw[rows[0]]))
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
