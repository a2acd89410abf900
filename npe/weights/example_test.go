package weights_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"

	"github.com/metabeta-go/metabeta/npe/flow"
	"github.com/metabeta-go/metabeta/npe/weights"
)

// ExampleSave writes a flow's weights and loads them into a second flow
// built from the same config.
func ExampleSave() {
	cfg := flow.Config{Dim: 2, Context: 1, Steps: 2, Hidden: 4, Depth: 1}
	src := flow.New(cfg, rand.New(rand.NewPCG(1, 1)))
	var buf bytes.Buffer
	if err := weights.Save(&buf, cfg, src.Params()); err != nil {
		fmt.Println(err)
		return
	}
	dst := flow.New(cfg, rand.New(rand.NewPCG(2, 1)))
	err := weights.Load(&buf, cfg, dst.Params())
	fmt.Println(err, dst.Params()[0].Value[0] == src.Params()[0].Value[0])
	// Output: <nil> true
}
