package lmm

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkCollapsedLogDensityGrad times the collapsed log density and
// gradient on sleepstudy (N = 180, M = 18, P = Q = 2).
func BenchmarkCollapsedLogDensityGrad(b *testing.B) {
	d := loadSleepstudy(b)
	col := NewCollapsed(d, sleepstudyPrior())
	grad := make([]float64, col.Dim())
	theta := sleepstudyPoints[0]
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		col.LogDensityGrad(theta, grad)
	}
}

// BenchmarkJointLogDensityGrad times the joint log density and gradient on
// sleepstudy (dimension 5 + 36).
func BenchmarkJointLogDensityGrad(b *testing.B) {
	d := loadSleepstudy(b)
	j := NewJoint(d, sleepstudyPrior())
	theta := sleepstudyJointPoints(d.M(), d.Q())[0]
	grad := make([]float64, j.Dim())
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		j.LogDensityGrad(theta, grad)
	}
}

// BenchmarkSampleRandomEffects times one conditional draw of all random
// effects on sleepstudy.
func BenchmarkSampleRandomEffects(b *testing.B) {
	d := loadSleepstudy(b)
	col := NewCollapsed(d, sleepstudyPrior())
	rng := rand.New(rand.NewPCG(6, 1))
	dst := make([]float64, d.M()*d.Q())
	theta := sleepstudyPoints[0]
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		col.SampleRandomEffects(rng, theta, dst)
	}
}

// BenchmarkNewStats times the one pass over a synthetic 100 000-row design
// with P = 4, Q = 2 and 1000 groups.
func BenchmarkNewStats(b *testing.B) {
	rng := rand.New(rand.NewPCG(6, 2))
	d := randomDesign(rng, designCase{p: 4, q: 2, intercept: true}, 100_000, 1001)
	b.Run(fmt.Sprintf("N=%d/M=%d", d.N(), d.M()-1), func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			NewStats(d)
		}
	})
}

// BenchmarkLargeDesign times both targets on the synthetic 100 000-row
// design (P = 4, Q = 2, 1000 non-empty groups): the cost follows M, not N.
func BenchmarkLargeDesign(b *testing.B) {
	rng := rand.New(rand.NewPCG(6, 3))
	d := randomDesign(rng, designCase{p: 4, q: 2, intercept: true}, 100_000, 1001)
	pr := randomPrior(rng, d)
	s := NewStats(d)
	b.Run("collapsed", func(b *testing.B) {
		c := NewCollapsedStats(s, pr)
		theta := randomTheta(rng, c.Dim())
		grad := make([]float64, c.Dim())
		b.ReportAllocs()
		for b.Loop() {
			c.LogDensityGrad(theta, grad)
		}
	})
	b.Run("joint", func(b *testing.B) {
		j := NewJointStats(s, pr)
		theta := randomTheta(rng, j.Dim())
		grad := make([]float64, j.Dim())
		b.ReportAllocs()
		for b.Loop() {
			j.LogDensityGrad(theta, grad)
		}
	})
}

// BenchmarkCorrelated times the collapsed and joint log density and
// gradient on sleepstudy with correlated effects, (Days | Subject): one
// correlation coordinate more than the uncorrelated benchmarks above.
func BenchmarkCorrelated(b *testing.B) {
	d := loadSleepstudy(b)
	d.Correlated = true
	pr := sleepstudyPrior()
	pr.LKJ = 1
	b.Run("collapsed", func(b *testing.B) {
		c := NewCollapsed(d, pr)
		theta := append(append([]float64(nil), sleepstudyPoints[0]...), 0.3)
		grad := make([]float64, c.Dim())
		b.ReportAllocs()
		for b.Loop() {
			c.LogDensityGrad(theta, grad)
		}
	})
	b.Run("joint", func(b *testing.B) {
		j := NewJoint(d, pr)
		pts := sleepstudyJointPoints(d.M(), d.Q())[0]
		p := d.P() + d.Q() + 1
		theta := append(append(append([]float64(nil), pts[:p]...), 0.3), pts[p:]...)
		grad := make([]float64, j.Dim())
		b.ReportAllocs()
		for b.Loop() {
			j.LogDensityGrad(theta, grad)
		}
	})
}
