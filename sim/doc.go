// Package sim draws datasets for the Gaussian linear mixed model
//
//	y = Xβ + Zb_g + ε,  b_g ~ N(0, diag σ_b²),  ε ~ N(0, σ²I),
//
// with one grouping factor and uncorrelated random effects, by the
// generative process of metabeta (Kipnis, Binz & Schulz, "metabeta – A fast
// neural model for Bayesian mixed-effects regression", arXiv 2510.07473),
// adapted so that every parameter is an exact draw from the prior the
// dataset carries. The datasets train and validate the neural posterior
// estimator and feed simulation-based calibration of both estimators.
//
// # Generative process
//
// Each dataset is a *lmm.Design with fixed terms "Intercept", "x1", …,
// "x(d−1)", random terms the first q fixed terms (metabeta's Z = the first
// q columns of X), response "y", group "g" with levels "1".."m", and rows
// ordered by group. It is drawn in five steps:
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
//  3. Hyperprior. ν_k ~ U(Nu) and τ_β,k ~ logU(TauBeta) for each
//     coefficient, τ_b,k ~ logU(TauRandom) for each random effect,
//     τ_ε ~ logU(TauSigma). They form the dataset's lmm.Prior: BetaMean ν,
//     BetaSD τ_β, SDScale τ_b, SigmaScale τ_ε.
//  4. Parameters. βc ~ N(ν, diag τ_β²) in the centred parametrization
//     (the intercept is that of the centred predictors, lmm.Centred; since
//     the predictors are standardized it equals the original intercept up
//     to rounding), converted to the original scale for Truth;
//     σ_b,k ~ HalfNormal(τ_b,k), σ ~ HalfNormal(τ_ε), b_g ~ N(0, diag σ_b²),
//     and y = Xβ + Zb_g + ε.
//  5. Misspecification (off by default): Student-t noise, heteroscedastic
//     noise σ·e^{γx₁}/c, skewed (centred log-normal) or heavy-tailed
//     (Student-t) random effects, each scaled to the variance the model
//     parameter describes.
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
// # Default ranges (standardized units)
//
//	quantity                          default               Config field
//	d, fixed effects incl. intercept  U{1..6}               Fixed
//	q, random effects                 U{0..min(d, 3)}       Random
//	m, groups                         log-uniform 5..200    Groups
//	n_g, rows per group               2..100, NB(μ, k = 4)  GroupSize, GroupSizeShape
//	N, total rows                     ≤ 3000                MaxRows
//	LKJ concentration η               10                    LKJEta
//	ν, prior means                    U(−3, 3)              Nu
//	τ_β, τ_b, τ_ε, prior scales       logU(0.03, 3)         TauBeta, TauRandom, TauSigma
//	real-design share                 0                     RealFraction
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
//     ranges; the standardized ranges above follow metabeta's era B.
//   - Lewandowski, Kurowicka & Joe (2009), "Generating random correlation
//     matrices based on vines and extended onion method", J. Multivariate
//     Analysis 100(9): the onion method behind LKJCholesky.
//   - Talts et al. (2018), arXiv 1804.06788: why parameters must be exact
//     prior draws.
//   - Marsaglia & Tsang (2000), "A simple method for generating gamma
//     variables", ACM TOMS 26(3): gamma variates, and the U^{1/a} boost for
//     shapes below one used here in log space.
package sim
