package reports

import (
	"bytes"
	"flag"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// update rewrites the golden files: go test ./reports -run Golden -update
var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// sampleTable is the small table behind the golden files: text cells with
// LaTeX and Markdown specials, an interval, a ± error, a percentage, a
// shared warning, a second warning, an empty cell, NaN and a
// non-significant difference. The numbers are made up for layout only.
func sampleTable() *Table {
	t := &Table{
		Title:   "Posterior summary",
		Caption: "NPE vs NUTS on 200 datasets",
		Columns: []Column{
			{Name: "param"},
			{Name: "method"},
			{Name: "mean"},
			{Name: "coverage", Format: Format{Style: Percent, Digits: 1}},
			{Name: "R-hat", Format: Format{Style: Fixed, Digits: 3}},
			{Name: "time", Unit: "s", Format: Format{Style: Significant, Digits: 2}},
			{Name: "Δ", Format: Format{Style: Percent, Digits: 1, Signed: true}},
		},
		Notes: []string{"Intervals are central 95%; ± is one MCSE."},
	}
	t.AddRow(TextCell("β_0"), TextCell("NUTS"),
		IntervalCell(0.48213, 0.30118, 0.66342),
		ErrorCell(0.948, 0.0071),
		NumberCell(1.0021).WithWarnings("R-hat > 1.01 in 3 of 200 datasets"),
		NumberCell(12.53),
		EmptyCell())
	t.AddRow(TextCell("σ_b"), TextCell("NPE & flow"),
		NumberCell(1.5e-5),
		ErrorCell(0.912, 0.02).WithWarnings("fewer than 100 SBC replicates"),
		NumberCell(math.NaN()),
		NumberCell(0.0042),
		Cell{Kind: Number, Value: 0.031, NotSignificant: true})
	t.AddRow(TextCell("σ"), TextCell("50% {draws}"),
		NumberCell(-2.25),
		ErrorCell(0.95, 0.005),
		NumberCell(1.3).WithWarnings("R-hat > 1.01 in 3 of 200 datasets"),
		NumberCell(3.1e6),
		NumberCell(-0.125))
	return t
}

func TestGolden(t *testing.T) {
	cases := []struct {
		file string
		r    Renderer
	}{
		{"sample.txt", TextRenderer{}},
		{"sample.md", MarkdownRenderer{}},
		{"sample.tex", LaTeXRenderer{Label: "tab:sample"}},
		{"sample.csv", CSVRenderer{}},
		{"sample.json", JSONRenderer{Indent: "  "}},
		{"sample.html", HTMLRenderer{}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			var buf bytes.Buffer
			if err := c.r.Render(&buf, sampleTable()); err != nil {
				t.Fatalf("Render: %v", err)
			}
			checkGolden(t, c.file, buf.Bytes())
		})
	}
}

// checkGolden compares got with testdata/name, or rewrites it under -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run with -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (rerun with -update if the change is intended)\n--- got ---\n%s\n--- want ---\n%s", name, got, want)
	}
}
