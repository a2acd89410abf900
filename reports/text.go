package reports

import (
	"bytes"
	"fmt"
	"io"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// TextRenderer renders a Table as an ASCII grid for terminals and logs,
// using github.com/olekukonko/tablewriter (v1). Headers print exactly as
// given (tablewriter's header auto-formatting is off), numeric columns are
// right-aligned, and warnings appear as superscript marks with numbered
// footnotes under the grid.
type TextRenderer struct{}

// Render implements Renderer.
func (TextRenderer) Render(w io.Writer, t *Table) error {
	t.check()
	notes, marks := footnotes(t)
	align := make(tw.Alignment, len(t.Columns))
	header := make([]any, len(t.Columns))
	for j, col := range t.Columns {
		header[j] = col.header()
		align[j] = tw.AlignLeft
		if numeric(t, j) {
			align[j] = tw.AlignRight
		}
	}
	// tablewriter writes as it renders; buffer so a failure leaves w clean
	// of half a table and so write errors surface from one place.
	var buf bytes.Buffer
	tbl := tablewriter.NewTable(&buf,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{Symbols: tw.NewSymbols(tw.StyleASCII)})),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAutoWrap(tw.WrapNone),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithAlignment(align),
	)
	if len(t.Columns) > 0 {
		tbl.Header(header...)
	}
	for i, r := range t.Rows {
		row := make([]string, len(r.Cells))
		for j, c := range r.Cells {
			row[j] = cellText(t.Columns[j], c, "±") + superMarks(marks[i][j])
		}
		if err := tbl.Append(row); err != nil {
			return fmt.Errorf("reports: text table %q row %d: %w", t.Title, i, err)
		}
	}
	if len(t.Columns) > 0 {
		if err := tbl.Render(); err != nil {
			return fmt.Errorf("reports: text table %q: %w", t.Title, err)
		}
	}
	ew := &errWriter{w: w}
	if t.Title != "" {
		ew.WriteString(t.Title + "\n")
	}
	if t.Caption != "" {
		ew.WriteString(t.Caption + "\n")
	}
	ew.WriteString(buf.String())
	for k, n := range notes {
		ew.WriteString(superscript(k+1) + " " + n + "\n")
	}
	for _, n := range t.Notes {
		ew.WriteString(n + "\n")
	}
	if ew.err != nil {
		return fmt.Errorf("reports: writing text table %q: %w", t.Title, ew.err)
	}
	return nil
}
