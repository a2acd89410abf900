package main

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/metabeta-go/metabeta/fit"
	"github.com/metabeta-go/metabeta/validate"
)

// gateFile returns the committed baseline, changed by modify, as the
// content of a results.json.
func gateFile(t *testing.T, modify func(r *validate.Results)) string {
	t.Helper()
	r, err := validate.ReadResults(baselineJSON)
	if err != nil {
		t.Fatal(err)
	}
	modify(r)
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestCatalogueGate is the gate's part of the catalogue of malformed
// inputs (issue 12): exit 0 pass, 1 regression or metrics in one file only,
// 2 usage, 3 an unreadable or invalid file.
func TestCatalogueGate(t *testing.T) {
	raw, err := os.ReadFile(baselineJSON)
	if err != nil {
		t.Fatal(err)
	}
	base := string(raw)
	noSections := gateFile(t, func(r *validate.Results) { r.Kinds, r.Params, r.Agreement = nil, nil, nil })
	degraded := gateFile(t, func(r *validate.Results) {
		for i := range r.Kinds {
			if r.Kinds[i].Method == "nuts" && r.Kinds[i].Group == validate.KindBeta {
				e := &r.Kinds[i].ECE // |ECE| 10 SE worse
				e.Value += fit.Num(math.Copysign(10, float64(e.Value))) * e.SE
			}
		}
	})
	oldLayout := gateFile(t, func(r *validate.Results) { r.Schema = 1 })
	noPPC := gateFile(t, func(r *validate.Results) { r.PPC = nil })
	checkCatalogue(t, []malformedCase{
		{name: "unreadable baseline", args: []string{"gate", "--baseline", "$DIR/nope.json", "--results", baselineJSON},
			code: 3, want: []string{"--baseline", "open $DIR/nope.json", "no such file"}},
		{name: "baseline is a directory", files: map[string]string{"d/x": ""}, args: []string{"gate", "--baseline", "$DIR/d", "--results", baselineJSON},
			code: 3, want: []string{"--baseline", "$DIR/d", "is a directory"}},
		{name: "non-JSON results", files: map[string]string{"results.json": "<html>not json</html>"},
			args: []string{"gate", "--baseline", baselineJSON, "--results", "$DIR/results.json"},
			code: 3, want: []string{"--results", "$DIR/results.json", "invalid character"}},
		{name: "empty results", files: map[string]string{"results.json": ""},
			args: []string{"gate", "--baseline", baselineJSON, "--results", "$DIR/results.json"},
			code: 3, want: []string{"--results", "$DIR/results.json", "unexpected end of JSON input"}},
		{name: "results of a fit, not of validate", files: map[string]string{"fit.json": `{"method": "nuts", "parameters": []}`},
			args: []string{"gate", "--baseline", baselineJSON, "--results", "$DIR/fit.json"},
			code: 3, want: []string{"--results", "not a results.json of metabeta validate"}},
		{name: "baseline of an older layout", files: map[string]string{"old.json": oldLayout},
			args: []string{"gate", "--baseline", "$DIR/old.json", "--results", baselineJSON},
			code: 3, want: []string{"--baseline", "layout version 1", "regenerate it"}},
		{name: "baseline lacking sections", files: map[string]string{"base.json": noSections},
			args: []string{"gate", "--baseline", "$DIR/base.json", "--results", baselineJSON},
			code: 1, want: []string{"missing from the baseline", "nuts beta |ECE|", "nuts beta EACE", "more, listed above", "--allow-missing"}},
		{name: "baseline lacking sections, allowed", files: map[string]string{"base.json": noSections},
			args: []string{"gate", "--allow-missing", "--baseline", "$DIR/base.json", "--results", baselineJSON},
			code: 0, want: []string{"allowed by --allow-missing", "nuts beta |ECE|", "gate: PASS"}},
		{name: "results lacking a section", files: map[string]string{"results.json": noPPC},
			args: []string{"gate", "--baseline", baselineJSON, "--results", "$DIR/results.json"},
			code: 1, want: []string{"missing from $DIR/results.json", "CRPS", "stop running", "--allow-missing"}},
		{name: "regression", files: map[string]string{"results.json": degraded},
			args: []string{"gate", "--baseline", baselineJSON, "--results", "$DIR/results.json"},
			code: 1, want: []string{"1 of", "gated metrics regressed"}},
		{name: "pass", files: map[string]string{"results.json": base},
			args: []string{"gate", "--baseline", baselineJSON, "--results", "$DIR/results.json"},
			code: 0, want: []string{"gate: PASS: no significant regression"}},
		{name: "alpha out of range", args: []string{"gate", "--alpha", "2", "--results", baselineJSON},
			code: 2, want: []string{"--alpha 2", "probability in (0, 1)"}},
		{name: "help", args: []string{"gate", "-h"}, code: 0, want: []string{"Exit status:", "3  the baseline or the results cannot be read"}},
	})
}
