package validate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/metabeta-go/metabeta/fit"
	"github.com/metabeta-go/metabeta/sim"
)

// smallConfig is a run small enough for unit tests: 6 simulated datasets
// of at most 2 fixed and 1 random effect in 4–6 groups of 3–6 rows, short
// chains, and one real dataset (sleepstudy) with 3 fit seeds, so both
// suites are exercised.
func smallConfig() Config {
	sc := sim.DefaultConfig()
	sc.Fixed = sim.IntRange{Min: 1, Max: 2}
	sc.Random = sim.IntRange{Min: 0, Max: 1}
	sc.Groups = sim.IntRange{Min: 4, Max: 6}
	sc.GroupSize = sim.IntRange{Min: 3, Max: 6}
	return Config{
		Seed:               7,
		Simulated:          6,
		Sim:                sc,
		NUTS:               fit.NUTSOptions{Chains: 2, Warmup: 150, Draws: 100},
		SBCDraws:           19,
		RandomEffectGroups: 1,
		Real: []RealDataset{{Name: "sleepstudy", Path: filepath.Join("..", "testdata", "datasets", "sleepstudy.csv"),
			Formula: "Reaction ~ Days + (1 + Days || Subject)"}},
		RealSeeds: 3,
		Shard:     Shard{Of: 1},
	}
}

// TestRealSeedFits checks the further fit seeds of the real suite in the
// reference run: every proposal method's record holds RealSeeds − 1 seed
// fits, with seeds of their own and every global parameter, whose means
// differ from the first fit's (other draws); NUTS's holds none.
func TestRealSeedFits(t *testing.T) {
	recs, _, _ := referenceRun(t)
	n := 0
	for _, r := range recs {
		if r.Suite != SuiteReal {
			continue
		}
		n++
		if r.Method == fit.MethodNUTS {
			if len(r.Seeds) != 0 {
				t.Errorf("nuts: %d seed fits, want none", len(r.Seeds))
			}
			continue
		}
		if len(r.Seeds) != smallConfig().RealSeeds-1 {
			t.Fatalf("%s: %d seed fits, want %d", r.Method, len(r.Seeds), smallConfig().RealSeeds-1)
		}
		first := map[string]float64{}
		for _, p := range r.Params {
			if p.Kind != KindB {
				first[p.Name] = p.Mean
			}
		}
		seeds := map[uint64]bool{}
		for i, s := range r.Seeds {
			if s.Error != "" || len(s.Params) != len(first) || seeds[s.Seed] {
				t.Errorf("%s seed fit %d: %+v (want %d parameters, a seed of its own)", r.Method, i, s, len(first))
				continue
			}
			seeds[s.Seed] = true
			for _, p := range s.Params {
				if m, ok := first[p.Name]; !ok || m == p.Mean {
					t.Errorf("%s seed fit %d: %s mean %v, first fit %v (present: %v): want another draw", r.Method, i, p.Name, p.Mean, m, ok)
				}
			}
		}
	}
	if n != len(smallConfig().Methods()) {
		t.Errorf("%d real records, want %d", n, len(smallConfig().Methods()))
	}
}

// smallTasks is the number of (suite, dataset, method) tasks of smallConfig.
func smallTasks() int {
	return (smallConfig().Simulated + len(smallConfig().Real)) * len(smallConfig().Methods())
}

// withoutTiming returns copies of the records with the wall time replaced
// by a function of the dataset index, 1 + index seconds: the wall time is
// the only field of a record that depends on the machine rather than on the
// seed. (Positive and not all equal, which the log-scale timing plot needs.)
func withoutTiming(recs []Record) []Record {
	out := make([]Record, len(recs))
	for i, r := range recs {
		r.Seconds = float64(1 + r.Dataset)
		out[i] = r
	}
	return out
}

