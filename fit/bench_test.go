package fit

import (
	"bytes"
	"context"
	"math/rand/v2"
	"testing"

	metabeta "github.com/metabeta-go/metabeta"
	"github.com/metabeta-go/metabeta/npe/estimator"
)

// BenchmarkFitNPESleepstudy is what `metabeta fit --method npe --chains 1
// --draws 1000` does on sleepstudy once its data and model are loaded: the
// design check, the range check, sampling with random effects and the
// summaries of 5 global parameters and 36 random effects, for untrained
// models of the default architecture with either flow variable (the cost
// does not depend on the weights' values): "marginal" is the architecture
// of the model shipped before the whitened flow variable, "whitened" that
// of estimator.TrainDefault.
func BenchmarkFitNPESleepstudy(b *testing.B) {
	for _, method := range []string{MethodNPE, MethodNPEIS} {
		for _, name := range []string{estimator.FlowMarginal, estimator.FlowWhitened} {
			b.Run(method+"/"+name, func(b *testing.B) {
				m := benchModel(name)
				d, pr := loadSleepstudy(b)
				opt := Options{Method: method, Model: m, NPE: NPEOptions{Draws: 1000, Seed: 1}}
				b.ReportAllocs()
				for b.Loop() {
					if _, err := Fit(context.Background(), d, pr, opt); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkFitNPEColdSleepstudy is BenchmarkFitNPESleepstudy as a process
// of `metabeta fit` meets it: each iteration decodes the model from its
// bytes and fits once, so that first-use costs (buffers, replicas) count.
func BenchmarkFitNPEColdSleepstudy(b *testing.B) {
	for _, name := range []string{estimator.FlowMarginal, estimator.FlowWhitened} {
		b.Run(name, func(b *testing.B) {
			var raw bytes.Buffer
			if err := benchModel(name).Save(&raw); err != nil {
				b.Fatal(err)
			}
			d, pr := loadSleepstudy(b)
			b.ReportAllocs()
			for b.Loop() {
				m, err := estimator.LoadBytes(raw.Bytes())
				if err != nil {
					b.Fatal(err)
				}
				opt := Options{Method: MethodNPE, Model: m, NPE: NPEOptions{Draws: 1000, Seed: 1}}
				if _, err := Fit(context.Background(), d, pr, opt); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLoadDefaultModel is the start-up cost of decoding the embedded
// default model.
func BenchmarkLoadDefaultModel(b *testing.B) {
	raw, err := metabeta.DefaultModel()
	if err != nil {
		b.Skip(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := estimator.LoadBytes(raw); err != nil {
			b.Fatal(err)
		}
	}
}

// benchModel is an untrained model of the default architecture with flow
// variable v.
func benchModel(v string) *estimator.Model {
	cfg := estimator.DefaultConfig()
	cfg.FlowVariable = v
	return estimator.New(cfg, rand.New(rand.NewPCG(1, 1)))
}
