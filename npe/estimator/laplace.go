package estimator

import (
	"errors"
	"math"
	"math/rand/v2"

	"github.com/metabeta-go/metabeta/lmm"
)

// SampleLaplace draws n global parameter vectors from the Laplace
// approximation N(θ̂, Σ̂) of the exact collapsed posterior of d under pr
// (estimate.PosteriorLaplace on the standardized design, mapped back
// affinely, so the draws are Gaussian in the original collapsed θ too),
// each completed by an exact draw of the random effects from p(b | θ, y),
// as Sample does. It is the whitened flow with the identity for its
// network: the same maps, the same Posterior, and LogQ the exact Gaussian
// log density of the collapsed θ, so ImportanceSample reweights it
// unchanged. Warnings is empty: no trained range applies. It returns an
// error when d or pr is invalid, P > MaxP or Q > MaxQ, or the mode search
// fails or ends where the Hessian is not negative definite. Correlated
// random effects are covered: their unconstrained correlations are part of
// the Laplace approximation like any other coordinate.
func SampleLaplace(d *lmm.Design, pr lmm.Prior, n int, rng *rand.Rand) (*Posterior, error) {
	if n <= 0 {
		panic("estimator: SampleLaplace needs n > 0")
	}
	prep, _, err := prepareMaps(d, pr, layout{whitened: true, cor: true})
	if err != nil {
		return nil, err
	}
	if prep.lap.Diagonal {
		return nil, errors.New("estimator: no Laplace approximation: the Hessian at the mode is not negative definite (too few observations for the parameters?)")
	}
	dim, fd := len(prep.slot), prep.fd
	u := make([]float64, n*fd)
	logq := make([]float64, n)
	norm := -0.5 * float64(dim) * math.Log(2*math.Pi)
	for r := 0; r < n; r++ {
		row := u[r*fd : (r+1)*fd]
		lq := norm
		for _, s := range prep.slot {
			z := rng.NormFloat64()
			row[s] = z
			lq -= 0.5 * z * z
		}
		logq[r] = lq
	}
	return finish(prep, u, logq, d, pr, splitRand(rng, 1)[0], nil)
}
