package validate

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Merge reads the records of shard directories and writes them, sorted and
// without duplicates, into out/records.jsonl, with the run's configuration
// in out/run.json. Aggregating the merged records gives the results of one
// unsharded run (wall times aside), since every dataset's record depends
// only on the run seed and the dataset index. Shards of different runs
// (seed, datasets, sampler) are refused, and so are records that are not
// tasks of their shard. It returns the records, the configuration of the
// whole run, and warnings that count the records and datasets missing from
// shards cut short and from the whole run (shards not given).
func Merge(out string, dirs []string) ([]Record, Config, []string, error) {
	var all []Record
	var cfg Config
	var warnings []string
	var given []string
	for i, d := range dirs {
		shard, err := readIdentity(d)
		if err != nil {
			return nil, Config{}, nil, err
		}
		c := shard
		c.Shard = Shard{Of: 1}
		if i == 0 {
			cfg = c
		} else if diffs := configDiff(cfg, c, dirs[0], d); len(diffs) > 0 {
			return nil, Config{}, nil, fmt.Errorf("%s and %s hold shards of different runs: %s", dirs[0], d, strings.Join(diffs, "; "))
		}
		path := filepath.Join(d, RecordsFile)
		recs, lines, err := readRecordsFile(path)
		if err != nil {
			return nil, Config{}, nil, err
		}
		if recs == nil {
			return nil, Config{}, nil, fmt.Errorf("%s: no records in %s: the shard has not finished a dataset (continue it with validate --resume --out %s and the flags it ran with)", d, RecordsFile, d)
		}
		if err := checkRecordsOfRun(shard, recs, lines, path); err != nil {
			return nil, Config{}, nil, err
		}
		if w := incomplete(shard, recs); w != "" {
			warnings = append(warnings, fmt.Sprintf("shard %s in %s is incomplete: %s; continue it with validate --resume --out %s and the flags it ran with",
				shard.shardName(), d, w, d))
		}
		given = append(given, shard.shardName())
		all = append(all, recs...)
	}
	all = sortRecords(all)
	if w := incomplete(cfg, all); w != "" {
		warnings = append(warnings, fmt.Sprintf("the merged run is incomplete: %s (shards given: %s)", w, strings.Join(given, ", ")))
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, Config{}, nil, err
	}
	if err := os.WriteFile(filepath.Join(out, IdentityFile), identity(cfg), 0o644); err != nil {
		return nil, Config{}, nil, err
	}
	f, err := os.Create(filepath.Join(out, RecordsFile))
	if err != nil {
		return nil, Config{}, nil, err
	}
	for _, r := range all {
		if err := appendRecord(f, r); err != nil {
			f.Close()
			return nil, Config{}, nil, err
		}
	}
	return all, cfg, warnings, f.Close()
}

// configDiff lists the settings in which the identities of two shards'
// runs differ, the shard itself aside.
func configDiff(a, b Config, dirA, dirB string) []string {
	var x, y map[string]any
	if err := decodeNumbers(identity(a), &x); err != nil {
		panic("validate: identity does not read back: " + err.Error())
	}
	if err := decodeNumbers(identity(b), &y); err != nil {
		panic("validate: identity does not read back: " + err.Error())
	}
	var out []string
	jsonDiff("", x, y, dirA, dirB, &out)
	return briefDiff(out)
}

// shardName returns "k/n" of the run's shard.
func (c Config) shardName() string {
	if c.Shard.Of <= 1 {
		return "1/1"
	}
	return fmt.Sprintf("%d/%d", c.Shard.Index+1, c.Shard.Of)
}

// maxListed is the number of missing datasets a warning names.
const maxListed = 10

// incomplete compares the records with the tasks of cfg and, when some are
// missing, says how many records and datasets (a dataset is complete when
// every method has a record of it) are missing, naming the first few; it
// returns "" when every task has its record.
func incomplete(cfg Config, recs []Record) string {
	have := make(map[string]bool, len(recs))
	for _, r := range recs {
		have[r.key()] = true
	}
	type dataset struct {
		suite string
		index int
	}
	var order []dataset
	complete := map[dataset]bool{}
	tasks, found := 0, 0
	for _, t := range cfg.tasks() {
		d := dataset{t.suite, t.dataset}
		if _, seen := complete[d]; !seen {
			order = append(order, d)
			complete[d] = true
		}
		tasks++
		if have[t.key()] {
			found++
		} else {
			complete[d] = false
		}
	}
	if found == tasks {
		return ""
	}
	// The first maxListed missing datasets, grouped by suite in task order:
	// "simulated 1, 4; real 0".
	var suites []string
	bySuite := map[string][]string{}
	done, listed := 0, 0
	for _, d := range order {
		if complete[d] {
			done++
			continue
		}
		if listed == maxListed {
			continue
		}
		if _, ok := bySuite[d.suite]; !ok {
			suites = append(suites, d.suite)
		}
		bySuite[d.suite] = append(bySuite[d.suite], strconv.Itoa(d.index))
		listed++
	}
	parts := make([]string, len(suites))
	for i, s := range suites {
		parts[i] = s + " " + strings.Join(bySuite[s], ", ")
	}
	list := strings.Join(parts, "; ")
	if n := len(order) - done; n > listed {
		list += fmt.Sprintf(" and %d more", n-listed)
	}
	return fmt.Sprintf("%d of %d records, %d of %d datasets complete (missing: %s)", found, tasks, done, len(order), list)
}
