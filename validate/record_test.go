package validate

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// q19 is a valid quantile sketch: 19 sorted values.
const q19 = `[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19]`

// goodLine is a well-formed record of a simulated dataset with L = 9,
// written by hand; badLine's cases each change one value of it.
const goodLine = `{"suite":"simulated","dataset":0,"method":"nuts","seconds":0.5,` +
	`"params":[{"name":"b_Intercept","kind":"beta","truth":1,"mean":1.5,"sd":0.5,"rank":3,"l":9,"pit":0.3,"q":` + q19 + `,"prior_sd":1},` +
	`{"name":"sigma","kind":"sigma","truth":2,"mean":2,"sd":1,"rank":5,"l":9,"pit":0.5,"q":` + q19 + `,"prior_sd":2}],` +
	`"max_rhat":1.001,"min_ess":400,"divergences":0,"draws":400,"n_obs":20,"n_groups":4,` +
	`"ppc":{"crps":0.4,"lpd":-1.2,"ppp_within":0.6,"ppp_between":null}}`

// realLine is a well-formed record of a real dataset: no truth, no ranks.
const realLine = `{"suite":"real","dataset":0,"name":"sleepstudy","method":"nuts","seconds":0.5,` +
	`"params":[{"name":"r_Subject[308,Intercept]","kind":"b","truth":0,"mean":2,"sd":1,"rank":0,"l":0,"pit":0,"q":` + q19 + `}],` +
	`"max_rhat":null,"min_ess":null,"divergences":0,"draws":400,"n_obs":180,"n_groups":18}`

func TestReadRecordsAcceptsWellFormed(t *testing.T) {
	recs, err := readRecords(strings.NewReader(goodLine+"\n\n"+realLine+"\n"), "r.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[0].Params[0].Rank != 3 || recs[1].Name != "sleepstudy" {
		t.Fatalf("read %+v", recs)
	}
}

