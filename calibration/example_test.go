package calibration_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/metabeta-go/metabeta/calibration"
)

// Simultaneous 95% ECDF bands (Säilynoja, Bürkner & Vehtari 2022) for
// N = 100 SBC replicates on K = 100 points; the numbers are the first row
// of the band table in the project's calibration brief.
func ExampleSimultaneousBands() {
	b := calibration.SimultaneousBands(100, 100, 0.95)
	fmt.Printf("γ = %.4f, half-width at z = 0.5: %.2f\n", b.Gamma, b.HalfWidth(50))
	// Output: γ = 0.0041, half-width at z = 0.5: 0.14
}

// An SBC check of ranks that are uniform by construction.
func ExampleNewRankECDF() {
	rng := rand.New(rand.NewPCG(1, 1))
	const n, l = 200, 99
	ranks := make([]int, n)
	for i := range ranks {
		ranks[i] = rng.IntN(l + 1)
	}
	bands := calibration.SimultaneousBands(n, calibration.DefaultECDFPoints(n, l), 0.95)
	e := calibration.NewRankECDF(ranks, l, bands)
	fmt.Println("inside the 95% band:", e.Pass)
	// Output: inside the 95% band: true
}
