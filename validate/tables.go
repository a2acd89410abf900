package validate

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/metabeta-go/metabeta/fit"
	"github.com/metabeta-go/metabeta/reports"
)

var (
	fixed3 = reports.Format{Style: reports.Fixed, Digits: 3}
	fixed2 = reports.Format{Style: reports.Fixed, Digits: 2}
	signed = reports.Format{Style: reports.Fixed, Digits: 3, Signed: true}
)

func numCell(v float64) reports.Cell { return reports.NumberCell(v) }

func estCell(e Estimate) reports.Cell {
	if math.IsNaN(float64(e.SE)) {
		return reports.NumberCell(float64(e.Value))
	}
	return reports.ErrorCell(float64(e.Value), float64(e.SE))
}

// missingRows appends one row per method that did not run, saying why.
func (r *Results) missingRows(t *reports.Table, label func(method string) []reports.Cell) {
	ms := make([]string, 0, len(r.Missing))
	for m := range r.Missing {
		ms = append(ms, m)
	}
	sort.Strings(ms)
	for _, m := range ms {
		t.AddRow(label(m)...)
	}
}

// Tables returns the paper-style tables of a run, in order.
func (r *Results) Tables() []*reports.Table {
	return []*reports.Table{r.recoveryTable(), r.agreementTable(), r.timingTable(), r.sbcTable(), r.realTable(), r.ppcTable(), r.misspecTable()}
}

func (r *Results) recoveryTable() *reports.Table {
	t := &reports.Table{
		Title: "Table 1. Recovery and calibration by method and parameter type (simulated suite)",
		Caption: fmt.Sprintf("%d datasets from the test prior. r: Pearson correlation of posterior means with the truth [95%% CI]; "+
			"NRMSE: RMSE over the SD of the truths; ECE: mean over central intervals 50..95%% of (empirical − nominal) coverage, "+
			"± Monte Carlo SE; EACE: mean absolute error; contraction: 1 − posterior/prior variance. Types: beta (b_*), sigma_b (sd_*), "+
			"sigma, cor (cor_*, the correlations of correlated random effects; prior variance that of the LKJ(η) marginal), "+
			"b (the random effects r_*).", r.Datasets),
		Columns: []reports.Column{{Name: "method"}, {Name: "type"}, {Name: "n"},
			{Name: "r", Format: reports.Format{Style: reports.Fixed, Digits: 4}}, {Name: "NRMSE", Format: fixed3},
			{Name: "ECE", Format: signed}, {Name: "EACE", Format: fixed3}, {Name: "contraction", Format: fixed3}},
	}
	for _, g := range r.Kinds {
		t.AddRow(reports.TextCell(g.Method), reports.TextCell(g.Group), numCell(float64(g.N)).WithFormat(reports.Format{Style: reports.Fixed}),
			reports.IntervalCell(float64(g.R.Value), float64(g.RLo), float64(g.RHi)), estCell(g.NRMSE),
			estCell(g.ECE), estCell(g.EACE), numCell(float64(g.Contraction)))
	}
	r.missingRows(t, func(m string) []reports.Cell {
		return []reports.Cell{reports.TextCell(m), reports.TextCell("all").WithWarnings(m + " not run: " + r.Missing[m]),
			reports.EmptyCell(), reports.EmptyCell(), reports.EmptyCell(), reports.EmptyCell(), reports.EmptyCell(), reports.EmptyCell()}
	})
	return t
}

