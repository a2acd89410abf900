package reports

import (
	"bytes"
	"strings"
	"testing"
)

func TestComparisonTilde(t *testing.T) {
	// Made-up summaries; the test checks only how significance prints.
	cmp := []Comparison{
		{Metric: "ESS/s", Old: Estimate{Center: 100, Err: 5}, New: Estimate{Center: 105, Err: 6},
			Delta: 0.05, Significant: false, P: 0.43},
		{Metric: "time", Unit: "s", Old: Estimate{Center: 2.0, Err: 0.02}, New: Estimate{Center: 1.5, Err: 0.03},
			Delta: -0.25, Significant: true, P: 0.002, Warnings: []string{"need >= 6 samples"}},
		{Metric: "coverage", Old: Estimate{Center: 0.95}, New: Estimate{Center: 0.93},
			Delta: -0.02, AbsoluteDelta: true, Significant: true},
	}
	tab := ComparisonTable("gate", "old", "new", cmp)
	var buf bytes.Buffer
	if err := (TextRenderer{}).Render(&buf, tab); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(buf.String(), "\n")
	row := func(metric string) []string {
		t.Helper()
		for _, l := range lines {
			if strings.HasPrefix(l, "| "+metric+" ") {
				f := strings.Split(l, "|")
				for i := range f {
					f[i] = strings.TrimSpace(f[i])
				}
				return f[1 : len(f)-1]
			}
		}
		t.Fatalf("no row %q in\n%s", metric, buf.String())
		return nil
	}
	// Columns: metric, old, new, delta, p. Values follow from the inputs:
	// 5/100 = 5%, 0.03/1.5 = 2%, -0.25 = -25.00%.
	if got := row("ESS/s"); got[1] != "100 ± 5%" || got[2] != "105 ± 6%" || got[3] != "~" || got[4] != "0.430" {
		t.Errorf("not significant row = %q, want delta ~", got)
	}
	if got := row("time (s)"); got[1] != "2.00 ± 1%" || got[2] != "1.50 ± 2%" || got[3] != "-25.00%¹" || got[4] != "0.002" {
		t.Errorf("significant row = %q", got)
	}
	if got := row("coverage"); got[1] != "0.950" || got[3] != "-0.0200" || got[4] != "" {
		t.Errorf("absolute delta row = %q", got)
	}
	if !strings.Contains(buf.String(), "¹ need >= 6 samples") {
		t.Errorf("warning footnote missing:\n%s", buf.String())
	}
}
