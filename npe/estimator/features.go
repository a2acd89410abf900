package estimator

import (
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
)

// prepared is one dataset turned into network inputs, in standardized
// units, together with the affine map from the flow's variable u to the
// original collapsed θ:
//
//	θ'_i = θ̂'_i + ŝ_i u_slot(i),  θ = Scaling⁻¹(θ')  (estimate.Scaling),
//
// so log q(θ) = log q_u(u) − Σ log ŝ_i + log|det ∂θ'/∂θ|.
type prepared struct {
	p, q, m, n int
	maxGroup   int       // observations in the largest group
	tokens     []float64 // m × TokenWidth
	extras     []float64 // ExtraWidth
	mask       [FlowDim]bool
	slot       []int // slot of θ index i
	centre     []float64
	scale      []float64
	// logDetToTheta is log|det ∂u/∂θ| = Σ log A_i − Σ log ŝ_i, added to
	// log q_u to obtain the density of the original θ.
	logDetToTheta float64
	scaling       estimate.Scaling
	// std is the standardized design, for the observation-level tokens of
	// Config.Tokens "local" and "both".
	std *lmm.Design
}

// slotOf returns the padded flow slot of index i of θ = [β (P), log σ_b
// (Q), log σ].
func slotOf(i, p, q int) int {
	switch {
	case i < p:
		return i
	case i < p+q:
		return MaxP + i - p
	default:
		return FlowDim - 1
	}
}

// signedSqrt is metabeta's dampening sign(x)·√|x| of prior parameters.
func signedSqrt(x float64) float64 {
	if x < 0 {
		return -math.Sqrt(-x)
	}
	return math.Sqrt(x)
}

// prepare standardizes d and prior, finds the Laplace approximation of the
// standardized posterior and builds the group tokens and dataset inputs.
// It returns an error when d is outside the padded sizes or the mode search
// fails.
func prepare(d *lmm.Design, prior lmm.Prior) (*prepared, error) {
	if err := d.Validate(); err != nil {
		return nil, fmt.Errorf("estimator: design: %w", err)
	}
	if err := prior.Check(d); err != nil {
		return nil, fmt.Errorf("estimator: prior: %w", err)
	}
	p, q, m, n := d.P(), d.Q(), d.M(), d.N()
	if p > MaxP || q > MaxQ {
		return nil, fmt.Errorf("estimator: design has P=%d, Q=%d; the network supports P ≤ %d, Q ≤ %d", p, q, MaxP, MaxQ)
	}
	ds, sc := estimate.Standardize(d)
	ps := sc.Prior(prior)
	lap, err := findLaplace(lmm.NewCollapsed(ds, ps))
	if err != nil {
		return nil, err
	}
	pr := &prepared{p: p, q: q, m: m, n: n, scaling: sc,
		tokens: make([]float64, m*TokenWidth), extras: make([]float64, ExtraWidth),
		slot: make([]int, p+q+1), centre: lap.Mode, scale: lap.SD, std: ds}
	for _, ng := range d.GroupSizes() {
		pr.maxGroup = max(pr.maxGroup, ng)
	}
	pr.logDetToTheta = sc.LogJacobian()
	for i := range pr.slot {
		pr.slot[i] = slotOf(i, p, q)
		pr.mask[pr.slot[i]] = true
		pr.logDetToTheta -= math.Log(lap.SD[i])
	}
	groupTokens(ds, lap.Mode, pr.tokens)
	datasetInputs(pr, ps)
	return pr, nil
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
	e := pr.extras
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
	for i, s := range pr.slot {
		e[o+s] = math.Max(-5, math.Min(5, pr.centre[i]/3))
		e[o+FlowDim+s] = math.Log(pr.scale[i]) / 3
		e[o+2*FlowDim+s] = 1
	}
}

// target writes u = (θ' − θ̂')/ŝ in flow slots for the original collapsed θ
// into u (length FlowDim; padded slots zero).
func (pr *prepared) target(theta, u []float64) {
	thStd := pr.scaling.Theta(make([]float64, len(theta)), theta)
	clear(u)
	for i, s := range pr.slot {
		u[s] = (thStd[i] - pr.centre[i]) / pr.scale[i]
	}
}

// toTheta writes the original collapsed θ for the flow variable u.
func (pr *prepared) toTheta(u, theta []float64) {
	for i, s := range pr.slot {
		theta[i] = pr.centre[i] + pr.scale[i]*u[s]
	}
	pr.scaling.UnTheta(theta, theta)
}
