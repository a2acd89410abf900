package sim

import (
	"io"
	"testing"
)

// BenchmarkSample draws default datasets (on average about 0.9 thousand
// rows; see the package documentation).
func BenchmarkSample(b *testing.B) {
	s := newSim(b, DefaultConfig())
	b.ReportAllocs()
	rows := 0
	i := 0
	for b.Loop() {
		smp, err := s.Sample(1, i)
		if err != nil {
			b.Fatal(err)
		}
		rows += smp.Design.N()
		i++
	}
	b.ReportMetric(float64(rows)/float64(i), "rows/op")
}

// BenchmarkWriteCSV writes one default dataset.
func BenchmarkWriteCSV(b *testing.B) {
	smp := draw(b, newSim(b, DefaultConfig()), 1, 0)
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteCSV(io.Discard, smp); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLKJCholesky draws a 5×5 factor into a buffer.
func BenchmarkLKJCholesky(b *testing.B) {
	rng := Stream(1, 0)
	l := make([]float64, 25)
	b.ReportAllocs()
	for b.Loop() {
		LKJCholesky(rng, 5, 10, l)
	}
}

// BenchmarkSampleTrainingMix draws datasets of the training mixture
// (TrainingMix), as training does.
func BenchmarkSampleTrainingMix(b *testing.B) {
	c, err := TrainingMix(realFS)
	if err != nil {
		b.Fatal(err)
	}
	s := newSim(b, c)
	b.ReportAllocs()
	rows := 0
	i := 0
	for b.Loop() {
		smp, err := s.Sample(1, i)
		if err != nil {
			b.Fatal(err)
		}
		rows += smp.Design.N()
		i++
	}
	b.ReportMetric(float64(rows)/float64(i), "rows/op")
}
