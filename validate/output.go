package validate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"

	"github.com/metabeta-go/metabeta/calibration"
	"github.com/metabeta-go/metabeta/reports"
)

// Write writes the run's outputs into dir: results.json, tables.txt,
// tables.md, tables.tex, tables.csv, plots/*.svg|png and report.html.
func (r *Results) Write(dir string) error {
	js, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("results.json: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "results.json"), append(js, '\n'), 0o644); err != nil {
		return err
	}
	tables := r.Tables()
	for ext, rd := range map[string]reports.Renderer{
		"txt": reports.TextRenderer{}, "md": reports.MarkdownRenderer{}, "tex": reports.LaTeXRenderer{}, "csv": reports.CSVRenderer{},
	} {
		var b bytes.Buffer
		if err := renderAll(&b, rd, tables); err != nil {
			return fmt.Errorf("tables.%s: %w", ext, err)
		}
		if err := os.WriteFile(filepath.Join(dir, "tables."+ext), b.Bytes(), 0o644); err != nil {
			return err
		}
	}
	figs, err := r.figures()
	if err != nil {
		return err
	}
	plots := filepath.Join(dir, "plots")
	if err := os.MkdirAll(plots, 0o755); err != nil {
		return err
	}
	for _, f := range figs {
		if _, _, err := reports.SaveFigure(f.fig.Plot, 0, 0, filepath.Join(plots, f.file)); err != nil {
			return fmt.Errorf("plot %s: %w", f.file, err)
		}
	}
	return r.writeHTML(filepath.Join(dir, "report.html"), tables, figs)
}

// renderAll renders the tables one after another, separated by blank lines.
func renderAll(w io.Writer, rd reports.Renderer, tables []*reports.Table) error {
	for i, t := range tables {
		if i > 0 {
			if _, err := io.WriteString(w, "\n"); err != nil {
				return err
			}
		}
		if err := rd.Render(w, t); err != nil {
			return err
		}
	}
	return nil
}

// PrintTables writes the text tables to w.
func (r *Results) PrintTables(w io.Writer) error {
	return renderAll(w, reports.TextRenderer{}, r.Tables())
}

type namedFigure struct {
	file    string
	section string
	fig     reports.Figure
}

// figures builds the plots: per method and parameter type, the SBC ECDF
// difference with its simultaneous band, the rank histogram, recovery and
// coverage; and the timing distribution.
func (r *Results) figures() ([]namedFigure, error) {
	var out []namedFigure
	add := func(section, file, caption string, p *plot.Plot, err error) error {
		if err != nil {
			return fmt.Errorf("plot %s: %w", file, err)
		}
		out = append(out, namedFigure{file: file, section: section, fig: reports.Figure{Plot: p, Caption: caption}})
		return nil
	}
	for _, g := range r.Kinds {
		base := g.Method + "_" + g.Group
		label := g.Method + ", " + g.Group
		if len(g.ranks) >= 2 {
			bands := calibration.SimultaneousBands(len(g.ranks), calibration.DefaultECDFPoints(len(g.ranks), g.L), 0.95)
			e := calibration.NewRankECDF(g.ranks, g.L, bands)
			p, err := reports.ECDFDiffPlot(reports.ECDFDiff{Param: label, Z: e.Z, Diff: e.Diff, Lower: e.DiffLower, Upper: e.DiffUpper, Level: 0.95})
			if err := add("SBC", "ecdf_"+base, "SBC rank ECDF difference with simultaneous 95% band: "+label, p, err); err != nil {
				return nil, err
			}
			h := calibration.NewRankHistogram(g.ranks, g.L, histBins(len(g.ranks), g.L), 0.95)
			p, err = reports.RankHistogramPlot(reports.RankHistogram{Param: label, Counts: h.Counts, Lo: float64(h.Lo), Hi: float64(h.Hi), Level: 0.95})
			if err := add("SBC", "ranks_"+base, "SBC rank histogram: "+label, p, err); err != nil {
				return nil, err
			}
		}
		p, err := reports.RecoveryPlot(reports.Recovery{Param: label, Truth: g.truth, Estimate: g.mean})
		if err := add("Recovery", "recovery_"+base, "Posterior mean against the truth: "+label, p, err); err != nil {
			return nil, err
		}
		lo, hi := make([]float64, len(g.Levels)), make([]float64, len(g.Levels))
		emp := make([]float64, len(g.Levels))
		for j, q := range g.Levels {
			emp[j] = float64(g.Coverage[j])
			lo[j], hi[j] = q-1.96*float64(g.CoverageSE[j]), q+1.96*float64(g.CoverageSE[j])
		}
		p, err = reports.CoveragePlot(reports.Coverage{Param: label, Nominal: g.Levels, Empirical: emp, Lo: lo, Hi: hi, Level: 0.95})
		if err := add("Coverage", "coverage_"+base, "Central-interval coverage against nominal, with the 95% Monte Carlo band: "+label, p, err); err != nil {
			return nil, err
		}
	}
	var series []reports.TimingSeries
	for _, t := range r.Timing {
		series = append(series, reports.TimingSeries{Method: t.Method, Seconds: t.seconds})
	}
	if len(series) > 0 {
		p, err := reports.TimingPlot("Wall time per dataset", series)
		if err := add("Timing", "timing", "Distribution of wall time per simulated dataset", p, err); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (r *Results) writeHTML(path string, tables []*reports.Table, figs []namedFigure) error {
	intro := fmt.Sprintf("Validation of the estimators on %d simulated datasets and %d real datasets. Methods run: %s.",
		r.Datasets, len(r.Real)/max(len(r.Methods), 1), strings.Join(r.Methods, ", "))
	for m, why := range r.Missing {
		intro += fmt.Sprintf(" %s was not run: %s.", m, why)
	}
	page := reports.Page{Title: "metabeta validation", Intro: intro}
	page.Sections = append(page.Sections, reports.Section{Heading: "Tables", Tables: tables})
	for _, name := range []string{"SBC", "Recovery", "Coverage", "Timing"} {
		sec := reports.Section{Heading: name}
		for _, f := range figs {
			if f.section == name {
				sec.Figures = append(sec.Figures, f.fig)
			}
		}
		if len(sec.Figures) > 0 {
			page.Sections = append(page.Sections, sec)
		}
	}
	if len(r.Warnings) > 0 {
		page.Sections = append(page.Sections, reports.Section{Heading: "Warnings", Text: strings.Join(r.Warnings, "\n")})
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := reports.WriteHTML(f, page); err != nil {
		f.Close()
		return fmt.Errorf("report.html: %w", err)
	}
	return f.Close()
}
