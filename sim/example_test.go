package sim_test

import (
	"fmt"

	"github.com/metabeta-go/metabeta/sim"
)

// Dataset i under a seed is the same on any worker; the shape here is
// fixed by the configuration. With q = 2, 80% of the datasets have
// correlated random effects (Config.CorrelatedQ2); this one does.
func ExampleSimulator_Sample() {
	cfg := sim.DefaultConfig()
	cfg.Fixed = sim.IntRange{Min: 3, Max: 3}
	cfg.Random = sim.IntRange{Min: 2, Max: 2}
	cfg.Groups = sim.IntRange{Min: 10, Max: 10}
	s, err := sim.New(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	smp, err := s.Sample(1, 42)
	if err != nil {
		fmt.Println(err)
		return
	}
	d := smp.Design
	fmt.Println(d.Formula)
	fmt.Println(d.Names())
	fmt.Println(d.M(), len(sim.Truth(smp)))
	// Output:
	// y ~ 1 + x1 + x2 + (1 + x1 | g)
	// [b_Intercept b_x1 b_x2 sd_g__Intercept sd_g__x1 sigma cor_g__Intercept__x1]
	// 10 27
}
