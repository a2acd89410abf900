package validate

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/metabeta-go/metabeta/fit"
)

// Kinds of parameter, the rows of the paper's tables.
const (
	KindBeta   = "beta"
	KindSigmaB = "sigma_b"
	KindSigma  = "sigma"
	KindB      = "b"
)

// kindOf returns the kind of a brms parameter name.
func kindOf(name string) string {
	switch {
	case strings.HasPrefix(name, "b_"):
		return KindBeta
	case strings.HasPrefix(name, "sd_"):
		return KindSigmaB
	case name == "sigma":
		return KindSigma
	default:
		return KindB
	}
}

// ParamRecord is one parameter of one fit.
type ParamRecord struct {
	Name  string  `json:"name"`
	Kind  string  `json:"kind"`
	Truth float64 `json:"truth"` // NaN-free; 0 for real data, where it is unknown
	Mean  float64 `json:"mean"`
	SD    float64 `json:"sd"`
	// Rank is the number of the L thinned draws below the truth, ties
	// broken at random; PIT is the fraction of all draws below the truth
	// (ties counted half).
	Rank int     `json:"rank"`
	L    int     `json:"l"`
	PIT  float64 `json:"pit"`
	// Quantiles are the posterior quantiles at 0.05, 0.10, …, 0.95
	// (QuantileLevels), from which the agreement of two methods' posteriors
	// is measured (Wasserstein-1 as the mean absolute difference of
	// quantile functions).
	Quantiles []float64 `json:"q"`
	// PriorSD is the prior standard deviation of the parameter (global
	// parameters only), for posterior contraction.
	PriorSD float64 `json:"prior_sd,omitempty"`
}

// Record is the outcome of one method on one dataset: one line of the
// results JSONL.
type Record struct {
	Suite   string        `json:"suite"` // "simulated" or "real"
	Dataset int           `json:"dataset"`
	Name    string        `json:"name,omitempty"` // real datasets
	Method  string        `json:"method"`
	Seconds float64       `json:"seconds"`
	Params  []ParamRecord `json:"params"`
	// NUTS diagnostics: the worst R̂ and the lowest bulk or tail ESS over
	// the global parameters, divergences, and the number of kept draws.
	MaxRhat     fit.Num    `json:"max_rhat"`
	MinESS      fit.Num    `json:"min_ess"`
	Divergences int        `json:"divergences"`
	Draws       int        `json:"draws"`
	NObs        int        `json:"n_obs"`
	NGroups     int        `json:"n_groups"`
	PPC         *PPCRecord `json:"ppc,omitempty"`
	// ParetoK and ISEfficiency are npe-is's importance-sampling diagnostics.
	ParetoK      *fit.Num `json:"pareto_k,omitempty"`
	ISEfficiency *fit.Num `json:"is_efficiency,omitempty"`
	Error        string   `json:"error,omitempty"`
	Warnings     []string `json:"warnings,omitempty"`
}

// key identifies a record within a run.
func (r Record) key() string { return fmt.Sprintf("%s/%d/%s", r.Suite, r.Dataset, r.Method) }

// RecordsFile is the name of the JSONL file in a run directory.
const RecordsFile = "records.jsonl"

// appendRecord writes r as one JSON line and syncs the file, so a killed
// run keeps every finished dataset.
func appendRecord(f *os.File, r Record) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("record %s: %w", r.key(), err)
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("record %s: %w", r.key(), err)
	}
	return f.Sync()
}

// dropPartialLine truncates the records file after its last newline: a
// line without one was cut short by a kill mid-write (appendRecord writes
// each record with its newline in one call), and appending after it would
// glue the next record onto the fragment. A missing file is fine.
func dropPartialLine(path string) error {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if n := len(b); n > 0 && b[n-1] != '\n' {
		if err := os.Truncate(path, int64(bytes.LastIndexByte(b, '\n')+1)); err != nil {
			return fmt.Errorf("%s: dropping a partial last line: %w", path, err)
		}
	}
	return nil
}

// ReadRecords reads a JSONL records file. A truncated last line (a run
// killed mid-write) is ignored; any other malformed line is an error.
func ReadRecords(path string) ([]Record, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readRecords(f, path)
}

func readRecords(r io.Reader, name string) ([]Record, error) {
	var out []Record
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<28)
	var pending error
	line := 0
	for sc.Scan() {
		line++
		if pending != nil {
			return nil, pending
		}
		if len(strings.TrimSpace(sc.Text())) == 0 {
			continue
		}
		var rec Record
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			pending = fmt.Errorf("%s line %d: %w", name, line, err)
			continue
		}
		out = append(out, rec)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return out, nil
}

// sortRecords orders records by suite, dataset and method and drops
// duplicates (the last copy wins), so aggregation does not depend on the
// order in which shards finished.
func sortRecords(recs []Record) []Record {
	byKey := map[string]Record{}
	for _, r := range recs {
		byKey[r.key()] = r
	}
	out := make([]Record, 0, len(byKey))
	for _, r := range byKey {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Suite != b.Suite {
			return a.Suite < b.Suite
		}
		if a.Dataset != b.Dataset {
			return a.Dataset < b.Dataset
		}
		return a.Method < b.Method
	})
	return out
}
