// Package estimator is the neural posterior estimator (NPE) of the linear
// mixed model
//
//	y = Xβ + Zb_g + ε,  b_g ~ N(0, Σ_b),  ε ~ N(0, σ²I),
//
// with Σ_b = diag σ_b² (lme4's ||) or, for correlated random effects (lme4's
// |, lmm.Design.Correlated), Σ_b = diag(σ_b) Ω diag(σ_b) with Ω ~ LKJ(η),
//
// after metabeta (Kipnis, Binz & Schulz, arXiv 2510.07473, §§2–3), with the
// change that the measured NPE prototype found decisive (npe-prototype.md,
// design B): closed-form/optimizer estimates θ̂ are fed to the network and
// the flow models θ − θ̂.
//
// # Standardization
//
// Each dataset is mapped to standardized units (estimate.Standardize): y' =
// (y − ȳ)/s_y and x'_j = x_j/s_j. Predictors are scaled, not shifted, so
// random slopes stay random slopes and σ_b maps exactly; lmm's centred
// coordinates θ = [βc, log σ_b, log σ, y] then map by an affine θ' = Aθ + C
// and the prior maps exactly into the same units (normal means and all
// scales by the same factors). The unconstrained correlations y (Stan's
// cholesky_factor_corr, lmm.CorCholesky) and the LKJ shape η are
// scale-free: A is the identity on them. The standardized model is the original one
// in other units: log p'(θ', y') = log p(θ, y) − log|A| + N log s_y, which
// the tests check on lmm's exact densities.
//
// # Inputs
//
// Per group g one token of TokenWidth exact group statistics of the
// standardized data: √n_g/10, log n_g/4, and asinh of the group means of y,
// y², the residual r = y − x'ᵀβ̂ and r², and per column slot (padded to
// MaxP = 6) of x_c, x_c·y, x_c·x_c' with presence and random-term flags.
// As an ablation (Config.Tokens), metabeta's observation-level input
// replaces or extends these tokens: a local set transformer over each
// group's observations [y', x', z'] (LocalWidth each), mean-pooled to one
// token per group ("local", with √n_g/10 and log n_g/4) or concatenated with
// the statistics ("both"). It costs about 13× more per training step on
// 2 cores (attention over up to 100 observations per group; 7.96 against
// 0.61 s per step of 64 in the README's ablation table), and is exact
// information only in the limit of a perfect local network, whereas the
// statistics tokens are exact sufficient statistics of the Gaussian LMM.
// Groups are a set: the summary is permutation-invariant and padded groups
// are masked out of attention and pooling, so datasets with more groups than
// the trained 200 still run (CheckRange warns). Per dataset, ExtraWidth
// inputs: the standardized prior dampened as in metabeta, sign(x)√|x|;
// √m/10 and √N/10; for a model with correlation slots (Config.Correlations)
// a flag of correlated random effects and log η of their LKJ prior (both
// zero without correlations); the Laplace mode θ̂' (÷3, clipped to ±5) and
// log Laplace SDs (÷3); and the mask of real dimensions, all in flow slots. The whitened flow
// (Config.FlowVariable "whitened") adds WhitenedExtraWidth − ExtraWidth
// inputs: log L̂_ii (÷3, clipped to ±5) and the strict lower triangle of the
// Laplace correlation matrix, both in flow slots, zero where padded.
//
// Shape probes (Config.ShapeProbes) add what the Laplace inputs cannot say:
// how the exact posterior departs from the Gaussian the flow's base assumes.
// For every flow slot i and offset t ∈ ProbeOffsets = {−3, −1.5, 1.5, 3},
//
//	δ_i(t) = log p(θ̂' + t·a_i, y') − log p(θ̂', y') + t²/2,
//
// a_i the direction in θ' along which u_i moves (column i of L̂, or ŝ_i e_i
// for the marginal variable), enters as asinh(δ_i(t))/3 clipped to ±5. δ is
// zero for a Gaussian posterior; where σ_b's posterior presses against zero
// its log-scale right tail is far lighter than the Laplace approximation's
// (δ ≈ −7 at t = 3 on loblolly's sd_Seed__Intercept) and its left tail
// heavier: the shape that the network must otherwise infer from the group
// statistics alone. They cost len(ProbeOffsets) exact collapsed densities per
// flow dimension per dataset (tens of microseconds).
//
// # Laplace centre
//
// θ̂' is the mode of the exact log posterior log p(θ', y') of lmm.Collapsed
// (random effects integrated out; prior and log-Jacobian included, so the
// mode exists even when σ_b → 0), found by damped Newton steps with a
// central finite-difference Hessian of the exact gradient
// (estimate.PosteriorLaplace, the module's one Laplace approximation, also
// used by NUTS preconditioning); ŝ are the marginal SDs √diag(−∇²)⁻¹ at the
// mode (Laplace approximation, Tierney & Kadane 1986), clamped to
// [1e-4, 10], and L̂ the Cholesky factor of the full covariance (−∇²)⁻¹.
// Where −∇² is not positive definite at the mode (about 1 simulated dataset
// in 2,400, typically more parameters than rows) there is no L̂: training of
// a whitened model drops such datasets and Sample refuses them
// (errNoCurvature), so that fit falls back to NUTS.
//
// # Network
//
// Summary: Dense embedding → Blocks set-attention blocks (SAB, Lee et al.
// 2019, post-norm as metabeta) → masked mean pool → Dense; concatenated with
// the dataset inputs → context MLP. Flow (package npe/flow): FlowSteps of
// ActNorm → fixed permutation → affine (RealNVP, Dinh et al. 2017) or
// rational-quadratic spline (Durkan et al. 2019) coupling, Normal (the
// default) or Student-t base, over FlowDim = MaxP + MaxQ + 1 = 10 padded slots
// [β (6), log σ_b (3), log σ] or, with Config.Correlations, CorFlowDim = 13
// slots that add the MaxCor = 3 unconstrained correlations y, the pair
// (j, k), j < k, in slot 10 + k(k−1)/2 + j whatever Q; padded slots (absent
// terms, and the correlations of || models and of Q = 1) are identity with
// zero log-determinant and excluded from the base density. Weights files
// written before Config.Correlations load in the 10-slot layout and draw
// bit for bit as before; such a model refuses correlated designs with
// Q ≥ 2 (a RangeCheck.Design reason, so fit falls back to NUTS). The flow
// variable is (Config.FlowVariable) the marginal
//
//	u_i = (θ'_i − θ̂'_i)/ŝ_i,  or the whitened  u = L̂⁻¹(θ' − θ̂')
//
// on the active dimensions (in flow slots), an affine change either way, so
// the density of the original θ is exact:
//
//	log q(θ) = log q_u(u) − Σ_i log ŝ_i (or − log det L̂ = −Σ_i log L̂_ii) + Σ_{i<P} log A_i.
//
// With the whitened variable a posterior equal to its Laplace approximation
// is the standard normal, whatever its correlations, so a flow at the
// identity reproduces the Laplace approximation and the network learns
// only the departure from it; SampleLaplace is exactly that flow.
//
// With Config.SigmaSoftplus each log σ_b' entry x of θ' is first mapped to
// w = log(e^{e^{x−a}} − 1), a = x̂ + log(ŝ/2) (softplus.go): log σ_b' near
// zero and σ_b' itself above a scale of about half σ_b's Laplace SD, and
// the Laplace approximation is carried to w by the delta method (mean
// g(x̂), covariance JΣ̂J, J = diag g'(x̂)). The map is not affine, so
// log q(θ) gains Σ log g'(x_i) at each draw, and the exact log posterior
// of the flow's coordinates, which the reverse-KL term compares with,
// gains −Σ log g'(x_i). The network's inputs still describe each σ_b by
// x̂ and ŝ: g(x̂) = log(e^{2/ŝ} − 1) and the SD of w (about 2 once ŝ is
// small) depend on ŝ alone, so inputs in w would hide σ̂_b itself.
//
// # Random effects
//
// Each global draw θ is completed by an exact draw of b ~ p(b | θ, y), the
// Gaussian conditional of lmm.Collapsed.SampleRandomEffects on the original
// design (Henderson 1975), so the random effects need no network.
//
// # Training
//
// The loss is the mean negative log density of the true standardized θ'
// under q, on fresh datasets from package sim every step (online
// simulation; dataset i of step t is sim stream (Seed, t·BatchSize + i), so
// a run is deterministic and resumable), with AdamW (Loshchilov & Hutter
// 2019), gradient-norm clipping, linear warm-up and cosine decay, a fixed
// validation set, checkpoints holding weights, optimizer moments, step and
// best weights, and early stopping on the validation loss (the NLL, plus
// the reverse-KL term below when it is on). Datasets in a batch are grouped
// by number of groups so that padding stays small.
//
// That loss is the forward KL E_y KL(p(·|y) ‖ q(·|y)) up to a constant,
// which charges little for mass that q puts beyond p's tails; on posteriors
// of σ_b pressed against zero, the right tail of log σ_b then comes out too
// heavy and σ_b's posterior SD too large (validate's "sigma_b near 0" row).
// As the exact collapsed posterior p̃ of every training dataset is at hand,
// Config.ReverseKL adds λ·KL(q ‖ p), which charges for exactly that: with S
// draws u_s of the current flow per dataset (stream Seed + klSeedOffset,
// step), its gradient is estimated by the score function,
// (1/S) Σ_s (f_s − b_s) ∇ log q(u_s), f_s = log q(u_s) − log p̃(u_s) and b_s
// the mean of the other draws' f (reverseKLWeights), evaluated with the true
// targets in one pass of the flow over b + bS rows. Config.KLProposalScale
// τ > 1 draws the u_s from the flow with its base widened to N(0, τ²I)
// and weights each term by q/r, which keeps the estimate unbiased and puts
// more of the draws in the flow's tails; Config.KLTailScale τ_t widens
// one base coordinate per draw, chosen at random, to τ_t instead (a
// mixture whose weights q/r stay bounded in any dimension), which reaches
// the single-coordinate base points beyond |z| ≈ 3 from which the flow's
// rare absurd σ_b draws come. Config.ForwardIS μ adds μ times
// the forward KL estimated from the same draws with self-normalized weights
// p̃/r (forwardISWeights; reweighted wake-sleep, Bornschein & Bengio 2015):
// the quantity that the NLL of the true θ estimates from one draw of the
// posterior, here from S, and charged most where q is too light, where the
// reverse KL charges where it is too heavy. The validation set's KL is
// estimated from fixed base draws (Model.evalKL), so that checkpoints are
// compared on the loss that training minimizes.
//
// A Recipe can end with a fine-tuning Stage: the first stage's best weights
// trained further under another reverse-KL objective and schedule.
//
// # Importance sampling
//
// ImportanceSample weights draws by log w = log p(θ, y) − log q(θ) in the
// collapsed coordinates, with log p the exact lmm.Collapsed density on the
// original design, and smooths them by Pareto-smoothed importance sampling
// (package psis; Vehtari, Simpson, Gelman, Yao & Gabry 2024, JMLR 25(72);
// the weights match R's loo 2.5.1), reporting k̂ (warning above
// min(1 − 1/log10 S, 0.7)) and the ESS, and resampling the draws.
// SampleProposal draws a proposal for it from the flow with its base
// widened to N(0, τ²I) (defensive importance sampling, Hesterberg 1995):
// log q stays exact, and heavier tails than the network's posterior lower
// k̂ on posteriors whose tails it underestimates (ProposalScale gives the
// measurements).
//
// # References
//
//   - Kipnis, Binz & Schulz, metabeta – A fast neural model for Bayesian
//     mixed-effects regression, arXiv 2510.07473.
//   - Lee et al. (2019), Set Transformer, ICML.
//   - Dinh, Sohl-Dickstein & Bengio (2017), Density estimation using Real
//     NVP, ICLR; Durkan et al. (2019), Neural spline flows, NeurIPS.
//   - Tierney & Kadane (1986), Accurate approximations for posterior
//     moments and marginal densities, JASA 81(393).
//   - Henderson (1975), Best linear unbiased estimation and prediction
//     under a selection model, Biometrics 31(2).
//   - Vehtari, Simpson, Gelman, Yao & Gabry (2024), Pareto smoothed
//     importance sampling, JMLR 25(72).
//   - Hesterberg (1995), Weighted average importance sampling and
//     defensive mixture distributions, Technometrics 37(2).
//   - Lewandowski, Kurowicka & Joe (2009), Generating random correlation
//     matrices based on vines and extended onion method, J. Multivariate
//     Analysis 100(9) (the LKJ prior).
package estimator
