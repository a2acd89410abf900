package sim

import (
	"errors"
	"fmt"
	"math"

	"github.com/metabeta-go/metabeta/lmm"
)

// IntRange is an inclusive range of integers [Min, Max].
type IntRange struct {
	Min, Max int
}

// Range is a closed interval [Min, Max] of reals.
type Range struct {
	Min, Max float64
}

// Config sets the ranges and options of the simulator. Start from
// DefaultConfig and change fields; New rejects an invalid Config (the zero
// Config included, since its ranges are empty). All hyperprior ranges are in
// standardized units: every non-intercept predictor has sample mean 0 and
// sample standard deviation 1.
type Config struct {
	// Fixed is the range of d, the number of fixed effects including the
	// intercept; d is uniform on it. Default [1, 6].
	Fixed IntRange
	// Random is the range of q, the number of random effects; q is uniform
	// on [min(d, Random.Min), min(d, Random.Max)]. Default [0, 3].
	Random IntRange
	// Groups is the range of m, the number of groups; m is drawn
	// log-uniformly on it and rounded down. Default [5, 200].
	Groups IntRange
	// GroupSize bounds the group sizes n_g. A per-dataset mean μ is drawn
	// log-uniformly on [Min, min(Max, MaxRows/m)], then each n_g is a
	// gamma–Poisson (negative binomial) draw with mean μ and shape
	// GroupSizeShape, clamped to the range. Default [2, 100].
	GroupSize IntRange
	// GroupSizeShape is the gamma shape k of the per-group size variation:
	// Var(n_g) = μ + μ²/k. Smaller is more unbalanced. Default 4.
	GroupSizeShape float64
	// MaxRows caps the total number of rows N; group sizes are shrunk
	// proportionally when a draw exceeds it. 0 means no cap. Default 3000
	// (the cap of metabeta's HEAD shape profile).
	MaxRows int

	// FamilyWeights are the mixture weights of the predictor families,
	// indexed by Family. Default metabeta's .10, .40, .05, .25, .10, .10.
	FamilyWeights [NumFamilies]float64
	// LKJEta is the concentration η of the LKJ distribution of the
	// correlation induced between synthetic predictors. Default 10; larger
	// is closer to independence.
	LKJEta float64

	// RealFraction is the probability that a dataset takes its predictors
	// and grouping from RealDesigns instead of the synthetic mixture.
	// Default 0.
	RealFraction float64
	// RealDesigns is the pool of real designs to subsample. Each must have
	// an intercept and pass Validate.
	RealDesigns []*lmm.Design

	// Designs are the weights of the design sources, indexed by Source:
	// each dataset takes its predictors and groups from a source drawn
	// with these weights (see the package documentation, "Design
	// sources"). The zero value draws exactly as before the field existed:
	// synthetic predictors, or RealFraction's standardized real designs.
	// Non-zero weights exclude RealFraction; a weight on SourceReal needs
	// RealDesigns. TrainingMix sets the weights used for training.
	Designs [NumSources]float64

	// Nu is the range of the uniform hyperprior on the prior means ν of
	// the coefficients. Default [−3, 3].
	Nu Range
	// TauBeta, TauRandom and TauSigma are the ranges of the log-uniform
	// hyperpriors on the prior scales τ_β (per coefficient), τ_b (per random
	// effect) and τ_ε. Default [0.03, 3] each.
	TauBeta, TauRandom, TauSigma Range

	// CorrelatedQ2 is the probability that a dataset with q = 2 random
	// effects has correlated ones (Design.Correlated, Ω ~ LKJ(η));
	// CorrelatedQ3 is that probability for q ≥ 3. Default 0.8 and 0.5, as
	// metabeta's current simulator (era C). Zero draws nothing: the
	// effects stay independent, as before the fields existed.
	CorrelatedQ2, CorrelatedQ3 float64
	// CorEta is the range of the uniform hyperprior on the LKJ shape η of
	// a correlated dataset's random-effect correlations; the dataset's
	// Prior.LKJ is its η. Default [1, 2] (metabeta era C).
	CorEta Range
	// Interaction is the probability that a dataset with d ≥ 4 spends its
	// last fixed effect on the product x_a·x_b of two of its other
	// predictors, named "xa:xb" as R names it. Default 0.25; zero draws
	// nothing, as before the field existed.
	Interaction float64
	// InteractionRandom is the probability that such a product is also a
	// random slope, when q ≥ 2 and the product varies within groups.
	// Default 0.5.
	InteractionRandom float64

	// Misspec switches on departures from the model, for robustness
	// studies. The zero value simulates the model exactly.
	Misspec Misspec
}

// DefaultConfig returns the default configuration: sizes as in the table of
// the package documentation, synthetic predictors only, and no
// misspecification.
func DefaultConfig() Config {
	return Config{
		Fixed:          IntRange{1, 6},
		Random:         IntRange{0, 3},
		Groups:         IntRange{5, 200},
		GroupSize:      IntRange{2, 100},
		GroupSizeShape: 4,
		MaxRows:        3000,
		FamilyWeights:  metabetaWeights,
		LKJEta:         10,
		Nu:             Range{-3, 3},
		TauBeta:        Range{0.03, 3},
		TauRandom:      Range{0.03, 3},
		TauSigma:       Range{0.03, 3},

		CorrelatedQ2:      0.8,
		CorrelatedQ3:      0.5,
		CorEta:            Range{1, 2},
		Interaction:       0.25,
		InteractionRandom: 0.5,
	}
}

