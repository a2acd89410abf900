package reports

import (
	"fmt"
	"html"
	"io"
	"strconv"
	"strings"
)

// HTMLRenderer renders a Table as an HTML fragment: a <table> with the
// title as its <caption>, numeric columns right-aligned (class "num"),
// warnings as <sup> marks, and the footnotes and notes in an <ol
// class="notes"> after it. Everything is escaped; nothing refers to an
// external resource. WriteHTML uses it for the tables of a Page.
type HTMLRenderer struct{}

// Render implements Renderer.
func (HTMLRenderer) Render(w io.Writer, t *Table) error {
	t.check()
	notes, marks := footnotes(t)
	ew := &errWriter{w: w}
	ew.WriteString("<table>\n")
	if t.Title != "" || t.Caption != "" {
		ew.WriteString("<caption>")
		if t.Title != "" {
			ew.WriteString("<strong>" + html.EscapeString(t.Title) + "</strong>")
		}
		if t.Caption != "" {
			if t.Title != "" {
				ew.WriteString("<br>")
			}
			ew.WriteString(html.EscapeString(t.Caption))
		}
		ew.WriteString("</caption>\n")
	}
	class := make([]string, len(t.Columns))
	ew.WriteString("<thead><tr>")
	for j, col := range t.Columns {
		if numeric(t, j) {
			class[j] = ` class="num"`
		}
		ew.WriteString("<th" + class[j] + ">" + html.EscapeString(col.header()) + "</th>")
	}
	ew.WriteString("</tr></thead>\n<tbody>\n")
	for i, r := range t.Rows {
		ew.WriteString("<tr>")
		for j, c := range r.Cells {
			s := html.EscapeString(cellText(t.Columns[j], c, "±"))
			if len(marks[i][j]) > 0 {
				s += "<sup>" + joinInts(marks[i][j], ",") + "</sup>"
			}
			ew.WriteString("<td" + class[j] + ">" + s + "</td>")
		}
		ew.WriteString("</tr>\n")
	}
	ew.WriteString("</tbody>\n</table>\n")
	if len(notes) > 0 {
		ew.WriteString(`<ol class="notes">` + "\n")
		for k, n := range notes {
			ew.WriteString(`<li value="` + strconv.Itoa(k+1) + `">` + html.EscapeString(n) + "</li>\n")
		}
		ew.WriteString("</ol>\n")
	}
	for _, n := range t.Notes {
		ew.WriteString(`<p class="note">` + html.EscapeString(n) + "</p>\n")
	}
	if ew.err != nil {
		return fmt.Errorf("reports: writing HTML table %q: %w", t.Title, ew.err)
	}
	return nil
}

// htmlText escapes s and keeps its paragraph breaks (blank lines).
func htmlText(s string) string {
	var b strings.Builder
	for _, p := range strings.Split(strings.TrimSpace(s), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			b.WriteString("<p>" + html.EscapeString(p) + "</p>\n")
		}
	}
	return b.String()
}
