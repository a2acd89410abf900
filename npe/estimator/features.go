package estimator

import (
	"errors"
	"fmt"
	"math"

	"github.com/metabeta-go/metabeta/lmm"
	"github.com/metabeta-go/metabeta/lmm/estimate"
)

// Widths of the network inputs.
const (
	// TokenWidth is the width of one group token: 6 group-size and response
	// features, then per column slot (MaxP of them) the mean, the mean
	// product with y, the presence and random-term flags, and the
	// MaxP(MaxP+1)/2 mean cross-products.
	TokenWidth = 6 + 4*MaxP + MaxP*(MaxP+1)/2
	// ExtraWidth is the width of the dataset-level inputs appended to the
	// pooled summary: the dampened prior (2·MaxP + MaxQ + 1), √m/10 and
	// √N/10, the Laplace mode θ̂' and log SDs and the dimension mask (each
	// FlowDim).
	ExtraWidth = 2*MaxP + MaxQ + 1 + 2 + 3*FlowDim
	// WhitenedExtraWidth is the width of the dataset-level inputs of the
	// whitened flow (Config.FlowVariable "whitened"): ExtraWidth, then the
	// log-diagonal of the Laplace Cholesky factor L̂ (FlowDim) and the
	// strict lower triangle of the Laplace correlation matrix in flow slots
	// (FlowDim(FlowDim−1)/2, row-major, zero where a slot is padded).
	WhitenedExtraWidth = ExtraWidth + FlowDim + FlowDim*(FlowDim-1)/2
	// CorExtraWidth and CorWhitenedExtraWidth are ExtraWidth and
	// WhitenedExtraWidth of a model with correlation slots
	// (Config.Correlations): after √m/10 and √N/10 come the LKJ prior's
	// flag (1 when the design has correlations) and log η, and every
	// per-slot block spans CorFlowDim slots.
	CorExtraWidth         = 2*MaxP + MaxQ + 1 + 2 + 2 + 3*CorFlowDim
	CorWhitenedExtraWidth = CorExtraWidth + CorFlowDim + CorFlowDim*(CorFlowDim-1)/2
)

// ProbeOffsets are the offsets t, in units of the flow variable u, at which
// a model with Config.ShapeProbes probes the exact log posterior along each
// flow axis. They reach the tails, where the Laplace approximation of log
// σ_b near zero is worst and where posterior SDs are decided.
var ProbeOffsets = [...]float64{-3, -1.5, 1.5, 3}