// metabetaWeights are the family probabilities of metabeta's synthetic
// predictors (metabeta/data/tasks.py, era A).
var metabetaWeights = [NumFamilies]float64{0.10, 0.40, 0.05, 0.25, 0.10, 0.10}

// Validate reports the first inconsistency in c, naming the field.
func (c *Config) Validate() error {
	switch {
	case c.Fixed.Min < 1 || c.Fixed.Max < c.Fixed.Min:
		return fmt.Errorf("sim: config: Fixed = %v, want 1 ≤ Min ≤ Max", c.Fixed)
	case c.Random.Min < 0 || c.Random.Max < c.Random.Min || c.Random.Min > c.Fixed.Max:
		return fmt.Errorf("sim: config: Random = %v, want 0 ≤ Min ≤ Max and Min ≤ Fixed.Max", c.Random)
	case c.Groups.Min < 1 || c.Groups.Max < c.Groups.Min:
		return fmt.Errorf("sim: config: Groups = %v, want 1 ≤ Min ≤ Max", c.Groups)
	case c.GroupSize.Min < 1 || c.GroupSize.Max < c.GroupSize.Min:
		return fmt.Errorf("sim: config: GroupSize = %v, want 1 ≤ Min ≤ Max", c.GroupSize)
	case c.Groups.Min*c.GroupSize.Min < 2:
		return errors.New("sim: config: Groups.Min·GroupSize.Min must be at least 2 so predictors can be standardized")
	case !(c.GroupSizeShape > 0) || math.IsInf(c.GroupSizeShape, 0):
		return fmt.Errorf("sim: config: GroupSizeShape = %g, want finite > 0", c.GroupSizeShape)
	case c.MaxRows < 0 || (c.MaxRows > 0 && c.MaxRows < c.Groups.Max*c.GroupSize.Min):
		return fmt.Errorf("sim: config: MaxRows = %d, want 0 or ≥ Groups.Max·GroupSize.Min = %d", c.MaxRows, c.Groups.Max*c.GroupSize.Min)
	case !(c.LKJEta > 0) || math.IsInf(c.LKJEta, 0):
		return fmt.Errorf("sim: config: LKJEta = %g, want finite > 0", c.LKJEta)
	case !(c.RealFraction >= 0 && c.RealFraction <= 1):
		return fmt.Errorf("sim: config: RealFraction = %g, want in [0, 1]", c.RealFraction)
	case c.RealFraction > 0 && len(c.RealDesigns) == 0:
		return errors.New("sim: config: RealFraction > 0 but RealDesigns is empty")
	}
	if err := c.validateDesigns(); err != nil {
		return err
	}
	total := 0.0
	for f, w := range c.FamilyWeights {
		if !(w >= 0) || math.IsInf(w, 0) {
			return fmt.Errorf("sim: config: FamilyWeights[%v] = %g, want finite ≥ 0", Family(f), w)
		}
		total += w
	}
	if !(total > 0) {
		return errors.New("sim: config: FamilyWeights are all zero")
	}
	if err := checkRange("Nu", c.Nu, false); err != nil {
		return err
	}
	for _, p := range []struct {
		name string
		p    float64
	}{{"CorrelatedQ2", c.CorrelatedQ2}, {"CorrelatedQ3", c.CorrelatedQ3}, {"Interaction", c.Interaction}, {"InteractionRandom", c.InteractionRandom}} {
		if !(p.p >= 0 && p.p <= 1) {
			return fmt.Errorf("sim: config: %s = %g, want a probability in [0, 1]", p.name, p.p)
		}
	}
	if c.CorrelatedQ2 > 0 || c.CorrelatedQ3 > 0 {
		if err := checkRange("CorEta", c.CorEta, true); err != nil {
			return err
		}
	}
	for _, r := range []struct {
		name string
		r    Range
	}{{"TauBeta", c.TauBeta}, {"TauRandom", c.TauRandom}, {"TauSigma", c.TauSigma}} {
		if err := checkRange(r.name, r.r, true); err != nil {
			return err
		}
	}
	for i, d := range c.RealDesigns {
		if err := checkRealDesign(d); err != nil {
			return fmt.Errorf("sim: config: RealDesigns[%d]: %w", i, err)
		}
	}
	return c.Misspec.validate()
}

// checkRange checks a hyperprior range; positive ranges are log-uniform.
func checkRange(name string, r Range, positive bool) error {
	if math.IsNaN(r.Min) || math.IsNaN(r.Max) || math.IsInf(r.Min, 0) || math.IsInf(r.Max, 0) || r.Max < r.Min {
		return fmt.Errorf("sim: config: %s = %v, want finite Min ≤ Max", name, r)
	}
	if positive && !(r.Min > 0) {
		return fmt.Errorf("sim: config: %s = %v, want Min > 0 (log-uniform)", name, r)
	}
	return nil
}
