package estimate

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestGroupFeatures compares the tokens with a direct two-pass computation
// per group (rows gathered, mean, then centred moments) on padded layouts,
// and checks the mask and the names.
func TestGroupFeatures(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 1))
	lay := FeatureLayout{MaxP: 5, MaxQ: 3}
	names := lay.Names()
	if len(names) != lay.Width() {
		t.Fatalf("%d names for width %d", len(names), lay.Width())
	}
	for _, c := range []struct{ p, q int }{{1, 1}, {2, 2}, {3, 1}, {5, 3}} {
		d := simulate(rng, c.p, c.q, 6, 5, randomTruth(rng, c.p, c.q))
		w := lay.Width()
		dst := make([]float64, d.M()*w)
		mask := make([]bool, w)
		lay.GroupFeatures(dst, mask, d)
		for g := 0; g < d.M(); g++ {
			var rows [][]float64 // v = [x_1..x_{p−1}, y]
			for i, gi := range d.G {
				if gi == g {
					rows = append(rows, append(append([]float64(nil), d.X[i*c.p+1:(i+1)*c.p]...), d.Y[i]))
				}
			}
			n := float64(len(rows))
			want := map[string]float64{"log_n": math.Log(n), "inv_sqrt_n": 1 / math.Sqrt(n), "random_intercept": 1}
			vname := func(a int) string {
				if a == c.p-1 {
					return "y"
				}
				return names[2+a][len("mean_"):]
			}
			mean := make([]float64, c.p)
			for _, r := range rows {
				for a, v := range r {
					mean[a] += v / n
				}
			}
			for a := range mean {
				want["mean_"+vname(a)] = mean[a]
				for b := a; b < c.p; b++ {
					s := 0.0
					for _, r := range rows {
						s += (r[a] - mean[a]) * (r[b] - mean[b])
					}
					want["cov_"+vname(a)+"_"+vname(b)] = s / n
				}
			}
			for k := 1; k < c.q; k++ {
				want["random_"+vname(k-1)] = 1
			}
			row := dst[g*w : (g+1)*w]
			for j, name := range names {
				// Same sums in a different order: rounding only.
				if math.Abs(row[j]-want[name]) > 1e-12*math.Max(1, math.Abs(want[name])) {
					t.Errorf("P=%d Q=%d group %d: %s = %.15g, want %.15g", c.p, c.q, g, name, row[j], want[name])
				}
				_, present := want[name]
				for a := 0; a < c.p-1; a++ {
					present = present || name == "random_"+vname(a)
				}
				if mask[j] != present {
					t.Errorf("P=%d Q=%d: mask[%s] = %v", c.p, c.q, name, mask[j])
				}
			}
		}
		if a := testing.AllocsPerRun(10, func() { lay.GroupFeatures(dst, mask, d) }); a != 0 {
			t.Errorf("GroupFeatures allocates %v times", a)
		}
	}
}
