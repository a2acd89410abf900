package diagnostics

import "gonum.org/v1/gonum/dsp/fourier"

// autocovariance holds the buffers for FFT autocovariances of series of one
// length; it is reused across the chains of one ESS computation.
type autocovariance struct {
	n      int
	fft    *fourier.FFT
	padded []float64
	coeff  []complex128
	seq    []float64
}

// newAutocovariance prepares autocovariances of series of length n, zero
// padded to 2·nextn(n) as posterior's autocovariance.
func newAutocovariance(n int) *autocovariance {
	m := 2 * nextFastLength(n)
	return &autocovariance{
		n:      n,
		fft:    fourier.NewFFT(m),
		padded: make([]float64, m),
		coeff:  make([]complex128, m/2+1),
		seq:    make([]float64, m),
	}
}

// compute writes into dst[t], t < n, the biased autocovariance
// (1/n) Σ_i (x_i − x̄)(x_{i+t} − x̄) of x: the inverse transform of the power
// spectrum of the centred, zero-padded series, rescaled so that lag 0 equals
// var(x)·(n−1)/n. A constant x gives zeros.
func (a *autocovariance) compute(dst, x []float64) {
	n := a.n
	varx := variance(x)
	if varx == 0 {
		clear(dst[:n])
		return
	}
	m := mean(x)
	for i, v := range x {
		a.padded[i] = v - m
	}
	clear(a.padded[n:])
	a.fft.Coefficients(a.coeff, a.padded)
	for i, c := range a.coeff {
		a.coeff[i] = complex(real(c)*real(c)+imag(c)*imag(c), 0)
	}
	a.fft.Sequence(a.seq, a.coeff)
	ac0 := a.seq[0]
	for t := range n {
		dst[t] = a.seq[t] / ac0 * varx * float64(n-1) / float64(n)
	}
}

// nextFastLength returns the smallest integer ≥ n whose only prime factors are
// 2, 3 and 5, as R's nextn.
func nextFastLength(n int) int {
	for m := max(n, 1); ; m++ {
		k := m
		for _, p := range [...]int{2, 3, 5} {
			for k%p == 0 {
				k /= p
			}
		}
		if k == 1 {
			return m
		}
	}
}
