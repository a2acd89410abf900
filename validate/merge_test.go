package validate

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/metabeta-go/metabeta/fit"
)

// TestShardsMergeIntoOneRun runs shards 1/3, 2/3 and 3/3 of smallConfig
// into three directories and checks that Merge gives exactly the records
// and, byte for byte, the results.json of one unsharded run (wall times
// fixed, see withoutTiming).
func TestShardsMergeIntoOneRun(t *testing.T) {
	wantRecs, wantResults, _ := referenceRun(t)
	root := t.TempDir()
	var dirs []string
	perShard := map[string]int{}
	for k := range 3 {
		cfg := smallConfig()
		cfg.Shard = Shard{Index: k, Of: 3}
		dir := filepath.Join(root, "shard", string(rune('1'+k)))
		recs, err := Run(context.Background(), cfg, dir, false, nil)
		if err != nil {
			t.Fatalf("shard %d/3: %v", k+1, err)
		}
		for _, r := range recs {
			if r.Dataset%3 != k {
				t.Errorf("shard %d/3 ran %s", k+1, r.key())
			}
			perShard[r.key()]++
		}
		dirs = append(dirs, dir)
	}
	for key, n := range perShard {
		if n != 1 {
			t.Errorf("%s ran in %d shards", key, n)
		}
	}
	out := filepath.Join(root, "merged")
	merged, mcfg, warnings, err := Merge(out, dirs)
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) > 0 {
		t.Errorf("merging every shard of a finished run warned: %q", warnings)
	}
	if mcfg.Seed != smallConfig().Seed || mcfg.Simulated != smallConfig().Simulated || mcfg.Shard.Of != 1 {
		t.Errorf("merged configuration %+v, want the run's with no shard", mcfg)
	}
	got, _ := json.Marshal(withoutTiming(merged))
	want, _ := json.Marshal(wantRecs)
	if !bytes.Equal(got, want) {
		t.Errorf("merged records differ from the unsharded run's:\ngot  %s\nwant %s", got, want)
	}
	onDisk, err := ReadRecords(filepath.Join(out, RecordsFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(onDisk) != len(merged) {
		t.Errorf("merged file holds %d records, Merge returned %d", len(onDisk), len(merged))
	}
	// Aggregated with the configuration Merge read back from run.json, as
	// the merge command does.
	if res := resultsJSON(t, mcfg, merged); !bytes.Equal(res, wantResults) {
		t.Error("results.json of the merged shards differs from the unsharded run's")
	}

	// Merging again, or with a shard twice, changes nothing.
	again, _, _, err := Merge(filepath.Join(root, "again"), append(dirs, dirs[0]))
	if err != nil {
		t.Fatal(err)
	}
	if g, _ := json.Marshal(withoutTiming(again)); !bytes.Equal(g, want) {
		t.Error("merging a shard twice duplicated records")
	}

	// A shard cut short, and a shard not given, are merged with warnings
	// that count what is missing.
	short := filepath.Join(root, "short")
	if err := os.MkdirAll(short, 0o755); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dirs[1], RecordsFile))
	if err != nil {
		t.Fatal(err)
	}
	id, err := os.ReadFile(filepath.Join(dirs[1], IdentityFile))
	if err != nil {
		t.Fatal(err)
	}
	// Shard 2/3 holds datasets 1 and 4 (simulated) and none of the one real
	// dataset (index 0 belongs to shard 1/3): 2m records for m methods, in
	// task order. Keep those of dataset 1.
	m := len(smallConfig().Methods())
	if n := bytes.Count(raw, []byte("\n")); n != 2*m {
		t.Fatalf("shard 2/3 holds %d records, want %d (datasets 1 and 4, %d methods)", n, 2*m, m)
	}
	cut := 0
	for range m {
		cut += bytes.IndexByte(raw[cut:], '\n') + 1
	}
	os.WriteFile(filepath.Join(short, RecordsFile), raw[:cut], 0o644)
	os.WriteFile(filepath.Join(short, IdentityFile), id, 0o644)
	recs, _, warnings, err := Merge(filepath.Join(root, "partial"), []string{dirs[0], short})
	if err != nil {
		t.Fatal(err)
	}
	// Whole run: 6 simulated + 1 real dataset: 7m records. Given: shard 1/3
	// (datasets 0, 3 and real 0: 3m records) and m of shard 2/3's 2m.
	if len(recs) != 4*m {
		t.Errorf("merged %d records, want %d", len(recs), 4*m)
	}
	wantWarnings := []string{
		fmt.Sprintf("shard 2/3 in %s is incomplete: %d of %d records, 1 of 2 datasets complete (missing: simulated 4)", short, m, 2*m),
		fmt.Sprintf("the merged run is incomplete: %d of %d records, 4 of 7 datasets complete (missing: simulated 2, 4, 5) (shards given: 1/3, 2/3)", 4*m, 7*m),
	}
	if len(warnings) != len(wantWarnings) {
		t.Fatalf("warnings %q, want %d", warnings, len(wantWarnings))
	}
	for i, w := range wantWarnings {
		if !strings.HasPrefix(warnings[i], w) {
			t.Errorf("warning %d:\ngot  %s\nwant %s…", i, warnings[i], w)
		}
	}
}

