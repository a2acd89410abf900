package lmm_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/metabeta-go/metabeta/lmm"
)

// ExampleCollapsed evaluates the collapsed posterior of a random-intercept
// model on four rows in two groups, converts θ to natural-scale parameters,
// and draws the random effects from their exact conditional.
func ExampleCollapsed() {
	d := &lmm.Design{
		Response: "y", Group: "g",
		Fixed: []string{"Intercept", "x"}, Random: []string{"Intercept"}, RandomCol: []int{0},
		Intercept: true, Levels: []string{"a", "b"},
		Y: []float64{1, 2, 4, 7},
		X: []float64{1, 0, 1, 1, 1, 2, 1, 3},
		G: []int{0, 0, 1, 1},
	}
	pr := lmm.Prior{BetaMean: []float64{0, 0}, BetaSD: []float64{10, 10}, SDScale: []float64{1}, SigmaScale: 1}
	c := lmm.NewCollapsed(d, pr)

	// θ = [α, slope, log σ_b, log σ], α the intercept at x̄ = 1.5.
	theta := []float64{3.5, 2, math.Log(0.5), math.Log(0.8)}
	grad := make([]float64, c.Dim())
	lp := c.LogDensityGrad(theta, grad)
	// R 4.2.2 by hand (dnorm for the priors, log 2 for the half-normals,
	// Jacobian log σ_b + log σ, dense MVN of y) gives −12.478916.
	fmt.Printf("dim %d, log p(θ, y) = %.4f\n", c.Dim(), lp)
	fmt.Printf("β = %.2f\n", c.Params(theta).Beta)

	b := make([]float64, 2)
	c.SampleRandomEffects(rand.New(rand.NewPCG(1, 1)), theta, b)
	fmt.Println("random effects drawn:", len(b))
	// Output:
	// dim 4, log p(θ, y) = -12.4789
	// β = [0.50 2.00]
	// random effects drawn: 2
}
