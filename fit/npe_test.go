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
// with the prior of the rstan reference fit. The npe issue's real-data
// target is posterior means within 0.2 reference SD of rstan's; with 4000
// draws the Monte Carlo error of a mean is about 0.02 SD. npe-is meets it
// and is checked at 0.2, with its Pareto k̂ below the threshold (no
// fallback needed). npe meets it on four of five parameters but not on
// sd_Subject__Days, whose mean it puts 0.19–0.23 reference SD low (5 seeds
// of 4000 draws), so npe is checked at 0.25 as a regression guard, not as
// the target. The SDs are not checked: npe's SD of b_Intercept is 1.6×
// rstan's (the flow is scaled by the Laplace marginal SDs and misses the
// strong intercept–slope correlation of non-centred Days; see the issue
// note), which npe-is corrects.
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
			tol := 0.2
			if !importance {
				tol = 0.25
			}
			if dm := math.Abs(float64(s.Mean)-r[0]) / r[1]; dm > tol {
				t.Errorf("%s %s: mean %.4g, rstan %.4g: off by %.3f reference SD (> %g)", res.Method, s.Name, s.Mean, r[0], dm, tol)
			}
		}
		if d := res.Diagnostics; importance && !(*d.ParetoK <= *d.KThreshold) {
			t.Errorf("npe-is: Pareto k̂ %.3f above its threshold %.3f", float64(*d.ParetoK), float64(*d.KThreshold))
		}
	}
}
