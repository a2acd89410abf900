// Package reports holds the table model, its renderers, the plots and the
// HTML page of the metabeta harness. It runs no estimator and imports no
// estimator or calibration package: callers turn their results into
// Tables and plot inputs (plain slices and small structs defined here).
//
// # Table model
//
// A Table is a Title, a Caption, Columns, Rows of Cells and free Notes. A
// Cell holds either a number (float64) or text; a number may carry an
// interval [Lo, Hi] (IntervalCell) or a symmetric error ±Err such as a Monte
// Carlo standard error (ErrorCell), and may be marked NotSignificant. Any
// cell may carry Warnings — divergences, R̂ > 1.01, too few SBC replicates —
// which renderers turn into numbered footnote marks; identical warnings
// share one number, numbered in row-major order of first appearance.
//
// The Table never holds formatted numbers (house rule 8). Each Column has a
// Format hint (Significant digits, Fixed decimals or Percent, optionally
// Signed and with the error relative to the value), which a Cell may
// override; renderers apply it, so one Table prints the same precision in
// every human-readable format, and rows and columns keep the order given.
//
// # Renderers
//
// Every renderer implements Renderer{Render(w io.Writer, t *Table) error}:
//
//   - TextRenderer: an ASCII grid via github.com/olekukonko/tablewriter
//     (v1, the only file importing it), with header auto-formatting off so
//     headers print exactly as given; footnotes as ¹ ² marks.
//   - MarkdownRenderer: a GitHub pipe table, numeric columns right-aligned.
//   - LaTeXRenderer: a booktabs table (\toprule, \midrule, \bottomrule),
//     specials escaped by LaTeXEscape, ± as $\pm$, marks as
//     \textsuperscript.
//   - CSVRenderer: machine-readable; numbers at full precision, bounds and
//     significance in extra columns, warnings in a last column.
//   - JSONRenderer: raw numbers (never formatted strings), intervals,
//     errors and warnings per cell.
//   - HTMLRenderer: an escaped <table> fragment with <sup> marks.
//
// Numbers print as "v", "v [lo, hi]" or "v ± e"; a NotSignificant
// difference prints as "~", following benchstat (golang.org/x/perf).
// ComparisonTable builds the benchstat-style old/new/delta table used by
// the CI gate.
//
// # Plots
//
// The plot functions return a *plot.Plot (gonum.org/v1/plot); SaveFigure
// writes it as SVG and PNG, Encode returns the bytes:
//
//   - ECDFDiffPlot: F̂(z) − z of the SBC ranks with a simultaneous band
//     (Säilynoja, Bürkner & Vehtari 2022, Stat. Comput. 32:32).
//   - RankHistogramPlot: rank counts per bin with the Binomial(N, 1/J) band
//     (Talts et al. 2018, arXiv 1804.06788).
//   - RecoveryPlot: estimate against truth with the identity line,
//     optional interval bars and the correlation r in the title.
//   - AgreementPlot: an approximation (NPE) against a reference (NUTS),
//     e.g. posterior means, with the identity line.
//   - CoveragePlot: empirical against nominal coverage with a band.
//   - TimingPlot: per-method ECDF of run times on a log axis.
//
// # HTML page
//
// WriteHTML writes a Page — title, sections of tables and figures — as one
// self-contained HTML5 document: inline CSS, tables via HTMLRenderer and
// figures as base64 data URIs, with no external resource.
package reports
