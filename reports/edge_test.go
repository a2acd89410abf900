package reports

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// TestEmptyTables renders a table with columns but no rows, and one with
// nothing at all, through every renderer: neither is an error.
func TestEmptyTables(t *testing.T) {
	tables := []*Table{
		{Title: "no rows", Columns: []Column{{Name: "a"}, {Name: "b_c"}}},
		{Title: "nothing"},
	}
	for _, tab := range tables {
		for _, r := range []Renderer{TextRenderer{}, MarkdownRenderer{}, LaTeXRenderer{}, CSVRenderer{}, JSONRenderer{}, HTMLRenderer{}} {
			var buf bytes.Buffer
			if err := r.Render(&buf, tab); err != nil {
				t.Errorf("%T on %q: %v", r, tab.Title, err)
			}
		}
	}
}

// TestTextHeaderVerbatim guards against tablewriter's header auto-format
// (which would print "col_one" as "COL ONE").
func TestTextHeaderVerbatim(t *testing.T) {
	tab := &Table{Columns: []Column{{Name: "col_one"}, {Name: "essPerSec"}, {Name: "R-hat"}}}
	tab.AddRow(NumberCell(1), NumberCell(2), NumberCell(3))
	var buf bytes.Buffer
	if err := (TextRenderer{}).Render(&buf, tab); err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"col_one", "essPerSec", "R-hat"} {
		if !strings.Contains(buf.String(), h) {
			t.Errorf("header %q not printed verbatim:\n%s", h, buf.String())
		}
	}
}

// failWriter fails every write.
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errWrite }

var errWrite = errors.New("write failed")

// TestRenderWriteErrors checks that every renderer returns (not swallows)
// a write error, wrapped so errors.Is finds it.
func TestRenderWriteErrors(t *testing.T) {
	for _, r := range []Renderer{TextRenderer{}, MarkdownRenderer{}, LaTeXRenderer{}, CSVRenderer{}, JSONRenderer{}, HTMLRenderer{}} {
		if err := r.Render(failWriter{}, sampleTable()); !errors.Is(err, errWrite) {
			t.Errorf("%T: got %v, want the write error", r, err)
		}
	}
	if err := WriteHTML(failWriter{}, Page{Title: "x"}); !errors.Is(err, errWrite) {
		t.Errorf("WriteHTML: got %v, want the write error", err)
	}
}
