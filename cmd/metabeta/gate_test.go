package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/metabeta-go/metabeta/fit"
	"github.com/metabeta-go/metabeta/validate"
)

// baselineJSON is the committed baseline, the results.json of
// `metabeta validate --quick` (refresh: see validate.Gate).
const baselineJSON = "../../testdata/baseline.json"

// writeDegraded writes a copy of the baseline whose β ECE is 10 standard
// errors worse, and returns its path.
func writeDegraded(t *testing.T) string {
	t.Helper()
	return writeModified(t, func(r *validate.Results) {
		for i := range r.Kinds {
			if r.Kinds[i].Method == "nuts" && r.Kinds[i].Group == validate.KindBeta {
				// 10 SE away from 0 raises |ECE| by 10 SE, whatever its sign.
				e := &r.Kinds[i].ECE
				e.Value += fit.Num(math.Copysign(10, float64(e.Value))) * e.SE
			}
		}
	})
}

// writeModified writes a copy of the baseline changed by modify, and
// returns its path.
func writeModified(t *testing.T, modify func(r *validate.Results)) string {
	t.Helper()
	r, err := validate.ReadResults(baselineJSON)
	if err != nil {
		t.Fatal(err)
	}
	modify(r)
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "results.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestGatePassesAgainstItself(t *testing.T) {
	out, stderr, code := runCLI(t, "gate", "--baseline", baselineJSON, "--results", baselineJSON)
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, stderr, out)
	}
	if !strings.Contains(out, "gate: PASS") || !strings.Contains(out, "nuts beta |ECE|") {
		t.Errorf("stdout lacks the table or the verdict:\n%s", out)
	}
}

func TestGateFailsOnRegression(t *testing.T) {
	degraded := writeDegraded(t)
	out, stderr, code := runCLI(t, "gate", "--baseline", baselineJSON, "--results", degraded)
	if code != 1 {
		t.Fatalf("exit %d, want 1: %s\n%s", code, stderr, out)
	}
	verdict := out[strings.LastIndex(out, "gate: "):]
	if !strings.HasPrefix(verdict, "gate: FAIL: 1 of") || !strings.Contains(verdict, "nuts beta |ECE|") {
		t.Errorf("verdict %q does not name the regressed metric", verdict)
	}
	if !strings.Contains(stderr, "gate: 1 of") || !strings.Contains(stderr, "metrics regressed against") {
		t.Errorf("stderr %q", stderr)
	}
	// A z large enough to absorb 10 SE passes: 10·SE < 100·√2·SE; so does
	// a family-wise α small enough: z = Φ⁻¹(1 − 1e-40/220) = 13.4 > 10/√2.
	if _, stderr, code := runCLI(t, "gate", "--baseline", baselineJSON, "--results", degraded, "--alpha", "1e-40"); code != 0 {
		t.Errorf("--alpha 1e-40: exit %d: %s", code, stderr)
	}
	if _, stderr, code := runCLI(t, "gate", "--baseline", baselineJSON, "--results", degraded, "--z", "100"); code != 0 {
		t.Errorf("--z 100: exit %d: %s", code, stderr)
	}
}

func TestGateBadInput(t *testing.T) {
	dir := t.TempDir()
	notJSON := filepath.Join(dir, "results.json")
	os.WriteFile(notJSON, []byte("{\"methods\": [\"nuts\""), 0o644)
	fitJSON := filepath.Join(dir, "fit.json")
	os.WriteFile(fitJSON, []byte(`{"method": "nuts", "parameters": []}`), 0o644)
	missing := filepath.Join(dir, "missing.json")
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"gate"}, 2, "--results is required"},
		{[]string{"gate", "--results", baselineJSON, "--z", "-1"}, 2, "--z -1"},
		{[]string{"gate", "--results", baselineJSON, "--alpha", "0"}, 2, "--alpha 0"},
		{[]string{"gate", "--results", baselineJSON, "--alpha", "1"}, 2, "--alpha 1"},
		{[]string{"gate", "--results", baselineJSON, "--timing-factor", "0.5"}, 2, "--timing-factor 0.5"},
		{[]string{"gate", "--results", baselineJSON, "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"gate", "--baseline", baselineJSON, "--results", missing}, 3, "--results: results: open " + missing},
		{[]string{"gate", "--baseline", missing, "--results", baselineJSON}, 3, "--baseline: results: open " + missing},
		{[]string{"gate", "--baseline", baselineJSON, "--results", notJSON}, 3, "--results: results " + notJSON},
		{[]string{"gate", "--baseline", baselineJSON, "--results", fitJSON}, 3, "not a results.json"},
	}
	for _, c := range cases {
		_, stderr, code := runCLI(t, c.args...)
		if code != c.code || !strings.Contains(stderr, c.want) {
			t.Errorf("metabeta %s: exit %d, stderr %q; want exit %d and %q", strings.Join(c.args, " "), code, stderr, c.code, c.want)
		}
	}
}

// TestGateHelpDocumentsExitCodes checks that -h exits 0 and lists the four
// exit statuses.
func TestGateHelpDocumentsExitCodes(t *testing.T) {
	_, stderr, code := runCLI(t, "gate", "-h")
	if code != 0 {
		t.Fatalf("gate -h: exit %d", code)
	}
	for _, w := range []string{"Exit status:", "0  pass", "1  a significant regression", "2  bad usage", "3  the baseline or the results cannot be read", "-allow-missing"} {
		if !strings.Contains(stderr, w) {
			t.Errorf("gate -h lacks %q:\n%s", w, stderr)
		}
	}
}
