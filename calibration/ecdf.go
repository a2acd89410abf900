package calibration

import "fmt"

// RankECDF is the empirical CDF of N SBC ranks in 0..L on the grid of a
// Bands value, with the band test (Säilynoja, Bürkner & Vehtari 2022).
// All slices are indexed by grid point i = 0..K.
type RankECDF struct {
	// Z is the grid zᵢ.
	Z []float64
	// F is F̂(zᵢ) = #{r < ⌊zᵢ·(L+1)⌋}/N, as the SBC R package computes it
	// (R/plot.R, data_for_ecdf_plots).
	F []float64
	// Lower and Upper are the band limits of F (count bounds over N).
	Lower, Upper []float64
	// Diff, DiffLower and DiffUpper are F − z and the band limits minus z,
	// the ECDF-difference plot.
	Diff, DiffLower, DiffUpper []float64
	// Level is the simultaneous coverage of the band.
	Level float64
	// Pass reports whether the ECDF stays inside the band at every grid
	// point; under uniform ranks it does with probability ≥ Level.
	Pass bool
	// Outside lists the grid points at which the ECDF leaves the band.
	Outside []int
	// Warnings lists caveats (few replicates, few draws, K not dividing
	// L+1).
	Warnings []string
}

// NewRankECDF evaluates the ECDF of ranks in 0..l on the grid of bands and
// tests it against them. bands.N must equal len(ranks); build bands with
// SimultaneousBands(len(ranks), DefaultECDFPoints(len(ranks), l), 0.95)
// and reuse them across parameters. It panics on a rank outside 0..l or a
// size mismatch.
func NewRankECDF(ranks []int, l int, bands Bands) RankECDF {
	checkRanks(ranks, l)
	n := len(ranks)
	if bands.N != n {
		panic(fmt.Sprintf("calibration: bands for N = %d used with %d ranks", bands.N, n))
	}
	k := len(bands.Z)
	e := RankECDF{Z: bands.Z, Level: bands.Level, Pass: true,
		F: make([]float64, k), Lower: make([]float64, k), Upper: make([]float64, k),
		Diff: make([]float64, k), DiffLower: make([]float64, k), DiffUpper: make([]float64, k)}
	// counts[v] = #{r = v}; prefix sums give #{r < m}.
	below := make([]int, l+2)
	for _, r := range ranks {
		below[r+1]++
	}
	for v := 1; v <= l+1; v++ {
		below[v] += below[v-1]
	}
	nn := float64(n)
	for i, z := range bands.Z {
		m := int(z*float64(l+1) + 1e-9)
		cnt := below[min(m, l+1)]
		e.F[i] = float64(cnt) / nn
		e.Lower[i] = float64(bands.Lower[i]) / nn
		e.Upper[i] = float64(bands.Upper[i]) / nn
		e.Diff[i] = e.F[i] - z
		e.DiffLower[i] = e.Lower[i] - z
		e.DiffUpper[i] = e.Upper[i] - z
		if cnt < bands.Lower[i] || cnt > bands.Upper[i] {
			e.Pass = false
			e.Outside = append(e.Outside, i)
		}
	}
	e.Warnings = sbcWarnings(n, l)
	if kk := k - 1; (l+1)%kk != 0 {
		e.Warnings = append(e.Warnings, fmt.Sprintf("K = %d does not divide L+1 = %d: grid points fall between ranks", kk, l+1))
	}
	return e
}
