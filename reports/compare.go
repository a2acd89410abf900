package reports

// Estimate is a summary value with its uncertainty, e.g. a mean ± Monte
// Carlo standard error, or a median ± the half-width of its interval.
type Estimate struct {
	// Center is the summary value.
	Center float64
	// Err is the half-width of its uncertainty; zero means none known.
	Err float64
}

// Comparison is one metric compared between a baseline ("old") and a
// candidate ("new") run, as in benchstat. The caller decides significance
// (e.g. Welch t or Mann–Whitney U at level α); reports only prints it.
type Comparison struct {
	// Metric names the compared quantity, e.g. "ESS/s β₀".
	Metric string
	// Unit is the unit of Old and New, printed after the metric name.
	Unit string
	// Old and New are the two summaries.
	Old, New Estimate
	// Delta is the change from Old to New: the relative change
	// (New−Old)/Old unless AbsoluteDelta is set, then New−Old.
	Delta float64
	// AbsoluteDelta says Delta is a difference, not a ratio.
	AbsoluteDelta bool
	// Significant says the difference is statistically significant; when
	// false the delta prints as "~".
	Significant bool
	// P is the p-value of the test; zero (unset), a negative value or NaN
	// leaves the p column blank.
	P float64
	// Warnings are caveats, printed as footnotes on the delta.
	Warnings []string
}

// ComparisonTable builds a benchstat-style table with the columns
// "metric", oldName, newName, "delta" and "p". Old and new print as
// "center ± e%" (the error relative to the center, three significant
// digits); the delta prints as a signed percentage with two decimals (or a
// signed number when AbsoluteDelta), or "~" when not significant; p prints
// with three decimals. Rows keep the order of cmp.
func ComparisonTable(title, oldName, newName string, cmp []Comparison) *Table {
	t := &Table{
		Title: title,
		Columns: []Column{
			{Name: "metric"},
			{Name: oldName, Format: Format{Style: Significant, RelativeError: true}},
			{Name: newName, Format: Format{Style: Significant, RelativeError: true}},
			{Name: "delta", Format: Format{Style: Percent, Digits: 2, Signed: true}},
			{Name: "p", Format: Format{Style: Fixed, Digits: 3}},
		},
		Notes: []string{"~: the difference is not statistically significant."},
	}
	for _, c := range cmp {
		name := c.Metric
		if c.Unit != "" {
			name += " (" + c.Unit + ")"
		}
		delta := NumberCell(c.Delta)
		if c.AbsoluteDelta {
			delta = delta.WithFormat(Format{Style: Significant, Signed: true})
		}
		delta.NotSignificant = !c.Significant
		delta = delta.WithWarnings(c.Warnings...)
		p := EmptyCell()
		if c.P > 0 {
			p = NumberCell(c.P)
		}
		t.AddRow(TextCell(name), estimateCell(c.Old), estimateCell(c.New), delta, p)
	}
	return t
}

// estimateCell is center ± err, or the bare center when err is zero.
func estimateCell(e Estimate) Cell {
	if e.Err == 0 {
		return NumberCell(e.Center)
	}
	return ErrorCell(e.Center, e.Err)
}
