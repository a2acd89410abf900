package sim

import (
	"errors"
	"fmt"
	"iter"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/metabeta-go/metabeta/lmm"
)

// Source says where a dataset's predictors and grouping came from.
type Source int

const (
	// SourceSynthetic is metabeta's predictor mixture (see Family),
	// standardized to mean 0 and SD 1.
	SourceSynthetic Source = iota
	// SourceReal is a subsample of one of Config.RealDesigns: standardized
	// under RealFraction, in the source's own units under Designs.
	SourceReal
	// SourceShifted is metabeta's mixture moved away from zero: continuous
	// columns located 0.5–6 SDs from zero and rescaled, integer counts and
	// 0/1 dummies, none centred (see Config.Designs).
	SourceShifted
	// SourceLongitudinal is a time or age grid shared by every group
	// (balanced, or with dropout), with time-varying and group-level
	// covariates.
	SourceLongitudinal
	// SourceBetween has group-level predictors, constant within each group,
	// and dummies with rare levels, beside shifted within-group predictors.
	SourceBetween
	// NumSources is the number of sources.
	NumSources
)

var sourceNames = [NumSources]string{"synthetic", "real", "shifted", "longitudinal", "between"}

// String returns the name of the source.
func (s Source) String() string {
	if s >= 0 && s < NumSources {
		return sourceNames[s]
	}
	return fmt.Sprintf("Source(%d)", int(s))
}

// Sample is one simulated dataset with everything that generated it.
type Sample struct {
	Index  int         // the dataset index it was drawn for
	Design *lmm.Design // the data; passes Validate
	Prior  lmm.Prior   // the prior drawn from the hyperprior (standardized units)
	Truth  lmm.Params  // the parameters drawn from Prior; Beta is original-scale
	// RandomEffects are the group effects b_g, M·Q values group-major, in
	// the order of Design.RandomNames.
	RandomEffects []float64

	Source Source
	// Families is the family of each non-intercept column but the
	// interaction (synthetic and shifted sources only; nil otherwise).
	Families []Family
	// RealDesign is the index in Config.RealDesigns of the source design,
	// or −1 for synthetic data.
	RealDesign int
	// SourceRows are the rows of the source design used, in output order
	// (real source only). Output row r is source row SourceRows[r].
	SourceRows []int
	// SourceCols are the columns of the source design's X used for the
	// output columns 1..P−1, in order (real source only; without the
	// interaction column).
	SourceCols []int
	// Interaction is nil, or the two columns a < b of Design.X whose
	// product x_a·x_b is the last column, named "xa:xb".
	Interaction []int
	// GroupLevel marks, for each non-intercept column, a predictor that is
	// constant within every group (nil for SourceSynthetic and under
	// RealFraction).
	GroupLevel []bool
	// Attempts is the number of draws made, 1 unless a draw had a constant
	// predictor column and was redrawn.
	Attempts int
	// Warnings note departures from the configuration, e.g. a
	// misspecification that could not be applied.
	Warnings []string
}

// maxAttempts bounds the redraws of a dataset whose predictors came out
// degenerate (a constant column after subsampling or redrawing).
const maxAttempts = 20

// Simulator draws datasets from the metabeta-style generative process. It
// is immutable after New and safe for concurrent use: every dataset gets its
// own random stream derived from (seed, index).
type Simulator struct {
	cfg Config
}

// New returns a simulator for cfg, or an error naming the first invalid
// field. The Config (including the RealDesigns slice) is copied; the
// designs themselves are shared and must not be modified afterwards.
func New(cfg Config) (*Simulator, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.RealDesigns = append([]*lmm.Design(nil), cfg.RealDesigns...)
	return &Simulator{cfg: cfg}, nil
}

// Config returns a copy of the simulator's configuration.
func (s *Simulator) Config() Config { return s.cfg }

// Stream returns the random stream of dataset index under seed:
// rand.New(rand.NewPCG(seed, index)). Any worker can thus draw dataset i
// on its own, and the output for a seed does not depend on the number of
// workers.
func Stream(seed uint64, index int) *rand.Rand {
	return rand.New(rand.NewPCG(seed, uint64(index)))
}

// Sample draws dataset index under seed; the result is a deterministic
// function of (configuration, seed, index). It panics if index < 0.
func (s *Simulator) Sample(seed uint64, index int) (*Sample, error) {
	if index < 0 {
		panic("sim: negative dataset index")
	}
	smp, err := s.Draw(Stream(seed, index))
	if err != nil {
		return nil, fmt.Errorf("sim: dataset %d (seed %d): %w", index, seed, err)
	}
	smp.Index = index
	return smp, nil
}

// All yields datasets 0..n−1 under seed in order (each Sample carries its
// Index). After an error it yields (nil, err) and stops.
func (s *Simulator) All(seed uint64, n int) iter.Seq2[*Sample, error] {
	return func(yield func(*Sample, error) bool) {
		for i := range n {
			smp, err := s.Sample(seed, i)
			if !yield(smp, err) || err != nil {
				return
			}
		}
	}
}

