package validate

import (
	"math"
	"slices"
	"testing"

	"github.com/metabeta-go/metabeta/fit"
)

// TestSBCFamilies checks the family reading of Table 4 on hand-made
// groups: per method, the tests counted (groups of one rank and NaN
// p-values left out), the failures at 5%, the failures expected by chance
// (tests·5%), and Holm's rejections, the pooled group named as in Table 4.
// npe's four p-values are those of R's p.adjust(c(0.01, 0.04, 0.03,
// 0.005), "holm") = 0.03 0.06 0.06 0.02, of which two are below 5%.
func TestSBCFamilies(t *testing.T) {
	g := func(method, group string, n int, p float64) GroupResult {
		return GroupResult{Method: method, Group: group, N: n, BandP: fit.Num(p), BandPass: p > 0.05}
	}
	params := []GroupResult{
		g("npe", "b_x1", 300, 0.01), g("npe", "b_x2", 300, 0.04), g("npe", "sd_g__x1", 300, 0.03),
		g("npe", "b_x3", 1, math.NaN()), g("nuts", "b_x1", 300, 0.2), g("nuts", "b_x2", 300, 0.03),
	}
	kinds := []GroupResult{g("npe", "beta", 900, 0.005), g("nuts", "beta", 600, 0.5)}
	got := sbcFamilies([]string{"nuts", "npe", "laplace"}, params, kinds)
	if len(got) != 2 {
		t.Fatalf("%d families, want nuts and npe: %+v", len(got), got)
	}
	nuts, npe := got[0], got[1]
	if nuts.Method != "nuts" || nuts.Tests != 3 || nuts.Failed != 1 || math.Abs(nuts.Expected-0.15) > 1e-12 || len(nuts.Holm) != 0 {
		t.Errorf("nuts: %+v, want 3 tests, 1 failed, 0.15 expected, no Holm rejection (0.03 > 0.05/3)", nuts)
	}
	if npe.Method != "npe" || npe.Tests != 4 || npe.Failed != 4 || math.Abs(npe.Expected-0.2) > 1e-12 ||
		!slices.Equal(npe.Holm, []string{"b_x1", "all beta"}) {
		t.Errorf("npe: %+v, want 4 tests, 4 failed, 0.2 expected, Holm rejecting b_x1 and all beta", npe)
	}
}
