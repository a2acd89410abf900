package lmm

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

// tinyDesign is a hand-made design: y = (1, 2, 4, 7), x = (0, 1, 2, 3),
// groups a, a, b, b, random intercept and slope.
func tinyDesign() *Design {
	return &Design{
		Response: "y", Group: "g",
		Fixed: []string{"Intercept", "x"}, Random: []string{"Intercept", "x"}, RandomCol: []int{0, 1},
		Intercept: true, Levels: []string{"a", "b"},
		Y: []float64{1, 2, 4, 7},
		X: []float64{1, 0, 1, 1, 1, 2, 1, 3},
		G: []int{0, 0, 1, 1},
	}
}

func TestDefaultPriorByHand(t *testing.T) {
	d := tinyDesign()
	p, err := DefaultPrior(d)
	if err != nil {
		t.Fatal(err)
	}
	// By hand: mean(y) = 3.5; sd(y) = sqrt(((2.5²+1.5²+0.5²+3.5²))/3) = sqrt(21/3) = sqrt(7);
	// sd(x) = sqrt(5/3).
	sy, sx := math.Sqrt(7), math.Sqrt(5.0/3)
	want := Prior{
		BetaMean:   []float64{3.5, 0},
		BetaSD:     []float64{2.5 * sy, 2.5 * sy / sx},
		SDScale:    []float64{sy, sy / sx},
		SigmaScale: sy,
	}
	check := func(name string, got, want []float64) {
		t.Helper()
		for i := range want {
			if math.Abs(got[i]-want[i]) > 1e-12*math.Abs(want[i])+1e-15 {
				t.Errorf("%s[%d] = %v, want %v", name, i, got[i], want[i])
			}
		}
	}
	check("BetaMean", p.BetaMean, want.BetaMean)
	check("BetaSD", p.BetaSD, want.BetaSD)
	check("SDScale", p.SDScale, want.SDScale)
	check("Sigma", []float64{p.SigmaScale}, []float64{want.SigmaScale})
	if err := p.Check(d); err != nil {
		t.Fatal(err)
	}
}

func TestPriorSpecRoundTrip(t *testing.T) {
	d := tinyDesign()
	p, err := ParsePrior([]byte(`{"b": {"x": {"sd": 3}}, "sd": {"Intercept": 0.5}, "sigma": 2}`), d)
	if err != nil {
		t.Fatal(err)
	}
	def, _ := DefaultPrior(d)
	if p.BetaSD[1] != 3 || p.BetaMean[1] != def.BetaMean[1] || p.SDScale[0] != 0.5 ||
		p.SDScale[1] != def.SDScale[1] || p.SigmaScale != 2 || p.BetaSD[0] != def.BetaSD[0] {
		t.Fatalf("partial spec not merged with defaults: %+v", p)
	}
	back, err := ParsePrior(p.SpecJSON(d), d)
	if err != nil {
		t.Fatalf("SpecJSON does not parse back: %v\n%s", err, p.SpecJSON(d))
	}
	for k := range p.BetaSD {
		if back.BetaSD[k] != p.BetaSD[k] || back.BetaMean[k] != p.BetaMean[k] {
			t.Errorf("round trip changed b[%d]", k)
		}
	}
	if back.SigmaScale != p.SigmaScale || back.SDScale[0] != p.SDScale[0] || back.SDScale[1] != p.SDScale[1] {
		t.Errorf("round trip changed scales")
	}
}