// prepared is one dataset turned into network inputs, in standardized
// units, together with the affine map from the flow's variable u to the
// original collapsed θ. For the marginal flow variable
//
//	θ'_i = θ̂'_i + ŝ_i u_slot(i),  θ = Scaling⁻¹(θ')  (estimate.Scaling),
//
// so log q(θ) = log q_u(u) − Σ log ŝ_i + log|det ∂θ'/∂θ|; for the
// whitened one θ' = θ̂' + L̂u (u in flow slots), L̂L̂ᵀ the full Laplace
// covariance, so log q(θ) = log q_u(u) − log det L̂ + log|det ∂θ'/∂θ|.
type prepared struct {
	p, q, m, n int
	ncor       int // correlations, lmm.Design.NCor
	// lay is the model's input layout and fd its number of flow slots.
	lay      layout
	fd       int
	maxGroup int              // observations in the largest group
	tokens   []float64        // m × TokenWidth
	extras   []float64        // ExtraWidth
	mask     [CorFlowDim]bool // the first fd entries are the flow's
	slot     []int            // slot of θ index i
	// centre is the Laplace mean of the flow's coordinates (the standardized
	// θ', its σ_b entries in softplus coordinates with Config.SigmaSoftplus),
	// and mode the Laplace mode of θ' itself.
	centre, mode []float64
	// softplus are the offsets a_i of the σ_b entries' softplus coordinates
	// (softplus.go; NaN elsewhere), nil without Config.SigmaSoftplus.
	softplus []float64
	// targetLogDet is Σ log h'(w_i) of the softplus coordinates at the
	// training target (target), 0 without them.
	targetLogDet float64
	// scale are the Laplace marginal SDs ŝ (clamped to [minLaplaceSD,
	// maxLaplaceSD]).
	scale []float64
	// inputCentre and inputScale describe each coordinate to the network:
	// centre and scale, except that softplus σ_b entries are described by
	// the Laplace mode and marginal SD of log σ_b' itself. Their softplus
	// centre, g(x̂) = log(e^{2/ŝ} − 1), and SD, about 2 once ŝ is small,
	// depend on ŝ alone and would hide σ̂_b from the network.
	inputCentre, inputScale []float64
	// lap is the Laplace approximation in standardized units; whitened
	// selects the flow variable u = L̂⁻¹(θ' − θ̂').
	lap      *estimate.Laplace
	whitened bool
	// jac are factors whose logs sum to log det ∂θ'/∂u: ŝ (marginal) or
	// diag L̂ (whitened).
	jac []float64
	// logDetToTheta is log|det ∂u/∂θ| = Σ log A_i − Σ log jac_i, added to
	// log q_u to obtain the density of the original θ.
	logDetToTheta float64
	scaling       estimate.Scaling
	// std is the standardized design, for the observation-level tokens of
	// Config.Tokens "local" and "both".
	std *lmm.Design
	// post is the exact collapsed posterior in standardized units, whose
	// log density the shape probes evaluate.
	post *lmm.Collapsed
	// widened marks a training dataset whose stated σ_b priors are wider
	// than the ones its truth was drawn from (TrainOptions.WidenPriors):
	// its truth is no draw from its prior, so it has no NLL term.
	widened bool
}

// slotOf returns the padded flow slot of index i of θ = [β (P), log σ_b
// (Q), log σ, y (NCor)]: the unconstrained correlation of the pair (j, k),
// j < k (lmm.Design.Names's order), sits in slot FlowDim + k(k−1)/2 + j
// whatever Q, so that a slot always means the same pair of random terms.
func slotOf(i, p, q int) int {
	switch {
	case i < p:
		return i
	case i < p+q:
		return MaxP + i - p
	default:
		return FlowDim - 1 + i - p - q
	}
}

// signedSqrt is metabeta's dampening sign(x)·√|x| of prior parameters.
func signedSqrt(x float64) float64 {
	if x < 0 {
		return -math.Sqrt(-x)
	}
	return math.Sqrt(x)
}

// Bounds applied to the Laplace standard deviations used to scale the
// marginal flow target: beyond them the scaling would only amplify
// rounding noise.
const (
	minLaplaceSD = 1e-4
	maxLaplaceSD = 10
)

// clampLaplaceSD bounds a Laplace standard deviation to [minLaplaceSD,
// maxLaplaceSD].
func clampLaplaceSD(sd float64) float64 { return math.Min(math.Max(sd, minLaplaceSD), maxLaplaceSD) }

// prepare standardizes d and prior, finds the Laplace approximation of the
// standardized posterior (estimate.PosteriorLaplace) and builds the group
// tokens and dataset inputs of layout lay. It returns an error when d is
// outside the padded sizes, has correlations and lay no correlation slots,
// or the mode search fails.
func prepare(d *lmm.Design, prior lmm.Prior, lay layout) (*prepared, error) {
	pr, ps, err := prepareMaps(d, prior, lay)
	if err != nil {
		return nil, err
	}
	pr.tokens = make([]float64, pr.m*TokenWidth)
	groupTokens(pr.std, pr.mode, pr.tokens)
	datasetInputs(pr, ps)
	return pr, nil
}