func (r *Results) agreementTable() *reports.Table {
	caption := "Posteriors of the same simulated datasets compared with NUTS: r of posterior means, mean |Δmean|/sd_NUTS (± SE), " +
		"median log(sd/sd_NUTS), the mean Wasserstein-1 distance in NUTS-SD units from 19 posterior quantiles (± SE), " +
		"and the recovery r (posterior means against the truths) of the method and of NUTS on these same posteriors. " +
		fmt.Sprintf("%s: the sigma_b whose NUTS posterior has sd/mean above %g, pressed against zero (also in sigma_b).", KindSigmaBNearZero, NearZeroCV)
	for _, is := range r.Importance {
		caption += fmt.Sprintf(" %s: Pareto k̂ > 0.7 on %.1f%% ± %.1f%% of %d datasets (median k̂ %.2f, median efficiency %.2f; %d redrawn with %d× the proposal draws after a first k̂ above its threshold).",
			is.Method, 100*float64(is.ShareAbove.Value), 100*float64(is.ShareAbove.SE), is.N, float64(is.MedianK), float64(is.MedianEfficiency), is.Redrawn, fit.ISRetryFactor)
	}
	t := &reports.Table{
		Title:   "Table 2. NPE against NUTS: agreement of the posteriors",
		Caption: caption,
		Columns: []reports.Column{{Name: "method"}, {Name: "type"}, {Name: "n"}, {Name: "r", Format: reports.Format{Style: reports.Fixed, Digits: 4}},
			{Name: "|Δmean|/sd", Format: fixed3}, {Name: "log sd ratio", Format: signed}, {Name: "W1/sd", Format: fixed3},
			{Name: "recovery r", Format: reports.Format{Style: reports.Fixed, Digits: 4}},
			{Name: "NUTS recovery r", Format: reports.Format{Style: reports.Fixed, Digits: 4}}},
	}
	for _, a := range r.Agreement {
		t.AddRow(reports.TextCell(a.Method), reports.TextCell(a.Kind), numCell(float64(a.N)).WithFormat(reports.Format{Style: reports.Fixed}),
			estCell(a.R), estCell(a.MeanAbsDiff), numCell(float64(a.MedianLogSDRate)), estCell(a.W1),
			numCell(float64(a.RecoveryR)), numCell(float64(a.NUTSRecoveryR)))
	}
	r.missingRows(t, func(m string) []reports.Cell {
		return []reports.Cell{reports.TextCell(m), reports.TextCell("all").WithWarnings(m + " not run: " + r.Missing[m]),
			reports.EmptyCell(), reports.EmptyCell(), reports.EmptyCell(), reports.EmptyCell(), reports.EmptyCell(),
			reports.EmptyCell(), reports.EmptyCell()}
	})
	return t
}

func (r *Results) timingTable() *reports.Table {
	t := &reports.Table{
		Title:   "Table 3. Wall time per dataset (simulated suite)",
		Caption: fmt.Sprintf("Seconds per fit, chains in parallel on this machine. NUTS convergence (R-hat ≤ 1.01, ESS ≥ 400, divergences ≤ 0.5%%): %s.", rateText(r.Convergence)),
		Columns: []reports.Column{{Name: "method"}, {Name: "n"}, {Name: "median", Unit: "s"}, {Name: "p95", Unit: "s"},
			{Name: "mean of slowest 5%", Unit: "s"}, {Name: "max", Unit: "s"},
			{Name: "speed-up median", Unit: "×"}, {Name: "speed-up worst 5%", Unit: "×"}, {Name: "speed-up per converged fit", Unit: "×"}},
	}
	for _, tm := range r.Timing {
		sp := []reports.Cell{numCell(float64(tm.SpeedupMedian)), numCell(float64(tm.SpeedupWorst5)), numCell(float64(tm.SpeedupPerConverged))}
		if tm.Method == "nuts" {
			sp = []reports.Cell{reports.TextCell("reference"), reports.EmptyCell(), reports.EmptyCell()}
		}
		t.AddRow(append([]reports.Cell{reports.TextCell(tm.Method), numCell(float64(tm.N)).WithFormat(reports.Format{Style: reports.Fixed}),
			numCell(float64(tm.Median)), numCell(float64(tm.P95)), numCell(float64(tm.MeanSlowest5)), numCell(float64(tm.Max))}, sp...)...)
	}
	r.missingRows(t, func(m string) []reports.Cell {
		return []reports.Cell{reports.TextCell(m).WithWarnings(m + " not run: " + r.Missing[m]), reports.EmptyCell(),
			reports.EmptyCell(), reports.EmptyCell(), reports.EmptyCell(), reports.EmptyCell(), reports.EmptyCell(), reports.EmptyCell(), reports.EmptyCell()}
	})
	return t
}

