package diagnostics_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/metabeta-go/metabeta/diagnostics"
)

func ExampleSummarize() {
	// Four chains of 1000 iid standard normal draws.
	rng := rand.New(rand.NewPCG(1, 2))
	chains := make([][]float64, 4)
	for c := range chains {
		chains[c] = make([]float64, 1000)
		for i := range chains[c] {
			chains[c][i] = rng.NormFloat64()
		}
	}
	s := diagnostics.Summarize(chains)
	// Thresholds of Vehtari et al. (2021): R̂ < 1.01 and bulk- and tail-ESS
	// above 100 per chain.
	fmt.Printf("R̂ < 1.01: %t, bulk-ESS > 400: %t, tail-ESS > 400: %t\n",
		s.Rhat < 1.01, s.ESSBulk > 400, s.ESSTail > 400)
	// Output:
	// R̂ < 1.01: true, bulk-ESS > 400: true, tail-ESS > 400: true
}

func ExampleEBFMI() {
	fmt.Printf("%.2f\n", diagnostics.EBFMI([]float64{1, 3, 2, 5}))
	// Output: 1.60
}
