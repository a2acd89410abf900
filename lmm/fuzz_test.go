package lmm

import (
	"strings"
	"testing"
)

// FuzzPriorSpec checks that ParsePrior never panics; that every error
// starts with "prior spec:", names no Go type and stays short whatever the
// input's size; and that an accepted spec gives a prior that passes
// Prior.Check and survives the round trip through SpecJSON bit for bit,
// the LKJ shape of a correlated design included.
func FuzzPriorSpec(f *testing.F) {
	for _, s := range []string{
		`{"b": {"Intercept": {"mean": 3, "sd": 10}, "x": {"sd": 3}}, "sd": {"Intercept": 0.5, "x": 1}, "sigma": 2}`,
		`{"b": {"x": {"mean": -1}}}`,
		`{"sigma": 1e-300}`,
		`{"sigma": 1e300}`,
		`{"sd": {"x": 0}}`,
		`{"b": {"z": {"sd": 1}}}`,
		`{"b": []}`,
		`{"b": {"x": {"sd": "1"}}}`,
		`{"beta": {}}`,
		`{"sigma": 1} {}`,
		`{"sigma": `,
		`[]`,
		`null`,
		``,
		"\uFEFF{}",
		`{}`,
		`{"cor": 2}`,
		`{"cor": 0}`,
		`{"cor": -1}`,
		`{"cor": "1"}`,
		`{"cor": 1e300}`,
	} {
		f.Add(s)
	}
	d := tinyDesign()
	d.Correlated = true // so that "cor" is in use and round-trips
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePrior([]byte(s), d)
		if err != nil {
			msg := err.Error()
			if !strings.HasPrefix(msg, "prior spec: ") {
				t.Fatalf("error lacks the prefix: %.300s", msg)
			}
			// The longest fixed text is under 200 bytes; a quoted value is
			// cut to 40 runes (at most 160 bytes, 400 escaped) plus its length.
			if len(msg) > 1000 {
				t.Fatalf("error of %d bytes: %.300s", len(msg), msg)
			}
			if strings.Contains(msg, "Go value") || strings.Contains(msg, "lmm.") {
				t.Fatalf("error names a Go type: %s", msg)
			}
			return
		}
		if err := p.Check(d); err != nil {
			t.Fatalf("accepted %q, but Check fails: %v", s, err)
		}
		back, err := ParsePrior(p.SpecJSON(d), d)
		if err != nil {
			t.Fatalf("SpecJSON of %q does not parse back: %v", s, err)
		}
		same := back.SigmaScale == p.SigmaScale && back.LKJ == p.LKJ
		for k := range p.BetaSD {
			same = same && back.BetaSD[k] == p.BetaSD[k] && back.BetaMean[k] == p.BetaMean[k]
		}
		for k := range p.SDScale {
			same = same && back.SDScale[k] == p.SDScale[k]
		}
		if !same {
			t.Fatalf("round trip of %q changed the prior: %+v → %+v", s, p, back)
		}
	})
}
