package validate

import (
	"context"
	"encoding/json"
	"math"
	"slices"
	"testing"

	"github.com/metabeta-go/metabeta/fit"
	"github.com/metabeta-go/metabeta/sim"
)

// misspecConfig is smallConfig with the four default variants on three
// datasets each and no real suite.
func misspecConfig() Config {
	cfg := smallConfig()
	cfg.Simulated = 3
	cfg.Real = nil
	cfg.Misspec = DefaultMisspec()
	cfg.MisspecDatasets = 3
	return cfg
}

func TestMisspecTasks(t *testing.T) {
	cfg := misspecConfig()
	var n int
	for _, tk := range cfg.tasks() {
		if isMisspecSuite(tk.suite) {
			n++
		}
	}
	if want := 4 * 3 * len(cfg.Methods()); n != want {
		t.Errorf("%d misspecified tasks, want %d (4 variants × 3 datasets × %d methods)", n, want, len(cfg.Methods()))
	}
	cfg.Shard = Shard{Index: 1, Of: 2} // dataset 1 of 0..2
	n = 0
	for _, tk := range cfg.tasks() {
		if isMisspecSuite(tk.suite) {
			n++
			if tk.dataset != 1 {
				t.Errorf("shard 2/2 holds misspecified dataset %d", tk.dataset)
			}
		}
	}
	if n != 4*len(cfg.Methods()) {
		t.Errorf("shard 2/2: %d misspecified tasks, want %d", n, 4*len(cfg.Methods()))
	}
	if isMisspecSuite(SuiteSimulated) || isMisspecSuite(SuiteReal) || !isMisspecSuite(misspecSuite(cfg.Misspec[0])) {
		t.Error("isMisspecSuite confuses the suites")
	}
}

// TestMisspecDatasetPaired checks that dataset i of a variant keeps the
// design of dataset i of the well-specified suite and changes the data:
// Table 7's variants differ from each other only in the departure.
func TestMisspecDatasetPaired(t *testing.T) {
	cfg := misspecConfig()
	s, err := sim.New(cfg.Sim)
	if err != nil {
		t.Fatal(err)
	}
	// The first dataset with a predictor and a random effect, so that
	// every departure changes y.
	var base *sim.Sample
	i := 0
	for ; base == nil || base.Design.P() < 2 || base.Design.Q() < 1; i++ {
		if base, err = s.Sample(cfg.Seed, i); err != nil {
			t.Fatal(err)
		}
	}
	i--
	for _, v := range cfg.Misspec {
		d, prior, truth, err := cfg.misspecDataset(misspecSuite(v), i)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(d.X, base.Design.X) || !slices.Equal(d.G, base.Design.G) || !slices.Equal(prior.BetaSD, base.Prior.BetaSD) {
			t.Errorf("%s: the design or prior of dataset %d differs from the simulated suite's", v.Name, i)
		}
		if slices.Equal(d.Y, base.Design.Y) {
			t.Errorf("%s: y equals the well-specified y", v.Name)
		}
		if len(truth) != len(sim.Truth(base)) {
			t.Errorf("%s: %d truths, want %d", v.Name, len(truth), len(sim.Truth(base)))
		}
	}
	if _, _, _, err := cfg.misspecDataset("misspec-nothing", 0); err == nil {
		t.Error("an unknown variant draws a dataset")
	}
}

// TestMisspecRunAggregates runs the small misspecified suite with every
// method that needs no trained model and checks Table 7's rows, and that the misspecified records leave the
// simulated suite's results as they are without them.
func TestMisspecRunAggregates(t *testing.T) {
	if testing.Short() {
		t.Skip("fits 24 datasets with NUTS and the Laplace baselines")
	}
	cfg := misspecConfig()
	recs, err := Run(context.Background(), cfg, t.TempDir(), false, nil)
	if err != nil {
		t.Fatal(err)
	}
	res := Aggregate(cfg, recs)
	seen := map[string]bool{}
	for _, m := range res.Misspec {
		seen[m.Variant+" "+m.Method] = true
		if m.N < 1 {
			t.Errorf("row %+v: want n ≥ 1", m)
		}
		if isNUTS := m.Method == fit.MethodNUTS; isNUTS != math.IsNaN(float64(m.MeanAbsDiff.Value)) {
			t.Errorf("row %+v: want an agreement with NUTS for every method but NUTS", m)
		}
		if v := float64(m.ECE.Value); !(v >= -1 && v <= 1) {
			t.Errorf("row %+v: ECE outside [−1, 1]", m)
		}
	}
	for _, v := range cfg.Misspec {
		for _, m := range cfg.Methods() {
			if !seen[v.Name+" "+m] {
				t.Errorf("no Table 7 row for %s under %s", m, v.Name)
			}
		}
	}
	var plain []Record
	for _, r := range recs {
		if !isMisspecSuite(r.Suite) {
			plain = append(plain, r)
		}
	}
	without := Aggregate(cfg, plain)
	a, _ := json.Marshal(res.Kinds)
	b, _ := json.Marshal(without.Kinds)
	if string(a) != string(b) || res.Datasets != without.Datasets {
		t.Error("the misspecified records change the simulated suite's results")
	}
	if tb := res.misspecTable(); len(tb.Rows) != len(res.Misspec) {
		t.Errorf("Table 7 has %d rows, want %d", len(tb.Rows), len(res.Misspec))
	}
}
