package reports

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// LaTeXRenderer renders a Table as a LaTeX table with booktabs rules
// (\toprule, \midrule, \bottomrule; needs \usepackage{booktabs}). Text is
// escaped with LaTeXEscape, ± becomes \ensuremath{\pm}, and warnings
// become \textsuperscript marks with the footnotes in a small paragraph
// under the tabular.
type LaTeXRenderer struct {
	// Label, when set, adds \label{Label} after the caption.
	Label string
}

// Render implements Renderer.
func (r LaTeXRenderer) Render(w io.Writer, t *Table) error {
	t.check()
	notes, marks := footnotes(t)
	ew := &errWriter{w: w}
	spec := make([]byte, len(t.Columns))
	for j := range t.Columns {
		spec[j] = 'l'
		if numeric(t, j) {
			spec[j] = 'r'
		}
	}
	ew.WriteString("\\begin{table}[htbp]\n\\centering\n")
	if caption := strings.TrimSpace(joinNonEmpty(". ", t.Title, t.Caption)); caption != "" {
		ew.WriteString("\\caption{" + LaTeXEscape(caption) + "}\n")
	}
	if r.Label != "" {
		ew.WriteString("\\label{" + r.Label + "}\n")
	}
	ew.WriteString("\\begin{tabular}{" + string(spec) + "}\n\\toprule\n")
	cells := make([]string, len(t.Columns))
	for j, col := range t.Columns {
		cells[j] = LaTeXEscape(col.header())
	}
	ew.WriteString(strings.Join(cells, " & ") + " \\\\\n\\midrule\n")
	for i, row := range t.Rows {
		for j, c := range row.Cells {
			s := latexCell(t.Columns[j], c)
			if len(marks[i][j]) > 0 {
				s += "\\textsuperscript{" + joinInts(marks[i][j], ",") + "}"
			}
			cells[j] = s
		}
		ew.WriteString(strings.Join(cells, " & ") + " \\\\\n")
	}
	ew.WriteString("\\bottomrule\n\\end{tabular}\n")
	if len(notes) > 0 || len(t.Notes) > 0 {
		ew.WriteString("\\par\\smallskip\\footnotesize\n")
		for k, n := range notes {
			ew.WriteString("\\textsuperscript{" + strconv.Itoa(k+1) + "} " + LaTeXEscape(n) + "\\\\\n")
		}
		for _, n := range t.Notes {
			ew.WriteString(LaTeXEscape(n) + "\\\\\n")
		}
	}
	ew.WriteString("\\end{table}\n")
	if ew.err != nil {
		return fmt.Errorf("reports: writing LaTeX table %q: %w", t.Title, ew.err)
	}
	return nil
}

// latexCell renders a cell's content with LaTeXEscape; the "~" of a
// non-significant difference becomes \textasciitilde{}.
func latexCell(col Column, c Cell) string {
	return LaTeXEscape(cellText(col, c, "±"))
}

// latexReplacer maps LaTeX's special characters to their text-mode forms.
// The backslash comes first in the pattern list, and the replacer scans the
// input once, so replacements are never re-escaped.
var latexReplacer = strings.NewReplacer(
	`\`, `\textbackslash{}`,
	"&", `\&`,
	"%", `\%`,
	"$", `\$`,
	"#", `\#`,
	"_", `\_`,
	"{", `\{`,
	"}", `\}`,
	"~", `\textasciitilde{}`,
	"^", `\textasciicircum{}`,
	"<", `\textless{}`,
	">", `\textgreater{}`,
	"\n", " ",
	"±", `\ensuremath{\pm}`,
	"α", `\ensuremath{\alpha}`,
	"β", `\ensuremath{\beta}`,
	"γ", `\ensuremath{\gamma}`,
	"Δ", `\ensuremath{\Delta}`,
	"ε", `\ensuremath{\varepsilon}`,
	"θ", `\ensuremath{\theta}`,
	"μ", `\ensuremath{\mu}`,
	"σ", `\ensuremath{\sigma}`,
	"τ", `\ensuremath{\tau}`,
)

// LaTeXEscape escapes the characters that LaTeX treats specially
// (\ & % $ # _ { } ~ ^ < >) so s prints literally in text mode, and writes
// ± and the Greek letters the harness uses (α β γ Δ ε θ μ σ τ) as math
// symbols, so the output compiles with pdfLaTeX as well as with Unicode
// engines. Other non-ASCII text is passed through.
func LaTeXEscape(s string) string { return latexReplacer.Replace(s) }

func joinInts(ns []int, sep string) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, sep)
}

// joinNonEmpty joins the non-empty parts with sep.
func joinNonEmpty(sep string, parts ...string) string {
	var keep []string
	for _, p := range parts {
		if p != "" {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, sep)
}
