package validate

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/metabeta-go/metabeta/fit"
	"github.com/metabeta-go/metabeta/lmm"
)

// Kinds of parameter, the rows of the paper's tables.
const (
	KindBeta   = "beta"
	KindSigmaB = "sigma_b"
	KindSigma  = "sigma"
	KindCor    = "cor"
	KindB      = "b"
)

// KindSigmaBNearZero is the agreement table's stratum of the σ_b whose
// NUTS posterior presses against zero: coefficient of variation sd/mean
// above NearZeroCV. Their posteriors are skewed, with a log-scale right tail
// far lighter than a Gaussian's, and the pooled σ_b row hides how a method
// fares on them (in `make validate` of the model shipped at 5a4ac7c6, 91 of
// the 330 σ_b, with a median npe/NUTS SD ratio of 1.18 against 1.00 for
// the others).
const (
	KindSigmaBNearZero = "sigma_b near 0"
	NearZeroCV         = 0.6
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
	case strings.HasPrefix(name, "cor_"):
		return KindCor
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
	// ParetoK and ISEfficiency are npe-is's importance-sampling
	// diagnostics, from ProposalDraws proposal draws (more than Draws
	// after a redraw, fit.ISRetryFactor).
	ParetoK       *fit.Num `json:"pareto_k,omitempty"`
	ISEfficiency  *fit.Num `json:"is_efficiency,omitempty"`
	ProposalDraws int      `json:"proposal_draws,omitempty"`
	// Fallback says why fit.Fit would have replaced this result by NUTS
	// (outside the trained range, k̂ above its threshold); "" when not.
	Fallback string   `json:"fallback,omitempty"`
	Error    string   `json:"error,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
	// Seeds are further fits of a real dataset by the same proposal
	// method with other seeds (Config.RealSeeds).
	Seeds []SeedFit `json:"seeds,omitempty"`
}

// SeedFit is one further fit of a real dataset (Record.Seeds): the
// posterior mean and SD of each global parameter, k̂ of an
// importance-sampled method, and why fit.Fit would have fallen back, or
// the error of a fit that failed.
type SeedFit struct {
	Seed     uint64     `json:"seed"`
	Params   []RefParam `json:"params,omitempty"`
	ParetoK  *fit.Num   `json:"pareto_k,omitempty"`
	Fallback string     `json:"fallback,omitempty"`
	Error    string     `json:"error,omitempty"`
}

// check reports the first impossible value of a seed fit: neither
// parameters nor an error, or a mean that is not finite or an SD that is
// not finite and ≥ 0.
func (s SeedFit) check() error {
	if s.Error == "" && len(s.Params) == 0 {
		return errors.New("no params and no error")
	}
	for _, p := range s.Params {
		if math.IsNaN(p.Mean) || math.IsInf(p.Mean, 0) || !(p.SD >= 0) || math.IsInf(p.SD, 0) {
			return fmt.Errorf("%s: mean %v, sd %v: want finite, sd ≥ 0", lmm.QuoteShort(p.Name), p.Mean, p.SD)
		}
	}
	return nil
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
// Every record is checked on reading (see Record.check), and the error
// names the file and the line. A missing file holds no records.
func ReadRecords(path string) ([]Record, error) {
	recs, _, err := readRecordsFile(path)
	return recs, err
}

// readRecordsFile is ReadRecords that also returns the line of each record.
func readRecordsFile(path string) ([]Record, []int, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	return readRecordLines(f, path)
}

func readRecords(r io.Reader, name string) ([]Record, error) {
	recs, _, err := readRecordLines(r, name)
	return recs, err
}

// readRecordLines reads a JSONL records file and returns its records with
// the line number of each. Every record is checked (Record.check), and all
// simulated records must share one L, so that the calibration metrics,
// whose preconditions these are, never see an impossible value; an error
// names the file and the line.
func readRecordLines(r io.Reader, name string) ([]Record, []int, error) {
	var out []Record
	var lines []int
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<28)
	var pending error
	line := 0
	firstL, firstLLine := 0, 0
	for sc.Scan() {
		line++
		if pending != nil {
			return nil, nil, pending
		}
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var rec Record
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			// Only a last line may be cut short (a run killed mid-write).
			pending = fmt.Errorf("%s line %d: not a JSON record (%w): fix or delete the line", name, line, err)
			continue
		}
		if err := rec.check(); err != nil {
			return nil, nil, fmt.Errorf("%s line %d: record %s: %w", name, line, lmm.QuoteShort(rec.key()), err)
		}
		if l := rec.sbcDraws(); l > 0 {
			if firstL == 0 {
				firstL, firstLLine = l, line
			} else if l != firstL {
				return nil, nil, fmt.Errorf("%s line %d: record %s: l %d, but line %d has l %d: records of different runs?",
					name, line, lmm.QuoteShort(rec.key()), l, firstLLine, firstL)
			}
		}
		out = append(out, rec)
		lines = append(lines, line)
	}
	if err := sc.Err(); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	return out, lines, nil
}

// knownSuite reports whether a record may name suite: the simulated and
// real suites, and the misspecified variants of the simulated one.
func knownSuite(suite string) bool {
	return suite == SuiteSimulated || suite == SuiteReal || isMisspecSuite(suite)
}

// Methods a record may name.
var knownMethods = fit.Methods()

// check reports the first impossible value of a record read from a file:
// an unknown suite or method, a negative count, or a parameter that fails
// ParamRecord.check. Simulated records of successful fits hold an SBC
// rank for every parameter (L ≥ 1, one L per record), and so do those of
// the misspecified variants; real ones hold none.
func (r Record) check() error {
	switch {
	case !knownSuite(r.Suite):
		return fmt.Errorf("suite %s: want %q, %q or %s<variant>", lmm.QuoteShort(r.Suite), SuiteSimulated, SuiteReal, suiteMisspecPrefix)
	case !slices.Contains(knownMethods, r.Method):
		return fmt.Errorf("method %s: want one of %s", lmm.QuoteShort(r.Method), strings.Join(knownMethods, ", "))
	case r.Dataset < 0:
		return fmt.Errorf("dataset %d: want ≥ 0", r.Dataset)
	case r.Suite == SuiteReal && r.Name == "":
		return errors.New("a real dataset without its name")
	case !(r.Seconds >= 0) || math.IsInf(r.Seconds, 0):
		return fmt.Errorf("seconds %v: want a finite time ≥ 0", r.Seconds)
	case r.Draws < 0 || r.NObs < 0 || r.NGroups < 0 || r.Divergences < 0:
		return fmt.Errorf("negative count (draws %d, n_obs %d, n_groups %d, divergences %d)", r.Draws, r.NObs, r.NGroups, r.Divergences)
	case !nanOrIn(float64(r.MaxRhat), 0, math.Inf(1)):
		return fmt.Errorf("max_rhat %v: want null or ≥ 0", float64(r.MaxRhat))
	case !nanOrIn(float64(r.MinESS), 0, math.Inf(1)):
		return fmt.Errorf("min_ess %v: want null or ≥ 0", float64(r.MinESS))
	case r.ISEfficiency != nil && !nanOrIn(float64(*r.ISEfficiency), 0, 1):
		return fmt.Errorf("is_efficiency %v: want null or in [0, 1]", float64(*r.ISEfficiency))
	case r.Error == "" && len(r.Params) == 0:
		return errors.New("no params and no error")
	case len(r.Seeds) > 0 && (r.Suite != SuiteReal || r.Method == fit.MethodNUTS):
		return fmt.Errorf("%d seed fits: want them only for a proposal method on a real dataset", len(r.Seeds))
	}
	for i, s := range r.Seeds {
		if err := s.check(); err != nil {
			return fmt.Errorf("seeds[%d]: %w", i, err)
		}
	}
	if r.PPC != nil {
		if err := r.PPC.check(); err != nil {
			return err
		}
	}
	seen := make(map[string]bool, len(r.Params))
	l := -1
	for i, p := range r.Params {
		if err := p.check(); err != nil {
			return fmt.Errorf("params[%d] (%s): %w", i, lmm.QuoteShort(p.Name), err)
		}
		if seen[p.Name] {
			return fmt.Errorf("params[%d]: parameter %s twice", i, lmm.QuoteShort(p.Name))
		}
		seen[p.Name] = true
		switch {
		case r.Suite == SuiteReal && p.L != 0:
			return fmt.Errorf("params[%d] (%s): l %d on a real dataset, whose truth is unknown: want 0", i, lmm.QuoteShort(p.Name), p.L)
		case r.Suite != SuiteReal && r.Error == "" && p.L < 1:
			return fmt.Errorf("params[%d] (%s): l %d on a simulated dataset: want the number of thinned draws, ≥ 1", i, lmm.QuoteShort(p.Name), p.L)
		case l >= 0 && p.L != l:
			return fmt.Errorf("params[%d] (%s): l %d, but params[0] has l %d", i, lmm.QuoteShort(p.Name), p.L, l)
		}
		l = p.L
	}
	return nil
}

// sbcDraws returns the L of the record's SBC ranks (0: none).
func (r Record) sbcDraws() int {
	if len(r.Params) == 0 {
		return 0
	}
	return r.Params[0].L
}

// check reports the first impossible value of a parameter record: a name
// that is not a brms parameter name, a kind that does not match it, a rank
// outside 0..L, a PIT outside [0, 1], a negative SD, or quantiles that are
// not QuantileLevels' length or not sorted.
func (p ParamRecord) check() error {
	if err := checkParamName(p.Name); err != nil {
		return err
	}
	switch {
	case p.Kind != kindOf(p.Name):
		return fmt.Errorf("kind %s: the parameter is a %s", lmm.QuoteShort(p.Kind), kindOf(p.Name))
	case p.L < 0:
		return fmt.Errorf("l %d: want ≥ 0", p.L)
	case p.Rank < 0 || p.Rank > p.L:
		return fmt.Errorf("rank %d outside 0..%d (l)", p.Rank, p.L)
	case !(p.PIT >= 0 && p.PIT <= 1):
		return fmt.Errorf("pit %v outside [0, 1]", p.PIT)
	case !finite(p.Truth) || !finite(p.Mean):
		return fmt.Errorf("truth %v, mean %v: want finite numbers", p.Truth, p.Mean)
	case !(p.SD >= 0) || math.IsInf(p.SD, 0):
		return fmt.Errorf("sd %v: want a finite SD ≥ 0", p.SD)
	case !(p.PriorSD >= 0) || math.IsInf(p.PriorSD, 0):
		return fmt.Errorf("prior_sd %v: want a finite SD ≥ 0", p.PriorSD)
	case len(p.Quantiles) != 0 && len(p.Quantiles) != len(QuantileLevels):
		return fmt.Errorf("%d quantiles: want %d (levels 0.05, 0.10, …, 0.95) or none", len(p.Quantiles), len(QuantileLevels))
	}
	for i, v := range p.Quantiles {
		if !finite(v) || (i > 0 && v < p.Quantiles[i-1]) {
			return fmt.Errorf("quantiles %v: want finite and non-decreasing", p.Quantiles)
		}
	}
	return nil
}

// checkParamName accepts the brms names that fit gives parameters:
// b_<term>, sd_<group>__<term>, sigma, cor_<group>__<term>__<term> and
// r_<group>[<level>,<term>].
func checkParamName(name string) error {
	ok := false
	switch {
	case name == "sigma":
		ok = true
	case strings.HasPrefix(name, "b_"):
		ok = len(name) > 2
	case strings.HasPrefix(name, "sd_"):
		g, t, cut := strings.Cut(name[3:], "__")
		ok = cut && g != "" && t != ""
	case strings.HasPrefix(name, "cor_"):
		g, terms, cut := strings.Cut(name[4:], "__")
		t1, t2, cut2 := strings.Cut(terms, "__")
		ok = cut && cut2 && g != "" && t1 != "" && t2 != ""
	case strings.HasPrefix(name, "r_"):
		g, rest, cut := strings.Cut(name[2:], "[")
		level, term, comma := strings.Cut(strings.TrimSuffix(rest, "]"), ",")
		ok = cut && g != "" && strings.HasSuffix(rest, "]") && comma && level != "" && term != ""
	}
	if !ok {
		return fmt.Errorf("parameter name %s: want b_<term>, sd_<group>__<term>, sigma, cor_<group>__<term>__<term> or r_<group>[<level>,<term>]", lmm.QuoteShort(name))
	}
	return nil
}

// check reports an impossible posterior predictive value.
func (c *PPCRecord) check() error {
	switch {
	case !finite(c.CRPS) || !finite(c.LPD):
		return fmt.Errorf("ppc: crps %v, lpd %v: want finite numbers", c.CRPS, c.LPD)
	case !nanOrIn(float64(c.PPPWithin), 0, 1) || !nanOrIn(float64(c.PPPBetween), 0, 1):
		return fmt.Errorf("ppc: p-values %v, %v: want null or in [0, 1]", float64(c.PPPWithin), float64(c.PPPBetween))
	}
	return nil
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// nanOrIn reports whether x is NaN (null in the file) or lies in [lo, hi].
func nanOrIn(x, lo, hi float64) bool { return math.IsNaN(x) || (x >= lo && x <= hi) }

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
