package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/metabeta-go/metabeta/npe/estimator"
)

// TestCatalogueInput is the part of the catalogue of malformed inputs
// (issue 12) about the data, the prior spec and the model file: CSV
// dialects and hostile CSV values, prior specs that are empty, not an
// object or whose scales under- or overflow, and corrupted model files.
// describe is used wherever the check comes before fitting; fit only for
// what describe does not read (--model) and for the issue's own report that
// fit blamed the prior for a data value.
func TestCatalogueInput(t *testing.T) {
	const f = "y ~ x + (1 + x || g)"
	huge := strings.Repeat("z", 3<<20) // a 3 MB field: 3145728 bytes
	long := strings.Repeat("z", 100)   // what an unshortened echo would hold
	model := modelFile(t)
	flip := func(i int) string { b := []byte(model); b[i] ^= 0x01; return string(b) }
	prior := func(spec string) map[string]string {
		return map[string]string{"d.csv": table(",", ".", nil), "p.json": spec}
	}
	describe := []string{"describe", "--data", "$DIR/d.csv", "--formula", f}
	withPrior := append(append([]string(nil), describe...), "--prior", "$DIR/p.json")
	npe := []string{"fit", "--data", "$DIR/d.csv", "--formula", f, "--method", "npe", "--model", "$DIR/m.mbw", "--quiet"}
	withModel := func(m string) map[string]string {
		return map[string]string{"d.csv": table(",", ".", nil), "m.mbw": m}
	}

	checkCatalogue(t, []malformedCase{
		// CSV dialects that R reads: read past them, or read them.
		{name: "byte-order mark before a quoted header",
			files: map[string]string{"d.csv": "\uFEFF" + strings.Replace(table(",", ".", nil), "y,x,g", `"y","x","g"`, 1)},
			args:  describe, code: 0, want: []string{"rows:     20 used", "fixed:    b_Intercept, b_x"}},
		{name: "byte-order mark before a plain header",
			files: map[string]string{"d.csv": "\uFEFF" + table(",", ".", nil)},
			args:  describe, code: 0, want: []string{"rows:     20 used"}},
		{name: "tab-separated (read.delim)",
			files: map[string]string{"d.csv": table("\t", ".", nil)},
			args:  describe, code: 0, want: []string{"rows:     20 used", "random:   sd_g__Intercept, sd_g__x"}},
		{name: "semicolon-separated with decimal commas (read.csv2)",
			files: map[string]string{"d.csv": table(";", ",", nil)},
			args:  describe, code: 0, want: []string{"rows:     20 used", "fixed:    b_Intercept, b_x"}},
		{name: "space-separated",
			files: map[string]string{"d.csv": strings.ReplaceAll(table(",", ".", nil), ",", " ")},
			args:  describe, code: 1, want: []string{`unknown column "y"`, "read as a single column", "commas, tabs or semicolons"}},
		{name: "ragged tab-separated row",
			files: map[string]string{"d.csv": table("\t", ".", nil) + "1\t2\n"},
			args:  describe, code: 1, want: []string{"$DIR/d.csv", "line 22 has 2 fields, the header has 3", "separated by tabs"}},

		// Huge fields are quoted by their start and length, never whole.
		{name: "3 MB response value",
			files: map[string]string{"d.csv": table(",", ".", map[int]string{3: huge + ",3,a"})},
			args:  describe, code: 1, want: []string{`column "y": value "zzzz`, `…" (3145728 bytes) at row 4`, "not numeric"}, reject: []string{long}},
		{name: "3 MB duplicate column name",
			files: map[string]string{"d.csv": huge + ",x," + huge + "\n1,2,3\n"},
			args:  describe, code: 1, want: []string{"duplicate column name", "(3145728 bytes)", "columns 1 and 3"}, reject: []string{long}},

		// Values that overflow or underflow float64 sums of squares: name
		// the column and the size, not the prior.
		{name: "predictor 1e300",
			files: map[string]string{"d.csv": table(",", ".", map[int]string{2: "3.1,1e300,a"})},
			args:  describe, code: 1, want: []string{`column "x" (a predictor): value "1e300" at row 3 (line 4) is too large`, "divide it by 1e+300"}},
		{name: "predictor 1e300 in fit",
			files: map[string]string{"d.csv": table(",", ".", map[int]string{2: "3.1,1e300,a"})},
			args:  []string{"fit", "--data", "$DIR/d.csv", "--formula", f, "--quiet"},
			code:  1, want: []string{`column "x"`, "too large", "rescale"}, reject: []string{"prior spec", "b.x.sd"}},
		{name: "predictor with a spread of 1e-200",
			files: map[string]string{"d.csv": scaled(1, 1e-200)},
			args:  describe, code: 1, want: []string{`column "x" (a predictor): its spread is too small`, "multiply it by"}},
		{name: "response with a spread of 1e-170",
			files: map[string]string{"d.csv": scaled(1e-170, 1)},
			args:  describe, code: 1, want: []string{`column "y" (the response): its spread is too small`}},
		{name: "response and predictor 300 orders of magnitude apart",
			files: map[string]string{"d.csv": scaled(1e-150, 1e150)},
			args:  describe, code: 1, want: []string{"default prior: b.x.sd", "too small", "comparable units"}},

		// Prior specs.
		{name: "empty prior spec", files: prior(""), args: withPrior, code: 1,
			want: []string{"--prior $DIR/p.json", "the spec is empty"}},
		{name: "blank prior spec", files: prior(" \n\n"), args: withPrior, code: 1,
			want: []string{"the spec is empty"}},
		{name: "prior spec is an array", files: prior("[]"), args: withPrior, code: 1,
			want: []string{"--prior $DIR/p.json", "want a JSON object", "got an array"}, reject: []string{"Go value", "lmm."}},
		{name: "prior spec is a number", files: prior("2"), args: withPrior, code: 1,
			want: []string{"want a JSON object", "got a number"}},
		{name: "prior sigma as a string", files: prior(`{"sigma": "2"}`), args: withPrior, code: 1,
			want: []string{"sigma: want a number, got string"}, reject: []string{"Go "}},
		{name: "prior b.x as an array", files: prior(`{"b": {"x": [1, 2]}}`), args: withPrior, code: 1,
			want: []string{"b.x: want a JSON object, got array"}, reject: []string{"Go "}},
		{name: "prior sigma 1e-300", files: prior(`{"sigma": 1e-300}`), args: withPrior, code: 1,
			want: []string{"prior spec: sigma: scale 1e-300 is too small"}},
		{name: "prior b.x.sd 1e200", files: prior(`{"b": {"x": {"sd": 1e200}}}`), args: withPrior, code: 1,
			want: []string{"prior spec: b.x.sd: scale 1e+200 is too large"}},
		{name: "prior sd.x 1e-160", files: prior(`{"sd": {"x": 1e-160}}`), args: withPrior, code: 1,
			want: []string{"prior spec: sd.x: scale 1e-160 is too small"}},
		{name: "prior with a 3 MB key", files: prior(`{"` + huge + `": 1}`), args: withPrior, code: 1,
			want: []string{"unknown field", "(3145728 bytes)"}, reject: []string{long}},
		{name: "prior spec with a byte-order mark", files: prior("\uFEFF{\"sigma\": 2}"), args: withPrior, code: 0,
			want: []string{`"sigma": 2`}},

		// Model files: the checksum is verified before the header is read.
		{name: "model with a flipped header byte", files: withModel(flip(20)), args: npe, code: 1,
			want: []string{"--model $DIR/m.mbw", "corrupted", "checksum"}},
		{name: "model with a flipped version byte", files: withModel(flip(8)), args: npe, code: 1,
			want: []string{"--model $DIR/m.mbw", "corrupted"}, reject: []string{"unsupported format version"}},
		{name: "truncated model", files: withModel(model[:len(model)/2]), args: npe, code: 1,
			want: []string{"--model $DIR/m.mbw", "corrupted or truncated"}},
		{name: "model file that is a CSV", files: withModel(table(",", ".", nil)), args: npe, code: 1,
			want: []string{"--model $DIR/m.mbw", "not a weights file"}},
	})
}

