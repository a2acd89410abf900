package sim

import (
	"bytes"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/metabeta-go/metabeta/lmm"
)

func TestNewRejectsBadConfig(t *testing.T) {
	t.Parallel()
	if _, err := New(Config{}); err == nil {
		t.Error("New(Config{}) succeeded; the zero Config has empty ranges")
	}
	if _, err := New(DefaultConfig()); err != nil {
		t.Errorf("New(DefaultConfig()): %v", err)
	}
	cases := []struct {
		field  string
		mutate func(*Config)
	}{
		{"Fixed", func(c *Config) { c.Fixed = IntRange{0, 3} }},
		{"Random", func(c *Config) { c.Random = IntRange{2, 1} }},
		{"Groups", func(c *Config) { c.Groups = IntRange{10, 5} }},
		{"GroupSize", func(c *Config) { c.GroupSize = IntRange{0, 5} }},
		{"GroupSizeShape", func(c *Config) { c.GroupSizeShape = 0 }},
		{"MaxRows", func(c *Config) { c.MaxRows = 10 }},
		{"LKJEta", func(c *Config) { c.LKJEta = -1 }},
		{"RealFraction", func(c *Config) { c.RealFraction = 1.5 }},
		{"RealDesigns", func(c *Config) { c.RealFraction = 0.5 }},
		{"FamilyWeights", func(c *Config) { c.FamilyWeights = [NumFamilies]float64{} }},
		{"Nu", func(c *Config) { c.Nu = Range{1, -1} }},
		{"TauBeta", func(c *Config) { c.TauBeta = Range{0, 1} }},
		{"TauSigma", func(c *Config) { c.TauSigma = Range{math.NaN(), 1} }},
		{"NoiseDF", func(c *Config) { c.Misspec.NoiseDF = 2 }},
		{"EffectDF", func(c *Config) { c.Misspec.EffectDF = 1 }},
		{"Effects", func(c *Config) { c.Misspec.Effects = 7 }},
	}
	for _, tc := range cases {
		c := DefaultConfig()
		tc.mutate(&c)
		_, err := New(c)
		if err == nil || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%s: New error %v, want one naming the field", tc.field, err)
		}
	}
}

// TestDeterminism checks that (seed, index) fixes the output bytes, that
// the worker count does not matter, and that indices and seeds differ.
func TestDeterminism(t *testing.T) {
	t.Parallel()
	s := newSim(t, DefaultConfig())
	const n = 8
	serial := make([][]byte, 0, n)
	for smp, err := range s.All(7, n) {
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := WriteCSV(&b, smp); err != nil {
			t.Fatal(err)
		}
		if err := WriteTruthJSON(&b, smp); err != nil {
			t.Fatal(err)
		}
		serial = append(serial, b.Bytes())
	}
	if len(serial) != n {
		t.Fatalf("All yielded %d datasets, want %d", len(serial), n)
	}
	parallel := make([][]byte, n)
	var wg sync.WaitGroup
	for i := n - 1; i >= 0; i-- { // reverse order, concurrently
		wg.Go(func() {
			smp, err := s.Sample(7, i)
			if err != nil {
				t.Error(err)
				return
			}
			var b bytes.Buffer
			WriteCSV(&b, smp)
			WriteTruthJSON(&b, smp)
			parallel[i] = b.Bytes()
		})
	}
	wg.Wait()
	for i := range n {
		if !bytes.Equal(serial[i], parallel[i]) {
			t.Errorf("dataset %d differs between serial and concurrent draws", i)
		}
		if i > 0 && bytes.Equal(serial[i], serial[i-1]) {
			t.Errorf("datasets %d and %d are identical", i-1, i)
		}
	}
	var other bytes.Buffer
	WriteCSV(&other, draw(t, s, 8, 0))
	if bytes.HasPrefix(serial[0], other.Bytes()) {
		t.Error("seeds 7 and 8 give the same dataset 0")
	}
}

