package hmc

import (
	"fmt"
	"time"

	"github.com/metabeta-go/metabeta/diagnostics"
)

// EBFMIThreshold is the conventional E-BFMI below which a chain is flagged
// (Betancourt 2016, arXiv:1604.00695).
const EBFMIThreshold = 0.3

// Result holds the output of Run.
type Result struct {
	// Dim is the target dimension; ExtraDim the number of OnDraw quantities.
	Dim, ExtraDim int
	// Chains, Warmup, NumDraws and MaxDepth are the effective settings.
	Chains, Warmup, NumDraws, MaxDepth int
	// Metric is the adapted metric kind.
	Metric MetricKind
	// Draws[c] holds chain c's kept draws row-major, NumDraws×Dim, on the
	// unconstrained scale.
	Draws [][]float64
	// Extra[c] holds chain c's OnDraw quantities, NumDraws×ExtraDim (nil
	// without OnDraw).
	Extra [][]float64
	// Info[c][i] describes the transition that produced draw i of chain c.
	Info [][]Info
	// StepSize[c] is chain c's adapted step size.
	StepSize []float64
	// InvMetric[c] is chain c's adapted inverse metric: the diagonal (Dim)
	// or the row-major Dim×Dim matrix.
	InvMetric [][]float64
	// WarmupTime and SamplingTime are per-chain wall times.
	WarmupTime, SamplingTime []time.Duration
	// WarmupDivergences[c] counts divergent warmup transitions of chain c.
	WarmupDivergences []int
	// Warnings lists divergences, tree-depth saturation and low E-BFMI.
	Warnings []string
}

// Draw returns draw i of chain c (a view, not a copy).
func (r *Result) Draw(c, i int) []float64 { return r.Draws[c][i*r.Dim : (i+1)*r.Dim] }

// Param returns coordinate j of every chain, [chain][draw], as the
// diagnostics package takes it.
func (r *Result) Param(j int) [][]float64 {
	if j < 0 || j >= r.Dim {
		panic("hmc: parameter index out of range")
	}
	out := make([][]float64, r.Chains)
	for c := range out {
		col := make([]float64, r.NumDraws)
		for i := range col {
			col[i] = r.Draws[c][i*r.Dim+j]
		}
		out[c] = col
	}
	return out
}

// Energies returns the energy__ of chain c's kept transitions.
func (r *Result) Energies(c int) []float64 {
	e := make([]float64, len(r.Info[c]))
	for i, in := range r.Info[c] {
		e[i] = in.Energy
	}
	return e
}

// Divergences returns the number of divergent kept transitions over all
// chains.
func (r *Result) Divergences() int {
	n := 0
	for _, infos := range r.Info {
		for _, in := range infos {
			if in.Divergent {
				n++
			}
		}
	}
	return n
}

// TreeDepthHits returns the number of kept transitions, over all chains,
// that stopped at MaxDepth.
func (r *Result) TreeDepthHits() int {
	n := 0
	for _, infos := range r.Info {
		for _, in := range infos {
			if in.Depth >= r.MaxDepth {
				n++
			}
		}
	}
	return n
}

// EBFMI returns the energy Bayesian fraction of missing information of each
// chain (Betancourt 2016): Σₙ₌₂(Eₙ − Eₙ₋₁)² / Σₙ(Eₙ − Ē)².
func (r *Result) EBFMI() []float64 {
	out := make([]float64, r.Chains)
	for c := range out {
		out[c] = diagnostics.EBFMI(r.Energies(c))
	}
	return out
}

func (r *Result) warnings() []string {
	var w []string
	total := r.Chains * r.NumDraws
	if n := r.Divergences(); n > 0 {
		w = append(w, fmt.Sprintf("%d of %d transitions after warmup ended with a divergence", n, total))
	}
	if n := r.TreeDepthHits(); n > 0 {
		w = append(w, fmt.Sprintf("%d of %d transitions after warmup hit the maximum tree depth %d", n, total, r.MaxDepth))
	}
	for c, e := range r.EBFMI() {
		if e < EBFMIThreshold {
			w = append(w, fmt.Sprintf("chain %d: E-BFMI %.3f below %.1f", c, e, EBFMIThreshold))
		}
	}
	return w
}
