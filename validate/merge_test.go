package validate

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
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
	merged, mcfg, err := Merge(out, dirs)
	if err != nil {
		t.Fatal(err)
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
	again, _, err := Merge(filepath.Join(root, "again"), append(dirs, dirs[0]))
	if err != nil {
		t.Fatal(err)
	}
	if g, _ := json.Marshal(withoutTiming(again)); !bytes.Equal(g, want) {
		t.Error("merging a shard twice duplicated records")
	}
}

func TestMergeErrors(t *testing.T) {
	root := t.TempDir()
	empty := filepath.Join(root, "empty")
	if err := os.MkdirAll(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Merge(filepath.Join(root, "out"), []string{empty}); err == nil {
		t.Error("Merge of a directory without records succeeded")
	}
	_, _, lines := referenceRun(t)
	bad := filepath.Join(root, "bad")
	os.MkdirAll(bad, 0o755)
	os.WriteFile(filepath.Join(bad, RecordsFile), bytes.Join([][]byte{lines[0], []byte("not json\n"), lines[1]}, nil), 0o644)
	if _, _, err := Merge(filepath.Join(root, "out"), []string{bad}); err == nil {
		t.Error("Merge of a corrupt records file succeeded")
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
	if _, _, err := Merge(filepath.Join(root, "m"), []string{a, b}); err == nil {
		t.Error("merged shards of runs with different seeds")
	}
	if _, err := Run(context.Background(), other, a, true, nil); err == nil {
		t.Error("resumed a run directory under another seed")
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
	if got := back.Methods(); len(got) != 3 || len(back.Missing()) != 0 {
		t.Errorf("merged run: methods %v, missing %v; want nuts, npe, npe-is and none missing", got, back.Missing())
	}
	if _, err := Run(context.Background(), back, t.TempDir(), false, nil); err == nil {
		t.Error("Run without the estimator that the configuration names succeeded")
	}
}