func rateText(e Estimate) string {
	if math.IsNaN(float64(e.Value)) {
		return "no fits"
	}
	return fmt.Sprintf("%.1f%% ± %.1f%% of fits", 100*float64(e.Value), 100*float64(e.SE))
}

func (r *Results) sbcTable() *reports.Table {
	t := &reports.Table{
		Title: "Table 4. Simulation-based calibration (simulated suite)",
		Caption: "Ranks of the truth among L thinned draws. log-γ < 0 rejects uniformity at 5% (Modrák et al. 2025); " +
			"band: the rank ECDF inside its simultaneous 95% band (Säilynoja et al. 2022), — for a parameter of a single dataset; " +
			"band p: that test's p-value; χ² p: rank histogram test." + sbcFamilyCaption(r.SBCFamily),
		Columns: []reports.Column{{Name: "method"}, {Name: "parameter"}, {Name: "n"}, {Name: "L"},
			{Name: "log-γ", Format: fixed2}, {Name: "band"}, {Name: "band p", Format: fixed3}, {Name: "χ² p", Format: fixed3}},
	}
	add := func(g GroupResult) {
		band := reports.TextCell("pass")
		switch {
		case g.N < 2: // no test on one rank (a parameter, such as an interaction, that one dataset has)
			band = reports.TextCell("—")
		case !g.BandPass:
			band = reports.TextCell("FAIL")
		}
		t.AddRow(reports.TextCell(g.Method), reports.TextCell(g.Group), numCell(float64(g.N)).WithFormat(reports.Format{Style: reports.Fixed}),
			numCell(float64(g.L)).WithFormat(reports.Format{Style: reports.Fixed}), estCell(g.LogGamma), band,
			numCell(float64(g.BandP)), numCell(float64(g.ChiSqP)))
	}
	for _, g := range r.Params {
		add(g)
	}
	for _, g := range r.Kinds {
		g.Group = "all " + g.Group
		add(g)
	}
	return t
}

// sbcFamilyCaption reads each method's band tests as one family
// (SBCFamilyResult): failures against those expected by chance, and what
// Holm's procedure rejects at family-wise 5%.
func sbcFamilyCaption(fs []SBCFamilyResult) string {
	if len(fs) == 0 {
		return ""
	}
	c := fmt.Sprintf(" Each method's band tests as one family: failures at %.0f%% each against those expected by chance, "+
		"and the tests that Holm's procedure rejects at family-wise %.0f%%.", 100*SBCFamilyLevel, 100*SBCFamilyLevel)
	for _, f := range fs {
		holm := "none"
		if len(f.Holm) > 0 {
			holm = strings.Join(f.Holm, ", ")
		}
		c += fmt.Sprintf(" %s: %d of %d fail (%.1f expected), Holm rejects %s.", f.Method, f.Failed, f.Tests, f.Expected, holm)
	}
	return c
}

