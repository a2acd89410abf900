package psis

import "math"

// gpdMinGrid is the minimum number of grid points of the Zhang–Stephens
// estimator (loo's min_grid_pts).
const gpdMinGrid = 30

// gpdPrior is the prior constant 3 of Zhang & Stephens (2009, §4), which
// sets the spread of the θ grid.
const gpdPrior = 3

// wipStrength is the pseudo-sample size a = 10 of the weakly informative
// prior that shrinks k̂ towards ½ (loo's adjust_k_wip).
const wipStrength = 10

// FitGPD fits a generalized Pareto distribution with location 0 to the
// ascending, positive exceedances x by the Zhang & Stephens (2009)
// profile-likelihood Bayes estimator and returns its shape k (with the
// weakly informative prior adjustment of loo) and scale σ. grid is a
// scratch slice of length at least 30 + ⌊√len(x)⌋ (nil allocates). The
// shape is +Inf when the fit fails (a NaN).
func FitGPD(x, grid []float64) (k, sigma float64) {
	n := len(x)
	m := gpdMinGrid + int(math.Floor(math.Sqrt(float64(n))))
	if grid == nil {
		grid = make([]float64, 2*m)
	}
	if len(grid) < 2*m {
		panic("psis: FitGPD: grid scratch too short")
	}
	theta, ll := grid[:m], grid[m:2*m]
	xstar := x[int(math.Floor(float64(n)/4+0.5))-1] // first quartile
	maxLL := math.Inf(-1)
	for j := range theta {
		t := 1/x[n-1] + (1-math.Sqrt(float64(m)/(float64(j+1)-0.5)))/gpdPrior/xstar
		theta[j] = t
		kt := 0.0
		for _, v := range x {
			kt += math.Log1p(-t * v)
		}
		kt /= float64(n)
		ll[j] = float64(n) * (math.Log(-t/kt) - kt - 1)
		maxLL = math.Max(maxLL, ll[j])
	}
	sumW, thetaHat := 0.0, 0.0
	for j, t := range theta {
		w := math.Exp(ll[j] - maxLL)
		sumW += w
		thetaHat += t * w
	}
	thetaHat /= sumW
	for _, v := range x {
		k += math.Log1p(-thetaHat * v)
	}
	k /= float64(n)
	sigma = -k / thetaHat
	k = (k*float64(n) + wipStrength*0.5) / float64(n+wipStrength)
	if math.IsNaN(k) {
		k = math.Inf(1)
	}
	return k, sigma
}

// gpdQuantile returns the p-quantile σ((1 − p)^(−k) − 1)/k of GPD(k, σ).
func gpdQuantile(p, k, sigma float64) float64 {
	if math.IsNaN(sigma) || sigma <= 0 {
		return math.NaN()
	}
	return sigma * math.Expm1(-k*math.Log1p(-p)) / k
}