// resultsJSON aggregates records (wall times fixed) and returns the bytes
// of the results.json that Write writes.
func resultsJSON(t *testing.T, cfg Config, recs []Record) []byte {
	t.Helper()
	dir := t.TempDir()
	if err := Aggregate(cfg, withoutTiming(recs)).Write(dir); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// reference is the uninterrupted, unsharded run of smallConfig, computed
// once for all tests that compare against it.
var reference struct {
	once    sync.Once
	recs    []Record // sorted, wall times fixed
	results []byte   // results.json of the aggregate
	lines   [][]byte // records.jsonl, line by line in the order written
	err     error
}

func referenceRun(t *testing.T) ([]Record, []byte, [][]byte) {
	t.Helper()
	reference.once.Do(func() {
		dir, err := os.MkdirTemp("", "validate-reference")
		if err != nil {
			reference.err = err
			return
		}
		defer os.RemoveAll(dir)
		recs, err := Run(context.Background(), smallConfig(), dir, false, nil)
		if err != nil {
			reference.err = err
			return
		}
		raw, err := os.ReadFile(filepath.Join(dir, RecordsFile))
		if err != nil {
			reference.err = err
			return
		}
		reference.lines = bytes.SplitAfter(raw, []byte("\n"))
		reference.lines = reference.lines[:len(reference.lines)-1] // after the last newline: empty
		reference.recs = withoutTiming(recs)
		rdir, err := os.MkdirTemp("", "validate-reference-out")
		if err != nil {
			reference.err = err
			return
		}
		defer os.RemoveAll(rdir)
		if err := Aggregate(smallConfig(), reference.recs).Write(rdir); err != nil {
			reference.err = err
			return
		}
		reference.results, reference.err = os.ReadFile(filepath.Join(rdir, "results.json"))
	})
	if reference.err != nil {
		t.Fatalf("reference run: %v", reference.err)
	}
	return reference.recs, reference.results, reference.lines
}

// checkResumed checks a resumed run against the reference: the records
// written before the interruption are byte-identical at the start of the
// final file, every task ran exactly once, and the records and aggregated
// results equal those of the uninterrupted run.
func checkResumed(t *testing.T, dir string, before []byte, recs []Record) {
	t.Helper()
	wantRecs, wantResults, _ := referenceRun(t)
	final, err := os.ReadFile(filepath.Join(dir, RecordsFile))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(final, before) {
		t.Errorf("the records written before the interruption changed:\nbefore %q\nfinal  %q", before, final)
	}
	if n := bytes.Count(final, []byte("\n")); n != smallTasks() {
		t.Errorf("final file has %d lines, want %d (one per task)", n, smallTasks())
	}
	onDisk, err := ReadRecords(filepath.Join(dir, RecordsFile))
	if err != nil {
		t.Fatalf("reading the resumed file: %v", err)
	}
	seen := map[string]int{}
	for _, r := range onDisk {
		seen[r.key()]++
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("task %s recorded %d times", k, n)
		}
	}
	got, _ := json.Marshal(withoutTiming(recs))
	want, _ := json.Marshal(wantRecs)
	if !bytes.Equal(got, want) {
		t.Errorf("resumed records differ from the uninterrupted run's:\ngot  %s\nwant %s", got, want)
	}
	if res := resultsJSON(t, smallConfig(), recs); !bytes.Equal(res, wantResults) {
		t.Errorf("results.json of the resumed run differs from the uninterrupted run's")
	}
}

// TestRunResumesAfterCancel interrupts a run after k records by cancelling
// its context from the progress callback, then resumes it.
func TestRunResumesAfterCancel(t *testing.T) {
	const k = 3
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls := 0
	_, err := Run(ctx, smallConfig(), dir, false, func(done, total int) {
		if calls++; calls == k {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted Run returned %v, want context.Canceled", err)
	}
	before, err := os.ReadFile(filepath.Join(dir, RecordsFile))
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(before, []byte("\n")); n != k {
		t.Fatalf("%d records before the interruption, want %d", n, k)
	}
	if _, err := Run(context.Background(), smallConfig(), dir, false, nil); !errors.Is(err, ErrExists) {
		t.Fatalf("Run without resume on a started directory: %v, want ErrExists", err)
	}
	ran := 0
	recs, err := Run(context.Background(), smallConfig(), dir, true, func(done, total int) { ran++ })
	if err != nil {
		t.Fatal(err)
	}
	if ran != smallTasks()-k {
		t.Errorf("resume ran %d tasks, want %d (the unfinished ones)", ran, smallTasks()-k)
	}
	checkResumed(t, dir, before, recs)
}

// TestRunIgnoresTruncatedLastLine resumes from a records file whose last
// line was cut short mid-write: the fragment is dropped, its task re-runs,
// and the file stays valid JSONL. Both a fragment that is not JSON and one
// that lacks only its newline are tried.
func TestRunIgnoresTruncatedLastLine(t *testing.T) {
	_, _, lines := referenceRun(t)
	const k = 4
	next := lines[k]
	for _, c := range []struct {
		name     string
		fragment []byte
	}{
		{"half a line", next[:len(next)/2]},
		{"all but the newline", next[:len(next)-1]},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			before := bytes.Join(lines[:k], nil)
			path := filepath.Join(dir, RecordsFile)
			if err := os.WriteFile(path, append(append([]byte(nil), before...), c.fragment...), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, IdentityFile), identity(smallConfig()), 0o644); err != nil {
				t.Fatal(err)
			}
			if recs, err := ReadRecords(path); err != nil || len(recs) < k {
				t.Fatalf("ReadRecords on a truncated file: %d records, %v", len(recs), err)
			}
			ran := 0
			recs, err := Run(context.Background(), smallConfig(), dir, true, func(done, total int) { ran++ })
			if err != nil {
				t.Fatal(err)
			}
			if ran != smallTasks()-k {
				t.Errorf("resume ran %d tasks, want %d", ran, smallTasks()-k)
			}
			checkResumed(t, dir, before, recs)
		})
	}
}

