package calibration

import (
	"fmt"
	"math"
)

// NewPITCoverage returns the coverage of central intervals from the
// probability integral transforms u = F̂(θ*) of the truths under their
// posteriors (the fraction of draws below the truth): the truth lies in the
// central q-interval exactly when |u − ½| ≤ q/2. With S draws this equals
// the draw-based coverage of NewCoverage up to one draw at each end, and it
// lets a run store one number per parameter instead of its draws. It panics
// on a PIT outside [0, 1] or a level outside (0, 1).
func NewPITCoverage(pits, levels []float64) Coverage {
	checkLevels(levels)
	covered := make([][]bool, len(pits))
	for n, u := range pits {
		if !(u >= 0 && u <= 1) {
			panic(fmt.Sprintf("calibration: PIT %v outside [0, 1]", u))
		}
		covered[n] = make([]bool, len(levels))
		for j, q := range levels {
			covered[n][j] = math.Abs(u-0.5) <= q/2
		}
	}
	return summarizeCoverage(covered, levels, levels)
}
