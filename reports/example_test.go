package reports_test

import (
	"os"

	"github.com/metabeta-go/metabeta/reports"
)

// A benchstat-style comparison: the first difference is not significant and
// prints as "~"; the warning becomes footnote 1.
func ExampleComparisonTable() {
	t := reports.ComparisonTable("NUTS gate", "base", "head", []reports.Comparison{
		{Metric: "ESS/s", Old: reports.Estimate{Center: 812, Err: 24}, New: reports.Estimate{Center: 830, Err: 31},
			Delta: 830.0/812 - 1, Significant: false, P: 0.31},
		{Metric: "time", Unit: "s", Old: reports.Estimate{Center: 1.92, Err: 0.04}, New: reports.Estimate{Center: 1.41, Err: 0.03},
			Delta: 1.41/1.92 - 1, Significant: true, P: 0.002, Warnings: []string{"only 5 runs"}},
	})
	if err := (reports.MarkdownRenderer{}).Render(os.Stdout, t); err != nil {
		panic(err)
	}
	// Output:
	// **NUTS gate**
	//
	// | metric | base | head | delta | p |
	// |---|---:|---:|---:|---:|
	// | ESS/s | 812 ± 3% | 830 ± 4% | \~ | 0.310 |
	// | time (s) | 1.92 ± 2% | 1.41 ± 2% | -26.56%¹ | 0.002 |
	//
	// ¹ only 5 runs\
	// \~: the difference is not statistically significant.
}

// A table with an interval, an error and a warning, rendered as text.
func ExampleTextRenderer() {
	t := &reports.Table{
		Title: "Coverage of 95% intervals",
		Columns: []reports.Column{
			{Name: "param"},
			{Name: "NPE", Format: reports.Format{Style: reports.Percent, Digits: 1}},
			{Name: "R-hat", Format: reports.Format{Style: reports.Fixed, Digits: 3}},
		},
	}
	t.AddRow(reports.TextCell("β0"), reports.ErrorCell(0.942, 0.0074), reports.NumberCell(1.004))
	t.AddRow(reports.TextCell("σ_b"), reports.IntervalCell(0.915, 0.897, 0.931), reports.NumberCell(1.013).WithWarnings("R-hat above 1.01"))
	if err := (reports.TextRenderer{}).Render(os.Stdout, t); err != nil {
		panic(err)
	}
	// Output:
	// Coverage of 95% intervals
	// +-------+----------------------+--------+
	// | param |                  NPE |  R-hat |
	// +-------+----------------------+--------+
	// | β0    |         94.2% ± 0.7% |  1.004 |
	// | σ_b   | 91.5% [89.7%, 93.1%] | 1.013¹ |
	// +-------+----------------------+--------+
	// ¹ R-hat above 1.01
}
