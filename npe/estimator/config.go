package estimator

import (
	"fmt"
	"math"

	"github.com/metabeta-go/metabeta/npe/flow"
)

// Padded sizes of the estimator: every dataset is embedded as if it had
// MaxP fixed effects (intercept included) and MaxQ random effects. The flow
// runs over FlowDim = MaxP + MaxQ + 1 padded dimensions [β, log σ_b, log σ]
// or, for a model with Config.Correlations, over CorFlowDim = FlowDim +
// MaxCor, the MaxCor = MaxQ(MaxQ−1)/2 unconstrained correlations following
// log σ.
const (
	MaxP       = 6
	MaxQ       = 3
	MaxCor     = MaxQ * (MaxQ - 1) / 2
	FlowDim    = MaxP + MaxQ + 1
	CorFlowDim = FlowDim + MaxCor
)

// Config is the architecture and the training hyper-parameters of a Model.
// Its JSON form is the header of a weights file, so a file is loaded only
// into a model of the same Config. The zero value of any field means its
// default (see DefaultConfig); New fills the defaults in.
type Config struct {
	// Width is the set-transformer model width (default 64), Heads its
	// attention heads (4), Hidden its feed-forward width (128), Blocks the
	// number of set-attention blocks (2) and SummaryOut the width of the
	// pooled summary (64).
	Width      int `json:"width"`
	Heads      int `json:"heads"`
	Hidden     int `json:"hidden"`
	Blocks     int `json:"blocks"`
	SummaryOut int `json:"summary_out"`
	// ContextHidden is the hidden width of the context MLP (default 128)
	// and Context its output width, the flow's context (default 64).
	ContextHidden int `json:"context_hidden"`
	Context       int `json:"context"`
	// FlowSteps couplings (default 6) with conditioners of FlowDepth hidden
	// layers (2) of FlowHidden units (64) and activation FlowActivation
	// ("relu", metabeta's, the default; or "gelu"); Coupling "affine"
	// (default) or "spline"; Base "normal" (default) or "studentt"
	// (metabeta's).
	FlowSteps      int    `json:"flow_steps"`
	FlowHidden     int    `json:"flow_hidden"`
	FlowDepth      int    `json:"flow_depth"`
	FlowActivation string `json:"flow_activation"`
	Coupling       string `json:"coupling"`
	Base           string `json:"base"`
	// Seed fixes the flow's permutations (part of the architecture).
	Seed uint64 `json:"seed"`

	// WeightDecay is AdamW's decoupled decay (default 1e-5), ClipNorm the
	// gradient-norm bound (default 1.0), WarmupSteps the linear warm-up of
	// the learning rate (default 200) and FinalLRFraction the learning rate
	// at the end of the cosine decay as a fraction of the peak (0.05).
	WeightDecay     float64 `json:"weight_decay"`
	ClipNorm        float64 `json:"clip_norm"`
	WarmupSteps     int     `json:"warmup_steps"`
	FinalLRFraction float64 `json:"final_lr_fraction"`

	// Tokens selects the group tokens of the summary network: "" (the
	// default) the exact group statistics (TokenWidth per group); "local"
	// metabeta's observation-level local set transformer, LocalBlocks
	// set-attention blocks over the observations [y', x', z'] of each group,
	// mean-pooled to one token per group (with √n_g/10 and log n_g/4);
	// "both" the two concatenated. LocalBlocks defaults to 1 for "local" and
	// "both". Both fields are omitted from the JSON of the default, so that
	// weights files written before they existed still load.
	Tokens      string `json:"tokens,omitempty"`
	LocalBlocks int    `json:"local_blocks,omitempty"`
	// FlowVariable is the variable the flow models: "" or "marginal" (the
	// default) u = (θ' − θ̂')/ŝ, the standardized θ' centred on the Laplace
	// mode and scaled by the Laplace marginal SDs; "whitened"
	// u = L̂⁻¹(θ' − θ̂'), L̂L̂ᵀ the full Laplace covariance, with the
	// log-diagonal of L̂ and the Laplace correlations added to the context
	// (WhitenedExtraWidth). Omitted from the JSON when empty, so that
	// weights files written before it existed load as marginal.
	FlowVariable string `json:"flow_variable,omitempty"`
	// SigmaSoftplus models each random-effect SD in the flow by
	// w = log(e^{σ_b'/c} − 1) instead of log σ_b', c about half its Laplace
	// SD (softplus.go): a log scale near zero and a linear one above c, in
	// which the long left tail of log σ_b, when σ_b's posterior has density
	// at zero, falls inside the splines' range. The Laplace approximation
	// the flow is centred on is carried to w by the delta method; the
	// network's inputs still describe σ_b by its log-scale Laplace mode and
	// SD. In the shipped recipe (TrainDefault). Omitted from the JSON when
	// false, so that older weights files load without it.
	SigmaSoftplus bool `json:"sigma_softplus,omitempty"`
	// Correlations adds the MaxCor unconstrained correlations of
	// correlated random effects (lmm.Design.Correlated, lme4's (1 + x | g))
	// to the flow, after log σ (CorFlowDim slots), and the LKJ prior to
	// the dataset inputs (CorExtraWidth, CorWhitenedExtraWidth). A model
	// without it refuses correlated designs with two or more random
	// effects (CheckRange's Design reasons). Omitted from the JSON when
	// false, so that weights files written before it existed load in the
	// uncorrelated layout.
	Correlations bool `json:"correlations,omitempty"`
	// ShapeProbes adds to the dataset inputs how the exact collapsed log
	// posterior departs from its Laplace approximation along each flow
	// axis: for every flow slot i and offset t of ProbeOffsets,
	// log p(θ̂' + t·a_i) − log p(θ̂') + t²/2, a_i the axis of u_i in θ'
	// (column i of L̂ for the whitened variable, ŝ_i e_i for the marginal
	// one), compressed by asinh (len(ProbeOffsets)·flow slots more
	// inputs). It is zero where the posterior is Gaussian along the axis.
	// Omitted from the JSON when false, so that weights files written
	// before it existed load without probes.
	ShapeProbes bool `json:"shape_probes,omitempty"`
	// MarginalSpline puts a flow.MarginalSpline on the data side of the
	// flow: every flow slot's own monotone spline conditioned on the
	// context alone (8 bins on [−5, 5]), which can skew a coordinate and
	// thin or thicken its tails, as σ_b's posterior near zero needs, where
	// affine couplings only mix coordinates. Omitted from the JSON when
	// false, so that older weights files load without it.
	MarginalSpline bool `json:"marginal_spline,omitempty"`
	// BaseTail puts a flow.BaseTail before the flow's base: every flow
	// slot's own linear tails beyond |z| = 2.5, their slopes a linear map
	// of the context that starts at the identity. A base point far in one
	// coordinate's tail then need not reach as far into σ_b, as the flow's
	// rare absurd σ_b draws do. Omitted from the JSON when false, so that
	// older weights files load without it.
	BaseTail bool `json:"base_tail,omitempty"`
	// WideSpline puts a second flow.MarginalSpline before the first one,
	// with 16 bins on [−16, 16], which starts exactly at the identity: the
	// first spline's [−5, 5] cannot reach the left tail of log σ_b when
	// σ_b's posterior has density at zero (on the real suite's longitudinal
	// designs the exact posterior's 1% quantile of that flow coordinate is
	// at −6.5 to −9). Not in the shipped model: added at its fine-tuning
	// stage, it stayed within 0.2 of the identity and changed none of
	// those posteriors. Omitted from the JSON when false, so that older
	// weights files load without it.
	WideSpline bool `json:"wide_spline,omitempty"`
	// ReverseKL is the weight λ of a reverse-KL term added to the training
	// loss: λ·KL(q ‖ p(· | y)) for each training dataset, p its exact
	// collapsed posterior (lmm.Collapsed), estimated from KLSamples draws
	// of the flow (default 8) by the score-function gradient with a
	// leave-one-out baseline (see reverseKLWeights). The NLL of the true θ
	// alone is a forward KL, which charges little for excess mass in the
	// tails; the reverse KL charges for it, and the tails of log σ_b decide
	// σ_b's posterior SD. Both are omitted from the JSON when zero.
	ReverseKL float64 `json:"reverse_kl,omitempty"`
	KLSamples int     `json:"kl_samples,omitempty"`
	// KLProposalScale τ ≥ 1 draws the reverse-KL samples from the flow
	// with its base widened to N(0, τ²I) (flow.Flow.SampleSharedScaled)
	// and weights them by q/r, both normalized densities, so that the
	// estimate of the same KL stays unbiased (see reverseKLWeights), but
	// more of its draws land in the flow's tails, where a rare draw far
	// beyond the posterior's support (a σ_b of 70 times its median)
	// inflates a posterior SD. Zero means 1, draws from the flow itself;
	// omitted from the JSON then.
	KLProposalScale float64 `json:"kl_proposal_scale,omitempty"`
	// KLTailScale τ_t ≥ τ widens, in each reverse-KL draw, one base
	// coordinate chosen at random to τ_t instead of τ
	// (flow.Flow.SampleSharedProposal), reweighting by q/r as for
	// KLProposalScale. The flow's rare absurd σ_b draws come from base
	// points with a single coordinate beyond |z| ≈ 3.2; at τ_t = 2.5 a
	// fifth of the draws put their widened coordinate there, where widening
	// every coordinate that far would let the weights degenerate (at τ = 1
	// they stay below τ_t). Zero means τ (no tail mixture); omitted from
	// the JSON then. It needs the normal base.
	KLTailScale float64 `json:"kl_tail_scale,omitempty"`
	// ForwardIS μ ≥ 0 adds μ times an importance-sampled forward KL,
	// KL(p ‖ q) = E_p[−log q] + const, from the same draws: each draw's
	// −log q weighted by its self-normalized weight p̃/r (forwardISWeights).
	// The NLL of the true θ estimates the same quantity from one draw of p
	// per dataset; the weighted draws add many, and charge most where q is
	// too light, as the reverse KL charges where it is too heavy. The
	// validation loss counts it through the NLL, which estimates the same
	// quantity. It needs reverse_kl's draws; omitted from the JSON when zero.
	ForwardIS float64 `json:"forward_is,omitempty"`
	// Trained is the range of group sizes the model was trained on, which
	// CheckRange compares a dataset against. Its zero value, and weights
	// files written before it existed, mean 2–100: the synthetic
	// simulator's (sim.DefaultConfig).
	Trained TrainedRange `json:"trained,omitzero"`
}

