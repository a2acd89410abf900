package estimator

import (
	"fmt"
	"math/rand/v2"
	"sync"

	"github.com/metabeta-go/metabeta/npe/flow"
	"github.com/metabeta-go/metabeta/npe/nn"
)

// Model is the neural posterior estimator: a set transformer over group
// tokens, a context MLP and a conditional flow over the padded, Laplace-
// centred θ (see the package documentation). A Model holds per-call buffers
// and is not safe for concurrent use.
type Model struct {
	// Config is the architecture with defaults filled in.
	Config Config

	summary *nn.SetTransformer
	context *nn.Sequential
	flow    *flow.Flow
	// flowReps are the idle replicas of flow for the parallel chunks of
	// sampling (takeFlow, putFlow), guarded by flowMu.
	flowReps []*flow.Flow
	flowMu   sync.Mutex
	// ctxReps share m's summary and context networks, for SampleBatch's
	// contexts computed in parallel (contextsOf).
	ctxReps []*Model
	// local is the observation-level set transformer of Config.Tokens
	// "local" and "both"; nil for the default group statistics.
	local *nn.SetTransformer

	// batch buffers
	tokens  []float64
	tokMask []bool
	ctxIn   []float64
	dimMask []bool
	u       []float64
	logq    []float64
	w       []float64
	dctx    []float64
	dsum    []float64
	order   []int
	runs    [][]int
	sub     []*prepared
	subU    []float64

	// Reverse-KL training (Config.ReverseKL): klRNG draws the flow samples
	// of the next training pass (set by the trainer every step), the kl
	// buffers hold klPass's rows, and lastKLWeights the draws' weights of
	// the last pass (for tests).
	klRNG                        *rand.Rand
	klX, klLogQ, klLogP          []float64
	klCtx, klDctx, lastKLWeights []float64
	klMask                       []bool

	// local-token buffers and the batch of the last contextOf
	ctxBatch []*prepared
	tokS     int
	obs      []float64
	obsMask  []bool
	cursor   []int
	dpooled  []float64
}

// New returns a model of architecture cfg (zero fields take
// DefaultConfig's values) with weights initialized from rng (nil: left
// zero, for LoadBytes, which overwrites them). It panics on an invalid cfg,
// a programmer error.
func New(cfg Config, rng *rand.Rand) *Model {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		panic(err.Error())
	}
	m := &Model{Config: cfg}
	m.summary = nn.NewSetTransformer("summary", nn.SetTransformerConfig{
		In: cfg.groupTokenWidth(), Width: cfg.Width, Heads: cfg.Heads, Hidden: cfg.Hidden,
		Blocks: cfg.Blocks, Out: cfg.SummaryOut,
	}, rng)
	m.context = nn.NewMLP("context", []int{cfg.SummaryOut + cfg.extraWidth(), cfg.ContextHidden, cfg.Context}, "gelu", rng)
	m.flow = flow.New(cfg.flowConfig(), rng)
	if cfg.Tokens != "" {
		m.local = nn.NewSetTransformer("local", nn.SetTransformerConfig{
			In: LocalWidth, Width: cfg.Width, Heads: cfg.Heads, Hidden: cfg.Hidden,
			Blocks: cfg.LocalBlocks, Out: cfg.Width,
		}, rng)
	}
	return m
}

// Params returns every trainable parameter in a fixed order: summary,
// context, flow, then the local set transformer if any.
func (m *Model) Params() []*nn.Param {
	ps := append([]*nn.Param{}, m.summary.Params()...)
	ps = append(ps, m.context.Params()...)
	ps = append(ps, m.flow.Params()...)
	if m.local != nil {
		ps = append(ps, m.local.Params()...)
	}
	return ps
}

// NumParams returns the number of trainable scalars.
func (m *Model) NumParams() int { return nn.NumParams(m.Params()) }

// contextOf runs the summary network and the context MLP on a batch of
// prepared datasets and returns the flow context (len(batch) × Context rows,
// model-owned).
func (m *Model) contextOf(batch []*prepared) []float64 {
	b := len(batch)
	s := 1
	for _, pr := range batch {
		s = max(s, pr.m)
	}
	m.ctxBatch = batch
	m.fillGroupTokens(batch, s)
	sum := m.summary.Forward(m.tokens, b, s, m.tokMask)
	so := m.Config.SummaryOut
	in := so + m.Config.extraWidth()
	m.ctxIn = grow(m.ctxIn, b*in)
	for i, pr := range batch {
		copy(m.ctxIn[i*in:], sum[i*so:(i+1)*so])
		copy(m.ctxIn[i*in+so:], pr.extras)
	}
	return m.context.Forward(m.ctxIn, b)
}

// logProb writes log q_u(u_r | dataset r) for the batch (u row-major,
// len(batch) × the flow dimension, padded slots ignored) into dst; the caches are kept
// for backward.
func (m *Model) logProb(dst []float64, batch []*prepared, u []float64) {
	ctx := m.contextOf(batch)
	m.fillDimMask(batch, 1)
	m.flow.LogProb(dst, u, ctx, m.dimMask, len(batch))
}

// fillDimMask writes the flow mask of each dataset, repeated reps times.
func (m *Model) fillDimMask(batch []*prepared, reps int) {
	fd := m.Config.flowDim()
	m.dimMask = growBool(m.dimMask, len(batch)*reps*fd)
	for i, pr := range batch {
		for r := 0; r < reps; r++ {
			copy(m.dimMask[(i*reps+r)*fd:], pr.mask[:fd])
		}
	}
}

// backward accumulates the gradient of Σ_r w_r log q_u(u_r) for the last
// logProb into the parameters' Grad buffers.
func (m *Model) backward(w []float64, b int) {
	m.dctx = grow(m.dctx, b*m.Config.Context)
	clear(m.dctx)
	m.flow.Backward(nil, m.dctx, w)
	m.contextBackward(b)
}

