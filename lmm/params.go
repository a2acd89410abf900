package lmm

// Params are the global parameters of the model on their natural scale.
type Params struct {
	Beta   []float64 // fixed effects, length P, original (uncentred) parametrization
	SigmaB []float64 // random-effect standard deviations, length Q
	Sigma  float64   // residual standard deviation
	Cor    []float64 // random-effect correlations Ω_ij, i = 1..Q−1, j < i (the Names order); length NCor
}

// Names returns the brms names of the global parameters in the order of θ:
// b_*, sd_<group>__*, sigma, then cor_<group>__<term j>__<term i> for
// i = 1..Q−1, j = 0..i−1 when the effects are correlated (brms's order).
func (d *Design) Names() []string {
	names := make([]string, 0, d.Dim())
	for _, t := range d.Fixed {
		names = append(names, "b_"+t)
	}
	for _, t := range d.Random {
		names = append(names, "sd_"+d.Group+"__"+t)
	}
	names = append(names, "sigma")
	if d.Correlated {
		for i := 1; i < d.Q(); i++ {
			for j := 0; j < i; j++ {
				names = append(names, "cor_"+d.Group+"__"+d.Random[j]+"__"+d.Random[i])
			}
		}
	}
	return names
}

// RandomNames returns the brms names of the random effects, group-major:
// r_<group>[<level>,<term>] for each level, then each term.
func (d *Design) RandomNames() []string {
	names := make([]string, 0, d.M()*d.Q())
	for _, l := range d.Levels {
		for _, t := range d.Random {
			names = append(names, "r_"+d.Group+"["+l+","+t+"]")
		}
	}
	return names
}

// Centred converts coefficients between the original parametrization and the
// centred one used by the prior and the samplers. In the centred
// parametrization the intercept is that of the model whose non-intercept
// predictors are centred at their sample means: α = β₀ + x̄ᵀβ₁:. Slopes are
// unchanged. Without an intercept the two coincide.
type Centred struct {
	Mean      []float64 // column means of X, 0 for the intercept column
	Intercept bool
}

// NewCentred returns the centring of d. Without an intercept nothing is
// centred and Mean is all zero.
func NewCentred(d *Design) Centred {
	if !d.Intercept {
		return Centred{Mean: make([]float64, d.P())}
	}
	return Centred{Mean: d.ColumnMeans(), Intercept: true}
}

// ToOriginal writes the original-scale coefficients for the centred
// coefficients bc into dst and returns dst. dst and bc may be the same slice.
func (c Centred) ToOriginal(dst, bc []float64) []float64 {
	if len(dst) != len(bc) || len(bc) != len(c.Mean) {
		panic("lmm: coefficient length mismatch")
	}
	shift := c.shift(bc)
	copy(dst, bc)
	if c.Intercept {
		dst[0] = bc[0] - shift
	}
	return dst
}

// ToCentred writes the centred coefficients for the original-scale
// coefficients b into dst and returns dst. dst and b may be the same slice.
func (c Centred) ToCentred(dst, b []float64) []float64 {
	if len(dst) != len(b) || len(b) != len(c.Mean) {
		panic("lmm: coefficient length mismatch")
	}
	shift := c.shift(b)
	copy(dst, b)
	if c.Intercept {
		dst[0] = b[0] + shift
	}
	return dst
}

// shift returns x̄ᵀb over the non-intercept columns.
func (c Centred) shift(b []float64) float64 {
	s := 0.0
	for k, m := range c.Mean {
		s += m * b[k]
	}
	return s
}