// TrainedRange is the part of the training distribution that a Config
// records, beyond its padded sizes.
type TrainedRange struct {
	MinGroupSize int `json:"min_group_size"`
	MaxGroupSize int `json:"max_group_size"`
}

// groupSizes returns the trained group sizes, 2–100 for the zero value.
func (r TrainedRange) groupSizes() (lo, hi int) {
	if r == (TrainedRange{}) {
		return 2, 100
	}
	return r.MinGroupSize, r.MaxGroupSize
}

// Flow variables of Config.FlowVariable.
const (
	FlowMarginal = "marginal"
	FlowWhitened = "whitened"
)

// whitened reports whether the flow models the whitened variable.
func (c Config) whitened() bool { return c.FlowVariable == FlowWhitened }

// layout is the part of a Config that decides how a dataset is turned into
// network inputs and flow slots.
type layout struct {
	whitened bool // the flow variable is whitened (Config.FlowVariable)
	softplus bool // σ_b in softplus coordinates (Config.SigmaSoftplus)
	cor      bool // the flow has correlation slots (Config.Correlations)
	probes   bool // the dataset inputs end with the shape probes (Config.ShapeProbes)
}

// layout returns c's input layout.
func (c Config) layout() layout {
	return layout{whitened: c.whitened(), softplus: c.SigmaSoftplus, cor: c.Correlations, probes: c.ShapeProbes}
}

