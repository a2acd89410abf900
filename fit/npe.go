package fit

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/metabeta-go/metabeta/lmm"
	"github.com/metabeta-go/metabeta/npe/estimator"
)

// Methods of Fit.
const (
	MethodNUTS  = "nuts"
	MethodNPE   = "npe"
	MethodNPEIS = "npe-is"
)

// NPEOptions configures NPE.
type NPEOptions struct {
	// Draws is the number of posterior draws (default 1000).
	Draws int
	// Seed fixes the draws.
	Seed uint64
	// Importance applies Pareto-smoothed importance sampling against the
	// exact posterior (method npe-is).
	Importance bool
}

// NPE draws the posterior of d under prior from the neural estimator m and
// reports it in the common schema. R̂ and ESS are NaN (the draws are
// independent); with Importance, the diagnostics carry k̂ and the
// importance-sampling efficiency ESS/S, and the draws are resampled by the
// smoothed weights. Warnings say when d or the prior lies outside the
// trained range or k̂ exceeds its threshold; deciding to fall back is left
// to the caller (see Fit).
func NPE(ctx context.Context, m *estimator.Model, d *lmm.Design, prior lmm.Prior, opt NPEOptions) (*Result, error) {
	return npeWith(ctx, m, d, prior, opt, nil)
}

// npeWith is NPE given the range check of d and prior when the caller has
// it (nil: computed here, after the checks of the inputs).
func npeWith(ctx context.Context, m *estimator.Model, d *lmm.Design, prior lmm.Prior, opt NPEOptions, rc *estimator.RangeCheck) (*Result, error) {
	if err := checkProposalInputs(d, prior, &opt, MethodNPE); err != nil {
		return nil, err
	}
	start := time.Now()
	rng := rand.New(rand.NewPCG(opt.Seed, 0x6e7065))
	if rc == nil {
		c := m.CheckRange(d, prior)
		rc = &c
	}
	// npe-is draws from the flow with its base widened (exact log q), whose
	// heavier tails keep the importance weights bounded (estimator.ProposalScale).
	tau := 1.0
	if opt.Importance {
		tau = estimator.ProposalScale
	}
	draw := func(n int) (*estimator.Posterior, error) { return m.SampleProposal(d, prior, n, rng, *rc, tau) }
	method := MethodNPE
	if opt.Importance {
		method = MethodNPEIS
	}
	return proposalResult(ctx, d, prior, draw, method, opt, rng, start)
}

