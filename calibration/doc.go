// Package calibration holds pure functions over posterior draws and true
// values: simulation-based calibration (SBC), interval coverage, parameter
// recovery, agreement between an approximate and a reference posterior,
// proper scores and checks of the posterior predictive, and the timing
// and convergence summaries of the NPE-versus-NUTS comparison. It imports
// no estimator and no renderer; results are plain slices and small
// structs that carry their Monte Carlo error where one exists and
// Warnings []string for caveats (too few replicates or draws, a χ² with
// small expected counts, non-converged fits). Stochastic functions take a
// *rand.Rand.
//
// # SBC ranks
//
// For N datasets simulated from the prior, with true value θ* and L
// posterior draws θ₁..θ_L, the rank r = Σₗ 1[θₗ < θ*] is uniform on
// {0, …, L} when inference is exact (Talts et al. 2018, arXiv 1804.06788).
// Ties are broken at random, r = #(<) + U{0..#(=)}, as the SBC R package
// does (Rank). MCMC draws are thinned to about ESS draws first, keeping
// every ⌈S/ESS⌉-th (Thin).
//
// Rank histogram: J bins with (L+1) divisible by J, bin(r) = ⌊r·J/(L+1)⌋;
// each count is Binomial(N, 1/J) under uniformity, and Pearson's
// X² = Σⱼ (bⱼ − N/J)²/(N/J) is referred to χ²(J−1) (RankHistogram,
// ChiSquare). It needs N/J ≥ 5 and has low power.
//
// # ECDF bands (Säilynoja, Bürkner & Vehtari 2022, Stat. Comput. 32:32)
//
// On the grid zᵢ = i/K the scaled ECDF N·F̂(zᵢ) is Binomial(N, zᵢ) under
// uniformity. Pointwise bands at tail probability γ, [qBin(γ/2), qBin(1−γ/2)],
// are made simultaneous at level 1−α by choosing γ < α so that the whole
// trajectory stays inside with probability 1−α. AdjustGamma computes this
// exactly (their method A): given xᵢ₋₁ = N·F̂(zᵢ₋₁), the increment is
// Binomial(N − xᵢ₋₁, (zᵢ − zᵢ₋₁)/(1 − zᵢ₋₁)), so the probability of staying
// inside is propagated along the grid by one convolution per point, and
// γ is found exactly by binary search over the values at which a bound
// changes, that probability being a non-increasing step function of γ.
// This reproduces the band table of the project's calibration brief
// (e.g. N = K = 1000: γ = 0.0015, half-width 0.050 at z = ½).
// The default K follows the SBC package: L+1 if N < 50, else min(L+1, N)
// (DefaultECDFPoints). The ECDF of ranks is F̂(zᵢ) = #{r < ⌊zᵢ(L+1)⌋}/N;
// RankECDF also gives the ECDF difference F̂(z) − z with its band and the
// band test (pass when F̂ stays inside everywhere), and the test's p-value
// P(γ_null ≤ γ_obs) from the same propagation, with γ_obs as below on the
// band's grid. Many parameters' tests at level α fail about α of the time
// by chance; HolmRejects reads their p-values as one family, at
// family-wise level α under any dependence (Holm 1979, Scand. J. Statist.
// 6(2)).
//
// # Log-γ (Modrák et al. 2025, Bayesian Anal. 20(2))
//
// γ_obs = 2·minᵢ min{F_Bin(Rᵢ; N, zᵢ), 1 − F_Bin(Rᵢ−1; N, zᵢ)} with
// zᵢ = i/(L+1) and Rᵢ = #{r < i}, and log γ = log(γ_obs/q_α) with q_α the
// α-quantile of γ_obs under uniformity; log γ < 0 rejects at level α.
// γ_obs ≥ γ exactly when the ECDF stays inside the pointwise-γ bands on
// that grid, so GammaNullQuantile computes q_α exactly as AdjustGamma
// with K = L+1; SimulateGammaNull gives BayesFlow's simulated null.
//
// # Coverage and calibration error
//
// Central equal-tailed intervals [Q((1−q)/2), Q((1+q)/2)] of the draws
// (type-7 quantiles, Hyndman & Fan 1996) at q = 0.50, 0.55, …, 0.95;
// ĉ(q) = (1/N) Σₙ 1[θ*ₙ ∈ CIₙ(q)] with Monte Carlo SE √(q(1−q)/N). Following
// metabeta (Kipnis, Binz & Schulz 2025, arXiv 2510.07473;
// metabeta/evaluation/intervals.py), ECE = mean_q (ĉ(q) − q), signed, and
// EACE = mean_q |ĉ(q) − q|, each with an SE over datasets. Rank-based
// coverage follows the SBC package's empirical_coverage.
//
// # Recovery and agreement
//
// Pearson r of posterior means against truths with a Fisher-z interval
// (atanh r ± 1.96/√(N−3)); NRMSE = RMSE/sd_pop(θ*) (metabeta); contraction
// 1 − Var_post/Var_prior and z = (θ* − mean)/sd (Schad, Betancourt &
// Vasishth 2021, arXiv 1904.12765). Var_prior is the marginal prior
// variance of the parameter: for a correlation of a q×q matrix under
// LKJ(η), whose marginal is (ρ + 1)/2 ~ Beta(η − 1 + q/2, η − 1 + q/2)
// (Lewandowski, Kurowicka & Joe 2009), it is 1/(2η + q − 1), 1/3 for the
// uniform correlation of LKJ(1) with q = 2. Correlations are bounded, so
// their r and NRMSE are on the scale of ρ itself, not atanh ρ. An approximate posterior is compared
// with a reference (NPE with NUTS) by r of their means,
// mean |μ_A − μ_ref|/σ_ref, median log(σ_A/σ_ref) and the 1-D
// Wasserstein-1 distance ∫₀¹|F_A⁻¹(u) − F_ref⁻¹(u)|du in reference-SD units,
// exact for empirical distributions of any sizes (Wasserstein1).
//
// # Posterior predictive
//
// CRPS(F, y) = E|X − y| − ½E|X − X′| (Gneiting & Raftery 2007, JASA
// 102:359), estimated without bias from S draws by the fair estimator
// (Ferro 2014; Zamo & Naveau 2018), (1/S)Σ|xᵢ − y| − Σᵢⱼ|xᵢ − xⱼ|/(2S(S−1)),
// in O(S log S) through Σᵢⱼ|xᵢ − xⱼ| = 2Σᵢ(2i − S − 1)x₍ᵢ₎. The log predictive
// density is log((1/S)Σₛ p(y|θₛ)) by a stable log-mean-exp. LMM test
// quantities (within- and between-group SD, GroupSDs) feed the two-sided
// posterior predictive p-value 2·min(P(T_rep ≤ T_obs), P(T_rep ≥ T_obs)).
//
// # Timing and convergence
//
// Times are summarised by median, 95th percentile, mean of the slowest 5%
// and maximum; the speed-up of A over B by the median and 5% quantile of
// per-dataset ratios t_B/t_A and by the cost per converged B fit,
// (Σt_B/#converged)/mean t_A (metabeta experiments/evaluation/runtimes.py).
// A NUTS fit counts as converged under StrictConvergence when R̂ ≤ 1.01,
// ESS ≥ 400 and divergences ≤ 0.5% of draws (metabeta nutsConvergeMask).
package calibration