func TestPriorSpecErrors(t *testing.T) {
	d := tinyDesign()
	cases := []struct{ spec, want string }{
		{`{"b": {"z": {"sd": 1}}}`, `no fixed term "z"`},
		{`{"sd": {"w": 1}}`, `no random term "w"`},
		{`{"sigma": -1}`, "sigma must be positive"},
		{`{"sigma": 0}`, "sigma must be positive"},
		{`{"b": {"x": {"sd": 0}}}`, "b.x.sd must be positive"},
		{`{"sd": {"x": -2}}`, "sd.x must be positive"},
		{`{"beta": {}}`, `unknown field "beta"`},
		{`{"b": {"x": {"scale": 1}}}`, `unknown field "scale"`},
		{`{"sigma": 1} {}`, "trailing data"},
		{"\uFEFF{\"sigma\": -1}", "sigma must be positive"}, // byte-order mark skipped
		{`{"sigma": `, "ends before its object closes"},
		{`{"sigma": x}`, "invalid JSON at byte 11"},
		// Empty and non-object input: say what is wanted, name no Go type.
		{``, "the spec is empty"},
		{" \n\t", "the spec is empty"},
		{`[]`, "want a JSON object such as {\"sigma\": 2}, got an array"},
		{`"sigma"`, "want a JSON object such as {\"sigma\": 2}, got a string"},
		{`2`, "got a number"},
		{`null`, "got null"},
		{`{"b": []}`, "b: want a JSON object, got array"},
		{`{"sigma": "2"}`, "sigma: want a number, got string"},
		{`{"b": {"x": {"sd": true}}}`, "b.x.sd: want a number, got bool"},
		// Scales whose square underflows or overflows float64: the bounds
		// are 2⁻⁵¹¹ ≈ 1.49e-154 and 2⁵¹¹ ≈ 6.70e153.
		{`{"sigma": 1e-300}`, "prior spec: sigma: scale 1e-300 is too small"},
		{`{"sigma": 1e-155}`, "sigma: scale 1e-155 is too small"},
		{`{"sigma": 1e300}`, "sigma: scale 1e+300 is too large"},
		{`{"b": {"x": {"sd": 1e-200}}}`, "b.x.sd: scale 1e-200 is too small"},
		{`{"b": {"Intercept": {"sd": 1e160}}}`, "b.Intercept.sd: scale 1e+160 is too large"},
		{`{"sd": {"Intercept": 1e-160}}`, "sd.Intercept: scale 1e-160 is too small"},
		{`{"sd": {"x": 1e200}}`, "sd.x: scale 1e+200 is too large"},
	}
	for _, c := range cases {
		_, err := ParsePrior([]byte(c.spec), d)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParsePrior(%s) error = %v, want it to mention %q", c.spec, err, c.want)
			continue
		}
		if strings.Contains(err.Error(), "Go ") || strings.Contains(err.Error(), "lmm.") {
			t.Errorf("ParsePrior(%s) error = %v names a Go type", c.spec, err)
		}
	}
}

func TestPriorSpecScaleBounds(t *testing.T) {
	// The bounds themselves are accepted: 2⁻⁵¹¹ squared is the smallest
	// normal float64 and 2⁵¹¹ squared is finite.
	d := tinyDesign()
	for _, spec := range []string{`{"sigma": 1.5e-154}`, `{"sigma": 6.7e153}`, `{"sd": {"x": 1e-150}}`} {
		if _, err := ParsePrior([]byte(spec), d); err != nil {
			t.Errorf("ParsePrior(%s): %v", spec, err)
		}
	}
	if minScale*minScale != 0x1p-1022 || math.IsInf(maxScale*maxScale, 0) {
		t.Errorf("bounds: minScale² = %g, maxScale² = %g", minScale*minScale, maxScale*maxScale)
	}
	// Prior.Check applies the same bounds to priors made in code.
	p, _ := DefaultPrior(d)
	p.SigmaScale = 1e-300
	if err := p.Check(d); err == nil || !strings.Contains(err.Error(), "prior: sigma: scale 1e-300 is too small") {
		t.Errorf("Check with sigma 1e-300: %v", err)
	}
}

func TestDefaultPriorUnitsApart(t *testing.T) {
	// y in units 1e-150 and x in units 1e150: b.x.sd = 2.5·sd(y)/sd(x) =
	// 2.5·√7e-150/(√(5/3)e150) ≈ 5.1e-300, below 2⁻⁵¹¹.
	d := tinyDesign()
	for i := range d.Y {
		d.Y[i] *= 1e-150
	}
	for i := 1; i < len(d.X); i += 2 {
		d.X[i] *= 1e150
	}
	_, err := DefaultPrior(d)
	if err == nil || !strings.Contains(err.Error(), "default prior: b.x.sd: scale 5.12e-300 is too small") ||
		!strings.Contains(err.Error(), "rescale") {
		t.Fatalf("err = %v", err)
	}
}

func TestQuoteShort(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Days", `"Days"`},
		{"", `""`},
		{strings.Repeat("x", 40), `"` + strings.Repeat("x", 40) + `"`},
		// 41 runes: cut to 40 and marked, with the length in bytes.
		{strings.Repeat("x", 41), `"` + strings.Repeat("x", 40) + `…" (41 bytes)`},
		// Multi-byte runes are not split: 50 × "é" is 100 bytes.
		{strings.Repeat("é", 50), `"` + strings.Repeat("é", 40) + `…" (100 bytes)`},
		{strings.Repeat("y", 3_000_000), `"` + strings.Repeat("y", 40) + `…" (3000000 bytes)`},
	}
	for _, c := range cases {
		if got := QuoteShort(c.in); got != c.want {
			t.Errorf("QuoteShort(%d bytes) = %s, want %s", len(c.in), clipForTest(got), clipForTest(c.want))
		}
	}
}

// clipForTest keeps a test failure message short.
func clipForTest(s string) string {
	if len(s) > 100 {
		return s[:100] + "..."
	}
	return s
}

