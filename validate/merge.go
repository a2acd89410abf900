package validate

import (
	"fmt"
	"os"
	"path/filepath"
)

// Merge reads the records of shard directories and writes them, sorted and
// without duplicates, into out/records.jsonl. Aggregating the merged
// records gives exactly the results of one unsharded run, since every
// dataset's record depends only on the run seed and the dataset index.
func Merge(out string, dirs []string) ([]Record, error) {
	var all []Record
	for _, d := range dirs {
		recs, err := ReadRecords(filepath.Join(d, RecordsFile))
		if err != nil {
			return nil, err
		}
		if recs == nil {
			return nil, fmt.Errorf("%s: no %s", d, RecordsFile)
		}
		all = append(all, recs...)
	}
	all = sortRecords(all)
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, err
	}
	f, err := os.Create(filepath.Join(out, RecordsFile))
	if err != nil {
		return nil, err
	}
	for _, r := range all {
		if err := appendRecord(f, r); err != nil {
			f.Close()
			return nil, err
		}
	}
	return all, f.Close()
}
