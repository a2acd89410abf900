package fit

import (
	"context"
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/metabeta-go/metabeta/diagnostics"
	"github.com/metabeta-go/metabeta/lmm"
	"github.com/metabeta-go/metabeta/lmm/frame"
	"github.com/metabeta-go/metabeta/sim"
)

const (
	sleepFormula    = "Reaction ~ Days + (1 + Days || Subject)"
	sleepCorFormula = "Reaction ~ Days + (Days | Subject)"
)

// loadSleepstudy returns lme4's sleepstudy and the prior of the rstan
// reference fit (testdata/reference/README.md).
func loadSleepstudy(t testing.TB) (*lmm.Design, lmm.Prior) {
	return loadSleepstudyAs(t, sleepFormula, "sleepstudy.prior.json")
}

// loadSleepstudyAs returns sleepstudy with the given formula and the prior
// of testdata/reference/<priorFile>.
func loadSleepstudyAs(t testing.TB, formula, priorFile string) (*lmm.Design, lmm.Prior) {
	t.Helper()
	root := filepath.Join("..", "testdata")
	d, err := frame.Load(filepath.Join(root, "datasets", "sleepstudy.csv"), formula)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(root, "reference", priorFile))
	if err != nil {
		t.Fatal(err)
	}
	pr, err := lmm.ParsePrior(raw, d)
	if err != nil {
		t.Fatal(err)
	}
	return d, pr
}

// rstanSummary reads testdata/reference/sleepstudy.summary.csv: rstan 2.21,
// 4 chains × 2000 draws, summarised by R's posterior package.
func rstanSummary(t *testing.T) map[string][2]float64 {
	return readRstanSummary(t, "sleepstudy.summary.csv")
}

// readRstanSummary reads the mean and SD of each variable of
// testdata/reference/<name>.
func readRstanSummary(t *testing.T, name string) map[string][2]float64 {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "testdata", "reference", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][2]float64{}
	for _, r := range rows[1:] {
		mean, _ := strconv.ParseFloat(r[1], 64)
		sd, _ := strconv.ParseFloat(r[2], 64)
		out[r[0]] = [2]float64{mean, sd}
	}
	return out
}

// TestSleepstudyAgainstRstan checks both targets against the rstan fit:
// posterior means within 0.1 reference SD and SDs within 10% (the hmc
// issue's acceptance bounds; the Monte Carlo error of either fit is about
// 0.02 SD for the means and 1.5% for the SDs at these ESS).
func TestSleepstudyAgainstRstan(t *testing.T) {
	d, pr := loadSleepstudy(t)
	ref := rstanSummary(t)
	// The reference names the SDs sd_<term>, without the group.
	for k, v := range ref {
		ref[strings.Replace(k, "sd_", "sd_Subject__", 1)] = v
	}
	checkNUTSAgainstRstan(t, d, pr, ref, 5)
}

// TestSleepstudyCorrelatedAgainstRstan checks both targets on
// Reaction ~ Days + (Days | Subject) against rstan's fit of lmm_cor.stan
// (testdata/reference/sleepstudy.cor.summary.csv: rstan 2.21, 4 chains ×
// 2000 draws, adapt_delta 0.95, LKJ(1) prior on the correlation; see
// testdata/reference/README.md). Bounds as for the uncorrelated model:
// means within 0.1 reference SD and SDs within 10%, against a Monte Carlo
// error of about 0.02 SD and 1.5–3% here (ESS 900–5000); the issue's
// acceptance bounds are 0.2 SD and 15%.
func TestSleepstudyCorrelatedAgainstRstan(t *testing.T) {
	d, pr := loadSleepstudyAs(t, sleepCorFormula, "sleepstudy.cor.prior.json")
	if !d.Correlated || d.NCor() != 1 || pr.LKJ != 1 {
		t.Fatalf("design correlated %t with %d correlations, LKJ %g; want true, 1 and the default 1", d.Correlated, d.NCor(), pr.LKJ)
	}
	checkNUTSAgainstRstan(t, d, pr, readRstanSummary(t, "sleepstudy.cor.summary.csv"), 6)
}

