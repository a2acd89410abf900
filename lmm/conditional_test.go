package lmm

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestConditionalMatchesBLUP checks the conditional moments against the
// closed-form BLUP and its error covariance (Henderson 1975; Robinson 1991,
// eq. 5.1): E[b | y] = D Zᵀ V⁻¹ (y − Xβ), Cov[b | y] = D − D Zᵀ V⁻¹ Z D,
// with dense N×N algebra. Blocks across groups must vanish.
func TestConditionalMatchesBLUP(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 1))
	for _, c := range designCases() {
		if c.q == 0 {
			continue
		}
		t.Run(c.String(), func(t *testing.T) {
			d := randomDesign(rng, c, 30, 5)
			col := NewCollapsed(d, randomPrior(rng, d))
			theta := randomTheta(rng, col.Dim())
			mq, q := d.M()*d.Q(), d.Q()
			mean, cov := make([]float64, mq), make([]float64, mq*q)
			if !col.ConditionalMoments(theta, mean, cov) {
				t.Fatal("ConditionalMoments failed")
			}
			pr := col.Params(theta)
			var ch mat.Cholesky
			if !ch.Factorize(denseV(d, pr)) {
				t.Fatal("dense V not positive definite")
			}
			z := denseZ(d)
			dz := mat.DenseCopyOf(z) // Z D
			for j := 0; j < mq; j++ {
				s2 := pr.SigmaB[j%q] * pr.SigmaB[j%q]
				for i := 0; i < d.N(); i++ {
					dz.Set(i, j, z.At(i, j)*s2)
				}
			}
			var vinvZD mat.Dense
			if err := ch.SolveTo(&vinvZD, dz); err != nil {
				t.Fatal(err)
			}
			var blup mat.VecDense
			blup.MulVec(vinvZD.T(), denseResidual(d, pr.Beta))
			var dzvzd mat.Dense
			dzvzd.Mul(dz.T(), &vinvZD)
			for j := 0; j < mq; j++ {
				if !closeRel(blup.AtVec(j), mean[j], 1e-8) {
					t.Errorf("mean[%d] = %.12g, BLUP %.12g", j, mean[j], blup.AtVec(j))
				}
				for k := 0; k < mq; k++ {
					want := -dzvzd.At(j, k)
					if j == k {
						want += pr.SigmaB[j%q] * pr.SigmaB[j%q]
					}
					got := 0.0
					if j/q == k/q {
						got = cov[j*q+k%q]
					}
					if math.Abs(got-want) > 1e-8*math.Max(1, pr.SigmaB[j%q]*pr.SigmaB[k%q]) {
						t.Errorf("cov[%d,%d] = %.12g, closed form %.12g", j, k, got, want)
					}
				}
			}
		})
	}
}

// TestMarginalJointConditionalIdentity ties the three densities together by
// Bayes' rule, which holds at any b:
//
//	log p(y | θ) = log p(y | b, θ) + log p(b | θ) − log p(b | y, θ),
//
// with p(y | b, θ) by a loop over rows and p(b | y, θ) from
// ConditionalMoments; and, for the targets, log p(θ, z, y) − log p(θ, y) =
// log p(z | y, θ) = log p(b | y, θ) + M Σ_k log σ_b,k (b = σ_b z). Both to
// 1e-9 relative.
func TestMarginalJointConditionalIdentity(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	for _, c := range designCases() {
		if c.q == 0 {
			continue
		}
		t.Run(c.String(), func(t *testing.T) {
			d := randomDesign(rng, c, 30, 5)
			pr := randomPrior(rng, d)
			col, joint := NewCollapsed(d, pr), NewJoint(d, pr)
			q, mq := d.Q(), d.M()*d.Q()
			theta := randomTheta(rng, joint.Dim())
			b := joint.RandomEffects(make([]float64, mq), theta)
			gl := theta[:col.Dim()]
			par := col.Params(gl)

			mean, cov := make([]float64, mq), make([]float64, mq*q)
			if !col.ConditionalMoments(gl, mean, cov) {
				t.Fatal("ConditionalMoments failed")
			}
			logCond := 0.0
			logPriorB := 0.0
			for g := 0; g < d.M(); g++ {
				logCond += mvnLogPDF(t, b[g*q:(g+1)*q], mean[g*q:(g+1)*q], cov[g*q*q:(g+1)*q*q])
				for k := 0; k < q; k++ {
					e := b[g*q+k] / par.SigmaB[k]
					logPriorB += -0.5*math.Log(2*math.Pi) - math.Log(par.SigmaB[k]) - 0.5*e*e
				}
			}
			lhs := col.Marginal().LogLik(gl)
			rhs := rowsLogLik(d, par.Beta, b, par.Sigma) + logPriorB - logCond
			if !closeRel(lhs, rhs, 1e-9) {
				t.Errorf("log p(y|θ) = %.15g, log p(y|b,θ)+log p(b|θ)−log p(b|y,θ) = %.15g", lhs, rhs)
			}
			logJac := 0.0
			for k := 0; k < q; k++ {
				logJac += float64(d.M()) * gl[d.P()+k]
			}
			diff := joint.LogDensity(theta) - col.LogDensity(gl)
			if want := logCond + logJac; !closeRel(want, diff, 1e-9) {
				t.Errorf("Joint − Collapsed = %.15g, log p(z|y,θ) = %.15g", diff, want)
			}
		})
	}
}

