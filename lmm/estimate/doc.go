// Package estimate computes fast point estimates and curvatures of the
// Gaussian linear mixed model of package lmm,
//
//	y_g = X_g β + Z_g b_g + ε_g,   b_g ~ N(0, S²),  S = diag(σ_b),  ε_g ~ N(0, σ² I),
//
// from its sufficient statistics (lmm.Stats), never passing over the rows
// again. Package fit preconditions NUTS with the Laplace approximation of
// the collapsed posterior (its mode and Cholesky factor); the neural
// posterior estimator (package npe/estimator) maps each dataset to
// standardized units with Standardize and centres and scales its flow with
// the Laplace approximation.
//
// # Units (Standardize)
//
// Standardize rescales a design to y′ = (y − ȳ)/s_y and x′_k = x_k/s_k
// (non-intercept columns, not centred, so random-effect columns keep their
// meaning) and returns a Scaling with the exact maps of priors, Params, θ
// vectors and draws: β′_k = β_k s_k/s_y, α′ = (α − ȳ)/s_y for the centred
// intercept, σ′_b,k = σ_b,k s_col(k)/s_y, σ′ = σ/s_y. The collapsed
// posterior transforms as log p(θ, y) = log p′(θ′, y′) + log|∂θ′/∂θ| −
// N log s_y.
//
// # The sweep operator
//
// Every estimate is a least-squares problem on cross-product matrices of
// W = [Xc, ỹ] and Z_g, solved by the sweep operator (Goodnight 1979), which
// also yields determinants as products of pivots and handles collinear
// columns by skipping their pivots (a generalized inverse that leaves
// projections exact).
//
// # Within-group (LSDV) σ
//
// The residual variance of y on [X, blockdiag Z_g], σ̂² = RSS/(N − rank),
// with Σ_g ỹ_gᵀM_gỹ_g = ỹᵀỹ − Σ_g (Z_gᵀỹ_g)ᵀ(Z_gᵀZ_g)⁻(Z_gᵀỹ_g) and the same
// for Xc, then the Xc columns swept out. Singular Z_gᵀZ_g (n_g ≤ Q) only
// lower the rank.
//
// # Moment σ_b
//
// Per-group OLS coefficients b̂_g of the pooled-OLS residuals on Z_g have
// variance σ_b² + σ²(Z_gᵀZ_g)⁻¹_kk, so σ̂²_b,k = Var_g(b̂_gk) −
// mean_g σ̂²(Z_gᵀZ_g)⁻¹_kk, floored at 0 (Swamy 1970 style). A crude but
// cheap starting point.
//
// # GLS, ML and REML
//
// At fixed φ = [log σ_b, log σ], with A_g = σ²I + SZ_gᵀZ_gS, Woodbury
// gives σ² W_gᵀV_g⁻¹W_g = W_gᵀW_g − (SZ_gᵀW_g)ᵀA_g⁻¹(SZ_gᵀW_g) and
// log det V_g = (n_g − Q) log σ² + log det A_g; summing over groups and
// sweeping the (P+1)² result gives β̂ = (XᵀV⁻¹X)⁻¹XᵀV⁻¹y, r̂ᵀV⁻¹r̂ and
// log det XᵀV⁻¹X, hence the profile log-likelihood
//
//	ℓ_p(φ) = −½(N log 2π + log det V + r̂ᵀV⁻¹r̂)
//
// and the restricted one ℓ_R = ℓ_p + ½ rank·log 2π − ½ log det XᵀV⁻¹X
// (Patterson & Thompson 1971; Bates et al. 2015, eqs. 34 and 41). The
// gradient of ℓ_p is the partial gradient of the exact marginal likelihood
// (lmm.Marginal) at β̂ (envelope theorem); that of ℓ_R adds, with
// T_g = A_g⁻¹SZ_gᵀX_g and q_gk = t_gkᵀ(XᵀV⁻¹X)⁻¹t_gk,
//
//	∂/∂log σ_b,k: Σ_g q_gk,    ∂/∂log σ: rank(X) − Σ_g Σ_k q_gk.
//
// Both are maximized by damped Newton steps on φ (finite-difference
// Hessian of the analytic gradient, Levenberg damping, step cap and
// backtracking; Nocedal & Wright 2006, ch. 3) from the moment estimates,
// typically in 3–6 iterations. The boundary σ_b → 0 is handled by a lower
// bound log σ_b,k ≥ log(σ̂/rms(z_k)) − 10 with projected steps; a fit that
// stops there is flagged (Fit.AtBoundary) and warned about.
//
// # MAP and Laplace
//
// The mode of the collapsed posterior p(θ | y) ∝ p(θ) p(y | θ) of
// lmm.Collapsed on θ = [βc, log σ_b, log σ] (prior including the
// log-Jacobian, so the mode is interior) by the same Newton iteration from
// the ML fit, with the Laplace approximation N(θ̂, (−H)⁻¹) (Tierney & Kadane
// 1986), H the symmetrized finite-difference Hessian of the analytic
// gradient. PosteriorLaplace is this one Laplace approximation for any
// lmm.Collapsed (MAP from the ML fit; NUTS preconditioning; the neural
// estimator, which starts it from least squares with steps capped at 2 per
// coordinate); Laplace samples, evaluates and whitens (z = L⁻¹(θ − μ))
// without allocating. It is
// accurate when every σ_b is well identified; when a σ_b is small relative
// to its standard error the posterior of log σ_b is skewed and importance
// sampling from the Laplace proposal shows Pareto k̂ ≈ 0.7.
//
// # References
//
//   - J. H. Goodnight (1979). A tutorial on the SWEEP operator. The
//     American Statistician 33(3), 149–158.
//   - D. Bates, M. Mächler, B. Bolker, S. Walker (2015). Fitting linear
//     mixed-effects models using lme4. J. Stat. Softw. 67(1).
//   - H. D. Patterson, R. Thompson (1971). Recovery of inter-block
//     information when block sizes are unequal. Biometrika 58(3), 545–554.
//   - P. A. V. B. Swamy (1970). Efficient inference in a random coefficient
//     regression model. Econometrica 38(2), 311–323.
//   - L. Tierney, J. B. Kadane (1986). Accurate approximations for
//     posterior moments and marginal densities. JASA 81(393), 82–86.
//   - J. Nocedal, S. J. Wright (2006). Numerical Optimization, 2nd ed.
//     Springer.
//   - Kipnis, Binz, Schulz. metabeta – A fast neural model for Bayesian
//     mixed-effects regression. arXiv:2510.07473.
package estimate