// TestSizesAndValidity draws many default datasets and checks every
// configured range, the design's consistency, contiguous groups and
// standardized predictors.
func TestSizesAndValidity(t *testing.T) {
	t.Parallel()
	c := DefaultConfig()
	s := newSim(t, c)
	count := 300
	if testing.Short() {
		count = 100
	}
	seenD := map[int]bool{}
	seenQ := map[int]bool{}
	var mMin, mMax = math.MaxInt, 0
	for smp, err := range s.All(1, count) {
		if err != nil {
			t.Fatal(err)
		}
		d := smp.Design
		if err := d.Validate(); err != nil {
			t.Fatalf("dataset %d: Validate: %v", smp.Index, err)
		}
		p, q, m, n := d.P(), d.Q(), d.M(), d.N()
		seenD[p], seenQ[q] = true, true
		mMin, mMax = min(mMin, m), max(mMax, m)
		if p < c.Fixed.Min || p > c.Fixed.Max || q < c.Random.Min || q > min(p, c.Random.Max) ||
			m < c.Groups.Min || m > c.Groups.Max || n > c.MaxRows {
			t.Errorf("dataset %d: d=%d q=%d m=%d N=%d outside the configured ranges", smp.Index, p, q, m, n)
		}
		for g, ng := range d.GroupSizes() {
			if ng < c.GroupSize.Min || ng > c.GroupSize.Max {
				t.Errorf("dataset %d: group %d has %d rows, outside %v", smp.Index, g, ng, c.GroupSize)
			}
		}
		if !slices.IsSorted(d.G) {
			t.Errorf("dataset %d: rows of a group are not contiguous", smp.Index)
		}
		checkInteraction(t, smp)
		if len(smp.Families) != mainEffects(smp)-1 || len(smp.RandomEffects) != m*q || len(smp.Prior.BetaMean) != p ||
			len(smp.Prior.SDScale) != q || len(smp.Truth.Beta) != p || len(smp.Truth.SigmaB) != q {
			t.Fatalf("dataset %d: lengths of Families, RandomEffects, Prior or Truth do not match the design", smp.Index)
		}
		if err := smp.Prior.Check(d); err != nil {
			t.Errorf("dataset %d: Prior.Check: %v", smp.Index, err)
		}
		if len(smp.Warnings) != 0 || smp.Attempts < 1 || smp.Source != SourceSynthetic || smp.RealDesign != -1 {
			t.Errorf("dataset %d: warnings %q, %d attempts, source %v, real design %d", smp.Index, smp.Warnings, smp.Attempts, smp.Source, smp.RealDesign)
		}
		checkStandardized(t, d, mainEffects(smp))
		for _, y := range d.Y {
			if math.IsNaN(y) || math.IsInf(y, 0) {
				t.Fatalf("dataset %d: non-finite response", smp.Index)
			}
		}
	}
	for v := c.Fixed.Min; v <= c.Fixed.Max; v++ {
		if !seenD[v] {
			t.Errorf("d = %d never drawn in %d datasets", v, count)
		}
	}
	for v := c.Random.Min; v <= c.Random.Max; v++ {
		if !seenQ[v] {
			t.Errorf("q = %d never drawn in %d datasets", v, count)
		}
	}
	// m is log-uniform on [5, 201): P(m < 10) = log(2)/log(40.2) ≈ 0.19 and
	// P(m ≥ 100) = log(2.01)/log(40.2) ≈ 0.19, so both tails are all but
	// certain to be hit.
	if mMin >= 10 || mMax < 100 {
		t.Errorf("m ranged over [%d, %d], want both tails of [5, 200] reached", mMin, mMax)
	}
}

// checkStandardized checks that every non-intercept column before column
// main (the interaction, if any) has sample mean 0 and sample SD 1, and
// that the intercept column is one.
func checkStandardized(t *testing.T, d *lmm.Design, main int) {
	t.Helper()
	p := d.P()
	for i := range d.N() {
		if d.X[i*p] != 1 {
			t.Fatalf("row %d: intercept column is %g", i, d.X[i*p])
		}
	}
	for j := 1; j < main; j++ {
		mean, sd := columnMoments(d.X[j:], p)
		if math.Abs(mean) > 1e-9 || math.Abs(sd-1) > 1e-9 {
			t.Errorf("column %d: mean %g, sd %g; want 0 and 1", j, mean, sd)
		}
	}
}