// postDraws lays an NPE posterior out as one chain of draws: the global
// parameters, then the random effects.
func postDraws(d *lmm.Design, post *estimator.Posterior) *Draws {
	names := append(d.Names(), d.RandomNames()...)
	k := len(names)
	chain := make([]float64, post.N*k)
	for i := range post.N {
		row := chain[i*k : (i+1)*k]
		copy(row, post.Draws[i*post.Dim:(i+1)*post.Dim])
		copy(row[post.Dim:], post.RandomEffects[i*post.Effects:(i+1)*post.Effects])
	}
	return &Draws{Names: names, Chains: [][]float64{chain}}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Options configures Fit.
type Options struct {
	Method string // MethodNUTS, MethodNPE or MethodNPEIS
	// Model is the neural estimator for npe and npe-is.
	Model *estimator.Model
	NUTS  NUTSOptions
	NPE   NPEOptions // also the draws and seed of laplace and laplace-is
	// Fallback runs NUTS instead when the neural estimator is not to be
	// trusted: the dataset or prior is outside its trained range, or (npe-is)
	// k̂ exceeds its threshold. The result's warnings say so.
	Fallback bool
}

// Fit checks the design and runs the chosen method, falling back to NUTS
// when asked. An exactly singular fixed-effect design is an error for every
// method (lmm.CheckDesign names the columns involved), before anything is
// fitted; the check's warnings (a near-singular X, a random term deficient
// in every group) lead the result's warnings, and its facts are in
// Result.Design.
func Fit(ctx context.Context, d *lmm.Design, prior lmm.Prior, opt Options) (*Result, error) {
	check, err := lmm.CheckDesign(d)
	if err != nil {
		return nil, err
	}
	res, err := fitMethod(ctx, d, prior, opt, check)
	if err != nil {
		return nil, err
	}
	res.Design = NewDesignFacts(check)
	res.Warnings = append(slices.Clone(check.Warnings), res.Warnings...)
	return res, nil
}

// fitMethod runs the method of opt on a design and its check.
func fitMethod(ctx context.Context, d *lmm.Design, prior lmm.Prior, opt Options, check *lmm.DesignCheck) (*Result, error) {
	switch opt.Method {
	case MethodNUTS, "":
		return NUTS(ctx, d, prior, opt.NUTS)
	case MethodNPE, MethodNPEIS:
		return fitNPE(ctx, d, prior, opt, check)
	case MethodLaplace, MethodLaplaceIS:
		return fitLaplace(ctx, d, prior, opt)
	default:
		return nil, fmt.Errorf("unknown method %q (want nuts, npe, npe-is, laplace or laplace-is)", opt.Method)
	}
}

// fitNPE runs npe or npe-is, falling back to NUTS, when opt.Fallback, on a
// design outside the trained range, on an error of the estimator or on a
// Pareto k̂ above its threshold. check is Fit's design check, reused by the
// range check, which the fallback decision and the estimator share.
func fitNPE(ctx context.Context, d *lmm.Design, prior lmm.Prior, opt Options, check *lmm.DesignCheck) (*Result, error) {
	if opt.Model == nil {
		return nil, fmt.Errorf("%s: no trained model", opt.Method)
	}
	rc := opt.Model.CheckRangeWith(d, prior, check)
	if why := rangeReasons(opt.Method, rc); len(why) > 0 && opt.Fallback {
		return fallback(ctx, d, prior, opt, "outside the trained range of the neural estimator: "+strings.Join(why, "; "))
	}
	npeOpt := opt.NPE
	npeOpt.Importance = opt.Method == MethodNPEIS
	res, err := npeWith(ctx, opt.Model, d, prior, npeOpt, &rc)
	return orFallback(ctx, d, prior, opt, res, err)
}

// orFallback returns the result res (or error err) of a proposal-based
// method, replaced, when opt.Fallback, by NUTS on an error of the method or
// a Pareto k̂ above its threshold (KFallback).
func orFallback(ctx context.Context, d *lmm.Design, prior lmm.Prior, opt Options, res *Result, err error) (*Result, error) {
	if err != nil {
		if opt.Fallback && ctx.Err() == nil {
			return fallback(ctx, d, prior, opt, err.Error())
		}
		return nil, err
	}
	if why := KFallback(res); why != "" && opt.Fallback {
		return fallback(ctx, d, prior, opt, why)
	}
	return res, nil
}

// RangeFallback returns the reasons that make Fit, with fallback on, replace
// method npe or npe-is by NUTS before running the network: for npe every
// reason the dataset lies outside m's trained range; for npe-is only those
// of the design (estimator.RangeCheck.Design), since beyond the trained
// sizes and priors the network still runs and k̂ judges its draws (KFallback).
func RangeFallback(method string, m *estimator.Model, d *lmm.Design, prior lmm.Prior) []string {
	return rangeReasons(method, m.CheckRange(d, prior))
}

// rangeReasons is RangeFallback given the range check.
func rangeReasons(method string, rc estimator.RangeCheck) []string {
	if method == MethodNPEIS {
		return rc.Design
	}
	return rc.Reasons()
}

// KFallback returns why Fit, with fallback on, replaces an importance-sampled
// result by NUTS: its Pareto k̂ above the threshold; "" when it keeps it.
func KFallback(res *Result) string {
	dg := res.Diagnostics
	if dg.ParetoK == nil || dg.KThreshold == nil || *dg.ParetoK <= *dg.KThreshold {
		return ""
	}
	return fmt.Sprintf("Pareto k̂ = %.2f above %.2f: the importance weights are unreliable", float64(*dg.ParetoK), float64(*dg.KThreshold))
}

// fallback runs NUTS in place of the neural estimator and says why.
func fallback(ctx context.Context, d *lmm.Design, prior lmm.Prior, opt Options, why string) (*Result, error) {
	res, err := NUTS(ctx, d, prior, opt.NUTS)
	if err != nil {
		return nil, err
	}
	res.Warnings = append([]string{fmt.Sprintf("%s fell back to NUTS: %s", opt.Method, why)}, res.Warnings...)
	return res, nil
}
