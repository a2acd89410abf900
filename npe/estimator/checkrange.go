package estimator

import (
	"fmt"
	"strings"

	"github.com/metabeta-go/metabeta/lmm"
	"github.com/metabeta-go/metabeta/lmm/estimate"
)

// Trained range that CheckRange compares a dataset against. The group
// sizes are the model's (Config.Trained); the number of groups is the
// simulator's range. The prior bounds are in the fully standardized units
// the network sees; there the simulator's hyperprior (means U(−3, 3),
// scales logU(0.03, 3) in units of standardized predictors and raw y) is
// divided by s_y, which gives heavy tails: over 4,000 simulated datasets
// (seed 5) the 0.5% and 99.5% quantiles of the standardized prior means
// were −5.2 and 4.2 and of the scales 0.0057 and 12. The box below keeps
// about 95% of simulated datasets (TestCheckRangeTrainingShare).
const (
	minGroups, maxGroups = 5, 200
	maxPriorMean         = 5.0
	minPriorScale        = 0.005
	maxPriorScale        = 10.0
	// The LKJ shapes η of the simulator's correlated datasets: U(1, 2)
	// (sim.Config.CorEta, metabeta era C). η is scale-free.
	minLKJ, maxLKJ = 1.0, 2.0
)

// RangeCheck says why a dataset lies outside the range a model was trained
// on, in two kinds.
type RangeCheck struct {
	// Design lists what the network is not fit for at all: more than MaxP
	// fixed or MaxQ random effects, correlated random effects on a model
	// without correlation slots (Config.Correlations; Sample refuses
	// these), or a nearly
	// singular fixed-effect design (lmm.CheckDesign: condition number above
	// lmm.IllConditioned), whose posterior the network has never seen.
	Design []string
	// Extrapolation lists sizes and priors beyond those simulated in
	// training: no intercept, a number of groups outside 5–200, group
	// sizes outside the trained ones, or a prior, in the standardized units
	// the network sees (estimate.Standardize), with a coefficient mean
	// outside [−5, 5] or a scale outside [0.005, 10] (the range of about
	// 99% of simulated training priors), or an LKJ shape η outside the
	// simulator's [1, 2]. The network still runs (attention
	// is over a set of any size), but its accuracy there is not validated:
	// importance sampling's k̂ is the judge.
	Extrapolation []string
}

// Reasons returns every reason, the design's first.
func (r RangeCheck) Reasons() []string {
	return append(append([]string(nil), r.Design...), r.Extrapolation...)
}

// Inside reports whether the dataset lies inside the trained range.
func (r RangeCheck) Inside() bool { return len(r.Design)+len(r.Extrapolation) == 0 }

// CheckRange compares dataset d with prior pr against the range m was
// trained on (see RangeCheck).
func (m *Model) CheckRange(d *lmm.Design, pr lmm.Prior) RangeCheck {
	return m.CheckRangeWith(d, pr, nil)
}

// CheckRangeWith is CheckRange reusing check, the result of
// lmm.CheckDesign(d) when it returned no error, so that a caller that has
// checked the design (fit.Fit) does not check it again; with check nil it
// is computed here.
func (m *Model) CheckRangeWith(d *lmm.Design, pr lmm.Prior, check *lmm.DesignCheck) RangeCheck {
	var rc RangeCheck
	p, q, g := d.P(), d.Q(), d.M()
	if p > MaxP {
		rc.Design = append(rc.Design, fmt.Sprintf("%d fixed effects, trained on at most %d", p, MaxP))
	}
	if q > MaxQ {
		rc.Design = append(rc.Design, fmt.Sprintf("%d random effects, trained on at most %d", q, MaxQ))
	}
	if d.NCor() > 0 && !m.Config.Correlations {
		rc.Design = append(rc.Design, fmt.Sprintf("correlated random effects (%s): this model was not trained on correlated random effects", strings.Join(d.Random, ", ")))
	}
	if !d.Intercept {
		rc.Extrapolation = append(rc.Extrapolation, "model without an intercept, trained only on models with one")
	}
	if g < minGroups || g > maxGroups {
		rc.Extrapolation = append(rc.Extrapolation, fmt.Sprintf("%d groups, trained on %d–%d", g, minGroups, maxGroups))
	}
	minSize, maxSize := m.Config.Trained.groupSizes()
	lo, hi := 0, 0
	for i, n := range d.GroupSizes() {
		if i == 0 || n < lo {
			lo = n
		}
		if n > hi {
			hi = n
		}
	}
	if lo < minSize || hi > maxSize {
		rc.Extrapolation = append(rc.Extrapolation, fmt.Sprintf("group sizes %d–%d, trained on %d–%d", lo, hi, minSize, maxSize))
	}
	if d.Validate() != nil || pr.Check(d) != nil || d.N() < 2 {
		return rc
	}
	// The simulator's designs are well conditioned: κ at most 3.5 over 3,000
	// simulated datasets (sim.DefaultConfig, seed 5; median 1.16). A
	// near-singular one asks the network for a posterior it has never seen.
	// Designs in between are left to k̂ (npe-is), as the issue of the
	// whitened flow asks. fit.Fit refuses a singular one before this check.
	var err error
	if check == nil {
		check, err = lmm.CheckDesign(d)
	}
	if err != nil {
		rc.Design = append(rc.Design, err.Error())
	} else if check.Cond > lmm.IllConditioned {
		rc.Design = append(rc.Design, fmt.Sprintf("the fixed-effect design is nearly singular (condition number %.3g above %.0e), trained only on well-conditioned designs", check.Cond, lmm.IllConditioned))
	}
	_, sc := estimate.Standardize(d)
	ps := sc.Prior(pr)
	for j, v := range ps.BetaMean {
		if v < -maxPriorMean || v > maxPriorMean {
			rc.Extrapolation = append(rc.Extrapolation, fmt.Sprintf("standardized prior mean of %s is %.3g, trained on [−%g, %g]", d.Fixed[j], v, maxPriorMean, maxPriorMean))
		}
	}
	scale := func(name string, v float64) {
		if v < minPriorScale || v > maxPriorScale {
			rc.Extrapolation = append(rc.Extrapolation, fmt.Sprintf("standardized prior scale of %s is %.3g, trained on [%g, %g]", name, v, minPriorScale, maxPriorScale))
		}
	}
	for j, v := range ps.BetaSD {
		scale(d.Fixed[j], v)
	}
	for k, v := range ps.SDScale {
		scale("sd "+d.Random[k], v)
	}
	scale("sigma", ps.SigmaScale)
	if d.NCor() > 0 && m.Config.Correlations && (pr.LKJ < minLKJ || pr.LKJ > maxLKJ) {
		rc.Extrapolation = append(rc.Extrapolation, fmt.Sprintf("LKJ prior shape of the correlations is %.3g, trained on [%g, %g]", pr.LKJ, minLKJ, maxLKJ))
	}
	return rc
}
