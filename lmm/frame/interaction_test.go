package frame

import (
	"slices"
	"testing"

	"github.com/metabeta-go/metabeta/lmm"
)

// interactionCSV is a hand-made table in which every pair of levels of f
// and h occurs, so that no interaction column is empty.
const interactionCSV = `y,x,z,f,h,g
1.2,0.5,3,A,X,a
2.3,1.5,1,B,Y,a
0.7,2,4,C,X,a
3.1,2.5,2,A,Y,b
2.2,3,5,B,X,b
4.0,3.5,1,C,Y,b
1.9,4,2,A,X,c
3.3,4.5,6,B,Y,c
2.8,5,3,C,Y,c
3.6,6,4,A,Y,a
1.1,6.5,2,B,X,b
2.5,7,5,C,X,c
3.0,7.5,1,A,X,a
1.7,8,3,B,Y,b
2.1,8.5,6,C,Y,c
2.6,9,2,A,Y,b
`

// TestBuildInteractionsMatchR checks the columns of X, their names, order
// and values, against R's model.matrix (R 4.2.2). The table was written by
// this script, run with interactionCSV saved as d.csv:
//
//	# Writes the Go table of TestBuildInteractionsMatchR (lmm/frame/interaction_test.go).
//	d <- read.csv("d.csv", stringsAsFactors = TRUE)
//	for (fm in c("y ~ x*f", "y ~ f*h", "y ~ 0 + x + x:f", "y ~ x:f + f", "y ~ x*z*f", "y ~ f + x:h", "y ~ z:x + x", "y ~ 0 + z + f:h", "y ~ 0 + h + x:f", "y ~ x:z + h:f + z")) {
//	  m <- model.matrix(as.formula(fm), d)
//	  cat(sprintf("\t\t{%s, []string{%s}, []float64{\n", deparse(fm), paste0('"', sub("\\(Intercept\\)", "Intercept", colnames(m)), '"', collapse=", ")))
//	  for (i in 1:nrow(m)) cat("\t\t\t", paste(sapply(m[i,], function(v) format(v, digits=15)), collapse=", "), ",\n", sep="")
//	  cat("\t\t}},\n")
//	}
//
// The random part added to each formula is this package's: the intercept,
// or a term of the fixed part where the formula has no intercept.
func TestBuildInteractionsMatchR(t *testing.T) {
	tests := []struct {
		formula string
		names   []string
		x       []float64 // row-major
	}{
		{"y ~ x*f", []string{"Intercept", "x", "fB", "fC", "x:fB", "x:fC"}, []float64{
			1, 0.5, 0, 0, 0, 0,
			1, 1.5, 1, 0, 1.5, 0,
			1, 2, 0, 1, 0, 2,
			1, 2.5, 0, 0, 0, 0,
			1, 3, 1, 0, 3, 0,
			1, 3.5, 0, 1, 0, 3.5,
			1, 4, 0, 0, 0, 0,
			1, 4.5, 1, 0, 4.5, 0,
			1, 5, 0, 1, 0, 5,
			1, 6, 0, 0, 0, 0,
			1, 6.5, 1, 0, 6.5, 0,
			1, 7, 0, 1, 0, 7,
			1, 7.5, 0, 0, 0, 0,
			1, 8, 1, 0, 8, 0,
			1, 8.5, 0, 1, 0, 8.5,
			1, 9, 0, 0, 0, 0,
		}},
		{"y ~ f*h", []string{"Intercept", "fB", "fC", "hY", "fB:hY", "fC:hY"}, []float64{
			1, 0, 0, 0, 0, 0,
			1, 1, 0, 1, 1, 0,
			1, 0, 1, 0, 0, 0,
			1, 0, 0, 1, 0, 0,
			1, 1, 0, 0, 0, 0,
			1, 0, 1, 1, 0, 1,
			1, 0, 0, 0, 0, 0,
			1, 1, 0, 1, 1, 0,
			1, 0, 1, 1, 0, 1,
			1, 0, 0, 1, 0, 0,
			1, 1, 0, 0, 0, 0,
			1, 0, 1, 0, 0, 0,
			1, 0, 0, 0, 0, 0,
			1, 1, 0, 1, 1, 0,
			1, 0, 1, 1, 0, 1,
			1, 0, 0, 1, 0, 0,
		}},
		{"y ~ 0 + x + x:f", []string{"x", "x:fA", "x:fB", "x:fC"}, []float64{
			0.5, 0.5, 0, 0,
			1.5, 0, 1.5, 0,
			2, 0, 0, 2,
			2.5, 2.5, 0, 0,
			3, 0, 3, 0,
			3.5, 0, 0, 3.5,
			4, 4, 0, 0,
			4.5, 0, 4.5, 0,
			5, 0, 0, 5,
			6, 6, 0, 0,
			6.5, 0, 6.5, 0,
			7, 0, 0, 7,
			7.5, 7.5, 0, 0,
			8, 0, 8, 0,
			8.5, 0, 0, 8.5,
			9, 9, 0, 0,
		}},
		{"y ~ x:f + f", []string{"Intercept", "fB", "fC", "x:fA", "x:fB", "x:fC"}, []float64{
			1, 0, 0, 0.5, 0, 0,
			1, 1, 0, 0, 1.5, 0,
			1, 0, 1, 0, 0, 2,
			1, 0, 0, 2.5, 0, 0,
			1, 1, 0, 0, 3, 0,
			1, 0, 1, 0, 0, 3.5,
			1, 0, 0, 4, 0, 0,
			1, 1, 0, 0, 4.5, 0,
			1, 0, 1, 0, 0, 5,
			1, 0, 0, 6, 0, 0,
			1, 1, 0, 0, 6.5, 0,
			1, 0, 1, 0, 0, 7,
			1, 0, 0, 7.5, 0, 0,
			1, 1, 0, 0, 8, 0,
			1, 0, 1, 0, 0, 8.5,
			1, 0, 0, 9, 0, 0,
		}},
		{"y ~ x*z*f", []string{"Intercept", "x", "z", "fB", "fC", "x:z", "x:fB", "x:fC", "z:fB", "z:fC", "x:z:fB", "x:z:fC"}, []float64{
			1, 0.5, 3, 0, 0, 1.5, 0, 0, 0, 0, 0, 0,
			1, 1.5, 1, 1, 0, 1.5, 1.5, 0, 1, 0, 1.5, 0,
			1, 2, 4, 0, 1, 8, 0, 2, 0, 4, 0, 8,
			1, 2.5, 2, 0, 0, 5, 0, 0, 0, 0, 0, 0,
			1, 3, 5, 1, 0, 15, 3, 0, 5, 0, 15, 0,
			1, 3.5, 1, 0, 1, 3.5, 0, 3.5, 0, 1, 0, 3.5,
			1, 4, 2, 0, 0, 8, 0, 0, 0, 0, 0, 0,
			1, 4.5, 6, 1, 0, 27, 4.5, 0, 6, 0, 27, 0,
			1, 5, 3, 0, 1, 15, 0, 5, 0, 3, 0, 15,
			1, 6, 4, 0, 0, 24, 0, 0, 0, 0, 0, 0,
			1, 6.5, 2, 1, 0, 13, 6.5, 0, 2, 0, 13, 0,
			1, 7, 5, 0, 1, 35, 0, 7, 0, 5, 0, 35,
			1, 7.5, 1, 0, 0, 7.5, 0, 0, 0, 0, 0, 0,
			1, 8, 3, 1, 0, 24, 8, 0, 3, 0, 24, 0,
			1, 8.5, 6, 0, 1, 51, 0, 8.5, 0, 6, 0, 51,
			1, 9, 2, 0, 0, 18, 0, 0, 0, 0, 0, 0,
		}},
		{"y ~ f + x:h", []string{"Intercept", "fB", "fC", "x:hX", "x:hY"}, []float64{
			1, 0, 0, 0.5, 0,
			1, 1, 0, 0, 1.5,
			1, 0, 1, 2, 0,
			1, 0, 0, 0, 2.5,
			1, 1, 0, 3, 0,
			1, 0, 1, 0, 3.5,
			1, 0, 0, 4, 0,
			1, 1, 0, 0, 4.5,
			1, 0, 1, 0, 5,
			1, 0, 0, 0, 6,
			1, 1, 0, 6.5, 0,
			1, 0, 1, 7, 0,
			1, 0, 0, 7.5, 0,
			1, 1, 0, 0, 8,
			1, 0, 1, 0, 8.5,
			1, 0, 0, 0, 9,
		}},
		{"y ~ z:x + x", []string{"Intercept", "x", "z:x"}, []float64{
			1, 0.5, 1.5,
			1, 1.5, 1.5,
			1, 2, 8,
			1, 2.5, 5,
			1, 3, 15,
			1, 3.5, 3.5,
			1, 4, 8,
			1, 4.5, 27,
			1, 5, 15,
			1, 6, 24,
			1, 6.5, 13,
			1, 7, 35,
			1, 7.5, 7.5,
			1, 8, 24,
			1, 8.5, 51,
			1, 9, 18,
		}},
		{"y ~ 0 + z + f:h", []string{"z", "fA:hX", "fB:hX", "fC:hX", "fA:hY", "fB:hY", "fC:hY"}, []float64{
			3, 1, 0, 0, 0, 0, 0,
			1, 0, 0, 0, 0, 1, 0,
			4, 0, 0, 1, 0, 0, 0,
			2, 0, 0, 0, 1, 0, 0,
			5, 0, 1, 0, 0, 0, 0,
			1, 0, 0, 0, 0, 0, 1,
			2, 1, 0, 0, 0, 0, 0,
			6, 0, 0, 0, 0, 1, 0,
			3, 0, 0, 0, 0, 0, 1,
			4, 0, 0, 0, 1, 0, 0,
			2, 0, 1, 0, 0, 0, 0,
			5, 0, 0, 1, 0, 0, 0,
			1, 1, 0, 0, 0, 0, 0,
			3, 0, 0, 0, 0, 1, 0,
			6, 0, 0, 0, 0, 0, 1,
			2, 0, 0, 0, 1, 0, 0,
		}},
		{"y ~ 0 + h + x:f", []string{"hX", "hY", "x:fA", "x:fB", "x:fC"}, []float64{
			1, 0, 0.5, 0, 0,
			0, 1, 0, 1.5, 0,
			1, 0, 0, 0, 2,
			0, 1, 2.5, 0, 0,
			1, 0, 0, 3, 0,
			0, 1, 0, 0, 3.5,
			1, 0, 4, 0, 0,
			0, 1, 0, 4.5, 0,
			0, 1, 0, 0, 5,
			0, 1, 6, 0, 0,
			1, 0, 0, 6.5, 0,
			1, 0, 0, 0, 7,
			1, 0, 7.5, 0, 0,
			0, 1, 0, 8, 0,
			0, 1, 0, 0, 8.5,
			0, 1, 9, 0, 0,
		}},
		{"y ~ x:z + h:f + z", []string{"Intercept", "z", "x:z", "hX:fA", "hY:fA", "hX:fB", "hY:fB", "hX:fC", "hY:fC"}, []float64{
			1, 3, 1.5, 1, 0, 0, 0, 0, 0,
			1, 1, 1.5, 0, 0, 0, 1, 0, 0,
			1, 4, 8, 0, 0, 0, 0, 1, 0,
			1, 2, 5, 0, 1, 0, 0, 0, 0,
			1, 5, 15, 0, 0, 1, 0, 0, 0,
			1, 1, 3.5, 0, 0, 0, 0, 0, 1,
			1, 2, 8, 1, 0, 0, 0, 0, 0,
			1, 6, 27, 0, 0, 0, 1, 0, 0,
			1, 3, 15, 0, 0, 0, 0, 0, 1,
			1, 4, 24, 0, 1, 0, 0, 0, 0,
			1, 2, 13, 0, 0, 1, 0, 0, 0,
			1, 5, 35, 0, 0, 0, 0, 1, 0,
			1, 1, 7.5, 1, 0, 0, 0, 0, 0,
			1, 3, 24, 0, 0, 0, 1, 0, 0,
			1, 6, 51, 0, 0, 0, 0, 0, 1,
			1, 2, 18, 0, 1, 0, 0, 0, 0,
		}},
	}
	random := map[string]string{
		"y ~ 0 + x + x:f": "(0 + x | g)",
		"y ~ 0 + z + f:h": "(0 + z | g)",
		"y ~ 0 + h + x:f": "(0 + x:f || g)",
	}
	for _, tc := range tests {
		r, ok := random[tc.formula]
		if !ok {
			r = "(1 | g)"
		}
		formula := tc.formula + " + " + r
		t.Run(formula, func(t *testing.T) {
			d, err := build(t, interactionCSV, formula)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(d.Fixed, tc.names) {
				t.Errorf("columns %q; R %q", d.Fixed, tc.names)
			}
			if !slices.Equal(d.X, tc.x) {
				t.Errorf("X = %v\nR   %v", d.X, tc.x)
			}
		})
	}
}

