package validate

import (
	"fmt"
	"math"
	"strings"

	"github.com/metabeta-go/metabeta/lmm"
	"github.com/metabeta-go/metabeta/sim"
)

// MisspecVariant is one departure of the data from the model (package sim's
// Misspec) under which every method fits MisspecDatasets simulated datasets.
type MisspecVariant struct {
	Name    string      `json:"name"`
	Misspec sim.Misspec `json:"misspec"`
}

// Sizes of the misspecification suite: datasets per variant in the full and
// in the quick run.
const (
	MisspecDatasets      = 60
	MisspecDatasetsQuick = 6
)

// DefaultMisspec returns the variants of Table 7: Student-t noise with 3
// degrees of freedom, heteroscedastic noise with γ = 0.5 (the residual SD of
// a row is σ·exp(0.5·x₁)/c), log-normal random effects of skewness 6.2, and
// Student-t random effects with 3 degrees of freedom. Each keeps the
// variances that σ and σ_b describe, so the truths keep their meaning.
func DefaultMisspec() []MisspecVariant {
	return []MisspecVariant{
		{"t-noise", sim.Misspec{NoiseDF: 3}},
		{"heteroscedastic", sim.Misspec{Heteroscedastic: 0.5}},
		{"skewed-effects", sim.Misspec{Effects: sim.EffectSkewed}},
		{"heavy-effects", sim.Misspec{Effects: sim.EffectHeavyTailed}},
	}
}

// suiteMisspecPrefix starts the suite name of a misspecified variant's
// records: "misspec-t-noise" and so on.
const suiteMisspecPrefix = "misspec-"

// misspecSuite returns the suite name of variant v.
func misspecSuite(v MisspecVariant) string { return suiteMisspecPrefix + v.Name }

// isMisspecSuite reports whether suite holds a misspecified variant's
// records; they aggregate apart from the simulated suite, in Table 7.
func isMisspecSuite(suite string) bool { return strings.HasPrefix(suite, suiteMisspecPrefix) }

// misspecTasks lists the tasks of the misspecification suite, restricted
// to the shard: every variant, dataset and method.
func (c Config) misspecTasks() []task {
	var ts []task
	for _, v := range c.Misspec {
		for i := range c.MisspecDatasets {
			if c.Shard.Has(i) {
				for _, m := range c.Methods() {
					ts = append(ts, task{misspecSuite(v), i, m})
				}
			}
		}
	}
	return ts
}

// misspecDataset draws dataset i of the variant that suite names. The
// variant's simulator is the test prior with the departure switched on, and
// it draws with the run's seed, so dataset i of every variant shares its
// design and parameters with dataset i of the others (as far as the
// departure leaves the random streams alone).
func (c Config) misspecDataset(suite string, i int) (*lmm.Design, lmm.Prior, []float64, error) {
	for _, v := range c.Misspec {
		if misspecSuite(v) != suite {
			continue
		}
		sc := c.Sim
		sc.Misspec = v.Misspec
		s, err := sim.New(sc)
		if err != nil {
			return nil, lmm.Prior{}, nil, fmt.Errorf("misspecified variant %s: %w", v.Name, err)
		}
		smp, err := s.Sample(c.Seed, i)
		if err != nil {
			return nil, lmm.Prior{}, nil, fmt.Errorf("misspecified variant %s, dataset %d: %w", v.Name, i, err)
		}
		var truth []float64
		for _, nv := range sim.Truth(smp) {
			truth = append(truth, nv.Value)
		}
		return smp.Design, smp.Prior, truth, nil
	}
	return nil, lmm.Prior{}, nil, fmt.Errorf("suite %q: not a misspecified variant of this run", suite)
}

// MisspecResult is one method on one parameter kind under one variant (a
// row of Table 7): the agreement with NUTS on the same datasets (Pearson r
// of the posterior means, mean |Δmean|/sd_NUTS; NaN for NUTS itself) and the
// coverage of the truth (ECE ± SE, EACE) and recovery r.
type MisspecResult struct {
	Variant     string   `json:"variant"`
	Method      string   `json:"method"`
	Kind        string   `json:"kind"`
	N           int      `json:"n"`
	R           Estimate `json:"agreement_r"`
	MeanAbsDiff Estimate `json:"mean_abs_dmean_over_sd"`
	ECE         Estimate `json:"ece"`
	EACE        Estimate `json:"eace"`
	RecoveryR   Estimate `json:"recovery_r"`
}

// misspecResults aggregates the misspecification suite: per variant, the
// calibration of every method against the truth (groupResult) and its
// agreement with NUTS (agreement), by parameter kind. Failed fits are
// counted in the warnings.
func misspecResults(cfg Config, methods []string, recs []Record) ([]MisspecResult, []string) {
	var out []MisspecResult
	var warnings []string
	nan := est(math.NaN(), math.NaN())
	for _, v := range cfg.Misspec {
		suite := misspecSuite(v)
		// The records of the variant, relabelled as the simulated suite that
		// agreement pairs.
		var own []Record
		byKind := map[string]*units{}
		failed := 0
		for _, r := range recs {
			if r.Suite != suite {
				continue
			}
			if r.Error != "" {
				failed++
				continue
			}
			r.Suite = SuiteSimulated
			own = append(own, r)
			kinds := map[string][]ParamRecord{}
			for _, p := range r.Params {
				kinds[p.Kind] = append(kinds[p.Kind], p)
			}
			for k, ps := range kinds {
				u := byKind[r.Method+"\x00"+k]
				if u == nil {
					u = &units{}
					byKind[r.Method+"\x00"+k] = u
				}
				u.add(ps)
			}
		}
		if failed > 0 {
			warnings = append(warnings, fmt.Sprintf("misspecified variant %s: %d failed fits", v.Name, failed))
		}
		agree := map[string]AgreementResult{}
		for _, a := range agreement(cfg.Seed, methods, own) {
			agree[a.Method+"\x00"+a.Kind] = a
		}
		for _, m := range methods {
			for _, k := range kindOrder {
				u := byKind[m+"\x00"+k]
				if u == nil {
					continue
				}
				g := groupResult(m, k, u, bootstrapRNG(cfg.Seed, suite, m, k))
				row := MisspecResult{Variant: v.Name, Method: m, Kind: k, N: g.N, R: nan, MeanAbsDiff: nan,
					ECE: g.ECE, EACE: g.EACE, RecoveryR: g.R}
				if a, ok := agree[m+"\x00"+k]; ok {
					row.R, row.MeanAbsDiff = a.R, a.MeanAbsDiff
				}
				out = append(out, row)
			}
		}
	}
	return out, warnings
}
