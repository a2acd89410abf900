package estimator

import (
	"testing"

	"github.com/metabeta-go/metabeta/lmm"
	"github.com/metabeta-go/metabeta/npe/nn"
)

// BenchmarkSampleSleepstudy is single-dataset inference with the default
// architecture (untrained weights; the cost does not depend on their values):
// standardization, Laplace mode, summary network and 1000 flow draws, each
// with an exact draw of the 36 random effects. "marginal" is the
// architecture of the model shipped before the whitened flow variable
// (testdata/models/default.mbw at e8e4947), "whitened" that of the model
// shipped after it (c4f46ba), "whitened+cor" that of TrainDefault, with
// correlation slots, on the same uncorrelated design, and
// "whitened+cor/correlated" the same model on sleepstudy with correlated
// random effects, (1 + Days | Subject), and "whitened+cor+probes"
// that layout with shape probes (Config.ShapeProbes),
// "whitened+cor+probes+marginal" with the marginal spline as well
// (Config.MarginalSpline), and "whitened+cor+probes+marginal+tail" with
// the base tail (Config.BaseTail), the architecture of the model 40720ce1
// (2 set-attention blocks, 6 coupling steps); "shipped" is the model that
// TrainDefault's recipe trains, with its fine-tuning stage's additions. All
// run in one invocation so that their ratios are measured on one machine
// under one load; make bench-npe adds the issue-time code beside them.
func BenchmarkSampleSleepstudy(b *testing.B) {
	for _, name := range benchVariants {
		b.Run(name, func(b *testing.B) {
			m := New(benchConfig(name), newRand(1))
			d, pr := sleepstudy(b)
			if name == benchCorrelated {
				c := *d
				c.Correlated, pr.LKJ = true, 1
				d = &c
			}
			rng := newRand(2)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := m.Sample(d, pr, 1000, rng); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSampleBatch is batched inference over 64 simulated datasets with
// 100 draws each (the validation setting), reported as datasets/s, for the
// variants of BenchmarkSampleSleepstudy: the first 64 uncorrelated datasets
// of seed 3, and for "whitened+cor/correlated" the first 64 datasets,
// correlated or not.
func BenchmarkSampleBatch(b *testing.B) {
	for _, name := range benchVariants {
		b.Run(name, func(b *testing.B) {
			m := New(benchConfig(name), newRand(1))
			s := newDefaultSimulator(b)
			const n = 64
			var ds []*lmm.Design
			var prs []lmm.Prior
			for i := 0; len(ds) < n; i++ {
				smp, err := s.Sample(3, i)
				if err != nil {
					b.Fatal(err)
				}
				if smp.Design.NCor() > 0 && name != benchCorrelated {
					continue
				}
				ds, prs = append(ds, smp.Design), append(prs, smp.Prior)
			}
			rng := newRand(2)
			b.ReportAllocs()
			for b.Loop() {
				if _, errs := m.SampleBatch(ds, prs, 100, rng); errs != nil {
					b.Fatal(errs)
				}
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "datasets/s")
		})
	}
}

// Variants of the sampling benchmarks: the flow variables without
// correlation slots, TrainDefault's layout on uncorrelated designs and on
// correlated ones, and that layout with shape probes (Config.ShapeProbes).
const (
	benchCor        = "whitened+cor"
	benchCorrelated = "whitened+cor/correlated"
	benchProbes     = "whitened+cor+probes"
	benchMarginal   = "whitened+cor+probes+marginal"
	benchTail       = "whitened+cor+probes+marginal+tail"
	benchShipped    = "shipped"
)

var benchVariants = []string{FlowMarginal, FlowWhitened, benchCor, benchCorrelated, benchProbes, benchMarginal, benchTail, benchShipped}

// benchConfig is the architecture of a benchmark variant. The named
// layouts are pinned to DefaultConfig's network (2 set-attention blocks, 6
// coupling steps), so that a change of TrainDefault moves only "shipped".
func benchConfig(v string) Config {
	cfg := DefaultConfig()
	switch v {
	case benchShipped:
		r := TrainDefault()
		return r.FineTune.Apply(r.Config)
	case FlowMarginal, FlowWhitened:
		cfg.FlowVariable = v
		return cfg
	}
	cfg.FlowVariable, cfg.Correlations = FlowWhitened, true
	cfg.ShapeProbes = v == benchProbes || v == benchMarginal || v == benchTail
	cfg.MarginalSpline = v == benchMarginal || v == benchTail
	cfg.BaseTail = v == benchTail
	return cfg
}

// BenchmarkTrainStep is one training step of the default architecture at
// batch 64: simulation and preparation of 64 datasets in parallel, forward,
// backward and the AdamW update.
func BenchmarkTrainStep(b *testing.B) {
	benchTrain(b, DefaultConfig(), 64)
}

// BenchmarkTrainStepRecipe is BenchmarkTrainStep for TrainDefault's
// architecture (whitened, with correlation slots) on the default
// simulator, correlated datasets included.
func BenchmarkTrainStepRecipe(b *testing.B) {
	benchTrain(b, TrainDefault().Config, 64)
}

// BenchmarkTrainStepReverseKL is BenchmarkTrainStepRecipe with shape
// probes, the marginal spline and the reverse-KL term (Config.ReverseKL,
// 8 draws per dataset): the cost of the extra flow rows and exact
// densities.
func BenchmarkTrainStepReverseKL(b *testing.B) {
	cfg := TrainDefault().Config
	cfg.ShapeProbes, cfg.MarginalSpline, cfg.ReverseKL = true, true, 0.1
	benchTrain(b, cfg, 64)
}

// BenchmarkTrainStepFineTune is BenchmarkTrainStepRecipe under the
// objective of TrainDefault's fine-tuning stage: the reverse-KL term from
// 16 draws per dataset with the base widened (Config.KLProposalScale).
func BenchmarkTrainStepFineTune(b *testing.B) {
	r := TrainDefault()
	benchTrain(b, r.FineTune.Apply(r.Config), 64)
}

// BenchmarkTrainStepLocalTokens is BenchmarkTrainStep with metabeta's
// observation-level local set transformer instead of the group-statistics
// tokens (Config.Tokens "local"), the cost side of that ablation.
func BenchmarkTrainStepLocalTokens(b *testing.B) {
	cfg := DefaultConfig()
	cfg.Tokens = "local"
	benchTrain(b, cfg, 64)
}

// BenchmarkTrainStepNetworkOnly is the network part of a training step
// (forward, backward, update) on a fixed prepared batch of 64.
func BenchmarkTrainStepNetworkOnly(b *testing.B) {
	m := New(DefaultConfig(), newRand(1))
	ex, _ := simulateExamples(newDefaultSimulator(b), layout{}, 1, 0, 64, widening{})
	preps, u := batchOf(ex, FlowDim)
	params := m.Params()
	opt := nn.NewAdamW(params, 1e-5)
	b.ReportAllocs()
	for b.Loop() {
		nn.ZeroGrads(params)
		if _, err := m.nll(preps, u, true); err != nil {
			b.Fatal(err)
		}
		opt.Step(1e-4)
	}
	b.ReportMetric(float64(len(ex)*b.N)/b.Elapsed().Seconds(), "datasets/s")
}

// BenchmarkPrepare is the per-dataset preprocessing (simulation excluded):
// standardization, Laplace mode and curvature, group tokens.
func BenchmarkPrepare(b *testing.B) {
	s := newDefaultSimulator(b)
	const n = 32
	smps := make([]*lmm.Design, n)
	prs := make([]lmm.Prior, n)
	for i := range smps {
		smp, err := s.Sample(3, i)
		if err != nil {
			b.Fatal(err)
		}
		smps[i], prs[i] = smp.Design, smp.Prior
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := prepare(smps[i%n], prs[i%n], layout{}); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func benchTrain(b *testing.B, cfg Config, batch int) {
	m := New(cfg, newRand(1))
	s := newDefaultSimulator(b)
	params := m.Params()
	opt := nn.NewAdamW(params, cfg.WeightDecay)
	b.ReportAllocs()
	step := 0
	for b.Loop() {
		ex, _ := simulateExamples(s, m.Config.layout(), 1, step*batch, batch, widening{})
		preps, u := batchOf(ex, m.Config.flowDim())
		nn.ZeroGrads(params)
		if cfg.ReverseKL > 0 {
			m.klRNG = newRand(uint64(step))
		}
		if _, err := m.nll(preps, u, true); err != nil {
			b.Fatal(err)
		}
		opt.Step(1e-4)
		step++
	}
	b.ReportMetric(float64(batch*b.N)/b.Elapsed().Seconds(), "datasets/s")
}

// BenchmarkImportanceSample is the npe-is step on sleepstudy: 1000 exact
// collapsed log densities, Pareto smoothing and resampling (the NPE draws
// themselves are taken once, outside the loop).
func BenchmarkImportanceSample(b *testing.B) {
	m := New(DefaultConfig(), newRand(1))
	d, pr := sleepstudy(b)
	post, err := m.Sample(d, pr, 1000, newRand(2))
	if err != nil {
		b.Fatal(err)
	}
	rng := newRand(3)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ImportanceSample(d, pr, post, post.N, rng); err != nil {
			b.Fatal(err)
		}
	}
}
