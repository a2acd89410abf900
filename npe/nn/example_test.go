package nn_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/metabeta-go/metabeta/npe/nn"
)

// ExampleMatMul multiplies a 2×3 by a 3×2 matrix, row-major.
func ExampleMatMul() {
	a := []float64{1, 2, 3, 4, 5, 6}
	b := []float64{1, 0, 0, 1, 1, 1}
	c := make([]float64, 4)
	nn.MatMul(false, false, 2, 2, 3, 1, a, b, 0, c)
	fmt.Println(c)
	// Output: [4 5 10 11]
}

// ExampleSetTransformer summarizes a set of two tokens, then the same set
// padded with a third token: the padded token does not change the summary.
func ExampleSetTransformer() {
	rng := rand.New(rand.NewPCG(1, 1))
	st := nn.NewSetTransformer("st", nn.SetTransformerConfig{In: 2, Width: 8, Heads: 2, Hidden: 16, Blocks: 2, Out: 3}, rng)
	set := []float64{0.1, 0.2, 0.3, 0.4}
	a := append([]float64(nil), st.Forward(set, 1, 2, nil)...)
	padded := []float64{0.1, 0.2, 0.3, 0.4, 9, -9}
	b := st.Forward(padded, 1, 3, []bool{true, true, false})
	fmt.Println(a[0] == b[0] && a[1] == b[1] && a[2] == b[2])
	// Output: true
}
