package sim

import (
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/stat/distuv"
)

// This file holds the scalar random variates the simulator needs, drawn
// from an explicit *rand.Rand.

// uniform returns a draw from U(lo, hi).
func uniform(rng *rand.Rand, lo, hi float64) float64 {
	return lo + (hi-lo)*rng.Float64()
}

// logUniform returns a draw whose logarithm is uniform on [log lo, log hi].
func logUniform(rng *rand.Rand, lo, hi float64) float64 {
	return math.Exp(uniform(rng, math.Log(lo), math.Log(hi)))
}

// intBetween returns a draw from the discrete uniform on {lo, …, hi}.
func intBetween(rng *rand.Rand, lo, hi int) int {
	return lo + rng.IntN(hi-lo+1)
}

// halfNormal returns a draw from HalfNormal(scale): scale·|z|, z ~ N(0, 1).
func halfNormal(rng *rand.Rand, scale float64) float64 {
	return scale * math.Abs(rng.NormFloat64())
}

// logGamma returns log G for G ~ Gamma(shape a, scale 1). For a < 1 it uses
// G = G'·U^{1/a} with G' ~ Gamma(a+1) (Marsaglia & Tsang 2000, §6) in log
// space, so shapes as small as 1e-3 neither underflow nor give 0/0.
func logGamma(rng *rand.Rand, a float64) float64 {
	if a >= 1 {
		return math.Log(distuv.Gamma{Alpha: a, Beta: 1, Src: rng}.Rand())
	}
	g := distuv.Gamma{Alpha: a + 1, Beta: 1, Src: rng}.Rand()
	u := 1 - rng.Float64() // in (0, 1]
	return math.Log(g) + math.Log(u)/a
}

// gamma returns a draw from Gamma(shape a, scale 1).
func gamma(rng *rand.Rand, a float64) float64 {
	return math.Exp(logGamma(rng, a))
}

// beta returns a draw from Beta(a, b) as G_a/(G_a + G_b), computed from the
// log-gamma draws as a logistic of their difference.
func beta(rng *rand.Rand, a, b float64) float64 {
	la := logGamma(rng, a)
	lb := logGamma(rng, b)
	return 1 / (1 + math.Exp(lb-la))
}

// unitStudentT returns a Student-t draw with df > 2 degrees of freedom
// scaled to unit variance: z/√(χ²_df/df)·√((df−2)/df).
func unitStudentT(rng *rand.Rand, df float64) float64 {
	return studentT(rng, df) * math.Sqrt((df-2)/df)
}

// studentT returns a standard Student-t draw with df degrees of freedom.
func studentT(rng *rand.Rand, df float64) float64 {
	chi2 := 2 * gamma(rng, df/2)
	return rng.NormFloat64() / math.Sqrt(chi2/df)
}

// poisson returns a draw from Poisson(λ).
func poisson(rng *rand.Rand, lambda float64) int {
	if !(lambda > 0) {
		return 0
	}
	return int(distuv.Poisson{Lambda: lambda, Src: rng}.Rand())
}

// sigmoid returns 1/(1 + e^{−x}).
func sigmoid(x float64) float64 {
	return 1 / (1 + math.Exp(-x))
}
