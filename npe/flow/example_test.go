package flow_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/metabeta-go/metabeta/npe/flow"
)

// ExampleFlow draws from a conditional spline flow and evaluates the log
// density of the draws; Sample's log q agrees with LogProb.
func ExampleFlow() {
	rng := rand.New(rand.NewPCG(1, 1))
	f := flow.New(flow.Config{Dim: 3, Context: 2, Steps: 4, Hidden: 16, Depth: 2, Coupling: "spline", Base: "studentt"}, rng)
	const n = 4
	ctx := []float64{0, 1, 1, 0, -1, 0.5, 2, 2}
	x, logq, lp := make([]float64, n*3), make([]float64, n), make([]float64, n)
	f.Sample(rng, x, ctx, nil, logq, n)
	f.LogProb(lp, x, ctx, nil, n)
	maxDiff := 0.0
	for i := range lp {
		maxDiff = math.Max(maxDiff, math.Abs(lp[i]-logq[i]))
	}
	fmt.Println(maxDiff < 1e-9)
	// Output: true
}
