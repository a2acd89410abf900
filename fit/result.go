package fit

import (
	"encoding/json"
	"math"
)

// Num is a float64 that marshals NaN and infinities as JSON null, as R's NA.
type Num float64

// MarshalJSON implements json.Marshaler.
func (n Num) MarshalJSON() ([]byte, error) {
	f := float64(n)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return json.Marshal(f)
}

// UnmarshalJSON implements json.Unmarshaler; null reads as NaN.
func (n *Num) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*n = Num(math.NaN())
		return nil
	}
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	*n = Num(f)
	return nil
}

// Summary summarizes the posterior of one scalar quantity. Rhat and the ESS
// are NaN (null in JSON) for methods that give independent draws.
type Summary struct {
	Name    string `json:"name"`
	Mean    Num    `json:"mean"`
	SD      Num    `json:"sd"`
	Q5      Num    `json:"q5"`
	Q50     Num    `json:"q50"`
	Q95     Num    `json:"q95"`
	Rhat    Num    `json:"rhat"`
	ESSBulk Num    `json:"ess_bulk"`
	ESSTail Num    `json:"ess_tail"`
}

// Diagnostics are the sampler's run-level diagnostics. The importance
// sampling fields are set only by npe-is.
type Diagnostics struct {
	Divergences   int       `json:"divergences"`
	TreedepthHits int       `json:"treedepth_hits"`
	EBFMI         []Num     `json:"ebfmi"`
	StepSize      []float64 `json:"stepsize,omitempty"`
	MeanTreeDepth float64   `json:"mean_treedepth,omitempty"`
	MeanLeapfrog  float64   `json:"mean_leapfrog,omitempty"`
	ParetoK       *Num      `json:"pareto_k,omitempty"`
	KThreshold    *Num      `json:"pareto_k_threshold,omitempty"`
	ISEfficiency  *Num      `json:"is_efficiency,omitempty"`
	// ProposalDraws is the number of proposal draws whose weights gave
	// ParetoK and ISEfficiency (ESS over ProposalDraws): the requested
	// draws, or ISRetryFactor times as many after a k̂ above its threshold.
	ProposalDraws int `json:"proposal_draws,omitempty"`
}

// Timing holds wall-clock seconds.
type Timing struct {
	Wall     float64 `json:"wall_seconds"`
	Warmup   float64 `json:"warmup_seconds"`
	Sampling float64 `json:"sampling_seconds"`
}

// Result is a fitted posterior in the schema shared by every method.
type Result struct {
	Method        string          `json:"method"`
	Target        string          `json:"target,omitempty"`
	Formula       string          `json:"formula"`
	NObs          int             `json:"n_obs"`
	NGroups       int             `json:"n_groups"`
	Prior         json.RawMessage `json:"prior"`
	Parameters    []Summary       `json:"parameters"`
	RandomEffects []Summary       `json:"random_effects"`
	Diagnostics   Diagnostics     `json:"diagnostics"`
	Timing        Timing          `json:"timing"`
	Warnings      []string        `json:"warnings"`
	// Design holds the rank and conditioning of the design; set by Fit.
	Design *DesignFacts `json:"design,omitempty"`

	// Draws are the posterior draws; they go to the draws CSV, not the JSON.
	Draws *Draws `json:"-"`
}

// Draws holds posterior draws per chain. Chains[c] is row-major:
// iteration i, quantity j at Chains[c][i*len(Names)+j]. The quantities are
// the global parameters followed by the random effects, named as brms names
// them.
type Draws struct {
	Names  []string
	Chains [][]float64
}

// Iterations returns the number of draws per chain.
func (d *Draws) Iterations() int {
	if len(d.Chains) == 0 || len(d.Names) == 0 {
		return 0
	}
	return len(d.Chains[0]) / len(d.Names)
}

// Column returns quantity j as one slice per chain, the layout package
// diagnostics takes.
func (d *Draws) Column(j int) [][]float64 {
	n, k := d.Iterations(), len(d.Names)
	out := make([][]float64, len(d.Chains))
	for c, ch := range d.Chains {
		col := make([]float64, n)
		for i := range n {
			col[i] = ch[i*k+j]
		}
		out[c] = col
	}
	return out
}
