package reports

import (
	"io"
	"testing"
)

// BenchmarkRender renders the golden sample table with each renderer.
func BenchmarkRender(b *testing.B) {
	cases := []struct {
		name string
		r    Renderer
	}{
		{"text", TextRenderer{}},
		{"markdown", MarkdownRenderer{}},
		{"latex", LaTeXRenderer{}},
		{"csv", CSVRenderer{}},
		{"json", JSONRenderer{}},
		{"html", HTMLRenderer{}},
	}
	tab := sampleTable()
	for _, c := range cases {
		b.Run("renderer="+c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := c.r.Render(io.Discard, tab); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkEncodePlot builds a rank histogram and draws it as SVG and PNG.
func BenchmarkEncodePlot(b *testing.B) {
	for _, format := range []string{"svg", "png"} {
		b.Run("format="+format, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p, err := RankHistogramPlot(RankHistogram{Param: "β₀", Counts: []int{9, 11, 10, 12, 8}, Lo: 4, Hi: 17, Level: 0.99})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := Encode(p, 0, 0, format); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