// Draw draws one dataset from rng. Sample is Draw on the stream of
// (seed, index); Draw lets a caller supply its own stream.
func (s *Simulator) Draw(rng *rand.Rand) (*Sample, error) {
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		smp, err := s.draw(rng)
		if errors.Is(err, errDegenerate) {
			continue
		}
		if err != nil {
			return nil, err
		}
		smp.Attempts = attempt
		return smp, nil
	}
	return nil, fmt.Errorf("%w in %d draws in a row", errDegenerate, maxAttempts)
}

// draw makes one attempt at a dataset.
func (s *Simulator) draw(rng *rand.Rand) (*Sample, error) {
	c := &s.cfg
	d, q, m := drawShape(rng, c)
	if c.mixed() {
		return s.drawMixed(rng, d, q, m)
	}
	smp := &Sample{RealDesign: -1}
	var (
		sizes []int
		x     []float64
	)
	inter := c.drawInteraction(rng, d)
	if inter {
		d-- // the predictors the product is made of
	}
	if c.RealFraction > 0 && rng.Float64() < c.RealFraction {
		smp.Source = SourceReal
		smp.RealDesign = rng.IntN(len(c.RealDesigns))
		src := c.RealDesigns[smp.RealDesign]
		sub := drawRealSubset(rng, c, src, d, m)
		d, m, sizes = sub.d, sub.m, sub.sizes
		q = min(q, d)
		x = make([]float64, len(sub.rows)*d)
		sub.fill(src, x)
		if err := standardize(x[1:], d, d-1); err != nil {
			return nil, err
		}
		smp.SourceRows, smp.SourceCols = sub.rows, sub.cols
	} else {
		sizes = drawGroupSizes(rng, c, m, nil)
		n := sum(sizes)
		x = make([]float64, n*d)
		for r := range n {
			x[r*d] = 1
		}
		fam, err := synthetic(rng, c, n, d, x)
		if err != nil {
			return nil, err
		}
		smp.Families = fam
	}
	s.finishSample(rng, smp, x, d, q, sizes, inter)
	return smp, nil
}

// finishSample completes smp from its standardized n×d predictors x
// (intercept in column 0) and group sizes: with inter, a product of two
// columns appended (addInteraction, in standardized units), the random
// columns drawn from every column, the design built, and the parameters
// and response drawn.
func (s *Simulator) finishSample(rng *rand.Rand, smp *Sample, x []float64, d, q int, sizes []int, inter bool) {
	var scale []float64 // nil: every column standardized
	if inter {
		if x, smp.Interaction = addInteraction(rng, x, d, 0); smp.Interaction != nil {
			d++
			scale = productScale(x, d)
		}
	}
	random := s.cfg.randomColumns(rng, min(q, d), allTrue(d-1), smp.Interaction != nil)
	smp.Design = newDesign(d, random, smp.Interaction, sizes, x)
	s.drawParams(rng, smp, scale)
}

// newDesign wraps the n×d predictors x (intercept in column 0) grouped by
// sizes into a Design with terms Intercept, x1, …, random terms those of
// the columns random (in order), group "g" with levels "1".."m" and a zero
// response. With pair = [a, b] non-nil, the last column is the interaction
// of columns a and b and is named "xa:xb", as R names it.
func newDesign(d int, random, pair []int, sizes []int, x []float64) *lmm.Design {
	n := sum(sizes)
	q := len(random)
	des := &lmm.Design{
		Response:  "y",
		Group:     "g",
		Fixed:     make([]string, d),
		Random:    make([]string, q),
		RandomCol: random,
		Intercept: true,
		Levels:    make([]string, len(sizes)),
		Y:         make([]float64, n),
		X:         x,
		G:         make([]int, 0, n),
	}
	des.Fixed[0] = "Intercept"
	for j := 1; j < d; j++ {
		des.Fixed[j] = "x" + strconv.Itoa(j)
	}
	if pair != nil {
		des.Fixed[d-1] = des.Fixed[pair[0]] + ":" + des.Fixed[pair[1]]
	}
	for k, col := range random {
		des.Random[k] = des.Fixed[col]
	}
	for g, size := range sizes {
		des.Levels[g] = strconv.Itoa(g + 1)
		for range size {
			des.G = append(des.G, g)
		}
	}
	des.Formula = formula(des)
	return des
}

// formula returns the lme4 formula of a simulated design, e.g.
// "y ~ 1 + x1 + x2 + (1 + x1 || g)": two or more uncorrelated random terms
// use "||", correlated ones (and a single one) "|".
func formula(d *lmm.Design) string {
	var b strings.Builder
	b.WriteString(d.Response + " ~ 1")
	for _, t := range d.Fixed[1:] {
		b.WriteString(" + " + t)
	}
	if q := d.Q(); q > 0 {
		terms := append([]string{"1"}, d.Random[1:]...)
		bar := " | "
		if q > 1 && !d.Correlated {
			bar = " || "
		}
		b.WriteString(" + (" + strings.Join(terms, " + ") + bar + d.Group + ")")
	}
	return b.String()
}
