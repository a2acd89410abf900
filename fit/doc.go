// Package fit runs the estimators on a mixed-model design and reports their
// posteriors in one schema, whatever the method: a summary per global
// parameter (b_*, sd_<group>__*, sigma) and per random effect
// (r_<group>[<level>,<term>]), sampler diagnostics, timing and warnings, plus
// the draws themselves in R posterior's draws_df layout.
//
// NUTS runs the generic sampler of package hmc on one of the model's exact
// targets from package lmm:
//
//   - collapsed (the default): the random effects are integrated out, so the
//     sampler sees only the P+Q+1 global parameters (and the Q(Q−1)/2
//     correlations of a correlated model); each kept draw is then completed
//     with an exact draw of b from its Gaussian conditional
//     p(b | β, σ_b, σ, Ω, y), which makes the pair an exact draw from the
//     joint posterior (the conditional is exact for the Gaussian model);
//   - joint: the non-centred joint density of Stan's model, over the global
//     parameters and the M·Q standardized random effects (b_g =
//     diag(σ_b) L z_g, LLᵀ = Ω).
//
// Posterior summaries use rank-normalized split R̂ and bulk and tail ESS
// (Vehtari et al. 2021) from package diagnostics; they need at least
// MinDrawsPerChain draws per chain.
//
// Before any method runs, Fit checks the design (lmm.CheckDesign): a
// fixed-effect matrix of deficient rank, whose coefficients along the null
// space only the prior would determine, is an error naming the relation
// among its columns (for example "D2 = 1 + 2·Days"); a nearly singular one
// (condition number of the centred, unit-norm columns above
// lmm.IllConditioned) and a random term deficient in every group's Z_g are
// warnings, and the facts are in Result.Design. For npe and npe-is a nearly
// singular design is also outside the trained range (Model.CheckRange), so
// Fit falls back to NUTS and says why. Beyond the trained sizes and priors
// npe falls back too, while npe-is runs and lets k̂ decide (RangeFallback,
// KFallback).
//
// npe-is and laplace-is smooth the importance weights of their proposal
// draws by PSIS and judge them by the Pareto k̂ against the sample-size
// dependent threshold min(1 − 1/log10 S, 0.7) (Vehtari et al. 2024). When
// k̂ of the requested S draws exceeds it, they draw ISRetryFactor·S
// proposals once more and keep S resampled from those; k̂ of the larger
// sample decides the fallback, and a warning gives both.
package fit
