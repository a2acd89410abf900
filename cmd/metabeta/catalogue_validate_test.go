package main

import (
	"strings"
	"testing"
)

// Fixtures of the validate and merge catalogue, written by hand.
const (
	// catRun is the run.json of a run of two simulated datasets without a
	// neural estimator (nuts, laplace and laplace-is: 6 records), with L = 9;
	// catRun2 differs in its seed.
	catRun = `{"seed": 1, "simulated": 2, "nuts": {"chains": 2, "warmup": 100, "draws": 100}, "sbc_draws": 9,` +
		` "random_effect_groups": 1, "real": [], "shard": {"index": 0, "of": 1}, "npe_draws": 0, "sbc_only": 0}`
	catQ = `[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19]`
	// catRecord is a well-formed record of dataset 0 of that run.
	catRecord = `{"suite":"simulated","dataset":0,"method":"nuts","seconds":0.5,` +
		`"params":[{"name":"b_Intercept","kind":"beta","truth":1,"mean":1.5,"sd":0.5,"rank":3,"l":9,"pit":0.3,"q":` + catQ + `,"prior_sd":1},` +
		`{"name":"sigma","kind":"sigma","truth":2,"mean":2,"sd":1,"rank":5,"l":9,"pit":0.5,"q":` + catQ + `,"prior_sd":2}],` +
		`"max_rhat":1.001,"min_ess":400,"divergences":0,"draws":200,"n_obs":20,"n_groups":4,` +
		`"ppc":{"crps":0.4,"lpd":-1.2,"ppp_within":0.6,"ppp_between":0.5}}` + "\n"
)

// catRecordWith returns catRecord with one value replaced.
func catRecordWith(old, new string) string { return strings.Replace(catRecord, old, new, 1) }

