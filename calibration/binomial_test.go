package calibration

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

func TestBinomialCDF(t *testing.T) {
	// Values from R pbinom (testdata/reference.R).
	lf := logFactorials(1000)
	checkClose(t, "pbinom(40; 100, .5)", binomCDF(lf, 40, 100, 0.5), 0.0284439668204904, 1e-13)
	checkClose(t, "pbinom(3; 1000, .01)", binomCDF(lf, 3, 1000, 0.01), 0.0100726547720144, 1e-13)
	got := binomCDF(lf, 990, 1000, 0.999)
	if math.Abs(got-1.07428338684649e-07) > 1e-12*1.07428338684649e-07*1e3 {
		t.Errorf("pbinom(990; 1000, .999) = %.15g, want 1.07428338684649e-07", got)
	}
	// The survival function is the complement of the CDF and agrees with
	// gonum's distuv.Binomial (an independent implementation).
	for _, c := range []struct {
		k, n int
		p    float64
	}{{3, 10, 0.3}, {50, 100, 0.45}, {700, 1000, 0.72}, {0, 20, 0.1}} {
		d := distuv.Binomial{N: float64(c.n), P: c.p}
		checkClose(t, "binomCDF vs distuv", binomCDF(lf, c.k, c.n, c.p), d.CDF(float64(c.k)), 1e-10)
		checkClose(t, "binomSF vs distuv", binomSF(lf, c.k, c.n, c.p), 1-d.CDF(float64(c.k-1)), 1e-10)
	}
}

func TestBinomialQuantiles(t *testing.T) {
	// R qbinom (testdata/reference.R): qbinom(.005/.995, 1000, 1/20) =
	// 33/69 and qbinom(.025/.975, 200, 1/10) = 12/29.
	lf := logFactorials(1000)
	tt, _ := newBinomTails(lf, 1000, 1.0/20, 0.005, nil)
	if lo, hi := tt.lower(0.005), tt.upper(1000, 0.005); lo != 33 || hi != 69 {
		t.Errorf("quantiles of Bin(1000, 1/20) = %d, %d; want 33, 69", lo, hi)
	}
	tt, _ = newBinomTails(lf, 200, 0.1, 0.025, nil)
	if lo, hi := tt.lower(0.025), tt.upper(200, 0.025); lo != 12 || hi != 29 {
		t.Errorf("quantiles of Bin(200, 1/10) = %d, %d; want 12, 29", lo, hi)
	}
}