// TestReadRecordsRejectsImpossibleValues: every impossible value of a
// record is an error naming the file, the line and the value, where before
// a rank above L or a PIT above 1 reached the calibration code and panicked
// there.
func TestReadRecordsRejectsImpossibleValues(t *testing.T) {
	cases := []struct {
		name, old, new, want string
	}{
		{"rank above L", `"rank":3,"l":9`, `"rank":12,"l":9`, "rank 12 outside 0..9"},
		{"negative rank", `"rank":3,"l":9`, `"rank":-1,"l":9`, "rank -1 outside 0..9"},
		{"PIT above 1", `"pit":0.3`, `"pit":1.5`, "pit 1.5 outside [0, 1]"},
		{"negative PIT", `"pit":0.3`, `"pit":-0.1`, "pit -0.1 outside [0, 1]"},
		{"unknown method", `"method":"nuts"`, `"method":"advi"`, `method "advi": want one of nuts, npe, npe-is`},
		{"unknown suite", `"suite":"simulated"`, `"suite":"fake"`, `suite "fake"`},
		{"unknown parameter name", `"name":"sigma"`, `"name":"tau"`, `parameter name "tau"`},
		{"kind of another parameter", `"kind":"sigma"`, `"kind":"beta"`, `kind "beta": the parameter is a sigma`},
		{"negative SD", `"sd":0.5`, `"sd":-0.5`, "sd -0.5"},
		{"L differs within a record", `"rank":5,"l":9`, `"rank":5,"l":19`, "l 19, but params[0] has l 9"},
		{"no ranks on simulated data", `"rank":5,"l":9`, `"rank":0,"l":0`, "l 0 on a simulated dataset"},
		{"short quantiles", `"pit":0.5,"q":` + q19, `"pit":0.5,"q":[1,2]`, "2 quantiles: want 19"},
		{"unsorted quantiles", `"pit":0.5,"q":[1,2,3`, `"pit":0.5,"q":[3,2,1`, "want finite and non-decreasing"},
		{"parameter twice", `"name":"sigma","kind":"sigma"`, `"name":"b_Intercept","kind":"beta"`, "parameter \"b_Intercept\" twice"},
		{"PPP above 1", `"ppp_within":0.6`, `"ppp_within":2`, "ppc: p-values 2"},
		{"negative dataset", `"dataset":0`, `"dataset":-3`, "dataset -3"},
		{"negative draws", `"draws":400`, `"draws":-1`, "negative count"},
		{"no params, no error", `"params":[`, `"params":[],"x":[`, "no params and no error"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bad := strings.Replace(goodLine, c.old, c.new, 1)
			if bad == goodLine {
				t.Fatalf("%q not in the good line", c.old)
			}
			_, err := readRecords(strings.NewReader(goodLine+"\n"+bad+"\n"+goodLine+"\n"), "dir/records.jsonl")
			if err == nil {
				t.Fatal("accepted")
			}
			if msg := err.Error(); !strings.Contains(msg, "dir/records.jsonl line 2: ") || !strings.Contains(msg, c.want) {
				t.Errorf("error %q, want the file, line 2 and %q", msg, c.want)
			}
		})
	}
	t.Run("real dataset with ranks", func(t *testing.T) {
		bad := strings.Replace(realLine, `"rank":0,"l":0`, `"rank":0,"l":9`, 1)
		if _, err := readRecords(strings.NewReader(bad+"\n"), "r"); err == nil || !strings.Contains(err.Error(), "l 9 on a real dataset") {
			t.Errorf("error %v", err)
		}
	})
	t.Run("seed fits of a real npe fit", func(t *testing.T) {
		good := strings.Replace(realLine, `"method":"nuts"`, `"method":"npe"`, 1)
		good = strings.Replace(good, `"n_groups":18}`, `"n_groups":18,"seeds":[{"seed":7,"params":[{"name":"sigma","mean":25,"sd":1.5}]},{"seed":8,"error":"failed"}]}`, 1)
		if _, err := readRecords(strings.NewReader(good+"\n"), "r"); err != nil {
			t.Fatalf("well-formed seed fits refused: %v", err)
		}
		for _, c := range []struct{ old, new, want string }{
			{`"method":"npe"`, `"method":"nuts"`, "2 seed fits: want them only for a proposal method on a real dataset"},
			{`{"seed":8,"error":"failed"}`, `{"seed":8}`, "seeds[1]: no params and no error"},
			{`"sd":1.5`, `"sd":-1.5`, `seeds[0]: "sigma": mean 25, sd -1.5`},
		} {
			bad := strings.Replace(good, c.old, c.new, 1)
			if _, err := readRecords(strings.NewReader(bad+"\n"), "r"); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s → %s: error %v, want %q", c.old, c.new, err, c.want)
			}
		}
	})
	t.Run("L differs between records", func(t *testing.T) {
		other := strings.ReplaceAll(goodLine, `"l":9`, `"l":19`)
		_, err := readRecords(strings.NewReader(goodLine+"\n"+other+"\n"), "r")
		if err == nil || !strings.Contains(err.Error(), "r line 2: ") || !strings.Contains(err.Error(), "l 19, but line 1 has l 9") {
			t.Errorf("error %v", err)
		}
	})
	t.Run("a long name is cut in the message", func(t *testing.T) {
		bad := strings.Replace(goodLine, `"name":"sigma"`, `"name":"`+strings.Repeat("x", 1<<20)+`"`, 1)
		_, err := readRecords(strings.NewReader(bad+"\n"), "r")
		if err == nil || len(err.Error()) > 500 {
			t.Errorf("error of %d bytes", len(err.Error()))
		}
	})
}

// TestReadRecordsNamesBadJSONLine: a line that is not JSON is an error
// naming its line unless it is the last (a run killed mid-write), and a
// missing file holds no records.
func TestReadRecordsNamesBadJSONLine(t *testing.T) {
	_, err := readRecords(strings.NewReader(goodLine+"\n{\"suite\": \n"+goodLine+"\n"), "x/records.jsonl")
	if err == nil || !strings.Contains(err.Error(), "x/records.jsonl line 2: not a JSON record") {
		t.Errorf("error %v", err)
	}
	recs, err := readRecords(strings.NewReader(goodLine+"\n"+goodLine[:40]), "x")
	if err != nil || len(recs) != 1 {
		t.Errorf("truncated last line: %d records, %v", len(recs), err)
	}
	recs, err = ReadRecords(filepath.Join(t.TempDir(), "none.jsonl"))
	if err != nil || recs != nil {
		t.Errorf("missing file: %v, %v", recs, err)
	}
}

