package psis_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/metabeta-go/metabeta/psis"
)

// Importance sampling a standard normal target with a narrower normal
// proposal N(0, 0.7²): the weight tail is moderately heavy but k̂ stays
// below the threshold.
func ExampleSmoother_Smooth() {
	rng := rand.New(rand.NewPCG(1, 1))
	const s = 4000
	lr := make([]float64, s)
	for i := range lr {
		x := 0.7 * rng.NormFloat64()
		lr[i] = -0.5*x*x + 0.5*x*x/0.49 // log N(x|0,1) − log N(x|0,0.7²) + const
	}
	lw := make([]float64, s)
	res := psis.NewSmoother(s).Smooth(lw, lr)
	fmt.Printf("tail %d, reliable %v, threshold %.2f\n", res.TailLen, res.Reliable(), res.Threshold)
	// Output:
	// tail 190, reliable true, threshold 0.70
}