func TestReadRecordsRejectsCorruptMiddleLine(t *testing.T) {
	_, _, lines := referenceRun(t)
	path := filepath.Join(t.TempDir(), RecordsFile)
	corrupt := bytes.Join([][]byte{lines[0], []byte("{\"suite\": \n"), lines[1]}, nil)
	if err := os.WriteFile(path, corrupt, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadRecords(path); err == nil {
		t.Fatal("a malformed line in the middle of the file was ignored")
	}
	if _, err := Run(context.Background(), smallConfig(), filepath.Dir(path), true, nil); err == nil {
		t.Fatal("Run resumed over a corrupt records file")
	}
}

// killHelperEnv names the directory the helper process runs into.
const killHelperEnv = "METABETA_VALIDATE_KILL_HELPER_DIR"

// TestKillHelper is not a test: run by TestRunResumesAfterSIGKILL as a
// subprocess, it runs smallConfig into the directory named by the
// environment until it is killed.
func TestKillHelper(t *testing.T) {
	dir := os.Getenv(killHelperEnv)
	if dir == "" {
		t.Skip("helper process for TestRunResumesAfterSIGKILL")
	}
	if _, err := Run(context.Background(), smallConfig(), dir, false, nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	os.Exit(0)
}

// TestRunResumesAfterSIGKILL runs the suite in a subprocess, kills it with
// SIGKILL once the records file holds k records, and resumes it in this
// process.
func TestRunResumesAfterSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a subprocess; TestRunResumesAfterCancel covers resume in -short")
	}
	const k = 3
	dir := t.TempDir()
	path := filepath.Join(dir, RecordsFile)
	cmd := exec.Command(os.Args[0], "-test.run=^TestKillHelper$")
	cmd.Env = append(os.Environ(), killHelperEnv+"="+dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	killed := false
	for !killed {
		select {
		case err := <-exited:
			t.Fatalf("the run finished before it was killed (%v): %s", err, stderr.String())
		case <-time.After(5 * time.Millisecond):
			if b, _ := os.ReadFile(path); bytes.Count(b, []byte("\n")) >= k {
				if err := cmd.Process.Kill(); err != nil {
					t.Fatal(err)
				}
				killed = true
			}
		}
	}
	<-exited
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// The kill may land after further records, or in the middle of one:
	// only complete lines count as finished.
	done := bytes.Count(before, []byte("\n"))
	before = before[:bytes.LastIndexByte(before, '\n')+1]
	if done >= smallTasks() {
		t.Fatalf("the run finished all %d tasks before the kill landed", done)
	}
	ran := 0
	recs, err := Run(context.Background(), smallConfig(), dir, true, func(d, total int) { ran++ })
	if err != nil {
		t.Fatal(err)
	}
	if ran != smallTasks()-done {
		t.Errorf("resume ran %d tasks after %d finished, want %d", ran, done, smallTasks()-done)
	}
	checkResumed(t, dir, before, recs)
	t.Logf("killed after %s records", strconv.Itoa(done))
}
