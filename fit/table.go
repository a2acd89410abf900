package fit

import (
	"fmt"

	"github.com/metabeta-go/metabeta/reports"
)

// SummaryTable returns the brms-like table of the global parameters: mean,
// sd, 5%, 50%, 95%, R̂, bulk-ESS and tail-ESS, with the run's warnings as
// notes. Rendering is left to package reports.
func (r *Result) SummaryTable() *reports.Table {
	ess := reports.Format{Style: reports.Fixed, Digits: 0}
	sig4 := reports.Format{Style: reports.Significant, Digits: 4}
	t := &reports.Table{
		Title: fmt.Sprintf("%s posterior: %s", r.Method, r.Formula),
		Columns: []reports.Column{
			{Name: "parameter"}, {Name: "mean", Format: sig4}, {Name: "sd", Format: sig4}, {Name: "5%", Format: sig4}, {Name: "50%", Format: sig4}, {Name: "95%", Format: sig4},
			{Name: "Rhat", Format: reports.Format{Style: reports.Fixed, Digits: 3}},
			{Name: "ess_bulk", Format: ess}, {Name: "ess_tail", Format: ess},
		},
	}
	num := func(v Num) reports.Cell { return reports.NumberCell(float64(v)) }
	for _, s := range r.Parameters {
		t.AddRow(reports.TextCell(s.Name), num(s.Mean), num(s.SD), num(s.Q5), num(s.Q50), num(s.Q95),
			num(s.Rhat), num(s.ESSBulk), num(s.ESSTail))
	}
	return t
}