// prepareMaps is the part of prepare that needs no network input: the
// standardization, the Laplace approximation and the maps between u and
// θ. It also returns the standardized prior.
func prepareMaps(d *lmm.Design, prior lmm.Prior, lay layout) (*prepared, lmm.Prior, error) {
	if err := d.Validate(); err != nil {
		return nil, lmm.Prior{}, fmt.Errorf("estimator: design: %w", err)
	}
	if err := prior.Check(d); err != nil {
		return nil, lmm.Prior{}, fmt.Errorf("estimator: prior: %w", err)
	}
	p, q, m, n := d.P(), d.Q(), d.M(), d.N()
	if p > MaxP || q > MaxQ {
		return nil, lmm.Prior{}, fmt.Errorf("estimator: design has P=%d, Q=%d; the network supports P ≤ %d, Q ≤ %d", p, q, MaxP, MaxQ)
	}
	ncor := d.NCor()
	if ncor > 0 && !lay.cor {
		return nil, lmm.Prior{}, errNoCorrelations
	}
	whitened := lay.whitened
	ds, sc := estimate.Standardize(d)
	ps := sc.Prior(prior)
	post := lmm.NewCollapsed(ds, ps)
	lap, _, err := estimate.PosteriorLaplace(post, nil, estimate.Settings{})
	if err != nil {
		return nil, lmm.Prior{}, fmt.Errorf("estimator: posterior mode: %w", err)
	}
	mode := lap.Mean
	var soft, logScale []float64
	if lay.softplus {
		logScale = lap.SD(make([]float64, len(mode)))
		if soft, lap, err = softplusLaplace(lap, p, q); err != nil {
			return nil, lmm.Prior{}, fmt.Errorf("estimator: softplus coordinates of the Laplace approximation: %w", err)
		}
	}
	dim := p + q + 1 + ncor
	pr := &prepared{p: p, q: q, m: m, n: n, ncor: ncor, lay: lay, fd: lay.flowDim(), scaling: sc, lap: lap, whitened: whitened,
		slot: make([]int, dim), centre: lap.Mean, mode: mode, softplus: soft, scale: lap.SD(make([]float64, dim)), std: ds, post: post}
	pr.inputCentre, pr.inputScale = pr.centre, pr.scale
	if soft != nil {
		pr.inputCentre, pr.inputScale = make([]float64, dim), make([]float64, dim)
		for i, a := range soft {
			pr.inputCentre[i], pr.inputScale[i] = pr.centre[i], pr.scale[i]
			if !math.IsNaN(a) {
				pr.inputCentre[i], pr.inputScale[i] = mode[i], logScale[i]
			}
		}
	}
	for i := range pr.scale {
		pr.scale[i] = clampLaplaceSD(pr.scale[i])
		pr.inputScale[i] = clampLaplaceSD(pr.inputScale[i])
	}
	pr.jac = pr.scale
	if whitened && lap.Diagonal {
		// No full curvature (−H not negative definite: the mode search
		// failed, typically with fewer rows than parameters): whiten by
		// the clamped marginal SDs, as the marginal variable does, rather
		// than by inverse diagonal curvatures that can be arbitrarily
		// small.
		cov := make([]float64, dim*dim)
		for i, s := range pr.scale {
			cov[i*dim+i] = s * s
		}
		if pr.lap, err = estimate.NewLaplace(lap.Mean, cov); err != nil {
			return nil, lmm.Prior{}, fmt.Errorf("estimator: diagonal Laplace approximation: %w", err)
		}
		pr.lap.Diagonal = true
	}
	if whitened {
		lap = pr.lap
		pr.centre = lap.Mean
		pr.jac = make([]float64, dim)
		for i := range pr.jac {
			pr.jac[i] = lap.Chol[i*dim+i]
		}
	}
	for _, ng := range d.GroupSizes() {
		pr.maxGroup = max(pr.maxGroup, ng)
	}
	pr.logDetToTheta = sc.LogJacobian()
	for i := range pr.slot {
		pr.slot[i] = slotOf(i, p, q)
		pr.mask[pr.slot[i]] = true
		pr.logDetToTheta -= math.Log(pr.jac[i])
	}
	return pr, ps, nil
}

// errNoCorrelations is returned for a design with correlated random effects
// (two or more) when the model has no correlation slots.
var errNoCorrelations = errors.New("estimator: this model was not trained on correlated random effects; use a model trained with correlations, uncorrelated terms (1 + x || g), or another method")

