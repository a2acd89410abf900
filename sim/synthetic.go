package sim

import (
	"errors"
	"math"
	"math/rand/v2"
)

// errDegenerate marks a draw whose predictors cannot be standardized (a
// constant column); the simulator retries it with fresh draws.
var errDegenerate = errors.New("sim: constant predictor column")

// maxColumnTries bounds the redraws of a synthetic column that came out
// constant (e.g. an all-zero Bernoulli column in a small dataset).
const maxColumnTries = 50

// synthetic fills the non-intercept columns 1..p−1 of the n×p row-major x
// with metabeta's predictor mixture: each column's family is drawn with
// weights c.FamilyWeights and its parameters per family (see Family). When
// there are at least two such columns, they are z-scored and mixed by the
// Cholesky factor L of an LKJ(η) correlation matrix (row x_r ← L x_r, the
// mixed values kept for the continuous columns only), and every binary
// column i is then redrawn, in column order, as
//
//	x_ri ~ Bernoulli(sigmoid(logit p_i + r_ij·v_rj + √(1 − r_ij²)·z_r)),
//
// with j another column chosen uniformly, v_j its z-score, r_ij = (LLᵀ)_ij
// and z_r ~ N(0, 1), as in metabeta's correlateBinary. The logit p_i offset
// is our addition: it keeps the column's base rate near p_i instead of ½.
// Finally every column is standardized to sample mean 0 and SD 1. It
// returns the family of each column 1..p−1, or errDegenerate when a
// column came out constant.
func synthetic(rng *rand.Rand, c *Config, n, p int, x []float64) ([]Family, error) {
	k := p - 1
	families := make([]Family, k)
	rate := make([]float64, k)
	for j := range k {
		col := x[1+j:]
		for try := 0; ; try++ {
			if try == maxColumnTries {
				return nil, errDegenerate
			}
			families[j] = pickFamily(rng, &c.FamilyWeights)
			rate[j] = fillColumn(rng, families[j], col, p)
			if _, sd := columnMoments(col, p); sd > 0 && !math.IsInf(sd, 0) {
				break
			}
		}
	}
	if err := standardize(x[1:], p, k); err != nil {
		return nil, err
	}
	if k < 2 {
		return families, nil
	}
	l := LKJCholesky(rng, k, c.LKJEta, nil)
	z := make([]float64, k)
	for r := range n {
		row := x[r*p+1 : r*p+p]
		copy(z, row)
		for i := range k {
			if families[i].Binary() {
				continue // kept as is until redrawn below, as metabeta does
			}
			s := 0.0
			for j := 0; j <= i; j++ {
				s += l[i*k+j] * z[j]
			}
			row[i] = s
		}
	}
	for i, f := range families {
		if !f.Binary() {
			continue
		}
		j := rng.IntN(k - 1)
		if j >= i {
			j++
		}
		r := 0.0 // (LLᵀ)_ij
		for t := 0; t <= min(i, j); t++ {
			r += l[i*k+t] * l[j*k+t]
		}
		r = max(-1, min(r, 1))
		mean, sd := columnMoments(x[1+j:], p)
		off := logit(rate[i])
		res := math.Sqrt(1 - r*r)
		for row := range n {
			v := (x[row*p+1+j] - mean) / sd
			x[row*p+1+i] = bernoulli(rng, sigmoid(off+r*v+res*rng.NormFloat64()))
		}
	}
	// Mixing and redrawing change the moments; standardize again.
	if err := standardize(x[1:], p, k); err != nil {
		return nil, err
	}
	return families, nil
}

// columnMoments returns the sample mean and the sample standard deviation
// (divisor n−1) of col[0], col[stride], ….
func columnMoments(col []float64, stride int) (mean, sd float64) {
	n := 0
	for i := 0; i < len(col); i += stride {
		mean += col[i]
		n++
	}
	mean /= float64(n)
	ss := 0.0
	for i := 0; i < len(col); i += stride {
		d := col[i] - mean
		ss += d * d
	}
	return mean, math.Sqrt(ss / float64(n-1))
}

// standardize z-scores k consecutive columns of the row-major matrix whose
// first such column starts at x[0] and whose rows are stride apart. It
// returns errDegenerate if a column is constant.
func standardize(x []float64, stride, k int) error {
	for j := range k {
		col := x[j:]
		mean, sd := columnMoments(col, stride)
		if !(sd > 0) || math.IsInf(sd, 0) {
			return errDegenerate
		}
		for i := 0; i < len(col); i += stride {
			col[i] = (col[i] - mean) / sd
		}
	}
	return nil
}