// flowDim is the number of flow slots of the layout: FlowDim, or
// CorFlowDim with correlation slots.
func (l layout) flowDim() int {
	if l.cor {
		return CorFlowDim
	}
	return FlowDim
}

// extraWidth is the width of the dataset-level inputs of the layout.
func (l layout) extraWidth() int {
	w := l.extraWidthWithoutProbes()
	if l.probes {
		w += len(ProbeOffsets) * l.flowDim()
	}
	return w
}

// extraWidthWithoutProbes is the width of the dataset-level inputs before
// the shape probes.
func (l layout) extraWidthWithoutProbes() int {
	switch {
	case l.cor && l.whitened:
		return CorWhitenedExtraWidth
	case l.cor:
		return CorExtraWidth
	case l.whitened:
		return WhitenedExtraWidth
	}
	return ExtraWidth
}

// flowDim is the number of flow slots of c's layout.
func (c Config) flowDim() int { return c.layout().flowDim() }

// extraWidth is the width of the dataset-level inputs of c's layout.
func (c Config) extraWidth() int { return c.layout().extraWidth() }

// DefaultConfig returns the shipped architecture: a 2-block set transformer
// of width 64 with 4 heads, a 128-unit context MLP and 6 affine couplings
// with one hidden layer of 128 ReLU units over a standard normal base
// (npe-prototype.md design B, within the 64–128 width and 6–8 step
// ranges).
//
// The base is normal, not metabeta's Student-t: the flow models log σ, and
// exp of a Student-t variable has no mean, so a t base gave σ_b draws with
// extreme right tails where σ_b's posterior sits near zero (the first
// shipped model, with learned ν down to 4.9: mean |Δmean|/sd_NUTS of σ_b
// 0.40 on 500 datasets, driven by a few with SD_NPE 500× SD_NUTS).
//
// The conditioners are shallow because sampling cost is almost all
// conditioner products (1000 draws × 6 couplings). The context's share of
// the first layer is computed once per dataset (flow.SampleShared), so a
// draw costs 5·128 + 128·10 = 1,920 multiply-adds per coupling, against
// 5,056 for the first model's 2×64 conditioners. The flow only corrects the
// Laplace approximation it is centred on; its training cost is negligible
// either way.
func DefaultConfig() Config {
	return Config{
		Width: 64, Heads: 4, Hidden: 128, Blocks: 2, SummaryOut: 64,
		ContextHidden: 128, Context: 64,
		FlowSteps: 6, FlowHidden: 128, FlowDepth: 1, FlowActivation: "relu", Coupling: "affine", Base: "normal",
		Seed:        1,
		WeightDecay: 1e-5, ClipNorm: 1, WarmupSteps: 200, FinalLRFraction: 0.05,
	}
}

