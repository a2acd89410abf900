package diagnostics

import (
	"math/rand/v2"
	"testing"
)

func BenchmarkSummarize(b *testing.B) {
	rng := rand.New(rand.NewPCG(4, 1))
	chains := normalChains(rng, 4, 1000, 0.5, nil)
	b.ReportAllocs()
	for b.Loop() {
		Summarize(chains)
	}
}