// TestRunReadsRecordsOnResume: a resume validates the records it reuses.
func TestRunReadsRecordsOnResume(t *testing.T) {
	dir := t.TempDir()
	cfg := smallConfig()
	cfg.SBCDraws = 9
	os.WriteFile(filepath.Join(dir, IdentityFile), identity(cfg), 0o644)
	bad := strings.Replace(goodLine, `"pit":0.3`, `"pit":1.5`, 1)
	os.WriteFile(filepath.Join(dir, RecordsFile), []byte(goodLine+"\n"+bad+"\n"), 0o644)
	_, err := Run(t.Context(), cfg, dir, true, nil)
	if err == nil || !strings.Contains(err.Error(), "records.jsonl line 2: ") || !strings.Contains(err.Error(), "pit 1.5") {
		t.Errorf("resume over a PIT of 1.5: %v", err)
	}
	// Well-formed, but ranked among another L than the run's.
	os.WriteFile(filepath.Join(dir, RecordsFile), []byte(goodLine+"\n"), 0o644)
	cfg.SBCDraws = 19
	os.WriteFile(filepath.Join(dir, IdentityFile), identity(cfg), 0o644)
	if _, err := Run(t.Context(), cfg, dir, true, nil); err == nil || !strings.Contains(err.Error(), "sets sbc_draws 19") {
		t.Errorf("resume over records of another L: %v", err)
	}
}

// TestResumeRefusesWithoutRun: a resume needs run.json, which records the
// configuration of the records it would reuse (issue 12: a resume after
// run.json was deleted reused another seed's records under the new seed).
func TestResumeRefusesWithoutRun(t *testing.T) {
	_, _, lines := referenceRun(t)
	cfg := smallConfig()
	root := t.TempDir()

	missing := filepath.Join(root, "missing")
	_, err := Run(t.Context(), cfg, missing, true, nil)
	if !errors.Is(err, ErrNoRun) || !strings.Contains(err.Error(), "drop --resume") {
		t.Errorf("resume of a missing directory: %v", err)
	}
	if _, serr := os.Stat(missing); serr == nil {
		t.Error("a refused resume created the directory")
	}

	empty := filepath.Join(root, "empty")
	os.MkdirAll(empty, 0o755)
	if _, err := Run(t.Context(), cfg, empty, true, nil); !errors.Is(err, ErrNoRun) || !strings.Contains(err.Error(), "no run.json, no records") {
		t.Errorf("resume of an empty directory: %v", err)
	}

	orphan := filepath.Join(root, "orphan")
	os.MkdirAll(orphan, 0o755)
	os.WriteFile(filepath.Join(orphan, RecordsFile), bytes.Join(lines[:3], nil), 0o644)
	other := cfg
	other.Seed = 5
	_, err = Run(t.Context(), other, orphan, true, nil)
	if !errors.Is(err, ErrNoRun) || !strings.Contains(err.Error(), "holds 3 records but run.json is missing") {
		t.Errorf("resume of records without run.json: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(orphan, RecordsFile)); !bytes.Equal(b, bytes.Join(lines[:3], nil)) {
		t.Error("a refused resume changed the records")
	}
}

// TestResumeNamesWhatDiffers: a resume under another configuration names
// each setting that differs with both values, and a corrupt run.json says
// so with the JSON error.
func TestResumeNamesWhatDiffers(t *testing.T) {
	cfg := smallConfig()
	dir := t.TempDir()
	write := func(s string) { os.WriteFile(filepath.Join(dir, IdentityFile), []byte(s), 0o644) }

	other := cfg
	other.Seed, other.NUTS.Warmup, other.Shard = 5, 200, Shard{Index: 1, Of: 3}
	write(string(identity(other)))
	_, err := Run(t.Context(), cfg, dir, true, nil)
	for _, w := range []string{
		"another configuration: seed: run.json has 5, this run 7 (--seed); shard: run.json has 2/3, this run 1/1 (--shard); " +
			"nuts.warmup: run.json has 200, this run 150 (--quick); resume it with the same flags",
	} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("resume under another seed and warmup: %v; want %q", err, w)
		}
	}
	for _, c := range []struct{ content, want string }{
		{`{"seed": 7,`, "run.json: corrupt (unexpected EOF)"},
		{`[1, 2]`, "run.json: corrupt (it holds a JSON array, want an object)"},
		{`null`, "run.json: corrupt (it holds null, want an object)"},
		{`{"seed": "seven"}`, "run.json: corrupt (entry seed holds a JSON string, want a uint64)"},
		{``, "run.json: corrupt (empty)"},
	} {
		write(c.content)
		if _, err := Run(t.Context(), cfg, dir, true, nil); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("run.json %q: %v; want %q", c.content, err, c.want)
		}
	}
	// The same configuration written in another layout resumes.
	cfg.Simulated, cfg.Real = 1, nil
	write(strings.ReplaceAll(string(identity(cfg)), "\n", " "))
	recs, err := Run(t.Context(), cfg, dir, true, nil)
	if err != nil || len(recs) != len(cfg.Methods()) {
		t.Errorf("resume of run.json in one line with no records yet: %d records, %v", len(recs), err)
	}
}
