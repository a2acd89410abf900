package lmm

import (
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
		{`{"sigma": 1} {}`, "trailing data"},
		{`{"sigma": `, "prior spec"},
	}
	for _, c := range cases {
		_, err := ParsePrior([]byte(c.spec), d)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParsePrior(%s) error = %v, want it to mention %q", c.spec, err, c.want)
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