func TestPriorSpecLongKeyShortened(t *testing.T) {
	long := strings.Repeat("k", 1<<20)
	for _, spec := range []string{`{"` + long + `": 1}`, `{"b": {"` + long + `": {"sd": 1}}}`} {
		_, err := ParsePrior([]byte(spec), tinyDesign())
		if err == nil || len(err.Error()) > 300 || !strings.Contains(err.Error(), "(1048576 bytes)") {
			t.Errorf("long key: error of %d bytes: %.300v", len(fmt.Sprint(err)), err)
		}
	}
}

func TestDefaultPriorConstantResponse(t *testing.T) {
	d := tinyDesign()
	d.Y = []float64{1, 1, 1, 1}
	if _, err := DefaultPrior(d); err == nil || !strings.Contains(err.Error(), "no spread") {
		t.Fatalf("constant response: err = %v", err)
	}
}

func TestCentredRoundTrip(t *testing.T) {
	d := tinyDesign()
	c := NewCentred(d)
	b := []float64{2, 0.5}
	bc := c.ToCentred(make([]float64, 2), b)
	// α = β₀ + x̄·β₁ = 2 + 1.5·0.5.
	if bc[0] != 2.75 || bc[1] != 0.5 {
		t.Fatalf("ToCentred = %v", bc)
	}
	if back := c.ToOriginal(make([]float64, 2), bc); back[0] != 2 || back[1] != 0.5 {
		t.Fatalf("ToOriginal = %v", back)
	}
}

func TestPriorSpecLKJ(t *testing.T) {
	d := tinyDesign()
	d.Correlated = true // Q = 2: one correlation
	def, err := DefaultPrior(d)
	if err != nil {
		t.Fatal(err)
	}
	if def.LKJ != 1 {
		t.Errorf("default LKJ shape %g, want 1 (brms's lkj(1))", def.LKJ)
	}
	p, err := ParsePrior([]byte(`{"cor": 2.5, "sigma": 2}`), d)
	if err != nil {
		t.Fatal(err)
	}
	if p.LKJ != 2.5 || p.SigmaScale != 2 {
		t.Errorf("LKJ %g sigma %g, want 2.5 and 2", p.LKJ, p.SigmaScale)
	}
	spec := p.SpecJSON(d)
	if !strings.Contains(string(spec), `"sigma": 2,`+"\n"+`  "cor": 2.5`+"\n}") {
		t.Errorf("SpecJSON lacks cor:\n%s", spec)
	}
	back, err := ParsePrior(spec, d)
	if err != nil || back.LKJ != 2.5 {
		t.Errorf("round trip: LKJ %g, err %v", back.LKJ, err)
	}

	// Independent effects: no "cor" written, and one given is accepted.
	ind := tinyDesign()
	if spec := def.SpecJSON(ind); strings.Contains(string(spec), "cor") {
		t.Errorf("SpecJSON of independent effects has cor:\n%s", spec)
	}
	if _, err := ParsePrior([]byte(`{"cor": 3}`), ind); err != nil {
		t.Errorf("cor for independent effects: %v", err)
	}

	for _, c := range []struct{ spec, want string }{
		{`{"cor": 0}`, "prior spec: cor must be positive and finite (the shape η of the LKJ prior on the correlations, brms's lkj(η); 1 is uniform), got 0"},
		{`{"cor": -1}`, "prior spec: cor must be positive and finite"},
		{`{"cor": 1e7}`, "prior spec: cor: LKJ shape 1e+07 is too large: above 1e+06"},
		{`{"cor": "1"}`, "prior spec: cor: want a number, got string"},
		{`{"cor": {"eta": 2}}`, "prior spec: cor: want a number, got object"},
		{`{"lkj": 2}`, `unknown field "lkj": a spec has the fields "b", "sd", "sigma" and "cor"`},
	} {
		for _, design := range []*Design{d, ind} {
			if _, err := ParsePrior([]byte(c.spec), design); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("ParsePrior(%s), correlated %v: error %v, want it to mention %q", c.spec, design.Correlated, err, c.want)
			}
		}
	}

	// Check validates the shape only when there are correlations.
	bad := def
	bad.LKJ = 0
	if err := bad.Check(d); err == nil || !strings.Contains(err.Error(), "prior: cor must be positive and finite") {
		t.Errorf("Check with LKJ 0 and a correlation: %v", err)
	}
	if err := bad.Check(ind); err != nil {
		t.Errorf("Check with LKJ 0 and no correlation: %v", err)
	}
	bad.LKJ = math.Inf(1)
	if err := bad.Check(d); err == nil {
		t.Errorf("Check accepted LKJ +Inf")
	}
}
