//go:build replicates

package validate

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"github.com/metabeta-go/metabeta/fit"
	"github.com/metabeta-go/metabeta/lmm"
	"github.com/metabeta-go/metabeta/npe/estimator"
)

// TestRealReplicates refits posterior-predictive replicates of the real
// suite's designs with npe and NUTS: for each dataset, REPLICATES (20)
// responses simulated from the model at draws of its NUTS posterior, on
// its own predictors and groups, fitted by both under its reference prior.
// It prints, per dataset, how many replicates npe passes against NUTS
// (Table 5's criterion) and the mean signed (mean_npe − mean_NUTS)/sd_NUTS
// and log(sd_npe/sd_NUTS) per parameter. The responses follow the model,
// so npe's misses there are its own on that design, not a lack of fit of
// the data. MODEL names a weights file (default: the shipped model).
//
//	go test -tags replicates -run TestRealReplicates -v -timeout 30m ./validate/
func TestRealReplicates(t *testing.T) {
	path := os.Getenv("MODEL")
	if path == "" {
		path = "../testdata/models/default.mbw"
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	model, err := estimator.Load(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	reps := 20
	if s := os.Getenv("REPLICATES"); s != "" {
		if reps, err = strconv.Atoi(s); err != nil || reps < 1 {
			t.Fatalf("REPLICATES=%q", s)
		}
	}
	cfg := DefaultConfig(true, os.DirFS("../testdata"))
	if err := cfg.LoadReal(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	total, passed := 0, 0
	for k, rd := range cfg.Real {
		d, prior, err := cfg.loadReal(rd)
		if err != nil {
			t.Fatal(err)
		}
		if d.NCor() > 0 || len(model.CheckRange(d, prior).Reasons()) > 0 {
			continue // correlated effects (not simulated here), or outside npe's trained range
		}
		fitWith := func(d *lmm.Design, method string, seed uint64) *fit.Result {
			r, err := fit.Fit(ctx, d, prior, fit.Options{Method: method, Model: model,
				NUTS: fit.NUTSOptions{Chains: 4, Warmup: 1000, Draws: 1000, Seed: seed},
				NPE:  fit.NPEOptions{Draws: 4000, Seed: seed}})
			if err != nil {
				t.Fatalf("%s, %s: %v", rd.Name, method, err)
			}
			return r
		}
		ref := fitWith(d, fit.MethodNUTS, 1)
		P, Q := d.P(), d.Q()
		K, it := len(ref.Draws.Names), ref.Draws.Iterations()
		rng := rand.New(rand.NewPCG(uint64(k), 7))
		dm := make([]float64, len(ref.Parameters))
		ls := make([]float64, len(ref.Parameters))
		pass := 0
		for r := range reps {
			chain := ref.Draws.Chains[rng.IntN(len(ref.Draws.Chains))]
			i := rng.IntN(it)
			theta := chain[i*K : i*K+P+Q+1]
			rep := *d
			rep.Y = replicate(d, theta[:P], theta[P:P+Q], theta[P+Q], rng)
			a, b := fitWith(&rep, fit.MethodNUTS, uint64(r+2)), fitWith(&rep, fit.MethodNPE, uint64(r+2))
			ok := true
			for j := range ref.Parameters {
				x, y := a.Parameters[j], b.Parameters[j]
				if x.Name != y.Name {
					t.Fatalf("%s: parameter %s against %s", rd.Name, x.Name, y.Name)
				}
				e := (float64(y.Mean) - float64(x.Mean)) / float64(x.SD)
				s := float64(y.SD) / float64(x.SD)
				dm[j] += e / float64(reps)
				ls[j] += math.Log(s) / float64(reps)
				ok = ok && math.Abs(e) <= PassMeanSD && math.Abs(s-1) <= PassSDRel
			}
			if ok {
				pass++
			}
		}
		total += reps
		passed += pass
		fmt.Printf("%-13s %2d of %d pass; mean Δmean/sd, log sd ratio:", rd.Name, pass, reps)
		for j, p := range ref.Parameters {
			fmt.Printf("  %s %+.3f %+.3f", p.Name, dm[j], ls[j])
		}
		fmt.Println()
	}
	fmt.Printf("all: %d of %d replicates pass\n", passed, total)
}

// replicate returns a response simulated from the model with parameters β,
// σ_b (uncorrelated) and σ on d's predictors and groups.
func replicate(d *lmm.Design, beta, sigmaB []float64, sigma float64, rng *rand.Rand) []float64 {
	P, Q := d.P(), d.Q()
	b := make([]float64, d.M()*Q)
	for j := range b {
		b[j] = sigmaB[j%Q] * rng.NormFloat64()
	}
	y := make([]float64, d.N())
	for n := range y {
		x := d.X[n*P : (n+1)*P]
		v := sigma * rng.NormFloat64()
		for k, xk := range x {
			v += xk * beta[k]
		}
		for k, c := range d.RandomCol {
			v += x[c] * b[d.G[n]*Q+k]
		}
		y[n] = v
	}
	return y
}
