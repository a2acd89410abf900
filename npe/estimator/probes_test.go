package estimator

import (
	"bytes"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/metabeta-go/metabeta/lmm"
)

// TestShapeProbesLayout checks the inputs of Config.ShapeProbes: they
// append len(ProbeOffsets)·slots inputs (CorWhitenedExtraWidth + 4·13 =
// 202 for the shipped layout) after an unchanged prefix, and padded slots
// stay zero.
func TestShapeProbesLayout(t *testing.T) {
	smp := corSample(t, 3, 2)
	base := layout{whitened: true, cor: true}
	with := base
	with.probes = true
	if got, want := with.extraWidth(), CorWhitenedExtraWidth+len(ProbeOffsets)*CorFlowDim; got != want || want != 202 {
		t.Fatalf("extra width %d, want %d (202)", got, want)
	}
	a, err := prepare(smp.Design, smp.Prior, base)
	if err != nil {
		t.Fatal(err)
	}
	b, err := prepare(smp.Design, smp.Prior, with)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.extras, b.extras[:len(a.extras)]) {
		t.Error("the inputs before the probes differ")
	}
	probes := b.extras[len(a.extras):]
	for k := range ProbeOffsets {
		for s := 0; s < CorFlowDim; s++ {
			if v := probes[k*CorFlowDim+s]; !b.mask[s] && v != 0 {
				t.Errorf("padded slot %d, offset %d: probe %v", s, k, v)
			}
		}
	}
}

// TestShapeProbesMatchDensity checks every probe against the same quantity
// computed another way: the flow variable u = t·e_s mapped to the original
// θ by toTheta, and the exact collapsed log density of the original design
// and prior (lmm.Collapsed), whose difference from the mode's equals that
// of the standardized density because the standardization is affine in θ
// (constant Jacobian, estimate.Scaling). Both flow variables, with and
// without correlations; agreement to 1e-9 (rounding).
func TestShapeProbesMatchDensity(t *testing.T) {
	for _, c := range []struct {
		name string
		lay  layout
		cor  bool
	}{
		{"marginal", layout{probes: true}, false},
		{"whitened", layout{whitened: true, probes: true}, false},
		{"whitened correlated", layout{whitened: true, cor: true, probes: true}, true},
	} {
		smp := simSampleWith(t, 3, 2)
		if c.cor {
			smp = corSample(t, 3, 2)
		}
		pr, err := prepare(smp.Design, smp.Prior, c.lay)
		if err != nil {
			t.Fatal(err)
		}
		post := lmm.NewCollapsed(smp.Design, smp.Prior)
		dim, fd := smp.Design.Dim(), pr.fd
		theta := make([]float64, dim)
		u := make([]float64, fd)
		pr.toTheta(u, theta)
		lp0 := post.LogDensity(theta)
		probes := pr.extras[c.lay.extraWidthWithoutProbes():]
		nonzero := 0
		for _, s := range pr.slot {
			for k, off := range ProbeOffsets {
				clear(u)
				u[s] = off
				pr.toTheta(u, theta)
				want := math.Max(-5, math.Min(5, math.Asinh(post.LogDensity(theta)-lp0+off*off/2)/3))
				got := probes[k*fd+s]
				if math.Abs(got-want) > 1e-9 {
					t.Errorf("%s: slot %d, t = %v: probe %.12g, want %.12g", c.name, s, off, got, want)
				}
				if math.Abs(got) > 1e-3 {
					nonzero++
				}
			}
		}
		if nonzero == 0 {
			t.Errorf("%s: every probe is zero", c.name)
		}
	}
}

// TestNewInputsSaveLoad checks, for Config.ShapeProbes,
// Config.MarginalSpline, Config.BaseTail and Config.WideSpline, that a
// model with the option saves and loads with the same draws and records it
// in its header, and that a model without it writes no such field (older
// files stay byte-identical).
func TestNewInputsSaveLoad(t *testing.T) {
	for _, c := range []struct {
		field string
		set   func(*Config)
		get   func(Config) bool
	}{
		{"shape_probes", func(c *Config) { c.ShapeProbes = true }, func(c Config) bool { return c.ShapeProbes }},
		{"marginal_spline", func(c *Config) { c.MarginalSpline = true }, func(c Config) bool { return c.MarginalSpline }},
		{"base_tail", func(c *Config) { c.BaseTail = true }, func(c Config) bool { return c.BaseTail }},
		{"wide_spline", func(c *Config) { c.WideSpline = true }, func(c Config) bool { return c.WideSpline }},
	} {
		cfg := corConfig(FlowWhitened)
		c.set(&cfg)
		m := New(cfg, newRand(1))
		perturbWeights(m, 0.3)
		var buf bytes.Buffer
		if err := m.Save(&buf); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), `"`+c.field+`":true`) {
			t.Errorf("header lacks %s", c.field)
		}
		loaded, err := Load(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if !c.get(loaded.Config) {
			t.Fatalf("loaded without %s", c.field)
		}
		sameDraws(t, m, loaded, 50)

		buf.Reset()
		if err := New(corConfig(FlowWhitened), newRand(1)).Save(&buf); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(buf.String(), c.field) {
			t.Errorf("a model without %s writes it", c.field)
		}
	}
}
