package frame

import (
	"slices"
	"strings"
	"testing"

	"github.com/metabeta-go/metabeta/lmm"
)

// smallCSV is a hand-made table. Rows 3 (x missing) and 7 (sex missing) are
// incomplete; row 3 also holds the only "X" level of sex, which must vanish
// with it as lme4 drops unused levels.
const smallCSV = `y,x,sex,grp,num,c
1,0.5,F,b,10,1
2,1.5,M,a,9,1
3,NA,X,b,100,1
4,2.5,F,a,10,1
5,3.5,M,c,100,1
6,4.5,F,c,9,1
7,0,NA,c,9,1
8,5.5,M,b,10,1
9,6.5,F,a,100,1
`

// build reads data, parses formula and builds the design.
func build(t *testing.T, data, formula string) (*lmm.Design, error) {
	t.Helper()
	fr, err := ReadCSV(strings.NewReader(data))
	if err != nil {
		t.Fatalf("ReadCSV: %v", err)
	}
	f, err := ParseFormula(formula)
	if err != nil {
		t.Fatalf("ParseFormula: %v", err)
	}
	return Build(fr, f)
}

func TestBuild(t *testing.T) {
	// Every expected value is worked out by hand from smallCSV: the kept
	// rows are 1, 2, 4, 5, 6, 8, 9; the grp levels sort as a, b, c; the num
	// levels sort numerically as 9, 10, 100 (R's factor of an integer column).
	tests := []struct {
		formula   string
		fixed     []string
		random    []string
		randomCol []int
		x         []float64 // row-major
		g         []int
		levels    []string
	}{
		{
			formula: "y ~ x + sex + (1 + x || grp)",
			fixed:   []string{"Intercept", "x", "sexM"}, random: []string{"Intercept", "x"}, randomCol: []int{0, 1},
			x: []float64{
				1, 0.5, 0,
				1, 1.5, 1,
				1, 2.5, 0,
				1, 3.5, 1,
				1, 4.5, 0,
				1, 5.5, 1,
				1, 6.5, 0,
			},
			g: []int{1, 0, 0, 2, 2, 1, 0}, levels: []string{"a", "b", "c"},
		},
		{
			// A factor's random slope uses its fixed dummy column.
			formula: "y ~ sex + x + (1 + sex || grp)",
			fixed:   []string{"Intercept", "sexM", "x"}, random: []string{"Intercept", "sexM"}, randomCol: []int{0, 1},
			x: []float64{
				1, 0, 0.5,
				1, 1, 1.5,
				1, 0, 2.5,
				1, 1, 3.5,
				1, 0, 4.5,
				1, 1, 5.5,
				1, 0, 6.5,
			},
			g: []int{1, 0, 0, 2, 2, 1, 0}, levels: []string{"a", "b", "c"},
		},
		{
			// Without an intercept the first factor gets every level.
			formula: "y ~ 0 + sex + x + (0 + x | grp)",
			fixed:   []string{"sexF", "sexM", "x"}, random: []string{"x"}, randomCol: []int{2},
			x: []float64{
				1, 0, 0.5,
				0, 1, 1.5,
				1, 0, 2.5,
				0, 1, 3.5,
				1, 0, 4.5,
				0, 1, 5.5,
				1, 0, 6.5,
			},
			g: []int{1, 0, 0, 2, 2, 1, 0}, levels: []string{"a", "b", "c"},
		},
		{
			// A numeric grouping column: levels in numeric order; sex is
			// complete on the kept rows, so x's NA still drops row 3.
			formula: "y ~ x + (1 | num)",
			fixed:   []string{"Intercept", "x"}, random: []string{"Intercept"}, randomCol: []int{0},
			x: []float64{1, 0.5, 1, 1.5, 1, 2.5, 1, 3.5, 1, 4.5, 1, 0, 1, 5.5, 1, 6.5},
			g: []int{1, 0, 1, 2, 0, 0, 1, 2}, levels: []string{"9", "10", "100"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.formula, func(t *testing.T) {
			d, err := build(t, smallCSV, tc.formula)
			if err != nil {
				t.Fatal(err)
			}
			if err := d.Validate(); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(d.Fixed, tc.fixed) || !slices.Equal(d.Random, tc.random) || !slices.Equal(d.RandomCol, tc.randomCol) {
				t.Errorf("terms: fixed %q random %q cols %v; want %q %q %v", d.Fixed, d.Random, d.RandomCol, tc.fixed, tc.random, tc.randomCol)
			}
			if !slices.Equal(d.X, tc.x) {
				t.Errorf("X = %v\nwant %v", d.X, tc.x)
			}
			if !slices.Equal(d.G, tc.g) || !slices.Equal(d.Levels, tc.levels) {
				t.Errorf("G = %v levels %q; want %v %q", d.G, d.Levels, tc.g, tc.levels)
			}
			wantDropped := 9 - len(tc.g)
			if d.NDropped != wantDropped || d.N() != len(tc.g) {
				t.Errorf("N = %d, NDropped = %d; want %d, %d", d.N(), d.NDropped, len(tc.g), wantDropped)
			}
			if d.Formula != tc.formula || d.Response != "y" || d.Intercept != (tc.fixed[0] == "Intercept") {
				t.Errorf("Formula %q Response %q Intercept %v", d.Formula, d.Response, d.Intercept)
			}
		})
	}
}

func TestBuildResponse(t *testing.T) {
	// smallCSV's y on the kept rows 1, 2, 4, 5, 6, 8, 9.
	d, err := build(t, smallCSV, "y ~ x + sex + (1 | grp)")
	if err != nil {
		t.Fatal(err)
	}
	if want := []float64{1, 2, 4, 5, 6, 8, 9}; !slices.Equal(d.Y, want) {
		t.Errorf("Y = %v, want %v", d.Y, want)
	}
}

func TestBuildErrors(t *testing.T) {
	tests := []struct {
		name, data, formula string
		want                []string // substrings of the message
	}{
		{"unknown predictor", smallCSV, "y ~ xx + (1 | grp)",
			[]string{`unknown column "xx"`, "a predictor", `did you mean "x"?`}},
		{"unknown predictor case", smallCSV, "y ~ Sex + (1 | grp)",
			[]string{`unknown column "Sex"`, `did you mean "sex"?`}},
		{"unknown response", smallCSV, "reaction ~ x + (1 | grp)",
			[]string{`unknown column "reaction"`, "the response", "the columns are y, x, sex, grp, num, c"}},
		{"unknown group", smallCSV, "y ~ x + (1 | group)",
			[]string{`unknown column "group"`, "the grouping factor", `did you mean "grp"?`}},
		{"non-numeric predictor", "y,x,g\n1,1,a\n2,2,a\n3,abc,b\n4,4,b\n5,5,b\n",
			"y ~ x + (1 | g)", []string{`column "x": value "abc" at row 3 (line 4) is not numeric`}},
		{"non-numeric response", "y,x,g\n1,1,a\n2,2,a\n3,3,b\n?,4,b\n5,5,b\n",
			"y ~ x + (1 | g)", []string{`column "y": value "?" at row 4 (line 5) is not numeric`, "the response"}},
		{"text response", smallCSV, "sex ~ x + (1 | grp)",
			[]string{`column "sex": value "F" at row 1 (line 2) is not numeric`}},
		{"NaN", "y,x,g\n1,1,a\n2,NaN,a\n3,3,b\n4,4,b\n5,5,b\n",
			"y ~ x + (1 | g)", []string{`column "x": value "NaN" at row 2 (line 3) is not a finite number`}},
		{"Inf response", "y,x,g\n1,1,a\n2,2,a\n3,3,b\n4,4,b\n-Inf,5,b\n",
			"y ~ x + (1 | g)", []string{`column "y": value "-Inf" at row 5 (line 6) is not a finite number`}},
		{"overflow", "y,x,g\n1,1,a\n2,2,a\n3,3,b\n4,1e999,b\n5,5,b\n",
			"y ~ x + (1 | g)", []string{`column "x": value "1e999" at row 4`, "not a finite number"}},
		{"constant numeric", smallCSV, "y ~ x + c + (1 | grp)",
			[]string{`predictor "c" is constant`, `value "1"`}},
		{"constant after dropping", "y,x,f,g\n1,1,u,a\n2,2,u,a\n3,3,v,b\nNA,4,w,b\n5,5,u,b\n6,6,v,a\n",
			"y ~ x + (1 | g)", nil}, // valid: f unused
		{"constant factor", "y,x,f,g\n1,1,u,a\n2,2,u,a\n3,3,u,b\nNA,4,w,b\n5,5,u,b\n6,6,u,a\n",
			"y ~ x + f + (1 | g)", []string{`predictor "f" is constant`, `level "u"`}},
		{"one group", "y,x,g\n1,1,a\n2,2,a\n3,3,a\n4,4,a\n5,5,b\n6,7,NA\n",
			"y ~ x + (1 | g)", nil}, // valid: two groups
		{"fewer than 2 groups", "y,x,g\n1,1,a\n2,2,a\n3,3,a\nNA,4,b\n5,5,a\n",
			"y ~ x + (1 | g)", []string{`grouping factor "g" has 1 level`, "at least 2 groups"}},
		{"fewer observations than parameters", "y,x,z,g\n1,1,0,a\n2,2,1,a\n3,3,0,b\n4,5,2,b\n",
			"y ~ x + z + (1 + x + z || g)", []string{"4 observations are fewer than the 7 parameters", "3 fixed effects", "3 random-effect SDs"}},
		{"no complete rows", "y,x,g\n1,NA,a\nNA,2,b\n",
			"y ~ x + (1 | g)", []string{"no complete rows", `"y", "g", "x"`}},
		{"dummy name collision", "y,s,sM,g\n1,F,1,a\n2,M,2,a\n3,F,4,b\n4,M,3,b\n5,F,6,a\n6,M,5,b\n",
			"y ~ s + sM + (1 | g)", []string{`both named "sM"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := build(t, tc.data, tc.formula)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if err := d.Validate(); err != nil {
					t.Fatal(err)
				}
				return
			}
			checkError(t, err, tc.want)
		})
	}
}

func TestBuildMixedTextIsFactor(t *testing.T) {
	// A mostly-text column with one number is read by R as character, so
	// it is a factor here too; levels sort bytewise: "1" < "a" < "b".
	const data = "y,f,g\n1,a,u\n2,b,u\n3,1,v\n4,a,v\n5,b,u\n6,a,v\n"
	d, err := build(t, data, "y ~ f + (1 | g)")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"Intercept", "fa", "fb"}; !slices.Equal(d.Fixed, want) {
		t.Errorf("Fixed = %q, want %q", d.Fixed, want)
	}
}

func TestLoad(t *testing.T) {
	// sleepstudy: 180 rows, 18 subjects of 10 days each (lme4's sleepstudy
	// documentation; see also testdata/r/describe.json).
	d, err := Load("../../testdata/datasets/sleepstudy.csv", "Reaction ~ Days + (1 + Days || Subject)")
	if err != nil {
		t.Fatal(err)
	}
	if d.N() != 180 || d.M() != 18 || d.NDropped != 0 {
		t.Errorf("N %d M %d dropped %d; want 180 18 0", d.N(), d.M(), d.NDropped)
	}
	_, err = Load("../../testdata/datasets/sleepstudy.csv", "Reaction ~ Days + (1 + Days || Subjct)")
	checkError(t, err, []string{"sleepstudy.csv", `unknown column "Subjct"`, `did you mean "Subject"?`})
	_, err = Load("../../testdata/datasets/none.csv", "Reaction ~ Days + (1 | Subject)")
	checkError(t, err, []string{"none.csv", "no such file"})
	d, err = Load("../../testdata/datasets/sleepstudy.csv", "Reaction ~ Days + (Days | Subject)")
	if err != nil {
		t.Fatal(err)
	}
	if !d.Correlated || d.NCor() != 1 {
		t.Errorf("(Days | Subject): Correlated %v, NCor %d; want true, 1", d.Correlated, d.NCor())
	}
}

func TestBuildHandMadeFormula(t *testing.T) {
	// A Formula built by hand bypasses ParseFormula's checks; Build must
	// still return errors, not panic or return an invalid design.
	fr, err := ReadCSV(strings.NewReader(smallCSV))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		f    Formula
		want []string
	}{
		{"no fixed effects", Formula{Response: "y", Group: "grp"}, []string{"no fixed effects"}},
		{"random intercept without fixed", Formula{Response: "y", Fixed: []Term{{"x"}}, Group: "grp", RandomIntercept: true},
			[]string{"random intercept needs a fixed intercept"}},
		{"random slope not fixed", Formula{Response: "y", Intercept: true, Fixed: []Term{{"x"}}, Group: "grp", Random: []Term{{"num"}}},
			[]string{`random term "num" must also be a fixed term`}},
		{"no group", Formula{Response: "y", Intercept: true}, []string{`unknown column ""`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Build(fr, &tc.f)
			checkError(t, err, tc.want)
		})
	}
	d, err := Build(fr, &Formula{Response: "y", Intercept: true, Fixed: []Term{{"x"}}, Group: "grp", RandomIntercept: true})
	if err != nil {
		t.Fatal(err)
	}
	if want := "y ~ x + (1 | grp)"; d.Formula != want {
		t.Errorf("Formula = %q, want the canonical %q", d.Formula, want)
	}
}

func TestBuildMagnitudes(t *testing.T) {
	// Limits, by hand: over n = 5 rows, |values| must stay below
	// √(MaxFloat64/5) ≈ 5.996e153, printed 6e+153; a non-constant column needs SD ≥ 2⁻⁵¹¹
	// ≈ 1.49e-154.
	const f = "y ~ x + (1 | g)"
	tests := []struct {
		name, data string
		want       []string // nil: accepted
	}{
		{"1e300 predictor", "y,x,g\n1,1,a\n2,2,a\n3,1e300,b\n4,4,b\n5,5,b\n",
			[]string{`column "x" (a predictor): value "1e300" at row 3 (line 4) is too large`, "5 rows", "below 6e+153", "divide it by 1e+300"}},
		{"1e300 response", "y,x,g\n1,1,a\n2,2,a\n-1e300,3,b\n4,4,b\n5,5,b\n",
			[]string{`column "y" (the response): value "-1e300"`, "too large"}},
		{"large but fine", "y,x,g\n1,1,a\n2,2,a\n3,5e153,b\n4,4,b\n5,5,b\n", nil},
		{"just too large", "y,x,g\n1,1,a\n2,2,a\n3,6e153,b\n4,4,b\n5,5,b\n", []string{"too large"}},
		{"tiny spread", "y,x,g\n1,1e-200,a\n2,2e-200,a\n3,3e-200,b\n4,4e-200,b\n5,5e-200,b\n",
			// SD of 1..5 is √2.5 ≈ 1.58, times 1e-200.
			[]string{`column "x" (a predictor): its spread is too small: SD 1.58e-200`, "multiply it by 1e+200"}},
		{"tiny spread on a large offset", "y,x,g\n1,1e300,a\n2,1e300,a\n3,1e300,b\n4,1e300,b\n5,1e300,b\n",
			[]string{"too large"}},
		{"small but fine", "y,x,g\n1,1e-150,a\n2,2e-150,a\n3,3e-150,b\n4,4e-150,b\n5,5e-150,b\n", nil},
		{"tiny response", "y,x,g\n1e-170,1,a\n2e-170,2,a\n3e-170,3,b\n4e-170,4,b\n5e-170,5,b\n",
			[]string{`column "y" (the response): its spread is too small`}},
		{"zeros are constant, not tiny", "y,x,g\n1,0,a\n2,0,a\n3,0,b\n4,0,b\n5,0,b\n",
			[]string{`predictor "x" is constant`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := build(t, tc.data, f)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				// The default prior of an accepted design is usable.
				pr, err := lmm.DefaultPrior(d)
				if err != nil {
					t.Fatal(err)
				}
				if err := pr.Check(d); err != nil {
					t.Fatal(err)
				}
				return
			}
			checkError(t, err, tc.want)
		})
	}
}

func TestBuildPartsKeepBehaviour(t *testing.T) {
	// A path through every part of Build (full factor coding without an
	// intercept, a random slope pointing past the dummy columns), worked by
	// hand from smallCSV: kept rows 1, 2, 4, 5, 6, 8, 9; without an
	// intercept sex gets both its F and M columns; x is the third column.
	d, err := build(t, smallCSV, "y ~ 0 + sex + x + (0 + x || grp)")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"sexF", "sexM", "x"}; !slices.Equal(d.Fixed, want) {
		t.Errorf("Fixed = %q, want %q", d.Fixed, want)
	}
	if want := []int{2}; !slices.Equal(d.RandomCol, want) {
		t.Errorf("RandomCol = %v, want %v", d.RandomCol, want)
	}
	wantX := []float64{
		1, 0, 0.5,
		0, 1, 1.5,
		1, 0, 2.5,
		0, 1, 3.5,
		1, 0, 4.5,
		0, 1, 5.5,
		1, 0, 6.5,
	}
	if !slices.Equal(d.X, wantX) {
		t.Errorf("X = %v, want %v", d.X, wantX)
	}
	if d.NDropped != 2 {
		t.Errorf("NDropped = %d, want 2", d.NDropped)
	}
}
