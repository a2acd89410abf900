package estimator

import (
	"fmt"

	"github.com/metabeta-go/metabeta/lmm"
)

// Trained range of the default simulator (sim.DefaultConfig) that
// CheckRange compares a dataset against.
const (
	minGroups, maxGroups       = 5, 200
	minGroupSize, maxGroupSize = 2, 100
	maxPriorMean               = 3.0
	minPriorScale              = 0.03
	maxPriorScale              = 3.0
)

// CheckRange lists the reasons why dataset d with prior pr lies outside the
// range the estimator was trained on: more than MaxP fixed or MaxQ random
// effects, a number of groups outside 5–200, a group size outside 2–100,
// or a prior, in the standardized units the network sees (Standardization),
// with a coefficient mean outside [−3, 3] or a scale outside [0.03, 3].
// An empty result means the dataset is inside the trained box; outside it
// the estimator still runs (attention is over a set of any size) but its
// accuracy is not validated, and importance sampling should be checked.
func CheckRange(d *lmm.Design, pr lmm.Prior) []string {
	var out []string
	p, q, m := d.P(), d.Q(), d.M()
	if p > MaxP {
		out = append(out, fmt.Sprintf("%d fixed effects, trained on at most %d", p, MaxP))
	}
	if q > MaxQ {
		out = append(out, fmt.Sprintf("%d random effects, trained on at most %d", q, MaxQ))
	}
	if m < minGroups || m > maxGroups {
		out = append(out, fmt.Sprintf("%d groups, trained on %d–%d", m, minGroups, maxGroups))
	}
	lo, hi := 0, 0
	for i, n := range d.GroupSizes() {
		if i == 0 || n < lo {
			lo = n
		}
		if n > hi {
			hi = n
		}
	}
	if lo < minGroupSize || hi > maxGroupSize {
		out = append(out, fmt.Sprintf("group sizes %d–%d, trained on %d–%d", lo, hi, minGroupSize, maxGroupSize))
	}
	if d.Validate() != nil || pr.Check(d) != nil || d.N() < 2 {
		return out
	}
	st := NewStandardization(d)
	ps := st.Prior(pr, d)
	for j, v := range ps.BetaMean {
		if v < -maxPriorMean || v > maxPriorMean {
			out = append(out, fmt.Sprintf("standardized prior mean of %s is %.3g, trained on [−%g, %g]", d.Fixed[j], v, maxPriorMean, maxPriorMean))
		}
	}
	scale := func(name string, v float64) {
		if v < minPriorScale || v > maxPriorScale {
			out = append(out, fmt.Sprintf("standardized prior scale of %s is %.3g, trained on [%g, %g]", name, v, minPriorScale, maxPriorScale))
		}
	}
	for j, v := range ps.BetaSD {
		scale(d.Fixed[j], v)
	}
	for k, v := range ps.SDScale {
		scale("sd "+d.Random[k], v)
	}
	scale("sigma", ps.SigmaScale)
	return out
}
