package sim

import (
	"bytes"
	"encoding/csv"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/metabeta-go/metabeta/lmm"
)

// TestInteractionShare draws 2000 default datasets with d ∈ {4, 5, 6} and
// checks: the share with an interaction against Interaction = 0.25 within
// 4 binomial SEs (a product of two continuous synthetic columns is never
// rejected, so every draw that asks for one gets one); P ≤ Fixed.Max; the
// product column equals the product and is named "xa:xb"; its prior SD
// times its sample SD lies in TauBeta (standardized units); the formula
// names it; the CSV leaves it out; and, among the datasets whose q allows
// it (2 ≤ q < P), the share with the product as a random slope against
// InteractionRandom = 0.5 (4 binomial SEs).
func TestInteractionShare(t *testing.T) {
	t.Parallel()
	c := tinyConfig()
	c.Fixed = IntRange{4, 6}
	c.Random = IntRange{0, 3}
	var withInter, eligible, randomInter, n int
	for smp, err := range newSim(t, c).All(41, 2000) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		d := smp.Design
		p := d.P()
		if p > c.Fixed.Max {
			t.Fatalf("dataset %d: P = %d > Fixed.Max", smp.Index, p)
		}
		checkInteraction(t, smp)
		if smp.Interaction == nil {
			if strings.Contains(d.Formula, ":") {
				t.Fatalf("dataset %d: formula %q without an interaction", smp.Index, d.Formula)
			}
			continue
		}
		withInter++
		// The product's prior is in standardized units, as the others'.
		_, sd := columnMoments(d.X[p-1:], p)
		if tau := smp.Prior.BetaSD[p-1] * sd; tau < c.TauBeta.Min*(1-1e-12) || tau > c.TauBeta.Max*(1+1e-12) {
			t.Fatalf("dataset %d: prior SD of the product %g in standardized units, outside TauBeta %v", smp.Index, tau, c.TauBeta)
		}
		name := d.Fixed[p-1]
		if !strings.Contains(d.Formula, " + "+name) {
			t.Fatalf("dataset %d: formula %q does not name %s", smp.Index, d.Formula, name)
		}
		var b bytes.Buffer
		if err := WriteCSV(&b, smp); err != nil {
			t.Fatal(err)
		}
		header, _ := csv.NewReader(&b).Read()
		if slices.Contains(header, name) || len(header) != p {
			t.Fatalf("dataset %d: CSV header %v with P = %d, want the main effects only", smp.Index, header, p)
		}
		if q := d.Q(); q >= 2 && q < p {
			eligible++
			if d.RandomCol[q-1] == p-1 {
				randomInter++
			}
		}
	}
	for _, tc := range []struct {
		name    string
		got, of int
		want    float64
	}{{"interaction", withInter, n, c.Interaction}, {"random interaction", randomInter, eligible, c.InteractionRandom}} {
		share := float64(tc.got) / float64(tc.of)
		if se := math.Sqrt(tc.want * (1 - tc.want) / float64(tc.of)); !(math.Abs(share-tc.want) < 4*se) {
			t.Errorf("%s: %d of %d (%.3f), want %.2f ± 4·%.3f", tc.name, tc.got, tc.of, share, tc.want, se)
		}
	}
}

// TestInteractionSources draws 600 datasets of the training mix with d ≥ 4
// and checks, for every source, that interactions occur, equal their
// products, keep the prior in standardized units (checkMixedSample), and
// that a random slope falls on the product only when it varies within
// groups; and that longitudinal designs mostly multiply time (x1).
func TestInteractionSources(t *testing.T) {
	t.Parallel()
	c, err := TrainingMix(realFS)
	if err != nil {
		t.Fatal(err)
	}
	c.Fixed = IntRange{4, 6}
	c.Interaction = 1
	var (
		by, randomBy [NumSources]int
		time, long   int
	)
	for smp, err := range newSim(t, c).All(43, 600) {
		if err != nil {
			t.Fatal(err)
		}
		if smp.Source == SourceSynthetic {
			checkInteraction(t, smp)
			checkStandardized(t, smp.Design, mainEffects(smp))
		} else {
			checkMixedSample(t, &c, smp)
		}
		if smp.Interaction == nil {
			continue
		}
		by[smp.Source]++
		d := smp.Design
		if slices.Contains(d.RandomCol, d.P()-1) {
			randomBy[smp.Source]++
		}
		if smp.Source == SourceLongitudinal {
			long++
			if smp.Interaction[0] == 1 {
				time++
			}
		}
		theta := lmm.NewStats(d).Theta(make([]float64, d.Dim()), smp.Truth)
		for _, v := range theta {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("dataset %d (%v, %s): θ = %v", smp.Index, smp.Source, d.Formula, theta)
			}
		}
	}
	t.Logf("interactions by source %v, as random slopes %v; longitudinal with time %d of %d", by, randomBy, time, long)
	if slices.Contains(by[:], 0) || sum(randomBy[:]) == 0 {
		t.Errorf("interactions by source %v, random %v: want every source and some random slopes", by, randomBy)
	}
	// Time is preferred with probability 0.75, and is also in a third to
	// all of the other pairs, so well over half of the products use it.
	if 2*time <= long {
		t.Errorf("longitudinal products with time: %d of %d, want most", time, long)
	}
}

// TestInteractionRejectsDependentProducts checks residualShare and
// addInteraction on products that would make X singular: two dummies never
// both 1 (product all zero) and a dummy nested in another (product equal
// to it); only the third pair is usable.
func TestInteractionRejectsDependentProducts(t *testing.T) {
	t.Parallel()
	// Columns: intercept, dummies a, b and c with b = 1 only where a = 1
	// and c = 1 only where a = b = 0, and a continuous x4.
	rows := [][]float64{
		{1, 1, 1, 0, 0.3},
		{1, 1, 0, 0, -1.2},
		{1, 0, 0, 1, 0.7},
		{1, 0, 0, 1, 2.1},
		{1, 1, 1, 0, -0.4},
		{1, 0, 0, 0, 1.5},
	}
	x := slices.Concat(rows...)
	const d = 5
	// a·b = b and a·c = 0 and b·c = 0 are unusable; a·x4, b·x4, c·x4 are fine.
	for trial := range 20 {
		out, pair := addInteraction(Stream(5, trial), x, d, 0)
		if pair == nil {
			t.Fatal("no interaction found, want one with x4")
		}
		if pair[1] != 4 || len(out) != len(rows)*(d+1) {
			t.Fatalf("pair %v, want one with column 4", pair)
		}
	}
	// Only dependent pairs: drop x4.
	var y []float64
	for _, r := range rows {
		y = append(y, r[:4]...)
	}
	if out, pair := addInteraction(Stream(5, 0), y, 4, 0); pair != nil || len(out) != len(y) {
		t.Errorf("pair %v from dependent columns, want none", pair)
	}
}
