package estimator

import (
	"bufio"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/metabeta-go/metabeta/lmm"
	"github.com/metabeta-go/metabeta/sim"
)

// TestImportanceWeightsMatchLoo checks the smoothing and normalization of
// ImportanceSample's weights against loo 2.5.1's psis() (normalized
// weights) on the log ratios of testdata/psis_reference.R (output in
// psis_reference.txt): a posterior whose LogQ is set so that
// log p(θ, y) − log q(θ) equals the reference ratios. Tolerance 1e-9: the
// algorithms agree up to summation order.
func TestImportanceWeightsMatchLoo(t *testing.T) {
	ref := readRef(t)
	d, pr := sleepstudy(t)
	m := New(tinyConfig(), newRand(1))
	post, err := m.Sample(d, pr, len(ref.lw), newRand(2))
	if err != nil {
		t.Fatal(err)
	}
	c := lmm.NewCollapsed(d, pr)
	for r := range post.LogQ {
		post.LogQ[r] = c.LogDensity(post.Theta[r*post.Dim:(r+1)*post.Dim]) - ref.lw[r]
	}
	is, err := ImportanceSample(d, pr, post, post.N, newRand(3))
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(is.KHat-ref.k) > 1e-9 {
		t.Errorf("k̂ = %.12g, loo %.12g", is.KHat, ref.k)
	}
	// The reference ratios come in tied pairs (x and −x), and the rounding
	// of log p − (log p − r) may order a pair either way, so the smoothed
	// weights are compared as sorted lists.
	got := slices.Clone(is.Weights)
	want := make([]float64, len(ref.want))
	for r, v := range ref.want {
		want[r] = math.Exp(v)
	}
	slices.Sort(got)
	slices.Sort(want)
	for r := range got {
		if math.Abs(got[r]-want[r]) > 1e-9*want[r] {
			t.Fatalf("weight %d in order: %.12g, loo %.12g", r, got[r], want[r])
		}
	}
}

// looReference is testdata/psis_reference.txt: loo's k̂, the raw log
// weights and loo's smoothed normalized log weights.
type looReference struct {
	k        float64
	lw, want []float64
}

func readRef(t *testing.T) looReference {
	t.Helper()
	f, err := os.Open("testdata/psis_reference.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var ref looReference
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		switch {
		case len(fields) == 0 || fields[0] == "#":
		case fields[0] == "khat":
			ref.k = parseFloat(t, fields[1])
		default:
			ref.lw = append(ref.lw, parseFloat(t, fields[0]))
			ref.want = append(ref.want, parseFloat(t, fields[1]))
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return ref
}

func parseFloat(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestImportanceLaplaceProposal checks the importance weights on a case
// where the proposal nearly equals the posterior: a dataset of 200 groups
// of 20 rows with one random intercept, whose posterior is close to its
// Laplace approximation (Bernstein–von Mises), used as q with its exact
// Gaussian log density. The weights are then nearly constant: k̂ well below
// the 0.5 of finite-variance weights and the ESS near n (bounds 0.3 and
// 0.8n, the orders for a skewness of O(1/√M) ≈ 0.07).
func TestImportanceLaplaceProposal(t *testing.T) {
	cfg := sim.DefaultConfig()
	cfg.Fixed, cfg.Random = sim.IntRange{Min: 2, Max: 2}, sim.IntRange{Min: 1, Max: 1}
	cfg.Groups, cfg.GroupSize = sim.IntRange{Min: 200, Max: 200}, sim.IntRange{Min: 20, Max: 20}
	cfg.MaxRows = 0
	s, err := sim.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	smp, err := s.Sample(11, 0)
	if err != nil {
		t.Fatal(err)
	}
	d, pr := smp.Design, smp.Prior
	post := laplacePosterior(t, d, pr, 4000)
	is, err := ImportanceSample(d, pr, post, post.N, newRand(8))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("k̂ = %.3f, ESS = %.0f of %d", is.KHat, is.ESS, post.N)
	if !(is.KHat < 0.3) || !(is.ESS > 0.8*float64(post.N)) || len(is.Warnings) != 0 {
		t.Errorf("k̂ = %v, ESS = %v, warnings %v", is.KHat, is.ESS, is.Warnings)
	}
	sum := 0.0
	for _, w := range is.Weights {
		sum += w
	}
	if math.Abs(sum-1) > 1e-12 {
		t.Errorf("weights sum to %v", sum)
	}
}

// laplacePosterior draws n times from the full-covariance Laplace
// approximation of the collapsed posterior (SampleLaplace), whose LogQ is
// the exact Gaussian log density.
func laplacePosterior(t *testing.T, d *lmm.Design, pr lmm.Prior, n int) *Posterior {
	t.Helper()
	post, err := SampleLaplace(d, pr, n, newRand(12))
	if err != nil {
		t.Fatal(err)
	}
	return post
}

// TestImportanceSampleNPE runs the npe-is path on sleepstudy with an
// untrained tiny model: the log weights are log p(θ, y) − log q(θ) of each
// draw (recomputed here), the weights are normalized and the resampled draws
// are among the original ones.
func TestImportanceSampleNPE(t *testing.T) {
	m := New(tinyConfig(), newRand(1))
	d, pr := sleepstudy(t)
	post, err := m.Sample(d, pr, 500, newRand(2))
	if err != nil {
		t.Fatal(err)
	}
	is, err := ImportanceSample(d, pr, post, post.N, newRand(3))
	if err != nil {
		t.Fatal(err)
	}
	c := lmm.NewCollapsed(d, pr)
	for r := 0; r < post.N; r++ {
		want := c.LogDensity(post.Theta[r*post.Dim:(r+1)*post.Dim]) - post.LogQ[r]
		if is.LogWeights[r] != want {
			t.Fatalf("log weight %d: %v, want %v", r, is.LogWeights[r], want)
		}
	}
	orig := map[float64]bool{}
	for _, v := range post.LogQ {
		orig[v] = true
	}
	for _, v := range is.Resampled.LogQ {
		if !orig[v] {
			t.Fatalf("resampled draw with log q %v is not an original draw", v)
		}
	}
	t.Logf("untrained model: k̂ = %.2f, ESS = %.1f, warnings %v", is.KHat, is.ESS, is.Warnings)
}
