package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const sleepCSV = "../../testdata/datasets/sleepstudy.csv"

// runCLI runs the program in-process and returns stdout, stderr and the exit
// status main would have used.
func runCLI(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, &out, &errb)
	code := exitCode(err, &errb)
	return out.String(), errb.String(), code
}

func TestBadInputGetsClearErrors(t *testing.T) {
	dir := t.TempDir()
	badPrior := filepath.Join(dir, "bad.json")
	os.WriteFile(badPrior, []byte(`{"b": {"Weeks": {"sd": 1}}}`), 0o644)
	notJSON := filepath.Join(dir, "notjson.json")
	os.WriteFile(notJSON, []byte(`{"sigma": `), 0o644)
	f := "Reaction ~ Days + (1 + Days || Subject)"
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"describe", "--formula", f}, 2, "--data is required"},
		{[]string{"describe", "--data", sleepCSV}, 2, "--formula is required"},
		{[]string{"describe", "--data", "nope.csv", "--formula", f}, 1, "nope.csv"},
		{[]string{"describe", "--data", sleepCSV, "--formula", "Reaction ~ Weeks"}, 1, "Weeks"},
		{[]string{"fit", "--data", sleepCSV, "--formula", f, "--method", "vb"}, 2, `--method "vb"`},
		{[]string{"fit", "--data", sleepCSV, "--formula", f, "--target", "centred"}, 2, `--target "centred"`},
		{[]string{"fit", "--data", sleepCSV, "--formula", f, "--chains", "0"}, 2, "--chains 0"},
		{[]string{"fit", "--data", sleepCSV, "--formula", f, "--warmup", "-5"}, 2, "--warmup -5"},
		{[]string{"fit", "--data", sleepCSV, "--formula", f, "--draws", "0"}, 2, "--draws 0"},
		{[]string{"fit", "--data", sleepCSV, "--formula", f, "--prior", badPrior}, 1, `no fixed term "Weeks"`},
		{[]string{"fit", "--data", sleepCSV, "--formula", f, "--prior", notJSON}, 1, "--prior"},
		{[]string{"fit", "--data", sleepCSV, "--formula", f, "--prior", filepath.Join(dir, "missing.json")}, 1, "--prior"},
		{[]string{"fit", "--data", sleepCSV, "--formula", f, "--profile", "gpu"}, 2, "--profile"},
		{[]string{"simulate", "--seed", "1"}, 2, "--out is required"},
		{[]string{"simulate", "--out", dir, "--groups", "9-3"}, 2, "--groups"},
		{[]string{"fit", "--bogus"}, 2, "bogus"},
	}
	for _, c := range cases {
		_, stderr, code := runCLI(t, c.args...)
		if code != c.code || !strings.Contains(stderr, c.want) {
			t.Errorf("metabeta %s: exit %d, stderr %q; want exit %d and %q", strings.Join(c.args, " "), code, stderr, c.code, c.want)
		}
	}
}

func TestDescribeJSON(t *testing.T) {
	out, stderr, code := runCLI(t, "describe", "--json", "--data", sleepCSV, "--formula", "Reaction ~ Days + (1 + Days || Subject)")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got struct {
		NObs, NDropped, NGroups int      `json:"-"`
		N                       int      `json:"n_obs"`
		Dropped                 int      `json:"n_dropped"`
		Groups                  int      `json:"n_groups"`
		Fixed                   []string `json:"fixed"`
		Random                  []string `json:"random"`
		Prior                   struct {
			Sigma float64 `json:"sigma"`
		} `json:"prior"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	// lme4: nobs 180, ngrps 18 (testdata/r/describe.json has the full check).
	if got.N != 180 || got.Dropped != 0 || got.Groups != 18 ||
		strings.Join(got.Fixed, ",") != "b_Intercept,b_Days" ||
		strings.Join(got.Random, ",") != "sd_Subject__Intercept,sd_Subject__Days" || !(got.Prior.Sigma > 0) {
		t.Fatalf("describe --json = %+v", got)
	}
}

func TestSimulateIsByteIdentical(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	for _, dir := range []string{a, b} {
		if _, stderr, code := runCLI(t, "simulate", "--seed", "5", "--datasets", "3", "--out", dir); code != 0 {
			t.Fatalf("simulate: exit %d: %s", code, stderr)
		}
	}
	files, _ := filepath.Glob(filepath.Join(a, "*"))
	if len(files) != 6 {
		t.Fatalf("simulate wrote %d files, want 6", len(files))
	}
	for _, fa := range files {
		x, _ := os.ReadFile(fa)
		y, err := os.ReadFile(filepath.Join(b, filepath.Base(fa)))
		if err != nil || !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs with the same seed", filepath.Base(fa))
		}
		if strings.HasSuffix(fa, ".json") {
			var v struct {
				Formula string             `json:"formula"`
				Truth   map[string]float64 `json:"truth"`
				Prior   map[string]any     `json:"prior"`
			}
			if err := json.Unmarshal(x, &v); err != nil || v.Formula == "" || len(v.Truth) == 0 || v.Prior["sigma"] == nil {
				t.Errorf("%s: bad truth file (%v): %s", filepath.Base(fa), err, x)
			}
		}
	}
}

// TestFitWritesSchema fits sleepstudy briefly and checks the JSON schema and
// the draws CSV header.
func TestFitWritesSchema(t *testing.T) {
	dir := t.TempDir()
	js, dcsv := filepath.Join(dir, "fit.json"), filepath.Join(dir, "draws.csv")
	_, stderr, code := runCLI(t, "fit", "--quiet", "--data", sleepCSV, "--formula", "Reaction ~ Days + (1 | Subject)",
		"--chains", "2", "--warmup", "200", "--draws", "100", "--json", js, "--draws-csv", dcsv)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	raw, _ := os.ReadFile(js)
	var v map[string]any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"method", "target", "formula", "n_obs", "n_groups", "prior", "parameters", "random_effects", "diagnostics", "timing", "warnings"} {
		if _, ok := v[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	params := v["parameters"].([]any)
	names := []string{}
	for _, p := range params {
		names = append(names, p.(map[string]any)["name"].(string))
	}
	if strings.Join(names, ",") != "b_Intercept,b_Days,sd_Subject__Intercept,sigma" {
		t.Errorf("parameters in order %v", names)
	}
	head, _ := os.ReadFile(dcsv)
	first := strings.SplitN(string(head), "\n", 2)[0]
	if !strings.HasPrefix(first, ".chain,.iteration,.draw,b_Intercept,b_Days,sd_Subject__Intercept,sigma,\"r_Subject[308,Intercept]\"") {
		t.Errorf("draws CSV header %q", first[:min(len(first), 120)])
	}
	if n := strings.Count(string(head), "\n"); n != 201 {
		t.Errorf("draws CSV has %d lines, want 201", n)
	}
}
