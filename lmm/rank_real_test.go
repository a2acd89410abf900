package lmm_test

import (
	"testing"

	"github.com/metabeta-go/metabeta/lmm"
	"github.com/metabeta-go/metabeta/lmm/frame"
)

// TestCheckDesignRealData: the classic datasets of validate's real suite
// (formulas of validate.RealSuite) are of full rank, far below
// IllConditioned, with no random term deficient in every group. The bound
// of 10 is loose on purpose: measured κ are 1 (sleepstudy), 1.95
// (mathachieve), 3.83 (exam) and 1.21 (gcsemv).
func TestCheckDesignRealData(t *testing.T) {
	for _, tc := range []struct{ file, formula string }{
		{"sleepstudy", "Reaction ~ Days + (1 + Days || Subject)"},
		{"mathachieve", "MathAch ~ SES + Sex + Minority + MEANSES + (1 + SES || School)"},
		{"exam", "normexam ~ standLRT + sex + schgend + (1 + standLRT || school)"},
		{"gcsemv", "written ~ course + gender + (1 | school)"},
	} {
		d, err := frame.Load("../testdata/datasets/"+tc.file+".csv", tc.formula)
		if err != nil {
			t.Fatal(err)
		}
		c, err := lmm.CheckDesign(d)
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		if c.Rank != d.P() || c.Cond > 10 || len(c.Warnings) > 0 {
			t.Errorf("%s: rank %d of %d, κ %.3g, warnings %q; want full rank, κ < 10, none", tc.file, c.Rank, d.P(), c.Cond, c.Warnings)
		}
	}
}
