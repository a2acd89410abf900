package psis

import (
	"bufio"
	"encoding/csv"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
)

// looCase is one log-ratio vector with loo's output.
type looCase struct {
	logRatios, logWeights []float64
	k, nEff               float64
}

// readLoo loads testdata/loo_logratios.csv and testdata/loo_summary.txt,
// written by testdata/loo_reference.R (loo 2.5.1, R 4.2.2).
func readLoo(t *testing.T) map[string]*looCase {
	t.Helper()
	f, err := os.Open("testdata/loo_logratios.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]*looCase{}
	for _, r := range recs[1:] {
		c := cases[r[0]]
		if c == nil {
			c = &looCase{}
			cases[r[0]] = c
		}
		c.logRatios = append(c.logRatios, parse(t, r[1]))
		c.logWeights = append(c.logWeights, parse(t, r[2]))
	}
	g, err := os.Open("testdata/loo_summary.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	sc := bufio.NewScanner(g)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) != 3 || strings.HasPrefix(fs[0], "#") {
			continue
		}
		switch fs[1] {
		case "k":
			cases[fs[0]].k = parse(t, fs[2])
		case "n_eff":
			cases[fs[0]].nEff = parse(t, fs[2])
		}
	}
	return cases
}

func parse(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestMatchesLoo compares k̂, the smoothed log-weights and the ESS with
// loo::psis(r_eff = 1) on the vectors of testdata/loo_reference.R.
func TestMatchesLoo(t *testing.T) {
	cases := readLoo(t)
	if len(cases) != 5 {
		t.Fatalf("read %d cases, want 5", len(cases))
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			lw, res := Smooth(c.logRatios)
			// Both compute the same closed-form expressions in double
			// precision; differences come from summation order only.
			const tol = 1e-9
			if !(math.IsInf(c.k, 1) && math.IsInf(res.K, 1)) && math.Abs(res.K-c.k) > tol {
				t.Errorf("k̂ = %.15g, loo %.15g", res.K, c.k)
			}
			worst := 0.0
			for i, v := range lw {
				worst = math.Max(worst, math.Abs(v-c.logWeights[i])/math.Max(1, math.Abs(v)))
			}
			if worst > tol {
				t.Errorf("log-weights differ from loo's by up to %.3g", worst)
			}
			if math.Abs(res.ESS-c.nEff) > tol*c.nEff {
				t.Errorf("ESS = %.15g, loo n_eff %.15g", res.ESS, c.nEff)
			}
			wantWarn := !(c.k <= Threshold(len(c.logRatios)))
			if (len(res.Warnings) > 0) != wantWarn {
				t.Errorf("warnings %q with k̂ = %.3g, threshold %.3g", res.Warnings, res.K, res.Threshold)
			}
			t.Logf("S=%d k̂=%.4f (loo %+.2g) ESS=%.1f, max log-weight difference %.2g", len(lw), res.K, res.K-c.k, res.ESS, worst)
		})
	}
}

// TestParetoTail checks k̂ on log-ratios whose weights are exactly
// GPD(ξ, 1) (a Pareto tail with shape ξ): over R independent replicates
// the mean k̂ matches ξ shrunk by the weakly informative prior,
// (Mξ + 10·½)/(M + 10) (Vehtari et al. 2024, App. C), within 4 Monte Carlo
// standard errors sd/√R.
func TestParetoTail(t *testing.T) {
	const s, reps = 10000, 40
	if testing.Short() {
		t.Skip("sweep of 40 × 10000 draws")
	}
	rng := rand.New(rand.NewPCG(3, 1))
	sm := NewSmoother(s)
	lr := make([]float64, s)
	lw := make([]float64, s)
	m := float64(TailLen(s))
	for _, xi := range []float64{0.3, 0.5, 0.8} {
		sum, sum2 := 0.0, 0.0
		for range reps {
			for i := range lr {
				u := 1 - rng.Float64() // (0, 1]
				lr[i] = math.Log(math.Expm1(-xi*math.Log(u)) / xi)
			}
			k := sm.Smooth(lw, lr).K
			sum += k
			sum2 += k * k
		}
		mean := sum / reps
		sd := math.Sqrt((sum2 - reps*mean*mean) / (reps - 1))
		want := (m*xi + wipStrength*0.5) / (m + wipStrength)
		if mcse := sd / math.Sqrt(reps); math.Abs(mean-want) > 4*mcse {
			t.Errorf("ξ=%.1f: mean k̂ %.4f, want %.4f ± 4·%.4f", xi, mean, want, mcse)
		}
	}
}

// TestSmoothInPlaceNoAlloc checks that Smooth may overwrite its input and
// does not allocate on a well-behaved vector.
func TestSmoothInPlaceNoAlloc(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 1))
	const s = 1000
	lr := make([]float64, s)
	for i := range lr {
		x := 0.8 * rng.NormFloat64()
		lr[i] = -0.5*x*x + 0.5*x*x/0.64 // N(0,1) target, N(0, 0.8²) proposal, up to a constant
	}
	want, _ := Smooth(lr)
	sm := NewSmoother(s)
	buf := append([]float64(nil), lr...)
	sm.Smooth(buf, buf)
	for i := range buf {
		if buf[i] != want[i] {
			t.Fatalf("in-place result differs at %d", i)
		}
	}
	dst := make([]float64, s)
	if a := testing.AllocsPerRun(10, func() { sm.Smooth(dst, lr) }); a != 0 {
		t.Errorf("Smooth allocates %v times", a)
	}
}

// TestNormalize checks that normalized weights sum to one and that ESS of
// equal weights is S (closed form).
func TestNormalize(t *testing.T) {
	lw := []float64{-1000, -1000, -1000, -1000}
	w := Normalize(make([]float64, 4), lw)
	for _, v := range w {
		if math.Abs(v-0.25) > 1e-15 {
			t.Errorf("weight %v, want 0.25", v)
		}
	}
	if e := ESS(lw); math.Abs(e-4) > 1e-12 {
		t.Errorf("ESS = %v, want 4", e)
	}
}

// TestDegenerate checks the non-finite inputs.
func TestDegenerate(t *testing.T) {
	lr := make([]float64, 100)
	lr[3] = math.NaN()
	if _, r := Smooth(lr); !math.IsInf(r.K, 1) || len(r.Warnings) == 0 {
		t.Errorf("NaN input: k̂ %v, warnings %q", r.K, r.Warnings)
	}
	lr[3] = 0
	if _, r := Smooth(lr); len(r.Warnings) == 0 {
		t.Errorf("equal log-ratios: no warning (k̂ %v)", r.K)
	}
}