// errNoCurvature is returned for a dataset whose posterior has no full
// curvature at the Laplace mode when the model is whitened: training drops
// such datasets (about 1 in 2,400 simulated ones, e.g. more parameters than
// rows), so the network has not seen them.
var errNoCurvature = errors.New("estimator: the log posterior's Hessian at the mode is not negative definite; the whitened network is trained only on datasets where it is")

// untrained returns errNoCurvature when pr is a whitened dataset without
// full curvature at its mode, and nil otherwise.
func (pr *prepared) untrained() error {
	if pr.whitened && pr.lap.Diagonal {
		return errNoCurvature
	}
	return nil
}

// groupTokens writes one token per group of the standardized design ds:
// √n_g/10, log n_g/4, asinh of the group's mean y, mean y², mean residual
// and mean squared residual at the Laplace mode's fixed effects, then per
// column slot c: asinh mean x_c, asinh mean x_c·y, presence, random flag,
// and asinh mean x_c·x_c' for c ≤ c'.
func groupTokens(ds *lmm.Design, mode []float64, tokens []float64) {
	p, m := ds.P(), ds.M()
	beta := make([]float64, p)
	lmm.NewCentred(ds).ToOriginal(beta, mode[:p])
	isRandom := make([]bool, p)
	for _, c := range ds.RandomCol {
		isRandom[c] = true
	}
	count := make([]int, m)
	for i, g := range ds.G {
		count[g]++
		t := tokens[g*TokenWidth:]
		x := ds.X[i*p : (i+1)*p]
		y := ds.Y[i]
		r := y
		for c, v := range x {
			r -= v * beta[c]
		}
		t[2] += y
		t[3] += y * y
		t[4] += r
		t[5] += r * r
		for c, v := range x {
			t[6+c] += v
			t[6+MaxP+c] += v * y
		}
		k := 6 + 4*MaxP
		for c := 0; c < MaxP; c++ {
			for c2 := c; c2 < MaxP; c2++ {
				if c2 < p {
					t[k] += x[c] * x[c2]
				}
				k++
			}
		}
	}
	for g := 0; g < m; g++ {
		t := tokens[g*TokenWidth : (g+1)*TokenWidth]
		ng := float64(count[g])
		if count[g] == 0 {
			continue
		}
		for j := 2; j < TokenWidth; j++ {
			t[j] = math.Asinh(t[j] / ng)
		}
		t[0] = math.Sqrt(ng) / 10
		t[1] = math.Log(ng) / 4
		for c := 0; c < MaxP; c++ {
			if c < p {
				t[6+2*MaxP+c] = 1
				if isRandom[c] {
					t[6+3*MaxP+c] = 1
				}
			}
		}
	}
}

// datasetInputs writes the dataset-level inputs of pr from the
// standardized prior ps.
func datasetInputs(pr *prepared, ps lmm.Prior) {
	pr.extras = make([]float64, pr.lay.extraWidth())
	e, fd := pr.extras, pr.fd
	for j := 0; j < pr.p; j++ {
		e[j] = signedSqrt(ps.BetaMean[j])
		e[MaxP+j] = math.Sqrt(ps.BetaSD[j])
	}
	for k := 0; k < pr.q; k++ {
		e[2*MaxP+k] = math.Sqrt(ps.SDScale[k])
	}
	e[2*MaxP+MaxQ] = math.Sqrt(ps.SigmaScale)
	o := 2*MaxP + MaxQ + 1
	e[o] = math.Sqrt(float64(pr.m)) / 10
	e[o+1] = math.Sqrt(float64(pr.n)) / 10
	o += 2
	if pr.lay.cor {
		if pr.ncor > 0 {
			e[o] = 1
			e[o+1] = math.Log(ps.LKJ)
		}
		o += 2
	}
	for i, s := range pr.slot {
		e[o+s] = math.Max(-5, math.Min(5, pr.inputCentre[i]/3))
		e[o+fd+s] = math.Log(pr.inputScale[i]) / 3
		e[o+2*fd+s] = 1
	}
	if pr.whitened {
		o += 3 * fd
		dim := len(pr.slot)
		cov := pr.lap.Cov
		for i, s := range pr.slot {
			e[o+s] = math.Max(-5, math.Min(5, math.Log(pr.jac[i])/3))
			for j, t := range pr.slot[:i] {
				e[o+fd+s*(s-1)/2+t] = cov[i*dim+j] / math.Sqrt(cov[i*dim+i]*cov[j*dim+j])
			}
		}
	}
	if pr.lay.probes {
		pr.shapeProbes(e[pr.lay.extraWidthWithoutProbes():])
	}
}

