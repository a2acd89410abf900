package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// EffectShape is the distribution family of the random effects.
type EffectShape int

const (
	// EffectNormal draws b_g ~ N(0, diag σ_b²), as the model assumes.
	EffectNormal EffectShape = iota
	// EffectSkewed draws each b_g,k from a centred log-normal
	// exp(s·z) − exp(s²/2), z ~ N(0, 1), scaled to variance σ_b,k². Its
	// skewness is (e^{s²} + 2)·√(e^{s²} − 1), about 6.2 at s = 1.
	EffectSkewed
	// EffectHeavyTailed draws each b_g,k from a Student-t with
	// Misspec.EffectDF degrees of freedom scaled to variance σ_b,k².
	EffectHeavyTailed
)

// String returns the name of the shape.
func (s EffectShape) String() string {
	switch s {
	case EffectNormal:
		return "normal"
	case EffectSkewed:
		return "skewed"
	case EffectHeavyTailed:
		return "heavy-tailed"
	}
	return fmt.Sprintf("EffectShape(%d)", int(s))
}

// Misspec describes departures from the model for robustness studies. The
// zero value is the model itself. Each departure keeps the variance that
// the model parameter describes, so Truth keeps its meaning: σ is still the
// (average) residual standard deviation and σ_b the random-effect standard
// deviation.
type Misspec struct {
	// NoiseDF > 0 draws the residuals from a Student-t with NoiseDF degrees
	// of freedom scaled to variance σ²; it must exceed 2.
	NoiseDF float64
	// Heteroscedastic γ ≠ 0 makes the residual standard deviation of row i
	// σ·exp(γ·x_i1)/c, with x_1 the first non-intercept predictor and c
	// chosen so the mean residual variance over the rows is σ². Datasets
	// without a predictor stay homoscedastic, with a warning.
	Heteroscedastic float64
	// Effects is the distribution family of the random effects.
	Effects EffectShape
	// EffectDF is the degrees of freedom of EffectHeavyTailed; it must
	// exceed 2. Default (0) 3.
	EffectDF float64
	// EffectSkew is the log-scale s of EffectSkewed. Default (0) 1.
	EffectSkew float64
}

// Active reports whether any departure is switched on.
func (m Misspec) Active() bool {
	return m.NoiseDF != 0 || m.Heteroscedastic != 0 || m.Effects != EffectNormal
}

func (m Misspec) validate() error {
	switch {
	case m.NoiseDF != 0 && !(m.NoiseDF > 2):
		return fmt.Errorf("sim: config: Misspec.NoiseDF = %g, want 0 or > 2", m.NoiseDF)
	case math.IsNaN(m.Heteroscedastic) || math.IsInf(m.Heteroscedastic, 0):
		return fmt.Errorf("sim: config: Misspec.Heteroscedastic = %g, want finite", m.Heteroscedastic)
	case m.Effects < EffectNormal || m.Effects > EffectHeavyTailed:
		return fmt.Errorf("sim: config: Misspec.Effects = %v, unknown", m.Effects)
	case m.EffectDF != 0 && !(m.EffectDF > 2):
		return fmt.Errorf("sim: config: Misspec.EffectDF = %g, want 0 or > 2", m.EffectDF)
	case m.EffectSkew < 0 || math.IsNaN(m.EffectSkew) || math.IsInf(m.EffectSkew, 0):
		return fmt.Errorf("sim: config: Misspec.EffectSkew = %g, want finite ≥ 0", m.EffectSkew)
	}
	return nil
}

// effectDF returns the heavy-tailed degrees of freedom with its default.
func (m Misspec) effectDF() float64 {
	if m.EffectDF == 0 {
		return 3
	}
	return m.EffectDF
}

// effectSkew returns the skewed log-scale with its default.
func (m Misspec) effectSkew() float64 {
	if m.EffectSkew == 0 {
		return 1
	}
	return m.EffectSkew
}

// drawEffect returns one random effect with standard deviation sd under
// the configured shape.
func (m Misspec) drawEffect(rng *rand.Rand, sd float64) float64 {
	switch m.Effects {
	case EffectSkewed:
		s := m.effectSkew()
		// Centred log-normal: mean e^{s²/2}, variance (e^{s²} − 1)e^{s²}.
		mean := math.Exp(s * s / 2)
		scale := math.Sqrt(math.Expm1(s*s) * math.Exp(s*s))
		return sd * (math.Exp(s*rng.NormFloat64()) - mean) / scale
	case EffectHeavyTailed:
		return sd * unitStudentT(rng, m.effectDF())
	}
	return sd * rng.NormFloat64()
}

// drawNoise returns one residual with standard deviation sd.
func (m Misspec) drawNoise(rng *rand.Rand, sd float64) float64 {
	if m.NoiseDF != 0 {
		return sd * unitStudentT(rng, m.NoiseDF)
	}
	return sd * rng.NormFloat64()
}
