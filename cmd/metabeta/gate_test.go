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
	r, err := validate.ReadResults(baselineJSON)
	if err != nil {
		t.Fatal(err)
	}
	for i := range r.Kinds {
		if r.Kinds[i].Method == "nuts" && r.Kinds[i].Group == validate.KindBeta {
			// 10 SE away from 0 raises |ECE| by 10 SE, whatever its sign.
			e := &r.Kinds[i].ECE
			e.Value += fit.Num(math.Copysign(10, float64(e.Value))) * e.SE
		}
	}
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
	// A z large enough to absorb 10 SE passes: 10·SE < 100·√2·SE.
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
		{[]string{"gate", "--results", baselineJSON, "--z", "0"}, 2, "--z 0"},
		{[]string{"gate", "--results", baselineJSON, "--nrmse-tolerance", "0"}, 2, "--nrmse-tolerance 0"},
		{[]string{"gate", "--results", baselineJSON, "--timing-factor", "0.5"}, 2, "--timing-factor 0.5"},
		{[]string{"gate", "--results", baselineJSON, "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"gate", "--baseline", baselineJSON, "--results", missing}, 1, "--results: results: open " + missing},
		{[]string{"gate", "--baseline", missing, "--results", baselineJSON}, 1, "--baseline: results: open " + missing},
		{[]string{"gate", "--baseline", baselineJSON, "--results", notJSON}, 1, "--results: results " + notJSON},
		{[]string{"gate", "--baseline", baselineJSON, "--results", fitJSON}, 1, "not a results.json"},
	}
	for _, c := range cases {
		_, stderr, code := runCLI(t, c.args...)
		if code != c.code || !strings.Contains(stderr, c.want) {
			t.Errorf("metabeta %s: exit %d, stderr %q; want exit %d and %q", strings.Join(c.args, " "), code, stderr, c.code, c.want)
		}
	}
}
