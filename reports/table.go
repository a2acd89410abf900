package reports

import "fmt"

// Table is a renderer-independent table of results: a title, a caption,
// columns, rows of cells, and notes. It never holds formatted numbers; every
// renderer formats them itself from the column's (or cell's) Format, so the
// same Table prints as text, Markdown, LaTeX, CSV, JSON or HTML.
//
// Rows and columns are rendered in the order given. Warnings attached to
// cells become numbered footnote marks, numbered in row-major order of first
// appearance; identical warning texts share one number.
type Table struct {
	// Title names the table; renderers print it above the body.
	Title string
	// Caption is an optional sentence describing the table.
	Caption string
	// Columns describes each column, left to right.
	Columns []Column
	// Rows holds the body; each row must have len(Columns) cells.
	Rows []Row
	// Notes are unnumbered remarks printed under the footnotes.
	Notes []string
}

// Column describes one column of a Table.
type Column struct {
	// Name is the header, printed exactly as given.
	Name string
	// Unit, when set, is printed after the name as "Name (Unit)".
	Unit string
	// Format is the default number format of the column's cells. The zero
	// Format means three significant digits.
	Format Format
}

// Row is one row of a Table.
type Row struct {
	// Cells holds one cell per column.
	Cells []Cell
}

// CellKind says what a Cell holds.
type CellKind uint8

const (
	// Empty is a blank cell.
	Empty CellKind = iota
	// Number is a float64 value, optionally with an interval or an error.
	Number
	// Text is a string, printed as given.
	Text
)

// BoundKind says which uncertainty, if any, accompanies a Number cell.
type BoundKind uint8

const (
	// NoBound means the value stands alone.
	NoBound BoundKind = iota
	// IntervalBound means the value has an interval [Lo, Hi], e.g. a 95%
	// confidence or credible interval.
	IntervalBound
	// ErrorBound means the value has a symmetric error ±Err, e.g. a Monte
	// Carlo standard error.
	ErrorBound
)

// Cell is one table entry. Build cells with NumberCell, IntervalCell,
// ErrorCell, TextCell and EmptyCell, and attach warnings with WithWarnings.
type Cell struct {
	// Kind says whether the cell is empty, a number or text.
	Kind CellKind
	// Value is the number of a Number cell.
	Value float64
	// Text is the content of a Text cell.
	Text string
	// Bound says whether Lo and Hi, or Err, are set.
	Bound BoundKind
	// Lo and Hi are the interval of an IntervalBound cell.
	Lo, Hi float64
	// Err is the half-width of an ErrorBound cell (printed as ±Err).
	Err float64
	// NotSignificant marks a difference that is not statistically
	// significant; text renderers print "~" in place of the number, as
	// benchstat does, while CSV and JSON keep the value and the flag.
	NotSignificant bool
	// Format overrides the column's Format when its Style is not Inherit.
	Format Format
	// Warnings are caveats about this value; renderers print them as
	// numbered footnotes.
	Warnings []string
}

// NumberCell returns a cell holding v.
func NumberCell(v float64) Cell { return Cell{Kind: Number, Value: v} }

// IntervalCell returns a cell holding v with the interval [lo, hi].
func IntervalCell(v, lo, hi float64) Cell {
	return Cell{Kind: Number, Value: v, Bound: IntervalBound, Lo: lo, Hi: hi}
}

// ErrorCell returns a cell holding v ± err.
func ErrorCell(v, err float64) Cell {
	return Cell{Kind: Number, Value: v, Bound: ErrorBound, Err: err}
}

// TextCell returns a cell holding s.
func TextCell(s string) Cell { return Cell{Kind: Text, Text: s} }

// EmptyCell returns a blank cell.
func EmptyCell() Cell { return Cell{} }

// WithWarnings returns a copy of c with the warnings appended.
func (c Cell) WithWarnings(warnings ...string) Cell {
	c.Warnings = append(append([]string(nil), c.Warnings...), warnings...)
	return c
}

// WithFormat returns a copy of c whose format overrides the column's.
func (c Cell) WithFormat(f Format) Cell {
	c.Format = f
	return c
}

// AddRow appends a row built from cells and returns t for chaining.
// It panics if the number of cells differs from the number of columns.
func (t *Table) AddRow(cells ...Cell) *Table {
	if len(cells) != len(t.Columns) {
		panic(fmt.Sprintf("reports: row has %d cells, table %q has %d columns", len(cells), t.Title, len(t.Columns)))
	}
	t.Rows = append(t.Rows, Row{Cells: cells})
	return t
}

// check panics if a row does not have one cell per column: a malformed
// table is a programmer error.
func (t *Table) check() {
	if t == nil {
		panic("reports: nil table")
	}
	for i, r := range t.Rows {
		if len(r.Cells) != len(t.Columns) {
			panic(fmt.Sprintf("reports: row %d of table %q has %d cells, want %d", i, t.Title, len(r.Cells), len(t.Columns)))
		}
	}
}

// header returns the printed header of the column: its name, and its unit in
// parentheses when set.
func (col Column) header() string {
	if col.Unit == "" {
		return col.Name
	}
	return col.Name + " (" + col.Unit + ")"
}

// format returns the format that applies to cell c in column col.
func (col Column) format(c Cell) Format {
	if c.Format.Style != Inherit {
		return c.Format
	}
	return col.Format
}
