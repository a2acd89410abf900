// Package hmc is a Stan-grade No-U-Turn sampler (NUTS) over a generic
// differentiable target, with Stan's windowed warmup adaptation and a
// parallel multi-chain driver. It knows no model: anything with
// Dim and LogDensityGrad on an unconstrained space is a Target.
//
// # Hamiltonian
//
// With position q ∈ Rᵈ, momentum p and a Euclidean metric M,
//
//	H(q, p) = V(q) + T(p),  V(q) = −log π(q),  T(p) = ½·pᵀM⁻¹p,
//
// momenta are drawn p ~ N(0, M) and the velocity is p♯ = M⁻¹p (Betancourt
// 2017, §4). M⁻¹ is diagonal (DiagMetric, Stan's diag_e) or dense
// (DenseMetric, dense_e). A NaN energy counts as +∞.
//
// # Leapfrog
//
// One step of size ε (Leapfrog): p ← p + (ε/2)∇log π(q); q ← q + ε·p♯;
// p ← p + (ε/2)∇log π(q). It is symplectic and reversible, so the energy
// error stays bounded, O(ε²).
//
// # NUTS transition (Stan ≥ 2.21, base_nuts.hpp)
//
// Draw p, set H0 = H(q, p). Repeat while depth < MaxDepth: pick a direction
// uniformly and extend the trajectory from that end by a subtree of 2^depth
// leapfrog steps, built recursively as two halves. Each new state z gets
// weight w(z) = exp(H0 − H(z)); a step with H(z) − H0 > 1000 is divergent
// and ends the transition. Within a subtree the proposal is the right half's
// with probability W_right/(W_left + W_right) (uniform progressive
// multinomial sampling); at the top level the sample moves to the new
// subtree's proposal with probability min(1, W_new/W_old) (biased
// progressive sampling), which favours distant states (Betancourt 2017,
// §A.3.2). A subtree is discarded, and the transition stops, if it
// diverged or contains a U-turn.
//
// The generalized no-U-turn criterion (Betancourt 2017, §A.4.2) for a
// segment with summed momentum ρ and end velocities p♯⁻, p♯⁺ continues while
// p♯⁻·ρ > 0 and p♯⁺·ρ > 0. When two adjacent pieces L, R merge, Stan checks
// the whole, C(p♯_L−, p♯_R+, ρ_L + ρ_R), and since v2.21 (stan-dev/stan PR
// #2800, issue #2799) also the junctions, C(p♯_L−, p♯_R−, ρ_L + p_R−) and
// C(p♯_L+, p♯_R+, ρ_R + p_L+), which catch U-turns missed at resonant step
// sizes. The accept statistic is the mean of min(1, exp(H0 − H)) over all
// new states, a rejected last subtree included. Energy reports H at the
// selected state. Original algorithm: Hoffman & Gelman (2014), JMLR
// 15:1593–1623; multinomial form: Betancourt (2017), arXiv:1701.02434.
//
// # Warmup (Stan reference manual, "HMC algorithm parameters")
//
// Inits are uniform(−2, 2) per coordinate, up to 100 attempts until log π
// and its gradient are finite, or Config.Init. The step-size heuristic
// InitStepSize doubles or halves ε until the one-step acceptance crosses
// 0.8. Dual averaging (Nesterov 2009; Hoffman & Gelman 2014, §3.2.1) with
// δ = 0.8, γ = 0.05, κ = 0.75, t0 = 10, μ = log(10ε) tunes ε after every
// warmup transition. The metric is estimated in windows (WindowSchedule):
// a 75-iteration initial buffer, windows of 25, 50, 100, … (the last
// stretched to the terminal buffer) and a 50-iteration terminal buffer.
// After each window the inverse metric becomes the regularized Welford
// estimate (n/(n+5))·Σ̂ + 10⁻³·(5/(n+5))·I of that window's draws, the
// heuristic reruns, μ = log(10ε), and dual averaging restarts. Sampling
// uses exp(x̄), the averaged log step size.
//
// # Diagnostics
//
// Result counts divergences and tree-depth saturations and computes the
// E-BFMI Σ(Eₙ − Eₙ₋₁)²/Σ(Eₙ − Ē)² per chain (Betancourt 2016,
// arXiv:1604.00695), and lists warnings for divergences, saturation and
// E-BFMI < 0.3. R̂ and ESS are in package diagnostics.
//
// # Randomness and concurrency
//
// Chain c uses rand.New(rand.NewPCG(seed, c)) and its own Target, so a
// Result depends on the seed alone, whatever GOMAXPROCS. The NUTS kernel,
// metrics and states are not safe for concurrent use; Transition and
// Leapfrog do not allocate.
package hmc
