package metabeta_test

import (
	"testing"

	"github.com/metabeta-go/metabeta"
	"github.com/metabeta-go/metabeta/sim"
)

// TestDatasetsTrainingMix checks that the embedded datasets give the
// training mixture its real designs, one per sim.RealSources entry.
func TestDatasetsTrainingMix(t *testing.T) {
	c, err := sim.TrainingMix(metabeta.Datasets())
	if err != nil {
		t.Fatal(err)
	}
	if len(c.RealDesigns) != len(sim.RealSources) {
		t.Fatalf("%d real designs, want %d", len(c.RealDesigns), len(sim.RealSources))
	}
	s, err := sim.New(c)
	if err != nil {
		t.Fatal(err)
	}
	for smp, err := range s.All(1, 20) {
		if err != nil {
			t.Fatal(err)
		}
		if err := smp.Design.Validate(); err != nil {
			t.Fatalf("dataset %d: %v", smp.Index, err)
		}
	}
}