func TestBuildRandomInteractions(t *testing.T) {
	// Expected by hand from the columns of X in TestBuildInteractionsMatchR:
	// a random slope uses its fixed term's columns, the random intercept
	// comes first and the slopes follow by degree. lme4 1.1.31 agrees on the
	// terms and their order (unlist(lFormula(formula, d)$reTrms$cnms), d
	// being interactionCSV), but names the random z:x as written, "z:x", and
	// gives a factor's random slope a column for every level (x:fA, x:fB,
	// x:fC; fA, fB, fC), as the package documentation says.
	tests := []struct {
		formula    string
		random     []string
		randomCol  []int
		correlated bool
	}{
		{"y ~ x*z + (x:z | g)", []string{"Intercept", "x:z"}, []int{0, 3}, true},
		{"y ~ x*z + (z:x + 1 || g)", []string{"Intercept", "x:z"}, []int{0, 3}, false},
		{"y ~ x*z + (x:z + x | g)", []string{"Intercept", "x", "x:z"}, []int{0, 1, 3}, true},
		{"y ~ x + z + (1 + z + x | g)", []string{"Intercept", "z", "x"}, []int{0, 2, 1}, true},
		{"y ~ x*f + (0 + x:f || g)", []string{"x:fB", "x:fC"}, []int{4, 5}, false},
		// One random effect: no correlation, whatever the bar.
		{"y ~ x + (1 | g)", []string{"Intercept"}, []int{0}, false},
		{"y ~ x + (0 + x | g)", []string{"x"}, []int{1}, false},
		// A factor's slope alone in a "|" term: its columns are correlated.
		{"y ~ f + (0 + f | g)", []string{"fB", "fC"}, []int{1, 2}, true},
		// Several terms for the group are independent (lme4).
		{"y ~ x + z + (1 | g) + (0 + x | g)", []string{"Intercept", "x"}, []int{0, 1}, false},
	}
	for _, tc := range tests {
		t.Run(tc.formula, func(t *testing.T) {
			d, err := build(t, interactionCSV, tc.formula)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(d.Random, tc.random) || !slices.Equal(d.RandomCol, tc.randomCol) || d.Correlated != tc.correlated {
				t.Errorf("random %q cols %v correlated %v; want %q %v %v", d.Random, d.RandomCol, d.Correlated, tc.random, tc.randomCol, tc.correlated)
			}
			if want := lmm.NumCor(len(tc.random)); tc.correlated && d.NCor() != want {
				t.Errorf("NCor = %d, want %d", d.NCor(), want)
			}
		})
	}
}

