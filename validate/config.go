package validate

import (
	"fmt"
	"io/fs"
	"strconv"
	"strings"

	"github.com/metabeta-go/metabeta/fit"
	"github.com/metabeta-go/metabeta/npe/estimator"
	"github.com/metabeta-go/metabeta/sim"
)

// Config configures a validation run.
type Config struct {
	Seed uint64 `json:"seed"`
	// Simulated is the number of simulated datasets fitted by every method.
	Simulated int `json:"simulated"`
	// Sim is the test prior: the simulator's configuration. It is not part
	// of the run's recorded identity (run.json): runs that change it should
	// also change Seed or the output directory.
	Sim sim.Config `json:"-"`
	// NUTS configures the reference sampler (its Seed is derived per dataset).
	NUTS fit.NUTSOptions `json:"nuts"`
	// SBCDraws is L, the number of thinned draws each SBC rank uses.
	SBCDraws int `json:"sbc_draws"`
	// RandomEffectGroups caps the groups per dataset whose random effects
	// are recorded. The default, 1, keeps the records of the random effects
	// independent across records: the effects of one dataset share the
	// posterior of its hyperparameters, so their SBC ranks and coverage
	// indicators are correlated and pooled tests would be anti-conservative.
	RandomEffectGroups int `json:"random_effect_groups"`
	// Real lists the real datasets (realsuite.go); LoadReal reads them
	// and their references.
	Real []RealDataset `json:"real"`
	// Data holds the files of Real (nil: paths on disk). The CLI gives it
	// the copy embedded in the binary (metabeta.Datasets) or --data-dir.
	Data fs.FS `json:"-"`
	// Misspec lists the misspecified variants of the simulated suite
	// (misspec.go), each fitted on MisspecDatasets datasets by every method.
	Misspec         []MisspecVariant `json:"misspec,omitempty"`
	MisspecDatasets int              `json:"misspec_datasets,omitempty"`
	// Shard selects dataset indices i with i mod Of == Index (Of = 1: all).
	Shard Shard `json:"shard"`

	// Estimator is the trained neural estimator; nil runs NUTS alone.
	Estimator *estimator.Model `json:"-"`
	// ModelID identifies the estimator's weights (their SHA-256), so that
	// runs with different models neither resume nor merge into each other.
	ModelID string `json:"model,omitempty"`
	// NPEDraws is the number of draws of npe and npe-is per dataset.
	NPEDraws int `json:"npe_draws"`
	// RealSeeds is the number of fit seeds of each proposal method (npe,
	// npe-is, laplace, laplace-is) on each real dataset: its record holds
	// the first fit, and the others in Record.Seeds, so that Table 5 counts
	// passes and fallbacks over seeds as well as at the first (0 or 1: the
	// first alone). NUTS, the reference and the slow one, runs once.
	RealSeeds int `json:"real_seeds,omitempty"`
	// SBCOnly is the number of further simulated datasets fitted by npe
	// alone, for simulation-based calibration with many replicates (NUTS is
	// too slow for them).
	SBCOnly int `json:"sbc_only"`
}

// Methods returns the methods the run fits, in table order: every method of
// fit.Methods (the one list), less npe and npe-is when no estimator is set.
func (c Config) Methods() []string {
	var out []string
	for _, m := range fit.Methods() {
		if c.hasEstimator() || !needsEstimator(m) {
			out = append(out, m)
		}
	}
	return out
}

// needsEstimator reports whether method m needs a trained neural estimator.
func needsEstimator(m string) bool { return m == fit.MethodNPE || m == fit.MethodNPEIS }

// hasEstimator reports whether the run fits the neural estimator: it holds
// one, or it is a merged run whose recorded identity names one (ModelID;
// the weights themselves are not recorded).
func (c Config) hasEstimator() bool { return c.Estimator != nil || c.ModelID != "" }

// Missing returns the methods of the full harness that the run cannot fit,
// with the reason shown in every report.
func (c Config) Missing() map[string]string {
	if c.hasEstimator() {
		return map[string]string{}
	}
	why := "no trained model: build with " + "testdata/models/default.mbw" + " (make train-default) or pass --model"
	return map[string]string{fit.MethodNPE: why, fit.MethodNPEIS: why}
}

// Shard is a deterministic slice of a run: dataset i belongs to shard
// i mod Of. Index counts from 0.
type Shard struct {
	Index int `json:"index"`
	Of    int `json:"of"`
}

// Has reports whether dataset i belongs to the shard.
func (s Shard) Has(i int) bool { return s.Of <= 1 || i%s.Of == s.Index }

// ParseShard reads "k/n" with 1 ≤ k ≤ n, as the CLI's --shard flag.
func ParseShard(s string) (Shard, error) {
	a, b, ok := strings.Cut(s, "/")
	k, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || k < 1 || k > n {
		return Shard{}, fmt.Errorf("shard %q: want k/n with 1 ≤ k ≤ n", s)
	}
	return Shard{Index: k - 1, Of: n}, nil
}

// DefaultRealSeeds is the real suite's number of fit seeds per proposal
// method (Config.RealSeeds). One fit of 1,000 draws decides the real-suite
// target badly: a flow with a long tail puts a few draws far out, and the
// posterior SD of those draws moves with the seed (pixel's sd_Dog__day
// SD passed at 4 of 5 seeds with model 030ddd35 and failed at the
// fifth). The further fits take milliseconds each.
const DefaultRealSeeds = 5

// DefaultConfig returns the suite of `make validate` (quick false) or of
// `validate --quick`. data holds the real suite's files, laid out as the
// repository's testdata/ (metabeta.Datasets); call LoadReal before Run.
func DefaultConfig(quick bool, data fs.FS) Config {
	c := Config{
		Seed:               20261126,
		Simulated:          500,
		Sim:                sim.DefaultConfig(),
		NUTS:               fit.NUTSOptions{Chains: 4, Warmup: 1000, Draws: 1000},
		SBCDraws:           99,
		RandomEffectGroups: 1,
		NPEDraws:           1000,
		RealSeeds:          DefaultRealSeeds,
		SBCOnly:            1000,
		Real:               RealSuite(),
		Data:               data,
		Misspec:            DefaultMisspec(),
		MisspecDatasets:    MisspecDatasets,
		Shard:              Shard{Of: 1},
	}
	if quick {
		c.Simulated = 24
		c.NUTS = fit.NUTSOptions{Chains: 4, Warmup: 500, Draws: 500}
		c.MisspecDatasets = MisspecDatasetsQuick
		c.SBCOnly = 100
	}
	return c
}
