package lmm

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// Rank and conditioning of a design, checked before any fit.
//
// The fixed-effect matrix X is first equilibrated so that neither units nor
// locations matter: when the model has an intercept every other column is
// centred at its mean (the reparametrization Stats uses, which changes no
// posterior), and every column is then scaled to unit Euclidean norm (van
// der Sluis 1969: column equilibration brings κ within a factor √P of its
// minimum over column scalings). On this matrix Ã with singular values
// s₁ ≥ … ≥ s_P (gonum's SVD):
//
//   - rank(Ã) is the number of s_i above s₁·max(N, P)·ε, the tolerance of
//     LAPACK-based rank in MATLAB and NumPy (Golub & Van Loan 2013, §5.4.1):
//     below it s_i is indistinguishable from the rounding error of Ã;
//   - κ(Ã) = s₁/s_P is its 2-norm condition number.
//
// A rank below P is an error: some coefficients are not identified by the
// data at all, and every estimator would return the prior along the null
// space while looking like an answer. CheckDesign names the dependent
// columns greedily: scanning X left to right, column j is dependent when
// it adds no rank to the independent columns before it, and the null vector
// of that submatrix (a single one, since the earlier columns are
// independent) gives the relation, which is reported in the data's units
// (for example "D2 = 1 + 2·Days").
//
// For the random effects, Z_g (the n_g×Q rows of group g, columns RandomCol
// of the uncentred X, each scaled to unit norm within the group) is checked
// the same way. A Z_g of rank below Q is common and harmless (a group of
// one row with a random intercept and slope); a random term that is
// dependent on the earlier ones in every group (a slope on a predictor that
// is constant within each group) leaves its standard deviation without
// information from within any group: a warning.

// IllConditioned is the condition number κ(Ã) of the equilibrated X above
// which CheckDesign warns that the design is near-singular, and above which
// the neural estimator treats it as outside its trained range.
//
// Why 1e8: the collapsed densities are computed from the cross-products
// (Stats), whose condition number is κ². At κ = 1e8 that is 1e16, beyond
// 1/ε ≈ 4.5e15: the information XᵀX holds along its weakest direction is
// then no larger than the rounding error of its strongest, so the data say
// nothing there that float64 can resolve and the posterior along it is the
// prior's (or noise). Designs met in practice stay far below: predictors
// far from zero are tamed by the centring, and the 13 real datasets of
// validate's real suite have κ from 1 to 3.8 (TestCheckDesignRealData for
// the four of testdata/datasets; κ = 1 for the nine one-predictor designs
// of testdata/realdata, whose centred predictor is orthogonal to the ones).
// A warning, not an error: the posterior is proper under a proper prior.
const IllConditioned = 1e8

// Dependency is an exact linear relation among the columns of X: Column
// equals Const plus the sum of Coef[i] times column On[i], in every row, in
// the units of the data. On never holds the intercept (its coefficient is
// folded into Const).
type Dependency struct {
	Column string    `json:"column"`
	On     []string  `json:"on"`
	Coef   []float64 `json:"coef"`
	Const  float64   `json:"const"`
}

// String writes the relation as an equation, e.g. "D2 = 1 + 2·Days".
func (r Dependency) String() string {
	var b strings.Builder
	b.WriteString(r.Column)
	b.WriteString(" = ")
	terms := 0
	if r.Const != 0 || len(r.On) == 0 {
		b.WriteString(strconv.FormatFloat(r.Const, 'g', 4, 64))
		terms++
	}
	for i, name := range r.On {
		c := r.Coef[i]
		switch {
		case terms > 0 && c < 0:
			b.WriteString(" − ")
			c = -c
		case terms > 0:
			b.WriteString(" + ")
		case c < 0:
			b.WriteString("−")
			c = -c
		}
		if s := strconv.FormatFloat(c, 'g', 4, 64); s != "1" {
			b.WriteString(s)
			b.WriteString("·")
		}
		b.WriteString(name)
		terms++
	}
	return b.String()
}

// DesignCheck holds the rank and conditioning facts of a design.
type DesignCheck struct {
	Columns int `json:"columns"` // P, the columns of X
	Rank    int `json:"rank"`    // numerical rank of the equilibrated X
	// Cond is κ(Ã), +Inf when a singular value is exactly zero; above
	// IllConditioned the design is near-singular. Not in JSON (it may be
	// infinite): callers add it in their own encoding.
	Cond float64 `json:"-"`
	// Dependent lists the relations that make X rank deficient, one per
	// dependent column; empty when Rank == Columns.
	Dependent []Dependency `json:"dependent,omitempty"`
	// NearlyCollinear names the columns that carry the weakest direction of
	// Ã when the design is near-singular but of full rank.
	NearlyCollinear []string `json:"nearly_collinear,omitempty"`
	// Groups is M; GroupsZDeficient counts the groups whose Z_g has rank
	// below Q.
	Groups           int `json:"groups"`
	GroupsZDeficient int `json:"groups_z_rank_deficient"`
	// TermDeficient[k] counts the groups in which random term k is a linear
	// combination of the earlier random terms (or zero).
	TermDeficient []int `json:"term_deficient_groups"`
	// Warnings say what a fit of this design should be read with: a
	// near-singular X, or a random term deficient in every group.
	Warnings []string `json:"warnings"`
}