// mvnLogPDF returns log N(x | mu, cov) for a small dense covariance.
func mvnLogPDF(t *testing.T, x, mu, cov []float64) float64 {
	t.Helper()
	q := len(x)
	var ch mat.Cholesky
	if !ch.Factorize(mat.NewSymDense(q, append([]float64(nil), cov...))) {
		t.Fatal("conditional covariance not positive definite")
	}
	r := mat.NewVecDense(q, nil)
	for i := range x {
		r.SetVec(i, x[i]-mu[i])
	}
	var s mat.VecDense
	if err := ch.SolveVecTo(&s, r); err != nil {
		t.Fatal(err)
	}
	return -0.5 * (float64(q)*math.Log(2*math.Pi) + ch.LogDet() + mat.Dot(r, &s))
}

// TestSampleRandomEffectsMoments checks that draws of the conditional
// sampler have the mean and covariance of ConditionalMoments, within 4 Monte
// Carlo standard errors: sd/√n for a mean and, for Gaussian draws,
// √((Σ_aa Σ_bb + Σ_ab²)/n) for a covariance entry.
func TestSampleRandomEffectsMoments(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 3))
	d := randomDesign(rng, designCase{p: 3, q: 2, intercept: true}, 30, 4)
	col := NewCollapsed(d, randomPrior(rng, d))
	theta := randomTheta(rng, col.Dim())
	q, mq := d.Q(), d.M()*d.Q()
	mean, cov := make([]float64, mq), make([]float64, mq*q)
	col.ConditionalMoments(theta, mean, cov)

	const n = 20000
	draw := make([]float64, mq)
	sum, sumSq := make([]float64, mq), make([]float64, mq*q)
	for range n {
		if !col.SampleRandomEffects(rng, theta, draw) {
			t.Fatal("SampleRandomEffects failed")
		}
		for j := 0; j < mq; j++ {
			sum[j] += draw[j]
			g := j / q
			for k := 0; k < q; k++ {
				sumSq[j*q+k] += (draw[j] - mean[j]) * (draw[g*q+k] - mean[g*q+k])
			}
		}
	}
	for j := 0; j < mq; j++ {
		g, a := j/q, j%q
		sdA := math.Sqrt(cov[j*q+a])
		if est, mcse := sum[j]/n, sdA/math.Sqrt(n); math.Abs(est-mean[j]) > 4*mcse {
			t.Errorf("mean[%d]: %.6g, want %.6g ± 4·%.2g", j, est, mean[j], mcse)
		}
		for k := 0; k < q; k++ {
			want := cov[j*q+k]
			mcse := math.Sqrt((cov[j*q+a]*cov[(g*q+k)*q+k] + want*want) / n)
			if est := sumSq[j*q+k] / n; math.Abs(est-want) > 4*mcse {
				t.Errorf("cov[%d,%d]: %.6g, want %.6g ± 4·%.2g", j, k, est, want, mcse)
			}
		}
	}
}

// TestConditionalAllocs checks that the conditional moments and sampler do
// not allocate.
func TestConditionalAllocs(t *testing.T) {
	d := loadSleepstudy(t)
	col := NewCollapsed(d, sleepstudyPrior())
	theta := []float64{250, 10, 3, 1.5, 3.2}
	rng := rand.New(rand.NewPCG(2, 4))
	mq := d.M() * d.Q()
	mean, cov, b := make([]float64, mq), make([]float64, mq*d.Q()), make([]float64, mq)
	if a := testing.AllocsPerRun(100, func() { col.SampleRandomEffects(rng, theta, b) }); a != 0 {
		t.Errorf("SampleRandomEffects: %v allocs per run, want 0", a)
	}
	if a := testing.AllocsPerRun(100, func() { col.ConditionalMoments(theta, mean, cov) }); a != 0 {
		t.Errorf("ConditionalMoments: %v allocs per run, want 0", a)
	}
}
