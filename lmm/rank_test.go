package lmm

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// addColumn returns a copy of d with a fixed-effect column name whose value
// in row i is f(i, x_i), x_i the row of X.
func addColumn(d *Design, name string, f func(i int, x []float64) float64) *Design {
	out := *d
	p := d.P()
	out.Fixed = append(slices.Clone(d.Fixed), name)
	out.X = make([]float64, 0, d.N()*(p+1))
	for i := range d.N() {
		row := d.X[i*p : (i+1)*p]
		out.X = append(append(out.X, row...), f(i, row))
	}
	return &out
}

// TestCheckDesignSleepstudy: with an intercept, the centred Days column is
// orthogonal to the column of ones, so both equilibrated columns are
// orthonormal and κ = 1 exactly (up to rounding); every subject has Days
// 0..9, so every Z_g has full rank 2.
func TestCheckDesignSleepstudy(t *testing.T) {
	c, err := CheckDesign(loadSleepstudy(t))
	if err != nil {
		t.Fatal(err)
	}
	if c.Rank != 2 || c.Columns != 2 || math.Abs(c.Cond-1) > 1e-12 {
		t.Errorf("rank %d of %d, κ %.15g; want 2 of 2, κ 1", c.Rank, c.Columns, c.Cond)
	}
	if c.Groups != 18 || c.GroupsZDeficient != 0 || len(c.Warnings) != 0 {
		t.Errorf("groups %d, Z-deficient %d, warnings %q; want 18, 0, none", c.Groups, c.GroupsZDeficient, c.Warnings)
	}
}

// TestCheckDesignCollinear: D2 = 2·Days + 1 (issue 10) is exactly
// collinear with the intercept and Days; the error names the relation.
func TestCheckDesignCollinear(t *testing.T) {
	d := addColumn(loadSleepstudy(t), "D2", func(_ int, x []float64) float64 { return 2*x[1] + 1 })
	c, err := CheckDesign(d)
	if err == nil {
		t.Fatal("no error for D2 = 2·Days + 1")
	}
	if !strings.Contains(err.Error(), "D2 = 1 + 2·Days") || !strings.Contains(err.Error(), "rank 2, not 3") {
		t.Errorf("error %q does not give the rank and the relation D2 = 1 + 2·Days", err)
	}
	if c == nil || c.Rank != 2 || len(c.Dependent) != 1 {
		t.Fatalf("check %+v: want rank 2 with one dependency", c)
	}
	r := c.Dependent[0]
	if r.Column != "D2" || !slices.Equal(r.On, []string{"Days"}) || math.Abs(r.Coef[0]-2) > 1e-9 || math.Abs(r.Const-1) > 1e-9 {
		t.Errorf("relation %+v, want D2 = 1 + 2·Days", r)
	}
}

// TestCheckDesignConstantColumn: a constant column is collinear with the
// intercept alone, and without an intercept a zero column is dependent.
func TestCheckDesignConstantColumn(t *testing.T) {
	d := addColumn(loadSleepstudy(t), "five", func(int, []float64) float64 { return 5 })
	if _, err := CheckDesign(d); err == nil || !strings.Contains(err.Error(), "five = 5 in every row") {
		t.Errorf("constant column: error %v, want one naming five = 5", err)
	}
	d = addColumn(loadSleepstudy(t), "zero", func(int, []float64) float64 { return 0 })
	d.Intercept, d.Fixed[0] = false, "one"
	d.Random, d.RandomCol = nil, nil
	if _, err := CheckDesign(d); err == nil || !strings.Contains(err.Error(), "zero = 0 in every row") {
		t.Errorf("zero column without intercept: error %v, want one naming zero = 0", err)
	}
}

