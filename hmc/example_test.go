package hmc_test

import (
	"context"
	"fmt"
	"math"

	"github.com/metabeta-go/metabeta/hmc"
)

// normal2 is N((1, −1), I).
type normal2 struct{}

func (normal2) Dim() int { return 2 }
func (normal2) LogDensityGrad(x, grad []float64) float64 {
	grad[0], grad[1] = -(x[0] - 1), -(x[1] + 1)
	return -0.5 * ((x[0]-1)*(x[0]-1) + (x[1]+1)*(x[1]+1))
}

func ExampleRun() {
	res, err := hmc.Run(context.Background(), func() hmc.Target { return normal2{} }, hmc.Config{}, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	var sum float64
	for _, chain := range res.Param(0) {
		for _, x := range chain {
			sum += x
		}
	}
	mean := sum / float64(res.Chains*res.NumDraws)
	fmt.Printf("%d chains × %d draws, mean of x₀ ≈ %.0f, divergences %d\n",
		res.Chains, res.NumDraws, math.Round(mean), res.Divergences())
	// Output: 4 chains × 1000 draws, mean of x₀ ≈ 1, divergences 0
}
