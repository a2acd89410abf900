package estimate_test

import (
	"fmt"

	"github.com/metabeta-go/metabeta/lmm"
	"github.com/metabeta-go/metabeta/lmm/estimate"
	"github.com/metabeta-go/metabeta/lmm/frame"
)

// The ML and REML fits of lme4's sleepstudy, Reaction ~ Days + (Days ||
// Subject); lmer gives the same values (testdata/lme4_sleepstudy.txt).
func ExampleEstimate() {
	d, err := frame.Load("../../testdata/datasets/sleepstudy.csv", "Reaction ~ Days + (Days || Subject)")
	if err != nil {
		fmt.Println(err)
		return
	}
	s := lmm.NewStats(d)
	est, err := estimate.Estimate(s, nil, estimate.Settings{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range []struct {
		name string
		fit  estimate.Fit
	}{{"ML", est.ML}, {"REML", est.REML}} {
		p := s.Params(f.fit.Theta)
		fmt.Printf("%-4s β = (%.3f, %.3f)  σ_b = (%.3f, %.3f)  σ = %.3f\n", f.name, p.Beta[0], p.Beta[1], p.SigmaB[0], p.SigmaB[1], p.Sigma)
	}
	// Output:
	// ML   β = (251.405, 10.467)  σ_b = (24.171, 5.799)  σ = 25.556
	// REML β = (251.405, 10.467)  σ_b = (25.051, 5.988)  σ = 25.565
}
