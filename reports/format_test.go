package reports

import (
	"math"
	"reflect"
	"testing"
)

func TestFormatNumber(t *testing.T) {
	// Expected strings follow from the definitions of the styles: rounding
	// to significant digits, fixed decimals, or 100·v with decimals.
	cases := []struct {
		f    Format
		v    float64
		want string
	}{
		{Format{}, 0.48213, "0.482"},
		{Format{}, 0.09996, "0.100"}, // rounds up into the next decade
		{Format{}, 1234.5, "1230"},
		{Format{}, -2.25, "-2.25"},
		{Format{}, 0, "0"},
		{Format{}, 1.5e-5, "1.50e-05"},
		{Format{}, 2.5e7, "2.50e+07"},
		{Format{Style: Significant, Digits: 1}, 0.46, "0.5"},
		{Format{Style: Fixed, Digits: 2}, 3.14159, "3.14"},
		{Format{Style: Fixed}, 2.5, "2"}, // strconv rounds half to even
		{Format{Style: Percent, Digits: 1}, 0.9481, "94.8%"},
		{Format{Style: Percent, Digits: 2, Signed: true}, 0.05, "+5.00%"},
		{Format{Style: Percent, Digits: 2, Signed: true}, -0.05, "-5.00%"},
		{Format{Signed: true}, 0, "0"},
		{Format{}, math.NaN(), "NaN"},
		{Format{}, math.Inf(1), "+Inf"},
		{Format{Style: Fixed, Digits: 3}, math.Inf(-1), "-Inf"},
	}
	for _, c := range cases {
		if got := c.f.number(c.v); got != c.want {
			t.Errorf("%+v.number(%v) = %q, want %q", c.f, c.v, got, c.want)
		}
	}
}

func TestCellText(t *testing.T) {
	col := Column{Name: "x"}
	cases := []struct {
		c    Cell
		want string
	}{
		{IntervalCell(0.5, 0.25, 0.75), "0.500 [0.250, 0.750]"},
		// The error keeps two significant digits under Significant.
		{ErrorCell(1.2345, 0.01234), "1.23 ± 0.012"},
		// benchstat style: error as a whole percentage of the value.
		{ErrorCell(200, 4).WithFormat(Format{Style: Significant, RelativeError: true}), "200 ± 2%"},
		{Cell{Kind: Number, Value: 0.3, NotSignificant: true}, "~"},
		{TextCell("NUTS"), "NUTS"},
		{EmptyCell(), ""},
	}
	for _, c := range cases {
		if got := cellText(col, c.c, "±"); got != c.want {
			t.Errorf("cellText(%+v) = %q, want %q", c.c, got, c.want)
		}
	}
}

func TestFootnotesNumbering(t *testing.T) {
	tab := &Table{Columns: []Column{{Name: "a"}, {Name: "b"}}}
	tab.AddRow(NumberCell(1).WithWarnings("w1", "w2"), NumberCell(2).WithWarnings("w1"))
	tab.AddRow(NumberCell(3).WithWarnings("w3", "w1", "w1"), NumberCell(4))
	texts, marks := footnotes(tab)
	if want := []string{"w1", "w2", "w3"}; !reflect.DeepEqual(texts, want) {
		t.Errorf("texts = %q, want %q", texts, want)
	}
	want := [][][]int{{{1, 2}, {1}}, {{3, 1}, nil}}
	if !reflect.DeepEqual(marks, want) {
		t.Errorf("marks = %v, want %v", marks, want)
	}
	if got := superMarks([]int{1, 12}); got != "¹˒¹²" {
		t.Errorf("superMarks = %q", got)
	}
}

func TestMalformedTablePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("AddRow with too few cells did not panic")
		}
	}()
	(&Table{Columns: []Column{{Name: "a"}, {Name: "b"}}}).AddRow(NumberCell(1))
}

func TestRenderMalformedPanics(t *testing.T) {
	tab := &Table{Columns: []Column{{Name: "a"}}, Rows: []Row{{Cells: []Cell{NumberCell(1), NumberCell(2)}}}}
	for _, r := range []Renderer{TextRenderer{}, MarkdownRenderer{}, LaTeXRenderer{}, CSVRenderer{}, JSONRenderer{}, HTMLRenderer{}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%T rendered a row with 2 cells in a 1-column table", r)
				}
			}()
			_ = r.Render(new(discard), tab)
		}()
	}
}

type discard struct{}

func (*discard) Write(p []byte) (int, error) { return len(p), nil }
