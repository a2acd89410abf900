package validate

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
)

// Merge reads the records of shard directories and writes them, sorted and
// without duplicates, into out/records.jsonl, with the run's configuration
// in out/run.json. Aggregating the merged records gives the results of one
// unsharded run (wall times aside), since every dataset's record depends
// only on the run seed and the dataset index. Shards of different runs
// (seed, datasets, sampler) are refused. It returns the records and the
// configuration of the whole run.
func Merge(out string, dirs []string) ([]Record, Config, error) {
	var all []Record
	var cfg Config
	for i, d := range dirs {
		c, err := readIdentity(d)
		if err != nil {
			return nil, Config{}, err
		}
		c.Shard = Shard{Of: 1}
		if i == 0 {
			cfg = c
		} else if !bytes.Equal(identity(c), identity(cfg)) {
			return nil, Config{}, fmt.Errorf("%s and %s hold shards of different runs (see their %s)", dirs[0], d, IdentityFile)
		}
		recs, err := ReadRecords(filepath.Join(d, RecordsFile))
		if err != nil {
			return nil, Config{}, err
		}
		if recs == nil {
			return nil, Config{}, fmt.Errorf("%s: no %s", d, RecordsFile)
		}
		all = append(all, recs...)
	}
	all = sortRecords(all)
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, Config{}, err
	}
	if err := os.WriteFile(filepath.Join(out, IdentityFile), identity(cfg), 0o644); err != nil {
		return nil, Config{}, err
	}
	f, err := os.Create(filepath.Join(out, RecordsFile))
	if err != nil {
		return nil, Config{}, err
	}
	for _, r := range all {
		if err := appendRecord(f, r); err != nil {
			f.Close()
			return nil, Config{}, err
		}
	}
	return all, cfg, f.Close()
}
