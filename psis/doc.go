// Package psis implements Pareto-smoothed importance sampling (PSIS;
// Vehtari, Simpson, Gelman, Yao & Gabry 2024, "Pareto smoothed importance
// sampling", JMLR 25(72)), the diagnostic and stabilizer of the importance
// weights that refine the neural posterior estimator's draws against the
// exact collapsed posterior.
//
// # Algorithm
//
// Given S log importance ratios log r_s = log p(θ_s) − log q(θ_s), PSIS
//
//  1. shifts them by their maximum, sorts them, and takes the M largest as
//     the tail, M = ⌈min(S/5, 3√S)⌉ (the r_eff = 1 case of loo); with M < 5
//     nothing is smoothed and k̂ = +Inf;
//  2. fits a generalized Pareto distribution GPD(k, σ) to the tail
//     exceedances r_s − r_cut over the largest non-tail ratio r_cut, by the
//     profile-likelihood Bayes estimator of Zhang & Stephens (2009,
//     Technometrics 51(3), §4): on the grid of m = 30 + ⌊√M⌋ values
//     θ_j = 1/x_(M) + (1 − √(m/(j − ½)))/(3 x*), x* the first quartile,
//     with profile log-likelihood M·ℓ(θ_j),
//     ℓ(θ) = log(−θ/k(θ)) − k(θ) − 1, k(θ) = mean log(1 − θx),
//     θ̂ = Σ_j θ_j w_j with w ∝ exp(Mℓ(θ_j)), k = mean log(1 − θ̂x),
//     σ = −k/θ̂;
//  3. shrinks k towards ½ by the weakly informative prior of loo
//     (Vehtari et al. 2024, Appendix C): k̂ = (M k + 10·½)/(M + 10);
//  4. replaces the tail ratios, in their order, by the expected order
//     statistics r_cut + F⁻¹((z − ½)/M), z = 1..M, of the fitted GPD, with
//     F⁻¹(p) = σ((1 − p)^(−k) − 1)/k;
//  5. truncates every weight at the largest raw ratio and undoes the
//     shift.
//
// This is loo::psis (loo 2.5.1) with r_eff = 1; the tests compare with its
// output to 1e-9 (testdata/loo_reference.R).
//
// # Diagnostics
//
// k̂ estimates the number of finite fractional moments of the weights (1/k̂
// of them). The estimate is reliable when k̂ < min(1 − 1/log10 S, 0.7)
// (Vehtari et al. 2024, §3.2.3 and Table 1): above it the smoothed
// estimate's error may not fall at the Monte Carlo rate and the result
// carries a warning. ESS = 1/Σ w̃_s² of the normalized smoothed weights w̃
// (Kong 1992; Vehtari et al. 2024, eq. 6 with r_eff = 1).
//
// # References
//
//   - A. Vehtari, D. Simpson, A. Gelman, Y. Yao, J. Gabry (2024). Pareto
//     smoothed importance sampling. JMLR 25(72), 1–58.
//   - J. Zhang, M. A. Stephens (2009). A new and efficient estimation
//     method for the generalized Pareto distribution. Technometrics 51(3),
//     316–325.
//   - A. Kong (1992). A note on importance sampling using standardized
//     weights. Tech. Rep. 348, University of Chicago.
//   - loo R package, https://mc-stan.org/loo (psis, gpdfit).
package psis
