package validate

import (
	"math"
	"testing"

	"github.com/metabeta-go/metabeta/fit"
)

// TestAgreementNearZeroStratum checks the KindSigmaBNearZero row on two
// datasets whose NUTS σ_b posteriors have CV 1 (mean 1, sd 1: in the
// stratum) and 0.1 (mean 5, sd 0.5: not): the stratum holds the first
// alone, with |Δmean|/sd = 0.2/1 and log sd ratio log 1.5, and sigma_b
// holds both; the row follows sigma_b.
func TestAgreementNearZeroStratum(t *testing.T) {
	rec := func(ds int, method string, mean, sd float64) Record {
		return Record{Suite: SuiteSimulated, Dataset: ds, Method: method,
			Params: []ParamRecord{{Name: "sd_g__Intercept", Kind: KindSigmaB, Truth: 1, Mean: mean, SD: sd}}}
	}
	recs := []Record{
		rec(0, fit.MethodNUTS, 1, 1), rec(0, fit.MethodNPE, 1.2, 1.5),
		rec(1, fit.MethodNUTS, 5, 0.5), rec(1, fit.MethodNPE, 5.1, 0.5),
	}
	got := agreement(1, []string{fit.MethodNUTS, fit.MethodNPE}, recs)
	if len(got) != 2 || got[0].Kind != KindSigmaB || got[1].Kind != KindSigmaBNearZero {
		t.Fatalf("rows %+v, want sigma_b then %q", got, KindSigmaBNearZero)
	}
	if got[0].N != 2 || got[1].N != 1 {
		t.Errorf("n = %d and %d, want 2 and 1", got[0].N, got[1].N)
	}
	if v := float64(got[1].MeanAbsDiff.Value); math.Abs(v-0.2) > 1e-12 {
		t.Errorf("near-zero |Δmean|/sd = %v, want 0.2", v)
	}
	if v := float64(got[1].MedianLogSDRate); math.Abs(v-math.Log(1.5)) > 1e-12 {
		t.Errorf("near-zero log sd ratio = %v, want log 1.5", v)
	}
}
