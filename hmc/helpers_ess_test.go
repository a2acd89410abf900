package hmc

import (
	"encoding/csv"
	"math"
	"os"
	"strconv"
	"testing"
)

// The test helpers essMean and mcseMean against R posterior 1.4.0
// (ess_mean, mcse_mean) on testdata/ar1_chains.csv; script and provenance
// in testdata/ess_ar1.R.
func TestESSHelperMatchesPosterior(t *testing.T) {
	f, err := os.Open("testdata/ar1_chains.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	chains := make([][]float64, 4)
	for _, r := range rows[1:] {
		c, _ := strconv.Atoi(r[0])
		x, err := strconv.ParseFloat(r[2], 64)
		if err != nil {
			t.Fatal(err)
		}
		chains[c-1] = append(chains[c-1], x)
	}
	const wantESS, wantMCSE = 228.1762802233, 0.084918762512 // Rscript testdata/ess_ar1.R
	if got := essMean(chains); math.Abs(got-wantESS) > 1e-8 {
		t.Errorf("essMean = %.10f, posterior::ess_mean = %.10f", got, wantESS)
	}
	if got := mcseMean(chains); math.Abs(got-wantMCSE) > 1e-10 {
		t.Errorf("mcseMean = %.12f, posterior::mcse_mean = %.12f", got, wantMCSE)
	}
}