// CheckDesign computes the rank and condition number of d's fixed-effect
// matrix and the rank of each group's random-effect matrix. The error is
// non-nil when d is inconsistent or holds values too large to equilibrate
// (then the check is nil) and when X is rank deficient: then the check is
// returned too, and the error names the dependent columns.
func CheckDesign(d *Design) (*DesignCheck, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
	n, p := d.N(), d.P()
	if n == 0 {
		return nil, fmt.Errorf("lmm: design has no rows")
	}
	a, mean, norm, err := equilibrate(d)
	if err != nil {
		return nil, err
	}
	c := &DesignCheck{Columns: p, Groups: d.M()}
	var svd mat.SVD
	if !svd.Factorize(a, mat.SVDThinV) {
		return nil, fmt.Errorf("lmm: design checks: the SVD of X did not converge")
	}
	sv := svd.Values(nil)
	c.Rank = numericalRank(sv, n, p)
	c.Cond = math.Inf(1)
	if len(sv) == p { // fewer rows than columns leave κ infinite
		c.Cond = sv[0] / sv[p-1]
	}
	if c.Rank < p {
		c.Dependent = dependencies(d, a, mean, norm)
	} else if c.Cond > IllConditioned {
		var v mat.Dense
		svd.VTo(&v)
		c.NearlyCollinear = weakColumns(d, mat.Col(nil, p-1, &v))
		c.Warnings = append(c.Warnings, fmt.Sprintf(
			"the fixed-effect design is nearly singular: condition number %.3g above %.0e (columns centred and scaled to unit norm); %s are nearly collinear, so their coefficients rest mostly on the prior: consider removing or combining them",
			c.Cond, IllConditioned, strings.Join(c.NearlyCollinear, ", ")))
	}
	checkZ(d, c)
	if c.Rank < p {
		rel := make([]string, len(c.Dependent))
		for i, r := range c.Dependent {
			rel[i] = r.String()
		}
		return c, fmt.Errorf("the fixed-effect design is singular: X has rank %d, not %d, because %s in every row; remove one of the columns involved from the formula",
			c.Rank, p, strings.Join(rel, " and "))
	}
	return c, nil
}

// equilibrate returns Ã, X with its non-intercept columns centred (when the
// model has an intercept) and every column scaled to unit norm, with the
// means and norms used. A column that is zero after centring stays zero.
func equilibrate(d *Design) (a *mat.Dense, mean, norm []float64, err error) {
	n, p := d.N(), d.P()
	mean = make([]float64, p)
	if d.Intercept {
		mean = d.ColumnMeans()
	}
	norm = make([]float64, p)
	a = mat.NewDense(n, p, nil)
	col := make([]float64, n)
	for j := range p {
		for i := range n {
			col[i] = d.X[i*p+j] - mean[j]
		}
		norm[j] = norm2(col)
		if math.IsNaN(norm[j]) || math.IsInf(norm[j], 0) || math.IsNaN(mean[j]) || math.IsInf(mean[j], 0) {
			return nil, nil, nil, fmt.Errorf("lmm: column %s of X holds values too large or not finite (its mean is %g): rescale it", QuoteShort(d.Fixed[j]), mean[j])
		}
		if norm[j] > 0 {
			for i := range n {
				col[i] /= norm[j]
			}
		}
		a.SetCol(j, col)
	}
	return a, mean, norm, nil
}

// norm2 is the Euclidean norm of x, scaled so that it overflows only when
// the result does.
func norm2(x []float64) float64 {
	var big float64
	for _, v := range x {
		big = math.Max(big, math.Abs(v))
	}
	if big == 0 || math.IsInf(big, 0) || math.IsNaN(big) {
		return big
	}
	var s float64
	for _, v := range x {
		s += (v / big) * (v / big)
	}
	return big * math.Sqrt(s)
}

// numericalRank counts the singular values (descending, of an n×p matrix)
// above s₁·max(n, p)·ε.
func numericalRank(sv []float64, n, p int) int {
	if len(sv) == 0 || sv[0] == 0 {
		return 0
	}
	tol := sv[0] * float64(max(n, p)) * 0x1p-52
	r := 0
	for _, s := range sv {
		if s > tol {
			r++
		}
	}
	return r
}

// columnsOf copies the columns cols of a.
func columnsOf(a *mat.Dense, cols []int) *mat.Dense {
	n, _ := a.Dims()
	out := mat.NewDense(n, len(cols), nil)
	buf := make([]float64, n)
	for k, j := range cols {
		out.SetCol(k, mat.Col(buf, j, a))
	}
	return out
}

