package validate

import (
	"math"
	"math/rand/v2"

	"github.com/metabeta-go/metabeta/calibration"
	"github.com/metabeta-go/metabeta/fit"
	"github.com/metabeta-go/metabeta/lmm"
)

// PPCDraws is the number of posterior draws, evenly spaced over all chains,
// that the posterior predictive checks use.
const PPCDraws = 200

// PPCRecord holds the posterior predictive checks of one fit on its own
// data: the mean over observations of the fair CRPS of the predictive
// distribution of y_i, and of the log predictive density log p(y_i | y)
// (Gneiting & Raftery 2007); and the posterior predictive p-values of the
// within-group and between-group SD of y (Gelman et al. 1996).
type PPCRecord struct {
	CRPS       float64 `json:"crps"`
	LPD        float64 `json:"lpd"`
	PPPWithin  fit.Num `json:"ppp_within"`
	PPPBetween fit.Num `json:"ppp_between"`
}

// posteriorPredictive computes the checks from the draws of a fit. The
// draws hold, per iteration, β (original scale), σ_b, σ, the correlations
// and then the random effects of every group, as fit.Result.Draws does.
func posteriorPredictive(d *lmm.Design, draws *fit.Draws, rng *rand.Rand) PPCRecord {
	n, p, q, m := d.N(), d.P(), d.Q(), d.M()
	k := len(draws.Names)
	iters := draws.Iterations()
	total := len(draws.Chains) * iters
	s := min(PPCDraws, total)
	// mu[j*n+i] is the conditional mean of y_i under draw j; sig[j] its σ.
	mu := make([]float64, s*n)
	sig := make([]float64, s)
	for j := range s {
		flat := (2*j + 1) * total / (2 * s)
		row := draws.Chains[flat/iters][(flat%iters)*k : (flat%iters+1)*k]
		beta, sigma, b := row[:p], row[p+q], row[d.Dim():] // correlations, if any, sit between σ and b
		sig[j] = sigma
		for i := range n {
			x := d.X[i*p : (i+1)*p]
			v := 0.0
			for c, xc := range x {
				v += xc * beta[c]
			}
			g := d.G[i]
			for t, col := range d.RandomCol {
				v += x[col] * b[g*q+t]
			}
			mu[j*n+i] = v
		}
	}
	var rec PPCRecord
	pred := make([]float64, s)
	logp := make([]float64, s)
	var scratch []float64
	for i := range n {
		for j := range s {
			pred[j] = mu[j*n+i] + sig[j]*rng.NormFloat64()
			z := (d.Y[i] - mu[j*n+i]) / sig[j]
			logp[j] = -0.5*z*z - math.Log(sig[j]) - 0.5*math.Log(2*math.Pi)
		}
		var c float64
		c, scratch = calibration.CRPS(pred, d.Y[i], scratch)
		rec.CRPS += c / float64(n)
		rec.LPD += calibration.LogMeanExp(logp) / float64(n)
	}
	work := make([]float64, 2*m)
	obsW, obsB := calibration.GroupSDs(d.Y, d.G, m, work)
	repW, repB := make([]float64, s), make([]float64, s)
	yrep := make([]float64, n)
	for j := range s {
		for i := range n {
			yrep[i] = mu[j*n+i] + sig[j]*rng.NormFloat64()
		}
		repW[j], repB[j] = calibration.GroupSDs(yrep, d.G, m, work)
	}
	rec.PPPWithin = fit.Num(calibration.PPP(obsW, repW))
	rec.PPPBetween = fit.Num(math.NaN())
	if !math.IsNaN(obsB) {
		rec.PPPBetween = fit.Num(calibration.PPP(obsB, repB))
	}
	return rec
}
