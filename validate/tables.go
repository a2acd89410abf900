package validate

import (
	"fmt"
	"math"
	"sort"
	"strings"

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
	return []*reports.Table{r.recoveryTable(), r.agreementTable(), r.timingTable(), r.sbcTable(), r.realTable(), r.ppcTable()}
}

func (r *Results) recoveryTable() *reports.Table {
	t := &reports.Table{
		Title: "Table 1. Recovery and calibration by method and parameter type (simulated suite)",
		Caption: fmt.Sprintf("%d datasets from the test prior. r: Pearson correlation of posterior means with the truth [95%% CI]; "+
			"NRMSE: RMSE over the SD of the truths; ECE: mean over central intervals 50..95%% of (empirical − nominal) coverage, "+
			"± Monte Carlo SE; EACE: mean absolute error; contraction: 1 − posterior/prior variance.", r.Datasets),
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
		"and the recovery r (posterior means against the truths) of the method and of NUTS on these same posteriors."
	for _, is := range r.Importance {
		caption += fmt.Sprintf(" %s: Pareto k̂ > 0.7 on %.1f%% ± %.1f%% of %d datasets (median k̂ %.2f, median efficiency %.2f).",
			is.Method, 100*float64(is.ShareAbove.Value), 100*float64(is.ShareAbove.SE), is.N, float64(is.MedianK), float64(is.MedianEfficiency))
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
			"band: the rank ECDF inside its simultaneous 95% band (Säilynoja et al. 2022); χ² p: rank histogram test.",
		Columns: []reports.Column{{Name: "method"}, {Name: "parameter"}, {Name: "n"}, {Name: "L"},
			{Name: "log-γ", Format: fixed2}, {Name: "band"}, {Name: "χ² p", Format: fixed3}},
	}
	add := func(g GroupResult) {
		band := reports.TextCell("pass")
		if !g.BandPass {
			band = reports.TextCell("FAIL")
		}
		t.AddRow(reports.TextCell(g.Method), reports.TextCell(g.Group), numCell(float64(g.N)).WithFormat(reports.Format{Style: reports.Fixed}),
			numCell(float64(g.L)).WithFormat(reports.Format{Style: reports.Fixed}), estCell(g.LogGamma), band, numCell(float64(g.ChiSqP)))
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

func (r *Results) realTable() *reports.Table {
	t := &reports.Table{
		Title:   "Table 5. Real datasets (default priors)",
		Caption: "Fits of the datasets in testdata/ with the data-scaled default priors.",
		Columns: []reports.Column{{Name: "dataset"}, {Name: "method"}, {Name: "N"}, {Name: "groups"}, {Name: "time", Unit: "s"},
			{Name: "max R-hat", Format: fixed3}, {Name: "min ESS", Format: reports.Format{Style: reports.Fixed}}, {Name: "divergences"},
			{Name: "max |Δmean|/sd vs NUTS", Format: fixed3}, {Name: "Pareto k̂", Format: fixed2}},
	}
	for _, rr := range r.Real {
		name := reports.TextCell(rr.Dataset)
		if rr.Error != "" {
			name = name.WithWarnings("fit failed: " + rr.Error)
		}
		if len(rr.Warnings) > 0 {
			name = name.WithWarnings(strings.Join(rr.Warnings, "; "))
		}
		intCell := func(v int) reports.Cell { return numCell(float64(v)).WithFormat(reports.Format{Style: reports.Fixed}) }
		k := reports.EmptyCell()
		if rr.ParetoK != nil {
			k = numCell(float64(*rr.ParetoK))
		}
		t.AddRow(name, reports.TextCell(rr.Method), intCell(rr.NObs), intCell(rr.NGroups), numCell(rr.Seconds),
			numCell(float64(rr.MaxRhat)), numCell(float64(rr.MinESS)), intCell(rr.Divergences), numCell(float64(rr.MaxAbsDiff)), k)
	}
	r.missingRows(t, func(m string) []reports.Cell {
		return []reports.Cell{reports.TextCell("all"), reports.TextCell(m).WithWarnings(m + " not run: " + r.Missing[m]),
			reports.EmptyCell(), reports.EmptyCell(), reports.EmptyCell(), reports.EmptyCell(), reports.EmptyCell(), reports.EmptyCell(),
			reports.EmptyCell(), reports.EmptyCell()}
	})
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
