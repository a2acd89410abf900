package lmm

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// Default prior multipliers, as rstanarm's data-scaled defaults (Gabry &
// Goodrich, "Prior distributions for rstanarm models"): coefficients get
// 2.5 response SDs per predictor SD; scales get one response SD per
// predictor SD.
const (
	DefaultCoefScale = 2.5
	DefaultSDScale   = 1.0
)

// DefaultPrior returns the documented data-scaled default prior of d:
//
//	centred intercept ~ N(mean(y), 2.5·sd(y))
//	b_x               ~ N(0, 2.5·sd(y)/sd(x))
//	sd of term x      ~ HalfNormal(sd(y)/sd(x)); HalfNormal(sd(y)) for the intercept
//	sigma             ~ HalfNormal(sd(y))
//
// Standard deviations are sample SDs (n−1 denominator), as R's sd. It
// returns an error when y or a predictor is constant, since the scale would
// then be undefined.
func DefaultPrior(d *Design) (Prior, error) {
	sy := sampleSD(d.Y, 1, 0)
	if !(sy > 0) || math.IsInf(sy, 0) {
		return Prior{}, fmt.Errorf("default prior: response %q has no spread (sd = %g)", d.Response, sy)
	}
	p, q := d.P(), d.Q()
	pr := Prior{
		BetaMean:   make([]float64, p),
		BetaSD:     make([]float64, p),
		SDScale:    make([]float64, q),
		SigmaScale: DefaultSDScale * sy,
	}
	colSD := make([]float64, p)
	for k := range p {
		if d.Intercept && k == 0 {
			colSD[k] = 1
			continue
		}
		colSD[k] = sampleSD(d.X, p, k)
		if !(colSD[k] > 0) {
			return Prior{}, fmt.Errorf("default prior: predictor %q is constant", d.Fixed[k])
		}
	}
	for k := range p {
		if d.Intercept && k == 0 {
			pr.BetaMean[0] = mean(d.Y)
			pr.BetaSD[0] = DefaultCoefScale * sy
			continue
		}
		pr.BetaSD[k] = DefaultCoefScale * sy / colSD[k]
	}
	for k, c := range d.RandomCol {
		pr.SDScale[k] = DefaultSDScale * sy / colSD[c]
	}
	return pr, nil
}

// mean returns the arithmetic mean of x.
func mean(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

// sampleSD returns the sample standard deviation (n−1 denominator) of column
// col of the row-major matrix x with the given stride (stride 1, col 0 for a
// plain vector).
func sampleSD(x []float64, stride, col int) float64 {
	n := len(x) / stride
	if n < 2 {
		return math.NaN()
	}
	m := 0.0
	for i := range n {
		m += x[i*stride+col]
	}
	m /= float64(n)
	ss := 0.0
	for i := range n {
		r := x[i*stride+col] - m
		ss += r * r
	}
	return math.Sqrt(ss / float64(n-1))
}

// NormalSpec is the JSON form of a normal prior.
type NormalSpec struct {
	Mean float64 `json:"mean"`
	SD   float64 `json:"sd"`
}

// partialNormal is NormalSpec with optional fields, for parsing.
type partialNormal struct {
	Mean *float64 `json:"mean"`
	SD   *float64 `json:"sd"`
}

// priorSpecJSON is the prior-spec file format:
//
//	{"b": {"Intercept": {"mean": M, "sd": S}, "<term>": {"mean": M, "sd": S}},
//	 "sd": {"<term>": SCALE},
//	 "sigma": SCALE}
type priorSpecJSON struct {
	B     map[string]partialNormal `json:"b"`
	SD    map[string]float64       `json:"sd"`
	Sigma *float64                 `json:"sigma"`
}

// ParsePrior reads a prior spec in JSON and resolves it against d: omitted
// entries take the defaults of DefaultPrior. An unknown term, an unknown key,
// a non-finite mean or a scale that is not positive and finite is an error
// that names the entry.
func ParsePrior(data []byte, d *Design) (Prior, error) {
	pr, err := DefaultPrior(d)
	if err != nil {
		return Prior{}, err
	}
	var spec priorSpecJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&spec); err != nil {
		return Prior{}, fmt.Errorf("prior spec: %w", err)
	}
	if dec.More() {
		return Prior{}, fmt.Errorf("prior spec: trailing data after the JSON object")
	}
	fixed := index(d.Fixed)
	for term, n := range spec.B {
		k, ok := fixed[term]
		if !ok {
			return Prior{}, fmt.Errorf("prior spec: b.%s: no fixed term %q in the formula (terms: %v)", term, term, d.Fixed)
		}
		if n.Mean != nil {
			if math.IsNaN(*n.Mean) || math.IsInf(*n.Mean, 0) {
				return Prior{}, fmt.Errorf("prior spec: b.%s.mean must be finite, got %g", term, *n.Mean)
			}
			pr.BetaMean[k] = *n.Mean
		}
		if n.SD != nil {
			if err := checkScale("b."+term+".sd", *n.SD); err != nil {
				return Prior{}, err
			}
			pr.BetaSD[k] = *n.SD
		}
	}
	random := index(d.Random)
	for term, s := range spec.SD {
		k, ok := random[term]
		if !ok {
			return Prior{}, fmt.Errorf("prior spec: sd.%s: no random term %q in the formula (random terms: %v)", term, term, d.Random)
		}
		if err := checkScale("sd."+term, s); err != nil {
			return Prior{}, err
		}
		pr.SDScale[k] = s
	}
	if spec.Sigma != nil {
		if err := checkScale("sigma", *spec.Sigma); err != nil {
			return Prior{}, err
		}
		pr.SigmaScale = *spec.Sigma
	}
	return pr, nil
}

