// Package diagnostics computes MCMC convergence diagnostics exactly as the R
// package posterior (version 1.4.0, R/convergence.R) does: rank-normalized
// split R̂, bulk and tail effective sample size (ESS), Monte Carlo standard
// errors (MCSE) and E-BFMI.
//
// Every function takes chains[c][i], draw i of chain c of one scalar
// quantity. All chains must have the same length; ragged input is a
// programmer error and panics. Where posterior returns NA these functions
// return NaN:
//
//   - no draws, or too few: fewer than 3 draws per split chain for ESS, fewer
//     than 2 for R̂;
//   - constant draws: max − min of all draws below machine epsilon. As in
//     posterior 1.4.0's code (its manual says "within any of the chains"),
//     one constant chain among varying ones still gives a value; a constant
//     split chain contributes zero autocovariance;
//   - any NaN or ±Inf draw. posterior 1.4.0's rhat and ess_bulk still rank
//     ±Inf draws and return a value; here every function returns NaN, as
//     posterior's manual documents.
//
// # Split chains
//
// Each chain of N draws becomes two chains, its first ⌊N/2⌋ and its last
// ⌊N/2⌋ draws; an odd N drops the middle draw. M chains become M′ = 2M chains
// of N′ = ⌊N/2⌋ draws, S = M′N′ draws in all.
//
// # Rank normalization
//
// With r the rank of a draw among all S split draws (ties get their average
// rank),
//
//	z = Φ⁻¹((r − 3/8) / (S + 1/4)),
//
// Blom's normal scores, as used by Vehtari et al. (2021).
//
// # R̂
//
// For split chains y with chain means ȳ_m, chain variances s²_m (N′−1
// denominator) and grand mean ȳ,
//
//	W = (1/M′) Σ_m s²_m,   B = N′/(M′−1) Σ_m (ȳ_m − ȳ)²,
//	R̂ = √( ((N′−1)/N′ · W + B/N′) / W ).
//
// Bulk R̂ is R̂ of the rank-normalized split draws; tail R̂ is R̂ of the
// rank-normalized split folded draws |x − median(x)|; posterior's rhat (and
// [Rhat]) is the larger of the two (Vehtari et al. 2021).
//
// # ESS
//
// With ĉ_m(t) = (1/N′) Σ_i (y_{m,i} − ȳ_m)(y_{m,i+t} − ȳ_m) the
// autocovariance of split chain m (computed by FFT with zero padding),
//
//	W = ĉ(0)·N′/(N′−1),  var⁺ = W·(N′−1)/N′ + Var_m(ȳ_m),
//	ρ̂_t = 1 − (W − ĉ(t)) / var⁺,
//
// where ĉ(t) is the mean over chains. The sum of ρ̂ is truncated with Geyer's
// (1992) initial positive sequence (pairs ρ̂_{2k} + ρ̂_{2k+1} are summed while
// positive) and made monotone with Geyer's initial monotone sequence; then
//
//	τ̂ = −1 + 2 Σ_{t<T} ρ̂_t + ρ̂_T,   τ̂ ← max(τ̂, 1/log₁₀ S),   ESS = S/τ̂.
//
// When the sequence stops at the first pair (T = 0, e.g. strongly antithetic
// draws), posterior's R indexing rho_hat_t[1:0] makes the sum ρ̂₀, so τ̂ = 2
// and ESS = S/2; this is reproduced.
//
// Bulk-ESS is the ESS of the rank-normalized split draws. Tail-ESS is the
// smaller of the ESS of the indicators 1[x ≤ q̂₀.₀₅] and 1[x ≤ q̂₀.₉₅], with
// quantiles over all draws (Vehtari et al. 2021). ESS of the mean is
// the ESS of the split draws themselves, and the MCSE of the mean is
// sd(x)/√ESS_mean. The MCSE of a quantile is half the width of the central
// 68.27% interval of the quantile, from a Beta(ESS·p + 1, ESS·(1−p) + 1)
// distribution for its probability (Vehtari et al. 2021).
//
// # E-BFMI
//
// For the energies E_1..E_N of one chain,
//
//	E-BFMI = Σ_{n≥2} (E_n − E_{n−1})² / Σ_n (E_n − Ē)²
//
// (Betancourt 2016); values below 0.3 are customarily flagged.
//
// # References
//
//   - Vehtari, Gelman, Simpson, Carpenter & Bürkner (2021). Rank-normalization,
//     folding, and localization: an improved R̂ for assessing convergence of
//     MCMC. Bayesian Analysis 16(2):667–718. doi:10.1214/20-BA1221.
//   - Geyer (1992). Practical Markov chain Monte Carlo. Statistical Science
//     7(4):473–483.
//   - Betancourt (2016). Diagnosing suboptimal cotangent disintegrations in
//     Hamiltonian Monte Carlo. arXiv:1604.00695.
//   - Bürkner, Gabry, Kay & Vehtari. posterior: tools for working with
//     posterior distributions. R package, https://mc-stan.org/posterior/.
package diagnostics
