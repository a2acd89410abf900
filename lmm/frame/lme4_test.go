package frame

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
)

// lme4Case is one entry of testdata/r/describe.json, written by
// testdata/r/describe.R with lme4::lFormula (versions in the file).
type lme4Case struct {
	Dataset    string      `json:"dataset"`
	Formula    string      `json:"formula"`
	NObs       int         `json:"n_obs"`
	NDropped   int         `json:"n_dropped"`
	NGroups    int         `json:"n_groups"`
	LevelsHead []string    `json:"levels_head"`
	GroupSizes []float64   `json:"group_sizes"` // min, median, max
	Fixed      []string    `json:"fixed"`
	Random     []string    `json:"random"`
	XHead      [][]float64 `json:"x_head"`
}

// brmsName maps R's intercept name to the one this package uses.
func brmsName(names []string) []string {
	out := slices.Clone(names)
	for i, n := range out {
		if n == "(Intercept)" {
			out[i] = "Intercept"
		}
	}
	return out
}

func TestBuildMatchesLme4(t *testing.T) {
	raw, err := os.ReadFile("../../testdata/r/describe.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Versions string              `json:"versions"`
		Cases    map[string]lme4Case `json:"cases"`
	}
	if err := json.Unmarshal(raw, &ref); err != nil {
		t.Fatal(err)
	}
	if len(ref.Cases) < 8 {
		t.Fatalf("describe.json has %d cases, want 8", len(ref.Cases))
	}
	for name, want := range ref.Cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("..", "..", "testdata", "datasets", want.Dataset+".csv")
			d, err := Load(path, want.Formula)
			if err != nil {
				t.Fatal(err)
			}
			if d.N() != want.NObs || d.NDropped != want.NDropped || d.M() != want.NGroups {
				t.Errorf("N %d dropped %d groups %d; lme4 %d %d %d", d.N(), d.NDropped, d.M(), want.NObs, want.NDropped, want.NGroups)
			}
			if got := d.Levels[:len(want.LevelsHead)]; !slices.Equal(got, want.LevelsHead) {
				t.Errorf("first levels %q; lme4 %q", got, want.LevelsHead)
			}
			s := Describe(d)
			if got := []float64{float64(s.MinGroupSize), s.MedianGroupSize, float64(s.MaxGroupSize)}; !slices.Equal(got, want.GroupSizes) {
				t.Errorf("group sizes (min, median, max) %v; R %v", got, want.GroupSizes)
			}
			if wf := brmsName(want.Fixed); !slices.Equal(d.Fixed, wf) {
				t.Errorf("fixed %q; lme4 %q", d.Fixed, wf)
			}
			if wr := brmsName(want.Random); !slices.Equal(d.Random, wr) {
				t.Errorf("random %q; lme4 %q", d.Random, wr)
			}
			p := d.P()
			for i, row := range want.XHead {
				got := d.X[i*p : (i+1)*p]
				for k := range row {
					// The CSV decimals and R's 15-digit JSON output agree to
					// rounding of the last digit.
					if !scalar.EqualWithinAbsOrRel(got[k], row[k], 1e-14, 1e-14) {
						t.Errorf("X[%d,%d] = %v; lme4 %v", i, k, got[k], row[k])
					}
				}
			}
		})
	}
}
