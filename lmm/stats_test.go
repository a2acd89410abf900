package lmm

import (
	"math/rand/v2"
	"testing"
)

// TestStatsMatchRows checks the sufficient statistics against their
// definitions, summed directly over explicitly centred rows: Xc = X − x̄
// (intercept column kept), Z = X[, RandomCol], ỹ = y − ȳ.
func TestStatsMatchRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 1))
	for _, c := range []designCase{{3, 2, true}, {2, 2, false}, {1, 0, true}} {
		t.Run(c.String(), func(t *testing.T) {
			d := randomDesign(rng, c, 25, 4)
			s := NewStats(d)
			n, p, q := d.N(), d.P(), d.Q()
			xbar, ybar := d.ColumnMeans(), 0.0
			if c.intercept {
				ybar = mean(d.Y)
			} else {
				clear(xbar)
			}
			check := func(name string, got, want float64) {
				t.Helper()
				if !closeRel(want, got, 1e-12) {
					t.Errorf("%s = %.15g, direct sum %.15g", name, got, want)
				}
			}
			yty := 0.0
			xtx, xty := make([]float64, p*p), make([]float64, p)
			ztx, zty, ztz := make([]float64, d.M()*q*p), make([]float64, d.M()*q), make([]float64, d.M()*q*q)
			groupN := make([]int, d.M())
			for i := 0; i < n; i++ {
				g := d.G[i]
				groupN[g]++
				y := d.Y[i] - ybar
				yty += y * y
				for a := 0; a < p; a++ {
					xa := d.X[i*p+a] - xbar[a]
					xty[a] += xa * y
					for b := 0; b < p; b++ {
						xtx[a*p+b] += xa * (d.X[i*p+b] - xbar[b])
					}
				}
				for a, ca := range d.RandomCol {
					za := d.X[i*p+ca]
					zty[g*q+a] += za * y
					for b, cb := range d.RandomCol {
						ztz[(g*q+a)*q+b] += za * d.X[i*p+cb]
					}
					for b := 0; b < p; b++ {
						ztx[(g*q+a)*p+b] += za * (d.X[i*p+b] - xbar[b])
					}
				}
			}
			check("YtY", s.YtY, yty)
			check("YShift", s.YShift, ybar)
			for i := range xtx {
				check("XtX", s.XtX[i], xtx[i])
			}
			for i := range xty {
				check("XtY", s.XtY[i], xty[i])
			}
			for i := range ztx {
				check("ZtX", s.ZtX[i], ztx[i])
			}
			for i := range zty {
				check("ZtY", s.ZtY[i], zty[i])
			}
			for i := range ztz {
				check("ZtZ", s.ZtZ[i], ztz[i])
			}
			for g := range groupN {
				if s.GroupN[g] != groupN[g] {
					t.Errorf("GroupN[%d] = %d, want %d", g, s.GroupN[g], groupN[g])
				}
			}
		})
	}
}
