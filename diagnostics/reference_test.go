package diagnostics

import (
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
)

// referenceDir holds draws and the R posterior 1.4.0 diagnostics of them,
// written by testdata/posterior/make_reference.R (set.seed(20260226)).
var referenceDir = filepath.Join("..", "testdata", "posterior")

// readCSV reads a CSV file, skipping lines that start with '#', and returns
// the header and the records.
func readCSV(t *testing.T, path string) ([]string, [][]string) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, line := range strings.Split(string(raw), "\n") {
		if !strings.HasPrefix(line, "#") {
			kept = append(kept, line)
		}
	}
	recs, err := csv.NewReader(strings.NewReader(strings.Join(kept, "\n"))).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return recs[0], recs[1:]
}

// parseFloat parses a number as R writes it ("NA" is NaN).
func parseFloat(t *testing.T, s string) float64 {
	t.Helper()
	if s == "NA" {
		return math.NaN()
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// readDraws reads a draws_df CSV (.chain, .iteration, .draw, variables...)
// and returns chains[c][i] for every variable.
func readDraws(t *testing.T, path string) map[string][][]float64 {
	t.Helper()
	header, recs := readCSV(t, path)
	out := make(map[string][][]float64)
	for _, rec := range recs {
		chain, err := strconv.Atoi(rec[0])
		if err != nil {
			t.Fatal(err)
		}
		for j := 3; j < len(header); j++ {
			v := out[header[j]]
			for len(v) < chain {
				v = append(v, nil)
			}
			v[chain-1] = append(v[chain-1], parseFloat(t, rec[j]))
			out[header[j]] = v
		}
	}
	return out
}

func TestMatchesPosterior(t *testing.T) {
	draws := map[string]map[string][][]float64{
		"draws":     readDraws(t, filepath.Join(referenceDir, "draws.csv")),
		"draws_odd": readDraws(t, filepath.Join(referenceDir, "draws_odd.csv")),
		// Antithetic chains: Geyer truncation at the first pair and the
		// τ̂ ≥ 1/log10(S) cap; NA tail statistics of ±1 draws.
		"draws_edge": readDraws(t, filepath.Join(referenceDir, "draws_edge.csv")),
	}
	header, recs := readCSV(t, filepath.Join(referenceDir, "reference.csv"))
	if len(recs) != 10 {
		t.Fatalf("reference.csv has %d rows, want 10", len(recs))
	}
	statistics := map[string]func([][]float64) float64{
		"mean":       func(x [][]float64) float64 { return Summarize(x).Mean },
		"sd":         func(x [][]float64) float64 { return Summarize(x).SD },
		"q5":         func(x [][]float64) float64 { return Quantile(flatten(x), 0.05) },
		"q50":        func(x [][]float64) float64 { return Quantile(flatten(x), 0.5) },
		"q95":        func(x [][]float64) float64 { return Quantile(flatten(x), 0.95) },
		"rhat":       Rhat,
		"rhat_bulk":  RhatBulk,
		"rhat_tail":  RhatTail,
		"rhat_basic": RhatBasic,
		"ess_bulk":   ESSBulk,
		"ess_tail":   ESSTail,
		"ess_mean":   ESSMean,
		"ess_q5":     func(x [][]float64) float64 { return ESSQuantile(x, 0.05) },
		"ess_q95":    func(x [][]float64) float64 { return ESSQuantile(x, 0.95) },
		"mcse_mean":  MCSEMean,
		"mcse_q5":    func(x [][]float64) float64 { return MCSEQuantile(x, 0.05) },
		"mcse_q95":   func(x [][]float64) float64 { return MCSEQuantile(x, 0.95) },
	}
	// Summarize must agree with the separate functions.
	summaryFields := map[string]func(Summary) float64{
		"mean": func(s Summary) float64 { return s.Mean }, "sd": func(s Summary) float64 { return s.SD },
		"q5": func(s Summary) float64 { return s.Q5 }, "q50": func(s Summary) float64 { return s.Q50 },
		"q95": func(s Summary) float64 { return s.Q95 }, "rhat": func(s Summary) float64 { return s.Rhat },
		"ess_bulk": func(s Summary) float64 { return s.ESSBulk }, "ess_tail": func(s Summary) float64 { return s.ESSTail },
		"mcse_mean": func(s Summary) float64 { return s.MCSEMean },
	}
	const relTol = 1e-8 // the requirement; see the report for the observed error
	worst := 0.0
	for _, rec := range recs {
		set, name := rec[0], rec[1]
		x, ok := draws[set][name]
		if !ok {
			t.Fatalf("no draws for %s/%s", set, name)
		}
		summary := Summarize(x)
		for j := 2; j < len(header); j++ {
			stat := header[j]
			f, ok := statistics[stat]
			if !ok {
				t.Fatalf("no Go function for column %q", stat)
			}
			want := parseFloat(t, rec[j])
			got := f(x)
			if math.IsNaN(want) != math.IsNaN(got) || !math.IsNaN(want) && !scalar.EqualWithinAbsOrRel(got, want, 0, relTol) {
				t.Errorf("%s/%s %s = %.17g, posterior %.17g", set, name, stat, got, want)
			}
			if want != 0 && !math.IsNaN(want) {
				worst = math.Max(worst, math.Abs(got-want)/math.Abs(want))
			}
			if field, ok := summaryFields[stat]; ok {
				if s := field(summary); math.IsNaN(want) != math.IsNaN(s) || !math.IsNaN(want) && !scalar.EqualWithinAbsOrRel(s, want, 0, relTol) {
					t.Errorf("%s/%s Summarize().%s = %.17g, posterior %.17g", set, name, stat, s, want)
				}
			}
		}
	}
	t.Logf("largest relative difference from posterior: %.3g", worst)
}
