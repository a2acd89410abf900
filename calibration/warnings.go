package calibration

import "fmt"

// Thresholds below which a result carries a warning.
const (
	// MinReplicates is the number of SBC replicates below which results
	// warn (sbi's run_sbc warns under 100 runs).
	MinReplicates = 100
	// MinRankDraws is the number of draws per replicate below which ranks
	// warn: the SBC R package warns when the maximal rank L is below 49.
	MinRankDraws = 49
	// MinExpectedCount is the expected histogram count per bin below which
	// the χ² approximation is unreliable (Stan User's Guide, SBC chapter).
	MinExpectedCount = 5
)

// sbcWarnings returns the warnings common to every SBC summary of n
// replicates of ranks in 0..l.
func sbcWarnings(n, l int) []string {
	var w []string
	if n < MinReplicates {
		w = append(w, fmt.Sprintf("fewer than %d SBC replicates (N = %d)", MinReplicates, n))
	}
	if l < MinRankDraws {
		w = append(w, fmt.Sprintf("fewer than %d draws per replicate (L = %d)", MinRankDraws, l))
	}
	return w
}

// checkRanks panics if a rank lies outside 0..l.
func checkRanks(ranks []int, l int) {
	if l < 1 {
		panic("calibration: L must be ≥ 1")
	}
	for _, r := range ranks {
		if r < 0 || r > l {
			panic(fmt.Sprintf("calibration: rank %d outside 0..%d", r, l))
		}
	}
}
