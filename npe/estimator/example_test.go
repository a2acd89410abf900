package estimator_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/metabeta-go/metabeta/lmm"
	"github.com/metabeta-go/metabeta/lmm/frame"
	"github.com/metabeta-go/metabeta/npe/estimator"
)

// Example draws from an (untrained) estimator for sleepstudy: 200 global
// draws in the θ layout, each with the 18×2 random effects, and checks the
// dataset against the trained range.
func Example() {
	d, err := frame.Load("../../testdata/datasets/sleepstudy.csv", "Reaction ~ Days + (1 + Days || Subject)")
	if err != nil {
		fmt.Println(err)
		return
	}
	pr, err := lmm.DefaultPrior(d)
	if err != nil {
		fmt.Println(err)
		return
	}
	m := estimator.New(estimator.DefaultConfig(), rand.New(rand.NewPCG(1, 1)))
	post, err := m.Sample(d, pr, 200, rand.New(rand.NewPCG(2, 1)))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(post.Names)
	fmt.Println(len(post.Draws)/post.Dim, post.Effects, len(m.CheckRange(d, pr).Reasons()))
	// Output:
	// [b_Intercept b_Days sd_Subject__Intercept sd_Subject__Days sigma]
	// 200 36 0
}