func TestBuildInteractionErrors(t *testing.T) {
	// No row has f = B with h = Y: the column fB:hY of f*h is all zero.
	const emptyCell = "y,f,h,g\n1,A,X,a\n2,A,Y,a\n3,B,X,a\n4,A,X,b\n5,A,Y,b\n6,B,X,b\n7,A,Y,c\n8,B,X,c\n"
	// x·z = 4 in every row.
	const constant = "y,x,z,g\n1,1,4,a\n2,2,2,a\n3,4,1,a\n4,1,4,b\n5,2,2,b\n6,4,1,b\n"
	// x·z = 1e200 overflows the sums of squares (limit √(MaxFloat64/6) ≈ 5.5e153).
	const huge = "y,x,z,g\n1,1e100,1e100,a\n2,2,2,a\n3,4,1,a\n4,1,4,b\n5,2,3,b\n6,4,1,b\n"
	tests := []struct {
		name, data, formula string
		want                []string
	}{
		{"empty cell", emptyCell, "y ~ f*h + (1 | g)",
			[]string{`interaction column "fB:hY" is 0 in every kept row`, `drop the interaction "f:h" or merge levels`}},
		{"constant product", constant, "y ~ x*z + (1 | g)", []string{`interaction column "x:z" is constant`, "value 4"}},
		{"product overflow", huge, "y ~ x*z + (1 | g)", []string{`interaction column "x:z"`, "1e+200, too large", "rescale"}},
		{"unknown column in an interaction", interactionCSV, "y ~ x + x:k + (1 | g)",
			[]string{`unknown column "k" (in the interaction "x:k")`}},
		{"unknown main effect of a product", interactionCSV, "y ~ x*zz + (1 | g)",
			[]string{`unknown column "zz" (a predictor)`, `did you mean "z"?`}},
		{"factor slope alone in a combined | term", interactionCSV, "y ~ x + f + (1 | g) + (0 + f | g)",
			[]string{"random term (0 + f | g) correlates the 2 columns of \"f\" (fB, fC) among themselves", "write all effects of g in one term: (1 + f | g) for correlated effects, or (1 + f || g)"}},
		{"correlations count as parameters", interactionCSV, "y ~ x*f + (x*f | g)",
			[]string{"16 observations are fewer than the 28 parameters", "6 random-effect SDs, 1 residual SD, 15 random-effect correlations"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := build(t, tc.data, tc.formula)
			checkError(t, err, tc.want)
		})
	}
}