// shapeProbes writes, for every flow slot s of θ index i and offset t_k of
// ProbeOffsets, asinh(log p(θ̂' + t_k a_i) − log p(θ̂') + t_k²/2)/3 into
// dst[k·fd + s], clamped to [−5, 5] (−5 where the density is not finite):
// the departure of the exact log posterior from the Gaussian that the flow's
// base assumes, along the axis a_i that u_i moves (Config.ShapeProbes).
// Padded slots stay zero.
func (pr *prepared) shapeProbes(dst []float64) {
	theta := make([]float64, len(pr.slot))
	u := make([]float64, pr.fd)
	at := func(s int, t float64) float64 { // log p of the flow coordinates, up to a constant
		clear(u)
		u[s] = t
		ld := pr.standardized(u, theta)
		return pr.post.LogDensity(theta) + ld
	}
	lp0 := at(0, 0)
	for _, s := range pr.slot {
		for k, t := range ProbeOffsets {
			v := math.Asinh(at(s, t)-lp0+t*t/2) / 3
			if math.IsNaN(v) {
				v = -5
			}
			dst[k*pr.fd+s] = math.Max(-5, math.Min(5, v))
		}
	}
}

// target writes the flow variable u for the original collapsed θ into u
// (length pr.fd; padded slots zero): u = (θ' − θ̂')/ŝ (marginal) or
// L̂⁻¹(θ' − θ̂') (whitened), in flow slots, θ' with its σ_b entries in
// softplus coordinates when the layout has them. It sets pr.targetLogDet
// to their Σ log h'(w_i), and returns it.
func (pr *prepared) target(theta, u []float64) float64 {
	thStd := pr.scaling.Theta(make([]float64, len(theta)), theta)
	pr.targetLogDet = softplusToFlow(thStd, pr.softplus)
	clear(u)
	if pr.whitened {
		pr.lap.Whiten(thStd, thStd)
		for i, s := range pr.slot {
			u[s] = thStd[i]
		}
		return pr.targetLogDet
	}
	for i, s := range pr.slot {
		u[s] = (thStd[i] - pr.centre[i]) / pr.scale[i]
	}
	return pr.targetLogDet
}

// toTheta writes the original collapsed θ for the flow variable u and
// returns Σ log h'(w_i) of its softplus coordinates (standardized).
func (pr *prepared) toTheta(u, theta []float64) float64 {
	ld := pr.standardized(u, theta)
	pr.scaling.UnTheta(theta, theta)
	return ld
}

// standardized writes the standardized θ' for the flow variable u (fd
// slots): θ̂' + L̂u (whitened) or θ̂' + ŝ ⊙ u (marginal), its σ_b entries
// mapped back from softplus coordinates when the layout has them, and
// returns their Σ log h'(w_i), the part of log|det ∂θ'/∂u| that varies
// with u (0 without them).
func (pr *prepared) standardized(u, theta []float64) float64 {
	if pr.whitened {
		dim := len(pr.slot)
		l := pr.lap.Chol
		for i := dim - 1; i >= 0; i-- { // theta is not read, so any order
			v := pr.centre[i]
			for k, s := range pr.slot[:i+1] {
				v += l[i*dim+k] * u[s]
			}
			theta[i] = v
		}
	} else {
		for i, s := range pr.slot {
			theta[i] = pr.centre[i] + pr.scale[i]*u[s]
		}
	}
	return softplusFromFlow(theta, pr.softplus)
}
