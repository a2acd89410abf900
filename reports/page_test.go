package reports

import (
	"bytes"
	"encoding/base64"
	"image/png"
	"regexp"
	"strings"
	"testing"
)

func TestWriteHTML(t *testing.T) {
	plots := allPlots(t)
	cmp := ComparisonTable("Gate <vs> baseline", "old", "new", []Comparison{
		{Metric: "ESS/s", Old: Estimate{Center: 100, Err: 5}, New: Estimate{Center: 90, Err: 4}, Delta: -0.1, Significant: true},
	})
	page := Page{
		Title: "metabeta & validation",
		Intro: "First paragraph.\n\nSecond paragraph.",
		Sections: []Section{
			{Heading: "Summary", Tables: []*Table{sampleTable(), cmp}},
			{Heading: "Calibration", Figures: []Figure{
				{Plot: plots["ecdf"], Caption: "ECDF difference"},
				{Plot: plots["rank"], Caption: "Rank histogram", Format: "png"},
			}},
		},
	}
	var buf bytes.Buffer
	if err := WriteHTML(&buf, page); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, s := range []string{
		"<!DOCTYPE html>", "<title>metabeta &amp; validation</title>",
		"<strong>Posterior summary</strong>", "<strong>Gate &lt;vs&gt; baseline</strong>",
		"<p>First paragraph.</p>", "<p>Second paragraph.</p>",
		"<figcaption>ECDF difference</figcaption>", "</html>",
	} {
		if !strings.Contains(out, s) {
			t.Errorf("page lacks %q", s)
		}
	}
	// Self-contained: no URL scheme, protocol-relative link or CSS url().
	for _, bad := range []string{"http:", "https:", `src="//`, "url(", "<link", "<script"} {
		if strings.Contains(out, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
	srcs := regexp.MustCompile(`<img src="([^"]*)"`).FindAllStringSubmatch(out, -1)
	if len(srcs) != 2 {
		t.Fatalf("got %d images, want 2", len(srcs))
	}
	if !strings.HasPrefix(srcs[0][1], "data:image/svg+xml;base64,") {
		t.Errorf("first image is not an SVG data URI: %.40s", srcs[0][1])
	}
	const pngPrefix = "data:image/png;base64,"
	if !strings.HasPrefix(srcs[1][1], pngPrefix) {
		t.Fatalf("second image is not a PNG data URI: %.40s", srcs[1][1])
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(srcs[1][1], pngPrefix))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(bytes.NewReader(raw)); err != nil {
		t.Errorf("embedded PNG does not decode: %v", err)
	}
}

func TestWriteHTMLBadFigure(t *testing.T) {
	page := Page{Title: "p", Sections: []Section{{Figures: []Figure{{Plot: allPlots(t)["rank"], Format: "gif"}}}}}
	if err := WriteHTML(new(discard), page); err == nil {
		t.Error("figure format gif: want an error")
	}
}
