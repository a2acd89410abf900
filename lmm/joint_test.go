package lmm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestJointGradient checks the analytic gradient of the joint target
// against central finite differences on every design shape.
func TestJointGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 1))
	for _, c := range designCases() {
		t.Run(c.String(), func(t *testing.T) {
			d := randomDesign(rng, c, 30, 5)
			j := NewJoint(d, randomPrior(rng, d))
			theta := randomTheta(rng, j.Dim())
			grad := make([]float64, j.Dim())
			v := j.LogDensityGrad(theta, grad)
			if w := j.LogDensity(theta); v != w {
				t.Errorf("LogDensityGrad value %.17g != LogDensity %.17g", v, w)
			}
			checkGradient(t, j.LogDensity, theta, grad)
		})
	}
}

// stanJoint evaluates the model block of bench/stan/lmm.stan by a loop
// over the rows, plus the Jacobian of the log-transformed scales, up to a
// constant. theta is in the joint layout (α, slopes, log σ_b, log σ, z);
// mu = α + Xc·slope + Σ_k X[, RandomCol[k]] .* b[g, k].
func stanJoint(d *Design, pr Prior, theta []float64) float64 {
	p, q := d.P(), d.Q()
	xbar := d.ColumnMeans()
	sigmaB := make([]float64, q)
	for k := range sigmaB {
		sigmaB[k] = math.Exp(theta[p+k])
	}
	sigma := math.Exp(theta[p+q])
	z := theta[p+q+1:]
	lp := stanPrior(pr, theta[:p], sigmaB, sigma)
	for _, v := range z {
		lp -= 0.5 * v * v
	}
	for i := 0; i < d.N(); i++ {
		row := d.X[i*p : (i+1)*p]
		mu := theta[0]
		for k := 1; k < p; k++ {
			mu += (row[k] - xbar[k]) * theta[k]
		}
		for k, c := range d.RandomCol {
			mu += row[c] * sigmaB[k] * z[d.G[i]*q+k]
		}
		e := (d.Y[i] - mu) / sigma
		lp += -0.5*e*e - math.Log(sigma)
	}
	return lp
}

// sleepstudyJointPoints returns two joint θ for sleepstudy: the global
// sleepstudyPoints followed by the arbitrary deterministic
// z_gk = 1.5 sin(2.1(g+1) + 1.3(k+1) + i) for point i.
func sleepstudyJointPoints(m, q int) [2][]float64 {
	var pts [2][]float64
	for i, gl := range sleepstudyPoints {
		pts[i] = append([]float64(nil), gl...)
		for g := 0; g < m; g++ {
			for k := 0; k < q; k++ {
				pts[i] = append(pts[i], 1.5*math.Sin(2.1*float64(g+1)+1.3*float64(k+1)+float64(i)))
			}
		}
	}
	return pts
}

// TestJointSleepstudyStan checks that the joint target on sleepstudy
// reproduces the Stan model's log density (loop over rows, stanJoint) up to
// a constant: differences between two points agree to 1e-9 relative.
func TestJointSleepstudyStan(t *testing.T) {
	d := loadSleepstudy(t)
	pr := sleepstudyPrior()
	j := NewJoint(d, pr)
	pts := sleepstudyJointPoints(d.M(), d.Q())
	got := j.LogDensity(pts[0]) - j.LogDensity(pts[1])
	want := stanJoint(d, pr, pts[0]) - stanJoint(d, pr, pts[1])
	if !closeRel(want, got, 1e-9) {
		t.Errorf("Δ log density = %.12g, Stan model %.12g", got, want)
	}
}

// TestJointAllocs checks that LogDensityGrad does not allocate.
func TestJointAllocs(t *testing.T) {
	d := loadSleepstudy(t)
	j := NewJoint(d, sleepstudyPrior())
	theta := sleepstudyJointPoints(d.M(), d.Q())[0]
	grad := make([]float64, j.Dim())
	if a := testing.AllocsPerRun(100, func() { j.LogDensityGrad(theta, grad) }); a != 0 {
		t.Errorf("Joint.LogDensityGrad: %v allocs per run, want 0", a)
	}
}

// TestJointNonFinite checks −Inf and a zeroed gradient for non-finite θ.
func TestJointNonFinite(t *testing.T) {
	d := loadSleepstudy(t)
	j := NewJoint(d, sleepstudyPrior())
	theta := sleepstudyJointPoints(d.M(), d.Q())[0]
	theta[len(theta)-1] = math.NaN()
	grad := make([]float64, j.Dim())
	for i := range grad {
		grad[i] = 1
	}
	if v := j.LogDensityGrad(theta, grad); !math.IsInf(v, -1) {
		t.Errorf("LogDensityGrad = %g, want −Inf", v)
	}
	for i, g := range grad {
		if g != 0 {
			t.Fatalf("grad[%d] = %g, want 0", i, g)
		}
	}
}