// TestCheckDesignNearlySingular checks κ against its closed form. Ã is
// [1/√N, a, b] with a and b the equilibrated Days and D3 = Days + δ·u, both
// orthogonal to the ones; its Gram matrix is 1 ⊕ [[1, c], [c, 1]] with
// c = aᵀb, so the singular values are 1 and √(1 ± c), and
// κ = √((1 + c)/(1 − c)), with 1 − c = ‖a − b‖²/2 computed without
// cancellation.
func TestCheckDesignNearlySingular(t *testing.T) {
	for _, tc := range []struct {
		delta float64
		warn  bool
	}{{1e-3, false}, {1e-8, true}} {
		d := addColumn(loadSleepstudy(t), "D3", func(i int, x []float64) float64 { return x[1] + tc.delta*(float64(i%3)-1) })
		c, err := CheckDesign(d)
		if err != nil {
			t.Fatalf("δ = %g: %v", tc.delta, err)
		}
		a, _, _, err := equilibrate(d)
		if err != nil {
			t.Fatal(err)
		}
		var diff2, dot float64
		for i := range d.N() {
			u, v := a.At(i, 1), a.At(i, 2)
			diff2 += (u - v) * (u - v)
			dot += u * v
		}
		want := math.Sqrt((1 + dot) / (diff2 / 2))
		t.Logf("δ = %g: κ %.6g (closed form %.6g)", tc.delta, c.Cond, want)
		if math.Abs(c.Cond/want-1) > 1e-5 || c.Rank != 3 {
			t.Errorf("δ = %g: rank %d, κ %.8g; want 3 and the closed form %.8g", tc.delta, c.Rank, c.Cond, want)
		}
		if warned := len(c.Warnings) > 0; warned != tc.warn || (warned != (want > IllConditioned)) {
			t.Errorf("δ = %g (κ %.3g): warnings %q, want a warning: %v", tc.delta, want, c.Warnings, tc.warn)
		}
		if tc.warn && (!strings.Contains(c.Warnings[0], "Days, D3") || !strings.Contains(c.Warnings[0], "nearly singular")) {
			t.Errorf("warning %q does not name Days and D3", c.Warnings[0])
		}
	}
}

// TestCheckDesignZ: a random slope on a predictor that is constant within
// each subject depends on the random intercept in all 18 groups: a warning
// naming its standard deviation. A single group of one row is counted but
// not warned about.
func TestCheckDesignZ(t *testing.T) {
	base := loadSleepstudy(t)
	d := addColumn(base, "w", func(i int, _ []float64) float64 { return float64(base.G[i] % 5) })
	d.Random, d.RandomCol = []string{"Intercept", "w"}, []int{0, 2}
	c, err := CheckDesign(d)
	if err != nil {
		t.Fatal(err)
	}
	if c.GroupsZDeficient != 18 || !slices.Equal(c.TermDeficient, []int{0, 18}) {
		t.Errorf("Z-deficient groups %d, per term %v; want 18 and [0 18]", c.GroupsZDeficient, c.TermDeficient)
	}
	if len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], "sd_Subject__w") {
		t.Errorf("warnings %q: want one naming sd_Subject__w", c.Warnings)
	}

	d = loadSleepstudy(t)
	d.Levels = append(slices.Clone(d.Levels), "alone")
	d.G = slices.Clone(d.G)
	d.G[0] = len(d.Levels) - 1
	c, err = CheckDesign(d)
	if err != nil {
		t.Fatal(err)
	}
	if c.GroupsZDeficient != 1 || !slices.Equal(c.TermDeficient, []int{0, 1}) || len(c.Warnings) != 0 {
		t.Errorf("one group of one row: Z-deficient %d, per term %v, warnings %q; want 1, [0 1], none", c.GroupsZDeficient, c.TermDeficient, c.Warnings)
	}
}

func TestDependencyString(t *testing.T) {
	for _, tc := range []struct {
		r    Dependency
		want string
	}{
		{Dependency{Column: "x", Const: 5}, "x = 5"},
		{Dependency{Column: "x"}, "x = 0"},
		{Dependency{Column: "c", On: []string{"a", "b"}, Coef: []float64{-1, 0.5}}, "c = −a + 0.5·b"},
		{Dependency{Column: "c", On: []string{"a"}, Coef: []float64{-3}, Const: 2}, "c = 2 − 3·a"},
	} {
		if got := tc.r.String(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.r, got, tc.want)
		}
	}
}