// realTable is Table 5: every method on every real dataset, against the
// dataset's reference posterior (rstan's, or the run's NUTS fit).
func (r *Results) realTable() *reports.Table {
	caption := fmt.Sprintf("The real suite under each dataset's reference prior, against its reference posterior: %s where the ref column says rstan; "+
		"the run's own NUTS fit where it says nuts (no rstan reference shipped). Over the global parameters: the largest |Δmean|/sd_ref and "+
		"|log(sd/sd_ref)|, and the parameter where each is reached. k̂ and IS eff.: Pareto k̂ and importance-sampling efficiency (ESS/S) of the "+
		"importance-sampled methods; fallback: fit --method would have answered with NUTS instead (footnote: why). pass: every mean within "+
		"%.2f reference SD and every SD within ±%.0f%%; seeds: the fits that pass of the %d fit seeds of each proposal method (the first is "+
		"the row's).", RstanSource, PassMeanSD, 100*PassSDRel, max(r.Config.RealSeeds, 1))
	for _, s := range r.RealSuite.ByMethod {
		if s.N == 0 {
			continue
		}
		caption += fmt.Sprintf(" %s: %d of %d pass", s.Method, s.Passed, s.N)
		if !math.IsNaN(float64(s.MedianISEfficiency)) {
			caption += fmt.Sprintf(", median IS eff. %.2f", float64(s.MedianISEfficiency))
		}
		if s.Fallbacks > 0 {
			caption += fmt.Sprintf(", fallback on %d", s.Fallbacks)
		}
		if s.SeedFits > s.N {
			caption += fmt.Sprintf("; over seeds %d of %d fits pass, %d datasets at every seed", s.SeedsPassed, s.SeedFits, s.PassedEverySeed)
			if s.SeedsFellBack == 1 {
				caption += fmt.Sprintf(", 1 fit falls back (%d datasets keep their result at every seed)", s.KeptEverySeed)
			} else if s.SeedsFellBack > 1 {
				caption += fmt.Sprintf(", %d fits fall back (%d datasets keep their result at every seed)", s.SeedsFellBack, s.KeptEverySeed)
			}
		}
		caption += "."
	}
	t := &reports.Table{
		Title:   "Table 5. Real datasets against reference posteriors (reference priors)",
		Caption: caption,
		Columns: []reports.Column{{Name: "dataset"}, {Name: "method"}, {Name: "ref"}, {Name: "N"}, {Name: "groups"}, {Name: "time", Unit: "s"},
			{Name: "max R-hat", Format: fixed3}, {Name: "max |Δmean|/sd_ref", Format: fixed3}, {Name: "at"},
			{Name: "max |log sd ratio|", Format: fixed3}, {Name: "at"}, {Name: "k̂", Format: fixed2}, {Name: "IS eff.", Format: fixed2},
			{Name: "fallback"}, {Name: "pass"}, {Name: "seeds"}},
	}
	intCell := func(v int) reports.Cell { return numCell(float64(v)).WithFormat(reports.Format{Style: reports.Fixed}) }
	optCell := func(v *fit.Num) reports.Cell {
		if v == nil || math.IsNaN(float64(*v)) {
			return reports.EmptyCell()
		}
		return numCell(float64(*v))
	}
	for _, rr := range r.RealSuite.Rows {
		name := reports.TextCell(rr.Dataset)
		if rr.Error != "" {
			name = name.WithWarnings("fit failed: " + rr.Error)
		}
		if len(rr.Warnings) > 0 {
			name = name.WithWarnings(strings.Join(rr.Warnings, "; "))
		}
		compared := !math.IsNaN(float64(rr.MaxAbsDMean))
		atMean, atSD, pass := reports.EmptyCell(), reports.EmptyCell(), reports.EmptyCell()
		switch {
		case compared:
			atMean, atSD = reports.TextCell(rr.WorstMean), reports.TextCell(rr.WorstSD)
			pass = reports.TextCell("pass")
			if !rr.Pass {
				pass = reports.TextCell("FAIL")
			}
		case rr.Error == "" && rr.Reference == realRefNUTS && rr.Method == fit.MethodNUTS:
			atMean = reports.TextCell("reference")
		}
		fb := reports.TextCell("no")
		switch {
		case rr.Fallback != "":
			fb = reports.TextCell("yes").WithWarnings(rr.Method + " on " + rr.Dataset + " falls back to NUTS: " + rr.Fallback)
		case rr.Method == fit.MethodNUTS || rr.Error != "":
			fb = reports.EmptyCell()
		}
		seeds := reports.EmptyCell()
		if rr.Seeds > 1 {
			seeds = reports.TextCell(fmt.Sprintf("%d/%d", rr.SeedsPassed, rr.Seeds))
		}
		t.AddRow(name, reports.TextCell(rr.Method), reports.TextCell(rr.Reference), intCell(rr.NObs), intCell(rr.NGroups), numCell(rr.Seconds),
			optCell(&rr.MaxRhat), optCell(&rr.MaxAbsDMean), atMean, optCell(&rr.MaxAbsLogSD), atSD,
			optCell(rr.ParetoK), optCell(rr.ISEfficiency), fb, pass, seeds)
	}
	r.missingRows(t, func(m string) []reports.Cell {
		cells := []reports.Cell{reports.TextCell("all"), reports.TextCell(m).WithWarnings(m + " not run: " + r.Missing[m])}
		for len(cells) < len(t.Columns) {
			cells = append(cells, reports.EmptyCell())
		}
		return cells
	})
	return t
}