// TestCatalogueModelInput is the part of the catalogue about the model a
// formula and a prior spec describe (issue 11): correlated and independent
// random terms, interactions, the LKJ shape, and what stays refused
// (nested and crossed grouping, function calls) with the construct named.
func TestCatalogueModelInput(t *testing.T) {
	describe := func(formula string) []string {
		return []string{"describe", "--data", "$DIR/d.csv", "--formula", formula}
	}
	data := map[string]string{"d.csv": table(",", ".", nil)}
	withPrior := func(spec string) map[string]string {
		return map[string]string{"d.csv": table(",", ".", nil), "p.json": spec}
	}
	correlated := append(describe("y ~ x + (x | g)"), "--prior", "$DIR/p.json")
	sex := map[string]string{"d.csv": sexTable()}

	checkCatalogue(t, []malformedCase{
		// One random effect: "|" is plain, no correlation.
		{name: "(1 | g) is plain", files: data, args: describe("y ~ x + (1 | g)"), code: 0,
			want: []string{"random:   sd_g__Intercept\n", "cor:      none (one random effect)"}, reject: []string{"cor_g"}},
		{name: "(0 + x | g) works", files: data, args: describe("y ~ x + (0 + x | g)"), code: 0,
			want: []string{"fixed:    b_Intercept, b_x\n", "random:   sd_g__x\n", "cor:      none (one random effect)"}},
		// lme4's default random term: correlated, with the brms name.
		{name: "(x | g) is correlated", files: data, args: describe("y ~ x + (x | g)"), code: 0,
			want: []string{"random:   sd_g__Intercept, sd_g__x\n", "cor:      cor_g__Intercept__x (correlated random effects, LKJ prior)", `"cor": 1`}},
		{name: "(1 + x || g) is independent", files: data, args: describe("y ~ x + (1 + x || g)"), code: 0,
			want: []string{`cor:      none (independent random effects, "||")`}, reject: []string{"cor_g"}},
		{name: "correlated term combined with another for its group", files: sex, args: describe("y ~ age + Sex + (age | g) + (0 + Sex | g)"), code: 1,
			want: []string{"the correlated random term (age | g) cannot be combined with another random term",
				"write all effects of g in one term: (1 + age + Sex | g) for correlated effects, or (1 + age + Sex || g) for independent ones"}},

		// The LKJ shape η of the prior spec.
		{name: "prior cor 2", files: withPrior(`{"cor": 2}`), args: correlated, code: 0, want: []string{`"cor": 2`}},
		{name: "prior cor 0", files: withPrior(`{"cor": 0}`), args: correlated, code: 1,
			want: []string{"--prior $DIR/p.json", "prior spec: cor must be positive and finite", "LKJ", "got 0"}},
		{name: "prior cor -1", files: withPrior(`{"cor": -1}`), args: correlated, code: 1,
			want: []string{"--prior $DIR/p.json", "prior spec: cor must be positive and finite", "got -1"}},
		{name: "prior cor 1e9", files: withPrior(`{"cor": 1e9}`), args: correlated, code: 1,
			want: []string{"prior spec: cor: LKJ shape 1e+09 is too large", `"||"`}},
		{name: "prior cor as a string", files: withPrior(`{"cor": "1"}`), args: correlated, code: 1,
			want: []string{"prior spec: cor: want a number, got string"}, reject: []string{"Go "}},

		// Nested and crossed grouping stay refused, and say so.
		{name: "nested grouping g/h", files: data, args: describe("y ~ x + (1 | g/x)"), code: 1,
			want: []string{"nested grouping factors (g/...) are not supported", "position 15"}},
		{name: "nested grouping g:h", files: data, args: describe("y ~ x + (1 | g:x)"), code: 1,
			want: []string{"nested grouping by an interaction (g:...) is not supported"}},
		{name: "crossed grouping factors", files: data, args: describe("y ~ x + (1 | g) + (1 | x)"), code: 1,
			want: []string{`more than one grouping factor ("g" and "x")`, "crossed or nested grouping factors are not supported"}},

		// Interactions, named as R's model.matrix names them.
		{name: "age * Sex", files: sex, args: describe("y ~ age * Sex + (age | g)"), code: 0,
			want: []string{"fixed:    b_Intercept, b_age, b_SexMale, b_age:SexMale\n", "cor:      cor_g__Intercept__age"}},
		{name: "interaction in the random part", files: sex, args: describe("y ~ age * Sex + (1 + age:Sex || g)"), code: 0,
			want: []string{"random:   sd_g__Intercept, sd_g__age:SexMale\n"}},
		{name: "interaction with an unknown column", files: data, args: describe("y ~ x + x:z + (1 | g)"), code: 1,
			want: []string{`unknown column "z" (in the interaction "x:z")`, "the columns are y, x, g"}},
		{name: "random interaction not in the fixed part", files: sex, args: describe("y ~ age + Sex + (age:Sex | g)"), code: 1,
			want: []string{`random term "age:Sex" must also be a fixed term`, "add it, as in y ~ age + Sex + age:Sex + (1 + age:Sex | g)"}},
		{name: "four-way interaction", files: sex, args: describe("y ~ age*Sex*g*y + (1 | g)"), code: 1,
			want: []string{"interactions of more than 3 columns (age:Sex:g:y) are not supported"}},

		// Constructs of R's formulas that stay unsupported, named with their position.
		{name: "I()", files: data, args: describe("y ~ I(x^2) + (1 | g)"), code: 1,
			want: []string{"function calls such as I(...) are not supported at position 5", "transform the column in the data"}},
		{name: "poly()", files: data, args: describe("y ~ poly(x, 2) + (1 | g)"), code: 1,
			want: []string{"function calls such as poly(...) are not supported at position 5"}},
		{name: "%in%", files: data, args: describe("y ~ x %in% g + (1 | g)"), code: 1,
			want: []string{`nesting ("%in%") is not supported at position 7`}},
	})
}