// checkNUTSAgainstRstan fits d with both targets (seed 7) and checks each
// of the nGlobal global parameters against ref (mean and SD by brms name):
// means within 0.1 reference SD, SDs within 10%, R̂ ≤ 1.01, no divergences.
func checkNUTSAgainstRstan(t *testing.T, d *lmm.Design, pr lmm.Prior, ref map[string][2]float64, nGlobal int) {
	t.Helper()
	for _, target := range []string{TargetCollapsed, TargetJoint} {
		t.Run(target, func(t *testing.T) {
			res, err := NUTS(context.Background(), d, pr, NUTSOptions{Target: target, Seed: 7})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Parameters) != nGlobal || len(res.RandomEffects) != d.M()*d.Q() {
				t.Fatalf("got %d parameters and %d random effects, want %d and %d", len(res.Parameters), len(res.RandomEffects), nGlobal, d.M()*d.Q())
			}
			for _, s := range res.Parameters {
				r, ok := ref[s.Name]
				if !ok {
					t.Fatalf("no reference for %s", s.Name)
				}
				if dm := math.Abs(float64(s.Mean)-r[0]) / r[1]; dm > 0.1 {
					t.Errorf("%s: mean %.4g, rstan %.4g: off by %.3f reference SD (> 0.1)", s.Name, s.Mean, r[0], dm)
				}
				if rel := math.Abs(float64(s.SD)/r[1] - 1); rel > 0.1 {
					t.Errorf("%s: sd %.4g, rstan %.4g: off by %.1f%% (> 10%%)", s.Name, s.SD, r[1], 100*rel)
				}
				if s.Rhat > 1.01 {
					t.Errorf("%s: R-hat %.4f", s.Name, s.Rhat)
				}
			}
			if res.Diagnostics.Divergences != 0 {
				t.Errorf("%d divergences", res.Diagnostics.Divergences)
			}
		})
	}
}

// TestJointAgreesWithCollapsed fits simulated datasets, correlated and
// uncorrelated, with both targets: the posterior means of every global
// parameter (correlations included) and random effect agree
// within 4 combined Monte Carlo standard errors (both are exact samplers of
// the same posterior).
func TestJointAgreesWithCollapsed(t *testing.T) {
	if testing.Short() {
		t.Skip("fits 2×3 posteriors")
	}
	cfg := sim.DefaultConfig()
	cfg.Groups = sim.IntRange{Min: 8, Max: 20}
	cfg.GroupSize = sim.IntRange{Min: 3, Max: 15}
	cfg.Fixed = sim.IntRange{Min: 2, Max: 3}
	cfg.Random = sim.IntRange{Min: 1, Max: 2}
	s, err := sim.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	correlated := 0
	defer func() {
		// The simulator correlates 80% of Q = 2 designs; on this seed
		// datasets 1 and 2 are (dataset 0 has Q = 1), so both kinds of
		// model are compared.
		if correlated == 0 {
			t.Error("no correlated dataset among the three: pick another seed")
		}
	}()
	for i := range 3 {
		smp, err := s.Sample(2024, i)
		if err != nil {
			t.Fatal(err)
		}
		if smp.Design.Correlated {
			correlated++
		}
		t.Logf("dataset %d: %s", i, smp.Design.Formula)
		opt := NUTSOptions{Seed: uint64(i + 1), TargetAccept: 0.95}
		col, err := NUTS(context.Background(), smp.Design, smp.Prior, opt)
		if err != nil {
			t.Fatal(err)
		}
		opt.Target = TargetJoint
		jnt, err := NUTS(context.Background(), smp.Design, smp.Prior, opt)
		if err != nil {
			t.Fatal(err)
		}
		if jnt.Diagnostics.Divergences > 0 {
			t.Logf("dataset %d: joint target had %d divergences", i, jnt.Diagnostics.Divergences)
		}
		for j, name := range col.Draws.Names {
			a, b := col.Draws.Column(j), jnt.Draws.Column(j)
			ma, mb := diagnostics.Summarize(a).Mean, diagnostics.Summarize(b).Mean
			se := math.Hypot(diagnostics.MCSEMean(a), diagnostics.MCSEMean(b))
			if math.Abs(ma-mb) > 4*se {
				t.Errorf("dataset %d, %s: collapsed mean %.4g, joint %.4g, |Δ| = %.2f combined MCSE", i, name, ma, mb, math.Abs(ma-mb)/se)
			}
		}
	}
}

func TestNUTSRejectsUnknownTarget(t *testing.T) {
	d, pr := loadSleepstudy(t)
	if _, err := NUTS(context.Background(), d, pr, NUTSOptions{Target: "centred"}); err == nil {
		t.Fatal("unknown target accepted")
	}
}

// TestNUTSDeterministic: the same seed gives the same draws, random effects
// included.
func TestNUTSDeterministic(t *testing.T) {
	d, pr := loadSleepstudy(t)
	opt := NUTSOptions{Chains: 2, Warmup: 150, Draws: 50, Seed: 3}
	a, err := NUTS(context.Background(), d, pr, opt)
	if err != nil {
		t.Fatal(err)
	}
	b, err := NUTS(context.Background(), d, pr, opt)
	if err != nil {
		t.Fatal(err)
	}
	for c := range a.Draws.Chains {
		for i, v := range a.Draws.Chains[c] {
			if b.Draws.Chains[c][i] != v {
				t.Fatalf("chain %d value %d differs: %v vs %v", c, i, v, b.Draws.Chains[c][i])
			}
		}
	}
}
