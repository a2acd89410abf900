package validate

import (
	"math"

	"github.com/metabeta-go/metabeta/calibration"
)

// SBCFamilyLevel is the level α of each SBC band test (bands of
// simultaneous coverage 1 − α) and the family-wise level of Holm's
// procedure over a method's tests.
const SBCFamilyLevel = 0.05

// SBCFamilyResult reads a method's SBC band tests (Table 4) as one family:
// about forty tests at 5% each fail about twice by chance when the method
// is calibrated, so "every test passes" is not what calibration predicts.
// Failed counts the tests that fail at 5% and Expected the failures
// expected by chance, Tests·5%; Holm lists the tests that Holm's step-down
// procedure (calibration.HolmRejects) rejects at family-wise 5% from their
// p-values, which controls the chance of any false rejection whatever the
// dependence between the tests (the pooled rows share the per-parameter
// rows' datasets). A calibrated method has no Holm rejection in at least
// 95% of runs.
type SBCFamilyResult struct {
	Method   string   `json:"method"`
	Tests    int      `json:"tests"`
	Failed   int      `json:"failed"`
	Expected float64  `json:"expected_failures"`
	Holm     []string `json:"holm_rejected"`
}

// sbcFamilies returns the SBCFamilyResult of every method with band tests,
// in methods' order, over its per-parameter and pooled groups (params and
// kinds, a pooled group named "all KIND" as in Table 4). Groups without a
// test (fewer than two ranks) are not counted.
func sbcFamilies(methods []string, params, kinds []GroupResult) []SBCFamilyResult {
	var out []SBCFamilyResult
	for _, m := range methods {
		f := SBCFamilyResult{Method: m}
		var names []string
		var ps []float64
		add := func(g GroupResult, name string) {
			if g.Method != m || g.N < 2 || math.IsNaN(float64(g.BandP)) {
				return
			}
			f.Tests++
			if !g.BandPass {
				f.Failed++
			}
			names, ps = append(names, name), append(ps, float64(g.BandP))
		}
		for _, g := range params {
			add(g, g.Group)
		}
		for _, g := range kinds {
			add(g, "all "+g.Group)
		}
		if f.Tests == 0 {
			continue
		}
		f.Expected = SBCFamilyLevel * float64(f.Tests)
		for _, i := range calibration.HolmRejects(ps, SBCFamilyLevel) {
			f.Holm = append(f.Holm, names[i])
		}
		out = append(out, f)
	}
	return out
}
