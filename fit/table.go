package fit

import (
	"fmt"
	"math"

	"github.com/metabeta-go/metabeta/reports"
)

// SummaryTable returns the brms-like table of the global parameters: mean,
// sd, 5%, 50%, 95%, R̂, bulk-ESS and tail-ESS, with the run's warnings as
// notes. R̂ and the ESS are left out when no parameter has them (methods
// with independent draws, such as npe), and a single undefined one reads
// "–". Rendering is left to package reports.
func (r *Result) SummaryTable() *reports.Table {
	ess := reports.Format{Style: reports.Fixed, Digits: 0}
	sig4 := reports.Format{Style: reports.Significant, Digits: 4}
	t := &reports.Table{
		Title: fmt.Sprintf("%s posterior: %s", r.Method, r.Formula),
		Columns: []reports.Column{
			{Name: "parameter"}, {Name: "mean", Format: sig4}, {Name: "sd", Format: sig4}, {Name: "5%", Format: sig4}, {Name: "50%", Format: sig4}, {Name: "95%", Format: sig4},
		},
	}
	mcmc := r.hasMCMCDiagnostics()
	if mcmc {
		t.Columns = append(t.Columns,
			reports.Column{Name: "Rhat", Format: reports.Format{Style: reports.Fixed, Digits: 3}},
			reports.Column{Name: "ess_bulk", Format: ess}, reports.Column{Name: "ess_tail", Format: ess})
	}
	num := func(v Num) reports.Cell {
		if math.IsNaN(float64(v)) {
			return reports.TextCell("–")
		}
		return reports.NumberCell(float64(v))
	}
	for _, s := range r.Parameters {
		cells := []reports.Cell{reports.TextCell(s.Name), num(s.Mean), num(s.SD), num(s.Q5), num(s.Q50), num(s.Q95)}
		if mcmc {
			cells = append(cells, num(s.Rhat), num(s.ESSBulk), num(s.ESSTail))
		}
		t.AddRow(cells...)
	}
	return t
}

// hasMCMCDiagnostics reports whether any global parameter has an R̂ or an
// ESS.
func (r *Result) hasMCMCDiagnostics() bool {
	for _, s := range r.Parameters {
		if !math.IsNaN(float64(s.Rhat)) || !math.IsNaN(float64(s.ESSBulk)) || !math.IsNaN(float64(s.ESSTail)) {
			return true
		}
	}
	return false
}
