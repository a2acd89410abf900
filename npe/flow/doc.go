// Package flow implements conditional normalizing flows for the NPE
// posterior q(θ | c): an invertible map z = f(θ; c) to a base density p, so
//
//	log q(θ | c) = log p(f(θ; c)) + log|det ∂f/∂θ|.
//
// A Flow is Steps repetitions of ActNorm (Kingma & Dhariwal 2018) → fixed
// random Permutation → coupling, as in metabeta (arXiv 2510.07473, §2).
// The coupling (Config.Coupling) is either the conditional affine coupling
// of RealNVP (Dinh et al. 2017), z_b = x_b·exp(s) + t with
// (s, t) = NN(x_a, c) and a tanh-clamped log-scale s = C·tanh(s̃/C)
// ("affine", the default), or the conditional rational-quadratic spline
// coupling of Durkan et al. (2019) ("spline"): each z_b,j is a monotone
// rational-quadratic spline of x_b,j with Bins bins on [−Bound, Bound],
// whose widths, heights and interior knot derivatives come from NN(x_a, c),
// and the identity outside (linear tails). The base is the standard Normal or a diagonal
// Student-t with trainable degrees of freedom (metabeta's default, ν₀ = 5).
//
// Optional elementwise transforms are conditioned on the context alone.
// MarginalSpline (Config.Marginal), on the data side, is every dimension's
// own rational-quadratic spline on [−B, B]; it reshapes the bulk of a
// marginal (skew), but maps [−B, B] onto itself with the identity beyond,
// so it cannot make a tail lighter than the base's at a fixed bulk scale,
// nor stretch a one-sided tail beyond B. A second, wide one (Config.Wide,
// [−16, 16] by default), applied before it and started exactly at the
// identity, can: it maps the first spline's range onto a range up to 16
// wide on either side, as the long left tail of log σ_b needs when σ_b's
// posterior has density at zero.
// BaseTail (Config.Tail), on the base side, is the identity on [−c, c] and
// linear beyond, with its own slope on each side of each dimension, so
// that a base point far in one coordinate's tail reaches only a fraction
// of that distance into the flow: a tail lighter than Gaussian, as the
// posterior of log σ_b pressed against zero has.
//
// Padded target dimensions (mask false) pass through every transform
// unchanged with zero log-determinant, enter conditioners as zeros and are
// left out of the base density, so log q does not depend on them.
//
// Flow.LogProb evaluates log q for a batch; Flow.Backward returns the
// exact gradients of Σ_r w_r log q(θ_r | c_r) with respect to the
// parameters, θ and c; Flow.Sample draws by the inverse map and returns
// log q of the draws. All are batched and reuse their buffers.
package flow
