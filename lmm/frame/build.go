package frame

import (
	"errors"
	"fmt"
	"math"
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
// numeric column too large or too finely spread for float64 sums of squares,
// a constant predictor, fewer than two groups, and fewer observations than
// parameters.
func Build(fr *Frame, f *Formula) (*lmm.Design, error) {
	if fr == nil || f == nil {
		panic("frame: Build needs a frame and a formula")
	}
	resp, group, preds, err := resolveColumns(fr, f)
	if err != nil {
		return nil, err
	}
	rows, err := completeRows(fr, resp, group, preds)
	if err != nil {
		return nil, err
	}
	if err := checkMagnitudes(fr, rows, resp, preds); err != nil {
		return nil, err
	}
	fixed, err := fixedColumns(f.Intercept, preds, rows)
	if err != nil {
		return nil, err
	}
	random, randomCol, err := randomColumns(f, preds, fixed)
	if err != nil {
		return nil, err
	}
	levels, g := factorLevels(group, rows)
	if len(levels) < 2 {
		return nil, fmt.Errorf("grouping factor %s has %d level (%s) in the kept rows; a mixed model needs at least 2 groups",
			lmm.QuoteShort(f.Group), len(levels), lmm.QuoteShort(levels[0]))
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
		G:         g,
		NDropped:  fr.NumRows() - n,
	}
	d.Y, d.X = fillDesign(resp, preds, rows, f.Intercept, pdim)
	if err := d.Validate(); err != nil {
		panic("frame: built an invalid design: " + err.Error())
	}
	return d, nil
}

// resolveColumns finds the response, the grouping factor and the fixed
// terms of f among the columns of fr, and checks that the response and the
// numeric predictors hold only finite numbers.
func resolveColumns(fr *Frame, f *Formula) (resp, group *column, preds []*predictor, err error) {
	resp = fr.column(f.Response)
	if resp == nil {
		return nil, nil, nil, unknownColumn(fr, "the response", f.Response)
	}
	if err := resp.numericError(fr, "the response"); err != nil {
		return nil, nil, nil, err
	}
	preds = make([]*predictor, len(f.Fixed))
	for k, name := range f.Fixed {
		c := fr.column(name)
		if c == nil {
			return nil, nil, nil, unknownColumn(fr, "a predictor", name)
		}
		p := &predictor{name: name, col: c, factor: c.isFactor()}
		if !p.factor {
			if err := c.numericError(fr, "a numeric predictor"); err != nil {
				return nil, nil, nil, err
			}
		}
		preds[k] = p
	}
	group = fr.column(f.Group)
	if group == nil {
		return nil, nil, nil, unknownColumn(fr, "the grouping factor", f.Group)
	}
	return resp, group, preds, nil
}

// completeRows returns the rows with a value in every used column (R's
// na.omit), or an error when there is none.
func completeRows(fr *Frame, resp, group *column, preds []*predictor) ([]int, error) {
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
	return rows, nil
}

// fixedColumns names the columns of X: the intercept, each numeric
// predictor, and the dummy columns of each factor. It fills in each
// predictor's first column, width and, for factors, levels. It returns an
// error for a constant predictor, an empty X and a repeated column name.
func fixedColumns(intercept bool, preds []*predictor, rows []int) ([]string, error) {
	fixed := []string{}
	if intercept {
		fixed = append(fixed, "Intercept")
	}
	fullCoding := !intercept // the first factor gets every level
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
			return nil, fmt.Errorf("predictor %s is constant: every kept row has level %s; a factor needs at least 2 levels",
				lmm.QuoteShort(p.name), lmm.QuoteShort(p.levels[0]))
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
		return nil, fmt.Errorf("two fixed-effect columns are both named %s (a factor dummy name collides with a column name); rename a column", lmm.QuoteShort(name))
	}
	return fixed, nil
}

// randomColumns names the random effects and the column of X each one
// shares with its fixed term.
func randomColumns(f *Formula, preds []*predictor, fixed []string) (random []string, randomCol []int, err error) {
	if f.RandomIntercept {
		if !f.Intercept {
			return nil, nil, errors.New("a random intercept needs a fixed intercept")
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
			return nil, nil, fmt.Errorf("random term %s must also be a fixed term", lmm.QuoteShort(r))
		}
		for c := p.first; c < p.first+p.width; c++ {
			random, randomCol = append(random, fixed[c]), append(randomCol, c)
		}
	}
	return random, randomCol, nil
}

// fillDesign returns the response and the row-major n×pdim matrix X over
// the kept rows.
func fillDesign(resp *column, preds []*predictor, rows []int, intercept bool, pdim int) (y, x []float64) {
	n := len(rows)
	y, x = make([]float64, n), make([]float64, n*pdim)
	for j, i := range rows {
		y[j] = resp.num[i]
		xj := x[j*pdim : (j+1)*pdim]
		if intercept {
			xj[0] = 1
		}
		for _, p := range preds {
			switch {
			case !p.factor:
				xj[p.first] = p.col.num[i]
			case p.index[j] >= 0:
				xj[p.first+p.index[j]] = 1
			}
		}
	}
	return y, x
}

// checkMagnitudes checks that the response and every numeric predictor can
// be summed and squared in float64 over the kept rows (see checkMagnitude).
func checkMagnitudes(fr *Frame, rows []int, resp *column, preds []*predictor) error {
	if err := checkMagnitude(fr, resp, rows, "the response"); err != nil {
		return err
	}
	for _, p := range preds {
		if p.factor {
			continue
		}
		if err := checkMagnitude(fr, p.col, rows, "a predictor"); err != nil {
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
func checkNotConstant(p *predictor, rows []int) error {
	v := p.col.num[rows[0]]
	for _, i := range rows[1:] {
		if p.col.num[i] != v {
			return nil
		}
	}
	return fmt.Errorf("predictor %s is constant: every kept row has the value %s", lmm.QuoteShort(p.name), lmm.QuoteShort(p.col.raw[rows[0]]))
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
