package estimate

import (
	"bufio"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/metabeta-go/metabeta/lmm"
	"github.com/metabeta-go/metabeta/lmm/frame"
)

// loadSleepstudy reads the sleepstudy data (Belenky et al. 2003, as shipped
// with lme4) into the design of Reaction ~ Days + (Days || Subject).
func loadSleepstudy(t testing.TB) *lmm.Design {
	t.Helper()
	d, err := frame.Load("../../testdata/datasets/sleepstudy.csv", "Reaction ~ Days + (Days || Subject)")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// readReference parses a "tag name value" file written by an R script in
// testdata into a map keyed by "tag name" (or "name" for two fields).
func readReference(t testing.TB, path string) map[string]float64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ref := map[string]float64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) < 2 || strings.HasPrefix(fs[0], "#") {
			continue
		}
		v, err := strconv.ParseFloat(fs[len(fs)-1], 64)
		if err != nil {
			t.Fatalf("%s: %q: %v", path, sc.Text(), err)
		}
		ref[strings.Join(fs[:len(fs)-1], " ")] = v
	}
	return ref
}

// simulate draws a design with an intercept, p−1 standard-normal
// predictors (mean 1, so centring matters), random effects on the first q
// columns, m groups of sizes 2..2+spread and parameters pr (original β).
func simulate(rng *rand.Rand, p, q, m, spread int, pr lmm.Params) *lmm.Design {
	d := &lmm.Design{Response: "y", Group: "g", Intercept: true}
	for k := 0; k < p; k++ {
		name := "Intercept"
		if k > 0 {
			name = fmt.Sprintf("x%d", k)
		}
		d.Fixed = append(d.Fixed, name)
	}
	for k := 0; k < q; k++ {
		d.Random = append(d.Random, d.Fixed[k])
		d.RandomCol = append(d.RandomCol, k)
	}
	b := make([]float64, q)
	for g := 0; g < m; g++ {
		d.Levels = append(d.Levels, fmt.Sprintf("L%d", g))
		for k := range b {
			b[k] = pr.SigmaB[k] * rng.NormFloat64()
		}
		n := 2 + rng.IntN(spread+1)
		for i := 0; i < n; i++ {
			row := make([]float64, p)
			row[0] = 1
			for k := 1; k < p; k++ {
				row[k] = 1 + rng.NormFloat64()
			}
			y := pr.Sigma * rng.NormFloat64()
			for k, v := range row {
				y += v * pr.Beta[k]
			}
			for k, c := range d.RandomCol {
				y += row[c] * b[k]
			}
			d.X = append(d.X, row...)
			d.Y = append(d.Y, y)
			d.G = append(d.G, g)
		}
	}
	return d
}

// closeRel reports whether got agrees with want to tol relative to
// max(1e-300, |want|).
func closeRel(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*math.Max(math.Abs(want), 1e-300)
}
