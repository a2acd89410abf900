package reports

import (
	"fmt"
	"io"
	"strings"
)

// MarkdownRenderer renders a Table as a GitHub-flavoured Markdown pipe
// table: the title in bold above it, the caption in italics, numeric
// columns right-aligned, warnings as superscript marks and numbered
// footnotes under the table.
type MarkdownRenderer struct{}

// Render implements Renderer.
func (MarkdownRenderer) Render(w io.Writer, t *Table) error {
	t.check()
	notes, marks := footnotes(t)
	ew := &errWriter{w: w}
	if t.Title != "" {
		ew.WriteString("**" + markdownEscape(t.Title) + "**\n\n")
	}
	if t.Caption != "" {
		ew.WriteString("_" + markdownEscape(t.Caption) + "_\n\n")
	}
	if len(t.Columns) > 0 {
		cells := make([]string, len(t.Columns))
		rule := make([]string, len(t.Columns))
		for j, col := range t.Columns {
			cells[j] = markdownEscape(col.header())
			rule[j] = "---"
			if numeric(t, j) {
				rule[j] = "---:"
			}
		}
		ew.WriteString("| " + strings.Join(cells, " | ") + " |\n")
		ew.WriteString("|" + strings.Join(rule, "|") + "|\n")
		for i, r := range t.Rows {
			for j, c := range r.Cells {
				cells[j] = markdownEscape(cellText(t.Columns[j], c, "±")) + superMarks(marks[i][j])
			}
			ew.WriteString("| " + strings.Join(cells, " | ") + " |\n")
		}
	}
	// Footnotes, then notes, one per line: a trailing backslash is a
	// Markdown hard line break, and is left off the last line, where it
	// would print literally.
	lines := make([]string, 0, len(notes)+len(t.Notes))
	for k, n := range notes {
		lines = append(lines, superscript(k+1)+" "+markdownEscape(n))
	}
	for _, n := range t.Notes {
		lines = append(lines, markdownEscape(n))
	}
	if len(lines) > 0 {
		ew.WriteString("\n" + strings.Join(lines, "\\\n") + "\n")
	}
	if ew.err != nil {
		return fmt.Errorf("reports: writing Markdown table %q: %w", t.Title, ew.err)
	}
	return nil
}

// markdownReplacer escapes the characters that would end a cell, start
// emphasis or strikethrough, or break the line inside a pipe table.
var markdownReplacer = strings.NewReplacer(
	`\`, `\\`,
	"|", `\|`,
	"*", `\*`,
	"_", `\_`,
	"`", "\\`",
	"~", `\~`,
	"\n", " ",
)

func markdownEscape(s string) string { return markdownReplacer.Replace(s) }
