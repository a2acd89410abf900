package main

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// TestCatalogueFit is the part of the catalogue of malformed inputs
// (issue 12) about fit, train and describe: train --steps 0; the rank and
// conditioning checks of issue 10 (an exactly collinear design is an error
// for describe and every fit method, a nearly singular one a warning and,
// for npe, a fallback to NUTS; a random slope deficient in every group a
// warning); too few draws for the diagnostics; output files that would
// overwrite an input or each other, or cannot be written, refused before
// any fit; and the fallback reasons, one after another.
//
// The data are small and made here: 6 groups of 5 rows, x = 0..4 in each.
// Checks that fail come before fitting; fits that must run use one short
// chain or the untrained model of modelFile (what it answers is not
// checked, only what the command says).
func TestCatalogueFit(t *testing.T) {
	good := fitCatCSV(6, 5, nil)
	collinear := fitCatCSV(6, 5, func(i int, x float64) (string, string) { return "D2", fitCatNum(2*x + 1) })
	// D3 = x + 1e-8·u: κ ≈ 1e9 (lmm's TestCheckDesignNearlySingular gives
	// the closed form; describe prints the value).
	nearly := fitCatCSV(6, 5, func(i int, x float64) (string, string) { return "D3", fitCatNum(x + 1e-8*float64(i%3-1)) })
	// w constant within each group: a random slope on it depends on the
	// random intercept in all 6 groups.
	within := fitCatCSV(6, 5, func(i int, _ float64) (string, string) { return "w", fitCatNum(float64(i / 5 % 3)) })
	// 4 groups, one of them of a single row: two reasons for the fallback.
	small := fitCatCSV(3, 5, nil) + "12.5,2,d\n"

	const (
		f   = "y ~ x + (1 + x || g)"
		fD2 = "y ~ x + D2 + (1 + x || g)"
		fD3 = "y ~ x + D3 + (1 + x || g)"
		fW  = "y ~ x + w + (1 + w || g)"
	)
	model := modelFile(t)
	data := func(csv string) map[string]string { return map[string]string{"d.csv": csv, "m.mbw": model} }
	fitArgs := func(formula string, extra ...string) []string {
		return append([]string{"fit", "--data", "$DIR/d.csv", "--formula", formula}, extra...)
	}
	npe := func(method string) []string { return []string{"--method", method, "--model", "$DIR/m.mbw"} }
	short := []string{"--chains", "1", "--warmup", "100", "--draws", "100"}
	singular := []string{"the fixed-effect design is singular", "rank 2, not 3", "D2 = 1 + 2·x"}

	checkCatalogue(t, []malformedCase{
		// train: 0 steps is not "the recipe".
		{name: "train --steps 0", args: []string{"train", "--steps", "0", "--out", "$DIR/x.mbw"},
			code: 2, want: []string{"--steps 0: want at least 1", "omit --steps", "12000 steps"}},
		{name: "train --steps -1", args: []string{"train", "--steps", "-1", "--out", "$DIR/x.mbw"},
			code: 2, want: []string{"--steps -1: want at least 1"}},
		// An invalid architecture in --config is an error naming the field, not a panic.
		{name: "train --config: unknown coupling", files: map[string]string{"c.json": `{"model": {"coupling": "foo"}}`},
			args: []string{"train", "--config", "$DIR/c.json", "--out", "$DIR/x.mbw"},
			code: 1, want: []string{"--config", "model", `coupling "foo", want affine or spline`}},
		{name: "train --config: negative reverse_kl", files: map[string]string{"c.json": `{"model": {"reverse_kl": -1}}`},
			args: []string{"train", "--config", "$DIR/c.json", "--out", "$DIR/x.mbw"},
			code: 1, want: []string{"reverse_kl -1, want a finite weight ≥ 0"}},
		{name: "train --config: kl_samples 1", files: map[string]string{"c.json": `{"model": {"reverse_kl": 0.5, "kl_samples": 1}}`},
			args: []string{"train", "--config", "$DIR/c.json", "--out", "$DIR/x.mbw"},
			code: 1, want: []string{"kl_samples 1, want at least 2"}},
		{name: "train --config: kl_proposal_scale 3", files: map[string]string{"c.json": `{"finetune": {"steps": 10, "reverse_kl": 1, "kl_samples": 4, "kl_proposal_scale": 3}}`},
			args: []string{"train", "--config", "$DIR/c.json", "--out", "$DIR/x.mbw"},
			code: 1, want: []string{"--config", "finetune", "kl_proposal_scale 3, want 1 ≤ τ ≤ 2"}},
		{name: "train --config: kl_tail_scale below kl_proposal_scale", files: map[string]string{"c.json": `{"finetune": {"steps": 10, "reverse_kl": 1, "kl_samples": 4, "kl_proposal_scale": 1.5, "kl_tail_scale": 1.2}}`},
			args: []string{"train", "--config", "$DIR/c.json", "--out", "$DIR/x.mbw"},
			code: 1, want: []string{"--config", "finetune", "kl_tail_scale 1.2, want kl_proposal_scale (1.5) ≤ τ_t ≤ 4"}},
		{name: "train --config: kl_tail_scale without reverse_kl", files: map[string]string{"c.json": `{"model": {"reverse_kl": 0, "kl_samples": 0, "kl_tail_scale": 2.5}}`},
			args: []string{"train", "--config", "$DIR/c.json", "--out", "$DIR/x.mbw"},
			code: 1, want: []string{"model", "kl_tail_scale 2.5 without reverse_kl"}},
		{name: "train --config: kl_proposal_scale without reverse_kl", files: map[string]string{"c.json": `{"model": {"reverse_kl": 0, "kl_samples": 0, "kl_proposal_scale": 1.2}}`},
			args: []string{"train", "--config", "$DIR/c.json", "--out", "$DIR/x.mbw"},
			code: 1, want: []string{"model", "kl_proposal_scale 1.2 without reverse_kl"}},
		{name: "train --config: negative forward_is", files: map[string]string{"c.json": `{"finetune": {"steps": 10, "reverse_kl": 1, "kl_samples": 4, "forward_is": -1}}`},
			args: []string{"train", "--config", "$DIR/c.json", "--out", "$DIR/x.mbw"},
			code: 1, want: []string{"finetune", "forward_is -1, want a finite weight ≥ 0"}},

		{name: "train --config: widen_priors 2", files: map[string]string{"c.json": `{"finetune": {"steps": 10, "reverse_kl": 1, "kl_samples": 4, "widen_priors": 2}}`},
			args: []string{"train", "--config", "$DIR/c.json", "--out", "$DIR/x.mbw"},
			code: 1, want: []string{"--config", "finetune", "widen_priors 2, want a fraction in [0, 1]"}},
		{name: "train --config: widen_priors without reverse_kl", files: map[string]string{"c.json": `{"model": {"reverse_kl": 0, "kl_samples": 0}, "train": {"widen_priors": 0.5}, "finetune": null}`},
			args: []string{"train", "--config", "$DIR/c.json", "--out", "$DIR/x.mbw"},
			code: 1, want: []string{"--config", "train", "widen_priors 0.5 without reverse_kl"}},
		{name: "train --config: widen_factor 0.5", files: map[string]string{"c.json": `{"finetune": {"steps": 10, "reverse_kl": 1, "kl_samples": 4, "widen_priors": 0.5, "widen_factor": 0.5}}`},
			args: []string{"train", "--config", "$DIR/c.json", "--out", "$DIR/x.mbw"},
			code: 1, want: []string{"--config", "finetune", "widen_factor 0.5, want 1 ≤ factor ≤ 10000"}},

		// An exactly collinear design is an error everywhere, naming the relation.
		{name: "collinear design: describe", files: data(collinear),
			args: []string{"describe", "--data", "$DIR/d.csv", "--formula", fD2}, code: 1, want: singular},
		{name: "collinear design: describe --json", files: data(collinear),
			args: []string{"describe", "--json", "--data", "$DIR/d.csv", "--formula", fD2}, code: 1, want: singular},
		{name: "collinear design: fit nuts", files: data(collinear), args: fitArgs(fD2), code: 1, want: singular},
		{name: "collinear design: fit npe", files: data(collinear), args: fitArgs(fD2, npe("npe")...), code: 1, want: singular},
		{name: "collinear design: fit npe-is", files: data(collinear), args: fitArgs(fD2, npe("npe-is")...), code: 1, want: singular},
		{name: "collinear design: fit laplace", files: data(collinear), args: fitArgs(fD2, "--method", "laplace"), code: 1, want: singular},
		{name: "collinear design: fit laplace-is", files: data(collinear), args: fitArgs(fD2, "--method", "laplace-is"), code: 1, want: singular},
		{name: "collinear design: fit npe --fallback none", files: data(collinear),
			args: fitArgs(fD2, append(npe("npe"), "--fallback", "none")...), code: 1, want: singular},

		// A nearly singular design: facts and a warning; npe falls back and says why.
		{name: "nearly singular design: describe", files: data(nearly),
			args: []string{"describe", "--data", "$DIR/d.csv", "--formula", fD3}, code: 0,
			want: []string{"rank 3 of 3 columns, condition number", "warning: the fixed-effect design is nearly singular", "x, D3 are nearly collinear"}},
		{name: "nearly singular design: fit npe falls back to NUTS", files: data(nearly),
			args: fitArgs(fD3, append(npe("npe"), short...)...), code: 0,
			want: []string{"npe fell back to NUTS: outside the trained range of the neural estimator: the fixed-effect design is nearly singular (condition number"}},
		{name: "nearly singular design: fit npe --fallback none warns", files: data(nearly),
			args: fitArgs(fD3, append(npe("npe"), "--fallback", "none", "--draws", "100")...), code: 0,
			want: []string{"warning: the fixed-effect design is nearly singular", "trained only on well-conditioned designs"}},

		// A random slope deficient in every group's Z_g.
		{name: "random slope constant within groups: describe", files: data(within),
			args: []string{"describe", "--data", "$DIR/d.csv", "--formula", fW}, code: 0,
			want: []string{"Z_g rank deficient in 6 of 6 groups", "sd_g__w is identified only weakly"}},

		// Too few draws for split-R̂ and the ESS.
		{name: "fit --draws 1", files: data(good), args: fitArgs(f, "--draws", "1"),
			code: 2, want: []string{"--draws 1", "at least 6 draws per chain"}},
		{name: "fit npe --draws 5", files: data(good), args: fitArgs(f, append(npe("npe"), "--draws", "5")...),
			code: 2, want: []string{"--draws 5", "at least 6 draws per chain"}},

		// Outputs that would overwrite an input or each other.
		{name: "fit --json X --draws-csv X", files: data(good), args: fitArgs(f, "--json", "$DIR/o", "--draws-csv", "$DIR/o"),
			code: 2, want: []string{"--json and --draws-csv both name $DIR/o", "different files"}},
		{name: "fit --draws-csv is the data", files: data(good), args: fitArgs(f, "--draws-csv", "$DIR/d.csv"),
			code: 2, want: []string{"--draws-csv $DIR/d.csv is the --data file", "overwrite"}},
		{name: "fit --json is the data, spelt otherwise", files: data(good), args: fitArgs(f, "--json", "$DIR/./sub/../d.csv"),
			code: 2, want: []string{"is the --data file"}},
		{name: "fit --json is the model", files: data(good), args: fitArgs(f, append(npe("npe"), "--json", "$DIR/m.mbw")...),
			code: 2, want: []string{"--json $DIR/m.mbw is the --model file"}},

		// Output paths are checked before the data are read or fitted: on
		// a collinear design, the missing directory is reported, not the
		// design.
		{name: "fit --json into a missing directory fails first", files: data(collinear),
			args: fitArgs(fD2, "--json", "$DIR/missing/o.json"), code: 1,
			want: []string{"--json $DIR/missing/o.json", "directory $DIR/missing does not exist"}, reject: []string{"singular"}},
		{name: "fit --draws-csv is a directory", files: data(good), args: fitArgs(f, "--draws-csv", "$DIR"),
			code: 1, want: []string{"is a directory"}},

		// Fallback reasons are separated.
		{name: "fallback reasons one after another", files: data(small),
			args: fitArgs(f, append(npe("npe"), short...)...), code: 0,
			want: []string{"outside the trained range of the neural estimator: 4 groups, trained on 5–200; group sizes 1–5, trained on 2–100"}},
	})
}

// fitCatCSV writes m groups (a, b, …) of n rows with x = 0..n−1 and a
// response that varies with x, the group and a fixed pattern; extra, when
// not nil, adds a column from the row index and x.
func fitCatCSV(m, n int, extra func(i int, x float64) (string, string)) string {
	var b strings.Builder
	header := "y,x,g"
	if extra != nil {
		name, _ := extra(0, 0)
		header += "," + name
	}
	b.WriteString(header + "\n")
	for i := range m * n {
		x := float64(i % n)
		y := 10 + 2*x + float64(i/n) + 0.7*float64(i*7%5-2)
		row := fmt.Sprintf("%s,%s,%c", fitCatNum(y), fitCatNum(x), 'a'+i/n)
		if extra != nil {
			_, v := extra(i, x)
			row += "," + v
		}
		b.WriteString(row + "\n")
	}
	return b.String()
}

// fitCatNum formats v exactly.
func fitCatNum(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
