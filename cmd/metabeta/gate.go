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

// runGate compares a validate run's results.json with a baseline and fails
// (status 1) on any significant regression; see validate.Gate for the rule.
func runGate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("gate", stderr)
	baseline := fs.String("baseline", filepath.Join("testdata", "baseline.json"), "results.json of the baseline run")
	results := fs.String("results", "", "results.json of the run to check (required)")
	z := fs.Float64("z", validate.DefaultZ, "significance: a change must exceed z combined standard errors")
	nrmse := fs.Float64("nrmse-tolerance", validate.DefaultNRMSERelative, "relative tolerance of NRMSE, which has no standard error")
	timing := fs.Float64("timing-factor", 0, "fail when the median time per dataset grows by more than this factor (0: report only)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case *results == "":
		return usageError("gate: --results is required, e.g. --results validate-out/results.json")
	case !(*z > 0) || math.IsInf(*z, 0):
		return usageError("--z %g: want a positive number", *z)
	case !(*nrmse > 0) || math.IsInf(*nrmse, 0):
		return usageError("--nrmse-tolerance %g: want a positive number", *nrmse)
	case !(*timing >= 0) || (*timing > 0 && *timing <= 1) || math.IsInf(*timing, 0):
		return usageError("--timing-factor %g: want 0 (off) or a factor > 1", *timing)
	}
	old, err := validate.ReadResults(*baseline)
	if err != nil {
		return fmt.Errorf("gate: --baseline: %w", err)
	}
	cur, err := validate.ReadResults(*results)
	if err != nil {
		return fmt.Errorf("gate: --results: %w", err)
	}
	rep := validate.Gate(old, cur, validate.GateOptions{Z: *z, NRMSERelative: *nrmse, TimingFactor: *timing})
	if err := (reports.TextRenderer{}).Render(stdout, rep.Table()); err != nil {
		return err
	}
	gated := 0
	for _, r := range rep.Rows {
		if r.Gated {
			gated++
		}
	}
	bad := rep.Regressions()
	if len(bad) == 0 {
		fmt.Fprintf(stdout, "\ngate: PASS: no significant regression in %d gated metrics of %s against %s\n", gated, *results, *baseline)
		return nil
	}
	names := make([]string, len(bad))
	for i, r := range bad {
		names[i] = r.Metric
	}
	fmt.Fprintf(stdout, "\ngate: FAIL: %d of %d gated metrics regressed: %s\n", len(bad), gated, strings.Join(names, "; "))
	return fmt.Errorf("gate: %d of %d gated metrics regressed against %s", len(bad), gated, *baseline)
}
