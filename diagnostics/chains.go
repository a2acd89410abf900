package diagnostics

import "math"

// Panic messages for programmer errors.
const (
	errRagged = "diagnostics: chains have different lengths"
	errProb   = "diagnostics: probability outside [0, 1]"
)

// checkShape panics if the chains have different lengths and returns the
// common length (0 for no chains).
func checkShape(chains [][]float64) int {
	if len(chains) == 0 {
		return 0
	}
	n := len(chains[0])
	for _, c := range chains[1:] {
		if len(c) != n {
			panic(errRagged)
		}
	}
	return n
}

// splitChains returns the split chains as views into chains: the first and
// last ⌊N/2⌋ draws of every chain, the middle draw of an odd N dropped, as
// posterior's .split_chains. A single draw per chain is not split.
func splitChains(chains [][]float64) [][]float64 {
	n := checkShape(chains)
	if n <= 1 {
		return chains
	}
	half := n / 2
	out := make([][]float64, 2*len(chains))
	for c, x := range chains {
		out[c] = x[:half]
		out[len(chains)+c] = x[n-half:]
	}
	return out
}

// anyNonFinite reports whether any draw is NaN or ±Inf.
func anyNonFinite(chains [][]float64) bool {
	for _, x := range chains {
		for _, v := range x {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return true
			}
		}
	}
	return false
}

// isConstant reports whether max − min of all draws is below machine epsilon,
// as posterior's is_constant.
func isConstant(chains [][]float64) bool {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, x := range chains {
		for _, v := range x {
			lo = math.Min(lo, v)
			hi = math.Max(hi, v)
		}
	}
	return math.Abs(hi-lo) < eps
}

// eps is R's .Machine$double.eps.
const eps = 0x1p-52

// shouldReturnNaN reports whether posterior would return NA for these draws:
// no draws, a non-finite draw or constant draws.
func shouldReturnNaN(chains [][]float64) bool {
	return checkShape(chains) == 0 || anyNonFinite(chains) || isConstant(chains)
}

// flatten copies all draws, chain after chain, into one slice.
func flatten(chains [][]float64) []float64 {
	size := 0
	for _, x := range chains {
		size += len(x)
	}
	out := make([]float64, 0, size)
	for _, x := range chains {
		out = append(out, x...)
	}
	return out
}

// reshape cuts flat into len(like) chains with the lengths of like.
func reshape(flat []float64, like [][]float64) [][]float64 {
	out := make([][]float64, len(like))
	off := 0
	for c, x := range like {
		out[c] = flat[off : off+len(x) : off+len(x)]
		off += len(x)
	}
	return out
}

// mapChains applies f to every draw and returns new chains of the same shape.
func mapChains(chains [][]float64, f func(float64) float64) [][]float64 {
	flat := flatten(chains)
	for i, v := range flat {
		flat[i] = f(v)
	}
	return reshape(flat, chains)
}
