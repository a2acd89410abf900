package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Family is a distribution family of synthetic predictors, after
// metabeta's mixture (metabeta/data/distributions.py, era A). The
// parameters of each family are drawn per column.
type Family int

const (
	// FamilyNormal is N(0, s²), s ~ U(0.5, 25).
	FamilyNormal Family = iota
	// FamilyStudentT is s·t_ν, ν ~ U{3, …, 99}, s ~ U(0.5, 25).
	FamilyStudentT
	// FamilyUniform is U(−a, a), a ~ U(0.5, 100).
	FamilyUniform
	// FamilyBernoulli is Bernoulli(p), p ~ U(0.1, 0.9).
	FamilyBernoulli
	// FamilyNegBinomial is the negative binomial with r ~ U{1, …, 99}
	// and p ~ U(0.1, 0.9), mean r·p/(1−p) (the torch convention), drawn
	// as Poisson(Gamma(r, p/(1−p))).
	FamilyNegBinomial
	// FamilyScaledBeta is 100·(B − E[B]), B ~ Beta(α, β), α, β ~
	// U(0.001, 100).
	FamilyScaledBeta
	// NumFamilies is the number of families.
	NumFamilies
)

var familyNames = [NumFamilies]string{"normal", "student-t", "uniform", "bernoulli", "negbinomial", "scaled-beta"}

// String returns the name of the family.
func (f Family) String() string {
	if f >= 0 && f < NumFamilies {
		return familyNames[f]
	}
	return fmt.Sprintf("Family(%d)", int(f))
}

// Binary reports whether the family draws 0/1 values.
func (f Family) Binary() bool { return f == FamilyBernoulli }

// pickFamily draws a family with probabilities proportional to w.
func pickFamily(rng *rand.Rand, w *[NumFamilies]float64) Family {
	return Family(pickWeighted(rng, w[:]))
}

// pickWeighted draws an index with probabilities proportional to the
// non-negative weights w from one uniform draw of rng; with all weights 0
// it returns 0.
func pickWeighted(rng *rand.Rand, w []float64) int {
	total := 0.0
	for _, v := range w {
		total += v
	}
	u := rng.Float64() * total
	last := 0
	for i, v := range w {
		if v == 0 {
			continue
		}
		last = i
		if u < v {
			return i
		}
		u -= v
	}
	return last
}

// fillColumn draws a family's parameters and then len(col)/stride values
// into col[0], col[stride], …; it returns p for a Bernoulli column (used
// when the column is redrawn correlated) and 0 otherwise.
func fillColumn(rng *rand.Rand, f Family, col []float64, stride int) float64 {
	switch f {
	case FamilyNormal:
		s := uniform(rng, 0.5, 25)
		for i := 0; i < len(col); i += stride {
			col[i] = s * rng.NormFloat64()
		}
	case FamilyStudentT:
		nu := float64(intBetween(rng, 3, 99))
		s := uniform(rng, 0.5, 25)
		for i := 0; i < len(col); i += stride {
			col[i] = s * studentT(rng, nu)
		}
	case FamilyUniform:
		a := uniform(rng, 0.5, 100)
		for i := 0; i < len(col); i += stride {
			col[i] = uniform(rng, -a, a)
		}
	case FamilyBernoulli:
		p := uniform(rng, 0.1, 0.9)
		for i := 0; i < len(col); i += stride {
			col[i] = bernoulli(rng, p)
		}
		return p
	case FamilyNegBinomial:
		r := float64(intBetween(rng, 1, 99))
		p := uniform(rng, 0.1, 0.9)
		for i := 0; i < len(col); i += stride {
			col[i] = float64(poisson(rng, gamma(rng, r)*p/(1-p)))
		}
	case FamilyScaledBeta:
		a := uniform(rng, 0.001, 100)
		b := uniform(rng, 0.001, 100)
		mean := a / (a + b)
		for i := 0; i < len(col); i += stride {
			col[i] = 100 * (beta(rng, a, b) - mean)
		}
	default:
		panic("sim: unknown predictor family")
	}
	return 0
}

// bernoulli returns 1 with probability p and 0 otherwise.
func bernoulli(rng *rand.Rand, p float64) float64 {
	if rng.Float64() < p {
		return 1
	}
	return 0
}

// logit returns log(p/(1−p)).
func logit(p float64) float64 { return math.Log(p / (1 - p)) }
