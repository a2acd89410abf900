package hmc

import (
	"math"
	"testing"
)

// quadTarget is a correlated Gaussian log density −½ xᵀAx with A given.
type quadTarget struct{ a []float64 }

func (q quadTarget) Dim() int { return int(math.Sqrt(float64(len(q.a)))) }
func (q quadTarget) LogDensityGrad(x, grad []float64) float64 {
	n := q.Dim()
	lp := 0.0
	for i := range n {
		s := 0.0
		for j := range n {
			s += q.a[i*n+j] * x[j]
		}
		grad[i] = -s
		lp -= 0.5 * x[i] * s
	}
	return lp
}

func TestAffineGradientAndMap(t *testing.T) {
	base := quadTarget{a: []float64{2, 0.5, 0.1, 0.5, 1, 0.2, 0.1, 0.2, 3}}
	shift := []float64{0.3, -1}
	l := []float64{0.5, 0, -0.2, 2}
	af := NewAffine(base, shift, l)
	u := []float64{0.7, -0.4, 1.3}
	g := make([]float64, 3)
	af.LogDensityGrad(u, g)
	gp := make([]float64, 3)
	const h = 1e-6
	for j := range u {
		up := append([]float64{}, u...)
		um := append([]float64{}, u...)
		up[j] += h
		um[j] -= h
		fd := (af.LogDensityGrad(up, gp) - af.LogDensityGrad(um, gp)) / (2 * h)
		if math.Abs(fd-g[j]) > 1e-7*math.Max(1, math.Abs(fd)) {
			t.Errorf("grad[%d] = %v, central difference %v", j, g[j], fd)
		}
	}
	x := make([]float64, 3)
	af.ToTarget(x, u)
	// x = shift + L·u on the first two coordinates, u on the third.
	want := []float64{0.3 + 0.5*0.7, -1 - 0.2*0.7 + 2*(-0.4), 1.3}
	for i := range x {
		if math.Abs(x[i]-want[i]) > 1e-15 {
			t.Errorf("x[%d] = %v, want %v", i, x[i], want[i])
		}
	}
	if n := testing.AllocsPerRun(100, func() { af.LogDensityGrad(u, g) }); n != 0 {
		t.Errorf("LogDensityGrad allocates %v times", n)
	}
}
