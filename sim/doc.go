// Package sim draws datasets for the Gaussian linear mixed model
//
//	y = Xβ + Zb_g + ε,  b_g ~ N(0, diag(σ_b) Ω diag(σ_b)),  ε ~ N(0, σ²I),
//
// with one grouping factor and random effects either uncorrelated (Ω = I,
// lme4's "||") or correlated (Ω ~ LKJ(η), lme4's "|"), by the
// generative process of metabeta (Kipnis, Binz & Schulz, "metabeta – A fast
// neural model for Bayesian mixed-effects regression", arXiv 2510.07473),
// adapted so that every parameter is an exact draw from the prior the
// dataset carries. The datasets train and validate the neural posterior
// estimator and feed simulation-based calibration of both estimators.
//
// # Generative process
//
// Each dataset is a *lmm.Design with fixed terms "Intercept", "x1", …,
// "x(d−1)" (the last may be an interaction "xa:xb", see Interactions),
// random terms the first q fixed terms (metabeta's Z = the first q columns
// of X; see Interactions for the exception), response "y", group "g" with
// levels "1".."m", and rows ordered by group. It is drawn in five steps:
//
//  1. Sizes. d ~ U{Fixed}, q ~ U{min(d, Random.Min), …, min(d, Random.Max)},
//     m log-uniform on Groups. A per-dataset mean group size μ is
//     log-uniform on [GroupSize.Min, min(GroupSize.Max, MaxRows/m)] and
//     each n_g ~ Poisson(λ_g), λ_g ~ Gamma(k, μ/k) (a negative binomial,
//     Var n_g = μ + μ²/k), clamped to GroupSize; totals above MaxRows are
//     shrunk proportionally.
//  2. Predictors. Either synthetic (metabeta's mixture, see Family: normal
//     .10, Student-t .40, uniform .05, Bernoulli .25, negative binomial .10,
//     scaled beta .10), z-scored and mixed by the Cholesky factor of an
//     LKJ(η) correlation matrix drawn by the onion method (LKJCholesky),
//     binary columns redrawn correlated with another column as metabeta
//     does; or, with probability RealFraction, a subsample of a caller's
//     real design: random groups, a random subset of each group's rows and
//     random non-intercept columns. Every non-intercept column is then
//     standardized to sample mean 0 and SD 1, so the hyperprior below is
//     in standardized units.
//  3. Hyperprior. Whether the random effects are correlated (see
//     Correlated random effects); ν_k ~ U(Nu) and τ_β,k ~ logU(TauBeta) for
//     each coefficient, τ_b,k ~ logU(TauRandom) for each random effect,
//     τ_ε ~ logU(TauSigma), and η ~ U(CorEta) when correlated. They form
//     the dataset's lmm.Prior: BetaMean ν, BetaSD τ_β, SDScale τ_b,
//     SigmaScale τ_ε, LKJ η (1, brms's default, when uncorrelated).
//  4. Parameters. βc ~ N(ν, diag τ_β²) in the centred parametrization
//     (the intercept is that of the centred predictors, lmm.Centred; since
//     the predictors are standardized it equals the original intercept up
//     to rounding), converted to the original scale for Truth;
//     σ_b,k ~ HalfNormal(τ_b,k), σ ~ HalfNormal(τ_ε); uncorrelated
//     b_g ~ N(0, diag σ_b²), or correlated Ω = LLᵀ ~ LKJ(η) (LKJCholesky)
//     and b_g = diag(σ_b) L z_g, z_g ~ N(0, I); and y = Xβ + Zb_g + ε.
//  5. Misspecification (off by default): Student-t noise, heteroscedastic
//     noise σ·e^{γx₁}/c, skewed (centred log-normal) or heavy-tailed
//     (Student-t) random effects, each scaled to the variance the model
//     parameter describes. With correlated effects the shape applies to
//     the entries of z_g, drawn independently with unit variance, before
//     b_g = diag(σ_b) L z_g, so Cov(b_g) is still diag(σ_b) Ω diag(σ_b)
//     (the heavy-tailed b_g is then a mixture of independent t's, not a
//     multivariate t).
//
// # Correlated random effects
//
// As in metabeta's current simulator (era C, metabeta/simulation/prior.py
// at commit d793e46e and later): a dataset with q = 2 random effects has
// correlated ones with probability CorrelatedQ2 = 0.8, one with q ≥ 3 with
// probability CorrelatedQ3 = 0.5, and η ~ U(1, 2) (CorEta) per dataset.
// The design is then Correlated, its formula uses "|" (uncorrelated ones
// with q ≥ 2 use "||"), Truth.Cor holds Ω_ij in the order of
// lmm.Design.Names (cor_g__<t_j>__<t_i>, i = 1..q−1, j < i), and the
// dataset's Prior.LKJ is the η its Ω was drawn from, so that every
// parameter, Ω included, is an exact draw from the prior the dataset
// carries. With q ≤ 1 nothing is drawn. Setting both probabilities to zero
// draws, byte for byte, what the simulator drew before they existed.
//
// # Interactions
//
// R users write a*b; the simulator draws such products so that the
// estimators see them. A dataset whose drawn d is at least 4, with
// probability Interaction = 0.25, draws d−1 columns from its source and
// appends the product x_a·x_b of two of them as column d−1, named "xa:xb"
// as R names it; d, with the product, stays within Fixed. The pair is
// uniform over the non-intercept columns, except in longitudinal designs,
// which with probability 0.75 try the pairs with time (x1) first (time ×
// treatment, time × covariate). A product that is constant or nearly a
// linear combination of the other columns (1 − R² < 10⁻⁶, e.g. of two
// dummies never both 1, or of nested dummies) is refused and the next pair
// tried; when none fits, the dataset keeps d−1 columns. The product is in
// its own units: for standardized sources its prior is scaled by its
// sample SD (as the other sources' columns are; see Design sources), and
// WriteCSV leaves it out, the formula recomputing it. Random slopes stay
// on the first columns that vary within groups, except that with
// probability InteractionRandom = 0.5, when q ≥ 2 and the product varies
// within groups but is not already a random term, the product replaces
// the last random slope: (1 + x1 + x1:x2 | g). Sample.Interaction names
// the two columns. Interaction = 0 draws nothing.
//
// Unlike metabeta, the realized random effects and noise are not
// re-standardized to have sample SD exactly σ_b and σ, no dataset is
// rejected for its signal, and y is not rescaled: any such step changes the
// joint distribution of (θ, y) so that the posterior given y is no longer
// the one the prior implies, and simulation-based calibration (Talts,
// Betancourt, Simpson, Vehtari & Gelman 2018, "Validating Bayesian
// inference algorithms with simulation-based calibration", arXiv
// 1804.06788) would fail for a correct estimator.
//
// A draw whose predictors come out degenerate (a constant column, e.g. an
// all-zero Bernoulli column) is redrawn from the same stream before any
// parameter is drawn; Sample.Attempts counts the draws. The parameters are
// therefore exact prior draws given the design.
//
// # Design sources
//
// Standardized synthetic predictors never lie far from zero, but real
// longitudinal predictors (age, time, dose) sit 1.5–5 SDs from it, and
// there, with random slopes, the centred intercept, the slopes and log σ_b
// are strongly correlated. Config.Designs mixes in designs of that kind,
// one source per dataset, drawn with the weights given (the zero value
// keeps the draws above exactly):
//
//   - SourceSynthetic: the standardized mixture above.
//   - SourceShifted: the same correlated mixture in its own units:
//     continuous columns s·(μ + z) with |μ| ~ U(0.5, 6) SDs (negative with
//     probability 0.2) and s ~ logU(0.1, 100); integer counts
//     max(0, round(λ + √λ z)), λ ~ logU(0.5, 100); 0/1 dummies.
//   - SourceLongitudinal: x1 a grid of 3–20 times, 0, h, 2h, … or starting
//     at h·U{1, …, ⌊1.5T⌋}, regular or with gaps, the same grid in every group:
//     whole (probability 0.55), cut by dropout, or thinned at random, so
//     groups go down to one row; half of the datasets with q < 2 get a
//     random slope on time. Later columns are time-varying shifted
//     covariates or group-level treatments and covariates.
//   - SourceBetween: group-level columns (constant within each group:
//     shifted values, binaries with a level as rare as 3%, factors of 3–4
//     levels with rare ones as treatment dummies) after row-level shifted
//     columns, counts and dummies with a level of 1–10%.
//   - SourceReal: a subsample of a RealDesigns entry in its own units
//     (groups drawn without replacement, each whole with probability ½,
//     else a random subset of its rows down to one).
//
// In the shifted and between sources a third of the datasets turn each
// group into a single row with a per-dataset probability U(0, ½). Random
// slopes fall only on columns that vary within groups (q is capped, and
// those columns come first). For these sources the hyperprior stays in
// standardized units and the prior is written in the design's units: for a
// column with sample SD s_k, BetaMean_k = ν_k/s_k, BetaSD_k = τ_β,k/s_k and
// a random slope's SDScale τ_b,k/s_k, while the centred intercept's prior,
// the random intercept's and σ's do not depend on the units of x. The
// model standardized as the estimators do (y by mean and SD, x by SD only,
// not centred) thus sees the same hyperprior as for synthetic data, with
// predictors that stay far from zero.
//
// TrainingMix (loading RealSources from metabeta.Datasets()) sets synthetic
// 0.40, real 0.25, shifted 0.10, longitudinal 0.15 and between 0.10.
// metabeta's current code (era C) mixes synthetic, sampled-real and
// structural-causal designs in equal thirds, from many real datasets;
// era B subsampled real designs half of the time. With four real sources
// only, a quarter keeps the network from learning those four designs by
// heart; the structural families above replace SCM designs with the
// structures real mixed-model data show (grids, group-level predictors,
// rare levels, tiny groups), weighted towards longitudinal designs, where
// the shipped estimator failed; and the 0.40 of standardized synthetic
// designs keeps the simulated validation suite, which draws from
// DefaultConfig, in the bulk of the training data. Over 1000 datasets
// (seed 1, TestTrainingMixSummary) a quarter of the predictors lie more
// than 1.5 SDs from zero (median |mean|/SD 0.23, 90% quantile 3.8), 4% of
// the groups have one row, and a third of the datasets with random slopes
// have one on a predictor more than 1.5 SDs from zero.
//
// # Default ranges (standardized units)
//
//	quantity                          default               Config field
//	d, fixed effects incl. intercept  U{1..6}               Fixed
//	q, random effects                 U{0..min(d, 3)}       Random
//	m, groups                         log-uniform 5..200    Groups
//	n_g, rows per group               2..100, NB(μ, k = 4)  GroupSize, GroupSizeShape
//	N, total rows                     ≤ 3000                MaxRows
//	LKJ concentration η               10                    LKJEta
//	P(correlated b) at q = 2, q ≥ 3   0.8, 0.5              CorrelatedQ2, CorrelatedQ3
//	LKJ η of correlated b             U(1, 2)               CorEta
//	P(interaction) at d ≥ 4           0.25                  Interaction
//	P(interaction is a random slope)  0.5                   InteractionRandom
//	ν, prior means                    U(−3, 3)              Nu
//	τ_β, τ_b, τ_ε, prior scales       logU(0.03, 3)         TauBeta, TauRandom, TauSigma
//	real-design share                 0                     RealFraction
//	design sources                    synthetic only        Designs
//
// Default datasets average about 670 rows.
//
// # Reproducibility and parallelism
//
// Dataset i under seed s is drawn from its own stream
// rand.New(rand.NewPCG(s, i)) (Stream), so any worker can draw any dataset
// and the output does not depend on the number of workers. WriteCSV and
// WriteTruthJSON format numbers with the shortest round-trip form, so the
// same (configuration, seed, index) gives the same bytes.
//
// # References
//
//   - Kipnis, Binz & Schulz (2025), arXiv 2510.07473: the simulator
//     (metabeta/data/tasks.py and distributions.py, era A) and its hyperprior
//     ranges; the standardized ranges above follow metabeta's era B; the
//     correlated random effects (LKJ, η ~ U(1, 2), probabilities 0.8 and
//     0.5) its era C (metabeta/simulation/prior.py, commit d793e46e on).
//   - Lewandowski, Kurowicka & Joe (2009), "Generating random correlation
//     matrices based on vines and extended onion method", J. Multivariate
//     Analysis 100(9): the onion method behind LKJCholesky, and the
//     marginal of one LKJ correlation, 2·Beta(η + (q−2)/2, η + (q−2)/2) − 1,
//     that TestCorrelatedShare checks.
//   - Talts et al. (2018), arXiv 1804.06788: why parameters must be exact
//     prior draws.
//   - Marsaglia & Tsang (2000), "A simple method for generating gamma
//     variables", ACM TOMS 26(3): gamma variates, and the U^{1/a} boost for
//     shapes below one used here in log space.
package sim
