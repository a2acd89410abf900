package sim

import (
	"encoding/csv"
	"errors"
	"math"
	"os"
	"slices"
	"strconv"
	"testing"

	"github.com/metabeta-go/metabeta/lmm"
)

// sourceDesign returns a hand-made real design with 12 groups of 1 to 12
// rows, interleaved, and four predictors whose values identify the row and
// the column: X[i, j] = 1000·j + i + (i mod 3)², so a subsample can be
// traced back exactly.
func sourceDesign() *lmm.Design {
	const m, p = 12, 5
	d := &lmm.Design{
		Response: "resp", Group: "subject", Intercept: true,
		Fixed:     []string{"Intercept", "a", "b", "c", "e"},
		Random:    []string{"Intercept"},
		RandomCol: []int{0},
	}
	for g := range m {
		d.Levels = append(d.Levels, "s"+strconv.Itoa(g))
	}
	i := 0
	for round := range m { // interleave the groups: group g gets g+1 rows
		for g := range m {
			if g < round {
				continue
			}
			d.G = append(d.G, g)
			d.Y = append(d.Y, 0)
			d.X = append(d.X, 1)
			for j := 1; j < p; j++ {
				d.X = append(d.X, float64(1000*j+i+(i%3)*(i%3)))
			}
			i++
		}
	}
	return d
}

// TestRealDesignSource checks the subsample: rows of an output group come
// from one source group, in source order; distinct output groups come from
// distinct source groups; and every predictor equals the standardized
// source column on the rows used.
func TestRealDesignSource(t *testing.T) {
	t.Parallel()
	src := sourceDesign()
	if err := src.Validate(); err != nil {
		t.Fatal(err)
	}
	c := DefaultConfig()
	c.RealFraction = 1
	c.RealDesigns = []*lmm.Design{src}
	c.Groups = IntRange{5, 40}
	for smp, err := range newSim(t, c).All(4, 60) {
		if err != nil {
			t.Fatal(err)
		}
		if d := smp.Design; d.M() < min(c.Groups.Min, src.M()) {
			t.Errorf("dataset %d: %d groups, want at least %d", smp.Index, d.M(), c.Groups.Min)
		}
		checkRealSample(t, src, smp)
	}
}

// TestRealDesignSleepstudy subsamples lme4's sleepstudy (18 subjects × 10
// days; ../testdata/datasets/sleepstudy.csv), read here without package
// frame: Reaction ~ Days with groups Subject.
func TestRealDesignSleepstudy(t *testing.T) {
	t.Parallel()
	src := readSleepstudy(t)
	c := DefaultConfig()
	c.RealFraction = 1
	c.RealDesigns = []*lmm.Design{src}
	for smp, err := range newSim(t, c).All(3, 40) {
		if err != nil {
			t.Fatal(err)
		}
		if d := smp.Design; d.P() > 2 || d.M() > 18 || d.N() > 180 {
			t.Fatalf("dataset %d: P=%d M=%d N=%d exceed sleepstudy's 2, 18, 180", smp.Index, d.P(), d.M(), d.N())
		}
		checkRealSample(t, src, smp)
	}
}

// readSleepstudy builds the design Reaction ~ Days, groups Subject.
func readSleepstudy(t *testing.T) *lmm.Design {
	t.Helper()
	f, err := os.Open("../testdata/datasets/sleepstudy.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	d := &lmm.Design{
		Response: "Reaction", Group: "Subject", Intercept: true,
		Fixed: []string{"Intercept", "Days"}, Random: []string{"Intercept", "Days"}, RandomCol: []int{0, 1},
	}
	level := map[string]int{}
	for _, rec := range recs[1:] {
		y, err1 := strconv.ParseFloat(rec[0], 64)
		x, err2 := strconv.ParseFloat(rec[1], 64)
		if err := errors.Join(err1, err2); err != nil {
			t.Fatal(err)
		}
		g, ok := level[rec[2]]
		if !ok {
			g = len(d.Levels)
			level[rec[2]] = g
			d.Levels = append(d.Levels, rec[2])
		}
		d.Y, d.X, d.G = append(d.Y, y), append(d.X, 1, x), append(d.G, g)
	}
	if err := d.Validate(); err != nil || d.N() != 180 || d.M() != 18 {
		t.Fatalf("sleepstudy: N=%d M=%d, Validate: %v", d.N(), d.M(), err)
	}
	return d
}