func checkScale(name string, v float64) error {
	if !(v > 0) || math.IsInf(v, 0) {
		return fmt.Errorf("prior spec: %s must be positive and finite, got %g", name, v)
	}
	return nil
}

func index(names []string) map[string]int {
	m := make(map[string]int, len(names))
	for i, n := range names {
		m[n] = i
	}
	return m
}

// Check verifies that p has the shape of d and valid values. It reports
// programmer-facing problems as errors rather than panics because priors
// also come from files and simulators.
func (p Prior) Check(d *Design) error {
	if len(p.BetaMean) != d.P() || len(p.BetaSD) != d.P() || len(p.SDScale) != d.Q() {
		return fmt.Errorf("lmm: prior has %d/%d/%d entries, want P=%d, P=%d, Q=%d",
			len(p.BetaMean), len(p.BetaSD), len(p.SDScale), d.P(), d.P(), d.Q())
	}
	for k, t := range d.Fixed {
		if math.IsNaN(p.BetaMean[k]) || math.IsInf(p.BetaMean[k], 0) {
			return fmt.Errorf("prior: b.%s.mean must be finite, got %g", t, p.BetaMean[k])
		}
		if err := checkScale("b."+t+".sd", p.BetaSD[k]); err != nil {
			return err
		}
	}
	for k, t := range d.Random {
		if err := checkScale("sd."+t, p.SDScale[k]); err != nil {
			return err
		}
	}
	return checkScale("sigma", p.SigmaScale)
}

// SpecJSON renders p in the prior-spec format with the terms in design
// order, indented for people to read. The output parses back with ParsePrior
// to the same prior.
func (p Prior) SpecJSON(d *Design) []byte {
	var b bytes.Buffer
	num := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	b.WriteString("{\n  \"b\": {")
	for k, t := range d.Fixed {
		if k > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, "\n    %s: {\"mean\": %s, \"sd\": %s}", quote(t), num(p.BetaMean[k]), num(p.BetaSD[k]))
	}
	b.WriteString("\n  },\n  \"sd\": {")
	for k, t := range d.Random {
		if k > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, "\n    %s: %s", quote(t), num(p.SDScale[k]))
	}
	if d.Q() > 0 {
		b.WriteString("\n  ")
	}
	fmt.Fprintf(&b, "},\n  \"sigma\": %s\n}\n", num(p.SigmaScale))
	return b.Bytes()
}

// quote returns s as a JSON string literal.
func quote(s string) string {
	out, _ := json.Marshal(s) // a Go string always marshals
	return string(out)
}
