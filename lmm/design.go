package lmm

import "fmt"

// Design is a mixed-model dataset in numeric form: the response, the
// fixed-effect model matrix X, the grouping of the rows and the names of the
// fixed and random terms. It is built by package lmm/frame from a CSV file
// and an lme4 formula, or directly by the simulator.
//
// X is stored row-major and uncentred; when the model has an intercept,
// column 0 is the intercept column of ones. The random-effect design Z holds
// the columns RandomCol of X, so every random term is also a fixed term, as in
// metabeta.
type Design struct {
	Formula  string // the formula the design was built from, if any
	Response string // name of the response column
	Group    string // name of the grouping factor

	Fixed     []string // fixed-effect term names, e.g. "Intercept", "Days", "SexMale"
	Random    []string // random-effect term names; each is also in Fixed
	RandomCol []int    // RandomCol[k] is the column of X that random term k uses
	Intercept bool     // true when Fixed[0] is "Intercept"
	// Correlated is true when the random effects of a group are correlated,
	// Σ_b = diag(σ_b) Ω diag(σ_b) with Ω ~ LKJ(η) (lme4's (1 + x | g)); false
	// for independent effects (lme4's (1 + x || g)). With one random term the
	// two models coincide.
	Correlated bool
	Levels     []string // group level labels; row i belongs to Levels[G[i]]

	Y []float64 // response, length N
	X []float64 // fixed-effect model matrix, N×P row-major
	G []int     // group index of each row, in [0, M)

	NDropped int // rows dropped because a used column was missing
}

// N returns the number of observations.
func (d *Design) N() int { return len(d.Y) }

// P returns the number of fixed effects, intercept included.
func (d *Design) P() int { return len(d.Fixed) }

// Q returns the number of random effects per group.
func (d *Design) Q() int { return len(d.Random) }

// M returns the number of groups.
func (d *Design) M() int { return len(d.Levels) }

// NCor returns the number of random-effect correlations, Q(Q−1)/2 when the
// effects are correlated and 0 otherwise.
func (d *Design) NCor() int {
	if !d.Correlated {
		return 0
	}
	return NumCor(d.Q())
}

// Dim returns the number of global parameters: P coefficients, Q random-effect
// standard deviations, the residual standard deviation and NCor correlations.
func (d *Design) Dim() int { return d.P() + d.Q() + 1 + d.NCor() }

// GroupSizes returns the number of observations in each group.
func (d *Design) GroupSizes() []int {
	n := make([]int, d.M())
	for _, g := range d.G {
		n[g]++
	}
	return n
}

// ColumnMeans returns the sample mean of each column of X. The intercept
// column, when present, gets mean 0 so that subtracting the result centres
// every predictor but leaves the intercept column at one.
func (d *Design) ColumnMeans() []float64 {
	p := d.P()
	mean := make([]float64, p)
	n := d.N()
	for i := 0; i < n; i++ {
		row := d.X[i*p : (i+1)*p]
		for k, v := range row {
			mean[k] += v
		}
	}
	for k := range mean {
		mean[k] /= float64(n)
	}
	if d.Intercept {
		mean[0] = 0
	}
	return mean
}

// Validate checks the internal consistency of the design: slice lengths,
// group indices, term names and the random-effect columns. It does not judge
// whether the model is estimable; package frame does that with user-facing
// messages.
func (d *Design) Validate() error {
	n, p, q := d.N(), d.P(), d.Q()
	switch {
	case p == 0:
		return fmt.Errorf("lmm: design has no fixed effects")
	case len(d.X) != n*p:
		return fmt.Errorf("lmm: X has %d values, want N×P = %d×%d", len(d.X), n, p)
	case len(d.G) != n:
		return fmt.Errorf("lmm: G has %d values, want N = %d", len(d.G), n)
	case len(d.RandomCol) != q:
		return fmt.Errorf("lmm: RandomCol has %d entries, want Q = %d", len(d.RandomCol), q)
	case d.Intercept && d.Fixed[0] != "Intercept":
		return fmt.Errorf("lmm: Intercept is set but the first fixed term is %q", d.Fixed[0])
	}
	for k, c := range d.RandomCol {
		if c < 0 || c >= p {
			return fmt.Errorf("lmm: random term %q uses column %d, outside 0..%d", d.Random[k], c, p-1)
		}
		if d.Fixed[c] != d.Random[k] {
			return fmt.Errorf("lmm: random term %q points at fixed term %q", d.Random[k], d.Fixed[c])
		}
	}
	m := d.M()
	for i, g := range d.G {
		if g < 0 || g >= m {
			return fmt.Errorf("lmm: row %d has group %d, outside 0..%d", i, g, m-1)
		}
	}
	return nil
}
