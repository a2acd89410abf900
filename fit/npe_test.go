package fit

import (
	"bytes"
	"context"
	"math"
	"strings"
	"testing"

	metabeta "github.com/metabeta-go/metabeta"
	"github.com/metabeta-go/metabeta/npe/estimator"
)

// TestNPESleepstudyAgainstRstan checks the embedded model on sleepstudy
// with the prior of the rstan reference fit (testdata/reference) against
// the real suite's criterion of the whitened-flow issue: every posterior
// mean within 0.15 reference SD of rstan's and every SD within ±15%. With
// 4000 independent draws the Monte Carlo error of a mean is about
// 1/√4000 ≈ 0.016 SD and that of an SD about 1/√8000 ≈ 1.1%. npe-is must
// keep its own result (Pareto k̂ below the threshold).
func TestNPESleepstudyAgainstRstan(t *testing.T) {
	raw, err := metabeta.DefaultModel()
	if err != nil {
		t.Skip(err)
	}
	m, err := estimator.Load(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	d, pr := loadSleepstudy(t)
	ref := rstanSummary(t)
	for _, importance := range []bool{false, true} {
		res, err := NPE(context.Background(), m, d, pr, NPEOptions{Draws: 4000, Seed: 3, Importance: importance})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range res.Parameters {
			r := ref[strings.Replace(s.Name, "sd_Subject__", "sd_", 1)]
			dm := math.Abs(float64(s.Mean)-r[0]) / r[1]
			ratio := float64(s.SD) / r[1]
			t.Logf("%s %s: |Δmean|/sd_ref %.3f, sd/sd_ref %.3f", res.Method, s.Name, dm, ratio)
			if dm > 0.15 {
				t.Errorf("%s %s: mean %.4g, rstan %.4g: off by %.3f reference SD (> 0.15)", res.Method, s.Name, s.Mean, r[0], dm)
			}
			if math.Abs(ratio-1) > 0.15 {
				t.Errorf("%s %s: sd %.4g, rstan %.4g: ratio %.3f outside 1 ± 0.15", res.Method, s.Name, s.SD, r[1], ratio)
			}
		}
		if d := res.Diagnostics; importance && !(*d.ParetoK <= *d.KThreshold) {
			t.Errorf("npe-is: Pareto k̂ %.3f above its threshold %.3f", float64(*d.ParetoK), float64(*d.KThreshold))
		}
	}
}
