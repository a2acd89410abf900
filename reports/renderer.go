package reports

import "io"

// Renderer writes a Table in one output format.
type Renderer interface {
	// Render writes t to w. It returns write errors; it panics if t is
	// malformed (a row without one cell per column).
	Render(w io.Writer, t *Table) error
}

// Compile-time checks that every renderer satisfies Renderer.
var (
	_ Renderer = TextRenderer{}
	_ Renderer = MarkdownRenderer{}
	_ Renderer = LaTeXRenderer{}
	_ Renderer = CSVRenderer{}
	_ Renderer = JSONRenderer{}
	_ Renderer = HTMLRenderer{}
)

// errWriter remembers the first write error so renderers can write many
// small pieces and check once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) WriteString(s string) {
	if e.err != nil {
		return
	}
	_, e.err = io.WriteString(e.w, s)
}