// dependencies scans the columns of the equilibrated X left to right and
// returns, for each column that adds no rank to the independent ones before
// it, its relation to them in the units of the data.
func dependencies(d *Design, a *mat.Dense, mean, norm []float64) []Dependency {
	n, p := a.Dims()
	var out []Dependency
	var indep []int
	for j := range p {
		cols := append(append([]int(nil), indep...), j)
		if norm[j] == 0 {
			out = append(out, relation(d, cols, unit(len(cols)), mean, norm))
			continue
		}
		var svd mat.SVD
		if !svd.Factorize(columnsOf(a, cols), mat.SVDThinV) {
			continue
		}
		if numericalRank(svd.Values(nil), n, len(cols)) == len(cols) {
			indep = cols
			continue
		}
		var v mat.Dense
		svd.VTo(&v)
		out = append(out, relation(d, cols, mat.Col(nil, len(cols)-1, &v), mean, norm))
	}
	return out
}

// unit returns the null vector of a zero last column among k.
func unit(k int) []float64 {
	v := make([]float64, k)
	v[k-1] = 1
	return v
}

// relation turns a null vector v of the equilibrated columns cols (the last
// of which is the dependent one) into the relation in the data's units.
// With ã_i = (x_i − μ_i)/‖x_i − μ_i‖ and Σ v_i ã_i = 0,
// x_j = μ_j + Σ_i c_i (x_i − μ_i) with c_i = −(n_j v_i)/(v_j n_i); the
// intercept column (x = 1, μ = 0) joins the constant. Terms whose scaled
// weight |v_i/v_j| is below 1e-6 are rounding noise and left out.
func relation(d *Design, cols []int, v, mean, norm []float64) Dependency {
	k := len(cols)
	j := cols[k-1]
	r := Dependency{Column: d.Fixed[j], Const: mean[j]}
	vj := v[k-1]
	for i, col := range cols[:k-1] {
		if math.Abs(v[i]) <= 1e-6*math.Abs(vj) || norm[col] == 0 {
			continue
		}
		c := -norm[j] * v[i] / (vj * norm[col])
		r.Const -= c * mean[col]
		if d.Intercept && col == 0 {
			r.Const += c
			continue
		}
		r.On, r.Coef = append(r.On, d.Fixed[col]), append(r.Coef, c)
	}
	// The constant is rounding noise when it is tiny beside the column's
	// root mean square.
	rms := math.Hypot(mean[j], norm[j]/math.Sqrt(float64(d.N())))
	if math.Abs(r.Const) <= 1e-9*rms {
		r.Const = 0
	}
	return r
}

// weakColumns names the columns with a weight of at least a tenth of the
// largest in v, the weakest right singular vector of the equilibrated X.
func weakColumns(d *Design, v []float64) []string {
	var big float64
	for _, x := range v {
		big = math.Max(big, math.Abs(x))
	}
	var out []string
	for j, x := range v {
		if math.Abs(x) >= 0.1*big {
			out = append(out, d.Fixed[j])
		}
	}
	return out
}

// checkZ fills the random-effect facts of c: the groups whose Z_g is rank
// deficient, and per term the groups in which it depends on the earlier
// terms; it warns for a term that does so in every group.
func checkZ(d *Design, c *DesignCheck) {
	q, m, p := d.Q(), d.M(), d.P()
	c.TermDeficient = make([]int, q)
	if q == 0 || m == 0 {
		return
	}
	rows := make([][]int, m)
	for i, g := range d.G {
		rows[g] = append(rows[g], i)
	}
	for _, r := range rows {
		ng := len(r)
		if ng == 0 {
			continue
		}
		z := mat.NewDense(ng, q, nil)
		col := make([]float64, ng)
		zero := make([]bool, q)
		for k, xc := range d.RandomCol {
			for i, row := range r {
				col[i] = d.X[row*p+xc]
			}
			nk := norm2(col)
			zero[k] = nk == 0
			if nk > 0 {
				for i := range col {
					col[i] /= nk
				}
			}
			z.SetCol(k, col)
		}
		if rankOf(z) == q {
			continue
		}
		c.GroupsZDeficient++
		// Attribute the deficiency: term k is dependent when it adds no
		// rank to the independent terms before it.
		var indep []int
		for k := range q {
			cols := append(append([]int(nil), indep...), k)
			if !zero[k] && rankOf(columnsOf(z, cols)) == len(cols) {
				indep = cols
				continue
			}
			c.TermDeficient[k]++
		}
	}
	names := d.Names()
	for k, nk := range c.TermDeficient {
		if nk == m {
			c.Warnings = append(c.Warnings, fmt.Sprintf(
				"random term %s is a linear combination of the earlier random terms within every one of the %d groups of %s (for example a slope on a predictor that is constant within groups), so %s is identified only weakly, through differences between groups, and mostly by its prior: consider removing %s from the random terms",
				d.Random[k], m, d.Group, names[p+k], d.Random[k]))
		}
	}
}

// rankOf is the numerical rank of a.
func rankOf(a *mat.Dense) int {
	n, k := a.Dims()
	var svd mat.SVD
	if !svd.Factorize(a, mat.SVDNone) {
		return 0
	}
	return numericalRank(svd.Values(nil), n, k)
}