// TestCatalogueValidate is the validate and merge part of the catalogue of
// malformed inputs (issue 12).
func TestCatalogueValidate(t *testing.T) {
	quick := []string{"validate", "--quick", "--quiet", "--datasets", "2", "--seed", "5", "--resume", "--out"}
	checkCatalogue(t, []malformedCase{
		{
			name:  "resume without run.json",
			files: map[string]string{"v/records.jsonl": catRecord},
			args:  append(quick, "$DIR/v"),
			code:  1,
			want:  []string{"$DIR/v", "holds 1 records but run.json is missing", "drop --resume"},
		},
		{
			name: "resume of an empty directory",
			args: append(quick, "$DIR"),
			code: 1,
			want: []string{"no validate run to resume (no run.json, no records)", "drop --resume"},
		},
		{
			name: "resume of a missing directory",
			args: append(quick, "$DIR/none"),
			code: 1,
			want: []string{"$DIR/none", "no validate run to resume", "drop --resume"},
		},
		{
			name:  "resume with another seed",
			files: map[string]string{"v/run.json": catRun},
			args:  append(quick, "$DIR/v"),
			code:  1,
			want:  []string{"another configuration: seed: run.json has 1, this run 5 (--seed); ", "nuts.chains: run.json has 2, this run 4 (--quick)", "more settings"},
		},
		{
			name:  "resume with a corrupt run.json",
			files: map[string]string{"v/run.json": `{"seed": 1,`},
			args:  append(quick, "$DIR/v"),
			code:  1,
			want:  []string{"$DIR/v/run.json: corrupt (unexpected EOF)"},
		},
		{
			name:  "resume with a run.json of the wrong shape",
			files: map[string]string{"v/run.json": `{"seed": "one"}`},
			args:  append(quick, "$DIR/v"),
			code:  1,
			want:  []string{"run.json: corrupt (entry seed holds a JSON string, want a uint64)"},
		},
		{
			name: "validate with no real-suite fit seed",
			args: []string{"validate", "--quick", "--real-seeds", "0", "--out", "$DIR/v"},
			code: 2,
			want: []string{"--real-seeds 0: want ≥ 1"},
		},
		{
			name: "merge --help",
			args: []string{"merge", "--help"},
			code: 0,
			want: []string{"usage: metabeta merge", "-out"},
		},
		{
			name:  "merge with flags after the directories",
			files: map[string]string{"s/run.json": catRun, "s/records.jsonl": catRecord},
			args:  []string{"merge", "$DIR/s", "--out", "$DIR/m"},
			code:  2,
			want:  []string{`"--out" after the shard directories: flags go first`},
		},
		{
			name:  "merge of a shard cut short",
			files: map[string]string{"s/run.json": catRun, "s/records.jsonl": catRecord},
			args:  []string{"merge", "--out", "$DIR/m", "$DIR/s"},
			code:  0,
			want: []string{"warning: shard 1/1 in $DIR/s is incomplete: 1 of 6 records, 0 of 2 datasets complete (missing: simulated 0, 1)",
				"merged 1 records"},
		},
		{
			name:  "merge of a directory without run.json",
			files: map[string]string{"s/records.jsonl": catRecord},
			args:  []string{"merge", "--out", "$DIR/m", "$DIR/s"},
			code:  1,
			want:  []string{"$DIR/s: no validate run: no run.json"},
		},
		{
			name: "merge of shards of different runs",
			files: map[string]string{"a/run.json": catRun, "a/records.jsonl": catRecord,
				"b/run.json": strings.Replace(catRun, `"seed": 1`, `"seed": 2`, 1), "b/records.jsonl": catRecord},
			args: []string{"merge", "--out", "$DIR/m", "$DIR/a", "$DIR/b"},
			code: 1,
			want: []string{"hold shards of different runs: seed: $DIR/a has 1, $DIR/b 2"},
		},
		{
			name:  "records.jsonl with a rank above L",
			files: map[string]string{"s/run.json": catRun, "s/records.jsonl": catRecordWith(`"rank":3`, `"rank":12`)},
			args:  []string{"merge", "--out", "$DIR/m", "$DIR/s"},
			code:  1,
			want:  []string{"$DIR/s/records.jsonl line 1: ", "rank 12 outside 0..9"},
		},
		{
			name:  "records.jsonl with a PIT above 1",
			files: map[string]string{"s/run.json": catRun, "s/records.jsonl": catRecord + catRecordWith(`"pit":0.3`, `"pit":1.5`)},
			args:  []string{"merge", "--out", "$DIR/m", "$DIR/s"},
			code:  1,
			want:  []string{"$DIR/s/records.jsonl line 2: ", "pit 1.5 outside [0, 1]"},
		},
		{
			name:  "records.jsonl with a line that is not JSON",
			files: map[string]string{"s/run.json": catRun, "s/records.jsonl": `{"suite": "simulated",` + "\n" + catRecord},
			args:  []string{"merge", "--out", "$DIR/m", "$DIR/s"},
			code:  1,
			want:  []string{"$DIR/s/records.jsonl line 1: not a JSON record"},
		},
		{
			name:  "records.jsonl with an unknown method",
			files: map[string]string{"s/run.json": catRun, "s/records.jsonl": catRecordWith(`"method":"nuts"`, `"method":"advi"`)},
			args:  []string{"merge", "--out", "$DIR/m", "$DIR/s"},
			code:  1,
			want:  []string{"$DIR/s/records.jsonl line 1: ", `method "advi": want one of nuts, npe, npe-is`},
		},
		{
			name:  "records.jsonl with a record of another run",
			files: map[string]string{"s/run.json": catRun, "s/records.jsonl": catRecordWith(`"dataset":0`, `"dataset":7`)},
			args:  []string{"merge", "--out", "$DIR/m", "$DIR/s"},
			code:  1,
			want:  []string{"$DIR/s/records.jsonl line 1: record simulated/7/nuts is not a task of the run in run.json"},
		},
	})
}
