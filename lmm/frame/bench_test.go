package frame

import (
	"bytes"
	"os"
	"testing"
)

// BenchmarkReadCSV reads mathachieve.csv (7185 rows, 6 columns) from memory.
func BenchmarkReadCSV(b *testing.B) {
	data, err := os.ReadFile("../../testdata/datasets/mathachieve.csv")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ReadCSV(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBuild builds the mathachieve design with two factors.
func BenchmarkBuild(b *testing.B) {
	fr, err := ReadCSVFile("../../testdata/datasets/mathachieve.csv")
	if err != nil {
		b.Fatal(err)
	}
	f, err := ParseFormula("MathAch ~ SES + Sex + Minority + MEANSES + (1 + SES || School)")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Build(fr, f); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseFormula parses a typical formula.
func BenchmarkParseFormula(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseFormula("normexam ~ standLRT + vr + sex + (1 + standLRT || school)"); err != nil {
			b.Fatal(err)
		}
	}
}