// withDefaults returns c with zero fields replaced by DefaultConfig's.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	setInt := func(v *int, def int) {
		if *v == 0 {
			*v = def
		}
	}
	setInt(&c.Width, d.Width)
	setInt(&c.Heads, d.Heads)
	setInt(&c.Hidden, d.Hidden)
	setInt(&c.Blocks, d.Blocks)
	setInt(&c.SummaryOut, d.SummaryOut)
	setInt(&c.ContextHidden, d.ContextHidden)
	setInt(&c.Context, d.Context)
	setInt(&c.FlowSteps, d.FlowSteps)
	setInt(&c.FlowHidden, d.FlowHidden)
	setInt(&c.FlowDepth, d.FlowDepth)
	setInt(&c.WarmupSteps, d.WarmupSteps)
	if c.FlowActivation == "" {
		c.FlowActivation = d.FlowActivation
	}
	if c.Coupling == "" {
		c.Coupling = d.Coupling
	}
	if c.Base == "" {
		c.Base = d.Base
	}
	if c.WeightDecay == 0 {
		c.WeightDecay = d.WeightDecay
	}
	if c.ClipNorm == 0 {
		c.ClipNorm = d.ClipNorm
	}
	if c.FinalLRFraction == 0 {
		c.FinalLRFraction = d.FinalLRFraction
	}
	if c.Tokens != "" && c.LocalBlocks == 0 {
		c.LocalBlocks = 1
	}
	if c.ReverseKL > 0 && c.KLSamples == 0 {
		c.KLSamples = 8
	}
	return c
}

// maxKLProposalScale bounds Config.KLProposalScale: past it the
// importance weights of the reverse-KL draws degenerate in the flow's 13
// dimensions (E_r[ω²] grows as (τ²/√(2τ² − 1))^d).
const maxKLProposalScale = 2

// maxKLTailScale bounds Config.KLTailScale: a coordinate widened past it
// lands beyond |z| = 8 in a twentieth of the draws, far past any base
// point the flow is sampled at.
const maxKLTailScale = 4

// klTailScale returns the scale of the one widened coordinate of each
// reverse-KL draw: klProposalScale without a tail mixture.
func (c Config) klTailScale() float64 {
	if c.KLTailScale == 0 {
		return c.klProposalScale()
	}
	return c.KLTailScale
}

// klProposalScale returns the base scale of the reverse-KL draws.
func (c Config) klProposalScale() float64 {
	if c.KLProposalScale == 0 {
		return 1
	}
	return c.KLProposalScale
}

// Check reports the first invalid field of c, with defaults filled in:
// what New would panic on. Callers that take a Config from a user (a
// training configuration file) check it first.
func (c Config) Check() error { return c.withDefaults().validate() }

