package estimate

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/metabeta-go/metabeta/lmm"
	"gonum.org/v1/gonum/mat"
)

// denseLSDV returns the residual sum of squares and rank of the least
// squares fit of y on [X, blockdiag Z_g] by the SVD of the dense N×(P+M·Q)
// matrix (gonum mat.SVD, rank at relative singular value 1e-10).
func denseLSDV(t *testing.T, d *lmm.Design) (float64, int) {
	t.Helper()
	n, p, q, m := d.N(), d.P(), d.Q(), d.M()
	a := mat.NewDense(n, p+m*q, nil)
	for i := 0; i < n; i++ {
		for k := 0; k < p; k++ {
			a.Set(i, k, d.X[i*p+k])
		}
		for k, c := range d.RandomCol {
			a.Set(i, p+d.G[i]*q+k, d.X[i*p+c])
		}
	}
	var svd mat.SVD
	if !svd.Factorize(a, mat.SVDThin) {
		t.Fatal("SVD failed")
	}
	rank := svd.Rank(1e-10)
	var coef mat.Dense
	svd.SolveTo(&coef, mat.NewDense(n, 1, d.Y), rank)
	var fit mat.Dense
	fit.Mul(a, &coef)
	rss := 0.0
	for i, y := range d.Y {
		e := y - fit.At(i, 0)
		rss += e * e
	}
	return rss, rank
}

// TestWithinMatchesDense compares the LSDV residual sum of squares and rank
// with a dense SVD least-squares fit, on designs with singleton groups,
// groups with n_g ≤ Q and a predictor constant within groups.
func TestWithinMatchesDense(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 1))
	for _, c := range []struct{ p, q int }{{1, 1}, {2, 1}, {2, 2}, {3, 2}, {4, 3}, {3, 0}} {
		truth := lmm.Params{Beta: []float64{1, 2, -1, 0.5}[:c.p], SigmaB: []float64{1, 0.5, 0.3}[:c.q], Sigma: 0.7}
		d := simulate(rng, c.p, c.q, 15, 5, truth)
		// A group with one row (n_g ≤ Q whenever Q ≥ 1) and, for P ≥ 3, a
		// last column constant within every group.
		d.Levels = append(d.Levels, "single")
		row := make([]float64, c.p)
		row[0] = 1
		for k := 1; k < c.p; k++ {
			row[k] = 0.3
		}
		d.X = append(d.X, row...)
		d.Y = append(d.Y, 2.5)
		d.G = append(d.G, len(d.Levels)-1)
		if c.p >= 3 {
			for i := range d.Y {
				d.X[i*c.p+c.p-1] = float64(d.G[i] % 3)
			}
		}
		want, wantRank := denseLSDV(t, d)
		got, err := NewEstimator(lmm.NewStats(d)).Within()
		if err != nil {
			t.Fatal(err)
		}
		// The sweep works on cross-products, so it loses about the square
		// of the condition number relative to the SVD; 1e-8 is ample.
		if got.Rank != wantRank || !closeRel(got.RSS, want, 1e-8) {
			t.Errorf("P=%d Q=%d: RSS %.12g rank %d, dense %.12g rank %d", c.p, c.q, got.RSS, got.Rank, want, wantRank)
		}
		if math.Abs(got.Sigma*got.Sigma*float64(got.DF)-got.RSS) > 1e-9*got.RSS {
			t.Errorf("σ̂² DF = %v, RSS %v", got.Sigma*got.Sigma*float64(got.DF), got.RSS)
		}
	}
}

// TestMomentsRecovers checks the moment estimator on many groups against
// the truth, within 4 sampling SDs: b̂_gk has variance v_gk = σ_b,k² +
// σ²(Z_gᵀZ_g)⁻¹_kk, so for normal data the variance of the moment estimate
// of σ_b,k² is about 2 Σ_g v_gk² / M² (the variance of a sample variance
// with unequal variances).
func TestMomentsRecovers(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 1))
	truth := lmm.Params{Beta: []float64{1, 2}, SigmaB: []float64{1.5, 0.8}, Sigma: 1}
	d := simulate(rng, 2, 2, 400, 36, truth)
	s := lmm.NewStats(d)
	e := NewEstimator(s)
	w, err := e.Within()
	if err != nil {
		t.Fatal(err)
	}
	mo := e.Moments(w.Sigma)
	for k, v := range mo.SigmaB {
		sum2 := 0.0
		for g := 0; g < s.M; g++ {
			zz := s.ZtZ[g*4 : g*4+4]
			inv := zz[3-3*k] / (zz[0]*zz[3] - zz[1]*zz[2]) // (ZᵀZ)⁻¹_kk for Q = 2
			vg := truth.SigmaB[k]*truth.SigmaB[k] + truth.Sigma*truth.Sigma*inv
			sum2 += vg * vg
		}
		sd := math.Sqrt(2*sum2) / float64(s.M)
		if got, want := v*v, truth.SigmaB[k]*truth.SigmaB[k]; math.Abs(got-want) > 4*sd {
			t.Errorf("σ_b[%d]² moment estimate %.3f, truth %.3f ± 4·%.3f", k, got, want, sd)
		}
	}
	// σ̂² has relative SD √(2/DF).
	if math.Abs(w.Sigma*w.Sigma-1) > 4*math.Sqrt(2/float64(w.DF)) {
		t.Errorf("σ̂ = %.4f, truth %.4f (DF %d)", w.Sigma, truth.Sigma, w.DF)
	}
}

// TestEstimateNotEstimable checks that a design with as many rows as
// coefficients (the pooled fit interpolates, so σ has no degrees of
// freedom) is an error, not a panic or a silent NaN.
func TestEstimateNotEstimable(t *testing.T) {
	d := &lmm.Design{
		Response: "y", Group: "g", Intercept: true,
		Fixed: []string{"Intercept", "x"}, Random: []string{"Intercept"}, RandomCol: []int{0},
		Levels: []string{"a", "b"},
		Y:      []float64{1, 3},
		X:      []float64{1, 0.5, 1, 2},
		G:      []int{0, 1},
	}
	if _, err := Estimate(lmm.NewStats(d), nil, Settings{}); err == nil {
		t.Error("no error for N = P")
	}
	if _, err := NewEstimator(lmm.NewStats(d)).Within(); err == nil {
		t.Error("Within: no error for N = rank")
	}
}