func TestFixedShapes(t *testing.T) {
	t.Parallel()
	c := DefaultConfig()
	c.Fixed = IntRange{3, 3}
	c.Random = IntRange{2, 2}
	c.Groups = IntRange{7, 7}
	c.GroupSize = IntRange{4, 4}
	for _, tc := range []struct {
		p    float64
		want string
	}{{0, "y ~ 1 + x1 + x2 + (1 + x1 || g)"}, {1, "y ~ 1 + x1 + x2 + (1 + x1 | g)"}} {
		c.CorrelatedQ2 = tc.p
		smp := draw(t, newSim(t, c), 3, 0)
		d := smp.Design
		if d.P() != 3 || d.Q() != 2 || d.M() != 7 || d.N() != 28 {
			t.Errorf("shape (d, q, m, N) = (%d, %d, %d, %d), want (3, 2, 7, 28)", d.P(), d.Q(), d.M(), d.N())
		}
		if d.Formula != tc.want || d.Correlated != (tc.p == 1) {
			t.Errorf("CorrelatedQ2 = %g: Formula = %q, Correlated = %v, want %q", tc.p, d.Formula, d.Correlated, tc.want)
		}
		if !slices.Equal(d.Random, []string{"Intercept", "x1"}) || !slices.Equal(d.Levels[:3], []string{"1", "2", "3"}) {
			t.Errorf("Random = %v, Levels = %v", d.Random, d.Levels)
		}
	}
}

// TestRandomNeverExceedsFixed checks q ≤ d when Random.Min > Fixed.Min.
func TestRandomNeverExceedsFixed(t *testing.T) {
	t.Parallel()
	c := DefaultConfig()
	c.Fixed = IntRange{1, 3}
	c.Random = IntRange{2, 3}
	for smp, err := range newSim(t, c).All(2, 60) {
		if err != nil {
			t.Fatal(err)
		}
		d := smp.Design
		if want := min(d.P(), 2); d.Q() > d.P() || d.Q() < want {
			t.Errorf("dataset %d: d=%d q=%d, want min(d, 2) ≤ q ≤ d", smp.Index, d.P(), d.Q())
		}
	}
}

func TestFormula(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		d          int
		random     []int
		pair       []int
		correlated bool
		want       string
	}{
		{1, nil, nil, false, "y ~ 1"},
		{1, []int{0}, nil, false, "y ~ 1 + (1 | g)"},
		{2, nil, nil, false, "y ~ 1 + x1"},
		{4, []int{0, 1, 2}, nil, false, "y ~ 1 + x1 + x2 + x3 + (1 + x1 + x2 || g)"},
		{4, []int{0, 1, 2}, nil, true, "y ~ 1 + x1 + x2 + x3 + (1 + x1 + x2 | g)"},
		{5, []int{0, 1, 4}, []int{1, 3}, true, "y ~ 1 + x1 + x2 + x3 + x1:x3 + (1 + x1 + x1:x3 | g)"},
	} {
		des := newDesign(tc.d, tc.random, tc.pair, []int{1}, make([]float64, tc.d))
		des.Correlated = tc.correlated
		if got := formula(des); got != tc.want {
			t.Errorf("d=%d random %v pair %v correlated %v: %q, want %q", tc.d, tc.random, tc.pair, tc.correlated, got, tc.want)
		}
	}
}

func TestCapRows(t *testing.T) {
	t.Parallel()
	sizes := []int{50, 30, 2, 20}
	capRows(sizes, []int{2, 2, 2, 2}, 51)
	// Proportional shrink by 51/102 gives 25, 15, 2 (clamped from 1), 10 =
	// 52; one row then comes off the largest group.
	if want := []int{24, 15, 2, 10}; !slices.Equal(sizes, want) {
		t.Errorf("capRows = %v, want %v", sizes, want)
	}
}
