// Package lmm holds the Gaussian linear mixed model shared by the whole
// harness: the numeric design, the prior and its JSON spec, and the exact
// densities that the NUTS sampler, the NPE's importance sampling and the
// tests evaluate.
//
// # Model
//
// Rows i of group g = 0..M−1 follow
//
//	y_gi = x_giᵀβ + z_giᵀb_g + ε_gi,   b_g ~ N(0, S²),   ε_gi ~ N(0, σ²),
//
// with S = diag(σ_b,1..σ_b,Q) (uncorrelated random effects, lme4's
// (x || g)), X the N×P fixed-effect design and Z the columns RandomCol of
// the uncentred X. The Stan program bench/stan/lmm.stan is this
// model. With Design.Correlated (lme4's (x | g)) the random effects are
// correlated, b_g ~ N(0, S Ω S) with Ω ~ LKJ(η) (bench/stan/lmm_cor.stan;
// see "Correlated random effects" below).
//
// # Prior and centring
//
// When the model has an intercept, the non-intercept columns of X are
// centred at their sample means, Xc = X − 1x̄ᵀ, and the coefficient vector
// becomes βc = (α, β₁:) with α = β₀ + x̄ᵀβ₁: (see Centred), so that
// Xβ = Xc βc. The prior (type Prior) is
//
//	βc_k ~ N(BetaMean_k, BetaSD_k²),  σ_b,k ~ HalfNormal(SDScale_k),
//	σ ~ HalfNormal(SigmaScale),
//
// the brms/rstanarm convention of putting the intercept prior on α.
//
// # Parametrization
//
// The samplers and the NPE work on an unconstrained vector θ:
//
//	collapsed  θ = [βc (P), log σ_b (Q), log σ (1), y (C)]           (P+Q+1+C)
//	joint      θ = [βc (P), log σ_b (Q), log σ (1), y (C), z (M·Q)]  (P+Q+1+C+M·Q)
//
// with C = NCor = Q(Q−1)/2 unconstrained correlations for correlated
// effects and C = 0 otherwise, z group-major (z[g*Q+k]) and
// b_gk = σ_b,k z_gk, z_gk ~ N(0, 1) (b_g = Λz_g when correlated): the
// non-centred parametrization of lmm.stan (Papaspiliopoulos, Roberts &
// Sköld 2007). The densities in θ include the log-Jacobian of the log
// transforms, Σ_k log σ_b,k + log σ (Stan Reference Manual, "Constraint
// transforms: lower bounded scalar"). Stats.Params and Stats.Theta convert
// between θ and Params.
//
// # Sufficient statistics
//
// NewStats passes once over the rows and keeps, with ỹ = y − ȳ when the
// model has an intercept (a shift of α, for numerical stability) and ỹ = y
// otherwise,
//
//	XcᵀXc, Xcᵀỹ, ỹᵀỹ, N;  per group n_g, Z_gᵀZ_g, Z_gᵀXc_g, Z_gᵀỹ_g.
//
// With r = ỹ − Xc β̃ (β̃ the centred coefficients with α − ȳ) the residual
// cross-products are rᵀr = ỹᵀỹ − β̃ᵀXcᵀỹ − β̃ᵀXcᵀr, Xcᵀr = Xcᵀỹ − XcᵀXc β̃ and
// Z_gᵀr_g = Z_gᵀỹ_g − Z_gᵀXc_g β̃, so every density below costs
// O(P² + M(QP + Q³)) per evaluation, independent of N.
//
// # Marginal likelihood (Marginal)
//
// Integrating b out gives y_g ~ N(X_g β, V_g), V_g = σ² I + Z_g S² Z_gᵀ.
// With the scaled Q×Q matrix A_g = I + S Z_gᵀZ_g S / σ² (the ΛᵀZᵀZΛ + I
// of Bates, Mächler, Bolker & Walker 2015, Section 3, with relative
// covariance factor Λ = S/σ), u_g = S Z_gᵀr_g and
// w_g = A_g⁻¹u_g, the matrix determinant lemma and the Woodbury identity
// give
//
//	log det V_g = n_g log σ² + log det A_g,
//	r_gᵀV_g⁻¹r_g = (r_gᵀr_g − u_gᵀw_g / σ²) / σ²,
//	log p(y | β, σ_b, σ) = −N/2 log 2π − N log σ − ½ Σ_g log det A_g
//	                       − (rᵀr − Σ_g u_gᵀw_g / σ²) / (2σ²).
//
// A_g ⪰ I, so its Cholesky factor L_g (A_g = L_g L_gᵀ) always exists, every
// diagonal entry of L_g is at least 1, and σ_b,k → 0 is regular. Since
// S Z_gᵀV_g⁻¹Z_g S = I − A_g⁻¹ and S Z_gᵀV_g⁻¹r_g = w_g / σ², the gradient
// (from ∂ log N = −½ tr(V⁻¹∂V) + ½ rᵀV⁻¹(∂V)V⁻¹r and ∂/∂β = XᵀV⁻¹r) is
//
//	∂/∂βc        = (Xcᵀr − Σ_g (Z_gᵀXc_g)ᵀ S w_g / σ²) / σ²,
//	∂/∂log σ_b,k = Σ_g [ (A_g⁻¹)_kk − 1 + (w_gk / σ²)² ],
//	∂/∂log σ     = −(N − M·Q + Σ_g tr A_g⁻¹)
//	               + (rᵀr − Σ_g (u_gᵀw_g + w_gᵀw_g) / σ²) / σ²,
//
// with diag(A_g⁻¹) read off L_g⁻¹. Collapsed adds the prior and Jacobian.
//
// # Conditional of the random effects
//
// Given θ the groups are independent and Gaussian (Henderson's mixed-model
// equations; Henderson 1975, Robinson 1991):
//
//	b_g | θ, y ~ N(μ_g, Σ_g),  Σ_g = S A_g⁻¹ S,  μ_g = Σ_g Z_gᵀr_g / σ² = S w_g / σ²,
//
// which equal the BLUP D Zᵀ V⁻¹ r and D − D Zᵀ V⁻¹ Z D with D = S². Draws
// are b_g = μ_g + S L_g⁻ᵀ ε_g, ε_g ~ N(0, I) (Collapsed.SampleRandomEffects).
//
// # Joint density (Joint)
//
// The joint target of lmm.stan expands the residual sum of squares into the
// statistics,
//
//	‖y − Xβ − Zb‖² = rᵀr − Σ_g (2 b_gᵀ Z_gᵀr_g − b_gᵀ Z_gᵀZ_g b_g),
//
// so it too costs O(M) per evaluation. With h_g = (Z_gᵀr_g − Z_gᵀZ_g b_g)/σ²
// the gradient of the likelihood term is
//
//	∂/∂βc = (Xcᵀr − Σ_g (Z_gᵀXc_g)ᵀ b_g) / σ²,   ∂/∂log σ_b,k = Σ_g h_gk b_gk,
//	∂/∂log σ = −N + ‖y − Xβ − Zb‖² / σ²,
//
// and ∂/∂z_gk = σ_b,k h_gk − z_gk with the N(0, 1) prior of z.
//
// # Correlated random effects
//
// With Σ_b = S Ω S and Ω = LLᵀ, L lower triangular with unit rows, every
// formula above holds with S replaced by the relative factor Λ = S L
// (b_g = Λ z_g in the joint density): A_g = I + ΛᵀZ_gᵀZ_gΛ/σ², u_g =
// ΛᵀZ_gᵀr_g, Σ_g = Λ A_g⁻¹ Λᵀ and μ_g = Λ w_g/σ². The gradient in Λ is in
// marginal_cor.go and is carried to log σ_b and to L by Λ_ij = σ_b,i L_ij.
//
// L is parametrized as Stan's cholesky_factor_corr (Stan Reference Manual,
// "Cholesky factors of correlation matrices"): C = Q(Q−1)/2 canonical
// partial correlations z = tanh(y) fill the strict lower triangle row by
// row, L_ij = z_ij √(1 − Σ_{k<j} L_ik²) and L_ii = √(1 − Σ_{k<i} L_ik²),
// with log-Jacobian Σ log(1 − z²) + Σ_i Σ_{0<j<i} ½ log(1 − Σ_{k<j} L_ik²)
// (CorCholesky). The prior is the LKJ density on the Cholesky factor,
//
//	log LKJ_chol(L | η) = −log c_Q(η) + Σ_{i=1}^{Q−1} (Q − i − 1 + 2η − 2) log L_ii,
//
// with the normalizing constant c_Q(η) of Lewandowski, Kurowicka & Joe
// (2009), so that densities stay exact. The correlations are reported as
// Ω_ij = (LLᵀ)_ij in brms's order and names, cor_<group>__<term j>__<term
// i> for i = 1..Q−1, j < i.
//
// # Constants
//
// No normalizing constant is dropped anywhere: Marginal.LogLik is the exact
// log density of y, Collapsed.LogDensity is log p(θ, y) and
// Joint.LogDensity is log p(θ, z, y), each the log of a density in θ that
// integrates to one (the half-normal's log 2 included). Stan's ~ statements
// drop constants, so values differ from Stan's lp__ by a constant.
//
// # Concurrency and allocation
//
// Stats is read-only after NewStats and may be shared. Marginal, Collapsed
// and Joint carry a workspace, are not safe for concurrent use, and evaluate
// without allocating; Clone returns a copy with a fresh workspace sharing
// the statistics and prior.
//
// # References
//
//   - D. Bates, M. Mächler, B. Bolker, S. Walker (2015). Fitting linear
//     mixed-effects models using lme4. Journal of Statistical Software
//     67(1).
//   - C. R. Henderson (1975). Best linear unbiased estimation and prediction
//     under a selection model. Biometrics 31(2), 423–447.
//   - G. K. Robinson (1991). That BLUP is a good thing: the estimation of
//     random effects. Statistical Science 6(1), 15–32.
//   - O. Papaspiliopoulos, G. O. Roberts, M. Sköld (2007). A general
//     framework for the parametrization of hierarchical models. Statistical
//     Science 22(1), 59–73.
//   - Stan Development Team. Stan Reference Manual, "Constraint
//     transforms".
//   - H. V. Henderson, S. R. Searle (1981). On deriving the inverse of a sum
//     of matrices. SIAM Review 23(1), 53–60 (Woodbury identity).
//   - D. Lewandowski, D. Kurowicka, H. Joe (2009). Generating random
//     correlation matrices based on vines and extended onion method. Journal
//     of Multivariate Analysis 100(9), 1989–2001.
//   - Kipnis, Binz, Schulz. metabeta – A fast neural model for Bayesian
//     mixed-effects regression. arXiv:2510.07473.
package lmm