func TestMergeErrors(t *testing.T) {
	root := t.TempDir()
	empty := filepath.Join(root, "empty")
	if err := os.MkdirAll(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := Merge(filepath.Join(root, "out"), []string{empty}); err == nil || !strings.Contains(err.Error(), "no run.json") {
		t.Errorf("Merge of a directory without run.json: %v, want an error naming run.json", err)
	}
	os.WriteFile(filepath.Join(empty, IdentityFile), identity(smallConfig()), 0o644)
	if _, _, _, err := Merge(filepath.Join(root, "out"), []string{empty}); err == nil || !strings.Contains(err.Error(), "no records") {
		t.Errorf("Merge of a directory without records: %v, want an error saying so", err)
	}
	_, _, lines := referenceRun(t)
	bad := filepath.Join(root, "bad")
	os.MkdirAll(bad, 0o755)
	os.WriteFile(filepath.Join(bad, IdentityFile), identity(smallConfig()), 0o644)
	os.WriteFile(filepath.Join(bad, RecordsFile), bytes.Join([][]byte{lines[0], []byte("not json\n"), lines[1]}, nil), 0o644)
	if _, _, _, err := Merge(filepath.Join(root, "out"), []string{bad}); err == nil || !strings.Contains(err.Error(), "records.jsonl line 2") {
		t.Errorf("Merge of a corrupt records file: %v, want an error naming line 2", err)
	}
	// A record that is not a task of its shard: dataset 6 of a run of 6.
	alien := filepath.Join(root, "alien")
	os.MkdirAll(alien, 0o755)
	os.WriteFile(filepath.Join(alien, IdentityFile), identity(smallConfig()), 0o644)
	six := bytes.Replace(lines[0], []byte(`"dataset":0`), []byte(`"dataset":6`), 1)
	os.WriteFile(filepath.Join(alien, RecordsFile), six, 0o644)
	if _, _, _, err := Merge(filepath.Join(root, "out"), []string{alien}); err == nil || !strings.Contains(err.Error(), "not a task of the run") {
		t.Errorf("Merge of a record outside the run: %v, want an error saying so", err)
	}
}

// TestMergeAndResumeRefuseOtherRuns: shards of runs with different seeds do
// not merge, and a run directory does not resume under another
// configuration.
func TestMergeAndResumeRefuseOtherRuns(t *testing.T) {
	root := t.TempDir()
	a, b := filepath.Join(root, "a"), filepath.Join(root, "b")
	cfg := smallConfig()
	cfg.Simulated, cfg.Real = 1, nil
	if _, err := Run(context.Background(), cfg, a, false, nil); err != nil {
		t.Fatal(err)
	}
	other := cfg
	other.Seed++
	if _, err := Run(context.Background(), other, b, false, nil); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := Merge(filepath.Join(root, "m"), []string{a, b}); err == nil ||
		!strings.Contains(err.Error(), fmt.Sprintf("seed: %s has %d, %s %d (--seed)", a, cfg.Seed, b, other.Seed)) {
		t.Errorf("merging shards of runs with different seeds: %v, want an error naming the seeds", err)
	}
	if _, err := Run(context.Background(), other, a, true, nil); err == nil ||
		!strings.Contains(err.Error(), fmt.Sprintf("seed: run.json has %d, this run %d (--seed)", cfg.Seed, other.Seed)) {
		t.Errorf("resuming a run directory under another seed: %v, want an error naming the seeds", err)
	}
	if _, err := Run(context.Background(), cfg, a, true, nil); err != nil {
		t.Errorf("resuming with the same configuration: %v", err)
	}
}

// TestMergedRunKeepsEstimatorMethods: the configuration of a merged run
// comes from run.json, which records the model's identity but not its
// weights; its tables must still hold npe and npe-is.
func TestMergedRunKeepsEstimatorMethods(t *testing.T) {
	cfg := smallConfig()
	cfg.ModelID = "0123456789abcdef"
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, IdentityFile), identity(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	back, err := readIdentity(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := back.Methods(); !slices.Equal(got, fit.Methods()) || len(back.Missing()) != 0 {
		t.Errorf("merged run: methods %v, missing %v; want %v (npe and npe-is included) and none missing", got, back.Missing(), fit.Methods())
	}
	if _, err := Run(context.Background(), back, t.TempDir(), false, nil); err == nil {
		t.Error("Run without the estimator that the configuration names succeeded")
	}
}