// validate reports the first invalid field of a defaulted Config.
func (c Config) validate() error {
	switch {
	case c.Width%c.Heads != 0:
		return fmt.Errorf("estimator: width %d not divisible by heads %d", c.Width, c.Heads)
	case c.Coupling != "affine" && c.Coupling != "spline":
		return fmt.Errorf("estimator: coupling %q, want affine or spline", c.Coupling)
	case c.FlowActivation != "relu" && c.FlowActivation != "gelu":
		return fmt.Errorf("estimator: flow activation %q, want relu or gelu", c.FlowActivation)
	case c.Base != "normal" && c.Base != "studentt":
		return fmt.Errorf("estimator: base %q, want normal or studentt", c.Base)
	case c.Tokens != "" && c.Tokens != "local" && c.Tokens != "both":
		return fmt.Errorf("estimator: tokens %q, want \"\" (group statistics), local or both", c.Tokens)
	case c.FlowVariable != "" && c.FlowVariable != FlowMarginal && c.FlowVariable != FlowWhitened:
		return fmt.Errorf("estimator: flow_variable %q, want marginal or whitened", c.FlowVariable)
	case c.Trained != (TrainedRange{}) && (c.Trained.MinGroupSize < 1 || c.Trained.MaxGroupSize < c.Trained.MinGroupSize):
		return fmt.Errorf("estimator: trained group sizes %d–%d, want 1 ≤ min ≤ max", c.Trained.MinGroupSize, c.Trained.MaxGroupSize)
	case c.ReverseKL < 0 || math.IsNaN(c.ReverseKL) || math.IsInf(c.ReverseKL, 0):
		return fmt.Errorf("estimator: reverse_kl %g, want a finite weight ≥ 0", c.ReverseKL)
	case c.ReverseKL == 0 && c.KLSamples != 0:
		return fmt.Errorf("estimator: kl_samples %d without reverse_kl", c.KLSamples)
	case c.ReverseKL > 0 && c.KLSamples < 2:
		return fmt.Errorf("estimator: kl_samples %d, want at least 2 (the baseline leaves one out)", c.KLSamples)
	case c.KLProposalScale != 0 && !(c.KLProposalScale >= 1 && c.KLProposalScale <= maxKLProposalScale):
		return fmt.Errorf("estimator: kl_proposal_scale %g, want 1 ≤ τ ≤ %g", c.KLProposalScale, float64(maxKLProposalScale))
	case c.ReverseKL == 0 && c.KLProposalScale != 0:
		return fmt.Errorf("estimator: kl_proposal_scale %g without reverse_kl", c.KLProposalScale)
	case c.KLTailScale != 0 && !(c.KLTailScale >= c.klProposalScale() && c.KLTailScale <= maxKLTailScale):
		return fmt.Errorf("estimator: kl_tail_scale %g, want kl_proposal_scale (%g) ≤ τ_t ≤ %g", c.KLTailScale, c.klProposalScale(), float64(maxKLTailScale))
	case c.ReverseKL == 0 && c.KLTailScale != 0:
		return fmt.Errorf("estimator: kl_tail_scale %g without reverse_kl", c.KLTailScale)
	case c.KLTailScale != 0 && c.Base != "normal":
		return fmt.Errorf("estimator: kl_tail_scale %g with base %q, want the normal base", c.KLTailScale, c.Base)
	case c.ForwardIS < 0 || math.IsNaN(c.ForwardIS) || math.IsInf(c.ForwardIS, 0):
		return fmt.Errorf("estimator: forward_is %g, want a finite weight ≥ 0", c.ForwardIS)
	case c.ReverseKL == 0 && c.ForwardIS != 0:
		return fmt.Errorf("estimator: forward_is %g without reverse_kl (it weights the reverse-KL draws)", c.ForwardIS)
	case c.Tokens == "" && c.LocalBlocks != 0:
		return fmt.Errorf("estimator: local_blocks %d without local tokens", c.LocalBlocks)
	case c.Width < 0 || c.Hidden < 0 || c.Blocks < 0 || c.SummaryOut < 0 || c.ContextHidden < 0 ||
		c.Context < 0 || c.FlowSteps < 0 || c.FlowHidden < 0 || c.FlowDepth < 0 || c.WarmupSteps < 0 || c.LocalBlocks < 0:
		return fmt.Errorf("estimator: negative size in config %+v", c)
	}
	return nil
}

// flowConfig is the flow part of c.
func (c Config) flowConfig() flow.Config {
	return flow.Config{
		Dim: c.flowDim(), Context: c.Context, Steps: c.FlowSteps, Hidden: c.FlowHidden, Depth: c.FlowDepth,
		Coupling: c.Coupling, Base: c.Base, Activation: c.FlowActivation, PermSeed: c.Seed, Marginal: c.MarginalSpline,
		Tail: c.BaseTail, Wide: c.WideSpline,
	}
}
