package lmm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
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
//	correlations      ~ LKJ(1), uniform over correlation matrices (brms's lkj(1))
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
		LKJ:        1,
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
	if err := pr.checkValues(d); err != nil {
		return Prior{}, fmt.Errorf("default prior: %w (its scales are ratios of the SDs of the response and the predictors: put them in comparable units)", err)
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
//	 "sigma": SCALE,
//	 "cor": ETA}
//
// "cor" is the shape η of the LKJ prior on the correlations of correlated
// random effects, brms's lkj(η); it is ignored for independent ones.
type priorSpecJSON struct {
	B     map[string]partialNormal `json:"b"`
	SD    map[string]float64       `json:"sd"`
	Sigma *float64                 `json:"sigma"`
	Cor   *float64                 `json:"cor"`
}

// ParsePrior reads a prior spec in JSON and resolves it against d: omitted
// entries take the defaults of DefaultPrior. An empty spec, JSON that is not
// an object, an unknown term, an unknown key, a non-finite mean, a scale
// outside [2⁻⁵¹¹, 2⁵¹¹] (about 1.5e-154 to 6.7e153) or an LKJ shape "cor"
// outside (0, 1e6] (see checkLKJ) is an error that names the entry. "cor"
// is checked, and kept in the prior, even when d has no correlations.
func ParsePrior(data []byte, d *Design) (Prior, error) {
	pr, err := DefaultPrior(d)
	if err != nil {
		return Prior{}, err
	}
	spec, err := decodePriorSpec(data)
	if err != nil {
		return Prior{}, fmt.Errorf("prior spec: %w", err)
	}
	fixed := index(d.Fixed)
	for term, n := range spec.B {
		k, ok := fixed[term]
		if !ok {
			return Prior{}, fmt.Errorf("prior spec: b: no fixed term %s in the formula (terms: %v)", QuoteShort(term), d.Fixed)
		}
		if n.Mean != nil {
			if math.IsNaN(*n.Mean) || math.IsInf(*n.Mean, 0) {
				return Prior{}, fmt.Errorf("prior spec: b.%s.mean must be finite, got %g", term, *n.Mean)
			}
			pr.BetaMean[k] = *n.Mean
		}
		if n.SD != nil {
			if err := checkScale("b."+term+".sd", *n.SD); err != nil {
				return Prior{}, fmt.Errorf("prior spec: %w", err)
			}
			pr.BetaSD[k] = *n.SD
		}
	}
	random := index(d.Random)
	for term, s := range spec.SD {
		k, ok := random[term]
		if !ok {
			return Prior{}, fmt.Errorf("prior spec: sd: no random term %s in the formula (random terms: %v)", QuoteShort(term), d.Random)
		}
		if err := checkScale("sd."+term, s); err != nil {
			return Prior{}, fmt.Errorf("prior spec: %w", err)
		}
		pr.SDScale[k] = s
	}
	if spec.Sigma != nil {
		if err := checkScale("sigma", *spec.Sigma); err != nil {
			return Prior{}, fmt.Errorf("prior spec: %w", err)
		}
		pr.SigmaScale = *spec.Sigma
	}
	if spec.Cor != nil {
		if err := checkLKJ("cor", *spec.Cor); err != nil {
			return Prior{}, fmt.Errorf("prior spec: %w", err)
		}
		pr.LKJ = *spec.Cor
	}
	return pr, nil
}

// decodePriorSpec parses the JSON of a prior spec, turning encoding/json's
// messages, which name Go types and leave map keys out of paths, into ones
// that name the spec's entries. It decodes in two stages, the top level and
// then each term, so that every message has the entry's full path.
func decodePriorSpec(data []byte) (priorSpecJSON, error) {
	var spec priorSpecJSON
	data = bytes.TrimPrefix(data, []byte("\uFEFF")) // UTF-8 byte-order mark
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return spec, errors.New(`the spec is empty; write a JSON object such as {"sigma": 2}, or leave out --prior for the default prior`)
	}
	if trimmed[0] != '{' {
		return spec, fmt.Errorf(`want a JSON object such as {"sigma": 2}, got %s`, jsonKind(trimmed[0]))
	}
	var top struct {
		B     map[string]json.RawMessage `json:"b"`
		SD    map[string]json.RawMessage `json:"sd"`
		Sigma *float64                   `json:"sigma"`
		Cor   *float64                   `json:"cor"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := jsonError("", dec.Decode(&top)); err != nil {
		return spec, err
	}
	if dec.More() {
		return spec, errors.New("trailing data after the JSON object")
	}
	spec.Sigma, spec.Cor = top.Sigma, top.Cor
	if top.B != nil {
		spec.B = make(map[string]partialNormal, len(top.B))
	}
	for term, raw := range top.B {
		var n partialNormal
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := jsonError("b."+term, dec.Decode(&n)); err != nil {
			return spec, err
		}
		spec.B[term] = n
	}
	if top.SD != nil {
		spec.SD = make(map[string]float64, len(top.SD))
	}
	for term, raw := range top.SD {
		var v float64
		if err := jsonError("sd."+term, json.Unmarshal(raw, &v)); err != nil {
			return spec, err
		}
		spec.SD[term] = v
	}
	return spec, nil
}

// jsonError rewrites an encoding/json error met while decoding the entry at
// path ("" for the whole spec) into a message that names the entry and the
// JSON value wanted. It returns nil for a nil err.
func jsonError(path string, err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("the JSON ends before its object closes (truncated file?)")
	case errors.As(err, &syntax):
		return fmt.Errorf("invalid JSON at byte %d: %s", syntax.Offset, strings.TrimPrefix(syntax.Error(), "json: "))
	case errors.As(err, &typ):
		field := strings.Trim(path+"."+typ.Field, ".")
		if field == "" {
			return fmt.Errorf("want %s, got %s", jsonWant(typ.Type), typ.Value)
		}
		return fmt.Errorf("%s: want %s, got %s", shortPath(field), jsonWant(typ.Type), typ.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		rest := strings.TrimPrefix(err.Error(), "json: unknown field ")
		name, uerr := strconv.Unquote(rest)
		if uerr != nil {
			name = rest
		}
		return fmt.Errorf(`unknown field %s: a spec has the fields "b", "sd", "sigma" and "cor", and each b.<term> has "mean" and "sd"`, QuoteShort(name))
	}
	return err
}

// shortPath returns a path such as b.Days.sd for a message, or its
// QuoteShort form when it is too long to echo.
func shortPath(path string) string {
	if utf8.RuneCountInString(path) <= maxQuoted {
		return path
	}
	return QuoteShort(path)
}

// jsonKind names the kind of JSON value that starts with byte c.
func jsonKind(c byte) string {
	switch {
	case c == '[':
		return "an array"
	case c == '"':
		return "a string"
	case c == 't' || c == 'f':
		return "a boolean"
	case c == 'n':
		return "null"
	case c == '-' || c >= '0' && c <= '9':
		return "a number"
	}
	return fmt.Sprintf("%q, which starts no JSON value", c)
}

// jsonWant names the JSON value that decodes into a field of type t.
func jsonWant(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Map, reflect.Struct:
		return "a JSON object"
	case reflect.Float64:
		return "a number"
	}
	return t.Kind().String()
}

// Bounds on a prior scale: its square must be a normal, finite float64, or
// the densities and their gradients (which divide by the squared scale)
// underflow or overflow. A half-normal of scale 1e-300 has log density -Inf
// at every σ above 1e-146.
const (
	minScale = 0x1p-511 // ≈ 1.49e-154; its square 2⁻¹⁰²² is the smallest normal float64
	maxScale = 0x1p511  // ≈ 6.70e+153; its square 2¹⁰²² is finite
)

// checkScale returns an error, naming the entry, unless v is a usable prior
// scale: positive and finite, and within [minScale, maxScale].
func checkScale(name string, v float64) error {
	switch {
	case !(v > 0) || math.IsInf(v, 0):
		return fmt.Errorf("%s must be positive and finite, got %g", name, v)
	case v < minScale:
		return fmt.Errorf("%s: scale %.3g is too small: its square underflows float64, so the prior density is zero almost everywhere; use at least %.3g, or rescale the data", name, v, minScale)
	case v > maxScale:
		return fmt.Errorf("%s: scale %.3g is too large: its square overflows float64; use at most %.3g, or rescale the data", name, v, maxScale)
	}
	return nil
}

// MaxLKJ is the largest LKJ shape η a prior may have. LKJ(η) concentrates
// on the identity as η grows: for two effects the correlation ρ has
// (ρ+1)/2 ~ Beta(η, η), whose SD 1/√(2η+1) is 7e-4 at η = 1e6, so a larger η
// is the model of independent effects ("||"), while its normalizing
// constant, a difference of log-gamma values near η·log η, loses a digit
// for each power of ten of η.
const MaxLKJ = 1e6

// checkLKJ returns an error, naming the entry, unless v is a usable LKJ
// shape: positive, finite and at most MaxLKJ.
func checkLKJ(name string, v float64) error {
	switch {
	case !(v > 0) || math.IsInf(v, 0):
		return fmt.Errorf("%s must be positive and finite (the shape η of the LKJ prior on the correlations, brms's lkj(η); 1 is uniform), got %g", name, v)
	case v > MaxLKJ:
		return fmt.Errorf("%s: LKJ shape %g is too large: above %g it fixes the correlations at 0; write the random term with \"||\" for independent effects", name, v, float64(MaxLKJ))
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

// Check verifies that p has the shape of d and valid values, the LKJ shape
// included when d has correlations. It reports
// programmer-facing problems as errors rather than panics because priors
// also come from files and simulators.
func (p Prior) Check(d *Design) error {
	if len(p.BetaMean) != d.P() || len(p.BetaSD) != d.P() || len(p.SDScale) != d.Q() {
		return fmt.Errorf("lmm: prior has %d/%d/%d entries, want P=%d, P=%d, Q=%d",
			len(p.BetaMean), len(p.BetaSD), len(p.SDScale), d.P(), d.P(), d.Q())
	}
	if err := p.checkValues(d); err != nil {
		return fmt.Errorf("prior: %w", err)
	}
	return nil
}

// checkValues returns an error naming the first entry of p, a prior of d's
// shape, that is not a finite mean or a usable scale (see checkScale).
func (p Prior) checkValues(d *Design) error {
	for k, t := range d.Fixed {
		if math.IsNaN(p.BetaMean[k]) || math.IsInf(p.BetaMean[k], 0) {
			return fmt.Errorf("b.%s.mean must be finite, got %g", t, p.BetaMean[k])
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
	if err := checkScale("sigma", p.SigmaScale); err != nil {
		return err
	}
	if d.NCor() > 0 {
		return checkLKJ("cor", p.LKJ)
	}
	return nil
}

// SpecJSON renders p in the prior-spec format with the terms in design
// order, indented for people to read, and "cor" when d has correlations.
// The output parses back with ParsePrior to the same prior.
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
	fmt.Fprintf(&b, "},\n  \"sigma\": %s", num(p.SigmaScale))
	if d.NCor() > 0 {
		fmt.Fprintf(&b, ",\n  \"cor\": %s", num(p.LKJ))
	}
	b.WriteString("\n}\n")
	return b.Bytes()
}

// quote returns s as a JSON string literal.
func quote(s string) string {
	out, _ := json.Marshal(s) // a Go string always marshals
	return string(out)
}

// maxQuoted is the number of runes of an input value that QuoteShort
// keeps.
const maxQuoted = 40

// QuoteShort returns s as a Go string literal for an error message. A value
// longer than 40 runes (a 3 MB CSV field, a runaway JSON key) is cut to its
// first 40 runes, marked with "…" and followed by its length in bytes, so
// that no message echoes an input whole:
//
//	QuoteShort("Days")        → "Days"
//	QuoteShort(3 MB of "x")   → "xxxx…" (3000000 bytes)
//
// Every error that quotes a value read from a file goes through it.
func QuoteShort(s string) string {
	if utf8.RuneCountInString(s) <= maxQuoted {
		return strconv.Quote(s)
	}
	cut, n := 0, 0
	for i := range s {
		if n == maxQuoted {
			cut = i
			break
		}
		n++
	}
	return strconv.Quote(s[:cut]+"…") + fmt.Sprintf(" (%d bytes)", len(s))
}
