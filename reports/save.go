package reports

import (
	"bytes"
	"fmt"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

// Default figure size: 6 × 4 inches, which at the 96 dpi of gonum/plot's
// PNG canvas is 576 × 384 pixels.
const (
	DefaultWidth  = 6 * vg.Inch
	DefaultHeight = 4 * vg.Inch
)

// SaveFigure writes p as base+".svg" and base+".png" with plot.Save, at
// width × height (zero means the defaults). It returns the two paths.
func SaveFigure(p *plot.Plot, width, height vg.Length, base string) (svgPath, pngPath string, err error) {
	width, height = figureSize(width, height)
	svgPath, pngPath = base+".svg", base+".png"
	if err := p.Save(width, height, svgPath); err != nil {
		return "", "", fmt.Errorf("reports: saving %s: %w", svgPath, err)
	}
	if err := p.Save(width, height, pngPath); err != nil {
		return "", "", fmt.Errorf("reports: saving %s: %w", pngPath, err)
	}
	return svgPath, pngPath, nil
}

// Encode draws p at width × height (zero means the defaults) in format
// ("svg", "png", "pdf", ...; see plot.Plot.WriterTo) and returns the bytes.
func Encode(p *plot.Plot, width, height vg.Length, format string) ([]byte, error) {
	width, height = figureSize(width, height)
	wt, err := p.WriterTo(width, height, format)
	if err != nil {
		return nil, fmt.Errorf("reports: encoding plot as %s: %w", format, err)
	}
	var buf bytes.Buffer
	if _, err := wt.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("reports: encoding plot as %s: %w", format, err)
	}
	return buf.Bytes(), nil
}

func figureSize(width, height vg.Length) (vg.Length, vg.Length) {
	if width <= 0 {
		width = DefaultWidth
	}
	if height <= 0 {
		height = DefaultHeight
	}
	return width, height
}
