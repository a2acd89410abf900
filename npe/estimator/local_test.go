package estimator

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/metabeta-go/metabeta/npe/nn"
)

func localConfig(tokens string) Config {
	c := tinyConfig()
	c.Tokens = tokens
	return c
}

// localBatch returns four prepared simulated datasets and their targets.
func localBatch(t *testing.T) ([]*prepared, []float64) {
	t.Helper()
	ex, _ := simulateExamples(newDefaultSimulator(t), layout{}, 3, 0, 4, widening{})
	return batchOf(ex, FlowDim)
}

// TestLocalTokensGradient checks the analytic gradient of the training
// loss, back-propagated through the flow and the summary into the local set
// transformer, against central differences (h = 1e-5, relative error
// < 1e-6) on one entry of each of its tensors, for local and concatenated
// tokens.
func TestLocalTokensGradient(t *testing.T) {
	preps, u := localBatch(t)
	for _, tokens := range []string{"local", "both"} {
		t.Run(tokens, func(t *testing.T) {
			m := New(localConfig(tokens), newRand(1))
			perturbWeights(m, 0.3)
			params := m.Params()
			nn.ZeroGrads(params)
			if _, err := m.nll(preps, u, true); err != nil {
				t.Fatal(err)
			}
			rng := newRand(9)
			for _, p := range params {
				// The local network's tensors and the summary's embedding,
				// which is where its tokens enter; the rest of the model is
				// the one of the default tokens, checked layer by layer in
				// npe/nn and npe/flow.
				if !strings.HasPrefix(p.Name, "local.") && !strings.HasPrefix(p.Name, "summary.embed") {
					continue
				}
				for k := 0; k < 1; k++ {
					i := rng.IntN(len(p.Value))
					v := p.Value[i]
					p.Value[i] = v + fdStep
					fp, _ := m.nll(preps, u, false)
					p.Value[i] = v - fdStep
					fm, _ := m.nll(preps, u, false)
					p.Value[i] = v
					fd := (fp - fm) / (2 * fdStep)
					if err := math.Abs(fd - p.Grad[i]); err > fdTol*math.Max(1, math.Abs(fd)) {
						t.Errorf("%s[%d]: analytic %.10g, finite difference %.10g", p.Name, i, p.Grad[i], fd)
					}
				}
			}
		})
	}
}

// fdStep and fdTol: central differences with h = 1e-5 have truncation
// error ≈ h² ≈ 1e-10 relative, far below the tolerance.
const (
	fdStep = 1e-5
	fdTol  = 1e-6
)

// TestLocalTokensInvariance checks that local tokens make the summary
// invariant to the order of the observations (the data permuted within and
// across groups gives the same log q to 1e-8: the sufficient statistics,
// and so the Laplace centre, are summed in another order) and that padding is ignored
// (a dataset's log q is the same alone and batched with datasets of larger
// groups, to 1e-10).
func TestLocalTokensInvariance(t *testing.T) {
	m := New(localConfig("local"), newRand(1))
	perturbWeights(m, 0.3)
	preps, u := localBatch(t)
	all := make([]float64, len(preps))
	m.logProb(all, preps, u)
	for i := range preps {
		one := make([]float64, 1)
		m.logProb(one, preps[i:i+1], u[i*FlowDim:(i+1)*FlowDim])
		if math.Abs(one[0]-all[i]) > 1e-10*(1+math.Abs(all[i])) {
			t.Errorf("dataset %d: log q %v alone, %v in a batch", i, one[0], all[i])
		}
	}

	smp := simSampleWith(t, 3, 2)
	d := smp.Design
	rev := *d
	rev.X, rev.Y, rev.G = make([]float64, len(d.X)), make([]float64, len(d.Y)), make([]int, len(d.G))
	n, p := d.N(), d.P()
	for i := 0; i < n; i++ {
		j := n - 1 - i
		rev.Y[j], rev.G[j] = d.Y[i], d.G[i]
		copy(rev.X[j*p:(j+1)*p], d.X[i*p:(i+1)*p])
	}
	a, err := prepare(d, smp.Prior, layout{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := prepare(&rev, smp.Prior, layout{})
	if err != nil {
		t.Fatal(err)
	}
	ua := make([]float64, FlowDim)
	for s := range ua {
		if a.mask[s] {
			ua[s] = 0.1 * float64(s)
		}
	}
	la, lb := make([]float64, 1), make([]float64, 1)
	m.logProb(la, []*prepared{a}, ua)
	m.logProb(lb, []*prepared{b}, ua)
	if math.Abs(la[0]-lb[0]) > 1e-8*(1+math.Abs(la[0])) {
		t.Errorf("log q %v, %v with the observations reversed", la[0], lb[0])
	}
}

// TestLocalTokensSaveLoad checks that a local-token model round-trips
// through Save and Load (same draws), and that a training pass does not
// allocate after warm-up.
func TestLocalTokensSaveLoad(t *testing.T) {
	m := New(localConfig("both"), newRand(1))
	perturbWeights(m, 0.3)
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		t.Fatal(err)
	}
	loaded, err := Load(&buf)
	if err != nil {
		t.Fatal(err)
	}
	sameDraws(t, m, loaded, 20)

	preps, u := localBatch(t)
	allocs := testing.AllocsPerRun(3, func() {
		if _, err := m.nll(preps, u, true); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per training pass with local tokens", allocs)
	}
}
