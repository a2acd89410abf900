package diagnostics

import "math"

// EBFMI returns the energy Bayesian fraction of missing information of one
// chain's Hamiltonian energies,
//
//	Σ_{n≥2} (E_n − E_{n−1})² / Σ_n (E_n − Ē)²
//
// (Betancourt 2016). Values below about 0.3 suggest the momentum resampling
// explores the energy distribution poorly. It returns NaN for fewer than two
// energies, a non-finite energy or constant energies.
func EBFMI(energy []float64) float64 {
	if len(energy) < 2 || anyNonFinite([][]float64{energy}) {
		return math.NaN()
	}
	m := mean(energy)
	var num, den float64
	for i, e := range energy {
		d := e - m
		den += d * d
		if i > 0 {
			step := e - energy[i-1]
			num += step * step
		}
	}
	if den == 0 {
		return math.NaN()
	}
	return num / den
}