// contextBackward back-propagates m.dctx, the gradient with respect to the
// b contexts of the last contextOf, through the context MLP and the
// summary network.
func (m *Model) contextBackward(b int) {
	din := m.context.Backward(m.dctx[:b*m.Config.Context])
	so := m.Config.SummaryOut
	in := so + m.Config.extraWidth()
	m.dsum = grow(m.dsum, b*so)
	for i := 0; i < b; i++ {
		copy(m.dsum[i*so:(i+1)*so], din[i*in:i*in+so])
	}
	dtok := m.summary.Backward(m.dsum)
	if m.local != nil {
		m.localBackward(m.ctxBatch, dtok)
	}
}

// tokenBudget bounds the padded tokens (sets × longest set) of one
// sub-batch of nll: datasets are sorted by their number of groups and cut
// into runs whose padded size stays within it, so short sets are not padded
// to the longest set of the whole batch (m ranges over 5–200).
const tokenBudget = 2048

// nll returns the mean negative log density −(1/B) Σ log q(θ'_r) of the
// standardized targets of a batch (u in flow slots, plus the log-Jacobian
// Σ log jac_i of the map u → θ'), over its B datasets that are not widened
// (prepared.widened), and, when train is true, accumulates the gradient of
// the training loss. The batch is processed in sub-batches of similar set
// sizes (see tokenBudget); the order depends only on the batch, so the
// result is deterministic.
func (m *Model) nll(batch []*prepared, u []float64, train bool) (float64, error) {
	b, fd := len(batch), m.Config.flowDim()
	total := 0.0
	for _, run := range m.bySetSize(batch) {
		m.sub, m.subU = m.sub[:0], m.subU[:0]
		for _, i := range run {
			m.sub = append(m.sub, batch[i])
			m.subU = append(m.subU, u[i*fd:(i+1)*fd]...)
		}
		v, err := m.subNLL(m.sub, m.subU, b, train)
		if err != nil {
			return 0, err
		}
		total += v
	}
	kept := 0
	for _, pr := range batch {
		if !pr.widened {
			kept++
		}
	}
	return total / float64(max(kept, 1)), nil
}

// bySetSize returns the indices of batch sorted by number of groups (ties
// by index) and cut into runs of at most tokenBudget padded tokens. The
// result is model-owned and valid until the next call.
func (m *Model) bySetSize(batch []*prepared) [][]int {
	m.order = m.order[:0]
	for i := range batch {
		m.order = append(m.order, i)
	}
	order := m.order
	// Insertion sort: stable, allocation-free, and batches are small.
	for i := 1; i < len(order); i++ {
		for j := i; j > 0 && batch[order[j-1]].m > batch[order[j]].m; j-- {
			order[j-1], order[j] = order[j], order[j-1]
		}
	}
	m.runs = m.runs[:0]
	for lo := 0; lo < len(order); {
		hi := lo + 1
		groups, nmax := batch[order[lo]].m, batch[order[lo]].maxGroup
		for hi < len(order) && (hi-lo+1)*batch[order[hi]].m <= tokenBudget {
			next := batch[order[hi]]
			if m.local != nil && (groups+next.m)*max(nmax, next.maxGroup) > localBudget {
				break
			}
			groups, nmax = groups+next.m, max(nmax, next.maxGroup)
			hi++
		}
		m.runs = append(m.runs, order[lo:hi])
		lo = hi
	}
	return m.runs
}

// subNLL returns −Σ log q(θ'_r) over one sub-batch and, when train is true,
// accumulates the gradient of −(1/total) times it.
func (m *Model) subNLL(batch []*prepared, u []float64, total int, train bool) (float64, error) {
	if train && m.Config.ReverseKL > 0 && m.klRNG != nil {
		return m.klPass(batch, u, total, m.klRNG)
	}
	b := len(batch)
	m.logq = grow(m.logq, b)
	m.logProb(m.logq, batch, u)
	sum, err := targetNLL(batch, m.logq)
	if err != nil {
		return 0, err
	}
	if train {
		m.w = grow(m.w, b)
		truthWeights(m.w[:b], batch, total)
		m.backward(m.w[:b], b)
	}
	return sum, nil
}

// truthWeights writes the weights of the true targets' log q in the
// training loss, −1/total each, or 0 for a widened dataset
// (prepared.widened), whose truth is no draw from its stated prior.
func truthWeights(w []float64, batch []*prepared, total int) {
	for i, pr := range batch {
		w[i] = -1 / float64(total)
		if pr.widened {
			w[i] = 0
		}
	}
}

// targetNLL returns −Σ_i log q(θ'_i) of a batch's true targets from their
// flow densities logq[i] (log q_u, less the log-Jacobian Σ log jac of the
// map u → θ' and that of the softplus coordinates, prepared.targetLogDet),
// or an error when one is not finite. Widened datasets
// (prepared.widened) are left out of the sum.
func targetNLL(batch []*prepared, logq []float64) (float64, error) {
	sum := 0.0
	for i, pr := range batch {
		if pr.widened {
			continue
		}
		lq := logq[i] - pr.targetLogDet
		for _, s := range pr.jac {
			lq -= log(s)
		}
		if !isFinite(lq) {
			return 0, fmt.Errorf("estimator: non-finite log density for a dataset with %d groups", pr.m)
		}
		sum -= lq
	}
	return sum, nil
}

func grow(x []float64, n int) []float64 {
	if cap(x) < n {
		return make([]float64, n)
	}
	return x[:n]
}

func growBool(x []bool, n int) []bool {
	if cap(x) < n {
		return make([]bool, n)
	}
	return x[:n]
}
