package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strings"

	"github.com/metabeta-go/metabeta/reports"
	"github.com/metabeta-go/metabeta/validate"
)

// Exit statuses of metabeta gate (documented in its -h and in README).
const (
	gatePass       = 0
	gateRegression = 1
	gateUsage      = 2
	gateBadInput   = 3
)

const gateUsageText = `usage: metabeta gate [flags] --results RUN/results.json

Compares the results.json of a validate run with a baseline and fails on any
significant regression: |Δ| > z·√(SE_old² + SE_new²) for a metric that got
worse, with bootstrap SEs over datasets from both files. z is chosen so that
two runs differing only in their seed flag nothing with probability 1 − alpha.

Exit status:
  0  pass: no significant regression
  1  a significant regression, or gated metrics present in only one of the
     two files (named in the output; --allow-missing accepts them)
  2  bad usage (flags)
  3  the baseline or the results cannot be read, or are not a results.json
     of this version of metabeta validate (regenerate them)

Flags:
`

// runGate compares a validate run's results.json with a baseline; see
// validate.Gate for the rule and gateUsageText for the exit statuses.
func runGate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("gate", stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), gateUsageText)
		fs.PrintDefaults()
	}
	baseline := fs.String("baseline", filepath.Join("testdata", "baseline.json"), "results.json of the baseline run")
	results := fs.String("results", "", "results.json of the run to check (required)")
	alpha := fs.Float64("alpha", validate.DefaultFamilyAlpha, "family-wise false-alarm rate between runs of the same code: z = Φ⁻¹(1 − alpha/(2·gated metrics))")
	z := fs.Float64("z", 0, "significance per metric, in combined standard errors (0: derived from --alpha)")
	timing := fs.Float64("timing-factor", 0, "fail when the median time per dataset grows by more than this factor (0: report only)")
	allowMissing := fs.Bool("allow-missing", false, "report gated metrics present in only one of the two files instead of failing on them")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case *results == "":
		return usageError("gate: --results is required, e.g. --results validate-out/results.json")
	case !(*alpha > 0 && *alpha < 1):
		return usageError("--alpha %g: want a probability in (0, 1), e.g. 0.01", *alpha)
	case !(*z >= 0) || math.IsInf(*z, 0):
		return usageError("--z %g: want a positive number, or 0 to derive it from --alpha", *z)
	case !(*timing >= 0) || (*timing > 0 && *timing <= 1) || math.IsInf(*timing, 0):
		return usageError("--timing-factor %g: want 0 (off) or a factor > 1", *timing)
	}
	old, err := validate.ReadResults(*baseline)
	if err != nil {
		return &exitError{gateBadInput, fmt.Errorf("gate: --baseline: %w", err)}
	}
	cur, err := validate.ReadResults(*results)
	if err != nil {
		return &exitError{gateBadInput, fmt.Errorf("gate: --results: %w", err)}
	}
	rep := validate.Gate(old, cur, validate.GateOptions{Z: *z, FamilyAlpha: *alpha, TimingFactor: *timing, AllowMissing: *allowMissing})
	if err := (reports.TextRenderer{}).Render(stdout, rep.Table()); err != nil {
		return err
	}
	return gateVerdict(stdout, rep, *baseline, *results, *allowMissing)
}

// gateVerdict prints the verdict under the table: the metrics present in
// only one file, by name, then pass or fail; it returns the error that
// gives the exit status.
func gateVerdict(w io.Writer, rep validate.GateReport, baseline, results string, allowMissing bool) error {
	gated := rep.GatedCount()
	notCur, notBase := rep.Unpaired()
	fmt.Fprintln(w)
	// verb says what becomes of the metrics missing from one file: the
	// gated ones fail, the report-only ones (too few datasets) do not.
	verb := func(missing string) string {
		if allowMissing {
			return "allowed by --allow-missing"
		}
		n := 0
		for _, r := range rep.Rows {
			if r.Missing == missing && r.Gated {
				n++
			}
		}
		if n == 0 {
			return "none of them gated"
		}
		return fmt.Sprintf("%d of them gated, which fail the gate (--allow-missing accepts them)", n)
	}
	if len(notBase) > 0 {
		fmt.Fprintf(w, "gate: %d metrics of %s are missing from the baseline %s, %s: %s\n", len(notBase), results, baseline, verb("baseline"), strings.Join(notBase, "; "))
	}
	if len(notCur) > 0 {
		fmt.Fprintf(w, "gate: %d metrics of the baseline %s are missing from %s, %s: %s\n", len(notCur), baseline, results, verb("current"), strings.Join(notCur, "; "))
	}
	var regressed, missingBase, missingCur []string
	for _, r := range rep.Regressions() {
		switch r.Missing {
		case "baseline":
			missingBase = append(missingBase, r.Metric)
		case "current":
			missingCur = append(missingCur, r.Metric)
		default:
			regressed = append(regressed, r.Metric)
		}
	}
	if len(regressed)+len(missingBase)+len(missingCur) == 0 {
		fmt.Fprintf(w, "gate: PASS: no significant regression in %d gated metrics of %s against %s\n", gated, results, baseline)
		return nil
	}
	var why []string
	if len(regressed) > 0 {
		fmt.Fprintf(w, "gate: FAIL: %d of %d gated metrics regressed: %s\n", len(regressed), gated, strings.Join(regressed, "; "))
		why = append(why, fmt.Sprintf("%d of %d gated metrics regressed against %s", len(regressed), gated, baseline))
	}
	if n := len(missingBase) + len(missingCur); n > 0 {
		fmt.Fprintf(w, "gate: FAIL: %d gated metrics are present in only one of the files\n", n)
	}
	if len(missingBase) > 0 {
		why = append(why, fmt.Sprintf("%d gated metrics missing from the baseline %s (%s): regenerate the baseline with this version, or pass --allow-missing",
			len(missingBase), baseline, firstNames(missingBase, 6)))
	}
	if len(missingCur) > 0 {
		why = append(why, fmt.Sprintf("%d gated metrics of the baseline missing from %s (%s): did a method or suite stop running? --allow-missing accepts them",
			len(missingCur), results, firstNames(missingCur, 6)))
	}
	return &exitError{gateRegression, fmt.Errorf("gate: %s", strings.Join(why, "; "))}
}

// firstNames joins the first k names, saying how many more there are.
func firstNames(names []string, k int) string {
	if len(names) <= k {
		return strings.Join(names, "; ")
	}
	return fmt.Sprintf("%s; and %d more, listed above", strings.Join(names[:k], "; "), len(names)-k)
}
