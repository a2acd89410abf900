package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// TestDescribeCorrelations checks that describe says whether the random
// effects are correlated and names the correlations as brms does
// (cor_<group>__<term1>__<term2>), in text and in JSON.
func TestDescribeCorrelations(t *testing.T) {
	tests := []struct {
		formula    string
		correlated bool
		cor        []string
		text       string
	}{
		{"Reaction ~ Days + (Days | Subject)", true, []string{"cor_Subject__Intercept__Days"},
			"cor:      cor_Subject__Intercept__Days (correlated random effects, LKJ prior)\n"},
		{"Reaction ~ Days + (1 + Days || Subject)", false, []string{}, "cor:      none (independent random effects, \"||\")\n"},
		{"Reaction ~ Days + (1 | Subject)", false, []string{}, "cor:      none (one random effect)\n"},
		{"Reaction ~ Days + (0 + Days | Subject)", false, []string{}, "cor:      none (one random effect)\n"},
	}
	for _, tc := range tests {
		t.Run(tc.formula, func(t *testing.T) {
			out, stderr, code := runCLI(t, "describe", "--data", sleepCSV, "--formula", tc.formula)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if !strings.Contains(out, tc.text) {
				t.Errorf("text lacks %q:\n%s", tc.text, out)
			}
			if hasCor := strings.Contains(out, `"cor": 1`); hasCor != tc.correlated {
				t.Errorf("prior has \"cor\" %v, want %v:\n%s", hasCor, tc.correlated, out)
			}

			out, stderr, code = runCLI(t, "describe", "--json", "--data", sleepCSV, "--formula", tc.formula)
			if code != 0 {
				t.Fatalf("--json: exit %d: %s", code, stderr)
			}
			var got struct {
				Correlated bool     `json:"correlated"`
				Cor        []string `json:"cor"`
				Prior      struct {
					Cor *float64 `json:"cor"`
				} `json:"prior"`
			}
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if got.Correlated != tc.correlated || !slices.Equal(got.Cor, tc.cor) || got.Cor == nil {
				t.Errorf("--json: correlated %v cor %q; want %v %q", got.Correlated, got.Cor, tc.correlated, tc.cor)
			}
			// The default LKJ shape is 1 (brms's lkj(1)).
			if (got.Prior.Cor != nil) != tc.correlated || tc.correlated && *got.Prior.Cor != 1 {
				t.Errorf("--json: prior cor %v, want 1 only when correlated", got.Prior.Cor)
			}
		})
	}
}
