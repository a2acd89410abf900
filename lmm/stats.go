package lmm

import "fmt"

// Stats are the sufficient statistics of a design for the Gaussian linear
// mixed model: the cross-products of the centred fixed-effect design Xc, the
// raw random-effect design Z and the (shifted) response, globally and per
// group. They are computed once by NewStats in one pass over the rows; every
// density in this package is then evaluated from them alone, at a cost that
// grows with the number of groups M but not with the number of rows N.
//
// Xc is X with every non-intercept column centred at its sample mean when
// the model has an intercept (see Centred), and X itself otherwise. Z holds
// the columns RandomCol of the uncentred X. When the model has an intercept
// the statistics use the shifted response y − ȳ, for numerical stability;
// the densities undo the shift by moving the centred intercept by YShift, so
// callers never see it.
//
// The fields are read-only after construction; one Stats may be shared by
// any number of targets and goroutines.
type Stats struct {
	N, P, Q, M int // rows, fixed effects, random effects per group, groups
	NCor       int // correlations among the random effects: Q(Q−1)/2 when correlated, else 0

	Centred   Centred // the centring of X, for converting coefficients
	RandomCol []int   // RandomCol[k] is the column of X that random term k uses
	YShift    float64 // ȳ when the model has an intercept, else 0; y − YShift is used below

	XtX []float64 // XcᵀXc, P×P row-major
	XtY []float64 // Xcᵀ(y − YShift), length P
	YtY float64   // (y − YShift)ᵀ(y − YShift)

	GroupN []int     // rows in each group, length M
	ZtZ    []float64 // Z_gᵀZ_g for each group, M blocks of Q×Q row-major
	ZtX    []float64 // Z_gᵀXc_g for each group, M blocks of Q×P row-major
	ZtY    []float64 // Z_gᵀ(y_g − YShift) for each group, M blocks of length Q
}

// NewStats computes the sufficient statistics of d in one pass over its
// rows. It panics if d is inconsistent (d.Validate fails) or has no rows:
// designs reach this package already validated by package frame or by the
// simulator, so either is a programmer error.
func NewStats(d *Design) *Stats {
	if err := d.Validate(); err != nil {
		panic(fmt.Sprintf("lmm: NewStats: %v", err))
	}
	n, p, q, m := d.N(), d.P(), d.Q(), d.M()
	if n == 0 {
		panic("lmm: NewStats: design has no rows")
	}
	s := &Stats{
		N: n, P: p, Q: q, M: m, NCor: d.NCor(),
		Centred:   NewCentred(d),
		RandomCol: append([]int(nil), d.RandomCol...),
		XtX:       make([]float64, p*p),
		XtY:       make([]float64, p),
		GroupN:    make([]int, m),
		ZtZ:       make([]float64, m*q*q),
		ZtX:       make([]float64, m*q*p),
		ZtY:       make([]float64, m*q),
	}
	if d.Intercept {
		s.YShift = mean(d.Y)
	}
	xc := make([]float64, p)
	z := make([]float64, q)
	for i := 0; i < n; i++ {
		row := d.X[i*p : (i+1)*p]
		for k, v := range row {
			xc[k] = v - s.Centred.Mean[k]
		}
		for k, c := range d.RandomCol {
			z[k] = row[c]
		}
		y := d.Y[i] - s.YShift
		g := d.G[i]
		s.GroupN[g]++
		s.YtY += y * y
		for a, xa := range xc {
			s.XtY[a] += xa * y
			xtx := s.XtX[a*p : (a+1)*p]
			for b, xb := range xc {
				xtx[b] += xa * xb
			}
		}
		zty := s.ZtY[g*q : (g+1)*q]
		ztz := s.ZtZ[g*q*q : (g+1)*q*q]
		ztx := s.ZtX[g*q*p : (g+1)*q*p]
		for a, za := range z {
			zty[a] += za * y
			for b, zb := range z {
				ztz[a*q+b] += za * zb
			}
			for b, xb := range xc {
				ztx[a*p+b] += za * xb
			}
		}
	}
	return s
}

// Dim returns the dimension of the collapsed parameter vector,
// P + Q + 1 + NCor.
func (s *Stats) Dim() int { return s.P + s.Q + 1 + s.NCor }