// checkRealSample checks a real-source sample against its source design.
func checkRealSample(t *testing.T, src *lmm.Design, smp *Sample) {
	t.Helper()
	sp := src.P()
	d := smp.Design
	if err := d.Validate(); err != nil {
		t.Fatalf("dataset %d: %v", smp.Index, err)
	}
	if smp.Source != SourceReal || smp.RealDesign != 0 || smp.Families != nil {
		t.Fatalf("dataset %d: Source %v, RealDesign %d, Families %v", smp.Index, smp.Source, smp.RealDesign, smp.Families)
	}
	checkInteraction(t, smp)
	if len(smp.SourceRows) != d.N() || len(smp.SourceCols) != mainEffects(smp)-1 || d.M() > src.M() {
		t.Fatalf("dataset %d: %d source rows for N=%d, %d source columns for P=%d, M=%d",
			smp.Index, len(smp.SourceRows), d.N(), len(smp.SourceCols), d.P(), d.M())
	}
	srcGroup := make([]int, d.M())
	for g := range srcGroup {
		srcGroup[g] = -1
	}
	for r, i := range smp.SourceRows {
		g := d.G[r]
		switch {
		case srcGroup[g] == -1:
			srcGroup[g] = src.G[i]
		case srcGroup[g] != src.G[i]:
			t.Fatalf("dataset %d: output group %d mixes source groups", smp.Index, g)
		}
		if r > 0 && d.G[r-1] == g && smp.SourceRows[r-1] >= i {
			t.Fatalf("dataset %d: rows of group %d are not in source order", smp.Index, g)
		}
	}
	if s := slices.Clone(srcGroup); len(slices.Compact(slices.Sorted(slices.Values(s)))) != len(s) {
		t.Fatalf("dataset %d: two output groups share a source group: %v", smp.Index, srcGroup)
	}
	if !slices.IsSorted(d.G) {
		t.Fatalf("dataset %d: groups are not contiguous", smp.Index)
	}
	seen := map[int]bool{}
	for k, j := range smp.SourceCols {
		if j == 0 || seen[j] {
			t.Fatalf("dataset %d: source columns %v", smp.Index, smp.SourceCols)
		}
		seen[j] = true
		vals := make([]float64, d.N())
		for r, i := range smp.SourceRows {
			vals[r] = src.X[i*sp+j]
		}
		mean, sd := columnMoments(vals, 1)
		for r := range vals {
			want := (vals[r] - mean) / sd
			if got := d.X[r*d.P()+1+k]; math.Abs(got-want) > 1e-12 {
				t.Fatalf("dataset %d: x%d row %d = %g, want standardized source %g", smp.Index, k+1, r, got, want)
			}
		}
	}
	checkStandardized(t, d, mainEffects(smp))
}

// TestRealFractionMixes checks that RealFraction = ½ gives both sources.
func TestRealFractionMixes(t *testing.T) {
	t.Parallel()
	c := DefaultConfig()
	c.RealFraction = 0.5
	c.RealDesigns = []*lmm.Design{sourceDesign()}
	var n [2]int
	for smp, err := range newSim(t, c).All(2, 40) {
		if err != nil {
			t.Fatal(err)
		}
		n[smp.Source]++
	}
	// P(all 40 from one source) = 2·2⁻⁴⁰.
	if n[0] == 0 || n[1] == 0 {
		t.Errorf("sources drawn %v times, want both", n)
	}
}
