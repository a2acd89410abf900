package hmc

// welfordVar is Welford's streaming mean and variance per coordinate
// (stan-dev/math welford_var_estimator).
type welfordVar struct {
	n        float64
	mean, m2 []float64
}

func newWelfordVar(dim int) *welfordVar {
	return &welfordVar{mean: make([]float64, dim), m2: make([]float64, dim)}
}

func (w *welfordVar) restart() {
	w.n = 0
	clear(w.mean)
	clear(w.m2)
}

func (w *welfordVar) add(x []float64) {
	w.n++
	for i, xi := range x {
		d := xi - w.mean[i]
		w.mean[i] += d / w.n
		w.m2[i] += d * (xi - w.mean[i])
	}
}

// regularized writes Stan's regularized variance estimate into dst:
// (n/(n+5))·s² + 1e-3·(5/(n+5)), with s² the sample variance (n−1
// denominator), shrinking towards 1e-3 (var_adaptation.hpp).
func (w *welfordVar) regularized(dst []float64) {
	n := w.n
	for i, m2 := range w.m2 {
		dst[i] = (n/(n+5))*(m2/(n-1)) + 1e-3*(5/(n+5))
	}
}

// welfordCov is Welford's streaming mean and covariance (stan-dev/math
// welford_covar_estimator).
type welfordCov struct {
	n     float64
	mean  []float64
	m2    []float64 // row-major dim×dim
	delta []float64
}

func newWelfordCov(dim int) *welfordCov {
	return &welfordCov{mean: make([]float64, dim), m2: make([]float64, dim*dim), delta: make([]float64, dim)}
}

func (w *welfordCov) restart() {
	w.n = 0
	clear(w.mean)
	clear(w.m2)
}

func (w *welfordCov) add(x []float64) {
	w.n++
	d := len(x)
	for i, xi := range x {
		w.delta[i] = xi - w.mean[i]
		w.mean[i] += w.delta[i] / w.n
	}
	for i := 0; i < d; i++ {
		ri := x[i] - w.mean[i]
		for j := 0; j < d; j++ {
			w.m2[i*d+j] += ri * w.delta[j]
		}
	}
}

// regularized writes Stan's regularized covariance estimate into dst:
// (n/(n+5))·S + 1e-3·(5/(n+5))·I, with S the sample covariance (n−1
// denominator) (covar_adaptation.hpp), symmetrized.
func (w *welfordCov) regularized(dst []float64) {
	n := w.n
	d := len(w.mean)
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			// Symmetrize the two rounding paths of the Welford update.
			s := 0.5 * (w.m2[i*d+j] + w.m2[j*d+i])
			dst[i*d+j] = (n / (n + 5)) * (s / (n - 1))
		}
	}
	for i := 0; i < d; i++ {
		dst[i*d+i] += 1e-3 * (5 / (n + 5))
	}
}