// misspecTable is Table 7: every method on simulated datasets under each
// misspecification, against NUTS and against the truth.
func (r *Results) misspecTable() *reports.Table {
	n := r.Config.MisspecDatasets
	t := &reports.Table{
		Title: "Table 7. Misspecified data: agreement with NUTS and coverage of the truth",
		Caption: fmt.Sprintf("%d simulated datasets per variant from the test prior, the data drawn with a departure from the model "+
			"(t-noise: Student-t residuals, 3 df; heteroscedastic: residual SD σ·exp(0.5·x₁)/c; skewed-effects: log-normal random effects, "+
			"skewness 6.2; heavy-effects: Student-t random effects, 3 df; each keeps the variances σ² and σ_b² that the truths give). "+
			"r and |Δmean|/sd: agreement of the posterior means with NUTS's on the same datasets (± bootstrap SE); ECE and EACE: "+
			"coverage of the truth over central intervals 50..95%%; recovery r: posterior means against the truths.", n),
		Columns: []reports.Column{{Name: "variant"}, {Name: "method"}, {Name: "type"}, {Name: "n"},
			{Name: "r vs NUTS", Format: reports.Format{Style: reports.Fixed, Digits: 4}}, {Name: "|Δmean|/sd_NUTS", Format: fixed3},
			{Name: "ECE", Format: signed}, {Name: "EACE", Format: fixed3}, {Name: "recovery r", Format: reports.Format{Style: reports.Fixed, Digits: 4}}},
	}
	for _, m := range r.Misspec {
		agree, diff := estCell(m.R), estCell(m.MeanAbsDiff)
		if m.Method == fit.MethodNUTS {
			agree, diff = reports.TextCell("reference"), reports.EmptyCell()
		}
		t.AddRow(reports.TextCell(m.Variant), reports.TextCell(m.Method), reports.TextCell(m.Kind),
			numCell(float64(m.N)).WithFormat(reports.Format{Style: reports.Fixed}), agree, diff, estCell(m.ECE), estCell(m.EACE), estCell(m.RecoveryR))
	}
	if len(r.Misspec) == 0 {
		t.Notes = append(t.Notes, "no misspecified variants in this run")
	}
	return t
}

func (r *Results) ppcTable() *reports.Table {
	t := &reports.Table{
		Title: "Table 6. Posterior predictive checks",
		Caption: fmt.Sprintf("Per dataset, on its own data with %d posterior draws: the mean over observations of the fair CRPS and of the "+
			"log predictive density (lower and higher are better; ± SE over datasets), and the share of datasets whose posterior predictive "+
			"p-value of the within-group or between-group SD of y is below 0.05.", PPCDraws),
		Columns: []reports.Column{{Name: "suite"}, {Name: "method"}, {Name: "n"}, {Name: "CRPS", Format: reports.Format{Style: reports.Significant, Digits: 4}},
			{Name: "LPD", Format: reports.Format{Style: reports.Significant, Digits: 4}},
			{Name: "PPP(within SD) < 0.05", Format: fixed3}, {Name: "PPP(between SD) < 0.05", Format: fixed3}},
	}
	for _, p := range r.PPC {
		t.AddRow(reports.TextCell(p.Suite), reports.TextCell(p.Method), numCell(float64(p.N)).WithFormat(reports.Format{Style: reports.Fixed}),
			estCell(p.CRPS), estCell(p.LPD), estCell(p.PPPWithinLow), estCell(p.PPPBetweenLow))
	}
	return t
}
