package sim

import (
	"math"
	"testing"
)

// newSim returns a simulator for cfg or fails the test.
func newSim(t testing.TB, cfg Config) *Simulator {
	t.Helper()
	s, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

// draw returns dataset i under seed or fails the test.
func draw(t testing.TB, s *Simulator, seed uint64, i int) *Sample {
	t.Helper()
	smp, err := s.Sample(seed, i)
	if err != nil {
		t.Fatalf("Sample(%d, %d): %v", seed, i, err)
	}
	return smp
}

// moments accumulates the sample mean and variance of a stream of values.
type moments struct {
	n        int
	sum, ss  float64
	min, max float64
}

func (m *moments) add(x float64) {
	if m.n == 0 || x < m.min {
		m.min = x
	}
	if m.n == 0 || x > m.max {
		m.max = x
	}
	m.n++
	m.sum += x
	m.ss += x * x
}

func (m *moments) mean() float64 { return m.sum / float64(m.n) }

func (m *moments) sd() float64 {
	mu := m.mean()
	return math.Sqrt((m.ss - float64(m.n)*mu*mu) / float64(m.n-1))
}

// mcse is the Monte Carlo standard error of the mean of independent draws.
func (m *moments) mcse() float64 { return m.sd() / math.Sqrt(float64(m.n)) }

// checkMean fails unless |mean − want| < 4·MCSE, with the MCSE estimated
// from the draws themselves.
func checkMean(t *testing.T, name string, m *moments, want float64) {
	t.Helper()
	checkMeanSE(t, name, m, want, m.mcse())
}

// checkMeanSE fails unless |mean − want| < 4·se.
func checkMeanSE(t *testing.T, name string, m *moments, want, se float64) {
	t.Helper()
	if got := m.mean(); !(math.Abs(got-want) < 4*se) {
		t.Errorf("%s: mean %.5g over %d draws, want %.5g ± 4·%.3g", name, got, m.n, want, se)
	}
}

// tinyConfig is a cheap configuration for the many-dataset Monte Carlo
// checks: d = 2 fixed effects, q = 1, 5 groups of 2 rows.
func tinyConfig() Config {
	c := DefaultConfig()
	c.Fixed = IntRange{2, 2}
	c.Random = IntRange{1, 1}
	c.Groups = IntRange{5, 5}
	c.GroupSize = IntRange{2, 2}
	return c
}

// mainEffects returns the number of columns of smp's X before its
// interaction column: P, or P−1 with an interaction.
func mainEffects(smp *Sample) int {
	if smp.Interaction != nil {
		return smp.Design.P() - 1
	}
	return smp.Design.P()
}

// checkInteraction fails unless smp's interaction, if any, is two columns
// 1 ≤ a < b < P−1 whose product is exactly the last column, named "xa:xb".
func checkInteraction(t *testing.T, smp *Sample) {
	t.Helper()
	if smp.Interaction == nil {
		return
	}
	d := smp.Design
	p := d.P()
	a, b := smp.Interaction[0], smp.Interaction[1]
	if len(smp.Interaction) != 2 || a < 1 || a >= b || b >= p-1 {
		t.Fatalf("dataset %d: interaction %v with P = %d", smp.Index, smp.Interaction, p)
	}
	if want := d.Fixed[a] + ":" + d.Fixed[b]; d.Fixed[p-1] != want {
		t.Fatalf("dataset %d: interaction column named %q, want %q", smp.Index, d.Fixed[p-1], want)
	}
	for i := range d.N() {
		row := d.X[i*p : (i+1)*p]
		if row[p-1] != row[a]*row[b] {
			t.Fatalf("dataset %d row %d: %s = %g, want %g·%g", smp.Index, i, d.Fixed[p-1], row[p-1], row[a], row[b])
		}
	}
}
