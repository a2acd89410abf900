package estimator

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/metabeta-go/metabeta/lmm"
	"github.com/metabeta-go/metabeta/lmm/frame"
	"github.com/metabeta-go/metabeta/sim"
)

// tinyConfig is a small architecture for fast tests, in the layout without
// correlation slots (that of every model file written before
// Config.Correlations; corConfig is the other).
func tinyConfig() Config {
	return Config{Width: 16, Heads: 2, Hidden: 32, Blocks: 1, SummaryOut: 16,
		ContextHidden: 32, Context: 16, FlowSteps: 3, FlowHidden: 32, FlowDepth: 1, WarmupSteps: 5}
}

// simSample returns dataset index of the default simulator under seed 7.
func simSample(t testing.TB, index int) *sim.Sample {
	t.Helper()
	s, err := sim.New(sim.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	smp, err := s.Sample(7, index)
	if err != nil {
		t.Fatal(err)
	}
	return smp
}

// simSampleWith returns the first dataset of seed 7 with the given P and Q
// and uncorrelated random effects (correlate makes them correlated).
func simSampleWith(t testing.TB, p, q int) *sim.Sample {
	t.Helper()
	for i := 0; i < 10000; i++ {
		smp := simSample(t, i)
		if smp.Design.P() == p && smp.Design.Q() == q && !smp.Design.Correlated {
			return smp
		}
	}
	t.Fatalf("no simulated dataset with P=%d, Q=%d", p, q)
	return nil
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 1)) }

// identityFlowDraws returns n draws on smp of a model of cfg whose affine
// couplings are zeroed (with ActNorm at its start, the flow is the
// identity, so the draws are the Laplace approximation's), and smp
// prepared in cfg's layout, against whose Laplace density a test checks
// log q.
func identityFlowDraws(t *testing.T, cfg Config, smp *sim.Sample, n int) (*Posterior, *prepared) {
	t.Helper()
	m := New(cfg, newRand(1))
	for _, p := range m.flow.Params() {
		if strings.Contains(p.Name, ".affine.") {
			clear(p.Value)
		}
	}
	post, err := m.Sample(smp.Design, smp.Prior, n, newRand(2))
	if err != nil {
		t.Fatal(err)
	}
	prep, err := prepare(smp.Design, smp.Prior, cfg.layout())
	if err != nil {
		t.Fatal(err)
	}
	return post, prep
}

// sleepstudy returns lme4's sleepstudy (Belenky et al. 2003; the data of
// lme4 1.1, testdata/sleepstudy.csv) as Reaction ~ Days + (Days || Subject)
// with lmm's default prior.
func sleepstudy(t testing.TB) (*lmm.Design, lmm.Prior) {
	t.Helper()
	d := sleepstudyDesign(t)
	pr, err := lmm.DefaultPrior(d)
	if err != nil {
		t.Fatal(err)
	}
	return d, pr
}

func sleepstudyDesign(t testing.TB) *lmm.Design {
	t.Helper()
	d, err := frame.Load("../../testdata/datasets/sleepstudy.csv", "Reaction ~ Days + (1 + Days || Subject)")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func newDefaultSimulator(t testing.TB) *sim.Simulator {
	t.Helper()
	s, err := sim.New(sim.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// sameDraws checks that models a and b draw the same posterior of
// sleepstudy, bit for bit, from the same seed.
func sameDraws(t *testing.T, a, b *Model, n int) {
	t.Helper()
	d, pr := sleepstudy(t)
	pa, err := a.Sample(d, pr, n, newRand(3))
	if err != nil {
		t.Fatal(err)
	}
	pb, err := b.Sample(d, pr, n, newRand(3))
	if err != nil {
		t.Fatal(err)
	}
	equalPosteriors(t, pa, pb)
}