// sexTable returns a hand-made table of 20 rows, 5 in each of the groups a
// to d, with a response y, a numeric age and a factor Sex whose levels
// Female and Male both occur in each group.
func sexTable() string {
	var b strings.Builder
	b.WriteString("y,age,Sex,g\n")
	for i := range 20 {
		s := "Female"
		if i%2 == 1 {
			s = "Male"
		}
		fmt.Fprintf(&b, "%.1f,%d,%s,%c\n", 2+0.5*float64(i%5)+0.3*float64(i*7%4), 20+i%7, s, 'a'+i/5)
	}
	return b.String()
}

// table returns a hand-made table of 20 rows, 5 in each of the groups a to
// d, with columns y, x, g separated by sep and decimal mark dec; replace
// swaps in row i (0-based) given with commas and points.
func table(sep, dec string, replace map[int]string) string {
	var b strings.Builder
	b.WriteString(strings.Join([]string{"y", "x", "g"}, sep) + "\n")
	for i := range 20 {
		row := fmt.Sprintf("%.1f,%d,%c", 2+0.5*float64(i%5)+0.3*float64(i*7%4), i%5+1, 'a'+i/5)
		if r, ok := replace[i]; ok {
			row = r
		}
		fields := strings.Split(row, ",")
		for k := range fields {
			fields[k] = strings.ReplaceAll(fields[k], ".", dec)
		}
		b.WriteString(strings.Join(fields, sep) + "\n")
	}
	return b.String()
}

// scaled returns table's data with y multiplied by ys and x by xs.
func scaled(ys, xs float64) string {
	var b strings.Builder
	b.WriteString("y,x,g\n")
	for i := range 20 {
		y := 2 + 0.5*float64(i%5) + 0.3*float64(i*7%4)
		fmt.Fprintf(&b, "%g,%g,%c\n", y*ys, float64(i%5+1)*xs, 'a'+i/5)
	}
	return b.String()
}

// modelFile returns a model file written by Save: the default architecture
// with fixed initial weights, untrained, which is all a test of the file
// checks needs.
func modelFile(t *testing.T) string {
	t.Helper()
	m := estimator.New(estimator.DefaultConfig(), rand.New(rand.NewPCG(1, 1)))
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}
